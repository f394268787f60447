# Cache write throughput and history growth (issue 15: 100,000 chats x 30 refreshes, 1% changed each),
# driving store/ and sync/history directly; run by bench/bench.py within `make bench`.
# Built with the tests (check_PROGRAMS) so it never goes stale; run only by the bench target.
check_PROGRAMS += bench/history/bench_history
bench_history_bench_history_SOURCES = bench/history/bench_history.c
bench_history_bench_history_CFLAGS = $(TEST_CFLAGS)
bench_history_bench_history_LDADD = $(CLIENT_LIBS)
