/* Rendering a diagnosis as text and as JSON, and the `check` tally. The text is meant to read
 * like a short report an admin can paste into a ticket; the JSON is the scripting contract. */
#include "config.h"
#include "core/diag_report.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* ---- word wrapping by display width ---- */

/* Bytes in the UTF-8 sequence that starts with c (1 for a stray byte, which text_width counts
 * as one column too). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	if (c >= 0xE0)
		return c < 0xF0 ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

static size_t span_width(const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	size_t w = text_width(t);
	free(t);
	return w;
}

static void indent(struct buf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_add(out, " ", 1);
}

/* Appends text wrapped to width: the first line starts after first columns already used,
 * continuation lines are indented by hang. Words wider than a line are cut by columns, so
 * nothing ever passes width (long ids then wrap rather than spill). Ends with a newline. */
static void wrap(struct buf *out, const char *raw, size_t first, size_t hang, size_t width)
{
	char *text = text_sanitize(raw);
	size_t col = first;
	bool line_empty = true;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " ");
		size_t w = span_width(p, n);
		size_t need = line_empty ? w : w + 1;
		if (col + need > width && !line_empty) {
			buf_add(out, "\n", 1);
			indent(out, hang);
			col = hang;
			line_empty = true;
			need = w;
		}
		if (col + need <= width) {
			if (!line_empty)
				buf_add(out, " ", 1);
			buf_add(out, p, n);
			col += need;
			line_empty = false;
			p += n;
			continue;
		}
		/* A word wider than a whole line: emit what fits, carry on with the rest. */
		size_t used = 0;
		while (used < n) {
			size_t len = seq_len((unsigned char)p[used]);
			if (used + len > n)
				len = n - used;
			size_t cw = span_width(p + used, len);
			if (col + cw > width && !line_empty) {
				buf_add(out, "\n", 1);
				indent(out, hang);
				col = hang;
			}
			buf_add(out, p + used, len);
			col += cw;
			line_empty = false;
			used += len;
		}
		p += n;
	}
	buf_add(out, "\n", 1);
	free(text);
}

/* ---- text report ---- */

char *diag_evidence_text(const struct diag_evidence *e, cs_time now)
{
	if (!e)
		return xstrdup("");
	const char *fact = e->fact ? e->fact : "?";
	const char *value = e->value ? e->value : _("not set");
	const char *source = e->source ? e->source : DIAG_SRC_CHATSYNC;
	char when[64];
	if (e->fetched_at == 0)
		return xasprintf("%s %s (%s)", fact, value, source);
	if (e->fetched_at > now)
		return xasprintf(_("%s %s (%s, fetched %s)"), fact, value, source,
				 time_format_human(e->fetched_at, when, sizeof when));
	time_format_age(e->fetched_at, now, when, sizeof when);
	if (e->stale)
		return xasprintf(_("%s %s (%s, fetched %s ago: stale)"), fact, value, source, when);
	return xasprintf(_("%s %s (%s, fetched %s ago)"), fact, value, source, when);
}

const char *diag_verdict_text(enum diag_verdict v)
{
	switch (v) {
	case DIAG_VERDICT_SYNCING: return _("syncing");
	case DIAG_VERDICT_AT_RISK: return _("at risk");
	case DIAG_VERDICT_NOT_SYNCING: return _("not syncing");
	default: return _("unknown");
	}
}

static const char *severity_heading(enum diag_severity s)
{
	switch (s) {
	case DIAG_BLOCKING: return _("Blocking");
	case DIAG_WARNING: return _("Warnings");
	case DIAG_UNKNOWN: return _("Could not check");
	default: return _("Notes");
	}
}

static void count_line(struct buf *b, const struct diag_result *r)
{
	size_t n[4] = { 0 };
	for (size_t i = 0; i < r->n_findings; i++)
		if ((unsigned)r->findings[i].severity < 4)
			n[r->findings[i].severity]++;
	const char *sep = " (";
	if (n[DIAG_BLOCKING]) {
		buf_printf(b, "%s", sep);
		buf_printf(b, ngettext("%zu blocking finding", "%zu blocking findings", n[DIAG_BLOCKING]),
			   n[DIAG_BLOCKING]);
		sep = ", ";
	}
	if (n[DIAG_WARNING]) {
		buf_printf(b, "%s", sep);
		buf_printf(b, ngettext("%zu warning", "%zu warnings", n[DIAG_WARNING]), n[DIAG_WARNING]);
		sep = ", ";
	}
	if (n[DIAG_UNKNOWN]) {
		buf_printf(b, "%s", sep);
		buf_printf(b, ngettext("%zu check could not run", "%zu checks could not run", n[DIAG_UNKNOWN]),
			   n[DIAG_UNKNOWN]);
		sep = ", ";
	}
	if (sep[0] == ',')
		buf_adds(b, ")");
}

