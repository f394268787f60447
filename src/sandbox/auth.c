#include "config.h"
#include "sandbox/auth.h"
#include "sandbox/entra.h"
#include "sandbox/tls.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLOCK_SKEW 300

static bool aud_matches(const char *aud, const char *const *audiences)
{
	size_t al = strlen(aud);
	while (al && aud[al - 1] == '/')
		al--;
	for (size_t i = 0; audiences[i]; i++) {
		size_t n = strlen(audiences[i]);
		while (n && audiences[i][n - 1] == '/')
			n--;
		if (n == al && !strncasecmp(aud, audiences[i], n))
			return true;
	}
	return false;
}

enum sb_auth_fail sb_auth_check(struct sb_server *s, const struct sb_req *rq, const char *const *audiences,
		struct sb_ident *id)
{
	memset(id, 0, sizeof *id);
	const char *h = sb_req_header(rq, "Authorization");
	const char *tok = h ? sb_skip_prefix(h, "Bearer ") : NULL;
	if (!tok || !*tok)
		return SB_AUTH_MISSING;
	/* Access tokens are opaque: the service asks the authority what one means. */
	struct sb_token_info info;
	if (sb_entra_lookup(s, tok, &info) < 0)
		return SB_AUTH_INVALID;
	double now = sb_now_frac();
	if (rq->tokens_expired || info.exp <= now || info.iat > now + CLOCK_SKEW)
		return SB_AUTH_EXPIRED;
	if (!aud_matches(info.aud, audiences))
		return SB_AUTH_AUDIENCE;
	id->app_reg = sb_tenant_app(&s->tenant, info.client_id);
	if (!id->app_reg)
		return SB_AUTH_INVALID;
	id->app = info.user < 0;
	snprintf(id->appid, sizeof id->appid, "%s", info.client_id);
	if (id->app) {
		snprintf(id->oid, sizeof id->oid, "%s", id->app_reg->oid);
		id->sysadmin = id->app_reg->sysadmin;
		return SB_AUTH_OK;
	}
	if ((size_t)info.user >= s->tenant.n_users)
		return SB_AUTH_INVALID;
	id->user = &s->tenant.users[info.user];
	snprintf(id->oid, sizeof id->oid, "%s", id->user->oid);
	snprintf(id->upn, sizeof id->upn, "%s", id->user->upn);
	snprintf(id->name, sizeof id->name, "%s", id->user->name);
	id->global_admin = id->user->global_admin;
	return SB_AUTH_OK;
}

const char *sb_auth_fail_text(enum sb_auth_fail f)
{
	switch (f) {
	case SB_AUTH_MISSING:
		return "Access token is empty.";
	case SB_AUTH_INVALID:
		return "Access token validation failure. Invalid signature or claims.";
	case SB_AUTH_EXPIRED:
		return "Access token has expired or is not yet valid.";
	case SB_AUTH_AUDIENCE:
		return "Invalid audience. The token was issued for another resource.";
	default:
		return "OK";
	}
}
