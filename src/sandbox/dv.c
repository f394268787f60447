#include "config.h"
#include "sandbox/dv_rows.h"
#include "sandbox/limits.h"
#include "sandbox/odata.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define API_PREFIX DV_API_PREFIX
#define MAX_ORDER 4

struct expand {
	const char *nav;
	const struct dv_table *tb;
	int *sel;
	size_t nsel;
};

/* "$expand=chat_activity_parties($select=a,b),chat_SyncErrors". 0 or -1 (answered). */
static int parse_expand(const char *text, const struct dv_table *tb, struct expand *out, int *n, struct sb_resp *rs)
{
	*n = 0;
	const char *p = text;
	while (*p) {
		const char *end = p;
		int depth = 0;
		while (*end && (depth || *end != ',')) {
			depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
			end++;
		}
		char *item = xstrndup(p, (size_t)(end - p));
		char *paren = strchr(item, '(');
		if (paren)
			*paren = '\0';
		const struct dv_table *target = NULL;
		const char *nav = NULL;
		if (tb->id == SB_TBL_CHAT && !strcmp(item, "chat_activity_parties"))
			target = dv_table_by_id(SB_TBL_PARTY), nav = "chat_activity_parties";
		else if (tb->id == SB_TBL_CHAT && !strcmp(item, "chat_SyncErrors"))
			target = dv_table_by_id(SB_TBL_SYNCERROR), nav = "chat_SyncErrors";
		if (!target || *n >= 2) {
			sb_dv_error(rs, 400, "0x80060888", "Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.",
					item, tb->entity);
			free(item);
			return -1;
		}
		struct expand *x = &out[(*n)++];
		*x = (struct expand){ nav, target, NULL, 0 };
		if (paren) {
			char *opts = paren + 1;
			size_t len = strlen(opts);
			if (len && opts[len - 1] == ')')
				opts[len - 1] = '\0';
			const char *sel = sb_skip_prefix(opts, "$select=");
			char err[256];
			if (!sel || strchr(sel, ';') ||
			    sb_select_parse(sel, dv_resolve, target, &x->sel, &x->nsel, err, sizeof err) < 0) {
				sb_dv_error(rs, 400, "0x80060888", "%s", sel ? err : "Only $select is supported inside $expand.");
				free(item);
				return -1;
			}
		}
		free(item);
		p = *end ? end + 1 : end;
	}
	return 0;
}

static void add_expansions(const struct dv_rowctx *c, size_t row, cJSON *o, const struct expand *xs, int nx,
		const struct sb_prefer *pf)
{
	const struct sb_chat *ch = &c->e->chats[row];
	for (int i = 0; i < nx; i++) {
		struct dv_rowctx sub = { c->t, c->e, xs[i].tb };
		cJSON *arr = cJSON_AddArrayToObject(o, xs[i].nav);
		if (xs[i].tb->id == SB_TBL_PARTY) {
			for (uint32_t m = 0; m < ch->n_members; m++) {
				uint32_t p = c->e->party_by_chat[ch->first_party + m];
				if (!c->e->parties[p].deleted)
					cJSON_AddItemToArray(arr, dv_row_json(&sub, p, xs[i].sel, xs[i].nsel, pf));
			}
		} else {
			for (size_t k = 0; k < c->e->n_syncerrors; k++)
				if (&c->e->chats[c->e->syncerrors[k].chat] == ch)
					cJSON_AddItemToArray(arr, dv_row_json(&sub, k, xs[i].sel, xs[i].nsel, pf));
		}
	}
}

/* The skiptoken cookie, in the shape Dataverse uses (its paging cookie names the last key). */
static char *make_cookie(const struct dv_table *tb, int page, const char *first, const char *last, bool tracking,
		uint64_t trackversion)
{
	return xasprintf("<cookie pagenumber=\"%d\" pagingcookie=\"%%3ccookie%%20page%%3d%%22%d%%22%%3e%%3c%s%%20last"
			 "%%3d%%22%%7b%s%%7d%%22%%20first%%3d%%22%%7b%s%%7d%%22%%20%%2f%%3e%%3c%%2fcookie%%3e\" "
			 "istracking=\"%s\" trackversion=\"%llu\" />",
			page + 1, page, tb->cols[0].name, last, first, tracking ? "True" : "False",
			(unsigned long long)trackversion);
}

