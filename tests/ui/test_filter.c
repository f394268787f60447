/* The chats view's filter at scale, without a terminal: what it keeps for each filter, typed a
 * key at a time (so each key may narrow the previous matches), deleted back, with several terms and
 * negations, is exactly what view_filter_match keeps over the five fields the view searches, in the
 * view's order; and the folding and narrowing rules it rests on. */
#include "config.h"
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/xalloc.h"
#include "store/cache.h"
#include "ui/view.h"
#include "run.h"

static void locale(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}
TestSuite(filter, .init = locale);

#define N 3000

static const char *const words[] = { "Deal", "Renewal", "Ärger", "Büro", "山田", "Printer", "escalation", "deal-room" };
static const char *const people[] = { "Ada Müller", "Bob Builder", "東京 Team", "Carol Jones", "Eve Adams" };

static struct ui ui;
static char *texts[N][4];

/* N chats in two environments, with every state and verdict, as the loader would leave them. */
static void fill(void)
{
	struct ui_data *d = &ui.data;
	memset(&ui, 0, sizeof ui);
	d->n_envs = 2;
	d->envs = xcalloc(2, sizeof *d->envs);
	d->envs[0].name = (char *)"sales";
	d->envs[1].name = (char *)"support";
	d->envs[0].env.id = (char *)"e1";
	d->envs[1].env.id = (char *)"e2";
	d->chats = xcalloc(N, sizeof *d->chats);
	d->n_chats = N;
	d->loaded = true;
	d->now = 1794647520;
	for (size_t i = 0; i < N; i++) {
		struct ui_chat *c = &d->chats[i];
		texts[i][0] = i % 11 == 0 ? xstrdup("") : xasprintf("%s %s %zu", words[i % 8], words[(i / 8) % 8], i);
		texts[i][1] = xasprintf("19:chat%04zu@thread.v2", i);
		texts[i][2] = xasprintf("%s, %s", people[i % 5], people[(i / 5) % 5]);
		/* As the loader folds them: subject and chat id, then the participants. */
		char *ids = xasprintf("%s %s ", texts[i][0], texts[i][1]), *who = xasprintf("%s ", texts[i][2]);
		char *fids = ui_text_fold(ids), *fwho = ui_text_fold(who);
		texts[i][3] = xasprintf("%s%s", fids, fwho);
		c->folded_ids = strlen(fids);
		free(ids);
		free(who);
		free(fids);
		free(fwho);
		c->env = i % 3 == 0 ? 1 : 0;
		c->key = texts[i][1];
		c->chat_id = texts[i][1];
		c->raw_id = texts[i][1];
		c->subject = texts[i][0];
		c->participants = texts[i][2];
		c->folded = texts[i][3];
		c->state = (int)(i % 5) - 1;           /* no activity, open, completed, canceled, scheduled */
		c->verdict = (int)(i % 4);             /* syncing, at risk, not syncing, unknown */
		c->sync_status = CS_SYNC_ENABLED;
		c->app = (signed char)((int)(i % 3) - 1);   /* unknown, no, yes */
		c->grant = (signed char)((int)(i % 2));
		c->modified = i % 13 == 0 ? 0 : d->now - (cs_time)((i * 7919) % 100000);
	}
}

static void drain(void)
{
	for (size_t i = 0; i < N; i++)
		for (int k = 0; k < 4; k++)
			free(texts[i][k]);
	free(ui.data.chats);
	free(ui.data.envs);
}

static struct view *open_chats(const char *filter)
{
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = &view_chats_ops;
	v->ui = &ui;
	v->height = 20;
	v->sort_col = -1;
	v->filter = filter ? xstrdup(filter) : NULL;
	struct cs_error err = { 0 };
	cr_assert_eq(v->ops->open(v, NULL, &err), 0, "%s", err.msg);
	return v;
}

static void close_chats(struct view *v)
{
	v->ops->done(v);
	free(v->title);
	free(v->filter);
	free(v);
}

static void set(struct view *v, const char *filter)
{
	free(v->filter);
	v->filter = filter && *filter ? xstrdup(filter) : NULL;
	v->ops->filter(v);
}

/* The key of line i as the view shows it: its chat id cell is not shown, so take it from the
 * diagnosis the line opens. */
