#include "config.h"
#include "sandbox/control.h"
#include "sandbox/entra.h"
#include "sandbox/faults.h"
#include "sandbox/rlog.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(struct sb_resp *rs, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	sb_resp_json(rs, status, o);
}

static void ok(struct sb_resp *rs, cJSON *o)
{
	sb_resp_json(rs, 200, o ? o : cJSON_CreateObject());
}

cJSON *sb_control_truth(struct sb_server *s)
{
	struct sb_tenant *t = &s->tenant;
	cJSON *o = cJSON_CreateObject();
	pthread_rwlock_rdlock(&t->lock);
	cJSON_AddStringToObject(o, "tenant", t->domain);
	cJSON_AddStringToObject(o, "tenant_id", t->tenant_id);
	cJSON_AddStringToObject(o, "rsc_state", sb_rsc_name(t->rsc));
	cJSON *envs = cJSON_AddArrayToObject(o, "environments");
	for (size_t i = 0; i < t->n_envs; i++) {
		const struct sb_env *e = &t->envs[i];
		cJSON *eo = cJSON_CreateObject();
		cJSON_AddStringToObject(eo, "unique_name", e->unique_name);
		cJSON_AddStringToObject(eo, "url", e->url);
		cJSON_AddBoolToObject(eo, "sync_enabled", e->sync_enabled);
		cJSON_AddNumberToObject(eo, "inactivity_days", e->inactivity_days);
		cJSON *chats = cJSON_AddArrayToObject(eo, "chats");
		for (size_t k = 0; k < e->n_chats; k++) {
			const struct sb_chat *c = &e->chats[k];
			cJSON *co = cJSON_CreateObject();
			cJSON_AddStringToObject(co, "teams_chat_id", c->teams_id);
			if (c->has_activity)
				cJSON_AddStringToObject(co, "activity_id", c->activityid);
			else
				cJSON_AddNullToObject(co, "activity_id");
			cJSON_AddStringToObject(co, "situation", sb_situation_name(c->situation));
			/* The row as the tenant holds it, in the client's contract terms, so tests can compare
			 * what chatsync cached field by field. */
			if (c->has_activity) {
				static const char *const states[] = { "open", "completed", "canceled", "scheduled" };
				static const char *const syncs[] = { "not_enabled", "pending", "enabled" };
				char iso[40];
				cJSON_AddStringToObject(co, "subject", c->subject ? c->subject : "");
				cJSON_AddStringToObject(co, "state", c->statecode >= 0 && c->statecode < 4 ? states[c->statecode] : "?");
				cJSON_AddStringToObject(co, "sync_status",
							c->syncstatus >= 0 && c->syncstatus < 3 ? syncs[c->syncstatus] : "?");
				cJSON_AddStringToObject(co, "modified_in_teams_on", sb_iso(c->modifiedinteamson, iso, sizeof iso));
				cJSON *parts = cJSON_AddArrayToObject(co, "participants");
				for (uint32_t m = 0; m < c->n_members; m++) {
					const struct sb_party *p = &e->parties[e->party_by_chat[c->first_party + m]];
					if (!p->deleted)
						cJSON_AddItemToArray(parts, cJSON_CreateString(t->users[p->user].name));
				}
			}
			if (c->mutated)
				cJSON_AddBoolToObject(co, "mutated", true);
			cJSON_AddItemToArray(chats, co);
		}
		cJSON_AddItemToArray(envs, eo);
	}
	pthread_rwlock_unlock(&t->lock);
	return o;
}

static void mutate(struct sb_server *s, const cJSON *b, struct sb_resp *rs)
{
	const char *action = sb_json_get_str(b, "action");
	char err[256];
	if (!action) {
		fail(rs, 400, "\"action\" is required");
		return;
	}
	pthread_rwlock_wrlock(&s->tenant.lock);
	int rc, changed = 1;
	if (!strcmp(action, "add_member")) {
		rc = sb_tenant_add_teams_member(&s->tenant, sb_json_get_str(b, "teams_chat_id"), sb_json_get_str(b, "user"),
				err, sizeof err);
	} else if (!strcmp(action, "random")) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(b, "fraction");
		rc = sb_tenant_mutate_random(&s->tenant, cJSON_IsNumber(f) ? f->valuedouble : -1, &changed, err, sizeof err);
	} else {
		rc = sb_tenant_mutate(&s->tenant, action, sb_json_get_str(b, "activity_id"),
				sb_json_get_str(b, "teams_chat_id"), err, sizeof err);
	}
	pthread_rwlock_unlock(&s->tenant.lock);
	if (rc < 0) {
		fail(rs, 400, err);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "changed", changed);
	ok(rs, o);
}

