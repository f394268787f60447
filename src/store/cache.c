#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "store/schema.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The directory a cache file lives in; caller owns. */
static char *cache_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Why a write could not happen, from what the system said (SQLite's own words, "disk I/O error" or
 * "attempt to write a readonly database", name neither the cause nor the file to fix). */
static int fail_write(struct cache *c, struct cs_error *err, int sys_errno, const char *why)
{
	char *dir = cache_dir_of(c->path);
	int rc;
	if (sys_errno == ENOSPC || sys_errno == EDQUOT)
		rc = cs_fail(err, CS_EXIT_CACHE,
			     _("cache %s: the disk is full (free some space in %s; the cache keeps its last good "
			       "data)"),
			     c->path, dir);
	else if (sys_errno == EROFS || (access(dir, W_OK) != 0 && errno == EROFS))
		rc = cs_fail(err, CS_EXIT_CACHE,
			     _("cannot write cache %s: its directory %s is on a read-only file system (point --cache "
			       "at a writable place)"),
			     c->path, dir);
	else if (access(dir, W_OK) != 0)
		rc = cs_fail(err, CS_EXIT_CACHE,
			     _("cannot write cache %s: its directory %s is not writable, and SQLite keeps its -wal and "
			       "-shm files beside the cache (make the directory writable, or point --cache elsewhere)"),
			     c->path, dir);
	else if (access(c->path, F_OK) == 0 && access(c->path, W_OK) != 0)
		rc = cs_fail(err, CS_EXIT_CACHE, _("cannot write cache %s: the file is read-only (run: chmod u+w %s)"),
			     c->path, c->path);
	else
		rc = cs_fail(err, CS_EXIT_CACHE, _("cannot write cache %s: %s (check the permissions of it and of %s)"),
			     c->path, sys_errno ? strerror(sys_errno) : why, dir);
	free(dir);
	return rc;
}

int store_fail(struct cache *c, struct cs_error *err, const char *what)
{
	int code = sqlite3_errcode(c->db);
	int sys_errno = sqlite3_system_errno(c->db);
	const char *why = sqlite3_errmsg(c->db);
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("cache %s is damaged: %s (move it aside; the next refresh rebuilds it)"), c->path, why);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("cache %s is busy: %s (another chatsync is writing; try again)"), c->path, why);
	if (code == SQLITE_FULL || sys_errno == ENOSPC || sys_errno == EDQUOT)
		return fail_write(c, err, ENOSPC, why);
	if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM)
		return fail_write(c, err, sys_errno, why);
	if (code == SQLITE_IOERR)
		return cs_fail(err, CS_EXIT_CACHE, _("cache %s: %s failed: %s (%s)"), c->path, what, why,
			       sys_errno ? strerror(sys_errno) : _("check the disk"));
	return cs_fail(err, CS_EXIT_CACHE, _("cache %s: %s failed: %s"), c->path, what, why);
}

sqlite3_stmt *store_prepare(struct cache *c, const char *sql, struct cs_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(c, err, "query");
		log_debug("sqlite prepare failed: %s: %s", sqlite3_errmsg(c->db), sql);
		return NULL;
	}
	return st;
}

sqlite3_stmt *store_cached(struct cache *c, enum store_stmt slot, const char *sql, struct cs_error *err)
{
	sqlite3_stmt *st = c->stmt[slot];
	if (st) {
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_fail(c, err, "query");
		log_debug("sqlite prepare failed: %s: %s", sqlite3_errmsg(c->db), sql);
		return NULL;
	}
	return c->stmt[slot] = st;
}

/* One step of a write; then the statement is reset for its next row (kept) or finalized. */
static int step_write(struct cache *c, sqlite3_stmt *st, bool keep, struct cs_error *err)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_fail(c, err, "write");
	if (keep)
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
	return ret;
}

int store_step(struct cache *c, sqlite3_stmt *st, struct cs_error *err)
{
	return step_write(c, st, true, err);
}

int store_step_borrowed(struct cache *c, sqlite3_stmt *st, struct cs_error *err)
{
	int rc = step_write(c, st, true, err);
	if (st)
		sqlite3_clear_bindings(st); /* SQLite holds no pointer into the caller's strings past the step */
	return rc;
}

int store_run(struct cache *c, sqlite3_stmt *st, struct cs_error *err)
{
	return step_write(c, st, false, err);
}

int store_exec(struct cache *c, const char *sql, struct cs_error *err)
{
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(c, err, "statement");
	return 0;
}

void store_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

