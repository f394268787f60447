# Sandbox figures (generation of 100,000 chats, startup, request rates): `make bench-sandbox`,
# and part of `make bench`.
# Built with the tests (check_PROGRAMS) so it never goes stale; run only by the bench target.
check_PROGRAMS += bench/sandbox/bench_sandbox
bench_sandbox_bench_sandbox_SOURCES = bench/sandbox/bench_sandbox.c
bench_sandbox_bench_sandbox_CFLAGS = $(SANDBOX_CFLAGS) $(CURL_CFLAGS)
bench_sandbox_bench_sandbox_LDADD = $(SANDBOX_LIBS) $(CURL_LIBS)

bench-sandbox: bench/sandbox/bench_sandbox$(EXEEXT) chatsync-sandbox$(EXEEXT)
	CHATSYNC_TEST_BUILDDIR='$(abs_top_builddir)' ./bench/sandbox/bench_sandbox$(EXEEXT)
.PHONY: bench-sandbox
