#!/bin/sh
# Smoke test of the demo sandbox with Lambda extensions: runs ct-driver
# --extensions ... and checks the agent's lines (registration, readiness,
# EXTENSION lines, INIT REPORT after the last extension is ready), each
# extension's own lines ("[name] registered as <id>", "[name] INVOKE <id>",
# "[name] SHUTDOWN"), the failures, and that no process is left behind.
#
#   smoke_ext.sh SANDBOX_DIR CASE RUNTIME_API_PORT INVOKE_PORT
#
# CASE: 0 | 1 | 2 (that many extensions: none, ct-ext-go, ct-ext-go and
# ct-ext-sh) | crash (ct-ext-sh,ct-ext-crash) | initerr (ct-ext-initerr) |
# sleep (ct-ext-go,ct-ext-sleep with CT_EXT_SLEEP_MS=400) | timeout
# (ct-ext-hang, never registers; --timeout 2s) | sigterm (ct-ext-sh,
# ct-ext-hang with --init-at-start; SIGTERM to the driver while the agent
# waits for the registrations) | mountns (as 2,
# but mounted on /opt/extensions in a private mount namespace: needs root,
# exits 77 (skipped) otherwise). Every case but mountns passes
# --no-mount-ns, so needs no root.
set -u
. "$(dirname "$0")/smokelib.sh"
dir=${1:?usage: smoke_ext.sh SANDBOX_DIR CASE RUNTIME_API_PORT INVOKE_PORT}
case=${2:?case}
api=${3:?runtime API port}
inv=${4:?invoke port}
uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'

has() { grep -q -- "$1" "$out"; }
count() { grep -c -- "$1" "$out"; }
line_of() { grep -n -- "$1" "$out" | head -n 1 | cut -d: -f1; }

ns=--no-mount-ns
n=2
expect_rc=0
sleep_ms=
case $case in
0) exts=none names= ;;
1) exts=1 names=ct-ext-go ;;
2) exts=2 names="ct-ext-go ct-ext-sh" ;;
crash) exts=ct-ext-sh,ct-ext-crash names="ct-ext-crash ct-ext-sh" n=1 expect_rc=1 ;;
initerr) exts=ct-ext-initerr names=ct-ext-initerr n=1 expect_rc=1 ;;
sleep) exts=ct-ext-go,ct-ext-sleep names="ct-ext-go ct-ext-sleep" sleep_ms=400 ;;
timeout) exts=ct-ext-hang names=ct-ext-hang n=1 expect_rc=1 ;;
sigterm) exts=ct-ext-sh,ct-ext-hang names="ct-ext-hang ct-ext-sh" n=1 expect_rc=1 ;;
mountns)
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: the mount namespace case needs root"
		exit 77
	fi
	exts=2 names="ct-ext-go ct-ext-sh" ns= ;;
*) echo "smoke_ext.sh: unknown case $case" >&2; exit 2 ;;
esac

# Everything the run starts carries CT_SMOKE_ID in its environment (the
# agent passes its own on), and TMPDIR points into our own directory (the
# driver's folder of extensions is made there).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ct-smoke-ext.XXXXXX")
out=$tmp/out
tag="ct-smoke-ext-$$-$(date +%s%N)"
[ -z "$ns" ] && ls -la /opt >"$tmp/opt.before" 2>&1
[ -z "$ns" ] && [ ! -e /opt/extensions ] && no_opt_ext=1 || no_opt_ext=0

extra=
case $case in
timeout) extra="--timeout 2s" ;;
sigterm) extra=--init-at-start ;;
esac
echo "== $case: ct-driver --extensions $exts $ns $extra --invokes $n (127.0.0.1:$api, 127.0.0.1:$inv)"
env CT_SMOKE_ID="$tag" TMPDIR="$tmp" ${sleep_ms:+CT_EXT_SLEEP_MS=$sleep_ms} \
	timeout 60 "$dir/ct-driver" --extensions "$exts" $ns $extra --invokes "$n" \
	--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" \
	--payload '{"name":"coldtrace"}' >"$out" 2>&1 &
pid=$!
if [ "$case" = sigterm ]; then
	# SIGTERM once ct-ext-hang runs (the agent then waits for it to register).
	for i in $(seq 1 200); do
		has "(extension ct-ext-hang)\$" && break
		sleep 0.1
	done
	sleep 0.2
	pkill -TERM -P "$pid" -x ct-driver
fi
wait "$pid"
rc=$?
sed 's/^/    | /' "$out"

