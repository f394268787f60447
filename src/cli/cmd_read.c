/* The read commands: envs, chats, audit. They work from the cache alone. */
#include "config.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/rows.h"
#include "core/diag_report.h"
#include "core/diagnose.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tri_text(int v)
{
	return v == CS_TRUE ? _("on") : v == CS_FALSE ? _("off") : _("unknown");
}

int cmd_envs(struct cli_context *ctx, struct cs_error *err)
{
	struct cs_env *envs;
	size_t n;
	if (cache_list_envs(ctx->s.cache, &envs, &n, err))
		return -1;
	if (ctx->opts->format != CLI_FORMAT_TABLE) {
		static const char *const keys[] = { "unique_name", "friendly_name", "id", "url", "state", "sync_enabled",
						    "inactivity_days", "chat_count", "refreshed_at", "last_error", "teams_chat",
						    "teams_chat_reason", NULL };
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, rows_env_json(&envs[i], cache_env_chat_count(ctx->s.cache, envs[i].id)));
		if (ctx->opts->format == CLI_FORMAT_JSON)
			out_json(arr, stdout);
		else
			out_csv(arr, keys, stdout);
	} else {
		const char *headers[] = { _("ENVIRONMENT"), _("NAME"), _("SYNC"), _("TEAMS CHAT"), _("LIMIT"), _("CHATS"),
					  _("REFRESHED"), _("URL") };
		static const int cols[] = { OUT_COL_ID, OUT_COL_FLEX, OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FIT,
					    OUT_COL_FLEX, OUT_COL_FIT };
		struct out_table t;
		out_table_init(&t, headers, 8, cols);
		for (size_t i = 0; i < n; i++) {
			char limit[16], count[16], age[32] = "";
			snprintf(limit, sizeof limit, _("%d d"), cs_env_inactivity_days(&envs[i]));
			snprintf(count, sizeof count, "%d", cache_env_chat_count(ctx->s.cache, envs[i].id));
			if (envs[i].refreshed_at)
				time_format_age(envs[i].refreshed_at, ctx->now, age, sizeof age);
			char *refreshed = envs[i].last_error ? xasprintf(_("failed (%s)"), envs[i].last_error)
				: envs[i].refreshed_at ? xasprintf(_("%s ago"), age) : xstrdup(_("never"));
			const char *row[] = { envs[i].unique_name, envs[i].friendly_name, tri_text(envs[i].sync_enabled),
					      tri_text(CS_UNKNOWN), limit, count, refreshed, envs[i].url };
			out_table_row(&t, row);
			free(refreshed);
		}
		if (n == 0)
			fprintf(stderr, _("chatsync: no environments in the cache yet (run: chatsync refresh)\n"));
		else
			out_table_print(&t, stdout, out_width());
		if (n)
			/* TRANSLATORS: the note under the envs table; %s says why the prerequisite is unknown */
			printf(_("TEAMS CHAT (\"Turn on Microsoft Teams chats inside Dynamics 365\", needed before chat sync "
				 "can be turned on): unknown: %s.\n"), rows_teams_chat_reason());
		out_table_free(&t);
	}
	for (size_t i = 0; i < n; i++)
		cs_env_free(&envs[i]);
	free(envs);
	return 0;
}

struct chats_out {
	struct cli_context *ctx;
	bool rows;                 /* JSON or CSV, written row by row */
	struct out_rows w;
	struct out_table table;
	size_t n;
};

/* One connected chat: the chat list's columns and its verdict, from the facts one pass reads. */
static int chat_row(const struct cache_facts *f, void *user)
{
	struct chats_out *o = user;
	struct cs_chat c;
	cache_facts_chat(f, &c);
	struct diag_result res;
	cache_facts_diagnose(f, o->ctx->now, o->ctx->opts->warn_hours, &res);
	o->n++;
	if (o->rows) {
		cJSON *row = rows_chat_json(&c, &f->env, o->ctx->now);
		cJSON_AddStringToObject(row, "verdict", diag_verdict_name(res.verdict));
		out_rows_add(&o->w, row);
	} else {
		char age[32] = "-";
		if (c.modified_in_teams_on)
			time_format_age(c.modified_in_teams_on, o->ctx->now, age, sizeof age);
		const char *sync = cs_sync_status_name(c.sync_status);
		const char *row[] = { f->env.unique_name, diag_verdict_text(res.verdict), cs_chat_state_name(c.state),
				      sync ? sync : "-", age, c.teams_chat_id, c.activity_id, c.subject };
		out_table_row(&o->table, row);
	}
	diag_result_free(&res);
	return 0;
}

