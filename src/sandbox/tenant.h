/* The sandbox tenant: directory (users, apps), Teams (chats, members, installed apps, grants),
 * and per environment the Dataverse tables chatsync reads. One lock guards it all: readers take it
 * shared, control mutations and PATCH take it exclusive. Everything is owned by the tenant. */
#ifndef CHATSYNC_SANDBOX_TENANT_H
#define CHATSYNC_SANDBOX_TENANT_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sandbox/util.h"

#define SB_TENANT_DOMAIN "contoso-sandbox.onmicrosoft.com"
#define SB_GLOBAL_ADMIN_TEMPLATE "62e90394-69f5-4237-9190-012177145e10"
#define SB_GRAPH_APP_ID "00000003-0000-0000-c000-000000000000"

/* Situations of DESIGN.md's rule table: one list, used for the truth, the generator and mutate. */
#define SB_SITUATIONS(X) \
	X(HEALTHY, "healthy") \
	X(SYNC_DISABLED, "sync-disabled") \
	X(CONNECTED_BEFORE_SYNC, "connected-before-sync") \
	X(ACTIVITY_INACTIVE, "activity-inactive") \
	X(INACTIVE_TOO_LONG, "inactive-too-long") \
	X(INACTIVE_SOON, "inactive-soon") \
	X(CHAT_SYNC_NOT_ENABLED, "chat-sync-not-enabled") \
	X(SYNC_ERROR, "sync-error") \
	X(UNLINKED, "unlinked") \
	X(REGARDING_ACTIVITY, "regarding-activity") \
	X(APP_NOT_INSTALLED, "app-not-installed") \
	X(RSC_DISABLED, "rsc-disabled") \
	X(RSC_GRANT_MISSING, "rsc-grant-missing") \
	X(CHAT_NOT_FOUND, "chat-not-found")

enum sb_situation {
#define SB_SIT_ENUM(id, name) SB_SIT_##id,
	SB_SITUATIONS(SB_SIT_ENUM)
#undef SB_SIT_ENUM
	SB_SIT__COUNT
};
const char *sb_situation_name(int s);

/* Tenant chat RSC states, as the Teams PowerShell module names them. */
enum sb_rsc {
	SB_RSC_MANAGED_BY_MICROSOFT,
	SB_RSC_ENABLED_FOR_ALL,
	SB_RSC_PRE_APPROVED_ONLY,
	SB_RSC_DISABLED,
	SB_RSC_CUSTOM,
};
const char *sb_rsc_name(enum sb_rsc r);
int sb_rsc_parse(const char *s, enum sb_rsc *out);

struct sb_user {
	char oid[37];
	char *upn, *name, *mail;
	bool global_admin;
};

/* An app registration. Device-code profiles each get their own public client whose sign-in
 * (auto-approve) is the user bound to it; that is how `sandbox-device` and `sandbox-user` differ. */
struct sb_app {
	char client_id[37];
	char oid[37];            /* its service principal */
	char *name;
	char *secret;            /* NULL: no secret (public client or certificate-only) */
	bool has_cert;           /* the registered certificate is the sandbox's client.pem */
	bool public_client;
	int device_user;         /* index into users for auto-approve, -1 when none */
	bool sysadmin;           /* its application user has System Administrator */
};

struct sb_teams_app {
	char id[37], external_id[37], client_app_id[37], sp_id[37];
	const char *name, *short_desc, *version, *distribution;
	const char *const *rsc;  /* NULL-terminated permissions it asks for */
};

/* One connected chat: its Teams side, its association row and, if any, its activity row. */
struct sb_chat {
	char *teams_id;
	char *topic;             /* NULL for oneOnOne */
	char *subject;           /* the activity's subject: the topic, or the members' names */
	int chat_type;           /* 0 group, 1 oneOnOne, 2 meeting */
	int64_t created, last_updated;
	uint32_t *members;       /* user indices */
	uint32_t n_members;
	bool deleted_in_teams, app_installed, grant_present;
	uint8_t other_apps;      /* bit i: teams app i+1 installed (with its grants) */

	bool has_activity;       /* an activity row exists (false also after delete) */
	char activityid[37];
	int statecode, statuscode, syncstatus;
	int lastsyncerror;       /* 0: null */
	int64_t modifiedinteamson, linkedon, unlinkedon, createdon, modifiedon;
	uint32_t modifiedby, linkedby, unlinkedby;   /* user indices */
	char regarding_id[37];
	const char *regarding_table;   /* account, contact, opportunity, email, task, appointment */
	char *regarding_name;
	uint64_t version;

	bool has_assoc;
	char assoc_id[37];
	int assoc_state;         /* 0 Associate, 1 Disassociate */
	int64_t assoc_created, assoc_modified;
	uint64_t assoc_version;

	uint32_t first_party;    /* its activity parties: parties[first_party .. +n_members] */
	uint32_t teams_member;   /* 1 + a user added in Teams only (control add_member; not an activity
	                          * party: Dataverse has not synced it), 0 when none */
	int situation;
	bool mutated;
};

