/* A browser sign-in driven end to end: chatsync runs with a terminal of its own (a pty, so it
 * reads /dev/tty as it would over SSH), the test plays the browser against the sandbox's
 * /authorize and pastes the address it was sent to, or sends it to chatsync's loopback listener. */
#ifndef CHATSYNC_TEST_E2E_BROWSER_H
#define CHATSYNC_TEST_E2E_BROWSER_H
#include "e2e.h"

enum e2e_browser_mode {
	BROWSER_PASTE,          /* paste the address the sandbox redirected to */
	BROWSER_LOOPBACK,       /* the browser reaches back: GET the redirect on chatsync's listener */
	BROWSER_WRONG_STATE,    /* paste it with another state */
	BROWSER_WRONG_VERIFIER, /* sign in with another code_challenge, paste that code */
};

struct e2e_browser {
	char *url;              /* the sign-in address chatsync printed ("" when none) */
	char *location;         /* where the sandbox sent the browser ("" when it did not) */
};

/* Runs chatsync -c <config> -p profile --cache <cache> ARGS... on a pty, acting as the browser in
 * mode. Output in e->r (stdout, stderr, status). Returns the exit status. */
int e2e_browser_run(struct e2e *e, struct e2e_browser *b, enum e2e_browser_mode mode, const char *profile, ...)
	__attribute__((sentinel));
void e2e_browser_free(struct e2e_browser *b);

#endif
