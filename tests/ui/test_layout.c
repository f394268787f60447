/* The console's column layout without a terminal: widths, dropping columns on narrow screens,
 * truncation by display width (CJK, combining marks), alignment, and the text filter match. */
#include "config.h"
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "base/text.h"
#include "base/xalloc.h"
#include "ui/layout.h"

/* The chats table's shape: fixed short columns, a flexible subject that is kept longest. */
static const struct ui_column chats[] = {
	{ "STATE", 4, 11, 5, UI_ALIGN_LEFT, false },
	{ "SYNC", 4, 11, 4, UI_ALIGN_LEFT, false },
	{ "IDLE", 4, 9, 8, UI_ALIGN_RIGHT, false },
	{ "VERDICT", 7, 11, 9, UI_ALIGN_LEFT, false },
	{ "SUBJECT", 8, 0, 10, UI_ALIGN_LEFT, false },
	{ "PARTICIPANTS", 8, 0, 2, UI_ALIGN_LEFT, false },
};
#define N_CHATS (sizeof chats / sizeof *chats)

static void locale(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}
TestSuite(layout, .init = locale);

/* A line as the put callback builds it: cells placed at their x in a row of spaces, measured
 * in display columns. */
struct line {
	struct buf text;
	int col;          /* display columns written so far */
	int calls;
	int bad_width;    /* calls whose text was not exactly width columns */
};

static void put(void *user, int x, int width, const char *text, int slot)
{
	struct line *l = user;
	(void)slot;
	while (l->col < x) {
		buf_add(&l->text, " ", 1);
		l->col++;
	}
	cr_assert_eq(l->col, x, "cell at %d overlaps the previous one (ends at %d)", x, l->col);
	buf_adds(&l->text, text);
	int w = (int)text_width(text);
	if (w != width)
		l->bad_width++;
	l->col += w;
	l->calls++;
}

static void line_init(struct line *l)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->text);
	buf_add(&l->text, "", 0);
}

static int sum(const int *w, size_t n)
{
	int s = 0, shown = 0;
	for (size_t i = 0; i < n; i++)
		if (w[i] > 0) {
			s += w[i];
			shown++;
		}
	return shown ? s + (shown - 1) * UI_LAYOUT_GAP : 0;
}

Test(layout, wide_screen_shows_every_column_within_its_max)
{
	int w[N_CHATS];
	size_t shown = ui_layout_widths(chats, N_CHATS, NULL, 120, w);
	cr_assert_eq(shown, N_CHATS);
	cr_assert_leq(sum(w, N_CHATS), 120);
	for (size_t i = 0; i < N_CHATS; i++) {
		cr_assert_geq(w[i], chats[i].min, "column %zu below its min", i);
		if (chats[i].max)
			cr_assert_leq(w[i], chats[i].max, "column %zu above its max", i);
	}
	/* Nothing is wasted: the flexible columns take the rest. */
	cr_assert_eq(sum(w, N_CHATS), 120);
}

Test(layout, content_widths_cap_columns_and_leave_the_rest_to_who_wants_it)
{
	int want[N_CHATS] = { 4, 7, 5, 11, 60, 20 };
	int w[N_CHATS];
	ui_layout_widths(chats, N_CHATS, want, 80, w);
	cr_assert_eq(w[0], 5, "STATE is as wide as its header, got %d", w[0]);
	cr_assert_eq(w[1], 7);
	cr_assert_eq(w[2], 5);
	cr_assert_eq(w[3], 11);
	cr_assert_eq(sum(w, N_CHATS), 80);
	/* The two long columns share the rest; neither starves. */
	cr_assert_geq(w[5], 8);
	cr_assert_gt(w[4], w[5]);
}

