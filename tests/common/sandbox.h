/* Test helper: a chatsync-sandbox of the test's own, on a free loopback port, with its profile file. */
#ifndef CHATSYNC_TEST_SANDBOX_H
#define CHATSYNC_TEST_SANDBOX_H
#include <sys/types.h>

struct sandbox {
	pid_t pid;
	char *dir;      /* its --dir (also holds config, ca.pem, the request log) */
	char *base;     /* https://127.0.0.1:PORT */
	char *ca;       /* the CA file it wrote */
	char *config;   /* the chatsync config it wrote (--write-profile) */
	char *log;      /* its JSONL request log (the default one, in dir) */
};

/* Starts the sandbox with extra arguments (NULL-terminated, may be NULL). Aborts the test on failure. */
void sandbox_start(struct sandbox *sb, const char *const *extra);
/* The same with extra environment entries "K=V" for the sandbox (NULL-terminated, may be NULL). */
void sandbox_start_env(struct sandbox *sb, const char *const *extra, const char *const *env);
void sandbox_stop(struct sandbox *sb);
/* Stops it with SIGTERM (SIGKILL after 5 s), removes its directory, returns its exit status
 * (128 + signal when killed). */
int sandbox_stop_status(struct sandbox *sb);
/* A control request: method "GET"/"POST"/"DELETE" to BASE/_sandbox/<path> with a JSON body (may be
 * NULL). Returns the response body (caller frees) and sets *status. */
char *sandbox_control(struct sandbox *sb, const char *method, const char *path, const char *json, long *status);
/* Lines of the request log written so far (caller frees). */
char *sandbox_request_log(struct sandbox *sb);

#endif
