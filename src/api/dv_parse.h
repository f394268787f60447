/* Parsers for Global Discovery and Dataverse Web API answers, into core/model.h structs. They read
 * only the properties they know and ignore the rest; a body that is not the expected JSON is an
 * error with a sentence, never a crash. Results are owned by the caller. */
#ifndef CHATSYNC_DV_PARSE_H
#define CHATSYNC_DV_PARSE_H
#include <stddef.h>
#include "base/error.h"
#include "core/model.h"

/* A page of an OData collection: the rows, ids of $deletedEntity rows, and the links. */
struct dv_page {
	char *next_link;   /* @odata.nextLink, NULL on the last page */
	char *delta_link;  /* @odata.deltaLink (change tracking), on the last page */
	char **deleted;    /* ids of $deletedEntity rows */
	size_t n_deleted;
};
void dv_page_free(struct dv_page *p);

/* GET <discovery>/api/discovery/v2.0/Instances */
int dv_parse_instances(const char *body, struct cs_env **envs, size_t *n, struct cs_error *err);
/* GET organizations?$select=organizationid,teamschatdatasync,daysbefore... : fills env's organization
 * fields (organization_id, sync_enabled, inactivity_days, org_etag). */
int dv_parse_organization(const char *body, struct cs_env *env, struct cs_error *err);
/* A page of chats (optionally with $expand=chat_activity_parties). */
int dv_parse_chats(const char *body, const char *env_id, cs_time fetched_at, struct cs_chat **chats, size_t *n,
		   struct dv_page *page, struct cs_error *err);
/* A page of activityparties: each chat participant party (participationtypemask 12) with the activity
 * it belongs to (activity_ids[i], caller owns). */
int dv_parse_parties(const char *body, struct cs_party **parties, char ***activity_ids, size_t *n,
		     struct dv_page *page, struct cs_error *err);
/* A page of msdyn_teamschatassociations. */
int dv_parse_assocs(const char *body, const char *env_id, cs_time fetched_at, struct cs_assoc **assocs,
		    size_t *n, struct dv_page *page, struct cs_error *err);
/* A page of syncerrors; regarding[i] is the row's _regardingobjectid_value (caller owns). */
int dv_parse_sync_errors(const char *body, struct cs_sync_error **errors, char ***regarding, size_t *n,
			 struct dv_page *page, struct cs_error *err);
/* GET WhoAmI → the caller's UserId (caller owns). */
int dv_parse_whoami(const char *body, char **user_id, char **organization_id, struct cs_error *err);

#endif
