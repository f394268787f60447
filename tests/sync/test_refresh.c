/* The refresh planner (sync/refresh.c and its phases) against a sandbox tenant: ordering, pacing
 * decisions, TTL and delta links, partial failure and cancellation. */
#include "config.h"
#include "syt.h"
#include "base/xalloc.h"
#include "core/model.h"
#include "store/cache.h"
#include "sync/strset.h"
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct syt t;
static void stop(void) { syt_stop(&t); }

/* --- ordering --- */

Test(refresh, dataverse_is_read_before_any_graph_detail, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t lines = syt_log_lines(&t), last_dv = 0, first_graph = lines;
	for (size_t i = 0; i < lines; i++) {
		char *l = syt_log_find(&t, i, "\"path\"", 0);
		cr_assert_not_null(l);
		if (strstr(l, "/api/data/v9.2/"))
			last_dv = i;
		if (strstr(l, "/installedApps") && first_graph == lines)
			first_graph = i;
		free(l);
	}
	cr_assert_lt(first_graph, lines, "no Graph detail was read");
	cr_assert_lt(last_dv, first_graph, "a Dataverse read (line %zu) came after the first Graph detail (line %zu)",
		     last_dv, first_graph);
}

/* How many token requests the sandbox answered from line `from` before the Global Discovery read. */
static size_t tokens_before_discovery(size_t from)
{
	size_t n = 0;
	for (size_t i = from;; i++) {
		char *l = syt_log_find(&t, i, "\"path\"", 0);
		cr_assert_not_null(l, "no Global Discovery read was logged after line %zu", from);
		bool disco = strstr(l, "/api/discovery/") != NULL, token = strstr(l, "/oauth2/v2.0/token") != NULL;
		free(l);
		if (disco)
			return n;
		n += token;
	}
}

Test(refresh, the_known_environments_tokens_come_while_discovery_is_read, .fini = stop, .timeout = 90)
{
	syt_start(&t, "sandbox", NULL);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	size_t mark = syt_log_lines(&t);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .no_details = true }, &rep, &err), 0, "%s", err.msg);
	size_t n_envs = rep.envs_ok;
	cr_assert_geq(n_envs, 2);
	/* A cache that knows no environment: only discovery's own token comes before its answer. */
	cr_assert_eq(tokens_before_discovery(mark), 1);
	/* Discovery slow: the environments the cache knows have their tokens before it answers. */
	syt_control(&t, "POST", "faults", "{\"latency_ms\":1500,\"path\":\"/api/discovery/\"}");
	mark = syt_log_lines(&t);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .no_details = true }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(tokens_before_discovery(mark), 1 + n_envs);
	cr_assert_eq(syt_log_count(&t, mark, "/oauth2/v2.0/token", NULL), 1 + n_envs, "a token was asked for twice");
	/* Only those of the environments the refresh was asked for. */
	char *one[] = { (char *)"contoso-sales" };
	mark = syt_log_lines(&t);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .envs = one, .n_envs = 1, .no_details = true }, &rep, &err),
		     0, "%s", err.msg);
	cr_assert_eq(rep.envs_ok, 1);
	cr_assert_eq(tokens_before_discovery(mark), 2);
	cr_assert_eq(syt_log_count(&t, mark, "/oauth2/v2.0/token", NULL), 2);
	syt_control(&t, "DELETE", "faults", NULL);
}

struct risks {
	struct strset seen;
	char **ids;
	double *risk;
	size_t n;
	cs_time now;
};

