/* Dataverse Web API of the sandbox: shapes against the fixtures and DOMAIN.md, paging, $filter,
 * $expand, annotations, ETags and 412, 403 for non-administrators, change tracking, $batch. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "base/xalloc.h"
#include "sbt.h"

struct dv {
	struct sbt t;
	char *env;      /* first environment's URL */
	char *tok;      /* app token (System Administrator) for it */
};

static void dv_start(struct dv *d, const char *const *args)
{
	sbt_start(&d->t, args, NULL);
	d->env = xstrdup(sbt_env_url(&d->t, 0));
	char *scope = xasprintf("%s/.default", d->env);
	d->tok = sbt_token(&d->t, d->t.app_id, d->t.app_secret, scope);
	free(scope);
}

static void dv_stop(struct dv *d)
{
	free(d->env);
	free(d->tok);
	sbt_stop(&d->t);
}

static void api_get(struct dv *d, const char *what, const char *prefer, struct sbt_resp *r)
{
	char *url = xasprintf("%s/api/data/v9.2/%s", d->env, what);
	char *pref = prefer ? xasprintf("Prefer: %s", prefer) : NULL;
	sbt_get(&d->t, d->tok, url, pref, r);
	free(url);
	free(pref);
}

static void assert_dv_error(const struct sbt_resp *r, long status)
{
	cr_assert_eq(r->status, status, "%ld: %s", r->status, r->body);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	cr_assert(cJSON_IsObject(e), "%s", r->body);
	const char *code = cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring;
	cr_expect(!strncmp(code, "0x8", 3), "Dataverse codes are hex, not the status: %s", code);
	cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")));
}

/* Environment i's entry in the truth. */
static const cJSON *truth_env(struct sbt *t, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sbt_truth(t), "environments"), i);
}

Test(dataverse, organizations_whoami_and_headers)
{
	struct dv d;
	dv_start(&d, NULL);
	struct sbt_resp r;
	api_get(&d, "organizations?$select=organizationid,teamschatdatasync,daysbeforeinactiveteamschatsyncdisabled", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_not_null(sbt_header(&r, "x-ms-dop-hint"));
	cr_expect_str_eq(sbt_header(&r, "OData-Version"), "4.0");
	const cJSON *org = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_assert_not_null(org);
	cr_expect(!strncmp(cJSON_GetObjectItemCaseSensitive(org, "@odata.etag")->valuestring, "W/\"", 3));
	cr_expect(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(org, "teamschatdatasync")));
	cr_expect_eq(cJSON_GetObjectItemCaseSensitive(org, "daysbeforeinactiveteamschatsyncdisabled")->valueint, 7);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(org, "name"), "$select limits the columns");
	cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.context")->valuestring, "$metadata#organizations("));
	sbt_resp_free(&r);

	api_get(&d, "WhoAmI", NULL, &r);
	cr_assert_eq(r.status, 200);
	cJSON *fx = sbt_fixture("microsoft-docs/dataverse-whoami.json");
	cr_expect_null(sbt_missing_key(r.json, fx), "%s", r.body);
	cJSON_Delete(fx);
	sbt_resp_free(&r);

	api_get(&d, "organizations?$select=nosuchcolumn", NULL, &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	api_get(&d, "nosuchtables", NULL, &r);
	assert_dv_error(&r, 404);
	sbt_resp_free(&r);
	dv_stop(&d);
}

Test(dataverse, tokens_are_bound_to_their_environment)
{
	struct dv d;
	dv_start(&d, NULL);
	char *other = xasprintf("%s/api/data/v9.2/WhoAmI", sbt_env_url(&d.t, 1));
	struct sbt_resp r;
	sbt_get(&d.t, d.tok, other, NULL, &r);
	assert_dv_error(&r, 401);
	cr_expect(strstr(sbt_header(&r, "WWW-Authenticate"), "Bearer"));
	sbt_resp_free(&r);
	sbt_get(&d.t, "not.a.token", other, NULL, &r);
	cr_expect_eq(r.status, 401);
	sbt_resp_free(&r);
	free(other);
	dv_stop(&d);
}

