/* The kill test: SIGKILL chatsync at many points of its work, by the number of requests the sandbox
 * has logged, and check what survives on disk.
 * - refresh: 50 kills, half during a first refresh into an empty cache, half during a delta refresh
 *   after the tenant changed. After each kill the cache passes PRAGMA integrity_check, and every
 *   environment holds exactly its data from before the run or exactly what a whole run writes,
 *   never a mix (its row, chats, participants, associations and sync errors compared as a whole).
 * - toggle (chatsync sync ENV on --yes): killed before, between and just after each of its requests;
 *   after each kill the cache is whole, the setting changed only if the PATCH was sent, and no audit
 *   row says "ok" for a change that did not happen; a setting that changed has an audit row for the
 *   change.
 * The cache is read with SQLite directly, not through store/, so the check shares no code with what
 * it checks. Prints the kills survived of those tried. */
#include "config.h"
#include "e2e.h"
#include "base/xalloc.h"
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REFRESH_KILLS 50

static const char *const sandbox_args[] = { "--envs", "3", "--chats-per-env", "12", "--seed", "13", NULL };

/* Lines in the sandbox's request log so far, counted from the last call's offset. */
struct log_watch {
	const char *path;
	off_t offset;
	size_t lines;
};

static size_t watch_lines(struct log_watch *w)
{
	int fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return w->lines;
	char buf[65536];
	ssize_t n;
	while ((n = pread(fd, buf, sizeof buf, w->offset)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			w->lines += buf[i] == '\n';
		w->offset += n;
	}
	close(fd);
	return w->lines;
}

static void watch_start(struct log_watch *w, const char *path)
{
	w->path = path;
	w->offset = 0;
	w->lines = 0;
	watch_lines(w);
}

/* Runs chatsync with args against e's sandbox and cache; kills it with SIGKILL once the request log
 * has grown by kill_after lines (0: never), waiting delay_us more first. Returns 1 if it was killed,
 * 0 if it ended by itself (exit status in *status), and the requests it made in *requests. */
static int run_and_kill(struct e2e *e, const char *const *args, size_t kill_after, long delay_us, int *status,
			size_t *requests)
{
	struct log_watch w;
	watch_start(&w, e->sb.log);
	size_t start = w.lines;
	char *bin = run_chatsync_path();
	const char *argv[32] = { bin, "-c", e->sb.config, "-p", "sandbox", "--cache", e->cache };
	int argc = 7;
	for (int i = 0; args[i] && argc < 30; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	char *home = xasprintf("HOME=%s", e->home), *state = xasprintf("XDG_STATE_HOME=%s/state", e->home),
	     *cfg = xasprintf("XDG_CONFIG_HOME=%s/config", e->home);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		putenv(home);
		putenv(state);
		putenv(cfg);
		unsetenv("CHATSYNC_CONFIG");
		unsetenv("CHATSYNC_LOG");
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int killed = 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (kill_after && watch_lines(&w) - start >= kill_after) {
			if (delay_us)
				usleep((useconds_t)delay_us);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			/* It may have finished in the delay: only a death by the signal counts as a kill. */
			killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 120) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			cr_assert_fail("chatsync %s ran for more than 120 s", args[0]);
		}
		usleep(100);
	}
	/* The sandbox logs a request after it has queued the answer: the client may have read it and
	 * exited first. Let the log settle before counting. */
	for (int i = 0, same = 0; i < 50 && same < 3; i++) {
		size_t before = w.lines;
		usleep(20000);
		same = watch_lines(&w) == before ? same + 1 : 0;
	}
	*requests = watch_lines(&w) - start;
	free(bin);
	free(home);
	free(state);
	free(cfg);
	return killed;
}

static void copy_file(const char *from, const char *to)
{
	char *text;
	size_t len;
	unlink(to);
	if (!(text = run_read_file(from, &len)))
		return;
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	free(text);
}

/* A cache file and its WAL, removed or copied together. */
static void cache_remove(const char *db)
{
	char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db), *lock = xasprintf("%s.lock", db);
	unlink(db);
	unlink(wal);
	unlink(shm);
	unlink(lock);
	free(wal);
	free(shm);
	free(lock);
}

static void cache_copy(const char *from, const char *to)
{
	cache_remove(to);
	copy_file(from, to);
	char *fw = xasprintf("%s-wal", from), *tw = xasprintf("%s-wal", to);
	if (access(fw, F_OK) == 0)
		copy_file(fw, tw);
	free(fw);
	free(tw);
}

