/* Global Discovery Service v2.0: the environments of the tenant, their URLs served by this process. */
#ifndef CHATSYNC_SANDBOX_DISCO_H
#define CHATSYNC_SANDBOX_DISCO_H
#include "sandbox/server.h"

/* rest: the path after "/disco/". */
void sb_disco_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest);

#endif
