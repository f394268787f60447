#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "base/error.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

static void utf8_locale(void) { setlocale(LC_ALL, "C.UTF-8"); }
TestSuite(text, .init = utf8_locale);

Test(text, sanitize_replaces_invalid_bytes_and_controls)
{
	char *s = text_sanitize("ok\xff\xfe\x1b[31mred\x7f\tend");
	cr_assert_str_eq(s, "ok\xef\xbf\xbd\xef\xbf\xbd [31mred  end");
	free(s);
	char *t = text_sanitize("Müller – 東京\xc0\xaf"); /* overlong '/' is invalid */
	cr_assert_str_eq(t, "Müller – 東京\xef\xbf\xbd\xef\xbf\xbd");
	free(t);
	char *n = text_sanitize(NULL);
	cr_assert_str_eq(n, "");
	free(n);
}

/* Nothing a terminal would act on: no byte below 0x20, no DEL, no C1 (U+0080-U+009F as UTF-8),
 * no bidi control, valid UTF-8 throughout. */
static void assert_inert(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_assert(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in \"%s\"", *p, s);
		if (p[0] == 0xc2)
			cr_assert(p[1] < 0x80 || p[1] > 0x9f, "C1 control in \"%s\"", s);
		if (p[0] == 0xe2 && p[1] == 0x80)
			cr_assert(p[2] < 0xaa || p[2] > 0xae, "bidi embedding or override in \"%s\"", s);
		if (p[0] == 0xe2 && p[1] == 0x81)
			cr_assert(p[2] < 0xa6 || p[2] > 0xa9, "bidi isolate in \"%s\"", s);
	}
	cr_assert_eq(mbstowcs(NULL, s, 0) != (size_t)-1, 1, "not valid UTF-8: \"%s\"", s);
}

