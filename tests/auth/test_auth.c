/* Sign-in against a fake Entra ID and a fake resource that demands its tokens: each flow end to
 * end, and the cases the sandbox cannot be asked for exactly (slow_down, a refused PS256
 * assertion, a 401 that persists after a refresh, a cross-host redirect). */
#include "config.h"
#include <criterion/criterion.h>
#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/conf.h"
#include "base/log.h"
#include "fake.h"
#include "auth/auth.h"
#include "auth/jwt.h"
#include "net/http.h"
#include "run.h"

#define SECRET "s3cr3t~Value.with+special&chars="
#define CLIENT "11111111-2222-3333-4444-555555555555"
#define TENANT "contoso.onmicrosoft.com"

/* What the fake Entra does; tests set the mode, the handler reports what it saw. */
struct entra {
	pthread_mutex_t lock;
	char base[64];
	int token_calls, devicecode_calls, polls, graph_calls, graph_unauth;
	int issued;             /* access tokens handed out */
	char valid[16][64];     /* tokens the resource accepts */
	int n_valid;
	char refresh[64];       /* the refresh token that is valid now */
	int pending_polls;      /* answer authorization_pending this many times */
	const char *poll_end;   /* after pending: NULL success, or an error code */
	bool slow_down_once;
	double poll_times[16];
	bool reject_ps256;
	int assertions_ok, ps256_seen, rs256_seen;
	char *client_cert;      /* PEM, to verify assertions */
	bool always_401;
	char auth_on_redirect[128];
	char last_scope[256];
	int expires_in;         /* lifetime of issued tokens; 0: 3599 */
	char challenge[64];     /* browser: the PKCE challenge of the /authorize address shown */
	int code_calls;         /* authorization_code redemptions */
};

static struct entra E;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The value of name in an x-www-form-urlencoded body, decoded, into out. */
static bool form(const char *body, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		const char *v = p + nl + 1;
		size_t k = 0;
		while (*v && *v != '&' && k + 1 < n) {
			if (*v == '%' && v[1] && v[2]) {
				char hex[3] = { v[1], v[2], 0 };
				out[k++] = (char)strtol(hex, NULL, 16);
				v += 3;
			} else {
				out[k++] = *v == '+' ? ' ' : *v;
				v++;
			}
		}
		out[k] = '\0';
		return true;
	}
	return false;
}

/* Access tokens are opaque strings, as Entra promises clients; a person's answer carries an ID
 * token (a JWT meant for the client) when the scope asks for openid. */
static void issue(struct fake_resp *resp, bool delegated, bool with_refresh)
{
	int n = ++E.issued;
	char token[80];
	snprintf(token, sizeof token, "opaque-%d-%08x%08x", n, (unsigned)rand(), (unsigned)rand());
	snprintf(E.valid[E.n_valid++ % 16], sizeof E.valid[0], "%.63s", token);
	if (with_refresh)
		snprintf(E.refresh, sizeof E.refresh, "rt-%d-0123456789abcdef", n);
	char idt[600] = "";
	if (delegated && strstr(E.last_scope, "openid")) {
		char payload[256];
		snprintf(payload, sizeof payload,
			 "{\"aud\":\"" CLIENT "\",\"preferred_username\":\"admin@" TENANT "\",\"name\":\"Ad\\u001b]0;x\\u0007min\","
			 "\"oid\":\"o-%d\",\"tid\":\"t\"}", n);
		char *p = jwt_b64url(payload, strlen(payload));
		snprintf(idt, sizeof idt, ",\"id_token\":\"eyJhbGciOiJSUzI1NiJ9.%s.c2ln\"", p);
		free(p);
	}
	fake_json(resp, 200, "{\"token_type\":\"Bearer\",\"expires_in\":%d,\"access_token\":\"%s\"%s%s%s%s}",
		  E.expires_in ? E.expires_in : 3599, token, with_refresh ? ",\"refresh_token\":\"" : "",
		  with_refresh ? E.refresh : "", with_refresh ? "\"" : "", idt);
}

static bool token_valid(const char *authz)
{
	if (!authz || strncmp(authz, "Bearer ", 7) != 0)
		return false;
	for (int i = 0; i < E.n_valid && i < 16; i++)
		if (strcmp(E.valid[i], authz + 7) == 0)
			return true;
	return false;
}

