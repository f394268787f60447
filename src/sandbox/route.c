/* Which service answers a path. Faults that replace the answer are given in each service's shape. */
#include "config.h"
#include "sandbox/control.h"
#include "sandbox/disco.h"
#include "sandbox/dv.h"
#include "sandbox/entra.h"
#include "sandbox/graph.h"
#include <stdlib.h>
#include <string.h>

/* Entra and discovery take the injected latency and statuses here; Dataverse and Graph take them
 * inside, after authentication and within their limits. */
static bool simple_faults(struct sb_req *rq, struct sb_resp *rs, bool entra)
{
	sb_sleep_ms(rq->fault_delay_ms);
	if (!rq->fault_status)
		return false;
	sb_resp_header(rs, "Retry-After", "1");
	if (entra)
		sb_entra_error(rs, rq->fault_status, "temporarily_unavailable", 90036,
				"The service is temporarily unavailable (injected %d).", rq->fault_status);
	else
		sb_dv_error(rs, rq->fault_status, rq->fault_status == 429 ? "0x80072322" : "0x80040216",
				"The service is temporarily unavailable (injected %d).", rq->fault_status);
	rs->throttled = rq->fault_status == 429;
	return true;
}

void sb_route(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs)
{
	const char *rest;
	if (!s->ready) {
		sb_resp_header(rs, "Retry-After", "1");
		sb_resp_text(rs, 503, "text/plain", "starting\n");
		return;
	}
	if ((rest = sb_skip_prefix(rq->path, "/_sandbox/"))) {
		sb_control_handle(s, rq, rs, rest);
	} else if ((rest = sb_skip_prefix(rq->path, "/entra/"))) {
		if (!simple_faults(rq, rs, true))
			sb_entra_handle(s, rq, rs, rest);
	} else if ((rest = sb_skip_prefix(rq->path, "/disco/"))) {
		if (!simple_faults(rq, rs, false))
			sb_disco_handle(s, rq, rs, rest);
	} else if ((rest = sb_skip_prefix(rq->path, "/env/"))) {
		const char *slash = strchr(rest, '/');
		char *env = slash ? strndup(rest, (size_t)(slash - rest)) : strdup(rest);
		sb_dv_handle(s, rq, rs, env ? env : "", slash ? slash + 1 : "");
		free(env);
	} else if ((rest = sb_skip_prefix(rq->path, "/graph/"))) {
		sb_graph_handle(s, rq, rs, rest);
	} else {
		sb_resp_text(rs, 404, "text/plain", "not found: the sandbox serves /entra, /disco, /env, /graph and /_sandbox\n");
	}
}
