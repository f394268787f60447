/* Test helpers: run a program with arguments and environment, capture its output and exit status;
 * make temporary directories; write files with a mode. */
#ifndef CHATSYNC_TEST_RUN_H
#define CHATSYNC_TEST_RUN_H
#include <stddef.h>
#include <sys/types.h>

struct run_result {
	int status;      /* exit code, or 128 + signal */
	char *out, *err; /* captured stdout and stderr, NUL-terminated */
};

/* Runs argv[0] (a path) with argv, extra environment entries "K=V" (NULL-terminated, may be NULL),
 * stdin from /dev/null, and waits at most timeout_s seconds (then kills it: status 137). */
int run_cmd(struct run_result *r, char *const argv[], char *const env[], int timeout_s);
void run_free(struct run_result *r);
/* The built chatsync binary (in CHATSYNC_TEST_BUILDDIR). Caller frees. */
char *run_chatsync_path(void);
/* A new private temporary directory. Caller frees (and may remove it with run_rmtree). */
char *run_tmpdir(void);
void run_rmtree(const char *dir);
/* Writes text to path with the given mode. Returns 0. */
int run_write_file(const char *path, const char *text, mode_t mode);
/* Reads a whole file; NULL if missing. Caller frees. */
char *run_read_file(const char *path, size_t *len);
/* A path in the source tree (CHATSYNC_TEST_SRCDIR/rel). Caller frees. */
char *run_srcpath(const char *rel);

#endif
