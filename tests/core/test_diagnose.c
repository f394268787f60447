/* The diagnosis rules: for each one, facts that make it fire and a near miss that must not. */
#include "config.h"
#include "diag_test_facts.h"
#include "core/diag_report.h"
#include <stdlib.h>
#include <string.h>

TestSuite(diagnose, .init = fx_locale);

static struct fx x;

static void done(void)
{
	diag_result_free(&x.res);
}

Test(diagnose, healthy_chat_is_syncing_with_no_findings, .fini = done)
{
	fx_healthy(&x);
	const struct diag_result *r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);
	cr_assert_eq(r->n_findings, 0);
	cr_assert_eq(r->now, NOW);
	cr_assert_eq(r->warn_hours, 24);
}

Test(diagnose, rule_table_ids_round_trip_and_are_unique)
{
	cr_assert_eq(DIAG_RULE_COUNT, 14);
	for (int i = 0; i < DIAG_RULE_COUNT; i++) {
		const char *id = diag_rule_id((enum diag_rule)i);
		cr_assert_not_null(id);
		cr_assert_eq(diag_rule_parse(id), i, "%s", id);
		cr_assert_gt(strlen(diag_rule_title((enum diag_rule)i)), 0);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(id, diag_rule_id((enum diag_rule)j));
	}
	cr_assert_str_eq(diag_rule_id(DIAG_RULE_INACTIVE_SOON), "inactive-soon");
	cr_assert_eq(diag_rule_severity(DIAG_RULE_INACTIVE_SOON), DIAG_WARNING);
	cr_assert_eq(diag_rule_severity(DIAG_RULE_CHECK_UNAVAILABLE), DIAG_UNKNOWN);
	cr_assert_eq(diag_rule_parse("no-such-rule"), -1);
	cr_assert_eq(diag_rule_parse(NULL), -1);
	cr_assert_null(diag_rule_id(DIAG_RULE_COUNT));
	cr_assert_str_eq(diag_severity_name(DIAG_INFO), "info");
	cr_assert_str_eq(diag_verdict_name(DIAG_VERDICT_NOT_SYNCING), "not_syncing");
	cr_assert_str_eq(diag_verdict_name(DIAG_VERDICT_AT_RISK), "at_risk");
}

Test(diagnose, sync_disabled_fires_only_when_false, .fini = done)
{
	fx_healthy(&x);
	x.env.sync_enabled = CS_FALSE;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_SYNC_DISABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_eq(r->verdict, DIAG_VERDICT_NOT_SYNCING);
	const struct diag_evidence *e = fx_evidence(fd, "teamschatdatasync");
	cr_assert_not_null(e);
	cr_assert_str_eq(e->value, "false");
	cr_assert_str_eq(e->source, "Dataverse");
	cr_assert_eq(e->fetched_at, NOW - 3 * MIN);
	cr_assert_not_null(strstr(fd->remedy, "Teams integration settings"));
	cr_assert_not_null(strstr(fd->remedy, "chatsync sync contoso on"));

	x.env.sync_enabled = CS_TRUE;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_SYNC_DISABLED));
}

Test(diagnose, sync_state_unknown_is_check_unavailable_not_a_pass, .fini = done)
{
	fx_healthy(&x);
	x.env.sync_enabled = CS_UNKNOWN;
	x.env.org_fetched_at = 0;
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_SYNC_DISABLED));
	const struct diag_finding *fd = fx_unavailable(r, DIAG_RULE_SYNC_DISABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_UNKNOWN);
	cr_assert_str_eq(fx_evidence(fd, "teamschatdatasync")->value, "never fetched");
	cr_assert_not_null(strstr(fd->remedy, "chatsync refresh"));
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);

	x.env.last_error = "discovery: HTTP 503";
	fd = fx_unavailable(fx_run(&x), DIAG_RULE_SYNC_DISABLED);
	cr_assert_str_eq(fx_evidence(fd, "last refresh")->value, "discovery: HTTP 503");
}

