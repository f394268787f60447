#include "config.h"
#include "api/json_util.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The tree of a large page, in blocks of its own. cJSON gives every value, key and string its own
 * malloc, and the tree of a 5,000-row page is a few hundred thousand of them, each freed again
 * once the rows are copied out: a quarter of a cold refresh's CPU went to malloc and free. Between
 * ju_page and ju_page_done, cJSON's allocations on that thread come from a few large blocks (one
 * bump pointer), and ju_page_done drops them whole. cJSON's hooks are the process's, set once
 * before main; every other thread, and this one outside a page, gets malloc and free as before.
 * Nothing allocated from the blocks outlives ju_page_done: the parsers copy what they keep
 * (ju_str), and a pointer freed while a page is open is dropped only if it is one of its own. */
struct arena_block {
	struct arena_block *next;
	char *end;
	char data[];
};
struct arena {
	struct arena_block *blocks; /* newest first */
	char *cur, *end;
	size_t next_size;
};
static _Thread_local struct arena *page_arena;

#define ARENA_ALIGN 8 /* cJSON's node holds pointers, ints and a double */
#define ARENA_MIN_BLOCK (64 * 1024)

static void *arena_malloc(size_t n)
{
	struct arena *a = page_arena;
	if (!a)
		return malloc(n);
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if ((size_t)(a->end - a->cur) < n) {
		size_t size = a->next_size > n ? a->next_size : n;
		struct arena_block *b = malloc(sizeof *b + size);
		if (!b)
			return NULL; /* cJSON fails the parse; ju_parse_object reports it */
		b->next = a->blocks;
		b->end = b->data + size;
		a->blocks = b;
		a->cur = b->data;
		a->end = b->end;
		a->next_size = size * 2;
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

static bool arena_owns(const struct arena *a, const void *p)
{
	for (const struct arena_block *b = a->blocks; b; b = b->next)
		if ((uintptr_t)p >= (uintptr_t)b->data && (uintptr_t)p < (uintptr_t)b->end)
			return true;
	return false;
}

static void arena_free(void *p)
{
	struct arena *a = page_arena;
	if (a && p && arena_owns(a, p))
		return; /* dropped with the page */
	free(p);
}

__attribute__((constructor)) static void arena_hooks(void)
{
	cJSON_Hooks h = { arena_malloc, arena_free };
	cJSON_InitHooks(&h);
}

const cJSON *ju_page(const char *body, const char *what, cJSON **root, struct cs_error *err)
{
	*root = NULL;
	struct arena *a = xcalloc(1, sizeof *a);
	/* A tree takes about 2.2 times its text (a Dataverse page of chats): the first block holds it whole. */
	size_t len = body ? strlen(body) : 0;
	a->next_size = len < ARENA_MIN_BLOCK / 4 ? ARENA_MIN_BLOCK : len * 3;
	page_arena = a;
	const cJSON *arr = ju_collection(body, what, root, err);
	if (!arr)
		ju_page_done(*root);
	return arr;
}

void ju_page_done(cJSON *root)
{
	(void)root; /* it, and everything cJSON allocated since ju_page, lives in the blocks */
	struct arena *a = page_arena;
	if (!a)
		return;
	page_arena = NULL;
	for (struct arena_block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

cJSON *ju_parse_object(const char *body, const char *what, struct cs_error *err)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		cs_fail(err, CS_EXIT_NETWORK, _("the answer to %s is not the JSON object expected (truncated or malformed; "
						"run again, or with -v -v to see it)"), what);
		return NULL;
	}
	return root;
}

const char *ju_str_ref(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *ju_str(const cJSON *o, const char *key)
{
	return xstrdup(ju_str_ref(o, key));
}

int ju_int(const cJSON *o, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v) && v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0)
		return (int)v->valuedouble;
	return dflt;
}

int ju_bool(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? CS_TRUE : CS_FALSE;
	if (cJSON_IsString(v)) { /* the teamsAppSettings docs print the boolean as a string */
		if (strcmp(v->valuestring, "true") == 0)
			return CS_TRUE;
		if (strcmp(v->valuestring, "false") == 0)
			return CS_FALSE;
	}
	return CS_UNKNOWN;
}

cs_time ju_time(const cJSON *o, const char *key)
{
	const char *s = ju_str_ref(o, key);
	cs_time t;
	return s && time_parse_iso(s, &t) == 0 ? t : 0;
}

const cJSON *ju_value_array(const cJSON *root, const char *what, struct cs_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(v)) {
		cs_fail(err, CS_EXIT_NETWORK, _("the answer to %s has no \"value\" list (truncated or malformed; run again)"),
			what);
		return NULL;
	}
	return v;
}

const cJSON *ju_collection(const char *body, const char *what, cJSON **root, struct cs_error *err)
{
	*root = ju_parse_object(body, what, err);
	if (!*root)
		return NULL;
	const cJSON *arr = ju_value_array(*root, what, err);
	if (!arr) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	return arr;
}
