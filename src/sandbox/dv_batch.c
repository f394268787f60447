/* Dataverse multipart $batch: each part an HTTP request, answered in order in a multipart reply. */
#include "config.h"
#include "sandbox/dv.h"
#include "sandbox/odata.h"
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
	size_t n = strcspn(b, "; \t");
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
		if (list)
			sb_kv_addn(list, s, (size_t)(colon - s), v, (size_t)(le - v));
	}
}

/* The Web API path of an inner request URL: absolute, "/api/data/v9.2/...", or relative. */
static const char *api_path(const char *url)
{
	const char *p = strstr(url, "/api/data/v9.2/");
	if (p)
		return p + 15;
	return url[0] == '/' || strstr(url, "://") ? NULL : url;
}

static void answer_part(struct buf *out, const char *bnd, struct sb_resp *in)
{
	buf_printf(out, "--%s\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n", bnd);
	buf_printf(out, "HTTP/1.1 %d %s\r\n", in->status, reason(in->status));
	for (size_t i = 0; i < in->headers.n; i++)
		buf_printf(out, "%s: %s\r\n", in->headers.items[i].k, in->headers.items[i].v);
	buf_adds(out, "\r\n");
	if (in->body.len)
		buf_add(out, in->body.data, in->body.len);
	buf_adds(out, "\r\n");
}

static void run_part(struct dv_call *call, const char *s, const char *end, struct sb_resp *out)
{
	const char *p = s;
	struct sb_kvlist part_headers = { 0 };
	take_headers(&p, end, &part_headers);
	const char *ptype = sb_kv_get(&part_headers, "Content-Type");
	if (ptype && !strncasecmp(ptype, "multipart/mixed", 15)) {
		sb_dv_error(out, 400, "0x80060888", "Change sets are not supported by the sandbox: send the requests as "
				"separate parts.");
		sb_kv_free(&part_headers);
		return;
	}
	sb_kv_free(&part_headers);
	const char *ls = p, *le = take_line(&p, end);
	char *line = xstrndup(ls, (size_t)(le - ls));
	char method[16] = "", url[8192] = "";
	const char *api = NULL;
	if (sscanf(line, "%15s %8191s", method, url) == 2)
		api = api_path(url);
	free(line);
	if (!api) {
		sb_dv_error(out, 400, "0x80060888", "The batch part has no request line with a Web API URL.");
		return;
	}
	struct sb_req rq = { 0 };
	char *target = xasprintf("/%s", api);
	sb_req_from_target(&rq, method, target);
	free(target);
	rq.inner = true;
	take_headers(&p, end, &rq.headers);
	size_t blen = (size_t)(end - p);
	while (blen && (p[blen - 1] == '\n' || p[blen - 1] == '\r'))
		blen--;
	rq.body = xstrndup(p, blen);
	rq.body_len = blen;
	sb_resp_header(out, "OData-Version", "4.0");
	dv_dispatch(call, &rq, out, rq.path + 1);
	rq.method = NULL;
	sb_req_free(&rq);
}

void dv_batch(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	char *bnd = boundary_of(sb_req_header(rq, "Content-Type"));
	if (!bnd || !rq->body) {
		sb_dv_error(rs, 400, "0x80060888", "The $batch request must be multipart/mixed with a boundary.");
		free(bnd);
		return;
	}
	struct sb_prefer pf;
	sb_prefer_parse(sb_req_header(rq, "Prefer"), &pf);
	char *delim = xasprintf("--%s", bnd);
	size_t dlen = strlen(delim);
	const char *body = rq->body, *end = rq->body + rq->body_len;
	char rid[37];
	sb_random_guid(rid);
	char *rbnd = xasprintf("batchresponse_%s", rid);
	struct buf out;
	buf_init(&out);
	int parts = 0;
	const char *cur = strstr(body, delim);
	while (cur && cur + dlen <= end && strncmp(cur + dlen, "--", 2)) {
		const char *start = cur + dlen;
		const char *nl = memchr(start, '\n', (size_t)(end - start));
		if (!nl)
			break;
		start = nl + 1;
		const char *next = strstr(start, delim);
		const char *pend = next ? next : end;
		if (++parts > MAX_PARTS) {
			buf_free(&out);
			sb_dv_error(rs, 400, "0x8005f3ff", "Number of requests in a batch exceeded the limit of %d.", MAX_PARTS);
			goto done;
		}
		struct sb_resp part;
		sb_resp_init(&part);
		run_part(call, start, pend, &part);
		answer_part(&out, rbnd, &part);
		bool failed = part.status >= 400;
		sb_resp_free(&part);
		cur = next;
		if (failed && !pf.continue_on_error)
			break;
	}
	if (!parts) {
		buf_free(&out);
		sb_dv_error(rs, 400, "0x80060888", "The $batch body has no part delimited by '%s'.", delim);
		goto done;
	}
	buf_printf(&out, "--%s--\r\n", rbnd);
	sb_resp_header(rs, "Content-Type", "multipart/mixed; boundary=%s", rbnd);
	rs->status = 200;
	buf_free(&rs->body);
	rs->body = out;
done:
	free(rbnd);
	free(delim);
	free(bnd);
}
