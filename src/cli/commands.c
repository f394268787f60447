#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "base/log.h"
#include <string.h>

struct command {
	const char *name;
	int (*run)(struct cli_context *ctx, struct cs_error *err);
};

#define CLI_ENTRY(name, fn) { #name, fn },
static const struct command commands[] = { CLI_COMMANDS(CLI_ENTRY) };

int cli_run(struct cli_opts *opts, struct cs_error *err)
{
	const struct command *cmd = NULL;
	/* No command is the console: main.c runs it (cli/ and ui/ never include each other). */
	if (!opts->command) {
		cs_fail(err, CS_EXIT_USAGE, "%s", _("no command given (see chatsync --help)"));
		return CS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, opts->command) == 0)
			cmd = &commands[i];
	if (!cmd) {
		cs_fail(err, CS_EXIT_USAGE, _("unknown command \"%s\" (see chatsync --help)"), opts->command);
		return CS_EXIT_USAGE;
	}
	struct cli_context ctx;
	if (cli_context_open(&ctx, opts, false, err)) {
		cli_context_close(&ctx);
		return cli_failure_status(opts, err);
	}
	log_debug("command %s, profile %s, cache %s", cmd->name, ctx.s.profile ? ctx.s.profile->name : "-",
		  ctx.s.cache_path);
	int rc = 0;
	/* --refresh on a read command refreshes first (diagnose does its own, narrower one); the demo
	 * tenant starts empty, so every demo command but refresh fills the cache first. */
	bool first = opts->demo ? strcmp(cmd->name, "refresh") != 0
				: opts->refresh && strcmp(cmd->name, "diagnose") != 0 &&
					  strcmp(cmd->name, "refresh") != 0 && strcmp(cmd->name, "audit") != 0;
	if (first) {
		opts->refresh = false;
		bool one_env = strcmp(cmd->name, "chats") == 0 && opts->n_args == 1;
		rc = cli_refresh(&ctx, one_env ? opts->args : NULL, one_env ? 1 : 0, NULL, err);
	}
	if (rc == 0)
		rc = cmd->run(&ctx, err);
	cli_context_close(&ctx);
	if (rc < 0)
		return cli_failure_status(opts, err);
	return rc;
}
