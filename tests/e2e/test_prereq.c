/* Issue 12 item 2: the Teams-chat prerequisite ("Turn on Microsoft Teams chats inside Dynamics 365").
 * Microsoft documents the admin setting but no table or column behind it (src/sandbox/INTERFACE.md,
 * "Teams chat prerequisite"), so envs shows it as unknown with that reason in every format, and never
 * guesses it from the organization's ismsteams* columns. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

#define REASON "no documented source: Microsoft documents the admin setting but no table or column a client can read"

Test(prereq, teams_chat_is_unknown_with_its_reason_in_every_format, .fini = stop)
{
	const char *args[] = { "--envs", "3", "--chats-per-env", "4", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	/* the organization rows were read, with the Teams columns they have */
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0, "%s", e.r.err);
	cJSON *envs = e2e_json(&e);
	cr_assert_eq(cJSON_GetArraySize(envs), 3);
	const cJSON *env;
	cJSON_ArrayForEach(env, envs) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(env, "teams_chat");
		cr_assert(cJSON_IsNull(v), "teams_chat is null (unknown), never a guess: %s", e.r.out);
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(env, "teams_chat_reason");
		cr_assert(cJSON_IsString(why), "%s", e.r.out);
		cr_assert_str_eq(why->valuestring, REASON);
		/* the contract's keys are all still there */
		const char *keys[] = { "id", "unique_name", "friendly_name", "url", "state", "sync_enabled", "inactivity_days",
				       "chat_count", "refreshed_at", NULL };
		for (size_t k = 0; keys[k]; k++)
			cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(env, keys[k]), "%s missing", keys[k]);
	}
	cJSON_Delete(envs);
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--csv", NULL), 0, "%s", e.r.err);
	char *nl = strchr(e.r.out, '\n');
	cr_assert_not_null(nl);
	*nl = '\0';
	cr_assert(strstr(e.r.out, ",teams_chat,teams_chat_reason"), "header: %s", e.r.out);
	cr_assert(strstr(nl + 1, ",," REASON) || strstr(nl + 1, ",,\"" REASON "\""), "rows: %s", nl + 1);
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.out, "TEAMS CHAT"), "%s", e.r.out);
	cr_assert(strstr(e.r.out, "Turn on Microsoft Teams chats inside Dynamics 365"), "%s", e.r.out);
	cr_assert(strstr(e.r.out, "unknown: " REASON), "%s", e.r.out);
	/* no rule fires on it: it is never known */
	e2e_run(&e, "sandbox", "check", "--json", NULL);
	cr_assert_null(strstr(e.r.out, "teams-chat"), "%s", e.r.out);
}
