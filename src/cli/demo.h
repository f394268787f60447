/* --demo: a sandbox tenant of our own on loopback. */
#ifndef CHATSYNC_DEMO_H
#define CHATSYNC_DEMO_H
#include <sys/types.h>
#include "base/error.h"

struct demo {
	pid_t pid;
	char *dir;     /* private temporary directory: sandbox files, config, cache */
	char *config;  /* the config the sandbox wrote (profile "sandbox") */
	char *cache;
};

/* Starts the sandbox and waits until it listens. 0, or -1 with err (nothing left behind). */
int demo_start(struct demo *d, struct cs_error *err);
/* Stops it and removes its directory. */
void demo_stop(struct demo *d);

#endif
