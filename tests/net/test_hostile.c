/* The transport and sign-in against a hostile server (issue 13): the sandbox's faults redirect the
 * token POST and Graph requests elsewhere, send absurd numbers, a huge Retry-After, escape sequences
 * in messages and bodies trickled at 2 bytes a second. Each case is a limit chatsync keeps. */
#include "config.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "auth/auth.h"
#include "core/conf.h"
#include "fake.h"
#include "net/http.h"
#include "sandbox.h" /* tests/common */
#include "sync/session.h"

static struct conf conf;
static struct sandbox box;

static void fini(void)
{
	conf_free(&conf);
	memset(&conf, 0, sizeof conf);
	if (box.pid > 0)
		sandbox_stop(&box);
	memset(&box, 0, sizeof box);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct conf_profile *start(const char *profile)
{
	sandbox_start(&box, NULL);
	struct cs_error err;
	cr_assert_eq(session_load_conf(&conf, box.config, &err), 0, "%s", err.msg);
	const struct conf_profile *p = conf_profile(&conf, profile, &err);
	cr_assert_not_null(p, "%s", err.msg);
	return p;
}

static void fault(const char *json)
{
	long status = 0;
	char *body = sandbox_control(&box, "POST", "faults", json, &status);
	cr_assert_eq(status, 200, "fault %s: %ld %s", json, status, body ? body : "");
	free(body);
}

static struct net *open_net(const struct conf_profile *p, struct net_opts o)
{
	char state[600];
	snprintf(state, sizeof state, "%s/state", box.dir);
	struct cs_error err;
	struct net *net = auth_net_open(p, &o, &(struct auth_opts){ .token_dir = state }, &err);
	cr_assert_not_null(net, "%s", err.msg);
	return net;
}

/* Graph's URL of a chat the tenant has. */
static void chat_url(const struct conf_profile *p, char *out, size_t n)
{
	long status;
	char *truth = sandbox_control(&box, "GET", "truth", NULL, &status);
	const char *id = strstr(truth, "\"teams_chat_id\":\"");
	cr_assert_not_null(id);
	id += 17;
	snprintf(out, n, "%s/v1.0/chats/%.*s", p->graph, (int)strcspn(id, "\""), id);
	free(truth);
}

static int count(const char *text, const char *needle)
{
	int k = 0;
	for (const char *s = text; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		k++;
	return k;
}

static int logged(const char *path_part)
{
	char *log = sandbox_request_log(&box);
	int k = count(log ? log : "", path_part);
	free(log);
	return k;
}

static int fetch(struct net *net, const struct conf_profile *p, const char *url, struct cs_error *err)
{
	struct net_result res;
	int rc = net_fetch(net, &(struct net_request){ .url = url, .resource = conf_graph_resource(p), .service = "Graph" },
			   &res, err);
	net_result_free(&res);
	return rc;
}

Test(redirect, the_token_post_is_never_redirected_so_the_secret_stays_home, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	char json[800];
	/* localhost is the same sandbox under another name: a second token request would show in its log. */
	snprintf(json, sizeof json,
		 "{\"redirect\":307,\"location\":\"https://localhost:%s{path}\",\"path\":\"/oauth2/v2.0/token\"}",
		 strrchr(box.base, ':') + 1);
	fault(json);
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05 });
	char url[1024];
	chat_url(p, url, sizeof url);
	struct cs_error err;
	cr_assert_eq(fetch(net, p, url, &err), -1);
	cr_assert(strstr(err.msg, "sign-in for profile \"sandbox\" failed") &&
			  strstr(err.msg, "Entra ID redirected POST") && strstr(err.msg, "(HTTP 307)") &&
			  strstr(err.msg, "a request with a body is never redirected"),
		  "%s", err.msg);
	cr_assert_eq(logged("/oauth2/v2.0/token"), 1, "the token POST was sent again after the redirect");
	cr_assert_eq(logged("/graph/"), 0);
	net_close(net);
}

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_auth[32];

static void h_record(const struct fake_req *req, struct fake_resp *resp, void *user)
{
	pthread_mutex_lock(&seen_lock);
	snprintf(seen_auth, sizeof seen_auth, "%s", fake_header(req, "Authorization") ? "present" : "absent");
	pthread_mutex_unlock(&seen_lock);
	fake_json(resp, 200, "{\"id\":\"elsewhere\"}");
}

