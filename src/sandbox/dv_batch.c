/* Dataverse multipart $batch, as "Execute batch operations using the Web API" describes it: parts
 * are HTTP requests answered in order; a part that is itself multipart/mixed is a change set, whose
 * requests (no GET) run as one transaction: all of them take effect, or, when one fails, none, and the
 * change set is answered by that one failed request. Content-ID names a change-set request, and "$N"
 * at the start of a later request's URL in the same change set stands for the entity it returned. The
 * batch stops at the first failure (answering with that status) unless Prefer: odata.continue-on-error. */
#include "config.h"
#include "sandbox/dv_rows.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARTS 1000

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 412: return "Precondition Failed";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 400 ? "OK" : "Error";
	}
}

/* boundary= value of a Content-Type, quotes removed. Caller owns; NULL when absent. */
static char *boundary_of(const char *ctype)
{
	const char *b = ctype ? strcasestr(ctype, "boundary=") : NULL;
	if (!b)
		return NULL;
	b += 9;
	if (*b == '"') {
		const char *e = strchr(b + 1, '"');
		return e ? xstrndup(b + 1, (size_t)(e - b - 1)) : NULL;
	}
	size_t n = strcspn(b, "; \t\r\n");
	return n ? xstrndup(b, n) : NULL;
}

/* Next line of [p, end): returns its end (without CR/LF) and moves *p past the line break. */
static const char *take_line(const char **p, const char *end)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	const char *le = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	if (le > s && le[-1] == '\r')
		le--;
	return le;
}

/* Headers up to a blank line into list; *p ends after the blank line. */
static void take_headers(const char **p, const char *end, struct sb_kvlist *list)
{
	while (*p < end) {
		const char *s = *p, *le = take_line(p, end);
		if (le == s)
			break;
		const char *colon = memchr(s, ':', (size_t)(le - s));
		if (!colon)
			continue;
		const char *v = colon + 1;
		while (v < le && (*v == ' ' || *v == '\t'))
			v++;
		sb_kv_addn(list, s, (size_t)(colon - s), v, (size_t)(le - v));
	}
}

/* The parts of a multipart body delimited by "--bnd" lines, up to "--bnd--". Returns how many went
 * into out (at most max; *more says there were more), each [s, e) after its delimiter line. */
struct range {
	const char *s, *e;
};

