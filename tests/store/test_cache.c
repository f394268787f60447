#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include "store/cache.h"
#include "store/schema.h"
#include "base/xalloc.h"
#include "run.h"

static char *dir, *db;
static struct cs_error err;

static void setup(void)
{
	dir = run_tmpdir();
	db = xasprintf("%s/sub/test.db", dir);
}
static void teardown(void)
{
	run_rmtree(dir);
	free(dir);
	free(db);
}
TestSuite(cache, .init = setup, .fini = teardown);

static void put_env(struct cache *c, const char *id, const char *name, int sync, int days)
{
	struct cs_env e = { .id = (char *)id, .unique_name = (char *)name, .friendly_name = (char *)"Friendly",
			    .url = (char *)"https://x.crm.dynamics.com", .sync_enabled = sync, .inactivity_days = days,
			    .refreshed_at = 1794647520 };
	cr_assert_eq(cache_put_env(c, &e, &err), 0, "%s", err.msg);
}

Test(cache, creates_a_private_wal_database_at_the_latest_schema)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cr_assert_eq(cache_schema_version(c), CACHE_SCHEMA_VERSION);
	cr_assert_eq(schema_latest(), CACHE_SCHEMA_VERSION);
	cache_close(c);
	struct stat st;
	cr_assert_eq(stat(db, &st), 0);
	cr_assert_eq(st.st_mode & 077, 0, "cache mode %o", st.st_mode & 0777);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(db, &raw), SQLITE_OK);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &q, NULL);
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(raw);
}

Test(cache, migrates_a_version_1_file_keeping_its_rows)
{
	/* Build a cache as the first release wrote it: schema 1 with one environment. */
	char *sub = xasprintf("%s/sub", dir);
	mkdir(sub, 0700);
	free(sub);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(db, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, schema_migration(0), NULL, NULL, NULL), SQLITE_OK);
	char *stamp = xasprintf("PRAGMA user_version = 1; PRAGMA application_id = %d;"
				"INSERT INTO environments(id, unique_name, sync_enabled) VALUES('e1', 'old-env', 1);",
				CACHE_APPLICATION_ID);
	cr_assert_eq(sqlite3_exec(raw, stamp, NULL, NULL, NULL), SQLITE_OK);
	free(stamp);
	sqlite3_close(raw);

	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cr_assert_eq(cache_schema_version(c), CACHE_SCHEMA_VERSION);
	struct cs_env e;
	cr_assert_eq(cache_find_env(c, "OLD-ENV", &e, &err), 0, "%s", err.msg);
	cr_assert_eq(e.sync_enabled, CS_TRUE);
	cs_env_free(&e);
	/* the table version 2 added works */
	cr_assert_eq(cache_set_delta(c, "e1", "chats", "https://x/api/data/v9.2/chats?$deltatoken=1", &err), 0, "%s",
		     err.msg);
	char *link = cache_get_delta(c, "e1", "chats");
	cr_assert_str_eq(link, "https://x/api/data/v9.2/chats?$deltatoken=1");
	free(link);
	cache_close(c);
}

Test(cache, refuses_random_bytes_untouched)
{
	char *sub = xasprintf("%s/sub", dir);
	mkdir(sub, 0700);
	free(sub);
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(rand() & 0xff);
	junk[0] = 'x';
	FILE *f = fopen(db, "wb");
	fwrite(junk, 1, sizeof junk, f);
	fclose(f);
	cr_assert_null(cache_open(db, 0, &err));
	cr_assert_eq(err.exit_code, 4);
	cr_assert(strstr(err.msg, "is not a chatsync cache"), "%s", err.msg);
	size_t len;
	char *after = run_read_file(db, &len);
	cr_assert_eq(len, sizeof junk);
	cr_assert_eq(memcmp(after, junk, len), 0, "the file was modified");
	free(after);
}

