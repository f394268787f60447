/* The command line of the contract, run as a user would: the built binary in a child process. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/xalloc.h"
#include "store/cache.h"
#include "run.h"

static char *bin, *dir, *home_env, *xdg_env;
static struct run_result r;

static void setup(void)
{
	bin = run_chatsync_path();
	dir = run_tmpdir();
	home_env = xasprintf("HOME=%s", dir);
	xdg_env = xasprintf("XDG_CACHE_HOME=%s/cache", dir);
}
static void teardown(void)
{
	run_free(&r);
	run_rmtree(dir);
	free(bin); free(dir); free(home_env); free(xdg_env);
}
TestSuite(cli, .init = setup, .fini = teardown);

static void run(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = { bin, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL };
	char *env[] = { home_env, xdg_env, (char *)"CHATSYNC_CONFIG=", (char *)"XDG_CONFIG_HOME=",
			(char *)"CHATSYNC_CLIENT_SECRET=", NULL };
	run_free(&r);
	cr_assert_eq(run_cmd(&r, argv, env, 30), 0);
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(cli, version_and_help)
{
	run("--version", NULL, NULL, NULL, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, PACKAGE_NAME " " PACKAGE_VERSION "\n");
	run("--help", NULL, NULL, NULL, NULL);
	cr_assert_eq(r.status, 0);
	const char *words[] = { "refresh", "envs", "chats", "diagnose", "sync ENV on|off", "rsc", "check", "audit",
				"--config", "--profile", "--cache", "--readonly", "--json", "--csv", "--demo",
				"--no-color", "--verbose", "--quiet", "--version", NULL };
	for (int i = 0; words[i]; i++)
		cr_assert(strstr(r.out, words[i]), "--help does not mention %s", words[i]);
}

Test(cli, bad_options_give_one_line_and_exit_2)
{
	const char *cases[][2] = { { "--bogus", NULL }, { "-x", NULL }, { "--config", NULL }, { "--state", "closed" },
				   { "--warn-hours", "soon" }, { "-q", "-v" } };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(cases[i][0], cases[i][1], NULL, NULL, NULL);
		cr_assert_eq(r.status, 2, "%s: status %d", cases[i][0], r.status);
		cr_assert_eq(count_lines(r.err), 1, "%s: stderr \"%s\"", cases[i][0], r.err);
		cr_assert(strncmp(r.err, "chatsync: ", 10) == 0, "%s", r.err);
		cr_assert_str_eq(r.out, "");
	}
	run("frobnicate", NULL, NULL, NULL, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "unknown command \"frobnicate\""), "%s", r.err);
}

Test(cli, secret_file_readable_by_others_is_refused)
{
	char *secret = xasprintf("%s/contoso.secret", dir), *cfg = xasprintf("%s/cfg", dir);
	char *text = xasprintf("[profile contoso]\ntenant = contoso.onmicrosoft.com\nclient_id = 1111\n"
			       "auth = client-secret\nclient_secret_file = %s\n", secret);
	cr_assert_eq(run_write_file(secret, "s3cret-value\n", 0644), 0);
	cr_assert_eq(run_write_file(cfg, text, 0600), 0);
	run("-c", cfg, "envs", NULL, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
	cr_assert(strstr(r.err, secret) && strstr(r.err, "0644") && strstr(r.err, "chmod 600"), "%s", r.err);
	cr_assert_null(strstr(r.err, "s3cret-value"));
	chmod(secret, 0600);
	run("envs", "-c", cfg, NULL, NULL); /* options may follow the command */
	cr_assert_eq(r.status, 0, "%s", r.err);
	free(secret); free(cfg); free(text);
}

Test(cli, config_errors_name_the_line)
{
	char *cfg = xasprintf("%s/cfg", dir);
	cr_assert_eq(run_write_file(cfg, "[profile a]\ntenant = t\nclient_id = c\ntennant = x\n", 0600), 0);
	run("-c", cfg, "envs", NULL, NULL);
	cr_assert_eq(r.status, 2);
	char *want = xasprintf("chatsync: %s:4: unknown key \"tennant\" (did you mean \"tenant\"?)\n", cfg);
	cr_assert_str_eq(r.err, want);
	run("-c", cfg, "-p", "nope", "envs");
	cr_assert_eq(r.status, 2);
	free(cfg); free(want);
}

Test(cli, junk_cache_exits_4_and_stays_untouched)
{
	char *junk = xasprintf("%s/junk.db", dir);
	char bytes[2048];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (char)((i * 7919 + 13) & 0xff);
	FILE *f = fopen(junk, "wb");
	fwrite(bytes, 1, sizeof bytes, f);
	fclose(f);
	run("--cache", junk, "envs", NULL, NULL);
	cr_assert_eq(r.status, 4, "status %d: %s", r.status, r.err);
	cr_assert_eq(count_lines(r.err), 1);
	cr_assert(strstr(r.err, junk) && strstr(r.err, "not a chatsync cache"), "%s", r.err);
	size_t len;
	char *after = run_read_file(junk, &len);
	cr_assert_eq(len, sizeof bytes);
	cr_assert_eq(memcmp(after, bytes, len), 0);
	free(after);
	free(junk);
}

