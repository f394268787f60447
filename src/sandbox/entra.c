#include "config.h"
#include "sandbox/entra.h"
#include "sandbox/entra_authz.h"
#include "sandbox/jwt.h"
#include "sandbox/tls.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define GRANT_DEVICE "urn:ietf:params:oauth:grant-type:device_code"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define SKEW 300

struct device {
	char *device_code, user_code[12];
	char client_id[37];
	char *scope;
	double created, last_poll;
	int user;                /* -1 until approved */
	bool declined, redeemed;
};

struct refresh {
	char *token;
	char client_id[37];
	int user;
};

/* An access token handed out: opaque to the client (a random string, as Entra promises nothing
 * about its form), so the services look it up here instead of reading it. */
struct issued {
	char *token;
	char *aud;
	char client_id[37];
	int user;                /* -1: an app token */
	double iat, exp;
};

struct sb_entra {
	pthread_mutex_t mu;
	struct device *devices;
	size_t n_devices;
	struct refresh *refresh;
	size_t n_refresh;
	struct issued *issued;
	size_t n_issued;
	struct sb_authz *authz;  /* authorization codes and the Conditional Access stand-in */
};

struct sb_entra *sb_entra_new(void)
{
	struct sb_entra *e = xcalloc(1, sizeof *e);
	pthread_mutex_init(&e->mu, NULL);
	e->authz = sb_authz_new();
	return e;
}

void sb_entra_free(struct sb_entra *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_devices; i++) {
		free(e->devices[i].device_code);
		free(e->devices[i].scope);
	}
	for (size_t i = 0; i < e->n_refresh; i++)
		free(e->refresh[i].token);
	for (size_t i = 0; i < e->n_issued; i++) {
		free(e->issued[i].token);
		free(e->issued[i].aud);
	}
	free(e->issued);
	free(e->devices);
	free(e->refresh);
	sb_authz_free(e->authz);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* The resource of a scope list: "https://x/.default offline_access" -> "https://x". */
static char *scope_resource(const char *scope, bool *is_default, bool *offline, bool *openid)
{
	char *copy = xstrdup(scope), *save = NULL, *res = NULL;
	*is_default = *offline = *openid = false;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "offline_access"))
			*offline = true;
		else if (!strcmp(w, "openid") || !strcmp(w, "profile") || !strcmp(w, "email"))
			*openid |= !strcmp(w, "openid");
		else if (!res) {
			char *slash = strrchr(w, '/');
			if (slash && slash > w && slash[-1] != '/') {
				*is_default = !strcmp(slash, "/.default");
				res = xstrndup(w, (size_t)(slash - w));
			} else {
				res = xstrdup(SB_GRAPH_RESOURCE);   /* a bare Graph scope such as "Chat.Read" */
			}
		}
	}
	free(copy);
	return res;
}

/* Canonical audience for a requested resource, or NULL when the tenant has no such resource. */
static char *known_resource(struct sb_server *s, const char *res)
{
	size_t n = strlen(res);
	while (n && res[n - 1] == '/')
		n--;
	char *r = xstrndup(res, n);
	if (!strcasecmp(r, SB_GRAPH_RESOURCE) || !strcasecmp(r, SB_GRAPH_APP_ID) ||
	    !strcasecmp(r, SB_DISCO_RESOURCE))
		return r;
	for (size_t i = 0; i < s->tenant.n_envs; i++)
		if (!strcasecmp(r, s->tenant.envs[i].url))
			return r;
	free(r);
	return NULL;
}

static char *random_token(size_t bytes)
{
	unsigned char raw[96];
	if (bytes > sizeof raw)
		bytes = sizeof raw;
	RAND_bytes(raw, (int)bytes);
	return sb_b64url(raw, bytes);
}

