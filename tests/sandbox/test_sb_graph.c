/* Graph endpoints of the sandbox: shapes against the fixtures, properties only from the v1.0 CSDL
 * extract (tests/fixtures/graph-v1.0-types.json), errors, delegated-only paths and JSON $batch. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

#define ADMIN_UPN "admin@contoso-sandbox.onmicrosoft.com"

static void dget(struct g *g, const char *tok, const char *path, struct sbt_resp *r)
{
	char *url = strncmp(path, "https://", 8) ? xasprintf("/graph/%s", path) : xstrdup(path);
	sbt_get(&g->t, tok, url, NULL, r);
	free(url);
}

/* Ids of every page of a chat list, following nextLink; fails on a duplicate. Returns the count. */
static int list_all(struct g *g, const char *tok, const char *first, int *pages, char ***ids)
{
	int n = 0;
	*pages = 0;
	*ids = NULL;
	char *url = xstrdup(first);
	while (url) {
		struct sbt_resp r;
		dget(g, tok, url, &r);
		cr_assert_eq(r.status, 200, "%s: %s", url, r.body);
		(*pages)++;
		cJSON *fx = sbt_fixture("microsoft-docs/graph-chat-list.json");
		cr_expect_null(sbt_missing_key(r.json, fx), "%s", r.body);
		cJSON_Delete(fx);
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "value")) {
			assert_v1_props(it, "chat");
			const char *id = cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring;
			for (int i = 0; i < n; i++)
				cr_assert_str_neq((*ids)[i], id, "a chat on two pages");
			*ids = xrealloc(*ids, (size_t)(n + 1) * sizeof **ids);
			(*ids)[n++] = xstrdup(id);
		}
		const cJSON *next = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink");
		free(url);
		url = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
		sbt_resp_free(&r);
	}
	return n;
}

