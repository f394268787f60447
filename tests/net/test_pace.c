/* Pacing: which buckets a name is charged to, token-bucket waits, concurrency caps, and how
 * limits adapt to 429s, recoveries and x-ms-dop-hint. Time is passed in, so no sleeping. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/pace.h"
#include "net/netint.h"

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
	cr_assert_float_eq(pace_bucket_rate(c.b[1]), 30.0, 1e-9, "the documented 30 rps, paced by a sliding window");
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
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 5.0, 1e-9, "list/get chat: 5 rps");
	/* permissionGrants is one of the "other Teams GETs": their own 30 rps, not installedApps' */
	pace_chain(p, "graph:teams:permissionGrants", NULL, &c);
	cr_assert_str_eq(pace_bucket_name(c.b[0]), "graph:teams");
	cr_assert_float_eq(pace_bucket_rate(c.b[0]), 30.0, 1e-9);
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
	cr_assert_float_eq(pace_bucket_rate(c.b[1]), 15.0, 1e-9, "parents slow down too");
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

/* --- sliding windows (the Teams limits: "30 requests per second") --- */

/* Sends on chain c whenever pace allows, looking every `step` seconds from t0 to t1 (the loop that
 * looks also wakes late by up to `late` seconds, as a busy event loop does); returns the send
 * times (caller frees) and their count in *n. */
static double *drive(struct pace_chain *c, double t0, double t1, double step, double late, int *n)
{
	double *at = NULL;
	int cap = 0;
	*n = 0;
	unsigned rng = 12345;
	for (double t = t0; t < t1;) {
		double w = pace_wait(c, t);
		if (w == 0) {
			if (*n == cap)
				at = realloc(at, (size_t)(cap = cap ? cap * 2 : 256) * sizeof *at);
			at[(*n)++] = t;
			pace_take(c, t);
			pace_done(c, t, 200, -1, 0);
			continue;
		}
		rng = rng * 1103515245u + 12345u;
		t += (w > 0 && w > step ? w : step) + late * (double)(rng >> 16 & 0x7fff) / 32768.0;
	}
	return at;
}

/* The most sends any window of `len` seconds holds, wherever it starts (a closed interval, the
 * strictest count: sends exactly len apart are in one window). */
static int busiest(const double *at, int n, double len)
{
	int most = 0;
	for (int i = 0, j = 0; j < n; j++) {
		while (at[j] - at[i] > len)
			i++;
		if (j - i + 1 > most)
			most = j - i + 1;
	}
	return most;
}

Test(pace, a_window_bucket_never_lets_more_than_its_limit_into_any_second)
{
	struct pace *p = pace_new(1.0);
	struct pace_chain c;
	pace_chain(p, "graph:teams:permissionGrants", NULL, &c);
	int n;
	/* A loop that looks every millisecond and wakes up to 3 ms late. */
	double *at = drive(&c, 50.0, 60.0, 0.001, 0.003, &n);
	int most = busiest(at, n, 1.0);
	cr_assert_leq(most, 30, "%d sends in one second", most);
	/* and with the margin to spare: what the service counts may be a few ms closer */
	cr_assert_leq(busiest(at, n, 1.0 + 0.0035), 30, "less than the margin between a send and the 30th after it");
	double rate = (n - 1) / (at[n - 1] - at[0]);
	cr_assert_geq(rate, 0.95 * 30, "%.2f rps over 10 s: below 95%% of the limit", rate);
	cr_assert_geq(n, 285, "%d sends in 10 s", n);
	/* Never a window's worth in one burst: at most 4 at once, then one per 1/100 s, so that a
	 * window's 30 take at least a quarter of a second. */
	cr_assert_leq(busiest(at, n, 0.0), 4, "%d sends at one instant", busiest(at, n, 0.0));
	cr_assert_leq(busiest(at, n, 0.1), 14, "%d sends in 0.1 s", busiest(at, n, 0.1));
	cr_assert_lt(busiest(at, n, 0.25), 30, "%d sends in 0.25 s", busiest(at, n, 0.25));
	free(at);
	pace_free(p);
}

