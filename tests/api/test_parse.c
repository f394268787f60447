/* The parsers against Microsoft's own documented example responses (tests/fixtures/microsoft-docs),
 * and against the broken bodies a real network produces. */
#include "config.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "api/dv_batch.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "api/graph_parse.h"
#include "api/graph_rsc.h"
#include "api/json_util.h"
#include "base/xalloc.h"
#include "run.h"

static char *fixture(const char *name)
{
	char *rel = xasprintf("tests/fixtures/microsoft-docs/%s", name);
	char *path = run_srcpath(rel);
	char *text = run_read_file(path, NULL);
	cr_assert_not_null(text, "missing fixture %s", path);
	free(rel);
	free(path);
	return text;
}

static struct cs_error err;

Test(dataverse, page_with_next_link)
{
	char *body = fixture("dataverse-page-with-nextlink.json");
	struct cs_chat *chats;
	size_t n;
	struct dv_page page;
	cr_assert_eq(dv_parse_chats(body, "env", 1, &chats, &n, &page, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 0, "contacts are not chats");
	cr_assert_not_null(page.next_link);
	cr_assert(strstr(page.next_link, "$skiptoken=%3Ccookie%20pagenumber=%222%22"), "%s", page.next_link);
	cr_assert_null(page.delta_link);
	free(chats);
	dv_page_free(&page);
	free(body);
}

Test(dataverse, change_tracking_initial_and_delta)
{
	char *body = fixture("dataverse-change-tracking-initial.json");
	struct cs_assoc *a;
	size_t n;
	struct dv_page page;
	cr_assert_eq(dv_parse_assocs(body, "env", 1, &a, &n, &page, &err), 0, "%s", err.msg);
	cr_assert(strstr(page.delta_link, "$deltatoken=919042%2108%2f22%2f2017"), "%s", page.delta_link);
	cr_assert_null(page.next_link);
	cr_assert_eq(page.n_deleted, 0);
	free(a);
	dv_page_free(&page);
	free(body);

	body = fixture("dataverse-change-tracking-delta.json");
	struct cs_chat *chats;
	cr_assert_eq(dv_parse_chats(body, "env", 1, &chats, &n, &page, &err), 0, "%s", err.msg);
	cr_assert_eq(page.n_deleted, 1);
	cr_assert_str_eq(page.deleted[0], "2e451703-c686-e711-80e5-00155db19e6d");
	cr_assert(strstr(page.delta_link, "$deltatoken=919058"), "%s", page.delta_link);
	free(chats);
	dv_page_free(&page);
	free(body);
}

Test(dataverse, whoami_and_instances)
{
	char *body = fixture("dataverse-whoami.json");
	char *user, *org;
	cr_assert_eq(dv_parse_whoami(body, &user, &org, &err), 0, "%s", err.msg);
	cr_assert_str_eq(user, "d96e9f55-f06d-e511-80d0-00155db07cb1");
	cr_assert_str_eq(org, "4faf1f34-f06d-e511-80d0-00155db07cb1");
	free(user); free(org); free(body);

	body = fixture("discovery-instances.json");
	struct cs_env *envs;
	size_t n;
	cr_assert_eq(dv_parse_instances(body, &envs, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(envs[0].url, "https://yourorganization.api.crm.dynamics.com");
	cr_assert_str_eq(envs[0].friendly_name, "Your Organization");
	cr_assert_eq(envs[0].sync_enabled, CS_UNKNOWN);
	cs_env_free(&envs[0]);
	free(envs);
	free(body);
}

Test(dataverse, chat_rows_with_parties_and_annotations)
{
	const char *body =
		"{\"value\":[{\"@odata.etag\":\"W/\\\"1\\\"\",\"activityid\":\"a1\",\"subject\":\"Über \\u6771\","
		"\"teamschatid\":\"19:x@thread.v2\",\"modifiedinteamson\":\"2026-11-14T09:12:00Z\",\"syncstatus\":1,"
		"\"statecode\":2,\"statuscode\":3,\"lastsyncerror\":0,\"linkedon\":\"2026-11-01T00:00:00Z\","
		"\"unlinkedon\":null,\"_regardingobjectid_value\":\"r1\","
		"\"_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname\":\"opportunity\","
		"\"chat_activity_parties\":[{\"participationtypemask\":12,\"_partyid_value\":\"p1\","
		"\"_partyid_value@OData.Community.Display.V1.FormattedValue\":\"Ada\"},"
		"{\"participationtypemask\":8,\"_partyid_value\":\"p2\"},"
		"{\"participationtypemask\":12,\"addressused\":\"bob@x.test\",\"ispartydeleted\":true}]},"
		"{\"@odata.context\":\"x/$metadata#chats/$deletedEntity\",\"id\":\"gone\",\"reason\":\"deleted\"}],"
		"\"@odata.deltaLink\":\"https://h/api/data/v9.2/chats?$deltatoken=2\"}";
	struct cs_chat *chats;
	size_t n;
	struct dv_page page;
	cr_assert_eq(dv_parse_chats(body, "env", 77, &chats, &n, &page, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(chats[0].subject, "Über 東");
	cr_assert_eq(chats[0].modified_in_teams_on, 1794647520);
	cr_assert_eq(chats[0].state, CS_STATE_CANCELED);
	cr_assert_eq(chats[0].sync_status, CS_SYNC_PENDING);
	cr_assert_eq(chats[0].unlinked_on, 0);
	cr_assert_str_eq(chats[0].regarding_type, "opportunity");
	cr_assert_eq(chats[0].fetched_at, 77);
	cr_assert_eq(chats[0].n_parties, 2, "only chat participants (type 12)");
	cr_assert_str_eq(chats[0].parties[0].name, "Ada");
	cr_assert_str_eq(chats[0].parties[1].name, "bob@x.test");
	cr_assert(chats[0].parties[1].deleted);
	cr_assert_str_eq(page.deleted[0], "gone");
	cs_chat_free(&chats[0]);
	free(chats);
	dv_page_free(&page);
}

Test(dataverse, organization_row)
{
	struct cs_env e = { 0 };
	cr_assert_eq(dv_parse_organization("{\"value\":[{\"@odata.etag\":\"W/\\\"42\\\"\",\"organizationid\":\"o1\","
					   "\"teamschatdatasync\":false,\"daysbeforeinactiveteamschatsyncdisabled\":14}]}",
					   &e, &err), 0, "%s", err.msg);
	cr_assert_str_eq(e.org_etag, "W/\"42\"");
	cr_assert_eq(e.sync_enabled, CS_FALSE);
	cr_assert_eq(e.inactivity_days, 14);
	cr_assert_eq(dv_parse_organization("{\"value\":[]}", &e, &err), -1);
	cs_env_free(&e);
}

Test(graph, chat_get_and_list_items)
{
	char *body = fixture("graph-chat-get.json");
	struct cs_graph_chat g = { 0 };
	cr_assert_eq(graph_parse_chat(body, &g, &err), 0, "%s", err.msg);
	cr_assert_str_eq(g.topic, "test group 1");
	cr_assert_str_eq(g.chat_type, "group");
	cr_assert_eq(g.last_updated, 1617738844);
	cs_graph_chat_free(&g);
	free(body);
}

Test(graph, installed_apps_find_the_app_by_name_or_id)
{
	char *body = fixture("graph-chat-list-installedapps.json");
	struct cs_graph_chat g = { 0 };
	cr_assert_eq(graph_parse_installed_apps(body, "ypa", &g, &err), 0, "%s", err.msg);
	cr_assert_eq(g.app_installed, CS_TRUE);
	cr_assert_str_eq(g.app_name, "YPA");
	cr_assert_null(g.app_client_id, "azureADAppId is beta-only and must not be read");
	cr_assert_eq(graph_parse_installed_apps(body, "cf1ba4c7-f94e-4d80-ba90-5594b641a8ee", &g, &err), 0);
	cr_assert_eq(g.app_installed, CS_TRUE);
	cr_assert_eq(graph_parse_installed_apps(body, "Dataverse Chat Sync", &g, &err), 0);
	cr_assert_eq(g.app_installed, CS_FALSE);
	free(body);
	body = fixture("graph-chat-list-installedapps-consented.json");
	cr_assert_eq(graph_parse_installed_apps(body, "Dataverse Chat Sync", &g, &err), 0, "%s", err.msg);
	cr_assert_eq(g.app_installed, CS_FALSE);
	free(body);
	const char *v1 = "{\"value\":[{\"id\":\"i\",\"teamsApp\":{\"id\":\"t\",\"displayName\":\"Dataverse Chat Sync\"},"
			 "\"teamsAppDefinition\":{\"authorization\":{\"clientAppId\":\"FDEBF36E-8b3a-4b00-99fb-2e4d1da706d6\"}}}]}";
	cr_assert_eq(graph_parse_installed_apps(v1, "Dataverse Chat Sync", &g, &err), 0, "%s", err.msg);
	cr_assert_str_eq(g.app_client_id, "FDEBF36E-8b3a-4b00-99fb-2e4d1da706d6");
	body = fixture("graph-chat-list-permissiongrants.json");
	cr_assert_eq(graph_parse_grants(body, &g, &err), 0, "%s", err.msg);
	cr_assert_eq(g.n_grants, 4);
	cr_assert_eq(g.app_has_grant, CS_TRUE, "client ids compare case-insensitively");
	free(g.app_client_id);
	g.app_client_id = xstrdup("00000000-0000-0000-0000-000000000000");
	cr_assert_eq(graph_parse_grants(body, &g, &err), 0);
	cr_assert_eq(g.app_has_grant, CS_FALSE);
	free(g.app_client_id);
	g.app_client_id = NULL;
	cr_assert_eq(graph_parse_grants(body, &g, &err), 0);
	cr_assert_eq(g.app_has_grant, CS_UNKNOWN);
	cs_graph_chat_free(&g);
	free(body);
}

Test(graph, rsc_state_from_the_authorization_policy)
{
	char *body = fixture("graph-authorizationpolicy-get.json");
	struct cs_rsc r = { 0 };
	cr_assert_eq(graph_parse_authorization_policy(body, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(r.n_policies, 1);
	cr_assert_str_eq(r.policies[0], "just-user-read");
	cr_assert_eq(r.state, CS_RSC_DISABLED_FOR_ALL_APPS, "no chat policy: disabled");
	cr_assert_str_eq(r.source, "authorizationPolicy");
	free(body);
	char *p1[] = { (char *)"ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
		       (char *)"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat" };
	cr_assert_eq(graph_rsc_state_from_policies(p1, 2), CS_RSC_MANAGED_BY_MICROSOFT);
	char *p2[] = { (char *)"ManagePermissionGrantsForOwnedResource.microsoft-all-application-permissions-for-chat" };
	cr_assert_eq(graph_rsc_state_from_policies(p2, 1), CS_RSC_ENABLED_FOR_ALL_APPS);
	char *p3[] = { (char *)"ManagePermissionGrantsForOwnedResource.microsoft-pre-approval-apps-for-chat" };
	cr_assert_eq(graph_rsc_state_from_policies(p3, 1), CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY);
	char *p4[] = { p2[0], p3[0] };
	cr_assert_eq(graph_rsc_state_from_policies(p4, 2), CS_RSC_CUSTOM);
	char *p5[] = { (char *)"ManagePermissionGrantsForOwnedResource.microsoft-something-new-for-chat" };
	cr_assert_eq(graph_rsc_state_from_policies(p5, 1), CS_RSC_CUSTOM);
	cs_rsc_free(&r);
}

Test(graph, teams_app_settings_as_documented_and_as_served)
{
	char *body = fixture("graph-teamsappsettings-get.json");
	struct cs_rsc r = { 0 };
	cr_assert_eq(graph_parse_teams_app_settings(body, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(r.state, CS_RSC_ENABLED_FOR_ALL_APPS);
	cr_assert_eq(graph_parse_teams_app_settings("{\"isChatResourceSpecificConsentEnabled\":false}", &r, &err), 0);
	cr_assert_eq(r.state, CS_RSC_DISABLED_FOR_ALL_APPS);
	cr_assert_str_eq(r.source, "teamsAppSettings");
	cr_assert_eq(graph_parse_teams_app_settings("{}", &r, &err), -1);
	cs_rsc_free(&r);
	free(body);
}

Test(graph, batch_response)
{
	char *body = fixture("graph-batch-response.json");
	struct graph_batch_item *items;
	size_t n;
	cr_assert_eq(graph_parse_batch(body, &items, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 5);
	int statuses[600] = { 0 };
	for (size_t i = 0; i < n; i++) {
		cr_assert_not_null(items[i].id);
		cr_assert(items[i].status >= 200 && items[i].status < 600);
		statuses[items[i].status]++;
	}
	cr_assert_eq(statuses[200], 2);
	cr_assert_eq(statuses[403], 2);
	cr_assert_eq(statuses[405], 1);
	graph_batch_items_free(items, n);
	free(body);
}

Test(robustness, truncated_and_malformed_bodies_are_errors_not_crashes)
{
	const char *names[] = { "graph-chat-get.json", "graph-chat-list-installedapps.json",
				"graph-chat-list-permissiongrants.json", "graph-authorizationpolicy-get.json",
				"graph-batch-response.json", "dataverse-change-tracking-delta.json",
				"discovery-instances.json", "dataverse-whoami.json", NULL };
	for (int f = 0; names[f]; f++) {
		char *body = fixture(names[f]);
		size_t len = strlen(body);
		for (size_t cut = 0; cut < len; cut += 7) {
			char *part = xstrndup(body, cut);
			struct cs_graph_chat g = { 0 };
			struct cs_rsc r = { 0 };
			struct cs_env *envs = NULL, e = { 0 };
			struct cs_chat *chats = NULL;
			struct graph_batch_item *items = NULL;
			struct dv_page page = { 0 };
			char *u = NULL, *o = NULL;
			size_t n = 0;
			cr_assert_eq(graph_parse_chat(part, &g, &err), -1);
			cr_assert(strstr(err.msg, "truncated or malformed") || strstr(err.msg, "no id"), "%s", err.msg);
			cr_assert_eq(graph_parse_installed_apps(part, "x", &g, &err), -1);
			cr_assert_eq(graph_parse_grants(part, &g, &err), -1);
			cr_assert_eq(graph_parse_authorization_policy(part, &r, &err), -1);
			cr_assert_eq(graph_parse_batch(part, &items, &n, &err), -1);
			cr_assert_eq(dv_parse_instances(part, &envs, &n, &err), -1);
			cr_assert_eq(dv_parse_chats(part, "e", 0, &chats, &n, &page, &err), -1);
			cr_assert_eq(dv_parse_organization(part, &e, &err), -1);
			cr_assert_eq(dv_parse_whoami(part, &u, &o, &err), -1);
			cr_assert_eq(err.exit_code, 3);
			cs_graph_chat_free(&g);
			cs_rsc_free(&r);
			cs_env_free(&e);
			free(u); free(o);
			free(part);
		}
		free(body);
	}
	struct cs_graph_chat g = { 0 };
	cr_assert_eq(graph_parse_chat(NULL, &g, &err), -1);
	cr_assert_eq(graph_parse_chat("[1,2]", &g, &err), -1);
	cr_assert_eq(graph_parse_chat("{\"id\":\"x\",\"topic\":\"\xff\xfe\"}", &g, &err), 0);
	cs_graph_chat_free(&g);
}

Test(dataverse, batch_response_as_documented)
{
	char *text = fixture("dataverse-batch-response.txt");
	/* The fixture is the whole answer: status line and headers, a blank line, then the body. */
	char *body = strstr(text, "\n\n");
	cr_assert_not_null(body);
	struct dv_batch_part *parts;
	size_t n;
	cr_assert_eq(dv_parse_batch(NULL, body + 2, &parts, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 4);
	cr_assert_eq(parts[0].status, 204);
	cr_assert_str_eq(parts[0].body, "");
	cr_assert_eq(parts[3].status, 200);
	cJSON *j = cJSON_Parse(parts[3].body);
	cr_assert_not_null(j, "part body: %s", parts[3].body);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "value")), 3);
	cJSON_Delete(j);
	dv_batch_parts_free(parts, n);
	/* cut anywhere before the closing delimiter: an error, never a short list */
	size_t len = strlen(body + 2);
	for (size_t cut = 0; cut + 60 < len; cut += 11) {
		char *part = xstrndup(body + 2, cut);
		cr_assert_eq(dv_parse_batch(NULL, part, &parts, &n, &err), -1, "cut at %zu parsed", cut);
		free(part);
	}
	free(text);
}

Test(dataverse, batch_request_round_trips_through_the_parser)
{
	char *urls[] = { (char *)"https://h.example/env/x/api/data/v9.2/activityparties?$filter=a%20eq%201",
			 (char *)"https://h.example/api/data/v9.2/WhoAmI" };
	char *ct;
	char *body = dv_batch_body(urls, 2, &ct);
	cr_assert(strncmp(ct, "multipart/mixed; boundary=\"batch_", 33) == 0, "%s", ct);
	/* and the parser reads a response framed the same way */
	char *boundary = strstr(ct, "batch_");
	char *resp = NULL;
	cr_assert(asprintf(&resp, "--%.22s\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n"
			   "Content-Type: application/json\r\n\r\n{\"value\":[]}\r\n--%.22s--\r\n", boundary, boundary) > 0);
	struct dv_batch_part *parts;
	size_t n;
	cr_assert_eq(dv_parse_batch(ct, resp, &parts, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(parts[0].body, "{\"value\":[]}");
	dv_batch_parts_free(parts, n);
	free(resp);
	cr_assert(strstr(body, "GET /env/x/api/data/v9.2/activityparties?$filter=a%20eq%201 HTTP/1.1\r\n"), "%s", body);
	cr_assert(strstr(body, "GET /api/data/v9.2/WhoAmI HTTP/1.1\r\n"), "%s", body);
	cr_assert(strstr(body, "--\r\n"), "no closing delimiter");
	free(ct);
	free(body);
}

/* The permission grant policies as the docs print them, and the chat RSC state from the three sources
 * as Get-MgBetaChatRscConfiguration derives it. */
Test(graph, permission_grant_policies_as_documented)
{
	char *rel = run_srcpath("tests/api/fixtures/graph-permissiongrantpolicies-list.json");
	char *body = run_read_file(rel, NULL);
	cr_assert_not_null(body, "%s", rel);
	struct graph_grant_policy *p;
	size_t n;
	char *next;
	cr_assert_eq(graph_parse_permission_grant_policies(body, &p, &n, &next, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(p[0].id, "tier-1");
	cr_expect_str_eq(p[1].id, "microsoft-company-admin");
	cr_expect_null(p[0].scope, "the example has no resourceScopeType");
	cr_expect_null(next);
	graph_grant_policies_free(p, n);
	cr_assert_eq(graph_parse_permission_grant_policies("{\"value\":{}}", &p, &n, &next, &err), -1);
	cr_assert_eq(graph_parse_permission_grant_policies("{\"value\":[{\"id\":\"x\"", &p, &n, &next, &err), -1);
	free(body);
	free(rel);
}

static const struct graph_grant_policy tenant_policies[] = {
	{ (char *)"microsoft-user-default-legacy", (char *)"tenant" },
	{ (char *)"microsoft-dynamically-managed-permissions-for-chat", (char *)"chat" },
	{ (char *)"microsoft-pre-approval-apps-for-chat", (char *)"chat" },
	{ (char *)"microsoft-all-application-permissions-for-chat", (char *)"chat" },
	{ (char *)"microsoft-pre-approval-apps-for-group", (char *)"group" },
	{ (char *)"contoso-chat-apps", (char *)"chat" },
};

static struct graph_rsc_result derive(int enabled, char *const *assigned, size_t n, bool with_policies)
{
	struct graph_rsc_sources s = { .chat_rsc_enabled = enabled, .assigned_known = assigned != NULL,
		.assigned = assigned, .n_assigned = n, .policies_known = with_policies, .policies = tenant_policies,
		.n_policies = sizeof tenant_policies / sizeof *tenant_policies };
	struct graph_rsc_result r;
	graph_rsc_derive(&s, &r);
	return r;
}

#define OWNED "ManagePermissionGrantsForOwnedResource."

Test(graph, rsc_state_from_the_three_sources)
{
	char *legacy[] = { (char *)"ManagePermissionGrantsForSelf.microsoft-user-default-legacy" };
	char *managed[] = { legacy[0], (char *)OWNED "microsoft-dynamically-managed-permissions-for-chat" };
	char *pre[] = { (char *)OWNED "microsoft-pre-approval-apps-for-chat",
			(char *)OWNED "microsoft-pre-approval-apps-for-group" };
	char *all[] = { (char *)OWNED "microsoft-all-application-permissions-for-chat" };
	char *two[] = { managed[1], pre[0] };
	char *custom[] = { (char *)OWNED "contoso-chat-apps" };
	char *unknown[] = { (char *)OWNED "not-a-policy-of-this-tenant" };

	/* teamsAppSettings true wins, whatever the policies say or whether they could be read */
	struct graph_rsc_result r = derive(CS_TRUE, NULL, 0, false);
	cr_expect_eq(r.state, CS_RSC_ENABLED_FOR_ALL_APPS);
	cr_expect_str_eq(r.decided_by, "teamsAppSettings");
	cr_expect_null(r.missing);
	/* otherwise the one chat policy assigned decides */
	r = derive(CS_FALSE, managed, 2, true);
	cr_expect_eq(r.state, CS_RSC_MANAGED_BY_MICROSOFT);
	cr_expect_str_eq(r.decided_by, "authorizationPolicy+permissionGrantPolicies");
	cr_expect_str_eq(r.chat_policy, "microsoft-dynamically-managed-permissions-for-chat");
	cr_expect_eq(derive(CS_FALSE, pre, 2, true).state, CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY,
			"the group pre-approval policy is not about chats");
	cr_expect_eq(derive(CS_FALSE, all, 1, true).state, CS_RSC_ENABLED_FOR_ALL_APPS);
	cr_expect_eq(derive(CS_FALSE, legacy, 1, true).state, CS_RSC_DISABLED_FOR_ALL_APPS);
	cr_expect_eq(derive(CS_FALSE, two, 2, true).state, CS_RSC_CUSTOM, "several chat policies");
	r = derive(CS_FALSE, custom, 1, true);
	cr_expect_eq(r.state, CS_RSC_CUSTOM, "a chat policy of the tenant's own");
	cr_expect_str_eq(r.chat_policy, "contoso-chat-apps");
	cr_expect_eq(derive(CS_FALSE, unknown, 1, true).state, CS_RSC_DISABLED_FOR_ALL_APPS,
			"an assigned id the tenant has no policy for is about nothing");
	/* the authorization policy forbidden (403 for a delegated user without a role): unknown unless
	 * teamsAppSettings said true */
	r = derive(CS_FALSE, NULL, 0, true);
	cr_expect_eq(r.state, CS_RSC_UNKNOWN);
	cr_expect_str_eq(r.missing, "authorizationPolicy");
	cr_expect_null(r.decided_by);
	/* an app sign-in cannot read teamsAppSettings: the policies decide, flagged unchecked */
	r = derive(CS_UNKNOWN, pre, 2, true);
	cr_expect_eq(r.state, CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY);
	cr_expect_str_eq(r.missing, "teamsAppSettings");
	r = derive(CS_UNKNOWN, all, 1, true);
	cr_expect_eq(r.state, CS_RSC_ENABLED_FOR_ALL_APPS);
	cr_expect_null(r.missing, "true in teamsAppSettings would say the same");
	/* without permissionGrantPolicies the chat policies are told by their names */
	r = derive(CS_FALSE, pre, 2, false);
	cr_expect_eq(r.state, CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY);
	cr_expect_str_eq(r.decided_by, "authorizationPolicy");
	cr_expect_str_eq(r.missing, "permissionGrantPolicies");
	cr_expect_eq(derive(CS_FALSE, custom, 1, false).state, CS_RSC_DISABLED_FOR_ALL_APPS,
			"a custom chat policy without -for-chat in its name cannot be told without permissionGrantPolicies");
}

/* The three documented example answers read together (the policy example assigns "just-user-read",
 * the settings example says true). */
Test(graph, rsc_from_the_documented_examples)
{
	char *pol = fixture("graph-authorizationpolicy-get.json"), *set = fixture("graph-teamsappsettings-get.json");
	struct cs_rsc a = { 0 }, b = { 0 };
	cr_assert_eq(graph_parse_authorization_policy(pol, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(graph_parse_teams_app_settings(set, &b, &err), 0, "%s", err.msg);
	struct graph_rsc_sources s = { .chat_rsc_enabled = b.state == CS_RSC_ENABLED_FOR_ALL_APPS ? CS_TRUE : CS_FALSE,
		.assigned_known = true, .assigned = a.policies, .n_assigned = a.n_policies };
	struct graph_rsc_result r;
	graph_rsc_derive(&s, &r);
	cr_expect_eq(r.state, CS_RSC_ENABLED_FOR_ALL_APPS, "the settings example says true");
	s.chat_rsc_enabled = CS_FALSE;
	graph_rsc_derive(&s, &r);
	cr_expect_eq(r.state, CS_RSC_DISABLED_FOR_ALL_APPS, "just-user-read is no chat policy");
	cs_rsc_free(&a);
	cs_rsc_free(&b);
	free(pol);
	free(set);
}

Test(graph, chat_preapproval_as_documented_and_as_served)
{
	char *rel = run_srcpath("tests/api/fixtures/graph-serviceprincipal-permissiongrantpreapprovalpolicies.json");
	char *body = run_read_file(rel, NULL);
	cr_assert_not_null(body, "%s", rel);
	int covered = -2;
	cr_assert_eq(graph_parse_chat_preapproval(body, NULL, 0, &covered, &err), 0, "%s", err.msg);
	cr_expect_eq(covered, CS_UNKNOWN, "all permissions, but only for chats with two sensitivity labels");
	free(body);
	free(rel);
	/* every chat, every permission */
	const char *all = "{\"value\":[{\"id\":\"p\",\"conditions\":[{\"scopeType\":\"chat\","
		"\"sensitivityLabels\":{\"labelKind\":\"all\"},\"permissions\":{\"permissionKind\":\"all\"}}]}]}";
	cr_assert_eq(graph_parse_chat_preapproval(all, NULL, 0, &covered, &err), 0, "%s", err.msg);
	cr_expect_eq(covered, CS_TRUE);
	/* listed ids: covered only when every required one is listed */
	const char *ids = "{\"value\":[{\"conditions\":[{\"scopeType\":\"group\",\"sensitivityLabels\":{\"labelKind\":\"all\"},"
		"\"permissions\":{\"permissionKind\":\"all\"}},{\"scopeType\":\"chat\",\"sensitivityLabels\":{\"labelKind\":\"all\"},"
		"\"permissions\":{\"permissionKind\":\"enumerated\",\"permissionIds\":[\"A\",\"b\"]}}]}]}";
	char *need_ab[] = { (char *)"a", (char *)"B" }, *need_c[] = { (char *)"a", (char *)"c" };
	cr_assert_eq(graph_parse_chat_preapproval(ids, need_ab, 2, &covered, &err), 0);
	cr_expect_eq(covered, CS_TRUE);
	cr_assert_eq(graph_parse_chat_preapproval(ids, need_c, 2, &covered, &err), 0);
	cr_expect_eq(covered, CS_FALSE, "c is not pre-approved");
	cr_assert_eq(graph_parse_chat_preapproval(ids, NULL, 0, &covered, &err), 0);
	cr_expect_eq(covered, CS_UNKNOWN, "ids listed, and the app's own not known");
	/* no policy, or only a team condition: not pre-approved for chats */
	cr_assert_eq(graph_parse_chat_preapproval("{\"value\":[]}", NULL, 0, &covered, &err), 0);
	cr_expect_eq(covered, CS_FALSE);
	cr_assert_eq(graph_parse_chat_preapproval("{\"value\":{}}", NULL, 0, &covered, &err), -1);
	cr_assert_eq(graph_parse_chat_preapproval("[1", NULL, 0, &covered, &err), -1);
}

Test(graph, rsc_source_urls)
{
	struct conf_profile p = { 0 };
	p.graph = (char *)"https://graph.example";
	char *u = graph_url_permission_grant_policies(&p);
	cr_expect_str_eq(u, "https://graph.example/beta/policies/permissionGrantPolicies");
	free(u);
	u = graph_url_preapproval_policies(&p, "0ab1c2d3-0000-4000-8000-000000000001");
	cr_expect_str_eq(u, "https://graph.example/beta/servicePrincipals(appId='0ab1c2d3-0000-4000-8000-000000000001')"
			"/permissionGrantPreApprovalPolicies");
	free(u);
	u = graph_url_preapproval_policies(&p, "a'b");
	cr_expect(!strstr(u, "a'b"), "a quote in an id cannot end the key: %s", u);
	free(u);
}

/* A large page's tree comes from blocks of its own (json_util.c): nothing else may. */

static char *compact_parties(int rows)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "{\"value\":[");
	for (int i = 0; i < rows; i++) /* about 4.7 bytes of tree per byte of text: past the first block */
		buf_printf(&b, "%s{\"_activityid_value\":\"a%d\",\"participationtypemask\":12,\"_partyid_value\":\"p%d\"}",
			   i ? "," : "", i, i);
	buf_adds(&b, "]}");
	return buf_steal(&b);
}

Test(page_tree, a_page_past_its_first_block_reads_whole_and_the_next_one_too)
{
	char *body = compact_parties(20000);
	for (int round = 0; round < 2; round++) {
		struct cs_party *p;
		char **ids;
		size_t n;
		cr_assert_eq(dv_parse_parties(body, &p, &ids, &n, NULL, &err), 0, "%s", err.msg);
		cr_assert_eq(n, 20000);
		cr_assert_str_eq(ids[0], "a0");
		cr_assert_str_eq(ids[19999], "a19999");
		cr_assert_str_eq(p[19999].party_id, "p19999");
		for (size_t i = 0; i < n; i++) {
			free(p[i].party_id);
			free(p[i].name);
			free(ids[i]);
		}
		free(p);
		free(ids);
	}
	free(body);
	/* A broken page ends its blocks too: the next tree is cJSON's own, freed by cJSON_Delete. */
	struct cs_party *p;
	char **ids;
	size_t n;
	cr_assert_eq(dv_parse_parties("{\"value\":[{\"_activityid_value\":", &p, &ids, &n, NULL, &err), -1);
	cJSON *o = cJSON_Parse("{\"kept\":\"after the page\"}");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "kept")->valuestring, "after the page");
	cJSON_Delete(o);
}

Test(page_tree, a_tree_made_before_the_page_is_freed_by_free_while_it_is_open)
{
	cJSON *before = cJSON_Parse("{\"a\":\"made before the page\"}");
	cJSON *root;
	const cJSON *arr = ju_page("{\"value\":[1,2,3]}", "a page", &root, &err);
	cr_assert_not_null(arr, "%s", err.msg);
	cr_assert_eq(cJSON_GetArraySize(arr), 3);
	cJSON_Delete(before); /* malloc's, not the page's: under ASan, dropping it would leak, keeping it not */
	ju_page_done(root);
}

struct other_thread {
	pthread_barrier_t open, done;
	cJSON *made;
};

static void *make_while_open(void *arg)
{
	struct other_thread *t = arg;
	pthread_barrier_wait(&t->open);
	t->made = cJSON_CreateString("made on another thread while a page is open");
	pthread_barrier_wait(&t->done);
	return NULL;
}

Test(page_tree, another_threads_trees_stay_its_own)
{
	struct other_thread t = { .made = NULL };
	pthread_barrier_init(&t.open, NULL, 2);
	pthread_barrier_init(&t.done, NULL, 2);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, make_while_open, &t), 0);
	cJSON *root;
	char *body = compact_parties(2000);
	cr_assert_not_null(ju_page(body, "a page", &root, &err), "%s", err.msg);
	pthread_barrier_wait(&t.open);
	pthread_barrier_wait(&t.done);
	ju_page_done(root);
	/* The page's blocks are gone: memory of their size handed out again and overwritten. */
	size_t len = strlen(body) * 3;
	char *reuse = xmalloc(len);
	memset(reuse, 'x', len);
	pthread_join(th, NULL);
	cr_assert_str_eq(t.made->valuestring, "made on another thread while a page is open");
	cJSON_Delete(t.made);
	free(reuse);
	free(body);
	pthread_barrier_destroy(&t.open);
	pthread_barrier_destroy(&t.done);
}