static int note_risk(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	struct risks *r = user;
	if (!ch->teams_chat_id)
		return 0;
	double left = (double)(ch->modified_in_teams_on + (cs_time)cs_env_inactivity_days(env) * 86400 - r->now);
	double risk = ch->state != CS_STATE_OPEN || !ch->modified_in_teams_on ? 1e12 : left >= 0 ? left : 1e10 - left;
	if (!strset_add(&r->seen, ch->teams_chat_id)) { /* in two environments: the riskier counts */
		size_t i = *strset_value(&r->seen, ch->teams_chat_id);
		if (risk < r->risk[i])
			r->risk[i] = risk;
		return 0;
	}
	*strset_value(&r->seen, ch->teams_chat_id) = r->n;
	r->ids = xrealloc(r->ids, (r->n + 1) * sizeof *r->ids);
	r->risk = xrealloc(r->risk, (r->n + 1) * sizeof *r->risk);
	r->ids[r->n] = xstrdup(ch->teams_chat_id);
	r->risk[r->n++] = risk;
	return 0;
}

/* The chat id of an installedApps log line, percent-decoded. */
static char *chat_of(const char *line)
{
	const char *a = strstr(line, "/chats/"), *b = strstr(line, "/installedApps");
	cr_assert(a && b && a < b, "%s", line);
	a += 7;
	char *out = xmalloc((size_t)(b - a) + 1), *o = out;
	for (; a < b; a++) {
		if (*a == '%' && isxdigit((unsigned char)a[1]) && isxdigit((unsigned char)a[2])) {
			char hex[3] = { a[1], a[2], 0 };
			*o++ = (char)strtol(hex, NULL, 16);
			a += 2;
		} else {
			*o++ = *a;
		}
	}
	*o = '\0';
	return out;
}

Test(refresh, riskiest_chats_are_fetched_first, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .no_details = true }, &rep, &err), 0, "%s", err.msg);
	size_t mark = syt_log_lines(&t);
	/* One chat at a time, so the log's order is the planner's. */
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .window = 1 }, &rep, &err), 0, "%s", err.msg);
	struct risks r = { .now = time(NULL) };
	cr_assert_eq(cache_each_chat(t.cache, NULL, note_risk, &r, NULL), 0);
	double prev = -1e300;
	size_t n = 0, open = 0;
	for (char *l; (l = syt_log_find(&t, mark, "/installedApps", n)); n++) {
		char *id = chat_of(l);
		size_t *at = strset_value(&r.seen, id);
		double risk = at ? r.risk[*at] : -1;
		cr_assert_geq(risk, 0, "a Graph read for a chat the cache does not hold: %s", id);
		/* the planner's clock ran a little before the test's */
		cr_assert_geq(risk + 5, prev, "%s (%.0f s left) came after a chat with %.0f s left", id, risk, prev);
		open += risk < 1e12;
		prev = risk;
		free(id);
		free(l);
	}
	cr_assert_geq(n, r.n, "%zu Graph reads for %zu chats", n, r.n);
	cr_assert_gt(open, 0, "no open chat in the tenant");
	for (size_t i = 0; i < r.n; i++)
		free(r.ids[i]);
	free(r.ids);
	free(r.risk);
	strset_free(&r.seen);
}

/* --- pacing decisions --- */

struct watch {
	unsigned long max_in_flight;
	size_t graph_total;
	bool saw_graph;
};

static void watch_progress(const struct refresh_progress *p, void *user)
{
	struct watch *w = user;
	if (strcmp(p->phase, "graph") != 0)
		return;
	w->saw_graph = true;
	w->graph_total = p->total;
	if (p->in_flight > w->max_in_flight)
		w->max_in_flight = p->in_flight;
}

Test(refresh, no_more_than_a_window_of_chats_is_queued_at_once, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	struct watch w = { 0 };
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .window = 4, .progress = watch_progress, .user = &w }, &rep,
				 &err), 0, "%s", err.msg);
	cr_assert(w.saw_graph);
	cr_assert_gt(w.graph_total, 20);
	/* a chat has at most two requests out at once (its apps or grants, and the chat itself), and
	 * the tenant's RSC policy is one more */
	cr_assert_leq(w.max_in_flight, 4 * 2 + 1, "%lu requests in flight with a window of 4 chats", w.max_in_flight);
	cr_assert_gt(w.max_in_flight, 1);
	cr_assert_eq(rep.details_fetched, w.graph_total);
}