Test(diagnose, connected_before_sync_needs_an_association_and_no_activity_row, .fini = done)
{
	fx_healthy(&x);
	x.facts.chat = NULL;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_not_null(strstr(fd->remedy, "Connect the chat again from the record"));
	cr_assert_str_eq(fx_evidence(fd, "msdyn_regardingobjectname")->value, "account");
	/* A chat that cannot sync anyway does not pile up Graph unknowns. */
	cr_assert_eq(fx_count(r, DIAG_UNKNOWN), 0);
	cr_assert_eq(r->verdict, DIAG_VERDICT_NOT_SYNCING);

	/* The chats list hands over a not_recorded row instead of NULL: same answer. */
	fx_healthy(&x);
	x.chat.state = CS_STATE_NOT_RECORDED;
	x.chat.activity_id = NULL;
	cr_assert_not_null(fx_find(fx_run(&x), DIAG_RULE_CONNECTED_BEFORE_SYNC));

	/* Near miss: an activity row exists, so the chat was connected while sync was on. */
	fx_healthy(&x);
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	cr_assert_null(fx_unavailable(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	/* ... and even without the association row, the activity row answers the question. */
	x.facts.assoc = NULL;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	cr_assert_null(fx_unavailable(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
}

Test(diagnose, connected_before_sync_is_not_for_activities_or_nothing_known, .fini = done)
{
	fx_healthy(&x);
	x.facts.chat = NULL;
	x.assoc.regarding_table = "email";
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	cr_assert_not_null(fx_find(r, DIAG_RULE_REGARDING_ACTIVITY));

	fx_healthy(&x);
	x.facts.chat = NULL;
	x.facts.assoc = NULL;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	cr_assert_not_null(fx_unavailable(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);
}

Test(diagnose, activity_inactive_for_completed_and_canceled_only, .fini = done)
{
	fx_healthy(&x);
	x.chat.state = CS_STATE_COMPLETED;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_ACTIVITY_INACTIVE);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_not_null(strstr(fd->remedy, "Mark as open"));
	cr_assert_not_null(strstr(fx_evidence(fd, "statecode")->value, "Completed"));

	x.chat.state = CS_STATE_CANCELED;
	cr_assert_not_null(fx_find(fx_run(&x), DIAG_RULE_ACTIVITY_INACTIVE));
	x.chat.state = CS_STATE_SCHEDULED;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_ACTIVITY_INACTIVE));
	x.chat.state = CS_STATE_OPEN;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_ACTIVITY_INACTIVE));
	x.chat.state = 9;
	cr_assert_not_null(fx_unavailable(fx_run(&x), DIAG_RULE_ACTIVITY_INACTIVE));
}

Test(diagnose, inactive_too_long_is_strictly_past_the_limit, .fini = done)
{
	fx_healthy(&x);
	x.chat.modified_in_teams_on = NOW - 7 * DAY - 1 * HOUR;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_SOON));
	cr_assert_str_eq(fx_evidence(fd, "modifiedinteamson")->value, "2026-11-07 08:12 UTC");
	cr_assert_str_eq(fx_evidence(fd, "daysbeforeinactiveteamschatsyncdisabled")->value, "7 days");
	cr_assert_not_null(strstr(fd->summary, "7 d ago"));

	/* Near miss: 6 d 23 h is inside the limit, but goes stale within the hour. */
	x.chat.modified_in_teams_on = NOW - 6 * DAY - 23 * HOUR;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	fd = fx_find(r, DIAG_RULE_INACTIVE_SOON);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_WARNING);
	cr_assert_not_null(strstr(fd->summary, "2026-11-14 10:12 UTC"));
	cr_assert_eq(r->verdict, DIAG_VERDICT_AT_RISK);

	/* Exactly the limit is not past it. */
	x.chat.modified_in_teams_on = NOW - 7 * DAY;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	cr_assert_not_null(fx_find(r, DIAG_RULE_INACTIVE_SOON));
}

Test(diagnose, inactive_soon_looks_warn_hours_ahead, .fini = done)
{
	fx_healthy(&x);
	x.chat.modified_in_teams_on = NOW - 5 * DAY - 23 * HOUR;   /* 25 h left */
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_SOON));
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);
	x.facts.warn_hours = 48;
	cr_assert_not_null(fx_find(fx_run(&x), DIAG_RULE_INACTIVE_SOON));
	x.facts.warn_hours = 0;   /* default: 24 */
	r = fx_run(&x);
	cr_assert_eq(r->warn_hours, 24);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_SOON));
}