Test(text, sanitize_makes_hostile_server_strings_inert)
{
	const char *hostile[] = {
		"\x1b]0;owned title\x07" "after",             /* OSC: retitles the terminal */
		"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", /* OSC 8 hyperlink, ST-terminated */
		"before\x1b[2J\x1b[Hafter",                /* CSI: clears the screen, homes the cursor */
		"Forbidden\nchatsync: forged second line",  /* a forged line */
		"cr\rover",                                 /* carriage return overwrites the line */
		"\xc2\x9b" "31mC1 CSI\xc2\x9d" "0;t\xc2\x9c", /* 8-bit CSI, OSC and ST as UTF-8 */
		"report\xe2\x80\xae" "fdp.exe",           /* U+202E RIGHT-TO-LEFT OVERRIDE */
		"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9x",
		"\x80\xbf\xf8\x88\x80\x80\x80\xed\xa0\x80\xf4\x90\x80\x80\xe0\x80", /* invalid UTF-8 of every kind */
		"\x7f\x01\x1f\x08\x0b\x0c",
		NULL,
	};
	for (int i = 0; hostile[i]; i++) {
		char *s = text_sanitize(hostile[i]);
		assert_inert(s);
		char *again = text_sanitize(s);
		cr_assert_str_eq(again, s, "sanitising twice changed \"%s\"", s);
		free(again);
		free(s);
	}
	char *title = text_sanitize("\x1b]0;owned title\x07" "after");
	cr_assert_str_eq(title, " ]0;owned title after"); /* shown as text, not obeyed */
	free(title);
	char *forged = text_sanitize("Forbidden\nchatsync: forged");
	cr_assert_str_eq(forged, "Forbidden chatsync: forged");
	free(forged);
	char *rlo = text_sanitize("report\xe2\x80\xae" "fdp.exe");
	cr_assert_str_eq(rlo, "reportfdp.exe");
	free(rlo);
	/* Right-to-left text itself stays: only the invisible controls go. */
	char *hebrew = text_sanitize("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	cr_assert_str_eq(hebrew, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	free(hebrew);
}

Test(text, sanitize_caps_overlong_strings_with_an_ellipsis)
{
	char *big = malloc(30001);
	for (int i = 0; i < 10000; i++)
		memcpy(big + 3 * i, "東", 3);
	big[30000] = '\0';
	char *s = text_sanitize(big);
	cr_assert_eq(mbstowcs(NULL, s, 0), TEXT_SANITIZE_MAX);
	cr_assert_eq(strcmp(s + strlen(s) - 3, "…"), 0);
	char *again = text_sanitize(s);
	cr_assert_str_eq(again, s);
	free(again);
	free(s);
	memset(big, 'a', 10000);
	big[10000] = '\0';
	char *cut = text_sanitize_n(big, 10);
	cr_assert_str_eq(cut, "aaaaaaaaa…");
	free(cut);
	big[10] = '\0';
	char *exact = text_sanitize_n(big, 10);
	cr_assert_str_eq(exact, "aaaaaaaaaa");
	free(exact);
	char *uncapped = text_sanitize_n("x\ny", 0);
	cr_assert_str_eq(uncapped, "x y");
	free(uncapped);
	free(big);
}

Test(text, sanitize_into_a_fixed_buffer_cuts_at_a_character)
{
	char out[8];
	text_sanitize_into(out, sizeof out, "東京東京");    /* 12 bytes: 東 + … = 6 bytes fit in 8 */
	cr_assert_str_eq(out, "東…");
	text_sanitize_into(out, sizeof out, "a\x1b[2Jb");
	cr_assert_str_eq(out, "a [2Jb");
	text_sanitize_into(out, sizeof out, "1234567");
	cr_assert_str_eq(out, "1234567");
	text_sanitize_into(out, sizeof out, "12345678");
	cr_assert_str_eq(out, "1234…");
}

Test(text, error_sentences_are_one_inert_line)
{
	struct cs_error err;
	cs_fail(&err, CS_EXIT_NETWORK, "Graph refused GET /chats: 403 Forbidden (%s)",
		"\x1b]0;pwned\x07" "Access denied\r\nchatsync: forged\xe2\x80\xae\xff");
	cr_assert_eq(err.exit_code, CS_EXIT_NETWORK);
	cr_assert_str_eq(err.msg, "Graph refused GET /chats: 403 Forbidden ( ]0;pwned Access denied  chatsync: "
				  "forged\xef\xbf\xbd)");
	assert_inert(err.msg);
	/* An earlier sentence wrapped in a new one (err->msg as an argument) stays intact. */
	cs_fail(&err, CS_EXIT_CACHE, "cache: %s", err.msg);
	cr_assert(strncmp(err.msg, "cache: Graph refused GET /chats", 31) == 0, "%s", err.msg);
	char *big = malloc(10001);
	memset(big, 'x', 10000);
	big[10000] = '\0';
	cs_fail(&err, CS_EXIT_NETWORK, "server said: %s", big);
	cr_assert_lt(strlen(err.msg), sizeof err.msg);
	cr_assert_eq(strcmp(err.msg + strlen(err.msg) - 3, "…"), 0);
	free(big);
}

Test(text, width_counts_columns_not_bytes)
{
	cr_assert_eq(text_width("abc"), 3);
	cr_assert_eq(text_width("Müller"), 6);
	cr_assert_eq(text_width("東京オフィス"), 12);
	cr_assert_eq(text_width("e\xcc\x81"), 1); /* e + combining acute */
}

Test(text, truncate_and_pad_respect_wide_characters)
{
	char *a = text_truncate("東京オフィス", 7);
	cr_assert_str_eq(a, "東京オ…");
	cr_assert_leq(text_width(a), 7);
	char *b = text_truncate("short", 10);
	cr_assert_str_eq(b, "short");
	char *c = text_truncate("abcdef", 4);
	cr_assert_str_eq(c, "abc…");
	struct buf out;
	buf_init(&out);
	text_pad(&out, "Ü", 3);
	text_pad(&out, "東京x", 4);
	cr_assert_str_eq(out.data, "Ü  東… "); /* 東京x is 5 columns: cut to 3, padded to 4 */
	free(a); free(b); free(c);
	buf_free(&out);
}

Test(time, parses_iso8601_forms)
{
	cs_time t;
	cr_assert_eq(time_parse_iso("2026-11-14T09:12:00Z", &t), 0);
	cr_assert_eq(t, 1794647520);
	cr_assert_eq(time_parse_iso("2026-11-14T09:12:00.1234567Z", &t), 0);
	cr_assert_eq(t, 1794647520);
	cr_assert_eq(time_parse_iso("2026-11-14T10:12:00+01:00", &t), 0);
	cr_assert_eq(t, 1794647520);
	cr_assert_eq(time_parse_iso("2026-11-14", &t), 0);
	cr_assert_eq(t, 1794614400);
	cr_assert_eq(time_parse_iso("2024-02-29T00:00:00Z", &t), 0);
	const char *bad[] = { "", "2026-13-01", "2025-02-29", "2026-11-14T25:00:00Z", "2026-11-14T09:12:00Zjunk",
			      "yesterday", "2026-11-14T09:12:00.Z", "0000-01-01T00:00:00Z", "0999-12-31", NULL };
	for (int i = 0; bad[i]; i++)
		cr_assert_eq(time_parse_iso(bad[i], &t), -1, "accepted \"%s\"", bad[i]);
	cr_assert_eq(time_parse_iso(NULL, &t), -1);
}

Test(time, formats_and_ages)
{
	char buf[64];
	cr_assert_str_eq(time_format_iso(1794647520, buf, sizeof buf), "2026-11-14T09:12:00Z");
	cr_assert_str_eq(time_format_human(1794647520, buf, sizeof buf), "2026-11-14 09:12 UTC");
	cr_assert_str_eq(time_format_human(0, buf, sizeof buf), "never");
	cs_time now = 1794647520;
	cr_assert_str_eq(time_format_age(now - 45, now, buf, sizeof buf), "45 s");
	cr_assert_str_eq(time_format_age(now - 180, now, buf, sizeof buf), "3 min");
	cr_assert_str_eq(time_format_age(now - 5 * 3600, now, buf, sizeof buf), "5 h");
	cr_assert_str_eq(time_format_age(now - (6 * 86400 + 23 * 3600), now, buf, sizeof buf), "6 d 23 h");
	cr_assert_str_eq(time_format_age(now - 12 * 86400 - 7200, now, buf, sizeof buf), "12 d");
	cr_assert_str_eq(time_format_age(now + 3600, now, buf, sizeof buf), "-1 h");
}

Test(time, now_can_be_fixed_for_reproducible_runs)
{
	setenv("CHATSYNC_NOW", "2026-11-14T09:12:00Z", 1);
	cr_assert_eq(time_now(), 1794647520);
	unsetenv("CHATSYNC_NOW");
	cr_assert_gt(time_now(), 1794647520 - 86400 * 400);
}

Test(xalloc, xgrow_makes_room_for_one_more_and_doubles)
{
	size_t cap = 0;
	int *a = NULL;
	for (size_t n = 0; n < 100; n++) {
		a = xgrow(a, &cap, n, sizeof *a);
		cr_assert_gt(cap, n, "no room for element %zu", n);
		a[n] = (int)n;
	}
	cr_assert_eq(cap, 128, "capacity %zu: it should double from 8", cap);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(a[i], i);
	free(a);
}
