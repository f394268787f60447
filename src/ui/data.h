/* What the console shows, read from the cache: environments with their chat counts at once (two
 * index-only queries, so the first screen never waits for the chats), then every connected chat with
 * its verdict in one pass over the diagnosis facts (ui_data_load_chats, on the loader's thread: see
 * loader.h), names sanitised for the terminal and their searchable text folded once. A redraw or a
 * key never queries. */
#ifndef CHATSYNC_UI_DATA_H
#define CHATSYNC_UI_DATA_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/diagnose.h"
#include "base/error.h"
#include "core/model.h"

struct cache;

#define UI_VERDICT_PENDING (-1)
#define UI_NO_ENV ((size_t)-1)

struct ui_env {
	struct cs_env env;          /* as cached */
	char *name, *friendly;      /* sanitised unique and friendly names */
	char *error;                /* sanitised last refresh error, NULL if none */
	size_t n_chats;             /* connected chats: counted at once, then as loaded */
	size_t not_syncing, at_risk, unknown; /* final once the data is loaded (ui_data.loaded) */
	size_t changed;             /* changes recorded about it or its chats since the console last looked */
};

struct ui_chat {
	size_t env;                 /* index into ui_data.envs, UI_NO_ENV if the cache lacks it */
	const char *key;            /* activity id, else Teams chat id: what cache_load_facts takes */
	const char *chat_id;        /* sanitised Teams chat id */
	const char *raw_id;         /* the Teams chat id as cached (NULL none): the order's tie-break */
	bool by_activity;           /* key is an activity id (the chat has its activity row) */
	const char *subject;        /* sanitised; "" when none */
	const char *participants;   /* sanitised display names joined with ", " */
	const char *folded;         /* subject, chat id and participants folded (ui_text_fold), each
				     * followed by a space: what the filter searches (a term has no space,
				     * so it never matches across two of them) */
	size_t folded_ids;          /* its first bytes that hold the subject and the chat id */
	int state;                  /* enum cs_chat_state */
	int sync_status;            /* enum cs_sync_status */
	cs_time modified;           /* modifiedinteamson, 0 unknown */
	int verdict;                /* enum diag_verdict */
	signed char app, grant;     /* Graph: Dataverse Chat Sync installed, and granted (enum cs_tristate) */
};

struct ui_pool;                 /* the chats' strings, a few large blocks */

struct ui_data {
	struct ui_env *envs;
	size_t n_envs;
	struct ui_chat *chats;      /* ordered by environment, then oldest first (as cache_each_chat) */
	size_t n_chats;
	bool loaded;                /* chats and verdicts are in; until then only envs and counts are */
	cs_time now;                /* the diagnosis time (and the clock the tables show ages by) */
	int warn_hours;
	cs_time next_change;        /* when a verdict may next change by the clock alone; 0 never */
	unsigned generation;        /* bumped by every load, so views know to rebuild */
	cs_time seen;               /* when the console was last open on this cache: later changes are marked */
	struct ui_pool *pool;
};
/* The cache key of that moment, written when the console closes. */
#define UI_SEEN_KEY "console_seen"

/* When the console was last open on the cache (UI_SEEN_KEY), 0 never. */
cs_time ui_data_seen_before(struct cache *c);
/* Fills d (zeroed) with the cache's environments, each with its number of chats, and marks what the
 * refreshes recorded since seen; no chats yet (loaded false). Fast at any size. */
int ui_data_load_envs(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, cs_time seen,
		      struct cs_error *err);
/* Reads every connected chat of d's environments with its facts and diagnoses it: the chat's row for
 * the tables and its verdict come from the same pass. part/parts share the chats out between
 * loaders (see cache_facts_open_part); *done (may be NULL) counts the chats read, *cancel (may be
 * NULL) stops the pass with -1 (err empty). Chats are appended unordered: ui_data_finish orders them. */
int ui_data_load_chats(struct ui_data *d, struct cache *c, unsigned part, unsigned parts, atomic_size_t *done,
		       const atomic_bool *cancel, struct cs_error *err);
/* Moves the chats of from (loaded with the same environments) to the end of d, and frees from. */
void ui_data_take_chats(struct ui_data *d, struct ui_data *from);
/* Orders the chats as cache_each_chat does, sets each environment's counts from them and the next
 * change by the clock; d is loaded. */
void ui_data_finish(struct ui_data *d);
/* All of the above at once, on c (tests, and where no thread is wanted). Replaces d's contents
 * (d zeroed or loaded before); on error d keeps what it had. */
int ui_data_load(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, struct cs_error *err);
void ui_data_free(struct ui_data *d);
/* The number of connected chats of every environment (counted, or loaded). */
size_t ui_data_chat_total(const struct ui_data *d);
/* An environment by unique name or friendly name (case-insensitive) or id; UI_NO_ENV if none. */
size_t ui_data_find_env(const struct ui_data *d, const char *key);
/* The newest successful refresh of any environment, 0 if none. */
cs_time ui_data_newest_refresh(const struct ui_data *d);

/* Diagnoses one chat (key as cache_load_facts takes it). Fills out (caller frees with
 * diag_result_free), and when not NULL *label (sanitised "subject (chat id)") and *about (the
 * chat's facts at a glance, sanitised lines: environment, state, last update, participants);
 * the caller frees both. */
int ui_diagnose_chat(struct cache *c, const char *key, cs_time now, int warn_hours, struct diag_result *out,
		     char **label, char **about, struct cs_error *err);

/* Translated short words for the tables. */
const char *ui_verdict_text(int verdict);
const char *ui_state_text(int state);
const char *ui_sync_status_text(int status);
const char *ui_tristate_text(int v);
/* The colour slot (enum ui_color) of a verdict. */
int ui_verdict_slot(int verdict);

#endif
