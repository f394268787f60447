/* The one write (toggle.h): read fresh, check who may write, show, confirm, PATCH with If-Match,
 * and audit every outcome in the cache and in audit.log. Nothing here prints or asks: the front
 * end's callbacks do. */
#include "config.h"
#include "sync/toggle.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "auth/auth.h"
#include "net/http.h"
#include "store/audit_log.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOGGLE_MAX_ROUNDS 5

struct toggle {
	const struct conf_profile *p;
	struct cache *cache;
	const struct toggle_opts *o;
	struct toggle_result *res;
	struct net *net;
	struct cs_env env;
	struct auth_identity who;
};

const char *toggle_onoff(int v)
{
	return v == CS_TRUE ? "on" : v == CS_FALSE ? "off" : "unknown";
}

static struct cache_audit audit_row(struct toggle *t, int old, const char *result)
{
	return (struct cache_audit){
		.time = time_now(), .profile = t->p ? t->p->name : NULL,
		.identity = t->who.name ? t->who.name : (char *)"unknown",
		.environment = t->env.unique_name, .old_value = (char *)toggle_onoff(old),
		.new_value = (char *)(t->o->want ? "on" : "off"), .request_id = t->res->request_id,
		.result = (char *)result,
	};
}

/* Records an outcome in the cache's audit table and in audit.log; the last outcome is the result's.
 * ahead >= 0: the row cache_audit_begin wrote before the PATCH, now finished with the outcome. */
static void audit_done(struct toggle *t, int old, const char *result, long long ahead)
{
	struct cache_audit a = audit_row(t, old, result);
	struct cs_error err = { 0 };
	if (ahead >= 0 ? cache_audit_finish(t->cache, ahead, result, a.request_id, &err)
		       : cache_audit_append(t->cache, &a, &err))
		log_error("audit: %s", err.msg);
	if (audit_log_append(&a, &err))
		log_error("audit: %s", err.msg);
	log_info("audit: %s %s %s → %s: %s", a.identity, a.environment, a.old_value, a.new_value, result);
	free(t->res->outcome);
	t->res->outcome = xstrdup(result);
}

static void audit(struct toggle *t, int old, const char *result)
{
	audit_done(t, old, result, -1);
}

/* Before the PATCH: a row saying it is being sent, so that a kill before its answer is written
 * leaves "pending", never nothing. Returns its id, or -1 when it could not be written (the outcome
 * is then appended as a row of its own). */
static long long audit_ahead(struct toggle *t, int old)
{
	struct cache_audit a = audit_row(t, old, NULL);
	struct cs_error err = { 0 };
	long long id;
	if (cache_audit_begin(t->cache, &a, &id, &err)) {
		log_error("audit: %s", err.msg);
		return -1;
	}
	a.result = (char *)"pending: sent, no answer yet";
	if (audit_log_append(&a, &err))
		log_error("audit: %s", err.msg);
	return id;
}

/* GET the organization row now, with its ETag. */
static int read_org(struct toggle *t, struct cs_error *err)
{
	char *url = dv_url_organization(&t->env), *bucket = dv_bucket(&t->env);
	struct net_result res;
	int rc = net_fetch(t->net, &(struct net_request){ .url = url, .headers = dv_headers_read, .bucket = bucket,
							  .resource = t->env.url, .service = "Dataverse" }, &res, err);
	if (rc == 0)
		rc = dv_parse_organization(res.body, &t->env, err);
	if (rc == 0)
		t->env.org_fetched_at = time_now();
	net_result_free(&res);
	free(url);
	free(bucket);
	return rc;
}

