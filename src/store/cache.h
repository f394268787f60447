/* The local cache: one SQLite file per profile ($XDG_CACHE_HOME/chatsync/<profile>.db), in WAL mode,
 * the only place in chatsync that speaks SQL. Every reader opens its own connection (the console reads
 * while a refresh writes). Strings returned in model structs are owned by the caller. */
#ifndef CHATSYNC_CACHE_H
#define CHATSYNC_CACHE_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "core/model.h"
#include "core/diagnose.h"

struct cache;

#define CACHE_SCHEMA_VERSION 10
#define CACHE_APPLICATION_ID 0x43535943 /* "CSYC": marks a file as a chatsync cache */

enum cache_open_flags {
	CACHE_OPEN_READONLY = 1, /* never create or migrate */
};

/* Opens (creating when absent) and migrates forward. A file that is not a chatsync cache, is corrupt,
 * or was written by a newer chatsync is refused with exit code 4 and left untouched. */
struct cache *cache_open(const char *path, int flags, struct cs_error *err);
void cache_close(struct cache *c);
/* $XDG_CACHE_HOME/chatsync/<profile>.db; caller owns. */
char *cache_default_path(const char *profile);
int cache_schema_version(struct cache *c);

/* Transactions: a refresh writes each page of rows inside one, and commits an environment in one. */
int cache_begin(struct cache *c, struct cs_error *err);
int cache_commit(struct cache *c, struct cs_error *err);
void cache_rollback(struct cache *c);

/* The refresh lock: one refresh at a time per cache file, across processes and connections. A lock
 * file beside the cache (<cache>.lock, 0600) is held with flock(2), so the kernel releases it when
 * the holder exits or is killed (SIGKILL included), and it records who holds it (pid, since when).
 * Readers never take it and never wait: they read the last committed data (WAL).
 * Takes the lock, waiting at most wait_s seconds (0: not at all) while another refresh holds it, and
 * stopping early when *cancel (may be NULL) becomes non-zero. -1 with err (exit 4) naming the holder:
 * "cache F is being refreshed by another chatsync (pid N, since T) (...)". Released by
 * cache_unlock_refresh or cache_close.
 * Taking it also starts the check of the whole file (PRAGMA quick_check) on a read-only connection
 * of its own, in a thread, so that the refresh's first requests need not wait for it; the first
 * write must: cache_check_wait gives the verdict (waiting while the check runs): 0 when the file is
 * sound or c holds no lock, else -1 with err (exit 4) "cache F is damaged: ... (move it aside; the
 * next refresh rebuilds it)", and the same at every call until the lock is released. cache_begin
 * waits for it and fails alike, so no transaction is written to a damaged cache. Releasing the lock
 * (cache_unlock_refresh, cache_close) stops a check still running and joins its thread. The thread
 * touches only its own connection: c stays the caller's. */
#define CACHE_LOCK_WAIT_S 10
int cache_lock_refresh(struct cache *c, int wait_s, volatile sig_atomic_t *cancel, struct cs_error *err);
int cache_check_wait(struct cache *c, struct cs_error *err);
void cache_unlock_refresh(struct cache *c);
/* While a refresh writes (both its phases): the WAL is checkpointed once it holds pages pages
 * (CACHE_WAL_MARK_REFRESH, 64 MB) instead of SQLite's 1000; 0 gives SQLite's mark back. */
#define CACHE_WAL_MARK_DEFAULT 1000
#define CACHE_WAL_MARK_REFRESH 16384
void cache_set_wal_mark(struct cache *c, int pages);

/* --- environments --- */
int cache_put_env(struct cache *c, const struct cs_env *env, struct cs_error *err);
/* Records a refresh failure on an environment without touching its data. */
int cache_set_env_error(struct cache *c, const char *env_id, const char *error, struct cs_error *err);
int cache_set_env_sync(struct cache *c, const char *env_id, bool enabled, const char *etag, cs_time at,
		       struct cs_error *err);
/* All environments ordered by unique name. *out is owned by the caller (cs_env_free each, then free). */
int cache_list_envs(struct cache *c, struct cs_env **out, size_t *n, struct cs_error *err);
/* Finds an environment by unique name, friendly name (case-insensitive) or id. 0 found, -1 error
 * (not found or ambiguous: exit 2 with the candidates). */
