/* Dataverse $batch (multipart/mixed) of GET requests: one round trip for many small reads. */
#ifndef CHATSYNC_DV_BATCH_H
#define CHATSYNC_DV_BATCH_H
#include <stddef.h>
#include "base/error.h"

#define DV_BATCH_MAX 1000 /* requests per $batch (DOMAIN.md) */

/* The body of a $batch of GETs of urls (absolute; each part's request line gets the URL's path and
 * query). *content_type gets the matching header value. Caller owns both. */
char *dv_batch_body(char *const *urls, size_t n, char **content_type);

struct dv_batch_part {
	int status;   /* the inner response's HTTP status */
	char *body;   /* its body (NUL-terminated, possibly empty) */
};
/* Splits a $batch response. content_type: the response's Content-Type (its boundary), or NULL to take
 * the boundary from the body's first delimiter line. */
int dv_parse_batch(const char *content_type, const char *body, struct dv_batch_part **parts, size_t *n,
		   struct cs_error *err);
void dv_batch_parts_free(struct dv_batch_part *parts, size_t n);

#endif