static const char *key_at(struct view *v, size_t i)
{
	size_t keep = v->lineno;
	v->lineno = i;
	struct ui_action a = v->ops->request(v, UI_REQ_ENTER);
	v->lineno = keep;
	return a.arg;
}

/* v shows exactly the chats filter keeps, each once, in the order a view opened on it shows. */
static void assert_filtered(struct view *v, const char *filter)
{
	size_t want = 0;
	for (size_t i = 0; i < N; i++) {
		const struct ui_chat *c = &ui.data.chats[i];
		const char *fields[] = { c->subject, c->chat_id, c->participants, ui_verdict_text(c->verdict),
					 ui_state_text(c->state) };
		want += view_filter_match(filter, fields, 5);
	}
	cr_assert_eq(v->lines, want, "\"%s\": %zu lines, %zu chats match", filter ? filter : "", v->lines, want);
	struct view *fresh = open_chats(filter);
	cr_assert_eq(fresh->lines, v->lines);
	for (size_t i = 0; i < v->lines; i++) {
		const char *k = key_at(v, i);
		cr_assert_str_eq(k, key_at(fresh, i), "\"%s\", line %zu: the order of a fresh view", filter, i);
		const struct ui_chat *c = NULL;
		for (size_t j = 0; j < N && !c; j++)
			if (ui.data.chats[j].key == k)
				c = &ui.data.chats[j];
		cr_assert_not_null(c);
		const char *fields[] = { c->subject, c->chat_id, c->participants, ui_verdict_text(c->verdict),
					 ui_state_text(c->state) };
		cr_assert(view_filter_match(filter, fields, 5), "\"%s\" keeps %s", filter, k);
	}
	close_chats(fresh);
}

Test(filter, typed_key_by_key_the_view_keeps_what_view_filter_match_keeps)
{
	fill();
	struct view *v = open_chats(NULL);
	cr_assert_eq(v->lines, N);
	const char *typed[] = { "deal 1", "DEAL-ROOM", "ärger !büro", "山田 !at", "!", "!d", "!de 7", "not syncing",
				"open !no", "chat00", "müller eve", "zzz", "deal !" };
	for (size_t t = 0; t < sizeof typed / sizeof *typed; t++) {
		char buf[64];
		size_t len = strlen(typed[t]);
		/* On: every key narrows or widens as it may. */
		for (size_t n = 1; n <= len; n++) {
			snprintf(buf, sizeof buf, "%.*s", (int)n, typed[t]);
			set(v, buf);
			assert_filtered(v, buf);
		}
		/* Back, a key at a time, and a different last word. */
		for (size_t n = len; n-- > len / 2;) {
			snprintf(buf, sizeof buf, "%.*s", (int)n, typed[t]);
			set(v, buf);
			assert_filtered(v, buf);
		}
		snprintf(buf, sizeof buf, "%.*sx", (int)(len / 2), typed[t]);
		set(v, buf);
		assert_filtered(v, buf);
	}
	set(v, NULL);
	cr_assert_eq(v->lines, N, "no filter: every chat again");
	close_chats(v);
	drain();
}

Test(filter, the_state_filter_and_the_text_filter_combine)
{
	fill();
	struct view *v = open_chats("deal");
	size_t all = v->lines;
	ui.depth = 0;
	v->ops->request(v, UI_REQ_STATE_FILTER); /* open only */
	size_t open = v->lines;
	size_t want = 0;
	for (size_t i = 0; i < N; i++) {
		const struct ui_chat *c = &ui.data.chats[i];
		const char *fields[] = { c->subject, c->chat_id, c->participants, ui_verdict_text(c->verdict),
					 ui_state_text(c->state) };
		want += c->state == CS_STATE_OPEN && view_filter_match("deal", fields, 5);
	}
	cr_assert_eq(open, want, "%zu open chats match deal, %zu shown", want, open);
	cr_assert_lt(open, all);
	set(v, "deal 1");
	cr_assert_leq(v->lines, open, "narrowing within the state filter");
	close_chats(v);
	for (size_t i = 0; i < ui.n_log; i++)
		free(ui.log[i].text);
	free(ui.log);
	free(ui.message);
	drain();
}

