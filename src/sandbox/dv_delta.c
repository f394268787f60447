/* Change-tracking deltas ($deltatoken), paged as the service pages them: new and updated rows first,
 * by version, then the deleted ones; at most a page of them per answer, with @odata.nextLink to the
 * next page and the @odata.deltaLink only on the last. Every page of one pass reads the changes up to
 * the version the first page saw (the cookie's trackversion), so a change made while a client pages
 * is in the next delta, never lost and never served twice. */
#include "config.h"
#include "sandbox/dv_rows.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DELTA_LIFETIME (7 * 86400)

/* Where a page starts: after the live row (version, key), or at deleted entry `deleted_from`. */
struct delta_pos {
	int page;                /* pages already served */
	uint64_t trackversion;
	bool in_deleted;
	uint64_t last_version;
	char last[37];
	size_t deleted_from;
};

static char *delta_cookie(const struct dv_table *tb, const struct delta_pos *p, const char *first)
{
	const char *last = p->last[0] ? p->last : first;
	return xasprintf("<cookie pagenumber=\"%d\" pagingcookie=\"%%3ccookie%%20page%%3d%%22%d%%22%%3e%%3c%s%%20last"
			 "%%3d%%22%%7b%s%%7d%%22%%20first%%3d%%22%%7b%s%%7d%%22%%20%%2f%%3e%%3c%%2fcookie%%3e\" "
			 "istracking=\"True\" trackversion=\"%llu\" lastversion=\"%llu\" deletedfrom=\"%s%zu\" />",
			p->page + 1, p->page, tb->cols[0].name, last, first, (unsigned long long)p->trackversion,
			(unsigned long long)p->last_version, p->in_deleted ? "" : "-", p->deleted_from);
}

static int parse_delta_cookie(const char *text, struct delta_pos *p)
{
	memset(p, 0, sizeof *p);
	const char *pn = strstr(text, "pagenumber=\""), *l = strstr(text, "last%3d%22%7b");
	const char *tv = strstr(text, "trackversion=\""), *lv = strstr(text, "lastversion=\"");
	const char *df = strstr(text, "deletedfrom=\"");
	if (!pn || !l || !tv || !lv || !df || !strstr(text, "istracking=\"True\"") || strlen(l) < 13 + 36 ||
	    !sb_is_guid(l + 13, 36))
		return -1;
	p->page = atoi(pn + 12) - 1;
	memcpy(p->last, l + 13, 36);
	p->trackversion = strtoull(tv + 14, NULL, 10);
	p->last_version = strtoull(lv + 13, NULL, 10);
	p->in_deleted = df[13] != '-';
	p->deleted_from = (size_t)strtoull(df + 13 + !p->in_deleted, NULL, 10);
	return p->page >= 1 ? 0 : -1;
}

struct vrow {
	uint64_t version;
	const char *key;
	size_t row;
};

static int cmp_vrow(const void *a, const void *b)
{
	const struct vrow *x = a, *y = b;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcasecmp(x->key, y->key);
}

/* 0 with the version the token names, or -1 (answered). */
static int check_token(const struct dv_rowctx *c, struct sb_resp *rs, const char *token, uint64_t *since)
{
	unsigned long long v = 0;
	int mo, d, y, h, mi, se;
	const char *bang = strchr(token, '!');
	if (!bang || sscanf(token, "%llu", &v) != 1 ||
	    sscanf(bang + 1, "%d/%d/%d %d:%d:%d", &mo, &d, &y, &h, &mi, &se) != 6 || v > c->e->version) {
		sb_dv_error(rs, 400, "0x80044352", "The delta token '%s' is not valid.", token);
		return -1;
	}
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se };
	if (sb_now() - (int64_t)timegm(&tm) > DELTA_LIFETIME) {
		sb_dv_error(rs, 400, "0x80044352", "The delta token has expired (older than 7 days). Run a full "
				"synchronization: repeat the request without $deltatoken to get a new one.");
		return -1;
	}
	*since = v;
	return 0;
}

