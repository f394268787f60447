/* The refresh's writer (sync/writer.c): tasks run in the order pushed, on a thread other than the
 * pusher's; their done callbacks run on the thread that reaps, in the same order; no more than
 * WRITER_PAGES_MAX pages wait or are written at once; pages queued together share one transaction,
 * and fail together; writer_stop runs and reaps everything. On a real cache file. */
#include "config.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sync/writer.h"
#include "store/cache.h"
#include "base/xalloc.h"
#include "run.h"

static char *dir;
static struct cache *cache;

static void setup(void)
{
	dir = run_tmpdir();
	char *db = xasprintf("%s/w.db", dir);
	struct cs_error err = { 0 };
	cache = cache_open(db, 0, &err);
	cr_assert_not_null(cache, "%s", err.msg);
	free(db);
}
static void teardown(void)
{
	cache_close(cache);
	run_rmtree(dir);
	free(dir);
}
TestSuite(writer, .init = setup, .fini = teardown);

struct probe {
	struct writer_task t;
	int n;
	bool fail;
	struct state *s;
};

struct state {
	pthread_t pusher;
	atomic_int ran, pushed_pages, written_pages, most_waiting;
	int order[64], n_order, done_order[64], n_done, done_rc[64];
	char done_err[64][1100];
	bool ran_on_pusher, done_off_pusher;
};

static void nap_ms(int ms)
{
	nanosleep(&(struct timespec){ .tv_nsec = (long)ms * 1000000L }, NULL);
}

static int probe_run(struct writer_task *wt, struct cache *c, struct cs_error *err)
{
	(void)c;
	(void)err;
	struct probe *p = (struct probe *)wt;
	struct state *s = p->s;
	if (pthread_equal(pthread_self(), s->pusher))
		s->ran_on_pusher = true;
	nap_ms(2); /* the pusher, whose push returned, counts it */
	int waiting = atomic_load(&s->pushed_pages) - atomic_load(&s->written_pages);
	int most = atomic_load(&s->most_waiting);
	if (waiting > most)
		atomic_store(&s->most_waiting, waiting);
	s->order[s->n_order++] = p->n;
	nap_ms(5); /* slower than the pusher: the queue fills */
	if (wt->page)
		atomic_fetch_add(&s->written_pages, 1);
	atomic_fetch_add(&s->ran, 1);
	if (p->fail)
		cs_fail(err, 4, "task %d failed", p->n);
	return p->fail ? -1 : 0;
}

static void probe_done(struct writer_task *wt, int rc, const struct cs_error *err)
{
	(void)err;
	struct probe *p = (struct probe *)wt;
	struct state *s = p->s;
	if (!pthread_equal(pthread_self(), s->pusher))
		s->done_off_pusher = true;
	s->done_rc[p->n] = rc;
	snprintf(s->done_err[p->n], sizeof s->done_err[p->n], "%s", err->msg);
	s->done_order[s->n_done++] = p->n;
	free(p);
}

static void push_probe(struct writer *w, struct state *s, int n, bool page, bool fail)
{
	struct probe *p = calloc(1, sizeof *p);
	*p = (struct probe){ .t = { .page = page, .run = probe_run, .done = probe_done }, .n = n, .fail = fail, .s = s };
	writer_push(w, &p->t); /* returns once the page has room */
	if (page)
		atomic_fetch_add(&s->pushed_pages, 1);
}

static void push(struct writer *w, struct state *s, int n, bool page)
{
	push_probe(w, s, n, page, false);
}

