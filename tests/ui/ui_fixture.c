/* Fills a cache for the console tests through the store API, as a refresh would: three
 * environments (sync on, off, unknown with a refresh error) and chats in the situations the
 * console must tell apart. Times are relative to 2026-11-14T09:12:00Z (run with CHATSYNC_NOW).
 * Usage: ui_fixture CACHE [BULK_CHATS] */
#include "config.h"
#include "store/cache.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW ((cs_time)1794647520)
#define MIN ((cs_time)60)
#define HOUR ((cs_time)3600)
#define DAY ((cs_time)86400)

static struct cache *cache;
static struct cs_error err;

static void check(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "ui_fixture: %s: %s\n", what, err.msg);
		exit(1);
	}
}

static void env(const char *id, const char *name, const char *friendly, int sync, int days, cs_time refreshed,
		const char *error)
{
	struct cs_env e = { .id = (char *)id, .unique_name = (char *)name, .friendly_name = (char *)friendly,
			    .url = (char *)"https://example.crm.dynamics.com", .sync_enabled = sync,
			    .inactivity_days = days, .org_fetched_at = refreshed, .refreshed_at = refreshed };
	check(cache_put_env(cache, &e, &err), "put env");
	if (error)
		check(cache_set_env_error(cache, id, error, &err), "set env error");
}

/* A Graph record that says the app is installed and granted: nothing there to complain about. */
static void graph_ok(const char *chat_id, const char *topic, cs_time last_updated)
{
	struct cs_graph_chat g = {
		.teams_chat_id = (char *)chat_id, .chat_status = 200, .topic = (char *)topic,
		.chat_type = (char *)"group", .last_updated = last_updated, .chat_fetched_at = NOW - 5 * MIN,
		.apps_status = 200, .app_installed = CS_TRUE, .app_client_id = (char *)"cccccccc-0000-0000-0000-000000000001",
		.app_name = (char *)"Dataverse Chat Sync", .apps_fetched_at = NOW - 5 * MIN, .grants_status = 200,
		.app_has_grant = CS_TRUE, .n_grants = 2, .grants_fetched_at = NOW - 5 * MIN,
	};
	check(cache_put_graph_chat(cache, &g, &err), "put graph chat");
}

static void assoc(const char *id, const char *env_id, const char *chat_id)
{
	struct cs_assoc a = { .id = (char *)id, .env_id = (char *)env_id, .teams_chat_id = (char *)chat_id,
			      .regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001",
			      .regarding_table = (char *)"account", .record_state = CS_ASSOC_ASSOCIATE,
			      .created_on = NOW - 20 * DAY, .modified_on = NOW - 20 * DAY, .fetched_at = NOW - 5 * MIN };
	check(cache_put_assoc(cache, &a, &err), "put assoc");
}

