#include "config.h"
#include "base/paths.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	if (home && *home)
		return home;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : "/";
}

char *path_expand(const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
		return xasprintf("%s%s", home_dir(), path + 1);
	return xstrdup(path);
}

/* $VAR/chatsync if VAR is an absolute path (the XDG spec ignores relative ones), else ~/fallback/chatsync. */
static char *xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var);
	if (v && v[0] == '/')
		return xasprintf("%s/chatsync", v);
	return xasprintf("%s/%s/chatsync", home_dir(), fallback);
}

char *path_config_dir(void) { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
char *path_cache_dir(void) { return xdg_dir("XDG_CACHE_HOME", ".cache"); }
char *path_state_dir(void) { return xdg_dir("XDG_STATE_HOME", ".local/state"); }

char *path_config_file(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return path_expand(explicit_path);
	const char *env = getenv("CHATSYNC_CONFIG");
	if (env && *env)
		return path_expand(env);
	char *dir = path_config_dir();
	char *file = xasprintf("%s/config", dir);
	free(dir);
	return file;
}

int path_mkdirs(const char *dir, struct cs_error *err)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				rc = cs_fail(err, 4, _("cannot create directory %s: %s (check the permissions of its parent)"),
					     p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

/* The directory a checked file is in: where others may write, and no sticky bit keeps each to their
 * own files (as in /tmp), they can put another file in its place, whatever the file's own mode. */
static int check_dir_of(const char *path, const char *what, struct cs_error *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';
	struct stat st;
	int rc = 0;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		rc = cs_fail(err, 2,
			     _("permissions 0%03o for the directory '%s' are too open: it holds %s, and others could "
			       "put another file in its place (run: chmod go-w %s)"),
			     (unsigned)(st.st_mode & 0777), dir, what, dir);
	free(dir);
	return rc;
}

/* The one check behind both: a regular file of ours (or root's, when root may own it) whose mode
 * has none of the bits in `forbidden`, in a directory others cannot write to; the message names
 * the mode and the chmod that fixes it. */
static int check_file(const char *path, const char *what, mode_t forbidden, bool root_may_own, struct cs_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return cs_fail(err, 2, _("cannot read %s %s: %s (check the path in the config file)"), what, path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cs_fail(err, 2, _("%s %s is not a regular file (point the config at the file itself)"), what,
			       path);
	if ((st.st_mode & forbidden) && forbidden == 077)
		return cs_fail(err, 2,
			       _("permissions 0%03o for '%s' are too open: it holds %s and must not be accessible by "
				 "others (run: chmod 600 %s)"),
			       (unsigned)(st.st_mode & 0777), path, what, path);
	if (st.st_mode & forbidden)
		return cs_fail(err, 2,
			       _("permissions 0%03o for '%s' are too open: it holds %s and must not be writable by "
				 "others (run: chmod go-w %s)"),
			       (unsigned)(st.st_mode & 0777), path, what, path);
	if (st.st_uid != geteuid() && !(root_may_own && st.st_uid == 0))
		return cs_fail(err, 2, _("'%s' holds %s but belongs to another user (run: chown %u %s)"), path, what,
			       (unsigned)geteuid(), path);
	return check_dir_of(path, what, err);
}

int path_check_private(const char *path, const char *what, struct cs_error *err)
{
	return check_file(path, what, 077, false, err);
}

int path_check_not_writable(const char *path, const char *what, struct cs_error *err)
{
	return check_file(path, what, 022, true, err);
}

int path_read_text(const char *path, size_t max, char **out, int *why)
{
	*out = NULL;
	/* Non-blocking: a FIFO given as a file would otherwise hang the open until someone writes. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		*why = errno;
		close(fd);
		return -1;
	}
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	*why = 0;
	while (!*why && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > max)
			*why = EFBIG;
	}
	if (!*why && ferror(f))
		*why = EIO;
	fclose(f);
	if (!*why && b.len && memchr(b.data, '\0', b.len))
		*why = EILSEQ;
	if (*why) {
		buf_free(&b);
		return -1;
	}
	*out = buf_steal(&b);
	return 0;
}
