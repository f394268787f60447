/* Service protection limits: sliding windows per key (caller, tenant, chat) and in-flight counts.
 * A window holds what was admitted in the last window seconds, so no interval of that length, wherever
 * it starts, ever holds more than the limit (a fixed window would let twice the limit through
 * across its edge).
 * --limit-scale F multiplies every request count (rounded up, at least 1) and every window (at
 * least 1 s), so tests reach a limit in a few requests and wait at most a few seconds; the
 * concurrency limit is not scaled. Thread-safe. */
#ifndef CHATSYNC_SANDBOX_LIMITS_H
#define CHATSYNC_SANDBOX_LIMITS_H
#include <stdbool.h>

struct sb_limits;
struct sb_limits *sb_limits_new(bool on, double scale);
void sb_limits_free(struct sb_limits *l);
bool sb_limits_on(const struct sb_limits *l);
/* One request against key's window of max requests per window seconds (before scaling).
 * Returns 0 when allowed (and counts it), else whole seconds until the oldest request that keeps
 * the window full has left it (>= 1); a refused request is not counted. */
int sb_limit_take(struct sb_limits *l, const char *key, int max, double window);
/* Execution time: check whether key has spent max seconds (scaled) in its window; answers the
 * seconds to wait like sb_limit_take, and sb_limit_spend records time after a request. */
int sb_limit_time_check(struct sb_limits *l, const char *key, double max, double window);
void sb_limit_spend(struct sb_limits *l, const char *key, double seconds);
/* In-flight requests of key; enter answers false (and counts nothing) at max. */
bool sb_limit_enter(struct sb_limits *l, const char *key, int max);
void sb_limit_leave(struct sb_limits *l, const char *key);

#endif
