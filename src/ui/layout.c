/* Column widths and cell emission, pure: no curses. */
#include "config.h"
#include "ui/layout.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

static int header_width(const struct ui_column *c)
{
	return c->header ? (int)text_width(_(c->header)) : 0;
}

static int needed(const int *widths, const bool *shown, const struct ui_column *cols, size_t n)
{
	int sum = 0, count = 0;
	for (size_t i = 0; i < n; i++)
		if (shown[i]) {
			sum += widths ? widths[i] : cols[i].min;
			count++;
		}
	return count ? sum + (count - 1) * UI_LAYOUT_GAP : 0;
}

/* The visible column to drop next: lowest keep, rightmost on a tie. */
static size_t drop_candidate(const struct ui_column *cols, size_t n, const bool *shown)
{
	size_t best = n;
	for (size_t i = 0; i < n; i++)
		if (shown[i] && (best == n || cols[i].keep <= cols[best].keep))
			best = i;
	return best;
}

size_t ui_layout_widths(const struct ui_column *given, size_t n, const int *want, int total, int *widths)
{
	if (n == 0)
		return 0;
	/* A column kept whole has its content's width as its min, within its max. */
	struct ui_column *cols = xcalloc(n, sizeof *cols);
	memcpy(cols, given, n * sizeof *cols);
	for (size_t i = 0; want && i < n; i++)
		if (cols[i].whole && want[i] > cols[i].min)
			cols[i].min = cols[i].max > 0 && want[i] > cols[i].max ? cols[i].max : want[i];
	bool *shown = xcalloc(n, sizeof *shown);
	int *desire = xcalloc(n, sizeof *desire);
	size_t visible = n;
	for (size_t i = 0; i < n; i++) {
		shown[i] = true;
		int d = want ? want[i] : cols[i].max ? cols[i].max : INT_MAX / 4;
		int h = header_width(&cols[i]);
		if (d < h)
			d = h;
		if (cols[i].max > 0 && d > cols[i].max)
			d = cols[i].max;
		if (d < cols[i].min)
			d = cols[i].min;
		desire[i] = d;
		widths[i] = 0;
	}
	if (total < 0)
		total = 0;
	while (visible > 1 && needed(NULL, shown, cols, n) > total) {
		shown[drop_candidate(cols, n, shown)] = false;
		visible--;
	}
	for (size_t i = 0; i < n; i++)
		if (shown[i])
			widths[i] = cols[i].min;
	if (visible == 1) {
		/* The last column standing is cut to the line, however narrow. */
		for (size_t i = 0; i < n; i++)
			if (shown[i] && widths[i] > total)
				widths[i] = total;
	}
	/* Short columns (with a max) first get what they want: a verdict or an age cut short says
	 * nothing. Then the open-ended ones share the rest one column at a time, so a long subject
	 * cannot starve the participants. */
	int left = total - needed(widths, shown, cols, n);
	for (size_t i = 0; i < n && left > 0; i++) {
		if (shown[i] && cols[i].max > 0 && widths[i] < desire[i]) {
			int more = desire[i] - widths[i] < left ? desire[i] - widths[i] : left;
			widths[i] += more;
			left -= more;
		}
	}
	bool grew = true;
	while (left > 0 && grew) {
		grew = false;
		for (size_t i = 0; i < n && left > 0; i++) {
			if (shown[i] && widths[i] < desire[i]) {
				widths[i]++;
				left--;
				grew = true;
			}
		}
	}
	free(shown);
	free(desire);
	free(cols);
	return visible;
}

static void put_cell(int x, int width, const char *text, int slot, enum ui_align align, ui_put_fn put, void *user)
{
	if (width <= 0)
		return;
	char *cut = text_truncate(text ? text : "", (size_t)width);
	size_t w = text_width(cut);
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	if (align == UI_ALIGN_RIGHT)
		for (size_t i = w; i < (size_t)width; i++)
			buf_add(&b, " ", 1);
	buf_adds(&b, cut);
	if (align != UI_ALIGN_RIGHT)
		for (size_t i = w; i < (size_t)width; i++)
			buf_add(&b, " ", 1);
	put(user, x, width, b.data, slot);
	buf_free(&b);
	free(cut);
}

void ui_layout_row(const struct ui_column *cols, size_t n, const int *widths, const struct ui_cell *cells,
		   ui_put_fn put, void *user)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (widths[i] <= 0)
			continue;
		put_cell(x, widths[i], cells[i].text, cells[i].slot, cols[i].align, put, user);
		x += widths[i] + UI_LAYOUT_GAP;
	}
}

void ui_layout_header(const struct ui_column *cols, size_t n, const int *widths, int slot, ui_put_fn put,
		      void *user)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (widths[i] <= 0)
			continue;
		put_cell(x, widths[i], cols[i].header ? _(cols[i].header) : "", slot, cols[i].align, put, user);
		x += widths[i] + UI_LAYOUT_GAP;
	}
}

void ui_layout_line(const char *text, int width, int slot, ui_put_fn put, void *user)
{
	put_cell(0, width, text, slot, UI_ALIGN_LEFT, put, user);
}

/* Whether towlower maps ASCII as tolower does in this locale, and nothing else (not so in a
 * Turkish one: I folds to dotless ı): then ASCII text can be folded byte by byte. */
static bool ascii_folds_plainly(void)
{
	/* Asked once (the locale is set before the console starts); the loader's thread asks too. */
	static atomic_int plain = -1;
	int known = atomic_load(&plain);
	if (known >= 0)
		return known;
	known = 1;
	for (int ch = 0; ch < 0x80 && known; ch++) {
		wint_t want = ch >= 'A' && ch <= 'Z' ? (wint_t)(ch - 'A' + 'a') : (wint_t)ch;
		if (towlower((wint_t)ch) != want)
			known = 0;
	}
	atomic_store(&plain, known);
	return known;
}

static void ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *ui_text_fold(const char *s)
{
	char *out;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && *p < 0x80)
		p++;
	if (!*p && ascii_folds_plainly()) {
		out = xstrdup(s);
		ascii_lower(out);
		return out;
	}
	size_t n = mbstowcs(NULL, s, 0);
	if (n == (size_t)-1) {
		/* The locale cannot decode it: ASCII letters fold, the rest stays as it is. */
		out = xstrdup(s);
		ascii_lower(out);
		return out;
	}
	wchar_t *w = xcalloc(n + 1, sizeof *w);
	mbstowcs(w, s, n + 1);
	for (size_t i = 0; i < n; i++)
		w[i] = (wchar_t)towlower((wint_t)w[i]);
	size_t len = wcstombs(NULL, w, 0);
	if (len == (size_t)-1) {
		out = xstrdup(s);
		ascii_lower(out);
	} else {
		out = xmalloc(len + 1);
		wcstombs(out, w, len + 1);
	}
	free(w);
	return out;
}

bool ui_text_match(const char *haystack, const char *needle)
{
	if (!needle || !*needle)
		return true;
	if (!haystack)
		return false;
	char *h = ui_text_fold(haystack), *nd = ui_text_fold(needle);
	bool found = strstr(h, nd) != NULL;
	free(h);
	free(nd);
	return found;
}
