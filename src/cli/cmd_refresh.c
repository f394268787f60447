/* refresh, and the network side shared by the commands that talk to the cloud. */
#include "config.h"
#include "cli/commands.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "sync/refresh.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
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

/* Progress on a terminal: one line rewritten in place, kept within the terminal's width. With
 * --progress on a file or a pipe: one short line per step. Otherwise none (only the summary). */
struct progress_out {
	bool tty, on;
	int last_len;
	size_t last_done;
	const char *last_phase;
};

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	int n = c ? atoi(c) : 0;
	return n > 0 ? n : 80;
}

static void print_progress(const struct refresh_progress *p, void *user)
{
	struct progress_out *o = user;
	if (!o->on)
		return;
	if (strcmp(p->phase, "done") == 0) {
		if (o->tty && o->last_len)
			fprintf(stderr, "\r%*s\r", o->last_len, "");
		o->last_len = 0;
		return;
	}
	char line[160];
	if (strcmp(p->phase, "dataverse") == 0)
		snprintf(line, sizeof line, _("dataverse %zu/%zu envs, %lu req, %lu throttled"), p->done, p->total,
			 p->requests, p->throttled);
	else if (strcmp(p->phase, "graph") == 0)
		snprintf(line, sizeof line, _("graph %zu/%zu chats, %lu req, %lu throttled"), p->done, p->total,
			 p->requests, p->throttled);
	else
		snprintf(line, sizeof line, _("%s..."), p->phase);
	if (!o->tty) {
		/* a step: each environment, each hundredth chat, the start and the end of a phase */
		bool step = p->env || p->done == 0 || p->done == p->total ||
			    (strcmp(p->phase, "graph") == 0 && p->done / 100 != o->last_done / 100);
		bool same = o->last_phase && strcmp(o->last_phase, p->phase) == 0 && o->last_done == p->done && !p->env;
		o->last_phase = p->phase;
		o->last_done = p->done;
		if (step && !same)
			fprintf(stderr, "chatsync: %s\n", line);
		return;
	}
	int width = term_width() - 1; /* never the last column: some terminals wrap there */
	char bar[24];
	int bar_w = width >= 60 ? 20 : 0;
	if (bar_w) {
		int filled = p->total ? (int)(bar_w * p->done / p->total) : 0;
		for (int i = 0; i < bar_w; i++)
			bar[i] = i < filled ? '#' : '.';
	}
	bar[bar_w] = '\0';
	char out[200];
	snprintf(out, sizeof out, bar_w ? "[%s] %s" : "%s%s", bar, line);
	char *fit = text_truncate(out, width > 0 ? (size_t)width : 0);
	int len = (int)text_width(fit);
	fprintf(stderr, "\r%s", fit);
	free(fit);
	if (len < o->last_len)
		fprintf(stderr, "%*s", o->last_len - len, "");
	fflush(stderr);
	o->last_len = len;
}

int cli_refresh(struct cli_context *ctx, char *const *envs, size_t n_envs, const char *chat, struct cs_error *err)
{
	bool tty = isatty(STDERR_FILENO);
	struct progress_out out = { .tty = tty, .on = !ctx->opts->quiet && (tty || ctx->opts->progress) };
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
