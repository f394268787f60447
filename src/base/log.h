/* Logging with levels to $XDG_STATE_HOME/chatsync/chatsync.log. Every line goes through
 * log_redact, so secrets (Authorization, client_secret, client_assertion, device_code,
 * refresh_token, access_token values) never reach the file or the trace, then through
 * text_sanitize, so each message is one line with nothing a terminal would obey. */
#ifndef CHATSYNC_LOG_H
#define CHATSYNC_LOG_H
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

/* Opens the log file (append, 0600). path NULL: the default under the state dir.
 * stderr_level: lines at or below it are also printed on stderr (-v: INFO, -v -v: TRACE);
 * -1 for none. path "" is the default too. Returns 0, or -1 if the file cannot be opened (logging
 * then goes to stderr only; log_open_error says why). */
int log_open(const char *path, int file_level, int stderr_level);
void log_close(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like log_msg, but always also on stderr whatever the levels (once: never twice on stderr): for
 * what the user must see, such as a security warning. */
void log_tell(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Why the last log_open failed (its errno; 0 if it did not) and, in *path, the file it tried. */
int log_open_error(const char **path);
int log_enabled(enum log_level level);
/* Returns a copy of text with secret values replaced by "[redacted]": header values of
 * Authorization, form/JSON/query values of the secret names, and JWT-looking tokens. Caller owns. */
char *log_redact(const char *text);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

#endif
