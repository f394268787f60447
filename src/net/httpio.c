/* One attempt of one request on a curl easy handle: the options that make every transfer safe
 * (verification on, ca_file added to the trust store, protocols, timeouts, size cap), capture of
 * headers and body, the TRACE log, and what a curl failure means to the user and to the retry
 * policy. The loop that schedules attempts is in httploop.c; this file calls only netreq.c below it. */
#include "config.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "net/netint.h"
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#define TRACE_BODY_MAX 4096
#define MAX_RESPONSE_HEADERS 256

int netio_load_ca(const char *path, void **out, struct cs_error *err)
{
	*out = NULL;
	BIO *bio = BIO_new_file(path, "r");
	if (!bio) {
		ERR_clear_error();
		return cs_fail(err, CS_EXIT_USAGE, _("cannot read ca_file %s: %m (fix the path in the profile)"), path);
	}
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509 *x;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(certs, x);
	BIO_free(bio);
	ERR_clear_error();
	if (sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		return cs_fail(err, CS_EXIT_USAGE,
			       _("ca_file %s holds no PEM certificate (point it at the CA certificate, -----BEGIN CERTIFICATE-----)"),
			       path);
	}
	*out = certs;
	return 0;
}

/* Whether dir holds OpenSSL's hashed names (<8 hex digits>.<n>, as c_rehash and
 * update-ca-certificates make them): the lookup by issuer needs them. */
static bool hashed_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	for (struct dirent *de; !found && (de = readdir(d)) != NULL;) {
		const char *n = de->d_name;
		size_t hex = strspn(n, "0123456789abcdef");
		found = hex == 8 && n[8] == '.' && n[9] >= '0' && n[9] <= '9';
	}
	closedir(d);
	return found;
}

/* How the system's trust reaches each connection (curl makes an SSL_CTX per connection). curl's
 * defaults are both a CA file and a CA directory on Debian: the bundle and the directory it is made
 * from. Given both, curl parses the whole bundle again for every new connection (its cache of the
 * parsed store needs the file alone); given the file alone, it parses it once per transport, 20-50
 * ms of CPU on the loop's one thread before the first handshake. Given the hashed directory alone,
 * OpenSSL reads only the issuer a chain needs, when it needs it: the same trust, nothing parsed
 * up front. The bundle alone where there is no hashed directory. */
enum netio_trust netio_system_trust(void)
{
	CURL *e = curl_easy_init();
	char *dir = NULL, *bundle = NULL;
	enum netio_trust t = NETIO_TRUST_DEFAULT;
	if (e && curl_easy_getinfo(e, CURLINFO_CAPATH, &dir) == CURLE_OK && dir && hashed_dir(dir))
		t = NETIO_TRUST_DIR;
	else if (e && curl_easy_getinfo(e, CURLINFO_CAINFO, &bundle) == CURLE_OK && bundle && access(bundle, R_OK) == 0)
		t = NETIO_TRUST_BUNDLE;
	curl_easy_cleanup(e);
	return t;
}

void netio_free_ca(void *ca)
{
	if (ca)
		sk_X509_pop_free((STACK_OF(X509) *)ca, X509_free);
}

/* curl has set the system's trust up in the new connection's SSL_CTX; add ca_file's
 * certificates to it. CURLOPT_CAINFO would replace the store instead, and a corporate TLS proxy's
 * CA must not cost the user every public root. */
static CURLcode add_ca(CURL *curl, void *sslctx, void *parm)
{
	STACK_OF(X509) *certs = parm;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
	for (int i = 0; i < sk_X509_num(certs); i++)
		X509_STORE_add_cert(store, sk_X509_value(certs, i)); /* a duplicate is not an error */
	ERR_clear_error();
	return CURLE_OK;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct net_req *r = ud;
	size_t len = size * n;
	r->last_byte = net_now();
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new status line: headers of an interim (100) answer are not the final ones. */
		for (size_t i = 0; i < r->n_rhdrs; i++) {
			free(r->rhdrs[i].name);
			free(r->rhdrs[i].value);
		}
		r->n_rhdrs = 0;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon || colon == data || r->n_rhdrs >= MAX_RESPONSE_HEADERS)
		return len;
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (r->n_rhdrs == r->cap_rhdrs) {
		r->cap_rhdrs = r->cap_rhdrs ? r->cap_rhdrs * 2 : 16;
		r->rhdrs = xrealloc(r->rhdrs, r->cap_rhdrs * sizeof *r->rhdrs);
	}
	r->rhdrs[r->n_rhdrs].name = xstrndup(data, (size_t)(colon - data));
	r->rhdrs[r->n_rhdrs].value = xstrndup(v, (size_t)(end - v));
	r->n_rhdrs++;
	return len;
}

