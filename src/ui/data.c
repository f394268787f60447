/* Loading the console's data from the cache: environments and counts, then every chat with its verdict. */
#include "config.h"
#include "ui/data.h"
#include "ui/colors.h"
#include "ui/layout.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The chats' strings: blocks that are never moved, so the pointers into them stay good. */
#define POOL_BLOCK (256 * 1024)
struct ui_pool {
	struct ui_pool *next;
	size_t used, cap;
	char data[];
};

static const char *pool_add(struct ui_pool **pool, const char *s, size_t n)
{
	struct ui_pool *p = *pool;
	if (!p || p->cap - p->used < n + 1) {
		size_t cap = n + 1 > POOL_BLOCK ? n + 1 : POOL_BLOCK;
		struct ui_pool *b = xmalloc(sizeof *b + cap);
		b->next = p;
		b->used = 0;
		b->cap = cap;
		*pool = p = b;
	}
	char *at = p->data + p->used;
	memcpy(at, s, n);
	at[n] = '\0';
	p->used += n + 1;
	return at;
}

static const char *pool_take(struct ui_pool **pool, char *s)
{
	const char *at = pool_add(pool, s, strlen(s));
	free(s);
	return at;
}

static void pool_free(struct ui_pool *p)
{
	while (p) {
		struct ui_pool *next = p->next;
		free(p);
		p = next;
	}
}

static size_t env_index(const struct ui_data *d, const char *env_id, size_t hint)
{
	/* Rows mostly come environment by environment: the last one is almost always the one. */
	if (hint < d->n_envs && env_id && d->envs[hint].env.id && strcmp(d->envs[hint].env.id, env_id) == 0)
		return hint;
	for (size_t i = 0; env_id && i < d->n_envs; i++)
		if (d->envs[i].env.id && strcmp(d->envs[i].env.id, env_id) == 0)
			return i;
	return UI_NO_ENV;
}

static void join_parties(struct buf *b, const struct cs_chat *c)
{
	for (size_t i = 0; i < c->n_parties; i++) {
		if (!c->parties[i].name || !*c->parties[i].name)
			continue;
		char *name = text_sanitize(c->parties[i].name);
		buf_printf(b, "%s%s", b->len ? ", " : "", name);
		free(name);
	}
}

static void free_contents(struct ui_data *d)
{
	for (size_t i = 0; i < d->n_envs; i++) {
		cs_env_free(&d->envs[i].env);
		free(d->envs[i].name);
		free(d->envs[i].friendly);
		free(d->envs[i].error);
	}
	free(d->envs);
	free(d->chats);
	pool_free(d->pool);
}

cs_time ui_data_seen_before(struct cache *c)
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

int ui_data_load_envs(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, cs_time seen,
		      struct cs_error *err)
{
	memset(d, 0, sizeof *d);
	d->now = now;
	d->warn_hours = warn_hours;
	struct cs_env *envs;
	if (cache_list_envs(c, &envs, &d->n_envs, err))
		return -1;
	size_t *counts = xcalloc(d->n_envs ? d->n_envs : 1, sizeof *counts);
	if (cache_env_chat_counts(c, envs, d->n_envs, counts, err)) {
		for (size_t i = 0; i < d->n_envs; i++)
			cs_env_free(&envs[i]);
		free(envs);
		free(counts);
		d->n_envs = 0;
		return -1;
	}
	d->envs = xcalloc(d->n_envs ? d->n_envs : 1, sizeof *d->envs);
	for (size_t i = 0; i < d->n_envs; i++) {
		struct ui_env *e = &d->envs[i];
		e->env = envs[i];
		e->name = text_sanitize(envs[i].unique_name);
		e->friendly = text_sanitize(envs[i].friendly_name);
		e->error = envs[i].last_error ? text_sanitize(envs[i].last_error) : NULL;
		e->n_chats = counts[i];
	}
	free(envs);
	free(counts);
	mark_changes(d, c, seen);
	return 0;
}

static int tristate_of(int status, int value)
{
	return status == 200 ? value : CS_UNKNOWN;
}

/* One chat as the tables show it, from its facts, with its verdict. */
static void add_chat(struct ui_data *d, size_t *cap, const struct cache_facts *f, struct buf *text)
{
	if (d->n_chats == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		d->chats = xrealloc(d->chats, *cap * sizeof *d->chats);
	}
	struct cs_chat c;
	cache_facts_chat(f, &c);
	struct ui_chat *u = &d->chats[d->n_chats];
	memset(u, 0, sizeof *u);
	u->env = env_index(d, c.env_id, d->n_chats ? d->chats[d->n_chats - 1].env : 0);
	const char *key = cache_facts_key(f);
	u->key = pool_add(&d->pool, key ? key : "", key ? strlen(key) : 0);
	u->by_activity = c.activity_id != NULL;
	u->chat_id = pool_take(&d->pool, text_sanitize(c.teams_chat_id));
	u->raw_id = !c.teams_chat_id ? NULL
		  : strcmp(c.teams_chat_id, u->chat_id) == 0 ? u->chat_id
		  : pool_add(&d->pool, c.teams_chat_id, strlen(c.teams_chat_id));
	u->subject = pool_take(&d->pool, text_sanitize(c.subject));
	text->len = 0;
	text->data[0] = '\0';
	join_parties(text, &c);
	u->participants = pool_add(&d->pool, text->data, text->len);
	/* What the filters search, folded once here rather than on every key. */
	char *who = xasprintf("%s ", u->participants);
	text->len = 0;
	buf_printf(text, "%s %s ", u->subject, u->chat_id);
	char *ids = ui_text_fold(text->data), *people = ui_text_fold(who);
	text->len = 0;
	buf_adds(text, ids);
	u->folded_ids = text->len;
	buf_adds(text, people);
	u->folded = pool_add(&d->pool, text->data, text->len);
	free(ids);
	free(people);
	free(who);
	u->state = c.state;
	u->sync_status = c.sync_status;
	u->modified = c.modified_in_teams_on;
	u->app = (signed char)(f->has_graph ? tristate_of(f->graph.apps_status, f->graph.app_installed) : CS_UNKNOWN);
	u->grant = (signed char)(f->has_graph ? tristate_of(f->graph.grants_status, f->graph.app_has_grant) : CS_UNKNOWN);
	struct diag_result r;
	cache_facts_diagnose(f, d->now, d->warn_hours, &r);
	u->verdict = (int)r.verdict;
	diag_result_free(&r);
	d->n_chats++;
}

