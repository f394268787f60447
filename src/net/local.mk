# net: the HTTP transport over curl multi, sign-in, JWT, retries, pacing, error sentences.
# The only folder that includes curl headers.
libchatsync_a_SOURCES += \
	src/net/auth.c src/net/auth.h \
	src/net/authstore.c \
	src/net/http.c src/net/http.h \
	src/net/httpio.c \
	src/net/httploop.c \
	src/net/jwt.c src/net/jwt.h \
	src/net/neterr.c src/net/neterr.h \
	src/net/netint.h \
	src/net/pace.c src/net/pace.h \
	src/net/retry.c src/net/retry.h
