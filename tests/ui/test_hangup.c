/* A dropped SSH session without a signal: the console runs on a pseudo-terminal that is not its
 * controlling terminal, so closing the other side sends no SIGHUP and every read fails. The
 * console must notice, end with status 0, and not spin or hang. */
#include "config.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "base/xalloc.h"
#include "run.h"

static char *dir;

static void setup(void)
{
	dir = run_tmpdir();
}

static void teardown(void)
{
	run_rmtree(dir);
	free(dir);
}
TestSuite(hangup, .init = setup, .fini = teardown, .timeout = 60);

static char *builddir_path(const char *rel)
{
	const char *b = getenv("CHATSYNC_TEST_BUILDDIR");
	return xasprintf("%s/%s", b ? b : TEST_BUILDDIR, rel);
}

/* Reads from fd until text shows up or seconds pass; returns whether it did. */
static bool read_until(int fd, const char *text, int seconds)
{
	struct buf seen;
	buf_init(&seen);
	buf_add(&seen, "", 0);
	time_t end = time(NULL) + seconds;
	bool found = false;
	while (!found && time(NULL) < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0)
			continue;
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n <= 0)
			break;
		buf_add(&seen, chunk, (size_t)n);
		found = strstr(seen.data, text) != NULL;
	}
	buf_free(&seen);
	return found;
}

Test(hangup, a_closed_terminal_ends_the_console_cleanly)
{
	char *cache = xasprintf("%s/cache.db", dir);
	char *fixture = builddir_path("tests/ui/ui_fixture");
	char *const fargv[] = { fixture, cache, NULL };
	char *const fenv[] = { "CHATSYNC_NOW=2026-11-14T09:12:00Z", NULL };
	struct run_result r;
	cr_assert_eq(run_cmd(&r, fargv, fenv, 30), 0);
	cr_assert_eq(r.status, 0, "ui_fixture exited with %d: %s", r.status, r.err);
	run_free(&r);

	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char *slave_name = xstrdup(ptsname(master));
	struct winsize ws = { .ws_row = 30, .ws_col = 80 };
	ioctl(master, TIOCSWINSZ, &ws);

	char *driver = builddir_path("tests/ui/ui_driver");
	char *config = xasprintf("XDG_CONFIG_HOME=%s", dir), *state = xasprintf("XDG_STATE_HOME=%s", dir);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* A new session without a controlling terminal: the pty never becomes one. */
		setsid();
		int fd = open(slave_name, O_RDWR | O_NOCTTY);
		if (fd < 0)
			_exit(126);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(master);
		putenv("TERM=xterm");
		putenv("LC_ALL=C.UTF-8");
		putenv("CHATSYNC_NOW=2026-11-14T09:12:00Z");
		putenv(config);
		putenv(state);
		execl(driver, driver, "--cache", cache, (char *)NULL);
		_exit(127);
	}
	cr_assert(read_until(master, "Environments", 20), "the console never drew its first view");
	/* Let the diagnosis finish, so the console waits on the terminal alone. */
	read_until(master, "\x01never-printed", 2);
	close(master);

	int status = 0;
	pid_t got = 0;
	for (int i = 0; i < 200 && got == 0; i++) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == 0)
			usleep(50 * 1000);
	}
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cr_assert_fail("the console kept running for 10 s after its terminal closed");
	}
	cr_assert(WIFEXITED(status), "the console died of signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	cr_assert_eq(WEXITSTATUS(status), 0);
	free(driver);
	free(config);
	free(state);
	free(slave_name);
	free(fixture);
	free(cache);
}
