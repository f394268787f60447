/* Column layout without a terminal (vifm's idea): widths are computed from display columns
 * (text_width, so CJK and combining marks line up) and each cell is handed, cut and padded, to a
 * callback. The console's drawer writes to curses through it; the tests write to a string. */
#ifndef CHATSYNC_UI_LAYOUT_H
#define CHATSYNC_UI_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>

enum ui_align { UI_ALIGN_LEFT, UI_ALIGN_RIGHT };

struct ui_column {
	const char *header;  /* untranslated (N_); translated when measured and drawn */
	int min;             /* narrowest useful width */
	int max;             /* widest; 0: no limit (takes what is left) */
	int keep;            /* when the screen is too narrow, lower keep is dropped first */
	enum ui_align align;
	bool whole;          /* never cut: its min is what its content wants (a unique name) */
};

/* A cell of a row: borrowed text (sanitised UTF-8; NULL is empty) and its colour slot. */
struct ui_cell {
	const char *text;
	int slot;
};

/* Called once per visible cell: text is exactly width columns wide (cut with "…", padded),
 * x its first column. The text is only valid during the call. */
typedef void (*ui_put_fn)(void *user, int x, int width, const char *text, int slot);

/* Gap between columns. */
#define UI_LAYOUT_GAP 1

/* Fills widths[n] for a line of total columns: 0 for a dropped column. want (may be NULL) gives
 * each column's widest content; a column never gets more than it (or its header) wants, nor
 * more than its max. Columns are dropped, lowest keep first (the rightmost on a tie), until the
 * rest fit at their min; the last one left is cut to total. What is left goes first to the
 * columns with a max, then to the open-ended ones, one column at a time. Returns the number of
 * columns shown. */
size_t ui_layout_widths(const struct ui_column *cols, size_t n, const int *want, int total, int *widths);
/* Emits the visible cells of one row through put. */
void ui_layout_row(const struct ui_column *cols, size_t n, const int *widths, const struct ui_cell *cells,
		   ui_put_fn put, void *user);
/* Emits the translated headers of the visible columns through put, each in slot. */
void ui_layout_header(const struct ui_column *cols, size_t n, const int *widths, int slot, ui_put_fn put,
		      void *user);
/* Emits one line of text cut and padded to width at x = 0. */
void ui_layout_line(const char *text, int width, int slot, ui_put_fn put, void *user);

/* s folded for a case-insensitive search (caller frees): every character through towlower when the
 * locale can decode s, else its ASCII letters lowered. Folding is per character, so the folding of
 * a concatenation is the concatenation of the foldings. */
char *ui_text_fold(const char *s);
/* Case-insensitive substring match over UTF-8: needle's folding within haystack's. An empty needle
 * matches everything; NULL haystack matches nothing. */
bool ui_text_match(const char *haystack, const char *needle);

#endif
