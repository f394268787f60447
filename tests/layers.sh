#!/bin/sh
# The layers of HACKING.md, kept: every #include of ours points down the arrows, the libraries'
# headers stay in their one folder, no source file is over 800 lines, and no two object files of
# the client call each other (directly or round a longer circle).
#
#   tests/layers.sh [SRCDIR [LIBRARY]]
#
# SRCDIR defaults to $CHATSYNC_TEST_SRCDIR/src, LIBRARY to $CHATSYNC_TEST_BUILDDIR/libchatsync.a
# (the circle check needs the built objects; without the library it is skipped and says so).
# Prints each violation on a line of its own and "N passed, N failed"; exits 1 on any violation.
# Run with --selftest to prove that the check fails on a forbidden include and on a long file.
set -u
LC_ALL=C
export LC_ALL

# Which folders each folder may include from (itself always).
allowed() {
	case $1 in
	base) echo "base" ;;
	core) echo "base core" ;;
	net) echo "base net" ;;
	auth) echo "base core net auth" ;;
	api) echo "base core api" ;;
	store) echo "base core store" ;;
	sync) echo "base core net auth api store sync" ;;
	cli) echo "base core store sync cli" ;;
	ui) echo "base core store sync ui" ;;
	sandbox) echo "base sandbox" ;;
	main.c) echo "base core net auth api store sync cli ui" ;;
	*) echo "" ;;
	esac
}

# Which folder alone may include a library's headers.
library_home() {
	case $1 in
	curl/*) echo net ;;
	curses.h | ncurses.h | ncursesw/* | term.h) echo ui ;;
	sqlite3.h) echo store ;;
	microhttpd.h | gnutls/*) echo sandbox ;;
	*) echo "" ;;
	esac
}

check_tree() {
	src=$1 lib=${2:-}
	bad=0 good=0
	out=$(mktemp)
	# 1. includes against the arrows
	for f in $(cd "$src" && find . -name '*.[ch]' | sed 's#^\./##' | sort); do
		case $f in
		*/*) layer=${f%%/*} ;;
		*) layer=$f ;;
		esac
		ok=$(allowed "$layer")
		if [ -z "$ok" ]; then
			echo "layers: src/$f is in no layer of HACKING.md (add its folder to tests/layers.sh)" >>"$out"
			continue
		fi
		sed -n 's/^[ \t]*#[ \t]*include[ \t]*\([<"]\)\([^>"]*\)[>"].*/\1\2/p' "$src/$f" | while read -r inc; do
			kind=$(printf '%s' "$inc" | cut -c1)
			name=$(printf '%s' "$inc" | cut -c2-)
			if [ "$kind" = '"' ]; then
				case $name in
				config.h) continue ;;
				*/*) target=${name%%/*} ;;
				*) continue ;; # a header beside the file (the sandbox's own)
				esac
				case " $ok " in
				*" $target "*) ;;
				*) echo "layers: src/$f includes \"$name\": $layer/ may use only: $ok" ;;
				esac
			else
				home=$(library_home "$name")
				if [ -n "$home" ] && [ "$home" != "$layer" ]; then
					echo "layers: src/$f includes <$name>: only $home/ may"
				fi
			fi
		done >>"$out"
	done
	# 2. file length
	for f in $(cd "$src" && find . -name '*.[ch]' | sed 's#^\./##' | sort); do
		n=$(wc -l <"$src/$f")
		[ "$n" -gt 800 ] && echo "layers: src/$f has $n lines (at most 800: split it along a seam you can name)" >>"$out"
	done
	# 3. circles between object files, from their symbols
	if [ -n "$lib" ] && [ -f "$lib" ]; then
		syms=$(mktemp)
		# The library's objects by their place in the tree (two folders may both have a history.c):
		# src/store/libchatsync_a-history.o becomes store/history.o.
		# Only objects whose source still exists (a moved file leaves its old object behind).
		objs=$(find "$(dirname "$lib")/src" -name 'libchatsync_a-*.o' 2>/dev/null | sort | while read -r o; do
			d=${o%/*}; d=${d##*/src/}; b=${o##*/libchatsync_a-}
			[ -f "$src/$d/${b%.o}.c" ] && echo "$o"
		done)
		if [ -n "$objs" ]; then
			nm -A $objs 2>/dev/null | sed -n 's#^.*/src/\([a-z]*\)/libchatsync_a-\([^:]*\.o\): *[0-9a-f]* *\([A-Za-z]\) \(.*\)$#\1/\2 \3 \4#p' >"$syms"
		else
			nm -A "$lib" 2>/dev/null | sed -n 's/^[^:]*:\([^:]*\.o\): *[0-9a-f]* *\([A-Za-z]\) \(.*\)$/\1 \2 \3/p' >"$syms"
		fi
		pairs=$(mktemp)
		awk '$2 ~ /^[TDBRCGSV]$/ { def[$3] = $1 }
		     $2 == "U" { use[NR] = $1 " " $3 }
		     END { for (i in use) { split(use[i], u, " "); if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]] } }' \
			"$syms" | sort -u >"$pairs"
		if ! tsort "$pairs" >/dev/null 2>"$syms.err"; then
			loop=$(grep -v 'input contains a loop' "$syms.err" | sed 's/^tsort: *//; s/libchatsync_a-//' | tr '\n' ' ')
			echo "layers: these object files call each other in a circle: $loop" >>"$out"
		fi
		# tsort names one loop at a time: also name every direct pair.
		awk '{ e[$1 " " $2] = 1 } END { for (k in e) { split(k, p, " "); if ((p[2] " " p[1]) in e && p[1] < p[2]) print "layers: " p[1] " and " p[2] " call each other" } }' \
			"$pairs" | sed 's/libchatsync_a-//g' >>"$out"
		rm -f "$syms" "$syms.err" "$pairs"
	else
		echo "layers: no library given: the circle check did not run" >&2
	fi
	if [ -s "$out" ]; then
		cat "$out"
		bad=$(wc -l <"$out")
	else
		good=1
	fi
	rm -f "$out"
	echo "$good passed, $bad failed"
	[ "$bad" -eq 0 ]
}

