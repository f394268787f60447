/* The context one refresh's phases share (sync-internal). refresh.c runs the phases in order
 * (discovery, dataverse.c, graph.c); each phase reads and writes this context and calls only down
 * (net/, api/, store/) and into refresh_ctx.c — never back into refresh.c or into another phase. */
#ifndef CHATSYNC_SYNC_REFRESH_CTX_H
#define CHATSYNC_SYNC_REFRESH_CTX_H
#include <stdatomic.h>
#include "sync/refresh.h"
#include "sync/strset.h"
#include "core/conf.h"
#include "core/model.h"

struct refresh {
	struct net *net;
	struct cache *cache;
	const struct conf_profile *profile;
	const struct refresh_opts *opts;
	struct refresh_report *rep;
	cs_time now;
	struct cs_error first_err;  /* the first environment's failure, as it came */
	bool have_err;
	struct strset changed;      /* Teams chat ids whose Dataverse rows changed in this run */
	struct strset ok_envs;      /* ids of the environments written in this run */
	/* The generation this run's Dataverse rows are written with: taken by the writer's first task
	 * once the cache's check has passed, and read only on the writer's thread until writer_stop.
	 * 0 when that task failed (gen_err says why): then nothing is written at all. */
	long long gen;
	struct cs_error gen_err;
	bool writes_refused;        /* the loop's thread's copy of that failure: no more requests */
	/* Dataverse rows parsed and not yet freed, and the most at once: the loop's thread parses, the
	 * writer's frees (a few pages at most, writer.h) */
	atomic_long rows_held, rows_held_max;
	struct vec purge;           /* char * ids of the environments whose unseen rows refresh_purge drops */
};

/* Reads the transport's counters into the report and hands the progress to the front end. */
void refresh_ctx_progress(struct refresh *r, const char *phase, const char *env, size_t done, size_t total);
/* Keeps the first failure (its exit code and sentence) for refresh_run's answer. */
void refresh_ctx_fail(struct refresh *r, const struct cs_error *e);
void refresh_ctx_free(struct refresh *r);
/* Counts rows parsed (n > 0) or written and freed (n < 0), keeping the most held at once (any thread). */
void refresh_ctx_hold(struct refresh *r, long n);
/* Adds item to buf's ", "-separated list once (what does not fit is left out). */
void refresh_ctx_list_add(char *buf, size_t n, const char *item);

/* Whether the refresh asks for the environment (--env names it, or names none); whether key names
 * it (its unique name, friendly name or id, in any case). */
bool refresh_wanted(const struct refresh_opts *o, const struct cs_env *e);
bool refresh_env_matches(const char *key, const struct cs_env *e);

/* Global Discovery's answer as refresh.c reads it (its request queued, answered on the loop's
 * thread): done once it came; rc -1 with err when it failed, or named an environment it does not
 * list; envs the environments the refresh reads (the phase may move them out). */
struct refresh_discovery {
	bool done;
	int rc;
	struct cs_env *envs;
	size_t n;
	struct cs_error err;
};

/* Phase 1 (dataverse.c): each environment's Dataverse rows, in parallel, each page written as it
 * comes with r->gen and each environment committed in one short transaction; the environments
 * committed are added to r->ok_envs. The environments the cache held (known, moved in) and the
 * refresh wants are read from the start, while discovery is read (d) and the cache is checked;
 * discovery then confirms them, drops those it no longer lists and adds the new ones. Nothing is
 * written before the check has passed, nor committed for an environment before discovery listed
 * it. Returns -1 when discovery failed, the cache is damaged, or the transport itself stopped
 * (cancel). */
int refresh_dataverse(struct refresh *r, struct cs_env *known, size_t n_known, struct refresh_discovery *d,
		      struct cs_error *err);
/* After the phases: drops the rows of r->purge's environments that no reader sees (superseded by a
 * full read, or written by a read that failed, was interrupted, or an earlier refresh left), also
 * after an interrupt, so that they never pile up. A purge that fails is logged: the rows stay unseen
 * and the next refresh drops them. */
void refresh_purge(struct refresh *r);
/* Phase 2 (graph.c): the tenant's RSC state and the Graph details of r->ok_envs's chats, riskiest
 * first, written in transactions of REFRESH_DETAIL_BATCH chats. */
int refresh_graph(struct refresh *r, struct cs_error *err);
#define REFRESH_DETAIL_BATCH 200

#endif
