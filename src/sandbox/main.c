/* chatsync-sandbox: a stand-in for the Microsoft endpoints chatsync uses, on loopback HTTPS.
 * Startup: options, clock, keys (TLS at once, RSA in the background), server, tenant, profile,
 * then exactly one line on stdout; it serves until SIGTERM or SIGINT. */
#include "config.h"
#include "sandbox/entra.h"
#include "sandbox/faults.h"
#include "sandbox/http.h"
#include "sandbox/limits.h"
#include "sandbox/rlog.h"
#include "sandbox/server.h"
#include "sandbox/tls.h"
#include "base/i18n.h"
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: chatsync-sandbox [OPTION]...\n"
		"Serve Entra ID, Global Discovery, Dataverse and Microsoft Graph for chatsync on loopback HTTPS.\n\n"
		"  --port N                  port (0: pick a free one; default 0)\n"
		"  --bind ADDR               loopback address to listen on (default 127.0.0.1)\n"
		"  --dir DIR                 where to write ca.pem, client.pem, the request log (default: a new temp dir)\n"
		"  --cert FILE --key FILE    serve with this certificate and key instead of generated ones\n"
		"  --write-profile FILE      write a chatsync config (0600) with the sandbox profiles\n"
		"  --seed N                  generator seed (default 1)\n"
		"  --envs N                  environments (default 3)\n"
		"  --chats-per-env N         connected chats per environment (default 60)\n"
		"  --rsc-state STATE         ManagedByMicrosoft (default), EnabledForAllApps,\n"
		"                            EnabledForPreApprovedAppsOnly, DisabledForAllApps or Custom\n"
		"  --auto-approve-after S    approve device codes S seconds after they are issued\n"
		"  --device-interval S       polling interval device codes ask for (default 1)\n"
		"  --device-code-lifetime S  seconds a device code lives (default 900)\n"
		"  --limits on|off           service protection limits (default on)\n"
		"  --limit-scale F           multiply limit counts and windows by F (windows >= 1 s)\n"
		"  --token-lifetime S        access token lifetime (default 3599)\n"
		"  --delegated-chats all|member  what a delegated sign-in may read under /chats/{id}: only the chats\n"
		"                            its user is a member of, as Graph does (default), or every chat\n"
		"  --chat-sync-preapproved yes|no  whether Dataverse Chat Sync has a chat pre-approval policy (default yes)\n"
		"  --page-size N             most rows in one Dataverse page, deltas included (1-5000; default 5000)\n"
		"  --fault SPEC              inject faults, e.g. p503=0.2,path=/graph (repeatable)\n"
		"  --request-log FILE        JSONL request log (default DIR/requests.jsonl)\n"
		"  --quiet                   no diagnostics on stderr\n"
		"  --help, --version\n\n"
		"On start it prints one line: listening https://127.0.0.1:PORT ca=PATH\n"));
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "chatsync-sandbox: %s: %s\n", what, why);
	return 2;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

enum { O_PORT = 256, O_BIND, O_DIR, O_CERT, O_KEY, O_PROFILE, O_SEED, O_ENVS, O_CHATS, O_RSC, O_APPROVE,
	O_INTERVAL, O_DEVLIFE, O_LIMITS, O_SCALE, O_TOKLIFE, O_PAGE, O_DELEG, O_PREAPP, O_FAULT, O_RLOG, O_QUIET, O_HELP, O_VERSION };

