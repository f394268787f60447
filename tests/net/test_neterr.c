/* Error sentences: Microsoft's documented error bodies (tests/fixtures/microsoft-docs) parsed,
 * and turned into the one line the user reads. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/neterr.h"
#include "run.h"

static char *fixture(const char *name, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tests/fixtures/microsoft-docs/%s", name);
	char *path = run_srcpath(rel);
	char *text = run_read_file(path, len);
	cr_assert_not_null(text, "missing fixture %s", path);
	free(path);
	return text;
}

Test(parse, graph_error_fixture)
{
	size_t len;
	char *body = fixture("graph-error.json", &len);
	struct neterr_body eb;
	cr_assert_eq(neterr_parse(body, len, &eb), 0);
	cr_assert_str_eq(eb.code, "invalidRange");
	cr_assert_str_eq(eb.message, "Uploaded fragment overlaps with existing data.");
	cr_assert_str_eq(eb.request_id, "request-id");
	free(body);
	body = fixture("graph-throttled-response.json", &len);
	cr_assert_eq(neterr_parse(body, len, &eb), 0);
	cr_assert_str_eq(eb.code, "TooManyRequests");
	cr_assert_str_eq(eb.message, "Please retry again later.");
	cr_assert_str_eq(eb.request_id, "94fb3b52-452a-4535-a601-69e0a90e3aa2");
	free(body);
}

Test(parse, dataverse_error_fixture)
{
	size_t len;
	char *body = fixture("dataverse-error.json", &len);
	struct neterr_body eb;
	cr_assert_eq(neterr_parse(body, len, &eb), 0);
	cr_assert_str_eq(eb.code, "0x80040265");
	cr_assert_str_eq(eb.message, "Example Error Message.");
	cr_assert_str_eq(eb.request_id, "");
	free(body);
}

Test(parse, entra_error_fixture)
{
	size_t len;
	char *body = fixture("entra-token-error.json", &len);
	struct neterr_body eb;
	cr_assert_eq(neterr_parse(body, len, &eb), 0);
	cr_assert_str_eq(eb.code, "invalid_scope");
	/* The first line only: trace and correlation ids are shown once, from their own fields. */
	cr_assert_str_eq(eb.message, "AADSTS70011: The provided value for the input parameter 'scope' is not valid. "
				     "The scope https://foo.microsoft.com/.default is not valid.");
	cr_assert_str_eq(eb.request_id, "0000aaaa-11bb-cccc-dd22-eeeeee333333");
	cr_assert_str_eq(eb.correlation_id, "aaaa0000-bb11-2222-33cc-444444dddddd");
	cr_assert_eq(eb.entra_code, 70011);
	free(body);
}

Test(parse, truncated_and_foreign_bodies_never_crash)
{
	const char *names[] = { "graph-error.json", "dataverse-error.json", "entra-token-error.json",
				"graph-chat-get.json", "discovery-instances.json" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t len;
		char *body = fixture(names[i], &len);
		for (size_t n = 0; n <= len; n++) {
			struct neterr_body eb;
			int rc = neterr_parse(body, n, &eb);
			if (rc != 0)
				cr_assert(!eb.code[0] && !eb.message[0]);
		}
		free(body);
	}
	struct neterr_body eb;
	cr_assert_eq(neterr_parse("{\"value\":[]}", 12, &eb), -1);
	cr_assert_eq(neterr_parse("<html>502</html>", 16, &eb), -1);
	cr_assert_eq(neterr_parse(NULL, 0, &eb), -1);
	cr_assert_eq(neterr_parse("{\"error\":{\"code\":5}}", 20, &eb), -1);
}

Test(sentence, graph_refusal_reads_as_the_issue_shows)
{
	const char *body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges "
			   "to complete the operation.\",\"innerError\":{\"date\":\"2026-11-14T09:12:00\","
			   "\"request-id\":\"9f1c-rid\",\"client-request-id\":\"c0ffee\"}}}";
	struct neterr_ctx ctx = {
		.service = "Graph",
		.method = "GET",
		.url = "https://graph.microsoft.com/v1.0/chats/19%3A2da4c29f6d7041eca70b638b43d45437%40thread.v2/"
		       "installedApps?$expand=teamsApp",
		.status = 403,
		.body = body,
		.body_len = strlen(body),
		.client_request_id = "c0ffee",
		.needs = "TeamsAppInstallation.ReadForChat.All",
		.attempts = 1,
	};
	struct cs_error err;
	cr_assert_eq(neterr_http(&err, &ctx), -1);
	cr_assert_eq(err.exit_code, 3);
	cr_assert_str_eq(err.msg, "Graph refused GET /chats/19:…/installedApps: 403 Forbidden "
				  "(Authorization_RequestDenied: Insufficient privileges to complete the operation.; "
				  "needs TeamsAppInstallation.ReadForChat.All; request-id 9f1c-rid; client-request-id c0ffee)");
}

