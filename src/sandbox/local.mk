# chatsync-sandbox: the Microsoft endpoints on loopback HTTPS (src/sandbox/INTERFACE.md).
# Its modules live in libsandbox.a so the unit tests link them directly; it shares no code with
# the client's src/net or src/api, only src/core/xalloc (compiled here on its own).
SANDBOX_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
SANDBOX_LIBS = libsandbox.a $(MHD_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS) $(PTHREAD_LIBS) $(LIBINTL) $(LIBM)

noinst_LIBRARIES += libsandbox.a
libsandbox_a_CFLAGS = $(SANDBOX_CFLAGS)
libsandbox_a_SOURCES = \
	src/base/xalloc.c \
	src/sandbox/util.c src/sandbox/util.h \
	src/sandbox/names.c src/sandbox/names.h \
	src/sandbox/tenant.c src/sandbox/tenant.h \
	src/sandbox/gen.c \
	src/sandbox/tls.c src/sandbox/tls.h \
	src/sandbox/jwt.c src/sandbox/jwt.h \
	src/sandbox/resp.c src/sandbox/server.h \
	src/sandbox/auth.c src/sandbox/auth.h \
	src/sandbox/limits.c src/sandbox/limits.h \
	src/sandbox/faults.c src/sandbox/faults.h \
	src/sandbox/rlog.c src/sandbox/rlog.h \
	src/sandbox/odata.c src/sandbox/odata.h \
	src/sandbox/entra_err.c \
	src/sandbox/entra_authz.c src/sandbox/entra_authz.h \
	src/sandbox/entra.c src/sandbox/entra.h \
	src/sandbox/disco.c src/sandbox/disco.h \
	src/sandbox/dv_tables.c src/sandbox/dv_tables.h \
	src/sandbox/dv_rows.c src/sandbox/dv_rows.h \
	src/sandbox/dv_delta.c \
	src/sandbox/dv.c src/sandbox/dv.h \
	src/sandbox/dv_batch.c \
	src/sandbox/graph_rows.c src/sandbox/graph_rows.h \
	src/sandbox/graph_chats.c \
	src/sandbox/graph_policies.c \
	src/sandbox/graph.c src/sandbox/graph.h \
	src/sandbox/graph_batch.c \
	src/sandbox/control.c src/sandbox/control.h \
	src/sandbox/route.c \
	src/sandbox/http.c src/sandbox/http.h

pkglibexec_PROGRAMS += chatsync-sandbox
chatsync_sandbox_SOURCES = src/sandbox/main.c
chatsync_sandbox_CFLAGS = $(SANDBOX_CFLAGS)
chatsync_sandbox_LDADD = $(SANDBOX_LIBS)
EXTRA_DIST += src/sandbox/INTERFACE.md
