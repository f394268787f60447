/* Access tokens on the resource side: who is calling, checked against the resource (aud). */
#ifndef CHATSYNC_SANDBOX_AUTH_H
#define CHATSYNC_SANDBOX_AUTH_H
#include <stdbool.h>
#include "sandbox/server.h"

struct sb_ident {
	bool app;                    /* app-only token (client credentials) */
	char oid[37];                /* user or service principal object id */
	char appid[37];
	char upn[160];
	char name[160];
	bool global_admin;           /* delegated: the user holds Global Administrator */
	bool sysadmin;               /* app: its application user has System Administrator */
	const struct sb_user *user;
	const struct sb_app *app_reg;
};

enum sb_auth_fail { SB_AUTH_OK, SB_AUTH_MISSING, SB_AUTH_INVALID, SB_AUTH_EXPIRED, SB_AUTH_AUDIENCE };

/* Checks rq's bearer token for one of the audiences (NULL-terminated). Fills id on success. */
enum sb_auth_fail sb_auth_check(struct sb_server *s, const struct sb_req *rq, const char *const *audiences,
		struct sb_ident *id);
/* A short English sentence for a failure, as services word it. */
const char *sb_auth_fail_text(enum sb_auth_fail f);

#endif
