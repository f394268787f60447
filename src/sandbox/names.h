/* Realistic names for the generated tenant: people, companies, chat topics. Includes non-ASCII
 * names and very long topics on purpose, so clients meet them in the sandbox before production. */
#ifndef CHATSYNC_SANDBOX_NAMES_H
#define CHATSYNC_SANDBOX_NAMES_H
#include "sandbox/util.h"

/* "Given Family" (caller owns), and a mail-safe ASCII local part for it (caller owns). */
char *sb_name_person(struct sb_rng *r, char **mail_local);
const char *sb_name_company(struct sb_rng *r);
/* A chat topic about company; long ones exceed 200 bytes. Caller owns. */
char *sb_name_topic(struct sb_rng *r, const char *company);
char *sb_name_topic_long(struct sb_rng *r, const char *company);
/* Fixed topics every environment carries, for display-width tests. */
extern const char *const sb_special_topics[];

#endif
