/* XDG paths, ~ expansion and the OpenSSH-style permission checks for secret files. */
#ifndef CHATSYNC_PATHS_H
#define CHATSYNC_PATHS_H
#include <stddef.h>
#include "base/error.h"

/* "~" and "~/x" expanded with $HOME; other paths are copied. Caller owns the result. */
char *path_expand(const char *path);
/* $XDG_{CONFIG,CACHE,STATE}_HOME/chatsync (or ~/.config, ~/.cache, ~/.local/state). Caller owns. */
char *path_config_dir(void);
char *path_cache_dir(void);
char *path_state_dir(void);
/* The config file to read: explicit (-c) > $CHATSYNC_CONFIG > XDG default. Caller owns. */
char *path_config_file(const char *explicit_path);
/* mkdir -p with mode 0700 for the directories chatsync creates. */
int path_mkdirs(const char *dir, struct cs_error *err);
/* Refuses a file readable or writable by group or others, OpenSSH style:
 * "permissions 0644 for 'F' are too open (it holds <what>; run: chmod 600 F)". what: "a client secret". */
int path_check_private(const char *path, const char *what, struct cs_error *err);
/* Refuses a file writable by group or others, or owned by someone other than the user or root,
 * OpenSSH style: "permissions 0666 for 'F' are too open: it holds <what> ... (run: chmod go-w F)".
 * For what may be read by all but decides where secrets go: the config, ca_file. */
int path_check_not_writable(const char *path, const char *what, struct cs_error *err);
/* Reads a whole text file of at most max bytes into *out (NUL-terminated; caller owns). -1 with
 * *why: the errno of open/read, EISDIR or EINVAL when it is a directory or not a regular file (a
 * FIFO is never waited on), EFBIG when larger than max, EILSEQ when it holds a NUL byte. */
int path_read_text(const char *path, size_t max, char **out, int *why);

#endif
