/* OData query options as Dataverse and Graph read them: $filter (comparisons eq ne lt gt le ge,
 * and/or/not, parentheses, contains/startswith/endswith), $select lists, $orderby and the Prefer
 * header. Fields are resolved once at parse time through a callback, so evaluation over 100,000
 * rows does no string lookups. */
#ifndef CHATSYNC_SANDBOX_ODATA_H
#define CHATSYNC_SANDBOX_ODATA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_vtype { SB_V_NULL, SB_V_STR, SB_V_INT, SB_V_BOOL, SB_V_TIME, SB_V_GUID };

struct sb_val {
	enum sb_vtype t;
	int64_t i;               /* INT, BOOL (0/1), TIME (Unix seconds) */
	const char *s;           /* STR, GUID */
};

/* Declared type of field (an enum sb_vtype, never SB_V_NULL) and its index, or -1 if unknown. */
typedef int (*sb_resolve_fn)(const void *ctx, const char *field, int *index);
/* The value of field index for row (SB_V_NULL for null). */
typedef void (*sb_field_fn)(const void *ctx, size_t row, int index, struct sb_val *out);

struct sb_filter;
/* NULL with err ("...") on a syntax error, an unknown field or incompatible operand types. */
struct sb_filter *sb_filter_parse(const char *text, sb_resolve_fn resolve, const void *ctx, char *err, size_t errlen);
bool sb_filter_eval(const struct sb_filter *f, sb_field_fn get, const void *ctx, size_t row);
void sb_filter_free(struct sb_filter *f);
/* The literal that field must equal for f to hold (f is, or has among its and-ed terms, "field eq
 * 'x'" on a string or GUID), or NULL: an index may then find f's rows without a walk over all. */
const char *sb_filter_required_eq(const struct sb_filter *f, int field);

/* "$select=a,b": field indexes into *idx (caller frees). -1 with err naming an unknown field. */
int sb_select_parse(const char *text, sb_resolve_fn resolve, const void *ctx, int **idx, size_t *n, char *err,
		size_t errlen);

/* "$orderby=a desc,b": keys into out (at most max). Returns count, or -1 with err. */
struct sb_order {
	int index;
	enum sb_vtype type;
	bool desc;
};
int sb_orderby_parse(const char *text, sb_resolve_fn resolve, const void *ctx, struct sb_order *out, int max,
		char *err, size_t errlen);
int sb_val_cmp(const struct sb_val *a, const struct sb_val *b);   /* nulls first; strings case-insensitive */

/* The Prefer header (several may be comma-joined). */
struct sb_prefer {
	int maxpagesize;         /* 0: not given */
	bool track_changes;
	bool formatted;          /* FormattedValue annotations wanted */
	bool all_annotations;    /* odata.include-annotations="*" */
	bool return_representation;
	bool continue_on_error;
};
void sb_prefer_parse(const char *header, struct sb_prefer *p);

#endif
