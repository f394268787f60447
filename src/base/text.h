/* Display text: sanitising names from the cloud for a terminal and measuring them in columns.
 * Column widths use wcwidth(), never byte length, so CJK and combining marks line up. Pure. */
#ifndef CHATSYNC_TEXT_H
#define CHATSYNC_TEXT_H
#include <stddef.h>

/* A copy of s that is valid UTF-8 with no control characters: invalid bytes become U+FFFD,
 * C0/C1 controls and DEL become a space (so an escape sequence in a chat topic cannot reach the
 * terminal). NULL gives "". Caller owns. */
char *text_sanitize(const char *s);
/* Columns s takes on a terminal (s must be sanitised UTF-8). */
size_t text_width(const char *s);
/* A copy of s cut to at most width columns, ending in "…" when cut. Caller owns. */
char *text_truncate(const char *s, size_t width);
/* Appends s padded with spaces to width columns (cut when longer) to out. */
struct buf;
void text_pad(struct buf *out, const char *s, size_t width);

#endif