/* Follows nextLinks with the same Prefer; returns the rows seen, failing on a duplicate. */
static int page_all(struct dv *d, const char *first, const char *prefer, int *pages, cJSON **delta)
{
	struct sbt_resp r;
	char *url = xasprintf("%s/api/data/v9.2/%s", d->env, first);
	char *pref = xasprintf("Prefer: %s", prefer);
	int rows = 0;
	*pages = 0;
	char **seen = NULL;
	while (url) {
		sbt_get(&d->t, d->tok, url, pref, &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "value"), *it;
		cJSON_ArrayForEach(it, v) {
			const char *id = cJSON_GetObjectItemCaseSensitive(it, "activityid")->valuestring;
			for (int i = 0; i < rows; i++)
				cr_assert_str_neq(seen[i], id, "row served twice");
			seen = xrealloc(seen, (size_t)(rows + 1) * sizeof *seen);
			seen[rows++] = xstrdup(id);
		}
		(*pages)++;
		free(url);
		const cJSON *next = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink");
		url = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
		if (!url && delta) {
			const cJSON *dl = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.deltaLink");
			*delta = dl ? cJSON_Duplicate(dl, 1) : NULL;
		}
		sbt_resp_free(&r);
	}
	for (int i = 0; i < rows; i++)
		free(seen[i]);
	free(seen);
	free(pref);
	return rows;
}

Test(dataverse, chats_paging_filter_select_and_expand)
{
	struct dv d;
	dv_start(&d, NULL);
	const cJSON *env = truth_env(&d.t, 0), *c;
	int with_row = 0, open = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats"))
		with_row += cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "activity_id"));
	int pages;
	int rows = page_all(&d, "chats?$select=subject,teamschatid,modifiedinteamson,statecode", "odata.maxpagesize=7", &pages, NULL);
	cr_expect_eq(rows, with_row, "every chat activity row once");
	cr_expect_eq(pages, (with_row + 6) / 7);
	open = page_all(&d, "chats?$select=subject&$filter=statecode%20eq%200", "odata.maxpagesize=1000", &pages, NULL);
	int closed = page_all(&d, "chats?$select=subject&$filter=statecode%20ne%200%20and%20modifiedinteamson%20le%202100-01-01T00:00:00Z",
			"odata.maxpagesize=1000", &pages, NULL);
	cr_expect_eq(open + closed, with_row);
	cr_expect_gt(closed, 0);
	cr_expect_eq(pages, 1);

	struct sbt_resp r;
	api_get(&d, "chats?$select=subject", "odata.maxpagesize=2", &r);
	cJSON *fx = sbt_fixture("microsoft-docs/dataverse-page-with-nextlink.json");
	cr_expect_null(sbt_missing_key(r.json, fx), "%s", r.body);
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "@odata.etag")) &&
		  cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "activityid")), "etag and key, as the docs show");
	cJSON_Delete(fx);
	cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink")->valuestring, "$skiptoken=%3Ccookie"));
	cr_expect_str_eq(sbt_header(&r, "Preference-Applied"), "odata.maxpagesize=2");
	sbt_resp_free(&r);
	api_get(&d, "chats?$select=subject&$expand=chat_activity_parties($select=_partyid_value,participationtypemask)&$top=3",
			"odata.include-annotations=\"*\"", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "value");
	cr_expect_eq(cJSON_GetArraySize(v), 3);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink"), "$top ends the result");
	const cJSON *parties = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(v, 0), "chat_activity_parties");
	cr_assert_gt(cJSON_GetArraySize(parties), 1);
	const cJSON *p = cJSON_GetArrayItem(parties, 0);
	cr_expect_eq(cJSON_GetObjectItemCaseSensitive(p, "participationtypemask")->valueint, 12);
	cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "_partyid_value@OData.Community.Display.V1.FormattedValue")));
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(p, "_partyid_value@Microsoft.Dynamics.CRM.lookuplogicalname")->valuestring,
			"systemuser");
	sbt_resp_free(&r);

	/* $top with odata.maxpagesize: the service ignores $top and pages */
	api_get(&d, "chats?$select=subject&$top=3", "odata.maxpagesize=2", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 2);
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink"), "$top is ignored");
	sbt_resp_free(&r);

	api_get(&d, "activityparties?$select=_partyid_value&$top=2", "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "_partyid_value@OData.Community.Display.V1.FormattedValue")));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(p, "_partyid_value@Microsoft.Dynamics.CRM.lookuplogicalname"));
	sbt_resp_free(&r);
	api_get(&d, "activityparties?$select=_partyid_value&$top=2", NULL, &r);
	p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(p, "_partyid_value@OData.Community.Display.V1.FormattedValue"),
			"no annotations unless asked");
	sbt_resp_free(&r);

	api_get(&d, "chats?$filter=statecode%20eq%20'open'", NULL, &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	api_get(&d, "chats?$filter=nosuch%20eq%201", NULL, &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	dv_stop(&d);
}

/* A chat's participants asked by its activity id are found through the chats' index, not a walk over
 * every participant: the same rows, in the same order, as a filter the index cannot serve. */
Test(dataverse, participants_of_one_chat_by_its_index_are_those_of_a_walk)
{
	struct dv d;
	dv_start(&d, NULL);
	struct sbt_resp r;
	api_get(&d, "chats?$select=activityid", "odata.maxpagesize=5", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *c, *chats = cJSON_GetObjectItemCaseSensitive(r.json, "value");
	int seen = 0;
	cJSON_ArrayForEach(c, chats) {
		const char *id = cJSON_GetObjectItemCaseSensitive(c, "activityid")->valuestring;
		/* indexed (an and-ed term, alone), then walked (an or of the same term twice) */
		char *filters[3] = { xasprintf("participationtypemask%%20eq%%2012%%20and%%20_activityid_value%%20eq%%20%s", id),
				     xasprintf("_activityid_value%%20eq%%20%s", id),
				     xasprintf("_activityid_value%%20eq%%20%s%%20or%%20_activityid_value%%20eq%%20%s", id, id) };
		char *bodies[3];
		for (int k = 0; k < 3; k++) {
			char *what = xasprintf("activityparties?$select=_partyid_value,addressused&$filter=%s", filters[k]);
			struct sbt_resp p;
			api_get(&d, what, NULL, &p);
			cr_assert_eq(p.status, 200, "%s: %s", what, p.body);
			bodies[k] = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(p.json, "value"));
			if (k == 0)
				cr_assert_geq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p.json, "value")), 2, "%s", p.body);
			sbt_resp_free(&p);
			free(what);
			free(filters[k]);
		}
		cr_expect_str_eq(bodies[0], bodies[2], "indexed and walked differ for %s", id);
		cr_expect_str_eq(bodies[1], bodies[2], "indexed and walked differ for %s", id);
		for (int k = 0; k < 3; k++)
			free(bodies[k]);
		seen++;
	}
	cr_assert_eq(seen, 5);
	sbt_resp_free(&r);
	api_get(&d, "activityparties?$filter=_activityid_value%20eq%2000000000-0000-0000-0000-000000000000", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 0, "%s", r.body);
	sbt_resp_free(&r);
	dv_stop(&d);
}

