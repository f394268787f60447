/* The worker thread: the refresh and the toggle, with sign-in prompts and the toggle's question
 * handed over to the event loop. */
#include "config.h"
#include "ui/worker.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct ui_config *cfg;
	const struct conf_profile *profile;
	const char *cache_path;
	enum worker_kind kind;
	char *env;
	bool want;
	volatile sig_atomic_t cancel;
	/* posted under mu */
	struct worker_news news;
	bool device_shown;      /* a device code is up: the next progress means sign-in went on */
	bool waiting;           /* a question is out */
	int answer;
	char *answer_text;
	bool answered;
	bool done;
	int rc;
	struct cs_error err;
	struct toggle_result res;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void worker_plan_free(struct worker_plan *p)
{
	free(p->env);
	free(p->friendly);
	free(p->purpose);
	free(p->url);
	free(p->identity);
	memset(p, 0, sizeof *p);
}

void worker_news_free(struct worker_news *n)
{
	free(n->line);
	free(n->device_msg);
	free(n->device_code);
	free(n->device_uri);
	free(n->ask_what);
	worker_plan_free(&n->plan);
	memset(n, 0, sizeof *n);
}

/* Posts a line for the status line (and the message log). Called with mu not held. */
static void post_line(struct worker *w, const char *line)
{
	pthread_mutex_lock(&w->mu);
	free(w->news.line);
	w->news.line = xstrdup(line ? line : "");
	if (w->device_shown) {
		w->news.device_over = true;
		w->device_shown = false;
	}
	pthread_mutex_unlock(&w->mu);
}

static void on_progress(const struct refresh_progress *p, void *user)
{
	struct worker *w = user;
	char line[160];
	if (strcmp(p->phase, "dataverse") == 0)
		snprintf(line, sizeof line, _("refreshing: Dataverse %zu/%zu environments"), p->done, p->total);
	else if (strcmp(p->phase, "graph") == 0)
		snprintf(line, sizeof line, _("refreshing: Graph %zu/%zu chats (%lu throttled)"), p->done, p->total,
			 p->throttled);
	else if (strcmp(p->phase, "done") == 0)
		snprintf(line, sizeof line, "%s", _("refreshing: done"));
	else
		snprintf(line, sizeof line, _("refreshing: %s…"), p->phase);
	post_line(w, line);
	/* An environment was written (each in its own transaction): the console shows it now. */
	if ((strcmp(p->phase, "dataverse") == 0 && p->env) || strcmp(p->phase, "graph") == 0) {
		pthread_mutex_lock(&w->mu);
		w->news.reload = true;
		pthread_mutex_unlock(&w->mu);
	}
}

static void on_device_code(const char *message, const char *user_code, const char *uri, void *user)
{
	struct worker *w = user;
	log_info("console: device-code sign-in shown");
	pthread_mutex_lock(&w->mu);
	free(w->news.device_msg);
	free(w->news.device_code);
	free(w->news.device_uri);
	w->news.device = true;
	w->news.device_over = false;
	w->news.device_msg = dup_or_null(message);
	w->news.device_code = dup_or_null(user_code);
	w->news.device_uri = dup_or_null(uri);
	w->device_shown = true;
	pthread_mutex_unlock(&w->mu);
}

/* Puts a question out and waits for the loop's answer (or a cancel). Returns the answer. */
static int ask(struct worker *w, enum worker_ask kind, struct worker_plan *plan, const char *what, char *buf,
	       int size)
{
	pthread_mutex_lock(&w->mu);
	w->news.ask = kind;
	if (plan)
		w->news.plan = *plan;
	free(w->news.ask_what);
	w->news.ask_what = dup_or_null(what);
	w->answered = false;
	w->waiting = true;
	while (!w->answered && !w->cancel)
		pthread_cond_wait(&w->cv, &w->mu);
	int answer = w->answered ? w->answer : -1;
	if (buf && size > 0) {
		buf[0] = '\0';
		if (answer == 1 && w->answer_text) {
			snprintf(buf, (size_t)size, "%s", w->answer_text);
			answer = (int)strlen(buf);
		} else {
			answer = -1;
		}
	}
	if (w->answer_text) {
		memset(w->answer_text, 0, strlen(w->answer_text));
		free(w->answer_text);
		w->answer_text = NULL;
	}
	w->waiting = false;
	pthread_mutex_unlock(&w->mu);
	return answer;
}

static int on_passphrase(char *buf, int size, const char *what, void *user)
{
	return ask(user, WORKER_ASK_PASSPHRASE, NULL, what, buf, size);
}

