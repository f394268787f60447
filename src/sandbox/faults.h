/* Fault injection: specs set by --fault or the control endpoint, each limited to paths containing
 * a substring and optionally to its next N matching requests. http.c asks once per request which
 * faults fire; control paths (/_sandbox) never get any. Thread-safe. */
#ifndef CHATSYNC_SANDBOX_FAULTS_H
#define CHATSYNC_SANDBOX_FAULTS_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct sb_fault_hit {
	long latency_ms;         /* extra delay before answering (latency + jitter) */
	bool e429, e503;         /* answer with that status instead */
	bool reset;              /* drop the connection without an answer */
	bool truncate;           /* announce the full length, send half, close */
	bool malformed;          /* corrupt the JSON body */
	long slow_body_ms;       /* spread the body over this long */
	bool expire_tokens;      /* treat valid bearer tokens as expired */
	/* Hostile servers (each tests a limit of the client): */
	int redirect;            /* answer this 3xx status with Location instead of serving */
	char location[512];      /* its target; "{path}" becomes the request's path and query */
	long retry_after;        /* > 0: a 429/503 answer says Retry-After: this many seconds */
	char json_key[64];       /* a member of the JSON answer ("expires_in", "error.message")... */
	char json_value[1024];   /* ...replaced by this raw JSON (a huge number, an escape sequence) */
	long trickle_bps;        /* send the body at this many bytes per second */
};

struct sb_faults;
struct sb_faults *sb_faults_new(void);
void sb_faults_free(struct sb_faults *f);
/* "latency_ms=200,p503=0.5,path=/graph" (same keys as the JSON form). 0 or -1 with err. */
int sb_faults_add_spec(struct sb_faults *f, const char *spec, char *err, size_t errlen);
int sb_faults_add_json(struct sb_faults *f, const cJSON *j, char *err, size_t errlen);
void sb_faults_clear(struct sb_faults *f);
cJSON *sb_faults_json(struct sb_faults *f);
/* Decides the faults of one request to path. */
void sb_faults_pick(struct sb_faults *f, const char *path, struct sb_fault_hit *hit);

struct sb_req;
struct sb_resp;
/* Answers rq in the fault's stead (a redirect): true when it did, and the service is not asked. */
bool sb_faults_answer(const struct sb_fault_hit *hit, const struct sb_req *rq, struct sb_resp *rs);
/* Rewrites the service's answer as a hostile server would (Retry-After, a JSON member). */
void sb_faults_rewrite(const struct sb_fault_hit *hit, struct sb_resp *rs);

#endif