Test(dataverse, associations_syncerrors_and_single_rows)
{
	struct dv d;
	dv_start(&d, NULL);
	struct sbt_resp r;
	api_get(&d, "msdyn_teamschatassociations?$select=msdyn_teamschatid,msdyn_regardingobjectid,msdyn_regardingobjectname,"
			"msdyn_entityrecordstate&$filter=msdyn_entityrecordstate%20eq%201", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 0, "an unlinked chat exists");
	sbt_resp_free(&r);
	api_get(&d, "syncerrors?$select=_regardingobjectid_value,errorcode,errormessage,errortime,errortype", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_assert_not_null(e);
	char *chat = xstrdup(cJSON_GetObjectItemCaseSensitive(e, "_regardingobjectid_value")->valuestring);
	sbt_resp_free(&r);
	char *one = xasprintf("chats(%s)?$select=subject,lastsyncerror&$expand=chat_SyncErrors", chat);
	api_get(&d, one, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(r.json, "activityid")->valuestring, chat);
	cr_expect_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "chat_SyncErrors")), 0);
	cr_expect_not_null(sbt_header(&r, "ETag"));
	sbt_resp_free(&r);
	api_get(&d, "chats(00000000-0000-0000-0000-000000000000)", NULL, &r);
	assert_dv_error(&r, 404);
	sbt_resp_free(&r);
	free(one);
	free(chat);
	dv_stop(&d);
}

static void patch_org(struct dv *d, const char *token, const char *org, const char *if_match, const char *json,
		struct sbt_resp *r)
{
	char *url = xasprintf("%s/api/data/v9.2/organizations(%s)", d->env, org);
	char *auth = sbt_bearer(token);
	char *im = if_match ? xasprintf("If-Match: %s", if_match) : NULL;
	const char *h[] = { auth, "Content-Type: application/json", im, NULL };
	sbt_req(&d->t, "PATCH", url, h, json, r);
	free(url);
	free(auth);
	free(im);
}

