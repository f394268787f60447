/* The sandbox as a process: its one line, the profile and its modes, the request log, bad options,
 * CHATSYNC_NOW, and a clean stop that removes the temp dir it made. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/xalloc.h"
#include "sbt.h"

static char *bin(void)
{
	const char *b = getenv("CHATSYNC_TEST_BUILDDIR");
	return xasprintf("%s/chatsync-sandbox", b ? b : TEST_BUILDDIR);
}

static int run_status(const char *const *argv, const char *env)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (env)
			putenv((char *)env);
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(process, profile_files_are_private_and_complete)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	struct stat st;
	cr_assert_eq(stat(t.profile, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	char *sec = xasprintf("%s.secret", t.profile);
	cr_assert_eq(stat(sec, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(t.client_pem, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	FILE *f = fopen(t.profile, "r");
	char text[8192];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	const char *profiles[] = { "[profile sandbox]", "[profile sandbox-cert]", "[profile sandbox-device]",
		"[profile sandbox-reader]", "[profile sandbox-user]", NULL };
	for (int i = 0; profiles[i]; i++)
		cr_expect(strstr(text, profiles[i]), "missing %s", profiles[i]);
	const char *keys[] = { "tenant = contoso-sandbox.onmicrosoft.com", "authority = ", "graph = ", "discovery = ",
		"ca_file = ", "auth = certificate", "auth = device-code", "client_secret_file = ", NULL };
	for (int i = 0; keys[i]; i++)
		cr_expect(strstr(text, keys[i]), "missing %s", keys[i]);
	cr_expect_null(strstr(text, t.app_secret), "the secret lives in its own file, not the profile");
	free(sec);
	cr_expect_eq(sbt_stop(&t), 0, "SIGTERM stops it cleanly");
}

Test(process, request_log_lines)
{
	struct sbt t;
	sbt_start(&t, NULL, NULL);
	struct sbt_resp r;
	const char *h[] = { "client-request-id: 0a1b2c3d-0000-4000-8000-000000000001", NULL };
	sbt_req(&t, "GET", "/graph/v1.0/policies/authorizationPolicy", h, NULL, &r);
	cr_expect_eq(r.status, 401);
	sbt_resp_free(&r);
	char *path = xasprintf("%s/requests.jsonl", t.dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char line[2048];
	bool found = false;
	while (fgets(line, sizeof line, f)) {
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j, "not JSON: %s", line);
		const char *keys[] = { "t", "method", "path", "status", "bytes", "latency_ms", "throttled", "client_request_id", NULL };
		for (int i = 0; keys[i]; i++)
			cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(j, keys[i]), "log line lacks %s", keys[i]);
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
		if (!strcmp(p->valuestring, "/graph/v1.0/policies/authorizationPolicy")) {
			found = true;
			cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "status")->valueint, 401);
			cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "client_request_id")->valuestring,
					"0a1b2c3d-0000-4000-8000-000000000001");
		}
		cJSON_Delete(j);
	}
	fclose(f);
	cr_expect(found);
	free(path);
	sbt_stop(&t);
}

Test(process, bad_options_and_bad_now_exit_2)
{
	char *b = bin();
	const char *a1[] = { b, "--envs", "0", NULL };
	cr_expect_eq(run_status(a1, NULL), 2);
	const char *a2[] = { b, "--limits", "maybe", NULL };
	cr_expect_eq(run_status(a2, NULL), 2);
	const char *a3[] = { b, "--fault", "p503=7", NULL };
	cr_expect_eq(run_status(a3, NULL), 2);
	const char *a4[] = { b, "--rsc-state", "Sometimes", NULL };
	cr_expect_eq(run_status(a4, NULL), 2);
	const char *a5[] = { b, "--bind", "10.1.2.3", NULL };
	cr_expect_eq(run_status(a5, NULL), 2, "loopback only");
	const char *a6[] = { b, "--quiet", NULL };
	cr_expect_eq(run_status(a6, "CHATSYNC_NOW=last tuesday"), 2);
	const char *a8[] = { b, "--page-size", "5001", NULL };
	cr_expect_eq(run_status(a8, NULL), 2, "the service never pages above 5000");
	const char *a9[] = { b, "--page-size", "0", NULL };
	cr_expect_eq(run_status(a9, NULL), 2);
	const char *a7[] = { b, "--help", NULL };
	cr_expect_eq(run_status(a7, NULL), 0);
	free(b);
}

Test(process, chatsync_now_sets_the_generated_clock)
{
	struct sbt t;
	const char *env[] = { "CHATSYNC_NOW=2026-11-14T09:12:00Z", NULL };
	sbt_start(&t, NULL, env);
	char *scope = xasprintf("%s/.default", sbt_env_url(&t, 0));
	char *tok = sbt_token(&t, t.app_id, t.app_secret, scope);
	char *url = xasprintf("%s/api/data/v9.2/chats?$select=modifiedinteamson&$filter=modifiedinteamson%%20gt%%202026-11-14T09:13:00Z",
			sbt_env_url(&t, 0));
	struct sbt_resp r;
	sbt_get(&t, tok, url, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 0, "nothing after CHATSYNC_NOW");
	sbt_resp_free(&r);
	free(url);
	url = xasprintf("%s/api/data/v9.2/chats?$select=modifiedinteamson&$filter=modifiedinteamson%%20gt%%202026-11-01T00:00:00Z",
			sbt_env_url(&t, 0));
	sbt_get(&t, tok, url, NULL, &r);
	cr_expect_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 10);
	sbt_resp_free(&r);
	free(url), free(tok), free(scope);
	sbt_stop(&t);
}

Test(process, temp_dir_is_removed_on_stop)
{
	char *b = bin();
	int out[2];
	cr_assert_eq(pipe(out), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(b, b, "--quiet", "--envs", "1", "--chats-per-env", "5", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char line[1024] = "";
	FILE *f = fdopen(out[0], "r");
	cr_assert_not_null(fgets(line, sizeof line, f));
	char base[256], ca[512];
	cr_assert_eq(sscanf(line, "listening %255s ca=%511s", base, ca), 2, "%s", line);
	cr_expect(!strncmp(base, "https://127.0.0.1:", 18));
	cr_expect_eq(access(ca, R_OK), 0);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	fclose(f);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_expect_neq(access(ca, F_OK), 0, "the temp dir it made is gone");
	free(b);
}
