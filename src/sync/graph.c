/* Phase 2 of a refresh: the tenant's chat RSC state and each chat's Graph details (installed apps,
 * permission grants, and the chat itself when Dataverse has no row for it), riskiest chats first.
 * At most a window of chats is queued at once, and apart from them a window of chat reads: those
 * go to a bucket of their own (5 rps, not installedApps' 30), so they run alongside the scan from
 * its start instead of after it (the chats without an activity row are the least at risk, so
 * they come last in the scan's order). Finished chats are written by the loop in
 * transactions of REFRESH_DETAIL_BATCH, so a kill keeps what was fetched. A request cancelled
 * before its answer records nothing: that chat is fetched again, first, by the next refresh. */
#include "config.h"
#include "sync/refresh_ctx.h"
#include "sync/rsc_read.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_WINDOW 256

struct graph;

struct detail {
	struct graph *gr;
	struct cs_graph_chat g;
	bool need_chat;     /* no activity row: Graph's topic is all we can show */
	bool cancelled;     /* one of its requests was cancelled: nothing of it is recorded */
	bool chat_queued;   /* its chat read was queued */
	/* Requests out, plus one until its installedApps read is queued (queue_chat): a chat read
	 * that answers before then does not finish the detail. */
	int pending;
	double risk;        /* smaller first */
};

struct graph {
	struct refresh *r;
	struct vec d;          /* struct detail, riskiest first */
	size_t next;           /* the next detail to queue */
	size_t in_flight;      /* details queued and not finished */
	size_t next_chat;      /* the next detail whose chat read may be due */
	size_t chats_in_flight; /* chat reads queued and not answered */
	size_t window;
	struct vec ready;      /* size_t: finished details not yet written */
	size_t finished;       /* finished details, cancelled ones left out */
	size_t written;
	struct rsc_read *rsc;  /* the tenant's chat RSC state, read alongside (rsc_read.c) */
	struct strset fresh, seen;
	cs_time ttl_start;
	bool write_failed;
	struct cs_error write_err;
};

/* --- candidates --- */

static void note_fetch(const char *id, cs_time fetched_at, void *user)
{
	struct graph *gr = user;
	if (id && fetched_at >= gr->ttl_start)
		strset_add(&gr->fresh, id);
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
	struct graph *gr = user;
	struct refresh *r = gr->r;
	if (!env || !strset_has(&r->ok_envs, env->id) || !ch->teams_chat_id)
		return 0;
	if (r->opts->chat && strcmp(r->opts->chat, ch->teams_chat_id) != 0)
		return 0;
	if (!r->opts->chat && strset_has(&gr->fresh, ch->teams_chat_id) && !strset_has(&r->changed, ch->teams_chat_id))
		return 0;
	double risk = risk_of(ch, env, r->now);
	if (!strset_add(&gr->seen, ch->teams_chat_id)) {
		/* one chat connected in two environments: fetched once, as early as the riskier asks */
		struct detail *d = VEC_AT(&gr->d, struct detail, *strset_value(&gr->seen, ch->teams_chat_id));
		if (risk < d->risk)
			d->risk = risk;
		d->need_chat = d->need_chat || ch->activity_id == NULL;
		return 0;
	}
	*strset_value(&gr->seen, ch->teams_chat_id) = gr->d.n;
	struct detail *d = vec_push(&gr->d);
	d->gr = gr;
	d->g.teams_chat_id = xstrdup(ch->teams_chat_id);
	d->g.app_installed = d->g.app_has_grant = CS_UNKNOWN;
	d->need_chat = ch->activity_id == NULL;
	d->risk = risk;
	d->pending = 1; /* until queue_chat */
	return 0;
}

static int cmp_risk(const void *a, const void *b)
{
	const struct detail *x = a, *y = b;
	if (x->risk != y->risk)
		return (x->risk > y->risk) - (x->risk < y->risk);
	return strcmp(x->g.teams_chat_id, y->g.teams_chat_id); /* the same order every run */
}

/* --- answers --- */

