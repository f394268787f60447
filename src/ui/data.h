/* What the console shows, read from the cache once per load (and on R): environments and every
 * connected chat, with names sanitised for the terminal. Verdicts are diagnosed a slice at a time
 * between key presses, so a large tenant never freezes the screen and a redraw never queries. */
#ifndef CHATSYNC_UI_DATA_H
#define CHATSYNC_UI_DATA_H
#include <stdbool.h>
#include <stddef.h>
#include "core/diagnose.h"
#include "base/error.h"
#include "core/model.h"

struct cache;
struct cache_facts_cursor;

#define UI_VERDICT_PENDING (-1)
#define UI_NO_ENV ((size_t)-1)

struct ui_env {
	struct cs_env env;          /* as cached */
	char *name, *friendly;      /* sanitised unique and friendly names */
	char *error;                /* sanitised last refresh error, NULL if none */
	size_t n_chats, not_syncing, at_risk, unknown, pending;
	size_t changed;             /* changes recorded about it or its chats since the console last looked */
};

struct ui_chat {
	size_t env;                 /* index into ui_data.envs, UI_NO_ENV if the cache lacks it */
	char *key;                  /* activity id, else Teams chat id: what cache_load_facts takes */
	char *chat_id;              /* sanitised Teams chat id */
	char *subject;              /* sanitised; "" when none */
	char *participants;         /* sanitised display names joined with ", " */
	int state;                  /* enum cs_chat_state */
	int sync_status;            /* enum cs_sync_status */
	cs_time modified;           /* modifiedinteamson, 0 unknown */
	int verdict;                /* enum diag_verdict, or UI_VERDICT_PENDING */
};

struct ui_data {
	struct ui_env *envs;
	size_t n_envs;
	struct ui_chat *chats;      /* ordered by environment, then oldest first */
	size_t n_chats;
	size_t diagnosed;           /* chats[0 .. diagnosed) have their verdict */
	struct cache_facts_cursor *facts; /* the facts of chats[diagnosed ..] in list order, while diagnosing */
	size_t facts_env;           /* the environment the pass reads (one at a time, in list order) */
	bool facts_by_key;          /* the cache changed under the list: the rest are looked up one by one */
	cs_time now;                /* the diagnosis time */
	int warn_hours;
	unsigned generation;        /* bumped by every load, so views know to rebuild */
	cs_time seen;               /* when the console was last open on this cache: later changes are marked */
};
/* The cache key of that moment, written when the console closes. */
#define UI_SEEN_KEY "console_seen"

/* Replaces d's contents with the cache's (d must be zeroed or loaded before). On error d keeps
 * what it had. */
int ui_data_load(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, struct cs_error *err);
/* Diagnoses pending chats for about budget_ms (at least one). Returns true while some remain. */
bool ui_data_diagnose(struct ui_data *d, struct cache *c, int budget_ms);
void ui_data_free(struct ui_data *d);
/* Starts the verdicts over at a new time (the clock moved on: a chat may have crossed its
 * inactivity limit); they come in again a slice at a time. */
void ui_data_restart(struct ui_data *d, cs_time now);
/* The first moment after now at which a verdict may change by the clock alone (an open chat
 * entering its warning window or passing its inactivity limit); 0 when none will. */
cs_time ui_data_next_change(const struct ui_data *d, cs_time now);
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
