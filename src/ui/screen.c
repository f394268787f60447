/* Curses: the one file that draws. Rows come from the views through the layout callback. */
#include "config.h"
#include "ui/screen.h"
#include "ui/colors.h"
#include "ui/view.h"
#include "ui/worker.h"
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
static int header_x[VIEW_MAX_COLUMNS], header_w[VIEW_MAX_COLUMNS];
static size_t header_n;
static bool can_address_cursor(void);

int screen_open(struct ui *ui, bool want_color, bool mouse, struct cs_error *err)
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
	/* A terminal that cannot move the cursor (TERM=dumb) would show a blank screen: say so. */
	if (!can_address_cursor()) {
		screen_close();
		return cs_fail(err, CS_EXIT_USAGE,
			       _("terminal type \"%s\" cannot move the cursor, so the console cannot draw (set TERM to your terminal, e.g. xterm-256color, or give a command: see chatsync --help)"),
			       term ? term : "");
	}
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES) {
		int cols = COLS, lines = LINES;
		screen_close();
		return cs_fail(err, CS_EXIT_USAGE,
			       _("the terminal is %dx%d; the console needs at least %dx%d (enlarge it, or give a command: see chatsync --help)"),
			       cols, lines, UI_MIN_COLS, UI_MIN_LINES);
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	/* Esc is a key here (back): do not wait a second for a sequence behind it. */
	set_escdelay(25);
	curs_set(0);
	if (mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
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
	/* title, (header), rows, key hints, status line */
	int h = LINES - 3 - (v->columns ? 1 : 0);
	v->height = h > 0 ? h : 0;
}

int screen_column_at(int x)
{
	for (size_t i = 0; i < header_n; i++)
		if (header_x[i] >= 0 && x >= header_x[i] && x < header_x[i] + header_w[i])
			return (int)i;
	return -1;
}

int screen_first_row(const struct view *v)
{
	return 1 + (v->columns ? 1 : 0);
}

struct put_ctx {
	int y;
	bool cursor;
	const char *filter;  /* the terms to highlight, NULL none */
};

/* Draws text at (y, x), the parts the filter's terms match in the match slot. */
static void put_highlighted(int y, int x, const char *text, attr_t base, const char *filter)
{
	attrset(base);
	mvaddstr(y, x, text);
	if (!filter || !*filter)
		return;
	char *copy = xstrdup(filter), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (t[0] == '!')
			continue;
		size_t tl = strlen(t);
		for (const char *at = strcasestr(text, t); at; at = strcasestr(at + tl, t)) {
			char *before = xstrndup(text, (size_t)(at - text)), *match = xstrndup(at, tl);
			attrset((attr_t)ui_color_attr(UI_COLOR_MATCH));
			mvaddstr(y, x + (int)text_width(before), match);
			free(before);
			free(match);
		}
	}
	free(copy);
	attrset(base);
}

