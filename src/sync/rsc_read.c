/* The tenant's chat RSC state from the three sources Get-MgBetaChatRscConfiguration reads
 * (msgraph-sdk-powershell src/Teams/beta/custom/RscConfigurationSynthesizer.cs), combined by
 * graph_rsc_derive, and the Dataverse Chat Sync app's pre-approval where the state depends on it.
 * See src/sandbox/INTERFACE.md, "Chat RSC as the cmdlet derives it". */
#include "config.h"
#include "sync/rsc_read.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "api/graph_rsc.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/http.h"
#include "store/cache.h"
#include <stdlib.h>
#include <string.h>

#define OWNED "ManagePermissionGrantsForOwnedResource."

struct rsc_read {
	struct refresh *r;
	struct cs_rsc rsc;       /* the facts as answers come, the derivation once the three are in */
	int pending;             /* requests queued and not answered */
	bool cancelled;          /* a request was cancelled: nothing of this read is written */
	bool derived, asked, settled, taken;
	int settings;            /* enum cs_tristate: isChatResourceSpecificConsentEnabled */
	struct cs_rsc policy;    /* the authorization policy as parsed (its assigned list) */
	bool assigned_known;
	struct graph_grant_policy *grants;
	size_t n_grants;
	bool grants_known;
	char *client_id;         /* the app's clientAppId, from this run's installed apps */
	int preapproved;         /* enum cs_tristate: graph_parse_chat_preapproval's answer */
	bool preapproval_read;
};

struct rsc_call {
	struct rsc_read *rr;
	int source;              /* enum cs_rsc_source */
};

static void on_answer(struct net *net, const struct net_response *resp, void *user);

static void queue(struct rsc_read *rr, int source, const char *url, const char *needs)
{
	struct refresh *r = rr->r;
	struct cs_error err = { 0 };
	struct rsc_call *call = xmalloc(sizeof *call);
	*call = (struct rsc_call){ .rr = rr, .source = source };
	rr->pending++;
	if (net_queue(r->net, &(struct net_request){ .url = url, .headers = graph_headers, .bucket = "graph",
						      .resource = conf_graph_resource(r->profile), .service = "Graph",
						      .needs = needs, .done = on_answer, .user = call }, &err)) {
		rr->pending--;
		free(call);
		struct cs_rsc_fact *f = &rr->rsc.facts[source];
		f->http_status = -1;
		f->fetched_at = r->now;
		free(f->error);
		f->error = xstrdup(err.msg);
		log_error("%s", err.msg);
	}
}

static bool is_delegated(const struct refresh *r)
{
	return r->profile->auth == CONF_AUTH_DEVICE_CODE;
}

struct rsc_read *rsc_read_start(struct refresh *r)
{
	struct rsc_read *rr = xcalloc(1, sizeof *rr);
	rr->r = r;
	rr->settings = CS_UNKNOWN;
	rr->preapproved = CS_UNKNOWN;
	rr->rsc.chat_rsc_enabled = rr->rsc.app_covered = CS_UNKNOWN;
	char *url;
	if (is_delegated(r)) {
		url = graph_url_teams_app_settings(r->profile);
		queue(rr, CS_RSC_SRC_SETTINGS, url, GRAPH_PERM_APP_SETTINGS);
		free(url);
	} else {
		rr->rsc.facts[CS_RSC_SRC_SETTINGS].error =
			xstrdup(_("not read: Graph serves teamsAppSettings to delegated sign-ins only (an app gets 403)"));
	}
	url = graph_url_authorization_policy(r->profile);
	queue(rr, CS_RSC_SRC_AUTH_POLICY, url, GRAPH_PERM_POLICY);
	free(url);
	url = graph_url_permission_grant_policies(r->profile);
	queue(rr, CS_RSC_SRC_GRANT_POLICIES, url, GRAPH_PERM_GRANT_POLICIES);
	free(url);
	return rr;
}

void rsc_read_hint(struct rsc_read *rr, const char *client_app_id)
{
	if (rr && !rr->client_id && client_app_id && *client_app_id)
		rr->client_id = xstrdup(client_app_id);
}

static bool needs_preapproval(const struct rsc_read *rr)
{
	return rr->rsc.state == CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY || rr->rsc.state == CS_RSC_CUSTOM;
}

/* Queues the pre-approval of the app when its client id is known; false when it is not. */
static bool ask_preapproval(struct rsc_read *rr)
{
	char *id = rr->client_id ? xstrdup(rr->client_id) : cache_chat_sync_client_id(rr->r->cache);
	if (!id)
		return false;
	char *url = graph_url_preapproval_policies(rr->r->profile, id);
	rr->asked = true;
	queue(rr, CS_RSC_SRC_PREAPPROVAL, url, GRAPH_PERM_PREAPPROVAL);
	free(url);
	free(id);
	return rr->pending > 0;
}

