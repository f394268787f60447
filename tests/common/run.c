#include "config.h"
#include "run.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void drain(int fd, struct buf *b, int *open_flag)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof chunk);
	if (n > 0)
		buf_add(b, chunk, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		*open_flag = 0;
}

int run_cmd(struct run_result *r, char *const argv[], char *const env[], int timeout_s)
{
	int out[2], err[2];
	memset(r, 0, sizeof *r);
	if (pipe(out) || pipe(err))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		setsid(); /* no controlling terminal: the program must not find a tty */
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	struct buf bo, be;
	buf_init(&bo);
	buf_init(&be);
	buf_add(&bo, "", 0);
	buf_add(&be, "", 0);
	int o_open = 1, e_open = 1;
	time_t deadline = time(NULL) + timeout_s;
	int killed = 0;
	while (o_open || e_open) {
		struct pollfd p[2] = { { o_open ? out[0] : -1, POLLIN, 0 }, { e_open ? err[0] : -1, POLLIN, 0 } };
		int n = poll(p, 2, 200);
		if (n > 0) {
			if (p[0].revents)
				drain(out[0], &bo, &o_open);
			if (p[1].revents)
				drain(err[0], &be, &e_open);
		}
		if (!killed && time(NULL) > deadline) {
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	close(out[0]);
	close(err[0]);
	int st;
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = buf_steal(&bo);
	r->err = buf_steal(&be);
	return 0;
}

void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

char *run_chatsync_path(void)
{
	const char *b = getenv("CHATSYNC_TEST_BUILDDIR");
	return xasprintf("%s/chatsync", b ? b : TEST_BUILDDIR);
}

char *run_srcpath(const char *rel)
{
	const char *s = getenv("CHATSYNC_TEST_SRCDIR");
	return xasprintf("%s/%s", s ? s : TEST_SRCDIR, rel);
}

char *run_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/chatsync-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void run_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int run_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	fchmod(fd, mode);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

char *run_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return buf_steal(&b);
}
