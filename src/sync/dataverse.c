/* Phase 1 of a refresh: each environment's Dataverse rows, all environments in parallel. An
 * environment is a job of collections (chats, their participants, associations, sync errors), each
 * read page by page. The transport's thread parses each page as it comes and queues the next one;
 * the writer's thread (writer.h) writes the page's rows, in a short transaction with the pages
 * queued beside it, with the refresh's generation, which no reader sees yet, while the next pages
 * are read and parsed.
 * When the job's last request is answered and its pages are written, the writer commits it (its
 * generation becomes what the environment shows, in one short transaction), or records its error:
 * the environment keeps showing its last good rows, and the new generation's rows are purged.
 * Memory holds a few pages of rows at a time (WRITER_PAGES_MAX + 1), never an environment. */
#include "config.h"
#include "sync/dataverse.h"
#include "api/dv_batch.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "store/cache.h"
#include "sync/writer.h"
#include <stdlib.h>
#include <string.h>

static void free_str(void *p) { free(*(char **)p); }

/* --- requests --- */

static void job_fail(struct job *j, const struct cs_error *e)
{
	if (!j->failed) {
		j->err = *e;
		j->failed = true;
	}
}

static void coll_fail(struct collection *c, const struct cs_error *e)
{
	c->failed = true;
	if (c->optional)
		/* Sync errors are evidence, not the list of chats: without them the refresh goes on and
		 * the cache keeps the ones it had. */
		log_warn("%s: could not read %s: %s", c->j->env.unique_name, c->ops->what, e->msg);
	else
		job_fail(c->j, e);
}

static void on_page(struct net *net, const struct net_response *resp, void *user);
static void on_batch(struct net *net, const struct net_response *resp, void *user);

static void queue_req(struct collection *c, struct net_request *req)
{
	struct job *j = c->j;
	struct cs_error err = { 0 };
	req->bucket = j->bucket;
	req->resource = j->env.url;
	req->service = "Dataverse";
	req->user = c;
	if (j->r->writes_refused) { /* nothing read from here on could be written */
		coll_fail(c, &j->r->gen_err);
		return;
	}
	j->pending++;
	if (net_queue(j->r->net, req, &err)) {
		j->pending--;
		coll_fail(c, &err);
	}
}

static void queue_page(struct collection *c, const char *url, const char *const *headers)
{
	queue_req(c, &(struct net_request){ .url = url, .headers = headers, .done = on_page });
}

static void queue_full(struct collection *c)
{
	char *url = c->full_url(&c->j->env);
	queue_page(c, url, c->headers);
	free(url);
}

/* A kept delta link that the service no longer accepts (expired token, 4xx) means a full read. */
static bool delta_expired(const struct net_response *resp)
{
	return !resp->cancelled && resp->status >= 400 && resp->status < 500 && resp->status != 401 &&
	       resp->status != 403 && resp->status != 429;
}

static void job_done_one(struct job *j)
{
	j->pending--;
}

/* On the writer's thread: every task but the first (gen_take) starts with this; nothing is written
 * to a cache whose check failed. */
static bool writes_refused(const struct refresh *r, struct cs_error *err)
{
	if (r->gen)
		return false;
	*err = r->gen_err;
	return true;
}

/* On the writer's thread, inside the transaction of the pages queued together. */
static int page_write(struct writer_task *wt, struct cache *cache, struct cs_error *err)
{
	struct page_task *t = (struct page_task *)wt;
	struct refresh *r = t->c->j->r;
	int rc = -1;
	if (!writes_refused(r, err)) {
		t->gen = r->gen;
		rc = t->c->ops->write(t, cache, err);
	}
	t->c->ops->free_rows(t);
	refresh_ctx_hold(t->c->j->r, -(long)t->n);
	return rc;
}

static void page_written(struct writer_task *wt, int rc, const struct cs_error *err)
{
	struct page_task *t = (struct page_task *)wt;
	struct collection *c = t->c;
	if (rc)
		coll_fail(c, err);
	job_done_one(c->j);
	free(t);
}

