/* The authorization code flow with PKCE and the Conditional Access stand-in (entra_authz.h).
 * As Entra documents it ("Microsoft identity platform and OAuth 2.0 authorization code flow"):
 * /authorize takes client_id, response_type=code, redirect_uri, scope, state, code_challenge and
 * code_challenge_method=S256 and sends the browser to redirect_uri?code=...&state=...; the token
 * endpoint redeems the code once, for the same client and redirect_uri, with the code_verifier. */
#include "config.h"
#include "sandbox/entra.h"
#include "sandbox/entra_authz.h"
#include "sandbox/tenant.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CODE_LIFETIME 600.0 /* Entra: authorization codes are short-lived, about 10 minutes */

struct code {
	char *code, *redirect_uri, *challenge, *scope;
	char client_id[37];
	int user;
	double created;
	bool redeemed;
};

struct sb_authz {
	pthread_mutex_t mu;
	struct code *codes;
	size_t n;
	int policy_aadsts;       /* 0: no policy */
	char policy_flows[160];
};

struct sb_authz *sb_authz_new(void)
{
	struct sb_authz *z = xcalloc(1, sizeof *z);
	pthread_mutex_init(&z->mu, NULL);
	return z;
}

static void code_free(struct code *c)
{
	free(c->code);
	free(c->redirect_uri);
	free(c->challenge);
	free(c->scope);
}

void sb_authz_free(struct sb_authz *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n; i++)
		code_free(&z->codes[i]);
	free(z->codes);
	pthread_mutex_destroy(&z->mu);
	free(z);
}

/* A loopback redirect URI as Entra accepts it for a public client's "Mobile and desktop"
 * platform: http://localhost or http://127.0.0.1, any port, an optional path, no query. */
static bool loopback_uri(const char *u)
{
	const char *rest = NULL;
	if (!strncmp(u, "http://localhost", 16))
		rest = u + 16;
	else if (!strncmp(u, "http://127.0.0.1", 16))
		rest = u + 16;
	if (!rest)
		return false;
	if (*rest == ':') {
		size_t d = strspn(rest + 1, "0123456789");
		if (d == 0 || d > 5 || atoi(rest + 1) > 65535)
			return false;
		rest += 1 + d;
	}
	return (*rest == '\0' || *rest == '/') && !strpbrk(rest, "?#");
}

static char *html_escape(const char *s)
{
	struct buf b;
	buf_init(&b);
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_printf(&b, "&lt;"); break;
		case '>': buf_printf(&b, "&gt;"); break;
		case '&': buf_printf(&b, "&amp;"); break;
		case '"': buf_printf(&b, "&quot;"); break;
		default: buf_printf(&b, "%c", *s);
		}
	}
	return b.data ? b.data : xstrdup("");
}

/* An error shown in the browser (Entra shows these itself, without a redirect: the redirect URI
 * is not trusted yet). */
static void error_page(struct sb_resp *rs, int aadsts, const char *text)
{
	char *t = html_escape(text);
	char *page = xasprintf("<!doctype html><title>Sign in</title><p>Sorry, but we're having trouble signing you "
			"in.</p><p>AADSTS%d: %s</p>\n", aadsts, t);
	sb_resp_text(rs, 400, "text/html; charset=utf-8", page);
	free(page);
	free(t);
}

/* Sends the browser back to the client with the answer's parameters. */
static void redirect_back(struct sb_resp *rs, const char *redirect_uri, const char *state, const char *name1,
		const char *value1, const char *name2, const char *value2)
{
	struct buf b;
	buf_init(&b);
	char *v1 = sb_url_encode(value1);
	buf_printf(&b, "%s%s%s=%s", redirect_uri, strchr(redirect_uri, '?') ? "&" : "?", name1, v1);
	free(v1);
	if (name2) {
		char *v2 = sb_url_encode(value2);
		buf_printf(&b, "&%s=%s", name2, v2);
		free(v2);
	}
	if (state) {
		char *st = sb_url_encode(state);
		buf_printf(&b, "&state=%s", st);
		free(st);
	}
	sb_resp_header(rs, "Location", "%s", b.data);
	sb_resp_header(rs, "Cache-Control", "no-store, no-cache");
	sb_resp_text(rs, 302, "text/html; charset=utf-8", "<p>Redirecting back to the application.</p>\n");
	OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
}

