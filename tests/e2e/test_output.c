/* Issue 12 (items 6 and 7) against the sandbox: check answers a monitor (3, UNKNOWN, whenever it could
 * not check); every read command writes CSV with the JSON keys as its header; --json with --csv is a
 * usage error; tables fit a terminal by cutting the subject, never an id, and on a pipe cut nothing and
 * pad no line; chats carries each chat's verdict. */
#include "config.h"
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <locale.h>
#include "base/text.h"
#include "base/xalloc.h"
#include "e2e.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* RFC 4180 records of a CSV text: fields split on commas outside quotes, "" as a quote. Each record
 * is a NULL-terminated array of fields; the whole a NULL-terminated array. */
static char ***csv_parse(const char *s)
{
	char ***recs = xcalloc(1, sizeof *recs);
	size_t n = 0;
	while (*s) {
		char **fields = xcalloc(1, sizeof *fields);
		size_t nf = 0;
		for (;;) {
			struct buf b;
			buf_init(&b);
			buf_add(&b, "", 0);
			if (*s == '"') {
				for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
					if (*s == '"')
						s++;
					buf_add(&b, s, 1);
				}
				cr_assert_eq(*s, '"', "an unterminated quoted field");
				s++;
			} else {
				size_t len = strcspn(s, ",\r\n");
				buf_add(&b, s, len);
				s += len;
			}
			fields = xrealloc(fields, (nf + 2) * sizeof *fields);
			fields[nf++] = buf_steal(&b);
			fields[nf] = NULL;
			if (*s == ',') {
				s++;
				continue;
			}
			cr_assert(strncmp(s, "\r\n", 2) == 0, "a record must end in CRLF: %.40s", s);
			s += 2;
			break;
		}
		recs = xrealloc(recs, (n + 2) * sizeof *recs);
		recs[n++] = fields;
		recs[n] = NULL;
	}
	return recs;
}

static size_t csv_count(char ***recs)
{
	size_t n = 0;
	while (recs[n])
		n++;
	return n;
}

static void csv_free(char ***recs)
{
	for (size_t i = 0; recs[i]; i++) {
		for (size_t j = 0; recs[i][j]; j++)
			free(recs[i][j]);
		free(recs[i]);
	}
	free(recs);
}

/* Every header key is a key of the command's JSON document (somewhere in it). */
static void header_keys_are_json_keys(char **header, const char *json, const char *what)
{
	for (size_t j = 0; header[j]; j++) {
		char *key = xasprintf("\"%s\":", header[j]);
		cr_assert(strstr(json, key), "%s --csv: column %s is no key of its JSON", what, header[j]);
		free(key);
	}
}

/* Runs the read command with --json and with --csv and compares them: the header, and one record per
 * row (rows: the JSON's own count for the command). Returns the parsed CSV records. */
static char ***csv_and_json(const char *what, const char *arg, size_t (*rows)(const cJSON *), int want_rc)
{
	int rc = arg ? e2e_run(&e, "sandbox", what, arg, "--json", NULL) : e2e_run(&e, "sandbox", what, "--json", NULL);
	cr_assert_eq(rc, want_rc, "%s --json: exit %d: %s", what, rc, e.r.err);
	cJSON *doc = e2e_json(&e);
	char *json = xstrdup(e.r.out);
	rc = arg ? e2e_run(&e, "sandbox", what, arg, "--csv", NULL) : e2e_run(&e, "sandbox", what, "--csv", NULL);
	cr_assert_eq(rc, want_rc, "%s --csv: exit %d: %s", what, rc, e.r.err);
	char ***recs = csv_parse(e.r.out);
	cr_assert_geq(csv_count(recs), 1, "%s --csv printed no header", what);
	header_keys_are_json_keys(recs[0], json, what);
	size_t want = rows(doc);
	cr_assert_eq(csv_count(recs) - 1, want, "%s --csv: %zu records for %zu JSON rows", what, csv_count(recs) - 1,
		     want);
	for (size_t i = 1; recs[i]; i++) {
		size_t nf = 0;
		while (recs[i][nf])
			nf++;
		size_t nh = 0;
		while (recs[0][nh])
			nh++;
		cr_assert_eq(nf, nh, "%s --csv: record %zu has %zu fields for %zu columns", what, i, nf, nh);
	}
	cJSON_Delete(doc);
	free(json);
	return recs;
}

