/* The diagnosis facts of many chats at once, and the one mapping from cached facts to a diagnosis.
 *
 * One pass reads every chat of a filter in the chat list's order with a handful of queries, whatever
 * the number of chats: the environments and the tenant RSC state once each, the sync errors of the
 * filter in one query (held sorted by the activity they regard), and one query that joins each
 * connected chat (an activity row with its participants, or an association without one) to its newest
 * association and its Graph details through their indexes. */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "core/diagnose.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* The newest association of an activity row is found in the view of the visible rows and read from
 * its table by that rowid: joined to the view itself, SQLite materialized all associations and built
 * an index over them for every read.
 *
 * Both halves end in the same columns: the environment's name first (the order), then the listed chat
 * (20, read only for activity rows), the newest association (10), Graph's details (19), whether it is an
 * activity row, and the two sort keys. */
#define COL_CHAT 1
#define COL_ASSOC (COL_CHAT + 20)
#define COL_GRAPH (COL_ASSOC + 10)
#define COL_HAS_ROW (COL_GRAPH + STORE_GRAPH_NCOLS)

#define FACTS_UNION \
	" SELECT e.unique_name AS env_name, " STORE_CHAT_COLUMNS ", " STORE_ASSOC_COLUMNS ", " STORE_GRAPH_COLUMNS "," \
	"  1, ch.modifiedinteamson AS sort_mod, ch.teams_chat_id AS sort_id, ch.activity_id AS sort_act" \
	" FROM chats ch JOIN environments e ON e.id = ch.env_id" \
	" LEFT JOIN assoc_rows a ON a.rowid = " STORE_NEWEST_ASSOC("ch.env_id", "ch.teams_chat_id") \
	" LEFT JOIN graph_chats g ON g.teams_chat_id = ch.teams_chat_id" \
	" WHERE (?1 IS NULL OR ch.env_id = ?1)%s" \
	" UNION ALL" \
	" SELECT e.unique_name, " STORE_LISTED_ASSOC_COLUMNS ", " STORE_ASSOC_COLUMNS ", " STORE_GRAPH_COLUMNS "," \
	"  0, g.last_updated, a.teams_chat_id, NULL" \
	" FROM associations a JOIN environments e ON e.id = a.env_id" \
	" LEFT JOIN graph_chats g ON g.teams_chat_id = a.teams_chat_id" \
	" WHERE (?1 IS NULL OR a.env_id = ?1) AND" STORE_ASSOC_LISTED_WHERE "%s"
#define FACTS_SELECT "SELECT * FROM (" FACTS_UNION ") ORDER BY env_name, sort_mod IS NULL, sort_mod, sort_id, sort_act"

struct cache_facts_cursor {
	struct cache *c;
	sqlite3_stmt *st;
	bool done;                        /* stepping on would start the query again */
	struct cs_env *envs;
	size_t n_envs, env_at;
	bool has_rsc;
	struct cs_rsc rsc;
	char **error_of;                  /* the activity id each of errors regards, sorted */
	struct cs_sync_error *errors;
	size_t n_errors;
	struct cache_facts row;           /* per-row members owned here; env, rsc and errors borrowed */
};

static void free_row(struct cache_facts *f)
{
	cs_chat_free(&f->chat);
	cs_assoc_free(&f->assoc);
	cs_graph_chat_free(&f->graph);
	memset(f, 0, sizeof *f);
}

static int load_errors(struct cache_facts_cursor *cur, const char *env_id, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(cur->c,
		"SELECT s.regarding_id, " STORE_SYNC_ERROR_COLUMNS " FROM sync_errors s"
		" WHERE s.regarding_id IS NOT NULL AND (?1 IS NULL OR s.env_id = ?1) ORDER BY s.regarding_id, s.time",
		err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cur->n_errors == cap) {
			cap = cap ? cap * 2 : 16;
			cur->errors = xrealloc(cur->errors, cap * sizeof *cur->errors);
			cur->error_of = xrealloc(cur->error_of, cap * sizeof *cur->error_of);
		}
		cur->error_of[cur->n_errors] = store_col_text(st, 0);
		store_read_sync_error(st, 1, &cur->errors[cur->n_errors++]);
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(cur->c, err, "read sync errors");
	sqlite3_finalize(st);
	return ret;
}