Test(dataverse, toggle_with_etag_412_and_403)
{
	struct dv d;
	dv_start(&d, NULL);
	struct sbt_resp r;
	api_get(&d, "organizations?$select=organizationid,teamschatdatasync", NULL, &r);
	const cJSON *org = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	char *id = xstrdup(cJSON_GetObjectItemCaseSensitive(org, "organizationid")->valuestring);
	char *etag = xstrdup(cJSON_GetObjectItemCaseSensitive(org, "@odata.etag")->valuestring);
	sbt_resp_free(&r);

	/* Changed behind the client's back: the old ETag no longer matches. */
	char *ctl = xasprintf("{\"env\":\"%s\",\"daysbeforeinactiveteamschatsyncdisabled\":9}",
			cJSON_GetObjectItemCaseSensitive(truth_env(&d.t, 0), "unique_name")->valuestring);
	sbt_req(&d.t, "POST", "/_sandbox/org", NULL, ctl, &r);
	cr_assert_eq(r.status, 200);
	sbt_resp_free(&r);
	patch_org(&d, d.tok, id, etag, "{\"teamschatdatasync\":false}", &r);
	assert_dv_error(&r, 412);
	sbt_resp_free(&r);

	api_get(&d, "organizations?$select=organizationid,teamschatdatasync,daysbeforeinactiveteamschatsyncdisabled", NULL, &r);
	org = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect_eq(cJSON_GetObjectItemCaseSensitive(org, "daysbeforeinactiveteamschatsyncdisabled")->valueint, 9);
	free(etag);
	etag = xstrdup(cJSON_GetObjectItemCaseSensitive(org, "@odata.etag")->valuestring);
	sbt_resp_free(&r);
	patch_org(&d, d.tok, id, etag, "{\"teamschatdatasync\":false}", &r);
	cr_expect_eq(r.status, 204, "%s", r.body);
	cr_expect_not_null(sbt_header(&r, "OData-EntityId"));
	sbt_resp_free(&r);
	api_get(&d, "organizations?$select=teamschatdatasync", NULL, &r);
	org = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(org, "teamschatdatasync")));
	cr_expect_str_neq(cJSON_GetObjectItemCaseSensitive(org, "@odata.etag")->valuestring, etag);
	sbt_resp_free(&r);

	patch_org(&d, d.tok, id, "*", "{\"daysbeforeinactiveteamschatsyncdisabled\":29}", &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	patch_org(&d, d.tok, id, "*", "{\"name\":\"x\"}", &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);

	/* The reader app and a non-admin user may read but not write; a Global Administrator may. */
	char *scope = xasprintf("%s/.default", d.env);
	char *reader = sbt_token(&d.t, d.t.reader_id, d.t.reader_secret, scope);
	patch_org(&d, reader, id, "*", "{\"teamschatdatasync\":true}", &r);
	assert_dv_error(&r, 403);
	sbt_resp_free(&r);
	char *user = sbt_device_token(&d.t, d.t.user_id, scope, NULL);
	patch_org(&d, user, id, "*", "{\"teamschatdatasync\":true}", &r);
	assert_dv_error(&r, 403);
	sbt_resp_free(&r);
	char *admin = sbt_device_token(&d.t, d.t.device_id, scope, NULL);
	patch_org(&d, admin, id, "*", "{\"teamschatdatasync\":true}", &r);
	cr_expect_eq(r.status, 204, "%s", r.body);
	sbt_resp_free(&r);
	free(scope), free(reader), free(user), free(admin), free(ctl), free(etag), free(id);
	dv_stop(&d);
}