struct cookie {
	int page;                /* pages already served */
	char last[37];
	bool tracking;
	uint64_t trackversion;
};

static int parse_cookie(const char *text, struct cookie *c)
{
	memset(c, 0, sizeof *c);
	const char *p = strstr(text, "pagenumber=\"");
	const char *l = strstr(text, "last%3d%22%7b");
	const char *v = strstr(text, "trackversion=\"");
	if (!p || !l || !v || strlen(l) < 13 + 36 || !sb_is_guid(l + 13, 36))
		return -1;
	c->page = atoi(p + 12) - 1;
	memcpy(c->last, l + 13, 36);
	c->tracking = strstr(text, "istracking=\"True\"") != NULL;
	c->trackversion = strtoull(v + 14, NULL, 10);
	return c->page >= 1 ? 0 : -1;
}

struct sort_ctx {
	const struct dv_rowctx *c;
	const struct sb_order *keys;
	int nkeys;
};
static __thread const struct sort_ctx *sort_state;

static int cmp_rows(const void *a, const void *b)
{
	const struct sort_ctx *s = sort_state;
	size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
	for (int i = 0; i < s->nkeys; i++) {
		struct sb_val va, vb;
		dv_field(s->c, ra, s->keys[i].index, &va);
		dv_field(s->c, rb, s->keys[i].index, &vb);
		int d = sb_val_cmp(&va, &vb);
		if (d)
			return s->keys[i].desc ? -d : d;
	}
	return (ra > rb) - (ra < rb);
}

