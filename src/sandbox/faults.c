#include "config.h"
#include "sandbox/faults.h"
#include "sandbox/server.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec {
	long latency_ms, jitter_ms, slow_body_ms;
	double p429, p503, reset, truncate, malformed;
	bool expire_tokens;
	long redirect, retry_after, trickle_bps;
	char *location, *json_key, *json_value;
	char *path;
	long count;              /* -1: unlimited */
};

struct sb_faults {
	pthread_mutex_t mu;
	struct spec *specs;
	size_t n;
};

struct sb_faults *sb_faults_new(void)
{
	struct sb_faults *f = xcalloc(1, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	return f;
}

static void spec_free(struct spec *s)
{
	free(s->path);
	free(s->location);
	free(s->json_key);
	free(s->json_value);
}

void sb_faults_clear(struct sb_faults *f)
{
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->n; i++)
		spec_free(&f->specs[i]);
	free(f->specs);
	f->specs = NULL;
	f->n = 0;
	pthread_mutex_unlock(&f->mu);
}

void sb_faults_free(struct sb_faults *f)
{
	if (!f)
		return;
	sb_faults_clear(f);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* Sets one key of s from text; the one parser both forms use. */
static int set_key(struct spec *s, const char *k, const char *v, char *err, size_t errlen)
{
	char *end = NULL;
	struct { const char *name; long *l; double *d; } keys[] = {
		{ "latency_ms", &s->latency_ms, NULL }, { "jitter_ms", &s->jitter_ms, NULL },
		{ "slow_body_ms", &s->slow_body_ms, NULL }, { "count", &s->count, NULL },
		{ "redirect", &s->redirect, NULL }, { "retry_after", &s->retry_after, NULL },
		{ "trickle_bps", &s->trickle_bps, NULL },
		{ "p429", NULL, &s->p429 }, { "p503", NULL, &s->p503 }, { "reset", NULL, &s->reset },
		{ "truncate", NULL, &s->truncate }, { "malformed", NULL, &s->malformed },
	};
	struct { const char *name; char **field; size_t max; } strs[] = {
		{ "path", &s->path, 4096 }, { "location", &s->location, 511 }, { "json_key", &s->json_key, 63 },
		{ "json_value", &s->json_value, 1023 },
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (strcmp(k, strs[i].name))
			continue;
		if (strlen(v) > strs[i].max)
			goto bad;
		if (!strcmp(k, "json_value")) { /* must be JSON, or the rewrite could not apply it */
			cJSON *j = cJSON_Parse(v);
			cJSON_Delete(j);
			if (!j)
				goto bad;
		}
		free(*strs[i].field);
		*strs[i].field = xstrdup(v);
		return 0;
	}
	if (!strcmp(k, "expire_tokens")) {
		if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
			goto bad;
		s->expire_tokens = !strcmp(v, "true") || !strcmp(v, "1");
		return 0;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(k, keys[i].name))
			continue;
		if (keys[i].l) {
			long n = strtol(v, &end, 10);
			if (!*v || *end || n < 0 || n > 600000)
				goto bad;
			*keys[i].l = n;
		} else {
			double d = strtod(v, &end);
			if (!*v || *end || !(d >= 0 && d <= 1))
				goto bad;
			*keys[i].d = d;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown fault key \"%s\" (latency_ms, jitter_ms, p429, p503, reset, truncate, "
			      "malformed, slow_body_ms, expire_tokens, redirect, location, retry_after, json_key, "
			      "json_value, trickle_bps, path, count)", k);
	return -1;
bad:
	snprintf(err, errlen, "bad value \"%s\" for fault key \"%s\"", v, k);
	return -1;
}

static void push(struct sb_faults *f, struct spec *s)
{
	if (s->redirect && !s->location)
		s->location = xstrdup("/");
	pthread_mutex_lock(&f->mu);
	f->specs = xrealloc(f->specs, (f->n + 1) * sizeof *f->specs);
	f->specs[f->n++] = *s;
	pthread_mutex_unlock(&f->mu);
}

int sb_faults_add_spec(struct sb_faults *f, const char *text, char *err, size_t errlen)
{
	struct spec s = { .count = -1 };
	char *copy = xstrdup(text), *save = NULL;
	int rc = 0;
	for (char *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq) {
			snprintf(err, errlen, "fault \"%s\" is not key=value", item);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = set_key(&s, item, eq + 1, err, errlen);
	}
	free(copy);
	if (!rc && s.redirect && (s.redirect < 300 || s.redirect > 399)) {
		snprintf(err, errlen, "redirect must be a 3xx status, not %ld", s.redirect);
		rc = -1;
	}
	if (rc) {
		spec_free(&s);
		return -1;
	}
	push(f, &s);
	return 0;
}

int sb_faults_add_json(struct sb_faults *f, const cJSON *j, char *err, size_t errlen)
{
	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "the body must be a JSON object of fault keys");
		return -1;
	}
	struct spec s = { .count = -1 };
	const cJSON *it;
	cJSON_ArrayForEach(it, j) {
		char num[64];
		const char *v;
		if (cJSON_IsString(it))
			v = it->valuestring;
		else if (cJSON_IsBool(it))
			v = cJSON_IsTrue(it) ? "true" : "false";
		else if (cJSON_IsNumber(it)) {
			if (it->valuedouble == (double)(long)it->valuedouble)
				snprintf(num, sizeof num, "%ld", (long)it->valuedouble);
			else
				snprintf(num, sizeof num, "%.17g", it->valuedouble);
			v = num;
		} else {
			snprintf(err, errlen, "bad value for fault key \"%s\"", it->string);
			spec_free(&s);
			return -1;
		}
		if (set_key(&s, it->string, v, err, errlen)) {
			spec_free(&s);
			return -1;
		}
	}
	if (s.redirect && (s.redirect < 300 || s.redirect > 399)) {
		snprintf(err, errlen, "redirect must be a 3xx status, not %ld", s.redirect);
		spec_free(&s);
		return -1;
	}
	push(f, &s);
	return 0;
}

