#include "config.h"
#include "base/error.h"
#include <stdarg.h>
#include <stdio.h>

int cs_fail(struct cs_error *err, int exit_code, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
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
