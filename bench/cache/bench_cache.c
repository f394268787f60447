/* Cache benchmark: what the read commands cost at tenant scale, from caches this program fills through
 * store/ as a refresh would (environments, chats with participants, associations, Graph details, sync
 * errors, chats without an activity row).
 *
 *   bench_cache [CHATS...]     (default 10000 20000 30000 100000)
 *
 * Prints the fill rate, then for each size: `check` as it ran before the facts pass (a lookup per chat)
 * and as it runs now (one pass), both in this process over the same cache; the `chatsync check`,
 * `chats --json` and `chats --csv` commands' wall time and peak RSS; and the growth from one size to the
 * next. Targets: check over 20,000 chats <= 0.5 s, over 100,000 <= 2 s; chats --json <= 32 MB at 100,000. */
#include "config.h"
#include "store/cache.h"
#include "core/diagnose.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOW ((cs_time)1794647520) /* 2026-11-14T09:12:00Z; the commands run with CHATSYNC_NOW set to it */
#define HOUR ((cs_time)3600)
#define DAY ((cs_time)86400)
#define N_ENVS 4

static struct cs_error err;

static void ok(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_cache: %s: %s\n", what, err.msg);
		exit(1);
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fill(const char *path, int n)
{
	struct cache *c = cache_open(path, 0, &err);
	if (!c)
		ok(-1, "open");
	ok(cache_begin(c, &err), "begin");
	static const char *const names[N_ENVS] = { "sales", "service", "marketing", "field" };
	for (int e = 0; e < N_ENVS; e++) {
		char id[16];
		snprintf(id, sizeof id, "env-%d", e);
		struct cs_env env = { .id = id, .unique_name = (char *)names[e], .friendly_name = (char *)names[e],
				      .url = (char *)"https://example.crm.dynamics.com", .sync_enabled = e == 3 ? CS_FALSE : CS_TRUE,
				      .inactivity_days = 7, .org_fetched_at = NOW - 300, .refreshed_at = NOW - 300 };
		ok(cache_put_env(c, &env, &err), "put env");
	}
	for (int i = 0; i < n; i++) {
		char env[16], act[32], chat[48], subject[64], assoc[40];
		snprintf(env, sizeof env, "env-%d", i % N_ENVS);
		snprintf(act, sizeof act, "a-%08d", i);
		snprintf(chat, sizeof chat, "19:bench%08d@thread.v2", i);
		snprintf(subject, sizeof subject, "Customer conversation %d about the renewal", i);
		snprintf(assoc, sizeof assoc, "as-%08d", i);
		cs_time modified = NOW - (cs_time)(i % 240) * HOUR;
		struct cs_assoc a = { .id = assoc, .env_id = env, .teams_chat_id = chat,
				      .regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001",
				      .regarding_table = (char *)"account", .record_state = CS_ASSOC_ASSOCIATE,
				      .created_on = NOW - 20 * DAY, .modified_on = NOW - 20 * DAY, .fetched_at = NOW - 300 };
		ok(cache_put_assoc(c, &a, &err), "put association");
		if (i % 20 != 19) { /* every 20th was connected before sync: no activity row */
			struct cs_party parties[2] = { { .party_id = (char *)"p1", .name = (char *)"Ada Example" },
						       { .party_id = (char *)"p2", .name = (char *)"Bob Example" } };
			struct cs_chat ch = {
				.env_id = env, .activity_id = act, .teams_chat_id = chat, .subject = subject,
				.state = i % 7 == 0 ? CS_STATE_COMPLETED : CS_STATE_OPEN, .status_code = 1,
				.sync_status = CS_SYNC_ENABLED, .modified_in_teams_on = modified, .linked_on = NOW - 20 * DAY,
				.regarding_id = a.regarding_id, .regarding_type = (char *)"account",
				.created_on = NOW - 20 * DAY, .modified_on = modified, .fetched_at = NOW - 300,
				.parties = parties, .n_parties = 2,
			};
			ok(cache_put_chat(c, &ch, &err), "put chat");
			if (i % 25 == 0) {
				for (int k = 0; k < 2; k++) {
					char id[40];
					snprintf(id, sizeof id, "se-%08d-%d", i, k);
					struct cs_sync_error se = { .id = id, .code = (char *)"0x80040217",
								    .message = (char *)"The record was changed by another user",
								    .time = NOW - (cs_time)(k + 1) * HOUR };
					ok(cache_put_sync_error(c, env, act, &se, NOW - 300, &err), "put sync error");
				}
			}
		}
		struct cs_graph_chat g = {
			.teams_chat_id = chat, .chat_status = 200, .topic = subject, .chat_type = (char *)"group",
			.last_updated = modified, .chat_fetched_at = NOW - 300, .apps_status = 200,
			.app_installed = i % 11 == 0 ? CS_FALSE : CS_TRUE,
			.app_client_id = (char *)"cccccccc-0000-0000-0000-000000000001",
			.app_name = (char *)"Dataverse Chat Sync", .apps_fetched_at = NOW - 300, .grants_status = 200,
			.app_has_grant = CS_TRUE, .n_grants = 2, .grants_fetched_at = NOW - 300,
		};
		ok(cache_put_graph_chat(c, &g, &err), "put Graph details");
	}
	struct cs_rsc rsc = { .state = CS_RSC_ENABLED_FOR_ALL_APPS, .source = (char *)"authorizationPolicy",
			      .http_status = 200, .fetched_at = NOW - 600 };
	ok(cache_put_rsc(c, &rsc, &err), "put RSC");
	ok(cache_commit(c, &err), "commit");
	cache_close(c);
}

/* check before the facts pass: the chat list, then every chat's facts looked up by its id. */
struct tally {
	struct cache *c;
	size_t n[4];
};

static int lookup_one(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	struct tally *t = user;
	struct cache_facts f;
	ok(cache_load_facts(t->c, ch->activity_id ? ch->activity_id : ch->teams_chat_id, &f, &err), "lookup");
	struct diag_result r;
	cache_facts_diagnose(&f, NOW, 24, &r);
	t->n[r.verdict]++;
	diag_result_free(&r);
	cache_facts_free(&f);
	return 0;
}

static int pass_one(const struct cache_facts *f, void *user)
{
	struct tally *t = user;
	struct diag_result r;
	cache_facts_diagnose(f, NOW, 24, &r);
	t->n[r.verdict]++;
	diag_result_free(&r);
	return 0;
}

/* Seconds for check's reading and diagnosing, one way or the other; the tallies must agree. */
static double check_in_process(const char *path, bool per_chat, struct tally *t)
{
	struct cache *c = cache_open(path, CACHE_OPEN_READONLY, &err);
	if (!c)
		ok(-1, "open");
	memset(t, 0, sizeof *t);
	t->c = c;
	double t0 = now_s();
	if (per_chat)
		ok(cache_each_chat(c, NULL, lookup_one, t, &err), "list");
	else
		ok(cache_facts_each(c, NULL, pass_one, t, &err), "facts");
	double s = now_s() - t0;
	cache_close(c);
	return s;
}

struct run {
	double wall;
	long rss_kb;
	int status;
};

/* Runs chatsync with args, stdout to /dev/null; wall time and the child's peak RSS. */
static struct run run_chatsync(const char *bin, const char *cache, const char *a1, const char *a2)
{
	struct run r = { 0 };
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
		execl(bin, bin, "--cache", cache, a1, a2, (char *)NULL);
		_exit(127);
	}
	int st;
	struct rusage ru;
	wait4(pid, &st, 0, &ru);
	r.wall = now_s() - t0;
	r.rss_kb = ru.ru_maxrss;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return r;
}

