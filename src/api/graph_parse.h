/* Parsers for Microsoft Graph answers about chats and the tenant's chat RSC state. Properties are read
 * as Graph v1.0 defines them (tests/fixtures/graph-v1.0-types.json); beta-only ones are never needed.
 * Results are owned by the caller. */
#ifndef CHATSYNC_GRAPH_PARSE_H
#define CHATSYNC_GRAPH_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "core/model.h"

/* GET /chats/{id}: topic, chatType, lastUpdatedDateTime into g. */
int graph_parse_chat(const char *body, struct cs_graph_chat *g, struct cs_error *err);
/* GET /chats/{id}/installedApps?$expand=teamsApp,teamsAppDefinition: finds the app named app (display
 * name, case-insensitive, or teamsApp id / externalId) and fills app_installed, app_client_id, app_name. */
int graph_parse_installed_apps(const char *body, const char *app, struct cs_graph_chat *g, struct cs_error *err);
/* GET /chats/{id}/permissionGrants: n_grants, and app_has_grant for g->app_client_id (unknown when the
 * app's client id is not known). */
int graph_parse_grants(const char *body, struct cs_graph_chat *g, struct cs_error *err);
/* GET /policies/authorizationPolicy → state, policies, source "authorizationPolicy". */
int graph_parse_authorization_policy(const char *body, struct cs_rsc *rsc, struct cs_error *err);
/* GET /beta/teamwork/teamsAppSettings → isChatResourceSpecificConsentEnabled. */
int graph_parse_teams_app_settings(const char *body, struct cs_rsc *rsc, struct cs_error *err);
/* The chat RSC state that a set of assigned permission grant policies means (as the Teams PowerShell
 * module derives it). */
int graph_rsc_state_from_policies(char *const *policies, size_t n);

/* GET /me/transitiveMemberOf/microsoft.graph.directoryRole: whether the signed-in user holds the
 * Global Administrator role (template 62e90394-69f5-4237-9190-012177145e10). Follows no paging:
 * *next_link is set when there is another page (caller owns). */
#define GRAPH_GLOBAL_ADMIN_TEMPLATE "62e90394-69f5-4237-9190-012177145e10"
int graph_parse_directory_roles(const char *body, bool *global_admin, char **next_link, struct cs_error *err);

/* One response of a JSON $batch. */
struct graph_batch_item {
	char *id;
	int status;
	char *body;          /* the body serialised back to JSON text, NULL if none */
	int retry_after;     /* seconds from a Retry-After header, -1 if none */
};
int graph_parse_batch(const char *body, struct graph_batch_item **items, size_t *n, struct cs_error *err);
void graph_batch_items_free(struct graph_batch_item *items, size_t n);

#endif
