/* Connected chats of one environment (or all): state, sync status, idle time, the verdict of
 * the diagnosis, subject and participants. Oldest first; any column sorts (s, :sort), `f` cycles
 * the state filter, `/` filters by text. Enter opens the diagnosis. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_STATE, COL_SYNC, COL_IDLE, COL_VERDICT, COL_ENV, COL_SUBJECT, COL_PARTICIPANTS, N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_STATE] = { N_("STATE"), 11, 11, 5, UI_ALIGN_LEFT, false },
	[COL_SYNC] = { N_("SYNC"), 7, 11, 4, UI_ALIGN_LEFT, false },
	[COL_IDLE] = { N_("IDLE"), 6, 9, 8, UI_ALIGN_RIGHT, false },
	[COL_VERDICT] = { N_("VERDICT"), 11, 11, 9, UI_ALIGN_LEFT, false },
	[COL_ENV] = { N_("ENV"), 6, 20, 3, UI_ALIGN_LEFT, false },
	[COL_SUBJECT] = { N_("SUBJECT"), 8, 0, 10, UI_ALIGN_LEFT, false },
	[COL_PARTICIPANTS] = { N_("PARTICIPANTS"), 8, 0, 2, UI_ALIGN_LEFT, false },
};

/* One environment's chats: the same columns without the environment. */
static const struct ui_column env_columns[N_COLS - 1] = {
	{ N_("STATE"), 11, 11, 5, UI_ALIGN_LEFT, false },
	{ N_("SYNC"), 7, 11, 4, UI_ALIGN_LEFT, false },
	{ N_("IDLE"), 6, 9, 8, UI_ALIGN_RIGHT, false },
	{ N_("VERDICT"), 11, 11, 9, UI_ALIGN_LEFT, false },
	{ N_("SUBJECT"), 8, 0, 10, UI_ALIGN_LEFT, false },
	{ N_("PARTICIPANTS"), 8, 0, 2, UI_ALIGN_LEFT, false },
};

/* p->env when the environment of the view left the cache on a reload: no chat matches it. */
#define ENV_GONE ((size_t)-2)

enum state_filter { SHOW_ALL, SHOW_OPEN, SHOW_INACTIVE, SHOW_NOT_SYNCING, SHOW_AT_RISK, SHOW_COUNT };

struct chats {
	size_t env;          /* index into data.envs, UI_NO_ENV for every environment, or ENV_GONE */
	char *env_id;        /* owned: finds env again after a reload */
	char *env_name;      /* owned: sanitised unique name, for the title */
	size_t *order;       /* the environment's chats (indices into data.chats) in the sort's order */
	size_t n_order;
	bool ordered;        /* order is current (the data, the sort and the environment are as it was made) */
	size_t *rows;        /* order less what the state filter and the filter leave out */
	char *rows_filter;   /* owned: the filter rows were made with (NULL none) */
	enum state_filter rows_show;
	bool rows_valid;     /* rows hold the matches of rows_filter and rows_show over order */
	enum state_filter show;
	int want[VIEW_MAX_COLUMNS]; /* the widths the first rows want, measured at want_now */
	cs_time want_now;
	bool want_valid;     /* the rows are the ones measured */
	char *selected;      /* key of the selected chat while the rows are rebuilt */
	char describe[160];
};

static const char *show_name(enum state_filter f)
{
	switch (f) {
	case SHOW_OPEN: return _("open");
	case SHOW_INACTIVE: return _("inactive");
	case SHOW_NOT_SYNCING: return _("not syncing");
	case SHOW_AT_RISK: return _("at risk");
	default: return _("all");
	}
}

/* The filter, ready for many rows: each term folded, and whether it is in the text of each verdict
 * and state (a handful of words, matched once per key rather than once per chat). */
#define N_VERDICT_TEXTS 6
#define N_STATE_TEXTS 6
struct compiled {
	struct view_filter f;
	bool (*in_verdict)[N_VERDICT_TEXTS];
	bool (*in_state)[N_STATE_TEXTS];
};

/* The verdict's and the state's slot in those tables: one per word shown, the last for any other. */
static int verdict_slot(int v)
{
	return v >= UI_VERDICT_PENDING && v <= DIAG_VERDICT_UNKNOWN ? v + 1 : N_VERDICT_TEXTS - 1;
}

static int state_slot(int st)
{
	return st >= CS_STATE_NOT_RECORDED && st <= CS_STATE_SCHEDULED ? st + 1 : N_STATE_TEXTS - 1;
}

