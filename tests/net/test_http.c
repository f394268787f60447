/* The transport against a local test server (plain http on 127.0.0.1, which the URL policy
 * allows, and HTTPS with a test CA): headers, retries, Retry-After, unsafe resends, resets,
 * timeouts, redirects, size cap, pacing, cancel, TLS trust. Retry delays are scaled down. */
#include "config.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fake.h"
#include "net/http.h"
#include "net/pace.h"
#include "run.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_crid[8][64];
static char seen_attempt[8][32];
static char seen_body[256];
static char seen_accept[64];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(const struct fake_req *req)
{
	pthread_mutex_lock(&lock);
	int i = req->seq - 1;
	if (i >= 0 && i < 8) {
		const char *c = fake_header(req, "client-request-id"), *a = fake_header(req, "Retry-Attempt");
		snprintf(seen_crid[i], sizeof seen_crid[i], "%s", c ? c : "");
		snprintf(seen_attempt[i], sizeof seen_attempt[i], "%s", a ? a : "");
	}
	snprintf(seen_body, sizeof seen_body, "%s", req->body);
	const char *acc = fake_header(req, "Accept");
	snprintf(seen_accept, sizeof seen_accept, "%s", acc ? acc : "");
	pthread_mutex_unlock(&lock);
}

/* What a profile would tell the transport: its name, trust and services. */
static struct net_config profile(const char *base, const char *ca_file)
{
	static char authority[128], graph[128];
	static struct net_service svcs[2];
	snprintf(authority, sizeof authority, "%s/entra", base);
	snprintf(graph, sizeof graph, "%s/graph", base);
	svcs[0] = (struct net_service){ authority, "Entra ID", "entra" };
	svcs[1] = (struct net_service){ graph, "Graph", "graph" };
	return (struct net_config){ .name = "test", .ca_file = ca_file, .services = svcs, .n_services = 2 };
}

static struct net *open_net(struct fake *f, struct net_opts *o)
{
	struct net_config p = profile(fake_base(f), NULL);
	struct net_opts dflt = { .retry_scale = 0.01 };
	struct cs_error err;
	struct net *net = net_open(&p, o ? o : &dflt, &err);
	cr_assert_not_null(net, "%s", err.msg);
	return net;
}

static char *url(struct fake *f, const char *path)
{
	static char u[8][256];
	static int k;
	char *s = u[k++ % 8];
	snprintf(s, 256, "%s%s", fake_base(f), path);
	return s;
}

struct outcome {
	int calls;
	long status;
	int attempts;
	char body[512];
	char err[1024];
	char crid[64];
	char etag[64];
	bool cancelled;
};

static void on_done(struct net *net, const struct net_response *r, void *user)
{
	struct outcome *o = user;
	o->calls++;
	o->status = r->status;
	o->attempts = r->attempts;
	o->cancelled = r->cancelled;
	snprintf(o->body, sizeof o->body, "%s", r->body);
	snprintf(o->err, sizeof o->err, "%s", r->err ? r->err->msg : "");
	snprintf(o->crid, sizeof o->crid, "%s", r->client_request_id);
	const char *etag = net_response_header(r, "ETag");
	snprintf(o->etag, sizeof o->etag, "%s", etag ? etag : "");
}

