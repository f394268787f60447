/* Why a connected Teams chat does or does not sync: the rules of DESIGN.md's rule table as pure
 * functions over cached facts. Every finding names the facts it used, where each came from and
 * when it was fetched, and says what to do. A check that could not run is reported as
 * `check-unavailable` (severity unknown), never as a pass. No curses, curl or SQL here. */
#ifndef CHATSYNC_DIAGNOSE_H
#define CHATSYNC_DIAGNOSE_H
#include <stddef.h>
#include "core/model.h"

/* Severities, in the order findings are sorted and reported. */
enum diag_severity {
	DIAG_BLOCKING = 0,
	DIAG_WARNING,
	DIAG_UNKNOWN,
	DIAG_INFO,
};

/* The rule table, declared once (tig's REQ_ idea): X(NAME, "id", default severity, title).
 * It yields enum diag_rule, the contract ids used in JSON, the severities and the titles the
 * help screen lists. Ids are part of the command-line contract: only ever append. */
#define DIAG_RULE_LIST(X) \
	X(SYNC_DISABLED, "sync-disabled", DIAG_BLOCKING, N_("Sync is turned off for the environment")) \
	X(CONNECTED_BEFORE_SYNC, "connected-before-sync", DIAG_BLOCKING, \
	  N_("Chat was connected before sync was turned on")) \
	X(ACTIVITY_INACTIVE, "activity-inactive", DIAG_BLOCKING, N_("Chat activity is no longer open")) \
	X(INACTIVE_TOO_LONG, "inactive-too-long", DIAG_BLOCKING, \
	  N_("Chat was not updated within the inactivity limit")) \
	X(INACTIVE_SOON, "inactive-soon", DIAG_WARNING, N_("Chat will reach the inactivity limit soon")) \
	X(CHAT_SYNC_NOT_ENABLED, "chat-sync-not-enabled", DIAG_BLOCKING, \
	  N_("Sync is not enabled on the chat activity")) \
	X(SYNC_ERROR, "sync-error", DIAG_WARNING, N_("Dataverse recorded sync errors for the chat")) \
	X(UNLINKED, "unlinked", DIAG_BLOCKING, N_("Chat was unlinked from its record")) \
	X(REGARDING_ACTIVITY, "regarding-activity", DIAG_BLOCKING, N_("Chat is connected to an activity")) \
	X(APP_NOT_INSTALLED, "app-not-installed", DIAG_BLOCKING, \
	  N_("Dataverse Chat Sync app is not installed in the chat")) \
	X(RSC_DISABLED, "rsc-disabled", DIAG_BLOCKING, \
	  N_("Resource-specific consent for chats is turned off in the tenant")) \
	X(RSC_GRANT_MISSING, "rsc-grant-missing", DIAG_WARNING, \
	  N_("Dataverse Chat Sync has no permission grant in the chat")) \
	X(CHAT_NOT_FOUND, "chat-not-found", DIAG_BLOCKING, N_("Chat was not found in Teams")) \
	X(CHECK_UNAVAILABLE, "check-unavailable", DIAG_UNKNOWN, N_("A check could not run"))

#define DIAG_RULE_ENUM_(name, id, severity, title) DIAG_RULE_##name,
enum diag_rule { DIAG_RULE_LIST(DIAG_RULE_ENUM_) DIAG_RULE_COUNT };
#undef DIAG_RULE_ENUM_

enum diag_verdict {
	DIAG_VERDICT_SYNCING = 0,
	DIAG_VERDICT_AT_RISK,
	DIAG_VERDICT_NOT_SYNCING,
	DIAG_VERDICT_UNKNOWN,
};

/* Evidence sources. */
#define DIAG_SRC_DATAVERSE "Dataverse"
#define DIAG_SRC_GRAPH "Graph"
#define DIAG_SRC_ENTRA "Entra"
#define DIAG_SRC_CHATSYNC "chatsync"

/* A fact older than this at diagnosis time is marked stale: the cloud may have moved on. */
#define DIAG_STALE_AFTER (24 * 3600)
/* inactive-soon looks this many hours ahead unless the caller asks otherwise. */
#define DIAG_DEFAULT_WARN_HOURS 24
/* A chat activity may stay Pending this long before it is worth a warning. */
#define DIAG_PENDING_GRACE 3600