Test(pace, every_documented_teams_limit_is_reached_within_five_percent)
{
	static const struct { const char *name; int limit; } lim[] = {
		{ "graph:installedApps", 30 }, { "graph:teams:permissionGrants", 30 }, { "graph:chat", 5 },
		{ "graph:installedApps:19:a@thread.v2", 1 },
	};
	for (size_t k = 0; k < sizeof lim / sizeof lim[0]; k++) {
		struct pace *p = pace_new(1.0);
		struct pace_chain c;
		pace_chain(p, lim[k].name, NULL, &c);
		int n;
		double *at = drive(&c, 0, 20.0, 0.0005, 0.001, &n);
		cr_assert_leq(busiest(at, n, 1.0), lim[k].limit, "%s: %d in one second", lim[k].name, busiest(at, n, 1.0));
		double rate = (double)n / 20.0;
		cr_assert_geq(rate, 0.95 * lim[k].limit, "%s: %.2f rps against %d", lim[k].name, rate, lim[k].limit);
		free(at);
		pace_free(p);
	}
}

Test(pace, a_429_on_a_window_bucket_halves_what_it_sends_and_the_rate_comes_back)
{
	struct pace *p = pace_new(1.0);
	struct pace_chain c;
	pace_chain(p, "graph:installedApps:19:a@thread.v2", NULL, &c);
	struct pace_bucket *apps = c.b[1];
	int n;
	double *at = drive(&c, 0, 5.0, 0.001, 0, &n); /* one chat: its own 1 rps holds */
	cr_assert_eq(n, 5, "one chat's installedApps: once a second, %d in 5 s", n);
	free(at);
	pace_done(&c, 5.0, 429, 2.0, 0);
	cr_assert_float_eq(pace_bucket_rate(apps), 15.0, 1e-9);
	cr_assert_geq(pace_wait(&c, 5.0), 2.0 - 1e-9, "the chat's own bucket waits out Retry-After");
	/* Other chats go on under the halved shared window: until answers come back, 15 in a second. */
	struct pace_chain o[64];
	int sent = 0;
	for (double t = 5.0; t < 6.0 && sent < 64;) {
		char name[64];
		snprintf(name, sizeof name, "graph:installedApps:19:x%d@thread.v2", sent);
		pace_chain(p, name, NULL, &o[sent]);
		double w = pace_wait(&o[sent], t);
		if (w > 0) {
			t += w;
			continue;
		}
		pace_take(&o[sent++], t);
	}
	cr_assert_leq(sent, 15, "%d sends in the second after a 429", sent);
	cr_assert_geq(sent, 12, "%d sends in the second after a 429: the floor is half", sent);
	for (int i = 0; i < sent; i++)
		pace_done(&o[i], 6.0, 200, -1, 0);
	cr_assert_float_eq(pace_bucket_rate(apps), 30.0, 1e-9, "successes won the documented rate back");
	pace_free(p);
}

Test(pace, a_scaled_window_rounds_down_and_a_window_ignores_a_remaining_count)
{
	struct pace *p = pace_new(0.1); /* the sandbox at --limit-scale 0.1: 30 becomes 3 per second */
	struct pace_chain c;
	pace_chain(p, "graph:teams:permissionGrants", NULL, &c);
	int n;
	double *at = drive(&c, 0, 10.0, 0.001, 0, &n);
	cr_assert_leq(busiest(at, n, 1.0), 3);
	cr_assert_geq(n, 28, "%d in 10 s at 3 per second", n);
	free(at);
	pace_free(p);
	p = pace_new(1.0);
	pace_rule_window(p, "tiny", 0.4, 1.0, 0); /* less than one request: one, never none */
	pace_chain(p, "tiny", NULL, &c);
	at = drive(&c, 0, 3.0, 0.001, 0, &n);
	cr_assert_eq(n, 3);
	free(at);
	pace_free(p);
}

/* The scheduler (netsched.c) on a simulated clock, shaped like a Graph scan: one request per chat
 * on its own per-chat bucket behind "graph:installedApps", answers after 100 ms, the loop sleeping
 * until netsched_timeout says. The scheduler wakes a lane when its window opens, so the scan runs
 * at the window's rate and never faster. */
