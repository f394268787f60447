/* The cache schema as a list of forward migrations (store-internal). */
#ifndef CHATSYNC_SCHEMA_H
#define CHATSYNC_SCHEMA_H
int schema_latest(void);                       /* the newest user_version */
const char *schema_migration(int from_version); /* SQL taking from_version to from_version + 1 */
#endif
