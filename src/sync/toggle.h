/* The one write chatsync makes: turn "Sync Teams chat data with Dynamics 365 records"
 * (organization.teamschatdatasync) on or off for one environment. Read the row fresh (with its
 * ETag), find out who is signed in, check that they may make the change, gather what the person
 * must know first (as data: the front end words and lays it out), ask through the front end's
 * confirm callback, PATCH with If-Match, read again and ask again on 412, and audit every outcome
 * (the cache's audit table and audit.log, through store/). `chatsync sync` and the console's
 * worker both run this; neither prints nor asks anything here itself. */
#ifndef CHATSYNC_SYNC_TOGGLE_H
#define CHATSYNC_SYNC_TOGGLE_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "core/conf.h"
#include "core/model.h"
#include "sync/session.h"

struct cache;

/* What the person is asked to confirm. Everything is borrowed for the callback's duration. */
struct toggle_plan {
	const struct cs_env *env;  /* as just read: unique_name, friendly_name, purpose, url, sync_enabled */
	int old;                   /* CS_TRUE, CS_FALSE or CS_UNKNOWN */
	bool want;                 /* true: turn on */
	const char *identity;      /* who is signed in: a user's UPN, or the app's client id */
	bool delegated;            /* a person signed in (else the app itself) */
	bool production;           /* confirm by typing the environment's unique name, not y/N */
	size_t unrecorded;         /* turning on: connected chats of the environment without an activity
				      row (they will not sync until reconnected) */
	int rsc_state;             /* enum cs_rsc_state of the tenant; CS_RSC_UNKNOWN when never read */
	int round;                 /* 0, then 1.. after a 412 re-read showed the row had changed */
};

/* The audit's words for a setting: "on", "off", "unknown". */
const char *toggle_onoff(int v);

/* Returns 1 to write, 0 to cancel, -1 when nobody can be asked (no terminal). For a production
 * environment the front end asks for its unique name and returns 1 only when it was typed exactly. */
typedef int (*toggle_confirm_fn)(const struct toggle_plan *plan, void *user);
/* Shows the plan (the change and its warnings) before it is confirmed, also with --yes. */
typedef void (*toggle_show_fn)(const struct toggle_plan *plan, void *user);

struct toggle_opts {
	const char *env;                 /* unique name, friendly name or id, as in the cache */
	bool want;                       /* true: on */
	bool readonly;                   /* --readonly or the profile's readonly: refused, audited */
	bool assume_yes;                 /* --yes: no confirmation (production names included) */
	toggle_confirm_fn confirm;       /* NULL and !assume_yes: refused, audited */
	toggle_show_fn show;             /* may be NULL */
	void (*note)(const char *line, void *user); /* "changed since it was read; reading it again" */
	void *user;
	volatile sig_atomic_t *cancel;   /* non-zero stops it (before the PATCH is sent) */
	const struct session_hooks *hooks; /* sign-in prompts */
};

struct toggle_result {
	int old, now;        /* CS_TRUE/CS_FALSE/CS_UNKNOWN before and after */
	char *outcome;       /* the audit's result: "ok", "unchanged", "cancelled", "refused: ..." */
	char *identity;      /* who made (or tried) the change */
	char *request_id;    /* of the PATCH, when one was sent */
	char *env;           /* the environment's unique name (NULL when it is not in the cache) */
};

/* Runs the toggle on cache (the caller's own connection) for profile p. Returns 0 when the
 * setting is now as wanted (changed or already so), -1 with err otherwise (2: refused, read-only,
 * not confirmed; 3: network, sign-in, 403). res is filled in both cases; free it. */
int toggle_run(const struct conf_profile *p, struct cache *cache, const struct toggle_opts *o,
	       struct toggle_result *res, struct cs_error *err);
void toggle_result_free(struct toggle_result *res);

#endif
