/* Test helpers for the sandbox: start chatsync-sandbox with a profile in a temp dir, make HTTPS
 * requests to it with libcurl (verification on, trusting its CA file), get tokens. */
#ifndef CHATSYNC_TEST_SBT_H
#define CHATSYNC_TEST_SBT_H
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "sandbox/util.h"
#include "sandbox.h"

struct sbt {
	struct sandbox sb;                /* the process (tests/common/sandbox.h) */
	pid_t pid;                        /* these five borrow from sb */
	char *dir, *base, *ca, *profile;
	char *app_id, *app_secret;        /* [profile sandbox] */
	char *reader_id, *reader_secret;  /* [profile sandbox-reader] */
	char *device_id, *user_id;        /* device-code clients: admin, user */
	char *client_pem;
	cJSON *truth;                     /* fetched on demand by sbt_truth */
};

/* Starts the sandbox with extra arguments (NULL-terminated, may be NULL) and extra environment
 * ("K=V", NULL-terminated, may be NULL). Fails the test when it does not come up. */
void sbt_start(struct sbt *t, const char *const *args, const char *const *env);
/* Stops it (SIGTERM) and returns its exit status; removes the temp dir. */
int sbt_stop(struct sbt *t);

struct sbt_resp {
	CURLcode rc;
	long status;
	char *body;
	size_t len;
	struct sb_kvlist headers;
	double seconds;
	cJSON *json;                      /* parsed body, NULL when not JSON */
};

/* url: absolute, or a path appended to the base. headers: NULL-terminated "K: V". */
void sbt_req(struct sbt *t, const char *method, const char *url, const char *const *headers, const char *body,
		struct sbt_resp *r);
void sbt_resp_free(struct sbt_resp *r);
const char *sbt_header(const struct sbt_resp *r, const char *name);

/* Client-credentials token for scope ("https://graph.microsoft.com/.default"). Caller frees. */
char *sbt_token(struct sbt *t, const char *client_id, const char *secret, const char *scope);
/* Device-code token for client (approved through the control endpoint). Caller frees. */
char *sbt_device_token(struct sbt *t, const char *client_id, const char *scope, char **refresh);
/* "Authorization: Bearer ..." header line. Caller frees. */
char *sbt_bearer(const char *token);
/* GET/POST with a bearer token and optional extra header. */
void sbt_get(struct sbt *t, const char *token, const char *url, const char *extra, struct sbt_resp *r);
/* The control truth (cached on t). */
const cJSON *sbt_truth(struct sbt *t);
/* URL of environment i (from the truth). */
const char *sbt_env_url(struct sbt *t, int i);
/* Every top-level key of fixture file rel (tests/fixtures/...) present in obj? Names the first missing. */
const char *sbt_missing_key(const cJSON *obj, const cJSON *fixture);
cJSON *sbt_fixture(const char *rel);

#endif