static void entra_error(struct fake_resp *resp, int status, const char *code, const char *desc)
{
	fake_json(resp, status, "{\"error\":\"%s\",\"error_description\":\"%s\\r\\nTrace ID: x\",\"error_codes\":[7000215],"
				"\"trace_id\":\"trace-1\",\"correlation_id\":\"corr-1\"}", code, desc);
}

/* Checks a client assertion as Entra does: signature with the certificate, thumbprint, claims. */
static bool assertion_ok(const char *jwt, bool *ps256)
{
	cJSON *h = jwt_decode(jwt, 0), *c = jwt_decode(jwt, 1);
	const char *alg = cJSON_GetStringValue(cJSON_GetObjectItem(h, "alg"));
	*ps256 = alg && strcmp(alg, "PS256") == 0;
	char aud[256];
	snprintf(aud, sizeof aud, "%s/entra/" TENANT "/oauth2/v2.0/token", E.base);
	bool ok = alg && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "aud")), aud) == 0 &&
		  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "iss")), CLIENT) == 0 &&
		  cJSON_GetObjectItem(h, *ps256 ? "x5t#S256" : "x5t");
	BIO *b = BIO_new_mem_buf(E.client_cert, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	EVP_PKEY *pub = X509_get_pubkey(x);
	const char *dot = strrchr(jwt, '.');
	size_t sl;
	unsigned char *sig = jwt_b64url_decode(dot + 1, strlen(dot + 1), &sl);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc;
	EVP_DigestVerifyInit(md, &pc, EVP_sha256(), NULL, pub);
	EVP_PKEY_CTX_set_rsa_padding(pc, *ps256 ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
	ok = ok && sig && EVP_DigestVerify(md, sig, sl, (const unsigned char *)jwt, (size_t)(dot - jwt)) == 1;
	EVP_MD_CTX_free(md);
	free(sig);
	EVP_PKEY_free(pub);
	X509_free(x);
	BIO_free(b);
	cJSON_Delete(h);
	cJSON_Delete(c);
	return ok;
}

static void h_entra(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	pthread_mutex_lock(&E.lock);
	char v[4096], grant[128] = "";
	form(req->body, "grant_type", grant, sizeof grant);
	form(req->body, "scope", E.last_scope, sizeof E.last_scope);
	if (strstr(req->path, "/oauth2/v2.0/devicecode")) {
		E.devicecode_calls++;
		fake_json(resp, 200, "{\"device_code\":\"DC-secret-device-code\",\"user_code\":\"ABCD-EFGH\","
				     "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900,"
				     "\"interval\":0.2,\"message\":\"To sign in, use a web browser to open the page "
				     "https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate.\"}");
	} else if (strstr(req->path, "/oauth2/v2.0/token")) {
		E.token_calls++;
		if (strcmp(grant, "client_credentials") == 0 && form(req->body, "client_secret", v, sizeof v)) {
			if (strcmp(v, SECRET) == 0)
				issue(resp, false, false);
			else
				entra_error(resp, 401, "invalid_client",
					    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
					    "in the request is the client secret value, not the client secret ID");
		} else if (strcmp(grant, "client_credentials") == 0 && form(req->body, "client_assertion", v, sizeof v)) {
			bool ps256;
			bool ok = assertion_ok(v, &ps256);
			*(ps256 ? &E.ps256_seen : &E.rs256_seen) += 1;
			if (ok && !(ps256 && E.reject_ps256)) {
				E.assertions_ok++;
				issue(resp, false, false);
			} else {
				entra_error(resp, 401, "invalid_client", "AADSTS700027: Client assertion contains an invalid signature.");
			}
		} else if (strcmp(grant, "refresh_token") == 0) {
			form(req->body, "refresh_token", v, sizeof v);
			if (E.refresh[0] && strcmp(v, E.refresh) == 0)
				issue(resp, true, true);
			else
				entra_error(resp, 400, "invalid_grant", "AADSTS70008: The refresh token has expired.");
		} else if (strcmp(grant, "authorization_code") == 0) {
			/* PKCE as Entra checks it: BASE64URL(SHA-256(code_verifier)) is the challenge. */
			E.code_calls++;
			char verifier[256] = "", redirect[256] = "", code[64] = "";
			form(req->body, "code_verifier", verifier, sizeof verifier);
			form(req->body, "redirect_uri", redirect, sizeof redirect);
			form(req->body, "code", code, sizeof code);
			unsigned char md[32];
			unsigned int mdlen = 0;
			EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(), NULL);
			char *want = jwt_b64url(md, mdlen);
			if (strcmp(code, "AC-secret-auth-code") == 0 && strncmp(redirect, "http://localhost:", 17) == 0 &&
			    strlen(verifier) >= 43 && strcmp(want, E.challenge) == 0)
				issue(resp, true, true);
			else
				entra_error(resp, 400, "invalid_grant", "AADSTS501481: The Code_Verifier does not match.");
			free(want);
		} else if (strcmp(grant, "urn:ietf:params:oauth:grant-type:device_code") == 0) {
			if (E.polls < 16)
				E.poll_times[E.polls] = now_s();
			E.polls++;
			if (E.slow_down_once && E.polls == 2)
				entra_error(resp, 400, "slow_down", "slow down");
			else if (E.pending_polls-- > 0)
				entra_error(resp, 400, "authorization_pending", "AADSTS70016: pending");
			else if (E.poll_end)
				entra_error(resp, 400, E.poll_end, "the end");
			else
				issue(resp, true, true);
		} else {
			entra_error(resp, 400, "unsupported_grant_type", "no");
		}
	} else if (strncmp(req->path, "/graph/moved", 12) == 0) {
		/* the same server under another host name: the token must not follow */
		resp->status = 302;
		fake_add_header(resp, "Location: http://localhost:%s/graph/landed", strrchr(E.base, ':') + 1);
	} else if (strncmp(req->path, "/graph/landed", 13) == 0) {
		const char *a = fake_header(req, "Authorization");
		snprintf(E.auth_on_redirect, sizeof E.auth_on_redirect, "%s", a ? "present" : "absent");
		fake_json(resp, 200, "{}");
	} else if (strncmp(req->path, "/graph/", 7) == 0 || strncmp(req->path, "/env/", 5) == 0) {
		E.graph_calls++;
		if (!E.always_401 && token_valid(fake_header(req, "Authorization"))) {
			fake_json(resp, 200, "{\"value\":[]}");
		} else {
			E.graph_unauth++;
			fake_json(resp, 401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has expired or is not yet valid.\"}}");
			fake_add_header(resp, "WWW-Authenticate: Bearer realm=\"\"");
		}
	} else {
		resp->status = 404;
	}
	pthread_mutex_unlock(&E.lock);
}

