/* The transport's front door: opening and closing it, queueing requests, the blocking fetch,
 * stats. The top of src/net: the loop that runs requests is in httploop.c, one attempt on curl in
 * httpio.c, the URL and redirect policy in netreq.c. */
#include "config.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "net/neterr.h"
#include "net/netint.h"
#include "net/pace.h"
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

/* ---- open/close ---- */

static void set_defaults(struct net_opts *o)
{
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = 10000;
	if (o->low_speed_time_s <= 0)
		o->low_speed_time_s = 30;
	if (o->low_speed_bytes <= 0)
		o->low_speed_bytes = 64;
	if (o->request_timeout_ms <= 0)
		o->request_timeout_ms = 600000;
	if (!(o->deadline_s > 0))
		o->deadline_s = 4 * 3600;
	if (o->max_response == 0)
		o->max_response = (size_t)64 << 20;
	if (!(o->retry_scale > 0))
		o->retry_scale = 1.0;
	if (!(o->pace_scale > 0))
		o->pace_scale = 1.0;
}

struct net *net_open(const struct net_config *cfg, const struct net_opts *opts, struct cs_error *err)
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
	net->name = xstrdup(cfg && cfg->name ? cfg->name : "default");
	net->ca_file = cfg ? xstrdup(cfg->ca_file) : NULL;
	if (cfg && cfg->n_services) {
		net->svcs = xcalloc(cfg->n_services, sizeof *net->svcs);
		for (size_t i = 0; i < cfg->n_services; i++) {
			const struct net_service *sv = &cfg->services[i];
			net->svcs[i].url = text_without_slashes(sv->url ? sv->url : "");
			net->svcs[i].name = xstrdup(sv->name ? sv->name : "");
			net->svcs[i].bucket = xstrdup(sv->bucket);
		}
		net->n_svcs = cfg->n_services;
	}
	if (opts)
		net->opts = *opts;
	set_defaults(&net->opts);
	retry_policy_default(&net->policy, net->opts.retry_scale);
	if (net->opts.max_retries > 0)
		net->policy.max_retries = net->opts.max_retries;
	else if (net->opts.max_retries < 0)
		net->policy.max_retries = net->policy.max_retries_throttled = 0;
	uint64_t seed = 0;
	if (RAND_bytes((unsigned char *)&seed, sizeof seed) != 1 || !seed)
		seed = (uint64_t)time(NULL) * 2654435761u + 1;
	net->rng = seed;

	for (size_t i = 0; i < net->n_svcs; i++) {
		if (net_url_allowed(net->svcs[i].url, err) != 0)
			goto fail;
	}
	if (net->ca_file && netio_load_ca(net->ca_file, &net->io.extra_ca, err) != 0)
		goto fail;
	net->io.opts = &net->opts;
	net->io.ca_file = net->ca_file;
	net->io.trust = netio_system_trust();
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
	/* The pacer caps a host at 64 requests in flight (pace.c, "host:*"); curl's cap is the same, so
	 * that no request the pacer let go waits in curl's own queue, where pacing cannot see it. With
	 * HTTP/2 they share a connection or a few; over HTTP/1.1 each has one. */
	curl_multi_setopt(net->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)PACE_HOST_CONCURRENCY);
	curl_multi_setopt(net->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, 100L);
	/* curl's default keeps 4 idle connections per transfer running, so a lull (a paced bucket
	 * waiting for its window) closes connections the next requests must open again, each a
	 * handshake and a send later than pacing counted it. */
	curl_multi_setopt(net->multi, CURLMOPT_MAXCONNECTS, 256L);
	net->pace = pace_new(net->opts.pace_scale);
	return net;
fail:
	net_close(net);
	return NULL;
}

void net_close(struct net *net)
{
	if (!net)
		return;
	if (net->multi)
		netloop_cancel_all(net);
	netloop_drop_token_source(net);
	netsched_free(&net->sched);
	if (net->multi)
		curl_multi_cleanup(net->multi);
	if (net->share)
		curl_share_cleanup(net->share);
	netio_free_ca(net->io.extra_ca);
	pace_free(net->pace);
	for (size_t i = 0; i < net->n_svcs; i++) {
		free(net->svcs[i].url);
		free(net->svcs[i].name);
		free(net->svcs[i].bucket);
	}
	free(net->svcs);
	free(net->name);
	free(net->ca_file);
	free(net);
}

/* ---- queueing ---- */

static bool has_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 && (s[n] == '/' || s[n] == '\0' || s[n] == '?');
}

/* A Dataverse request's default bucket: its environment, the instance Url before /api/data/
 * without the scheme (Dataverse limits are per environment, and environments may share a host). */
static char *dataverse_bucket(const char *url)
{
	const char *inst = strstr(url, "://");
	inst = inst ? inst + 3 : url;
	const char *api = strstr(inst, "/api/data/");
	return xasprintf("dataverse:%.*s", (int)(api ? api - inst : (ptrdiff_t)strcspn(inst, "/?")), inst);
}

/* The known service a URL is under, or NULL. */
static const struct net_svc *service_for(const struct net *net, const char *url)
{
	for (size_t i = 0; i < net->n_svcs; i++)
		if (*net->svcs[i].url && has_prefix(url, net->svcs[i].url))
			return &net->svcs[i];
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
	long port;
	netreq_url_origin(q->url, &scheme, &r->host, &port);
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
	r->resource = q->resource ? text_without_slashes(q->resource) : NULL;
	const struct net_svc *svc = service_for(net, q->url);
	bool dataverse = !svc && strstr(q->url, "/api/data/");
	const char *service = q->service ? q->service : svc ? svc->name : dataverse ? "Dataverse" : NULL;
	r->service = xstrdup(service ? service : r->host);
	/* Requests that name no bucket are still paced by their service's documented limits. */
	r->bucket = q->bucket	  ? xstrdup(q->bucket)
		    : svc	  ? xstrdup(svc->bucket)
		    : dataverse ? dataverse_bucket(q->url)
				  : NULL;
	r->needs = xstrdup(q->needs);
	r->flags = q->flags;
	r->done = q->done;
	r->user = q->user;
	net_guid(r->crid, sizeof r->crid);
	pace_chain(net->pace, r->bucket, r->host, &r->chain);
	r->not_before = net_now() + (q->delay_s > 0 ? q->delay_s : 0);
	netloop_add(net, r);
	atomic_fetch_add(&net->n_queued, 1);
	netloop_ask_token(net, r);
	return 0;
}

int net_ask_token(struct net *net, const char *resource)
{
	if (net->cancelling || (net->opts.cancel && *net->opts.cancel))
		return -1;
	if (!resource)
		return 0;
	struct net_req r = { .resource = text_without_slashes(resource) }; /* as net_queue names it */
	int rc = netloop_ask_token(net, &r);
	free(r.resource);
	return rc;
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
	if (net_queue(net, &q, err) != 0) /* on an idle transport, a new run */
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

void net_stats_get(const struct net *net, struct net_stats *out)
{
	out->queued = atomic_load(&net->n_queued);
	out->sent = atomic_load(&net->n_sent);
	out->done = atomic_load(&net->n_done);
	out->throttled = atomic_load(&net->n_throttled);
	out->retried = atomic_load(&net->n_retried);
	out->errors = atomic_load(&net->n_errors);
	out->tokens = atomic_load(&net->n_tokens);
	out->scheduler_checks = atomic_load(&net->sched.checks);
}

void net_pace_rule(struct net *net, const char *pattern, double rps, double burst, int concurrency)
{
	pace_rule(net->pace, pattern, rps, burst, concurrency);
}