static size_t array_rows(const cJSON *doc)
{
	return (size_t)cJSON_GetArraySize(doc);
}

static size_t one_row(const cJSON *doc)
{
	(void)doc;
	return 1;
}

static size_t finding_rows(const cJSON *doc)
{
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings"));
	return n ? (size_t)n : 1;
}

static size_t check_rows(const cJSON *doc)
{
	size_t n = 0;
	const cJSON *env;
	cJSON_ArrayForEach(env, cJSON_GetObjectItem(doc, "environments"))
		n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(env, "chat_results"));
	return n;
}

static size_t column(char **header, const char *key)
{
	for (size_t j = 0; header[j]; j++)
		if (strcmp(header[j], key) == 0)
			return j;
	cr_assert_fail("no column %s", key);
	return 0;
}

/* The text check tallies each environment from an unordered read; its lines must be the JSON's
 * environments, in the same order, with the same counts. */
static void check_text_matches_json(void)
{
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--json", NULL), 2, "%s", e.r.err);
	cJSON *doc = e2e_json(&e);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", NULL), 2, "%s", e.r.err);
	const char *line = e.r.out;
	const cJSON *env;
	size_t n = 0;
	cJSON_ArrayForEach(env, cJSON_GetObjectItem(doc, "environments")) {
		const char *end = strchr(line, '\n');
		cr_assert(end, "check printed %zu environment lines: %s", n, e.r.out);
		char *got = xstrndup(line, (size_t)(end - line));
		size_t chats = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItem(env, "chats"));
		char *head = xasprintf("%s: %zu chats: ", str(env, "unique_name"), chats);
		cr_assert(strncmp(got, head, strlen(head)) == 0, "line %zu is \"%s\", not \"%s...\"", n, got, head);
		static const char *const keys[] = { "not_syncing", "at_risk", "unknown", "syncing" };
		static const char *const says[] = { "not syncing", "at risk", "unknown", "syncing" };
		size_t sum = 0;
		for (size_t k = 0; k < 4; k++) {
			size_t v = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItem(env, keys[k]));
			sum += v;
			char *a = xasprintf("%zu %s", v, says[k]), *b = xasprintf("%zu chat%s %s", v, v == 1 ? "" : "s", says[k]),
			     *c = xasprintf("All %zu chat", v);
			if (v)
				cr_assert(strstr(got, a) || strstr(got, b) || (k == 3 && v == chats && strstr(got, c)), "%s: %s %zu",
					  got, keys[k], v);
			else if (k < 3) /* "syncing" is also in "not syncing" */
				cr_assert_null(strstr(got + strlen(head), says[k]), "%s: no chat is %s", got, says[k]);
			free(a);
			free(b);
			free(c);
		}
		cr_assert_eq(sum, chats, "%s", got);
		free(head);
		free(got);
		line = end + 1;
		n++;
	}
	cr_assert_geq(n, 2, "the tenant has several environments with chats");
	cr_assert_eq(strchr(line, '\n'), strrchr(line, '\n'), "one summary line follows the environments: %s", line);
	cJSON_Delete(doc);
}

