# Sandbox tests: unit tests of its modules (linked from libsandbox.a) and tests that start
# chatsync-sandbox and drive it over HTTPS with libcurl.
SBT_CFLAGS = $(TEST_CFLAGS) $(CJSON_CFLAGS) -I$(top_srcdir)/tests/sandbox
SBT_LIBS = tests/libtestutil.a libsandbox.a $(TEST_LIBS) $(MHD_LIBS)
SBT_HELPERS = tests/sandbox/sbt.c tests/sandbox/sbt.h
SANDBOX_TESTS = \
	tests/sandbox/test_sb_odata \
	tests/sandbox/test_sb_gen \
	tests/sandbox/test_sb_entra \
	tests/sandbox/test_sb_dataverse \
	tests/sandbox/test_sb_graph \
	tests/sandbox/test_sb_faults \
	tests/sandbox/test_sb_process

if HAVE_CRITERION
check_PROGRAMS += $(SANDBOX_TESTS)
TESTS += $(SANDBOX_TESTS)
endif

tests_sandbox_test_sb_odata_SOURCES = tests/sandbox/test_sb_odata.c
tests_sandbox_test_sb_odata_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_odata_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_gen_SOURCES = tests/sandbox/test_sb_gen.c
tests_sandbox_test_sb_gen_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_gen_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_entra_SOURCES = tests/sandbox/test_sb_entra.c $(SBT_HELPERS)
tests_sandbox_test_sb_entra_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_entra_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_dataverse_SOURCES = tests/sandbox/test_sb_dataverse.c $(SBT_HELPERS)
tests_sandbox_test_sb_dataverse_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_dataverse_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_graph_SOURCES = tests/sandbox/test_sb_graph.c $(SBT_HELPERS)
tests_sandbox_test_sb_graph_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_graph_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_faults_SOURCES = tests/sandbox/test_sb_faults.c $(SBT_HELPERS)
tests_sandbox_test_sb_faults_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_faults_LDADD = $(SBT_LIBS)
tests_sandbox_test_sb_process_SOURCES = tests/sandbox/test_sb_process.c $(SBT_HELPERS)
tests_sandbox_test_sb_process_CFLAGS = $(SBT_CFLAGS)
tests_sandbox_test_sb_process_LDADD = $(SBT_LIBS)

# The client against the stricter sandbox (the e2e helpers start both).
SANDBOX_CLIENT_TESTS = tests/sandbox/test_sb_client
if HAVE_CRITERION
check_PROGRAMS += $(SANDBOX_CLIENT_TESTS)
TESTS += $(SANDBOX_CLIENT_TESTS)
endif
tests_sandbox_test_sb_client_SOURCES = tests/sandbox/test_sb_client.c tests/e2e/e2e.c
tests_sandbox_test_sb_client_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/e2e
tests_sandbox_test_sb_client_LDADD = $(TEST_LIBS_ALL)
