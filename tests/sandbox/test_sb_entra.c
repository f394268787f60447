/* Entra endpoints of the sandbox: client secret, JWT client assertion, device code, refresh tokens,
 * and the error shape of tests/fixtures/microsoft-docs/entra-token-error.json. */
#include "config.h"
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/xalloc.h"
#include "sandbox/jwt.h"
#include "sbt.h"

#define TOKEN_PATH "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/token"
#define GRAPH_SCOPE "https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default" /* for format strings */

static void assert_entra_error(const struct sbt_resp *r, long status, const char *error)
{
	cr_assert_eq(r->status, status, "status %ld: %s", r->status, r->body);
	cJSON *fx = sbt_fixture("microsoft-docs/entra-token-error.json");
	const char *missing = sbt_missing_key(r->json, fx);
	cr_expect_null(missing, "error body lacks \"%s\": %s", missing, r->body);
	cJSON_Delete(fx);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(r->json, "error")->valuestring, error);
	const char *desc = cJSON_GetObjectItemCaseSensitive(r->json, "error_description")->valuestring;
	cr_expect(!strncmp(desc, "AADSTS", 6) && strstr(desc, "Trace ID: "), "%s", desc);
	cr_expect(cJSON_IsNumber(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "error_codes"), 0)));
}

static void post_token(struct sbt *t, const char *body, struct sbt_resp *r)
{
	sbt_req(t, "POST", TOKEN_PATH, NULL, body, r);
}

Test(entra, client_secret_token_is_a_signed_jwt_for_the_resource)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *sec = sb_url_encode(t.app_secret);
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=" GRAPH_SCOPE, t.app_id, sec);
	struct sbt_resp r;
	post_token(&t, body, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(r.json, "token_type")->valuestring, "Bearer");
	cr_expect_gt(cJSON_GetObjectItemCaseSensitive(r.json, "expires_in")->valueint, 3000);
	/* Access tokens are opaque to clients: a random string, no JWT to read. */
	const char *at = cJSON_GetObjectItemCaseSensitive(r.json, "access_token")->valuestring;
	cJSON *h, *c;
	cr_expect_eq(sb_jwt_decode(at, &h, &c), -1, "the access token is a readable JWT: %s", at);
	cr_expect_geq(strlen(at), 40);
	cr_expect_null(strchr(at, '.'));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(r.json, "id_token"), "an app gets no ID token");
	/* ...and the services accept it by looking it up. */
	struct sbt_resp g;
	sbt_get(&t, at, "/graph/v1.0/policies/authorizationPolicy", NULL, &g);
	cr_expect_eq(g.status, 200, "%s", g.body);
	sbt_resp_free(&g);
	sbt_get(&t, "not-a-token-the-sandbox-issued", "/graph/v1.0/policies/authorizationPolicy", NULL, &g);
	cr_expect_eq(g.status, 401);
	sbt_resp_free(&g);
	sbt_resp_free(&r);
	free(body);

	body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=wrong&scope=" GRAPH_SCOPE, t.app_id);
	post_token(&t, body, &r);
	assert_entra_error(&r, 401, "invalid_client");
	cr_expect_null(strstr(r.body, t.app_secret), "secrets never echo");
	sbt_resp_free(&r);
	free(body);

	body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=https%%3A%%2F%%2Ffoo.microsoft.com%%2F.default",
			t.app_id, sec);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_resource");
	sbt_resp_free(&r);
	free(body);

	body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=User.Read", t.app_id, sec);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_scope");
	sbt_resp_free(&r);
	free(body);

	body = xasprintf("grant_type=client_credentials&client_id=00000000-0000-0000-0000-000000000001&client_secret=x&scope="
			GRAPH_SCOPE);
	post_token(&t, body, &r);
	free(body);
	assert_entra_error(&r, 400, "unauthorized_client");
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/entra/fabrikam.onmicrosoft.com/oauth2/v2.0/token", NULL, "grant_type=client_credentials", &r);
	assert_entra_error(&r, 400, "invalid_request");
	sbt_resp_free(&r);
	free(sec);
	cr_expect_eq(sbt_stop(&t), 0);
}

