/* The Dataverse rows of the cache (chats with their participants, associations, sync errors) and their
 * generations. Each row is kept in a *_rows table with the generation that wrote it; an environment
 * shows, through the views chats, participants, associations and sync_errors, only the rows of its
 * generation of each table (environments.chats_gen, assocs_gen, errors_gen). A refresh writes its
 * rows as they come with a new generation, unseen, and cache_gen_commit makes them visible at once;
 * rows of any other generation are purged. The hot statements are prepared once per connection.
 *
 * Each commit also keeps the number of chats the environment lists (environments.listed_chats, for
 * the console's first screen): counted again after a full read, and after a delta read changed by
 * what the delta touched alone. A write to what an environment shows made any other way leaves its
 * number unknown (NULL) until its next commit, and a reader counts it (cache_env_chat_counts). */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "base/xalloc.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* What differs between the four tables of rows. */
struct rows_table {
	const char *rows, *key, *gen_col; /* table, its key besides gen, the environment's generation */
};
static const struct rows_table tables[] = {
	[CACHE_ROWS_CHATS] = { "chat_rows", "activity_id", "chats_gen" },
	[CACHE_ROWS_ASSOCIATIONS] = { "assoc_rows", "id", "assocs_gen" },
	[CACHE_ROWS_SYNC_ERRORS] = { "error_rows", "id", "errors_gen" },
};

/* gen, or when it is CACHE_GEN_VISIBLE the generation env_id shows of that table (0 for an unknown one). */
static long long gen_of(struct cache *c, const char *env_id, enum cache_rows which, long long gen)
{
	if (gen != CACHE_GEN_VISIBLE)
		return gen;
	static const char *const sql[] = {
		[CACHE_ROWS_CHATS] = "SELECT chats_gen FROM environments WHERE id = ?",
		[CACHE_ROWS_ASSOCIATIONS] = "SELECT assocs_gen FROM environments WHERE id = ?",
		[CACHE_ROWS_SYNC_ERRORS] = "SELECT errors_gen FROM environments WHERE id = ?",
	};
	sqlite3_stmt *st = store_cached(c, STMT_GEN_CHATS + (int)which, sql[which], NULL);
	if (!st)
		return 0;
	store_bind_text(st, 1, env_id);
	long long g = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return g;
}

/* The kept number of chats env_id lists is no longer known: its rows were written otherwise than by
 * its commit. */
static int count_unknown(struct cache *c, const char *env_id, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_COUNT_UNKNOWN,
		"UPDATE environments SET listed_chats = NULL WHERE id = ? AND listed_chats IS NOT NULL", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	return store_step(c, st, err);
}

