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

/* diagnose --csv: a line per finding (one with the verdict alone when there is none), with the chat's
 * ids and the verdict on each; evidence items joined as the text report words them. */
static void diagnose_csv(const struct diag_result *res, const struct cs_chat *chat, const struct cs_env *env)
{
	static const char *const keys[] = { "environment", "teams_chat_id", "activity_id", "verdict", "rule",
					    "severity", "check", "title", "summary", "evidence", "remedy", NULL };
	struct out_rows w;
	out_rows_begin(&w, stdout, true, keys);
	for (size_t i = 0; i < res->n_findings || (i == 0 && res->n_findings == 0); i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "environment", rows_string(env->unique_name));
		cJSON_AddItemToObject(o, "teams_chat_id", rows_string(chat->teams_chat_id));
		cJSON_AddItemToObject(o, "activity_id", rows_string(chat->activity_id));
		cJSON_AddStringToObject(o, "verdict", diag_verdict_name(res->verdict));
		if (res->n_findings) {
			const struct diag_finding *fd = &res->findings[i];
			cJSON_AddStringToObject(o, "rule", diag_rule_id(fd->rule));
			cJSON_AddStringToObject(o, "severity", diag_severity_name(fd->severity));
			cJSON_AddStringToObject(o, "check", diag_rule_id(fd->check));
			cJSON_AddItemToObject(o, "title", rows_string(diag_rule_title(fd->rule)));
			cJSON_AddItemToObject(o, "summary", rows_string(fd->summary));
			cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
			for (size_t j = 0; j < fd->n_evidence; j++) {
				char *t = diag_evidence_text(&fd->evidence[j], res->now);
				cJSON_AddItemToArray(ev, rows_string(t));
				free(t);
			}
			cJSON_AddItemToObject(o, "remedy", rows_string(fd->remedy));
		}
		out_rows_add(&w, o);
	}
	out_rows_end(&w);
}

/* Every command's operands were held to the command table (cli_check_args) before it runs. */
int cmd_diagnose(struct cli_context *ctx, struct cs_error *err)
{
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
		if (rc < 0)
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
	} else if (ctx->opts->format == CLI_FORMAT_CSV) {
		diagnose_csv(&res, &view, &f.env);
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

int cli_failure_status(const struct cli_opts *opts, const struct cs_error *err)
{
	if (opts && opts->command && strcmp(opts->command, "check") == 0)
		return CS_EXIT_NETWORK; /* the monitoring plugins' UNKNOWN */
	return err && err->exit_code ? err->exit_code : CS_EXIT_USAGE;
}

/* check reads the chats environment by environment (cache_facts_each's order), so every format is
 * written as it goes: a text line or a JSON environment when one ends, a CSV line per chat. Only the
 * tallies are held. */
struct check_run {
	struct cli_context *ctx;
	char *env;                  /* the environment being tallied, NULL before the first chat */
	size_t chats, n_envs;
	struct diag_check tally, total;
	struct out_rows csv;
	int rc;
	struct cs_error *err;
	struct cache_check_seen *seen; /* this check's findings, kept for the next check --new */
};

static void check_env_end(struct check_run *cr)
{
	if (!cr->env)
		return;
	if (cr->ctx->opts->format == CLI_FORMAT_JSON) {
		printf("],\"chats\":%zu,\"not_syncing\":%zu,\"at_risk\":%zu,\"unknown\":%zu,\"syncing\":%zu}", cr->chats,
		       cr->tally.not_syncing, cr->tally.at_risk, cr->tally.unknown, cr->tally.syncing);
	} else if (cr->ctx->opts->format == CLI_FORMAT_TABLE) {
		char *line = diag_check_summary(&cr->tally);
		char *name = text_sanitize(cr->env);
		printf(_("%s: %zu chats: %s\n"), name, cr->chats, line);
		free(line);
		free(name);
	}
	free(cr->env);
	cr->env = NULL;
}

static void check_env_begin(struct check_run *cr, const char *unique_name)
{
	cr->env = xstrdup(unique_name ? unique_name : "");
	cr->chats = 0;
	diag_check_init(&cr->tally);
	cr->tally.warn_hours = cr->ctx->opts->warn_hours;
	if (cr->ctx->opts->format == CLI_FORMAT_JSON) {
		fputs(cr->n_envs ? ",{\"unique_name\":" : "{\"unique_name\":", stdout);
		out_json_value(rows_string(unique_name), stdout);
		fputs(",\"chat_results\":[", stdout);
	}
	cr->n_envs++;
}

/* The rules a chat's findings name; a check that could not run as check-unavailable(rule). */
static cJSON *rule_ids(const struct diag_result *res)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < res->n_findings; i++) {
		const struct diag_finding *fd = &res->findings[i];
		char *id = fd->check != fd->rule ? xasprintf("%s(%s)", diag_rule_id(fd->rule), diag_rule_id(fd->check))
						 : xstrdup(diag_rule_id(fd->rule));
		cJSON_AddItemToArray(a, cJSON_CreateString(id));
		free(id);
	}
	return a;
}

