/* Sign-in flows and the per-resource token state: the transport's token source. Every Entra
 * request goes through the transport like any other (paced, retried, traced with secrets
 * redacted); its callback here turns the answer into a token, a next poll, or a failure that the
 * transport hands to every request waiting on that resource (net_token_ready). The token cache
 * file, secret reading and the tty live in authstore.c; the public API in signin.c. */
#include "config.h"
#include "auth/authint.h"
#include "auth/jwt.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "net/neterr.h"
#include <cJSON.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/* What Entra may say, bounded (Entra "Configurable token lifetimes": access tokens live 60-90
 * minutes by default, 10 minutes to 1 day when configured, up to 28 hours with continuous access
 * evaluation). Beyond these a number is no lifetime Entra gives: an error, not a loop. */
#define TOKEN_MAX_LIFETIME (28L * 3600)
#define ANSWER_MAX_SECONDS (10L * 365 * 86400)
#define DEFAULT_MIN_LIFETIME 60L
#define DEVICE_MAX_INTERVAL 3600.0

enum call_kind { CALL_CLIENT, CALL_REFRESH, CALL_DEVICECODE, CALL_POLL, CALL_CODE };

/* What an Entra request's callback needs to know. */
struct call {
	struct auth *a;
	char *resource;
	enum call_kind kind;
	bool rs256;
};

static void start_device(struct auth *a, struct tok *t);
static void start_interactive(struct auth *a, struct tok *t);
static void dev_fail(struct auth *a, const struct cs_error *err);
static int start_fetch(struct auth *a, struct tok *t, struct cs_error *err);
static void on_answer(struct net *net, const struct net_response *resp, void *user);

struct tok *auth_tok_find(struct auth *a, const char *resource)
{
	for (size_t i = 0; i < a->n_toks; i++)
		if (strcmp(a->toks[i]->resource, resource) == 0)
			return a->toks[i];
	return NULL;
}

static struct tok *tok_get(struct auth *a, const char *resource)
{
	struct tok *t = auth_tok_find(a, resource);
	if (t)
		return t;
	a->toks = xrealloc(a->toks, (a->n_toks + 1) * sizeof *a->toks);
	t = xcalloc(1, sizeof *t);
	a->toks[a->n_toks++] = t;
	t->resource = xstrdup(resource);
	return t;
}

struct auth *auth_new(struct net *net, const struct conf_profile *p, const struct auth_opts *o, struct cs_error *err)
{
	if (!p->tenant || !*p->tenant || !p->client_id || !*p->client_id) {
		cs_fail(err, CS_EXIT_USAGE, _("profile \"%s\" needs tenant and client_id to sign in (add them to the config)"),
			p->name ? p->name : "default");
		return NULL;
	}
	struct auth *a = xcalloc(1, sizeof *a);
	a->net = net;
	auth_profile_copy(&a->prof, p);
	a->p = &a->prof;
	a->prompt = o && o->prompt ? o->prompt : authstore_print_prompt;
	a->prompt_user = o ? o->prompt_user : NULL;
	a->passphrase = o && o->passphrase ? o->passphrase : authstore_tty_passphrase;
	a->passphrase_user = o ? o->passphrase_user : NULL;
	a->min_lifetime = o && o->min_lifetime_s > 0 ? o->min_lifetime_s : DEFAULT_MIN_LIFETIME;
	a->paste = o && o->paste ? o->paste : browser_tty_paste;
	a->paste_user = o ? o->paste_user : NULL;
	a->browser_timeout = o && o->browser_timeout_s > 0 ? o->browser_timeout_s : 300;
	char *dir = o && o->token_dir ? xstrdup(o->token_dir) : path_state_dir();
	a->cache_path = authstore_cache_path(dir, a->prof.name);
	free(dir);
	return a;
}

