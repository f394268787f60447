/* The transport's loop: requests wait in a ready list (for their start time, their token and
 * room in their pacing buckets), run on the curl multi handle, and on completion are retried,
 * re-sent after a token refresh, redirected, or handed to their callback. Tokens come from the
 * installed token source. Calls httpio.c and netreq.c below it, never http.c. */
#include "config.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "net/neterr.h"
#include "net/netint.h"
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CANCEL_POLL_MS 100

static double unit_random(struct net *net)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	net->rng ^= net->rng >> 12;
	net->rng ^= net->rng << 25;
	net->rng ^= net->rng >> 27;
	return (double)((net->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* ---- lists ---- */

static void list_push(struct req_list *l, struct net_req *r, bool front)
{
	r->prev = r->next = NULL;
	if (!l->head) {
		l->head = l->tail = r;
	} else if (front) {
		r->next = l->head;
		l->head->prev = r;
		l->head = r;
	} else {
		r->prev = l->tail;
		l->tail->next = r;
		l->tail = r;
	}
	l->n++;
}

static void list_remove(struct req_list *l, struct net_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
	l->n--;
}

static struct req_list *list_of(struct net *net, struct net_req *r)
{
	return r->state == REQ_READY ? &net->ready : r->state == REQ_PARKED ? &net->parked : &net->running;
}

static void leave(struct net *net, struct net_req *r)
{
	list_remove(list_of(net, r), r);
	if (r->state == REQ_READY)
		netsched_remove(&net->sched, r);
}

static void move_to(struct net *net, struct net_req *r, enum req_state state, bool front)
{
	leave(net, r);
	r->state = state;
	list_push(list_of(net, r), r, front);
	if (state == REQ_READY)
		netsched_add(&net->sched, r, net_now(), front);
}

void netloop_add(struct net *net, struct net_req *r)
{
	if (net->ready.n + net->parked.n + net->running.n == 0) {
		/* A run begins: its deadline counts from here, and the token source may retry what
		 * failed before, now, as the request asks for its token when it is queued. */
		net->busy_since = net_now();
		netloop_new_run(net);
	}
	r->state = REQ_READY;
	list_push(&net->ready, r, false);
	netsched_add(&net->sched, r, net_now(), false);
}

/* A queued request's token is asked for when it is queued, not when its turn comes: every request
 * of the resource waits for that token, and one that waits for a free connection (a host's cap,
 * an environment's concurrency) would otherwise ask only then, and hold up all the others. What
 * the token source answers now is asked again when the request may start. */
int netloop_ask_token(struct net *net, const struct net_req *r)
{
	if (!r->resource)
		return 0;
	if (!net->tsrc || !net->tsrc->token)
		return -1;
	const char *token;
	struct cs_error e;
	return net->tsrc->token(net->tsrc_user, r->resource, &token, &e) < 0 ? -1 : 0;
}

/* ---- completion ---- */

static void finish(struct net *net, struct net_req *r, long status, const struct cs_error *err, bool cancelled)
{
	leave(net, r);
	struct net_response resp = {
		.method = r->method,
		.url = r->orig_url,
		.status = status,
		.body = r->rbody.data ? r->rbody.data : "",
		.body_len = r->rbody.len,
		.headers = r->rhdrs,
		.n_headers = r->n_rhdrs,
		.client_request_id = r->crid,
		.request_id = status ? netio_request_id(r) : NULL,
		.attempts = r->attempts,
		.cancelled = cancelled,
		.err = err,
	};
	atomic_fetch_add(&net->n_done, 1);
	if (err)
		atomic_fetch_add(&net->n_errors, 1);
	log_debug("%s %s: %ld after %d attempt(s) (client-request-id %s)", r->method, r->url, status, r->attempts,
		  r->crid);
	if (r->done) {
		net->depth++;
		r->done(net, &resp, r->user);
		net->depth--;
	}
	netreq_free(r);
}

static void requeue(struct net *net, struct net_req *r, double not_before, bool front)
{
	r->not_before = not_before;
	move_to(net, r, REQ_READY, front);
}

static bool has_if_match(const struct net_req *r)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strncasecmp(r->headers[i], "If-Match:", 9) == 0)
			return true;
	return false;
}

