/* The history tables: facts_seen (what holds, since when) and history (every change). */
#include "config.h"
#include "store/history.h"
#include "store/internal.h"
#include "store/cache.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

struct cache_history {
	struct cache *c;
	cs_time at;
	sqlite3_stmt *put;
};

int cache_history_begin(struct cache *c, cs_time at, struct cache_history **out, struct cs_error *err)
{
	*out = NULL;
	if (store_exec(c, "CREATE TEMP TABLE IF NOT EXISTS facts_now(scope INTEGER NOT NULL, id TEXT NOT NULL,"
			  " fact TEXT NOT NULL, env_id TEXT, value TEXT, rule TEXT, PRIMARY KEY(scope, id, fact))"
			  " WITHOUT ROWID; DELETE FROM temp.facts_now;", err))
		return -1;
	if (cache_begin(c, err))
		return -1;
	struct cache_history *h = xcalloc(1, sizeof *h);
	h->c = c;
	h->at = at;
	h->put = store_prepare(c, "INSERT OR REPLACE INTO temp.facts_now(scope, id, fact, env_id, value, rule)"
				  " VALUES(?,?,?,?,?,?)", err);
	if (!h->put) {
		cache_rollback(c);
		free(h);
		return -1;
	}
	*out = h;
	return 0;
}

int cache_history_put(struct cache_history *h, enum history_scope scope, const char *id, const char *env_id,
		      const char *fact, const char *value, const char *rule, struct cs_error *err)
{
	sqlite3_reset(h->put);
	sqlite3_bind_int(h->put, 1, (int)scope);
	store_bind_text(h->put, 2, id);
	store_bind_text(h->put, 3, fact);
	store_bind_text(h->put, 4, env_id);
	store_bind_text(h->put, 5, value);
	store_bind_text(h->put, 6, rule);
	if (sqlite3_step(h->put) != SQLITE_DONE)
		return store_fail(h->c, err, "stage history");
	return 0;
}

void cache_history_abort(struct cache_history *h)
{
	if (!h)
		return;
	sqlite3_finalize(h->put);
	cache_rollback(h->c);
	free(h);
}

/* Runs one statement with :at and :cut bound; adds the rows it changed to *count. */
static int step_counted(struct cache *c, const char *sql, cs_time at, cs_time cut, long *count, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, sql, err);
	if (!st)
		return -1;
	int i = sqlite3_bind_parameter_index(st, ":at");
	if (i)
		sqlite3_bind_int64(st, i, at);
	if ((i = sqlite3_bind_parameter_index(st, ":cut")))
		sqlite3_bind_int64(st, i, cut);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(c, err, "record history");
	if (count)
		*count += sqlite3_changes(c->db);
	return 0;
}

/* The facts whose first sighting is worth a line: a chat's verdict, an environment's setting, the
 * tenant's RSC state. Later facts of a new subject start from there without a line each. */
#define FIRST_SEEN_FACTS "('verdict', 'sync_enabled', 'rsc_state')"

