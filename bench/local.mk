# Benchmarks: `make bench` builds what they need and runs each; they print their figures.
include bench/sandbox/local.mk
include bench/cache/local.mk
include bench/net/local.mk
EXTRA_DIST += bench/bench_refresh.sh
bench-refresh: chatsync$(EXEEXT) chatsync-sandbox$(EXEEXT) tests/ui/ui_fixture$(EXEEXT)
	CHATSYNC_TEST_BUILDDIR='$(abs_top_builddir)' CHATSYNC_TEST_SRCDIR='$(abs_top_srcdir)' \
		$(SHELL) $(top_srcdir)/bench/bench_refresh.sh
bench: bench-refresh
.PHONY: bench-refresh
