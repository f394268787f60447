/* The HTTP transport: every network call chatsync makes goes through here (src/net is the only
 * place that includes curl). Read this before writing src/api/ or src/sync/.
 *
 * One struct net per profile. It drives a curl multi handle: many requests in flight on shared
 * connections (HTTP/2 multiplexing where offered, connection and TLS session reuse), HTTPS only
 * (plain http only to loopback hosts), certificate verification always on with the profile's
 * ca_file added to the system trust store, proxies from the environment (https_proxy, no_proxy),
 * compressed responses, connect and low-speed timeouts, a response size cap, SIGPIPE ignored.
 *
 * What a request gets without asking:
 *  - a `client-request-id` GUID (kept across retries; logged, and quoted in every error);
 *  - `Authorization: Bearer` for its .resource, signing in first if needed (auth.h); a 401 is
 *    answered by one token refresh and one resend, invisible to the caller;
 *  - retries (retry.h): 429, 503 and 504 and connection failures, honouring Retry-After, else
 *    exponential back-off with jitter, a `Retry-Attempt` header, a total time cap; never a 4xx
 *    other than 429, never a PATCH/POST whose outcome is unknown unless it has If-Match or
 *    NET_F_IDEMPOTENT;
 *  - pacing (pace.h): the request waits until its .bucket (and the host's) has room;
 *  - redirects followed by the transport itself, each target checked (no plain http off
 *    loopback, no bearer token to another host);
 *  - a TRACE log (-v -v) of request and response, every secret redacted.
 *
 * Typical use (callbacks may queue more requests, e.g. the next page):
 *
 *     struct net *net = net_open(profile, &(struct net_opts){ .cancel = &interrupted }, &err);
 *     net_queue(net, &(struct net_request){
 *             .url = url, .bucket = "graph:installedApps:19:abc@thread.v2",
 *             .resource = net_graph_resource(net), .service = "Graph",
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
struct conf_profile;

/* Tuning; zero fields take the defaults in brackets. Production passes only .cancel. */
struct net_opts {
	volatile sig_atomic_t *cancel; /* non-zero stops the loop soon (Ctrl-C); checked every 100 ms */
	long connect_timeout_ms;       /* [10000] */
	long low_speed_time_s;         /* [30] abort a transfer that moves < 1 byte/s this long */
	long request_timeout_ms;       /* [0: none] cap on one attempt, including waiting for a connection */
	size_t max_response;           /* [64 MiB] bigger bodies fail the request */
	double retry_scale;            /* [1.0] multiplies retry delays and the total cap (tests shrink it) */
	int max_retries;               /* [3] for errors; < 0: no retries at all */
	double pace_scale;             /* [1.0] multiplies every default rate limit (sandbox --limit-scale) */
	const char *token_dir;         /* [$XDG_STATE_HOME/chatsync] where <profile>.tokens lives */
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
	const char *bucket;            /* rate bucket (pace.h), e.g. "graph:chat", "dataverse:<host>"; NULL:
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
};

/* Makes a transport for a profile (which it copies; the profile may be freed after). Checks the
 * endpoints (HTTPS, or http to loopback) and loads ca_file; signs in lazily, on the first request
 * that needs a token. Caller owns; NULL with err filled on failure. */
struct net *net_open(const struct conf_profile *profile, const struct net_opts *opts, struct cs_error *err);
/* Cancels what is still queued (callbacks run with cancelled set) and frees everything. */
void net_close(struct net *net);

/* Queues a request. Fails (-1, err) only on a malformed or refused URL (exit code 2); every other
 * failure arrives in the callback. May be called from a callback. */
int net_queue(struct net *net, const struct net_request *req, struct cs_error *err);

/* Runs until no request is left (0) or the cancel flag is set (-1, err "interrupted"). Individual
 * request errors go to their callbacks and do not make net_run fail. Not from a callback. */
int net_run(struct net *net, struct cs_error *err);
/* One turn of the loop, waiting at most timeout_ms for network activity: for callers that drive
 * the transport from their own event loop. Returns the number of requests still pending. Once the
 * cancel flag is set, the next net_step cancels every pending request (their callbacks run) and
 * returns 0: loop on `while (net_pending(net) > 0) net_step(net, ms);`, not on !net_cancelled(), or
 * the callbacks run later, from net_close, after their data may be gone. */
size_t net_step(struct net *net, int timeout_ms);
size_t net_pending(const struct net *net);
bool net_cancelled(const struct net *net);

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

/* Token resources of the profile: Graph (graph_resource or https://graph.microsoft.com) and
 * Global Discovery (discovery_resource or https://globaldisco.crm.dynamics.com). A Dataverse
 * resource is the instance Url itself. */
const char *net_graph_resource(const struct net *net);
const char *net_discovery_resource(const struct net *net);
const struct conf_profile *net_profile(const struct net *net);

/* 0 if chatsync may send to url (https://, or http:// to 127.0.0.0/8, ::1 or localhost), else
 * -1 with err naming the URL and the rule (exit code 2). */
int net_url_allowed(const char *url, struct cs_error *err);

#endif
