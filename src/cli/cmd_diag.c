/* diagnose, check and rsc: the diagnosis engine over the cache. */
#include "config.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/rows.h"
#include "core/diag_report.h"
#include "core/diagnose.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_diagnose(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args != 1)
		return cs_fail(err, CS_EXIT_USAGE, _("diagnose takes one chat: a Teams chat id, an activity id or a unique "
						     "prefix (see chatsync chats)"));
	const char *key = ctx->opts->args[0];
	struct cache_facts f;
	if (ctx->opts->refresh) {
		/* Only this chat's environment (by delta when possible) and this chat's Graph details. */
		if (cache_load_facts(ctx->s.cache, key, &f, err))
			return -1;
		char *env = xstrdup(f.env.id), *chat = xstrdup(f.has_chat ? f.chat.teams_chat_id : f.assoc.teams_chat_id);
		cache_facts_free(&f);
		int rc = cli_refresh(ctx, &env, 1, chat ? chat : "", err);
		free(env);
		free(chat);
		if (rc)
			return -1;
	}
	if (cache_load_facts(ctx->s.cache, key, &f, err))
		return -1;
	struct diag_result res;
	cache_facts_diagnose(&f, ctx->now, ctx->opts->warn_hours, &res);
	struct cs_chat view;
	cache_facts_chat(&f, &view);
	if (ctx->opts->format == CLI_FORMAT_JSON) {
		out_json(diag_report_json(&res, rows_chat_json(&view, &f.env, ctx->now)), stdout);
	} else {
		char *subject = text_sanitize(view.subject ? view.subject : _("(no subject)"));
		char *label = xasprintf("%s (%s, %s)", subject, view.teams_chat_id ? view.teams_chat_id : view.activity_id,
					f.env.unique_name);
		size_t width = out_width();
		char *text = diag_report_text(&res, label, width ? (int)width : 80);
		fputs(text, stdout);
		free(text);
		free(label);
		free(subject);
	}
	int rc = res.verdict == DIAG_VERDICT_SYNCING ? 0 : CS_EXIT_FINDINGS;
	diag_result_free(&res);
	cache_facts_free(&f);
	return rc;
}

struct check_env {
	char *unique_name;
	struct diag_check tally;
	size_t chats;
	cJSON *json_chats;
};

struct check_run {
	struct cli_context *ctx;
	struct check_env *envs;
	size_t n_envs;
	struct diag_check total;
	int rc;
	struct cs_error *err;
};

