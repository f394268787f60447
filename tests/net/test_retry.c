/* The retry policy: Retry-After parsing, back-off bounds, and which failures are retried. */
#include "config.h"
#include <criterion/criterion.h>
#include <math.h>
#include "net/retry.h"

/* 1994-11-06 08:49:37 UTC, the RFC's example date. */
#define RFC_DATE 784111777

Test(retry_after, delta_seconds_including_graphs_fractional_form)
{
	cr_assert_float_eq(retry_after_parse("120", 0), 120.0, 1e-9);
	cr_assert_float_eq(retry_after_parse("  7 ", 0), 7.0, 1e-9);
	cr_assert_float_eq(retry_after_parse("0", 0), 0.0, 1e-9);
	cr_assert_float_eq(retry_after_parse("2.128", 0), 2.128, 1e-9); /* Graph's throttling page */
}

Test(retry_after, http_dates_in_all_three_forms)
{
	time_t now = RFC_DATE - 30;
	cr_assert_float_eq(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now), 30.0, 1e-9);
	cr_assert_float_eq(retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", now), 30.0, 1e-9);
	cr_assert_float_eq(retry_after_parse("Sun Nov  6 08:49:37 1994", now), 30.0, 1e-9);
	/* A date already past means "now", never a negative wait. */
	cr_assert_float_eq(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_DATE + 100), 0.0, 1e-9);
	/* Year 2026, to catch a two-digit-year or epoch mistake. */
	cr_assert_float_eq(retry_after_parse("Sat, 14 Nov 2026 09:12:05 GMT", 1794647520), 5.0, 1e-9);
}

Test(retry_after, garbage_is_rejected)
{
	const char *bad[] = { "", "soon", "-5", "12abc", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
			      "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "nan", "inf",
			      "Sun, 06 Nov 1994 08:49:37 GMT trailing" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_lt(retry_after_parse(bad[i], RFC_DATE), 0, "accepted \"%s\"", bad[i]);
	cr_assert_lt(retry_after_parse(NULL, 0), 0);
}

Test(backoff, grows_exponentially_within_jitter_bounds_and_cap)
{
	struct retry_policy p;
	retry_policy_default(&p, 1.0);
	cr_assert_float_eq(p.base_s, 3.0, 1e-9);
	cr_assert_float_eq(p.total_cap_s, 180.0, 1e-9);
	cr_assert_eq(p.max_retries, 3);
	for (int n = 1; n <= 8; n++) {
		double full = fmin(3.0 * pow(2, n - 1), p.max_delay_s);
		for (double u = 0; u < 1; u += 0.0999) {
			double d = retry_backoff(&p, n, u);
			cr_assert_geq(d, full / 2 - 1e-9, "retry %d u=%f: %f below %f", n, u, d, full / 2);
			cr_assert_leq(d, full + 1e-9, "retry %d u=%f: %f above %f", n, u, d, full);
		}
	}
	/* Jitter really spreads: low and high draws differ. */
	cr_assert_gt(retry_backoff(&p, 2, 0.99) - retry_backoff(&p, 2, 0.0), 2.5);
	/* Scaled policies (tests) shrink everything alike. */
	struct retry_policy s;
	retry_policy_default(&s, 0.01);
	cr_assert_float_eq(s.base_s, 0.03, 1e-9);
	cr_assert_float_eq(s.total_cap_s, 1.8, 1e-9);
}

static enum retry_verdict decide(long status, enum retry_failure f, bool idem, int done, double elapsed,
				 double ra, double *delay)
{
	struct retry_policy p;
	retry_policy_default(&p, 1.0);
	struct retry_input in = { status, f, idem, done, elapsed, ra, 0.5 };
	*delay = -1;
	return retry_decide(&p, &in, delay);
}

Test(decide, throttling_is_retried_for_any_method_and_honours_retry_after)
{
	double d;
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, false, 0, 0, 7.5, &d), RETRY_GO);
	cr_assert_float_eq(d, 7.5, 1e-9);
	cr_assert_eq(decide(503, RETRY_FAIL_NONE, false, 0, 0, 2, &d), RETRY_GO);
	cr_assert_float_eq(d, 2.0, 1e-9);
	/* 429 without Retry-After: back-off. */
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, false, 1, 0, -1, &d), RETRY_GO);
	cr_assert(d >= 3.0 && d <= 6.0, "%f", d);
	/* Throttling gets more than the 3 retries errors get. */
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, true, 5, 10, 1, &d), RETRY_GO);
	cr_assert_eq(decide(503, RETRY_FAIL_NONE, true, 3, 10, -1, &d), RETRY_EXHAUSTED);
}

Test(decide, never_a_4xx_other_than_429)
{
	double d;
	long statuses[] = { 400, 401, 403, 404, 409, 412, 413, 422, 500, 501 };
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		cr_assert_eq(decide(statuses[i], RETRY_FAIL_NONE, true, 0, 0, 1, &d), RETRY_NOT_RETRYABLE, "%ld",
			     statuses[i]);
}

Test(decide, unknown_outcome_only_when_resending_is_safe)
{
	double d;
	/* 504: the backend may have applied it. */
	cr_assert_eq(decide(504, RETRY_FAIL_NONE, false, 0, 0, -1, &d), RETRY_UNSAFE);
	cr_assert_eq(decide(504, RETRY_FAIL_NONE, true, 0, 0, -1, &d), RETRY_GO);
	cr_assert_eq(decide(0, RETRY_FAIL_AFTER_SEND, false, 0, 0, -1, &d), RETRY_UNSAFE);
	cr_assert_eq(decide(0, RETRY_FAIL_AFTER_SEND, true, 0, 0, -1, &d), RETRY_GO);
	/* Nothing sent: safe for anything. */
	cr_assert_eq(decide(0, RETRY_FAIL_BEFORE_SEND, false, 0, 0, -1, &d), RETRY_GO);
	cr_assert_eq(decide(0, RETRY_FAIL_FATAL, true, 0, 0, -1, &d), RETRY_NOT_RETRYABLE);
	cr_assert(retry_idempotent("GET", false, false));
	cr_assert(retry_idempotent("delete", false, false));
	cr_assert(!retry_idempotent("PATCH", false, false));
	cr_assert(retry_idempotent("PATCH", true, false));
	cr_assert(!retry_idempotent("POST", false, false));
	cr_assert(retry_idempotent("POST", false, true));
}

Test(decide, counts_and_total_time_are_capped)
{
	double d;
	cr_assert_eq(decide(503, RETRY_FAIL_NONE, true, 3, 0, -1, &d), RETRY_EXHAUSTED);
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, true, 10, 0, 1, &d), RETRY_EXHAUSTED);
	/* The wait would end past 180 s. */
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, true, 1, 170, 20, &d), RETRY_OUT_OF_TIME);
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, true, 0, 0, 600, &d), RETRY_OUT_OF_TIME);
	cr_assert_eq(decide(429, RETRY_FAIL_NONE, true, 1, 170, 9, &d), RETRY_GO);
}
