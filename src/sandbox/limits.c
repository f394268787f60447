#include "config.h"
#include "sandbox/limits.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

/* A sliding window: what a key was charged in the last `len` seconds, oldest first, in a ring
 * that grows to what the window has ever held at once. The services say "N requests per second"
 * or "in a 5-minute sliding window"; counting from a window's first request and starting afresh
 * when it ends (a fixed window) would let 2N through in any second that straddles two windows,
 * and the sandbox must be as strict as the strictest honest reading. */
struct slide {
	double *at, *cost; /* time and cost of each charge (cost: 1 for a request, seconds for time) */
	size_t cap, first, n;
	double sum;
};

struct window {
	struct slide s;
	int inflight;
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
	for (size_t i = 0; i < l->n; i++) {
		free(l->wins[i].s.at);
		free(l->wins[i].s.cost);
	}
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

/* Forgets what left the window (now - len, now]. */
static void slide_expire(struct slide *s, double now, double len)
{
	while (s->n > 0 && s->at[s->first] <= now - len) {
		s->sum -= s->cost[s->first];
		s->first = (s->first + 1) % s->cap;
		s->n--;
	}
	if (s->n == 0)
		s->sum = 0; /* no rounding drift left behind */
}

static void slide_add(struct slide *s, double now, double cost)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		double *at = xcalloc(cap, sizeof *at), *c = xcalloc(cap, sizeof *c);
		for (size_t i = 0; i < s->n; i++) {
			at[i] = s->at[(s->first + i) % s->cap];
			c[i] = s->cost[(s->first + i) % s->cap];
		}
		free(s->at);
		free(s->cost);
		s->at = at, s->cost = c, s->cap = cap, s->first = 0;
	}
	size_t k = (s->first + s->n) % s->cap;
	s->at[k] = now;
	s->cost[k] = cost;
	s->n++;
	s->sum += cost;
}

/* Whole seconds (>= 1) until the window has dropped enough of its oldest charges to hold less
 * than cap again. */
static int slide_wait(const struct slide *s, double now, double len, double cap)
{
	double sum = s->sum, until = now;
	for (size_t i = 0; i < s->n && sum >= cap; i++) {
		size_t k = (s->first + i) % s->cap;
		sum -= s->cost[k];
		until = s->at[k] + len;
	}
	int wait = (int)ceil(until - now);
	return wait < 1 ? 1 : wait;
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
	struct slide *s = &win_for(l, key)->s;
	slide_expire(s, now, len);
	int wait = 0;
	if (s->n >= (size_t)cap) {
		/* the request that makes room is the cap-th last one: it leaves at its time + len */
		double until = s->at[(s->first + s->n - (size_t)cap) % s->cap] + len;
		wait = (int)ceil(until - now);
		if (wait < 1)
			wait = 1;
	} else {
		slide_add(s, now, 1);
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
	slide_expire(&w->s, now, len);
	int wait = w->s.sum >= cap ? slide_wait(&w->s, now, len, cap) : 0;
	pthread_mutex_unlock(&l->mu);
	return wait;
}

void sb_limit_spend(struct sb_limits *l, const char *key, double seconds)
{
	if (!l->on)
		return; /* nothing would ever expire it */
	pthread_mutex_lock(&l->mu);
	slide_add(&win_for(l, key)->s, sb_mono(), seconds);
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
