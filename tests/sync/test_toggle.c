/* The one write (sync/toggle.c) against a sandbox: on, off, unchanged, the 412 re-read, 403,
 * read-only, a cancel in the confirmation, and the plan a front end is shown. */
#include "config.h"
#include "syt.h"
#include "base/xalloc.h"
#include "store/audit_log.h"
#include "store/cache.h"
#include "sync/toggle.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct syt t;
static void stop(void) { syt_stop(&t); }

/* What the front end was shown and asked. */
struct front {
	struct syt *t;
	int answer;              /* what confirm returns */
	int shown, asked, notes;
	struct toggle_plan last; /* copied scalars of the last plan shown */
	char env[64];
	bool race;               /* change the row behind chatsync's back on the first question */
	bool cancel_on_ask;
};

static void show(const struct toggle_plan *p, void *user)
{
	struct front *f = user;
	f->shown++;
	f->last = *p;
	f->last.env = NULL;
	f->last.identity = NULL;
	snprintf(f->env, sizeof f->env, "%s", p->env->unique_name);
}

static int confirm(const struct toggle_plan *p, void *user)
{
	struct front *f = user;
	f->asked++;
	cr_assert_eq(p->round, f->asked - 1, "question %d in round %d", f->asked, p->round);
	if (f->race && f->asked == 1)
		syt_control(f->t, "POST", "org", "{\"env\":\"contoso-field\",\"daysbeforeinactiveteamschatsyncdisabled\":9}");
	if (f->cancel_on_ask)
		f->t->cancel = 1;
	return f->answer;
}

static void note(const char *line, void *user)
{
	struct front *f = user;
	f->notes++;
	cr_assert(strstr(line, "contoso-field"), "%s", line);
}

static int run(struct front *f, bool want, bool yes, struct toggle_result *res, struct cs_error *err)
{
	struct toggle_opts o = { .env = "contoso-field", .want = want, .assume_yes = yes, .confirm = confirm,
				 .show = show, .note = note, .user = f, .cancel = &t.cancel };
	return toggle_run(t.p, t.cache, &o, res, err);
}

static void start(struct front *f, const char *profile)
{
	syt_start(&t, "sandbox", NULL);
	syt_refresh_ok(&t);
	syt_use(&t, profile);
	memset(f, 0, sizeof *f);
	f->t = &t;
	f->answer = 1;
}

static size_t patches(size_t from)
{
	return syt_log_count(&t, from, "\"method\":\"PATCH\"", NULL);
}

/* The last audit row's result, from the cache (caller frees). */
static char *last_audit(void)
{
	struct cache_audit *a;
	size_t n;
	cr_assert_eq(cache_audit_list(t.cache, &a, &n, NULL), 0);
	cr_assert_gt(n, 0, "nothing audited");
	char *r = xstrdup(a[n - 1].result);
	for (size_t i = 0; i < n; i++)
		cache_audit_free(&a[i]);
	free(a);
	return r;
}

static int cached_sync(void)
{
	struct cs_env e;
	cr_assert_eq(cache_find_env(t.cache, "contoso-field", &e, NULL), 0);
	int v = e.sync_enabled;
	cs_env_free(&e);
	return v;
}

Test(toggle, on_shows_the_plan_asks_writes_and_audits, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, false, &res, &err), 0, "%s", err.msg);
	cr_assert_eq(f.shown, 1);
	cr_assert_eq(f.asked, 1);
	cr_assert_str_eq(f.env, "contoso-field");
	cr_assert_eq(f.last.old, CS_FALSE);
	cr_assert(f.last.want);
	cr_assert_not(f.last.delegated, "the sandbox profile is an app");
	cr_assert(f.last.production, "contoso-field's purpose is production: its name must be typed");
	cr_assert_eq(f.last.rsc_state, CS_RSC_MANAGED_BY_MICROSOFT, "the refreshed RSC state is not in the plan");
	cr_assert_eq(res.old, CS_FALSE);
	cr_assert_eq(res.now, CS_TRUE);
	cr_assert_str_eq(res.outcome, "ok");
	cr_assert_not_null(res.request_id);
	cr_assert_not_null(res.identity);
	cr_assert_eq(patches(mark), 1);
	cr_assert_eq(cached_sync(), CS_TRUE);
	char *r = last_audit();
	cr_assert_str_eq(r, "ok");
	free(r);
	/* the row written ahead of the PATCH is the one that now says ok: no pending row is left */
	struct cache_audit *a;
	size_t n;
	cr_assert_eq(cache_audit_list(t.cache, &a, &n, NULL), 0);
	cr_assert_eq(n, 1, "%zu audit rows for one write", n);
	cr_assert_not_null(a[0].request_id);
	cache_audit_free(&a[0]);
	free(a);
	char *path = audit_log_path(), *log = NULL;
	FILE *fp = fopen(path, "r");
	cr_assert_not_null(fp, "no %s", path);
	size_t cap = 0;
	cr_assert_gt(getdelim(&log, &cap, '\0', fp), 0);
	fclose(fp);
	cr_assert(strstr(log, "\"environment\":\"contoso-field\"") && strstr(log, "\"result\":\"ok\""), "%s", log);
	cr_assert(strstr(log, "\"result\":\"pending: sent, no answer yet\""), "audit.log has no line ahead of the PATCH: %s",
		  log);
	free(log);
	free(path);
	toggle_result_free(&res);
}