int cache_find_env(struct cache *c, const char *key, struct cs_env *out, struct cs_error *err);
int cache_env_chat_count(struct cache *c, const char *env_id);
/* Delta links for change tracking, by table ("chats", "msdyn_teamschatassociations"). */
char *cache_get_delta(struct cache *c, const char *env_id, const char *table);
int cache_set_delta(struct cache *c, const char *env_id, const char *table, const char *link,
		    struct cs_error *err);

/* --- chats, participants, associations, sync errors --- */
/* Each of these rows is written with a generation; an environment shows the rows of its generation of
 * each kind (chats with their participants, associations, sync errors) and no other. Writes without a
 * generation go to the one the environment shows (CACHE_GEN_VISIBLE). */
enum cache_rows { CACHE_ROWS_CHATS, CACHE_ROWS_ASSOCIATIONS, CACHE_ROWS_SYNC_ERRORS };
#define CACHE_GEN_VISIBLE 0
/* The chat at its environment's visible generation, with its participants (rewritten only when they
 * differ from the cached ones). */
int cache_put_chat(struct cache *c, const struct cs_chat *chat, struct cs_error *err);
int cache_delete_chat(struct cache *c, const char *activity_id, struct cs_error *err); /* every generation */
/* Removes every chat/association/sync error of an environment, of every generation. */
int cache_clear_env_rows(struct cache *c, const char *env_id, struct cs_error *err);
/* The same for one kind of row. */
int cache_clear_env_table(struct cache *c, const char *env_id, enum cache_rows which, struct cs_error *err);
/* When each chat's Graph details were last fetched, for the refresh's TTL: fn per row. */
int cache_each_graph_fetch(struct cache *c, void (*fn)(const char *teams_chat_id, cs_time fetched_at, void *user),
			   void *user, struct cs_error *err);
int cache_put_assoc(struct cache *c, const struct cs_assoc *a, struct cs_error *err);
int cache_delete_assoc(struct cache *c, const char *id, struct cs_error *err);
int cache_put_sync_error(struct cache *c, const char *env_id, const char *regarding_id,
			 const struct cs_sync_error *e, cs_time fetched_at, struct cs_error *err);

/* A refresh's writes: rows of a new generation (cache_gen_next: greater than every one before), unseen
 * until cache_gen_commit makes them an environment's; rows of any other generation than the one shown
 * are purged by cache_gen_purge. The chat row alone (its participants are cache_put_party's, seq their
 * order), the association and the sync error with their generation. Upserts: a row written twice in
 * one generation is the last one written. */
int cache_gen_next(struct cache *c, long long *gen, struct cs_error *err);
int cache_put_chat_row(struct cache *c, const struct cs_chat *chat, long long gen, struct cs_error *err);
int cache_put_party(struct cache *c, const char *env_id, const char *activity_id, int seq, const struct cs_party *p,
		    long long gen, struct cs_error *err);
/* A delta read's chats and participants are staged instead: unseen until the commit writes them into
 * the rows shown, where they changed (a DELTA commit of chats applies its generation's stage). */
int cache_stage_chat_row(struct cache *c, const struct cs_chat *chat, long long gen, struct cs_error *err);
int cache_stage_party(struct cache *c, const char *env_id, const char *activity_id, int seq, const struct cs_party *p,
		      long long gen, struct cs_error *err);
int cache_put_assoc_gen(struct cache *c, const struct cs_assoc *a, long long gen, struct cs_error *err);
int cache_put_sync_error_gen(struct cache *c, const char *env_id, const char *regarding_id,
			     const struct cs_sync_error *e, cs_time fetched_at, long long gen, struct cs_error *err);
/* How one kind of row of an environment's read becomes what it shows: KEEP the rows it showed (the
 * read failed or did not happen), FULL the generation's rows are all there is, DELTA they (the chats'
 * and participants' staged) replace the shown rows with the same id, and the deleted ids go. */