static void run_one(struct net *net, const struct net_request *q, struct outcome *o)
{
	struct net_request r = *q;
	r.done = on_done;
	r.user = o;
	struct cs_error err;
	cr_assert_eq(net_queue(net, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	cr_assert_eq(o->calls, 1);
}

/* ---- basics ---- */

static void h_echo(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	fake_json(resp, strcmp(req->method, "POST") == 0 ? 201 : 200, "{\"method\":\"%s\",\"path\":\"%s\"}", req->method,
		  req->path);
	fake_add_header(resp, "ETag: W/\"42\"");
}

Test(http, request_carries_ids_and_headers_and_the_answer_comes_back)
{
	struct fake *f = fake_start(h_echo, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	const char *hdrs[] = { "Prefer: odata.maxpagesize=2", NULL };
	run_one(net, &(struct net_request){ .method = "POST", .url = url(f, "/things"), .headers = hdrs,
					   .body = "{\"a\":1}" }, &o);
	cr_assert_eq(o.status, 201);
	cr_assert_str_eq(o.body, "{\"method\":\"POST\",\"path\":\"/things\"}");
	cr_assert_str_eq(o.err, "");
	cr_assert_str_eq(o.etag, "W/\"42\"");
	cr_assert_str_eq(seen_body, "{\"a\":1}");
	cr_assert_str_eq(seen_accept, "application/json");
	cr_assert_eq(strlen(seen_crid[0]), 36, "client-request-id is a GUID: %s", seen_crid[0]);
	cr_assert_str_eq(seen_crid[0], o.crid);
	cr_assert_str_eq(seen_attempt[0], "", "no Retry-Attempt on a first attempt");
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert(st.queued == 1 && st.sent == 1 && st.done == 1 && st.errors == 0 && st.retried == 0);
	net_close(net);
	fake_stop(f);
}

struct pager {
	struct fake *f;
	int pages;
};

static void on_page(struct net *net, const struct net_response *r, void *user)
{
	struct pager *p = user;
	cr_assert_null(r->err);
	if (++p->pages < 5) {
		struct cs_error err;
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(p->f, "/next"), .done = on_page, .user = p },
				       &err), 0);
	}
}