/* A new opaque access token for app (and user, >= 0) to aud, remembered for sb_entra_lookup. */
static char *issue_token(struct sb_server *s, const struct sb_app *app, int user, const char *aud)
{
	/* A fixed prefix lets the tests find a leaked token anywhere (it says nothing of the token). */
	char *rnd = random_token(32);
	char *tok = xasprintf(SB_ACCESS_TOKEN_PREFIX "%s", rnd);
	free(rnd);
	struct sb_entra *e = s->entra;
	double now = sb_now_frac();
	pthread_mutex_lock(&e->mu);
	/* Forget tokens long expired, so a long run does not grow the table for ever. */
	size_t kept = 0;
	for (size_t i = 0; i < e->n_issued; i++) {
		if (e->issued[i].exp < now - 3600) {
			free(e->issued[i].token);
			free(e->issued[i].aud);
		} else {
			e->issued[kept++] = e->issued[i];
		}
	}
	e->n_issued = kept;
	e->issued = xrealloc(e->issued, (e->n_issued + 1) * sizeof *e->issued);
	struct issued *it = &e->issued[e->n_issued++];
	memset(it, 0, sizeof *it);
	it->token = xstrdup(tok);
	it->aud = xstrdup(aud);
	snprintf(it->client_id, sizeof it->client_id, "%s", app->client_id);
	it->user = user;
	it->iat = now;
	it->exp = (double)((long)now + s->opt.token_lifetime);
	pthread_mutex_unlock(&e->mu);
	return tok;
}

int sb_entra_lookup(struct sb_server *s, const char *token, struct sb_token_info *out)
{
	memset(out, 0, sizeof *out);
	struct sb_entra *e = s->entra;
	int rc = -1;
	size_t n = strlen(token);
	pthread_mutex_lock(&e->mu);
	for (size_t i = 0; i < e->n_issued && rc; i++) {
		const struct issued *it = &e->issued[i];
		if (strlen(it->token) != n || CRYPTO_memcmp(it->token, token, n) != 0)
			continue;
		snprintf(out->aud, sizeof out->aud, "%s", it->aud);
		snprintf(out->client_id, sizeof out->client_id, "%s", it->client_id);
		out->user = it->user;
		out->iat = it->iat;
		out->exp = it->exp;
		rc = 0;
	}
	pthread_mutex_unlock(&e->mu);
	return rc;
}

static void token_answer(struct sb_server *s, struct sb_resp *rs, const struct sb_app *app, int user,
		const char *aud, const char *scope, bool offline, bool openid)
{
	const struct sb_user *u = user >= 0 ? &s->tenant.users[user] : NULL;
	char *tok = issue_token(s, app, user, aud);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token_type", "Bearer");
	if (u)
		cJSON_AddStringToObject(o, "scope", scope);
	cJSON_AddNumberToObject(o, "expires_in", s->opt.token_lifetime);
	cJSON_AddNumberToObject(o, "ext_expires_in", s->opt.token_lifetime);
	cJSON_AddStringToObject(o, "access_token", tok ? tok : "");
	free(tok);
	if (u && offline) {
		char *rt = random_token(64);
		pthread_mutex_lock(&s->entra->mu);
		struct sb_entra *e = s->entra;
		e->refresh = xrealloc(e->refresh, (e->n_refresh + 1) * sizeof *e->refresh);
		e->refresh[e->n_refresh].token = xstrdup(rt);
		snprintf(e->refresh[e->n_refresh].client_id, 37, "%s", app->client_id);
		e->refresh[e->n_refresh].user = user;
		e->n_refresh++;
		pthread_mutex_unlock(&s->entra->mu);
		cJSON_AddStringToObject(o, "refresh_token", rt);
		free(rt);
	}
	if (u && openid) { /* the ID token: a JWT meant for the client (OpenID Connect, v2.0) */
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "aud", app->client_id);
		char *iss = xasprintf("%s/entra/%s/v2.0", s->base_url, s->tenant.tenant_id);
		cJSON_AddStringToObject(c, "iss", iss);
		free(iss);
		cJSON_AddNumberToObject(c, "iat", (double)sb_now());
		cJSON_AddNumberToObject(c, "nbf", (double)sb_now());
		cJSON_AddStringToObject(c, "ver", "2.0");
		cJSON_AddStringToObject(c, "tid", s->tenant.tenant_id);
		cJSON_AddStringToObject(c, "oid", u->oid);
		cJSON_AddStringToObject(c, "preferred_username", u->upn);
		cJSON_AddStringToObject(c, "name", u->name);
		cJSON_AddNumberToObject(c, "exp", (double)(sb_now() + s->opt.token_lifetime));
		char *idt = sb_jwt_sign(s->keys->signing, s->keys->signing_kid, c);
		cJSON_Delete(c);
		if (idt)
			cJSON_AddStringToObject(o, "id_token", idt);
		free(idt);
	}
	sb_resp_header(rs, "Cache-Control", "no-store, no-cache");
	sb_resp_json(rs, 200, o);
}