static int parse_options(int argc, char **argv, struct sb_options *o, struct sb_faults *faults)
{
	static const struct option longs[] = {
		{ "port", 1, 0, O_PORT }, { "bind", 1, 0, O_BIND }, { "dir", 1, 0, O_DIR }, { "cert", 1, 0, O_CERT },
		{ "key", 1, 0, O_KEY }, { "write-profile", 1, 0, O_PROFILE }, { "seed", 1, 0, O_SEED },
		{ "envs", 1, 0, O_ENVS }, { "chats-per-env", 1, 0, O_CHATS }, { "rsc-state", 1, 0, O_RSC },
		{ "auto-approve-after", 1, 0, O_APPROVE }, { "device-interval", 1, 0, O_INTERVAL },
		{ "device-code-lifetime", 1, 0, O_DEVLIFE }, { "limits", 1, 0, O_LIMITS },
		{ "limit-scale", 1, 0, O_SCALE }, { "token-lifetime", 1, 0, O_TOKLIFE },
		{ "page-size", 1, 0, O_PAGE }, { "delegated-chats", 1, 0, O_DELEG },
		{ "chat-sync-preapproved", 1, 0, O_PREAPP }, { "fault", 1, 0, O_FAULT },
		{ "request-log", 1, 0, O_RLOG }, { "quiet", 0, 0, O_QUIET }, { "help", 0, 0, O_HELP },
		{ "version", 0, 0, O_VERSION }, { 0, 0, 0, 0 },
	};
	int c;
	double v;
	char err[256];
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		const char *a = optarg;
		switch (c) {
		case O_PORT:
			if (!parse_num(a, 0, 65535, &v))
				return die("--port", _("expected 0-65535"));
			o->port = (int)v;
			break;
		case O_BIND: o->bind = a; break;
		case O_DIR: o->dir = a; break;
		case O_CERT: o->cert = a; break;
		case O_KEY: o->key = a; break;
		case O_PROFILE: o->write_profile = a; break;
		case O_SEED:
			if (!parse_num(a, 0, 9007199254740992.0, &v))
				return die("--seed", _("expected a non-negative integer"));
			o->seed = (uint64_t)v;
			break;
		case O_ENVS:
			if (!parse_num(a, 1, 100, &v))
				return die("--envs", _("expected 1-100"));
			o->envs = (int)v;
			break;
		case O_CHATS:
			if (!parse_num(a, 0, 1000000, &v))
				return die("--chats-per-env", _("expected 0-1000000"));
			o->chats_per_env = (int)v;
			break;
		case O_RSC: o->rsc_state = a; break;
		case O_APPROVE:
			if (!parse_num(a, 0, 86400, &o->auto_approve_after))
				return die("--auto-approve-after", _("expected seconds (0-86400)"));
			break;
		case O_INTERVAL:
			if (!parse_num(a, 1, 60, &v))
				return die("--device-interval", _("expected 1-60 seconds"));
			o->device_interval = (int)v;
			break;
		case O_DEVLIFE:
			if (!parse_num(a, 1, 86400, &o->device_expiry))
				return die("--device-code-lifetime", _("expected 1-86400 seconds"));
			break;
		case O_LIMITS:
			if (strcmp(a, "on") && strcmp(a, "off"))
				return die("--limits", _("expected on or off"));
			o->limits = !strcmp(a, "on");
			break;
		case O_SCALE:
			if (!parse_num(a, 1e-6, 1000, &o->limit_scale))
				return die("--limit-scale", _("expected a factor between 0.000001 and 1000"));
			break;
		case O_PREAPP:
			if (strcmp(a, "yes") && strcmp(a, "no"))
				return die("--chat-sync-preapproved", _("expected yes or no"));
			o->chat_sync_not_preapproved = !strcmp(a, "no");
			break;
		case O_DELEG:
			if (strcmp(a, "all") && strcmp(a, "member"))
				return die("--delegated-chats", _("expected all or member"));
			o->delegated_members_only = !strcmp(a, "member");
			break;
		case O_PAGE:
			if (!parse_num(a, 1, 5000, &v) || v != (int)v)
				return die("--page-size", _("expected 1-5000 rows"));
			o->page_size = (int)v;
			break;
		case O_TOKLIFE:
			if (!parse_num(a, 1, 86400, &v))
				return die("--token-lifetime", _("expected 1-86400 seconds"));
			o->token_lifetime = (int)v;
			break;
		case O_FAULT:
			if (sb_faults_add_spec(faults, a, err, sizeof err) < 0)
				return die("--fault", err);
			break;
		case O_RLOG: o->request_log = a; break;
		case O_QUIET: o->quiet = true; break;
		case O_HELP: usage(stdout); return 1;
		case O_VERSION: printf("chatsync-sandbox %s\n", PACKAGE_VERSION); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		return die(argv[optind], _("unexpected argument (see --help)"));
	return 0;
}

static int write_profile(struct sb_server *s, char *err, size_t errlen)
{
	const char *path = s->opt.write_profile;
	struct sb_tenant *t = &s->tenant;
	char *sec1 = xasprintf("%s.secret", path), *sec2 = xasprintf("%s.reader.secret", path);
	char *sec1_line = xasprintf("%s\n", t->apps[0].secret), *sec2_line = xasprintf("%s\n", t->apps[1].secret);
	int rc = -1;
	if (sb_write_file(sec1, sec1_line, strlen(sec1_line), 0600) < 0 ||
	    sb_write_file(sec2, sec2_line, strlen(sec2_line), 0600) < 0) {
		snprintf(err, errlen, "cannot write the secret file beside %s: %s", path, strerror(errno));
		goto out;
	}
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "# Written by chatsync-sandbox for %s; valid while it runs.\n", s->base_url);
	struct {
		const char *name, *auth, *comment;
		const struct sb_app *app;
		const char *extra;
	} profiles[] = {
		{ "sandbox", "client-secret", "app with System Administrator in every environment", &t->apps[0], sec1 },
		{ "sandbox-cert", "certificate", "same app, certificate credential", &t->apps[0], NULL },
		{ "sandbox-device", "device-code", "admin@" SB_TENANT_DOMAIN ", a Global Administrator", &t->apps[2], NULL },
		{ "sandbox-reader", "client-secret", "app without System Administrator (writes get 403)", &t->apps[1], sec2 },
		{ "sandbox-user", "device-code", "user@" SB_TENANT_DOMAIN ", not a Global Administrator", &t->apps[3], NULL },
		{ "sandbox-browser", "browser", "admin@" SB_TENANT_DOMAIN " through a browser (authorization code, PKCE)",
				&t->apps[2], NULL },
	};
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
		buf_printf(&b, "\n# %s\n[profile %s]\ntenant = %s\nclient_id = %s\nauth = %s\n", profiles[i].comment,
				profiles[i].name, t->domain, profiles[i].app->client_id, profiles[i].auth);
		if (profiles[i].extra)
			buf_printf(&b, "client_secret_file = %s\n", profiles[i].extra);
		if (!strcmp(profiles[i].auth, "certificate"))
			buf_printf(&b, "certificate = %s\n", s->client_pem_path);
		buf_printf(&b, "authority = %s/entra\ngraph = %s/graph\ndiscovery = %s/disco\nca_file = %s\n", s->base_url,
				s->base_url, s->base_url, s->keys->ca_path);
	}
	rc = sb_write_file(path, b.data, b.len, 0600);
	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	buf_free(&b);