static void detail_done_one(struct detail *d)
{
	if (--d->pending > 0)
		return;
	struct graph *gr = d->gr;
	gr->in_flight--;
	if (!d->cancelled) {
		gr->finished++;
		*(size_t *)vec_push(&gr->ready) = (size_t)(d - (struct detail *)gr->d.data);
	}
}

/* Records a refused or failed call as a fact: its status and the sentence saying what would let it run. */
static void record_failure(const struct net_response *resp, int *status, char **error)
{
	*status = resp->status ? (int)resp->status : -1;
	free(*error);
	*error = xstrdup(resp->err ? resp->err->msg : _("no answer"));
}

static bool queue_detail(struct detail *d, const char *url, const char *bucket, const char *needs, net_done_fn fn)
{
	struct refresh *r = d->gr->r;
	struct cs_error err = { 0 };
	d->pending++;
	if (net_queue(r->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = bucket,
						      .resource = conf_graph_resource(r->profile), .service = "Graph",
						      .needs = needs, .done = fn, .user = d }, &err)) {
		d->pending--;
		log_error("%s", err.msg);
		return false;
	}
	return true;
}

typedef int (*answer_parse_fn)(struct detail *d, const char *body, struct cs_error *err);

/* Counts a fact that could not be read in the report, by class. */
static void count_failure(struct refresh_report *rep, long status, bool unparsable, const char *needs)
{
	if (unparsable)
		rep->unparsable++;
	else if (status == 403) {
		rep->denied++;
		refresh_ctx_list_add(rep->denied_needs, sizeof rep->denied_needs, needs);
	} else if (status == 404)
		rep->not_found++;
	else
		rep->server_errors++; /* 5xx, 429 past its retries, or no answer at all */
}

/* Records one answer about a chat: when, and its status or the sentence saying why it failed. A
 * cancelled request records nothing (the chat is then fetched again). Returns 1 when it parsed. */
static int record_answer(struct detail *d, const struct net_response *resp, answer_parse_fn parse,
			 const char *needs, int *status, char **error, cs_time *fetched_at)
{
	struct cs_error err = { 0 };
	if (resp->cancelled) {
		d->cancelled = true;
		return 0;
	}
	*fetched_at = d->gr->r->now;
	if (resp->err) {
		record_failure(resp, status, error);
		count_failure(d->gr->r->rep, resp->status, false, needs);
	} else if (parse(d, resp->body, &err)) {
		*status = -1;
		free(*error);
		*error = xstrdup(err.msg);
		count_failure(d->gr->r->rep, resp->status, true, needs);
	} else {
		*status = (int)resp->status;
		return 1;
	}
	return 0;
}

static int parse_grants(struct detail *d, const char *body, struct cs_error *err)
{
	return graph_parse_grants(body, &d->g, err);
}

static int parse_apps(struct detail *d, const char *body, struct cs_error *err)
{
	return graph_parse_installed_apps(body, d->gr->r->profile->chat_sync_app, &d->g, err);
}

static int parse_chat(struct detail *d, const char *body, struct cs_error *err)
{
	return graph_parse_chat(body, &d->g, err);
}

/* A delegated sign-in sees only the chats its user is a member of (Graph answers 403 for the others):
 * that is a fact about the sign-in, not a missing permission. Records it and returns true. */
static bool not_a_member(struct detail *d, const struct net_response *resp, int *status, char **error,
			 cs_time *fetched_at)
{
	if (resp->cancelled || resp->status != 403 || !CONF_AUTH_DELEGATED(d->gr->r->profile->auth))
		return false;
	if (!d->g.not_member) /* one chat, however many of its reads were refused */
		d->gr->r->rep->not_member++;
	d->g.not_member = true;
	*status = 403;
	*fetched_at = d->gr->r->now;
	free(*error);
	*error = xstrdup(_("not a member of this chat: a delegated sign-in sees only its own chats; use an app profile "
			   "(auth = client-secret or certificate) to read every chat"));
	return true;
}