Test(redirect, the_bearer_token_goes_only_to_its_own_origin, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	struct fake *other = fake_start(h_record, NULL, NULL, NULL); /* plain http on another port */
	char json[800];
	snprintf(json, sizeof json, "{\"redirect\":302,\"location\":\"%s{path}\",\"path\":\"/graph/v1.0/chats/\"}",
		 fake_base(other));
	fault(json);
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05 });
	char url[1024];
	chat_url(p, url, sizeof url);
	struct cs_error err;
	cr_assert_eq(fetch(net, p, url, &err), 0, "%s", err.msg);
	cr_assert_eq(fake_requests(other), 1, "the redirect was not followed");
	cr_assert_str_eq(seen_auth, "absent", "the bearer token followed a redirect to another origin");
	net_close(net);
	fake_stop(other);
}

Test(limits, a_retry_after_beyond_the_cap_fails_that_request_and_stalls_no_other, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	fault("{\"p429\":1,\"retry_after\":600,\"count\":1,\"path\":\"/graph/v1.0/chats/\"}");
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05 }); /* retry cap: 9 s */
	char url[1024];
	chat_url(p, url, sizeof url);
	struct cs_error err;
	double t0 = now_s();
	cr_assert_eq(fetch(net, p, url, &err), -1);
	cr_assert(strstr(err.msg, "429") && strstr(err.msg, "longer than chatsync's retry time limit"), "%s", err.msg);
	/* The same bucket (graph:chat) right after: no 600 s pause. */
	cr_assert_eq(fetch(net, p, url, &err), 0, "%s", err.msg);
	cr_assert_eq(fetch(net, p, url, &err), 0, "%s", err.msg);
	cr_assert_lt(now_s() - t0, 8.0, "the bucket waited out the huge Retry-After");
	net_close(net);
}

static void bad_number(const char *profile, const char *path, const char *key, const char *value, const char *want)
{
	const struct conf_profile *p = start(profile);
	char json[600];
	snprintf(json, sizeof json, "{\"json_key\":\"%s\",\"json_value\":\"%s\",\"path\":\"%s\"}", key, value, path);
	fault(json);
	if (strcmp(profile, "sandbox-device") == 0) /* the person approves at once */
		fault("{}");
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05, .max_retries = -1 });
	auth_set_prompt(net, NULL, NULL);
	struct cs_error err;
	double t0 = now_s();
	cr_assert_eq(auth_sign_in(net, NULL, &err), -1);
	cr_assert(strstr(err.msg, want) && strstr(err.msg, "which is not a number of seconds"), "%s", err.msg);
	cr_assert_lt(now_s() - t0, 10.0);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_leq(st.sent, 2, "%lu requests: a bad number must not loop", st.sent);
	net_close(net);
}

Test(limits, a_huge_expires_in_as_digits_is_a_clear_error_not_a_loop, .fini = fini)
{
	bad_number("sandbox", "/oauth2/v2.0/token", "expires_in", "\\\"99999999999999999999\\\"", "expires_in = ");
}

Test(limits, an_expires_in_of_1e300_is_a_clear_error_not_undefined_behaviour, .fini = fini)
{
	bad_number("sandbox", "/oauth2/v2.0/token", "expires_in", "1e300", "expires_in = ");
}

Test(limits, a_device_code_interval_of_1e300_is_a_clear_error, .fini = fini)
{
	bad_number("sandbox-device", "/oauth2/v2.0/devicecode", "interval", "1e300", "interval = ");
}

Test(limits, an_expires_in_beyond_entras_lifetimes_is_clamped, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	fault("{\"json_key\":\"expires_in\",\"json_value\":\"315000000\",\"path\":\"/oauth2/v2.0/token\"}");
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05 });
	char url[1024];
	chat_url(p, url, sizeof url);
	struct cs_error err;
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fetch(net, p, url, &err), 0, "%s", err.msg);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_eq(st.tokens, 1);
	net_close(net);
}

Test(limits, a_body_trickled_at_2_bytes_a_second_fails_the_low_speed_limit, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	char url[1024];
	chat_url(p, url, sizeof url);
	fault("{\"trickle_bps\":2,\"path\":\"/graph/v1.0/chats/\"}");
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05, .low_speed_time_s = 2, .max_retries = -1 });
	struct cs_error err;
	double t0 = now_s();
	cr_assert_eq(fetch(net, p, url, &err), -1);
	cr_assert_lt(now_s() - t0, 10.0);
	cr_assert(strstr(err.msg, "cannot reach Graph") && strstr(err.msg, "timed out") && strstr(err.msg, "too slow"),
		  "%s", err.msg);
	net_close(net);
}