static void collection(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const struct dv_table *tb,
		const struct sb_prefer *pf)
{
	struct dv_rowctx c = { &call->s->tenant, call->e, tb };
	const char *select = sb_kv_get(&rq->args, "$select"), *filter = sb_kv_get(&rq->args, "$filter");
	const char *orderby = sb_kv_get(&rq->args, "$orderby"), *top = sb_kv_get(&rq->args, "$top");
	const char *expand = sb_kv_get(&rq->args, "$expand"), *skip = sb_kv_get(&rq->args, "$skiptoken");
	const char *delta = sb_kv_get(&rq->args, "$deltatoken");
	char err[320];
	int *sel = NULL;
	size_t nsel = 0;
	struct sb_filter *flt = NULL;
	struct expand xs[2];
	int nx = 0;
	struct sb_order keys[MAX_ORDER];
	int nkeys = 0;
	size_t *rows = NULL;
	for (size_t i = 0; i < rq->args.n; i++) {
		const char *k = rq->args.items[i].k;
		static const char *const known[] = { "$select", "$filter", "$orderby", "$top", "$expand", "$skiptoken",
			"$deltatoken", "$count", NULL };
		bool ok = k[0] != '$';
		for (size_t j = 0; known[j] && !ok; j++)
			ok = !strcmp(k, known[j]);
		if (!ok) {
			sb_dv_error(rs, 400, "0x80060888", "The query parameter %s is not supported", k);
			return;
		}
	}
	bool tracking = pf->track_changes || delta;
	if (tracking && (filter || orderby || expand || top)) {
		sb_dv_error(rs, 400, "0x80060888", "The query options $filter, $orderby, $expand and $top are not supported "
				"with change tracking (Prefer: odata.track-changes or $deltatoken).");
		return;
	}
	if (select && sb_select_parse(select, dv_resolve, tb, &sel, &nsel, err, sizeof err) < 0) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		return;
	}
	if (filter && !(flt = sb_filter_parse(filter, dv_resolve, tb, err, sizeof err))) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		goto out;
	}
	if (orderby && (nkeys = sb_orderby_parse(orderby, dv_resolve, tb, keys, MAX_ORDER, err, sizeof err)) < 0) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		goto out;
	}
	if (expand && parse_expand(expand, tb, xs, &nx, rs) < 0)
		goto out;
	long limit = -1;
	/* "Don't use $top with the Prefer: odata.maxpagesize request header. If you include both, $top is
	 * ignored." (Page results using OData) */
	if (top && pf->maxpagesize > 0)
		top = NULL;
	if (top) {
		char *end;
		limit = strtol(top, &end, 10);
		if (!*top || *end || limit < 0) {
			sb_dv_error(rs, 400, "0x80060888", "Invalid value '%s' for $top.", top);
			goto out;
		}
	}
	if (delta) {
		dv_delta_answer(call, rq, rs, &c, sel, nsel, pf, delta);
		goto out;
	}
	struct cookie ck = { 0 };
	if (skip && parse_cookie(skip, &ck) < 0) {
		sb_dv_error(rs, 400, "0x80048d0a", "The $skiptoken is not valid. Follow @odata.nextLink exactly as given.");
		goto out;
	}
	int page = dv_page_size(call->s, pf);
	size_t total = tb->count(call->e), n = 0;
	rows = xmalloc((total ? total : 1) * sizeof *rows);
	size_t start_pos = 0;
	if (skip && !nkeys) {
		/* Resume after the last key served: rows added or removed meanwhile do not shift pages. */
		size_t lo = 0, hi = total;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			struct sb_val v;
			dv_field(&c, tb->at(call->e, mid), 0, &v);
			if (strcasecmp(v.s ? v.s : "", ck.last) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		start_pos = lo;
	}
	/* The candidates an index gives go into rows, and the ones that hold stay, in place. */
	size_t n_about = flt ? dv_rows_about(&call->s->tenant, call->e, tb, flt, rows) : (size_t)-1;
	if (n_about != (size_t)-1) { /* the table's key order is its row order (dv_rows_about) */
		for (size_t i = 0; i < n_about; i++)
			if (rows[i] >= start_pos && tb->live(call->e, rows[i]) && sb_filter_eval(flt, dv_field, &c, rows[i]))
				rows[n++] = rows[i];
	} else {
		for (size_t pos = start_pos; pos < total; pos++) {
			size_t row = tb->at(call->e, pos);
			if (tb->live(call->e, row) && (!flt || sb_filter_eval(flt, dv_field, &c, row)))
				rows[n++] = row;
		}
	}
	size_t offset = 0;
	if (nkeys) {
		struct sort_ctx sc = { &c, keys, nkeys };
		sort_state = &sc;
		qsort(rows, n, sizeof *rows, cmp_rows);
		sort_state = NULL;
		offset = skip ? (size_t)ck.page * (size_t)page : 0;
	}
	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	size_t end = offset + (size_t)page < n ? offset + (size_t)page : n;
	if (offset > n)
		offset = n;
	uint64_t trackversion = skip ? ck.trackversion : call->e->version;

	cJSON *o = cJSON_CreateObject();
	char *ctx = dv_context_url(call->e, tb, select, "");
	cJSON_AddStringToObject(o, "@odata.context", ctx);
	free(ctx);
	cJSON *arr = cJSON_AddArrayToObject(o, "value");
	for (size_t i = offset; i < end; i++) {
		cJSON *r = dv_row_json(&c, rows[i], sel, nsel, pf);
		if (nx)
			add_expansions(&c, rows[i], r, xs, nx, pf);
		cJSON_AddItemToArray(arr, r);
	}
	bool more = end < n && limit < 0;
	if (more) {
		struct sb_val first, last;
		dv_field(&c, rows[offset], 0, &first);
		dv_field(&c, rows[end - 1], 0, &last);
		char *cookie = make_cookie(tb, (skip ? ck.page : 0) + 1, first.s, last.s, tracking, trackversion);
		const char *set[] = { "$skiptoken", cookie, NULL };
		char *link = dv_link_with(call->e, tb, rq, set);
		cJSON_AddStringToObject(o, "@odata.nextLink", link);
		free(link);
		free(cookie);
	} else if (tracking) {
		char tokbuf[64];
		dv_delta_token(trackversion, tokbuf, sizeof tokbuf);
		const char *set[] = { "$deltatoken", tokbuf, NULL };
		char *link = dv_link_with(call->e, tb, rq, set);
		cJSON_AddStringToObject(o, "@odata.deltaLink", link);
		free(link);
	}
	if (pf->maxpagesize > 0 || tracking || pf->formatted) {
		char pa[160] = "";
		size_t l = 0;
		if (pf->maxpagesize > 0)
			l += (size_t)snprintf(pa + l, sizeof pa - l, "odata.maxpagesize=%d", page);
		if (tracking)
			l += (size_t)snprintf(pa + l, sizeof pa - l, "%sodata.track-changes", l ? "," : "");
		if (pf->formatted)
			snprintf(pa + l, sizeof pa - l, "%sodata.include-annotations=\"%s\"", l ? "," : "",
					pf->all_annotations ? "*" : "OData.Community.Display.V1.FormattedValue");
		sb_resp_header(rs, "Preference-Applied", "%s", pa);
	}
	sb_resp_json(rs, 200, o);
out:
	free(rows);
	free(sel);
	for (int i = 0; i < nx; i++)
		free(xs[i].sel);
	sb_filter_free(flt);
}