static void on_grants(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	record_answer(d, resp, parse_grants, GRAPH_PERM_GRANTS, &d->g.grants_status, &d->g.grants_error, &d->g.grants_fetched_at);
	detail_done_one(d);
}

static void on_apps(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	struct refresh *r = d->gr->r;
	if (resp->status == 404 && !resp->cancelled) {
		/* The chat is gone in Teams: nothing else about it can be read. */
		r->rep->not_found++;
		d->g.apps_fetched_at = d->g.chat_fetched_at = r->now;
		d->g.apps_status = d->g.chat_status = 404;
	} else if (not_a_member(d, resp, &d->g.apps_status, &d->g.apps_error, &d->g.apps_fetched_at)) {
		/* nothing under the chat can be read with this sign-in: its grants are not asked */
	} else if (record_answer(d, resp, parse_apps, GRAPH_PERM_APPS, &d->g.apps_status, &d->g.apps_error, &d->g.apps_fetched_at)) {
		if (!d->g.chat_status) { /* an answer about its apps means the chat exists */
			d->g.chat_status = 200;
			d->g.chat_fetched_at = r->now;
		}
		if (d->g.app_installed == CS_TRUE)
			rsc_read_hint(d->gr->rsc, d->g.app_client_id);
	}
	if (!d->cancelled && d->g.apps_status != 404 && !d->g.not_member) {
		char *url = graph_url_grants(r->profile, d->g.teams_chat_id);
		queue_detail(d, url, "graph:teams:permissionGrants", GRAPH_PERM_GRANTS, on_grants);
		free(url);
	}
	detail_done_one(d);
}

static void on_chat(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct detail *d = user;
	if (resp->status == 404 && !resp->cancelled) {
		d->gr->r->rep->not_found++;
		d->g.chat_fetched_at = d->gr->r->now;
		d->g.chat_status = 404;
	} else if (not_a_member(d, resp, &d->g.chat_status, &d->g.chat_error, &d->g.chat_fetched_at)) {
		/* recorded */
	} else {
		record_answer(d, resp, parse_chat, GRAPH_PERM_CHAT, &d->g.chat_status, &d->g.chat_error, &d->g.chat_fetched_at);
	}
	d->gr->chats_in_flight--;
	detail_done_one(d);
}

/* --- queueing and writing --- */

/* The chat read of a chat without an activity row (GET /chats/{id}). */
static void queue_chat_read(struct graph *gr, struct detail *d)
{
	char *url = graph_url_chat(gr->r->profile, d->g.teams_chat_id);
	d->chat_queued = queue_detail(d, url, "graph:chat", GRAPH_PERM_CHAT, on_chat);
	free(url);
	if (d->chat_queued)
		gr->chats_in_flight++;
}

static void queue_chat(struct graph *gr, struct detail *d)
{
	const struct conf_profile *p = gr->r->profile;
	gr->in_flight++;
	char *bucket = xasprintf("graph:installedApps:%s", d->g.teams_chat_id);
	char *url = graph_url_installed_apps(p, d->g.teams_chat_id);
	bool queued = queue_detail(d, url, bucket, GRAPH_PERM_APPS, on_apps);
	free(url);
	free(bucket);
	if (!queued && !d->chat_queued) /* nothing could be queued: it counts as not fetched */
		d->cancelled = true;
	detail_done_one(d); /* its installedApps read is queued (or could not be): the hold ends */
}

/* Keeps both windows full, riskiest first: the chat reads (they are not behind the scan: their
 * bucket is their own) and the chats; nothing more once cancelled or a write failed. A chat is
 * finished when its chat read has answered too, so the chat window never runs far ahead of the
 * chat reads. */
static void fill_window(struct graph *gr)
{
	while (gr->next_chat < gr->d.n && gr->chats_in_flight < gr->window && !gr->write_failed &&
	       !net_cancelled(gr->r->net)) {
		struct detail *d = VEC_AT(&gr->d, struct detail, gr->next_chat++);
		if (d->need_chat)
			queue_chat_read(gr, d);
	}
	while (gr->next < gr->d.n && gr->in_flight < gr->window && !gr->write_failed && !net_cancelled(gr->r->net))
		queue_chat(gr, VEC_AT(&gr->d, struct detail, gr->next++));
}

