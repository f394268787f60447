/* The refresh writes each Dataverse page as it comes (sync/dataverse.c over store/cache_rows.c): an
 * environment shows its new rows only once it was read to the end; one that fails or is interrupted
 * after some of its pages were written shows exactly what it showed before, with its refreshed-at
 * time; a chat the server deleted is gone after the next refresh; no more than a page of rows is
 * held in memory. Small pages (--page-size 10) make each collection several pages. */
#include "config.h"
#include "syt.h"
#include "base/xalloc.h"
#include "core/model.h"
#include "store/cache.h"
#include "sync/writer.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct syt t;
static void stop(void) { syt_stop(&t); }

static const char *const small_pages[] = { "--page-size", "10", NULL };
static const char *const envs[] = { "contoso-sales", "contoso-service", "contoso-field" };
#define N_ENVS (sizeof envs / sizeof *envs)

/* Everything the cache shows of an environment: each chat's row, participants, association and sync
 * errors, and the environment's refreshed-at time. */
struct dump {
	struct buf b;
};
static int dump_facts(const struct cache_facts *f, void *user)
{
	struct buf *b = user;
	const struct cs_chat *c = &f->chat;
	buf_printf(b, "chat %s %s %s state=%d sync=%d mod=%lld", c->activity_id ? c->activity_id : "-",
		   c->teams_chat_id ? c->teams_chat_id : "-", c->subject ? c->subject : "-", c->state, c->sync_status,
		   (long long)c->modified_in_teams_on);
	for (size_t i = 0; i < c->n_parties; i++)
		buf_printf(b, " party=%s", c->parties[i].name ? c->parties[i].name : "-");
	if (f->has_assoc)
		buf_printf(b, " assoc=%s/%d/%lld", f->assoc.id, f->assoc.record_state, (long long)f->assoc.modified_on);
	for (size_t i = 0; i < f->n_errors; i++)
		buf_printf(b, " error=%s", f->errors[i].id);
	buf_adds(b, "\n");
	return 0;
}

static char *dump_env(const char *unique_name, cs_time *refreshed_at)
{
	char *id = syt_env_id(&t, unique_name);
	struct cs_env e;
	struct cs_error err = { 0 };
	cr_assert_eq(cache_find_env(t.cache, id, &e, &err), 0, "%s", err.msg);
	*refreshed_at = e.refreshed_at;
	cs_env_free(&e);
	struct buf b;
	buf_init(&b);
	cr_assert_eq(cache_facts_each(t.cache, &(struct cache_chat_filter){ .env_id = id }, dump_facts, &b, &err), 0,
		     "%s", err.msg);
	free(id);
	return buf_steal(&b);
}

/* After a refresh that ran to its end: no rows are kept that no reader sees. */
static void assert_purged(void)
{
	for (size_t i = 0; i < N_ENVS; i++) {
		char *id = syt_env_id(&t, envs[i]);
		cr_assert_eq(cache_rows_unseen(t.cache, id), 0, "%s keeps rows no reader sees", envs[i]);
		free(id);
	}
}

static int refresh(bool full, struct refresh_report *rep, struct cs_error *err)
{
	return syt_refresh(&t, &(struct refresh_opts){ .full = full, .no_details = true }, rep, err);
}

static void refresh_ok(bool full)
{
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(refresh(full, &rep, &err), 0, "%s", err.msg);
}

/* Chat pages of the environment answered from mark on (each a page written before the end). */
static size_t chat_pages(const char *unique_name, size_t mark)
{
	char *path = xasprintf("\"/env/%s/api/data/v9.2/chats\"", unique_name);
	size_t n = syt_log_count(&t, mark, path, "\"status\":200", NULL);
	free(path);
	return n;
}

/* A second apart, so a refresh that wrote its time would show another one. */
static void next_second(void)
{
	nanosleep(&(struct timespec){ .tv_sec = 1, .tv_nsec = 100 * 1000 * 1000 }, NULL);
}

Test(pages, an_environment_failing_after_its_pages_were_written_shows_what_it_showed, .fini = stop, .timeout = 120)
{
	syt_start(&t, "sandbox", small_pages);
	refresh_ok(true);
	cs_time at_before, other_at;
	char *before = dump_env("contoso-service", &at_before), *other = dump_env("contoso-sales", &other_at);
	cr_assert(strstr(before, "party="), "the environment has participants");
	next_second();
	/* Every chat changes, then the environment's participants fail after its chat pages came. */
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":1.0}");
	syt_control(&t, "POST", "faults",
		    "{\"malformed\":1.0,\"latency_ms\":1500,\"path\":\"/env/contoso-service/api/data/v9.2/activityparties\"}");
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(refresh(true, &rep, &err), 1, "%s", err.msg);
	cr_assert(strstr(err.msg, "contoso-service"), "%s", err.msg);
	cr_assert_geq(chat_pages("contoso-service", mark), 3, "its chat pages came (and were written) before it failed");
	cs_time at_after, other_after;
	char *after = dump_env("contoso-service", &at_after), *other_now = dump_env("contoso-sales", &other_after);
	cr_assert_str_eq(after, before, "the failed environment shows other rows than before");
	assert_purged();
	cr_assert_eq(at_after, at_before, "the failed environment's refreshed-at time moved");
	cr_assert_str_neq(other_now, other, "the environments that were read show the changes");
	cr_assert_gt(other_after, other_at);
	free(before);
	free(after);
	free(other);
	free(other_now);
}

