# Cache figures (check and chats --json/--csv at 10,000 to 100,000 cached chats: time, peak RSS, and
# check before and after the one-pass facts read): `make bench-cache`, and part of `make bench`.
# Built with the tests (check_PROGRAMS) so it never goes stale; run only by the bench target.
check_PROGRAMS += bench/cache/bench_cache
bench_cache_bench_cache_SOURCES = bench/cache/bench_cache.c
bench_cache_bench_cache_CFLAGS = $(TEST_CFLAGS)
bench_cache_bench_cache_LDADD = $(CLIENT_LIBS)

bench-cache: bench/cache/bench_cache$(EXEEXT) chatsync$(EXEEXT)
	CHATSYNC_TEST_BUILDDIR='$(abs_top_builddir)' ./bench/cache/bench_cache$(EXEEXT)
.PHONY: bench-cache