Test(cache, refuses_another_programs_database_and_a_newer_schema)
{
	char *sub = xasprintf("%s/sub", dir);
	mkdir(sub, 0700);
	free(sub);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(db, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "CREATE TABLE songs(title TEXT)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	cr_assert_null(cache_open(db, 0, &err));
	cr_assert_eq(err.exit_code, 4);
	cr_assert(strstr(err.msg, "another program"), "%s", err.msg);

	char *db2 = xasprintf("%s/newer.db", dir);
	cr_assert_eq(sqlite3_open(db2, &raw), SQLITE_OK);
	char *sql = xasprintf("CREATE TABLE t(x); PRAGMA application_id = %d; PRAGMA user_version = 99;",
			      CACHE_APPLICATION_ID);
	cr_assert_eq(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	cr_assert_null(cache_open(db2, 0, &err));
	cr_assert(strstr(err.msg, "newer than this chatsync"), "%s", err.msg);
	free(sql);
	free(db2);
}

Test(cache, an_empty_file_claiming_a_schema_is_refused_untouched)
{
	char *sub = xasprintf("%s/sub", dir);
	mkdir(sub, 0700);
	free(sub);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(db, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	size_t before_len, after_len;
	char *before = run_read_file(db, &before_len);
	cr_assert_null(cache_open(db, 0, &err));
	cr_assert_eq(err.exit_code, 4);
	cr_assert(strstr(err.msg, "claims to be a chatsync cache of schema 1 but has none of its tables"), "%s",
		  err.msg);
	cr_assert_null(strstr(err.msg, "no such table"), "%s", err.msg);
	char *after = run_read_file(db, &after_len);
	cr_assert(before_len == after_len && memcmp(before, after, before_len) == 0, "the file was changed");
	free(before);
	free(after);
}

/* File modes mean nothing to root: a test of them runs as nobody (each test is a process of its own),
 * owning the test's directory. */
static void become_nobody(void)
{
	if (geteuid() != 0)
		return;
	char *cmd = xasprintf("chown -R 65534:65534 '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	cr_assert_eq(setgid(65534), 0);
	cr_assert_eq(setuid(65534), 0);
}

Test(cache, a_read_only_cache_file_or_directory_is_named_as_such)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cache_close(c);
	become_nobody();
	struct cs_env e = { .id = "e1", .unique_name = "E1" };
	cr_assert_eq(chmod(db, 0400), 0);
	c = cache_open(db, 0, &err);
	cr_assert(!c || cache_put_env(c, &e, &err) == -1, "wrote to a read-only file");
	cache_close(c);
	cr_assert(strstr(err.msg, "the file is read-only") && strstr(err.msg, "chmod u+w"), "%s", err.msg);
	cr_assert_eq(chmod(db, 0600), 0);
	char *sub = xasprintf("%s/sub", dir);
	cr_assert_eq(chmod(sub, 0500), 0);
	c = cache_open(db, 0, &err);
	cr_assert(!c || cache_put_env(c, &e, &err) == -1, "wrote in a read-only directory");
	cache_close(c);
	cr_assert(strstr(err.msg, "its directory") && strstr(err.msg, "is not writable") && strstr(err.msg, sub),
		  "%s", err.msg);
	cr_assert_null(strstr(err.msg, "check its permissions"), "%s", err.msg);
	chmod(sub, 0700);
	free(sub);
}

Test(cache, truncated_database_is_reported_as_damaged)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	put_env(c, "e1", "env-one", 1, 7);
	cache_close(c);
	/* Keep the SQLite header, destroy the rest. */
	FILE *f = fopen(db, "r+b");
	fseek(f, 100, SEEK_SET);
	char zeros[3000];
	memset(zeros, 0xA5, sizeof zeros);
	fwrite(zeros, 1, sizeof zeros, f);
	fclose(f);
	c = cache_open(db, 0, &err);
	if (c) {
		struct cs_env *envs;
		size_t n;
		cr_assert_eq(cache_list_envs(c, &envs, &n, &err), -1, "a damaged file read as healthy");
		cache_close(c);
	}
	cr_assert_eq(err.exit_code, 4);
	cr_assert(strstr(err.msg, db), "%s", err.msg);
}

Test(cache, chats_associations_and_facts)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	cr_assert_eq(cache_begin(c, &err), 0);
	put_env(c, "e1", "sales", 1, 14);
	struct cs_party parties[] = { { .party_id = (char *)"p1", .name = (char *)"Ada Müller" },
				      { .party_id = (char *)"p2", .name = (char *)"東京 Team" } };
	struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)"a-111", .teams_chat_id = (char *)"19:abc@thread.v2",
			      .subject = (char *)"Deal", .state = CS_STATE_OPEN, .sync_status = CS_SYNC_ENABLED,
			      .modified_in_teams_on = 1794647520, .parties = parties, .n_parties = 2 };
	cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
	struct cs_assoc a = { .id = (char *)"as-2", .env_id = (char *)"e1", .teams_chat_id = (char *)"19:def@thread.v2",
			      .regarding_table = (char *)"account", .record_state = CS_ASSOC_ASSOCIATE, .created_on = 5 };
	cr_assert_eq(cache_put_assoc(c, &a, &err), 0, "%s", err.msg);
	struct cs_sync_error se = { .id = (char *)"se-1", .errorcode = 42, .message = (char *)"conflict", .time = 7 };
	cr_assert_eq(cache_put_sync_error(c, "e1", "a-111", &se, 8, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_commit(c, &err), 0);
	cr_assert_eq(cache_env_chat_count(c, "e1"), 2);

	struct cache_facts f;
	cr_assert_eq(cache_load_facts(c, "19:abc@thread.v2", &f, &err), 0, "%s", err.msg);
	cr_assert(f.has_chat);
	cr_assert_str_eq(f.chat.activity_id, "a-111");
	cr_assert_eq(f.chat.n_parties, 2);
	cr_assert_str_eq(f.chat.parties[1].name, "東京 Team");
	cr_assert_eq(f.n_errors, 1);
	cr_assert_eq(f.errors[0].errorcode, 42);
	cr_assert_eq(f.env.inactivity_days, 14);
	cr_assert_not(f.has_graph);
	cr_assert_not(f.has_rsc);
	cache_facts_free(&f);

	cr_assert_eq(cache_load_facts(c, "19:def", &f, &err), 0, "%s", err.msg);
	cr_assert_not(f.has_chat, "an association without a row has no chat row");
	cr_assert(f.has_assoc);
	cr_assert_str_eq(f.assoc.regarding_table, "account");
	cache_facts_free(&f);

	cr_assert_eq(cache_load_facts(c, "19:", &f, &err), -1);
	cr_assert(strstr(err.msg, "matches 2 chats"), "%s", err.msg);
	cr_assert_eq(cache_load_facts(c, "nothing", &f, &err), -1);
	cr_assert_eq(err.exit_code, 2);

	cr_assert_eq(cache_delete_chat(c, "a-111", &err), 0);
	cr_assert_eq(cache_env_chat_count(c, "e1"), 1);
	cache_close(c);
}