static void compile(struct compiled *c, const char *filter)
{
	view_filter_parse(&c->f, filter);
	c->in_verdict = xcalloc(c->f.n + 1, sizeof *c->in_verdict);
	c->in_state = xcalloc(c->f.n + 1, sizeof *c->in_state);
	for (size_t t = 0; t < c->f.n; t++) {
		for (int v = UI_VERDICT_PENDING; v <= DIAG_VERDICT_UNKNOWN + 1; v++)
			c->in_verdict[t][verdict_slot(v)] = ui_text_match(ui_verdict_text(v), c->f.terms[t].text);
		for (int st = CS_STATE_NOT_RECORDED; st <= CS_STATE_SCHEDULED + 1; st++)
			c->in_state[t][state_slot(st)] = ui_text_match(ui_state_text(st), c->f.terms[t].text);
	}
}

static void uncompile(struct compiled *c)
{
	view_filter_free(&c->f);
	free(c->in_verdict);
	free(c->in_state);
}

/* view_filter_match over subject, chat id, participants, verdict and state, from the folded text. */
static bool matches(const struct compiled *m, const struct ui_chat *c)
{
	for (size_t t = 0; t < m->f.n; t++) {
		bool found = m->in_verdict[t][verdict_slot(c->verdict)] || m->in_state[t][state_slot(c->state)] ||
			     strstr(c->folded, m->f.terms[t].folded) != NULL;
		if (found == m->f.terms[t].negate)
			return false;
	}
	return true;
}

static bool shown(const struct chats *p, const struct ui_chat *c, const struct compiled *m)
{
	switch (p->show) {
	case SHOW_OPEN: if (c->state != CS_STATE_OPEN) return false; break;
	case SHOW_INACTIVE:
		if (c->state != CS_STATE_COMPLETED && c->state != CS_STATE_CANCELED)
			return false;
		break;
	case SHOW_NOT_SYNCING: if (c->verdict != DIAG_VERDICT_NOT_SYNCING) return false; break;
	case SHOW_AT_RISK: if (c->verdict != DIAG_VERDICT_AT_RISK) return false; break;
	default: break;
	}
	return matches(m, c);
}

/* Worst first: what needs attention leads. Pending verdicts go last until they arrive. */
static int verdict_rank(int v)
{
	switch (v) {
	case DIAG_VERDICT_NOT_SYNCING: return 0;
	case DIAG_VERDICT_AT_RISK: return 1;
	case DIAG_VERDICT_UNKNOWN: return 2;
	case DIAG_VERDICT_SYNCING: return 3;
	default: return 4;
	}
}

/* qsort has no user pointer; the sort runs on one thread, inside one call. */
static const struct ui_data *sort_data;
static int sort_by;   /* a column of the all-environments table */

static int cmp_idle(const struct ui_chat *a, const struct ui_chat *b)
{
	/* Oldest first; chats whose last update is unknown go last, as the cache lists them. */
	if (!a->modified != !b->modified)
		return a->modified ? -1 : 1;
	return a->modified < b->modified ? -1 : a->modified > b->modified;
}

static int cmp_rows(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct ui_chat *a = &sort_data->chats[ia], *b = &sort_data->chats[ib];
	int r = 0;
	switch (sort_by) {
	case COL_STATE: r = a->state - b->state; break;
	case COL_SYNC: r = a->sync_status - b->sync_status; break;
	case COL_VERDICT: r = verdict_rank(a->verdict) - verdict_rank(b->verdict); break;
	case COL_ENV: r = (a->env > b->env) - (a->env < b->env); break;
	case COL_SUBJECT: r = strcoll(*a->subject ? a->subject : a->chat_id, *b->subject ? b->subject : b->chat_id); break;
	case COL_PARTICIPANTS: r = strcoll(a->participants, b->participants); break;
	default: break;
	}
	if (!r)
		r = cmp_idle(a, b);
	return r ? r : (ia > ib) - (ia < ib);
}

/* The column of the all-environments table that v's column col is. */
static int logical_col(const struct view *v, int col)
{
	const struct chats *p = v->priv;
	return p->env == UI_NO_ENV || col < COL_ENV ? col : col + 1;
}

static void save_selection(struct view *v)
{
	struct chats *p = v->priv;
	if (!v->ui->data.loaded)
		return; /* nothing listed: what was selected before still is */
	free(p->selected);
	p->selected = v->lineno < v->lines ? xstrdup(v->ui->data.chats[p->rows[v->lineno]].key) : NULL;
}

/* The environment's chats in the sort's order: made again only when the data, the sort or the
 * environment change, never for a filter. */
