/* The client assertion (decoded and verified here with OpenSSL, independently of jwt.c's own
 * signing path), base64url, GUIDs, token decoding and the identity read from a token. */
#include "config.h"
#include <criterion/criterion.h>
#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake.h"
#include "auth/authint.h"
#include "auth/jwt.h"
#include "run.h"

#define CLIENT_ID "11111111-2222-3333-4444-555555555555"
#define AUD "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"

Test(b64url, round_trips_every_length_and_rejects_bad_input)
{
	unsigned char data[64];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 37 + 250); /* includes bytes that give '+' and '/' */
	for (size_t n = 0; n <= sizeof data; n++) {
		char *s = jwt_b64url(data, n);
		cr_assert_null(strpbrk(s, "+/="), "not url-safe: %s", s);
		size_t len = 99;
		unsigned char *back = jwt_b64url_decode(s, strlen(s), &len);
		cr_assert_not_null(back, "length %zu", n);
		cr_assert_eq(len, n);
		cr_assert_eq(memcmp(back, data, n), 0);
		free(back);
		free(s);
	}
	size_t len;
	cr_assert_null(jwt_b64url_decode("ab$d", 4, &len));
	cr_assert_null(jwt_b64url_decode("abcde", 5, &len));
	unsigned char *padded = jwt_b64url_decode("YQ==", 4, &len);
	cr_assert(padded && len == 1 && padded[0] == 'a');
	free(padded);
}

Test(guid, is_a_random_version_4_guid)
{
	char a[40], b[40];
	jwt_guid(a, sizeof a);
	jwt_guid(b, sizeof b);
	cr_assert_eq(strlen(a), 36);
	cr_assert_str_neq(a, b);
	cr_assert(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	cr_assert_eq(a[14], '4');
	cr_assert(strchr("89ab", a[19]), "%s", a);
}

struct keyfile {
	char *dir, *path, *cert_pem;
};

static void write_key(struct keyfile *k, const char *pass)
{
	k->dir = run_tmpdir();
	char *pem = fake_make_client_pem(pass, &k->cert_pem);
	k->path = malloc(strlen(k->dir) + 16);
	sprintf(k->path, "%s/client.pem", k->dir);
	run_write_file(k->path, pem, 0600);
	free(pem);
}

static void free_key(struct keyfile *k)
{
	run_rmtree(k->dir);
	free(k->dir);
	free(k->path);
	free(k->cert_pem);
}

static char *thumb(const char *cert_pem, const EVP_MD *md)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n;
	X509_digest(x, md, d, &n);
	X509_free(x);
	BIO_free(b);
	return jwt_b64url(d, n);
}

/* Verifies sig over input with the certificate's public key, as Entra would. */
static bool verify(const char *cert_pem, const char *input, size_t input_len, const unsigned char *sig,
		   size_t sig_len, bool pss)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	EVP_PKEY *pub = X509_get_pubkey(x);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx;
	bool ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) == 1;
	if (pss) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
	} else {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
	}
	ok = ok && EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)input, input_len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	X509_free(x);
	BIO_free(b);
	return ok;
}

