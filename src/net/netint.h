/* Internals shared by the files of src/net only (http.c, httpio.c, auth.c). Nothing outside
 * src/net includes this: the public contracts are http.h and auth.h. */
#ifndef CHATSYNC_NET_NETINT_H
#define CHATSYNC_NET_NETINT_H
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "core/conf.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "net/pace.h"
#include "net/retry.h"

struct auth;

enum req_state { REQ_READY, REQ_PARKED, REQ_RUNNING };

/* One queued request and its current attempt. */
struct net_req {
	struct net_req *prev, *next;
	enum req_state state;
	char *method, *url, *orig_url, *host, *body, *bucket, *resource, *service, *needs;
	size_t body_len;
	char **headers;
	size_t n_headers;
	unsigned flags;
	net_done_fn done;
	void *user;
	char crid[40];
	struct pace_chain chain;
	double not_before, first_start, attempt_start; /* monotonic seconds */
	double last_byte;  /* when the running attempt last received anything */
	int attempts, retries, redirects;
	bool reauthed;
	char *token_used; /* the bearer token of the running attempt, to invalidate on 401 */
	/* the running attempt */
	CURL *easy;
	struct curl_slist *slist;
	char errbuf[CURL_ERROR_SIZE];
	struct buf rbody;
	struct net_header *rhdrs;
	size_t n_rhdrs, cap_rhdrs;
	size_t max_body;
	bool too_big;
};

struct req_list {
	struct net_req *head, *tail;
	size_t n;
};

/* Monotonic time in seconds. */
double net_now(void);

/* httpio.c: one attempt on a curl easy handle. */
struct net_io {
	const struct net_opts *opts;
	CURLSH *share;
	void *extra_ca;       /* STACK_OF(X509) from ca_file, or NULL */
	const char *ca_file;
};

/* The transport (http.h). Fields are shared by http.c (setup, queueing) and httploop.c. */
struct net {
	struct conf_profile prof; /* our copy */
	char *graph_res, *disco_res, *token_dir;
	struct net_opts opts;
	struct retry_policy policy;
	struct net_io io;
	CURLM *multi;
	CURLSH *share;
	struct pace *pace;
	struct auth *auth;
	struct req_list ready, parked, running;
	int depth;       /* > 0 while a callback runs */
	bool cancelling; /* cancel under way: queueing refused */
	uint64_t rng;
	unsigned pass;   /* scheduler pass stamp (pace_wait_mark) */
	atomic_ulong n_queued, n_sent, n_done, n_throttled, n_retried, n_errors, n_tokens;
};

/* Loads the PEM certificates of ca_file (exit code 2 on error). *out is a STACK_OF(X509). */
int netio_load_ca(const char *path, void **out, struct cs_error *err);
void netio_free_ca(void *ca);
/* Makes the easy handle of r's next attempt (token: bearer token or NULL). */
CURL *netio_easy(const struct net_io *io, struct net_req *r, const char *token);
/* Frees the easy handle and attempt state (headers list wiped: it may hold a token). */
void netio_end_attempt(struct net_req *r);
void netio_reset_response(struct net_req *r);
/* Classifies a curl failure for the retry policy and explains it in words. */
enum retry_failure netio_classify(CURLcode rc, const struct net_req *r, long request_size);
void netio_explain(CURLcode rc, const struct net_req *r, const char *ca_file, const char *profile, char *why,
		   size_t why_n, char *hint, size_t hint_n);
void netio_trace_request(const struct net_req *r);
void netio_trace_response(const struct net_req *r, long status, CURLcode rc);
/* The service's own request id among the response headers, or NULL. */
const char *netio_request_id(const struct net_req *r);

/* http.c <-> httploop.c */
void net_req_free(struct net_req *r);
int net_url_parts(const char *url, char **scheme, char **host);
void netloop_add(struct net *net, struct net_req *r);  /* a new request joins the ready list */
void netloop_cancel_all(struct net *net);             /* every callback runs, cancelled */

/* http.c services for auth.c */
struct auth *net_auth(struct net *net);
const char *net_token_dir(const struct net *net);
/* auth.c tells the transport that a resource's token is ready (err NULL) or failed. */
void net_resource_event(struct net *net, const char *resource, const struct cs_error *err);
void net_count_token(struct net *net);
/* Runs the loop until done(ctx) is true; -1 with err on cancel or from a callback. */
int net_wait(struct net *net, bool (*done)(void *ctx), void *ctx, struct cs_error *err);
/* The transport's retry_scale (device-code slow_down waits scale with it). */
double net_retry_scale(const struct net *net);
/* x-www-form-urlencoded value. Caller owns. */
char *net_form_escape(const char *s);

/* auth.c services for http.c */
struct auth *auth_new(struct net *net, const struct conf_profile *p, struct cs_error *err);
void auth_free(struct auth *a);
/* The bearer token for resource: 0 with *token (borrowed until the next auth call), 1 when a
 * sign-in or refresh is under way (net_resource_event follows), -1 with err when it failed. */
int auth_token(struct auth *a, const char *resource, const char **token, struct cs_error *err);
/* The service refused token for resource (401): forget it, unless a newer one exists already. */
void auth_invalidate(struct auth *a, const char *resource, const char *token);
/* A new run starts: failures of the previous run may be retried. */
void auth_new_run(struct auth *a);

/* authstore.c: what auth.c keeps outside memory, and asks of the person at the terminal. */
/* The refresh token cached for profile p in path: 0 with *refresh (NULL when there is no file or
 * it belongs to another tenant/app), -1 with err when the file is refused (too open, unreadable). */
int authstore_load(const char *path, const struct conf_profile *p, char **refresh, struct cs_error *err);
/* Writes the cache atomically with mode 0600, creating its directory (0700). */
int authstore_save(const char *path, const struct conf_profile *p, const char *refresh, struct cs_error *err);
int authstore_delete(const char *path, struct cs_error *err);
/* The client secret: client_secret_file (must be private) or $CHATSYNC_CLIENT_SECRET. Caller
 * owns (wipe before freeing). */
int authstore_secret(const struct conf_profile *p, char **out, struct cs_error *err);
/* Default passphrase prompt: /dev/tty without echo. */
int authstore_tty_passphrase(char *buf, int size, const char *what, void *user);
/* Default device-code prompt: Entra's message on stderr. */
void authstore_print_prompt(const char *message, const char *user_code, const char *verification_uri, void *user);
/* Frees s after overwriting it. */
void auth_wipe(char *s);

#endif
