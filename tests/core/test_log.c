#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "base/log.h"
#include "run.h"

static void assert_redacted(const char *in, const char *secret, const char *kept)
{
	char *out = log_redact(in);
	cr_assert_null(strstr(out, secret), "secret survived in \"%s\"", out);
	cr_assert(strstr(out, "[redacted]"), "no marker in \"%s\"", out);
	if (kept)
		cr_assert(strstr(out, kept), "\"%s\" lost from \"%s\"", kept, out);
	free(out);
}

Test(redact, headers_forms_json_and_jwts)
{
	assert_redacted("Authorization: Bearer abc.def.ghi\r\nAccept: x", "abc.def.ghi", "Accept: x");
	assert_redacted("authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Basic");
	assert_redacted("grant_type=client_credentials&client_secret=Sup3r~Secret&scope=x", "Sup3r~Secret",
			"scope=x");
	assert_redacted("client_assertion_type=urn%3Ajwt&client_assertion=eyJhbGciOi.eyJzdWIi.c2ln&x=1",
			"eyJzdWIi", "x=1");
	assert_redacted("{\"access_token\":\"tok\\\"en123\",\"expires_in\":3599}", "en123", "\"expires_in\":3599");
	assert_redacted("{\"refresh_token\" : \"rt-value\"}", "rt-value", NULL);
	assert_redacted("device_code=GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8", "GMMhmHCX", NULL);
	assert_redacted("token eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl seen",
			"eyJhdWQiOiJ4In0", "seen");
}

Test(redact, leaves_ordinary_text_alone)
{
	const char *in = "GET /api/data/v9.2/chats?$select=subject 200 (client_id=abc, secretary=1)";
	char *out = log_redact(in);
	cr_assert_str_eq(out, in);
	free(out);
	char *n = log_redact(NULL);
	cr_assert_str_eq(n, "");
	free(n);
}

Test(log, file_gets_redacted_lines_at_its_level)
{
	char *dir = run_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/chatsync.log", dir);
	cr_assert_eq(log_open(path, LOG_INFO, -1), 0);
	log_info("token request client_secret=hunter2&scope=x");
	log_debug("debug line not written");
	log_close();
	char *text = run_read_file(path, NULL);
	cr_assert_not_null(text);
	cr_assert(strstr(text, "info: token request client_secret=[redacted]&scope=x"), "%s", text);
	cr_assert_null(strstr(text, "hunter2"));
	cr_assert_null(strstr(text, "debug line"));
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	free(text);
	run_rmtree(dir);
	free(dir);
}

Test(log, every_line_is_one_inert_line)
{
	char *dir = run_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/chatsync.log", dir);
	cr_assert_eq(log_open(path, LOG_INFO, -1), 0);
	log_warn("Entra said: %s", "\x1b]0;pwned\x07" "bad request\nchatsync: forged line\xe2\x80\xae\xff");
	char *big = malloc(100001);
	memset(big, 'y', 100000);
	big[100000] = '\0';
	log_info("long: %s", big);
	free(big);
	log_close();
	char *text = run_read_file(path, NULL);
	cr_assert_not_null(text);
	size_t lines = 0;
	for (const char *p = text; *p; p++) {
		lines += *p == '\n';
		cr_assert((unsigned char)*p >= 0x20 || *p == '\n', "control 0x%02x in the log", (unsigned char)*p);
	}
	cr_assert_eq(lines, 2, "%s", text);
	cr_assert_null(strstr(text, "\nchatsync: forged"));
	cr_assert_null(strstr(text, "\xe2\x80\xae"));
	cr_assert(strstr(text, "warn: Entra said:  ]0;pwned bad request chatsync: forged line\xef\xbf\xbd\n"), "%s", text);
	cr_assert(strstr(text, "yyy…\n"), "the long line is not cut with an ellipsis");
	cr_assert_lt(strlen(text), 30000);
	free(text);
	run_rmtree(dir);
	free(dir);
}