Test(cache, audit_is_kept_in_order)
{
	struct cache *c = cache_open(db, 0, &err);
	struct cache_audit a = { .time = 20, .profile = (char *)"p", .identity = (char *)"admin@x", .environment = (char *)"sales",
				 .old_value = (char *)"off", .new_value = (char *)"on", .request_id = (char *)"r1", .result = (char *)"ok" };
	cr_assert_eq(cache_audit_append(c, &a, &err), 0);
	a.time = 10;
	a.result = (char *)"refused: 403";
	cr_assert_eq(cache_audit_append(c, &a, &err), 0);
	struct cache_audit *rows;
	size_t n;
	cr_assert_eq(cache_audit_list(c, &rows, &n, &err), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(rows[0].time, 10);
	cr_assert_str_eq(rows[0].result, "refused: 403");
	cr_assert_str_eq(rows[1].new_value, "on");
	for (size_t i = 0; i < n; i++)
		cache_audit_free(&rows[i]);
	free(rows);
	cache_close(c);
}

Test(cache, a_write_ahead_audit_row_survives_a_kill_before_its_answer)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	struct cache_audit a = { .time = 30, .profile = (char *)"p", .identity = (char *)"app", .environment = (char *)"sales",
				 .old_value = (char *)"off", .new_value = (char *)"on" };
	long long id = 0;
	cr_assert_eq(cache_audit_begin(c, &a, &id, &err), 0, "%s", err.msg);
	cr_assert_gt(id, 0);
	cache_close(c); /* as a kill would: the row is already on disk */
	c = cache_open(db, 0, &err);
	struct cache_audit *rows;
	size_t n;
	cr_assert_eq(cache_audit_list(c, &rows, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].result, "pending: sent, no answer yet");
	cache_audit_free(&rows[0]);
	free(rows);
	cr_assert_eq(cache_audit_finish(c, id, "ok", "req-1", &err), 0, "%s", err.msg);
	cr_assert_eq(cache_audit_list(c, &rows, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].result, "ok");
	cr_assert_str_eq(rows[0].request_id, "req-1");
	cache_audit_free(&rows[0]);
	free(rows);
	cr_assert_eq(cache_audit_finish(c, id + 7, "ok", NULL, &err), -1, "finished a row that is not there");
	cache_close(c);
}

/* --- the refresh lock --- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A child process that opens the cache, takes the lock, says so on the pipe, and holds it for hold_ms
 * (or until killed). */
static pid_t holder(int hold_ms)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(p[0]);
		struct cs_error e;
		struct cache *c = cache_open(db, 0, &e);
		if (!c || cache_lock_refresh(c, 0, NULL, &e))
			_exit(1);
		if (write(p[1], "L", 1) != 1)
			_exit(1);
		usleep((useconds_t)hold_ms * 1000);
		cache_close(c);
		_exit(0);
	}
	close(p[1]);
	char ch;
	cr_assert_eq(read(p[0], &ch, 1), 1, "the holder did not take the lock");
	close(p[0]);
	return pid;
}

