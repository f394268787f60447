/* Recording the history (store/history.h) from the cache: after every refresh and every write, the
 * verdict of every chat, the facts behind it, each environment's setting and the tenant's RSC
 * state are compared with what was last seen, and the changes are kept. */
#ifndef CHATSYNC_SYNC_HISTORY_H
#define CHATSYNC_SYNC_HISTORY_H
#include "base/error.h"
#include "core/model.h"

struct cache;

#define HISTORY_DEFAULT_KEEP_DAYS 90

/* Records what the cache shows at time at (the refresh's time), keeping keep_days (<= 0: the
 * default) of history. Returns the number of changes, or -1 with err (exit 4). */
long history_record(struct cache *c, cs_time at, int keep_days, struct cs_error *err);

struct cache_change;
/* The changes one refresh saw about one subject — the first entries of ch (cache_list_changes's
 * order) with the same time and subject; *used says how many — in words, the verdict last:
 * "app Dataverse Chat Sync no longer installed → not syncing (app-not-installed)". NULL when none is
 * worth a line. Caller frees. Both front ends word the history with it. */
char *history_describe(const struct cache_change *ch, size_t n, size_t *used);
/* The timeline of one chat (key: as cache_load_facts takes it) in words, newest first, one line
 * per refresh that saw something change: "2026-11-24 14:02 UTC  app … → not syncing (…)"; at most
 * max lines. NULL with err when the chat is not in the cache; "" when nothing was recorded yet. */
char *history_timeline(struct cache *c, const char *key, size_t max, struct cs_error *err);

#endif