/* Parses one page, keeps its deleted ids, and queues the next page (or keeps the delta link and
 * ends); its rows go to the writer next (NULL when it could not be parsed). */
static struct page_task *parse_page(struct collection *c, const char *body)
{
	struct job *j = c->j;
	struct dv_page page = { 0 };
	struct cs_error err = { 0 };
	struct page_task *t = xcalloc(1, sizeof *t);
	*t = (struct page_task){ .t = { .page = true, .run = page_write, .done = page_written }, .c = c,
				 .env_id = j->env.id };
	if (c->ops->parse(c, body, &page, t, &err) != 0) {
		free(t);
		coll_fail(c, &err);
		dv_page_free(&page);
		return NULL;
	}
	c->n_rows += t->n;
	refresh_ctx_hold(j->r, (long)t->n);
	for (size_t i = 0; i < page.n_deleted; i++)
		*(char **)vec_push(&c->deleted) = page.deleted[i];
	page.n_deleted = 0;
	if (page.next_link) {
		/* A delta's next pages carry their token in the link; a tracked full read keeps asking
		 * for tracking so that its last page holds the delta link. */
		queue_page(c, page.next_link, c->tracked || c->headers == dv_headers_read ? dv_headers_read : dv_headers_track);
	} else {
		free(c->delta_link);
		c->delta_link = page.delta_link;
		page.delta_link = NULL;
		if (c->on_end)
			c->on_end(c);
	}
	dv_page_free(&page);
	return t;
}

/* After the next request is queued: the push waits while the writer has its fill. */
static void push_page(struct collection *c, struct page_task *t)
{
	c->j->pending++;
	writer_push(c->j->w, &t->t);
}

static void add_page(struct collection *c, const char *body)
{
	struct page_task *t = parse_page(c, body);
	if (t)
		push_page(c, t);
}

/* What a refused delta read wrote is dropped by the writer after the pages it has yet to write. */
struct discard_task {
	struct writer_task t;
	struct collection *c;
};

static int discard_run(struct writer_task *wt, struct cache *cache, struct cs_error *err)
{
	struct collection *c = ((struct discard_task *)wt)->c;
	if (writes_refused(c->j->r, err))
		return -1;
	return cache_gen_discard(cache, c->j->env.id, c->ops->table, c->j->r->gen, err);
}

static void discard_done(struct writer_task *wt, int rc, const struct cs_error *err)
{
	struct collection *c = ((struct discard_task *)wt)->c;
	if (rc)
		coll_fail(c, err);
	job_done_one(c->j);
	free(wt);
}

static void on_page(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct collection *c = user;
	if (resp->err && c->tracked && delta_expired(resp)) {
		log_info("%s: the %s delta link was refused (%ld); reading everything", c->j->env.unique_name,
			 c->ops->what, resp->status);
		/* What the delta's earlier pages wrote is not part of a full read; the full read's pages
		 * are written after the writer dropped it. */
		if (c->n_rows) {
			struct discard_task *d = xcalloc(1, sizeof *d);
			*d = (struct discard_task){ .t = { .run = discard_run, .done = discard_done }, .c = c };
			c->j->pending++;
			writer_push(c->j->w, &d->t);
		}
		c->n_rows = 0;
		vec_free(&c->deleted, free_str);
		vec_free(&c->changed, free_str);
		c->tracked = false;
		if (!c->failed)
			queue_full(c);
	} else if (resp->err) {
		coll_fail(c, resp->err);
	} else if (!c->failed) {
		add_page(c, resp->body);
	}
	job_done_one(c->j);
}

/* A $batch of reads: each part is a first page of the collection (its next pages are plain GETs).
 * Their rows go to the writer as one page: a part is a chat's few participants, and a transaction
 * each rewrote the same index pages (the environment's newest) a chat at a time. */
