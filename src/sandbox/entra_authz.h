/* Entra's authorization code flow with PKCE for public clients (the /authorize endpoint, the codes
 * it issues and their redemption at the token endpoint), and a stand-in for Conditional Access:
 * a policy that answers the token requests of chosen grant types with an AADSTS error, as a
 * tenant's policies do. Below entra.c: it answers errors through entra_err.c and calls nothing
 * above it. */
#ifndef CHATSYNC_SANDBOX_ENTRA_AUTHZ_H
#define CHATSYNC_SANDBOX_ENTRA_AUTHZ_H
#include <stdbool.h>
#include <stddef.h>
#include "sandbox/server.h"

struct sb_authz;
struct sb_app;
struct sb_authz *sb_authz_new(void);
void sb_authz_free(struct sb_authz *z);
/* GET (or POST, from its sign-in form) BASE/entra/{tenant}/oauth2/v2.0/authorize. With
 * --auto-approve-after set (>= 0) the browser counts as signed in already: the user named by
 * login_hint, else the user bound to the client, is approved at once (302 to redirect_uri with
 * code and state); otherwise a form asks which user signs in. */
void sb_authz_authorize(struct sb_server *s, struct sb_authz *z, struct sb_req *rq, struct sb_resp *rs);
/* grant_type=authorization_code: checks the code (this client's, unused, within 10 minutes), the
 * redirect_uri (the one it was issued for) and the code_verifier (S256 of it is the challenge).
 * 0 with the user and the scope asked at /authorize (caller frees), or -1 having answered rs. */
int sb_authz_redeem(struct sb_server *s, struct sb_authz *z, struct sb_resp *rs, const struct sb_kvlist *f,
		const struct sb_app *app, int *user, char **scope);
/* Conditional Access stand-in: token requests whose grant is among flows (comma-separated
 * device_code, authorization_code, refresh_token, client_credentials; "all") are answered with
 * AADSTS error aadsts (53003, 530033, 530035, 53000, 53001, 50076, 50079, 50097, 50158). aadsts 0
 * clears the policy. 0, or -1 with err. */
int sb_authz_policy_set(struct sb_authz *z, int aadsts, const char *flows, char *err, size_t errlen);
/* grant is the token request's flow name (as above): -1 when the policy answered rs. */
int sb_authz_policy_check(struct sb_authz *z, struct sb_resp *rs, const char *grant);

#endif