/* Delegated sign-ins: only a Global Administrator may turn the setting on (DOMAIN.md). */
static int check_global_admin(struct toggle *t, struct cs_error *err)
{
	char *url = graph_url_my_directory_roles(t->p);
	bool admin = false;
	int rc = 0;
	while (url && rc == 0) {
		struct net_result res;
		rc = net_fetch(t->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = "graph",
							      .resource = conf_graph_resource(t->p), .service = "Graph",
							      .needs = "Directory.Read.All" }, &res, err);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = graph_parse_directory_roles(res.body, &admin, &url, err);
		net_result_free(&res);
	}
	free(url);
	if (rc)
		return -1;
	if (!admin)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("%s is not a Global Administrator: only a global (tenant) administrator may turn on Teams "
				 "chat sync (ask one, or sign in as one: chatsync -p PROFILE with a device-code profile)"),
			       t->who.name ? t->who.name : _("the signed-in user"));
	return 0;
}

static int count_unrecorded(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	if (ch->state == CS_STATE_NOT_RECORDED)
		(*(size_t *)user)++;
	return 0;
}

static bool is_production(const struct cs_env *e)
{
	return e->purpose && strcasestr(e->purpose, "production") != NULL;
}

static int patch_org(struct toggle *t, struct net_result *res, struct cs_error *err)
{
	char *url = dv_url_organization_row(&t->env), *bucket = dv_bucket(&t->env);
	char *if_match = xasprintf("If-Match: %s", t->env.org_etag ? t->env.org_etag : "*");
	struct dv_body_headers h;
	const char *body = t->o->want ? "{\"teamschatdatasync\":true}" : "{\"teamschatdatasync\":false}";
	int rc = net_fetch(t->net, &(struct net_request){ .method = "PATCH", .url = url,
							  .headers = dv_body_headers(&h, "application/json", if_match),
							  .body = body, .bucket = bucket, .resource = t->env.url,
							  .service = "Dataverse", .needs = "System Administrator" }, res, err);
	free(t->res->request_id);
	t->res->request_id = xstrdup(res->request_id ? res->request_id : res->client_request_id);
	dv_body_headers_free(&h);
	free(url);
	free(bucket);
	free(if_match);
	return rc;
}

static bool cancelled(const struct toggle *t)
{
	return t->o->cancel && *t->o->cancel;
}

/* Shows the plan and asks; 0 to write, -1 with err (audited) otherwise. */
static int ask(struct toggle *t, struct toggle_plan *plan, struct cs_error *err)
{
	if (t->o->show)
		t->o->show(plan, t->o->user);
	if (t->o->assume_yes)
		return 0;
	int ok = t->o->confirm ? t->o->confirm(plan, t->o->user) : -1;
	if (cancelled(t)) {
		audit(t, plan->old, "cancelled");
		return cs_fail(err, CS_EXIT_NETWORK, _("interrupted: nothing was changed"));
	}
	if (ok < 0) {
		audit(t, plan->old, "refused: no terminal to confirm and no --yes");
		return cs_fail(err, CS_EXIT_USAGE, _("no terminal to confirm the change (add --yes to confirm it in a script)"));
	}
	if (ok == 0) {
		audit(t, plan->old, "cancelled");
		return cs_fail(err, CS_EXIT_USAGE, _("not confirmed: nothing was changed"));
	}
	return 0;
}

