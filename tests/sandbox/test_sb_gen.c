/* The tenant generator: deterministic, every situation present, and each chat healthy apart from
 * the one fact its situation names (so exactly one diagnosis rule fires). */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "sandbox/tenant.h"
#include "sandbox/util.h"

#define DAY 86400
#define NOW 1794647520 /* 2026-11-14T09:12:00Z */

static void gen(struct sb_tenant *t, uint64_t seed, int envs, int chats, enum sb_rsc rsc)
{
	setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
	cr_assert_eq(sb_clock_init(), 0);
	struct sb_gen_opts o = { seed, envs, chats, rsc, "https://127.0.0.1:1" };
	sb_tenant_generate(t, &o);
}

static bool is_activity_table(const char *t)
{
	return !strcmp(t, "email") || !strcmp(t, "task") || !strcmp(t, "appointment");
}

/* Asserts the facts of a chat against its situation. */
static void check_chat(const struct sb_tenant *t, const struct sb_env *e, const struct sb_chat *c)
{
	int64_t limit = (int64_t)e->inactivity_days * DAY, age = NOW - c->modifiedinteamson;
	int s = c->situation;
	const char *name = sb_situation_name(s);
	bool row = c->has_activity;
	cr_expect(c->has_assoc, "%s: every generated chat is connected", name);
	cr_expect_eq(row, s != SB_SIT_CONNECTED_BEFORE_SYNC && s != SB_SIT_REGARDING_ACTIVITY, "%s: activity row", name);
	cr_expect_eq(is_activity_table(c->regarding_table), s == SB_SIT_REGARDING_ACTIVITY, "%s: regarding", name);
	cr_expect_eq(c->statecode != 0, s == SB_SIT_ACTIVITY_INACTIVE, "%s: statecode", name);
	if (row) {
		cr_expect_eq(age > limit, s == SB_SIT_INACTIVE_TOO_LONG, "%s: age %lld vs limit", name, (long long)age);
		cr_expect_eq(age > limit - DAY && age <= limit, s == SB_SIT_INACTIVE_SOON, "%s: soon", name);
		bool pending_long = c->syncstatus == 1 && NOW - c->modifiedon > 3600;
		cr_expect_eq(c->syncstatus == 0 || pending_long, s == SB_SIT_CHAT_SYNC_NOT_ENABLED, "%s: syncstatus", name);
		cr_expect(c->syncstatus == 2 || s == SB_SIT_CHAT_SYNC_NOT_ENABLED);
		bool err_rows = false;
		for (size_t i = 0; i < e->n_syncerrors; i++)
			err_rows |= &e->chats[e->syncerrors[i].chat] == c;
		cr_expect_eq(c->lastsyncerror != 0 || err_rows, s == SB_SIT_SYNC_ERROR, "%s: sync errors", name);
	}
	cr_expect_eq(c->unlinkedon != 0 || c->assoc_state == 1, s == SB_SIT_UNLINKED, "%s: unlinked", name);
	cr_expect_eq(!c->app_installed, s == SB_SIT_APP_NOT_INSTALLED, "%s: app", name);
	cr_expect_eq(c->app_installed && !c->grant_present, s == SB_SIT_RSC_GRANT_MISSING, "%s: grant", name);
	cr_expect_eq(c->deleted_in_teams, s == SB_SIT_CHAT_NOT_FOUND, "%s: deleted in Teams", name);
	cr_expect_eq(!e->sync_enabled, s == SB_SIT_SYNC_DISABLED, "%s: env sync", name);
	cr_expect(c->n_members >= 2 && c->subject && *c->subject);
	(void)t;
}

Test(gen, every_chat_has_one_situation_and_only_its_fact)
{
	struct sb_tenant t;
	gen(&t, 7, 3, 60, SB_RSC_MANAGED_BY_MICROSOFT);
	cr_assert_eq(t.n_envs, 3);
	cr_expect(t.envs[0].sync_enabled && t.envs[1].sync_enabled && !t.envs[2].sync_enabled);
	cr_expect_eq(t.envs[1].inactivity_days, 14);
	cr_expect_eq(t.envs[0].inactivity_days, 7);
	for (size_t i = 0; i < t.n_envs; i++) {
		const struct sb_env *e = &t.envs[i];
		cr_assert_eq(e->n_chats, 60);
		int seen[SB_SIT__COUNT] = { 0 };
		for (size_t k = 0; k < e->n_chats; k++) {
			check_chat(&t, e, &e->chats[k]);
			seen[e->chats[k].situation]++;
		}
		for (int s = 0; s < SB_SIT__COUNT; s++) {
			bool expected = e->sync_enabled ? s != SB_SIT_SYNC_DISABLED && s != SB_SIT_RSC_DISABLED
							: s == SB_SIT_SYNC_DISABLED;
			cr_expect_eq(seen[s] > 0, expected, "env %zu situation %s seen %d", i, sb_situation_name(s), seen[s]);
		}
		cr_expect(seen[SB_SIT_HEALTHY] >= 10 || !e->sync_enabled, "healthy chats make up the bulk");
	}
	sb_tenant_free(&t);
}

