#include "config.h"
#include "net/neterr.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE 240 /* bytes of the service's message quoted in a sentence */
#define MAX_SEGMENT 24  /* path segments longer than this are shortened */

/* Everything a service says passes text_sanitize before it can reach an error, the terminal or
 * the log: no escape sequence, control character or bidi override survives. */
static void copy_str(char *dst, size_t n, const char *src)
{
	char *clean = text_sanitize(src);
	snprintf(dst, n, "%s", clean);
	free(clean);
}

/* Cuts s at max bytes on a UTF-8 boundary and marks the cut with an ellipsis. */
static void ellipsize(char *s, size_t max)
{
	size_t len = strlen(s);
	if (len <= max)
		return;
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '.'))
		cut--;
	strcpy(s + cut, "…");
}

/* Graph prints `request-id` (older pages `requestId`); Dataverse has no inner id. */
static void inner_request_id(const cJSON *inner, struct neterr_body *out)
{
	static const char *const keys[] = { "request-id", "requestId", "client-request-id" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys && !out->request_id[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(inner, keys[i]);
		if (cJSON_IsString(v) && i < 2)
			copy_str(out->request_id, sizeof out->request_id, v->valuestring);
	}
}

int neterr_parse(const char *body, size_t len, struct neterr_body *out)
{
	memset(out, 0, sizeof *out);
	if (!body || !len)
		return -1;
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -1;
	}
	int rc = -1;
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsObject(error)) { /* Graph, Dataverse */
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
		if (cJSON_IsString(code))
			copy_str(out->code, sizeof out->code, code->valuestring);
		if (cJSON_IsString(msg))
			copy_str(out->message, sizeof out->message, msg->valuestring);
		const cJSON *inner = cJSON_GetObjectItemCaseSensitive(error, "innerError");
		if (!inner)
			inner = cJSON_GetObjectItemCaseSensitive(error, "innererror");
		if (cJSON_IsObject(inner))
			inner_request_id(inner, out);
		rc = out->code[0] || out->message[0] ? 0 : -1;
	} else if (cJSON_IsString(error)) { /* Entra ID (OAuth 2.0) */
		copy_str(out->code, sizeof out->code, error->valuestring);
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "error_description");
		if (cJSON_IsString(desc)) {
			/* The description repeats trace id, correlation id and time after a line break. */
			size_t first = strcspn(desc->valuestring, "\r\n");
			char *line = xstrndup(desc->valuestring, first);
			copy_str(out->message, sizeof out->message, line);
			free(line);
		}
		const cJSON *trace = cJSON_GetObjectItemCaseSensitive(root, "trace_id");
		const cJSON *corr = cJSON_GetObjectItemCaseSensitive(root, "correlation_id");
		const cJSON *codes = cJSON_GetObjectItemCaseSensitive(root, "error_codes");
		if (cJSON_IsString(trace))
			copy_str(out->request_id, sizeof out->request_id, trace->valuestring);
		if (cJSON_IsString(corr))
			copy_str(out->correlation_id, sizeof out->correlation_id, corr->valuestring);
		if (cJSON_IsArray(codes) && cJSON_IsNumber(cJSON_GetArrayItem(codes, 0)))
			out->entra_code = cJSON_GetArrayItem(codes, 0)->valueint;
		rc = 0;
	}
	cJSON_Delete(root);
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}

#define HTTP_REASONS                                   \
	X(200, "OK")                                   \
	X(201, "Created")                              \
	X(202, "Accepted")                             \
	X(204, "No Content")                           \
	X(301, "Moved Permanently")                    \
	X(302, "Found")                                \
	X(303, "See Other")                            \
	X(304, "Not Modified")                         \
	X(307, "Temporary Redirect")                   \
	X(308, "Permanent Redirect")                   \
	X(400, "Bad Request")                          \
	X(401, "Unauthorized")                         \
	X(403, "Forbidden")                            \
	X(404, "Not Found")                            \
	X(405, "Method Not Allowed")                   \
	X(406, "Not Acceptable")                       \
	X(409, "Conflict")                             \
	X(410, "Gone")                                 \
	X(412, "Precondition Failed")                  \
	X(413, "Content Too Large")                    \
	X(415, "Unsupported Media Type")               \
	X(422, "Unprocessable Content")                \
	X(423, "Locked")                               \
	X(424, "Failed Dependency")                    \
	X(429, "Too Many Requests")                    \
	X(500, "Internal Server Error")                \
	X(501, "Not Implemented")                      \
	X(502, "Bad Gateway")                          \
	X(503, "Service Unavailable")                  \
	X(504, "Gateway Timeout")                      \
	X(507, "Insufficient Storage")