/* The sync errors regarding an activity: a run of the sorted array, found by bisection. */
static void find_errors(const struct cache_facts_cursor *cur, const char *activity_id, struct cache_facts *f)
{
	size_t lo = 0, hi = cur->n_errors;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(cur->error_of[mid], activity_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < cur->n_errors && strcmp(cur->error_of[end], activity_id) == 0)
		end++;
	f->errors = end > lo ? &cur->errors[lo] : NULL;
	f->n_errors = end - lo;
}

static const struct cs_env *find_env(struct cache_facts_cursor *cur, const char *env_id)
{
	/* Rows come environment by environment: the last one found is almost always the one. */
	if (cur->env_at < cur->n_envs && strcmp(cur->envs[cur->env_at].id, env_id) == 0)
		return &cur->envs[cur->env_at];
	for (size_t i = 0; i < cur->n_envs; i++)
		if (strcmp(cur->envs[i].id, env_id) == 0)
			return &cur->envs[cur->env_at = i];
	return NULL;
}

/* A cursor over sql (FACTS_SELECT or FACTS_UNION with its two %s filled), ?1 the environment. */
static struct cache_facts_cursor *open_cursor(struct cache *c, const char *env_id, char *sql, struct cs_error *err)
{
	struct cache_facts_cursor *cur = xcalloc(1, sizeof *cur);
	cur->c = c;
	if (cache_list_envs(c, &cur->envs, &cur->n_envs, err) || load_errors(cur, env_id, err)) {
		free(sql);
		cache_facts_close(cur);
		return NULL;
	}
	cur->has_rsc = cache_get_rsc(c, &cur->rsc) == 1;
	cur->st = store_prepare(c, sql, err);
	free(sql);
	if (!cur->st) {
		cache_facts_close(cur);
		return NULL;
	}
	store_bind_text(cur->st, 1, env_id);
	return cur;
}

struct cache_facts_cursor *cache_facts_open(struct cache *c, const struct cache_chat_filter *f, struct cs_error *err)
{
	const char *env_id = f ? f->env_id : NULL, *state = f ? f->state : NULL;
	/* A state filter keeps activity rows only: a chat without one has no state to match. */
	const char *chat_where = !state ? "" : strcmp(state, "open") == 0 ? " AND ch.statecode = 0"
								       : " AND ch.statecode IN (1, 2)";
	return open_cursor(c, env_id, xasprintf(FACTS_SELECT, chat_where, state ? " AND 0" : ""), err);
}

struct cache_facts_cursor *cache_facts_open_part(struct cache *c, unsigned part, unsigned parts, struct cs_error *err)
{
	if (parts < 1)
		parts = 1;
	/* No ORDER BY: sorting 100,000 rows of some 50 columns each cost more than reading them. The
	 * activity rows are shared out by rowid; the chats without one all go to part 0. */
	char *sql = xasprintf(FACTS_UNION, parts > 1 ? " AND ch.rowid % ?2 = ?3" : "", part == 0 ? "" : " AND 0");
	struct cache_facts_cursor *cur = open_cursor(c, NULL, sql, err);
	if (cur && parts > 1) {
		sqlite3_bind_int(cur->st, 2, (int)parts);
		sqlite3_bind_int(cur->st, 3, (int)part);
	}
	return cur;
}

