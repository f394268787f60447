/* Requests and responses as handlers see them. */
#include "config.h"
#include "sandbox/server.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sb_resp_init(struct sb_resp *r)
{
	memset(r, 0, sizeof *r);
	r->status = 200;
	buf_init(&r->body);
	r->streaming_faults_ok = true;
}

void sb_resp_free(struct sb_resp *r)
{
	sb_kv_free(&r->headers);
	buf_free(&r->body);
}

void sb_resp_header(struct sb_resp *r, const char *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	sb_kv_set(&r->headers, k, v);
	free(v);
}

void sb_resp_text(struct sb_resp *r, int status, const char *content_type, const char *text)
{
	r->status = status;
	buf_free(&r->body);
	if (text)
		buf_adds(&r->body, text);
	if (content_type)
		sb_kv_set(&r->headers, "Content-Type", content_type);
}

void sb_resp_json(struct sb_resp *r, int status, cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!sb_kv_get(&r->headers, "Content-Type"))
		sb_kv_set(&r->headers, "Content-Type", "application/json; charset=utf-8");
	sb_resp_text(r, status, NULL, text ? text : "{}");
	cJSON_free(text);
}

void sb_req_free(struct sb_req *r)
{
	free(r->path);
	free(r->query);
	sb_kv_free(&r->args);
	sb_kv_free(&r->headers);
	free(r->body);
	memset(r, 0, sizeof *r);
}

void sb_req_from_target(struct sb_req *r, const char *method, const char *target)
{
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	r->method = method;
	r->path = sb_url_decode(target, plen, false);
	r->query = xstrdup(q ? q + 1 : "");
	sb_parse_query(r->query, false, &r->args);
	sb_random_guid(r->request_id);
}

const char *sb_req_header(const struct sb_req *r, const char *name)
{
	return sb_kv_get(&r->headers, name);
}

void sb_json_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

void sb_json_time(cJSON *o, const char *k, int64_t t)
{
	if (!t) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	char b[32];
	cJSON_AddStringToObject(o, k, sb_iso(t, b, sizeof b));
}

const char *sb_json_get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *sb_json_context_first(cJSON *o, const char *ctx)
{
	cJSON *full = cJSON_CreateObject();
	cJSON_AddStringToObject(full, "@odata.context", ctx);
	while (o->child) {
		cJSON *it = cJSON_DetachItemViaPointer(o, o->child);
		/* cJSON copies the key before it frees the old one, so passing it->string is safe. */
		cJSON_AddItemToObject(full, it->string, it);
	}
	cJSON_Delete(o);
	return full;
}
