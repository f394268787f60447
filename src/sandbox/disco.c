#include "config.h"
#include "sandbox/disco.h"
#include "sandbox/auth.h"
#include "sandbox/dv.h"
#include "sandbox/odata.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DV_VERSION "9.2.25103.00187"

static const struct {
	const char *name;
	enum sb_vtype type;
} cols[] = {
	{ "Id", SB_V_GUID }, { "UniqueName", SB_V_STR }, { "UrlName", SB_V_STR }, { "FriendlyName", SB_V_STR },
	{ "State", SB_V_INT }, { "Version", SB_V_STR }, { "Url", SB_V_STR }, { "ApiUrl", SB_V_STR },
	{ "LastUpdated", SB_V_TIME }, { "Region", SB_V_STR }, { "TenantId", SB_V_GUID },
	{ "EnvironmentId", SB_V_GUID }, { "Purpose", SB_V_STR },
};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

static int resolve(const void *ctx, const char *field, int *index)
{
	(void)ctx;
	for (int i = 0; i < NCOLS; i++)
		if (!strcmp(cols[i].name, field)) {
			*index = i;
			return (int)cols[i].type;
		}
	return -1;
}

static void field(const void *ctx, size_t row, int index, struct sb_val *v)
{
	const struct sb_tenant *t = ctx;
	const struct sb_env *e = &t->envs[row];
	v->t = cols[index].type;
	switch (index) {
	case 0: v->s = e->org_id; break;
	case 1: v->s = e->unique_name; break;
	case 2: v->s = e->url_name; break;
	case 3: v->s = e->friendly_name; break;
	case 4: v->i = e->state; break;
	case 5: v->s = DV_VERSION; break;
	case 6:
	case 7: v->s = e->url; break;
	case 8: v->i = e->org_modified; break;
	case 9: v->s = "NA"; break;
	case 10: v->s = t->tenant_id; break;
	case 11: v->s = e->env_id; break;
	default: v->s = "Production"; break;
	}
}

static cJSON *instance(const struct sb_tenant *t, size_t row, const int *sel, size_t nsel)
{
	cJSON *o = cJSON_CreateObject();
	size_t n = sel ? nsel : (size_t)NCOLS;
	for (size_t k = 0; k < n; k++) {
		int i = sel ? sel[k] : (int)k;
		struct sb_val v;
		field(t, row, i, &v);
		if (v.t == SB_V_INT)
			cJSON_AddNumberToObject(o, cols[i].name, (double)v.i);
		else if (v.t == SB_V_TIME)
			sb_json_time(o, cols[i].name, v.i);
		else
			cJSON_AddStringToObject(o, cols[i].name, v.s);
	}
	return o;
}

void sb_disco_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest)
{
	const char *what = sb_skip_prefix(rest, "api/discovery/v2.0/");
	if (!what || (strncmp(what, "Instances", 9))) {
		sb_dv_error(rs, 404, "0x8006088a", "Resource not found for the segment '%s'.", rest);
		return;
	}
	const char *aud[] = { SB_DISCO_RESOURCE, NULL };
	struct sb_ident id;
	enum sb_auth_fail af = sb_auth_check(s, rq, aud, &id);
	if (af != SB_AUTH_OK) {
		sb_resp_header(rs, "WWW-Authenticate", "Bearer authorization_uri=%s/entra/%s/oauth2/authorize, resource_id=%s/",
				s->base_url, s->tenant.tenant_id, SB_DISCO_RESOURCE);
		sb_dv_error(rs, 401, "0x80072182", "%s", sb_auth_fail_text(af));
		return;
	}
	if (strcmp(rq->method, "GET")) {
		sb_dv_error(rs, 405, "0x80060888", "The discovery service accepts GET only.");
		return;
	}
	const char *key = what + 9;
	char *want = NULL;
	if (*key == '(') {
		/* Instances(UniqueName='x') or Instances(<id>) */
		size_t len = strlen(key);
		if (len < 3 || key[len - 1] != ')') {
			sb_dv_error(rs, 400, "0x80060888", "Bad Request - Error in query syntax.");
			return;
		}
		const char *inner = key + 1;
		const char *q = sb_skip_prefix(inner, "UniqueName='");
		want = q ? xstrndup(q, len - 2 - 12 - 1) : xstrndup(inner, len - 2);
	} else if (*key) {
		sb_dv_error(rs, 404, "0x8006088a", "Resource not found for the segment '%s'.", what);
		return;
	}
	const char *select = sb_kv_get(&rq->args, "$select"), *filter = sb_kv_get(&rq->args, "$filter");
	char err[320];
	int *sel = NULL;
	size_t nsel = 0;
	struct sb_filter *f = NULL;
	if (select && sb_select_parse(select, resolve, NULL, &sel, &nsel, err, sizeof err) < 0) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		free(want);
		return;
	}
	if (filter && !(f = sb_filter_parse(filter, resolve, NULL, err, sizeof err))) {
		sb_dv_error(rs, 400, "0x80060888", "%s", err);
		free(sel);
		free(want);
		return;
	}
	struct sb_tenant *t = &s->tenant;
	pthread_rwlock_rdlock(&t->lock);
	char *ctx = select ? xasprintf("%s/disco/api/discovery/v2.0/$metadata#Instances(%s)", s->base_url, select)
			   : xasprintf("%s/disco/api/discovery/v2.0/$metadata#Instances", s->base_url);
	if (want) {
		size_t row = t->n_envs;
		for (size_t i = 0; i < t->n_envs; i++)
			if (!strcasecmp(t->envs[i].unique_name, want) || !strcasecmp(t->envs[i].org_id, want))
				row = i;
		if (row == t->n_envs) {
			sb_dv_error(rs, 404, "0x80040217", "Instance %s Does Not Exist", want);
		} else {
			cJSON *o = instance(t, row, sel, nsel);
			char *ectx = xasprintf("%s/$entity", ctx);
			cJSON_AddStringToObject(o, "@odata.context", ectx);
			free(ectx);
			sb_resp_json(rs, 200, o);
		}
	} else {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "@odata.context", ctx);
		cJSON *arr = cJSON_AddArrayToObject(o, "value");
		for (size_t i = 0; i < t->n_envs; i++)
			if (!f || sb_filter_eval(f, field, t, i))
				cJSON_AddItemToArray(arr, instance(t, i, sel, nsel));
		sb_resp_json(rs, 200, o);
	}
	pthread_rwlock_unlock(&t->lock);
	free(ctx);
	free(sel);
	free(want);
	sb_filter_free(f);
}
