/* A set of strings (open addressing, FNV-1a, grown at 3/4 full): O(1) membership for the
 * refresh's per-chat questions (fresh? changed? already a candidate?). */
#ifndef CHATSYNC_SYNC_STRSET_H
#define CHATSYNC_SYNC_STRSET_H
#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;   /* NULL: empty */
	size_t *values; /* one per slot: a number kept with each string (0 when added) */
	size_t cap, n;  /* cap is 0 or a power of two */
};

/* Adds a copy of s; true when it was not there yet. s NULL is never added. */
bool strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
/* The number kept with s, to read or set; NULL when s is not in the set. Valid until the next add. */
size_t *strset_value(struct strset *set, const char *s);
void strset_free(struct strset *set);

/* A growable array of fixed-size items (the one way the refresh grows its lists). */
struct vec {
	void *data;
	size_t n, cap, size;
};
#define VEC_INIT(type) { .size = sizeof(type) }
/* A new zeroed item at the end. The pointer stays valid until the next push. */
void *vec_push(struct vec *v);
#define VEC_AT(v, type, i) (&((type *)(v)->data)[i])
/* Calls free_item on each item (may be NULL), then frees the array. */
void vec_free(struct vec *v, void (*free_item)(void *item));

#endif
