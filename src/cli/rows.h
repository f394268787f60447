/* The contract's JSON rows (DESIGN.md "JSON shapes") for environments and chats, built once here
 * and used by envs, chats and diagnose. */
#ifndef CHATSYNC_ROWS_H
#define CHATSYNC_ROWS_H
#include <cjson/cJSON.h>
#include "core/model.h"

cJSON *rows_env_json(const struct cs_env *env, int chat_count);
/* Why the Teams-chat prerequisite ("Turn on Microsoft Teams chats inside Dynamics 365", without which
 * chat sync cannot be turned on) is shown as unknown: Microsoft documents the admin setting but no table
 * or column behind it (src/sandbox/INTERFACE.md, "Teams chat prerequisite"), so chatsync reads none and
 * guesses none. */
const char *rows_teams_chat_reason(void);
cJSON *rows_chat_json(const struct cs_chat *chat, const struct cs_env *env, cs_time now);
/* Whole days since modifiedinteamson, -1 when unknown. */
long rows_age_days(const struct cs_chat *chat, cs_time now);
/* A JSON string that is valid UTF-8 (NULL → JSON null). */
cJSON *rows_string(const char *s);
cJSON *rows_time(cs_time t);   /* ISO 8601 UTC or null */

#endif