struct sb_party {
	char id[37];
	uint32_t chat, user;
	uint64_t version;
	bool deleted;
};

struct sb_syncerror {
	char id[37];
	uint32_t chat;
	int errorcode, errortype;
	const char *message;
	int64_t errortime;
	uint64_t version;
};

/* Dataverse tables the sandbox serves (index into dv_tables.c's table list). */
enum sb_table { SB_TBL_ORG, SB_TBL_CHAT, SB_TBL_PARTY, SB_TBL_ASSOC, SB_TBL_SYNCERROR, SB_TBL__COUNT };

/* A row removed since a version, for change tracking's $deletedEntity. */
struct sb_deleted {
	enum sb_table table;
	char id[37];
	uint64_t version;
};

struct sb_env {
	char *unique_name, *friendly_name, *url_name;
	char org_id[37], env_id[37], bu_id[37];
	char *url;               /* BASE/env/<unique_name> */
	bool sync_enabled;
	int inactivity_days;
	int state;               /* Global Discovery's State: 0 Enabled, 1 Disabled */
	uint64_t org_version;
	int64_t org_modified;

	struct sb_chat *chats;
	size_t n_chats;
	uint32_t *chat_order;    /* chats with an activity id, sorted by activityid */
	size_t n_chat_order;
	uint32_t *assoc_order;   /* chats with an association, sorted by assoc_id */
	size_t n_assoc_order;
	struct sb_party *parties;        /* sorted by id */
	size_t n_parties;
	uint32_t *party_by_chat;         /* party index of chat c's member m: [first_party + m] */
	struct sb_syncerror *syncerrors; /* sorted by id */
	size_t n_syncerrors;
	char (*sysuser_ids)[37];         /* per user, then per app: their systemuserid here */

	uint64_t version;                /* change-tracking clock of this environment */
	struct sb_deleted *deleted;
	size_t n_deleted, cap_deleted;
};

struct sb_gen_opts {
	uint64_t seed;
	int envs;
	int chats_per_env;
	enum sb_rsc rsc;
	const char *base_url;    /* https://127.0.0.1:PORT */
};

struct sb_tenant {
	pthread_rwlock_t lock;
	char tenant_id[37];
	const char *domain;
	enum sb_rsc rsc;
	int64_t generated_at;
	struct sb_user *users;
	size_t n_users;
	struct sb_app *apps;
	size_t n_apps;
	struct sb_teams_app *teams_apps;   /* [0] is Dataverse Chat Sync */
	size_t n_teams_apps;
	struct sb_env *envs;
	size_t n_envs;
	struct sb_map chat_by_teams_id;    /* teams id -> env << 32 | chat index */
	struct sb_rng mutate_rng;
};

/* Builds the tenant from opts (deterministic for a seed and a "now"). */
void sb_tenant_generate(struct sb_tenant *t, const struct sb_gen_opts *opts);
void sb_tenant_free(struct sb_tenant *t);

/* Lookups; NULL when absent. Call with the lock held. */
struct sb_env *sb_tenant_env(struct sb_tenant *t, const char *unique_name);
struct sb_chat *sb_tenant_chat_by_teams_id(struct sb_tenant *t, const char *teams_id, struct sb_env **env);
struct sb_chat *sb_env_chat_by_activity(struct sb_env *e, const char *activityid);
const struct sb_app *sb_tenant_app(const struct sb_tenant *t, const char *client_id);
const struct sb_user *sb_tenant_user_by_oid(const struct sb_tenant *t, const char *oid);
int sb_tenant_user_by_upn(const struct sb_tenant *t, const char *upn);
/* The systemuserid in e of a token's object id (user or app service principal), or NULL. */
const char *sb_env_sysuser(const struct sb_tenant *t, const struct sb_env *e, const char *oid);

/* Change tracking: stamps a change, records a deletion. Call with the lock held exclusively. */
uint64_t sb_env_bump(struct sb_env *e);
void sb_env_record_deleted(struct sb_env *e, enum sb_table table, const char *id);

/* Mutations for the control endpoint (lock held exclusively). Each returns 0, or -1 with a
 * sentence in err. */
int sb_tenant_mutate(struct sb_tenant *t, const char *action, const char *activity_id,
		const char *teams_chat_id, char *err, size_t errlen);
/* Adds user (UPN) to chat teams_chat_id in Teams only: Graph lists it as a member, Dataverse's
 * parties stay as they were (lock held exclusively). 0, or -1 with a sentence in err. */
int sb_tenant_add_teams_member(struct sb_tenant *t, const char *teams_chat_id, const char *upn, char *err, size_t errlen);
/* Is user index u a member of c in Teams? */
bool sb_chat_has_member(const struct sb_chat *c, uint32_t u);
int sb_tenant_mutate_random(struct sb_tenant *t, double fraction, int *changed, char *err, size_t errlen);

#endif