static void redirect_error(struct sb_resp *rs, const char *redirect_uri, const char *state, const char *error,
		int aadsts, const char *text)
{
	char *desc = xasprintf("AADSTS%d: %s", aadsts, text);
	redirect_back(rs, redirect_uri, state, "error", error, "error_description", desc);
	free(desc);
}

static char *new_code(struct sb_authz *z, const struct sb_app *app, int user, const char *redirect_uri,
		const char *challenge, const char *scope)
{
	unsigned char raw[48];
	RAND_bytes(raw, sizeof raw);
	char *code = sb_b64url(raw, sizeof raw);
	double now = sb_now_frac();
	pthread_mutex_lock(&z->mu);
	size_t kept = 0; /* forget the old ones */
	for (size_t i = 0; i < z->n; i++) {
		if (now - z->codes[i].created > 2 * CODE_LIFETIME)
			code_free(&z->codes[i]);
		else
			z->codes[kept++] = z->codes[i];
	}
	z->n = kept;
	z->codes = xrealloc(z->codes, (z->n + 1) * sizeof *z->codes);
	struct code *c = &z->codes[z->n++];
	memset(c, 0, sizeof *c);
	c->code = xstrdup(code);
	c->redirect_uri = xstrdup(redirect_uri);
	c->challenge = xstrdup(challenge);
	c->scope = xstrdup(scope);
	snprintf(c->client_id, sizeof c->client_id, "%s", app->client_id);
	c->user = user;
	c->created = now;
	pthread_mutex_unlock(&z->mu);
	return code;
}

/* The sign-in form, carrying the request's parameters. */
static void sign_in_form(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const struct sb_app *app)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "<!doctype html><title>chatsync sandbox sign-in</title><form method=post>");
	static const char *const keep[] = { "client_id", "response_type", "redirect_uri", "scope", "state",
		"code_challenge", "code_challenge_method", "response_mode" };
	for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
		const char *v = sb_kv_get(&rq->args, keep[i]);
		if (!v)
			continue;
		char *e = html_escape(v);
		buf_printf(&b, "<input type=hidden name=%s value=\"%s\">", keep[i], e);
		free(e);
	}
	const char *hint = sb_kv_get(&rq->args, "login_hint");
	const char *dflt = hint ? hint : app->device_user >= 0 ? s->tenant.users[app->device_user].upn : "";
	char *e = html_escape(dflt);
	buf_printf(&b, "<label>User <input name=login_hint value=\"%s\"></label> <button>Sign in</button></form>\n", e);
	free(e);
	sb_resp_text(rs, 200, "text/html; charset=utf-8", b.data);
	buf_free(&b);
}

