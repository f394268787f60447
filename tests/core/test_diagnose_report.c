/* Rendering diagnoses: evidence text, the 80-column report, the JSON contract shape and the
 * `check` exit codes and summary line. */
#include "config.h"
#include "diag_test_facts.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "core/diag_report.h"
#include "base/text.h"

TestSuite(diag_report, .init = fx_locale);

static struct fx x;

static void done(void)
{
	diag_result_free(&x.res);
}

Test(diag_report, evidence_text_has_value_source_and_age)
{
	struct diag_evidence e = { .fact = "modifiedinteamson", .value = "2026-11-14 09:12 UTC",
				   .source = "Dataverse", .fetched_at = NOW - 3 * MIN };
	char *t = diag_evidence_text(&e, NOW);
	cr_assert_str_eq(t, "modifiedinteamson 2026-11-14 09:12 UTC (Dataverse, fetched 3 min ago)");
	free(t);

	e.fetched_at = NOW - 3 * DAY;
	e.stale = true;
	t = diag_evidence_text(&e, NOW);
	cr_assert_str_eq(t, "modifiedinteamson 2026-11-14 09:12 UTC (Dataverse, fetched 3 d ago: stale)");
	free(t);

	struct diag_evidence never = { .fact = "GET /chats/{id}/installedApps", .value = "never fetched",
				       .source = "Graph" };
	t = diag_evidence_text(&never, NOW);
	cr_assert_str_eq(t, "GET /chats/{id}/installedApps never fetched (Graph)");
	free(t);

	struct diag_evidence empty = { 0 };
	t = diag_evidence_text(&empty, NOW);
	cr_assert_not_null(strstr(t, "not set"));
	free(t);
	t = diag_evidence_text(NULL, NOW);
	cr_assert_str_eq(t, "");
	free(t);
}

Test(diag_report, engine_marks_old_facts_stale, .fini = done)
{
	fx_healthy(&x);
	x.chat.state = CS_STATE_COMPLETED;
	x.chat.fetched_at = NOW - 2 * DAY;
	const struct diag_result *r = fx_run(&x);
	const struct diag_evidence *e = fx_evidence(fx_find(r, DIAG_RULE_ACTIVITY_INACTIVE), "statecode");
	cr_assert(e->stale);
	char *t = diag_evidence_text(e, r->now);
	cr_assert_not_null(strstr(t, "(Dataverse, fetched 2 d ago: stale)"));
	free(t);
	x.chat.fetched_at = NOW - 3 * MIN;
	e = fx_evidence(fx_find(fx_run(&x), DIAG_RULE_ACTIVITY_INACTIVE), "statecode");
	cr_assert_not(e->stale);
}

/* Every line of s fits width columns and carries no escape or other control characters. */
static void assert_fits(const char *s, size_t width)
{
	char *copy = strdup(s);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert_leq(text_width(line), width, "too wide (%zu): %s", text_width(line), line);
		for (const unsigned char *p = (const unsigned char *)line; *p; p++)
			cr_assert(*p >= 0x20 && *p != 0x7F, "control byte in: %s", line);
	}
	free(copy);
}

Test(diag_report, text_report_reads_verdict_first_then_severities, .fini = done)
{
	fx_healthy(&x);
	x.chat.state = CS_STATE_COMPLETED;
	x.chat.last_sync_error = 12;
	x.facts.rsc = NULL;
	x.rsc.state = CS_RSC_MANAGED_BY_MICROSOFT;
	const struct diag_result *r = fx_run(&x);
	char *t = diag_report_text(r, "Deal room (19:deal@thread.v2)", 80);
	cr_assert_eq(strncmp(t, "Chat: Deal room (19:deal@thread.v2)\nVerdict: not syncing", 56), 0, "%s", t);
	cr_assert_not_null(strstr(t, "1 blocking finding, 1 warning, 1 check could not run"));
	const char *blocking = strstr(t, "\nBlocking\n");
	const char *warnings = strstr(t, "\nWarnings\n");
	const char *unknown = strstr(t, "\nCould not check\n");
	cr_assert(blocking && warnings && unknown, "%s", t);
	cr_assert_lt(blocking, warnings);
	cr_assert_lt(warnings, unknown);
	cr_assert_not_null(strstr(t, "activity-inactive: Chat activity is no longer open"));
	cr_assert_not_null(strstr(t, "check-unavailable: rsc-disabled could not be checked"));
	cr_assert_not_null(strstr(t, "statecode Completed (1) (Dataverse, fetched 3 min ago)"));
	cr_assert_not_null(strstr(t, "What to do: Reopen the activity"));
	assert_fits(t, 80);
	free(t);
}

