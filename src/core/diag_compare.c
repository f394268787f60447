/* Comparing a diagnosis with an earlier one: the rule list kept per chat, and the findings that are
 * new since (check --new, the history's "new finding"). */
#include "config.h"
#include "core/diagnose.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rule_key(const struct diag_finding *fd, char *buf, size_t n)
{
	if (fd->rule == DIAG_RULE_CHECK_UNAVAILABLE && fd->check != fd->rule)
		snprintf(buf, n, "%s:%s", diag_rule_id(fd->rule), diag_rule_id(fd->check));
	else
		snprintf(buf, n, "%s", diag_rule_id(fd->rule));
}

char *diag_result_rules(const struct diag_result *r)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (size_t i = 0; i < r->n_findings; i++) {
		if (r->findings[i].severity == DIAG_INFO)
			continue;
		char key[96];
		rule_key(&r->findings[i], key, sizeof key);
		buf_printf(&b, "%s%s", b.len ? "," : "", key);
	}
	return buf_steal(&b);
}

static bool listed(const char *list, const char *key)
{
	size_t len = strlen(key);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, key, n) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

void diag_result_keep_new(struct diag_result *r, const char *previous)
{
	if (!previous)
		return;
	struct diag_result gone = { 0 };
	gone.findings = xcalloc(r->n_findings + 1, sizeof *gone.findings);
	size_t kept = 0;
	for (size_t i = 0; i < r->n_findings; i++) {
		char key[96];
		rule_key(&r->findings[i], key, sizeof key);
		if (r->findings[i].severity != DIAG_INFO && listed(previous, key))
			gone.findings[gone.n_findings++] = r->findings[i];
		else
			r->findings[kept++] = r->findings[i];
	}
	r->n_findings = kept;
	r->verdict = diag_verdict_of(r);
	diag_result_free(&gone);
}
