/* Issue 12 (item 8): --demo keeps everything it writes (config, cache, tokens, log, audit) in a
 * directory of its own and removes it on exit, leaving the user's own state as it was; its audit is
 * the demo's; and argument errors are refused before its sandbox starts. */
#include "config.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "base/xalloc.h"
#include "run.h"

static char *dir, *bin, *env_home, *env_state, *env_cache, *env_config, *env_runtime, *env_sandbox, *env_log;
static char *state_dir, *runtime_dir, *user_log, *real_audit;
static struct run_result r;

static void setup(void)
{
	dir = run_tmpdir();
	bin = run_chatsync_path();
	state_dir = xasprintf("%s/state", dir);
	runtime_dir = xasprintf("%s/run", dir);
	user_log = xasprintf("%s/user.log", dir);
	mkdir(runtime_dir, 0700);
	env_home = xasprintf("HOME=%s/home", dir);
	env_state = xasprintf("XDG_STATE_HOME=%s", state_dir);
	env_cache = xasprintf("XDG_CACHE_HOME=%s/cache", dir);
	env_config = xasprintf("XDG_CONFIG_HOME=%s/config", dir);
	env_runtime = xasprintf("XDG_RUNTIME_DIR=%s", runtime_dir);
	env_log = xasprintf("CHATSYNC_LOG=%s", user_log);
	const char *build = getenv("CHATSYNC_TEST_BUILDDIR");
	env_sandbox = xasprintf("CHATSYNC_SANDBOX=%s/chatsync-sandbox", build ? build : ".");
	/* The user's own trail, from before the demo: it must come out of the demo as it went in. */
	char *chatsync_state = xasprintf("%s/chatsync", state_dir);
	mkdir(state_dir, 0700);
	mkdir(chatsync_state, 0700);
	real_audit = xasprintf("%s/audit.log", chatsync_state);
	cr_assert_eq(run_write_file(real_audit, "2026-11-01T10:00:00Z\tcontoso\tadmin@contoso\tsales\toff\ton\tok\n", 0600), 0);
	free(chatsync_state);
}

static void teardown(void)
{
	run_free(&r);
	run_rmtree(dir);
	free(dir); free(bin); free(env_home); free(env_state); free(env_cache); free(env_config); free(env_runtime);
	free(env_sandbox); free(env_log); free(state_dir); free(runtime_dir); free(user_log); free(real_audit);
}
TestSuite(demo, .init = setup, .fini = teardown, .timeout = 240);

static double demo(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { bin, (char *)"--demo", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	char *env[] = { env_home, env_state, env_cache, env_config, env_runtime, env_sandbox, env_log,
			(char *)"CHATSYNC_CONFIG=", (char *)"CHATSYNC_CLIENT_SECRET=", NULL };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_free(&r);
	cr_assert_eq(run_cmd(&r, argv, env, 200), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Entries of a directory tree (files and directories below it), 0 when it does not exist. */
static size_t entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		char *sub = xasprintf("%s/%s", path, e->d_name);
		n += entries(sub);
		free(sub);
	}
	closedir(d);
	return n;
}

static void nothing_left_behind(const char *after)
{
	char *home = xasprintf("%s/home", dir), *cache = xasprintf("%s/cache", dir), *config = xasprintf("%s/config", dir);
	cr_assert_eq(entries(home), 0, "%s: the demo wrote under HOME", after);
	cr_assert_eq(entries(cache), 0, "%s: the demo wrote into XDG_CACHE_HOME", after);
	cr_assert_eq(entries(config), 0, "%s: the demo wrote into XDG_CONFIG_HOME", after);
	cr_assert_eq(entries(state_dir), 2, "%s: the demo wrote into XDG_STATE_HOME (%zu entries)", after,
		     entries(state_dir));
	cr_assert_eq(entries(runtime_dir), 0, "%s: the demo's directory was not removed", after);
	struct stat st;
	cr_assert_neq(stat(user_log, &st), 0, "%s: the demo wrote the user's CHATSYNC_LOG", after);
	size_t len;
	char *trail = run_read_file(real_audit, &len);
	cr_assert_str_eq(trail, "2026-11-01T10:00:00Z\tcontoso\tadmin@contoso\tsales\toff\ton\tok\n",
			 "%s: the user's audit.log changed", after);
	free(trail);
	free(home);
	free(cache);
	free(config);
}

Test(demo, argument_errors_come_before_the_sandbox_starts)
{
	static const struct { const char *a1, *a2, *a3; int status; const char *says; } cases[] = {
		{ "frobnicate", NULL, NULL, 2, "unknown command \"frobnicate\"" },
		{ "diagnose", NULL, NULL, 2, "diagnose takes one chat" },
		{ "chats", "one", "two", 2, "chats takes at most one environment" },
		{ "sync", "contoso-field", "maybe", 2, "usage: chatsync sync ENV on|off" },
		{ "sync", "contoso-field", NULL, 2, "usage: chatsync sync ENV on|off" },
		{ "envs", "extra", NULL, 2, "envs takes no arguments" },
		{ "check", "extra", NULL, 3, "check takes no arguments" },
		{ "--bogus", NULL, NULL, 2, "unknown option --bogus" },
		{ NULL, NULL, NULL, 2, "the console needs a terminal" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		double s = demo(cases[i].a1, cases[i].a2, cases[i].a3, NULL);
		cr_assert_eq(r.status, cases[i].status, "--demo %s: exit %d: %s", cases[i].a1 ? cases[i].a1 : "", r.status,
			     r.err);
		cr_assert(strstr(r.err, cases[i].says), "--demo %s: %s", cases[i].a1 ? cases[i].a1 : "", r.err);
		cr_assert_lt(s, 1.5, "--demo %s took %.1f s: the sandbox was started first", cases[i].a1 ? cases[i].a1 : "", s);
		cr_assert_str_eq(r.out, "");
	}
	nothing_left_behind("argument errors");
}

Test(demo, a_write_stays_in_the_demo_and_its_audit_is_the_demos)
{
	demo("sync", "contoso-field", "on", "--yes");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "contoso-field: Teams chat sync is now on"), "%s", r.out);
	nothing_left_behind("--demo sync");

	demo("audit", "--json", NULL, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "[]\n", "the demo's trail starts empty, and the user's is not read");
	double s = demo("audit", NULL, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "no writes recorded in this demo"), "%s", r.err);
	cr_assert_null(strstr(r.err, "refreshed"), "audit reads the demo's trail without a refresh: %s", r.err);
	cr_assert_lt(s, 30, "--demo audit took %.1f s", s);
	nothing_left_behind("--demo audit");
}
