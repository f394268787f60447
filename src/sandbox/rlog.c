#include "config.h"
#include "sandbox/rlog.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_STATUS 600

struct sb_rlog {
	pthread_mutex_t mu;
	FILE *f;
	unsigned long requests, throttled;
	unsigned long by_status[N_STATUS];
};

struct sb_rlog *sb_rlog_open(const char *path, char *err, size_t errlen)
{
	struct sb_rlog *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	if (path) {
		l->f = fopen(path, "a");
		if (!l->f) {
			snprintf(err, errlen, "cannot open the request log %s: %s", path, strerror(errno));
			pthread_mutex_destroy(&l->mu);
			free(l);
			return NULL;
		}
	}
	return l;
}

void sb_rlog_close(struct sb_rlog *l)
{
	if (!l)
		return;
	if (l->f)
		fclose(l->f);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void sb_rlog_record(struct sb_rlog *l, const char *method, const char *path, const char *query, int status,
		size_t bytes, double latency_ms, bool throttled, const char *client_request_id)
{
	char *line = NULL;
	if (l->f) {
		cJSON *o = cJSON_CreateObject();
		char t[32];
		cJSON_AddStringToObject(o, "t", sb_iso_ms(sb_now_frac(), t, sizeof t));
		cJSON_AddStringToObject(o, "method", method);
		cJSON_AddStringToObject(o, "path", path);
		if (query && *query) /* tests tell a delta read ($deltatoken) from a full one by it */
			cJSON_AddStringToObject(o, "query", query);
		cJSON_AddNumberToObject(o, "status", status);
		cJSON_AddNumberToObject(o, "bytes", (double)bytes);
		cJSON_AddNumberToObject(o, "latency_ms", (double)(long)(latency_ms * 10) / 10.0);
		cJSON_AddBoolToObject(o, "throttled", throttled);
		if (client_request_id)
			cJSON_AddStringToObject(o, "client_request_id", client_request_id);
		else
			cJSON_AddNullToObject(o, "client_request_id");
		line = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	}
	pthread_mutex_lock(&l->mu);
	if (strncmp(path, "/_sandbox", 9)) {
		l->requests++;
		l->throttled += throttled;
		if (status >= 0 && status < N_STATUS)
			l->by_status[status]++;
	}
	if (line) {
		fprintf(l->f, "%s\n", line);
		fflush(l->f);
	}
	pthread_mutex_unlock(&l->mu);
	cJSON_free(line);
}

cJSON *sb_rlog_stats(struct sb_rlog *l)
{
	cJSON *o = cJSON_CreateObject(), *by = cJSON_CreateObject();
	pthread_mutex_lock(&l->mu);
	cJSON_AddNumberToObject(o, "requests", (double)l->requests);
	cJSON_AddNumberToObject(o, "throttled", (double)l->throttled);
	for (int s = 0; s < N_STATUS; s++)
		if (l->by_status[s]) {
			char k[8];
			snprintf(k, sizeof k, "%d", s);
			cJSON_AddNumberToObject(by, k, (double)l->by_status[s]);
		}
	pthread_mutex_unlock(&l->mu);
	cJSON_AddItemToObject(o, "by_status", by);
	return o;
}

void sb_rlog_reset(struct sb_rlog *l)
{
	pthread_mutex_lock(&l->mu);
	l->requests = l->throttled = 0;
	memset(l->by_status, 0, sizeof l->by_status);
	pthread_mutex_unlock(&l->mu);
}
