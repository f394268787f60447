#include "config.h"
#include "sync/history.h"
#include "core/diagnose.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct recording {
	struct cache *c;
	struct cache_history *h;
	cs_time at;
	struct cs_error *err;
	int rc;
};

static const char *tristate(int v)
{
	return v == CS_TRUE ? "yes" : v == CS_FALSE ? "no" : NULL;
}

static int put(struct recording *r, enum history_scope scope, const char *id, const char *env_id, const char *fact,
	       const char *value, const char *rule)
{
	if (r->rc == 0 && cache_history_put(r->h, scope, id, env_id, fact, value, rule, r->err))
		r->rc = -1;
	return r->rc;
}

/* The verdict's leading finding: the first blocking one, else the first warning or unknown. */
static const char *leading_rule(const struct diag_result *res)
{
	for (size_t i = 0; i < res->n_findings; i++)
		if (res->findings[i].severity != DIAG_INFO)
			return diag_rule_id(res->findings[i].rule == DIAG_RULE_CHECK_UNAVAILABLE ? res->findings[i].check
												 : res->findings[i].rule);
	return NULL;
}

static int record_chat(const struct cache_facts *f, void *user)
{
	struct recording *r = user;
	struct cs_chat ch;
	cache_facts_chat(f, &ch);
	const char *id = ch.teams_chat_id ? ch.teams_chat_id : ch.activity_id;
	if (!id)
		return 0;
	struct diag_result res;
	cache_facts_diagnose(f, r->at, 0, &res);
	char *rules = diag_result_rules(&res);
	const char *env = f->env.id;
	put(r, HISTORY_CHAT, id, env, "verdict", diag_verdict_name(res.verdict), leading_rule(&res));
	put(r, HISTORY_CHAT, id, env, "findings", rules, NULL);
	put(r, HISTORY_CHAT, id, env, "state", cs_chat_state_name(ch.state), NULL);
	put(r, HISTORY_CHAT, id, env, "sync_status", cs_sync_status_name(ch.sync_status), NULL);
	if (f->has_graph) {
		put(r, HISTORY_CHAT, id, env, "app_installed", tristate(f->graph.app_installed), NULL);
		if (f->graph.app_installed == CS_TRUE) /* a grant is a fact only of an installed app */
			put(r, HISTORY_CHAT, id, env, "grant", tristate(f->graph.app_has_grant), NULL);
	}
	free(rules);
	diag_result_free(&res);
	return r->rc != 0;
}

long history_record(struct cache *c, cs_time at, int keep_days, struct cs_error *err)
{
	struct recording r = { .c = c, .at = at, .err = err };
	if (cache_history_begin(c, at, &r.h, err))
		return -1;
	struct cs_env *envs = NULL;
	size_t n_envs = 0;
	if (cache_list_envs(c, &envs, &n_envs, err))
		r.rc = -1;
	for (size_t i = 0; i < n_envs && r.rc == 0; i++) {
		char days[16];
		snprintf(days, sizeof days, "%d", cs_env_inactivity_days(&envs[i]));
		put(&r, HISTORY_ENV, envs[i].id, envs[i].id, "sync_enabled", tristate(envs[i].sync_enabled), NULL);
		put(&r, HISTORY_ENV, envs[i].id, envs[i].id, "inactivity_days", days, NULL);
	}
	for (size_t i = 0; i < n_envs; i++)
		cs_env_free(&envs[i]);
	free(envs);
	struct cs_rsc rsc = { 0 };
	if (r.rc == 0 && cache_get_rsc(c, &rsc) == 1)
		put(&r, HISTORY_TENANT, "tenant", NULL, "rsc_state", cs_rsc_state_name(rsc.state), NULL);
	cs_rsc_free(&rsc);
	if (r.rc == 0 && cache_facts_each(c, NULL, record_chat, &r, err))
		r.rc = -1;
	if (r.rc) {
		cache_history_abort(r.h);
		return -1;
	}
	return cache_history_end(r.h, keep_days > 0 ? keep_days : HISTORY_DEFAULT_KEEP_DAYS, err);
}

/* --- in words --- */

static const char *verdict_words(const char *v)
{
	if (!v)
		return _("unknown");
	if (strcmp(v, "syncing") == 0)
		return _("syncing");
	if (strcmp(v, "at_risk") == 0)
		return _("at risk");
	if (strcmp(v, "not_syncing") == 0)
		return _("not syncing");
	return _("unknown");
}

static bool in_list(const char *list, const char *item, size_t len)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, item, len) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The rules in `now` that are not in `before`, as "a, b"; appended to b. */
static void added_rules(struct buf *b, const char *before, const char *now, const char *word)
{
	bool first = true;
	for (const char *p = now; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n && !in_list(before, p, n)) {
			buf_printf(b, "%s%s%.*s", b->len ? "; " : "", first ? word : ", ", (int)n, p);
			first = false;
		}
		p += n + (p[n] == ',');
	}
}

