#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "core/conf.h"
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
		{ "[profile a]\nauth = password\n", "cfg:2: auth must be device-code, client-secret or certificate" },
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
