#include "config.h"
#include "sandbox.h"
#include "run.h"
#include "base/xalloc.h"
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sandbox_start(struct sandbox *sb, const char *const *extra)
{
	sandbox_start_env(sb, extra, NULL);
}

void sandbox_start_env(struct sandbox *sb, const char *const *extra, const char *const *env)
{
	memset(sb, 0, sizeof *sb);
	sb->dir = run_tmpdir();
	cr_assert_not_null(sb->dir);
	sb->config = xasprintf("%s/config", sb->dir);
	sb->log = xasprintf("%s/requests.jsonl", sb->dir); /* where the sandbox logs by default */
	const char *b = getenv("CHATSYNC_TEST_BUILDDIR");
	char *bin = xasprintf("%s/chatsync-sandbox", b ? b : TEST_BUILDDIR);
	const char *argv[64] = { bin, "--port", "0", "--dir", sb->dir, "--write-profile", sb->config, "--quiet" };
	int argc = 8;
	for (size_t i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	int out[2];
	cr_assert_eq(pipe(out), 0);
	sb->pid = fork();
	cr_assert(sb->pid >= 0);
	if (sb->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test that dies takes its sandbox with it */
		dup2(out[1], 1);
		close(out[0]);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	free(bin);
	/* Wait for "listening https://127.0.0.1:PORT ca=PATH". */
	char line[1024];
	size_t len = 0;
	time_t deadline = time(NULL) + 30;
	while (len < sizeof line - 1 && time(NULL) < deadline) {
		struct pollfd p = { out[0], POLLIN, 0 };
		if (poll(&p, 1, 500) <= 0)
			continue;
		ssize_t n = read(out[0], line + len, 1);
		if (n <= 0)
			break;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	close(out[0]);
	char url[256], ca[768];
	cr_assert_eq(sscanf(line, "listening %255s ca=%767s", url, ca), 2, "sandbox said \"%s\"", line);
	sb->base = xstrdup(url);
	sb->ca = xstrdup(ca);
}

int sandbox_stop_status(struct sandbox *sb)
{
	int status = -1;
	if (sb->pid > 0) {
		kill(sb->pid, SIGTERM);
		int st;
		for (int i = 0; i < 100 && status < 0; i++) {
			if (waitpid(sb->pid, &st, WNOHANG) == sb->pid)
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			else
				usleep(50 * 1000);
		}
		if (status < 0) {
			kill(sb->pid, SIGKILL);
			waitpid(sb->pid, &st, 0);
			status = 128 + SIGKILL;
		}
	}
	run_rmtree(sb->dir);
	free(sb->dir); free(sb->base); free(sb->ca); free(sb->config); free(sb->log);
	memset(sb, 0, sizeof *sb);
	return status;
}

void sandbox_stop(struct sandbox *sb)
{
	sandbox_stop_status(sb);
}

static size_t collect(char *p, size_t size, size_t n, void *user)
{
	buf_add(user, p, size * n);
	return size * n;
}

char *sandbox_control(struct sandbox *sb, const char *method, const char *path, const char *json, long *status)
{
	CURL *c = curl_easy_init();
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	char *url = xasprintf("%s/_sandbox/%s", sb->base, path);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, sb->ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (json)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	*status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	return buf_steal(&b);
}

char *sandbox_request_log(struct sandbox *sb)
{
	return run_read_file(sb->log, NULL);
}
