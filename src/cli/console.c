/* No command: the interactive console, on the same context as the commands, with the refresh and
 * the sync toggle handed in as hooks (the console knows neither the network nor the cloud). */
#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "net/http.h"
#include "store/cache.h"
#include "sync/refresh.h"
#include "ui/ui.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct console_refresh {
	void (*progress)(void *ui, const char *line);
	void *ui;
};

static void console_progress(const struct refresh_progress *p, void *user)
{
	struct console_refresh *r = user;
	char line[160];
	if (strcmp(p->phase, "dataverse") == 0)
		snprintf(line, sizeof line, _("refresh: Dataverse %zu/%zu environments (%lu requests, %lu throttled)"),
			 p->done, p->total, p->requests, p->throttled);
	else if (strcmp(p->phase, "graph") == 0)
		snprintf(line, sizeof line, _("refresh: Graph %zu/%zu chats (%lu requests, %lu throttled)"), p->done,
			 p->total, p->requests, p->throttled);
	else
		snprintf(line, sizeof line, _("refresh: %s..."), p->phase);
	r->progress(r->ui, line);
}

/* A device-code sign-in shows its code in the status line instead of on stderr (under curses). */
static void console_sign_in(const char *message, const char *user_code, const char *uri, void *user)
{
	(void)user_code;
	(void)uri;
	struct console_refresh *r = user;
	r->progress(r->ui, message);
}

/* The refresh behind the console's `r`, on the console's worker thread: its own transport and its
 * own cache connection, cancelled through the console's flag (no signal handlers of its own). */
static int console_refresh(void *user, void (*progress)(void *ui, const char *line), void *ui,
			   volatile sig_atomic_t *cancel)
{
	struct cli_context *ctx = user;
	struct cs_error err = { 0 };
	struct net *net = NULL;
	struct cache *cache = cache_open(ctx->s.cache_path, 0, &err);
	struct console_refresh r = { progress, ui };
	if (cache)
		net = session_net_open(ctx->s.profile, cancel,
				       &(struct session_hooks){ .device_code = console_sign_in, .user = &r }, &err);
	if (!net) {
		progress(ui, err.msg);
		cache_close(cache);
		return -1;
	}
	struct refresh_report rep;
	struct refresh_opts ro = { .progress = console_progress, .user = &r };
	int rc = refresh_run(net, cache, &ro, &rep, &err);
	net_close(net);
	cache_close(cache);
	if (rc != 0)
		progress(ui, err.msg[0] ? err.msg : _("some environments failed (see their REFRESHED column)"));
	return rc != 0;
}

static int console_toggle(void *user, const char *env_id, bool enable, struct cs_error *err)
{
	return cli_sync_set(user, env_id, enable, err);
}

int cli_console(struct cli_opts *opts, struct cs_error *err)
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
	int rc = 0;
	if (opts->demo || opts->refresh) /* the demo tenant starts empty */
		rc = cli_refresh(&ctx, NULL, 0, NULL, err);
	if (rc == 0) {
		if (ctx.s.profile) {
			ui_set_refresh_hook(console_refresh, &ctx);
			ui_set_toggle_hook(console_toggle, &ctx);
		}
		rc = ui_run(&ctx, err);
	}
	cli_context_close(&ctx);
	if (rc < 0)
		return err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	return rc;
}
