# net tests: unit tests of the pure parts, the transport against a test server, and the transport
# with sign-in against the sandbox.
NET_TESTS = tests/net/test_retry tests/net/test_pace tests/net/test_neterr \
	tests/net/test_http tests/net/test_sandbox tests/net/test_hostile
check_PROGRAMS += $(NET_TESTS)
TESTS += $(NET_TESTS)
EXTRA_DIST += tests/net/fake.h
NET_TEST_LIBS = $(TEST_LIBS_ALL) $(MHD_LIBS)

tests_net_test_retry_CFLAGS = $(TEST_CFLAGS)
tests_net_test_retry_LDADD = $(NET_TEST_LIBS)
tests_net_test_pace_CFLAGS = $(TEST_CFLAGS)
tests_net_test_pace_LDADD = $(NET_TEST_LIBS)
tests_net_test_neterr_CFLAGS = $(TEST_CFLAGS)
tests_net_test_neterr_LDADD = $(NET_TEST_LIBS)
tests_net_test_http_SOURCES = tests/net/test_http.c tests/net/fake.c
tests_net_test_http_CFLAGS = $(TEST_CFLAGS)
tests_net_test_http_LDADD = $(NET_TEST_LIBS)
tests_net_test_sandbox_CFLAGS = $(TEST_CFLAGS)
tests_net_test_sandbox_LDADD = $(NET_TEST_LIBS)
tests_net_test_hostile_SOURCES = tests/net/test_hostile.c tests/net/fake.c
tests_net_test_hostile_CFLAGS = $(TEST_CFLAGS)
tests_net_test_hostile_LDADD = $(NET_TEST_LIBS)
