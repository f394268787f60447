/* The Dataverse phase's jobs, collections and pages (sync-internal: dataverse.c runs them,
 * dv_rows.c parses, writes and frees each collection's rows). */
#ifndef CHATSYNC_SYNC_DATAVERSE_H
#define CHATSYNC_SYNC_DATAVERSE_H
#include "api/dv_parse.h"
#include "core/model.h"
#include "store/cache.h"
#include "sync/refresh_ctx.h"
#include "sync/writer.h"

struct job;
struct collection;
struct page_task;

/* What differs between the collections: how a page is parsed into rows (on the loop's thread, which
 * also keeps what a delta read changed), how they are written (on the writer's thread, inside the
 * page's transaction) and freed. */
struct coll_ops {
	const char *what;   /* for the log */
	enum cache_rows table;
	int (*parse)(struct collection *c, const char *body, struct dv_page *page, struct page_task *t,
		     struct cs_error *err);
	int (*write)(const struct page_task *t, struct cache *cache, struct cs_error *err);
	void (*free_rows)(struct page_task *t);
};

/* One OData collection being read: what it wrote, the ids a delta read listed as deleted or changed,
 * and its delta link. */
struct collection {
	struct job *j;
	const struct coll_ops *ops;
	bool tracked;         /* read from a kept delta link: rows are changes, not everything */
	bool optional;        /* its failure does not fail the environment (sync errors) */
	bool failed;
	char *(*full_url)(const struct cs_env *env); /* a full read, after a refused delta link */
	const char *const *headers;                  /* of the first page of a full read */
	void (*on_end)(struct collection *c);        /* after the last page */
	size_t n_rows;                               /* written in this refresh */
	struct vec deleted, changed;                 /* char * ids (a delta read's) */
	char *delta_link;
};

struct job {
	struct refresh *r;
	struct writer *w;
	struct cs_env env;
	char *bucket;
	int pending;         /* requests in flight and writes not yet reaped */
	bool failed;
	/* Read from the start of the refresh (the cache held it) until Global Discovery confirms it
	 * (what it shows of the environment is discovery's, its commit may go) or drops it (nothing of
	 * it is committed: its rows are purged). */
	enum { JOB_EARLY, JOB_CONFIRMED, JOB_DROPPED } state;
	bool finished;       /* its end is handled: committed or recorded, or dropped */
	char *moved_url;     /* the address discovery gave, when not the one it was read from */
	bool parties_full;   /* every participant of the environment is being read */
	int party_seq;       /* participants in the order they came */
	struct cs_error err;
	struct collection chats, parties, assocs, errors;
};

/* A page's rows on their way to the writer. */
struct page_task {
	struct writer_task t;
	struct collection *c;
	const char *env_id; /* the job's, which outlives the task */
	long long gen;
	size_t n;
	void *rows;  /* the collection's row type */
	char **keys; /* participants: their activities; sync errors: what they are about */
	int seq;     /* participants: the first one's place */
	bool staged; /* a delta read's chats, or their participants: staged until the commit */
};

/* The four collections' rows (dv_rows.c). */
extern const struct coll_ops dv_chats_ops, dv_parties_ops, dv_assocs_ops, dv_errors_ops;
/* Moves the participants of from (parsed right after into's) to the end of into's; frees from. */
void dv_parties_append(struct page_task *into, struct page_task *from);

#endif