Test(dataverse, change_tracking_delta_and_deleted_rows)
{
	struct dv d;
	dv_start(&d, NULL);
	int pages;
	cJSON *delta = NULL;
	struct sbt_resp r;
	api_get(&d, "chats?$select=subject&$filter=statecode%20eq%200", "odata.track-changes", &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	int rows = page_all(&d, "chats?$select=subject,modifiedinteamson,statecode", "odata.track-changes,odata.maxpagesize=20",
			&pages, &delta);
	cr_assert_gt(rows, 20);
	cr_assert(cJSON_IsString(delta), "the last page carries the deltaLink");
	cr_expect(strstr(delta->valuestring, "$deltatoken="));

	/* Nothing changed: an empty delta. */
	sbt_get(&d.t, d.tok, delta->valuestring, "Prefer: odata.track-changes", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "value")), 0);
	sbt_resp_free(&r);

	const cJSON *env = truth_env(&d.t, 0), *c;
	const char *touch = NULL, *gone = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(env, "chats")) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "activity_id");
		if (!cJSON_IsString(a))
			continue;
		if (!touch)
			touch = a->valuestring;
		else if (!gone)
			gone = a->valuestring;
	}
	char *m1 = xasprintf("{\"action\":\"touch\",\"activity_id\":\"%s\"}", touch);
	char *m2 = xasprintf("{\"action\":\"delete\",\"activity_id\":\"%s\"}", gone);
	sbt_req(&d.t, "POST", "/_sandbox/mutate", NULL, m1, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
	sbt_req(&d.t, "POST", "/_sandbox/mutate", NULL, m2, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);

	sbt_get(&d.t, d.tok, delta->valuestring, "Prefer: odata.track-changes", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "value"), *it;
	bool saw_touch = false, saw_gone = false;
	cJSON_ArrayForEach(it, v) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "activityid");
		if (cJSON_IsString(id) && !strcmp(id->valuestring, touch))
			saw_touch = true;
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(it, "reason");
		if (cJSON_IsString(reason) && !strcmp(reason->valuestring, "deleted") &&
		    !strcmp(cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring, gone)) {
			saw_gone = true;
			cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(it, "@odata.context")->valuestring, "$deletedEntity"));
		}
	}
	cr_expect(saw_touch && saw_gone, "%s", r.body);
	cr_expect_eq(cJSON_GetArraySize(v), 2);
	cJSON *fx = sbt_fixture("microsoft-docs/dataverse-change-tracking-delta.json");
	cr_expect_null(sbt_missing_key(r.json, fx));
	cJSON_Delete(fx);
	cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.context")->valuestring, "/$delta"));
	sbt_resp_free(&r);
	char *one = xasprintf("chats(%s)", gone);
	api_get(&d, one, NULL, &r);
	assert_dv_error(&r, 404);
	sbt_resp_free(&r);
	api_get(&d, "chats?$deltatoken=garbage", NULL, &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	free(one), free(m1), free(m2);
	cJSON_Delete(delta);
	dv_stop(&d);
}

