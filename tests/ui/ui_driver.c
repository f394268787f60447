/* Runs the console as the chatsync binary will: the same options (cli_parse), the same context
 * (cli_context_open), then ui_run. For the terminal tests it can also
 *   - write its pid to $UI_DRIVER_PIDFILE (to send it SIGHUP),
 *   - write "exit=N icanon=B echo=B" to $UI_DRIVER_STATUS after ui_run, from the terminal's
 *     modes, which shows whether the terminal was given back as it was,
 *   - with $UI_DRIVER_HOOKS set, install a refresh hook (on the console's worker thread with its
 *     own cache connection, as the real one; shows progress lines, clears the trial environment's
 *     error) and a toggle
 *     hook (writes the new value to the cache; fails with a sentence when $UI_DRIVER_TOGGLE_FAIL
 *     is set). */
#include "config.h"
#include "cli/cli.h"
#include "store/cache.h"
#include "ui/ui.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

/* Like the real refresh: on the console's worker thread, with a cache connection of its own. */
static int fake_refresh(void *user, void (*progress)(void *ui, const char *line), void *ui,
			volatile sig_atomic_t *cancel)
{
	struct cli_context *ctx = user;
	progress(ui, "refresh: discovery, 3 environments");
	for (int i = 0; i < 20 && !*cancel; i++)
		usleep(10 * 1000);
	progress(ui, "refresh: trial, 0 chats");
	struct cs_error err = { 0 };
	struct cache *cache = cache_open(ctx->s.cache_path, 0, &err);
	if (!cache || cache_set_env_error(cache, "e-trial", NULL, &err)) {
		progress(ui, err.msg);
		cache_close(cache);
		return -1;
	}
	cache_close(cache);
	return 0;
}

static int fake_toggle(void *user, const char *env_id, bool enable, struct cs_error *err)
{
	struct cli_context *ctx = user;
	if (getenv("UI_DRIVER_TOGGLE_FAIL"))
		return cs_fail(err, CS_EXIT_NETWORK,
			       "turning sync %s: Dataverse answered 403 Forbidden (sign in as a System Administrator)",
			       enable ? "on" : "off");
	return cache_set_env_sync(ctx->s.cache, env_id, enable, NULL, ctx->now, err);
}

static void write_status(int rc)
{
	const char *path = getenv("UI_DRIVER_STATUS");
	if (!path)
		return;
	struct termios t;
	int have = tcgetattr(STDIN_FILENO, &t) == 0;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "exit=%d icanon=%d echo=%d\n", rc, have && (t.c_lflag & ICANON) ? 1 : 0,
		have && (t.c_lflag & ECHO) ? 1 : 0);
	fclose(f);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct cli_opts opts;
	struct cs_error err = { 0 };
	if (cli_parse(argc, argv, &opts, &err)) {
		fprintf(stderr, "ui_driver: %s\n", err.msg);
		return 2;
	}
	const char *pidfile = getenv("UI_DRIVER_PIDFILE");
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	struct cli_context ctx;
	if (cli_context_open(&ctx, &opts, false, &err)) {
		fprintf(stderr, "ui_driver: %s\n", err.msg);
		cli_context_close(&ctx);
		write_status(err.exit_code);
		return err.exit_code ? err.exit_code : 2;
	}
	if (getenv("UI_DRIVER_HOOKS")) {
		ui_set_refresh_hook(fake_refresh, &ctx);
		ui_set_toggle_hook(fake_toggle, &ctx);
	}
	int rc = ui_run(&ctx, &err);
	if (rc)
		fprintf(stderr, "ui_driver: %s\n", err.msg);
	cli_context_close(&ctx);
	write_status(rc);
	return rc;
}
