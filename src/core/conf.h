/* The config file (DESIGN.md "Config file"): INI, one [profile NAME] section per tenant, the first
 * profile is the default. Parsing is pure; permission checks live in core/paths.h. */
#ifndef CHATSYNC_CONF_H
#define CHATSYNC_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include "core/error.h"

enum conf_auth { CONF_AUTH_DEVICE_CODE, CONF_AUTH_CLIENT_SECRET, CONF_AUTH_CERTIFICATE };

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
	char *authority;          /* no trailing slash */
	char *graph;
	char *graph_resource;     /* scope resource for Graph; default the public one */
	char *discovery;
	char *discovery_resource;
	char *ca_file;
	char *chat_sync_app;
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
/* Reads and parses a file; a missing file is an error naming the path. */
int conf_load(struct conf *conf, const char *path, struct cs_error *err);
/* The named profile, or the first when name is NULL; NULL with err filled when absent. */
const struct conf_profile *conf_profile(const struct conf *conf, const char *name, struct cs_error *err);
/* Checks that a profile has what its auth method needs (tenant, client_id, secret file...). */
int conf_profile_validate(const struct conf_profile *p, struct cs_error *err);
const char *conf_auth_name(enum conf_auth auth);
void conf_free(struct conf *conf);

#endif
