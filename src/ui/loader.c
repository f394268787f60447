/* The loader's thread: its own connection and one read snapshot for the environments, their counts
 * and every chat with its verdict, so what it hands over is one consistent picture of the cache. */
#include "config.h"
#include "ui/loader.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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

static void *run(void *arg)
{
	struct ui_loader *l = arg;
	struct cache *c = cache_open(l->path, CACHE_OPEN_READONLY, &l->err);
	l->rc = -1;
	if (c && cache_read_begin(c, &l->err) == 0 &&
	    ui_data_load_envs(&l->data, c, l->now, l->warn_hours, l->seen, &l->err) == 0) {
		atomic_store(&l->total, ui_data_chat_total(&l->data));
		if (ui_data_load_chats(&l->data, c, 0, 1, &l->done, &l->cancel, &l->err) == 0) {
			ui_data_finish(&l->data);
			l->rc = 0;
		}
	}
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
	if (rc == 0)
		*out = l->data;
	else {
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