static void free_ids(char **ids, int n)
{
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

Test(graph, list_chats_of_the_signed_in_user)
{
	/* Limits off: this test lists far more than the 5 a second Teams allows one user. */
	const char *args[] = { "--delegated-chats", "member", "--envs", "1", "--chats-per-env", "30", "--limits", "off", NULL };
	struct g g;
	g_start(&g, args);
	char *admin = sbt_device_token(&g.t, g.t.device_id, "https://graph.microsoft.com/.default", NULL);
	/* The admin joins seven chats in Teams; the other chats are not theirs. */
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(&g.t), "environments"), 0), *c;
	char *mine[7] = { 0 }, *other = NULL;
	int nm = 0, healthy = -1;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats")) {
		const char *id = cJSON_GetObjectItemCaseSensitive(c, "teams_chat_id")->valuestring;
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(c, "situation")->valuestring, "chat-not-found"))
			continue;
		if (nm < 7) {
			char *m = xasprintf("{\"action\":\"add_member\",\"teams_chat_id\":\"%s\",\"user\":\"" ADMIN_UPN "\"}", id);
			struct sbt_resp r;
			sbt_req(&g.t, "POST", "/_sandbox/mutate", NULL, m, &r);
			cr_assert_eq(r.status, 200, "%s", r.body);
			sbt_resp_free(&r);
			free(m);
			if (healthy < 0 && !strcmp(cJSON_GetObjectItemCaseSensitive(c, "situation")->valuestring, "healthy"))
				healthy = nm;
			mine[nm++] = xstrdup(id);
		} else if (!other) {
			other = xstrdup(id);
		}
	}
	cr_assert_eq(nm, 7);
	cr_assert_not_null(other);
	cr_assert_geq(healthy, 0, "a healthy chat (Dataverse Chat Sync installed) among the seven");

	/* Three a page: 3, 3, 1, every one of the admin's chats once and no other. */
	int pages;
	char **ids;
	int n = list_all(&g, admin, "v1.0/chats?$top=3", &pages, &ids);
	cr_expect_eq(pages, 3);
	cr_assert_eq(n, 7);
	for (int i = 0; i < 7; i++) {
		bool found = false;
		for (int k = 0; k < n; k++)
			found |= !strcmp(ids[k], mine[i]);
		cr_expect(found, "%s missing from the list", mine[i]);
	}
	free_ids(ids, n);
	/* /me/chats and /users/{upn}/chats of oneself are the same list. */
	cr_expect_eq(list_all(&g, admin, "v1.0/me/chats", &pages, &ids), 7);
	free_ids(ids, 7);
	cr_expect_eq(list_all(&g, admin, "v1.0/users/" ADMIN_UPN "/chats", &pages, &ids), 7);
	free_ids(ids, 7);

	/* $expand=members: the signed-in user is among each chat's members. */
	struct sbt_resp r;
	dget(&g, admin, "v1.0/chats?$expand=members", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.context")->valuestring, "#chats(members())"));
	cJSON *fx = sbt_fixture("microsoft-docs/graph-chat-list-expand-members.json");
	const cJSON *fx0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx, "value"), 0);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r.json, "value")) {
		cr_expect_null(sbt_missing_key(c, fx0), "%s", r.body);
		const cJSON *m;
		bool me = false;
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "members")) {
			assert_v1_props(m, "aadUserConversationMember");
			me |= !strcmp(cJSON_GetObjectItemCaseSensitive(m, "email")->valuestring, ADMIN_UPN) ||
			      strstr(cJSON_GetObjectItemCaseSensitive(m, "displayName")->valuestring, "Admin") != NULL;
		}
		cr_expect(me, "the admin is a member of every chat listed");
	}
	cJSON_Delete(fx);
	sbt_resp_free(&r);

	/* $filter: by type, and the documented installedApps lambda. */
	n = list_all(&g, admin, "v1.0/chats?$filter=chatType%20eq%20'group'", &pages, &ids);
	cr_expect_leq(n, 7);
	for (int i = 0; i < n; i++)
		cr_expect(strstr(ids[i], "@thread.v2") || strstr(ids[i], "@thread"), "%s", ids[i]);
	free_ids(ids, n);
	char *enc = sb_url_encode(mine[healthy]), *apps = xasprintf("v1.0/chats/%s/installedApps?$expand=teamsApp", enc);
	dget(&g, g.tok, apps, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *inst;
	const char *chat_sync = NULL;
	cJSON_ArrayForEach(inst, cJSON_GetObjectItemCaseSensitive(r.json, "value")) {
		const cJSON *app = cJSON_GetObjectItemCaseSensitive(inst, "teamsApp");
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(app, "displayName")->valuestring, "Dataverse Chat Sync"))
			chat_sync = cJSON_GetObjectItemCaseSensitive(app, "id")->valuestring;
	}
	cr_assert_not_null(chat_sync, "%s", r.body);
	{
		char *f = xasprintf("v1.0/chats?$filter=installedApps/any(a:a/teamsApp/id%%20eq%%20'%s')", chat_sync);
		char **fids;
		int fn = list_all(&g, admin, f, &pages, &fids);
		cr_expect_geq(fn, 1, "the chat the app was read from has it installed");
		cr_expect_leq(fn, 7);
		free_ids(fids, fn);
		free(f);
	}
	sbt_resp_free(&r);
	free(apps);

	/* Limits and refusals as documented. */
	dget(&g, admin, "v1.0/chats?$top=51", &r);
	cr_expect_eq(r.status, 400, "$top is at most 50: %s", r.body);
	sbt_resp_free(&r);
	dget(&g, admin, "v1.0/chats?$count=true", &r);
	cr_expect_eq(r.status, 400, "%s", r.body);
	sbt_resp_free(&r);
	dget(&g, admin, "v1.0/chats?$filter=nosuch%20eq%20'x'", &r);
	cr_expect_eq(r.status, 400, "%s", r.body);
	sbt_resp_free(&r);
	dget(&g, admin, "v1.0/users/user@contoso-sandbox.onmicrosoft.com/chats", &r);
	cr_expect_eq(r.status, 403, "a delegated sign-in lists only its own chats: %s", r.body);
	sbt_resp_free(&r);
	dget(&g, g.tok, "v1.0/chats", &r);
	cr_expect_eq(r.status, 400, "GET /chats is delegated only: %s", r.body);
	sbt_resp_free(&r);
	cr_expect_eq(list_all(&g, g.tok, "v1.0/users/" ADMIN_UPN "/chats", &pages, &ids), 7, "an app lists a user's chats");
	free_ids(ids, 7);

	/* A chat the signed-in user is not a member of: 403, as Teams answers; the app reads it. */
	char *oenc = sb_url_encode(other), *opath = xasprintf("v1.0/chats/%s", oenc);
	dget(&g, admin, opath, &r);
	cr_expect_eq(r.status, 403, "%s", r.body);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "code")->valuestring,
			"Forbidden");
	sbt_resp_free(&r);
	char *mpath = xasprintf("v1.0/chats/%s/members", oenc);
	dget(&g, admin, mpath, &r);
	cr_expect_eq(r.status, 403, "%s", r.body);
	sbt_resp_free(&r);
	dget(&g, g.tok, opath, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
	char *mypath = xasprintf("v1.0/chats/%s", enc);
	dget(&g, admin, mypath, &r);
	cr_expect_eq(r.status, 200, "a member reads its chat: %s", r.body);
	sbt_resp_free(&r);
	free(mypath), free(mpath), free(opath), free(oenc), free(enc);
	for (int i = 0; i < 7; i++)
		free(mine[i]);
	free(other);
	free(admin);
	g_stop(&g);
}

