/* Issue 5: from the sandbox tenant into the cache, and the read commands, end to end. */
#include "config.h"
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *find(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		const char *s = str(x, key);
		if (s && value && strcmp(s, value) == 0)
			return x;
	}
	return NULL;
}

/* envs --json, chats --json and rsc --json against the sandbox's own account of its tenant. */
static void assert_cache_matches(bool allow_env_errors)
{
	cJSON *truth = e2e_truth(&e);
	const cJSON *tenvs = cJSON_GetObjectItemCaseSensitive(truth, "environments"), *te;
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0, "%s", e.r.err);
	cJSON *envs = e2e_json(&e);
	cr_assert_eq(cJSON_GetArraySize(envs), cJSON_GetArraySize(tenvs));
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0, "%s", e.r.err);
	cJSON *chats = e2e_json(&e);
	int total = 0;
	cJSON_ArrayForEach(te, tenvs) {
		const cJSON *env = find(envs, "unique_name", str(te, "unique_name"));
		cr_assert_not_null(env, "environment %s missing", str(te, "unique_name"));
		cr_assert_str_eq(str(env, "url"), str(te, "url"));
		const char *env_error = cJSON_GetObjectItem(env, "last_error")->valuestring;
		if (!allow_env_errors)
			cr_assert_null(env_error);
		else if (env_error && cJSON_IsNull(cJSON_GetObjectItem(env, "refreshed_at")))
			continue; /* never read: it says why, and has no settings or rows to compare */
		cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(env, "sync_enabled")),
			     cJSON_IsTrue(cJSON_GetObjectItem(te, "sync_enabled")), "%s", str(te, "unique_name"));
		cr_assert_eq(cJSON_GetObjectItem(env, "inactivity_days")->valueint,
			     cJSON_GetObjectItem(te, "inactivity_days")->valueint);
		const cJSON *tchats = cJSON_GetObjectItemCaseSensitive(te, "chats"), *tc;
		int live = 0;
		cJSON_ArrayForEach(tc, tchats) {
			live++;
			const cJSON *c = find(chats, "teams_chat_id", str(tc, "teams_chat_id"));
			cr_assert_not_null(c, "chat %s missing", str(tc, "teams_chat_id"));
			cr_assert_str_eq(str(c, "environment"), str(te, "unique_name"));
			const char *act = str(tc, "activity_id");
			if (act) {
				cr_assert_str_eq(str(c, "activity_id"), act);
				/* field by field against the row the tenant holds */
				static const char *const fields[] = { "subject", "state", "sync_status",
								      "modified_in_teams_on", NULL };
				for (int f = 0; fields[f]; f++)
					cr_assert_str_eq(str(c, fields[f]), str(tc, fields[f]), "%s of %s", fields[f], act);
				/* the same participants; Dataverse promises no order */
				const cJSON *want = cJSON_GetObjectItem(tc, "participants"), *w, *g;
				const cJSON *got = cJSON_GetObjectItem(c, "participants");
				cr_assert_eq(cJSON_GetArraySize(got), cJSON_GetArraySize(want), "participants of %s", act);
				cJSON_ArrayForEach(w, want) {
					int in_got = 0, in_want = 0;
					cJSON_ArrayForEach(g, got)
						in_got += strcmp(g->valuestring, w->valuestring) == 0;
					const cJSON *w2;
					cJSON_ArrayForEach(w2, want)
						in_want += strcmp(w2->valuestring, w->valuestring) == 0;
					cr_assert_eq(in_got, in_want, "participant %s of %s", w->valuestring, act);
				}
			} else {
				cr_assert_null(str(c, "activity_id"));
				cr_assert_str_eq(str(c, "state"), "not_recorded");
			}
		}
		cr_assert_eq(cJSON_GetObjectItem(env, "chat_count")->valueint, live, "%s", str(te, "unique_name"));
		total += live;
	}
	if (!allow_env_errors)
		cr_assert_eq(cJSON_GetArraySize(chats), total);
	/* CSV: the JSON keys as its header (stable in every language), one record per chat */
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--csv", NULL), 0, "%s", e.r.err);
	cr_assert(strncmp(e.r.out, "environment,activity_id,teams_chat_id,subject,state,sync_status,", 64) == 0, "%.100s",
		  e.r.out);
	int records = 0, quoted = 0;
	for (const char *p = e.r.out; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\n' && !quoted)
			records++;
	}
	cr_assert_eq(records, total + 1, "CSV records");
	cr_assert_eq(e2e_run(&e, "sandbox", "rsc", "--json", NULL), 0, "%s", e.r.err);
	cJSON *rsc = e2e_json(&e);
	cr_assert_str_eq(str(rsc, "state"), str(truth, "rsc_state"));
	cr_assert_str_eq(str(rsc, "source"), "authorizationPolicy");
	cJSON_Delete(rsc);
	cJSON_Delete(chats);
	cJSON_Delete(envs);
	cJSON_Delete(truth);
}

