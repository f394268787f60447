/* ISO 8601 times as servers write them: a time parsed formats back to one that parses to the
 * same second, for the years time_format_iso writes with four digits (1000-9999). Outside them the
 * parser accepts what the formatter cannot write back (a known gap, reported: "0000-01-01" shows as
 * "0-01-01T00:00:00Z"). */
#include "config.h"
#include "fuzz.h"
#include "base/timefmt.h"
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	cs_time t;
	if (time_parse_iso(s, &t) == 0) {
		char iso[64], human[64], age[64];
		time_format_iso(t, iso, sizeof iso);
		time_format_human(t, human, sizeof human);
		time_format_age(t, 1794647520, age, sizeof age);
		cs_time back;
		bool four_digit_year = t >= -30610224000LL && t <= 253402300799LL;
		if (t != 0 && four_digit_year && (time_parse_iso(iso, &back) != 0 || back != t))
			abort();
	}
	free(s);
	return 0;
}
