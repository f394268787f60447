/* The model: plain structs of the facts chatsync caches, as read from Dataverse, Graph and
 * Entra (DOMAIN.md). No curses, curl or SQL here. Strings are owned by the struct that holds
 * them and freed by its *_free function. Times are Unix seconds (UTC); 0 means "unknown". */
#ifndef CHATSYNC_MODEL_H
#define CHATSYNC_MODEL_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "base/timefmt.h"

/* Tri-state for facts that may not have been fetched. */
enum cs_tristate { CS_UNKNOWN = -1, CS_FALSE = 0, CS_TRUE = 1 };

#define CS_DEFAULT_INACTIVITY_DAYS 7

/* chat.statecode; CS_STATE_NOT_RECORDED: a connected chat with no activity row. */
enum cs_chat_state {
	CS_STATE_NOT_RECORDED = -1,
	CS_STATE_OPEN = 0,
	CS_STATE_COMPLETED = 1,
	CS_STATE_CANCELED = 2,
	CS_STATE_SCHEDULED = 3,
};

/* chat.syncstatus */
enum cs_sync_status {
	CS_SYNC_NULL = -1,
	CS_SYNC_NOT_ENABLED = 0,
	CS_SYNC_PENDING = 1,
	CS_SYNC_ENABLED = 2,
};

/* msdyn_teamschatassociation.msdyn_entityrecordstate */
enum cs_assoc_state { CS_ASSOC_ASSOCIATE = 0, CS_ASSOC_DISASSOCIATE = 1 };

/* Tenant chat RSC state, as the Teams PowerShell module derives it. */
enum cs_rsc_state {
	CS_RSC_UNKNOWN = 0,
	CS_RSC_ENABLED_FOR_ALL_APPS,
	CS_RSC_MANAGED_BY_MICROSOFT,
	CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY,
	CS_RSC_DISABLED_FOR_ALL_APPS,
	CS_RSC_CUSTOM,
};

/* An environment: a Dataverse instance from Global Discovery plus its organization row. */
struct cs_env {
	char *id;             /* discovery Id (GUID) */
	char *unique_name;
	char *friendly_name;
	char *url;            /* instance Url, e.g. https://contoso.crm.dynamics.com */
	char *api_url;
	int state;            /* discovery State: 0 Enabled, 1 Disabled */
	char *purpose;
	char *organization_id;
	int sync_enabled;     /* enum cs_tristate: organization.teamschatdatasync */
	int inactivity_days;  /* daysbeforeinactiveteamschatsyncdisabled; 0 = not known (use the default) */
	char *org_etag;
	cs_time org_fetched_at;
	cs_time refreshed_at; /* last successful refresh of this environment */
	char *last_error;     /* last refresh error sentence, NULL if the last refresh succeeded */
};

/* A chat activity party with participation type 12 (Chat Participant). */
struct cs_party {
	char *party_id;
	char *name;           /* display name (the party's formatted value) or addressused */
	bool deleted;         /* ispartydeleted */
};

/* A syncerror row regarding a chat. */
struct cs_sync_error {
	char *id;
	int errorcode;        /* the code as a number when it is one (decimal or 0x hex), else 0 */
	char *code;           /* errorcode as Dataverse gives it (Edm.String) */
	char *message;
	cs_time time;
	int type;             /* 0 Conflict, 1 Record not found, 2 Record already exists, 3 Others */
};

/* A Teams chat activity row (chat table) joined with what chatsync knows about its chat.
 * A connected chat that has no activity row has activity_id NULL and state NOT_RECORDED. */
struct cs_chat {
	char *env_id;
	char *activity_id;
	char *teams_chat_id;
	char *subject;
	int state;            /* enum cs_chat_state */
	int status_code;
	int sync_status;      /* enum cs_sync_status */
	int last_sync_error;  /* lastsyncerror; 0 = none */
	cs_time modified_in_teams_on;
	char *modified_in_teams_by;
	cs_time linked_on;
	char *linked_by;
	cs_time unlinked_on;
	char *unlinked_by;
	char *regarding_id;
	char *regarding_type; /* logical name of the regarding table, e.g. "account", "email" */
	cs_time created_on;
	cs_time modified_on;
	cs_time fetched_at;   /* when the activity row was read from Dataverse */
	struct cs_party *parties;
	size_t n_parties;
};

/* A msdyn_teamschatassociation row: a chat connected to a record. */
struct cs_assoc {
	char *id;
	char *env_id;
	char *teams_chat_id;
	char *regarding_id;
	char *regarding_table; /* msdyn_regardingobjectname */
	int record_state;      /* enum cs_assoc_state */
	int statecode;
	cs_time created_on;
	cs_time modified_on;
	cs_time fetched_at;
};