/* A client assertion signed with key, its header naming cert; tweak lets a test break one part. */
enum tweak { OK_PS256, OK_RS256_X5T, BAD_AUD, EXPIRED, WRONG_KEY, UNKNOWN_THUMBPRINT, TOO_LONG };

static char *assertion(struct sbt *t, enum tweak tw)
{
	FILE *f = fopen(t->client_pem, "r");
	cr_assert_not_null(f);
	X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	cr_assert(cert && key);
	if (tw == WRONG_KEY) {
		EVP_PKEY_free(key);
		key = EVP_RSA_gen(2048);
	}
	unsigned char md[32];
	unsigned int mdn;
	bool rs = tw == OK_RS256_X5T;
	X509_digest(cert, rs ? EVP_sha1() : EVP_sha256(), md, &mdn);
	char *thumb = sb_b64url(md, mdn);
	if (tw == UNKNOWN_THUMBPRINT)
		thumb[0] = thumb[0] == 'A' ? 'B' : 'A';
	char *hdr = xasprintf("{\"alg\":\"%s\",\"typ\":\"JWT\",\"%s\":\"%s\"}", rs ? "RS256" : "PS256", rs ? "x5t" : "x5t#S256", thumb);
	long now = (long)time(NULL);
	char *aud = tw == BAD_AUD ? xstrdup("https://login.microsoftonline.com/other/oauth2/v2.0/token")
				  : xasprintf("%s" TOKEN_PATH, t->base);
	long nbf = tw == EXPIRED ? now - 3600 : now, exp = tw == EXPIRED ? now - 1800 : tw == TOO_LONG ? now + 7200 : now + 600;
	char *claims = xasprintf("{\"aud\":\"%s\",\"iss\":\"%s\",\"sub\":\"%s\",\"jti\":\"6f1d7c2e-6a55-4f9e-9d3c-1a2b3c4d5e6f\","
			"\"nbf\":%ld,\"iat\":%ld,\"exp\":%ld}", aud, t->app_id, t->app_id, nbf, nbf, exp);
	char *h64 = sb_b64url(hdr, strlen(hdr)), *c64 = sb_b64url(claims, strlen(claims));
	char *input = xasprintf("%s.%s", h64, c64);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx;
	cr_assert_eq(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, key), 1);
	if (!rs) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	size_t n = 0;
	EVP_DigestSign(ctx, NULL, &n, (unsigned char *)input, strlen(input));
	unsigned char *sig = xmalloc(n);
	cr_assert_eq(EVP_DigestSign(ctx, sig, &n, (unsigned char *)input, strlen(input)), 1);
	char *s64 = sb_b64url(sig, n);
	char *jwt = xasprintf("%s.%s", input, s64);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	X509_free(cert);
	free(sig), free(s64), free(input), free(h64), free(c64), free(claims), free(aud), free(hdr), free(thumb);
	return jwt;
}

static long assertion_status(struct sbt *t, enum tweak tw, char **error)
{
	char *jwt = assertion(t, tw);
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_assertion_type="
			"urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer&client_assertion=%s&scope=" GRAPH_SCOPE,
			t->app_id, jwt);
	struct sbt_resp r;
	post_token(t, body, &r);
	long status = r.status;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r.json, "error");
	*error = xstrdup(cJSON_IsString(e) ? e->valuestring : "");
	cr_expect(status != 200 || cJSON_GetObjectItemCaseSensitive(r.json, "access_token"));
	sbt_resp_free(&r);
	free(body);
	free(jwt);
	return status;
}

Test(entra, jwt_client_assertion_accepted_and_rejected)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *err;
	cr_expect_eq(assertion_status(&t, OK_PS256, &err), 200, "PS256 with x5t#S256: %s", err);
	free(err);
	cr_expect_eq(assertion_status(&t, OK_RS256_X5T, &err), 200, "RS256 with x5t: %s", err);
	free(err);
	enum tweak bad[] = { BAD_AUD, EXPIRED, WRONG_KEY, UNKNOWN_THUMBPRINT, TOO_LONG };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect_eq(assertion_status(&t, bad[i], &err), 401, "tweak %zu accepted", i);
		cr_expect_str_eq(err, "invalid_client");
		free(err);
	}
	struct sbt_resp r;
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_assertion_type=x&client_assertion=a.b.c&scope="
			GRAPH_SCOPE, t.app_id);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_request");
	sbt_resp_free(&r);
	free(body);
	sbt_stop(&t);
}

