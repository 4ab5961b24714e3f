#!/bin/sh
# Smoke test of the demo sandbox's Python runtime (ct-runtime-py running
# python/bootstrap.py on Debian's /usr/bin/python3, handler python/app.py):
# runs ct-driver --runtime python and checks the agent's lines and the
# responses in the driver's combined output.
#
#   smoke_py.sh SANDBOX_DIR CASE RUNTIME_API_PORT INVOKE_PORT
#
# CASE: ok (2 invokes: INIT_START, INIT lines, START/END/REPORT with
# matching ids, responses "hello":"from python" carrying those ids) | fail
# (the event {"fail":true}: the handler raises, the invoke is a function
# error, the runtime carries on) | initerr (--handler nosuchmodule.handler:
# an init error, Runtime.ImportModuleError, which the driver reports) |
# nopython (a missing interpreter: ct-runtime-py, and ct-driver --python,
# fail with one clear line). Needs no root.
set -u
. "$(dirname "$0")/smokelib.sh"
dir=${1:?usage: smoke_py.sh SANDBOX_DIR CASE RUNTIME_API_PORT INVOKE_PORT}
case=${2:?case}
api=${3:?runtime API port}
inv=${4:?invoke port}
uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
num='[0-9]\{1,\}\.[0-9][0-9]'
unset CT_PYTHON # the runtime's default, Debian's /usr/bin/python3, unless a case sets it

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ct-smoke-py.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
has() { grep -q -- "$1" "$out"; }
count() { grep -c -- "$1" "$out"; }

# driver ARGS...: runs ct-driver on our ports; output in $out, status in $rc.
driver() {
	echo "== $case: ct-driver --runtime python $* (127.0.0.1:$api, 127.0.0.1:$inv)"
	timeout 60 "$dir/ct-driver" --runtime python \
		--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" "$@" >"$out" 2>&1
	rc=$?
	sed 's/^/    | /' "$out"
}

init_lines() { # init_lines STATUS
	check "$case: INIT_START line exactly once" \
		test "$(count '^INIT_START Runtime Version: ct-demo:1\.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:ct-demo$')" = 1
	check "$case: INIT START line" has '^\[INFO\] (rapid) INIT START(type: on-demand, phase: init)$'
	check "$case: the agent ran ct-runtime-py, handler $2" \
		has "^\[INFO\] (rapid) exec '.*/ct-runtime-py' (cwd=.*/python, handler=$2)\$"
	check "$case: INIT RTDONE(status: $1)" has "^\[INFO\] (rapid) INIT RTDONE(status: $1)\$"
	check "$case: INIT REPORT line" grep -Eq '^\[INFO\] \(rapid\) INIT REPORT\(durationMs: [0-9]+\.[0-9]{6}\)$' "$out"
}

# START, END and REPORT of n invokes with the same ids; "$tmp/start" lists them.
invoke_lines() { # invoke_lines N
	sed -n "s/^START RequestId: \($uuid\) Version: \$LATEST\$/\1/p" "$out" >"$tmp/start"
	sed -n "s/^END RequestId: \($uuid\)\$/\1/p" "$out" >"$tmp/end"
	sed -n "s/^REPORT RequestId: \($uuid\)${tab}.*/\1/p" "$out" >"$tmp/report"
	check "$case: $1 START lines" test "$(wc -l <"$tmp/start")" -eq "$1"
	check "$case: START ids distinct" test "$(sort -u "$tmp/start" | wc -l)" -eq "$1"
	check "$case: END ids match START ids" cmp -s "$tmp/start" "$tmp/end"
	check "$case: REPORT ids match START ids" cmp -s "$tmp/start" "$tmp/report"
}

