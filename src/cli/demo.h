/* --demo: a sandbox tenant of our own on loopback, and a private directory that holds everything the
 * demo's chatsync writes (config, cache, tokens, log, audit), removed when it ends. */
#ifndef CHATSYNC_DEMO_H
#define CHATSYNC_DEMO_H
#include <sys/types.h>
#include "base/error.h"

struct demo {
	pid_t pid;
	char *dir;     /* private temporary directory: sandbox files, config, cache, XDG homes */
	char *config;  /* the config the sandbox writes (profile "sandbox") */
	char *cache;
};

/* Makes the private directory and points every path chatsync writes at it ($XDG_CONFIG_HOME,
 * $XDG_CACHE_HOME and $XDG_STATE_HOME inside it: tokens, audit.log and chatsync.log land there; a
 * CHATSYNC_LOG of the user's is not written). Call before anything opens a file. 0, or -1 with err. */
int demo_prepare(struct demo *d, struct cs_error *err);
/* Starts the sandbox in it and waits until it listens. 0, or -1 with err. */
int demo_start(struct demo *d, struct cs_error *err);
/* Stops the sandbox and removes the directory with everything in it. */
void demo_stop(struct demo *d);

#endif
