/* JSON Web Tokens, both directions: the signed client assertion that proves a certificate
 * credential to Entra ID (RFC 7523, Microsoft's "certificate credentials" format), and decoding
 * the payload of an ID token to learn who is signed in (access tokens are opaque and never
 * decoded). Decoding does not verify the signature: an ID token is meant for chatsync, which got
 * it over TLS from the authority in the same answer as the access token. OpenSSL does the base64,
 * hashing and signing. */
#ifndef CHATSYNC_AUTH_JWT_H
#define CHATSYNC_AUTH_JWT_H
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"

struct cJSON;
struct jwt_key;

enum jwt_alg {
	JWT_PS256, /* RSASSA-PSS SHA-256, header x5t#S256: what Entra asks for */
	JWT_RS256, /* PKCS#1 v1.5 SHA-256, header x5t (SHA-1 thumbprint): the older form, our fallback */
};

/* Asks for the passphrase of an encrypted key: fills buf (NUL-terminated) and returns its length,
 * or -1 to give up. what names the file. */
typedef int (*jwt_passphrase_fn)(char *buf, int size, const char *what, void *user);

/* Loads a PEM file holding the certificate and its RSA private key (in either order). An
 * encrypted key calls ask (NULL: no way to ask, which is then an error). On error fills err
 * (exit code 2: it is configuration) and returns -1. Caller owns *out. */
int jwt_key_load(const char *path, jwt_passphrase_fn ask, void *ask_user, struct jwt_key **out,
		 struct cs_error *err);
void jwt_key_free(struct jwt_key *key);

/* A client assertion: header {alg, typ JWT, x5t#S256 or x5t}, claims aud (the token endpoint),
 * iss = sub = client_id, jti (a fresh GUID), nbf = iat = now, exp = now + 600. Caller owns. */
char *jwt_assertion(const struct jwt_key *key, enum jwt_alg alg, const char *aud, const char *client_id,
		    int64_t now, struct cs_error *err);

/* Decodes part 0 (header) or 1 (payload) of a compact JWT into JSON. Caller owns (cJSON_Delete).
 * NULL when the token is not a JWT. */
struct cJSON *jwt_decode(const char *token, int part);

/* base64url without padding, and back (accepts padding; NULL on bad input). Caller owns. */
char *jwt_b64url(const void *data, size_t len);
unsigned char *jwt_b64url_decode(const char *s, size_t len, size_t *out_len);

/* A random (version 4) GUID, lowercase with hyphens, into buf (>= 37 bytes). Returns buf. */
char *jwt_guid(char *buf, size_t n);

#endif
