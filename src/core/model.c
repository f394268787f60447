#include "config.h"
#include "core/model.h"
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "open", "completed", "canceled", "scheduled" };
static const char *const sync_names[] = { "not_enabled", "pending", "enabled" };
static const char *const rsc_names[] = {
	"unknown", "EnabledForAllApps", "ManagedByMicrosoft", "EnabledForPreApprovedAppsOnly",
	"DisabledForAllApps", "Custom",
};

const char *cs_chat_state_name(int state)
{
	if (state >= 0 && state < 4)
		return state_names[state];
	return "not_recorded";
}

int cs_chat_state_parse(const char *name)
{
	if (!name)
		return -2;
	for (int i = 0; i < 4; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	if (strcmp(name, "not_recorded") == 0)
		return CS_STATE_NOT_RECORDED;
	return -2;
}

const char *cs_sync_status_name(int status)
{
	if (status >= 0 && status < 3)
		return sync_names[status];
	return NULL;
}

const char *cs_rsc_state_name(int state)
{
	if (state >= 0 && state < (int)(sizeof rsc_names / sizeof *rsc_names))
		return rsc_names[state];
	return "unknown";
}

int cs_rsc_state_parse(const char *name)
{
	for (int i = 0; name && i < (int)(sizeof rsc_names / sizeof *rsc_names); i++)
		if (strcmp(name, rsc_names[i]) == 0)
			return i;
	return CS_RSC_UNKNOWN;
}

static const char *const rsc_source_names[CS_RSC_N_SOURCES] = {
	"teamsAppSettings", "authorizationPolicy", "permissionGrantPolicies", "permissionGrantPreApprovalPolicies",
};

const char *cs_rsc_source_name(int source)
{
	return source >= 0 && source < CS_RSC_N_SOURCES ? rsc_source_names[source] : NULL;
}

int cs_rsc_source_parse(const char *name)
{
	for (int i = 0; name && i < CS_RSC_N_SOURCES; i++)
		if (strcmp(name, rsc_source_names[i]) == 0)
			return i;
	return -1;
}

int cs_env_inactivity_days(const struct cs_env *env)
{
	if (env && env->inactivity_days >= 1 && env->inactivity_days <= 28)
		return env->inactivity_days;
	return CS_DEFAULT_INACTIVITY_DAYS;
}

void cs_env_free(struct cs_env *e)
{
	if (!e)
		return;
	free(e->id); free(e->unique_name); free(e->friendly_name); free(e->url); free(e->api_url);
	free(e->purpose); free(e->organization_id); free(e->org_etag); free(e->last_error);
	memset(e, 0, sizeof *e);
}

void cs_chat_free(struct cs_chat *c)
{
	if (!c)
		return;
	free(c->env_id); free(c->activity_id); free(c->teams_chat_id); free(c->subject);
	free(c->modified_in_teams_by); free(c->linked_by); free(c->unlinked_by);
	free(c->regarding_id); free(c->regarding_type);
	for (size_t i = 0; i < c->n_parties; i++) {
		free(c->parties[i].party_id);
		free(c->parties[i].name);
	}
	free(c->parties);
	memset(c, 0, sizeof *c);
}

void cs_assoc_free(struct cs_assoc *a)
{
	if (!a)
		return;
	free(a->id); free(a->env_id); free(a->teams_chat_id); free(a->regarding_id); free(a->regarding_table);
	memset(a, 0, sizeof *a);
}

void cs_sync_error_free(struct cs_sync_error *e)
{
	if (!e)
		return;
	free(e->id); free(e->code); free(e->message);
	memset(e, 0, sizeof *e);
}

void cs_graph_chat_free(struct cs_graph_chat *g)
{
	if (!g)
		return;
	free(g->teams_chat_id); free(g->topic); free(g->chat_type); free(g->chat_error);
	free(g->app_client_id); free(g->app_name); free(g->apps_error); free(g->grants_error);
	memset(g, 0, sizeof *g);
}

void cs_rsc_free(struct cs_rsc *r)
{
	if (!r)
		return;
	free(r->source); free(r->error); free(r->decided_by); free(r->missing); free(r->app_covered_reason);
	for (int i = 0; i < CS_RSC_N_SOURCES; i++)
		free(r->facts[i].error);
	for (size_t i = 0; i < r->n_policies; i++)
		free(r->policies[i]);
	free(r->policies);
	memset(r, 0, sizeof *r);
}
