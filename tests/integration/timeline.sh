#!/bin/bash
# timeline.sh COLDTRACE SANDBOX_DIR JSON_CHECK WORKDIR [BASE_PORT]
# The demo sandbox's cold start, traced for real, in every view of the
# timeline: every phase there, in order, consecutive, adding up to the total
# (go and shell runtimes); perfetto and otlp outputs valid (strict JSON and
# structure); a crashing runtime gives a timeline that says what is missing.
# Ports BASE+1.. (default 19512..) for the Runtime API, minus 1000 for invokes.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 sbx=$2 jcheck=$3 work=$4 base=${5:-19511}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
port=$base

# run NAME FORMAT RUNTIME: trace one cold start into NAME.FORMAT
run() {
	port=$((port + 1))
	"$ct" run -q -f "$2" -o "$1.$2" -- "$sbx/ct-driver" --runtime "$3" \
		--runtime-api-address "127.0.0.1:$port" --invoke-address "127.0.0.1:$((port - 1000))" >"$1.log" 2>&1
}

for rt in go shell; do
	run "$rt" jsonl "$rt"
	[ $? = 0 ] && ok "$rt: run" || bad "$rt: run" "$(tail -5 "$rt.log")"
	if "$jcheck" timeline "$rt.jsonl"; then
		ok "$rt: every phase, in order, adding up to the total"
	else
		bad "$rt: every phase, in order, adding up to the total" "$(grep -E '"type":"(phase|timeline)"' "$rt.jsonl" | head -20)"
	fi
done

run go perfetto go
"$jcheck" perfetto go.perfetto && ok "perfetto: valid Chrome trace" || bad "perfetto: valid Chrome trace"
for want in '"name":"function init"' '"name":"process_name"' '"cat":"go_init"' '"request_id":'; do
	grep -q "$want" go.perfetto && ok "perfetto has $want" || bad "perfetto has $want"
done

run go otlp go
"$jcheck" otlp go.otlp && ok "otlp: valid OTLP/JSON" || bad "otlp: valid OTLP/JSON"
grep -q '"name":"cold start"' go.otlp && ok "otlp: root span" || bad "otlp: root span"

run text text go
if head -3 text.text | grep -q '^cold start: agent pid [0-9]* ct-agent -> runtime pid [0-9]* ct-runtime-go$' &&
	grep -q '^  summary: cold start [0-9.]* ms' text.text; then
	ok "text: cold start section at the top"
else
	bad "text: cold start section at the top" "$(head -20 text.text)"
fi

run crash text /bin/false
if grep -q '^  missing: first /next, invocation delivered, response posted' crash.text &&
	grep -q 'INCOMPLETE cold start: the runtime (pid [0-9]*, false) exited with' crash.text; then
	ok "crash: the timeline says what is missing"
else
	bad "crash: the timeline says what is missing" "$(sed -n '1,25p' crash.text)"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