Test(diag_report, text_report_wraps_long_and_hostile_values, .fini = done)
{
	fx_healthy(&x);
	x.errors[0] = (struct cs_sync_error){
		.errorcode = 1,
		.message = "\x1b[31mred\x1b[0m The record could not be synced because "
			   "https://contoso.crm.dynamics.com/api/data/v9.2/chats(aaaaaaaa-0000-0000-0000-000000000001)/"
			   "chat_SyncErrors?$select=errorcode,errormessage,errortime answered 東京オフィス東京オフィス",
		.time = NOW - HOUR,
	};
	x.facts.n_errors = 1;
	const struct diag_result *r = fx_run(&x);
	for (int width = 40; width <= 100; width += 20) {
		char *t = diag_report_text(r, NULL, width);
		assert_fits(t, (size_t)width);
		cr_assert_not_null(strstr(t, "Verdict: at risk"));
		cr_assert_null(strchr(t, '\x1b'));
		free(t);
	}
	char *d = diag_report_text(r, NULL, 0);   /* default width */
	assert_fits(d, 80);
	free(d);
}

Test(diag_report, text_report_of_a_healthy_chat_says_so, .fini = done)
{
	fx_healthy(&x);
	char *t = diag_report_text(fx_run(&x), NULL, 80);
	cr_assert_str_eq(t, "Verdict: syncing. Every check passed.\n");
	free(t);
	t = diag_report_text(NULL, NULL, 80);
	cr_assert_str_eq(t, "");
	free(t);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert_not_null(v, "missing key %s", key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

Test(diag_report, json_has_the_contract_shape, .fini = done)
{
	fx_healthy(&x);
	x.chat.modified_in_teams_on = NOW - 6 * DAY - 23 * HOUR;
	x.facts.graph = NULL;
	const struct diag_result *r = fx_run(&x);
	cJSON *chat = cJSON_CreateObject();
	cJSON_AddStringToObject(chat, "teams_chat_id", "19:deal@thread.v2");
	cJSON *doc = diag_report_json(r, chat);
	/* Round trip through text, as a script would see it. */
	char *printed = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	doc = cJSON_Parse(printed);
	free(printed);
	cr_assert_not_null(doc);
	cr_assert_str_eq(jstr(cJSON_GetObjectItem(doc, "chat"), "teams_chat_id"), "19:deal@thread.v2");
	cr_assert_str_eq(jstr(doc, "verdict"), "at_risk");
	cr_assert_str_eq(jstr(doc, "diagnosed_at"), "2026-11-14T09:12:00Z");
	const cJSON *findings = cJSON_GetObjectItem(doc, "findings");
	cr_assert(cJSON_IsArray(findings));
	cr_assert_eq((size_t)cJSON_GetArraySize(findings), r->n_findings);
	const cJSON *f;
	bool saw_soon = false, saw_unavailable = false;
	cJSON_ArrayForEach(f, findings) {
		const char *keys[] = { "rule", "severity", "summary", "evidence", "remedy", "check" };
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			cr_assert_not_null(cJSON_GetObjectItem(f, keys[i]), "finding lacks %s", keys[i]);
		cr_assert_geq(diag_rule_parse(jstr(f, "rule")), 0);
		const char *sev = jstr(f, "severity");
		cr_assert(!strcmp(sev, "blocking") || !strcmp(sev, "warning") || !strcmp(sev, "info") ||
			  !strcmp(sev, "unknown"), "%s", sev);
		const cJSON *ev = cJSON_GetObjectItem(f, "evidence");
		cr_assert(cJSON_IsArray(ev));
		cr_assert_gt(cJSON_GetArraySize(ev), 0);
		const cJSON *e;
		cJSON_ArrayForEach(e, ev) {
			jstr(e, "fact");
			jstr(e, "value");
			jstr(e, "source");
			const cJSON *at = cJSON_GetObjectItem(e, "fetched_at");
			cr_assert(cJSON_IsNull(at) || (cJSON_IsString(at) && strlen(at->valuestring) == 20 &&
						      at->valuestring[19] == 'Z'));
		}
		if (!strcmp(jstr(f, "rule"), "inactive-soon")) {
			saw_soon = true;
			cr_assert_str_eq(sev, "warning");
			const cJSON *e0 = cJSON_GetArrayItem(ev, 0);
			cr_assert_str_eq(jstr(e0, "fact"), "modifiedinteamson");
			cr_assert_str_eq(jstr(e0, "fetched_at"), "2026-11-14T09:09:00Z");
		}
		if (!strcmp(jstr(f, "rule"), "check-unavailable")) {
			saw_unavailable = true;
			cr_assert_str_eq(sev, "unknown");
			cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 0), "fetched_at")));
			cr_assert_neq(strcmp(jstr(f, "check"), "check-unavailable"), 0);
		}
	}
	cr_assert(saw_soon && saw_unavailable);
	cJSON_Delete(doc);
}

