/* The diagnosis engine: DESIGN.md's rule table over cached facts. Each rule is one static
 * function that adds findings; diag_run calls them in table order, then sorts and derives the
 * verdict. Text here is what the admin reads, so it goes through _(). */
#include "config.h"
#include "core/diagnose.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rule_def {
	const char *id;
	enum diag_severity severity;
	const char *title;
};

#define DIAG_RULE_DEF_(name, id, severity, title) { id, severity, title },
static const struct rule_def rules[DIAG_RULE_COUNT] = { DIAG_RULE_LIST(DIAG_RULE_DEF_) };
#undef DIAG_RULE_DEF_

static const char *const severity_names[] = { "blocking", "warning", "unknown", "info" };
static const char *const verdict_names[] = { "syncing", "at_risk", "not_syncing", "unknown" };

/* Least-privileged Microsoft Graph permissions, from the v1.0 reference pages. For GET
 * /chats/{id} the application column lists Chat.ReadBasic.WhereInstalled first, but that one
 * only reaches chats where the caller's own Teams app is installed, and chatsync is no Teams
 * app, so the next one that works is named. installedApps and permissionGrants share theirs. */
#define PERM_CHAT "Chat.ReadBasic (delegated) or Chat.ReadBasic.All (application)"
#define PERM_APPS "TeamsAppInstallation.ReadForChat (delegated) or " \
	"TeamsAppInstallation.ReadForChat.All (application)"
#define PERM_POLICY "Policy.Read.All"

const char *diag_rule_id(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? rules[rule].id : NULL;
}

const char *diag_rule_title(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? _(rules[rule].title) : NULL;
}

enum diag_severity diag_rule_severity(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? rules[rule].severity : DIAG_UNKNOWN;
}

int diag_rule_parse(const char *id)
{
	for (int i = 0; id && i < DIAG_RULE_COUNT; i++)
		if (strcmp(id, rules[i].id) == 0)
			return i;
	return -1;
}

const char *diag_severity_name(enum diag_severity s)
{
	return (unsigned)s < sizeof severity_names / sizeof *severity_names ? severity_names[s] : "unknown";
}

const char *diag_verdict_name(enum diag_verdict v)
{
	return (unsigned)v < sizeof verdict_names / sizeof *verdict_names ? verdict_names[v] : "unknown";
}

/* Dataverse's own activity tables. A custom activity table cannot be told from its name; such
 * a chat shows up as connected-before-sync instead, whose remedy still applies. */
bool diag_is_activity_table(const char *table)
{
	static const char *const activities[] = {
		"activitypointer", "appointment", "bulkoperation", "campaignactivity", "campaignresponse",
		"chat", "email", "fax", "incidentresolution", "letter", "msdyn_ocliveworkitem",
		"msdyn_ocsession", "opportunityclose", "orderclose", "phonecall", "quoteclose",
		"recurringappointmentmaster", "serviceappointment", "socialactivity", "task", "untrackedemail",
	};
	if (!table)
		return false;
	for (size_t i = 0; i < sizeof activities / sizeof *activities; i++)
		if (strcasecmp(table, activities[i]) == 0)
			return true;
	return false;
}

/* ---- building findings ---- */

struct ctx {
	const struct diag_facts *f;
	struct diag_result *r;
	size_t cap;
	cs_time now;
	/* Derived once, read by several rules. */
	bool has_row;         /* a chat activity row exists */
	bool unlinked;
	bool gone;            /* Graph answered 404 for the chat */
	bool regards_activity;
	const char *regarding_table;
};

static struct diag_finding *add_finding(struct ctx *c, enum diag_rule rule, enum diag_severity sev,
					 enum diag_rule check)
{
	struct diag_result *r = c->r;
	if (r->n_findings == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		r->findings = xrealloc(r->findings, c->cap * sizeof *r->findings);
	}
	struct diag_finding *fd = &r->findings[r->n_findings++];
	memset(fd, 0, sizeof *fd);
	fd->rule = rule;
	fd->severity = sev;
	fd->check = check;
	return fd;
}

static struct diag_finding *finding(struct ctx *c, enum diag_rule rule)
{
	return add_finding(c, rule, rules[rule].severity, rule);
}

static struct diag_finding *unavailable(struct ctx *c, enum diag_rule check)
{
	return add_finding(c, DIAG_RULE_CHECK_UNAVAILABLE, DIAG_UNKNOWN, check);
}

static void say(struct diag_finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct diag_finding *fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(fd->summary);
	fd->summary = xvasprintf(fmt, ap);
	va_end(ap);
}

