/* Small cJSON readers shared by the Dataverse and Graph parsers (api-internal). */
#ifndef CHATSYNC_JSON_UTIL_H
#define CHATSYNC_JSON_UTIL_H
#include <cjson/cJSON.h>
#include "base/error.h"
#include "core/model.h"

/* Parses body as a JSON object; on failure fills err naming what was expected. */
cJSON *ju_parse_object(const char *body, const char *what, struct cs_error *err);
char *ju_str(const cJSON *o, const char *key);          /* a copy of a string member, NULL otherwise */
const char *ju_str_ref(const cJSON *o, const char *key); /* borrowed */
int ju_int(const cJSON *o, const char *key, int dflt);  /* a number member, dflt otherwise */
int ju_bool(const cJSON *o, const char *key);           /* CS_TRUE/CS_FALSE, CS_UNKNOWN when absent or null;
							   also the strings "true"/"false" */
cs_time ju_time(const cJSON *o, const char *key);       /* ISO 8601 string → time, 0 otherwise */
/* Parses an OData collection: *root gets the document (caller deletes it), the result is its
 * "value" array; NULL with err (and *root NULL) when the body is not one. */
const cJSON *ju_collection(const char *body, const char *what, cJSON **root, struct cs_error *err);
/* The same for a large page: its tree, and everything else cJSON allocates on this thread until
 * ju_page_done, comes from a few blocks that ju_page_done drops whole instead of cJSON_Delete.
 * Nothing from the tree may be kept past it; one page at a time per thread. */
const cJSON *ju_page(const char *body, const char *what, cJSON **root, struct cs_error *err);
void ju_page_done(cJSON *root);
/* The "value" array of an OData collection; NULL with err when missing. */
const cJSON *ju_value_array(const cJSON *root, const char *what, struct cs_error *err);

#endif
