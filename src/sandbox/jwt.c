#include "config.h"
#include "sandbox/jwt.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

static int digest_op(EVP_PKEY *key, const char *alg, bool sign, const unsigned char *data, size_t len,
		unsigned char **sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = sign ? EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, key)
		      : EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, key);
	if (ok == 1 && !strcmp(alg, "PS256")) {
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
	}
	if (ok == 1) {
		if (sign) {
			size_t n = 0;
			ok = EVP_DigestSign(ctx, NULL, &n, data, len);
			if (ok == 1) {
				*sig = xmalloc(n);
				ok = EVP_DigestSign(ctx, *sig, &n, data, len);
				*sig_len = n;
			}
		} else {
			ok = EVP_DigestVerify(ctx, *sig, *sig_len, data, len);
		}
	}
	EVP_MD_CTX_free(ctx);
	return ok == 1 ? 0 : -1;
}

char *sb_jwt_sign(EVP_PKEY *key, const char *kid, const cJSON *claims)
{
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "typ", "JWT");
	cJSON_AddStringToObject(h, "alg", "RS256");
	cJSON_AddStringToObject(h, "x5t", kid);
	cJSON_AddStringToObject(h, "kid", kid);
	char *hj = cJSON_PrintUnformatted(h), *pj = cJSON_PrintUnformatted(claims);
	cJSON_Delete(h);
	char *h64 = sb_b64url(hj, strlen(hj)), *p64 = sb_b64url(pj, strlen(pj));
	cJSON_free(hj);
	cJSON_free(pj);
	char *input = xasprintf("%s.%s", h64, p64);
	free(h64);
	free(p64);
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	char *token = NULL;
	if (digest_op(key, "RS256", true, (const unsigned char *)input, strlen(input), &sig, &sig_len) == 0) {
		char *s64 = sb_b64url(sig, sig_len);
		token = xasprintf("%s.%s", input, s64);
		free(s64);
	}
	free(sig);
	free(input);
	return token;
}

static cJSON *decode_part(const char *s, size_t len)
{
	size_t n;
	unsigned char *raw = sb_b64url_decode(s, len, &n);
	if (!raw)
		return NULL;
	cJSON *j = cJSON_ParseWithLength((const char *)raw, n);
	free(raw);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int sb_jwt_decode(const char *token, cJSON **header, cJSON **payload)
{
	*header = *payload = NULL;
	if (!token)
		return -1;
	const char *d1 = strchr(token, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || strchr(d2 + 1, '.'))
		return -1;
	*header = decode_part(token, (size_t)(d1 - token));
	*payload = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
	if (!*header || !*payload) {
		cJSON_Delete(*header);
		cJSON_Delete(*payload);
		*header = *payload = NULL;
		return -1;
	}
	return 0;
}

int sb_jwt_verify(const char *token, EVP_PKEY *key, const char *alg)
{
	if (!key || (strcmp(alg, "RS256") && strcmp(alg, "PS256")))
		return -1;
	const char *dot = strrchr(token, '.');
	if (!dot)
		return -1;
	size_t sig_len;
	unsigned char *sig = sb_b64url_decode(dot + 1, strlen(dot + 1), &sig_len);
	if (!sig)
		return -1;
	int rc = digest_op(key, alg, false, (const unsigned char *)token, (size_t)(dot - token), &sig, &sig_len);
	free(sig);
	return rc;
}
