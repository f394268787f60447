/* What the refreshes saw change across the tenant, newest first: one row per refresh and subject
 * (a chat, an environment, the tenant), worded as `chatsync changes` words it. Enter on a chat's row
 * opens its diagnosis, with its whole timeline under it. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/history.h"
#include "sync/history.h"
#include <stdlib.h>
#include <string.h>

enum { COL_TIME, COL_ENV, COL_SUBJECT, COL_CHANGE, N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_TIME] = { N_("TIME"), 10, 20, 9, UI_ALIGN_LEFT, false },
	[COL_ENV] = { N_("ENVIRONMENT"), 8, 16, 8, UI_ALIGN_LEFT, false },
	[COL_SUBJECT] = { N_("SUBJECT"), 6, 22, 3, UI_ALIGN_LEFT, false },
	[COL_CHANGE] = { N_("CHANGE"), 20, 0, 10, UI_ALIGN_LEFT, false },
};

struct entry {
	cs_time time;
	int scope;
	char *id, *env, *subject, *change; /* sanitised */
};

struct changes {
	struct entry *all;
	size_t n, cap;
	size_t *rows;
	char *describe;
};

static void changes_free_all(struct changes *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->all[i].id);
		free(p->all[i].env);
		free(p->all[i].subject);
		free(p->all[i].change);
	}
	free(p->all);
	free(p->rows);
	free(p->describe);
	memset(p, 0, sizeof *p);
}

static void changes_filter(struct view *v)
{
	struct changes *p = v->priv;
	free(p->rows);
	p->rows = xcalloc(p->n ? p->n : 1, sizeof *p->rows);
	v->lines = 0;
	for (size_t k = 0; k < p->n; k++) {
		const struct entry *e = &p->all[k];
		const char *fields[] = { e->env, e->subject, e->change, e->id };
		if (view_filter_match(v->filter, fields, 4))
			p->rows[v->lines++] = k;
	}
	view_clamp(v);
}

static int load(struct view *v, struct cs_error *err)
{
	struct changes *p = v->priv;
	changes_free_all(p);
	struct cache_change *ch;
	size_t n;
	if (cache_list_changes(v->ui->cache, &(struct cache_change_filter){ 0 }, &ch, &n, err))
		return -1;
	for (size_t i = 0, used; i < n; i += used) {
		char *what = history_describe(ch + i, n - i, &used);
		if (!what)
			continue;
		p->all = xgrow(p->all, &p->cap, p->n, sizeof *p->all);
		struct entry *e = &p->all[p->n++];
		e->time = ch[i].time;
		e->scope = ch[i].scope;
		e->id = text_sanitize(ch[i].id);
		e->env = text_sanitize(ch[i].scope == HISTORY_TENANT ? _("tenant")
				       : ch[i].env_name ? ch[i].env_name : ch[i].env_id ? ch[i].env_id : "?");
		e->subject = text_sanitize(ch[i].scope == HISTORY_CHAT ? (ch[i].subject ? ch[i].subject : ch[i].id) : "");
		e->change = text_sanitize(what);
		free(what);
	}
	for (size_t i = 0; i < n; i++)
		cache_change_free(&ch[i]);
	free(ch);
	changes_filter(v);
	return 0;
}

static int changes_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	v->priv = xcalloc(1, sizeof(struct changes));
	v->columns = columns;
	v->n_columns = N_COLS;
	v->title = xstrdup(_("Changes"));
	if (load(v, err)) {
		free(v->priv);
		v->priv = NULL;
		return -1;
	}
	return 0;
}

static void changes_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct changes *p = v->priv;
	const struct entry *e = &p->all[p->rows[lineno]];
	char when[48];
	view_scratch(out, COL_TIME, "%s", time_format_human(e->time, when, sizeof when));
	out->cells[COL_ENV].text = e->env;
	out->cells[COL_SUBJECT].text = e->subject;
	out->cells[COL_CHANGE].text = e->change;
	/* what the change ended in, in its verdict's colour */
	out->cells[COL_CHANGE].slot = strstr(e->change, _("→ not syncing")) ? UI_COLOR_NOT_SYNCING
				      : strstr(e->change, _("→ at risk")) ? UI_COLOR_AT_RISK
				      : strstr(e->change, _("→ syncing")) ? UI_COLOR_SYNCING : UI_COLOR_DEFAULT;
}

static struct ui_action changes_request(struct view *v, enum ui_request req)
{
	struct changes *p = v->priv;
	if (req != UI_REQ_ENTER)
		return UI_ACTION(UI_ACT_PASS);
	if (v->lineno >= v->lines || p->all[p->rows[v->lineno]].scope != HISTORY_CHAT) {
		ui_message(v->ui, UI_COLOR_STATUS, "%s", _("not a chat's change: Enter opens a chat's diagnosis"));
		return UI_ACTION(UI_ACT_DONE);
	}
	return UI_OPEN(&view_diag_ops, p->all[p->rows[v->lineno]].id);
}

/* The selected change whole on the status line: its column is rarely wide enough. */
static const char *changes_describe(struct view *v)
{
	struct changes *p = v->priv;
	free(p->describe);
	p->describe = v->lineno < v->lines ? xstrdup(p->all[p->rows[v->lineno]].change) : NULL;
	return p->describe;
}

static void changes_update(struct view *v, enum view_update why)
{
	struct cs_error err = { 0 };
	if (why == VIEW_UPDATE_RELOADED && load(v, &err))
		ui_message(v->ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
}

static void changes_done(struct view *v)
{
	struct changes *p = v->priv;
	if (p)
		changes_free_all(p);
	free(p);
}

const struct view_ops view_changes_ops = {
	.name = N_("Changes"),
	.empty = N_("no changes recorded yet (each refresh records what changed)"),
	.open = changes_open,
	.row = changes_row,
	.request = changes_request,
	.filter = changes_filter,
	.update = changes_update,
	.describe = changes_describe,
	.done = changes_done,
};
