/* Retry policy of the transport: which failures are worth another attempt, how long to wait
 * (Retry-After, else exponential back-off with jitter) and when to give up. Pure functions, no
 * curl: http.c classifies a failed attempt into a struct retry_input and asks retry_decide.
 *
 * The policy follows the official Graph SDKs' retry handler (3 retries, 3 s base delay, 180 s
 * total, on 429/503/504, honouring Retry-After in seconds or as an HTTP date, with a Retry-Attempt
 * header) and improves on it: throttling (429/503 with Retry-After) gets more retries within the
 * same total time cap, connection failures are retried too, and a request whose outcome is
 * unknown is resent only if resending cannot apply it twice. */
#ifndef CHATSYNC_NET_RETRY_H
#define CHATSYNC_NET_RETRY_H
#include <stdbool.h>
#include <time.h>

struct retry_policy {
	int max_retries;           /* for server errors and connection failures (SDK: 3) */
	int max_retries_throttled; /* for 429, and 503 carrying Retry-After */
	double base_s;             /* first back-off delay (SDK: 3 s) */
	double max_delay_s;        /* one back-off delay never exceeds this */
	double total_cap_s;        /* a request stops retrying once this much time has passed (SDK: 180 s) */
};

/* How an attempt failed below HTTP. */
enum retry_failure {
	RETRY_FAIL_NONE = 0,     /* a response arrived: look at the status */
	RETRY_FAIL_BEFORE_SEND,  /* nothing reached the server (connect, DNS, TLS handshake) */
	RETRY_FAIL_AFTER_SEND,   /* the request may have reached it (reset, timeout, truncated reply) */
	RETRY_FAIL_FATAL,        /* retrying cannot help (certificate, protocol, size cap) */
};

struct retry_input {
	long status;                /* HTTP status, 0 when no response */
	enum retry_failure failure;
	bool idempotent;            /* resending cannot apply the request twice (see retry_idempotent) */
	int retries_done;           /* retries already made for this request */
	double elapsed_s;           /* since the first attempt started */
	double retry_after_s;       /* parsed Retry-After, < 0 when absent */
	double unit_random;         /* a draw in [0, 1) for the jitter */
};

/* Why retry_decide said no, for the error sentence. */
enum retry_verdict {
	RETRY_GO = 0,          /* retry after *delay_s */
	RETRY_NOT_RETRYABLE,   /* a status or failure that is never retried */
	RETRY_UNSAFE,          /* outcome unknown and resending could apply it twice */
	RETRY_EXHAUSTED,       /* the retry count is used up */
	RETRY_OUT_OF_TIME,     /* the next wait would pass the total time cap */
};

/* The SDK-compatible defaults, with base and cap multiplied by scale (1.0 for production;
 * tests shrink them). */
void retry_policy_default(struct retry_policy *p, double scale);

/* Parses a Retry-After value: delta-seconds ("120", and the fractional "2.128" Graph sends) or an
 * HTTP date (IMF-fixdate, RFC 850 or asctime) relative to now. A date in the past gives 0.
 * Returns the delay in seconds, or -1 when the value is not one of those forms. */
double retry_after_parse(const char *value, time_t now);

/* The back-off delay before retry number n (1-based) without Retry-After: base * 2^(n-1)
 * capped at max_delay_s, then jittered into [delay/2, delay] by unit_random. */
double retry_backoff(const struct retry_policy *p, int n, double unit_random);

/* True when resending cannot apply a request twice: GET, HEAD, OPTIONS, PUT, DELETE; a PATCH or
 * POST only when it carries If-Match (the server refuses the second copy with 412) or the caller
 * declared it safe (force, e.g. a token request or a $batch of reads). */
bool retry_idempotent(const char *method, bool has_if_match, bool force);

/* Decides whether to retry an attempt. On RETRY_GO *delay_s holds the wait. */
enum retry_verdict retry_decide(const struct retry_policy *p, const struct retry_input *in, double *delay_s);

#endif
