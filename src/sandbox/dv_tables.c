#include "config.h"
#include "sandbox/dv_tables.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void set_str(struct dv_cell *o, const char *s)
{
	o->v.t = s ? SB_V_STR : SB_V_NULL;
	o->v.s = s;
}

static void set_guid(struct dv_cell *o, const char *s)
{
	o->v.t = s && *s ? SB_V_GUID : SB_V_NULL;
	o->v.s = s;
}

static void set_int(struct dv_cell *o, int64_t i)
{
	o->v.t = SB_V_INT;
	o->v.i = i;
	snprintf(o->buf, sizeof o->buf, "%lld", (long long)i);
	o->formatted = o->buf;
}

static void set_bool(struct dv_cell *o, bool b)
{
	o->v.t = SB_V_BOOL;
	o->v.i = b;
	o->formatted = b ? "Yes" : "No";
}

/* Dataverse formats dates in the caller's locale; the sandbox uses en-US, as a new org does. */
static void set_time(struct dv_cell *o, int64_t t)
{
	if (!t) {
		o->v.t = SB_V_NULL;
		return;
	}
	o->v.t = SB_V_TIME;
	o->v.i = t;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
	snprintf(o->buf, sizeof o->buf, "%d/%d/%d %d:%02d %s", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, h,
			tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
	o->formatted = o->buf;
}

static void set_option(struct dv_cell *o, int v, const char *label)
{
	o->v.t = SB_V_INT;
	o->v.i = v;
	o->formatted = label;
}

static void set_lookup(struct dv_cell *o, const char *id, const char *table, const char *name)
{
	set_guid(o, id);
	if (o->v.t != SB_V_NULL) {
		o->lookup_table = table;
		o->formatted = name;
	}
}

static void set_user(const struct dv_rowctx *c, struct dv_cell *o, uint32_t user)
{
	set_lookup(o, c->e->sysuser_ids[user], "systemuser", c->t->users[user].name);
}

/* ---- organization ---- */
static const struct dv_col org_cols[] = {
	{ "organizationid", SB_V_GUID, 0 },
	{ "name", SB_V_STR, 0 },
	{ "teamschatdatasync", SB_V_BOOL, 0 },
	{ "daysbeforeinactiveteamschatsyncdisabled", SB_V_INT, 0 },
	{ "ismsteamsenabled", SB_V_BOOL, 0 },
	{ "ismsteamscollaborationenabled", SB_V_BOOL, 0 },
	{ "ismsteamsusersyncenabled", SB_V_BOOL, 0 },
	{ "modifiedon", SB_V_TIME, 0 },
};

static size_t org_count(const struct sb_env *e) { (void)e; return 1; }
static size_t org_at(const struct sb_env *e, size_t pos) { (void)e; return pos; }
static bool org_live(const struct sb_env *e, size_t row) { (void)e; (void)row; return true; }
static uint64_t org_version(const struct sb_env *e, size_t row) { (void)row; return e->org_version; }

static void org_get(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *o)
{
	const struct sb_env *e = c->e;
	(void)row;
	switch (col) {
	case 0: set_guid(o, e->org_id); break;
	case 1: set_str(o, e->friendly_name); break;
	case 2: set_bool(o, e->sync_enabled); break;
	case 3: set_int(o, e->inactivity_days); break;
	case 4: set_bool(o, true); break;
	case 5: set_bool(o, true); break;
	case 6: set_bool(o, false); break;
	default: set_time(o, e->org_modified); break;
	}
}

/* ---- chat ---- */
static const struct dv_col chat_cols[] = {
	{ "activityid", SB_V_GUID, 0 },
	{ "subject", SB_V_STR, 0 },
	{ "teamschatid", SB_V_STR, 0 },
	{ "modifiedinteamson", SB_V_TIME, 0 },
	{ "_modifiedinteamsby_value", SB_V_GUID, DV_LOOKUP },
	{ "linkedon", SB_V_TIME, 0 },
	{ "_linkedby_value", SB_V_GUID, DV_LOOKUP },
	{ "unlinkedon", SB_V_TIME, 0 },
	{ "_unlinkedby_value", SB_V_GUID, DV_LOOKUP },
	{ "syncstatus", SB_V_INT, DV_OPTION },
	{ "lastsyncerror", SB_V_INT, 0 },
	{ "statecode", SB_V_INT, DV_OPTION },
	{ "statuscode", SB_V_INT, DV_OPTION },
	{ "_regardingobjectid_value", SB_V_GUID, DV_LOOKUP },
	{ "regardingobjecttypecode", SB_V_STR, 0 },
	{ "activitytypecode", SB_V_STR, 0 },
	{ "_ownerid_value", SB_V_GUID, DV_LOOKUP },
	{ "createdon", SB_V_TIME, 0 },
	{ "modifiedon", SB_V_TIME, 0 },
};

static size_t chat_count(const struct sb_env *e) { return e->n_chat_order; }
static size_t chat_at(const struct sb_env *e, size_t pos) { return e->chat_order[pos]; }
static bool chat_live(const struct sb_env *e, size_t row) { return e->chats[row].has_activity; }
static uint64_t chat_version(const struct sb_env *e, size_t row) { return e->chats[row].version; }

static void chat_get(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *o)
{
	const struct sb_chat *ch = &c->e->chats[row];
	static const char *const states[] = { "Open", "Completed", "Canceled", "Scheduled" };
	static const char *const statuses[] = { "", "Open", "Completed", "Canceled", "Scheduled" };
	static const char *const syncs[] = { "Not Enabled", "Pending", "Enabled" };
	switch (col) {
	case 0: set_guid(o, ch->activityid); break;
	case 1: set_str(o, ch->subject); break;
	case 2: set_str(o, ch->teams_id); break;
	case 3: set_time(o, ch->modifiedinteamson); break;
	case 4: set_user(c, o, ch->modifiedby); break;
	case 5: set_time(o, ch->linkedon); break;
	case 6: set_user(c, o, ch->linkedby); break;
	case 7: set_time(o, ch->unlinkedon); break;
	case 8:
		if (ch->unlinkedon)
			set_user(c, o, ch->unlinkedby);
		else
			o->v.t = SB_V_NULL;
		break;
	case 9: set_option(o, ch->syncstatus, syncs[ch->syncstatus]); break;
	case 10:
		if (ch->lastsyncerror)
			set_int(o, ch->lastsyncerror);
		else
			o->v.t = SB_V_NULL;
		break;
	case 11: set_option(o, ch->statecode, states[ch->statecode]); break;
	case 12: set_option(o, ch->statuscode, statuses[ch->statuscode]); break;
	case 13: set_lookup(o, ch->regarding_id, ch->regarding_table, ch->regarding_name); break;
	case 14: set_str(o, ch->regarding_table); break;
	case 15: set_str(o, "chat"); break;
	case 16: set_user(c, o, ch->linkedby); break;
	case 17: set_time(o, ch->createdon); break;
	default: set_time(o, ch->modifiedon); break;
	}
}

/* ---- activityparty ---- */
static const struct dv_col party_cols[] = {
	{ "activitypartyid", SB_V_GUID, 0 },
	{ "_activityid_value", SB_V_GUID, DV_LOOKUP },
	{ "_partyid_value", SB_V_GUID, DV_LOOKUP },
	{ "participationtypemask", SB_V_INT, DV_OPTION },
	{ "addressused", SB_V_STR, 0 },
	{ "ispartydeleted", SB_V_BOOL, 0 },
};

static size_t party_count(const struct sb_env *e) { return e->n_parties; }
static size_t party_at(const struct sb_env *e, size_t pos) { (void)e; return pos; }
static bool party_live(const struct sb_env *e, size_t row) { return !e->parties[row].deleted; }
static uint64_t party_version(const struct sb_env *e, size_t row) { return e->parties[row].version; }

static void party_get(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *o)
{
	const struct sb_party *p = &c->e->parties[row];
	const struct sb_chat *ch = &c->e->chats[p->chat];
	switch (col) {
	case 0: set_guid(o, p->id); break;
	case 1: set_lookup(o, ch->activityid, "chat", ch->subject); break;
	case 2: set_user(c, o, p->user); break;
	case 3: set_option(o, 12, "Chat Participant"); break;
	case 4: set_str(o, c->t->users[p->user].mail); break;
	default: set_bool(o, false); break;
	}
}

/* ---- msdyn_teamschatassociation ---- */
static const struct dv_col assoc_cols[] = {
	{ "msdyn_teamschatassociationid", SB_V_GUID, 0 },
	{ "msdyn_teamschatid", SB_V_STR, 0 },
	{ "msdyn_regardingobjectid", SB_V_STR, 0 },
	{ "msdyn_regardingobjectname", SB_V_STR, 0 },
	{ "msdyn_entityrecordstate", SB_V_INT, DV_OPTION },
	{ "statecode", SB_V_INT, DV_OPTION },
	{ "statuscode", SB_V_INT, DV_OPTION },
	{ "createdon", SB_V_TIME, 0 },
	{ "modifiedon", SB_V_TIME, 0 },
};

static size_t assoc_count(const struct sb_env *e) { return e->n_assoc_order; }
static size_t assoc_at(const struct sb_env *e, size_t pos) { return e->assoc_order[pos]; }
static bool assoc_live(const struct sb_env *e, size_t row) { return e->chats[row].has_assoc; }
static uint64_t assoc_version(const struct sb_env *e, size_t row) { return e->chats[row].assoc_version; }

static void assoc_get(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *o)
{
	const struct sb_chat *ch = &c->e->chats[row];
	switch (col) {
	case 0: set_guid(o, ch->assoc_id); break;
	case 1: set_str(o, ch->teams_id); break;
	case 2: set_str(o, ch->regarding_id); break;
	case 3: set_str(o, ch->regarding_table); break;
	case 4: set_option(o, ch->assoc_state, ch->assoc_state ? "Disassociate" : "Associate"); break;
	case 5: set_option(o, 0, "Active"); break;
	case 6: set_option(o, 1, "Active"); break;
	case 7: set_time(o, ch->assoc_created); break;
	default: set_time(o, ch->assoc_modified); break;
	}
}

/* ---- syncerror ---- */
static const struct dv_col syncerror_cols[] = {
	{ "syncerrorid", SB_V_GUID, 0 },
	{ "name", SB_V_STR, 0 },
	{ "_regardingobjectid_value", SB_V_GUID, DV_LOOKUP },
	{ "regardingobjecttypecode", SB_V_STR, 0 },
	{ "errorcode", SB_V_INT, 0 },
	{ "errormessage", SB_V_STR, 0 },
	{ "errortime", SB_V_TIME, 0 },
	{ "errortype", SB_V_INT, DV_OPTION },
	{ "statecode", SB_V_INT, DV_OPTION },
	{ "createdon", SB_V_TIME, 0 },
};

static size_t syncerror_count(const struct sb_env *e) { return e->n_syncerrors; }
static size_t syncerror_at(const struct sb_env *e, size_t pos) { (void)e; return pos; }
static bool syncerror_live(const struct sb_env *e, size_t row) { (void)e; (void)row; return true; }
static uint64_t syncerror_version(const struct sb_env *e, size_t row) { return e->syncerrors[row].version; }

static void syncerror_get(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *o)
{
	const struct sb_syncerror *s = &c->e->syncerrors[row];
	const struct sb_chat *ch = &c->e->chats[s->chat];
	static const char *const types[] = { "Conflict", "Record not found", "Record already exists", "Others" };
	switch (col) {
	case 0: set_guid(o, s->id); break;
	case 1: set_str(o, "Teams chat sync"); break;
	case 2: set_lookup(o, ch->activityid, "chat", ch->subject); break;
	case 3: set_str(o, "chat"); break;
	case 4: set_int(o, s->errorcode); break;
	case 5: set_str(o, s->message); break;
	case 6: set_time(o, s->errortime); break;
	case 7: set_option(o, s->errortype, types[s->errortype]); break;
	case 8: set_option(o, 0, "Active"); break;
	default: set_time(o, s->errortime); break;
	}
}

#define TABLE(idv, set, entity, p) \
	{ idv, set, entity, p##_cols, COUNT(p##_cols), p##_count, p##_at, p##_live, p##_version, p##_get }

static const struct dv_table tables[] = {
	TABLE(SB_TBL_ORG, "organizations", "organization", org),
	TABLE(SB_TBL_CHAT, "chats", "chat", chat),
	TABLE(SB_TBL_PARTY, "activityparties", "activityparty", party),
	TABLE(SB_TBL_ASSOC, "msdyn_teamschatassociations", "msdyn_teamschatassociation", assoc),
	TABLE(SB_TBL_SYNCERROR, "syncerrors", "syncerror", syncerror),
};

const struct dv_table *dv_table_by_set(const char *set)
{
	for (int i = 0; i < COUNT(tables); i++)
		if (!strcmp(tables[i].set, set))
			return &tables[i];
	return NULL;
}

const struct dv_table *dv_table_by_id(enum sb_table id)
{
	return &tables[id];
}

int dv_find(const struct sb_tenant *t, const struct sb_env *e, const struct dv_table *tb, const char *key, size_t *row)
{
	struct dv_rowctx c = { t, e, tb };
	size_t lo = 0, hi = tb->count(e);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2, r = tb->at(e, mid);
		struct dv_cell cell = { 0 };
		tb->get(&c, r, 0, &cell);
		int d = strcasecmp(cell.v.s ? cell.v.s : "", key);
		if (!d) {
			*row = r;
			return 0;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int cmp_row(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

size_t dv_rows_about(const struct sb_tenant *t, const struct sb_env *e, const struct dv_table *tb,
		     const struct sb_filter *f, size_t *rows)
{
	const char *activity = tb->id == SB_TBL_PARTY ? sb_filter_required_eq(f, 1) : NULL; /* _activityid_value */
	if (!activity)
		return (size_t)-1;
	size_t chat;
	if (dv_find(t, e, dv_table_by_id(SB_TBL_CHAT), activity, &chat) != 0 || !e->chats[chat].has_activity)
		return 0;
	const struct sb_chat *c = &e->chats[chat];
	for (uint32_t m = 0; m < c->n_members; m++) /* parties are their own key order (party_at) */
		rows[m] = e->party_by_chat[c->first_party + m];
	qsort(rows, c->n_members, sizeof *rows, cmp_row);
	return c->n_members;
}

int dv_resolve(const void *table, const char *field, int *index)
{
	const struct dv_table *tb = table;
	for (int i = 0; i < tb->ncols; i++)
		if (!strcmp(tb->cols[i].name, field)) {
			*index = i;
			return (int)tb->cols[i].type;
		}
	return -1;
}

void dv_field(const void *rowctx, size_t row, int index, struct sb_val *out)
{
	const struct dv_rowctx *c = rowctx;
	struct dv_cell cell = { 0 };
	c->tb->get(c, row, index, &cell);
	*out = cell.v;   /* values point into the tenant, never into cell.buf */
}
