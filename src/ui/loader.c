/* The loader's threads. The first opens a connection and a read snapshot for the environments,
 * their counts and its part of the chats; on a large cache a helper reads the other part on a
 * connection and snapshot of its own, on the other core. The two snapshots are the same when no
 * commit came between their starts, which a third connection's data_version tells (it is read
 * before the first starts and after the second did); when one did, the first thread reads the
 * helper's part itself, in its own snapshot. Either way what is handed over is one picture of the
 * cache. */
#include "config.h"
#include "ui/loader.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Below this many chats one thread is quick enough, and a second connection costs more than it gives. */
#define HELPER_FROM 20000

struct ui_loader {
	pthread_t thread;
	char *path;
	cs_time now, seen;
	int warn_hours;
	atomic_size_t done, total;
	atomic_bool cancel, finished;
	/* the thread's, read by the loop once finished is set */
	int rc;
	struct cs_error err;
	struct ui_data data;
};

/* The helper: part 1 of 2, into a data of its own that borrows the first thread's environments. */
struct helper {
	pthread_t thread;
	struct ui_loader *l;
	struct ui_data data;
	atomic_bool started;    /* its snapshot is taken (or it gave up) */
	int rc;
	struct cs_error err;
};

static void *help(void *arg)
{
	struct helper *h = arg;
	struct cache *c = cache_open(h->l->path, CACHE_OPEN_READONLY, &h->err);
	h->rc = -1;
	if (c && cache_read_begin(c, &h->err) == 0) {
		atomic_store(&h->started, true);
		h->rc = ui_data_load_chats(&h->data, c, 1, 2, &h->l->done, &h->l->cancel, &h->err);
	}
	atomic_store(&h->started, true);
	if (c)
		cache_read_end(c);
	cache_close(c);
	return NULL;
}

/* Reads the chats of d (environments loaded on c): with a helper when there are many. */
static int load_chats(struct ui_loader *l, struct ui_data *d, struct cache *c, struct cache *probe, long long before,
		      struct cs_error *err)
{
	struct helper *h = NULL;
	if (probe && before >= 0 && ui_data_chat_total(d) >= HELPER_FROM) {
		h = xcalloc(1, sizeof *h);
		h->l = l;
		h->data.envs = d->envs;
		h->data.n_envs = d->n_envs;
		h->data.now = d->now;
		h->data.warn_hours = d->warn_hours;
		atomic_init(&h->started, false);
		if (pthread_create(&h->thread, NULL, help, h) != 0) {
			free(h);
			h = NULL;
		}
	}
	bool same = false;
	if (h) {
		while (!atomic_load(&h->started))
			sched_yield();
		same = cache_data_version(probe) == before;
	}
	int rc = ui_data_load_chats(d, c, 0, h ? 2 : 1, &l->done, &l->cancel, err);
	if (h) {
		pthread_join(h->thread, NULL);
		/* The environments were only lent. */
		h->data.envs = NULL;
		h->data.n_envs = 0;
		if (rc == 0 && same && h->rc == 0) {
			ui_data_take_chats(d, &h->data);
		} else {
			if (rc == 0 && !atomic_load(&l->cancel))
				log_info("console: the cache changed while it was read: its second half is read again");
			ui_data_free(&h->data);
			if (rc == 0)
				rc = ui_data_load_chats(d, c, 1, 2, &l->done, &l->cancel, err);
		}
		free(h);
	}
	return rc;
}

static void *run(void *arg)
{
	struct ui_loader *l = arg;
	struct cs_error ignored = { 0 };
	struct cache *c = cache_open(l->path, CACHE_OPEN_READONLY, &l->err);
	struct cache *probe = c ? cache_open(l->path, CACHE_OPEN_READONLY, &ignored) : NULL;
	long long before = probe ? cache_data_version(probe) : -1;
	l->rc = -1;
	if (c && cache_read_begin(c, &l->err) == 0 &&
	    ui_data_load_envs(&l->data, c, l->now, l->warn_hours, l->seen, &l->err) == 0) {
		atomic_store(&l->total, ui_data_chat_total(&l->data));
		if (load_chats(l, &l->data, c, probe, before, &l->err) == 0) {
			ui_data_finish(&l->data);
			l->rc = 0;
		}
	}
	cache_close(probe);
	if (c)
		cache_read_end(c);
	cache_close(c);
	atomic_store(&l->finished, true);
	return NULL;
}

struct ui_loader *ui_loader_start(const char *path, cs_time now, int warn_hours, cs_time seen, struct cs_error *err)
{
	struct ui_loader *l = xcalloc(1, sizeof *l);
	l->path = xstrdup(path);
	l->now = now;
	l->warn_hours = warn_hours;
	l->seen = seen;
	atomic_init(&l->done, 0);
	atomic_init(&l->total, 0);
	atomic_init(&l->cancel, false);
	atomic_init(&l->finished, false);
	if (pthread_create(&l->thread, NULL, run, l) != 0) {
		free(l->path);
		free(l);
		cs_fail(err, CS_EXIT_CACHE, "%s", _("the console could not start a thread to read the cache (try again)"));
		return NULL;
	}
	return l;
}

void ui_loader_progress(struct ui_loader *l, size_t *done, size_t *total)
{
	*done = atomic_load(&l->done);
	*total = atomic_load(&l->total);
}

bool ui_loader_done(struct ui_loader *l)
{
	return atomic_load(&l->finished);
}

int ui_loader_finish(struct ui_loader *l, struct ui_data *out, struct cs_error *err)
{
	pthread_join(l->thread, NULL);
	int rc = l->rc;
	if (rc == 0) {
		*out = l->data;
	} else {
		*err = l->err;
		ui_data_free(&l->data);
	}
	free(l->path);
	free(l);
	return rc;
}

void ui_loader_cancel(struct ui_loader *l)
{
	if (!l)
		return;
	atomic_store(&l->cancel, true);
	struct cs_error ignored = { 0 };
	struct ui_data data;
	if (ui_loader_finish(l, &data, &ignored) == 0)
		ui_data_free(&data);
}
