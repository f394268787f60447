/* Test helpers for src/net: a small HTTP(S) server on 127.0.0.1 whose answers each test writes
 * (libmicrohttpd, one thread per connection so a handler may stall), and OpenSSL-made keys and
 * certificates. The sandbox (src/sandbox) plays the real services; this server plays the odd
 * cases a test needs exactly: a 302 to plain http, a stall, a given Retry-After. */
#ifndef CHATSYNC_TEST_NET_FAKE_H
#define CHATSYNC_TEST_NET_FAKE_H
#include <stdbool.h>
#include <stddef.h>

#define FAKE_CLOSE (-1) /* status: close the connection without answering */

struct fake_req {
	const char *method;
	const char *path;
	const char *body; /* NUL-terminated */
	size_t body_len;
	void *conn;       /* for fake_header */
	int seq;          /* 1-based request number */
};

struct fake_resp {
	int status;
	char body[8192];
	char headers[8][256]; /* "Name: value" */
	int n_headers;
	int sleep_ms;         /* stall this long before answering */
	size_t big;           /* > 0: answer this many bytes of 'x' instead of body */
};

struct fake;
typedef void (*fake_handler)(const struct fake_req *req, struct fake_resp *resp, void *user);

/* Starts a server; tls: serve HTTPS with cert_pem/key_pem. Aborts the test on failure. */
struct fake *fake_start(fake_handler h, void *user, const char *cert_pem, const char *key_pem);
const char *fake_base(const struct fake *f); /* "http://127.0.0.1:PORT" or https */
int fake_requests(const struct fake *f);
int fake_max_concurrent(const struct fake *f);
int fake_connections(const struct fake *f); /* TCP connections accepted */
void fake_stop(struct fake *f);
const char *fake_header(const struct fake_req *req, const char *name);
void fake_add_header(struct fake_resp *resp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fake_json(struct fake_resp *resp, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* PEM text, caller frees. A CA and a leaf for 127.0.0.1/localhost signed by it; or a self-signed
 * client certificate with its key (key_pass non-NULL: the key encrypted with it). */
struct fake_pki {
	char *ca_cert, *leaf_cert, *leaf_key;
};
void fake_make_pki(struct fake_pki *pki);
void fake_free_pki(struct fake_pki *pki);
char *fake_make_client_pem(const char *key_pass, char **cert_only);

#endif
