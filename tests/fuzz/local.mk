# Fuzzing: one libFuzzer harness per parser of what a server (or a file) hands chatsync.
# ./configure --enable-fuzzing CC=clang && make fuzz    runs each for FUZZ_SECONDS (new inputs go to
#                                                        fuzz-work/NAME, crashes to tests/fuzz/crashes/NAME)
# make check                                             replays tests/fuzz/corpus/NAME and every crash
#                                                        found, without libFuzzer (tests/fuzz/replay.c)
FUZZ_NAMES = dv_page dv_batch graph graph_batch error_body token retry_after conf iso8601 jwt sanitize
FUZZ_SECONDS = 60
EXTRA_DIST += tests/fuzz/fuzz.h tests/fuzz/corpus tests/fuzz/crashes tests/fuzz/open tests/fuzz/run.sh

FUZZ_REPLAYS = tests/fuzz/replay_dv_page tests/fuzz/replay_dv_batch tests/fuzz/replay_graph \
	tests/fuzz/replay_graph_batch tests/fuzz/replay_error_body tests/fuzz/replay_token \
	tests/fuzz/replay_retry_after tests/fuzz/replay_conf tests/fuzz/replay_iso8601 tests/fuzz/replay_jwt \
	tests/fuzz/replay_sanitize
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)
FUZZ_REPLAY_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/fuzz

tests_fuzz_replay_dv_page_SOURCES = tests/fuzz/fuzz_dv_page.c tests/fuzz/replay.c
tests_fuzz_replay_dv_page_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"dv_page\"
tests_fuzz_replay_dv_page_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_dv_batch_SOURCES = tests/fuzz/fuzz_dv_batch.c tests/fuzz/replay.c
tests_fuzz_replay_dv_batch_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"dv_batch\"
tests_fuzz_replay_dv_batch_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_graph_SOURCES = tests/fuzz/fuzz_graph.c tests/fuzz/replay.c
tests_fuzz_replay_graph_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"graph\"
tests_fuzz_replay_graph_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_graph_batch_SOURCES = tests/fuzz/fuzz_graph_batch.c tests/fuzz/replay.c
tests_fuzz_replay_graph_batch_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"graph_batch\"
tests_fuzz_replay_graph_batch_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_error_body_SOURCES = tests/fuzz/fuzz_error_body.c tests/fuzz/replay.c
tests_fuzz_replay_error_body_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"error_body\"
tests_fuzz_replay_error_body_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_token_SOURCES = tests/fuzz/fuzz_token.c tests/fuzz/replay.c
tests_fuzz_replay_token_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"token\"
tests_fuzz_replay_token_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_retry_after_SOURCES = tests/fuzz/fuzz_retry_after.c tests/fuzz/replay.c
tests_fuzz_replay_retry_after_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"retry_after\"
tests_fuzz_replay_retry_after_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_conf_SOURCES = tests/fuzz/fuzz_conf.c tests/fuzz/replay.c
tests_fuzz_replay_conf_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"conf\"
tests_fuzz_replay_conf_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_iso8601_SOURCES = tests/fuzz/fuzz_iso8601.c tests/fuzz/replay.c
tests_fuzz_replay_iso8601_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"iso8601\"
tests_fuzz_replay_iso8601_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_jwt_SOURCES = tests/fuzz/fuzz_jwt.c tests/fuzz/replay.c
tests_fuzz_replay_jwt_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"jwt\"
tests_fuzz_replay_jwt_LDADD = $(CLIENT_LIBS)
tests_fuzz_replay_sanitize_SOURCES = tests/fuzz/fuzz_sanitize.c tests/fuzz/replay.c
tests_fuzz_replay_sanitize_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME=\"sanitize\"
tests_fuzz_replay_sanitize_LDADD = $(CLIENT_LIBS)

# The libFuzzer binaries: built only by `make fuzz`, and only with --enable-fuzzing (clang).
FUZZERS = tests/fuzz/fuzz_dv_page tests/fuzz/fuzz_dv_batch tests/fuzz/fuzz_graph \
	tests/fuzz/fuzz_graph_batch tests/fuzz/fuzz_error_body tests/fuzz/fuzz_token \
	tests/fuzz/fuzz_retry_after tests/fuzz/fuzz_conf tests/fuzz/fuzz_iso8601 tests/fuzz/fuzz_jwt \
	tests/fuzz/fuzz_sanitize
EXTRA_PROGRAMS = $(FUZZERS)
CLEANFILES += $(FUZZERS)
FUZZ_CFLAGS_ALL = $(TEST_CFLAGS) -I$(top_srcdir)/tests/fuzz
FUZZ_LINK = -fsanitize=fuzzer
tests_fuzz_fuzz_dv_page_SOURCES = tests/fuzz/fuzz_dv_page.c
tests_fuzz_fuzz_dv_page_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_dv_page_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_dv_page_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_dv_batch_SOURCES = tests/fuzz/fuzz_dv_batch.c
tests_fuzz_fuzz_dv_batch_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_dv_batch_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_dv_batch_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_graph_SOURCES = tests/fuzz/fuzz_graph.c
tests_fuzz_fuzz_graph_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_graph_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_graph_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_graph_batch_SOURCES = tests/fuzz/fuzz_graph_batch.c
tests_fuzz_fuzz_graph_batch_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_graph_batch_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_graph_batch_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_error_body_SOURCES = tests/fuzz/fuzz_error_body.c
tests_fuzz_fuzz_error_body_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_error_body_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_error_body_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_token_SOURCES = tests/fuzz/fuzz_token.c
tests_fuzz_fuzz_token_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_token_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_token_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_retry_after_SOURCES = tests/fuzz/fuzz_retry_after.c
tests_fuzz_fuzz_retry_after_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_retry_after_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_retry_after_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c
tests_fuzz_fuzz_conf_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_conf_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_iso8601_SOURCES = tests/fuzz/fuzz_iso8601.c
tests_fuzz_fuzz_iso8601_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_iso8601_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_iso8601_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_jwt_SOURCES = tests/fuzz/fuzz_jwt.c
tests_fuzz_fuzz_jwt_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_jwt_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_jwt_LDADD = $(CLIENT_LIBS)
tests_fuzz_fuzz_sanitize_SOURCES = tests/fuzz/fuzz_sanitize.c
tests_fuzz_fuzz_sanitize_CFLAGS = $(FUZZ_CFLAGS_ALL)
tests_fuzz_fuzz_sanitize_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_sanitize_LDADD = $(CLIENT_LIBS)

if FUZZING
fuzz: $(FUZZERS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(top_srcdir) $(FUZZ_NAMES)
else
fuzz:
	@echo "make fuzz needs: ./configure --enable-fuzzing CC=clang" >&2; exit 1
endif
.PHONY: fuzz
