#include "config.h"
#include "sync/strset.h"
#include "base/xalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t find(char *const *slots, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);
	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void grow(struct strset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	char **slots = xcalloc(cap, sizeof *slots);
	size_t *values = xcalloc(cap, sizeof *values);
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i]) {
			size_t k = find(slots, cap, set->slots[i]);
			slots[k] = set->slots[i];
			values[k] = set->values[i];
		}
	free(set->slots);
	free(set->values);
	set->slots = slots;
	set->values = values;
	set->cap = cap;
}

bool strset_add(struct strset *set, const char *s)
{
	if (!s)
		return false;
	if ((set->n + 1) * 4 > set->cap * 3)
		grow(set);
	size_t i = find(set->slots, set->cap, s);
	if (set->slots[i])
		return false;
	set->slots[i] = xstrdup(s);
	set->values[i] = 0;
	set->n++;
	return true;
}

bool strset_has(const struct strset *set, const char *s)
{
	return s && set->cap && set->slots[find(set->slots, set->cap, s)] != NULL;
}

size_t *strset_value(struct strset *set, const char *s)
{
	if (!s || !set->cap)
		return NULL;
	size_t i = find(set->slots, set->cap, s);
	return set->slots[i] ? &set->values[i] : NULL;
}

void strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	free(set->values);
	memset(set, 0, sizeof *set);
}

void *vec_push(struct vec *v)
{
	v->data = xgrow(v->data, &v->cap, v->n, v->size);
	void *item = (char *)v->data + v->n++ * v->size;
	memset(item, 0, v->size);
	return item;
}

void vec_free(struct vec *v, void (*free_item)(void *item))
{
	for (size_t i = 0; free_item && i < v->n; i++)
		free_item((char *)v->data + i * v->size);
	free(v->data);
	v->data = NULL;
	v->n = v->cap = 0;
}