static void assert_cache_matches_truth(void)
{
	assert_cache_matches(false);
}

/* Zero 429s is a rate target, measured by `make bench` (bench/bench_refresh.sh prints the count);
 * here, on a CI machine that may stall the sandbox and then let a queue through at once, the refresh
 * must only stay well-behaved: a few 429s at most, every one absorbed. */
/* `chatsync refresh [option]` in the background, its output discarded, to be interrupted. */
static pid_t spawn_refresh(const char *option)
{
	char *bin = run_chatsync_path(), *home = NULL;
	cr_assert(asprintf(&home, "HOME=%s", e.home) > 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		putenv(home);
		execl(bin, bin, "-c", e.sb.config, "-p", "sandbox", "--cache", e.cache, "refresh", option, (char *)NULL);
		_exit(127);
	}
	free(bin);
	free(home);
	return pid;
}

/* `chats --json` now shows the same rows as `before` did (age_days left out: it moves with the
 * clock, not with the cache). */
static void assert_same_chats(const char *before, const char *why)
{
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0, "%s", e.r.err);
	cJSON *now = e2e_json(&e), *then = cJSON_Parse(before), *x;
	cJSON_ArrayForEach(x, now)
		cJSON_DeleteItemFromObject(x, "age_days");
	cJSON_ArrayForEach(x, then)
		cJSON_DeleteItemFromObject(x, "age_days");
	cr_assert(cJSON_Compare(now, then, true), "%s", why);
	cJSON_Delete(now);
	cJSON_Delete(then);
}

Test(refresh, fills_the_cache_with_what_the_tenant_holds, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	size_t requests = e2e_log_lines(&e), throttled = e2e_log_count(&e, 0, "\"status\":429", NULL);
	char *first = e2e_log_first(&e, 0, "\"status\":429");
	cr_assert_leq(throttled * 50, requests, "%zu of %zu requests were throttled: %s", throttled, requests, first);
	free(first);
	assert_cache_matches_truth();
}

Test(refresh, second_refresh_after_mutations_sends_only_deltas, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	size_t mark = e2e_log_lines(&e);
	e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.03}");
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "changes only"), "%s", e.r.err);
	size_t chats_reads = e2e_log_count(&e, mark, "/api/data/v9.2/chats", NULL);
	size_t delta_reads = e2e_log_count(&e, mark, "/api/data/v9.2/chats", "deltatoken", NULL);
	cr_assert_gt(chats_reads, 0);
	cr_assert_eq(chats_reads, delta_reads, "a chats read without its delta token");
	cr_assert_eq(e2e_log_count(&e, mark, "msdyn_teamschatassociations", NULL),
		     e2e_log_count(&e, mark, "msdyn_teamschatassociations", "deltatoken", NULL));
	cr_assert_gt(e2e_log_count(&e, mark, "\"method\":\"POST\"", "/api/data/v9.2/$batch", "\"status\":200", NULL), 0,
		     "the changed chats' participants were not read in a $batch");
	size_t apps = e2e_log_count(&e, mark, "/installedApps", NULL);
	cr_assert_lt(apps, 20, "%zu Graph detail reads: only changed chats should be read again", apps);
	assert_cache_matches_truth();
}