static void forget_tokens(struct auth *a)
{
	for (size_t i = 0; i < a->n_toks; i++) {
		auth_wipe(a->toks[i]->access);
		a->toks[i]->access = NULL;
		a->toks[i]->failed = false;
	}
	auth_wipe(a->refresh);
	a->refresh = NULL;
	auth_wipe(a->id_token);
	a->id_token = NULL;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	forget_tokens(a);
	for (size_t i = 0; i < a->n_toks; i++) {
		free(a->toks[i]->resource);
		free(a->toks[i]);
	}
	free(a->toks);
	auth_wipe(a->secret);
	jwt_key_free(a->key);
	auth_wipe(a->dev.device_code);
	free(a->dev.resource);
	free(a->cache_path);
	auth_profile_free(&a->prof);
	free(a);
}

void auth_new_run(struct auth *a)
{
	for (size_t i = 0; i < a->n_toks; i++)
		a->toks[i]->failed = false;
}

static char *endpoint(const struct auth *a, const char *what)
{
	return xasprintf("%s/%s/oauth2/v2.0/%s", a->p->authority, a->p->tenant, what);
}

static char *scope_for(const struct auth *a, const char *resource)
{
	/* A person: openid profile for an ID token (who signed in, from a token meant for us),
	 * offline_access for a refresh token, so that other resources and later runs need no new
	 * device-code sign-in. */
	return xasprintf("%s/.default%s", resource,
			 CONF_AUTH_DELEGATED(a->p->auth) ? " openid profile offline_access" : "");
}

/* Appends name=value to a form body, value escaped. */
static void form_add(struct buf *b, const char *name, const char *value)
{
	char *v = net_form_escape(value);
	buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, v);
	auth_wipe(v);
}

static void post(struct auth *a, const char *resource, enum call_kind kind, const char *what, struct buf *form,
		 double delay_s)
{
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	struct call *c = xcalloc(1, sizeof *c);
	c->a = a;
	c->resource = xstrdup(resource);
	c->kind = kind;
	c->rs256 = a->use_rs256;
	char *url = endpoint(a, what);
	struct net_request q = {
		.method = "POST",
		.url = url,
		.headers = headers,
		.body = form->data,
		.body_len = form->len,
		.bucket = "entra",
		.service = "Entra ID",
		/* Resending a token request cannot do harm; a poll is meant to be repeated. */
		.flags = NET_F_IDEMPOTENT,
		.delay_s = delay_s,
		.done = on_answer,
		.user = c,
	};
	struct cs_error err;
	if (net_queue(a->net, &q, &err) != 0) {
		/* Only a cancel gets here (the URL passed at open): fail like an answer would. */
		struct net_response resp = { .method = "POST", .url = url, .body = "", .cancelled = true, .err = &err };
		on_answer(a->net, &resp, c);
	}
	free(url);
	if (form->data)
		OPENSSL_cleanse(form->data, form->len);
	buf_free(form);
}

/* ---- getting what a flow needs ---- */

static int load_secret(struct auth *a, struct cs_error *err)
{
	return a->secret ? 0 : authstore_secret(a->p, &a->secret, err);
}

static int load_key(struct auth *a, struct cs_error *err)
{
	if (a->key)
		return 0;
	if (!a->p->certificate)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("profile \"%s\" uses auth = certificate but names no certificate (add certificate = FILE)"),
			       a->p->name);
	if (path_check_private(a->p->certificate, _("a private key"), err) != 0)
		return -1;
	return jwt_key_load(a->p->certificate, a->passphrase, a->passphrase_user, &a->key, err);
}

static int load_cache(struct auth *a, struct cs_error *err)
{
	if (a->cache_read)
		return 0;
	if (authstore_load(a->cache_path, a->p, &a->refresh, err) != 0)
		return -1;
	a->cache_read = true;
	return 0;
}

/* ---- starting requests ---- */

