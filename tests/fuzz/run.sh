#!/bin/sh
# make fuzz: runs each harness for $FUZZ_SECONDS (default 60) from its kept corpus, writing new
# inputs to fuzz-work/NAME and crashes to tests/fuzz/crashes/NAME, and prints one line per harness:
# "NAME: N executions, N crashes". Exits 1 if any harness found a crash.
# usage: run.sh SRCDIR NAME...
src=$1
shift
secs=${FUZZ_SECONDS:-60}
status=0
for name in "$@"; do
	mkdir -p "fuzz-work/$name" "$src/tests/fuzz/crashes/$name"
	before=$(ls "$src/tests/fuzz/crashes/$name" | wc -l)
	log="fuzz-work/$name.log"
	./tests/fuzz/"fuzz_$name" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$src/tests/fuzz/crashes/$name/" "fuzz-work/$name" "$src/tests/fuzz/corpus/$name" \
		>"$log" 2>&1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	after=$(ls "$src/tests/fuzz/crashes/$name" | wc -l)
	crashes=$((after - before))
	echo "$name: ${execs:-0} executions in ${secs} s, $crashes crashes"
	if [ "$crashes" -ne 0 ]; then
		status=1
		grep -m3 -E 'ERROR|runtime error|SUMMARY' "$log"
	fi
done
exit $status
