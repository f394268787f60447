#include "config.h"
#include "sandbox/tls.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	return xstrndup(data, (size_t)n);
}

static char *pem_cert(X509 *c)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, c);
	char *s = bio_text(b);
	BIO_free(b);
	return s;
}

static char *pem_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	char *s = bio_text(b);
	BIO_free(b);
	return s;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return -1;
	int ok = X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return ok ? 0 : -1;
}

/* A v3 certificate for key, issued by issuer (NULL: self-signed). Validity uses the real clock,
 * not the sandbox clock: TLS peers check it against theirs. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
		const char *san, const char *eku)
{
	X509 *c = X509_new();
	X509_set_version(c, 2);
	unsigned char serial[16];
	RAND_bytes(serial, sizeof serial);
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 60L * 60 * 24 * 825);
	X509_set_pubkey(c, key);
	X509_NAME *name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"chatsync sandbox", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509 *iss = issuer ? issuer : c;
	int bad = 0;
	bad |= add_ext(c, iss, NID_basic_constraints, ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE");
	bad |= add_ext(c, iss, NID_key_usage,
			ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature,keyEncipherment");
	bad |= add_ext(c, iss, NID_subject_key_identifier, "hash");
	if (issuer)
		bad |= add_ext(c, iss, NID_authority_key_identifier, "keyid:always");
	if (san)
		bad |= add_ext(c, iss, NID_subject_alt_name, san);
	if (eku)
		bad |= add_ext(c, iss, NID_ext_key_usage, eku);
	if (bad || !X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256())) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int write_text(const char *path, const char *text, unsigned mode, char *err, size_t errlen)
{
	if (sb_write_file(path, text, strlen(text), mode) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

int sb_keys_tls(struct sb_keys *k, const char *dir, const char *cert_file, const char *key_file, char *err,
		size_t errlen)
{
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (cert_file || key_file) {
		if (!cert_file || !key_file) {
			snprintf(err, errlen, "--cert and --key go together");
			return -1;
		}
		k->server_cert_pem = read_text(cert_file);
		k->server_key_pem = read_text(key_file);
		if (!k->server_cert_pem || !k->server_key_pem) {
			snprintf(err, errlen, "cannot read %s: %s", !k->server_cert_pem ? cert_file : key_file,
					strerror(errno));
			return -1;
		}
		k->ca_path = realpath(cert_file, NULL);
		if (!k->ca_path)
			k->ca_path = xstrdup(cert_file);
		return 0;
	}
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *leaf_key = EVP_EC_gen("P-256");
	X509 *ca = ca_key ? make_cert(ca_key, "chatsync sandbox CA", NULL, NULL, true, NULL, NULL) : NULL;
	X509 *leaf = ca && leaf_key ? make_cert(leaf_key, "127.0.0.1", ca, ca_key, false,
			"IP:127.0.0.1,DNS:localhost,IP:::1", "serverAuth") : NULL;
	int rc = 0;
	if (!leaf) {
		snprintf(err, errlen, "cannot make the TLS certificate: %s", ERR_reason_error_string(ERR_get_error()));
		rc = -1;
	} else {
		char *ca_pem = pem_cert(ca);
		char *leaf_pem = pem_cert(leaf);
		/* Serve the chain, so clients that only trust the CA file can build the path. */
		k->server_cert_pem = xasprintf("%s%s", leaf_pem, ca_pem);
		k->server_key_pem = pem_key(leaf_key);
		k->ca_path = xasprintf("%s/ca.pem", dir);
		rc = write_text(k->ca_path, ca_pem, 0644, err, errlen);
		free(ca_pem);
		free(leaf_pem);
	}
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	return rc;
}

char *sb_cert_thumbprint(X509 *cert, bool sha256)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509_digest(cert, sha256 ? EVP_sha256() : EVP_sha1(), md, &n);
	return sb_b64url(md, n);
}

static void *gen_rsa(void *out)
{
	*(EVP_PKEY **)out = EVP_RSA_gen(2048);
	return NULL;
}

static void *rsa_worker(void *arg)
{
	struct sb_keys *k = arg;
	char err[256] = "";
	/* Two keys on two threads: the machine has two cores and each key takes 50-250 ms. */
	EVP_PKEY *signing = NULL, *client = NULL;
	pthread_t other;
	bool two = pthread_create(&other, NULL, gen_rsa, &client) == 0;
	gen_rsa(&signing);
	if (two)
		pthread_join(other, NULL);
	else
		gen_rsa(&client);
	X509 *cert = client ? make_cert(client, "chatsync sandbox client", NULL, NULL, false, NULL, "clientAuth") : NULL;
	if (!signing || !cert) {
		snprintf(err, sizeof err, "cannot make RSA keys: %s", ERR_reason_error_string(ERR_get_error()));
	} else {
		char *c = pem_cert(cert), *kp = pem_key(client);
		char *both = xasprintf("%s%s", c, kp);
		write_text(k->client_pem_path, both, 0600, err, sizeof err);
		OPENSSL_cleanse(both, strlen(both));
		OPENSSL_cleanse(kp, strlen(kp));
		free(c);
		free(kp);
		free(both);
	}
	pthread_mutex_lock(&k->mu);
	k->signing = signing;
	k->client_key = client;
	k->client_cert = cert;
	if (cert) {
		k->client_x5t = sb_cert_thumbprint(cert, false);
		k->client_x5t_s256 = sb_cert_thumbprint(cert, true);
	}
	if (signing) {
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(signing, &der);
		unsigned char md[20];
		unsigned int mdn = 0;
		EVP_Digest(der, (size_t)n, md, &mdn, EVP_sha1(), NULL);
		char *kid = sb_b64url(md, mdn);
		snprintf(k->signing_kid, sizeof k->signing_kid, "%s", kid);
		free(kid);
		OPENSSL_free(der);
	}
	snprintf(k->error, sizeof k->error, "%s", err);
	k->ready = true;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

void sb_keys_start_rsa(struct sb_keys *k, const char *client_pem_path)
{
	k->client_pem_path = xstrdup(client_pem_path);
	k->started = pthread_create(&k->thread, NULL, rsa_worker, k) == 0;
	if (!k->started)
		rsa_worker(k);
}

int sb_keys_wait(struct sb_keys *k)
{
	pthread_mutex_lock(&k->mu);
	while (!k->ready)
		pthread_cond_wait(&k->cv, &k->mu);
	int rc = k->error[0] || !k->signing ? -1 : 0;
	pthread_mutex_unlock(&k->mu);
	return rc;
}

void sb_keys_free(struct sb_keys *k)
{
	if (k->started) {
		pthread_join(k->thread, NULL);
		k->started = false;
	}
	EVP_PKEY_free(k->signing);
	EVP_PKEY_free(k->client_key);
	X509_free(k->client_cert);
	free(k->client_x5t);
	free(k->client_x5t_s256);
	free(k->client_pem_path);
	if (k->server_key_pem)
		OPENSSL_cleanse(k->server_key_pem, strlen(k->server_key_pem));
	free(k->server_key_pem);
	free(k->server_cert_pem);
	free(k->ca_path);
}
