/* Chats (activity rows with their participants), associations, sync errors, and the facts of one chat. */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "store/history.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define PARTY_SEP "\x1f"

int cache_each_graph_fetch(struct cache *c, void (*fn)(const char *teams_chat_id, cs_time fetched_at, void *user),
			   void *user, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT teams_chat_id, apps_fetched_at FROM graph_chats", err);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0), store_col_time(st, 1), user);
	int ret = rc == SQLITE_DONE ? 0 : store_fail(c, err, "read Graph details");
	sqlite3_finalize(st);
	return ret;
}

/* One select for both kinds of connected chat: activity rows, and associations that have none
 * (state NOT_RECORDED, subject from Graph's topic when known). Participants come in one column.
 * Each half can also be used alone, where an index finds the row. */
#define CHAT_ROW_SELECT " SELECT " STORE_CHAT_COLUMNS " FROM chats ch"
#define ASSOC_ROW_SELECT \
	" SELECT " STORE_LISTED_ASSOC_COLUMNS \
	" FROM associations a LEFT JOIN graph_chats g ON g.teams_chat_id = a.teams_chat_id WHERE" STORE_ASSOC_LISTED_WHERE
#define CHAT_SELECT \
	"SELECT * FROM (" CHAT_ROW_SELECT " UNION ALL " ASSOC_ROW_SELECT ") AS c"

void store_read_chat(sqlite3_stmt *st, int col, struct cs_chat *ch)
{
	memset(ch, 0, sizeof *ch);
	ch->env_id = store_col_text(st, col + 0);
	ch->activity_id = store_col_text(st, col + 1);
	ch->teams_chat_id = store_col_text(st, col + 2);
	ch->subject = store_col_text(st, col + 3);
	ch->state = store_col_int(st, col + 4, CS_STATE_NOT_RECORDED);
	ch->status_code = store_col_int(st, col + 5, -1);
	ch->sync_status = store_col_int(st, col + 6, CS_SYNC_NULL);
	ch->last_sync_error = store_col_int(st, col + 7, 0);
	ch->modified_in_teams_on = store_col_time(st, col + 8);
	ch->modified_in_teams_by = store_col_text(st, col + 9);
	ch->linked_on = store_col_time(st, col + 10);
	ch->linked_by = store_col_text(st, col + 11);
	ch->unlinked_on = store_col_time(st, col + 12);
	ch->unlinked_by = store_col_text(st, col + 13);
	ch->regarding_id = store_col_text(st, col + 14);
	ch->regarding_type = store_col_text(st, col + 15);
	ch->created_on = store_col_time(st, col + 16);
	ch->modified_on = store_col_time(st, col + 17);
	ch->fetched_at = store_col_time(st, col + 18);
	const char *parties = (const char *)sqlite3_column_text(st, col + 19);
	size_t n = 0;
	for (const char *p = parties; p && *p; p++)
		n += *p == PARTY_SEP[0];
	if (parties && *parties)
		ch->parties = xcalloc(n + 1, sizeof *ch->parties);
	for (const char *p = parties; p && *p;) {
		size_t len = strcspn(p, PARTY_SEP);
		ch->parties[ch->n_parties++] = (struct cs_party){ .name = xstrndup(p, len) };
		p += len;
		if (*p)
			p++;
	}
}

void store_read_assoc(sqlite3_stmt *st, int col, struct cs_assoc *a)
{
	memset(a, 0, sizeof *a);
	a->id = store_col_text(st, col + 0);
	a->env_id = store_col_text(st, col + 1);
	a->teams_chat_id = store_col_text(st, col + 2);
	a->regarding_id = store_col_text(st, col + 3);
	a->regarding_table = store_col_text(st, col + 4);
	a->record_state = store_col_int(st, col + 5, 0);
	a->statecode = store_col_int(st, col + 6, 0);
	a->created_on = store_col_time(st, col + 7);
	a->modified_on = store_col_time(st, col + 8);
	a->fetched_at = store_col_time(st, col + 9);
}

void store_read_sync_error(sqlite3_stmt *st, int col, struct cs_sync_error *e)
{
	memset(e, 0, sizeof *e);
	e->id = store_col_text(st, col + 0);
	e->code = store_col_text(st, col + 1);
	e->errorcode = e->code ? (int)strtol(e->code, NULL, 0) : 0;
	e->message = store_col_text(st, col + 2);
	e->time = store_col_time(st, col + 3);
	e->type = store_col_int(st, col + 4, 3);
}

/* The environment of a row among envs: the last one found first (rows come grouped by environment). */
static const struct cs_env *env_of(const struct cs_env *envs, size_t n, const struct cs_env *last, const char *id)
{
	if (last && id && strcmp(last->id, id) == 0)
		return last;
	for (size_t i = 0; id && i < n; i++)
		if (strcmp(envs[i].id, id) == 0)
			return &envs[i];
	return NULL;
}

