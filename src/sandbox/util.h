/* Small helpers every sandbox module uses: the sandbox clock, ISO 8601, a seeded random
 * generator, GUIDs, base64url, URL coding and key/value lists. Nothing here is shared with the
 * client (src/net, src/api): the sandbox keeps its own reading of the wire. */
#ifndef CHATSYNC_SANDBOX_UTIL_H
#define CHATSYNC_SANDBOX_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sandbox clock: $CHATSYNC_NOW (ISO 8601) or the real time at start, moving with the real
 * clock from then on, so generated data and token lifetimes agree. Returns -1 on a bad value. */
int sb_clock_init(void);
int64_t sb_now(void);
double sb_now_frac(void);     /* sandbox clock with sub-second part */
double sb_mono(void);         /* monotonic seconds, for windows and latencies */
void sb_sleep_ms(long ms);

/* "2026-11-14T09:12:00Z" (buf >= 21). */
char *sb_iso(int64_t t, char *buf, size_t n);
/* "2026-11-14T09:12:00.123Z" style with milliseconds (buf >= 25). */
char *sb_iso_ms(double t, char *buf, size_t n);
/* Accepts date, date-time with optional fraction and Z / +hh:mm. 0 or -1. */
int sb_parse_iso(const char *s, int64_t *out);

/* splitmix64: deterministic from --seed, cheap enough for 100,000 chats. Not thread-safe. */
struct sb_rng {
	uint64_t s;
};
void sb_rng_seed(struct sb_rng *r, uint64_t seed);
uint64_t sb_rng_next(struct sb_rng *r);
uint32_t sb_rng_below(struct sb_rng *r, uint32_t n);   /* 0 <= x < n (n > 0) */
double sb_rng_unit(struct sb_rng *r);                  /* [0, 1) */
/* Lowercase GUID text (37 bytes with NUL) from the generator, version-4 shaped. */
void sb_rng_guid(struct sb_rng *r, char out[37]);
/* A GUID from the OS's random source, for request ids and secrets. */
void sb_random_guid(char out[37]);
/* Thread-safe uniform [0,1) from the OS source mixed with a process-wide counter. */
double sb_random_unit(void);

/* base64url without padding (caller owns), and back (padding accepted; NULL on bad input). */
char *sb_b64url(const void *data, size_t len);
unsigned char *sb_b64url_decode(const char *s, size_t len, size_t *out_len);
/* Standard base64 with padding (Graph ids look like this). Caller owns. */
char *sb_b64(const void *data, size_t len);

/* %XX decoding (plus_space: '+' is a space, as in forms). Caller owns. */
char *sb_url_decode(const char *s, size_t len, bool plus_space);
/* Percent-encodes everything but unreserved characters. Caller owns. */
char *sb_url_encode(const char *s);

/* Ordered list of owned key/value strings: query arguments, headers, form fields. */
struct sb_kv {
	char *k, *v;
};
struct sb_kvlist {
	struct sb_kv *items;
	size_t n, cap;
};
void sb_kv_add(struct sb_kvlist *l, const char *k, const char *v);
void sb_kv_addn(struct sb_kvlist *l, const char *k, size_t kn, const char *v, size_t vn);
/* First value for k (case-insensitive), or NULL. */
const char *sb_kv_get(const struct sb_kvlist *l, const char *k);
void sb_kv_set(struct sb_kvlist *l, const char *k, const char *v);  /* replaces or adds */
void sb_kv_free(struct sb_kvlist *l);
/* Splits "a=1&b=x%20y" into decoded pairs (forms: plus_space). */
void sb_parse_query(const char *q, bool plus_space, struct sb_kvlist *out);

/* Case-insensitive prefix test; returns the rest after the prefix, or NULL. */
const char *sb_skip_prefix(const char *s, const char *prefix);
bool sb_is_guid(const char *s, size_t len);
/* Writes a file with the mode (created or truncated; mode enforced). 0 or -1 with errno. */
int sb_write_file(const char *path, const char *data, size_t len, unsigned mode);

/* A string-keyed hash map (keys copied, values are pointers-sized integers). */
struct sb_map {
	struct sb_map_slot *slots;
	size_t cap, n;
};
void sb_map_init(struct sb_map *m, size_t expect);
void sb_map_put(struct sb_map *m, const char *key, uintptr_t value);
bool sb_map_get(const struct sb_map *m, const char *key, uintptr_t *value);
void sb_map_free(struct sb_map *m);

#endif
