/* The refresh's cache writer: a thread that runs cache writes in the order they were queued, so
 * that the transport's thread parses the next page while the last one is written (on the other
 * core), and keeps reading the sockets meanwhile. Everything a task touches besides the cache
 * belongs to the loop's thread, which hands it over at writer_push and gets it back in the task's
 * done callback, run by writer_reap on the loop's thread. While a writer runs, only it uses the
 * cache's connection. When no thread can be started, writer_push runs the task at once. */
#ifndef CHATSYNC_SYNC_WRITER_H
#define CHATSYNC_SYNC_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

struct cache;
struct writer;

/* Pages of rows waiting to be written at most; a push beyond it waits for the writer, so memory
 * holds at most this many pages of rows beside the one being parsed. */
#define WRITER_PAGES_MAX 4

struct writer_task {
	struct writer_task *next;
	/* Rows of a page: counts towards WRITER_PAGES_MAX, and is run inside a transaction with the
	 * pages queued right after it (one commit for them all; a failure fails them all). */
	bool page;
	/* On the writer's thread: the write (0 or -1 with err). */
	int (*run)(struct writer_task *t, struct cache *c, struct cs_error *err);
	/* On the loop's thread, in writer_reap: what follows the write; frees the task. */
	void (*done)(struct writer_task *t, int rc, const struct cs_error *err);
	int rc;
	struct cs_error err;
};

/* wake (any thread) makes the loop's wait return, so that it reaps soon after a task ends. */
struct writer *writer_start(struct cache *c, void (*wake)(void *), void *wake_user);
void writer_push(struct writer *w, struct writer_task *t);
/* Runs the done callbacks of the tasks written so far; returns how many tasks are not yet reaped. */
size_t writer_reap(struct writer *w);
/* Waits up to timeout_ms for a task to end (returns at once when one has ended unreaped). */
void writer_wait(struct writer *w, int timeout_ms);
/* Writes and reaps everything queued, then stops the thread. */
void writer_stop(struct writer *w);

#endif
