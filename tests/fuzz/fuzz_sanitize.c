/* The one sanitiser: whatever goes in, what comes out is valid UTF-8 without controls or bidi
 * overrides, capped, and the same when sanitised again; the fixed-buffer form stays inside its
 * buffer and cuts at a character. */
#include "config.h"
#include "fuzz.h"
#include "base/text.h"

static void check_inert(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
			abort();
		if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size);
	size_t cap = size ? data[0] % 64 : 0;
	char *a = text_sanitize_n(in, cap);
	check_inert(a);
	char *b = text_sanitize_n(a, cap);
	if (strcmp(a, b) != 0)
		abort();
	char *c = text_sanitize(in);
	check_inert(c);
	char fixed[24];
	text_sanitize_into(fixed, sizeof fixed, in);
	if (strnlen(fixed, sizeof fixed) == sizeof fixed)
		abort();
	check_inert(fixed);
	size_t w = text_width(c);
	char *cut = text_truncate(c, cap);
	if (text_width(cut) > (cap > w ? w : cap) + 0)
		abort();
	free(cut);
	free(a);
	free(b);
	free(c);
	free(in);
	return 0;
}
