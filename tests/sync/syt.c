#include "config.h"
#include "syt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "sync/session.h"
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void syt_use(struct syt *t, const char *profile)
{
	struct cs_error err = { 0 };
	t->p = conf_profile(&t->conf, profile, &err);
	cr_assert_not_null(t->p, "%s", err.msg);
}

void syt_start(struct syt *t, const char *profile, const char *const *sandbox_args)
{
	memset(t, 0, sizeof *t);
	sandbox_start(&t->sb, sandbox_args);
	char *state = xasprintf("%s/state", t->sb.dir), *home = xasprintf("%s/home", t->sb.dir);
	setenv("XDG_STATE_HOME", state, 1);
	setenv("HOME", home, 1);
	unsetenv("CHATSYNC_CLIENT_SECRET");
	free(state);
	free(home);
	struct cs_error err = { 0 };
	cr_assert_eq(session_load_conf(&t->conf, t->sb.config, &err), 0, "%s", err.msg);
	syt_use(t, profile);
	t->cache_path = xasprintf("%s/cache.db", t->sb.dir);
	t->cache = cache_open(t->cache_path, 0, &err);
	cr_assert_not_null(t->cache, "%s", err.msg);
}

void syt_stop(struct syt *t)
{
	cache_close(t->cache);
	conf_free(&t->conf);
	free(t->cache_path);
	sandbox_stop(&t->sb);
	memset(t, 0, sizeof *t);
}

int syt_refresh(struct syt *t, const struct refresh_opts *o, struct refresh_report *rep, struct cs_error *err)
{
	return refresh_profile(t->p, t->cache, &t->cancel, NULL, o, rep, err);
}

void syt_refresh_ok(struct syt *t)
{
	struct refresh_report rep;
	struct cs_error err = { 0 };
	cr_assert_eq(syt_refresh(t, &(struct refresh_opts){ 0 }, &rep, &err), 0, "%s", err.msg);
}

/* Calls fn on each log line from `from`; fn returns false to stop. */
static void each_line(struct syt *t, size_t from, bool (*fn)(const char *line, void *user), void *user)
{
	char *log = sandbox_request_log(&t->sb);
	size_t line = 0;
	for (char *p = log, *nl; p && *p; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line >= from && !fn(p, user))
			break;
	}
	free(log);
}

static bool count_any(const char *line, void *user)
{
	(void)line;
	(*(size_t *)user)++;
	return true;
}

size_t syt_log_lines(struct syt *t)
{
	size_t n = 0;
	each_line(t, 0, count_any, &n);
	return n;
}

struct match {
	const char *want[16];
	size_t n_want, count, nth;
	char *found;
};

static bool count_match(const char *line, void *user)
{
	struct match *m = user;
	for (size_t i = 0; i < m->n_want; i++)
		if (!strstr(line, m->want[i]))
			return true;
	if (m->count++ == m->nth && m->nth != (size_t)-1) {
		m->found = xstrdup(line);
		return false;
	}
	return true;
}

size_t syt_log_count(struct syt *t, size_t from, ...)
{
	struct match m = { .nth = (size_t)-1 };
	va_list ap;
	va_start(ap, from);
	for (const char *s; (s = va_arg(ap, const char *)) && m.n_want < 16;)
		m.want[m.n_want++] = s;
	va_end(ap);
	each_line(t, from, count_match, &m);
	return m.count;
}

char *syt_log_find(struct syt *t, size_t from, const char *needle, size_t nth)
{
	struct match m = { .want = { needle }, .n_want = 1, .nth = nth };
	each_line(t, from, count_match, &m);
	return m.found;
}

void syt_control(struct syt *t, const char *method, const char *path, const char *json)
{
	long status = 0;
	char *body = sandbox_control(&t->sb, method, path, json, &status);
	cr_assert(status >= 200 && status < 300, "%s %s: %ld %s", method, path, status, body);
	free(body);
}

static int count_chat(const struct cs_chat *ch, const struct cs_env *env, void *user)
{
	(void)ch;
	(void)env;
	(*(size_t *)user)++;
	return 0;
}

size_t syt_chat_count(struct syt *t, const char *env_id)
{
	size_t n = 0;
	struct cache_chat_filter f = { .env_id = env_id };
	cr_assert_eq(cache_each_chat(t->cache, &f, count_chat, &n, NULL), 0);
	return n;
}

static void count_fetch(const char *id, cs_time at, void *user)
{
	(void)id;
	(void)at;
	(*(size_t *)user)++;
}

size_t syt_graph_count(struct syt *t)
{
	size_t n = 0;
	cr_assert_eq(cache_each_graph_fetch(t->cache, count_fetch, &n, NULL), 0);
	return n;
}

char *syt_env_id(struct syt *t, const char *unique_name)
{
	struct cs_env e;
	struct cs_error err = { 0 };
	cr_assert_eq(cache_find_env(t->cache, unique_name, &e, &err), 0, "%s", err.msg);
	char *id = xstrdup(e.id);
	cs_env_free(&e);
	return id;
}
