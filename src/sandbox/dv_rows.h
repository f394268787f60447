/* What every Dataverse answer is built from, shared by the collection reads (dv.c), change-tracking
 * deltas (dv_delta.c) and $batch (dv_batch.c): a row as the Web API shows it, the context URL, links
 * that carry the request's own query options, delta tokens and the page size a request gets. */
#ifndef CHATSYNC_SANDBOX_DV_ROWS_H
#define CHATSYNC_SANDBOX_DV_ROWS_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include "sandbox/dv.h"
#include "sandbox/dv_tables.h"
#include "sandbox/odata.h"

#define DV_API_PREFIX "api/data/v9.2/"
/* The service's page size: the default, and the most a client may ask for with odata.maxpagesize. */
#define DV_MAX_PAGE 5000

/* One row: ETag, annotations before their value, the key always; sel NULL means every column. */
cJSON *dv_row_json(const struct dv_rowctx *c, size_t row, const int *sel, size_t nsel, const struct sb_prefer *pf);
/* "<env>/api/data/v9.2/$metadata#<set>(<select>)<suffix>". Caller frees. */
char *dv_context_url(const struct sb_env *e, const struct dv_table *tb, const char *select, const char *suffix);
/* The request's URL with its $skiptoken and $deltatoken dropped and the pairs of set (key, value,
 * ..., NULL) appended, values encoded. Caller frees. */
char *dv_link_with(const struct sb_env *e, const struct dv_table *tb, const struct sb_req *rq,
		const char *const *set);
/* A delta token for version: "<version>!MM/DD/YYYY HH:MM:SS" (the service's shape). */
void dv_delta_token(uint64_t version, char *buf, size_t len);
/* Rows per page for this request: odata.maxpagesize when given, never more than the service's
 * page size (5000, or the sandbox's --page-size). */
int dv_page_size(const struct sb_server *s, const struct sb_prefer *pf);

/* A $deltatoken answer, paged (dv_delta.c). */
void dv_delta_answer(struct dv_call *call, struct sb_req *rq, struct sb_resp *rs, const struct dv_rowctx *c,
		const int *sel, size_t nsel, const struct sb_prefer *pf, const char *token);

#endif
