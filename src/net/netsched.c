/* The scheduler: which queued request may start next, in O(log n) per request and never by walking
 * the queue. Requests with the same bucket and host share a pacing chain, so they wait in one lane
 * (FIFO): only a lane's first request is ever priced. A lane that cannot go waits on the one bucket
 * that blocks it (the bucket's pace_waitq); the bucket wakes its lanes when its time comes (a heap
 * of buckets by wake time) or when one of its requests completes. Requests that must not start yet
 * (retries, delays) wait in a heap by start time. Calls pace.c alone. */
#include "config.h"
#include "net/netint.h"
#include <stdlib.h>
#include <string.h>

/* One chain's line of requests. */
struct lane {
	char *key;
	struct lane *hnext;          /* hash chain */
	struct lane *qnext;          /* next in the runnable list or in a bucket's waiting line */
	struct net_req *head, *tail; /* via lprev/lnext */
	struct pace_chain chain;
	enum { LANE_IDLE, LANE_RUNNABLE, LANE_WAITING } state;
};

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* ---- heaps (binary, by time) ---- */

static double req_key(const void *p) { return ((const struct net_req *)p)->not_before; }
static size_t *req_pos(void *p) { return &((struct net_req *)p)->heap_pos; }
static double wq_key(const void *p) { return ((const struct pace_waitq *)p)->wake; }
static size_t *wq_pos(void *p) { return &((struct pace_waitq *)p)->heap_pos; }

struct heap_ops {
	double (*key)(const void *);
	size_t *(*pos)(void *);
};
static const struct heap_ops req_ops = { req_key, req_pos }, wq_ops = { wq_key, wq_pos };

static void heap_set(struct net_heap *h, const struct heap_ops *o, size_t i, void *item)
{
	h->items[i] = item;
	*o->pos(item) = i;
}

static void heap_up(struct net_heap *h, const struct heap_ops *o, size_t i)
{
	void *item = h->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (o->key(h->items[parent]) <= o->key(item))
			break;
		heap_set(h, o, i, h->items[parent]);
		i = parent;
	}
	heap_set(h, o, i, item);
}

static void heap_down(struct net_heap *h, const struct heap_ops *o, size_t i)
{
	void *item = h->items[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && o->key(h->items[c + 1]) < o->key(h->items[c]))
			c++;
		if (o->key(item) <= o->key(h->items[c]))
			break;
		heap_set(h, o, i, h->items[c]);
		i = c;
	}
	heap_set(h, o, i, item);
}

static void heap_push(struct net_heap *h, const struct heap_ops *o, void *item)
{
	h->items = xgrow(h->items, &h->cap, h->n, sizeof *h->items);
	h->items[h->n] = item;
	*o->pos(item) = h->n;
	heap_up(h, o, h->n++);
}

static void heap_remove(struct net_heap *h, const struct heap_ops *o, size_t i)
{
	void *last = h->items[--h->n];
	if (i == h->n)
		return;
	heap_set(h, o, i, last);
	heap_up(h, o, i);
	heap_down(h, o, *o->pos(last));
}

/* ---- lanes ---- */

static struct lane *lane_for(struct net_sched *s, struct net_req *r)
{
	if (r->lane)
		return r->lane;
	char *key = xasprintf("%s\x1f%s", r->bucket ? r->bucket : "", r->host ? r->host : "");
	if (s->n_lanes + 1 > s->n_slots * 3 / 4) {
		size_t n = s->n_slots ? s->n_slots * 2 : 256;
		struct lane **slots = xcalloc(n, sizeof *slots);
		for (size_t i = 0; i < s->n_slots; i++)
			for (struct lane *l = s->slots[i], *next; l; l = next) {
				next = l->hnext;
				size_t k = hash_key(l->key) & (n - 1);
				l->hnext = slots[k];
				slots[k] = l;
			}
		free(s->slots);
		s->slots = slots;
		s->n_slots = n;
	}
	size_t k = hash_key(key) & (s->n_slots - 1);
	for (struct lane *l = s->slots[k]; l; l = l->hnext)
		if (strcmp(l->key, key) == 0) {
			free(key);
			return r->lane = l;
		}
	struct lane *l = xcalloc(1, sizeof *l);
	l->key = key;
	l->chain = r->chain;
	l->hnext = s->slots[k];
	s->slots[k] = l;
	s->n_lanes++;
	return r->lane = l;
}

static void runnable_push(struct net_sched *s, struct lane *l)
{
	l->state = LANE_RUNNABLE;
	l->qnext = NULL;
	if (s->run_tail)
		s->run_tail->qnext = l;
	else
		s->run_head = l;
	s->run_tail = l;
}

static struct lane *runnable_pop(struct net_sched *s)
{
	struct lane *l = s->run_head;
	if (l) {
		s->run_head = l->qnext;
		if (!s->run_head)
			s->run_tail = NULL;
		l->qnext = NULL;
	}
	return l;
}

static void lane_put(struct net_sched *s, struct lane *l, struct net_req *r, bool front)
{
	r->lprev = r->lnext = NULL;
	if (!l->head) {
		l->head = l->tail = r;
	} else if (front) {
		r->lnext = l->head;
		l->head->lprev = r;
		l->head = r;
	} else {
		r->lprev = l->tail;
		l->tail->lnext = r;
		l->tail = r;
	}
	r->sched = NET_SCHED_LANE;
	if (l->state == LANE_IDLE)
		runnable_push(s, l);
}