Test(toggle, unchanged_sends_no_patch_and_asks_nothing, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, false, false, &res, &err), 0, "%s", err.msg); /* contoso-field is off */
	cr_assert_str_eq(res.outcome, "unchanged");
	cr_assert_eq(f.asked, 0);
	cr_assert_eq(f.shown, 0);
	cr_assert_eq(patches(mark), 0);
	toggle_result_free(&res);
}

Test(toggle, on_then_off_with_yes, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, true, &res, &err), 0, "%s", err.msg);
	toggle_result_free(&res);
	cr_assert_eq(f.asked, 0, "--yes asked");
	cr_assert_eq(f.shown, 1, "--yes must still show the plan");
	cr_assert_eq(run(&f, false, true, &res, &err), 0, "%s", err.msg);
	cr_assert_eq(res.old, CS_TRUE);
	cr_assert_eq(res.now, CS_FALSE);
	cr_assert_eq(cached_sync(), CS_FALSE);
	cr_assert_eq(f.last.want, false);
	toggle_result_free(&res);
}

Test(toggle, a_412_reads_again_and_asks_again, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	f.race = true;
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, false, &res, &err), 0, "%s", err.msg);
	cr_assert_eq(syt_log_count(&t, mark, "\"method\":\"PATCH\"", "\"status\":412", NULL), 1);
	cr_assert_eq(patches(mark), 2);
	cr_assert_eq(f.notes, 1);
	cr_assert_eq(f.asked, 2, "the changed row was not confirmed again");
	cr_assert_eq(f.last.round, 1);
	cr_assert_str_eq(res.outcome, "ok");
	toggle_result_free(&res);
}

Test(toggle, an_app_without_system_administrator_gets_403, .fini = stop)
{
	struct front f;
	start(&f, "sandbox-reader");
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, true, &res, &err), -1);
	cr_assert_eq(err.exit_code, 3);
	cr_assert(strstr(err.msg, "System Administrator"), "%s", err.msg);
	cr_assert_str_eq(res.outcome, "refused: 403");
	cr_assert_eq(cached_sync(), CS_FALSE);
	toggle_result_free(&res);
}

Test(toggle, readonly_refuses_without_a_request, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	struct toggle_opts o = { .env = "contoso-field", .want = true, .readonly = true, .assume_yes = true };
	cr_assert_eq(toggle_run(t.p, t.cache, &o, &res, &err), -1);
	cr_assert_eq(err.exit_code, 2);
	cr_assert(strstr(err.msg, "read-only"), "%s", err.msg);
	cr_assert_eq(syt_log_lines(&t), mark, "read-only sent a request");
	char *r = last_audit();
	cr_assert_str_eq(r, "refused: read-only");
	free(r);
	toggle_result_free(&res);
}

Test(toggle, no_answer_in_the_confirmation_writes_nothing, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	f.answer = 0;
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, false, &res, &err), -1);
	cr_assert_eq(err.exit_code, 2);
	cr_assert_str_eq(res.outcome, "cancelled");
	cr_assert_eq(patches(mark), 0);
	toggle_result_free(&res);
	f.answer = -1; /* nobody to ask */
	f.asked = 0;
	cr_assert_eq(run(&f, true, false, &res, &err), -1);
	cr_assert(strstr(err.msg, "--yes"), "%s", err.msg);
	cr_assert_str_eq(res.outcome, "refused: no terminal to confirm and no --yes");
	cr_assert_eq(patches(mark), 0);
	toggle_result_free(&res);
}

Test(toggle, a_cancel_while_asking_writes_nothing, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	f.cancel_on_ask = true;
	size_t mark = syt_log_lines(&t);
	struct toggle_result res;
	struct cs_error err = { 0 };
	cr_assert_eq(run(&f, true, false, &res, &err), -1);
	cr_assert_eq(err.exit_code, 3);
	cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
	cr_assert_str_eq(res.outcome, "cancelled");
	cr_assert_eq(patches(mark), 0);
	cr_assert_eq(cached_sync(), CS_FALSE);
	toggle_result_free(&res);
}

Test(toggle, an_unknown_environment_is_a_usage_error, .fini = stop)
{
	struct front f;
	start(&f, "sandbox");
	struct toggle_result res;
	struct cs_error err = { 0 };
	struct toggle_opts o = { .env = "nowhere", .want = true, .assume_yes = true };
	cr_assert_eq(toggle_run(t.p, t.cache, &o, &res, &err), -1);
	cr_assert_eq(err.exit_code, 2, "%s", err.msg);
	cr_assert_null(res.outcome);
	toggle_result_free(&res);
}
