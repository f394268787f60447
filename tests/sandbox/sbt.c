#include "config.h"
#include "sbt.h"
#include "base/xalloc.h"
#include "run.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The value of key in the n-th [profile] section of the config text. Caller frees. */
static char *profile_value(const char *text, const char *profile, const char *key)
{
	char *hdr = xasprintf("[profile %s]\n", profile);
	const char *p = strstr(text, hdr);
	free(hdr);
	if (!p)
		return NULL;
	const char *end = strstr(p + 1, "\n[profile ");
	size_t klen = strlen(key);
	for (const char *l = p; l && (!end || l < end); l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (!strncmp(l, key, klen) && l[klen] == ' ') {
			const char *v = strstr(l, "= ") + 2;
			return xstrndup(v, strcspn(v, "\n"));
		}
	}
	return NULL;
}

static char *trimmed_file(const char *path)
{
	char *s = run_read_file(path, NULL);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

void sbt_start(struct sbt *t, const char *const *args, const char *const *env)
{
	memset(t, 0, sizeof *t);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sandbox_start_env(&t->sb, args, env);
	t->pid = t->sb.pid;
	t->dir = t->sb.dir;
	t->base = t->sb.base;
	t->ca = t->sb.ca;
	t->profile = t->sb.config;
	char *cfg = run_read_file(t->profile, NULL);
	cr_assert_not_null(cfg, "no profile written");
	t->app_id = profile_value(cfg, "sandbox", "client_id");
	t->reader_id = profile_value(cfg, "sandbox-reader", "client_id");
	t->device_id = profile_value(cfg, "sandbox-device", "client_id");
	t->user_id = profile_value(cfg, "sandbox-user", "client_id");
	t->client_pem = profile_value(cfg, "sandbox-cert", "certificate");
	char *s1 = profile_value(cfg, "sandbox", "client_secret_file");
	char *s2 = profile_value(cfg, "sandbox-reader", "client_secret_file");
	t->app_secret = s1 ? trimmed_file(s1) : NULL;
	t->reader_secret = s2 ? trimmed_file(s2) : NULL;
	free(s1);
	free(s2);
	free(cfg);
	cr_assert(t->app_id && t->app_secret && t->reader_id && t->reader_secret && t->device_id && t->user_id);
}

int sbt_stop(struct sbt *t)
{
	int status = sandbox_stop_status(&t->sb);
	free(t->app_id);
	free(t->app_secret);
	free(t->reader_id);
	free(t->reader_secret);
	free(t->device_id);
	free(t->user_id);
	free(t->client_pem);
	cJSON_Delete(t->truth);
	memset(t, 0, sizeof *t);
	return status;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	buf_add(b, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct sb_kvlist *h = ud;
	size_t len = size * n;
	const char *colon = memchr(p, ':', len);
	if (colon) {
		const char *v = colon + 1;
		size_t vl = len - (size_t)(v - p);
		while (vl && (*v == ' '))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		sb_kv_addn(h, p, (size_t)(colon - p), v, vl);
	}
	return len;
}

void sbt_req(struct sbt *t, const char *method, const char *url, const char *const *headers, const char *body,
		struct sbt_resp *r)
{
	memset(r, 0, sizeof *r);
	CURL *c = curl_easy_init();
	char *full = strncmp(url, "https://", 8) ? xasprintf("%s%s", t->base, url) : xstrdup(url);
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	struct curl_slist *hl = NULL;
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_CAINFO, t->ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->seconds);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	free(full);
	r->len = b.len;
	r->body = buf_steal(&b);
	r->json = cJSON_ParseWithLength(r->body, r->len);
}

void sbt_resp_free(struct sbt_resp *r)
{
	free(r->body);
	sb_kv_free(&r->headers);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof *r);
}

const char *sbt_header(const struct sbt_resp *r, const char *name)
{
	return sb_kv_get(&r->headers, name);
}

char *sbt_bearer(const char *token)
{
	return xasprintf("Authorization: Bearer %s", token ? token : "");
}

static char *form_escape(const char *s)
{
	return sb_url_encode(s);
}

char *sbt_token(struct sbt *t, const char *client_id, const char *secret, const char *scope)
{
	char *es = form_escape(secret), *esc = form_escape(scope);
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", client_id, es, esc);
	free(es);
	free(esc);
	struct sbt_resp r;
	sbt_req(t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/token", NULL, body, &r);
	free(body);
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(r.json, "access_token");
	char *out = cJSON_IsString(tok) ? xstrdup(tok->valuestring) : NULL;
	cr_assert_not_null(out, "no token for %s: %ld %s", scope, r.status, r.body);
	sbt_resp_free(&r);
	return out;
}

char *sbt_device_token(struct sbt *t, const char *client_id, const char *scope, char **refresh)
{
	char *esc = form_escape(scope);
	char *body = xasprintf("client_id=%s&scope=%s%%20offline_access", client_id, esc);
	free(esc);
	struct sbt_resp r;
	sbt_req(t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/devicecode", NULL, body, &r);
	free(body);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *user_code = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "user_code")->valuestring);
	char *device_code = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "device_code")->valuestring);
	sbt_resp_free(&r);
	char *ap = xasprintf("{\"user_code\":\"%s\"}", user_code);
	sbt_req(t, "POST", "/_sandbox/approve", NULL, ap, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
	free(ap);
	body = xasprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code&client_id=%s&device_code=%s",
			client_id, device_code);
	sbt_req(t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/token", NULL, body, &r);
	free(body);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *tok = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "access_token")->valuestring);
	if (refresh) {
		const cJSON *rt = cJSON_GetObjectItemCaseSensitive(r.json, "refresh_token");
		*refresh = cJSON_IsString(rt) ? xstrdup(rt->valuestring) : NULL;
	}
	sbt_resp_free(&r);
	free(user_code);
	free(device_code);
	return tok;
}

void sbt_get(struct sbt *t, const char *token, const char *url, const char *extra, struct sbt_resp *r)
{
	char *auth = sbt_bearer(token);
	const char *h[] = { auth, "Accept: application/json", extra, NULL };
	sbt_req(t, "GET", url, h, NULL, r);
	free(auth);
}

const cJSON *sbt_truth(struct sbt *t)
{
	cJSON_Delete(t->truth);
	struct sbt_resp r;
	sbt_req(t, "GET", "/_sandbox/truth", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	t->truth = r.json;
	r.json = NULL;
	sbt_resp_free(&r);
	return t->truth;
}

const char *sbt_env_url(struct sbt *t, int i)
{
	if (!t->truth)
		sbt_truth(t);
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t->truth, "environments"), i);
	return cJSON_GetObjectItemCaseSensitive(e, "url")->valuestring;
}

const char *sbt_missing_key(const cJSON *obj, const cJSON *fixture)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, fixture)
		if (!cJSON_GetObjectItemCaseSensitive(obj, it->string))
			return it->string;
	return NULL;
}

cJSON *sbt_fixture(const char *rel)
{
	const char *s = getenv("CHATSYNC_TEST_SRCDIR");
	char *path = xasprintf("%s/tests/fixtures/%s", s ? s : TEST_SRCDIR, rel);
	char *text = run_read_file(path, NULL);
	cr_assert_not_null(text, "missing fixture %s", path);
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "fixture %s is not JSON", path);
	free(text);
	free(path);
	return j;
}
