/* The one error convention: functions return 0 or a negative code and fill a caller-provided
 * struct cs_error with a human sentence, which is what the user sees (STYLE.md). */
#ifndef CHATSYNC_ERROR_H
#define CHATSYNC_ERROR_H

/* Exit codes of the command-line contract (DESIGN.md). */
enum cs_exit {
	CS_EXIT_OK = 0,
	CS_EXIT_FINDINGS = 1,
	CS_EXIT_USAGE = 2,   /* usage or config error; blocking findings for `check` */
	CS_EXIT_NETWORK = 3, /* network, auth or server error after retries; unknown for `check` */
	CS_EXIT_CACHE = 4,
};

struct cs_error {
	int exit_code;   /* one of enum cs_exit, what main() should exit with */
	char msg[1024];  /* "<what failed>: <why> (<what to do>)", without the "chatsync: " prefix */
};

/* Fills err (if not NULL) and returns -1, so callers can `return cs_fail(err, ...)`. The sentence is
 * sanitised (text_sanitize: one line, no controls, escapes or bidi overrides) and cut with an
 * ellipsis to fit msg, so a server's words quoted in it are safe on a terminal and in a log. */
int cs_fail(struct cs_error *err, int exit_code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cs_error_clear(struct cs_error *err);

#endif
