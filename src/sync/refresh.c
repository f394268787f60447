/* Phase 1 of a refresh: Global Discovery, then each environment's Dataverse rows, in parallel. */
#include "config.h"
#include "sync/refresh_int.h"
#include "api/dv_batch.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "auth/auth.h"
#include "net/http.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct job {
	struct refresh *r;
	struct cs_env env;
	char *bucket;
	int pending;
	char *error;
	bool chats_delta, assocs_delta;
	struct cs_chat *chats;
	size_t n_chats, cap_chats;
	struct cs_assoc *assocs;
	size_t n_assocs, cap_assocs;
	struct cs_party *parties;
	char **party_act;
	size_t n_parties, cap_parties;
	struct cs_sync_error *errs;
	char **err_reg;
	size_t n_errs, cap_errs;
	bool errs_ok;
	char **del_chats, **del_assocs;
	size_t n_del_chats, n_del_assocs;
	char *chats_link, *assocs_link;
};

#define GROW(arr, n, cap)                                                 \
	do {                                                              \
		if ((n) == (cap)) {                                       \
			(cap) = (cap) ? (cap) * 2 : 64;                   \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr));   \
		}                                                         \
	} while (0)

void refresh_note_changed(struct refresh *r, const char *id)
{
	if (!id)
		return;
	GROW(r->changed, r->n_changed, r->cap_changed);
	r->changed[r->n_changed++] = xstrdup(id);
}

void refresh_report_progress(struct refresh *r, const char *phase, const char *env, size_t done, size_t total)
{
	struct net_stats st;
	net_stats_get(r->net, &st);
	r->rep->requests = st.sent;
	r->rep->throttled = st.throttled;
	r->rep->errors = st.errors;
	if (!r->opts->progress)
		return;
	struct refresh_progress p = { .phase = phase, .env = env, .done = done, .total = total,
				      .requests = st.sent, .throttled = st.throttled, .errors = st.errors };
	r->opts->progress(&p, r->opts->user);
}

static void job_fail(struct job *j, const char *msg)
{
	if (!j->error)
		j->error = xstrdup(msg);
}

static void job_finish(struct job *j);

static void job_queue_req(struct job *j, struct net_request *req)
{
	struct cs_error err = { 0 };
	req->bucket = j->bucket;
	req->resource = j->env.url;
	req->service = "Dataverse";
	req->user = j;
	j->pending++;
	if (net_queue(j->r->net, req, &err)) {
		j->pending--;
		job_fail(j, err.msg);
	}
}

static void job_queue(struct job *j, const char *url, const char *const *headers, net_done_fn fn)
{
	job_queue_req(j, &(struct net_request){ .url = url, .headers = headers, .done = fn });
}

/* The end of one request of a job; the job is written when its last request is done. */
static void job_done_one(struct job *j)
{
	if (--j->pending == 0)
		job_finish(j);
}

/* A kept delta link that the service no longer accepts (expired token, 4xx) means a full read. */
static bool delta_expired(const struct net_response *resp)
{
	return resp->status >= 400 && resp->status < 500 && resp->status != 401 && resp->status != 403 &&
	       resp->status != 429;
}

static void on_org(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	struct cs_error err = { 0 };
	if (resp->err)
		job_fail(j, resp->err->msg);
	else if (dv_parse_organization(resp->body, &j->env, &err))
		job_fail(j, err.msg);
	else
		j->env.org_fetched_at = j->r->now;
	job_done_one(j);
}

static void queue_chats_full(struct job *j);
static void queue_parties_of_changed(struct job *j);

static void on_chats(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	struct cs_error err = { 0 };
	struct cs_chat *rows;
	size_t n;
	struct dv_page page;
	if (resp->err && j->chats_delta && delta_expired(resp)) {
		log_info("%s: the chats delta link was refused (%ld); reading everything", j->env.unique_name,
			 resp->status);
		for (size_t i = 0; i < j->n_chats; i++)
			cs_chat_free(&j->chats[i]);
		j->n_chats = 0;
		j->chats_delta = false;
		queue_chats_full(j);
	} else if (resp->err) {
		job_fail(j, resp->err->msg);
	} else if (dv_parse_chats(resp->body, j->env.id, j->r->now, &rows, &n, &page, &err)) {
		job_fail(j, err.msg);
	} else {
		for (size_t i = 0; i < n; i++) {
			GROW(j->chats, j->n_chats, j->cap_chats);
			j->chats[j->n_chats++] = rows[i];
		}
		free(rows);
		for (size_t i = 0; i < page.n_deleted; i++) {
			j->del_chats = xrealloc(j->del_chats, (j->n_del_chats + 1) * sizeof *j->del_chats);
			j->del_chats[j->n_del_chats++] = page.deleted[i];
		}
		page.n_deleted = 0;
		if (page.next_link) {
			job_queue(j, page.next_link, j->chats_delta ? dv_headers_read : dv_headers_track, on_chats);
		} else {
			free(j->chats_link);
			j->chats_link = page.delta_link;
			page.delta_link = NULL;
			if (j->chats_delta)
				queue_parties_of_changed(j);
		}
		dv_page_free(&page);
	}
	job_done_one(j);
}

