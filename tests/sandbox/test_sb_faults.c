/* Service protection limits (429 + Retry-After, 52 concurrent) and every injected fault kind. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/xalloc.h"
#include "sbt.h"

static char *env_token(struct sbt *t, char **url)
{
	*url = xasprintf("%s/api/data/v9.2/WhoAmI", sbt_env_url(t, 0));
	char *scope = xasprintf("%s/.default", sbt_env_url(t, 0));
	char *tok = sbt_token(t, t->app_id, t->app_secret, scope);
	free(scope);
	return tok;
}

static void set_fault(struct sbt *t, const char *json)
{
	struct sbt_resp r;
	sbt_req(t, "POST", "/_sandbox/faults", NULL, json, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
}

static void concurrent(struct sbt *t, const char *tok, const char *url, int n, int *ok, int *throttled);
static void concurrent_mixed(struct sbt *t, const char *const toks[2], const char *const urls[2], int n, int *ok,
		int *throttled);

Test(limits, dataverse_request_limit_answers_429_with_retry_after)
{
	struct sbt t;
	const char *args[] = { "--limit-scale", "0.002", NULL };  /* 12 requests per second */
	sbt_start(&t, args, NULL);
	char *url;
	char *tok = env_token(&t, &url);
	/* At once, so all fall in one window however slow the machine. */
	int ok, throttled;
	concurrent(&t, tok, url, 14, &ok, &throttled);
	cr_expect_eq(ok, 12);
	cr_expect_eq(throttled, 2);
	struct sbt_resp r;
	sbt_get(&t, tok, url, NULL, &r);
	for (int i = 0; i < 20 && r.status != 429; i++) {
		sbt_resp_free(&r);
		sbt_get(&t, tok, url, NULL, &r);
	}
	cr_assert_eq(r.status, 429);
	cr_expect_geq(atoi(sbt_header(&r, "Retry-After")), 1);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "code")->valuestring,
			"0x80072322");
	sbt_resp_free(&r);
	sbt_req(&t, "GET", "/_sandbox/stats", NULL, NULL, &r);
	cr_expect_geq(cJSON_GetObjectItemCaseSensitive(r.json, "throttled")->valueint, 3);
	sbt_resp_free(&r);
	free(url), free(tok);
	sbt_stop(&t);
}

Test(limits, graph_get_chat_and_installed_apps_per_chat)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *tok = sbt_token(&t, t.app_id, t.app_secret, "https://graph.microsoft.com/.default");
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(&t), "environments"), 0);
	const char *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(env, "chats"), 0),
			"teams_chat_id")->valuestring;
	char *enc = sb_url_encode(id);
	char *apps = xasprintf("/graph/v1.0/chats/%s/installedApps", enc);
	struct sbt_resp r;
	sbt_get(&t, tok, apps, NULL, &r);
	long first = r.status;
	sbt_resp_free(&r);
	sbt_get(&t, tok, apps, NULL, &r);
	cr_expect(first == 200 || first == 404);
	cr_expect_eq(r.status, 429, "1 request per second per chat");
	cr_expect_geq(atoi(sbt_header(&r, "Retry-After")), 1);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "code")->valuestring,
			"TooManyRequests");
	sbt_resp_free(&r);
	char *chat = xasprintf("/graph/v1.0/chats/%s", enc);
	int throttled = 0;
	for (int i = 0; i < 7; i++) {
		sbt_get(&t, tok, chat, NULL, &r);
		throttled += r.status == 429;
		sbt_resp_free(&r);
	}
	cr_expect_geq(throttled, 1, "5 get-chat requests per second per caller");
	free(chat), free(apps), free(enc), free(tok);
	sbt_stop(&t);
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double left = t - mono_s();
	if (left > 0)
		usleep((useconds_t)(left * 1e6));
}

static long get_status(struct sbt *t, const char *tok, const char *url, int *retry_after)
{
	struct sbt_resp r;
	sbt_get(t, tok, url, NULL, &r);
	long st = r.status;
	if (retry_after)
		*retry_after = st == 429 ? atoi(sbt_header(&r, "Retry-After")) : 0;
	sbt_resp_free(&r);
	return st;
}