static void devicecode(struct sbt *t, const char *client, char **user_code, char **device_code)
{
	struct sbt_resp r;
	char *body = xasprintf("client_id=%s&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default%%20offline_access%%20openid",
			client);
	sbt_req(t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/devicecode", NULL, body, &r);
	free(body);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const char *keys[] = { "user_code", "device_code", "verification_uri", "expires_in", "interval", "message", NULL };
	for (int i = 0; keys[i]; i++)
		cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(r.json, keys[i]), "%s", keys[i]);
	cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "message")->valuestring,
			cJSON_GetObjectItemCaseSensitive(r.json, "user_code")->valuestring));
	*user_code = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "user_code")->valuestring);
	*device_code = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "device_code")->valuestring);
	sbt_resp_free(&r);
}

static void poll_token(struct sbt *t, const char *client, const char *device_code, struct sbt_resp *r)
{
	char *body = xasprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code&client_id=%s&device_code=%s",
			client, device_code);
	post_token(t, body, r);
	free(body);
}

Test(entra, device_code_pending_slow_down_approve_refresh)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *uc, *dc;
	devicecode(&t, t.device_id, &uc, &dc);
	struct sbt_resp r;
	poll_token(&t, t.device_id, dc, &r);
	assert_entra_error(&r, 400, "authorization_pending");
	sbt_resp_free(&r);
	poll_token(&t, t.device_id, dc, &r);
	assert_entra_error(&r, 400, "slow_down");
	sbt_resp_free(&r);
	char *ap = xasprintf("{\"user_code\":\"%s\"}", uc);
	sbt_req(&t, "POST", "/_sandbox/approve", NULL, ap, &r);
	cr_expect_eq(r.status, 200);
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/_sandbox/approve", NULL, "{\"user_code\":\"NOSUCHCOD\"}", &r);
	cr_expect_eq(r.status, 404);
	sbt_resp_free(&r);
	usleep(1100000);
	poll_token(&t, t.device_id, dc, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cJSON *fx = sbt_fixture("microsoft-docs/entra-token-response.json");
	cr_expect_null(sbt_missing_key(r.json, fx), "token answer lacks \"%s\"", sbt_missing_key(r.json, fx));
	cJSON_Delete(fx);
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(r.json, "refresh_token");
	cr_assert(cJSON_IsString(rt));
	/* Who signed in is in the ID token, a JWT meant for the client; the access token says nothing. */
	cJSON *h, *c;
	cr_expect_eq(sb_jwt_decode(cJSON_GetObjectItemCaseSensitive(r.json, "access_token")->valuestring, &h, &c), -1);
	const cJSON *idt = cJSON_GetObjectItemCaseSensitive(r.json, "id_token");
	cr_assert(cJSON_IsString(idt), "openid asked for an ID token: %s", r.body);
	cr_assert_eq(sb_jwt_decode(idt->valuestring, &h, &c), 0);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "preferred_username")->valuestring,
			 "admin@contoso-sandbox.onmicrosoft.com");
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "aud")->valuestring, t.device_id);
	const char *id_claims[] = { "iss", "tid", "oid", "name", "iat", "nbf", "exp", NULL };
	for (int i = 0; id_claims[i]; i++)
		cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(c, id_claims[i]), "ID token claim %s", id_claims[i]);
	cJSON_Delete(h);
	cJSON_Delete(c);
	char *rtok = sb_url_encode(rt->valuestring);
	sbt_resp_free(&r);
	poll_token(&t, t.device_id, dc, &r);
	assert_entra_error(&r, 400, "bad_verification_code");
	sbt_resp_free(&r);

	/* The refresh token buys a token for another resource (the first environment). */
	char *env = sb_url_encode(sbt_env_url(&t, 0));
	char *body = xasprintf("grant_type=refresh_token&client_id=%s&refresh_token=%s&scope=%s%%2F.default%%20offline_access",
			t.device_id, rtok, env);
	post_token(&t, body, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	{ /* the new token works for the environment, and only there */
		char *who = xasprintf("%s/api/data/v9.2/WhoAmI", sbt_env_url(&t, 0));
		struct sbt_resp g;
		const char *at = cJSON_GetObjectItemCaseSensitive(r.json, "access_token")->valuestring;
		sbt_get(&t, at, who, NULL, &g);
		cr_expect_eq(g.status, 200, "%s", g.body);
		sbt_resp_free(&g);
		sbt_get(&t, at, "/graph/v1.0/policies/authorizationPolicy", NULL, &g);
		cr_expect_eq(g.status, 401, "a Dataverse token opened Graph");
		sbt_resp_free(&g);
		free(who);
	}
	sbt_resp_free(&r);
	free(body);
	body = xasprintf("grant_type=refresh_token&client_id=%s&refresh_token=%s&scope=" GRAPH_SCOPE, t.user_id, rtok);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_grant");
	sbt_resp_free(&r);
	free(body);

	/* A confidential client cannot start the device flow. */
	body = xasprintf("client_id=%s&scope=" GRAPH_SCOPE, t.app_id);
	sbt_req(&t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/devicecode", NULL, body, &r);
	assert_entra_error(&r, 400, "invalid_client");
	sbt_resp_free(&r);
	free(body);
	free(env), free(rtok), free(ap), free(uc), free(dc);
	sbt_stop(&t);
}

Test(entra, device_code_auto_approve_decline_and_expiry)
{
	struct sbt t;
	const char *args[] = { "--auto-approve-after", "1", "--device-code-lifetime", "3", NULL };
	sbt_start(&t, args, NULL);
	char *uc, *dc;
	devicecode(&t, t.user_id, &uc, &dc);
	struct sbt_resp r;
	poll_token(&t, t.user_id, dc, &r);
	assert_entra_error(&r, 400, "authorization_pending");
	sbt_resp_free(&r);
	usleep(1200000);
	poll_token(&t, t.user_id, dc, &r);
	cr_assert_eq(r.status, 200, "auto-approved after 1 s: %s", r.body);
	cJSON *h, *c;
	cr_assert_eq(sb_jwt_decode(cJSON_GetObjectItemCaseSensitive(r.json, "id_token")->valuestring, &h, &c), 0);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "preferred_username")->valuestring,
			 "user@contoso-sandbox.onmicrosoft.com", "the user-profile client signs in its user");
	cJSON_Delete(h);
	cJSON_Delete(c);
	sbt_resp_free(&r);
	free(uc), free(dc);

	devicecode(&t, t.device_id, &uc, &dc);
	char *ap = xasprintf("{\"user_code\":\"%s\",\"decline\":true}", uc);
	sbt_req(&t, "POST", "/_sandbox/approve", NULL, ap, &r);
	sbt_resp_free(&r);
	poll_token(&t, t.device_id, dc, &r);
	assert_entra_error(&r, 400, "authorization_declined");
	sbt_resp_free(&r);
	free(uc), free(dc), free(ap);

	devicecode(&t, t.device_id, &uc, &dc);
	usleep(3100000);
	poll_token(&t, t.device_id, dc, &r);
	assert_entra_error(&r, 400, "expired_token");
	sbt_resp_free(&r);
	free(uc), free(dc);
	sbt_stop(&t);
}