int cache_gen_next(struct cache *c, long long *gen, struct cs_error *err)
{
	if (store_exec(c, "INSERT INTO meta(key, value) VALUES('generation', 1) ON CONFLICT(key) DO UPDATE"
			  " SET value = CAST(value AS INTEGER) + 1", err))
		return -1;
	sqlite3_stmt *st = store_prepare(c, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'", err);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	*gen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(c, err, "read the generation");
}

/* A chat row's columns besides its key, its environment and its generation (a delta's commit sets
 * the indexed ones, statecode, modifiedinteamson and teams_chat_id, apart: apply_staged_chats). */
#define CHAT_COLS "teams_chat_id, subject, statecode, statuscode, syncstatus, lastsyncerror, modifiedinteamson," \
	" modifiedinteamsby, linkedon, linkedby, unlinkedon, unlinkedby, regarding_id, regarding_type, createdon," \
	" modifiedon, fetched_at"
#define CHAT_UPSERT(table, key) \
	"INSERT INTO " table "(activity_id, env_id, " CHAT_COLS ", gen) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" \
	" ON CONFLICT(" key ") DO UPDATE SET env_id = excluded.env_id, teams_chat_id = excluded.teams_chat_id," \
	" subject = excluded.subject, statecode = excluded.statecode, statuscode = excluded.statuscode," \
	" syncstatus = excluded.syncstatus, lastsyncerror = excluded.lastsyncerror," \
	" modifiedinteamson = excluded.modifiedinteamson, modifiedinteamsby = excluded.modifiedinteamsby," \
	" linkedon = excluded.linkedon, linkedby = excluded.linkedby, unlinkedon = excluded.unlinkedon," \
	" unlinkedby = excluded.unlinkedby, regarding_id = excluded.regarding_id," \
	" regarding_type = excluded.regarding_type, createdon = excluded.createdon, modifiedon = excluded.modifiedon," \
	" fetched_at = excluded.fetched_at"

static int put_chat(struct cache *c, const struct cs_chat *ch, long long gen, bool staged, struct cs_error *err)
{
	sqlite3_stmt *st = staged ? store_cached(c, STMT_CHAT_STAGE, CHAT_UPSERT("chat_stage", "env_id, gen, activity_id"), err)
				  : store_cached(c, STMT_CHAT_PUT, CHAT_UPSERT("chat_rows", "activity_id, gen"), err);
	if (!st)
		return -1;
	store_bind_borrowed(st, 1, ch->activity_id);
	store_bind_borrowed(st, 2, ch->env_id);
	store_bind_borrowed(st, 3, ch->teams_chat_id);
	store_bind_borrowed(st, 4, ch->subject);
	store_bind_int(st, 5, ch->state, CS_STATE_NOT_RECORDED);
	store_bind_int(st, 6, ch->status_code, -1);
	store_bind_int(st, 7, ch->sync_status, CS_SYNC_NULL);
	sqlite3_bind_int(st, 8, ch->last_sync_error);
	store_bind_time(st, 9, ch->modified_in_teams_on);
	store_bind_borrowed(st, 10, ch->modified_in_teams_by);
	store_bind_time(st, 11, ch->linked_on);
	store_bind_borrowed(st, 12, ch->linked_by);
	store_bind_time(st, 13, ch->unlinked_on);
	store_bind_borrowed(st, 14, ch->unlinked_by);
	store_bind_borrowed(st, 15, ch->regarding_id);
	store_bind_borrowed(st, 16, ch->regarding_type);
	store_bind_time(st, 17, ch->created_on);
	store_bind_time(st, 18, ch->modified_on);
	store_bind_time(st, 19, ch->fetched_at);
	sqlite3_bind_int64(st, 20, staged ? gen : gen_of(c, ch->env_id, CACHE_ROWS_CHATS, gen));
	if (store_step_borrowed(c, st, err))
		return -1;
	return gen == CACHE_GEN_VISIBLE ? count_unknown(c, ch->env_id, err) : 0;
}

int cache_put_chat_row(struct cache *c, const struct cs_chat *ch, long long gen, struct cs_error *err)
{
	return put_chat(c, ch, gen, false, err);
}

int cache_stage_chat_row(struct cache *c, const struct cs_chat *ch, long long gen, struct cs_error *err)
{
	return put_chat(c, ch, gen, true, err);
}

static int put_party(struct cache *c, const char *env_id, const char *activity_id, int seq, const struct cs_party *p,
		     long long gen, bool staged, struct cs_error *err)
{
	sqlite3_stmt *st = staged
		? store_cached(c, STMT_PARTY_STAGE,
			"INSERT INTO party_stage(activity_id, gen, seq, env_id, party_id, name, deleted) VALUES(?,?,?,?,?,?,?)"
			" ON CONFLICT(env_id, gen, activity_id, seq) DO UPDATE SET party_id = excluded.party_id,"
			" name = excluded.name, deleted = excluded.deleted", err)
		: store_cached(c, STMT_PARTY_PUT,
			"INSERT INTO party_rows(activity_id, gen, seq, env_id, party_id, name, deleted) VALUES(?,?,?,?,?,?,?)"
			" ON CONFLICT(activity_id, gen, seq) DO UPDATE SET env_id = excluded.env_id,"
			" party_id = excluded.party_id, name = excluded.name, deleted = excluded.deleted", err);
	if (!st)
		return -1;
	store_bind_borrowed(st, 1, activity_id);
	sqlite3_bind_int64(st, 2, staged ? gen : gen_of(c, env_id, CACHE_ROWS_CHATS, gen));
	sqlite3_bind_int(st, 3, seq);
	store_bind_borrowed(st, 4, env_id);
	store_bind_borrowed(st, 5, p->party_id);
	store_bind_borrowed(st, 6, p->name);
	sqlite3_bind_int(st, 7, p->deleted);
	return store_step_borrowed(c, st, err);
}

int cache_put_party(struct cache *c, const char *env_id, const char *activity_id, int seq, const struct cs_party *p,
		    long long gen, struct cs_error *err)
{
	return put_party(c, env_id, activity_id, seq, p, gen, false, err);
}

int cache_stage_party(struct cache *c, const char *env_id, const char *activity_id, int seq, const struct cs_party *p,
		      long long gen, struct cs_error *err)
{
	return put_party(c, env_id, activity_id, seq, p, gen, true, err);
}

static bool same_text(const unsigned char *a, const char *b)
{
	return a ? b && strcmp((const char *)a, b) == 0 : !b;
}

/* Whether the participants of the chat's row of generation gen are ch's, in order. */
static int parties_differ(struct cache *c, const struct cs_chat *ch, long long gen, bool *differ, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_PARTY_LIST,
		"SELECT party_id, name, deleted FROM party_rows WHERE activity_id = ? AND gen = ? ORDER BY seq", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, ch->activity_id);
	sqlite3_bind_int64(st, 2, gen);
	size_t i = 0;
	int rc;
	*differ = false;
	while (!*differ && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct cs_party *p = i < ch->n_parties ? &ch->parties[i] : NULL;
		*differ = !p || !same_text(sqlite3_column_text(st, 0), p->party_id) ||
			  !same_text(sqlite3_column_text(st, 1), p->name) || sqlite3_column_int(st, 2) != p->deleted;
		i++;
	}
	int ret = *differ || rc == SQLITE_DONE ? 0 : store_fail(c, err, "read participants");
	sqlite3_reset(st);
	if (i != ch->n_parties)
		*differ = true;
	return ret;
}

