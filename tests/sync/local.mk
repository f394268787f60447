# sync tests: the application services (refresh planner, toggle) in-process against a sandbox.
SYNC_TESTS = tests/sync/test_refresh tests/sync/test_pages tests/sync/test_toggle tests/sync/test_graph \
	tests/sync/test_writer tests/sync/test_discovery
check_PROGRAMS += $(SYNC_TESTS)
TESTS += $(SYNC_TESTS)
EXTRA_DIST += tests/sync/syt.h
tests_sync_test_refresh_SOURCES = tests/sync/test_refresh.c tests/sync/syt.c
tests_sync_test_refresh_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_refresh_LDADD = $(TEST_LIBS_ALL)
tests_sync_test_toggle_SOURCES = tests/sync/test_toggle.c tests/sync/syt.c
tests_sync_test_toggle_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_toggle_LDADD = $(TEST_LIBS_ALL)
tests_sync_test_pages_SOURCES = tests/sync/test_pages.c tests/sync/syt.c
tests_sync_test_pages_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_pages_LDADD = $(TEST_LIBS_ALL)
tests_sync_test_discovery_SOURCES = tests/sync/test_discovery.c tests/sync/syt.c
tests_sync_test_discovery_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_discovery_LDADD = $(TEST_LIBS_ALL)
tests_sync_test_graph_SOURCES = tests/sync/test_graph.c tests/sync/syt.c
tests_sync_test_graph_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_graph_LDADD = $(TEST_LIBS_ALL)
tests_sync_test_writer_CFLAGS = $(TEST_CFLAGS)
tests_sync_test_writer_LDADD = $(TEST_LIBS_ALL)
