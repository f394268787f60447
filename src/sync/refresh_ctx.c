#include "config.h"
#include "sync/refresh_ctx.h"
#include "net/http.h"
#include <string.h>

void refresh_ctx_progress(struct refresh *r, const char *phase, const char *env, size_t done, size_t total)
{
	struct net_stats st;
	net_stats_get(r->net, &st);
	r->rep->requests = st.sent;
	r->rep->throttled = st.throttled;
	r->rep->errors = st.errors;
	if (!r->opts->progress)
		return;
	struct refresh_progress p = { .phase = phase, .env = env, .done = done, .total = total,
				      .requests = st.sent, .throttled = st.throttled, .errors = st.errors,
				      .in_flight = st.queued - st.done };
	r->opts->progress(&p, r->opts->user);
}

void refresh_ctx_fail(struct refresh *r, const struct cs_error *e)
{
	if (r->have_err)
		return;
	r->first_err = *e;
	r->have_err = true;
}

void refresh_ctx_free(struct refresh *r)
{
	strset_free(&r->changed);
	strset_free(&r->ok_envs);
}
