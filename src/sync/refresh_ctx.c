#include "config.h"
#include "sync/refresh_ctx.h"
#include "net/http.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void free_str(void *p) { free(*(char **)p); }

void refresh_ctx_free(struct refresh *r)
{
	strset_free(&r->changed);
	strset_free(&r->ok_envs);
	vec_free(&r->purge, free_str);
}

void refresh_ctx_hold(struct refresh *r, long n)
{
	long held = atomic_fetch_add(&r->rows_held, n) + n;
	long max = atomic_load(&r->rows_held_max);
	while (held > max && !atomic_compare_exchange_weak(&r->rows_held_max, &max, held))
		;
}

/* Adds "item" to a ", "-separated list in buf once (cut when full). */
void refresh_ctx_list_add(char *buf, size_t n, const char *item)
{
	size_t len = strlen(item);
	for (const char *p = buf; (p = strstr(p, item)); p += len)
		if ((p == buf || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
			return;
	size_t used = strlen(buf);
	if (used + len + 3 < n)
		snprintf(buf + used, n - used, "%s%s", used ? ", " : "", item);
}


bool refresh_incomplete(const struct refresh_report *rep)
{
	return rep->denied || rep->server_errors || rep->unparsable;
}

char *refresh_unread_text(const struct refresh_report *rep)
{
	if (!refresh_incomplete(rep) && !rep->not_found && !rep->not_member)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, _("could not read:"));
	const char *sep = " ";
	if (rep->denied) {
		buf_printf(&b, _("%s%lu refused (403; needs %s)"), sep, rep->denied, rep->denied_needs);
		sep = ", ";
	}
	if (rep->not_member) {
		buf_printf(&b, ngettext("%s%lu chat the signed-in user is not a member of (403; an app profile reads "
					"every chat)",
					"%s%lu chats the signed-in user is not a member of (403; an app profile reads "
					"every chat)", rep->not_member), sep, rep->not_member);
		sep = ", ";
	}
	if (rep->server_errors) {
		buf_printf(&b, _("%s%lu failed (5xx, throttled past retries, or no answer)"), sep, rep->server_errors);
		sep = ", ";
	}
	if (rep->unparsable) {
		buf_printf(&b, _("%s%lu unreadable answers"), sep, rep->unparsable);
		sep = ", ";
	}
	if (rep->not_found)
		buf_printf(&b, ngettext("%s%lu chat Teams no longer has (404)", "%s%lu chats Teams no longer has (404)",
					rep->not_found), sep, rep->not_found);
	return buf_steal(&b);
}

bool refresh_env_matches(const char *key, const struct cs_env *e)
{
	return (e->unique_name && strcasecmp(key, e->unique_name) == 0) ||
	       (e->friendly_name && strcasecmp(key, e->friendly_name) == 0) || (e->id && strcasecmp(key, e->id) == 0);
}

bool refresh_wanted(const struct refresh_opts *o, const struct cs_env *e)
{
	if (o->n_envs == 0)
		return true;
	for (size_t i = 0; i < o->n_envs; i++)
		if (refresh_env_matches(o->envs[i], e))
			return true;
	return false;
}
