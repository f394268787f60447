# Console tests: the column layout and the request table as unit tests (Criterion), and the
# console itself in a real terminal (tmux) against a cache the fixture program fills.
UI_UNIT_TESTS = tests/ui/test_layout tests/ui/test_requests tests/ui/test_hangup tests/ui/test_filter
check_PROGRAMS += $(UI_UNIT_TESTS) tests/ui/ui_driver tests/ui/ui_fixture tests/ui/ui_keydoc
TESTS += $(UI_UNIT_TESTS) tests/ui/test_console.sh tests/ui/test_demo.sh tests/ui/test_keydoc.sh tests/ui/test_history.sh
EXTRA_DIST += tests/ui/tmux.sh tests/ui/test_console.sh tests/ui/test_demo.sh tests/ui/test_keydoc.sh tests/ui/test_history.sh tests/ui/chats-filtered-80x30.txt
tests_ui_test_layout_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_layout_LDADD = $(TEST_LIBS_ALL)
tests_ui_test_requests_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_requests_LDADD = $(TEST_LIBS_ALL)
tests_ui_test_filter_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_filter_LDADD = $(TEST_LIBS_ALL)
tests_ui_test_hangup_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_hangup_LDADD = $(TEST_LIBS_ALL)
# The driver and the fixture are programs the tests run, not tests: no Criterion in them (its
# library would take them for a test's sandboxed child and abort).
tests_ui_ui_driver_CFLAGS = $(TEST_CFLAGS)
tests_ui_ui_driver_LDADD = $(CLIENT_LIBS)
tests_ui_ui_fixture_CFLAGS = $(TEST_CFLAGS)
tests_ui_ui_fixture_LDADD = $(CLIENT_LIBS)
tests_ui_ui_keydoc_CFLAGS = $(TEST_CFLAGS)
tests_ui_ui_keydoc_LDADD = $(CLIENT_LIBS)