static void put(void *user, int x, int width, const char *text, int slot)
{
	struct put_ctx *c = user;
	(void)width;
	put_highlighted(c->y, x, text, (attr_t)ui_color_attr(c->cursor ? UI_COLOR_CURSOR : (enum ui_color)slot),
			c->filter);
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

/* The end of s that fits in width columns, "…" in front when cut (breadcrumbs keep the view). */
static char *keep_end(const char *s, int width)
{
	if ((int)text_width(s) <= width)
		return xstrdup(s);
	const char *p = s;
	while (*p && (int)text_width(p) > width - 1) {
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
	return xasprintf("…%s", p);
}

/* The title: badges and breadcrumbs on the left (the views on the stack), the cache's age and
 * the profile on the right. */
static void draw_title(struct ui *ui)
{
	const struct conf_profile *p = ui->profile;
	cs_time newest = ui_data_newest_refresh(&ui->data);
	char age[32];
	char *cache = newest ? xasprintf(_("cache %s old"), view_age(newest, ui->data.now, age, sizeof age))
			     : xstrdup(_("cache never refreshed"));
	char *who = !p ? xstrdup(_("no profile"))
		  : p->tenant && COLS >= 100 ? xasprintf(_("profile %s (%s)"), p->name, p->tenant)
		  : xasprintf(_("profile %s"), p->name);
	char *right = COLS >= 72 ? xasprintf("%s · %s", cache, who) : xstrdup(cache);
	char *safe_right = text_sanitize(right);
	struct buf crumbs;
	buf_init(&crumbs);
	buf_adds(&crumbs, "chatsync");
	if (ui->cfg->demo)
		buf_adds(&crumbs, _(" [DEMO]"));
	if (ui->cfg->readonly)
		buf_adds(&crumbs, _(" [READ-ONLY]"));
	for (size_t i = 0; i < ui->depth; i++)
		buf_printf(&crumbs, " › %s", ui->stack[i]->title);
	int room = COLS - (int)text_width(safe_right) - 1;
	char *left = keep_end(crumbs.data, room > 8 ? room : 8);
	draw_bar(0, left, room > 8 ? safe_right : NULL, UI_COLOR_TITLE);
	if (ui->cfg->readonly) {
		/* The badge stands out when it is on screen. */
		const char *badge = _("[READ-ONLY]");
		char *at = strstr(left, badge);
		if (at) {
			char *before = xstrndup(left, (size_t)(at - left));
			attrset((attr_t)ui_color_attr(UI_COLOR_BADGE));
			mvaddstr(0, (int)text_width(before), badge);
			free(before);
		}
	}
	free(left);
	buf_free(&crumbs);
	free(safe_right);
	free(right);
	free(who);
	free(cache);
}

/* The one-line key hints above the status line, for the mode the loop is in. */
static void draw_hints(struct ui *ui)
{
	const char *hints;
	switch (ui->mode) {
	case UI_MODE_COMMAND: hints = _("Enter run · Tab complete · ↑↓ history · Esc cancel"); break;
	case UI_MODE_FILTER: hints = _("words must all match · !word excludes · Enter keep · Esc undo"); break;
	case UI_MODE_ASK: hints = ui->ask == WORKER_ASK_CONFIRM ? _("y yes · n no") : _("Enter answer · Esc cancel"); break;
	case UI_MODE_DEVICE: hints = _("sign in in a browser · Esc cancel"); break;
	default: hints = COLS >= 60 ? _("? help  / filter  : command  q back  s sort  L log") : _("? help / filter : cmd q back"); break;
	}
	struct put_ctx c = { .y = LINES - 2 };
	fill(c.y, UI_COLOR_DIM);
	ui_layout_line(hints, COLS, UI_COLOR_DIM, put, &c);
}

static void draw_status(struct ui *ui)
{
	struct view *v = ui_top(ui);
	if (ui->mode == UI_MODE_COMMAND || ui->mode == UI_MODE_FILTER) {
		char *line = xasprintf("%s%s", ui->mode == UI_MODE_COMMAND ? ":" : "/", ui->line.data);
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
		free(safe);
		free(line);
		return;
	}
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
	if (ui->loader) {
		/* The chats are read and diagnosed in one pass: until it ends, the verdicts shown are old
		 * (or not there yet). */
		size_t done, total;
		ui_loader_progress(ui->loader, &done, &total);
		if (done > total)
			total = done;
		char *both = xasprintf(_("loading and diagnosing chats %zu/%zu  %s"), done,
				       total ? total : ui_data_chat_total(&ui->data), pos);
		snprintf(pos, sizeof pos, "%s", both);
		free(both);
	}
	/* The latest message leads; a refresh's progress when there is none. */
	const char *left = ui->message ? ui->message : ui->progress;
	char *desc = NULL;
	if (!left && v) {
		const char *d = v->ops->describe ? v->ops->describe(v) : NULL;
		if (v->filter && *v->filter)
			desc = d ? xasprintf(_("filter: %s · %s"), v->filter, d) : xasprintf(_("filter: %s"), v->filter);
		else if (d)
			desc = xstrdup(d);
		left = desc;
	}
	enum ui_color slot = ui->message ? (enum ui_color)ui->message_slot : UI_COLOR_STATUS;
	char *safe = left ? text_sanitize(left) : NULL;
	int room = COLS - (int)text_width(pos) - 1;
	if (safe && ui->message && (int)text_width(safe) > room && room > 12) {
		/* Cut: say where the whole message is. */
		const char *more = _(" …(L: log)");
		char *cut = text_truncate(safe, (size_t)(room - (int)text_width(more)));
		free(safe);
		safe = xasprintf("%s%s", cut, more);
		free(cut);
	}
	draw_bar(LINES - 1, safe, pos, slot);
	free(safe);
	free(desc);
}

static void draw_view(struct view *v)
{
	int widths[VIEW_MAX_COLUMNS] = { 0 };
	int y = 1;
	const char *filter = v->ops->flags & VIEW_SCROLL || !v->filter ? v->filter : v->filter;
	if (v->columns) {
		int want[VIEW_MAX_COLUMNS] = { 0 };
		if (v->ops->want)
			v->ops->want(v, want);
		/* The sorted column carries its marker in the header. */
		struct ui_column cols[VIEW_MAX_COLUMNS];
		char *marked = NULL;
		memcpy(cols, v->columns, v->n_columns * sizeof *cols);
		if (v->sort_col >= 0 && (size_t)v->sort_col < v->n_columns) {
			marked = xasprintf("%s%s", _(cols[v->sort_col].header), v->sort_reverse ? "▲" : "▼");
			cols[v->sort_col].header = marked;
		}
		ui_layout_widths(cols, v->n_columns, v->ops->want ? want : NULL, COLS, widths);
		/* Where each column is, for a click on its header. */
		int x = 0;
		for (size_t i = 0; i < v->n_columns; i++) {
			header_x[i] = widths[i] > 0 ? x : -1;
			header_w[i] = widths[i];
			if (widths[i] > 0)
				x += widths[i] + UI_LAYOUT_GAP;
		}
		header_n = v->n_columns;
		struct put_ctx c = { .y = y++ };
		fill(c.y, UI_COLOR_HEADER);
		ui_layout_header(cols, v->n_columns, widths, UI_COLOR_HEADER, put, &c);
		free(marked);
	}
	if (v->lines == 0) {
		struct put_ctx c = { .y = y };
		const char *why = (v->ops->flags & VIEW_CHATS) && !v->ui->data.loaded ? view_chats_wait(v->ui)
			: v->filter && *v->filter ? _("nothing matches the filter (Esc clears it)")
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
		struct put_ctx c = { .y = y + i, .cursor = !(v->ops->flags & VIEW_SCROLL) && row == v->lineno,
				     .filter = filter };
		if (c.cursor)
			fill(c.y, UI_COLOR_CURSOR);
		if (r.span || !v->columns)
			ui_layout_line(r.cells[0].text, COLS, r.cells[0].slot, put, &c);
		else
			ui_layout_row(v->columns, v->n_columns, widths, r.cells, put, &c);
	}
}

/* Adds text to lines, word-wrapped to width (a word longer than width is cut into pieces). */
static void wrap(struct buf *lines, size_t *n, const char *text, int width)
{
	char *copy = xstrdup(text), *save = NULL;
	struct buf line;
	buf_init(&line);
	buf_add(&line, "", 0);
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (line.len && (int)(text_width(line.data) + 1 + text_width(w)) > width) {
			buf_add(lines, line.data, line.len + 1);
			(*n)++;
			line.len = 0;
			line.data[0] = '\0';
		}
		while ((int)text_width(w) > width) {
			char *piece = text_truncate(w, (size_t)width);
			size_t take = strlen(piece);
			/* text_truncate ends a cut with "…": take the bytes before it. */
			if (take >= 3 && strcmp(piece + take - 3, "…") == 0)
				take -= 3;
			if (take == 0)
				take = 1;
			char *part = xstrndup(w, take);
			buf_add(lines, part, strlen(part) + 1);
			(*n)++;
			free(part);
			free(piece);
			w += take;
		}
		if (line.len)
			buf_add(&line, " ", 1);
		buf_adds(&line, w);
	}
	if (line.len) {
		buf_add(lines, line.data, line.len + 1);
		(*n)++;
	}
	buf_free(&line);
	free(copy);
}

static const char *rsc_words(int state)
{
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS: return _("enabled for all apps");
	case CS_RSC_MANAGED_BY_MICROSOFT: return _("managed by Microsoft");
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY: return _("enabled for pre-approved apps only");
	case CS_RSC_DISABLED_FOR_ALL_APPS: return _("disabled for all apps (chats cannot be synced)");
	case CS_RSC_CUSTOM: return _("custom policy");
	default: return _("not known (never read: press r)");
	}
}

