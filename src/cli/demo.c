/* --demo: start a chatsync-sandbox of our own on loopback, point the context at the profile it
 * writes and every other path at a private directory, and stop it (removing the directory) when done.
 * Nothing leaves the machine, and nothing is left in the user's own config, cache or state. */
#include "config.h"
#include "cli/demo.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The sandbox binary: $CHATSYNC_SANDBOX, else the one installed beside us (libexec), else the one
 * built beside this binary (a build tree). */
static char *find_sandbox(void)
{
	const char *env = getenv("CHATSYNC_SANDBOX");
	if (env && *env)
		return xstrdup(env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *built = xasprintf("%s/chatsync-sandbox", self);
			if (access(built, X_OK) == 0)
				return built;
			free(built);
		}
	}
	return xstrdup(LIBEXECDIR "/chatsync-sandbox");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* $XDG_<name> := dir/<sub>, made private. */
static int point_at(const char *var, const char *dir, const char *sub, struct cs_error *err)
{
	char *path = xasprintf("%s/%s", dir, sub);
	int rc = 0;
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		rc = cs_fail(err, CS_EXIT_USAGE, _("cannot create a directory for the demo in %s: %s (set TMPDIR)"), dir,
			     strerror(errno));
	else
		setenv(var, path, 1);
	free(path);
	return rc;
}

int demo_prepare(struct demo *d, struct cs_error *err)
{
	memset(d, 0, sizeof *d);
	const char *base = getenv("XDG_RUNTIME_DIR");
	if (!base || access(base, W_OK) != 0)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	d->dir = xasprintf("%s/chatsync-demo-XXXXXX", base);
	if (!mkdtemp(d->dir)) {
		int e = errno;
		free(d->dir);
		d->dir = NULL;
		return cs_fail(err, CS_EXIT_USAGE, _("cannot create a directory for the demo in %s: %s (set TMPDIR)"), base,
			       strerror(e));
	}
	d->config = xasprintf("%s/config", d->dir);
	d->cache = xasprintf("%s/demo.db", d->dir);
	if (point_at("XDG_CONFIG_HOME", d->dir, "config.d", err) || point_at("XDG_CACHE_HOME", d->dir, "cache.d", err) ||
	    point_at("XDG_STATE_HOME", d->dir, "state.d", err)) {
		demo_stop(d);
		return -1;
	}
	unsetenv("CHATSYNC_LOG");    /* the log goes to the demo's state directory */
	unsetenv("CHATSYNC_CONFIG"); /* the demo's config, unless -c names one */
	return 0;
}

int demo_start(struct demo *d, struct cs_error *err)
{
	char *bin = find_sandbox();
	if (access(bin, X_OK) != 0) {
		cs_fail(err, CS_EXIT_USAGE, _("the demo needs %s, which is missing (build it with make, or set "
					      "CHATSYNC_SANDBOX)"), bin);
		free(bin);
		demo_stop(d);
		return -1;
	}
	int out[2];
	if (pipe(out)) {
		free(bin);
		demo_stop(d);
		return cs_fail(err, CS_EXIT_USAGE, _("cannot start the demo sandbox: %s"), strerror(errno));
	}
	d->pid = fork();
	if (d->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		setpgid(0, 0); /* Ctrl-C in the console goes to chatsync, which stops the sandbox itself */
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* and if chatsync dies, the sandbox goes too */
		execl(bin, bin, "--port", "0", "--dir", d->dir, "--write-profile", d->config, "--quiet", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	free(bin);
	char line[1024];
	size_t len = 0;
	time_t deadline = time(NULL) + 20;
	while (d->pid > 0 && len < sizeof line - 1 && time(NULL) < deadline) {
		struct pollfd p = { out[0], POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (read(out[0], line + len, 1) <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	close(out[0]);
	if (d->pid < 0 || strncmp(line, "listening ", 10) != 0) {
		demo_stop(d);
		return cs_fail(err, CS_EXIT_USAGE, _("the demo sandbox did not start (run it by hand to see why: "
						     "chatsync-sandbox --port 0)"));
	}
	log_info("demo sandbox: %s", line);
	return 0;
}

void demo_stop(struct demo *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		int st;
		waitpid(d->pid, &st, 0);
	}
	if (d->dir)
		nftw(d->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(d->dir);
	free(d->config);
	free(d->cache);
	memset(d, 0, sizeof *d);
}
