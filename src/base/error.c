#include "config.h"
#include "base/error.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cs_fail(struct cs_error *err, int exit_code, const char *fmt, ...)
{
	if (!err)
		return -1;
	/* Formatted apart first: an argument may be err->msg itself (an earlier sentence wrapped). */
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	/* The sentence quotes servers, files and names: one line, nothing a terminal would obey. */
	text_sanitize_into(err->msg, sizeof err->msg, raw);
	free(raw);
	err->exit_code = exit_code;
	return -1;
}

void cs_error_clear(struct cs_error *err)
{
	if (err) {
		err->exit_code = 0;
		err->msg[0] = '\0';
	}
}
