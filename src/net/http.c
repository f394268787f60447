/* The transport's setup and front door: opening a transport for a profile, the URL policy,
 * queueing requests, the blocking helper and accessors. The loop that runs requests is in
 * httploop.c, one attempt on curl in httpio.c. */
#include "config.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "net/jwt.h"
#include "net/neterr.h"
#include "net/netint.h"
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- URL policy ---- */

static bool loopback_host(const char *host)
{
	if (strcasecmp(host, "localhost") == 0)
		return true;
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	char h6[64];
	size_t n = strlen(host);
	if (n >= 2 && n < sizeof h6 + 2 && host[0] == '[' && host[n - 1] == ']') {
		memcpy(h6, host + 1, n - 2);
		h6[n - 2] = '\0';
		struct in6_addr a6;
		return inet_pton(AF_INET6, h6, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return false;
}

/* Scheme and host of url (caller frees both), or -1 when curl cannot parse it. */
int net_url_parts(const char *url, char **scheme, char **host)
{
	*scheme = *host = NULL;
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL;
	int rc = -1;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		*scheme = xstrdup(s);
		*host = xstrdup(h);
		rc = 0;
	}
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

int net_url_allowed(const char *url, struct cs_error *err)
{
	char *scheme, *host;
	if (!url || net_url_parts(url, &scheme, &host) != 0)
		return cs_fail(err, CS_EXIT_USAGE, _("\"%s\" is not a valid URL (write it as https://host/path)"),
			       url ? url : "");
	int rc = 0;
	if (strcasecmp(scheme, "https") == 0)
		rc = 0;
	else if (strcasecmp(scheme, "http") == 0 && loopback_host(host))
		rc = 0;
	else if (strcasecmp(scheme, "http") == 0)
		rc = cs_fail(err, CS_EXIT_USAGE,
			     _("refusing plain http to %s in %s: chatsync sends only over HTTPS, plain http only to "
			       "this machine (use https://)"),
			     host, url);
	else
		rc = cs_fail(err, CS_EXIT_USAGE, _("refusing %s: only https:// URLs are allowed"), url);
	free(scheme);
	free(host);
	return rc;
}

/* ---- open/close ---- */

static char *strip_slash(const char *s)
{
	char *d = xstrdup(s);
	size_t n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

static void profile_copy(struct conf_profile *d, const struct conf_profile *s)
{
	*d = *s;
	d->name = xstrdup(s->name ? s->name : "default");
	d->tenant = xstrdup(s->tenant);
	d->client_id = xstrdup(s->client_id);
	d->client_secret_file = xstrdup(s->client_secret_file);
	d->certificate = xstrdup(s->certificate);
	d->authority = strip_slash(s->authority ? s->authority : CONF_DEFAULT_AUTHORITY);
	d->graph = strip_slash(s->graph ? s->graph : CONF_DEFAULT_GRAPH);
	d->graph_resource = xstrdup(s->graph_resource);
	d->discovery = strip_slash(s->discovery ? s->discovery : CONF_DEFAULT_DISCOVERY);
	d->discovery_resource = xstrdup(s->discovery_resource);
	d->ca_file = xstrdup(s->ca_file);
	d->chat_sync_app = xstrdup(s->chat_sync_app);
}

static void profile_free(struct conf_profile *p)
{
	char **fields[] = { &p->name, &p->tenant, &p->client_id, &p->client_secret_file, &p->certificate,
			    &p->authority, &p->graph, &p->graph_resource, &p->discovery,
			    &p->discovery_resource, &p->ca_file, &p->chat_sync_app };
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

static void set_defaults(struct net_opts *o)
{
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = 10000;
	if (o->low_speed_time_s <= 0)
		o->low_speed_time_s = 30;
	if (o->max_response == 0)
		o->max_response = (size_t)64 << 20;
	if (!(o->retry_scale > 0))
		o->retry_scale = 1.0;
	if (!(o->pace_scale > 0))
		o->pace_scale = 1.0;
}

struct net *net_open(const struct conf_profile *profile, const struct net_opts *opts, struct cs_error *err)
{
	static bool curl_ready;
	if (!curl_ready) {
		/* curl_global_init is not thread-safe before 7.84; chatsync opens transports from
		 * one thread at start, which is when this first runs. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			cs_fail(err, CS_EXIT_NETWORK, _("cannot initialise libcurl"));
			return NULL;
		}
		curl_ready = true;
	}
	/* A peer closing a connection mid-write must fail that transfer, not kill chatsync. */
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);

	struct net *net = xcalloc(1, sizeof *net);
	profile_copy(&net->prof, profile);
	if (opts)
		net->opts = *opts;
	set_defaults(&net->opts);
	retry_policy_default(&net->policy, net->opts.retry_scale);
	if (net->opts.max_retries > 0)
		net->policy.max_retries = net->opts.max_retries;
	else if (net->opts.max_retries < 0)
		net->policy.max_retries = net->policy.max_retries_throttled = 0;
	net->graph_res = strip_slash(net->prof.graph_resource ? net->prof.graph_resource : CONF_DEFAULT_GRAPH);
	net->disco_res = strip_slash(net->prof.discovery_resource ? net->prof.discovery_resource
								 : CONF_DEFAULT_DISCOVERY);
	net->token_dir = net->opts.token_dir ? xstrdup(net->opts.token_dir) : path_state_dir();
	net->opts.token_dir = NULL;
	uint64_t seed = 0;
	if (RAND_bytes((unsigned char *)&seed, sizeof seed) != 1 || !seed)
		seed = (uint64_t)time(NULL) * 2654435761u + 1;
	net->rng = seed;

	const char *endpoints[] = { net->prof.authority, net->prof.graph, net->prof.discovery };
	for (size_t i = 0; i < 3; i++) {
		if (net_url_allowed(endpoints[i], err) != 0)
			goto fail;
	}
	if (net->prof.ca_file && netio_load_ca(net->prof.ca_file, &net->io.extra_ca, err) != 0)
		goto fail;
	net->io.opts = &net->opts;
	net->io.ca_file = net->prof.ca_file;
	net->share = curl_share_init();
	net->multi = curl_multi_init();
	if (!net->share || !net->multi) {
		cs_fail(err, CS_EXIT_NETWORK, _("cannot initialise libcurl"));
		goto fail;
	}
	/* One thread drives the multi handle, so the share needs no locks; it makes TLS sessions
	 * resumable across the easy handles of successive attempts. */
	curl_share_setopt(net->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(net->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	net->io.share = net->share;
	curl_multi_setopt(net->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(net->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
	curl_multi_setopt(net->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, 100L);
	net->pace = pace_new(net->opts.pace_scale);
	net->auth = auth_new(net, &net->prof, err);
	if (!net->auth)
		goto fail;
	return net;
fail:
	net_close(net);
	return NULL;
}

void net_req_free(struct net_req *r)
{
	netio_end_attempt(r);
	netio_reset_response(r);
	free(r->rhdrs);
	if (r->body) /* a token request's body holds a secret */
		OPENSSL_cleanse(r->body, r->body_len);
	char **fields[] = { &r->method, &r->url, &r->orig_url, &r->host, &r->body, &r->bucket, &r->resource,
			    &r->service, &r->needs };
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		free(*fields[i]);
	for (size_t i = 0; i < r->n_headers; i++)
		free(r->headers[i]);
	free(r->headers);
	free(r);
}

void net_close(struct net *net)
{
	if (!net)
		return;
	if (net->multi)
		netloop_cancel_all(net);
	auth_free(net->auth);
	if (net->multi)
		curl_multi_cleanup(net->multi);
	if (net->share)
		curl_share_cleanup(net->share);
	netio_free_ca(net->io.extra_ca);
	pace_free(net->pace);
	profile_free(&net->prof);
	free(net->graph_res);
	free(net->disco_res);
	free(net->token_dir);
	free(net);
}

/* ---- queueing ---- */

static bool has_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 && (s[n] == '/' || s[n] == '\0' || s[n] == '?');
}

static const char *service_for(const struct net *net, const char *url)
{
	if (has_prefix(url, net->prof.authority))
		return "Entra ID";
	if (has_prefix(url, net->prof.graph))
		return "Graph";
	if (has_prefix(url, net->prof.discovery))
		return "Global Discovery";
	if (strstr(url, "/api/data/"))
		return "Dataverse";
	return NULL;
}

/* Requests that name no bucket are still paced by their service's documented limits. */
static char *default_bucket(const char *service, const char *host)
{
	if (!service)
		return NULL;
	if (strcmp(service, "Graph") == 0)
		return xstrdup("graph");
	if (strcmp(service, "Entra ID") == 0)
		return xstrdup("entra");
	if (strcmp(service, "Global Discovery") == 0)
		return xstrdup("discovery");
	if (strcmp(service, "Dataverse") == 0)
		return xasprintf("dataverse:%s", host);
	return NULL;
}

static int check_header(const char *h, struct cs_error *err)
{
	const char *colon = strchr(h, ':');
	if (!colon || colon == h || strpbrk(h, "\r\n"))
		return cs_fail(err, CS_EXIT_USAGE, _("malformed request header \"%s\" (write it as \"Name: value\")"), h);
	return 0;
}

int net_queue(struct net *net, const struct net_request *q, struct cs_error *err)
{
	if (net->cancelling || (net->opts.cancel && *net->opts.cancel))
		return cs_fail(err, CS_EXIT_NETWORK, _("interrupted"));
	if (!q || !q->url)
		return cs_fail(err, CS_EXIT_USAGE, _("a request needs a URL"));
	if (net_url_allowed(q->url, err) != 0)
		return -1;
	size_t n_headers = 0;
	for (const char *const *h = q->headers; h && *h; h++, n_headers++)
		if (check_header(*h, err) != 0)
			return -1;
	if (q->method && (!*q->method || strpbrk(q->method, " \r\n")))
		return cs_fail(err, CS_EXIT_USAGE, _("malformed request method \"%s\""), q->method);
	struct net_req *r = xcalloc(1, sizeof *r);
	char *scheme = NULL;
	net_url_parts(q->url, &scheme, &r->host);
	free(scheme);
	r->method = xstrdup(q->method ? q->method : "GET");
	r->url = xstrdup(q->url);
	r->orig_url = xstrdup(q->url);
	r->headers = xcalloc(n_headers + 1, sizeof *r->headers);
	for (size_t i = 0; i < n_headers; i++)
		r->headers[i] = xstrdup(q->headers[i]);
	r->n_headers = n_headers;
	if (q->body) {
		r->body_len = q->body_len ? q->body_len : strlen(q->body);
		r->body = xmalloc(r->body_len + 1);
		memcpy(r->body, q->body, r->body_len);
		r->body[r->body_len] = '\0';
	}
	r->resource = q->resource ? strip_slash(q->resource) : NULL;
	const char *service = q->service ? q->service : service_for(net, q->url);
	r->service = xstrdup(service ? service : r->host);
	r->bucket = q->bucket ? xstrdup(q->bucket) : default_bucket(service, r->host);
	r->needs = xstrdup(q->needs);
	r->flags = q->flags;
	r->done = q->done;
	r->user = q->user;
	jwt_guid(r->crid, sizeof r->crid);
	pace_chain(net->pace, r->bucket, r->host, &r->chain);
	r->not_before = net_now() + (q->delay_s > 0 ? q->delay_s : 0);
	netloop_add(net, r);
	atomic_fetch_add(&net->n_queued, 1);
	return 0;
}

/* ---- blocking helper ---- */

struct fetch_ctx {
	bool done;
	int rc;
	struct net_result *out;
	struct cs_error *err;
};

static struct net_header *copy_headers(const struct net_header *h, size_t n)
{
	struct net_header *c = xcalloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++) {
		c[i].name = xstrdup(h[i].name);
		c[i].value = xstrdup(h[i].value);
	}
	return c;
}

static void fetch_done(struct net *net, const struct net_response *resp, void *user)
{
	struct fetch_ctx *f = user;
	f->done = true;
	f->out->status = resp->status;
	f->out->body = xmalloc(resp->body_len + 1);
	memcpy(f->out->body, resp->body, resp->body_len);
	f->out->body[resp->body_len] = '\0';
	f->out->body_len = resp->body_len;
	f->out->headers = copy_headers(resp->headers, resp->n_headers);
	f->out->n_headers = resp->n_headers;
	f->out->client_request_id = xstrdup(resp->client_request_id);
	f->out->request_id = xstrdup(resp->request_id);
	if (resp->err) {
		f->rc = -1;
		if (f->err)
			*f->err = *resp->err;
	}
}

static bool fetch_is_done(void *ctx)
{
	return ((struct fetch_ctx *)ctx)->done;
}

int net_fetch(struct net *net, const struct net_request *req, struct net_result *out, struct cs_error *err)
{
	memset(out, 0, sizeof *out);
	if (net->depth > 0)
		return cs_fail(err, CS_EXIT_NETWORK,
			       _("internal error: a blocking network call was made from a completion callback"));
	struct fetch_ctx f = { .out = out, .err = err };
	struct net_request q = *req;
	q.done = fetch_done;
	q.user = &f;
	auth_new_run(net->auth);
	if (net_queue(net, &q, err) != 0)
		return -1;
	int rc = net_wait(net, fetch_is_done, &f, err);
	if (!out->body)
		out->body = xstrdup("");
	return rc != 0 ? -1 : f.rc;
}

void net_result_free(struct net_result *r)
{
	if (!r)
		return;
	free(r->body);
	for (size_t i = 0; r->headers && i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->client_request_id);
	free(r->request_id);
	memset(r, 0, sizeof *r);
}

/* ---- small services ---- */

const char *net_header_get(const struct net_header *h, size_t n, const char *name)
{
	const char *found = NULL;
	for (size_t i = 0; h && i < n; i++)
		if (strcasecmp(h[i].name, name) == 0)
			found = h[i].value;
	return found;
}

void net_stats_get(const struct net *net, struct net_stats *out)
{
	out->queued = atomic_load(&net->n_queued);
	out->sent = atomic_load(&net->n_sent);
	out->done = atomic_load(&net->n_done);
	out->throttled = atomic_load(&net->n_throttled);
	out->retried = atomic_load(&net->n_retried);
	out->errors = atomic_load(&net->n_errors);
	out->tokens = atomic_load(&net->n_tokens);
}

void net_pace_rule(struct net *net, const char *pattern, double rps, double burst, int concurrency)
{
	pace_rule(net->pace, pattern, rps, burst, concurrency);
}

const char *net_graph_resource(const struct net *net) { return net->graph_res; }
const char *net_discovery_resource(const struct net *net) { return net->disco_res; }
const struct conf_profile *net_profile(const struct net *net) { return &net->prof; }
struct auth *net_auth(struct net *net) { return net->auth; }
const char *net_token_dir(const struct net *net) { return net->token_dir; }
void net_count_token(struct net *net) { atomic_fetch_add(&net->n_tokens, 1); }
double net_retry_scale(const struct net *net) { return net->opts.retry_scale; }

char *net_form_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s ? s : "", 0);
	char *copy = xstrdup(e ? e : "");
	curl_free(e);
	return copy;
}
