#!/bin/sh
# The console on the demo tenant, as a new user meets it: `chatsync --demo` in tmux (80x24 and
# 40x12) against its own sandbox. The console opens at once and refreshes in the background;
# keys typed before any question must not answer it; the one write is asked in words; the RSC
# pane leads to a chat that lacks the app and to its rule.
set -u

B=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/chatsync-demo.XXXXXX")
PANE=demo
. "$(dirname "$0")/tmux.sh"
cleanup() { tm kill-server 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM

ms() { date +%s%N | cut -c1-13; }

need_tmux

# new_home: a fresh tmux server and a fresh home for chatsync ($home).
new_home() {
	tm kill-server 2>/dev/null
	server=$((server + 1))
	home=$T/home$server
	mkdir -p "$home"
}
# pane COLS ROWS chatsync options: chatsync in a fresh pane on $home, with $pane_env added to its
# environment; keys may follow at once.
pane() {
	cols=$1
	rows=$2
	shift 2
	tm new-session -d -s demo -x "$cols" -y "$rows" \
		"env LC_ALL=C.UTF-8 LANGUAGE= XDG_CONFIG_HOME=$home XDG_STATE_HOME=$home XDG_CACHE_HOME=$home ${pane_env:-} \
		$B/chatsync $* 2>$home/stderr; echo EXITED=\$?; sleep 600"
}
# start COLS ROWS [chatsync options]: a fresh demo.
start() {
	new_home
	pane "$@" --demo
}

# ---- typed ahead: j t y at once must not make the toggle ----
t0=$(ms)
start 80 24
keys j t y
first=
opened=
i=0
while [ $i -lt 300 ]; do
	[ -z "$opened" ] && has "Environments" && opened=$(($(ms) - t0))
	if has "contoso-sales"; then first=$(($(ms) - t0)); break; fi
	sleep 0.02
	i=$((i + 1))
done
echo "# console open after ${opened:-never} ms, first screen with environments after ${first:-never} ms"
# The 2 s target is a speed figure, measured by `make bench` on a quiet machine; here, on a CI machine
# that may run this under sanitizers and beside other tests, the console must only come up promptly
# (the figure above is printed either way).
within_10s() { [ -n "$first" ] && [ "$first" -le 10000 ]; }
check "the environments are on screen promptly (2 s is the benchmark's target)" within_10s
check "the refresh ends in the background" wait_for "refresh finished: 3 environments"
check "j t y typed at once made no toggle: contoso-sales is still on" row_has "contoso-sales " "Contoso Sales +on "
check "no question is left on screen" lacks "Turn sync"
keys A
wait_for "Audit" >/dev/null
check "and nothing was audited" eventually has "no writes audited yet"
keys q

# ---- the toggle dialog in words, production needs the name ----
keys g j t
check "t asks in a dialog" wait_for "Turn sync OFF for contoso-sales?"
check "the dialog says the change in words" has "Sync Teams chat data with Dynamics 365 records: ON → OFF"
check "the dialog says which chats will not sync" has "No chat of this environment will sync"
check "the dialog names the tenant's RSC state" has "Tenant chat RSC: managed by Microsoft"
check "the dialog names who is signed in" has "Signed in as the app:"
check "a production environment needs its name typed" has "type contoso-sales and Enter to turn sync OFF"
keys y Enter
check "y and a wrong name do not write" wait_for "nothing was changed"
check "so it is still on" row_has "contoso-sales " "Contoso Sales +on "
keys t
wait_for "type contoso-sales and" >/dev/null
tm send-keys -t demo -l contoso-sales
keys Enter
check "the right name writes through sync/" wait_for "sync is now OFF (was on)"
check "and the row follows" row_has "contoso-sales " "Contoso Sales +off "
keys :
tm send-keys -t demo -l audit
keys Enter
check ":audit lists the write" wait_for "on→off"
keys q

# ---- the RSC pane, to a chat that lacks the app, to its rule ----
keys p
check "p opens the RSC pane with the tenant's state and its source" \
	wait_for "Tenant chat RSC: managed by Microsoft, from authorizationPolicy"
check "with the counts" has "lack one (f shows them)"
keys f
check "f shows only the chats that lack the app or its grant" wait_for "showing chats that lack"
only_lacking() { ! screen | sed -n '6,22p' | grep -E -q '^yes +yes '; }
check "no chat with both is left" only_lacking
keys /
tm send-keys -t demo -l "contoso !unknown"
keys Enter
# The filter is in force once the status line names it; before that the rows are the old ones.
filter_on() { screen_re 'match(es)? "contoso !unknown"|filter: contoso !unknown'; }
check "the status line says the filter is in force" eventually filter_on
no_unknown() { ! screen | sed -n '5,22p' | grep -q '^unknown'; }
check "two terms, one negated: only chats known to lack the app are left" eventually no_unknown
check "and they say the app is not installed" eventually row_has "contoso-" "^no "
keys Enter
check "Enter on one shows its diagnosis" wait_for "Verdict:"
keys /
tm send-keys -t demo -l "app-not"
check "and the rule that says the app is missing (found as it is typed)" eventually has "app-not-installed:"
keys Enter
keys Escape Escape

# ---- :log, :envs, :chats ENV, :profile, :refresh ----
keys :
tm send-keys -t demo -l "chats contoso-service"
keys Enter
check ":chats ENV shows that environment's chats" wait_for "Chats: contoso-service"
keys :
tm send-keys -t demo -l "profile nosuch"
keys Enter
check ":profile with an unknown name says so" wait_for "nosuch"
keys :
tm send-keys -t demo -l "envs"
keys Enter
check ":envs goes back to the environments (already on the stack)" eventually row_has "ENVIRONMENT" "^ENVIRONMENT"
keys :
tm send-keys -t demo -l "refresh"
keys Enter
check ":refresh runs a refresh" wait_for "refresh finished"
keys :
tm send-keys -t demo -l "log"
keys Enter
check ":log lists the session's messages with their times" eventually \
	sh -c "tmux -S '$T/tmux-$server.sock' capture-pane -p -t demo | grep -E -q '^[0-9]{2}:[0-9]{2}:[0-9]{2} notice +refresh finished'"
keys Q
check "Q quits with status 0" wait_for "EXITED=0"

# ---- 40x12 ----
start 40 12
check "40x12: the environments come" wait_for "refresh finished"
check "40x12: names are whole" row_has "contoso-sales" "^contoso-sales +"
check "40x12: the key hints are there" has "? help"
keys g j t
check "40x12: the question still says ON or OFF" wait_for "to turn sync OFF"
keys Escape
keys Q

# ---- read-only ----
start 80 24 --readonly
check "read-only is a badge in the title" wait_for "[READ-ONLY]"
wait_for "refresh finished" >/dev/null
keys t
check "and t is refused" wait_for "read-only: profile readonly = true or --readonly"
keys Q

# ---- sign-in inside the console: the device code in a dialog, whole at 80x24 ----
SB=$T/sandbox
mkdir -p "$SB"
"$B/chatsync-sandbox" --port 0 --dir "$SB" --write-profile "$SB/config" --quiet --auto-approve-after 5 \
	>"$SB/out" 2>&1 &
sandbox_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q listening "$SB/out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
new_home
pane_env="CHATSYNC_LOG=$home/log" && pane 80 24 -c "$SB/config" -p sandbox-device --cache "$home/dc.db"
pane_env=
check "an empty cache is refreshed at once: a device-code profile shows the sign-in dialog" wait_for "Sign in to Microsoft"
check "the dialog shows the whole URL" eventually screen_re "1\. Open: https://127\.0\.0\.1:[0-9]+/"
check "and the whole code" eventually screen_re "2\. Enter the code: [A-Z0-9-]{6,}"
check "the code stays on screen while the user waits" eventually has "Esc cancels"
check "the dialog closes by itself when the sign-in is approved" wait_for "refresh finished" 400
check "and the environments are there" has "contoso-sales"
keys :
tm send-keys -t demo -l "profile sandbox-reader"
keys Enter
check ":profile NAME switches to that profile's cache" wait_for "profile sandbox-reader:"
keys r
wait_for "refresh finished" 400 >/dev/null
keys g t
wait_for "type contoso-field and" >/dev/null
tm send-keys -t demo -l contoso-field
keys Enter
check "a write refused with 403 is said" wait_for "403"
keys L
check "the log view has the 403's remedy whole" eventually has "System Administrator"
check "and the log file has it, from the console" grep -q "console: .*403" "$home/log"
keys Q

# ---- a certificate key behind a passphrase: asked in a dialog, never shown ----
if openssl pkey -in "$SB/client.pem" -aes256 -passout pass:s3cret-phrase -out "$SB/enc.key" 2>/dev/null &&
	openssl x509 -in "$SB/client.pem" >"$SB/enc.pem" 2>/dev/null; then
	cat "$SB/enc.key" >>"$SB/enc.pem"
	sed -n '/\[profile sandbox-cert\]/,/^$/p' "$SB/config" |
		sed "s|^certificate = .*|certificate = $SB/enc.pem|; s|sandbox-cert|enc|" >"$SB/enc.conf"
	chmod 600 "$SB/enc.conf" "$SB/enc.pem"
	new_home
	pane 80 24 -c "$SB/enc.conf" --cache "$home/enc.db"
	check "an encrypted key asks for its passphrase in a dialog" wait_for "Passphrase"
	tm send-keys -t demo -l s3cret-phrase
	check "what is typed shows as stars, never as text" eventually sh -c \
		"tmux -S '$T/tmux-$server.sock' capture-pane -p -t demo | grep -q 'Passphrase: \*\*\*\*\*\*\*\*\*\*\*\*\*' &&
		! tmux -S '$T/tmux-$server.sock' capture-pane -p -t demo | grep -q s3cret"
	keys Enter
	check "the right passphrase signs in and the refresh runs" wait_for "refresh finished" 400
	keys Q
else
	nok "openssl could not make an encrypted key for the passphrase test"
fi
kill "$sandbox_pid" 2>/dev/null
wait "$sandbox_pid" 2>/dev/null

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