case $case in
ok)
	driver --invokes 2 --payload '{"name":"coldtrace","n":1}'
	check "$case: driver exits 0" test "$rc" -eq 0
	init_lines success app.handler
	invoke_lines 2
	grep '^REPORT RequestId: ' "$out" >"$tmp/reports"
	check "$case: REPORT lines well-formed" test "$(grep -c "^REPORT RequestId: $uuid${tab}\(Init Duration: $num ms${tab}\)\{0,1\}Duration: $num ms${tab}Billed Duration: [0-9]\{1,\} ms${tab}Memory Size: 3008 MB${tab}Max Memory Used: [0-9]\{1,\} MB${tab}\$" "$tmp/reports")" -eq 2
	check "$case: Init Duration on the first REPORT only" \
		test "$(head -n 1 "$tmp/reports" | grep -c 'Init Duration: ')" = 1 -a "$(grep -c 'Init Duration: ' "$tmp/reports")" = 1
	order=$(grep -n -e '^INIT_START ' -e 'INIT START(' -e 'INIT RTDONE(' -e 'INIT REPORT(' -e '^START RequestId' "$out" |
		cut -d: -f2- | sed 's/^\(INIT_START\|START\).*/\1/; s/.*\(INIT [A-Z]*\)(.*/\1/' | uniq | head -n 5 | tr '\n' ,)
	check "$case: init lines in order ($order)" test "$order" = "INIT_START,INIT START,INIT RTDONE,INIT REPORT,START,"
	marker='^{"hello":"from python",'
	check "$case: 2 responses from python" test "$(count "$marker")" -eq 2
	check "$case: responses echo the event" \
		test "$(grep "$marker" "$out" | grep -c '"event":{"name":"coldtrace","n":1}')" -eq 2
	grep "$marker" "$out" | sed -n 's/.*"requestId":"\([^"]*\)".*/\1/p' >"$tmp/respids"
	check "$case: handler saw the START ids (context.aws_request_id)" cmp -s "$tmp/start" "$tmp/respids"
	# The default order: 2 coffee (3.20) + 1 bagel (2.45), in Decimal and in sqlite3.
	check "$case: decimal and sqlite3 totals" \
		test "$(grep "$marker" "$out" | grep -c '"total":"8.85","sqlTotal":"8.85","rows":2,')" -eq 2
	check "$case: run by Debian's python3 ($(/usr/bin/python3 -c 'import platform; print(platform.python_version())' 2>&1))" \
		test "$(grep "$marker" "$out" | grep -c "\"python\":\"$(/usr/bin/python3 -c 'import platform; print(platform.python_version())')\"")" -eq 2
	check "$case: no runtime error on stderr" test "$(grep -c -e '^\[ERROR\]' -e '^bootstrap.py:' -e '^Traceback' "$out")" -eq 0
	check "$case: runtime stopped by the shutdown, not before" \
		test "$(count '^\[WARNING\] (rapid) Process .* exited')" -eq 0
	check "$case: agent stopped cleanly" has '^\[INFO\] (rapid) Stopped$'
	;;
fail)
	driver --invokes 1 --payload '{"fail":true}'
	check "$case: driver exits 1" test "$rc" -eq 1
	init_lines success app.handler
	invoke_lines 1
	check "$case: one-line driver error: function error (Unhandled)" \
		test "$(count '^ct-driver: error: invoke 1/1: function error (Unhandled): ')" -eq 1
	id=$(cat "$tmp/start")
	# The driver prints the whole body, then its one-line error.
	check "$case: error document: ValueError, its message, stack, the request id" \
		has "^{\"errorMessage\":\"the event asked the handler to fail\",\"errorType\":\"ValueError\",\"stackTrace\":\[.*app.py.*\],\"requestId\":\"$id\"}\$"
	check "$case: [ERROR] ValueError on stderr" \
		has '^\[ERROR\] ValueError: the event asked the handler to fail$'

	check "$case: traceback shows the user's frame, not the runtime's" \
		test "$(grep -c 'app.py", line [0-9]*, in handler$' "$out")" -ge 1 -a "$(grep -c 'bootstrap.py", line' "$out")" -eq 0
	check "$case: no Status on the REPORT (a function error, not a sandbox one)" \
		test "$(grep '^REPORT RequestId: ' "$out" | grep -c 'Status:')" -eq 0
	check "$case: runtime still alive after the error" \
		test "$(count '^\[WARNING\] (rapid) Process .* exited')" -eq 0
	check "$case: agent stopped cleanly" has '^\[INFO\] (rapid) Stopped$'
	;;
