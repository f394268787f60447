/* Issue 12 item 9: a delegated sign-in sees only its own chats, as Graph does (the sandbox's default
 * --delegated-chats member). chatsync records the 403 as "not a member of this chat", reads nothing more
 * under that chat, and the diagnosis says the check could not run and how to run it: never chat-not-found. */
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

/* The check --json rules of one chat, or NULL. */
static const cJSON *rules_of(const cJSON *check, const char *teams_chat_id)
{
	const cJSON *env, *chat;
	cJSON_ArrayForEach(env, cJSON_GetObjectItem(check, "environments"))
		cJSON_ArrayForEach(chat, cJSON_GetObjectItem(env, "chat_results"))
			if (str(chat, "teams_chat_id") && strcmp(str(chat, "teams_chat_id"), teams_chat_id) == 0)
				return cJSON_GetObjectItem(chat, "rules");
	return NULL;
}

static bool has_rule(const cJSON *rules, const char *key, const char *value)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
		if (str(r, key) && strcmp(str(r, key), value) == 0)
			return true;
	return false;
}

Test(delegated, a_chat_the_user_is_not_in_is_check_unavailable_not_chat_not_found, .fini = stop)
{
	const char *args[] = { "--auto-approve-after", "0", "--envs", "1", "--chats-per-env", "16", NULL };
	e2e_start(&e, args);
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox-device", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_gt(e2e_log_count(&e, mark, "/installedApps", "\"status\":403", NULL), 0, "admin@ is in no chat");
	cr_assert_eq(e2e_log_count(&e, mark, "/permissionGrants", NULL), 0, "no grants read after a 403");
	e2e_run(&e, "sandbox-device", "check", "--json", NULL);
	cJSON *check = e2e_json(&e), *truth = e2e_truth(&e);
	const cJSON *te, *tc;
	const char *healthy = NULL;
	int unavailable = 0;
	cJSON_ArrayForEach(te, cJSON_GetObjectItem(truth, "environments"))
		cJSON_ArrayForEach(tc, cJSON_GetObjectItem(te, "chats")) {
			const char *id = str(tc, "teams_chat_id"), *sit = str(tc, "situation");
			const cJSON *rules = rules_of(check, id);
			if (!rules)
				continue;
			if (strcmp(sit, "chat-not-found") != 0)
				cr_assert_not(has_rule(rules, "rule", "chat-not-found"), "chat %s (%s) is not gone", id, sit);
			unavailable += has_rule(rules, "check", "app-not-installed");
			if (!healthy && strcmp(sit, "healthy") == 0 && str(tc, "activity_id"))
				healthy = id;
		}
	cr_assert_gt(unavailable, 0, "%s", e.r.out);
	cr_assert_not_null(healthy);
	char *chat = strdup(healthy);
	cJSON_Delete(check);
	cJSON_Delete(truth);
	/* the diagnosis names the fact and the remedy */
	e2e_run(&e, "sandbox-device", "diagnose", chat, NULL);
	cr_assert(strstr(e.r.out, "not a member of this chat"), "%s", e.r.out);
	cr_assert(strstr(e.r.out, "auth = client-secret or certificate"), "%s", e.r.out);
	cr_assert_null(strstr(e.r.out, "chat-not-found"), "%s", e.r.out);
	cr_assert_null(strstr(e.r.out, "Grant chatsync's app registration"), "not a missing permission: %s", e.r.out);

	/* once the user is in the chat, the same sign-in reads it */
	char *body = NULL;
	cr_assert(asprintf(&body, "{\"action\":\"add_member\",\"teams_chat_id\":\"%s\","
			   "\"user\":\"admin@contoso-sandbox.onmicrosoft.com\"}", chat) > 0);
	e2e_control(&e, "POST", "mutate", body);
	free(body);
	mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox-device", "refresh", "--full", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "/permissionGrants", "\"status\":200", NULL), 1, "the member chat's grants");
	e2e_run(&e, "sandbox-device", "check", "--json", NULL);
	check = e2e_json(&e);
	const cJSON *rules = rules_of(check, chat);
	cr_assert_not_null(rules);
	cr_assert_not(has_rule(rules, "check", "app-not-installed"), "%s", e.r.out);
	cJSON_Delete(check);
	/* and an app profile reads every chat */
	mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--full", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "/installedApps", "\"status\":403", NULL), 0);
	free(chat);
}