/* Diagnoses a chat and records what it found for the next check --new; with --new, res keeps only
 * what the previous check did not report. 0, or -1 with cr->err. */
static int check_diagnose(struct check_run *cr, const struct cache_facts *f, struct cs_chat *ch, struct diag_result *res)
{
	cache_facts_chat(f, ch);
	cache_facts_diagnose(f, cr->ctx->now, cr->ctx->opts->warn_hours, res);
	/* Every check records what it found per chat; --new reports only what the previous one had not. */
	const char *id = ch->teams_chat_id ? ch->teams_chat_id : ch->activity_id;
	char *seen = diag_result_rules(res);
	if (cr->ctx->opts->new_only) {
		char *before = cache_check_seen_get(cr->seen, id);
		diag_result_keep_new(res, before);
		free(before);
	}
	int rc = cache_check_seen_put(cr->seen, id, seen, cr->err);
	free(seen);
	if (rc)
		diag_result_free(res);
	return rc;
}

static int check_chat(const struct cache_facts *f, void *user)
{
	struct check_run *cr = user;
	struct cs_chat ch;
	struct diag_result res;
	if (check_diagnose(cr, f, &ch, &res)) {
		cr->rc = -1;
		return 1;
	}
	const char *name = f->env.unique_name ? f->env.unique_name : "";
	if (!cr->env || strcmp(cr->env, name) != 0) {
		check_env_end(cr);
		check_env_begin(cr, name);
	}
	cr->chats++;
	diag_check_add(&cr->tally, &res);
	diag_check_add(&cr->total, &res);
	enum cli_format format = cr->ctx->opts->format;
	if (format != CLI_FORMAT_TABLE) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "environment", rows_string(name));
		cJSON_AddItemToObject(o, "activity_id", rows_string(ch.activity_id));
		cJSON_AddItemToObject(o, "teams_chat_id", rows_string(ch.teams_chat_id));
		cJSON_AddItemToObject(o, "subject", rows_string(ch.subject));
		cJSON_AddStringToObject(o, "verdict", diag_verdict_name(res.verdict));
		if (format == CLI_FORMAT_CSV) {
			cJSON_AddItemToObject(o, "rules", rule_ids(&res));
			out_rows_add(&cr->csv, o);
		} else {
			cJSON *rules = cJSON_AddArrayToObject(o, "rules");
			for (size_t i = 0; i < res.n_findings; i++) {
				cJSON *fo = cJSON_CreateObject();
				cJSON_AddStringToObject(fo, "rule", diag_rule_id(res.findings[i].rule));
				cJSON_AddStringToObject(fo, "severity", diag_severity_name(res.findings[i].severity));
				if (res.findings[i].check != res.findings[i].rule)
					cJSON_AddStringToObject(fo, "check", diag_rule_id(res.findings[i].check));
				cJSON_AddItemToArray(rules, fo);
			}
			if (cr->chats > 1)
				fputc(',', stdout);
			out_json_value(o, stdout);
		}
	}
	diag_result_free(&res);
	return 0;
}

