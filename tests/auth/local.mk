# auth tests: sign-in against a fake Entra ID (tests/net/fake.c) and the JWT helpers.
AUTH_TESTS = tests/auth/test_jwt tests/auth/test_auth
check_PROGRAMS += $(AUTH_TESTS)
TESTS += $(AUTH_TESTS)
tests_auth_test_jwt_SOURCES = tests/auth/test_jwt.c tests/net/fake.c
tests_auth_test_jwt_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/net
tests_auth_test_jwt_LDADD = $(NET_TEST_LIBS)
tests_auth_test_auth_SOURCES = tests/auth/test_auth.c tests/net/fake.c
tests_auth_test_auth_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/net
tests_auth_test_auth_LDADD = $(NET_TEST_LIBS)
