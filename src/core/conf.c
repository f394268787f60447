#include "config.h"
#include "core/conf.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_kind { K_STRING, K_PATH, K_URL, K_AUTH, K_BOOL, K_DAYS };

/* Every config key, declared once: name, kind, field. Used by the parser and the did-you-mean hint. */
#define CONF_KEYS(X)                                                    \
	X(tenant, K_STRING)                                             \
	X(client_id, K_STRING)                                          \
	X(auth, K_AUTH)                                                 \
	X(client_secret_file, K_PATH)                                   \
	X(certificate, K_PATH)                                          \
	X(readonly, K_BOOL)                                             \
	X(mouse, K_BOOL)                                                \
	X(authority, K_URL)                                             \
	X(graph, K_URL)                                                 \
	X(graph_resource, K_URL)                                        \
	X(discovery, K_URL)                                             \
	X(discovery_resource, K_URL)                                    \
	X(ca_file, K_PATH)                                              \
	X(chat_sync_app, K_STRING)                                      \
	X(history_days, K_DAYS)

struct key_def {
	const char *name;
	enum key_kind kind;
	size_t offset;
};

#define KEY_DEF(name, kind) { #name, kind, offsetof(struct conf_profile, name) },
static const struct key_def keys[] = { CONF_KEYS(KEY_DEF) };
#define N_KEYS (sizeof keys / sizeof *keys)

static const char *const auth_names[] = { "device-code", "client-secret", "certificate", "browser" };

const char *conf_graph_resource(const struct conf_profile *p)
{
	return p->graph_resource ? p->graph_resource : CONF_DEFAULT_GRAPH;
}

const char *conf_discovery_resource(const struct conf_profile *p)
{
	return p->discovery_resource ? p->discovery_resource : CONF_DEFAULT_DISCOVERY;
}

