/* JSON Web Tokens as the sandbox issues and checks them: RS256 access tokens it signs, and client
 * assertions (PS256 or RS256) it verifies against a registered certificate. */
#ifndef CHATSYNC_SANDBOX_JWT_H
#define CHATSYNC_SANDBOX_JWT_H
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stddef.h>

/* Signs claims (borrowed) with key as RS256; header carries kid/x5t. Caller owns the token. */
char *sb_jwt_sign(EVP_PKEY *key, const char *kid, const cJSON *claims);

/* Splits and decodes a compact JWT without checking it. On success header and payload are owned
 * by the caller. Returns 0 or -1 (not three base64url parts of JSON objects). */
int sb_jwt_decode(const char *token, cJSON **header, cJSON **payload);

/* Verifies the signature of token with key for alg "RS256" or "PS256". 0 good, -1 bad. */
int sb_jwt_verify(const char *token, EVP_PKEY *key, const char *alg);

#endif
