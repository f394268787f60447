/* Entra's token and device-code answers, as the sign-in takes them: access_token, expires_in (a
 * number or a string, of any size), refresh_token; device_code, user_code, verification_uri,
 * interval, expires_in, message. The first byte picks the answer. Whatever the numbers, a token
 * taken must expire in the future and be renewed before it expires.
 *
 * The answers are read inside the sign-in's callbacks (auth/auth.c has no separate parser), so this
 * harness compiles that file in to reach them. */
#include "config.h"
#include "fuzz.h"
#include "../../src/auth/auth.c"
#include "core/conf.h"

static struct conf conf;

static void no_prompt(const char *message, const char *user_code, const char *uri, void *user)
{
	(void)message; (void)user_code; (void)uri; (void)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct cs_error err = { 0 };
	if (!conf.n_profiles &&
	    conf_parse(&conf, "fuzz", "[profile f]\ntenant = t\nclient_id = c\nauth = client-secret\n"
				      "authority = http://127.0.0.1:9\n", &err) != 0)
		abort();
	/* Nothing is sent: requests a callback queues are cancelled by net_close. */
	const struct auth_opts opts = { .token_dir = "/nonexistent", .prompt = no_prompt };
	struct net *net = auth_net_open(&conf.profiles[0], &(struct net_opts){ 0 }, &opts, &err);
	if (!net)
		abort();
	struct auth *a = auth_new(net, &conf.profiles[0], &opts, &err);
	if (!a)
		abort();
	struct tok *t = tok_get(a, "https://graph.microsoft.com");
	struct net_response resp = { .method = "POST", .url = "http://127.0.0.1:9/t/oauth2/v2.0/token", .status = 200,
				     .body = NULL, .body_len = size - 1, .client_request_id = "c", .attempts = 1 };
	char *body = fuzz_cstr(data + 1, size - 1);
	resp.body = body;
	if (data[0] & 1) {
		time_t before = time(NULL);
		if (take_token(a, t, &resp, &err) == 0) {
			if (!t->access || t->expires <= before || t->refresh_at > t->expires)
				abort();
		} else {
			fuzz_check_sentence(&err);
		}
	} else {
		a->dev.active = true;
		a->dev.resource = xstrdup(t->resource);
		t->fetching = true;
		on_devicecode(a, &resp);
		if (a->dev.active && !(a->dev.interval > 0 && a->dev.deadline > net_now()))
			abort(); /* a sign-in that waits must poll, and end */
	}
	net_close(net);
	auth_free(a);
	free(body);
	return 0;
}