/* The dialog's paragraphs, one string each (caller frees). */
static size_t dialog_text(struct ui *ui, char **out, char **title)
{
	size_t n = 0;
	const struct worker_plan *p = &ui->plan;
	if (ui->mode == UI_MODE_DEVICE) {
		*title = xstrdup(_("Sign in to Microsoft"));
		out[n++] = xasprintf(_("1. Open: %s"), ui->device_uri ? ui->device_uri : "?");
		out[n++] = xasprintf(_("2. Enter the code: %s"), ui->device_code ? ui->device_code : "?");
		if (ui->device_msg)
			out[n++] = xstrdup(ui->device_msg);
		out[n++] = xstrdup(_("This closes by itself when you have signed in. Esc cancels."));
		return n;
	}
	if (ui->ask == WORKER_ASK_PASSPHRASE) {
		*title = xstrdup(_("Passphrase"));
		out[n++] = xasprintf(_("The key %s is protected by a passphrase."), ui->ask_what ? ui->ask_what : "");
		char *stars = xcalloc(ui->line.len + 1, 1);
		memset(stars, '*', ui->line.len);
		out[n++] = xasprintf(_("Passphrase: %s"), stars);
		free(stars);
		return n;
	}
	const char *from = p->old == CS_TRUE ? _("ON") : p->old == CS_FALSE ? _("OFF") : _("UNKNOWN");
	*title = p->want ? xasprintf(_("Turn sync ON for %s?"), p->env ? p->env : "?")
			 : xasprintf(_("Turn sync OFF for %s?"), p->env ? p->env : "?");
	if (p->round)
		out[n++] = xstrdup(_("The setting changed since it was read; here it is as it is now."));
	out[n++] = xasprintf(_("Environment: %s (%s)%s%s"), p->env ? p->env : "?", p->friendly ? p->friendly : "",
			     p->purpose ? ", " : "", p->purpose ? p->purpose : "");
	out[n++] = xasprintf(_("Sync Teams chat data with Dynamics 365 records: %s → %s"), from,
			     p->want ? _("ON") : _("OFF"));
	if (p->want)
		out[n++] = p->unrecorded
				   ? xasprintf(ngettext("%zu connected chat has no activity row and will not sync until it is connected again.",
							"%zu connected chats have no activity row and will not sync until they are connected again.",
							p->unrecorded), p->unrecorded)
				   : xstrdup(_("Every connected chat has its activity row: all will sync."));
	else
		out[n++] = xstrdup(_("No chat of this environment will sync until it is turned on again."));
	out[n++] = xasprintf(_("Tenant chat RSC: %s"), rsc_words(p->rsc_state));
	out[n++] = xasprintf(p->delegated ? _("Signed in as: %s") : _("Signed in as the app: %s"),
			     p->identity ? p->identity : "?");
	if (ui->ask == WORKER_ASK_NAME) {
		out[n++] = xasprintf(p->want ? _("Production: type %s and Enter to turn sync ON (Esc cancels).")
					     : _("Production: type %s and Enter to turn sync OFF (Esc cancels)."),
				     p->env ? p->env : "?");
		out[n++] = xasprintf("> %s", ui->line.data);
	} else {
		out[n++] = xstrdup(p->want ? _("y turns sync ON, n leaves it. [y/N]") : _("y turns sync OFF, n leaves it. [y/N]"));
	}
	return n;
}

