#include "config.h"
#include "api/dv_parse.h"
#include "api/json_util.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define FORMATTED "@OData.Community.Display.V1.FormattedValue"
#define LOOKUP_TABLE "@Microsoft.Dynamics.CRM.lookuplogicalname"

void dv_page_free(struct dv_page *p)
{
	free(p->next_link);
	free(p->delta_link);
	for (size_t i = 0; i < p->n_deleted; i++)
		free(p->deleted[i]);
	free(p->deleted);
	memset(p, 0, sizeof *p);
}

/* Reads the paging links, and tells whether a row is a $deletedEntity (recording its id). */
static void read_links(const cJSON *root, struct dv_page *page)
{
	if (!page)
		return;
	memset(page, 0, sizeof *page);
	page->next_link = ju_str(root, "@odata.nextLink");
	page->delta_link = ju_str(root, "@odata.deltaLink");
}

static bool take_deleted(const cJSON *row, struct dv_page *page)
{
	const char *ctx = ju_str_ref(row, "@odata.context");
	const char *id = ju_str_ref(row, "id");
	size_t len = ctx ? strlen(ctx) : 0;
	if (!ctx || len < 14 || strcmp(ctx + len - 14, "$deletedEntity") != 0)
		return false;
	if (page && id) {
		page->deleted = xrealloc(page->deleted, (page->n_deleted + 1) * sizeof *page->deleted);
		page->deleted[page->n_deleted++] = xstrdup(id);
	}
	return true;
}

int dv_parse_instances(const char *body, struct cs_env **envs, size_t *n, struct cs_error *err)
{
	*envs = NULL;
	*n = 0;
	cJSON *root;
	const cJSON *arr = ju_collection(body, _("Global Discovery Instances"), &root, err), *row;
	if (!arr)
		return -1;
	*envs = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **envs);
	cJSON_ArrayForEach(row, arr) {
		struct cs_env *e = &(*envs)[*n];
		e->id = ju_str(row, "Id");
		e->unique_name = ju_str(row, "UniqueName");
		e->friendly_name = ju_str(row, "FriendlyName");
		e->url = ju_str(row, "Url");
		e->api_url = ju_str(row, "ApiUrl");
		e->state = ju_int(row, "State", 0);
		e->purpose = ju_str(row, "Purpose");
		e->sync_enabled = CS_UNKNOWN;
		/* An instance needs an id and a URL to be of any use; the docs' $select example has neither
		 * Id nor Url, so fall back to ApiUrl and the name. */
		if (!e->url && e->api_url)
			e->url = xstrdup(e->api_url);
		if (!e->unique_name && e->friendly_name)
			e->unique_name = xstrdup(e->friendly_name);
		if (!e->id && e->unique_name)
			e->id = xstrdup(e->unique_name);
		if (!e->id || !e->url) {
			cs_env_free(e);
			continue;
		}
		(*n)++;
	}
	cJSON_Delete(root);
	return 0;
}

int dv_parse_organization(const char *body, struct cs_env *env, struct cs_error *err)
{
	cJSON *root = ju_parse_object(body, _("the organization settings"), err);
	if (!root)
		return -1;
	/* Both the collection form (organizations?$select=...) and a single row are accepted. */
	const cJSON *row = root, *arr = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (cJSON_IsArray(arr))
		row = cJSON_GetArrayItem(arr, 0);
	if (!cJSON_IsObject(row) || !ju_str_ref(row, "organizationid")) {
		cJSON_Delete(root);
		return cs_fail(err, CS_EXIT_NETWORK, _("the environment returned no organization row (check that the "
						       "signed-in identity can read the organization table)"));
	}
	free(env->organization_id);
	free(env->org_etag);
	env->organization_id = ju_str(row, "organizationid");
	env->org_etag = ju_str(row, "@odata.etag");
	env->sync_enabled = ju_bool(row, "teamschatdatasync");
	env->inactivity_days = ju_int(row, "daysbeforeinactiveteamschatsyncdisabled", 0);
	cJSON_Delete(root);
	return 0;
}

