/* The HTTP transport: every network call chatsync makes goes through here (src/net is the only
 * place that includes curl). Read this before writing src/api/ or src/sync/. It knows no profile
 * and no sign-in: it is told its trust (ca_file) and the services it talks to, and it asks a token
 * source (auth/auth.h installs one) for the bearer tokens of requests that name a .resource.
 *
 * A struct net drives a curl multi handle: many requests in flight on shared connections (HTTP/2
 * multiplexing where offered, connection and TLS session reuse), HTTPS only (plain http only to
 * loopback hosts), certificate verification always on with ca_file added to the system trust
 * store, proxies from the environment (https_proxy, no_proxy), compressed responses, connect and
 * low-speed limits on every transfer, a deadline for every run, a response size cap, SIGPIPE
 * ignored.
 *
 * What a request gets without asking:
 *  - a `client-request-id` GUID (kept across retries; logged, and quoted in every error);
 *  - `Authorization: Bearer` for its .resource from the token source, waiting while it signs in;
 *    a 401 is answered by one token refresh and one resend, invisible to the caller;
 *  - retries (retry.h): 429, 503 and 504 and connection failures, honouring Retry-After, else
 *    exponential back-off with jitter, a `Retry-Attempt` header, a total time cap; never a 4xx
 *    other than 429, never a PATCH/POST whose outcome is unknown unless it has If-Match or
 *    NET_F_IDEMPOTENT; a Retry-After beyond the cap fails that request and pauses nobody else;
 *  - pacing (pace.h): the request waits until its .bucket (and the host's) has room;
 *  - redirects followed by the transport itself under one policy: a request with a body is never
 *    redirected; no plain http off loopback; the bearer token only to the same origin (scheme,
 *    host and port); the error names the refused redirect;
 *  - a TRACE log (-v -v) of request and response, every secret redacted.
 *
 * Typical use (callbacks may queue more requests, e.g. the next page):
 *
 *     struct net *net = session_net_open(profile, &interrupted, NULL, &err);  // sync/session.h
 *     net_queue(net, &(struct net_request){
 *             .url = url, .bucket = "graph:installedApps:19:abc@thread.v2",
 *             .resource = conf_graph_resource(profile), .service = "Graph",
 *             .needs = "TeamsAppInstallation.ReadForChat.All",
 *             .done = on_apps, .user = chat }, &err);
 *     if (net_run(net, &err) != 0) ...   // returns when nothing is left, or on cancel
 *     net_close(net);
 *
 * Ownership: net_queue copies everything in struct net_request except .user. The response handed
 * to a callback is borrowed until the callback returns. Every queued request's callback runs
 * exactly once (with an error if cancelled), so callers can free .user there.
 *
 * Threads: a struct net is used by one thread at a time (the one running the loop). net_stats
 * may be read from any thread. The cancel flag may be set from a signal handler. */
#ifndef CHATSYNC_NET_HTTP_H
#define CHATSYNC_NET_HTTP_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

struct net;

/* Tuning; zero fields take the defaults in brackets. Production passes only .cancel. */
struct net_opts {
	volatile sig_atomic_t *cancel; /* non-zero stops the loop soon (Ctrl-C); checked every 100 ms */
	long connect_timeout_ms;       /* [10000] */
	long low_speed_time_s;         /* [30] abort a transfer slower than low_speed_bytes/s this long */
	long low_speed_bytes;          /* [64] the floor of that low-speed limit, in bytes per second */
	long request_timeout_ms;       /* [600000] cap on one attempt, including waiting for a connection */
	double deadline_s;             /* [14400] a net_run/net_wait/net_fetch stops after this long, failing
					  what is left with a sentence naming the slowest request */
	size_t max_response;           /* [64 MiB] bigger bodies fail the request */
	double retry_scale;            /* [1.0] multiplies retry delays and the total cap (tests shrink it) */
	int max_retries;               /* [3] for errors; < 0: no retries at all */
	double pace_scale;             /* [1.0] multiplies every default rate limit (sandbox --limit-scale) */
};

/* A service the transport knows by its base URL: requests under it are named after it in
 * messages and paced by its bucket unless they name one. */
struct net_service {
	const char *url;    /* e.g. https://graph.microsoft.com (a trailing slash is ignored) */
	const char *name;   /* "Graph", "Entra ID", "Global Discovery" */
	const char *bucket; /* default rate bucket, or NULL */
};

/* What the transport is told at open; everything is copied. Requests whose URL is under no
 * service and contains "/api/data/" are Dataverse, paced per environment: "dataverse:<instance>",
 * the instance Url without its scheme (Dataverse limits are per environment's web servers). */