static int on_confirm(const struct toggle_plan *p, void *user)
{
	struct worker *w = user;
	struct worker_plan plan = {
		.env = dup_or_null(p->env ? p->env->unique_name : NULL),
		.friendly = dup_or_null(p->env ? p->env->friendly_name : NULL),
		.purpose = dup_or_null(p->env ? p->env->purpose : NULL),
		.url = dup_or_null(p->env ? p->env->url : NULL),
		.old = p->old,
		.want = p->want,
		.identity = dup_or_null(p->identity),
		.delegated = p->delegated,
		.production = p->production,
		.unrecorded = p->unrecorded,
		.rsc_state = p->rsc_state,
		.round = p->round,
	};
	int answer = ask(w, p->production ? WORKER_ASK_NAME : WORKER_ASK_CONFIRM, &plan, NULL, NULL, 0);
	return answer == 1 ? 1 : 0;
}

static void on_note(const char *line, void *user)
{
	post_line(user, line);
}

static int run_refresh(struct worker *w, struct cache *cache, const struct session_hooks *hooks)
{
	const struct ui_config *cfg = w->cfg;
	struct net *net = NULL;
	if (!cfg->refresh_without_net) {
		net = session_net_open(w->profile, &w->cancel, hooks, &w->err);
		if (!net)
			return -1;
	}
	struct refresh_report rep;
	struct refresh_opts ro = { .progress = on_progress, .user = w };
	int rc = (cfg->refresh ? cfg->refresh : refresh_run)(net, cache, &ro, &rep, &w->err);
	session_net_close(net);
	if (rc && !w->err.msg[0])
		cs_fail(&w->err, CS_EXIT_NETWORK, "%s", _("some environments failed (see their REFRESHED column)"));
	return rc;
}

static int run_toggle(struct worker *w, struct cache *cache, const struct session_hooks *hooks)
{
	struct toggle_opts o = {
		.env = w->env,
		.want = w->want,
		.readonly = w->cfg->readonly,
		.confirm = on_confirm,
		.note = on_note,
		.user = w,
		.cancel = &w->cancel,
		.hooks = hooks,
	};
	return w->cfg->toggle(w->profile, cache, &o, &w->res, &w->err);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct session_hooks hooks = { .device_code = on_device_code, .passphrase = on_passphrase, .user = w };
	struct cs_error err = { 0 };
	int rc = -1;
	/* The console's connection belongs to its thread: this one opens its own. */
	struct cache *cache = cache_open(w->cache_path, 0, &err);
	if (!cache)
		w->err = err;
	else if (w->kind == WORKER_REFRESH)
		rc = run_refresh(w, cache, &hooks);
	else
		rc = run_toggle(w, cache, &hooks);
	cache_close(cache);
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	w->done = true;
	w->news.done = true;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* A result nobody asked for (the console quit during the toggle). */
struct worker *worker_start(const struct ui_config *cfg, const struct conf_profile *profile, const char *cache_path,
			    enum worker_kind kind, const char *env, bool want, struct cs_error *err)
{
	struct worker *w = xcalloc(1, sizeof *w);
	w->profile = profile;
	w->cache_path = cache_path;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->cfg = cfg;
	w->kind = kind;
	w->env = dup_or_null(env);
	w->want = want;
	/* Signals are the console's: the worker blocks them all, so they reach the loop's thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		cs_fail(err, CS_EXIT_USAGE, _("cannot start the console's worker: %s"), strerror(rc));
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w->env);
		free(w);
		return NULL;
	}
	return w;
}

enum worker_kind worker_kind(const struct worker *w)
{
	return w->kind;
}

void worker_poll(struct worker *w, struct worker_news *n)
{
	pthread_mutex_lock(&w->mu);
	*n = w->news;
	memset(&w->news, 0, sizeof w->news);
	/* done stays visible until joined. */
	w->news.done = w->done;
	pthread_mutex_unlock(&w->mu);
}

void worker_answer(struct worker *w, int answer, const char *text)
{
	pthread_mutex_lock(&w->mu);
	if (w->waiting) {
		w->answer = answer;
		free(w->answer_text);
		w->answer_text = dup_or_null(text);
		w->answered = true;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
}

void worker_cancel(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->cancel = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int worker_join(struct worker *w, struct cs_error *err, struct toggle_result *res)
{
	pthread_join(w->thread, NULL);
	int rc = w->rc;
	if (err)
		*err = w->err;
	if (res)
		*res = w->res;
	else
		toggle_result_free(&w->res);
	worker_news_free(&w->news);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->answer_text);
	free(w->env);
	free(w);
	return rc;
}
