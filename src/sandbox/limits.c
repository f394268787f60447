#include "config.h"
#include "sandbox/limits.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

struct window {
	double start, len;
	int count;
	int inflight;
	double spent;
};

struct sb_limits {
	bool on;
	double scale;
	pthread_mutex_t mu;
	struct sb_map keys;          /* key -> index into wins */
	struct window *wins;
	size_t n, cap;
};

struct sb_limits *sb_limits_new(bool on, double scale)
{
	struct sb_limits *l = xcalloc(1, sizeof *l);
	l->on = on;
	l->scale = scale > 0 ? scale : 1.0;
	pthread_mutex_init(&l->mu, NULL);
	sb_map_init(&l->keys, 64);
	return l;
}

void sb_limits_free(struct sb_limits *l)
{
	if (!l)
		return;
	sb_map_free(&l->keys);
	free(l->wins);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

bool sb_limits_on(const struct sb_limits *l)
{
	return l->on;
}

/* Call with mu held. */
static struct window *win_for(struct sb_limits *l, const char *key)
{
	uintptr_t i;
	if (sb_map_get(&l->keys, key, &i))
		return &l->wins[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->wins = xrealloc(l->wins, l->cap * sizeof *l->wins);
	}
	l->wins[l->n] = (struct window){ 0 };
	sb_map_put(&l->keys, key, l->n);
	return &l->wins[l->n++];
}

int sb_limit_take(struct sb_limits *l, const char *key, int max, double window)
{
	if (!l->on)
		return 0;
	int cap = (int)ceil(max * l->scale);
	if (cap < 1)
		cap = 1;
	double len = window * l->scale;
	if (len < 1)
		len = 1;
	double now = sb_mono();
	pthread_mutex_lock(&l->mu);
	struct window *w = win_for(l, key);
	if (now - w->start >= len) {
		w->start = now;
		w->count = 0;
	}
	int wait = 0;
	if (w->count >= cap) {
		wait = (int)ceil(w->start + len - now);
		if (wait < 1)
			wait = 1;
	} else {
		w->count++;
	}
	pthread_mutex_unlock(&l->mu);
	return wait;
}

int sb_limit_time_check(struct sb_limits *l, const char *key, double max, double window)
{
	if (!l->on)
		return 0;
	double len = window * l->scale, cap = max * l->scale;
	if (len < 1)
		len = 1;
	double now = sb_mono();
	pthread_mutex_lock(&l->mu);
	struct window *w = win_for(l, key);
	if (now - w->start >= len) {
		w->start = now;
		w->spent = 0;
	}
	w->len = len;
	int wait = 0;
	if (w->spent >= cap) {
		wait = (int)ceil(w->start + len - now);
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&l->mu);
	return wait;
}

void sb_limit_spend(struct sb_limits *l, const char *key, double seconds)
{
	pthread_mutex_lock(&l->mu);
	win_for(l, key)->spent += seconds;
	pthread_mutex_unlock(&l->mu);
}

bool sb_limit_enter(struct sb_limits *l, const char *key, int max)
{
	pthread_mutex_lock(&l->mu);
	struct window *w = win_for(l, key);
	bool ok = !l->on || w->inflight < max;
	if (ok)
		w->inflight++;
	pthread_mutex_unlock(&l->mu);
	return ok;
}

void sb_limit_leave(struct sb_limits *l, const char *key)
{
	pthread_mutex_lock(&l->mu);
	struct window *w = win_for(l, key);
	if (w->inflight > 0)
		w->inflight--;
	pthread_mutex_unlock(&l->mu);
}