static bool same_id(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The text check prints only each environment's tallies, which do not depend on the order of its
 * chats: it reads them unordered (cache_facts_open_part), which spares SQLite sorting every chat's
 * facts, and prints the environments in the order the others list them (by unique name; environments
 * that share a name are one line, as in the ordered read). */
static int check_unordered(struct check_run *cr, const struct cs_env *envs, size_t n_envs, struct cs_error *err)
{
	struct cache_facts_cursor *cur = cache_facts_open_part(cr->ctx->s.cache, 0, 1, err);
	if (!cur)
		return -1;
	size_t *chats = xcalloc(n_envs, sizeof *chats);
	struct diag_check *tally = xcalloc(n_envs, sizeof *tally);
	for (size_t i = 0; i < n_envs; i++) {
		diag_check_init(&tally[i]);
		tally[i].warn_hours = cr->ctx->opts->warn_hours;
	}
	size_t at = 0;
	const struct cache_facts *f;
	int rc;
	while ((rc = cache_facts_next(cur, &f, err)) == 1) {
		struct cs_chat ch;
		struct diag_result res;
		if (check_diagnose(cr, f, &ch, &res)) {
			rc = -1;
			break;
		}
		/* the environment of the last chat is almost always this one's */
		if (at >= n_envs || !same_id(envs[at].id, f->env.id))
			for (at = 0; at < n_envs && !same_id(envs[at].id, f->env.id); at++)
				;
		if (at < n_envs) { /* always: the list and the chats are one snapshot */
			chats[at]++;
			diag_check_add(&tally[at], &res);
			diag_check_add(&cr->total, &res);
		}
		diag_result_free(&res);
	}
	cache_facts_close(cur);
	for (size_t i = 0; rc == 0 && i < n_envs; i++) {
		if (!chats[i])
			continue;
		const char *name = envs[i].unique_name ? envs[i].unique_name : "";
		if (!cr->env || strcmp(cr->env, name) != 0) {
			check_env_end(cr);
			check_env_begin(cr, name);
		}
		cr->chats += chats[i];
		diag_check_merge(&cr->tally, &tally[i]);
	}
	free(chats);
	free(tally);
	return rc < 0 ? -1 : 0;
}

int cmd_check(struct cli_context *ctx, struct cs_error *err)
{
	struct cs_env *envs = NULL;
	size_t n_envs = 0;
	struct check_run cr = { .ctx = ctx, .err = err };
	/* The environments are listed in the check's own snapshot, which its chats are read in. */
	if (!(cr.seen = cache_check_seen_begin(ctx->s.cache, err)))
		return -1;
	int rc = cache_list_envs(ctx->s.cache, &envs, &n_envs, err);
	if (rc == 0 && n_envs == 0) /* nothing was ever read: that is not "all syncing" */
		rc = cs_fail(err, CS_EXIT_NETWORK, _("nothing to check: the cache holds no environments yet (run: "
						     "chatsync refresh)"));
	if (rc)
		cache_check_seen_abort(cr.seen);
	if (rc == 0) {
		diag_check_init(&cr.total);
		cr.total.warn_hours = ctx->opts->warn_hours;
		static const char *const keys[] = { "environment", "activity_id", "teams_chat_id", "subject", "verdict",
						    "rules", NULL };
		if (ctx->opts->format == CLI_FORMAT_JSON)
			fputs("{\"environments\":[", stdout);
		else if (ctx->opts->format == CLI_FORMAT_CSV)
			out_rows_begin(&cr.csv, stdout, true, keys);
		if (ctx->opts->format == CLI_FORMAT_TABLE)
			rc = check_unordered(&cr, envs, n_envs, err);
		else
			rc = cache_facts_each(ctx->s.cache, NULL, check_chat, &cr, err) || cr.rc ? -1 : 0;
		if (rc == 0)
			check_env_end(&cr);
		free(cr.env);
		if (rc == 0 && cache_check_seen_end(cr.seen, err))
			rc = -1;
		else if (rc)
			cache_check_seen_abort(cr.seen);
		if (rc && ctx->opts->format == CLI_FORMAT_JSON)
			fputs("\n", stdout);
	}
	for (size_t i = 0; i < n_envs; i++)
		cs_env_free(&envs[i]);
	free(envs);
	if (rc)
		return -1;
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
		fputs("],\"summary\":", stdout);
		out_json_value(cJSON_CreateString(summary), stdout);
		printf(",\"exit_code\":%d}\n", code);
	} else if (ctx->opts->format == CLI_FORMAT_TABLE) {
		printf("%s\n", summary);
	}
	free(summary);
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
	return _("Unknown: chatsync has not read the source that decides the tenant's chat RSC state (run chatsync "
		 "refresh; the authorization policy needs Policy.Read.All and, for a delegated sign-in, a directory role "
		 "such as Global Reader).");
}

