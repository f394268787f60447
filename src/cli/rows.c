#include "config.h"
#include "cli/rows.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/timefmt.h"
#include <stdlib.h>

cJSON *rows_string(const char *s)
{
	if (!s)
		return cJSON_CreateNull();
	char *clean = text_sanitize(s);
	cJSON *j = cJSON_CreateString(clean);
	free(clean);
	return j;
}

cJSON *rows_time(cs_time t)
{
	char iso[32];
	return t ? cJSON_CreateString(time_format_iso(t, iso, sizeof iso)) : cJSON_CreateNull();
}

long rows_age_days(const struct cs_chat *chat, cs_time now)
{
	if (!chat->modified_in_teams_on)
		return -1;
	cs_time age = now - chat->modified_in_teams_on;
	return age < 0 ? 0 : (long)(age / 86400);
}

cJSON *rows_env_json(const struct cs_env *e, int chat_count)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", rows_string(e->id));
	cJSON_AddItemToObject(o, "unique_name", rows_string(e->unique_name));
	cJSON_AddItemToObject(o, "friendly_name", rows_string(e->friendly_name));
	cJSON_AddItemToObject(o, "url", rows_string(e->url));
	cJSON_AddStringToObject(o, "state", e->state == 0 ? "enabled" : "disabled");
	if (e->sync_enabled == CS_UNKNOWN)
		cJSON_AddNullToObject(o, "sync_enabled");
	else
		cJSON_AddBoolToObject(o, "sync_enabled", e->sync_enabled == CS_TRUE);
	cJSON_AddNumberToObject(o, "inactivity_days", cs_env_inactivity_days(e));
	cJSON_AddNumberToObject(o, "chat_count", chat_count < 0 ? 0 : chat_count);
	cJSON_AddItemToObject(o, "refreshed_at", rows_time(e->refreshed_at));
	cJSON_AddItemToObject(o, "last_error", rows_string(e->last_error));
	cJSON_AddNullToObject(o, "teams_chat"); /* unknown: see rows_teams_chat_reason */
	cJSON_AddStringToObject(o, "teams_chat_reason", rows_teams_chat_reason());
	return o;
}

const char *rows_teams_chat_reason(void)
{
	return _("no documented source: Microsoft documents the admin setting but no table or column a client can "
		 "read");
}

cJSON *rows_chat_json(const struct cs_chat *c, const struct cs_env *env, cs_time now)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "environment", rows_string(env ? env->unique_name : c->env_id));
	cJSON_AddItemToObject(o, "activity_id", rows_string(c->activity_id));
	cJSON_AddItemToObject(o, "teams_chat_id", rows_string(c->teams_chat_id));
	cJSON_AddItemToObject(o, "subject", rows_string(c->subject));
	cJSON_AddStringToObject(o, "state", cs_chat_state_name(c->state));
	const char *sync = cs_sync_status_name(c->sync_status);
	cJSON_AddItemToObject(o, "sync_status", sync ? cJSON_CreateString(sync) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "modified_in_teams_on", rows_time(c->modified_in_teams_on));
	long age = rows_age_days(c, now);
	cJSON_AddItemToObject(o, "age_days", age < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)age));
	cJSON_AddItemToObject(o, "linked_on", rows_time(c->linked_on));
	cJSON_AddItemToObject(o, "unlinked_on", rows_time(c->unlinked_on));
	cJSON_AddItemToObject(o, "regarding_type", rows_string(c->regarding_type));
	cJSON_AddItemToObject(o, "regarding_id", rows_string(c->regarding_id));
	cJSON *parts = cJSON_AddArrayToObject(o, "participants");
	for (size_t i = 0; i < c->n_parties; i++)
		cJSON_AddItemToArray(parts, rows_string(c->parties[i].name));
	return o;
}
