#include "config.h"
#include "api/graph_parse.h"
#include "api/json_util.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int graph_parse_chat(const char *body, struct cs_graph_chat *g, struct cs_error *err)
{
	cJSON *root = ju_parse_object(body, _("the Graph chat"), err);
	if (!root)
		return -1;
	if (!ju_str_ref(root, "id")) {
		cJSON_Delete(root);
		return cs_fail(err, CS_EXIT_NETWORK, _("the Graph chat has no id (malformed answer; run again)"));
	}
	free(g->topic);
	free(g->chat_type);
	g->topic = ju_str(root, "topic");
	g->chat_type = ju_str(root, "chatType");
	g->last_updated = ju_time(root, "lastUpdatedDateTime");
	cJSON_Delete(root);
	return 0;
}

static bool app_matches(const cJSON *inst, const char *want)
{
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(inst, "teamsApp");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(inst, "teamsAppDefinition");
	const char *names[] = { ju_str_ref(app, "displayName"), ju_str_ref(def, "displayName") };
	const char *ids[] = { ju_str_ref(app, "id"), ju_str_ref(app, "externalId"), ju_str_ref(def, "teamsAppId") };
	for (size_t i = 0; i < 2; i++)
		if (names[i] && strcasecmp(names[i], want) == 0)
			return true;
	for (size_t i = 0; i < 3; i++)
		if (ids[i] && strcasecmp(ids[i], want) == 0)
			return true;
	return false;
}

int graph_parse_installed_apps(const char *body, const char *app, struct cs_graph_chat *g, struct cs_error *err)
{
	cJSON *root;
	const cJSON *arr = ju_collection(body, _("the chat's installed apps"), &root, err), *inst;
	if (!arr)
		return -1;
	g->app_installed = CS_FALSE;
	free(g->app_client_id);
	free(g->app_name);
	g->app_client_id = g->app_name = NULL;
	cJSON_ArrayForEach(inst, arr) {
		if (!app_matches(inst, app))
			continue;
		const cJSON *def = cJSON_GetObjectItemCaseSensitive(inst, "teamsAppDefinition");
		const cJSON *auth = cJSON_GetObjectItemCaseSensitive(def, "authorization");
		const cJSON *tapp = cJSON_GetObjectItemCaseSensitive(inst, "teamsApp");
		g->app_installed = CS_TRUE;
		g->app_client_id = ju_str(auth, "clientAppId"); /* v1.0; azureADAppId is beta-only */
		const char *name = ju_str_ref(tapp, "displayName");
		g->app_name = xstrdup(name ? name : ju_str_ref(def, "displayName"));
		break;
	}
	cJSON_Delete(root);
	return 0;
}

int graph_parse_grants(const char *body, struct cs_graph_chat *g, struct cs_error *err)
{
	cJSON *root;
	const cJSON *arr = ju_collection(body, _("the chat's permission grants"), &root, err), *grant;
	if (!arr)
		return -1;
	g->n_grants = 0;
	g->app_has_grant = g->app_client_id ? CS_FALSE : CS_UNKNOWN;
	cJSON_ArrayForEach(grant, arr) {
		g->n_grants++;
		const char *client = ju_str_ref(grant, "clientAppId");
		if (g->app_client_id && client && strcasecmp(client, g->app_client_id) == 0)
			g->app_has_grant = CS_TRUE;
	}
	cJSON_Delete(root);
	return 0;
}

#define CHAT_POLICY_PREFIX "ManagePermissionGrantsForOwnedResource.microsoft-"

int graph_rsc_state_from_policies(char *const *policies, size_t n)
{
	static const struct { const char *suffix; int state; } known[] = {
		{ "dynamically-managed-permissions-for-chat", CS_RSC_MANAGED_BY_MICROSOFT },
		{ "pre-approval-apps-for-chat", CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY },
		{ "all-application-permissions-for-chat", CS_RSC_ENABLED_FOR_ALL_APPS },
	};
	int state = CS_RSC_DISABLED_FOR_ALL_APPS, found = 0;
	size_t plen = strlen(CHAT_POLICY_PREFIX);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(policies[i], CHAT_POLICY_PREFIX, plen) != 0 || !strstr(policies[i], "-for-chat"))
			continue; /* a policy about something other than chats */
		found++;
		state = CS_RSC_CUSTOM;
		for (size_t k = 0; k < sizeof known / sizeof *known; k++)
			if (strcmp(policies[i] + plen, known[k].suffix) == 0)
				state = known[k].state;
	}
	return found > 1 ? CS_RSC_CUSTOM : state;
}