Test(layout, narrow_screens_drop_the_least_kept_columns_first)
{
	int w[N_CHATS];
	/* At 20 columns the verdict and the subject remain: what the admin came for. */
	size_t shown = ui_layout_widths(chats, N_CHATS, NULL, 20, w);
	cr_assert_eq(shown, 2, "shown %zu", shown);
	cr_assert_eq(w[0], 0);
	cr_assert_eq(w[1], 0);
	cr_assert_eq(w[2], 0);
	cr_assert_gt(w[3], 0);
	cr_assert_gt(w[4], 0);
	cr_assert_eq(w[5], 0);
	cr_assert_eq(sum(w, N_CHATS), 20);
	/* Participants (keep 2) go before the state (keep 5). */
	ui_layout_widths(chats, N_CHATS, NULL, 38, w);
	cr_assert_eq(w[5], 0);
	cr_assert_gt(w[0], 0);
}

Test(layout, never_wider_than_the_line_at_any_width)
{
	int want[N_CHATS] = { 9, 11, 7, 11, 70, 40 };
	for (int total = 0; total <= 200; total++) {
		int w[N_CHATS];
		size_t shown = ui_layout_widths(chats, N_CHATS, want, total, w);
		cr_assert_leq(sum(w, N_CHATS), total, "too wide at %d", total);
		cr_assert_geq(shown, 1);
		for (size_t i = 0; i < N_CHATS; i++)
			cr_assert_geq(w[i], 0);
	}
}

Test(layout, the_last_column_standing_is_cut_to_a_tiny_line)
{
	int w[N_CHATS];
	size_t shown = ui_layout_widths(chats, N_CHATS, NULL, 5, w);
	cr_assert_eq(shown, 1);
	cr_assert_eq(w[4], 5, "the subject (highest keep) stays, cut to 5: %d", w[4]);
}

Test(layout, cells_are_cut_with_an_ellipsis_and_padded_to_their_width)
{
	const struct ui_column cols[] = { { "A", 3, 6, 1, UI_ALIGN_LEFT, false }, { "B", 3, 5, 1, UI_ALIGN_RIGHT, false } };
	int w[2] = { 6, 5 };
	struct ui_cell cells[] = { { "abcdefghij", 0 }, { "42", 0 } };
	struct line l;
	line_init(&l);
	ui_layout_row(cols, 2, w, cells, put, &l);
	cr_assert_str_eq(l.text.data, "abcde…    42");
	cr_assert_eq(l.bad_width, 0);
	cr_assert_eq(l.calls, 2);
	buf_free(&l.text);
}

Test(layout, cjk_text_is_measured_in_display_columns)
{
	const struct ui_column cols[] = { { "SUBJECT", 3, 0, 1, UI_ALIGN_LEFT, false }, { "X", 1, 1, 1, UI_ALIGN_LEFT, false } };
	struct ui_cell cells[] = { { "漢字漢字漢字", 0 }, { "|", 0 } };
	/* Width 7: three wide characters (6) and the ellipsis (1). */
	int w7[2] = { 7, 1 };
	struct line l;
	line_init(&l);
	ui_layout_row(cols, 2, w7, cells, put, &l);
	cr_assert_str_eq(l.text.data, "漢字漢… |");
	cr_assert_eq(l.bad_width, 0);
	buf_free(&l.text);
	/* Width 6: a wide character does not fit in the last column before the ellipsis, so the
	 * cell is padded with a space and the next column still starts at 7. */
	int w6[2] = { 6, 1 };
	line_init(&l);
	ui_layout_row(cols, 2, w6, cells, put, &l);
	cr_assert_str_eq(l.text.data, "漢字…  |");
	cr_assert_eq(text_width(l.text.data), 8);
	cr_assert_eq(l.bad_width, 0);
	buf_free(&l.text);
}

Test(layout, combining_marks_take_no_column)
{
	const struct ui_column cols[] = { { "N", 1, 0, 1, UI_ALIGN_LEFT, false }, { "X", 1, 1, 1, UI_ALIGN_LEFT, false } };
	/* "Jose" with a combining acute accent: 4 columns, not 5. */
	struct ui_cell cells[] = { { "Jose\xcc\x81", 0 }, { "|", 0 } };
	int w[2] = { 4, 1 };
	struct line l;
	line_init(&l);
	ui_layout_row(cols, 2, w, cells, put, &l);
	cr_assert_str_eq(l.text.data, "Jose\xcc\x81 |");
	buf_free(&l.text);
}

