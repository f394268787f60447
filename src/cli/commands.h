/* The command table, declared once: the name, the handler and its one-line summary. */
#ifndef CHATSYNC_COMMANDS_H
#define CHATSYNC_COMMANDS_H
#include "cli/cli.h"

#define CLI_COMMANDS(X)      \
	X(envs, cmd_envs)    \
	X(chats, cmd_chats)  \
	X(audit, cmd_audit)

#define CLI_DECLARE(name, fn) int fn(struct cli_context *ctx, struct cs_error *err);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

#endif
