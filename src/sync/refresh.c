/* The refresh (refresh.h): the phases in order on one shared context — Dataverse for every
 * environment (dataverse.c, which begins on the environments the cache knows while Global Discovery
 * is read, and waits for its answer before committing any), then the Graph details (graph.c). */
#include "config.h"
#include "sync/refresh_ctx.h"
#include "sync/history.h"
#include "base/log.h"
#include "api/dv_parse.h"
#include "api/endpoints.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "auth/auth.h"
#include "net/http.h"
#include "store/cache.h"
#include "sync/session.h"
#include <stdlib.h>
#include <string.h>

static void free_envs(struct cs_env *envs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		cs_env_free(&envs[k]);
	free(envs);
}

/* Keeps the enabled environments asked for; every name asked for must be among them. */
static int select_envs(const struct refresh_opts *opts, struct cs_env *envs, size_t *n, struct cs_error *err)
{
	for (size_t i = 0; i < opts->n_envs; i++) {
		bool found = false;
		for (size_t k = 0; k < *n && !found; k++)
			found = refresh_env_matches(opts->envs[i], &envs[k]);
		if (!found)
			return cs_fail(err, CS_EXIT_USAGE, _("Global Discovery lists no environment \"%s\" for this "
							     "sign-in (see: chatsync envs)"), opts->envs[i]);
	}
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (refresh_wanted(opts, &envs[i]) && envs[i].state == 0)
			envs[kept++] = envs[i];
		else
			cs_env_free(&envs[i]);
	}
	*n = kept;
	return 0;
}

struct discovery {
	struct refresh_discovery d;
	const struct refresh_opts *opts;
};

static void on_instances(struct net *net, const struct net_response *resp, void *user)
{
	(void)net;
	struct discovery *in = user;
	in->d.done = true;
	if (resp->err) {
		in->d.err = *resp->err;
		in->d.rc = -1;
	} else if (dv_parse_instances(resp->body, &in->d.envs, &in->d.n, &in->d.err) ||
		   select_envs(in->opts, in->d.envs, &in->d.n, &in->d.err)) {
		in->d.rc = -1;
	}
}

/* Queues Global Discovery; its request, queued on an idle transport, begins the run (and asks for
 * its token, a sign-in if need be). Then the tokens of the environments the cache holds and the
 * refresh wants are asked for, not after its answer: they belong to that run, so a sign-in that
 * failed at once is not tried again for them, and none is asked when the discovery request
 * failed at once (a secret that cannot be read or a sign-in that failed fails them all alike).
 * Discovery still decides what is read; an environment it no longer lists leaves a token unused. */
static int discovery_start(struct refresh *r, struct discovery *in, const struct cs_env *known, size_t n_known,
			   struct cs_error *err)
{
	char *url = api_discovery_instances_url(r->profile);
	int rc = net_queue(r->net, &(struct net_request){ .url = url, .headers = dv_headers_read, .bucket = "discovery",
							  .resource = conf_discovery_resource(r->profile),
							  .service = "Global Discovery", .done = on_instances, .user = in },
			   err);
	free(url);
	if (rc || net_ask_token(r->net, conf_discovery_resource(r->profile)) != 0)
		return rc;
	for (size_t i = 0; i < n_known; i++)
		if (known[i].url && *known[i].url && known[i].state == 0 && refresh_wanted(r->opts, &known[i]))
			net_ask_token(r->net, known[i].url);
	return 0;
}

static int run_phases(struct net *net, struct cache *cache, const struct refresh_opts *opts,
		      struct refresh_report *rep, struct cs_error *err)
{
	struct refresh r = { .net = net, .cache = cache, .profile = opts->profile ? opts->profile : auth_profile(net),
			     .opts = opts, .rep = rep, .now = time_now(), .purge = VEC_INIT(char *) };
	refresh_ctx_progress(&r, "discovery", NULL, 0, 1);
	struct cs_env *known = NULL;
	size_t n_known = 0;
	struct cs_error e;
	if (cache_list_envs(cache, &known, &n_known, &e)) {
		log_debug("no environment read ahead of discovery: %s", e.msg);
		known = NULL, n_known = 0;
	}
	struct discovery in = { .opts = opts };
	if (discovery_start(&r, &in, known, n_known, err)) {
		free_envs(known, n_known);
		refresh_ctx_free(&r);
		return -1;
	}
	/* Both phases write in a row (Dataverse's pages, then the Graph details as they come): the WAL is
	 * checkpointed every 64 MB instead of every 4 MB, and once after them. A checkpoint copies and
	 * syncs the file on the thread that commits: every 4 MB, the scan's loop stopped ~80 ms, twice
	 * in a 3,000-chat scan, and the first Graph commit copied what the Dataverse phase had left. */
	cache_set_wal_mark(cache, CACHE_WAL_MARK_REFRESH);
	int rc = refresh_dataverse(&r, known, n_known, &in.d, err);
	free_envs(known, n_known);
	free_envs(in.d.envs, in.d.n);
	if (rc == 0 && !opts->no_details)
		rc = refresh_graph(&r, err);
	cache_set_wal_mark(cache, 0);
	refresh_purge(&r);
	/* Phase 3: what the cache now shows, against what it showed: the history of verdicts and facts.
	 * A history that cannot be written does not undo the refresh; it is said. */
	struct cs_error herr = { 0 };
	if (rc == 0 && history_record(cache, r.now, r.profile ? r.profile->history_days : 0, &herr) < 0)
		log_warn("history not recorded: %s", herr.msg);
	refresh_ctx_progress(&r, "done", NULL, 1, 1);
	if (rc == 0 && r.have_err) {
		*err = r.first_err;
		if (rep->envs_failed > 1) /* every failed environment named, not only the first */
			cs_fail(err, r.first_err.exit_code, _("%s (%zu environments failed: %s; each keeps its error: "
							      "chatsync envs)"),
				r.first_err.msg, rep->envs_failed, rep->failed_envs);
		rc = 1;
	}
	refresh_ctx_free(&r);
	return rc;
}

/* One refresh per cache at a time: a second one waits a little, then says who holds it (readers never
 * wait); the lock also starts the check of the cache, which runs while discovery is read and must
 * have passed before the first write. A refresh that fails on a damaged cache says that, whatever else
 * failed before the verdict came (as when the check came before the first request). */
int refresh_run(struct net *net, struct cache *cache, const struct refresh_opts *opts, struct refresh_report *rep,
		struct cs_error *err)
{
	memset(rep, 0, sizeof *rep);
	if (cache_lock_refresh(cache, CACHE_LOCK_WAIT_S, NULL, err))
		return -1;
	int rc = run_phases(net, cache, opts, rep, err);
	struct cs_error damaged;
	if (rc < 0 && cache_check_wait(cache, &damaged)) {
		*err = damaged;
		rc = -1;
	}
	cache_unlock_refresh(cache);
	return rc;
}

int refresh_profile(const struct conf_profile *p, struct cache *cache, volatile sig_atomic_t *cancel,
		    const struct session_hooks *hooks, const struct refresh_opts *opts, struct refresh_report *rep,
		    struct cs_error *err)
{
	memset(rep, 0, sizeof *rep);
	struct net *net = session_net_open(p, cancel, hooks, err);
	if (!net)
		return -1;
	struct refresh_opts o = *opts;
	if (!o.profile)
		o.profile = p;
	int rc = refresh_run(net, cache, &o, rep, err);
	net_close(net);
	return rc;
}
