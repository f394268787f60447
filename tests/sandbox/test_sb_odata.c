/* The sandbox's own OData reading: $filter, $select, $orderby, Prefer; and its small helpers. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "sandbox/odata.h"
#include "sandbox/util.h"

/* A tiny table: name (string), n (int), ok (bool), t (time), g (guid). */
struct row {
	const char *name;
	int64_t n;
	bool ok;
	int64_t t;
	const char *g;
};

static const struct row rows[] = {
	{ "Überprüfung Angebot – Müller GmbH", 0, true, 1000, "0e226165-c685-41ce-8bfc-df8360ab325d" },
	{ "O'Brien renewal", 1, false, 2000, NULL },
	{ NULL, 2, true, 0, "11111111-2222-3333-4444-555555555555" },
};

static int resolve(const void *ctx, const char *f, int *idx)
{
	(void)ctx;
	static const char *const names[] = { "name", "n", "ok", "t", "g" };
	static const enum sb_vtype types[] = { SB_V_STR, SB_V_INT, SB_V_BOOL, SB_V_TIME, SB_V_GUID };
	for (int i = 0; i < 5; i++)
		if (!strcmp(names[i], f)) {
			*idx = i;
			return (int)types[i];
		}
	return -1;
}

static void field(const void *ctx, size_t r, int idx, struct sb_val *v)
{
	(void)ctx;
	const struct row *x = &rows[r];
	switch (idx) {
	case 0: v->t = x->name ? SB_V_STR : SB_V_NULL; v->s = x->name; break;
	case 1: v->t = SB_V_INT; v->i = x->n; break;
	case 2: v->t = SB_V_BOOL; v->i = x->ok; break;
	case 3: v->t = x->t ? SB_V_TIME : SB_V_NULL; v->i = x->t; break;
	default: v->t = x->g ? SB_V_GUID : SB_V_NULL; v->s = x->g; break;
	}
}

/* Bit mask of the rows the filter keeps. */
static int matches(const char *text)
{
	char err[256];
	struct sb_filter *f = sb_filter_parse(text, resolve, NULL, err, sizeof err);
	cr_assert_not_null(f, "\"%s\" did not parse: %s", text, err);
	int mask = 0;
	for (size_t i = 0; i < 3; i++)
		mask |= sb_filter_eval(f, field, NULL, i) << i;
	sb_filter_free(f);
	return mask;
}

Test(filter, comparison_operators)
{
	cr_expect_eq(matches("n eq 1"), 2);
	cr_expect_eq(matches("n ne 1"), 5);
	cr_expect_eq(matches("n lt 1"), 1);
	cr_expect_eq(matches("n gt 0"), 6);
	cr_expect_eq(matches("n le 1"), 3);
	cr_expect_eq(matches("n ge 2"), 4);
}

Test(filter, logic_parentheses_and_not)
{
	cr_expect_eq(matches("n eq 0 or n eq 2"), 5);
	cr_expect_eq(matches("ok eq true and n gt 0"), 4);
	cr_expect_eq(matches("not (ok eq true) or n eq 2"), 6);
	cr_expect_eq(matches("(n eq 0 or n eq 1) and ok eq false"), 2);
}

Test(filter, literals_strings_dates_guids_null)
{
	cr_expect_eq(matches("name eq 'O''Brien renewal'"), 2);
	cr_expect_eq(matches("name eq null"), 4);
	cr_expect_eq(matches("name ne null"), 3);
	cr_expect_eq(matches("t lt 1970-01-01T00:25:00Z"), 1);
	cr_expect_eq(matches("t ge 1970-01-01T00:20:00.000Z"), 2);
	cr_expect_eq(matches("g eq 0E226165-C685-41CE-8BFC-DF8360AB325D"), 1);
	cr_expect_eq(matches("contains(name,'renewal')"), 2);
	cr_expect_eq(matches("startswith(name,'Über')"), 1);
	cr_expect_eq(matches("endswith(name,'GMBH')"), 1);
}