static void finding_text(struct buf *out, const struct diag_result *r, const struct diag_finding *fd,
			 size_t width)
{
	char *head;
	if (fd->rule == DIAG_RULE_CHECK_UNAVAILABLE)
		head = xasprintf(_("%s: %s could not be checked"), diag_rule_id(fd->rule),
				 diag_rule_id(fd->check) ? diag_rule_id(fd->check) : "?");
	else if (fd->severity == DIAG_INFO)
		/* A note is what a rule saw without firing: its title (the failure) would mislead. */
		head = xasprintf(_("%s (note)"), diag_rule_id(fd->rule));
	else
		head = xasprintf("%s: %s", diag_rule_id(fd->rule), diag_rule_title(fd->rule));
	indent(out, 2);
	wrap(out, head, 2, 6, width);
	free(head);
	if (fd->summary) {
		indent(out, 4);
		wrap(out, fd->summary, 4, 4, width);
	}
	if (fd->n_evidence) {
		indent(out, 4);
		buf_printf(out, "%s\n", _("Evidence:"));
		for (size_t i = 0; i < fd->n_evidence; i++) {
			char *e = diag_evidence_text(&fd->evidence[i], r->now);
			buf_adds(out, "      - ");
			wrap(out, e, 8, 8, width);
			free(e);
		}
	}
	if (fd->remedy) {
		char *what = xasprintf(_("What to do: %s"), fd->remedy);
		indent(out, 4);
		wrap(out, what, 4, 6, width);
		free(what);
	}
}

char *diag_report_text(const struct diag_result *r, const char *chat_label, int width)
{
	size_t w = width > 0 ? (size_t)width : 80;
	if (w < 40)
		w = 40;   /* below this the indents leave no room for words */
	struct buf out;
	buf_init(&out);
	buf_add(&out, "", 0);
	if (!r)
		return buf_steal(&out);
	if (chat_label && *chat_label) {
		char *l = xasprintf(_("Chat: %s"), chat_label);
		wrap(&out, l, 0, 6, w);
		free(l);
	}
	struct buf v;
	buf_init(&v);
	buf_printf(&v, _("Verdict: %s"), diag_verdict_text(r->verdict));
	count_line(&v, r);
	buf_adds(&v, ".");
	if (r->n_findings == 0)
		buf_printf(&v, " %s", _("Every check passed."));
	wrap(&out, v.data, 0, 2, w);
	buf_free(&v);
	int current = -1;
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct diag_finding *fd = &r->findings[i];
		if ((int)fd->severity != current) {
			current = (int)fd->severity;
			buf_printf(&out, "\n%s\n", severity_heading(fd->severity));
		} else {
			buf_add(&out, "\n", 1);
		}
		finding_text(&out, r, fd, w);
	}
	return buf_steal(&out);
}

/* ---- JSON ---- */

static cJSON *time_json(cs_time t)
{
	char iso[32];
	if (t == 0)
		return cJSON_CreateNull();
	return cJSON_CreateString(time_format_iso(t, iso, sizeof iso));
}

static cJSON *string_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *finding_json(const struct diag_finding *fd)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "rule", string_or_null(diag_rule_id(fd->rule)));
	cJSON_AddStringToObject(o, "severity", diag_severity_name(fd->severity));
	cJSON_AddItemToObject(o, "check", string_or_null(diag_rule_id(fd->check)));
	cJSON_AddItemToObject(o, "title", string_or_null(diag_rule_title(fd->rule)));
	cJSON_AddItemToObject(o, "summary", string_or_null(fd->summary));
	cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
	for (size_t i = 0; i < fd->n_evidence; i++) {
		const struct diag_evidence *e = &fd->evidence[i];
		cJSON *item = cJSON_CreateObject();
		cJSON_AddItemToObject(item, "fact", string_or_null(e->fact));
		cJSON_AddItemToObject(item, "value", string_or_null(e->value));
		cJSON_AddItemToObject(item, "source", string_or_null(e->source));
		cJSON_AddItemToObject(item, "fetched_at", time_json(e->fetched_at));
		cJSON_AddBoolToObject(item, "stale", e->stale);
		cJSON_AddItemToArray(ev, item);
	}
	cJSON_AddItemToObject(o, "remedy", string_or_null(fd->remedy));
	return o;
}