Test(refresh, survives_throttling_and_server_errors, .fini = stop)
{
	const char *args[] = { "--fault", "p429=0.15,p503=0.1", NULL };
	e2e_start(&e, args);
	int rc = e2e_run(&e, "sandbox", "refresh", NULL);
	cr_assert_gt(e2e_log_count(&e, 0, "\"status\":503", NULL), 0, "no fault was injected");
	cr_assert_gt(e2e_log_count(&e, 0, "\"status\":429", NULL), 0, "no fault was injected");
	e2e_control(&e, "DELETE", "faults", NULL);
	/* A storm ends with the same data, or with a clear error recorded on the environment that could
	 * not be read (a request can meet a fault on every one of its attempts) and the others read, or
	 * with every environment read but some chat's Graph details failing: exit 1, counted. */
	if (rc == 3)
		cr_assert(strstr(e.r.err, "refresh of contoso-"), "no clear error: %s", e.r.err);
	else if (rc == 1)
		cr_assert(strstr(e.r.err, "could not read:") && strstr(e.r.err, "failed (5xx"), "not counted: %s", e.r.err);
	else
		cr_assert_eq(rc, 0, "%s", e.r.err);
	assert_cache_matches(rc == 3);
}

Test(refresh, broken_answers_leave_the_previous_data_intact, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0);
	char *before = strdup(e.r.out);
	const char *faults[] = {
		"{\"truncate\":1.0,\"path\":\"/api/data/v9.2/chats\"}",
		"{\"malformed\":1.0,\"path\":\"/api/data/v9.2/msdyn_teamschatassociations\"}",
		"{\"reset\":1.0,\"path\":\"/env/contoso-sales\"}",
	};
	for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) {
		e2e_control(&e, "POST", "faults", faults[i]);
		e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.05}");
		int rc = e2e_run(&e, "sandbox", "refresh", "--quiet", NULL);
		cr_assert_eq(rc, 3, "fault %s: exit %d: %s", faults[i], rc, e.r.err);
		cr_assert(strstr(e.r.err, "refresh of contoso-"), "no clear error: %s", e.r.err);
		cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0);
		cJSON *now = e2e_json(&e), *then = cJSON_Parse(before);
		/* the environments whose refresh failed still show their last good rows */
		cr_assert_geq(cJSON_GetArraySize(now), cJSON_GetArraySize(then) * 2 / 3);
		cJSON_Delete(now);
		cJSON_Delete(then);
		cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0);
		cr_assert(strstr(e.r.out, "\"last_error\":\""), "the failure is not recorded: %s", e.r.out);
		e2e_control(&e, "DELETE", "faults", NULL);
	}
	free(before);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	assert_cache_matches_truth();
}

/* A cache damaged in its middle (opening it reads only its header and schema) is refused by the refresh
 * with one line and exit 4, and not written to; moved aside, the next refresh rebuilds it. The check
 * runs while discovery and the environments the cache knows are read: what they read is dropped, and
 * the Graph phase never starts. */
Test(refresh, a_damaged_cache_is_refused_with_nothing_written, .fini = stop, .timeout = 120)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	size_t len;
	char *file = run_read_file(e.cache, &len);
	cr_assert(file && len > 16 * 4096, "a cache of %zu bytes", len);
	free(file);
	FILE *f = fopen(e.cache, "r+b");
	cr_assert_not_null(f);
	fseek(f, (long)(len / 2 / 4096 * 4096), SEEK_SET);
	for (int i = 0; i < 4096 * 2; i++)
		fputc(0x5a, f);
	fclose(f);
	size_t len_before;
	char *before = run_read_file(e.cache, &len_before);
	e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.05}");
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 4, "%s", e.r.err);
	char *want = NULL;
	cr_assert(asprintf(&want, "chatsync: cache %s is damaged: ", e.cache) > 0);
	cr_assert(strncmp(e.r.err, want, strlen(want)) == 0, "%s", e.r.err);
	cr_assert(strstr(e.r.err, " (move it aside; the next refresh rebuilds it)\n"), "%s", e.r.err);
	cr_assert_eq(strchr(e.r.err, '\n') + 1, e.r.err + strlen(e.r.err), "more than one line: %s", e.r.err);
	free(want);
	cr_assert_eq(e2e_log_count(&e, mark, "graph", NULL), 0, "Graph was read");
	size_t len_after;
	char *after = run_read_file(e.cache, &len_after);
	cr_assert(after && len_after == len_before && memcmp(before, after, len_before) == 0,
		  "the damaged cache was written to");
	char *wal = NULL;
	cr_assert(asprintf(&wal, "%s-wal", e.cache) > 0);
	size_t wal_len = 0;
	char *wal_text = run_read_file(wal, &wal_len);
	cr_assert_eq(wal_len, 0, "%zu bytes were written to its WAL", wal_len);
	free(wal_text);
	free(before);
	free(after);
	char *aside = NULL;
	cr_assert(asprintf(&aside, "%s.damaged", e.cache) > 0);
	cr_assert_eq(rename(e.cache, aside), 0);
	unlink(wal);
	free(wal);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	free(aside);
	assert_cache_matches_truth();
}

