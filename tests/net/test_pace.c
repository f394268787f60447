/* Pacing: which buckets a name is charged to, token-bucket waits, concurrency caps, and how
 * limits adapt to 429s, recoveries and x-ms-dop-hint. Time is passed in, so no sleeping. */
#include "config.h"
#include <criterion/criterion.h>
#include <string.h>
#include "net/pace.h"

static bool chain_has(const struct pace_chain *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(pace_bucket_name(c->b[i]), name) == 0)
			return true;
	return false;
}

Test(pace, names_are_charged_to_their_documented_buckets)
{
	struct pace *p = pace_new(1.0);
	struct pace_chain c;
	pace_chain(p, "graph:installedApps:19:abc@thread.v2", "graph.microsoft.com", &c);
	cr_assert_eq(c.n, 4);
	cr_assert_str_eq(pace_bucket_name(c.b[0]), "graph:installedApps:19:abc@thread.v2");
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 1.0, 1e-9);
	cr_assert_str_eq(pace_bucket_name(c.b[1]), "graph:installedApps");
	cr_assert_float_eq(pace_bucket_rate(c.b[1]), 25.0, 1e-9, "30 rps less headroom for fixed windows");
	cr_assert_str_eq(pace_bucket_name(c.b[2]), "graph");
	cr_assert(chain_has(&c, "host:graph.microsoft.com"));
	/* Chat ids contain colons: "19" must not become a bucket of its own. */
	struct pace_chain other;
	pace_chain(p, "graph:installedApps:19:def@thread.v2", "graph.microsoft.com", &other);
	cr_assert_neq(other.b[0], c.b[0]);
	cr_assert_eq(other.b[1], c.b[1]);

	pace_chain(p, "dataverse:contoso.crm.dynamics.com", "contoso.crm.dynamics.com", &c);
	cr_assert_str_eq(pace_bucket_name(c.b[0]), "dataverse:contoso.crm.dynamics.com");
	cr_assert_eq(pace_bucket_concurrency(c.b[0]), 52);
	pace_chain(p, "graph:chat", NULL, &c);
	cr_assert_eq(c.n, 2);
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 4.0, 1e-9);
	/* permissionGrants is one of the "other Teams GETs": their own 30 rps, not installedApps' */
	pace_chain(p, "graph:teams:permissionGrants", NULL, &c);
	cr_assert_str_eq(pace_bucket_name(c.b[0]), "graph:teams");
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 25.0, 1e-9);
	pace_chain(p, "unknown:thing", NULL, &c);
	cr_assert_eq(c.n, 0);
	pace_free(p);
}

Test(pace, token_bucket_spaces_requests_at_the_rate)
{
	struct pace *p = pace_new(1.0);
	pace_rule(p, "test", 10, 2, 0);
	struct pace_chain c;
	pace_chain(p, "test", NULL, &c);
	double now = 100.0;
	int started = 0;
	/* Over 1 simulated second, at 10 rps with a burst of 2: 2 + 10 starts, never more. */
	for (double t = now; t < now + 1.0; t += 0.001) {
		if (pace_wait(&c, t) == 0) {
			pace_take(&c, t);
			pace_done(&c, t, 200, -1, 0);
			started++;
		}
	}
	cr_assert(started >= 11 && started <= 12, "%d starts", started);
	/* An empty bucket says how long to wait. */
	double w = pace_wait(&c, now + 1.0);
	cr_assert(w >= 0 && w <= 0.1 + 1e-9, "%f", w);
	pace_free(p);
}

Test(pace, concurrency_cap_blocks_until_a_completion)
{
	struct pace *p = pace_new(1.0);
	pace_rule(p, "conc", 0, 0, 2);
	struct pace_chain c;
	pace_chain(p, "conc", NULL, &c);
	pace_take(&c, 1);
	pace_take(&c, 1);
	cr_assert_lt(pace_wait(&c, 1), 0, "a third request must wait for a slot");
	pace_done(&c, 2, 200, -1, 0);
	cr_assert_eq(pace_wait(&c, 2), 0);
	pace_free(p);
}

