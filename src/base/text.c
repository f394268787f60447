#include "config.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid (overlong, surrogate, > U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t min;
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, *cp = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, *cp = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, *cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return len;
}

static void utf8_encode(struct buf *b, uint32_t cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80)
		out[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		out[0] = (char)(0xC0 | (cp >> 6)), out[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		out[0] = (char)(0xE0 | (cp >> 12)), out[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
		out[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	else
		out[0] = (char)(0xF0 | (cp >> 18)), out[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	buf_add(b, out, n);
}

/* Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder
 * what follows on the screen, so "exe.txt" can show as "txt.exe" (Trojan Source). */
static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* C0 controls, DEL, C1 controls, and the line and paragraph separators. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
}

char *text_sanitize_n(const char *s, size_t max_chars)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	size_t chars = 0, cut_at = 0;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		uint32_t cp;
		size_t len = utf8_decode(p, &cp);
		if (len == 0)
			cp = 0xFFFD, len = 1;
		if (is_bidi_control(cp)) {
			p += len;
			continue;
		}
		if (max_chars && chars == max_chars - 1)
			cut_at = b.len; /* where the ellipsis goes if one more character follows */
		if (max_chars && chars == max_chars) {
			b.len = cut_at;
			b.data[b.len] = '\0';
			buf_adds(&b, "…");
			break;
		}
		if (is_control(cp))
			buf_add(&b, " ", 1);
		else if (cp == 0xFFFD)
			utf8_encode(&b, cp);
		else
			buf_add(&b, p, len);
		chars++;
		p += len;
	}
	return buf_steal(&b);
}

char *text_sanitize(const char *s)
{
	return text_sanitize_n(s, TEXT_SANITIZE_MAX);
}

void text_sanitize_into(char *dst, size_t size, const char *s)
{
	if (!size)
		return;
	char *clean = text_sanitize_n(s, size - 1);
	size_t len = strlen(clean);
	if (len >= size) {
		/* Cut at a character boundary with room for the 3 bytes of the ellipsis. */
		size_t keep = size > 4 ? size - 4 : 0;
		while (keep > 0 && ((unsigned char)clean[keep] & 0xC0) == 0x80)
			keep--;
		memcpy(dst, clean, keep);
		if (size > 4)
			memcpy(dst + keep, "…", 4);
		else
			dst[keep] = '\0';
	} else {
		memcpy(dst, clean, len + 1);
	}
	free(clean);
}

static int cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	/* Without a UTF-8 locale wcwidth knows nothing: count East Asian wide ranges ourselves. */
	if (cp < 0x80)
		return 1;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0x200B || cp == 0x200D)
		return 0;
	return 1;
}

size_t text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t cp;
		size_t len = utf8_decode(p, &cp);
		if (!len) {
			w++;
			p++;
			continue;
		}
		w += (size_t)cp_width(cp);
		p += len;
	}
	return w;
}

char *text_truncate(const char *s, size_t width)
{
	if (text_width(s) <= width)
		return xstrdup(s);
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	if (width == 0)
		return buf_steal(&b);
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t cp;
		size_t len = utf8_decode(p, &cp);
		int cw = len ? cp_width(cp) : 1;
		if (!len)
			len = 1;
		if (w + (size_t)cw > width - 1)
			break;
		buf_add(&b, p, len);
		w += (size_t)cw;
		p += len;
	}
	buf_adds(&b, "…");
	return buf_steal(&b);
}

void text_pad(struct buf *out, const char *s, size_t width)
{
	char *t = text_truncate(s, width);
	buf_adds(out, t);
	for (size_t w = text_width(t); w < width; w++)
		buf_add(out, " ", 1);
	free(t);
}

size_t text_trimmed_slashes(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	return n;
}

char *text_without_slashes(const char *s)
{
	return xstrndup(s, text_trimmed_slashes(s));
}