static void single(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const struct dv_table *tb,
		const char *key, const struct sb_prefer *pf)
{
	struct dv_rowctx c = { &call->s->tenant, call->e, tb };
	size_t row;
	if (dv_find(c.t, call->e, tb, key, &row) < 0 || !tb->live(call->e, row)) {
		sb_dv_error(rs, 404, "0x80040217", "%s With Id = %s Does Not Exist", tb->entity, key);
		return;
	}
	const char *select = sb_kv_get(&rq->args, "$select"), *expand = sb_kv_get(&rq->args, "$expand");
	char err[320];
	int *sel = NULL;
	size_t nsel = 0;
	struct expand xs[2];
	int nx = 0;
	if (select && sb_select_parse(select, dv_resolve, tb, &sel, &nsel, err, sizeof err) < 0) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		return;
	}
	if (expand && parse_expand(expand, tb, xs, &nx, rs) < 0) {
		free(sel);
		return;
	}
	cJSON *o = dv_row_json(&c, row, sel, nsel, pf);
	char *ctx = xasprintf("%s/" API_PREFIX "$metadata#%s%s%s%s/$entity", call->e->url, tb->set, select ? "(" : "",
			select ? select : "", select ? ")" : "");
	cJSON *full = sb_json_context_first(o, ctx);
	free(ctx);
	if (nx)
		add_expansions(&c, row, full, xs, nx, pf);
	char etag[40];
	snprintf(etag, sizeof etag, "W/\"%llu\"", (unsigned long long)tb->version(call->e, row));
	sb_resp_header(rs, "ETag", "%s", etag);
	sb_resp_json(rs, 200, full);
	free(sel);
	for (int i = 0; i < nx; i++)
		free(xs[i].sel);
}