int cache_put_chat(struct cache *c, const struct cs_chat *ch, struct cs_error *err)
{
	long long gen = gen_of(c, ch->env_id, CACHE_ROWS_CHATS, CACHE_GEN_VISIBLE);
	bool differ;
	if (cache_put_chat_row(c, ch, gen, err) || count_unknown(c, ch->env_id, err) ||
	    parties_differ(c, ch, gen, &differ, err))
		return -1;
	if (!differ)
		return 0;
	sqlite3_stmt *st = store_cached(c, STMT_PARTY_CLEAR, "DELETE FROM party_rows WHERE activity_id = ? AND gen = ?",
					err);
	if (!st)
		return -1;
	store_bind_text(st, 1, ch->activity_id);
	sqlite3_bind_int64(st, 2, gen);
	if (store_step(c, st, err))
		return -1;
	for (size_t i = 0; i < ch->n_parties; i++)
		if (cache_put_party(c, ch->env_id, ch->activity_id, (int)i, &ch->parties[i], gen, err))
			return -1;
	return 0;
}

int cache_put_assoc_gen(struct cache *c, const struct cs_assoc *a, long long gen, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_ASSOC_PUT,
		"INSERT INTO assoc_rows(id, env_id, teams_chat_id, regarding_id, regarding_table, record_state, statecode,"
		" created_on, modified_on, fetched_at, gen) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id, gen) DO UPDATE"
		" SET env_id = excluded.env_id, teams_chat_id = excluded.teams_chat_id,"
		" regarding_id = excluded.regarding_id, regarding_table = excluded.regarding_table,"
		" record_state = excluded.record_state, statecode = excluded.statecode,"
		" created_on = excluded.created_on, modified_on = excluded.modified_on, fetched_at = excluded.fetched_at",
		err);
	if (!st)
		return -1;
	store_bind_borrowed(st, 1, a->id);
	store_bind_borrowed(st, 2, a->env_id);
	store_bind_borrowed(st, 3, a->teams_chat_id);
	store_bind_borrowed(st, 4, a->regarding_id);
	store_bind_borrowed(st, 5, a->regarding_table);
	sqlite3_bind_int(st, 6, a->record_state);
	sqlite3_bind_int(st, 7, a->statecode);
	store_bind_time(st, 8, a->created_on);
	store_bind_time(st, 9, a->modified_on);
	store_bind_time(st, 10, a->fetched_at);
	sqlite3_bind_int64(st, 11, gen_of(c, a->env_id, CACHE_ROWS_ASSOCIATIONS, gen));
	if (store_step_borrowed(c, st, err))
		return -1;
	return gen == CACHE_GEN_VISIBLE ? count_unknown(c, a->env_id, err) : 0;
}

int cache_put_assoc(struct cache *c, const struct cs_assoc *a, struct cs_error *err)
{
	return cache_put_assoc_gen(c, a, CACHE_GEN_VISIBLE, err);
}

