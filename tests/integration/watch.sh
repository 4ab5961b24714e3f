#!/bin/bash
# watch.sh COLDTRACE CMP SANDBOX_DIR WORKDIR
# coldtrace watch beside sandboxes it did not start: started from a separate
# shell (with two Lambda extensions), several at once, one inside a new pid
# namespace. Each must get its own complete timeline, with Go init equal to
# GODEBUG=inittrace=1's (the agent, runtime and Go extension write those
# lines to stderr or a pipe; coldtrace records them).
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 cmp=$2 sb=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

. "$here/leftover.sh"
bpf_before=$(ct_bpf_count)
"$ct" watch --binary "$sb/ct-agent" -f jsonl -o out --duration 120 2>watch.err &
wpid=$!
for i in $(seq 1 100); do grep -q "watching" watch.err 2>/dev/null && break; sleep 0.1; done
grep -q "watching" watch.err && ok "watch is ready" || bad "watch is ready" "$(cat watch.err)"

driver() { # PORT_SUFFIX [wrapper...]
	local p=$1
	shift
	"$@" env GODEBUG=inittrace=1 "$sb/ct-driver" --runtime go --extensions "${exts:-0}" \
		--runtime-api-address 127.0.0.1:197$p --invoke-address 127.0.0.1:187$p >"drv$p.out" 2>"drv$p.err"
}
# one from a separate shell-like parent, with two extensions
bash -c "$(declare -f driver); sb='$sb'; exts=2 driver 01" && ok "sandbox 1 ran" || bad "sandbox 1 ran" "$(tail -3 drv01.err)"
# three at once
driver 02 & a=$!
driver 03 & b=$!
driver 04 & c=$!
wait $a && wait $b && wait $c && ok "3 concurrent sandboxes ran" || bad "3 concurrent sandboxes ran"
# one in its own pid namespace
driver 05 unshare --pid --fork --mount-proc && ok "sandbox in a new pid namespace ran" || bad "sandbox in a new pid namespace ran" "$(tail -3 drv05.err)"

sleep 0.5
kill -INT $wpid
wait $wpid
rc=$?
[ $rc = 0 ] && ok "watch stops cleanly on SIGINT" || bad "watch stops cleanly on SIGINT" "rc=$rc $(cat watch.err)"

n=$(ls out/*.jsonl 2>/dev/null | wc -l)
[ "$n" = 5 ] && ok "5 sandboxes, 5 files" || bad "5 sandboxes, 5 files" "$(ls out)" "$(cat watch.err)"
[ "$(ls out | sort | tr '\n' ' ')" = "$(ls out | tr '\n' ' ')" ] && ok "files sort by start" || bad "files sort by start"

nsseen=0
k=0
for f in out/*.jsonl; do
	k=$((k + 1))
	# files sort by start: 1 and 5 ran alone, 2-4 at the same time on 2 CPUs
	case $k in 2 | 3 | 4) how="--order-only" what="same packages in the same order as GODEBUG" ;;
		*) how="" what="Go init equals GODEBUG's (order and timings)" ;; esac
	agent=$(grep '"type":"exec"' "$f" | grep '"path":"[^"]*/ct-agent"' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -1)
	rt=$(grep '"type":"exec"' "$f" | grep '"path":"[^"]*/ct-runtime-go"' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -1)
	if [ -z "$agent" ] || [ -z "$rt" ]; then
		bad "$f: agent and runtime" "agent=$agent runtime=$rt"
		continue
	fi
	# the driver is not part of it: only the agent's tree
	if grep -q '"path":"[^"]*/ct-driver"' "$f"; then bad "$f: only the agent's tree" "$(grep '"exec"' "$f" | head -3)"; fi
	ext=
	if [ $k = 1 ]; then # the extensions are in the agent's tree: in its file
		ext=$(grep '"type":"extension"' "$f" | grep '"name":"ct-ext-go"' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -1)
		n=$(grep '"type":"extension"' "$f" | grep -c '"state":"ready"')
		[ "$n" = 2 ] && [ -n "$ext" ] && ok "$f: its 2 extensions, ready" ||
			bad "$f: its 2 extensions, ready" "$(grep '"type":"extension"' "$f" | head -2)"
	fi
	for pid in $agent $rt $ext; do
		if "$cmp" $how --self "$f" "$pid" >cmp.out; then
			ok "$f pid $pid: $what ($(grep -o 'packages: [0-9]*' cmp.out))"
		else
			bad "$f pid $pid: $what" "$(grep -E 'FAIL|packages' cmp.out | head -5)"
		fi
	done
	grep -q '"api":"next"' "$f" && grep -q '"kind":"init_start"' "$f" && grep -q '"kind":"report"' "$f" &&
		ok "$f: /next, INIT_START and REPORT seen" || bad "$f: /next, INIT_START and REPORT seen"
	# pid namespaces: the agent's own pid differs from the host pid there
	ns=$(grep '"type":"process"' "$f" | grep "\"pid\":$agent," | sed -n 's/.*"nspid":\([0-9]*\).*/\1/p')
	[ -n "$ns" ] && [ "$ns" != "$agent" ] && nsseen=$((nsseen + 1))
done
[ $nsseen = 1 ] && ok "exactly one sandbox ran in its own pid namespace (nspid != pid)" || bad "one sandbox in its own pid namespace" "seen $nsseen"

left=$(leftover_bpf $bpf_before) && ok "nothing left attached" || bad "nothing left attached" "$left"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
