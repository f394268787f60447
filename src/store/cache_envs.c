/* Environments, delta links, Graph chat details and the tenant RSC state. */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void store_read_env(sqlite3_stmt *st, int col, struct cs_env *e)
{
	memset(e, 0, sizeof *e);
	e->id = store_col_text(st, col + 0);
	e->unique_name = store_col_text(st, col + 1);
	e->friendly_name = store_col_text(st, col + 2);
	e->url = store_col_text(st, col + 3);
	e->api_url = store_col_text(st, col + 4);
	e->state = store_col_int(st, col + 5, 0);
	e->purpose = store_col_text(st, col + 6);
	e->organization_id = store_col_text(st, col + 7);
	e->sync_enabled = store_col_int(st, col + 8, CS_UNKNOWN);
	e->inactivity_days = store_col_int(st, col + 9, 0);
	e->org_etag = store_col_text(st, col + 10);
	e->org_fetched_at = store_col_time(st, col + 11);
	e->refreshed_at = store_col_time(st, col + 12);
	e->last_error = store_col_text(st, col + 13);
}

int cache_put_env(struct cache *c, const struct cs_env *e, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"INSERT INTO environments(id, unique_name, friendly_name, url, api_url, state, purpose, organization_id,"
		" sync_enabled, inactivity_days, org_etag, org_fetched_at, refreshed_at, last_error)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"
		" ON CONFLICT(id) DO UPDATE SET unique_name=?2, friendly_name=?3, url=?4, api_url=?5, state=?6,"
		" purpose=?7, organization_id=?8, sync_enabled=?9, inactivity_days=?10, org_etag=?11,"
		" org_fetched_at=?12, refreshed_at=?13, last_error=?14", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, e->id);
	store_bind_text(st, 2, e->unique_name);
	store_bind_text(st, 3, e->friendly_name);
	store_bind_text(st, 4, e->url);
	store_bind_text(st, 5, e->api_url);
	sqlite3_bind_int(st, 6, e->state);
	store_bind_text(st, 7, e->purpose);
	store_bind_text(st, 8, e->organization_id);
	store_bind_int(st, 9, e->sync_enabled, CS_UNKNOWN);
	store_bind_int(st, 10, e->inactivity_days, 0);
	store_bind_text(st, 11, e->org_etag);
	store_bind_time(st, 12, e->org_fetched_at);
	store_bind_time(st, 13, e->refreshed_at);
	store_bind_text(st, 14, e->last_error);
	return store_run(c, st, err);
}

int cache_set_env_error(struct cache *c, const char *env_id, const char *error, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"UPDATE environments SET last_error = ?2, last_error_at = strftime('%s','now') WHERE id = ?1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	store_bind_text(st, 2, error);
	return store_run(c, st, err);
}

int cache_set_env_sync(struct cache *c, const char *env_id, bool enabled, const char *etag, cs_time at,
		       struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"UPDATE environments SET sync_enabled = ?2, org_etag = ?3, org_fetched_at = ?4 WHERE id = ?1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	sqlite3_bind_int(st, 2, enabled);
	store_bind_text(st, 3, etag);
	store_bind_time(st, 4, at);
	return store_run(c, st, err);
}

static int read_envs(struct cache *c, sqlite3_stmt *st, struct cs_env **out, size_t *n, struct cs_error *err)
{
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xgrow(*out, &cap, *n, sizeof **out);
		store_read_env(st, 0, &(*out)[(*n)++]);
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(c, err, "read environments");
	sqlite3_finalize(st);
	return ret;
}

int cache_list_envs(struct cache *c, struct cs_env **out, size_t *n, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT " STORE_ENV_COLUMNS " FROM environments e ORDER BY e.unique_name",
					 err);
	if (!st)
		return -1;
	return read_envs(c, st, out, n, err);
}

int store_get_env(struct cache *c, const char *env_id, struct cs_env *out)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT " STORE_ENV_COLUMNS " FROM environments e WHERE e.id = ?", NULL);
	if (!st)
		return 0;
	store_bind_text(st, 1, env_id);
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		store_read_env(st, 0, out);
	sqlite3_finalize(st);
	return found;
}

