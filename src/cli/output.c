#include "config.h"
#include "cli/output.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void out_table_init(struct out_table *t, const char **headers, size_t n_cols, int flex_col)
{
	memset(t, 0, sizeof *t);
	t->headers = headers;
	t->n_cols = n_cols;
	t->flex_col = flex_col;
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

void out_table_print(const struct out_table *t, FILE *f, size_t width)
{
	size_t *w = xcalloc(t->n_cols, sizeof *w);
	for (size_t c = 0; c < t->n_cols; c++) {
		w[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->n_rows; r++) {
			size_t cw = text_width(t->cells[r * t->n_cols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	}
	if (width) {
		/* Shrink the flexible column first, then the widest ones, never below 4 columns. */
		size_t total = 0;
		for (size_t c = 0; c < t->n_cols; c++)
			total += w[c] + (c ? 2 : 0);
		while (total > width) {
			size_t pick = t->n_cols;
			if (t->flex_col >= 0 && w[t->flex_col] > 12)
				pick = (size_t)t->flex_col;
			for (size_t c = 0; pick == t->n_cols && c < t->n_cols; c++)
				if (w[c] > 4 && (pick == t->n_cols || w[c] > w[pick]))
					pick = c;
			for (size_t c = 0; pick < t->n_cols && pick != (size_t)t->flex_col && c < t->n_cols; c++)
				if (w[c] > w[pick])
					pick = c;
			if (pick == t->n_cols || w[pick] <= 4)
				break;
			w[pick]--;
			total--;
		}
	}
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
		fprintf(f, "%s\n", line.data);
	}
	buf_free(&line);
	free(w);
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

void out_csv(cJSON *rows, const char *const *keys, FILE *f)
{
	for (size_t k = 0; keys[k]; k++)
		fprintf(f, "%s%s", k ? "," : "", keys[k]);
	fputs("\r\n", f);
	const cJSON *row;
	cJSON_ArrayForEach(row, rows) {
		for (size_t k = 0; keys[k]; k++) {
			if (k)
				fputc(',', f);
			csv_value(f, cJSON_GetObjectItemCaseSensitive(row, keys[k]));
		}
		fputs("\r\n", f);
	}
	cJSON_Delete(rows);
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
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 0)
		return (size_t)atoi(cols);
	return 0;
}

void out_json(cJSON *doc, FILE *f)
{
	char *s = cJSON_PrintUnformatted(doc);
	if (s) {
		fputs(s, f);
		fputc('\n', f);
		free(s);
	}
	cJSON_Delete(doc);
}
