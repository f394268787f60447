/* The audit trail of the one write, newest first: when, who, which environment, from what to
 * what, and the outcome. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>

enum { COL_TIME, COL_ENV, COL_CHANGE, COL_RESULT, COL_WHO, N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_TIME] = { N_("TIME"), 10, 20, 9, UI_ALIGN_LEFT, false },
	[COL_ENV] = { N_("ENVIRONMENT"), 8, 24, 10, UI_ALIGN_LEFT, false },
	[COL_CHANGE] = { N_("CHANGE"), 6, 12, 8, UI_ALIGN_LEFT, false },
	[COL_RESULT] = { N_("RESULT"), 6, 0, 7, UI_ALIGN_LEFT, false },
	[COL_WHO] = { N_("WHO"), 6, 30, 3, UI_ALIGN_LEFT, false },
};

struct audit {
	struct cache_audit *all;
	size_t n;
	size_t *rows;
};

static void audit_free_all(struct audit *p)
{
	for (size_t i = 0; i < p->n; i++)
		cache_audit_free(&p->all[i]);
	free(p->all);
	free(p->rows);
	p->all = NULL;
	p->rows = NULL;
	p->n = 0;
}

static void audit_filter(struct view *v)
{
	struct audit *p = v->priv;
	free(p->rows);
	p->rows = xcalloc(p->n ? p->n : 1, sizeof *p->rows);
	v->lines = 0;
	/* The cache lists oldest first: newest first here. */
	for (size_t k = p->n; k-- > 0;) {
		const struct cache_audit *a = &p->all[k];
		const char *fields[] = { a->environment, a->identity, a->result, a->new_value };
		if (view_filter_match(v->filter, fields, 4))
			p->rows[v->lines++] = k;
	}
	view_clamp(v);
}

static int load(struct view *v, struct cs_error *err)
{
	struct audit *p = v->priv;
	audit_free_all(p);
	if (cache_audit_list(v->ui->cache, &p->all, &p->n, err))
		return -1;
	audit_filter(v);
	return 0;
}

static int audit_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	v->priv = xcalloc(1, sizeof(struct audit));
	v->columns = columns;
	v->n_columns = N_COLS;
	v->title = xstrdup(_("Audit"));
	if (load(v, err)) {
		free(v->priv);
		v->priv = NULL;
		return -1;
	}
	return 0;
}

static void audit_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct audit *p = v->priv;
	const struct cache_audit *a = &p->all[p->rows[lineno]];
	char when[48];
	view_scratch(out, COL_TIME, "%s", time_format_human(a->time, when, sizeof when));
	view_scratch(out, COL_ENV, "%s", a->environment ? a->environment : "?");
	view_scratch(out, COL_CHANGE, "%s→%s", a->old_value ? a->old_value : "?", a->new_value ? a->new_value : "?");
	view_scratch(out, COL_RESULT, "%s", a->result ? a->result : "");
	out->cells[COL_RESULT].slot = a->result && strcmp(a->result, "ok") == 0 ? UI_COLOR_SYNCING : UI_COLOR_AT_RISK;
	view_scratch(out, COL_WHO, "%s", a->identity ? a->identity : "");
	for (int c = 0; c < N_COLS; c++) {
		/* The cache's words are the cloud's: no control characters reach the terminal. */
		char *safe = text_sanitize(out->scratch[c]);
		view_scratch(out, c, "%s", safe);
		free(safe);
	}
}

static void audit_update(struct view *v, enum view_update why)
{
	struct cs_error err = { 0 };
	if (why == VIEW_UPDATE_RELOADED && load(v, &err))
		ui_message(v->ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
}

static void audit_done(struct view *v)
{
	struct audit *p = v->priv;
	if (p)
		audit_free_all(p);
	free(p);
}

const struct view_ops view_audit_ops = {
	.name = N_("Audit"),
	.empty = N_("no writes audited yet (t on an environment makes one)"),
	.open = audit_open,
	.row = audit_row,
	.filter = audit_filter,
	.update = audit_update,
	.done = audit_done,
};
