#include "config.h"
#include "net/retry.h"
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void retry_policy_default(struct retry_policy *p, double scale)
{
	if (!(scale > 0))
		scale = 1.0;
	p->max_retries = 3;
	/* Throttling is the service asking us to slow down, not failing: a few more tries are
	 * cheap because each waits as long as asked, and the total cap still bounds the wait. */
	p->max_retries_throttled = 10;
	p->base_s = 3.0 * scale;
	p->max_delay_s = 60.0 * scale;
	p->total_cap_s = 180.0 * scale;
}

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
					    "jul", "aug", "sep", "oct", "nov", "dec" };

static int month_index(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (strncasecmp(s, month_names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); avoids timegm's TZ dependency. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool valid_hms(int h, int mi, int s)
{
	return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s <= 60;
}

/* The three date forms RFC 9110 says a recipient must accept: IMF-fixdate
 * "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime
 * "Sun Nov  6 08:49:37 1994". */
static int parse_http_date(const char *v, int64_t *out)
{
	char wk[16], mon[4], tz[4];
	int d, y, h, mi, s, n = 0;
	bool ok = sscanf(v, "%15[A-Za-z], %d %3s %d %d:%d:%d %3s%n", wk, &d, mon, &y, &h, &mi, &s, tz, &n) == 8 &&
		  strcasecmp(tz, "GMT") == 0 && y >= 1000;
	if (!ok) {
		n = 0;
		ok = sscanf(v, "%15[A-Za-z], %d-%3s-%d %d:%d:%d %3s%n", wk, &d, mon, &y, &h, &mi, &s, tz, &n) == 8 &&
		     strcasecmp(tz, "GMT") == 0;
		if (ok && y < 100) /* two-digit year: RFC 9110 reads it as the nearest past century */
			y += y < 70 ? 2000 : 1900;
	}
	if (!ok) {
		n = 0;
		ok = sscanf(v, "%15[A-Za-z] %3s %d %d:%d:%d %d%n", wk, mon, &d, &h, &mi, &s, &y, &n) == 7;
	}
	if (!ok)
		return -1;
	while (v[n] == ' ' || v[n] == '\t')
		n++;
	if (v[n] != '\0')
		return -1;
	int m = month_index(mon);
	if (!m || d < 1 || d > 31 || !valid_hms(h, mi, s))
		return -1;
	*out = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

double retry_after_parse(const char *value, time_t now)
{
	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (isdigit((unsigned char)*value)) {
		char *end;
		double secs = strtod(value, &end);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end == '\0' && isfinite(secs) && secs >= 0)
			return secs;
		return -1;
	}
	int64_t when;
	if (parse_http_date(value, &when) != 0)
		return -1;
	double delta = (double)(when - (int64_t)now);
	return delta > 0 ? delta : 0;
}

double retry_backoff(const struct retry_policy *p, int n, double unit_random)
{
	if (n < 1)
		n = 1;
	double delay = p->base_s * ldexp(1.0, n > 30 ? 30 : n - 1);
	if (delay > p->max_delay_s)
		delay = p->max_delay_s;
	if (!(unit_random >= 0) || unit_random >= 1)
		unit_random = 0;
	/* Half fixed, half random: spreads clients apart yet never retries immediately. */
	return delay / 2 + delay / 2 * unit_random;
}

bool retry_idempotent(const char *method, bool has_if_match, bool force)
{
	if (force)
		return true;
	if (!method)
		return true; /* GET */
	static const char *const safe[] = { "GET", "HEAD", "OPTIONS", "PUT", "DELETE" };
	for (size_t i = 0; i < sizeof safe / sizeof *safe; i++)
		if (strcasecmp(method, safe[i]) == 0)
			return true;
	return has_if_match && (strcasecmp(method, "PATCH") == 0 || strcasecmp(method, "POST") == 0);
}

enum retry_verdict retry_decide(const struct retry_policy *p, const struct retry_input *in, double *delay_s)
{
	int max = p->max_retries;
	bool throttled = false;
	switch (in->failure) {
	case RETRY_FAIL_FATAL:
		return RETRY_NOT_RETRYABLE;
	case RETRY_FAIL_BEFORE_SEND:
		break;
	case RETRY_FAIL_AFTER_SEND:
		if (!in->idempotent)
			return RETRY_UNSAFE;
		break;
	case RETRY_FAIL_NONE:
		if (in->status == 429) {
			throttled = true; /* refused before processing: safe for any method */
		} else if (in->status == 503) {
			throttled = in->retry_after_s >= 0; /* 503 means not processed */
		} else if (in->status == 504) {
			/* The gateway gave up waiting: the backend may still have applied it. */
			if (!in->idempotent)
				return RETRY_UNSAFE;
		} else {
			return RETRY_NOT_RETRYABLE;
		}
		break;
	}
	if (throttled)
		max = p->max_retries_throttled;
	if (in->retries_done >= max)
		return RETRY_EXHAUSTED;
	double delay = in->retry_after_s >= 0 ? in->retry_after_s
					      : retry_backoff(p, in->retries_done + 1, in->unit_random);
	if (in->elapsed_s + delay > p->total_cap_s)
		return RETRY_OUT_OF_TIME;
	*delay_s = delay;
	return RETRY_GO;
}
