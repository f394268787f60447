/* The public side of sign-in (auth.h): attaching a profile's sign-in to a transport as its token
 * source, signing in and out on demand, and who is signed in. The top of src/auth: the flows are
 * in auth.c, what is kept on disk in authstore.c. */
#include "config.h"
#include "auth/authint.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct auth *auth_of(const struct net *net)
{
	return net_token_source_user(net, &auth_token_source);
}

int auth_attach(struct net *net, const struct conf_profile *p, const struct auth_opts *o, struct cs_error *err)
{
	struct auth *a = auth_new(net, p, o, err);
	if (!a)
		return -1;
	net_set_token_source(net, &auth_token_source, a);
	return 0;
}

struct net *auth_net_open(const struct conf_profile *p, const struct net_opts *nopts, const struct auth_opts *o,
			  struct cs_error *err)
{
	const struct net_service services[] = {
		{ p->authority ? p->authority : CONF_DEFAULT_AUTHORITY, "Entra ID", "entra" },
		{ p->graph ? p->graph : CONF_DEFAULT_GRAPH, "Graph", "graph" },
		{ p->discovery ? p->discovery : CONF_DEFAULT_DISCOVERY, "Global Discovery", "discovery" },
	};
	struct net_config cfg = {
		.name = p->name ? p->name : "default",
		.ca_file = p->ca_file,
		.services = services,
		.n_services = sizeof services / sizeof *services,
	};
	struct net *net = net_open(&cfg, nopts, err);
	if (net && auth_attach(net, p, o, err) != 0) {
		net_close(net);
		return NULL;
	}
	return net;
}

const struct conf_profile *auth_profile(const struct net *net)
{
	struct auth *a = auth_of(net);
	return a ? a->p : NULL;
}

char *auth_cache_path(const struct net *net)
{
	struct auth *a = auth_of(net);
	return xstrdup(a ? a->cache_path : "");
}

static int not_attached(struct cs_error *err)
{
	return cs_fail(err, CS_EXIT_USAGE, _("internal error: this transport has no sign-in attached"));
}

static char *resource_or_graph(const struct auth *a, const char *resource)
{
	return text_without_slashes(resource ? resource : conf_graph_resource(a->p));
}

struct settle_ctx {
	struct auth *a;
	const char *resource;
};

static bool settled(void *ctx)
{
	struct settle_ctx *s = ctx;
	struct tok *t = auth_tok_find(s->a, s->resource);
	return !t || !t->fetching;
}

/* Signs in for resource and returns its token state, or NULL with err. */
static struct tok *signed_in(struct net *net, struct auth *a, const char *res, struct cs_error *err)
{
	auth_new_run(a);
	const char *token = NULL;
	int rc = auth_token(a, res, &token, err);
	if (rc < 0)
		return NULL;
	if (rc > 0) {
		struct settle_ctx s = { a, res };
		if (net_wait(net, settled, &s, err) != 0)
			return NULL;
	}
	struct tok *t = auth_tok_find(a, res);
	if (t && t->access)
		return t;
	if (t && t->failed)
		*err = t->err;
	else
		cs_fail(err, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" did not complete"), a->p->name);
	return NULL;
}

int auth_sign_in(struct net *net, const char *resource, struct cs_error *err)
{
	struct auth *a = auth_of(net);
	if (!a)
		return not_attached(err);
	char *res = resource_or_graph(a, resource);
	struct tok *t = signed_in(net, a, res, err);
	free(res);
	return t ? 0 : -1;
}

/* An app's user in a Dataverse environment, as Dataverse sees it: WhoAmI's UserId (the
 * application user's systemuserid), into out->object_id. Best effort: the app's identity is its
 * client_id either way. */
static void app_user(struct net *net, const struct auth *a, const char *res, struct auth_identity *out)
{
	char *graph = resource_or_graph(a, NULL), *disco = resource_or_graph(a, conf_discovery_resource(a->p));
	bool dataverse = strcasecmp(res, graph) != 0 && strcasecmp(res, disco) != 0;
	free(graph);
	free(disco);
	if (!dataverse)
		return;
	static const char *const headers[] = { "Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0",
					       NULL };
	char *url = xasprintf("%s/api/data/v9.2/WhoAmI", res);
	struct net_result r;
	struct cs_error e;
	if (net_fetch(net, &(struct net_request){ .url = url, .headers = headers, .resource = res, .service = "Dataverse" },
		      &r, &e) == 0) {
		cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
		const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "UserId"));
		if (uid && *uid)
			out->object_id = text_sanitize(uid);
		cJSON_Delete(j);
	} else {
		log_info("profile %s: WhoAmI did not say which application user the app is: %s", a->p->name, e.msg);
	}
	net_result_free(&r);
	free(url);
}

int auth_identity(struct net *net, const char *resource, struct auth_identity *out, struct cs_error *err)
{
	memset(out, 0, sizeof *out);
	struct auth *a = auth_of(net);
	if (!a)
		return not_attached(err);
	char *res = resource_or_graph(a, resource);
	struct tok *t = signed_in(net, a, res, err);
	int rc = t ? authstore_identity(a->p, a->id_token, out, err) : -1;
	if (rc == 0 && !out->delegated)
		app_user(net, a, res, out);
	free(res);
	return rc;
}

int auth_sign_out(struct net *net, struct cs_error *err)
{
	struct auth *a = auth_of(net);
	if (!a)
		return not_attached(err);
	/* Requests waiting for the person must not wait for ever. */
	struct cs_error e;
	cs_fail(&e, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" was abandoned: signed out"), a->p->name);
	auth_forget(a, &e);
	a->cache_read = true; /* nothing to read back: the file is gone */
	return authstore_delete(a->cache_path, err);
}

void auth_set_prompt(struct net *net, auth_prompt_fn fn, void *user)
{
	struct auth *a = auth_of(net);
	if (a) {
		a->prompt = fn ? fn : authstore_print_prompt;
		a->prompt_user = user;
	}
}

void auth_set_passphrase(struct net *net, auth_passphrase_fn fn, void *user)
{
	struct auth *a = auth_of(net);
	if (a) {
		a->passphrase = fn ? fn : authstore_tty_passphrase;
		a->passphrase_user = user;
	}
}

void auth_set_paste(struct net *net, auth_paste_fn fn, void *user)
{
	struct auth *a = auth_of(net);
	if (a) {
		a->paste = fn ? fn : browser_tty_paste;
		a->paste_user = user;
	}
}
