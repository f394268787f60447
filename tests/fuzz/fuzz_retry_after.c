/* Retry-After values (delta-seconds, fractions, the three HTTP date forms): any answer is -1 or a
 * finite delay of at least 0. */
#include "config.h"
#include "fuzz.h"
#include "net/retry.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_cstr(data, size);
	double d = retry_after_parse(value, (time_t)1794647520);
	if (isnan(d) || isinf(d) || (d < 0 && d != -1))
		abort();
	free(value);
	return 0;
}