/* "30 requests per second" holds for every second, not only for seconds that start where the
 * service's count happens to: a window counted from its first request and reset when it ends
 * would let the burst below through. At scale 0.1, permissionGrants allow 3 per second. */
Test(limits, graph_limits_count_in_a_sliding_window)
{
	struct sbt t;
	const char *args[] = { "--limit-scale", "0.1", NULL };
	sbt_start(&t, args, NULL);
	char *tok = sbt_token(&t, t.app_id, t.app_secret, "https://graph.microsoft.com/.default");
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(&t), "environments"), 0);
	const char *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(env, "chats"), 0),
			"teams_chat_id")->valuestring;
	char *enc = sb_url_encode(id);
	char *grants = xasprintf("/graph/v1.0/chats/%s/permissionGrants", enc);
	double t0 = mono_s();
	cr_assert_neq(get_status(&t, tok, grants, NULL), 429, "the first request of a fresh window");
	sleep_until(t0 + 0.5);
	cr_assert_neq(get_status(&t, tok, grants, NULL), 429);
	cr_assert_neq(get_status(&t, tok, grants, NULL), 429, "3 in one second are within the limit");
	/* 1.2 s after the first: the first has left the last second, the two at 0.5 s have not. */
	sleep_until(t0 + 1.2);
	cr_expect_neq(get_status(&t, tok, grants, NULL), 429, "one has left the window: one more may go");
	int ra = 0;
	cr_expect_eq(get_status(&t, tok, grants, &ra), 429,
			"the fourth request in the second from 0.5 s to 1.5 s is throttled (a fixed window restarted at 1 s "
			"would let it through)");
	cr_expect_eq(ra, 1, "Retry-After: the requests at 0.5 s leave the window within a second");
	/* Once the window has moved past them, the limit is whole again. */
	sleep_until(t0 + 2.3);
	int ok = 0;
	for (int i = 0; i < 3; i++)
		ok += get_status(&t, tok, grants, NULL) != 429;
	cr_expect_eq(ok, 3);
	free(grants), free(enc), free(tok);
	sbt_stop(&t);
}

/* Runs n concurrent GETs of url; counts answers by status. */
/* n requests at once; request i goes to urls[i % 2] with toks[i % 2]. */
static void concurrent_mixed(struct sbt *t, const char *const toks[2], const char *const urls[2], int n, int *ok,
		int *throttled)
{
	CURLM *m = curl_multi_init();
	CURL *e[80];
	char *auth[2] = { sbt_bearer(toks[0]), sbt_bearer(toks[1]) };
	struct curl_slist *h[2] = { curl_slist_append(NULL, auth[0]), curl_slist_append(NULL, auth[1]) };
	FILE *null = fopen("/dev/null", "w");
	for (int i = 0; i < n; i++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, urls[i % 2]);
		curl_easy_setopt(e[i], CURLOPT_CAINFO, t->ca);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h[i % 2]);
		curl_easy_setopt(e[i], CURLOPT_WRITEDATA, null);
		curl_easy_setopt(e[i], CURLOPT_TIMEOUT, 60L);
		curl_multi_add_handle(m, e[i]);
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	*ok = *throttled = 0;
	for (int i = 0; i < n; i++) {
		long st = 0;
		curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &st);
		*ok += st == 200;
		*throttled += st == 429;
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
	}
	curl_multi_cleanup(m);
	for (int i = 0; i < 2; i++) {
		curl_slist_free_all(h[i]);
		free(auth[i]);
	}
	fclose(null);
}

static void concurrent(struct sbt *t, const char *tok, const char *url, int n, int *ok, int *throttled)
{
	const char *toks[2] = { tok, tok }, *urls[2] = { url, url };
	concurrent_mixed(t, toks, urls, n, ok, throttled);
}

Test(limits, fifty_two_concurrent_requests_then_429, .timeout = 60)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *url;
	char *tok = env_token(&t, &url);
	set_fault(&t, "{\"latency_ms\":2500,\"path\":\"/WhoAmI\"}");
	int ok, throttled;
	concurrent(&t, tok, url, 52, &ok, &throttled);
	cr_expect_eq(ok, 52, "52 in flight at once are all served (%d throttled)", throttled);
	concurrent(&t, tok, url, 60, &ok, &throttled);
	cr_expect_eq(ok, 52, "%d ok", ok);
	cr_expect_eq(throttled, 8, "the ones past 52 get 0x80072326 (%d)", throttled);
	free(url), free(tok);
	sbt_stop(&t);
}