Test(cache, a_second_refresh_is_told_who_holds_the_lock)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	pid_t pid = holder(60000);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(cache_lock_refresh(c, 1, NULL, &err), -1, "two refreshes hold one cache");
	double waited = seconds_since(&t0);
	cr_assert(waited >= 0.9 && waited < 3, "waited %.2f s for a 1 s bound", waited);
	cr_assert_eq(err.exit_code, CS_EXIT_CACHE);
	char want[64];
	snprintf(want, sizeof want, "(pid %ld, since 20", (long)pid);
	cr_assert(strstr(err.msg, "is being refreshed by another chatsync") && strstr(err.msg, want) &&
		  strstr(err.msg, db), "%s", err.msg);
	/* Readers never wait: the cache reads while the lock is held. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct cs_env *envs;
	size_t n;
	cr_assert_eq(cache_list_envs(c, &envs, &n, &err), 0, "%s", err.msg);
	free(envs);
	cr_assert_lt(seconds_since(&t0), 0.5);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The kernel let go of a killed holder's lock: the next refresh takes it at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(cache_lock_refresh(c, 5, NULL, &err), 0, "%s", err.msg);
	cr_assert_lt(seconds_since(&t0), 0.5);
	char *lock = xasprintf("%s.lock", db);
	struct stat st;
	cr_assert_eq(stat(lock, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *text = run_read_file(lock, NULL);
	char mine[32];
	snprintf(mine, sizeof mine, "%ld ", (long)getpid());
	cr_assert(text && strncmp(text, mine, strlen(mine)) == 0, "the lock file says \"%s\"", text);
	free(text);
	free(lock);
	cache_close(c);
}

Test(cache, two_names_of_one_cache_are_one_refresh_at_a_time)
{
	char *link = xasprintf("%s/link.db", dir);
	struct cache *a = cache_open(db, 0, &err);
	cr_assert_not_null(a, "%s", err.msg);
	cr_assert_eq(symlink(db, link), 0);
	struct cache *b = cache_open(link, 0, &err);
	cr_assert_not_null(b, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(a, 0, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(b, 0, NULL, &err), -1, "a link to the cache took a second refresh lock");
	cr_assert(strstr(err.msg, "is being refreshed"), "%s", err.msg);
	cache_close(a);
	cr_assert_eq(cache_lock_refresh(b, 0, NULL, &err), 0, "%s", err.msg);
	cache_close(b);
	unlink(link);
	free(link);
}

Test(cache, a_second_refresh_waits_for_the_first_to_end)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	pid_t pid = holder(700);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(cache_lock_refresh(c, 10, NULL, &err), 0, "%s", err.msg);
	double waited = seconds_since(&t0);
	cr_assert(waited > 0.3 && waited < 5, "waited %.2f s for a holder of 0.7 s", waited);
	waitpid(pid, NULL, 0);
	cache_unlock_refresh(c);
	cache_close(c);
}

Test(cache, two_connections_of_one_process_are_two_refreshes)
{
	struct cache *a = cache_open(db, 0, &err), *b = cache_open(db, 0, &err);
	cr_assert(a && b, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(a, 0, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(a, 0, NULL, &err), 0, "taking a held lock again is a no-op");
	cr_assert_eq(cache_lock_refresh(b, 0, NULL, &err), -1);
	cr_assert(strstr(err.msg, "is being refreshed"), "%s", err.msg);
	volatile sig_atomic_t cancel = 1;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(cache_lock_refresh(b, 30, &cancel, &err), -1);
	cr_assert_lt(seconds_since(&t0), 1, "a cancelled wait went on");
	cache_close(a); /* closing releases */
	cr_assert_eq(cache_lock_refresh(b, 0, NULL, &err), 0, "%s", err.msg);
	cache_close(b);
}

Test(cache, taking_the_lock_finds_a_damaged_cache)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	for (int i = 0; i < 400; i++) {
		char id[32], name[64];
		snprintf(id, sizeof id, "e%d", i);
		snprintf(name, sizeof name, "ENV-%d-with-a-longer-name-to-fill-pages", i);
		put_env(c, id, name, 1, 7);
	}
	cache_close(c);
	/* Checkpointed into the main file (closing did), then pages in its middle overwritten. */
	FILE *f = fopen(db, "r+b");
	cr_assert_not_null(f);
	fseek(f, 4096 * 3, SEEK_SET);
	for (int i = 0; i < 4096 * 2; i++)
		fputc(0x5a, f);
	fclose(f);
	size_t len_before;
	char *before = run_read_file(db, &len_before);
	c = cache_open(db, 0, &err); /* opening reads the header and the schema, not every page */
	cr_assert_not_null(c, "%s", err.msg);
	/* The lock is taken at once; the check runs beside it and its verdict is waited for. */
	cr_assert_eq(cache_lock_refresh(c, 0, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_check_wait(c, &err), -1, "a damaged cache passed the check");
	cr_assert(strstr(err.msg, "is damaged") && strstr(err.msg, db) &&
		  strstr(err.msg, "(move it aside; the next refresh rebuilds it)"), "%s", err.msg);
	cr_assert_eq(err.exit_code, CS_EXIT_CACHE);
	struct cs_error again = { 0 };
	cr_assert_eq(cache_check_wait(c, &again), -1, "the verdict did not hold");
	cr_assert_str_eq(again.msg, err.msg);
	/* No transaction begins on it: the refresh's first write fails with the same sentence. */
	again = (struct cs_error){ 0 };
	cr_assert_eq(cache_begin(c, &again), -1, "a transaction began on a damaged cache");
	cr_assert_str_eq(again.msg, err.msg);
	cr_assert_eq(again.exit_code, CS_EXIT_CACHE);
	cache_unlock_refresh(c);
	cr_assert_eq(cache_check_wait(c, &again), 0, "a verdict outlived the lock");
	cache_close(c);
	size_t len_after;
	char *after = run_read_file(db, &len_after);
	cr_assert(before && after && len_before == len_after && memcmp(before, after, len_before) == 0,
		  "the damaged cache was written to");
	free(before);
	free(after);
}

/* The check runs on a connection of its own while the lock is held: a sound cache passes and is written
 * as usual, and a check still running when the lock goes (released, or the cache closed) is stopped and
 * joined (ASan and valgrind see no thread, connection or verdict left). */