Test(layout, headers_are_laid_out_like_cells_and_dropped_with_their_column)
{
	int w[N_CHATS];
	ui_layout_widths(chats, N_CHATS, NULL, 20, w);
	struct line l;
	line_init(&l);
	ui_layout_header(chats, N_CHATS, w, 0, put, &l);
	cr_assert_eq(l.calls, 2);
	cr_assert(strncmp(l.text.data, "VERDICT", 7) == 0, "%s", l.text.data);
	cr_assert(strstr(l.text.data, "SUBJECT"), "%s", l.text.data);
	cr_assert_eq(text_width(l.text.data), 20);
	buf_free(&l.text);
}

Test(layout, a_twenty_column_row_fits_exactly)
{
	int w[N_CHATS];
	ui_layout_widths(chats, N_CHATS, NULL, 20, w);
	struct ui_cell cells[N_CHATS] = { { "open", 0 }, { "enabled", 0 }, { "6 d 12 h", 0 }, { "not syncing", 0 },
					  { "漢字チャット会議室の長い名前", 0 }, { "Alice", 0 } };
	struct line l;
	line_init(&l);
	ui_layout_row(chats, N_CHATS, w, cells, put, &l);
	cr_assert_eq(text_width(l.text.data), 20, "\"%s\"", l.text.data);
	cr_assert_eq(l.bad_width, 0);
	cr_assert(strstr(l.text.data, "not syncing"), "%s", l.text.data);
	buf_free(&l.text);
}

Test(layout, a_line_is_cut_and_padded)
{
	struct line l;
	line_init(&l);
	ui_layout_line("Verdict: not syncing (2 blocking findings).", 20, 0, put, &l);
	cr_assert_str_eq(l.text.data, "Verdict: not syncin…");
	buf_free(&l.text);
	line_init(&l);
	ui_layout_line(NULL, 3, 0, put, &l);
	cr_assert_str_eq(l.text.data, "   ");
	buf_free(&l.text);
}

Test(layout, text_match_ignores_case_also_beyond_ascii)
{
	cr_assert(ui_text_match("Deal room Fabrikam", "ROOM"));
	cr_assert(ui_text_match("19:deal@thread.v2", "deal@"));
	cr_assert(ui_text_match("Ärger im Büro", "ärger"));
	cr_assert(ui_text_match("山田太郎, Eve Adams", "山田"));
	cr_assert(ui_text_match("anything", ""));
	cr_assert(ui_text_match("anything", NULL));
	cr_assert_not(ui_text_match(NULL, "x"));
	cr_assert_not(ui_text_match("Deal room", "renewal"));
	/* Invalid UTF-8 in the haystack falls back to a byte match instead of failing. */
	cr_assert(ui_text_match("bad \xff byte", "BYTE"));
}

Test(layout, a_whole_column_is_never_cut_and_others_make_room)
{
	static const struct ui_column cols[] = {
		{ "ENVIRONMENT", 8, 32, 10, UI_ALIGN_LEFT, true },
		{ "NAME", 8, 30, 3, UI_ALIGN_LEFT, false },
		{ "SYNC", 3, 7, 9, UI_ALIGN_LEFT, false },
	};
	int want[] = { 15, 24, 3 }, w[3];
	ui_layout_widths(cols, 3, want, 40, w);
	cr_assert_eq(w[0], 15, "the unique name keeps its 15 columns, got %d", w[0]);
	cr_assert_geq(w[2], 3);
	ui_layout_widths(cols, 3, want, 20, w);
	cr_assert_eq(w[0], 15);
	cr_assert_eq(w[1], 0, "the friendly name is dropped first");
}
