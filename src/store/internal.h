/* Shared between the store's own files; nothing outside src/store includes this. */
#ifndef CHATSYNC_STORE_INTERNAL_H
#define CHATSYNC_STORE_INTERNAL_H
#include <sqlite3.h>
#include "base/error.h"
#include "core/model.h"

struct cache {
	sqlite3 *db;
	char *path;
	int in_tx;
	int lock_fd;  /* the refresh lock file while this connection holds it (cache_lock_refresh), else -1 */
};

/* Prepares sql; on failure fills err (exit 4) and returns NULL. */
sqlite3_stmt *store_prepare(struct cache *c, const char *sql, struct cs_error *err);
/* Steps a statement expected to finish (INSERT/UPDATE/DELETE), finalizes it. */
int store_run(struct cache *c, sqlite3_stmt *st, struct cs_error *err);
int store_exec(struct cache *c, const char *sql, struct cs_error *err);
int store_fail(struct cache *c, struct cs_error *err, const char *what);

void store_bind_text(sqlite3_stmt *st, int idx, const char *s);   /* NULL → SQL NULL */
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

#endif