initerr)
	driver --invokes 1 --handler nosuchmodule.handler
	check "$case: driver exits 1" test "$rc" -eq 1
	init_lines error nosuchmodule.handler
	invoke_lines 1
	check "$case: one-line driver error" test "$(count '^ct-driver: error: ')" -eq 1
	check "$case: driver reports Runtime.ImportModuleError" \
		grep -q '^ct-driver: error: invoke 1/1: function error (Unhandled): .*"errorMessage":"Unable to import module '"'"'nosuchmodule'"'"': No module named '"'"'nosuchmodule'"'"'","errorType":"Runtime.ImportModuleError"' "$out"
	check "$case: agent got the init error" \
		has '^\[WARNING\] (rapid) Runtime reported an init error: Runtime.ImportModuleError$'
	check "$case: [ERROR] Runtime.ImportModuleError on stderr" \
		has "^\[ERROR\] Runtime.ImportModuleError: Unable to import module 'nosuchmodule'"
	check "$case: REPORT has Status: error, Runtime.ImportModuleError" \
		grep -q "^REPORT RequestId: .*${tab}Status: error${tab}Error Type: Runtime.ImportModuleError${tab}\$" "$out"
	check "$case: no stack for a module not found" has '"stackTrace":\[\]}$'
	# Whether the agent sees the runtime exit 1 or stops it first is a race
	# (the driver stops the agent at the answer): run the bootstrap alone,
	# against a Runtime API that is not there (its POST fails).
	env AWS_LAMBDA_RUNTIME_API="127.0.0.1:$inv" _HANDLER=nosuchmodule.handler \
		LAMBDA_TASK_ROOT="$dir/python" timeout 30 "$dir/ct-runtime-py" >"$out" 2>&1
	rc=$?
	sed 's/^/    | /' "$out"
	check "$case: alone: ct-runtime-py exits 1" test "$rc" -eq 1
	check "$case: alone: [ERROR] line, then the failed POST" \
		test "$(sed -n '1s/^\[ERROR\] Runtime.ImportModuleError: .*/E/p; 2s/^bootstrap.py: POST \/init\/error failed: .*/P/p' "$out" | tr -d '\n')" = EP
	check "$case: alone: nothing on stdout" \
		test -z "$(env AWS_LAMBDA_RUNTIME_API="127.0.0.1:$inv" _HANDLER=nosuchmodule.handler "$dir/ct-runtime-py" 2>/dev/null)"
	check "$case: no response from python" test "$(count '"hello":"from python"')" -eq 0
	;;
nopython)
	# The bootstrap alone (as the agent runs it), then through the driver.
	env CT_PYTHON="$tmp/no/python3" "$dir/ct-runtime-py" >"$out" 2>&1
	rc=$?
	sed 's/^/    | /' "$out"
	check "$case: ct-runtime-py exits 127" test "$rc" -eq 127
	check "$case: ct-runtime-py: one line, naming the interpreter" \
		test "$(wc -l <"$out")" -eq 1 -a "$(grep -c "^ct-runtime-py: error: Python interpreter not found or not executable: $tmp/no/python3 " "$out")" -eq 1
	env CT_PYTHON=ct-no-such-python "$dir/ct-runtime-py" >"$out" 2>&1
	rc=$?
	check "$case: ct-runtime-py, a name not in PATH: exit 127, one line" \
		test "$rc" -eq 127 -a "$(grep -c '^ct-runtime-py: error: .*: ct-no-such-python ' "$out")" -eq 1
	driver --invokes 1 --python "$tmp/no/python3"
	check "$case: driver exits 1" test "$rc" -eq 1
	check "$case: one-line driver error naming --python" \
		test "$(wc -l <"$out")" -eq 1 -a "$(count "^ct-driver: error: --python: stat $tmp/no/python3: no such file or directory\$")" -eq 1
	check "$case: nothing started" test "$(count 'INIT_START')" -eq 0
	# CT_PYTHON reaches the runtime through the agent: its exit is the
	# sandbox's Runtime.ExitError.
	echo "(with CT_PYTHON=$tmp/no/python3)"
	export CT_PYTHON="$tmp/no/python3"
	driver --invokes 1
	unset CT_PYTHON
	check "$case: through the agent: driver exits 1" test "$rc" -eq 1
	check "$case: through the agent: ct-runtime-py's line" \
		test "$(count "^ct-runtime-py: error: Python interpreter not found or not executable: $tmp/no/python3 ")" -eq 1
	check "$case: through the agent: Runtime.ExitError reported" \
		grep -q '^ct-driver: error: .*"errorType":"Runtime.ExitError"' "$out"
	check "$case: through the agent: the runtime exited 127" \
		has '^\[WARNING\] (rapid) Process [0-9]*(ct-runtime-py) exited: Runtime exited with error: exit status 127$'
	driver --runtime go --invokes 1 --python /usr/bin/python3
	check "$case: --python without --runtime python: one-line error" \
		test "$rc" -eq 1 -a "$(count '^ct-driver: error: --python is only for --runtime python$')" -eq 1
	;;
*)
	echo "smoke_py.sh: unknown case $case" >&2
	exit 2
	;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