int cache_put_sync_error_gen(struct cache *c, const char *env_id, const char *regarding_id,
			     const struct cs_sync_error *e, cs_time fetched_at, long long gen, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_ERROR_PUT,
		"INSERT INTO error_rows(id, env_id, regarding_id, errorcode, message, time, type, fetched_at, gen)"
		" VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id, gen) DO UPDATE SET env_id = excluded.env_id,"
		" regarding_id = excluded.regarding_id, errorcode = excluded.errorcode, message = excluded.message,"
		" time = excluded.time, type = excluded.type, fetched_at = excluded.fetched_at", err);
	if (!st)
		return -1;
	store_bind_borrowed(st, 1, e->id);
	store_bind_borrowed(st, 2, env_id);
	store_bind_borrowed(st, 3, regarding_id);
	if (e->code)
		store_bind_borrowed(st, 4, e->code);
	else
		sqlite3_bind_int(st, 4, e->errorcode);
	store_bind_borrowed(st, 5, e->message);
	store_bind_time(st, 6, e->time);
	sqlite3_bind_int(st, 7, e->type);
	store_bind_time(st, 8, fetched_at);
	sqlite3_bind_int64(st, 9, gen_of(c, env_id, CACHE_ROWS_SYNC_ERRORS, gen));
	return store_step_borrowed(c, st, err);
}

int cache_put_sync_error(struct cache *c, const char *env_id, const char *regarding_id,
			 const struct cs_sync_error *e, cs_time fetched_at, struct cs_error *err)
{
	return cache_put_sync_error_gen(c, env_id, regarding_id, e, fetched_at, CACHE_GEN_VISIBLE, err);
}

/* Runs sql with its ?1 bound to a and its ?2, ?3 to the integers x and y. */
static int run_text_ints(struct cache *c, const char *sql, const char *a, long long x, long long y, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, sql, err);
	if (!st)
		return -1;
	store_bind_text(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, x);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, y);
	return store_run(c, st, err);
}

int cache_delete_chat(struct cache *c, const char *activity_id, struct cs_error *err)
{
	return run_text_ints(c, "UPDATE environments SET listed_chats = NULL WHERE id IN"
			      " (SELECT env_id FROM chat_rows WHERE activity_id = ?1)", activity_id, 0, 0, err) ||
	       run_text_ints(c, "DELETE FROM party_rows WHERE activity_id = ?1", activity_id, 0, 0, err) ||
	       run_text_ints(c, "DELETE FROM chat_rows WHERE activity_id = ?1", activity_id, 0, 0, err) ? -1 : 0;
}

int cache_delete_assoc(struct cache *c, const char *id, struct cs_error *err)
{
	return run_text_ints(c, "UPDATE environments SET listed_chats = NULL WHERE id IN"
			      " (SELECT env_id FROM assoc_rows WHERE id = ?1)", id, 0, 0, err) ||
	       run_text_ints(c, "DELETE FROM assoc_rows WHERE id = ?1", id, 0, 0, err) ? -1 : 0;
}

int cache_clear_env_table(struct cache *c, const char *env_id, enum cache_rows which, struct cs_error *err)
{
	if (count_unknown(c, env_id, err))
		return -1;
	if (which == CACHE_ROWS_CHATS && (run_text_ints(c, "DELETE FROM party_rows WHERE env_id = ?1", env_id, 0, 0, err) ||
					  run_text_ints(c, "DELETE FROM party_stage WHERE env_id = ?1", env_id, 0, 0, err) ||
					  run_text_ints(c, "DELETE FROM chat_stage WHERE env_id = ?1", env_id, 0, 0, err)))
		return -1;
	char *sql = xasprintf("DELETE FROM %s WHERE env_id = ?1", tables[which].rows);
	int rc = run_text_ints(c, sql, env_id, 0, 0, err);
	free(sql);
	return rc;
}

int cache_clear_env_rows(struct cache *c, const char *env_id, struct cs_error *err)
{
	return cache_clear_env_table(c, env_id, CACHE_ROWS_CHATS, err) ||
	       cache_clear_env_table(c, env_id, CACHE_ROWS_ASSOCIATIONS, err) ||
	       cache_clear_env_table(c, env_id, CACHE_ROWS_SYNC_ERRORS, err) ? -1 : 0;
}

int cache_gen_discard(struct cache *c, const char *env_id, enum cache_rows which, long long gen, struct cs_error *err)
{
	if (gen == gen_of(c, env_id, which, CACHE_GEN_VISIBLE) && count_unknown(c, env_id, err))
		return -1;
	if (which == CACHE_ROWS_CHATS &&
	    (run_text_ints(c, "DELETE FROM party_rows WHERE env_id = ?1 AND gen = ?2", env_id, gen, 0, err) ||
	     run_text_ints(c, "DELETE FROM party_stage WHERE env_id = ?1 AND gen = ?2", env_id, gen, 0, err) ||
	     run_text_ints(c, "DELETE FROM chat_stage WHERE env_id = ?1 AND gen = ?2", env_id, gen, 0, err)))
		return -1;
	char *sql = xasprintf("DELETE FROM %s WHERE env_id = ?1 AND gen = ?2", tables[which].rows);
	int rc = run_text_ints(c, sql, env_id, gen, 0, err);
	free(sql);
	return rc;
}

