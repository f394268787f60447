/* The WAL's checkpoint mark while a refresh writes (cache_set_wal_mark): SQLite copies the WAL back
 * into the database in the commit that takes it past the mark, and then starts it over, so the
 * WAL file (its high-water mark) stays near the mark; a high mark lets it grow to it first. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "store/cache.h"
#include "base/xalloc.h"
#include "run.h"

static char *dir, *db, *wal;
static struct cs_error err;

static void setup(void)
{
	dir = run_tmpdir();
	db = xasprintf("%s/ckpt.db", dir);
	wal = xasprintf("%s-wal", db);
}
static void teardown(void)
{
	run_rmtree(dir);
	free(dir);
	free(db);
	free(wal);
}
TestSuite(wal, .init = setup, .fini = teardown);

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* n transactions of 100 chats, the way a refresh writes pages; returns the WAL file's size after
 * them (a WAL that starts over is written from its start, so its file keeps its largest size). */
static long long write_pages(struct cache *c, int from, int n, long long gen)
{
	static char subject[400];
	memset(subject, 'x', sizeof subject - 1);
	for (int t = from; t < from + n; t++) {
		cr_assert_eq(cache_begin(c, &err), 0, "%s", err.msg);
		for (int i = 0; i < 100; i++) {
			char act[64];
			snprintf(act, sizeof act, "act-%d-%d", t, i);
			struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = act, .teams_chat_id = act,
					      .subject = subject, .state = CS_STATE_OPEN, .modified_in_teams_on = 1794647520 };
			cr_assert_eq(cache_put_chat_row(c, &ch, gen, &err), 0, "%s", err.msg);
		}
		cr_assert_eq(cache_commit(c, &err), 0, "%s", err.msg);
	}
	return file_size(wal);
}

Test(wal, a_refresh_mark_lets_the_wal_grow_and_the_default_mark_comes_back, .timeout = 120)
{
	const long long mb = 1024 * 1024;
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	long long gen;
	cr_assert_eq(cache_gen_next(c, &gen, &err), 0, "%s", err.msg);
	/* SQLite's mark (1000 pages of 4 kB): the WAL starts over every 4 MB */
	long long w = write_pages(c, 0, 300, gen);
	cr_assert_leq(w, 8 * mb, "at SQLite's mark the WAL grew to %lld bytes", w);
	cr_assert_gt(file_size(db), 8 * mb, "nothing was copied into the database");
	/* the refresh's mark (64 MB): 300 more pages of rows stay in the WAL */
	cache_set_wal_mark(c, CACHE_WAL_MARK_REFRESH);
	w = write_pages(c, 300, 300, gen);
	cr_assert_gt(w, 16 * mb, "at the refresh's mark the WAL stayed at %lld bytes", w);
	cr_assert_leq(w, 64 * mb + 16 * mb, "past the refresh's mark the WAL grew to %lld bytes", w);
	/* back to SQLite's mark: the next commits copy the WAL back and it starts over; the file keeps
	 * its size, but the database holds every row */
	cache_set_wal_mark(c, 0);
	long long before = file_size(db);
	write_pages(c, 600, 10, gen);
	cr_assert_gt(file_size(db), before + 8 * mb, "the WAL was not copied back after the mark was reset");
	cache_close(c);
}