Test(gen, same_seed_same_tenant_other_seed_other_tenant)
{
	struct sb_tenant a, b, c;
	gen(&a, 42, 2, 30, SB_RSC_MANAGED_BY_MICROSOFT);
	gen(&b, 42, 2, 30, SB_RSC_MANAGED_BY_MICROSOFT);
	gen(&c, 43, 2, 30, SB_RSC_MANAGED_BY_MICROSOFT);
	cr_expect_str_eq(a.tenant_id, b.tenant_id);
	int differ = 0;
	for (size_t k = 0; k < 30; k++) {
		cr_expect_str_eq(a.envs[1].chats[k].teams_id, b.envs[1].chats[k].teams_id);
		cr_expect_str_eq(a.envs[1].chats[k].activityid, b.envs[1].chats[k].activityid);
		cr_expect_eq(a.envs[1].chats[k].situation, b.envs[1].chats[k].situation);
		cr_expect_eq(a.envs[1].chats[k].modifiedinteamson, b.envs[1].chats[k].modifiedinteamson);
		differ += strcmp(a.envs[1].chats[k].teams_id, c.envs[1].chats[k].teams_id) != 0;
	}
	cr_expect_gt(differ, 25);
	cr_expect_str_neq(a.tenant_id, c.tenant_id);
	cr_expect_str_neq(a.apps[0].secret, b.apps[0].secret, "secrets are never derived from the seed");
	sb_tenant_free(&a);
	sb_tenant_free(&b);
	sb_tenant_free(&c);
}

Test(gen, names_non_ascii_and_long_topics)
{
	struct sb_tenant t;
	gen(&t, 1, 3, 60, SB_RSC_MANAGED_BY_MICROSOFT);
	for (size_t i = 0; i < t.n_envs; i++) {
		bool umlaut = false, cjk = false, long_topic = false;
		for (size_t k = 0; k < t.envs[i].n_chats; k++) {
			const char *topic = t.envs[i].chats[k].topic;
			if (!topic)
				continue;
			umlaut |= !strcmp(topic, "Überprüfung Angebot – Müller GmbH");
			cjk |= !strcmp(topic, "東京オフィス");
			long_topic |= strlen(topic) > 200;
		}
		cr_expect(umlaut && cjk && long_topic, "env %zu: %d %d %d", i, umlaut, cjk, long_topic);
	}
	bool non_ascii_person = false;
	for (size_t u = 0; u < t.n_users; u++)
		for (const unsigned char *p = (const unsigned char *)t.users[u].name; *p; p++)
			non_ascii_person |= *p >= 0x80;
	cr_expect(non_ascii_person);
	sb_tenant_free(&t);
}

Test(gen, rsc_disabled_tenant_marks_every_chat)
{
	struct sb_tenant t;
	gen(&t, 3, 3, 20, SB_RSC_DISABLED);
	for (size_t i = 0; i < t.n_envs; i++) {
		cr_expect(t.envs[i].sync_enabled, "with RSC off, no environment adds a second rule");
		for (size_t k = 0; k < t.envs[i].n_chats; k++)
			cr_expect_eq(t.envs[i].chats[k].situation, SB_SIT_RSC_DISABLED);
	}
	sb_tenant_free(&t);
}

Test(gen, keys_are_sorted_and_lookups_work)
{
	struct sb_tenant t;
	gen(&t, 9, 2, 200, SB_RSC_MANAGED_BY_MICROSOFT);
	const struct sb_env *e = &t.envs[0];
	for (size_t i = 1; i < e->n_chat_order; i++)
		cr_assert_lt(strcmp(e->chats[e->chat_order[i - 1]].activityid, e->chats[e->chat_order[i]].activityid), 0);
	for (size_t i = 1; i < e->n_parties; i++)
		cr_assert_lt(strcmp(e->parties[i - 1].id, e->parties[i].id), 0);
	const struct sb_chat *c = &e->chats[e->chat_order[17]];
	cr_expect_eq(sb_env_chat_by_activity(&t.envs[0], c->activityid), c);
	struct sb_env *found;
	cr_expect_eq(sb_tenant_chat_by_teams_id(&t, c->teams_id, &found), c);
	cr_expect_eq(found, &t.envs[0]);
	cr_expect_null(sb_tenant_chat_by_teams_id(&t, "19:nope@thread.v2", NULL));
	for (uint32_t m = 0; m < c->n_members; m++)
		cr_expect_eq(e->parties[e->party_by_chat[c->first_party + m]].user, c->members[m]);
	sb_tenant_free(&t);
}

Test(gen, mutations_change_facts_and_versions)
{
	struct sb_tenant t;
	gen(&t, 5, 1, 40, SB_RSC_MANAGED_BY_MICROSOFT);
	struct sb_env *e = &t.envs[0];
	struct sb_chat *c = &e->chats[e->chat_order[0]];
	uint64_t v = c->version;
	char err[128];
	cr_assert_eq(sb_tenant_mutate(&t, "complete", c->activityid, NULL, err, sizeof err), 0);
	cr_expect_eq(c->statecode, 1);
	cr_expect_gt(c->version, v);
	cr_expect_eq(c->situation, SB_SIT_ACTIVITY_INACTIVE);
	cr_assert_eq(sb_tenant_mutate(&t, "delete", c->activityid, NULL, err, sizeof err), 0);
	cr_expect(!c->has_activity);
	cr_expect_gt(e->n_deleted, c->n_members);
	cr_expect_eq(sb_tenant_mutate(&t, "touch", NULL, c->teams_id, err, sizeof err), -1);
	cr_expect_eq(sb_tenant_mutate(&t, "explode", NULL, c->teams_id, err, sizeof err), -1);
	cr_expect(strstr(err, "explode"));
	cr_assert_eq(sb_tenant_mutate(&t, "delete_in_teams", NULL, c->teams_id, err, sizeof err), 0);
	cr_expect(c->deleted_in_teams);
	int changed;
	cr_assert_eq(sb_tenant_mutate_random(&t, 0.5, &changed, err, sizeof err), 0);
	cr_expect_gt(changed, 5);
	cr_expect_eq(sb_tenant_mutate_random(&t, 2, &changed, err, sizeof err), -1);
	sb_tenant_free(&t);
}
