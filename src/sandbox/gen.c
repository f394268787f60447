/* The deterministic tenant generator: for a seed and a "now" it always builds the same tenant, with
 * every chat in exactly one diagnostic situation and every other fact of that chat healthy. */
#include "config.h"
#include "sandbox/tenant.h"
#include "sandbox/names.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define HOUR 3600

/* One variant per way a situation shows up in the data; the generator covers each at least once
 * per environment (when it has enough chats), then fills with healthy chats and a random mix. */
enum variant {
	V_HEALTHY,
	V_BEFORE_SYNC,
	V_COMPLETED,
	V_CANCELED,
	V_TOO_LONG,
	V_SOON,
	V_NOT_ENABLED,
	V_PENDING,
	V_LASTSYNCERROR,
	V_SYNCERROR_ROWS,
	V_UNLINKED,
	V_REGARDING_ACTIVITY,
	V_APP_MISSING,
	V_GRANT_MISSING,
	V_DELETED_IN_TEAMS,
	V__COUNT
};

static const int variant_situation[V__COUNT] = {
	[V_HEALTHY] = SB_SIT_HEALTHY,
	[V_BEFORE_SYNC] = SB_SIT_CONNECTED_BEFORE_SYNC,
	[V_COMPLETED] = SB_SIT_ACTIVITY_INACTIVE,
	[V_CANCELED] = SB_SIT_ACTIVITY_INACTIVE,
	[V_TOO_LONG] = SB_SIT_INACTIVE_TOO_LONG,
	[V_SOON] = SB_SIT_INACTIVE_SOON,
	[V_NOT_ENABLED] = SB_SIT_CHAT_SYNC_NOT_ENABLED,
	[V_PENDING] = SB_SIT_CHAT_SYNC_NOT_ENABLED,
	[V_LASTSYNCERROR] = SB_SIT_SYNC_ERROR,
	[V_SYNCERROR_ROWS] = SB_SIT_SYNC_ERROR,
	[V_UNLINKED] = SB_SIT_UNLINKED,
	[V_REGARDING_ACTIVITY] = SB_SIT_REGARDING_ACTIVITY,
	[V_APP_MISSING] = SB_SIT_APP_NOT_INSTALLED,
	[V_GRANT_MISSING] = SB_SIT_RSC_GRANT_MISSING,
	[V_DELETED_IN_TEAMS] = SB_SIT_CHAT_NOT_FOUND,
};

static const char *const env_names[][2] = {
	{ "contoso-sales", "Contoso Sales" },
	{ "contoso-service", "Contoso Customer Service" },
	{ "contoso-field", "Contoso Field Service" },
	{ "contoso-emea", "Contoso EMEA – Vertrieb" },
	{ "contoso-apac", "Contoso APAC 営業" },
};

static const char *const chat_sync_rsc[] = { "ChatMessage.Read.Chat", "ChatMember.Read.Chat",
	"ChatSettings.Read.Chat", NULL };
static const char *const polls_rsc[] = { "ChatMessage.Read.Chat", NULL };
static const char *const planner_rsc[] = { "TeamsTab.ReadWrite.Chat", "ChatSettings.Read.Chat", NULL };
static const char *const notes_rsc[] = { "ChatMessage.Read.Chat", "OnlineMeeting.ReadBasic.Chat", NULL };

#define N_PEOPLE 160

