/* Curses: the one file that draws. Rows come from the views through the layout callback. */
#include "config.h"
#include "ui/screen.h"
#include "ui/colors.h"
#include "ui/view.h"
#include "cli/cli.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static SCREEN *screen;

int screen_open(struct ui *ui, bool want_color, struct cs_error *err)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cs_fail(err, CS_EXIT_USAGE, "%s",
			       _("the console needs a terminal (run chatsync in one, or give a command: see chatsync --help)"));
	const char *term = getenv("TERM");
	screen = newterm(NULL, stdout, stdin);
	if (!screen)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("cannot start the console on terminal type \"%s\" (set TERM to your terminal, e.g. xterm-256color)"),
			       term ? term : "");
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	/* Esc is a key here (back): do not wait a second for a sequence behind it. */
	set_escdelay(25);
	curs_set(0);
	ui->use_color = ui_colors_init(want_color);
	return 0;
}

void screen_close(void)
{
	if (!screen)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
}

bool screen_too_small(void)
{
	return COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
}

void screen_force_redraw(void)
{
	if (screen)
		clearok(curscr, TRUE);
}

void screen_fit(struct view *v)
{
	v->width = COLS > 0 ? COLS : 0;
	int h = LINES - 2 - (v->columns ? 1 : 0);
	v->height = h > 0 ? h : 0;
}

struct put_ctx {
	int y;
	bool cursor;
};

static void put(void *user, int x, int width, const char *text, int slot)
{
	struct put_ctx *c = user;
	(void)width;
	attrset((attr_t)ui_color_attr(c->cursor ? UI_COLOR_CURSOR : (enum ui_color)slot));
	mvaddstr(c->y, x, text);
}

static void fill(int y, enum ui_color slot)
{
	attrset(A_NORMAL);
	mvhline(y, 0, ' ' | (chtype)ui_color_attr(slot), COLS);
}

/* Draws left at the start of line y and right at its end, dropping or cutting left first. */
static void draw_bar(int y, const char *left, const char *right, enum ui_color slot)
{
	fill(y, slot);
	struct put_ctx c = { .y = y };
	int rw = right ? (int)text_width(right) : 0;
	if (rw > COLS)
		rw = COLS;
	int lw = COLS - rw - (rw ? 1 : 0);
	if (left && lw > 0)
		ui_layout_line(left, lw, slot, put, &c);
	if (rw) {
		char *r = text_truncate(right, (size_t)rw);
		put(&c, COLS - (int)text_width(r), 0, r, slot);
		free(r);
	}
}

static void draw_title(struct ui *ui)
{
	struct cli_context *ctx = ui->ctx;
	const struct conf_profile *p = ctx->s.profile;
	char *who = !p ? xstrdup(_("no profile"))
		  : p->tenant ? xasprintf(_("profile %s (%s)"), p->name, p->tenant) : xasprintf(_("profile %s"), p->name);
	char *safe_who = text_sanitize(who);
	cs_time newest = ui_data_newest_refresh(&ui->data);
	char age[32];
	char *cache = newest ? xasprintf(_("cache %s old"), time_format_age(newest, ui->data.now, age, sizeof age))
			     : xstrdup(_("cache never refreshed"));
	char *left = xasprintf("chatsync · %s · %s", safe_who, cache);
	struct view *v = ui_top(ui);
	draw_bar(0, left, v ? v->title : NULL, UI_COLOR_TITLE);
	free(left);
	free(cache);
	free(safe_who);
	free(who);
}

static void draw_status(struct ui *ui)
{
	struct view *v = ui_top(ui);
	char pos[64] = "";
	if (v) {
		size_t at = v->lines == 0 ? 0 : v->lineno + 1;
		if (v->ops->flags & VIEW_SCROLL) {
			at = v->offset + (size_t)v->height;
			if (at > v->lines)
				at = v->lines;
		}
		snprintf(pos, sizeof pos, "%zu/%zu", at, v->lines);
	}
	if (ui->data.diagnosed < ui->data.n_chats) {
		char *both = xasprintf(_("diagnosing %zu/%zu  %s"), ui->data.diagnosed, ui->data.n_chats, pos);
		snprintf(pos, sizeof pos, "%s", both);
		free(both);
	}
	const char *left = ui->progress ? ui->progress : ui->message;
	char *desc = NULL;
	if (!left && v) {
		const char *d = v->ops->describe ? v->ops->describe(v) : NULL;
		if (v->filter && *v->filter)
			desc = d ? xasprintf(_("filter: %s · %s"), v->filter, d) : xasprintf(_("filter: %s"), v->filter);
		else if (d)
			desc = xstrdup(d);
		left = desc;
	}
	enum ui_color slot = !ui->progress && ui->message ? (enum ui_color)ui->message_slot : UI_COLOR_STATUS;
	char *safe = left ? text_sanitize(left) : NULL;
	draw_bar(LINES - 1, safe, pos, slot);
	free(safe);
	free(desc);
}

