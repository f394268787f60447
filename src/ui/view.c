/* What every view shares and nothing above it: the stack's top, the status line's message and
 * the message log, cells, selection, ages and the filter's terms. The loop (ui.c) and the views
 * both build on this file; it calls neither. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view *ui_top(struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

void ui_notify(struct ui *ui, enum view_update why)
{
	for (size_t i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->update)
			ui->stack[i]->ops->update(ui->stack[i], why);
	ui->dirty = true;
}

void ui_message(struct ui *ui, int slot, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	free(ui->message);
	ui->message = xstrdup(text);
	ui->message_slot = slot;
	ui->dirty = true;
	/* Every message stays in the log view and goes to the log file, with its time. */
	ui->log = xrealloc(ui->log, (ui->n_log + 1) * sizeof *ui->log);
	ui->log[ui->n_log++] = (struct ui_msg){ .at = ui->data.now ? ui->data.now : time_now(), .slot = slot,
						 .text = text };
	if (slot == UI_COLOR_STATUS_ERROR)
		log_error("console: %s", text);
	else if (slot == UI_COLOR_STATUS_WARN)
		log_warn("console: %s", text);
	else
		log_info("console: %s", text);
	for (size_t i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->update)
			ui->stack[i]->ops->update(ui->stack[i], VIEW_UPDATE_LOG);
}

void view_scratch(struct view_row *out, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(text);
	if (n >= VIEW_SCRATCH) {
		n = VIEW_SCRATCH - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out->scratch[col], text, n);
	out->scratch[col][n] = '\0';
	out->cells[col].text = out->scratch[col];
	free(text);
}

void view_clamp(struct view *v)
{
	if (v->lines == 0) {
		v->lineno = v->offset = 0;
		return;
	}
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	if (v->ops->flags & VIEW_SCROLL) {
		size_t last = v->lines > h ? v->lines - h : 0;
		if (v->offset > last)
			v->offset = last;
		if (v->lineno >= v->lines)
			v->lineno = v->lines - 1;
		return;
	}
	if (v->lineno >= v->lines)
		v->lineno = v->lines - 1;
	if (v->lineno < v->offset)
		v->offset = v->lineno;
	if (v->lineno >= v->offset + h)
		v->offset = v->lineno - h + 1;
	/* Keep the page full when the end of the list comes into view. */
	if (v->lines >= h && v->offset > v->lines - h)
		v->offset = v->lines - h;
}

void view_select(struct view *v, size_t row)
{
	if (v->ops->flags & VIEW_SCROLL) {
		v->offset = row;
		v->lineno = row;
	} else {
		v->lineno = row;
	}
	view_clamp(v);
}

char *view_age(cs_time then, cs_time now, char *buf, size_t n)
{
	long long s = (long long)(now - then);
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, n, _("%llds"), s);
	else if (s < 3600)
		snprintf(buf, n, _("%lldm%02llds"), s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, _("%lldh%02lldm"), s / 3600, s % 3600 / 60);
	else
		snprintf(buf, n, _("%lldd%02lldh"), s / 86400, s % 86400 / 3600);
	return buf;
}

void view_filter_parse(struct view_filter *f, const char *text)
{
	memset(f, 0, sizeof *f);
	if (!text || !*text)
		return;
	char *copy = xstrdup(text), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		f->terms = xrealloc(f->terms, (f->n + 1) * sizeof *f->terms);
		struct view_term *term = &f->terms[f->n++];
		/* "!" alone is a term of its own, not a negation of nothing. */
		term->negate = t[0] == '!' && t[1];
		term->text = xstrdup(term->negate ? t + 1 : t);
		term->folded = ui_text_fold(term->text);
	}
	free(copy);
}

void view_filter_free(struct view_filter *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->terms[i].text);
		free(f->terms[i].folded);
	}
	free(f->terms);
	memset(f, 0, sizeof *f);
}

bool view_filter_narrows(const char *before, const char *now)
{
	size_t n = before ? strlen(before) : 0;
	if (!n)
		return true; /* everything matched */
	if (!now || strncmp(before, now, n) != 0)
		return false;
	/* The terms before stay, and more may follow; only the last one can grow. */
	if (before[n - 1] == ' ' || now[n] == ' ' || now[n] == '\0')
		return true;
	size_t last = n;
	while (last > 0 && before[last - 1] != ' ')
		last--;
	/* A longer word is found in fewer places; a longer "!word" excludes fewer (and "!" alone
	 * followed by a word turns into one). */
	return before[last] != '!';
}

bool view_filter_match(const char *filter, const char *const *fields, size_t n)
{
	if (!filter || !*filter)
		return true;
	struct view_filter f;
	view_filter_parse(&f, filter);
	bool ok = true;
	for (size_t t = 0; ok && t < f.n; t++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = fields[i] && ui_text_match(fields[i], f.terms[t].text);
		ok = f.terms[t].negate ? !found : found;
	}
	view_filter_free(&f);
	return ok;
}

const char *view_chats_wait(const struct ui *ui)
{
	return ui->loader ? _("loading and diagnosing the chats…") : _("the chats could not be read (R tries again)");
}

void view_text_add(struct view_text *t, char *line, int slot)
{
	if (t->n == t->cap) {
		size_t cap = t->cap;
		t->lines = xgrow(t->lines, &cap, t->n, sizeof *t->lines);
		t->slots = xgrow(t->slots, &t->cap, t->n, sizeof *t->slots);
	}
	t->lines[t->n] = line;
	t->slots[t->n++] = slot;
}

void view_text_clear(struct view_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

size_t view_text_fit(const char *s, int width)
{
	size_t i = 0, last_space = 0, best = 0;
	while (s[i]) {
		size_t next = i + 1;
		while (s[next] && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		char *start = xstrndup(s, next);
		bool fits = (int)text_width(start) <= width;
		free(start);
		if (!fits)
			break;
		if (s[i] == ' ')
			last_space = i;
		best = i = next;
	}
	if (!s[best])
		return best;
	return last_space > best / 2 ? last_space + 1 : best ? best : 1;
}