struct net_config {
	const char *name;                   /* whose transport, for messages ("profile \"contoso\"") */
	const char *ca_file;                /* PEM CA certificates added to the system store, or NULL */
	const struct net_service *services; /* checked at open: HTTPS, or http to loopback */
	size_t n_services;
};

/* Request flags. */
#define NET_F_IDEMPOTENT 0x1u /* safe to resend when the outcome is unknown (token POST, $batch of GETs) */
#define NET_F_NO_RETRY 0x2u   /* deliver the first answer as is (device-code polling) */

struct net_header {
	char *name;
	char *value;
};

/* What a callback receives. Everything is borrowed until the callback returns. */
struct net_response {
	const char *method;
	const char *url;                   /* as queued (before redirects) */
	long status;                       /* HTTP status of the final answer; 0 when none came */
	const char *body;                  /* NUL-terminated, never NULL */
	size_t body_len;
	const struct net_header *headers;  /* of the final answer: Retry-After, ETag, x-ms-dop-hint, OData-*... */
	size_t n_headers;
	const char *client_request_id;     /* ours */
	const char *request_id;            /* the service's (request-id, x-ms-service-request-id,
					      x-ms-request-id), NULL if none */
	int attempts;                      /* 1 + retries */
	bool cancelled;                    /* the loop was cancelled before an answer */
	const struct cs_error *err;        /* NULL when status is 2xx or 304; else the sentence to show */
};

struct net;
typedef void (*net_done_fn)(struct net *net, const struct net_response *resp, void *user);

/* One request. Only .url is required. */
struct net_request {
	const char *method;            /* NULL: "GET" */
	const char *url;               /* absolute: https://..., or http:// to a loopback host */
	const char *const *headers;    /* NULL-terminated "Name: value" lines (Accept, Prefer, If-Match...) */
	const char *body;              /* NULL: none */
	size_t body_len;               /* 0 with a body: strlen(body) */
	const char *bucket;            /* rate bucket (pace.h), e.g. "graph:chat", "dataverse:<instance>"; NULL:
					  only the host's */
	const char *resource;          /* token resource ("https://graph.microsoft.com", a Dataverse
					  instance Url); NULL: no Authorization header */
	const char *service;           /* name in messages ("Graph", "Dataverse"); NULL: from the URL */
	const char *needs;             /* permission named when refused (403), e.g. "Chat.Read.All" */
	unsigned flags;                /* NET_F_* */
	double delay_s;                /* do not start before this many seconds from now */
	net_done_fn done;              /* may be NULL */
	void *user;
};

/* The owned result of net_fetch. */
struct net_result {
	long status;
	char *body;                    /* NUL-terminated, never NULL after a fetch */
	size_t body_len;
	struct net_header *headers;
	size_t n_headers;
	char *client_request_id;
	char *request_id;
};

/* Progress counters, readable from any thread. */
struct net_stats {
	unsigned long queued;     /* requests accepted by net_queue */
	unsigned long sent;       /* attempts started (retries and re-sends included) */
	unsigned long done;       /* requests finished (callback ran) */
	unsigned long throttled;  /* 429 answers received */
	unsigned long retried;    /* retries scheduled */
	unsigned long errors;     /* requests finished with an error */
	unsigned long tokens;     /* access tokens obtained (sign-ins and refreshes) */
	unsigned long scheduler_checks; /* times the scheduler priced a request against its buckets: about
					   one per attempt whatever the queue's length (its cost) */
};

/* Makes a transport. Checks the services' URLs (HTTPS, or http to loopback) and loads ca_file.
 * Caller owns; NULL with err filled on failure (exit code 2 for a bad URL or ca_file). */
struct net *net_open(const struct net_config *cfg, const struct net_opts *opts, struct cs_error *err);
/* Cancels what is still queued (callbacks run with cancelled set), releases the token source and
 * frees everything. */
void net_close(struct net *net);

/* Where bearer tokens come from. The transport calls these from its loop (never from a signal):
 *  - token: 0 with *token (borrowed until the next call into the source) when a token is in hand;
 *    1 when one is being fetched (the source then calls net_token_ready for that resource, later
 *    or from inside this call); -1 with err when getting one failed (the request fails with it);
 *  - refused: the service answered 401 to token: forget it unless a newer one is in hand;
 *  - new_run: a run starts (a request is queued on an idle transport, or net_run is called on
 *    one): failures of the previous run may be retried;
 *  - release: net_close is done with the source (free user). Any member may be NULL. */