struct cJSON *diag_report_json(const struct diag_result *r, struct cJSON *chat)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "chat", chat ? chat : cJSON_CreateNull());
	cJSON_AddStringToObject(doc, "verdict", diag_verdict_name(r ? r->verdict : DIAG_VERDICT_UNKNOWN));
	cJSON_AddItemToObject(doc, "diagnosed_at", time_json(r ? r->now : 0));
	cJSON *arr = cJSON_AddArrayToObject(doc, "findings");
	for (size_t i = 0; r && i < r->n_findings; i++)
		cJSON_AddItemToArray(arr, finding_json(&r->findings[i]));
	return doc;
}

/* ---- check ---- */

void diag_check_init(struct diag_check *s)
{
	memset(s, 0, sizeof *s);
	s->warn_hours = DIAG_DEFAULT_WARN_HOURS;
}

void diag_check_add(struct diag_check *s, const struct diag_result *r)
{
	if (!s || !r)
		return;
	switch (r->verdict) {
	case DIAG_VERDICT_NOT_SYNCING: s->not_syncing++; break;
	case DIAG_VERDICT_AT_RISK: s->at_risk++; break;
	case DIAG_VERDICT_SYNCING: s->syncing++; break;
	default: s->unknown++; break;
	}
	if (r->warn_hours > 0)
		s->warn_hours = r->warn_hours;
	bool stale_soon = false;
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct diag_finding *fd = &r->findings[i];
		s->any_blocking |= fd->severity == DIAG_BLOCKING;
		s->any_warning |= fd->severity == DIAG_WARNING;
		s->any_unknown |= fd->severity == DIAG_UNKNOWN;
		stale_soon |= fd->rule == DIAG_RULE_INACTIVE_SOON;
	}
	/* A chat that is already not syncing is not "going stale": it is counted there. */
	if (stale_soon && r->verdict == DIAG_VERDICT_AT_RISK)
		s->going_stale++;
}

void diag_check_merge(struct diag_check *s, const struct diag_check *more)
{
	if (!s || !more)
		return;
	s->not_syncing += more->not_syncing;
	s->at_risk += more->at_risk;
	s->unknown += more->unknown;
	s->syncing += more->syncing;
	s->going_stale += more->going_stale;
	s->any_blocking |= more->any_blocking;
	s->any_unknown |= more->any_unknown;
	s->any_warning |= more->any_warning;
	if (more->warn_hours > 0)
		s->warn_hours = more->warn_hours;
}

int diag_check_exit_code(const struct diag_check *s)
{
	if (s->any_blocking)
		return CS_EXIT_USAGE;     /* 2: blocking findings */
	if (s->any_unknown)
		return CS_EXIT_NETWORK;   /* 3: unknown */
	if (s->any_warning)
		return CS_EXIT_FINDINGS;  /* 1: warnings */
	return CS_EXIT_OK;
}

/* Appends one part of the summary line (owned text, NULL for none). */
static void part(struct buf *b, bool *first, char *text)
{
	if (!text)
		return;
	if (!*first)
		buf_adds(b, ", ");
	buf_adds(b, text);
	*first = false;
	free(text);
}

/* The first part names the noun ("3 chats not syncing"); the rest lean on it ("12 at risk"). */
char *diag_check_summary(const struct diag_check *s)
{
	size_t total = s->not_syncing + s->at_risk + s->unknown + s->syncing;
	if (total == 0)
		return xstrdup(_("No connected chats."));
	if (total == s->syncing)
		return xasprintf(ngettext("The %zu chat is syncing.", "All %zu chats are syncing.", total), total);
	struct buf b;
	buf_init(&b);
	bool first = true;
	size_t n = s->not_syncing;
	part(&b, &first, !n ? NULL : xasprintf(ngettext("%zu chat not syncing", "%zu chats not syncing", n), n));
	n = s->at_risk;
	part(&b, &first, !n ? NULL : first ? xasprintf(ngettext("%zu chat at risk", "%zu chats at risk", n), n)
					  : xasprintf(_("%zu at risk"), n));
	if (n && s->going_stale == n)
		buf_printf(&b, _(" (go stale within %d h)"), s->warn_hours);
	else if (s->going_stale)
		buf_printf(&b, _(" (%zu go stale within %d h)"), s->going_stale, s->warn_hours);
	n = s->unknown;
	part(&b, &first, !n ? NULL : first ? xasprintf(ngettext("%zu chat unknown", "%zu chats unknown", n), n)
					  : xasprintf(_("%zu unknown"), n));
	n = s->syncing;
	part(&b, &first, !n ? NULL : xasprintf(_("%zu syncing"), n));
	return buf_steal(&b);
}