static void order(struct view *v)
{
	struct chats *p = v->priv;
	const struct ui_data *d = &v->ui->data;
	free(p->order);
	p->order = xcalloc(d->n_chats ? d->n_chats : 1, sizeof *p->order);
	p->n_order = 0;
	for (size_t i = 0; i < d->n_chats; i++)
		if (p->env == UI_NO_ENV || d->chats[i].env == p->env)
			p->order[p->n_order++] = i;
	sort_data = d;
	sort_by = logical_col(v, v->sort_col);
	qsort(p->order, p->n_order, sizeof *p->order, cmp_rows);
	if (v->sort_reverse)
		for (size_t i = 0; i < p->n_order / 2; i++) {
			size_t t = p->order[i];
			p->order[i] = p->order[p->n_order - 1 - i];
			p->order[p->n_order - 1 - i] = t;
		}
	p->ordered = true;
	p->rows_valid = false;
}

static void rebuild(struct view *v)
{
	struct chats *p = v->priv;
	const struct ui_data *d = &v->ui->data;
	p->want_valid = false;
	if (!p->selected)
		save_selection(v);
	if (!d->loaded) {
		/* Nothing to list until the chats are in; the selection waits for them. */
		v->lines = 0;
		p->rows_valid = p->ordered = false;
		view_clamp(v);
		return;
	}
	if (!p->ordered)
		order(v);
	const char *filter = v->filter && *v->filter ? v->filter : NULL;
	/* Typing on at the end of the filter only narrows it: look at what matched a key ago. */
	bool narrower = p->rows_valid && p->rows_show == p->show && view_filter_narrows(p->rows_filter, filter);
	const size_t *from = narrower ? p->rows : p->order;
	size_t n_from = narrower ? v->lines : p->n_order;
	if (!narrower) {
		free(p->rows);
		p->rows = xcalloc(p->n_order ? p->n_order : 1, sizeof *p->rows);
	}
	struct compiled m;
	compile(&m, filter);
	size_t n = 0;
	for (size_t i = 0; i < n_from; i++)
		if (shown(p, &d->chats[from[i]], &m))
			p->rows[n++] = from[i]; /* n <= i: in place when from is rows */
	uncompile(&m);
	v->lines = n;
	free(p->rows_filter);
	p->rows_filter = filter ? xstrdup(filter) : NULL;
	p->rows_show = p->show;
	p->rows_valid = true;
	for (size_t i = 0; p->selected && i < v->lines; i++)
		if (strcmp(d->chats[p->rows[i]].key, p->selected) == 0) {
			v->lineno = i;
			break;
		}
	free(p->selected);
	p->selected = NULL;
	view_clamp(v);
}

static void set_title(struct view *v)
{
	struct chats *p = v->priv;
	free(v->title);
	v->title = p->env == UI_NO_ENV ? xstrdup(_("Chats: all environments"))
		 : p->env == ENV_GONE ? xasprintf(_("Chats: %s (no longer in the cache)"), p->env_name)
		 : xasprintf(_("Chats: %s"), p->env_name);
}

static int chats_open(struct view *v, const char *arg, struct cs_error *err)
{
	struct chats *p = xcalloc(1, sizeof *p);
	p->env = UI_NO_ENV;
	if (arg) {
		p->env = ui_data_find_env(&v->ui->data, arg);
		if (p->env == UI_NO_ENV) {
			free(p);
			return cs_fail(err, CS_EXIT_USAGE, _("no environment \"%s\" in the cache (see the environments view)"),
				       arg);
		}
		p->env_id = xstrdup(v->ui->data.envs[p->env].env.id ? v->ui->data.envs[p->env].env.id : arg);
		p->env_name = xstrdup(v->ui->data.envs[p->env].name);
	}
	v->priv = p;
	v->columns = p->env == UI_NO_ENV ? columns : env_columns;
	v->n_columns = p->env == UI_NO_ENV ? N_COLS : N_COLS - 1;
	v->sort_col = COL_IDLE; /* oldest first: what is nearest its limit, or past it, leads */
	set_title(v);
	rebuild(v);
	return 0;
}

static void chats_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct chats *p = v->priv;
	const struct ui_data *d = &v->ui->data;
	const struct ui_chat *c = &d->chats[p->rows[lineno]];
	struct ui_cell *cell = out->cells;
	cell[COL_STATE].text = ui_state_text(c->state);
	if (c->state == CS_STATE_COMPLETED || c->state == CS_STATE_CANCELED || c->state == CS_STATE_NOT_RECORDED)
		cell[COL_STATE].slot = UI_COLOR_DIM;
	cell[COL_SYNC].text = ui_sync_status_text(c->sync_status);
	if (c->sync_status == CS_SYNC_NOT_ENABLED)
		cell[COL_SYNC].slot = UI_COLOR_SYNC_OFF;
	char age[32];
	view_scratch(out, COL_IDLE, "%s", c->modified ? view_age(c->modified, d->now, age, sizeof age) : _("never"));
	cell[COL_VERDICT].text = ui_verdict_text(c->verdict);
	cell[COL_VERDICT].slot = ui_verdict_slot(c->verdict);
	/* One environment's table has no environment column: the rest move left by one. */
	size_t at = COL_ENV;
	if (p->env == UI_NO_ENV)
		cell[at++].text = c->env != UI_NO_ENV ? d->envs[c->env].name : "?";
	cell[at++].text = *c->subject ? c->subject : c->chat_id;
	cell[at].text = c->participants;
}

