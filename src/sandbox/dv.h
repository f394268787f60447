/* Dataverse Web API v9.2 of one environment: entity sets with $select/$filter/$orderby/$top/
 * $expand, paging, change tracking, ETags and If-Match, WhoAmI, multipart $batch, service
 * protection limits and Dataverse's error shape. */
#ifndef CHATSYNC_SANDBOX_DV_H
#define CHATSYNC_SANDBOX_DV_H
#include "sandbox/auth.h"
#include "sandbox/server.h"

/* rest: the path after "/env/<env_name>/". */
void sb_dv_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *env_name, const char *rest);
/* {"error":{"code":code,"message":...}} with the status. */
void sb_dv_error(struct sb_resp *rs, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Between dv.c and dv_batch.c: one authenticated call against an environment. */
struct dv_call;
typedef void (*dv_dispatch_fn)(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const char *api_path);
struct dv_call {
	struct sb_server *s;
	struct sb_env *e;
	const struct sb_ident *id;
	dv_dispatch_fn dispatch;     /* dv_dispatch: how $batch answers its parts */
	bool write_locked;           /* the caller holds the tenant lock exclusively (a change set) */
};
/* Answers one request whose path is relative to the Web API root ("chats?$select=..."). */
void dv_dispatch(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const char *api_path);
/* A multipart $batch, its change sets all-or-nothing; parts are answered through call->dispatch. */
void dv_batch(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs);

#endif