void store_bind_borrowed(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

void store_bind_time(sqlite3_stmt *st, int idx, cs_time t)
{
	if (t)
		sqlite3_bind_int64(st, idx, t);
	else
		sqlite3_bind_null(st, idx);
}

void store_bind_int(sqlite3_stmt *st, int idx, int v, int null_value)
{
	if (v == null_value)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int(st, idx, v);
}

char *store_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? xstrdup((const char *)s) : NULL;
}

cs_time store_col_time(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

int store_col_int(sqlite3_stmt *st, int col, int null_value)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? null_value : sqlite3_column_int(st, col);
}

char *cache_default_path(const char *profile)
{
	char *dir = path_cache_dir();
	char *p = xasprintf("%s/%s.db", dir, profile ? profile : "default");
	free(dir);
	return p;
}

/* Looks at the first bytes before SQLite touches the file: a file that is not an SQLite database
 * must be refused untouched (opening it in WAL mode would write to it). */
static int check_header(const char *path, struct cs_error *err, bool *exists)
{
	*exists = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block the open */
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR) {
			char *dir = cache_dir_of(path);
			while (strlen(dir) > 1) { /* the deepest part of the path that exists is a file */
				struct stat st;
				if (stat(dir, &st) == 0)
					break;
				char *up = cache_dir_of(dir);
				free(dir);
				dir = up;
			}
			cs_fail(err, CS_EXIT_CACHE, _("cannot open cache %s: %s is a file, not a directory (point --cache "
						      "elsewhere)"),
				path, dir);
			free(dir);
			return -1;
		}
		return cs_fail(err, CS_EXIT_CACHE, _("cannot open cache %s: %s (check its permissions)"), path,
			       strerror(errno));
	}
	struct stat st;
	char head[16];
	ssize_t n = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cs_fail(err, CS_EXIT_CACHE,
			       _("%s is not a chatsync cache: it is %s, not a file (give --cache the path of a file)"),
			       path, S_ISDIR(st.st_mode) ? _("a directory") : _("a device, FIFO or socket"));
	}
	if (st.st_size > 0)
		n = read(fd, head, sizeof head);
	close(fd);
	if (st.st_size == 0)
		return 0; /* an empty file is a new database to SQLite too */
	*exists = true;
	if (n != (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("%s is not a chatsync cache (it is not an SQLite database; point --cache elsewhere "
				 "or move the file aside)"),
			       path);
	return 0;
}

static int pragma_int(struct cache *c, const char *sql, int *out, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, sql, err);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int r = store_fail(c, err, "read");
		sqlite3_finalize(st);
		return r;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int migrate(struct cache *c, int from, struct cs_error *err)
{
	for (int v = from; v < schema_latest(); v++) {
		if (store_exec(c, "BEGIN IMMEDIATE", err))
			return -1;
		char *bump = xasprintf("PRAGMA user_version = %d; PRAGMA application_id = %d;", v + 1,
				       CACHE_APPLICATION_ID);
		int rc = store_exec(c, schema_migration(v), err);
		if (!rc)
			rc = store_exec(c, bump, err);
		free(bump);
		if (rc || store_exec(c, "COMMIT", err)) {
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("cache %s migrated to schema %d", c->path, v + 1);
	}
	return 0;
}

/* Decides whether an existing database is ours, and migrates it. */
static int adopt(struct cache *c, bool existed, bool readonly, struct cs_error *err)
{
	int version, app_id, tables;
	if (pragma_int(c, "PRAGMA user_version", &version, err) ||
	    pragma_int(c, "PRAGMA application_id", &app_id, err) ||
	    pragma_int(c, "SELECT count(*) FROM sqlite_master", &tables, err))
		return -1;
	if (existed && tables > 0 && app_id != CACHE_APPLICATION_ID)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("%s is an SQLite database of another program, not a chatsync cache (point --cache "
				 "elsewhere)"),
			       c->path);
	if (version > schema_latest())
		return cs_fail(err, CS_EXIT_CACHE,
			       _("cache %s has schema %d, newer than this chatsync knows (%d) (upgrade chatsync, or "
				 "use another --cache)"),
			       c->path, version, schema_latest());
	/* A schema claimed but not there (an emptied file, or another program's with user_version set):
	 * migrating it would fail on a missing table with SQLite's "no such table". */
	int has_envs = 0;
	if (version > 0 &&
	    pragma_int(c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'environments'",
		       &has_envs, err))
		return -1;
	if (version > 0 && !has_envs)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("%s claims to be a chatsync cache of schema %d but has none of its tables (it was "
				 "emptied, or another program wrote it; move it aside and the next refresh rebuilds it)"),
			       c->path, version);
	if (version == schema_latest())
		return 0;
	if (readonly)
		return cs_fail(err, CS_EXIT_CACHE, _("cache %s needs a schema upgrade (run once without --readonly)"),
			       c->path);
	return migrate(c, version, err);
}

