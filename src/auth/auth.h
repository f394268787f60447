/* Sign-in: how the transport gets the bearer tokens it puts on requests, and who is signed in.
 * Read this with net/http.h. auth_attach installs a profile's sign-in as a transport's token
 * source (sync/session.c's session_net_open does it for every front end).
 *
 * The transport signs in through it lazily: the first request whose .resource needs a token
 * waits while auth gets one, and every later request reuses it until shortly before it expires
 * (then it is refreshed in the background) or until a service answers 401 (then it is refreshed
 * once and the request re-sent). Callers never see tokens. The profile's `auth` picks the flow:
 *
 *  - client-secret: client credentials with the secret read from client_secret_file (refused if
 *    group/world-accessible) or $CHATSYNC_CLIENT_SECRET. Nothing is written to disk.
 *  - certificate: client credentials with a signed JWT assertion (PS256 with x5t#S256; RS256 with
 *    x5t if Entra refuses that) made from the PEM file `certificate` (certificate + RSA key, mode
 *    600); an encrypted key asks for its passphrase (auth_set_passphrase; default: the tty).
 *  - device-code: a person signs in in a browser. chatsync shows Entra's message with the code
 *    (auth_set_prompt; default: stderr), polls at the given interval (slowing down when told),
 *    and stops on decline, expiry or cancel. The refresh token is kept in
 *    $XDG_STATE_HOME/chatsync/<profile>.tokens (mode 600, refused if wider), so the next run
 *    signs in silently; access tokens are never written to disk.
 *  - browser: a person signs in in a browser through the authorization code flow with PKCE (S256)
 *    and a loopback redirect URI, http://localhost:PORT, PORT an ephemeral one chatsync listens on
 *    at 127.0.0.1. The sign-in address goes to the prompt (the device-code hook, with no user
 *    code); where the browser cannot reach back (SSH), the person pastes the address the browser
 *    was sent to (auth_set_paste; default: /dev/tty). The code is taken only with the state this
 *    sign-in sent; the token request carries the PKCE verifier. The refresh token is kept like
 *    device code's. The wait is bounded (browser_timeout_s, default 5 minutes).
 *
 * Token scopes: Graph <graph_resource or https://graph.microsoft.com>/.default, discovery
 * <discovery_resource or https://globaldisco.crm.dynamics.com>/.default, Dataverse
 * <instance Url>/.default (conf_graph_resource / conf_discovery_resource give the first two); a
 * person's sign-in adds "openid profile offline_access" for an ID token and a refresh token.
 *
 * Access tokens are opaque: chatsync never reads one. Who is signed in comes from what the client
 * owns: the ID token's claims for a person, the profile's client_id for an app.
 *
 * What a server says is bounded: expires_in is clamped to Entra's documented lifetimes (at most
 * 28 hours, the longest a CAE token lives; at least a minute), and a number that is no number of
 * seconds is a clear error, never a loop.
 *
 * Errors: a failed sign-in fails the requests that needed it, each with the same sentence, e.g.
 * `sign-in for profile "contoso" failed: Entra ID refused POST /oauth2/v2.0/token: 401 Unauthorized
 * (invalid_client: AADSTS7000215: Invalid client secret provided...; check the client secret in
 * ...; request-id ...)`, exit code 3. */
#ifndef CHATSYNC_AUTH_AUTH_H
#define CHATSYNC_AUTH_AUTH_H
#include <stdbool.h>
#include "base/error.h"

struct net;
struct net_opts;
struct conf_profile;

/* Who is signed in, for the audit trail and the status line. */
struct auth_identity {
	bool delegated;     /* a person (device code, browser) rather than the app itself */
	char *name;         /* delegated: preferred_username (upn); app: the app (client) id */
	char *display_name; /* delegated: the ID token's "name", NULL if absent; app: NULL */
	char *object_id;    /* delegated: the user's oid; app, for a Dataverse resource: the application
			       user's id from WhoAmI (NULL if it did not answer) */
	char *tenant_id;    /* delegated: tid; app: the profile's tenant */
	char *app_id;       /* the profile's client_id */
};