Test(http, callbacks_may_queue_the_next_page)
{
	struct fake *f = fake_start(h_echo, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct pager p = { f, 0 };
	struct cs_error err;
	net_queue(net, &(struct net_request){ .url = url(f, "/first"), .done = on_page, .user = &p }, &err);
	cr_assert_eq(net_run(net, &err), 0);
	cr_assert_eq(p.pages, 5);
	cr_assert_eq(fake_requests(f), 5);
	cr_assert_eq(net_pending(net), 0);
	net_close(net);
	fake_stop(f);
}

Test(http, fetch_blocks_for_one_answer)
{
	struct fake *f = fake_start(h_echo, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct net_result res;
	struct cs_error err;
	cr_assert_eq(net_fetch(net, &(struct net_request){ .url = url(f, "/x") }, &res, &err), 0, "%s", err.msg);
	cr_assert_eq(res.status, 200);
	cr_assert(strstr(res.body, "\"/x\""));
	cr_assert_str_eq(net_header_get(res.headers, res.n_headers, "etag"), "W/\"42\"");
	cr_assert_eq(strlen(res.client_request_id), 36);
	net_result_free(&res);
	net_close(net);
	fake_stop(f);
}

Test(http, successive_requests_reuse_one_connection)
{
	struct fake_pki pki;
	fake_make_pki(&pki);
	struct fake *f = fake_start(h_echo, NULL, pki.leaf_cert, pki.leaf_key);
	char *dir = run_tmpdir();
	char ca[600];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	run_write_file(ca, pki.ca_cert, 0644);
	struct net_config p = profile(fake_base(f), ca);
	struct cs_error err;
	struct net *net = net_open(&p, &(struct net_opts){ .retry_scale = 0.01 }, &err);
	cr_assert_not_null(net, "%s", err.msg);
	for (int i = 0; i < 10; i++) {
		struct net_result res;
		cr_assert_eq(net_fetch(net, &(struct net_request){ .url = url(f, "/again") }, &res, &err), 0, "%s", err.msg);
		net_result_free(&res);
	}
	cr_assert_eq(fake_requests(f), 10);
	cr_assert_eq(fake_connections(f), 1, "%d TLS connections for 10 sequential requests", fake_connections(f));
	net_close(net);
	fake_stop(f);
	fake_free_pki(&pki);
	run_rmtree(dir);
	free(dir);
}

/* ---- retries ---- */

static void h_throttle_once(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	if (req->seq == 1) {
		fake_json(resp, 429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Please retry again later.\"}}");
		fake_add_header(resp, "Retry-After: 1");
	} else {
		fake_json(resp, 200, "{\"ok\":true}");
	}
}

Test(retry, honours_retry_after_and_sends_retry_attempt_with_the_same_request_id)
{
	struct fake *f = fake_start(h_throttle_once, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	double t0 = now_s();
	run_one(net, &(struct net_request){ .method = "PATCH", .url = url(f, "/t") }, &o);
	double took = now_s() - t0;
	cr_assert_eq(o.status, 200);
	cr_assert_eq(o.attempts, 2);
	cr_assert_geq(took, 0.99, "Retry-After: 1 was not honoured (%.3f s)", took);
	cr_assert_lt(took, 3.0);
	cr_assert_str_eq(seen_attempt[1], "1");
	cr_assert_str_eq(seen_crid[0], seen_crid[1]);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert(st.throttled == 1 && st.retried == 1 && st.sent == 2 && st.errors == 0);
	net_close(net);
	fake_stop(f);
}

static void h_503_twice(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	if (req->seq <= 2)
		fake_json(resp, 503, "{\"error\":{\"code\":\"serviceNotAvailable\",\"message\":\"busy\"}}");
	else
		fake_json(resp, 200, "{}");
}

Test(retry, service_unavailable_backs_off_then_succeeds)
{
	struct fake *f = fake_start(h_503_twice, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/u") }, &o);
	cr_assert_eq(o.status, 200);
	cr_assert_eq(o.attempts, 3);
	cr_assert_str_eq(seen_attempt[2], "2");
	net_close(net);
	fake_stop(f);
}

static void h_always(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	int status = *(int *)user;
	if (status == FAKE_CLOSE)
		resp->status = FAKE_CLOSE;
	else
		fake_json(resp, status, "{\"error\":{\"code\":\"E%d\",\"message\":\"status %d\"}}", status, status);
}

Test(retry, gives_up_with_a_sentence_after_the_allowed_retries)
{
	int status = 503;
	struct fake *f = fake_start(h_always, &status, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/graph/v1.0/chats"), .service = "Graph" }, &o);
	cr_assert_eq(o.status, 503);
	cr_assert_eq(fake_requests(f), 4, "1 try + 3 retries");
	cr_assert(strstr(o.err, "Graph could not answer GET /chats: 503 Service Unavailable (E503: status 503;"), "%s",
		  o.err);
	cr_assert(strstr(o.err, "gave up after 4 attempts"), "%s", o.err);
	cr_assert(strstr(o.err, o.crid), "%s", o.err);
	net_close(net);
	fake_stop(f);
}

Test(retry, never_a_4xx_and_never_an_unsafe_patch)
{
	int status = 404;
	struct fake *f = fake_start(h_always, &status, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/graph/v1.0/chats/x") }, &o);
	cr_assert_eq(fake_requests(f), 1);
	cr_assert(strstr(o.err, "Graph refused GET /chats/x: 404 Not Found (E404: status 404;"), "%s", o.err);

	status = 504; /* a PATCH the gateway gave up on may have been applied */
	memset(&o, 0, sizeof o);
	run_one(net, &(struct net_request){ .method = "PATCH", .url = url(f, "/p"), .body = "{}" }, &o);
	cr_assert_eq(fake_requests(f), 2, "an unsafe PATCH was resent");
	cr_assert(strstr(o.err, "could apply it twice"), "%s", o.err);

	memset(&o, 0, sizeof o); /* with If-Match the server refuses a second copy, so resending is safe */
	const char *ifm[] = { "If-Match: W/\"7\"", NULL };
	run_one(net, &(struct net_request){ .method = "PATCH", .url = url(f, "/p"), .body = "{}", .headers = ifm }, &o);
	cr_assert_eq(fake_requests(f), 6);
	net_close(net);
	fake_stop(f);
}

Test(retry, resets_are_retried_for_reads_only)
{
	int status = FAKE_CLOSE;
	struct fake *f = fake_start(h_always, &status, NULL, NULL);
	struct net_opts opts = { .retry_scale = 0.01, .max_retries = 2 };
	struct net *net = open_net(f, &opts);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/r") }, &o);
	cr_assert_eq(o.status, 0);
	cr_assert_eq(fake_requests(f), 3);
	cr_assert(strstr(o.err, "cannot reach") && strstr(o.err, "connection broke"), "%s", o.err);
	memset(&o, 0, sizeof o);
	run_one(net, &(struct net_request){ .method = "POST", .url = url(f, "/r"), .body = "{}" }, &o);
	cr_assert_eq(fake_requests(f), 4, "a POST that may have arrived was resent");
	cr_assert(strstr(o.err, "could apply it twice"), "%s", o.err);
	net_close(net);
	fake_stop(f);
}

static void h_stall(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	resp->sleep_ms = req->seq % 2 == 1 ? 2500 : 0; /* every other request stalls */
	fake_json(resp, 200, "{\"late\":%d}", req->seq);
}

Test(retry, a_stalled_answer_times_out_and_is_retried)
{
	struct fake *f = fake_start(h_stall, NULL, NULL, NULL);
	struct net_opts opts = { .retry_scale = 0.01, .low_speed_time_s = 1 };
	struct net *net = open_net(f, &opts);
	struct outcome o = { 0 };
	double t0 = now_s();
	run_one(net, &(struct net_request){ .url = url(f, "/slow") }, &o);
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "{\"late\":2}");
	cr_assert_lt(now_s() - t0, 2.4, "the stall was waited out instead of timed out");
	/* A request with a body too: the bytes sent must not count as activity. */
	memset(&o, 0, sizeof o);
	t0 = now_s();
	run_one(net, &(struct net_request){ .method = "POST", .url = url(f, "/slow"), .body = "{\"pad\":\"xxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
					   .flags = NET_F_IDEMPOTENT }, &o);
	cr_assert_eq(o.status, 200, "%s", o.err);
	cr_assert_lt(now_s() - t0, 2.4, "the stall of a POST was waited out instead of timed out");
	net_close(net);
	fake_stop(f);
}

/* ---- redirects, size, URL policy ---- */

static void h_redirect(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	record(req);
	const char *target = user;
	if (strcmp(req->path, "/moved") == 0) {
		resp->status = 302;
		fake_add_header(resp, "Location: %s", target);
	} else {
		fake_json(resp, 200, "{\"at\":\"%s\"}", req->path);
	}
}

Test(redirect, to_plain_http_is_refused_before_any_connection)
{
	struct fake *f = fake_start(h_redirect, "http://example.invalid/", NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/moved") }, &o);
	cr_assert_eq(o.status, 0);
	cr_assert(strstr(o.err, "redirected GET /moved to http://example.invalid/ (HTTP 302), which chatsync refuses"), "%s", o.err);
	cr_assert(strstr(o.err, "not HTTPS"), "%s", o.err);
	cr_assert_null(strstr(o.err, "resolve"), "a connection was attempted: %s", o.err);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_eq(st.sent, 1, "only the first request may have been sent");
	cr_assert_eq(fake_requests(f), 1);
	net_close(net);
	fake_stop(f);
}

Test(redirect, relative_targets_are_followed)
{
	struct fake *f = fake_start(h_redirect, "/landed?x=1", NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/moved") }, &o);
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "{\"at\":\"/landed\"}");
	net_close(net);
	fake_stop(f);
}

static void h_big(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	resp->big = 200000;
}

Test(http, oversized_answers_fail_with_the_cap)
{
	struct fake *f = fake_start(h_big, NULL, NULL, NULL);
	struct net_opts opts = { .retry_scale = 0.01, .max_response = 100000 };
	struct net *net = open_net(f, &opts);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/big") }, &o);
	cr_assert(strstr(o.err, "larger than"), "%s", o.err);
	cr_assert_eq(fake_requests(f), 1, "a size failure is not retried");
	net_close(net);
	fake_stop(f);
}

Test(policy, plain_http_only_to_loopback)
{
	struct cs_error err;
	cr_assert_eq(net_url_allowed("https://graph.microsoft.com/v1.0/chats", &err), 0);
	cr_assert_eq(net_url_allowed("http://127.0.0.1:8080/x", &err), 0);
	cr_assert_eq(net_url_allowed("http://127.10.0.3/x", &err), 0);
	cr_assert_eq(net_url_allowed("http://localhost:1/", &err), 0);
	cr_assert_eq(net_url_allowed("http://[::1]:8/", &err), 0);
	cr_assert_eq(net_url_allowed("http://graph.microsoft.com/v1.0", &err), -1);
	cr_assert(strstr(err.msg, "plain http") && strstr(err.msg, "graph.microsoft.com"), "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	cr_assert_eq(net_url_allowed("http://128.0.0.1/", &err), -1);
	cr_assert_eq(net_url_allowed("http://localhost.evil.com/", &err), -1);
	cr_assert_eq(net_url_allowed("ftp://127.0.0.1/", &err), -1);
	cr_assert_eq(net_url_allowed("no scheme", &err), -1);
	cr_assert_eq(net_url_allowed(NULL, &err), -1);

	struct fake *f = fake_start(h_echo, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	cr_assert_eq(net_queue(net, &(struct net_request){ .url = "http://example.com/" }, &err), -1);
	const char *bad[] = { "X-Evil: a\r\nInjected: b", NULL };
	cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(f, "/"), .headers = bad }, &err), -1);
	cr_assert_eq(net_pending(net), 0);
	net_close(net);
	fake_stop(f);
	struct net_config p = profile("http://login.example.com", NULL);
	cr_assert_null(net_open(&p, NULL, &err));
	cr_assert(strstr(err.msg, "plain http"), "%s", err.msg);
}

/* ---- pacing and cancel ---- */

static void h_slowish(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	resp->sleep_ms = 100;
	fake_json(resp, 200, "{}");
}

Test(pace, buckets_limit_rate_and_concurrency)
{
	struct fake *f = fake_start(h_slowish, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	net_pace_rule(net, "test:conc", 0, 0, 2);
	struct cs_error err;
	for (int i = 0; i < 6; i++)
		net_queue(net, &(struct net_request){ .url = url(f, "/c"), .bucket = "test:conc" }, &err);
	cr_assert_eq(net_run(net, &err), 0);
	cr_assert_eq(fake_requests(f), 6);
	cr_assert_leq(fake_max_concurrent(f), 2);

	net_pace_rule(net, "test:rate", 10, 1, 0);
	double t0 = now_s();
	for (int i = 0; i < 6; i++)
		net_queue(net, &(struct net_request){ .url = url(f, "/r"), .bucket = "test:rate" }, &err);
	cr_assert_eq(net_run(net, &err), 0);
	cr_assert_geq(now_s() - t0, 0.49, "6 requests at 10 rps took %.3f s", now_s() - t0);
	net_close(net);
	fake_stop(f);
}

/* Over HTTP/1.1 a request in flight is a connection: as many go to one host at once as the pacer's
 * cap of requests in flight to a host lets go (PACE_HOST_CONCURRENCY), none more and none held
 * back in curl's own queue. */
Test(pace, one_host_gets_as_many_requests_at_once_as_the_pacer_lets_go, .timeout = 60)
{
	struct fake *f = fake_start(h_slowish, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct cs_error err;
	for (int i = 0; i < PACE_HOST_CONCURRENCY + 16; i++)
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(f, "/c") }, &err), 0, "%s", err.msg);
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	cr_assert_eq(fake_requests(f), PACE_HOST_CONCURRENCY + 16);
	cr_assert_leq(fake_max_concurrent(f), PACE_HOST_CONCURRENCY);
	cr_assert_geq(fake_max_concurrent(f), PACE_HOST_CONCURRENCY * 3 / 4, "at most %d at once",
		      fake_max_concurrent(f));
	net_close(net);
	fake_stop(f);
}

static volatile sig_atomic_t cancel_flag;

static void *set_cancel(void *arg)
{
	usleep(300000);
	cancel_flag = 1;
	return NULL;
}

Test(cancel, stops_the_loop_and_every_callback_runs)
{
	struct fake *f = fake_start(h_stall, NULL, NULL, NULL);
	cancel_flag = 0;
	struct net_opts opts = { .cancel = &cancel_flag, .retry_scale = 0.01 };
	struct net *net = open_net(f, &opts);
	struct outcome o[3] = { { 0 } };
	struct cs_error err;
	for (int i = 0; i < 3; i++)
		net_queue(net, &(struct net_request){ .url = url(f, "/s"), .delay_s = i * 5.0, .done = on_done,
						      .user = &o[i] }, &err);
	pthread_t th;
	pthread_create(&th, NULL, set_cancel, NULL);
	double t0 = now_s();
	cr_assert_eq(net_run(net, &err), -1);
	cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
	cr_assert_lt(now_s() - t0, 1.5);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(o[i].calls, 1);
		cr_assert(o[i].cancelled);
	}
	cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(f, "/s") }, &err), -1, "queued while cancelled");
	pthread_join(th, NULL);
	net_close(net);
	fake_stop(f);
}