Test(filter, errors_name_the_problem)
{
	char err[256];
	cr_expect_null(sb_filter_parse("nosuch eq 1", resolve, NULL, err, sizeof err));
	cr_expect(strstr(err, "nosuch"), "%s", err);
	cr_expect_null(sb_filter_parse("n eq 'x'", resolve, NULL, err, sizeof err));
	cr_expect(strstr(err, "incompatible"), "%s", err);
	cr_expect_null(sb_filter_parse("g eq '0e226165-c685-41ce-8bfc-df8360ab325d'", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("n eq", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("(n eq 1", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("n eq 1 n", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("name eq 'open", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("", resolve, NULL, err, sizeof err));
	cr_expect_null(sb_filter_parse("n like 1", resolve, NULL, err, sizeof err));
}

Test(select, lists_and_unknown_fields)
{
	int *idx;
	size_t n;
	char err[256];
	cr_assert_eq(sb_select_parse("g, name,n", resolve, NULL, &idx, &n, err, sizeof err), 0);
	cr_expect_eq(n, 3);
	cr_expect_eq(idx[0], 4);
	cr_expect_eq(idx[1], 0);
	cr_expect_eq(idx[2], 1);
	free(idx);
	cr_expect_eq(sb_select_parse("name,bogus", resolve, NULL, &idx, &n, err, sizeof err), -1);
	cr_expect(strstr(err, "bogus"));
	struct sb_order keys[4];
	cr_expect_eq(sb_orderby_parse("n desc,name", resolve, NULL, keys, 4, err, sizeof err), 2);
	cr_expect(keys[0].desc && !keys[1].desc && keys[0].index == 1);
	cr_expect_eq(sb_orderby_parse("n sideways", resolve, NULL, keys, 4, err, sizeof err), -1);
}

Test(prefer, combined_header)
{
	struct sb_prefer p;
	sb_prefer_parse("odata.include-annotations=\"*\", odata.maxpagesize=250,odata.track-changes", &p);
	cr_expect_eq(p.maxpagesize, 250);
	cr_expect(p.track_changes && p.formatted && p.all_annotations && !p.return_representation);
	sb_prefer_parse("odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\",return=representation", &p);
	cr_expect(p.formatted && !p.all_annotations && p.return_representation && p.maxpagesize == 0);
}

Test(util, iso_base64url_and_urls)
{
	int64_t t;
	cr_assert_eq(sb_parse_iso("2026-11-14T09:12:00Z", &t), 0);
	cr_expect_eq(t, 1794647520);
	cr_assert_eq(sb_parse_iso("2026-11-14T10:12:00.5+01:00", &t), 0);
	cr_expect_eq(t, 1794647520);
	cr_expect_eq(sb_parse_iso("2026-13-14T09:12:00Z", &t), -1);
	cr_expect_eq(sb_parse_iso("yesterday", &t), -1);
	char b[32];
	cr_expect_str_eq(sb_iso(1794647520, b, sizeof b), "2026-11-14T09:12:00Z");
	const unsigned char raw[] = { 0xfb, 0xff, 0x00, 0x41 };
	char *enc = sb_b64url(raw, sizeof raw);
	cr_expect_str_eq(enc, "-_8AQQ");
	size_t n;
	unsigned char *dec = sb_b64url_decode(enc, strlen(enc), &n);
	cr_assert_not_null(dec);
	cr_expect_eq(n, 4);
	cr_expect_eq(memcmp(dec, raw, 4), 0);
	free(dec);
	free(enc);
	cr_expect_null(sb_b64url_decode("a", 1, &n));
	cr_expect_null(sb_b64url_decode("ab$d", 4, &n));
	char *u = sb_url_decode("a%20b+c%2", 9, true);
	cr_expect_str_eq(u, "a b c%2");
	free(u);
	char *e = sb_url_encode("19:x@thread.v2 ü");
	cr_expect_str_eq(e, "19%3Ax%40thread.v2%20%C3%BC");
	free(e);
}