cJSON *sb_faults_json(struct sb_faults *f)
{
	cJSON *a = cJSON_CreateArray();
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->n; i++) {
		struct spec *s = &f->specs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "latency_ms", (double)s->latency_ms);
		cJSON_AddNumberToObject(o, "jitter_ms", (double)s->jitter_ms);
		cJSON_AddNumberToObject(o, "p429", s->p429);
		cJSON_AddNumberToObject(o, "p503", s->p503);
		cJSON_AddNumberToObject(o, "reset", s->reset);
		cJSON_AddNumberToObject(o, "truncate", s->truncate);
		cJSON_AddNumberToObject(o, "malformed", s->malformed);
		cJSON_AddNumberToObject(o, "slow_body_ms", (double)s->slow_body_ms);
		cJSON_AddBoolToObject(o, "expire_tokens", s->expire_tokens);
		if (s->redirect) {
			cJSON_AddNumberToObject(o, "redirect", (double)s->redirect);
			cJSON_AddStringToObject(o, "location", s->location);
		}
		if (s->retry_after)
			cJSON_AddNumberToObject(o, "retry_after", (double)s->retry_after);
		if (s->trickle_bps)
			cJSON_AddNumberToObject(o, "trickle_bps", (double)s->trickle_bps);
		if (s->json_key) {
			cJSON_AddStringToObject(o, "json_key", s->json_key);
			cJSON_AddStringToObject(o, "json_value", s->json_value ? s->json_value : "null");
		}
		if (s->path)
			cJSON_AddStringToObject(o, "path", s->path);
		if (s->count >= 0)
			cJSON_AddNumberToObject(o, "count", (double)s->count);
		cJSON_AddItemToArray(a, o);
	}
	pthread_mutex_unlock(&f->mu);
	return a;
}