Test(dataverse, multipart_batch_of_gets)
{
	struct dv d;
	dv_start(&d, NULL);
	char *url = xasprintf("%s/api/data/v9.2/$batch", d.env);
	char *auth = sbt_bearer(d.tok);
	const char *h[] = { auth, "Content-Type: multipart/mixed; boundary=\"batch_80dd1615-2a10-428a-bb6f-0e559792721f\"",
		"OData-Version: 4.0", NULL };
	const char *body =
		"--batch_80dd1615-2a10-428a-bb6f-0e559792721f\r\n"
		"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
		"GET /api/data/v9.2/organizations?$select=teamschatdatasync HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n"
		"--batch_80dd1615-2a10-428a-bb6f-0e559792721f\n"
		"Content-Type: application/http\nContent-Transfer-Encoding: binary\n\n"
		"GET WhoAmI HTTP/1.1\n\n\n"
		"--batch_80dd1615-2a10-428a-bb6f-0e559792721f\r\n"
		"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
		"GET /api/data/v9.2/chats?$select=subject&$top=2 HTTP/1.1\r\n\r\n\r\n"
		"--batch_80dd1615-2a10-428a-bb6f-0e559792721f--\r\n";
	struct sbt_resp r;
	sbt_req(&d.t, "POST", url, h, body, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const char *ct = sbt_header(&r, "Content-Type");
	cr_assert(ct && strstr(ct, "multipart/mixed; boundary=batchresponse_"), "%s", ct);
	const char *bnd = strstr(ct, "boundary=") + 9;
	char *delim = xasprintf("--%s", bnd);
	int parts = 0;
	for (const char *p = strstr(r.body, delim); p; p = strstr(p + 1, delim))
		parts++;
	cr_expect_eq(parts, 4, "three parts and the closing delimiter: %s", r.body);
	const char *ok = r.body;
	int oks = 0;
	while ((ok = strstr(ok, "HTTP/1.1 200 OK")))
		oks++, ok++;
	cr_expect_eq(oks, 3);
	cr_expect(strstr(r.body, "\"BusinessUnitId\""));
	cr_expect(strstr(r.body, "Content-Transfer-Encoding: binary"));
	sbt_resp_free(&r);
	const char *h2[] = { auth, "Content-Type: application/json", NULL };
	sbt_req(&d.t, "POST", url, h2, "{}", &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	free(delim), free(url), free(auth);
	dv_stop(&d);
}

/* One pass over a delta link: the ids served in order (updated rows, then "-id" for deletions), the
 * number of pages, and the deltaLink of the last page (caller deletes). Fails when a page carries
 * both links or neither, or when a row comes twice. */
struct delta_pass {
	char *ids[64];
	int n, pages;
	cJSON *delta;
};

static void delta_walk(struct dv *d, const char *link, const char *prefer, struct delta_pass *p,
		void (*between)(struct dv *d))
{
	memset(p, 0, sizeof *p);
	char *url = xstrdup(link), *pref = xasprintf("Prefer: %s", prefer);
	while (url) {
		struct sbt_resp r;
		sbt_get(&d->t, d->tok, url, pref, &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		p->pages++;
		cr_assert(strstr(cJSON_GetObjectItemCaseSensitive(r.json, "@odata.context")->valuestring, "/$delta"),
				"every page of a delta is a delta: %s", r.body);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r.json, "value"), *it;
		cJSON_ArrayForEach(it, v) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "activityid");
			char *s = cJSON_IsString(id) ? xstrdup(id->valuestring)
						    : xasprintf("-%s", cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring);
			for (int i = 0; i < p->n; i++)
				cr_assert_str_neq(p->ids[i], s, "served twice in one pass");
			cr_assert_lt(p->n, 64);
			p->ids[p->n++] = s;
		}
		const cJSON *next = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.nextLink");
		const cJSON *dl = cJSON_GetObjectItemCaseSensitive(r.json, "@odata.deltaLink");
		cr_assert(cJSON_IsString(next) != cJSON_IsString(dl), "one link per page, nextLink or deltaLink: %s", r.body);
		free(url);
		url = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
		if (url)
			cr_expect(strstr(url, "$skiptoken=") && strstr(url, "$deltatoken="), "%s", url);
		if (dl)
			p->delta = cJSON_Duplicate(dl, 1);
		sbt_resp_free(&r);
		if (url && between && p->pages == 1)
			between(d);
	}
	free(pref);
}

static void delta_pass_free(struct delta_pass *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->ids[i]);
	cJSON_Delete(p->delta);
}

static char *touched_mid_pass;

static void touch_mid_pass(struct dv *d)
{
	char *m = xasprintf("{\"action\":\"touch\",\"activity_id\":\"%s\"}", touched_mid_pass);
	struct sbt_resp r;
	sbt_req(&d->t, "POST", "/_sandbox/mutate", NULL, m, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);
	free(m);
}

