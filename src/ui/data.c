/* Loading the console's data from the cache and diagnosing it a slice at a time. */
#include "config.h"
#include "ui/data.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct load {
	struct ui_data *d;
	size_t cap;
};

static size_t env_index(const struct ui_data *d, const char *env_id)
{
	for (size_t i = 0; env_id && i < d->n_envs; i++)
		if (d->envs[i].env.id && strcmp(d->envs[i].env.id, env_id) == 0)
			return i;
	return UI_NO_ENV;
}

static char *join_parties(const struct cs_chat *c)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (size_t i = 0; i < c->n_parties; i++) {
		if (!c->parties[i].name || !*c->parties[i].name)
			continue;
		char *name = text_sanitize(c->parties[i].name);
		buf_printf(&b, "%s%s", b.len ? ", " : "", name);
		free(name);
	}
	return buf_steal(&b);
}

static int add_chat(const struct cs_chat *c, const struct cs_env *env, void *user)
{
	struct load *l = user;
	struct ui_data *d = l->d;
	if (d->n_chats == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		d->chats = xrealloc(d->chats, l->cap * sizeof *d->chats);
	}
	struct ui_chat *u = &d->chats[d->n_chats++];
	memset(u, 0, sizeof *u);
	u->env = env_index(d, c->env_id);
	u->key = xstrdup(c->activity_id ? c->activity_id : c->teams_chat_id ? c->teams_chat_id : "");
	u->chat_id = text_sanitize(c->teams_chat_id);
	u->subject = text_sanitize(c->subject);
	u->participants = join_parties(c);
	u->state = c->state;
	u->sync_status = c->sync_status;
	u->modified = c->modified_in_teams_on;
	u->verdict = UI_VERDICT_PENDING;
	if (u->env != UI_NO_ENV) {
		d->envs[u->env].n_chats++;
		d->envs[u->env].pending++;
	}
	(void)env;
	return 0;
}

static void free_contents(struct ui_data *d)
{
	cache_facts_close(d->facts);
	d->facts = NULL;
	for (size_t i = 0; i < d->n_envs; i++) {
		cs_env_free(&d->envs[i].env);
		free(d->envs[i].name);
		free(d->envs[i].friendly);
		free(d->envs[i].error);
	}
	free(d->envs);
	for (size_t i = 0; i < d->n_chats; i++) {
		free(d->chats[i].key);
		free(d->chats[i].chat_id);
		free(d->chats[i].subject);
		free(d->chats[i].participants);
	}
	free(d->chats);
}

static cs_time seen_before(struct cache *c)
{
	char *v = cache_meta_get(c, UI_SEEN_KEY);
	cs_time t = v ? (cs_time)strtoll(v, NULL, 10) : 0;
	free(v);
	return t;
}

/* Counts, per environment, what the refreshes recorded since the console last looked (nothing on a
 * first look: everything would be new). */
static void mark_changes(struct ui_data *n, struct cache *c, cs_time seen)
{
	n->seen = seen;
	struct cache_change *ch;
	size_t k;
	if (!seen || cache_list_changes(c, &(struct cache_change_filter){ .since = seen }, &ch, &k, NULL))
		return;
	for (size_t i = 0; i < k; i++) {
		for (size_t e = 0; ch[i].env_id && e < n->n_envs; e++)
			if (n->envs[e].env.id && strcmp(n->envs[e].env.id, ch[i].env_id) == 0)
				n->envs[e].changed++;
		cache_change_free(&ch[i]);
	}
	free(ch);
}

int ui_data_load(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, struct cs_error *err)
{
	struct ui_data n = { .now = now, .warn_hours = warn_hours, .generation = d->generation + 1 };
	struct cs_env *envs;
	if (cache_list_envs(c, &envs, &n.n_envs, err))
		return -1;
	n.envs = xcalloc(n.n_envs ? n.n_envs : 1, sizeof *n.envs);
	for (size_t i = 0; i < n.n_envs; i++) {
		struct ui_env *e = &n.envs[i];
		e->env = envs[i];
		e->name = text_sanitize(envs[i].unique_name);
		e->friendly = text_sanitize(envs[i].friendly_name);
		e->error = envs[i].last_error ? text_sanitize(envs[i].last_error) : NULL;
	}
	free(envs);
	mark_changes(&n, c, d->generation ? d->seen : seen_before(c));
	struct load l = { .d = &n };
	if (cache_each_chat(c, NULL, add_chat, &l, err)) {
		free_contents(&n);
		return -1;
	}
	free_contents(d);
	*d = n;
	return 0;
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - since->tv_sec) * 1e3 + (double)(t.tv_nsec - since->tv_nsec) / 1e6;
}

static void tally(struct ui_data *d, struct ui_chat *u)
{
	if (u->env == UI_NO_ENV)
		return;
	struct ui_env *e = &d->envs[u->env];
	if (e->pending)
		e->pending--;
	if (u->verdict == DIAG_VERDICT_NOT_SYNCING)
		e->not_syncing++;
	else if (u->verdict == DIAG_VERDICT_AT_RISK)
		e->at_risk++;
	else if (u->verdict == DIAG_VERDICT_UNKNOWN)
		e->unknown++;
}

