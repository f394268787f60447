#include "config.h"
#include "fake.h"
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fake {
	struct MHD_Daemon *d;
	fake_handler h;
	void *user;
	char base[64];
	pthread_mutex_t lock;
	int requests, active, max_active, connections;
};

struct conn_state {
	char *body;
	size_t len;
};

static void add_body(struct conn_state *st, const char *data, size_t n)
{
	st->body = realloc(st->body, st->len + n + 1);
	memcpy(st->body + st->len, data, n);
	st->len += n;
	st->body[st->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct fake *f = cls;
	struct conn_state *st = *con_cls;
	if (!st) {
		*con_cls = calloc(1, sizeof *st);
		return MHD_YES;
	}
	if (*upload_size) {
		add_body(st, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&f->lock);
	int seq = ++f->requests;
	if (++f->active > f->max_active)
		f->max_active = f->active;
	pthread_mutex_unlock(&f->lock);
	struct fake_req req = { method, url, st->body ? st->body : "", st->len, c, seq };
	struct fake_resp *resp = calloc(1, sizeof *resp);
	resp->status = 200;
	f->h(&req, resp, f->user);
	if (resp->sleep_ms)
		usleep((useconds_t)resp->sleep_ms * 1000);
	pthread_mutex_lock(&f->lock);
	f->active--;
	pthread_mutex_unlock(&f->lock);
	if (resp->status == FAKE_CLOSE) {
		free(resp);
		return MHD_NO;
	}
	struct MHD_Response *r;
	if (resp->big) {
		char *big = malloc(resp->big);
		memset(big, 'x', resp->big);
		r = MHD_create_response_from_buffer(resp->big, big, MHD_RESPMEM_MUST_FREE);
	} else {
		r = MHD_create_response_from_buffer(strlen(resp->body), resp->body, MHD_RESPMEM_MUST_COPY);
	}
	for (int i = 0; i < resp->n_headers; i++) {
		char *colon = strchr(resp->headers[i], ':');
		*colon = '\0';
		MHD_add_response_header(r, resp->headers[i], colon + 1 + (colon[1] == ' '));
	}
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	free(resp);
	return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;
	if (st) {
		free(st->body);
		free(st);
	}
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct fake *f = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&f->lock);
		f->connections++;
		pthread_mutex_unlock(&f->lock);
	}
}

int fake_connections(const struct fake *f)
{
	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	int n = f->connections;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return n;
}

struct fake *fake_start(fake_handler h, void *user, const char *cert_pem, const char *key_pem)
{
	struct fake *f = calloc(1, sizeof *f);
	f->h = h;
	f->user = user;
	pthread_mutex_init(&f->lock, NULL);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	if (cert_pem)
		flags |= MHD_USE_TLS;
	if (cert_pem)
		f->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR, &sa,
					MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_NOTIFY_CONNECTION,
					on_connection, f, MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
					MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
	else
		f->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR, &sa,
					MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_NOTIFY_CONNECTION,
					on_connection, f, MHD_OPTION_END);
	cr_assert_not_null(f->d, "cannot start the test server");
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(f->base, sizeof f->base, "%s://127.0.0.1:%u", cert_pem ? "https" : "http", info->port);
	return f;
}

const char *fake_base(const struct fake *f) { return f->base; }

int fake_requests(const struct fake *f)
{
	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	int n = f->requests;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return n;
}

int fake_max_concurrent(const struct fake *f)
{
	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	int n = f->max_active;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return n;
}

void fake_stop(struct fake *f)
{
	if (!f)
		return;
	MHD_stop_daemon(f->d);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

const char *fake_header(const struct fake_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void fake_add_header(struct fake_resp *resp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(resp->headers[resp->n_headers++], sizeof resp->headers[0], fmt, ap);
	va_end(ap);
}

void fake_json(struct fake_resp *resp, int status, const char *fmt, ...)
{
	resp->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(resp->body, sizeof resp->body, fmt, ap);
	va_end(ap);
	fake_add_header(resp, "Content-Type: application/json");
}

/* ---- keys and certificates ---- */

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	cr_assert_not_null(k);
	return k;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
		      const char *san)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	static long serial = 1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (san) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	cr_assert(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

static char *pem_cert(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = strndup(data, (size_t)n);
	BIO_free(b);
	return s;
}

static char *pem_key(EVP_PKEY *k, const char *pass)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (pass)
		PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), pass, (int)strlen(pass), NULL, NULL);
	else
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = strndup(data, (size_t)n);
	BIO_free(b);
	return s;
}

void fake_make_pki(struct fake_pki *pki)
{
	EVP_PKEY *ca_key = new_key(), *leaf_key = new_key();
	static int n;
	char cn[64];
	snprintf(cn, sizeof cn, "chatsync test CA %d", ++n); /* distinct names: distinct issuers */
	X509 *ca = new_cert(ca_key, cn, NULL, NULL, true, NULL);
	X509 *leaf = new_cert(leaf_key, "127.0.0.1", ca, ca_key, false, "IP:127.0.0.1,DNS:localhost");
	pki->ca_cert = pem_cert(ca);
	pki->leaf_cert = pem_cert(leaf);
	pki->leaf_key = pem_key(leaf_key, NULL);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
}

void fake_free_pki(struct fake_pki *pki)
{
	free(pki->ca_cert);
	free(pki->leaf_cert);
	free(pki->leaf_key);
}

char *fake_make_client_pem(const char *key_pass, char **cert_only)
{
	EVP_PKEY *k = new_key();
	X509 *x = new_cert(k, "chatsync test client", NULL, NULL, false, NULL);
	char *c = pem_cert(x), *key = pem_key(k, key_pass);
	size_t n = strlen(c) + strlen(key) + 1;
	char *both = malloc(n);
	snprintf(both, n, "%s%s", key, c); /* key first: the loader must not care about order */
	if (cert_only)
		*cert_only = c;
	else
		free(c);
	free(key);
	X509_free(x);
	EVP_PKEY_free(k);
	return both;
}
