/* Each Dataverse collection's rows (dataverse.h): parsed on the loop's thread (a delta's changed
 * chats kept for their participants' read), written on the writer's inside the page's
 * transaction, and freed. */
#include "config.h"
#include "sync/dataverse.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

static void free_keys(struct page_task *t)
{
	for (size_t i = 0; t->keys && i < t->n; i++)
		free(t->keys[i]);
	free(t->keys);
}

static int parse_chats(struct collection *c, const char *body, struct dv_page *page, struct page_task *t,
		       struct cs_error *err)
{
	struct job *j = c->j;
	struct cs_chat *rows;
	if (dv_parse_chats(body, j->env.id, j->r->now, &rows, &t->n, page, err))
		return -1;
	t->rows = rows;
	t->staged = c->tracked; /* as it was read: a refused delta link makes the next pages a full read's */
	for (size_t i = 0; c->tracked && i < t->n; i++) { /* a delta's chats: their participants are read when it ends */
		strset_add(&j->r->changed, rows[i].teams_chat_id);
		*(char **)vec_push(&c->changed) = xstrdup(rows[i].activity_id);
	}
	return 0;
}

static int write_chats(const struct page_task *t, struct cache *cache, struct cs_error *err)
{
	const struct cs_chat *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		if ((t->staged ? cache_stage_chat_row : cache_put_chat_row)(cache, &rows[i], t->gen, err))
			return -1;
	return 0;
}

static void free_chats(struct page_task *t)
{
	struct cs_chat *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		cs_chat_free(&rows[i]);
	free(rows);
}

static int parse_parties(struct collection *c, const char *body, struct dv_page *page, struct page_task *t,
			 struct cs_error *err)
{
	struct cs_party *rows;
	if (dv_parse_parties(body, &rows, &t->keys, &t->n, page, err))
		return -1;
	t->rows = rows;
	t->staged = !c->j->parties_full; /* the changed chats' of a delta read */
	t->seq = c->j->party_seq;
	c->j->party_seq += (int)t->n;
	return 0;
}

static int write_parties(const struct page_task *t, struct cache *cache, struct cs_error *err)
{
	const struct cs_party *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		if ((t->staged ? cache_stage_party : cache_put_party)(cache, t->env_id, t->keys[i], t->seq + (int)i, &rows[i],
								    t->gen, err))
			return -1;
	return 0;
}

void dv_parties_append(struct page_task *into, struct page_task *from)
{
	struct cs_party *rows = xrealloc(into->rows, (into->n + from->n + 1) * sizeof *rows);
	into->keys = xrealloc(into->keys, (into->n + from->n + 1) * sizeof *into->keys);
	if (from->n) {
		memcpy(rows + into->n, from->rows, from->n * sizeof *rows);
		memcpy(into->keys + into->n, from->keys, from->n * sizeof *into->keys);
	}
	into->rows = rows;
	into->n += from->n;
	free(from->rows);
	free(from->keys);
	free(from);
}

static void free_parties(struct page_task *t)
{
	struct cs_party *rows = t->rows;
	for (size_t i = 0; i < t->n; i++) {
		free(rows[i].party_id);
		free(rows[i].name);
	}
	free(rows);
	free_keys(t);
}

static int parse_assocs(struct collection *c, const char *body, struct dv_page *page, struct page_task *t,
			struct cs_error *err)
{
	struct job *j = c->j;
	struct cs_assoc *rows;
	if (dv_parse_assocs(body, j->env.id, j->r->now, &rows, &t->n, page, err))
		return -1;
	t->rows = rows;
	for (size_t i = 0; c->tracked && i < t->n; i++)
		strset_add(&j->r->changed, rows[i].teams_chat_id);
	return 0;
}

static int write_assocs(const struct page_task *t, struct cache *cache, struct cs_error *err)
{
	const struct cs_assoc *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		if (cache_put_assoc_gen(cache, &rows[i], t->gen, err))
			return -1;
	return 0;
}

static void free_assocs(struct page_task *t)
{
	struct cs_assoc *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		cs_assoc_free(&rows[i]);
	free(rows);
}

static int parse_errors(struct collection *c, const char *body, struct dv_page *page, struct page_task *t,
			struct cs_error *err)
{
	(void)c;
	struct cs_sync_error *rows;
	if (dv_parse_sync_errors(body, &rows, &t->keys, &t->n, page, err))
		return -1;
	t->rows = rows;
	return 0;
}

static int write_errors(const struct page_task *t, struct cache *cache, struct cs_error *err)
{
	const struct cs_sync_error *rows = t->rows;
	struct refresh *r = t->c->j->r;
	for (size_t i = 0; i < t->n; i++)
		if (cache_put_sync_error_gen(cache, t->env_id, t->keys[i], &rows[i], r->now, t->gen, err))
			return -1;
	return 0;
}

static void free_errors(struct page_task *t)
{
	struct cs_sync_error *rows = t->rows;
	for (size_t i = 0; i < t->n; i++)
		cs_sync_error_free(&rows[i]);
	free(rows);
	free_keys(t);
}

const struct coll_ops dv_chats_ops = { "chats", CACHE_ROWS_CHATS, parse_chats, write_chats, free_chats };
const struct coll_ops dv_parties_ops = { "participants", CACHE_ROWS_CHATS, parse_parties, write_parties,
					free_parties };
const struct coll_ops dv_assocs_ops = { "associations", CACHE_ROWS_ASSOCIATIONS, parse_assocs, write_assocs,
				       free_assocs };
const struct coll_ops dv_errors_ops = { "sync errors", CACHE_ROWS_SYNC_ERRORS, parse_errors, write_errors,
				       free_errors };
