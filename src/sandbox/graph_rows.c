/* What every Graph answer is built from (graph_rows.h). */
#include "config.h"
#include "sandbox/graph_rows.h"
#include "sandbox/limits.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GRAPH_CTYPE "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

void graph_headers(const struct sb_req *rq, struct sb_resp *rs)
{
	sb_resp_header(rs, "request-id", "%s", rq->request_id);
	if (rq->client_request_id)
		sb_resp_header(rs, "client-request-id", "%s", rq->client_request_id);
	sb_resp_header(rs, "OData-Version", "4.0");
	sb_resp_header(rs, "Cache-Control", "no-cache");
}

void sb_graph_error(const struct sb_req *rq, struct sb_resp *rs, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	free(msg);
	cJSON *in = cJSON_AddObjectToObject(e, "innerError");
	char date[32];
	time_t now = (time_t)sb_now();
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	cJSON_AddStringToObject(in, "date", date);
	cJSON_AddStringToObject(in, "request-id", rq->request_id);
	if (rq->client_request_id)
		cJSON_AddStringToObject(in, "client-request-id", rq->client_request_id);
	graph_headers(rq, rs);
	sb_resp_header(rs, "Content-Type", "application/json");
	sb_resp_json(rs, status, o);
}

bool graph_throttled(struct graph_call *call, const struct sb_req *rq, struct sb_resp *rs, const char *key, int max)
{
	int wait = sb_limit_take(call->s->limits, key, max, 1.0);
	if (!wait)
		return false;
	sb_resp_header(rs, "Retry-After", "%d", wait);
	sb_graph_error(rq, rs, 429, "TooManyRequests", "Too many requests have been sent in a short time. Retry after "
			"the number of seconds in the Retry-After header.");
	rs->throttled = true;
	return true;
}

char *graph_ctx_url(struct graph_call *call, const char *what)
{
	return xasprintf("%s/graph/%s/$metadata#%s", call->s->base_url, call->beta ? "beta" : "v1.0", what);
}

void graph_answer(struct graph_call *call, const struct sb_req *rq, struct sb_resp *rs, cJSON *o, const char *ctx)
{
	if (ctx) {
		char *c = graph_ctx_url(call, ctx);
		o = sb_json_context_first(o, c);
		free(c);
	}
	graph_headers(rq, rs);
	sb_resp_header(rs, "Content-Type", GRAPH_CTYPE);
	sb_resp_json(rs, 200, o);
}

const char *const graph_chat_props[] = { "id", "topic", "createdDateTime", "lastUpdatedDateTime", "chatType",
	"webUrl", "tenantId", "isHiddenForAllMembers", "onlineMeetingInfo", NULL };
static const char *const chat_types[] = { "group", "oneOnOne", "meeting" };