static void on_batch(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct collection *c = user;
	struct dv_batch_part *parts;
	size_t n;
	struct cs_error err = { 0 };
	if (resp->err) {
		coll_fail(c, resp->err);
	} else if (dv_parse_batch(net_response_header(resp, "Content-Type"), resp->body, &parts, &n, &err)) {
		coll_fail(c, &err);
	} else {
		struct page_task *all = NULL;
		for (size_t i = 0; i < n && !c->failed; i++) {
			if (parts[i].status == 200) {
				struct page_task *t = parse_page(c, parts[i].body);
				if (t && all)
					dv_parties_append(all, t);
				else if (t)
					all = t;
			} else {
				/* only participants are read in $batch requests */
				cs_fail(&err, CS_EXIT_NETWORK, _("a read of chat participants inside a $batch answered %d"),
					parts[i].status);
				coll_fail(c, &err);
			}
		}
		if (all)
			push_page(c, all);
		dv_batch_parts_free(parts, n);
	}
	job_done_one(c->j);
}

static void on_org(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct collection *c = user; /* the chats collection stands for the job's single rows */
	struct job *j = c->j;
	struct cs_error err = { 0 };
	if (resp->err)
		job_fail(j, resp->err);
	else if (dv_parse_organization(resp->body, &j->env, &err))
		job_fail(j, &err);
	else
		j->env.org_fetched_at = j->r->now;
	job_done_one(j);
}

/* The participants of the chats a delta read returned: one GET for one chat, else $batch requests
 * of up to DV_BATCH_MAX reads each, which saves a round trip per chat. */
static void queue_parties_of_changed(struct collection *chats)
{
	struct job *j = chats->j;
	struct collection *c = &j->parties;
	size_t n_chats = chats->changed.n;
	if (n_chats == 1) {
		char *url = dv_url_parties_of(&j->env, *VEC_AT(&chats->changed, char *, 0));
		queue_page(c, url, dv_headers_read);
		free(url);
		return;
	}
	char *batch_url = dv_url(&j->env, "$batch");
	for (size_t start = 0; start < n_chats; start += DV_BATCH_MAX) {
		size_t n = n_chats - start < DV_BATCH_MAX ? n_chats - start : DV_BATCH_MAX;
		char **urls = xcalloc(n, sizeof *urls);
		for (size_t i = 0; i < n; i++)
			urls[i] = dv_url_parties_of(&j->env, *VEC_AT(&chats->changed, char *, start + i));
		char *ct, *body = dv_batch_body(urls, n, &ct);
		struct dv_body_headers h;
		queue_req(c, &(struct net_request){ .method = "POST", .url = batch_url,
						    .headers = dv_body_headers(&h, ct, "Prefer: odata.include-annotations=\"*\""),
						    .body = body, .flags = NET_F_IDEMPOTENT, .done = on_batch });
		dv_body_headers_free(&h);
		for (size_t i = 0; i < n; i++)
			free(urls[i]);
		free(urls);
		free(ct);
		free(body);
	}
	free(batch_url);
}

static void parties_full(struct job *j)
{
	j->parties_full = true;
	queue_full(&j->parties);
}

/* The chats' participants: those of the changed chats after a delta read, else all of them (a
 * full read started them beside the chats; a refused delta link falls back to one here). */
static void chats_end(struct collection *c)
{
	if (c->tracked)
		queue_parties_of_changed(c);
	else if (!c->j->parties_full)
		parties_full(c->j);
}

static void coll_init(struct collection *c, struct job *j, const struct coll_ops *ops,
		      char *(*full_url)(const struct cs_env *), const char *const *headers)
{
	c->j = j;
	c->ops = ops;
	c->full_url = full_url;
	c->headers = headers;
	c->deleted = (struct vec)VEC_INIT(char *);
	c->changed = (struct vec)VEC_INIT(char *);
}