Test(refresh, the_teams_limits_hold_without_throttling, .fini = stop)
{
	/* The sandbox holds the services' limits (1 installedApps read per second per chat, 30 per
	 * second per app): the planner's queue, paced by the transport, stays below them. A CI machine
	 * that stalls the sandbox may let a few through at once, so a few 429s are allowed. */
	syt_start(&t, "sandbox", NULL);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
	size_t requests = syt_log_lines(&t), throttled = syt_log_count(&t, 0, "\"status\":429", NULL);
	cr_assert_leq(throttled * 50, requests, "%zu of %zu requests throttled", throttled, requests);
	cr_assert_gt(rep.details_fetched, 0);
}

/* --- TTL and delta links --- */

Test(refresh, details_younger_than_the_ttl_are_not_fetched_again, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(syt_log_count(&t, mark, "/installedApps", NULL), 0);
	cr_assert_eq(rep.details_fetched, 0);
	sleep(2);
	mark = syt_log_lines(&t);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .detail_ttl_s = 1 }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(rep.details_fetched, syt_graph_count(&t), "past the TTL every chat is fetched again");
	cr_assert_geq(syt_log_count(&t, mark, "/installedApps", NULL), rep.details_fetched);
}

/* --- the chat RSC state (rsc_read.c) --- */

Test(refresh, the_preapproval_is_asked_with_the_client_id_the_cache_keeps, .fini = stop)
{
	const char *args[] = { "--rsc-state", "EnabledForPreApprovedAppsOnly", "--envs", "1", "--chats-per-env", "8", NULL };
	syt_start(&t, "sandbox", args);
	syt_refresh_ok(&t);
	struct cs_rsc r;
	cr_assert_eq(cache_get_rsc(t.cache, &r), 1);
	cr_assert_eq(r.state, CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY);
	cr_assert_eq(r.app_covered, CS_TRUE, "%s", r.app_covered_reason ? r.app_covered_reason : "(no reason)");
	cr_assert_eq(r.facts[CS_RSC_SRC_PREAPPROVAL].http_status, 200);
	cr_assert_eq(r.facts[CS_RSC_SRC_AUTH_POLICY].http_status, 200);
	cr_assert_eq(r.facts[CS_RSC_SRC_SETTINGS].http_status, 0, "an app does not ask for teamsAppSettings");
	cr_assert_not_null(r.facts[CS_RSC_SRC_SETTINGS].error);
	cr_assert_gt(r.facts[CS_RSC_SRC_GRANT_POLICIES].fetched_at, 0);
	cs_rsc_free(&r);
	char *id = cache_chat_sync_client_id(t.cache);
	cr_assert_not_null(id, "the app's client id came with the installed apps");
	/* Within the TTL no chat is read again, so no installed app names the client id in this run: the
	 * cache's does, and the pre-approval is asked with it, once. */
	size_t mark = syt_log_lines(&t);
	syt_refresh_ok(&t);
	cr_assert_eq(syt_log_count(&t, mark, "/installedApps", NULL), 0);
	cr_assert_eq(syt_log_count(&t, mark, "permissionGrantPreApprovalPolicies", id, "\"status\":200", NULL), 1);
	cr_assert_eq(cache_get_rsc(t.cache, &r), 1);
	cr_assert_eq(r.app_covered, CS_TRUE);
	cs_rsc_free(&r);
	free(id);
}

/* --- one refresh per cache --- */

