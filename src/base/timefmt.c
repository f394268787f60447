#include "config.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar; timegm() without the TZ
 * dependency and valid for any year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int time_parse_iso(const char *s, cs_time *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = s;
	if (!s || read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' ||
	    read_digits(&p, 2, &d))
		return -1;
	/* Years before 1000 are no service's dates, and would not print back as four digits. */
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	int64_t offset = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (read_digits(&p, 2, &sec))
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (read_digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (read_digits(&p, 2, &om) || oh > 23 || om > 59)
				return -1;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return 0;
}

char *time_format_iso(cs_time t, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (t == 0)
		return buf;
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

char *time_format_human(cs_time t, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (t == 0) {
		snprintf(buf, n, "%s", "never");
		return buf;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	buf[0] = '\0';
	if (gmtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

char *time_format_age(cs_time t, cs_time now, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (t == 0) {
		snprintf(buf, n, "%s", "never");
		return buf;
	}
	int64_t s = now - t;
	const char *sign = "";
	if (s < 0) {
		sign = "-";
		s = -s;
	}
	if (s < 60)
		snprintf(buf, n, "%s%d s", sign, (int)s);
	else if (s < 3600)
		snprintf(buf, n, "%s%d min", sign, (int)(s / 60));
	else if (s < 86400)
		snprintf(buf, n, "%s%d h", sign, (int)(s / 3600));
	else if (s < 7 * 86400 && (s % 86400) / 3600 != 0)
		snprintf(buf, n, "%s%d d %d h", sign, (int)(s / 86400), (int)((s % 86400) / 3600));
	else
		snprintf(buf, n, "%s%lld d", sign, (long long)(s / 86400));
	return buf;
}

cs_time time_now(void)
{
	const char *fixed = getenv("CHATSYNC_NOW");
	cs_time t;
	if (fixed && *fixed && time_parse_iso(fixed, &t) == 0)
		return t;
	return (cs_time)time(NULL);
}

int time_parse_since(const char *s, cs_time now, cs_time *out)
{
	char *end;
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		long long unit = 0;
		if (end[0] && !end[1])
			unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400
			       : *end == 'w' ? 7 * 86400 : 0;
		if (unit && errno == 0 && v >= 0 && v <= 100LL * 365 * 86400 / unit) {
			*out = now - v * unit;
			return 0;
		}
	}
	return time_parse_iso(s, out);
}