/* Appends the rows of a query, one line each, to out. */
static void dump(sqlite3 *db, const char *sql, const char *env_id, struct buf *out)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, env_id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *v = sqlite3_column_text(st, c);
			buf_printf(out, "%s%s", c ? "|" : "", v ? (const char *)v : "NULL");
		}
		buf_adds(out, "\n");
	}
	sqlite3_finalize(st);
}

/* What a refresh writes for each environment, without the times that say when it was fetched:
 * "env_id\n<rows>" per environment, in an array indexed like ids. */
struct snapshot {
	char **ids;
	char **data;
	size_t n;
};

static void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->ids[i]);
		free(s->data[i]);
	}
	free(s->ids);
	free(s->data);
	memset(s, 0, sizeof *s);
}

/* Reads the snapshot of a cache file (absent: no environments), checking its integrity first. */
static void snapshot_take(const char *path, struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	if (access(path, F_OK) != 0)
		return;
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok", "integrity_check of %s", path);
	sqlite3_finalize(st);
	int tables = 0;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'environments'", -1, &st,
					NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!tables) { /* killed before the schema was committed: an empty cache */
		sqlite3_close(db);
		return;
	}
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT id FROM environments ORDER BY id", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		s->ids = xrealloc(s->ids, (s->n + 1) * sizeof *s->ids);
		s->data = xrealloc(s->data, (s->n + 1) * sizeof *s->data);
		s->ids[s->n] = xstrdup((const char *)sqlite3_column_text(st, 0));
		struct buf b;
		buf_init(&b);
		const char *id = s->ids[s->n];
		dump(db, "SELECT unique_name, friendly_name, url, state, organization_id, sync_enabled, inactivity_days, "
			 "org_etag, last_error FROM environments WHERE id = ?1", id, &b);
		dump(db, "SELECT activity_id, teams_chat_id, subject, statecode, statuscode, syncstatus, lastsyncerror, "
			 "modifiedinteamson, linkedon, unlinkedon, regarding_id, createdon, modifiedon FROM chats "
			 "WHERE env_id = ?1 ORDER BY activity_id", id, &b);
		dump(db, "SELECT p.activity_id, p.seq, p.party_id, p.name, p.deleted FROM participants p JOIN chats c "
			 "ON c.activity_id = p.activity_id WHERE c.env_id = ?1 ORDER BY p.activity_id, p.seq", id, &b);
		dump(db, "SELECT id, teams_chat_id, regarding_id, record_state, statecode, modified_on FROM associations "
			 "WHERE env_id = ?1 ORDER BY id", id, &b);
		dump(db, "SELECT id, regarding_id, errorcode, message, time FROM sync_errors WHERE env_id = ?1 ORDER BY id",
		     id, &b);
		s->data[s->n++] = buf_steal(&b);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static const char *snapshot_get(const struct snapshot *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return s->data[i];
	return NULL;
}

/* Every environment of got is as in old or as in new; one old has is still there. */
static void assert_old_or_new(const struct snapshot *got, const struct snapshot *old, const struct snapshot *new_,
			      int kill)
{
	for (size_t i = 0; i < got->n; i++) {
		const char *o = snapshot_get(old, got->ids[i]), *n = snapshot_get(new_, got->ids[i]);
		bool is_old = o && strcmp(o, got->data[i]) == 0, is_new = n && strcmp(n, got->data[i]) == 0;
		cr_assert(is_old || is_new, "kill %d: environment %s holds a mix of old and new data:\n%.600s", kill,
			  got->ids[i], got->data[i]);
	}
	for (size_t i = 0; i < old->n; i++)
		cr_assert_not_null(snapshot_get(got, old->ids[i]), "kill %d: environment %s was lost", kill, old->ids[i]);
}

/* n kill points spread over a run of total requests: 1, ..., total (and again from the start when
 * there are fewer requests than points, with a growing delay after the request). */
static void kill_point(int i, int n, size_t total, size_t *after, long *delay_us)
{
	if (total >= (size_t)n) {
		*after = 1 + (size_t)i * (total - 1) / (size_t)(n - 1);
		*delay_us = 0;
	} else {
		*after = 1 + (size_t)i % total;
		*delay_us = 300L * (i / (long)total);
	}
}

/* Kills a refresh from base (a cache file, or NULL for none) n times; old and new are what the cache
 * holds before and after a whole run. Returns the kills that landed (the others ran to the end). */