Test(diagnose, inactivity_limit_comes_from_the_environment, .fini = done)
{
	fx_healthy(&x);
	x.env.inactivity_days = 14;
	x.chat.modified_in_teams_on = NOW - 7 * DAY - 1 * HOUR;
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_SOON));
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);

	x.chat.modified_in_teams_on = NOW - 14 * DAY - 1 * HOUR;
	const struct diag_finding *fd = fx_find(fx_run(&x), DIAG_RULE_INACTIVE_TOO_LONG);
	cr_assert_not_null(fd);
	cr_assert_str_eq(fx_evidence(fd, "daysbeforeinactiveteamschatsyncdisabled")->value, "14 days");

	x.chat.modified_in_teams_on = NOW - 13 * DAY - 1 * HOUR;
	cr_assert_not_null(fx_find(fx_run(&x), DIAG_RULE_INACTIVE_SOON));

	/* Not set in the organization: the documented default of 7, and the evidence says so. */
	x.env.inactivity_days = 0;
	x.chat.modified_in_teams_on = NOW - 7 * DAY - 1 * HOUR;
	fd = fx_find(fx_run(&x), DIAG_RULE_INACTIVE_TOO_LONG);
	cr_assert_not_null(fd);
	cr_assert_not_null(strstr(fx_evidence(fd, "daysbeforeinactiveteamschatsyncdisabled")->value,
				  "default 7"));
}

Test(diagnose, inactivity_only_for_open_rows_and_missing_time_is_unknown, .fini = done)
{
	fx_healthy(&x);
	x.chat.state = CS_STATE_COMPLETED;
	x.chat.modified_in_teams_on = NOW - 30 * DAY;
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	cr_assert_not_null(fx_find(r, DIAG_RULE_ACTIVITY_INACTIVE));

	fx_healthy(&x);
	x.chat.modified_in_teams_on = 0;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	const struct diag_finding *fd = fx_unavailable(r, DIAG_RULE_INACTIVE_TOO_LONG);
	cr_assert_not_null(fd);
	cr_assert_str_eq(fx_evidence(fd, "modifiedinteamson")->value, "not set");
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);
}

Test(diagnose, chat_sync_not_enabled_blocks_and_long_pending_warns, .fini = done)
{
	fx_healthy(&x);
	x.chat.sync_status = CS_SYNC_NOT_ENABLED;
	const struct diag_finding *fd = fx_find(fx_run(&x), DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_str_eq(fx_evidence(fd, "syncstatus")->value, "Not Enabled (0)");

	x.chat.sync_status = CS_SYNC_PENDING;
	x.chat.linked_on = NOW - 2 * HOUR;
	const struct diag_result *r = fx_run(&x);
	fd = fx_find(r, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_WARNING);
	cr_assert_eq(r->verdict, DIAG_VERDICT_AT_RISK);
	cr_assert_not_null(fx_evidence(fd, "linkedon"));

	/* Near miss: pending for 30 minutes is normal set-up, at most a note. */
	x.chat.linked_on = NOW - 30 * MIN;
	r = fx_run(&x);
	fd = fx_find(r, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_INFO);
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);

	/* linkedon 0: the time pending is measured from createdon. */
	x.chat.linked_on = 0;
	x.chat.created_on = NOW - 3 * HOUR;
	fd = fx_find(fx_run(&x), DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
	cr_assert_eq(fd->severity, DIAG_WARNING);
	cr_assert_not_null(fx_evidence(fd, "createdon"));
	x.chat.created_on = 0;
	cr_assert_not_null(fx_unavailable(fx_run(&x), DIAG_RULE_CHAT_SYNC_NOT_ENABLED));

	x.chat.sync_status = CS_SYNC_ENABLED;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_CHAT_SYNC_NOT_ENABLED));
}