Test(output, every_read_command_writes_csv_with_the_json_keys_and_refuses_json_with_csv, .fini = stop)
{
	const char *args[] = { "--envs", "3", "--chats-per-env", "15", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "sync", "contoso-field", "on", "--yes", NULL), 0, "%s", e.r.err);

	csv_free(csv_and_json("envs", NULL, array_rows, 0));
	char ***chats = csv_and_json("chats", NULL, array_rows, 0);
	size_t id_col = column(chats[0], "teams_chat_id"), verdict_col = column(chats[0], "verdict");
	column(chats[0], "environment");
	column(chats[0], "participants");
	char ***check = csv_and_json("check", NULL, check_rows, 2);
	cr_assert_eq(csv_count(check), csv_count(chats), "check and chats name the same chats");
	/* the verdict column of chats is check's verdict, chat by chat */
	size_t check_id = column(check[0], "teams_chat_id"), check_verdict = column(check[0], "verdict");
	for (size_t i = 1; chats[i]; i++) {
		bool found = false;
		for (size_t k = 1; check[k] && !found; k++)
			if (strcmp(check[k][check_id], chats[i][id_col]) == 0 &&
			    strcmp(check[k][column(check[0], "environment")], chats[i][column(chats[0], "environment")]) == 0) {
				cr_assert_str_eq(check[k][check_verdict], chats[i][verdict_col], "%s", chats[i][id_col]);
				found = true;
			}
		cr_assert(found, "check did not name %s", chats[i][id_col]);
	}
	/* one diagnosis of each verdict agrees with the chat list */
	bool tried[4] = { false };
	static const char *const verdicts[] = { "syncing", "at_risk", "not_syncing", "unknown" };
	for (size_t i = 1; chats[i]; i++) {
		int v;
		for (v = 0; v < 4 && strcmp(verdicts[v], chats[i][verdict_col]) != 0; v++)
			;
		cr_assert_lt(v, 4, "verdict %s", chats[i][verdict_col]);
		if (tried[v])
			continue;
		tried[v] = true;
		const char *key = *chats[i][column(chats[0], "activity_id")] ? chats[i][column(chats[0], "activity_id")]
									     : chats[i][id_col];
		char ***d = csv_and_json("diagnose", key, finding_rows, strcmp(verdicts[v], "syncing") == 0 ? 0 : 1);
		for (size_t k = 1; d[k]; k++) {
			cr_assert_str_eq(d[k][column(d[0], "verdict")], verdicts[v], "diagnose %s", key);
			cr_assert_str_eq(d[k][column(d[0], "teams_chat_id")], chats[i][id_col]);
		}
		csv_free(d);
	}
	cr_assert(tried[0] && tried[2], "the tenant has syncing and not syncing chats");
	csv_free(check);
	csv_free(chats);
	check_text_matches_json();
	char ***rsc = csv_and_json("rsc", NULL, one_row, 0);
	cJSON *truth = e2e_truth(&e);
	cr_assert_str_eq(rsc[1][column(rsc[0], "state")], str(truth, "rsc_state"));
	cJSON_Delete(truth);
	csv_free(rsc);
	char ***audit = csv_and_json("audit", NULL, array_rows, 0);
	cr_assert_eq(csv_count(audit), 2, "the one write");
	cr_assert_str_eq(audit[1][column(audit[0], "environment")], "contoso-field");
	csv_free(audit);

	static const char *const reads[] = { "envs", "chats", "check", "rsc", "audit", "diagnose", NULL };
	for (size_t i = 0; reads[i]; i++) {
		int rc = e2e_run(&e, "sandbox", reads[i], "--json", "--csv", NULL);
		cr_assert_eq(rc, strcmp(reads[i], "check") == 0 ? 3 : 2, "%s --json --csv: exit %d", reads[i], rc);
		cr_assert(strstr(e.r.err, "--json and --csv"), "%s: %s", reads[i], e.r.err);
		cr_assert_str_eq(e.r.out, "");
	}
}

