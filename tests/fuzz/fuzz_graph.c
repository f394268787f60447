/* Microsoft Graph answers about a chat and the tenant: the chat, its installed apps, its permission
 * grants, the authorization policy, teamsAppSettings and directory roles. The first byte picks the
 * parser. */
#include "config.h"
#include "fuzz.h"
#include "api/graph_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *body = fuzz_cstr(data + 1, size - 1);
	struct cs_error err = { 0 };
	struct cs_graph_chat g = { 0 };
	struct cs_rsc rsc = { 0 };
	int rc = 0;
	switch (data[0] % 7) {
	case 0: rc = graph_parse_chat(body, &g, &err); break;
	case 1: rc = graph_parse_installed_apps(body, "Dataverse Chat Sync", &g, &err); break;
	case 2:
		rc = graph_parse_installed_apps(body, "Dataverse Chat Sync", &g, &err);
		if (rc == 0) /* with the app's client id known, as the refresh asks */
			rc = graph_parse_grants(body, &g, &err);
		break;
	case 3: rc = graph_parse_grants(body, &g, &err); break;
	case 4: rc = graph_parse_authorization_policy(body, &rsc, &err); break;
	case 5: rc = graph_parse_teams_app_settings(body, &rsc, &err); break;
	case 6: {
		bool admin;
		char *next = NULL;
		rc = graph_parse_directory_roles(body, &admin, &next, &err);
		free(next);
		break;
	}
	}
	if (rc != 0)
		fuzz_check_sentence(&err);
	cs_graph_chat_free(&g);
	cs_rsc_free(&rsc);
	free(body);
	return 0;
}
