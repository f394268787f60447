/* The `?` help screen, generated from the request table and the command table: whatever is
 * bound is listed, nothing is written twice. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

enum { COL_KEY, COL_ACTION, N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_KEY] = { N_("KEY"), 6, 22, 5, UI_ALIGN_LEFT, false },
	[COL_ACTION] = { N_("ACTION"), 10, 0, 10, UI_ALIGN_LEFT, false },
};

struct help_line {
	char *key;           /* NULL: a heading, action spans the line */
	char *action;
};

struct help {
	struct help_line *all;
	size_t n_all;
	size_t *rows;        /* lines that pass the filter */
};

static void add(struct help *p, char *key, char *action)
{
	p->all = xrealloc(p->all, (p->n_all + 1) * sizeof *p->all);
	p->all[p->n_all++] = (struct help_line){ key, action };
}

static void build(struct help *p)
{
	for (int g = 0; g < UI_GROUP_COUNT; g++) {
		if (g)
			add(p, NULL, xstrdup(""));
		add(p, NULL, xstrdup(ui_req_group_title((enum ui_req_group)g)));
		for (int r = 0; r < UI_REQ_COUNT; r++) {
			const struct ui_request_info *info = ui_request_info((enum ui_request)r);
			if ((int)info->group != g)
				continue;
			char *key = info->keys[1] ? xasprintf("%s, %s", info->keys[0], info->keys[1])
						  : xstrdup(info->keys[0]);
			add(p, key, xstrdup(_(info->help)));
		}
	}
	add(p, NULL, xstrdup(""));
	add(p, NULL, xstrdup(_("Commands (after :)")));
	for (size_t i = 0; ui_cmd_info(i); i++) {
		const struct ui_cmd_info *c = ui_cmd_info(i);
		char *key = !c->arg ? xasprintf(":%s", c->name)
			  : c->optional ? xasprintf(":%s [%s]", c->name, _(c->arg)) : xasprintf(":%s %s", c->name, _(c->arg));
		add(p, key, xstrdup(_(c->help)));
	}
}

static void help_filter(struct view *v)
{
	struct help *p = v->priv;
	free(p->rows);
	p->rows = xcalloc(p->n_all, sizeof *p->rows);
	v->lines = 0;
	const char *f = v->filter && *v->filter ? v->filter : NULL;
	for (size_t i = 0; i < p->n_all; i++) {
		const struct help_line *l = &p->all[i];
		/* Filtered, only the matching entries remain: a heading alone says nothing. */
		const char *fields[] = { l->key, l->action };
		if (f && (!l->key || !view_filter_match(f, fields, 2)))
			continue;
		p->rows[v->lines++] = i;
	}
	view_clamp(v);
}

static int help_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	(void)err;
	struct help *p = xcalloc(1, sizeof *p);
	v->priv = p;
	v->columns = columns;
	v->n_columns = N_COLS;
	v->title = xstrdup(_("Help"));
	build(p);
	help_filter(v);
	return 0;
}

static void help_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct help *p = v->priv;
	const struct help_line *l = &p->all[p->rows[lineno]];
	if (!l->key) {
		out->span = true;
		out->cells[0].text = l->action;
		out->cells[0].slot = UI_COLOR_HEADING;
		return;
	}
	out->cells[COL_KEY].text = l->key;
	out->cells[COL_KEY].slot = UI_COLOR_KEY;
	out->cells[COL_ACTION].text = l->action;
}

static void help_want(struct view *v, int *want)
{
	struct help *p = v->priv;
	want[COL_KEY] = want[COL_ACTION] = 0;
	for (size_t i = 0; i < p->n_all; i++) {
		if (!p->all[i].key)
			continue;
		int k = (int)text_width(p->all[i].key), a = (int)text_width(p->all[i].action);
		if (k > want[COL_KEY])
			want[COL_KEY] = k;
		if (a > want[COL_ACTION])
			want[COL_ACTION] = a;
	}
}

static void help_done(struct view *v)
{
	struct help *p = v->priv;
	if (!p)
		return;
	for (size_t i = 0; i < p->n_all; i++) {
		free(p->all[i].key);
		free(p->all[i].action);
	}
	free(p->all);
	free(p->rows);
	free(p);
}

const struct view_ops view_help_ops = {
	.name = N_("Help"),
	.flags = VIEW_SCROLL,
	.open = help_open,
	.row = help_row,
	.filter = help_filter,
	.want = help_want,
	.done = help_done,
};
