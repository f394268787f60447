/* The Dataverse tables the sandbox serves, described once: columns (names and types as the Web API
 * shows them), how to reach row N in primary-key order, and each cell's value, formatted value and
 * lookup target. dv.c builds every answer from these descriptions. */
#ifndef CHATSYNC_SANDBOX_DV_TABLES_H
#define CHATSYNC_SANDBOX_DV_TABLES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sandbox/odata.h"
#include "sandbox/tenant.h"

enum dv_col_flags { DV_LOOKUP = 1, DV_OPTION = 2 };

struct dv_col {
	const char *name;
	enum sb_vtype type;
	unsigned flags;
};

struct dv_cell {
	struct sb_val v;
	const char *formatted;       /* FormattedValue annotation, NULL when none */
	const char *lookup_table;    /* lookuplogicalname for DV_LOOKUP columns */
	char buf[96];                /* storage for formatted text */
};

struct dv_rowctx {
	const struct sb_tenant *t;
	const struct sb_env *e;
	const struct dv_table *tb;
};

struct dv_table {
	enum sb_table id;
	const char *set, *entity;    /* "chats", "chat" */
	const struct dv_col *cols;   /* cols[0] is the primary key */
	int ncols;
	size_t (*count)(const struct sb_env *e);
	size_t (*at)(const struct sb_env *e, size_t pos);     /* row of the pos-th key */
	bool (*live)(const struct sb_env *e, size_t row);
	uint64_t (*version)(const struct sb_env *e, size_t row);
	void (*get)(const struct dv_rowctx *c, size_t row, int col, struct dv_cell *out);
};

const struct dv_table *dv_table_by_set(const char *set);
const struct dv_table *dv_table_by_id(enum sb_table id);
/* Row whose key is key (case-insensitive), live or not. 0 or -1. */
int dv_find(const struct sb_tenant *t, const struct sb_env *e, const struct dv_table *tb, const char *key,
		size_t *row);
/* The rows of tb that can hold f, in key order (into rows, room for tb's count), found through an
 * index instead of a walk over every row: a chat's participants (f asks for one activity). -1 when
 * the table has no index for f: every row is a candidate. */
size_t dv_rows_about(const struct sb_tenant *t, const struct sb_env *e, const struct dv_table *tb,
		     const struct sb_filter *f, size_t *rows);
/* odata.h callbacks: resolve's ctx is the table; field's ctx is a struct dv_rowctx. */
int dv_resolve(const void *table, const char *field, int *index);
void dv_field(const void *rowctx, size_t row, int index, struct sb_val *out);

#endif
