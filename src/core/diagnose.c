/* The rule table of DESIGN.md and its names: ids, severities and titles from DIAG_RULE_LIST, the
 * contract spellings of severities and verdicts, and which Dataverse tables are activities. The rules
 * themselves are in diagnose_dataverse.c and diagnose_graph.c, the helpers they build findings with in
 * diagnose_build.c, and diag_run in diagnose_engine.c (which calls the rules: nothing here calls back). */
#include "config.h"
#include "core/diagnose.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rule_def {
	const char *id;
	enum diag_severity severity;
	const char *title;
};

#define DIAG_RULE_DEF_(name, id, severity, title) { id, severity, title },
static const struct rule_def rules[DIAG_RULE_COUNT] = { DIAG_RULE_LIST(DIAG_RULE_DEF_) };
#undef DIAG_RULE_DEF_

static const char *const severity_names[] = { "blocking", "warning", "unknown", "info" };
static const char *const verdict_names[] = { "syncing", "at_risk", "not_syncing", "unknown" };

const char *diag_rule_id(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? rules[rule].id : NULL;
}

const char *diag_rule_title(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? _(rules[rule].title) : NULL;
}

enum diag_severity diag_rule_severity(enum diag_rule rule)
{
	return (unsigned)rule < DIAG_RULE_COUNT ? rules[rule].severity : DIAG_UNKNOWN;
}

int diag_rule_parse(const char *id)
{
	for (int i = 0; id && i < DIAG_RULE_COUNT; i++)
		if (strcmp(id, rules[i].id) == 0)
			return i;
	return -1;
}

const char *diag_severity_name(enum diag_severity s)
{
	return (unsigned)s < sizeof severity_names / sizeof *severity_names ? severity_names[s] : "unknown";
}

const char *diag_verdict_name(enum diag_verdict v)
{
	return (unsigned)v < sizeof verdict_names / sizeof *verdict_names ? verdict_names[v] : "unknown";
}

/* Dataverse's own activity tables. A custom activity table cannot be told from its name; such
 * a chat shows up as connected-before-sync instead, whose remedy still applies. */
bool diag_is_activity_table(const char *table)
{
	static const char *const activities[] = {
		"activitypointer", "appointment", "bulkoperation", "campaignactivity", "campaignresponse",
		"chat", "email", "fax", "incidentresolution", "letter", "msdyn_ocliveworkitem",
		"msdyn_ocsession", "opportunityclose", "orderclose", "phonecall", "quoteclose",
		"recurringappointmentmaster", "serviceappointment", "socialactivity", "task", "untrackedemail",
	};
	if (!table)
		return false;
	for (size_t i = 0; i < sizeof activities / sizeof *activities; i++)
		if (strcasecmp(table, activities[i]) == 0)
			return true;
	return false;
}
