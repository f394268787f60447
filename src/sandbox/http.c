#include "config.h"
#include "sandbox/http.h"
#include "sandbox/faults.h"
#include "sandbox/rlog.h"
#include "sandbox/server.h"
#include "sandbox/tls.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BODY (64u << 20)

struct conn_ctx {
	char *raw_uri;
	struct buf body;
	double start;
	bool seen;
	bool too_big;
};

/* A body handed out piece by piece: slowly, or cut short with an error that closes the connection. */
struct body_reader {
	char *data;
	size_t len, stop_at;     /* stop_at < len: truncate there */
	long pause_ms;           /* between pieces */
	size_t piece;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct conn_ctx *cx = xcalloc(1, sizeof *cx);
	cx->raw_uri = xstrdup(uri ? uri : "/");
	cx->start = sb_mono();
	buf_init(&cx->body);
	return cx;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn_ctx *cx = *con_cls;
	if (cx) {
		free(cx->raw_uri);
		buf_free(&cx->body);
		free(cx);
		*con_cls = NULL;
	}
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	sb_kv_add(cls, key, value ? value : "");
	return MHD_YES;
}

static ssize_t read_body(void *cls, uint64_t pos, char *out, size_t max)
{
	struct body_reader *br = cls;
	if (pos >= br->stop_at)
		return br->stop_at < br->len ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
	if (pos > 0 && br->pause_ms)
		sb_sleep_ms(br->pause_ms);
	size_t n = br->stop_at - (size_t)pos;
	if (n > max)
		n = max;
	if (br->piece && n > br->piece)
		n = br->piece;
	memcpy(out, br->data + pos, n);
	return (ssize_t)n;
}

static void free_body(void *cls)
{
	struct body_reader *br = cls;
	free(br->data);
	free(br);
}

/* Keeps a prefix of the JSON and breaks it, as a proxy that mangles a body would. */
static void make_malformed(struct buf *b)
{
	size_t keep = b->len / 2;
	if (keep > 200)
		keep = 200;
	b->len = keep;
	b->data[keep] = '\0';
	buf_adds(b, "\",,{\"error\":<html>");
}

static struct MHD_Response *build(struct sb_resp *rs, const struct sb_fault_hit *hit, size_t *sent)
{
	bool json = rs->body.len > 0;
	if (hit->malformed && json && rs->streaming_faults_ok)
		make_malformed(&rs->body);
	size_t len = rs->body.len;
	*sent = len;
	if ((hit->truncate || hit->slow_body_ms || hit->trickle_bps) && len > 1 &&
	    (rs->streaming_faults_ok || hit->trickle_bps)) {
		struct body_reader *br = xcalloc(1, sizeof *br);
		br->len = len;
		br->data = buf_steal(&rs->body);
		br->stop_at = hit->truncate ? len / 2 : len;
		if (hit->slow_body_ms) {
			br->piece = len / 10 ? len / 10 : 1;
			br->pause_ms = hit->slow_body_ms / 10 ? hit->slow_body_ms / 10 : 1;
		}
		if (hit->trickle_bps) { /* one byte at a time, as slowly as asked */
			br->piece = 1;
			br->pause_ms = 1000 / hit->trickle_bps ? 1000 / hit->trickle_bps : 1;
		}
		*sent = br->stop_at;
		return MHD_create_response_from_callback(len, 16384, read_body, br, free_body);
	}
	char *data = buf_steal(&rs->body);
	return MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)url;
	(void)version;
	struct sb_server *s = cls;
	struct conn_ctx *cx = *con_cls;
	if (!cx)
		return MHD_NO;
	if (!cx->seen) {
		cx->seen = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (cx->body.len + *upload_size > MAX_BODY)
			cx->too_big = true;
		else
			buf_add(&cx->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}

	struct sb_req rq = { 0 };
	sb_req_from_target(&rq, method, cx->raw_uri);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &rq.headers);
	rq.client_request_id = sb_req_header(&rq, "client-request-id");
	rq.body_len = cx->body.len;
	rq.body = buf_steal(&cx->body);

	struct sb_fault_hit hit;
	sb_faults_pick(s->faults, rq.path, &hit);
	struct sb_resp rs;
	sb_resp_init(&rs);
	if (hit.reset) {
		sb_rlog_record(s->rlog, method, rq.path, rq.query, 0, 0, (sb_mono() - cx->start) * 1000, false, rq.client_request_id);
		sb_req_free(&rq);
		sb_resp_free(&rs);
		return MHD_NO;
	}
	if (cx->too_big) {
		sb_resp_text(&rs, 413, "text/plain", "request body too large\n");
	} else {
		rq.fault_delay_ms = hit.latency_ms;
		rq.fault_status = hit.e429 ? 429 : hit.e503 ? 503 : 0;
		rq.tokens_expired = hit.expire_tokens;
		if (!sb_faults_answer(&hit, &rq, &rs)) {
			sb_route(s, &rq, &rs);
			sb_faults_rewrite(&hit, &rs);
		}
	}
	if (rs.reset) {
		sb_req_free(&rq);
		sb_resp_free(&rs);
		return MHD_NO;
	}
	size_t sent = 0;
	struct MHD_Response *r = build(&rs, &hit, &sent);
	enum MHD_Result ret = MHD_NO;
	if (r) {
		for (size_t i = 0; i < rs.headers.n; i++)
			MHD_add_response_header(r, rs.headers.items[i].k, rs.headers.items[i].v);
		ret = MHD_queue_response(conn, (unsigned)rs.status, r);
		MHD_destroy_response(r);
	}
	sb_rlog_record(s->rlog, method, rq.path, rq.query, rs.status, sent, (sb_mono() - cx->start) * 1000, rs.throttled,
			rq.client_request_id);
	sb_req_free(&rq);
	sb_resp_free(&rs);
	return ret;
}

int sb_http_start(struct sb_server *s, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->opt.port);
	if (inet_pton(AF_INET, s->opt.bind, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--bind %s is not an IPv4 address", s->opt.bind);
		return -1;
	}
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		snprintf(err, errlen, "--bind %s is not a loopback address (the sandbox serves loopback only)",
				s->opt.bind);
		return -1;
	}
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_TLS;
	if (!s->opt.quiet)
		flags |= MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)s->opt.port, NULL, NULL, handle, s,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			MHD_OPTION_HTTPS_MEM_KEY, s->keys->server_key_pem,
			MHD_OPTION_HTTPS_MEM_CERT, s->keys->server_cert_pem,
			MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
			MHD_OPTION_END);
	if (!d) {
		snprintf(err, errlen, "cannot listen on %s:%d (port in use, or the TLS key was refused)", s->opt.bind,
				s->opt.port);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : s->opt.port;
	s->http = d;
	s->base_url = xasprintf("https://%s:%d", s->opt.bind, s->port);
	return 0;
}

void sb_http_stop(struct sb_server *s)
{
	if (s->http)
		MHD_stop_daemon(s->http);
	s->http = NULL;
}
