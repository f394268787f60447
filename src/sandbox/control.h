/* The control endpoints under /_sandbox (no auth; the server listens on loopback only): the
 * generator's truth, device-code approval, tenant mutations, organization changes behind the
 * client's back, faults and statistics. */
#ifndef CHATSYNC_SANDBOX_CONTROL_H
#define CHATSYNC_SANDBOX_CONTROL_H
#include "sandbox/server.h"

/* rest: the path after "/_sandbox/". */
void sb_control_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest);
/* The truth document (caller owns). */
cJSON *sb_control_truth(struct sb_server *s);

#endif