/* PATCH organizations(<id>): the toggle. Call with the tenant lock held exclusively. */
static void patch_org(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const char *key,
		const struct sb_prefer *pf)
{
	struct sb_env *e = call->e;
	if (strcasecmp(key, e->org_id)) {
		sb_dv_error(rs, 404, "0x80040217", "organization With Id = %s Does Not Exist", key);
		return;
	}
	if (!(call->id->app ? call->id->sysadmin : call->id->global_admin)) {
		const char *su = sb_env_sysuser(&call->s->tenant, e, call->id->oid);
		sb_dv_error(rs, 403, "0x80040220", "Principal user (Id=%s, type=8, roleCount=1, privilegeCount=488, "
				"accessMode='%d', MetadataCachePrivilegesCount=0, BusinessUnitId=%s), is missing "
				"prvWriteOrganization privilege (Id=a4f0b4a1-3c7e-4c9c-8f55-3f7f6b1e0a11) on OTC=1019 for "
				"entity 'organization'.", su ? su : call->id->oid, call->id->app ? 4 : 0, e->bu_id);
		return;
	}
	char etag[40];
	snprintf(etag, sizeof etag, "W/\"%llu\"", (unsigned long long)e->org_version);
	const char *im = sb_req_header(rq, "If-Match");
	if (im && strcmp(im, "*") && strcmp(im, etag)) {
		sb_dv_error(rs, 412, "0x80060882", "The version of the existing record doesn't match the RowVersion property "
				"provided.");
		return;
	}
	cJSON *body = rq->body ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		sb_dv_error(rs, 400, "0x80048d19", "Error identified in Payload provided by the user for Entity :'organizations', "
				"the body is not a JSON object.");
		return;
	}
	bool sync = e->sync_enabled;
	int days = e->inactivity_days;
	const cJSON *it;
	cJSON_ArrayForEach(it, body) {
		if (!strcmp(it->string, "teamschatdatasync") && cJSON_IsBool(it)) {
			sync = cJSON_IsTrue(it);
		} else if (!strcmp(it->string, "daysbeforeinactiveteamschatsyncdisabled") && cJSON_IsNumber(it)) {
			days = it->valueint;
			if (it->valuedouble != (double)days || days < 1 || days > 28) {
				sb_dv_error(rs, 400, "0x80044331", "A validation error occurred. The value %g of "
						"'daysbeforeinactiveteamschatsyncdisabled' on record of type 'organization' is "
						"outside the valid range. Accepted Values: 1 to 28.", it->valuedouble);
				cJSON_Delete(body);
				return;
			}
		} else if (!strcmp(it->string, "teamschatdatasync") || !strcmp(it->string, "daysbeforeinactiveteamschatsyncdisabled")) {
			sb_dv_error(rs, 400, "0x80048d19", "Error identified in Payload provided by the user for Entity "
					":'organizations': the value of '%s' has the wrong type.", it->string);
			cJSON_Delete(body);
			return;
		} else {
			sb_dv_error(rs, 400, "0x80060888", "Invalid property '%s' was found in entity "
					"'Microsoft.Dynamics.CRM.organization'.", it->string);
			cJSON_Delete(body);
			return;
		}
	}
	cJSON_Delete(body);
	e->sync_enabled = sync;
	e->inactivity_days = days;
	e->org_version = sb_env_bump(e);
	e->org_modified = sb_now();
	sb_resp_header(rs, "OData-EntityId", "%s/" API_PREFIX "organizations(%s)", e->url, e->org_id);
	sb_resp_header(rs, "ETag", "W/\"%llu\"", (unsigned long long)e->org_version);
	if (pf->return_representation) {
		struct dv_rowctx c = { &call->s->tenant, e, dv_table_by_id(SB_TBL_ORG) };
		sb_resp_json(rs, 200, dv_row_json(&c, 0, NULL, 0, pf));
	} else {
		sb_resp_text(rs, 204, NULL, NULL);
	}
}

void dv_dispatch(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const char *api)
{
	struct sb_prefer pf;
	sb_prefer_parse(sb_req_header(rq, "Prefer"), &pf);
	if (!strcmp(api, "WhoAmI") || !strcmp(api, "WhoAmI()")) {
		if (strcmp(rq->method, "GET")) {
			sb_dv_error(rs, 405, "0x80060888", "The HTTP method %s is not allowed for WhoAmI.", rq->method);
			return;
		}
		const char *su = sb_env_sysuser(&call->s->tenant, call->e, call->id->oid);
		cJSON *o = cJSON_CreateObject();
		char *ctx = xasprintf("%s/" API_PREFIX "$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", call->e->url);
		cJSON_AddStringToObject(o, "@odata.context", ctx);
		free(ctx);
		cJSON_AddStringToObject(o, "BusinessUnitId", call->e->bu_id);
		cJSON_AddStringToObject(o, "UserId", su ? su : call->id->oid);
		cJSON_AddStringToObject(o, "OrganizationId", call->e->org_id);
		sb_resp_json(rs, 200, o);
		return;
	}
	if (!strcmp(api, "$batch")) {
		if (rq->inner)
			sb_dv_error(rs, 400, "0x80060888", "A $batch request cannot contain another $batch.");
		else if (strcmp(rq->method, "POST"))
			sb_dv_error(rs, 405, "0x80060888", "$batch accepts POST only.");
		else
			dv_batch(call, rq, rs);
		return;
	}
	char *set = xstrdup(api), *key = NULL;
	char *paren = strchr(set, '(');
	if (paren) {
		size_t len = strlen(paren);
		if (len < 3 || paren[len - 1] != ')') {
			sb_dv_error(rs, 400, "0x80060888", "Bad Request - Error in query syntax.");
			free(set);
			return;
		}
		paren[len - 1] = '\0';
		*paren = '\0';
		key = paren + 1;
	}
	const struct dv_table *tb = dv_table_by_set(set);
	if (!tb) {
		sb_dv_error(rs, 404, "0x8006088a", "Resource not found for the segment '%s'.", set);
	} else if (!strcmp(rq->method, "GET")) {
		if (!call->write_locked)
			pthread_rwlock_rdlock(&call->s->tenant.lock);
		if (key)
			single(call, rq, rs, tb, key, &pf);
		else
			collection(call, rq, rs, tb, &pf);
		if (!call->write_locked)
			pthread_rwlock_unlock(&call->s->tenant.lock);
	} else if (!strcmp(rq->method, "PATCH") && key && tb->id == SB_TBL_ORG) {
		if (!call->write_locked)
			pthread_rwlock_wrlock(&call->s->tenant.lock);
		patch_org(call, rq, rs, key, &pf);
		if (!call->write_locked)
			pthread_rwlock_unlock(&call->s->tenant.lock);
	} else {
		sb_dv_error(rs, 405, "0x80060888", "The HTTP method %s is not allowed on '%s' in the sandbox; it serves "
				"reads, and PATCH of organizations.", rq->method, api);
	}
	free(set);
}

