# auth: Entra ID sign-in (client secret, certificate, device code, browser), the token cache, JWT
# client assertions and ID tokens. On base/, core/ and net/: it installs itself as the transport's
# token source. Objects from the top down: signin, auth, browser, entraerr, authstore, jwt.
libchatsync_a_SOURCES += \
	src/auth/signin.c \
	src/auth/auth.c src/auth/auth.h \
	src/auth/authint.h \
	src/auth/browser.c \
	src/auth/entraerr.c \
	src/auth/authstore.c \
	src/auth/jwt.c src/auth/jwt.h