static void make_users(struct sb_tenant *t, struct sb_rng *r)
{
	t->n_users = 2 + N_PEOPLE;
	t->users = xcalloc(t->n_users, sizeof *t->users);
	struct sb_user *u = t->users;
	sb_rng_guid(r, u[0].oid);
	u[0].upn = xstrdup("admin@" SB_TENANT_DOMAIN);
	u[0].name = xstrdup("Adele Vance");
	u[0].mail = xstrdup(u[0].upn);
	u[0].global_admin = true;
	sb_rng_guid(r, u[1].oid);
	u[1].upn = xstrdup("user@" SB_TENANT_DOMAIN);
	u[1].name = xstrdup("Alex Wilber");
	u[1].mail = xstrdup(u[1].upn);
	struct sb_map seen;
	sb_map_init(&seen, N_PEOPLE);
	for (size_t i = 2; i < t->n_users; i++) {
		char *local;
		u[i].name = sb_name_person(r, &local);
		char *upn = xasprintf("%s@%s", local, SB_TENANT_DOMAIN);
		uintptr_t dummy;
		for (int n = 2; sb_map_get(&seen, upn, &dummy); n++) {
			free(upn);
			upn = xasprintf("%s%d@%s", local, n, SB_TENANT_DOMAIN);
		}
		sb_map_put(&seen, upn, 1);
		free(local);
		sb_rng_guid(r, u[i].oid);
		u[i].upn = upn;
		u[i].mail = xstrdup(upn);
	}
	sb_map_free(&seen);
}

static void make_apps(struct sb_tenant *t, struct sb_rng *r)
{
	t->n_apps = 4;
	t->apps = xcalloc(t->n_apps, sizeof *t->apps);
	static const char *const names[] = { "chatsync sandbox", "chatsync sandbox reader",
		"chatsync device sign-in (admin)", "chatsync device sign-in (user)" };
	for (size_t i = 0; i < t->n_apps; i++) {
		struct sb_app *a = &t->apps[i];
		sb_rng_guid(r, a->client_id);
		sb_rng_guid(r, a->oid);
		a->name = xstrdup(names[i]);
		a->device_user = -1;
	}
	/* Secrets are random per run, never derived from the seed: they are credentials. */
	char s1[37], s2[37];
	sb_random_guid(s1);
	sb_random_guid(s2);
	t->apps[0].secret = xasprintf("sbx~%s", s1);
	t->apps[0].has_cert = true;
	t->apps[0].sysadmin = true;
	t->apps[1].secret = xasprintf("sbx~%s", s2);
	t->apps[2].public_client = true;
	t->apps[2].device_user = 0;
	t->apps[3].public_client = true;
	t->apps[3].device_user = 1;

	t->n_teams_apps = 4;
	t->teams_apps = xcalloc(t->n_teams_apps, sizeof *t->teams_apps);
	struct sb_teams_app *ta = t->teams_apps;
	ta[0] = (struct sb_teams_app){ .name = "Dataverse Chat Sync", .version = "1.0.12", .distribution = "store",
		.short_desc = "Keeps Teams chats connected to Dynamics 365 records in sync.", .rsc = chat_sync_rsc };
	ta[1] = (struct sb_teams_app){ .name = "Polly", .version = "3.4.1", .distribution = "store",
		.short_desc = "Polls and surveys in chats.", .rsc = polls_rsc };
	ta[2] = (struct sb_teams_app){ .name = "Planner", .version = "2.1.0", .distribution = "store",
		.short_desc = "Plans and tasks.", .rsc = planner_rsc };
	ta[3] = (struct sb_teams_app){ .name = "Contoso Notes", .version = "0.9.3", .distribution = "organization",
		.short_desc = "Meeting notes for Contoso.", .rsc = notes_rsc };
	for (size_t i = 0; i < t->n_teams_apps; i++) {
		sb_rng_guid(r, ta[i].id);
		sb_rng_guid(r, ta[i].external_id);
		sb_rng_guid(r, ta[i].client_app_id);
		sb_rng_guid(r, ta[i].sp_id);
	}
}

static void teams_id_for(struct sb_rng *r, struct sb_chat *c, const struct sb_tenant *t, char **out)
{
	char hex[33];
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++)
		hex[i] = digits[sb_rng_below(r, 16)];
	hex[32] = '\0';
	if (c->chat_type == 1)
		*out = xasprintf("19:%s_%s@unq.gbl.spaces", t->users[c->members[0]].oid, t->users[c->members[1]].oid);
	else if (c->chat_type == 2) {
		char *b = sb_b64(hex, 32);
		*out = xasprintf("19:meeting_%s@thread.v2", b);
		free(b);
	} else
		*out = xasprintf("19:%s@thread.v2", hex);
}

