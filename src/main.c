/* chatsync: the entry point. Sets up the locale and logging, parses the command line, runs the
 * command or the console, and is the only place that exits. */
#include "config.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "base/i18n.h"
#include "base/log.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

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
	/* Wrong operands are refused before anything starts (with --demo: before its sandbox). */
	if (cli_check_args(&opts, &err)) {
		fprintf(stderr, "chatsync: %s\n", err.msg);
		return cli_failure_status(&opts, &err);
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
	int rc = cli_run(&opts, &err);
	if (rc != 0 && err.msg[0])
		fprintf(stderr, "chatsync: %s\n", err.msg);
	demo_stop(&demo);
	log_close();
	return rc;
}
