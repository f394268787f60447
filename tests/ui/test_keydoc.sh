#!/bin/sh
# README, the man page and the console's `?` list the same keys and commands: all three come from
# the request table (src/ui/request.h). The `?` screen is built from it at run time; README and
# data/chatsync.1 hold a copy between marker lines, which must be what tests/ui/ui_keydoc prints.
set -u
B=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
S=${CHATSYNC_TEST_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/chatsync-keydoc.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
section() { # FILE BEGIN-MARKER END-MARKER
	# Through the environment: awk -v would read the man page's backslashes as escapes.
	B_MARK=$2 E_MARK=$3 awk 'index($0, ENVIRON["E_MARK"]) { on = 0 } on { print } index($0, ENVIRON["B_MARK"]) { on = 1 }' "$1"
}
compare() { # what FILE FORMAT BEGIN END
	"$B/tests/ui/ui_keydoc" "$3" >"$T/want"
	section "$2" "$4" "$5" >"$T/have"
	if [ -s "$T/have" ] && cmp -s "$T/want" "$T/have"; then
		pass=$((pass + 1))
		echo "ok - $1 lists the keys and commands of the request table"
	else
		fail=$((fail + 1))
		echo "FAIL - $1 differs from the request table (regenerate: tests/ui/ui_keydoc $3)"
		diff "$T/want" "$T/have" | sed 's/^/    | /' | head -n 20
	fi
}
compare README "$S/README" markdown "<!-- keys: generated" "<!-- end of keys -->"
compare "the man page" "$S/data/chatsync.1" man '.\" keys: generated' '.\" end of keys'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