static void draw_view(struct view *v)
{
	int widths[VIEW_MAX_COLUMNS] = { 0 };
	int y = 1;
	if (v->columns) {
		int want[VIEW_MAX_COLUMNS] = { 0 };
		if (v->ops->want)
			v->ops->want(v, want);
		ui_layout_widths(v->columns, v->n_columns, v->ops->want ? want : NULL, COLS, widths);
		struct put_ctx c = { .y = y++ };
		fill(c.y, UI_COLOR_HEADER);
		ui_layout_header(v->columns, v->n_columns, widths, UI_COLOR_HEADER, put, &c);
	}
	if (v->lines == 0) {
		struct put_ctx c = { .y = y };
		const char *why = v->filter && *v->filter ? _("nothing matches the filter (/ then Enter clears it)")
			: v->ops->empty ? _(v->ops->empty) : _("nothing to show");
		ui_layout_line(why, COLS, UI_COLOR_DIM, put, &c);
		return;
	}
	for (int i = 0; i < v->height; i++) {
		size_t row = v->offset + (size_t)i;
		if (row >= v->lines)
			break;
		struct view_row r;
		memset(&r, 0, sizeof r);
		v->ops->row(v, row, &r);
		struct put_ctx c = { .y = y + i, .cursor = !(v->ops->flags & VIEW_SCROLL) && row == v->lineno };
		if (c.cursor)
			fill(c.y, UI_COLOR_CURSOR);
		if (r.span || !v->columns)
			ui_layout_line(r.cells[0].text, COLS, r.cells[0].slot, put, &c);
		else
			ui_layout_row(v->columns, v->n_columns, widths, r.cells, put, &c);
	}
}

/* The sentence word by word over as many lines as it takes; the keys still work (q quits). */
static void draw_too_small(void)
{
	char *text = xasprintf(_("terminal too small (%dx%d, needs %dx%d)"), COLS, LINES, UI_MIN_COLS, UI_MIN_LINES);
	struct buf line;
	buf_init(&line);
	buf_add(&line, "", 0);
	int y = 0;
	for (char *word = strtok(text, " "); word && y < LINES; word = strtok(NULL, " ")) {
		if (line.len && (int)(text_width(line.data) + 1 + text_width(word)) > COLS) {
			struct put_ctx c = { .y = y++ };
			ui_layout_line(line.data, COLS, UI_COLOR_DEFAULT, put, &c);
			line.len = 0;
			line.data[0] = '\0';
		}
		if (line.len)
			buf_add(&line, " ", 1);
		buf_adds(&line, word);
	}
	if (line.len && y < LINES && COLS > 0) {
		struct put_ctx c = { .y = y };
		ui_layout_line(line.data, COLS, UI_COLOR_DEFAULT, put, &c);
	}
	buf_free(&line);
	free(text);
}

void screen_draw(struct ui *ui)
{
	if (!screen)
		return;
	erase();
	if (screen_too_small()) {
		draw_too_small();
		refresh();
		return;
	}
	draw_title(ui);
	struct view *v = ui_top(ui);
	if (v)
		draw_view(v);
	draw_status(ui);
	attrset(A_NORMAL);
	refresh();
}

void screen_draw_input(struct ui *ui, const char *prefix, const char *text)
{
	(void)ui;
	if (!screen || screen_too_small())
		return;
	char *line = xasprintf("%s%s", prefix, text);
	char *safe = text_sanitize(line);
	int y = LINES - 1;
	fill(y, UI_COLOR_DEFAULT);
	/* Show the end of a long line: that is where the typing happens. */
	const char *shown = safe;
	while (*shown && (int)text_width(shown) > COLS - 1) {
		shown++;
		while ((*shown & 0xC0) == 0x80)
			shown++;
	}
	attrset(A_NORMAL);
	mvaddstr(y, 0, shown);
	curs_set(1);
	refresh();
	free(safe);
	free(line);
}

int screen_save(const char *path, struct cs_error *err)
{
	if (!screen)
		return cs_fail(err, CS_EXIT_USAGE, "%s", _("no screen to save"));
	FILE *f = fopen(path, "w");
	if (!f)
		return cs_fail(err, CS_EXIT_USAGE, _("cannot write %s: %s"), path, strerror(errno));
	wchar_t *w = xcalloc((size_t)COLS + 1, sizeof *w);
	for (int y = 0; y < LINES; y++) {
		int n = mvinnwstr(y, 0, w, COLS);
		if (n < 0)
			n = 0;
		w[n] = L'\0';
		while (n > 0 && w[n - 1] == L' ')
			w[--n] = L'\0';
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int i = 0; i < n; i++) {
			char mb[MB_LEN_MAX];
			size_t len = wcrtomb(mb, w[i], &st);
			if (len == (size_t)-1)
				fputc('?', f);
			else
				fwrite(mb, 1, len, f);
		}
		fputc('\n', f);
	}
	free(w);
	if (fclose(f))
		return cs_fail(err, CS_EXIT_USAGE, _("cannot write %s: %s"), path, strerror(errno));
	return 0;
}