typedef int (*chat_fn)(const struct cs_chat *chat, const struct cs_env *env, void *user);

/* The brief rows of cache_each_chat_brief: five columns, borrowed by the chat. */
static void read_brief(sqlite3_stmt *st, struct cs_chat *ch)
{
	*ch = (struct cs_chat){
		.env_id = (char *)sqlite3_column_text(st, 0),
		.activity_id = (char *)sqlite3_column_text(st, 1),
		.teams_chat_id = (char *)sqlite3_column_text(st, 2),
		.state = store_col_int(st, 3, CS_STATE_NOT_RECORDED),
		.modified_in_teams_on = store_col_time(st, 4),
	};
}

/* Hands st's rows (NULL: it could not be prepared) to fn with their environment, read whole or brief;
 * finalizes st and frees envs. */
static int walk_chats(struct cache *c, sqlite3_stmt *st, bool brief, struct cs_env *envs, size_t n_envs, chat_fn fn,
		      void *user, struct cs_error *err)
{
	int ret = -1;
	if (st) {
		int rc;
		ret = 0;
		const struct cs_env *env = NULL;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct cs_chat ch;
			if (brief)
				read_brief(st, &ch);
			else
				store_read_chat(st, 0, &ch);
			env = env_of(envs, n_envs, env, ch.env_id);
			int stop = fn(&ch, env, user);
			if (!brief)
				cs_chat_free(&ch);
			if (stop)
				break;
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			ret = store_fail(c, err, "read chats");
		sqlite3_finalize(st);
	}
	for (size_t i = 0; i < n_envs; i++)
		cs_env_free(&envs[i]);
	free(envs);
	return ret;
}

int cache_each_chat(struct cache *c, const struct cache_chat_filter *f, chat_fn fn, void *user, struct cs_error *err)
{
	struct cs_env *envs;
	size_t n_envs;
	if (cache_list_envs(c, &envs, &n_envs, err))
		return -1;
	const char *state = f ? f->state : NULL;
	const char *where = !state ? "" : strcmp(state, "open") == 0 ? " AND c.statecode = 0"
							       : " AND c.statecode IN (1, 2)";
	char *sql = xasprintf(CHAT_SELECT " JOIN environments e ON e.id = c.env_id WHERE (?1 IS NULL OR c.env_id = ?1)%s"
			      " ORDER BY e.unique_name, c.modifiedinteamson IS NULL, c.modifiedinteamson, c.teams_chat_id, c.activity_id",
			      where);
	sqlite3_stmt *st = store_prepare(c, sql, err);
	free(sql);
	if (st)
		store_bind_text(st, 1, f ? f->env_id : NULL);
	return walk_chats(c, st, false, envs, n_envs, fn, user, err);
}

int cache_each_chat_brief(struct cache *c, chat_fn fn, void *user, struct cs_error *err)
{
	struct cs_env *envs;
	size_t n_envs;
	if (cache_list_envs(c, &envs, &n_envs, err))
		return -1;
	sqlite3_stmt *st = store_prepare(c,
		"SELECT ch.env_id, ch.activity_id, ch.teams_chat_id, ch.statecode, ch.modifiedinteamson FROM chats ch"
		" UNION ALL SELECT a.env_id, NULL, a.teams_chat_id, -1, g.last_updated FROM associations a"
		" LEFT JOIN graph_chats g ON g.teams_chat_id = a.teams_chat_id WHERE" STORE_ASSOC_LISTED_WHERE, err);
	return walk_chats(c, st, true, envs, n_envs, fn, user, err);
}

struct candidate {
	char *env_id, *activity_id, *teams_chat_id;
};

static char *id_match(const char *col, bool prefix)
{
	return prefix ? xasprintf("%s >= ?1 AND %s < ?1 || char(1114111)", col, col) : xasprintf("%s = ?1", col);
}

/* Chats whose activity id or Teams chat id is key (exact), or starts with it (prefix). Both halves
 * use an index: the ids are compared as ranges, [key, key + U+10FFFF), never with substr(). */
