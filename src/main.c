/* chatsync: the entry point, and the one place that wires the front ends. Sets up the locale and
 * logging, parses the command line, runs a command (cli/) or the console (ui/, on the session
 * opened here), and is the only place that exits. */
#include "config.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/demo.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "store/cache.h"
#include "sync/toggle.h"
#include "ui/ui.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static struct cli_opts *console_opts;

static int count_unrecorded(const struct cs_chat *c, const struct cs_env *env, void *user)
{
	(void)env;
	if (c->state == CS_STATE_NOT_RECORDED)
		++*(size_t *)user;
	return 0;
}

/* The one write for the console, with sync/toggle.h's contract, over the command line's write
 * (cli_sync_set) until sync/toggle.c takes it over: the plan is read from the cache, asked through
 * the console's confirm callback, then written and audited as `chatsync sync --yes` does. */
static int console_toggle(const struct conf_profile *p, struct cache *cache, const struct toggle_opts *o,
			  struct toggle_result *res, struct cs_error *err)
{
	memset(res, 0, sizeof *res);
	struct cs_env env;
	if (cache_find_env(cache, o->env, &env, err))
		return -1;
	res->old = res->now = env.sync_enabled;
	size_t unrecorded = 0;
	cache_each_chat(cache, &(struct cache_chat_filter){ .env_id = env.id }, count_unrecorded, &unrecorded, NULL);
	struct cs_rsc rsc;
	int rsc_state = CS_RSC_UNKNOWN;
	if (cache_get_rsc(cache, &rsc) == 1) {
		rsc_state = rsc.state;
		cs_rsc_free(&rsc);
	}
	bool delegated = p->auth == CONF_AUTH_DEVICE_CODE;
	struct toggle_plan plan = {
		.env = &env, .old = env.sync_enabled, .want = o->want,
		.identity = delegated ? _("the person who signs in") : p->client_id, .delegated = delegated,
		.production = env.purpose && strcasecmp(env.purpose, "production") == 0,
		.unrecorded = o->want ? unrecorded : 0, .rsc_state = rsc_state,
	};
	int rc = -1;
	int yes = o->assume_yes ? 1 : o->confirm ? o->confirm(&plan, o->user) : -1;
	if (yes != 1) {
		res->outcome = xstrdup("cancelled");
		cs_fail(err, CS_EXIT_USAGE, _("nothing changed: %s was not confirmed"), env.unique_name);
	} else {
		struct cli_opts opts = *console_opts;
		opts.readonly = o->readonly;
		struct cli_context ctx = { .opts = &opts, .s = { .profile = p, .cache = cache }, .now = time_now() };
		rc = cli_sync_set(&ctx, env.id, o->want, err);
		res->outcome = xstrdup(rc == 0 ? "ok" : "failed");
		res->now = rc == 0 ? (o->want ? CS_TRUE : CS_FALSE) : env.sync_enabled;
	}
	cs_env_free(&env);
	return rc;
}

/* No command: the console, on a session of its own. */
static int run_console(struct cli_opts *opts, struct cs_error *err)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cs_fail(err, CS_EXIT_USAGE, _("the console needs a terminal (give a command for scripts; see chatsync --help)"));
		return CS_EXIT_USAGE;
	}
	struct cli_context ctx;
	if (cli_context_open(&ctx, opts, false, err)) {
		cli_context_close(&ctx);
		return err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	}
	console_opts = opts;
	const struct conf_profile *p = ctx.s.profile;
	struct ui_config cfg = {
		.session = &ctx.s,
		.readonly = opts->readonly || (p && p->readonly),
		.no_color = opts->no_color,
		.demo = opts->demo,
		/* The demo tenant starts empty: fill it in the background, the console open at once. */
		.refresh_at_start = p && (opts->demo || opts->refresh),
		.warn_hours = opts->warn_hours,
		.now = ctx.now,
		.toggle = console_toggle,
		.net_close = net_close,
	};
	int rc = ui_run(&cfg, err);
	cli_context_close(&ctx);
	return rc;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	signal(SIGPIPE, SIG_IGN);

	struct cli_opts opts;
	struct cs_error err = { 0 };
	if (cli_parse(argc, argv, &opts, &err)) {
		fprintf(stderr, "chatsync: %s\n", err.msg);
		return CS_EXIT_USAGE;
	}
	if (opts.help) {
		cli_print_help();
		return 0;
	}
	if (opts.version) {
		cli_print_version();
		return 0;
	}
	/* Log lines on stderr would land on the console's screen: there they go to the file only. */
	int stderr_level = !opts.command || opts.quiet ? -1 : opts.verbose >= 2 ? LOG_TRACE : opts.verbose ? LOG_INFO : -1;
	log_open(getenv("CHATSYNC_LOG"), opts.verbose >= 2 ? LOG_TRACE : LOG_INFO, stderr_level);
	struct demo demo = { 0 };
	if (opts.demo) {
		if (demo_start(&demo, &err)) {
			fprintf(stderr, "chatsync: %s\n", err.msg);
			log_close();
			return err.exit_code;
		}
		if (!opts.config_path)
			opts.config_path = demo.config;
		if (!opts.profile)
			opts.profile = "sandbox";
		if (!opts.cache_path)
			opts.cache_path = demo.cache;
	}
	int rc = opts.command ? cli_run(&opts, &err) : run_console(&opts, &err);
	if (rc != 0 && err.msg[0])
		fprintf(stderr, "chatsync: %s\n", err.msg);
	demo_stop(&demo);
	log_close();
	return rc;
}