Test(writer, tasks_run_in_order_off_the_loop_and_pages_wait_for_room, .timeout = 30)
{
	static struct state s;
	s.pusher = pthread_self();
	struct writer *w = writer_start(cache, NULL, NULL);
	for (int i = 0; i < 40; i++)
		push(w, &s, i, i % 5 != 4); /* every fifth is not a page (an environment's commit) */
	/* what has been written so far is reaped here, the rest by stop */
	writer_wait(w, 1000);
	cr_assert_gt(writer_reap(w) + (size_t)s.n_done, 0);
	writer_stop(w);
	cr_assert_eq(atomic_load(&s.ran), 40);
	cr_assert_eq(s.n_done, 40, "%d of 40 done callbacks ran", s.n_done);
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(s.order[i], i, "task %d ran in place %d", s.order[i], i);
		cr_assert_eq(s.done_order[i], i, "task %d was reaped in place %d", s.done_order[i], i);
		cr_assert_eq(s.done_rc[i], 0, "task %d: %s", i, s.done_err[i]);
	}
	cr_assert_not(s.ran_on_pusher, "a task ran on the pushing thread");
	cr_assert_not(s.done_off_pusher, "a done callback ran off the reaping thread");
	/* the one being written counts: at most WRITER_PAGES_MAX pushed and not yet written */
	cr_assert_leq(atomic_load(&s.most_waiting), WRITER_PAGES_MAX, "%d pages were waiting at once",
		      atomic_load(&s.most_waiting));
	cr_assert_geq(atomic_load(&s.most_waiting), 1);
}

static void count_wake(void *user)
{
	atomic_fetch_add((atomic_int *)user, 1);
}

Test(writer, each_written_task_wakes_the_loop, .timeout = 30)
{
	static struct state s;
	static atomic_int wakes;
	s.pusher = pthread_self();
	struct writer *w = writer_start(cache, count_wake, &wakes);
	push(w, &s, 0, true);
	push(w, &s, 1, false);
	while (atomic_load(&s.ran) < 2)
		nap_ms(1);
	writer_wait(w, 1000); /* returns at once: there is something to reap */
	cr_assert_eq(writer_reap(w), 0, "nothing should be left after both were written and reaped");
	cr_assert_eq(atomic_load(&wakes), 2);
	writer_stop(w);
	cr_assert_eq(s.n_done, 2);
}

/* Task 1 waits on a page the test holds back, so pages 2-4 queue up behind it and are written as
 * one group; page 3 fails, so 2 and 4 fail with its error and their transaction is rolled back;
 * the task after the group (5, not a page) and the page after it (6) are not affected. */
static atomic_bool release;
_Static_assert(WRITER_PAGES_MAX >= 4, "the test queues four pages while the writer is held");
static int gate_run(struct writer_task *wt, struct cache *c, struct cs_error *err)
{
	while (!atomic_load(&release))
		nap_ms(1);
	return probe_run(wt, c, err);
}

Test(writer, pages_queued_together_commit_and_fail_together, .timeout = 30)
{
	static struct state s;
	s.pusher = pthread_self();
	struct writer *w = writer_start(cache, NULL, NULL);
	struct probe *gate = calloc(1, sizeof *gate);
	*gate = (struct probe){ .t = { .run = gate_run, .done = probe_done }, .n = 0, .s = &s };
	writer_push(w, &gate->t);
	push(w, &s, 1, false);
	push_probe(w, &s, 2, true, false);
	push_probe(w, &s, 3, true, true);
	push_probe(w, &s, 4, true, false);
	push(w, &s, 5, false);
	push(w, &s, 6, true);
	atomic_store(&release, true);
	writer_stop(w);
	cr_assert_eq(s.n_done, 7);
	for (int i = 0; i < 7; i++) {
		bool failed = i >= 2 && i <= 4;
		cr_assert_eq(s.done_rc[i], failed ? -1 : 0, "task %d answered %d", i, s.done_rc[i]);
		if (failed)
			cr_assert_str_eq(s.done_err[i], "task 3 failed", "task %d: \"%s\"", i, s.done_err[i]);
	}
	/* the group's transaction is over: the cache takes the next one */
	struct cs_error err = { 0 };
	cr_assert_eq(cache_begin(cache, &err), 0, "%s", err.msg);
	cr_assert_eq(cache_commit(cache, &err), 0, "%s", err.msg);
}
