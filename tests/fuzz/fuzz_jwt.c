/* ID tokens as Entra hands them over: chatsync decodes the JWT's header and payload to tell who
 * is signed in (access tokens are opaque and never decoded). */
#include "config.h"
#include "fuzz.h"
#include "auth/jwt.h"
#include <cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = fuzz_cstr(data, size);
	for (int part = 0; part < 2; part++)
		cJSON_Delete(jwt_decode(token, part));
	free(token);
	return 0;
}
