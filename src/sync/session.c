#include "config.h"
#include "sync/session.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "auth/auth.h"
#include "net/http.h"
#include "store/cache.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_MAX_BYTES (1u << 20)

int session_load_conf(struct conf *conf, const char *path, struct cs_error *err)
{
	memset(conf, 0, sizeof *conf);
	char *text;
	int why;
	if (path_read_text(path, CONF_MAX_BYTES, &text, &why) != 0) {
		if (why == EFBIG)
			return cs_fail(err, 2, _("config %s is larger than 1 MiB (is it the right file?)"), path);
		if (why == EISDIR || why == EINVAL)
			return cs_fail(err, 2, _("config %s is not a regular file (point -c or CHATSYNC_CONFIG at the file "
						 "itself)"),
				       path);
		if (why == EILSEQ)
			return cs_fail(err, 2, _("config %s holds a NUL byte (is it a text file?)"), path);
		return cs_fail(err, 2, _("cannot read config %s: %s (create it from chatsync.conf.example, or use --demo)"),
			       path, strerror(why));
	}
	/* Readable by all is fine (it holds paths and URLs, no secret), writable by others is not: the
	 * config decides which host gets the secret and which certificates are trusted. */
	if (path_check_not_writable(path, _("the config (which decides where the secret goes)"), err)) {
		free(text);
		return -1;
	}
	int rc = conf_parse(conf, path, text, err);
	free(text);
	return rc;
}

/* libcurl writes every TLS session key to $SSLKEYLOGFILE (for Wireshark): whoever reads that file
 * reads the tokens and the secret sent. Said once a run, on stderr and in the log. */
static void warn_keylog(void)
{
	static bool warned;
	const char *keylog = getenv("SSLKEYLOGFILE");
	if (warned || !keylog || !*keylog)
		return;
	warned = true;
	log_tell(LOG_WARN,
		 _("SSLKEYLOGFILE is set: the TLS session keys of this run go to %s, and whoever can read "
		   "it can read the tokens and secrets sent (unset SSLKEYLOGFILE unless you are debugging TLS)"),
		 keylog);
}

/* The environment variables that change what chatsync does: garbage in them is an error, not
 * silently ignored. */
static int check_environment(struct cs_error *err)
{
	const char *now = getenv("CHATSYNC_NOW");
	cs_time t;
	if (now && *now && time_parse_iso(now, &t) != 0)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("CHATSYNC_NOW is \"%.40s%s\", not an ISO 8601 time (give e.g. 2026-11-14T09:12:00Z, or "
				 "unset it)"),
			       now, strlen(now) > 40 ? "…" : "");
	const char *log = getenv("CHATSYNC_LOG");
	const char *log_path;
	int log_errno = log_open_error(&log_path);
	if (log && *log && log_errno)
		return cs_fail(err, CS_EXIT_USAGE,
			       _("cannot write the log CHATSYNC_LOG names, %s: %s (point it at a writable file, or "
				 "unset it)"),
			       log_path, strerror(log_errno));
	return 0;
}

int session_check_profile(const struct conf_profile *p, struct cs_error *err)
{
	const char *env = getenv("CHATSYNC_CLIENT_SECRET");
	if (conf_profile_validate(p, env && *env, err))
		return -1;
	warn_keylog();
	if (p->ca_file && path_check_not_writable(p->ca_file, _("the trust anchors (ca_file)"), err))
		return -1;
	if (p->auth == CONF_AUTH_CLIENT_SECRET && p->client_secret_file &&
	    path_check_private(p->client_secret_file, _("a client secret"), err))
		return -1;
	if (p->auth == CONF_AUTH_CERTIFICATE && path_check_private(p->certificate, _("a private key"), err))
		return -1;
	return 0;
}

int session_open(struct session *s, const struct session_opts *o, struct cs_error *err)
{
	memset(s, 0, sizeof *s);
	if (check_environment(err))
		return -1;
	char *path = path_config_file(o->config_path);
	const char *env_config = getenv("CHATSYNC_CONFIG");
	bool explicit = o->config_path || (env_config && *env_config);
	int rc = 0;
	if (explicit || o->need_profile || !o->cache_path || access(path, F_OK) == 0) {
		/* The config holds paths, not secrets: the secret and key files it names are what
		 * session_check_profile checks for their mode. */
		rc = session_load_conf(&s->conf, path, err);
		if (rc == 0) {
			s->profile = conf_profile(&s->conf, o->profile, err);
			if (!s->profile)
				rc = -1;
		}
		/* A loaded profile is always checked, so a secret file readable by others is refused
		 * whatever the command. */
		if (rc == 0)
			rc = session_check_profile(s->profile, err);
	}
	free(path);
	if (rc)
		return -1;
	s->cache_path = o->cache_path ? path_expand(o->cache_path)
				      : cache_default_path(s->profile ? s->profile->name : "default");
	s->cache = cache_open(s->cache_path, 0, err);
	return s->cache ? 0 : -1;
}

void session_close(struct session *s)
{
	cache_close(s->cache);
	conf_free(&s->conf);
	free(s->cache_path);
	memset(s, 0, sizeof *s);
}

struct net *session_net_open(const struct conf_profile *p, volatile sig_atomic_t *cancel,
			     const struct session_hooks *hooks, struct cs_error *err)
{
	if (!p) {
		cs_fail(err, CS_EXIT_USAGE, _("this command needs a profile with sign-in settings (give -c FILE or create "
					      "~/.config/chatsync/config; see chatsync(1))"));
		return NULL;
	}
	if (session_check_profile(p, err))
		return NULL;
	struct auth_opts ao = { 0 };
	if (hooks) {
		ao.prompt = hooks->device_code;
		ao.prompt_user = hooks->user;
		ao.passphrase = hooks->passphrase;
		ao.passphrase_user = hooks->user;
		/* A front end with prompts of its own reads the terminal itself: without a redirect hook
		 * nothing may read /dev/tty behind it, so only the loopback listener takes the answer. */
		ao.paste = hooks->redirect ? hooks->redirect : auth_paste_listener_only;
		ao.paste_user = hooks->user;
	}
	return auth_net_open(p, &(struct net_opts){ .cancel = cancel }, &ao, err);
}

void session_net_close(struct net *net)
{
	if (net)
		net_close(net);
}
