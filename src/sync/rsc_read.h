/* Part of phase 2 of a refresh (sync-internal, used by graph.c): the tenant's chat RSC state as
 * Get-MgBetaChatRscConfiguration derives it, from beta teamwork/teamsAppSettings (delegated sign-ins
 * only), v1.0 policies/authorizationPolicy and beta policies/permissionGrantPolicies, each recorded as
 * a fact with its fetch time; for EnabledForPreApprovedAppsOnly and Custom also the Dataverse Chat
 * Sync app's pre-approval. It queues its requests on the refresh's transport and is settled by the
 * loop that steps it (graph.c); it never writes. */
#ifndef CHATSYNC_SYNC_RSC_READ_H
#define CHATSYNC_SYNC_RSC_READ_H
#include "sync/refresh_ctx.h"

struct rsc_read;

/* Queues the three sources' requests. */
struct rsc_read *rsc_read_start(struct refresh *r);
/* The Dataverse Chat Sync app's client id, as a chat's installed apps showed it in this run. */
void rsc_read_hint(struct rsc_read *rr, const char *client_app_id);
/* Called when nothing is pending on the transport: queues the app's pre-approval when the state needs
 * it and it was not asked yet (returns 1: step the transport again), else settles (returns 0). */
int rsc_read_step(struct rsc_read *rr);
/* The state to write once settled and not yet taken (then NULL); the read keeps ownership. */
const struct cs_rsc *rsc_read_take(struct rsc_read *rr);
void rsc_read_free(struct rsc_read *rr);

#endif