Test(refresh, a_second_refresh_of_one_cache_waits_then_names_the_holder, .fini = stop, .timeout = 60)
{
	syt_start(&t, "sandbox", NULL);
	struct cs_error err = { 0 };
	struct cache *other = cache_open(t.cache_path, 0, &err);
	cr_assert_not_null(other, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(other, 1, NULL, &err), 0, "%s", err.msg);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	time_t t0 = time(NULL);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), -1);
	cr_assert_geq(time(NULL) - t0, CACHE_LOCK_WAIT_S - 1, "it did not wait for the other refresh");
	char pid[32];
	snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
	cr_assert(strstr(err.msg, "is being refreshed by another chatsync") && strstr(err.msg, pid), "%s", err.msg);
	cr_assert_eq(syt_log_lines(&t), mark, "a refresh that could not lock the cache sent requests");
	cache_unlock_refresh(other);
	cache_close(other);
	syt_refresh_ok(&t);
}

Test(refresh, a_kept_delta_link_reads_only_changes, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t before = syt_chat_count(&t, NULL), mark = syt_log_lines(&t);
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.05}");
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
	cr_assert(rep.delta_used);
	size_t reads = syt_log_count(&t, mark, "/api/data/v9.2/chats", NULL);
	cr_assert_gt(reads, 0);
	cr_assert_eq(reads, syt_log_count(&t, mark, "/api/data/v9.2/chats", "deltatoken", NULL));
	cr_assert_lt(rep.chats_read, before / 2, "%zu rows read by a delta of %zu chats", rep.chats_read, before);
	/* the changed chats' details are fetched again although they are younger than the TTL */
	cr_assert_gt(rep.details_fetched, 0);
	cr_assert_lt(rep.details_fetched, syt_graph_count(&t));
	/* the changed rows replaced the ones they changed: a full read shows the same chats */
	size_t after_delta = syt_chat_count(&t, NULL);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .full = true, .no_details = true }, &rep, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(syt_chat_count(&t, NULL), after_delta, "%zu chats after the delta, %zu after a full read",
		     after_delta, syt_chat_count(&t, NULL));
}

Test(refresh, a_refused_delta_link_falls_back_to_a_full_read, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t before = syt_chat_count(&t, NULL);
	char *id = syt_env_id(&t, "contoso-sales");
	char *link = cache_get_delta(t.cache, id, "chats");
	cr_assert_not_null(link);
	char *tok = strstr(link, "deltatoken=");
	cr_assert_not_null(tok);
	char *bad = xasprintf("%.*sdeltatoken=bogus", (int)(tok - link), link);
	cr_assert_eq(cache_set_delta(t.cache, id, "chats", bad, NULL), 0);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
	cr_assert_geq(syt_log_count(&t, mark, "/env/contoso-sales/api/data/v9.2/chats", "\"status\":400", NULL), 1);
	cr_assert_eq(syt_chat_count(&t, NULL), before, "the fallback lost or doubled chats");
	char *now = cache_get_delta(t.cache, id, "chats");
	cr_assert_not_null(now);
	cr_assert_null(strstr(now, "bogus"), "the refused link was kept");
	free(now);
	free(bad);
	free(link);
	free(id);
}

Test(refresh, full_ignores_delta_links_and_the_ttl, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .full = true }, &rep, &err), 0, "%s", err.msg);
	cr_assert_not(rep.delta_used);
	cr_assert_eq(syt_log_count(&t, mark, "deltatoken", NULL), 0);
	cr_assert_eq(rep.details_fetched, syt_graph_count(&t));
}

Test(refresh, one_chat_fetches_only_that_chat, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	char *l = syt_log_find(&t, 0, "/installedApps", 3);
	cr_assert_not_null(l);
	char *id = chat_of(l);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .chat = id }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(rep.details_fetched, 1);
	cr_assert_eq(syt_log_count(&t, mark, "/installedApps", "\"status\":200", NULL), 1);
	cr_assert_eq(syt_log_count(&t, mark, "authorizationPolicy", NULL), 0);
	free(id);
	free(l);
}

/* --- partial failure --- */

