/* What every Graph answer is built from, shared by graph.c (chat details, policies), graph_chats.c
 * (the chat list) and graph_batch.c: headers, the error shape, Teams throttling, the context URL, and
 * a chat and its members as v1.0 shows them. */
#ifndef CHATSYNC_SANDBOX_GRAPH_ROWS_H
#define CHATSYNC_SANDBOX_GRAPH_ROWS_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "sandbox/graph.h"

#define GRAPH_CTYPE "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

/* 429 in Graph's shape when key has used its max requests in the last second. */
bool graph_throttled(struct graph_call *call, const struct sb_req *rq, struct sb_resp *rs, const char *key, int max);
/* "<base>/graph/<version>/$metadata#<what>". Caller frees. */
char *graph_ctx_url(struct graph_call *call, const char *what);
/* 200 with o (consumed), its @odata.context first when ctx is given. */
void graph_answer(struct graph_call *call, const struct sb_req *rq, struct sb_resp *rs, cJSON *o, const char *ctx);
/* Is prop in the $select list (every property when select is NULL)? */
bool graph_selected(const char *select, const char *prop);
/* 0, or -1 having answered 400 for a $select naming a property type does not have. */
int graph_check_select(const struct sb_req *rq, struct sb_resp *rs, const char *select, const char *const *props,
		const char *type);
void graph_time_ms(cJSON *o, const char *k, int64_t t);

extern const char *const graph_chat_props[];
cJSON *graph_chat_json(struct graph_call *call, const struct sb_chat *c, const char *select);
cJSON *graph_members_json(struct graph_call *call, const struct sb_chat *c);
/* May the caller see chat c? Apps see every chat; a delegated sign-in only chats it is a member of
 * (when the sandbox runs with --delegated-chats member). */
bool graph_may_see(const struct graph_call *call, const struct sb_chat *c);
/* 403 as Teams answers a caller that is not a member of the chat. */
void graph_not_member(const struct sb_req *rq, struct sb_resp *rs, const char *chat_id);

/* Tenant-wide policies (graph_policies.c). */
void graph_authorization_policy(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs);
void graph_app_settings(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs);
void graph_permission_grant_policies(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs);
/* sp_ref: a Teams app's service principal id, or "(appId='<client id>')". */
void graph_preapproval_policies(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *sp_ref);

/* GET /chats and /users/{id}/chats (graph_chats.c). user_ref: NULL for /chats, else the id or UPN. */
void graph_list_chats(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *user_ref);

#endif