/* The staged chats whose participants are not, in order, the ones they show: each list numbered by
 * its order (the stage's seq and the shown one's need not agree), the lists compared both ways. Run
 * again after the shown participants of those chats were deleted, it names the same chats, less
 * those staged with none (nothing to insert for them). The shown ones are found through the primary
 * key (+ keeps the planner off (env_id, gen), every participant of the environment). */
#define PARTIES_DIFFER \
	"(WITH s AS (SELECT activity_id, row_number() OVER (PARTITION BY activity_id ORDER BY seq), party_id, name," \
	" deleted FROM party_stage WHERE env_id = ?1 AND gen = ?2), v AS (SELECT p.activity_id, row_number() OVER" \
	" (PARTITION BY p.activity_id ORDER BY p.seq), p.party_id, p.name, p.deleted FROM chat_stage n CROSS JOIN" \
	" party_rows p ON p.activity_id = n.activity_id AND p.gen = ?3 WHERE n.env_id = ?1 AND n.gen = ?2" \
	" AND +p.env_id = ?1) SELECT activity_id FROM (SELECT * FROM s EXCEPT SELECT * FROM v)" \
	" UNION SELECT activity_id FROM (SELECT * FROM v EXCEPT SELECT * FROM s))"

/* A delta read's staged chats (generation gen) become env_id's shown rows (generation old): in place
 * where the chat is shown, with one UPDATE for the columns no index holds and one for each indexed
 * column where it changed (an UPDATE rewrites the entries of every index that holds a column it sets),
 * inserted where it is not. A chat's staged participants replace its shown ones where they differ.
 * Each statement walks the stage by its key, and finds the shown row by the primary key. */
#define STAGED_WHERE " FROM chat_stage s WHERE s.env_id = ?1 AND s.gen = ?2 AND o.activity_id = s.activity_id" \
	" AND o.gen = ?3 AND o.env_id = ?1"
static int apply_staged_chats(struct cache *c, const char *env_id, long long gen, long long old, struct cs_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM party_rows WHERE activity_id IN " PARTIES_DIFFER " AND gen = ?3 AND +env_id = ?1",
		"INSERT INTO party_rows(activity_id, gen, seq, env_id, party_id, name, deleted) SELECT activity_id, ?3,"
		" seq, env_id, party_id, name, deleted FROM party_stage WHERE env_id = ?1 AND gen = ?2"
		" AND activity_id IN " PARTIES_DIFFER,
		"UPDATE chat_rows AS o SET subject = s.subject, statuscode = s.statuscode, syncstatus = s.syncstatus,"
		" lastsyncerror = s.lastsyncerror, modifiedinteamsby = s.modifiedinteamsby, linkedon = s.linkedon,"
		" linkedby = s.linkedby, unlinkedon = s.unlinkedon, unlinkedby = s.unlinkedby,"
		" regarding_id = s.regarding_id, regarding_type = s.regarding_type, createdon = s.createdon,"
		" modifiedon = s.modifiedon, fetched_at = s.fetched_at" STAGED_WHERE,
		"UPDATE chat_rows AS o SET statecode = s.statecode" STAGED_WHERE " AND o.statecode IS NOT s.statecode",
		"UPDATE chat_rows AS o SET modifiedinteamson = s.modifiedinteamson" STAGED_WHERE
		" AND o.modifiedinteamson IS NOT s.modifiedinteamson",
		"UPDATE chat_rows AS o SET teams_chat_id = s.teams_chat_id" STAGED_WHERE
		" AND o.teams_chat_id IS NOT s.teams_chat_id",
		"INSERT INTO chat_rows(activity_id, env_id, " CHAT_COLS ", gen) SELECT activity_id, env_id, " CHAT_COLS ", ?3"
		" FROM chat_stage s WHERE s.env_id = ?1 AND s.gen = ?2 AND NOT EXISTS (SELECT 1 FROM chat_rows o"
		" WHERE o.activity_id = s.activity_id AND o.gen = ?3 AND o.env_id = ?1)",
		"DELETE FROM party_stage WHERE env_id = ?1 AND gen = ?2",
		"DELETE FROM chat_stage WHERE env_id = ?1 AND gen = ?2",
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof *sql; i++)
		rc = run_text_ints(c, sql[i], env_id, gen, old, err);
	return rc;
}