static bool assigned(const struct cs_rsc *rsc, const char *policy_id)
{
	for (size_t i = 0; i < rsc->n_policies; i++)
		if (strncmp(rsc->policies[i], OWNED, strlen(OWNED)) == 0 &&
		    strcmp(rsc->policies[i] + strlen(OWNED), policy_id) == 0)
			return true;
	return false;
}

/* Whether Dataverse Chat Sync may get chat RSC under EnabledForPreApprovedAppsOnly or Custom, and why. */
static void settle_coverage(struct rsc_read *rr)
{
	struct cs_rsc *o = &rr->rsc;
	const struct cs_rsc_fact *f = &o->facts[CS_RSC_SRC_PREAPPROVAL];
	char *pre_why = NULL;
	int pre = CS_UNKNOWN;
	if (!rr->asked)
		pre_why = xstrdup(_("the app's client id is not known yet: no chat's installed apps have shown Dataverse "
				    "Chat Sync (run chatsync refresh once a chat is connected)"));
	else if (!rr->preapproval_read)
		pre_why = xasprintf(_("its pre-approval policies could not be read: %s"), f->error ? f->error : _("no answer"));
	else if ((pre = rr->preapproved) == CS_TRUE)
		pre_why = xstrdup(_("a pre-approval policy of the app pre-approves all its permissions in every chat"));
	else if (pre == CS_FALSE)
		pre_why = xstrdup(_("none of the app's pre-approval policies pre-approves its permissions for chats"));
	else
		pre_why = xstrdup(_("its chat pre-approval is limited to sensitivity labels or lists permission ids, and "
				    "chatsync does not know which permissions the app asks for"));
	free(o->app_covered_reason);
	if (o->state == CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY) {
		o->app_covered = pre;
		o->app_covered_reason = pre_why;
		return;
	}
	if (assigned(o, "microsoft-all-application-permissions-for-chat")) {
		o->app_covered = CS_TRUE;
		o->app_covered_reason = xstrdup(_("microsoft-all-application-permissions-for-chat is among the chat "
						  "policies assigned: any app may get chat RSC permissions"));
	} else if (pre == CS_TRUE && assigned(o, "microsoft-pre-approval-apps-for-chat")) {
		o->app_covered = CS_TRUE;
		o->app_covered_reason = xasprintf(_("microsoft-pre-approval-apps-for-chat is among the chat policies "
						    "assigned, and %s"), pre_why);
	} else {
		o->app_covered = CS_UNKNOWN;
		o->app_covered_reason = xasprintf(_("a custom permission grant policy decides, and chatsync cannot "
						    "evaluate its conditions (nor can Get-MgBetaChatRscConfiguration); "
						    "the app's pre-approval: %s"), pre_why);
	}
	free(pre_why);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The three sources are in: the state as the cmdlet derives it. */
static void derive(struct rsc_read *rr)
{
	struct cs_rsc *o = &rr->rsc;
	struct graph_rsc_sources s = {
		.chat_rsc_enabled = rr->settings,
		.assigned_known = rr->assigned_known, .assigned = rr->policy.policies, .n_assigned = rr->policy.n_policies,
		.policies_known = rr->grants_known, .policies = rr->grants, .n_policies = rr->n_grants,
	};
	struct graph_rsc_result res;
	graph_rsc_derive(&s, &res);
	o->state = res.state;
	o->decided_by = dup_or_null(res.decided_by);
	o->missing = dup_or_null(res.missing);
	o->source = res.decided_by ? xstrdup(strcmp(res.decided_by, "teamsAppSettings") == 0 ? "teamsAppSettings"
											     : "authorizationPolicy")
				   : NULL;
	o->chat_rsc_enabled = rr->settings;
	o->policies = rr->policy.policies;
	o->n_policies = rr->policy.n_policies;
	rr->policy.policies = NULL;
	rr->policy.n_policies = 0;
	if (o->state != CS_RSC_UNKNOWN) {
		o->http_status = 200;
		o->fetched_at = rr->r->now;
	} else {
		/* The source that would decide it: its answer is why there is no state. */
		int m = cs_rsc_source_parse(res.missing);
		const struct cs_rsc_fact *f = &o->facts[m >= 0 ? m : CS_RSC_SRC_AUTH_POLICY];
		o->http_status = f->http_status ? f->http_status : -1;
		o->error = dup_or_null(f->error);
		o->fetched_at = f->fetched_at ? f->fetched_at : rr->r->now;
	}
	rr->derived = true;
	if (!needs_preapproval(rr))
		rr->settled = true;
	else
		ask_preapproval(rr); /* without a client id yet, rsc_read_step asks once the chats are read */
}

/* Records an answer as its source's fact; true when there is a body to parse. */
static bool record(struct rsc_read *rr, int source, const struct net_response *resp)
{
	struct cs_rsc_fact *f = &rr->rsc.facts[source];
	f->fetched_at = rr->r->now;
	f->http_status = resp->status ? (int)resp->status : -1;
	free(f->error);
	f->error = resp->err ? xstrdup(resp->err->msg) : NULL;
	return resp->err == NULL;
}

static void parse_failed(struct rsc_read *rr, int source, const struct cs_error *err)
{
	struct cs_rsc_fact *f = &rr->rsc.facts[source];
	f->http_status = -1;
	free(f->error);
	f->error = xstrdup(err->msg);
}

static void on_grant_policies(struct rsc_read *rr, const char *body)
{
	struct cs_error err = { 0 };
	struct graph_grant_policy *page;
	size_t n;
	char *next = NULL;
	if (graph_parse_permission_grant_policies(body, &page, &n, &next, &err)) {
		parse_failed(rr, CS_RSC_SRC_GRANT_POLICIES, &err);
		rr->grants_known = false;
		return;
	}
	rr->grants = xrealloc(rr->grants, (rr->n_grants + n + 1) * sizeof *rr->grants);
	memcpy(rr->grants + rr->n_grants, page, n * sizeof *page);
	rr->n_grants += n;
	free(page); /* its strings moved */
	rr->grants_known = next == NULL;
	if (next)
		queue(rr, CS_RSC_SRC_GRANT_POLICIES, next, GRAPH_PERM_GRANT_POLICIES);
	free(next);
}

static void on_answer(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct rsc_call *call = user;
	struct rsc_read *rr = call->rr;
	int source = call->source;
	free(call);
	rr->pending--;
	if (resp->cancelled) {
		rr->cancelled = true;
		return;
	}
	struct cs_error err = { 0 };
	bool ok = record(rr, source, resp);
	if (ok && source == CS_RSC_SRC_SETTINGS) {
		struct cs_rsc t = { 0 };
		/* Only the answer's true or false counts: false alone is no state (the policies decide). */
		if (graph_parse_teams_app_settings(resp->body, &t, &err))
			parse_failed(rr, source, &err);
		else
			rr->settings = t.state == CS_RSC_ENABLED_FOR_ALL_APPS ? CS_TRUE : CS_FALSE;
		cs_rsc_free(&t);
	} else if (ok && source == CS_RSC_SRC_AUTH_POLICY) {
		if (graph_parse_authorization_policy(resp->body, &rr->policy, &err))
			parse_failed(rr, source, &err);
		else
			rr->assigned_known = true;
	} else if (ok && source == CS_RSC_SRC_GRANT_POLICIES) {
		on_grant_policies(rr, resp->body);
	} else if (ok && source == CS_RSC_SRC_PREAPPROVAL) {
		if (graph_parse_chat_preapproval(resp->body, NULL, 0, &rr->preapproved, &err))
			parse_failed(rr, source, &err);
		else
			rr->preapproval_read = true;
	} else if (source == CS_RSC_SRC_GRANT_POLICIES) {
		rr->grants_known = false; /* a later page failed: the list is not whole */
	}
	if (rr->pending > 0 || rr->cancelled)
		return;
	if (!rr->derived)
		derive(rr);
	else if (rr->asked && !rr->settled) {
		settle_coverage(rr);
		rr->settled = true;
	}
}

int rsc_read_step(struct rsc_read *rr)
{
	if (!rr || rr->cancelled || rr->settled || rr->pending > 0)
		return rr && rr->pending > 0;
	if (!rr->derived)
		derive(rr);
	if (rr->settled)
		return 0;
	if (!rr->asked && ask_preapproval(rr))
		return 1;
	if (rr->pending > 0)
		return 1;
	settle_coverage(rr);
	rr->settled = true;
	return 0;
}

const struct cs_rsc *rsc_read_take(struct rsc_read *rr)
{
	if (!rr || !rr->settled || rr->taken || rr->cancelled)
		return NULL;
	rr->taken = true;
	return &rr->rsc;
}

void rsc_read_free(struct rsc_read *rr)
{
	if (!rr)
		return;
	cs_rsc_free(&rr->rsc);
	cs_rsc_free(&rr->policy);
	graph_grant_policies_free(rr->grants, rr->n_grants);
	free(rr->client_id);
	free(rr);
}
