/* Keys and certificates. The TLS pair (a CA and a leaf for 127.0.0.1/localhost) uses P-256, made
 * in well under a millisecond, so the server is up at once. The RSA keys (token signing, and the
 * client certificate of the certificate profile) take 50-250 ms each, so a background thread
 * makes them while the server starts; whoever needs them waits with sb_keys_wait. */
#ifndef CHATSYNC_SANDBOX_TLS_H
#define CHATSYNC_SANDBOX_TLS_H
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct sb_keys {
	char *server_cert_pem, *server_key_pem;  /* PEM text handed to libmicrohttpd */
	char *ca_path;                           /* the CA file clients trust */

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started, ready;
	EVP_PKEY *signing;           /* signs access tokens (RS256) */
	char signing_kid[64];        /* base64url SHA-1 of its public key DER, the token header's kid */
	EVP_PKEY *client_key;
	X509 *client_cert;           /* the registered certificate of the certificate profile */
	char *client_x5t, *client_x5t_s256;
	char *client_pem_path;       /* written 0600: certificate then key */
	char error[256];             /* set if the background work failed */
};

/* Makes (or, with cert_file/key_file, loads) the TLS pair and writes DIR/ca.pem. 0 or -1. */
int sb_keys_tls(struct sb_keys *k, const char *dir, const char *cert_file, const char *key_file, char *err,
		size_t errlen);
/* Starts the RSA work; client.pem goes to client_pem_path. */
void sb_keys_start_rsa(struct sb_keys *k, const char *client_pem_path);
/* Waits until the RSA keys exist. Returns 0, or -1 if making them failed (error says why). */
int sb_keys_wait(struct sb_keys *k);
void sb_keys_free(struct sb_keys *k);

/* base64url thumbprint (SHA-1 or SHA-256) of a certificate's DER. Caller owns. */
char *sb_cert_thumbprint(X509 *cert, bool sha256);

#endif