static void on_parties(struct net *net, const struct net_response *resp, void *user);

/* Adds the parties of one answer; queues its next page. */
static void add_parties(struct job *j, const char *body)
{
	struct cs_error err = { 0 };
	struct cs_party *parties;
	char **acts;
	size_t n;
	struct dv_page page;
	if (dv_parse_parties(body, &parties, &acts, &n, &page, &err)) {
		job_fail(j, err.msg);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (j->n_parties == j->cap_parties) {
				j->cap_parties = j->cap_parties ? j->cap_parties * 2 : 64;
				j->parties = xrealloc(j->parties, j->cap_parties * sizeof *j->parties);
				j->party_act = xrealloc(j->party_act, j->cap_parties * sizeof *j->party_act);
			}
			j->parties[j->n_parties] = parties[i];
			j->party_act[j->n_parties++] = acts[i];
		}
		free(parties);
		free(acts);
		if (page.next_link)
			job_queue(j, page.next_link, dv_headers_read, on_parties);
		dv_page_free(&page);
	}
}

static void on_parties(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	if (resp->err)
		job_fail(j, resp->err->msg);
	else
		add_parties(j, resp->body);
	job_done_one(j);
}

static void on_parties_batch(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	struct cs_error err = { 0 };
	struct dv_batch_part *parts;
	size_t n;
	if (resp->err) {
		job_fail(j, resp->err->msg);
	} else if (dv_parse_batch(net_response_header(resp, "Content-Type"), resp->body, &parts, &n, &err)) {
		job_fail(j, err.msg);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (parts[i].status == 200) {
				add_parties(j, parts[i].body);
			} else {
				char *msg = xasprintf(_("a read of chat participants inside a $batch answered %d"), parts[i].status);
				job_fail(j, msg);
				free(msg);
			}
		}
		dv_batch_parts_free(parts, n);
	}
	job_done_one(j);
}

static void on_assocs(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	struct cs_error err = { 0 };
	struct cs_assoc *rows;
	size_t n;
	struct dv_page page;
	if (resp->err && j->assocs_delta && delta_expired(resp)) {
		for (size_t i = 0; i < j->n_assocs; i++)
			cs_assoc_free(&j->assocs[i]);
		j->n_assocs = 0;
		j->assocs_delta = false;
		char *url = dv_url_associations(&j->env);
		job_queue(j, url, dv_headers_track, on_assocs);
		free(url);
	} else if (resp->err) {
		job_fail(j, resp->err->msg);
	} else if (dv_parse_assocs(resp->body, j->env.id, j->r->now, &rows, &n, &page, &err)) {
		job_fail(j, err.msg);
	} else {
		for (size_t i = 0; i < n; i++) {
			GROW(j->assocs, j->n_assocs, j->cap_assocs);
			j->assocs[j->n_assocs++] = rows[i];
			if (j->assocs_delta)
				refresh_note_changed(j->r, rows[i].teams_chat_id);
		}
		free(rows);
		for (size_t i = 0; i < page.n_deleted; i++) {
			j->del_assocs = xrealloc(j->del_assocs, (j->n_del_assocs + 1) * sizeof *j->del_assocs);
			j->del_assocs[j->n_del_assocs++] = page.deleted[i];
		}
		page.n_deleted = 0;
		if (page.next_link) {
			job_queue(j, page.next_link, j->assocs_delta ? dv_headers_read : dv_headers_track, on_assocs);
		} else {
			free(j->assocs_link);
			j->assocs_link = page.delta_link;
			page.delta_link = NULL;
		}
		dv_page_free(&page);
	}
	job_done_one(j);
}

