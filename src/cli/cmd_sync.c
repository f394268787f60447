/* sync ENV on|off: the one write chatsync makes. Read fresh, check who may write, show the change,
 * confirm, PATCH with If-Match, and audit every outcome — in the cache and in audit.log. */
#include "config.h"
#include "cli/commands.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "auth/auth.h"
#include "net/http.h"
#include "store/cache.h"
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct toggle {
	struct cli_context *ctx;
	struct net *net;
	struct cs_env env;
	bool want;
	bool quiet;          /* the console: no terminal output, confirmation already given */
	struct auth_identity who;
	char *request_id;
};

static const char *onoff(int v)
{
	return v == CS_TRUE ? "on" : v == CS_FALSE ? "off" : "unknown";
}

/* What the command prints; the console shows only the outcome in its status line. */
static void say(const struct toggle *t, FILE *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(const struct toggle *t, FILE *f, const char *fmt, ...)
{
	if (t->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/* Appends one JSON line to $XDG_STATE_HOME/chatsync/audit.log (0600). */
static void audit_file(const struct cache_audit *a)
{
	char *dir = path_state_dir();
	char *path = xasprintf("%s/audit.log", dir);
	if (path_mkdirs(dir, NULL) == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			char when[32];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "time", time_format_iso(a->time, when, sizeof when));
			cJSON_AddStringToObject(o, "profile", a->profile ? a->profile : "");
			cJSON_AddStringToObject(o, "identity", a->identity ? a->identity : "");
			cJSON_AddStringToObject(o, "environment", a->environment ? a->environment : "");
			cJSON_AddStringToObject(o, "old", a->old_value ? a->old_value : "");
			cJSON_AddStringToObject(o, "new", a->new_value ? a->new_value : "");
			cJSON_AddStringToObject(o, "request_id", a->request_id ? a->request_id : "");
			cJSON_AddStringToObject(o, "result", a->result);
			char *line = cJSON_PrintUnformatted(o);
			if (line) {
				size_t len = strlen(line);
				line[len] = '\n'; /* replaces the NUL: written with its length */
				if (write(fd, line, len + 1) != (ssize_t)(len + 1))
					log_error("could not append to %s", path);
				free(line);
			}
			cJSON_Delete(o);
			close(fd);
		}
	}
	free(path);
	free(dir);
}

static void audit(struct toggle *t, int old, const char *result)
{
	struct cache_audit a = {
		.time = time_now(), .profile = t->ctx->s.profile ? t->ctx->s.profile->name : NULL,
		.identity = t->who.name ? t->who.name : (char *)"unknown",
		.environment = t->env.unique_name, .old_value = (char *)onoff(old),
		.new_value = (char *)(t->want ? "on" : "off"), .request_id = t->request_id, .result = (char *)result,
	};
	struct cs_error err = { 0 };
	if (cache_audit_append(t->ctx->s.cache, &a, &err))
		log_error("audit: %s", err.msg);
	audit_file(&a);
	log_info("audit: %s %s %s → %s: %s", a.identity, a.environment, a.old_value, a.new_value, result);
}

/* GET the organization row now, with its ETag. */
static int read_org(struct toggle *t, struct cs_error *err)
{
	char *url = dv_url_organization(&t->env), *bucket = dv_bucket(&t->env);
	struct net_result res;
	int rc = net_fetch(t->net, &(struct net_request){ .url = url, .headers = dv_headers_read, .bucket = bucket,
							  .resource = t->env.url, .service = "Dataverse" }, &res, err);
	if (rc == 0)
		rc = dv_parse_organization(res.body, &t->env, err);
	if (rc == 0)
		t->env.org_fetched_at = time_now();
	net_result_free(&res);
	free(url);
	free(bucket);
	return rc;
}

/* Delegated sign-ins: only a Global Administrator may turn the setting on (DOMAIN.md). */
static int check_global_admin(struct toggle *t, struct cs_error *err)
{
	char *url = graph_url_my_directory_roles(t->ctx->s.profile);
	bool admin = false;
	int rc = 0;
	while (url && rc == 0) {
		struct net_result res;
		rc = net_fetch(t->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = "graph",
							      .resource = conf_graph_resource(t->ctx->s.profile), .service = "Graph",
							      .needs = "Directory.Read.All" }, &res, err);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = graph_parse_directory_roles(res.body, &admin, &url, err);
		net_result_free(&res);
	}
	free(url);
	if (rc)
		return -1;
	if (!admin)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("%s is not a Global Administrator: only a global (tenant) administrator may turn on Teams "
				 "chat sync (ask one, or sign in as one: chatsync -p PROFILE with a device-code profile)"),
			       t->who.name ? t->who.name : _("the signed-in user"));
	return 0;
}