static void read_party(const cJSON *p, struct cs_party *party)
{
	party->party_id = ju_str(p, "_partyid_value");
	const char *name = ju_str_ref(p, "_partyid_value" FORMATTED);
	party->name = xstrdup(name ? name : ju_str_ref(p, "addressused"));
	party->deleted = ju_bool(p, "ispartydeleted") == CS_TRUE;
}

int dv_parse_parties(const char *body, struct cs_party **parties, char ***activity_ids, size_t *n,
		     struct dv_page *page, struct cs_error *err)
{
	*parties = NULL;
	*activity_ids = NULL;
	*n = 0;
	cJSON *root;
	const cJSON *arr = ju_page(body, _("the chat participants"), &root, err), *row;
	if (!arr)
		return -1;
	read_links(root, page);
	size_t cap = (size_t)cJSON_GetArraySize(arr) + 1;
	*parties = xcalloc(cap, sizeof **parties);
	*activity_ids = xcalloc(cap, sizeof **activity_ids);
	cJSON_ArrayForEach(row, arr) {
		if (!cJSON_IsObject(row) || take_deleted(row, page) || !ju_str_ref(row, "_activityid_value") ||
		    ju_int(row, "participationtypemask", 0) != 12)
			continue;
		read_party(row, &(*parties)[*n]);
		(*activity_ids)[(*n)++] = ju_str(row, "_activityid_value");
	}
	ju_page_done(root);
	return 0;
}

static void read_parties(const cJSON *row, struct cs_chat *c)
{
	const cJSON *parties = cJSON_GetObjectItemCaseSensitive(row, "chat_activity_parties"), *p;
	if (!cJSON_IsArray(parties))
		return;
	c->parties = xcalloc((size_t)cJSON_GetArraySize(parties) + 1, sizeof *c->parties);
	cJSON_ArrayForEach(p, parties) {
		if (ju_int(p, "participationtypemask", 0) != 12) /* 12: Chat Participant */
			continue;
		read_party(p, &c->parties[c->n_parties++]);
	}
}

static void read_chat(const cJSON *row, const char *env_id, cs_time fetched_at, struct cs_chat *c)
{
	c->env_id = xstrdup(env_id);
	c->activity_id = ju_str(row, "activityid");
	c->teams_chat_id = ju_str(row, "teamschatid");
	c->subject = ju_str(row, "subject");
	c->state = ju_int(row, "statecode", CS_STATE_OPEN);
	c->status_code = ju_int(row, "statuscode", -1);
	c->sync_status = ju_int(row, "syncstatus", CS_SYNC_NULL);
	c->last_sync_error = ju_int(row, "lastsyncerror", 0);
	c->modified_in_teams_on = ju_time(row, "modifiedinteamson");
	const char *by = ju_str_ref(row, "_modifiedinteamsby_value" FORMATTED);
	c->modified_in_teams_by = xstrdup(by ? by : ju_str_ref(row, "modifiedinteamsby"));
	c->linked_on = ju_time(row, "linkedon");
	by = ju_str_ref(row, "_linkedby_value" FORMATTED);
	c->linked_by = xstrdup(by ? by : ju_str_ref(row, "_linkedby_value"));
	c->unlinked_on = ju_time(row, "unlinkedon");
	by = ju_str_ref(row, "_unlinkedby_value" FORMATTED);
	c->unlinked_by = xstrdup(by ? by : ju_str_ref(row, "_unlinkedby_value"));
	c->regarding_id = ju_str(row, "_regardingobjectid_value");
	const char *table = ju_str_ref(row, "_regardingobjectid_value" LOOKUP_TABLE);
	c->regarding_type = xstrdup(table ? table : ju_str_ref(row, "regardingobjecttypecode"));
	c->created_on = ju_time(row, "createdon");
	c->modified_on = ju_time(row, "modifiedon");
	c->fetched_at = fetched_at;
	read_parties(row, c);
}