int graph_parse_authorization_policy(const char *body, struct cs_rsc *rsc, struct cs_error *err)
{
	cJSON *root = ju_parse_object(body, _("the authorization policy"), err);
	if (!root)
		return -1;
	const cJSON *perms = cJSON_GetObjectItemCaseSensitive(root, "defaultUserRolePermissions");
	const cJSON *assigned = cJSON_GetObjectItemCaseSensitive(perms, "permissionGrantPoliciesAssigned"), *p;
	if (!cJSON_IsArray(assigned)) {
		cJSON_Delete(root);
		return cs_fail(err, CS_EXIT_NETWORK, _("the authorization policy has no permissionGrantPoliciesAssigned "
						       "(malformed answer; run again)"));
	}
	for (size_t i = 0; i < rsc->n_policies; i++)
		free(rsc->policies[i]);
	free(rsc->policies);
	rsc->policies = xcalloc((size_t)cJSON_GetArraySize(assigned) + 1, sizeof *rsc->policies);
	rsc->n_policies = 0;
	cJSON_ArrayForEach(p, assigned)
		if (cJSON_IsString(p))
			rsc->policies[rsc->n_policies++] = xstrdup(p->valuestring);
	rsc->state = graph_rsc_state_from_policies(rsc->policies, rsc->n_policies);
	free(rsc->source);
	rsc->source = xstrdup("authorizationPolicy");
	cJSON_Delete(root);
	return 0;
}

int graph_parse_teams_app_settings(const char *body, struct cs_rsc *rsc, struct cs_error *err)
{
	cJSON *root = ju_parse_object(body, _("the Teams app settings"), err);
	if (!root)
		return -1;
	/* The docs wrap the object in "value"; the service answers the object itself. */
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsObject(obj))
		obj = root;
	int enabled = ju_bool(obj, "isChatResourceSpecificConsentEnabled");
	cJSON_Delete(root);
	if (enabled == CS_UNKNOWN)
		return cs_fail(err, CS_EXIT_NETWORK, _("the Teams app settings do not say whether chat RSC is enabled"));
	rsc->state = enabled == CS_TRUE ? CS_RSC_ENABLED_FOR_ALL_APPS : CS_RSC_DISABLED_FOR_ALL_APPS;
	free(rsc->source);
	rsc->source = xstrdup("teamsAppSettings");
	return 0;
}

int graph_parse_directory_roles(const char *body, bool *global_admin, char **next_link, struct cs_error *err)
{
	*next_link = NULL;
	cJSON *root;
	const cJSON *arr = ju_collection(body, _("the signed-in user's directory roles"), &root, err), *role;
	if (!arr)
		return -1;
	cJSON_ArrayForEach(role, arr) {
		const char *tmpl = ju_str_ref(role, "roleTemplateId");
		if (tmpl && strcasecmp(tmpl, GRAPH_GLOBAL_ADMIN_TEMPLATE) == 0)
			*global_admin = true;
	}
	*next_link = ju_str(root, "@odata.nextLink");
	cJSON_Delete(root);
	return 0;
}

static int header_retry_after(const cJSON *headers)
{
	const cJSON *h;
	cJSON_ArrayForEach(h, headers) {
		if (h->string && strcasecmp(h->string, "Retry-After") == 0) {
			if (cJSON_IsNumber(h))
				return (int)h->valuedouble;
			if (cJSON_IsString(h))
				return atoi(h->valuestring);
		}
	}
	return -1;
}

int graph_parse_batch(const char *body, struct graph_batch_item **items, size_t *n, struct cs_error *err)
{
	*items = NULL;
	*n = 0;
	cJSON *root = ju_parse_object(body, _("the Graph batch"), err);
	if (!root)
		return -1;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "responses"), *r;
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(root);
		return cs_fail(err, CS_EXIT_NETWORK, _("the Graph batch answer has no \"responses\" (run again)"));
	}
	*items = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **items);
	cJSON_ArrayForEach(r, arr) {
		const char *id = ju_str_ref(r, "id");
		if (!id)
			continue;
		struct graph_batch_item *it = &(*items)[(*n)++];
		it->id = xstrdup(id);
		it->status = ju_int(r, "status", 0);
		it->retry_after = header_retry_after(cJSON_GetObjectItemCaseSensitive(r, "headers"));
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "body");
		it->body = b ? cJSON_PrintUnformatted(b) : NULL;
	}
	cJSON_Delete(root);
	return 0;
}

void graph_batch_items_free(struct graph_batch_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].id);
		free(items[i].body);
	}
	free(items);
}
