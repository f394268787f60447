#!/bin/sh
# The console in a real terminal: tmux panes of 80x30 and 20x6 run tests/ui/ui_driver (the same
# options and context as chatsync) over a cache that tests/ui/ui_fixture fills through the store
# API; keys go in with send-keys or a key script, and the screen text is compared.
set -u

B=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
S=${CHATSYNC_TEST_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DRIVER=$B/tests/ui/ui_driver
FIXTURE=$B/tests/ui/ui_fixture
NOW=2026-11-14T09:12:00Z
T=$(mktemp -d "${TMPDIR:-/tmp}/chatsync-ui.XXXXXX")
PANE=ui
. "$S/tests/ui/tmux.sh"
cleanup() { tm kill-server 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
need_tmux

mkdir -p "$T/config" "$T/state" "$T/cachehome"
if ! CHATSYNC_NOW=$NOW "$FIXTURE" "$T/pristine.db" || ! CHATSYNC_NOW=$NOW "$FIXTURE" "$T/bulk.db" 60 ||
	! CHATSYNC_NOW=$NOW "$FIXTURE" "$T/edge.db" 0 edge; then
	echo "ui_fixture could not fill the cache"
	echo "0 passed, 1 failed"
	exit 1
fi

# The pane runs this: the driver, then (to show the terminal was given back) its exit status and
# the line discipline's modes, then it waits to be captured.
cat >"$T/run.sh" <<EOF
#!/bin/sh
export LC_ALL=C.UTF-8 LANGUAGE= CHATSYNC_LOG=$T/log CHATSYNC_NOW=$NOW XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state \
	XDG_CACHE_HOME=$T/cachehome UI_DRIVER_STATUS=$T/status UI_DRIVER_PIDFILE=$T/pid
"$DRIVER" --cache "$T/cache.db" "\$@" 2>"$T/stderr"
echo "EXITED=\$?"
stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '
echo
sleep 600
EOF
chmod +x "$T/run.sh"

# start COLS ROWS [VAR=value...] [-- driver options]: a fresh cache and a fresh pane.
start() {
	cols=$1
	rows=$2
	shift 2
	envs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs="$envs $1"
		shift
	done
	[ $# -gt 0 ] && shift
	tm kill-server 2>/dev/null
	server=$((server + 1))
	rm -f "$T/cache.db" "$T/cache.db-wal" "$T/cache.db-shm" "$T/status" "$T/pid" "$T/stderr"
	cp "$T/pristine.db" "$T/cache.db"
	tm new-session -d -s ui -x "$cols" -y "$rows" "env $envs $T/run.sh $*"
	# Up: the title bar, the too-small sentence, or the driver's end.
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -E -q "Environments|terminal too|EXITED=" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# settle: until the diagnosis of every chat is done (the status line stops counting).
settle() {
	i=0
	while [ $i -lt 100 ]; do
		screen | tail -n 1 | grep -q diagnosing || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
colourful() { screen_escapes | grep -E -q '\[([0-9]*;)*(3[0-7]|4[0-7])(;[0-9]*)*m'; }
monochrome() { ! colourful; }

# ---- 80x30: the start view ----
start 80 30
settle
check "start view lists the environments" has_all "sales " "support " "trial "
check "title bar names the cache age, to the second" eventually screen_re "cache 5m[0-9][0-9]s old"
check "view title is shown" has "Environments"
check "sales: sync on, limit 7 d, 5 chats, 2 not syncing, 1 at risk" \
	row_has "sales " "^sales +Contoso Sales +on +7 d +5 +2 +1 +5m[0-9]+s ago"
check "support: sync off, limit 14 d" row_has "support " "^support +Support Desk +off +14 d +2 +2 +0"
check "trial: unknown sync and its refresh error" row_has "trial " "^trial +Trial Env +unknown .*failed: Datav"
check "status line shows the position" status_has "1/3"
keys j j
wait_for "3/3" >/dev/null
check "the selected environment's whole refresh error goes to the status line" \
	status_has "trial: last refresh failed: Dataverse answered 403"
keys g

# ---- Enter: the chats of sales ----
keys Enter
wait_for "Chats: sales"
settle
check "Enter shows the chats of the environment" has "Chats: sales"
check "chat columns are there" row_has "STATE" "STATE +SYNC +IDLE▼ +VERDICT +SUBJECT +PARTICIPANTS"
check "the completed chat is not syncing, 30 d idle" \
	row_has "Old escalation" "completed +enabled +30d00h +not syncing +Old escalation +Dan Smith"
check "the chat near its inactivity limit is at risk" row_has "Renewal Northwind" "6d12h +at risk"
check "a healthy chat is syncing" row_has "Deal room" "1d00h +syncing +Deal room Fabrikam +Alice Example, Bob"
check "a chat connected before sync shows without an activity" \
	row_has "Connected too early" "no activity +- +40d00h +not syncing"
check "CJK subjects and names are shown" has "山田太郎"
oldest_first() {
	before "Connected too early" "Old escalation" && before "Old escalation" "Renewal" &&
		before "Renewal" "Deal room" && before "Deal room" "山田太郎"
}
check "chats are sorted by idle time, oldest first" oldest_first

# ---- / filters ----
keys /
type_text "deal"
keys Enter
wait_for "1 line matches" >/dev/null
check "/ deal leaves one chat" has "Deal room Fabrikam"
check "the others are gone" lacks "Renewal Northwind"
check "the status line says how many match" has '1 line matches "deal"'
highlighted() { screen_escapes | grep -F "Fabrikam" | grep -E -q '\[([0-9]*;)*43(;[0-9]*)*m[^[]*Deal'; }
check "the match is highlighted" highlighted
keys /
type_text "山田"
keys Enter
wait_for '"山田"' >/dev/null
check "/ matches participants, also in CJK" has_but "漢字" "Deal room"
keys /
type_text "RENEWAL@THREAD"
keys Enter
wait_for '"RENEWAL@THREAD"' >/dev/null
check "/ matches chat ids, ignoring case" has_but "Renewal Northwind" "Deal room"
keys /
keys Enter
wait_for "Deal room" >/dev/null
check "an empty filter shows every chat again" has_all "Deal room" "Old escalation"

# ---- f and s ----
keys f f f
wait_for "showing not syncing chats" >/dev/null
check "f cycles to the chats that are not syncing" has_but "Old escalation" "Deal room" "Renewal"
keys f
wait_for "showing at risk chats" >/dev/null
check "f cycles to the chats at risk" has_but "Renewal Northwind" "Old escalation" "Deal room"
keys f
keys s
wait_for "sorted by VERDICT" >/dev/null
worst_first() { before "Old escalation" "Renewal" && before "Renewal" "Deal room"; }
check "s sorts by the next column, verdict, worst first" worst_first
check "the sorted column is marked in the header" row_has "STATE" "VERDICT▼"
keys S
wait_for "sorted by VERDICT, reversed" >/dev/null
best_first() { before "Deal room" "Renewal" && before "Renewal" "Old escalation"; }
check "S reverses the sort, and the marker turns" best_first
check "the reversed marker" row_has "STATE" "VERDICT▲"
keys :
type_text "sort idle"
keys Enter
wait_for "sorted by IDLE" >/dev/null
check ":sort COLUMN sorts by the column of that header" oldest_first

# ---- Enter: the diagnosis ----
keys g j
keys Enter
wait_for "Verdict:" >/dev/null
check "Enter on a chat shows its diagnosis" has "Diagnosis: Old escalation (19:old@thread.v2)"
check "the verdict is in the report" has "Verdict: not syncing (1 blocking finding)."
check "the finding names its rule" has "activity-inactive"
check "the chat's facts come with it" has "Environment: sales (Contoso Sales)"
verdict_line=$(screen_escapes | grep -F "Verdict:" | head -n 1)
case $verdict_line in
*"[31m"* | *";31m"* | *"[1;31m"*) ok "the verdict is red (the not-syncing colour slot)" ;;
*) nok "the verdict is red (the not-syncing colour slot)" "$verdict_line" ;;
esac
keys /
type_text "what to do"
keys Enter
wait_for "What to do: Reopen the activity" >/dev/null
check "/ in a diagnosis searches: the remedy line comes into view" has "What to do: Reopen the activity"

# ---- ? help ----
keys '?'
wait_for "ACTION" >/dev/null
check "? shows help generated from the request table" has "Move the cursor one line down"
check "help lists the keys" row_has "Move the cursor one line down" "^j, <Down> +Move"
keys G
check "help lists the commands" eventually has ":save-display FILE"
keys q
wait_for "Verdict:" >/dev/null
check "q closes the help" has "Diagnosis: Old escalation"
keys Escape
wait_for "filter cleared" >/dev/null
check "Esc first clears the search" has "Diagnosis: Old escalation"
keys Escape
wait_for "Chats: sales" >/dev/null
check "then Esc goes back to the chats" row_has "STATE" "STATE"
keys q
wait_for "Environments" >/dev/null
check "q goes back to the environments" row_has "ENVIRONMENT" "ENVIRONMENT +NAME"
keys q
wait_for "EXITED=" >/dev/null
check "q on the first view quits with status 0" has "EXITED=0"
check "the terminal is restored: canonical mode and echo" wait_for "icanon echo"
check "the console's screen is gone (alternate screen left)" lacks "cache 5 min old"

# ---- commands ----
start 80 30
keys :
type_text "env support"
keys Enter
wait_for "Chats: support" >/dev/null
check ":env NAME opens that environment's chats" has "Printer on fire"
check "an escape sequence in a topic is shown as text, not sent" has "Evil  [31mred [0m topic"
keys :
type_text "chat 19:deal"
keys Enter
wait_for "Verdict:" >/dev/null
check ":chat ID opens the diagnosis of a chat" has "Verdict: syncing. Every check passed."
keys :
type_text "env nowhere"
keys Enter
wait_for 'no environment "nowhere"' >/dev/null # not "nowhere": the prompt echoes it before Enter
check ":env with an unknown name says so" has 'no environment "nowhere" in the cache'
keys :
type_text "frobnicate"
keys Enter
wait_for "unknown command" >/dev/null
check "an unknown command says so" has "unknown command :frobnicate"
keys c
wait_for "Chats: all environments" >/dev/null
check "c shows the chats of every environment" has_all "Printer on fire" "Deal room"
keys :
type_text "filter printer"
keys Enter
wait_for "filter: printer" >/dev/null
check ":filter TEXT filters the view" has_but "Printer on fire" "Deal room"
keys :
type_text "q"
keys Enter
wait_for "EXITED=" >/dev/null
check ":q quits" has "EXITED=0"

# ---- keys that write: readonly, no hook, hook ----
start 80 30 -- --readonly
keys t
# while the chats are still being loaded, the status line's right side holds the progress and the
# sentence is cut; it is whole once they are: wait for the whole of it
wait_for "read-only: profile readonly = true or --readonly" >/dev/null
check "t with --readonly says why it is disabled" has "read-only: profile readonly = true or --readonly"
keys r
wait_for "chatsync refresh" >/dev/null
check "r without a profile says how to refresh" has "no profile: refresh in a shell"
keys Q
wait_for "EXITED=" >/dev/null

cat >"$T/profile.conf" <<EOF
[profile contoso]
tenant    = contoso.onmicrosoft.com
client_id = 11111111-2222-3333-4444-555555555555
readonly  = true
EOF
chmod 600 "$T/profile.conf"
start 80 30 -- -c "$T/profile.conf"
check "the title bar names the profile" has "profile contoso"
check "read-only is a badge in the title" has "[READ-ONLY]"
keys t
wait_for "read-only: profile readonly = true or --readonly" >/dev/null
check "t with readonly = true in the profile says why it is disabled" \
	has "read-only: profile readonly = true or --readonly"
keys Q

start 80 30
keys t
wait_for "chatsync sync" >/dev/null
check "t without a toggle hook says how to toggle from the shell" has "run: chatsync sync sales on|off"
keys Q

start 80 30 UI_DRIVER_HOOKS=1
settle
keys t
wait_for "[y/N]" >/dev/null
check "t asks in a dialog before turning sync off" has "Turn sync OFF for sales?"
check "the answer line says what y does" has "y turns sync OFF, n leaves it. [y/N]"
check "the dialog says the change in words" has "Sync Teams chat data with Dynamics 365 records: ON → OFF"
check "the dialog says which chats stop syncing" has "No chat of this environment will sync"
check "the dialog names the tenant's RSC state" has "Tenant chat RSC: enabled for all apps"
check "the dialog names who is signed in" has "Signed in as: admin@contoso.onmicrosoft.com"
keys n
wait_for "nothing changed" >/dev/null
check "n leaves it" row_has "sales " "Contoso Sales +on "
keys t
wait_for "[y/N]" >/dev/null
keys y
wait_for "sync is now OFF" >/dev/null
check "y turns it off through the hook and the row shows it" row_has "sales " "Contoso Sales +off "
settle # the verdicts are worked out again after the toggle, a slice at a time
check "the verdicts follow: every sales chat is now not syncing" row_has "sales " "off +7 d +5 +5 +0"
keys r
wait_for "refresh finished" >/dev/null
check "r runs the refresh hook and re-reads the cache" has "refresh finished: 3 environments, 7 chats"
check "the refresh cleared trial's error" row_has "trial " "unknown .*never"
kill -TERM "$(cat "$T/pid")"
wait_for "EXITED=" >/dev/null
check "after a refresh, SIGTERM still ends the console" has "EXITED=0"

start 80 30 UI_DRIVER_HOOKS=1 UI_DRIVER_TOGGLE_FAIL=1
keys t
wait_for "[y/N]" >/dev/null
keys y
wait_for "403" >/dev/null
check "a failing toggle shows the sentence of the 403" has "Dataverse refused the change for sales (403)"
check "and the row is unchanged" row_has "sales " "Contoso Sales +on "
keys Q

# ---- colour ----
start 80 30
check "colours by default" colourful
keys Q
start 80 30 NO_COLOR=1
check "NO_COLOR: monochrome" monochrome
check "NO_COLOR: still shows the environments" has "Contoso Sales"
keys Q
start 80 30 -- --no-color
check "--no-color: monochrome" monochrome
keys Q

# ---- the smallest terminal, and smaller ----
start 40 12
settle
check "40x12: the environments are there" has_all "sales" "support" "trial"
check "40x12: the unique name is never cut" row_has "sales " "^sales "
check "40x12: the sync state and what is not syncing stay" row_has "sales " "^sales +on +.*2"
check "40x12: the key hints are there" has "? help"
keys Enter
wait_for "Chats: sales" >/dev/null
settle
check "40x12: the verdict is never cut to nothing" row_has "Old esc" "not syncing"
check "40x12: ages are short and whole" row_has "Old esc" "30d00h"
keys Enter
wait_for "Diagnosis" >/dev/null
keys j j
check "40x12: the diagnosis scrolls" eventually has "Verdict: not syncing"
tm resize-window -t ui -x 30 -y 10
wait_for "terminal too" >/dev/null
check "below 40x12 it says the terminal is too small" has "terminal too"
tm resize-window -t ui -x 80 -y 30
wait_for "Diagnosis: Connected too early" >/dev/null
check "back at 80x30 the view is whole again" has "Chat: Connected too early (19:before@thread.v2)"
tm resize-window -t ui -x 12 -y 4
wait_for "terminal too" >/dev/null
keys Q
wait_for "EXITED=" >/dev/null
check "Q quits even when too small" has "EXITED=0"
start 39 12
wait_for "EXITED=" >/dev/null
check "started below 40x12: exit 2" has "EXITED=2"
check "started below 40x12: a clear sentence" eventually grep -q "needs at least 40x12" "$T/stderr"
start 80 24 TERM=dumb
wait_for "EXITED=" >/dev/null
check "TERM=dumb: exit 2, not a blank screen" has "EXITED=2"
check "TERM=dumb: the sentence says why" eventually grep -q "cannot move the cursor" "$T/stderr"

# ---- every view at 40x12 ----
start 40 12 UI_DRIVER_HOOKS=1
settle
for view in "rsc|APP" "log|Messages" "audit|no writes audited" "help|KEY" "chats support|Printer" "chat 19:deal|Verdict: syncing"; do
	cmd=${view%%|*}
	want=${view#*|}
	keys :
	type_text "$cmd"
	keys Enter
	check "40x12: :$cmd shows its view" wait_for "$want"
	check "40x12: :$cmd keeps the key hints" has "? help"
done
keys :
type_text "envs"
keys Enter
keys t
check "40x12: the toggle question says which way" wait_for "y turns sync OFF"
keys n Q

# ---- a resize moves the status line ----
start 80 30
tm resize-window -t ui -x 100 -y 40
row40() { screen | sed -n 40p | grep -q "1/3"; }
check "a resize redraws: the status line is on the new last row" eventually row40
keys Q

# ---- moving through a long list ----
start 80 30 -- --cache "$T/bulk.db"
keys :
type_text "env bulk"
keys Enter
wait_for "Chats: bulk" >/dev/null
settle
check "a long list starts at its first line" status_has " 1/60"
keys PageDown
check "PgDn moves a page (26 lines)" eventually status_has " 27/60"
keys G
check "G goes to the last line" eventually status_has " 60/60"
check "the last line is on screen" has "Bulk chat 00000"
keys g
check "g goes to the first line" eventually status_has " 1/60"
check "oldest first: 59 hours idle leads" row_has "Bulk chat 00059" "2d11h"
keys C-d
check "Ctrl-D moves half a page" eventually status_has " 14/60"
keys C-u
check "Ctrl-U moves back" eventually status_has " 1/60"
keys j j k
check "j and k move by one line" eventually status_has " 2/60"
keys Down Up Up
check "the arrows move too, and never above the first line" eventually status_has " 1/60"
keys Q

# ---- an empty cache ----
start 80 30 -- --cache "$T/empty.db"
check "an empty cache says how to fill it" has "no environments in the cache yet (r refreshes it)"
keys Enter
wait_for "no environment selected" >/dev/null
check "Enter on nothing says so" has "no environment selected"
keys c
wait_for "Chats: all environments" >/dev/null
check "the chats of no environment are an empty list, not a crash" has "no connected chats here"
keys q q
wait_for "EXITED=" >/dev/null
check "and it quits cleanly" has "EXITED=0"

# ---- a dropped session ----
start 80 30
settle
kill -HUP "$(cat "$T/pid")"
wait_for "EXITED=" >/dev/null
check "SIGHUP ends the console" has "EXITED=0"
check "after SIGHUP the terminal is back in canonical mode with echo" grep -q "icanon=1 echo=1" "$T/status"

# ---- the message log after a 403 ----
start 80 24 UI_DRIVER_HOOKS=1 UI_DRIVER_TOGGLE_FAIL=1
keys t
wait_for "[y/N]" >/dev/null
keys y
wait_for "403" >/dev/null
check "a long error is cut on the status line with a marker" status_has "(L: log)"
keys L
wait_for "Messages" >/dev/null
check "L opens the message log" has "Messages"
check "the log shows the whole remedy of the 403, with its time" eventually screen_re "^[0-9]{2}:[0-9]{2}:[0-9]{2} error +Dataverse refused"
check "wrapped, not cut" has "System Administrator role"
check "the log file has it too" grep -q "console: Dataverse refused the change for sales (403)" "$T/log"
keys Q

# ---- navigation: a stack that never blocks ----
start 80 24 -- --cache "$T/bulk.db"
i=0
while [ $i -lt 20 ]; do
	n=$(printf '%05d' $i)
	keys :
	type_text "chat 19:bulk$n@thread.v2"
	keys Enter
	i=$((i + 1))
done
check "20 views opened in a row: the last one is on screen" wait_for "Chat: Bulk chat 00019"
check "the breadcrumbs keep the end, the view open" row_has "Bulk chat 00019 (19:" "^…"
keys :
type_text "chat 19:bulk00005@thread.v2"
keys Enter
check "opening a view already on the stack returns to it" wait_for "Chat: Bulk chat 00005"
keys q
check "and the views above it are gone: q goes to the one below" wait_for "Chat: Bulk chat 00004"
keys :
type_text "envs"
keys Enter
check ":envs returns to the first view" wait_for "ENVIRONMENT"
keys Enter
wait_for "Chats: bulk" >/dev/null
check "Enter still opens views after all that" has "Chats: bulk"
keys Q

# ---- unknown keys and escape sequences do nothing but say so ----
start 80 24
keys Enter
wait_for "Chats: sales" >/dev/null
tm send-keys -t ui -l "$(printf '\033[99~')"
check "an unknown escape sequence says so" wait_for "unknown key sequence"
check "and is not Back" has "Chats: sales"
keys z
check "an unbound key says so" wait_for "z does nothing here"
keys Q
start 80 24 TERM=xterm-256color
keys Enter
wait_for "Chats: sales" >/dev/null
keys End
check "TERM=xterm-256color in tmux: End goes to the last line (not Back)" eventually status_has "5/5"
keys Home
check "and Home to the first" eventually status_has "1/5"
keys Q

# ---- Tab completion and history ----
start 80 24
keys :
type_text "ch"
keys Tab
check "Tab completes what all the commands share (chat, chats, changes: cha)" eventually status_has ":cha"
type_text "ts su"
keys Tab
check "Tab completes an environment name" eventually status_has ":chats support"
keys Enter
wait_for "Chats: support" >/dev/null
check ":chats ENV honours ENV" has_but "Printer on fire" "Deal room"
keys q :
keys Up
check "Up brings back the last command" eventually status_has ":chats support"
keys Enter
check "and it runs again" wait_for "Chats: support"
keys Q

# ---- ages advance while the console stays open ----
start 80 24
settle
a1=$(screen | head -n 1)
sleep 2.2
a2=$(screen | head -n 1)
if [ "$a1" != "$a2" ] && printf '%s' "$a2" | grep -q "cache 5m0[2-9]s old"; then
	ok "an age advances between two dumps ($(printf '%s' "$a1" | grep -o 'cache [^ ]* old') -> $(printf '%s' "$a2" | grep -o 'cache [^ ]* old'))"
else
	nok "an age advances between two dumps" "$a1
$a2"
fi
keys Q

# ---- a verdict changes as the clock passes a chat's limit ----
start 80 24 -- --cache "$T/edge.db"
keys :
type_text "chats edge"
keys Enter
wait_for "Nearly quiet" >/dev/null
check "a chat 4 s before its 7-day limit is at risk" eventually row_has "Nearly quiet" "6d23h +at risk"
check "and, the console left open, not syncing once it has passed it" eventually row_has "Nearly quiet" "7d00h +not syncing"
keys q
check "the environments view counts it as not syncing" eventually row_has "edge " "Edge Case +on +7 d +1 +1 +0"
keys Q

# ---- a refresh running while the user scrolls and types ----
start 80 24 UI_DRIVER_HOOKS=1 UI_DRIVER_REFRESH_MS=3000
keys r
wait_for "refreshing" >/dev/null
keys :
type_text "profile other"
keys Enter
check ":profile is refused while a refresh runs" wait_for ":profile waits until it ends"
keys j j
check "the cursor moves while the refresh runs" eventually status_has "refreshing"
keys /
type_text "sup"
check "the filter follows the typing while the refresh runs" eventually has_but "support" "sales "
keys Escape
check "the refresh ends while the user is in the console" wait_for "refresh finished"
keys Q

# ---- the RSC pane and the audit view on the fixture ----
start 80 24 UI_DRIVER_HOOKS=1
keys p
check "p shows the tenant's RSC state and where it came from" wait_for "Tenant chat RSC: enabled for all apps, from authorizationPolicy"
keys q t
wait_for "[y/N]" >/dev/null
keys y
wait_for "sync is now OFF" >/dev/null
keys t
wait_for "[y/N]" >/dev/null
keys y
wait_for "sync is now ON" >/dev/null
keys A
wait_for "Audit" >/dev/null
newest_first() { before "off→on" "on→off"; }
check "the audit view lists the writes newest first" eventually newest_first
keys Q

# ---- the mouse, when asked for ----
start 80 24 -- --mouse
settle
# An xterm mouse report: ESC [ M, then button, column and row, each plus 32 (1-based).
click() { tm send-keys -t ui -l "$(printf '\033[M%s%s%s' "$(printf "\\$(printf '%03o' $((32 + $1)))")" \
	"$(printf "\\$(printf '%03o' $((33 + $2)))")" "$(printf "\\$(printf '%03o' $((33 + $3)))")")"; }
click 0 5 4
click 3 5 4
check "--mouse: a click selects the row under it" eventually status_has "3/3"
click 64 5 4
check "--mouse: the wheel scrolls up" eventually status_has "1/3"
click 0 1 1
click 3 1 1
check "--mouse: a click on a header sorts by it" eventually status_has "sorted by ENVIRONMENT"
click 0 1 1
click 3 1 1
check "--mouse: again reverses" eventually row_has "ENVIRONMENT" "ENVIRONMENT▲"
check "trial first then" before "trial " "sales "
keys Q

# ---- the key script and :save-display ----
cat >"$T/keys" <<EOF
# open sales, filter it, save the screen, quit
<Enter>
/
renewal
<Enter>
:save-display $T/screen.txt
:q
EOF
start 80 30 "CHATSYNC_UI_SCRIPT=$T/keys"
wait_for "EXITED=" >/dev/null
check "a key script runs to :q by itself" has "EXITED=0"
[ -n "${UI_UPDATE_EXPECTED:-}" ] && cp "$T/screen.txt" "$S/tests/ui/chats-filtered-80x30.txt"
if cmp -s "$T/screen.txt" "$S/tests/ui/chats-filtered-80x30.txt"; then
	ok ":save-display wrote the expected screen"
else
	nok ":save-display wrote the expected screen" "$(diff "$S/tests/ui/chats-filtered-80x30.txt" "$T/screen.txt" 2>&1)"
fi
start 80 30 "CHATSYNC_UI_SCRIPT=$T/missing-keys"
check "a missing key script is an error, not a hang" eventually grep -q "exit=2" "$T/status"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