int cache_find_env(struct cache *c, const char *key, struct cs_env *out, struct cs_error *err)
{
	sqlite3_stmt *st = store_prepare(c,
		"SELECT " STORE_ENV_COLUMNS " FROM environments e WHERE e.unique_name = ?1 COLLATE NOCASE"
		" OR e.friendly_name = ?1 COLLATE NOCASE OR e.id = ?1 COLLATE NOCASE ORDER BY e.unique_name", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	struct cs_env *envs;
	size_t n;
	if (read_envs(c, st, &envs, &n, err))
		return -1;
	int ret = 0;
	if (n == 1) {
		*out = envs[0];
	} else if (n == 0) {
		ret = cs_fail(err, CS_EXIT_USAGE,
			      _("no environment \"%s\" in the cache (see: chatsync envs; or run: chatsync refresh)"), key);
	} else {
		ret = cs_fail(err, CS_EXIT_USAGE, _("\"%s\" names %zu environments (use the unique name, e.g. %s)"), key,
			      n, envs[0].unique_name);
	}
	for (size_t i = (n == 1); i < n; i++)
		cs_env_free(&envs[i]);
	free(envs);
	return ret;
}

int cache_env_chat_count(struct cache *c, const char *env_id)
{
	sqlite3_stmt *st = store_prepare(c,
		"SELECT (SELECT count(*) FROM chats WHERE env_id = ?1) + (SELECT count(*) FROM associations a"
		" WHERE a.env_id = ?1 AND" STORE_ASSOC_LISTED_WHERE ")", NULL); /* as the chat list counts */
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

char *cache_get_delta(struct cache *c, const char *env_id, const char *table)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT link FROM delta_links WHERE env_id = ? AND entity = ?", NULL);
	if (!st)
		return NULL;
	store_bind_text(st, 1, env_id);
	store_bind_text(st, 2, table);
	char *link = sqlite3_step(st) == SQLITE_ROW ? store_col_text(st, 0) : NULL;
	sqlite3_finalize(st);
	return link;
}

int cache_set_delta(struct cache *c, const char *env_id, const char *table, const char *link,
		    struct cs_error *err)
{
	sqlite3_stmt *st = link ? store_prepare(c,
		"INSERT OR REPLACE INTO delta_links(env_id, entity, link, saved_at) VALUES(?,?,?,strftime('%s','now'))",
		err) : store_prepare(c, "DELETE FROM delta_links WHERE env_id = ? AND entity = ?", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, env_id);
	store_bind_text(st, 2, table);
	if (link)
		store_bind_text(st, 3, link);
	return store_run(c, st, err);
}

int cache_put_graph_chat(struct cache *c, const struct cs_graph_chat *g, struct cs_error *err)
{
	sqlite3_stmt *st = store_cached(c, STMT_GRAPH_PUT,
		"INSERT OR REPLACE INTO graph_chats(teams_chat_id, chat_status, topic, chat_type, last_updated,"
		" chat_fetched_at, chat_error, apps_status, app_installed, app_client_id, app_name, apps_fetched_at,"
		" apps_error, grants_status, app_has_grant, n_grants, grants_fetched_at, grants_error, not_member)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, g->teams_chat_id);
	store_bind_int(st, 2, g->chat_status, 0);
	store_bind_text(st, 3, g->topic);
	store_bind_text(st, 4, g->chat_type);
	store_bind_time(st, 5, g->last_updated);
	store_bind_time(st, 6, g->chat_fetched_at);
	store_bind_text(st, 7, g->chat_error);
	store_bind_int(st, 8, g->apps_status, 0);
	store_bind_int(st, 9, g->app_installed, CS_UNKNOWN);
	store_bind_text(st, 10, g->app_client_id);
	store_bind_text(st, 11, g->app_name);
	store_bind_time(st, 12, g->apps_fetched_at);
	store_bind_text(st, 13, g->apps_error);
	store_bind_int(st, 14, g->grants_status, 0);
	store_bind_int(st, 15, g->app_has_grant, CS_UNKNOWN);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)g->n_grants);
	store_bind_time(st, 17, g->grants_fetched_at);
	store_bind_text(st, 18, g->grants_error);
	sqlite3_bind_int(st, 19, g->not_member);
	return store_step(c, st, err);
}

void store_read_graph(sqlite3_stmt *st, int col, struct cs_graph_chat *g)
{
	memset(g, 0, sizeof *g);
	g->teams_chat_id = store_col_text(st, col + 0);
	g->chat_status = store_col_int(st, col + 1, 0);
	g->topic = store_col_text(st, col + 2);
	g->chat_type = store_col_text(st, col + 3);
	g->last_updated = store_col_time(st, col + 4);
	g->chat_fetched_at = store_col_time(st, col + 5);
	g->chat_error = store_col_text(st, col + 6);
	g->apps_status = store_col_int(st, col + 7, 0);
	g->app_installed = store_col_int(st, col + 8, CS_UNKNOWN);
	g->app_client_id = store_col_text(st, col + 9);
	g->app_name = store_col_text(st, col + 10);
	g->apps_fetched_at = store_col_time(st, col + 11);
	g->apps_error = store_col_text(st, col + 12);
	g->grants_status = store_col_int(st, col + 13, 0);
	g->app_has_grant = store_col_int(st, col + 14, CS_UNKNOWN);
	g->n_grants = (size_t)store_col_int(st, col + 15, 0);
	g->grants_fetched_at = store_col_time(st, col + 16);
	g->grants_error = store_col_text(st, col + 17);
	g->not_member = store_col_int(st, col + 18, 0) != 0;
}