Test(cache, the_check_of_a_sound_cache_runs_beside_the_lock_and_ends_with_it)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	for (int i = 0; i < 400; i++) {
		char id[32], name[64];
		snprintf(id, sizeof id, "e%d", i);
		snprintf(name, sizeof name, "ENV-%d-with-a-longer-name-to-fill-pages", i);
		put_env(c, id, name, 1, 7);
	}
	cr_assert_eq(cache_check_wait(c, &err), 0, "no lock, no check: %s", err.msg);
	cr_assert_eq(cache_lock_refresh(c, 0, NULL, &err), 0, "%s", err.msg);
	cache_unlock_refresh(c); /* at once: the check may still run */
	cr_assert_eq(cache_lock_refresh(c, 0, NULL, &err), 0, "%s", err.msg);
	struct cs_env *envs;
	size_t n;
	cr_assert_eq(cache_list_envs(c, &envs, &n, &err), 0, "reads wait for nothing: %s", err.msg);
	cr_assert_eq(n, 400);
	for (size_t i = 0; i < n; i++)
		cs_env_free(&envs[i]);
	free(envs);
	cr_assert_eq(cache_begin(c, &err), 0, "%s", err.msg);
	put_env(c, "e400", "ENV-400", 1, 7);
	cr_assert_eq(cache_commit(c, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_check_wait(c, &err), 0, "%s", err.msg);
	cache_unlock_refresh(c);
	cr_assert_eq(cache_lock_refresh(c, 0, NULL, &err), 0, "%s", err.msg);
	cache_close(c); /* closing releases the lock and ends its check */
	c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cr_assert_eq(cache_lock_refresh(c, 0, NULL, &err), 0, "the lock outlived its connection: %s", err.msg);
	cr_assert_eq(cache_check_wait(c, &err), 0, "%s", err.msg);
	cache_close(c);
}

/* --- generations: a refresh's rows are unseen until their environment is committed --- */

static void put_chat_as(struct cache *c, const char *act, const char *subject, const char *party, long long gen,
			bool staged)
{
	struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)act, .subject = (char *)subject,
			      .teams_chat_id = (char *)act, .state = CS_STATE_OPEN, .modified_in_teams_on = 1794647520 };
	cr_assert_eq((staged ? cache_stage_chat_row : cache_put_chat_row)(c, &ch, gen, &err), 0, "%s", err.msg);
	struct cs_party p = { .party_id = (char *)"p", .name = (char *)party };
	cr_assert_eq((staged ? cache_stage_party : cache_put_party)(c, "e1", act, 0, &p, gen, &err), 0, "%s", err.msg);
}

/* A full read's chat, of generation gen. */
static void put_gen_chat(struct cache *c, const char *act, const char *subject, const char *party, long long gen)
{
	put_chat_as(c, act, subject, party, gen, false);
}

struct seen {
	char text[512];
};
static int add_seen(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	struct seen *s = user;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof s->text - n, "%s=%s/%s;", ch->activity_id ? ch->activity_id : "-",
		 ch->subject ? ch->subject : "-", ch->n_parties ? ch->parties[0].name : "-");
	return 0;
}
static const char *seen(struct cache *c)
{
	static struct seen s;
	s.text[0] = '\0';
	cr_assert_eq(cache_each_chat(c, NULL, add_seen, &s, &err), 0, "%s", err.msg);
	return s.text;
}

/* The console's first screen: the chats environment e1 shows, counted. */
static size_t count_of_e1(struct cache *c)
{
	struct cs_env e = { .id = (char *)"e1" };
	size_t n = 99;
	cr_assert_eq(cache_env_chat_counts(c, &e, 1, &n, &err), 0, "%s", err.msg);
	return n;
}

