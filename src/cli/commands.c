#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "base/log.h"
#include <string.h>

struct command {
	const char *name;
	int (*run)(struct cli_context *ctx, struct cs_error *err);
	int least, most;
	const char *values, *usage;
};

#define CLI_ENTRY(name, fn, least, most, values, usage) { #name, fn, least, most, values, usage },
static const struct command commands[] = { CLI_COMMANDS(CLI_ENTRY) };

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; name && i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* True if value is one of the "|"-separated words of values. */
static bool one_of(const char *values, const char *value)
{
	size_t len = strlen(value);
	for (const char *p = values; *p; p += strcspn(p, "|"), p += *p == '|')
		if (strcspn(p, "|") == len && strncmp(p, value, len) == 0)
			return true;
	return false;
}

int cli_check_args(const struct cli_opts *opts, struct cs_error *err)
{
	if (!opts->command)
		return 0;
	const struct command *cmd = find_command(opts->command);
	if (!cmd)
		return cs_fail(err, CS_EXIT_USAGE, _("unknown command \"%s\" (see chatsync --help)"), opts->command);
	if (opts->n_args < cmd->least || opts->n_args > cmd->most ||
	    (cmd->values && opts->n_args > 0 && !one_of(cmd->values, opts->args[opts->n_args - 1])))
		return cs_fail(err, CS_EXIT_USAGE, "%s", _(cmd->usage));
	return 0;
}

int cli_run(struct cli_opts *opts, struct cs_error *err)
{
	/* No command is the console: main.c runs it (cli/ and ui/ never include each other). */
	if (!opts->command) {
		cs_fail(err, CS_EXIT_USAGE, "%s", _("no command given (see chatsync --help)"));
		return CS_EXIT_USAGE;
	}
	if (cli_check_args(opts, err))
		return cli_failure_status(opts, err);
	const struct command *cmd = find_command(opts->command);
	struct cli_context ctx;
	if (cli_context_open(&ctx, opts, false, err)) {
		cli_context_close(&ctx);
		return cli_failure_status(opts, err);
	}
	log_debug("command %s, profile %s, cache %s", cmd->name, ctx.s.profile ? ctx.s.profile->name : "-",
		  ctx.s.cache_path);
	int rc = 0;
	/* --refresh on a read command refreshes first (diagnose does its own, narrower one); the demo
	 * tenant starts empty, so every demo command but refresh and audit fills the cache first. */
	bool first = opts->demo ? strcmp(cmd->name, "refresh") != 0 && strcmp(cmd->name, "audit") != 0
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