static void on_sync_errors(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct job *j = user;
	struct cs_error err = { 0 };
	struct cs_sync_error *rows;
	char **reg;
	size_t n;
	struct dv_page page;
	if (resp->err) {
		/* Sync errors are evidence, not the list of chats: without them the refresh goes on and the
		 * cache keeps the ones it had. */
		log_warn("%s: could not read sync errors: %s", j->env.unique_name, resp->err->msg);
		j->errs_ok = false;
	} else if (dv_parse_sync_errors(resp->body, &rows, &reg, &n, &page, &err)) {
		log_warn("%s: %s", j->env.unique_name, err.msg);
		j->errs_ok = false;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (j->n_errs == j->cap_errs) {
				j->cap_errs = j->cap_errs ? j->cap_errs * 2 : 16;
				j->errs = xrealloc(j->errs, j->cap_errs * sizeof *j->errs);
				j->err_reg = xrealloc(j->err_reg, j->cap_errs * sizeof *j->err_reg);
			}
			j->errs[j->n_errs] = rows[i];
			j->err_reg[j->n_errs++] = reg[i];
		}
		free(rows);
		free(reg);
		if (page.next_link)
			job_queue(j, page.next_link, dv_headers_read, on_sync_errors);
		dv_page_free(&page);
	}
	job_done_one(j);
}

static void queue_chats_full(struct job *j)
{
	char *url = dv_url_chats(&j->env), *parties = dv_url_chat_parties(&j->env);
	job_queue(j, url, dv_headers_track, on_chats);
	job_queue(j, parties, dv_headers_read, on_parties);
	free(url);
	free(parties);
}

/* The participants of the chats a delta read returned: one GET for one chat, else $batch requests of
 * up to DV_BATCH_MAX reads each, which saves a round trip per chat. */
static void queue_parties_of_changed(struct job *j)
{
	if (j->n_chats == 1) {
		char *url = dv_url_parties_of(&j->env, j->chats[0].activity_id);
		job_queue(j, url, dv_headers_read, on_parties);
		free(url);
		return;
	}
	char *batch_url = dv_url(&j->env, "$batch");
	for (size_t start = 0; start < j->n_chats; start += DV_BATCH_MAX) {
		size_t n = j->n_chats - start < DV_BATCH_MAX ? j->n_chats - start : DV_BATCH_MAX;
		char **urls = xcalloc(n, sizeof *urls);
		for (size_t i = 0; i < n; i++)
			urls[i] = dv_url_parties_of(&j->env, j->chats[start + i].activity_id);
		char *ct, *body = dv_batch_body(urls, n, &ct);
		char *ct_header = xasprintf("Content-Type: %s", ct);
		const char *headers[] = { "Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0",
					  "Prefer: odata.include-annotations=\"*\"", ct_header, NULL };
		job_queue_req(j, &(struct net_request){ .method = "POST", .url = batch_url, .headers = headers,
							.body = body, .flags = NET_F_IDEMPOTENT, .done = on_parties_batch });
		for (size_t i = 0; i < n; i++)
			free(urls[i]);
		free(urls);
		free(ct);
		free(ct_header);
		free(body);
	}
	free(batch_url);
}

static int cmp_party(const void *a, const void *b, void *acts)
{
	char **act = acts;
	return strcmp(act[*(const size_t *)a], act[*(const size_t *)b]);
}

/* Hands each chat its participants (moved out of the job's list). */
static void attach_parties(struct job *j)
{
	size_t *idx = xcalloc(j->n_parties + 1, sizeof *idx);
	for (size_t i = 0; i < j->n_parties; i++)
		idx[i] = i;
	qsort_r(idx, j->n_parties, sizeof *idx, cmp_party, j->party_act);
	for (size_t c = 0; c < j->n_chats; c++) {
		struct cs_chat *ch = &j->chats[c];
		size_t lo = 0, hi = j->n_parties;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(j->party_act[idx[mid]], ch->activity_id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < j->n_parties && strcmp(j->party_act[idx[k]], ch->activity_id) == 0; k++) {
			ch->parties = xrealloc(ch->parties, (ch->n_parties + 1) * sizeof *ch->parties);
			ch->parties[ch->n_parties++] = j->parties[idx[k]];
			memset(&j->parties[idx[k]], 0, sizeof j->parties[idx[k]]);
		}
	}
	free(idx);
}

