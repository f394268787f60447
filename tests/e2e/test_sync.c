/* Issue 6: the sync toggle against the sandbox: every outcome, each audited. */
#include "config.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The cached sync setting of an environment: 1 on, 0 off, -1 unknown. */
static int cached_sync(const char *env)
{
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0, "%s", e.r.err);
	cJSON *envs = e2e_json(&e), *x;
	int v = -2;
	cJSON_ArrayForEach(x, envs)
		if (strcmp(str(x, "unique_name"), env) == 0) {
			cJSON *s = cJSON_GetObjectItem(x, "sync_enabled");
			v = cJSON_IsTrue(s) ? 1 : cJSON_IsFalse(s) ? 0 : -1;
		}
	cJSON_Delete(envs);
	cr_assert_neq(v, -2, "no environment %s", env);
	return v;
}

/* The sandbox's own value. */
static bool truth_sync(const char *env)
{
	cJSON *t = e2e_truth(&e), *x;
	bool v = false;
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(t, "environments"))
		if (strcmp(str(x, "unique_name"), env) == 0)
			v = cJSON_IsTrue(cJSON_GetObjectItem(x, "sync_enabled"));
	cJSON_Delete(t);
	return v;
}

static cJSON *audit_rows(void)
{
	cr_assert_eq(e2e_run(&e, "sandbox", "audit", "--json", NULL), 0, "%s", e.r.err);
	return e2e_json(&e);
}

static const cJSON *last_audit(cJSON *rows)
{
	int n = cJSON_GetArraySize(rows);
	cr_assert_gt(n, 0, "no audit row");
	return cJSON_GetArrayItem(rows, n - 1);
}

static void start_and_refresh(void)
{
	const char *args[] = { "--auto-approve-after", "0", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
}

Test(sync, on_then_idempotent_on_then_off, .fini = stop)
{
	start_and_refresh();
	cr_assert_eq(cached_sync("contoso-field"), 0);
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "on", "--yes", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "off → on"), "%s", e.r.err);
	cr_assert(strstr(e.r.err, "not sync"), "no warning about chats connected before: %s", e.r.err);
	cr_assert(strstr(e.r.err, "ManagedByMicrosoft"), "no RSC state shown: %s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "\"method\":\"PATCH\"", "\"status\":204", NULL), 1);
	cr_assert(truth_sync("contoso-field"));
	cr_assert_eq(cached_sync("contoso-field"), 1);
	cJSON *rows = audit_rows();
	const cJSON *a = last_audit(rows);
	cr_assert_str_eq(str(a, "environment"), "contoso-field");
	cr_assert_str_eq(str(a, "old"), "off");
	cr_assert_str_eq(str(a, "new"), "on");
	cr_assert_str_eq(str(a, "result"), "ok");
	cr_assert_str_eq(str(a, "profile"), "sandbox");
	cr_assert_not_null(str(a, "request_id"));
	cr_assert_not_null(str(a, "identity"));
	cJSON_Delete(rows);

	mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "on", "--yes", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.out, "already on"), "%s", e.r.out);
	cr_assert_eq(e2e_log_count(&e, mark, "\"method\":\"PATCH\"", NULL), 0, "an idempotent on sent a PATCH");
	rows = audit_rows();
	cr_assert_str_eq(str(last_audit(rows), "result"), "unchanged");
	cJSON_Delete(rows);

	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "off", "--yes", NULL), 0, "%s", e.r.err);
	cr_assert_not(truth_sync("contoso-field"));
	cr_assert_eq(cached_sync("contoso-field"), 0);
}

struct race {
	struct e2e *e;
	size_t mark;
};

/* Changes the row behind chatsync's back once chatsync has read it, while its PATCH is held up by
 * the sandbox: the read is in the request log when it has been answered. */
static void *change_meanwhile(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < 600 && e2e_log_count(r->e, r->mark, "\"method\":\"GET\"", "/organizations", NULL) == 0; i++)
		usleep(50 * 1000);
	long status;
	char *body = sandbox_control(&r->e->sb, "POST", "org",
				     "{\"env\":\"contoso-field\",\"daysbeforeinactiveteamschatsyncdisabled\":9}", &status);
	free(body);
	return NULL;
}

Test(sync, a_412_race_reads_again_and_writes_with_the_new_etag, .fini = stop)
{
	start_and_refresh();
	/* Hold up only the PATCH (its path has "organizations(") long enough for the change. */
	e2e_control(&e, "POST", "faults", "{\"latency_ms\":2000,\"path\":\"organizations(\",\"count\":1}");
	pthread_t t;
	struct race r = { &e, e2e_log_lines(&e) };
	pthread_create(&t, NULL, change_meanwhile, &r);
	int rc = e2e_run(&e, "sandbox", "sync", "contoso-field", "on", "--yes", NULL);
	pthread_join(t, NULL);
	cr_assert_eq(rc, 0, "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, 0, "\"method\":\"PATCH\"", "\"status\":412", NULL), 1, "no 412 happened");
	cr_assert(truth_sync("contoso-field"));
	cJSON *rows = audit_rows();
	int n = cJSON_GetArraySize(rows);
	cr_assert_geq(n, 2);
	cr_assert(strstr(str(cJSON_GetArrayItem(rows, n - 2), "result"), "412"), "%s",
		  str(cJSON_GetArrayItem(rows, n - 2), "result"));
	cr_assert_str_eq(str(cJSON_GetArrayItem(rows, n - 1), "result"), "ok");
	cJSON_Delete(rows);
}

