/* What sign-in keeps outside memory and asks of the person at the terminal: the refresh-token
 * cache file, the client secret, the key passphrase and the device-code prompt; its copy of the
 * profile; and the identity in an ID token (never in an access token, which is opaque). */
#include "config.h"
#include "auth/authint.h"
#include "auth/jwt.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define MAX_SECRET_FILE 65536

void auth_wipe(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void auth_profile_copy(struct conf_profile *d, const struct conf_profile *s)
{
	*d = *s;
	d->name = xstrdup(s->name ? s->name : "default");
	d->tenant = xstrdup(s->tenant);
	d->client_id = xstrdup(s->client_id);
	d->client_secret_file = xstrdup(s->client_secret_file);
	d->certificate = xstrdup(s->certificate);
	d->authority = text_without_slashes(s->authority ? s->authority : CONF_DEFAULT_AUTHORITY);
	d->graph = text_without_slashes(s->graph ? s->graph : CONF_DEFAULT_GRAPH);
	d->graph_resource = xstrdup(s->graph_resource);
	d->discovery = text_without_slashes(s->discovery ? s->discovery : CONF_DEFAULT_DISCOVERY);
	d->discovery_resource = xstrdup(s->discovery_resource);
	d->ca_file = xstrdup(s->ca_file);
	d->chat_sync_app = xstrdup(s->chat_sync_app);
}

void auth_profile_free(struct conf_profile *p)
{
	char **fields[] = { &p->name, &p->tenant, &p->client_id, &p->client_secret_file, &p->certificate,
			    &p->authority, &p->graph, &p->graph_resource, &p->discovery,
			    &p->discovery_resource, &p->ca_file, &p->chat_sync_app };
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

char *authstore_cache_path(const char *dir, const char *profile)
{
	/* A profile name is the user's text: keep it from naming another directory. */
	char *name = xstrdup(profile ? profile : "default");
	for (char *s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			*s = '_';
	if (name[0] == '.')
		name[0] = '_';
	char *path = xasprintf("%s/%s.tokens", dir, name);
	free(name);
	return path;
}

/* Reads a whole small file; NULL with errno set on failure. Caller wipes and frees. */
static char *read_small(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len <= max)
		buf_add(&b, chunk, (size_t)n);
	OPENSSL_cleanse(chunk, sizeof chunk);
	int saved = errno;
	close(fd);
	if (n < 0 || b.len > max) {
		if (b.data)
			OPENSSL_cleanse(b.data, b.len);
		buf_free(&b);
		errno = n < 0 ? saved : EFBIG;
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int authstore_load(const char *path, const struct conf_profile *p, char **refresh, struct cs_error *err)
{
	*refresh = NULL;
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 0;
	if (path_check_private(path, _("refresh tokens"), err) != 0)
		return -1;
	size_t len = 0;
	char *text = read_small(path, MAX_SECRET_FILE, &len);
	if (!text)
		return cs_fail(err, CS_EXIT_CACHE, _("cannot read the token cache %s: %m (delete it to sign in again)"),
			       path);
	cJSON *j = cJSON_ParseWithLength(text, len);
	OPENSSL_cleanse(text, len);
	free(text);
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	/* A cache written for another tenant, app or cloud is not ours to use. */
	if (cJSON_IsString(rt) && same(cJSON_GetStringValue(cJSON_GetObjectItem(j, "tenant")), p->tenant) &&
	    same(cJSON_GetStringValue(cJSON_GetObjectItem(j, "client_id")), p->client_id) &&
	    same(cJSON_GetStringValue(cJSON_GetObjectItem(j, "authority")), p->authority))
		*refresh = xstrdup(rt->valuestring);
	else if (j)
		log_info("token cache %s belongs to another tenant or app: ignoring it", path);
	else
		log_warn("token cache %s is not valid JSON: ignoring it", path);
	if (cJSON_IsString(rt))
		OPENSSL_cleanse(rt->valuestring, strlen(rt->valuestring));
	cJSON_Delete(j);
	return 0;
}

int authstore_save(const char *path, const struct conf_profile *p, const char *refresh, struct cs_error *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int rc = slash && *dir ? path_mkdirs(dir, err) : 0;
	free(dir);
	if (rc != 0)
		return -1;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", 1);
	cJSON_AddStringToObject(j, "profile", p->name ? p->name : "");
	cJSON_AddStringToObject(j, "tenant", p->tenant ? p->tenant : "");
	cJSON_AddStringToObject(j, "client_id", p->client_id ? p->client_id : "");
	cJSON_AddStringToObject(j, "authority", p->authority ? p->authority : "");
	cJSON_AddStringToObject(j, "refresh_token", refresh);
	char *text = cJSON_Print(j);
	cJSON *rt = cJSON_GetObjectItem(j, "refresh_token");
	OPENSSL_cleanse(rt->valuestring, strlen(rt->valuestring));
	cJSON_Delete(j);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	/* Created 0600 from the start: there is no moment when others could open it. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = text ? strlen(text) : 0;
	bool ok = fd >= 0 && text && fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len &&
		  write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	int saved = errno;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (ok && rename(tmp, path) != 0) {
		saved = errno;
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	if (text) {
		OPENSSL_cleanse(text, len);
		cJSON_free(text);
	}
	free(tmp);
	if (!ok) {
		errno = saved;
		return cs_fail(err, CS_EXIT_CACHE, _("cannot save the sign-in to %s: %m (you will be asked to sign in again next time)"),
			       path);
	}
	return 0;
}

int authstore_delete(const char *path, struct cs_error *err)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return cs_fail(err, CS_EXIT_CACHE, _("cannot delete the token cache %s: %m (delete it by hand)"), path);
	return 0;
}

int authstore_secret(const struct conf_profile *p, char **out, struct cs_error *err)
{
	*out = NULL;
	if (!p->client_secret_file) {
		const char *env = getenv("CHATSYNC_CLIENT_SECRET");
		if (!env || !*env)
			return cs_fail(err, CS_EXIT_USAGE,
				       _("profile \"%s\" uses auth = client-secret but has no client_secret_file (add one, "
					 "or set CHATSYNC_CLIENT_SECRET)"),
				       p->name);
		*out = xstrdup(env);
		return 0;
	}
	const char *path = p->client_secret_file;
	if (path_check_private(path, _("a client secret"), err) != 0)
		return -1;
	size_t len = 0;
	char *text = read_small(path, MAX_SECRET_FILE, &len);
	if (!text)
		return cs_fail(err, CS_EXIT_USAGE, _("cannot read the client secret %s: %m (check client_secret_file)"),
			       path);
	/* Editors and `echo` leave a newline; a secret never ends in whitespace. */
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	if (len == 0 || memchr(text, '\0', len) || strpbrk(text, "\r\n")) {
		OPENSSL_cleanse(text, len);
		free(text);
		return cs_fail(err, CS_EXIT_USAGE,
			       _("the client secret file %s must hold the secret alone, on one line (paste the secret's "
				 "Value, not its ID)"),
			       path);
	}
	*out = text;
	return 0;
}

int authstore_tty_passphrase(char *buf, int size, const char *what, void *user)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || size < 2)
		return fd < 0 ? -1 : (close(fd), -1);
	struct termios old, quiet;
	bool restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	char *prompt = xasprintf(_("Passphrase for the private key in %s: "), what);
	ssize_t w = write(fd, prompt, strlen(prompt));
	(void)w;
	free(prompt);
	int n = 0;
	char c;
	while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		if (n < size - 1)
			buf[n++] = c;
	buf[n] = '\0';
	c = 0;
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	w = write(fd, "\n", 1);
	close(fd);
	return n;
}

void authstore_print_prompt(const char *message, const char *user_code, const char *verification_uri, void *user)
{
	fprintf(stderr, "%s\n", message);
	fflush(stderr);
}

/* A claim of the ID token as sanitised text (it is shown and audited), or NULL. */
static char *claim(const cJSON *j, const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, name));
	return v && *v ? text_sanitize(v) : NULL;
}