Test(pace, the_scheduler_runs_a_scan_within_five_percent_of_the_window_and_never_above)
{
	enum { N = 900 };
	struct pace *p = pace_new(1.0);
	struct net_sched s;
	memset(&s, 0, sizeof s);
	struct net_req *reqs = calloc(N, sizeof *reqs);
	double *at = calloc(N, sizeof *at), *done_at = calloc(N, sizeof *done_at);
	struct net_req *flight[N];
	int n_flight = 0, started = 0, done = 0;
	double now = 0;
	for (int i = 0; i < N; i++) {
		char bucket[96];
		snprintf(bucket, sizeof bucket, "graph:installedApps:19:%04d@thread.v2", i);
		reqs[i].bucket = strdup(bucket);
		reqs[i].host = "graph.microsoft.com";
		pace_chain(p, reqs[i].bucket, reqs[i].host, &reqs[i].chain);
		netsched_add(&s, &reqs[i], now, false);
	}
	while (done < N) {
		struct net_req *r;
		while ((r = netsched_next(&s, now)) != NULL) {
			pace_take(&r->chain, now);
			at[started++] = now;
			done_at[r - reqs] = now + 0.1;
			flight[n_flight++] = r;
		}
		/* the next event: an answer, or the scheduler's wake-up (1 ms late, as a poll is) */
		double next = 1e300, wake = netsched_timeout(&s, now);
		for (int k = 0; k < n_flight; k++)
			if (done_at[flight[k] - reqs] < next)
				next = done_at[flight[k] - reqs];
		if (wake >= 0 && now + wake + 0.001 < next)
			next = now + wake + 0.001;
		cr_assert_lt(next, 1e300, "the scheduler stalled with %d of %d done", done, N);
		now = next;
		for (int k = 0; k < n_flight;) {
			if (done_at[flight[k] - reqs] <= now) {
				pace_done(&flight[k]->chain, now, 200, -1, 0);
				netsched_completed(&s, &flight[k]->chain, now);
				done++;
				flight[k] = flight[--n_flight];
			} else {
				k++;
			}
		}
	}
	cr_assert_leq(busiest(at, N, 1.0), 30, "%d requests in one second", busiest(at, N, 1.0));
	double rate = (N - 1) / (at[N - 1] - at[0]);
	cr_assert_geq(rate, 0.95 * 30, "%.2f rps: below 95%% of 30", rate);
	for (int i = 0; i < N; i++)
		free(reqs[i].bucket);
	free(reqs), free(at), free(done_at);
	netsched_free(&s);
	pace_free(p);
}

/* A request charged when it started but sent 40 ms later (a new connection's handshake came
 * first) reaches the service 40 ms later than the log says: its window mate 30 sends on must wait
 * for when it really left, or the two are less than a second apart where the service counts. */
/* What the service counts may differ from what we logged by more than the margin: each 429 on a
 * window bucket doubles its margin (to at most 32 ms), and the margin stays when the rate is won
 * back. */
Test(pace, a_429_on_a_window_bucket_doubles_its_margin_and_the_margin_stays)
{
	struct pace *p = pace_new(1.0);
	pace_rule_window(p, "w", 2, 1.0, 0);
	struct pace_chain a, x;
	pace_chain(p, "w", NULL, &a);
	x = a;
	pace_take(&a, 10.0);
	pace_take(&a, 10.4);
	pace_done(&a, 10.5, 200, -1, 0);
	pace_done(&a, 10.5, 200, -1, 0);
	/* Two a window: the third waits for the first to be a window and 4 ms ago. */
	cr_assert_float_eq(10.5 + pace_wait(&x, 10.5), 11.004, 1e-9, "%f", 10.5 + pace_wait(&x, 10.5));
	double margin = 0.004;
	for (int k = 0; k < 5; k++) {
		double now = 20.0 + 2.0 * k;
		pace_done(&a, now, 429, 0, 0); /* no Retry-After pause: only the window and its margin */
		margin = margin * 2 < 0.032 ? margin * 2 : 0.032;
		pace_take(&a, now);
		/* the halved window allows 1: the next waits for this one, a window and the margin on */
		cr_assert_float_eq(now + pace_wait(&x, now), now + 1.0 + margin, 1e-9,
				   "after %d 429s: %f, not %f", k + 1, now + pace_wait(&x, now), now + 1.0 + margin);
		pace_done(&a, now + 0.1, 200, -1, 0);
	}
	cr_assert_float_eq(margin, 0.032, 1e-12, "the margin stops at 32 ms");
	for (int i = 0; i < 40; i++) /* successes win the documented rate back, not the margin */
		pace_done(&a, 40.0, 200, -1, 0);
	cr_assert_float_eq(pace_bucket_rate(a.b[0]), 2.0, 1e-9);
	pace_take(&a, 50.0);
	pace_take(&a, 50.5);
	cr_assert_float_eq(50.5 + pace_wait(&x, 50.5), 51.032, 1e-9, "%f", 50.5 + pace_wait(&x, 50.5));
	pace_free(p);
}

/* A send whose answer took longer than the quickest of its bucket may have been counted that much
 * later: its window mate N sends on waits that much more, and only it. The lateness counts up to
 * 32 ms (beyond, our side held the answer), and an answer never seen (a transport failure, or one
 * so late that its entry has left the log) adds nothing. */