static size_t split_parts(const char *body, const char *end, const char *bnd, struct range *out, size_t max,
		bool *more)
{
	char *delim = xasprintf("--%s", bnd);
	size_t dlen = strlen(delim), n = 0;
	*more = false;
	const char *cur = NULL;
	for (const char *p = body; p < end;) {
		if ((size_t)(end - p) >= dlen && !memcmp(p, delim, dlen) && (p == body || p[-1] == '\n')) {
			cur = p;
			break;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	while (cur && (size_t)(end - cur) >= dlen + 2 && strncmp(cur + dlen, "--", 2)) {
		const char *start = memchr(cur, '\n', (size_t)(end - cur));
		if (!start)
			break;
		start++;
		const char *next = NULL;
		for (const char *p = start; p < end;) {
			if ((size_t)(end - p) >= dlen && !memcmp(p, delim, dlen) && p[-1] == '\n') {
				next = p;
				break;
			}
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		const char *pe = next ? next : end;
		if (pe > start && pe[-1] == '\n')
			pe--;
		if (pe > start && pe[-1] == '\r')
			pe--;
		if (n == max) {
			*more = true;
			break;
		}
		out[n++] = (struct range){ start, pe };
		cur = next;
	}
	free(delim);
	return n;
}

static void answer_part(struct buf *out, const char *bnd, const struct sb_resp *in, const char *content_id)
{
	buf_printf(out, "--%s\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n", bnd);
	if (content_id)
		buf_printf(out, "Content-ID: %s\r\n", content_id);
	buf_printf(out, "\r\nHTTP/1.1 %d %s\r\n", in->status, reason(in->status));
	for (size_t i = 0; i < in->headers.n; i++)
		buf_printf(out, "%s: %s\r\n", in->headers.items[i].k, in->headers.items[i].v);
	buf_adds(out, "\r\n");
	if (in->body.len)
		buf_add(out, in->body.data, in->body.len);
	buf_adds(out, "\r\n");
}

/* The Web API path of an inner request URL: absolute, "/api/data/v9.2/...", or relative. */
static const char *api_path(const char *url)
{
	const char *p = strstr(url, "/api/data/v9.2/");
	if (p)
		return p + 15;
	return url[0] == '/' || strstr(url, "://") ? NULL : url;
}

/* Content-IDs of a change set and the entity URL each request answered with (OData-EntityId). */
struct cid {
	char *id, *entity;
};

/* One request part (after its part headers): request line, headers, body. refs resolves "$N"
 * (NULL outside change sets). */
static void run_request(struct dv_call *call, const char *p, const char *end, const struct cid *refs, size_t nrefs,
		bool in_changeset, struct sb_resp *out)
{
	sb_resp_header(out, "OData-Version", "4.0");
	const char *ls = p, *le = take_line(&p, end);
	char *line = xstrndup(ls, (size_t)(le - ls));
	char method[16] = "", url[8192] = "";
	int fields = sscanf(line, "%15s %8191s", method, url);
	free(line);
	char *resolved = NULL;
	if (fields == 2 && url[0] == '$' && isdigit((unsigned char)url[1])) {
		size_t idlen = strspn(url + 1, "0123456789");
		for (size_t i = 0; i < nrefs && !resolved; i++)
			if (refs[i].entity && strlen(refs[i].id) == idlen && !strncmp(refs[i].id, url + 1, idlen))
				resolved = xasprintf("%s%s", refs[i].entity, url + 1 + idlen);
		if (!resolved) {
			sb_dv_error(out, 400, "0x80060888", "Content-ID Reference: '$%.*s' does not exist in the batch context.",
					(int)idlen, url + 1);
			return;
		}
	}
	const char *api = fields == 2 ? api_path(resolved ? resolved : url) : NULL;
	if (!api) {
		sb_dv_error(out, 400, "0x80060888", "The batch part has no request line with a Web API URL.");
		free(resolved);
		return;
	}
	if (in_changeset && !strcmp(method, "GET")) {
		sb_dv_error(out, 400, "0x80060888", "GET requests are not allowed in a change set: a change set holds "
				"only operations that change data. Send the GET as a part of the batch outside the change set.");
		free(resolved);
		return;
	}
	struct sb_req rq = { 0 };
	char *target = xasprintf("/%s", api);
	free(resolved);
	sb_req_from_target(&rq, method, target);
	free(target);
	rq.inner = true;
	take_headers(&p, end, &rq.headers);
	size_t blen = (size_t)(end - p);
	while (blen && (p[blen - 1] == '\n' || p[blen - 1] == '\r'))
		blen--;
	rq.body = xstrndup(p, blen);
	rq.body_len = blen;
	call->dispatch(call, &rq, out, rq.path + 1);
	rq.method = NULL;
	sb_req_free(&rq);
}

/* What a change set may change in the environment, kept to undo it. */
struct env_snapshot {
	bool sync_enabled;
	int inactivity_days;
	uint64_t org_version, version;
	int64_t org_modified;
	size_t n_deleted;
};

static void snapshot(const struct sb_env *e, struct env_snapshot *s)
{
	*s = (struct env_snapshot){ e->sync_enabled, e->inactivity_days, e->org_version, e->version, e->org_modified,
		e->n_deleted };
}

static void restore(struct sb_env *e, const struct env_snapshot *s)
{
	e->sync_enabled = s->sync_enabled;
	e->inactivity_days = s->inactivity_days;
	e->org_version = s->org_version;
	e->version = s->version;
	e->org_modified = s->org_modified;
	e->n_deleted = s->n_deleted;
}

/* A change set [p, end) with boundary bnd, written to out under the batch boundary rbnd. Returns the
 * status of its failed request, or 0 when every request succeeded. *count counts its requests. */
static int run_changeset(struct dv_call *call, const char *p, const char *end, const char *bnd, struct buf *out,
		const char *rbnd, int *count)
{
	struct range parts[MAX_PARTS];
	bool more;
	size_t n = split_parts(p, end, bnd, parts, MAX_PARTS, &more);
	struct sb_resp fail;
	sb_resp_init(&fail);
	int failed = 0;
	if (!n || more || *count + (int)n > MAX_PARTS) {
		if (!n)
			sb_dv_error(&fail, 400, "0x80060888", "The change set has no part delimited by '--%s'.", bnd);
		else
			sb_dv_error(&fail, 400, "0x8005f3ff", "Number of requests in a batch exceeded the limit of %d.",
					MAX_PARTS);
		answer_part(out, rbnd, &fail, NULL);
		sb_resp_free(&fail);
		return 400;
	}
	*count += (int)n;
	struct sb_resp *rs = xcalloc(n, sizeof *rs);
	struct cid *cids = xcalloc(n, sizeof *cids);
	size_t done = 0;
	pthread_rwlock_wrlock(&call->s->tenant.lock);
	struct env_snapshot snap;
	snapshot(call->e, &snap);
	struct dv_call inner = *call;
	inner.write_locked = true;
	for (size_t i = 0; i < n && !failed; i++, done++) {
		const char *q = parts[i].s;
		struct sb_kvlist ph = { 0 };
		take_headers(&q, parts[i].e, &ph);
		const char *ctype = sb_kv_get(&ph, "Content-Type"), *cid = sb_kv_get(&ph, "Content-ID");
		sb_resp_init(&rs[i]);
		cids[i].id = cid ? xstrdup(cid) : NULL;
		bool twice = false;
		for (size_t k = 0; cid && k < i && !twice; k++)
			twice = cids[k].id && !strcmp(cids[k].id, cid);
		if (twice) {
			sb_dv_error(&rs[i], 400, "0x80060888", "The Content-ID '%s' is used twice in one change set.", cid);
		} else if (!ctype || strncasecmp(ctype, "application/http", 16)) {
			sb_dv_error(&rs[i], 400, "0x80060888", "A change set part must be Content-Type: application/http%s.",
					ctype && !strncasecmp(ctype, "multipart/mixed", 15) ? " (change sets do not nest)" : "");
		} else {
			run_request(&inner, q, parts[i].e, cids, i, true, &rs[i]);
			const char *ent = sb_kv_get(&rs[i].headers, "OData-EntityId");
			cids[i].entity = ent ? xstrdup(ent) : NULL;
		}
		sb_kv_free(&ph);
		if (rs[i].status >= 400)
			failed = rs[i].status;
	}
	if (failed)
		restore(call->e, &snap);
	pthread_rwlock_unlock(&call->s->tenant.lock);
	if (failed) {
		/* The whole change set is answered by the one request that failed. */
		answer_part(out, rbnd, &rs[done - 1], cids[done - 1].id);
	} else {
		char g[37];
		sb_random_guid(g);
		buf_printf(out, "--%s\r\nContent-Type: multipart/mixed; boundary=changesetresponse_%s\r\n\r\n", rbnd, g);
		char *cbnd = xasprintf("changesetresponse_%s", g);
		for (size_t i = 0; i < n; i++)
			answer_part(out, cbnd, &rs[i], cids[i].id);
		buf_printf(out, "--%s--\r\n", cbnd);
		free(cbnd);
	}
	for (size_t i = 0; i < n; i++) {
		if (i < done)
			sb_resp_free(&rs[i]);
		free(cids[i].id);
		free(cids[i].entity);
	}
	free(rs);
	free(cids);
	sb_resp_free(&fail);
	return failed;
}

void dv_batch(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	char *bnd = boundary_of(sb_req_header(rq, "Content-Type"));
	const char *ct = sb_req_header(rq, "Content-Type");
	if (!bnd || !rq->body || !ct || strncasecmp(ct, "multipart/mixed", 15)) {
		sb_dv_error(rs, 400, "0x80060888", "The $batch request must be multipart/mixed with a boundary.");
		free(bnd);
		return;
	}
	struct sb_prefer pf;
	sb_prefer_parse(sb_req_header(rq, "Prefer"), &pf);
	struct range *parts = xmalloc(MAX_PARTS * sizeof *parts);
	bool more;
	size_t n = split_parts(rq->body, rq->body + rq->body_len, bnd, parts, MAX_PARTS, &more);
	char rid[37];
	sb_random_guid(rid);
	char *rbnd = xasprintf("batchresponse_%s", rid);
	struct buf out;
	buf_init(&out);
	int count = 0, stopped = 0;
	if (more) {
		sb_dv_error(rs, 400, "0x8005f3ff", "Number of requests in a batch exceeded the limit of %d.", MAX_PARTS);
		goto done;
	}
	if (!n) {
		sb_dv_error(rs, 400, "0x80060888", "The $batch body has no part delimited by '--%s'.", bnd);
		goto done;
	}
	for (size_t i = 0; i < n && !stopped; i++) {
		const char *p = parts[i].s;
		struct sb_kvlist ph = { 0 };
		take_headers(&p, parts[i].e, &ph);
		const char *ptype = sb_kv_get(&ph, "Content-Type");
		int failed = 0;
		if (ptype && !strncasecmp(ptype, "multipart/mixed", 15)) {
			char *cbnd = boundary_of(ptype);
			if (cbnd) {
				failed = run_changeset(call, p, parts[i].e, cbnd, &out, rbnd, &count);
			} else {
				struct sb_resp part;
				sb_resp_init(&part);
				sb_dv_error(&part, 400, "0x80060888", "The change set's Content-Type has no boundary.");
				answer_part(&out, rbnd, &part, NULL);
				sb_resp_free(&part);
				failed = 400;
			}
			free(cbnd);
		} else if (++count > MAX_PARTS) {
			buf_free(&out);
			sb_kv_free(&ph);
			sb_dv_error(rs, 400, "0x8005f3ff", "Number of requests in a batch exceeded the limit of %d.", MAX_PARTS);
			goto done;
		} else {
			struct sb_resp part;
			sb_resp_init(&part);
			run_request(call, p, parts[i].e, NULL, 0, false, &part);
			answer_part(&out, rbnd, &part, NULL);
			failed = part.status >= 400 ? part.status : 0;
			sb_resp_free(&part);
		}
		sb_kv_free(&ph);
		if (failed && !pf.continue_on_error)
			stopped = failed;
	}
	if (count > MAX_PARTS) {
		buf_free(&out);
		sb_dv_error(rs, 400, "0x8005f3ff", "Number of requests in a batch exceeded the limit of %d.", MAX_PARTS);
		goto done;
	}
	buf_printf(&out, "--%s--\r\n", rbnd);
	sb_resp_header(rs, "Content-Type", "multipart/mixed; boundary=%s", rbnd);
	/* Without odata.continue-on-error the batch answers with the status of the request that stopped it. */
	rs->status = stopped ? stopped : 200;
	buf_free(&rs->body);
	rs->body = out;
	buf_init(&out);
done:
	buf_free(&out);
	free(parts);
	free(rbnd);
	free(bnd);
}