struct size_result {
	int n;
	double fill, before, after;
	struct run check, json, csv;
};

int main(int argc, char **argv)
{
	const char *builddir = getenv("CHATSYNC_TEST_BUILDDIR");
	char *bin = xasprintf("%s/chatsync", builddir ? builddir : ".");
	int sizes[8] = { 10000, 20000, 30000, 100000 }, n_sizes = 4;
	if (argc > 1) {
		n_sizes = 0;
		for (int i = 1; i < argc && n_sizes < 8; i++)
			sizes[n_sizes++] = atoi(argv[i]);
	}
	char tmpl[] = "/tmp/bench-cache-XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		perror("bench_cache: mkdtemp");
		return 1;
	}
	struct size_result res[8];
	printf("chatsync cache reads: %d environments; per chat 2 participants, an association and Graph details;\n"
	       "every 20th chat without an activity row, every 25th with 2 sync errors\n", N_ENVS);
	printf("%8s %9s %11s %11s %7s %9s %11s %11s %11s\n", "chats", "fill/s", "check was", "check now", "faster",
	       "check", "check RSS", "json RSS", "csv RSS");
	int failed = 0;
	for (int i = 0; i < n_sizes; i++) {
		struct size_result *s = &res[i];
		s->n = sizes[i];
		char *path = xasprintf("%s/cache-%d.db", dir, s->n);
		double t0 = now_s();
		fill(path, s->n);
		s->fill = now_s() - t0;
		struct tally before, after;
		s->before = check_in_process(path, true, &before);
		s->after = check_in_process(path, false, &after);
		if (memcmp(before.n, after.n, sizeof before.n) != 0) {
			printf("bench_cache: the one pass and the lookups disagree at %d chats\n", s->n);
			failed = 1;
		}
		s->check = run_chatsync(bin, path, "check", NULL);
		s->json = run_chatsync(bin, path, "chats", "--json");
		s->csv = run_chatsync(bin, path, "chats", "--csv");
		if (s->check.status < 0 || s->check.status > 2 || s->json.status || s->csv.status) {
			printf("bench_cache: a command failed at %d chats (check %d, json %d, csv %d)\n", s->n,
			       s->check.status, s->json.status, s->csv.status);
			failed = 1;
		}
		printf("%8d %9.0f %9.3f s %9.3f s %6.1fx %7.3f s %8.1f MB %8.1f MB %8.1f MB   chats --json %.2f s\n", s->n,
		       s->n / s->fill, s->before, s->after, s->before / s->after, s->check.wall, s->check.rss_kb / 1024.0,
		       s->json.rss_kb / 1024.0, s->csv.rss_kb / 1024.0, s->json.wall);
		unlink(path);
		char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
		free(path);
	}
	/* Growth between the sizes issue 16 names (10k, 30k, 100k), or between whatever sizes were given. */
	int prev = -1;
	for (int i = 0; i < n_sizes; i++) {
		if (n_sizes > 2 && res[i].n == 20000)
			continue;
		if (prev >= 0)
			printf("growth %d -> %d chats (x%.1f): check %.2fx, chats --json RSS %.2fx, chats --csv RSS %.2fx\n",
			       res[prev].n, res[i].n, (double)res[i].n / res[prev].n, res[i].check.wall / res[prev].check.wall,
			       (double)res[i].json.rss_kb / (double)res[prev].json.rss_kb,
			       (double)res[i].csv.rss_kb / (double)res[prev].csv.rss_kb);
		prev = i;
	}
	for (int i = 0; i < n_sizes; i++) {
		if (res[i].n == 20000)
			printf("target: check over 20,000 chats <= 0.5 s (was 2.5 s): %.3f s, %s\n", res[i].check.wall,
			       res[i].check.wall <= 0.5 ? "met" : "MISSED");
		if (res[i].n == 100000) {
			printf("target: check over 100,000 chats <= 2 s: %.3f s, %s\n", res[i].check.wall,
			       res[i].check.wall <= 2.0 ? "met" : "MISSED");
			printf("target: chats --json over 100,000 chats <= 32 MB peak RSS (was 287 MB): %.1f MB, %s\n",
			       res[i].json.rss_kb / 1024.0, res[i].json.rss_kb <= 32 * 1024 ? "met" : "MISSED");
		}
	}
	rmdir(dir);
	free(bin);
	return failed;
}