struct env {
	struct fake *f;
	char *dir;
	char secret_file[512], cert_file[512], state[512];
	char authority[128], graph[128];
	struct conf_profile p;
	struct net *net;
};

static void setup(struct env *t, enum conf_auth auth)
{
	memset(&E, 0, sizeof E);
	pthread_mutex_init(&E.lock, NULL);
	t->f = fake_start(h_entra, NULL, NULL, NULL);
	snprintf(E.base, sizeof E.base, "%s", fake_base(t->f));
	t->dir = run_tmpdir();
	snprintf(t->secret_file, sizeof t->secret_file, "%s/secret", t->dir);
	snprintf(t->cert_file, sizeof t->cert_file, "%s/client.pem", t->dir);
	snprintf(t->state, sizeof t->state, "%s/state", t->dir);
	run_write_file(t->secret_file, SECRET "\n", 0600);
	snprintf(t->authority, sizeof t->authority, "%s/entra", E.base);
	snprintf(t->graph, sizeof t->graph, "%s/graph", E.base);
	t->p = (struct conf_profile){ .name = "test", .tenant = TENANT, .client_id = CLIENT, .auth = auth,
				      .client_secret_file = t->secret_file, .certificate = t->cert_file,
				      .authority = t->authority, .graph = t->graph, .discovery = t->authority };
}

static void open_net(struct env *t)
{
	struct net_opts o = { .retry_scale = 0.1 };
	struct cs_error err;
	t->net = auth_net_open(&t->p, &o, &(struct auth_opts){ .token_dir = t->state, .min_lifetime_s = 1 }, &err);
	cr_assert_not_null(t->net, "%s", err.msg);
}

static void teardown(struct env *t)
{
	net_close(t->net);
	fake_stop(t->f);
	run_rmtree(t->dir);
	free(t->dir);
	free(E.client_cert);
}

struct result {
	int ok, failed;
	char err[1024];
	int exit_code;
};