Test(refresh, ctrl_c_stops_it_and_keeps_the_last_good_data, .fini = stop)
{
	e2e_start(&e, NULL);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0);
	char *before = strdup(e.r.out);
	/* Slow every Dataverse answer down so the interrupt lands in the middle, then press Ctrl-C. */
	e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":0.2}");
	e2e_control(&e, "POST", "faults", "{\"latency_ms\":3000,\"path\":\"/api/data/v9.2/\"}");
	pid_t pid = spawn_refresh(NULL);
	usleep(1200 * 1000);
	kill(pid, SIGINT);
	int st;
	time_t t0 = time(NULL);
	waitpid(pid, &st, 0);
	cr_assert_leq(time(NULL) - t0, 15, "the interrupt took more than 15 s to stop the refresh");
	cr_assert(WIFEXITED(st), "killed by a signal instead of stopping");
	cr_assert_eq(WEXITSTATUS(st), 3);
	e2e_control(&e, "DELETE", "faults", NULL);
	assert_same_chats(before, "the interrupted refresh changed the cached chats");
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0);
	cr_assert(strstr(e.r.out, "interrupted"), "the environments do not say the refresh was interrupted: %s", e.r.out);
	free(before);
}

/* The refresh writes each Dataverse page as it comes: Ctrl-C after some of every environment's pages
 * were written (participants held back) leaves each environment showing what it showed, rows and
 * refreshed-at time, as `chats --json` and `envs --json` read it. */
Test(refresh, ctrl_c_after_pages_were_written_keeps_each_environment_as_it_was, .fini = stop, .timeout = 120)
{
	e2e_start(&e, (const char *const[]){ "--page-size", "10", NULL });
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0);
	char *chats_before = strdup(e.r.out);
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0);
	cJSON *envs_before = e2e_json(&e);
	sleep(1); /* a refreshed-at written by an interrupted run would differ */
	e2e_control(&e, "POST", "mutate", "{\"action\":\"random\",\"fraction\":1.0}");
	/* A full read (participants by GET), then a delta read (the changed chats' participants in $batch
	 * requests): the participants are held back, every chat page comes. */
	static const char *const held[] = { "/activityparties", "/$batch" };
	for (int delta = 0; delta <= 1; delta++) {
		char *fault = NULL;
		cr_assert(asprintf(&fault, "{\"latency_ms\":8000,\"path\":\"%s\"}", held[delta]) > 0);
		e2e_control(&e, "POST", "faults", fault);
		free(fault);
		size_t mark = e2e_log_lines(&e);
		pid_t pid = spawn_refresh(delta ? NULL : "--full");
		/* Until the chat pages stop coming (every environment's, 10 rows each) and were written, then
		 * Ctrl-C. */
		time_t t0 = time(NULL);
		size_t pages = 0, stable = 0;
		while (stable < 10 && time(NULL) - t0 < 20) {
			usleep(100 * 1000);
			size_t n = e2e_log_count(&e, mark, "/api/data/v9.2/chats\"", "\"status\":200", NULL);
			stable = n == pages && n > 0 ? stable + 1 : 0;
			pages = n;
		}
		cr_assert_geq(pages, 9, "%s: %zu chat pages came before the participants", delta ? "delta" : "full", pages);
		cr_assert_eq(e2e_log_count(&e, mark, "/activityparties", "\"status\":200", NULL) +
			     e2e_log_count(&e, mark, "/$batch", "\"status\":200", NULL), 0, "participants came");
		kill(pid, SIGINT);
		int st;
		waitpid(pid, &st, 0);
		cr_assert(WIFEXITED(st), "killed by a signal instead of stopping");
		cr_assert_eq(WEXITSTATUS(st), 3);
		e2e_control(&e, "DELETE", "faults", NULL);
		assert_same_chats(chats_before, delta ? "the interrupted delta refresh changed the cached chats"
						      : "the interrupted full refresh changed the cached chats");
		cr_assert_eq(e2e_run(&e, "sandbox", "envs", "--json", NULL), 0);
		cJSON *envs_now = e2e_json(&e), *env;
		cr_assert_eq(cJSON_GetArraySize(envs_now), cJSON_GetArraySize(envs_before));
		cJSON_ArrayForEach(env, envs_now) {
			const cJSON *was = find(envs_before, "unique_name", str(env, "unique_name"));
			cr_assert_not_null(was);
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(env, "refreshed_at"),
				    *b = cJSON_GetObjectItemCaseSensitive(was, "refreshed_at");
			cr_assert(a && b && cJSON_Compare(a, b, true), "%s: refreshed-at moved", str(env, "unique_name"));
		}
		cJSON_Delete(envs_now);
	}
	cJSON_Delete(envs_before);
	free(chats_before);
}

