/* The console's worker: the refresh and the one write run here, on a thread of their own with
 * their own cache connection, so the thread that reads keys never waits on the network. What the
 * work has to say (progress, "re-read the cache", a device code to show, a question to ask) is
 * posted under a lock and taken by the event loop on its next turn; a question blocks the worker
 * (never the loop) until the loop answers it. Internal to src/ui/. */
#ifndef CHATSYNC_UI_WORKER_H
#define CHATSYNC_UI_WORKER_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "ui/ui.h"

enum worker_kind { WORKER_REFRESH, WORKER_TOGGLE };

enum worker_ask {
	WORKER_ASK_NONE,
	WORKER_ASK_CONFIRM,     /* y/N on the plan */
	WORKER_ASK_NAME,        /* type the environment's unique name (production) */
	WORKER_ASK_PASSPHRASE,  /* a key's passphrase */
};

/* The toggle's plan, copied for the loop (the worker's is borrowed only during its callback). */
struct worker_plan {
	char *env, *friendly, *purpose, *url;
	int old;               /* CS_TRUE, CS_FALSE, CS_UNKNOWN */
	bool want;
	char *identity;
	bool delegated, production;
	size_t unrecorded;
	int rsc_state;
	int round;
};

/* What the loop takes on one turn; the strings are owned by the caller (worker_news_free). */
struct worker_news {
	char *line;            /* the latest progress or note line, NULL when nothing new */
	bool reload;           /* an environment was written: re-read the cache */
	bool device;           /* a device-code sign-in began: the three below are set */
	char *device_msg, *device_code, *device_uri;
	bool device_over;      /* the sign-in went on (progress came after the code) */
	enum worker_ask ask;   /* a new question, WORKER_ASK_NONE when none */
	struct worker_plan plan;
	char *ask_what;        /* the passphrase's key */
	bool done;             /* the work ended: rc, err and (a toggle) res are final */
};

struct worker;

/* Starts kind on its thread: a refresh, or turning sync of env (unique name or id) on or off.
 * Borrows cfg, profile and cache_path (the profile's cache) for the worker's life. Returns NULL with err when the thread cannot start. */
struct worker *worker_start(const struct ui_config *cfg, const struct conf_profile *profile, const char *cache_path,
			    enum worker_kind kind, const char *env, bool want, struct cs_error *err);
enum worker_kind worker_kind(const struct worker *w);
/* Takes what was posted since the last call. */
void worker_poll(struct worker *w, struct worker_news *news);
void worker_news_free(struct worker_news *news);
/* Answers the pending question: 1 yes (or the name matched), 0 no, -1 cancelled; text is the
 * passphrase (copied, then wiped by the worker). */
void worker_answer(struct worker *w, int answer, const char *text);
/* Asks the work to stop soon (a pending question is answered "cancel"). */
void worker_cancel(struct worker *w);
/* Waits for the end (after done, or after worker_cancel), returns its status and frees w; err and
 * *res (a toggle's, may be NULL) take the outcome. */
int worker_join(struct worker *w, struct cs_error *err, struct toggle_result *res);

void worker_plan_free(struct worker_plan *p);

#endif
