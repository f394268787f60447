# Diagnosis engine tests: the rules (test_diagnose) and their rendering (test_diagnose_report).
DIAG_TESTS = tests/core/test_diagnose tests/core/test_diagnose_report
check_PROGRAMS += $(DIAG_TESTS)
TESTS += $(DIAG_TESTS)
EXTRA_DIST += tests/core/diag_test_facts.h
tests_core_test_diagnose_SOURCES = tests/core/test_diagnose.c tests/core/diag_test_facts.h
tests_core_test_diagnose_CFLAGS = $(TEST_CFLAGS)
tests_core_test_diagnose_LDADD = $(TEST_LIBS)
tests_core_test_diagnose_report_SOURCES = tests/core/test_diagnose_report.c tests/core/diag_test_facts.h
tests_core_test_diagnose_report_CFLAGS = $(TEST_CFLAGS)
tests_core_test_diagnose_report_LDADD = $(TEST_LIBS)
