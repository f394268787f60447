#include "config.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static int log_file_level = LOG_INFO;
static int log_stderr_level = -1;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int open_errno;         /* why the last log_open failed, 0 if it did not */
static char open_failed[4096]; /* the path it could not open */

/* Characters in one line: a traced body (4 KiB, its controls escaped) fits whole. */
#define LOG_LINE_MAX 20000

static const char *const level_names[] = { "error", "warn", "info", "debug", "trace" };

int log_open(const char *path, int file_level, int stderr_level)
{
	log_close();
	log_file_level = file_level;
	log_stderr_level = stderr_level;
	char *owned = NULL;
	open_errno = 0;
	open_failed[0] = '\0';
	if (path && !*path)
		path = NULL; /* CHATSYNC_LOG= (empty) means the default */
	if (!path) {
		char *dir = path_state_dir();
		owned = xasprintf("%s/chatsync.log", dir);
		int made = path_mkdirs(dir, NULL);
		free(dir);
		path = owned;
		if (made != 0) {
			open_errno = errno ? errno : EACCES;
			snprintf(open_failed, sizeof open_failed, "%s", path);
			free(owned);
			return -1;
		}
	}
	/* Non-blocking: a FIFO without a reader fails at once instead of hanging (and is refused). */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd); /* a directory, a FIFO or a device is no log */
		fd = -1;
		errno = EINVAL;
	}
	if (fd >= 0)
		fcntl(fd, F_SETFL, O_WRONLY | O_APPEND); /* blocking writes from here on */
	if (fd < 0 || !(log_file = fdopen(fd, "a"))) {
		open_errno = errno;
		snprintf(open_failed, sizeof open_failed, "%s", path);
		if (fd >= 0)
			close(fd);
		free(owned);
		return -1;
	}
	free(owned);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

int log_open_error(const char **path)
{
	if (path)
		*path = open_failed;
	return open_errno;
}

int log_enabled(enum log_level level)
{
	return (log_file && (int)level <= log_file_level) || (int)level <= log_stderr_level;
}

static void log_write(enum log_level level, bool to_stderr, const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	/* Redacted first (it reads line ends), then sanitised: a server's words in a line cannot start
	 * a forged line, move the cursor or retitle a terminal that shows the log. */
	char *redacted = log_redact(raw);
	free(raw);
	char *line = text_sanitize_n(redacted, LOG_LINE_MAX);
	free(redacted);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&log_lock);
	if (log_file && (int)level <= log_file_level) {
		fprintf(log_file, "%s %d %s: %s\n", stamp, (int)getpid(), level_names[level], line);
		fflush(log_file);
	}
	if (to_stderr)
		fprintf(stderr, "chatsync: %s: %s\n", level_names[level], line);
	pthread_mutex_unlock(&log_lock);
	free(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_write(level, (int)level <= log_stderr_level, fmt, ap);
	va_end(ap);
}

void log_tell(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write(level, true, fmt, ap);
	va_end(ap);
}

/* Names whose values are secrets wherever they appear: as a header, a form or query field, or a JSON key. */
static const char *const secret_names[] = {
	"client_secret", "client_assertion", "device_code", "refresh_token", "access_token", "id_token",
	"password", "code_verifier",
};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Length of the value starting at s, for the given separator context. */
static size_t value_len(const char *s, bool json_string)
{
	size_t n = 0;
	if (json_string) {
		while (s[n] && s[n] != '"') {
			if (s[n] == '\\' && s[n + 1])
				n++;
			n++;
		}
		return n;
	}
	while (s[n] && s[n] != '&' && s[n] != '\n' && s[n] != '\r' && s[n] != ' ' && s[n] != ',' && s[n] != ';' &&
	       s[n] != '"')
		n++;
	return n;
}

/* A JWT-looking run: three base64url segments separated by dots, starting with "eyJ". */
static size_t jwt_len(const char *s)
{
	if (strncmp(s, "eyJ", 3) != 0)
		return 0;
	size_t n = 0;
	int dots = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '_' || s[n] == '.') {
		dots += s[n] == '.';
		n++;
	}
	return dots >= 2 && n > 20 ? n : 0;
}

char *log_redact(const char *text)
{
	struct buf out;
	buf_init(&out);
	if (!text)
		return buf_steal(&out);
	const char *p = text;
	while (*p) {
		/* Authorization header: keep the scheme, drop the credentials up to the end of the line. */
		if ((p == text || !name_char(p[-1])) && strncasecmp(p, "authorization:", 14) == 0) {
			buf_add(&out, p, 14);
			p += 14;
			while (*p == ' ')
				buf_add(&out, p++, 1);
			size_t scheme = strcspn(p, " \r\n");
			if (p[scheme] == ' ') {
				buf_add(&out, p, scheme + 1);
				p += scheme + 1;
			}
			buf_adds(&out, "[redacted]");
			p += strcspn(p, "\r\n");
			continue;
		}
		size_t jl = (p == text || !name_char(p[-1])) ? jwt_len(p) : 0;
		if (jl) {
			buf_adds(&out, "[redacted]");
			p += jl;
			continue;
		}
		/* An authorization code, as a form or query field (code=...): "code" alone is too common a
		 * JSON key and word (an error's code) to redact elsewhere. */
		if ((p == text || p[-1] == '&' || p[-1] == '?' || p[-1] == ' ') && strncmp(p, "code=", 5) == 0) {
			buf_adds(&out, "code=[redacted]");
			p += 5 + value_len(p + 5, false);
			continue;
		}
		bool matched = false;
		for (size_t i = 0; i < sizeof secret_names / sizeof *secret_names && !matched; i++) {
			size_t nl = strlen(secret_names[i]);
			if ((p != text && name_char(p[-1])) || strncasecmp(p, secret_names[i], nl) != 0 ||
			    name_char(p[nl]))
				continue;
			const char *q = p + nl;
			bool json = false;
			if (*q == '"') { /* JSON key: "name" : "value" */
				q++;
				while (*q == ' ')
					q++;
				if (*q != ':')
					continue;
				q++;
				while (*q == ' ')
					q++;
				if (*q != '"')
					continue;
				q++;
				json = true;
			} else if (*q == '=' || *q == ':') {
				q++;
				while (*q == ' ')
					q++;
			} else {
				continue;
			}
			buf_add(&out, p, (size_t)(q - p));
			buf_adds(&out, "[redacted]");
			p = q + value_len(q, json);
			matched = true;
		}
		if (!matched)
			buf_add(&out, p++, 1);
	}
	return buf_steal(&out);
}