int ui_data_load_chats(struct ui_data *d, struct cache *c, unsigned part, unsigned parts, atomic_size_t *done,
		       const atomic_bool *cancel, struct cs_error *err)
{
	struct cache_facts_cursor *cur = cache_facts_open_part(c, part, parts, err);
	if (!cur)
		return -1;
	size_t cap = d->n_chats;
	struct buf text;
	buf_init(&text);
	buf_add(&text, "", 0);
	const struct cache_facts *f;
	int rc;
	size_t counted = 0; /* the progress is told every 256 chats: two threads share the counter */
	while ((rc = cache_facts_next(cur, &f, err)) == 1) {
		add_chat(d, &cap, f, &text);
		if (++counted == 256 && done) {
			atomic_fetch_add_explicit(done, counted, memory_order_relaxed);
			counted = 0;
		}
		if (cancel && atomic_load_explicit(cancel, memory_order_relaxed)) {
			memset(err, 0, sizeof *err);
			rc = -1;
			break;
		}
	}
	if (done)
		atomic_fetch_add_explicit(done, counted, memory_order_relaxed);
	buf_free(&text);
	cache_facts_close(cur);
	return rc < 0 ? -1 : 0;
}

void ui_data_take_chats(struct ui_data *d, struct ui_data *from)
{
	d->chats = xrealloc(d->chats, (d->n_chats + from->n_chats + 1) * sizeof *d->chats);
	memcpy(d->chats + d->n_chats, from->chats, from->n_chats * sizeof *d->chats);
	d->n_chats += from->n_chats;
	/* The strings stay where they are: the blocks join d's. */
	struct ui_pool **end = &d->pool;
	while (*end)
		end = &(*end)->next;
	*end = from->pool;
	from->pool = NULL;
	ui_data_free(from);
}

/* The sort keys of cache_each_chat's order (ORDER BY environment name, modifiedinteamson with the
 * unknown last, Teams chat id, activity id), as SQLite compares them: NULL first, then bytes. */
static int cmp_text(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_listed(const void *pa, const void *pb)
{
	const struct ui_chat *a = pa, *b = pb;
	if (a->env != b->env)
		return a->env < b->env ? -1 : 1;
	if (!a->modified != !b->modified)
		return a->modified ? -1 : 1;
	if (a->modified != b->modified)
		return a->modified < b->modified ? -1 : 1;
	int r = cmp_text(a->raw_id, b->raw_id);
	return r ? r : cmp_text(a->by_activity ? a->key : NULL, b->by_activity ? b->key : NULL);
}

static cs_time next_change(const struct ui_data *d, cs_time now)
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

void ui_data_finish(struct ui_data *d)
{
	if (d->n_chats > 1)
		qsort(d->chats, d->n_chats, sizeof *d->chats, cmp_listed);
	for (size_t i = 0; i < d->n_envs; i++) {
		struct ui_env *e = &d->envs[i];
		e->n_chats = e->not_syncing = e->at_risk = e->unknown = 0;
	}
	for (size_t i = 0; i < d->n_chats; i++) {
		const struct ui_chat *u = &d->chats[i];
		if (u->env == UI_NO_ENV)
			continue;
		struct ui_env *e = &d->envs[u->env];
		e->n_chats++;
		e->not_syncing += u->verdict == DIAG_VERDICT_NOT_SYNCING;
		e->at_risk += u->verdict == DIAG_VERDICT_AT_RISK;
		e->unknown += u->verdict == DIAG_VERDICT_UNKNOWN;
	}
	d->next_change = next_change(d, d->now);
	d->loaded = true;
}

int ui_data_load(struct ui_data *d, struct cache *c, cs_time now, int warn_hours, struct cs_error *err)
{
	struct ui_data n;
	if (ui_data_load_envs(&n, c, now, warn_hours, d->generation ? d->seen : ui_data_seen_before(c), err))
		return -1;
	if (ui_data_load_chats(&n, c, 0, 1, NULL, NULL, err)) {
		ui_data_free(&n);
		return -1;
	}
	ui_data_finish(&n);
	n.generation = d->generation + 1;
	ui_data_free(d);
	*d = n;
	return 0;
}

void ui_data_free(struct ui_data *d)
{
	free_contents(d);
	memset(d, 0, sizeof *d);
}

size_t ui_data_chat_total(const struct ui_data *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_envs; i++)
		n += d->envs[i].n_chats;
	return n;
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
