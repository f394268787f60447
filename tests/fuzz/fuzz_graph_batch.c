/* Microsoft Graph JSON $batch answers: each response's id, status, Retry-After and body. */
#include "config.h"
#include "fuzz.h"
#include "api/graph_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_cstr(data, size);
	struct graph_batch_item *items;
	size_t n;
	struct cs_error err = { 0 };
	if (graph_parse_batch(body, &items, &n, &err) == 0) {
		graph_batch_items_free(items, n);
	} else {
		fuzz_check_sentence(&err);
	}
	free(body);
	return 0;
}
