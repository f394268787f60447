/* The start view: one line per environment with its sync setting, inactivity limit, chats and
 * how many of them the diagnosis says are not syncing or at risk. Enter opens its chats. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "cli/cli.h"
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
	[COL_NAME] = { N_("ENVIRONMENT"), 8, 24, 10, UI_ALIGN_LEFT },
	[COL_FRIENDLY] = { N_("NAME"), 8, 30, 3, UI_ALIGN_LEFT },
	[COL_SYNC] = { N_("SYNC"), 3, 7, 9, UI_ALIGN_LEFT },
	[COL_LIMIT] = { N_("LIMIT"), 4, 6, 4, UI_ALIGN_RIGHT },
	[COL_CHATS] = { N_("CHATS"), 4, 6, 6, UI_ALIGN_RIGHT },
	[COL_NOT_SYNCING] = { N_("NOT SYNCING"), 4, 11, 8, UI_ALIGN_RIGHT },
	[COL_AT_RISK] = { N_("AT RISK"), 4, 7, 7, UI_ALIGN_RIGHT },
	[COL_REFRESHED] = { N_("REFRESHED"), 6, 0, 5, UI_ALIGN_LEFT },
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
		if (v->filter && !ui_text_match(e->name, v->filter) && !ui_text_match(e->friendly, v->filter))
			continue;
		p->rows[v->lines++] = i;
	}
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

static void count_cell(const struct ui_env *e, size_t n, struct view_row *out, int col, int slot)
{
	if (e->pending) {
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
	out->cells[COL_NAME].text = e->name;
	out->cells[COL_FRIENDLY].text = e->friendly;
	out->cells[COL_SYNC].text = ui_tristate_text(e->env.sync_enabled);
	out->cells[COL_SYNC].slot = e->env.sync_enabled == CS_TRUE ? UI_COLOR_SYNC_ON
				  : e->env.sync_enabled == CS_FALSE ? UI_COLOR_SYNC_OFF : UI_COLOR_UNKNOWN;
	view_scratch(out, COL_LIMIT, _("%d d"), cs_env_inactivity_days(&e->env));
	view_scratch(out, COL_CHATS, "%zu", e->n_chats);
	count_cell(e, e->not_syncing, out, COL_NOT_SYNCING, UI_COLOR_NOT_SYNCING);
	count_cell(e, e->at_risk, out, COL_AT_RISK, UI_COLOR_AT_RISK);
	char age[32];
	if (e->error) {
		/* Room is short: the error sentence itself says what failed. */
		view_scratch(out, COL_REFRESHED, _("failed: %s"), e->error);
		out->cells[COL_REFRESHED].slot = UI_COLOR_ERROR;
	} else if (e->env.refreshed_at) {
		view_scratch(out, COL_REFRESHED, _("%s ago"), time_format_age(e->env.refreshed_at, v->ui->data.now, age,
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

static enum view_result envs_request(struct view *v, enum ui_request req)
{
	const struct ui_env *e = selected_env(v);
	switch (req) {
	case UI_REQ_ENTER:
		if (!e) {
			ui_message(v->ui, UI_COLOR_STATUS, "%s", _("no environment selected"));
			return VIEW_HANDLED;
		}
		/* A row without an id (a damaged cache) is still found by its unique name. */
		ui_open_view(v->ui, &view_chats_ops, e->env.id ? e->env.id : e->env.unique_name);
		return VIEW_HANDLED;
	case UI_REQ_TOGGLE_SYNC:
		if (!e)
			ui_message(v->ui, UI_COLOR_STATUS, "%s", _("no environment selected"));
		else
			ui_toggle_sync(v->ui, e);
		return VIEW_HANDLED;
	default:
		return VIEW_UNHANDLED;
	}
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
	p->describe = e && e->error ? xasprintf(_("%s: last refresh failed: %s"), e->name, e->error) : NULL;
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
	.empty = N_("no environments in the cache yet (run: chatsync refresh, then press R)"),
	.open = envs_open,
	.row = envs_row,
	.request = envs_request,
	.filter = rebuild,
	.update = envs_update,
	.want = envs_want,
	.describe = envs_describe,
	.done = envs_done,
};
