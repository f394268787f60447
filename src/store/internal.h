/* Shared between the store's own files; nothing outside src/store includes this. */
#ifndef CHATSYNC_STORE_INTERNAL_H
#define CHATSYNC_STORE_INTERNAL_H
#include <sqlite3.h>
#include "base/error.h"
#include "core/model.h"

/* The hot statements, prepared once per connection (store_cached) and finalized by cache_close. */
enum store_stmt {
	STMT_GEN_CHATS, STMT_GEN_ASSOCS, STMT_GEN_ERRORS, /* in enum cache_rows order */
	STMT_CHAT_PUT, STMT_CHAT_STAGE, STMT_PARTY_PUT, STMT_PARTY_STAGE, STMT_PARTY_LIST, STMT_PARTY_CLEAR,
	STMT_ASSOC_PUT, STMT_ERROR_PUT,
	STMT_GRAPH_PUT, STMT_BEGIN, STMT_COMMIT, STMT_COUNT_UNKNOWN, STMT_ENV_GENS, STMT_TOUCHED, STMT_TOUCHED_COUNT,
	STMT_COUNT
};

struct store_check;

struct cache {
	sqlite3 *db;
	char *path;
	int in_tx;
	int lock_fd;  /* the refresh lock file while this connection holds it (cache_lock_refresh), else -1 */
	struct store_check *check; /* the check of the file that taking the lock started (cache.c), or NULL */
	sqlite3_stmt *stmt[STMT_COUNT];
};

/* Prepares sql; on failure fills err (exit 4) and returns NULL. */
sqlite3_stmt *store_prepare(struct cache *c, const char *sql, struct cs_error *err);
/* The statement of slot, prepared once (SQLITE_PREPARE_PERSISTENT) with sql and kept; its bindings
 * cleared. Step it with store_step, which resets it. NULL with err when it cannot be prepared. */
sqlite3_stmt *store_cached(struct cache *c, enum store_stmt slot, const char *sql, struct cs_error *err);
/* Steps a cached statement expected to finish, resets it. */
int store_step(struct cache *c, sqlite3_stmt *st, struct cs_error *err);
/* The same for a statement whose text is bound with store_bind_borrowed: also unbinds it. */
int store_step_borrowed(struct cache *c, sqlite3_stmt *st, struct cs_error *err);
/* Steps a statement expected to finish (INSERT/UPDATE/DELETE), finalizes it. */
int store_run(struct cache *c, sqlite3_stmt *st, struct cs_error *err);
int store_exec(struct cache *c, const char *sql, struct cs_error *err);
int store_fail(struct cache *c, struct cs_error *err, const char *what);

void store_bind_text(sqlite3_stmt *st, int idx, const char *s);   /* NULL → SQL NULL */
/* The same without SQLite's copy of s (a free and a malloc per text each row): s is read in place,
 * so it must outlive the step, which is store_step_borrowed's. For the rows a refresh writes. */
void store_bind_borrowed(sqlite3_stmt *st, int idx, const char *s);
void store_bind_time(sqlite3_stmt *st, int idx, cs_time t);       /* 0 → SQL NULL */
void store_bind_int(sqlite3_stmt *st, int idx, int v, int null_value); /* v == null_value → NULL */
char *store_col_text(sqlite3_stmt *st, int col);                  /* caller owns; NULL for NULL */
cs_time store_col_time(sqlite3_stmt *st, int col);
int store_col_int(sqlite3_stmt *st, int col, int null_value);

/* Reads the environment columns in ENV_COLUMNS order starting at col. */
#define STORE_ENV_COLUMNS \
	"e.id, e.unique_name, e.friendly_name, e.url, e.api_url, e.state, e.purpose, e.organization_id, " \
	"e.sync_enabled, e.inactivity_days, e.org_etag, e.org_fetched_at, e.refreshed_at, e.last_error"
