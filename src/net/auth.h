/* Sign-in: how the transport gets the bearer tokens it puts on requests, and who they say is
 * signed in. Read this with http.h before writing src/api/ or the UI's sign-in screen.
 *
 * The transport signs in by itself, lazily: the first request whose .resource needs a token
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
 *
 * Token scopes: Graph <graph_resource or https://graph.microsoft.com>/.default, discovery
 * <discovery_resource or https://globaldisco.crm.dynamics.com>/.default, Dataverse
 * <instance Url>/.default (net_graph_resource / net_discovery_resource give the first two).
 *
 * Errors: a failed sign-in fails the requests that needed it, each with the same sentence, e.g.
 * `sign-in for profile "contoso" failed: Entra ID refused POST /oauth2/v2.0/token: 401 Unauthorized
 * (invalid_client: AADSTS7000215: Invalid client secret provided...; check the client secret in
 * ...; request-id ...)`, exit code 3. */
#ifndef CHATSYNC_NET_AUTH_H
#define CHATSYNC_NET_AUTH_H
#include <stdbool.h>
#include "base/error.h"

struct net;

/* Who a token says is signed in, for the audit trail and the status line. */
struct auth_identity {
	bool delegated;     /* a person (device code) rather than the app itself */
	char *name;         /* delegated: upn (or preferred_username); app: the app (client) id */
	char *display_name; /* "name" (delegated) or "app_displayname" (app), NULL if absent */
	char *object_id;    /* oid: the user's or the service principal's object id */
	char *tenant_id;    /* tid */
	char *app_id;       /* appid / azp: the client the token was issued to */
};

/* Reads the identity from an access token's payload (no signature check: the token came from
 * the authority over TLS). -1 with err when it is not a JWT with a usable subject. */
int auth_identity_from_token(const char *access_token, struct auth_identity *out, struct cs_error *err);
/* The identity behind the profile's token for resource, signing in first if needed (blocking;
 * not from a completion callback). resource NULL: the Graph resource. */
int auth_identity(struct net *net, const char *resource, struct auth_identity *out, struct cs_error *err);
void auth_identity_free(struct auth_identity *id);

/* Signs in now for resource (NULL: Graph) instead of on the first request: for a "sign in"
 * action, or to fail early. Blocking; not from a completion callback. */
int auth_sign_in(struct net *net, const char *resource, struct cs_error *err);
/* Forgets every token and deletes the profile's token cache file. */
int auth_sign_out(struct net *net, struct cs_error *err);

/* Shows the device-code instructions. message is Entra's own sentence (it includes the code and
 * the URL); user_code and verification_uri are the parts, for a UI that lays them out itself. */
typedef void (*auth_prompt_fn)(const char *message, const char *user_code, const char *verification_uri,
			       void *user);
void auth_set_prompt(struct net *net, auth_prompt_fn fn, void *user);

/* Asks for a key's passphrase: fills buf (NUL-terminated), returns its length or -1 to give up.
 * what names the key file. The default reads /dev/tty without echo. */
typedef int (*auth_passphrase_fn)(char *buf, int size, const char *what, void *user);
void auth_set_passphrase(struct net *net, auth_passphrase_fn fn, void *user);

/* The token cache file of a profile (whether or not it exists). Caller owns. */
char *auth_cache_path(const struct net *net);

#endif
