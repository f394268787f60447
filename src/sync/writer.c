/* The refresh's cache writer (writer.h): one thread, a queue of tasks in order, and a list of the
 * tasks written, which the loop's thread reaps. */
#include "config.h"
#include "sync/writer.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct list {
	struct writer_task *head, *tail;
};

struct writer {
	struct cache *cache;
	void (*wake)(void *);
	void *wake_user;
	bool threaded, stopping;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, space, ended;
	struct list todo, written;
	size_t pages;       /* page tasks queued or being written */
	size_t outstanding; /* tasks pushed and not yet reaped */
};

static void list_push(struct list *l, struct writer_task *t)
{
	t->next = NULL;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static struct writer_task *list_take_all(struct list *l)
{
	struct writer_task *t = l->head;
	l->head = l->tail = NULL;
	return t;
}

static void run_one(struct writer *w, struct writer_task *t)
{
	t->err = (struct cs_error){ 0 };
	t->rc = t->run(t, w->cache, &t->err);
}

/* Pages queued one after the other are written in one transaction: each transaction rewrites most
 * leaf pages of the tables' random-key indexes, whatever its number of rows. A failure fails every
 * page of the group, none of whose rows stay. */
static void run_group(struct writer *w, struct writer_task *first, size_t n)
{
	struct cs_error err = { 0 };
	int rc = cache_begin(w->cache, &err);
	struct writer_task *t = first;
	for (size_t i = 0; i < n; i++, t = t->next) {
		t->err = (struct cs_error){ 0 };
		t->rc = t->run(t, w->cache, &t->err); /* the rows are freed even when it is not run */
		if (t->rc && rc == 0) {
			err = t->err;
			rc = -1;
		}
	}
	if (rc == 0)
		rc = cache_commit(w->cache, &err); /* a failed commit rolls back */
	else
		cache_rollback(w->cache);
	for (t = first; rc && n--; t = t->next) {
		t->rc = -1;
		t->err = err;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->todo.head && !w->stopping)
			pthread_cond_wait(&w->work, &w->mu);
		struct writer_task *t = w->todo.head, *last = t;
		if (!t)
			break; /* stopping, and nothing left */
		size_t n = 1, pages = t->page;
		while (t->page && last->next && last->next->page) {
			last = last->next;
			n++;
			pages++;
		}
		w->todo.head = last->next;
		if (!w->todo.head)
			w->todo.tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (t->page)
			run_group(w, t, n);
		else
			run_one(w, t);
		pthread_mutex_lock(&w->mu);
		w->pages -= pages;
		if (pages)
			pthread_cond_signal(&w->space);
		for (struct writer_task *next; n--; t = next) {
			next = t->next;
			list_push(&w->written, t);
		}
		pthread_cond_broadcast(&w->ended);
		if (w->wake)
			w->wake(w->wake_user);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_start(struct cache *c, void (*wake)(void *), void *wake_user)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->cache = c;
	w->wake = wake;
	w->wake_user = wake_user;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->space, NULL);
	pthread_cond_init(&w->ended, NULL);
	int rc = pthread_create(&w->thread, NULL, writer_main, w);
	w->threaded = rc == 0;
	if (rc)
		log_info("cache writes stay on the transport's thread (no thread: %s)", strerror(rc));
	return w;
}

void writer_push(struct writer *w, struct writer_task *t)
{
	pthread_mutex_lock(&w->mu);
	w->outstanding++;
	if (!w->threaded) {
		pthread_mutex_unlock(&w->mu);
		if (t->page)
			run_group(w, t, 1);
		else
			run_one(w, t);
		pthread_mutex_lock(&w->mu);
		list_push(&w->written, t);
		pthread_mutex_unlock(&w->mu);
		return;
	}
	if (t->page) {
		while (w->pages >= WRITER_PAGES_MAX)
			pthread_cond_wait(&w->space, &w->mu);
		w->pages++;
	}
	list_push(&w->todo, t);
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

size_t writer_reap(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	struct writer_task *t = list_take_all(&w->written);
	pthread_mutex_unlock(&w->mu);
	size_t n = 0;
	for (struct writer_task *next; t; t = next, n++) {
		next = t->next;
		t->done(t, t->rc, &t->err); /* may push more */
	}
	pthread_mutex_lock(&w->mu);
	w->outstanding -= n;
	size_t left = w->outstanding;
	pthread_mutex_unlock(&w->mu);
	return left;
}

void writer_wait(struct writer *w, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->written.head && w->outstanding > 0)
		if (pthread_cond_timedwait(&w->ended, &w->mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	while (writer_reap(w) > 0)
		writer_wait(w, 1000);
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		w->stopping = true;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->space);
	pthread_cond_destroy(&w->ended);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