Test(refresh, one_failed_environment_keeps_its_rows_and_records_the_error, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	char *failed = syt_env_id(&t, "contoso-service"), *other = syt_env_id(&t, "contoso-sales");
	size_t kept = syt_chat_count(&t, failed);
	cr_assert_gt(kept, 0);
	syt_control(&t, "POST", "faults", "{\"reset\":1.0,\"path\":\"/env/contoso-service/\"}");
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.1}");
	struct refresh_report rep;
	struct cs_error err = { 0 };
	int rc = syt_refresh(&t, &(struct refresh_opts){ .full = true }, &rep, &err);
	cr_assert_eq(rc, 1, "%d: %s", rc, err.msg);
	cr_assert_eq(err.exit_code, 3);
	cr_assert(strstr(err.msg, "refresh of contoso-service failed"), "%s", err.msg);
	cr_assert_eq(rep.envs_failed, 1);
	cr_assert_eq(rep.envs_ok, 2);
	cr_assert_eq(syt_chat_count(&t, failed), kept, "the failed environment lost its rows");
	struct cs_env e;
	cr_assert_eq(cache_find_env(t.cache, failed, &e, NULL), 0);
	cr_assert_not_null(e.last_error);
	cs_env_free(&e);
	cr_assert_eq(cache_find_env(t.cache, other, &e, NULL), 0);
	cr_assert_null(e.last_error, "%s", e.last_error);
	cr_assert_gt(e.refreshed_at, 0);
	cs_env_free(&e);
	free(failed);
	free(other);
}

Test(refresh, a_failed_environment_gets_no_graph_reads, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_control(&t, "POST", "faults", "{\"malformed\":1.0,\"path\":\"/env/contoso-sales/api/data/v9.2/chats\"}");
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 1, "%s", err.msg);
	char *failed = syt_env_id(&t, "contoso-sales");
	/* never read: the environment is recorded with its error, without rows */
	struct cs_env e;
	cr_assert_eq(cache_find_env(t.cache, failed, &e, NULL), 0);
	cr_assert_not_null(e.last_error);
	cr_assert_eq(e.refreshed_at, 0);
	cs_env_free(&e);
	cr_assert_eq(syt_chat_count(&t, failed), 0);
	/* the details fetched are those of the chats read, which are the other environments' */
	cr_assert_gt(rep.details_fetched, 0);
	cr_assert_eq(syt_graph_count(&t), rep.details_fetched);
	cr_assert_leq(rep.details_fetched, syt_chat_count(&t, NULL));
	/* no Graph read for a chat of the failed environment (by the sandbox's own account of it) */
	long status;
	char *body = sandbox_control(&t.sb, "GET", "truth", NULL, &status);
	cr_assert_eq(status, 200);
	cJSON *truth = cJSON_Parse(body), *env, *chat;
	struct strset theirs = { 0 };
	cJSON_ArrayForEach(env, cJSON_GetObjectItem(truth, "environments")) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(env, "unique_name")), "contoso-sales") != 0)
			continue;
		cJSON_ArrayForEach(chat, cJSON_GetObjectItem(env, "chats"))
			strset_add(&theirs, cJSON_GetStringValue(cJSON_GetObjectItem(chat, "teams_chat_id")));
	}
	cr_assert_gt(theirs.n, 0);
	struct strset read = { 0 };
	char *l;
	for (size_t n = 0; (l = syt_log_find(&t, 0, "/installedApps", n)); n++) {
		char *id = chat_of(l);
		strset_add(&read, id);
		free(id);
		free(l);
	}
	cr_assert_gt(read.n, 0);
	for (size_t i = 0; i < theirs.cap; i++)
		cr_assert(!theirs.slots[i] || !strset_has(&read, theirs.slots[i]), "a Graph read for %s of the failed "
			  "environment", theirs.slots[i]);
	strset_free(&theirs);
	strset_free(&read);
	cJSON_Delete(truth);
	free(body);
	free(failed);
}

