/* Runs the console as the chatsync binary will: the same options (cli_parse), the same context
 * (cli_context_open), then ui_run. For the terminal tests it can also
 *   - write its pid to $UI_DRIVER_PIDFILE (to send it SIGHUP),
 *   - write "exit=N icanon=B echo=B" to $UI_DRIVER_STATUS after ui_run, from the terminal's
 *     modes, which shows whether the terminal was given back as it was,
 *   - with $UI_DRIVER_HOOKS set, hand the console a refresh and a toggle with sync/'s contracts
 *     but without the cloud (the refresh clears the trial environment's error after
 *     $UI_DRIVER_REFRESH_MS; the toggle asks through the console's confirm callback, writes the
 *     cache and audits, and fails with a 403 sentence when $UI_DRIVER_TOGGLE_FAIL is set, asks for
 *     the name with $UI_DRIVER_PRODUCTION). The real ones run in the --demo tests. */
#include "config.h"
#include "cli/cli.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "store/cache.h"
#include "sync/toggle.h"
#include "ui/ui.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Like the real refresh (refresh_run's contract): on the console's worker thread, with a cache
 * connection of its own, progress as it goes; clears the trial environment's error. */
static int fake_refresh(struct net *net, struct cache *cache, const struct refresh_opts *o, struct refresh_report *rep,
			struct cs_error *err)
{
	(void)net;
	memset(rep, 0, sizeof *rep);
	o->progress(&(struct refresh_progress){ .phase = "discovery", .total = 1 }, o->user);
	int ms = getenv("UI_DRIVER_REFRESH_MS") ? atoi(getenv("UI_DRIVER_REFRESH_MS")) : 200;
	for (int i = 0; i < ms / 10; i++)
		usleep(10 * 1000);
	if (cache_set_env_error(cache, "e-trial", NULL, err))
		return -1;
	o->progress(&(struct refresh_progress){ .phase = "dataverse", .env = "trial", .done = 3, .total = 3 }, o->user);
	o->progress(&(struct refresh_progress){ .phase = "done", .done = 1, .total = 1 }, o->user);
	return 0;
}

/* The one write's contract (sync/toggle.h) without the cloud: the plan from the cache, the
 * console's confirmation, the new value into the cache, an audit row. */
static int fake_toggle(const struct conf_profile *p, struct cache *cache, const struct toggle_opts *o,
		       struct toggle_result *res, struct cs_error *err)
{
	(void)p;
	memset(res, 0, sizeof *res);
	struct cs_env env;
	if (cache_find_env(cache, o->env, &env, err))
		return -1;
	res->old = res->now = env.sync_enabled;
	bool production = getenv("UI_DRIVER_PRODUCTION") != NULL;
	struct toggle_plan plan = { .env = &env, .old = env.sync_enabled, .want = o->want,
				    .identity = "admin@contoso.onmicrosoft.com", .delegated = true,
				    .production = production, .unrecorded = o->want ? 1 : 0,
				    .rsc_state = CS_RSC_ENABLED_FOR_ALL_APPS };
	int yes = o->confirm(&plan, o->user);
	const char *result = yes == 1 ? "ok" : "cancelled";
	int rc = 0;
	if (yes == 1 && getenv("UI_DRIVER_TOGGLE_FAIL")) {
		result = "refused: 403";
		rc = cs_fail(err, CS_EXIT_NETWORK,
			     "Dataverse refused the change for %s (403): the application user needs the System "
			     "Administrator role in this environment (Forbidden)", env.unique_name);
	} else if (yes == 1) {
		rc = cache_set_env_sync(cache, env.id, o->want, NULL, time_now(), err);
		res->now = o->want ? CS_TRUE : CS_FALSE;
	} else {
		rc = cs_fail(err, CS_EXIT_USAGE, "nothing changed: %s was not confirmed", env.unique_name);
	}
	struct cache_audit a = { .time = time_now(), .profile = (char *)"test", .identity = (char *)plan.identity,
				 .environment = env.unique_name, .old_value = (char *)(env.sync_enabled == CS_TRUE ? "on" : "off"),
				 .new_value = (char *)(o->want ? "on" : "off"), .result = (char *)result };
	struct cs_error aerr = { 0 };
	cache_audit_append(cache, &a, &aerr);
	res->outcome = strdup(result);
	cs_env_free(&env);
	return rc;
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
	log_open(getenv("CHATSYNC_LOG"), LOG_INFO, -1);
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
	struct ui_config cfg = {
		.session = &ctx.s,
		.readonly = opts.readonly || (ctx.s.profile && ctx.s.profile->readonly),
		.no_color = opts.no_color,
		.mouse = opts.mouse,
		.refresh_at_start = opts.refresh,
		.warn_hours = opts.warn_hours,
		.now = ctx.now,
	};
	/* Hooks need a profile, as the real ones do; the driver stands in one when there is none. */
	struct conf_profile standin = { .name = (char *)"test" };
	if (getenv("UI_DRIVER_HOOKS")) {
		if (!ctx.s.profile)
			ctx.s.profile = &standin;
		cfg.toggle = fake_toggle;
		cfg.refresh = fake_refresh;
		cfg.refresh_without_net = true;
	}
	int rc = ui_run(&cfg, &err);
	if (rc)
		fprintf(stderr, "ui_driver: %s\n", err.msg);
	if (ctx.s.profile == &standin)
		ctx.s.profile = NULL;
	cli_context_close(&ctx);
	write_status(rc);
	return rc;
}
