/* The facts of every chat in one pass (cache_facts_each, the cursor) against the one-chat lookup
 * (cache_load_facts) over a real cache file: the same chats, in the chat list's order, with the same
 * facts and so the same diagnosis; filters, stopping early, and the newest association of a chat
 * connected twice; and the console's data: counts first, then every chat in one pass (whole, in parts,
 * or on the loader's thread) with the verdict a lookup's full diagnosis gives. */
#include "config.h"
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/diagnose.h"
#include "store/cache.h"
#include "ui/data.h"
#include "ui/loader.h"
#include "base/xalloc.h"
#include "run.h"

#define NOW ((cs_time)1794647520) /* 2026-11-14 09:12:00 UTC */
#define MIN ((cs_time)60)
#define HOUR ((cs_time)3600)
#define DAY ((cs_time)86400)

static char *dir, *db;
static struct cache *cache;
static struct cs_error err;

static void put_env(const char *id, const char *name, int sync, int days)
{
	struct cs_env e = { .id = (char *)id, .unique_name = (char *)name, .friendly_name = (char *)"Friendly",
			    .url = (char *)"https://x.crm.dynamics.com", .sync_enabled = sync, .inactivity_days = days,
			    .org_fetched_at = NOW - 5 * MIN, .refreshed_at = NOW - 5 * MIN };
	cr_assert_eq(cache_put_env(cache, &e, &err), 0, "%s", err.msg);
}

static void put_assoc(const char *id, const char *env, const char *chat, const char *table, int record_state,
		      cs_time modified)
{
	struct cs_assoc a = { .id = (char *)id, .env_id = (char *)env, .teams_chat_id = (char *)chat,
			      .regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001",
			      .regarding_table = (char *)table, .record_state = record_state, .created_on = modified,
			      .modified_on = modified, .fetched_at = NOW - 5 * MIN };
	cr_assert_eq(cache_put_assoc(cache, &a, &err), 0, "%s", err.msg);
}

static void put_graph(const char *chat, int chat_status, int installed, int granted, cs_time last_updated)
{
	struct cs_graph_chat g = {
		.teams_chat_id = (char *)chat, .chat_status = chat_status, .topic = (char *)"Graph topic",
		.last_updated = last_updated, .chat_fetched_at = NOW - 5 * MIN, .apps_status = 200,
		.app_installed = installed, .app_client_id = (char *)"cccccccc-0000-0000-0000-000000000001",
		.app_name = (char *)"Dataverse Chat Sync", .apps_fetched_at = NOW - 5 * MIN, .grants_status = 200,
		.app_has_grant = granted, .n_grants = 1, .grants_fetched_at = NOW - 5 * MIN,
	};
	cr_assert_eq(cache_put_graph_chat(cache, &g, &err), 0, "%s", err.msg);
}

static void put_chat(const char *env, const char *act, const char *chat, const char *subject, int state,
		     cs_time modified, const char *regarding, cs_time unlinked)
{
	struct cs_party parties[2] = { { .party_id = (char *)"p1", .name = (char *)"Ada Müller" },
				       { .party_id = (char *)"p2", .name = (char *)"東京 Team" } };
	struct cs_chat c = {
		.env_id = (char *)env, .activity_id = (char *)act, .teams_chat_id = (char *)chat,
		.subject = (char *)subject, .state = state, .status_code = 1, .sync_status = CS_SYNC_ENABLED,
		.modified_in_teams_on = modified, .linked_on = NOW - 20 * DAY, .unlinked_on = unlinked,
		.regarding_id = (char *)"bbbbbbbb-0000-0000-0000-000000000001", .regarding_type = (char *)regarding,
		.created_on = NOW - 20 * DAY, .modified_on = modified, .fetched_at = NOW - 5 * MIN,
		.parties = parties, .n_parties = 2,
	};
	cr_assert_eq(cache_put_chat(cache, &c, &err), 0, "%s", err.msg);
}