static void on_done(struct net *net, const struct net_response *r, void *user)
{
	struct result *res = user;
	if (r->err) {
		res->failed++;
		snprintf(res->err, sizeof res->err, "%s", r->err->msg);
		res->exit_code = r->err->exit_code;
	} else {
		res->ok++;
	}
}

static void get_graph(struct env *t, int n, struct result *res)
{
	struct cs_error err;
	char u[256];
	snprintf(u, sizeof u, "%s/v1.0/chats", t->graph);
	for (int i = 0; i < n; i++)
		cr_assert_eq(net_queue(t->net, &(struct net_request){ .url = u, .resource = conf_graph_resource(&t->p),
								      .done = on_done, .user = res }, &err), 0);
	net_run(t->net, &err);
}

Test(secret, signs_in_once_for_many_requests_with_the_graph_scope)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 5, &res);
	cr_assert_eq(res.ok, 5, "%s", res.err);
	cr_assert_eq(E.token_calls, 1);
	cr_assert_str_eq(E.last_scope, "https://graph.microsoft.com/.default");
	struct net_stats st;
	net_stats_get(t.net, &st);
	cr_assert_eq(st.tokens, 1);
	struct auth_identity id;
	struct cs_error err;
	cr_assert_eq(auth_identity(t.net, NULL, &id, &err), 0, "%s", err.msg);
	cr_assert(!id.delegated);
	cr_assert_str_eq(id.name, CLIENT);
	auth_identity_free(&id);
	char *cache = auth_cache_path(t.net);
	cr_assert_neq(access(cache, F_OK), 0, "client credentials must write no token cache");
	free(cache);
	teardown(&t);
}

Test(secret, wrong_secret_fails_every_request_with_one_clear_sentence)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	run_write_file(t.secret_file, "not-the-secret\n", 0600);
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 3, &res);
	cr_assert_eq(res.failed, 3);
	cr_assert_eq(E.token_calls, 1, "a refused secret must not be tried again and again");
	cr_assert_eq(E.graph_calls, 0);
	cr_assert_eq(res.exit_code, 3);
	cr_assert(strstr(res.err, "sign-in for profile \"test\" failed: Entra ID refused POST /oauth2/v2.0/token: 401 "
				  "Unauthorized (invalid_client: AADSTS7000215: Invalid client secret provided."),
		  "%s", res.err);
	cr_assert(strstr(res.err, "check the client secret in") && strstr(res.err, "trace-1"), "%s", res.err);
	cr_assert_null(strstr(res.err, "not-the-secret"));
	teardown(&t);
}

Test(secret, secret_file_must_be_private_and_env_is_the_alternative)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	chmod(t.secret_file, 0644);
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 1, &res);
	cr_assert_eq(res.failed, 1);
	cr_assert(strstr(res.err, "0644") && strstr(res.err, "chmod 600"), "%s", res.err);
	cr_assert_eq(res.exit_code, 2);
	cr_assert_eq(E.token_calls, 0);
	net_close(t.net);
	t.p.client_secret_file = NULL;
	setenv("CHATSYNC_CLIENT_SECRET", SECRET, 1);
	open_net(&t);
	memset(&res, 0, sizeof res);
	get_graph(&t, 1, &res);
	cr_assert_eq(res.ok, 1, "%s", res.err);
	unsetenv("CHATSYNC_CLIENT_SECRET");
	teardown(&t);
}

static void *expire_later(void *arg)
{
	usleep(150000);
	pthread_mutex_lock(&E.lock);
	E.n_valid = 0; /* every token issued so far is now refused */
	memset(E.valid, 0, sizeof E.valid);
	pthread_mutex_unlock(&E.lock);
	return NULL;
}

Test(secret, expired_token_mid_run_is_refreshed_once_invisibly)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 3, &res);
	cr_assert_eq(res.ok, 3);
	pthread_t th;
	pthread_create(&th, NULL, expire_later, NULL);
	pthread_join(th, NULL);
	get_graph(&t, 6, &res);
	cr_assert_eq(res.ok, 9, "%s", res.err);
	cr_assert_eq(res.failed, 0);
	cr_assert_eq(E.token_calls, 2, "one refresh, not one per request");
	cr_assert_geq(E.graph_unauth, 1);
	teardown(&t);
}

Test(secret, a_token_is_renewed_before_it_expires_not_after_a_401)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	E.expires_in = 1;
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	usleep(1100000);
	get_graph(&t, 2, &res);
	cr_assert_eq(res.ok, 4, "%s", res.err);
	cr_assert_eq(E.token_calls, 2);
	cr_assert_eq(E.graph_unauth, 0, "an expired token was sent");
	teardown(&t);
}