void sb_faults_pick(struct sb_faults *f, const char *path, struct sb_fault_hit *hit)
{
	memset(hit, 0, sizeof *hit);
	if (!strncmp(path, "/_sandbox", 9))
		return;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->n; i++) {
		struct spec *s = &f->specs[i];
		if (s->count == 0 || (s->path && !strstr(path, s->path)))
			continue;
		if (s->count > 0)
			s->count--;
		hit->latency_ms += s->latency_ms + (s->jitter_ms ? (long)(sb_random_unit() * (double)s->jitter_ms) : 0);
		hit->e429 |= s->p429 > 0 && sb_random_unit() < s->p429;
		hit->e503 |= s->p503 > 0 && sb_random_unit() < s->p503;
		hit->reset |= s->reset > 0 && sb_random_unit() < s->reset;
		hit->truncate |= s->truncate > 0 && sb_random_unit() < s->truncate;
		hit->malformed |= s->malformed > 0 && sb_random_unit() < s->malformed;
		hit->slow_body_ms += s->slow_body_ms;
		hit->expire_tokens |= s->expire_tokens;
		if (s->redirect) {
			hit->redirect = (int)s->redirect;
			snprintf(hit->location, sizeof hit->location, "%s", s->location);
		}
		if (s->retry_after)
			hit->retry_after = s->retry_after;
		if (s->trickle_bps)
			hit->trickle_bps = s->trickle_bps;
		if (s->json_key) {
			snprintf(hit->json_key, sizeof hit->json_key, "%s", s->json_key);
			snprintf(hit->json_value, sizeof hit->json_value, "%s", s->json_value ? s->json_value : "null");
		}
	}
	pthread_mutex_unlock(&f->mu);
}

bool sb_faults_answer(const struct sb_fault_hit *hit, const struct sb_req *rq, struct sb_resp *rs)
{
	if (!hit->redirect)
		return false;
	struct buf loc;
	buf_init(&loc);
	const char *p = hit->location, *mark;
	while ((mark = strstr(p, "{path}")) != NULL) {
		buf_add(&loc, p, (size_t)(mark - p));
		buf_adds(&loc, rq->path);
		if (rq->query && *rq->query)
			buf_printf(&loc, "?%s", rq->query);
		p = mark + 6;
	}
	buf_adds(&loc, p);
	sb_resp_header(rs, "Location", "%s", loc.data);
	buf_free(&loc);
	sb_resp_text(rs, hit->redirect, "text/plain", "moved\n");
	return true;
}

/* The member that name ("a" or "a.b") points at in o, creating nothing. */
static cJSON *member_parent(cJSON *o, const char *name, const char **last)
{
	const char *dot = strchr(name, '.');
	*last = name;
	if (!dot)
		return o;
	char *head = xstrndup(name, (size_t)(dot - name));
	cJSON *inner = cJSON_GetObjectItemCaseSensitive(o, head);
	free(head);
	return cJSON_IsObject(inner) ? member_parent(inner, dot + 1, last) : NULL;
}

void sb_faults_rewrite(const struct sb_fault_hit *hit, struct sb_resp *rs)
{
	if (hit->retry_after > 0 && (rs->status == 429 || rs->status == 503)) {
		char v[24];
		snprintf(v, sizeof v, "%ld", hit->retry_after);
		sb_kv_set(&rs->headers, "Retry-After", v);
	}
	if (!hit->json_key[0] || !rs->body.len)
		return;
	cJSON *o = cJSON_ParseWithLength(rs->body.data, rs->body.len);
	const char *last;
	cJSON *parent = cJSON_IsObject(o) ? member_parent(o, hit->json_key, &last) : NULL;
	cJSON *value = cJSON_Parse(hit->json_value);
	if (parent && value && cJSON_GetObjectItemCaseSensitive(parent, last)) {
		cJSON_ReplaceItemInObjectCaseSensitive(parent, last, value);
		value = NULL;
		char *text = cJSON_PrintUnformatted(o);
		rs->body.len = 0;
		buf_adds(&rs->body, text);
		cJSON_free(text);
	}
	cJSON_Delete(value);
	cJSON_Delete(o);
}