/* A question or a sign-in, in a box over the view: every word of it on screen. */
static void draw_dialog(struct ui *ui)
{
	char *paras[16], *title = NULL;
	size_t np = dialog_text(ui, paras, &title);
	int w = COLS - 4 > 76 ? 76 : COLS - 4;
	struct buf lines;
	buf_init(&lines);
	size_t nl = 0;
	for (size_t i = 0; i < np; i++) {
		char *safe = text_sanitize(paras[i]);
		wrap(&lines, &nl, safe, w - 2);
		free(safe);
		free(paras[i]);
	}
	int h = (int)nl + 2;
	if (h > LINES - 2)
		h = LINES - 2;
	int top = (LINES - h) / 2, left = (COLS - w) / 2;
	attrset((attr_t)ui_color_attr(UI_COLOR_DEFAULT));
	for (int y = top; y < top + h; y++)
		mvhline(y, left, ' ', w);
	attrset(A_BOLD);
	mvhline(top, left, ACS_HLINE, w);
	mvhline(top + h - 1, left, ACS_HLINE, w);
	mvvline(top, left, ACS_VLINE, h);
	mvvline(top, left + w - 1, ACS_VLINE, h);
	mvaddch(top, left, ACS_ULCORNER);
	mvaddch(top, left + w - 1, ACS_URCORNER);
	mvaddch(top + h - 1, left, ACS_LLCORNER);
	mvaddch(top + h - 1, left + w - 1, ACS_LRCORNER);
	char *t = text_truncate(title, (size_t)(w - 4));
	mvaddstr(top, left + 2, t);
	free(t);
	attrset(A_NORMAL);
	/* Keep the end (the question) when the screen is too short for all of it. */
	int show = h - 2;
	size_t skip = nl > (size_t)show ? nl - (size_t)show : 0;
	const char *l = lines.data;
	for (size_t i = 0; i < nl; i++) {
		if (i >= skip)
			mvaddstr(top + 1 + (int)(i - skip), left + 1, l);
		l += strlen(l) + 1;
	}
	buf_free(&lines);
	free(title);
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
	draw_hints(ui);
	draw_status(ui);
	if (ui->mode == UI_MODE_ASK || ui->mode == UI_MODE_DEVICE)
		draw_dialog(ui);
	attrset(A_NORMAL);
	if (ui->mode == UI_MODE_COMMAND || ui->mode == UI_MODE_FILTER) {
		int x = (int)text_width(ui->line.data) + 1;
		move(LINES - 1, x < COLS ? x : COLS - 1);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
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

/* terminfo's names (lines, columns, ...) are macros that would shadow this file's words: it is
 * included here, after everything else. */
#include <term.h>

static bool can_address_cursor(void)
{
	const char *cup = tigetstr("cup");
	return cup && cup != (const char *)-1;
}
