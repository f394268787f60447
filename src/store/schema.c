/* Forward-only migrations. Migration i takes a cache from user_version i to i + 1; a released
 * migration is never edited, only followed by a new one. */
#include "config.h"
#include "store/schema.h"
#include <stddef.h>

static const char *const migrations[] = {
	/* 0 → 1: the first cache. */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
	"CREATE TABLE environments(\n"
	"  id TEXT PRIMARY KEY, unique_name TEXT NOT NULL, friendly_name TEXT, url TEXT, api_url TEXT,\n"
	"  state INTEGER, purpose TEXT, organization_id TEXT, sync_enabled INTEGER, inactivity_days INTEGER,\n"
	"  org_etag TEXT, org_fetched_at INTEGER, refreshed_at INTEGER, last_error TEXT);\n"
	"CREATE TABLE chats(\n"
	"  activity_id TEXT PRIMARY KEY,\n"
	"  env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,\n"
	"  teams_chat_id TEXT, subject TEXT, statecode INTEGER, statuscode INTEGER, syncstatus INTEGER,\n"
	"  lastsyncerror INTEGER, modifiedinteamson INTEGER, modifiedinteamsby TEXT, linkedon INTEGER,\n"
	"  linkedby TEXT, unlinkedon INTEGER, unlinkedby TEXT, regarding_id TEXT, regarding_type TEXT,\n"
	"  createdon INTEGER, modifiedon INTEGER, fetched_at INTEGER);\n"
	"CREATE INDEX chats_by_env_state ON chats(env_id, statecode);\n"
	"CREATE INDEX chats_by_teams_id ON chats(teams_chat_id);\n"
	"CREATE TABLE participants(\n"
	"  activity_id TEXT NOT NULL REFERENCES chats(activity_id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL, party_id TEXT, name TEXT, deleted INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY(activity_id, seq));\n"
	"CREATE TABLE associations(\n"
	"  id TEXT PRIMARY KEY, env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,\n"
	"  teams_chat_id TEXT, regarding_id TEXT, regarding_table TEXT, record_state INTEGER, statecode INTEGER,\n"
	"  created_on INTEGER, modified_on INTEGER, fetched_at INTEGER);\n"
	"CREATE INDEX associations_by_teams_id ON associations(teams_chat_id);\n"
	"CREATE TABLE sync_errors(\n"
	"  id TEXT PRIMARY KEY, env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,\n"
	"  regarding_id TEXT, errorcode INTEGER, message TEXT, time INTEGER, type INTEGER, fetched_at INTEGER);\n"
	"CREATE INDEX sync_errors_by_regarding ON sync_errors(regarding_id);\n"
	"CREATE TABLE graph_chats(\n"
	"  teams_chat_id TEXT PRIMARY KEY, chat_status INTEGER, topic TEXT, chat_type TEXT, last_updated INTEGER,\n"
	"  chat_fetched_at INTEGER, chat_error TEXT, apps_status INTEGER, app_installed INTEGER,\n"
	"  app_client_id TEXT, app_name TEXT, apps_fetched_at INTEGER, apps_error TEXT, grants_status INTEGER,\n"
	"  app_has_grant INTEGER, n_grants INTEGER, grants_fetched_at INTEGER, grants_error TEXT);\n"
	"CREATE TABLE tenant_rsc(\n"
	"  id INTEGER PRIMARY KEY CHECK (id = 1), state INTEGER, source TEXT, policies TEXT,\n"
	"  http_status INTEGER, error TEXT, fetched_at INTEGER);\n"
	"CREATE TABLE refresh_runs(\n"
	"  id INTEGER PRIMARY KEY, started_at INTEGER, finished_at INTEGER, result TEXT, requests INTEGER,\n"
	"  throttled INTEGER, errors INTEGER, message TEXT);\n"
	"CREATE TABLE audit(\n"
	"  id INTEGER PRIMARY KEY, time INTEGER NOT NULL, profile TEXT, identity TEXT, environment TEXT,\n"
	"  old_value TEXT, new_value TEXT, request_id TEXT, result TEXT NOT NULL);\n",

	/* 1 → 2: change tracking (delta links per environment and table) and the age-ordered chat list. */
	"CREATE TABLE delta_links(\n"
	"  env_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE, entity TEXT NOT NULL,\n"
	"  link TEXT NOT NULL, saved_at INTEGER, PRIMARY KEY(env_id, entity));\n"
	"CREATE INDEX chats_by_modified ON chats(env_id, modifiedinteamson);\n"
	"ALTER TABLE environments ADD COLUMN last_error_at INTEGER;\n",

	/* 2 → 3: finding a connected chat's activity row by environment and Teams chat id (the chat list's
	 * "no activity row" test) without scanning the environment's chats for every association. */
	"CREATE INDEX chats_by_env_teams_id ON chats(env_id, teams_chat_id);\n",

	/* 3 → 4: a chat's newest association by environment and Teams chat id, for the facts of every chat
	 * in one pass (and the chat list's one row per chat without an activity row). */
	"CREATE INDEX associations_by_env_chat ON associations(env_id, teams_chat_id, modified_on);\n",

	/* 4 → 5: history. facts_seen holds what each chat, environment and the tenant last showed and since
	 * when (first: held since the subject was first seen);
	 * history every change of verdict and of the facts behind it, with the refresh's time;
	 * check_seen the findings the last `check` reported per chat (for `check --new`). */
	"CREATE TABLE facts_seen(\n"
	"  scope INTEGER NOT NULL, id TEXT NOT NULL, fact TEXT NOT NULL, env_id TEXT, value TEXT, rule TEXT,\n"
	"  since INTEGER, first INTEGER NOT NULL DEFAULT 1, PRIMARY KEY(scope, id, fact)) WITHOUT ROWID;\n"
	"CREATE TABLE history(\n"
	"  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,\n"
	"  env_id TEXT, fact TEXT NOT NULL, old_value TEXT, new_value TEXT, rule TEXT);\n"
	"CREATE INDEX history_by_id ON history(id, time);\n"
	"CREATE INDEX history_by_env ON history(env_id, time);\n"
	"CREATE INDEX history_by_time ON history(time);\n"
	"CREATE TABLE check_seen(id TEXT PRIMARY KEY, findings TEXT) WITHOUT ROWID;\n",

	/* 5 → 6: the chat RSC state from every source Get-MgBetaChatRscConfiguration reads, each source a
	 * fact with its fetch time (rsc_facts), and whether the Dataverse Chat Sync app is covered. */
	"ALTER TABLE tenant_rsc ADD COLUMN decided_by TEXT;\n"
	"ALTER TABLE tenant_rsc ADD COLUMN missing TEXT;\n"
	"ALTER TABLE tenant_rsc ADD COLUMN chat_rsc_enabled INTEGER;\n"
	"ALTER TABLE tenant_rsc ADD COLUMN app_covered INTEGER;\n"
	"ALTER TABLE tenant_rsc ADD COLUMN app_covered_reason TEXT;\n"
	"CREATE TABLE rsc_facts(\n"
	"  source TEXT PRIMARY KEY, http_status INTEGER, error TEXT, fetched_at INTEGER) WITHOUT ROWID;\n",

	/* 6 → 7: a delegated sign-in's 403 on a chat it is not a member of (Graph shows a user only its own
	 * chats), kept apart from a missing permission. */
	"ALTER TABLE graph_chats ADD COLUMN not_member INTEGER NOT NULL DEFAULT 0;\n",
	/* 7 → 8: a refresh writes each Dataverse page as it comes, tagged with its generation, and makes an
	 * environment's new rows visible at once when that environment is read (its *_gen columns); rows of
	 * any other generation are pending (being written) or superseded (being purged), and no reader sees
	 * them: the old table names are views of the visible rows. Participants carry their environment so
	 * an environment's rows of a generation can be found and dropped with one index; the indexes that
	 * lead with the environment end with the generation, so the views' test needs no row lookup. Each view keeps its rows' rowid. */
	"ALTER TABLE environments ADD COLUMN chats_gen INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE environments ADD COLUMN assocs_gen INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE environments ADD COLUMN errors_gen INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE TABLE chat_rows(\n"
	"  activity_id TEXT NOT NULL, gen INTEGER NOT NULL DEFAULT 0, env_id TEXT NOT NULL,\n"
	"  teams_chat_id TEXT, subject TEXT, statecode INTEGER, statuscode INTEGER, syncstatus INTEGER,\n"
	"  lastsyncerror INTEGER, modifiedinteamson INTEGER, modifiedinteamsby TEXT, linkedon INTEGER,\n"
	"  linkedby TEXT, unlinkedon INTEGER, unlinkedby TEXT, regarding_id TEXT, regarding_type TEXT,\n"
	"  createdon INTEGER, modifiedon INTEGER, fetched_at INTEGER, PRIMARY KEY(activity_id, gen));\n"
	"INSERT INTO chat_rows(activity_id, env_id, teams_chat_id, subject, statecode, statuscode, syncstatus,\n"
	"  lastsyncerror, modifiedinteamson, modifiedinteamsby, linkedon, linkedby, unlinkedon, unlinkedby,\n"
	"  regarding_id, regarding_type, createdon, modifiedon, fetched_at)\n"
	"  SELECT activity_id, env_id, teams_chat_id, subject, statecode, statuscode, syncstatus,\n"
	"  lastsyncerror, modifiedinteamson, modifiedinteamsby, linkedon, linkedby, unlinkedon, unlinkedby,\n"
	"  regarding_id, regarding_type, createdon, modifiedon, fetched_at FROM chats;\n"
	"CREATE TABLE party_rows(\n"
	"  activity_id TEXT NOT NULL, gen INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, env_id TEXT NOT NULL,\n"
	"  party_id TEXT, name TEXT, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(activity_id, gen, seq));\n"
	"INSERT INTO party_rows(activity_id, seq, env_id, party_id, name, deleted)\n"
	"  SELECT p.activity_id, p.seq, c.env_id, p.party_id, p.name, p.deleted\n"
	"  FROM participants p JOIN chats c ON c.activity_id = p.activity_id;\n"
	"CREATE TABLE assoc_rows(\n"
	"  id TEXT NOT NULL, gen INTEGER NOT NULL DEFAULT 0, env_id TEXT NOT NULL, teams_chat_id TEXT,\n"
	"  regarding_id TEXT, regarding_table TEXT, record_state INTEGER, statecode INTEGER, created_on INTEGER,\n"
	"  modified_on INTEGER, fetched_at INTEGER, PRIMARY KEY(id, gen));\n"
	"INSERT INTO assoc_rows(id, env_id, teams_chat_id, regarding_id, regarding_table, record_state, statecode,\n"
	"  created_on, modified_on, fetched_at) SELECT id, env_id, teams_chat_id, regarding_id, regarding_table,\n"
	"  record_state, statecode, created_on, modified_on, fetched_at FROM associations;\n"
	"CREATE TABLE error_rows(\n"
	"  id TEXT NOT NULL, gen INTEGER NOT NULL DEFAULT 0, env_id TEXT NOT NULL, regarding_id TEXT,\n"
	"  errorcode INTEGER, message TEXT, time INTEGER, type INTEGER, fetched_at INTEGER, PRIMARY KEY(id, gen));\n"
	"INSERT INTO error_rows(id, env_id, regarding_id, errorcode, message, time, type, fetched_at)\n"
	"  SELECT id, env_id, regarding_id, errorcode, message, time, type, fetched_at FROM sync_errors;\n"
	"DROP TABLE participants;\n"
	"DROP TABLE chats;\n"
	"DROP TABLE associations;\n"
	"DROP TABLE sync_errors;\n"
	"CREATE INDEX chat_rows_by_env_gen ON chat_rows(env_id, gen);\n"
	"CREATE INDEX chats_by_env_state ON chat_rows(env_id, statecode, gen);\n"
	"CREATE INDEX chats_by_teams_id ON chat_rows(teams_chat_id);\n"
	"CREATE INDEX chats_by_modified ON chat_rows(env_id, modifiedinteamson, gen);\n"
	"CREATE INDEX chats_by_env_teams_id ON chat_rows(env_id, teams_chat_id, gen);\n"
	"CREATE INDEX party_rows_by_env_gen ON party_rows(env_id, gen);\n"
	"CREATE INDEX assoc_rows_by_env_gen ON assoc_rows(env_id, gen);\n"
	"CREATE INDEX associations_by_teams_id ON assoc_rows(teams_chat_id);\n"
	"CREATE INDEX associations_by_env_chat ON assoc_rows(env_id, teams_chat_id, modified_on, gen);\n"
	"CREATE INDEX error_rows_by_env_gen ON error_rows(env_id, gen);\n"
	"CREATE INDEX sync_errors_by_regarding ON error_rows(regarding_id);\n"
	"CREATE VIEW chats AS SELECT r.rowid AS rowid, r.* FROM chat_rows r JOIN environments e ON e.id = r.env_id\n"
	"  WHERE r.gen = e.chats_gen;\n"
	"CREATE VIEW participants AS SELECT p.rowid AS rowid, p.* FROM party_rows p JOIN environments e ON e.id = p.env_id\n"
	"  WHERE p.gen = e.chats_gen;\n"
	"CREATE VIEW associations AS SELECT r.rowid AS rowid, r.* FROM assoc_rows r\n"
	"  JOIN environments e ON e.id = r.env_id WHERE r.gen = e.assocs_gen;\n"
	"CREATE VIEW sync_errors AS SELECT r.rowid AS rowid, r.* FROM error_rows r JOIN environments e ON e.id = r.env_id\n"
	"  WHERE r.gen = e.errors_gen;\n",
	/* 8 → 9: the number of chats each environment lists, kept by each environment's commit so the
	 * console's first screen need not count them (NULL: not known, counted when read). */
	"ALTER TABLE environments ADD COLUMN listed_chats INTEGER;\n",
	/* 9 → 10: a delta read's chats and participants wait in stage tables (no index but the keys) until
	 * their environment's commit writes them into the rows shown: in place, only the columns and the
	 * participants that changed, so a commit no longer moves every changed chat through six b-trees
	 * twice. */
	"CREATE TABLE chat_stage(\n"
	"  activity_id TEXT NOT NULL, gen INTEGER NOT NULL, env_id TEXT NOT NULL,\n"
	"  teams_chat_id TEXT, subject TEXT, statecode INTEGER, statuscode INTEGER, syncstatus INTEGER,\n"
	"  lastsyncerror INTEGER, modifiedinteamson INTEGER, modifiedinteamsby TEXT, linkedon INTEGER,\n"
	"  linkedby TEXT, unlinkedon INTEGER, unlinkedby TEXT, regarding_id TEXT, regarding_type TEXT,\n"
	"  createdon INTEGER, modifiedon INTEGER, fetched_at INTEGER, PRIMARY KEY(env_id, gen, activity_id));\n"
	"CREATE TABLE party_stage(\n"
	"  activity_id TEXT NOT NULL, gen INTEGER NOT NULL, seq INTEGER NOT NULL, env_id TEXT NOT NULL,\n"
	"  party_id TEXT, name TEXT, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(env_id, gen, activity_id, seq));\n",
};

int schema_latest(void)
{
	return (int)(sizeof migrations / sizeof *migrations);
}

const char *schema_migration(int from_version)
{
	if (from_version < 0 || from_version >= schema_latest())
		return NULL;
	return migrations[from_version];
}