static bool secret_eq(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

/* Verifies a client assertion against the app's registered certificate. 0 or -1 (answered). */
static int check_assertion(struct sb_server *s, struct sb_resp *rs, const struct sb_app *app, const char *type,
		const char *assertion, const char *token_url)
{
	if (!type || strcmp(type, ASSERTION_TYPE)) {
		sb_entra_error(rs, 400, "invalid_request", 50027,
				"client_assertion_type must be '%s'.", ASSERTION_TYPE);
		return -1;
	}
	if (!app->has_cert) {
		sb_entra_error(rs, 401, "invalid_client", 700027,
				"Client assertion failed signature validation. No certificate is registered for app '%s'.",
				app->client_id);
		return -1;
	}
	cJSON *h, *c;
	if (sb_jwt_decode(assertion, &h, &c) < 0) {
		sb_entra_error(rs, 400, "invalid_request", 50027, "JWT token is invalid or malformed.");
		return -1;
	}
	int rc = -1;
	const char *alg = sb_json_get_str(h, "alg");
	const char *x5t256 = sb_json_get_str(h, "x5t#S256"), *x5t = sb_json_get_str(h, "x5t");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "exp"), *nbf = cJSON_GetObjectItemCaseSensitive(c, "nbf");
	const char *aud = sb_json_get_str(c, "aud"), *iss = sb_json_get_str(c, "iss"), *sub = sb_json_get_str(c, "sub");
	double now = sb_now_frac();
	bool key_match = (x5t256 && !strcmp(x5t256, s->keys->client_x5t_s256)) || (x5t && !strcmp(x5t, s->keys->client_x5t));
	if (!alg || (strcmp(alg, "PS256") && strcmp(alg, "RS256")))
		sb_entra_error(rs, 400, "invalid_request", 5002738, "Client assertion uses an unsupported algorithm '%s'.",
				alg ? alg : "");
	else if (!key_match)
		sb_entra_error(rs, 401, "invalid_client", 700027,
				"Client assertion failed signature validation. The key (x5t#S256 or x5t) was not found "
				"among the certificates of app '%s'.", app->client_id);
	else if (sb_jwt_verify(assertion, X509_get0_pubkey(s->keys->client_cert), alg) < 0)
		sb_entra_error(rs, 401, "invalid_client", 700027,
				"Client assertion contains an invalid signature.");
	else if (!iss || !sub || strcasecmp(iss, app->client_id) || strcasecmp(sub, app->client_id))
		sb_entra_error(rs, 401, "invalid_client", 700023,
				"Client assertion audience or subject does not match the client id '%s'.", app->client_id);
	else if (!aud || strcasecmp(aud, token_url))
		sb_entra_error(rs, 401, "invalid_client", 700212,
				"The audience claim '%s' of the client assertion does not match the token endpoint '%s'.",
				aud ? aud : "", token_url);
	else if (!cJSON_IsNumber(exp) || !cJSON_IsNumber(nbf) || exp->valuedouble <= now - SKEW ||
		 nbf->valuedouble > now + SKEW)
		sb_entra_error(rs, 401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
	else if (exp->valuedouble - nbf->valuedouble > 600 + SKEW || exp->valuedouble > now + 600 + SKEW)
		sb_entra_error(rs, 401, "invalid_client", 700024,
				"Client assertion lifetime is too long: exp may be at most 10 minutes after nbf.");
	else
		rc = 0;
	cJSON_Delete(h);
	cJSON_Delete(c);
	return rc;
}

static void client_credentials(struct sb_server *s, struct sb_resp *rs, const struct sb_kvlist *f,
		const struct sb_app *app, const char *token_url)
{
	const char *secret = sb_kv_get(f, "client_secret"), *assertion = sb_kv_get(f, "client_assertion");
	const char *scope = sb_kv_get(f, "scope");
	if (secret) {
		if (!app->secret || !secret_eq(secret, app->secret)) {
			sb_entra_error(rs, 401, "invalid_client", 7000215,
					"Invalid client secret provided. Ensure the secret being sent in the request is the "
					"client secret value, not the client secret ID, for a secret added to app '%s'.",
					app->client_id);
			return;
		}
	} else if (assertion) {
		if (sb_keys_wait(s->keys) < 0 ||
		    check_assertion(s, rs, app, sb_kv_get(f, "client_assertion_type"), assertion, token_url) < 0) {
			if (rs->status == 200)
				sb_entra_error(rs, 500, "server_error", 90000, "The sandbox has no certificate.");
			return;
		}
	} else {
		sb_entra_error(rs, 401, "invalid_client", 7000218,
				"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
		return;
	}
	if (!scope) {
		sb_entra_error(rs, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
		return;
	}
	bool is_default, offline, openid;
	char *res = scope_resource(scope, &is_default, &offline, &openid);
	char *aud = res ? known_resource(s, res) : NULL;
	if (!res || !is_default || strchr(scope, ' '))
		sb_entra_error(rs, 400, "invalid_scope", 1002012,
				"The provided value for scope %s is not valid. Client credential flows must have a scope "
				"value with /.default suffixed to the resource identifier (application ID URI).", scope);
	else if (!aud)
		sb_entra_error(rs, 400, "invalid_resource", 500011,
				"The resource principal named %s was not found in the tenant named %s. This can happen if "
				"the application has not been installed by the administrator of the tenant.", res,
				s->tenant.domain);
	else
		token_answer(s, rs, app, -1, aud, scope, false, false);
	free(res);
	free(aud);
}

static struct device *find_device(struct sb_entra *e, const char *device_code)
{
	for (size_t i = 0; i < e->n_devices; i++)
		if (!strcmp(e->devices[i].device_code, device_code))
			return &e->devices[i];
	return NULL;
}

static void device_poll(struct sb_server *s, struct sb_resp *rs, const struct sb_kvlist *f, const struct sb_app *app)
{
	const char *code = sb_kv_get(f, "device_code");
	if (!code) {
		sb_entra_error(rs, 400, "invalid_request", 900144,
				"The request body must contain the following parameter: 'device_code'.");
		return;
	}
	struct sb_entra *e = s->entra;
	pthread_mutex_lock(&e->mu);
	struct device *d = find_device(e, code);
	double now = sb_now_frac();
	int user = -1;
	char *scope = NULL;
	const char *state = "bad";
	if (d && strcasecmp(d->client_id, app->client_id))
		d = NULL;
	if (!d || d->redeemed)
		state = "bad";
	else if (now - d->created >= s->opt.device_expiry)
		state = "expired";
	else if (d->declined)
		state = "declined";
	else {
		if (d->user < 0 && s->opt.auto_approve_after >= 0 && now - d->created >= s->opt.auto_approve_after)
			d->user = app->device_user >= 0 ? app->device_user : 0;
		if (d->user >= 0) {
			state = "ok";
			d->redeemed = true;
			user = d->user;
			scope = xstrdup(d->scope);
		} else if (d->last_poll > 0 && now - d->last_poll < s->opt.device_interval * 0.8) {
			state = "slow";
		} else {
			state = "pending";
		}
		d->last_poll = now;
	}
	pthread_mutex_unlock(&e->mu);
	if (!strcmp(state, "bad"))
		sb_entra_error(rs, 400, "bad_verification_code", 70019,
				"Verification code is not recognized, expired, or already redeemed.");
	else if (!strcmp(state, "expired"))
		sb_entra_error(rs, 400, "expired_token", 70020,
				"The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
	else if (!strcmp(state, "declined"))
		sb_entra_error(rs, 400, "authorization_declined", 70000,
				"The user declined the sign-in request.");
	else if (!strcmp(state, "slow"))
		sb_entra_error(rs, 400, "slow_down", 70016,
				"Polling too often: wait at least the interval (%d s) between requests.", s->opt.device_interval);
	else if (!strcmp(state, "pending"))
		sb_entra_error(rs, 400, "authorization_pending", 70016,
				"OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
	else {
		bool is_default, offline, openid;
		char *res = scope_resource(scope, &is_default, &offline, &openid);
		char *aud = res ? known_resource(s, res) : NULL;
		if (!aud)
			sb_entra_error(rs, 400, "invalid_resource", 500011,
					"The resource principal named %s was not found in the tenant named %s.",
					res ? res : scope, s->tenant.domain);
		else
			token_answer(s, rs, app, user, aud, scope, offline, openid);
		free(res);
		free(aud);
	}
	free(scope);
}

static void refresh_grant(struct sb_server *s, struct sb_resp *rs, const struct sb_kvlist *f, const struct sb_app *app)
{
	const char *rt = sb_kv_get(f, "refresh_token"), *scope = sb_kv_get(f, "scope");
	if (!rt) {
		sb_entra_error(rs, 400, "invalid_request", 900144,
				"The request body must contain the following parameter: 'refresh_token'.");
		return;
	}
	int user = -1;
	pthread_mutex_lock(&s->entra->mu);
	for (size_t i = 0; i < s->entra->n_refresh; i++)
		if (secret_eq(s->entra->refresh[i].token, rt) && !strcasecmp(s->entra->refresh[i].client_id, app->client_id))
			user = s->entra->refresh[i].user;
	pthread_mutex_unlock(&s->entra->mu);
	if (user < 0) {
		sb_entra_error(rs, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: "
				"the refresh token is unknown or was issued to another client.");
		return;
	}
	bool is_default, offline, openid;
	char *res = scope_resource(scope ? scope : SB_GRAPH_RESOURCE "/.default offline_access", &is_default, &offline,
			&openid);
	char *aud = res ? known_resource(s, res) : NULL;
	if (!aud)
		sb_entra_error(rs, 400, "invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s.",
				res ? res : "", s->tenant.domain);
	else
		token_answer(s, rs, app, user, aud, scope ? scope : "", true, openid);
	free(res);
	free(aud);
}

/* grant_type=authorization_code (entra_authz.c checks the code, redirect_uri and PKCE verifier). */
static void code_grant(struct sb_server *s, struct sb_resp *rs, const struct sb_kvlist *f, const struct sb_app *app)
{
	int user = -1;
	char *scope = NULL;
	if (sb_authz_redeem(s, s->entra->authz, rs, f, app, &user, &scope) < 0)
		return;
	bool is_default, offline, openid;
	char *res = scope_resource(scope, &is_default, &offline, &openid);
	char *aud = res ? known_resource(s, res) : NULL;
	if (!aud)
		sb_entra_error(rs, 400, "invalid_resource", 500011, "The resource principal named %s was not found in the "
				"tenant named %s.", res ? res : scope, s->tenant.domain);
	else
		token_answer(s, rs, app, user, aud, scope, offline, openid);
	free(res);
	free(aud);
	free(scope);
}

int sb_entra_policy(struct sb_server *s, int aadsts, const char *flows, char *err, size_t errlen)
{
	return sb_authz_policy_set(s->entra->authz, aadsts, flows, err, errlen);
}

static void devicecode(struct sb_server *s, struct sb_resp *rs, const struct sb_kvlist *f, const struct sb_app *app)
{
	const char *scope = sb_kv_get(f, "scope");
	if (!app->public_client) {
		sb_entra_error(rs, 400, "invalid_client", 7000218, "The request body must contain the following parameter: "
				"'client_assertion' or 'client_secret'. App '%s' is not a public client.", app->client_id);
		return;
	}
	if (!scope || !*scope) {
		sb_entra_error(rs, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
		return;
	}
	static const char alphabet[] = "BCDFGHJKLMNPQRSTVWXZ23456789";
	struct device d = { .user = -1 };
	unsigned char raw[9];
	RAND_bytes(raw, sizeof raw);
	for (int i = 0; i < 9; i++)
		d.user_code[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
	d.device_code = random_token(72);
	snprintf(d.client_id, sizeof d.client_id, "%s", app->client_id);
	d.scope = xstrdup(scope);
	d.created = sb_now_frac();
	pthread_mutex_lock(&s->entra->mu);
	s->entra->devices = xrealloc(s->entra->devices, (s->entra->n_devices + 1) * sizeof d);
	s->entra->devices[s->entra->n_devices++] = d;
	pthread_mutex_unlock(&s->entra->mu);
	char *uri = xasprintf("%s/entra/devicelogin", s->base_url);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "user_code", d.user_code);
	cJSON_AddStringToObject(o, "device_code", d.device_code);
	cJSON_AddStringToObject(o, "verification_uri", uri);
	cJSON_AddNumberToObject(o, "expires_in", (double)(long)s->opt.device_expiry);
	cJSON_AddNumberToObject(o, "interval", s->opt.device_interval);
	char *msg = xasprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			uri, d.user_code);
	cJSON_AddStringToObject(o, "message", msg);
	free(msg);
	free(uri);
	sb_resp_json(rs, 200, o);
}

int sb_entra_approve(struct sb_server *s, const char *user_code, const char *upn, bool decline, char *err, size_t errlen)
{
	int user = -1;
	if (upn && (user = sb_tenant_user_by_upn(&s->tenant, upn)) < 0) {
		snprintf(err, errlen, "no user %s in the tenant", upn);
		return -1;
	}
	int rc = -1;
	pthread_mutex_lock(&s->entra->mu);
	for (size_t i = 0; i < s->entra->n_devices; i++) {
		struct device *d = &s->entra->devices[i];
		if (strcasecmp(d->user_code, user_code) || d->redeemed)
			continue;
		if (decline) {
			d->declined = true;
		} else {
			const struct sb_app *app = sb_tenant_app(&s->tenant, d->client_id);
			d->user = user >= 0 ? user : app && app->device_user >= 0 ? app->device_user : 0;
		}
		rc = 0;
	}
	pthread_mutex_unlock(&s->entra->mu);
	if (rc)
		snprintf(err, errlen, "no pending device code with user code %s", user_code);
	return rc;
}

/* A small page so a person running the demo can approve a code by hand. */
static void devicelogin_page(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs)
{
	if (!strcmp(rq->method, "POST")) {
		struct sb_kvlist f = { 0 };
		char *body = xstrndup(rq->body ? rq->body : "", rq->body_len);
		sb_parse_query(body, true, &f);
		free(body);
		const char *code = sb_kv_get(&f, "user_code");
		char err[160];
		bool ok = code && sb_entra_approve(s, code, NULL, false, err, sizeof err) == 0;
		sb_resp_text(rs, ok ? 200 : 400, "text/html; charset=utf-8",
				ok ? "<p>Signed in. You can close this page.</p>\n" : "<p>Unknown or used code.</p>\n");
		sb_kv_free(&f);
		return;
	}
	sb_resp_text(rs, 200, "text/html; charset=utf-8",
			"<!doctype html><title>chatsync sandbox sign-in</title><form method=post>"
			"<label>Code <input name=user_code></label> <button>Sign in</button></form>\n");
}

void sb_entra_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest)
{
	if (!strcmp(rest, "devicelogin")) {
		devicelogin_page(s, rq, rs);
		return;
	}
	const char *slash = strchr(rest, '/');
	char *tenant = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	const char *ep = slash ? slash + 1 : "";
	bool token = !strcmp(ep, "oauth2/v2.0/token"), dc = !strcmp(ep, "oauth2/v2.0/devicecode");
	bool authorize = !strcmp(ep, "oauth2/v2.0/authorize");
	bool tenant_ok = !strcasecmp(tenant, s->tenant.domain) || !strcasecmp(tenant, s->tenant.tenant_id);
	if (authorize && tenant_ok) {
		sb_authz_authorize(s, s->entra->authz, rq, rs);
		free(tenant);
		return;
	}
	if (!token && !dc && !authorize) {
		sb_entra_error(rs, 404, "invalid_request", 900561, "The endpoint only accepts POST requests to token and devicecode.");
	} else if (strcasecmp(tenant, s->tenant.domain) && strcasecmp(tenant, s->tenant.tenant_id) &&
		   !(dc && !strcasecmp(tenant, "organizations"))) {
		sb_entra_error(rs, 400, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the "
				"correct tenant ID and are signing into the correct cloud.", tenant);
	} else if (strcmp(rq->method, "POST")) {
		sb_entra_error(rs, 405, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a %s request.",
				rq->method);
	} else {
		struct sb_kvlist f = { 0 };
		char *body = xstrndup(rq->body ? rq->body : "", rq->body_len);
		sb_parse_query(body, true, &f);
		OPENSSL_cleanse(body, strlen(body));
		free(body);
		const char *client_id = sb_kv_get(&f, "client_id"), *grant = sb_kv_get(&f, "grant_type");
		const struct sb_app *app = client_id ? sb_tenant_app(&s->tenant, client_id) : NULL;
		char *token_url = xasprintf("%s/entra/%s/oauth2/v2.0/token", s->base_url, tenant);
		if (!client_id)
			sb_entra_error(rs, 400, "invalid_request", 900144,
					"The request body must contain the following parameter: 'client_id'.");
		else if (!app)
			sb_entra_error(rs, 400, "unauthorized_client", 700016, "Application with identifier '%s' was not "
					"found in the directory '%s'.", client_id, s->tenant.domain);
		else if (dc)
			devicecode(s, rs, &f, app);
		else if (sb_keys_wait(s->keys) < 0)
			sb_entra_error(rs, 500, "server_error", 90000, "The sandbox could not make its signing key: %s",
					s->keys->error);
		else if (!grant)
			sb_entra_error(rs, 400, "invalid_request", 900144,
					"The request body must contain the following parameter: 'grant_type'.");
		else if (sb_authz_policy_check(s->entra->authz, rs, !strcmp(grant, GRANT_DEVICE) ? "device_code" : grant) < 0)
			; /* the Conditional Access stand-in answered */
		else if (!strcmp(grant, "client_credentials"))
			client_credentials(s, rs, &f, app, token_url);
		else if (!strcmp(grant, GRANT_DEVICE))
			device_poll(s, rs, &f, app);
		else if (!strcmp(grant, "refresh_token"))
			refresh_grant(s, rs, &f, app);
		else if (!strcmp(grant, "authorization_code"))
			code_grant(s, rs, &f, app);
		else
			sb_entra_error(rs, 400, "unsupported_grant_type", 70003,
					"The app requested an unsupported grant type '%s'.", grant);
		free(token_url);
		for (size_t i = 0; i < f.n; i++)
			OPENSSL_cleanse(f.items[i].v, strlen(f.items[i].v));
		sb_kv_free(&f);
	}
	free(tenant);
}
