/* The rules over Dataverse's facts, in table order: sync-disabled, connected-before-sync,
 * activity-inactive, inactive-too-long and inactive-soon, chat-sync-not-enabled, sync-error, unlinked,
 * regarding-activity. */
#include "config.h"
#include "core/diagnose_int.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* sync-disabled: organization.teamschatdatasync. */
static void rule_sync_disabled(struct diag_ctx *c)
{
	const struct cs_env *env = c->f->env;
	int v = env ? env->sync_enabled : CS_UNKNOWN;
	if (v == CS_TRUE)
		return;
	struct diag_finding *fd = v == CS_FALSE ? diag_found(c, DIAG_RULE_SYNC_DISABLED)
						: diag_unavailable(c, DIAG_RULE_SYNC_DISABLED);
	diag_evidence(c, fd, "teamschatdatasync", DIAG_SRC_DATAVERSE, env ? env->org_fetched_at : 0, "%s",
		      v != CS_UNKNOWN || (env && env->org_fetched_at) ? diag_tristate_text(v) : _("never fetched"));
	if (v == CS_FALSE) {
		diag_say(fd, _("Teams chat sync is turned off in %s, so no chat there syncs."), diag_env_name(env));
		diag_fix(fd, _("Turn it on: Power Platform admin center → Environments → %s → Settings → "
			 "Integration → Teams integration settings → Sync Teams chat data with Dynamics 365 "
			 "records (a global administrator must do it), or run chatsync sync %s on. Chats "
			 "connected while it was off must then be connected again."), diag_env_name(env),
			 diag_env_name(env));
		diag_since(c, fd, DIAG_SINCE_SYNC_ENABLED);
		return;
	}
	diag_say(fd, _("chatsync does not know whether Teams chat sync is on in %s."), diag_env_name(env));
	if (env && env->last_error && *env->last_error) {
		diag_evidence(c, fd, _("last refresh"), DIAG_SRC_CHATSYNC, env->refreshed_at, "%s", env->last_error);
		diag_fix(fd, "%s", _("The last refresh of this environment failed: fix the error shown and run "
			 "chatsync refresh."));
	} else {
		diag_never_fetched(fd);
	}
}

/* connected-before-sync: an association (state Associate, regarding a record that is not an
 * activity) but no activity row. Activity rows are made only for chats connected while sync is
 * on, so a chat that has one was connected while sync was on: that is a pass, not an unknown. */
static void rule_connected_before_sync(struct diag_ctx *c)
{
	const struct cs_assoc *a = c->f->assoc;
	if (c->has_row || c->unlinked || c->regards_activity)
		return;
	if (!a) {
		struct diag_finding *fd = diag_unavailable(c, DIAG_RULE_CONNECTED_BEFORE_SYNC);
		diag_say(fd, "%s", _("chatsync has neither a chat activity row nor a connection row for this "
			 "chat, so it cannot tell how the chat was connected."));
		diag_evidence(c, fd, "msdyn_teamschatassociation", DIAG_SRC_DATAVERSE, 0, "%s", _("no row cached"));
		diag_never_fetched(fd);
		return;
	}
	struct diag_finding *fd = diag_found(c, DIAG_RULE_CONNECTED_BEFORE_SYNC);
	if (c->regarding_table && *c->regarding_table)
		diag_say(fd, _("The chat is connected to a record (%s) but has no chat activity row: it was "
			 "connected before sync was turned on, and such chats never sync."), c->regarding_table);
	else
		diag_say(fd, "%s", _("The chat is connected to a record but has no chat activity row: it was "
			 "connected before sync was turned on, and such chats never sync."));
	diag_evidence(c, fd, "msdyn_entityrecordstate", DIAG_SRC_DATAVERSE, a->fetched_at, "%s", _("Associate"));
	diag_evidence(c, fd, "msdyn_regardingobjectname", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
		      diag_str(a->regarding_table));
	char when[64];
	if (a->created_on)
		diag_evidence(c, fd, "createdon", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			      diag_time_text(a->created_on, when, sizeof when));
	diag_evidence(c, fd, "chat", DIAG_SRC_DATAVERSE, a->fetched_at, "%s", _("no activity row"));
	diag_fix(fd, "%s", _("Connect the chat again from the record: chats connected before sync was turned "
		 "on never sync. In Dynamics 365 open the record, open its Teams chats, and connect "
		 "the chat again."));
}