static void throttle(struct sb_resp *rs, int wait, const char *code, const char *msg)
{
	sb_resp_header(rs, "Retry-After", "%d", wait);
	sb_dv_error(rs, 429, code, "%s", msg);
	rs->throttled = true;
}

void sb_dv_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *env_name, const char *rest)
{
	sb_resp_header(rs, "Content-Type", "application/json; odata.metadata=minimal");
	sb_resp_header(rs, "OData-Version", "4.0");
	sb_resp_header(rs, "REQ_ID", "%s", rq->request_id);
	sb_resp_header(rs, "x-ms-service-request-id", "%s", rq->request_id);
	sb_resp_header(rs, "x-ms-dop-hint", "%d", 4);
	struct sb_env *e = sb_tenant_env(&s->tenant, env_name);
	const char *api = sb_skip_prefix(rest, API_PREFIX);
	if (!e || !api) {
		sb_dv_error(rs, 404, "0x8006088a", "Resource not found for the segment '%s'.", e ? rest : env_name);
		return;
	}
	const char *aud[] = { e->url, NULL };
	struct sb_ident id;
	enum sb_auth_fail af = sb_auth_check(s, rq, aud, &id);
	if (af != SB_AUTH_OK) {
		sb_resp_header(rs, "WWW-Authenticate", "Bearer authorization_uri=%s/entra/%s/oauth2/authorize, resource_id=%s/",
				s->base_url, s->tenant.tenant_id, e->url);
		sb_dv_error(rs, 401, "0x80072182", "%s", sb_auth_fail_text(af));
		return;
	}
	/* Service protection limits are per user (or application user) per environment ("Service
	 * protection API limits": evaluated per web server of an environment): a caller busy in one
	 * environment is not throttled in another. */
	char key_n[200], key_c[200], key_t[200];
	snprintf(key_n, sizeof key_n, "dv-n:%s:%s", e->unique_name, id.oid);
	snprintf(key_c, sizeof key_c, "dv-c:%s:%s", e->unique_name, id.oid);
	snprintf(key_t, sizeof key_t, "dv-t:%s:%s", e->unique_name, id.oid);
	if (!sb_limit_enter(s->limits, key_n, 52)) {
		throttle(rs, 1, "0x80072326", "Number of concurrent requests exceeded the limit of 52.");
		return;
	}
	int wait;
	double t0 = sb_mono();
	if ((wait = sb_limit_take(s->limits, key_c, 6000, 300)) > 0) {
		throttle(rs, wait, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.");
	} else if ((wait = sb_limit_time_check(s->limits, key_t, 1200, 300)) > 0) {
		throttle(rs, wait, "0x80072321", "Combined execution time of incoming requests exceeded limit of 1,200,000 "
				"milliseconds over time window of 300 seconds. Decrease number of concurrent requests or "
				"reduce the duration of requests and try again later.");
	} else {
		sb_sleep_ms(rq->fault_delay_ms);
		if (rq->fault_status == 429)
			throttle(rs, 1, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.");
		else if (rq->fault_status)
			sb_dv_error(rs, 503, "0x80040216", "The service is temporarily unavailable. Try again later.");
		else {
			struct dv_call call = { s, e, &id, dv_dispatch, false };
			dv_dispatch(&call, rq, rs, api);
		}
		sb_limit_spend(s->limits, key_t, sb_mono() - t0);
	}
	sb_limit_leave(s->limits, key_n);
}