/* Starts a collection: from its kept delta link (when not --full), else in full. */
static void coll_start(struct collection *c, const char *link, bool full)
{
	if (link && !full) {
		c->tracked = true;
		queue_page(c, link, dv_headers_track);
	} else {
		queue_full(c);
	}
}

/* links: the kept delta links of the chats and the associations (NULL: none). */
static void job_start(struct job *j, char *const *links, bool full)
{
	coll_init(&j->chats, j, &dv_chats_ops, dv_url_chats, dv_headers_track);
	j->chats.on_end = chats_end;
	coll_init(&j->parties, j, &dv_parties_ops, dv_url_chat_parties, dv_headers_read);
	coll_init(&j->assocs, j, &dv_assocs_ops, dv_url_associations, dv_headers_track);
	coll_init(&j->errors, j, &dv_errors_ops, dv_url_sync_errors, dv_headers_read);
	j->errors.optional = true;
	char *org = dv_url_organization(&j->env);
	queue_req(&j->chats, &(struct net_request){ .url = org, .headers = dv_headers_read, .done = on_org });
	free(org);
	coll_start(&j->chats, links ? links[0] : NULL, full);
	if (!j->chats.tracked) /* a delta read asks for the changed chats' participants when it ends */
		parties_full(j);
	coll_start(&j->assocs, links ? links[1] : NULL, full);
	coll_start(&j->errors, NULL, true);
}

/* --- committing --- */

static enum cache_gen_mode mode_of(const struct collection *c)
{
	return c->failed ? CACHE_GEN_KEEP : c->tracked ? CACHE_GEN_DELTA : CACHE_GEN_FULL;
}

/* The environment's generation becomes what it shows, with its delta links, in one transaction. */
static int job_commit(struct job *j, struct cache *c, struct cs_error *err)
{
	j->env.refreshed_at = j->r->now;
	if (j->moved_url) { /* nothing of it is in flight: the cache learns where it is now */
		free(j->env.url);
		j->env.url = j->moved_url;
		j->moved_url = NULL;
	}
	free(j->env.last_error);
	j->env.last_error = NULL;
	struct cache_gen_commit g = {
		.gen = j->r->gen, .chats = mode_of(&j->chats), .assocs = mode_of(&j->assocs), .errors = mode_of(&j->errors),
		.deleted_chats = j->chats.deleted.data, .n_deleted_chats = j->chats.deleted.n,
		.deleted_assocs = j->assocs.deleted.data, .n_deleted_assocs = j->assocs.deleted.n,
	};
	if (cache_begin(c, err))
		return -1;
	if (cache_gen_commit(c, &j->env, &g, err) ||
	    cache_set_delta(c, j->env.id, "chats", j->chats.delta_link, err) ||
	    cache_set_delta(c, j->env.id, "msdyn_teamschatassociations", j->assocs.delta_link, err)) {
		cache_rollback(c);
		return -1;
	}
	return cache_commit(c, err);
}

/* An environment's end, once its last answer came and its last page was written: its commit (or
 * its error recorded) by the writer, after its pages; then the report on the loop's thread. */
struct finish_task {
	struct writer_task t;
	struct job *j;
	size_t *done, total;
};

static int finish_run(struct writer_task *wt, struct cache *cache, struct cs_error *err)
{
	struct job *j = ((struct finish_task *)wt)->j; /* nothing of it is in flight: the writer may use it */
	if (writes_refused(j->r, err))
		return -1;
	int rc = j->failed ? 0 : job_commit(j, cache, err);
	if (j->failed || rc) {
		/* The environment keeps showing its last good data (what this refresh wrote of it is
		 * purged); only the error is recorded with it. */
		const char *msg = j->failed ? j->err.msg : err->msg;
		struct cs_env known;
		if (cache_find_env(cache, j->env.id, &known, NULL) == 0) {
			cs_env_free(&known);
			cache_set_env_error(cache, j->env.id, msg, NULL);
		} else if (cache_put_env(cache, &j->env, NULL) == 0) { /* never refreshed: record it to say so */
			cache_set_env_error(cache, j->env.id, msg, NULL);
		}
	}
	return rc;
}