/* The verdict of the next chat from the facts pass, which reads one environment's chats at a time in the
 * list's order (so its one sort, before the first row, is an environment's, not the tenant's); -1 when
 * the pass cannot give it (it failed, or the cache changed since the list was read and the rows no
 * longer match), and then the pass is given up for one-by-one lookups. */
static int next_streamed_verdict(struct ui_data *d, struct cache *c, const struct ui_chat *u)
{
	struct cs_error err = { 0 };
	if (d->facts_by_key || u->env == UI_NO_ENV)
		return -1;
	if (d->facts && d->facts_env != u->env) {
		cache_facts_close(d->facts);
		d->facts = NULL;
	}
	if (!d->facts) {
		struct cache_chat_filter filter = { .env_id = d->envs[u->env].env.id };
		if (!(d->facts = cache_facts_open(c, &filter, &err))) {
			log_warn("console: reading the facts of every chat: %s", err.msg);
			d->facts_by_key = true;
			return -1;
		}
		d->facts_env = u->env;
	}
	const struct cache_facts *f;
	int rc = cache_facts_next(d->facts, &f, &err);
	const char *key = rc == 1 ? cache_facts_key(f) : NULL;
	if (!key || strcmp(key, u->key) != 0) {
		if (rc < 0)
			log_warn("console: reading the facts of every chat: %s", err.msg);
		cache_facts_close(d->facts);
		d->facts = NULL;
		d->facts_by_key = true;
		return -1;
	}
	struct diag_result r;
	cache_facts_diagnose(f, d->now, d->warn_hours, &r);
	int verdict = (int)r.verdict;
	diag_result_free(&r);
	return verdict;
}

bool ui_data_diagnose(struct ui_data *d, struct cache *c, int budget_ms)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (d->diagnosed < d->n_chats) {
		struct ui_chat *u = &d->chats[d->diagnosed++];
		u->verdict = next_streamed_verdict(d, c, u);
		if (u->verdict < 0) {
			struct diag_result r;
			struct cs_error err = { 0 };
			if (ui_diagnose_chat(c, u->key, d->now, d->warn_hours, &r, NULL, NULL, &err) == 0) {
				u->verdict = (int)r.verdict;
				diag_result_free(&r);
			} else {
				/* The chat could not be looked up (gone, ambiguous id, cache error): that is unknown. */
				log_warn("console: diagnosing %s: %s", u->key, err.msg);
				u->verdict = DIAG_VERDICT_UNKNOWN;
			}
		}
		tally(d, u);
		if (elapsed_ms(&start) >= budget_ms)
			break;
	}
	if (d->diagnosed == d->n_chats && d->facts) {
		/* Done: let go of the read snapshot the stream holds. */
		cache_facts_close(d->facts);
		d->facts = NULL;
	}
	return d->diagnosed < d->n_chats;
}

void ui_data_restart(struct ui_data *d, cs_time now)
{
	d->now = now;
	d->diagnosed = 0;
	for (size_t i = 0; i < d->n_envs; i++) {
		struct ui_env *e = &d->envs[i];
		e->not_syncing = e->at_risk = e->unknown = 0;
		e->pending = e->n_chats;
	}
	/* The old verdicts stay on screen until their new ones arrive. */
}

cs_time ui_data_next_change(const struct ui_data *d, cs_time now)
{
	cs_time next = 0;
	for (size_t i = 0; i < d->n_chats; i++) {
		const struct ui_chat *c = &d->chats[i];
		if (!c->modified || c->env == UI_NO_ENV || (c->state != CS_STATE_OPEN && c->state != CS_STATE_SCHEDULED))
			continue;
		cs_time limit = c->modified + (cs_time)cs_env_inactivity_days(&d->envs[c->env].env) * 86400;
		/* As the diagnosis reads it: at risk from limit - window on, not syncing once past limit. */
		cs_time at[2] = { limit - (cs_time)d->warn_hours * 3600, limit + 1 };
		for (int k = 0; k < 2; k++)
			if (at[k] > now && (!next || at[k] < next))
				next = at[k];
	}
	return next;
}

void ui_data_free(struct ui_data *d)
{
	free_contents(d);
	memset(d, 0, sizeof *d);
}

size_t ui_data_find_env(const struct ui_data *d, const char *key)
{
	if (!key || !*key)
		return UI_NO_ENV;
	for (size_t i = 0; i < d->n_envs; i++) {
		const struct cs_env *e = &d->envs[i].env;
		if ((e->unique_name && strcasecmp(e->unique_name, key) == 0) ||
		    (e->friendly_name && strcasecmp(e->friendly_name, key) == 0) || (e->id && strcmp(e->id, key) == 0))
			return i;
	}
	return UI_NO_ENV;
}