Test(graph, delegated_reads_every_chat_with_delegated_chats_all)
{
	/* the default is member (as Graph does); all keeps the old reading */
	const char *args[] = { "--delegated-chats", "all", "--envs", "1", "--chats-per-env", "5", NULL };
	struct g g;
	g_start(&g, args);
	char *user = sbt_device_token(&g.t, g.t.user_id, "https://graph.microsoft.com/.default", NULL);
	const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(&g.t), "environments"), 0);
	const cJSON *c0 = NULL, *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats"))
		if (!c0 && strcmp(cJSON_GetObjectItemCaseSensitive(c, "situation")->valuestring, "chat-not-found"))
			c0 = c;
	cr_assert_not_null(c0);
	char *enc = sb_url_encode(cJSON_GetObjectItemCaseSensitive(c0, "teams_chat_id")->valuestring);
	char *path = xasprintf("v1.0/chats/%s", enc);
	struct sbt_resp r;
	dget(&g, user, path, &r);
	cr_expect_eq(r.status, 200, "with --delegated-chats all, as before: %s", r.body);
	sbt_resp_free(&r);
	int pages;
	char **ids;
	cr_expect_eq(list_all(&g, user, "v1.0/chats", &pages, &ids), 0, "the list is always the user's own chats");
	free_ids(ids, 0);
	free(path), free(enc), free(user);
	g_stop(&g);
}

/* The chat RSC state as Get-MgBetaChatRscConfiguration derives it (msgraph-sdk-powershell
 * src/Teams/beta/custom/RscConfigurationSynthesizer.cs), written out here on its own: teamsAppSettings
 * true wins; else the assigned policies that permissionGrantPolicies say are about chats decide: none
 * disabled, several custom, one by its id. */
static const char *cmdlet_state(const cJSON *settings, const cJSON *policy, const cJSON *grant_policies)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(settings, "isChatResourceSpecificConsentEnabled");
	if (cJSON_IsTrue(v))
		return "EnabledForAllApps";
	const cJSON *assigned = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(policy, "defaultUserRolePermissions"), "permissionGrantPoliciesAssigned");
	const char *one = NULL;
	int n = 0;
	const cJSON *p, *a;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(grant_policies, "value")) {
		const cJSON *scope = cJSON_GetObjectItemCaseSensitive(p, "resourceScopeType");
		if (!cJSON_IsString(scope) || strcasecmp(scope->valuestring, "chat"))
			continue;
		const char *id = cJSON_GetObjectItemCaseSensitive(p, "id")->valuestring;
		cJSON_ArrayForEach(a, assigned) {
			const char *s = a->valuestring, *pre = "ManagePermissionGrantsForOwnedResource.";
			if (!strncmp(s, pre, strlen(pre)) && !strcmp(s + strlen(pre), id))
				n++, one = id;
		}
	}
	if (n == 0)
		return "DisabledForAllApps";
	if (n > 1)
		return "Custom";
	if (!strcmp(one, "microsoft-all-application-permissions-for-chat"))
		return "EnabledForAllApps";
	if (!strcmp(one, "microsoft-pre-approval-apps-for-chat"))
		return "EnabledForPreApprovedAppsOnly";
	if (!strcmp(one, "microsoft-dynamically-managed-permissions-for-chat"))
		return "ManagedByMicrosoft";
	return "Custom";
}