Test(cache, a_generation_is_unseen_until_committed_and_then_replaces_the_last_one)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	put_env(c, "e1", "sales", 1, 14);
	put_gen_chat(c, "a1", "old", "Ada", CACHE_GEN_VISIBLE);
	put_gen_chat(c, "a2", "gone on the server", "Bob", CACHE_GEN_VISIBLE);
	cr_assert_str_eq(seen(c), "a1=old/Ada;a2=gone on the server/Bob;");

	long long g1, g2;
	cr_assert_eq(cache_gen_next(c, &g1, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_gen_next(c, &g2, &err), 0, "%s", err.msg);
	cr_assert_gt(g1, 0);
	cr_assert_gt(g2, g1, "each generation is greater than the ones before");

	/* A full read writes its pages: nothing changes for a reader, and a failed one is purged. */
	put_gen_chat(c, "a1", "new", "Cy", g2);
	put_gen_chat(c, "a3", "new chat", "Dee", g2);
	cr_assert_str_eq(seen(c), "a1=old/Ada;a2=gone on the server/Bob;");
	cr_assert_eq(count_of_e1(c), 2, "the unseen generation is not counted");
	cr_assert_eq(cache_rows_unseen(c, "e1"), 4);
	bool more;
	cr_assert_eq(cache_gen_purge(c, "e1", 1, &more, &err), 0, "%s", err.msg);
	cr_assert(more, "a purge of at most one row of each kind leaves some");
	cr_assert_eq(cache_rows_unseen(c, "e1"), 2);
	cr_assert_eq(cache_gen_purge(c, "e1", 0, &more, &err), 0, "%s", err.msg);
	cr_assert_not(more);
	cr_assert_eq(cache_rows_unseen(c, "e1"), 0);
	cr_assert_str_eq(seen(c), "a1=old/Ada;a2=gone on the server/Bob;");

	/* Read again to the end: the new rows at once, the chat the server no longer has gone. */
	long long g3;
	cr_assert_eq(cache_gen_next(c, &g3, &err), 0, "%s", err.msg);
	put_gen_chat(c, "a1", "new", "Cy", g3);
	put_gen_chat(c, "a3", "new chat", "Dee", g3);
	struct cs_env e = { .id = (char *)"e1", .unique_name = (char *)"sales", .refreshed_at = 1794650000 };
	cr_assert_eq(cache_begin(c, &err), 0);
	cr_assert_eq(cache_gen_commit(c, &e, &(struct cache_gen_commit){ .gen = g3, .chats = CACHE_GEN_FULL }, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(cache_commit(c, &err), 0);
	cr_assert_str_eq(seen(c), "a1=new/Cy;a3=new chat/Dee;");
	cr_assert_eq(count_of_e1(c), 2, "the superseded generation is not counted");
	cr_assert_eq(cache_rows_unseen(c, "e1"), 4, "the superseded rows wait for the purge");
	cr_assert_eq(cache_gen_purge(c, "e1", 0, &more, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_rows_unseen(c, "e1"), 0);
	cr_assert_str_eq(seen(c), "a1=new/Cy;a3=new chat/Dee;");

	/* A delta read replaces the rows it names and deletes the ones it lists; the rest stay. */
	long long g4;
	cr_assert_eq(cache_gen_next(c, &g4, &err), 0, "%s", err.msg);
	put_chat_as(c, "a1", "changed", "Eve", g4, true);
	cr_assert_str_eq(seen(c), "a1=new/Cy;a3=new chat/Dee;", "a staged chat is unseen until its commit");
	cr_assert_eq(cache_rows_unseen(c, "e1"), 2, "the staged chat and participant");
	char *deleted[] = { (char *)"a3" };
	cr_assert_eq(cache_begin(c, &err), 0);
	cr_assert_eq(cache_gen_commit(c, &e, &(struct cache_gen_commit){ .gen = g4, .chats = CACHE_GEN_DELTA,
									 .deleted_chats = deleted, .n_deleted_chats = 1 },
				      &err), 0, "%s", err.msg);
	cr_assert_eq(cache_commit(c, &err), 0);
	cr_assert_str_eq(seen(c), "a1=changed/Eve;");
	cr_assert_eq(cache_rows_unseen(c, "e1"), 0, "a delta leaves nothing to purge");
	/* Writes without a generation still go to what the environment shows. */
	put_gen_chat(c, "a5", "by hand", "Fay", CACHE_GEN_VISIBLE);
	cr_assert_str_eq(seen(c), "a1=changed/Eve;a5=by hand/Fay;");
	cr_assert_eq(count_of_e1(c), 2);
	cache_close(c);
}

/* The first column of what sql (one text bound) reads from the file, as "1,2,": rowids show what a
 * rewrite changed. */
static const char *rowids(const char *sql, const char *arg)
{
	static char out[256];
	out[0] = '\0';
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *q;
	cr_assert_eq(sqlite3_prepare_v2(raw, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%lld,", sqlite3_column_int64(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(raw);
	return out;
}

static void stage_chat(struct cache *c, const char *act, const char *subject, const char *const *names, long long gen)
{
	struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)act, .subject = (char *)subject,
			      .teams_chat_id = (char *)act, .state = CS_STATE_OPEN, .modified_in_teams_on = 1794647520 };
	cr_assert_eq(cache_stage_chat_row(c, &ch, gen, &err), 0, "%s", err.msg);
	for (int i = 0; names[i]; i++) {
		struct cs_party p = { .party_id = (char *)names[i], .name = (char *)names[i] };
		cr_assert_eq(cache_stage_party(c, "e1", act, 100 + i, &p, gen, &err), 0, "%s", err.msg);
	}
}

/* A delta's commit writes a shown chat where it is (its row keeps its place), keeps the participants
 * that did not change, replaces those that did, and adds the new chats: nothing else is rewritten. */
Test(cache, a_delta_writes_the_shown_chats_in_place_and_only_the_participants_that_changed)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	put_env(c, "e1", "sales", 1, 14);
	long long g1, g2;
	cr_assert_eq(cache_gen_next(c, &g1, &err), 0, "%s", err.msg);
	const char *ada_bob[] = { "Ada", "Bob", NULL }, *cy[] = { "Cy", NULL }, *dee[] = { "Dee", NULL },
		   *eve[] = { "Eve", NULL }, *bob_ada[] = { "Bob", "Ada", NULL };
	struct { const char *act, *subject, *const *names; } full[] = {
		{ "a1", "one", ada_bob }, { "a2", "two", cy }, { "a4", "four", ada_bob } };
	for (size_t k = 0; k < 3; k++) {
		struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)full[k].act,
				      .subject = (char *)full[k].subject, .teams_chat_id = (char *)full[k].act,
				      .state = CS_STATE_OPEN, .modified_in_teams_on = 1794647520 };
		cr_assert_eq(cache_put_chat_row(c, &ch, g1, &err), 0, "%s", err.msg);
		for (int i = 0; full[k].names[i]; i++) {
			struct cs_party p = { .party_id = (char *)full[k].names[i], .name = (char *)full[k].names[i] };
			cr_assert_eq(cache_put_party(c, "e1", full[k].act, i, &p, g1, &err), 0, "%s", err.msg);
		}
	}
	struct cs_env e = { .id = (char *)"e1", .unique_name = (char *)"sales", .refreshed_at = 1794650000 };
	cr_assert_eq(cache_begin(c, &err), 0);
	cr_assert_eq(cache_gen_commit(c, &e, &(struct cache_gen_commit){ .gen = g1, .chats = CACHE_GEN_FULL }, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(cache_commit(c, &err), 0);
	static const char *chat_sql = "SELECT rowid FROM chat_rows WHERE activity_id = ?";
	static const char *party_sql = "SELECT rowid FROM party_rows WHERE activity_id = ? ORDER BY seq";
	char a1_row[64], a1_parties[64];
	snprintf(a1_row, sizeof a1_row, "%s", rowids(chat_sql, "a1"));
	snprintf(a1_parties, sizeof a1_parties, "%s", rowids(party_sql, "a1"));

	cr_assert_eq(cache_gen_next(c, &g2, &err), 0, "%s", err.msg);
	stage_chat(c, "a1", "one, renamed", ada_bob, g2); /* the same participants */
	stage_chat(c, "a2", "two", dee, g2);               /* another participant */
	stage_chat(c, "a3", "three", eve, g2);             /* a new chat */
	stage_chat(c, "a4", "four", bob_ada, g2);          /* the same two, in another order */
	cr_assert_eq(cache_begin(c, &err), 0);
	cr_assert_eq(cache_gen_commit(c, &e, &(struct cache_gen_commit){ .gen = g2, .chats = CACHE_GEN_DELTA }, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(cache_commit(c, &err), 0);
	cr_assert_str_eq(seen(c), "a1=one, renamed/Ada;a2=two/Dee;a3=three/Eve;a4=four/Bob;");
	cr_assert_eq(count_of_e1(c), 4);
	cr_assert_eq(cache_rows_unseen(c, "e1"), 0, "the stage is emptied by the commit");
	cr_assert_str_eq(rowids(chat_sql, "a1"), a1_row, "the changed chat was moved, not written in place");
	cr_assert_str_eq(rowids(party_sql, "a1"), a1_parties, "participants that did not change were rewritten");
	/* a replaced list carries the stage's places (100 on), a kept one its own (0 on); a rowid freed
	 * by the delete may be given again */
	static const char *seq_sql = "SELECT seq FROM party_rows WHERE activity_id = ? ORDER BY seq";
	cr_assert_str_eq(rowids(seq_sql, "a1"), "0,1,", "participants that did not change were rewritten");
	cr_assert_str_eq(rowids(seq_sql, "a2"), "100,", "the changed participant was not replaced");
	cr_assert_str_eq(rowids(seq_sql, "a4"), "100,101,", "participants in another order are another list");
	cr_assert_str_eq(rowids(seq_sql, "a3"), "100,", "the new chat's participant");
	cr_assert_str_eq(rowids("SELECT rowid FROM chat_rows WHERE env_id = ? AND gen <> (SELECT chats_gen FROM"
				" environments WHERE id = 'e1')", "e1"), "", "rows of another generation are left");
	cache_close(c);
}

/* --- the number of chats each environment lists, kept by its commits --- */

static int count_listed(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)ch;
	(void)env;
	(*(size_t *)user)++;
	return 0;
}

/* What the chat list shows of env_id, and what the count says: they must agree. */
static void counts_agree(struct cache *c, const char *env_id, const char *when)
{
	size_t listed = 0, counted = 99;
	struct cache_chat_filter f = { .env_id = env_id };
	cr_assert_eq(cache_each_chat(c, &f, count_listed, &listed, &err), 0, "%s", err.msg);
	struct cs_env e = { .id = (char *)env_id };
	cr_assert_eq(cache_env_chat_counts(c, &e, 1, &counted, &err), 0, "%s", err.msg);
	cr_assert_eq(counted, listed, "%s: %s counted %zu chats, lists %zu", when, env_id, counted, listed);
}

/* environments.listed_chats of env_id as the file holds it: -1 when NULL (not known). */
static long long kept_count(const char *env_id)
{
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *q;
	cr_assert_eq(sqlite3_prepare_v2(raw, "SELECT listed_chats FROM environments WHERE id = ?", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, env_id, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	long long n = sqlite3_column_type(q, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(raw);
	return n;
}

static unsigned rnd(unsigned *state, unsigned below)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) % below;
}

/* Random full and delta reads of two environments: new chats, chats moved to another Teams chat,
 * deleted chats (some of the other environment's), associations with and without an activity row,
 * deleted associations, and writes by hand in between. After every commit the number kept is the
 * number listed, and after a write by hand it is unknown and still counted right. */
Test(cache, each_commit_keeps_the_number_of_chats_its_environment_lists)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	static const char *const envs[] = { "e1", "e2" };
	for (int i = 0; i < 2; i++)
		put_env(c, envs[i], envs[i], 1, 14);
	unsigned r = 7;
	int full = 0, delta = 0;
	for (int round = 0; round < 120; round++) {
		const char *env = envs[rnd(&r, 2)];
		struct cs_env e = { .id = (char *)env, .unique_name = (char *)env };
		long long gen;
		cr_assert_eq(cache_gen_next(c, &gen, &err), 0, "%s", err.msg);
		bool is_full = round < 2 || rnd(&r, 5) == 0;
		struct cache_gen_commit g = { .gen = gen };
		if (is_full) {
			g.chats = g.assocs = CACHE_GEN_FULL;
			full++;
		} else {
			g.chats = rnd(&r, 4) ? CACHE_GEN_DELTA : CACHE_GEN_KEEP;
			g.assocs = g.chats == CACHE_GEN_KEEP || rnd(&r, 4) ? CACHE_GEN_DELTA : CACHE_GEN_KEEP;
			delta++;
		}
		int n_rows = is_full ? 12 : 1 + (int)rnd(&r, 4);
		for (int k = 0; k < n_rows; k++) {
			char act[16], chat[16], as[16];
			snprintf(act, sizeof act, "%s-a%u", env, rnd(&r, 16));
			snprintf(chat, sizeof chat, "19:t%u", rnd(&r, 14));
			snprintf(as, sizeof as, "%s-s%u", env, rnd(&r, 16));
			if (rnd(&r, 3)) {
				struct cs_chat ch = { .env_id = (char *)env, .activity_id = act, .teams_chat_id = chat,
						      .state = CS_STATE_OPEN, .modified_in_teams_on = 1794647520 };
				cr_assert_eq((g.chats == CACHE_GEN_DELTA ? cache_stage_chat_row : cache_put_chat_row)(c, &ch, gen, &err),
					     0, "%s", err.msg);
			}
			if (rnd(&r, 2)) {
				struct cs_assoc a = { .id = as, .env_id = (char *)env, .teams_chat_id = chat,
						      .record_state = CS_ASSOC_ASSOCIATE, .modified_on = 1794647520 + k };
				cr_assert_eq(cache_put_assoc_gen(c, &a, gen, &err), 0, "%s", err.msg);
			}
		}
		char del_chat[2][16], del_assoc[16];
		char *dc[2] = { del_chat[0], del_chat[1] }, *da[1] = { del_assoc };
		/* one deleted chat may be the other environment's */
		snprintf(del_chat[0], sizeof del_chat[0], "%s-a%u", env, rnd(&r, 16));
		snprintf(del_chat[1], sizeof del_chat[1], "%s-a%u", envs[rnd(&r, 2)], rnd(&r, 16));
		snprintf(del_assoc, sizeof del_assoc, "%s-s%u", env, rnd(&r, 16));
		if (!is_full) {
			if (g.chats == CACHE_GEN_DELTA && rnd(&r, 2)) {
				g.deleted_chats = dc;
				g.n_deleted_chats = 2;
			}
			if (g.assocs == CACHE_GEN_DELTA && rnd(&r, 2)) {
				g.deleted_assocs = da;
				g.n_deleted_assocs = 1;
			}
		}
		cr_assert_eq(cache_begin(c, &err), 0, "%s", err.msg);
		cr_assert_eq(cache_gen_commit(c, &e, &g, &err), 0, "%s", err.msg);
		cr_assert_eq(cache_commit(c, &err), 0, "%s", err.msg);
		bool more;
		cr_assert_eq(cache_gen_purge(c, env, 0, &more, &err), 0, "%s", err.msg);
		cr_assert_geq(kept_count(env), 0, "round %d: the commit kept %s's number", round, env);
		char when[32];
		snprintf(when, sizeof when, "round %d", round);
		counts_agree(c, "e1", when);
		counts_agree(c, "e2", when);
		if (round % 17 == 16) { /* a write by hand: the number is not known until the next commit */
			struct cs_chat ch = { .env_id = (char *)env, .activity_id = (char *)"by-hand", .teams_chat_id =
					      (char *)"19:by-hand", .state = CS_STATE_OPEN };
			cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
			cr_assert_eq(kept_count(env), -1, "a write by hand leaves the number unknown");
			counts_agree(c, env, "after a write by hand");
		}
	}
	cr_assert_gt(full, 10);
	cr_assert_gt(delta, 60);
	/* and a cache filled by hand is given its numbers at once */
	cr_assert_eq(cache_env_keep_count(c, NULL, &err), 0, "%s", err.msg);
	cr_assert_geq(kept_count("e1"), 0);
	cr_assert_geq(kept_count("e2"), 0);
	counts_agree(c, "e1", "kept by hand");
	counts_agree(c, "e2", "kept by hand");
	cache_close(c);
}

Test(cache, a_chat_written_again_keeps_or_rewrites_its_participants)
{
	struct cache *c = cache_open(db, 0, &err);
	cr_assert_not_null(c);
	put_env(c, "e1", "sales", 1, 14);
	struct cs_party two[] = { { .party_id = (char *)"p1", .name = (char *)"Ada" },
				  { .party_id = (char *)"p2", .name = (char *)"Bob" } };
	struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)"a1", .teams_chat_id = (char *)"19:a",
			      .subject = (char *)"s", .parties = two, .n_parties = 2 };
	cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
	struct cache_facts f;
	cr_assert_eq(cache_load_facts(c, "a1", &f, &err), 0, "%s", err.msg);
	cr_assert_eq(f.chat.n_parties, 2);
	cache_facts_free(&f);
	ch.n_parties = 1;
	ch.parties = &two[1];
	cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_load_facts(c, "a1", &f, &err), 0, "%s", err.msg);
	cr_assert_eq(f.chat.n_parties, 1);
	cr_assert_str_eq(f.chat.parties[0].name, "Bob");
	cache_facts_free(&f);
	cache_close(c);
}
