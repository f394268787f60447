/* The diagnosis of one chat: the text report of diag_report, scrollable, with the verdict and
 * the severity headings in their colour slots. `/` searches it. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "core/diag_report.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "sync/history.h"
#include <stdlib.h>
#include <string.h>

struct diag {
	char *key;
	char *label;
	char *about;
	char *timeline;      /* the chat's history in lines (sync/history.h), "" when none yet */
	struct diag_result result;
	struct view_text text;
	int wrapped_at;      /* the width the report was wrapped to */
};

static int heading_slot(const char *line)
{
	/* The report's headings are its own translated words; match them the same way. */
	if (strcmp(line, _("Blocking")) == 0)
		return UI_COLOR_NOT_SYNCING;
	if (strcmp(line, _("Warnings")) == 0)
		return UI_COLOR_AT_RISK;
	if (strcmp(line, _("Could not check")) == 0)
		return UI_COLOR_UNKNOWN;
	if (strcmp(line, _("Notes")) == 0)
		return UI_COLOR_HEADING;
	return -1;
}

/* Adds line, cut into pieces of at most width columns: the report wraps at 40 columns or
 * more, and a narrower terminal should still show all of it. Takes line. */
static void add_wrapped(struct diag *p, char *line, int slot, int width)
{
	if (width <= 0 || (int)text_width(line) <= width) {
		view_text_add(&p->text, line, slot);
		return;
	}
	for (const char *s = line; *s;) {
		size_t take = view_text_fit(s, width);
		view_text_add(&p->text, xstrndup(s, take), slot);
		s += take;
	}
	free(line);
}

/* Splits the report into lines and gives each its slot: the verdict line takes the verdict's,
 * headings their severity's, rule lines stand out. The chat's facts follow the verdict. */
static void render(struct view *v)
{
	struct diag *p = v->priv;
	view_text_clear(&p->text);
	int width = v->width > 0 ? v->width : 80;
	char *text = diag_report_text(&p->result, p->label, width);
	p->wrapped_at = width;
	const char *verdict_fmt = _("Verdict: %s");
	size_t verdict_prefix = strcspn(verdict_fmt, "%");
	bool verdict_seen = false, about_done = false;
	for (char *line = text;;) {
		size_t len = strcspn(line, "\n");
		if (!about_done && (len == 0 || !*line) && p->about) {
			for (const char *a = p->about; *a;) {
				size_t alen = strcspn(a, "\n");
				add_wrapped(p, xstrndup(a, alen), UI_COLOR_DEFAULT, width);
				a += alen;
				if (*a)
					a++;
			}
			about_done = true;
		}
		if (!*line)
			break;
		char *l = xstrndup(line, len);
		int slot = heading_slot(l);
		if (slot < 0 && !verdict_seen && strncmp(l, verdict_fmt, verdict_prefix) == 0) {
			slot = ui_verdict_slot((int)p->result.verdict);
			verdict_seen = true;
		}
		if (slot < 0 && strncmp(l, "  ", 2) == 0 && l[2] != ' ')
			slot = UI_COLOR_RULE;
		add_wrapped(p, l, slot < 0 ? UI_COLOR_DEFAULT : slot, width);
		line += len;
		if (*line)
			line++;
	}
	free(text);
	/* Under the diagnosis, since when: the chat's timeline, newest first. */
	if (p->timeline) {
		view_text_add(&p->text, xstrdup(""), UI_COLOR_DEFAULT);
		view_text_add(&p->text, xstrdup(_("History")), UI_COLOR_HEADING);
		if (!*p->timeline)
			add_wrapped(p, xasprintf("  %s", _("nothing recorded yet (each refresh records what changed)")),
				    UI_COLOR_DEFAULT, width);
		for (const char *t = p->timeline; *t;) {
			size_t tlen = strcspn(t, "\n");
			char *raw = xstrndup(t, tlen), *safe = text_sanitize(raw);
			add_wrapped(p, xasprintf("  %s", safe), UI_COLOR_DEFAULT, width);
			free(raw);
			free(safe);
			t += tlen;
			if (*t)
				t++;
		}
	}
	v->lines = p->text.n;
	view_clamp(v);
}

static int diagnose(struct view *v, struct cs_error *err)
{
	struct diag *p = v->priv;
	struct diag_result r;
	char *label, *about;
	struct ui *ui = v->ui;
	if (ui_diagnose_chat(ui->cache, p->key, ui->data.now, ui->data.warn_hours, &r, &label, &about, err))
		return -1;
	diag_result_free(&p->result);
	free(p->label);
	free(p->about);
	p->result = r;
	p->label = label;
	p->about = about;
	struct cs_error herr = { 0 };
	free(p->timeline);
	p->timeline = history_timeline(ui->cache, p->key, 50, &herr); /* NULL: none to show */
	render(v);
	return 0;
}

static int diag_open(struct view *v, const char *arg, struct cs_error *err)
{
	if (!arg || !*arg)
		return cs_fail(err, CS_EXIT_USAGE, "%s", _("which chat? (give a Teams chat id or an activity id)"));
	struct diag *p = xcalloc(1, sizeof *p);
	p->key = xstrdup(arg);
	v->priv = p;
	if (diagnose(v, err)) {
		free(p->key);
		free(p);
		v->priv = NULL;
		return -1;
	}
	free(v->title);
	v->title = xasprintf(_("Diagnosis: %s"), p->label);
	return 0;
}

static void diag_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct diag *p = v->priv;
	out->span = true;
	out->cells[0].text = p->text.lines[lineno];
	out->cells[0].slot = p->text.slots[lineno];
}

/* Search forward from the line on top, wrapping around (n and N go on from there). */
static void diag_search(struct view *v)
{
	struct diag *p = v->priv;
	if (!v->filter || !*v->filter || !p->text.n)
		return;
	for (size_t k = 0; k < p->text.n; k++) {
		size_t i = (v->lineno + k) % p->text.n;
		const char *fields[] = { p->text.lines[i] };
		if (view_filter_match(v->filter, fields, 1)) {
			view_select(v, i);
			return;
		}
	}
	ui_message(v->ui, UI_COLOR_STATUS_ERROR, _("\"%s\" is not in this diagnosis"), v->filter);
}

static void diag_update(struct view *v, enum view_update why)
{
	struct diag *p = v->priv;
	struct cs_error err = { 0 };
	switch (why) {
	case VIEW_UPDATE_RELOADED:
		/* The facts may have changed: diagnose again, keeping the old report if the chat left. */
		if (diagnose(v, &err))
			ui_message(v->ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		break;
	case VIEW_UPDATE_RESIZE:
		if (v->width != p->wrapped_at)
			render(v);
		break;
	default:
		break;
	}
}

static void diag_done(struct view *v)
{
	struct diag *p = v->priv;
	if (!p)
		return;
	view_text_clear(&p->text);
	diag_result_free(&p->result);
	free(p->label);
	free(p->about);
	free(p->timeline);
	free(p->key);
	free(p);
}

const struct view_ops view_diag_ops = {
	.name = N_("Diagnosis"),
	.flags = VIEW_SCROLL,
	.open = diag_open,
	.row = diag_row,
	.filter = diag_search,
	.update = diag_update,
	.done = diag_done,
};
