/* Sandbox figures, printed by `make bench`: tenant generation (100,000 chats), process startup of
 * the default tenant (to its "listening" line), and request rates against a large tenant. */
#include "config.h"
#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "base/xalloc.h"
#include "sandbox/tenant.h"
#include "sandbox/util.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct proc {
	pid_t pid;
	char base[256], ca[512];
	char dir[64];
};

/* Starts the sandbox with args; returns seconds until its line, or -1. */
static double start(const char *bin, const char *const *args, struct proc *p)
{
	snprintf(p->dir, sizeof p->dir, "/tmp/chatsync-bench-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	const char *argv[32] = { bin, "--dir", p->dir, "--quiet" };
	int argc = 4;
	for (int i = 0; args && args[i] && argc < 30; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	int out[2];
	if (pipe(out))
		return -1;
	double t0 = now_s();
	p->pid = fork();
	if (p->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	char line[1024];
	size_t n = 0;
	while (n < sizeof line - 1) {
		struct pollfd pf = { out[0], POLLIN, 0 };
		if (poll(&pf, 1, 30000) <= 0)
			break;
		ssize_t k = read(out[0], line + n, sizeof line - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (line[n - 1] == '\n')
			break;
	}
	double t = now_s() - t0;
	close(out[0]);
	line[n] = '\0';
	if (sscanf(line, "listening %255s ca=%511s", p->base, p->ca) != 2)
		return -1;
	return t;
}

static void stop(struct proc *p)
{
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	char *cmd = xasprintf("rm -rf '%s'", p->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", p->dir);
	free(cmd);
}

static size_t sink(char *d, size_t s, size_t n, void *u)
{
	buf_add(u, d, s * n);
	return s * n;
}

static long fetch(CURL *c, const struct proc *p, const char *url, const char *auth, const char *post, struct buf *b)
{
	struct curl_slist *h = NULL;
	if (auth)
		h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Prefer: odata.maxpagesize=5000");
	buf_free(b);
	buf_add(b, "", 0);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, p->ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	if (post)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	long st = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_slist_free_all(h);
	return st;
}

/* The string value of "key":"..." in text. Caller frees. */
static char *json_str(const char *text, const char *key)
{
	char *pat = xasprintf("\"%s\":\"", key);
	const char *p = strstr(text, pat);
	char *v = NULL;
	if (p) {
		p += strlen(pat);
		struct buf b;
		buf_init(&b);
		buf_add(&b, "", 0);
		for (; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			buf_add(&b, p, 1);
		}
		v = buf_steal(&b);
	}
	free(pat);
	return v;
}

static char *token(CURL *c, const struct proc *p, const char *secret_file, const char *client, const char *scope)
{
	FILE *f = fopen(secret_file, "r");
	char secret[256] = "";
	if (!f || !fgets(secret, sizeof secret, f)) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	secret[strcspn(secret, "\n")] = '\0';
	char *es = sb_url_encode(secret), *esc = sb_url_encode(scope);
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", client, es, esc);
	char *url = xasprintf("%s/entra/" SB_TENANT_DOMAIN "/oauth2/v2.0/token", p->base);
	struct buf b;
	buf_init(&b);
	char *tok = fetch(c, p, url, NULL, body, &b) == 200 ? json_str(b.data, "access_token") : NULL;
	buf_free(&b);
	free(es), free(esc), free(body), free(url);
	return tok;
}

int main(void)
{
	const char *bd = getenv("CHATSYNC_TEST_BUILDDIR");
	char *bin = xasprintf("%s/chatsync-sandbox", bd ? bd : ".");
	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* 1. Generation alone, in process. */
	setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
	sb_clock_init();
	struct sb_gen_opts o = { 1, 10, 10000, SB_RSC_MANAGED_BY_MICROSOFT, "https://127.0.0.1:1" };
	struct sb_tenant t;
	double t0 = now_s();
	sb_tenant_generate(&t, &o);
	double gen = now_s() - t0;
	sb_tenant_free(&t);
	printf("sandbox: generate 100,000 chats (10 envs x 10,000): %.2f s (limit 5 s) %s\n", gen, gen < 5 ? "ok" : "SLOW");
	unsetenv("CHATSYNC_NOW");

	/* 2. Startup of the default tenant, to the listening line. */
	double runs[7];
	int ok = 0;
	for (int i = 0; i < 7; i++) {
		struct proc p;
		double s = start(bin, NULL, &p);
		if (s < 0)
			break;
		runs[ok++] = s;
		stop(&p);
	}
	if (ok) {
		qsort(runs, (size_t)ok, sizeof runs[0], cmp_double);
		printf("sandbox: startup, default tenant (3 envs x 60 chats): median %.0f ms, max %.0f ms over %d runs "
		       "(limit 100 ms) %s\n", runs[ok / 2] * 1000, runs[ok - 1] * 1000, ok, runs[ok / 2] < 0.1 ? "ok" : "SLOW");
	}
	struct proc p;
	const char *prof[] = { "--write-profile", "/dev/null", NULL };
	(void)prof;

	/* 3. A 100,000-chat tenant: startup, then paging every chat row of one environment and Graph gets. */
	char *profile = xasprintf("/tmp/chatsync-bench-profile-%d", (int)getpid());
	const char *big[] = { "--envs", "10", "--chats-per-env", "10000", "--limits", "off", "--write-profile", profile, NULL };
	double s = start(bin, big, &p);
	if (s < 0) {
		printf("sandbox: the 100,000-chat tenant did not start\n");
		return 1;
	}
	printf("sandbox: startup, 100,000-chat tenant with profile (RSA keys included): %.0f ms\n", s * 1000);
	CURL *c = curl_easy_init();
	char *secret_file = xasprintf("%s.secret", profile);
	FILE *pf = fopen(profile, "r");
	char line[512], client[64] = "";
	while (pf && fgets(line, sizeof line, pf))
		if (!client[0] && sscanf(line, "client_id = %63s", client) == 1)
			break;
	if (pf)
		fclose(pf);
	char *env = xasprintf("%s/env/contoso-sales", p.base);
	char *scope = xasprintf("%s/.default", env);
	char *tok = token(c, &p, secret_file, client, scope);
	char *auth = xasprintf("Authorization: Bearer %s", tok ? tok : "");
	char *url = xasprintf("%s/api/data/v9.2/chats?$select=subject,teamschatid,modifiedinteamson,statecode,syncstatus", env);
	struct buf b;
	buf_init(&b);
	int pages = 0;
	size_t bytes = 0;
	t0 = now_s();
	while (url && fetch(c, &p, url, auth, NULL, &b) == 200) {
		pages++;
		bytes += b.len;
		free(url);
		url = json_str(b.data, "@odata.nextLink");
	}
	double paging = now_s() - t0;
	printf("sandbox: page all chat rows of a 10,000-chat environment: %d pages, %.1f MB in %.2f s\n", pages,
			(double)bytes / 1e6, paging);
	free(url);
	char *gtok = token(c, &p, secret_file, client, "https://graph.microsoft.com/.default");
	char *gauth = xasprintf("Authorization: Bearer %s", gtok ? gtok : "");
	char *pol = xasprintf("%s/graph/v1.0/policies/authorizationPolicy", p.base);
	int n = 0;
	t0 = now_s();
	while (now_s() - t0 < 2.0 && fetch(c, &p, pol, gauth, NULL, &b) == 200)
		n++;
	printf("sandbox: sequential Graph GETs on one connection: %.0f requests/s\n", n / (now_s() - t0));
	buf_free(&b);
	curl_easy_cleanup(c);
	stop(&p);
	unlink(profile);
	unlink(secret_file);
	char *reader = xasprintf("%s.reader.secret", profile);
	unlink(reader);
	free(reader), free(pol), free(gauth), free(gtok), free(auth), free(tok), free(scope), free(env);
	free(secret_file), free(profile), free(bin);
	return 0;
}
