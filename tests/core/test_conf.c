#include "config.h"
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "core/conf.h"
#include "base/log.h"
#include "store/cache.h"
#include "run.h"
#include "sync/session.h"

static struct conf conf;
static struct cs_error err;

static void teardown(void) { conf_free(&conf); }
TestSuite(conf, .fini = teardown);

Test(conf, parses_the_design_example)
{
	setenv("HOME", "/home/ada", 1);
	const char *text =
		"# comment\n"
		"[profile contoso]\n"
		"tenant        = contoso.onmicrosoft.com      # or the tenant GUID\n"
		"client_id     = 11111111-2222-3333-4444-555555555555\n"
		"auth          = client-secret\n"
		"client_secret_file = ~/.config/chatsync/contoso.secret\n"
		"readonly      = false\n"
		"graph         = https://graph.example.test/\n"
		"ca_file       = /etc/ssl/certs/corp-proxy.pem\n"
		"\n"
		"[profile fabrikam]\r\n"
		"tenant = fabrikam.onmicrosoft.com\r\n"
		"client_id = abc\r\n"
		"readonly = yes\r\n";
	cr_assert_eq(conf_parse(&conf, "cfg", text, &err), 0, "%s", err.msg);
	cr_assert_eq(conf.n_profiles, 2);
	const struct conf_profile *p = conf_profile(&conf, NULL, &err);
	cr_assert_str_eq(p->name, "contoso");
	cr_assert_str_eq(p->tenant, "contoso.onmicrosoft.com");
	cr_assert_eq(p->auth, CONF_AUTH_CLIENT_SECRET);
	cr_assert_str_eq(p->client_secret_file, "/home/ada/.config/chatsync/contoso.secret");
	cr_assert_str_eq(p->graph, "https://graph.example.test");
	cr_assert_str_eq(p->authority, CONF_DEFAULT_AUTHORITY);
	cr_assert_str_eq(p->discovery, CONF_DEFAULT_DISCOVERY);
	cr_assert_str_eq(p->chat_sync_app, "Dataverse Chat Sync");
	cr_assert_not(p->readonly);
	const struct conf_profile *f = conf_profile(&conf, "fabrikam", &err);
	cr_assert_not_null(f);
	cr_assert(f->readonly);
	cr_assert_eq(f->auth, CONF_AUTH_DEVICE_CODE);
	cr_assert_str_eq(f->tenant, "fabrikam.onmicrosoft.com");
}

struct bad_case {
	const char *text;
	const char *expect;
};