/* SQLite keeps its memory statistics under one process-wide mutex, taken for every allocation: the
 * writer took and released it several times per row. Nothing here reads them (sqlite3_memory_used).
 * Set before SQLite starts; where something opened a database before the first cache (a test), it
 * stays as it was. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

struct cache *cache_open(const char *path, int flags, struct cs_error *err)
{
	bool readonly = flags & CACHE_OPEN_READONLY, existed;
	if (check_header(path, err, &existed))
		return NULL;
	if (!existed && readonly) {
		cs_fail(err, CS_EXIT_CACHE, _("no cache at %s yet (run: chatsync refresh)"), path);
		return NULL;
	}
	if (!existed) {
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');
		int rc = 0;
		if (slash && slash != dir) {
			*slash = '\0';
			rc = path_mkdirs(dir, err);
		}
		free(dir);
		if (rc)
			return NULL;
	}
	pthread_once(&sqlite_once, sqlite_setup);
	struct cache *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->lock_fd = -1;
	int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	mode_t old_mask = umask(077); /* the cache names people and chats: keep it private */
	int rc = sqlite3_open_v2(path, &c->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old_mask);
	if (rc != SQLITE_OK) {
		if (c->db)
			store_fail(c, err, "open");
		else
			cs_fail(err, CS_EXIT_CACHE, _("cannot open cache %s (out of memory)"), path);
		cache_close(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, 5000);
	sqlite3_extended_result_codes(c->db, 0);
	if (adopt(c, existed, readonly, err) ||
	    store_exec(c, readonly ? "PRAGMA foreign_keys = ON"
				   : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
		       err)) {
		cache_close(c);
		return NULL;
	}
	return c;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	if (c->in_tx)
		cache_rollback(c);
	cache_unlock_refresh(c);
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}

int cache_schema_version(struct cache *c)
{
	int v = -1;
	pragma_int(c, "PRAGMA user_version", &v, NULL);
	return v;
}

/* "pid since" of the lock's holder, as it wrote them; 0 when unknown. */
static void lock_holder(int fd, long *pid, cs_time *since)
{
	char text[64];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	*pid = 0;
	*since = 0;
	if (n <= 0)
		return;
	text[n] = '\0';
	long long t = 0;
	if (sscanf(text, "%ld %lld", pid, &t) == 2 && *pid > 0 && t > 0)
		*since = (cs_time)t;
	else
		*pid = 0;
}

static int lock_busy(struct cache *c, int fd, struct cs_error *err)
{
	long pid;
	cs_time since;
	lock_holder(fd, &pid, &since);
	if (!pid)
		return cs_fail(err, CS_EXIT_CACHE,
			       _("cache %s is being refreshed by another chatsync (wait for it to finish, or try again "
				 "later)"),
			       c->path);
	char when[32];
	time_format_iso(since, when, sizeof when);
	return cs_fail(err, CS_EXIT_CACHE,
		       _("cache %s is being refreshed by another chatsync (pid %ld, since %s) (wait for it to finish, "
			 "or try again later)"),
		       c->path, pid, when);
}

/* The whole file checked (on the connection of c): 0 when SQLite finds it sound. */
static int quick_check(struct cache *c, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "PRAGMA quick_check(1)", err);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	const char *verdict = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int ret = 0;
	if (rc != SQLITE_ROW)
		ret = store_fail(c, err, "check");
	else if (!verdict || strcmp(verdict, "ok") != 0)
		ret = cs_fail(err, CS_EXIT_CACHE, _("cache %s is damaged: %s (move it aside; the next refresh rebuilds it)"),
			      c->path, verdict ? verdict : "?");
	sqlite3_finalize(st);
	return ret;
}

/* The check a refresh's lock starts: PRAGMA quick_check reads every page (60-90 ms at 100 MB), so it
 * runs on a read-only connection of its own in a thread while the refresh's first requests are made,
 * and its verdict is waited for before the refresh's first write (cache_check_wait, cache_begin). The
 * connection is only touched by the thread until it is joined, and closed after; sqlite3_interrupt,
 * the one call made to it from outside, is documented safe from another thread while it is open. */
struct store_check {
	struct cache *conn; /* the check's connection; NULL once closed */
	pthread_t thread;
	bool running;       /* the thread is started and not yet joined */
	int rc;             /* the verdict, once joined: 0 sound, -1 with err */
	struct cs_error err;
};

