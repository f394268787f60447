#include "config.h"
#include "cli/cli.h"
#include "base/i18n.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_CACHE = 256, OPT_READONLY, OPT_JSON, OPT_CSV, OPT_DEMO, OPT_NO_COLOR, OPT_REFRESH, OPT_YES,
	OPT_STATE, OPT_WARN_HOURS, OPT_VERSION, OPT_NEW, OPT_ENV, OPT_SINCE, OPT_FULL, OPT_PROGRESS, OPT_MOUSE,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, 'p' },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "readonly", no_argument, NULL, OPT_READONLY },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "mouse", no_argument, NULL, OPT_MOUSE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "warn-hours", required_argument, NULL, OPT_WARN_HOURS },
	{ "new", no_argument, NULL, OPT_NEW },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_print_version(void)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

void cli_print_help(void)
{
	fputs(_("Usage: chatsync [OPTIONS] [COMMAND [ARGS]]\n"
		"Console for Teams chat sync with Dynamics 365 across the environments of a tenant.\n"
		"\n"
		"Commands (without one, the interactive console starts):\n"
		"  refresh [ENV...]     fetch from Graph and Dataverse into the cache\n"
		"  envs                 environments with their sync state\n"
		"  chats [ENV]          connected chats (--state open|inactive|all)\n"
		"  diagnose CHAT        why this chat does or does not sync\n"
		"  sync ENV on|off      turn \"Sync Teams chat data with Dynamics 365 records\" on or off\n"
		"  rsc                  the tenant's resource-specific consent state for chats\n"
		"  check                monitoring: exit 0 all syncing, 1 warnings, 2 blocking, 3 unknown\n"
		"                       or could not check (usage and config errors included)\n"
		"  audit                every write chatsync made or tried\n"
		"  history CHAT         changes of a chat's verdict and of the facts behind it (or --env ENV)\n"
		"  changes              what changed across the tenant since the last run (--since D|T)\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    config file (default $XDG_CONFIG_HOME/chatsync/config)\n"
		"  -p, --profile NAME   tenant profile (default: the first in the config)\n"
		"      --cache FILE     cache database (default $XDG_CACHE_HOME/chatsync/PROFILE.db)\n"
		"      --readonly       refuse every write\n"
		"      --json           print JSON\n"
		"      --csv            print CSV (header: the JSON keys; not with --json)\n"
		"      --demo           run against a built-in sandbox tenant\n"
		"      --no-color       no colours (also NO_COLOR)\n"
		"      --mouse          console: click selects, the wheel scrolls (also mouse = true)\n"
		"      --refresh        refresh before a read command\n"
		"      --full           refresh: read everything again (no change tracking, no detail TTL)\n"
		"      --state STATE    chats: open, inactive or all\n"
		"      --warn-hours N   check: look-ahead for chats about to go stale (default 24)\n"
		"      --yes            sync: do not ask for confirmation\n"
		"      --new            check: only findings that are new since the previous check\n"
		"      --env ENV        history: the environment's timeline\n"
		"      --since D|T      changes: since a duration ago (30m, 12h, 7d) or a time\n"
		"  -v, --verbose        more detail on stderr (twice: trace requests)\n"
		"  -q, --quiet          only errors on stderr\n"
		"      --progress       refresh: progress on stderr also when it is not a terminal\n"
		"      --help           show this help\n"
		"      --version        show the version\n"
		"\n"
		"ENV is an environment's unique name, friendly name or id. Options may follow the command.\n"
		"Sign-in (the profile's auth): device-code (default), browser (a browser sign-in with PKCE:\n"
		"open the address shown; over SSH paste back the address the browser was sent to),\n"
		"client-secret or certificate (unattended runs).\n"
		"Exit status: 0 success, 1 findings, 2 usage or config error, 3 network or sign-in error,\n"
		"4 cache error. See chatsync(1).\n"), stdout);
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The command of an argv that did not parse, for the exit status (check answers a monitor): the first
 * operand, skipping the values of options that take one. NULL when there is none. */
static const char *command_in(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' || !a[1])
			return a;
		if (a[1] == '-') {
			size_t len = strcspn(a + 2, "=");
			for (const struct option *lo = long_opts; lo->name && !a[2 + len]; lo++)
				if (lo->has_arg == required_argument && strncmp(lo->name, a + 2, len) == 0) {
					i++;
					break;
				}
		} else if (strchr("cp", a[strlen(a) - 1]) && strspn(a + 1, "vqh") == strlen(a) - 2) {
			i++; /* -c FILE, -vp NAME */
		}
	}
	return NULL;
}

