/* Allocation helpers that never return NULL: on exhaustion they print one line and abort,
 * which keeps call sites short (htop's xMalloc). Ownership: the caller owns every result. */
#ifndef CHATSYNC_XALLOC_H
#define CHATSYNC_XALLOC_H
#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The one way arrays grow: p (of n elements of size bytes, room for *cap) with room for one more,
 * doubling *cap when full (first 8). Returns the array, which may have moved:
 *     if need: rows = xgrow(rows, &cap, n, sizeof *rows); rows[n++] = row; */
void *xgrow(void *p, size_t *cap, size_t n, size_t size);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_init(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
char *buf_steal(struct buf *b);            /* caller owns the string; b is reset */
void buf_free(struct buf *b);

#endif
