/* ISO 8601 parsing and formatting, and the "how long ago" phrasing used everywhere. Pure. */
#ifndef CHATSYNC_TIMEFMT_H
#define CHATSYNC_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

/* Unix seconds (UTC); 0 means "unknown". */
typedef int64_t cs_time;

/* Parses "2026-11-14T09:12:00Z", with optional fraction and "+hh:mm"/"-hh:mm" offset, or a
 * date alone. Returns 0 and sets *out (UTC seconds), or -1. */
int time_parse_iso(const char *s, cs_time *out);
/* "2026-11-14T09:12:00Z" into buf (>= 21 bytes); "" for 0. Returns buf. */
char *time_format_iso(cs_time t, char *buf, size_t n);
/* "2026-11-14 09:12 UTC" into buf; "never" for 0. Returns buf. */
char *time_format_human(cs_time t, char *buf, size_t n);
/* Age of t at now: "45 s", "3 min", "5 h", "6 d 23 h", "12 d". buf >= 16. Returns buf. */
char *time_format_age(cs_time t, cs_time now, char *buf, size_t n);
/* The current time, or $CHATSYNC_NOW (ISO 8601) when set, so tests and demos are reproducible. */
cs_time time_now(void);
/* "--since" values: a duration back from now ("90s", "30m", "12h", "7d", "2w") or a time as
 * time_parse_iso takes it. Returns 0 and sets *out, or -1. */
int time_parse_since(const char *s, cs_time now, cs_time *out);

#endif
