#!/bin/sh
# Smoke test of the demo sandbox: runs ct-driver and checks the agent's log
# lines (INIT_START, INIT START/RTDONE/REPORT, START/END/REPORT with matching
# request ids) and the responses in the driver's combined output.
#
#   smoke.sh SANDBOX_DIR [RUNTIME RUNTIME_API_PORT INVOKE_PORT [INVOKES]]
#
# SANDBOX_DIR holds ct-driver, ct-agent, ct-runtime-go, bootstrap.sh.
# RUNTIME: go | shell | node | crash (a runtime that exits at once; the
# driver must fail cleanly). For node, CT_SMOKE_NODE_DIR may name a dir
# with index.js and node_modules/aws-lambda-ric (default SANDBOX_DIR/node).
# Without RUNTIME: go, shell and crash on ports
# 19101/18181, 19102/18182, 19103/18183. Needs no root.
set -u
. "$(dirname "$0")/smokelib.sh"
dir=${1:?usage: smoke.sh SANDBOX_DIR [RUNTIME RUNTIME_API_PORT INVOKE_PORT [INVOKES]]}
shift

run_one() {
	rt=$1 api=$2 inv=$3 n=${4:-2}
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/ct-smoke.XXXXXX")
	out=$tmp/out
	case $rt in
	crash) driver_rt=/bin/false ;;
	*) driver_rt=$rt ;;
	esac
	echo "== $rt: ct-driver --runtime $driver_rt --invokes $n (127.0.0.1:$api, 127.0.0.1:$inv)"
	set -- --runtime "$driver_rt" --invokes "$n" \
		--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv"
	if [ "$rt" = node ] && [ -n "${CT_SMOKE_NODE_DIR:-}" ]; then
		set -- "$@" --node-dir "$CT_SMOKE_NODE_DIR"
	fi
	timeout 60 "$dir/ct-driver" "$@" --payload '{"name":"coldtrace","n":1}' >"$out" 2>&1
	rc=$?
	sed 's/^/    | /' "$out"

	check "$rt: INIT_START line exactly once" \
		test "$(grep -c '^INIT_START Runtime Version: ct-demo:1\.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:ct-demo$' "$out")" = 1
	check "$rt: INIT START line" \
		grep -q '^\[INFO\] (rapid) INIT START(type: on-demand, phase: init)$' "$out"
	check "$rt: INIT REPORT line" \
		grep -Eq '^\[INFO\] \(rapid\) INIT REPORT\(durationMs: [0-9]+\.[0-9]{6}\)$' "$out"

	if [ "$rt" = crash ]; then
		check "$rt: driver exits non-zero" test "$rc" -ne 0 -a "$rc" -ne 124
		check "$rt: one-line driver error" test "$(grep -c '^ct-driver: error: ' "$out")" = 1
		check "$rt: Runtime.ExitError reported" grep -q '"errorType":"Runtime.ExitError"' "$out"
		check "$rt: INIT RTDONE(status: error)" grep -q '^\[INFO\] (rapid) INIT RTDONE(status: error)$' "$out"
		check "$rt: REPORT has Status: error" \
			grep -q "${tab}Status: error${tab}Error Type: Runtime.ExitError${tab}\$" "$out"
		rm -rf "$tmp"
		return
	fi

	check "$rt: driver exits 0" test "$rc" -eq 0
	check "$rt: INIT RTDONE(status: success)" grep -q '^\[INFO\] (rapid) INIT RTDONE(status: success)$' "$out"

	uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
	sed -n "s/^START RequestId: \($uuid\) Version: \$LATEST\$/\1/p" "$out" >"$tmp/start"
	sed -n "s/^END RequestId: \($uuid\)\$/\1/p" "$out" >"$tmp/end"
	sed -n "s/^REPORT RequestId: \($uuid\)${tab}.*/\1/p" "$out" >"$tmp/report"
	check "$rt: $n START lines" test "$(wc -l <"$tmp/start")" -eq "$n"
	check "$rt: START ids distinct" test "$(sort -u "$tmp/start" | wc -l)" -eq "$n"
	check "$rt: END ids match START ids" cmp -s "$tmp/start" "$tmp/end"
	check "$rt: REPORT ids match START ids" cmp -s "$tmp/start" "$tmp/report"

	num='[0-9]\{1,\}\.[0-9][0-9]'
	grep '^REPORT RequestId: ' "$out" >"$tmp/reports"
	check "$rt: REPORT lines well-formed" test "$(grep -c "^REPORT RequestId: $uuid${tab}\(Init Duration: $num ms${tab}\)\{0,1\}Duration: $num ms${tab}Billed Duration: [0-9]\{1,\} ms${tab}Memory Size: 3008 MB${tab}Max Memory Used: [0-9]\{1,\} MB${tab}\$" "$tmp/reports")" -eq "$n"
	check "$rt: Init Duration on the first REPORT only" \
		test "$(head -n 1 "$tmp/reports" | grep -c 'Init Duration: ')" = 1 -a "$(grep -c 'Init Duration: ' "$tmp/reports")" = 1

	# Order: INIT_START < INIT START < RTDONE < INIT REPORT < first START.
	order=$(grep -n -e '^INIT_START ' -e 'INIT START(' -e 'INIT RTDONE(' -e 'INIT REPORT(' -e '^START RequestId' "$out" |
		cut -d: -f2- | sed 's/^\(INIT_START\|START\).*/\1/; s/.*\(INIT [A-Z]*\)(.*/\1/' | uniq | head -n 5 | tr '\n' ,)
	check "$rt: init lines in order ($order)" test "$order" = "INIT_START,INIT START,INIT RTDONE,INIT REPORT,START,"

	case $rt in
	go) marker='"greeting":"hello from go"' ;;
	shell) marker='"hello":"from shell"' ;;
	node) marker='"hello":"from node"' ;;
	*) marker='' ;;
	esac
	if [ -n "$marker" ]; then
		check "$rt: $n responses" test "$(grep -c "$marker" "$out")" -eq "$n"
		check "$rt: responses echo the event" test "$(grep "$marker" "$out" | grep -c '"event":{"name":"coldtrace","n":1}')" -eq "$n"
		if [ "$rt" != node ]; then
			grep "$marker" "$out" | sed -n 's/.*"requestId":"\([^"]*\)".*/\1/p' >"$tmp/respids"
			check "$rt: runtime saw the START ids (Lambda-Runtime-Aws-Request-Id)" cmp -s "$tmp/start" "$tmp/respids"
		fi
	fi
	check "$rt: agent stopped cleanly" grep -q '^\[INFO\] (rapid) Stopped$' "$out"
	rm -rf "$tmp"
}

if [ $# -eq 0 ]; then
	run_one go 19101 18181 2
	run_one shell 19102 18182 2
	run_one crash 19103 18183 1
else
	while [ $# -ge 3 ]; do
		run_one "$1" "$2" "$3" "${4:-2}"
		shift 3
		[ $# -ge 1 ] && case $1 in [0-9]*) shift ;; esac
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
