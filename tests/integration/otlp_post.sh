#!/bin/bash
# otlp_post.sh COLDTRACE SANDBOX_DIR WORKDIR [API_PORT [INVOKE_PORT]]
#
# --otlp URL on the demo sandbox's cold start (go runtime), against a
# stand-in collector (otlp_receiver.py, 127.0.0.1, a free port):
#   delivered  one POST to /v1/traces, application/json, its body byte for
#              byte the otlp view of the same run (-f otlp -o, in the same
#              coldtrace), valid OTLP/JSON (resourceSpans[].scopeSpans[]
#              .spans); the spool empty afterwards
#   503 x2     the collector answers 503 twice: retried (said once, and the
#              recovery), still exactly one body, the spool empty
#   down       no collector: coldtrace exits 0, says the batch is kept, its
#              file stays in the spool; the next coldtrace with the same
#              --spool and a collector up delivers both, oldest first
# Prints ok/FAIL lines and "N passed, N failed".
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=${1:?usage: otlp_post.sh COLDTRACE SANDBOX_DIR WORKDIR [API_PORT [INVOKE_PORT]]}
sbx=${2:?sandbox dir} work=${3:?work dir}
api=${4:-19571} inv=${5:-18571}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
recv_pid=

rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
[ "$(id -u)" = 0 ] || { bad "needs root (real BPF)"; finish; }
[ -x "$py" ] || { bad "$py not found"; finish; }

stop_receiver() {
	if [ -n "$recv_pid" ]; then
		kill "$recv_pid" 2>/dev/null
		wait "$recv_pid" 2>/dev/null
	fi
	recv_pid=
}
trap stop_receiver EXIT

# start_receiver DIR [FAIL_FIRST]: a collector writing into DIR; its port in $port
start_receiver() {
	mkdir -p "$1"
	"$py" "$here/otlp_receiver.py" "$1" "${2:-0}" 2>"$1/stderr" &
	recv_pid=$!
	for _ in $(seq 1 100); do
		[ -s "$1/port" ] && break
		sleep 0.05
	done
	port=$(cat "$1/port" 2>/dev/null)
	[ -n "$port" ] || { bad "the receiver did not start" "$(cat "$1/stderr")"; finish; }
}

# run NAME URL: one traced cold start, -f otlp into NAME.otlp.json, --otlp URL,
# the spool ./spool; exit status in $rc, stderr in NAME.err
run() {
	local name=$1 url=$2
	for p in "$api" "$inv"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			bad "$name: port $p is free before the run"
		fi
	done
	SECONDS=0
	timeout -s INT -k 10 120 "$ct" run -f otlp -o "$name.otlp.json" --force --otlp "$url" --spool "$work/spool" -- \
		"$sbx/ct-driver" --runtime go --runtime-api-address "127.0.0.1:$api" \
		--invoke-address "127.0.0.1:$inv" >"$name.out" 2>"$name.err"
	rc=$?
	took=$SECONDS
	sleep 0.2
}

# spool_files: the batch files left in the spool
spool_files() {
	find "$work/spool" -maxdepth 1 -type f -name '[0-9]*.otlp' 2>/dev/null | wc -l
}

# valid_otlp FILE: prints the number of spans, fails if not OTLP/JSON traces
valid_otlp() {
	"$py" - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
assert isinstance(d["resourceSpans"], list) and d["resourceSpans"], "no resourceSpans"
for rs in d["resourceSpans"]:
    assert isinstance(rs["scopeSpans"], list) and rs["scopeSpans"], "no scopeSpans"
    for ss in rs["scopeSpans"]:
        for s in ss["spans"]:
            assert len(s["traceId"]) == 32 and len(s["spanId"]) == 16 and s["name"], s
            n += 1
assert n > 0, "no spans"
print(n)
EOF
}

# same_body NAME BODY: the POSTed BODY is NAME's otlp view, valid
same_body() {
	local n
	if cmp -s "$1.otlp.json" "$2"; then
		ok "$1: the POSTed body is the otlp view of the same run, byte for byte"
	else
		bad "$1: the POSTed body is the otlp view of the same run, byte for byte" \
			"$(cmp "$1.otlp.json" "$2" 2>&1)" "$(wc -c "$1.otlp.json" "$2" 2>&1)"
	fi
	if n=$(valid_otlp "$2" 2>&1); then
		ok "$1: valid OTLP/JSON, $n spans"
	else
		bad "$1: valid OTLP/JSON" "$n"
	fi
}

