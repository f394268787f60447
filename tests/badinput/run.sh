#!/bin/sh
# The bad-input corpus: each case is one broken or hostile input (an argument, a config file, an
# environment variable, a cache file, a server's reply, a terminal) with the exit status and the
# message fragment chatsync must answer with. A case passes when chatsync
#   - exits with that status in time (no hang: a case gets CASE_TIMEOUT seconds),
#   - says the fragment on stderr (the screen, for the console's cases),
#   - and writes on stderr only "chatsync: " lines (one clear line, never a trace, a dump or a
#     stack of library messages).
# The cases are the table at the end: NAME|EXIT|FRAGMENT|ENV|ARGS, where ENV is K=V words for the
# run's environment and ARGS the arguments (evaluated: $T, $big, $sbconf... expand).
#
# make check runs it; .ci/run runs it again with BADINPUT_VALGRIND set to a valgrind command line,
# which then also fails a case on any memory error or leak (valgrind's --error-exitcode).
# Prints each failure, then "N passed, N failed": bad inputs handled, of those tried.
set -u
build=${CHATSYNC_TEST_BUILDDIR:-$(pwd)}
src=${CHATSYNC_TEST_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cs="$build/chatsync"
vg=${BADINPUT_VALGRIND:-}
timeout_s=${CASE_TIMEOUT:-90}
T=$(mktemp -d "${TMPDIR:-/tmp}/chatsync-badinput-XXXXXX") || exit 1
chmod 700 "$T"
passed=0 failed=0 sbpid=
cleanup() {
	if [ -n "$sbpid" ]; then
		kill "$sbpid" 2>/dev/null
		wait "$sbpid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	failed=$((failed + 1))
	echo "FAIL: $1: $2"
	[ -s "$T/err" ] && sed -n '1,6s/^/    stderr: /p' "$T/err"
}

# Checks the outcome of the run just made (status $1) against case $2, exit $3, fragment $4, in
# the text of file $5 (stderr, or the screen).
judge() {
	got=$1 name=$2 want=$3 frag=$4 where=$5
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		fail "$name" "no answer within $timeout_s s (a hang)"
	elif [ "$got" -ne "$want" ]; then
		fail "$name" "exit $got, want $want"
	elif [ -n "$frag" ] && ! grep -qF -- "$frag" "$where"; then
		fail "$name" "no \"$frag\" in what it said"
	elif grep -qv '^chatsync: ' "$T/err"; then
		fail "$name" "stderr has lines that are not chatsync's: $(grep -v '^chatsync: ' "$T/err" | head -1)"
	else
		passed=$((passed + 1))
	fi
}

# The environment every run starts from: a home of its own, nothing inherited but PATH.
base_env() {
	echo "PATH=$PATH HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_CACHE_HOME=$T/home/.cache" \
		"XDG_STATE_HOME=$T/home/.local/state LC_ALL=C.UTF-8 TERM=dumb" \
		"LSAN_OPTIONS=suppressions=$src/tests/badinput/lsan.supp:print_suppressions=0"
}

# run_case NAME EXIT FRAGMENT ENV ARG...
run_case() {
	name=$1 want=$2 frag=$3 envs=$4
	shift 4
	# shellcheck disable=SC2046,SC2086
	env -i $(base_env) $envs timeout -k 5 "$timeout_s" $vg "$cs" "$@" >"$T/out" 2>"$T/err" </dev/null
	judge $? "$name" "$want" "$frag" "$T/err"
}

# The console on a pseudo-terminal of COLSxROWS, quitting at once (CHATSYNC_UI_SCRIPT); the
# fragment is looked for on the screen it drew.
console_case() {
	name=$1 want=$2 frag=$3 size=$4 term=$5
	shift 5
	printf 'q\n' >"$T/keys"
	cols=${size%x*} rows=${size#*x}
	# shellcheck disable=SC2046
	env -i $(base_env) TERM="$term" CHATSYNC_UI_SCRIPT="$T/keys" timeout -k 5 "$timeout_s" \
		script -qec "stty cols $cols rows $rows; exec $vg '$cs' $*" /dev/null >"$T/screen" 2>&1 </dev/null
	got=$?
	# The screen is the pty's whole output: valgrind's words would land there too.
	if grep -q '==[0-9]*==' "$T/screen"; then
		: >"$T/err"
		grep '==[0-9]*==' "$T/screen" | head -3 >"$T/err"
		fail "$name" "valgrind: $(head -1 "$T/err")"
		return
	fi
	: >"$T/err"
	judge "$got" "$name" "$want" "$frag" "$T/screen"
}

# A case on a file system of its own (a mount namespace, as root or in a user namespace): a full
# disk or a read-only one. $4: the shell commands to prepare $T/mnt (a 1 MiB tmpfs), then chatsync
# runs with the remaining arguments.
mount_case() {
	name=$1 want=$2 frag=$3 prepare=$4
	shift 4
	ns="unshare -m"
	[ "$(id -u)" -eq 0 ] || ns="unshare -rm"
	mkdir -p "$T/mnt"
	# shellcheck disable=SC2046
	env -i $(base_env) timeout -k 5 "$timeout_s" $ns sh -c "mount -t tmpfs -o size=1m tmpfs '$T/mnt' || exit 99
		$prepare
		exec $vg '$cs' \"\$@\"" sh "$@" >"$T/out" 2>"$T/err" </dev/null
	got=$?
	if [ "$got" -eq 99 ] && [ ! -s "$T/err" ]; then
		fail "$name" "cannot mount a tmpfs here ($ns)"
		return
	fi
	judge "$got" "$name" "$want" "$frag" "$T/err"
}

# --- fixtures --------------------------------------------------------------------------------
mkdir -p "$T/home"
big=$(head -c 10000 /dev/zero | tr '\0' 'x')
nonutf8=$(printf 'caf\351\377\376')

# conf FILE MODE TEXT: a config file.
conf() {
	printf '%s' "$3" >"$T/$1"
	chmod "$2" "$T/$1"
}
good='[profile a]
tenant = contoso.onmicrosoft.com
client_id = 11111111-2222-3333-4444-555555555555
'
conf good.conf 600 "$good"
conf ww.conf 666 "$good"
conf gw.conf 620 "$good"
conf bom.conf 600 "$(printf '\357\273\277')$good"
printf '[profile a]\ntenant = t\0\n' >"$T/nul.conf"; chmod 600 "$T/nul.conf"
head -c 1100000 /dev/zero | tr '\0' '#' >"$T/huge.conf"; chmod 600 "$T/huge.conf"
conf typo.conf 600 "${good}clientid = x
"
conf outside.conf 600 "tenant = t
"
conf section.conf 600 "[tenant a]
"
conf twice.conf 600 "${good}[profile a]
"
conf http.conf 600 "${good}graph = http://graph.example.com
"
conf auth.conf 600 "${good}auth = magic
"
conf bool.conf 600 "${good}readonly = maybe
"
conf nosecret.conf 600 "${good}auth = client-secret
"
printf 's3cret\n' >"$T/open.secret"; chmod 644 "$T/open.secret"
conf opensecret.conf 600 "${good}auth = client-secret
client_secret_file = $T/open.secret
"
conf nocert.conf 600 "${good}auth = certificate
certificate = $T/missing.pem
"
printf 'not a key\n' >"$T/open.pem"; chmod 640 "$T/open.pem"
conf opencert.conf 600 "${good}auth = certificate
certificate = $T/open.pem
"
printf 'x\n' >"$T/ww-ca.pem"; chmod 666 "$T/ww-ca.pem"
conf wwca.conf 600 "${good}ca_file = $T/ww-ca.pem
"
conf noca.conf 600 "${good}ca_file = $T/missing-ca.pem
"
conf longline.conf 600 "${good}chat_sync_app = $big
tenat = x
"
conf nonutf8.conf 600 "[profile $nonutf8]
tenant = t
clientid = c
"
conf empty.conf 600 ""
conf slash.conf 600 "[profile a/b]
"
conf escape.conf 600 "$(printf '[profile a]\ntenant = t\n\033]0;owned\007\033[2J = x\n')"
conf sp.conf 600 "${good}graph = https://
"
mkdir -p "$T/confdir"
mkfifo "$T/fifo"

# Caches.
"$cs" --cache "$T/ok.db" envs >/dev/null 2>&1
head -c 8192 /dev/urandom >"$T/random.db"
: >"$T/emptyfile.db"
python3 - "$T" <<'PY'
import sqlite3, sys
t = sys.argv[1]
def make(name, sql):
    db = sqlite3.connect(t + "/" + name)
    db.executescript(sql)
    db.close()
make("songs.db", "CREATE TABLE songs(title TEXT);")
make("newer.db", "CREATE TABLE t(x); PRAGMA application_id = 1129535811; PRAGMA user_version = 99;")
make("claims.db", "PRAGMA user_version = 1;")
PY
printf 'SQLite format 3\000' >"$T/header-only.db"
mkdir -p "$T/notadir"
: >"$T/notadir/file"

# A sandbox tenant for the cases that need a server: its profile "sandbox", and a cache refreshed
# once so that the server's faults meet a cache with data.
sbdir="$T/sb"
mkdir -p "$sbdir"
"$build/chatsync-sandbox" --dir "$sbdir" --write-profile "$sbdir/config" --envs 2 --chats-per-env 5 --quiet \
	>"$sbdir/out" 2>"$sbdir/err" &
sbpid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^listening' "$sbdir/out" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
base=$(sed -n 's/^listening \(https[^ ]*\).*/\1/p' "$sbdir/out")
if [ -z "$base" ]; then
	echo "FAIL: the sandbox did not start: $(cat "$sbdir/err")"
	echo "0 passed, 1 failed"
	exit 1
fi
sbconf="$sbdir/config"
faults() {
	curl -s --cacert "$sbdir/ca.pem" -X "$1" ${2:+-d "$2"} "$base/_sandbox/faults" >/dev/null
}
env -i $(base_env) "$cs" -c "$sbconf" -p sandbox --cache "$T/sb.db" refresh >/dev/null 2>&1
sed "s#^ca_file = .*#ca_file = /etc/ssl/certs/ca-certificates.crt#" "$sbconf" >"$T/otherca.conf"
sed "s#^ca_file = .*#ca_file = $src/tests/fixtures/microsoft-docs/README.md#" "$sbconf" >"$T/notpem.conf"
sed "s#^authority = https://127.0.0.1:[0-9]*#authority = https://127.0.0.1:1#" "$sbconf" >"$T/noauthority.conf"
printf 'wrong-secret\n' >"$T/wrong.secret"
sed "s#^client_secret_file = $sbconf.secret#client_secret_file = $T/wrong.secret#" "$sbconf" >"$T/wrongsecret.conf"
chmod 600 "$T/otherca.conf" "$T/notpem.conf" "$T/noauthority.conf" "$T/wrong.secret" "$T/wrongsecret.conf"

# server_case NAME EXIT FRAGMENT FAULT-JSON ARG...: chatsync against the sandbox with a fault set.
server_case() {
	name=$1 want=$2 frag=$3 fault=$4
	shift 4
	[ -n "$fault" ] && faults POST "$fault"
	run_case "$name" "$want" "$frag" "" -c "$sbconf" -p sandbox --cache "$T/sb.db" "$@"
	[ -n "$fault" ] && faults DELETE
}

# --- the table ---------------------------------------------------------------------------------
# NAME|EXIT|FRAGMENT|ENV|ARGS. check answers a usage or config error with 3 (UNKNOWN), as the
# monitoring-plugins convention says; every other command with 2.
cases='
arg-unknown-option|2|unknown option --bogus||--bogus envs
arg-unknown-command|2|unknown command "frobnicate"||frobnicate
arg-missing-value|2|option -c needs an argument||-c
arg-state-value|2|--state must be open, inactive or all||--cache $T/ok.db chats --state weird
arg-state-missing|2|option --state needs an argument||--cache $T/ok.db chats --state
arg-warn-hours-zero|3|--warn-hours takes a whole number of hours from 1 to 672||--warn-hours 0 check
arg-warn-hours-huge|3|--warn-hours takes a whole number||--warn-hours 99999999999999999999999 check
arg-extra-args|2|envs takes no arguments||--cache $T/ok.db envs one two
arg-sync-usage|2|usage: chatsync sync ENV on||-c $sbconf -p sandbox --cache $T/sb.db sync contoso-sales maybe
arg-secret-on-command-line|2|unknown option --client-secret||--client-secret hunter2 envs
arg-long-env-name|2|no environment "xxxx||--cache $T/ok.db chats $big
arg-non-utf8-env-name|2|no environment "caf||--cache $T/ok.db chats $nonutf8
arg-long-chat-id|2|no chat "xxxx||-c $sbconf -p sandbox --cache $T/sb.db diagnose $big
arg-non-utf8-chat-id|2|no chat||-c $sbconf -p sandbox --cache $T/sb.db diagnose $nonutf8
arg-long-profile|2|no profile "xxxx||-c $T/good.conf -p $big envs
arg-non-utf8-profile|2|no profile||-c $T/good.conf -p $nonutf8 envs
arg-readonly-write|2|writes are refused||-c $sbconf -p sandbox --cache $T/sb.db --readonly sync contoso-sales on --yes
arg-sync-unknown-env|2|no environment "nowhere"||-c $sbconf -p sandbox --cache $T/sb.db sync nowhere on --yes
conf-missing|2|cannot read config $T/missing.conf||-c $T/missing.conf envs
conf-world-writable|2|permissions 0666 for||-c $T/ww.conf envs
conf-group-writable|2|chmod go-w||-c $T/gw.conf envs
conf-byte-order-mark|0|no environments in the cache yet||-c $T/bom.conf --cache $T/ok.db envs
conf-nul-byte|2|holds a NUL byte||-c $T/nul.conf envs
conf-huge|2|larger than 1 MiB||-c $T/huge.conf envs
conf-directory|2|is not a regular file||-c $T/confdir envs
conf-fifo|2|is not a regular file||-c $T/fifo envs
conf-unknown-key|2|did you mean "client_id"||-c $T/typo.conf envs
conf-key-outside-profile|2|is outside a profile||-c $T/outside.conf envs
conf-bad-section|2|unknown section [tenant a]||-c $T/section.conf envs
conf-profile-twice|2|is defined twice||-c $T/twice.conf envs
conf-plain-http|2|plain http to a host that is not loopback||-c $T/http.conf envs
conf-empty-url|2|is not an https:// URL||-c $T/sp.conf envs
conf-auth-method|2|auth must be device-code, browser, client-secret or certificate||-c $T/auth.conf envs
conf-bool|2|readonly must be true or false||-c $T/bool.conf envs
conf-secret-missing|2|has no client_secret_file||-c $T/nosecret.conf envs
conf-secret-readable|2|permissions 0644 for||-c $T/opensecret.conf envs
conf-certificate-missing|2|cannot read a private key||-c $T/nocert.conf envs
conf-certificate-readable|2|chmod 600||-c $T/opencert.conf envs
conf-ca-file-writable|2|the trust anchors (ca_file)||-c $T/wwca.conf envs
conf-ca-file-missing|2|cannot read the trust anchors (ca_file)||-c $T/noca.conf envs
conf-long-line|2|unknown key "tenat"||-c $T/longline.conf envs
conf-non-utf8|2|unknown key "clientid"||-c $T/nonutf8.conf envs
conf-empty|2|defines no profile||-c $T/empty.conf envs
conf-profile-slash|2|must be one word without / or quotes||-c $T/slash.conf envs
conf-escape-sequence|2|unknown key " ]0;owned  [2J"||-c $T/escape.conf envs
env-now-garbage|2|CHATSYNC_NOW is "yesterday"|CHATSYNC_NOW=yesterday|--cache $T/ok.db envs
env-now-long|2|not an ISO 8601 time|CHATSYNC_NOW=$big|--cache $T/ok.db envs
env-log-missing-dir|2|cannot write the log CHATSYNC_LOG names|CHATSYNC_LOG=$T/no/such/dir/log|--cache $T/ok.db envs
env-log-directory|2|cannot write the log CHATSYNC_LOG names|CHATSYNC_LOG=$T/confdir|--cache $T/ok.db envs
env-log-fifo|2|cannot write the log CHATSYNC_LOG names|CHATSYNC_LOG=$T/fifo|--cache $T/ok.db envs
env-config-missing|2|cannot read config $T/nothing|CHATSYNC_CONFIG=$T/nothing|envs
env-config-world-writable|2|permissions 0666 for|CHATSYNC_CONFIG=$T/ww.conf|envs
env-sslkeylogfile|0|SSLKEYLOGFILE is set|SSLKEYLOGFILE=$T/keys.log|-c $T/good.conf --cache $T/ok.db envs
env-xdg-relative|2|cannot read config|XDG_CONFIG_HOME=relative/dir|envs
cache-random-bytes|4|is not a chatsync cache||--cache $T/random.db envs
cache-header-only|4|cache||--cache $T/header-only.db envs
cache-another-program|4|an SQLite database of another program||--cache $T/songs.db envs
cache-newer-schema|4|newer than this chatsync knows||--cache $T/newer.db envs
cache-claims-a-schema|4|has none of its tables||--cache $T/claims.db envs
cache-directory|4|it is a directory, not a file||--cache $T/confdir envs
cache-fifo|4|it is a device, FIFO or socket||--cache $T/fifo envs
cache-parent-is-a-file|4|$T/notadir/file is a file, not a directory||--cache $T/notadir/file/x.db envs
'

echo "$cases" | while IFS='|' read -r name want frag envs args; do
	[ -z "$name" ] && continue
	echo "$name|$want|$frag|$envs|$args"
done >"$T/table"
while IFS='|' read -r name want frag envs args; do
	eval "set -- $args"
	envs=$(eval "echo $envs")
	frag=$(printf '%s' "$frag" | sed "s#\\\$T#$T#g")
	run_case "$name" "$want" "$frag" "$envs" "$@"
done <"$T/table"

# Server replies, through the sandbox's faults.
server_case server-malformed-discovery 3 "is not the JSON object expected" '{"malformed":1,"path":"/disco"}' refresh
server_case server-malformed-token 3 "answered without an access token" '{"malformed":1,"path":"/entra"}' refresh
server_case server-503 3 "503 Service Unavailable" '{"p503":1,"path":"/disco"}' refresh
server_case server-truncated 3 "the connection broke" '{"truncate":1,"path":"/disco"}' refresh
server_case server-expired-tokens 3 "401 Unauthorized" '{"expire_tokens":true,"path":"/env"}' refresh
server_case server-one-reset-recovers 0 "refreshed 2 environment(s)" '{"reset":1,"path":"/env","count":1}' refresh
run_case server-untrusted-certificate 3 "does not vouch for it" "" -c "$T/otherca.conf" -p sandbox --cache "$T/sb.db" refresh
run_case conf-ca-file-not-pem 2 "holds no PEM certificate" "" -c "$T/notpem.conf" -p sandbox --cache "$T/sb.db" refresh
run_case server-wrong-secret 3 "check the client secret in $T/wrong.secret" "" -c "$T/wrongsecret.conf" -p sandbox --cache "$T/sb.db" refresh
# A refreshed cache damaged in its middle: the refresh refuses it (its check runs while discovery is
# read), also when discovery fails meanwhile.
cp "$T/sb.db" "$T/damaged.db"
python3 - "$T/damaged.db" <<'PY'
import os, sys
p = sys.argv[1]
with open(p, "r+b") as f:
    f.seek(os.path.getsize(p) // 2 // 4096 * 4096)
    f.write(b"\x5a" * 8192)
PY
run_case cache-damaged-refresh 4 "is damaged" "" -c "$sbconf" -p sandbox --cache "$T/damaged.db" refresh
faults POST '{"p503":1,"path":"/disco"}'
run_case cache-damaged-discovery-fails 4 "is damaged" "" -c "$sbconf" -p sandbox --cache "$T/damaged.db" refresh
faults DELETE
run_case server-unreachable 3 "cannot reach Entra ID for POST /oauth2/v2.0/token: cannot connect" "" -c "$T/noauthority.conf" -p sandbox --cache "$T/sb.db" refresh

# Hostile servers: an error message or description full of escape sequences, a forged line and a
# bidi override. Shown as inert text on stderr and in the log: no ESC, BEL or U+202E byte, and no
# line that starts with the forged words.
hostile='"\"\\u001b]0;owned\\u0007\\u001b[2Jaccess denied\\nchatsync: forged line\\u202e\""'
hostile_case() {
	name=$1 want=$2 frag=$3 fault=$4 config=$5
	shift 5
	faults POST "$fault"
	rm -f "$T/hostile.log"
	run_case "$name" "$want" "$frag" "CHATSYNC_LOG=$T/hostile.log" -c "$config" -p sandbox --cache "$T/sb.db" "$@"
	faults DELETE
	esc=$(printf '\033') bel=$(printf '\007') rlo=$(printf '\342\200\256')
	for f in "$T/err" "$T/hostile.log"; do
		if grep -q -e "$esc" -e "$bel" -e "$rlo" "$f" || grep -q -e '^chatsync: forged' -e '^forged' "$f"; then
			passed=$((passed - 1))
			fail "$name" "$(basename "$f") holds a control byte, a bidi override or a forged line"
			return
		fi
	done
}
hostile_case server-hostile-dataverse-message 3 "]0;owned  [2Jaccess denied chatsync: forged line" \
	"{\"expire_tokens\":true,\"path\":\"/env\",\"json_key\":\"error.message\",\"json_value\":$hostile}" "$sbconf" refresh
hostile_case server-hostile-entra-description 3 "invalid_client:  ]0;owned  [2Jaccess denied;" \
	"{\"path\":\"/entra\",\"json_key\":\"error_description\",\"json_value\":$hostile}" "$T/wrongsecret.conf" refresh

# Hostile servers beyond their messages: a token request redirected elsewhere (its body must stay),
# a redirect loop, an expires_in no token lives, a Retry-After beyond the retry time limit.
port=${base##*:}
server_case server-token-post-redirected 3 "a request with a body is never redirected" \
	"{\"path\":\"/entra\",\"redirect\":307,\"location\":\"https://localhost:$port{path}\"}" refresh
server_case server-redirect-loop 3 "too many redirects" \
	"{\"path\":\"/disco\",\"redirect\":302,\"location\":\"https://localhost:$port{path}\"}" refresh
server_case server-expires-in-1e300 3 "expires_in = 1e+300, which is not a number of seconds" \
	'{"path":"/entra","json_key":"expires_in","json_value":"1e300"}' refresh
server_case server-retry-after-600 3 "asked to wait longer than chatsync's retry time limit" \
	'{"path":"/disco","p429":1,"retry_after":600}' refresh

# Caches on a file system of their own.
mount_case cache-disk-full 4 "the disk is full" \
	"'$cs' --cache '$T/mnt/c.db' envs >/dev/null 2>&1; rm -f '$T/mnt/c.db-wal' '$T/mnt/c.db-shm'
	 head -c 2000000 /dev/zero >'$T/mnt/fill' 2>/dev/null" --cache "$T/mnt/c.db" envs
mount_case cache-read-only-file-system 4 "is on a read-only file system" \
	"'$cs' --cache '$T/mnt/c.db' envs >/dev/null 2>&1; rm -f '$T/mnt/c.db-wal' '$T/mnt/c.db-shm'
	 mount -o remount,ro '$T/mnt'" --cache "$T/mnt/c.db" envs
mount_case cache-new-on-read-only 4 "is on a read-only file system" \
	"mount -o remount,ro '$T/mnt'" --cache "$T/mnt/new.db" envs

# Terminals: sizes from one cell to a wall, and a terminal type nobody knows.
console_case term-1x1 2 "the terminal is 1x1; the console needs at least" 1x1 xterm --cache "$T/ok.db"
console_case term-20x5 2 "the terminal is 20x5; the console needs at least" 20x5 xterm --cache "$T/ok.db"
console_case term-40x12 0 "no environments in the cache yet" 40x12 xterm --cache "$T/ok.db"
console_case term-300x100 0 "no environments in the cache yet" 300x100 xterm --cache "$T/ok.db"
console_case term-unknown-type 2 "cannot start the console on terminal type" 80x24 no-such-terminal --cache "$T/ok.db"
run_case term-not-a-tty 2 "the console needs a terminal" "" --cache "$T/ok.db"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