/* What Graph said about one chat. http_status 0 = never fetched; 403 = not permitted (see
 * *_error for the permission that would let it run). */
struct cs_graph_chat {
	char *teams_chat_id;
	int chat_status;           /* GET /chats/{id} */
	char *topic;
	char *chat_type;
	cs_time last_updated;      /* lastUpdatedDateTime */
	cs_time chat_fetched_at;
	char *chat_error;

	int apps_status;           /* GET /chats/{id}/installedApps */
	int app_installed;         /* enum cs_tristate: the Dataverse Chat Sync app is installed */
	char *app_client_id;       /* teamsAppDefinition.authorization.clientAppId of that app */
	char *app_name;
	cs_time apps_fetched_at;
	char *apps_error;

	int grants_status;         /* GET /chats/{id}/permissionGrants */
	int app_has_grant;         /* enum cs_tristate: a grant whose clientAppId is the app's */
	size_t n_grants;
	cs_time grants_fetched_at;
	char *grants_error;

	bool not_member;           /* a delegated sign-in got 403: it is not in the chat's roster (nothing more
	                            * about the chat can be read with it; chat_error/apps_error say so) */
};

/* The sources of the tenant's chat RSC state (as Get-MgBetaChatRscConfiguration reads them) and the
 * Dataverse Chat Sync app's pre-approval, each a fact of its own. */
enum cs_rsc_source {
	CS_RSC_SRC_SETTINGS,        /* GET /beta/teamwork/teamsAppSettings (delegated sign-ins only) */
	CS_RSC_SRC_AUTH_POLICY,     /* GET /v1.0/policies/authorizationPolicy */
	CS_RSC_SRC_GRANT_POLICIES,  /* GET /beta/policies/permissionGrantPolicies */
	CS_RSC_SRC_PREAPPROVAL,     /* GET /beta/servicePrincipals(appId=...)/permissionGrantPreApprovalPolicies */
	CS_RSC_N_SOURCES,
};

/* One source as it was read: http_status 0 = not read (error says why), -1 = no usable answer. */
struct cs_rsc_fact {
	int http_status;
	char *error;
	cs_time fetched_at;
};

/* The tenant's chat RSC state. http_status, error and fetched_at describe the derivation: 200 when
 * the sources gave a state, else the answer of the source that would have decided it. */
struct cs_rsc {
	int state;                 /* enum cs_rsc_state */
	char *source;              /* "authorizationPolicy" or "teamsAppSettings": the one that decided */
	char **policies;           /* permission grant policies assigned (permissionGrantPoliciesAssigned) */
	size_t n_policies;
	int http_status;           /* 0 never fetched */
	char *error;               /* why it could not be read */
	cs_time fetched_at;
	char *decided_by;          /* graph_rsc_derive's words ("authorizationPolicy+permissionGrantPolicies") */
	char *missing;             /* the source that could not be read and would decide or check it, or NULL */
	int chat_rsc_enabled;      /* enum cs_tristate: teamsAppSettings.isChatResourceSpecificConsentEnabled */
	struct cs_rsc_fact facts[CS_RSC_N_SOURCES];
	int app_covered;           /* enum cs_tristate: Dataverse Chat Sync may get chat RSC (pre-approved and Custom) */
	char *app_covered_reason;  /* why app_covered is what it is; NULL when not asked (other states) */
};

const char *cs_chat_state_name(int state);       /* "open", ..., "not_recorded" */
int cs_chat_state_parse(const char *name);       /* -2 if unknown */
const char *cs_sync_status_name(int status);     /* "not_enabled", "pending", "enabled", NULL */
const char *cs_rsc_state_name(int state);        /* contract spelling, "unknown" */
int cs_rsc_state_parse(const char *name);
const char *cs_rsc_source_name(int source);     /* "teamsAppSettings", ..., NULL */
int cs_rsc_source_parse(const char *name);       /* -1 if unknown */
int cs_env_inactivity_days(const struct cs_env *env); /* the limit in force, default 7 */

void cs_env_free(struct cs_env *env);            /* frees members, not env itself */
void cs_chat_free(struct cs_chat *chat);
void cs_assoc_free(struct cs_assoc *assoc);
void cs_sync_error_free(struct cs_sync_error *e);
void cs_graph_chat_free(struct cs_graph_chat *g);
void cs_rsc_free(struct cs_rsc *rsc);

#endif
