/* Graph endpoints of the sandbox: shapes against the fixtures, properties only from the v1.0 CSDL
 * extract (tests/fixtures/graph-v1.0-types.json), errors, delegated-only paths and JSON $batch. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "base/xalloc.h"
#include "sbt.h"

struct g {
	struct sbt t;
	char *tok;
};

static void g_start(struct g *g, const char *const *args)
{
	sbt_start(&g->t, args, NULL);
	g->tok = sbt_token(&g->t, g->t.app_id, g->t.app_secret, "https://graph.microsoft.com/.default");
}

static void g_stop(struct g *g)
{
	free(g->tok);
	sbt_stop(&g->t);
}

static void gget(struct g *g, const char *path, struct sbt_resp *r)
{
	char *url = xasprintf("/graph/%s", path);
	sbt_get(&g->t, g->tok, url, "client-request-id: 5d0e1c2b-3a4f-4b6c-8d7e-9f0a1b2c3d4e", r);
	free(url);
}

/* The first chat of env 0 in situation sit. */
static char *chat_in(struct sbt *t, const char *sit)
{
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(t), "environments"), 0), *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats"))
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(c, "situation")->valuestring, sit))
			return sb_url_encode(cJSON_GetObjectItemCaseSensitive(c, "teams_chat_id")->valuestring);
	cr_assert_fail("no chat in situation %s", sit);
	return NULL;
}

/* Every property of obj (but annotations) exists on the type or its bases in the CSDL extract. */
static void assert_v1_props(const cJSON *obj, const char *type)
{
	cJSON *types = sbt_fixture("graph-v1.0-types.json");
	const cJSON *all = cJSON_GetObjectItemCaseSensitive(types, "types"), *it;
	cJSON_ArrayForEach(it, obj) {
		if (it->string[0] == '@')
			continue;
		bool found = false;
		for (const char *ty = type; ty && !found;) {
			const cJSON *def = cJSON_GetObjectItemCaseSensitive(all, ty);
			cr_assert_not_null(def, "type %s not in the extract", ty);
			found = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(def, "properties"), it->string) ||
				cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(def, "navigation"), it->string);
			const cJSON *base = cJSON_GetObjectItemCaseSensitive(def, "base");
			ty = cJSON_IsString(base) ? base->valuestring + 6 /* "graph." */ : NULL;
		}
		cr_expect(found, "%s has no property \"%s\" in Graph v1.0", type, it->string);
	}
	cJSON_Delete(types);
}

static void assert_graph_error(const struct sbt_resp *r, long status, const char *code)
{
	cr_assert_eq(r->status, status, "%ld: %s", r->status, r->body);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	cr_assert(cJSON_IsObject(e), "%s", r->body);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring, code);
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "innerError");
	const char *keys[] = { "date", "request-id", "client-request-id", NULL };
	for (int i = 0; keys[i]; i++)
		cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(in, keys[i])), "innerError lacks %s", keys[i]);
	cr_expect_str_eq(sbt_header(r, "client-request-id"), "5d0e1c2b-3a4f-4b6c-8d7e-9f0a1b2c3d4e");
	cr_expect_not_null(sbt_header(r, "request-id"));
}

Test(graph, chat_members_and_deleted_chat)
{
	struct g g;
	g_start(&g, NULL);
	char *id = chat_in(&g.t, "healthy");
	char *path = xasprintf("v1.0/chats/%s", id);
	struct sbt_resp r;
	gget(&g, path, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cJSON *fx = sbt_fixture("microsoft-docs/graph-chat-get.json");
	cr_expect_null(sbt_missing_key(r.json, fx), "%s", r.body);
	cJSON_Delete(fx);
	assert_v1_props(r.json, "chat");
	cr_expect_str_eq(sbt_header(&r, "client-request-id"), "5d0e1c2b-3a4f-4b6c-8d7e-9f0a1b2c3d4e");
	cr_expect_not_null(sbt_header(&r, "request-id"));
	sbt_resp_free(&r);
	free(path);

	path = xasprintf("v1.0/chats/%s/members", id);
	gget(&g, path, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	fx = sbt_fixture("microsoft-docs/graph-chat-list-members.json");
	cr_expect_null(sbt_missing_key(m, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "value"), 0)));
	cJSON_Delete(fx);
	assert_v1_props(m, "aadUserConversationMember");
	sbt_resp_free(&r);
	free(path);
	free(id);

	id = chat_in(&g.t, "chat-not-found");
	path = xasprintf("v1.0/chats/%s", id);
	gget(&g, path, &r);
	assert_graph_error(&r, 404, "NotFound");
	sbt_resp_free(&r);
	free(path);
	path = xasprintf("v1.0/chats/%s?$select=id,bogus", id);
	free(id);
	id = chat_in(&g.t, "healthy");
	free(path);
	path = xasprintf("v1.0/chats/%s?$select=id,bogus", id);
	gget(&g, path, &r);
	assert_graph_error(&r, 400, "BadRequest");
	sbt_resp_free(&r);
	free(path);
	free(id);

	sbt_get(&g.t, "expired-or-forged", "/graph/v1.0/policies/authorizationPolicy", NULL, &r);
	cr_expect_eq(r.status, 401);
	cr_expect(strstr(sbt_header(&r, "WWW-Authenticate"), "Bearer"));
	sbt_resp_free(&r);
	g_stop(&g);
}