static void post_refresh(struct auth *a, struct tok *t)
{
	struct buf f;
	buf_init(&f);
	char *scope = scope_for(a, t->resource);
	form_add(&f, "client_id", a->p->client_id);
	form_add(&f, "grant_type", "refresh_token");
	form_add(&f, "refresh_token", a->refresh);
	form_add(&f, "scope", scope);
	free(scope);
	t->fetching = true;
	post(a, t->resource, CALL_REFRESH, "token", &f, 0);
}

static void poll(struct auth *a, double delay_s)
{
	struct buf f;
	buf_init(&f);
	form_add(&f, "client_id", a->p->client_id);
	form_add(&f, "grant_type", DEVICE_GRANT);
	form_add(&f, "device_code", a->dev.device_code);
	post(a, a->dev.resource, CALL_POLL, "token", &f, delay_s);
}

static void start_device(struct auth *a, struct tok *t)
{
	a->dev.active = true;
	free(a->dev.resource);
	a->dev.resource = xstrdup(t->resource);
	t->fetching = true;
	struct buf f;
	buf_init(&f);
	char *scope = scope_for(a, t->resource);
	form_add(&f, "client_id", a->p->client_id);
	form_add(&f, "scope", scope);
	free(scope);
	log_info("profile %s: starting a device-code sign-in for %s", a->p->name, t->resource);
	post(a, t->resource, CALL_DEVICECODE, "devicecode", &f, 0);
}

/* auth = browser: the person signs in in a browser (browser.c waits for the code), then the code
 * is redeemed with the PKCE verifier. */
static void start_browser(struct auth *a, struct tok *t)
{
	a->dev.active = true;
	free(a->dev.resource);
	a->dev.resource = xstrdup(t->resource);
	t->fetching = true;
	char *scope = scope_for(a, t->resource);
	struct browser_ui ui = { a->prompt, a->prompt_user, a->paste, a->paste_user, a->browser_timeout };
	struct browser_code bc;
	struct cs_error e;
	log_info("profile %s: starting a browser sign-in for %s", a->p->name, t->resource);
	if (browser_get_code(a->net, a->p, scope, &ui, &bc, &e) != 0) {
		free(scope);
		dev_fail(a, &e);
		return;
	}
	struct buf f;
	buf_init(&f);
	form_add(&f, "client_id", a->p->client_id);
	form_add(&f, "grant_type", "authorization_code");
	form_add(&f, "code", bc.code);
	form_add(&f, "redirect_uri", bc.redirect_uri);
	form_add(&f, "code_verifier", bc.verifier);
	form_add(&f, "scope", scope);
	free(scope);
	browser_code_free(&bc);
	post(a, t->resource, CALL_CODE, "token", &f, 0);
}

static void start_interactive(struct auth *a, struct tok *t)
{
	if (a->p->auth == CONF_AUTH_BROWSER)
		start_browser(a, t);
	else
		start_device(a, t);
}

static int start_fetch(struct auth *a, struct tok *t, struct cs_error *err)
{
	struct buf f;
	buf_init(&f);
	char *scope = scope_for(a, t->resource);
	int rc = 0;
	switch (a->p->auth) {
	case CONF_AUTH_CLIENT_SECRET:
		if ((rc = load_secret(a, err)) != 0)
			break;
		form_add(&f, "client_id", a->p->client_id);
		form_add(&f, "scope", scope);
		form_add(&f, "client_secret", a->secret);
		form_add(&f, "grant_type", "client_credentials");
		t->fetching = true;
		post(a, t->resource, CALL_CLIENT, "token", &f, 0);
		break;
	case CONF_AUTH_CERTIFICATE: {
		if ((rc = load_key(a, err)) != 0)
			break;
		char *aud = endpoint(a, "token");
		char *jwt = jwt_assertion(a->key, a->use_rs256 ? JWT_RS256 : JWT_PS256, aud, a->p->client_id,
					  (int64_t)time(NULL), err);
		free(aud);
		if (!jwt) {
			rc = -1;
			break;
		}
		form_add(&f, "client_id", a->p->client_id);
		form_add(&f, "scope", scope);
		form_add(&f, "client_assertion_type", ASSERTION_TYPE);
		form_add(&f, "client_assertion", jwt);
		form_add(&f, "grant_type", "client_credentials");
		auth_wipe(jwt);
		t->fetching = true;
		post(a, t->resource, CALL_CLIENT, "token", &f, 0);
		break;
	}
	case CONF_AUTH_DEVICE_CODE:
	case CONF_AUTH_BROWSER:
		if ((rc = load_cache(a, err)) != 0)
			break;
		t->fetching = true;
		if (a->refresh)
			post_refresh(a, t);
		else if (!a->dev.active)
			start_interactive(a, t);
		/* else it waits for the sign-in under way, which covers every resource */
		break;
	}
	free(scope);
	buf_free(&f);
	return rc;
}