int cmd_chats(struct cli_context *ctx, struct cs_error *err)
{
	struct cs_env env = { 0 };
	struct cache_chat_filter f = { .state = ctx->opts->state };
	if (ctx->opts->n_args == 1) {
		if (cache_find_env(ctx->s.cache, ctx->opts->args[0], &env, err))
			return -1;
		f.env_id = env.id;
	}
	struct chats_out o = { .ctx = ctx, .rows = ctx->opts->format != CLI_FORMAT_TABLE };
	/* The subject last: on a terminal it gives way first, on a pipe no line ends in padding. */
	const char *headers[] = { _("ENVIRONMENT"), _("VERDICT"), _("STATE"), _("SYNC"), _("IDLE"),
				  _("TEAMS CHAT"), _("ACTIVITY"), _("SUBJECT") };
	static const int cols[] = { OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FIT,
				    OUT_COL_ID, OUT_COL_ID, OUT_COL_FLEX };
	static const char *const keys[] = { "environment", "activity_id", "teams_chat_id", "subject", "state",
					    "sync_status", "verdict", "modified_in_teams_on", "age_days", "linked_on",
					    "unlinked_on", "regarding_type", "regarding_id", "participants", NULL };
	if (o.rows)
		out_rows_begin(&o.w, stdout, ctx->opts->format == CLI_FORMAT_CSV, keys);
	else
		out_table_init(&o.table, headers, 8, cols);
	int rc = cache_facts_each(ctx->s.cache, &f, chat_row, &o, err);
	if (o.rows) {
		if (rc == 0)
			out_rows_end(&o.w);
	} else {
		if (rc == 0 && o.n == 0)
			fprintf(stderr, _("chatsync: no connected chats in the cache%s (run: chatsync refresh)\n"),
				f.state ? _(" in that state") : "");
		else if (rc == 0)
			out_table_print(&o.table, stdout, out_width());
		out_table_free(&o.table);
	}
	cs_env_free(&env);
	return rc;
}

int cmd_audit(struct cli_context *ctx, struct cs_error *err)
{
	struct cache_audit *rows;
	size_t n;
	if (cache_audit_list(ctx->s.cache, &rows, &n, err))
		return -1;
	if (ctx->opts->format != CLI_FORMAT_TABLE) {
		static const char *const keys[] = { "time", "profile", "identity", "environment", "old", "new",
						    "request_id", "result", NULL };
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "time", rows_time(rows[i].time));
			cJSON_AddItemToObject(o, "profile", rows_string(rows[i].profile));
			cJSON_AddItemToObject(o, "identity", rows_string(rows[i].identity));
			cJSON_AddItemToObject(o, "environment", rows_string(rows[i].environment));
			cJSON_AddItemToObject(o, "old", rows_string(rows[i].old_value));
			cJSON_AddItemToObject(o, "new", rows_string(rows[i].new_value));
			cJSON_AddItemToObject(o, "request_id", rows_string(rows[i].request_id));
			cJSON_AddItemToObject(o, "result", rows_string(rows[i].result));
			cJSON_AddItemToArray(arr, o);
		}
		if (ctx->opts->format == CLI_FORMAT_JSON)
			out_json(arr, stdout);
		else
			out_csv(arr, keys, stdout);
	} else {
		const char *headers[] = { _("TIME"), _("PROFILE"), _("IDENTITY"), _("ENVIRONMENT"), _("CHANGE"),
					  _("RESULT"), _("REQUEST ID") };
		static const int cols[] = { OUT_COL_FIT, OUT_COL_FIT, OUT_COL_FLEX, OUT_COL_ID, OUT_COL_FIT,
					    OUT_COL_FLEX, OUT_COL_ID };
		struct out_table t;
		out_table_init(&t, headers, 7, cols);
		for (size_t i = 0; i < n; i++) {
			char when[32];
			time_format_human(rows[i].time, when, sizeof when);
			char *change = xasprintf("%s → %s", rows[i].old_value ? rows[i].old_value : "?",
						 rows[i].new_value ? rows[i].new_value : "?");
			const char *row[] = { when, rows[i].profile, rows[i].identity, rows[i].environment, change,
					      rows[i].result, rows[i].request_id };
			out_table_row(&t, row);
			free(change);
		}
		if (n == 0 && ctx->opts->demo)
			fprintf(stderr, _("chatsync: no writes recorded in this demo (each --demo run starts with a tenant "
					  "and a trail of its own, and removes both when it ends)\n"));
		else if (n == 0)
			fprintf(stderr, _("chatsync: no writes recorded\n"));
		else
			out_table_print(&t, stdout, out_width());
		out_table_free(&t);
	}
	for (size_t i = 0; i < n; i++)
		cache_audit_free(&rows[i]);
	free(rows);
	return 0;
}
