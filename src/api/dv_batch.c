#include "config.h"
#include "api/dv_batch.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *dv_batch_body(char *const *urls, size_t n, char **content_type)
{
	unsigned char rnd[8];
	RAND_bytes(rnd, sizeof rnd);
	char boundary[40];
	snprintf(boundary, sizeof boundary, "batch_%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
		 rnd[4], rnd[5], rnd[6], rnd[7]);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		const char *path = strstr(urls[i], "://");
		path = path ? strchr(path + 3, '/') : urls[i];
		buf_printf(&b, "--%s\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
			   "GET %s HTTP/1.1\r\nAccept: application/json\r\n"
			   "Prefer: odata.include-annotations=\"*\"\r\n\r\n", boundary, path ? path : "/");
	}
	buf_printf(&b, "--%s--\r\n", boundary);
	*content_type = xasprintf("multipart/mixed; boundary=\"%s\"", boundary);
	return buf_steal(&b);
}

/* The boundary from a Content-Type header value (quoted or not). Caller owns. */
static char *header_boundary(const char *ct)
{
	const char *b = ct ? strstr(ct, "boundary=") : NULL;
	if (!b)
		return NULL;
	b += 9;
	if (*b == '"')
		return xstrndup(b + 1, strcspn(b + 1, "\""));
	return xstrndup(b, strcspn(b, "; \t\r\n"));
}

/* The first delimiter line of the body gives the boundary when there is no header. */
static char *body_boundary(const char *body)
{
	for (const char *p = body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (p[0] == '-' && p[1] == '-')
			return xstrndup(p + 2, strcspn(p + 2, "\r\n"));
	return NULL;
}

/* End of a header block: the blank line (CRLF or LF); returns where the next block starts. */
static const char *skip_headers(const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		size_t len = (size_t)(nl - p);
		if (len == 0 || (len == 1 && p[0] == '\r'))
			return nl + 1;
		p = nl + 1;
	}
	return NULL;
}

static int parse_part(const char *p, const char *end, struct dv_batch_part *part)
{
	p = memchr(p, '\n', (size_t)(end - p)); /* the rest of the delimiter line */
	if (!p)
		return -1;
	p = skip_headers(p + 1, end); /* the part's own headers: Content-Type: application/http ... */
	if (!p)
		return -1;
	int status;
	if (sscanf(p, "HTTP/1.1 %d", &status) != 1)
		return -1;
	p = skip_headers(p, end); /* the status line and the inner response's headers */
	if (!p)
		return -1;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	part->status = status;
	part->body = xstrndup(p, (size_t)(end - p));
	return 0;
}

int dv_parse_batch(const char *content_type, const char *body, struct dv_batch_part **parts, size_t *n,
		   struct cs_error *err)
{
	*parts = NULL;
	*n = 0;
	char *boundary = header_boundary(content_type);
	if (!boundary)
		boundary = body_boundary(body);
	if (!boundary || !*boundary) {
		free(boundary);
		return cs_fail(err, CS_EXIT_NETWORK, _("the $batch answer has no multipart boundary (malformed; run again)"));
	}
	char *delim = xasprintf("--%s", boundary);
	size_t dlen = strlen(delim);
	const char *p = body ? strstr(body, delim) : NULL;
	int rc = 0;
	bool closed = false;
	while (p && rc == 0) {
		p += dlen;
		if (p[0] == '-' && p[1] == '-') {
			closed = true;
			break;
		}
		const char *next = strstr(p, delim);
		if (!next)
			break;
		*parts = xrealloc(*parts, (*n + 1) * sizeof **parts);
		if (parse_part(p, next, &(*parts)[*n]) == 0)
			(*n)++;
		else
			rc = -1;
		p = next;
	}
	if (rc == 0 && !closed)
		rc = -1; /* a body cut off before the closing delimiter lost parts: do not pretend otherwise */
	free(delim);
	free(boundary);
	if (rc) {
		dv_batch_parts_free(*parts, *n);
		*parts = NULL;
		*n = 0;
		return cs_fail(err, CS_EXIT_NETWORK, _("the $batch answer is truncated or malformed (run again)"));
	}
	return 0;
}

void dv_batch_parts_free(struct dv_batch_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(parts[i].body);
	free(parts);
}
