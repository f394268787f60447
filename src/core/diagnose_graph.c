/* The rules over Graph's and Entra's facts, in table order: app-not-installed, rsc-disabled,
 * rsc-grant-missing, chat-not-found. */
#include "config.h"
#include "core/diagnose_int.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* Least-privileged Microsoft Graph permissions, from the v1.0 reference pages. For GET
 * /chats/{id} the application column lists Chat.ReadBasic.WhereInstalled first, but that one
 * only reaches chats where the caller's own Teams app is installed, and chatsync is no Teams
 * app, so the next one that works is named. installedApps and permissionGrants share theirs. */
#define PERM_CHAT "Chat.ReadBasic (delegated) or Chat.ReadBasic.All (application)"
#define PERM_APPS "TeamsAppInstallation.ReadForChat (delegated) or " \
	"TeamsAppInstallation.ReadForChat.All (application)"
#define PERM_POLICY "Policy.Read.All"

static bool graph_checks_moot(const struct diag_ctx *c)
{
	return c->gone || c->unlinked || !c->has_row;
}

/* A delegated sign-in outside the chat's roster: Graph lets a user read only its own chats, so none of
 * the chat's Graph checks can run with it. One finding stands for them all. */
static void not_member_unavailable(struct diag_ctx *c, const struct cs_graph_chat *g)
{
	struct diag_finding *fd = diag_unavailable(c, DIAG_RULE_APP_NOT_INSTALLED);
	diag_say(fd, "%s", _("chatsync's sign-in is not a member of this chat, and a delegated sign-in sees only its "
		 "own chats, so the chat's apps, grants and existence in Teams were not checked."));
	diag_fix(fd, "%s", _("Use an app profile (auth = client-secret or certificate) to read every chat, then run "
		 "chatsync refresh."));
	bool apps = g->apps_status == 403;
	diag_evidence(c, fd, apps ? "GET /chats/{id}/installedApps" : "GET /chats/{id}", DIAG_SRC_GRAPH,
		      apps ? g->apps_fetched_at : g->chat_fetched_at, "HTTP 403: %s",
		      diag_str(apps ? g->apps_error : g->chat_error));
}

/* app-not-installed: Dataverse installs Dataverse Chat Sync in the chat when it is connected. */
static void rule_app_not_installed(struct diag_ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	if (graph_checks_moot(c))
		return;
	if (g && g->not_member) {
		not_member_unavailable(c, g);
		return;
	}
	const char *req = "GET /chats/{id}/installedApps";
	if (!g || g->apps_status < 200 || g->apps_status > 299) {
		diag_request_failed(c, DIAG_RULE_APP_NOT_INSTALLED, _("the chat's installed apps"), req,
				    DIAG_SRC_GRAPH, g ? g->apps_status : 0, g ? g->apps_error : NULL,
				    g ? g->apps_fetched_at : 0, PERM_APPS);
		return;
	}
	if (g->app_installed == CS_TRUE)
		return;
	struct diag_finding *fd;
	if (g->app_installed == CS_FALSE) {
		fd = diag_found(c, DIAG_RULE_APP_NOT_INSTALLED);
		diag_say(fd, "%s", _("The Dataverse Chat Sync app is not installed in the chat, so Dataverse is not "
			 "told when the chat changes."));
		diag_fix(fd, "%s", _("Connect the chat again from the record so Dynamics 365 installs Dataverse "
			 "Chat Sync, and check that the app is allowed in Teams admin center → Teams "
			 "apps → Manage apps."));
		diag_evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s",
			      _("Dataverse Chat Sync not among them"));
		diag_since(c, fd, DIAG_SINCE_APP_INSTALLED);
	} else {
		fd = diag_unavailable(c, DIAG_RULE_APP_NOT_INSTALLED);
		diag_say(fd, "%s", _("Graph listed the chat's apps, but chatsync could not tell whether Dataverse "
			 "Chat Sync is one of them."));
		diag_fix(fd, "%s", _("Check chat_sync_app in the chatsync config (the app's display name or Teams "
			 "app id), then run chatsync refresh."));
		diag_evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s", _("not matched"));
	}
}