static void chat(const char *env_id, const char *activity, const char *chat_id, const char *subject, int state,
		 cs_time modified, const char *p1, const char *p2)
{
	struct cs_party parties[2] = { { .name = (char *)p1 }, { .name = (char *)p2 } };
	struct cs_chat c = {
		.env_id = (char *)env_id, .activity_id = (char *)activity, .teams_chat_id = (char *)chat_id,
		.subject = (char *)subject, .state = state, .status_code = state == CS_STATE_OPEN ? 1 : 2,
		.sync_status = CS_SYNC_ENABLED, .modified_in_teams_on = modified, .linked_on = NOW - 20 * DAY,
		.regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001", .regarding_type = (char *)"account",
		.created_on = NOW - 20 * DAY, .modified_on = modified, .fetched_at = NOW - 5 * MIN,
		.parties = parties, .n_parties = p2 ? 2 : p1 ? 1 : 0,
	};
	check(cache_put_chat(cache, &c, &err), "put chat");
	char *aid = xasprintf("assoc-%s", activity);
	assoc(aid, env_id, chat_id);
	free(aid);
	graph_ok(chat_id, subject, modified);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ui_fixture CACHE [BULK_CHATS [edge]]\n");
		return 2;
	}
	cache = cache_open(argv[1], 0, &err);
	if (!cache) {
		fprintf(stderr, "ui_fixture: %s\n", err.msg);
		return 1;
	}
	check(cache_begin(cache, &err), "begin");
	env("e-sales", "sales", "Contoso Sales", CS_TRUE, 7, NOW - 5 * MIN, NULL);
	env("e-support", "support", "Support Desk", CS_FALSE, 14, NOW - 5 * MIN, NULL);
	env("e-trial", "trial", "Trial Env", CS_UNKNOWN, 0, 0,
	    "Dataverse answered 403 Forbidden (ask for the System Administrator role)");

	chat("e-sales", "a-deal", "19:deal@thread.v2", "Deal room Fabrikam", CS_STATE_OPEN, NOW - 1 * DAY,
	     "Alice Example", "Bob Builder");
	chat("e-sales", "a-renewal", "19:renewal@thread.v2", "Renewal Northwind", CS_STATE_OPEN,
	     NOW - 6 * DAY - 12 * HOUR, "Carol Jones", NULL);
	chat("e-sales", "a-old", "19:old@thread.v2", "Old escalation", CS_STATE_COMPLETED, NOW - 30 * DAY,
	     "Dan Smith", NULL);
	chat("e-sales", "a-cjk", "19:cjk@thread.v2", "漢字チャット会議室の長い名前", CS_STATE_OPEN, NOW - 2 * HOUR,
	     "山田太郎", "Eve Adams");
	/* Connected while sync was off: an association and Graph's view, but no activity row. */
	assoc("assoc-before", "e-sales", "19:before@thread.v2");
	graph_ok("19:before@thread.v2", "Connected too early", NOW - 40 * DAY);

	chat("e-support", "a-printer", "19:printer@thread.v2", "Printer on fire", CS_STATE_OPEN, NOW - 3 * HOUR,
	     "Frank Ocean", NULL);
	/* A topic with an escape sequence: the console must show it as text, never send it. */
	chat("e-support", "a-evil", "19:evil@thread.v2", "Evil \x1b[31mred\x1b[0m topic", CS_STATE_OPEN, NOW - 4 * HOUR,
	     "Grace Hopper", NULL);

	int bulk = argc > 2 ? atoi(argv[2]) : 0;
	if (bulk > 0)
		env("e-bulk", "bulk", "Bulk Load", CS_TRUE, 7, NOW - 5 * MIN, NULL);
	for (int i = 0; i < bulk; i++) {
		char act[32], id[48], subject[48];
		snprintf(act, sizeof act, "a-bulk-%05d", i);
		snprintf(id, sizeof id, "19:bulk%05d@thread.v2", i);
		snprintf(subject, sizeof subject, "Bulk chat %05d", i);
		chat("e-bulk", act, id, subject, i % 7 == 0 ? CS_STATE_COMPLETED : CS_STATE_OPEN, NOW - (cs_time)i * HOUR,
		     "Bulk Person", NULL);
	}

	/* "edge": a chat of its own environment that passes its 7-day limit 4 s after NOW. */
	if (argc > 3 && strcmp(argv[3], "edge") == 0) {
		env("e-edge", "edge", "Edge Case", CS_TRUE, 7, NOW - 5 * MIN, NULL);
		chat("e-edge", "a-edge", "19:edge@thread.v2", "Nearly quiet too long", CS_STATE_OPEN, NOW - 7 * DAY + 4,
		     "Carol Jones", NULL);
	}

	struct cs_rsc rsc = { .state = CS_RSC_ENABLED_FOR_ALL_APPS, .source = (char *)"authorizationPolicy",
			      .http_status = 200, .fetched_at = NOW - 10 * MIN };
	check(cache_put_rsc(cache, &rsc, &err), "put rsc");
	/* The rows went in by hand, so no commit kept each environment's number of chats: as a refresh's do. */
	check(cache_env_keep_count(cache, NULL, &err), "keep the counts");
	check(cache_commit(cache, &err), "commit");
	cache_close(cache);
	return 0;
}