/* ---- answers ---- */

/* A failed fetch: the requests waiting on the resource fail with err, unless the token in hand
 * is still good (a background refresh failed; the next request tries again). */
static void tok_fail(struct auth *a, struct tok *t, const struct cs_error *err)
{
	t->fetching = false;
	if (t->access && time(NULL) < t->expires) {
		log_warn("could not renew the token for %s early, keeping the current one: %s", t->resource, err->msg);
		return;
	}
	t->failed = true;
	t->err = *err;
	log_warn("%s", err->msg);
	net_token_ready(a->net, t->resource, err);
}

static const char *json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* A number of seconds Entra sent as name: as a number or, from some proxies and older endpoints,
 * a string of digits. 1 when absent (*out = dflt), 0 when in [0, max], -1 when it is anything else
 * (negative, fractional beyond reason, not finite, too large, not a number). */
static int json_seconds(const cJSON *o, const char *name, double dflt, double max, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	*out = dflt;
	if (!v)
		return 1;
	double d;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= 12 &&
		   strspn(v->valuestring, "0123456789") == strlen(v->valuestring)) {
		d = strtod(v->valuestring, NULL);
	} else {
		return -1;
	}
	if (!isfinite(d) || d < 0 || d > max)
		return -1;
	*out = d;
	return 0;
}

/* The sentence for a number out of range in an Entra answer. */
static int bad_number(const struct auth *a, const cJSON *j, const char *name, const char *what, double max,
		      const char *crid, struct cs_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	char *raw = v ? cJSON_PrintUnformatted(v) : NULL;
	char *shown = text_sanitize(raw ? raw : "");
	if (strlen(shown) > 40)
		strcpy(shown + 37, "...");
	cs_fail(err, CS_EXIT_NETWORK,
		_("sign-in for profile \"%s\" failed: Entra ID's %s has %s = %s, which is not a number of seconds from "
		  "0 to %.0f (a proxy or a server that is not Entra may be answering; client-request-id %s)"),
		a->p->name, what, name, shown, max, crid);
	free(shown);
	cJSON_free(raw);
	return -1;
}

static void wipe_json(cJSON *j)
{
	static const char *const secret[] = { "access_token", "refresh_token", "id_token", "device_code" };
	for (size_t i = 0; i < sizeof secret / sizeof *secret; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(j, secret[i]);
		if (cJSON_IsString(v))
			OPENSSL_cleanse(v->valuestring, strlen(v->valuestring));
	}
	cJSON_Delete(j);
}

