#!/bin/bash
# watch_idle.sh COLDTRACE SANDBOX_DIR WORKDIR
# coldtrace watch costs the host nothing while no sandbox runs: the syscall
# hook (raw_syscalls:sys_exit, which every process on the machine pays for)
# is attached only while a sandbox is live. Counted as BPF links on the
# sys_exit tracepoint before, during and after sandboxes; the sandboxes'
# HTTP and log lines must still be complete.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 sb=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
sx() { bpftool link show 2>/dev/null | grep -c "tp 'sys_exit'"; }
base=$(sx)
"$ct" watch -v --binary "$sb/ct-agent" -f jsonl -o out 2>watch.err &
wp=$!
for i in $(seq 1 50); do grep -q "watching" watch.err && break; sleep 0.1; done
sleep 0.3
idle=$(sx)
[ "$idle" = "$base" ] && ok "idle: no syscall hook ($idle links, $base before)" || bad "idle: syscall hook attached" "$idle links, $base before"
for round in 1 2; do
	rm -f drv.done
	("$sb/ct-driver" --runtime go --invokes 3 --runtime-api-address 127.0.0.1:19461 \
		--invoke-address 127.0.0.1:18461 >drv$round.out 2>&1; echo $? >drv.done) &
	max=0
	while [ ! -s drv.done ]; do n=$(sx); [ "$n" -gt "$max" ] && max=$n; done
	[ "$(cat drv.done)" = 0 ] || bad "round $round: the sandbox failed" "$(tail -3 drv$round.out)"
	[ "$max" -gt "$base" ] && ok "round $round: the hook is attached while the sandbox is live" ||
		bad "round $round: the hook was never attached" "max $max, base $base"
	after=$base
	for i in $(seq 1 30); do after=$(sx); [ "$after" = "$base" ] && break; sleep 0.1; done
	[ "$after" = "$base" ] && ok "round $round: detached when the sandbox ended" ||
		bad "round $round: still attached after the sandbox" "$after links"
done
kill -INT $wp
wait $wp
n=0
for f in out/*.jsonl; do
	n=$((n + 1))
	# the whole sequence is there although the hook came with the sandbox
	grep -q '"kind":"init_start"' "$f" && grep -q '"api":"next"' "$f" && grep -q '"kind":"report"' "$f" &&
		grep -q '"type":"listen"' "$f" && ok "$f: listen, INIT_START, /next and REPORT traced" ||
		bad "$f: incomplete" "$(grep -c '"type":"http"' "$f") http, $(grep -c '"type":"log"' "$f") log"
done
[ $n = 2 ] && ok "2 sandboxes written" || bad "2 sandboxes written" "$n"
grep "syscall hook attached" watch.err
echo "$pass passed, $fail failed"
[ $fail = 0 ]
