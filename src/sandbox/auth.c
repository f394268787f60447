#include "config.h"
#include "sandbox/auth.h"
#include "sandbox/jwt.h"
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
	if (sb_keys_wait(s->keys) < 0 || sb_jwt_verify(tok, s->keys->signing, "RS256") < 0)
		return SB_AUTH_INVALID;
	cJSON *hdr, *claims;
	if (sb_jwt_decode(tok, &hdr, &claims) < 0)
		return SB_AUTH_INVALID;
	cJSON_Delete(hdr);
	enum sb_auth_fail rc = SB_AUTH_OK;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	const cJSON *nbf = cJSON_GetObjectItemCaseSensitive(claims, "nbf");
	const char *aud = sb_json_get_str(claims, "aud");
	const char *tid = sb_json_get_str(claims, "tid");
	const char *oid = sb_json_get_str(claims, "oid");
	const char *appid = sb_json_get_str(claims, "appid");
	double now = sb_now_frac();
	if (!cJSON_IsNumber(exp) || !cJSON_IsNumber(nbf) || !aud || !tid || !oid || !appid ||
	    strcasecmp(tid, s->tenant.tenant_id))
		rc = SB_AUTH_INVALID;
	else if (rq->tokens_expired || exp->valuedouble <= now || nbf->valuedouble > now + CLOCK_SKEW)
		rc = SB_AUTH_EXPIRED;
	else if (!aud_matches(aud, audiences))
		rc = SB_AUTH_AUDIENCE;
	if (rc == SB_AUTH_OK) {
		const char *idtyp = sb_json_get_str(claims, "idtyp");
		id->app = idtyp && !strcmp(idtyp, "app");
		snprintf(id->oid, sizeof id->oid, "%s", oid);
		snprintf(id->appid, sizeof id->appid, "%s", appid);
		id->app_reg = sb_tenant_app(&s->tenant, appid);
		if (id->app) {
			id->sysadmin = id->app_reg && id->app_reg->sysadmin;
		} else {
			id->user = sb_tenant_user_by_oid(&s->tenant, oid);
			if (!id->user)
				rc = SB_AUTH_INVALID;
			else {
				snprintf(id->upn, sizeof id->upn, "%s", id->user->upn);
				snprintf(id->name, sizeof id->name, "%s", id->user->name);
				id->global_admin = id->user->global_admin;
			}
		}
		if (!id->app_reg)
			rc = SB_AUTH_INVALID;
	}
	cJSON_Delete(claims);
	return rc;
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
