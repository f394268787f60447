/* The tenant-wide policies chat RSC is derived from, as Get-MgBetaChatRscConfiguration reads them:
 * v1.0 policies/authorizationPolicy (its permissionGrantPoliciesAssigned), beta teamwork/teamsAppSettings
 * (isChatResourceSpecificConsentEnabled) and beta policies/permissionGrantPolicies (which assigned policy
 * is about chats: resourceScopeType). Each answers for --rsc-state consistently with the others, and
 * with the permissions the docs ask: the authorization policy needs a directory role for a delegated
 * sign-in, teamsAppSettings is delegated only. */
#include "config.h"
#include "sandbox/graph_rows.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void graph_authorization_policy(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	/* "In delegated scenarios ... the signed-in user must be assigned a supported Microsoft Entra role"
	 * (Global Reader, Security Reader, ...; a Global Administrator holds them all). */
	if (!call->id->app && !call->id->global_admin) {
		sb_graph_error(rq, rs, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", "authorizationPolicy");
	cJSON_AddStringToObject(o, "allowInvitesFrom", "everyone");
	cJSON_AddBoolToObject(o, "allowedToSignUpEmailBasedSubscriptions", true);
	cJSON_AddBoolToObject(o, "allowedToUseSSPR", true);
	cJSON_AddBoolToObject(o, "allowEmailVerifiedUsersToJoinOrganization", false);
	cJSON_AddBoolToObject(o, "allowUserConsentForRiskyApps", false);
	cJSON_AddNullToObject(o, "blockMsolPowerShell");
	cJSON_AddStringToObject(o, "displayName", "Authorization Policy");
	cJSON_AddStringToObject(o, "description", "Used to manage authorization related settings across the company.");
	cJSON_AddStringToObject(o, "guestUserRoleId", "10dae51f-b6af-4016-8d66-8c2a99b929b3");
	cJSON *d = cJSON_AddObjectToObject(o, "defaultUserRolePermissions");
	cJSON_AddBoolToObject(d, "allowedToCreateApps", true);
	cJSON_AddBoolToObject(d, "allowedToCreateSecurityGroups", true);
	cJSON_AddBoolToObject(d, "allowedToCreateTenants", true);
	cJSON_AddBoolToObject(d, "allowedToReadBitlockerKeysForOwnedDevice", true);
	cJSON_AddBoolToObject(d, "allowedToReadOtherUsers", true);
	cJSON *p = cJSON_AddArrayToObject(d, "permissionGrantPoliciesAssigned");
	cJSON_AddItemToArray(p, cJSON_CreateString("ManagePermissionGrantsForSelf.microsoft-user-default-legacy"));
	cJSON_AddItemToArray(p, cJSON_CreateString(
			"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"));
	static const char *const chat_policy[] = {
		[SB_RSC_MANAGED_BY_MICROSOFT] = "microsoft-dynamically-managed-permissions-for-chat",
		[SB_RSC_ENABLED_FOR_ALL] = "microsoft-all-application-permissions-for-chat",
		[SB_RSC_PRE_APPROVED_ONLY] = "microsoft-pre-approval-apps-for-chat",
		[SB_RSC_DISABLED] = NULL,
		[SB_RSC_CUSTOM] = "microsoft-all-application-permissions-for-chat",
	};
	enum sb_rsc rsc = call->s->tenant.rsc;
	if (chat_policy[rsc]) {
		char *v = xasprintf("ManagePermissionGrantsForOwnedResource.%s", chat_policy[rsc]);
		cJSON_AddItemToArray(p, cJSON_CreateString(v));
		free(v);
	}
	if (rsc == SB_RSC_CUSTOM)
		cJSON_AddItemToArray(p, cJSON_CreateString(
				"ManagePermissionGrantsForOwnedResource.microsoft-pre-approval-apps-for-chat"));
	graph_answer(call, rq, rs, o, "policies/authorizationPolicy/$entity");
}

void graph_app_settings(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	char key[80];
	snprintf(key, sizeof key, "g-teams:%s", call->id->appid);
	if (graph_throttled(call, rq, rs, key, 30))
		return;
	if (call->id->app) {
		sb_graph_error(rq, rs, 403, "Forbidden", "Missing role permissions on the request. API requires one of "
				"'TeamworkAppSettings.Read.All, TeamworkAppSettings.ReadWrite.All' as a delegated permission.");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "@odata.type", "#microsoft.graph.teamsAppSettings");
	cJSON_AddStringToObject(o, "id", call->s->tenant.tenant_id);
	cJSON_AddBoolToObject(o, "allowUserRequestsForAppAccess", true);
	if (call->beta)
		cJSON_AddBoolToObject(o, "isChatResourceSpecificConsentEnabled", call->s->tenant.rsc == SB_RSC_ENABLED_FOR_ALL);
	cJSON_AddBoolToObject(o, "isUserPersonalScopeResourceSpecificConsentEnabled", true);
	graph_answer(call, rq, rs, o, "teamwork/teamsAppSettings/$entity");
}


/* The Microsoft-created permission grant policies a tenant has; the chat ones carry resourceScopeType
 * "chat", the team ones "group", the consent ones "tenant". */
static const struct { const char *id, *scope, *name, *desc; } grant_policies[] = {
	{ "microsoft-all-application-permissions", "tenant", "All application permissions, for any client app",
	  "Includes all application permissions (app roles), for all APIs, for any client application." },
	{ "microsoft-company-admin", "tenant", "Company Admin Policy", "Permissions consentable by Company Administrators." },
	{ "microsoft-user-default-legacy", "tenant", "Default policy for user consent to apps (legacy)",
	  "Includes all delegated permissions, for any client application, except for Microsoft Graph." },
	{ "microsoft-user-default-low", "tenant", "All low risk permissions",
	  "Includes delegated permissions classified as low, for all APIs, for all client applications." },
	{ "microsoft-dynamically-managed-permissions-for-chat", "chat", "Permissions managed by Microsoft for chats",
	  "Resource-specific permissions for chats that Microsoft allows chat owners to consent to." },
	{ "microsoft-pre-approval-apps-for-chat", "chat", "Pre-approved apps for chats",
	  "Resource-specific permissions for chats of apps an administrator pre-approved." },
	{ "microsoft-all-application-permissions-for-chat", "chat", "All resource-specific permissions for chats",
	  "All resource-specific application permissions for chats, for any client app." },
	{ "microsoft-dynamically-managed-permissions-for-team", "group", "Permissions managed by Microsoft for teams",
	  "Resource-specific permissions for teams that Microsoft allows team owners to consent to." },
	{ "microsoft-pre-approval-apps-for-group", "group", "Pre-approved apps for teams",
	  "Resource-specific permissions for teams of apps an administrator pre-approved." },
	{ "microsoft-all-application-permissions-for-group", "group", "All resource-specific permissions for teams",
	  "All resource-specific application permissions for groups and teams, for any client app." },
};

void graph_permission_grant_policies(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "value");
	for (size_t i = 0; i < sizeof grant_policies / sizeof grant_policies[0]; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "id", grant_policies[i].id);
		cJSON_AddNullToObject(p, "deletedDateTime");
		cJSON_AddStringToObject(p, "description", grant_policies[i].desc);
		cJSON_AddStringToObject(p, "displayName", grant_policies[i].name);
		cJSON_AddStringToObject(p, "resourceScopeType", grant_policies[i].scope);
		cJSON *inc = cJSON_AddArrayToObject(p, "includes");
		cJSON *c = cJSON_CreateObject();
		char cid[37];
		struct sb_rng rng;
		sb_rng_seed(&rng, 7919u * (uint64_t)(i + 1));
		sb_rng_guid(&rng, cid);
		cJSON_AddStringToObject(c, "id", cid);
		cJSON_AddStringToObject(c, "permissionClassification", "all");
		cJSON_AddStringToObject(c, "permissionType", strcmp(grant_policies[i].scope, "tenant") ?
				"resourceSpecificApplication" : "application");
		cJSON_AddStringToObject(c, "resourceApplication", "any");
		cJSON *perms = cJSON_AddArrayToObject(c, "permissions");
		cJSON_AddItemToArray(perms, cJSON_CreateString("all"));
		cJSON *apps = cJSON_AddArrayToObject(c, "clientApplicationIds");
		cJSON_AddItemToArray(apps, cJSON_CreateString("all"));
		cJSON_AddBoolToObject(c, "clientApplicationsFromVerifiedPublisherOnly", false);
		cJSON_AddItemToArray(inc, c);
		cJSON_AddArrayToObject(p, "excludes");
		cJSON_AddItemToArray(arr, p);
	}
	graph_answer(call, rq, rs, o, "policies/permissionGrantPolicies");
}