/* Issue 16: Ctrl-C in the Graph phase records nothing for the chats it cut off; the next refresh
 * fetches exactly the chats left (counted in the sandbox's request log), and then every chat has
 * its details (a third refresh has nothing left to fetch). */
Test(refresh, ctrl_c_in_the_graph_phase_resumes_with_exactly_the_chats_left, .fini = stop)
{
	e2e_start(&e, NULL);
	char *bin = run_chatsync_path(), *errfile = NULL;
	cr_assert(asprintf(&errfile, "%s/refresh.err", e.sb.dir) > 0);
	char *env[5];
	cr_assert(asprintf(&env[0], "HOME=%s", e.home) > 0);
	cr_assert(asprintf(&env[1], "XDG_STATE_HOME=%s/state", e.home) > 0);
	cr_assert(asprintf(&env[2], "XDG_CONFIG_HOME=%s/config", e.home) > 0);
	env[3] = (char *)"CHATSYNC_CLIENT_SECRET=";
	env[4] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600), devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(fd, 2);
		for (int i = 0; env[i]; i++)
			putenv(env[i]);
		execl(bin, bin, "-c", e.sb.config, "-p", "sandbox", "--cache", e.cache, "refresh", (char *)NULL);
		_exit(127);
	}
	/* Wait until the Graph phase has begun (the Teams limits make it last several seconds). */
	time_t t0 = time(NULL);
	while (e2e_log_count(&e, 0, "/installedApps", NULL) < 20 && time(NULL) - t0 < 60)
		usleep(50 * 1000);
	cr_assert_geq(e2e_log_count(&e, 0, "/installedApps", NULL), 20, "the Graph phase never began");
	kill(pid, SIGINT);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st), "killed by a signal instead of stopping");
	cr_assert_eq(WEXITSTATUS(st), 3);
	char *err = run_read_file(errfile, NULL);
	cr_assert_not_null(err);
	const char *left_at = strstr(err, " are left");
	cr_assert_not_null(left_at, "the interrupted refresh does not say how many chats are left: %s", err);
	while (left_at > err && left_at[-1] >= '0' && left_at[-1] <= '9')
		left_at--;
	size_t left = strtoul(left_at, NULL, 10);
	cr_assert_gt(left, 0, "%s", err);
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	size_t reads = e2e_log_count(&e, mark, "/installedApps", NULL) -
		       e2e_log_count(&e, mark, "/installedApps", "\"status\":429", NULL);
	cr_assert_eq(reads, left, "the second refresh read %zu chats' apps, %zu were left", reads, left);
	char *said = NULL;
	cr_assert(asprintf(&said, "%zu chats' Graph details", left) > 0);
	cr_assert(strstr(e.r.err, said), "%s", e.r.err);
	mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_log_count(&e, mark, "/installedApps", NULL), 0, "chats were still left after the resume");
	free(said);
	free(err);
	for (int i = 0; i < 3; i++)
		free(env[i]);
	free(errfile);
	free(bin);
}