/* curl is about to send the request: the connection is up (a new one has done its handshake). */
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	(void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
	struct net_req *r = ud;
	pace_sent(&r->chain, net_now());
	return CURL_PREREQFUNC_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct net_req *r = ud;
	size_t len = size * n;
	r->last_byte = net_now();
	/* The cap applies to decoded bytes: a small compressed answer may inflate. */
	if (r->rbody.len + len > r->max_body) {
		r->too_big = true;
		return 0;
	}
	buf_add(&r->rbody, data, len);
	return len;
}

static bool has_header(const struct net_req *r, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < r->n_headers; i++)
		if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
			return true;
	return false;
}

static void set_method(CURL *e, const struct net_req *r)
{
	const char *body = r->body ? r->body : "";
	if (strcasecmp(r->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcasecmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		if (strcasecmp(r->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
		if (r->body || strcasecmp(r->method, "POST") == 0) {
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		}
	}
}

CURL *netio_easy(const struct net_io *io, struct net_req *r, const char *token)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	const struct net_opts *o = io->opts;
	r->errbuf[0] = '\0';
	r->max_body = o->max_response;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	/* http is there for loopback only: net_url_allowed vetted this URL, and redirects are
	 * followed by httploop.c under netreq_redirect_policy. */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (io->trust == NETIO_TRUST_DIR)
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
	else if (io->trust == NETIO_TRUST_BUNDLE)
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	if (io->extra_ca) {
		curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, add_ca);
		curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, io->extra_ca);
		/* The cached store (above) is kept per multi handle, that is per transport, and every
		 * request of a transport adds the same certificates: it is the store each connection
		 * would build. */
	}
	curl_easy_setopt(e, CURLOPT_SHARE, io->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	/* A server that trickles its answer (2 bytes/s) passes a 1 byte/s check for ever. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->request_timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response);
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	/* Pacing charged the request when it started; when it really leaves is known only here. */
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, r);
	set_method(e, r);

	char line[96];
	snprintf(line, sizeof line, "client-request-id: %s", r->crid);
	struct curl_slist *sl = curl_slist_append(NULL, line);
	for (size_t i = 0; i < r->n_headers; i++)
		sl = curl_slist_append(sl, r->headers[i]);
	if (r->body && !has_header(r, "Content-Type"))
		sl = curl_slist_append(sl, "Content-Type: application/json");
	if (!has_header(r, "Accept"))
		sl = curl_slist_append(sl, "Accept: application/json");
	if (r->retries > 0) {
		snprintf(line, sizeof line, "Retry-Attempt: %d", r->retries);
		sl = curl_slist_append(sl, line);
	}
	sl = curl_slist_append(sl, "Expect:"); /* no 100-continue round trip for bodies */
	if (token) {
		char *auth = xasprintf("Authorization: Bearer %s", token);
		sl = curl_slist_append(sl, auth);
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
		r->token_used = xstrdup(token);
	}
	r->slist = sl;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, sl);
	r->easy = e;
	return e;
}

enum retry_failure netio_classify(CURLcode rc, const struct net_req *r, long request_size)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return RETRY_FAIL_BEFORE_SEND;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_WEIRD_SERVER_REPLY:
		/* Nothing of the request left us: the server cannot have acted on it. */
		return request_size > 0 ? RETRY_FAIL_AFTER_SEND : RETRY_FAIL_BEFORE_SEND;
	default:
		/* DNS failures are usually a wrong endpoint, certificates and size caps do not
		 * change by waiting: retrying would only delay the message. */
		return RETRY_FAIL_FATAL;
	}
}