static void pick_members(struct sb_rng *r, struct sb_chat *c)
{
	c->n_members = c->chat_type == 1 ? 2 : 2 + sb_rng_below(r, 4);
	c->members = xmalloc(c->n_members * sizeof *c->members);
	for (uint32_t i = 0; i < c->n_members; i++) {
		uint32_t u;
		bool dup;
		do {
			u = 2 + sb_rng_below(r, N_PEOPLE);
			dup = false;
			for (uint32_t j = 0; j < i; j++)
				dup |= c->members[j] == u;
		} while (dup);
		c->members[i] = u;
	}
}

/* Healthy facts first; the variant then changes exactly the facts that make its rule fire. */
static void make_chat(struct sb_tenant *t, struct sb_env *e, struct sb_chat *c, struct sb_rng *r, int variant,
		int64_t now, const char *special_topic)
{
	int64_t limit = (int64_t)e->inactivity_days * DAY;
	uint32_t kind = sb_rng_below(r, 100);
	c->chat_type = kind < 75 ? 0 : kind < 88 ? 2 : 1;
	pick_members(r, c);
	const char *company = sb_name_company(r);
	if (special_topic) {
		c->chat_type = 0;
		c->topic = xstrdup(special_topic);
	} else if (c->chat_type == 1) {
		c->topic = NULL;
	} else {
		c->topic = sb_rng_below(r, 40) == 0 ? sb_name_topic_long(r, company) : sb_name_topic(r, company);
	}
	for (;;) {
		teams_id_for(r, c, t, &c->teams_id);
		uintptr_t dummy;
		if (!sb_map_get(&t->chat_by_teams_id, c->teams_id, &dummy))
			break;
		/* Two one-on-one chats of the same pair would share an id: make it a group chat. */
		free(c->teams_id);
		c->chat_type = 0;
		if (!c->topic)
			c->topic = sb_name_topic(r, company);
	}
	c->modifiedinteamson = now - HOUR - (int64_t)(sb_rng_unit(r) * (double)(limit - DAY - 2 * HOUR));
	c->linkedon = c->modifiedinteamson - (int64_t)(sb_rng_unit(r) * 60 * DAY) - HOUR;
	c->created = c->linkedon - (int64_t)(sb_rng_unit(r) * 30 * DAY) - 60;
	c->last_updated = c->created + (int64_t)(sb_rng_unit(r) * (double)(c->linkedon - c->created));
	c->createdon = c->linkedon;
	c->modifiedon = c->modifiedinteamson;
	c->linkedby = c->members[0];
	c->modifiedby = c->members[sb_rng_below(r, c->n_members)];
	c->has_activity = true;
	sb_rng_guid(r, c->activityid);
	c->statecode = 0;
	c->statuscode = 1;
	c->syncstatus = 2;
	static const char *const record_tables[] = { "account", "contact", "opportunity" };
	c->regarding_table = record_tables[sb_rng_below(r, 3)];
	sb_rng_guid(r, c->regarding_id);
	if (!strcmp(c->regarding_table, "contact"))
		c->regarding_name = xstrdup(t->users[2 + sb_rng_below(r, N_PEOPLE)].name);
	else if (!strcmp(c->regarding_table, "opportunity"))
		c->regarding_name = xasprintf("%s – %u licences", company, 10 * (1 + sb_rng_below(r, 50)));
	else
		c->regarding_name = xstrdup(company);
	c->has_assoc = true;
	sb_rng_guid(r, c->assoc_id);
	c->assoc_state = 0;
	c->assoc_created = c->assoc_modified = c->linkedon;
	c->app_installed = c->grant_present = true;
	c->other_apps = (uint8_t)(sb_rng_below(r, 8) & sb_rng_below(r, 8));

	switch (variant) {
	case V_BEFORE_SYNC:
		c->has_activity = false;
		c->activityid[0] = '\0';
		break;
	case V_COMPLETED:
		c->statecode = 1;
		c->statuscode = 2;
		break;
	case V_CANCELED:
		c->statecode = 2;
		c->statuscode = 3;
		break;
	case V_TOO_LONG:
		c->modifiedinteamson = now - limit - DAY - (int64_t)(sb_rng_unit(r) * 20 * DAY);
		c->modifiedon = c->modifiedinteamson;
		if (c->linkedon > c->modifiedinteamson)
			c->linkedon = c->createdon = c->assoc_created = c->assoc_modified = c->modifiedinteamson - DAY;
		break;
	case V_SOON:
		c->modifiedinteamson = now - limit + 2 * HOUR + (int64_t)(sb_rng_unit(r) * 20 * HOUR);
		c->modifiedon = c->modifiedinteamson;
		if (c->linkedon > c->modifiedinteamson)
			c->linkedon = c->createdon = c->assoc_created = c->assoc_modified = c->modifiedinteamson - DAY;
		break;
	case V_NOT_ENABLED:
		c->syncstatus = 0;
		break;
	case V_PENDING:
		c->syncstatus = 1;
		c->modifiedon = now - 2 * HOUR - (int64_t)(sb_rng_unit(r) * 20 * HOUR);
		break;
	case V_LASTSYNCERROR:
		c->lastsyncerror = 1 + (int)sb_rng_below(r, 4);
		break;
	case V_UNLINKED:
		c->unlinkedon = now - HOUR - (int64_t)(sb_rng_unit(r) * (double)(now - c->linkedon - 2 * HOUR));
		c->unlinkedby = c->members[0];
		c->modifiedon = c->unlinkedon > c->modifiedon ? c->unlinkedon : c->modifiedon;
		c->assoc_state = 1;
		c->assoc_modified = c->unlinkedon;
		break;
	case V_REGARDING_ACTIVITY: {
		static const char *const activity_tables[] = { "email", "task", "appointment" };
		c->has_activity = false;
		c->activityid[0] = '\0';
		c->regarding_table = activity_tables[sb_rng_below(r, 3)];
		free(c->regarding_name);
		c->regarding_name = xasprintf("Re: %s", company);
		break;
	}
	case V_APP_MISSING:
		c->app_installed = c->grant_present = false;
		break;
	case V_GRANT_MISSING:
		c->grant_present = false;
		break;
	case V_DELETED_IN_TEAMS:
		c->deleted_in_teams = true;
		break;
	default:
		break;
	}
	c->version = sb_env_bump(e);
	c->assoc_version = c->version;
}

