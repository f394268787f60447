#!/bin/bash
# Refresh benchmark: chatsync against a sandbox tenant with Microsoft's documented limits on.
# Prints, for a full refresh of the default tenant and for a refresh after 1% of chats changed:
# wall time, requests, 429s. With node/npm available, also runs the Graph detail scan of the
# official Graph JavaScript SDK (shared/peers/graph-sdk-scan.mjs) over the same chats, for comparison.
set -u
builddir=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
srcdir=${CHATSYNC_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d)
trap 'kill $sb_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

envs=${BENCH_ENVS:-3} per_env=${BENCH_CHATS_PER_ENV:-60}
"$builddir/chatsync-sandbox" --port 0 --dir "$work" --write-profile "$work/config" --request-log "$work/requests.jsonl" \
	--envs "$envs" --chats-per-env "$per_env" --quiet > "$work/listening" &
sb_pid=$!
for _ in $(seq 100); do [ -s "$work/listening" ] && break; sleep 0.1; done
base=$(sed -n 's/^listening \(https:[^ ]*\) ca=.*/\1/p' "$work/listening")
[ -n "$base" ] || { echo "bench: the sandbox did not start"; exit 1; }
export HOME=$work XDG_STATE_HOME=$work/state

run() { # label, then chatsync arguments
	local label=$1; shift
	local before; before=$(wc -l < "$work/requests.jsonl")
	local t0 t1; t0=$(date +%s.%N)
	"$builddir/chatsync" -c "$work/config" -p sandbox --cache "$work/cache.db" -q "$@" || echo "bench: $label failed"
	t1=$(date +%s.%N)
	local reqs throttled
	reqs=$(tail -n +$((before + 1)) "$work/requests.jsonl" | wc -l)
	throttled=$(tail -n +$((before + 1)) "$work/requests.jsonl" | grep -c '"status":429')
	printf '%-34s %8.2f s %7d requests %5d throttled (429)\n' "$label" "$(echo "$t1 - $t0" | bc)" "$reqs" "$throttled"
}

echo "chatsync refresh, sandbox tenant of $envs environments x $per_env chats, documented limits on"
echo "(target for a full refresh of the default tenant: 0 throttled)"
run "full refresh" refresh
curl -s --cacert "$work/ca.pem" -X POST -d '{"action":"random","fraction":0.01}' "$base/_sandbox/mutate" >/dev/null
run "refresh after 1% of chats changed" refresh
run "check (whole cache, offline)" check >/dev/null

# The cache side at scale: a 20,000-chat cache made by the console tests' fixture, read offline.
if [ -x "$builddir/tests/ui/ui_fixture" ]; then
	CHATSYNC_NOW=2026-11-25T10:00:00Z "$builddir/tests/ui/ui_fixture" "$work/big.db" 20000 >/dev/null
	for cmd in check "chats --json" envs; do
		t0=$(date +%s.%N)
		"$builddir/chatsync" --cache "$work/big.db" $cmd >/dev/null
		t1=$(date +%s.%N)
		printf '%-34s %8.2f s\n' "$cmd, 20,000 chats (cache only)" "$(echo "$t1 - $t0" | bc)"
	done
fi

# The peer: the official Graph SDK scanning installedApps + permissionGrants for the same chats.
if command -v node >/dev/null && command -v npm >/dev/null; then
	peer=$work/peer
	mkdir -p "$peer"
	cp "$srcdir/../shared/peers/graph-sdk-scan.mjs" "$peer/" 2>/dev/null || cp "$srcdir/bench/graph-sdk-scan.mjs" "$peer/" 2>/dev/null
	if [ -f "$peer/graph-sdk-scan.mjs" ] && (cd "$peer" && npm install --silent --no-audit --no-fund @microsoft/microsoft-graph-client@3 >/dev/null 2>&1); then
		"$builddir/chatsync" -c "$work/config" -p sandbox --cache "$work/cache.db" chats --json |
			python3 -c 'import json,sys; [print(c["teams_chat_id"]) for c in json.load(sys.stdin) if c["teams_chat_id"]]' |
			sort -u > "$work/chat_ids"
		n=$(wc -l < "$work/chat_ids")
		echo "Graph detail scan of $n chats (installedApps + permissionGrants):"
		rm -f "$work/cache.db"*
		# chatsync's detail phase alone: a fresh cache, Dataverse first as always
		run "chatsync refresh (fresh cache)" refresh
		for c in 1 8; do
			before=$(wc -l < "$work/requests.jsonl")
			out=$(cd "$peer" && NODE_EXTRA_CA_CERTS="$work/ca.pem" node graph-sdk-scan.mjs "$work/config" "$work/chat_ids" --concurrency $c 2>&1 | tail -1)
			throttled=$(tail -n +$((before + 1)) "$work/requests.jsonl" | grep -c '"status":429')
			echo "  official Graph SDK, concurrency $c: $out ($throttled throttled)"
			sleep 2 # let the sandbox's rate windows drain between runs
		done
	else
		echo "peer skipped: could not install @microsoft/microsoft-graph-client@3 with npm"
	fi
fi
