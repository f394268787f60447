/* chatsync: the entry point, and the one place that wires the front ends. Sets up the locale and
 * logging, parses the command line, runs a command (cli/) or the console (ui/, on the session
 * opened here), and is the only place that exits. */
#include "config.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "base/i18n.h"
#include "base/log.h"
#include "sync/toggle.h"
#include "ui/ui.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* No command: the console, on a session of its own. */
static int run_console(struct cli_opts *opts, struct cs_error *err)
{
	struct cli_context ctx;
	if (cli_context_open(&ctx, opts, false, err)) {
		cli_context_close(&ctx);
		return err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	}
	const struct conf_profile *p = ctx.s.profile;
	struct ui_config cfg = {
		.session = &ctx.s,
		.readonly = opts->readonly || (p && p->readonly),
		.no_color = opts->no_color,
		.mouse = opts->mouse || (p && p->mouse),
		.demo = opts->demo,
		/* The demo tenant starts empty: fill it in the background, the console open at once. */
		.refresh_at_start = p && (opts->demo || opts->refresh),
		.warn_hours = opts->warn_hours,
		.now = ctx.now,
		.toggle = toggle_run,
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
		return cli_failure_status(&opts, &err);
	}
	if (opts.help) {
		cli_print_help();
		return 0;
	}
	if (opts.version) {
		cli_print_version();
		return 0;
	}
	/* Wrong operands, and the console without a terminal, are refused before anything starts (with
	 * --demo: before its sandbox). */
	if (cli_check_args(&opts, &err)) {
		fprintf(stderr, "chatsync: %s\n", err.msg);
		return cli_failure_status(&opts, &err);
	}
	if (!opts.command && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "chatsync: %s\n",
			_("the console needs a terminal (give a command for scripts; see chatsync --help)"));
		return CS_EXIT_USAGE;
	}
	/* The demo's directory first: the log, tokens and audit of a demo go there. */
	struct demo demo = { 0 };
	if (opts.demo && demo_prepare(&demo, &err)) {
		fprintf(stderr, "chatsync: %s\n", err.msg);
		return cli_failure_status(&opts, &err);
	}
	/* Log lines on stderr would land on the console's screen: there they go to the file only. */
	int stderr_level = !opts.command || opts.quiet ? -1 : opts.verbose >= 2 ? LOG_TRACE : opts.verbose ? LOG_INFO : -1;
	log_open(getenv("CHATSYNC_LOG"), opts.verbose >= 2 ? LOG_TRACE : LOG_INFO, stderr_level);
	if (opts.demo) {
		if (demo_start(&demo, &err)) {
			fprintf(stderr, "chatsync: %s\n", err.msg);
			demo_stop(&demo);
			log_close();
			return cli_failure_status(&opts, &err);
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