void netio_explain(CURLcode rc, const struct net_req *r, const char *ca_file, const char *profile, char *why,
		   size_t why_n, char *hint, size_t hint_n)
{
	const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
	hint[0] = '\0';
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(why, why_n, _("cannot resolve the host name (%s)"), detail);
		snprintf(hint, hint_n, _("check the network, DNS, and the endpoints of profile \"%s\""), profile);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(why, why_n, _("cannot resolve the proxy (%s)"), detail);
		snprintf(hint, hint_n, _("check https_proxy and no_proxy"));
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(why, why_n, _("cannot connect (%s)"), detail);
		snprintf(hint, hint_n, _("check the network, and https_proxy/no_proxy if a proxy is needed"));
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(why, why_n, _("the server's TLS certificate is not trusted (%s)"), detail);
		if (ca_file)
			snprintf(hint, hint_n,
				 _("ca_file %s of profile \"%s\" does not vouch for it either: point ca_file at the CA "
				   "certificate that signs this server"),
				 ca_file, profile);
		else
			snprintf(hint, hint_n,
				 _("if a TLS-inspecting proxy or the chatsync sandbox signs it, set ca_file in profile "
				   "\"%s\" to that CA certificate"),
				 profile);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(why, why_n, _("the TLS handshake failed (%s)"), detail);
		snprintf(hint, hint_n, _("a TLS-inspecting proxy may be in the way"));
		break;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(why, why_n, _("cannot load the system's trusted certificates (%s)"), detail);
		snprintf(hint, hint_n, _("install the ca-certificates package"));
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(why, why_n, _("timed out (%s)"), detail);
		snprintf(hint, hint_n, _("the service or the network is slow: try again later"));
		break;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (r->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(why, why_n, _("the answer is larger than the %zu MiB cap"), r->max_body >> 20);
			snprintf(hint, hint_n, _("ask for smaller pages"));
			break;
		}
		/* fall through */
	default:
		if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
		    rc == CURLE_PARTIAL_FILE || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM) {
			snprintf(why, why_n, _("the connection broke (%s)"), detail);
			snprintf(hint, hint_n, _("try again later"));
		} else {
			snprintf(why, why_n, "%s", detail);
		}
		break;
	}
}

/* One log line per body: control characters are escaped so a multi-line answer stays readable
 * and cannot forge log lines. */
static void trace_body(const char *dir, const char *body, size_t len)
{
	if (!body || !len)
		return;
	size_t shown = len > TRACE_BODY_MAX ? TRACE_BODY_MAX : len;
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)body[i];
		if (c == '\n')
			buf_adds(&b, "\\n");
		else if (c == '\r')
			buf_adds(&b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_add(&b, &body[i], 1);
	}
	char *clean = text_sanitize(b.data ? b.data : ""); /* no bidi override or invalid UTF-8 either */
	log_trace("%s   %s%s", dir, clean, len > TRACE_BODY_MAX ? " [...]" : "");
	free(clean);
	buf_free(&b);
}

void netio_trace_request(const struct net_req *r)
{
	if (!log_enabled(LOG_TRACE))
		return;
	log_trace("> %s %s (client-request-id %s, attempt %d)", r->method, r->url, r->crid, r->attempts);
	for (const struct curl_slist *s = r->slist; s; s = s->next)
		log_trace(">   %s", s->data); /* log_redact hides the Authorization value */
	trace_body(">", r->body, r->body_len);
}

void netio_trace_response(const struct net_req *r, long status, CURLcode rc)
{
	if (!log_enabled(LOG_TRACE))
		return;
	double ms = (net_now() - r->attempt_start) * 1000;
	if (rc != CURLE_OK)
		log_trace("< %s %s failed after %.0f ms: %s (client-request-id %s)", r->method, r->url, ms,
			  r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc), r->crid);
	else
		log_trace("< %ld %s %s (%.0f ms, %zu bytes, client-request-id %s)", status, r->method, r->url, ms,
			  r->rbody.len, r->crid);
	for (size_t i = 0; i < r->n_rhdrs; i++) { /* a server's header could carry an escape sequence */
		char *n = text_sanitize(r->rhdrs[i].name), *v = text_sanitize(r->rhdrs[i].value);
		log_trace("<   %s: %s", n, v);
		free(n);
		free(v);
	}
	trace_body("<", r->rbody.data, r->rbody.len);
}

const char *netio_request_id(const struct net_req *r)
{
	static const char *const names[] = { "request-id", "x-ms-service-request-id", "x-ms-request-id" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = net_header_get(r->rhdrs, r->n_rhdrs, names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}