/* A Teams app's service principal named by object id or by "(appId='...')". */
static const struct sb_teams_app *app_by_sp(const struct sb_tenant *t, const char *ref)
{
	const char *key = sb_skip_prefix(ref, "(appId='");
	size_t klen = key ? strcspn(key, "'") : strlen(ref);
	if (key && strcmp(key + klen, "')"))
		return NULL;
	for (size_t i = 0; i < t->n_teams_apps; i++) {
		const char *id = key ? t->teams_apps[i].client_app_id : t->teams_apps[i].sp_id;
		if (strlen(id) == klen && !strncasecmp(id, key ? key : ref, klen))
			return &t->teams_apps[i];
	}
	return NULL;
}

static cJSON *condition(const char *scope, bool all, const struct sb_teams_app *a)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "scopeType", scope);
	cJSON *labels = cJSON_AddObjectToObject(c, "sensitivityLabels");
	cJSON_AddStringToObject(labels, "@odata.type", "#microsoft.graph.allScopeSensitivityLabels");
	cJSON_AddStringToObject(labels, "labelKind", "all");
	cJSON *p = cJSON_AddObjectToObject(c, "permissions");
	if (all) {
		cJSON_AddStringToObject(p, "@odata.type", "#microsoft.graph.allPreApprovedPermissions");
		cJSON_AddStringToObject(p, "permissionKind", "all");
	} else {
		cJSON_AddStringToObject(p, "@odata.type", "#microsoft.graph.enumeratedPreApprovedPermissions");
		cJSON_AddStringToObject(p, "permissionKind", "enumerated");
		cJSON_AddStringToObject(p, "resourceApplicationId", SB_GRAPH_APP_ID);
		cJSON *ids = cJSON_AddArrayToObject(p, "permissionIds");
		for (size_t k = 0; a->rsc && a->rsc[k]; k++) {
			/* the permission's id, stable per name */
			uint64_t h = 1469598103934665603ull;
			for (const char *s = a->rsc[k]; *s; s++)
				h = (h ^ (unsigned char)*s) * 1099511628211ull;
			struct sb_rng rng;
			char id[37];
			sb_rng_seed(&rng, h);
			sb_rng_guid(&rng, id);
			cJSON_AddItemToArray(ids, cJSON_CreateString(id));
		}
	}
	cJSON_AddStringToObject(p, "permissionType", "application");
	return c;
}

