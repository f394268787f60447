#include "config.h"
#include "api/json_util.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <string.h>

cJSON *ju_parse_object(const char *body, const char *what, struct cs_error *err)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		cs_fail(err, CS_EXIT_NETWORK, _("the answer to %s is not the JSON object expected (truncated or malformed; "
						"run again, or with -v -v to see it)"), what);
		return NULL;
	}
	return root;
}

const char *ju_str_ref(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *ju_str(const cJSON *o, const char *key)
{
	return xstrdup(ju_str_ref(o, key));
}

int ju_int(const cJSON *o, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v) && v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0)
		return (int)v->valuedouble;
	return dflt;
}

int ju_bool(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? CS_TRUE : CS_FALSE;
	if (cJSON_IsString(v)) { /* the teamsAppSettings docs print the boolean as a string */
		if (strcmp(v->valuestring, "true") == 0)
			return CS_TRUE;
		if (strcmp(v->valuestring, "false") == 0)
			return CS_FALSE;
	}
	return CS_UNKNOWN;
}

cs_time ju_time(const cJSON *o, const char *key)
{
	const char *s = ju_str_ref(o, key);
	cs_time t;
	return s && time_parse_iso(s, &t) == 0 ? t : 0;
}

const cJSON *ju_value_array(const cJSON *root, const char *what, struct cs_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(v)) {
		cs_fail(err, CS_EXIT_NETWORK, _("the answer to %s has no \"value\" list (truncated or malformed; run again)"),
			what);
		return NULL;
	}
	return v;
}

const cJSON *ju_collection(const char *body, const char *what, cJSON **root, struct cs_error *err)
{
	*root = ju_parse_object(body, what, err);
	if (!*root)
		return NULL;
	const cJSON *arr = ju_value_array(*root, what, err);
	if (!arr) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	return arr;
}
