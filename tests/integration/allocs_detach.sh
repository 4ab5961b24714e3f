#!/bin/bash
# allocs_detach.sh COLDTRACE PROG WORKDIR
# --allocs plants mallocgc's breakpoint in the traced process alone, and
# takes it out when that process's main.main starts. Seen in the processes'
# own memory (/proc/PID/mem) against the file's bytes of runtime.mallocgc:
#   - a process of the same binary that coldtrace does not trace, running
#     the whole time, never has a changed byte there;
#   - the traced process has one while its inits run (gamma's init sleeps
#     INITGRAPH_SLEEP_IN_INIT: the check can see a breakpoint), and none a
#     moment after main.main, while it still runs (it sleeps in main);
#   - its package inits still have their allocations counted.
# PROG: an unstripped initgraph (Go 1.19, its symbol table names mallocgc).
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 prog=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

# runtime.mallocgc: its address and size, and where its bytes are in the file
read -r addr size < <(nm -S "$prog" | awk '$4 == "runtime.mallocgc" { print $1, $2 }')
[ -n "${addr:-}" ] || { bad "no runtime.mallocgc in $prog's symbols"; finish; }
addr=$((16#$addr)) size=$((16#$size))
off=
while read -r _ o v _ fs _; do
	[ $((addr >= v && addr < v + fs)) = 1 ] && off=$((addr - v + o)) && break
done < <(readelf -lW "$prog" | awk '$1 == "LOAD"')
[ -n "$off" ] || { bad "runtime.mallocgc is in no LOAD segment"; finish; }
dd if="$prog" of=file.bin bs=4096 iflag=skip_bytes,count_bytes skip="$off" count="$size" 2>/dev/null
# same: PID's mallocgc is the file's; else (a breakpoint in it) not
same() {
	dd if="/proc/$1/mem" of="mem.$1" bs=4096 iflag=skip_bytes,count_bytes skip="$addr" count="$size" 2>/dev/null &&
		cmp -s file.bin "mem.$1"
}

"$prog" -sleep 30s >other.out 2>&1 &
other=$!
sleep 0.2
same $other && ok "an untraced process of the binary: mallocgc as in the file before coldtrace" ||
	bad "an untraced process: mallocgc differs before coldtrace ran"

# start NAME MAIN_SLEEP: coldtrace run --allocs of PROG, whose gamma init
# sleeps 1.5 s (NAME.jsonl, NAME.err); sets cp (coldtrace) and traced
start() {
	INITGRAPH_SLEEP_IN_INIT=1500ms "$ct" run -q --stats --allocs -f jsonl -o "$1.jsonl" -- "$prog" -sleep "$2" \
		>"$1.out" 2>"$1.err" &
	cp=$!
	traced=
	for i in $(seq 1 100); do
		traced=$(pgrep -P $cp -f -- "-sleep $2" | head -1)
		[ -n "$traced" ] && return 0
		sleep 0.05
	done
	return 1
}
start run 4s || { bad "the traced process did not start" "$(cat run.err)"; kill $other; finish; }

# while its inits run (gamma sleeps 1.5 s in its init): planted, in it alone
in_init=0 other_changed=0
for i in $(seq 1 10); do
	same $traced || in_init=$((in_init + 1))
	same $other || other_changed=$((other_changed + 1))
	sleep 0.1
done
[ $in_init -gt 0 ] && ok "the traced process has the mallocgc probe during its inits ($in_init of 10 looks)" ||
	bad "the traced process never had the probe during its inits"
# then main.main: its probe goes (a detach waits for grace periods)
gone=0
for i in $(seq 1 60); do
	sleep 0.05
	same $other || other_changed=$((other_changed + 1))
	if same $traced; then gone=1; break; fi
done
[ $gone = 1 ] && ok "after main.main the traced process runs without the probe, while coldtrace still traces it" ||
	bad "the probe is still planted in the traced process after main.main"
kill -0 $cp 2>/dev/null && ok "coldtrace was still running then" || bad "coldtrace had exited already" "$(cat run.err)"
wait $cp
rc=$?
[ $rc = 0 ] && ok "coldtrace run exited 0" || bad "coldtrace run exited $rc" "$(cat run.err)"
same $other || other_changed=$((other_changed + 1))
[ $other_changed = 0 ] && ok "the untraced process of the binary never had the probe" ||
	bad "the untraced process had mallocgc's probe" "$other_changed looks"
kill $other
wait $other 2>/dev/null

# the allocations were counted, and the probe was attached to one process
counted=$(grep '"type":"go_init"' run.jsonl | grep -c '"allocs":[1-9]')
[ "$counted" -gt 10 ] && ok "package inits with counted allocations: $counted" ||
	bad "allocations not counted" "$counted packages with allocs"
grep -q "malloc_probe_attaches=1 .*detaches=1" run.err && ok "one mallocgc probe attached, and detached, for the one process" ||
	bad "mallocgc probe attaches/detaches" "$(grep mallocgc run.err)"

# coldtrace killed (SIGKILL) while a traced process is in its inits: the
# kernel takes the probe out with coldtrace's links; the process is never
# left stopped and runs to its end.
if ! start kill 1s; then
	bad "SIGKILL: the traced process did not start" "$(cat kill.err)"
else
	planted=0
	for i in $(seq 1 10); do same $traced || { planted=1; break; }; sleep 0.05; done
	[ $planted = 1 ] && ok "SIGKILL: the probe was planted in the traced process" ||
		bad "SIGKILL: the probe was never seen in the traced process"
	kill -KILL $cp
	wait $cp 2>/dev/null
	gone=0 stopped=0
	for i in $(seq 1 60); do
		[ "$(awk '{print $3}' /proc/$traced/stat 2>/dev/null)" = T ] && stopped=$((stopped + 1))
		if same $traced; then gone=1; break; fi
		sleep 0.05
	done
	[ $gone = 1 ] && ok "SIGKILL: the probe is out of the process without coldtrace" ||
		bad "SIGKILL: the probe stayed in the process after coldtrace was killed"
	ended=0
	for i in $(seq 1 100); do
		[ "$(awk '{print $3}' /proc/$traced/stat 2>/dev/null)" = T ] && stopped=$((stopped + 1))
		[ -d /proc/$traced ] || { ended=1; break; }
		sleep 0.1
	done
	[ $stopped = 0 ] && ok "SIGKILL: the process was never seen stopped" || bad "SIGKILL: the process was stopped" "$stopped looks"
	[ $ended = 1 ] && ok "SIGKILL: the process ran to its end by itself" || { bad "SIGKILL: the process did not end"; kill -KILL $traced; }
fi
finish
