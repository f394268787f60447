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

#endif