Test(diag_report, json_without_chat_or_findings, .fini = done)
{
	fx_healthy(&x);
	cJSON *doc = diag_report_json(fx_run(&x), NULL);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "chat")));
	cr_assert_str_eq(jstr(doc, "verdict"), "syncing");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")), 0);
	cJSON_Delete(doc);
	/* A finding with no remedy gives null, not a missing key. */
	x.chat.sync_status = CS_SYNC_PENDING;
	x.chat.linked_on = NOW - 10 * MIN;
	doc = diag_report_json(fx_run(&x), NULL);
	const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	cr_assert_str_eq(jstr(f, "severity"), "info");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(f, "remedy")));
	cJSON_Delete(doc);
}

/* A result with the given severities, built by hand: the tally reads only those. */
static struct diag_result fake(enum diag_verdict v, struct diag_finding *f, size_t n)
{
	return (struct diag_result){ .verdict = v, .now = NOW, .warn_hours = 24, .findings = f, .n_findings = n };
}

Test(diag_report, check_exit_codes_follow_the_precedence)
{
	struct diag_finding blocking = { .rule = DIAG_RULE_UNLINKED, .severity = DIAG_BLOCKING };
	struct diag_finding warning = { .rule = DIAG_RULE_SYNC_ERROR, .severity = DIAG_WARNING };
	struct diag_finding unknown = { .rule = DIAG_RULE_CHECK_UNAVAILABLE, .severity = DIAG_UNKNOWN };
	struct diag_finding info = { .rule = DIAG_RULE_RSC_DISABLED, .severity = DIAG_INFO };
	struct diag_result ok = fake(DIAG_VERDICT_SYNCING, &info, 1);
	struct diag_result warn = fake(DIAG_VERDICT_AT_RISK, &warning, 1);
	struct diag_result block = fake(DIAG_VERDICT_NOT_SYNCING, &blocking, 1);
	struct diag_result unk = fake(DIAG_VERDICT_UNKNOWN, &unknown, 1);
	struct diag_finding warn_unk[2] = { warning, unknown };
	struct diag_result risk_and_unknown = fake(DIAG_VERDICT_AT_RISK, warn_unk, 2);
	struct diag_check s;

	diag_check_init(&s);
	cr_assert_eq(diag_check_exit_code(&s), 0);   /* nothing to check: all (zero) syncing */
	diag_check_add(&s, &ok);
	cr_assert_eq(diag_check_exit_code(&s), 0);
	diag_check_add(&s, &warn);
	cr_assert_eq(diag_check_exit_code(&s), 1);
	diag_check_add(&s, &unk);
	cr_assert_eq(diag_check_exit_code(&s), 3);
	diag_check_add(&s, &block);
	cr_assert_eq(diag_check_exit_code(&s), 2);
	cr_assert_eq(s.syncing, 1);
	cr_assert_eq(s.at_risk, 1);
	cr_assert_eq(s.unknown, 1);
	cr_assert_eq(s.not_syncing, 1);

	/* An at-risk chat with an unchecked rule still makes the run unknown. */
	diag_check_init(&s);
	diag_check_add(&s, &risk_and_unknown);
	cr_assert_eq(diag_check_exit_code(&s), 3);
	cr_assert_eq(s.at_risk, 1);
	diag_check_add(NULL, &ok);
	diag_check_add(&s, NULL);
	cr_assert_eq(s.at_risk + s.syncing + s.unknown + s.not_syncing, 1);
}