static int check_chat(const struct cache_facts *f, void *user)
{
	struct check_run *cr = user;
	const struct cs_env *env = &f->env;
	struct cs_chat view;
	cache_facts_chat(f, &view);
	const struct cs_chat *ch = &view;
	struct diag_result res;
	cache_facts_diagnose(f, cr->ctx->now, cr->ctx->opts->warn_hours, &res);
	/* Every check records what it found per chat; --new reports only what the previous one had not. */
	const char *id = ch->teams_chat_id ? ch->teams_chat_id : ch->activity_id;
	char *seen = diag_result_rules(&res);
	if (cr->ctx->opts->new_only) {
		char *before = cache_check_seen_get(cr->ctx->s.cache, id);
		diag_result_keep_new(&res, before);
		free(before);
	}
	if (cache_check_seen_put(cr->ctx->s.cache, id, seen, cr->err))
		cr->rc = -1;
	free(seen);
	if (cr->rc) {
		diag_result_free(&res);
		return 1;
	}
	struct check_env *ce = NULL;
	for (size_t i = 0; i < cr->n_envs && !ce; i++)
		if (strcmp(cr->envs[i].unique_name, env->unique_name) == 0)
			ce = &cr->envs[i];
	if (!ce) {
		cr->envs = xrealloc(cr->envs, (cr->n_envs + 1) * sizeof *cr->envs);
		ce = &cr->envs[cr->n_envs++];
		memset(ce, 0, sizeof *ce);
		ce->unique_name = xstrdup(env->unique_name);
		diag_check_init(&ce->tally);
		ce->tally.warn_hours = cr->ctx->opts->warn_hours;
		if (cr->ctx->opts->format == CLI_FORMAT_JSON)
			ce->json_chats = cJSON_CreateArray();
	}
	ce->chats++;
	diag_check_add(&ce->tally, &res);
	diag_check_add(&cr->total, &res);
	if (ce->json_chats) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "activity_id", rows_string(ch->activity_id));
		cJSON_AddItemToObject(o, "teams_chat_id", rows_string(ch->teams_chat_id));
		cJSON_AddItemToObject(o, "subject", rows_string(ch->subject));
		cJSON_AddStringToObject(o, "verdict", diag_verdict_name(res.verdict));
		cJSON *rules = cJSON_AddArrayToObject(o, "rules");
		for (size_t i = 0; i < res.n_findings; i++) {
			cJSON *fo = cJSON_CreateObject();
			cJSON_AddStringToObject(fo, "rule", diag_rule_id(res.findings[i].rule));
			cJSON_AddStringToObject(fo, "severity", diag_severity_name(res.findings[i].severity));
			if (res.findings[i].check != res.findings[i].rule)
				cJSON_AddStringToObject(fo, "check", diag_rule_id(res.findings[i].check));
			cJSON_AddItemToArray(rules, fo);
		}
		cJSON_AddItemToArray(ce->json_chats, o);
	}
	diag_result_free(&res);
	return 0;
}

int cmd_check(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args > 0)
		return cs_fail(err, CS_EXIT_USAGE, _("check takes no arguments (see chatsync --help)"));
	struct check_run cr = { .ctx = ctx, .err = err };
	diag_check_init(&cr.total);
	cr.total.warn_hours = ctx->opts->warn_hours;
	if (cache_check_seen_begin(ctx->s.cache, err))
		return -1;
	if (cache_facts_each(ctx->s.cache, NULL, check_chat, &cr, err) || cr.rc ||
	    cache_check_seen_end(ctx->s.cache, err)) {
		cache_rollback(ctx->s.cache);
		for (size_t i = 0; i < cr.n_envs; i++) {
			free(cr.envs[i].unique_name);
			cJSON_Delete(cr.envs[i].json_chats);
		}
		free(cr.envs);
		return -1;
	}
	int code = diag_check_exit_code(&cr.total);
	char *summary = diag_check_summary(&cr.total);
	if (ctx->opts->new_only) {
		/* The tally counts only what is new, so it says so. */
		char *all = summary;
		summary = code == 0 ? xstrdup(_("No new findings since the previous check."))
				    : xasprintf(_("New since the previous check: %s"), all);
		free(all);
	}
	if (ctx->opts->format == CLI_FORMAT_JSON) {
		cJSON *doc = cJSON_CreateObject();
		cJSON *envs = cJSON_AddArrayToObject(doc, "environments");
		for (size_t i = 0; i < cr.n_envs; i++) {
			struct check_env *ce = &cr.envs[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "unique_name", rows_string(ce->unique_name));
			cJSON_AddNumberToObject(o, "chats", (double)ce->chats);
			cJSON_AddNumberToObject(o, "not_syncing", (double)ce->tally.not_syncing);
			cJSON_AddNumberToObject(o, "at_risk", (double)ce->tally.at_risk);
			cJSON_AddNumberToObject(o, "unknown", (double)ce->tally.unknown);
			cJSON_AddNumberToObject(o, "syncing", (double)ce->tally.syncing);
			cJSON_AddItemToObject(o, "chat_results", ce->json_chats);
			ce->json_chats = NULL;
			cJSON_AddItemToArray(envs, o);
		}
		cJSON_AddStringToObject(doc, "summary", summary);
		cJSON_AddNumberToObject(doc, "exit_code", code);
		out_json(doc, stdout);
	} else {
		for (size_t i = 0; i < cr.n_envs; i++) {
			char *line = diag_check_summary(&cr.envs[i].tally);
			char *name = text_sanitize(cr.envs[i].unique_name);
			printf(_("%s: %zu chats: %s\n"), name, cr.envs[i].chats, line);
			free(line);
			free(name);
		}
		printf("%s\n", summary);
	}
	free(summary);
	for (size_t i = 0; i < cr.n_envs; i++) {
		free(cr.envs[i].unique_name);
		cJSON_Delete(cr.envs[i].json_chats);
	}
	free(cr.envs);
	return code;
}

