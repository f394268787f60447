#!/bin/sh
# tests/layers.sh refuses what it must: a forbidden include, a library header out of its folder and
# an over-long file, each in a tree of its own (tests/layers.sh --selftest).
dir=$(dirname "$0")
if sh "$dir/layers.sh" --selftest; then
	echo "1 passed, 0 failed"
else
	echo "0 passed, 1 failed"
	exit 1
fi
