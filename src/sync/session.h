/* A profile opened for work: the config read and checked, the profile chosen, its secret and key
 * files checked, the cache open. Every front end (cli/, ui/) runs on one; main.c opens it. */
#ifndef CHATSYNC_SYNC_SESSION_H
#define CHATSYNC_SYNC_SESSION_H
#include <signal.h>
#include <stdbool.h>
#include "base/error.h"
#include "core/conf.h"

struct cache;

struct session_opts {
	const char *config_path; /* -c; NULL: $CHATSYNC_CONFIG, then the XDG default */
	const char *profile;     /* -p; NULL: the config's first */
	const char *cache_path;  /* --cache; NULL: the profile's default cache */
	bool need_profile;       /* the config must exist and name a profile (else --cache alone will do) */
};

struct session {
	struct conf conf;
	const struct conf_profile *profile; /* NULL when running on --cache alone */
	char *cache_path;
	struct cache *cache;                /* this thread's connection; workers open their own */
};

/* Loads the config and its profile (checked, secret file modes included) and opens the cache.
 * The config may be absent only when o->cache_path names the cache and !o->need_profile.
 * Returns 0, or -1 with err (exit 2 for config errors, 4 for the cache); close it either way. */
int session_open(struct session *s, const struct session_opts *o, struct cs_error *err);
void session_close(struct session *s);

/* Reads and parses a config file; a missing file is an error naming the path and the fix. */
int session_load_conf(struct conf *conf, const char *path, struct cs_error *err);
/* Checks that a profile can sign in: what its auth method needs, and that the secret file and the
 * certificate are private (OpenSSH-style message otherwise). Exit code 2. */
int session_check_profile(const struct conf_profile *p, struct cs_error *err);

/* How a sign-in talks to the person at the terminal; each front end supplies its own (the command
 * line: stderr and /dev/tty; the console: a dialog). NULL members take the command line's. */
struct session_hooks {
	/* Shows the device-code instructions until sign-in ends: Entra's sentence, and its parts. */
	void (*device_code)(const char *message, const char *user_code, const char *verification_uri, void *user);
	/* Asks for a key's passphrase: fills buf, returns its length or -1 to give up. */
	int (*passphrase)(char *buf, int size, const char *what, void *user);
	/* auth = browser: the address is shown through device_code (no user code); this waits for the
	 * address the browser was sent to, pasted by the person: at most timeout_ms, returning 0 early
	 * when wake_fd (the loopback listener) is readable; fills buf and returns its length, 0 when
	 * nothing came yet, -1 to give up. NULL (with hooks given): only the loopback listener takes
	 * the answer, nothing reads /dev/tty behind the front end; hooks NULL: a line from /dev/tty. */
	int (*redirect)(char *buf, int size, int wake_fd, int timeout_ms, void *user);
	void *user;
};

struct net;
/* The transport for profile p, signed in as the profile says (lazily, on the first request), and
 * cancelled when *cancel becomes non-zero. The one way sync/ and the front ends get a transport.
 * NULL with err (2 for a bad profile, 3 for the network). Free with session_net_close. */
struct net *session_net_open(const struct conf_profile *p, volatile sig_atomic_t *cancel,
			     const struct session_hooks *hooks, struct cs_error *err);
/* Closes what session_net_open opened (NULL is fine): the front ends never include net/. */
void session_net_close(struct net *net);

#endif
