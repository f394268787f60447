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
