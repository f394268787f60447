/* Entra ID v2.0 endpoints: token (client credentials with a secret or a JWT assertion, device code,
 * refresh token) and devicecode, with Entra's error shape. Access tokens are opaque random strings,
 * validated by lookup; a person's sign-in with openid also gets a JWT ID token. */
#ifndef CHATSYNC_SANDBOX_ENTRA_H
#define CHATSYNC_SANDBOX_ENTRA_H
#include <stdbool.h>
#include <stddef.h>
#include "sandbox/server.h"

struct sb_entra *sb_entra_new(void);
void sb_entra_free(struct sb_entra *e);
/* rest: the path after "/entra/". */
void sb_entra_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest);
/* Approves (or declines) a pending device code by its user code; upn NULL: the user bound to the
 * device code's client. 0, or -1 with err. */
int sb_entra_approve(struct sb_server *s, const char *user_code, const char *upn, bool decline, char *err,
		size_t errlen);
/* The Conditional Access stand-in (entra_authz.h): token requests of the named grants (comma-separated
 * device_code, authorization_code, refresh_token, client_credentials, or all) answer AADSTS error
 * aadsts; 0 clears it. 0, or -1 with err. */
int sb_entra_policy(struct sb_server *s, int aadsts, const char *flows, char *err, size_t errlen);
/* Every access token starts with this, so that a test can search any output for a leaked one. */
#define SB_ACCESS_TOKEN_PREFIX "sbxat_"

/* What the sandbox knows of an access token it issued (tokens are opaque random strings). */
struct sb_token_info {
	char aud[512];
	char client_id[37];
	int user;          /* index into the tenant's users, -1 for an app token */
	double iat, exp;
};
/* 0 with *out when token is one the sandbox issued (expired or not), -1 otherwise. */
int sb_entra_lookup(struct sb_server *s, const char *token, struct sb_token_info *out);
/* Entra's error body: error, error_description ("AADSTSn: text\r\nTrace ID..."), error_codes, ... */
void sb_entra_error(struct sb_resp *rs, int status, const char *error, int aadsts, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
