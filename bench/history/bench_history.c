/* Cache writes and history growth at tenant scale, through store/ and sync/ as a refresh drives them.
 *
 *   bench_history CACHE CHATS REFRESHES FRACTION
 *
 * 1. Writes CHATS chats into a new cache the way a refresh writes an environment (one transaction per
 *    environment: the environment, each chat with its two participants, its association, every 25th
 *    chat's two sync errors), then each chat's Graph details (in batches, as the Graph phase does);
 *    counts the rows written and the time, and the file's size (database + WAL after a checkpoint by
 *    closing).
 * 2. Records the history once (every chat first seen), then REFRESHES times: moves FRACTION of the
 *    chats (a different slice each time: completed, reopened, the app uninstalled or back, sync status
 *    moved), writes them as a refresh would, and calls history_record() an hour later each time.
 *    Prints the time of each recording and the file size after it.
 *
 * Output: "key value" lines for bench/bench.py; times in seconds, sizes in bytes. The clock starts at
 * NOW below; the last recording is at NOW + REFRESHES hours (printed as last_at, an ISO time). */
#include "config.h"
#include "store/cache.h"
#include "sync/history.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NOW ((cs_time)1794647520) /* 2026-11-14T09:12:00Z */
#define HOUR ((cs_time)3600)
#define DAY ((cs_time)86400)
#define N_ENVS 4
#define GRAPH_BATCH 256

static struct cs_error err;

