# Benchmarks: `make bench` builds what they need and runs bench/bench.py, which runs every workload of
# issues 14, 15 and 16 against the sandbox on loopback and prints one table (figure, target or peer or
# bound, verdict); raw figures and request logs go to bench/out/. `make bench-cache` and `make bench-sandbox` run
# those programs alone. bench/deps installs what the console and peer parts need (python3-pyte, node).
include bench/sandbox/local.mk
include bench/cache/local.mk
include bench/history/local.mk
include bench/net/local.mk
EXTRA_DIST += bench/bench.py bench/benchlib.py bench/deps bench/RESULTS.md
PYTHON_FOR_BENCH = python3
bench: chatsync$(EXEEXT) chatsync-sandbox$(EXEEXT) tests/ui/ui_fixture$(EXEEXT) bench/cache/bench_cache$(EXEEXT) \
		bench/history/bench_history$(EXEEXT) bench/sandbox/bench_sandbox$(EXEEXT) bench/net/bench_sched$(EXEEXT)
	CHATSYNC_TEST_BUILDDIR='$(abs_top_builddir)' CHATSYNC_TEST_SRCDIR='$(abs_top_srcdir)' \
		$(PYTHON_FOR_BENCH) $(top_srcdir)/bench/bench.py
.PHONY: bench
clean-local: clean-local-bench
clean-local-bench:
	-rm -rf bench/out
.PHONY: clean-local-bench
