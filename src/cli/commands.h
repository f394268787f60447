/* The command table, declared once: the name, the handler and its one-line summary. */
#ifndef CHATSYNC_COMMANDS_H
#define CHATSYNC_COMMANDS_H
#include <signal.h>
#include "cli/cli.h"

#define CLI_COMMANDS(X)          \
	X(refresh, cmd_refresh)  \
	X(envs, cmd_envs)        \
	X(chats, cmd_chats)      \
	X(diagnose, cmd_diagnose) \
	X(sync, cmd_sync)        \
	X(rsc, cmd_rsc)          \
	X(check, cmd_check)      \
	X(audit, cmd_audit)      \
	X(history, cmd_history)  \
	X(changes, cmd_changes)

#define CLI_DECLARE(name, fn) int fn(struct cli_context *ctx, struct cs_error *err);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* The toggle without terminal output or questions, for the console (which has asked already):
 * the same checks, write and audit as `sync ENV on|off --yes`. */
int cli_sync_set(struct cli_context *ctx, const char *env_id, bool enable, struct cs_error *err);


/* Ctrl-C and SIGTERM set the returned flag (cleared now), which cancels the network work it is
 * handed to: a refresh or the toggle. */
volatile sig_atomic_t *cli_interrupt_flag(void);
/* Refreshes envs (none: all), or only one chat's details when chat is given; progress on stderr. */
int cli_refresh(struct cli_context *ctx, char *const *envs, size_t n_envs, const char *chat, struct cs_error *err);

#endif
