/* The interactive console (ncursesw): environments, their chats, a chat's diagnosis, the tenant's
 * RSC state, the audit trail, the message log, help. main.c fills a struct ui_config and calls
 * ui_run when no command is given; the console reaches the cloud only through sync/ (the refresh
 * and the one write), on a worker thread of its own, never on the thread that reads keys. */
#ifndef CHATSYNC_UI_H
#define CHATSYNC_UI_H
#include <stdbool.h>
#include "base/error.h"
#include "core/model.h"
#include "sync/refresh.h"
#include "sync/session.h"
#include "sync/toggle.h"

/* The one write, as sync/toggle.h declares it; main.c hands in toggle_run (a test driver its own
 * stand-in with the same contract). NULL: `t` says how to toggle from the shell. */
typedef int (*ui_toggle_fn)(const struct conf_profile *p, struct cache *cache, const struct toggle_opts *o,
			    struct toggle_result *res, struct cs_error *err);

struct ui_config {
	struct session *session;  /* borrowed: profile (NULL on --cache alone), cache (this thread's), cache_path */
	bool readonly;            /* --readonly or the profile's readonly: `t` refused, badge in the title */
	bool no_color;            /* --no-color (NO_COLOR is honoured too) */
	bool mouse;               /* --mouse or the profile's mouse = true: click selects, wheel scrolls */
	bool demo;                /* the demo tenant: the title says so */
	bool refresh_at_start;    /* start a refresh in the background at once (--demo, --refresh); an
				     empty cache, or one not refreshed for a day, is refreshed anyway */
	int warn_hours;           /* look-ahead of "at risk" */
	cs_time now;              /* the clock at start (0: the system's); ages advance from it */
	ui_toggle_fn toggle;
	/* The refresh behind `r`; NULL: sync/'s refresh_run over session_net_open. A test driver
	 * hands in a stand-in with refresh_run's contract (it is given a NULL transport). */
	int (*refresh)(struct net *net, struct cache *cache, const struct refresh_opts *opts,
		       struct refresh_report *rep, struct cs_error *err);
	bool refresh_without_net; /* the stand-in needs no transport: do not open one */
};

/* Runs the console on the terminal until the user quits or the session ends (SIGHUP, SIGTERM,
 * a closed terminal), then restores the terminal. Honours $CHATSYNC_UI_SCRIPT (a file of keys fed
 * before the terminal's) and $CHATSYNC_UI_DUMP (a file the screen is written to after every
 * draw, for tests). Returns an exit code; on failure err says why (2: no usable terminal, or
 * one below 40x12). */
int ui_run(const struct ui_config *cfg, struct cs_error *err);

#endif