/* The Dataverse Chat Sync app's installation in a chat, or NULL. */
static const cJSON *chat_sync_app(const cJSON *list)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "value")) {
		const cJSON *ta = cJSON_GetObjectItemCaseSensitive(it, "teamsApp");
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(ta, "displayName")->valuestring, "Dataverse Chat Sync"))
			return it;
	}
	return NULL;
}

static int grants_for(const cJSON *grants, const char *client_app)
{
	int n = 0;
	const cJSON *it;
	cJSON *fx = sbt_fixture("microsoft-docs/graph-chat-list-permissiongrants.json");
	const cJSON *fx1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "value"), 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(grants, "value")) {
		cr_expect_null(sbt_missing_key(it, fx1));
		assert_v1_props(it, "resourceSpecificPermissionGrant");
		n += !strcmp(cJSON_GetObjectItemCaseSensitive(it, "clientAppId")->valuestring, client_app);
	}
	cJSON_Delete(fx);
	return n;
}

Test(graph, installed_apps_and_grants_follow_the_situation)
{
	struct g g;
	const char *args[] = { "--limits", "off", NULL };
	g_start(&g, args);
	const char *sits[] = { "healthy", "app-not-installed", "rsc-grant-missing" };
	char *client_app = NULL;
	for (int i = 0; i < 3; i++) {
		char *id = chat_in(&g.t, sits[i]);
		char *path = xasprintf("v1.0/chats/%s/installedApps?$expand=teamsApp,teamsAppDefinition", id);
		struct sbt_resp r, gr;
		gget(&g, path, &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		const cJSON *app = chat_sync_app(r.json);
		cr_expect_eq(app != NULL, i != 1, "%s", sits[i]);
		if (app) {
			cJSON *fx = sbt_fixture("microsoft-docs/graph-chat-list-installedapps.json");
			const cJSON *fxa = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "value"), 0);
			cr_expect_null(sbt_missing_key(cJSON_GetObjectItemCaseSensitive(app, "teamsApp"),
					cJSON_GetObjectItemCaseSensitive(fxa, "teamsApp")));
			cJSON_Delete(fx);
			assert_v1_props(app, "teamsAppInstallation");
			const cJSON *def = cJSON_GetObjectItemCaseSensitive(app, "teamsAppDefinition");
			assert_v1_props(def, "teamsAppDefinition");
			assert_v1_props(cJSON_GetObjectItemCaseSensitive(app, "teamsApp"), "teamsApp");
			free(client_app);
			client_app = xstrdup(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(def, "authorization"),
					"clientAppId")->valuestring);
		}
		char *gp = xasprintf("v1.0/chats/%s/permissionGrants", id);
		gget(&g, gp, &gr);
		cr_assert_eq(gr.status, 200, "%s", gr.body);
		if (client_app)
			cr_expect_eq(grants_for(gr.json, client_app) > 0, i == 0, "%s", sits[i]);
		sbt_resp_free(&gr);
		sbt_resp_free(&r);
		free(gp);
		free(path);
		free(id);
	}
	/* $filter on the app's external id, as the docs' example 3 does. */
	char *id = chat_in(&g.t, "healthy");
	char *path = xasprintf("v1.0/chats/%s/installedApps?$expand=teamsApp&$filter=teamsApp/displayName%%20eq%%20'Dataverse%%20Chat%%20Sync'", id);
	struct sbt_resp r;
	gget(&g, path, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 1);
	sbt_resp_free(&r);
	free(path);
	path = xasprintf("v1.0/chats/%s/installedApps?$filter=teamsApp/nosuch%%20eq%%20'x'", id);
	gget(&g, path, &r);
	assert_graph_error(&r, 400, "BadRequest");
	sbt_resp_free(&r);
	free(path);
	free(id);
	free(client_app);
	g_stop(&g);
}

