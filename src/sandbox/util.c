#include "config.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double clock_base_real;   /* sandbox time at start */
static double clock_base_mono;   /* monotonic time at start */

double sb_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sb_clock_init(void)
{
	const char *env = getenv("CHATSYNC_NOW");
	clock_base_mono = sb_mono();
	if (env && *env) {
		int64_t t;
		if (sb_parse_iso(env, &t) < 0)
			return -1;
		clock_base_real = (double)t;
		return 0;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	clock_base_real = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return 0;
}

double sb_now_frac(void)
{
	if (clock_base_mono == 0)
		sb_clock_init();
	return clock_base_real + (sb_mono() - clock_base_mono);
}

int64_t sb_now(void)
{
	return (int64_t)sb_now_frac();
}

void sb_sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

char *sb_iso(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

char *sb_iso_ms(double t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	int ms = (int)((t - (double)tt) * 1000.0);
	if (ms < 0)
		ms = 0;
	if (ms > 999)
		ms = 999;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char head[24];
	strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", head, ms);
	return buf;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int sb_parse_iso(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (!s || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	const char *p = s + 10;
	long offset = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (strlen(p) < 6 || digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
			return -1;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &se))
				return -1;
			p += 3;
			if (*p == '.')
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (strlen(p) < 6 || digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
				return -1;
			offset = (oh * 60L + om) * 60L * (*p == '+' ? 1 : -1);
			p += 6;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm) - offset;
	return 0;
}

void sb_rng_seed(struct sb_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x9e3779b97f4a7c15ULL;
}

uint64_t sb_rng_next(struct sb_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t sb_rng_below(struct sb_rng *r, uint32_t n)
{
	return n ? (uint32_t)(sb_rng_next(r) % n) : 0;
}

double sb_rng_unit(struct sb_rng *r)
{
	return (double)(sb_rng_next(r) >> 11) / 9007199254740992.0;
}

static void guid_from_bytes(const unsigned char b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		unsigned char c = b[i];
		if (i == 6)
			c = (unsigned char)((c & 0x0f) | 0x40);
		if (i == 8)
			c = (unsigned char)((c & 0x3f) | 0x80);
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}

void sb_rng_guid(struct sb_rng *r, char out[37])
{
	unsigned char b[16];
	uint64_t a = sb_rng_next(r), c = sb_rng_next(r);
	memcpy(b, &a, 8);
	memcpy(b + 8, &c, 8);
	guid_from_bytes(b, out);
}

void sb_random_guid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1) {
		/* RAND_bytes only fails when the OS has no entropy; a request id needs no secrecy. */
		uint64_t a = (uint64_t)(sb_mono() * 1e9), c = (uint64_t)getpid();
		memcpy(b, &a, 8);
		memcpy(b + 8, &c, 8);
	}
	guid_from_bytes(b, out);
}

double sb_random_unit(void)
{
	uint64_t v;
	if (RAND_bytes((unsigned char *)&v, sizeof v) != 1)
		v = (uint64_t)(sb_mono() * 1e9) * 0x9e3779b97f4a7c15ULL;
	return (double)(v >> 11) / 9007199254740992.0;
}

char *sb_b64(const void *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

char *sb_b64url(const void *data, size_t len)
{
	char *out = sb_b64(data, len);
	size_t n = strlen(out);
	while (n && out[n - 1] == '=')
		out[--n] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

unsigned char *sb_b64url_decode(const char *s, size_t len, size_t *out_len)
{
	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	size_t padded = (len + 3) / 4 * 4;
	char *tmp = xmalloc(padded + 1);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!isalnum((unsigned char)c) && c != '+' && c != '/') {
			free(tmp);
			return NULL;
		}
		tmp[i] = c;
	}
	for (size_t i = len; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	unsigned char *out = xmalloc(padded / 4 * 3 + 1);
	int n = padded ? EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded) : 0;
	free(tmp);
	if (n < 0) {
		free(out);
		return NULL;
	}
	n -= (int)(padded - len); /* EVP_DecodeBlock counts the padding as zero bytes */
	out[n] = '\0';
	*out_len = (size_t)n;
	return out;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *sb_url_decode(const char *s, size_t len, bool plus_space)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else if (plus_space && s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

char *sb_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_add(&b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			buf_add(&b, e, 3);
		}
	}
	return buf_steal(&b);
}

void sb_kv_addn(struct sb_kvlist *l, const char *k, size_t kn, const char *v, size_t vn)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = xrealloc(l->items, l->cap * sizeof *l->items);
	}
	l->items[l->n].k = xstrndup(k, kn);
	l->items[l->n].v = xstrndup(v, vn);
	l->n++;
}

void sb_kv_add(struct sb_kvlist *l, const char *k, const char *v)
{
	sb_kv_addn(l, k, strlen(k), v ? v : "", v ? strlen(v) : 0);
}

const char *sb_kv_get(const struct sb_kvlist *l, const char *k)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->items[i].k, k))
			return l->items[i].v;
	return NULL;
}

void sb_kv_set(struct sb_kvlist *l, const char *k, const char *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->items[i].k, k)) {
			free(l->items[i].v);
			l->items[i].v = xstrdup(v);
			return;
		}
	sb_kv_add(l, k, v);
}

void sb_kv_free(struct sb_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].k);
		free(l->items[i].v);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

void sb_parse_query(const char *q, bool plus_space, struct sb_kvlist *out)
{
	if (!q)
		return;
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		if (len) {
			const char *eq = memchr(q, '=', len);
			size_t kl = eq ? (size_t)(eq - q) : len;
			char *k = sb_url_decode(q, kl, plus_space);
			char *v = eq ? sb_url_decode(eq + 1, len - kl - 1, plus_space) : xstrdup("");
			sb_kv_add(out, k, v);
			free(k);
			free(v);
		}
		q += len;
		if (*q == '&')
			q++;
	}
}

const char *sb_skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncasecmp(s, prefix, n) ? NULL : s + n;
}

bool sb_is_guid(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int sb_write_file(const char *path, const char *data, size_t len, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		done += (size_t)n;
	}
	return close(fd);
}

struct sb_map_slot {
	char *key;
	uintptr_t value;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void sb_map_init(struct sb_map *m, size_t expect)
{
	size_t cap = 16;
	while (cap < expect * 2)
		cap *= 2;
	m->slots = xcalloc(cap, sizeof *m->slots);
	m->cap = cap;
	m->n = 0;
}

static void map_grow(struct sb_map *m)
{
	struct sb_map old = *m;
	sb_map_init(m, old.cap);
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key) {
			size_t j = hash_str(old.slots[i].key) & (m->cap - 1);
			while (m->slots[j].key)
				j = (j + 1) & (m->cap - 1);
			m->slots[j] = old.slots[i];
			m->n++;
		}
	free(old.slots);
}

void sb_map_put(struct sb_map *m, const char *key, uintptr_t value)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (!strcmp(m->slots[j].key, key)) {
			m->slots[j].value = value;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->slots[j].key = xstrdup(key);
	m->slots[j].value = value;
	m->n++;
}

bool sb_map_get(const struct sb_map *m, const char *key, uintptr_t *value)
{
	if (!m->cap)
		return false;
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (!strcmp(m->slots[j].key, key)) {
			*value = m->slots[j].value;
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

void sb_map_free(struct sb_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