static const char *tri_word(int v)
{
	return v == CS_TRUE ? _("yes") : v == CS_FALSE ? _("no") : _("unknown");
}

static cJSON *tri_json(int v)
{
	return v == CS_UNKNOWN ? cJSON_CreateNull() : cJSON_CreateBool(v == CS_TRUE);
}

static bool asks_coverage(int state)
{
	return state == CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY || state == CS_RSC_CUSTOM;
}

/* One source as a JSON object: {"source","status","error","fetched_at"} (status null: not read). */
static cJSON *rsc_fact_json(int i, const struct cs_rsc_fact *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "source", cs_rsc_source_name(i));
	cJSON_AddItemToObject(o, "status", f->http_status ? cJSON_CreateNumber(f->http_status) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "error", rows_string(f->error));
	cJSON_AddItemToObject(o, "fetched_at", rows_time(f->fetched_at));
	return o;
}

/* One source as a line: what it answered and when. */
static void rsc_fact_line(const struct cs_rsc *r, int i, cs_time now)
{
	const struct cs_rsc_fact *f = &r->facts[i];
	char when[40] = "", age[32] = "";
	char *e = f->error ? text_sanitize(f->error) : NULL;
	printf("  %-36s ", cs_rsc_source_name(i));
	if (f->fetched_at)
		printf(_("%s (%s ago): "), time_format_human(f->fetched_at, when, sizeof when),
		       time_format_age(f->fetched_at, now, age, sizeof age));
	if (f->http_status == 0)
		printf("%s\n", e ? e : _("not read"));
	else if (f->http_status >= 200 && f->http_status <= 299 && i == CS_RSC_SRC_SETTINGS && r->chat_rsc_enabled != CS_UNKNOWN)
		printf("HTTP %d, isChatResourceSpecificConsentEnabled %s\n", f->http_status,
		       r->chat_rsc_enabled == CS_TRUE ? "true" : "false");
	else if (f->http_status >= 200 && f->http_status <= 299)
		printf("HTTP %d\n", f->http_status);
	else if (f->http_status > 0)
		printf("HTTP %d%s%s\n", f->http_status, e ? ": " : "", e ? e : "");
	else
		printf("%s\n", e ? e : _("no answer"));
	free(e);
}

