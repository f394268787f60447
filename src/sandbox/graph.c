#include "config.h"
#include "sandbox/graph.h"
#include "sandbox/graph_rows.h"
#include "sandbox/limits.h"
#include "sandbox/odata.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- chats ---- */

/* Teams apps installed in c, as indexes into tenant->teams_apps. */
static size_t installed(const struct sb_tenant *t, const struct sb_chat *c, size_t *out)
{
	size_t n = 0;
	if (c->app_installed)
		out[n++] = 0;
	for (size_t i = 1; i < t->n_teams_apps && i <= 8; i++)
		if (c->other_apps & (1u << (i - 1)))
			out[n++] = i;
	return n;
}

static bool granted(const struct sb_chat *c, size_t app)
{
	return app ? true : c->grant_present;
}

static cJSON *rsc_list(const struct sb_teams_app *a, bool present)
{
	cJSON *set = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(set, "resourceSpecificPermissions");
	for (size_t i = 0; present && a->rsc[i]; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "permissionValue", a->rsc[i]);
		cJSON_AddStringToObject(p, "permissionType", "application");
		cJSON_AddItemToArray(arr, p);
	}
	return set;
}

/* installedApps row fields for $filter: "id", teamsApp/..., teamsAppDefinition/... */
static const char *const app_fields[] = { "id", "teamsApp/id", "teamsApp/externalId", "teamsApp/displayName",
	"teamsApp/distributionMethod", "teamsAppDefinition/teamsAppId", "teamsAppDefinition/displayName",
	"teamsAppDefinition/version", NULL };

struct app_rows {
	const struct sb_tenant *t;
	const struct sb_chat *c;
	const size_t *apps;
	char ids[8][200];
};

static int app_resolve(const void *ctx, const char *field, int *index)
{
	(void)ctx;
	for (int i = 0; app_fields[i]; i++)
		if (!strcmp(app_fields[i], field)) {
			*index = i;
			return SB_V_STR;
		}
	return -1;
}

static void app_field(const void *ctx, size_t row, int index, struct sb_val *v)
{
	const struct app_rows *r = ctx;
	const struct sb_teams_app *a = &r->t->teams_apps[r->apps[row]];
	v->t = SB_V_STR;
	switch (index) {
	case 0: v->s = r->ids[row]; break;
	case 1:
	case 5: v->s = a->id; break;
	case 2: v->s = a->external_id; break;
	case 3:
	case 6: v->s = a->name; break;
	case 4: v->s = a->distribution; break;
	default: v->s = a->version; break;
	}
}

static cJSON *installation_json(const struct app_rows *r, size_t row, bool exp_app, bool exp_def, const char *select)
{
	const struct sb_teams_app *a = &r->t->teams_apps[r->apps[row]];
	cJSON *o = cJSON_CreateObject();
	if (graph_selected(select, "id"))
		cJSON_AddStringToObject(o, "id", r->ids[row]);
	if (graph_selected(select, "consentedPermissionSet"))
		cJSON_AddItemToObject(o, "consentedPermissionSet", rsc_list(a, granted(r->c, r->apps[row])));
	if (exp_app) {
		cJSON *ta = cJSON_AddObjectToObject(o, "teamsApp");
		cJSON_AddStringToObject(ta, "id", a->id);
		cJSON_AddStringToObject(ta, "externalId", a->external_id);
		cJSON_AddStringToObject(ta, "displayName", a->name);
		cJSON_AddStringToObject(ta, "distributionMethod", a->distribution);
	}
	if (exp_def) {
		cJSON *d = cJSON_AddObjectToObject(o, "teamsAppDefinition");
		char *raw = xasprintf("%s##%s", a->id, a->version);
		char *id = sb_b64(raw, strlen(raw));
		cJSON_AddStringToObject(d, "id", id);
		free(id);
		free(raw);
		cJSON_AddStringToObject(d, "teamsAppId", a->id);
		cJSON_AddStringToObject(d, "displayName", a->name);
		cJSON_AddStringToObject(d, "version", a->version);
		cJSON_AddStringToObject(d, "publishingState", "published");
		cJSON_AddStringToObject(d, "shortDescription", a->short_desc);
		cJSON_AddStringToObject(d, "description", a->short_desc);
		cJSON_AddNullToObject(d, "lastModifiedDateTime");
		cJSON_AddNullToObject(d, "createdBy");
		cJSON *auth = cJSON_AddObjectToObject(d, "authorization");
		cJSON_AddStringToObject(auth, "clientAppId", a->client_app_id);
		cJSON_AddItemToObject(auth, "requiredPermissionSet", rsc_list(a, true));
	}
	return o;
}

