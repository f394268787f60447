/* Tenant lookups, change stamps and the control endpoint's mutations. */
#include "config.h"
#include "sandbox/tenant.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const situation_names[] = {
#define SB_SIT_NAME(id, name) name,
	SB_SITUATIONS(SB_SIT_NAME)
#undef SB_SIT_NAME
};

const char *sb_situation_name(int s)
{
	return s >= 0 && s < SB_SIT__COUNT ? situation_names[s] : "healthy";
}

static const char *const rsc_names[] = {
	[SB_RSC_MANAGED_BY_MICROSOFT] = "ManagedByMicrosoft",
	[SB_RSC_ENABLED_FOR_ALL] = "EnabledForAllApps",
	[SB_RSC_PRE_APPROVED_ONLY] = "EnabledForPreApprovedAppsOnly",
	[SB_RSC_DISABLED] = "DisabledForAllApps",
	[SB_RSC_CUSTOM] = "Custom",
};

const char *sb_rsc_name(enum sb_rsc r)
{
	return rsc_names[r];
}

int sb_rsc_parse(const char *s, enum sb_rsc *out)
{
	for (size_t i = 0; i < sizeof rsc_names / sizeof rsc_names[0]; i++)
		if (!strcasecmp(s, rsc_names[i])) {
			*out = (enum sb_rsc)i;
			return 0;
		}
	return -1;
}

struct sb_env *sb_tenant_env(struct sb_tenant *t, const char *unique_name)
{
	for (size_t i = 0; i < t->n_envs; i++)
		if (!strcasecmp(t->envs[i].unique_name, unique_name))
			return &t->envs[i];
	return NULL;
}

struct sb_chat *sb_tenant_chat_by_teams_id(struct sb_tenant *t, const char *teams_id, struct sb_env **env)
{
	uintptr_t v;
	if (!sb_map_get(&t->chat_by_teams_id, teams_id, &v))
		return NULL;
	struct sb_env *e = &t->envs[v >> 32];
	if (env)
		*env = e;
	return &e->chats[v & 0xffffffffu];
}

