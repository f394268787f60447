/* Issue 12 item 3 against the sandbox: the chat RSC state as Get-MgBetaChatRscConfiguration derives it,
 * from teamsAppSettings, the authorization policy and the permission grant policies, each source a fact
 * with its fetch time, and whether Dataverse Chat Sync is covered where the state depends on it. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The sources entry of rsc --json for one source. */
static const cJSON *source_of(const cJSON *rsc, const char *name)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(rsc, "sources"))
		if (str(s, "source") && strcmp(str(s, "source"), name) == 0)
			return s;
	cr_assert_fail("rsc --json has no source %s", name);
	return NULL;
}

static int status_of(const cJSON *rsc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(source_of(rsc, name), "status");
	return cJSON_IsNumber(v) ? v->valueint : 0;
}

static cJSON *rsc_json(const char *profile)
{
	cr_assert_eq(e2e_run(&e, profile, "rsc", "--json", NULL), 0, "%s", e.r.err);
	return e2e_json(&e);
}

/* The rsc-disabled results of check --json with this severity ("blocking", "info"; "unknown" for a
 * check-unavailable naming rsc-disabled), and the activity id of the first such chat. */
static int rsc_findings(const cJSON *check, const char *severity, char *first_id, size_t n)
{
	int count = 0;
	const cJSON *env, *chat, *f;
	cJSON_ArrayForEach(env, cJSON_GetObjectItem(check, "environments"))
		cJSON_ArrayForEach(chat, cJSON_GetObjectItem(env, "chat_results"))
			cJSON_ArrayForEach(f, cJSON_GetObjectItem(chat, "rules")) {
				bool rsc = strcmp(str(f, "rule"), "rsc-disabled") == 0 ||
					   (str(f, "check") && strcmp(str(f, "check"), "rsc-disabled") == 0);
				if (rsc && strcmp(str(f, "severity"), severity) == 0) {
					if (!count && first_id && str(chat, "activity_id"))
						snprintf(first_id, n, "%s", str(chat, "activity_id"));
					count++;
				}
			}
	return count;
}

/* diagnose --json of one chat: the rsc-disabled finding's summary and remedy, joined. */
static char *rsc_finding_text(const char *profile, const char *activity_id)
{
	e2e_run(&e, profile, "diagnose", activity_id, "--json", NULL);
	cJSON *d = e2e_json(&e);
	const cJSON *f;
	char *text = NULL;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(d, "findings")) {
		const cJSON *ev = cJSON_GetObjectItem(f, "evidence");
		char *evs = cJSON_PrintUnformatted(ev);
		if (strstr(str(f, "summary") ? str(f, "summary") : "", "RSC") || strstr(evs, "authorizationPolicy")) {
			free(text);
			cr_assert(asprintf(&text, "%s | %s | %s", str(f, "summary"), str(f, "remedy") ? str(f, "remedy") : "",
					   evs) > 0);
		}
		free(evs);
	}
	cJSON_Delete(d);
	cr_assert_not_null(text, "diagnose %s shows no RSC finding: %s", activity_id, e.r.out);
	return text;
}

Test(rsc, from_teams_app_settings_when_the_policy_is_forbidden, .fini = stop)
{
	const char *args[] = { "--auto-approve-after", "0", "--rsc-state", "EnabledForAllApps", "--envs", "1",
			       "--chats-per-env", "6", NULL };
	e2e_start(&e, args);
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox-user", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	/* the user has no directory role: the service refuses the policy and answers the settings */
	cr_assert_eq(e2e_log_count(&e, mark, "policies/authorizationPolicy", "\"status\":403", NULL), 1);
	cr_assert_eq(e2e_log_count(&e, mark, "teamwork/teamsAppSettings", "\"status\":200", NULL), 1);
	cr_assert_eq(e2e_log_count(&e, mark, "policies/permissionGrantPolicies", "\"status\":200", NULL), 1);
	cJSON *rsc = rsc_json("sandbox-user");
	cr_assert_str_eq(str(rsc, "state"), "EnabledForAllApps", "%s", e.r.out);
	cr_assert_str_eq(str(rsc, "source"), "teamsAppSettings");
	cr_assert_str_eq(str(rsc, "decided_by"), "teamsAppSettings");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rsc, "chat_rsc_enabled")), "%s", e.r.out);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(rsc, "policies")));
	/* each source is a fact with its status and fetch time */
	cr_assert_eq(status_of(rsc, "authorizationPolicy"), 403, "%s", e.r.out);
	cr_assert_not_null(str(source_of(rsc, "authorizationPolicy"), "error"));
	cr_assert_not_null(str(source_of(rsc, "authorizationPolicy"), "fetched_at"));
	cr_assert_eq(status_of(rsc, "teamsAppSettings"), 200);
	cr_assert_not_null(str(source_of(rsc, "teamsAppSettings"), "fetched_at"));
	cr_assert_eq(status_of(rsc, "permissionGrantPolicies"), 200);
	cJSON_Delete(rsc);
	/* no chat says the check could not run */
	e2e_run(&e, "sandbox-user", "check", "--json", NULL);
	cJSON *check = e2e_json(&e);
	cr_assert_eq(rsc_findings(check, "unknown", NULL, 0), 0, "%s", e.r.out);
	cJSON_Delete(check);
	/* the text names both sources */
	cr_assert_eq(e2e_run(&e, "sandbox-user", "rsc", NULL), 0);
	cr_assert(strstr(e.r.out, "Chat RSC state: EnabledForAllApps"), "%s", e.r.out);
	cr_assert(strstr(e.r.out, "HTTP 403"), "%s", e.r.out);
	cr_assert(strstr(e.r.out, "isChatResourceSpecificConsentEnabled true"), "%s", e.r.out);
}