Test(diagnose, sync_error_from_lastsyncerror_or_error_rows, .fini = done)
{
	fx_healthy(&x);
	x.chat.last_sync_error = 42;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_SYNC_ERROR);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_WARNING);
	cr_assert_str_eq(fx_evidence(fd, "lastsyncerror")->value, "42");
	cr_assert_eq(r->verdict, DIAG_VERDICT_AT_RISK);

	fx_healthy(&x);
	x.errors[0] = (struct cs_sync_error){ .errorcode = -2147220891, .message = "Record not found",
					      .time = NOW - 2 * HOUR, .type = 1 };
	x.errors[1] = (struct cs_sync_error){ .errorcode = -2147220969, .code = "0x80040217",
					      .message = NULL, .time = 0 };
	x.facts.n_errors = 2;
	fd = fx_find(fx_run(&x), DIAG_RULE_SYNC_ERROR);
	cr_assert_not_null(fd);
	cr_assert_not_null(strstr(fd->summary, "2 sync errors"));
	const struct diag_evidence *e = fx_evidence(fd, "syncerror");
	cr_assert_not_null(e);
	cr_assert_not_null(strstr(e->value, "-2147220891"));
	cr_assert_not_null(strstr(e->value, "Record not found"));
	cr_assert_not_null(strstr(e->value, "2026-11-14 07:12 UTC"));
	cr_assert_str_eq(fd->evidence[1].value, "0x80040217");

	/* Many errors: the first few are shown, the rest counted. */
	for (int i = 0; i < 8; i++)
		x.errors[i] = (struct cs_sync_error){ .errorcode = i, .message = "boom", .time = NOW - i * HOUR };
	x.facts.n_errors = 8;
	fd = fx_find(fx_run(&x), DIAG_RULE_SYNC_ERROR);
	cr_assert_eq(fd->n_evidence, 6);
	cr_assert_str_eq(fd->evidence[5].value, "3 more");

	fx_healthy(&x);
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_SYNC_ERROR));
}

Test(diagnose, unlinked_by_unlinkedon_or_disassociate, .fini = done)
{
	fx_healthy(&x);
	x.chat.unlinked_on = NOW - 2 * DAY;
	x.chat.unlinked_by = "Megan Bowen";
	x.facts.graph = NULL;   /* never fetched: must not add unknowns to an unlinked chat */
	x.facts.rsc = NULL;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_UNLINKED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_str_eq(fx_evidence(fd, "unlinkedby")->value, "Megan Bowen");
	cr_assert_eq(fx_count(r, DIAG_UNKNOWN), 0);
	cr_assert_eq(r->verdict, DIAG_VERDICT_NOT_SYNCING);

	fx_healthy(&x);
	x.facts.chat = NULL;
	x.assoc.record_state = CS_ASSOC_DISASSOCIATE;
	r = fx_run(&x);
	fd = fx_find(r, DIAG_RULE_UNLINKED);
	cr_assert_not_null(fd);
	cr_assert_str_eq(fx_evidence(fd, "msdyn_entityrecordstate")->value, "Disassociate");
	cr_assert_null(fx_find(r, DIAG_RULE_CONNECTED_BEFORE_SYNC));

	fx_healthy(&x);
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_UNLINKED));
}

Test(diagnose, regarding_activity_from_association_or_row, .fini = done)
{
	fx_healthy(&x);
	x.facts.chat = NULL;
	x.assoc.regarding_table = "task";
	const struct diag_finding *fd = fx_find(fx_run(&x), DIAG_RULE_REGARDING_ACTIVITY);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_str_eq(fx_evidence(fd, "msdyn_regardingobjectname")->value, "task");

	fx_healthy(&x);
	x.chat.regarding_type = "appointment";
	fd = fx_find(fx_run(&x), DIAG_RULE_REGARDING_ACTIVITY);
	cr_assert_not_null(fd);
	cr_assert_str_eq(fx_evidence(fd, "regardingobjecttypecode")->value, "appointment");

	fx_healthy(&x);
	x.assoc.regarding_table = "incident";
	x.chat.regarding_type = "incident";
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_REGARDING_ACTIVITY));

	cr_assert(diag_is_activity_table("Email"));
	cr_assert(diag_is_activity_table("phonecall"));
	cr_assert(diag_is_activity_table("chat"));
	cr_assert_not(diag_is_activity_table("contact"));
	cr_assert_not(diag_is_activity_table(NULL));
}

