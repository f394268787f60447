/* auth = browser end to end (issue 12): the authorization code flow with PKCE through the sandbox,
 * the address pasted on chatsync's terminal as over SSH (or sent to its loopback listener), state
 * and verifier checked; the toggle audited as the ID token's user; Conditional Access, MFA and
 * blocked flows answered by the sandbox's policy, each as one sentence with its fix. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/xalloc.h"
#include "e2e_browser.h"

static struct e2e e;
static void stop(void) { e2e_stop(&e); }

static void start(void)
{
	const char *args[] = { "--auto-approve-after", "0", "--envs", "2", "--chats-per-env", "6", NULL };
	e2e_start(&e, args);
}

static char *tokens_path(const char *profile)
{
	return xasprintf("%s/state/chatsync/%s.tokens", e.home, profile);
}

Test(browser, pasted_address_signs_in_then_refreshes_silently, .fini = stop)
{
	start();
	struct e2e_browser b;
	int rc = e2e_browser_run(&e, &b, BROWSER_PASTE, "sandbox-browser", "refresh", NULL);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, e.r.err);
	/* The address asks what Microsoft documents for a public client with PKCE. */
	cr_assert(strstr(b.url, "response_type=code"), "%s", b.url);
	cr_assert(strstr(b.url, "code_challenge_method=S256"), "%s", b.url);
	cr_assert(strstr(b.url, "redirect_uri=http%3A%2F%2Flocalhost%3A"), "%s", b.url);
	cr_assert(strstr(b.url, "openid%20profile%20offline_access") || strstr(b.url, "openid+profile+offline_access"),
		  "%s", b.url);
	cr_assert(strstr(b.url, "&state="), "%s", b.url);
	cr_assert(strstr(b.location, "http://localhost:") == b.location, "%s", b.location);
	cr_assert(strstr(e.r.err, "paste it here"), "no word on pasting: %s", e.r.err);
	char *tok = tokens_path("sandbox-browser");
	struct stat st;
	cr_assert_eq(stat(tok, &st), 0, "no token cache");
	cr_assert_eq(st.st_mode & 077, 0, "the token cache is open to others");
	/* The next run needs no browser: the refresh token signs in, no address is shown. */
	size_t mark = e2e_log_lines(&e);
	cr_assert_eq(e2e_run(&e, "sandbox-browser", "refresh", NULL), 0, "%s", e.r.err);
	cr_assert_null(strstr(e.r.err, "/authorize"), "asked for the browser again: %s", e.r.err);
	cr_assert_gt(e2e_log_count(&e, mark, "/oauth2/v2.0/token", "\"status\":200", NULL), 0);
	free(tok);
	e2e_browser_free(&b);
}

Test(browser, the_listener_takes_the_browser_back, .fini = stop)
{
	start();
	struct e2e_browser b;
	int rc = e2e_browser_run(&e, &b, BROWSER_LOOPBACK, "sandbox-browser", "refresh", NULL);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, e.r.err);
	e2e_browser_free(&b);
}

Test(browser, wrong_state_is_refused, .fini = stop)
{
	start();
	struct e2e_browser b;
	size_t mark = e2e_log_lines(&e);
	int rc = e2e_browser_run(&e, &b, BROWSER_WRONG_STATE, "sandbox-browser", "refresh", NULL);
	cr_assert_eq(rc, 3, "exit %d: %s", rc, e.r.err);
	cr_assert(strstr(e.r.err, "its state is not the one this sign-in sent"), "%s", e.r.err);
	/* Refused before Entra is asked: the code is never redeemed. */
	cr_assert_eq(e2e_log_count(&e, mark, "/oauth2/v2.0/token", NULL), 0, "the code was sent to Entra");
	char *tok = tokens_path("sandbox-browser");
	struct stat st;
	cr_assert_neq(stat(tok, &st), 0, "a refused sign-in left a token cache");
	free(tok);
	e2e_browser_free(&b);
}

Test(browser, wrong_verifier_is_refused_by_entra, .fini = stop)
{
	start();
	struct e2e_browser b;
	int rc = e2e_browser_run(&e, &b, BROWSER_WRONG_VERIFIER, "sandbox-browser", "refresh", NULL);
	cr_assert_eq(rc, 3, "exit %d: %s", rc, e.r.err);
	cr_assert(strstr(e.r.err, "invalid_grant"), "%s", e.r.err);
	cr_assert(strstr(e.r.err, "AADSTS501481"), "%s", e.r.err);
	e2e_browser_free(&b);
}