static int take_token(struct auth *a, struct tok *t, const struct net_response *resp, struct cs_error *err)
{
	cJSON *j = cJSON_ParseWithLength(resp->body, resp->body_len);
	const char *access = json_str(j, "access_token");
	if (!access) {
		wipe_json(j);
		return cs_fail(err, CS_EXIT_NETWORK,
			       _("sign-in for profile \"%s\" failed: Entra ID answered without an access token "
				 "(client-request-id %s)"),
			       a->p->name, resp->client_request_id);
	}
	double given;
	if (json_seconds(j, "expires_in", 3600, ANSWER_MAX_SECONDS, &given) < 0) {
		bad_number(a, j, "expires_in", _("token answer"), (double)ANSWER_MAX_SECONDS, resp->client_request_id,
			   err);
		wipe_json(j);
		return -1;
	}
	/* Clamped to what Entra documents: a token said to live for ever is renewed within a day
	 * and a bit, one said to live a second is still used for a minute (a 401 renews it). */
	long life = given > (double)TOKEN_MAX_LIFETIME ? TOKEN_MAX_LIFETIME : (long)given;
	if (life < a->min_lifetime)
		life = a->min_lifetime;
	time_t now = time(NULL);
	auth_wipe(t->access);
	t->access = xstrdup(access);
	t->expires = now + life;
	/* Renew a fifth of the lifetime early (at most five minutes): requests in flight then
	 * never carry a token that expires on the way. */
	t->refresh_at = t->expires - (life / 5 < 300 ? life / 5 : 300);
	t->fetching = false;
	t->failed = false;
	const char *idt = json_str(j, "id_token");
	if (idt && CONF_AUTH_DELEGATED(a->p->auth)) {
		auth_wipe(a->id_token);
		a->id_token = xstrdup(idt);
	}
	const char *refresh = json_str(j, "refresh_token");
	if (refresh && CONF_AUTH_DELEGATED(a->p->auth)) {
		auth_wipe(a->refresh);
		a->refresh = xstrdup(refresh);
		struct cs_error e;
		if (authstore_save(a->cache_path, a->p, a->refresh, &e) != 0)
			log_warn("%s", e.msg);
	}
	wipe_json(j);
	log_info("profile %s: got a token for %s, valid for %ld min", a->p->name, t->resource, life / 60);
	net_token_ready(a->net, t->resource, NULL);
	return 0;
}

static void on_token(struct auth *a, struct tok *t, const struct call *c, const struct net_response *resp)
{
	struct cs_error e;
	if (!resp->err && resp->status == 200) {
		if (take_token(a, t, resp, &e) != 0)
			tok_fail(a, t, &e);
		return;
	}
	struct neterr_body eb;
	neterr_parse(resp->body, resp->body_len, &eb);
	if (!resp->cancelled && c->kind == CALL_CLIENT && a->p->auth == CONF_AUTH_CERTIFICATE && !c->rs256 &&
	    (strcmp(eb.code, "invalid_client") == 0 || strcmp(eb.code, "invalid_request") == 0)) {
		/* Older tenants and clouds may know only RS256 with a SHA-1 thumbprint. */
		log_info("profile %s: Entra ID refused the PS256 assertion (%s), trying RS256", a->p->name, eb.message);
		a->use_rs256 = true;
		t->fetching = false;
		if (start_fetch(a, t, &e) != 0)
			tok_fail(a, t, &e);
		return;
	}
	if (!resp->cancelled && c->kind == CALL_REFRESH && strcmp(eb.code, "invalid_grant") == 0) {
		/* Expired or revoked refresh token, or this resource needs consent: sign in again. */
		log_info("profile %s: the saved sign-in is no longer valid (%s), signing in again", a->p->name,
			 eb.message);
		auth_wipe(a->refresh);
		a->refresh = NULL;
		authstore_delete(a->cache_path, NULL);
		t->fetching = true;
		if (!a->dev.active)
			start_interactive(a, t);
		return;
	}
	auth_signin_error(a->p, resp, &e);
	tok_fail(a, t, &e);
}

/* The device-code sign-in ended without a token: every resource waiting on it fails. */
static void dev_fail(struct auth *a, const struct cs_error *err)
{
	a->dev.active = false;
	auth_wipe(a->dev.device_code);
	a->dev.device_code = NULL;
	for (size_t i = 0; i < a->n_toks; i++)
		if (a->toks[i]->fetching)
			tok_fail(a, a->toks[i], err);
}