Test(secret, a_lifetime_of_one_second_does_not_make_a_token_storm)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	E.expires_in = 1;
	struct cs_error err;
	t.net = auth_net_open(&t.p, &(struct net_opts){ .retry_scale = 0.1 }, &(struct auth_opts){ .token_dir = t.state },
			      &err); /* the default floor: a minute */
	cr_assert_not_null(t.net, "%s", err.msg);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	usleep(1100000);
	get_graph(&t, 2, &res);
	cr_assert_eq(res.ok, 4, "%s", res.err);
	cr_assert_eq(E.token_calls, 1, "a token said to live a second was fetched again and again");
	teardown(&t);
}

Test(secret, a_token_refused_after_refresh_fails_instead_of_looping)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	E.always_401 = true;
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 1, &res);
	cr_assert_eq(res.failed, 1);
	cr_assert_eq(E.graph_calls, 2, "one resend after one refresh");
	cr_assert_eq(E.token_calls, 2);
	cr_assert(strstr(res.err, "401 Unauthorized (InvalidAuthenticationToken"), "%s", res.err);
	teardown(&t);
}

Test(secret, bearer_token_does_not_follow_a_redirect_to_another_host)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	open_net(&t);
	struct result res = { 0 };
	struct cs_error err;
	char u[256];
	snprintf(u, sizeof u, "%s/moved", t.graph);
	net_queue(t.net, &(struct net_request){ .url = u, .resource = conf_graph_resource(&t.p), .done = on_done,
						.user = &res }, &err);
	net_run(t.net, &err);
	cr_assert_eq(res.ok, 1, "%s", res.err);
	cr_assert_str_eq(E.auth_on_redirect, "absent");
	teardown(&t);
}

static void write_cert(struct env *t, const char *pass)
{
	char *pem = fake_make_client_pem(pass, &E.client_cert);
	run_write_file(t->cert_file, pem, 0600);
	free(pem);
}

Test(cert, ps256_assertion_signs_in)
{
	struct env t;
	setup(&t, CONF_AUTH_CERTIFICATE);
	write_cert(&t, NULL);
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	cr_assert_eq(res.ok, 2, "%s", res.err);
	cr_assert_eq(E.ps256_seen, 1);
	cr_assert_eq(E.rs256_seen, 0);
	cr_assert_eq(E.assertions_ok, 1);
	teardown(&t);
}

Test(cert, rs256_is_the_fallback_when_ps256_is_refused)
{
	struct env t;
	setup(&t, CONF_AUTH_CERTIFICATE);
	write_cert(&t, NULL);
	E.reject_ps256 = true;
	open_net(&t);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	cr_assert_eq(res.ok, 2, "%s", res.err);
	cr_assert_eq(E.ps256_seen, 1);
	cr_assert_eq(E.rs256_seen, 1);
	teardown(&t);
}

static int passphrase(char *buf, int size, const char *what, void *user)
{
	(*(int *)user)++;
	snprintf(buf, (size_t)size, "pem pass");
	return 8;
}

Test(cert, encrypted_key_asks_for_its_passphrase_once)
{
	struct env t;
	setup(&t, CONF_AUTH_CERTIFICATE);
	write_cert(&t, "pem pass");
	open_net(&t);
	int asked = 0;
	auth_set_passphrase(t.net, passphrase, &asked);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	cr_assert_eq(res.ok, 2, "%s", res.err);
	cr_assert_eq(asked, 1);
	teardown(&t);
}

struct prompt {
	int shown;
	char code[32];
	char message[256];
};

static void on_prompt(const char *message, const char *user_code, const char *uri, void *user)
{
	struct prompt *p = user;
	p->shown++;
	snprintf(p->code, sizeof p->code, "%s", user_code);
	snprintf(p->message, sizeof p->message, "%s", message);
}