static void *cancel_later(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){ .tv_sec = 1, .tv_nsec = 500 * 1000 * 1000 }, NULL);
	t.cancel = 1; /* what SIGINT does to a refresh */
	return NULL;
}

Test(pages, an_interrupted_refresh_leaves_every_environment_as_it_was, .fini = stop, .timeout = 120)
{
	syt_start(&t, "sandbox", small_pages);
	refresh_ok(true);
	char *before[N_ENVS];
	cs_time at[N_ENVS];
	for (size_t i = 0; i < N_ENVS; i++)
		before[i] = dump_env(envs[i], &at[i]);
	next_second();
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":1.0}");
	/* Chats, associations and sync errors come at once, participants only after the interruption. */
	syt_control(&t, "POST", "faults", "{\"latency_ms\":4000,\"path\":\"/activityparties\"}");
	size_t mark = syt_log_lines(&t);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, cancel_later, NULL), 0);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	int rc = refresh(true, &rep, &err);
	pthread_join(th, NULL);
	cr_assert_eq(rc, -1, "%d: %s", rc, err.msg);
	cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
	cr_assert_eq(rep.envs_ok, 0);
	for (size_t i = 0; i < N_ENVS; i++) {
		cr_assert_geq(chat_pages(envs[i], mark), 3, "%s: its chat pages came before the interruption", envs[i]);
		cs_time now_at;
		char *now = dump_env(envs[i], &now_at);
		cr_assert_str_eq(now, before[i], "%s shows other rows after the interruption", envs[i]);
		cr_assert_eq(now_at, at[i], "%s: refreshed-at moved", envs[i]);
		free(now);
		free(before[i]);
	}
	/* The next refresh reads them all, and drops what the interrupted one wrote (a purge of half a
	 * second after the interrupt drops this much too). */
	syt_control(&t, "DELETE", "faults", NULL);
	t.cancel = 0;
	refresh_ok(true);
	assert_purged();
	for (size_t i = 0; i < N_ENVS; i++) {
		cs_time now_at;
		free(dump_env(envs[i], &now_at));
		cr_assert_gt(now_at, at[i]);
	}
}

/* The activity id of the first chat of an environment that has an activity row. */
static int first_activity(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)env;
	if (!ch->activity_id)
		return 0;
	*(char **)user = xstrdup(ch->activity_id);
	return 1;
}

static char *some_chat(const char *unique_name)
{
	char *id = syt_env_id(&t, unique_name), *act = NULL;
	struct cs_error err = { 0 };
	cr_assert_eq(cache_each_chat(t.cache, &(struct cache_chat_filter){ .env_id = id }, first_activity, &act, &err), 0,
		     "%s", err.msg);
	cr_assert_not_null(act);
	free(id);
	return act;
}

static void delete_on_server(const char *activity_id)
{
	char *body = xasprintf("{\"action\":\"delete\",\"activity_id\":\"%s\"}", activity_id);
	syt_control(&t, "POST", "mutate", body);
	free(body);
}

Test(pages, a_chat_deleted_on_the_server_is_gone_after_the_next_refresh, .fini = stop, .timeout = 120)
{
	syt_start(&t, "sandbox", small_pages);
	refresh_ok(true);
	cs_time at;
	/* By a delta read (the deleted id it lists), then by a full read (its absence). */
	for (int full = 0; full <= 1; full++) {
		char *act = some_chat("contoso-sales"), *before = dump_env("contoso-sales", &at);
		cr_assert(strstr(before, act), "%s", act);
		delete_on_server(act);
		struct refresh_report rep;
		struct cs_error err = { 0 };
		cr_assert_eq(refresh(full, &rep, &err), 0, "%s", err.msg);
		cr_assert_eq(rep.delta_used, !full);
		char *after = dump_env("contoso-sales", &at);
		cr_assert_null(strstr(after, act), "%s is still cached after a %s refresh", act, full ? "full" : "delta");
		assert_purged();
		struct cache_facts f;
		if (cache_load_facts(t.cache, act, &f, &err) == 0) {
			cr_assert_not(f.has_chat, "%s still has its activity row", act);
			cache_facts_free(&f);
		}
		free(act);
		free(before);
		free(after);
	}
}

/* The writer holds at most WRITER_PAGES_MAX pages while the loop parses one more. */
Test(pages, the_refresh_holds_a_few_pages_of_rows_at_a_time, .fini = stop, .timeout = 120)
{
	syt_start(&t, "sandbox", small_pages);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(refresh(true, &rep, &err), 0, "%s", err.msg);
	cr_assert_gt(rep.chats_read, 100, "%zu", rep.chats_read);
	cr_assert_gt(rep.rows_held_max, 0);
	cr_assert_leq(rep.rows_held_max, 10 * (WRITER_PAGES_MAX + 1), "%zu rows held at once with pages of 10",
		      rep.rows_held_max);
}
