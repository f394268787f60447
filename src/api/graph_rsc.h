/* The tenant's chat RSC state from the three sources Microsoft's own cmdlet reads
 * (Get-MgBetaChatRscConfiguration; msgraph-sdk-powershell src/Teams/beta/custom/RscConfigurationSynthesizer.cs):
 * beta teamwork/teamsAppSettings, v1.0 policies/authorizationPolicy and beta policies/permissionGrantPolicies.
 * The answers are parsed by graph_parse_teams_app_settings / graph_parse_authorization_policy
 * (graph_parse.h) and graph_parse_permission_grant_policies here; graph_rsc_derive combines what could be
 * read. See src/sandbox/INTERFACE.md, "Chat RSC as the cmdlet derives it". */
#ifndef CHATSYNC_GRAPH_RSC_H
#define CHATSYNC_GRAPH_RSC_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

/* One permission grant policy: its id ("microsoft-pre-approval-apps-for-chat") and resourceScopeType
 * ("chat", "group", "tenant"; NULL when the answer has none, as in the docs' example). */
struct graph_grant_policy {
	char *id;
	char *scope;
};

/* GET /beta/policies/permissionGrantPolicies. *next_link is set when there is another page. */
int graph_parse_permission_grant_policies(const char *body, struct graph_grant_policy **policies, size_t *n,
		char **next_link, struct cs_error *err);
void graph_grant_policies_free(struct graph_grant_policy *policies, size_t n);

/* What could be read; a source that could not be read is marked unknown. */
struct graph_rsc_sources {
	int chat_rsc_enabled;                    /* teamsAppSettings: CS_TRUE, CS_FALSE, CS_UNKNOWN (not read) */
	bool assigned_known;                     /* authorizationPolicy read */
	char *const *assigned;                   /* its permissionGrantPoliciesAssigned */
	size_t n_assigned;
	bool policies_known;                     /* permissionGrantPolicies read */
	const struct graph_grant_policy *policies;
	size_t n_policies;
};

struct graph_rsc_result {
	int state;               /* enum cs_rsc_state; CS_RSC_UNKNOWN when the sources cannot decide */
	const char *decided_by;  /* "teamsAppSettings", "authorizationPolicy+permissionGrantPolicies",
	                          * "authorizationPolicy" (chat policies told by name), or NULL when unknown */
	const char *missing;     /* the source that would decide it (state unknown), or that a known state
	                          * could not be checked against ("teamsAppSettings" for app sign-ins), or NULL */
	const char *chat_policy; /* the one chat policy assigned (its id), NULL when none or several */
};

/* The cmdlet's order: isChatResourceSpecificConsentEnabled true wins (EnabledForAllApps); otherwise the
 * assigned policies that are about chats decide: none → DisabledForAllApps, several → Custom, one →
 * EnabledForAllApps (…all-application-permissions-for-chat), EnabledForPreApprovedAppsOnly
 * (…pre-approval-apps-for-chat), ManagedByMicrosoft (…dynamically-managed-permissions-for-chat), else
 * Custom. Without permissionGrantPolicies a policy counts as a chat one when its id ends in "-for-chat". */
void graph_rsc_derive(const struct graph_rsc_sources *s, struct graph_rsc_result *out);

/* Whether an app is pre-approved for chats, from its pre-approval policies
 * (GET /beta/servicePrincipals(appId='<teamsAppDefinition.authorization.clientAppId>')/permissionGrantPreApprovalPolicies;
 * the collection, or one policy as the docs' example prints it). Only conditions with scopeType "chat" count:
 * CS_TRUE when one pre-approves all permissions for every chat (allScopeSensitivityLabels), or lists every id of
 * required_ids; CS_FALSE when there is no chat condition, or none lists them all; CS_UNKNOWN when a chat
 * condition is limited to sensitivity labels, or lists ids and required_ids is NULL. */
int graph_parse_chat_preapproval(const char *body, char *const *required_ids, size_t n_required, int *covered,
		struct cs_error *err);

#endif