# No process of the run is left (scan every environment for the tag; give
# the kernel a moment to reap), and the driver's folder is gone.
left=
for i in 1 2 3 4 5 6 7 8 9 10; do
	left=$(grep -l -s -- "CT_SMOKE_ID=$tag" /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ')
	[ -z "$left" ] && break
	sleep 0.2
done
check "$case: no process left behind ($left)" test -z "$left"
check "$case: driver's extensions folder removed" test -z "$(find "$tmp" -maxdepth 1 -name 'ct-ext.*')"

check "$case: INIT START line" has '^\[INFO\] (rapid) INIT START(type: on-demand, phase: init)$'
nnames=$(echo $names | wc -w)
check "$case: $nnames extensions exec'd" test "$(count "^\[INFO\] (rapid) exec '.*' (extension ")" -eq "$nnames"
if [ "$case" = sigterm ]; then
	# Stopped while INIT waits for ct-ext-hang: INIT never ends.
	check "$case: no INIT REPORT, no EXTENSION line" test "$(grep -c -e 'INIT REPORT' -e '^EXTENSION' "$out")" -eq 0
else
	check "$case: INIT REPORT line" grep -Eq '^\[INFO\] \(rapid\) INIT REPORT\(durationMs: [0-9]+\.[0-9]{6}\)$' "$out"
	check "$case: $nnames EXTENSION lines" test "$(count '^EXTENSION	')" -eq "$nnames"
fi

# The EXTENSION lines: in name order, just before INIT REPORT, after RTDONE.
if [ "$nnames" -gt 0 ] && [ "$case" != sigterm ]; then
	rtdone=$(line_of 'INIT RTDONE(')
	report=$(line_of 'INIT REPORT(')
	first=$(line_of '^EXTENSION	')
	check "$case: EXTENSION lines between RTDONE and INIT REPORT" \
		test "${rtdone:-0}" -lt "${first:-0}" -a "$((first + nnames))" -eq "${report:-0}"
	check "$case: EXTENSION lines in name order" \
		test "$(sed -n "s/^EXTENSION${tab}Name: \([^$tab]*\)${tab}.*/\1/p" "$out" | tr '\n' ' ')" = "$(echo $names | tr ' ' '\n' | sort | tr '\n' ' ')"
fi

for x in $names; do
	# ct-ext-sh may not have registered yet when ct-ext-crash fails INIT or
	# when SIGTERM comes; ct-ext-hang never does.
	case $case in crash | sigterm)
		[ "$x" = ct-ext-sh ] && ! has '^\[INFO\] (rapid) Extension ct-ext-sh registered: ' && continue ;;
	esac
	[ "$x" = ct-ext-hang ] && continue
	# Registered: the id the agent logged is the one the extension got.
	aid=$(sed -n "s/^\[INFO\] (rapid) Extension $x registered: \($uuid\) (events: \[INVOKE,SHUTDOWN\])\$/\1/p" "$out")
	eid=$(sed -n "s/^\[$x\] registered as \($uuid\)\$/\1/p" "$out")
	check "$case: $x registered, agent's id = its id ($aid)" test -n "$aid" -a "$aid" = "$eid"
done

if [ "$expect_rc" = 0 ]; then
	check "$case: driver exits 0" test "$rc" -eq 0
	check "$case: INIT RTDONE(status: success)" has '^\[INFO\] (rapid) INIT RTDONE(status: success)$'
	sed -n "s/^START RequestId: \($uuid\) Version: \$LATEST\$/\1/p" "$out" >"$tmp/start"
	sed -n "s/^REPORT RequestId: \($uuid\)${tab}.*/\1/p" "$out" >"$tmp/report"
	check "$case: $n START lines" test "$(wc -l <"$tmp/start")" -eq "$n"
	check "$case: REPORT ids match START ids" cmp -s "$tmp/start" "$tmp/report"
	grep '"greeting":"hello from go"' "$out" | sed -n 's/.*"requestId":"\([^"]*\)".*/\1/p' >"$tmp/respids"
	check "$case: runtime saw the START ids" cmp -s "$tmp/start" "$tmp/respids"
	report=$(line_of 'INIT REPORT(')
	for x in $names; do
		check "$case: EXTENSION line of $x: Ready, [INVOKE,SHUTDOWN]" \
			has "^EXTENSION${tab}Name: $x${tab}State: Ready${tab}Events: \[INVOKE,SHUTDOWN\]\$"
		ready=$(line_of "^\[INFO\] (rapid) Extension $x ready: ")
		check "$case: $x ready before INIT REPORT" test -n "$ready" -a "${ready:-0}" -lt "${report:-0}"
		while read -r id; do
			check "$case: $x got INVOKE $id" test "$(count "^\[$x\] INVOKE $id\$")" -eq 1
			# END and REPORT wait for the extension's next call, so its
			# line (written before that call) is relayed... usually
			# before them; the order is not checked.
		done <"$tmp/start"
		check "$case: $x got SHUTDOWN" has "^\[$x\] SHUTDOWN\$"
		check "$case: $x exited by itself" has "^\[INFO\] (rapid) Extension $x stopped: exit status 0\$"
	done
	check "$case: agent stopped cleanly" has '^\[INFO\] (rapid) Stopped$'
	if [ "$nnames" -eq 0 ]; then
		check "$case: no extension lines at all" test "$(grep -c -e '^\[ct-ext' -e 'Extension ' "$out")" -eq 0
	fi
else
	check "$case: driver exits 1" test "$rc" -eq 1
	check "$case: one-line driver error" test "$(count '^ct-driver: error: ')" = 1
	[ "$case" = sigterm ] ||
		check "$case: INIT RTDONE(status: error)" has '^\[INFO\] (rapid) INIT RTDONE(status: error)$'
	# The runtime was never started, or was killed with INIT's failure.
	if has "^\[INFO\] (rapid) exec '.*ct-runtime-go'"; then
		check "$case: runtime killed after the failure" has '^\[INFO\] (rapid) Runtime stopped: signal: killed$'
	else
		ok "$case: runtime never started"
	fi
fi

case $case in
crash)
	check "$case: driver error names Extension.Crash" grep -q '^ct-driver: error: .*"errorType":"Extension.Crash"' "$out"
	check "$case: EXTENSION line: Crashed, Extension.Crash" \
		has "^EXTENSION${tab}Name: ct-ext-crash${tab}State: Crashed${tab}Events: \[INVOKE,SHUTDOWN\]${tab}Error Type: Extension.Crash\$"
	check "$case: process exit logged" has '^\[WARNING\] (rapid) Process extension-ct-ext-crash-1 exited: exit status 3$'
	check "$case: first fatal error logged" has '^\[WARNING\] (rapid) First fatal error stored in appctx: Extension.Crash$'
	check "$case: REPORT has Status: error, Extension.Crash" \
		has "${tab}Status: error${tab}Error Type: Extension.Crash${tab}\$"
	# The other extension is not failed: SHUTDOWN if it registered in time
	# (a registered one is told at its next call), else killed.
	if has "^EXTENSION${tab}Name: ct-ext-sh${tab}State: Launched${tab}Events: \[\]\$"; then
		check "$case: unregistered ct-ext-sh killed" has '^\[INFO\] (rapid) Extension ct-ext-sh stopped: signal: killed$'
	else
		check "$case: ct-ext-sh got SHUTDOWN" has '^\[ct-ext-sh\] SHUTDOWN$'
	fi
	;;
