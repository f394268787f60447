/* Issue 15 against the sandbox: between refreshes a chat loses its app, another is touched, a third is
 * completed; history names each change at the time of the refresh that saw it, with its rule; changes
 * --since names exactly those chats; check --new alerts only once on what is new. */
#include "config.h"
#include "e2e.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct e2e e;

static void stop(void)
{
	e2e_stop(&e);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The Teams chat id of the n-th chat (from 0) generated in situation sit that has an activity row. */
static char *pick(const char *sit, int n)
{
	cJSON *truth = e2e_truth(&e);
	const cJSON *te, *tc;
	char *id = NULL;
	cJSON_ArrayForEach(te, cJSON_GetObjectItem(truth, "environments"))
		cJSON_ArrayForEach(tc, cJSON_GetObjectItem(te, "chats"))
			if (!id && strcmp(str(tc, "situation"), sit) == 0 && str(tc, "activity_id") && n-- == 0)
				id = strdup(str(tc, "teams_chat_id"));
	cJSON_Delete(truth);
	cr_assert_not_null(id, "the sandbox generated no chat in situation %s", sit);
	return id;
}

static void iso(time_t t, char *buf, size_t n)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void mutate(const char *action, const char *chat)
{
	char body[256];
	snprintf(body, sizeof body, "{\"action\":\"%s\",\"teams_chat_id\":\"%s\"}", action, chat);
	e2e_control(&e, "POST", "mutate", body);
}

/* The history of chat as JSON (newest first); the caller deletes it. */
static cJSON *history(const char *chat)
{
	cr_assert_eq(e2e_run(&e, "sandbox", "history", chat, "--json", NULL), 0, "%s", e.r.err);
	return e2e_json(&e);
}

/* The change of fact in h at time t, or NULL. */
static const cJSON *change(const cJSON *h, const char *fact, const char *t)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, h)
		if (strcmp(str(c, "fact"), fact) == 0 && strcmp(str(c, "time"), t) == 0)
			return c;
	return NULL;
}

static void assert_change(const cJSON *h, const char *fact, const char *t, const char *old, const char *new,
			  const char *rule)
{
	const cJSON *c = change(h, fact, t);
	cr_assert_not_null(c, "no %s change at %s in %s", fact, t, cJSON_PrintUnformatted(h));
	cr_assert_str_eq(str(c, "old") ? str(c, "old") : "null", old);
	cr_assert_str_eq(str(c, "new") ? str(c, "new") : "null", new);
	if (rule)
		cr_assert_str_eq(str(c, "rule") ? str(c, "rule") : "null", rule);
}