Test(refresh, unreadable_sync_errors_do_not_fail_the_environment, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_control(&t, "POST", "faults", "{\"malformed\":1.0,\"path\":\"/api/data/v9.2/syncerrors\"}");
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .no_details = true }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(rep.envs_ok, 3);
	cr_assert_gt(syt_chat_count(&t, NULL), 0);
}

/* --- cancellation --- */

struct stopper {
	struct syt *t;
	const char *phase;
	size_t after;
};

static void stop_at(const struct refresh_progress *p, void *user)
{
	struct stopper *s = user;
	if (strcmp(p->phase, s->phase) == 0 && p->done >= s->after)
		s->t->cancel = 1;
}

static void collect_id(const char *id, cs_time at, void *user)
{
	(void)at;
	strset_add(user, id);
}

static int collect_chat(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	strset_add(user, ch->teams_chat_id);
	return 0;
}

/* No cached detail says it was interrupted: a cancelled answer is no answer. */
static void assert_no_interrupted_details(void)
{
	struct strset ids = { 0 };
	cr_assert_eq(cache_each_graph_fetch(t.cache, collect_id, &ids, NULL), 0);
	for (size_t i = 0; i < ids.cap; i++) {
		if (!ids.slots[i])
			continue;
		struct cs_graph_chat g;
		cr_assert_eq(cache_get_graph_chat(t.cache, ids.slots[i], &g), 1);
		const char *errs[] = { g.apps_error, g.grants_error, g.chat_error };
		for (size_t k = 0; k < 3; k++)
			cr_assert(!errs[k] || !strstr(errs[k], "interrupt"), "%s: %s", ids.slots[i], errs[k]);
		cr_assert_neq(g.apps_status, -1, "%s: apps status -1", ids.slots[i]);
		cs_graph_chat_free(&g);
	}
	strset_free(&ids);
}

static size_t apps_reads(struct syt *tt, size_t from)
{
	return syt_log_count(tt, from, "/installedApps", NULL) -
	       syt_log_count(tt, from, "/installedApps", "\"status\":429", NULL);
}

Test(refresh, a_cancel_in_the_graph_phase_keeps_what_came_and_resumes_there, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	struct stopper s = { &t, "graph", 30 };
	struct refresh_report rep;
	struct cs_error err = { 0 };
	int rc = syt_refresh(&t, &(struct refresh_opts){ .window = 8, .progress = stop_at, .user = &s }, &rep, &err);
	cr_assert_eq(rc, -1, "not interrupted: %s", err.msg);
	cr_assert_eq(err.exit_code, 3);
	cr_assert(strstr(err.msg, "left"), "%s", err.msg);
	size_t total = rep.details_fetched + rep.details_left;
	cr_assert_geq(rep.details_fetched, 30);
	cr_assert_gt(rep.details_left, 0);
	cr_assert_eq(syt_graph_count(&t), rep.details_fetched, "a chat cut off by the cancel was recorded");
	assert_no_interrupted_details();
	struct strset chats = { 0 };
	cr_assert_eq(cache_each_chat(t.cache, NULL, collect_chat, &chats, NULL), 0);
	cr_assert_eq(total, chats.n, "%zu fetched and left, %zu chats", total, chats.n);
	strset_free(&chats);
	/* the next refresh fetches exactly the chats left, and nothing after */
	size_t left = rep.details_left, mark = syt_log_lines(&t);
	t.cancel = 0;
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(rep.details_fetched, left);
	cr_assert_eq(rep.details_left, 0);
	cr_assert_eq(apps_reads(&t, mark), left);
	cr_assert_eq(syt_graph_count(&t), total);
	assert_no_interrupted_details();
}