/* A delta read's rows of generation gen replace the visible rows (generation old) with the same key:
 * the chats (with their participants) from the stage, in place; the associations, written with gen,
 * replace the rows with their keys and then become generation old themselves. The ids the read listed
 * as deleted go. The rows replaced are found from the few new ones through the keys, not by a walk
 * over every visible row. */
static int commit_delta(struct cache *c, const char *env_id, enum cache_rows which, long long gen, long long old,
			char *const *deleted, size_t n_deleted, struct cs_error *err)
{
	const struct rows_table *t = &tables[which];
	char *sql;
	int rc = which == CACHE_ROWS_CHATS ? apply_staged_chats(c, env_id, gen, old, err) : 0;
	if (!rc && which != CACHE_ROWS_CHATS) {
		sql = xasprintf("DELETE FROM %s WHERE rowid IN (SELECT o.rowid FROM %s n JOIN %s o ON o.%s = n.%s AND o.gen = ?3"
				" WHERE n.env_id = ?1 AND n.gen = ?2 AND o.env_id = ?1)", t->rows, t->rows, t->rows, t->key, t->key);
		rc = run_text_ints(c, sql, env_id, gen, old, err);
		free(sql);
	}
	if (!rc && which != CACHE_ROWS_CHATS) {
		sql = xasprintf("UPDATE %s SET gen = ?3 WHERE env_id = ?1 AND gen = ?2", t->rows);
		rc = run_text_ints(c, sql, env_id, gen, old, err);
		free(sql);
	}
	for (size_t i = 0; !rc && i < n_deleted; i++)
		rc = which == CACHE_ROWS_CHATS ? cache_delete_chat(c, deleted[i], err)
					       : run_text_ints(c, "DELETE FROM assoc_rows WHERE id = ?1", deleted[i], 0, 0, err);
	return rc ? -1 : 0;
}

/* What a delta read changes of an environment's kept count is found from what it touches alone: the
 * activity rows whose activity ids it wrote or deleted (only those can come or go), and the chats
 * whose Teams chat ids it touched (its new rows', the shown rows' they replace, the deleted rows'):
 * only those can start or stop being listed from an association alone. The ids are held as JSON
 * arrays between the count before and the count after (no temporary table: its file and journal
 * cost more than the counts). ?1 the environment, ?2 the new generation, ?3 and ?4 the visible
 * generation of the chats and of the associations (a delta changes neither), ?5 and ?6 whether each
 * is a delta, ?7 and ?8 the ids each deletes (JSON arrays). The new rows (news, as n: the chats'
 * stage, or the associations of the new generation) are found by (env_id, gen): left to itself the planner
 * walks every row of the environment in the covering index on (env_id, teams_chat_id, gen). */
#define TOUCHED_SQL(news, rows, key, gen, delta, deleted) \
	" SELECT n.teams_chat_id FROM " news " WHERE " delta " AND n.env_id = ?1" \
	" AND n.gen = ?2 AND n.teams_chat_id IS NOT NULL" \
	" UNION SELECT o.teams_chat_id FROM " news " CROSS JOIN " rows " o ON o." key " = n." key " AND o.gen = " gen \
	" WHERE " delta " AND n.env_id = ?1 AND n.gen = ?2 AND o.env_id = ?1 AND o.teams_chat_id IS NOT NULL" \
	" UNION SELECT o.teams_chat_id FROM json_each(" deleted ") d CROSS JOIN " rows " o ON o." key " = d.value" \
	" AND o.gen = " gen " WHERE " delta " AND o.env_id = ?1 AND o.teams_chat_id IS NOT NULL"
#define TOUCHED_ACTIVITIES \
	" SELECT n.activity_id FROM chat_stage n WHERE ?5 AND n.env_id = ?1 AND n.gen = ?2" \
	" UNION SELECT value FROM json_each(?7) WHERE ?5"

static char *json_ids(char *const *ids, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(ids[i] ? ids[i] : ""));
	char *s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

struct touched {
	char *chats, *activities; /* JSON arrays of Teams chat ids and of activity ids */
};

static void touched_free(struct touched *t)
{
	free(t->chats);
	free(t->activities);
	t->chats = t->activities = NULL;
}

