/* The command line of the contract (DESIGN.md): options, the command table, and the context a
 * command runs in. Commands return an exit code and fill err; only main() exits. */
#ifndef CHATSYNC_CLI_H
#define CHATSYNC_CLI_H
#include <stdbool.h>
#include "core/conf.h"
#include "base/error.h"
#include "core/model.h"
#include "sync/session.h"

struct cache;

enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_JSON, CLI_FORMAT_CSV };

struct cli_opts {
	const char *config_path;   /* -c */
	const char *profile;       /* -p */
	const char *cache_path;    /* --cache */
	bool readonly, demo, no_color, mouse, refresh, yes, help, version;
	enum cli_format format;
	int verbose;               /* -v count */
	bool quiet;
	bool progress;             /* --progress: refresh progress on stderr even when it is no terminal */
	const char *state;         /* chats --state */
	int warn_hours;            /* check --warn-hours */
	bool new_only;             /* check --new */
	bool full;                 /* refresh --full */
	const char *env;           /* history --env */
	const char *since;         /* changes --since */
	const char *command;       /* NULL: the console */
	char **args;               /* the command's operands */
	int n_args;
};

/* Parses argv (GNU style: options may follow the command). Returns 0, or -1 with err (exit 2). */
int cli_parse(int argc, char **argv, struct cli_opts *opts, struct cs_error *err);
void cli_print_help(void);
void cli_print_version(void);

/* What a command runs with: its options and a session (the profile and an open cache). */
struct cli_context {
	struct cli_opts *opts;
	struct session s;
	cs_time now;
};
/* Loads the config and its profile (checked, secret file modes included) and opens the cache. The
 * config may be absent only when --cache names the cache and need_profile is false. */
int cli_context_open(struct cli_context *ctx, struct cli_opts *opts, bool need_profile, struct cs_error *err);
void cli_context_close(struct cli_context *ctx);

/* Refuses an unknown command, or operands the command does not take (their count, or the value of the
 * last), with the command's usage sentence (exit 2). Nothing has started yet when it runs. */
int cli_check_args(const struct cli_opts *opts, struct cs_error *err);
/* Runs the command named in opts->command. Returns the exit code. */
int cli_run(struct cli_opts *opts, struct cs_error *err);
/* The exit status of a command that failed with err before or while it ran: err's code, else 2. For
 * check, which answers a monitor, it is 3 (UNKNOWN) whatever kept it from checking, a usage or config
 * error included: 0, 1 and 2 are the findings' alone. */
int cli_failure_status(const struct cli_opts *opts, const struct cs_error *err);

#endif
