/* Shared by the diagnosis files alone (nothing outside src/core/diagnose_*.c includes this): the state
 * one diagnosis builds, the helpers that add findings (diagnose_build.c), and the two rule sets the
 * engine calls. */
#ifndef CHATSYNC_DIAGNOSE_INT_H
#define CHATSYNC_DIAGNOSE_INT_H
#include "core/diagnose.h"

struct diag_ctx {
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


/* A finding of rule with its default severity, or of check-unavailable about check; any severity. */
struct diag_finding *diag_found(struct diag_ctx *c, enum diag_rule rule);
struct diag_finding *diag_unavailable(struct diag_ctx *c, enum diag_rule check);
struct diag_finding *diag_add(struct diag_ctx *c, enum diag_rule rule, enum diag_severity sev, enum diag_rule check);
/* The finding's summary and remedy (replacing any before). */
void diag_say(struct diag_finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_fix(struct diag_finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One fact the finding used; stale when fetched more than DIAG_STALE_AFTER before the diagnosis. */
void diag_evidence(struct diag_ctx *c, struct diag_finding *fd, const char *fact, const char *source,
		   cs_time fetched_at, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Evidence of since when the finding's fact has held, from the history (nothing when unknown). */
void diag_since(struct diag_ctx *c, struct diag_finding *fd, enum diag_since_fact which);
/* The facts were never read: the one remedy for all of them. */
void diag_never_fetched(struct diag_finding *fd);
/* A Graph or Entra request that gave no answer the check can use: never fetched, not permitted (naming
 * the permission), or failed. */
void diag_request_failed(struct diag_ctx *c, enum diag_rule check, const char *what, const char *request,
			 const char *source, int status, const char *error, cs_time fetched_at,
			 const char *permission);
/* Words for evidence values, translated where they are prose. */
const char *diag_str(const char *s);                         /* "not set" for NULL or "" */
const char *diag_time_text(cs_time t, char *buf, size_t n);  /* "not set" for 0 */
const char *diag_state_text(int state);
const char *diag_tristate_text(int v);
const char *diag_env_name(const struct cs_env *env);

void diag_rules_dataverse(struct diag_ctx *c);
void diag_rules_graph(struct diag_ctx *c);

#endif
