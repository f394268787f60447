#include "config.h"
#include "store/audit_log.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *audit_log_path(void)
{
	char *dir = path_state_dir();
	char *path = xasprintf("%s/audit.log", dir);
	free(dir);
	return path;
}

static void add(cJSON *o, const char *key, const char *value)
{
	cJSON_AddStringToObject(o, key, value ? value : "");
}

int audit_log_append(const struct cache_audit *a, struct cs_error *err)
{
	char *dir = path_state_dir();
	int rc = path_mkdirs(dir, err);
	free(dir);
	if (rc)
		return -1;
	char *path = audit_log_path();
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = cs_fail(err, CS_EXIT_CACHE, _("cannot append to %s: %s (check its owner and mode)"), path,
			     strerror(errno));
		free(path);
		return rc;
	}
	char when[32];
	cJSON *o = cJSON_CreateObject();
	add(o, "time", time_format_iso(a->time, when, sizeof when));
	add(o, "profile", a->profile);
	add(o, "identity", a->identity);
	add(o, "environment", a->environment);
	add(o, "old", a->old_value);
	add(o, "new", a->new_value);
	add(o, "request_id", a->request_id);
	add(o, "result", a->result);
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!line) { /* cJSON could not allocate */
		close(fd);
		free(path);
		return cs_fail(err, CS_EXIT_CACHE, _("cannot append to the audit log: out of memory"));
	}
	size_t len = strlen(line);
	line[len] = '\n'; /* replaces the NUL: written with its length, in one write (O_APPEND) */
	if (write(fd, line, len + 1) != (ssize_t)(len + 1))
		rc = cs_fail(err, CS_EXIT_CACHE, _("cannot append to %s: %s (is the disk full?)"), path, strerror(errno));
	free(line);
	close(fd);
	free(path);
	return rc;
}