static int parse(int argc, char **argv, struct cli_opts *o, struct cs_error *err);

int cli_parse(int argc, char **argv, struct cli_opts *o, struct cs_error *err)
{
	if (parse(argc, argv, o, err) == 0)
		return 0;
	o->command = command_in(argc, argv);
	return -1;
}

static int parse(int argc, char **argv, struct cli_opts *o, struct cs_error *err)
{
	memset(o, 0, sizeof *o);
	o->warn_hours = 24;
	opterr = 0;
	optind = 1;
	int c;
	bool json = false, csv = false;
	while ((c = getopt_long(argc, argv, ":c:p:vqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case 'p': o->profile = optarg; break;
		case OPT_CACHE: o->cache_path = optarg; break;
		case OPT_READONLY: o->readonly = true; break;
		case OPT_JSON: o->format = CLI_FORMAT_JSON, json = true; break;
		case OPT_CSV: o->format = CLI_FORMAT_CSV, csv = true; break;
		case OPT_DEMO: o->demo = true; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_MOUSE: o->mouse = true; break;
		case 'v': o->verbose++; break;
		case 'q': o->quiet = true; break;
		case OPT_PROGRESS: o->progress = true; break;
		case OPT_REFRESH: o->refresh = true; break;
		case OPT_YES: o->yes = true; break;
		case OPT_STATE:
			if (strcmp(optarg, "open") && strcmp(optarg, "inactive") && strcmp(optarg, "all"))
				return cs_fail(err, CS_EXIT_USAGE, _("--state must be open, inactive or all, not \"%s\""),
					       optarg);
			o->state = strcmp(optarg, "all") ? optarg : NULL;
			break;
		case OPT_WARN_HOURS:
			if (parse_int(optarg, 1, 24 * 28, &o->warn_hours))
				return cs_fail(err, CS_EXIT_USAGE,
					       _("--warn-hours takes a whole number of hours from 1 to 672, not \"%s\""),
					       optarg);
			break;
		case OPT_NEW: o->new_only = true; break;
		case OPT_FULL: o->full = true; break;
		case OPT_ENV: o->env = optarg; break;
		case OPT_SINCE: o->since = optarg; break;
		case 'h': o->help = true; break;
		case OPT_VERSION: o->version = true; break;
		case ':':
			return cs_fail(err, CS_EXIT_USAGE, _("option %s needs an argument (see chatsync --help)"),
				       argv[optind - 1]);
		default:
			if (optopt)
				return cs_fail(err, CS_EXIT_USAGE, _("unknown option -%c (see chatsync --help)"), optopt);
			return cs_fail(err, CS_EXIT_USAGE, _("unknown option %s (see chatsync --help)"), argv[optind - 1]);
		}
	}
	if (o->quiet && o->verbose)
		return cs_fail(err, CS_EXIT_USAGE, _("--quiet and --verbose contradict each other (choose one)"));
	if (o->quiet && o->progress)
		return cs_fail(err, CS_EXIT_USAGE, _("--quiet and --progress contradict each other (choose one)"));
	if (json && csv)
		return cs_fail(err, CS_EXIT_USAGE, _("--json and --csv contradict each other (choose one)"));
	if (optind < argc) {
		o->command = argv[optind];
		o->args = argv + optind + 1;
		o->n_args = argc - optind - 1;
	}
	return 0;
}