selftest() {
	tmp=$(mktemp -d)
	mkdir -p "$tmp/src/ui" "$tmp/src/cli" "$tmp/src/core" "$tmp/src/base"
	printf '#include "config.h"\n#include "base/error.h"\n#include "core/model.h"\n' >"$tmp/src/ui/view.c"
	printf '#include "base/error.h"\n' >"$tmp/src/cli/cli.h"
	check_tree "$tmp/src" >/dev/null || { echo "selftest: a clean tree was refused"; rm -rf "$tmp"; return 1; }
	printf '#include "cli/cli.h"\n' >>"$tmp/src/ui/view.c"
	if check_tree "$tmp/src" >/dev/null; then
		echo "selftest: ui/ including cli/ was not refused"; rm -rf "$tmp"; return 1
	fi
	sed -i '$d' "$tmp/src/ui/view.c"
	printf '#include <sqlite3.h>\n' >>"$tmp/src/ui/view.c"
	if check_tree "$tmp/src" >/dev/null; then
		echo "selftest: SQL outside store/ was not refused"; rm -rf "$tmp"; return 1
	fi
	sed -i '$d' "$tmp/src/ui/view.c"
	seq 801 | sed 's#.*#/* line */#' >"$tmp/src/core/long.c"
	if check_tree "$tmp/src" >/dev/null; then
		echo "selftest: an 801-line file was not refused"; rm -rf "$tmp"; return 1
	fi
	rm -rf "$tmp"
	echo "selftest: a forbidden include, a library header out of place and a long file are each refused"
}

if [ "${1:-}" = "--selftest" ]; then
	selftest
	exit $?
fi
src=${1:-${CHATSYNC_TEST_SRCDIR:-.}/src}
lib=${2:-${CHATSYNC_TEST_BUILDDIR:-.}/libchatsync.a}
check_tree "$src" "$lib"
