/* The start view: one line per environment with its sync setting, inactivity limit, chats and
 * how many of them the diagnosis says are not syncing or at risk. Enter opens its chats. */
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

enum { COL_NAME, COL_FRIENDLY, COL_SYNC, COL_LIMIT, COL_CHATS, COL_NOT_SYNCING, COL_AT_RISK, COL_REFRESHED,
       N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_NAME] = { N_("ENVIRONMENT"), 8, 32, 10, UI_ALIGN_LEFT, true },
	[COL_FRIENDLY] = { N_("NAME"), 8, 30, 3, UI_ALIGN_LEFT, false },
	[COL_SYNC] = { N_("SYNC"), 3, 7, 9, UI_ALIGN_LEFT, false },
	[COL_LIMIT] = { N_("LIMIT"), 4, 6, 4, UI_ALIGN_RIGHT, false },
	[COL_CHATS] = { N_("CHATS"), 4, 6, 6, UI_ALIGN_RIGHT, false },
	[COL_NOT_SYNCING] = { N_("NOT SYNCING"), 4, 11, 8, UI_ALIGN_RIGHT, false },
	[COL_AT_RISK] = { N_("AT RISK"), 4, 7, 7, UI_ALIGN_RIGHT, false },
	[COL_REFRESHED] = { N_("REFRESHED"), 8, 0, 5, UI_ALIGN_LEFT, false },
};

struct envs {
	size_t *rows;       /* indices into ui->data.envs that pass the filter */
	char *selected;     /* id of the selected environment while the data is replaced */
	char *describe;     /* the status line's words, owned */
};

static void save_selection(struct view *v)
{
	struct envs *p = v->priv;
	free(p->selected);
	p->selected = v->lineno < v->lines ? xstrdup(v->ui->data.envs[p->rows[v->lineno]].env.id) : NULL;
}

/* qsort has no user pointer; the sort runs on one thread, inside one call. */
static const struct ui_data *sort_data;
static int sort_col;

static int cmp_envs(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct ui_env *a = &sort_data->envs[ia], *b = &sort_data->envs[ib];
	int r = 0;
	switch (sort_col) {
	case COL_FRIENDLY: r = strcoll(a->friendly, b->friendly); break;
	case COL_SYNC: r = a->env.sync_enabled - b->env.sync_enabled; break;
	case COL_LIMIT: r = cs_env_inactivity_days(&a->env) - cs_env_inactivity_days(&b->env); break;
	case COL_CHATS: r = (a->n_chats > b->n_chats) - (a->n_chats < b->n_chats); break;
	case COL_NOT_SYNCING: r = (a->not_syncing > b->not_syncing) - (a->not_syncing < b->not_syncing); break;
	case COL_AT_RISK: r = (a->at_risk > b->at_risk) - (a->at_risk < b->at_risk); break;
	case COL_REFRESHED: r = (a->env.refreshed_at > b->env.refreshed_at) - (a->env.refreshed_at < b->env.refreshed_at); break;
	default: r = strcoll(a->name, b->name); break;
	}
	return r ? r : (ia > ib) - (ia < ib);
}

static void sort_rows(struct view *v, size_t *rows, size_t n)
{
	if (v->sort_col < 0)
		return; /* the cache's order */
	sort_data = &v->ui->data;
	sort_col = v->sort_col;
	qsort(rows, n, sizeof *rows, cmp_envs);
	if (v->sort_reverse)
		for (size_t i = 0; i < n / 2; i++) {
			size_t t = rows[i];
			rows[i] = rows[n - 1 - i];
			rows[n - 1 - i] = t;
		}
}

static void rebuild(struct view *v)
{
	struct envs *p = v->priv;
	struct ui_data *d = &v->ui->data;
	/* Keep the selection on the same environment when the filter or the data changes. */
	if (!p->selected)
		save_selection(v);
	free(p->rows);
	p->rows = xcalloc(d->n_envs ? d->n_envs : 1, sizeof *p->rows);
	v->lines = 0;
	for (size_t i = 0; i < d->n_envs; i++) {
		const struct ui_env *e = &d->envs[i];
		const char *fields[] = { e->name, e->friendly, ui_tristate_text(e->env.sync_enabled) };
		if (!view_filter_match(v->filter, fields, 3))
			continue;
		p->rows[v->lines++] = i;
	}
	sort_rows(v, p->rows, v->lines);
	for (size_t i = 0; p->selected && i < v->lines; i++)
		if (d->envs[p->rows[i]].env.id && strcmp(d->envs[p->rows[i]].env.id, p->selected) == 0)
			v->lineno = i;
	free(p->selected);
	p->selected = NULL;
	view_clamp(v);
}

static int envs_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	(void)err;
	v->priv = xcalloc(1, sizeof(struct envs));
	v->columns = columns;
	v->n_columns = N_COLS;
	v->title = xstrdup(_("Environments"));
	rebuild(v);
	return 0;
}

static void count_cell(const struct ui_data *d, size_t n, struct view_row *out, int col, int slot)
{
	/* Until every chat is in and diagnosed a count would only be part of one. */
	if (!d->loaded) {
		out->cells[col].text = "…";
		out->cells[col].slot = UI_COLOR_PENDING;
		return;
	}
	view_scratch(out, col, "%zu", n);
	out->cells[col].slot = n ? slot : UI_COLOR_DEFAULT;
}

