# Console tests: the column layout and the request table as unit tests (Criterion), and the
# console itself in a real terminal (tmux) against a cache the fixture program fills.
UI_UNIT_TESTS = tests/ui/test_layout tests/ui/test_requests
check_PROGRAMS += $(UI_UNIT_TESTS) tests/ui/ui_driver tests/ui/ui_fixture
TESTS += $(UI_UNIT_TESTS)
EXTRA_DIST +=
tests_ui_test_layout_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_layout_LDADD = $(TEST_LIBS_ALL)
tests_ui_test_requests_CFLAGS = $(TEST_CFLAGS)
tests_ui_test_requests_LDADD = $(TEST_LIBS_ALL)
tests_ui_ui_driver_CFLAGS = $(TEST_CFLAGS)
tests_ui_ui_driver_LDADD = $(TEST_LIBS_ALL)
tests_ui_ui_fixture_CFLAGS = $(TEST_CFLAGS)
tests_ui_ui_fixture_LDADD = $(TEST_LIBS_ALL)