void dv_delta_answer(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const struct dv_rowctx *c,
		const int *sel, size_t nsel, const struct sb_prefer *pf, const char *token)
{
	uint64_t since;
	if (check_token(c, rs, token, &since) < 0)
		return;
	const char *skip = sb_kv_get(&rq->args, "$skiptoken");
	struct delta_pos pos = { .trackversion = c->e->version };
	if (skip && (parse_delta_cookie(skip, &pos) < 0 || pos.trackversion < since ||
		     pos.trackversion > c->e->version)) {
		sb_dv_error(rs, 400, "0x80048d0a", "The $skiptoken is not valid. Follow @odata.nextLink exactly as given.");
		return;
	}
	int page = dv_page_size(call->s, pf);
	uint64_t tv = pos.trackversion;

	/* The changed rows of this pass after the page's start, by (version, key). */
	size_t total = c->tb->count(c->e), n = 0;
	struct vrow *vr = xmalloc((total ? total : 1) * sizeof *vr);
	if (!pos.in_deleted) {
		for (size_t at = 0; at < total; at++) {
			size_t row = c->tb->at(c->e, at);
			uint64_t v = c->tb->version(c->e, row);
			if (!c->tb->live(c->e, row) || v <= since || v > tv)
				continue;
			struct sb_val key;
			dv_field(c, row, 0, &key);
			struct vrow x = { v, key.s ? key.s : "", row };
			if (skip && (v < pos.last_version || (v == pos.last_version && strcasecmp(x.key, pos.last) <= 0)))
				continue;
			vr[n++] = x;
		}
		qsort(vr, n, sizeof *vr, cmp_vrow);
	}

	const char *select = sb_kv_get(&rq->args, "$select");
	cJSON *o = cJSON_CreateObject();
	char *ctx = dv_context_url(c->e, c->tb, select, "/$delta");
	cJSON_AddStringToObject(o, "@odata.context", ctx);
	free(ctx);
	cJSON *arr = cJSON_CreateArray();
	int served = 0;
	const char *first = NULL;
	struct delta_pos next = pos;
	next.page = skip ? pos.page + 1 : 1;
	for (size_t i = 0; i < n && served < page; i++, served++) {
		cJSON_AddItemToArray(arr, dv_row_json(c, vr[i].row, sel, nsel, pf));
		if (!first)
			first = vr[i].key;
		next.last_version = vr[i].version;
		snprintf(next.last, sizeof next.last, "%s", vr[i].key);
	}
	bool more = served == page && n > (size_t)served;
	size_t d = pos.in_deleted ? pos.deleted_from : 0;
	if (!more) {
		next.in_deleted = true;
		for (; d < c->e->n_deleted; d++) {
			const struct sb_deleted *dl = &c->e->deleted[d];
			if (dl->table != c->tb->id || dl->version <= since || dl->version > tv)
				continue;
			if (served == page) {
				more = true;
				break;
			}
			cJSON *r = cJSON_CreateObject();
			char *dctx = xasprintf("%s/" DV_API_PREFIX "$metadata#%s/$deletedEntity", c->e->url, c->tb->set);
			cJSON_AddStringToObject(r, "@odata.context", dctx);
			free(dctx);
			cJSON_AddStringToObject(r, "id", dl->id);
			cJSON_AddStringToObject(r, "reason", "deleted");
			cJSON_AddItemToArray(arr, r);
			if (!first)
				first = dl->id;
			snprintf(next.last, sizeof next.last, "%s", dl->id);
			served++;
		}
		next.deleted_from = d;
	}
	char tok[64];
	if (more) {
		char *cookie = delta_cookie(c->tb, &next, first);
		const char *set[] = { "$deltatoken", token, "$skiptoken", cookie, NULL };
		char *link = dv_link_with(c->e, c->tb, rq, set);
		cJSON_AddStringToObject(o, "@odata.nextLink", link);
		free(link);
		free(cookie);
	} else {
		dv_delta_token(tv, tok, sizeof tok);
		const char *set[] = { "$deltatoken", tok, NULL };
		char *link = dv_link_with(c->e, c->tb, rq, set);
		cJSON_AddStringToObject(o, "@odata.deltaLink", link);
		free(link);
	}
	cJSON_AddItemToObject(o, "value", arr);
	free(vr);
	if (pf->maxpagesize > 0)
		sb_resp_header(rs, "Preference-Applied", "odata.maxpagesize=%d", page);
	sb_resp_json(rs, 200, o);
}
