#include "config.h"
#include "e2e.h"
#include "base/xalloc.h"
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void e2e_start(struct e2e *e, const char *const *sandbox_args)
{
	memset(e, 0, sizeof *e);
	sandbox_start(&e->sb, sandbox_args);
	e->home = xasprintf("%s/home", e->sb.dir);
	e->cache = xasprintf("%s/cache.db", e->sb.dir);
}

void e2e_stop(struct e2e *e)
{
	run_free(&e->r);
	sandbox_stop(&e->sb);
	free(e->home);
	free(e->cache);
}

void e2e_argv(struct e2e *e, const char *profile, va_list ap, char **argv)
{
	const char *head[] = { run_chatsync_path(), "-c", e->sb.config, "-p", profile, "--cache", e->cache };
	int argc = 0;
	for (; argc < 7; argc++)
		argv[argc] = (char *)head[argc];
	for (const char *a; (a = va_arg(ap, const char *)) && argc < 62;)
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
}

int e2e_run(struct e2e *e, const char *profile, ...)
{
	char *argv[64];
	va_list ap;
	va_start(ap, profile);
	e2e_argv(e, profile, ap, argv);
	va_end(ap);
	char *bin = argv[0];
	char *home = xasprintf("HOME=%s", e->home), *state = xasprintf("XDG_STATE_HOME=%s/state", e->home),
	     *cfg = xasprintf("XDG_CONFIG_HOME=%s/config", e->home);
	char *now = e->now ? xasprintf("CHATSYNC_NOW=%s", e->now) : NULL;
	char *env[] = { home, state, cfg, (char *)"CHATSYNC_CLIENT_SECRET=", (char *)"CHATSYNC_CONFIG=", now, NULL };
	run_free(&e->r);
	cr_assert_eq(run_cmd(&e->r, argv, env, 300), 0);
	free(bin); free(home); free(state); free(cfg); free(now);
	return e->r.status;
}

cJSON *e2e_json(struct e2e *e)
{
	cJSON *j = cJSON_Parse(e->r.out);
	cr_assert_not_null(j, "not JSON: %.300s (stderr: %.300s)", e->r.out, e->r.err);
	return j;
}

cJSON *e2e_truth(struct e2e *e)
{
	long status;
	char *body = sandbox_control(&e->sb, "GET", "truth", NULL, &status);
	cr_assert_eq(status, 200);
	cJSON *j = cJSON_Parse(body);
	cr_assert_not_null(j);
	free(body);
	return j;
}

void e2e_control(struct e2e *e, const char *method, const char *path, const char *json)
{
	long status;
	char *body = sandbox_control(&e->sb, method, path, json, &status);
	cr_assert(status >= 200 && status < 300, "%s %s: %ld %s", method, path, status, body);
	free(body);
}

size_t e2e_log_lines(struct e2e *e)
{
	char *log = sandbox_request_log(&e->sb);
	size_t n = 0;
	for (char *p = log; p && *p; p++)
		n += *p == '\n';
	free(log);
	return n;
}

size_t e2e_log_count(struct e2e *e, size_t from, ...)
{
	const char *want[16];
	size_t n_want = 0;
	va_list ap;
	va_start(ap, from);
	for (const char *s; (s = va_arg(ap, const char *)) && n_want < 16;)
		want[n_want++] = s;
	va_end(ap);
	char *log = sandbox_request_log(&e->sb);
	size_t count = 0, line = 0;
	for (char *p = log, *nl; p && *p; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line < from)
			continue;
		bool all = true;
		for (size_t i = 0; i < n_want && all; i++)
			all = strstr(p, want[i]) != NULL;
		count += all;
	}
	free(log);
	return count;
}

char *e2e_log_first(struct e2e *e, size_t from, const char *needle)
{
	char *log = sandbox_request_log(&e->sb), *found = NULL;
	size_t line = 0;
	for (char *p = log, *nl; !found && p && *p; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line >= from && strstr(p, needle))
			found = xstrdup(p);
	}
	free(log);
	return found ? found : xstrdup("");
}
