# net: the HTTP transport over curl multi: retries, pacing, redirects, error sentences. It knows no
# profile and no sign-in (auth/ installs a token source). The only folder that includes curl headers.
# Objects from the top down: http, httploop, netsched, httpio, netreq; pace, retry and neterr are pure.
libchatsync_a_SOURCES += \
	src/net/http.c src/net/http.h \
	src/net/httploop.c \
	src/net/netsched.c \
	src/net/httpio.c \
	src/net/netreq.c \
	src/net/neterr.c src/net/neterr.h \
	src/net/netint.h \
	src/net/pace.c src/net/pace.h \
	src/net/retry.c src/net/retry.h
