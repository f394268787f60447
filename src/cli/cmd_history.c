/* history and changes: what the refreshes saw change, newest first, from the cache alone. */
#include "config.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/rows.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include "sync/history.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const change_keys[] = { "time", "scope", "environment", "teams_chat_id", "subject", "fact",
					   "old", "new", "rule", NULL };

static const char *scope_name(int scope)
{
	return scope == HISTORY_CHAT ? "chat" : scope == HISTORY_ENV ? "environment" : "tenant";
}

static cJSON *change_json(const struct cache_change *ch)
{
	char t[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "time", time_format_iso(ch->time, t, sizeof t));
	cJSON_AddStringToObject(o, "scope", scope_name(ch->scope));
	cJSON_AddItemToObject(o, "environment", rows_string(ch->env_name ? ch->env_name : ch->env_id));
	cJSON_AddItemToObject(o, "teams_chat_id", rows_string(ch->scope == HISTORY_CHAT ? ch->id : NULL));
	cJSON_AddItemToObject(o, "subject", rows_string(ch->subject));
	cJSON_AddStringToObject(o, "fact", ch->fact);
	cJSON_AddItemToObject(o, "old", rows_string(ch->old_value));
	cJSON_AddItemToObject(o, "new", rows_string(ch->new_value));
	cJSON_AddItemToObject(o, "rule", rows_string(ch->rule));
	return o;
}

/* Text: one line per refresh and subject, the verdict last: "TIME  SUBJECT: what changed → verdict (rule)". */
static void print_text(const struct cache_change *ch, size_t n, bool name_subject)
{
	for (size_t i = 0, used; i < n; i += used) {
		char *what = history_describe(ch + i, n - i, &used);
		if (!what)
			continue;
		char when[48];
		time_format_human(ch[i].time, when, sizeof when);
		char *who = NULL;
		if (name_subject || ch[i].scope != HISTORY_CHAT) {
			const char *label = ch[i].scope == HISTORY_TENANT ? _("tenant")
					    : ch[i].scope == HISTORY_ENV ? (ch[i].env_name ? ch[i].env_name : ch[i].id)
					    : ch[i].subject ? ch[i].subject : ch[i].id;
			who = ch[i].scope == HISTORY_CHAT
				      ? xasprintf("%s (%s, %s): ", label, ch[i].id, ch[i].env_name ? ch[i].env_name : "-")
				      : xasprintf("%s: ", label);
		}
		char *line = xasprintf("%s  %s%s", when, who ? who : "", what);
		char *clean = text_sanitize(line);
		puts(clean);
		free(clean);
		free(line);
		free(who);
		free(what);
	}
}

static int print_changes(struct cli_context *ctx, const struct cache_change_filter *f, bool name_subject,
			 struct cs_error *err)
{
	struct cache_change *ch;
	size_t n;
	if (cache_list_changes(ctx->s.cache, f, &ch, &n, err))
		return -1;
	if (ctx->opts->format != CLI_FORMAT_TABLE) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, change_json(&ch[i]));
		if (ctx->opts->format == CLI_FORMAT_JSON)
			out_json(arr, stdout);
		else
			out_csv(arr, change_keys, stdout);
	} else if (n == 0) {
		puts(_("no changes recorded (each refresh records what changed; run chatsync refresh)"));
	} else {
		print_text(ch, n, name_subject);
	}
	for (size_t i = 0; i < n; i++)
		cache_change_free(&ch[i]);
	free(ch);
	return 0;
}

int cmd_history(struct cli_context *ctx, struct cs_error *err)
{
	const char *env = ctx->opts->env;
	if ((env && ctx->opts->n_args != 0) || (!env && ctx->opts->n_args != 1))
		return cs_fail(err, CS_EXIT_USAGE, _("usage: chatsync history CHAT, or chatsync history --env ENV"));
	struct cache_change_filter f = { 0 };
	struct cache_facts facts;
	struct cs_env e;
	int rc;
	if (env) {
		if (cache_find_env(ctx->s.cache, env, &e, err))
			return -1;
		f.env_id = e.id;
		rc = print_changes(ctx, &f, true, err);
		cs_env_free(&e);
		return rc;
	}
	if (cache_load_facts(ctx->s.cache, ctx->opts->args[0], &facts, err))
		return -1;
	f.chat = facts.has_chat && facts.chat.teams_chat_id ? facts.chat.teams_chat_id
		 : facts.has_assoc && facts.assoc.teams_chat_id ? facts.assoc.teams_chat_id
								 : facts.has_chat ? facts.chat.activity_id : NULL;
	f.env_id = facts.env.id;
	rc = print_changes(ctx, &f, false, err);
	cache_facts_free(&facts);
	return rc;
}

#define CHANGES_LAST_RUN "changes_last_run"

int cmd_changes(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args != 0)
		return cs_fail(err, CS_EXIT_USAGE, _("usage: chatsync changes [--since DURATION|TIME]"));
	struct cache_change_filter f = { 0 };
	if (ctx->opts->since) {
		if (time_parse_since(ctx->opts->since, ctx->now, &f.since))
			return cs_fail(err, CS_EXIT_USAGE,
				       _("--since takes a duration (30m, 12h, 7d) or a time (2026-11-24T14:00:00Z), not "
					 "\"%s\""),
				       ctx->opts->since);
	} else {
		char *last = cache_meta_get(ctx->s.cache, CHANGES_LAST_RUN);
		f.since = last ? strtoll(last, NULL, 10) : 0;
		free(last);
	}
	if (print_changes(ctx, &f, true, err))
		return -1;
	if (!ctx->opts->since) {
		/* The next `changes` starts where this one ended: changes are recorded at refresh times,
		 * never after now. */
		char now[32];
		snprintf(now, sizeof now, "%lld", (long long)ctx->now);
		if (cache_meta_set(ctx->s.cache, CHANGES_LAST_RUN, now, err))
			return -1;
	}
	return 0;
}
