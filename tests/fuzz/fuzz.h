/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): each defines LLVMFuzzerTestOneInput,
 * which libFuzzer calls under clang (./configure --enable-fuzzing CC=clang; make fuzz) and which
 * replay.c calls over the kept corpus and every crash found, in the ordinary build (make check).
 * A harness feeds one parser what a hostile server could send and checks what must hold whatever
 * the input: no crash, no leak, no undefined behaviour, and an error sentence that is one inert
 * line. Anything else is abort(), which both drivers report. */
#ifndef CHATSYNC_TEST_FUZZ_H
#define CHATSYNC_TEST_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the NUL-terminated string the parsers take (an inner NUL ends it early, as it
 * would for a body handed on as a C string). Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An error sentence must be one line with nothing a terminal would act on. */
static inline void fuzz_check_sentence(const struct cs_error *err)
{
	size_t len = strnlen(err->msg, sizeof err->msg);
	if (len == sizeof err->msg)
		abort(); /* not terminated */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)err->msg[i];
		if (c < 0x20 || c == 0x7f)
			abort();
		if (c == 0xc2 && i + 1 < len && (unsigned char)err->msg[i + 1] >= 0x80 &&
		    (unsigned char)err->msg[i + 1] <= 0x9f)
			abort(); /* a C1 control */
	}
}

#endif
