#include "config.h"
#include "sandbox/odata.h"
#include "sandbox/util.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_FUNC };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE };
enum func { F_CONTAINS, F_STARTSWITH, F_ENDSWITH };

struct sb_filter {
	enum node_kind kind;
	struct sb_filter *l, *r;
	int field;
	enum sb_vtype ftype;
	int op;                  /* cmp_op or func */
	struct sb_val lit;
	char *lit_text;          /* owns lit.s */
};

enum tok_kind { T_END, T_IDENT, T_STRING, T_NUMBER, T_GUID, T_DATE, T_LPAREN, T_RPAREN, T_COMMA, T_BAD };

struct lexer {
	const char *p;
	enum tok_kind kind;
	char *text;              /* current token's text (owned) */
	sb_resolve_fn resolve;
	const void *ctx;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct lexer *lx, const char *fmt, ...)
{
	if (!lx->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err, lx->errlen, fmt, ap);
		va_end(ap);
	}
	lx->failed = true;
}

static bool is_guid_at(const char *p)
{
	return strlen(p) >= 36 && sb_is_guid(p, 36) && !isalnum((unsigned char)p[36]) && p[36] != '-';
}

static bool is_date_at(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	       isdigit((unsigned char)p[3]) && p[4] == '-' && isdigit((unsigned char)p[5]);
}

static void next(struct lexer *lx)
{
	free(lx->text);
	lx->text = NULL;
	while (isspace((unsigned char)*lx->p))
		lx->p++;
	const char *p = lx->p, *start = p;
	if (!*p) {
		lx->kind = T_END;
		return;
	}
	if (*p == '(' || *p == ')' || *p == ',') {
		lx->kind = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN : T_COMMA;
		lx->p++;
		return;
	}
	if (*p == '\'') {
		struct buf b;
		buf_init(&b);
		buf_add(&b, "", 0);
		for (p++;; p++) {
			if (!*p) {
				buf_free(&b);
				lx->kind = T_BAD;
				fail(lx, "Syntax error: unterminated string literal");
				return;
			}
			if (*p == '\'') {
				if (p[1] == '\'') {
					buf_add(&b, "'", 1);
					p++;
					continue;
				}
				p++;
				break;
			}
			buf_add(&b, p, 1);
		}
		lx->text = buf_steal(&b);
		lx->kind = T_STRING;
		lx->p = p;
		return;
	}
	if (is_guid_at(p)) {
		lx->text = xstrndup(p, 36);
		lx->kind = T_GUID;
		lx->p = p + 36;
		return;
	}
	if (is_date_at(p)) {
		while (*p && !isspace((unsigned char)*p) && *p != ')' && *p != ',')
			p++;
		lx->text = xstrndup(start, (size_t)(p - start));
		lx->kind = T_DATE;
		lx->p = p;
		return;
	}
	if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		lx->text = xstrndup(start, (size_t)(p - start));
		lx->kind = T_NUMBER;
		lx->p = p;
		return;
	}
	if (isalpha((unsigned char)*p) || *p == '_' || *p == '@') {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '/' || *p == '.' || *p == '@')
			p++;
		lx->text = xstrndup(start, (size_t)(p - start));
		lx->kind = T_IDENT;
		lx->p = p;
		return;
	}
	lx->kind = T_BAD;
	lx->text = xstrndup(p, 1);
	fail(lx, "Syntax error at '%s'", lx->text);
}

static const char *type_name(enum sb_vtype t)
{
	static const char *const names[] = { "null", "Edm.String", "Edm.Int32", "Edm.Boolean", "Edm.DateTimeOffset",
		"Edm.Guid" };
	return names[t];
}

static struct sb_filter *parse_or(struct lexer *lx);

