#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
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
			      "yesterday", "2026-11-14T09:12:00.Z", NULL };
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