Test(limits, every_run_has_a_deadline_that_names_what_was_slow, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	char url[1024];
	chat_url(p, url, sizeof url);
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05, .low_speed_bytes = 1, .deadline_s = 3 });
	struct cs_error err;
	cr_assert_eq(fetch(net, p, url, &err), 0, "%s", err.msg); /* signed in, before the trickle */
	fault("{\"trickle_bps\":2,\"path\":\"/graph/v1.0/chats/\"}");
	double t0 = now_s();
	cr_assert_eq(fetch(net, p, url, &err), -1);
	double took = now_s() - t0;
	cr_assert(took >= 2.9 && took < 6.0, "%.1f s", took);
	cr_assert(strstr(err.msg, "the deadline of one run") && strstr(err.msg, "Graph GET /chats/") &&
			  strstr(err.msg, "was the slowest"),
		  "%s", err.msg);
	net_close(net);
}

Test(sanitise, escapes_and_line_breaks_in_server_messages_never_reach_an_error, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	fault("{\"json_key\":\"error.message\",\"json_value\":\"\\\"Not found\\\\u001b]0;pwned\\\\u0007\\\\u001b[2J\\\\nchatsync: "
	      "forged line\\\"\",\"path\":\"/graph/v1.0/chats/\"}");
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05 });
	char url[1024];
	snprintf(url, sizeof url, "%s/v1.0/chats/19:nonexistent@thread.v2", p->graph);
	struct cs_error err;
	cr_assert_eq(fetch(net, p, url, &err), -1);
	cr_assert(strstr(err.msg, "Graph refused GET") && strstr(err.msg, "Not found"), "%s", err.msg);
	cr_assert_null(strchr(err.msg, '\033'), "an escape reached the error: %s", err.msg);
	cr_assert_null(strchr(err.msg, '\a'));
	cr_assert_null(strchr(err.msg, '\n'), "a line break reached the error: %s", err.msg);
	net_close(net);
}

static char shown_message[1024];

static void capture_prompt(const char *message, const char *user_code, const char *uri, void *user)
{
	snprintf(shown_message, sizeof shown_message, "%s", message);
}

Test(sanitise, the_device_code_message_reaches_the_prompt_without_escapes, .fini = fini)
{
	const struct conf_profile *p = start("sandbox-device");
	fault("{\"json_key\":\"message\",\"json_value\":\"\\\"Sign in\\\\u001b]0;owned\\\\u0007\\\\r\\\\nchatsync: all good\\\"\","
	      "\"path\":\"/oauth2/v2.0/devicecode\"}");
	/* The code is never approved: the sign-in ends when it expires (the sandbox's default is long,
	 * so this test cancels after the prompt). */
	static volatile sig_atomic_t stop_now;
	stop_now = 0;
	struct net *net = open_net(p, (struct net_opts){ .retry_scale = 0.05, .cancel = &stop_now });
	shown_message[0] = '\0';
	auth_set_prompt(net, capture_prompt, NULL);
	char url[1024];
	chat_url(p, url, sizeof url);
	struct cs_error err;
	struct net_request q = { .url = url, .resource = conf_graph_resource(p) };
	cr_assert_eq(net_queue(net, &q, &err), 0);
	for (int i = 0; i < 200 && !shown_message[0]; i++)
		net_step(net, 50);
	stop_now = 1;
	while (net_pending(net) > 0)
		net_step(net, 50);
	cr_assert(strstr(shown_message, "Sign in"), "no prompt: %s", shown_message);
	cr_assert_null(strchr(shown_message, '\033'), "an escape reached the prompt");
	cr_assert_null(strpbrk(shown_message, "\r\n\a"), "a control character reached the prompt: %s", shown_message);
	net_close(net);
}

Test(sanitise, an_entra_error_description_is_sanitised_in_the_sign_in_error, .fini = fini)
{
	const struct conf_profile *p = start("sandbox");
	struct conf_profile wrong = *p;
	char secret[700];
	snprintf(secret, sizeof secret, "%s/wrong.secret", box.dir);
	FILE *f = fopen(secret, "w");
	cr_assert_not_null(f);
	fputs("not-the-secret\n", f);
	fclose(f);
	chmod(secret, 0600);
	wrong.client_secret_file = secret;
	fault("{\"json_key\":\"error_description\",\"json_value\":\"\\\"AADSTS7000215: Invalid client secret\\\\u001b[2J\\\\u0007"
	      " provided.\\\"\",\"path\":\"/oauth2/v2.0/token\"}");
	struct net *net = open_net(&wrong, (struct net_opts){ .retry_scale = 0.05 });
	struct cs_error err;
	cr_assert_eq(auth_sign_in(net, NULL, &err), -1);
	cr_assert(strstr(err.msg, "invalid_client") && strstr(err.msg, "Invalid client secret"), "%s", err.msg);
	cr_assert_null(strchr(err.msg, '\033'), "an escape reached the error: %s", err.msg);
	cr_assert_null(strchr(err.msg, '\a'));
	net_close(net);
}