/* What a delta commit touches (touched_free), or -1 with err. */
static int touched_ids(struct cache *c, const char *env_id, const struct cache_gen_commit *g, const long long *gens,
		       struct touched *out, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_TOUCHED, "SELECT (SELECT json_group_array(teams_chat_id) FROM ("
		TOUCHED_SQL("chat_stage n", "chat_rows", "activity_id", "?3", "?5", "?7") " UNION"
		TOUCHED_SQL("assoc_rows n INDEXED BY assoc_rows_by_env_gen", "assoc_rows", "id", "?4", "?6", "?8")
		")), (SELECT json_group_array(activity_id) FROM ("
		TOUCHED_ACTIVITIES "))", err);
	if (!st)
		return -1;
	char *deleted[2] = { json_ids(g->deleted_chats, g->n_deleted_chats),
			     json_ids(g->deleted_assocs, g->n_deleted_assocs) };
	store_bind_text(st, 1, env_id);
	sqlite3_bind_int64(st, 2, g->gen);
	sqlite3_bind_int64(st, 3, gens[CACHE_ROWS_CHATS]);
	sqlite3_bind_int64(st, 4, gens[CACHE_ROWS_ASSOCIATIONS]);
	sqlite3_bind_int(st, 5, g->chats == CACHE_GEN_DELTA);
	sqlite3_bind_int(st, 6, g->assocs == CACHE_GEN_DELTA);
	store_bind_text(st, 7, deleted[0]);
	store_bind_text(st, 8, deleted[1]);
	int rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->chats = store_col_text(st, 0);
		out->activities = store_col_text(st, 1);
		rc = out->chats && out->activities ? 0 : -1;
	}
	if (rc) {
		store_fail(c, err, "read the chats a delta touched");
		touched_free(out);
	}
	sqlite3_reset(st);
	cJSON_free(deleted[0]);
	cJSON_free(deleted[1]);
	return rc;
}

/* Of what a delta touches, how many activity rows env_id shows, and how many chats it lists from an
 * association alone. */
static int touched_count(struct cache *c, const char *env_id, const long long *gens, const struct touched *t,
			 long long *n, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_TOUCHED_COUNT,
		"SELECT (SELECT count(*) FROM json_each(?5) k WHERE EXISTS (SELECT 1 FROM chat_rows r WHERE"
		" r.activity_id = k.value AND r.gen = ?2 AND r.env_id = ?1)) + (SELECT count(*) FROM json_each(?4) t"
		" WHERE EXISTS (SELECT 1 FROM assoc_rows a WHERE a.env_id = ?1 AND a.teams_chat_id = t.value AND a.gen = ?3)"
		" AND NOT EXISTS (SELECT 1 FROM chat_rows r WHERE r.env_id = ?1 AND r.teams_chat_id = t.value"
		" AND r.gen = ?2))", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	sqlite3_bind_int64(st, 2, gens[CACHE_ROWS_CHATS]);
	sqlite3_bind_int64(st, 3, gens[CACHE_ROWS_ASSOCIATIONS]);
	store_bind_text(st, 4, t->chats);
	store_bind_text(st, 5, t->activities);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	int ret = rc == SQLITE_ROW ? 0 : store_fail(c, err, "count chats");
	sqlite3_reset(st);
	return ret;
}

/* The visible generation of each table of env_id, and its kept count (-1: none). */
static int env_gens(struct cache *c, const char *env_id, long long *gens, long long *kept, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_ENV_GENS, "SELECT chats_gen, assocs_gen, errors_gen, listed_chats"
					" FROM environments WHERE id = ?", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	int rc = sqlite3_step(st);
	for (int w = 0; w < 3; w++)
		gens[w] = rc == SQLITE_ROW ? sqlite3_column_int64(st, w) : 0;
	*kept = rc == SQLITE_ROW && sqlite3_column_type(st, 3) != SQLITE_NULL ? sqlite3_column_int64(st, 3) : -1;
	int ret = rc == SQLITE_ROW ? 0 : store_fail(c, err, "read the environment");
	sqlite3_reset(st);
	return ret;
}