void store_read_env(sqlite3_stmt *st, int col, struct cs_env *env);
int store_get_env(struct cache *c, const char *env_id, struct cs_env *out); /* 1 found, 0 not */

/* The columns of a connected chat as listed, in store_read_chat's order: an activity row of `chats ch`
 * (STORE_CHAT_COLUMNS), or an association of `associations a` without one, with Graph's `graph_chats g`
 * for its subject and age (STORE_LISTED_ASSOC_COLUMNS). 20 columns each. */
#define STORE_CHAT_COLUMNS \
	"ch.env_id, ch.activity_id, ch.teams_chat_id, ch.subject, ch.statecode, ch.statuscode," \
	" ch.syncstatus, ch.lastsyncerror, ch.modifiedinteamson, ch.modifiedinteamsby, ch.linkedon, ch.linkedby," \
	" ch.unlinkedon, ch.unlinkedby, ch.regarding_id, ch.regarding_type, ch.createdon, ch.modifiedon," \
	" ch.fetched_at," \
	" (SELECT group_concat(name, char(31)) FROM (SELECT name FROM party_rows p" \
	"   WHERE p.activity_id = ch.activity_id AND p.gen = ch.gen ORDER BY seq))"
#define STORE_LISTED_ASSOC_COLUMNS \
	"a.env_id, NULL, a.teams_chat_id, g.topic, -1, NULL, NULL, 0, g.last_updated, NULL, a.created_on," \
	" NULL, NULL, NULL, a.regarding_id, a.regarding_table, a.created_on, a.modified_on, a.fetched_at, NULL"
/* A chat is listed from its association only when it has no activity row, and then once, from its newest
 * association (a chat unlinked and connected again has several). */
#define STORE_ASSOC_LISTED_WHERE \
	" NOT EXISTS (SELECT 1 FROM chats x WHERE x.env_id = a.env_id AND x.teams_chat_id = a.teams_chat_id)" \
	" AND a.rowid = " STORE_NEWEST_ASSOC("a.env_id", "a.teams_chat_id")
/* The rowid of the newest association of a chat in an environment (index associations_by_env_chat). */
#define STORE_NEWEST_ASSOC(env, chat) \
	"(SELECT n.rowid FROM associations n WHERE n.env_id = " env " AND n.teams_chat_id = " chat \
	" ORDER BY n.modified_on DESC LIMIT 1)"
void store_read_chat(sqlite3_stmt *st, int col, struct cs_chat *ch);
/* id, env_id, teams_chat_id, regarding_id, regarding_table, record_state, statecode, created_on,
 * modified_on, fetched_at of `associations a`. */
#define STORE_ASSOC_COLUMNS \
	"a.id, a.env_id, a.teams_chat_id, a.regarding_id, a.regarding_table, a.record_state, a.statecode," \
	" a.created_on, a.modified_on, a.fetched_at"
void store_read_assoc(sqlite3_stmt *st, int col, struct cs_assoc *a);
/* id, errorcode, message, time, type of `sync_errors s`. */
#define STORE_SYNC_ERROR_COLUMNS "s.id, s.errorcode, s.message, s.time, s.type"
void store_read_sync_error(sqlite3_stmt *st, int col, struct cs_sync_error *e);
/* The 18 columns of `graph_chats g`, in store_read_graph's order. */
#define STORE_GRAPH_COLUMNS \
	"g.teams_chat_id, g.chat_status, g.topic, g.chat_type, g.last_updated, g.chat_fetched_at, g.chat_error," \
	" g.apps_status, g.app_installed, g.app_client_id, g.app_name, g.apps_fetched_at, g.apps_error," \
	" g.grants_status, g.app_has_grant, g.n_grants, g.grants_fetched_at, g.grants_error, g.not_member"
#define STORE_GRAPH_NCOLS 19
void store_read_graph(sqlite3_stmt *st, int col, struct cs_graph_chat *g);

#endif
