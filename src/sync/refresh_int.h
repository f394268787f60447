/* Shared between the refresh's own files (sync-internal). */
#ifndef CHATSYNC_REFRESH_INT_H
#define CHATSYNC_REFRESH_INT_H
#include "sync/refresh.h"
#include "core/conf.h"
#include "core/model.h"

struct refresh {
	struct net *net;
	struct cache *cache;
	const struct conf_profile *profile;
	const struct refresh_opts *opts;
	struct refresh_report *rep;
	cs_time now;
	struct cs_error first_err;
	bool have_err;
	/* Teams chat ids whose Dataverse rows changed in this run (their details are fetched again). */
	char **changed;
	size_t n_changed, cap_changed;
	size_t envs_total, envs_done;
};

void refresh_note_changed(struct refresh *r, const char *teams_chat_id);
void refresh_report_progress(struct refresh *r, const char *phase, const char *env, size_t done, size_t total);
/* Phase 2: the tenant RSC state and the Graph details of the refreshed environments' chats. */
int refresh_details(struct refresh *r, char *const *env_ids, size_t n_env_ids, struct cs_error *err);

#endif