static const char *const syncerror_messages[] = {
	"The Teams chat could not be read because the Dataverse Chat Sync app lost access to it.",
	"A participant of the Teams chat could not be matched to a Dataverse user or contact.",
	"The chat activity row was changed by another process while the sync ran.",
};

static int cmp_party(const void *a, const void *b)
{
	return strcmp(((const struct sb_party *)a)->id, ((const struct sb_party *)b)->id);
}

static int cmp_syncerror(const void *a, const void *b)
{
	return strcmp(((const struct sb_syncerror *)a)->id, ((const struct sb_syncerror *)b)->id);
}

static const struct sb_env *sort_env;

static int cmp_chat_activity(const void *a, const void *b)
{
	return strcmp(sort_env->chats[*(const uint32_t *)a].activityid, sort_env->chats[*(const uint32_t *)b].activityid);
}

static int cmp_chat_assoc(const void *a, const void *b)
{
	return strcmp(sort_env->chats[*(const uint32_t *)a].assoc_id, sort_env->chats[*(const uint32_t *)b].assoc_id);
}

/* Builds the party, association and sync error tables of e from its chats, sorted by key. */
static void index_env(struct sb_env *e, struct sb_rng *r, const int *variants, int64_t now)
{
	size_t n_parties = 0, n_err = 0;
	for (size_t i = 0; i < e->n_chats; i++) {
		if (e->chats[i].has_activity)
			n_parties += e->chats[i].n_members;
		if (variants[i] == V_SYNCERROR_ROWS)
			n_err += 1 + (i & 1);
	}
	e->parties = xcalloc(n_parties ? n_parties : 1, sizeof *e->parties);
	e->party_by_chat = xcalloc(n_parties ? n_parties : 1, sizeof *e->party_by_chat);
	e->syncerrors = xcalloc(n_err ? n_err : 1, sizeof *e->syncerrors);
	e->chat_order = xmalloc((e->n_chats ? e->n_chats : 1) * sizeof *e->chat_order);
	e->assoc_order = xmalloc((e->n_chats ? e->n_chats : 1) * sizeof *e->assoc_order);
	for (size_t i = 0; i < e->n_chats; i++) {
		struct sb_chat *c = &e->chats[i];
		if (c->has_activity) {
			c->first_party = (uint32_t)e->n_parties;
			e->chat_order[e->n_chat_order++] = (uint32_t)i;
			for (uint32_t m = 0; m < c->n_members; m++) {
				struct sb_party *p = &e->parties[e->n_parties++];
				sb_rng_guid(r, p->id);
				p->chat = (uint32_t)i;
				p->user = c->members[m];
				p->version = c->version;
			}
		}
		if (c->has_assoc)
			e->assoc_order[e->n_assoc_order++] = (uint32_t)i;
		if (variants[i] == V_SYNCERROR_ROWS)
			for (size_t k = 0; k < 1 + (i & 1); k++) {
				struct sb_syncerror *s = &e->syncerrors[e->n_syncerrors++];
				sb_rng_guid(r, s->id);
				s->chat = (uint32_t)i;
				s->errorcode = k ? -2147220891 : -2147220969;
				s->errortype = k ? 3 : 1;
				s->message = syncerror_messages[sb_rng_below(r, 3)];
				s->errortime = now - HOUR - (int64_t)(sb_rng_unit(r) * 3 * DAY);
				s->version = sb_env_bump(e);
			}
	}
	qsort(e->parties, e->n_parties, sizeof *e->parties, cmp_party);
	for (size_t i = 0; i < e->n_parties; i++) {
		struct sb_chat *c = &e->chats[e->parties[i].chat];
		uint32_t m = 0;
		while (c->members[m] != e->parties[i].user)
			m++;
		e->party_by_chat[c->first_party + m] = (uint32_t)i;
	}
	qsort(e->syncerrors, e->n_syncerrors, sizeof *e->syncerrors, cmp_syncerror);
	sort_env = e;
	qsort(e->chat_order, e->n_chat_order, sizeof *e->chat_order, cmp_chat_activity);
	qsort(e->assoc_order, e->n_assoc_order, sizeof *e->assoc_order, cmp_chat_assoc);
	sort_env = NULL;
}

