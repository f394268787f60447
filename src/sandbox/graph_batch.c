/* Graph JSON batching: up to 20 requests, each answered (and throttled) on its own; the answers
 * come back in an order of the service's choosing, so clients must match them by id. */
#include "config.h"
#include "sandbox/graph_rows.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REQUESTS 20

static cJSON *inner_answer(struct graph_call *call, const struct sb_req *outer, const cJSON *r, const char *id,
		int *status)
{
	const char *method = sb_json_get_str(r, "method"), *url = sb_json_get_str(r, "url");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	struct sb_resp out;
	sb_resp_init(&out);
	struct sb_req in = { 0 };
	if (!method || !url) {
		in = *outer;
		sb_graph_error(&in, &out, 400, "BadRequest", "Each batch request needs \"method\" and \"url\".");
		memset(&in, 0, sizeof in);
	} else {
		while (*url == '/')
			url++;
		char *target = xasprintf("/%s", url);
		sb_req_from_target(&in, method, target);
		free(target);
		in.inner = true;
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "headers"), *it;
		cJSON_ArrayForEach(it, h)
			if (cJSON_IsString(it))
				sb_kv_add(&in.headers, it->string, it->valuestring);
		in.client_request_id = sb_req_header(&in, "client-request-id");
		if (!in.client_request_id)
			in.client_request_id = outer->client_request_id;
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "body");
		if (b) {
			in.body = cJSON_PrintUnformatted(b);
			in.body_len = strlen(in.body);
		}
		call->dispatch(call, &in, &out, in.path + 1);
	}
	*status = out.status;
	cJSON_AddNumberToObject(o, "status", out.status);
	cJSON *hdrs = cJSON_AddObjectToObject(o, "headers");
	for (size_t i = 0; i < out.headers.n; i++)
		cJSON_AddStringToObject(hdrs, out.headers.items[i].k, out.headers.items[i].v);
	cJSON *body = out.body.len ? cJSON_ParseWithLength(out.body.data, out.body.len) : NULL;
	if (body)
		cJSON_AddItemToObject(o, "body", body);
	if (in.body) {
		cJSON_free(in.body);
		in.body = NULL;
	}
	in.method = NULL;
	sb_req_free(&in);
	sb_resp_free(&out);
	return o;
}

void graph_batch(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	cJSON *req = rq->body ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, "requests");
	if (!cJSON_IsArray(list)) {
		sb_graph_error(rq, rs, 400, "BadRequest", "Invalid batch payload format.");
		cJSON_Delete(req);
		return;
	}
	int n = cJSON_GetArraySize(list);
	if (n == 0 || n > MAX_REQUESTS) {
		sb_graph_error(rq, rs, 400, "BadRequest", "The number of requests in a batch must be between 1 and %d; "
				"this one has %d.", MAX_REQUESTS, n);
		cJSON_Delete(req);
		return;
	}
	const char *ids[MAX_REQUESTS];
	int statuses[MAX_REQUESTS];
	cJSON *answers[MAX_REQUESTS];
	for (int i = 0; i < n; i++) {
		const cJSON *r = cJSON_GetArrayItem(list, i);
		const char *id = sb_json_get_str(r, "id");
		for (int k = 0; id && k < i; k++)
			if (!strcmp(ids[k], id))
				id = NULL;
		if (!id) {
			for (int k = 0; k < i; k++)
				cJSON_Delete(answers[k]);
			sb_graph_error(rq, rs, 400, "BadRequest", "Each batch request needs a unique string \"id\".");
			cJSON_Delete(req);
			return;
		}
		ids[i] = id;
		bool failed_dep = false;
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(r, "dependsOn"), *d;
		cJSON_ArrayForEach(d, deps)
			for (int k = 0; k < i; k++)
				if (cJSON_IsString(d) && !strcmp(d->valuestring, ids[k]) && statuses[k] >= 400)
					failed_dep = true;
		if (failed_dep) {
			answers[i] = cJSON_CreateObject();
			cJSON_AddStringToObject(answers[i], "id", id);
			cJSON_AddNumberToObject(answers[i], "status", 424);
			statuses[i] = 424;
		} else {
			answers[i] = inner_answer(call, rq, r, id, &statuses[i]);
		}
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "responses");
	for (int i = n - 1; i >= 0; i--)
		cJSON_AddItemToArray(arr, answers[i]);
	cJSON_Delete(req);
	graph_headers(rq, rs);
	sb_resp_header(rs, "Content-Type", "application/json; charset=utf-8");
	sb_resp_json(rs, 200, o);
}