int cache_facts_next(struct cache_facts_cursor *cur, const struct cache_facts **out, struct cs_error *err)
{
	free_row(&cur->row);
	while (!cur->done) {
		int rc = sqlite3_step(cur->st);
		if (rc != SQLITE_ROW) {
			cur->done = true;
			return rc == SQLITE_DONE ? 0 : store_fail(cur->c, err, "read chats");
		}
		struct cache_facts *f = &cur->row;
		const char *env_id = (const char *)sqlite3_column_text(cur->st, COL_CHAT);
		const struct cs_env *env = env_id ? find_env(cur, env_id) : NULL;
		if (!env)
			continue; /* the environment went away under a concurrent refresh */
		f->env = *env;
		f->has_chat = sqlite3_column_int(cur->st, COL_HAS_ROW) == 1;
		if (f->has_chat)
			store_read_chat(cur->st, COL_CHAT, &f->chat);
		f->has_assoc = sqlite3_column_type(cur->st, COL_ASSOC) != SQLITE_NULL;
		if (f->has_assoc)
			store_read_assoc(cur->st, COL_ASSOC, &f->assoc);
		f->has_graph = sqlite3_column_type(cur->st, COL_GRAPH) != SQLITE_NULL;
		if (f->has_graph)
			store_read_graph(cur->st, COL_GRAPH, &f->graph);
		if (f->has_chat && f->chat.activity_id)
			find_errors(cur, f->chat.activity_id, f);
		f->has_rsc = cur->has_rsc;
		if (cur->has_rsc)
			f->rsc = cur->rsc;
		*out = f;
		return 1;
	}
	return 0;
}

void cache_facts_close(struct cache_facts_cursor *cur)
{
	if (!cur)
		return;
	free_row(&cur->row);
	sqlite3_finalize(cur->st);
	for (size_t i = 0; i < cur->n_envs; i++)
		cs_env_free(&cur->envs[i]);
	free(cur->envs);
	for (size_t i = 0; i < cur->n_errors; i++) {
		free(cur->error_of[i]);
		cs_sync_error_free(&cur->errors[i]);
	}
	free(cur->error_of);
	free(cur->errors);
	cs_rsc_free(&cur->rsc);
	free(cur);
}

int cache_facts_each(struct cache *c, const struct cache_chat_filter *f,
		     int (*fn)(const struct cache_facts *facts, void *user), void *user, struct cs_error *err)
{
	struct cache_facts_cursor *cur = cache_facts_open(c, f, err);
	if (!cur)
		return -1;
	const struct cache_facts *facts;
	int rc;
	while ((rc = cache_facts_next(cur, &facts, err)) == 1)
		if (fn(facts, user))
			break;
	cache_facts_close(cur);
	return rc < 0 ? -1 : 0;
}

void cache_facts_chat(const struct cache_facts *f, struct cs_chat *out)
{
	if (f->has_chat) {
		*out = f->chat;
		return;
	}
	/* As the chat list shows a chat without an activity row: its association, with Graph's topic and
	 * last update (STORE_LISTED_ASSOC_COLUMNS). */
	memset(out, 0, sizeof *out);
	out->env_id = f->has_assoc && f->assoc.env_id ? f->assoc.env_id : f->env.id;
	out->state = CS_STATE_NOT_RECORDED;
	out->status_code = -1;
	out->sync_status = CS_SYNC_NULL;
	if (f->has_assoc) {
		out->teams_chat_id = f->assoc.teams_chat_id;
		out->regarding_id = f->assoc.regarding_id;
		out->regarding_type = f->assoc.regarding_table;
		out->linked_on = f->assoc.created_on;
		out->created_on = f->assoc.created_on;
		out->modified_on = f->assoc.modified_on;
		out->fetched_at = f->assoc.fetched_at;
	}
	if (f->has_graph) {
		out->subject = f->graph.topic;
		out->modified_in_teams_on = f->graph.last_updated;
	}
}

const char *cache_facts_key(const struct cache_facts *f)
{
	if (f->has_chat && f->chat.activity_id)
		return f->chat.activity_id;
	if (f->has_chat && f->chat.teams_chat_id)
		return f->chat.teams_chat_id;
	return f->has_assoc ? f->assoc.teams_chat_id : NULL;
}

void cache_facts_diagnose(const struct cache_facts *f, cs_time now, int warn_hours, struct diag_result *out)
{
	struct diag_facts facts = {
		.env = &f->env,
		.chat = f->has_chat ? &f->chat : NULL,
		.assoc = f->has_assoc ? &f->assoc : NULL,
		.errors = f->errors,
		.n_errors = f->n_errors,
		.graph = f->has_graph ? &f->graph : NULL,
		.rsc = f->has_rsc ? &f->rsc : NULL,
		.now = now,
		.warn_hours = warn_hours,
		.since = &f->since,
	};
	diag_run(&facts, out);
}