Test(faults, statuses_latency_and_count)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *url;
	char *tok = env_token(&t, &url);
	struct sbt_resp r;
	set_fault(&t, "{\"p503\":1,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 503);
	cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "code")));
	sbt_resp_free(&r);
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 200, "count=1 applies once");
	sbt_resp_free(&r);

	set_fault(&t, "{\"p429\":1,\"path\":\"/graph/\"}");
	char *gt = sbt_token(&t, t.app_id, t.app_secret, "https://graph.microsoft.com/.default");
	sbt_get(&t, gt, "/graph/v1.0/policies/authorizationPolicy", NULL, &r);
	cr_expect_eq(r.status, 429);
	cr_expect_not_null(sbt_header(&r, "Retry-After"));
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "code")->valuestring,
			"TooManyRequests");
	sbt_resp_free(&r);
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 200, "the path limits the fault");
	sbt_resp_free(&r);
	sbt_req(&t, "DELETE", "/_sandbox/faults", NULL, NULL, &r);
	sbt_resp_free(&r);
	sbt_get(&t, gt, "/graph/v1.0/policies/authorizationPolicy", NULL, &r);
	cr_expect_eq(r.status, 200, "DELETE clears faults");
	sbt_resp_free(&r);

	set_fault(&t, "{\"latency_ms\":400,\"jitter_ms\":50,\"count\":1}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_geq(r.seconds, 0.39);
	sbt_resp_free(&r);

	set_fault(&t, "{\"expire_tokens\":true,\"count\":1}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 401);
	cr_expect_not_null(sbt_header(&r, "WWW-Authenticate"));
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/_sandbox/faults", NULL, "{\"p503\":2}", &r);
	cr_expect_eq(r.status, 400);
	sbt_resp_free(&r);
	free(gt), free(url), free(tok);
	sbt_stop(&t);
}

Test(faults, transport_reset_truncate_malformed_slow)
{
	struct sbt t;
	const char *args[] = { "--fault", "slow_body_ms=600,path=/disco/", NULL };
	sbt_start(&t, args, NULL);
	char *url;
	char *tok = env_token(&t, &url);
	struct sbt_resp r;
	set_fault(&t, "{\"reset\":1,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_neq(r.rc, CURLE_OK, "reset: no answer");
	cr_expect_eq(r.status, 0);
	sbt_resp_free(&r);

	set_fault(&t, "{\"truncate\":1,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.rc, CURLE_PARTIAL_FILE, "truncated body: %s", curl_easy_strerror(r.rc));
	sbt_resp_free(&r);

	set_fault(&t, "{\"malformed\":1,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.rc, CURLE_OK);
	cr_expect_eq(r.status, 200);
	cr_expect_null(r.json, "malformed JSON: %s", r.body);
	sbt_resp_free(&r);
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_not_null(r.json, "the next one is whole");
	sbt_resp_free(&r);

	char *dt = sbt_token(&t, t.app_id, t.app_secret, "https://globaldisco.crm.dynamics.com/.default");
	sbt_get(&t, dt, "/disco/api/discovery/v2.0/Instances", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(r.json, "slow body arrives whole");
	cr_expect_geq(r.seconds, 0.5, "slow body took %.2f s", r.seconds);
	cJSON *fx = sbt_fixture("microsoft-docs/discovery-instances.json");
	const cJSON *inst = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect_null(sbt_missing_key(inst, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "value"), 0)));
	const char *keys[] = { "Id", "UniqueName", "UrlName", "FriendlyName", "State", "Version", "Url", "ApiUrl",
		"LastUpdated", "Region", "TenantId", "EnvironmentId", "Purpose", NULL };
	for (int i = 0; keys[i]; i++)
		cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(inst, keys[i]), "Instances lacks %s", keys[i]);
	cJSON_Delete(fx);
	sbt_resp_free(&r);

	sbt_req(&t, "GET", "/_sandbox/stats", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_expect_gt(cJSON_GetObjectItemCaseSensitive(r.json, "requests")->valueint, 4);
	cr_expect(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r.json, "by_status")));
	sbt_resp_free(&r);
	free(dt), free(url), free(tok);
	sbt_stop(&t);
}

Test(faults, hostile_redirects_numbers_retry_after_and_trickles)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	char *url;
	char *tok = env_token(&t, &url);
	struct sbt_resp r;
	set_fault(&t, "{\"redirect\":307,\"location\":\"https://elsewhere.example{path}\",\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 307);
	cr_expect(sbt_header(&r, "Location") && strstr(sbt_header(&r, "Location"), "https://elsewhere.example/env/") &&
		  strstr(sbt_header(&r, "Location"), "/WhoAmI"));
	sbt_resp_free(&r);

	set_fault(&t, "{\"p429\":1,\"retry_after\":600,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 429);
	cr_expect_str_eq(sbt_header(&r, "Retry-After"), "600");
	sbt_resp_free(&r);

	set_fault(&t, "{\"json_key\":\"expires_in\",\"json_value\":\"1e300\",\"count\":1,\"path\":\"/oauth2/v2.0/token\"}");
	char *form = xasprintf("client_id=%s&client_secret=%s&grant_type=client_credentials&scope="
			       "https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default", t.app_id, t.app_secret);
	sbt_req(&t, "POST", "/entra/contoso-sandbox.onmicrosoft.com/oauth2/v2.0/token", NULL, form, &r);
	cr_expect_eq(r.status, 200);
	cr_expect(cJSON_GetObjectItemCaseSensitive(r.json, "expires_in")->valuedouble > 1e299);
	sbt_resp_free(&r);

	set_fault(&t, "{\"json_key\":\"error.message\",\"json_value\":\"\\\"\\\\u001b[2Jboom\\\"\",\"count\":1}");
	sbt_get(&t, NULL, url, NULL, &r);
	cr_expect_eq(r.status, 401);
	cr_expect(strstr(r.body, "\\u001b[2Jboom"), "%s", r.body);
	sbt_resp_free(&r);

	set_fault(&t, "{\"trickle_bps\":100,\"count\":1,\"path\":\"/WhoAmI\"}");
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_geq(r.seconds, (double)(r.len - 1) / 100 * 0.9, "%zu bytes in %.2f s", r.len, r.seconds);
	sbt_resp_free(&r);

	sbt_req(&t, "POST", "/_sandbox/faults", NULL, "{\"redirect\":200}", &r);
	cr_expect_eq(r.status, 400, "a redirect is a 3xx");
	sbt_resp_free(&r);
	sbt_req(&t, "POST", "/_sandbox/faults", NULL, "{\"json_key\":\"a\",\"json_value\":\"{not json\"}", &r);
	cr_expect_eq(r.status, 400);
	sbt_resp_free(&r);
	free(form), free(url), free(tok);
	sbt_stop(&t);
}

/* The service counts its protection limits per user per environment (web server): the same
 * caller gets a window of its own in each environment. */
Test(limits, dataverse_limits_count_per_environment)
{
	struct sbt t;
	const char *args[] = { "--limit-scale", "0.002", NULL };  /* 12 requests per second */
	sbt_start(&t, args, NULL);
	char *url0;
	char *tok0 = env_token(&t, &url0);
	char *url1 = xasprintf("%s/api/data/v9.2/WhoAmI", sbt_env_url(&t, 1));
	char *scope1 = xasprintf("%s/.default", sbt_env_url(&t, 1));
	char *tok1 = sbt_token(&t, t.app_id, t.app_secret, scope1);
	/* 24 at once, 12 to each environment: one caller's window per environment holds them all
	 * (counted across environments, 12 would be throttled). */
	const char *toks[2] = { tok0, tok1 }, *urls[2] = { url0, url1 };
	int ok, throttled;
	concurrent_mixed(&t, toks, urls, 24, &ok, &throttled);
	cr_expect_eq(ok, 24, "12 in each environment are within its limit");
	cr_expect_eq(throttled, 0);
	/* And each environment still has its own limit: 14 more to one of them are throttled. */
	concurrent(&t, tok0, url0, 14, &ok, &throttled);
	cr_expect_geq(throttled, 2, "the first environment's window is full");
	free(url0), free(tok0), free(url1), free(scope1), free(tok1);
	sbt_stop(&t);
}
