/* Microsoft Graph (v1.0 and the one beta path chatsync reads): chats, members, installed apps,
 * permission grants, the authorization policy, teamsAppSettings, the signed-in user's directory
 * roles, and JSON $batch. Only properties of tests/fixtures/graph-v1.0-types.json are served on
 * v1.0. Teams throttling limits apply per request, inner batch requests included. */
#ifndef CHATSYNC_SANDBOX_GRAPH_H
#define CHATSYNC_SANDBOX_GRAPH_H
#include "sandbox/auth.h"
#include "sandbox/server.h"

/* rest: the path after "/graph/". */
void sb_graph_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest);
/* Graph's error body with innerError date, request-id and client-request-id. */
void sb_graph_error(const struct sb_req *rq, struct sb_resp *rs, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Between graph.c and graph_batch.c. */
struct graph_call;
typedef void (*graph_dispatch_fn)(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *path);
struct graph_call {
	struct sb_server *s;
	const struct sb_ident *id;
	bool beta;
	graph_dispatch_fn dispatch;  /* graph_dispatch: how $batch answers its requests */
};
/* One request whose path is relative to the version root ("chats/19:...@thread.v2/members"). */
void graph_dispatch(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *path);
void graph_batch(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs);
/* Common Graph headers (request-id, client-request-id, OData-Version) on a response. */
void graph_headers(const struct sb_req *rq, struct sb_resp *rs);

#endif
