/* Display text: sanitising what came from outside for a terminal, a log or an error sentence, and
 * measuring text in columns. Column widths use wcwidth(), never byte length, so CJK and combining marks line up. Pure. */
#ifndef CHATSYNC_TEXT_H
#define CHATSYNC_TEXT_H
#include <stddef.h>

/* The one sanitiser for text that came from outside (a server, a cache, a file) before it reaches
 * a terminal, a log or an error sentence. A copy of s that is valid UTF-8 and inert on a terminal:
 * - invalid or overlong UTF-8 bytes become U+FFFD;
 * - C0 controls (newline and tab included), DEL, C1 controls and U+2028/U+2029 become a space, so
 *   an escape sequence (CSI, OSC, DCS...) loses its ESC or C1 introducer and shows as inert text,
 *   and a newline cannot start a forged line;
 * - bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are dropped;
 * - more than max_chars characters are cut to max_chars - 1 and an ellipsis (0 means no cap).
 * Sanitising twice gives the same text. NULL gives "". Caller owns. */
char *text_sanitize_n(const char *s, size_t max_chars);
/* text_sanitize_n with the cap for one displayed value. */
#define TEXT_SANITIZE_MAX 2000
char *text_sanitize(const char *s);
/* Sanitises s into dst of size bytes, cut at a character boundary with an ellipsis when it does not
 * fit (the error sentence of struct cs_error). */
void text_sanitize_into(char *dst, size_t size, const char *s);
/* Columns s takes on a terminal (s must be sanitised UTF-8). */
size_t text_width(const char *s);
/* A copy of s cut to at most width columns, ending in "…" when cut. Caller owns. */
char *text_truncate(const char *s, size_t width);
/* Appends s padded with spaces to width columns (cut when longer) to out. */
struct buf;
void text_pad(struct buf *out, const char *s, size_t width);

/* The length of s without its trailing slashes ("https://x/" → 9 of 10): the one way URLs and
 * resources lose them. */
size_t text_trimmed_slashes(const char *s);
/* A copy of s without its trailing slashes. Caller owns. */
char *text_without_slashes(const char *s);

#endif
