/* tests/sync helpers: the application services (sync/) driven in-process against a sandbox of
 * the test's own — a real config, a real SQLite cache and real HTTPS, nothing mocked. */
#ifndef CHATSYNC_TEST_SYT_H
#define CHATSYNC_TEST_SYT_H
#include <signal.h>
#include <stddef.h>
#include "core/conf.h"
#include "sandbox.h"
#include "sync/refresh.h"

struct syt {
	struct sandbox sb;
	struct conf conf;
	const struct conf_profile *p;
	char *cache_path;
	struct cache *cache;
	volatile sig_atomic_t cancel;
};

/* Starts a sandbox (extra arguments may be NULL), loads its config with profile, opens a cache. */
void syt_start(struct syt *t, const char *profile, const char *const *sandbox_args);
void syt_stop(struct syt *t);
/* Switches to another profile of the same sandbox (the same cache). */
void syt_use(struct syt *t, const char *profile);
/* A refresh on a transport of its own, cancelled by t->cancel. */
int syt_refresh(struct syt *t, const struct refresh_opts *o, struct refresh_report *rep, struct cs_error *err);
/* A refresh that must succeed. */
void syt_refresh_ok(struct syt *t);

/* The request log: lines so far; lines from `from` containing every string (NULL-terminated). */
size_t syt_log_lines(struct syt *t);
size_t syt_log_count(struct syt *t, size_t from, ...) __attribute__((sentinel));
/* The n-th (0-based) line from `from` containing needle, or NULL; caller frees. */
char *syt_log_find(struct syt *t, size_t from, const char *needle, size_t nth);
/* Posts a sandbox control request, asserting a 2xx answer. */
void syt_control(struct syt *t, const char *method, const char *path, const char *json);

/* Counts of cached rows. */
size_t syt_chat_count(struct syt *t, const char *env_id);
size_t syt_graph_count(struct syt *t);
/* The environment's cache id by unique name (caller frees), asserting it is there. */
char *syt_env_id(struct syt *t, const char *unique_name);

#endif
