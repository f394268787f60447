#include "config.h"
#include "api/graph_rsc.h"
#include "api/json_util.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include "core/model.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OWNED_PREFIX "ManagePermissionGrantsForOwnedResource."

int graph_parse_permission_grant_policies(const char *body, struct graph_grant_policy **policies, size_t *n,
		char **next_link, struct cs_error *err)
{
	*policies = NULL;
	*n = 0;
	*next_link = NULL;
	cJSON *root;
	const cJSON *arr = ju_collection(body, _("the permission grant policies"), &root, err), *it;
	if (!arr)
		return -1;
	*policies = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **policies);
	cJSON_ArrayForEach(it, arr) {
		char *id = ju_str(it, "id");
		if (!id)
			continue; /* a policy without an id names nothing the authorization policy can assign */
		(*policies)[*n].id = id;
		(*policies)[*n].scope = ju_str(it, "resourceScopeType");
		(*n)++;
	}
	*next_link = ju_str(root, "@odata.nextLink");
	cJSON_Delete(root);
	return 0;
}

void graph_grant_policies_free(struct graph_grant_policy *policies, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(policies[i].id);
		free(policies[i].scope);
	}
	free(policies);
}

/* The policy id an assigned entry names ("ManagePermissionGrantsForOwnedResource.<id>"), or NULL. */
static const char *owned_id(const char *assigned)
{
	size_t len = strlen(OWNED_PREFIX);
	return strncmp(assigned, OWNED_PREFIX, len) == 0 && assigned[len] ? assigned + len : NULL;
}

static bool is_chat_policy(const struct graph_rsc_sources *s, const char *id)
{
	if (!s->policies_known) {
		size_t l = strlen(id), sl = strlen("-for-chat");
		return l > sl && strcmp(id + l - sl, "-for-chat") == 0;
	}
	for (size_t i = 0; i < s->n_policies; i++)
		if (strcmp(s->policies[i].id, id) == 0)
			return s->policies[i].scope && strcasecmp(s->policies[i].scope, "chat") == 0;
	return false; /* assigned, but not a policy the tenant has */
}

void graph_rsc_derive(const struct graph_rsc_sources *s, struct graph_rsc_result *out)
{
	*out = (struct graph_rsc_result){ .state = CS_RSC_UNKNOWN };
	if (s->chat_rsc_enabled == CS_TRUE) {
		out->state = CS_RSC_ENABLED_FOR_ALL_APPS;
		out->decided_by = "teamsAppSettings";
		return;
	}
	if (!s->assigned_known) {
		out->missing = "authorizationPolicy";
		return;
	}
	int found = 0;
	const char *one = NULL;
	for (size_t i = 0; i < s->n_assigned; i++) {
		const char *id = owned_id(s->assigned[i]);
		if (id && is_chat_policy(s, id))
			found++, one = id;
	}
	static const struct { const char *id; int state; } known[] = {
		{ "microsoft-all-application-permissions-for-chat", CS_RSC_ENABLED_FOR_ALL_APPS },
		{ "microsoft-pre-approval-apps-for-chat", CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY },
		{ "microsoft-dynamically-managed-permissions-for-chat", CS_RSC_MANAGED_BY_MICROSOFT },
	};
	if (found == 0) {
		out->state = CS_RSC_DISABLED_FOR_ALL_APPS;
	} else if (found > 1) {
		out->state = CS_RSC_CUSTOM;
	} else {
		out->state = CS_RSC_CUSTOM;
		out->chat_policy = one;
		for (size_t k = 0; k < sizeof known / sizeof *known; k++)
			if (strcmp(one, known[k].id) == 0)
				out->state = known[k].state;
	}
	out->decided_by = s->policies_known ? "authorizationPolicy+permissionGrantPolicies" : "authorizationPolicy";
	/* teamsAppSettings true would have won; when it could not be read the state stands unchecked. */
	if (s->chat_rsc_enabled == CS_UNKNOWN && out->state != CS_RSC_ENABLED_FOR_ALL_APPS)
		out->missing = "teamsAppSettings";
	else if (!s->policies_known)
		out->missing = "permissionGrantPolicies";
}

/* One chat condition: CS_TRUE, CS_FALSE or CS_UNKNOWN as graph_parse_chat_preapproval says. */
static int chat_condition_covers(const cJSON *cond, char *const *required, size_t n_required)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(cond, "sensitivityLabels");
	const cJSON *perms = cJSON_GetObjectItemCaseSensitive(cond, "permissions");
	const char *label_kind = ju_str_ref(labels, "labelKind"), *kind = ju_str_ref(perms, "permissionKind");
	bool every_chat = label_kind && strcmp(label_kind, "all") == 0;
	int result;
	if (kind && strcmp(kind, "all") == 0) {
		result = CS_TRUE;
	} else if (kind && strcmp(kind, "enumerated") == 0) {
		const cJSON *ids = cJSON_GetObjectItemCaseSensitive(perms, "permissionIds");
		if (!required) {
			result = CS_UNKNOWN;
		} else {
			result = CS_TRUE;
			for (size_t i = 0; i < n_required && result == CS_TRUE; i++) {
				bool listed = false;
				const cJSON *id;
				cJSON_ArrayForEach(id, ids)
					listed |= cJSON_IsString(id) && strcasecmp(id->valuestring, required[i]) == 0;
				if (!listed)
					result = CS_FALSE;
			}
		}
	} else {
		result = CS_UNKNOWN; /* a kind this codec does not know */
	}
	return result == CS_TRUE && !every_chat ? CS_UNKNOWN : result;
}

int graph_parse_chat_preapproval(const char *body, char *const *required_ids, size_t n_required, int *covered,
		struct cs_error *err)
{
	*covered = CS_FALSE;
	cJSON *root = ju_parse_object(body, _("the app's pre-approval policies"), err);
	if (!root)
		return -1;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value"), *policy;
	if (value && !cJSON_IsArray(value)) {
		cJSON_Delete(root);
		return cs_fail(err, CS_EXIT_NETWORK, _("the app's pre-approval policies are not a list (malformed answer; "
						       "run again)"));
	}
	int best = CS_FALSE;
	for (const cJSON *p = value ? value->child : root; p; p = value ? p->next : NULL) {
		policy = p;
		const cJSON *conds = cJSON_GetObjectItemCaseSensitive(policy, "conditions"), *cond;
		cJSON_ArrayForEach(cond, conds) {
			const char *scope = ju_str_ref(cond, "scopeType");
			if (!scope || strcasecmp(scope, "chat") != 0)
				continue;
			int c = chat_condition_covers(cond, required_ids, n_required);
			if (c == CS_TRUE || (c == CS_UNKNOWN && best == CS_FALSE))
				best = c;
		}
		if (!value)
			break;
	}
	*covered = best;
	cJSON_Delete(root);
	return 0;
}