const char *conf_auth_name(enum conf_auth auth)
{
	return (unsigned)auth < 4 ? auth_names[auth] : "?";
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

static const char *closest_key(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3; /* suggest only close misspellings */
	for (size_t i = 0; i < N_KEYS; i++) {
		size_t d = edit_distance(name, keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = keys[i].name;
		}
	}
	return best;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* An inline comment starts at '#' or ';' preceded by white space. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if ((*p == '#' || *p == ';') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

static bool is_loopback_host(const char *host, size_t len)
{
	return (len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (len >= 4 && strncmp(host, "127.", 4) == 0) || (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* https:// anywhere; http:// only for loopback hosts (DESIGN.md). */
static int check_url(const char *url, const char *key, const char *path, int line, struct cs_error *err)
{
	if (strncasecmp(url, "https://", 8) == 0 && url[8])
		return 0;
	if (strncasecmp(url, "http://", 7) == 0) {
		const char *h = url + 7;
		size_t len = strcspn(h, ":/");
		if (h[0] == '[')
			len = strcspn(h, "]") + 1;
		if (is_loopback_host(h, len))
			return 0;
		return cs_fail(err, 2, _("%s:%d: %s uses plain http to a host that is not loopback (use https://)"),
			       path, line, key);
	}
	return cs_fail(err, 2, _("%s:%d: %s is not an https:// URL: \"%s\""), path, line, key, url);
}

static void profile_defaults(struct conf_profile *p)
{
	p->auth = CONF_AUTH_DEVICE_CODE;
}

static void profile_finish(struct conf_profile *p)
{
	if (!p->authority)
		p->authority = xstrdup(CONF_DEFAULT_AUTHORITY);
	if (!p->graph)
		p->graph = xstrdup(CONF_DEFAULT_GRAPH);
	if (!p->discovery)
		p->discovery = xstrdup(CONF_DEFAULT_DISCOVERY);
	if (!p->chat_sync_app)
		p->chat_sync_app = xstrdup(CONF_DEFAULT_CHAT_SYNC_APP);
	char **urls[] = { &p->authority, &p->graph, &p->discovery };
	for (size_t i = 0; i < 3; i++)
		(*urls[i])[text_trimmed_slashes(*urls[i])] = '\0';
}

static void profile_free(struct conf_profile *p)
{
	free(p->name);
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].kind != K_AUTH && keys[i].kind != K_BOOL && keys[i].kind != K_DAYS)
			free(*(char **)((char *)p + keys[i].offset));
	memset(p, 0, sizeof *p);
}

static int set_key(struct conf_profile *p, const struct key_def *k, const char *value, const char *path,
		   int line, struct cs_error *err)
{
	void *field = (char *)p + k->offset;
	switch (k->kind) {
	case K_AUTH:
		for (int i = 0; i < 4; i++)
			if (strcmp(value, auth_names[i]) == 0) {
				*(enum conf_auth *)field = (enum conf_auth)i;
				return 0;
			}
		return cs_fail(err, 2, _("%s:%d: auth must be device-code, browser, client-secret or certificate, not \"%s\""),
			       path, line, value);
	case K_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcmp(value, "1") ||
		    !strcasecmp(value, "on"))
			*(bool *)field = true;
		else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") || !strcmp(value, "0") ||
			 !strcasecmp(value, "off"))
			*(bool *)field = false;
		else
			return cs_fail(err, 2, _("%s:%d: %s must be true or false, not \"%s\""), path, line, k->name,
				       value);
		return 0;
	case K_DAYS: {
		char *end;
		long v = strtol(value, &end, 10);
		if (!*value || *end || v < 1 || v > 3650)
			return cs_fail(err, 2, _("%s:%d: %s takes a number of days from 1 to 3650, not \"%s\""), path, line,
				       k->name, value);
		*(int *)field = (int)v;
		return 0;
	}
	case K_URL:
		if (check_url(value, k->name, path, line, err))
			return -1;
		/* fall through */
	case K_STRING:
	case K_PATH:
		if (!*value)
			return cs_fail(err, 2, _("%s:%d: %s has no value"), path, line, k->name);
		if (*(char **)field)
			return cs_fail(err, 2, _("%s:%d: %s is set twice in this profile (keep one)"), path, line,
				       k->name);
		*(char **)field = k->kind == K_PATH ? path_expand(value) : xstrdup(value);
		return 0;
	}
	return 0;
}

static int parse_section(struct conf *conf, char *s, const char *path, int line, struct cs_error *err)
{
	char *end = strchr(s, ']');
	if (!end || trim(end + 1)[0] != '\0')
		return cs_fail(err, 2, _("%s:%d: a section header must look like [profile NAME]"), path, line);
	*end = '\0';
	char *inner = trim(s + 1);
	if (strncmp(inner, "profile", 7) != 0 || !isspace((unsigned char)inner[7]))
		return cs_fail(err, 2, _("%s:%d: unknown section [%s] (sections are [profile NAME])"), path, line,
			       inner);
	char *name = trim(inner + 7);
	if (!*name || strpbrk(name, " \t/\"'"))
		return cs_fail(err, 2, _("%s:%d: profile name \"%s\" must be one word without / or quotes"), path,
			       line, name);
	for (size_t i = 0; i < conf->n_profiles; i++)
		if (strcmp(conf->profiles[i].name, name) == 0)
			return cs_fail(err, 2, _("%s:%d: profile \"%s\" is defined twice (first at line %d)"), path,
				       line, name, conf->profiles[i].line);
	conf->profiles = xrealloc(conf->profiles, (conf->n_profiles + 1) * sizeof *conf->profiles);
	struct conf_profile *p = &conf->profiles[conf->n_profiles++];
	memset(p, 0, sizeof *p);
	profile_defaults(p);
	p->name = xstrdup(name);
	p->line = line;
	return 0;
}

static int parse_line(struct conf *conf, char *raw, const char *path, int line, struct cs_error *err)
{
	strip_comment(raw);
	char *s = trim(raw);
	if (!*s)
		return 0;
	if (*s == '[')
		return parse_section(conf, s, path, line, err);
	char *eq = strchr(s, '=');
	if (!eq)
		return cs_fail(err, 2, _("%s:%d: expected key = value, got \"%s\""), path, line, s);
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	const struct key_def *k = NULL;
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (!k) {
		const char *hint = closest_key(key);
		if (hint)
			return cs_fail(err, 2, _("%s:%d: unknown key \"%s\" (did you mean \"%s\"?)"), path, line, key,
				       hint);
		return cs_fail(err, 2, _("%s:%d: unknown key \"%s\" (see chatsync(1), CONFIGURATION)"), path, line,
			       key);
	}
	if (conf->n_profiles == 0)
		return cs_fail(err, 2, _("%s:%d: %s is outside a profile (start one with [profile NAME])"), path,
			       line, key);
	return set_key(&conf->profiles[conf->n_profiles - 1], k, value, path, line, err);
}

int conf_parse(struct conf *conf, const char *path, const char *text, struct cs_error *err)
{
	memset(conf, 0, sizeof *conf);
	conf->path = xstrdup(path);
	int line = 0, rc = 0;
	const char *p = text;
	/* Notepad and some editors start a UTF-8 file with a byte order mark: it is not part of line 1. */
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (*p && rc == 0) {
		size_t len = strcspn(p, "\n");
		char *raw = xstrndup(p, len);
		line++;
		if (len && raw[len - 1] == '\r')
			raw[len - 1] = '\0';
		rc = parse_line(conf, raw, path, line, err);
		free(raw);
		p += len;
		if (*p == '\n')
			p++;
	}
	if (rc) {
		conf_free(conf);
		return -1;
	}
	for (size_t i = 0; i < conf->n_profiles; i++)
		profile_finish(&conf->profiles[i]);
	return 0;
}

const struct conf_profile *conf_profile(const struct conf *conf, const char *name, struct cs_error *err)
{
	if (conf->n_profiles == 0) {
		cs_fail(err, 2, _("%s defines no profile (add a [profile NAME] section)"),
			conf->path ? conf->path : "config");
		return NULL;
	}
	if (!name)
		return &conf->profiles[0];
	for (size_t i = 0; i < conf->n_profiles; i++)
		if (strcmp(conf->profiles[i].name, name) == 0)
			return &conf->profiles[i];
	struct buf names;
	buf_init(&names);
	for (size_t i = 0; i < conf->n_profiles; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", conf->profiles[i].name);
	cs_fail(err, 2, _("no profile \"%s\" in %s (it has: %s)"), name, conf->path ? conf->path : "config",
		names.data);
	buf_free(&names);
	return NULL;
}

int conf_profile_validate(const struct conf_profile *p, bool have_secret_env, struct cs_error *err)
{
	if (!p->tenant)
		return cs_fail(err, 2, _("profile \"%s\" has no tenant (add tenant = NAME.onmicrosoft.com or the tenant id)"),
			       p->name);
	if (!p->client_id)
		return cs_fail(err, 2, _("profile \"%s\" has no client_id (add the app registration's application id)"),
			       p->name);
	if (p->auth == CONF_AUTH_CLIENT_SECRET && !p->client_secret_file && !have_secret_env)
		return cs_fail(err, 2,
			       _("profile \"%s\" uses auth = client-secret but has no client_secret_file (add one, "
				 "or set CHATSYNC_CLIENT_SECRET)"),
			       p->name);
	if (p->auth == CONF_AUTH_CERTIFICATE && !p->certificate)
		return cs_fail(err, 2, _("profile \"%s\" uses auth = certificate but has no certificate file"), p->name);
	return 0;
}

void conf_free(struct conf *conf)
{
	for (size_t i = 0; i < conf->n_profiles; i++)
		profile_free(&conf->profiles[i]);
	free(conf->profiles);
	free(conf->path);
	memset(conf, 0, sizeof *conf);
}
