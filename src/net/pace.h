/* Pacing: sliding windows, token buckets and concurrency caps that keep chatsync under the
 * services' documented limits, so a well-behaved refresh is almost never throttled. A limit stated
 * as "N per second" is paced by a window: the bucket keeps its last N send times and a request may
 * go once the N-th last is more than a second (a small margin, and as much as that send's answer
 * came later than the quickest) ago, so no second, wherever it starts, sees more than N where the
 * service counts, and the rate comes within the margin of N. A token bucket lets its
 * burst and a second's rate into one second, so it paces limits over long windows (Dataverse's 5
 * minutes). Pure (no curl, no clock of its own: callers pass the time in seconds), so it is
 * unit-tested directly.
 *
 * Buckets are named by the caller ("graph:installedApps:<chat id>") and get their limits from
 * rules. A rule is either exact ("graph:chat") or a prefix ending in '*' ("dataverse:*"):
 *  - an exact rule R paces every bucket named R or starting with "R:" (one shared bucket R);
 *  - the longest matching '*' rule paces the named bucket itself (one bucket per name).
 * So "graph:installedApps:19:x@thread.v2" is paced by the per-chat bucket (1 rps, rule
 * "graph:installedApps:*"), by "graph:installedApps" (30 rps) and by "graph". Chat ids contain
 * colons, which is why wildcard rules take the whole rest of the name.
 *
 * Limits adapt: a 429 halves the rate (for a window: the sends it allows per window, and its
 * margin doubles) of the buckets involved (at most once a second, never below a quarter of the
 * limit) and pauses the most specific one for the Retry-After; successes win the rate back
 * slowly (a margin stays); Dataverse's x-ms-dop-hint sets the concurrency, its
 * x-ms-ratelimit-burst-remaining-xrm-requests caps what the bucket may still send. The service's
 * own numbers are the authority. */
#ifndef CHATSYNC_NET_PACE_H
#define CHATSYNC_NET_PACE_H
#include <stdbool.h>
#include <stddef.h>

struct pace;
struct pace_bucket;

#define PACE_MAX_CHAIN 6
/* Requests in flight to one host at most (the "host:*" rule). */
#define PACE_HOST_CONCURRENCY 64

/* The buckets one request is charged to, most specific first. */
struct pace_chain {
	struct pace_bucket *b[PACE_MAX_CHAIN];
	unsigned long seq[PACE_MAX_CHAIN]; /* pace_take's place in each window bucket's log */
	int n;
};

/* A registry with the documented default rules; scale multiplies every rate and burst
 * (tests run against a sandbox whose limits are scaled the same way). Caller owns. */
struct pace *pace_new(double scale);
void pace_free(struct pace *p);

/* Adds or replaces a rule. rps <= 0: no rate limit; concurrency <= 0: no cap; burst < 1: rps
 * (at least 1). Buckets made before keep their limits. */
void pace_rule(struct pace *p, const char *pattern, double rps, double burst, int concurrency);
/* Adds or replaces a sliding-window rule: at most max sends (rounded down, at least 1) in any
 * window_s seconds, spaced so that a window's worth never leaves at once. The bucket's rate (for
 * pace_bucket_rate and the 429 cut) is max / window_s. */
void pace_rule_window(struct pace *p, const char *pattern, double max, double window_s, int concurrency);

/* The chain for a bucket name (NULL: none) plus the per-host bucket "host:<host>" (host NULL:
 * none). Buckets live as long as the registry. */
void pace_chain(struct pace *p, const char *name, const char *host, struct pace_chain *out);

/* Seconds until a request on this chain may start at time now: 0 now, > 0 a rate wait or a
 * pause, a negative value when a concurrency cap is full (wait for a completion). */
double pace_wait(struct pace_chain *c, double now);
/* pace_wait that also names the bucket to wait on (*blocker; NULL when the answer is 0): a full
 * concurrency cap if any, else the bucket with the longest wait. */
double pace_wait_blocker(struct pace_chain *c, double now, struct pace_bucket **blocker);
/* pace_wait for one bucket alone. */
double pace_bucket_wait(struct pace_bucket *b, double now);

/* A scheduler's waiting line on a bucket (see net's scheduler): pace keeps it with the bucket and
 * never reads it, so a scheduler finds the requests behind a bucket without walking its queue. */
struct pace_waitq {
	void *head, *tail; /* the scheduler's lanes waiting for this bucket */
	double wake;       /* when the scheduler looks again, if armed */
	bool armed;        /* wake is in the scheduler's timer heap */
	size_t heap_pos;
};
struct pace_waitq *pace_bucket_waitq(struct pace_bucket *b);
/* Charges a starting request: one token and one in-flight slot on every bucket. */
void pace_take(struct pace_chain *c, double now);
/* The request charged by pace_take on this chain went on the wire now (later than it was charged
 * when a new connection's handshake came first): the window buckets' logs move its send time to
 * now, and any send logged after it to no earlier, so the next window counts from when the
 * service could really have seen it. */
void pace_sent(struct pace_chain *c, double now);
/* A request finished. status: HTTP status (0: none). retry_after: seconds or < 0.
 * dop_hint: x-ms-dop-hint value or 0. */
void pace_done(struct pace_chain *c, double now, long status, double retry_after, int dop_hint);
/* The service says how many requests remain in its window (Dataverse's
 * x-ms-ratelimit-burst-remaining-xrm-requests): the most specific bucket never holds more. */
void pace_remaining(struct pace_chain *c, double now, long remaining);

/* For tests and the trace: a bucket's name and current limits. */
const char *pace_bucket_name(const struct pace_bucket *b);
double pace_bucket_rate(const struct pace_bucket *b);
int pace_bucket_concurrency(const struct pace_bucket *b);
int pace_bucket_in_flight(const struct pace_bucket *b);

#endif
