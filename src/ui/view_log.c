/* The message log: every error, warning and notice of the session with its time, wrapped to
 * the screen so a long remedy can be read whole. Newest last; it opens at the end. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct logview {
	struct view_text text;
};

static void build(struct view *v)
{
	struct logview *p = v->priv;
	struct ui *ui = v->ui;
	view_text_clear(&p->text);
	int width = v->width > 20 ? v->width : 80;
	for (size_t i = 0; i < ui->n_log; i++) {
		const struct ui_msg *m = &ui->log[i];
		char when[16];
		time_t t = (time_t)m->at;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		const char *kind = m->slot == UI_COLOR_STATUS_ERROR ? _("error")
				 : m->slot == UI_COLOR_STATUS_WARN ? _("warning") : _("notice");
		int slot = m->slot == UI_COLOR_STATUS_ERROR ? UI_COLOR_NOT_SYNCING
			 : m->slot == UI_COLOR_STATUS_WARN ? UI_COLOR_AT_RISK : UI_COLOR_DEFAULT;
		char *safe = text_sanitize(m->text);
		char *head = xasprintf("%s %-7s ", when, kind);
		int indent = (int)text_width(head);
		const char *s = safe;
		bool first = true;
		do {
			size_t take = view_text_fit(s, width - indent);
			char *piece = xstrndup(s, take);
			view_text_add(&p->text, xasprintf("%*s%s", first ? 0 : indent, first ? head : "", piece), slot);
			free(piece);
			s += take;
			first = false;
		} while (*s);
		free(head);
		free(safe);
	}
	v->lines = p->text.n;
	view_clamp(v);
}

static int log_open(struct view *v, const char *arg, struct cs_error *err)
{
	(void)arg;
	(void)err;
	v->priv = xcalloc(1, sizeof(struct logview));
	v->title = xstrdup(_("Messages"));
	build(v);
	view_select(v, v->lines);
	return 0;
}

static void log_row(struct view *v, size_t lineno, struct view_row *out)
{
	struct logview *p = v->priv;
	out->span = true;
	out->cells[0].text = p->text.lines[lineno];
	out->cells[0].slot = p->text.slots[lineno];
}

static void log_update(struct view *v, enum view_update why)
{
	if (why == VIEW_UPDATE_LOG || why == VIEW_UPDATE_RESIZE)
		build(v);
}

static void log_filter(struct view *v)
{
	/* Like a diagnosis: / searches, n and N go on. */
	struct logview *p = v->priv;
	for (size_t k = 0; v->filter && k < p->text.n; k++) {
		size_t i = (v->lineno + k) % p->text.n;
		const char *fields[] = { p->text.lines[i] };
		if (view_filter_match(v->filter, fields, 1)) {
			view_select(v, i);
			return;
		}
	}
}

static void log_done(struct view *v)
{
	struct logview *p = v->priv;
	if (p)
		view_text_clear(&p->text);
	free(p);
}

const struct view_ops view_log_ops = {
	.name = N_("Messages"),
	.empty = N_("no messages yet"),
	.flags = VIEW_SCROLL,
	.open = log_open,
	.row = log_row,
	.filter = log_filter,
	.update = log_update,
	.done = log_done,
};