bool graph_selected(const char *select, const char *prop)
{
	if (!select)
		return true;
	size_t n = strlen(prop);
	for (const char *p = select; (p = strstr(p, prop)); p += n)
		if ((p == select || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

int graph_check_select(const struct sb_req *rq, struct sb_resp *rs, const char *select, const char *const *props,
		const char *type)
{
	if (!select)
		return 0;
	char *copy = xstrdup(select), *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bool ok = false;
		for (size_t i = 0; props[i] && !ok; i++)
			ok = !strcmp(props[i], w);
		if (!ok) {
			sb_graph_error(rq, rs, 400, "BadRequest", "Could not find a property named '%s' on type "
					"'microsoft.graph.%s'.", w, type);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

void graph_time_ms(cJSON *o, const char *k, int64_t t)
{
	char b[32];
	/* Teams times carry milliseconds; derive stable ones from the second. */
	cJSON_AddStringToObject(o, k, sb_iso_ms((double)t + (double)((t * 7919) % 1000) / 1000.0, b, sizeof b));
}

cJSON *graph_chat_json(struct graph_call *call, const struct sb_chat *c, const char *select)
{
	const struct sb_tenant *t = &call->s->tenant;
	cJSON *o = cJSON_CreateObject();
	if (graph_selected(select, "id"))
		cJSON_AddStringToObject(o, "id", c->teams_id);
	if (graph_selected(select, "topic"))
		sb_json_str(o, "topic", c->topic);
	if (graph_selected(select, "createdDateTime"))
		graph_time_ms(o, "createdDateTime", c->created);
	if (graph_selected(select, "lastUpdatedDateTime"))
		graph_time_ms(o, "lastUpdatedDateTime", c->last_updated);
	if (graph_selected(select, "chatType"))
		cJSON_AddStringToObject(o, "chatType", chat_types[c->chat_type]);
	if (graph_selected(select, "webUrl")) {
		char *id = sb_url_encode(c->teams_id);
		char *url = xasprintf("https://teams.microsoft.com/l/chat/%s/0?tenantId=%s", id, t->tenant_id);
		cJSON_AddStringToObject(o, "webUrl", url);
		free(url);
		free(id);
	}
	if (graph_selected(select, "tenantId"))
		cJSON_AddStringToObject(o, "tenantId", t->tenant_id);
	if (graph_selected(select, "isHiddenForAllMembers"))
		cJSON_AddBoolToObject(o, "isHiddenForAllMembers", false);
	if (graph_selected(select, "onlineMeetingInfo")) {
		if (c->chat_type == 2) {
			cJSON *m = cJSON_AddObjectToObject(o, "onlineMeetingInfo");
			cJSON_AddNullToObject(m, "calendarEventId");
			char *id = sb_url_encode(c->teams_id);
			char *url = xasprintf("https://teams.microsoft.com/l/meetup-join/%s/0", id);
			cJSON_AddStringToObject(m, "joinWebUrl", url);
			free(url);
			free(id);
			cJSON *org = cJSON_AddObjectToObject(m, "organizer");
			cJSON_AddStringToObject(org, "@odata.type", "#microsoft.graph.teamworkUserIdentity");
			cJSON_AddStringToObject(org, "id", t->users[c->members[0]].oid);
			cJSON_AddNullToObject(org, "displayName");
			cJSON_AddStringToObject(org, "userIdentityType", "aadUser");
		} else {
			cJSON_AddNullToObject(o, "onlineMeetingInfo");
		}
	}
	return o;
}

cJSON *graph_members_json(struct graph_call *call, const struct sb_chat *c)
{
	const struct sb_tenant *t = &call->s->tenant;
	cJSON *arr = cJSON_CreateArray();
	for (uint32_t m = 0; m < c->n_members + (c->teams_member ? 1 : 0); m++) {
		const struct sb_user *u = &t->users[m < c->n_members ? c->members[m] : c->teams_member - 1];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "@odata.type", "#microsoft.graph.aadUserConversationMember");
		char *raw = xasprintf("0#%s##%s##%s", t->tenant_id, c->teams_id, u->oid);
		char *id = sb_b64(raw, strlen(raw));
		cJSON_AddStringToObject(o, "id", id);
		free(id);
		free(raw);
		cJSON *roles = cJSON_AddArrayToObject(o, "roles");
		cJSON_AddItemToArray(roles, cJSON_CreateString("owner"));
		cJSON_AddStringToObject(o, "displayName", u->name);
		cJSON_AddStringToObject(o, "visibleHistoryStartDateTime", "0001-01-01T00:00:00Z");
		cJSON_AddStringToObject(o, "userId", u->oid);
		cJSON_AddStringToObject(o, "email", u->mail);
		cJSON_AddStringToObject(o, "tenantId", t->tenant_id);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}


bool graph_may_see(const struct graph_call *call, const struct sb_chat *c)
{
	if (call->id->app || !call->s->opt.delegated_members_only)
		return true;
	const struct sb_tenant *t = &call->s->tenant;
	for (size_t u = 0; u < t->n_users; u++)
		if (!strcmp(t->users[u].oid, call->id->oid))
			return sb_chat_has_member(c, (uint32_t)u);
	return false;
}

void graph_not_member(const struct sb_req *rq, struct sb_resp *rs, const char *chat_id)
{
	sb_graph_error(rq, rs, 403, "Forbidden", "Forbidden: the signed-in user is not a member of the roster of chat "
			"%s (AclCheckFailed).", chat_id);
}