Test(cli, empty_cache_reads_work_and_json_is_an_array)
{
	char *cache = xasprintf("%s/c.db", dir);
	run("--cache", cache, "envs", "--json", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "[]\n");
	run("--cache", cache, "chats", "--json", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "[]\n");
	run("--cache", cache, "audit", "--json", NULL);
	cr_assert_str_eq(r.out, "[]\n");
	run("--cache", cache, "chats", "nosuchenv", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "no environment \"nosuchenv\""), "%s", r.err);
	free(cache);
}

/* check's 0, 1 and 2 are its findings' alone: a cache with one syncing chat, then one at risk, then one
 * that does not sync. */
static void put_chat(struct cache *c, const char *act, cs_time modified, int state)
{
	struct cs_error err = { 0 };
	char chat[64];
	snprintf(chat, sizeof chat, "19:%s@thread.v2", act);
	struct cs_chat ch = { .env_id = (char *)"e1", .activity_id = (char *)act, .teams_chat_id = chat,
			      .subject = (char *)"Deal", .state = state, .status_code = 1, .sync_status = CS_SYNC_ENABLED,
			      .modified_in_teams_on = modified, .linked_on = modified, .regarding_type = (char *)"account",
			      .fetched_at = 1794647520 - 60 };
	cr_assert_eq(cache_put_chat(c, &ch, &err), 0, "%s", err.msg);
	struct cs_assoc a = { .id = (char *)act, .env_id = (char *)"e1", .teams_chat_id = chat,
			      .regarding_table = (char *)"account", .record_state = CS_ASSOC_ASSOCIATE,
			      .fetched_at = 1794647520 - 60 };
	cr_assert_eq(cache_put_assoc(c, &a, &err), 0, "%s", err.msg);
	struct cs_graph_chat g = { .teams_chat_id = chat, .chat_status = 200, .chat_fetched_at = 1794647520 - 60,
				   .apps_status = 200, .app_installed = CS_TRUE, .app_client_id = (char *)"app",
				   .apps_fetched_at = 1794647520 - 60, .grants_status = 200, .app_has_grant = CS_TRUE,
				   .grants_fetched_at = 1794647520 - 60 };
	cr_assert_eq(cache_put_graph_chat(c, &g, &err), 0, "%s", err.msg);
}

static int check_status(const char *cache)
{
	char *argv[] = { bin, (char *)"--cache", (char *)cache, (char *)"check", NULL };
	char *env[] = { home_env, xdg_env, (char *)"CHATSYNC_CONFIG=", (char *)"XDG_CONFIG_HOME=",
			(char *)"CHATSYNC_NOW=2026-11-14T09:12:00Z", NULL };
	run_free(&r);
	cr_assert_eq(run_cmd(&r, argv, env, 30), 0);
	return r.status;
}

Test(cli, check_exits_0_1_2_for_its_findings)
{
	char *path = xasprintf("%s/check.db", dir);
	struct cs_error err = { 0 };
	struct cache *c = cache_open(path, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	struct cs_env e = { .id = (char *)"e1", .unique_name = (char *)"sales", .sync_enabled = CS_TRUE,
			    .inactivity_days = 7, .org_fetched_at = 1794647520 - 60, .refreshed_at = 1794647520 - 60 };
	cr_assert_eq(cache_put_env(c, &e, &err), 0, "%s", err.msg);
	struct cs_rsc rsc = { .state = CS_RSC_ENABLED_FOR_ALL_APPS, .source = (char *)"authorizationPolicy",
			      .http_status = 200, .fetched_at = 1794647520 - 60 };
	cr_assert_eq(cache_put_rsc(c, &rsc, &err), 0, "%s", err.msg);
	put_chat(c, "a-fine", 1794647520 - 3600, CS_STATE_OPEN);
	cr_assert_eq(check_status(path), 0, "one syncing chat: %s%s", r.out, r.err);
	cr_assert(strstr(r.out, "1 chat syncing") || strstr(r.out, "syncing"), "%s", r.out);
	put_chat(c, "a-soon", 1794647520 - 6 * 86400 - 12 * 3600, CS_STATE_OPEN);
	cr_assert_eq(check_status(path), 1, "a chat at risk: %s%s", r.out, r.err);
	put_chat(c, "a-done", 1794647520 - 3600, CS_STATE_COMPLETED);
	cr_assert_eq(check_status(path), 2, "a chat that does not sync: %s%s", r.out, r.err);
	cache_close(c);
	free(path);
}