void sb_authz_authorize(struct sb_server *s, struct sb_authz *z, struct sb_req *rq, struct sb_resp *rs)
{
	bool post = !strcmp(rq->method, "POST");
	if (post) { /* the form's answer: its fields become the arguments */
		char *body = xstrndup(rq->body ? rq->body : "", rq->body_len);
		sb_kv_free(&rq->args);
		memset(&rq->args, 0, sizeof rq->args);
		sb_parse_query(body, true, &rq->args);
		free(body);
	} else if (strcmp(rq->method, "GET")) {
		error_page(rs, 900561, "The endpoint only accepts GET and POST requests.");
		return;
	}
	const struct sb_kvlist *a = &rq->args;
	const char *client_id = sb_kv_get(a, "client_id"), *redirect_uri = sb_kv_get(a, "redirect_uri");
	const char *state = sb_kv_get(a, "state"), *scope = sb_kv_get(a, "scope");
	const char *rtype = sb_kv_get(a, "response_type"), *challenge = sb_kv_get(a, "code_challenge");
	const char *method = sb_kv_get(a, "code_challenge_method"), *mode = sb_kv_get(a, "response_mode");
	const struct sb_app *app = client_id ? sb_tenant_app(&s->tenant, client_id) : NULL;
	if (!client_id) {
		error_page(rs, 900144, "The request body must contain the following parameter: 'client_id'.");
		return;
	}
	if (!app) {
		char *t = xasprintf("Application with identifier '%s' was not found in the directory '%s'.", client_id,
				s->tenant.domain);
		error_page(rs, 700016, t);
		free(t);
		return;
	}
	if (!redirect_uri || !app->public_client || !loopback_uri(redirect_uri)) {
		char *t = xasprintf("The redirect URI '%s' specified in the request does not match the redirect URIs "
				"configured for the application '%s'.", redirect_uri ? redirect_uri : "", client_id);
		error_page(rs, 50011, t);
		free(t);
		return;
	}
	if (!rtype || strcmp(rtype, "code")) {
		redirect_error(rs, redirect_uri, state, "unsupported_response_type", 70005,
				"The app requested a response type other than 'code'.");
	} else if (mode && strcmp(mode, "query")) {
		redirect_error(rs, redirect_uri, state, "invalid_request", 70007,
				"The app requested an unsupported response_mode: a public client's code comes in the query.");
	} else if (!scope || !*scope) {
		redirect_error(rs, redirect_uri, state, "invalid_request", 900144,
				"The request body must contain the following parameter: 'scope'.");
	} else if (!challenge) {
		redirect_error(rs, redirect_uri, state, "invalid_request", 9002325,
				"Proof Key for Code Exchange is required: the request must contain 'code_challenge'.");
	} else if (!method || strcmp(method, "S256")) {
		redirect_error(rs, redirect_uri, state, "invalid_request", 50148,
				"The code_challenge_method must be S256.");
	} else if (strlen(challenge) != 43 || strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				"0123456789-_") != 43) {
		redirect_error(rs, redirect_uri, state, "invalid_request", 50147,
				"The size of the code challenge parameter is not valid.");
	} else if (!post && s->opt.auto_approve_after < 0) {
		sign_in_form(s, rq, rs, app);
	} else {
		const char *hint = sb_kv_get(a, "login_hint");
		int user = hint && *hint ? sb_tenant_user_by_upn(&s->tenant, hint)
					 : app->device_user >= 0 ? app->device_user : 0;
		if (user < 0) {
			char *t = xasprintf("User account '%s' does not exist in tenant '%s'.", hint, s->tenant.domain);
			error_page(rs, 50034, t);
			free(t);
			return;
		}
		char *code = new_code(z, app, user, redirect_uri, challenge, scope);
		redirect_back(rs, redirect_uri, state, "code", code, NULL, NULL);
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
}

static bool eq_secret(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

/* BASE64URL(SHA256(verifier)) equals challenge? */
static bool pkce_ok(const char *verifier, const char *challenge)
{
	size_t n = strlen(verifier);
	if (n < 43 || n > 128 || strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != n)
		return false;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(verifier, n, md, &len, EVP_sha256(), NULL) != 1)
		return false;
	char *want = sb_b64url(md, len);
	bool ok = eq_secret(want, challenge);
	free(want);
	return ok;
}

int sb_authz_redeem(struct sb_server *s, struct sb_authz *z, struct sb_resp *rs, const struct sb_kvlist *f,
		const struct sb_app *app, int *user, char **scope)
{
	(void)s;
	const char *code = sb_kv_get(f, "code"), *redirect_uri = sb_kv_get(f, "redirect_uri");
	const char *verifier = sb_kv_get(f, "code_verifier");
	const char *missing = !code ? "code" : !redirect_uri ? "redirect_uri" : !verifier ? "code_verifier" : NULL;
	if (missing) {
		sb_entra_error(rs, 400, "invalid_request", 900144,
				"The request body must contain the following parameter: '%s'.", missing);
		return -1;
	}
	if (!app->public_client) {
		sb_entra_error(rs, 401, "invalid_client", 7000218, "The request body must contain the following parameter: "
				"'client_assertion' or 'client_secret'.");
		return -1;
	}
	enum { BAD, USED, EXPIRED, WRONG_URI, WRONG_VERIFIER, OK } st = BAD;
	pthread_mutex_lock(&z->mu);
	for (size_t i = 0; i < z->n && st == BAD; i++) {
		struct code *c = &z->codes[i];
		if (!eq_secret(c->code, code) || strcasecmp(c->client_id, app->client_id))
			continue;
		if (c->redeemed)
			st = USED;
		else if (sb_now_frac() - c->created > CODE_LIFETIME)
			st = EXPIRED;
		else if (strcmp(c->redirect_uri, redirect_uri))
			st = WRONG_URI;
		else if (!pkce_ok(verifier, c->challenge))
			st = WRONG_VERIFIER;
		else {
			st = OK;
			*user = c->user;
			*scope = xstrdup(c->scope);
		}
		/* A code is good for one attempt, as Entra's are: a failed redemption spends it too. */
		c->redeemed = true;
	}
	pthread_mutex_unlock(&z->mu);
	switch (st) {
	case OK:
		return 0;
	case USED:
		sb_entra_error(rs, 400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry "
				"with a new valid code or use an existing refresh token.");
		break;
	case EXPIRED:
		sb_entra_error(rs, 400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired "
				"due to inactivity. Send a new interactive authorization request for this user and resource.");
		break;
	case WRONG_URI:
		sb_entra_error(rs, 400, "invalid_grant", 70000, "The provided value for the input parameter 'redirect_uri' "
				"is not valid: it does not match the redirect URI the authorization code was issued for.");
		break;
	case WRONG_VERIFIER:
		sb_entra_error(rs, 400, "invalid_grant", 501481,
				"The Code_Verifier does not match the code_challenge supplied in the authorization request.");
		break;
	case BAD:
		sb_entra_error(rs, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the "
				"authorization code is unknown or was issued to another client.");
		break;
	}
	return -1;
}

