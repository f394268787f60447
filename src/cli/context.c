#include "config.h"
#include "cli/cli.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "sync/session.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_context_open(struct cli_context *ctx, struct cli_opts *opts, bool need_profile, struct cs_error *err)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->opts = opts;
	ctx->now = time_now();
	struct session_opts so = { .config_path = opts->config_path, .profile = opts->profile,
				   .cache_path = opts->cache_path, .need_profile = need_profile };
	if (session_open(&ctx->s, &so, err))
		return -1;
	if (ctx->s.profile && ctx->s.profile->readonly)
		opts->readonly = true;
	return 0;
}

void cli_context_close(struct cli_context *ctx)
{
	session_close(&ctx->s);
	memset(ctx, 0, sizeof *ctx);
}