static void fix(struct diag_finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fix(struct diag_finding *fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(fd->remedy);
	fd->remedy = xvasprintf(fmt, ap);
	va_end(ap);
}

static void evidence(struct ctx *c, struct diag_finding *fd, const char *fact, const char *source,
		     cs_time fetched_at, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void evidence(struct ctx *c, struct diag_finding *fd, const char *fact, const char *source,
		     cs_time fetched_at, const char *fmt, ...)
{
	fd->evidence = xrealloc(fd->evidence, (fd->n_evidence + 1) * sizeof *fd->evidence);
	struct diag_evidence *e = &fd->evidence[fd->n_evidence++];
	va_list ap;
	va_start(ap, fmt);
	e->value = xvasprintf(fmt, ap);
	va_end(ap);
	e->fact = xstrdup(fact);
	e->source = source;
	e->fetched_at = fetched_at;
	e->stale = fetched_at != 0 && c->now - fetched_at > DIAG_STALE_AFTER;
}

static const char *str(const char *s)
{
	return s && *s ? s : _("not set");
}

static const char *time_text(cs_time t, char *buf, size_t n)
{
	if (t == 0)
		return _("not set");
	return time_format_human(t, buf, n);
}

static const char *state_text(int state)
{
	switch (state) {
	case CS_STATE_OPEN: return _("Open");
	case CS_STATE_COMPLETED: return _("Completed");
	case CS_STATE_CANCELED: return _("Canceled");
	case CS_STATE_SCHEDULED: return _("Scheduled");
	case CS_STATE_NOT_RECORDED: return _("no activity row");
	default: return _("unknown value");
	}
}

static const char *tristate_text(int v)
{
	return v == CS_TRUE ? "true" : v == CS_FALSE ? "false" : _("unknown");
}

static const char *env_name(const struct cs_env *env)
{
	if (!env)
		return _("the environment");
	if (env->unique_name && *env->unique_name)
		return env->unique_name;
	if (env->friendly_name && *env->friendly_name)
		return env->friendly_name;
	return _("the environment");
}

/* The facts were never read: one remedy for all of them. */
static void never_fetched(struct diag_finding *fd)
{
	fix(fd, "%s", _("Never fetched: run chatsync refresh."));
}

/* A Graph or Entra request that did not give an answer the check can use. */
static void request_failed(struct ctx *c, enum diag_rule check, const char *what, const char *request,
			   const char *source, int status, const char *error, cs_time fetched_at,
			   const char *permission)
{
	struct diag_finding *fd = unavailable(c, check);
	if (status == 0) {
		say(fd, _("chatsync has not read %s yet, so %s was not checked."), what, rules[check].id);
		evidence(c, fd, request, source, 0, "%s", _("never fetched"));
		never_fetched(fd);
		return;
	}
	evidence(c, fd, request, source, fetched_at, "HTTP %d%s%s", status, error && *error ? ": " : "",
		 error && *error ? error : "");
	if (status == 401 || status == 403) {
		say(fd, _("chatsync is not allowed to read %s, so %s was not checked."), what,
		    rules[check].id);
		fix(fd, _("Grant chatsync's app registration the Microsoft Graph permission %s "
			  "(Microsoft Entra admin center → App registrations → chatsync's app → API "
			  "permissions, then grant admin consent), then run chatsync refresh."), permission);
	} else {
		say(fd, _("%s answered HTTP %d, so %s was not checked."), request, status, rules[check].id);
		fix(fd, "%s", _("Run chatsync refresh again; if it keeps failing, see chatsync.log for the "
				"request id."));
	}
}

/* ---- the rules, in table order ---- */

/* sync-disabled: organization.teamschatdatasync. */
static void rule_sync_disabled(struct ctx *c)
{
	const struct cs_env *env = c->f->env;
	int v = env ? env->sync_enabled : CS_UNKNOWN;
	if (v == CS_TRUE)
		return;
	struct diag_finding *fd = v == CS_FALSE ? finding(c, DIAG_RULE_SYNC_DISABLED)
						: unavailable(c, DIAG_RULE_SYNC_DISABLED);
	evidence(c, fd, "teamschatdatasync", DIAG_SRC_DATAVERSE, env ? env->org_fetched_at : 0, "%s",
		 v != CS_UNKNOWN || (env && env->org_fetched_at) ? tristate_text(v) : _("never fetched"));
	if (v == CS_FALSE) {
		say(fd, _("Teams chat sync is turned off in %s, so no chat there syncs."), env_name(env));
		fix(fd, _("Turn it on: Power Platform admin center → Environments → %s → Settings → "
			  "Integration → Teams integration settings → Sync Teams chat data with Dynamics 365 "
			  "records (a global administrator must do it), or run chatsync sync %s on. Chats "
			  "connected while it was off must then be connected again."), env_name(env),
		    env_name(env));
		return;
	}
	say(fd, _("chatsync does not know whether Teams chat sync is on in %s."), env_name(env));
	if (env && env->last_error && *env->last_error) {
		evidence(c, fd, _("last refresh"), DIAG_SRC_CHATSYNC, env->refreshed_at, "%s", env->last_error);
		fix(fd, "%s", _("The last refresh of this environment failed: fix the error shown and run "
				"chatsync refresh."));
	} else {
		never_fetched(fd);
	}
}

/* connected-before-sync: an association (state Associate, regarding a record that is not an
 * activity) but no activity row. Activity rows are made only for chats connected while sync is
 * on, so a chat that has one was connected while sync was on: that is a pass, not an unknown. */
static void rule_connected_before_sync(struct ctx *c)
{
	const struct cs_assoc *a = c->f->assoc;
	if (c->has_row || c->unlinked || c->regards_activity)
		return;
	if (!a) {
		struct diag_finding *fd = unavailable(c, DIAG_RULE_CONNECTED_BEFORE_SYNC);
		say(fd, "%s", _("chatsync has neither a chat activity row nor a connection row for this "
				"chat, so it cannot tell how the chat was connected."));
		evidence(c, fd, "msdyn_teamschatassociation", DIAG_SRC_DATAVERSE, 0, "%s", _("no row cached"));
		never_fetched(fd);
		return;
	}
	struct diag_finding *fd = finding(c, DIAG_RULE_CONNECTED_BEFORE_SYNC);
	if (c->regarding_table && *c->regarding_table)
		say(fd, _("The chat is connected to a record (%s) but has no chat activity row: it was "
			  "connected before sync was turned on, and such chats never sync."), c->regarding_table);
	else
		say(fd, "%s", _("The chat is connected to a record but has no chat activity row: it was "
				"connected before sync was turned on, and such chats never sync."));
	evidence(c, fd, "msdyn_entityrecordstate", DIAG_SRC_DATAVERSE, a->fetched_at, "%s", _("Associate"));
	evidence(c, fd, "msdyn_regardingobjectname", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
		 str(a->regarding_table));
	char when[64];
	if (a->created_on)
		evidence(c, fd, "createdon", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			 time_text(a->created_on, when, sizeof when));
	evidence(c, fd, "chat", DIAG_SRC_DATAVERSE, a->fetched_at, "%s", _("no activity row"));
	fix(fd, "%s", _("Connect the chat again from the record: chats connected before sync was turned "
			"on never sync. In Dynamics 365 open the record, open its Teams chats, and connect "
			"the chat again."));
}

/* activity-inactive: only open activities sync. Scheduled (3) is an open state for activities
 * (the row is not closed, as with an appointment not yet held), so it counts as active; only the
 * closed states Completed and Canceled stop sync. */
static void rule_activity_inactive(struct ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	if (!c->has_row)
		return;
	if (ch->state == CS_STATE_OPEN || ch->state == CS_STATE_SCHEDULED)
		return;
	struct diag_finding *fd;
	if (ch->state == CS_STATE_COMPLETED || ch->state == CS_STATE_CANCELED) {
		fd = finding(c, DIAG_RULE_ACTIVITY_INACTIVE);
		say(fd, _("The chat activity is marked %s, and only open chat activities sync."),
		    state_text(ch->state));
		fix(fd, "%s", _("Reopen the activity: Dynamics 365 → the record's timeline → Teams chat → "
				"Mark as open."));
	} else {
		fd = unavailable(c, DIAG_RULE_ACTIVITY_INACTIVE);
		say(fd, _("The chat activity has a statecode chatsync does not know (%d)."), ch->state);
		fix(fd, "%s", _("Check the activity's status in Dynamics 365, then run chatsync refresh."));
	}
	evidence(c, fd, "statecode", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s (%d)", state_text(ch->state),
		 ch->state);
}

/* inactive-too-long and inactive-soon: Dataverse stops receiving a chat's notifications once it
 * has not been updated for the environment's limit (DOMAIN.md's best reading of "seven days").
 * Only open rows: a closed row does not sync anyway and says so above. */
static void rule_inactivity(struct ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	const struct cs_env *env = c->f->env;
	if (!c->has_row || !(ch->state == CS_STATE_OPEN || ch->state == CS_STATE_SCHEDULED))
		return;
	int days = cs_env_inactivity_days(env);
	bool days_known = env && env->inactivity_days >= 1 && env->inactivity_days <= 28;
	char when[64], age[32];
	if (ch->modified_in_teams_on == 0) {
		struct diag_finding *fd = unavailable(c, DIAG_RULE_INACTIVE_TOO_LONG);
		say(fd, "%s", _("The chat activity has no modifiedinteamson, so chatsync cannot tell how long "
				"the chat has been quiet."));
		evidence(c, fd, "modifiedinteamson", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s", _("not set"));
		fix(fd, "%s", _("Run chatsync refresh; if it stays empty, Dataverse has not heard from the "
				"chat since it was connected."));
		return;
	}
	int64_t limit = (int64_t)days * 86400;
	int64_t quiet = c->now - ch->modified_in_teams_on;
	int64_t window = (int64_t)c->r->warn_hours * 3600;
	cs_time deadline = ch->modified_in_teams_on + limit;
	struct diag_finding *fd;
	if (quiet > limit) {
		fd = finding(c, DIAG_RULE_INACTIVE_TOO_LONG);
		say(fd, _("The chat was last updated in Teams %s ago, longer than the %d-day limit, so "
			  "Dataverse no longer hears about its changes."),
		    time_format_age(ch->modified_in_teams_on, c->now, age, sizeof age), days);
		fix(fd, "%s", _("Connect the chat again from the record if it should sync: Dynamics 365 "
				"stops syncing chats that stay quiet past the limit, and Microsoft documents no "
				"way to resume them."));
	} else if (limit - quiet <= window) {
		fd = finding(c, DIAG_RULE_INACTIVE_SOON);
		say(fd, _("The chat was last updated in Teams %s ago and reaches the %d-day limit at %s."),
		    time_format_age(ch->modified_in_teams_on, c->now, age, sizeof age), days,
		    time_format_human(deadline, when, sizeof when));
		/* Best reading: any update a user makes in Teams moves modifiedinteamson. */
		fix(fd, _("Update the chat in Teams before %s (post in it or rename it) if it should keep "
			  "syncing."), time_format_human(deadline, when, sizeof when));
	} else {
		return;
	}
	evidence(c, fd, "modifiedinteamson", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
		 time_format_human(ch->modified_in_teams_on, when, sizeof when));
	if (days_known)
		evidence(c, fd, "daysbeforeinactiveteamschatsyncdisabled", DIAG_SRC_DATAVERSE,
			 env->org_fetched_at, _("%d days"), days);
	else
		evidence(c, fd, "daysbeforeinactiveteamschatsyncdisabled", DIAG_SRC_DATAVERSE,
			 env ? env->org_fetched_at : 0, _("not set (default %d days)"), days);
}

/* chat-sync-not-enabled: syncstatus 0 blocks; Pending is normal right after connecting and only
 * worth a warning once it lasts longer than DIAG_PENDING_GRACE. */
static void rule_chat_sync_status(struct ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	if (!c->has_row || ch->sync_status == CS_SYNC_ENABLED)
		return;
	struct diag_finding *fd;
	char when[64], age[32];
	if (ch->sync_status == CS_SYNC_NOT_ENABLED) {
		fd = finding(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
		say(fd, "%s", _("Dataverse has not enabled sync for this chat activity (syncstatus Not "
				"Enabled)."));
		fix(fd, "%s", _("Check that sync is on for the environment, then connect the chat again from "
				"the record so Dataverse sets it up."));
	} else if (ch->sync_status == CS_SYNC_PENDING) {
		cs_time since = ch->linked_on ? ch->linked_on : ch->created_on;
		if (since == 0) {
			fd = unavailable(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			say(fd, "%s", _("Sync for this chat is Pending, but neither linkedon nor createdon says "
					"since when."));
			fix(fd, "%s", _("Run chatsync refresh; if it stays Pending, connect the chat again from "
					"the record."));
		} else if (c->now - since > DIAG_PENDING_GRACE) {
			fd = finding(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			fd->severity = DIAG_WARNING;
			say(fd, _("Sync for this chat has been Pending for %s; it normally takes minutes."),
			    time_format_age(since, c->now, age, sizeof age));
			fix(fd, "%s", _("Check that the Dataverse Chat Sync app is in the chat and that RSC for "
					"chats is allowed; if it stays Pending, connect the chat again from the "
					"record."));
		} else {
			fd = finding(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			fd->severity = DIAG_INFO;
			say(fd, _("Sync for this chat is being set up (Pending for %s)."),
			    time_format_age(since, c->now, age, sizeof age));
		}
		evidence(c, fd, ch->linked_on ? "linkedon" : "createdon", DIAG_SRC_DATAVERSE, ch->fetched_at,
			 "%s", time_text(since, when, sizeof when));
	} else {
		fd = unavailable(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
		say(fd, "%s", _("The chat activity has no syncstatus, so chatsync cannot tell whether "
				"Dataverse set up its sync."));
		fix(fd, "%s", _("Run chatsync refresh; if syncstatus stays empty, look at the activity in "
				"Dynamics 365."));
	}
	evidence(c, fd, "syncstatus", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
		 ch->sync_status == CS_SYNC_NOT_ENABLED ? _("Not Enabled (0)")
		 : ch->sync_status == CS_SYNC_PENDING ? _("Pending (1)") : _("not set"));
}

/* sync-error: lastsyncerror on the row, or syncerror rows regarding the chat. The syncerror
 * rows are read with the chat (its chat_SyncErrors), so they carry the row's fetch time. */
static void rule_sync_error(struct ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	size_t n = c->f->errors ? c->f->n_errors : 0;
	bool last = ch && ch->last_sync_error != 0;
	if (!last && n == 0)
		return;
	struct diag_finding *fd = finding(c, DIAG_RULE_SYNC_ERROR);
	cs_time fetched = ch ? ch->fetched_at : 0;
	if (n > 0)
		say(fd, ngettext("Dataverse recorded %zu sync error for this chat.",
				 "Dataverse recorded %zu sync errors for this chat.", n), n);
	else
		say(fd, "%s", _("Dataverse recorded a sync error on this chat activity."));
	if (last)
		evidence(c, fd, "lastsyncerror", DIAG_SRC_DATAVERSE, fetched, "%d", ch->last_sync_error);
	/* The newest few are what the admin acts on; the rest are counted. */
	enum { SHOWN = 5 };
	char when[64];
	for (size_t i = 0; i < n && i < SHOWN; i++) {
		const struct cs_sync_error *e = &c->f->errors[i];
		struct buf v;
		buf_init(&v);
		/* Dataverse gives errorcode as text ("0x80040217"); the number is only a parse of it. */
		if (e->code && *e->code)
			buf_adds(&v, e->code);
		else
			buf_printf(&v, "%d", e->errorcode);
		if (e->time)
			buf_printf(&v, _(" at %s"), time_format_human(e->time, when, sizeof when));
		if (e->message && *e->message)
			buf_printf(&v, ": %s", e->message);
		evidence(c, fd, "syncerror", DIAG_SRC_DATAVERSE, fetched, "%s", v.data);
		buf_free(&v);
	}
	if (n > SHOWN)
		evidence(c, fd, "syncerror", DIAG_SRC_DATAVERSE, fetched, _("%zu more"), n - (size_t)SHOWN);
	fix(fd, "%s", _("Read the errors above (the chat's syncerror rows in Dataverse), fix their cause, "
			"then run chatsync refresh to see whether new ones appear."));
}

/* unlinked: unlinkedon set on the row, or the association says Disassociate. */
static void rule_unlinked(struct ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	const struct cs_assoc *a = c->f->assoc;
	if (!c->unlinked)
		return;
	struct diag_finding *fd = finding(c, DIAG_RULE_UNLINKED);
	char when[64];
	if (ch && ch->unlinked_on) {
		say(fd, _("The chat was unlinked from its record on %s, so it no longer syncs."),
		    time_format_human(ch->unlinked_on, when, sizeof when));
		evidence(c, fd, "unlinkedon", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
			 time_format_human(ch->unlinked_on, when, sizeof when));
		if (ch->unlinked_by && *ch->unlinked_by)
			evidence(c, fd, "unlinkedby", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s", ch->unlinked_by);
	} else {
		say(fd, "%s", _("The chat was disconnected from its record, so it no longer syncs."));
	}
	if (a && a->record_state == CS_ASSOC_DISASSOCIATE)
		evidence(c, fd, "msdyn_entityrecordstate", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			 _("Disassociate"));
	fix(fd, "%s", _("If the chat should sync, connect it to the record again from Dynamics 365; "
			"otherwise nothing needs doing."));
}

/* regarding-activity: chats connected to an activity get no activity row (Microsoft: an activity
 * cannot regard another activity). */
static void rule_regarding_activity(struct ctx *c)
{
	if (!c->regards_activity)
		return;
	const struct cs_chat *ch = c->f->chat;
	const struct cs_assoc *a = c->f->assoc;
	struct diag_finding *fd = finding(c, DIAG_RULE_REGARDING_ACTIVITY);
	say(fd, _("The chat is connected to an activity (%s): chats connected to activities never get "
		  "a chat activity row, so they do not sync."), c->regarding_table);
	if (a && diag_is_activity_table(a->regarding_table))
		evidence(c, fd, "msdyn_regardingobjectname", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			 a->regarding_table);
	if (ch && diag_is_activity_table(ch->regarding_type))
		evidence(c, fd, "regardingobjecttypecode", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
			 ch->regarding_type);
	fix(fd, "%s", _("Connect the chat to the record the activity is about (the account, contact, "
			"case…) instead: only chats connected to records that are not activities sync."));
}

/* Graph checks that cannot apply: a chat gone from Teams, unlinked, or without an activity row
 * cannot sync whatever its apps and grants are, so asking about them would only add unknowns
 * (and would tell the admin to fix the wrong thing first). */
static bool graph_checks_moot(const struct ctx *c)
{
	return c->gone || c->unlinked || !c->has_row;
}

/* app-not-installed: Dataverse installs Dataverse Chat Sync in the chat when it is connected. */
static void rule_app_not_installed(struct ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	if (graph_checks_moot(c))
		return;
	const char *req = "GET /chats/{id}/installedApps";
	if (!g || g->apps_status < 200 || g->apps_status > 299) {
		request_failed(c, DIAG_RULE_APP_NOT_INSTALLED, _("the chat's installed apps"), req,
			       DIAG_SRC_GRAPH, g ? g->apps_status : 0, g ? g->apps_error : NULL,
			       g ? g->apps_fetched_at : 0, PERM_APPS);
		return;
	}
	if (g->app_installed == CS_TRUE)
		return;
	struct diag_finding *fd;
	if (g->app_installed == CS_FALSE) {
		fd = finding(c, DIAG_RULE_APP_NOT_INSTALLED);
		say(fd, "%s", _("The Dataverse Chat Sync app is not installed in the chat, so Dataverse is not "
				"told when the chat changes."));
		fix(fd, "%s", _("Connect the chat again from the record so Dynamics 365 installs Dataverse "
				"Chat Sync, and check that the app is allowed in Teams admin center → Teams "
				"apps → Manage apps."));
		evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s",
			 _("Dataverse Chat Sync not among them"));
	} else {
		fd = unavailable(c, DIAG_RULE_APP_NOT_INSTALLED);
		say(fd, "%s", _("Graph listed the chat's apps, but chatsync could not tell whether Dataverse "
				"Chat Sync is one of them."));
		fix(fd, "%s", _("Check chat_sync_app in the chatsync config (the app's display name or Teams "
				"app id), then run chatsync refresh."));
		evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s", _("not matched"));
	}
}

/* What each tenant chat RSC state means for Dataverse Chat Sync. */
static const char *rsc_meaning(int state)
{
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS:
		return _("any app, Dataverse Chat Sync included, may get RSC permissions in chats");
	case CS_RSC_MANAGED_BY_MICROSOFT:
		return _("Microsoft decides; today it lets chat members consent to RSC apps such as Dataverse "
			 "Chat Sync, but Microsoft may change that");
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY:
		return _("only apps with a preapproval policy may get RSC permissions in chats: Dataverse "
			 "Chat Sync needs one");
	case CS_RSC_DISABLED_FOR_ALL_APPS:
		return _("no app may get RSC permissions in chats, so Dataverse Chat Sync cannot be "
			 "consented");
	case CS_RSC_CUSTOM:
		return _("a custom set of permission grant policies decides; check that it allows Dataverse "
			 "Chat Sync");
	default:
		return _("unknown");
	}
}

/* rsc-disabled: the tenant's chat RSC state. */
static void rule_rsc_disabled(struct ctx *c)
{
	const struct cs_rsc *rsc = c->f->rsc;
	bool moot = graph_checks_moot(c);
	bool from_policy = rsc && rsc->source && strcmp(rsc->source, "teamsAppSettings") != 0;
	const char *src = from_policy || !rsc || !rsc->source ? DIAG_SRC_ENTRA : DIAG_SRC_GRAPH;
	const char *req = from_policy || !rsc || !rsc->source ? "GET /policies/authorizationPolicy"
							       : "GET /beta/teamwork/teamsAppSettings";
	int state = rsc ? rsc->state : CS_RSC_UNKNOWN;
	if (!rsc || rsc->http_status < 200 || rsc->http_status > 299) {
		if (!moot)
			request_failed(c, DIAG_RULE_RSC_DISABLED, _("the tenant's consent settings"), req,
				       src, rsc ? rsc->http_status : 0, rsc ? rsc->error : NULL,
				       rsc ? rsc->fetched_at : 0, PERM_POLICY);
		return;
	}
	struct diag_finding *fd;
	switch (state) {
	case CS_RSC_ENABLED_FOR_ALL_APPS:
		return;
	case CS_RSC_DISABLED_FOR_ALL_APPS:
		fd = finding(c, DIAG_RULE_RSC_DISABLED);
		say(fd, "%s", _("Resource-specific consent for chats is turned off in the tenant, so "
				"Dataverse Chat Sync cannot be consented in any chat."));
		fix(fd, "%s", _("Allow RSC for chats with Microsoft Graph PowerShell: "
				"Set-MgBetaChatRscConfiguration -State EnabledForAllApps (or ManagedByMicrosoft). "
				"Since 2024 chat RSC is set with these cmdlets, not in an admin center."));
		break;
	case CS_RSC_MANAGED_BY_MICROSOFT:
	case CS_RSC_ENABLED_FOR_PREAPPROVED_APPS_ONLY:
	case CS_RSC_CUSTOM:
		if (moot)
			return;
		fd = add_finding(c, DIAG_RULE_RSC_DISABLED, DIAG_INFO, DIAG_RULE_RSC_DISABLED);
		say(fd, _("The tenant's chat RSC state is %s."), cs_rsc_state_name(state));
		if (state != CS_RSC_MANAGED_BY_MICROSOFT)
			fix(fd, "%s", _("Make sure the tenant's RSC settings allow Dataverse Chat Sync, or set "
					"Set-MgBetaChatRscConfiguration -State EnabledForAllApps."));
		break;
	default:
		if (moot)
			return;
		fd = unavailable(c, DIAG_RULE_RSC_DISABLED);
		say(fd, "%s", _("chatsync read the tenant's consent settings but could not derive the chat RSC "
				"state from them."));
		fix(fd, "%s", _("Run chatsync rsc to see the policies chatsync found, or check with "
				"Get-MgBetaChatRscConfiguration."));
		break;
	}
	evidence(c, fd, _("chat RSC state"), src, rsc->fetched_at, "%s: %s", cs_rsc_state_name(state),
		 rsc_meaning(state));
	if (rsc->n_policies && rsc->policies) {
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < rsc->n_policies; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", rsc->policies[i] ? rsc->policies[i] : "?");
		evidence(c, fd, "permissionGrantPoliciesAssigned", src, rsc->fetched_at, "%s", b.data);
		buf_free(&b);
	}
}

/* rsc-grant-missing: only meaningful once the app is known to be in the chat; while that is
 * unknown, app-not-installed's check-unavailable stands for both checks. */
static void rule_rsc_grant_missing(struct ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	if (graph_checks_moot(c) || !g || g->apps_status < 200 || g->apps_status > 299 ||
	    g->app_installed != CS_TRUE)
		return;
	const char *req = "GET /chats/{id}/permissionGrants";
	if (g->grants_status < 200 || g->grants_status > 299) {
		request_failed(c, DIAG_RULE_RSC_GRANT_MISSING, _("the chat's permission grants"), req,
			       DIAG_SRC_GRAPH, g->grants_status, g->grants_error, g->grants_fetched_at,
			       PERM_APPS);
		return;
	}
	if (g->app_has_grant == CS_TRUE)
		return;
	struct diag_finding *fd;
	if (g->app_has_grant == CS_FALSE) {
		fd = finding(c, DIAG_RULE_RSC_GRANT_MISSING);
		say(fd, "%s", _("Dataverse Chat Sync is installed in the chat but holds no RSC permission "
				"grant there, so it may not be able to read the chat."));
		fix(fd, "%s", _("Remove Dataverse Chat Sync from the chat and connect the chat again from the "
				"record so the app is installed with consent; check that the tenant allows RSC for "
				"chats (chatsync rsc)."));
		evidence(c, fd, "permissionGrants", DIAG_SRC_GRAPH, g->grants_fetched_at,
			 ngettext("%zu grant, none for clientAppId %s", "%zu grants, none for clientAppId %s",
				  g->n_grants), g->n_grants, str(g->app_client_id));
	} else {
		fd = unavailable(c, DIAG_RULE_RSC_GRANT_MISSING);
		say(fd, "%s", _("chatsync read the chat's permission grants but does not know the app's client "
				"id to match them against."));
		fix(fd, "%s", _("Run chatsync refresh so the installed app is read with its definition."));
		evidence(c, fd, "teamsAppDefinition.authorization.clientAppId", DIAG_SRC_GRAPH,
			 g->apps_fetched_at, "%s", str(g->app_client_id));
	}
	if (g->app_name && *g->app_name)
		evidence(c, fd, "installedApps", DIAG_SRC_GRAPH, g->apps_fetched_at, "%s", g->app_name);
}

/* chat-not-found: Graph 404. An unlinked chat or one without an activity row does not sync
 * whether or not Teams still has it, so an unanswered question about it is not worth an unknown. */
static void rule_chat_not_found(struct ctx *c)
{
	const struct cs_graph_chat *g = c->f->graph;
	const char *req = "GET /chats/{id}";
	if (c->gone) {
		struct diag_finding *fd = finding(c, DIAG_RULE_CHAT_NOT_FOUND);
		say(fd, "%s", _("Teams does not know this chat any more (Graph answered 404): it was deleted, "
				"or chatsync's identity cannot see it."));
		evidence(c, fd, req, DIAG_SRC_GRAPH, g->chat_fetched_at, "HTTP 404%s%s",
			 g->chat_error && *g->chat_error ? ": " : "", g->chat_error ? g->chat_error : "");
		if (g->teams_chat_id && *g->teams_chat_id)
			evidence(c, fd, "teamschatid", DIAG_SRC_DATAVERSE, c->f->chat ? c->f->chat->fetched_at : 0,
				 "%s", g->teams_chat_id);
		fix(fd, "%s", _("If the chat was deleted, mark its activity completed or unlink it in Dynamics "
				"365; if it should exist, check that the account chatsync signs in with can see "
				"it."));
		return;
	}
	if (g && g->chat_status >= 200 && g->chat_status <= 299)
		return;
	if (c->unlinked || !c->has_row)
		return;
	request_failed(c, DIAG_RULE_CHAT_NOT_FOUND, _("the chat in Teams"), req, DIAG_SRC_GRAPH,
		       g ? g->chat_status : 0, g ? g->chat_error : NULL, g ? g->chat_fetched_at : 0,
		       PERM_CHAT);
}

/* ---- the engine ---- */

static int cmp_findings(const void *pa, const void *pb)
{
	const struct diag_finding *a = pa, *b = pb;
	if (a->severity != b->severity)
		return (int)a->severity - (int)b->severity;
	if (a->rule != b->rule)
		return (int)a->rule - (int)b->rule;
	return (int)a->check - (int)b->check;
}

enum diag_verdict diag_verdict_of(const struct diag_result *r)
{
	bool warning = false, unknown = false;
	for (size_t i = 0; i < r->n_findings; i++) {
		if (r->findings[i].severity == DIAG_BLOCKING)
			return DIAG_VERDICT_NOT_SYNCING;
		warning |= r->findings[i].severity == DIAG_WARNING;
		unknown |= r->findings[i].severity == DIAG_UNKNOWN;
	}
	return warning ? DIAG_VERDICT_AT_RISK : unknown ? DIAG_VERDICT_UNKNOWN : DIAG_VERDICT_SYNCING;
}

void diag_run(const struct diag_facts *facts, struct diag_result *out)
{
	static const struct diag_facts none;
	const struct diag_facts *f = facts ? facts : &none;
	memset(out, 0, sizeof *out);
	out->now = f->now ? f->now : time_now();
	out->warn_hours = f->warn_hours > 0 ? f->warn_hours : DIAG_DEFAULT_WARN_HOURS;
	struct ctx c = { .f = f, .r = out, .now = out->now };
	const struct cs_chat *ch = f->chat;
	const struct cs_assoc *a = f->assoc;
	c.has_row = ch && ch->state != CS_STATE_NOT_RECORDED;
	c.unlinked = (ch && ch->unlinked_on) || (a && a->record_state == CS_ASSOC_DISASSOCIATE);
	c.gone = f->graph && f->graph->chat_status == 404;
	/* An activity on either side decides; otherwise the association names the record. */
	const char *at = a ? a->regarding_table : NULL, *rt = ch ? ch->regarding_type : NULL;
	c.regarding_table = diag_is_activity_table(rt) && !diag_is_activity_table(at) ? rt
			    : at && *at ? at : rt;
	c.regards_activity = diag_is_activity_table(c.regarding_table);

	rule_sync_disabled(&c);
	rule_connected_before_sync(&c);
	rule_activity_inactive(&c);
	rule_inactivity(&c);
	rule_chat_sync_status(&c);
	rule_sync_error(&c);
	rule_unlinked(&c);
	rule_regarding_activity(&c);
	rule_app_not_installed(&c);
	rule_rsc_disabled(&c);
	rule_rsc_grant_missing(&c);
	rule_chat_not_found(&c);

	if (out->n_findings > 1)
		qsort(out->findings, out->n_findings, sizeof *out->findings, cmp_findings);
	out->verdict = diag_verdict_of(out);
}

void diag_result_free(struct diag_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_findings; i++) {
		struct diag_finding *fd = &r->findings[i];
		for (size_t j = 0; j < fd->n_evidence; j++) {
			free(fd->evidence[j].fact);
			free(fd->evidence[j].value);
		}
		free(fd->evidence);
		free(fd->summary);
		free(fd->remedy);
	}
	free(r->findings);
	memset(r, 0, sizeof *r);
}