static void chats_want(struct view *v, int *want)
{
	struct chats *p = v->priv;
	/* The same rows at the same second measure the same: a key that only moves (a page down)
	 * measures nothing. */
	if (p->want_valid && p->want_now == v->ui->data.now) {
		memcpy(want, p->want, v->n_columns * sizeof *want);
		return;
	}
	struct view_row row;
	for (size_t c = 0; c < v->n_columns; c++)
		want[c] = 0;
	/* Measuring every row of a large tenant on each redraw would cost more than it gives:
	 * the first few hundred rows tell the widths well enough. */
	size_t n = v->lines < 500 ? v->lines : 500;
	for (size_t i = 0; i < n; i++) {
		memset(&row, 0, sizeof row);
		chats_row(v, i, &row);
		for (size_t c = 0; c < v->n_columns; c++) {
			int w = row.cells[c].text ? (int)text_width(row.cells[c].text) : 0;
			if (w > want[c])
				want[c] = w;
		}
	}
	/* Verdicts arrive while the view is open: keep room for the longest. */
	int vw = (int)text_width(ui_verdict_text(DIAG_VERDICT_NOT_SYNCING));
	if (want[COL_VERDICT] < vw)
		want[COL_VERDICT] = vw;
	memcpy(p->want, want, v->n_columns * sizeof *want);
	p->want_now = v->ui->data.now;
	p->want_valid = true;
}

static struct ui_action chats_request(struct view *v, enum ui_request req)
{
	struct chats *p = v->priv;
	switch (req) {
	case UI_REQ_ENTER:
		if (v->lineno >= v->lines) {
			ui_message(v->ui, UI_COLOR_STATUS, "%s", _("no chat selected"));
			return UI_ACTION(UI_ACT_DONE);
		}
		return UI_OPEN(&view_diag_ops, v->ui->data.chats[p->rows[v->lineno]].key);
	case UI_REQ_STATE_FILTER:
		p->show = (p->show + 1) % SHOW_COUNT;
		rebuild(v);
		ui_message(v->ui, UI_COLOR_STATUS, _("showing %s chats"), show_name(p->show));
		return UI_ACTION(UI_ACT_DONE);
	default:
		return UI_ACTION(UI_ACT_PASS);
	}
}

static void chats_sort(struct view *v, int col)
{
	struct chats *p = v->priv;
	v->sort_reverse = v->sort_col == col ? !v->sort_reverse : false;
	v->sort_col = col;
	p->ordered = false;
	rebuild(v);
}

static void chats_update(struct view *v, enum view_update why)
{
	struct chats *p = v->priv;
	switch (why) {
	case VIEW_UPDATE_SAVE:
		save_selection(v);
		break;
	case VIEW_UPDATE_RELOADED:
		if (p->env != UI_NO_ENV) {
			p->env = ui_data_find_env(&v->ui->data, p->env_id);
			/* The environment left the cache: show nothing rather than every chat. */
			if (p->env == UI_NO_ENV)
				p->env = ENV_GONE;
		}
		set_title(v);
		p->ordered = false;
		rebuild(v);
		break;
	default:
		break;
	}
}

static const char *chats_describe(struct view *v)
{
	struct chats *p = v->priv;
	if (p->show == SHOW_ALL)
		return NULL;
	snprintf(p->describe, sizeof p->describe, _("showing: %s (f changes it)"), show_name(p->show));
	return p->describe;
}

static void chats_done(struct view *v)
{
	struct chats *p = v->priv;
	if (p) {
		free(p->order);
		free(p->rows_filter);
		free(p->rows);
		free(p->env_id);
		free(p->env_name);
		free(p->selected);
	}
	free(p);
}

const struct view_ops view_chats_ops = {
	.name = N_("Chats"),
	.flags = VIEW_CHATS,
	.empty = N_("no connected chats here (f cycles the state filter; chatsync refresh fetches them)"),
	.open = chats_open,
	.row = chats_row,
	.request = chats_request,
	.filter = rebuild,
	.update = chats_update,
	.want = chats_want,
	.describe = chats_describe,
	.sort = chats_sort,
	.done = chats_done,
};
