/* The config file (DESIGN.md "Config file"): INI, one [profile NAME] section per tenant, the first
 * profile is the default. Pure: reading the file and checking the modes of the files it names is
 * sync/session.h's job. */
#ifndef CHATSYNC_CONF_H
#define CHATSYNC_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

enum conf_auth { CONF_AUTH_DEVICE_CODE, CONF_AUTH_CLIENT_SECRET, CONF_AUTH_CERTIFICATE, CONF_AUTH_BROWSER };
/* A person signs in (device code or browser): ID token, refresh token, token cache. */
#define CONF_AUTH_DELEGATED(a) ((a) == CONF_AUTH_DEVICE_CODE || (a) == CONF_AUTH_BROWSER)

#define CONF_DEFAULT_AUTHORITY "https://login.microsoftonline.com"
#define CONF_DEFAULT_GRAPH "https://graph.microsoft.com"
#define CONF_DEFAULT_DISCOVERY "https://globaldisco.crm.dynamics.com"
#define CONF_DEFAULT_CHAT_SYNC_APP "Dataverse Chat Sync"

/* One profile. Every string is owned by the profile; paths are already ~-expanded. */
struct conf_profile {
	char *name;
	char *tenant;
	char *client_id;
	enum conf_auth auth;
	char *client_secret_file;
	char *certificate;
	bool readonly;
	bool mouse;                /* the console takes clicks and the wheel */
	char *authority;          /* no trailing slash */
	char *graph;
	char *graph_resource;     /* scope resource for Graph; default the public one */
	char *discovery;
	char *discovery_resource;
	char *ca_file;
	char *chat_sync_app;
	int history_days;         /* how long the history is kept; 0: the default (90) */
	int line;                 /* line of the [profile] header, for messages */
};

struct conf {
	char *path;               /* the file read, NULL for an empty (absent) config */
	struct conf_profile *profiles;
	size_t n_profiles;
};

/* Parses text (path is only used in messages). On error fills err with
 * "PATH:LINE: what (hint)" and returns -1; conf is then empty. */
int conf_parse(struct conf *conf, const char *path, const char *text, struct cs_error *err);
/* The named profile, or the first when name is NULL; NULL with err filled when absent. */
const struct conf_profile *conf_profile(const struct conf *conf, const char *name, struct cs_error *err);
/* Checks that a profile names what its auth method needs (tenant, client_id, a secret file unless
 * have_secret_env, a certificate). The files themselves are checked by session_check_profile. */
int conf_profile_validate(const struct conf_profile *p, bool have_secret_env, struct cs_error *err);
const char *conf_auth_name(enum conf_auth auth);
/* The token resources of a profile: Graph (graph_resource or https://graph.microsoft.com) and
 * Global Discovery (discovery_resource or https://globaldisco.crm.dynamics.com). A Dataverse
 * resource is the instance Url itself. */
const char *conf_graph_resource(const struct conf_profile *p);
const char *conf_discovery_resource(const struct conf_profile *p);
void conf_free(struct conf *conf);

#endif