static void put_error(const char *env, const char *regarding, const char *id, cs_time t)
{
	struct cs_sync_error e = { .id = (char *)id, .code = (char *)"0x80040217", .message = (char *)"conflict",
				   .time = t };
	cr_assert_eq(cache_put_sync_error(cache, env, regarding, &e, NOW - 5 * MIN, &err), 0, "%s", err.msg);
}

/* Two environments and a chat in each situation the rules tell apart. */
static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	dir = run_tmpdir();
	db = xasprintf("%s/facts.db", dir);
	cache = cache_open(db, 0, &err);
	cr_assert_not_null(cache, "%s", err.msg);
	cr_assert_eq(cache_begin(cache, &err), 0);
	put_env("e1", "sales", CS_TRUE, 7);
	put_env("e2", "support", CS_FALSE, 14);

	put_chat("e1", "a-ok", "19:ok@thread.v2", "Healthy", CS_STATE_OPEN, NOW - 1 * DAY, "account", 0);
	put_assoc("as-ok", "e1", "19:ok@thread.v2", "account", CS_ASSOC_ASSOCIATE, NOW - 20 * DAY);
	put_graph("19:ok@thread.v2", 200, CS_TRUE, CS_TRUE, NOW - 1 * DAY);

	put_chat("e1", "a-errs", "19:errs@thread.v2", "With errors", CS_STATE_OPEN, NOW - 2 * DAY, "account", 0);
	put_graph("19:errs@thread.v2", 200, CS_TRUE, CS_FALSE, NOW - 2 * DAY);
	put_error("e1", "a-errs", "se-2", NOW - 1 * HOUR);
	put_error("e1", "a-errs", "se-1", NOW - 3 * HOUR);
	put_error("e1", "a-gone-elsewhere", "se-3", NOW - 2 * HOUR); /* regards no cached chat */

	put_chat("e1", "a-done", "19:done@thread.v2", "Completed", CS_STATE_COMPLETED, NOW - 30 * DAY, "account", 0);
	put_chat("e1", "a-unl", "19:unl@thread.v2", "Unlinked", CS_STATE_OPEN, NOW - 3 * DAY, "account",
		 NOW - 2 * DAY);
	put_chat("e1", "a-task", "19:task@thread.v2", "On a task", CS_STATE_OPEN, NOW - 4 * HOUR, "task", 0);
	put_graph("19:task@thread.v2", 404, CS_UNKNOWN, CS_UNKNOWN, 0);
	put_chat("e1", "a-noage", "19:noage@thread.v2", "Never updated", CS_STATE_OPEN, 0, "account", 0);
	put_chat("e1", "a-soon", "19:soon@thread.v2", "Going stale", CS_STATE_OPEN, NOW - 6 * DAY - 12 * HOUR,
		 "account", 0);
	put_graph("19:soon@thread.v2", 200, CS_FALSE, CS_UNKNOWN, NOW - 6 * DAY);

	/* Connected before sync: no activity row. Connected, unlinked, and connected again: two
	 * associations, listed once, from the newest. */
	put_assoc("as-early", "e1", "19:early@thread.v2", "account", CS_ASSOC_ASSOCIATE, NOW - 40 * DAY);
	put_graph("19:early@thread.v2", 200, CS_TRUE, CS_TRUE, NOW - 39 * DAY);
	put_assoc("as-twice-old", "e1", "19:twice@thread.v2", "contact", CS_ASSOC_DISASSOCIATE, NOW - 9 * DAY);
	put_assoc("as-twice-new", "e1", "19:twice@thread.v2", "account", CS_ASSOC_ASSOCIATE, NOW - 8 * DAY);
	put_assoc("as-bare", "e1", "19:bare@thread.v2", "email", CS_ASSOC_ASSOCIATE, NOW - 8 * DAY);

	/* The same Teams chat connected in the other environment too, where sync is off. */
	put_chat("e2", "a-ok-2", "19:ok@thread.v2", "Healthy elsewhere", CS_STATE_OPEN, NOW - 1 * DAY, "account", 0);
	put_error("e2", "a-ok-2", "se-4", NOW - 5 * HOUR);
	put_chat("e2", "a-cancel", "19:cancel@thread.v2", "Canceled", CS_STATE_CANCELED, NOW - 10 * DAY, "account", 0);

	struct cs_rsc rsc = { .state = CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY, .source = (char *)"authorizationPolicy",
			      .http_status = 200, .fetched_at = NOW - 10 * MIN };
	cr_assert_eq(cache_put_rsc(cache, &rsc, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_commit(cache, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	cache_close(cache);
	run_rmtree(dir);
	free(dir);
	free(db);
}
TestSuite(facts, .init = setup, .fini = teardown);

/* What one pass saw, copied out (the facts are borrowed only during the call). */
struct seen {
	char *key[64];
	char *text[64];     /* the diagnosis, rendered to a comparable string */
	int verdict[64];
	size_t n_errors[64];
	bool has_chat[64];
	char *assoc_id[64];
	size_t n;
	size_t stop_after;  /* 0: never stop */
};

static char *render(const struct diag_result *r)
{
	char *s = xasprintf("%s", diag_verdict_name(r->verdict));
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct diag_finding *fd = &r->findings[i];
		char *t = xasprintf("%s|%s/%s/%s: %s => %s", s, diag_rule_id(fd->rule), diag_severity_name(fd->severity),
				    diag_rule_id(fd->check), fd->summary, fd->remedy ? fd->remedy : "");
		free(s);
		s = t;
		for (size_t j = 0; j < fd->n_evidence; j++) {
			t = xasprintf("%s [%s=%s %s %lld]", s, fd->evidence[j].fact, fd->evidence[j].value,
				      fd->evidence[j].source, (long long)fd->evidence[j].fetched_at);
			free(s);
			s = t;
		}
	}
	return s;
}

static int record(const struct cache_facts *f, void *user)
{
	struct seen *s = user;
	cr_assert_lt(s->n, 64);
	struct diag_result r;
	cache_facts_diagnose(f, NOW, 24, &r);
	s->key[s->n] = xstrdup(cache_facts_key(f));
	s->text[s->n] = render(&r);
	s->verdict[s->n] = (int)r.verdict;
	s->n_errors[s->n] = f->n_errors;
	s->has_chat[s->n] = f->has_chat;
	s->assoc_id[s->n] = f->has_assoc ? xstrdup(f->assoc.id) : NULL;
	s->n++;
	diag_result_free(&r);
	return s->stop_after && s->n >= s->stop_after;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->key[i]);
		free(s->text[i]);
		free(s->assoc_id[i]);
	}
}