/* Shows the device-code instructions. message is Entra's own sentence (it includes the code and
 * the URL), already sanitised; user_code and verification_uri are the parts, for a UI that lays
 * them out itself. */
typedef void (*auth_prompt_fn)(const char *message, const char *user_code, const char *verification_uri,
			       void *user);
/* Asks for a key's passphrase: fills buf (NUL-terminated), returns its length or -1 to give up.
 * what names the key file. The default reads /dev/tty without echo. */
typedef int (*auth_passphrase_fn)(char *buf, int size, const char *what, void *user);

/* Waits for the address the browser was sent to after a browser sign-in (the person pastes it):
 * at most timeout_ms, returning early with 0 when wake_fd (the loopback listener) becomes
 * readable. Fills buf (NUL-terminated) and returns its length, 0 when nothing came yet (it is
 * called again), -1 to give up. The default reads a line from /dev/tty. */
typedef int (*auth_paste_fn)(char *buf, int size, int wake_fd, int timeout_ms, void *user);
/* A paste function for a front end that reads the terminal itself (the console) and has no way to
 * take a pasted address: it only waits for the loopback listener, so that nothing reads /dev/tty
 * behind the front end's back. */
int auth_paste_listener_only(char *buf, int size, int wake_fd, int timeout_ms, void *user);

/* How sign-in talks to the person and where it keeps its cache; zero fields take the defaults. */
struct auth_opts {
	const char *token_dir;         /* [$XDG_STATE_HOME/chatsync] where <profile>.tokens lives */
	auth_prompt_fn prompt;         /* [Entra's message on stderr] */
	void *prompt_user;
	auth_passphrase_fn passphrase; /* [/dev/tty without echo] */
	void *passphrase_user;
	long min_lifetime_s;           /* [60] the floor under expires_in (tests lower it) */
	auth_paste_fn paste;           /* [a line from /dev/tty] */
	void *paste_user;
	double browser_timeout_s;      /* [300] how long a browser sign-in waits for the redirect */
};

/* Installs profile p's sign-in (copied) as net's token source. -1 with err (exit 2) when the
 * profile cannot sign in (no tenant or client_id). */
int auth_attach(struct net *net, const struct conf_profile *p, const struct auth_opts *o, struct cs_error *err);
/* net_open with the profile's trust and services (Entra, Graph, Global Discovery), then
 * auth_attach. Caller frees with net_close. NULL with err. */
struct net *auth_net_open(const struct conf_profile *p, const struct net_opts *nopts, const struct auth_opts *o,
			  struct cs_error *err);
/* The profile a transport signs in for (auth's copy, alive until net_close), or NULL. */
const struct conf_profile *auth_profile(const struct net *net);

/* Who is signed in for resource, signing in first if needed (blocking; not from a completion
 * callback). resource NULL: the Graph resource. A person's identity comes from the ID token;
 * -1 with err when Entra sent none (the scope asks for one). An app is its client_id; for a
 * Dataverse resource (an instance Url) Dataverse's WhoAmI adds the application user's id. */
int auth_identity(struct net *net, const char *resource, struct auth_identity *out, struct cs_error *err);
void auth_identity_free(struct auth_identity *id);

/* Signs in now for resource (NULL: Graph) instead of on the first request: for a "sign in"
 * action, or to fail early. Blocking; not from a completion callback. */
int auth_sign_in(struct net *net, const char *resource, struct cs_error *err);
/* Forgets every token and deletes the profile's token cache file. */
int auth_sign_out(struct net *net, struct cs_error *err);

/* Changes the prompts after auth_attach (NULL: the default). */
void auth_set_prompt(struct net *net, auth_prompt_fn fn, void *user);
void auth_set_passphrase(struct net *net, auth_passphrase_fn fn, void *user);
void auth_set_paste(struct net *net, auth_paste_fn fn, void *user);

/* The token cache file of a profile (whether or not it exists). Caller owns. */
char *auth_cache_path(const struct net *net);

#endif