Test(output, check_is_unknown_whenever_it_could_not_check, .fini = stop)
{
	const char *args[] = { "--envs", "1", "--chats-per-env", "15", NULL };
	e2e_start(&e, args);
	int rc = e2e_run(&e, "sandbox", "check", NULL);
	cr_assert_eq(rc, 3, "an empty cache was never checked (exit %d: %s)", rc, e.r.err);
	cr_assert(strstr(e.r.err, "chatsync refresh"), "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", NULL), 2, "blocking findings stay 2: %s", e.r.err);

	/* a config with a typo: a usage error (2) for envs, UNKNOWN (3) for check */
	size_t len;
	char *cfg = run_read_file(e.sb.config, &len);
	cr_assert_not_null(cfg);
	char *typo = xasprintf("%s\ntennant = contoso\n", cfg);
	char *saved = e.sb.config;
	char *bad = xasprintf("%s.typo", saved);
	cr_assert_eq(run_write_file(bad, typo, 0600), 0);
	e.sb.config = bad;
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", NULL), 2, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", NULL), 3, "%s", e.r.err);
	cr_assert(strstr(e.r.err, "tennant"), "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--json", NULL), 3);
	cr_assert_str_eq(e.r.out, "", "nothing on stdout a monitor could take for an answer");
	e.sb.config = saved;

	/* usage errors, wherever the command stands */
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "--bogus", NULL), 3, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "--bogus", "check", NULL), 3, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "--warn-hours", "x", "check", NULL), 3, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", "extra", NULL), 3, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "--bogus", "envs", NULL), 2, "other commands keep 2");
	cr_assert_eq(e2e_run(&e, "sandbox", "-p", "check", "envs", NULL), 2, "a profile named check is no command");
	cr_assert_eq(e2e_run(&e, "sandbox", "-p", "nosuchprofile", "check", NULL), 3, "%s", e.r.err);

	/* a cache that cannot be read: 4 for envs, 3 for check */
	char *junk = xasprintf("%s/junk.db", e.sb.dir);
	cr_assert_eq(run_write_file(junk, "this is not a database, it is a text file of some length...........\n", 0600), 0);
	char *cache = e.cache;
	e.cache = junk;
	cr_assert_eq(e2e_run(&e, "sandbox", "envs", NULL), 4, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "check", NULL), 3, "%s", e.r.err);
	e.cache = cache;
	free(junk);
	free(bad);
	free(typo);
	free(cfg);
}

/* Runs chatsync with the e2e arguments on a terminal of cols columns; its stdout (CR dropped). */
static char *run_on_terminal(int cols, const char *a1, const char *a2)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(m, 0);
	cr_assert_eq(grantpt(m), 0);
	cr_assert_eq(unlockpt(m), 0);
	char *slave = xstrdup(ptsname(m));
	char *bin = run_chatsync_path();
	char *home = xasprintf("HOME=%s", e.home), *state = xasprintf("XDG_STATE_HOME=%s/state", e.home);
	char *argv[] = { bin, (char *)"-c", e.sb.config, (char *)"-p", (char *)"sandbox", (char *)"--cache", e.cache,
			 (char *)a1, (char *)a2, NULL };
	char *env[] = { home, state, (char *)"LANG=C.UTF-8", (char *)"CHATSYNC_CONFIG=", NULL };
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		struct winsize ws = { .ws_row = 40, .ws_col = (unsigned short)cols };
		ioctl(s, TIOCSWINSZ, &ws);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(s, 1);
		dup2(null, 2);
		close(m);
		execve(bin, argv, env);
		_exit(127);
	}
	struct buf out;
	buf_init(&out);
	buf_add(&out, "", 0);
	char chunk[4096];
	for (;;) {
		struct pollfd p = { m, POLLIN, 0 };
		if (poll(&p, 1, 30000) <= 0)
			break;
		ssize_t n = read(m, chunk, sizeof chunk);
		if (n <= 0)
			break; /* EIO once the last writer closed the terminal */
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] != '\r')
				buf_add(&out, &chunk[i], 1);
	}
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st), "chatsync on a terminal did not exit");
	close(m);
	free(slave);
	free(bin);
	free(home);
	free(state);
	return buf_steal(&out);
}