bodies() { ls "$1"/body-*.json 2>/dev/null | wc -l; }

# ---- delivered
start_receiver r1
run delivered "http://127.0.0.1:$port"
[ "$rc" = 0 ] && ok "delivered: exit 0" || bad "delivered: exit 0" "exit $rc" "$(tail -n 15 delivered.err)"
[ "$(bodies r1)" = 1 ] && ok "delivered: exactly one POST kept" ||
	bad "delivered: exactly one POST kept" "$(bodies r1) bodies" "$(cat r1/requests 2>&1)"
[ -e r1/errors ] && bad "delivered: path /v1/traces, Content-Type application/json" "$(cat r1/errors)" ||
	ok "delivered: path /v1/traces, Content-Type application/json"
same_body delivered r1/body-1.json
[ "$(spool_files)" = 0 ] && ok "delivered: the spool is empty" || bad "delivered: the spool is empty" "$(ls -la spool)"
[ -s delivered.err ] && bad "delivered: nothing said on stderr" "$(cat delivered.err)" || ok "delivered: nothing said on stderr"
stop_receiver

# ---- 503 twice (the default backoff: 1 s, then 2 s)
start_receiver r2 2
run retried "http://127.0.0.1:$port/v1/traces"
[ "$rc" = 0 ] && ok "503: exit 0" || bad "503: exit 0" "exit $rc" "$(tail -n 15 retried.err)"
if [ "$(cat r2/requests 2>/dev/null | tr '\n' ' ')" = "POST /v1/traces 503 POST /v1/traces 503 POST /v1/traces 200 " ]; then
	ok "503: two 503s, then delivered"
else
	bad "503: two 503s, then delivered" "$(cat r2/requests 2>&1)"
fi
[ "$(bodies r2)" = 1 ] && ok "503: exactly one body" || bad "503: exactly one body" "$(bodies r2) bodies"
same_body retried r2/body-1.json
[ "$(spool_files)" = 0 ] && ok "503: the spool is empty" || bad "503: the spool is empty" "$(ls -la spool)"
if [ "$(grep -c 'HTTP 503' retried.err)" = 1 ] &&
	grep -q "^coldtrace: OTLP collector at http://127.0.0.1:$port/v1/traces: HTTP 503: {\"error\":\"try later\"}; 1 batch kept in $work/spool, retrying$" retried.err &&
	grep -q "^coldtrace: OTLP collector at http://127.0.0.1:$port/v1/traces: delivering again$" retried.err; then
	ok "503: said once, and the recovery"
else
	bad "503: said once, and the recovery" "$(cat retried.err)"
fi
dead=$port
stop_receiver

# ---- no collector (the port the last one had), then one up
run down "http://127.0.0.1:$dead"
[ "$rc" = 0 ] && ok "down: exit 0 (after ${took}s)" || bad "down: exit 0" "exit $rc" "$(tail -n 15 down.err)"
if grep -q "^coldtrace: OTLP collector at http://127.0.0.1:$dead/: cannot connect to 127.0.0.1:$dead: Connection refused; 1 batch kept in $work/spool, retrying$" down.err &&
	grep -q "^coldtrace: 1 batch not delivered yet, kept in $work/spool" down.err; then
	ok "down: says the batch is kept"
else
	bad "down: says the batch is kept" "$(cat down.err)"
fi
[ "$(spool_files)" = 1 ] && ok "down: one file in the spool" || bad "down: one file in the spool" "$(ls -la spool)"
start_receiver r3
run again "http://127.0.0.1:$port"
[ "$rc" = 0 ] && ok "again: exit 0" || bad "again: exit 0" "exit $rc" "$(tail -n 15 again.err)"
[ "$(bodies r3)" = 2 ] && ok "again: both delivered" || bad "again: both delivered" "$(bodies r3) bodies" "$(cat r3/requests 2>&1)"
same_body down r3/body-1.json
same_body again r3/body-2.json
[ "$(spool_files)" = 0 ] && ok "again: the spool is empty" || bad "again: the spool is empty" "$(ls -la spool)"
stop_receiver

finish