static const char *rsc_meaning(int state)
{
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS:
		return _("Chat owners may consent to resource-specific permissions for any app: the Dataverse Chat Sync "
			 "app can be granted what it needs in each chat.");
	case CS_RSC_MANAGED_BY_MICROSOFT:
		return _("Microsoft manages chat RSC consent: apps Microsoft allows get their chat permissions; the "
			 "Dataverse Chat Sync app is a Microsoft app, so its grants are expected to be allowed.");
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY:
		return _("Only pre-approved apps may get chat RSC permissions: the Dataverse Chat Sync app syncs only if it "
			 "is on the pre-approval list.");
	case CS_RSC_DISABLED_FOR_ALL_APPS:
		return _("No app may get chat RSC permissions: the Dataverse Chat Sync app cannot be notified of changes, "
			 "so no connected chat syncs. Allow it: Set-MgBetaChatRscConfiguration -State EnabledForAllApps.");
	case CS_RSC_CUSTOM:
		return _("A custom set of permission grant policies applies to chats: check that it lets the Dataverse "
			 "Chat Sync app be granted its chat permissions.");
	}
	return _("Unknown: the tenant's chat RSC state has not been read (run chatsync refresh; reading it needs "
		 "Policy.Read.All).");
}

int cmd_rsc(struct cli_context *ctx, struct cs_error *err)
{
	if (ctx->opts->n_args > 0)
		return cs_fail(err, CS_EXIT_USAGE, _("rsc takes no arguments (see chatsync --help)"));
	struct cs_rsc r = { 0 };
	bool have = cache_get_rsc(ctx->s.cache, &r) == 1;
	int state = have ? r.state : CS_RSC_UNKNOWN;
	if (ctx->opts->format == CLI_FORMAT_JSON) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "state", cs_rsc_state_name(state));
		cJSON_AddItemToObject(o, "source", rows_string(have ? r.source : NULL));
		cJSON *pol = cJSON_AddArrayToObject(o, "policies");
		for (size_t i = 0; i < r.n_policies; i++)
			cJSON_AddItemToArray(pol, rows_string(r.policies[i]));
		cJSON_AddItemToObject(o, "fetched_at", rows_time(r.fetched_at));
		cJSON_AddItemToObject(o, "error", rows_string(r.error));
		cJSON_AddStringToObject(o, "meaning", rsc_meaning(state));
		out_json(o, stdout);
	} else {
		char when[40] = "", age[32] = "";
		printf(_("Chat RSC state: %s\n"), cs_rsc_state_name(state));
		if (have && r.fetched_at)
			printf(_("Read from %s, %s (%s ago)\n"), r.source ? r.source : "?",
			       time_format_human(r.fetched_at, when, sizeof when),
			       time_format_age(r.fetched_at, ctx->now, age, sizeof age));
		if (r.n_policies) {
			printf(_("Permission grant policies assigned to users:\n"));
			for (size_t i = 0; i < r.n_policies; i++) {
				char *p = text_sanitize(r.policies[i]);
				printf("  %s\n", p);
				free(p);
			}
		}
		if (r.error)
			printf(_("Could not read it: %s\n"), r.error);
		printf("%s\n", rsc_meaning(state));
	}
	cs_rsc_free(&r);
	return 0;
}