static void finish_done(struct writer_task *wt, int rc, const struct cs_error *err)
{
	struct finish_task *f = (struct finish_task *)wt;
	struct job *j = f->j;
	struct refresh *r = j->r;
	if (rc)
		job_fail(j, err);
	if (j->failed) {
		r->rep->envs_failed++;
		refresh_ctx_list_add(r->rep->failed_envs, sizeof r->rep->failed_envs, j->env.unique_name);
		log_error("refresh of %s failed: %s", j->env.unique_name, j->err.msg);
		struct cs_error e;
		cs_fail(&e, j->err.exit_code ? j->err.exit_code : CS_EXIT_NETWORK, _("refresh of %s failed: %s"),
			j->env.unique_name, j->err.msg);
		refresh_ctx_fail(r, &e);
	} else {
		r->rep->envs_ok++;
		r->rep->chats_read += j->chats.n_rows;
		r->rep->chats_deleted += j->chats.deleted.n;
		if (j->chats.tracked)
			r->rep->delta_used = true;
		strset_add(&r->ok_envs, j->env.id);
	}
	(*f->done)++;
	refresh_ctx_progress(r, "dataverse", j->env.unique_name, *f->done, f->total);
	free(f);
}

static void job_finish(struct job *j, size_t *done, size_t total)
{
	struct finish_task *f = xcalloc(1, sizeof *f);
	*f = (struct finish_task){ .t = { .run = finish_run, .done = finish_done }, .j = j, .done = done, .total = total };
	writer_push(j->w, &f->t);
}

static void coll_free(struct collection *c)
{
	if (!c->ops)
		return;
	vec_free(&c->deleted, free_str);
	vec_free(&c->changed, free_str);
	free(c->delta_link);
}

static void job_free(struct job *j)
{
	free(j->moved_url);
	cs_env_free(&j->env);
	free(j->bucket);
	coll_free(&j->chats);
	coll_free(&j->parties);
	coll_free(&j->assocs);
	coll_free(&j->errors);
}

void refresh_purge(struct refresh *r)
{
	if (!r->gen) /* nothing was written: the cache failed its check, or no phase ran */
		return;
	struct cs_error err = { 0 };
	bool more;
	for (size_t i = 0; i < r->purge.n; i++) {
		const char *id = *VEC_AT(&r->purge, char *, i);
		if (cache_begin(r->cache, &err) == 0 &&
		    (cache_gen_purge(r->cache, id, 0, &more, &err) || cache_commit(r->cache, &err)))
			cache_rollback(r->cache);
		if (err.msg[0]) {
			log_warn("cache: the unseen rows of environment %s stay until the next refresh: %s", id, err.msg);
			err = (struct cs_error){ 0 };
		}
	}
}

/* The writer's first task: a new generation for this refresh's rows, in the first transaction,
 * whose cache_begin waits for the cache's check (started with the refresh's lock); until it ends
 * the pages read meanwhile wait in the writer's queue. What a killed or interrupted refresh left
 * unseen needs no dropping first: no reader sees it and no commit makes it visible (a commit shows
 * one generation and replaces only rows of the one shown); refresh_purge drops it with the rest. */
struct gen_task {
	struct writer_task t;
	struct refresh *r;
};

static int gen_take(struct writer_task *wt, struct cache *cache, struct cs_error *err)
{
	struct refresh *r = ((struct gen_task *)wt)->r;
	long long gen = 0;
	int rc = cache_begin(cache, err);
	if (rc == 0) {
		rc = cache_gen_next(cache, &gen, err);
		if (rc)
			cache_rollback(cache);
		else
			rc = cache_commit(cache, err);
	}
	if (rc)
		r->gen_err = *err;
	else
		r->gen = gen;
	return rc;
}