/* Schedules a retry if the policy allows one; else says why not in *gave_up. */
static bool maybe_retry(struct net *net, struct net_req *r, long status, enum retry_failure failure,
			double retry_after, double now, const char **gave_up)
{
	*gave_up = NULL;
	if (r->flags & NET_F_NO_RETRY)
		return false;
	struct retry_input in = {
		.status = status,
		.failure = failure,
		.idempotent = retry_idempotent(r->method, has_if_match(r), r->flags & NET_F_IDEMPOTENT),
		.retries_done = r->retries,
		.elapsed_s = now - r->first_start,
		.retry_after_s = retry_after,
		.unit_random = unit_random(net),
	};
	double delay = 0;
	switch (retry_decide(&net->policy, &in, &delay)) {
	case RETRY_GO:
		r->retries++;
		atomic_fetch_add(&net->n_retried, 1);
		{
			char what[CURL_ERROR_SIZE + 48];
			if (status)
				snprintf(what, sizeof what, "HTTP %ld %s", status, neterr_reason(status));
			else
				snprintf(what, sizeof what, "%s", r->errbuf[0] ? r->errbuf : "connection failed");
			log_info("%s %s: %s, retrying in %.1f s (retry %d, client-request-id %s)", r->method, r->url,
				 what, delay, r->retries, r->crid);
		}
		requeue(net, r, now + delay, false);
		return true;
	case RETRY_UNSAFE:
		*gave_up = _("not resent: the outcome is unknown and sending it again could apply it twice");
		break;
	case RETRY_OUT_OF_TIME:
		*gave_up = retry_after > net->policy.total_cap_s
				   ? _("the service asked to wait longer than chatsync's retry time limit")
				   : _("the retry time limit was reached");
		break;
	case RETRY_EXHAUSTED:
	case RETRY_NOT_RETRYABLE:
		break;
	}
	return false;
}

static void fail_http(struct net *net, struct net_req *r, long status, double now, const char *gave_up)
{
	struct neterr_ctx ctx = {
		.service = r->service,
		.method = r->method,
		.url = r->url,
		.status = status,
		.body = r->rbody.data,
		.body_len = r->rbody.len,
		.request_id = netio_request_id(r),
		.client_request_id = r->crid,
		.needs = r->needs,
		.attempts = r->attempts,
		.waited_s = now - r->first_start,
		.gave_up = gave_up,
	};
	struct cs_error e;
	neterr_http(&e, &ctx);
	log_info("%s", e.msg);
	finish(net, r, status, &e, false);
}