/* A literal token into n->lit, checked against the field's declared type. */
static void literal(struct lexer *lx, struct sb_filter *n)
{
	enum sb_vtype lt;
	switch (lx->kind) {
	case T_STRING:
		lt = SB_V_STR;
		n->lit_text = xstrdup(lx->text);
		n->lit.s = n->lit_text;
		break;
	case T_GUID:
		lt = SB_V_GUID;
		n->lit_text = xstrdup(lx->text);
		n->lit.s = n->lit_text;
		break;
	case T_NUMBER:
		lt = SB_V_INT;
		n->lit.i = strtoll(lx->text, NULL, 10);
		break;
	case T_DATE: {
		lt = SB_V_TIME;
		int64_t t;
		if (sb_parse_iso(lx->text, &t) < 0) {
			fail(lx, "Syntax error: '%s' is not a valid date-time", lx->text);
			return;
		}
		n->lit.i = t;
		break;
	}
	case T_IDENT:
		if (!strcmp(lx->text, "null")) {
			lt = SB_V_NULL;
			break;
		}
		if (!strcmp(lx->text, "true") || !strcmp(lx->text, "false")) {
			lt = SB_V_BOOL;
			n->lit.i = !strcmp(lx->text, "true");
			break;
		}
		fail(lx, "Syntax error: '%s' is not a literal; the right side of a comparison must be a value", lx->text);
		return;
	default:
		fail(lx, "Syntax error: a value is missing after an operator");
		return;
	}
	n->lit.t = lt;
	if (lt != SB_V_NULL && lt != n->ftype) {
		char msg[200];
		snprintf(msg, sizeof msg, "A binary operator with incompatible types was detected. Found operand types "
				"'%s' and '%s'.", type_name(n->ftype), type_name(lt));
		fail(lx, "%s", msg);
		return;
	}
	next(lx);
}

static int resolve_field(struct lexer *lx, const char *name, enum sb_vtype *type)
{
	int idx = -1;
	int t = lx->resolve(lx->ctx, name, &idx);
	if (t < 0) {
		fail(lx, "Could not find a property named '%s' on the type being queried.", name);
		return -1;
	}
	*type = (enum sb_vtype)t;
	return idx;
}

static struct sb_filter *parse_func(struct lexer *lx, int func)
{
	struct sb_filter *n = xcalloc(1, sizeof *n);
	n->kind = N_FUNC;
	n->op = func;
	next(lx);
	if (lx->kind != T_LPAREN) {
		fail(lx, "Syntax error: '(' expected after the function name");
		return n;
	}
	next(lx);
	if (lx->kind != T_IDENT) {
		fail(lx, "Syntax error: a property name is expected as the first argument");
		return n;
	}
	n->field = resolve_field(lx, lx->text, &n->ftype);
	if (lx->failed)
		return n;
	if (n->ftype != SB_V_STR) {
		fail(lx, "The function's first argument must be of type Edm.String (property '%s').", lx->text);
		return n;
	}
	next(lx);
	if (lx->kind != T_COMMA) {
		fail(lx, "Syntax error: ',' expected between function arguments");
		return n;
	}
	next(lx);
	literal(lx, n);
	if (!lx->failed && lx->kind != T_RPAREN)
		fail(lx, "Syntax error: ')' expected");
	if (!lx->failed)
		next(lx);
	return n;
}

static struct sb_filter *parse_unary(struct lexer *lx)
{
	if (lx->failed)
		return NULL;
	if (lx->kind == T_LPAREN) {
		next(lx);
		struct sb_filter *n = parse_or(lx);
		if (!lx->failed && lx->kind != T_RPAREN)
			fail(lx, "Syntax error: ')' expected");
		if (!lx->failed)
			next(lx);
		return n;
	}
	if (lx->kind != T_IDENT) {
		fail(lx, "Syntax error: a property name is expected%s", lx->kind == T_END ? " at the end of $filter" : "");
		return NULL;
	}
	if (!strcmp(lx->text, "not")) {
		next(lx);
		struct sb_filter *n = xcalloc(1, sizeof *n);
		n->kind = N_NOT;
		n->l = parse_unary(lx);
		return n;
	}
	static const char *const funcs[] = { "contains", "startswith", "endswith" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(lx->text, funcs[i]))
			return parse_func(lx, i);
	struct sb_filter *n = xcalloc(1, sizeof *n);
	n->kind = N_CMP;
	n->field = resolve_field(lx, lx->text, &n->ftype);
	if (lx->failed)
		return n;
	next(lx);
	static const char *const ops[] = { "eq", "ne", "lt", "gt", "le", "ge" };
	n->op = -1;
	if (lx->kind == T_IDENT)
		for (int i = 0; i < 6; i++)
			if (!strcmp(lx->text, ops[i]))
				n->op = i;
	if (n->op < 0) {
		fail(lx, "Syntax error: a comparison operator (eq, ne, lt, gt, le, ge) is expected%s",
				lx->text ? "" : " at the end of $filter");
		return n;
	}
	next(lx);
	literal(lx, n);
	return n;
}