Test(device, signs_in_caches_the_refresh_token_and_reuses_it)
{
	struct env t;
	setup(&t, CONF_AUTH_DEVICE_CODE);
	E.pending_polls = 1;
	open_net(&t);
	struct prompt pr = { 0 };
	auth_set_prompt(t.net, on_prompt, &pr);
	struct result res = { 0 };
	get_graph(&t, 3, &res);
	cr_assert_eq(res.ok, 3, "%s", res.err);
	cr_assert_eq(pr.shown, 1);
	cr_assert_str_eq(pr.code, "ABCD-EFGH");
	cr_assert(strstr(pr.message, "https://microsoft.com/devicelogin"));
	cr_assert_eq(E.polls, 2);
	cr_assert_str_eq(E.last_scope, "https://graph.microsoft.com/.default openid profile offline_access");
	struct auth_identity id;
	struct cs_error err;
	cr_assert_eq(auth_identity(t.net, NULL, &id, &err), 0, "%s", err.msg);
	cr_assert(id.delegated);
	cr_assert_str_eq(id.name, "admin@" TENANT, "the name comes from the ID token");
	cr_assert_str_eq(id.object_id, "o-1");
	cr_assert_null(strchr(id.display_name, '\033'), "an escape in a claim reached the identity: %s", id.display_name);
	cr_assert_str_eq(id.app_id, CLIENT);
	auth_identity_free(&id);

	/* A second resource is served by the refresh token, without a prompt. */
	cr_assert_eq(auth_sign_in(t.net, "https://globaldisco.crm.dynamics.com/", &err), 0, "%s", err.msg);
	cr_assert_eq(pr.shown, 1);
	cr_assert_str_eq(E.last_scope, "https://globaldisco.crm.dynamics.com/.default openid profile offline_access");

	char *cache = auth_cache_path(t.net);
	struct stat st;
	cr_assert_eq(stat(cache, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *text = run_read_file(cache, NULL);
	cr_assert(strstr(text, E.refresh), "the cache holds the current refresh token");
	cr_assert_null(strstr(text, "access_token"));
	free(text);

	/* The next run signs in silently. */
	net_close(t.net);
	open_net(&t);
	auth_set_prompt(t.net, on_prompt, &pr);
	int devicecodes = E.devicecode_calls;
	get_graph(&t, 1, &res);
	cr_assert_eq(res.ok, 4, "%s", res.err);
	cr_assert_eq(E.devicecode_calls, devicecodes);
	cr_assert_eq(pr.shown, 1);

	/* A cache others can read is refused. */
	net_close(t.net);
	chmod(cache, 0644);
	open_net(&t);
	get_graph(&t, 1, &res);
	cr_assert_eq(res.failed, 1);
	cr_assert(strstr(res.err, "0644") && strstr(res.err, "chmod 600") && strstr(res.err, cache), "%s", res.err);
	cr_assert_eq(auth_sign_out(t.net, &err), 0);
	cr_assert_neq(access(cache, F_OK), 0);
	free(cache);
	teardown(&t);
}

Test(device, slow_down_lengthens_the_interval)
{
	struct env t;
	setup(&t, CONF_AUTH_DEVICE_CODE);
	E.slow_down_once = true;
	E.pending_polls = 2;
	open_net(&t); /* retry_scale 0.1: slow_down adds 0.5 s instead of 5 s */
	auth_set_prompt(t.net, on_prompt, &(struct prompt){ 0 });
	struct result res = { 0 };
	get_graph(&t, 1, &res);
	cr_assert_eq(res.ok, 1, "%s", res.err);
	cr_assert_geq(E.polls, 3);
	double before = E.poll_times[1] - E.poll_times[0], after = E.poll_times[2] - E.poll_times[1];
	/* slow_down adds 5 s x retry_scale 0.1; load slows both gaps alike, so compare them. */
	cr_assert_geq(after - before, 0.4, "slow_down was ignored: %f then %f", before, after);
	teardown(&t);
}

static void device_ends(const char *code, const char *want)
{
	struct env t;
	setup(&t, CONF_AUTH_DEVICE_CODE);
	E.poll_end = code;
	open_net(&t);
	auth_set_prompt(t.net, on_prompt, &(struct prompt){ 0 });
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	cr_assert_eq(res.failed, 2);
	cr_assert(strstr(res.err, want), "%s", res.err);
	cr_assert_eq(res.exit_code, 3);
	cr_assert_eq(E.devicecode_calls, 1);
	teardown(&t);
}

Test(device, declined_sign_in_is_reported)
{
	device_ends("authorization_declined", "was declined in the browser");
}

Test(device, expired_code_is_reported)
{
	device_ends("expired_token", "the code expired before the sign-in was completed");
}

Test(device, bad_verification_code_is_reported)
{
	device_ends("bad_verification_code", "bad_verification_code");
}

static volatile sig_atomic_t stop;

static void *cancel_later(void *arg)
{
	usleep(400000);
	stop = 1;
	return NULL;
}

Test(device, waiting_for_the_person_can_be_cancelled)
{
	struct env t;
	setup(&t, CONF_AUTH_DEVICE_CODE);
	E.pending_polls = 1000;
	stop = 0;
	struct net_opts o = { .retry_scale = 0.1, .cancel = &stop };
	struct cs_error err;
	t.net = auth_net_open(&t.p, &o, &(struct auth_opts){ .token_dir = t.state }, &err);
	auth_set_prompt(t.net, on_prompt, &(struct prompt){ 0 });
	pthread_t th;
	pthread_create(&th, NULL, cancel_later, NULL);
	double t0 = now_s();
	cr_assert_eq(auth_sign_in(t.net, NULL, &err), -1);
	cr_assert_lt(now_s() - t0, 1.5);
	cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
	pthread_join(th, NULL);
	teardown(&t);
}

Test(trace, every_sign_in_traced_with_no_secret_in_log_or_cache)
{
	struct env t;
	setup(&t, CONF_AUTH_CLIENT_SECRET);
	char logpath[600];
	snprintf(logpath, sizeof logpath, "%s/chatsync.log", t.dir);
	cr_assert_eq(log_open(logpath, LOG_TRACE, -1), 0);
	struct result res = { 0 };
	enum conf_auth flows[] = { CONF_AUTH_CLIENT_SECRET, CONF_AUTH_CERTIFICATE, CONF_AUTH_DEVICE_CODE };
	write_cert(&t, NULL);
	for (int i = 0; i < 3; i++) {
		t.p.auth = flows[i];
		open_net(&t);
		auth_set_prompt(t.net, on_prompt, &(struct prompt){ 0 });
		get_graph(&t, 2, &res);
		net_close(t.net);
		t.net = NULL;
	}
	log_close();
	cr_assert_eq(res.ok, 6, "%s", res.err);
	char *log = run_read_file(logpath, NULL);
	cr_assert(strstr(log, "> POST ") && strstr(log, "Authorization: Bearer [redacted]"), "no trace written");
	cr_assert_null(strstr(log, SECRET), "the client secret is in the log");
	char *escaped = strdup("s3cr3t~Value.with%2Bspecial%26chars%3D");
	cr_assert_null(strstr(log, escaped), "the escaped client secret is in the log");
	cr_assert_null(strstr(log, "DC-secret-device-code"), "the device code is in the log");
	cr_assert_null(strstr(log, E.refresh), "the refresh token is in the log");
	for (int i = 0; i < E.n_valid && i < 16; i++)
		cr_assert_null(strstr(log, E.valid[i]), "an access token is in the log");
	char *key = run_read_file(t.cert_file, NULL);
	char *b64 = strstr(key, "\n") + 1; /* first line of the key's base64 */
	b64[40] = '\0';
	cr_assert_null(strstr(log, b64), "the private key is in the log");
	char cache[700];
	snprintf(cache, sizeof cache, "%s/test.tokens", t.state);
	char *c = run_read_file(cache, NULL);
	cr_assert_not_null(c);
	cr_assert_null(strstr(c, SECRET));
	free(c);
	free(key);
	free(escaped);
	free(log);
	teardown(&t);
}

/* ---- auth = browser, with the front end's paste hook ---- */

struct browser_hook {
	int prompts, pastes;
	bool had_user_code;
	char uri[2048];
	const char *state;      /* NULL: the one in the address; else this one */
	bool give_up;
};

static void on_browser_prompt(const char *message, const char *user_code, const char *uri, void *user)
{
	struct browser_hook *h = user;
	h->prompts++;
	h->had_user_code = user_code != NULL;
	snprintf(h->uri, sizeof h->uri, "%s", uri);
	cr_assert(strstr(message, uri), "the message holds the address: %s", message);
}

static char *param(const char *url, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "&%s=", name);
	const char *p = strstr(url, key);
	cr_assert_not_null(p, "no %s in %s", name, url);
	p += strlen(key);
	return strndup(p, strcspn(p, "&"));
}

/* The person pastes the address the browser was sent to. */
static int on_paste(char *buf, int size, int wake_fd, int timeout_ms, void *user)
{
	(void)wake_fd, (void)timeout_ms;
	struct browser_hook *h = user;
	h->pastes++;
	if (h->give_up)
		return -1;
	char *state = param(h->uri, "state"), *challenge = param(h->uri, "code_challenge");
	pthread_mutex_lock(&E.lock);
	snprintf(E.challenge, sizeof E.challenge, "%s", challenge);
	pthread_mutex_unlock(&E.lock);
	int n = snprintf(buf, (size_t)size, "http://localhost:1/?code=AC-secret-auth-code&state=%s&session_state=x\n",
			 h->state ? h->state : state);
	free(state);
	free(challenge);
	return n;
}

static void open_browser_net(struct env *t, struct browser_hook *h)
{
	struct net_opts o = { .retry_scale = 0.1 };
	struct cs_error err;
	struct auth_opts ao = { .token_dir = t->state, .min_lifetime_s = 1, .prompt = on_browser_prompt, .prompt_user = h,
				.paste = on_paste, .paste_user = h, .browser_timeout_s = 20 };
	t->net = auth_net_open(&t->p, &o, &ao, &err);
	cr_assert_not_null(t->net, "%s", err.msg);
}

Test(browser, pasted_address_signs_in_with_pkce_and_keeps_the_refresh_token)
{
	struct env t;
	setup(&t, CONF_AUTH_BROWSER);
	struct browser_hook h = { 0 };
	open_browser_net(&t, &h);
	struct result res = { 0 };
	get_graph(&t, 3, &res);
	cr_assert_eq(res.ok, 3, "%s", res.err);
	cr_assert_eq(h.prompts, 1);
	cr_assert_not(h.had_user_code, "a browser sign-in has no user code");
	cr_assert(strstr(h.uri, "/" TENANT "/oauth2/v2.0/authorize?client_id=" CLIENT "&response_type=code"), "%s", h.uri);
	cr_assert(strstr(h.uri, "&redirect_uri=http%3A%2F%2Flocalhost%3A"), "%s", h.uri);
	cr_assert(strstr(h.uri, "&code_challenge_method=S256"), "%s", h.uri);
	cr_assert(strstr(h.uri, "openid%20profile%20offline_access"), "%s", h.uri);
	cr_assert_eq(E.code_calls, 1, "the verifier matched the challenge once");
	cr_assert_str_eq(E.last_scope, "https://graph.microsoft.com/.default openid profile offline_access");
	struct auth_identity id;
	struct cs_error err;
	cr_assert_eq(auth_identity(t.net, NULL, &id, &err), 0, "%s", err.msg);
	cr_assert(id.delegated);
	cr_assert_str_eq(id.name, "admin@" TENANT);
	auth_identity_free(&id);
	/* Another resource: the refresh token, no second browser sign-in. */
	cr_assert_eq(auth_sign_in(t.net, "https://globaldisco.crm.dynamics.com/", &err), 0, "%s", err.msg);
	cr_assert_eq(h.prompts, 1);
	char *cache = auth_cache_path(t.net);
	struct stat st;
	cr_assert_eq(stat(cache, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *text = run_read_file(cache, NULL);
	cr_assert_null(strstr(text, "AC-secret-auth-code"), "the code is in the cache");
	free(text);
	free(cache);
	teardown(&t);
}

Test(browser, an_address_with_another_state_is_refused_before_entra_is_asked)
{
	struct env t;
	setup(&t, CONF_AUTH_BROWSER);
	struct browser_hook h = { .state = "forged" };
	open_browser_net(&t, &h);
	struct result res = { 0 };
	get_graph(&t, 1, &res);
	cr_assert_eq(res.failed, 1);
	cr_assert(strstr(res.err, "its state is not the one this sign-in sent"), "%s", res.err);
	cr_assert_eq(res.exit_code, 3);
	cr_assert_eq(E.code_calls, 0);
	teardown(&t);
}

Test(browser, giving_up_on_the_paste_ends_the_sign_in)
{
	struct env t;
	setup(&t, CONF_AUTH_BROWSER);
	struct browser_hook h = { .give_up = true };
	open_browser_net(&t, &h);
	struct result res = { 0 };
	get_graph(&t, 2, &res);
	cr_assert_eq(res.failed, 2, "every request waiting on it fails");
	cr_assert(strstr(res.err, "was abandoned"), "%s", res.err);
	cr_assert_eq(h.pastes, 1);
	teardown(&t);
}