static void on_devicecode(struct auth *a, const struct net_response *resp)
{
	struct cs_error e;
	if (resp->err || resp->status != 200) {
		auth_signin_error(a->p, resp, &e);
		dev_fail(a, &e);
		return;
	}
	cJSON *j = cJSON_ParseWithLength(resp->body, resp->body_len);
	const char *code = json_str(j, "device_code"), *user_code = json_str(j, "user_code");
	const char *uri = json_str(j, "verification_uri");
	if (!uri)
		uri = json_str(j, "verification_url");
	if (!code || !user_code || !uri) {
		wipe_json(j);
		cs_fail(&e, CS_EXIT_NETWORK,
			_("sign-in for profile \"%s\" failed: Entra ID's device-code answer lacks the code or the page to "
			  "enter it (client-request-id %s)"),
			a->p->name, resp->client_request_id);
		dev_fail(a, &e);
		return;
	}
	double expires, interval;
	if (json_seconds(j, "expires_in", 900, 86400, &expires) < 0 ||
	    json_seconds(j, "interval", 5, DEVICE_MAX_INTERVAL, &interval) < 0) {
		bool exp_bad = json_seconds(j, "expires_in", 900, 86400, &expires) < 0;
		bad_number(a, j, exp_bad ? "expires_in" : "interval", _("device-code answer"),
			   exp_bad ? 86400.0 : DEVICE_MAX_INTERVAL, resp->client_request_id, &e);
		wipe_json(j);
		dev_fail(a, &e);
		return;
	}
	if (!(expires > 0))
		expires = 900;
	auth_wipe(a->dev.device_code);
	a->dev.device_code = xstrdup(code);
	a->dev.interval = interval > 0 ? interval : 5.0;
	a->dev.deadline = net_now() + expires;
	a->dev.minutes = (int)(expires / 60);
	/* What the person reads comes from the server: no escape sequence or forged line reaches the
	 * terminal. */
	const char *message = json_str(j, "message");
	char *fallback = message ? NULL
				 : xasprintf(_("To sign in, use a web browser to open the page %s and enter the code %s "
					       "to authenticate."),
					     uri, user_code);
	char *shown = text_sanitize(message ? message : fallback);
	char *shown_code = text_sanitize(user_code), *shown_uri = text_sanitize(uri);
	a->prompt(shown, shown_code, shown_uri, a->prompt_user);
	free(shown);
	free(shown_code);
	free(shown_uri);
	free(fallback);
	wipe_json(j);
	poll(a, a->dev.interval);
}

/* An interactive sign-in got its token: other resources asked meanwhile are served by the refresh
 * token without a prompt. */
static void interactive_done(struct auth *a, struct tok *t, const struct net_response *resp)
{
	struct cs_error e;
	a->dev.active = false;
	auth_wipe(a->dev.device_code);
	a->dev.device_code = NULL;
	if (take_token(a, t, resp, &e) != 0) {
		dev_fail(a, &e);
		return;
	}
	for (size_t i = 0; i < a->n_toks; i++) {
		struct tok *o = a->toks[i];
		if (o == t || !o->fetching)
			continue;
		if (a->refresh) {
			post_refresh(a, o);
		} else {
			start_interactive(a, o);
			break;
		}
	}
}

/* The browser's code redeemed (or refused: a wrong verifier or redirect_uri is invalid_grant). */
static void on_code(struct auth *a, struct tok *t, const struct net_response *resp)
{
	if (!a->dev.active)
		return;
	if (!resp->err && resp->status == 200) {
		interactive_done(a, t, resp);
		return;
	}
	struct cs_error e;
	auth_signin_error(a->p, resp, &e);
	dev_fail(a, &e);
}