static struct sb_filter *parse_and(struct lexer *lx)
{
	struct sb_filter *l = parse_unary(lx);
	while (!lx->failed && lx->kind == T_IDENT && !strcmp(lx->text, "and")) {
		next(lx);
		struct sb_filter *n = xcalloc(1, sizeof *n);
		n->kind = N_AND;
		n->l = l;
		n->r = parse_unary(lx);
		l = n;
	}
	return l;
}

static struct sb_filter *parse_or(struct lexer *lx)
{
	struct sb_filter *l = parse_and(lx);
	while (!lx->failed && lx->kind == T_IDENT && !strcmp(lx->text, "or")) {
		next(lx);
		struct sb_filter *n = xcalloc(1, sizeof *n);
		n->kind = N_OR;
		n->l = l;
		n->r = parse_and(lx);
		l = n;
	}
	return l;
}

struct sb_filter *sb_filter_parse(const char *text, sb_resolve_fn resolve, const void *ctx, char *err, size_t errlen)
{
	struct lexer lx = { .p = text, .resolve = resolve, .ctx = ctx, .err = err, .errlen = errlen };
	next(&lx);
	struct sb_filter *f = parse_or(&lx);
	if (!lx.failed && lx.kind != T_END)
		fail(&lx, "Syntax error: unexpected '%s' after the end of the expression", lx.text ? lx.text : ")");
	free(lx.text);
	if (lx.failed) {
		sb_filter_free(f);
		return NULL;
	}
	return f;
}

void sb_filter_free(struct sb_filter *f)
{
	if (!f)
		return;
	sb_filter_free(f->l);
	sb_filter_free(f->r);
	free(f->lit_text);
	free(f);
}

int sb_val_cmp(const struct sb_val *a, const struct sb_val *b)
{
	if (a->t == SB_V_NULL || b->t == SB_V_NULL)
		return (a->t != SB_V_NULL) - (b->t != SB_V_NULL);
	if (a->t == SB_V_STR || a->t == SB_V_GUID)
		return strcasecmp(a->s ? a->s : "", b->s ? b->s : "");
	return (a->i > b->i) - (a->i < b->i);
}

static bool has_substr_ci(const char *hay, const char *needle, int func)
{
	size_t hn = strlen(hay), nn = strlen(needle);
	if (nn > hn)
		return false;
	if (func == F_STARTSWITH)
		return !strncasecmp(hay, needle, nn);
	if (func == F_ENDSWITH)
		return !strcasecmp(hay + hn - nn, needle);
	for (size_t i = 0; i + nn <= hn; i++)
		if (!strncasecmp(hay + i, needle, nn))
			return true;
	return false;
}

const char *sb_filter_required_eq(const struct sb_filter *f, int field)
{
	if (!f)
		return NULL;
	if (f->kind == N_AND) {
		const char *l = sb_filter_required_eq(f->l, field);
		return l ? l : sb_filter_required_eq(f->r, field);
	}
	if (f->kind == N_CMP && f->op == OP_EQ && f->field == field && (f->lit.t == SB_V_STR || f->lit.t == SB_V_GUID))
		return f->lit.s;
	return NULL;
}