static void lane_unlink(struct lane *l, struct net_req *r)
{
	if (r->lprev)
		r->lprev->lnext = r->lnext;
	else
		l->head = r->lnext;
	if (r->lnext)
		r->lnext->lprev = r->lprev;
	else
		l->tail = r->lprev;
	r->lprev = r->lnext = NULL;
	r->sched = NET_SCHED_NONE;
}

/* ---- buckets' waiting lines ---- */

static void arm(struct net_sched *s, struct pace_waitq *q, double wake)
{
	if (q->armed) {
		if (wake >= q->wake)
			return;
		q->wake = wake;
		heap_up(&s->buckets, &wq_ops, q->heap_pos);
		return;
	}
	q->wake = wake;
	q->armed = true;
	heap_push(&s->buckets, &wq_ops, q);
}

/* Gives the first lane waiting on bucket b its turn if b has room now, or arms b's wake. */
static void kick(struct net_sched *s, struct pace_bucket *b, double now)
{
	struct pace_waitq *q = pace_bucket_waitq(b);
	struct lane *l = q->head;
	if (!l)
		return;
	double w = pace_bucket_wait(b, now);
	if (w > 0) {
		arm(s, q, now + w);
	} else if (w == 0) {
		q->head = l->qnext;
		if (!q->head)
			q->tail = NULL;
		runnable_push(s, l);
	} /* else full: a completion kicks it */
}

static void wait_on(struct net_sched *s, struct lane *l, struct pace_bucket *b, double wait, double now)
{
	struct pace_waitq *q = pace_bucket_waitq(b);
	l->state = LANE_WAITING;
	l->qnext = NULL;
	if (q->tail)
		((struct lane *)q->tail)->qnext = l;
	else
		q->head = l;
	q->tail = l;
	if (wait > 0)
		arm(s, q, now + wait);
}

static void kick_chain(struct net_sched *s, const struct pace_chain *c, double now)
{
	for (int i = 0; i < c->n; i++)
		kick(s, c->b[i], now);
}

/* ---- the scheduler's interface ---- */

void netsched_add(struct net_sched *s, struct net_req *r, double now, bool front)
{
	struct lane *l = lane_for(s, r);
	if (r->not_before > now) {
		r->front = front;
		r->sched = NET_SCHED_TIMER;
		heap_push(&s->timers, &req_ops, r);
	} else {
		lane_put(s, l, r, front);
	}
}

void netsched_remove(struct net_sched *s, struct net_req *r)
{
	if (r->sched == NET_SCHED_TIMER) {
		heap_remove(&s->timers, &req_ops, r->heap_pos);
		r->sched = NET_SCHED_NONE;
	} else if (r->sched == NET_SCHED_LANE) {
		lane_unlink(r->lane, r);
	}
}

struct net_req *netsched_next(struct net_sched *s, double now)
{
	while (s->timers.n > 0 && req_key(s->timers.items[0]) <= now) {
		struct net_req *r = s->timers.items[0];
		heap_remove(&s->timers, &req_ops, 0);
		lane_put(s, r->lane, r, r->front);
	}
	while (s->buckets.n > 0 && wq_key(s->buckets.items[0]) <= now) {
		struct pace_waitq *q = s->buckets.items[0];
		heap_remove(&s->buckets, &wq_ops, 0);
		q->armed = false;
		struct lane *l = q->head;
		if (l) { /* the bucket's time has come: its first lane tries again */
			q->head = l->qnext;
			if (!q->head)
				q->tail = NULL;
			runnable_push(s, l);
		}
	}
	struct lane *l;
	while ((l = runnable_pop(s)) != NULL) {
		struct net_req *r = l->head;
		if (!r) {
			l->state = LANE_IDLE;
			kick_chain(s, &l->chain, now); /* others behind the same buckets may go */
			continue;
		}
		struct pace_bucket *b;
		atomic_fetch_add(&s->checks, 1);
		double w = pace_wait_blocker(&l->chain, now, &b);
		if (w != 0) {
			wait_on(s, l, b, w, now);
			kick_chain(s, &l->chain, now);
			continue;
		}
		lane_unlink(l, r);
		runnable_push(s, l); /* round robin: the lane's next request after the others' */
		return r;
	}
	return NULL;
}

void netsched_completed(struct net_sched *s, const struct pace_chain *c, double now)
{
	kick_chain(s, c, now);
}

double netsched_timeout(const struct net_sched *s, double now)
{
	if (s->run_head)
		return 0;
	double next = -1;
	if (s->timers.n > 0)
		next = req_key(s->timers.items[0]) - now;
	if (s->buckets.n > 0) {
		double b = wq_key(s->buckets.items[0]) - now;
		if (next < 0 || b < next)
			next = b;
	}
	return next < 0 ? -1 : next > 0 ? next : 0;
}

void netsched_free(struct net_sched *s)
{
	for (size_t i = 0; i < s->n_slots; i++)
		for (struct lane *l = s->slots[i], *next; l; l = next) {
			next = l->hnext;
			free(l->key);
			free(l);
		}
	free(s->slots);
	free(s->timers.items);
	free(s->buckets.items);
	memset(s, 0, sizeof *s);
}