/* activity-inactive: only open activities sync. Scheduled (3) is an open state for activities
 * (the row is not closed, as with an appointment not yet held), so it counts as active; only the
 * closed states Completed and Canceled stop sync. */
static void rule_activity_inactive(struct diag_ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	if (!c->has_row)
		return;
	if (ch->state == CS_STATE_OPEN || ch->state == CS_STATE_SCHEDULED)
		return;
	struct diag_finding *fd;
	if (ch->state == CS_STATE_COMPLETED || ch->state == CS_STATE_CANCELED) {
		fd = diag_found(c, DIAG_RULE_ACTIVITY_INACTIVE);
		diag_say(fd, _("The chat activity is marked %s, and only open chat activities sync."),
			 diag_state_text(ch->state));
		diag_fix(fd, "%s", _("Reopen the activity: Dynamics 365 → the record's timeline → Teams chat → "
			 "Mark as open."));
		diag_since(c, fd, DIAG_SINCE_STATE);
	} else {
		fd = diag_unavailable(c, DIAG_RULE_ACTIVITY_INACTIVE);
		diag_say(fd, _("The chat activity has a statecode chatsync does not know (%d)."), ch->state);
		diag_fix(fd, "%s", _("Check the activity's status in Dynamics 365, then run chatsync refresh."));
	}
	diag_evidence(c, fd, "statecode", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s (%d)", diag_state_text(ch->state),
		      ch->state);
}

/* inactive-too-long and inactive-soon: Dataverse stops receiving a chat's notifications once it
 * has not been updated for the environment's limit (DOMAIN.md's best reading of "seven days").
 * Only open rows: a closed row does not sync anyway and says so above. */