struct sb_chat *sb_env_chat_by_activity(struct sb_env *e, const char *activityid)
{
	size_t lo = 0, hi = e->n_chat_order;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct sb_chat *c = &e->chats[e->chat_order[mid]];
		int d = strcasecmp(c->activityid, activityid);
		if (!d)
			return c->has_activity ? c : NULL;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct sb_app *sb_tenant_app(const struct sb_tenant *t, const char *client_id)
{
	for (size_t i = 0; i < t->n_apps; i++)
		if (!strcasecmp(t->apps[i].client_id, client_id))
			return &t->apps[i];
	return NULL;
}

const struct sb_user *sb_tenant_user_by_oid(const struct sb_tenant *t, const char *oid)
{
	for (size_t i = 0; i < t->n_users; i++)
		if (!strcasecmp(t->users[i].oid, oid))
			return &t->users[i];
	return NULL;
}

int sb_tenant_user_by_upn(const struct sb_tenant *t, const char *upn)
{
	for (size_t i = 0; i < t->n_users; i++)
		if (!strcasecmp(t->users[i].upn, upn))
			return (int)i;
	return -1;
}

const char *sb_env_sysuser(const struct sb_tenant *t, const struct sb_env *e, const char *oid)
{
	for (size_t i = 0; i < t->n_users; i++)
		if (!strcasecmp(t->users[i].oid, oid))
			return e->sysuser_ids[i];
	for (size_t i = 0; i < t->n_apps; i++)
		if (!strcasecmp(t->apps[i].oid, oid))
			return e->sysuser_ids[t->n_users + i];
	return NULL;
}

uint64_t sb_env_bump(struct sb_env *e)
{
	return ++e->version;
}

void sb_env_record_deleted(struct sb_env *e, enum sb_table table, const char *id)
{
	if (e->n_deleted == e->cap_deleted) {
		e->cap_deleted = e->cap_deleted ? e->cap_deleted * 2 : 16;
		e->deleted = xrealloc(e->deleted, e->cap_deleted * sizeof *e->deleted);
	}
	struct sb_deleted *d = &e->deleted[e->n_deleted++];
	d->table = table;
	snprintf(d->id, sizeof d->id, "%s", id);
	d->version = sb_env_bump(e);
}

/* The situation a mutation leaves; a chat that had another one keeps both facts, so the truth
 * names the newest and marks the chat as mutated. */
static int apply(struct sb_tenant *t, struct sb_env *e, struct sb_chat *c, const char *action, char *err,
		size_t errlen)
{
	int64_t now = sb_now();
	bool needs_row = strcmp(action, "delete_in_teams") && strcmp(action, "unlink") && strcmp(action, "uninstall_app");
	if (needs_row && !c->has_activity) {
		snprintf(err, errlen, "chat %s has no activity row to %s", c->teams_id, action);
		return -1;
	}
	if (!strcmp(action, "touch")) {
		c->modifiedinteamson = c->modifiedon = now;
		c->modifiedby = c->members[0];
		if (c->situation == SB_SIT_INACTIVE_TOO_LONG || c->situation == SB_SIT_INACTIVE_SOON)
			c->situation = SB_SIT_HEALTHY;
	} else if (!strcmp(action, "complete") || !strcmp(action, "cancel")) {
		bool complete = !strcmp(action, "complete");
		c->statecode = complete ? 1 : 2;
		c->statuscode = complete ? 2 : 3;
		c->modifiedon = now;
		c->situation = SB_SIT_ACTIVITY_INACTIVE;
	} else if (!strcmp(action, "delete")) {
		c->has_activity = false;
		sb_env_record_deleted(e, SB_TBL_CHAT, c->activityid);
		for (uint32_t m = 0; m < c->n_members; m++) {
			struct sb_party *p = &e->parties[e->party_by_chat[c->first_party + m]];
			p->deleted = true;
			sb_env_record_deleted(e, SB_TBL_PARTY, p->id);
		}
		c->situation = SB_SIT_CONNECTED_BEFORE_SYNC;
	} else if (!strcmp(action, "unlink")) {
		if (c->has_activity) {
			c->unlinkedon = c->modifiedon = now;
			c->unlinkedby = c->members[0];
		}
		if (c->has_assoc) {
			c->assoc_state = 1;
			c->assoc_modified = now;
			c->assoc_version = sb_env_bump(e);
		}
		c->situation = SB_SIT_UNLINKED;
	} else if (!strcmp(action, "uninstall_app")) {
		/* A member removed the Dataverse Chat Sync app from the chat in Teams: Graph sees it at once,
		 * Dataverse's row does not change. */
		c->app_installed = c->grant_present = false;
		c->situation = SB_SIT_APP_NOT_INSTALLED;
		c->mutated = true;
		return 0;
	} else if (!strcmp(action, "delete_in_teams")) {
		c->deleted_in_teams = true;
		c->situation = SB_SIT_CHAT_NOT_FOUND;
		c->mutated = true;
		return 0;
	} else {
		snprintf(err, errlen, "unknown action \"%s\" (touch, complete, cancel, delete, unlink, delete_in_teams, uninstall_app, random)",
				action);
		return -1;
	}
	if (c->has_activity)
		c->version = sb_env_bump(e);
	c->mutated = true;
	(void)t;
	return 0;
}

int sb_tenant_mutate(struct sb_tenant *t, const char *action, const char *activity_id, const char *teams_chat_id,
		char *err, size_t errlen)
{
	struct sb_env *e = NULL;
	struct sb_chat *c = NULL;
	if (teams_chat_id) {
		c = sb_tenant_chat_by_teams_id(t, teams_chat_id, &e);
	} else if (activity_id) {
		for (size_t i = 0; i < t->n_envs && !c; i++) {
			e = &t->envs[i];
			c = sb_env_chat_by_activity(e, activity_id);
		}
	} else {
		snprintf(err, errlen, "give \"activity_id\" or \"teams_chat_id\"");
		return -1;
	}
	if (!c) {
		snprintf(err, errlen, "no such chat");
		return -1;
	}
	return apply(t, e, c, action, err, errlen);
}

int sb_tenant_mutate_random(struct sb_tenant *t, double fraction, int *changed, char *err, size_t errlen)
{
	static const char *const actions[] = { "touch", "touch", "touch", "complete", "cancel", "delete", "unlink" };
	*changed = 0;
	if (!(fraction > 0 && fraction <= 1)) {
		snprintf(err, errlen, "\"fraction\" must be in (0, 1]");
		return -1;
	}
	for (size_t i = 0; i < t->n_envs; i++) {
		struct sb_env *e = &t->envs[i];
		for (size_t k = 0; k < e->n_chats; k++) {
			if (sb_rng_unit(&t->mutate_rng) >= fraction)
				continue;
			struct sb_chat *c = &e->chats[k];
			const char *a = actions[sb_rng_below(&t->mutate_rng, 7)];
			if (!c->has_activity)
				a = "unlink";
			char ignored[128];
			if (apply(t, e, c, a, ignored, sizeof ignored) == 0)
				(*changed)++;
		}
	}
	return 0;
}

void sb_tenant_free(struct sb_tenant *t)
{
	for (size_t i = 0; i < t->n_envs; i++) {
		struct sb_env *e = &t->envs[i];
		for (size_t k = 0; k < e->n_chats; k++) {
			free(e->chats[k].teams_id);
			free(e->chats[k].topic);
			free(e->chats[k].subject);
			free(e->chats[k].members);
			free(e->chats[k].regarding_name);
		}
		free(e->chats);
		free(e->chat_order);
		free(e->assoc_order);
		free(e->parties);
		free(e->party_by_chat);
		free(e->syncerrors);
		free(e->sysuser_ids);
		free(e->deleted);
		free(e->unique_name);
		free(e->friendly_name);
		free(e->url_name);
		free(e->url);
	}
	free(t->envs);
	for (size_t i = 0; i < t->n_users; i++) {
		free(t->users[i].upn);
		free(t->users[i].name);
		free(t->users[i].mail);
	}
	free(t->users);
	for (size_t i = 0; i < t->n_apps; i++) {
		free(t->apps[i].name);
		free(t->apps[i].secret);
	}
	free(t->apps);
	free(t->teams_apps);
	sb_map_free(&t->chat_by_teams_id);
	pthread_rwlock_destroy(&t->lock);
}

bool sb_chat_has_member(const struct sb_chat *c, uint32_t u)
{
	for (uint32_t m = 0; m < c->n_members; m++)
		if (c->members[m] == u)
			return true;
	return c->teams_member == u + 1;
}

int sb_tenant_add_teams_member(struct sb_tenant *t, const char *teams_chat_id, const char *upn, char *err, size_t errlen)
{
	struct sb_chat *c = teams_chat_id ? sb_tenant_chat_by_teams_id(t, teams_chat_id, NULL) : NULL;
	int u = upn ? sb_tenant_user_by_upn(t, upn) : -1;
	if (!c || u < 0) {
		snprintf(err, errlen, "give an existing \"teams_chat_id\" and \"user\" (a UPN)");
		return -1;
	}
	if (sb_chat_has_member(c, (uint32_t)u) || c->teams_member) {
		snprintf(err, errlen, "%s is already a member of %s, or it has its one Teams-only member", upn, c->teams_id);
		return -1;
	}
	c->teams_member = (uint32_t)u + 1;
	c->last_updated = sb_now();   /* lastUpdatedDateTime moves on a membership change */
	c->mutated = true;
	return 0;
}