cs_time ui_data_newest_refresh(const struct ui_data *d)
{
	cs_time t = 0;
	for (size_t i = 0; i < d->n_envs; i++)
		if (d->envs[i].env.refreshed_at > t)
			t = d->envs[i].env.refreshed_at;
	return t;
}

/* text_sanitize line by line: names from the cloud lose their controls, the lines stay lines. */
static char *sanitize_lines(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	while (*s) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len);
		char *safe = text_sanitize(line);
		buf_printf(&b, "%s\n", safe);
		free(safe);
		free(line);
		s += len;
		if (*s)
			s++;
	}
	return buf_steal(&b);
}

/* The facts an admin reads before the findings: where the chat lives and how it stands. */
static char *about_text(const struct cache_facts *f, cs_time now)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	buf_printf(&b, _("Environment: %s (%s)"), f->env.unique_name ? f->env.unique_name : "?",
		   f->env.friendly_name ? f->env.friendly_name : "");
	buf_adds(&b, "\n");
	if (f->has_chat) {
		char when[48], age[32];
		buf_printf(&b, _("State: %s, sync %s"), ui_state_text(f->chat.state),
			   ui_sync_status_text(f->chat.sync_status));
		buf_adds(&b, "\n");
		if (f->chat.modified_in_teams_on)
			buf_printf(&b, _("Last updated in Teams: %s (%s ago)"),
				   time_format_human(f->chat.modified_in_teams_on, when, sizeof when),
				   time_format_age(f->chat.modified_in_teams_on, now, age, sizeof age));
		else
			buf_printf(&b, "%s", _("Last updated in Teams: never"));
		buf_adds(&b, "\n");
		struct buf names;
		buf_init(&names);
		buf_add(&names, "", 0);
		for (size_t i = 0; i < f->chat.n_parties; i++)
			if (f->chat.parties[i].name)
				buf_printf(&names, "%s%s", names.len ? ", " : "", f->chat.parties[i].name);
		if (names.len) {
			buf_printf(&b, _("Participants: %s"), names.data);
			buf_adds(&b, "\n");
		}
		buf_free(&names);
	} else {
		buf_printf(&b, "%s", _("State: connected, no chat activity row"));
		buf_adds(&b, "\n");
	}
	char *raw = buf_steal(&b);
	char *safe = sanitize_lines(raw);
	free(raw);
	return safe;
}

int ui_diagnose_chat(struct cache *c, const char *key, cs_time now, int warn_hours, struct diag_result *out,
		     char **label, char **about, struct cs_error *err)
{
	struct cache_facts f;
	if (cache_load_facts(c, key, &f, err))
		return -1;
	cache_facts_diagnose(&f, now, warn_hours, out);
	if (label) {
		struct cs_chat view;
		cache_facts_chat(&f, &view);
		const char *subject = view.subject && *view.subject ? view.subject
				    : f.has_graph && f.graph.topic && *f.graph.topic ? f.graph.topic : NULL;
		const char *id = view.teams_chat_id ? view.teams_chat_id : key;
		char *raw = subject ? xasprintf("%s (%s)", subject, id) : xstrdup(id);
		*label = text_sanitize(raw);
		free(raw);
	}
	if (about)
		*about = about_text(&f, now);
	cache_facts_free(&f);
	return 0;
}

const char *ui_verdict_text(int verdict)
{
	switch (verdict) {
	case DIAG_VERDICT_SYNCING: return _("syncing");
	case DIAG_VERDICT_AT_RISK: return _("at risk");
	case DIAG_VERDICT_NOT_SYNCING: return _("not syncing");
	case DIAG_VERDICT_UNKNOWN: return _("unknown");
	default: return "…";
	}
}

int ui_verdict_slot(int verdict)
{
	switch (verdict) {
	case DIAG_VERDICT_SYNCING: return UI_COLOR_SYNCING;
	case DIAG_VERDICT_AT_RISK: return UI_COLOR_AT_RISK;
	case DIAG_VERDICT_NOT_SYNCING: return UI_COLOR_NOT_SYNCING;
	case DIAG_VERDICT_UNKNOWN: return UI_COLOR_UNKNOWN;
	default: return UI_COLOR_PENDING;
	}
}

const char *ui_state_text(int state)
{
	switch (state) {
	case CS_STATE_OPEN: return _("open");
	case CS_STATE_COMPLETED: return _("completed");
	case CS_STATE_CANCELED: return _("canceled");
	case CS_STATE_SCHEDULED: return _("scheduled");
	default: return _("no activity");
	}
}

const char *ui_sync_status_text(int status)
{
	switch (status) {
	case CS_SYNC_NOT_ENABLED: return _("not enabled");
	case CS_SYNC_PENDING: return _("pending");
	case CS_SYNC_ENABLED: return _("enabled");
	default: return "-";
	}
}

const char *ui_tristate_text(int v)
{
	return v == CS_TRUE ? _("on") : v == CS_FALSE ? _("off") : _("unknown");
}
