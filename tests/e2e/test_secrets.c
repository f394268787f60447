/* Secrets never leave their files: a full refresh and a toggle with every sign-in method at the
 * most verbose level (a browser sign-in with its pasted address included), then a search for the
 * secret in everything chatsync wrote or printed. */
#include "config.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/xalloc.h"
#include "e2e_browser.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static char *secret_of(const char *file)
{
	char *s = run_read_file(file, NULL);
	cr_assert_not_null(s, "no %s", file);
	s[strcspn(s, "\r\n")] = '\0';
	cr_assert_gt(strlen(s), 8);
	return s;
}

static bool file_has(const char *path, const char *needle)
{
	size_t len;
	char *data = run_read_file(path, &len);
	bool found = false;
	for (size_t i = 0; data && !found && i + strlen(needle) <= len; i++)
		found = memcmp(data + i, needle, strlen(needle)) == 0;
	free(data);
	return found;
}

/* Every regular file below dir except the sandbox's own secret files and key. */
static void assert_tree_clean(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		char *path = xasprintf("%s/%s", dir, ent->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			assert_tree_clean(path, needle);
		else if (S_ISREG(st.st_mode) && !strstr(ent->d_name, ".secret") && strcmp(ent->d_name, "client.pem") != 0)
			cr_assert_not(file_has(path, needle), "the secret is in %s", path);
		free(path);
	}
	closedir(d);
}

Test(secrets, no_secret_in_logs_traces_cache_tokens_or_output, .fini = stop)
{
	const char *args[] = { "--auto-approve-after", "0", "--envs", "1", "--chats-per-env", "8", NULL };
	e2e_start(&e, args);
	char *secret_file = xasprintf("%s.secret", e.sb.config), *reader_file = xasprintf("%s.reader.secret", e.sb.config);
	char *secret = secret_of(secret_file), *reader = secret_of(reader_file);
	const char *profiles[] = { "sandbox", "sandbox-cert", "sandbox-device", "sandbox-reader" };
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(e2e_run(&e, profiles[i], "-v", "-v", "refresh", NULL), 0, "%s: %s", profiles[i], e.r.err);
		cr_assert(strstr(e.r.err, "Authorization: Bearer [redacted]") || strstr(e.r.err, "[redacted]"),
			  "%s: the trace shows no request", profiles[i]);
		for (const char *s = secret; s; s = s == secret ? reader : NULL) {
			cr_assert_null(strstr(e.r.out, s), "%s: secret on stdout", profiles[i]);
			cr_assert_null(strstr(e.r.err, s), "%s: secret in the trace", profiles[i]);
		}
		cr_assert_null(strstr(e.r.err, "eyJ"), "%s: an ID token in the trace", profiles[i]);
		cr_assert_null(strstr(e.r.err, "sbxat_"), "%s: an access token in the trace", profiles[i]);
		cr_assert_null(strstr(e.r.out, "sbxat_"), "%s: an access token on stdout", profiles[i]);
	}
	/* auth = browser: the authorization code (taken from the address the sandbox sent the browser
	 * to) and the PKCE verifier travel only in the token request, redacted in the trace. */
	struct e2e_browser b;
	cr_assert_eq(e2e_browser_run(&e, &b, BROWSER_PASTE, "sandbox-browser", "-v", "-v", "refresh", NULL), 0, "%s",
		     e.r.err);
	const char *c = strstr(b.location, "code=");
	cr_assert_not_null(c, "no code in %s", b.location);
	char *code = xstrndup(c + 5, strcspn(c + 5, "&#"));
	cr_assert_gt(strlen(code), 20);
	cr_assert_null(strstr(e.r.err, code), "the authorization code in the trace");
	cr_assert_null(strstr(e.r.out, code), "the authorization code on stdout");
	cr_assert(strstr(e.r.err, "code_verifier=[redacted]"), "no redacted verifier in the trace: %s", e.r.err);
	cr_assert(strstr(e.r.err, "code=[redacted]"), "no redacted code in the trace");
	cr_assert_null(strstr(e.r.err, "eyJ"), "browser: an ID token in the trace");
	cr_assert_null(strstr(e.r.err, "sbxat_"), "browser: an access token in the trace");
	cr_assert_null(strstr(e.r.out, "sbxat_"), "browser: an access token on stdout");
	e2e_browser_free(&b);
	e2e_run(&e, "sandbox", "-v", "-v", "sync", "contoso-sales", "off", "--yes", NULL);
	cr_assert_null(strstr(e.r.err, secret));
	cr_assert_null(strstr(e.r.err, "eyJ"), "a token in the trace of the write");
	cr_assert_null(strstr(e.r.err, "sbxat_"), "an access token in the trace of the write");
	/* the log (with the whole trace in it), the audit log, the token cache and the cache file */
	char *log = xasprintf("%s/state/chatsync/chatsync.log", e.home);
	cr_assert(file_has(log, "client_secret=[redacted]"), "the log has no trace of the token requests");
	cr_assert(file_has(log, "Bearer [redacted]"), "the log has no trace of the authorized requests");
	cr_assert(file_has(log, "code_verifier=[redacted]"), "the log has no trace of the browser's token request");
	free(log);
	assert_tree_clean(e.home, secret);
	assert_tree_clean(e.home, reader);
	assert_tree_clean(e.home, "sbxat_"); /* no access token in any file chatsync wrote */
	assert_tree_clean(e.home, code);     /* nor the browser's authorization code */
	cr_assert_not(file_has(e.cache, code), "the authorization code in the cache");
	cr_assert_not(file_has(e.cache, secret));
	cr_assert_not(file_has(e.cache, "eyJ"), "a token in the cache");
	cr_assert_not(file_has(e.cache, "sbxat_"), "an access token in the cache");
	char *tokens = xasprintf("%s/state/chatsync/sandbox-device.tokens", e.home);
	struct stat st;
	cr_assert_eq(stat(tokens, &st), 0, "no token cache for the device-code profile");
	cr_assert_eq(st.st_mode & 077, 0);
	free(tokens);
	tokens = xasprintf("%s/state/chatsync/sandbox-browser.tokens", e.home);
	cr_assert_eq(stat(tokens, &st), 0, "no token cache for the browser profile");
	cr_assert_eq(st.st_mode & 077, 0);
	cr_assert_not(file_has(tokens, code));
	free(tokens);
	free(code);
	free(secret); free(reader); free(secret_file); free(reader_file);
}