Test(dataverse, delta_answer_in_three_pages)
{
	/* The service's page size made small (the client asks for 5000, as chatsync does). */
	const char *args[] = { "--page-size", "2", "--envs", "1", "--chats-per-env", "20", NULL };
	struct dv d;
	dv_start(&d, args);
	int pages;
	cJSON *delta = NULL;
	int rows = page_all(&d, "chats?$select=subject", "odata.track-changes,odata.maxpagesize=5000", &pages, &delta);
	cr_assert_gt(rows, 4);
	cr_expect_eq(pages, (rows + 1) / 2, "the initial read is paged at the service's size too");
	cr_assert(cJSON_IsString(delta));

	const char *acts[6] = { 0 };
	int na = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(truth_env(&d.t, 0), "chats")) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "activity_id");
		if (cJSON_IsString(a) && na < 6)
			acts[na++] = a->valuestring;
	}
	cr_assert_eq(na, 6);
	/* Four touched (the first one last, so it is the newest), one deleted: five changes. */
	static const int order[] = { 1, 2, 3, 0 };
	for (int i = 0; i < 4; i++) {
		char *m = xasprintf("{\"action\":\"touch\",\"activity_id\":\"%s\"}", acts[order[i]]);
		struct sbt_resp r;
		sbt_req(&d.t, "POST", "/_sandbox/mutate", NULL, m, &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		sbt_resp_free(&r);
		free(m);
	}
	char *del = xasprintf("{\"action\":\"delete\",\"activity_id\":\"%s\"}", acts[4]);
	struct sbt_resp r;
	sbt_req(&d.t, "POST", "/_sandbox/mutate", NULL, del, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	sbt_resp_free(&r);

	/* While the client pages, another chat changes: it belongs to the next delta, not this pass. */
	touched_mid_pass = (char *)acts[5];
	struct delta_pass p;
	delta_walk(&d, delta->valuestring, "odata.maxpagesize=5000", &p, touch_mid_pass);
	cr_expect_eq(p.pages, 3, "five changes at two a page");
	cr_assert_eq(p.n, 5);
	for (int i = 0; i < 4; i++)
		cr_expect_str_eq(p.ids[i], acts[order[i]], "updated rows in the order they changed (%d)", i);
	cr_expect(p.ids[4][0] == '-' && !strcmp(p.ids[4] + 1, acts[4]), "deletions after the updates: %s", p.ids[4]);
	cr_assert(cJSON_IsString(p.delta));

	/* The next delta: only the chat changed during the pass. */
	struct delta_pass q;
	delta_walk(&d, p.delta->valuestring, "odata.maxpagesize=5000", &q, NULL);
	cr_expect_eq(q.pages, 1);
	cr_assert_eq(q.n, 1);
	cr_expect_str_eq(q.ids[0], acts[5]);
	delta_pass_free(&q);

	/* A client asking for less than the service's size gets its own size. */
	delta_walk(&d, delta->valuestring, "odata.maxpagesize=1", &q, NULL);
	cr_expect_eq(q.pages, 6, "six changes at one a page");
	delta_pass_free(&q);

	/* A cookie that was tampered with is refused in the service's words. */
	char *bad = xasprintf("%s&$skiptoken=%%3Ccookie%%20pagenumber=%%222%%22%%20/%%3E", delta->valuestring);
	sbt_get(&d.t, d.tok, bad, NULL, &r);
	assert_dv_error(&r, 400);
	sbt_resp_free(&r);
	free(bad);
	delta_pass_free(&p);
	free(del);
	cJSON_Delete(delta);
	dv_stop(&d);
}

/* A change set of PATCHes of the organization; each entry "ID|URL|JSON" (ID may be empty). */
static char *changeset(const char *cs, const char *const *reqs)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", cs);
	for (size_t i = 0; reqs[i]; i++) {
		char *r = xstrdup(reqs[i]), *url = strchr(r, '|'), *json;
		*url++ = '\0';
		json = strchr(url, '|');
		*json++ = '\0';
		buf_printf(&b, "--%s\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n", cs);
		if (*r)
			buf_printf(&b, "Content-ID: %s\r\n", r);
		if (*json)
			buf_printf(&b, "\r\nPATCH %s HTTP/1.1\r\nContent-Type: application/json\r\n\r\n%s\r\n", url, json);
		else
			buf_printf(&b, "\r\nGET %s HTTP/1.1\r\n\r\n\r\n", url);
		free(r);
	}
	buf_printf(&b, "--%s--\r\n", cs);
	return buf_steal(&b);
}

