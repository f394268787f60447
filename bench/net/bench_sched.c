/* The transport's scheduler at 10,000, 30,000 and 100,000 queued requests: the shape of a Graph
 * phase (one per-chat bucket each at 1 rps, all behind "graph:installedApps" and "graph" with 32 in
 * flight). Every request is scheduled, started and completed through the real scheduler and pacing
 * (netsched.c, pace.c) on a simulated clock, with no network, so the figure is the scheduler's CPU
 * per request alone. Prints CPU microseconds per request, the checks per request, and the ratios
 * 30k/10k and 100k/30k (1.0 is linear: the cost per request does not grow with the queue). */
#include "config.h"
#include "net/netint.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct figure {
	double us_per_req, checks_per_req, sim_s;
};

static struct figure run(int n)
{
	struct pace *p = pace_new(1.0);
	struct net_sched s;
	memset(&s, 0, sizeof s);
	struct net_req *reqs = calloc((size_t)n, sizeof *reqs);
	struct net_req **flight = calloc(64, sizeof *flight);
	int in_flight = 0, done = 0;
	double now = 0;
	double t0 = cpu_s();
	for (int i = 0; i < n; i++) {
		struct net_req *r = &reqs[i];
		char bucket[96];
		snprintf(bucket, sizeof bucket, "graph:installedApps:19:%08d@thread.v2", i);
		r->bucket = strdup(bucket);
		r->host = "graph.microsoft.com";
		pace_chain(p, r->bucket, r->host, &r->chain);
		netsched_add(&s, r, now, false);
	}
	while (done < n) {
		struct net_req *r;
		while (in_flight < 64 && (r = netsched_next(&s, now)) != NULL) {
			pace_take(&r->chain, now);
			flight[in_flight++] = r;
		}
		/* Every answer takes 50 ms of simulated time; the oldest completes first. */
		double wake = netsched_timeout(&s, now);
		now += in_flight > 0 ? 0.05 : (wake > 0 ? wake : 0.001);
		for (int k = 0; k < in_flight; k++) {
			pace_done(&flight[k]->chain, now, 200, -1, 0);
			netsched_completed(&s, &flight[k]->chain, now);
			done++;
		}
		in_flight = 0;
	}
	struct figure f = { (cpu_s() - t0) * 1e6 / n, (double)atomic_load(&s.checks) / n, now };
	for (int i = 0; i < n; i++)
		free(reqs[i].bucket);
	free(reqs);
	free(flight);
	netsched_free(&s);
	pace_free(p);
	return f;
}

int main(void)
{
	int sizes[] = { 10000, 30000, 100000 };
	struct figure f[3];
	for (int i = 0; i < 3; i++) {
		f[i] = run(sizes[i]);
		printf("scheduler: %6d requests: %.2f us CPU per request, %.2f checks per request, %.0f s simulated "
		       "(%.1f rps)\n",
		       sizes[i], f[i].us_per_req, f[i].checks_per_req, f[i].sim_s, sizes[i] / f[i].sim_s);
	}
	printf("scheduler: CPU per request, ratio 30k/10k %.2f, 100k/30k %.2f (1.0 = linear in the queue)\n",
	       f[1].us_per_req / f[0].us_per_req, f[2].us_per_req / f[1].us_per_req);
	return 0;
}