static void rule_inactivity(struct diag_ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	const struct cs_env *env = c->f->env;
	if (!c->has_row || !(ch->state == CS_STATE_OPEN || ch->state == CS_STATE_SCHEDULED))
		return;
	int days = cs_env_inactivity_days(env);
	bool days_known = env && env->inactivity_days >= 1 && env->inactivity_days <= 28;
	char when[64], age[32];
	if (ch->modified_in_teams_on == 0) {
		struct diag_finding *fd = diag_unavailable(c, DIAG_RULE_INACTIVE_TOO_LONG);
		diag_say(fd, "%s", _("The chat activity has no modifiedinteamson, so chatsync cannot tell how long "
			 "the chat has been quiet."));
		diag_evidence(c, fd, "modifiedinteamson", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s", _("not set"));
		diag_fix(fd, "%s", _("Run chatsync refresh; if it stays empty, Dataverse has not heard from the "
			 "chat since it was connected."));
		return;
	}
	int64_t limit = (int64_t)days * 86400;
	int64_t quiet = c->now - ch->modified_in_teams_on;
	int64_t window = (int64_t)c->r->warn_hours * 3600;
	cs_time deadline = ch->modified_in_teams_on + limit;
	struct diag_finding *fd;
	if (quiet > limit) {
		fd = diag_found(c, DIAG_RULE_INACTIVE_TOO_LONG);
		diag_say(fd, _("The chat was last updated in Teams %s ago, longer than the %d-day limit, which "
			 "passed at %s, so Dataverse no longer hears about its changes."),
			 time_format_age(ch->modified_in_teams_on, c->now, age, sizeof age), days,
			 time_format_human(deadline, when, sizeof when));
		diag_fix(fd, "%s", _("Connect the chat again from the record if it should sync: Dynamics 365 "
			 "stops syncing chats that stay quiet past the limit, and Microsoft documents no "
			 "way to resume them."));
	} else if (limit - quiet <= window) {
		fd = diag_found(c, DIAG_RULE_INACTIVE_SOON);
		diag_say(fd, _("The chat was last updated in Teams %s ago and reaches the %d-day limit at %s."),
			 time_format_age(ch->modified_in_teams_on, c->now, age, sizeof age), days,
			 time_format_human(deadline, when, sizeof when));
		/* Best reading: any update a user makes in Teams moves modifiedinteamson. */
		diag_fix(fd, _("Update the chat in Teams before %s (post in it or rename it) if it should keep "
			 "syncing."), time_format_human(deadline, when, sizeof when));
	} else {
		return;
	}
	diag_evidence(c, fd, "modifiedinteamson", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
		      time_format_human(ch->modified_in_teams_on, when, sizeof when));
	if (days_known)
		diag_evidence(c, fd, "daysbeforeinactiveteamschatsyncdisabled", DIAG_SRC_DATAVERSE,
			      env->org_fetched_at, _("%d days"), days);
	else
		diag_evidence(c, fd, "daysbeforeinactiveteamschatsyncdisabled", DIAG_SRC_DATAVERSE,
			      env ? env->org_fetched_at : 0, _("not set (default %d days)"), days);
}

/* chat-sync-not-enabled: syncstatus 0 blocks; Pending is normal right after connecting and only
 * worth a warning once it lasts longer than DIAG_PENDING_GRACE. */
static void rule_chat_sync_status(struct diag_ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	if (!c->has_row || ch->sync_status == CS_SYNC_ENABLED)
		return;
	struct diag_finding *fd;
	char when[64], age[32];
	if (ch->sync_status == CS_SYNC_NOT_ENABLED) {
		fd = diag_found(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
		diag_say(fd, "%s", _("Dataverse has not enabled sync for this chat activity (syncstatus Not "
			 "Enabled)."));
		diag_fix(fd, "%s", _("Check that sync is on for the environment, then connect the chat again from "
			 "the record so Dataverse sets it up."));
		diag_since(c, fd, DIAG_SINCE_SYNC_STATUS);
	} else if (ch->sync_status == CS_SYNC_PENDING) {
		cs_time since = ch->linked_on ? ch->linked_on : ch->created_on;
		if (since == 0) {
			fd = diag_unavailable(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			diag_say(fd, "%s", _("Sync for this chat is Pending, but neither linkedon nor createdon says "
				 "since when."));
			diag_fix(fd, "%s", _("Run chatsync refresh; if it stays Pending, connect the chat again from "
				 "the record."));
		} else if (c->now - since > DIAG_PENDING_GRACE) {
			fd = diag_found(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			fd->severity = DIAG_WARNING;
			diag_say(fd, _("Sync for this chat has been Pending for %s; it normally takes minutes."),
				 time_format_age(since, c->now, age, sizeof age));
			diag_fix(fd, "%s", _("Check that the Dataverse Chat Sync app is in the chat and that RSC for "
				 "chats is allowed; if it stays Pending, connect the chat again from the "
				 "record."));
		} else {
			fd = diag_found(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
			fd->severity = DIAG_INFO;
			diag_say(fd, _("Sync for this chat is being set up (Pending for %s)."),
				 time_format_age(since, c->now, age, sizeof age));
		}
		diag_evidence(c, fd, ch->linked_on ? "linkedon" : "createdon", DIAG_SRC_DATAVERSE, ch->fetched_at,
			      "%s", diag_time_text(since, when, sizeof when));
	} else {
		fd = diag_unavailable(c, DIAG_RULE_CHAT_SYNC_NOT_ENABLED);
		diag_say(fd, "%s", _("The chat activity has no syncstatus, so chatsync cannot tell whether "
			 "Dataverse set up its sync."));
		diag_fix(fd, "%s", _("Run chatsync refresh; if syncstatus stays empty, look at the activity in "
			 "Dynamics 365."));
	}
	diag_evidence(c, fd, "syncstatus", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
		      ch->sync_status == CS_SYNC_NOT_ENABLED ? _("Not Enabled (0)")
		      : ch->sync_status == CS_SYNC_PENDING ? _("Pending (1)") : _("not set"));
}

/* sync-error: lastsyncerror on the row, or syncerror rows regarding the chat. The syncerror
 * rows are read with the chat (its chat_SyncErrors), so they carry the row's fetch time. */
static void rule_sync_error(struct diag_ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	size_t n = c->f->errors ? c->f->n_errors : 0;
	bool last = ch && ch->last_sync_error != 0;
	if (!last && n == 0)
		return;
	struct diag_finding *fd = diag_found(c, DIAG_RULE_SYNC_ERROR);
	cs_time fetched = ch ? ch->fetched_at : 0;
	if (n > 0)
		diag_say(fd, ngettext("Dataverse recorded %zu sync error for this chat.",
			 "Dataverse recorded %zu sync errors for this chat.", n), n);
	else
		diag_say(fd, "%s", _("Dataverse recorded a sync error on this chat activity."));
	if (last)
		diag_evidence(c, fd, "lastsyncerror", DIAG_SRC_DATAVERSE, fetched, "%d", ch->last_sync_error);
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
		diag_evidence(c, fd, "syncerror", DIAG_SRC_DATAVERSE, fetched, "%s", v.data);
		buf_free(&v);
	}
	if (n > SHOWN)
		diag_evidence(c, fd, "syncerror", DIAG_SRC_DATAVERSE, fetched, _("%zu more"), n - (size_t)SHOWN);
	diag_fix(fd, "%s", _("Read the errors above (the chat's syncerror rows in Dataverse), fix their cause, "
		 "then run chatsync refresh to see whether new ones appear."));
}

/* unlinked: unlinkedon set on the row, or the association says Disassociate. */
static void rule_unlinked(struct diag_ctx *c)
{
	const struct cs_chat *ch = c->f->chat;
	const struct cs_assoc *a = c->f->assoc;
	if (!c->unlinked)
		return;
	struct diag_finding *fd = diag_found(c, DIAG_RULE_UNLINKED);
	char when[64];
	if (ch && ch->unlinked_on) {
		diag_say(fd, _("The chat was unlinked from its record on %s, so it no longer syncs."),
			 time_format_human(ch->unlinked_on, when, sizeof when));
		diag_evidence(c, fd, "unlinkedon", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
			      time_format_human(ch->unlinked_on, when, sizeof when));
		if (ch->unlinked_by && *ch->unlinked_by)
			diag_evidence(c, fd, "unlinkedby", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s", ch->unlinked_by);
	} else {
		diag_say(fd, "%s", _("The chat was disconnected from its record, so it no longer syncs."));
	}
	if (a && a->record_state == CS_ASSOC_DISASSOCIATE)
		diag_evidence(c, fd, "msdyn_entityrecordstate", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			      _("Disassociate"));
	diag_fix(fd, "%s", _("If the chat should sync, connect it to the record again from Dynamics 365; "
		 "otherwise nothing needs doing."));
}

/* regarding-activity: chats connected to an activity get no activity row (Microsoft: an activity
 * cannot regard another activity). */
static void rule_regarding_activity(struct diag_ctx *c)
{
	if (!c->regards_activity)
		return;
	const struct cs_chat *ch = c->f->chat;
	const struct cs_assoc *a = c->f->assoc;
	struct diag_finding *fd = diag_found(c, DIAG_RULE_REGARDING_ACTIVITY);
	diag_say(fd, _("The chat is connected to an activity (%s): chats connected to activities never get "
		 "a chat activity row, so they do not sync."), c->regarding_table);
	if (a && diag_is_activity_table(a->regarding_table))
		diag_evidence(c, fd, "msdyn_regardingobjectname", DIAG_SRC_DATAVERSE, a->fetched_at, "%s",
			      a->regarding_table);
	if (ch && diag_is_activity_table(ch->regarding_type))
		diag_evidence(c, fd, "regardingobjecttypecode", DIAG_SRC_DATAVERSE, ch->fetched_at, "%s",
			      ch->regarding_type);
	diag_fix(fd, "%s", _("Connect the chat to the record the activity is about (the account, contact, "
		 "case…) instead: only chats connected to records that are not activities sync."));
}

/* Graph checks that cannot apply: a chat gone from Teams, unlinked, or without an activity row
 * cannot sync whatever its apps and grants are, so asking about them would only add unknowns
 * (and would tell the admin to fix the wrong thing first). */

void diag_rules_dataverse(struct diag_ctx *c)
{
	rule_sync_disabled(c);
	rule_connected_before_sync(c);
	rule_activity_inactive(c);
	rule_inactivity(c);
	rule_chat_sync_status(c);
	rule_sync_error(c);
	rule_unlinked(c);
	rule_regarding_activity(c);
}
