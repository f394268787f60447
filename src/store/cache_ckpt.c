/* The WAL copied back into the database by a thread of its own while a refresh writes many pages
 * (cache.h: cache_ckpt_start). SQLite's own checkpoint runs inside the commit that crossed its
 * 1000-page mark, on the writing thread; here that commit only tells the thread, which checkpoints on
 * a connection of its own. PASSIVE checkpoints never wait for the writer and never hold it up: they
 * copy what was committed, and the writer starts the WAL over once one has copied it all. */
#include "config.h"
#include "store/cache.h"
#include "store/internal.h"
#include "base/log.h"
#include "base/xalloc.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* SQLite's default mark (wal_autocheckpoint), which cache_ckpt_stop gives back. */
#define CKPT_PAGES 1000

struct cache_ckpt {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pages; /* in the WAL after the last commit, when at or past the mark */
	bool stop;
};

static int on_commit(void *user, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	struct cache_ckpt *k = user;
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&k->mu);
		k->pages = pages;
		pthread_cond_signal(&k->cv);
		pthread_mutex_unlock(&k->mu);
	}
	return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
	struct cache_ckpt *k = arg;
	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!k->stop && k->pages == 0)
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->stop)
			break;
		k->pages = 0;
		pthread_mutex_unlock(&k->mu);
		int rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_debug("cache: a checkpoint beside the refresh failed: %s", sqlite3_errmsg(k->db));
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

void cache_ckpt_start(struct cache *c)
{
	if (c->ckpt)
		return;
	struct cache_ckpt *k = xcalloc(1, sizeof *k);
	if (sqlite3_open_v2(c->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_debug("cache %s: checkpoints stay with the writer (no second connection: %s)", c->path,
			  k->db ? sqlite3_errmsg(k->db) : "out of memory");
		sqlite3_close(k->db);
		free(k);
		return;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pthread_create(&k->thread, NULL, ckpt_main, k) != 0) {
		log_debug("cache %s: checkpoints stay with the writer (no thread)", c->path);
		pthread_cond_destroy(&k->cv);
		pthread_mutex_destroy(&k->mu);
		sqlite3_close(k->db);
		free(k);
		return;
	}
	c->ckpt = k;
	sqlite3_wal_hook(c->db, on_commit, k); /* in place of wal_autocheckpoint's */
}

void cache_ckpt_stop(struct cache *c)
{
	struct cache_ckpt *k = c ? c->ckpt : NULL;
	if (!k)
		return;
	sqlite3_wal_autocheckpoint(c->db, CKPT_PAGES); /* SQLite's own hook again */
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	sqlite3_close(k->db);
	free(k);
	c->ckpt = NULL;
}