Test(diagnose, app_not_installed_fires_only_on_a_real_answer, .fini = done)
{
	fx_healthy(&x);
	x.graph.app_installed = CS_FALSE;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_APP_NOT_INSTALLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_str_eq(fx_evidence(fd, "installedApps")->source, "Graph");
	cr_assert_null(fx_find(r, DIAG_RULE_RSC_GRANT_MISSING));   /* follows from the app, not piled on */

	x.graph.app_installed = CS_TRUE;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_APP_NOT_INSTALLED));
}

Test(diagnose, app_check_forbidden_names_the_permission, .fini = done)
{
	fx_healthy(&x);
	x.graph.apps_status = 403;
	x.graph.apps_error = "Forbidden";
	x.graph.app_installed = CS_UNKNOWN;
	const struct diag_result *r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_APP_NOT_INSTALLED));
	const struct diag_finding *fd = fx_unavailable(r, DIAG_RULE_APP_NOT_INSTALLED);
	cr_assert_not_null(fd);
	cr_assert_not_null(strstr(fd->remedy, "TeamsAppInstallation.ReadForChat"));
	cr_assert_not_null(strstr(fd->evidence[0].value, "HTTP 403"));
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);
	/* One unknown stands for the app and its grant. */
	cr_assert_null(fx_unavailable(r, DIAG_RULE_RSC_GRANT_MISSING));
}

Test(diagnose, never_fetched_graph_is_unknown_never_a_pass, .fini = done)
{
	fx_healthy(&x);
	x.facts.graph = NULL;
	x.facts.rsc = NULL;
	const struct diag_result *r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);
	enum diag_rule checks[] = { DIAG_RULE_APP_NOT_INSTALLED, DIAG_RULE_RSC_DISABLED, DIAG_RULE_CHAT_NOT_FOUND };
	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		const struct diag_finding *fd = fx_unavailable(r, checks[i]);
		cr_assert_not_null(fd, "%s", diag_rule_id(checks[i]));
		cr_assert_eq(fd->severity, DIAG_UNKNOWN);
		cr_assert_not_null(strstr(fd->remedy, "Never fetched: run chatsync refresh"));
		cr_assert_str_eq(fd->evidence[0].value, "never fetched");
		cr_assert_eq(fd->evidence[0].fetched_at, 0);
	}
	/* A Graph row with nothing fetched yet says the same. */
	memset(&x.graph, 0, sizeof x.graph);
	x.facts.graph = &x.graph;
	r = fx_run(&x);
	cr_assert_not_null(fx_unavailable(r, DIAG_RULE_APP_NOT_INSTALLED));
	cr_assert_not_null(fx_unavailable(r, DIAG_RULE_CHAT_NOT_FOUND));
}

Test(diagnose, rsc_disabled_blocks_and_other_states_explain_themselves, .fini = done)
{
	fx_healthy(&x);
	x.rsc.state = CS_RSC_DISABLED_FOR_ALL_APPS;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_RSC_DISABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_not_null(strstr(fd->remedy, "Set-MgBetaChatRscConfiguration -State EnabledForAllApps"));
	const struct diag_evidence *e = fx_evidence(fd, "chat RSC state");
	cr_assert_str_eq(e->source, "Entra");
	cr_assert_not_null(strstr(e->value, "DisabledForAllApps"));

	x.rsc.state = CS_RSC_MANAGED_BY_MICROSOFT;
	r = fx_run(&x);
	fd = fx_find(r, DIAG_RULE_RSC_DISABLED);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_INFO);
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);
	cr_assert_not_null(strstr(fd->evidence[0].value, "Dataverse Chat Sync"));

	x.rsc.state = CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY;
	fd = fx_find(fx_run(&x), DIAG_RULE_RSC_DISABLED);
	cr_assert_eq(fd->severity, DIAG_INFO);
	cr_assert_not_null(strstr(fd->evidence[0].value, "preapproval"));

	/* Read from teamsAppSettings: the source is Graph. */
	x.rsc.state = CS_RSC_DISABLED_FOR_ALL_APPS;
	x.rsc.source = "teamsAppSettings";
	fd = fx_find(fx_run(&x), DIAG_RULE_RSC_DISABLED);
	cr_assert_str_eq(fd->evidence[0].source, "Graph");

	x.rsc.state = CS_RSC_ENABLED_FOR_ALL_APPS;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_RSC_DISABLED));
}