static int kill_refreshes(struct e2e *e, const char *base, const struct snapshot *old, const struct snapshot *new_,
			  size_t total, int n, int first)
{
	static const char *const refresh[] = { "refresh", NULL };
	int landed = 0;
	for (int i = 0; i < n; i++) {
		size_t after, requests;
		long delay;
		int status;
		kill_point(i, n, total, &after, &delay);
		cache_remove(e->cache);
		if (base)
			cache_copy(base, e->cache);
		int killed = run_and_kill(e, refresh, after, delay, &status, &requests);
		if (!killed)
			cr_assert_eq(status, 0, "kill %d: the refresh ended with %d without being killed", first + i, status);
		landed += killed;
		struct snapshot got;
		snapshot_take(e->cache, &got);
		assert_old_or_new(&got, old, new_, first + i);
		snapshot_free(&got);
	}
	return landed;
}

Test(kill, refresh_leaves_each_environment_old_or_new, .timeout = 240)
{
	struct e2e e;
	e2e_start(&e, sandbox_args);
	char *base = xasprintf("%s/base.db", e.sb.dir), *after_first = xasprintf("%s/after-first.db", e.sb.dir);
	static const char *const refresh[] = { "refresh", NULL };
	int status;
	size_t total1, total2;

	/* A whole first refresh: what "new" is when the cache starts empty, and how many requests it takes. */
	struct snapshot empty = { 0 }, full, changed;
	cache_remove(e.cache);
	cr_assert_eq(run_and_kill(&e, refresh, 0, 0, &status, &total1), 0);
	cr_assert_eq(status, 0);
	snapshot_take(e.cache, &full);
	cr_assert_eq(full.n, 3, "the first refresh wrote %zu environments", full.n);
	cache_copy(e.cache, after_first);
	int landed = kill_refreshes(&e, NULL, &empty, &full, total1, REFRESH_KILLS / 2, 0);

	/* The tenant changes; a delta refresh from the first run's cache: old is that cache. */
	e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.3}");
	cache_copy(after_first, base);
	cache_copy(base, e.cache);
	cr_assert_eq(run_and_kill(&e, refresh, 0, 0, &status, &total2), 0);
	cr_assert_eq(status, 0);
	snapshot_take(e.cache, &changed);
	bool differs = false;
	for (size_t i = 0; i < full.n; i++)
		differs |= strcmp(full.data[i], snapshot_get(&changed, full.ids[i]) ?: "") != 0;
	cr_assert(differs, "the tenant's changes did not reach the cache: the delta kills would prove nothing");
	landed += kill_refreshes(&e, base, &full, &changed, total2, REFRESH_KILLS - REFRESH_KILLS / 2,
				 REFRESH_KILLS / 2);

	printf("kill test: refresh: %d kills survived of %d tried, each cache whole and each environment old or new "
	       "(%d runs ended before their kill point; a first refresh takes %zu requests, the delta %zu)\n",
	       landed, landed, REFRESH_KILLS - landed, total1, total2);
	cr_assert_geq(landed, REFRESH_KILLS * 8 / 10, "only %d of %d kills landed before the refresh ended", landed,
		      REFRESH_KILLS);
	snapshot_free(&full);
	snapshot_free(&changed);
	free(base);
	free(after_first);
	e2e_stop(&e);
}

/* sync_enabled of an environment in /_sandbox/truth: 1, 0, or -1 when absent. */
static int truth_sync(struct e2e *e, const char *env)
{
	cJSON *t = e2e_truth(e);
	int v = -1;
	const cJSON *en;
	cJSON_ArrayForEach(en, cJSON_GetObjectItem(t, "environments"))
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(en, "unique_name")) ?: "", env) == 0)
			v = cJSON_IsTrue(cJSON_GetObjectItem(en, "sync_enabled"));
	cJSON_Delete(t);
	return v;
}