initerr)
	check "$case: driver error names Extension.ConfigInvalid" grep -q '^ct-driver: error: .*"errorType":"Extension.ConfigInvalid"' "$out"
	check "$case: EXTENSION line: InitError, Extension.ConfigInvalid" \
		has "^EXTENSION${tab}Name: ct-ext-initerr${tab}State: InitError${tab}Events: \[INVOKE,SHUTDOWN\]${tab}Error Type: Extension.ConfigInvalid\$"
	check "$case: init error logged" has '^\[WARNING\] (rapid) Extension ct-ext-initerr reported an init error: Extension.ConfigInvalid$'
	check "$case: first fatal error logged" has '^\[WARNING\] (rapid) First fatal error stored in appctx: Extension.ConfigInvalid$'
	;;
sleep)
	ms=$(sed -n 's/^\[INFO\] (rapid) INIT REPORT(durationMs: \([0-9]*\)\..*/\1/p' "$out")
	check "$case: INIT REPORT durationMs ($ms) >= $sleep_ms" test "${ms:-0}" -ge "$sleep_ms"
	# Which extension was ready last depends on the machine's load (ct-ext-go
	# is usually ready long before); the C side names the gate from the
	# trace. Here: both were ready before INIT REPORT (checked above).
	;;
timeout)
	check "$case: driver error names Extension.InitError" grep -q '^ct-driver: error: .*"errorType":"Extension.InitError"' "$out"
	check "$case: EXTENSION line: Launched, no events" \
		has "^EXTENSION${tab}Name: ct-ext-hang${tab}State: Launched${tab}Events: \[\]\$"
	check "$case: first fatal error logged" has '^\[WARNING\] (rapid) First fatal error stored in appctx: Extension.InitError$'
	check "$case: ct-ext-hang killed at shutdown" has '^\[INFO\] (rapid) Extension ct-ext-hang stopped: signal: killed$'
	;;
sigterm)
	check "$case: driver interrupted" grep -q '^ct-driver: error: interrupted by terminated$' "$out"
	check "$case: agent got SIGTERM" has '^\[INFO\] (rapid) Received signal terminated, shutting down$'
	check "$case: ct-ext-hang killed" has '^\[INFO\] (rapid) Extension ct-ext-hang stopped: signal: killed$'
	check "$case: agent stopped" has '^\[INFO\] (rapid) Stopped$'
	;;
mountns)
	ls -la /opt >"$tmp/opt.after" 2>&1
	check "$case: the agent ran /opt/extensions/ct-ext-go" has "^\[INFO\] (rapid) exec '/opt/extensions/ct-ext-go' (extension ct-ext-go)\$"
	check "$case: the agent ran /opt/extensions/ct-ext-sh" has "^\[INFO\] (rapid) exec '/opt/extensions/ct-ext-sh' (extension ct-ext-sh)\$"
	check "$case: host's /opt unchanged" cmp -s "$tmp/opt.before" "$tmp/opt.after"
	if [ "$no_opt_ext" = 1 ]; then
		check "$case: no /opt/extensions on the host" test ! -e /opt/extensions
	fi
	;;
0)
	if [ ! -d /opt/extensions ]; then
		check "$case: missing extensions dir logged as the RIE does" \
			has '^\[INFO\] (rapid) The extension'"'"'s directory "/opt/extensions" does not exist, assuming no extensions to be loaded\.$'
	fi
	;;
esac

rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
