/* The client against a sandbox that is as strict as the service where it pages: chatsync's refresh
 * follows the @odata.nextLink of delta answers to the last page, whose @odata.deltaLink it keeps. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "base/xalloc.h"
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void mutate(const char *action, const char *activity_id)
{
	char *m = xasprintf("{\"action\":\"%s\",\"activity_id\":\"%s\"}", action, activity_id);
	e2e_control(&e, "POST", "mutate", m);
	free(m);
}

Test(client, refresh_follows_a_delta_answer_in_three_pages, .fini = stop)
{
	/* Pages of two rows whatever the client asks for (it asks for 5000). */
	const char *args[] = { "--page-size", "2", "--envs", "1", "--chats-per-env", "15", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	cJSON *truth = e2e_truth(&e);
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(truth, "environments"), 0), *c;
	const char *acts[5];
	int na = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats"))
		if (str(c, "activity_id") && na < 5)
			acts[na++] = str(c, "activity_id");
	cr_assert_eq(na, 5);
	for (int i = 0; i < 4; i++)
		mutate(i % 2 ? "complete" : "touch", acts[i]);
	mutate("delete", acts[4]);

	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	size_t pages = e2e_log_count(&e, mark, "/api/data/v9.2/chats", "deltatoken", "\"status\":200", NULL);
	size_t later = e2e_log_count(&e, mark, "/api/data/v9.2/chats", "deltatoken", "skiptoken", "\"status\":200", NULL);
	cr_expect_eq(pages, 3, "five changed chats at two a page: %zu delta pages", pages);
	cr_expect_eq(later, 2, "the second and third page follow the nextLink");

	/* Every change of the three pages is in the cache: the state of each chat as the tenant holds it,
	 * the deleted one gone from the records. */
	cJSON_Delete(truth);
	truth = e2e_truth(&e);
	env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(truth, "environments"), 0);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0, "%s", e.r.err);
	cJSON *chats = e2e_json(&e);
	int checked = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats")) {
		const cJSON *x, *found = NULL;
		cJSON_ArrayForEach(x, chats)
			if (str(x, "teams_chat_id") && !strcmp(str(x, "teams_chat_id"), str(c, "teams_chat_id")))
				found = x;
		cr_assert_not_null(found, "%s missing", str(c, "teams_chat_id"));
		const char *act = str(c, "activity_id");
		if (!act) {
			cr_expect_null(str(found, "activity_id"), "the deleted activity is gone from the cache");
			continue;
		}
		cr_expect_str_eq(str(found, "state"), str(c, "state"), "%s", act);
		cr_expect_str_eq(str(found, "modified_in_teams_on"), str(c, "modified_in_teams_on"), "%s", act);
		checked++;
	}
	cr_expect_gt(checked, 0);
	cJSON_Delete(chats);

	/* The deltaLink of the last page was kept: a third refresh asks for changes since it, and gets none. */
	mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	cr_expect_eq(e2e_log_count(&e, mark, "/api/data/v9.2/chats", "deltatoken", NULL), 1);
	cr_expect_eq(e2e_log_count(&e, mark, "/api/data/v9.2/chats", "skiptoken", NULL), 0);
	cJSON_Delete(truth);
}
