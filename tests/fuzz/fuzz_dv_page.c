/* Dataverse and Global Discovery answers: pages of chats, activity parties, chat associations and
 * sync errors (with nextLink, deltaLink and $deletedEntity rows of change tracking), the
 * organization row, WhoAmI and the Instances list. The first byte picks the parser. */
#include "config.h"
#include "fuzz.h"
#include "api/dv_parse.h"

static void free_page(struct dv_page *p, int ok)
{
	if (ok == 0)
		dv_page_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *body = fuzz_cstr(data + 1, size - 1);
	struct cs_error err = { 0 };
	struct dv_page page;
	size_t n = 0;
	int rc = 0;
	switch (data[0] % 7) {
	case 0: {
		struct cs_env *envs;
		rc = dv_parse_instances(body, &envs, &n, &err);
		for (size_t i = 0; rc == 0 && i < n; i++)
			cs_env_free(&envs[i]);
		if (rc == 0)
			free(envs);
		break;
	}
	case 1: {
		struct cs_env env = { 0 };
		rc = dv_parse_organization(body, &env, &err);
		cs_env_free(&env);
		break;
	}
	case 2: {
		struct cs_chat *chats;
		rc = dv_parse_chats(body, "env", 1794647520, &chats, &n, &page, &err);
		for (size_t i = 0; rc == 0 && i < n; i++)
			cs_chat_free(&chats[i]);
		if (rc == 0)
			free(chats);
		free_page(&page, rc);
		break;
	}
	case 3: {
		struct cs_party *parties;
		char **acts;
		rc = dv_parse_parties(body, &parties, &acts, &n, &page, &err);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			free(parties[i].party_id);
			free(parties[i].name);
			free(acts[i]);
		}
		if (rc == 0) {
			free(parties);
			free(acts);
		}
		free_page(&page, rc);
		break;
	}
	case 4: {
		struct cs_assoc *assocs;
		rc = dv_parse_assocs(body, "env", 1794647520, &assocs, &n, &page, &err);
		for (size_t i = 0; rc == 0 && i < n; i++)
			cs_assoc_free(&assocs[i]);
		if (rc == 0)
			free(assocs);
		free_page(&page, rc);
		break;
	}
	case 5: {
		struct cs_sync_error *errors;
		char **reg;
		rc = dv_parse_sync_errors(body, &errors, &reg, &n, &page, &err);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			cs_sync_error_free(&errors[i]);
			free(reg[i]);
		}
		if (rc == 0) {
			free(errors);
			free(reg);
		}
		free_page(&page, rc);
		break;
	}
	case 6: {
		char *user = NULL, *org = NULL;
		rc = dv_parse_whoami(body, &user, &org, &err);
		free(user);
		free(org);
		break;
	}
	}
	if (rc != 0)
		fuzz_check_sentence(&err);
	free(body);
	return 0;
}