/* What each tenant chat RSC state means for Dataverse Chat Sync. */
static const char *rsc_meaning(int state)
{
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS:
		return _("any app, Dataverse Chat Sync included, may get RSC permissions in chats");
	case CS_RSC_MANAGED_BY_MICROSOFT:
		return _("Microsoft decides; today it lets chat members consent to RSC apps such as Dataverse "
			 "Chat Sync, but Microsoft may change that");
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY:
		return _("only apps with a preapproval policy may get RSC permissions in chats: Dataverse "
			 "Chat Sync needs one");
	case CS_RSC_DISABLED_FOR_ALL_APPS:
		return _("no app may get RSC permissions in chats, so Dataverse Chat Sync cannot be "
			 "consented");
	case CS_RSC_CUSTOM:
		return _("a custom set of permission grant policies decides; check that it allows Dataverse "
			 "Chat Sync");
	default:
		return _("unknown");
	}
}

/* Where each source of the RSC state comes from, for evidence. */
static const struct { const char *request, *source; } rsc_sources[CS_RSC_N_SOURCES] = {
	[CS_RSC_SRC_SETTINGS] = { "GET /beta/teamwork/teamsAppSettings", DIAG_SRC_GRAPH },
	[CS_RSC_SRC_AUTH_POLICY] = { "GET /policies/authorizationPolicy", DIAG_SRC_ENTRA },
	[CS_RSC_SRC_GRANT_POLICIES] = { "GET /beta/policies/permissionGrantPolicies", DIAG_SRC_ENTRA },
	[CS_RSC_SRC_PREAPPROVAL] = { "GET /beta/servicePrincipals(appId=…)/permissionGrantPreApprovalPolicies",
				     DIAG_SRC_ENTRA },
};

/* Evidence of each source as it was read (sources never asked are left out). */
static void rsc_source_evidence(struct diag_ctx *c, struct diag_finding *fd, const struct cs_rsc *rsc)
{
	for (int i = 0; i < CS_RSC_N_SOURCES; i++) {
		const struct cs_rsc_fact *f = &rsc->facts[i];
		if (!f->http_status && !f->error)
			continue;
		const char *e = f->error && *f->error ? f->error : NULL;
		if (i == CS_RSC_SRC_SETTINGS && f->http_status >= 200 && f->http_status <= 299 &&
		    rsc->chat_rsc_enabled != CS_UNKNOWN)
			diag_evidence(c, fd, rsc_sources[i].request, rsc_sources[i].source, f->fetched_at,
				      "HTTP %d: isChatResourceSpecificConsentEnabled %s", f->http_status,
				      rsc->chat_rsc_enabled == CS_TRUE ? "true" : "false");
		else if (f->http_status > 0)
			diag_evidence(c, fd, rsc_sources[i].request, rsc_sources[i].source, f->fetched_at, "HTTP %d%s%s",
				      f->http_status, e ? ": " : "", e ? e : "");
		else
			diag_evidence(c, fd, rsc_sources[i].request, rsc_sources[i].source, f->fetched_at, "%s",
				      e ? e : _("no usable answer"));
	}
}

/* The state could not be derived: the source that would decide it could not be read. */
static void rsc_unknown(struct diag_ctx *c, const struct cs_rsc *rsc)
{
	int status = rsc ? rsc->http_status : 0;
	bool has_facts = false;
	for (int i = 0; rsc && i < CS_RSC_N_SOURCES; i++)
		has_facts |= rsc->facts[i].http_status != 0 || rsc->facts[i].error != NULL;
	if (!rsc || status == 0 || !has_facts) {
		/* never fetched, or a cache written before the sources were facts of their own */
		diag_request_failed(c, DIAG_RULE_RSC_DISABLED, _("the tenant's consent settings"),
				    "GET /policies/authorizationPolicy", DIAG_SRC_ENTRA, status, rsc ? rsc->error : NULL,
				    rsc ? rsc->fetched_at : 0, PERM_POLICY);
		return;
	}
	struct diag_finding *fd = diag_unavailable(c, DIAG_RULE_RSC_DISABLED);
	if (status == 401 || status == 403) {
		diag_say(fd, "%s", _("chatsync may not read the tenant's authorization policy, and no other source "
			 "decides the chat RSC state, so rsc-disabled was not checked."));
		diag_fix(fd, "%s", _("Give the sign-in the right to read it: an app needs the Microsoft Graph "
			 "permission Policy.Read.All; a delegated sign-in also needs a directory role such as "
			 "Global Reader. Then run chatsync refresh."));
	} else if (status >= 200 && status <= 299) {
		diag_say(fd, "%s", _("chatsync read the tenant's consent settings but could not derive the chat RSC "
			 "state from them."));
		diag_fix(fd, "%s", _("Run chatsync rsc to see the sources chatsync read, or check with "
			 "Get-MgBetaChatRscConfiguration."));
	} else {
		diag_say(fd, _("The tenant's authorization policy could not be read (HTTP %d), so rsc-disabled was not "
			 "checked."), status);
		diag_fix(fd, "%s", _("Run chatsync refresh again; if it keeps failing, see chatsync.log for the "
			 "request id."));
	}
	rsc_source_evidence(c, fd, rsc);
}