static void *check_thread(void *arg)
{
	struct store_check *k = arg;
	k->rc = quick_check(k->conn, &k->err);
	return NULL;
}

/* A read-only connection to path for the check alone, or NULL (the check then runs on c's). */
static struct cache *check_connection(const char *path)
{
	struct cs_error e;
	struct cache *k = cache_open(path, CACHE_OPEN_READONLY, &e);
	if (!k)
		log_debug("cache %s: no second connection for its check: %s", path, e.msg);
	return k;
}

/* Starts the check of c's file; where no thread or connection can be had it runs here and now. */
static void check_start(struct cache *c)
{
	struct store_check *k = xcalloc(1, sizeof *k);
	c->check = k;
	k->conn = check_connection(c->path);
	if (k->conn && pthread_create(&k->thread, NULL, check_thread, k) == 0) {
		k->running = true;
		return;
	}
	k->rc = quick_check(k->conn ? k->conn : c, &k->err);
	cache_close(k->conn);
	k->conn = NULL;
}

static void check_join(struct store_check *k)
{
	if (!k->running)
		return;
	pthread_join(k->thread, NULL);
	k->running = false;
	cache_close(k->conn);
	k->conn = NULL;
}

int cache_check_wait(struct cache *c, struct cs_error *err)
{
	if (!c->check)
		return 0;
	check_join(c->check);
	if (c->check->rc == 0)
		return 0;
	if (err)
		*err = c->check->err;
	return -1;
}

/* The check's end when the lock goes: stopped if it still runs (its verdict is no longer wanted). */
static void check_end(struct cache *c)
{
	struct store_check *k = c->check;
	if (!k)
		return;
	if (k->running)
		sqlite3_interrupt(k->conn->db);
	check_join(k);
	free(k);
	c->check = NULL;
}

int cache_lock_refresh(struct cache *c, int wait_s, volatile sig_atomic_t *cancel, struct cs_error *err)
{
	if (c->lock_fd >= 0)
		return 0;
	/* Beside the file itself, not beside the name it was opened by: two names of one cache (a
	 * symbolic link) are one refresh at a time, as SQLite, which resolves the link, sees one file. */
	char *real = realpath(c->path, NULL);
	char *path = xasprintf("%s.lock", real ? real : c->path);
	free(real);
	mode_t old_mask = umask(077);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int open_errno = errno;
	umask(old_mask);
	if (fd < 0) {
		cs_fail(err, CS_EXIT_CACHE, _("cannot create the refresh lock %s: %s (check the permissions of its directory)"),
			path, strerror(open_errno));
		free(path);
		return -1;
	}
	free(path);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	bool said = false;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return cs_fail(err, CS_EXIT_CACHE, _("cannot lock cache %s for a refresh: %s"), c->path, strerror(e));
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (waited >= wait_s || (cancel && *cancel)) {
			int rc = lock_busy(c, fd, err);
			close(fd);
			return rc;
		}
		if (!said) {
			long pid;
			cs_time since;
			lock_holder(fd, &pid, &since);
			log_info("cache %s: waiting up to %d s for the refresh of pid %ld to finish", c->path, wait_s, pid);
			said = true;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
	char who[64];
	int n = snprintf(who, sizeof who, "%ld %lld\n", (long)getpid(), (long long)time(NULL));
	if (ftruncate(fd, 0) != 0 || pwrite(fd, who, (size_t)n, 0) != n)
		log_warn("cache %s: could not record this refresh in its lock file: %s", c->path, strerror(errno));
	c->lock_fd = fd;
	/* The refresh's connection writes pages of rows and their indexes: 32 MB of page cache keeps a
	 * page's transaction and the indexes' hot pages in memory (the default 2 MB spills). */
	if (store_exec(c, "PRAGMA cache_size = -32768", err)) {
		cache_unlock_refresh(c);
		return -1;
	}
	check_start(c);
	return 0;
}

void cache_unlock_refresh(struct cache *c)
{
	if (!c || c->lock_fd < 0)
		return;
	check_end(c);
	/* Back to SQLite's default page cache: a connection kept open after its refresh (the console's
	 * worker) gives the pages back. */
	sqlite3_exec(c->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	/* Emptied first, so a reader of the file never names a holder that has gone. */
	if (ftruncate(c->lock_fd, 0) != 0)
		log_debug("cache %s: could not empty its lock file: %s", c->path, strerror(errno));
	flock(c->lock_fd, LOCK_UN);
	close(c->lock_fd);
	c->lock_fd = -1;
}

int cache_begin(struct cache *c, struct cs_error *err)
{
	/* Nothing is written to a file whose check has not passed (the first write waits for it). */
	if (cache_check_wait(c, err))
		return -1;
	if (store_step(c, store_cached(c, STMT_BEGIN, "BEGIN IMMEDIATE", err), err))
		return -1;
	c->in_tx = 1;
	return 0;
}

int cache_commit(struct cache *c, struct cs_error *err)
{
	if (store_step(c, store_cached(c, STMT_COMMIT, "COMMIT", err), err)) {
		cache_rollback(c);
		return -1;
	}
	c->in_tx = 0;
	return 0;
}

void cache_rollback(struct cache *c)
{
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->in_tx = 0;
}

int cache_add_run(struct cache *c, const struct cache_run *r, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"INSERT INTO refresh_runs(started_at, finished_at, result, requests, throttled, errors, message) "
		"VALUES(?,?,?,?,?,?,?)", err);
	if (!st)
		return -1;
	store_bind_time(st, 1, r->started_at);
	store_bind_time(st, 2, r->finished_at);
	store_bind_text(st, 3, r->result);
	sqlite3_bind_int64(st, 4, r->requests);
	sqlite3_bind_int64(st, 5, r->throttled);
	sqlite3_bind_int64(st, 6, r->errors);
	store_bind_text(st, 7, r->message);
	return store_run(c, st, err);
}

int cache_audit_append(struct cache *c, const struct cache_audit *a, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"INSERT INTO audit(time, profile, identity, environment, old_value, new_value, request_id, result) "
		"VALUES(?,?,?,?,?,?,?,?)", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a->time);
	store_bind_text(st, 2, a->profile);
	store_bind_text(st, 3, a->identity);
	store_bind_text(st, 4, a->environment);
	store_bind_text(st, 5, a->old_value);
	store_bind_text(st, 6, a->new_value);
	store_bind_text(st, 7, a->request_id);
	store_bind_text(st, 8, a->result ? a->result : "unknown");
	return store_run(c, st, err);
}