bool sb_filter_eval(const struct sb_filter *f, sb_field_fn get, const void *ctx, size_t row)
{
	switch (f->kind) {
	case N_AND:
		return sb_filter_eval(f->l, get, ctx, row) && sb_filter_eval(f->r, get, ctx, row);
	case N_OR:
		return sb_filter_eval(f->l, get, ctx, row) || sb_filter_eval(f->r, get, ctx, row);
	case N_NOT:
		return !sb_filter_eval(f->l, get, ctx, row);
	case N_FUNC: {
		struct sb_val v;
		get(ctx, row, f->field, &v);
		if (v.t == SB_V_NULL || f->lit.t == SB_V_NULL)
			return false;
		return has_substr_ci(v.s ? v.s : "", f->lit.s, f->op);
	}
	case N_CMP: {
		struct sb_val v;
		get(ctx, row, f->field, &v);
		bool vnull = v.t == SB_V_NULL, lnull = f->lit.t == SB_V_NULL;
		if (vnull || lnull) {
			if (f->op == OP_EQ)
				return vnull && lnull;
			if (f->op == OP_NE)
				return vnull != lnull;
			return false;
		}
		int c = sb_val_cmp(&v, &f->lit);
		switch (f->op) {
		case OP_EQ: return c == 0;
		case OP_NE: return c != 0;
		case OP_LT: return c < 0;
		case OP_GT: return c > 0;
		case OP_LE: return c <= 0;
		default: return c >= 0;
		}
	}
	}
	return false;
}

int sb_select_parse(const char *text, sb_resolve_fn resolve, const void *ctx, int **idx, size_t *n, char *err,
		size_t errlen)
{
	*idx = NULL;
	*n = 0;
	char *copy = xstrdup(text), *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*w))
			w++;
		size_t len = strlen(w);
		while (len && isspace((unsigned char)w[len - 1]))
			w[--len] = '\0';
		int i = -1;
		if (!*w || resolve(ctx, w, &i) < 0) {
			snprintf(err, errlen, "Could not find a property named '%s' on the type being queried.", w);
			free(copy);
			free(*idx);
			*idx = NULL;
			*n = 0;
			return -1;
		}
		*idx = xrealloc(*idx, (*n + 1) * sizeof **idx);
		(*idx)[(*n)++] = i;
	}
	free(copy);
	return 0;
}

int sb_orderby_parse(const char *text, sb_resolve_fn resolve, const void *ctx, struct sb_order *out, int max,
		char *err, size_t errlen)
{
	int count = 0;
	char *copy = xstrdup(text), *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char name[128] = "", dir[16] = "";
		int got = sscanf(w, " %127s %15s", name, dir);
		int i = -1, t = got >= 1 ? resolve(ctx, name, &i) : -1;
		if (count >= max || t < 0 || (got == 2 && strcmp(dir, "asc") && strcmp(dir, "desc"))) {
			snprintf(err, errlen, count >= max ? "Too many $orderby keys." :
				 "Could not find a property named '%s' on the type being queried.", name);
			free(copy);
			return -1;
		}
		out[count++] = (struct sb_order){ i, (enum sb_vtype)t, got == 2 && !strcmp(dir, "desc") };
	}
	free(copy);
	return count;
}

void sb_prefer_parse(const char *header, struct sb_prefer *p)
{
	memset(p, 0, sizeof *p);
	if (!header)
		return;
	char *copy = xstrdup(header), *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*w))
			w++;
		const char *v;
		if ((v = sb_skip_prefix(w, "odata.maxpagesize="))) {
			p->maxpagesize = atoi(v);
		} else if (!strncasecmp(w, "odata.track-changes", 19)) {
			p->track_changes = true;
		} else if ((v = sb_skip_prefix(w, "odata.include-annotations="))) {
			if (strstr(v, "*")) {
				p->formatted = p->all_annotations = true;
			} else if (strstr(v, "OData.Community.Display.V1.FormattedValue")) {
				p->formatted = true;
			}
		} else if (!strncasecmp(w, "return=representation", 21)) {
			p->return_representation = true;
		} else if (!strncasecmp(w, "odata.continue-on-error", 23)) {
			p->continue_on_error = true;
		}
	}
	free(copy);
}
