/* sync ENV on|off: the front end of the one write (sync/toggle.h). It words the plan on stderr,
 * asks on the terminal (never stdin: a pipe must not confirm a write), honours --yes and
 * --readonly, and prints the outcome; the write itself, its checks and its audit are sync/'s. */
#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "base/text.h"
#include "store/cache.h"
#include "sync/toggle.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void show_plan(const struct toggle_plan *p, void *user)
{
	(void)user;
	char *name = text_sanitize(p->env->unique_name);
	fprintf(stderr, _("%s: Teams chat sync %s → %s (signed in as %s)\n"), name, toggle_onoff(p->old),
		p->want ? "on" : "off", p->identity ? p->identity : "?");
	free(name);
	if (!p->want || p->round > 0)
		return;
	if (!p->delegated)
		fprintf(stderr, _("  Signed in as an application: its application user needs the System Administrator "
				  "role in this environment.\n"));
	fprintf(stderr, _("  Chats connected before now will not sync: %zu connected chat(s) of this environment have no "
			  "activity row; reconnect them from their records after turning sync on.\n"), p->unrecorded);
	fprintf(stderr, _("  Tenant chat RSC state: %s%s\n"), cs_rsc_state_name(p->rsc_state),
		p->rsc_state == CS_RSC_DISABLED_FOR_ALL_APPS
			? _(" — no chat will sync until RSC for chats is allowed (Set-MgBetaChatRscConfiguration -State "
			    "EnabledForAllApps)")
			: p->rsc_state == CS_RSC_UNKNOWN ? _(" (never read: run chatsync refresh)") : "");
}

/* Asks on /dev/tty: y/N, or a production environment's unique name typed exactly. */
static int confirm_on_tty(const struct toggle_plan *p, void *user)
{
	(void)user;
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return -1;
	char *name = text_sanitize(p->env->unique_name);
	if (p->production)
		fprintf(tty, _("%s is a production environment. Type its name to confirm: "), name);
	else
		fprintf(tty, _("Apply this change? [y/N] "));
	fflush(tty);
	free(name);
	char line[256] = "";
	int ok = 0;
	if (fgets(line, sizeof line, tty)) {
		line[strcspn(line, "\r\n")] = '\0';
		ok = p->production ? strcmp(line, p->env->unique_name) == 0
				   : (strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0);
	}
	fclose(tty);
	return ok;
}

static void note(const char *line, void *user)
{
	(void)user;
	fprintf(stderr, "%s\n", line);
}

int cmd_sync(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args != 2 || (strcmp(ctx->opts->args[1], "on") && strcmp(ctx->opts->args[1], "off")))
		return cs_fail(err, CS_EXIT_USAGE, _("usage: chatsync sync ENV on|off"));
	struct toggle_opts o = { .env = ctx->opts->args[0], .want = strcmp(ctx->opts->args[1], "on") == 0,
				 .readonly = ctx->opts->readonly, .assume_yes = ctx->opts->yes,
				 .confirm = confirm_on_tty, .show = show_plan, .note = note,
				 .cancel = cli_interrupt_flag() };
	struct toggle_result res;
	int rc = toggle_run(ctx->s.profile, ctx->s.cache, &o, &res, err);
	if (rc == 0) {
		char *name = text_sanitize(res.env);
		if (res.outcome && strcmp(res.outcome, "unchanged") == 0)
			printf(_("%s: Teams chat sync is already %s; nothing to change\n"), name, toggle_onoff(res.now));
		else
			printf(_("%s: Teams chat sync is now %s\n"), name, toggle_onoff(res.now));
		free(name);
	}
	toggle_result_free(&res);
	return rc;
}