static void check_assertion(enum jwt_alg alg)
{
	struct keyfile k;
	write_key(&k, NULL);
	struct jwt_key *key;
	struct cs_error err;
	cr_assert_eq(jwt_key_load(k.path, NULL, NULL, &key, &err), 0, "%s", err.msg);
	char *jwt = jwt_assertion(key, alg, AUD, CLIENT_ID, 1800000000, &err);
	cr_assert_not_null(jwt);
	char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	cr_assert(dot1 && dot2 && !strchr(dot2 + 1, '.'), "three parts: %s", jwt);

	cJSON *h = jwt_decode(jwt, 0), *c = jwt_decode(jwt, 1);
	cr_assert(h && c);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(h, "alg")), alg == JWT_PS256 ? "PS256" : "RS256");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(h, "typ")), "JWT");
	char *want = thumb(k.cert_pem, alg == JWT_PS256 ? EVP_sha256() : EVP_sha1());
	const char *x5t = cJSON_GetStringValue(cJSON_GetObjectItem(h, alg == JWT_PS256 ? "x5t#S256" : "x5t"));
	cr_assert_str_eq(x5t, want);
	cr_assert_null(cJSON_GetObjectItem(h, alg == JWT_PS256 ? "x5t" : "x5t#S256"));
	free(want);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "aud")), AUD);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "iss")), CLIENT_ID);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "sub")), CLIENT_ID);
	cr_assert_eq(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(c, "jti"))), 36);
	cr_assert_float_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "iat")), 1800000000.0, 0.5);
	cr_assert_float_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "nbf")), 1800000000.0, 0.5);
	double life = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "exp")) - 1800000000.0;
	cr_assert(life > 0 && life <= 600, "exp %f s after iat (Entra allows 10 min)", life);

	size_t sig_len;
	unsigned char *sig = jwt_b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len);
	cr_assert_eq(sig_len, 256);
	size_t input_len = (size_t)(dot2 - jwt);
	cr_assert(verify(k.cert_pem, jwt, input_len, sig, sig_len, alg == JWT_PS256), "signature does not verify");
	cr_assert(!verify(k.cert_pem, jwt, input_len, sig, sig_len, alg != JWT_PS256), "wrong padding verified");
	jwt[3] ^= 1; /* tampering breaks it */
	cr_assert(!verify(k.cert_pem, jwt, input_len, sig, sig_len, alg == JWT_PS256));
	free(sig);
	cJSON_Delete(h);
	cJSON_Delete(c);
	free(jwt);
	jwt_key_free(key);
	free_key(&k);
}

Test(assertion, ps256_with_sha256_thumbprint_verifies)
{
	check_assertion(JWT_PS256);
}

Test(assertion, rs256_with_sha1_thumbprint_verifies)
{
	check_assertion(JWT_RS256);
}

static int give_pass(char *buf, int size, const char *what, void *user)
{
	int *calls = user;
	(*calls)++;
	const char *pass = *calls == 1 ? "right horse" : "wrong";
	snprintf(buf, (size_t)size, "%s", pass);
	return (int)strlen(pass);
}

static int give_wrong(char *buf, int size, const char *what, void *user)
{
	snprintf(buf, (size_t)size, "battery staple");
	return 14;
}