int dv_parse_chats(const char *body, const char *env_id, cs_time fetched_at, struct cs_chat **chats, size_t *n,
		   struct dv_page *page, struct cs_error *err)
{
	*chats = NULL;
	*n = 0;
	cJSON *root;
	const cJSON *arr = ju_page(body, _("the chat activities"), &root, err), *row;
	if (!arr)
		return -1;
	read_links(root, page);
	*chats = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **chats);
	cJSON_ArrayForEach(row, arr) {
		if (!cJSON_IsObject(row) || take_deleted(row, page) || !ju_str_ref(row, "activityid"))
			continue;
		read_chat(row, env_id, fetched_at, &(*chats)[(*n)++]);
	}
	ju_page_done(root);
	return 0;
}

int dv_parse_assocs(const char *body, const char *env_id, cs_time fetched_at, struct cs_assoc **assocs,
		    size_t *n, struct dv_page *page, struct cs_error *err)
{
	*assocs = NULL;
	*n = 0;
	cJSON *root;
	const cJSON *arr = ju_page(body, _("the Teams chat associations"), &root, err), *row;
	if (!arr)
		return -1;
	read_links(root, page);
	*assocs = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **assocs);
	cJSON_ArrayForEach(row, arr) {
		if (!cJSON_IsObject(row) || take_deleted(row, page) || !ju_str_ref(row, "msdyn_teamschatassociationid"))
			continue;
		struct cs_assoc *a = &(*assocs)[(*n)++];
		a->id = ju_str(row, "msdyn_teamschatassociationid");
		a->env_id = xstrdup(env_id);
		a->teams_chat_id = ju_str(row, "msdyn_teamschatid");
		a->regarding_id = ju_str(row, "msdyn_regardingobjectid");
		a->regarding_table = ju_str(row, "msdyn_regardingobjectname");
		a->record_state = ju_int(row, "msdyn_entityrecordstate", CS_ASSOC_ASSOCIATE);
		a->statecode = ju_int(row, "statecode", 0);
		a->created_on = ju_time(row, "createdon");
		a->modified_on = ju_time(row, "modifiedon");
		a->fetched_at = fetched_at;
	}
	ju_page_done(root);
	return 0;
}

int dv_parse_sync_errors(const char *body, struct cs_sync_error **errors, char ***regarding, size_t *n,
			 struct dv_page *page, struct cs_error *err)
{
	*errors = NULL;
	*regarding = NULL;
	*n = 0;
	cJSON *root;
	const cJSON *arr = ju_page(body, _("the sync errors"), &root, err), *row;
	if (!arr)
		return -1;
	read_links(root, page);
	size_t cap = (size_t)cJSON_GetArraySize(arr) + 1;
	*errors = xcalloc(cap, sizeof **errors);
	*regarding = xcalloc(cap, sizeof **regarding);
	cJSON_ArrayForEach(row, arr) {
		if (!cJSON_IsObject(row) || take_deleted(row, page) || !ju_str_ref(row, "syncerrorid"))
			continue;
		struct cs_sync_error *e = &(*errors)[*n];
		e->id = ju_str(row, "syncerrorid");
		e->code = ju_str(row, "errorcode");
		if (e->code) {
			char *end;
			long v = strtol(e->code, &end, 0);
			e->errorcode = *end == '\0' ? (int)v : 0;
		}
		e->message = ju_str(row, "errormessage");
		e->time = ju_time(row, "errortime");
		e->type = ju_int(row, "errortype", 3);
		(*regarding)[(*n)++] = ju_str(row, "_regardingobjectid_value");
	}
	ju_page_done(root);
	return 0;
}

int dv_parse_whoami(const char *body, char **user_id, char **organization_id, struct cs_error *err)
{
	cJSON *root = ju_parse_object(body, "WhoAmI", err);
	if (!root)
		return -1;
	*user_id = ju_str(root, "UserId");
	*organization_id = ju_str(root, "OrganizationId");
	cJSON_Delete(root);
	if (!*user_id)
		return cs_fail(err, CS_EXIT_NETWORK, _("the answer to WhoAmI has no UserId (run again)"));
	return 0;
}
