/* The Dataverse reads of the environments the cache knows begin while Global Discovery is read
 * (sync/dataverse.c): discovery then confirms them, and nothing of an environment is committed
 * before it has. One it no longer lists is read for nothing and shows what it showed; a discovery
 * that fails after the reads began commits nothing. Discovery is slowed (1.5 s) so that every early
 * read has its answer before discovery's (a failing one, 0.2 s a try). */
#include "config.h"
#include "syt.h"
#include "base/xalloc.h"
#include "core/model.h"
#include "store/cache.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct syt t;
static void stop(void) { syt_stop(&t); }

static const char *const envs[] = { "contoso-sales", "contoso-service", "contoso-field" };
#define N_ENVS (sizeof envs / sizeof *envs)

static void slow_discovery(int ms, const char *extra)
{
	char *body = xasprintf("{\"latency_ms\":%d,\"path\":\"/api/discovery/\"%s}", ms, extra ? extra : "");
	syt_control(&t, "POST", "faults", body);
	free(body);
}

/* Lines from `from` on whose path holds `path`, before the first Global Discovery answer. */
static size_t before_discovery(size_t from, const char *path)
{
	size_t n = 0;
	for (size_t i = from;; i++) {
		char *l = syt_log_find(&t, i, "\"path\"", 0);
		if (!l)
			return n;
		bool disco = strstr(l, "/api/discovery/") != NULL;
		n += strstr(l, path) != NULL;
		free(l);
		if (disco)
			return n;
	}
}

static cs_time refreshed_at(const char *unique_name)
{
	char *id = syt_env_id(&t, unique_name);
	struct cs_env e;
	struct cs_error err = { 0 };
	cr_assert_eq(cache_find_env(t.cache, id, &e, &err), 0, "%s", err.msg);
	cs_time at = e.refreshed_at;
	cs_env_free(&e);
	free(id);
	return at;
}

static void assert_purged(void)
{
	for (size_t i = 0; i < N_ENVS; i++) {
		char *id = syt_env_id(&t, envs[i]);
		cr_assert_eq(cache_rows_unseen(t.cache, id), 0, "%s keeps rows no reader sees", envs[i]);
		free(id);
	}
}

static void next_second(void)
{
	nanosleep(&(struct timespec){ .tv_sec = 1, .tv_nsec = 100 * 1000 * 1000 }, NULL);
}

static const struct refresh_opts no_details = { .no_details = true };

Test(discovery, the_known_environments_are_read_while_discovery_is_read, .fini = stop, .timeout = 90)
{
	syt_start(&t, "sandbox", NULL);
	size_t mark = syt_log_lines(&t);
	syt_refresh_ok(&t);
	/* A cache that knew nothing: every read comes after discovery's answer. */
	cr_assert_eq(before_discovery(mark, "/api/data/v9.2/chats"), 0);
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.05}");
	slow_discovery(1500, NULL);
	mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &no_details, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(before_discovery(mark, "/api/data/v9.2/chats"), N_ENVS, "the chats of every known environment");
	cr_assert_eq(before_discovery(mark, "/api/data/v9.2/$batch"), N_ENVS, "and the participants of its changed chats");
	cr_assert_eq(rep.envs_ok, N_ENVS);
	cr_assert(rep.delta_used);
	assert_purged();
	/* What the early reads committed is the tenant's: a full read shows the same. */
	size_t counts[N_ENVS];
	for (size_t i = 0; i < N_ENVS; i++) {
		char *id = syt_env_id(&t, envs[i]);
		counts[i] = syt_chat_count(&t, id);
		free(id);
	}
	syt_control(&t, "DELETE", "faults", NULL);
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .full = true, .no_details = true }, &rep, &err), 0, "%s",
		     err.msg);
	for (size_t i = 0; i < N_ENVS; i++) {
		char *id = syt_env_id(&t, envs[i]);
		cr_assert_eq(syt_chat_count(&t, id), counts[i], "%s", envs[i]);
		free(id);
	}
}

Test(discovery, an_environment_discovery_no_longer_lists_is_read_but_not_committed, .fini = stop, .timeout = 90)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	cs_time field_at = refreshed_at("contoso-field"), sales_at = refreshed_at("contoso-sales");
	char *field = syt_env_id(&t, "contoso-field");
	size_t field_chats = syt_chat_count(&t, field);
	next_second();
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.2}");
	syt_control(&t, "POST", "org", "{\"env\":\"contoso-field\",\"state\":1}");
	slow_discovery(1500, NULL);
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(&t, &no_details, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(before_discovery(mark, "/env/contoso-field/api/data/v9.2/chats"), 1, "it was read from the start");
	cr_assert_eq(rep.envs_ok, N_ENVS - 1, "%zu environments committed", rep.envs_ok);
	cr_assert_eq(rep.envs_failed, 0);
	cr_assert_eq(refreshed_at("contoso-field"), field_at, "the disabled environment was committed");
	cr_assert_eq(syt_chat_count(&t, field), field_chats);
	cr_assert_gt(refreshed_at("contoso-sales"), sales_at);
	assert_purged();
	free(field);
}

/* No .timeout here: with one, Criterion 2.4's runner leaks 48 bytes (LeakSanitizer) when this test
 * runs beside another; the transport's deadline ends a discovery that never answers. */
Test(discovery, a_discovery_that_fails_after_the_reads_began_commits_nothing, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	cs_time at[N_ENVS];
	size_t chats[N_ENVS];
	for (size_t i = 0; i < N_ENVS; i++) {
		at[i] = refreshed_at(envs[i]);
		char *id = syt_env_id(&t, envs[i]);
		chats[i] = syt_chat_count(&t, id);
		free(id);
	}
	next_second();
	syt_control(&t, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.2}");
	slow_discovery(200, ",\"p503\":1");
	size_t mark = syt_log_lines(&t);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_lt(syt_refresh(&t, &no_details, &rep, &err), 0, "the refresh succeeded without discovery");
	cr_assert(strstr(err.msg, "Global Discovery"), "%s", err.msg);
	cr_assert_geq(syt_log_count(&t, mark, "/api/data/v9.2/chats", NULL), N_ENVS, "the reads had begun");
	cr_assert_eq(rep.envs_ok, 0);
	for (size_t i = 0; i < N_ENVS; i++) {
		cr_assert_eq(refreshed_at(envs[i]), at[i], "%s was committed", envs[i]);
		char *id = syt_env_id(&t, envs[i]);
		cr_assert_eq(syt_chat_count(&t, id), chats[i], "%s", envs[i]);
		free(id);
	}
	assert_purged();
	syt_control(&t, "DELETE", "faults", NULL);
}