/* ---- TLS ---- */

Test(tls, untrusted_certificate_names_ca_file_and_ca_file_adds_trust)
{
	struct fake_pki pki;
	fake_make_pki(&pki);
	struct fake *f = fake_start(h_echo, NULL, pki.leaf_cert, pki.leaf_key);
	struct cs_error err;
	struct net_config p = profile(fake_base(f), NULL);
	struct net_opts opts = { .retry_scale = 0.01 };
	struct net *net = net_open(&p, &opts, &err);
	cr_assert_not_null(net, "%s", err.msg);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .url = url(f, "/tls") }, &o);
	cr_assert_eq(o.status, 0);
	cr_assert(strstr(o.err, "not trusted") && strstr(o.err, "set ca_file in profile \"test\""), "%s", o.err);
	cr_assert_eq(fake_requests(f), 0);
	net_close(net);

	char *dir = run_tmpdir();
	char ca[600], other[600];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	run_write_file(ca, pki.ca_cert, 0644);
	p = profile(fake_base(f), ca);
	net = net_open(&p, &opts, &err);
	cr_assert_not_null(net, "%s", err.msg);
	memset(&o, 0, sizeof o);
	run_one(net, &(struct net_request){ .url = url(f, "/tls") }, &o);
	cr_assert_eq(o.status, 200, "%s", o.err);
	net_close(net);

	struct fake_pki pki2; /* a CA that did not sign the server */
	fake_make_pki(&pki2);
	snprintf(other, sizeof other, "%s/other.pem", dir);
	run_write_file(other, pki2.ca_cert, 0644);
	p = profile(fake_base(f), other);
	net = net_open(&p, &opts, &err);
	memset(&o, 0, sizeof o);
	run_one(net, &(struct net_request){ .url = url(f, "/tls") }, &o);
	cr_assert(strstr(o.err, "does not vouch for it") && strstr(o.err, other), "%s", o.err);
	net_close(net);

	run_write_file(other, "garbage\n", 0644);
	cr_assert_null(net_open(&p, &opts, &err));
	cr_assert(strstr(err.msg, "ca_file") && strstr(err.msg, "no PEM certificate"), "%s", err.msg);
	fake_stop(f);
	fake_free_pki(&pki);
	fake_free_pki(&pki2);
	run_rmtree(dir);
	free(dir);
}