/* What each Conditional Access answer says (Entra's error codes reference; 530033 as tenants
 * see it when a device-based policy meets the device-code flow). */
static const struct {
	int code;
	const char *error, *text;
} ca_errors[] = {
	{ 53003, "invalid_grant", "Access has been blocked by Conditional Access policies. The access policy does "
	  "not allow token issuance." },
	{ 530033, "invalid_grant", "Access has been blocked because the device-code flow cannot satisfy the "
	  "device-based Conditional Access policy: the device that signs in is not the one that gets the token." },
	{ 530035, "invalid_grant", "Access has been blocked by security defaults. This is due to the request using "
	  "legacy auth or being deemed unsafe by security defaults policies." },
	{ 53000, "invalid_grant", "Device is not in required device state: compliant. Conditional Access policy "
	  "requires a compliant device, and the device is not compliant." },
	{ 53001, "invalid_grant", "Device is not in required device state: domain_joined. Conditional Access policy "
	  "requires a domain joined device, and the device is not domain joined." },
	{ 50076, "invalid_grant", "Due to a configuration change made by your administrator, or because "
	  "you moved to a new location, you must use multi-factor authentication to access the resource." },
	{ 50079, "interaction_required", "Due to a configuration change made by your administrator, or because you "
	  "moved to a new location, you must enroll in multi-factor authentication to access the resource." },
	{ 50097, "interaction_required", "Device authentication is required." },
	{ 50158, "interaction_required", "External security challenge not satisfied. User will be redirected to "
	  "another page or authentication provider to satisfy additional authentication challenges." },
};

int sb_authz_policy_set(struct sb_authz *z, int aadsts, const char *flows, char *err, size_t errlen)
{
	bool known = aadsts == 0;
	for (size_t i = 0; i < sizeof ca_errors / sizeof *ca_errors; i++)
		known |= ca_errors[i].code == aadsts;
	if (!known) {
		snprintf(err, errlen, "aadsts must be 0 (no policy) or one of 53003, 530033, 530035, 53000, 53001, 50076, "
				"50079, 50097, 50158");
		return -1;
	}
	pthread_mutex_lock(&z->mu);
	z->policy_aadsts = aadsts;
	snprintf(z->policy_flows, sizeof z->policy_flows, ",%s,", flows && *flows ? flows : "all");
	pthread_mutex_unlock(&z->mu);
	return 0;
}

int sb_authz_policy_check(struct sb_authz *z, struct sb_resp *rs, const char *grant)
{
	char needle[64];
	snprintf(needle, sizeof needle, ",%s,", grant);
	pthread_mutex_lock(&z->mu);
	int code = z->policy_aadsts && (strstr(z->policy_flows, needle) || strstr(z->policy_flows, ",all,"))
			   ? z->policy_aadsts : 0;
	pthread_mutex_unlock(&z->mu);
	for (size_t i = 0; code && i < sizeof ca_errors / sizeof *ca_errors; i++) {
		if (ca_errors[i].code != code)
			continue;
		sb_entra_error(rs, 400, ca_errors[i].error, code, "%s", ca_errors[i].text);
		return -1;
	}
	return 0;
}