out:
	free(sec1);
	free(sec2);
	free(sec1_line);
	free(sec2_line);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int serve(struct sb_server *s)
{
	char err[512];
	if (sb_clock_init() < 0)
		return die("CHATSYNC_NOW", _("not an ISO 8601 time (e.g. 2026-11-14T09:12:00Z)"));
	enum sb_rsc rsc = SB_RSC_MANAGED_BY_MICROSOFT;
	if (s->opt.rsc_state && sb_rsc_parse(s->opt.rsc_state, &rsc) < 0)
		return die("--rsc-state", _("expected ManagedByMicrosoft, EnabledForAllApps, "
					     "EnabledForPreApprovedAppsOnly, DisabledForAllApps or Custom"));
	if (s->opt.dir) {
		if (mkdir(s->opt.dir, 0700) < 0 && errno != EEXIST)
			return die(s->opt.dir, strerror(errno));
		s->dir = realpath(s->opt.dir, NULL);
		if (!s->dir)
			return die(s->opt.dir, strerror(errno));
	} else {
		const char *tmp = getenv("TMPDIR");
		s->dir = xasprintf("%s/chatsync-sandbox-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(s->dir))
			return die(s->dir, strerror(errno));
		s->dir_is_temp = true;
	}
	s->keys = xcalloc(1, sizeof *s->keys);
	if (sb_keys_tls(s->keys, s->dir, s->opt.cert, s->opt.key, err, sizeof err) < 0)
		return die(_("TLS"), err);
	s->client_pem_path = xasprintf("%s/client.pem", s->dir);
	sb_keys_start_rsa(s->keys, s->client_pem_path);
	char *log_path = s->opt.request_log ? xstrdup(s->opt.request_log) : xasprintf("%s/requests.jsonl", s->dir);
	s->rlog = sb_rlog_open(log_path, err, sizeof err);
	free(log_path);
	if (!s->rlog)
		return die(_("request log"), err);
	s->entra = sb_entra_new();
	s->limits = sb_limits_new(s->opt.limits, s->opt.limit_scale);
	if (sb_http_start(s, err, sizeof err) < 0)
		return die(_("server"), err);
	struct sb_gen_opts g = { s->opt.seed, s->opt.envs, s->opt.chats_per_env, rsc, s->base_url };
	sb_tenant_generate(&s->tenant, &g);
	if (s->opt.write_profile) {
		/* The certificate profile names client.pem: it must exist before anyone reads the profile. */
		if (sb_keys_wait(s->keys) < 0)
			return die(_("keys"), s->keys->error);
		if (write_profile(s, err, sizeof err) < 0)
			return die(_("profile"), err);
	}
	s->ready = true;
	printf("listening %s ca=%s\n", s->base_url, s->keys->ca_path);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	signal(SIGPIPE, SIG_IGN);
	/* Block the stop signals before any thread starts, so only sigwait below receives them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	struct sb_server s = { 0 };
	s.opt = (struct sb_options){ .port = 0, .bind = "127.0.0.1", .seed = 1, .envs = 3, .chats_per_env = 60,
		.auto_approve_after = -1, .device_expiry = 900, .device_interval = 1, .limits = true,
		.limit_scale = 1.0, .token_lifetime = 3599, .delegated_members_only = true };
	s.faults = sb_faults_new();
	int rc = parse_options(argc, argv, &s.opt, s.faults);
	if (rc == 0)
		rc = serve(&s);
	if (rc == 0) {
		int sig;
		sigwait(&stop, &sig);
	}
	sb_http_stop(&s);
	if (s.keys) {
		sb_keys_free(s.keys);
		free(s.keys);
	}
	if (s.tenant.users)
		sb_tenant_free(&s.tenant);
	sb_entra_free(s.entra);
	sb_limits_free(s.limits);
	sb_faults_free(s.faults);
	sb_rlog_close(s.rlog);
	if (s.dir_is_temp)
		nftw(s.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s.dir);
	free(s.client_pem_path);
	free(s.base_url);
	return rc == 1 ? 0 : rc;
}