static void fail_transport(struct net *net, struct net_req *r, CURLcode rc, double now, const char *gave_up)
{
	char why[CURL_ERROR_SIZE + 128], hint[512];
	netio_explain(rc, r, net->ca_file, net->name, why, sizeof why, hint, sizeof hint);
	struct neterr_ctx ctx = {
		.service = r->service,
		.method = r->method,
		.url = r->url,
		.client_request_id = r->crid,
		.attempts = r->attempts,
		.waited_s = now - r->first_start,
		.gave_up = gave_up,
	};
	struct cs_error e;
	neterr_transport(&e, &ctx, why, hint);
	log_warn("%s", e.msg);
	finish(net, r, 0, &e, false);
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static char *resolve_location(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *out = NULL, *res = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		res = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return res;
}

static void fail_redirect(struct net *net, struct net_req *r, long status, const char *target, const char *why)
{
	char *path = neterr_short_path(r->url);
	char *shown = text_sanitize(target);
	struct cs_error e;
	cs_fail(&e, CS_EXIT_NETWORK,
		_("%s redirected %s %s to %s (HTTP %ld), which chatsync refuses: %s (client-request-id %s)"), r->service,
		r->method, path, shown, status, why, r->crid);
	free(shown);
	free(path);
	log_warn("%s", e.msg);
	finish(net, r, 0, &e, false);
}

/* Follows a redirect ourselves, so that every hop passes netreq_redirect_policy before any
 * connection is made to it. */
static void redirect(struct net *net, struct net_req *r, long status, double now)
{
	const char *loc = net_header_get(r->rhdrs, r->n_rhdrs, "Location");
	if (!loc || !*loc) {
		fail_http(net, r, status, now, NULL);
		return;
	}
	char *target = resolve_location(r->url, loc);
	if (!target) {
		fail_redirect(net, r, status, loc, _("not a valid URL"));
		return;
	}
	bool keep_token;
	const char *refused = netreq_redirect_policy(r, status, target, &keep_token);
	if (refused) {
		fail_redirect(net, r, status, target, refused);
		free(target);
		return;
	}
	r->redirects++;
	if (!keep_token) {
		free(r->resource); /* no token for another origin */
		r->resource = NULL;
	}
	char *scheme = NULL, *host = NULL;
	long port;
	netreq_url_origin(target, &scheme, &host, &port);
	log_debug("%s %s: %ld redirect to %s", r->method, r->url, status, target);
	free(scheme);
	free(r->host);
	r->host = host;
	free(r->url);
	r->url = target;
	pace_chain(net->pace, r->bucket, r->host, &r->chain);
	r->lane = NULL; /* another host: another lane */
	requeue(net, r, now, true);
}

static void attempt_done(struct net *net, struct net_req *r, CURLcode rc)
{
	double now = net_now();
	long status = 0, sent = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &sent);
	curl_multi_remove_handle(net->multi, r->easy);
	netio_trace_response(r, status, rc);
	char *used = r->token_used; /* kept past the attempt to recognise a refused token */
	r->token_used = NULL;
	netreq_end_attempt(r);
	if (rc != CURLE_OK)
		status = 0;
	const char *ra = net_header_get(r->rhdrs, r->n_rhdrs, "Retry-After");
	double retry_after = ra ? retry_after_parse(ra, time(NULL)) : -1;
	const char *dop = net_header_get(r->rhdrs, r->n_rhdrs, "x-ms-dop-hint");
	/* A wait beyond the retry cap fails this request (below); it must not stall the others of
	 * its bucket for that long: the bucket only slows down. */
	double pause = retry_after > net->policy.total_cap_s ? 0 : retry_after;
	pace_done(&r->chain, now, status, pause, dop ? atoi(dop) : 0);
	/* Dataverse says how many requests its window still allows: that, not our guess, counts. */
	const char *left = net_header_get(r->rhdrs, r->n_rhdrs, "x-ms-ratelimit-burst-remaining-xrm-requests");
	if (left && *left && strspn(left, "0123456789") == strlen(left) && strlen(left) < 10)
		pace_remaining(&r->chain, now, atol(left));
	netsched_completed(&net->sched, &r->chain, now);
	if (status == 429)
		atomic_fetch_add(&net->n_throttled, 1);
	const char *gave_up = NULL;
	if (rc != CURLE_OK) {
		if (!maybe_retry(net, r, 0, netio_classify(rc, r, sent), -1, now, &gave_up))
			fail_transport(net, r, rc, now, gave_up);
	} else if (status == 401 && r->resource && used && !r->reauthed) {
		/* Expired or revoked token: one refresh and one resend, not counted as a retry. */
		r->reauthed = true;
		log_info("%s %s: token refused (401), signing in again (client-request-id %s)", r->method, r->url,
			 r->crid);
		if (net->tsrc && net->tsrc->refused)
			net->tsrc->refused(net->tsrc_user, r->resource, used);
		requeue(net, r, now, true);
	} else if (is_redirect(status)) {
		redirect(net, r, status, now);
	} else if (status >= 400 || status < 200) {
		if (!maybe_retry(net, r, status, RETRY_FAIL_NONE, retry_after, now, &gave_up))
			fail_http(net, r, status, now, gave_up);
	} else {
		finish(net, r, status, NULL, false);
	}
	if (used) {
		OPENSSL_cleanse(used, strlen(used));
		free(used);
	}
}

/* ---- the loop ---- */

static void start(struct net *net, struct net_req *r, const char *token, double now)
{
	netreq_reset_response(r);
	CURL *e = netio_easy(&net->io, r, token);
	if (!e || curl_multi_add_handle(net->multi, e) != CURLM_OK) {
		netreq_end_attempt(r);
		struct cs_error err;
		cs_fail(&err, CS_EXIT_NETWORK, _("cannot start a transfer for %s %s (out of resources?)"), r->method,
			r->url);
		finish(net, r, 0, &err, false);
		return;
	}
	pace_take(&r->chain, now);
	r->attempts++;
	if (r->first_start == 0)
		r->first_start = now;
	r->attempt_start = now;
	r->last_byte = 0;
	move_to(net, r, REQ_RUNNING, false);
	atomic_fetch_add(&net->n_sent, 1);
	netio_trace_request(r);
}

/* Starts every ready request whose time, token and buckets allow; returns the seconds until
 * the next one might, or -1 when only a completion can unblock them. The scheduler hands out
 * only requests that may go, so this costs O(log n) per request started, not a walk of the queue. */