int cmd_rsc(struct cli_context *ctx, struct cs_error *err)
{
	struct cs_rsc r = { .app_covered = CS_UNKNOWN, .chat_rsc_enabled = CS_UNKNOWN };
	bool have = cache_get_rsc(ctx->s.cache, &r) == 1;
	int state = have ? r.state : CS_RSC_UNKNOWN;
	bool coverage = have && asks_coverage(state);
	if (ctx->opts->format != CLI_FORMAT_TABLE) {
		static const char *const keys[] = { "state", "source", "policies", "fetched_at", "error", "meaning",
						    "decided_by", "missing", "chat_rsc_enabled", "chat_sync_app_covered",
						    "chat_sync_app_reason", NULL };
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "state", cs_rsc_state_name(state));
		cJSON_AddItemToObject(o, "source", rows_string(have ? r.source : NULL));
		cJSON *pol = cJSON_AddArrayToObject(o, "policies");
		for (size_t i = 0; i < r.n_policies; i++)
			cJSON_AddItemToArray(pol, rows_string(r.policies[i]));
		cJSON_AddItemToObject(o, "fetched_at", rows_time(r.fetched_at));
		cJSON_AddItemToObject(o, "error", rows_string(r.error));
		cJSON_AddStringToObject(o, "meaning", rsc_meaning(state));
		cJSON_AddItemToObject(o, "decided_by", rows_string(r.decided_by));
		cJSON_AddItemToObject(o, "missing", rows_string(r.missing));
		cJSON_AddItemToObject(o, "chat_rsc_enabled", tri_json(have ? r.chat_rsc_enabled : CS_UNKNOWN));
		cJSON_AddItemToObject(o, "chat_sync_app_covered", tri_json(coverage ? r.app_covered : CS_UNKNOWN));
		cJSON_AddItemToObject(o, "chat_sync_app_reason", rows_string(coverage ? r.app_covered_reason : NULL));
		if (ctx->opts->format == CLI_FORMAT_JSON) {
			cJSON *src = cJSON_AddArrayToObject(o, "sources");
			for (int i = 0; have && i < CS_RSC_N_SOURCES; i++)
				cJSON_AddItemToArray(src, rsc_fact_json(i, &r.facts[i]));
			out_json(o, stdout);
		} else {
			cJSON *rows = cJSON_CreateArray();
			cJSON_AddItemToArray(rows, o);
			out_csv(rows, keys, stdout);
		}
	} else {
		char when[40] = "", age[32] = "";
		printf(_("Chat RSC state: %s\n"), cs_rsc_state_name(state));
		if (have && r.fetched_at && state != CS_RSC_UNKNOWN)
			printf(_("Decided by %s, %s (%s ago)\n"), r.decided_by ? r.decided_by : r.source ? r.source : "?",
			       time_format_human(r.fetched_at, when, sizeof when),
			       time_format_age(r.fetched_at, ctx->now, age, sizeof age));
		if (have) {
			printf(_("Sources (as Get-MgBetaChatRscConfiguration reads them):\n"));
			for (int i = 0; i < CS_RSC_N_SOURCES; i++)
				if (i != CS_RSC_SRC_PREAPPROVAL)
					rsc_fact_line(&r, i, ctx->now);
		}
		if (r.n_policies) {
			printf(_("Permission grant policies assigned to users:\n"));
			for (size_t i = 0; i < r.n_policies; i++) {
				char *p = text_sanitize(r.policies[i]);
				printf("  %s\n", p);
				free(p);
			}
		}
		if (r.error && state == CS_RSC_UNKNOWN)
			printf(_("Could not check it: %s (%s)\n"), r.error, r.missing ? r.missing : "authorizationPolicy");
		else if (r.missing && state != CS_RSC_UNKNOWN)
			printf(_("Not checked against %s, which would decide first if it said true: it was not read.\n"),
			       r.missing);
		if (coverage) {
			char *why = r.app_covered_reason ? text_sanitize(r.app_covered_reason) : NULL;
			printf(_("Dataverse Chat Sync covered: %s%s%s\n"), tri_word(r.app_covered), why ? ": " : "",
			       why ? why : "");
			free(why);
			rsc_fact_line(&r, CS_RSC_SRC_PREAPPROVAL, ctx->now);
		}
		printf("%s\n", rsc_meaning(state));
	}
	cs_rsc_free(&r);
	(void)err;
	return 0;
}
