/* Phase 2 of a refresh: the tenant's chat RSC state and each chat's Graph details (installed apps,
 * permission grants, and the chat itself when Dataverse has no row for it), riskiest chats first. */
#include "config.h"
#include "sync/refresh_int.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>

struct detail {
	struct refresh *r;
	struct cs_graph_chat g;
	bool need_chat;     /* no activity row: Graph's topic is all we can show */
	int pending;
	double risk;        /* smaller first */
	size_t *done_count;
};

struct candidates {
	struct refresh *r;
	char *const *env_ids;
	size_t n_env_ids;
	struct detail *d;
	size_t n, cap;
	char **fresh;       /* chats whose details are younger than the TTL, sorted */
	size_t n_fresh, cap_fresh;
	cs_time ttl_start;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_sorted(char **arr, size_t n, const char *s)
{
	return s && n && bsearch(&s, arr, n, sizeof *arr, cmp_str);
}

static void note_fetch(const char *id, cs_time fetched_at, void *user)
{
	struct candidates *c = user;
	if (!id || fetched_at < c->ttl_start)
		return;
	if (c->n_fresh == c->cap_fresh) {
		c->cap_fresh = c->cap_fresh ? c->cap_fresh * 2 : 256;
		c->fresh = xrealloc(c->fresh, c->cap_fresh * sizeof *c->fresh);
	}
	c->fresh[c->n_fresh++] = xstrdup(id);
}

/* Open chats by the time left before their inactivity limit (those that can still be saved first),
 * then the ones already past it, then everything else. */
static double risk_of(const struct cs_chat *ch, const struct cs_env *env, cs_time now)
{
	if (ch->state != CS_STATE_OPEN || !ch->modified_in_teams_on)
		return 1e12;
	double left = (double)(ch->modified_in_teams_on + (cs_time)cs_env_inactivity_days(env) * 86400 - now);
	return left >= 0 ? left : 1e10 - left;
}

static int add_candidate(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	struct candidates *c = user;
	struct refresh *r = c->r;
	bool env_ok = false;
	for (size_t i = 0; i < c->n_env_ids && !env_ok; i++)
		env_ok = env && strcmp(env->id, c->env_ids[i]) == 0;
	if (!env_ok || !ch->teams_chat_id)
		return 0;
	if (r->opts->chat && strcmp(r->opts->chat, ch->teams_chat_id) != 0)
		return 0;
	if (!r->opts->chat && in_sorted(c->fresh, c->n_fresh, ch->teams_chat_id) &&
	    !in_sorted(r->changed, r->n_changed, ch->teams_chat_id))
		return 0;
	for (size_t i = 0; i < c->n; i++) /* one chat connected in two environments: fetch once */
		if (strcmp(c->d[i].g.teams_chat_id, ch->teams_chat_id) == 0)
			return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->d = xrealloc(c->d, c->cap * sizeof *c->d);
	}
	struct detail *d = &c->d[c->n++];
	memset(d, 0, sizeof *d);
	d->r = r;
	d->g.teams_chat_id = xstrdup(ch->teams_chat_id);
	d->g.app_installed = d->g.app_has_grant = CS_UNKNOWN;
	d->need_chat = ch->activity_id == NULL;
	d->risk = risk_of(ch, env, r->now);
	return 0;
}

static int cmp_risk(const void *a, const void *b)
{
	const struct detail *x = a, *y = b;
	return (x->risk > y->risk) - (x->risk < y->risk);
}

static void detail_done_one(struct detail *d)
{
	if (--d->pending == 0) {
		(*d->done_count)++;
		d->r->rep->details_fetched++;
	}
}

/* Records a refused or failed call as a fact: its status and the sentence saying what would let it run. */
static void record_failure(const struct net_response *resp, int *status, char **error)
{
	*status = resp->status ? (int)resp->status : -1;
	free(*error);
	*error = xstrdup(resp->err ? resp->err->msg : _("no answer"));
}

static void queue_detail(struct detail *d, const char *url, const char *bucket, const char *needs, net_done_fn fn)
{
	struct cs_error err = { 0 };
	d->pending++;
	if (net_queue(d->r->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = bucket,
							 .resource = conf_graph_resource(d->r->profile), .service = "Graph",
							 .needs = needs, .done = fn, .user = d }, &err)) {
		d->pending--;
		log_error("%s", err.msg);
	}
}

static void on_grants(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	struct cs_error err = { 0 };
	d->g.grants_fetched_at = d->r->now;
	if (resp->err)
		record_failure(resp, &d->g.grants_status, &d->g.grants_error);
	else if (graph_parse_grants(resp->body, &d->g, &err))
		d->g.grants_status = -1, d->g.grants_error = xstrdup(err.msg);
	else
		d->g.grants_status = (int)resp->status;
	detail_done_one(d);
}