static int org_days(struct dv *d, char **etag)
{
	struct sbt_resp r;
	api_get(d, "organizations?$select=daysbeforeinactiveteamschatsyncdisabled", NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0);
	int days = cJSON_GetObjectItemCaseSensitive(o, "daysbeforeinactiveteamschatsyncdisabled")->valueint;
	if (etag)
		*etag = xstrdup(cJSON_GetObjectItemCaseSensitive(o, "@odata.etag")->valuestring);
	sbt_resp_free(&r);
	return days;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(dataverse, batch_change_sets_are_all_or_nothing)
{
	struct dv d;
	dv_start(&d, NULL);
	char *etag0;
	int days0 = org_days(&d, &etag0);
	struct sbt_resp r;
	api_get(&d, "organizations?$select=organizationid", NULL, &r);
	char *org = xasprintf("/api/data/v9.2/organizations(%s)", cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "value"), 0), "organizationid")->valuestring);
	sbt_resp_free(&r);
	char *url = xasprintf("%s/api/data/v9.2/$batch", d.env), *auth = sbt_bearer(d.tok);
	const char *bh = "Content-Type: multipart/mixed; boundary=\"batch_AAA123\"";
	const char *h[] = { auth, bh, "OData-Version: 4.0", NULL };
	const char *hc[] = { auth, bh, "OData-Version: 4.0", "Prefer: odata.continue-on-error", NULL };

	/* Two PATCHes, the second through the first's Content-ID: both take effect. */
	char *p1 = xasprintf("1|%s|{\"daysbeforeinactiveteamschatsyncdisabled\":10}", org);
	const char *ok[] = { p1, "2|$1|{\"daysbeforeinactiveteamschatsyncdisabled\":12}", NULL };
	char *cs = changeset("changeset_BBB456", ok);
	char *body = xasprintf("--batch_AAA123\r\n%s\r\n--batch_AAA123--\r\n", cs);
	sbt_req(&d.t, "POST", url, h, body, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "Content-Type: multipart/mixed; boundary=changesetresponse_"), "%s", r.body);
	cr_expect_eq(count_of(r.body, "HTTP/1.1 204 No Content"), 2, "%s", r.body);
	cr_expect(strstr(r.body, "Content-ID: 1\r\n") && strstr(r.body, "Content-ID: 2\r\n"), "%s", r.body);
	cr_expect(strstr(r.body, "OData-EntityId: "), "%s", r.body);
	sbt_resp_free(&r);
	char *etag1;
	cr_expect_eq(org_days(&d, &etag1), 12);
	cr_expect_str_neq(etag1, etag0);
	free(cs), free(body);

	/* The second request fails (outside 1-28): the first is undone, the change set is answered by
	 * the failed request alone, and the batch stops there with its status. */
	char *p2 = xasprintf("1|%s|{\"daysbeforeinactiveteamschatsyncdisabled\":20}", org);
	char *p3 = xasprintf("2|%s|{\"daysbeforeinactiveteamschatsyncdisabled\":99}", org);
	const char *bad[] = { p2, p3, NULL };
	cs = changeset("changeset_CCC", bad);
	body = xasprintf("--batch_AAA123\r\n%s\r\n--batch_AAA123\r\nContent-Type: application/http\r\n"
			 "Content-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/WhoAmI HTTP/1.1\r\n\r\n\r\n"
			 "--batch_AAA123--\r\n", cs);
	sbt_req(&d.t, "POST", url, h, body, &r);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect(!strstr(r.body, "changesetresponse_"), "a failed change set is one response: %s", r.body);
	cr_expect_eq(count_of(r.body, "HTTP/1.1 "), 1, "%s", r.body);
	cr_expect(strstr(r.body, "Content-ID: 2\r\n") && strstr(r.body, "0x80044331"), "%s", r.body);
	cr_expect(!strstr(r.body, "BusinessUnitId"), "the batch stopped at the failure");
	sbt_resp_free(&r);
	char *etag2;
	cr_expect_eq(org_days(&d, &etag2), 12, "rolled back");
	cr_expect_str_eq(etag2, etag1, "a rolled-back change leaves the row's version as it was");

	/* The same with odata.continue-on-error: the batch goes on after the failed change set. */
	sbt_req(&d.t, "POST", url, hc, body, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "BusinessUnitId"), "%s", r.body);
	sbt_resp_free(&r);
	cr_expect_eq(org_days(&d, NULL), 12);
	free(cs), free(body);

	/* A GET inside a change set, and a reference to a Content-ID not declared before it: 400 each. */
	char *g = xasprintf("1|%s|", org);
	const char *with_get[] = { g, NULL };
	const char *unknown_ref[] = { "1|$3|{\"daysbeforeinactiveteamschatsyncdisabled\":9}", NULL };
	const char *const *cases[] = { with_get, unknown_ref };
	const char *want[] = { "GET requests are not allowed in a change set", "'$3' does not exist in the batch context" };
	for (int i = 0; i < 2; i++) {
		cs = changeset("changeset_DDD", cases[i]);
		body = xasprintf("--batch_AAA123\r\n%s\r\n--batch_AAA123--\r\n", cs);
		sbt_req(&d.t, "POST", url, h, body, &r);
		cr_expect_eq(r.status, 400, "%s", r.body);
		cr_expect(strstr(r.body, want[i]), "%s", r.body);
		sbt_resp_free(&r);
		free(cs), free(body);
	}
	cr_expect_eq(org_days(&d, NULL), 12);
	(void)days0;
	free(g), free(p1), free(p2), free(p3), free(etag0), free(etag1), free(etag2);
	free(org), free(url), free(auth);
	dv_stop(&d);
}
