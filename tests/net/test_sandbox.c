/* Sign-in and the transport end to end against chatsync-sandbox: every sign-in method, a wrong
 * secret, tokens expiring mid-run, 429 storms, 503s, resets, timeouts, an untrusted certificate,
 * and a known secret that must appear in no log, trace, cache, token file, output or argument list. */
#include "config.h"
#include <criterion/criterion.h>
#include <cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/conf.h"
#include "sync/session.h"
#include "base/log.h"
#include "auth/auth.h"
#include "net/http.h"
#include "run.h"
#include "sandbox.h" /* tests/common */

static struct conf conf;
static struct sandbox box; /* this test's sandbox: .fini stops it even after a failed assertion */

/* The named profile of the config the sandbox wrote. */
static const struct conf_profile *sandbox_profile(struct sandbox *sb, const char *name)
{
	struct cs_error err;
	if (!conf.path)
		cr_assert_eq(session_load_conf(&conf, sb->config, &err), 0, "%s", err.msg);
	const struct conf_profile *p = conf_profile(&conf, name, &err);
	cr_assert_not_null(p, "%s", err.msg);
	return p;
}

static void stop(struct sandbox *s)
{
	conf_free(&conf);
	memset(&conf, 0, sizeof conf);
	if (s->pid > 0)
		sandbox_stop(s);
	memset(s, 0, sizeof *s);
}

static void fini(void)
{
	stop(&box);
}

static char *control(struct sandbox *sb, const char *method, const char *path, const char *json)
{
	long status = 0;
	char *body = sandbox_control(sb, method, path, json, &status);
	cr_assert_eq(status, 200, "%s /_sandbox/%s: %ld %s", method, path, status, body ? body : "");
	return body;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the tenant holds: one environment and one chat to ask about. */
struct target {
	char env[128];
	char chat[256];
	char dv_resource[512], whoami[768], chat_url[768];
};

static void find_target(struct sandbox *sb, const struct conf_profile *p, struct target *t)
{
	char *truth = control(sb, "GET", "truth", NULL);
	cJSON *j = cJSON_Parse(truth);
	cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "environments"), 0);
	cr_assert_not_null(env, "the sandbox tenant has no environment: %s", truth);
	snprintf(t->env, sizeof t->env, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(env, "unique_name")));
	cJSON *chat = cJSON_GetArrayItem(cJSON_GetObjectItem(env, "chats"), 0);
	cr_assert_not_null(chat);
	snprintf(t->chat, sizeof t->chat, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(chat, "teams_chat_id")));
	cJSON_Delete(j);
	free(truth);
	if (p->auth == CONF_AUTH_DEVICE_CODE) {
		/* A delegated sign-in reads only chats its user is in (as Graph does): the person joins this one. */
		char body[1024];
		snprintf(body, sizeof body, "{\"action\":\"add_member\",\"teams_chat_id\":\"%s\",\"user\":\"admin@%s\"}",
			 t->chat, p->tenant);
		free(control(sb, "POST", "mutate", body));
	}
	snprintf(t->dv_resource, sizeof t->dv_resource, "%s/env/%s", sb->base, t->env);
	snprintf(t->whoami, sizeof t->whoami, "%s/api/data/v9.2/WhoAmI", t->dv_resource);
	snprintf(t->chat_url, sizeof t->chat_url, "%s/v1.0/chats/%s", p->graph, t->chat);
}

struct tally {
	int ok, failed, calls;
	char err[1024];
	int exit_code;
};

static void on_done(struct net *net, const struct net_response *r, void *user)
{
	struct tally *t = user;
	t->calls++;
	if (r->err) {
		t->failed++;
		snprintf(t->err, sizeof t->err, "%s", r->err->msg);
		t->exit_code = r->err->exit_code;
	} else {
		t->ok++;
	}
}

static void queue_graph(struct net *net, struct target *t, struct tally *tally, int n)
{
	struct cs_error err;
	for (int i = 0; i < n; i++)
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = t->chat_url, .resource = conf_graph_resource(auth_profile(net)),
								   .bucket = "graph:chat", .done = on_done, .user = tally },
				       &err), 0, "%s", err.msg);
}

static void queue_dataverse(struct net *net, struct target *t, struct tally *tally, int n)
{
	struct cs_error err;
	char bucket[600];
	snprintf(bucket, sizeof bucket, "dataverse:%s", t->dv_resource);
	for (int i = 0; i < n; i++)
		cr_assert_eq(net_queue(net, &(struct net_request){ .url = t->whoami, .resource = t->dv_resource,
								   .bucket = bucket, .done = on_done, .user = tally },
				       &err), 0, "%s", err.msg);
}

/* Device code: the "person" approves through the control endpoint as soon as the code shows. */
struct approver {
	struct net *net;
	const char *base;
	int prompts;
};

