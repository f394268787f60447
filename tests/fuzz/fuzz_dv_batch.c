/* Dataverse $batch answers (multipart/mixed): the first line is the Content-Type header's value
 * (its boundary), the rest the body; an empty first line means "take the boundary from the body". */
#include "config.h"
#include "fuzz.h"
#include "api/dv_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *all = fuzz_cstr(data, size);
	char *nl = strchr(all, '\n');
	const char *content_type = NULL, *body = all;
	if (nl) {
		*nl = '\0';
		content_type = *all ? all : NULL;
		body = nl + 1;
	}
	struct dv_batch_part *parts;
	size_t n;
	struct cs_error err = { 0 };
	if (dv_parse_batch(content_type, body, &parts, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!parts[i].body)
				abort(); /* the header promises a body, possibly empty */
		dv_batch_parts_free(parts, n);
	} else {
		fuzz_check_sentence(&err);
	}
	free(all);
	return 0;
}