Test(pace, a_late_answer_moves_its_window_mate_and_only_it)
{
	struct pace *p = pace_new(1.0);
	pace_rule_window(p, "w", 3, 1.0, 0);
	struct pace_chain s[6], x;
	pace_chain(p, "w", NULL, &x);
	/* three sends, answered after 100 ms, 107 ms and 100.5 ms */
	const double at[] = { 10.0, 10.1, 10.2 }, rtt[] = { 0.100, 0.107, 0.1005 };
	for (int i = 0; i < 3; i++) {
		s[i] = x;
		pace_take(&s[i], at[i]);
	}
	for (int i = 0; i < 3; i++)
		pace_done(&s[i], at[i] + rtt[i], 200, -1, 0);
	double now = 10.5, t;
	t = now + pace_wait(&x, now);
	cr_assert_float_eq(t, 11.004, 1e-9, "the first was the quickest: a window and the margin on, not %f", t);
	pace_take(&x, t);
	t += pace_wait(&x, t);
	cr_assert_float_eq(t, 10.1 + 0.007 + 1.004, 1e-9, "the second was 7 ms late: its mate waits 7 ms more, not %f", t);
	pace_take(&x, t);
	t += pace_wait(&x, t);
	cr_assert_float_eq(t, 10.2 + 0.0005 + 1.004, 1e-9, "the third was 0.5 ms late, not %f", t);
	pace_take(&x, t);
	/* an answer 200 ms late counts 32 ms; a failed transfer (no status) counts nothing */
	double t0 = 20.0;
	for (int i = 0; i < 3; i++) {
		s[i] = x;
		double w = pace_wait(&s[i], t0 + 0.1 * i);
		cr_assert_eq(w, 0, "%f", w);
		pace_take(&s[i], t0 + 0.1 * i);
	}
	pace_done(&s[0], t0 + 0.300, 200, -1, 0);
	pace_done(&s[1], t0 + 0.1 + 0.5, 0, -1, 0);
	pace_done(&s[2], t0 + 0.2 + 0.100, 200, -1, 0);
	t = 20.5 + pace_wait(&x, 20.5);
	cr_assert_float_eq(t, 20.0 + 0.032 + 1.004, 1e-9, "200 ms late counts 32 ms, not %f", t);
	pace_take(&x, t);
	t += pace_wait(&x, t);
	cr_assert_float_eq(t, 20.1 + 1.004, 1e-9, "no answer, no lateness: %f", t);
	pace_take(&x, t);
	t += pace_wait(&x, t);
	cr_assert_float_eq(t, 20.2 + 1.004, 1e-9, "on time: %f", t);
	pace_free(p);
}

Test(pace, a_send_delayed_by_a_handshake_moves_its_window)
{
	struct pace *p = pace_new(1.0);
	pace_rule_window(p, "w", 3, 1.0, 0);
	struct pace_chain a, b, c, x;
	pace_chain(p, "w", NULL, &a);
	b = c = x = a;
	pace_take(&a, 10.0);
	double t = 10.0 + pace_wait(&b, 10.0);
	pace_take(&b, t);
	t += pace_wait(&c, t);
	pace_take(&c, t);
	cr_assert_lt(t, 10.5, "three sends within their window");
	pace_sent(&b, 10.5); /* b's handshake finished after c had gone */
	pace_sent(&a, 10.0); /* a left when charged: nothing moves */
	double w = pace_wait(&x, 11.02);
	cr_assert_eq(w, 0, "a's place in the window is free after 1 s and the margin: %f", w);
	pace_take(&x, 11.02);
	/* The next one counts from b's real departure, and c, logged before b left, from no earlier. */
	w = pace_wait(&x, 11.1);
	cr_assert_geq(11.1 + w, 10.5 + 1.0, "b left at 10.5: the next may go at 11.5 at the earliest, not %f", 11.1 + w);
	pace_take(&x, 11.1 + w);
	double w2 = pace_wait(&x, 11.1 + w);
	cr_assert_geq(11.1 + w + w2, 10.5 + 1.0, "c was logged before b left and cannot have reached the service earlier");
	/* An entry that has left the log is not touched. */
	for (int i = 0; i < 10; i++) {
		double now = 20.0 + i;
		pace_take(&x, now + pace_wait(&x, now));
	}
	pace_sent(&a, 100.0);
	cr_assert_lt(pace_wait(&x, 31.0), 1e-9, "a stale pace_sent moved a newer send");
	pace_free(p);
}
