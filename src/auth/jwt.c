#include "config.h"
#include "auth/jwt.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include "net/http.h"
#include <cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jwt_key {
	EVP_PKEY *pkey;
	char *x5t;      /* base64url SHA-1 of the certificate DER */
	char *x5t_s256; /* base64url SHA-256 of the certificate DER */
};

char *jwt_b64url(const void *data, size_t len)
{
	/* EVP_EncodeBlock writes 4 chars per 3 bytes plus a NUL. */
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

unsigned char *jwt_b64url_decode(const char *s, size_t len, size_t *out_len)
{
	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1 || len > (size_t)1 << 28)
		return NULL;
	size_t padded = (len + 3) / 4 * 4;
	char *tmp = xmalloc(padded + 1);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			free(tmp);
			return NULL;
		}
		tmp[i] = c;
	}
	for (size_t i = len; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	unsigned char *out = xmalloc(padded / 4 * 3 + 1);
	int n = padded ? EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded) : 0;
	free(tmp);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding bytes as zeros: drop them. */
	n -= (int)(padded - len);
	out[n] = '\0';
	*out_len = (size_t)n;
	return out;
}

char *jwt_guid(char *buf, size_t n)
{
	return net_guid(buf, n);
}

struct ask_ctx {
	jwt_passphrase_fn ask;
	void *user;
	const char *path;
	bool asked;
};

static int pem_cb(char *buf, int size, int rwflag, void *u)
{
	struct ask_ctx *ctx = u;
	ctx->asked = true;
	if (!ctx->ask)
		return -1;
	int n = ctx->ask(buf, size, ctx->path, ctx->user);
	return n < 0 || n >= size ? -1 : n;
}

static char *thumbprint(X509 *cert, const EVP_MD *md)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (X509_digest(cert, md, dig, &len) != 1)
		return NULL;
	return jwt_b64url(dig, len);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

int jwt_key_load(const char *path, jwt_passphrase_fn ask, void *ask_user, struct jwt_key **out,
		 struct cs_error *err)
{
	*out = NULL;
	size_t len = 0;
	char *pem = slurp(path, &len);
	if (!pem)
		return cs_fail(err, CS_EXIT_USAGE, _("cannot read the certificate file %s: %m (check `certificate` in the profile)"),
			       path);
	/* Two passes over the same bytes: PEM readers skip blocks of other kinds, so the order of
	 * certificate and key in the file does not matter. */
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	struct ask_ctx ctx = { ask, ask_user, path, false };
	bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_cb, &ctx);
	BIO_free(bio);
	OPENSSL_cleanse(pem, len);
	free(pem);
	ERR_clear_error();
	int rc = -1;
	if (!cert)
		cs_fail(err, CS_EXIT_USAGE, _("%s holds no PEM certificate (put the certificate and its private key in one PEM file)"),
			path);
	else if (!pkey && ctx.asked && !ask)
		cs_fail(err, CS_EXIT_USAGE, _("the private key in %s is encrypted and there is no terminal to ask for its passphrase (run chatsync from a terminal, or store the key unencrypted with mode 600)"),
			path);
	else if (!pkey && ctx.asked)
		cs_fail(err, CS_EXIT_USAGE, _("cannot decrypt the private key in %s: wrong passphrase (try again)"), path);
	else if (!pkey)
		cs_fail(err, CS_EXIT_USAGE, _("%s holds no readable private key (put the certificate and its private key in one PEM file)"),
			path);
	else if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
		cs_fail(err, CS_EXIT_USAGE, _("the private key in %s is not an RSA key (Entra ID certificate credentials need RSA)"),
			path);
	else if (X509_check_private_key(cert, pkey) != 1)
		cs_fail(err, CS_EXIT_USAGE, _("the private key in %s does not belong to its certificate (put the matching pair in the file)"),
			path);
	else
		rc = 0;
	ERR_clear_error();
	if (rc == 0) {
		struct jwt_key *key = xcalloc(1, sizeof *key);
		key->pkey = pkey;
		key->x5t = thumbprint(cert, EVP_sha1());
		key->x5t_s256 = thumbprint(cert, EVP_sha256());
		pkey = NULL;
		if (!key->x5t || !key->x5t_s256) {
			jwt_key_free(key);
			rc = cs_fail(err, CS_EXIT_USAGE, _("cannot compute the thumbprint of the certificate in %s"), path);
		} else {
			*out = key;
		}
	}
	EVP_PKEY_free(pkey);
	X509_free(cert);
	return rc;
}

