#!/bin/bash
# sandbox.sh COLDTRACE SANDBOX_DIR WORKDIR RUNTIME [API_PORT [INVOKE_PORT]]
#
# One cold start of the demo sandbox (ct-driver: ct-agent + RUNTIME, one
# invoke) under `coldtrace run -f jsonl`, then the jsonl is checked by
# check_sandbox (agent exec -> listen -> INIT_START -> runtime exec -> first
# GET /next -> 200 with the request id -> POST /response with that id ->
# END/REPORT -> all exited, nothing lost; Go inits; /next paired).
#
# RUNTIME: go | shell (bootstrap.sh, needs curl) | python (ct-runtime-py,
# Debian's python3) | node (aws-lambda-ric).
# Environment:
#   CT_CHECK_SANDBOX  the check_sandbox binary (default: next to this
#                     test's build dir, i.e. COLDTRACE's dir/tests/integration)
#   CT_NODE_DIR       for node: dir with index.js and node_modules (required)
# Prints ok/FAIL lines and "N passed, N failed"; exit 0 only if all passed.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=${1:?usage: sandbox.sh COLDTRACE SANDBOX_DIR WORKDIR RUNTIME [API_PORT [INVOKE_PORT]]}
sbx=${2:?sandbox dir} work=${3:?work dir} rt=${4:?runtime}
api=${5:-19411} inv=${6:-18411}
check=${CT_CHECK_SANDBOX:-$(dirname "$ct")/tests/integration/check_sandbox}


rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
[ "$(id -u)" = 0 ] || { bad "needs root (real BPF)"; finish; }
[ -x "$check" ] || { bad "checker $check not found (set CT_CHECK_SANDBOX)"; finish; }

set -- --runtime "$rt" --invokes 1 --runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" \
	--payload '{"name":"coldtrace","n":1}'
case $rt in
go) marker='"greeting":"hello from go"' ;;
shell)
	command -v curl >/dev/null || { bad "shell runtime needs curl"; finish; }
	marker='"hello":"from shell"' ;;
node)
	[ -n "${CT_NODE_DIR:-}" ] && [ -x "$CT_NODE_DIR/node_modules/.bin/aws-lambda-ric" ] ||
		{ bad "node runtime: CT_NODE_DIR must hold node_modules/.bin/aws-lambda-ric (integ.setup.node)"; finish; }
	set -- "$@" --node-dir "$CT_NODE_DIR"
	marker='"hello":"from node"' ;;
python) marker='"hello":"from python"' ;;
*) bad "unknown runtime $rt"; finish ;;
esac

# Nothing must already listen on our ports (a leftover would answer instead).
for p in "$api" "$inv"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		bad "port $p is free before the run" "something listens on 127.0.0.1:$p"
		finish
	fi
done

timeout -s INT -k 10 120 "$ct" run -f jsonl -o trace.jsonl --force -- "$sbx/ct-driver" "$@" >out.txt 2>err.txt
rc=$?
[ "$rc" = 0 ] && ok "coldtrace run -- ct-driver --runtime $rt: exit 0" ||
	bad "coldtrace run -- ct-driver --runtime $rt: exit 0" "exit $rc" "stderr: $(tail -n 15 err.txt)"
grep -q "$marker" out.txt && ok "the invoke got the $rt function's response" ||
	bad "the invoke got the $rt function's response" "$(head -c 600 out.txt)"
grep -q '^coldtrace: .*events lost' err.txt && bad "coldtrace reports no lost events" "$(grep 'events lost' err.txt)" ||
	ok "coldtrace reports no lost events"
[ -s trace.jsonl ] || { bad "trace.jsonl written"; finish; }

"$check" trace.jsonl "$rt" "$api" >check.txt 2>&1
crc=$?
cat check.txt
p=$(grep -c '^ok ' check.txt) f=$(grep -c '^FAIL ' check.txt)
pass=$((pass + p)) fail=$((fail + f))
if [ "$crc" != 0 ] && [ "$f" = 0 ]; then
	bad "check_sandbox ran" "exit $crc"
fi

# The runtime and the agent are gone: nothing of this run still listens.
sleep 0.2
left=
for p in "$api" "$inv"; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && left="$left $p"
done
[ -z "$left" ] && ok "nothing listens on $api/$inv after the run" || bad "nothing listens after the run" "ports:$left"
finish
