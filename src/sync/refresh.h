/* The refresh planner: from the cloud into the cache. Environments are read in parallel; Dataverse
 * first (it is the list of what exists), with change tracking when a delta link is kept; then the
 * Graph details of the chats, riskiest first (open chats nearest their inactivity limit), paced to
 * the Teams limits by the transport; details younger than a TTL are not fetched again unless the chat
 * changed. Each page of Dataverse rows is written as it comes, unseen until its environment is read
 * to the end; then the environment shows them at once. One that fails keeps its last good data
 * and records the error. A 403 becomes a recorded "could not check" fact, not a failed refresh. */
#ifndef CHATSYNC_REFRESH_H
#define CHATSYNC_REFRESH_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "core/model.h"

struct net;
struct cache;
struct conf_profile;

struct refresh_progress {
	const char *phase;          /* "discovery", "dataverse", "graph", "done" */
	const char *env;            /* the environment just finished, or NULL */
	size_t done, total;         /* units of the phase: environments, then chats */
	unsigned long requests, throttled, errors;
	unsigned long in_flight;    /* requests queued and not yet answered */
};
typedef void (*refresh_progress_fn)(const struct refresh_progress *p, void *user);

struct refresh_opts {
	char *const *envs;          /* environments to refresh (names or ids); none: all */
	size_t n_envs;
	bool no_details;            /* skip the Graph details */
	bool full;                  /* ignore kept delta links */
	int detail_ttl_s;           /* 0: 3600 */
	const char *chat;           /* only this Teams chat's details (diagnose --refresh); NULL: all */
	size_t window;              /* at most this many chats' Graph requests queued at once; 0: 256 */
	const struct conf_profile *profile; /* NULL: the transport's */
	refresh_progress_fn progress;
	void *user;
};

struct refresh_report {
	size_t envs_ok, envs_failed;
	size_t chats_read, chats_deleted, details_fetched;
	size_t details_left;        /* chats whose Graph details an interruption left unfetched */
	bool delta_used;
	size_t rows_held_max;       /* the most Dataverse rows held in memory at once (a page's) */
	unsigned long requests, throttled, errors;
	/* The Graph facts the refresh could not read, by class: such a refresh is not a clean one. */
	unsigned long denied, not_found, server_errors, unparsable, not_member;
	char denied_needs[160];     /* the permissions the 403s named, "A, B" */
	char failed_envs[256];      /* the environments whose refresh failed, "a, b" */
};

/* Runs a refresh. Returns 0 when every environment was refreshed, 1 when some failed (their errors
 * are in the cache and in err), -1 when nothing could be done (sign-in, discovery, cancel). */
int refresh_run(struct net *net, struct cache *cache, const struct refresh_opts *opts, struct refresh_report *rep,
		struct cs_error *err);

/* True when some Graph fact could not be read (refused, failing, unparsable): the refresh ran, but it
 * could not check everything. A chat Teams no longer has (404) is a fact, not a failure; chats out of
 * a delegated sign-in's sight are counted but are that sign-in's nature (check reports them as
 * unknown). */
bool refresh_incomplete(const struct refresh_report *rep);
/* The classes of what could not be read, in words ("could not read 371 facts: 371 refused (403, needs
 * A, B), ..."), or NULL when everything was read. Caller frees. */
char *refresh_unread_text(const struct refresh_report *rep);

struct session_hooks;
/* The same on a transport of its own for profile p (session_net_open), cancelled by *cancel. */
int refresh_profile(const struct conf_profile *p, struct cache *cache, volatile sig_atomic_t *cancel,
		    const struct session_hooks *hooks, const struct refresh_opts *opts, struct refresh_report *rep,
		    struct cs_error *err);

#endif