enum cache_gen_mode { CACHE_GEN_KEEP, CACHE_GEN_FULL, CACHE_GEN_DELTA };
struct cache_gen_commit {
	long long gen;
	enum cache_gen_mode chats, assocs, errors;  /* participants go with their chats */
	char *const *deleted_chats;                 /* activity ids a DELTA read of chats listed as deleted */
	size_t n_deleted_chats;
	char *const *deleted_assocs;
	size_t n_deleted_assocs;
};
/* Writes env (as cache_put_env) and makes its rows of g->gen what it shows, in the caller's
 * transaction: a reader sees the environment before or after, never between. */
int cache_gen_commit(struct cache *c, const struct cs_env *env, const struct cache_gen_commit *g, struct cs_error *err);
/* Drops one kind of an environment's rows of generation gen (a read started again from nothing). */
int cache_gen_discard(struct cache *c, const char *env_id, enum cache_rows which, long long gen, struct cs_error *err);
/* Deletes the environment's rows no reader sees: pending (a refresh failed, was interrupted or killed)
 * or superseded (a full read committed); an environment the cache does not hold has none it shows.
 * At most max rows of each kind (0: all); *more when some may be left. */
int cache_gen_purge(struct cache *c, const char *env_id, size_t max, bool *more, struct cs_error *err);
/* How many of the environment's rows are kept but not shown (0 after a purge); -1 on error. */
long long cache_rows_unseen(struct cache *c, const char *env_id);

/* A connected chat as listed: the activity row if there is one, else the association (state
 * NOT_RECORDED). Filter: env_id NULL for all; state_filter "open", "inactive" or NULL for all. */
struct cache_chat_filter {
	const char *env_id;
	const char *state; /* "open", "inactive", NULL */
};
/* Calls fn for each chat, ordered by environment then modifiedinteamson (oldest first). The chat is
 * borrowed for the duration of the call. fn returns non-zero to stop. */
int cache_each_chat(struct cache *c, const struct cache_chat_filter *f,
		    int (*fn)(const struct cs_chat *chat, const struct cs_env *env, void *user), void *user,
		    struct cs_error *err);
/* The same chats in no order, each with only env_id, activity_id, teams_chat_id, state and
 * modified_in_teams_on (no participants): what a refresh plans its Graph reads from, in one
 * unsorted pass (0.3 s -> a fraction at 50,000 chats). */
int cache_each_chat_brief(struct cache *c, int (*fn)(const struct cs_chat *chat, const struct cs_env *env, void *user),
			  void *user, struct cs_error *err);

/* Everything the diagnosis needs about one chat, all owned by the struct (cache_facts_free). */
struct cache_facts {
	struct cs_env env;
	bool has_chat;
	struct cs_chat chat;
	bool has_assoc;
	struct cs_assoc assoc;
	struct cs_sync_error *errors;
	size_t n_errors;
	bool has_graph;
	struct cs_graph_chat graph;
	bool has_rsc;
	struct cs_rsc rsc;
	struct diag_since since;   /* from the history; filled by cache_load_facts (one chat) */
};
/* key: Teams chat id, activity id, or a unique prefix of either. Not found / ambiguous: exit 2. */
int cache_load_facts(struct cache *c, const char *key, struct cache_facts *out, struct cs_error *err);
void cache_facts_free(struct cache_facts *f);

/* The facts of every chat of a filter, in cache_each_chat's order, read in one pass with a handful of
 * queries however many chats there are (never one per chat). The facts are borrowed until the next
 * call; fn returns non-zero to stop. A cursor does the same a row at a time (the console diagnoses a
 * slice per tick): cache_facts_next gives 1 and a row, 0 at the end, or -1 with err. */
int cache_facts_each(struct cache *c, const struct cache_chat_filter *f,
		     int (*fn)(const struct cache_facts *facts, void *user), void *user, struct cs_error *err);
struct cache_facts_cursor;
struct cache_facts_cursor *cache_facts_open(struct cache *c, const struct cache_chat_filter *f, struct cs_error *err);
int cache_facts_next(struct cache_facts_cursor *cur, const struct cache_facts **out, struct cs_error *err);
/* The same facts of every chat in no particular order (the fastest pass), and only part `part` of
 * `parts` (0 <= part < parts) of them, so several connections can share the work: every chat falls in
 * exactly one part. Read with cache_facts_next. */
