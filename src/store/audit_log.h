/* audit.log: the one file beside the cache that records writes, one JSON line per attempt in
 * $XDG_STATE_HOME/chatsync/audit.log (0600), for admins who read their audit trail with grep. */
#ifndef CHATSYNC_STORE_AUDIT_LOG_H
#define CHATSYNC_STORE_AUDIT_LOG_H
#include "base/error.h"
#include "store/cache.h"

/* Appends a as one line (time, profile, identity, environment, old, new, request_id, result).
 * -1 with err (exit 4) when the directory or the file cannot be written. */
int audit_log_append(const struct cache_audit *a, struct cs_error *err);
/* The path it writes to; caller frees. */
char *audit_log_path(void);

#endif