/* One round: read, compare, plan, ask, write. 1: read again (412), 0: done, -1: failed. */
static int round_once(struct toggle *t, int round, struct cs_error *err)
{
	if (read_org(t, err))
		return -1;
	int old = t->env.sync_enabled;
	t->res->old = t->res->now = old;
	if (old == (t->o->want ? CS_TRUE : CS_FALSE)) {
		cache_set_env_sync(t->cache, t->env.id, t->o->want, t->env.org_etag, t->env.org_fetched_at, NULL);
		audit(t, old, "unchanged");
		return 0;
	}
	if (t->o->want && round == 0 && t->who.delegated && check_global_admin(t, err)) {
		audit(t, old, err->exit_code == CS_EXIT_USAGE ? "refused: not a Global Administrator"
							      : "failed: the directory roles could not be read");
		return -1;
	}
	struct toggle_plan plan = { .env = &t->env, .old = old, .want = t->o->want, .identity = t->who.name,
				    .delegated = t->who.delegated, .production = is_production(&t->env),
				    .rsc_state = CS_RSC_UNKNOWN, .round = round };
	if (t->o->want) {
		struct cache_chat_filter f = { .env_id = t->env.id };
		cache_each_chat(t->cache, &f, count_unrecorded, &plan.unrecorded, NULL);
		struct cs_rsc rsc = { 0 };
		if (cache_get_rsc(t->cache, &rsc) == 1)
			plan.rsc_state = rsc.state;
		cs_rsc_free(&rsc);
	}
	if (ask(t, &plan, err))
		return -1;
	if (cancelled(t)) {
		audit(t, old, "cancelled");
		return cs_fail(err, CS_EXIT_NETWORK, _("interrupted: nothing was changed"));
	}
	struct net_result res;
	struct cs_error perr = { 0 };
	long long ahead = audit_ahead(t, old);
	int rc = patch_org(t, &res, &perr);
	long status = res.status;
	net_result_free(&res);
	if (rc == 0) {
		/* The ETag changed with the write; the next read fetches it. */
		cache_set_env_sync(t->cache, t->env.id, t->o->want, NULL, time_now(), NULL);
		t->res->now = t->o->want ? CS_TRUE : CS_FALSE;
		audit_done(t, old, "ok", ahead);
		return 0;
	}
	if (status == 412) {
		audit_done(t, old, "conflict: changed meanwhile (412), read again", ahead);
		if (t->o->note) {
			char *line = xasprintf(_("%s changed since it was read; reading it again"), t->env.unique_name);
			t->o->note(line, t->o->user);
			free(line);
		}
		return 1;
	}
	if (status == 403) {
		audit_done(t, old, "refused: 403", ahead);
		return cs_fail(err, CS_EXIT_NETWORK,
			       t->who.delegated ? _("Dataverse refused the change for %s (403): the signed-in user may not "
						    "write the organization settings (%s)")
						: _("Dataverse refused the change for %s (403): the application user needs "
						    "the System Administrator role in this environment (%s)"),
			       t->env.unique_name, perr.msg);
	}
	char *result = xasprintf("failed: %s", perr.msg);
	audit_done(t, old, result, ahead);
	free(result);
	*err = perr;
	return -1;
}

int toggle_run(const struct conf_profile *p, struct cache *cache, const struct toggle_opts *o,
	       struct toggle_result *res, struct cs_error *err)
{
	memset(res, 0, sizeof *res);
	res->old = res->now = CS_UNKNOWN;
	struct toggle t = { .p = p, .cache = cache, .o = o, .res = res };
	if (cache_find_env(cache, o->env, &t.env, err))
		return -1;
	res->env = xstrdup(t.env.unique_name);
	res->old = res->now = t.env.sync_enabled;
	int rc = -1;
	if (o->readonly) {
		audit(&t, t.env.sync_enabled, "refused: read-only");
		cs_fail(err, CS_EXIT_USAGE, _("read-only: writes are refused (profile readonly = true or --readonly)"));
		goto out;
	}
	t.net = session_net_open(p, o->cancel, o->hooks, err);
	if (!t.net)
		goto out;
	if (auth_identity(t.net, t.env.url, &t.who, err))
		goto out;
	res->identity = xstrdup(t.who.name);
	for (int round = 0; round < TOGGLE_MAX_ROUNDS; round++) {
		int r = round_once(&t, round, err);
		if (r <= 0) {
			rc = r;
			goto out;
		}
	}
	cs_fail(err, CS_EXIT_NETWORK, _("%s kept changing while chatsync tried to write it (try again later)"),
		t.env.unique_name);
out:
	if (t.net)
		net_close(t.net);
	auth_identity_free(&t.who);
	cs_env_free(&t.env);
	return rc;
}

void toggle_result_free(struct toggle_result *res)
{
	free(res->outcome);
	free(res->identity);
	free(res->request_id);
	free(res->env);
	memset(res, 0, sizeof *res);
}
