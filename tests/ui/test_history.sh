#!/bin/sh
# The history in the console (issue 15), in tmux at 100x30 (a change's sentence is whole on the
# status line there; 80x24 cuts it, as every view's layout test shows) against a sandbox: after the
# Dataverse Chat Sync app is taken out of a chat between two refreshes, the environments view marks
# the chat's environment as changed since the console was last open, `H` (and :changes) lists the
# change, and Enter on it opens the chat's diagnosis with its timeline under it.
set -u

B=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/chatsync-history.XXXXXX")
PANE=h
. "$(dirname "$0")/tmux.sh"
cleanup() {
	tm kill-server 2>/dev/null
	[ -n "${sandbox_pid:-}" ] && kill "$sandbox_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

if ! command -v tmux >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
	echo "tmux, python3 and curl are needed for this test"
	echo "0 passed, 1 failed"
	exit 1
fi

SB=$T/sandbox
mkdir -p "$SB" "$T/home"
"$B/chatsync-sandbox" --port 0 --dir "$SB" --write-profile "$SB/config" --quiet --envs 2 --chats-per-env 12 \
	>"$SB/out" 2>&1 &
sandbox_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q listening "$SB/out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
base=$(sed -n 's/^listening \(https:[^ ]*\) ca=.*/\1/p' "$SB/out")
export LC_ALL=C.UTF-8 LANGUAGE= XDG_CONFIG_HOME=$T/home XDG_STATE_HOME=$T/home XDG_CACHE_HOME=$T/home
cs() { "$B/chatsync" -c "$SB/config" -p sandbox --cache "$T/c.db" "$@"; }
control() { curl -s --cacert "$SB/ca.pem" -X "$1" ${3:+-d "$3"} "$base/_sandbox/$2"; }

console() { # opens the console on the cache in a fresh pane
	tm kill-server 2>/dev/null
	server=$((server + 1))
	tm new-session -d -s h -x 100 -y 30 \
		"env CHATSYNC_LOG=$T/home/log $B/chatsync -c $SB/config -p sandbox --cache $T/c.db 2>$T/stderr; echo EXITED=\$?; sleep 600"
}

if ! cs refresh -q; then
	echo "the first refresh failed"
	echo "0 passed, 1 failed"
	exit 1
fi
# A healthy chat of the first environment, by the sandbox's ground truth.
set -- $(control GET truth | python3 -c '
import json, sys
t = json.load(sys.stdin)
for e in t["environments"]:
    for c in e["chats"]:
        if c["situation"] == "healthy" and c.get("activity_id"):
            print(c["teams_chat_id"], e["unique_name"]); sys.exit(0)')
chat=$1 env=$2

console
check "the console opens on the refreshed cache" wait_for "$env"
check "on a first look nothing is marked as changed" eval '! has "*$env"'
keys Q
check "and it closes" wait_for "EXITED=0"

sleep 1 # the change comes after the look, on the clock of seconds
control POST mutate "{\"action\":\"uninstall_app\",\"teams_chat_id\":\"$chat\"}" >/dev/null
cs refresh -q --full

console
check "the chat's environment is marked as changed since the console was last open" wait_for "*$env"
check "the status line says how many changes" wait_for "since the console was last open"
keys H
check "H lists the changes, the uninstalled app among them" wait_for "no longer installed"
check "the change ends in the chat's new verdict" has "not syncing (app-not-installed)"
keys Enter
check "Enter opens the chat's diagnosis" wait_for "Verdict: not syncing"
keys G
check "under the diagnosis stands its history" wait_for "History"
check "with the change and when the refresh saw it" wait_for "UTC  app Dataverse Chat Sync no longer installed"
keys Q
wait_for "EXITED=0" >/dev/null
console
wait_for "$env" >/dev/null
keys :
tm send-keys -t h -l "changes"
keys Enter
check ":changes opens the same view" wait_for "no longer installed"
keys Q

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
