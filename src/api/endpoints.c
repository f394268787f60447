#include "config.h"
#include "api/endpoints.h"
#include "base/xalloc.h"
#include "base/text.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *const dv_headers_read[] = {
	"Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0",
	"Prefer: odata.maxpagesize=5000,odata.include-annotations=\"*\"", NULL,
};
const char *const dv_headers_track[] = {
	"Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0",
	"Prefer: odata.track-changes,odata.maxpagesize=5000,odata.include-annotations=\"*\"", NULL,
};
const char *const graph_headers[] = { "Accept: application/json", NULL };

const char *const *dv_body_headers(struct dv_body_headers *h, const char *content_type, const char *extra)
{
	h->content_type = xasprintf("Content-Type: %s", content_type);
	h->extra = xstrdup(extra);
	size_t n = 0;
	h->list[n++] = "Accept: application/json";
	h->list[n++] = "OData-MaxVersion: 4.0";
	h->list[n++] = "OData-Version: 4.0";
	h->list[n++] = h->content_type;
	if (h->extra)
		h->list[n++] = h->extra;
	h->list[n] = NULL;
	return h->list;
}

void dv_body_headers_free(struct dv_body_headers *h)
{
	free(h->content_type);
	free(h->extra);
	memset(h, 0, sizeof *h);
}

char *api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_add(&b, p, 1);
		} else {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			buf_add(&b, enc, 3);
		}
	}
	return buf_steal(&b);
}

char *api_discovery_instances_url(const struct conf_profile *p)
{
	return xasprintf("%s/api/discovery/v2.0/Instances", p->discovery);
}

char *dv_url(const struct cs_env *env, const char *rest)
{
	return xasprintf("%.*s/api/data/v9.2/%s", (int)text_trimmed_slashes(env->url), env->url, rest);
}

char *dv_url_organization(const struct cs_env *env)
{
	return dv_url(env, "organizations?$select=organizationid,name,teamschatdatasync,"
			   "daysbeforeinactiveteamschatsyncdisabled");
}

char *dv_url_organization_row(const struct cs_env *env)
{
	char *rest = xasprintf("organizations(%s)", env->organization_id ? env->organization_id : "");
	char *u = dv_url(env, rest);
	free(rest);
	return u;
}

#define CHAT_COLUMNS \
	"activityid,subject,teamschatid,modifiedinteamson,linkedon,_linkedby_value,unlinkedon,_unlinkedby_value," \
	"syncstatus,lastsyncerror,statecode,statuscode,_regardingobjectid_value,regardingobjecttypecode,createdon," \
	"modifiedon"
#define PARTY_COLUMNS "activitypartyid,_activityid_value,_partyid_value,participationtypemask,addressused,ispartydeleted"

char *dv_url_chats(const struct cs_env *env)
{
	return dv_url(env, "chats?$select=" CHAT_COLUMNS);
}

char *dv_url_chat_parties(const struct cs_env *env)
{
	return dv_url(env, "activityparties?$select=" PARTY_COLUMNS "&$filter=participationtypemask%20eq%2012");
}

char *dv_url_parties_of(const struct cs_env *env, const char *activity_id)
{
	char *rest = xasprintf("activityparties?$select=" PARTY_COLUMNS
			       "&$filter=participationtypemask%%20eq%%2012%%20and%%20_activityid_value%%20eq%%20%s",
			       activity_id);
	char *u = dv_url(env, rest);
	free(rest);
	return u;
}

char *dv_url_associations(const struct cs_env *env)
{
	return dv_url(env, "msdyn_teamschatassociations?$select=msdyn_teamschatassociationid,msdyn_teamschatid,"
			   "msdyn_regardingobjectid,msdyn_regardingobjectname,msdyn_entityrecordstate,statecode,createdon,"
			   "modifiedon");
}

char *dv_url_sync_errors(const struct cs_env *env)
{
	return dv_url(env, "syncerrors?$select=syncerrorid,_regardingobjectid_value,errorcode,errormessage,errortime,"
			   "errortype");
}

char *dv_url_whoami(const struct cs_env *env)
{
	return dv_url(env, "WhoAmI");
}

char *dv_bucket(const struct cs_env *env)
{
	/* Dataverse limits are per environment's web servers: one pace per instance Url, even when
	 * environments share a host (as the sandbox's do). */
	const char *inst = strstr(env->url, "://");
	inst = inst ? inst + 3 : env->url;
	return xasprintf("dataverse:%.*s", (int)text_trimmed_slashes(inst), inst);
}

char *graph_url(const struct conf_profile *p, const char *rest)
{
	return xasprintf("%s/v1.0/%s", p->graph, rest);
}

static char *chat_url(const struct conf_profile *p, const char *id, const char *tail)
{
	char *esc = api_escape(id);
	char *u = xasprintf("%s/v1.0/chats/%s%s", p->graph, esc, tail);
	free(esc);
	return u;
}

char *graph_url_chat(const struct conf_profile *p, const char *id)
{
	return chat_url(p, id, "");
}

char *graph_url_installed_apps(const struct conf_profile *p, const char *id)
{
	return chat_url(p, id, "/installedApps?$expand=teamsApp,teamsAppDefinition");
}

char *graph_url_grants(const struct conf_profile *p, const char *id)
{
	return chat_url(p, id, "/permissionGrants");
}

char *graph_url_authorization_policy(const struct conf_profile *p)
{
	return graph_url(p, "policies/authorizationPolicy");
}

char *graph_url_teams_app_settings(const struct conf_profile *p)
{
	return xasprintf("%s/beta/teamwork/teamsAppSettings", p->graph);
}

char *graph_url_permission_grant_policies(const struct conf_profile *p)
{
	return xasprintf("%s/beta/policies/permissionGrantPolicies", p->graph);
}

char *graph_url_preapproval_policies(const struct conf_profile *p, const char *client_app_id)
{
	char *id = api_escape(client_app_id);
	char *u = xasprintf("%s/beta/servicePrincipals(appId='%s')/permissionGrantPreApprovalPolicies", p->graph, id);
	free(id);
	return u;
}

char *graph_url_my_directory_roles(const struct conf_profile *p)
{
	return graph_url(p, "me/transitiveMemberOf/microsoft.graph.directoryRole");
}
