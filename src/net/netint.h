/* Internals shared by the files of src/net only. Nothing outside src/net includes this: the public
 * contract is http.h. The object files are layered, each calling only those below it:
 *
 *   http.c      the front door: open/close, queueing, the blocking fetch, stats
 *   httploop.c  the loop: completion, retries, redirects, tokens, cancel, the deadline
 *   netsched.c  which request may start next: lanes, heaps, buckets' waiting lines
 *   httpio.c    one attempt on a curl easy handle, and what a curl failure means
 *   netreq.c    a request and its URL: the URL and redirect policy, headers, time, ids
 *   pace.c retry.c neterr.c   pure policies and sentences
 */
#ifndef CHATSYNC_NET_NETINT_H
#define CHATSYNC_NET_NETINT_H
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "base/error.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "net/pace.h"
#include "net/retry.h"

enum req_state { REQ_READY, REQ_PARKED, REQ_RUNNING };
enum req_sched { NET_SCHED_NONE, NET_SCHED_TIMER, NET_SCHED_LANE };
struct lane;

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
	/* where the scheduler keeps it while READY (netsched.c) */
	struct lane *lane;
	struct net_req *lprev, *lnext;
	size_t heap_pos;
	enum req_sched sched;
	bool front;
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

/* httpio.c: one attempt on a curl easy handle. */
enum netio_trust { NETIO_TRUST_DEFAULT, NETIO_TRUST_DIR, NETIO_TRUST_BUNDLE };
struct net_io {
	const struct net_opts *opts;
	CURLSH *share;
	void *extra_ca;       /* STACK_OF(X509) from ca_file, or NULL */
	const char *ca_file;
	enum netio_trust trust; /* netio_system_trust's */
};

/* netsched.c: lanes of ready requests, a heap of delayed ones, buckets' waiting lines. */
struct net_heap {
	void **items;
	size_t n, cap;
};
struct net_sched {
	struct lane **slots;
	size_t n_slots, n_lanes;
	struct lane *run_head, *run_tail;
	struct net_heap timers;  /* requests by not_before */
	struct net_heap buckets; /* pace_waitq by wake */
	atomic_ulong checks;     /* lanes priced (net_stats.scheduler_checks) */
};

/* A known service, copied from struct net_config. */
struct net_svc {
	char *url, *name, *bucket;
};

/* The transport (http.h). Fields are shared by http.c (setup, queueing) and httploop.c. */
struct net {
	char *name, *ca_file;
	struct net_svc *svcs;
	size_t n_svcs;
	struct net_opts opts;
	struct retry_policy policy;
	struct net_io io;
	CURLM *multi;
	CURLSH *share;
	struct pace *pace;
	const struct net_token_source *tsrc; /* NULL: requests with a .resource fail */
	void *tsrc_user;
	struct req_list ready, parked, running;
	struct net_sched sched; /* which ready request may start next */
	int depth;       /* > 0 while a callback runs */
	bool cancelling; /* cancel under way: queueing refused */
	uint64_t rng;
	double busy_since;  /* monotonic: when the transport last went from idle to busy (the deadline) */
	bool deadline_hit;  /* the deadline failed what was pending; net_wait reports deadline_err */
	struct cs_error deadline_err;
	atomic_ulong n_queued, n_sent, n_done, n_throttled, n_retried, n_errors, n_tokens;
};

/* ---- netreq.c ---- */
/* Scheme, host and port of url (caller frees the strings; port is the scheme's default when the
 * URL names none), or -1 when curl cannot parse it. */
int netreq_url_origin(const char *url, char **scheme, char **host, long *port);
/* What chatsync does with a redirect of r (status, to target): NULL to follow it (*keep_token
 * says whether the bearer token may go along), else the reason it is refused, a sentence. */
const char *netreq_redirect_policy(const struct net_req *r, long status, const char *target, bool *keep_token);
/* Frees the easy handle and attempt state (headers list wiped: it may hold a token). */
void netreq_end_attempt(struct net_req *r);
void netreq_reset_response(struct net_req *r);
void netreq_free(struct net_req *r);

/* ---- netsched.c ---- */
/* A ready request joins the schedule (front: before the others of its lane). */
void netsched_add(struct net_sched *s, struct net_req *r, double now, bool front);
void netsched_remove(struct net_sched *s, struct net_req *r);
/* The next request whose time and buckets allow it to start now, taken off the schedule; NULL
 * when none. O(log n) amortised: only the first request of a lane is priced. */
struct net_req *netsched_next(struct net_sched *s, double now);
/* A request on chain c finished: the lanes waiting on its buckets may go. */
void netsched_completed(struct net_sched *s, const struct pace_chain *c, double now);
/* Seconds until netsched_next may have something, 0 now, -1 only after a completion. */
double netsched_timeout(const struct net_sched *s, double now);
void netsched_free(struct net_sched *s);

/* ---- httpio.c ---- */
/* Loads the PEM certificates of ca_file (exit code 2 on error). *out is a STACK_OF(X509). */
int netio_load_ca(const char *path, void **out, struct cs_error *err);
void netio_free_ca(void *ca);
/* Which of curl's default CA file and directory each connection is given (see httpio.c). */
enum netio_trust netio_system_trust(void);
/* Makes the easy handle of r's next attempt (token: bearer token or NULL). */
CURL *netio_easy(const struct net_io *io, struct net_req *r, const char *token);
/* Classifies a curl failure for the retry policy and explains it in words. */
enum retry_failure netio_classify(CURLcode rc, const struct net_req *r, long request_size);
void netio_explain(CURLcode rc, const struct net_req *r, const char *ca_file, const char *profile, char *why,
		   size_t why_n, char *hint, size_t hint_n);
void netio_trace_request(const struct net_req *r);
void netio_trace_response(const struct net_req *r, long status, CURLcode rc);
/* The service's own request id among the response headers, or NULL. */
const char *netio_request_id(const struct net_req *r);

/* ---- httploop.c ---- */
void netloop_add(struct net *net, struct net_req *r);  /* a new request joins the ready list */
/* r's token is asked for now; -1 when it cannot be had (no token source, or it failed at once). */
int netloop_ask_token(struct net *net, const struct net_req *r);
void netloop_cancel_all(struct net *net);             /* every callback runs, cancelled */
void netloop_new_run(struct net *net);                /* the token source hears of a new run */
/* Forgets the token source (net_close): its release callback runs. */
void netloop_drop_token_source(struct net *net);

#endif