Test(graph, tenant_policy_app_settings_and_roles)
{
	struct g g;
	const char *args[] = { "--rsc-state", "EnabledForAllApps", NULL };
	g_start(&g, args);
	struct sbt_resp r;
	gget(&g, "v1.0/policies/authorizationPolicy", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cJSON *fx = sbt_fixture("microsoft-docs/graph-authorizationpolicy-get.json");
	cr_expect_null(sbt_missing_key(r.json, fx));
	cJSON_Delete(fx);
	assert_v1_props(r.json, "authorizationPolicy");
	cr_expect(strstr(r.body, "ManagePermissionGrantsForOwnedResource.microsoft-all-application-permissions-for-chat"));
	sbt_resp_free(&r);

	gget(&g, "beta/teamwork/teamsAppSettings", &r);
	assert_graph_error(&r, 403, "Forbidden");
	sbt_resp_free(&r);
	gget(&g, "v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole", &r);
	assert_graph_error(&r, 400, "BadRequest");
	sbt_resp_free(&r);

	char *admin = sbt_device_token(&g.t, g.t.device_id, "https://graph.microsoft.com/.default", NULL);
	sbt_get(&g.t, admin, "/graph/beta/teamwork/teamsAppSettings", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "isChatResourceSpecificConsentEnabled")));
	sbt_resp_free(&r);
	sbt_get(&g.t, admin, "/graph/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *role = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(role, "roleTemplateId")->valuestring,
			"62e90394-69f5-4237-9190-012177145e10");
	assert_v1_props(role, "directoryRole");
	sbt_resp_free(&r);
	char *user = sbt_device_token(&g.t, g.t.user_id, "https://graph.microsoft.com/.default", NULL);
	sbt_get(&g.t, user, "/graph/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_null(strstr(r.body, "62e90394-69f5-4237-9190-012177145e10"), "user is no Global Administrator");
	sbt_resp_free(&r);
	free(admin);
	free(user);
	g_stop(&g);
}

Test(graph, rsc_state_flag_changes_the_policy)
{
	struct g g;
	const char *args[] = { "--rsc-state", "DisabledForAllApps", NULL };
	g_start(&g, args);
	struct sbt_resp r;
	gget(&g, "v1.0/policies/authorizationPolicy", &r);
	cr_assert_eq(r.status, 200);
	cr_expect_null(strstr(r.body, "-for-chat"), "no chat policy when RSC is disabled");
	sbt_resp_free(&r);
	sbt_req(&g.t, "GET", "/_sandbox/truth", NULL, NULL, &r);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(r.json, "rsc_state")->valuestring, "DisabledForAllApps");
	sbt_resp_free(&r);
	g_stop(&g);
}

Test(graph, json_batch_limits_and_inner_throttling)
{
	struct g g;
	g_start(&g, NULL);
	char *a = chat_in(&g.t, "healthy"), *b = chat_in(&g.t, "chat-not-found");
	char *body = xasprintf("{\"requests\":["
			"{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/chats/%s/installedApps?$expand=teamsApp\"},"
			"{\"id\":\"2\",\"method\":\"GET\",\"url\":\"/chats/%s/installedApps?$expand=teamsApp\"},"
			"{\"id\":\"3\",\"method\":\"GET\",\"url\":\"chats/%s\"},"
			"{\"id\":\"4\",\"method\":\"GET\",\"url\":\"/policies/authorizationPolicy\"}]}", a, a, b);
	char *auth = sbt_bearer(g.tok);
	const char *h[] = { auth, "Content-Type: application/json", "client-request-id: 5d0e1c2b-3a4f-4b6c-8d7e-9f0a1b2c3d4e", NULL };
	struct sbt_resp r;
	sbt_req(&g.t, "POST", "/graph/v1.0/$batch", h, body, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	int status[5] = { 0 };
	const cJSON *it;
	cJSON *fx = sbt_fixture("microsoft-docs/graph-batch-response.json");
	const cJSON *fx1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "responses"), 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "responses")) {
		int id = atoi(cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring);
		cr_assert(id >= 1 && id <= 4);
		status[id] = cJSON_GetObjectItemCaseSensitive(it, "status")->valueint;
		cr_expect_null(sbt_missing_key(it, fx1), "batch answer lacks %s", sbt_missing_key(it, fx1));
		if (status[id] == 429) {
			const cJSON *ra = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(it, "headers"), "Retry-After");
			cr_expect(cJSON_IsString(ra) && atoi(ra->valuestring) >= 1);
		}
	}
	cr_expect_eq(status[1], 200);
	cr_expect_eq(status[2], 429, "the same chat's installedApps twice in a second is throttled on its own");
	cr_expect_eq(status[3], 404);
	cr_expect_eq(status[4], 200);
	cJSON_Delete(fx);
	sbt_resp_free(&r);
	free(body);

	struct buf big;
	buf_init(&big);
	buf_adds(&big, "{\"requests\":[");
	for (int i = 0; i < 21; i++)
		buf_printf(&big, "%s{\"id\":\"%d\",\"method\":\"GET\",\"url\":\"/policies/authorizationPolicy\"}", i ? "," : "", i);
	buf_adds(&big, "]}");
	sbt_req(&g.t, "POST", "/graph/v1.0/$batch", h, big.data, &r);
	assert_graph_error(&r, 400, "BadRequest");
	sbt_resp_free(&r);
	buf_free(&big);
	free(auth), free(a), free(b);
	g_stop(&g);
}