Test(rsc, settings_false_and_a_forbidden_policy_is_unknown_and_names_the_role, .fini = stop)
{
	/* ManagedByMicrosoft: teamsAppSettings says false, which alone decides nothing */
	const char *args[] = { "--auto-approve-after", "0", "--envs", "1", "--chats-per-env", "6", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox-user", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cJSON *rsc = rsc_json("sandbox-user");
	cr_assert_str_eq(str(rsc, "state"), "unknown", "%s", e.r.out);
	cr_assert_str_eq(str(rsc, "missing"), "authorizationPolicy");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(rsc, "chat_rsc_enabled")), "%s", e.r.out);
	cr_assert_eq(status_of(rsc, "teamsAppSettings"), 200);
	cr_assert_eq(status_of(rsc, "authorizationPolicy"), 403);
	cJSON_Delete(rsc);
	e2e_run(&e, "sandbox-user", "check", "--json", NULL);
	cJSON *check = e2e_json(&e);
	char id[128] = "";
	cr_assert_gt(rsc_findings(check, "unknown", id, sizeof id), 0, "%s", e.r.out);
	cJSON_Delete(check);
	char *text = rsc_finding_text("sandbox-user", id);
	cr_assert(strstr(text, "Global Reader"), "the remedy names a directory role: %s", text);
	cr_assert(strstr(text, "authorization policy"), "%s", text);
	cr_assert(strstr(text, "HTTP 403"), "the policy's answer is evidence: %s", text);
	cr_assert(strstr(text, "isChatResourceSpecificConsentEnabled false"), "%s", text);
	free(text);
	/* the Global Administrator reads the policy: the state is known */
	cr_assert_eq(e2e_run(&e, "sandbox-device", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	rsc = rsc_json("sandbox-device");
	cr_assert_str_eq(str(rsc, "state"), "ManagedByMicrosoft", "%s", e.r.out);
	cr_assert_null(str(rsc, "missing"), "%s", e.r.out);
	cJSON_Delete(rsc);
}

Test(rsc, an_app_reads_the_policies_and_never_asks_for_teams_app_settings, .fini = stop)
{
	const char *args[] = { "--rsc-state", "EnabledForPreApprovedAppsOnly", "--envs", "1", "--chats-per-env", "6",
			       NULL };
	e2e_start(&e, args);
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "teamsAppSettings", NULL), 0, "an app would get 403");
	cr_assert_eq(e2e_log_count(&e, mark, "permissionGrantPreApprovalPolicies", "\"status\":200", NULL), 1);
	cJSON *rsc = rsc_json("sandbox");
	cr_assert_str_eq(str(rsc, "state"), "EnabledForPreApprovedAppsOnly", "%s", e.r.out);
	cr_assert_str_eq(str(rsc, "source"), "authorizationPolicy");
	cr_assert_str_eq(str(rsc, "decided_by"), "authorizationPolicy+permissionGrantPolicies");
	cr_assert_str_eq(str(rsc, "missing"), "teamsAppSettings");
	cr_assert_eq(status_of(rsc, "teamsAppSettings"), 0, "not read: %s", e.r.out);
	cr_assert(strstr(str(source_of(rsc, "teamsAppSettings"), "error"), "delegated"), "%s", e.r.out);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rsc, "chat_sync_app_covered")), "%s", e.r.out);
	cr_assert_eq(status_of(rsc, "permissionGrantPreApprovalPolicies"), 200);
	cJSON_Delete(rsc);
	e2e_run(&e, "sandbox", "check", "--json", NULL);
	cJSON *check = e2e_json(&e);
	cr_assert_eq(rsc_findings(check, "blocking", NULL, 0), 0, "%s", e.r.out);
	cr_assert_gt(rsc_findings(check, "info", NULL, 0), 0, "%s", e.r.out);
	cJSON_Delete(check);
	cr_assert_eq(e2e_run(&e, "sandbox", "rsc", NULL), 0);
	cr_assert(strstr(e.r.out, "Dataverse Chat Sync covered: yes"), "%s", e.r.out);
}

Test(rsc, preapproved_only_without_chat_sync_blocks_every_chat, .fini = stop)
{
	const char *args[] = { "--rsc-state", "EnabledForPreApprovedAppsOnly", "--chat-sync-preapproved", "no",
			       "--envs", "1", "--chats-per-env", "6", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cJSON *rsc = rsc_json("sandbox");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(rsc, "chat_sync_app_covered")), "%s", e.r.out);
	cr_assert(strstr(str(rsc, "chat_sync_app_reason"), "pre-approval"), "%s", e.r.out);
	cJSON_Delete(rsc);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--json", NULL), 2);
	cJSON *check = e2e_json(&e);
	char id[128] = "";
	cr_assert_gt(rsc_findings(check, "blocking", id, sizeof id), 0, "%s", e.r.out);
	cJSON_Delete(check);
	char *text = rsc_finding_text("sandbox", id);
	cr_assert(strstr(text, "not pre-approved"), "%s", text);
	free(text);
}

Test(rsc, custom_with_the_all_apps_policy_covers_chat_sync, .fini = stop)
{
	const char *args[] = { "--rsc-state", "Custom", "--envs", "1", "--chats-per-env", "6", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cJSON *rsc = rsc_json("sandbox");
	cr_assert_str_eq(str(rsc, "state"), "Custom", "%s", e.r.out);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rsc, "chat_sync_app_covered")), "%s", e.r.out);
	cr_assert(strstr(str(rsc, "chat_sync_app_reason"), "microsoft-all-application-permissions-for-chat"), "%s",
		  e.r.out);
	cJSON_Delete(rsc);
}
