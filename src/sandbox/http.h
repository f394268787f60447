/* The HTTPS server: libmicrohttpd (GnuTLS inside) with a thread per connection, so the 52
 * concurrent requests Dataverse allows can all be in flight. It applies the transport faults
 * (resets, truncated, malformed and slow bodies) and writes the request log. */
#ifndef CHATSYNC_SANDBOX_HTTP_H
#define CHATSYNC_SANDBOX_HTTP_H
#include <stddef.h>

struct sb_server;
/* Starts serving on opt.bind:opt.port; sets s->port and s->base_url. 0 or -1 with err. */
int sb_http_start(struct sb_server *s, char *err, size_t errlen);
void sb_http_stop(struct sb_server *s);

#endif
