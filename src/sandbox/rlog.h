/* The request log (JSONL, one line per request) and the counters behind /_sandbox/stats. */
#ifndef CHATSYNC_SANDBOX_RLOG_H
#define CHATSYNC_SANDBOX_RLOG_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct sb_rlog;
/* Opens (appends to) path; NULL path keeps counters only. NULL with err on failure. */
struct sb_rlog *sb_rlog_open(const char *path, char *err, size_t errlen);
void sb_rlog_close(struct sb_rlog *l);
/* Records one request; control requests (/_sandbox) are logged but not counted. */
void sb_rlog_record(struct sb_rlog *l, const char *method, const char *path, const char *query, int status,
		size_t bytes, double latency_ms, bool throttled, const char *client_request_id);
cJSON *sb_rlog_stats(struct sb_rlog *l);
void sb_rlog_reset(struct sb_rlog *l);

#endif