/* ---- authorization code with PKCE (auth = browser) ---- */

#define AUTHZ_PATH "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/authorize"
/* BASE64URL(SHA-256(VERIFIER)), computed with openssl dgst -sha256. */
#define VERIFIER "dBjftJeZ4CVP-mJ0kIqCmB8V9ByNhHY6Lum-sdG42JY"
#define CHALLENGE "1IzKU7w5wIwjXZjsPx5ydXeKdc4rp_7cfUajIYNojXk"
#define REDIRECT "http%3A%2F%2Flocalhost%3A50123"
#define REDIRECT_F "http%%3A%%2F%%2Flocalhost%%3A50123" /* for format strings */

/* GET /authorize for client with extra query text; the answer in r. */
static void authorize(struct sbt *t, const char *client, const char *extra, struct sbt_resp *r)
{
	char *q = xasprintf(AUTHZ_PATH "?client_id=%s&response_type=code&redirect_uri=" REDIRECT_F
			"&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default%%20openid%%20offline_access&state=st4te%s",
			client, extra);
	sbt_req(t, "GET", q, NULL, NULL, r);
	free(q);
}

/* A fresh code for the PKCE challenge, from the Location of a 302. Caller frees. */
static char *fresh_code(struct sbt *t)
{
	struct sbt_resp r;
	authorize(t, t->device_id, "&code_challenge=" CHALLENGE "&code_challenge_method=S256", &r);
	cr_assert_eq(r.status, 302, "%ld %s", r.status, r.body);
	const char *loc = sbt_header(&r, "Location");
	cr_assert(loc && !strncmp(loc, "http://localhost:50123?code=", 28), "%s", loc ? loc : "(none)");
	cr_assert(strstr(loc, "&state=st4te"), "the state is not sent back: %s", loc);
	char *code = xstrndup(loc + 28, strcspn(loc + 28, "&"));
	sbt_resp_free(&r);
	return code;
}

