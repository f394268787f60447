/* The interactive console (ncursesw): environments, their chats, a chat's diagnosis, help.
 * main() calls ui_run when no command is given. The network refresh and the sync toggle live
 * outside the console; whoever has them hands them in through the hooks below before ui_run. */
#ifndef CHATSYNC_UI_H
#define CHATSYNC_UI_H
#include <signal.h>
#include <stdbool.h>
#include "base/error.h"

struct cli_context;

/* `r` starts hook(user, progress, ui, cancel) on a worker thread, so the console keeps taking keys
 * (the UI never waits on the network). The hook reports each line to show with progress(ui, line)
 * — from its own thread: the console draws it on the next turn of its loop — must use its own cache
 * connection (never ctx->s.cache, which belongs to the console's thread), should stop soon when
 * *cancel becomes non-zero (quitting asks for that), must not touch signal handlers, and returns 0
 * on success or non-zero on failure (its last progress line is then shown as the reason). The
 * console re-reads the cache when it returns. Without a hook, `r` says how to refresh from the
 * shell. Borrows user. */
typedef int (*ui_refresh_hook)(void *user, void (*progress)(void *ui, const char *line), void *ui,
			       volatile sig_atomic_t *cancel);
void ui_set_refresh_hook(ui_refresh_hook hook, void *user);

/* `t` on an environment, after the user confirms, runs hook(user, env_id, enable, err): turn
 * "Sync Teams chat data with Dynamics 365 records" on (enable) or off for the environment with
 * that discovery id, audit it, and write the new value to the cache. Returns 0, or -1 with err's
 * sentence, which the status line shows. Without a hook, or when ctx->opts->readonly, `t` says
 * why it is disabled. Borrows user. */
void ui_set_toggle_hook(int (*hook)(void *user, const char *env_id, bool enable, struct cs_error *err), void *user);

/* Runs the console on the terminal until the user quits or the session ends (SIGHUP, SIGTERM,
 * a closed terminal), then restores the terminal. Reads the cache through ctx->s.cache; honours
 * ctx->opts->no_color and NO_COLOR, ctx->opts->readonly and $CHATSYNC_UI_SCRIPT (a file of keys
 * fed before the terminal's). Returns an exit code; on failure err says why. */
int ui_run(struct cli_context *ctx, struct cs_error *err);

#endif
