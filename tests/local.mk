# Test fixtures: Microsoft's documented example responses (tests/fixtures/microsoft-docs).
EXTRA_DIST += tests/fixtures

# Helpers every test program links: running commands, temporary dirs.
check_LIBRARIES = tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/common/run.c tests/common/run.h tests/common/sandbox.c tests/common/sandbox.h
tests_libtestutil_a_CFLAGS = $(TEST_CFLAGS)
TEST_CFLAGS += -I$(top_srcdir)/tests/common
TEST_LIBS_ALL = tests/libtestutil.a $(TEST_LIBS)

FOUNDATION_TESTS = tests/core/test_conf tests/core/test_paths tests/core/test_log tests/core/test_text \
	tests/store/test_cache tests/store/test_wal tests/cli/test_cli
check_PROGRAMS += $(FOUNDATION_TESTS)
TESTS += $(FOUNDATION_TESTS)
tests_core_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_core_test_conf_LDADD = $(TEST_LIBS_ALL)
tests_core_test_paths_CFLAGS = $(TEST_CFLAGS)
tests_core_test_paths_LDADD = $(TEST_LIBS_ALL)
tests_core_test_log_CFLAGS = $(TEST_CFLAGS)
tests_core_test_log_LDADD = $(TEST_LIBS_ALL)
tests_core_test_text_CFLAGS = $(TEST_CFLAGS)
tests_core_test_text_LDADD = $(TEST_LIBS_ALL)
tests_store_test_cache_CFLAGS = $(TEST_CFLAGS)
tests_store_test_cache_LDADD = $(TEST_LIBS_ALL)
tests_store_test_wal_CFLAGS = $(TEST_CFLAGS)
tests_store_test_wal_LDADD = $(TEST_LIBS_ALL)
tests_cli_test_cli_CFLAGS = $(TEST_CFLAGS)
tests_cli_test_cli_LDADD = $(TEST_LIBS_ALL)
include tests/core/diag.mk

check_PROGRAMS += tests/api/test_parse
TESTS += tests/api/test_parse
tests_api_test_parse_CFLAGS = $(TEST_CFLAGS)
tests_api_test_parse_LDADD = $(TEST_LIBS_ALL)
EXTRA_DIST += tests/api/fixtures/README.md tests/api/fixtures/graph-permissiongrantpolicies-list.json \
	tests/api/fixtures/graph-serviceprincipal-permissiongrantpreapprovalpolicies.json
include tests/net/local.mk
include tests/auth/local.mk
include tests/fuzz/local.mk

# The bad-input corpus: 60+ broken or hostile inputs, each with its exit status and message.
TESTS += tests/badinput/run.sh
EXTRA_DIST += tests/badinput/run.sh tests/badinput/valgrind.supp tests/badinput/lsan.supp
include tests/ui/local.mk
include tests/sync/local.mk

# End to end: the chatsync binary against a sandbox tenant of each test's own.
E2E_TESTS = tests/e2e/test_refresh
EXTRA_DIST += tests/e2e/e2e.h
tests_e2e_test_refresh_SOURCES = tests/e2e/test_refresh.c tests/e2e/e2e.c
tests_e2e_test_refresh_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_refresh_LDADD = $(TEST_LIBS_ALL)
include tests/sandbox/local.mk
E2E_TESTS += tests/e2e/test_diagnose
tests_e2e_test_diagnose_SOURCES = tests/e2e/test_diagnose.c tests/e2e/e2e.c
tests_e2e_test_diagnose_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_diagnose_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_sync
tests_e2e_test_sync_SOURCES = tests/e2e/test_sync.c tests/e2e/e2e.c
tests_e2e_test_sync_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_sync_LDADD = $(TEST_LIBS_ALL) $(PTHREAD_LIBS)
E2E_TESTS += tests/e2e/test_progress
tests_e2e_test_progress_SOURCES = tests/e2e/test_progress.c tests/e2e/e2e.c
tests_e2e_test_progress_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_progress_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_secrets
tests_e2e_test_secrets_SOURCES = tests/e2e/test_secrets.c tests/e2e/e2e.c tests/e2e/e2e_browser.c
tests_e2e_test_secrets_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_secrets_LDADD = $(TEST_LIBS_ALL) -lutil
E2E_TESTS += tests/e2e/test_browser
EXTRA_DIST += tests/e2e/e2e_browser.h
tests_e2e_test_browser_SOURCES = tests/e2e/test_browser.c tests/e2e/e2e.c tests/e2e/e2e_browser.c
tests_e2e_test_browser_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_browser_LDADD = $(TEST_LIBS_ALL) -lutil
E2E_TESTS += tests/e2e/test_output
tests_e2e_test_output_SOURCES = tests/e2e/test_output.c tests/e2e/e2e.c
tests_e2e_test_output_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_output_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_history
tests_e2e_test_history_SOURCES = tests/e2e/test_history.c tests/e2e/e2e.c
tests_e2e_test_history_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_history_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_demo
tests_e2e_test_demo_SOURCES = tests/e2e/test_demo.c
tests_e2e_test_demo_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_demo_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_rsc
tests_e2e_test_rsc_SOURCES = tests/e2e/test_rsc.c tests/e2e/e2e.c tests/e2e/e2e_browser.c
tests_e2e_test_rsc_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_rsc_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_delegated
tests_e2e_test_delegated_SOURCES = tests/e2e/test_delegated.c tests/e2e/e2e.c
tests_e2e_test_delegated_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_delegated_LDADD = $(TEST_LIBS_ALL)
E2E_TESTS += tests/e2e/test_prereq
tests_e2e_test_prereq_SOURCES = tests/e2e/test_prereq.c tests/e2e/e2e.c
tests_e2e_test_prereq_CFLAGS = $(TEST_CFLAGS)
tests_e2e_test_prereq_LDADD = $(TEST_LIBS_ALL)
check_PROGRAMS += $(E2E_TESTS)
TESTS += $(E2E_TESTS)

# The kill test: SIGKILL a refresh at 50 points and a toggle at each of its steps, then check the cache.
check_PROGRAMS += tests/kill/test_kill
TESTS += tests/kill/test_kill
tests_kill_test_kill_SOURCES = tests/kill/test_kill.c tests/e2e/e2e.c
tests_kill_test_kill_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/e2e
tests_kill_test_kill_LDADD = $(TEST_LIBS_ALL)

# The layers of HACKING.md: includes along the arrows, library headers in their one folder, no file
# over 800 lines, no circle between object files; and the proof that each of those is refused.
TESTS += tests/layers.sh tests/layers_selftest.sh
EXTRA_DIST += tests/layers.sh tests/layers_selftest.sh