static double schedule(struct net *net)
{
	double now = net_now();
	struct net_req *r;
	while ((r = netsched_next(&net->sched, now)) != NULL) {
		const char *token = NULL;
		if (r->resource) {
			struct cs_error e;
			int rc = net->tsrc && net->tsrc->token
					 ? net->tsrc->token(net->tsrc_user, r->resource, &token, &e)
					 : cs_fail(&e, CS_EXIT_USAGE,
						   _("internal error: %s %s needs a token and the transport has no sign-in"),
						   r->method, r->url);
			if (rc > 0) {
				move_to(net, r, REQ_PARKED, false);
				continue;
			}
			if (rc < 0) {
				finish(net, r, 0, &e, false);
				continue;
			}
		}
		start(net, r, token, now);
	}
	return netsched_timeout(&net->sched, net_now());
}

static void drain(struct net *net)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(net->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct net_req *r = NULL;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r)
			attempt_done(net, r, rc);
	}
}

/* Aborts attempts that have received nothing for low_speed_time_s since their request went out.
 * curl's own low-speed check averages over a window that includes the bytes we uploaded, so a
 * server that accepts a request and then says nothing can hold it far longer than that. Time
 * spent connecting or queued for a connection is not counted (the connect timeout covers it). */
static void check_stalls(struct net *net, double now)
{
	double limit = (double)net->opts.low_speed_time_s;
	for (struct net_req *r = net->running.head, *nx; r; r = nx) {
		nx = r->next;
		curl_off_t pre = 0;
		if (curl_easy_getinfo(r->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK || pre <= 0)
			continue;
		double sent = r->attempt_start + (double)pre / 1e6;
		double last = r->last_byte > sent ? r->last_byte : sent;
		if (now - last > limit) {
			snprintf(r->errbuf, sizeof r->errbuf, "no data received for %.0f seconds", now - last);
			attempt_done(net, r, CURLE_OPERATION_TIMEDOUT);
		}
	}
}

/* Ends every pending request with err: the running ones are taken off the wire first. */
static void fail_all(struct net *net, double now, const struct cs_error *err, bool cancelled)
{
	net->cancelling = true;
	for (;;) {
		struct net_req *r = net->running.head ? net->running.head
				    : net->ready.head   ? net->ready.head
							: net->parked.head;
		if (!r)
			break;
		if (r->state == REQ_RUNNING) {
			curl_multi_remove_handle(net->multi, r->easy);
			netreq_end_attempt(r);
			pace_done(&r->chain, now, 0, -1, 0);
			netsched_completed(&net->sched, &r->chain, now);
		}
		finish(net, r, 0, err, cancelled);
	}
	net->cancelling = false;
}

void netloop_cancel_all(struct net *net)
{
	struct cs_error e;
	cs_fail(&e, CS_EXIT_NETWORK, _("interrupted before an answer came"));
	fail_all(net, net_now(), &e, true);
}

size_t net_pending(const struct net *net)
{
	return net->ready.n + net->parked.n + net->running.n;
}

bool net_cancelled(const struct net *net)
{
	return net->opts.cancel && *net->opts.cancel;
}

/* The run has lasted longer than the deadline: everything pending fails with one sentence that
 * names the request that had been running longest, and how much of its answer had come. */
static void deadline_passed(struct net *net, double now)
{
	struct cs_error *err = &net->deadline_err;
	net->deadline_hit = true;
	const struct net_req *slow = NULL;
	for (const struct net_req *r = net->running.head; r; r = r->next)
		if (!slow || r->attempt_start < slow->attempt_start)
			slow = r;
	if (slow) {
		char *path = neterr_short_path(slow->url);
		cs_fail(err, CS_EXIT_NETWORK,
			_("stopped after %.0f s, the deadline of one run: %s %s %s was the slowest, %zu bytes of its answer "
			  "in %.0f s (check the network or the service's health, then run again; client-request-id %s)"),
			now - net->busy_since, slow->service, slow->method, path, slow->rbody.len, now - slow->attempt_start,
			slow->crid);
		free(path);
	} else {
		cs_fail(err, CS_EXIT_NETWORK,
			_("stopped after %.0f s, the deadline of one run, with %zu requests still waiting for their turn "
			  "(the services are throttling hard: run again later)"),
			now - net->busy_since, net_pending(net));
	}
	log_warn("%s", err->msg);
	fail_all(net, now, err, false);
}

size_t net_step(struct net *net, int timeout_ms)
{
	if (net->depth > 0)
		return net_pending(net);
	if (net_cancelled(net)) {
		netloop_cancel_all(net);
		return 0;
	}
	schedule(net);
	int still = 0;
	curl_multi_perform(net->multi, &still);
	drain(net);
	check_stalls(net, net_now());
	double now = net_now();
	if (net_pending(net) > 0 && now - net->busy_since > net->opts.deadline_s)
		deadline_passed(net, now);
	unsigned long sent = atomic_load(&net->n_sent);
	double next = schedule(net);
	/* What just started leaves now, not after whatever the caller does before its next step
	 * (pace_sent then records when it really left). */
	if (atomic_load(&net->n_sent) != sent)
		curl_multi_perform(net->multi, &still);
	if (net_pending(net) == 0)
		return 0;
	long t = timeout_ms < 0 ? 0 : timeout_ms, curl_t = -1;
	if (next >= 0 && next * 1000 < t)
		t = (long)(next * 1000) + 1;
	if (curl_multi_timeout(net->multi, &curl_t) == CURLM_OK && curl_t >= 0 && curl_t < t)
		t = curl_t;
	if (net->opts.cancel && t > CANCEL_POLL_MS)
		t = CANCEL_POLL_MS;
	curl_multi_poll(net->multi, NULL, 0, (int)t, NULL);
	return net_pending(net);
}

void net_wakeup(struct net *net)
{
	curl_multi_wakeup(net->multi);
}

int net_wait(struct net *net, bool (*done)(void *ctx), void *ctx, struct cs_error *err)
{
	if (net->depth > 0)
		return cs_fail(err, CS_EXIT_NETWORK,
			       _("internal error: a blocking network call was made from a completion callback"));
	net->deadline_hit = false;
	int rc = 0;
	while (!done(ctx)) {
		if (net_cancelled(net)) {
			netloop_cancel_all(net);
			rc = cs_fail(err, CS_EXIT_NETWORK, _("interrupted"));
			break;
		}
		if (net_pending(net) == 0) {
			rc = cs_fail(err, CS_EXIT_NETWORK, _("internal error: waiting for a request that is not queued"));
			break;
		}
		net_step(net, 1000);
		if (net->deadline_hit) {
			*err = net->deadline_err;
			rc = -1;
			break;
		}
	}
	return rc;
}

static bool nothing_pending(void *ctx)
{
	return net_pending(ctx) == 0;
}

void netloop_new_run(struct net *net)
{
	if (net->tsrc && net->tsrc->new_run)
		net->tsrc->new_run(net->tsrc_user);
}

int net_run(struct net *net, struct cs_error *err)
{
	if (net->depth > 0)
		return cs_fail(err, CS_EXIT_NETWORK, _("internal error: net_run was called from a completion callback"));
	if (net_pending(net) == 0) /* else the run began when its first request was queued */
		netloop_new_run(net);
	if (net_wait(net, nothing_pending, net, err) != 0)
		return -1;
	if (net_cancelled(net))
		return cs_fail(err, CS_EXIT_NETWORK, _("interrupted"));
	return 0;
}

/* ---- the token source ---- */

void netloop_drop_token_source(struct net *net)
{
	const struct net_token_source *src = net->tsrc;
	void *user = net->tsrc_user;
	net->tsrc = NULL;
	net->tsrc_user = NULL;
	if (src && src->release)
		src->release(user);
}

void net_set_token_source(struct net *net, const struct net_token_source *src, void *user)
{
	netloop_drop_token_source(net);
	net->tsrc = src;
	net->tsrc_user = user;
}

void *net_token_source_user(const struct net *net, const struct net_token_source *src)
{
	return net && net->tsrc == src ? net->tsrc_user : NULL;
}

void net_token_ready(struct net *net, const char *resource, const struct cs_error *err)
{
	if (!err)
		atomic_fetch_add(&net->n_tokens, 1);
	for (struct net_req *r = net->parked.head, *nx; r; r = nx) {
		nx = r->next;
		if (!r->resource || strcmp(r->resource, resource) != 0)
			continue;
		if (err)
			finish(net, r, 0, err, false);
		else
			move_to(net, r, REQ_READY, false);
	}
}

double net_retry_scale(const struct net *net)
{
	return net->opts.retry_scale;
}