Test(key, encrypted_keys_ask_for_the_passphrase)
{
	struct keyfile k;
	write_key(&k, "right horse");
	struct jwt_key *key = NULL;
	struct cs_error err;
	int calls = 0;
	cr_assert_eq(jwt_key_load(k.path, give_pass, &calls, &key, &err), 0, "%s", err.msg);
	cr_assert_eq(calls, 1);
	jwt_key_free(key);
	cr_assert_eq(jwt_key_load(k.path, give_wrong, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "wrong passphrase"), "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	cr_assert_eq(jwt_key_load(k.path, NULL, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "encrypted") && strstr(err.msg, "terminal"), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "right horse"));
	free_key(&k);
}

Test(key, bad_files_are_explained)
{
	struct keyfile a, b;
	write_key(&a, NULL);
	write_key(&b, NULL);
	struct jwt_key *key = NULL;
	struct cs_error err;
	/* a's key with b's certificate */
	char *pem = run_read_file(a.path, NULL);
	*strstr(pem, "-----BEGIN CERTIFICATE") = '\0';
	char *mixed = malloc(strlen(pem) + strlen(b.cert_pem) + 1);
	sprintf(mixed, "%s%s", pem, b.cert_pem);
	run_write_file(a.path, mixed, 0600);
	cr_assert_eq(jwt_key_load(a.path, NULL, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "does not belong"), "%s", err.msg);
	run_write_file(a.path, pem, 0600); /* key alone */
	cr_assert_eq(jwt_key_load(a.path, NULL, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "no PEM certificate"), "%s", err.msg);
	run_write_file(a.path, b.cert_pem, 0600); /* certificate alone */
	cr_assert_eq(jwt_key_load(a.path, NULL, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "no readable private key"), "%s", err.msg);
	run_write_file(a.path, "not a pem at all\n", 0600);
	cr_assert_eq(jwt_key_load(a.path, NULL, NULL, &key, &err), -1);
	char missing[600];
	snprintf(missing, sizeof missing, "%s/none.pem", a.dir);
	cr_assert_eq(jwt_key_load(missing, NULL, NULL, &key, &err), -1);
	cr_assert(strstr(err.msg, "none.pem"), "%s", err.msg);
	free(pem);
	free(mixed);
	free_key(&a);
	free_key(&b);
}

static char *make_token(const char *payload)
{
	const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	char *h = jwt_b64url(hdr, strlen(hdr)), *p = jwt_b64url(payload, strlen(payload));
	char *t = malloc(strlen(h) + strlen(p) + 16);
	sprintf(t, "%s.%s.c2ln", h, p);
	free(h);
	free(p);
	return t;
}

Test(decode, garbage_never_crashes)
{
	const char *bad[] = { "", ".", "..", "a.b", "eyJ.!!.c", "abc", "e30", "e30.W10.x" /* payload [] */ };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_null(jwt_decode(bad[i], 1), "%s", bad[i]);
	}
	cr_assert_null(jwt_decode(NULL, 0));
	cr_assert_null(jwt_decode("e30.e30.x", 2));
	cJSON *ok = jwt_decode("e30.e30.x", 1); /* {} */
	cr_assert_not_null(ok);
	cJSON_Delete(ok);
}

Test(identity, from_the_id_token_or_the_apps_own_client_id_never_the_access_token)
{
	struct auth_identity id;
	struct cs_error err;
	struct conf_profile person = { .name = "p", .tenant = "t-1", .client_id = "a-1", .auth = CONF_AUTH_DEVICE_CODE };
	char *t = make_token("{\"aud\":\"a-1\",\"preferred_username\":\"admin@contoso.onmicrosoft.com\","
			     "\"name\":\"Ada\u202e Admin\",\"oid\":\"o-1\",\"tid\":\"t-1\"}");
	cr_assert_eq(authstore_identity(&person, t, &id, &err), 0, "%s", err.msg);
	cr_assert(id.delegated);
	cr_assert_str_eq(id.name, "admin@contoso.onmicrosoft.com");
	cr_assert_not_null(id.display_name);
	cr_assert_str_eq(id.object_id, "o-1");
	cr_assert_str_eq(id.tenant_id, "t-1");
	cr_assert_str_eq(id.app_id, "a-1", "the app is the profile's client");
	auth_identity_free(&id);
	free(t);

	/* v1 ID tokens name the user in upn */
	t = make_token("{\"upn\":\"u@x\",\"oid\":\"o-2\"}");
	cr_assert_eq(authstore_identity(&person, t, &id, &err), 0);
	cr_assert_str_eq(id.name, "u@x");
	auth_identity_free(&id);
	free(t);

	/* An app is who its profile says: no token is read at all. */
	struct conf_profile app = { .name = "a", .tenant = "t-1", .client_id = CLIENT_ID, .auth = CONF_AUTH_CLIENT_SECRET };
	cr_assert_eq(authstore_identity(&app, NULL, &id, &err), 0, "%s", err.msg);
	cr_assert(!id.delegated);
	cr_assert_str_eq(id.name, CLIENT_ID);
	cr_assert_str_eq(id.app_id, CLIENT_ID);
	auth_identity_free(&id);

	/* A person's sign-in without a usable ID token says so. */
	t = make_token("{\"aud\":\"x\"}");
	cr_assert_eq(authstore_identity(&person, t, &id, &err), -1);
	free(t);
	cr_assert_eq(authstore_identity(&person, NULL, &id, &err), -1);
	cr_assert(strstr(err.msg, "ID token"), "%s", err.msg);
}
