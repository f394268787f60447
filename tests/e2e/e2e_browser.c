#include "config.h"
#include "e2e_browser.h"
#include "base/xalloc.h"
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void e2e_browser_free(struct e2e_browser *b)
{
	free(b->url);
	free(b->location);
	memset(b, 0, sizeof *b);
}

static size_t header_cb(char *data, size_t size, size_t n, void *user)
{
	char **loc = user;
	size_t len = size * n;
	if (len > 9 && !strncasecmp(data, "Location:", 9)) {
		const char *v = data + 9;
		while (*v == ' ')
			v++;
		free(*loc);
		*loc = xstrndup(v, strcspn(v, "\r\n"));
	}
	return len;
}

static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data, (void)user;
	return size * n;
}

/* GET url as a browser would (no redirects followed): the Location it answers, or "". */
static char *browse(const char *url, const char *ca, long *status)
{
	char *loc = NULL;
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &loc);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	*status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return loc ? loc : xstrdup("");
}

/* Replaces the value of name= in a URL's query. */
static char *replace_param(const char *url, const char *name, const char *value)
{
	char *key = xasprintf("%s=", name);
	const char *p = url;
	while ((p = strstr(p, key)) && p > url && p[-1] != '?' && p[-1] != '&')
		p++;
	cr_assert_not_null(p, "no %s in %s", name, url);
	const char *end = p + strlen(key) + strcspn(p + strlen(key), "&#");
	char *out = xasprintf("%.*s%s%s%s", (int)(p - url), url, key, value, end);
	free(key);
	return out;
}

static void append(char **s, size_t *len, const char *data, size_t n)
{
	*s = xrealloc(*s, *len + n + 1);
	memcpy(*s + *len, data, n);
	*len += n;
	(*s)[*len] = '\0';
}

/* Reads what is there on fd into *s (non-blocking); false on end of file. */
static bool drain(int fd, char **s, size_t *len)
{
	char buf[4096];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0)
			append(s, len, buf, (size_t)r);
		else
			return r < 0 && (errno == EAGAIN || errno == EINTR);
	}
}

static void act(struct e2e *e, struct e2e_browser *b, enum e2e_browser_mode mode, int master)
{
	long st;
	char *url = mode == BROWSER_WRONG_VERIFIER
			    /* a challenge of another verifier (RFC 7636's example value): the code is bound to it */
			    ? replace_param(b->url, "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
			    : xstrdup(b->url);
	free(b->location);
	b->location = browse(url, e->sb.ca, &st);
	free(url);
	cr_assert_eq(st, 302, "the sandbox's /authorize answered %ld", st);
	char *answer = mode == BROWSER_WRONG_STATE ? replace_param(b->location, "state", "forged-state")
						   : xstrdup(b->location);
	if (mode == BROWSER_LOOPBACK) {
		char *back = browse(answer, NULL, &st);
		cr_assert_eq(st, 200, "chatsync's listener answered %ld", st);
		free(back);
	} else {
		char *line = xasprintf("%s\n", answer);
		cr_assert_eq(write(master, line, strlen(line)), (ssize_t)strlen(line));
		free(line);
	}
	free(answer);
}

int e2e_browser_run(struct e2e *e, struct e2e_browser *b, enum e2e_browser_mode mode, const char *profile, ...)
{
	memset(b, 0, sizeof *b);
	char *argv[64];
	va_list ap;
	va_start(ap, profile);
	e2e_argv(e, profile, ap, argv);
	va_end(ap);
	char *bin = argv[0];
	int out[2], err[2];
	cr_assert_eq(pipe(out), 0);
	cr_assert_eq(pipe(err), 0);
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]), close(err[0]), close(out[1]), close(err[1]);
		char *home = xasprintf("%s", e->home), *state = xasprintf("%s/state", e->home);
		char *cfg = xasprintf("%s/config", e->home);
		setenv("HOME", home, 1);
		setenv("XDG_STATE_HOME", state, 1);
		setenv("XDG_CONFIG_HOME", cfg, 1);
		setenv("CHATSYNC_CLIENT_SECRET", "", 1);
		setenv("CHATSYNC_CONFIG", "", 1);
		execv(bin, argv);
		_exit(127);
	}
	close(out[1]), close(err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	fcntl(master, F_SETFL, O_NONBLOCK);
	run_free(&e->r);
	memset(&e->r, 0, sizeof e->r);
	char *o = xstrdup(""), *er = xstrdup(""), *tty = xstrdup("");
	size_t ol = 0, el = 0, tl = 0;
	bool acted = false, out_open = true, err_open = true;
	time_t start = time(NULL);
	while ((out_open || err_open) && time(NULL) - start < 120) {
		struct pollfd fds[3] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 }, { master, POLLIN, 0 } };
		poll(fds, 3, 200);
		if (out_open)
			out_open = drain(out[0], &o, &ol);
		if (err_open)
			err_open = drain(err[0], &er, &el);
		drain(master, &tty, &tl); /* the terminal's echo */
		const char *u = strstr(er, "/oauth2/v2.0/authorize?");
		if (!acted && u && strchr(u, '\n')) {
			const char *s = u;
			while (s > er && s[-1] != ' ' && s[-1] != '\n')
				s--;
			b->url = xstrndup(s, strcspn(s, " \r\n"));
			acted = true;
			act(e, b, mode, master);
		}
	}
	int status = -1;
	for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100000);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cr_assert_fail("chatsync did not end; stderr: %s", er);
	}
	close(out[0]), close(err[0]), close(master);
	free(tty);
	e->r.out = o;
	e->r.err = er;
	e->r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!b->url)
		b->url = xstrdup("");
	if (!b->location)
		b->location = xstrdup("");
	free(bin);
	return e->r.status;
}
