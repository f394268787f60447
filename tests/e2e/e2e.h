/* End-to-end helpers: a sandbox tenant, the chatsync binary run against it, and JSON outputs. */
#ifndef CHATSYNC_TEST_E2E_H
#define CHATSYNC_TEST_E2E_H
#include <cjson/cJSON.h>
#include <stdarg.h>
#include "run.h"
#include "sandbox.h"

struct e2e {
	struct sandbox sb;
	char *cache;          /* the cache file of this test */
	char *home;           /* HOME and XDG dirs of the chatsync runs */
	struct run_result r;  /* the last run */
	const char *now;      /* CHATSYNC_NOW of the chatsync runs (ISO 8601), or NULL: the real clock */
};

void e2e_start(struct e2e *e, const char *const *sandbox_args);
void e2e_stop(struct e2e *e);
/* Runs chatsync -c <sandbox config> -p <profile> --cache <cache> ARGS...; NULL-terminated args.
 * Returns the exit status; output in e->r. */
int e2e_run(struct e2e *e, const char *profile, ...) __attribute__((sentinel));
/* The argument vector of such a run: argv[0] is the binary (the caller frees it), then the options
 * and the NULL-terminated args of ap; argv holds 64. */
void e2e_argv(struct e2e *e, const char *profile, va_list ap, char **argv);
/* Parses e->r.out as JSON (aborting the test if it is not). Caller deletes. */
cJSON *e2e_json(struct e2e *e);
/* GET /_sandbox/truth. Caller deletes. */
cJSON *e2e_truth(struct e2e *e);
/* Posts a control request, asserting a 2xx answer. */
void e2e_control(struct e2e *e, const char *method, const char *path, const char *json);
/* Counts request-log lines containing all of the given substrings (NULL-terminated), from line
 * `from` on (the count of lines before a mark). */
size_t e2e_log_count(struct e2e *e, size_t from, ...) __attribute__((sentinel));
size_t e2e_log_lines(struct e2e *e);
/* The first request-log line from line `from` on that contains needle, or "" (caller frees). */
char *e2e_log_first(struct e2e *e, size_t from, const char *needle);

#endif