Test(filter, a_filter_narrows_only_when_it_adds_to_the_terms_or_lengthens_a_word)
{
	cr_assert(view_filter_narrows(NULL, "x"));
	cr_assert(view_filter_narrows("", "x"));
	cr_assert(view_filter_narrows("dea", "deal"));
	cr_assert(view_filter_narrows("deal", "deal"));
	cr_assert(view_filter_narrows("deal", "deal "));
	cr_assert(view_filter_narrows("deal ", "deal !x"));
	cr_assert(view_filter_narrows("!x", "!x y"), "another term after a negation");
	cr_assert_not(view_filter_narrows("!x", "!xy"), "a longer negated word excludes less");
	cr_assert_not(view_filter_narrows("!", "!d"), "\"!\" alone is a word; \"!d\" a negation");
	cr_assert_not(view_filter_narrows("deal", "dea"), "deleting widens");
	cr_assert_not(view_filter_narrows("deal", "seal"));
	cr_assert_not(view_filter_narrows("deal", NULL));
}

Test(filter, the_terms_are_parsed_once_with_their_foldings)
{
	struct view_filter f;
	view_filter_parse(&f, "  Ärger !BÜRO  ! 山田 ");
	cr_assert_eq(f.n, 4);
	cr_assert_str_eq(f.terms[0].folded, "ärger");
	cr_assert_not(f.terms[0].negate);
	cr_assert_str_eq(f.terms[1].text, "BÜRO");
	cr_assert_str_eq(f.terms[1].folded, "büro");
	cr_assert(f.terms[1].negate);
	cr_assert_str_eq(f.terms[2].text, "!", "\"!\" alone is a term");
	cr_assert_not(f.terms[2].negate);
	cr_assert_str_eq(f.terms[3].folded, "山田");
	view_filter_free(&f);
	view_filter_parse(&f, NULL);
	cr_assert_eq(f.n, 0);
}

Test(filter, folding_is_per_character_so_a_joined_text_folds_as_its_parts)
{
	char *a = ui_text_fold("Deal ÄRGER 19:X@Thread"), *b = ui_text_fold("東京 Team, ÉVE");
	cr_assert_str_eq(a, "deal ärger 19:x@thread");
	cr_assert_str_eq(b, "東京 team, éve");
	char *joined = xasprintf("%s %s ", "Deal ÄRGER 19:X@Thread", "東京 Team, ÉVE");
	char *both = ui_text_fold(joined), *parts = xasprintf("%s %s ", a, b);
	cr_assert_str_eq(both, parts);
	char *bad = ui_text_fold("BAD \xff BYTE");
	cr_assert_str_eq(bad, "bad \xff byte", "undecodable: the ASCII letters fold, the rest stays");
	free(a);
	free(b);
	free(joined);
	free(both);
	free(parts);
	free(bad);
}

/* The RSC pane filters over subject, chat id, environment and the app's word, from the same folded
 * text: it keeps what view_filter_match keeps. */
Test(filter, the_rsc_pane_keeps_what_view_filter_match_keeps)
{
	fill();
	char *dir = run_tmpdir(), *path = xasprintf("%s/empty.db", dir);
	struct cs_error err = { 0 };
	ui.cache = cache_open(path, 0, &err);
	cr_assert_not_null(ui.cache, "%s", err.msg);
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = &view_rsc_ops;
	v->ui = &ui;
	v->height = 20;
	v->sort_col = -1;
	cr_assert_eq(v->ops->open(v, NULL, &err), 0, "%s", err.msg);
	/* "bob" is only in participants, which the pane does not search. */
	const char *filters[] = { "deal", "SUPPORT", "yes", "!unknown", "ärger !no", "chat000 sales", "bob", "!" };
	for (size_t t = 0; t < sizeof filters / sizeof *filters; t++) {
		set(v, filters[t]);
		size_t want = 0;
		for (size_t i = 0; i < N; i++) {
			const struct ui_chat *c = &ui.data.chats[i];
			const char *app = c->app == CS_TRUE ? "yes" : c->app == CS_FALSE ? "no" : "unknown";
			const char *fields[] = { c->subject, c->chat_id, ui.data.envs[c->env].name, app };
			want += view_filter_match(filters[t], fields, 4);
		}
		cr_assert_eq(v->lines, 3 + want, "\"%s\": %zu chats shown, %zu match", filters[t], v->lines - 3, want);
	}
	v->ops->done(v);
	free(v->title);
	free(v->filter);
	free(v);
	cache_close(ui.cache);
	run_rmtree(dir);
	free(dir);
	free(path);
	drain();
}
