# The console tests' shared words, sourced by tests/ui/test_*.sh after they set T (their own
# temporary directory) and PANE (the tmux session they drive). A private tmux server: never the
# user's, never another test's; each start takes a new socket (server=N+1), so a server that is
# still going away never meets the next one. Waits are 20 s at most: sanitizer builds on a loaded
# machine are slow, and a console answers a key on its next turn, so no fixed sleep is long enough.

pass=0
fail=0
server=0
unset TMUX

tm() { tmux -S "$T/tmux-$server.sock" -f /dev/null "$@"; }

# need_tmux: the test cannot run without it, and says so as a failure.
need_tmux() {
	command -v tmux >/dev/null 2>&1 && return 0
	echo "tmux is needed for the console tests"
	echo "0 passed, 1 failed"
	exit 1
}

ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() {
	fail=$((fail + 1))
	echo "FAIL - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    | /'
	return 0
}
# check DESCRIPTION CMD...: CMD must succeed; if not, the screen goes with the failure.
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d" "$(screen)"; fi
}

screen() { tm capture-pane -p -t "$PANE" 2>/dev/null; }
screen_escapes() { tm capture-pane -e -p -t "$PANE" 2>/dev/null; }
keys() { tm send-keys -t "$PANE" "$@"; }
type_text() { tm send-keys -t "$PANE" -l "$1"; }
has() { screen | grep -F -q -- "$1"; }
lacks() { ! has "$1"; }
screen_re() { screen | grep -E -q -- "$1"; }
status_has() { screen | tail -n 1 | grep -F -q -- "$1"; }
# row TEXT: the first screen line holding TEXT; row_has TEXT RE: that line matches RE.
row() { screen | grep -F -- "$1" | head -n 1; }
row_has() { row "$1" | grep -E -q -- "$2"; }
# line_no TEXT: its line number on the screen; before A B: A stands above B.
line_no() { screen | grep -n -F -- "$1" | head -n 1 | cut -d: -f1; }
before() { [ "$(line_no "$1")" -lt "$(line_no "$2")" ]; }
# has_all TEXT...: every one is on the screen; has_but TEXT NOT...: TEXT and none of the others.
has_all() {
	for x in "$@"; do has "$x" || return 1; done
}
has_but() {
	has "$1" || return 1
	shift
	for x in "$@"; do lacks "$x" || return 1; done
}

# eventually CMD...: CMD succeeds within 20 s.
eventually() {
	i=0
	while [ $i -lt 200 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# wait_for TEXT [tenths of a second, default 200]: until the screen shows TEXT.
wait_for() {
	i=0
	while [ $i -lt "${2:-200}" ]; do
		has "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