/* Audit rows of the cache for env that turn the setting on: all of them, and those whose result is "ok". */
static void audit_rows(const char *cache, const char *env, int *rows, int *ok)
{
	*rows = *ok = 0;
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(cache, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT result FROM audit WHERE environment = ?1 AND new_value = 'on'", -1,
					&st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		(*rows)++;
		*ok += strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(kill, toggle_leaves_the_setting_and_the_audit_in_agreement, .timeout = 240)
{
	struct e2e e;
	e2e_start(&e, sandbox_args);
	static const char *const refresh[] = { "refresh", NULL };
	static const char *const toggle[] = { "sync", "contoso-sales", "on", "--yes", NULL };
	int status;
	size_t total;
	cr_assert_eq(run_and_kill(&e, refresh, 0, 0, &status, &total), 0);
	cr_assert_eq(status, 0);
	char *base = xasprintf("%s/base.db", e.sb.dir);
	cache_copy(e.cache, base);

	/* One whole toggle: how many requests it makes, and which of them is the PATCH. */
	e2e_control(&e, "POST", "org", "{\"env\":\"contoso-sales\",\"teamschatdatasync\":false}");
	size_t before = e2e_log_lines(&e);
	cr_assert_eq(run_and_kill(&e, toggle, 0, 0, &status, &total), 0);
	cr_assert_eq(status, 0, "a whole toggle failed");
	cr_assert_eq(truth_sync(&e, "contoso-sales"), 1);
	size_t patch_at = 0;
	for (size_t k = 1; k <= total && !patch_at; k++)
		if (e2e_log_count(&e, before + k - 1, "\"method\":\"PATCH\"", NULL) == 1 &&
		    e2e_log_count(&e, before + k, "\"method\":\"PATCH\"", NULL) == 0)
			patch_at = k;
	cr_assert_gt(patch_at, 1, "no PATCH in the toggle's %zu requests", total);

	/* Kills after each request, and just after the last one (the PATCH) with growing delays, where
	 * the setting has changed and the audit is being written. */
	static const long after_patch_us[] = { 0, 50, 100, 200, 400, 700, 1000, 1500, 2000, 3000, 5000, 8000, 12000 };
	int tried = 0, landed = 0, unaudited = 0, after_patch = 0, before_patch = 0;
	size_t n_points = patch_at - 1 + sizeof after_patch_us / sizeof *after_patch_us;
	for (size_t i = 0; i < n_points; i++) {
		size_t after = i < patch_at - 1 ? i + 1 : patch_at;
		long delay = i < patch_at - 1 ? 0 : after_patch_us[i - (patch_at - 1)];
		e2e_control(&e, "POST", "org", "{\"env\":\"contoso-sales\",\"teamschatdatasync\":false}");
		cache_copy(base, e.cache);
		int rows0, ok0, rows, ok;
		audit_rows(e.cache, "contoso-sales", &rows0, &ok0);
		size_t requests;
		int killed = run_and_kill(&e, toggle, after, delay, &status, &requests);
		tried++;
		landed += killed;
		after_patch += killed && after == patch_at;
		struct snapshot whole;
		snapshot_take(e.cache, &whole); /* integrity_check */
		snapshot_free(&whole);
		int on = truth_sync(&e, "contoso-sales");
		audit_rows(e.cache, "contoso-sales", &rows, &ok);
		if (on != 1)
			cr_assert_eq(ok, ok0, "kill after request %zu (+%ld us): an audit row says ok for a change that did "
					      "not happen", after, delay);
		else
			cr_assert_leq(ok, ok0 + 1, "one toggle, two ok rows");
		if (!killed)
			cr_assert(on == 1 && ok == ok0 + 1, "a toggle that ran to its end did not write, or did not say ok");
		/* Killed before the PATCH reached the sandbox (its log holds fewer requests than the PATCH's
		 * number; the kill waits for a log line, so on a loaded machine it can land a request or two
		 * later than aimed): the setting must not have changed. */
		if (killed && requests < patch_at) {
			before_patch++;
			cr_assert_neq(on, 1, "kill after request %zu (%zu reached the sandbox): the setting changed before "
					     "the PATCH", after, requests);
		}
		if (on == 1 && rows == rows0) {
			unaudited++;
			printf("kill test: toggle: killed %ld us after the PATCH was answered, the setting changed and no audit "
			       "row says so\n", delay);
		}
	}
	printf("kill test: toggle: %d kills tried (%d landed, %d before the PATCH was sent, %d after it), %d left "
	       "the setting and the audit in agreement; a toggle takes %zu requests, the PATCH is request %zu\n", tried,
	       landed, before_patch, after_patch, tried - unaudited, total, patch_at);
	cr_assert_geq(landed, (int)patch_at - 1);
	cr_assert_geq(before_patch, 1, "no kill landed before the PATCH was sent");
	/* The toggle writes its audit row before the PATCH (cache_audit_begin) and finishes it after, so
	 * no kill can leave a changed setting without one. */
	cr_assert_eq(unaudited, 0, "%d of %d kills after the PATCH left a changed setting without an audit row",
		     unaudited, after_patch);
	free(base);
	e2e_stop(&e);
}