static int job_write(struct job *j, struct cs_error *err)
{
	struct cache *c = j->r->cache;
	if (cache_begin(c, err))
		return -1;
	j->env.refreshed_at = j->r->now;
	free(j->env.last_error);
	j->env.last_error = NULL;
	int rc = cache_put_env(c, &j->env, err);
	if (!rc && !j->chats_delta)
		rc = cache_clear_env_table(c, j->env.id, CACHE_ROWS_CHATS, err);
	for (size_t i = 0; !rc && i < j->n_del_chats; i++)
		rc = cache_delete_chat(c, j->del_chats[i], err);
	for (size_t i = 0; !rc && i < j->n_chats; i++)
		rc = cache_put_chat(c, &j->chats[i], err);
	if (!rc && !j->assocs_delta)
		rc = cache_clear_env_table(c, j->env.id, CACHE_ROWS_ASSOCIATIONS, err);
	for (size_t i = 0; !rc && i < j->n_del_assocs; i++)
		rc = cache_delete_assoc(c, j->del_assocs[i], err);
	for (size_t i = 0; !rc && i < j->n_assocs; i++)
		rc = cache_put_assoc(c, &j->assocs[i], err);
	if (!rc && j->errs_ok) {
		rc = cache_clear_env_table(c, j->env.id, CACHE_ROWS_SYNC_ERRORS, err);
		for (size_t i = 0; !rc && i < j->n_errs; i++)
			rc = cache_put_sync_error(c, j->env.id, j->err_reg[i], &j->errs[i], j->r->now, err);
	}
	if (!rc)
		rc = cache_set_delta(c, j->env.id, "chats", j->chats_link, err);
	if (!rc)
		rc = cache_set_delta(c, j->env.id, "msdyn_teamschatassociations", j->assocs_link, err);
	if (rc) {
		cache_rollback(c);
		return -1;
	}
	return cache_commit(c, err);
}

static void job_finish(struct job *j)
{
	struct refresh *r = j->r;
	struct cs_error err = { 0 };
	if (!j->error) {
		attach_parties(j);
		if (j->chats_delta)
			for (size_t i = 0; i < j->n_chats; i++)
				refresh_note_changed(r, j->chats[i].teams_chat_id);
		if (job_write(j, &err))
			job_fail(j, err.msg);
	}
	if (j->error) {
		r->rep->envs_failed++;
		char *msg = xasprintf(_("refresh of %s failed: %s"), j->env.unique_name, j->error);
		log_error("%s", msg);
		/* The environment keeps its last good data; only the error is recorded with it. */
		struct cs_env known;
		if (cache_find_env(r->cache, j->env.id, &known, NULL) == 0) {
			cs_env_free(&known);
			cache_set_env_error(r->cache, j->env.id, j->error, NULL);
		} else if (cache_put_env(r->cache, &j->env, NULL) == 0) { /* never refreshed: record it to say so */
			cache_set_env_error(r->cache, j->env.id, j->error, NULL);
		}
		if (!r->have_err) {
			cs_fail(&r->first_err, CS_EXIT_NETWORK, "%s", msg);
			r->have_err = true;
		}
		free(msg);
	} else {
		r->rep->envs_ok++;
		r->rep->chats_read += j->n_chats;
		r->rep->chats_deleted += j->n_del_chats;
		if (j->chats_delta)
			r->rep->delta_used = true;
	}
	r->envs_done++;
	refresh_report_progress(r, "dataverse", j->env.unique_name, r->envs_done, r->envs_total);
}

static void job_start(struct job *j, bool full)
{
	char *org = dv_url_organization(&j->env);
	job_queue(j, org, dv_headers_read, on_org);
	free(org);
	char *link = full ? NULL : cache_get_delta(j->r->cache, j->env.id, "chats");
	if (link) {
		j->chats_delta = true;
		job_queue(j, link, dv_headers_track, on_chats);
		free(link);
	} else {
		queue_chats_full(j);
	}
	link = full ? NULL : cache_get_delta(j->r->cache, j->env.id, "msdyn_teamschatassociations");
	if (link) {
		j->assocs_delta = true;
		job_queue(j, link, dv_headers_track, on_assocs);
		free(link);
	} else {
		char *url = dv_url_associations(&j->env);
		job_queue(j, url, dv_headers_track, on_assocs);
		free(url);
	}
	char *errs = dv_url_sync_errors(&j->env);
	j->errs_ok = true;
	job_queue(j, errs, dv_headers_read, on_sync_errors);
	free(errs);
}

static void job_free(struct job *j)
{
	cs_env_free(&j->env);
	free(j->bucket);
	free(j->error);
	for (size_t i = 0; i < j->n_chats; i++)
		cs_chat_free(&j->chats[i]);
	free(j->chats);
	for (size_t i = 0; i < j->n_assocs; i++)
		cs_assoc_free(&j->assocs[i]);
	free(j->assocs);
	for (size_t i = 0; i < j->n_parties; i++) {
		free(j->parties[i].party_id);
		free(j->parties[i].name);
		free(j->party_act[i]);
	}
	free(j->parties);
	free(j->party_act);
	for (size_t i = 0; i < j->n_errs; i++) {
		cs_sync_error_free(&j->errs[i]);
		free(j->err_reg[i]);
	}
	free(j->errs);
	free(j->err_reg);
	for (size_t i = 0; i < j->n_del_chats; i++)
		free(j->del_chats[i]);
	free(j->del_chats);
	for (size_t i = 0; i < j->n_del_assocs; i++)
		free(j->del_assocs[i]);
	free(j->del_assocs);
	free(j->chats_link);
	free(j->assocs_link);
}