Test(sentence, dataverse_throttled_after_retries)
{
	const char *body = "{\"error\":{\"code\":\"0x80072322\",\"message\":\"Number of requests exceeded the limit "
			   "of 6000 over time window of 300 seconds.\"}}";
	struct neterr_ctx ctx = {
		.service = "Dataverse",
		.method = "GET",
		.url = "https://contoso.crm.dynamics.com/api/data/v9.2/chats?$select=subject",
		.status = 429,
		.body = body,
		.body_len = strlen(body),
		.request_id = "srv-1",
		.client_request_id = "cli-1",
		.attempts = 11,
		.waited_s = 95,
	};
	struct cs_error err;
	neterr_http(&err, &ctx);
	cr_assert_str_eq(err.msg, "Dataverse throttled GET /chats: 429 Too Many Requests (0x80072322: Number of "
				  "requests exceeded the limit of 6000 over time window of 300 seconds.; try again "
				  "later; gave up after 11 attempts over 95 s; request-id srv-1; client-request-id cli-1)");
}

Test(sentence, entra_with_hint_and_long_message_cut)
{
	size_t len;
	char *body = fixture("entra-token-error.json", &len);
	struct neterr_ctx ctx = {
		.service = "Entra ID",
		.method = "POST",
		.url = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
		.status = 400,
		.body = body,
		.body_len = len,
		.client_request_id = "cli-2",
		.hint = "check graph_resource",
	};
	struct cs_error err;
	neterr_http(&err, &ctx);
	cr_assert(strstr(err.msg, "Entra ID refused POST /oauth2/v2.0/token: 400 Bad Request (invalid_scope: AADSTS70011"),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "; check graph_resource; request-id 0000aaaa-11bb-cccc-dd22-eeeeee333333; "
				  "client-request-id cli-2; correlation-id aaaa0000-bb11-2222-33cc-444444dddddd)"),
		  "%s", err.msg);
	cr_assert_null(strstr(err.msg, "\r"));
	free(body);
	/* A huge message is cut on a character boundary. */
	char big[3000] = "{\"error\":{\"code\":\"x\",\"message\":\"";
	for (int i = 0; i < 900; i++)
		strcat(big, "é");
	strcat(big, "\"}}");
	ctx.body = big;
	ctx.body_len = strlen(big);
	neterr_http(&err, &ctx);
	cr_assert(strstr(err.msg, "é…"), "%s", err.msg);
	cr_assert_lt(strlen(err.msg), 600);
}

Test(sentence, server_errors_plain_bodies_and_transport)
{
	struct neterr_ctx ctx = { .service = "Graph", .method = "PATCH",
				  .url = "https://graph.microsoft.com/v1.0/chats/x", .status = 503,
				  .body = "upstream busy", .body_len = 13, .client_request_id = "c",
				  .attempts = 4, .waited_s = 21.4 };
	struct cs_error err;
	neterr_http(&err, &ctx);
	cr_assert_str_eq(err.msg, "Graph could not answer PATCH /chats/x: 503 Service Unavailable (upstream busy; try "
				  "again later; gave up after 4 attempts over 21 s; client-request-id c)");
	ctx.body = "<html><body>Bad gateway</body></html>";
	ctx.body_len = strlen(ctx.body);
	ctx.status = 502;
	ctx.attempts = 1;
	neterr_http(&err, &ctx);
	cr_assert_null(strstr(err.msg, "html"), "%s", err.msg);
	ctx.status = 404;
	ctx.body = "";
	ctx.body_len = 0;
	neterr_http(&err, &ctx);
	cr_assert_str_eq(err.msg, "Graph refused PATCH /chats/x: 404 Not Found (client-request-id c)");
	neterr_transport(&err, &ctx, "cannot connect (Connection refused)", "check the network");
	cr_assert_str_eq(err.msg, "cannot reach Graph for PATCH /chats/x: cannot connect (Connection refused) (check "
				  "the network; client-request-id c)");
	cr_assert_eq(err.exit_code, 3);
}

Test(path, short_paths_for_messages)
{
	struct {
		const char *url, *want;
	} cases[] = {
		{ "https://graph.microsoft.com/v1.0/chats?$top=50", "/chats" },
		{ "https://graph.microsoft.com/beta/teamwork/teamsAppSettings", "/beta/teamwork/teamsAppSettings" },
		{ "https://127.0.0.1:8443/graph/v1.0/policies/authorizationPolicy", "/policies/authorizationPolicy" },
		{ "https://contoso.crm.dynamics.com/api/data/v9.2/organizations(0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0)",
		  "/organizations(0f1…)" },
		{ "https://127.0.0.1:1/env/contoso/api/data/v9.2/WhoAmI", "/WhoAmI" },
		{ "https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances", "/Instances" },
		{ "https://login.microsoftonline.com/contoso/oauth2/v2.0/devicecode", "/oauth2/v2.0/devicecode" },
		{ "https://example.com", "/" },
		{ "not a url", "/" },
		{ "https://x/a%zz/%41", "/a%zz/A" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *p = neterr_short_path(cases[i].url);
		cr_assert_str_eq(p, cases[i].want, "%s", cases[i].url);
		free(p);
	}
	cr_assert_str_eq(neterr_reason(429), "Too Many Requests");
	cr_assert_str_eq(neterr_reason(299), "");
}
