#include "config.h"
#include "cli/output.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* A flexible column keeps at least this many (its header may then be cut): enough to tell rows apart. */
#define FLEX_MIN 12
#define FIT_MIN 4

void out_table_init(struct out_table *t, const char **headers, size_t n_cols, const int *cols)
{
	memset(t, 0, sizeof *t);
	t->headers = headers;
	t->n_cols = n_cols;
	t->cols = cols;
}

void out_table_row(struct out_table *t, const char *const *cells)
{
	if (t->n_rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, t->cap * t->n_cols * sizeof *t->cells);
	}
	for (size_t i = 0; i < t->n_cols; i++)
		t->cells[t->n_rows * t->n_cols + i] = text_sanitize(cells[i] ? cells[i] : "-");
	t->n_rows++;
}

static int col_kind(const struct out_table *t, size_t c)
{
	return t->cols ? t->cols[c] : OUT_COL_FIT;
}

/* Takes one column from the widest column of a kind that is still above its floor; false if none is. */
static bool shrink_one(const struct out_table *t, size_t *w, int kind, size_t floor)
{
	size_t pick = t->n_cols;
	for (size_t c = 0; c < t->n_cols; c++)
		if (col_kind(t, c) == kind && w[c] > floor && (pick == t->n_cols || w[c] > w[pick]))
			pick = c;
	if (pick == t->n_cols)
		return false;
	w[pick]--;
	return true;
}

void out_table_print(const struct out_table *t, FILE *f, size_t width)
{
	size_t *w = xcalloc(t->n_cols, sizeof *w);
	size_t total = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		w[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->n_rows; r++) {
			size_t cw = text_width(t->cells[r * t->n_cols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
		total += w[c] + (c ? 2 : 0);
	}
	/* The subject gives way first. The other columns but ids give way only if that makes the table fit:
	 * where ids alone are wider than the terminal, squeezing the state and the verdict too would lose
	 * them and still leave a line that wraps. */
	size_t least = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		int kind = col_kind(t, c);
		size_t floor = kind == OUT_COL_FLEX ? FLEX_MIN : kind == OUT_COL_FIT ? FIT_MIN : w[c];
		least += (w[c] < floor ? w[c] : floor) + (c ? 2 : 0);
	}
	while (width && total > width &&
	       (shrink_one(t, w, OUT_COL_FLEX, FLEX_MIN) ||
		(least <= width && shrink_one(t, w, OUT_COL_FIT, FIT_MIN))))
		total--;
	struct buf line;
	buf_init(&line);
	for (size_t r = 0; r <= t->n_rows; r++) {
		line.len = 0;
		buf_add(&line, "", 0);
		for (size_t c = 0; c < t->n_cols; c++) {
			const char *s = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->n_cols + c];
			if (c)
				buf_adds(&line, "  ");
			if (c + 1 == t->n_cols) {
				char *cut = text_truncate(s, w[c]);
				buf_adds(&line, cut);
				free(cut);
			} else {
				text_pad(&line, s, w[c]);
			}
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		fprintf(f, "%s\n", line.data);
	}
	buf_free(&line);
	free(w);
}

void out_table_free(struct out_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

size_t out_width(void)
{
	if (!isatty(STDOUT_FILENO))
		return 0;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 0)
		return (size_t)atoi(cols);
	return 80;
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_value(FILE *f, const cJSON *v)
{
	char num[32];
	if (cJSON_IsString(v)) {
		csv_field(f, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof num, "%.15g", v->valuedouble);
		fputs(num, f);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "true" : "false", f);
	} else if (cJSON_IsArray(v)) {
		struct buf b;
		buf_init(&b);
		buf_add(&b, "", 0);
		const cJSON *x;
		cJSON_ArrayForEach(x, v)
			if (cJSON_IsString(x))
				buf_printf(&b, "%s%s", b.len ? "; " : "", x->valuestring);
		csv_field(f, b.data);
		buf_free(&b);
	}
}

void out_rows_begin(struct out_rows *w, FILE *f, bool csv, const char *const *keys)
{
	w->f = f;
	w->csv = csv;
	w->keys = keys;
	w->n = 0;
	if (csv) {
		for (size_t k = 0; keys[k]; k++)
			fprintf(f, "%s%s", k ? "," : "", keys[k]);
		fputs("\r\n", f);
	} else {
		fputc('[', f);
	}
}

void out_rows_add(struct out_rows *w, cJSON *row)
{
	if (w->csv) {
		for (size_t k = 0; w->keys[k]; k++) {
			if (k)
				fputc(',', w->f);
			csv_value(w->f, cJSON_GetObjectItemCaseSensitive(row, w->keys[k]));
		}
		fputs("\r\n", w->f);
	} else {
		if (w->n)
			fputc(',', w->f);
		char *s = cJSON_PrintUnformatted(row);
		if (s)
			fputs(s, w->f);
		free(s);
	}
	w->n++;
	cJSON_Delete(row);
}

void out_rows_end(struct out_rows *w)
{
	if (!w->csv)
		fputs("]\n", w->f);
}

void out_csv(cJSON *rows, const char *const *keys, FILE *f)
{
	struct out_rows w;
	out_rows_begin(&w, f, true, keys);
	cJSON *row;
	while ((row = cJSON_DetachItemFromArray(rows, 0)))
		out_rows_add(&w, row);
	out_rows_end(&w);
	cJSON_Delete(rows);
}

void out_json(cJSON *doc, FILE *f)
{
	out_json_value(doc, f);
	fputc('\n', f);
}

void out_json_value(cJSON *v, FILE *f)
{
	char *s = cJSON_PrintUnformatted(v);
	if (s)
		fputs(s, f);
	free(s);
	cJSON_Delete(v);
}