static void installed_apps(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const struct sb_chat *c)
{
	const struct sb_tenant *t = &call->s->tenant;
	const char *expand = sb_kv_get(&rq->args, "$expand"), *filter = sb_kv_get(&rq->args, "$filter");
	const char *select = sb_kv_get(&rq->args, "$select");
	static const char *const props[] = { "id", "consentedPermissionSet", NULL };
	bool exp_app = false, exp_def = false;
	if (expand) {
		char *copy = xstrdup(expand), *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			if (!strcmp(w, "teamsApp"))
				exp_app = true;
			else if (!strcmp(w, "teamsAppDefinition"))
				exp_def = true;
			else {
				sb_graph_error(rq, rs, 400, "BadRequest", "Could not find a navigation property named '%s' on "
						"type 'microsoft.graph.teamsAppInstallation'.", w);
				free(copy);
				return;
			}
		}
		free(copy);
	}
	if (graph_check_select(rq, rs, select, props, "teamsAppInstallation") < 0)
		return;
	char err[320];
	struct sb_filter *f = NULL;
	if (filter && !(f = sb_filter_parse(filter, app_resolve, NULL, err, sizeof err))) {
		sb_graph_error(rq, rs, 400, "BadRequest", "Invalid filter clause: %s", err);
		return;
	}
	size_t apps[8];
	struct app_rows r = { t, c, apps, { { 0 } } };
	size_t n = installed(t, c, apps);
	for (size_t i = 0; i < n; i++) {
		char raw[160];
		snprintf(raw, sizeof raw, "%s##%s", c->teams_id, t->teams_apps[apps[i]].id);
		char *id = sb_b64(raw, strlen(raw));
		snprintf(r.ids[i], sizeof r.ids[i], "%s", id);
		free(id);
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	int count = 0;
	for (size_t i = 0; i < n; i++)
		if (!f || sb_filter_eval(f, app_field, &r, i)) {
			cJSON_AddItemToArray(arr, installation_json(&r, i, exp_app, exp_def, select));
			count++;
		}
	sb_filter_free(f);
	cJSON_AddNumberToObject(o, "@odata.count", count);
	cJSON_AddItemToObject(o, "value", arr);
	char *what = xasprintf("chats('%s')/installedApps", c->teams_id);
	graph_answer(call, rq, rs, o, what);
	free(what);
}

static void permission_grants(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const struct sb_chat *c)
{
	const struct sb_tenant *t = &call->s->tenant;
	size_t apps[8], n = installed(t, c, apps);
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "value");
	for (size_t i = 0; i < n; i++) {
		const struct sb_teams_app *a = &t->teams_apps[apps[i]];
		if (!granted(c, apps[i]))
			continue;
		for (size_t k = 0; a->rsc[k]; k++) {
			cJSON *g = cJSON_CreateObject();
			char *raw = xasprintf("%s##%s##Application", a->client_app_id, a->rsc[k]);
			char *id = sb_b64(raw, strlen(raw));
			cJSON_AddStringToObject(g, "id", id);
			free(id);
			free(raw);
			cJSON_AddStringToObject(g, "clientAppId", a->client_app_id);
			cJSON_AddStringToObject(g, "resourceAppId", SB_GRAPH_APP_ID);
			cJSON_AddStringToObject(g, "clientId", a->sp_id);
			cJSON_AddStringToObject(g, "permissionType", "Application");
			cJSON_AddStringToObject(g, "permission", a->rsc[k]);
			cJSON_AddItemToArray(arr, g);
		}
	}
	graph_answer(call, rq, rs, o, "permissionGrants");
}

