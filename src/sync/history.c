#include "config.h"
#include "sync/history.h"
#include "core/diagnose.h"
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
