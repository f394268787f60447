/* The engine: derives what several rules read from the facts once, runs the Dataverse rules and then
 * the Graph rules (table order), sorts the findings and gives the verdict. */
#include "config.h"
#include "core/diagnose_int.h"
#include "base/timefmt.h"
#include <stdlib.h>
#include <string.h>

static int cmp_findings(const void *pa, const void *pb)
{
	const struct diag_finding *a = pa, *b = pb;
	if (a->severity != b->severity)
		return (int)a->severity - (int)b->severity;
	if (a->rule != b->rule)
		return (int)a->rule - (int)b->rule;
	return (int)a->check - (int)b->check;
}

enum diag_verdict diag_verdict_of(const struct diag_result *r)
{
	bool warning = false, unknown = false;
	for (size_t i = 0; i < r->n_findings; i++) {
		if (r->findings[i].severity == DIAG_BLOCKING)
			return DIAG_VERDICT_NOT_SYNCING;
		warning |= r->findings[i].severity == DIAG_WARNING;
		unknown |= r->findings[i].severity == DIAG_UNKNOWN;
	}
	return warning ? DIAG_VERDICT_AT_RISK : unknown ? DIAG_VERDICT_UNKNOWN : DIAG_VERDICT_SYNCING;
}

void diag_run(const struct diag_facts *facts, struct diag_result *out)
{
	static const struct diag_facts none;
	const struct diag_facts *f = facts ? facts : &none;
	memset(out, 0, sizeof *out);
	out->now = f->now ? f->now : time_now();
	out->warn_hours = f->warn_hours > 0 ? f->warn_hours : DIAG_DEFAULT_WARN_HOURS;
	struct diag_ctx c = { .f = f, .r = out, .now = out->now };
	const struct cs_chat *ch = f->chat;
	const struct cs_assoc *a = f->assoc;
	c.has_row = ch && ch->state != CS_STATE_NOT_RECORDED;
	c.unlinked = (ch && ch->unlinked_on) || (a && a->record_state == CS_ASSOC_DISASSOCIATE);
	c.gone = f->graph && f->graph->chat_status == 404;
	/* An activity on either side decides; otherwise the association names the record. */
	const char *at = a ? a->regarding_table : NULL, *rt = ch ? ch->regarding_type : NULL;
	c.regarding_table = diag_is_activity_table(rt) && !diag_is_activity_table(at) ? rt
			    : at && *at ? at : rt;
	c.regards_activity = diag_is_activity_table(c.regarding_table);

	diag_rules_dataverse(&c);
	diag_rules_graph(&c);

	if (out->n_findings > 1)
		qsort(out->findings, out->n_findings, sizeof *out->findings, cmp_findings);
	out->verdict = diag_verdict_of(out);
}

void diag_result_free(struct diag_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_findings; i++) {
		struct diag_finding *fd = &r->findings[i];
		for (size_t j = 0; j < fd->n_evidence; j++) {
			free(fd->evidence[j].fact);
			free(fd->evidence[j].value);
		}
		free(fd->evidence);
		free(fd->summary);
		free(fd->remedy);
	}
	free(r->findings);
	memset(r, 0, sizeof *r);
}