Test(diagnose, rsc_unknown_is_check_unavailable_with_policy_permission, .fini = done)
{
	fx_healthy(&x);
	x.rsc.http_status = 403;
	x.rsc.state = CS_RSC_UNKNOWN;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_unavailable(r, DIAG_RULE_RSC_DISABLED);
	cr_assert_not_null(fd);
	cr_assert_not_null(strstr(fd->remedy, "Policy.Read.All"));
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);

	/* Read fine but not derivable: still not a pass. */
	x.rsc.http_status = 200;
	cr_assert_not_null(fx_unavailable(fx_run(&x), DIAG_RULE_RSC_DISABLED));
}

Test(diagnose, rsc_grant_missing_only_when_the_app_is_installed, .fini = done)
{
	fx_healthy(&x);
	x.graph.app_has_grant = CS_FALSE;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_RSC_GRANT_MISSING);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_WARNING);
	cr_assert_not_null(strstr(fx_evidence(fd, "permissionGrants")->value,
				  "cccccccc-0000-0000-0000-000000000001"));
	cr_assert_eq(r->verdict, DIAG_VERDICT_AT_RISK);

	x.graph.grants_status = 0;
	x.graph.app_has_grant = CS_UNKNOWN;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_RSC_GRANT_MISSING));
	cr_assert_not_null(fx_unavailable(r, DIAG_RULE_RSC_GRANT_MISSING));

	x.graph.grants_status = 403;
	fd = fx_unavailable(fx_run(&x), DIAG_RULE_RSC_GRANT_MISSING);
	cr_assert_not_null(strstr(fd->remedy, "TeamsAppInstallation.ReadForChat"));

	fx_healthy(&x);
	x.graph.app_installed = CS_FALSE;
	x.graph.app_has_grant = CS_FALSE;
	r = fx_run(&x);
	cr_assert_null(fx_find(r, DIAG_RULE_RSC_GRANT_MISSING));
	cr_assert_null(fx_unavailable(r, DIAG_RULE_RSC_GRANT_MISSING));
}

Test(diagnose, chat_not_found_blocks_and_silences_chat_level_graph_unknowns, .fini = done)
{
	fx_healthy(&x);
	x.graph.chat_status = 404;
	x.graph.apps_status = 0;
	x.graph.grants_status = 0;
	x.graph.app_installed = CS_UNKNOWN;
	const struct diag_result *r = fx_run(&x);
	const struct diag_finding *fd = fx_find(r, DIAG_RULE_CHAT_NOT_FOUND);
	cr_assert_not_null(fd);
	cr_assert_eq(fd->severity, DIAG_BLOCKING);
	cr_assert_eq(fx_count(r, DIAG_UNKNOWN), 0);
	cr_assert_eq(r->verdict, DIAG_VERDICT_NOT_SYNCING);

	x.graph.chat_status = 403;
	x.graph.apps_status = 200;
	x.graph.app_installed = CS_TRUE;
	x.graph.grants_status = 200;
	fd = fx_unavailable(fx_run(&x), DIAG_RULE_CHAT_NOT_FOUND);
	cr_assert_not_null(fd);
	cr_assert_not_null(strstr(fd->remedy, "Chat.ReadBasic"));

	x.graph.chat_status = 503;
	fd = fx_unavailable(fx_run(&x), DIAG_RULE_CHAT_NOT_FOUND);
	cr_assert_not_null(strstr(fd->summary, "HTTP 503"));

	x.graph.chat_status = 200;
	cr_assert_null(fx_find(fx_run(&x), DIAG_RULE_CHAT_NOT_FOUND));
}