static void chat_request(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *rest)
{
	const char *slash = strchr(rest, '/');
	char *chat_id = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	const char *sub = slash ? slash + 1 : "";
	const struct sb_ident *id = call->id;
	char key[160];
	/* Limits first: a throttled request is rejected before the service looks anything up. */
	if (!strcmp(sub, "installedApps")) {
		snprintf(key, sizeof key, "g-apps:%s", id->appid);
		if (graph_throttled(call, rq, rs, key, 30))
			goto out;
		snprintf(key, sizeof key, "g-appchat:%s:%s", id->appid, chat_id);
		if (graph_throttled(call, rq, rs, key, 1))
			goto out;
	} else if (!*sub) {
		snprintf(key, sizeof key, "g-chat:%s", id->oid);
		if (graph_throttled(call, rq, rs, key, 5))
			goto out;
	} else {
		snprintf(key, sizeof key, "g-teams:%s", id->appid);
		if (graph_throttled(call, rq, rs, key, 30))
			goto out;
	}
	pthread_rwlock_rdlock(&call->s->tenant.lock);
	const struct sb_chat *c = sb_tenant_chat_by_teams_id(&call->s->tenant, chat_id, NULL);
	if (!c || c->deleted_in_teams) {
		sb_graph_error(rq, rs, 404, "NotFound", "Chat %s was not found.", chat_id);
	} else if (!graph_may_see(call, c)) {
		graph_not_member(rq, rs, chat_id);
	} else if (!*sub) {
		const char *select = sb_kv_get(&rq->args, "$select");
		if (graph_check_select(rq, rs, select, graph_chat_props, "chat") == 0)
			graph_answer(call, rq, rs, graph_chat_json(call, c, select), "chats/$entity");
	} else if (!strcmp(sub, "members")) {
		cJSON *o = cJSON_CreateObject(), *arr = graph_members_json(call, c);
		cJSON_AddNumberToObject(o, "@odata.count", cJSON_GetArraySize(arr));
		cJSON_AddItemToObject(o, "value", arr);
		char *what = xasprintf("chats('%s')/members", c->teams_id);
		graph_answer(call, rq, rs, o, what);
		free(what);
	} else if (!strcmp(sub, "installedApps")) {
		installed_apps(call, rq, rs, c);
	} else if (!strcmp(sub, "permissionGrants")) {
		permission_grants(call, rq, rs, c);
	} else {
		sb_graph_error(rq, rs, 400, "BadRequest", "Resource not found for the segment '%s'.", sub);
	}
	pthread_rwlock_unlock(&call->s->tenant.lock);
out:
	free(chat_id);
}

static void directory_roles(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	if (call->id->app) {
		sb_graph_error(rq, rs, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
		return;
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "value");
	struct { const char *name, *tmpl, *desc; } roles[2];
	int n = 0;
	if (call->id->global_admin)
		roles[n++] = (typeof(roles[0])){ "Global Administrator", SB_GLOBAL_ADMIN_TEMPLATE,
			"Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities." };
	else
		roles[n++] = (typeof(roles[0])){ "Teams Communications Support Engineer", "f70938a0-fc10-4177-9e90-2178f8765737",
			"Can troubleshoot communications issues within Teams using advanced tools." };
	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "@odata.type", "#microsoft.graph.directoryRole");
		char rid[37];
		struct sb_rng rng;
		sb_rng_seed(&rng, (uint64_t)(roles[i].tmpl[0]) * 131 + (uint64_t)roles[i].tmpl[1]);
		sb_rng_guid(&rng, rid);
		cJSON_AddStringToObject(r, "id", rid);
		cJSON_AddNullToObject(r, "deletedDateTime");
		cJSON_AddStringToObject(r, "description", roles[i].desc);
		cJSON_AddStringToObject(r, "displayName", roles[i].name);
		cJSON_AddStringToObject(r, "roleTemplateId", roles[i].tmpl);
		cJSON_AddItemToArray(arr, r);
	}
	graph_answer(call, rq, rs, o, "directoryRoles");
}