int cache_get_graph_chat(struct cache *c, const char *teams_chat_id, struct cs_graph_chat *g)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT " STORE_GRAPH_COLUMNS " FROM graph_chats g WHERE g.teams_chat_id = ?",
					 NULL);
	if (!st)
		return 0;
	store_bind_text(st, 1, teams_chat_id);
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		store_read_graph(st, 0, g);
	sqlite3_finalize(st);
	return found;
}

/* Policies are stored one per line: they are ids without newlines. Each source is a row of rsc_facts. */
int cache_put_rsc(struct cache *c, const struct cs_rsc *r, struct cs_error *err)
{
	struct buf pol;
	buf_init(&pol);
	for (size_t i = 0; i < r->n_policies; i++)
		buf_printf(&pol, "%s%s", i ? "\n" : "", r->policies[i]);
	sqlite3_stmt *st = store_prepare(c,
		"INSERT OR REPLACE INTO tenant_rsc(id, state, source, policies, http_status, error, fetched_at, decided_by,"
		" missing, chat_rsc_enabled, app_covered, app_covered_reason) VALUES(1,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (!st) {
		buf_free(&pol);
		return -1;
	}
	sqlite3_bind_int(st, 1, r->state);
	store_bind_text(st, 2, r->source);
	store_bind_text(st, 3, pol.data ? pol.data : "");
	store_bind_int(st, 4, r->http_status, 0);
	store_bind_text(st, 5, r->error);
	store_bind_time(st, 6, r->fetched_at);
	store_bind_text(st, 7, r->decided_by);
	store_bind_text(st, 8, r->missing);
	store_bind_int(st, 9, r->chat_rsc_enabled, CS_UNKNOWN);
	store_bind_int(st, 10, r->app_covered, CS_UNKNOWN);
	store_bind_text(st, 11, r->app_covered_reason);
	buf_free(&pol);
	if (store_run(c, st, err))
		return -1;
	for (int i = 0; i < CS_RSC_N_SOURCES; i++) {
		st = store_prepare(c, "INSERT OR REPLACE INTO rsc_facts(source, http_status, error, fetched_at) VALUES(?,?,?,?)",
				   err);
		if (!st)
			return -1;
		store_bind_text(st, 1, cs_rsc_source_name(i));
		sqlite3_bind_int(st, 2, r->facts[i].http_status);
		store_bind_text(st, 3, r->facts[i].error);
		store_bind_time(st, 4, r->facts[i].fetched_at);
		if (store_run(c, st, err))
			return -1;
	}
	return 0;
}

static void read_rsc_facts(struct cache *c, struct cs_rsc *r)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT source, http_status, error, fetched_at FROM rsc_facts", NULL);
	if (!st)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int i = cs_rsc_source_parse((const char *)sqlite3_column_text(st, 0));
		if (i < 0)
			continue;
		free(r->facts[i].error);
		r->facts[i].http_status = store_col_int(st, 1, 0);
		r->facts[i].error = store_col_text(st, 2);
		r->facts[i].fetched_at = store_col_time(st, 3);
	}
	sqlite3_finalize(st);
}

int cache_get_rsc(struct cache *c, struct cs_rsc *r)
{
	sqlite3_stmt *st = store_prepare(c,
		"SELECT state, source, policies, http_status, error, fetched_at, decided_by, missing, chat_rsc_enabled,"
		" app_covered, app_covered_reason FROM tenant_rsc WHERE id = 1", NULL);
	if (!st)
		return 0;
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		memset(r, 0, sizeof *r);
		r->state = store_col_int(st, 0, CS_RSC_UNKNOWN);
		r->source = store_col_text(st, 1);
		char *pol = store_col_text(st, 2);
		for (char *save = NULL, *tok = pol ? strtok_r(pol, "\n", &save) : NULL; tok;
		     tok = strtok_r(NULL, "\n", &save)) {
			r->policies = xrealloc(r->policies, (r->n_policies + 1) * sizeof *r->policies);
			r->policies[r->n_policies++] = xstrdup(tok);
		}
		free(pol);
		r->http_status = store_col_int(st, 3, 0);
		r->error = store_col_text(st, 4);
		r->fetched_at = store_col_time(st, 5);
		r->decided_by = store_col_text(st, 6);
		r->missing = store_col_text(st, 7);
		r->chat_rsc_enabled = store_col_int(st, 8, CS_UNKNOWN);
		r->app_covered = store_col_int(st, 9, CS_UNKNOWN);
		r->app_covered_reason = store_col_text(st, 10);
	}
	sqlite3_finalize(st);
	if (found)
		read_rsc_facts(c, r);
	return found;
}

char *cache_chat_sync_client_id(struct cache *c)
{
	sqlite3_stmt *st = store_prepare(c, "SELECT app_client_id FROM graph_chats WHERE app_installed = 1 AND"
					 " app_client_id IS NOT NULL AND app_client_id <> '' LIMIT 1", NULL);
	if (!st)
		return NULL;
	char *id = sqlite3_step(st) == SQLITE_ROW ? store_col_text(st, 0) : NULL;
	sqlite3_finalize(st);
	return id;
}