int authstore_identity(const struct conf_profile *p, const char *id_token, struct auth_identity *out,
		       struct cs_error *err)
{
	memset(out, 0, sizeof *out);
	out->app_id = xstrdup(p->client_id);
	if (!CONF_AUTH_DELEGATED(p->auth)) {
		/* An app knows who it is: its own client id. */
		out->name = xstrdup(p->client_id);
		out->tenant_id = xstrdup(p->tenant);
		return 0;
	}
	out->delegated = true;
	/* The ID token is meant for the client (OpenID Connect): its claims are ours to read. It came
	 * from the authority over TLS, in the same answer as the access token. */
	cJSON *j = id_token ? jwt_decode(id_token, 1) : NULL;
	if (j) {
		out->name = claim(j, "preferred_username");
		if (!out->name)
			out->name = claim(j, "upn");
		out->display_name = claim(j, "name");
		out->object_id = claim(j, "oid");
		out->tenant_id = claim(j, "tid");
		if (!out->name)
			out->name = out->object_id ? xstrdup(out->object_id) : NULL;
		cJSON_Delete(j);
	}
	if (!out->name) {
		auth_identity_free(out);
		return cs_fail(err, CS_EXIT_NETWORK,
			       _("sign-in for profile \"%s\" gave no usable ID token (no preferred_username or oid claim): "
				 "cannot tell who is signed in (sign out with chatsync and sign in again)"),
			       p->name);
	}
	return 0;
}

void auth_identity_free(struct auth_identity *id)
{
	if (!id)
		return;
	free(id->name);
	free(id->display_name);
	free(id->object_id);
	free(id->tenant_id);
	free(id->app_id);
	memset(id, 0, sizeof *id);
}
