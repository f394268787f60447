/* Issue 12 (5): a refresh's progress only on a terminal (kept within its width) or with
 * --progress; on a file or a pipe only the summary line; -q only errors. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "e2e.h"
#include "base/text.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

/* Runs `chatsync -c CONFIG -p sandbox --cache CACHE ARGS` through sh (so ARGS may redirect) with
 * the test's HOME and XDG directories; returns the exit status. */
static int sh_chatsync(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh_chatsync(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *args = NULL, *cmd = NULL, *bin = run_chatsync_path();
	cr_assert(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	cr_assert(asprintf(&cmd, "cd '%s' && env HOME='%s' XDG_STATE_HOME='%s/state' XDG_CONFIG_HOME='%s/config' "
			   "CHATSYNC_CLIENT_SECRET= CHATSYNC_CONFIG= LC_ALL=C.UTF-8 '%s' -c '%s' -p sandbox --cache '%s' %s",
			   e.sb.dir, e.home, e.home, e.home, bin, e.sb.config, e.cache, args) > 0);
	int rc = system(cmd);
	free(cmd);
	free(args);
	free(bin);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *read_in_dir(const char *name)
{
	char *path = NULL;
	cr_assert(asprintf(&path, "%s/%s", e.sb.dir, name) > 0);
	char *text = run_read_file(path, NULL);
	cr_assert_not_null(text, "no %s", path);
	free(path);
	return text;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(progress, refresh_2_to_a_file_leaves_only_the_summary, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(sh_chatsync("refresh </dev/null 2>log >out"), 0);
	char *log = read_in_dir("log");
	cr_assert_eq(count_lines(log), 1, "more than the summary in the log:\n%s", log);
	cr_assert(strncmp(log, "chatsync: refreshed 3 environment(s)", 36) == 0, "%s", log);
	free(log);
}

Test(progress, quiet_leaves_nothing_but_errors, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "-q", NULL), 0, "%s", e.r.err);
	cr_assert_str_eq(e.r.err, "");
	/* an error still shows */
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "-q", "nowhere", NULL), 2);
	cr_assert(strstr(e.r.err, "nowhere"), "%s", e.r.err);
	cr_assert_eq(count_lines(e.r.err), 1, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "-q", "--progress", NULL), 2);
	cr_assert(strstr(e.r.err, "contradict"), "%s", e.r.err);
}

Test(progress, the_option_shows_short_steps_on_a_pipe, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--progress", NULL), 0, "%s", e.r.err);
	size_t n = count_lines(e.r.err);
	cr_assert_geq(n, 4, "no progress steps:\n%s", e.r.err);
	cr_assert_leq(n, 20, "a line for every little step:\n%s", e.r.err);
	cr_assert(strstr(e.r.err, "chatsync: dataverse 3/3 envs"), "%s", e.r.err);
	cr_assert(strstr(e.r.err, "chatsync: graph "), "%s", e.r.err);
	cr_assert_null(strchr(e.r.err, '\r'), "a terminal's carriage return on a pipe");
	char *copy = strdup(e.r.err), *save = NULL, *last = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_assert(strncmp(l, "chatsync: ", 10) == 0, "%s", l);
		last = l;
	}
	cr_assert(last && strncmp(last, "chatsync: refreshed", 19) == 0, "the summary is not last: %s", last);
	/* each step is one short line, the summary aside */
	save = NULL;
	strcpy(copy, e.r.err);
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l != copy + (last - copy) && strncmp(l, "chatsync: refreshed", 19) != 0)
			cr_assert_leq(text_width(l), 72, "%zu columns: %s", text_width(l), l);
	free(copy);
}

Test(progress, on_a_terminal_one_line_within_its_width, .fini = stop)
{
	e2e_start(&e, NULL);
	/* script(1) gives the refresh a terminal of 50 columns and records what it wrote */
	char *bin = run_chatsync_path(), *cmd = NULL;
	cr_assert(asprintf(&cmd, "stty cols 50; '%s' -c '%s' -p sandbox --cache '%s' refresh", bin, e.sb.config,
			   e.cache) > 0);
	cr_assert_eq(sh_chatsync("--version >/dev/null && script -qec \"%s\" typescript >/dev/null 2>&1 </dev/null", cmd),
		     0);
	char *ts = read_in_dir("typescript");
	cr_assert(strstr(ts, "graph "), "no progress on the terminal: %s", ts);
	cr_assert(strstr(ts, "\r"), "the progress line is not rewritten in place");
	size_t segments = 0;
	for (char *s = ts, *end; *s; s = end + (*end != '\0')) {
		end = s + strcspn(s, "\r\n");
		char save = *end;
		*end = '\0';
		char *clean = text_sanitize(s);
		if (strstr(clean, "graph ") || strstr(clean, "dataverse ")) {
			segments++;
			cr_assert_leq(text_width(clean), 49, "%zu columns on a 50-column terminal: %s", text_width(clean), clean);
		}
		free(clean);
		*end = save;
	}
	cr_assert_gt(segments, 0);
	free(ts);
	free(cmd);
	free(bin);
}