static void on_apps(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	struct cs_error err = { 0 };
	d->g.apps_fetched_at = d->r->now;
	if (resp->status == 404) {
		/* The chat is gone in Teams: nothing else about it can be read. */
		d->g.apps_status = 404;
		d->g.chat_status = 404;
		d->g.chat_fetched_at = d->r->now;
	} else if (resp->err) {
		record_failure(resp, &d->g.apps_status, &d->g.apps_error);
	} else if (graph_parse_installed_apps(resp->body, d->r->profile->chat_sync_app, &d->g, &err)) {
		d->g.apps_status = -1;
		d->g.apps_error = xstrdup(err.msg);
	} else {
		d->g.apps_status = (int)resp->status;
		if (!d->g.chat_status) { /* an answer about its apps means the chat exists */
			d->g.chat_status = 200;
			d->g.chat_fetched_at = d->r->now;
		}
	}
	if (d->g.apps_status != 404) {
		char *url = graph_url_grants(d->r->profile, d->g.teams_chat_id);
		queue_detail(d, url, "graph:teams:permissionGrants", GRAPH_PERM_APPS, on_grants);
		free(url);
	}
	detail_done_one(d);
}

static void on_chat(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	struct cs_error err = { 0 };
	d->g.chat_fetched_at = d->r->now;
	if (resp->status == 404)
		d->g.chat_status = 404;
	else if (resp->err)
		record_failure(resp, &d->g.chat_status, &d->g.chat_error);
	else if (graph_parse_chat(resp->body, &d->g, &err))
		d->g.chat_status = -1, d->g.chat_error = xstrdup(err.msg);
	else
		d->g.chat_status = (int)resp->status;
	detail_done_one(d);
}

static void on_rsc(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct refresh *r = user;
	struct cs_rsc rsc = { .fetched_at = r->now, .http_status = (int)resp->status };
	struct cs_error err = { 0 };
	if (resp->err) {
		rsc.error = xstrdup(resp->err->msg);
		if (!rsc.http_status)
			rsc.http_status = -1;
	} else if (graph_parse_authorization_policy(resp->body, &rsc, &err)) {
		rsc.http_status = -1;
		rsc.error = xstrdup(err.msg);
	}
	if (cache_put_rsc(r->cache, &rsc, &err))
		log_error("%s", err.msg);
	cs_rsc_free(&rsc);
}

static int write_details(struct refresh *r, struct detail *d, size_t n, struct cs_error *err)
{
	if (cache_begin(r->cache, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (d[i].pending != 0)
			continue; /* cancelled half way: keep what the cache had */
		if (cache_put_graph_chat(r->cache, &d[i].g, err)) {
			cache_rollback(r->cache);
			return -1;
		}
	}
	return cache_commit(r->cache, err);
}

int refresh_details(struct refresh *r, char *const *env_ids, size_t n_env_ids, struct cs_error *err)
{
	struct candidates c = { .r = r, .env_ids = env_ids, .n_env_ids = n_env_ids };
	int ttl = r->opts->detail_ttl_s > 0 ? r->opts->detail_ttl_s : 3600;
	c.ttl_start = r->now - ttl;
	if (r->opts->full)
		c.ttl_start = r->now + 1; /* a full refresh fetches everything again */
	if (r->n_changed) /* qsort wants a valid pointer even for no elements */
		qsort(r->changed, r->n_changed, sizeof *r->changed, cmp_str);
	int rc = cache_each_graph_fetch(r->cache, note_fetch, &c, err);
	if (c.n_fresh)
		qsort(c.fresh, c.n_fresh, sizeof *c.fresh, cmp_str);
	if (!rc)
		rc = cache_each_chat(r->cache, NULL, add_candidate, &c, err);
	if (!rc) {
		if (c.n)
			qsort(c.d, c.n, sizeof *c.d, cmp_risk);
		size_t done = 0;
		if (!r->opts->chat) {
			char *url = graph_url_authorization_policy(r->profile);
			net_queue(r->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = "graph",
								 .resource = conf_graph_resource(r->profile), .service = "Graph",
								 .needs = GRAPH_PERM_POLICY, .done = on_rsc, .user = r }, NULL);
			free(url);
		}
		for (size_t i = 0; i < c.n; i++) {
			struct detail *d = &c.d[i];
			d->done_count = &done;
			char *bucket = xasprintf("graph:installedApps:%s", d->g.teams_chat_id);
			char *url = graph_url_installed_apps(r->profile, d->g.teams_chat_id);
			queue_detail(d, url, bucket, GRAPH_PERM_APPS, on_apps);
			free(url);
			free(bucket);
			if (d->need_chat) {
				url = graph_url_chat(r->profile, d->g.teams_chat_id);
				queue_detail(d, url, "graph:chat", GRAPH_PERM_CHAT, on_chat);
				free(url);
			}
		}
		refresh_report_progress(r, "graph", NULL, 0, c.n);
		/* Step until nothing is pending, also after a cancel: every callback must run while
		 * the details it writes to still exist. */
		while (net_pending(r->net) > 0) {
			size_t before = done;
			net_step(r->net, 200);
			if (done != before)
				refresh_report_progress(r, "graph", NULL, done, c.n);
		}
		struct cs_error werr = { 0 };
		if (write_details(r, c.d, c.n, &werr)) {
			*err = werr;
			rc = -1;
		}
		if (!rc && net_cancelled(r->net))
			rc = cs_fail(err, CS_EXIT_NETWORK, _("refresh interrupted: the Graph details fetched so far are "
							     "kept (run chatsync refresh again to finish)"));
	}
	for (size_t i = 0; i < c.n; i++)
		cs_graph_chat_free(&c.d[i].g);
	free(c.d);
	for (size_t i = 0; i < c.n_fresh; i++)
		free(c.fresh[i]);
	free(c.fresh);
	return rc;
}