static void ok(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_history: %s: %s\n", what, err.msg);
		exit(1);
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long long file_size(const char *path)
{
	struct stat st;
	long long n = 0;
	if (stat(path, &st) == 0)
		n += (long long)st.st_size;
	char *wal = xasprintf("%s-wal", path);
	if (stat(wal, &st) == 0)
		n += (long long)st.st_size;
	free(wal);
	return n;
}

/* What one chat looks like after k mutations: the k-th touch changes one of the facts behind a rule. */
struct shape {
	int state, sync_status, app_installed;
	cs_time modified;
};

static struct shape shape_of(int i, int k)
{
	struct shape s = { .state = i % 7 == 0 ? CS_STATE_COMPLETED : CS_STATE_OPEN, .sync_status = CS_SYNC_ENABLED,
			   .app_installed = i % 11 == 0 ? CS_FALSE : CS_TRUE,
			   .modified = NOW - (cs_time)(i % 240) * HOUR };
	switch (k % 4) {
	case 1:
		s.state = s.state == CS_STATE_OPEN ? CS_STATE_COMPLETED : CS_STATE_OPEN;
		break;
	case 2:
		s.app_installed = s.app_installed == CS_TRUE ? CS_FALSE : CS_TRUE;
		break;
	case 3:
		s.sync_status = CS_SYNC_NOT_ENABLED;
		break;
	default:
		break;
	}
	if (k)
		s.modified = NOW + (cs_time)k * HOUR - 600;
	return s;
}

struct ids {
	char env[16], act[32], chat[48], subject[64], assoc[40];
};

static void ids_of(int i, struct ids *d)
{
	snprintf(d->env, sizeof d->env, "env-%d", i % N_ENVS);
	snprintf(d->act, sizeof d->act, "a-%08d", i);
	snprintf(d->chat, sizeof d->chat, "19:bench%08d@thread.v2", i);
	snprintf(d->subject, sizeof d->subject, "Customer conversation %d about the renewal", i);
	snprintf(d->assoc, sizeof d->assoc, "as-%08d", i);
}

/* Rows written for one chat's Dataverse part. */
static long put_chat(struct cache *c, int i, int k, cs_time fetched)
{
	struct ids d;
	ids_of(i, &d);
	struct shape s = shape_of(i, k);
	struct cs_party parties[2] = { { .party_id = (char *)"p1", .name = (char *)"Ada Example" },
				       { .party_id = (char *)"p2", .name = (char *)"Bob Example" } };
	struct cs_chat ch = {
		.env_id = d.env, .activity_id = d.act, .teams_chat_id = d.chat, .subject = d.subject, .state = s.state,
		.status_code = s.state == CS_STATE_OPEN ? 1 : 2, .sync_status = s.sync_status,
		.modified_in_teams_on = s.modified, .linked_on = NOW - 20 * DAY,
		.regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001", .regarding_type = (char *)"account",
		.created_on = NOW - 20 * DAY, .modified_on = s.modified, .fetched_at = fetched,
		.parties = parties, .n_parties = 2,
	};
	ok(cache_put_chat(c, &ch, &err), "put chat");
	return 3;
}

static long put_graph(struct cache *c, int i, int k, cs_time fetched)
{
	struct ids d;
	ids_of(i, &d);
	struct shape s = shape_of(i, k);
	struct cs_graph_chat g = {
		.teams_chat_id = d.chat, .chat_status = 200, .topic = d.subject, .chat_type = (char *)"group",
		.last_updated = s.modified, .chat_fetched_at = fetched, .apps_status = 200,
		.app_installed = s.app_installed, .app_client_id = (char *)"cccccccc-0000-0000-0000-000000000001",
		.app_name = (char *)"Dataverse Chat Sync", .apps_fetched_at = fetched, .grants_status = 200,
		.app_has_grant = CS_TRUE, .n_grants = 2, .grants_fetched_at = fetched,
	};
	ok(cache_put_graph_chat(c, &g, &err), "put Graph details");
	return 1;
}

static long fill(struct cache *c, int n)
{
	static const char *const names[N_ENVS] = { "sales", "service", "marketing", "field" };
	long rows = 0;
	for (int e = 0; e < N_ENVS; e++) { /* one transaction per environment, as dataverse.c writes */
		char id[16];
		snprintf(id, sizeof id, "env-%d", e);
		ok(cache_begin(c, &err), "begin");
		struct cs_env env = { .id = id, .unique_name = (char *)names[e], .friendly_name = (char *)names[e],
				      .url = (char *)"https://example.crm.dynamics.com", .sync_enabled = CS_TRUE,
				      .inactivity_days = 7, .org_fetched_at = NOW - 300, .refreshed_at = NOW - 300 };
		ok(cache_put_env(c, &env, &err), "put env");
		rows++;
		for (int i = e; i < n; i += N_ENVS) {
			struct ids d;
			ids_of(i, &d);
			struct cs_assoc a = { .id = d.assoc, .env_id = d.env, .teams_chat_id = d.chat,
					      .regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001",
					      .regarding_table = (char *)"account", .record_state = CS_ASSOC_ASSOCIATE,
					      .created_on = NOW - 20 * DAY, .modified_on = NOW - 20 * DAY,
					      .fetched_at = NOW - 300 };
			ok(cache_put_assoc(c, &a, &err), "put association");
			rows += 1 + put_chat(c, i, 0, NOW - 300);
			if (i % 25 == 0) {
				for (int k = 0; k < 2; k++) {
					char sid[40];
					snprintf(sid, sizeof sid, "se-%08d-%d", i, k);
					struct cs_sync_error se = { .id = sid, .code = (char *)"0x80040217",
								    .message = (char *)"The record was changed by another user",
								    .time = NOW - (cs_time)(k + 1) * HOUR };
					ok(cache_put_sync_error(c, d.env, d.act, &se, NOW - 300, &err), "put sync error");
					rows++;
				}
			}
		}
		ok(cache_commit(c, &err), "commit");
	}
	for (int i = 0; i < n; i += GRAPH_BATCH) { /* the Graph phase writes in batches */
		ok(cache_begin(c, &err), "begin");
		for (int j = i; j < n && j < i + GRAPH_BATCH; j++)
			rows += put_graph(c, j, 0, NOW - 300);
		ok(cache_commit(c, &err), "commit");
	}
	struct cs_rsc rsc = { .state = CS_RSC_ENABLED_FOR_ALL_APPS, .source = (char *)"authorizationPolicy",
			      .http_status = 200, .fetched_at = NOW - 600 };
	ok(cache_put_rsc(c, &rsc, &err), "put RSC");
	return rows + 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: bench_history CACHE CHATS REFRESHES FRACTION\n");
		return 2;
	}
	const char *path = argv[1];
	int n = atoi(argv[2]), refreshes = atoi(argv[3]);
	double fraction = atof(argv[4]);
	if (n < 1 || refreshes < 0 || fraction <= 0 || fraction > 1) {
		fprintf(stderr, "bench_history: CHATS >= 1, REFRESHES >= 0, 0 < FRACTION <= 1\n");
		return 2;
	}
	struct cache *c = cache_open(path, 0, &err);
	if (!c)
		ok(-1, "open");
	double t0 = now_s();
	long rows = fill(c, n);
	double fill_s = now_s() - t0;
	cache_close(c); /* the last connection's close checkpoints the WAL into the file */
	printf("chats %d\nrows %ld\nfill_s %.3f\nrows_per_s %.0f\nsize_filled %lld\n", n, rows, fill_s, rows / fill_s,
	       file_size(path));

	c = cache_open(path, 0, &err);
	if (!c)
		ok(-1, "open");
	t0 = now_s();
	long changes = history_record(c, NOW, 90, &err);
	ok(changes < 0, "history_record");
	printf("record0_s %.3f\nrecord0_changes %ld\n", now_s() - t0, changes);
	cache_close(c);
	long long base = file_size(path);
	printf("size_recorded0 %lld\n", base);

	int per = (int)((double)n * fraction);
	if (per < 1)
		per = 1;
	double rec_total = 0, rec_max = 0;
	long changes_total = 0;
	for (int k = 1; k <= refreshes; k++) {
		c = cache_open(path, 0, &err);
		if (!c)
			ok(-1, "open");
		cs_time at = NOW + (cs_time)k * HOUR;
		/* A different slice each refresh, spread over the environments. */
		int start = (int)(((long long)(k - 1) * per * 7919) % n);
		ok(cache_begin(c, &err), "begin");
		for (int j = 0; j < per; j++) {
			int i = (start + j * 97) % n;
			put_chat(c, i, k, at - 60);
			put_graph(c, i, k, at - 60);
		}
		ok(cache_commit(c, &err), "commit");
		t0 = now_s();
		changes = history_record(c, at, 90, &err);
		ok(changes < 0, "history_record");
		double s = now_s() - t0;
		cache_close(c);
		rec_total += s;
		if (s > rec_max)
			rec_max = s;
		changes_total += changes;
		printf("record %d %.3f s %ld changes %lld bytes\n", k, s, changes, file_size(path));
	}
	long long end = file_size(path);
	char iso[32];
	time_format_iso(NOW + (cs_time)refreshes * HOUR, iso, sizeof iso);
	printf("refreshes %d\nchanged_per_refresh %d\nchanges_total %ld\nrecord_mean_s %.3f\nrecord_max_s %.3f\n"
	       "size_end %lld\ngrowth_per_refresh %.0f\nlast_at %s\n",
	       refreshes, per, changes_total, refreshes ? rec_total / refreshes : 0.0, rec_max, end,
	       refreshes ? (double)(end - base) / refreshes : 0.0, iso);
	return 0;
}