/* curl caches the CA store it builds per transport: the certificates ca_file adds stay with the
 * transport that added them, and its later connections still have them. */
Test(tls, a_transports_added_trust_stays_its_own)
{
	struct fake_pki pki;
	fake_make_pki(&pki);
	struct fake *f = fake_start(h_echo, NULL, pki.leaf_cert, pki.leaf_key);
	char *dir = run_tmpdir();
	char ca[600];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	run_write_file(ca, pki.ca_cert, 0644);
	struct cs_error err;
	struct net_opts opts = { .retry_scale = 0.01 };
	struct net_config p = profile(fake_base(f), ca);
	struct net *trusting = net_open(&p, &opts, &err);
	cr_assert_not_null(trusting, "%s", err.msg);
	struct outcome o = { 0 };
	run_one(trusting, &(struct net_request){ .url = url(f, "/tls") }, &o);
	cr_assert_eq(o.status, 200, "%s", o.err);
	/* Another transport of the same process, alive at the same time, without ca_file. */
	p = profile(fake_base(f), NULL);
	struct net *plain = net_open(&p, &opts, &err);
	cr_assert_not_null(plain, "%s", err.msg);
	memset(&o, 0, sizeof o);
	run_one(plain, &(struct net_request){ .url = url(f, "/tls") }, &o);
	cr_assert_eq(o.status, 0, "a transport without ca_file trusted the other's CA");
	cr_assert(strstr(o.err, "not trusted"), "%s", o.err);
	/* Several requests at once: new connections of the trusting transport, built from its cache. */
	struct outcome many[6] = { 0 };
	for (int i = 0; i < 6; i++) {
		struct net_request r = { .url = url(f, "/tls"), .done = on_done, .user = &many[i] };
		cr_assert_eq(net_queue(trusting, &r, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(net_run(trusting, &err), 0, "%s", err.msg);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(many[i].status, 200, "%s", many[i].err);
	net_close(plain);
	net_close(trusting);
	fake_stop(f);
	fake_free_pki(&pki);
	run_rmtree(dir);
	free(dir);
}

Test(redirect, a_token_belongs_to_one_origin)
{
	cr_assert(net_same_origin("https://graph.microsoft.com/v1.0/chats", "https://GRAPH.microsoft.com:443/beta"));
	cr_assert(!net_same_origin("https://graph.microsoft.com/", "https://graph.microsoft.com:8443/"), "port");
	cr_assert(!net_same_origin("https://127.0.0.1:8443/", "http://127.0.0.1:8443/"), "scheme");
	cr_assert(!net_same_origin("https://graph.microsoft.com/", "https://graph.microsoft.com.evil.com/"), "host");
	cr_assert(!net_same_origin("https://a/", "not a url"));
}

Test(redirect, a_request_with_a_body_is_never_redirected)
{
	struct fake *f = fake_start(h_redirect, "/landed", NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o = { 0 };
	run_one(net, &(struct net_request){ .method = "POST", .url = url(f, "/moved"), .body = "secret=1",
					   .flags = NET_F_IDEMPOTENT }, &o);
	cr_assert_eq(o.status, 0);
	cr_assert(strstr(o.err, "redirected POST /moved to") && strstr(o.err, "never redirected"), "%s", o.err);
	cr_assert_eq(fake_requests(f), 1, "the body was sent to the redirect's target");
	net_close(net);
	fake_stop(f);
}

/* ---- the scheduler ---- */

static void h_fast(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	fake_json(resp, 200, "{}");
}

Test(sched, a_long_queue_costs_about_one_check_per_request)
{
	struct fake *f = fake_start(h_fast, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	/* One lane per chat (1 rps each), all behind one bucket that lets 4 through at a time: the
	 * old scheduler priced every waiting request on every pass. */
	net_pace_rule(net, "test", 0, 0, 4);
	net_pace_rule(net, "test:chat:*", 1, 1, 0);
	struct cs_error err;
	struct outcome o[1] = { { 0 } };
	enum { N = 3000 };
	for (int i = 0; i < N; i++) {
		char bucket[64];
		snprintf(bucket, sizeof bucket, "test:chat:19:%d@thread.v2", i);
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(f, "/c"), .bucket = bucket, .done = on_done,
								   .user = o }, &err), 0);
	}
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	cr_assert_eq(o[0].calls, N);
	cr_assert_leq(fake_max_concurrent(f), 4);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_eq(st.sent, N);
	cr_log_info("scheduler: %lu checks for %d requests", st.scheduler_checks, N);
	cr_assert_leq(st.scheduler_checks, 3 * (unsigned long)N, "%lu checks for %d requests", st.scheduler_checks, N);
	net_close(net);
	fake_stop(f);
}

Test(sched, delayed_and_retried_requests_wait_their_time_in_order)
{
	struct fake *f = fake_start(h_echo, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	struct outcome o[3] = { { 0 } };
	struct cs_error err;
	double t0 = now_s();
	net_queue(net, &(struct net_request){ .url = url(f, "/late"), .delay_s = 0.6, .done = on_done, .user = &o[0] }, &err);
	net_queue(net, &(struct net_request){ .url = url(f, "/soon"), .delay_s = 0.2, .done = on_done, .user = &o[1] }, &err);
	net_queue(net, &(struct net_request){ .url = url(f, "/now"), .done = on_done, .user = &o[2] }, &err);
	cr_assert_eq(net_run(net, &err), 0);
	cr_assert_geq(now_s() - t0, 0.59);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(o[i].calls, 1);
	net_close(net);
	fake_stop(f);
}

static void h_env(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	resp->sleep_ms = 150;
	fake_json(resp, 200, "{}");
}

Test(sched, dataverse_environments_on_one_host_are_paced_apart)
{
	struct fake *f = fake_start(h_env, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	net_pace_rule(net, "dataverse:*", 0, 0, 1); /* one at a time per environment */
	struct cs_error err;
	for (int i = 0; i < 8; i++)
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = url(f, i % 2 ? "/env/a/api/data/v9.2/chats"
									     : "/env/b/api/data/v9.2/chats") },
				       &err), 0);
	cr_assert_eq(net_run(net, &err), 0);
	cr_assert_eq(fake_max_concurrent(f), 2, "%d at once: environments on one host shared one pace",
		     fake_max_concurrent(f));
	net_close(net);
	fake_stop(f);
}

static void h_remaining(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	fake_json(resp, 200, "{}");
	fake_add_header(resp, "x-ms-ratelimit-burst-remaining-xrm-requests: 0");
}

Test(sched, dataverse_remaining_requests_header_is_the_authority)
{
	struct fake *f = fake_start(h_remaining, NULL, NULL, NULL);
	struct net *net = open_net(f, NULL);
	net_pace_rule(net, "dataverse:*", 4, 100, 0); /* a burst of 100 that the service says is gone */
	struct cs_error err;
	double t0 = now_s();
	for (int i = 0; i < 5; i++) {
		struct net_result res;
		cr_assert_eq(net_fetch(net, &(struct net_request){ .url = url(f, "/env/a/api/data/v9.2/WhoAmI") }, &res, &err), 0);
		net_result_free(&res);
	}
	cr_assert_geq(now_s() - t0, 0.9, "the remaining-requests header was ignored: %.2f s", now_s() - t0);
	net_close(net);
	fake_stop(f);
}

Test(deadline, callers_that_step_the_loop_get_it_too)
{
	struct fake *f = fake_start(h_stall, NULL, NULL, NULL); /* the first answer takes 2.5 s */
	struct net_opts opts = { .retry_scale = 0.01, .low_speed_time_s = 10, .deadline_s = 1 };
	struct net *net = open_net(f, &opts);
	struct outcome o = { 0 };
	struct cs_error err;
	net_queue(net, &(struct net_request){ .url = url(f, "/graph/v1.0/chats"), .done = on_done, .user = &o }, &err);
	double t0 = now_s();
	while (net_pending(net) > 0)
		net_step(net, 100);
	cr_assert_lt(now_s() - t0, 2.2, "the deadline was not kept: %.2f s", now_s() - t0);
	cr_assert_eq(o.calls, 1);
	cr_assert(strstr(o.err, "the deadline of one run") && strstr(o.err, "Graph GET /chats was the slowest"), "%s", o.err);
	/* The next run has a deadline of its own. */
	memset(&o, 0, sizeof o);
	run_one(net, &(struct net_request){ .url = url(f, "/fast") }, &o);
	cr_assert_eq(o.status, 200, "%s", o.err);
	net_close(net);
	fake_stop(f);
}
