/* Shared by the diagnosis tests: a chat whose every fact says "syncing", which each test then
 * bends until one rule fires (or, for a near miss, almost fires). Strings are literals and the
 * structs are never passed to the cs_*_free functions. */
#ifndef DIAG_TEST_FACTS_H
#define DIAG_TEST_FACTS_H
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>
#include "core/diagnose.h"

#define NOW ((cs_time)1794647520)   /* 2026-11-14 09:12:00 UTC */
#define MIN ((cs_time)60)
#define HOUR ((cs_time)3600)
#define DAY ((cs_time)86400)

struct fx {
	struct cs_env env;
	struct cs_chat chat;
	struct cs_assoc assoc;
	struct cs_graph_chat graph;
	struct cs_rsc rsc;
	struct cs_sync_error errors[8];
	struct diag_facts facts;
	struct diag_result res;
};

/* x must be zeroed or hold a previous fixture (its result is freed first). */
static inline void fx_healthy(struct fx *x)
{
	diag_result_free(&x->res);
	memset(x, 0, sizeof *x);
	x->env.id = "11111111-0000-0000-0000-000000000001";
	x->env.unique_name = "contoso";
	x->env.friendly_name = "Contoso Sales";
	x->env.sync_enabled = CS_TRUE;
	x->env.inactivity_days = 7;
	x->env.org_fetched_at = NOW - 3 * MIN;
	x->env.refreshed_at = NOW - 3 * MIN;

	x->chat.activity_id = "aaaaaaaa-0000-0000-0000-000000000001";
	x->chat.teams_chat_id = "19:deal@thread.v2";
	x->chat.subject = "Deal room";
	x->chat.state = CS_STATE_OPEN;
	x->chat.sync_status = CS_SYNC_ENABLED;
	x->chat.modified_in_teams_on = NOW - 1 * DAY;
	x->chat.linked_on = NOW - 10 * DAY;
	x->chat.created_on = NOW - 10 * DAY;
	x->chat.regarding_type = "account";
	x->chat.regarding_id = "bbbbbbbb-0000-0000-0000-000000000001";
	x->chat.fetched_at = NOW - 3 * MIN;

	x->assoc.teams_chat_id = "19:deal@thread.v2";
	x->assoc.regarding_table = "account";
	x->assoc.record_state = CS_ASSOC_ASSOCIATE;
	x->assoc.created_on = NOW - 10 * DAY;
	x->assoc.fetched_at = NOW - 3 * MIN;

	x->graph.teams_chat_id = "19:deal@thread.v2";
	x->graph.chat_status = 200;
	x->graph.chat_fetched_at = NOW - 5 * MIN;
	x->graph.apps_status = 200;
	x->graph.app_installed = CS_TRUE;
	x->graph.app_client_id = "cccccccc-0000-0000-0000-000000000001";
	x->graph.app_name = "Dataverse Chat Sync";
	x->graph.apps_fetched_at = NOW - 5 * MIN;
	x->graph.grants_status = 200;
	x->graph.app_has_grant = CS_TRUE;
	x->graph.n_grants = 2;
	x->graph.grants_fetched_at = NOW - 5 * MIN;

	x->rsc.state = CS_RSC_ENABLED_FOR_ALL_APPS;
	x->rsc.source = "authorizationPolicy";
	x->rsc.http_status = 200;
	x->rsc.fetched_at = NOW - 10 * MIN;

	x->facts.env = &x->env;
	x->facts.chat = &x->chat;
	x->facts.assoc = &x->assoc;
	x->facts.errors = x->errors;
	x->facts.n_errors = 0;
	x->facts.graph = &x->graph;
	x->facts.rsc = &x->rsc;
	x->facts.now = NOW;
	x->facts.warn_hours = 24;
}

static inline const struct diag_result *fx_run(struct fx *x)
{
	diag_result_free(&x->res);
	diag_run(&x->facts, &x->res);
	return &x->res;
}

/* The finding of rule (not a check-unavailable about it), or NULL. */
static inline const struct diag_finding *fx_find(const struct diag_result *r, enum diag_rule rule)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].rule == rule)
			return &r->findings[i];
	return NULL;
}

/* The check-unavailable finding about rule, or NULL. */
static inline const struct diag_finding *fx_unavailable(const struct diag_result *r, enum diag_rule rule)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].rule == DIAG_RULE_CHECK_UNAVAILABLE && r->findings[i].check == rule)
			return &r->findings[i];
	return NULL;
}

static inline size_t fx_count(const struct diag_result *r, enum diag_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_findings; i++)
		n += r->findings[i].severity == sev;
	return n;
}

static inline const struct diag_evidence *fx_evidence(const struct diag_finding *fd, const char *fact)
{
	for (size_t i = 0; fd && i < fd->n_evidence; i++)
		if (fd->evidence[i].fact && strcmp(fd->evidence[i].fact, fact) == 0)
			return &fd->evidence[i];
	return NULL;
}

static inline void fx_locale(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}

#endif
