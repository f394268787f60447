/* The sandbox process: its options, the request and response every handler sees, and the one
 * server struct that ties the modules together. Handlers never see libmicrohttpd: http.c turns
 * MHD's connection into a struct sb_req, and $batch builds the same struct for inner requests. */
#ifndef CHATSYNC_SANDBOX_SERVER_H
#define CHATSYNC_SANDBOX_SERVER_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/xalloc.h"
#include "sandbox/tenant.h"
#include "sandbox/util.h"

#define SB_GRAPH_RESOURCE "https://graph.microsoft.com"
#define SB_DISCO_RESOURCE "https://globaldisco.crm.dynamics.com"

struct sb_keys;
struct sb_limits;
struct sb_faults;
struct sb_rlog;
struct sb_entra;

struct sb_options {
	int port;
	const char *bind;
	const char *dir;
	const char *cert, *key;
	const char *write_profile;
	uint64_t seed;
	int envs, chats_per_env;
	double auto_approve_after;   /* < 0: only through the control endpoint */
	double device_expiry;        /* seconds a device code lives (Entra: 900) */
	int device_interval;         /* polling interval the device code answer asks for */
	bool limits;
	double limit_scale;
	int token_lifetime;
	bool chat_sync_not_preapproved; /* --chat-sync-preapproved no */
	bool delegated_members_only; /* --delegated-chats member: a user reads only chats it is in */
	int page_size;               /* Dataverse's page size (5000); a smaller one for paging tests */
	const char *request_log;
	const char *rsc_state;
	bool quiet;
};

struct sb_req {
	const char *method;
	char *path;                  /* percent-decoded path, without the query */
	char *query;                 /* raw query after '?', "" when none */
	struct sb_kvlist args;       /* decoded query arguments */
	struct sb_kvlist headers;
	char *body;
	size_t body_len;
	bool inner;                  /* an inner request of a $batch */
	char request_id[37];
	const char *client_request_id;   /* from the request's headers, or NULL */
	long fault_delay_ms;         /* injected latency, spent inside the service's slot */
	int fault_status;            /* injected 429 or 503, answered in the service's shape */
	bool tokens_expired;         /* injected: bearer tokens count as expired */
};

struct sb_resp {
	int status;
	struct sb_kvlist headers;
	struct buf body;
	bool throttled;              /* answered 429 because of a limit or a fault */
	bool reset;                  /* drop the connection without answering */
	bool streaming_faults_ok;    /* body may be truncated / malformed / slowed */
};

struct sb_server {
	struct sb_options opt;
	char *base_url;              /* https://127.0.0.1:PORT */
	char *dir;
	bool dir_is_temp;
	char *ca_path;
	char *client_pem_path;
	struct sb_tenant tenant;
	struct sb_keys *keys;
	struct sb_limits *limits;
	struct sb_faults *faults;
	struct sb_rlog *rlog;
	struct sb_entra *entra;
	void *http;                  /* the MHD daemon */
	int port;
	volatile bool ready;         /* tenant generated; until then every request gets 503 */
};

/* Responses. sb_resp_json takes ownership of j. */
void sb_resp_init(struct sb_resp *r);
void sb_resp_free(struct sb_resp *r);
void sb_resp_header(struct sb_resp *r, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sb_resp_json(struct sb_resp *r, int status, cJSON *j);
void sb_resp_text(struct sb_resp *r, int status, const char *content_type, const char *text);

void sb_req_free(struct sb_req *r);
/* Fills a request from a method and a target "path?query" (used by $batch and tests). */
void sb_req_from_target(struct sb_req *r, const char *method, const char *target);
const char *sb_req_header(const struct sb_req *r, const char *name);

/* Routes one request (outer or inner) to its service. Never fails: errors are responses. */
void sb_route(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs);

/* cJSON helpers that keep call sites short. */
void sb_json_str(cJSON *o, const char *k, const char *v);   /* NULL -> JSON null */
void sb_json_time(cJSON *o, const char *k, int64_t t);       /* 0 -> JSON null */
const char *sb_json_get_str(const cJSON *o, const char *k);
/* A copy of object o (consumed) with "@odata.context": ctx as its first member. */
cJSON *sb_json_context_first(cJSON *o, const char *ctx);

#endif
