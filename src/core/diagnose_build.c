/* Building findings: the helpers every rule file uses. They live below the rules (the rules call
 * them; the engine calls the rules), so no two object files call each other. */
#include "config.h"
#include "core/diagnose_int.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct diag_finding *diag_add(struct diag_ctx *c, enum diag_rule rule, enum diag_severity sev, enum diag_rule check)
{
	struct diag_result *r = c->r;
	r->findings = xgrow(r->findings, &c->cap, r->n_findings, sizeof *r->findings);
	struct diag_finding *fd = &r->findings[r->n_findings++];
	memset(fd, 0, sizeof *fd);
	fd->rule = rule;
	fd->severity = sev;
	fd->check = check;
	return fd;
}

struct diag_finding *diag_found(struct diag_ctx *c, enum diag_rule rule)
{
	return diag_add(c, rule, diag_rule_severity(rule), rule);
}

struct diag_finding *diag_unavailable(struct diag_ctx *c, enum diag_rule check)
{
	return diag_add(c, DIAG_RULE_CHECK_UNAVAILABLE, DIAG_UNKNOWN, check);
}

void diag_say(struct diag_finding *fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(fd->summary);
	fd->summary = xvasprintf(fmt, ap);
	va_end(ap);
}

void diag_fix(struct diag_finding *fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(fd->remedy);
	fd->remedy = xvasprintf(fmt, ap);
	va_end(ap);
}

void diag_evidence(struct diag_ctx *c, struct diag_finding *fd, const char *fact, const char *source,
		   cs_time fetched_at, const char *fmt, ...)
{
	fd->evidence = xrealloc(fd->evidence, (fd->n_evidence + 1) * sizeof *fd->evidence);
	struct diag_evidence *e = &fd->evidence[fd->n_evidence++];
	va_list ap;
	va_start(ap, fmt);
	e->value = xvasprintf(fmt, ap);
	va_end(ap);
	e->fact = xstrdup(fact);
	e->source = source;
	e->fetched_at = fetched_at;
	e->stale = fetched_at != 0 && c->now - fetched_at > DIAG_STALE_AFTER;
}

const char *diag_str(const char *s)
{
	return s && *s ? s : _("not set");
}

const char *diag_time_text(cs_time t, char *buf, size_t n)
{
	if (t == 0)
		return _("not set");
	return time_format_human(t, buf, n);
}

const char *diag_state_text(int state)
{
	switch (state) {
	case CS_STATE_OPEN: return _("Open");
	case CS_STATE_COMPLETED: return _("Completed");
	case CS_STATE_CANCELED: return _("Canceled");
	case CS_STATE_SCHEDULED: return _("Scheduled");
	case CS_STATE_NOT_RECORDED: return _("no activity row");
	default: return _("unknown value");
	}
}

const char *diag_tristate_text(int v)
{
	return v == CS_TRUE ? "true" : v == CS_FALSE ? "false" : _("unknown");
}

const char *diag_env_name(const struct cs_env *env)
{
	if (!env)
		return _("the environment");
	if (env->unique_name && *env->unique_name)
		return env->unique_name;
	if (env->friendly_name && *env->friendly_name)
		return env->friendly_name;
	return _("the environment");
}

/* The facts were never read: one remedy for all of them. */
void diag_never_fetched(struct diag_finding *fd)
{
	diag_fix(fd, "%s", _("Never fetched: run chatsync refresh."));
}

/* A Graph or Entra request that did not give an answer the check can use. */
void diag_request_failed(struct diag_ctx *c, enum diag_rule check, const char *what, const char *request,
			 const char *source, int status, const char *error, cs_time fetched_at, const char *permission)
{
	struct diag_finding *fd = diag_unavailable(c, check);
	if (status == 0) {
		diag_say(fd, _("chatsync has not read %s yet, so %s was not checked."), what, diag_rule_id(check));
		diag_evidence(c, fd, request, source, 0, "%s", _("never fetched"));
		diag_never_fetched(fd);
		return;
	}
	diag_evidence(c, fd, request, source, fetched_at, "HTTP %d%s%s", status, error && *error ? ": " : "",
		      error && *error ? error : "");
	if (status == 401 || status == 403) {
		diag_say(fd, _("chatsync is not allowed to read %s, so %s was not checked."), what,
			 diag_rule_id(check));
		diag_fix(fd, _("Grant chatsync's app registration the Microsoft Graph permission %s "
			 "(Microsoft Entra admin center → App registrations → chatsync's app → API "
			 "permissions, then grant admin consent), then run chatsync refresh."), permission);
	} else {
		diag_say(fd, _("%s answered HTTP %d, so %s was not checked."), request, status, diag_rule_id(check));
		diag_fix(fd, "%s", _("Run chatsync refresh again; if it keeps failing, see chatsync.log for the "
			 "request id."));
	}
}

void diag_since(struct diag_ctx *c, struct diag_finding *fd, enum diag_since_fact which)
{
	const struct diag_since *s = c->f->since;
	char when[64];
	if (!s || !s->at[which])
		return;
	time_format_human(s->at[which], when, sizeof when);
	if (s->first[which])
		diag_evidence(c, fd, _("history:"), DIAG_SRC_CHATSYNC, s->at[which],
			      _("held since at least %s (the first refresh that saw it)"), when);
	else
		diag_evidence(c, fd, _("history:"), DIAG_SRC_CHATSYNC, s->at[which],
			      _("held since %s (the refresh that saw it change)"), when);
}
