/* Tables that fit the terminal, CSV, and JSON printing for the read commands. */
#ifndef CHATSYNC_OUTPUT_H
#define CHATSYNC_OUTPUT_H
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct out_table {
	size_t n_cols;
	const char **headers;   /* borrowed */
	int flex_col;           /* the column that shrinks first to fit the width (-1: none) */
	char **cells;           /* n_rows * n_cols, owned, sanitised */
	size_t n_rows, cap;
};

void out_table_init(struct out_table *t, const char **headers, size_t n_cols, int flex_col);
/* Adds a row of n_cols strings (NULL prints as "-"); the strings are copied and sanitised. */
void out_table_row(struct out_table *t, const char *const *cells);
/* Writes the table to f in at most width columns (0: no limit). */
void out_table_print(const struct out_table *t, FILE *f, size_t width);
void out_table_free(struct out_table *t);

/* The width to fit: the terminal's when stdout is one, else $COLUMNS, else 0 (no limit). */
size_t out_width(void);
/* Writes a JSON array of row objects as RFC 4180 CSV: a header of the given keys (the JSON keys: stable
 * in every language), then one line per row; strings as they are, numbers, true/false, empty for null,
 * arrays joined with "; ". Frees rows. */
void out_csv(cJSON *rows, const char *const *keys, FILE *f);
/* Prints a JSON document and a newline; frees it. */
void out_json(cJSON *doc, FILE *f);

#endif