static void gen_taken(struct writer_task *wt, int rc, const struct cs_error *err)
{
	(void)err;
	struct refresh *r = ((struct gen_task *)wt)->r;
	r->writes_refused = rc != 0;
	free(wt);
}

static void wake_loop(void *net) { net_wakeup(net); }

/* An environment the cache held as the refresh started: what it knew and its delta links, read
 * before the writer owns the connection. */
struct known {
	struct cs_env env; /* moved into its job when read from the start */
	char *id;
	char *links[2];    /* chats, associations */
};

struct phase {
	struct refresh *r;
	struct refresh_discovery *d;
	struct known *known;
	size_t n_known;
	struct vec jobs; /* struct job *, in the order they started */
	struct writer *w;
	size_t done, total;
	bool confirmed;  /* discovery's answer is applied */
};

static struct known *known_of(struct phase *ph, const char *id)
{
	for (size_t i = 0; id && i < ph->n_known; i++)
		if (strcmp(ph->known[i].id, id) == 0)
			return &ph->known[i];
	return NULL;
}

/* Starts the job of env (moved in), keeping what the cache knew of it until its organization row
 * says otherwise; its rows are purged after the refresh unless committed. */
static void job_new(struct phase *ph, struct cs_env *env, int state)
{
	struct refresh *r = ph->r;
	struct job *j = xcalloc(1, sizeof *j);
	j->r = r;
	j->w = ph->w;
	j->state = state;
	j->env = *env;
	memset(env, 0, sizeof *env);
	struct known *k = known_of(ph, j->env.id);
	if (k && k->env.id) {
		j->env.sync_enabled = k->env.sync_enabled;
		j->env.inactivity_days = k->env.inactivity_days;
	}
	j->bucket = dv_bucket(&j->env);
	*(struct job **)vec_push(&ph->jobs) = j;
	*(char **)vec_push(&r->purge) = xstrdup(j->env.id);
	job_start(j, k ? k->links : NULL, r->opts->full);
}

/* Discovery's answer: the environments read from the start that it lists are confirmed, with its
 * names, address and state (one environment, one job: its rows share the refresh's generation);
 * the others are dropped; those it adds start now. A failed discovery drops every one. */
static void confirm(struct phase *ph)
{
	struct refresh_discovery *d = ph->d;
	ph->confirmed = true;
	for (size_t i = 0; i < ph->jobs.n; i++)
		(*VEC_AT(&ph->jobs, struct job *, i))->state = JOB_DROPPED;
	if (d->rc)
		return;
	size_t started = ph->jobs.n;
	for (size_t k = 0; k < d->n; k++) {
		struct cs_env *e = &d->envs[k];
		struct job *j = NULL;
		for (size_t i = 0; i < started && !j; i++) {
			struct job *x = *VEC_AT(&ph->jobs, struct job *, i);
			if (strcmp(x->env.id, e->id) == 0)
				j = x;
		}
		if (!j) {
			job_new(ph, e, JOB_CONFIRMED);
			continue;
		}
		j->state = JOB_CONFIRMED;
		struct cs_env *o = &j->env;
		free(o->unique_name), free(o->friendly_name), free(o->api_url), free(o->purpose);
		o->unique_name = e->unique_name, o->friendly_name = e->friendly_name, o->api_url = e->api_url;
		o->purpose = e->purpose, o->state = e->state;
		e->unique_name = e->friendly_name = e->api_url = e->purpose = NULL;
		if (o->url && strcmp(o->url, e->url) != 0) { /* moved: its reads go on where they began */
			j->moved_url = e->url;
			e->url = NULL;
		}
	}
	for (size_t i = 0; i < ph->jobs.n; i++)
		ph->total += (*VEC_AT(&ph->jobs, struct job *, i))->state == JOB_CONFIRMED;
	refresh_ctx_progress(ph->r, "dataverse", NULL, 0, ph->total);
}