static void make_env(struct sb_tenant *t, size_t idx, const struct sb_gen_opts *o, struct sb_rng *r, int64_t now)
{
	struct sb_env *e = &t->envs[idx];
	size_t n_named = sizeof env_names / sizeof env_names[0];
	if (idx < n_named) {
		e->unique_name = xstrdup(env_names[idx][0]);
		e->friendly_name = xstrdup(env_names[idx][1]);
	} else {
		e->unique_name = xasprintf("contoso-env%02zu", idx + 1);
		e->friendly_name = xasprintf("Contoso Environment %zu", idx + 1);
	}
	e->url_name = xstrdup(e->unique_name);
	e->url = xasprintf("%s/env/%s", o->base_url, e->unique_name);
	sb_rng_guid(r, e->org_id);
	sb_rng_guid(r, e->env_id);
	sb_rng_guid(r, e->bu_id);
	static const int other_limits[] = { 7, 10, 21, 28 };
	e->inactivity_days = idx == 1 ? 14 : idx < 3 ? 7 : other_limits[sb_rng_below(r, 4)];
	/* One environment has sync off; not when the tenant's RSC is off, so one rule per chat holds. */
	e->sync_enabled = !(idx == 2 && o->rsc != SB_RSC_DISABLED);
	e->org_version = sb_env_bump(e);
	e->org_modified = now - 30 * DAY;
	e->sysuser_ids = xcalloc(t->n_users + t->n_apps, sizeof *e->sysuser_ids);
	for (size_t i = 0; i < t->n_users + t->n_apps; i++)
		sb_rng_guid(r, e->sysuser_ids[i]);

	size_t n = (size_t)o->chats_per_env;
	e->n_chats = n;
	e->chats = xcalloc(n ? n : 1, sizeof *e->chats);
	int *variants = xmalloc((n ? n : 1) * sizeof *variants);
	for (size_t i = 0; i < n; i++) {
		if (i < V__COUNT && n >= V__COUNT)
			variants[i] = (int)i;
		else
			variants[i] = sb_rng_below(r, 2) ? V_HEALTHY : (int)sb_rng_below(r, V__COUNT);
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = sb_rng_below(r, (uint32_t)i);
		int tmp = variants[i - 1];
		variants[i - 1] = variants[j];
		variants[j] = tmp;
	}
	bool all_healthy = !e->sync_enabled || o->rsc == SB_RSC_DISABLED;
	for (size_t i = 0; i < n; i++) {
		if (all_healthy)
			variants[i] = V_HEALTHY;
		const char *special = NULL;
		if (i < 2)
			special = sb_special_topics[i];
		make_chat(t, e, &e->chats[i], r, variants[i], now, special);
		if (i == 2 && e->chats[i].chat_type != 1) {
			free(e->chats[i].topic);
			e->chats[i].topic = sb_name_topic_long(r, sb_name_company(r));
		}
		struct sb_chat *c = &e->chats[i];
		c->subject = c->topic ? xstrdup(c->topic)
				      : xasprintf("%s, %s", t->users[c->members[0]].name, t->users[c->members[1]].name);
		int sit = variant_situation[variants[i]];
		if (!e->sync_enabled)
			sit = SB_SIT_SYNC_DISABLED;
		else if (o->rsc == SB_RSC_DISABLED)
			sit = SB_SIT_RSC_DISABLED;
		e->chats[i].situation = sit;
		sb_map_put(&t->chat_by_teams_id, e->chats[i].teams_id, ((uintptr_t)idx << 32) | (uintptr_t)i);
	}
	index_env(e, r, variants, now);
	free(variants);
}

void sb_tenant_generate(struct sb_tenant *t, const struct sb_gen_opts *o)
{
	memset(t, 0, sizeof *t);
	pthread_rwlock_init(&t->lock, NULL);
	struct sb_rng r;
	sb_rng_seed(&r, o->seed);
	int64_t now = sb_now();
	t->generated_at = now;
	sb_rng_guid(&r, t->tenant_id);
	t->domain = SB_TENANT_DOMAIN;
	t->rsc = o->rsc;
	make_users(t, &r);
	make_apps(t, &r);
	t->n_envs = o->envs > 0 ? (size_t)o->envs : 0;
	t->envs = xcalloc(t->n_envs ? t->n_envs : 1, sizeof *t->envs);
	sb_map_init(&t->chat_by_teams_id, t->n_envs * (size_t)(o->chats_per_env > 0 ? o->chats_per_env : 0));
	for (size_t i = 0; i < t->n_envs; i++) {
		/* Each environment draws from its own stream, so --envs does not reshuffle the others. */
		struct sb_rng er;
		sb_rng_seed(&er, o->seed * 1000003ULL + i + 1);
		make_env(t, i, o, &er, now);
	}
	sb_rng_seed(&t->mutate_rng, o->seed ^ 0x5eed5eedULL);
}
