/* Error bodies of every service (Graph's and Dataverse's {"error":{...}}, Entra's error and
 * error_description) and the sentence made of them for each status a server may send: the sentence
 * must stay one inert line however hostile the body. The first byte picks status and service. */
#include "config.h"
#include "fuzz.h"
#include "net/neterr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const long statuses[] = { 400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 504, 200 };
	static const char *const services[] = { "Graph", "Dataverse", "Entra ID", "Global Discovery" };
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	struct neterr_body eb;
	if (neterr_parse(body, len, &eb) != 0 && (eb.code[0] || eb.message[0]))
		abort(); /* "out is then all empty" */
	if (strnlen(eb.message, sizeof eb.message) == sizeof eb.message ||
	    strnlen(eb.code, sizeof eb.code) == sizeof eb.code)
		abort();
	struct neterr_ctx ctx = {
		.service = services[(data[0] >> 4) % 4],
		.method = "GET",
		.url = "https://graph.microsoft.com/v1.0/chats/19:abc@thread.v2/installedApps",
		.status = statuses[(data[0] & 15) % 12],
		.body = body,
		.body_len = len,
		.request_id = "11111111-2222-3333-4444-555555555555",
		.client_request_id = "c",
		.needs = "TeamsAppInstallation.ReadForChat.All",
		.attempts = 1 + (data[0] & 3),
	};
	struct cs_error err = { 0 };
	if (neterr_http(&err, &ctx) != -1)
		abort();
	fuzz_check_sentence(&err);
	char *url = fuzz_cstr(data + 1, len);
	free(neterr_short_path(url));
	free(url);
	return 0;
}
