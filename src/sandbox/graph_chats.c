/* GET /chats, /me/chats and /users/{id}/chats (v1.0 "List chats"): the chats a user is a member of.
 * Delegated sign-ins list their own chats (/users/{id} must then be the signed-in user); an app may
 * list any user's chats only through /users/{id}/chats. Query options as documented: $expand (members,
 * lastMessagePreview), $top (at most 50), $filter, $orderby (lastMessagePreview/createdDateTime desc
 * only); $select as on a single chat. Pages end with @odata.nextLink ($skiptoken: the last chat id
 * served, so a page never shifts when chats change meanwhile). */
#include "config.h"
#include "sandbox/graph_rows.h"
#include "sandbox/odata.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOP 50
#define DEFAULT_PAGE 20      /* not documented; small, so clients must follow @odata.nextLink */

enum { F_ID, F_TOPIC, F_TYPE, F_CREATED, F_UPDATED, F_TENANT };
static const struct { const char *name; enum sb_vtype type; } fields[] = {
	[F_ID] = { "id", SB_V_STR }, [F_TOPIC] = { "topic", SB_V_STR }, [F_TYPE] = { "chatType", SB_V_STR },
	[F_CREATED] = { "createdDateTime", SB_V_TIME }, [F_UPDATED] = { "lastUpdatedDateTime", SB_V_TIME },
	[F_TENANT] = { "tenantId", SB_V_STR },
};
static const char *const chat_types[] = { "group", "oneOnOne", "meeting" };

struct rows {
	const struct sb_tenant *t;
	const struct sb_chat **c;
	size_t n;
};

static int chat_resolve(const void *ctx, const char *field, int *index)
{
	(void)ctx;
	for (int i = 0; i < (int)(sizeof fields / sizeof fields[0]); i++)
		if (!strcmp(fields[i].name, field)) {
			*index = i;
			return fields[i].type;
		}
	return -1;
}

static void chat_field(const void *ctx, size_t row, int index, struct sb_val *v)
{
	const struct rows *r = ctx;
	const struct sb_chat *c = r->c[row];
	*v = (struct sb_val){ .t = SB_V_NULL };
	switch (index) {
	case F_ID: *v = (struct sb_val){ .t = SB_V_STR, .s = c->teams_id }; break;
	case F_TOPIC:
		if (c->topic)
			*v = (struct sb_val){ .t = SB_V_STR, .s = c->topic };
		break;
	case F_TYPE: *v = (struct sb_val){ .t = SB_V_STR, .s = chat_types[c->chat_type] }; break;
	case F_CREATED: *v = (struct sb_val){ .t = SB_V_TIME, .i = c->created }; break;
	case F_UPDATED: *v = (struct sb_val){ .t = SB_V_TIME, .i = c->last_updated }; break;
	case F_TENANT: *v = (struct sb_val){ .t = SB_V_STR, .s = r->t->tenant_id }; break;
	}
}

static int cmp_chat(const void *a, const void *b)
{
	return strcmp((*(const struct sb_chat *const *)a)->teams_id, (*(const struct sb_chat *const *)b)->teams_id);
}

/* "installedApps/any(a:a/teamsApp/id eq 'X')": X into app (at most len), or false when filter is not that. */
static bool installed_filter(const char *filter, char *app, size_t len)
{
	static const char *const head = "installedApps/any(";
	if (strncmp(filter, head, strlen(head)))
		return false;
	const char *p = filter + strlen(head);
	char var[16];
	int n = 0;
	if (sscanf(p, "%15[a-zA-Z]:%n", var, &n) != 1 || !n)
		return false;
	p += n;
	char want[48];
	snprintf(want, sizeof want, "%s/teamsApp/id eq '", var);
	if (strncmp(p, want, strlen(want)))
		return false;
	p += strlen(want);
	const char *q = strchr(p, '\'');
	if (!q || strcmp(q, "')") || (size_t)(q - p) >= len)
		return false;
	memcpy(app, p, (size_t)(q - p));
	app[q - p] = '\0';
	return true;
}