long cache_history_end(struct cache_history *h, int keep_days, struct cs_error *err)
{
	struct cache *c = h->c;
	long n = 0;
	const char *steps[] = {
		/* changed values (and a verdict whose reason changed) */
		"INSERT INTO history(time, scope, id, env_id, fact, old_value, new_value, rule)"
		" SELECT :at, n.scope, n.id, n.env_id, n.fact, s.value, n.value, n.rule FROM temp.facts_now n"
		" JOIN facts_seen s ON s.scope = n.scope AND s.id = n.id AND s.fact = n.fact"
		" WHERE s.value IS NOT n.value OR (n.fact = 'verdict' AND s.rule IS NOT n.rule)",
		/* first sightings */
		"INSERT INTO history(time, scope, id, env_id, fact, old_value, new_value, rule)"
		" SELECT :at, n.scope, n.id, n.env_id, n.fact, NULL, n.value, n.rule FROM temp.facts_now n"
		" WHERE n.fact IN " FIRST_SEEN_FACTS " AND NOT EXISTS (SELECT 1 FROM facts_seen s"
		"  WHERE s.scope = n.scope AND s.id = n.id AND s.fact = n.fact)",
		/* subjects that are gone (a chat deleted or no longer connected, an environment removed) */
		"INSERT INTO history(time, scope, id, env_id, fact, old_value, new_value, rule)"
		" SELECT :at, s.scope, s.id, s.env_id, 'removed', s.value, NULL, NULL FROM facts_seen s"
		" WHERE s.fact IN " FIRST_SEEN_FACTS " AND NOT EXISTS (SELECT 1 FROM temp.facts_now n"
		"  WHERE n.scope = s.scope AND n.id = s.id)",
	};
	const char *update[] = {
		"DELETE FROM facts_seen WHERE NOT EXISTS (SELECT 1 FROM temp.facts_now n"
		" WHERE n.scope = facts_seen.scope AND n.id = facts_seen.id AND n.fact = facts_seen.fact)",
		"INSERT INTO facts_seen(scope, id, fact, env_id, value, rule, since)"
		" SELECT n.scope, n.id, n.fact, n.env_id, n.value, n.rule, :at FROM temp.facts_now n"
		" WHERE NOT EXISTS (SELECT 1 FROM facts_seen s WHERE s.scope = n.scope AND s.id = n.id"
		"  AND s.fact = n.fact AND s.value IS n.value AND s.rule IS n.rule AND s.env_id IS n.env_id)"
		" ON CONFLICT(scope, id, fact) DO UPDATE SET env_id = excluded.env_id, rule = excluded.rule,"
		"  since = CASE WHEN facts_seen.value IS excluded.value THEN facts_seen.since ELSE excluded.since END,"
		"  first = CASE WHEN facts_seen.value IS excluded.value THEN facts_seen.first ELSE 0 END,"
		"  value = excluded.value",
		/* bounded growth: rows past the retention are deleted (their pages are reused; no VACUUM) */
		"DELETE FROM history WHERE :cut > 0 AND time < :cut",
		"DELETE FROM temp.facts_now",
	};
	cs_time cut = keep_days > 0 ? h->at - (cs_time)keep_days * 86400 : 0;
	sqlite3_finalize(h->put);
	h->put = NULL;
	int rc = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == 0; i++)
		rc = step_counted(c, steps[i], h->at, cut, &n, err);
	for (size_t i = 0; i < sizeof update / sizeof *update && rc == 0; i++)
		rc = step_counted(c, update[i], h->at, cut, NULL, err);
	if (rc == 0)
		rc = cache_commit(c, err);
	if (rc)
		cache_rollback(c);
	free(h);
	return rc ? -1 : n;
}

int cache_list_changes(struct cache *c, const struct cache_change_filter *f, struct cache_change **out, size_t *n,
		       struct cs_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(c,
		"SELECT h.time, h.scope, h.id, h.env_id, e.unique_name,"
		" (SELECT subject FROM chats WHERE teams_chat_id = h.id AND h.scope = 0 LIMIT 1),"
		" h.fact, h.old_value, h.new_value, h.rule FROM history h"
		" LEFT JOIN environments e ON e.id = h.env_id"
		" WHERE h.time > ?1"
		" AND (?2 IS NULL OR (h.scope = 0 AND h.id = ?2) OR (h.scope = 1 AND h.id = ?3) OR h.scope = 2)"
		" AND (?2 IS NOT NULL OR ?3 IS NULL OR h.env_id = ?3 OR h.scope = 2)"
		" ORDER BY h.time DESC, h.seq DESC", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, f->since);
	store_bind_text(st, 2, f->chat);
	store_bind_text(st, 3, f->env_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xgrow(*out, &cap, *n, sizeof **out);
		struct cache_change *ch = &(*out)[(*n)++];
		ch->time = sqlite3_column_int64(st, 0);
		ch->scope = sqlite3_column_int(st, 1);
		ch->id = store_col_text(st, 2);
		ch->env_id = store_col_text(st, 3);
		ch->env_name = store_col_text(st, 4);
		ch->subject = store_col_text(st, 5);
		ch->fact = store_col_text(st, 6);
		ch->old_value = store_col_text(st, 7);
		ch->new_value = store_col_text(st, 8);
		ch->rule = store_col_text(st, 9);
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(c, err, "read history");
	sqlite3_finalize(st);
	return ret;
}

void cache_change_free(struct cache_change *ch)
{
	free(ch->id); free(ch->env_id); free(ch->env_name); free(ch->subject); free(ch->fact);
	free(ch->old_value); free(ch->new_value); free(ch->rule);
}

cs_time cache_fact_since(struct cache *c, enum history_scope scope, const char *id, const char *fact, bool *first)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT since, first FROM facts_seen WHERE scope = ? AND id = ? AND fact = ?",
					 NULL);
	if (first)
		*first = false;
	if (!st)
		return 0;
	sqlite3_bind_int(st, 1, (int)scope);
	store_bind_text(st, 2, id);
	store_bind_text(st, 3, fact);
	cs_time t = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		t = store_col_time(st, 0);
		if (first)
			*first = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	return t;
}