/* Counts the chats of the environment that are connected but have no activity row. */
static int count_unrecorded(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	if (ch->state == CS_STATE_NOT_RECORDED)
		(*(size_t *)user)++;
	return 0;
}

static void warn_turning_on(struct toggle *t)
{
	size_t before = 0;
	struct cache_chat_filter f = { .env_id = t->env.id };
	cache_each_chat(t->ctx->s.cache, &f, count_unrecorded, &before, NULL);
	struct cs_rsc rsc = { 0 };
	bool have = cache_get_rsc(t->ctx->s.cache, &rsc) == 1;
	fprintf(stderr, _("  Chats connected before now will not sync: %zu connected chat(s) of this environment have no "
			  "activity row; reconnect them from their records after turning sync on.\n"), before);
	fprintf(stderr, _("  Tenant chat RSC state: %s%s\n"), cs_rsc_state_name(have ? rsc.state : CS_RSC_UNKNOWN),
		have && rsc.state == CS_RSC_DISABLED_FOR_ALL_APPS
			? _(" — no chat will sync until RSC for chats is allowed (Set-MgBetaChatRscConfiguration -State "
			    "EnabledForAllApps)")
			: !have ? _(" (never read: run chatsync refresh)") : "");
	cs_rsc_free(&rsc);
}

static bool is_production(const struct cs_env *e)
{
	return e->purpose && strcasestr(e->purpose, "production") != NULL;
}

/* Asks on the terminal (not stdin: a pipe must not confirm a write). 1 yes, 0 no, -1 no terminal. */
static int confirm(struct toggle *t)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return -1;
	char *name = text_sanitize(t->env.unique_name);
	if (is_production(&t->env))
		fprintf(tty, _("%s is a production environment. Type its name to confirm: "), name);
	else
		fprintf(tty, _("Apply this change? [y/N] "));
	fflush(tty);
	char line[256] = "";
	int ok = 0;
	if (fgets(line, sizeof line, tty)) {
		line[strcspn(line, "\r\n")] = '\0';
		ok = is_production(&t->env) ? strcmp(line, t->env.unique_name) == 0
					    : (strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0);
	}
	fclose(tty);
	free(name);
	return ok;
}

static int patch_org(struct toggle *t, struct net_result *res, struct cs_error *err)
{
	char *url = dv_url_organization_row(&t->env), *bucket = dv_bucket(&t->env);
	char *if_match = xasprintf("If-Match: %s", t->env.org_etag ? t->env.org_etag : "*");
	const char *headers[] = { "Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0",
				  "Content-Type: application/json", if_match, NULL };
	const char *body = t->want ? "{\"teamschatdatasync\":true}" : "{\"teamschatdatasync\":false}";
	int rc = net_fetch(t->net, &(struct net_request){ .method = "PATCH", .url = url, .headers = headers,
							  .body = body, .bucket = bucket, .resource = t->env.url,
							  .service = "Dataverse", .needs = "System Administrator" }, res, err);
	free(t->request_id);
	t->request_id = xstrdup(res->request_id ? res->request_id : res->client_request_id);
	free(url);
	free(bucket);
	free(if_match);
	return rc;
}