/* rsc-disabled: the tenant's chat RSC state, as Get-MgBetaChatRscConfiguration derives it. */
static void rule_rsc_disabled(struct diag_ctx *c)
{
	const struct cs_rsc *rsc = c->f->rsc;
	bool moot = graph_checks_moot(c);
	int state = rsc ? rsc->state : CS_RSC_UNKNOWN;
	if (state == CS_RSC_UNKNOWN || !rsc || rsc->http_status < 200 || rsc->http_status > 299) {
		if (!moot)
			rsc_unknown(c, rsc);
		return;
	}
	bool from_settings = rsc->source && strcmp(rsc->source, "teamsAppSettings") == 0;
	const char *src = from_settings ? DIAG_SRC_GRAPH : DIAG_SRC_ENTRA;
	/* app_covered counts only once it was asked (a reason says why) */
	bool asked = rsc->app_covered_reason != NULL;
	bool not_covered = state == CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY && asked && rsc->app_covered == CS_FALSE;
	struct diag_finding *fd;
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS:
		return;
	case CS_RSC_DISABLED_FOR_ALL_APPS:
		fd = diag_found(c, DIAG_RULE_RSC_DISABLED);
		diag_say(fd, "%s", _("Resource-specific consent for chats is turned off in the tenant, so "
			 "Dataverse Chat Sync cannot be consented in any chat."));
		diag_fix(fd, "%s", _("Allow RSC for chats with Microsoft Graph PowerShell: "
			 "Set-MgBetaChatRscConfiguration -State EnabledForAllApps (or ManagedByMicrosoft). "
			 "Since 2024 chat RSC is set with these cmdlets, not in an admin center."));
		diag_since(c, fd, DIAG_SINCE_RSC_STATE);
		break;
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY:
		if (not_covered) {
			/* only pre-approved apps may be consented, and Chat Sync is not one: as good as off for it */
			fd = diag_found(c, DIAG_RULE_RSC_DISABLED);
			diag_say(fd, "%s", _("The tenant lets only pre-approved apps get RSC permissions in chats, and "
				 "Dataverse Chat Sync is not pre-approved for chats, so it cannot be consented in any "
				 "chat."));
			diag_fix(fd, "%s", _("Pre-approve Dataverse Chat Sync's chat permissions (Get-MgBetaTeamsAppPreApproval "
				 "shows what is pre-approved), or allow RSC for chats: Set-MgBetaChatRscConfiguration "
				 "-State EnabledForAllApps."));
			diag_since(c, fd, DIAG_SINCE_RSC_STATE);
			break;
		}
		/* fall through */
	case CS_RSC_MANAGED_BY_MICROSOFT:
	case CS_RSC_CUSTOM:
		if (moot)
			return;
		fd = diag_add(c, DIAG_RULE_RSC_DISABLED, DIAG_INFO, DIAG_RULE_RSC_DISABLED);
		diag_say(fd, _("The tenant's chat RSC state is %s."), cs_rsc_state_name(state));
		if (state != CS_RSC_MANAGED_BY_MICROSOFT && !(asked && rsc->app_covered == CS_TRUE))
			diag_fix(fd, "%s", _("Make sure the tenant's RSC settings allow Dataverse Chat Sync, or set "
				 "Set-MgBetaChatRscConfiguration -State EnabledForAllApps."));
		break;
	default:
		return;
	}
	diag_evidence(c, fd, _("chat RSC state"), src, rsc->fetched_at, "%s: %s", cs_rsc_state_name(state),
		      rsc_meaning(state));
	if (asked && (state == CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY || state == CS_RSC_CUSTOM))
		diag_evidence(c, fd, _("Dataverse Chat Sync covered"), DIAG_SRC_ENTRA,
			      rsc->facts[CS_RSC_SRC_PREAPPROVAL].fetched_at ? rsc->facts[CS_RSC_SRC_PREAPPROVAL].fetched_at
									    : rsc->fetched_at,
			      "%s%s%s", rsc->app_covered == CS_TRUE ? _("yes") : rsc->app_covered == CS_FALSE ? _("no")
													     : _("unknown"),
			      ": ", rsc->app_covered_reason);
	if (rsc->n_policies && rsc->policies) {
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < rsc->n_policies; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", rsc->policies[i] ? rsc->policies[i] : "?");
		diag_evidence(c, fd, "permissionGrantPoliciesAssigned", DIAG_SRC_ENTRA, rsc->fetched_at, "%s", b.data);
		buf_free(&b);
	}
	rsc_source_evidence(c, fd, rsc);
}