static void envs_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct envs *p = v->priv;
	const struct ui_env *e = &v->ui->data.envs[p->rows[lineno]];
	if (e->changed) /* marked: the refreshes saw something change here since the console last looked */
		view_scratch(out, COL_NAME, "*%s", e->name);
	else
		out->cells[COL_NAME].text = e->name;
	out->cells[COL_FRIENDLY].text = e->friendly;
	out->cells[COL_SYNC].text = ui_tristate_text(e->env.sync_enabled);
	out->cells[COL_SYNC].slot = e->env.sync_enabled == CS_TRUE ? UI_COLOR_SYNC_ON
				  : e->env.sync_enabled == CS_FALSE ? UI_COLOR_SYNC_OFF : UI_COLOR_UNKNOWN;
	view_scratch(out, COL_LIMIT, _("%d d"), cs_env_inactivity_days(&e->env));
	view_scratch(out, COL_CHATS, "%zu", e->n_chats);
	count_cell(&v->ui->data, e->not_syncing, out, COL_NOT_SYNCING, UI_COLOR_NOT_SYNCING);
	count_cell(&v->ui->data, e->at_risk, out, COL_AT_RISK, UI_COLOR_AT_RISK);
	char age[32];
	if (e->error) {
		/* Room is short: the error sentence itself says what failed. */
		view_scratch(out, COL_REFRESHED, _("failed: %s"), e->error);
		out->cells[COL_REFRESHED].slot = UI_COLOR_ERROR;
	} else if (e->env.refreshed_at) {
		view_scratch(out, COL_REFRESHED, _("%s ago"), view_age(e->env.refreshed_at, v->ui->data.now, age,
								      sizeof age));
	} else {
		view_scratch(out, COL_REFRESHED, "%s", _("never"));
	}
}

static void envs_want(struct view *v, int *want)
{
	struct view_row row;
	for (size_t c = 0; c < N_COLS; c++)
		want[c] = 0;
	for (size_t i = 0; i < v->lines; i++) {
		memset(&row, 0, sizeof row);
		envs_row(v, i, &row);
		for (size_t c = 0; c < N_COLS; c++) {
			int w = row.cells[c].text ? (int)text_width(row.cells[c].text) : 0;
			if (w > want[c])
				want[c] = w;
		}
	}
	/* The counts settle as the diagnosis runs: reserve room for them now. */
	if (want[COL_NOT_SYNCING] < 3)
		want[COL_NOT_SYNCING] = 3;
}

static const struct ui_env *selected_env(struct view *v)
{
	struct envs *p = v->priv;
	if (v->lineno >= v->lines)
		return NULL;
	return &v->ui->data.envs[p->rows[v->lineno]];
}

static struct ui_action envs_request(struct view *v, enum ui_request req)
{
	const struct ui_env *e = selected_env(v);
	switch (req) {
	case UI_REQ_ENTER:
	case UI_REQ_TOGGLE_SYNC:
		if (!e) {
			ui_message(v->ui, UI_COLOR_STATUS, "%s", _("no environment selected"));
			return UI_ACTION(UI_ACT_DONE);
		}
		/* A row without an id (a damaged cache) is still found by its unique name. */
		if (req == UI_REQ_ENTER)
			return UI_OPEN(&view_chats_ops, e->env.id ? e->env.id : e->env.unique_name);
		return (struct ui_action){ .act = UI_ACT_TOGGLE, .arg = e->env.id ? e->env.id : e->env.unique_name,
					   .want = e->env.sync_enabled != CS_TRUE };
	default:
		return UI_ACTION(UI_ACT_PASS);
	}
}

static void envs_sort(struct view *v, int col)
{
	v->sort_reverse = v->sort_col == col ? !v->sort_reverse : false;
	v->sort_col = col;
	rebuild(v);
}

static void envs_update(struct view *v, enum view_update why)
{
	if (why == VIEW_UPDATE_SAVE)
		save_selection(v);
	else if (why == VIEW_UPDATE_RELOADED)
		rebuild(v);
}

/* The refresh error of the selected environment, whole: its column is rarely wide enough. */
static const char *envs_describe(struct view *v)
{
	struct envs *p = v->priv;
	const struct ui_env *e = selected_env(v);
	free(p->describe);
	char since[48];
	p->describe = e && e->error ? xasprintf(_("%s: last refresh failed: %s"), e->name, e->error)
		      : e && e->changed
			      ? xasprintf(ngettext("*%s: %zu change since the console was last open (%s; H lists them)",
						   "*%s: %zu changes since the console was last open (%s; H lists them)",
						   e->changed),
					  e->name, e->changed, time_format_human(v->ui->data.seen, since, sizeof since))
			      : NULL;
	return p->describe;
}

static void envs_done(struct view *v)
{
	struct envs *p = v->priv;
	if (p) {
		free(p->rows);
		free(p->selected);
		free(p->describe);
	}
	free(p);
}

const struct view_ops view_envs_ops = {
	.name = N_("Environments"),
	.empty = N_("no environments in the cache yet (r refreshes it)"),
	.open = envs_open,
	.row = envs_row,
	.request = envs_request,
	.filter = rebuild,
	.update = envs_update,
	.want = envs_want,
	.describe = envs_describe,
	.sort = envs_sort,
	.done = envs_done,
};