struct net_token_source {
	int (*token)(void *user, const char *resource, const char **token, struct cs_error *err);
	void (*refused)(void *user, const char *resource, const char *token);
	void (*new_run)(void *user);
	void (*release)(void *user);
};
/* Installs the token source (one per transport; a previous one is released). */
void net_set_token_source(struct net *net, const struct net_token_source *src, void *user);
/* The user pointer of the installed source if it is src (the source finds its state), else NULL. */
void *net_token_source_user(const struct net *net, const struct net_token_source *src);
/* The token source's asynchronous answer: resource's token is ready (err NULL: the requests
 * waiting on it go ahead, and the token counts in net_stats) or failed (they fail with err). */
void net_token_ready(struct net *net, const char *resource, const struct cs_error *err);

/* Queues a request. Fails (-1, err) only on a malformed or refused URL (exit code 2); every other
 * failure arrives in the callback. May be called from a callback. */
int net_queue(struct net *net, const struct net_request *req, struct cs_error *err);
/* Asks the token source now for the token of resource (as a request naming it would: the same
 * resource, trailing slashes ignored), so that requests queued later find it in hand or on its
 * way; the fetch runs in the next net_wait/net_step. 0 when the token is in hand or on its way, -1
 * when it cannot be had now (no token source, a failure at once such as an unreadable secret or a
 * sign-in that failed, or a cancel); the requests that later name the resource get the failure,
 * unless a new run starts in between: ask after the run's first request is queued. */
int net_ask_token(struct net *net, const char *resource);

/* Runs until no request is left (0) or the cancel flag is set (-1, err "interrupted"). Individual
 * request errors go to their callbacks and do not make net_run fail. Not from a callback. */
int net_run(struct net *net, struct cs_error *err);
/* One turn of the loop, waiting at most timeout_ms for network activity: for callers that drive
 * the transport from their own event loop. Returns the number of requests still pending. Once the
 * cancel flag is set, the next net_step cancels every pending request (their callbacks run) and
 * returns 0: loop on `while (net_pending(net) > 0) net_step(net, ms);`, not on !net_cancelled(), or
 * the callbacks run later, from net_close, after their data may be gone. */
size_t net_step(struct net *net, int timeout_ms);
/* From any thread: a net_step waiting in another thread returns soon. */
void net_wakeup(struct net *net);
size_t net_pending(const struct net *net);
bool net_cancelled(const struct net *net);
/* Runs the loop until done(ctx) is true; -1 with err on cancel, on the deadline, or when nothing
 * is pending that could make it true. For layers above that wait for their own state (sign-in).
 * Not from a callback. */
int net_wait(struct net *net, bool (*done)(void *ctx), void *ctx, struct cs_error *err);

/* Queues one request and runs the loop until it is done (other queued requests progress too).
 * Returns 0 with *out filled (also for 4xx/5xx answers: check out->status) or -1 with err when
 * there is no usable answer: transport failure, refused sign-in, cancel. HTTP errors are also
 * reported in err when out->status is not 2xx/304 (the return is then -1 too). Caller frees *out
 * with net_result_free in every case. Not from a callback. */
int net_fetch(struct net *net, const struct net_request *req, struct net_result *out, struct cs_error *err);
void net_result_free(struct net_result *r);

/* Case-insensitive header lookup (the last one wins); NULL when absent. */
const char *net_header_get(const struct net_header *h, size_t n, const char *name);
static inline const char *net_response_header(const struct net_response *r, const char *name)
{
	return net_header_get(r->headers, r->n_headers, name);
}

void net_stats_get(const struct net *net, struct net_stats *out);

/* Adds or changes a pacing rule (see pace.h), e.g. net_pace_rule(net, "graph:chat", 5, 5, 0). */
void net_pace_rule(struct net *net, const char *pattern, double rps, double burst, int concurrency);

/* The transport's retry_scale (a sign-in's own waits, such as device-code slow_down, scale with it). */
double net_retry_scale(const struct net *net);

/* 0 if chatsync may send to url (https://, or http:// to 127.0.0.0/8, ::1 or localhost), else
 * -1 with err naming the URL and the rule (exit code 2). */
int net_url_allowed(const char *url, struct cs_error *err);
/* True when a and b have the same origin: scheme, host and port (an absent port is the scheme's). */
bool net_same_origin(const char *a, const char *b);

/* Small services for the layers above, which include no curl and no RNG of their own. */
double net_now(void);                         /* monotonic seconds */
char *net_form_escape(const char *s);         /* x-www-form-urlencoded value; caller owns */
char *net_guid(char *buf, size_t n);          /* a random (v4) GUID into buf (>= 37 bytes); returns buf */

#endif