/* rsc-grant-missing: only meaningful once the app is known to be in the chat; while that is
 * unknown, app-not-installed's check-unavailable stands for both checks. */
static void rule_rsc_grant_missing(struct diag_ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	if (graph_checks_moot(c) || !g || g->apps_status < 200 || g->apps_status > 299 ||
	    g->app_installed != CS_TRUE)
		return;
	const char *req = "GET /chats/{id}/permissionGrants";
	if (g->grants_status < 200 || g->grants_status > 299) {
		diag_request_failed(c, DIAG_RULE_RSC_GRANT_MISSING, _("the chat's permission grants"), req,
				    DIAG_SRC_GRAPH, g->grants_status, g->grants_error, g->grants_fetched_at,
				    PERM_APPS);
		return;
	}
	if (g->app_has_grant == CS_TRUE)
		return;
	struct diag_finding *fd;
	if (g->app_has_grant == CS_FALSE) {
		fd = diag_found(c, DIAG_RULE_RSC_GRANT_MISSING);
		diag_say(fd, "%s", _("Dataverse Chat Sync is installed in the chat but holds no RSC permission "
			 "grant there, so it may not be able to read the chat."));
		diag_fix(fd, "%s", _("Remove Dataverse Chat Sync from the chat and connect the chat again from the "
			 "record so the app is installed with consent; check that the tenant allows RSC for "
			 "chats (chatsync rsc)."));
		diag_evidence(c, fd, "permissionGrants", DIAG_SRC_GRAPH, g->grants_fetched_at,
			      ngettext("%zu grant, none for clientAppId %s", "%zu grants, none for clientAppId %s",
			      g->n_grants), g->n_grants, diag_str(g->app_client_id));
		diag_since(c, fd, DIAG_SINCE_GRANT);
	} else {
		fd = diag_unavailable(c, DIAG_RULE_RSC_GRANT_MISSING);
		diag_say(fd, "%s", _("chatsync read the chat's permission grants but does not know the app's client "
			 "id to match them against."));
		diag_fix(fd, "%s", _("Run chatsync refresh so the installed app is read with its definition."));
		diag_evidence(c, fd, "teamsAppDefinition.authorization.clientAppId", DIAG_SRC_GRAPH,
			      g->apps_fetched_at, "%s", diag_str(g->app_client_id));
	}
	if (g->app_name && *g->app_name)
		diag_evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s", g->app_name);
}

/* chat-not-found: Graph 404. An unlinked chat or one without an activity row does not sync
 * whether or not Teams still has it, so an unanswered question about it is not worth an unknown. */
static void rule_chat_not_found(struct diag_ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	const char *req = "GET /chats/{id}";
	if (c->gone) {
		struct diag_finding *fd = diag_found(c, DIAG_RULE_CHAT_NOT_FOUND);
		diag_say(fd, "%s", _("Teams does not know this chat any more (Graph answered 404): it was deleted, "
			 "or chatsync's identity cannot see it."));
		diag_evidence(c, fd, req, DIAG_SRC_GRAPH, g->chat_fetched_at, "HTTP 404%s%s",
			      g->chat_error && *g->chat_error ? ": " : "", g->chat_error ? g->chat_error : "");
		if (g->teams_chat_id && *g->teams_chat_id)
			diag_evidence(c, fd, "teamschatid", DIAG_SRC_DATAVERSE, c->f->chat ? c->f->chat->fetched_at : 0,
				      "%s", g->teams_chat_id);
		diag_fix(fd, "%s", _("If the chat was deleted, mark its activity completed or unlink it in Dynamics "
			 "365; if it should exist, check that the account chatsync signs in with can see "
			 "it."));
		return;
	}
	if (g && g->chat_status >= 200 && g->chat_status <= 299)
		return;
	if (c->unlinked || !c->has_row || (g && g->not_member)) /* not_member: app-not-installed's unknown says it */
		return;
	diag_request_failed(c, DIAG_RULE_CHAT_NOT_FOUND, _("the chat in Teams"), req, DIAG_SRC_GRAPH,
			    g ? g->chat_status : 0, g ? g->chat_error : NULL, g ? g->chat_fetched_at : 0,
			    PERM_CHAT);
}

void diag_rules_graph(struct diag_ctx *c)
{
	rule_app_not_installed(c);
	rule_rsc_disabled(c);
	rule_rsc_grant_missing(c);
	rule_chat_not_found(c);
}