const char *neterr_reason(long status)
{
	switch (status) {
#define X(code, text) \
	case code:    \
		return text;
		HTTP_REASONS
#undef X
	default:
		return "";
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends one path segment, percent-decoded for reading and shortened when long: a chat id or
 * a GUID key says nothing at a glance, and its full value is in the log. */
static void add_segment(struct buf *out, const char *seg, size_t len)
{
	struct buf dec;
	buf_init(&dec);
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (seg[i] == '%' && i + 2 < len && (hi = hexval(seg[i + 1])) >= 0 && (lo = hexval(seg[i + 2])) >= 0 &&
		    (hi || lo)) {
			char c = (char)(hi * 16 + lo);
			buf_add(&dec, &c, 1);
			i += 2;
		} else {
			buf_add(&dec, &seg[i], 1);
		}
	}
	const char *s = dec.data ? dec.data : "";
	buf_adds(out, "/");
	if (dec.len <= MAX_SEGMENT) {
		buf_adds(out, s);
	} else {
		const char *paren = strchr(s, '(');
		if (paren && (size_t)(paren - s) < MAX_SEGMENT) {
			size_t keep = (size_t)(paren - s) + 1 + 3;
			buf_add(out, s, keep < dec.len ? keep : dec.len);
			buf_adds(out, "…)");
		} else {
			buf_add(out, s, 3);
			buf_adds(out, "…");
		}
	}
	buf_free(&dec);
}

char *neterr_short_path(const char *url)
{
	if (!url)
		return xstrdup("");
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	size_t plen = strcspn(p, "?#");
	char *path = xstrndup(p, plen);
	/* Known API roots: what follows them is what a reader recognises. */
	static const char *const roots[] = { "/v1.0/", "/api/data/v", "/api/discovery/v", "/oauth2/" };
	const char *start = path;
	for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
		const char *r = strstr(path, roots[i]);
		if (!r)
			continue;
		if (i == 0)
			start = r + 5;
		else if (i == 3)
			start = r;
		else
			start = r + strlen(roots[i]) + strcspn(r + strlen(roots[i]), "/"); /* skip "9.2" */
		break;
	}
	struct buf out;
	buf_init(&out);
	for (const char *s = start; *s;) {
		if (*s == '/') {
			s++;
			continue;
		}
		size_t n = strcspn(s, "/");
		add_segment(&out, s, n);
		s += n;
	}
	if (!out.len)
		buf_adds(&out, "/");
	free(path);
	return buf_steal(&out);
}

static void part(struct buf *b, bool *first, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void part(struct buf *b, bool *first, const char *fmt, ...)
{
	if (!*first)
		buf_adds(b, "; ");
	*first = false;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Closes the sentence's parentheses (or drops the empty " (" when nothing went in them), makes it
 * err's, and frees the parts. Returns -1. */
static int sentence_end(struct cs_error *err, struct buf *b, bool first, char *path)
{
	if (first)
		b->len -= 2, b->data[b->len] = '\0';
	else
		buf_adds(b, ")");
	cs_fail(err, CS_EXIT_NETWORK, "%s", b->data);
	buf_free(b);
	free(path);
	return -1;
}

/* A body that is short readable text is worth quoting when it has no JSON error shape. */
static bool quotable(const char *body, size_t len)
{
	if (!body || !len || len > 200 || body[0] == '<' || body[0] == '{' || body[0] == '[')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)body[i] < 0x20 && body[i] != '\n' && body[i] != '\r' && body[i] != '\t')
			return false;
	return true;
}