void cache_facts_since(struct cache *c, struct cache_facts *f)
{
	const char *id = f->has_chat && f->chat.teams_chat_id ? f->chat.teams_chat_id
			 : f->has_assoc && f->assoc.teams_chat_id ? f->assoc.teams_chat_id
			 : f->has_chat ? f->chat.activity_id : NULL;
	struct diag_since *s = &f->since;
	memset(s, 0, sizeof *s);
	static const char *const chat_facts[] = { "app_installed", "grant", "state", "sync_status" };
	for (int i = 0; id && i < 4; i++)
		s->at[i] = cache_fact_since(c, HISTORY_CHAT, id, chat_facts[i], &s->first[i]);
	if (f->env.id)
		s->at[DIAG_SINCE_SYNC_ENABLED] = cache_fact_since(c, HISTORY_ENV, f->env.id, "sync_enabled",
								  &s->first[DIAG_SINCE_SYNC_ENABLED]);
	s->at[DIAG_SINCE_RSC_STATE] = cache_fact_since(c, HISTORY_TENANT, "tenant", "rsc_state",
						       &s->first[DIAG_SINCE_RSC_STATE]);
}

char *cache_meta_get(struct cache *c, const char *key)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT value FROM meta WHERE key = ?", NULL);
	if (!st)
		return NULL;
	store_bind_text(st, 1, key);
	char *v = sqlite3_step(st) == SQLITE_ROW ? store_col_text(st, 0) : NULL;
	sqlite3_finalize(st);
	return v;
}

int cache_meta_set(struct cache *c, const char *key, const char *value, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, value);
	return store_run(c, st, err);
}

/* A check reads in a read transaction, so a refresh is not held up while it runs. Its findings are
 * appended to a temporary table as they come (chat-list order) and replace the previous check's at
 * the end in one short write, inserted in the key's order: inserting 100,000 keys in the list's order
 * into the table's b-tree, inside the write lock, cost more than the whole read. */
struct cache_check_seen {
	struct cache *c;
	sqlite3_stmt *get, *put;
};

static void seen_finalize(struct cache_check_seen *h)
{
	sqlite3_finalize(h->get);
	sqlite3_finalize(h->put);
	h->get = h->put = NULL;
}

void cache_check_seen_abort(struct cache_check_seen *h)
{
	if (!h)
		return;
	seen_finalize(h);
	cache_rollback(h->c);
	free(h);
}

struct cache_check_seen *cache_check_seen_begin(struct cache *c, struct cs_error *err)
{
	if (cache_read_begin(c, err))
		return NULL;
	struct cache_check_seen *h = xcalloc(1, sizeof *h);
	h->c = c;
	if (store_exec(c, "CREATE TEMP TABLE IF NOT EXISTS check_now(id TEXT, findings TEXT); DELETE FROM temp.check_now",
		       err) ||
	    !(h->get = store_prepare(c, "SELECT findings FROM main.check_seen WHERE id = ?", err)) ||
	    !(h->put = store_prepare(c, "INSERT INTO temp.check_now(id, findings) VALUES(?, ?)", err))) {
		cache_check_seen_abort(h);
		return NULL;
	}
	return h;
}

char *cache_check_seen_get(struct cache_check_seen *h, const char *id)
{
	sqlite3_reset(h->get);
	store_bind_text(h->get, 1, id);
	return sqlite3_step(h->get) == SQLITE_ROW ? store_col_text(h->get, 0) : NULL;
}

int cache_check_seen_put(struct cache_check_seen *h, const char *id, const char *findings, struct cs_error *err)
{
	sqlite3_reset(h->put);
	store_bind_text(h->put, 1, id);
	store_bind_text(h->put, 2, findings);
	if (sqlite3_step(h->put) != SQLITE_DONE)
		return store_fail(h->c, err, "record the check");
	return 0;
}

int cache_check_seen_end(struct cache_check_seen *h, struct cs_error *err)
{
	struct cache *c = h->c;
	seen_finalize(h);
	free(h);
	/* The read ends first: a refresh may have committed since it began, and a read transaction that
	 * saw an older snapshot cannot become the write. A chat put twice keeps its last findings. */
	int rc = cache_commit(c, err) || cache_begin(c, err) ||
			 store_exec(c, "DELETE FROM main.check_seen; INSERT OR REPLACE INTO main.check_seen(id, findings)"
				       " SELECT id, findings FROM temp.check_now WHERE id IS NOT NULL ORDER BY id, rowid;"
				       " DELETE FROM temp.check_now", err) ||
			 cache_commit(c, err)
		 ? -1
		 : 0;
	if (rc)
		cache_rollback(c);
	return rc;
}