static bool has_app(const struct sb_tenant *t, const struct sb_chat *c, const char *app_id)
{
	for (size_t i = 0; i < t->n_teams_apps && i <= 8; i++) {
		bool in = i == 0 ? c->app_installed : (c->other_apps & (1u << (i - 1))) != 0;
		if (in && !strcmp(t->teams_apps[i].id, app_id))
			return true;
	}
	return false;
}

static char *next_link(struct graph_call *call, const struct sb_req *rq, const char *user_ref, const char *last)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s/graph/%s/", call->s->base_url, call->beta ? "beta" : "v1.0");
	if (!user_ref || !strcmp(user_ref, "me")) {
		buf_printf(&b, "%s?", user_ref ? "me/chats" : "chats");
	} else {
		char *u = sb_url_encode(user_ref);
		buf_printf(&b, "users/%s/chats?", u);
		free(u);
	}
	bool first = true;
	for (size_t i = 0; i < rq->args.n; i++) {
		if (!strcmp(rq->args.items[i].k, "$skiptoken"))
			continue;
		char *v = sb_url_encode(rq->args.items[i].v);
		buf_printf(&b, "%s%s=%s", first ? "" : "&", rq->args.items[i].k, v);
		free(v);
		first = false;
	}
	char *tok = sb_b64url(last, strlen(last));
	buf_printf(&b, "%s$skiptoken=%s", first ? "" : "&", tok);
	free(tok);
	return buf_steal(&b);
}

