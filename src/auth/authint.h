/* Internals shared by the files of src/auth only; the public contract is auth.h. The object files
 * are layered, each calling only those below it (and net/):
 *
 *   signin.c    the public API: attaching sign-in to a transport, sign in/out, who is signed in
 *   auth.c      the flows and the per-resource token state; the transport's token source
 *   authstore.c the token cache file, the secret, the tty, the profile copy, ID token claims
 *   browser.c   a browser sign-in's interactive part: PKCE, the loopback listener, the pasted address
 *   entraerr.c  Entra's refusals as sentences (the AADSTS codes of Conditional Access, MFA, blocked flows)
 *   jwt.c       client assertions, base64url, decoding an ID token
 */
#ifndef CHATSYNC_AUTH_AUTHINT_H
#define CHATSYNC_AUTH_AUTHINT_H
#include <stdbool.h>
#include <time.h>
#include "auth/auth.h"
#include "base/error.h"
#include "core/conf.h"
#include "net/http.h"
#include "net/neterr.h"

struct jwt_key;

struct tok {
	char *resource;
	char *access;       /* NULL when none */
	time_t expires;     /* wall clock */
	time_t refresh_at;  /* start a background refresh from here on */
	bool fetching;      /* a request for it is under way, or it waits for the device flow */
	bool failed;
	struct cs_error err;
};

struct device_flow {
	bool active;
	char *device_code;
	char *resource;     /* the resource the person is signing in for */
	double interval;    /* seconds between polls */
	double deadline;    /* monotonic */
	int minutes;        /* how long the code is valid, for messages */
};

struct auth {
	struct net *net;
	struct conf_profile prof; /* our copy */
	const struct conf_profile *p; /* &prof */
	struct tok **toks; /* pointers: a tok stays put while callbacks hold it */
	size_t n_toks;
	char *secret;
	struct jwt_key *key;
	bool use_rs256;     /* Entra refused our PS256 assertion: use the older form */
	char *refresh;      /* device code: the refresh token */
	char *id_token;     /* delegated: the newest ID token, the client's own view of the sign-in */
	bool cache_read;
	char *cache_path;
	long min_lifetime;  /* a token is kept at least this long, whatever expires_in says */
	struct device_flow dev;
	auth_prompt_fn prompt;
	void *prompt_user;
	auth_passphrase_fn passphrase;
	void *passphrase_user;
	auth_paste_fn paste;
	void *paste_user;
	double browser_timeout;
};

/* ---- auth.c ---- */
extern const struct net_token_source auth_token_source; /* user: struct auth */
/* Sign-in state for profile p (copied) on net; NULL with err when p cannot sign in. */
struct auth *auth_new(struct net *net, const struct conf_profile *p, const struct auth_opts *o, struct cs_error *err);
void auth_free(struct auth *a);
struct tok *auth_tok_find(struct auth *a, const char *resource);
/* The token for resource, as the token source answers (0, 1 pending, -1). */
int auth_token(struct auth *a, const char *resource, const char **token, struct cs_error *err);
void auth_new_run(struct auth *a);
/* Ends a device-code sign-in under way (every resource waiting on it fails with err) and forgets
 * every token. */
void auth_forget(struct auth *a, const struct cs_error *err);

/* ---- authstore.c ---- */
void auth_profile_copy(struct conf_profile *d, const struct conf_profile *s);
void auth_profile_free(struct conf_profile *p);
/* The token cache file of profile name in dir. Caller owns. */
char *authstore_cache_path(const char *dir, const char *name);
/* The refresh token cached for profile p in path: 0 with *refresh (NULL when there is no file or
 * it belongs to another tenant/app), -1 with err when the file is refused (too open, unreadable). */
int authstore_load(const char *path, const struct conf_profile *p, char **refresh, struct cs_error *err);
/* Writes the cache atomically with mode 0600, creating its directory (0700). */
int authstore_save(const char *path, const struct conf_profile *p, const char *refresh, struct cs_error *err);
int authstore_delete(const char *path, struct cs_error *err);
/* The client secret: client_secret_file (must be private) or $CHATSYNC_CLIENT_SECRET. Caller
 * owns (wipe before freeing). */
int authstore_secret(const struct conf_profile *p, char **out, struct cs_error *err);
/* Default passphrase prompt: /dev/tty without echo. */
int authstore_tty_passphrase(char *buf, int size, const char *what, void *user);
/* Default device-code prompt: Entra's message on stderr. */
void authstore_print_prompt(const char *message, const char *user_code, const char *verification_uri, void *user);
/* Who is signed in: for a person the ID token's claims (sanitised), for an app its client_id. */
int authstore_identity(const struct conf_profile *p, const char *id_token, struct auth_identity *out,
		       struct cs_error *err);
/* Frees s after overwriting it. */
void auth_wipe(char *s);

/* ---- browser.c ---- */
struct browser_code {
	char *code;         /* the authorization code (secret) */
	char *verifier;     /* the PKCE verifier it was asked with (secret) */
	char *redirect_uri; /* http://localhost:PORT, sent again with the code */
};
struct browser_ui {
	auth_prompt_fn prompt;
	void *prompt_user;
	auth_paste_fn paste;
	void *paste_user;
	double timeout_s;
};
/* Shows the /authorize address for scope and waits (blocking, at most ui->timeout_s, cancelled
 * with net) for the browser's answer on the loopback listener or a pasted address with this
 * sign-in's state. 0 with out (free with browser_code_free), -1 with err. */
int browser_get_code(struct net *net, const struct conf_profile *p, const char *scope, const struct browser_ui *ui,
		     struct browser_code *out, struct cs_error *err);
void browser_code_free(struct browser_code *c);
/* Default paste: a line from /dev/tty (auth_paste_fn). */
int browser_tty_paste(char *buf, int size, int wake_fd, int timeout_ms, void *user);

/* ---- entraerr.c ---- */
/* The one sentence, with its fix, for Entra refusals a person or an admin can act on: Conditional
 * Access (AADSTS53003, 53000, 53001, 530033, 530035), MFA (50076, 50079, 50158), device
 * authentication (50097). interactive: the sign-in was a browser one; trace: Entra's trace id
 * (NULL: none). NULL when eb is none of them; else buf. */
const char *auth_entra_sentence(const struct conf_profile *p, const struct neterr_body *eb, bool interactive,
				const char *trace, char *buf, size_t n);
/* A failed Entra answer as the sign-in's error sentence. */
void auth_signin_error(const struct conf_profile *p, const struct net_response *resp, struct cs_error *out);

#endif
