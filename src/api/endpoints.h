/* The URLs and headers chatsync sends to Global Discovery, Dataverse and Graph (DOMAIN.md), built in
 * one place. Every function returns a string the caller owns. */
#ifndef CHATSYNC_ENDPOINTS_H
#define CHATSYNC_ENDPOINTS_H
#include "core/conf.h"
#include "core/model.h"

/* Header sets for net_request.headers (NULL-terminated, static). */
extern const char *const dv_headers_read[];    /* Accept, OData-*, Prefer: maxpagesize=5000, annotations */
extern const char *const dv_headers_track[];   /* the same plus Prefer: odata.track-changes */
extern const char *const graph_headers[];      /* Accept: application/json */

/* The headers of a Dataverse request with a body (a $batch POST, a PATCH): Accept, the OData
 * versions, Content-Type: content_type and one more line (If-Match, Prefer; NULL: none). The
 * list points into h until dv_body_headers_free. */
struct dv_body_headers {
	char *content_type;
	char *extra;
	const char *list[6];
};
const char *const *dv_body_headers(struct dv_body_headers *h, const char *content_type, const char *extra);
void dv_body_headers_free(struct dv_body_headers *h);

/* Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept). */
char *api_escape(const char *s);

char *api_discovery_instances_url(const struct conf_profile *p);
/* <instance Url>/api/data/v9.2/<rest> */
char *dv_url(const struct cs_env *env, const char *rest);
char *dv_url_organization(const struct cs_env *env);
char *dv_url_organization_row(const struct cs_env *env); /* organizations(<id>) for PATCH */
char *dv_url_chats(const struct cs_env *env);             /* tracked: no $expand/$filter */
char *dv_url_chat_parties(const struct cs_env *env);      /* every chat participant party */
char *dv_url_parties_of(const struct cs_env *env, const char *activity_id);
char *dv_url_associations(const struct cs_env *env);      /* tracked */
char *dv_url_sync_errors(const struct cs_env *env);
char *dv_url_whoami(const struct cs_env *env);
/* The rate bucket of an environment's Dataverse requests: "dataverse:<host>". */
char *dv_bucket(const struct cs_env *env);

char *graph_url(const struct conf_profile *p, const char *rest);  /* <graph>/v1.0/<rest> */
char *graph_url_chat(const struct conf_profile *p, const char *teams_chat_id);
char *graph_url_installed_apps(const struct conf_profile *p, const char *teams_chat_id);
char *graph_url_grants(const struct conf_profile *p, const char *teams_chat_id);
char *graph_url_authorization_policy(const struct conf_profile *p);
char *graph_url_teams_app_settings(const struct conf_profile *p);  /* beta */
char *graph_url_permission_grant_policies(const struct conf_profile *p);  /* beta */
/* beta servicePrincipals(appId='<client_app_id>')/permissionGrantPreApprovalPolicies */
char *graph_url_preapproval_policies(const struct conf_profile *p, const char *client_app_id);
char *graph_url_my_directory_roles(const struct conf_profile *p);

/* Least-privileged Graph application permissions, named when a call is refused. */
#define GRAPH_PERM_CHAT "Chat.ReadBasic.All"
#define GRAPH_PERM_APPS "TeamsAppInstallation.ReadForChat.All"
#define GRAPH_PERM_GRANTS "ResourceSpecificPermissionGrant.ReadForChat.All"
#define GRAPH_PERM_POLICY "Policy.Read.All"
#define GRAPH_PERM_GRANT_POLICIES "Policy.Read.PermissionGrant"
#define GRAPH_PERM_APP_SETTINGS "TeamworkAppSettings.Read.All"   /* delegated only */
#define GRAPH_PERM_PREAPPROVAL "Application.Read.All and Policy.Read.PermissionGrant"

#endif
