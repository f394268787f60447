/* Issue 7 against the sandbox: check --json and diagnose --json name exactly the situation the
 * generator put each chat in. */
#include "config.h"
#include <criterion/criterion.h>
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

/* The rules of a result other than info, as a sorted, comma-joined list. */
static void rule_list(const cJSON *findings, const char *key, char *out, size_t n)
{
	const char *names[32];
	int k = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, findings) {
		if (strcmp(str(f, "severity"), "info") != 0 && k < 32)
			names[k++] = str(f, key);
	}
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = '\0';
	for (int i = 0; i < k; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "," : "", names[i]);
}

static const char *expected(const char *situation)
{
	return strcmp(situation, "healthy") == 0 ? "" : situation;
}

Test(diagnose, check_names_every_generated_situation, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	int rc = e2e_run(&e, "sandbox", "check", "--json", NULL);
	cr_assert_eq(rc, 2, "blocking findings exist, so check exits 2 (got %d: %s)", rc, e.r.err);
	cJSON *check = e2e_json(&e), *truth = e2e_truth(&e);
	const cJSON *te, *tc, *ce, *cc;
	int seen = 0, situations = 0;
	bool kinds[64] = { false };
	const char *names[64];
	int n_names = 0;
	cJSON_ArrayForEach(te, cJSON_GetObjectItem(truth, "environments")) {
		cJSON_ArrayForEach(tc, cJSON_GetObjectItem(te, "chats")) {
			const char *id = str(tc, "teams_chat_id"), *sit = str(tc, "situation");
			const cJSON *found = NULL;
			cJSON_ArrayForEach(ce, cJSON_GetObjectItem(check, "environments"))
				cJSON_ArrayForEach(cc, cJSON_GetObjectItem(ce, "chat_results"))
					if (str(cc, "teams_chat_id") && strcmp(str(cc, "teams_chat_id"), id) == 0)
						found = cc;
			cr_assert_not_null(found, "chat %s (%s) not checked", id, sit);
			char rules[512];
			rule_list(cJSON_GetObjectItem(found, "rules"), "rule", rules, sizeof rules);
			cr_assert_str_eq(rules, expected(sit), "chat %s: generated as %s, check says [%s]", id, sit, rules);
			seen++;
			int k;
			for (k = 0; k < n_names && strcmp(names[k], sit) != 0; k++)
				;
			if (k == n_names && n_names < 64)
				names[n_names++] = sit;
			kinds[k] = true;
		}
	}
	for (int k = 0; k < n_names; k++)
		situations += kinds[k];
	/* every rule but rsc-disabled (a tenant-wide state: its own test below), plus healthy */
	cr_assert_geq(situations, 13, "the generator put chats in only %d situations", situations);
	cr_assert_gt(seen, 100);
	cJSON_Delete(check);
	cJSON_Delete(truth);
}

Test(diagnose, diagnose_json_for_one_chat_of_each_situation, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cJSON *truth = e2e_truth(&e);
	const cJSON *te, *tc;
	char done[1024] = ",";
	cJSON_ArrayForEach(te, cJSON_GetObjectItem(truth, "environments")) {
		cJSON_ArrayForEach(tc, cJSON_GetObjectItem(te, "chats")) {
			const char *sit = str(tc, "situation");
			char tag[80];
			snprintf(tag, sizeof tag, ",%s,", sit);
			if (strstr(done, tag))
				continue;
			snprintf(done + strlen(done), sizeof done - strlen(done), "%s,", sit);
			const char *key = str(tc, "activity_id") ? str(tc, "activity_id") : str(tc, "teams_chat_id");
			int rc = e2e_run(&e, "sandbox", "diagnose", key, "--json", NULL);
			cJSON *d = e2e_json(&e);
			const char *verdict = str(d, "verdict");
			char rules[512];
			rule_list(cJSON_GetObjectItem(d, "findings"), "rule", rules, sizeof rules);
			cr_assert_str_eq(rules, expected(sit), "%s: diagnose says [%s]", sit, rules);
			cr_assert_eq(rc, strcmp(verdict, "syncing") == 0 ? 0 : 1, "%s: exit %d for %s", sit, rc, verdict);
			const cJSON *chat = cJSON_GetObjectItem(d, "chat");
			cr_assert_str_eq(str(chat, "teams_chat_id"), str(tc, "teams_chat_id"));
			const cJSON *f;
			cJSON_ArrayForEach(f, cJSON_GetObjectItem(d, "findings")) {
				cr_assert_not_null(str(f, "summary"));
				cr_assert(cJSON_IsArray(cJSON_GetObjectItem(f, "evidence")));
			}
			cJSON_Delete(d);
		}
	}
	cJSON_Delete(truth);
	/* the plain report reads verdict first */
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", "--state", "inactive", NULL), 0);
	cJSON *inactive = e2e_json(&e);
	const char *id = str(cJSON_GetArrayItem(inactive, 0), "activity_id");
	cr_assert_not_null(id);
	cr_assert_eq(e2e_run(&e, "sandbox", "diagnose", id, NULL), 1);
	cr_assert(strstr(e.r.out, "ot syncing") != NULL, "%s", e.r.out);
	cr_assert(strstr(e.r.out, "activity-inactive") != NULL, "%s", e.r.out);
	cJSON_Delete(inactive);
}

Test(diagnose, rsc_disabled_tenant_blocks_every_chat, .fini = stop)
{
	const char *args[] = { "--rsc-state", "DisabledForAllApps", "--envs", "1", "--chats-per-env", "12", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "rsc", NULL), 0);
	cr_assert(strstr(e.r.out, "DisabledForAllApps"), "%s", e.r.out);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--json", NULL), 2);
	cr_assert(strstr(e.r.out, "\"rule\":\"rsc-disabled\""), "%s", e.r.out);
}

Test(diagnose, refresh_of_one_chat_takes_a_few_requests_and_warn_hours_widens_the_look_ahead, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "contoso-sales", "--json", "--state", "open", NULL), 0);
	cJSON *open = e2e_json(&e);
	const char *id = str(cJSON_GetArrayItem(open, 0), "activity_id");
	size_t mark = e2e_log_lines(&e);
	e2e_run(&e, "sandbox", "diagnose", id, "--refresh", "--json", NULL);
	size_t sent = e2e_log_lines(&e) - mark;
	cr_assert_leq(sent, 15, "diagnose --refresh sent %zu requests", sent);
	cr_assert_eq(e2e_log_count(&e, mark, "/installedApps", "\"throttled\":false", NULL), 1, "only this chat's Graph details");
	cJSON *d = e2e_json(&e);
	cr_assert_str_eq(str(cJSON_GetObjectItem(d, "chat"), "activity_id"), id);
	cJSON_Delete(d);
	cJSON_Delete(open);

	/* A longer look-ahead finds more chats about to go stale, never fewer. */
	int soon[3];
	const char *hours[] = { "1", "24", "72" };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(e2e_run(&e, "sandbox", "check", "--json", "--warn-hours", hours[i], NULL), 2);
		soon[i] = 0;
		for (const char *p = e.r.out; (p = strstr(p, "\"rule\":\"inactive-soon\"")); p++)
			soon[i]++;
	}
	cr_assert(soon[0] < soon[1] && soon[1] <= soon[2], "inactive-soon at 1/24/72 h: %d %d %d", soon[0], soon[1],
		  soon[2]);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--warn-hours", "0", NULL), 3,
		     "0 hours is refused, and a check that could not run is UNKNOWN to a monitor");
	cr_assert(strstr(e.r.err, "--warn-hours"), "%s", e.r.err);
}
