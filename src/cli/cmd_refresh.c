/* refresh, and the network side shared by the commands that talk to the cloud. */
#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "base/log.h"
#include "sync/refresh.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

volatile sig_atomic_t *cli_interrupt_flag(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	interrupted = 0;
	return &interrupted;
}

struct progress_out {
	bool tty, quiet;
	int last_len;
};

static void print_progress(const struct refresh_progress *p, void *user)
{
	struct progress_out *o = user;
	if (o->quiet)
		return;
	char line[160];
	if (strcmp(p->phase, "done") == 0) {
		if (o->tty && o->last_len)
			fprintf(stderr, "\r%*s\r", o->last_len, "");
		o->last_len = 0;
		return;
	}
	if (strcmp(p->phase, "dataverse") == 0)
		snprintf(line, sizeof line, _("dataverse: %zu/%zu environments%s%s  (%lu requests, %lu throttled, %lu errors)"),
			 p->done, p->total, p->env ? ", done " : "", p->env ? p->env : "", p->requests, p->throttled,
			 p->errors);
	else if (strcmp(p->phase, "graph") == 0)
		snprintf(line, sizeof line, _("graph: %zu/%zu chats  (%lu requests, %lu throttled, %lu errors)"), p->done,
			 p->total, p->requests, p->throttled, p->errors);
	else
		snprintf(line, sizeof line, _("%s..."), p->phase);
	if (o->tty) {
		int width = 30, filled = p->total ? (int)(width * p->done / p->total) : 0;
		char bar[64];
		for (int i = 0; i < width; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[width] = '\0';
		int len = fprintf(stderr, "\r[%s] %s", bar, line);
		if (len < o->last_len)
			fprintf(stderr, "%*s", o->last_len - len, "");
		o->last_len = len;
	} else if (p->total == 0 || p->done == p->total || p->env ||
		   (strcmp(p->phase, "graph") == 0 && p->done % 100 == 0)) {
		fprintf(stderr, "chatsync: %s\n", line);
	}
}

int cli_refresh(struct cli_context *ctx, char *const *envs, size_t n_envs, const char *chat, struct cs_error *err)
{
	struct progress_out out = { .tty = isatty(STDERR_FILENO), .quiet = ctx->opts->quiet };
	struct refresh_report rep;
	struct refresh_opts ro = { .envs = envs, .n_envs = n_envs, .chat = chat, .full = ctx->opts->full,
				   .progress = print_progress, .user = &out };
	int rc = refresh_profile(ctx->s.profile, ctx->s.cache, cli_interrupt_flag(), NULL, &ro, &rep, err);
	log_info("refresh: %zu environments ok, %zu failed, %zu chats read, %zu deleted, %zu details, %lu requests, "
		 "%lu throttled%s", rep.envs_ok, rep.envs_failed, rep.chats_read, rep.chats_deleted,
		 rep.details_fetched, rep.requests, rep.throttled, rep.delta_used ? ", delta" : "");
	if (rc < 0)
		return -1;
	if (!ctx->opts->quiet)
		fprintf(stderr, _("chatsync: refreshed %zu environment(s)%s: %zu chat rows read%s, %zu chats' Graph "
				  "details, %lu requests, %lu throttled\n"),
			rep.envs_ok, rep.envs_failed ? _(" (some failed)") : "", rep.chats_read,
			rep.delta_used ? _(" (changes only)") : "", rep.details_fetched, rep.requests, rep.throttled);
	return rc == 1 ? -1 : 0;
}

int cmd_refresh(struct cli_context *ctx, struct cs_error *err)
{
	if (cli_refresh(ctx, ctx->opts->args, (size_t)ctx->opts->n_args, NULL, err))
		return -1;
	return 0;
}