static size_t find(const struct seen *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->key[i], key) == 0)
			return i;
	cr_assert_fail("%s was not streamed", key);
	return 0;
}

struct listed {
	char *key[64];
	size_t n;
};

static int list_one(const struct cs_chat *c, const struct cs_env *env, void *user)
{
	(void)env;
	struct listed *l = user;
	l->key[l->n++] = xstrdup(c->activity_id ? c->activity_id : c->teams_chat_id);
	return 0;
}

Test(facts, one_pass_gives_every_listed_chat_in_order_with_the_facts_of_a_lookup)
{
	struct seen s = { 0 };
	cr_assert_eq(cache_facts_each(cache, NULL, record, &s, &err), 0, "%s", err.msg);
	struct listed l = { 0 };
	cr_assert_eq(cache_each_chat(cache, NULL, list_one, &l, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 12, "9 activity rows and 3 chats without one, the one connected twice once (got %zu)", s.n);
	cr_assert_eq(l.n, s.n, "the chat list and the facts agree on the chats (%zu listed)", l.n);
	cr_assert_eq(cache_env_chat_count(cache, "e1") + cache_env_chat_count(cache, "e2"), (int)s.n,
		     "and envs counts them alike");
	for (size_t i = 0; i < s.n; i++) {
		cr_assert_str_eq(s.key[i], l.key[i], "row %zu: the list's order", i);
		struct cache_facts f;
		cr_assert_eq(cache_load_facts(cache, s.key[i], &f, &err), 0, "%s: %s", s.key[i], err.msg);
		struct diag_result r;
		cache_facts_diagnose(&f, NOW, 24, &r);
		char *one = render(&r);
		cr_assert_str_eq(s.text[i], one, "%s: the pass and the lookup diagnose alike", s.key[i]);
		cr_assert_eq(s.n_errors[i], f.n_errors, "%s", s.key[i]);
		free(one);
		diag_result_free(&r);
		cache_facts_free(&f);
		free(l.key[i]);
	}
	seen_free(&s);
}

Test(facts, each_chat_gets_its_own_sync_errors_association_and_graph_details)
{
	struct seen s = { 0 };
	cr_assert_eq(cache_facts_each(cache, NULL, record, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n_errors[find(&s, "a-errs")], 2);
	cr_assert_eq(s.n_errors[find(&s, "a-ok-2")], 1, "the same Teams chat in the other environment has its own");
	cr_assert_eq(s.n_errors[find(&s, "a-ok")], 0);
	cr_assert(strstr(s.text[find(&s, "a-errs")], "sync-error"), "%s", s.text[find(&s, "a-errs")]);
	size_t twice = find(&s, "19:twice@thread.v2");
	cr_assert_not(s.has_chat[twice]);
	cr_assert_str_eq(s.assoc_id[twice], "as-twice-new", "the newest association decides");
	cr_assert(strstr(s.text[twice], "connected-before-sync"), "%s", s.text[twice]);
	cr_assert_str_eq(s.assoc_id[find(&s, "a-ok")], "as-ok");
	cr_assert_null(s.assoc_id[find(&s, "a-done")]);
	cr_assert(strstr(s.text[find(&s, "a-task")], "chat-not-found"), "%s", s.text[find(&s, "a-task")]);
	cr_assert(strstr(s.text[find(&s, "a-task")], "regarding-activity"));
	cr_assert(strstr(s.text[find(&s, "19:bare@thread.v2")], "regarding-activity"));
	cr_assert(strstr(s.text[find(&s, "a-soon")], "inactive-soon"));
	cr_assert(strstr(s.text[find(&s, "a-soon")], "app-not-installed"));
	cr_assert_eq(s.verdict[find(&s, "a-ok")], DIAG_VERDICT_SYNCING, "%s", s.text[find(&s, "a-ok")]);
	cr_assert(strstr(s.text[find(&s, "a-ok-2")], "sync-disabled"), "%s", s.text[find(&s, "a-ok-2")]);
	seen_free(&s);
}

Test(facts, the_pass_and_the_lookup_agree_that_a_chat_connected_twice_is_one_chat)
{
	struct cache_facts f;
	cr_assert_eq(cache_load_facts(cache, "19:twice", &f, &err), 0, "%s", err.msg);
	cr_assert_str_eq(f.assoc.id, "as-twice-new");
	struct cs_chat view;
	cache_facts_chat(&f, &view);
	cr_assert_eq(view.state, CS_STATE_NOT_RECORDED);
	cr_assert_str_eq(view.teams_chat_id, "19:twice@thread.v2");
	cr_assert_str_eq(view.regarding_type, "account");
	cache_facts_free(&f);
	cr_assert_eq(cache_load_facts(cache, "19:early", &f, &err), 0, "%s", err.msg);
	cache_facts_chat(&f, &view);
	cr_assert_str_eq(view.subject, "Graph topic", "a chat without an activity row is named by Graph's topic");
	cr_assert_eq(view.modified_in_teams_on, NOW - 39 * DAY, "and aged by Graph's last update");
	cache_facts_free(&f);
}

Test(facts, filters_by_environment_and_state_as_the_chat_list_does)
{
	struct cache_chat_filter f = { .env_id = "e2" };
	struct seen s = { 0 };
	cr_assert_eq(cache_facts_each(cache, &f, record, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.key[0], "a-cancel", "oldest first");
	cr_assert_str_eq(s.key[1], "a-ok-2");
	cr_assert_eq(s.n_errors[1], 1);
	seen_free(&s);

	struct cache_chat_filter open = { .state = "open" }, inactive = { .state = "inactive" };
	struct seen o = { 0 }, in = { 0 };
	struct listed lo = { 0 };
	cr_assert_eq(cache_facts_each(cache, &open, record, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_each_chat(cache, &open, list_one, &lo, &err), 0, "%s", err.msg);
	cr_assert_eq(o.n, 7, "open activity rows only (got %zu)", o.n);
	cr_assert_eq(lo.n, o.n);
	for (size_t i = 0; i < o.n; i++) {
		cr_assert(o.has_chat[i]);
		cr_assert_str_eq(o.key[i], lo.key[i]);
		free(lo.key[i]);
	}
	cr_assert_eq(cache_facts_each(cache, &inactive, record, &in, &err), 0, "%s", err.msg);
	cr_assert_eq(in.n, 2);
	cr_assert_str_eq(in.key[0], "a-done");
	cr_assert_str_eq(in.key[1], "a-cancel");
	seen_free(&o);
	seen_free(&in);
}

Test(facts, stops_when_asked_and_a_cursor_reads_the_same_rows)
{
	struct seen s = { .stop_after = 3 };
	cr_assert_eq(cache_facts_each(cache, NULL, record, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 3);
	struct cache_facts_cursor *cur = cache_facts_open(cache, NULL, &err);
	cr_assert_not_null(cur, "%s", err.msg);
	const struct cache_facts *f;
	size_t n = 0;
	int rc;
	while ((rc = cache_facts_next(cur, &f, &err)) == 1) {
		if (n < 3)
			cr_assert_str_eq(cache_facts_key(f), s.key[n]);
		cr_assert(f->has_rsc, "the tenant's RSC state comes with every chat");
		cr_assert_eq(f->rsc.state, CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY);
		cr_assert_not_null(f->env.unique_name);
		n++;
	}
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_eq(n, 12);
	cr_assert_eq(cache_facts_next(cur, &f, &err), 0, "the end stays the end");
	cache_facts_close(cur);
	seen_free(&s);
}

Test(facts, an_empty_cache_streams_nothing)
{
	char *empty = xasprintf("%s/empty.db", dir);
	struct cache *c = cache_open(empty, 0, &err);
	cr_assert_not_null(c, "%s", err.msg);
	struct seen s = { 0 };
	cr_assert_eq(cache_facts_each(c, NULL, record, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 0);
	cache_close(c);
	free(empty);
}

/* The verdict cache_load_facts gives a chat (the lookup the console fell back on before). */
static int lookup_verdict(const char *key)
{
	struct cache_facts f;
	if (cache_load_facts(cache, key, &f, &err))
		return DIAG_VERDICT_UNKNOWN;
	struct diag_result r;
	cache_facts_diagnose(&f, NOW, 24, &r);
	int v = (int)r.verdict;
	diag_result_free(&r);
	cache_facts_free(&f);
	return v;
}

/* The console's data as one chat list: the chat list's keys in its order, with their verdicts. */
static void assert_as_listed(const struct ui_data *d)
{
	struct listed l = { 0 };
	cr_assert_eq(cache_each_chat(cache, NULL, list_one, &l, &err), 0, "%s", err.msg);
	cr_assert(d->loaded);
	cr_assert_eq(d->n_chats, l.n, "every listed chat, once (%zu of %zu)", d->n_chats, l.n);
	for (size_t i = 0; i < l.n; i++) {
		cr_assert_str_eq(d->chats[i].key, l.key[i], "row %zu: the list's order", i);
		cr_assert_eq(d->chats[i].verdict, lookup_verdict(d->chats[i].key),
			     "%s: the verdict a full diagnosis of the chat alone gives", d->chats[i].key);
		free(l.key[i]);
	}
}

Test(facts, the_console_counts_first_then_reads_every_chat_with_the_verdict_of_a_lookup)
{
	struct ui_data d;
	cr_assert_eq(ui_data_load_envs(&d, cache, NOW, 24, 0, &err), 0, "%s", err.msg);
	cr_assert_not(d.loaded, "the environments and their counts come first, without a chat");
	cr_assert_eq(d.n_chats, 0);
	cr_assert_eq(d.n_envs, 2);
	size_t counted[2] = { d.envs[0].n_chats, d.envs[1].n_chats };
	cr_assert_eq(counted[0], 10, "sales: 7 activity rows and 3 chats without one (got %zu)", counted[0]);
	cr_assert_eq(counted[1], 2, "support: 2 (got %zu)", counted[1]);
	cr_assert_eq((int)counted[0], cache_env_chat_count(cache, "e1"), "the count query agrees with envs");
	cr_assert_eq(ui_data_load_chats(&d, cache, 0, 1, NULL, NULL, &err), 0, "%s", err.msg);
	ui_data_finish(&d);
	assert_as_listed(&d);
	size_t not_syncing = 0, at_risk = 0, unknown = 0;
	for (size_t i = 0; i < d.n_chats; i++) {
		not_syncing += d.chats[i].verdict == DIAG_VERDICT_NOT_SYNCING;
		at_risk += d.chats[i].verdict == DIAG_VERDICT_AT_RISK;
		unknown += d.chats[i].verdict == DIAG_VERDICT_UNKNOWN;
	}
	cr_assert_gt(not_syncing, 0, "the fixture has chats of each verdict");
	cr_assert_gt(at_risk, 0);
	cr_assert_eq(d.envs[0].n_chats, counted[0], "what was read is what was counted");
	cr_assert_eq(d.envs[1].n_chats, counted[1]);
	cr_assert_eq(d.envs[0].not_syncing + d.envs[1].not_syncing, not_syncing);
	cr_assert_eq(d.envs[0].at_risk + d.envs[1].at_risk, at_risk);
	cr_assert_eq(d.envs[0].unknown + d.envs[1].unknown, unknown);
	/* The soonest change by the clock alone: "Going stale" (6 d 12 h idle of 7 d, at risk now)
	 * passes its limit in 12 hours and is then not syncing. */
	cr_assert_eq(d.next_change, NOW + 12 * HOUR + 1, "next change at NOW%+lld", (long long)(d.next_change - NOW));
	ui_data_free(&d);
}

Test(facts, a_pass_in_parts_reads_each_chat_once_and_gives_what_one_pass_does)
{
	struct ui_data whole = { 0 };
	cr_assert_eq(ui_data_load(&whole, cache, NOW, 24, &err), 0, "%s", err.msg);
	struct ui_data d;
	cr_assert_eq(ui_data_load_envs(&d, cache, NOW, 24, 0, &err), 0, "%s", err.msg);
	size_t sizes = 0;
	for (unsigned part = 0; part < 3; part++) {
		struct ui_data p;
		cr_assert_eq(ui_data_load_envs(&p, cache, NOW, 24, 0, &err), 0, "%s", err.msg);
		cr_assert_eq(ui_data_load_chats(&p, cache, part, 3, NULL, NULL, &err), 0, "%s", err.msg);
		sizes += p.n_chats;
		ui_data_take_chats(&d, &p);
	}
	ui_data_finish(&d);
	cr_assert_eq(sizes, whole.n_chats, "the parts add up to the chats, none twice");
	assert_as_listed(&d);
	for (size_t i = 0; i < d.n_chats; i++) {
		cr_assert_str_eq(d.chats[i].participants, whole.chats[i].participants);
		cr_assert_str_eq(d.chats[i].folded, whole.chats[i].folded);
	}
	ui_data_free(&d);
	ui_data_free(&whole);
}

Test(facts, the_loader_reads_the_file_on_its_own_thread_as_one_pass_does)
{
	struct ui_loader *l = ui_loader_start(db, NOW, 24, 0, &err);
	cr_assert_not_null(l, "%s", err.msg);
	while (!ui_loader_done(l))
		;
	size_t done, total;
	ui_loader_progress(l, &done, &total);
	cr_assert_eq(total, 12, "it counted the chats first (%zu)", total);
	cr_assert_eq(done, 12, "and read them all (%zu)", done);
	struct ui_data d;
	cr_assert_eq(ui_loader_finish(l, &d, &err), 0, "%s", err.msg);
	assert_as_listed(&d);
	cr_assert_str_eq(d.envs[0].name, "sales");
	ui_data_free(&d);
}

Test(facts, a_cancelled_loader_hands_nothing_over)
{
	struct ui_loader *l = ui_loader_start(db, NOW, 24, 0, &err);
	cr_assert_not_null(l, "%s", err.msg);
	ui_loader_cancel(l); /* frees it, whether it had finished or not */
	char *none = xasprintf("%s/none.db", dir);
	struct ui_loader *bad = ui_loader_start(none, NOW, 24, 0, &err);
	cr_assert_not_null(bad, "the thread starts; the cache fails in it");
	struct ui_data d;
	cr_assert_eq(ui_loader_finish(bad, &d, &err), -1);
	cr_assert(strstr(err.msg, "no cache at"), "with the cache's sentence: %s", err.msg);
	cr_assert_eq(access(none, F_OK), -1, "a reader creates no cache");
	free(none);
}

Test(facts, on_a_large_cache_the_loader_shares_the_chats_with_a_helper_and_gives_what_one_pass_does)
{
	/* Enough chats for the loader's helper thread (it starts from 20,000). */
	cr_assert_eq(cache_begin(cache, &err), 0, "%s", err.msg);
	for (int i = 0; i < 20000; i++) {
		char act[32], chat[48];
		snprintf(act, sizeof act, "a-bulk-%05d", i);
		snprintf(chat, sizeof chat, "19:bulk%05d@thread.v2", i);
		put_chat(i % 2 ? "e1" : "e2", act, chat, "Bulk", i % 7 ? CS_STATE_OPEN : CS_STATE_COMPLETED,
			 NOW - (cs_time)i * HOUR, "account", 0);
	}
	cr_assert_eq(cache_commit(cache, &err), 0, "%s", err.msg);
	struct ui_data one = { 0 };
	cr_assert_eq(ui_data_load(&one, cache, NOW, 24, &err), 0, "%s", err.msg);
	struct ui_loader *l = ui_loader_start(db, NOW, 24, 0, &err);
	cr_assert_not_null(l, "%s", err.msg);
	struct ui_data d;
	cr_assert_eq(ui_loader_finish(l, &d, &err), 0, "%s", err.msg);
	cr_assert_eq(d.n_chats, 20012);
	cr_assert_eq(d.n_chats, one.n_chats);
	for (size_t i = 0; i < d.n_chats; i++) {
		cr_assert_str_eq(d.chats[i].key, one.chats[i].key, "row %zu", i);
		cr_assert_eq(d.chats[i].verdict, one.chats[i].verdict, "%s", d.chats[i].key);
	}
	for (size_t i = 0; i < d.n_envs; i++) {
		cr_assert_eq(d.envs[i].n_chats, one.envs[i].n_chats);
		cr_assert_eq(d.envs[i].not_syncing, one.envs[i].not_syncing);
		cr_assert_eq(d.envs[i].at_risk, one.envs[i].at_risk);
	}
	ui_data_free(&d);
	ui_data_free(&one);
}