/* One change in words: "app Dataverse Chat Sync no longer installed", "sync on → off". */
static void phrase(struct buf *b, const struct cache_change *ch)
{
	const char *o = ch->old_value, *n = ch->new_value;
	const char *sep = b->len ? "; " : "";
	if (strcmp(ch->fact, "findings") == 0) {
		added_rules(b, o, n, _("new finding "));
		added_rules(b, n, o, _("finding cleared "));
	} else if (strcmp(ch->fact, "app_installed") == 0) {
		buf_printf(b, "%s%s", sep, n && strcmp(n, "no") == 0 ? _("app Dataverse Chat Sync no longer installed")
				   : n && strcmp(n, "yes") == 0 ? _("app Dataverse Chat Sync installed")
								 : _("app installation no longer known"));
	} else if (strcmp(ch->fact, "grant") == 0) {
		buf_printf(b, "%s%s", sep, n && strcmp(n, "no") == 0 ? _("RSC permission grant removed")
				   : n && strcmp(n, "yes") == 0 ? _("RSC permission grant given")
								 : _("RSC permission grant no longer known"));
	} else if (strcmp(ch->fact, "state") == 0) {
		buf_printf(b, _("%sactivity %s → %s"), sep, o ? o : "-", n ? n : "-");
	} else if (strcmp(ch->fact, "sync_status") == 0) {
		buf_printf(b, _("%schat sync status %s → %s"), sep, o ? o : "-", n ? n : "-");
	} else if (strcmp(ch->fact, "sync_enabled") == 0) {
		const char *w = n && strcmp(n, "yes") == 0 ? _("on") : n && strcmp(n, "no") == 0 ? _("off") : _("unknown");
		if (!o)
			buf_printf(b, _("%sfirst seen: Teams chat sync %s"), sep, w);
		else
			buf_printf(b, _("%sTeams chat sync turned %s"), sep, w);
	} else if (strcmp(ch->fact, "inactivity_days") == 0) {
		buf_printf(b, _("%sinactivity limit %s → %s days"), sep, o ? o : "-", n ? n : "-");
	} else if (strcmp(ch->fact, "rsc_state") == 0) {
		buf_printf(b, _("%stenant chat RSC %s → %s"), sep, o ? o : _("never read"), n ? n : _("unknown"));
	} else if (strcmp(ch->fact, "removed") == 0) {
		buf_printf(b, _("%sno longer in the cache"), sep);
	} else if (strcmp(ch->fact, "verdict") != 0) {
		buf_printf(b, "%s%s %s → %s", sep, ch->fact, o ? o : "-", n ? n : "-");
	}
}

char *history_describe(const struct cache_change *ch, size_t n, size_t *used)
{
	size_t j = 0;
	while (j < n && ch[j].time == ch[0].time && ch[j].scope == ch[0].scope && strcmp(ch[j].id, ch[0].id) == 0)
		j++;
	*used = j ? j : 1;
	struct buf b;
	buf_init(&b);
	/* What changed in a fixed order (the cause before its effects), the verdict last. */
	static const char *const order[] = { "state", "sync_status", "sync_enabled", "inactivity_days", "grant",
					     "app_installed", "rsc_state", "removed", "findings", NULL };
	const struct cache_change *verdict = NULL;
	for (size_t k = 0; k < j; k++)
		if (strcmp(ch[k].fact, "verdict") == 0)
			verdict = &ch[k];
	for (size_t o = 0; order[o]; o++)
		for (size_t k = 0; k < j; k++)
			/* new findings are said by the verdict when it moved */
			if (strcmp(ch[k].fact, order[o]) == 0 && !(verdict && strcmp(order[o], "findings") == 0))
				phrase(&b, &ch[k]);
	if (verdict && !verdict->old_value)
		buf_printf(&b, _("%sfirst seen: %s"), b.len ? "; " : "", verdict_words(verdict->new_value));
	else if (verdict && b.len)
		buf_printf(&b, " → %s", verdict_words(verdict->new_value));
	else if (verdict)
		buf_printf(&b, "%s → %s", verdict_words(verdict->old_value), verdict_words(verdict->new_value));
	if (verdict && verdict->rule)
		buf_printf(&b, " (%s)", verdict->rule);
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

char *history_timeline(struct cache *c, const char *key, size_t max, struct cs_error *err)
{
	struct cache_facts f;
	if (cache_load_facts(c, key, &f, err))
		return NULL;
	struct cache_change_filter cf = {
		.chat = f.has_chat && f.chat.teams_chat_id ? f.chat.teams_chat_id
			: f.has_assoc && f.assoc.teams_chat_id ? f.assoc.teams_chat_id
			: f.has_chat ? f.chat.activity_id : NULL,
		.env_id = f.env.id,
	};
	struct cache_change *ch = NULL;
	size_t n = 0;
	int rc = cache_list_changes(c, &cf, &ch, &n, err);
	cache_facts_free(&f);
	if (rc)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	size_t lines = 0;
	for (size_t i = 0, used; i < n && lines < max; i += used) {
		char *what = history_describe(ch + i, n - i, &used);
		if (!what)
			continue;
		char when[48];
		time_format_human(ch[i].time, when, sizeof when);
		const char *who = ch[i].scope == HISTORY_TENANT ? _("tenant: ")
				  : ch[i].scope == HISTORY_ENV ? _("environment: ") : "";
		buf_printf(&b, "%s  %s%s\n", when, who, what);
		free(what);
		lines++;
	}
	for (size_t i = 0; i < n; i++)
		cache_change_free(&ch[i]);
	free(ch);
	return buf_steal(&b);
}