static void org(struct sb_server *s, const cJSON *b, struct sb_resp *rs)
{
	const char *name = sb_json_get_str(b, "env");
	const cJSON *sync = cJSON_GetObjectItemCaseSensitive(b, "teamschatdatasync");
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(b, "daysbeforeinactiveteamschatsyncdisabled");
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(b, "state");
	if (!name || (sync && !cJSON_IsBool(sync)) || (days && (!cJSON_IsNumber(days) || days->valueint < 1 ||
			days->valueint > 28)) || (state && (!cJSON_IsNumber(state) || (state->valueint != 0 &&
			state->valueint != 1)))) {
		fail(rs, 400, "give \"env\", and \"teamschatdatasync\" (bool), "
			      "\"daysbeforeinactiveteamschatsyncdisabled\" (1-28) and/or \"state\" (0 or 1)");
		return;
	}
	pthread_rwlock_wrlock(&s->tenant.lock);
	struct sb_env *e = sb_tenant_env(&s->tenant, name);
	cJSON *o = NULL;
	if (e) {
		if (sync)
			e->sync_enabled = cJSON_IsTrue(sync);
		if (days)
			e->inactivity_days = days->valueint;
		if (state) /* Global Discovery's, not the organization row's */
			e->state = state->valueint;
		if (sync || days) {
			e->org_version = sb_env_bump(e);
			e->org_modified = sb_now();
		}
		o = cJSON_CreateObject();
		char etag[40];
		snprintf(etag, sizeof etag, "W/\"%llu\"", (unsigned long long)e->org_version);
		cJSON_AddStringToObject(o, "etag", etag);
	}
	pthread_rwlock_unlock(&s->tenant.lock);
	if (!e)
		fail(rs, 404, "no such environment");
	else
		ok(rs, o);
}

void sb_control_handle(struct sb_server *s, struct sb_req *rq, struct sb_resp *rs, const char *rest)
{
	bool get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST"), del = !strcmp(rq->method, "DELETE");
	cJSON *b = post && rq->body_len ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
	char err[256];
	if (post && rq->body_len && !cJSON_IsObject(b)) {
		fail(rs, 400, "the body must be a JSON object");
	} else if (get && !strcmp(rest, "truth")) {
		ok(rs, sb_control_truth(s));
	} else if (post && !strcmp(rest, "approve")) {
		const char *code = sb_json_get_str(b, "user_code");
		const cJSON *decline = cJSON_GetObjectItemCaseSensitive(b, "decline");
		if (!code)
			fail(rs, 400, "\"user_code\" is required");
		else if (sb_entra_approve(s, code, sb_json_get_str(b, "user"), cJSON_IsTrue(decline), err, sizeof err) < 0)
			fail(rs, 404, err);
		else
			ok(rs, NULL);
	} else if (post && !strcmp(rest, "policy")) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(b, "aadsts");
		if (!cJSON_IsNumber(code))
			fail(rs, 400, "\"aadsts\" (a number, 0 to clear) is required");
		else if (sb_entra_policy(s, code->valueint, sb_json_get_str(b, "flows"), err, sizeof err) < 0)
			fail(rs, 400, err);
		else
			ok(rs, NULL);
	} else if (post && !strcmp(rest, "mutate")) {
		mutate(s, b, rs);
	} else if (post && !strcmp(rest, "org")) {
		org(s, b, rs);
	} else if (!strcmp(rest, "faults")) {
		if (post && sb_faults_add_json(s->faults, b, err, sizeof err) < 0)
			fail(rs, 400, err);
		else if (post || get)
			ok(rs, sb_faults_json(s->faults));
		else if (del) {
			sb_faults_clear(s->faults);
			ok(rs, NULL);
		} else
			fail(rs, 405, "GET, POST or DELETE");
	} else if (get && !strcmp(rest, "stats")) {
		ok(rs, sb_rlog_stats(s->rlog));
	} else if (post && !strcmp(rest, "stats/reset")) {
		sb_rlog_reset(s->rlog);
		ok(rs, NULL);
	} else {
		fail(rs, 404, "unknown control endpoint (truth, approve, policy, mutate, org, faults, stats, stats/reset)");
	}
	cJSON_Delete(b);
}