/* Tallies kept apart and merged are the tallies of all the chats added to one. */
Test(diag_report, check_tallies_merge_as_if_added_to_one)
{
	struct diag_finding soon = { .rule = DIAG_RULE_INACTIVE_SOON, .severity = DIAG_WARNING };
	struct diag_finding blocking = { .rule = DIAG_RULE_UNLINKED, .severity = DIAG_BLOCKING };
	struct diag_finding unknown = { .rule = DIAG_RULE_CHECK_UNAVAILABLE, .severity = DIAG_UNKNOWN };
	struct diag_result all[] = { fake(DIAG_VERDICT_AT_RISK, &soon, 1), fake(DIAG_VERDICT_NOT_SYNCING, &blocking, 1),
				     fake(DIAG_VERDICT_UNKNOWN, &unknown, 1), fake(DIAG_VERDICT_SYNCING, NULL, 0),
				     fake(DIAG_VERDICT_AT_RISK, &soon, 1) };
	struct diag_check one, a, b;
	diag_check_init(&one);
	diag_check_init(&a);
	diag_check_init(&b);
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		diag_check_add(&one, &all[i]);
		diag_check_add(i % 2 ? &a : &b, &all[i]);
	}
	cr_assert_neq(diag_check_exit_code(&a), diag_check_exit_code(&b), "the halves differ");
	struct diag_check merged;
	diag_check_init(&merged);
	diag_check_merge(&merged, &a);
	diag_check_merge(&merged, &b);
	diag_check_merge(&merged, NULL);
	cr_assert_eq(merged.not_syncing, one.not_syncing);
	cr_assert_eq(merged.at_risk, 2);
	cr_assert_eq(merged.unknown, one.unknown);
	cr_assert_eq(merged.syncing, one.syncing);
	cr_assert_eq(merged.going_stale, 2);
	cr_assert_eq(diag_check_exit_code(&merged), diag_check_exit_code(&one));
	char *m = diag_check_summary(&merged), *o = diag_check_summary(&one);
	cr_assert_str_eq(m, o);
	cr_assert_str_eq(m, "1 chat not syncing, 2 at risk (go stale within 24 h), 1 unknown, 1 syncing");
	free(m);
	free(o);
}

Test(diag_report, check_exit_codes_from_real_diagnoses, .fini = done)
{
	struct diag_check s;
	diag_check_init(&s);
	fx_healthy(&x);
	diag_check_add(&s, fx_run(&x));
	cr_assert_eq(diag_check_exit_code(&s), 0);
	x.chat.modified_in_teams_on = NOW - 6 * DAY - 20 * HOUR;
	diag_check_add(&s, fx_run(&x));
	cr_assert_eq(diag_check_exit_code(&s), 1);
	x.facts.graph = NULL;
	x.chat.modified_in_teams_on = NOW - HOUR;
	diag_check_add(&s, fx_run(&x));
	cr_assert_eq(diag_check_exit_code(&s), 3);
	x.facts.graph = &x.graph;
	x.env.sync_enabled = CS_FALSE;
	diag_check_add(&s, fx_run(&x));
	cr_assert_eq(diag_check_exit_code(&s), 2);
	char *line = diag_check_summary(&s);
	cr_assert_str_eq(line, "1 chat not syncing, 1 at risk (go stale within 24 h), 1 unknown, 1 syncing");
	free(line);
}

Test(diag_report, check_summary_line)
{
	struct diag_finding soon = { .rule = DIAG_RULE_INACTIVE_SOON, .severity = DIAG_WARNING };
	struct diag_finding err = { .rule = DIAG_RULE_SYNC_ERROR, .severity = DIAG_WARNING };
	struct diag_finding blocking = { .rule = DIAG_RULE_SYNC_DISABLED, .severity = DIAG_BLOCKING };
	struct diag_result going = fake(DIAG_VERDICT_AT_RISK, &soon, 1);
	struct diag_result erring = fake(DIAG_VERDICT_AT_RISK, &err, 1);
	struct diag_result broken = fake(DIAG_VERDICT_NOT_SYNCING, &blocking, 1);
	struct diag_result fine = fake(DIAG_VERDICT_SYNCING, NULL, 0);
	struct diag_check s;
	char *line;

	diag_check_init(&s);
	line = diag_check_summary(&s);
	cr_assert_str_eq(line, "No connected chats.");
	free(line);

	for (int i = 0; i < 3; i++)
		diag_check_add(&s, &broken);
	for (int i = 0; i < 12; i++)
		diag_check_add(&s, &going);
	line = diag_check_summary(&s);
	cr_assert_str_eq(line, "3 chats not syncing, 12 at risk (go stale within 24 h)");
	free(line);

	diag_check_add(&s, &erring);
	for (int i = 0; i < 40; i++)
		diag_check_add(&s, &fine);
	line = diag_check_summary(&s);
	cr_assert_str_eq(line, "3 chats not syncing, 13 at risk (12 go stale within 24 h), 40 syncing");
	free(line);

	diag_check_init(&s);
	diag_check_add(&s, &erring);
	line = diag_check_summary(&s);
	cr_assert_str_eq(line, "1 chat at risk");
	free(line);

	diag_check_init(&s);
	for (int i = 0; i < 40; i++)
		diag_check_add(&s, &fine);
	line = diag_check_summary(&s);
	cr_assert_str_eq(line, "All 40 chats are syncing.");
	free(line);
}
