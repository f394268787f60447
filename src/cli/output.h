/* Tables that fit the terminal, CSV, and JSON printing for the read commands. */
#ifndef CHATSYNC_OUTPUT_H
#define CHATSYNC_OUTPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

/* How a column gives way when a table is wider than the terminal. */
enum out_col {
	OUT_COL_FIT = 0,  /* shrinks after the flexible columns, widest first, to 4 columns */
	OUT_COL_FLEX = 1, /* the subject: shrinks first */
	OUT_COL_ID = 2,   /* an id a user pastes into another command: never cut */
};

struct out_table {
	size_t n_cols;
	const char **headers;   /* borrowed */
	const int *cols;        /* enum out_col per column, borrowed; NULL: all OUT_COL_FIT */
	char **cells;           /* n_rows * n_cols, owned, sanitised */
	size_t n_rows, cap;
};

void out_table_init(struct out_table *t, const char **headers, size_t n_cols, const int *cols);
/* Adds a row of n_cols strings (NULL prints as "-"); the strings are copied and sanitised. */
void out_table_row(struct out_table *t, const char *const *cells);
/* Writes the table to f in at most width columns (0: no limit, nothing cut): the flexible columns
 * shrink first, then the others but ids, which stay whole even if the line must then wrap. No line
 * ends in spaces. */
void out_table_print(const struct out_table *t, FILE *f, size_t width);
void out_table_free(struct out_table *t);

/* The width to fit: the terminal's when stdout is one (else $COLUMNS, else 80); 0 on a pipe or file,
 * where nothing is cut. */
size_t out_width(void);

/* Rows written as they come, as a JSON array or as RFC 4180 CSV (a header of the given keys, the JSON
 * keys: stable in every language; then one line per row: strings as they are, numbers, true/false,
 * empty for null, arrays joined with "; "). Nothing is held but the row being written. */
struct out_rows {
	FILE *f;
	bool csv;
	const char *const *keys; /* NULL-terminated, borrowed; the CSV columns */
	size_t n;
};
void out_rows_begin(struct out_rows *w, FILE *f, bool csv, const char *const *keys);
void out_rows_add(struct out_rows *w, cJSON *row);  /* writes and frees row */
void out_rows_end(struct out_rows *w);

/* A JSON array of row objects as CSV, as out_rows writes it. Frees rows. */
void out_csv(cJSON *rows, const char *const *keys, FILE *f);
/* Prints a JSON document and a newline; frees it. */
void out_json(cJSON *doc, FILE *f);
/* Prints v (a string, number, null...) as JSON, for documents written piece by piece; frees it. */
void out_json_value(cJSON *v, FILE *f);

#endif