static size_t find_candidates(struct cache *c, const char *key, bool prefix, struct candidate *out, size_t max,
			      struct cs_error *err)
{
	char *m_act = id_match("activity_id", prefix), *m_chat = id_match("teams_chat_id", prefix),
	     *m_assoc = id_match("a.teams_chat_id", prefix);
	char *sql = xasprintf("SELECT env_id, activity_id, teams_chat_id FROM chats WHERE %s"
			      " UNION SELECT env_id, activity_id, teams_chat_id FROM chats WHERE %s"
			      " UNION ALL SELECT a.env_id, NULL, a.teams_chat_id FROM associations a WHERE %s"
			      " AND" STORE_ASSOC_LISTED_WHERE " LIMIT %zu",
			      m_act, m_chat, m_assoc, max);
	free(m_act);
	free(m_chat);
	free(m_assoc);
	sqlite3_stmt *st = store_prepare(c, sql, err);
	free(sql);
	size_t n = 0;
	if (!st)
		return (size_t)-1;
	store_bind_text(st, 1, key);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		out[n].env_id = store_col_text(st, 0);
		out[n].activity_id = store_col_text(st, 1);
		out[n].teams_chat_id = store_col_text(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void load_assoc(struct cache *c, struct cache_facts *f, const char *env_id, const char *teams_chat_id)
{
	/* The newest association wins: a chat unlinked and linked again has both. */
	sqlite3_stmt *st = store_prepare(c, "SELECT " STORE_ASSOC_COLUMNS " FROM associations a WHERE a.rowid = "
					 STORE_NEWEST_ASSOC("?1", "?2"), NULL);
	if (!st)
		return;
	store_bind_text(st, 1, env_id);
	store_bind_text(st, 2, teams_chat_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->has_assoc = true;
		store_read_assoc(st, 0, &f->assoc);
	}
	sqlite3_finalize(st);
}

static void load_errors(struct cache *c, struct cache_facts *f, const char *activity_id)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT " STORE_SYNC_ERROR_COLUMNS " FROM sync_errors s"
					 " WHERE s.regarding_id = ? ORDER BY s.time", NULL);
	if (!st)
		return;
	store_bind_text(st, 1, activity_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		f->errors = xrealloc(f->errors, (f->n_errors + 1) * sizeof *f->errors);
		store_read_sync_error(st, 0, &f->errors[f->n_errors++]);
	}
	sqlite3_finalize(st);
}

static int load_chat_row(struct cache *c, struct cache_facts *f, const char *activity_id, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, CHAT_ROW_SELECT " WHERE ch.activity_id = ?1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, activity_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		store_read_chat(st, 0, &f->chat);
		f->has_chat = true;
	}
	sqlite3_finalize(st);
	return 0;
}

int cache_load_facts(struct cache *c, const char *key, struct cache_facts *f, struct cs_error *err)
{
	memset(f, 0, sizeof *f);
	struct candidate cand[6];
	size_t n = find_candidates(c, key, false, cand, 6, err);
	if (n == 0)
		n = find_candidates(c, key, true, cand, 6, err);
	if (n == (size_t)-1)
		return -1;
	int ret = 0;
	if (n == 0) {
		ret = cs_fail(err, CS_EXIT_USAGE,
			      _("no chat \"%s\" in the cache (give a Teams chat id, an activity id or a unique prefix; "
				"see: chatsync chats)"), key);
	} else if (n > 1) {
		ret = cs_fail(err, CS_EXIT_USAGE, _("\"%s\" matches %s%zu chats, e.g. %s and %s (give more of the id)"),
			      key, n == 6 ? _("at least ") : "", n, cand[0].activity_id ? cand[0].activity_id : cand[0].teams_chat_id,
			      cand[1].activity_id ? cand[1].activity_id : cand[1].teams_chat_id);
	} else if (!store_get_env(c, cand[0].env_id, &f->env)) {
		ret = cs_fail(err, CS_EXIT_CACHE, _("cache %s: chat %s names an environment it does not hold (run: chatsync refresh)"),
			      c->path, key);
	} else if (!cand[0].activity_id || load_chat_row(c, f, cand[0].activity_id, err) == 0) {
		load_assoc(c, f, cand[0].env_id, cand[0].teams_chat_id);
		if (cand[0].activity_id)
			load_errors(c, f, cand[0].activity_id);
		if (cand[0].teams_chat_id)
			f->has_graph = cache_get_graph_chat(c, cand[0].teams_chat_id, &f->graph);
		f->has_rsc = cache_get_rsc(c, &f->rsc);
		cache_facts_since(c, f);
	} else {
		ret = -1;
	}
	for (size_t i = 0; i < n; i++) {
		free(cand[i].env_id);
		free(cand[i].activity_id);
		free(cand[i].teams_chat_id);
	}
	if (ret)
		cache_facts_free(f);
	return ret;
}

void cache_facts_free(struct cache_facts *f)
{
	cs_env_free(&f->env);
	cs_chat_free(&f->chat);
	cs_assoc_free(&f->assoc);
	for (size_t i = 0; i < f->n_errors; i++)
		cs_sync_error_free(&f->errors[i]);
	free(f->errors);
	cs_graph_chat_free(&f->graph);
	cs_rsc_free(&f->rsc);
	memset(f, 0, sizeof *f);
}