Test(history, names_each_change_with_its_time_and_rule, .fini = stop, .timeout = 240)
{
	e2e_start(&e, NULL);
	time_t t0 = time(NULL);
	char t1[32], t2[32], t3[32], t4[32], since[32];
	iso(t0, t1, sizeof t1);
	iso(t0 + 60, t2, sizeof t2);
	iso(t0 + 120, t3, sizeof t3);
	iso(t0 + 180, t4, sizeof t4);
	iso(t0 + 30, since, sizeof since);
	char *lost = pick("healthy", 0), *touched = pick("inactive-too-long", 0), *completed = pick("healthy", 1);

	e.now = t1;
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	/* the first check alerts on everything; the second, with nothing changed, on nothing */
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--new", NULL), 2, "%s%s", e.r.out, e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--new", NULL), 0, "%s%s", e.r.out, e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", NULL), 2, "without --new every finding counts");
	cJSON *h = history(lost);
	assert_change(h, "verdict", t1, "null", "syncing", NULL);
	cJSON_Delete(h);

	mutate("uninstall_app", lost);
	e.now = t2;
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", "--full", NULL), 0, "%s", e.r.err);
	h = history(lost);
	assert_change(h, "app_installed", t2, "yes", "no", NULL);
	assert_change(h, "verdict", t2, "syncing", "not_syncing", "app-not-installed");
	cr_assert_str_eq(str(cJSON_GetArrayItem(h, 0), "time"), t2, "newest first");
	cJSON_Delete(h);
	/* the diagnosis says since when: the refresh that saw the app go */
	cr_assert_eq(e2e_run(&e, "sandbox", "diagnose", lost, "--json", NULL), 1, "%s", e.r.err);
	cJSON *d = e2e_json(&e);
	char *dj = cJSON_PrintUnformatted(d);
	char want[96];
	snprintf(want, sizeof want, "held since %.10s %.5s UTC (the refresh that saw it change)", t2, t2 + 11);
	cr_assert(strstr(dj, want), "no \"%s\" in %s", want, dj);
	free(dj);
	cJSON_Delete(d);
	cr_assert_eq(e2e_run(&e, "sandbox", "history", lost, NULL), 0);
	cr_assert(strstr(e.r.out, "app Dataverse Chat Sync no longer installed → not syncing (app-not-installed)"),
		  "%s", e.r.out);

	mutate("touch", touched);
	e.now = t3;
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	h = history(touched);
	assert_change(h, "verdict", t3, "not_syncing", "syncing", NULL);
	assert_change(h, "verdict", t1, "null", "not_syncing", "inactive-too-long");
	cJSON_Delete(h);
	/* before the touch its diagnosis named the moment the limit passed */
	e.now = t2;
	char *stale = pick("inactive-too-long", 1);
	cr_assert_eq(e2e_run(&e, "sandbox", "diagnose", stale, NULL), 1, "%s", e.r.err);
	cr_assert(strstr(e.r.out, "which passed at 20"), "%s", e.r.out);
	free(stale);
	e.now = t3;

	mutate("complete", completed);
	e.now = t4;
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	h = history(completed);
	assert_change(h, "state", t4, "open", "completed", NULL);
	assert_change(h, "verdict", t4, "syncing", "not_syncing", "activity-inactive");
	cJSON_Delete(h);

	/* changes since before the first mutation: exactly the three chats, nothing else */
	cr_assert_eq(e2e_run(&e, "sandbox", "changes", "--since", since, "--json", NULL), 0, "%s", e.r.err);
	cJSON *ch = e2e_json(&e);
	const cJSON *c;
	int n_lost = 0, n_touched = 0, n_completed = 0;
	cJSON_ArrayForEach(c, ch) {
		const char *id = str(c, "teams_chat_id");
		cr_assert_not_null(id, "a change that is not a chat's: %s", cJSON_PrintUnformatted(c));
		n_lost += strcmp(id, lost) == 0;
		n_touched += strcmp(id, touched) == 0;
		n_completed += strcmp(id, completed) == 0;
		cr_assert(strcmp(id, lost) == 0 || strcmp(id, touched) == 0 || strcmp(id, completed) == 0,
			  "chat %s changed though nobody touched it: %s", id, cJSON_PrintUnformatted(c));
	}
	cr_assert(n_lost && n_touched && n_completed, "%d %d %d", n_lost, n_touched, n_completed);
	cJSON_Delete(ch);
	/* without --since: everything the first time, then nothing new */
	cr_assert_eq(e2e_run(&e, "sandbox", "changes", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.out, "first seen"), "%s", e.r.out);
	cr_assert_eq(e2e_run(&e, "sandbox", "changes", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.out, "no changes recorded"), "%s", e.r.out);

	/* check --new: the lost app and the completed chat are new blocking findings, once */
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--new", "--json", NULL), 2, "%s", e.r.err);
	cJSON *chk = e2e_json(&e);
	char *doc = cJSON_PrintUnformatted(chk);
	cr_assert(strstr(doc, "app-not-installed") && strstr(doc, "activity-inactive"), "%s", doc);
	free(doc);
	cJSON_Delete(chk);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--new", NULL), 0, "%s%s", e.r.out, e.r.err);

	/* the environment's timeline holds its chats' changes */
	cr_assert_eq(e2e_run(&e, "sandbox", "history", "--env", "contoso-sales", "--csv", NULL), 0, "%s", e.r.err);
	cr_assert(strncmp(e.r.out, "time,scope,environment,teams_chat_id", 36) == 0, "%.200s", e.r.out);
	cr_assert_eq(e2e_run(&e, "sandbox", "changes", "--since", "yesterday", NULL), 2);
	cr_assert(strstr(e.r.err, "--since takes a duration"), "%s", e.r.err);
	free(lost);
	free(touched);
	free(completed);
}