static int toggle_run(struct toggle *t, struct cs_error *err)
{
	struct cli_context *ctx = t->ctx;
	if (auth_identity(t->net, t->env.url, &t->who, err))
		return -1;
	for (int round = 0; round < 5; round++) {
		if (read_org(t, err))
			return -1;
		int old = t->env.sync_enabled;
		char *name = text_sanitize(t->env.unique_name);
		if (old == (t->want ? CS_TRUE : CS_FALSE)) {
			say(t, stdout, _("%s: Teams chat sync is already %s; nothing to change\n"), name, onoff(old));
			cache_set_env_sync(ctx->s.cache, t->env.id, t->want, t->env.org_etag, t->env.org_fetched_at, NULL);
			audit(t, old, "unchanged");
			free(name);
			return 0;
		}
		say(t, stderr, _("%s: Teams chat sync %s → %s (signed in as %s)\n"), name, onoff(old), t->want ? "on" : "off",
		    t->who.name ? t->who.name : "?");
		free(name);
		if (t->want && round == 0) {
			if (t->who.delegated && check_global_admin(t, err)) {
				audit(t, old, "refused: not a Global Administrator");
				return -1;
			}
			if (!t->who.delegated)
				say(t, stderr, _("  Signed in as an application: its application user needs the System "
						 "Administrator role in this environment.\n"));
			if (!t->quiet)
				warn_turning_on(t);
		}
		if (!ctx->opts->yes && !t->quiet) {
			int ok = confirm(t);
			if (ok < 0) {
				audit(t, old, "refused: no terminal to confirm and no --yes");
				return cs_fail(err, CS_EXIT_USAGE, _("no terminal to confirm the change (add --yes to "
								     "confirm it in a script)"));
			}
			if (!ok) {
				audit(t, old, "cancelled");
				return cs_fail(err, CS_EXIT_USAGE, _("not confirmed: nothing was changed"));
			}
		}
		struct net_result res;
		struct cs_error perr = { 0 };
		int rc = patch_org(t, &res, &perr);
		long status = res.status;
		net_result_free(&res);
		if (rc == 0) {
			cs_time now = time_now();
			/* The ETag changed with the write; the next read fetches it. */
			cache_set_env_sync(ctx->s.cache, t->env.id, t->want, NULL, now, NULL);
			audit(t, old, "ok");
			say(t, stdout, _("%s: Teams chat sync is now %s\n"), t->env.unique_name, t->want ? "on" : "off");
			return 0;
		}
		if (status == 412) {
			audit(t, old, "conflict: changed meanwhile (412), read again");
			say(t, stderr, _("%s changed since it was read; reading it again\n"), t->env.unique_name);
			continue;
		}
		if (status == 403) {
			audit(t, old, "refused: 403");
			return cs_fail(err, CS_EXIT_NETWORK,
				       t->who.delegated
					       ? _("Dataverse refused the change for %s (403): the signed-in user may not "
						   "write the organization settings (%s)")
					       : _("Dataverse refused the change for %s (403): the application user needs "
						   "the System Administrator role in this environment (%s)"),
				       t->env.unique_name, perr.msg);
		}
		char *result = xasprintf("failed: %s", perr.msg);
		audit(t, old, result);
		free(result);
		*err = perr;
		return -1;
	}
	return cs_fail(err, CS_EXIT_NETWORK, _("%s kept changing while chatsync tried to write it (try again later)"),
		       t->env.unique_name);
}

static int toggle(struct cli_context *ctx, const char *env, bool want, bool quiet, struct cs_error *err)
{
	struct toggle t = { .ctx = ctx, .want = want, .quiet = quiet };
	if (cache_find_env(ctx->s.cache, env, &t.env, err))
		return -1;
	if (ctx->opts->readonly) {
		audit(&t, t.env.sync_enabled, "refused: read-only");
		cs_env_free(&t.env);
		return cs_fail(err, CS_EXIT_USAGE, _("read-only: writes are refused (profile readonly = true or --readonly)"));
	}
	int rc = -1;
	t.net = cli_net_open(ctx, err);
	if (t.net) {
		rc = toggle_run(&t, err);
		net_close(t.net);
	}
	auth_identity_free(&t.who);
	cs_env_free(&t.env);
	free(t.request_id);
	return rc;
}

int cmd_sync(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args != 2 || (strcmp(ctx->opts->args[1], "on") && strcmp(ctx->opts->args[1], "off")))
		return cs_fail(err, CS_EXIT_USAGE, _("usage: chatsync sync ENV on|off"));
	return toggle(ctx, ctx->opts->args[0], strcmp(ctx->opts->args[1], "on") == 0, false, err);
}

int cli_sync_set(struct cli_context *ctx, const char *env_id, bool enable, struct cs_error *err)
{
	return toggle(ctx, env_id, enable, true, err);
}
