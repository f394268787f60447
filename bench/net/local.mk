# The transport's scheduler at 10,000 to 100,000 queued requests: CPU and checks per request, and
# their growth (`make bench-sched`, part of `make bench`). Built with the tests so it never goes stale.
check_PROGRAMS += bench/net/bench_sched
bench_net_bench_sched_SOURCES = bench/net/bench_sched.c
bench_net_bench_sched_CFLAGS = $(TEST_CFLAGS)
bench_net_bench_sched_LDADD = $(CLIENT_LIBS)

bench-sched: bench/net/bench_sched$(EXEEXT)
	./bench/net/bench_sched$(EXEEXT)
.PHONY: bench-sched