/* What the cache knew of its environments, before anything is written; the ones the refresh wants
 * (enabled, with an address) are read from the start once the cache's check has passed. */
static void known_read(struct phase *ph, struct cs_env *known, size_t n)
{
	ph->known = xcalloc(n + 1, sizeof *ph->known);
	for (size_t i = 0; i < n; i++) {
		struct known *k = &ph->known[ph->n_known];
		if (!known[i].id)
			continue;
		k->env = known[i];
		memset(&known[i], 0, sizeof known[i]);
		k->id = xstrdup(k->env.id);
		k->links[0] = cache_get_delta(ph->r->cache, k->id, "chats");
		k->links[1] = cache_get_delta(ph->r->cache, k->id, "msdyn_teamschatassociations");
		ph->n_known++;
	}
}

static void phase_free(struct phase *ph)
{
	for (size_t i = 0; i < ph->jobs.n; i++) {
		struct job *j = *VEC_AT(&ph->jobs, struct job *, i);
		job_free(j);
		free(j);
	}
	vec_free(&ph->jobs, NULL);
	for (size_t i = 0; i < ph->n_known; i++) {
		cs_env_free(&ph->known[i].env);
		free(ph->known[i].id);
		free(ph->known[i].links[0]);
		free(ph->known[i].links[1]);
	}
	free(ph->known);
}

int refresh_dataverse(struct refresh *r, struct cs_env *known, size_t n_known, struct refresh_discovery *d,
		      struct cs_error *err)
{
	struct phase ph = { .r = r, .d = d, .jobs = VEC_INIT(struct job *) };
	known_read(&ph, known, n_known);
	/* The cache's check runs while discovery and the known environments are read: the writer's
	 * first task waits for it, and nothing is written before it has passed. */
	ph.w = writer_start(r->cache, wake_loop, r->net);
	struct gen_task *g = xcalloc(1, sizeof *g);
	*g = (struct gen_task){ .t = { .run = gen_take, .done = gen_taken }, .r = r };
	writer_push(ph.w, &g->t);
	for (size_t i = 0; !d->done && i < ph.n_known; i++) {
		struct cs_env *e = &ph.known[i].env;
		if (e->url && *e->url && e->state == 0 && refresh_wanted(r->opts, e))
			job_new(&ph, e, JOB_EARLY);
	}
	/* Pages come only while the loop steps: from here on only the writer uses the cache, until
	 * writer_stop. Each environment is finished by this loop (not inside a callback) once its last
	 * answer came, its pages were written and discovery confirmed it. Step until nothing is pending
	 * and the writer has nothing left, also after a cancel, so that every callback runs while its
	 * job exists; a cancelled request fails its job, which then keeps its last good rows. */
	for (;;) {
		size_t left = writer_reap(ph.w);
		if (d->done && !ph.confirmed)
			confirm(&ph);
		for (size_t i = 0; i < ph.jobs.n; i++) {
			struct job *j = *VEC_AT(&ph.jobs, struct job *, i);
			if (!j->finished && j->pending == 0 && j->state != JOB_EARLY) {
				j->finished = true;
				if (j->state == JOB_CONFIRMED && !r->writes_refused) {
					job_finish(j, &ph.done, ph.total);
					left++;
				}
			}
		}
		if (net_pending(r->net) > 0)
			net_step(r->net, 200);
		else if (left > 0)
			writer_wait(ph.w, 200);
		else
			break;
	}
	writer_stop(ph.w);
	r->rep->rows_held_max = (size_t)atomic_load(&r->rows_held_max);
	int rc = 0;
	if (r->writes_refused)
		rc = (*err = r->gen_err, -1);
	else if (d->rc)
		rc = (*err = d->err, -1);
	else if (net_cancelled(r->net))
		rc = cs_fail(err, CS_EXIT_NETWORK, _("refresh interrupted: nothing was written for the environments "
						     "not yet read (run chatsync refresh again)"));
	phase_free(&ph);
	return rc;
}