void graph_preapproval_policies(struct graph_call *call, struct sb_req *rq, struct sb_resp *rs, const char *sp_ref)
{
	pthread_rwlock_rdlock(&call->s->tenant.lock);
	const struct sb_tenant *t = &call->s->tenant;
	const struct sb_teams_app *a = app_by_sp(t, sp_ref);
	if (!a) {
		pthread_rwlock_unlock(&call->s->tenant.lock);
		sb_graph_error(rq, rs, 404, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried "
				"reference-property objects are not present.", sp_ref);
		return;
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "value");
	/* Dataverse Chat Sync is pre-approved for every chat permission (unless --chat-sync-preapproved no);
	 * Polly for the chat permissions it asks for, by id; the others are not pre-approved. */
	size_t idx = (size_t)(a - t->teams_apps);
	if ((idx == 0 && !call->s->opt.chat_sync_not_preapproved) || idx == 1) {
		cJSON *p = cJSON_CreateObject();
		char pid[37];
		struct sb_rng rng;
		sb_rng_seed(&rng, 104729u * (uint64_t)(idx + 1));
		sb_rng_guid(&rng, pid);
		cJSON_AddStringToObject(p, "id", pid);
		cJSON_AddNullToObject(p, "deletedDateTime");
		cJSON *conds = cJSON_AddArrayToObject(p, "conditions");
		cJSON_AddItemToArray(conds, condition("chat", idx == 0, a));
		cJSON_AddItemToArray(arr, p);
	}
	char *what = xasprintf("servicePrincipals('%s')/permissionGrantPreApprovalPolicies", a->sp_id);
	pthread_rwlock_unlock(&call->s->tenant.lock);
	graph_answer(call, rq, rs, o, what);
	free(what);
}
