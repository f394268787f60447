/* The RSC pane: the tenant's chat resource-specific consent state and where it came from (the
 * policies read, as Get-MgBetaChatRscConfiguration derives it), then per chat whether the
 * Dataverse Chat Sync app is installed and has its grant, with counts. `f` shows only the chats
 * that lack one; Enter opens a chat's diagnosis. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_APP, COL_GRANT, COL_ENV, COL_CHAT, N_COLS };

static const struct ui_column columns[N_COLS] = {
	[COL_APP] = { N_("APP"), 3, 9, 10, UI_ALIGN_LEFT, false },
	[COL_GRANT] = { N_("GRANT"), 3, 9, 9, UI_ALIGN_LEFT, false },
	[COL_ENV] = { N_("ENV"), 6, 20, 3, UI_ALIGN_LEFT, false },
	[COL_CHAT] = { N_("CHAT"), 8, 0, 8, UI_ALIGN_LEFT, false },
};

#define HEAD_LINES 3

struct rsc_chat {
	size_t chat;         /* index into data.chats */
	int app, grant;      /* enum cs_tristate */
};

struct rsc {
	struct cs_rsc tenant;
	bool have_tenant;
	char *head[HEAD_LINES];
	struct rsc_chat *all;
	size_t n_all;
	size_t *rows;        /* indices into all */
	bool lacking;        /* only chats without the app or its grant */
	size_t installed, granted, lacks;
};

static const char *tri(int v)
{
	return v == CS_TRUE ? _("yes") : v == CS_FALSE ? _("no") : _("unknown");
}

static const char *state_words(int state)
{
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS: return _("enabled for all apps");
	case CS_RSC_MANAGED_BY_MICROSOFT: return _("managed by Microsoft");
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY: return _("enabled for pre-approved apps only");
	case CS_RSC_DISABLED_FOR_ALL_APPS: return _("disabled for all apps");
	case CS_RSC_CUSTOM: return _("custom");
	default: return _("unknown");
	}
}

static void clear(struct rsc *p)
{
	if (p->have_tenant)
		cs_rsc_free(&p->tenant);
	p->have_tenant = false;
	for (int i = 0; i < HEAD_LINES; i++) {
		free(p->head[i]);
		p->head[i] = NULL;
	}
	free(p->all);
	free(p->rows);
	p->all = NULL;
	p->rows = NULL;
	p->n_all = p->installed = p->granted = p->lacks = 0;
}

static bool lacks(const struct rsc_chat *c)
{
	return c->app != CS_TRUE || c->grant != CS_TRUE;
}

static int tri_slot(int v)
{
	return v == CS_TRUE ? 0 : v == CS_FALSE ? 1 : 2;
}

/* view_filter_match over subject, chat id, environment and the app's word, from the folded texts:
 * the filter's terms are folded once per key, the environments' names once per environment. */
static bool matches(const struct view_filter *f, const bool (*in_app)[3], char *const *envs,
		    const struct ui_chat *c, int app)
{
	for (size_t t = 0; t < f->n; t++) {
		const char *term = f->terms[t].folded;
		bool found = in_app[t][tri_slot(app)] || memmem(c->folded, c->folded_ids, term, strlen(term)) ||
			     (c->env != UI_NO_ENV && strstr(envs[c->env], term));
		if (found == f->terms[t].negate)
			return false;
	}
	return true;
}

static void rsc_filter(struct view *v)
{
	struct rsc *p = v->priv;
	const struct ui_data *d = &v->ui->data;
	free(p->rows);
	p->rows = xcalloc(p->n_all + 1, sizeof *p->rows);
	struct view_filter f;
	view_filter_parse(&f, v->filter);
	bool (*in_app)[3] = xcalloc(f.n + 1, sizeof *in_app);
	for (size_t t = 0; t < f.n; t++)
		for (int a = CS_UNKNOWN; a <= CS_TRUE; a++)
			in_app[t][tri_slot(a)] = ui_text_match(tri(a), f.terms[t].text);
	char **envs = xcalloc(d->n_envs + 1, sizeof *envs);
	for (size_t e = 0; e < d->n_envs; e++)
		envs[e] = ui_text_fold(d->envs[e].name);
	size_t n = 0;
	for (size_t i = 0; i < p->n_all; i++) {
		const struct ui_chat *c = &d->chats[p->all[i].chat];
		if ((p->lacking && !lacks(&p->all[i])) || !matches(&f, (const bool (*)[3])in_app, envs, c, p->all[i].app))
			continue;
		p->rows[n++] = i;
	}
	for (size_t e = 0; e < d->n_envs; e++)
		free(envs[e]);
	free(envs);
	free(in_app);
	view_filter_free(&f);
	v->lines = HEAD_LINES + n;
	/* The cursor stays on the chats, below the tenant's lines. */
	if (v->lineno < HEAD_LINES && n)
		v->lineno = HEAD_LINES;
	view_clamp(v);
}