static void approve(const char *message, const char *user_code, const char *uri, void *user)
{
	struct approver *a = user;
	a->prompts++;
	char url[512], body[128];
	snprintf(url, sizeof url, "%s/_sandbox/approve", a->base);
	snprintf(body, sizeof body, "{\"user_code\":\"%s\"}", user_code);
	struct cs_error err;
	cr_assert_eq(net_queue(a->net, &(struct net_request){ .method = "POST", .url = url, .body = body }, &err), 0);
}

/* max_retries 0: the default (3, as the SDKs). */
static struct net *open_net_retries(const struct conf_profile *p, struct sandbox *sb, struct approver *ap, double scale,
				    int max_retries)
{
	char state[600];
	snprintf(state, sizeof state, "%s/state", sb->dir);
	struct net_opts o = { .retry_scale = scale, .low_speed_time_s = 2, .max_retries = max_retries };
	struct cs_error err;
	struct net *net = auth_net_open(p, &o, &(struct auth_opts){ .token_dir = state }, &err);
	cr_assert_not_null(net, "%s", err.msg);
	if (ap) {
		ap->net = net;
		ap->base = sb->base;
		auth_set_prompt(net, approve, ap);
	}
	return net;
}

static struct net *open_net(const struct conf_profile *p, struct sandbox *sb, struct approver *ap, double scale)
{
	return open_net_retries(p, sb, ap, scale, 0);
}

static void sign_in_end_to_end(const char *profile, bool delegated)
{
	sandbox_start(&box, NULL);
	const struct conf_profile *p = sandbox_profile(&box, profile);
	struct target t;
	find_target(&box, p, &t);
	struct approver ap = { 0 };
	struct net *net = open_net(p, &box, &ap, 0.05);
	struct tally tally = { 0 };
	queue_graph(net, &t, &tally, 3);
	queue_dataverse(net, &t, &tally, 3);
	struct cs_error err;
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	cr_assert_eq(tally.ok, 6, "%s", tally.err);
	struct auth_identity id;
	cr_assert_eq(auth_identity(net, NULL, &id, &err), 0, "%s", err.msg);
	cr_assert_eq(id.delegated, delegated);
	if (delegated)
		cr_assert(strncmp(id.name, "admin@", 6) == 0, "%s", id.name);
	else
		cr_assert_str_eq(id.name, p->client_id);
	auth_identity_free(&id);
	/* For an environment, an app also learns its application user from WhoAmI. */
	cr_assert_eq(auth_identity(net, t.dv_resource, &id, &err), 0, "%s", err.msg);
	if (!delegated)
		cr_assert(id.object_id && strlen(id.object_id) == 36, "no application user from WhoAmI: %s",
			  id.object_id ? id.object_id : "(null)");
	auth_identity_free(&id);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_eq(st.tokens, 2, "one token per resource");
	cr_assert_eq(ap.prompts, delegated ? 1 : 0);
	char *cache = auth_cache_path(net);
	struct stat s;
	if (delegated) {
		cr_assert_eq(stat(cache, &s), 0, "no token cache after a device-code sign-in");
		cr_assert_eq(s.st_mode & 0777, 0600);
	} else {
		cr_assert_neq(stat(cache, &s), 0);
	}
	free(cache);
	net_close(net);
	stop(&box);
}

Test(signin, client_secret_end_to_end, .fini = fini)
{
	sign_in_end_to_end("sandbox", false);
}

Test(signin, certificate_end_to_end, .fini = fini)
{
	sign_in_end_to_end("sandbox-cert", false);
}

Test(signin, device_code_end_to_end, .fini = fini)
{
	sign_in_end_to_end("sandbox-device", true);
}

Test(signin, wrong_secret_is_a_clear_error_with_exit_code_3, .fini = fini)
{
	sandbox_start(&box, NULL);
	struct conf_profile p = *sandbox_profile(&box, "sandbox");
	char wrong[600];
	snprintf(wrong, sizeof wrong, "%s/wrong.secret", box.dir);
	run_write_file(wrong, "definitely-not-the-secret\n", 0600);
	p.client_secret_file = wrong;
	struct target t;
	find_target(&box, &p, &t);
	struct net *net = open_net(&p, &box, NULL, 0.05);
	struct tally tally = { 0 };
	queue_graph(net, &t, &tally, 4);
	struct cs_error err;
	net_run(net, &err);
	cr_assert_eq(tally.failed, 4);
	cr_assert_eq(tally.exit_code, 3);
	cr_assert(strstr(tally.err, "sign-in for profile \"sandbox\" failed") && strstr(tally.err, "invalid_client") &&
		  strstr(tally.err, wrong), "%s", tally.err);
	cr_assert_null(strstr(tally.err, "definitely-not-the-secret"));
	net_close(net);
	stop(&box);
}