Test(conf, bad_files_give_line_numbered_errors)
{
	static const struct bad_case cases[] = {
		{ "[profile a]\ntenant = t\n\n\n\n\n\n\n\n\n\ntennant = x\n", "cfg:12: unknown key \"tennant\" (did you mean \"tenant\"?)" },
		{ "[profile a]\nclient_idd = x\n", "cfg:2: unknown key \"client_idd\" (did you mean \"client_id\"?)" },
		{ "[profile a]\nfrobnicate = x\n", "cfg:2: unknown key \"frobnicate\"" },
		{ "tenant = x\n", "cfg:1: tenant is outside a profile" },
		{ "[profile a]\nauth = password\n", "cfg:2: auth must be device-code, browser, client-secret or certificate" },
		{ "[profile a]\ngraph = http://graph.microsoft.com\n", "cfg:2: graph uses plain http to a host that is not loopback" },
		{ "[profile a]\ndiscovery = ftp://x\n", "cfg:2: discovery is not an https:// URL" },
		{ "[profile a]\n[profile a]\n", "cfg:2: profile \"a\" is defined twice (first at line 1)" },
		{ "[profile a]\ntenant = x\ntenant = y\n", "cfg:3: tenant is set twice" },
		{ "[tenant a]\n", "cfg:1: unknown section [tenant a]" },
		{ "[profile a\n", "cfg:1: a section header must look like [profile NAME]" },
		{ "[profile a]\njust words\n", "cfg:2: expected key = value" },
		{ "[profile a]\nreadonly = maybe\n", "cfg:2: readonly must be true or false" },
		{ "[profile a]\ntenant =\n", "cfg:2: tenant has no value" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct conf c;
		cs_error_clear(&err);
		cr_assert_eq(conf_parse(&c, "cfg", cases[i].text, &err), -1, "case %zu parsed", i);
		cr_assert(strstr(err.msg, cases[i].expect), "case %zu: got \"%s\", want \"%s\"", i, err.msg,
			  cases[i].expect);
		cr_assert_eq(err.exit_code, 2);
		cr_assert_eq(c.n_profiles, 0);
	}
}

Test(conf, loopback_http_is_accepted)
{
	cr_assert_eq(conf_parse(&conf, "cfg",
				"[profile s]\nauthority = http://127.0.0.1:8443/entra\ngraph = http://localhost:1/g\n"
				"discovery = http://[::1]:9/d\n", &err), 0, "%s", err.msg);
	cr_assert_str_eq(conf.profiles[0].authority, "http://127.0.0.1:8443/entra");
}

Test(conf, unknown_profile_lists_the_ones_there)
{
	cr_assert_eq(conf_parse(&conf, "cfg", "[profile a]\n[profile b]\n", &err), 0);
	cr_assert_null(conf_profile(&conf, "c", &err));
	cr_assert(strstr(err.msg, "no profile \"c\"") && strstr(err.msg, "a, b"), "%s", err.msg);
}

Test(conf, empty_file_has_no_default_profile)
{
	cr_assert_eq(conf_parse(&conf, "cfg", "# nothing\n", &err), 0);
	cr_assert_null(conf_profile(&conf, NULL, &err));
	cr_assert(strstr(err.msg, "defines no profile"), "%s", err.msg);
}

Test(conf, validate_requires_what_the_auth_method_needs)
{
	cr_assert_eq(conf_parse(&conf, "cfg", "[profile a]\ntenant = t\nclient_id = c\nauth = client-secret\n"
				"[profile b]\nclient_id = c\n[profile c]\ntenant = t\nclient_id = c\nauth = certificate\n"
				"[profile d]\ntenant = t\nclient_id = c\n", &err), 0);
	cr_assert_eq(conf_profile_validate(&conf.profiles[0], false, &err), -1);
	cr_assert(strstr(err.msg, "no client_secret_file"), "%s", err.msg);
	cr_assert_eq(conf_profile_validate(&conf.profiles[0], true, &err), 0, "%s", err.msg);
	cr_assert_eq(conf_profile_validate(&conf.profiles[1], false, &err), -1);
	cr_assert(strstr(err.msg, "has no tenant"), "%s", err.msg);
	cr_assert_eq(conf_profile_validate(&conf.profiles[2], false, &err), -1);
	cr_assert(strstr(err.msg, "no certificate file"), "%s", err.msg);
	cr_assert_eq(conf_profile_validate(&conf.profiles[3], false, &err), 0, "%s", err.msg);
}

Test(conf, load_reports_a_missing_file_and_nul_bytes)
{
	cr_assert_eq(session_load_conf(&conf, "/nonexistent/chatsync/config", &err), -1);
	cr_assert(strstr(err.msg, "/nonexistent/chatsync/config"), "%s", err.msg);
	char path[] = "/tmp/chatsync-conf-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "[profile a]\n\0tenant = x\n", 24), 24);
	close(fd);
	cr_assert_eq(session_load_conf(&conf, path, &err), -1);
	cr_assert(strstr(err.msg, "NUL byte"), "%s", err.msg);
	unlink(path);
}

Test(conf, a_byte_order_mark_is_not_part_of_the_first_line)
{
	cr_assert_eq(conf_parse(&conf, "c", "\xEF\xBB\xBF[profile a]\ntenant = t\n", &err), 0, "%s", err.msg);
	cr_assert_eq(conf.n_profiles, 1);
	cr_assert_str_eq(conf.profiles[0].name, "a");
	conf_free(&conf);
	/* Only at the very start: one in the middle of a file is still an error. */
	cr_assert_eq(conf_parse(&conf, "c", "[profile a]\n\xEF\xBB\xBFtenant = t\n", &err), -1);
}

/* A config in a private directory of its own, with mode. */
static char *config_file(char **dir, const char *text, mode_t mode)
{
	*dir = run_tmpdir();
	char *path = malloc(strlen(*dir) + 16);
	sprintf(path, "%s/config", *dir);
	cr_assert_eq(run_write_file(path, text, mode), 0);
	return path;
}

Test(conf, a_config_writable_by_others_is_refused)
{
	char *dir, *path = config_file(&dir, "[profile a]\ntenant = t\nclient_id = c\n", 0666);
	cr_assert_eq(session_load_conf(&conf, path, &err), -1);
	cr_assert(strstr(err.msg, "permissions 0666") && strstr(err.msg, "chmod go-w"), "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	chmod(path, 0620);
	cr_assert_eq(session_load_conf(&conf, path, &err), -1);
	chmod(path, 0644); /* readable by all is fine: it holds no secret */
	cr_assert_eq(session_load_conf(&conf, path, &err), 0, "%s", err.msg);
	run_rmtree(dir);
	free(dir);
	free(path);
}

Test(conf, a_ca_file_writable_by_others_is_refused)
{
	char *dir = run_tmpdir();
	char ca[512], text[1024];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	cr_assert_eq(run_write_file(ca, "-----BEGIN CERTIFICATE-----\n", 0664), 0);
	snprintf(text, sizeof text, "[profile a]\ntenant = t\nclient_id = c\nca_file = %s\n", ca);
	cr_assert_eq(conf_parse(&conf, "c", text, &err), 0, "%s", err.msg);
	cr_assert_eq(session_check_profile(&conf.profiles[0], &err), -1);
	cr_assert(strstr(err.msg, "permissions 0664") && strstr(err.msg, ca) && strstr(err.msg, "ca_file"), "%s",
		  err.msg);
	chmod(ca, 0644);
	cr_assert_eq(session_check_profile(&conf.profiles[0], &err), 0, "%s", err.msg);
	run_rmtree(dir);
	free(dir);
}

static void redirect_stderr(void) { cr_redirect_stderr(); }

Test(conf, sslkeylogfile_is_warned_about_on_stderr_and_in_the_log, .init = redirect_stderr)
{
	char *dir = run_tmpdir();
	char log[512];
	snprintf(log, sizeof log, "%s/chatsync.log", dir);
	cr_assert_eq(log_open(log, LOG_INFO, -1), 0);
	setenv("SSLKEYLOGFILE", "/tmp/keys.log", 1);
	cr_assert_eq(conf_parse(&conf, "c", "[profile a]\ntenant = t\nclient_id = c\n", &err), 0);
	cr_assert_eq(session_check_profile(&conf.profiles[0], &err), 0, "%s", err.msg);
	cr_assert_eq(session_check_profile(&conf.profiles[0], &err), 0, "%s", err.msg); /* said once */
	unsetenv("SSLKEYLOGFILE");
	log_close();
	fflush(stderr);
	char *text = run_read_file(log, NULL);
	cr_assert(text && strstr(text, "warn: SSLKEYLOGFILE is set") && strstr(text, "/tmp/keys.log"), "%s", text);
	free(text);
	cr_assert_stderr_eq_str("chatsync: warn: SSLKEYLOGFILE is set: the TLS session keys of this run go to "
				"/tmp/keys.log, and whoever can read it can read the tokens and secrets sent (unset "
				"SSLKEYLOGFILE unless you are debugging TLS)\n");
	run_rmtree(dir);
	free(dir);
}

Test(conf, garbage_in_chatsync_now_or_chatsync_log_is_an_error)
{
	char *dir = run_tmpdir();
	char cache[512];
	snprintf(cache, sizeof cache, "%s/c.db", dir);
	struct session s;
	struct session_opts o = { .cache_path = cache };
	setenv("CHATSYNC_NOW", "next tuesday", 1);
	cr_assert_eq(session_open(&s, &o, &err), -1);
	session_close(&s);
	cr_assert(strstr(err.msg, "CHATSYNC_NOW is \"next tuesday\", not an ISO 8601 time"), "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
	cr_assert_eq(session_open(&s, &o, &err), 0, "%s", err.msg);
	session_close(&s);
	unsetenv("CHATSYNC_NOW");
	char bad_log[600];
	snprintf(bad_log, sizeof bad_log, "%s/no/such/dir/x.log", dir);
	setenv("CHATSYNC_LOG", bad_log, 1);
	cr_assert_eq(log_open(bad_log, LOG_INFO, -1), -1);
	cr_assert_eq(session_open(&s, &o, &err), -1);
	session_close(&s);
	cr_assert(strstr(err.msg, "cannot write the log CHATSYNC_LOG names") && strstr(err.msg, bad_log) &&
		  strstr(err.msg, "No such file"), "%s", err.msg);
	cr_assert_eq(log_open(dir, LOG_INFO, -1), -1); /* a directory */
	cr_assert_eq(session_open(&s, &o, &err), -1);
	session_close(&s);
	unsetenv("CHATSYNC_LOG");
	log_close();
	run_rmtree(dir);
	free(dir);
}

Test(conf, history_days_is_a_number_of_days)
{
	cr_assert_eq(conf_parse(&conf, "cfg", "[profile a]\nhistory_days = 30\n[profile b]\n", &err), 0, "%s", err.msg);
	cr_assert_eq(conf.profiles[0].history_days, 30);
	cr_assert_eq(conf.profiles[1].history_days, 0, "unset: the default");
	conf_free(&conf);
	cr_assert_eq(conf_parse(&conf, "cfg", "[profile a]\nhistory_days = 0\n", &err), -1);
	cr_assert(strstr(err.msg, "cfg:2: history_days takes a number of days from 1 to 3650"), "%s", err.msg);
	cr_assert_eq(conf_parse(&conf, "cfg", "[profile a]\nhistory_days = 7d\n", &err), -1);
}