/* One fact a finding used. */
struct diag_evidence {
	char *fact;           /* column, property or request, e.g. "modifiedinteamson" */
	char *value;          /* as text, e.g. "2026-11-14 09:12 UTC", "never fetched" */
	const char *source;   /* one of DIAG_SRC_* (static) */
	cs_time fetched_at;   /* 0: not known, or not fetched at all (the value says which) */
	bool stale;           /* fetched more than DIAG_STALE_AFTER before the diagnosis */
};

struct diag_finding {
	enum diag_rule rule;
	enum diag_severity severity;
	enum diag_rule check;  /* for check-unavailable: the rule that could not be checked; else == rule */
	char *summary;         /* one sentence, translated */
	char *remedy;          /* what to do and where, translated; NULL when there is nothing to do */
	struct diag_evidence *evidence;
	size_t n_evidence;
};

struct diag_result {
	enum diag_verdict verdict;
	cs_time now;                   /* the diagnosis time, for "fetched N min ago" */
	int warn_hours;                /* the look-ahead used for inactive-soon */
	struct diag_finding *findings; /* sorted: severity, then rule table order */
	size_t n_findings;
};

/* Since when facts have held, from the cache's history: the time of the refresh that saw the current
 * value come (or, when first[i], that first saw the subject with it); 0: not known. */
enum diag_since_fact {
	DIAG_SINCE_APP_INSTALLED, DIAG_SINCE_GRANT, DIAG_SINCE_STATE, DIAG_SINCE_SYNC_STATUS, /* the chat's */
	DIAG_SINCE_SYNC_ENABLED,                                                          /* its environment's */
	DIAG_SINCE_RSC_STATE,                                                             /* the tenant's */
	DIAG_SINCE_COUNT
};
struct diag_since {
	cs_time at[DIAG_SINCE_COUNT];
	bool first[DIAG_SINCE_COUNT];
};

/* The facts one diagnosis reads; all borrowed, any pointer may be NULL. */
struct diag_facts {
	const struct cs_env *env;
	const struct cs_chat *chat;           /* NULL if no chat row is cached */
	const struct cs_assoc *assoc;         /* NULL if no association row */
	const struct cs_sync_error *errors;   /* syncerror rows regarding the chat */
	size_t n_errors;
	const struct cs_graph_chat *graph;    /* NULL if Graph was never asked about this chat */
	const struct cs_rsc *rsc;             /* NULL if the tenant RSC state was never fetched */
	cs_time now;                          /* 0: time_now() */
	int warn_hours;                       /* <= 0: DIAG_DEFAULT_WARN_HOURS */
	const struct diag_since *since;       /* NULL: no history */
};

/* Runs every rule over facts into out (which the caller then owns; free with diag_result_free).
 * Borrows facts. Never fails: missing facts become check-unavailable findings. */
void diag_run(const struct diag_facts *facts, struct diag_result *out);
void diag_result_free(struct diag_result *r);   /* frees members, not r itself */
/* The verdict its findings give: not_syncing if any blocking, else at_risk if any warning, else
 * unknown if any unknown, else syncing. */
enum diag_verdict diag_verdict_of(const struct diag_result *r);
/* The rules of r's findings, info ones left out, as "rule,rule" (check-unavailable as
 * "check-unavailable:RULE"); caller owns. */
char *diag_result_rules(const struct diag_result *r);
/* Drops the findings whose rule is in previous (a diag_result_rules list; NULL: none is dropped,
 * everything is new) and sets the verdict from what is left: the findings new since then. */
void diag_result_keep_new(struct diag_result *r, const char *previous);

/* Rule table lookups. diag_rule_title is translated. Out-of-range rules give NULL. */
const char *diag_rule_id(enum diag_rule rule);
const char *diag_rule_title(enum diag_rule rule);
enum diag_severity diag_rule_severity(enum diag_rule rule);
int diag_rule_parse(const char *id);          /* enum diag_rule, or -1 */
const char *diag_severity_name(enum diag_severity s);  /* contract spelling: "blocking" ... */
const char *diag_verdict_name(enum diag_verdict v);    /* contract spelling: "not_syncing" ... */

/* True if table (a Dataverse logical name) is an activity table: chats connected to such a
 * record get no Teams chat activity row. */
bool diag_is_activity_table(const char *table);

#endif