int cache_gen_commit(struct cache *c, const struct cs_env *env, const struct cache_gen_commit *g, struct cs_error *err)
{
	const enum cache_gen_mode modes[] = { g->chats, g->assocs, g->errors };
	char *const *deleted[] = { g->deleted_chats, g->deleted_assocs, NULL };
	const size_t n_deleted[] = { g->n_deleted_chats, g->n_deleted_assocs, 0 };
	long long gens[3], kept, before = 0;
	if (cache_put_env(c, env, err) || env_gens(c, env->id, gens, &kept, err))
		return -1;
	bool full = modes[CACHE_ROWS_CHATS] == CACHE_GEN_FULL || modes[CACHE_ROWS_ASSOCIATIONS] == CACHE_GEN_FULL;
	bool delta = modes[CACHE_ROWS_CHATS] == CACHE_GEN_DELTA || modes[CACHE_ROWS_ASSOCIATIONS] == CACHE_GEN_DELTA;
	/* A delta changes the number kept by what it touched: counted before and after. */
	struct touched touched = { 0 };
	bool by_delta = delta && !full && kept >= 0;
	int rc = by_delta && (touched_ids(c, env->id, g, gens, &touched, err) ||
			      touched_count(c, env->id, gens, &touched, &before, err)) ? -1 : 0;
	for (int w = CACHE_ROWS_CHATS; rc == 0 && w <= CACHE_ROWS_SYNC_ERRORS; w++) {
		if (modes[w] == CACHE_GEN_FULL) {
			char *sql = xasprintf("UPDATE environments SET %s = ?2 WHERE id = ?1", tables[w].gen_col);
			rc = run_text_ints(c, sql, env->id, g->gen, 0, err);
			free(sql);
		} else if (modes[w] == CACHE_GEN_DELTA) {
			rc = commit_delta(c, env->id, (enum cache_rows)w, g->gen, gens[w], deleted[w], n_deleted[w], err);
		}
	}
	if (rc == 0 && by_delta) {
		long long after;
		rc = touched_count(c, env->id, gens, &touched, &after, err);
		/* the deletes left the number unknown for every environment that had the ids, this one too */
		if (rc == 0)
			rc = run_text_ints(c, "UPDATE environments SET listed_chats = ?2 WHERE id = ?1", env->id,
					   kept + after - before, 0, err);
	} else if (rc == 0 && (full || delta || kept < 0)) {
		rc = cache_env_keep_count(c, env->id, err);
	}
	touched_free(&touched);
	return rc ? -1 : 0;
}

/* Deletes at most max (0: all) of one table's rows of env_id whose generation is not g; *more when
 * some are left. gen < g OR gen > g: two ranges of the (env_id, gen) index, not a walk over every row. */
static int purge_table(struct cache *c, const char *rows, const char *env_id, long long g, size_t max, bool *more,
		       struct cs_error *err)
{
	char *sql = max ? xasprintf("DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE env_id = ?1 AND"
				    " (gen < ?2 OR gen > ?2) LIMIT %zu)", rows, rows, max)
			: xasprintf("DELETE FROM %s WHERE env_id = ?1 AND (gen < ?2 OR gen > ?2)", rows);
	int rc = run_text_ints(c, sql, env_id, g, 0, err);
	free(sql);
	if (rc == 0 && max && (size_t)sqlite3_changes(c->db) >= max)
		*more = true;
	return rc;
}

int cache_gen_purge(struct cache *c, const char *env_id, size_t max, bool *more, struct cs_error *err)
{
	/* An environment the cache does not hold shows nothing: -1 purges every generation of its rows. */
	sqlite3_stmt *st = store_prepare(c, "SELECT chats_gen, assocs_gen, errors_gen FROM environments WHERE id = ?", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	long long g[3] = { -1, -1, -1 };
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int w = 0; w < 3; w++)
			g[w] = sqlite3_column_int64(st, w);
	sqlite3_finalize(st);
	*more = false;
	/* a stage holds only what a refresh has yet to commit: at its end, nothing of it is left to keep */
	if (purge_table(c, "party_rows", env_id, g[CACHE_ROWS_CHATS], max, more, err) ||
	    purge_table(c, "party_stage", env_id, -1, max, more, err) ||
	    purge_table(c, "chat_stage", env_id, -1, max, more, err))
		return -1;
	for (int w = CACHE_ROWS_CHATS; w <= CACHE_ROWS_SYNC_ERRORS; w++)
		if (purge_table(c, tables[w].rows, env_id, g[w], max, more, err))
			return -1;
	return 0;
}

long long cache_rows_unseen(struct cache *c, const char *env_id)
{
	sqlite3_stmt *st = store_prepare(c,
		"SELECT (SELECT count(*) FROM chat_rows WHERE env_id = ?1) - (SELECT count(*) FROM chats WHERE env_id = ?1)"
		" + (SELECT count(*) FROM party_rows WHERE env_id = ?1) - (SELECT count(*) FROM participants WHERE env_id = ?1)"
		" + (SELECT count(*) FROM assoc_rows WHERE env_id = ?1) - (SELECT count(*) FROM associations WHERE env_id = ?1)"
		" + (SELECT count(*) FROM error_rows WHERE env_id = ?1) - (SELECT count(*) FROM sync_errors WHERE env_id = ?1)"
		" + (SELECT count(*) FROM chat_stage WHERE env_id = ?1) + (SELECT count(*) FROM party_stage WHERE env_id = ?1)",
		NULL);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}
