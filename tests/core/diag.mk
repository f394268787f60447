# Diagnosis engine tests: the rules (test_diagnose), their rendering (test_diagnose_report) and the
# facts of every chat read from a cache in one pass (test_diagnose_facts).
DIAG_TESTS = tests/core/test_diagnose tests/core/test_diagnose_report tests/core/test_diagnose_facts
check_PROGRAMS += $(DIAG_TESTS)
TESTS += $(DIAG_TESTS)
EXTRA_DIST += tests/core/diag_test_facts.h
tests_core_test_diagnose_SOURCES = tests/core/test_diagnose.c tests/core/diag_test_facts.h
tests_core_test_diagnose_CFLAGS = $(TEST_CFLAGS)
tests_core_test_diagnose_LDADD = $(TEST_LIBS)
tests_core_test_diagnose_report_SOURCES = tests/core/test_diagnose_report.c tests/core/diag_test_facts.h
tests_core_test_diagnose_report_CFLAGS = $(TEST_CFLAGS)
tests_core_test_diagnose_report_LDADD = $(TEST_LIBS)
tests_core_test_diagnose_facts_SOURCES = tests/core/test_diagnose_facts.c
tests_core_test_diagnose_facts_CFLAGS = $(TEST_CFLAGS)
tests_core_test_diagnose_facts_LDADD = $(TEST_LIBS_ALL)