static void on_poll(struct auth *a, struct tok *t, const struct net_response *resp)
{
	if (!a->dev.active)
		return; /* signed out or failed meanwhile */
	struct cs_error e;
	if (!resp->err && resp->status == 200) {
		interactive_done(a, t, resp);
		return;
	}
	if (resp->cancelled || resp->status == 0) {
		auth_signin_error(a->p, resp, &e);
		dev_fail(a, &e);
		return;
	}
	struct neterr_body eb;
	neterr_parse(resp->body, resp->body_len, &eb);
	if (strcmp(eb.code, "authorization_pending") == 0 || strcmp(eb.code, "slow_down") == 0) {
		if (strcmp(eb.code, "slow_down") == 0) /* RFC 8628 3.5: add 5 seconds for good */
			a->dev.interval += 5.0 * net_retry_scale(a->net);
		if (net_now() + a->dev.interval <= a->dev.deadline) {
			poll(a, a->dev.interval);
			return;
		}
		strcpy(eb.code, "expired_token");
	}
	if (strcmp(eb.code, "authorization_declined") == 0)
		cs_fail(&e, CS_EXIT_NETWORK,
			_("sign-in for profile \"%s\" was declined in the browser (run again and accept the sign-in)"),
			a->p->name);
	else if (strcmp(eb.code, "expired_token") == 0 || strcmp(eb.code, "code_expired") == 0)
		cs_fail(&e, CS_EXIT_NETWORK,
			_("sign-in for profile \"%s\" timed out: the code expired before the sign-in was completed (run "
			  "again and enter the code within %d minutes)"),
			a->p->name, a->dev.minutes);
	else
		auth_signin_error(a->p, resp, &e);
	dev_fail(a, &e);
}

static void on_answer(struct net *net, const struct net_response *resp, void *user)
{
	struct call *c = user;
	struct auth *a = c->a;
	struct tok *t = tok_get(a, c->resource);
	switch (c->kind) {
	case CALL_CLIENT:
	case CALL_REFRESH:
		on_token(a, t, c, resp);
		break;
	case CALL_DEVICECODE:
		on_devicecode(a, resp);
		break;
	case CALL_POLL:
		on_poll(a, t, resp);
		break;
	case CALL_CODE:
		on_code(a, t, resp);
		break;
	}
	free(c->resource);
	free(c);
}

/* ---- the transport's side ---- */

int auth_token(struct auth *a, const char *resource, const char **token, struct cs_error *err)
{
	struct tok *t = tok_get(a, resource);
	time_t now = time(NULL);
	if (t->access && now < t->expires) {
		if (now >= t->refresh_at && !t->fetching) {
			struct cs_error e;
			log_debug("the token for %s expires soon: renewing it", resource);
			if (start_fetch(a, t, &e) != 0) {
				t->fetching = false;
				log_warn("%s", e.msg);
			}
		}
		if (t->access) {
			*token = t->access;
			return 0;
		}
	}
	if (t->fetching)
		return 1;
	if (!t->failed && start_fetch(a, t, err) != 0) {
		t->failed = true;
		t->err = *err;
		log_warn("%s", err->msg);
		return -1;
	}
	if (t->failed) {
		*err = t->err;
		return -1;
	}
	if (t->fetching)
		return 1;
	*token = t->access;
	return t->access ? 0 : 1;
}

static void auth_invalidate(struct auth *a, const char *resource, const char *token)
{
	struct tok *t = auth_tok_find(a, resource);
	if (t && t->access && token && strcmp(t->access, token) == 0) {
		auth_wipe(t->access);
		t->access = NULL;
	}
}

/* Ends a device-code sign-in under way and forgets every token (sign-out). */
void auth_forget(struct auth *a, const struct cs_error *err)
{
	if (a->dev.active)
		dev_fail(a, err);
	forget_tokens(a);
}

/* ---- the transport's token source ---- */

static int src_token(void *user, const char *resource, const char **token, struct cs_error *err)
{
	return auth_token(user, resource, token, err);
}

static void src_refused(void *user, const char *resource, const char *token)
{
	auth_invalidate(user, resource, token);
}

static void src_new_run(void *user)
{
	auth_new_run(user);
}

static void src_release(void *user)
{
	auth_free(user);
}

const struct net_token_source auth_token_source = {
	.token = src_token,
	.refused = src_refused,
	.new_run = src_new_run,
	.release = src_release,
};