Test(graph, rsc_sources_agree_with_the_cmdlet_for_every_state)
{
	static const char *const states[] = { "ManagedByMicrosoft", "EnabledForAllApps", "EnabledForPreApprovedAppsOnly",
		"DisabledForAllApps", "Custom" };
	for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
		const char *args[] = { "--rsc-state", states[i], "--envs", "1", "--chats-per-env", "1", NULL };
		struct g g;
		g_start(&g, args);
		char *admin = sbt_device_token(&g.t, g.t.device_id, "https://graph.microsoft.com/.default", NULL);
		char *user = sbt_device_token(&g.t, g.t.user_id, "https://graph.microsoft.com/.default", NULL);
		struct sbt_resp pol, set, gp, r;
		gget(&g, "v1.0/policies/authorizationPolicy", &pol);
		cr_assert_eq(pol.status, 200, "an app with Policy.Read.All reads the policy: %s", pol.body);
		sbt_get(&g.t, admin, "/graph/beta/teamwork/teamsAppSettings", NULL, &set);
		cr_assert_eq(set.status, 200, "%s", set.body);
		gget(&g, "beta/policies/permissionGrantPolicies", &gp);
		cr_assert_eq(gp.status, 200, "%s", gp.body);
		cr_expect_str_eq(cmdlet_state(set.json, pol.json, gp.json), states[i], "the three sources of %s", states[i]);
		/* Every chat policy the authorization policy assigns is one permissionGrantPolicies knows. */
		const cJSON *a;
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pol.json,
						"defaultUserRolePermissions"), "permissionGrantPoliciesAssigned")) {
			const char *id = strchr(a->valuestring, '.') + 1;
			cr_expect(strstr(gp.body, id), "%s is not among the permission grant policies", id);
		}
		/* A delegated sign-in without a directory role: 403 on the policy, as documented, but
		 * teamsAppSettings answers; the admin (Global Administrator) reads both. */
		sbt_get(&g.t, user, "/graph/v1.0/policies/authorizationPolicy",
				"client-request-id: 5d0e1c2b-3a4f-4b6c-8d7e-9f0a1b2c3d4e", &r);
		assert_graph_error(&r, 403, "Authorization_RequestDenied");
		sbt_resp_free(&r);
		sbt_get(&g.t, user, "/graph/beta/teamwork/teamsAppSettings", NULL, &r);
		cr_expect_eq(r.status, 200, "%s", r.body);
		cr_expect_eq(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "isChatResourceSpecificConsentEnabled")),
				!strcmp(states[i], "EnabledForAllApps"));
		sbt_resp_free(&r);
		sbt_get(&g.t, admin, "/graph/v1.0/policies/authorizationPolicy", NULL, &r);
		cr_expect_eq(r.status, 200, "%s", r.body);
		sbt_resp_free(&r);
		sbt_resp_free(&pol), sbt_resp_free(&set), sbt_resp_free(&gp);
		free(admin), free(user);
		g_stop(&g);
	}
}

/* The client id of Dataverse Chat Sync, as installedApps gives it (teamsAppDefinition.authorization). */
static char *chat_sync_client_id(struct g *g)
{
	char *chat = chat_in(&g->t, "healthy");
	char *path = xasprintf("v1.0/chats/%s/installedApps?$expand=teamsApp,teamsAppDefinition", chat);
	struct sbt_resp r;
	gget(g, path, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *id = NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "value")) {
		const cJSON *def = cJSON_GetObjectItemCaseSensitive(it, "teamsAppDefinition");
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(def, "displayName")->valuestring, "Dataverse Chat Sync"))
			id = xstrdup(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(def, "authorization"),
					"clientAppId")->valuestring);
	}
	cr_assert_not_null(id, "%s", r.body);
	sbt_resp_free(&r);
	free(path);
	free(chat);
	return id;
}

Test(graph, chat_sync_preapproval_policies)
{
	for (int no = 0; no < 2; no++) {
		const char *args[] = { "--rsc-state", "EnabledForPreApprovedAppsOnly", "--chat-sync-preapproved", no ? "no" : "yes",
			"--envs", "1", "--chats-per-env", "15", NULL };
		struct g g;
		g_start(&g, args);
		char *client = chat_sync_client_id(&g);
		char *path = xasprintf("beta/servicePrincipals(appId='%s')/permissionGrantPreApprovalPolicies", client);
		struct sbt_resp r;
		gget(&g, path, &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "value");
		cr_assert(cJSON_IsArray(v), "%s", r.body);
		if (no) {
			cr_expect_eq(cJSON_GetArraySize(v), 0, "not pre-approved: %s", r.body);
		} else {
			const cJSON *cond = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(v, 0), "conditions"), 0);
			cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cond, "scopeType")->valuestring, "chat");
			cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cond, "permissions"),
					"permissionKind")->valuestring, "all");
			/* the same policies through the service principal's object id, named in the context */
			const char *ctx = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.context")->valuestring;
			const char *q = strstr(ctx, "servicePrincipals('");
			cr_assert_not_null(q, "%s", ctx);
			char *sp = xstrndup(q + 19, 36);
			char *p2 = xasprintf("beta/servicePrincipals/%s/permissionGrantPreApprovalPolicies", sp);
			struct sbt_resp r2;
			gget(&g, p2, &r2);
			cr_expect_eq(r2.status, 200, "%s", r2.body);
			cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r2.json, "value")), 1);
			sbt_resp_free(&r2);
			free(p2), free(sp);
		}
		sbt_resp_free(&r);
		gget(&g, "beta/servicePrincipals(appId='00000000-0000-0000-0000-000000000001')/permissionGrantPreApprovalPolicies", &r);
		assert_graph_error(&r, 404, "Request_ResourceNotFound");
		sbt_resp_free(&r);
		free(path), free(client);
		g_stop(&g);
	}
}