Test(refresh, a_cancel_in_the_dataverse_phase_writes_nothing, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	size_t before = syt_chat_count(&t, NULL), details = syt_graph_count(&t);
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.2}");
	syt_control(&t, "POST", "faults", "{\"latency_ms\":2000,\"path\":\"/api/data/v9.2/\"}");
	struct stopper s = { &t, "dataverse", 0 };
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .full = true, .progress = stop_at, .user = &s }, &rep, &err),
		     -1);
	cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
	cr_assert_eq(rep.envs_ok, 0);
	cr_assert_eq(syt_chat_count(&t, NULL), before);
	cr_assert_eq(syt_graph_count(&t), details);
	cr_assert_eq(syt_log_count(&t, mark, "/installedApps", NULL), 0);
	struct cs_env *envs;
	size_t n;
	cr_assert_eq(cache_list_envs(t.cache, &envs, &n, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert(envs[i].last_error && strstr(envs[i].last_error, "interrupted"), "%s: %s", envs[i].unique_name,
			  envs[i].last_error);
		cs_env_free(&envs[i]);
	}
	free(envs);
}

/* --- the planner's set --- */

Test(refresh, a_cancel_before_the_rsc_sources_answer_keeps_the_last_state, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	struct cs_rsc before;
	cr_assert_eq(cache_get_rsc(t.cache, &before), 1);
	/* every RSC source slow, and the refresh cancelled as its Graph phase starts */
	syt_control(&t, "POST", "faults", "{\"latency_ms\":3000,\"path\":\"policies/\"}");
	sleep(1); /* a newer read would have a newer time */
	struct stopper s = { &t, "graph", 0 };
	struct refresh_report rep;
	struct cs_error err = { 0 };
	int rc = syt_refresh(&t, &(struct refresh_opts){ .full = true, .progress = stop_at, .user = &s }, &rep, &err);
	cr_assert_eq(rc, -1, "not interrupted: %s", err.msg);
	struct cs_rsc after;
	cr_assert_eq(cache_get_rsc(t.cache, &after), 1);
	cr_assert_eq(after.fetched_at, before.fetched_at, "nothing of a cancelled RSC read is written");
	cr_assert_eq(after.state, before.state);
	cr_assert_eq(after.facts[CS_RSC_SRC_AUTH_POLICY].fetched_at, before.facts[CS_RSC_SRC_AUTH_POLICY].fetched_at);
	cs_time read_at = before.fetched_at;
	cs_rsc_free(&before);
	cs_rsc_free(&after);
	/* and the next refresh reads it again */
	t.cancel = 0;
	syt_control(&t, "DELETE", "faults", NULL);
	syt_refresh_ok(&t);
	cr_assert_eq(cache_get_rsc(t.cache, &after), 1);
	cr_assert_gt(after.fetched_at, read_at);
	cs_rsc_free(&after);
}

Test(strset, holds_each_string_once_through_growth)
{
	struct strset s = { 0 };
	char buf[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "19:%d@thread.v2", i);
		cr_assert(strset_add(&s, buf));
	}
	for (int i = 0; i < 20000; i += 7) {
		snprintf(buf, sizeof buf, "19:%d@thread.v2", i);
		cr_assert_not(strset_add(&s, buf), "%s added twice", buf);
		cr_assert(strset_has(&s, buf));
	}
	cr_assert_not(strset_has(&s, "19:20000@thread.v2"));
	cr_assert_not(strset_has(&s, NULL));
	cr_assert_not(strset_add(&s, NULL));
	cr_assert_eq(s.n, 20000);
	/* a number kept with each string survives the table's growth */
	struct strset m = { 0 };
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof buf, "chat-%d", i);
		strset_add(&m, buf);
		*strset_value(&m, buf) = (size_t)i * 3;
	}
	for (int i = 0; i < 5000; i += 13) {
		snprintf(buf, sizeof buf, "chat-%d", i);
		cr_assert_eq(*strset_value(&m, buf), (size_t)i * 3, "%s", buf);
	}
	cr_assert_null(strset_value(&m, "chat-5000"));
	strset_free(&m);
	strset_free(&s);
	cr_assert_not(strset_has(&s, "x"));
}