static size_t display_width(const char *line)
{
	size_t n = strlen(line), w = 0;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	for (size_t i = 0; i < n;) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, line + i, n - i, &ps);
		cr_assert(k != (size_t)-1 && k != (size_t)-2 && k != 0, "invalid UTF-8 in %s", line);
		int cw = wcwidth(wc);
		w += cw > 0 ? (size_t)cw : 0;
		i += k;
	}
	return w;
}

Test(output, tables_fit_a_terminal_by_cutting_the_subject_never_an_id_and_a_pipe_gets_them_whole, .fini = stop)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *args[] = { "--envs", "2", "--chats-per-env", "20", NULL };
	e2e_start(&e, args);
	cr_assert_eq(e2e_run(&e, "sandbox", "refresh", "--quiet", NULL), 0, "%s", e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", "--json", NULL), 0);
	cJSON *chats = e2e_json(&e);
	size_t longest_subject = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, chats)
		if (str(c, "subject") && strlen(str(c, "subject")) > longest_subject)
			longest_subject = strlen(str(c, "subject"));
	cr_assert_gt(longest_subject, 200, "the sandbox has a topic over 200 bytes");

	/* A pipe: nothing cut, no line padded. */
	cr_assert_eq(e2e_run(&e, "sandbox", "chats", NULL), 0);
	char *piped = xstrdup(e.r.out);
	cr_assert_null(strstr(piped, "…"), "nothing is cut on a pipe");
	for (char *line = piped, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		cr_assert(nl == line || nl[-1] != ' ', "a padded line on a pipe: [%.*s]", (int)(nl - line), line);
		*nl = '\0';
		cr_assert(strstr(line, "VERDICT") || strstr(line, "syncing") || strstr(line, "at risk") ||
			  strstr(line, "unknown"), "every row has a verdict: %s", line);
		*nl = '\n';
	}
	cJSON_ArrayForEach(c, chats) {
		cr_assert(strstr(piped, str(c, "teams_chat_id")), "%s whole on a pipe", str(c, "teams_chat_id"));
		if (str(c, "subject"))
			cr_assert(strstr(piped, str(c, "subject")), "subject whole on a pipe: %s", str(c, "subject"));
	}

	/* A wide terminal: every line fits, the long subject gives way, every id stays whole. */
	char *wide = run_on_terminal(200, "chats", NULL);
	cr_assert(strstr(wide, "…"), "the long subject is cut to fit:\n%s", wide);
	for (char *line = wide, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cr_assert_leq(display_width(line), 200, "a line wider than the terminal: %s", line);
		cr_assert(nl == line || nl[-1] != ' ', "a padded line: [%s]", line);
		*nl = '\n';
	}
	/* A narrow one: the ids are wider than it, so the lines wrap, but no id is cut. */
	char *narrow = run_on_terminal(80, "chats", NULL);
	cJSON_ArrayForEach(c, chats) {
		cr_assert(strstr(wide, str(c, "teams_chat_id")), "%s whole at 200 columns", str(c, "teams_chat_id"));
		cr_assert(strstr(narrow, str(c, "teams_chat_id")), "%s whole at 80 columns", str(c, "teams_chat_id"));
		if (str(c, "activity_id"))
			cr_assert(strstr(narrow, str(c, "activity_id")), "%s whole at 80 columns", str(c, "activity_id"));
	}
	/* and the ids on the screen are what diagnose takes */
	const char *id = str(cJSON_GetArrayItem(chats, 0), "teams_chat_id");
	cr_assert_geq(e2e_run(&e, "sandbox", "diagnose", id, NULL), 0);
	cr_assert(strstr(e.r.out, id), "%s", e.r.err);
	char *envs = run_on_terminal(60, "envs", NULL);
	cr_assert(strstr(envs, "contoso-sales") && strstr(envs, "contoso-service"), "environment names whole:\n%s", envs);
	free(envs);
	free(narrow);
	free(wide);
	free(piped);
	cJSON_Delete(chats);
}
