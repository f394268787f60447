/* The command table, declared once: X(name, handler, least and most operands, the values the last
 * operand takes ("on|off"; NULL: any), and the sentence a wrong count or value gets). cli_check_args
 * holds a command line to it before anything starts: the config, the cache, the demo's sandbox. */
#ifndef CHATSYNC_COMMANDS_H
#define CHATSYNC_COMMANDS_H
#include <signal.h>
#include "cli/cli.h"
#include "base/i18n.h"

#define CLI_ANY 1024
#define CLI_COMMANDS(X) \
	X(refresh, cmd_refresh, 0, CLI_ANY, NULL, NULL) \
	X(envs, cmd_envs, 0, 0, NULL, N_("envs takes no arguments (see chatsync --help)")) \
	X(chats, cmd_chats, 0, 1, NULL, N_("chats takes at most one environment (see chatsync --help)")) \
	X(diagnose, cmd_diagnose, 1, 1, NULL, \
	  N_("diagnose takes one chat: a Teams chat id, an activity id or a unique prefix (see chatsync chats)")) \
	X(sync, cmd_sync, 2, 2, "on|off", N_("usage: chatsync sync ENV on|off")) \
	X(rsc, cmd_rsc, 0, 0, NULL, N_("rsc takes no arguments (see chatsync --help)")) \
	X(check, cmd_check, 0, 0, NULL, N_("check takes no arguments (see chatsync --help)")) \
	X(audit, cmd_audit, 0, 0, NULL, N_("audit takes no arguments (see chatsync --help)")) \
	X(history, cmd_history, 0, 1, NULL, N_("usage: chatsync history CHAT, or chatsync history --env ENV")) \
	X(changes, cmd_changes, 0, 0, NULL, N_("usage: chatsync changes [--since DURATION|TIME]"))

#define CLI_DECLARE(name, fn, least, most, values, usage) int fn(struct cli_context *ctx, struct cs_error *err);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* Ctrl-C and SIGTERM set the returned flag (cleared now), which cancels the network work it is
 * handed to: a refresh or the toggle. */
volatile sig_atomic_t *cli_interrupt_flag(void);
/* Refreshes envs (none: all), or only one chat's details when chat is given; progress on stderr. */
int cli_refresh(struct cli_context *ctx, char *const *envs, size_t n_envs, const char *chat, struct cs_error *err);

#endif
