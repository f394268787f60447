/* Cheap reads for a front end that shows a large cache at once: the number of connected chats of each
 * environment, as each commit kept it or else from two index-only queries (no row is read), and a
 * read snapshot, so what is counted and what is read after it are the same rows. */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include <string.h>

/* The chats environment e lists (cache_each_chat's rows), from the indexes alone: its activity rows
 * of the visible generation (one range of the index on (env_id, gen) each, not the view's look-up of
 * the environment per row), and the chats its associations name that have none, each once
 * (STORE_ASSOC_LISTED_WHERE): the distinct (environment, chat) pairs of the associations less those
 * with an activity row, as one merge of the two indexes on (env_id, teams_chat_id) (the EXCEPT's
 * ORDER BY makes it a merge) instead of a look-up per association. 15-20 ms at 100,000 chats. */
#define LISTED_COUNT \
	"((SELECT count(*) FROM chat_rows r WHERE r.env_id = e.id AND r.gen = e.chats_gen) +" \
	" (SELECT count(*) FROM (SELECT a.teams_chat_id FROM assoc_rows a WHERE a.env_id = e.id" \
	" AND a.gen = e.assocs_gen AND a.teams_chat_id IS NOT NULL EXCEPT SELECT r.teams_chat_id FROM chat_rows r" \
	" WHERE r.env_id = e.id AND r.gen = e.chats_gen ORDER BY 1)))"

int cache_env_chat_counts(struct cache *c, const struct cs_env *envs, size_t n_envs, size_t *counts,
			  struct cs_error *err)
{
	for (size_t i = 0; i < n_envs; i++)
		counts[i] = 0;
	/* CASE counts only the environments with no number kept. */
	sqlite3_stmt *st = store_prepare(c,
		"SELECT e.id, CASE WHEN e.listed_chats IS NULL THEN " LISTED_COUNT " ELSE e.listed_chats END"
		" FROM environments e", err);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		for (size_t i = 0; id && i < n_envs; i++)
			if (envs[i].id && strcmp(envs[i].id, id) == 0)
				counts[i] += (size_t)sqlite3_column_int64(st, 1);
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(c, err, "count chats");
	sqlite3_finalize(st);
	return ret;
}

int cache_env_keep_count(struct cache *c, const char *env_id, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "UPDATE environments AS e SET listed_chats = " LISTED_COUNT
					    " WHERE ?1 IS NULL OR e.id = ?1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	return store_run(c, st, err);
}

int cache_read_begin(struct cache *c, struct cs_error *err)
{
	/* DEFERRED takes no write lock, so a refresh writing meanwhile is neither blocked nor seen; the
	 * read after it fixes the snapshot now rather than at the caller's first read. */
	if (store_exec(c, "BEGIN DEFERRED; SELECT 1 FROM sqlite_schema LIMIT 1", err))
		return -1;
	c->in_tx = 1;
	return 0;
}

long long cache_data_version(struct cache *c)
{
	sqlite3_stmt *st = store_prepare(c, "PRAGMA data_version", NULL);
	long long v = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void cache_read_end(struct cache *c)
{
	if (c->in_tx)
		cache_rollback(c);
}