/* Writes the finished details (and an RSC answer) in one transaction and frees them. */
static int flush(struct graph *gr, struct cs_error *err)
{
	struct cache *c = gr->r->cache;
	const struct cs_rsc *rsc = rsc_read_take(gr->rsc);
	if (gr->ready.n == 0 && !rsc)
		return 0;
	if (cache_begin(c, err))
		return -1;
	int rc = rsc ? cache_put_rsc(c, rsc, err) : 0;
	for (size_t i = 0; rc == 0 && i < gr->ready.n; i++)
		rc = cache_put_graph_chat(c, &VEC_AT(&gr->d, struct detail, *VEC_AT(&gr->ready, size_t, i))->g, err);
	if (rc) {
		cache_rollback(c);
		return -1;
	}
	if (cache_commit(c, err))
		return -1;
	for (size_t i = 0; i < gr->ready.n; i++)
		cs_graph_chat_free(&VEC_AT(&gr->d, struct detail, *VEC_AT(&gr->ready, size_t, i))->g);
	gr->written += gr->ready.n;
	gr->r->rep->details_fetched += gr->ready.n;
	gr->ready.n = 0;
	return 0;
}

static void flush_or_stop(struct graph *gr)
{
	if (!gr->write_failed && flush(gr, &gr->write_err))
		gr->write_failed = true;
}

static void free_detail(void *p)
{
	cs_graph_chat_free(&((struct detail *)p)->g);
}

int refresh_graph(struct refresh *r, struct cs_error *err)
{
	struct graph gr = { .r = r, .d = VEC_INIT(struct detail), .ready = VEC_INIT(size_t),
			    .window = r->opts->window ? r->opts->window : DEFAULT_WINDOW };
	int ttl = r->opts->detail_ttl_s > 0 ? r->opts->detail_ttl_s : 3600;
	gr.ttl_start = r->opts->full ? r->now + 1 : r->now - ttl; /* a full refresh fetches everything again */
	int rc = cache_each_graph_fetch(r->cache, note_fetch, &gr, err);
	if (!rc)
		rc = cache_each_chat_brief(r->cache, add_candidate, &gr, err);
	if (rc)
		goto out;
	if (gr.d.n)
		qsort(gr.d.data, gr.d.n, gr.d.size, cmp_risk);
	if (!r->opts->chat)
		gr.rsc = rsc_read_start(r);
	refresh_ctx_progress(r, "graph", NULL, 0, gr.d.n);
	/* Step until nothing is pending, also after a cancel: every callback must run while the
	 * details it writes to still exist. Writes happen here, between steps, never in a callback. */
	for (;;) {
		fill_window(&gr);
		/* The app's pre-approval may wait for a chat to name the app's client id. */
		if (net_pending(r->net) == 0 && (net_cancelled(r->net) || !rsc_read_step(gr.rsc)))
			break;
		size_t before = gr.finished;
		net_step(r->net, 200);
		if (gr.ready.n >= REFRESH_DETAIL_BATCH)
			flush_or_stop(&gr);
		if (gr.finished != before)
			refresh_ctx_progress(r, "graph", NULL, gr.finished, gr.d.n);
	}
	flush_or_stop(&gr);
	r->rep->details_left = gr.d.n - gr.written;
	if (gr.write_failed) {
		*err = gr.write_err;
		rc = -1;
	} else if (net_cancelled(r->net)) {
		rc = cs_fail(err, CS_EXIT_NETWORK,
			     _("refresh interrupted: the Graph details of %zu chat(s) were fetched and kept, %zu are left "
			       "(run chatsync refresh again: it fetches those first)"), gr.written, r->rep->details_left);
	}
out:
	vec_free(&gr.d, free_detail);
	vec_free(&gr.ready, NULL);
	strset_free(&gr.fresh);
	strset_free(&gr.seen);
	rsc_read_free(gr.rsc);
	return rc;
}
