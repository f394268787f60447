/* Turning a failed request into the one sentence the user reads: which service refused what, the
 * HTTP status, the service's own code and message, what would fix it, and the request ids to
 * quote to Microsoft support. Reads the three error bodies chatsync meets: Graph's and
 * Dataverse's {"error":{"code","message",...}} and Entra's {"error","error_description",...}. */
#ifndef CHATSYNC_NET_NETERR_H
#define CHATSYNC_NET_NETERR_H
#include <stddef.h>
#include "base/error.h"

/* What a service said in its error body. Empty strings when absent. */
struct neterr_body {
	char code[128];       /* Graph/Dataverse error.code; Entra error */
	char message[512];    /* error.message; Entra error_description up to its first line break */
	char request_id[80];  /* Graph innerError request-id; Entra trace_id */
	char correlation_id[80]; /* Entra correlation_id */
	int entra_code;       /* Entra error_codes[0] (AADSTS number), 0 when absent */
};

/* Parses an error body; returns 0 when it has one of the known shapes, -1 otherwise (out is then
 * all empty). Never fails on bad input. */
int neterr_parse(const char *body, size_t len, struct neterr_body *out);

/* The reason phrase of an HTTP status ("Forbidden"), "" when unknown. */
const char *neterr_reason(long status);

/* A URL's path for messages: the part after a known API root (Graph's "/v1.0", Dataverse's
 * "/api/data/v9.x"), without the query, with overlong segments shortened ("19:…"). Caller owns. */
char *neterr_short_path(const char *url);

/* Everything the sentence is made from. */
struct neterr_ctx {
	const char *service;           /* "Graph", "Dataverse", "Global Discovery", "Entra ID" */
	const char *method;
	const char *url;
	long status;                   /* 0: no HTTP response */
	const char *body;
	size_t body_len;
	const char *request_id;        /* the service's request-id header, if any */
	const char *client_request_id; /* ours, always set */
	const char *needs;             /* permission that would allow the request, shown on 401/403 */
	const char *hint;              /* what to do, when the caller knows better than the status */
	int attempts;                  /* attempts made, > 1 when retried */
	double waited_s;               /* time spent, shown when retries gave up */
	const char *gave_up;           /* why retrying stopped, or NULL */
};

/* "Graph refused GET /chats/19:…/installedApps: 403 Forbidden (Authorization_RequestDenied:
 * Insufficient privileges…; needs TeamsAppInstallation.ReadForChat.All; request-id …)".
 * Fills err with exit code 3 and returns -1. */
int neterr_http(struct cs_error *err, const struct neterr_ctx *ctx);

/* A request that got no HTTP answer: "cannot reach Graph for GET /chats: <why> (<hint>;
 * client-request-id …)". why and hint are already human sentences. Exit code 3; returns -1. */
int neterr_transport(struct cs_error *err, const struct neterr_ctx *ctx, const char *why, const char *hint);

#endif
