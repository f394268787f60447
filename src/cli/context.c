#include "config.h"
#include "cli/cli.h"
#include "core/i18n.h"
#include "core/paths.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_context_open(struct cli_context *ctx, struct cli_opts *opts, bool need_profile, struct cs_error *err)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->opts = opts;
	ctx->now = time_now();
	char *path = path_config_file(opts->config_path);
	const char *env_config = getenv("CHATSYNC_CONFIG");
	bool explicit = opts->config_path || (env_config && *env_config);
	int rc = 0;
	if (explicit || need_profile || !opts->cache_path || access(path, F_OK) == 0) {
		/* The config holds paths, not secrets: the secret and key files it names are what
		 * conf_profile_validate checks for their mode. */
		rc = conf_load(&ctx->conf, path, err);
		if (rc == 0) {
			ctx->profile = conf_profile(&ctx->conf, opts->profile, err);
			if (!ctx->profile)
				rc = -1;
		}
		/* A loaded profile is always checked, so a secret file readable by others is refused
		 * whatever the command. */
		if (rc == 0)
			rc = conf_profile_validate(ctx->profile, err);
	}
	free(path);
	if (rc)
		return -1;
	if (ctx->profile && ctx->profile->readonly)
		opts->readonly = true;
	ctx->cache_path = opts->cache_path ? path_expand(opts->cache_path)
					   : cache_default_path(ctx->profile ? ctx->profile->name : "default");
	ctx->cache = cache_open(ctx->cache_path, 0, err);
	return ctx->cache ? 0 : -1;
}

void cli_context_close(struct cli_context *ctx)
{
	cache_close(ctx->cache);
	conf_free(&ctx->conf);
	free(ctx->cache_path);
	memset(ctx, 0, sizeof *ctx);
}