/* Expires every token once, from a callback in the middle of the run. */
struct expirer {
	struct tally tally;
	struct sandbox *sb;
	struct net *net;
	bool fired;
};

static void on_done_then_expire(struct net *net, const struct net_response *r, void *user)
{
	struct expirer *e = user;
	on_done(net, r, &e->tally);
	if (!e->fired && e->tally.calls == 3) {
		e->fired = true;
		char url[512];
		snprintf(url, sizeof url, "%s/_sandbox/faults", e->sb->base);
		struct cs_error err;
		net_queue(net, &(struct net_request){ .method = "POST", .url = url,
							     .body = "{\"expire_tokens\":true,\"path\":\"/graph/\",\"count\":1}" },
			  &err);
	}
}

Test(tokens, expiring_mid_run_costs_one_refresh_and_no_failure, .fini = fini)
{
	sandbox_start(&box, NULL);
	const struct conf_profile *p = sandbox_profile(&box, "sandbox");
	struct target t;
	find_target(&box, p, &t);
	struct net *net = open_net(p, &box, NULL, 0.05);
	net_pace_rule(net, "graph:chat", 5, 1, 1); /* one at a time, so the expiry lands mid-run */
	struct expirer e = { .sb = &box, .net = net };
	struct cs_error err;
	for (int i = 0; i < 8; i++)
		net_queue(net, &(struct net_request){ .url = t.chat_url, .resource = conf_graph_resource(auth_profile(net)),
						      .bucket = "graph:chat", .done = on_done_then_expire, .user = &e }, &err);
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	cr_assert(e.fired);
	cr_assert_eq(e.tally.ok, 8, "%s", e.tally.err);
	struct net_stats st;
	net_stats_get(net, &st);
	cr_assert_eq(st.tokens, 2, "expected exactly one refresh, got %lu tokens", st.tokens);
	net_close(net);
	stop(&box);
}

static void storm(const char *faults, int n, double max_s, bool expect_throttled)
{
	sandbox_start(&box, NULL);
	const struct conf_profile *p = sandbox_profile(&box, "sandbox");
	struct target t;
	find_target(&box, p, &t);
	free(control(&box, "POST", "faults", faults));
	/* Faults here strike at random whatever the client does: with the SDKs' 3 retries a request
	 * meets 4 in a row now and then, which is the right outcome but not what this test is about. */
	struct net *net = open_net_retries(p, &box, NULL, 0.2, 6);
	struct tally tally = { 0 };
	queue_graph(net, &t, &tally, n / 2);
	queue_dataverse(net, &t, &tally, n - n / 2);
	double t0 = now_s();
	struct cs_error err;
	cr_assert_eq(net_run(net, &err), 0, "%s", err.msg);
	double took = now_s() - t0;
	cr_assert_eq(tally.ok, n, "%d of %d failed: %s", tally.failed, n, tally.err);
	cr_assert_lt(took, max_s, "took %.1f s", took);
	struct net_stats st;
	net_stats_get(net, &st);
	/* A reset on a reused connection may be resent by curl itself, unseen by our retry count:
	 * the sandbox's log (status 0: dropped) says the fault was met all the same. */
	char *log = sandbox_request_log(&box);
	bool dropped = log && strstr(log, "\"status\":0,");
	free(log);
	cr_assert(st.retried > 0 || dropped, "no fault was met");
	if (expect_throttled)
		cr_assert_gt(st.throttled, 0);
	net_close(net);
	stop(&box);
}

Test(faults, a_429_storm_completes_within_bounded_time, .fini = fini)
{
	storm("{\"p429\":0.25}", 24, 45, true);
}

Test(faults, service_unavailable_is_ridden_out, .fini = fini)
{
	storm("{\"p503\":0.2}", 30, 60, false);
}

Test(faults, connection_resets_are_ridden_out, .fini = fini)
{
	storm("{\"reset\":0.2}", 30, 60, false);
}

Test(faults, a_stalled_service_times_out_and_is_retried, .fini = fini)
{
	storm("{\"latency_ms\":4000,\"count\":2,\"path\":\"/graph/\"}", 6, 30, false);
}

Test(tls, a_certificate_the_client_does_not_trust_names_ca_file, .fini = fini)
{
	sandbox_start(&box, NULL);
	struct conf_profile p = *sandbox_profile(&box, "sandbox");
	struct target t;
	find_target(&box, &p, &t);
	p.ca_file = NULL;
	struct net *net = open_net(&p, &box, NULL, 0.05);
	struct tally tally = { 0 };
	queue_graph(net, &t, &tally, 1);
	struct cs_error err;
	net_run(net, &err);
	cr_assert_eq(tally.failed, 1);
	cr_assert(strstr(tally.err, "not trusted") && strstr(tally.err, "ca_file"), "%s", tally.err);
	cr_assert_eq(tally.exit_code, 3);
	net_close(net);
	stop(&box);
}

