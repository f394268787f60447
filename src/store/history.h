/* The history of what the refreshes saw: per chat, per environment and for the tenant, every change
 * of verdict and of each fact that feeds a rule, with the time of the refresh that saw it. A
 * recording stages what holds now, then compares it with what was last seen in one set-based pass,
 * so a refresh of 100,000 chats costs a few statements, not a query per chat. */
#ifndef CHATSYNC_STORE_HISTORY_H
#define CHATSYNC_STORE_HISTORY_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "core/model.h"

struct cache;

/* What a fact is about. */
enum history_scope { HISTORY_CHAT, HISTORY_ENV, HISTORY_TENANT };

/* One recording, between cache_history_begin and cache_history_end (inside its own transaction). */
struct cache_history;
int cache_history_begin(struct cache *c, cs_time at, struct cache_history **out, struct cs_error *err);
/* What holds now: fact (e.g. "verdict", "sync_enabled") of subject id (a Teams chat id, an
 * environment id, "tenant") in environment env_id (NULL for the tenant) has value (NULL: unknown);
 * rule names the finding behind a verdict (NULL otherwise). */
int cache_history_put(struct cache_history *h, enum history_scope scope, const char *id, const char *env_id,
		      const char *fact, const char *value, const char *rule, struct cs_error *err);
/* Compares with what was last seen, appends the changes to the history (a subject seen for the
 * first time records only its verdict, as "first seen"; a chat no longer there records "removed"),
 * forgets history older than keep_days (> 0), and commits. Returns the number of changes recorded,
 * or -1 with err (nothing recorded). Frees h either way. */
long cache_history_end(struct cache_history *h, int keep_days, struct cs_error *err);
void cache_history_abort(struct cache_history *h);

/* One recorded change. */
struct cache_change {
	cs_time time;
	int scope;          /* enum history_scope */
	char *id;           /* Teams chat id, environment id or "tenant" */
	char *env_id;
	char *env_name;     /* the environment's unique name, when still cached */
	char *subject;      /* the chat's subject, when still cached */
	char *fact;
	char *old_value;    /* NULL: first seen */
	char *new_value;    /* NULL: unknown, or removed (fact "removed") */
	char *rule;
};

struct cache_change_filter {
	const char *chat;   /* a Teams chat id (or activity id): that chat's changes and its environment's */
	const char *env_id; /* an environment's changes and its chats' */
	cs_time since;      /* only changes after this time (0: all) */
};
/* Changes newest first. *out is owned by the caller (cache_change_free each, then free). */
int cache_list_changes(struct cache *c, const struct cache_change_filter *f, struct cache_change **out, size_t *n,
		       struct cs_error *err);
void cache_change_free(struct cache_change *ch);

/* Since when fact of id has had its current value (0: never recorded); *first (may be NULL): it has
 * held since the subject was first seen, so the change itself was not seen. */
cs_time cache_fact_since(struct cache *c, enum history_scope scope, const char *id, const char *fact, bool *first);
struct cache_facts;
/* Fills f->since for the chat, its environment and the tenant. */
void cache_facts_since(struct cache *c, struct cache_facts *f);

/* One `check`'s record of what it reports per chat, replacing the previous check's: begin (a read
 * transaction, the snapshot the check reads), then for each chat get what the previous check reported
 * ("rule,rule"; NULL: nothing recorded; caller frees) and put what this one reports, then end (ends
 * the read and replaces the record in one write) or abort. */
struct cache_check_seen;
struct cache_check_seen *cache_check_seen_begin(struct cache *c, struct cs_error *err);
char *cache_check_seen_get(struct cache_check_seen *h, const char *id);
int cache_check_seen_put(struct cache_check_seen *h, const char *id, const char *findings, struct cs_error *err);
int cache_check_seen_end(struct cache_check_seen *h, struct cs_error *err);
void cache_check_seen_abort(struct cache_check_seen *h);

/* Small named values kept in the cache (the time of the last `changes`, the findings of the last
 * `check`). Caller owns the string; NULL when unset. */
char *cache_meta_get(struct cache *c, const char *key);
int cache_meta_set(struct cache *c, const char *key, const char *value, struct cs_error *err);

#endif