void graph_dispatch(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *path)
{
	const char *rest;
	if (!strcmp(path, "$batch")) {
		if (rq->inner)
			sb_graph_error(rq, rs, 400, "BadRequest", "A batch request cannot contain another batch request.");
		else if (strcmp(rq->method, "POST"))
			sb_graph_error(rq, rs, 405, "MethodNotAllowed", "$batch accepts POST only.");
		else
			graph_batch(call, rq, rs);
		return;
	}
	if (strcmp(rq->method, "GET")) {
		sb_graph_error(rq, rs, 405, "MethodNotAllowed", "The sandbox serves GET requests on %s.", path);
		return;
	}
	if (!strcmp(path, "chats") || !strcmp(path, "me/chats"))
		graph_list_chats(call, rq, rs, path[0] == 'm' ? "me" : NULL);
	else if ((rest = sb_skip_prefix(path, "users/")) && strchr(rest, '/') && !strcmp(strchr(rest, '/'), "/chats")) {
		char *user = xstrndup(rest, (size_t)(strchr(rest, '/') - rest));
		graph_list_chats(call, rq, rs, user);
		free(user);
	} else if ((rest = sb_skip_prefix(path, "chats/")) && *rest)
		chat_request(call, rq, rs, rest);
	else if (!strcmp(path, "policies/authorizationPolicy"))
		graph_authorization_policy(call, rq, rs);
	else if (!strcmp(path, "teamwork/teamsAppSettings"))
		graph_app_settings(call, rq, rs);
	else if (call->beta && !strcmp(path, "policies/permissionGrantPolicies"))
		graph_permission_grant_policies(call, rq, rs);
	else if (call->beta && (rest = sb_skip_prefix(path, "servicePrincipals")) && (*rest == '/' || *rest == '(') &&
		 strlen(rest) > strlen("/permissionGrantPreApprovalPolicies") &&
		 !strcmp(rest + strlen(rest) - strlen("/permissionGrantPreApprovalPolicies"), "/permissionGrantPreApprovalPolicies")) {
		char *sp = xstrndup(rest + (*rest == '/'), strlen(rest) - (*rest == '/') - strlen("/permissionGrantPreApprovalPolicies"));
		graph_preapproval_policies(call, rq, rs, sp);
		free(sp);
	}
	else if (!strcmp(path, "me/transitiveMemberOf/microsoft.graph.directoryRole"))
		directory_roles(call, rq, rs);
	else
		sb_graph_error(rq, rs, 400, "BadRequest", "Resource not found for the segment '%s'.", path);
}

void sb_graph_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest)
{
	bool beta = false;
	const char *path = sb_skip_prefix(rest, "v1.0/");
	if (!path && (path = sb_skip_prefix(rest, "beta/")))
		beta = true;
	if (!path) {
		sb_graph_error(rq, rs, 400, "BadRequest", "Invalid version: the path must start with v1.0 or beta.");
		return;
	}
	const char *aud[] = { SB_GRAPH_RESOURCE, SB_GRAPH_APP_ID, NULL };
	struct sb_ident id;
	enum sb_auth_fail af = sb_auth_check(s, rq, aud, &id);
	if (af != SB_AUTH_OK) {
		sb_resp_header(rs, "WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"%s/entra/common/oauth2/authorize\", "
				"client_id=\"%s\"", s->base_url, SB_GRAPH_APP_ID);
		sb_graph_error(rq, rs, 401, "InvalidAuthenticationToken", "%s", sb_auth_fail_text(af));
		return;
	}
	sb_sleep_ms(rq->fault_delay_ms);
	if (rq->fault_status == 429) {
		sb_resp_header(rs, "Retry-After", "1");
		sb_graph_error(rq, rs, 429, "TooManyRequests", "Too many requests have been sent in a short time. Retry "
				"after the number of seconds in the Retry-After header.");
		rs->throttled = true;
		return;
	}
	if (rq->fault_status) {
		sb_resp_header(rs, "Retry-After", "1");
		sb_graph_error(rq, rs, 503, "serviceNotAvailable", "The service is temporarily unavailable. Try again later.");
		return;
	}
	struct graph_call call = { s, &id, beta, graph_dispatch };
	graph_dispatch(&call, rq, rs, path);
}