Test(pace, throttling_halves_and_pauses_then_recovers)
{
	struct pace *p = pace_new(1.0);
	struct pace_chain c;
	pace_chain(p, "graph:installedApps:19:a@thread.v2", NULL, &c);
	pace_take(&c, 10);
	pace_done(&c, 10, 429, 4.0, 0);
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 0.5, 1e-9);
	cr_assert_float_eq(pace_bucket_rate(c.b[1]), 12.5, 1e-9, "parents slow down too");
	double w = pace_wait(&c, 10);
	cr_assert(w >= 4.0 - 1e-9, "the Retry-After pause is kept: %f", w);
	/* Only the most specific bucket pauses: another chat goes on. */
	struct pace_chain sib;
	pace_chain(p, "graph:installedApps:19:b@thread.v2", NULL, &sib);
	cr_assert_lt(pace_wait(&sib, 10.5), 1.0);
	/* Successes win the rate back, never past the documented limit. */
	for (int i = 0; i < 100; i++) {
		pace_take(&c, 20 + i);
		pace_done(&c, 20 + i, 200, -1, 0);
	}
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 1.0, 1e-9);
	/* A burst of 429s from requests in flight together cuts once. */
	for (int i = 0; i < 10; i++)
		pace_done(&c, 200, 429, 0, 0);
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 0.5, 1e-9);
	/* Repeated 429s over time never stop a bucket entirely. */
	for (int i = 0; i < 50; i++)
		pace_done(&c, 300 + i, 429, 0, 0);
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 0.25, 1e-9, "the floor is a quarter of the limit");
	pace_free(p);
}

Test(pace, dop_hint_sets_concurrency_and_scale_shrinks_rates)
{
	struct pace *p = pace_new(0.1);
	struct pace_chain c;
	pace_chain(p, "dataverse:x", "x", &c);
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 1.95, 1e-9);
	pace_take(&c, 1);
	pace_done(&c, 1, 200, -1, 8);
	cr_assert_eq(pace_bucket_concurrency(c.b[0]), 8);
	for (int i = 0; i < 8; i++)
		pace_take(&c, 2);
	cr_assert_lt(pace_wait(&c, 2), 0);
	/* A hint above the documented cap does not raise it. */
	pace_done(&c, 3, 200, -1, 500);
	cr_assert_leq(pace_bucket_concurrency(c.b[0]), 52);
	cr_assert_eq(pace_bucket_in_flight(c.b[0]), 7);
	pace_free(p);
}

Test(pace, a_blocked_chain_names_the_bucket_to_wait_on)
{
	struct pace *p = pace_new(1.0);
	pace_rule(p, "shared", 1, 1, 0);
	pace_rule(p, "shared:*", 100, 100, 0);
	struct pace_chain a, b, other;
	pace_chain(p, "shared:a", NULL, &a);
	pace_chain(p, "shared:b", NULL, &b);
	pace_chain(p, "elsewhere", NULL, &other);
	struct pace_bucket *blocker;
	cr_assert_eq(pace_wait_blocker(&a, 5, &blocker), 0);
	cr_assert_null(blocker);
	pace_take(&a, 5);
	cr_assert_gt(pace_wait_blocker(&b, 5, &blocker), 0, "the shared bucket is empty now");
	cr_assert_str_eq(pace_bucket_name(blocker), "shared", "b waits on the bucket it shares with a");
	cr_assert_eq(pace_wait_blocker(&other, 5, &blocker), 0);
	cr_assert_eq(pace_bucket_waitq(a.b[a.n - 1]), pace_bucket_waitq(b.b[b.n - 1]), "one waiting line per bucket");
	pace_free(p);
}

Test(pace, dataverse_is_paced_per_environment_within_its_documented_window)
{
	struct pace *p = pace_new(1.0);
	struct pace_chain sales, service;
	pace_chain(p, "dataverse:127.0.0.1:8443/env/contoso-sales", "127.0.0.1", &sales);
	pace_chain(p, "dataverse:127.0.0.1:8443/env/contoso-service", "127.0.0.1", &service);
	cr_assert_neq(sales.b[0], service.b[0], "two environments on one host share a pace");
	/* 6,000 requests per 5 minutes: what a bucket lets through in any 300 s stays under. */
	double t = 0;
	int sent = 0;
	while (t < 300) {
		double w = pace_wait(&sales, t);
		if (w == 0) {
			pace_take(&sales, t);
			pace_done(&sales, t, 200, -1, 0);
			sent++;
		} else {
			t += w > 1e-6 ? w : 1e-6;
		}
	}
	cr_assert_leq(sent, 6000, "%d requests in 5 minutes", sent);
	cr_assert_geq(sent, 5800, "%d requests in 5 minutes: too timid", sent);
	cr_assert_eq(pace_bucket_concurrency(sales.b[0]), 52);
	/* The service's count of what remains is the authority. */
	cr_assert_eq(pace_wait(&service, 0), 0);
	pace_remaining(&service, 0, 0);
	cr_assert_gt(pace_wait(&service, 0), 0, "x-ms-ratelimit-burst-remaining-xrm-requests: 0 was ignored");
	pace_free(p);
}