/* ---- secrets ---- */

static bool file_has(const char *path, const char *needle)
{
	size_t len = 0;
	char *text = run_read_file(path, &len);
	bool found = text && memmem(text, len, needle, strlen(needle));
	free(text);
	return found;
}

/* Every regular file under dir except the ones that are meant to hold the secret. */
static void scan_dir(const char *dir, const char *needle, const char *allowed, const char *what)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			scan_dir(path, needle, allowed, what);
		else if (S_ISREG(st.st_mode) && (!allowed || strcmp(path, allowed) != 0))
			cr_assert(!file_has(path, needle), "the %s is in %s", what, path);
	}
	closedir(d);
}

/* The argument lists of this process and every process it started. */
static void scan_cmdlines(const char *needle)
{
	char self[32];
	snprintf(self, sizeof self, "%d", (int)getpid());
	DIR *d = opendir("/proc");
	struct dirent *e;
	int checked = 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], *stat_text;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if (!(stat_text = run_read_file(path, NULL)))
			continue;
		int ppid = 0;
		char *close_paren = strrchr(stat_text, ')');
		if (close_paren)
			sscanf(close_paren + 2, "%*c %d", &ppid);
		free(stat_text);
		if (strcmp(e->d_name, self) != 0 && ppid != (int)getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		size_t len = 0;
		char *cmd = run_read_file(path, &len);
		if (cmd) {
			checked++;
			cr_assert_null(memmem(cmd, len, needle, strlen(needle)), "the secret is in the arguments of pid %s",
				       e->d_name);
		}
		free(cmd);
	}
	closedir(d);
	cr_assert_geq(checked, 2, "the test and the sandbox should both have been checked");
}

Test(secrets, a_known_secret_appears_nowhere, .fini = fini)
{
	sandbox_start(&box, NULL);
	const struct conf_profile *p = sandbox_profile(&box, "sandbox");
	char *secret = run_read_file(p->client_secret_file, NULL);
	cr_assert_not_null(secret);
	secret[strcspn(secret, "\r\n")] = '\0';
	cr_assert_gt(strlen(secret), 8);
	char logpath[600], outpath[600];
	snprintf(logpath, sizeof logpath, "%s/chatsync.log", box.dir);
	snprintf(outpath, sizeof outpath, "%s/output.txt", box.dir);
	/* Everything this process prints goes to a file we read back: the trace on stderr included. */
	fflush(stdout);
	fflush(stderr);
	int saved_out = dup(1), saved_err = dup(2);
	int out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(out, 1);
	dup2(out, 2);
	cr_assert_eq(log_open(logpath, LOG_TRACE, LOG_TRACE), 0);
	const char *profiles[] = { "sandbox", "sandbox-cert", "sandbox-device" };
	struct tally tally = { 0 };
	for (int i = 0; i < 3; i++) {
		const struct conf_profile *q = sandbox_profile(&box, profiles[i]);
		struct target t;
		find_target(&box, q, &t);
		struct approver ap = { 0 };
		struct net *net = open_net(q, &box, &ap, 0.05);
		queue_graph(net, &t, &tally, 2);
		queue_dataverse(net, &t, &tally, 2);
		struct cs_error err;
		net_run(net, &err);
		/* Whoever reads the identity for the audit trail sees no secret either. */
		struct auth_identity id;
		if (auth_identity(net, NULL, &id, &err) == 0) {
			printf("identity %s %s\n", id.name, id.object_id ? id.object_id : "");
			auth_identity_free(&id);
		}
		net_close(net);
	}
	scan_cmdlines(secret);
	log_close();
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(out);
	cr_assert_eq(tally.ok, 12, "%s", tally.err);
	cr_assert(file_has(logpath, "trace: > POST"), "no trace was written");
	cr_assert(file_has(outpath, "trace: > POST"), "the trace did not reach stderr");
	cr_assert(file_has(logpath, "client_secret=[redacted]"));
	/* The secret file itself is the one place it may be; the config only names it. */
	scan_dir(box.dir, secret, p->client_secret_file, "client secret");
	/* The client certificate's private key neither. */
	char *pem = run_read_file(sandbox_profile(&box, "sandbox-cert")->certificate, NULL);
	char *key = strstr(pem, "PRIVATE KEY-----\n");
	cr_assert_not_null(key);
	key += strlen("PRIVATE KEY-----\n");
	key[48] = '\0';
	cr_assert(!file_has(logpath, key) && !file_has(outpath, key), "the private key leaked");
	free(pem);
	free(secret);
	stop(&box);
}