static void load(struct view *v)
{
	struct rsc *p = v->priv;
	struct ui *ui = v->ui;
	clear(p);
	p->have_tenant = cache_get_rsc(ui->cache, &p->tenant) == 1;
	p->all = xcalloc(ui->data.n_chats + 1, sizeof *p->all);
	for (size_t i = 0; i < ui->data.n_chats; i++) {
		struct rsc_chat *rc = &p->all[p->n_all++];
		rc->chat = i;
		/* Read with the chat's facts: installed and granted as Graph last answered, else unknown. */
		rc->app = ui->data.chats[i].app;
		rc->grant = ui->data.chats[i].grant;
		p->installed += rc->app == CS_TRUE;
		p->granted += rc->grant == CS_TRUE;
		p->lacks += lacks(rc);
	}
	const struct cs_rsc *t = &p->tenant;
	if (!p->have_tenant) {
		p->head[0] = xstrdup(_("Tenant chat RSC: never read (r refreshes it)"));
	} else if (t->error) {
		char *safe = text_sanitize(t->error);
		p->head[0] = xasprintf(_("Tenant chat RSC: %s (could not be read: %s)"), state_words(t->state), safe);
		free(safe);
	} else {
		struct buf pol;
		buf_init(&pol);
		buf_add(&pol, "", 0);
		for (size_t i = 0; i < t->n_policies; i++)
			buf_printf(&pol, "%s%s", i ? ", " : "", t->policies[i]);
		char *raw = xasprintf(_("Tenant chat RSC: %s, from %s%s%s"), state_words(t->state),
				      t->source ? t->source : "?", pol.len ? _("; policies: ") : "", pol.data);
		p->head[0] = text_sanitize(raw);
		free(raw);
		buf_free(&pol);
	}
	if (ui->data.loaded)
		p->head[1] = xasprintf(_("%zu chats: app installed in %zu, granted in %zu, %zu lack one (f shows them)"),
				       p->n_all, p->installed, p->granted, p->lacks);
	else
		p->head[1] = xstrdup(view_chats_wait(ui));
	p->head[2] = xstrdup("");
	rsc_filter(v);
}

static int rsc_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	(void)err;
	v->priv = xcalloc(1, sizeof(struct rsc));
	v->columns = columns;
	v->n_columns = N_COLS;
	v->title = xstrdup(_("RSC"));
	load(v);
	/* The cursor starts on the first chat, below the tenant's lines. */
	v->lineno = v->lines > HEAD_LINES ? HEAD_LINES : 0;
	view_clamp(v);
	return 0;
}

static void rsc_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct rsc *p = v->priv;
	if (lineno < HEAD_LINES) {
		out->span = true;
		out->cells[0].text = p->head[lineno];
		out->cells[0].slot = lineno == 0 && p->tenant.state == CS_RSC_DISABLED_FOR_ALL_APPS ? UI_COLOR_NOT_SYNCING
										     : UI_COLOR_HEADING;
		return;
	}
	const struct rsc_chat *rc = &p->all[p->rows[lineno - HEAD_LINES]];
	const struct ui_data *d = &v->ui->data;
	const struct ui_chat *c = &d->chats[rc->chat];
	out->cells[COL_APP].text = tri(rc->app);
	out->cells[COL_APP].slot = rc->app == CS_TRUE ? UI_COLOR_SYNCING : rc->app == CS_FALSE ? UI_COLOR_NOT_SYNCING : UI_COLOR_UNKNOWN;
	out->cells[COL_GRANT].text = tri(rc->grant);
	out->cells[COL_GRANT].slot = rc->grant == CS_TRUE ? UI_COLOR_SYNCING : rc->grant == CS_FALSE ? UI_COLOR_AT_RISK : UI_COLOR_UNKNOWN;
	out->cells[COL_ENV].text = c->env != UI_NO_ENV ? d->envs[c->env].name : "?";
	out->cells[COL_CHAT].text = *c->subject ? c->subject : c->chat_id;
}

static struct ui_action rsc_request(struct view *v, enum ui_request req)
{
	struct rsc *p = v->priv;
	switch (req) {
	case UI_REQ_ENTER:
		if (v->lineno < HEAD_LINES || v->lineno >= v->lines) {
			ui_message(v->ui, UI_COLOR_STATUS, "%s", _("no chat selected"));
			return UI_ACTION(UI_ACT_DONE);
		}
		return UI_OPEN(&view_diag_ops, v->ui->data.chats[p->all[p->rows[v->lineno - HEAD_LINES]].chat].key);
	case UI_REQ_STATE_FILTER:
		p->lacking = !p->lacking;
		rsc_filter(v);
		v->lineno = v->lines > HEAD_LINES ? HEAD_LINES : 0;
		view_clamp(v);
		ui_message(v->ui, UI_COLOR_STATUS, "%s",
			   p->lacking ? _("showing chats that lack the app or its grant") : _("showing every chat"));
		return UI_ACTION(UI_ACT_DONE);
	default:
		return UI_ACTION(UI_ACT_PASS);
	}
}

static void rsc_update(struct view *v, enum view_update why)
{
	if (why == VIEW_UPDATE_RELOADED)
		load(v);
}

static const char *rsc_describe(struct view *v)
{
	struct rsc *p = v->priv;
	return p->lacking ? _("showing: lacking the app or its grant (f shows all)") : NULL;
}

static void rsc_done(struct view *v)
{
	struct rsc *p = v->priv;
	if (p)
		clear(p);
	free(p);
}

const struct view_ops view_rsc_ops = {
	.name = N_("RSC"),
	.open = rsc_open,
	.row = rsc_row,
	.request = rsc_request,
	.filter = rsc_filter,
	.update = rsc_update,
	.describe = rsc_describe,
	.done = rsc_done,
};