struct cache_facts_cursor *cache_facts_open_part(struct cache *c, unsigned part, unsigned parts, struct cs_error *err);
void cache_facts_close(struct cache_facts_cursor *cur);
/* The chat as the chat list shows it: the activity row, else the association with Graph's topic and last
 * update (state NOT_RECORDED). Borrows from f. */
void cache_facts_chat(const struct cache_facts *f, struct cs_chat *out);
/* What names the chat to cache_load_facts: the activity id, else the Teams chat id. Borrowed. */
const char *cache_facts_key(const struct cache_facts *f);
/* The one mapping from cached facts to a diagnosis (diagnose, check, chats and the console use it).
 * now 0: the current time; warn_hours <= 0: the default look-ahead. out as for diag_run. */
struct diag_result;
void cache_facts_diagnose(const struct cache_facts *f, cs_time now, int warn_hours, struct diag_result *out);

/* The number of connected chats of each environment, as cache_each_chat lists them: counts[i] for
 * envs[i] (as cache_list_envs gives them). Each environment's commit (cache_gen_commit) keeps its
 * number; an environment whose rows were written otherwise (cache_put_chat, cache_put_assoc, the
 * deletes) has none kept until its next commit, and is counted here from the indexes. */
int cache_env_chat_counts(struct cache *c, const struct cs_env *envs, size_t n_envs, size_t *counts,
			  struct cs_error *err);
/* Counts the chats env_id lists (NULL: every environment) and keeps the number, as a commit does: for
 * a cache filled through the calls that write what an environment shows, as a test's or a bench's. */
int cache_env_keep_count(struct cache *c, const char *env_id, struct cs_error *err);
/* A read snapshot: every read between them sees the cache as it was at cache_read_begin, whatever a
 * refresh commits meanwhile; it takes no lock a writer waits for. */
int cache_read_begin(struct cache *c, struct cs_error *err);
void cache_read_end(struct cache *c);
/* A number that changes whenever another connection (of any process) commits (PRAGMA data_version):
 * two equal readings on a connection outside a transaction bracket no commit. -1 on error. */
long long cache_data_version(struct cache *c);

/* --- Graph details and tenant RSC state --- */
int cache_put_graph_chat(struct cache *c, const struct cs_graph_chat *g, struct cs_error *err);
int cache_get_graph_chat(struct cache *c, const char *teams_chat_id, struct cs_graph_chat *out);  /* 1 found, 0 not */
int cache_put_rsc(struct cache *c, const struct cs_rsc *rsc, struct cs_error *err);
int cache_get_rsc(struct cache *c, struct cs_rsc *out); /* 1 found, 0 never fetched */
/* The Dataverse Chat Sync app's client id (teamsAppDefinition.authorization.clientAppId) as a chat's
 * installed apps last showed it, or NULL when no chat has shown it (caller frees). */
char *cache_chat_sync_client_id(struct cache *c);

/* --- refresh runs --- */
struct cache_run {
	cs_time started_at, finished_at;
	const char *result;   /* "ok", "partial", "failed", "cancelled" */
	long requests, throttled, errors;
	const char *message;
};
int cache_add_run(struct cache *c, const struct cache_run *run, struct cs_error *err);

/* --- audit trail of writes --- */
struct cache_audit {
	cs_time time;
	char *profile, *identity, *environment, *old_value, *new_value, *request_id, *result;
};
int cache_audit_append(struct cache *c, const struct cache_audit *a, struct cs_error *err);
/* The write-ahead form, for a write whose outcome a kill could lose: cache_audit_begin records the
 * row before the request is sent (result "pending: sent, no answer yet" unless a->result is set) and
 * gives its id; cache_audit_finish sets the result (and the request id, when known) once the answer
 * is in. A kill in between leaves the row saying pending, never nothing. */
int cache_audit_begin(struct cache *c, const struct cache_audit *a, long long *id, struct cs_error *err);
int cache_audit_finish(struct cache *c, long long id, const char *result, const char *request_id,
		       struct cs_error *err);
int cache_audit_list(struct cache *c, struct cache_audit **out, size_t *n, struct cs_error *err); /* oldest first */
void cache_audit_free(struct cache_audit *a);

#endif