Test(diagnose, verdict_blocking_beats_warning_and_findings_sort_by_severity, .fini = done)
{
	fx_healthy(&x);
	x.chat.last_sync_error = 5;               /* warning */
	x.graph.app_installed = CS_FALSE;         /* blocking, later in the table */
	x.chat.state = CS_STATE_COMPLETED;        /* blocking, earlier in the table */
	x.facts.rsc = NULL;                       /* unknown */
	const struct diag_result *r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_NOT_SYNCING);
	cr_assert_eq(r->n_findings, 4);
	cr_assert_eq(r->findings[0].rule, DIAG_RULE_ACTIVITY_INACTIVE);
	cr_assert_eq(r->findings[1].rule, DIAG_RULE_APP_NOT_INSTALLED);
	cr_assert_eq(r->findings[2].rule, DIAG_RULE_SYNC_ERROR);
	cr_assert_eq(r->findings[3].rule, DIAG_RULE_CHECK_UNAVAILABLE);
	cr_assert_eq(r->findings[3].check, DIAG_RULE_RSC_DISABLED);
}

Test(diagnose, verdict_warning_beats_unknown_and_unknown_beats_syncing, .fini = done)
{
	fx_healthy(&x);
	x.chat.last_sync_error = 5;
	x.facts.rsc = NULL;
	const struct diag_result *r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_AT_RISK);
	cr_assert_eq(r->findings[0].severity, DIAG_WARNING);
	cr_assert_eq(r->findings[1].severity, DIAG_UNKNOWN);

	x.chat.last_sync_error = 0;
	r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_UNKNOWN);
	x.facts.rsc = &x.rsc;
	x.rsc.state = CS_RSC_CUSTOM;   /* info only */
	r = fx_run(&x);
	cr_assert_eq(r->verdict, DIAG_VERDICT_SYNCING);
	cr_assert_eq(r->n_findings, 1);
	cr_assert_eq(r->findings[0].severity, DIAG_INFO);
}

Test(diagnose, bad_input_never_crashes, .fini = done)
{
	diag_run(NULL, &x.res);
	cr_assert_eq(x.res.verdict, DIAG_VERDICT_UNKNOWN);
	cr_assert_gt(x.res.n_findings, 0);
	diag_result_free(&x.res);
	diag_result_free(NULL);

	/* Every string NULL, odd numbers everywhere. */
	struct cs_env env = { .sync_enabled = CS_FALSE, .inactivity_days = 99 };
	struct cs_chat chat = { .state = CS_STATE_OPEN, .sync_status = 7, .last_sync_error = 1,
				.modified_in_teams_on = NOW - 40 * DAY, .unlinked_on = NOW };
	struct cs_assoc assoc = { .record_state = CS_ASSOC_DISASSOCIATE };
	struct cs_sync_error errs[1] = { { 0 } };
	struct cs_graph_chat graph = { .chat_status = 404, .apps_status = 200, .app_installed = CS_FALSE };
	struct cs_rsc rsc = { .state = 77, .http_status = 200, .n_policies = 2 };
	struct diag_facts f = { &env, &chat, &assoc, errs, 1, &graph, &rsc, NOW, -5, NULL };
	diag_run(&f, &x.res);
	cr_assert_eq(x.res.verdict, DIAG_VERDICT_NOT_SYNCING);
	for (size_t i = 0; i < x.res.n_findings; i++) {
		const struct diag_finding *fd = &x.res.findings[i];
		cr_assert_not_null(fd->summary);
		for (size_t j = 0; j < fd->n_evidence; j++) {
			cr_assert_not_null(fd->evidence[j].value);
			char *t = diag_evidence_text(&fd->evidence[j], NOW);
			cr_assert_gt(strlen(t), 0);
			free(t);
		}
	}
	/* errors pointer NULL with a count: treated as none. */
	diag_result_free(&x.res);
	f.errors = NULL;
	f.n_errors = 3;
	chat.last_sync_error = 0;
	diag_run(&f, &x.res);
	cr_assert_null(fx_find(&x.res, DIAG_RULE_SYNC_ERROR));
}

Test(diagnose, now_zero_means_the_current_time, .fini = done)
{
	setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
	fx_healthy(&x);
	x.facts.now = 0;
	x.chat.modified_in_teams_on = NOW - 7 * DAY - HOUR;
	const struct diag_result *r = fx_run(&x);
	cr_assert_eq(r->now, NOW);
	cr_assert_not_null(fx_find(r, DIAG_RULE_INACTIVE_TOO_LONG));
	unsetenv("CHATSYNC_NOW");
}
