/* Rendering diagnoses: the plain-text report `diagnose` prints, the JSON document of the
 * command-line contract, and the `check` summary with its exit code. Pure; no colour codes
 * (the caller adds colour). */
#ifndef CHATSYNC_DIAG_REPORT_H
#define CHATSYNC_DIAG_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include "core/diagnose.h"

struct cJSON;

/* One evidence item as a line: "modifiedinteamson 2026-11-14 09:12 UTC (Dataverse, fetched
 * 3 min ago)", with ": stale" after the age of a stale fact and no age when the fetch time is
 * unknown. Borrows e; caller owns the string. */
char *diag_evidence_text(const struct diag_evidence *e, cs_time now);

/* The verdict in words for people ("not syncing"), translated; diag_verdict_name is the contract's. */
const char *diag_verdict_text(enum diag_verdict v);

/* A short report: verdict first, then findings by severity, each with its evidence and
 * remedy, wrapped to width columns (<= 0: 80). chat_label (may be NULL) heads it, e.g.
 * "Deal room (19:...@thread.v2)". Borrows r; caller owns the string. */
char *diag_report_text(const struct diag_result *r, const char *chat_label, int width);

/* {"chat":…,"verdict","diagnosed_at","findings":[{"rule","severity","check","title","summary",
 * "evidence":[{"fact","value","source","fetched_at","stale"}],"remedy"}]}. Takes ownership of
 * chat (the caller's chats-row object; NULL gives "chat":null); borrows r; caller owns the result.
 * `fetched_at` is ISO 8601 UTC or null; `check` names the rule a check-unavailable is about. */
struct cJSON *diag_report_json(const struct diag_result *r, struct cJSON *chat);

/* The `check` command's tally over any number of diagnoses (all environments). */
struct diag_check {
	size_t not_syncing, at_risk, unknown, syncing;
	size_t going_stale;          /* chats with an inactive-soon finding */
	bool any_blocking, any_unknown, any_warning;
	int warn_hours;              /* the look-ahead of the diagnoses, for the summary */
};

void diag_check_init(struct diag_check *s);
void diag_check_add(struct diag_check *s, const struct diag_result *r);
/* Adds the tallies of more to s, as if more's chats had been added to s. */
void diag_check_merge(struct diag_check *s, const struct diag_check *more);
/* Contract: 0 all syncing, 1 warnings, 2 blocking findings, 3 unknown. Precedence: any
 * blocking finding → 2, else any check that could not run → 3, else any warning → 1, else 0.
 * Unknown outranks warnings because a monitor must not read "only warnings" while some chat
 * could not be checked at all; it counts unknown findings, so a chat that is at risk and has an
 * unchecked rule also makes it 3. Info findings never change it. */
int diag_check_exit_code(const struct diag_check *s);
/* "3 chats not syncing, 12 at risk (go stale within 24 h), 40 syncing". Caller owns. */
char *diag_check_summary(const struct diag_check *s);

#endif