Test(browser, the_toggle_is_audited_as_the_id_token_user, .fini = stop)
{
	start();
	struct e2e_browser b;
	int rc = e2e_browser_run(&e, &b, BROWSER_PASTE, "sandbox-browser", "refresh", NULL);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, e.r.err);
	/* The write signs in with the refresh token the browser sign-in left; who it was comes from
	 * the ID token (the access tokens are opaque). */
	rc = e2e_run(&e, "sandbox-browser", "sync", "contoso-sales", "off", "--yes", NULL);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, e.r.err);
	cr_assert_eq(e2e_run(&e, "sandbox", "audit", "--json", NULL), 0, "%s", e.r.err);
	cJSON *rows = e2e_json(&e);
	int n = cJSON_GetArraySize(rows);
	cr_assert_gt(n, 0);
	const cJSON *a = cJSON_GetArrayItem(rows, n - 1);
	const char *who = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "identity"));
	cr_assert_not_null(who);
	cr_assert(strstr(who, "admin@contoso-sandbox.onmicrosoft.com"), "audited as %s", who);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "profile")), "sandbox-browser");
	cJSON_Delete(rows);
	e2e_browser_free(&b);
}

/* Each answer of the tenant's policies becomes one sentence saying what to try. */
static const struct {
	int aadsts;
	const char *flows, *profile, *says, *fix;
} policies[] = {
	{ 53003, "device_code", "sandbox-device", "Conditional Access policy blocked the sign-in (AADSTS53003)",
	  "set auth = browser in the profile" },
	{ 530033, "device_code", "sandbox-device", "device-based Conditional Access policy", "set auth = browser" },
	{ 530035, "device_code", "sandbox-device", "security defaults block this sign-in (AADSTS530035)",
	  "set auth = browser" },
	{ 50076, "device_code", "sandbox-device", "requires multi-factor authentication for this sign-in (AADSTS50076)",
	  "set auth = browser to sign in and complete MFA" },
	{ 50079, "device_code", "sandbox-device", "must register for multi-factor authentication", "aka.ms/mysecurityinfo" },
	{ 50158, "device_code", "sandbox-device", "external security challenge", "set auth = browser" },
	{ 50097, "device_code", "sandbox-device", "requires device authentication", "auth = certificate for unattended runs" },
	{ 53000, "device_code", "sandbox-device", "requires a compliant device", "set auth = browser" },
	{ 53003, "authorization_code", "sandbox-browser", "blocked the sign-in (AADSTS53003)",
	  "ask the Entra admin which policy applied" },
	{ 50076, "authorization_code", "sandbox-browser", "requires multi-factor authentication for this sign-in (AADSTS50076)",
	  "complete MFA in the browser" },
};

Test(browser, conditional_access_mfa_and_blocked_flows_are_one_sentence_with_the_fix, .fini = stop, .timeout = 240)
{
	start();
	for (size_t i = 0; i < sizeof policies / sizeof *policies; i++) {
		char *json = xasprintf("{\"aadsts\":%d,\"flows\":\"%s\"}", policies[i].aadsts, policies[i].flows);
		e2e_control(&e, "POST", "policy", json);
		free(json);
		int rc;
		if (!strcmp(policies[i].profile, "sandbox-browser")) {
			struct e2e_browser b;
			rc = e2e_browser_run(&e, &b, BROWSER_PASTE, policies[i].profile, "refresh", NULL);
			e2e_browser_free(&b);
		} else {
			rc = e2e_run(&e, policies[i].profile, "refresh", NULL);
		}
		cr_expect_eq(rc, 3, "AADSTS%d: exit %d: %s", policies[i].aadsts, rc, e.r.err);
		cr_expect(strstr(e.r.err, policies[i].says), "AADSTS%d: %s", policies[i].aadsts, e.r.err);
		cr_expect(strstr(e.r.err, policies[i].fix), "AADSTS%d: no fix: %s", policies[i].aadsts, e.r.err);
		/* One sentence: Entra's raw description is not shown instead of it. */
		cr_expect_null(strstr(e.r.err, "Trace ID:"), "AADSTS%d: raw Entra text: %s", policies[i].aadsts, e.r.err);
	}
	e2e_control(&e, "POST", "policy", "{\"aadsts\":0}");
	cr_assert_eq(e2e_run(&e, "sandbox-device", "refresh", NULL), 0, "without the policy: %s", e.r.err);
}