void jwt_key_free(struct jwt_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key->x5t);
	free(key->x5t_s256);
	free(key);
}

static char *json_part(cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (!text)
		return NULL;
	char *b64 = jwt_b64url(text, strlen(text));
	cJSON_free(text);
	return b64;
}

static unsigned char *sign(EVP_PKEY *pkey, enum jwt_alg alg, const char *data, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL;
	bool ok = md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, pkey) == 1;
	if (ok && alg == JWT_PS256)
		/* RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash. */
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
	else if (ok)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
	ok = ok && EVP_DigestSign(md, NULL, siglen, (const unsigned char *)data, strlen(data)) == 1;
	if (ok) {
		sig = xmalloc(*siglen);
		if (EVP_DigestSign(md, sig, siglen, (const unsigned char *)data, strlen(data)) != 1) {
			free(sig);
			sig = NULL;
		}
	}
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return sig;
}

char *jwt_assertion(const struct jwt_key *key, enum jwt_alg alg, const char *aud, const char *client_id,
		    int64_t now, struct cs_error *err)
{
	cJSON *hdr = cJSON_CreateObject();
	cJSON_AddStringToObject(hdr, "alg", alg == JWT_PS256 ? "PS256" : "RS256");
	cJSON_AddStringToObject(hdr, "typ", "JWT");
	if (alg == JWT_PS256)
		cJSON_AddStringToObject(hdr, "x5t#S256", key->x5t_s256);
	else
		cJSON_AddStringToObject(hdr, "x5t", key->x5t);
	char jti[40];
	cJSON *claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "aud", aud);
	cJSON_AddStringToObject(claims, "iss", client_id);
	cJSON_AddStringToObject(claims, "sub", client_id);
	cJSON_AddStringToObject(claims, "jti", jwt_guid(jti, sizeof jti));
	cJSON_AddNumberToObject(claims, "nbf", (double)now);
	cJSON_AddNumberToObject(claims, "iat", (double)now);
	cJSON_AddNumberToObject(claims, "exp", (double)(now + 600));
	char *h = json_part(hdr), *c = json_part(claims);
	char *signing_input = h && c ? xasprintf("%s.%s", h, c) : NULL;
	free(h);
	free(c);
	size_t siglen = 0;
	unsigned char *sig = signing_input ? sign(key->pkey, alg, signing_input, &siglen) : NULL;
	if (!sig) {
		free(signing_input);
		cs_fail(err, CS_EXIT_USAGE, _("cannot sign the client assertion with the certificate's key (OpenSSL refused it)"));
		return NULL;
	}
	char *s = jwt_b64url(sig, siglen);
	free(sig);
	char *jwt = xasprintf("%s.%s", signing_input, s);
	free(signing_input);
	free(s);
	return jwt;
}

struct cJSON *jwt_decode(const char *token, int part)
{
	if (!token || part < 0 || part > 1)
		return NULL;
	const char *p = token;
	for (int i = 0; i < part; i++) {
		p = strchr(p, '.');
		if (!p)
			return NULL;
		p++;
	}
	const char *end = strchr(p, '.');
	if (!end)
		return NULL;
	size_t n = 0;
	unsigned char *raw = jwt_b64url_decode(p, (size_t)(end - p), &n);
	if (!raw)
		return NULL;
	cJSON *json = cJSON_ParseWithLength((const char *)raw, n);
	free(raw);
	if (json && !cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}