static bool wanted(const struct refresh_opts *o, const struct cs_env *e)
{
	if (o->n_envs == 0)
		return true;
	for (size_t i = 0; i < o->n_envs; i++)
		if ((e->unique_name && strcasecmp(o->envs[i], e->unique_name) == 0) ||
		    (e->friendly_name && strcasecmp(o->envs[i], e->friendly_name) == 0) ||
		    (e->id && strcasecmp(o->envs[i], e->id) == 0))
			return true;
	return false;
}

/* Reads Global Discovery; returns the instances (caller frees). */
static int discover(struct refresh *r, struct cs_env **envs, size_t *n, struct cs_error *err)
{
	char *url = api_discovery_instances_url(r->profile);
	struct net_result res;
	int rc = net_fetch(r->net, &(struct net_request){ .url = url, .headers = dv_headers_read, .bucket = "discovery",
							  .resource = conf_discovery_resource(r->profile),
							  .service = "Global Discovery" }, &res, err);
	free(url);
	if (rc == 0)
		rc = dv_parse_instances(res.body, envs, n, err);
	net_result_free(&res);
	return rc;
}

int refresh_run(struct net *net, struct cache *cache, const struct refresh_opts *opts, struct refresh_report *rep,
		struct cs_error *err)
{
	struct refresh r = { .net = net, .cache = cache, .profile = auth_profile(net), .opts = opts, .rep = rep,
			     .now = time_now() };
	memset(rep, 0, sizeof *rep);
	refresh_report_progress(&r, "discovery", NULL, 0, 1);
	struct cs_env *envs;
	size_t n_envs;
	if (discover(&r, &envs, &n_envs, err))
		return -1;
	for (size_t i = 0; i < opts->n_envs; i++) {
		bool found = false;
		for (size_t k = 0; k < n_envs && !found; k++)
			found = wanted(&(struct refresh_opts){ .envs = &opts->envs[i], .n_envs = 1 }, &envs[k]);
		if (!found) {
			for (size_t k = 0; k < n_envs; k++)
				cs_env_free(&envs[k]);
			free(envs);
			return cs_fail(err, CS_EXIT_USAGE, _("Global Discovery lists no environment \"%s\" for this "
							     "sign-in (see: chatsync envs)"), opts->envs[i]);
		}
	}
	struct job *jobs = xcalloc(n_envs + 1, sizeof *jobs);
	size_t n_jobs = 0;
	for (size_t i = 0; i < n_envs; i++) {
		if (!wanted(opts, &envs[i]) || envs[i].state != 0) {
			cs_env_free(&envs[i]);
			continue;
		}
		struct job *j = &jobs[n_jobs++];
		j->r = &r;
		j->env = envs[i];
		/* Keep what the cache knew until the organization row says otherwise. */
		struct cs_env old;
		if (cache_find_env(cache, j->env.id, &old, NULL) == 0) {
			j->env.sync_enabled = old.sync_enabled;
			j->env.inactivity_days = old.inactivity_days;
			cs_env_free(&old);
		}
		j->bucket = dv_bucket(&j->env);
	}
	free(envs);
	r.envs_total = n_jobs;
	refresh_report_progress(&r, "dataverse", NULL, 0, n_jobs);
	for (size_t i = 0; i < n_jobs; i++)
		job_start(&jobs[i], opts->full);
	int rc = net_run(net, err);
	char **ids = xcalloc(n_jobs + 1, sizeof *ids);
	size_t n_ids = 0;
	for (size_t i = 0; i < n_jobs; i++)
		if (!jobs[i].error && jobs[i].pending == 0)
			ids[n_ids++] = xstrdup(jobs[i].env.id);
	for (size_t i = 0; i < n_jobs; i++)
		job_free(&jobs[i]);
	free(jobs);
	if (rc == 0 && !opts->no_details)
		rc = refresh_details(&r, ids, n_ids, err);
	for (size_t i = 0; i < n_ids; i++)
		free(ids[i]);
	free(ids);
	for (size_t i = 0; i < r.n_changed; i++)
		free(r.changed[i]);
	free(r.changed);
	refresh_report_progress(&r, "done", NULL, 1, 1);
	if (rc)
		return -1;
	if (r.have_err) {
		*err = r.first_err;
		return 1;
	}
	return 0;
}