static void redeem(struct sbt *t, const char *code, const char *redirect, const char *verifier, struct sbt_resp *r)
{
	char *body = xasprintf("client_id=%s&grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s"
			"&scope=" GRAPH_SCOPE "%%20openid%%20offline_access", t->device_id, code, redirect, verifier);
	post_token(t, body, r);
	free(body);
}

Test(entra, authorization_code_with_pkce)
{
	struct sbt t;
	const char *args[] = { "--auto-approve-after", "0", NULL };
	sbt_start(&t, args, NULL);
	struct sbt_resp r;
	/* The right verifier and redirect_uri: tokens as for device code. */
	char *code = fresh_code(&t);
	redeem(&t, code, REDIRECT, VERIFIER, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const char *at = cJSON_GetObjectItemCaseSensitive(r.json, "access_token")->valuestring;
	cr_expect(!strncmp(at, "sbxat_", 6), "not opaque: %s", at);
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(r.json, "refresh_token"));
	cJSON *h, *c;
	cr_assert_eq(sb_jwt_decode(cJSON_GetObjectItemCaseSensitive(r.json, "id_token")->valuestring, &h, &c), 0);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "aud")->valuestring, t.device_id);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "preferred_username")->valuestring,
			"admin@contoso-sandbox.onmicrosoft.com");
	cJSON_Delete(h), cJSON_Delete(c);
	sbt_resp_free(&r);
	/* Once only. */
	redeem(&t, code, REDIRECT, VERIFIER, &r);
	assert_entra_error(&r, 400, "invalid_grant");
	cr_expect(strstr(r.body, "AADSTS54005"), "%s", r.body);
	sbt_resp_free(&r);
	free(code);
	/* Another verifier: invalid_grant, and the code is spent. */
	code = fresh_code(&t);
	redeem(&t, code, REDIRECT, "another-verifier-of-the-right-length-0123456789", &r);
	assert_entra_error(&r, 400, "invalid_grant");
	cr_expect(strstr(r.body, "AADSTS501481"), "%s", r.body);
	sbt_resp_free(&r);
	redeem(&t, code, REDIRECT, VERIFIER, &r);
	cr_expect_eq(r.status, 400, "a refused code was redeemed later");
	sbt_resp_free(&r);
	free(code);
	/* Another redirect_uri than the code was issued for. */
	code = fresh_code(&t);
	redeem(&t, code, "http%3A%2F%2Flocalhost%3A50124", VERIFIER, &r);
	assert_entra_error(&r, 400, "invalid_grant");
	cr_expect(strstr(r.body, "redirect_uri"), "%s", r.body);
	sbt_resp_free(&r);
	free(code);
	/* No verifier at all. */
	code = fresh_code(&t);
	char *body = xasprintf("client_id=%s&grant_type=authorization_code&code=%s&redirect_uri=" REDIRECT_F, t.device_id,
			code);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_request");
	sbt_resp_free(&r);
	free(body), free(code);
	sbt_stop(&t);
}