Test(sync, app_without_system_administrator_gets_a_clear_403, .fini = stop)
{
	start_and_refresh();
	cr_assert_eq(e2e_run(&e, "sandbox-reader", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	int rc = e2e_run(&e, "sandbox-reader", "sync", "contoso-field", "on", "--yes", NULL);
	cr_assert_eq(rc, 3, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "System Administrator"), "%s", e.r.err);
	cr_assert_not(truth_sync("contoso-field"));
	cr_assert_eq(cached_sync("contoso-field"), 0, "the cache changed after a refused write");
	cJSON *rows = audit_rows();
	cr_assert(strstr(str(last_audit(rows), "result"), "403"));
	cJSON_Delete(rows);
}

Test(sync, a_user_who_is_not_global_admin_is_refused_before_writing, .fini = stop)
{
	start_and_refresh();
	size_t mark = e2e_log_lines(&e);
	int rc = e2e_run(&e, "sandbox-user", "sync", "contoso-field", "on", "--yes", NULL);
	cr_assert_eq(rc, 2, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "not a Global Administrator"), "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "\"method\":\"PATCH\"", NULL), 0);
	cJSON *rows = audit_rows();
	cr_assert(strstr(str(last_audit(rows), "result"), "Global Administrator"));
	cr_assert(strstr(str(last_audit(rows), "identity"), "user@"), "%s", str(last_audit(rows), "identity"));
	cJSON_Delete(rows);
	/* and the Global Administrator may */
	rc = e2e_run(&e, "sandbox-device", "sync", "contoso-field", "on", "--yes", NULL);
	cr_assert_eq(rc, 0, "%s", e.r.err);
	cr_assert(truth_sync("contoso-field"));
}

Test(sync, readonly_and_missing_confirmation_refuse_with_exit_2, .fini = stop)
{
	start_and_refresh();
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "on", "--yes", "--readonly", NULL), 2);
	cr_assert(strstr(e.r.err, "read-only"), "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "on", NULL), 2, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "--yes"), "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "\"method\":\"PATCH\"", NULL), 0);
	cr_assert_not(truth_sync("contoso-field"));
	cJSON *rows = audit_rows();
	cr_assert_eq(cJSON_GetArraySize(rows), 2);
	cr_assert(strstr(str(cJSON_GetArrayItem(rows, 0), "result"), "read-only"));
	cr_assert(strstr(str(cJSON_GetArrayItem(rows, 1), "result"), "no terminal"));
	cJSON_Delete(rows);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "maybe", NULL), 2);
	/* the audit log file has the same rows */
	char *path = NULL;
	cr_assert(asprintf(&path, "%s/state/chatsync/audit.log", e.home) > 0);
	char *log = run_read_file(path, NULL);
	cr_assert_not_null(log, "no %s", path);
	cr_assert(strstr(log, "\"result\":\"refused: read-only\""), "%s", log);
	free(log);
	free(path);
}

/* Runs sh -c CMD; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Waits until the tmux pane shows text (10 s at most). */
static bool pane_shows(const char *sock, const char *text)
{
	for (int i = 0; i < 100; i++) {
		if (sh("tmux -S %s capture-pane -p -t t 2>/dev/null | grep -F -q -- '%s'", sock, text) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

Test(sync, a_production_environment_asks_for_its_name_on_the_terminal, .fini = stop)
{
	start_and_refresh();
	char sock[512];
	char *bin = run_chatsync_path();
	/* the sandbox's environments are production ones (Global Discovery's Purpose) */
	const char *answers[] = { "contoso-sales", "contoso-field" };
	for (int i = 0; i < 2; i++) {
		/* A private server, a new socket each time: one still going away never meets the next. */
		snprintf(sock, sizeof sock, "%s/tmux-%d.sock", e.sb.dir, i);
		cr_assert_eq(sh("unset TMUX; TERM=xterm tmux -S %s -f /dev/null new-session -d -s t -x 120 -y 20 "
				"'HOME=%s XDG_STATE_HOME=%s/state %s -c %s -p sandbox --cache %s sync contoso-field on; "
				"echo EXIT=$?; sleep 30'", sock, e.home, e.home, bin, e.sb.config, e.cache), 0);
		cr_assert(pane_shows(sock, "Type its name to confirm"), "no question on the terminal");
		sh("tmux -S %s send-keys -t t '%s' Enter", sock, answers[i]);
		cr_assert(pane_shows(sock, i == 0 ? "EXIT=2" : "EXIT=0"), "answer %s", answers[i]);
		cr_assert_eq(truth_sync("contoso-field"), i == 1, "answer %s", answers[i]);
		sh("tmux -S %s kill-server", sock);
	}
	cJSON *rows = audit_rows();
	int n = cJSON_GetArraySize(rows);
	cr_assert_str_eq(str(cJSON_GetArrayItem(rows, n - 2), "result"), "cancelled");
	cr_assert_str_eq(str(cJSON_GetArrayItem(rows, n - 1), "result"), "ok");
	cJSON_Delete(rows);
	free(bin);
}
