/* Rows, context URLs, links, delta tokens and page sizes of Dataverse answers (dv_rows.h). */
#include "config.h"
#include "sandbox/dv_rows.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sb_dv_error(struct sb_resp *rs, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	free(msg);
	sb_resp_header(rs, "Content-Type", "application/json; odata.metadata=minimal");
	sb_resp_json(rs, status, o);
}

static void add_value(cJSON *o, const char *name, const struct sb_val *v)
{
	char b[32];
	switch (v->t) {
	case SB_V_STR:
	case SB_V_GUID: cJSON_AddStringToObject(o, name, v->s); break;
	case SB_V_INT: cJSON_AddNumberToObject(o, name, (double)v->i); break;
	case SB_V_BOOL: cJSON_AddBoolToObject(o, name, v->i != 0); break;
	case SB_V_TIME: cJSON_AddStringToObject(o, name, sb_iso(v->i, b, sizeof b)); break;
	default: cJSON_AddNullToObject(o, name); break;
	}
}

cJSON *dv_row_json(const struct dv_rowctx *c, size_t row, const int *sel, size_t nsel, const struct sb_prefer *pf)
{
	cJSON *o = cJSON_CreateObject();
	char etag[40];
	snprintf(etag, sizeof etag, "W/\"%llu\"", (unsigned long long)c->tb->version(c->e, row));
	cJSON_AddStringToObject(o, "@odata.etag", etag);
	bool key_seen = false;
	size_t n = sel ? nsel : (size_t)c->tb->ncols;
	for (size_t k = 0; k <= n; k++) {
		int col;
		if (k < n)
			col = sel ? sel[k] : (int)k;
		else if (!key_seen)
			col = 0;
		else
			break;
		key_seen |= col == 0;
		const struct dv_col *dc = &c->tb->cols[col];
		struct dv_cell cell = { 0 };
		c->tb->get(c, row, col, &cell);
		if (cell.v.t != SB_V_NULL && pf->formatted && cell.formatted) {
			char *k1 = xasprintf("%s@OData.Community.Display.V1.FormattedValue", dc->name);
			cJSON_AddStringToObject(o, k1, cell.formatted);
			free(k1);
		}
		if (cell.v.t != SB_V_NULL && pf->all_annotations && (dc->flags & DV_LOOKUP) && cell.lookup_table) {
			char *k2 = xasprintf("%s@Microsoft.Dynamics.CRM.lookuplogicalname", dc->name);
			cJSON_AddStringToObject(o, k2, cell.lookup_table);
			free(k2);
		}
		add_value(o, dc->name, &cell.v);
	}
	return o;
}

char *dv_context_url(const struct sb_env *e, const struct dv_table *tb, const char *select, const char *suffix)
{
	if (select && *select)
		return xasprintf("%s/" DV_API_PREFIX "$metadata#%s(%s)%s", e->url, tb->set, select, suffix);
	return xasprintf("%s/" DV_API_PREFIX "$metadata#%s%s", e->url, tb->set, suffix);
}

char *dv_link_with(const struct sb_env *e, const struct dv_table *tb, const struct sb_req *rq,
		const char *const *set)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s/" DV_API_PREFIX "%s?", e->url, tb->set);
	bool first = true;
	for (size_t i = 0; i < rq->args.n; i++) {
		const char *k = rq->args.items[i].k;
		if (!strcmp(k, "$skiptoken") || !strcmp(k, "$deltatoken"))
			continue;
		char *ek = sb_url_encode(k), *ev = sb_url_encode(rq->args.items[i].v);
		/* Keep '$' and ',' readable, as Dataverse's own links do. */
		buf_printf(&b, "%s%s=%s", first ? "" : "&", k[0] == '$' ? k : ek, ev);
		free(ek);
		free(ev);
		first = false;
	}
	for (size_t i = 0; set[i] && set[i + 1]; i += 2) {
		char *ev = sb_url_encode(set[i + 1]);
		buf_printf(&b, "%s%s=%s", first ? "" : "&", set[i], ev);
		free(ev);
		first = false;
	}
	return buf_steal(&b);
}

void dv_delta_token(uint64_t version, char *buf, size_t len)
{
	char when[32];
	time_t now = (time_t)sb_now();
	struct tm ntm;
	gmtime_r(&now, &ntm);
	strftime(when, sizeof when, "%m/%d/%Y %H:%M:%S", &ntm);
	snprintf(buf, len, "%llu!%s", (unsigned long long)version, when);
}

int dv_page_size(const struct sb_server *s, const struct sb_prefer *pf)
{
	int page = pf->maxpagesize > 0 && pf->maxpagesize < DV_MAX_PAGE ? pf->maxpagesize : DV_MAX_PAGE;
	if (s->opt.page_size > 0 && s->opt.page_size < page)
		page = s->opt.page_size;
	return page;
}