int cache_audit_begin(struct cache *c, const struct cache_audit *a, long long *id, struct cs_error *err)
{
	struct cache_audit pending = *a;
	if (!pending.result)
		pending.result = (char *)"pending: sent, no answer yet";
	if (cache_audit_append(c, &pending, err))
		return -1;
	*id = (long long)sqlite3_last_insert_rowid(c->db);
	return 0;
}

int cache_audit_finish(struct cache *c, long long id, const char *result, const char *request_id,
		       struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "UPDATE audit SET result = ?, request_id = coalesce(?, request_id) WHERE id = ?",
					 err);
	if (!st)
		return -1;
	store_bind_text(st, 1, result ? result : "unknown");
	store_bind_text(st, 2, request_id);
	sqlite3_bind_int64(st, 3, id);
	if (store_run(c, st, err))
		return -1;
	if (sqlite3_changes(c->db) != 1)
		return cs_fail(err, CS_EXIT_CACHE, _("cache %s has no audit row %lld to finish"), c->path, id);
	return 0;
}

int cache_audit_list(struct cache *c, struct cache_audit **out, size_t *n, struct cs_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(c,
		"SELECT time, profile, identity, environment, old_value, new_value, request_id, result "
		"FROM audit ORDER BY time, id", err);
	if (!st)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xgrow(*out, &cap, *n, sizeof **out);
		struct cache_audit *a = &(*out)[(*n)++];
		a->time = sqlite3_column_int64(st, 0);
		a->profile = store_col_text(st, 1);
		a->identity = store_col_text(st, 2);
		a->environment = store_col_text(st, 3);
		a->old_value = store_col_text(st, 4);
		a->new_value = store_col_text(st, 5);
		a->request_id = store_col_text(st, 6);
		a->result = store_col_text(st, 7);
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(c, err, "read audit");
	sqlite3_finalize(st);
	return ret;
}

void cache_audit_free(struct cache_audit *a)
{
	free(a->profile); free(a->identity); free(a->environment); free(a->old_value);
	free(a->new_value); free(a->request_id); free(a->result);
}

/* SQLite checkpoints the WAL inside the commit that takes it past its mark, 1000 pages (4 MB) by
 * default. A refresh's pages of rows touch most leaf pages of the random-key indexes in every
 * transaction, so at that mark each checkpoint copies nearly the same index pages again: the WAL of
 * a cold refresh of 50,000 chats adds up to 368 MB for a 96 MB file. A high mark copies each such
 * page once per 64 MB. */
void cache_set_wal_mark(struct cache *c, int pages)
{
	sqlite3_wal_autocheckpoint(c->db, pages > 0 ? pages : CACHE_WAL_MARK_DEFAULT);
}
