/* Entra's error body (entra.h sb_entra_error), shared by entra.c and entra_authz.c; calls nothing
 * of theirs. */
#include "config.h"
#include "sandbox/entra.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void sb_entra_error(struct sb_resp *rs, int status, const char *error, int aadsts, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	char trace[37], corr[37], ts[32];
	sb_random_guid(trace);
	sb_random_guid(corr);
	time_t now = (time_t)sb_now();
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%SZ", &tm);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", error);
	char *desc = xasprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", aadsts, text,
			trace, corr, ts);
	cJSON_AddStringToObject(o, "error_description", desc);
	cJSON *codes = cJSON_AddArrayToObject(o, "error_codes");
	cJSON_AddItemToArray(codes, cJSON_CreateNumber(aadsts));
	cJSON_AddStringToObject(o, "timestamp", ts);
	cJSON_AddStringToObject(o, "trace_id", trace);
	cJSON_AddStringToObject(o, "correlation_id", corr);
	free(desc);
	free(text);
	sb_resp_header(rs, "Cache-Control", "no-store, no-cache");
	sb_resp_json(rs, status, o);
}