Test(entra, authorize_refuses_what_entra_refuses)
{
	struct sbt t;
	const char *args[] = { "--auto-approve-after", "0", NULL };
	sbt_start(&t, args, NULL);
	struct sbt_resp r;
	/* No PKCE challenge, or not S256: back to the client with the error and the state. */
	authorize(&t, t.device_id, "", &r);
	cr_assert_eq(r.status, 302);
	cr_expect(strstr(sbt_header(&r, "Location"), "error=invalid_request"), "%s", sbt_header(&r, "Location"));
	cr_expect(strstr(sbt_header(&r, "Location"), "state=st4te"));
	sbt_resp_free(&r);
	authorize(&t, t.device_id, "&code_challenge=" CHALLENGE "&code_challenge_method=plain", &r);
	cr_assert_eq(r.status, 302);
	cr_expect(strstr(sbt_header(&r, "Location"), "error=invalid_request"));
	sbt_resp_free(&r);
	/* A confidential client has no loopback redirect URI: a page, no redirect. */
	authorize(&t, t.app_id, "&code_challenge=" CHALLENGE "&code_challenge_method=S256", &r);
	cr_expect_eq(r.status, 400);
	cr_expect_null(sbt_header(&r, "Location"));
	cr_expect(strstr(r.body, "AADSTS50011"), "%s", r.body);
	sbt_resp_free(&r);
	/* A redirect elsewhere than loopback. */
	char *q = xasprintf(AUTHZ_PATH "?client_id=%s&response_type=code&redirect_uri=https%%3A%%2F%%2Fevil.example"
			"&scope=openid&state=s&code_challenge=" CHALLENGE "&code_challenge_method=S256", t.device_id);
	sbt_req(&t, "GET", q, NULL, NULL, &r);
	cr_expect_eq(r.status, 400);
	cr_expect_null(sbt_header(&r, "Location"));
	sbt_resp_free(&r);
	free(q);
	sbt_stop(&t);
}

Test(entra, authorize_without_auto_approve_shows_a_form)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	struct sbt_resp r;
	authorize(&t, t.device_id, "&code_challenge=" CHALLENGE "&code_challenge_method=S256&login_hint=user%40contoso-sandbox.onmicrosoft.com", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "<form method=post>") && strstr(r.body, "user@contoso-sandbox.onmicrosoft.com"), "%s",
			r.body);
	sbt_resp_free(&r);
	sbt_stop(&t);
}

Test(entra, conditional_access_policy_answers_the_chosen_grants)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	struct sbt_resp r;
	sbt_req(&t, "POST", "/_sandbox/policy", NULL, "{\"aadsts\":53003,\"flows\":\"client_credentials\"}", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
	char *body = xasprintf("client_id=%s&client_secret=%s&grant_type=client_credentials&scope=" GRAPH_SCOPE, t.app_id,
			t.app_secret);
	post_token(&t, body, &r);
	assert_entra_error(&r, 400, "invalid_grant");
	cr_expect(strstr(r.body, "AADSTS53003: Access has been blocked by Conditional Access policies"), "%s", r.body);
	cr_expect_eq(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "error_codes"), 0)->valueint, 53003);
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/_sandbox/policy", NULL, "{\"aadsts\":50079,\"flows\":\"device_code\"}", &r);
	sbt_resp_free(&r);
	post_token(&t, body, &r);
	cr_expect_eq(r.status, 200, "a grant the policy does not name: %s", r.body);
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/_sandbox/policy", NULL, "{\"aadsts\":12345}", &r);
	cr_expect_eq(r.status, 400, "an unknown code is refused");
	sbt_resp_free(&r);
	free(body);
	sbt_stop(&t);
}