static void add_ids(struct buf *b, bool *first, const struct neterr_ctx *ctx, const char *body_id)
{
	const char *rid = ctx->request_id && *ctx->request_id ? ctx->request_id : body_id;
	if (rid && *rid && (!ctx->client_request_id || strcmp(rid, ctx->client_request_id) != 0))
		part(b, first, "request-id %s", rid);
	if (ctx->client_request_id && *ctx->client_request_id)
		part(b, first, "client-request-id %s", ctx->client_request_id);
}

static void add_gave_up(struct buf *b, bool *first, const struct neterr_ctx *ctx)
{
	if (ctx->attempts > 1)
		part(b, first, _("gave up after %d attempts over %.0f s%s%s"), ctx->attempts, ctx->waited_s,
		     ctx->gave_up ? ": " : "", ctx->gave_up ? ctx->gave_up : "");
	else if (ctx->gave_up)
		part(b, first, "%s", ctx->gave_up);
}

int neterr_http(struct cs_error *err, const struct neterr_ctx *ctx)
{
	struct neterr_body eb;
	neterr_parse(ctx->body, ctx->body_len, &eb);
	char *path = neterr_short_path(ctx->url);
	const char *service = ctx->service ? ctx->service : "the server";
	const char *method = ctx->method ? ctx->method : "GET";
	struct buf b;
	buf_init(&b);
	if (ctx->status == 429)
		buf_printf(&b, _("%s throttled %s %s"), service, method, path);
	else if (ctx->status >= 500)
		buf_printf(&b, _("%s could not answer %s %s"), service, method, path);
	else
		buf_printf(&b, _("%s refused %s %s"), service, method, path);
	const char *reason = neterr_reason(ctx->status);
	buf_printf(&b, ": %ld%s%s (", ctx->status, *reason ? " " : "", reason);
	bool first = true;
	ellipsize(eb.message, MAX_MESSAGE);
	if (eb.code[0] && eb.message[0])
		part(&b, &first, "%s: %s", eb.code, eb.message);
	else if (eb.code[0] || eb.message[0])
		part(&b, &first, "%s", eb.code[0] ? eb.code : eb.message);
	else if (quotable(ctx->body, ctx->body_len)) {
		char quote[MAX_MESSAGE + 8];
		size_t n = 0;
		while (n < ctx->body_len && ctx->body[n] != '\r' && ctx->body[n] != '\n')
			n++;
		char *line = xstrndup(ctx->body, n);
		copy_str(quote, sizeof quote, line);
		free(line);
		if (*quote)
			part(&b, &first, "%s", quote);
	}
	if (ctx->hint && *ctx->hint)
		part(&b, &first, "%s", ctx->hint);
	else if ((ctx->status == 401 || ctx->status == 403) && ctx->needs && *ctx->needs)
		part(&b, &first, _("needs %s"), ctx->needs);
	else if (ctx->status == 403)
		part(&b, &first, _("check the app's API permissions and admin consent"));
	else if (ctx->status == 412)
		part(&b, &first, _("it changed meanwhile: refresh and try again"));
	else if (ctx->status == 429 || ctx->status >= 500)
		part(&b, &first, _("try again later"));
	add_gave_up(&b, &first, ctx);
	add_ids(&b, &first, ctx, eb.request_id);
	if (eb.correlation_id[0])
		part(&b, &first, "correlation-id %s", eb.correlation_id);
	return sentence_end(err, &b, first, path);
}

int neterr_transport(struct cs_error *err, const struct neterr_ctx *ctx, const char *why, const char *hint)
{
	char *path = neterr_short_path(ctx->url);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, _("cannot reach %s for %s %s: %s ("), ctx->service ? ctx->service : _("the server"),
		   ctx->method ? ctx->method : "GET", path, why);
	bool first = true;
	if (hint && *hint)
		part(&b, &first, "%s", hint);
	add_gave_up(&b, &first, ctx);
	add_ids(&b, &first, ctx, NULL);
	return sentence_end(err, &b, first, path);
}