/* The user whose chats are listed, as a user index, or -1 having answered. */
static int whose(struct graph_call *call, const struct sb_req *rq, struct sb_resp *rs, const char *user_ref)
{
	const struct sb_tenant *t = &call->s->tenant;
	const struct sb_ident *id = call->id;
	if (id->app && (!user_ref || !strcmp(user_ref, "me"))) {
		if (user_ref)
			sb_graph_error(rq, rs, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
		else
			sb_graph_error(rq, rs, 400, "BadRequest", "Requested API is not supported in application-only context. "
					"An application lists a user's chats with GET /users/{user-id}/chats.");
		return -1;
	}
	const char *ref = !user_ref || !strcmp(user_ref, "me") ? id->oid : user_ref;
	int u = -1;
	for (size_t i = 0; i < t->n_users && u < 0; i++)
		if (!strcasecmp(t->users[i].oid, ref) || !strcasecmp(t->users[i].upn, ref))
			u = (int)i;
	if (u < 0) {
		sb_graph_error(rq, rs, 404, "NotFound", "User %s was not found.", ref);
		return -1;
	}
	if (!id->app && strcmp(t->users[u].oid, id->oid)) {
		sb_graph_error(rq, rs, 403, "Forbidden", "A delegated sign-in can list only its own chats; an application "
				"lists another user's chats.");
		return -1;
	}
	return u;
}

void graph_list_chats(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *user_ref)
{
	char key[80];
	snprintf(key, sizeof key, "g-chat:%s", call->id->oid);
	if (graph_throttled(call, rq, rs, key, 5))
		return;
	const char *filter = sb_kv_get(&rq->args, "$filter"), *top = sb_kv_get(&rq->args, "$top");
	const char *expand = sb_kv_get(&rq->args, "$expand"), *select = sb_kv_get(&rq->args, "$select");
	const char *orderby = sb_kv_get(&rq->args, "$orderby"), *skip = sb_kv_get(&rq->args, "$skiptoken");
	for (size_t i = 0; i < rq->args.n; i++) {
		static const char *const known[] = { "$filter", "$top", "$expand", "$select", "$orderby", "$skiptoken", NULL };
		bool ok = rq->args.items[i].k[0] != '$';
		for (size_t k = 0; known[k] && !ok; k++)
			ok = !strcmp(known[k], rq->args.items[i].k);
		if (!ok) {
			sb_graph_error(rq, rs, 400, "BadRequest", "Query option '%s' is not supported on chats.", rq->args.items[i].k);
			return;
		}
	}
	long page = DEFAULT_PAGE;
	if (top) {
		char *end;
		page = strtol(top, &end, 10);
		if (!*top || *end || page < 1 || page > MAX_TOP) {
			sb_graph_error(rq, rs, 400, "BadRequest", "Invalid page size specified: '%s'. Must be between 1 and %d "
					"inclusive.", top, MAX_TOP);
			return;
		}
	}
	if (orderby && strcmp(orderby, "lastMessagePreview/createdDateTime desc")) {
		sb_graph_error(rq, rs, 400, "BadRequest", "$orderby supports only lastMessagePreview/createdDateTime in "
				"descending order.");
		return;
	}
	bool exp_members = false, exp_preview = false;
	if (expand) {
		char *copy = xstrdup(expand), *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			if (!strcmp(w, "members"))
				exp_members = true;
			else if (!strcmp(w, "lastMessagePreview"))
				exp_preview = true;
			else {
				sb_graph_error(rq, rs, 400, "BadRequest", "Expanding '%s' is not supported; chats expand members and "
						"lastMessagePreview.", w);
				free(copy);
				return;
			}
		}
		free(copy);
	}
	if (graph_check_select(rq, rs, select, graph_chat_props, "chat") < 0)
		return;
	char *last = NULL;
	if (skip) {
		size_t len;
		unsigned char *raw = sb_b64url_decode(skip, strlen(skip), &len);
		if (!raw || !len || memchr(raw, '\0', len)) {
			free(raw);
			sb_graph_error(rq, rs, 400, "BadRequest", "The $skiptoken is not valid: follow @odata.nextLink as given.");
			return;
		}
		last = xstrndup((const char *)raw, len);
		free(raw);
	}

	pthread_rwlock_rdlock(&call->s->tenant.lock);
	const struct sb_tenant *t = &call->s->tenant;
	int u = whose(call, rq, rs, user_ref);
	struct sb_filter *flt = NULL;
	char app[64] = "";
	bool by_app = filter && installed_filter(filter, app, sizeof app);
	char err[256];
	if (u >= 0 && filter && !by_app && !(flt = sb_filter_parse(filter, chat_resolve, NULL, err, sizeof err))) {
		sb_graph_error(rq, rs, 400, "BadRequest", "Invalid filter clause: %s", err);
		u = -1;
	}
	if (u < 0) {
		pthread_rwlock_unlock(&call->s->tenant.lock);
		free(last);
		return;
	}
	struct rows r = { t, NULL, 0 };
	size_t cap = 0;
	for (size_t e = 0; e < t->n_envs; e++)
		cap += t->envs[e].n_chats;
	r.c = xmalloc((cap ? cap : 1) * sizeof *r.c);
	for (size_t e = 0; e < t->n_envs; e++)
		for (size_t k = 0; k < t->envs[e].n_chats; k++) {
			const struct sb_chat *c = &t->envs[e].chats[k];
			if (!c->deleted_in_teams && sb_chat_has_member(c, (uint32_t)u))
				r.c[r.n++] = c;
		}
	qsort(r.c, r.n, sizeof *r.c, cmp_chat);
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	long served = 0;
	const char *last_served = NULL;
	bool more = false;
	for (size_t i = 0; i < r.n; i++) {
		if (last && strcmp(r.c[i]->teams_id, last) <= 0)
			continue;
		if (flt && !sb_filter_eval(flt, chat_field, &r, i))
			continue;
		if (by_app && !has_app(t, r.c[i], app))
			continue;
		if (served == page) {
			more = true;
			break;
		}
		cJSON *co = graph_chat_json(call, r.c[i], select);
		if (exp_members)
			cJSON_AddItemToObject(co, "members", graph_members_json(call, r.c[i]));
		if (exp_preview)
			cJSON_AddNullToObject(co, "lastMessagePreview");   /* the sandbox's chats carry no messages */
		cJSON_AddItemToArray(arr, co);
		last_served = r.c[i]->teams_id;
		served++;
	}
	cJSON_AddNumberToObject(o, "@odata.count", (double)served);
	cJSON_AddItemToObject(o, "value", arr);
	if (more) {
		char *link = next_link(call, rq, user_ref, last_served);
		cJSON_AddStringToObject(o, "@odata.nextLink", link);
		free(link);
	}
	pthread_rwlock_unlock(&call->s->tenant.lock);
	char ctx[64];
	snprintf(ctx, sizeof ctx, "chats%s", exp_members ? "(members())" : "");
	graph_answer(call, rq, rs, o, ctx);
	sb_filter_free(flt);
	free(r.c);
	free(last);
}
