/* A request and its URL, at the bottom of the transport: the URL policy (HTTPS, plain http only to
 * loopback), the one redirect policy, origins, headers, the monotonic clock, request ids, and
 * freeing a request's attempt. Calls nothing else of src/net. */
#include "config.h"
#include "base/i18n.h"
#include "net/netint.h"
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

double net_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *net_guid(char *buf, size_t n)
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1) {
		/* The CSPRNG failing is not a reason to stop a request; ids only need to be unique. */
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return buf;
}

char *net_form_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s ? s : "", 0);
	char *copy = xstrdup(e ? e : "");
	curl_free(e);
	return copy;
}

const char *net_header_get(const struct net_header *h, size_t n, const char *name)
{
	const char *found = NULL;
	for (size_t i = 0; h && i < n; i++)
		if (strcasecmp(h[i].name, name) == 0)
			found = h[i].value;
	return found;
}

/* ---- URLs ---- */

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

int netreq_url_origin(const char *url, char **scheme, char **host, long *port)
{
	*scheme = *host = NULL;
	*port = 0;
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL, *p = NULL;
	int rc = -1;
	if (u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		*scheme = xstrdup(s);
		*host = xstrdup(h);
		*port = strtol(p, NULL, 10);
		rc = 0;
	}
	curl_free(s);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

int net_url_allowed(const char *url, struct cs_error *err)
{
	char *scheme, *host;
	long port;
	if (!url || netreq_url_origin(url, &scheme, &host, &port) != 0)
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

bool net_same_origin(const char *a, const char *b)
{
	char *sa, *ha, *sb, *hb;
	long pa, pb;
	if (netreq_url_origin(a, &sa, &ha, &pa) != 0)
		return false;
	bool same = false;
	if (netreq_url_origin(b, &sb, &hb, &pb) == 0) {
		same = strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 && pa == pb;
		free(sb);
		free(hb);
	}
	free(sa);
	free(ha);
	return same;
}

/* The one redirect policy. A body is never sent again to wherever a server points (the token
 * POST carries the client secret, a PATCH the change); a 303 that turns a POST into a GET is
 * refused as well, since the body was meant for the first address. */
const char *netreq_redirect_policy(const struct net_req *r, long status, const char *target, bool *keep_token)
{
	*keep_token = false;
	struct cs_error why;
	if (r->body || (strcasecmp(r->method, "GET") != 0 && strcasecmp(r->method, "HEAD") != 0))
		return _("a request with a body is never redirected, so that what it carries stays where it was sent");
	if (net_url_allowed(target, &why) != 0)
		return _("it is not HTTPS, and plain http is allowed only to this machine");
	if (r->redirects >= 5)
		return _("too many redirects");
	(void)status;
	/* A token belongs to one origin: another host, port or scheme gets the request without it. */
	*keep_token = net_same_origin(r->url, target);
	return NULL;
}

/* ---- a request's memory ---- */

void netreq_reset_response(struct net_req *r)
{
	for (size_t i = 0; i < r->n_rhdrs; i++) {
		free(r->rhdrs[i].name);
		free(r->rhdrs[i].value);
	}
	r->n_rhdrs = 0;
	if (r->rbody.data) /* token answers carry secrets */
		OPENSSL_cleanse(r->rbody.data, r->rbody.len);
	buf_free(&r->rbody);
	r->too_big = false;
}

void netreq_end_attempt(struct net_req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	r->easy = NULL;
	for (struct curl_slist *s = r->slist; s; s = s->next)
		OPENSSL_cleanse(s->data, strlen(s->data));
	curl_slist_free_all(r->slist);
	r->slist = NULL;
	if (r->token_used) {
		OPENSSL_cleanse(r->token_used, strlen(r->token_used));
		free(r->token_used);
		r->token_used = NULL;
	}
}

void netreq_free(struct net_req *r)
{
	netreq_end_attempt(r);
	netreq_reset_response(r);
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
