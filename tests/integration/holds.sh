#!/bin/bash
# holds.sh COLDTRACE CMP_INITTRACE GOPROGS ESBUILD WORKDIR
# coldtrace must never harm what it watches. Each case is a way a hold (a
# process stopped at exec while its probes are attached) could outlive its
# reason, or probes could meet code they were not planned for; after each,
# no process may be left stopped (state T), and traced programs exit 0.
#
# COLDTRACE_FAULT_ATTACH_DELAY_MS makes coldtrace's attach at an exec slow
# on purpose (a fault-injection knob of the tracer), so that a hold lasts
# long enough to kill or stop coldtrace in the middle of it.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 cmp=$2 progs=$3 esbuild=$4 work=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/leftover.sh"
export XDG_CACHE_HOME=$work/cache # this test's own binary cache
# Processes in state T (stopped) whose command matches $1.
# (coldtrace itself, stopped on purpose, has them in its arguments: not it)
stopped() { ps -eo stat=,pid=,comm=,args= | awk -v pat="$1" '$1 ~ /^T/ && $3 != "coldtrace" && index($0, pat) {print $2}'; }
none_stopped() { # NAME WHAT: no process of ours stopped, within 3 s
	local i
	for i in $(seq 1 30); do
		[ -z "$(stopped "$work")" ] && { ok "$2: nothing left stopped"; return 0; }
		sleep 0.1
	done
	bad "$2: processes left stopped" "$(ps -eo stat=,pid=,args= | awk '$1 ~ /^T/')"
	for p in $(stopped "$work"); do kill -CONT "$p"; done
}
wait_stopped() { # PATTERN: wait up to 10 s until a process matching it is held
	local i
	for i in $(seq 1 100); do
		[ -n "$(stopped "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
# A fresh copy of a Go binary: a new inode nobody has armed yet.
fresh() { cp "$progs/initgraph" "$work/$1"; }
bpf_before=$(ct_bpf_count)

# 1. coldtrace SIGKILLed while it holds a process: its guardian resumes it.
fresh ig-kill
COLDTRACE_FAULT_ATTACH_DELAY_MS=60000 "$ct" run -q --no-cache -- sh -c "'$work/ig-kill' > kill.out" >/dev/null 2>&1 &
ctpid=$!
if wait_stopped "$work/ig-kill"; then
	kill -9 $ctpid
	wait $ctpid 2>/dev/null
	for i in $(seq 1 50); do grep -q '"status":"OK"' kill.out 2>/dev/null && break; sleep 0.1; done
	grep -q '"status":"OK"' kill.out && ok "SIGKILL while holding: the held program ran to its end" ||
		bad "SIGKILL while holding: the held program ran to its end" "$(cat kill.out 2>&1)"
else
	bad "SIGKILL while holding: the program was never held" "$(ps -eo stat=,args= | grep ig-kill)"
	kill -9 $ctpid
fi
none_stopped "$work" "SIGKILL while holding"

# 2. coldtrace stopped (Ctrl-Z) while it holds: the guardian resumes the
#    process at --max-hold; once coldtrace goes on, the trace says so.
fresh ig-stop
COLDTRACE_FAULT_ATTACH_DELAY_MS=1500 "$ct" run -q --no-cache --max-hold 200 -f jsonl -o stop.jsonl -- \
	sh -c "'$work/ig-stop' > stop.out" 2>stop.err &
ctpid=$!
if wait_stopped "$work/ig-stop"; then
	kill -STOP $ctpid
	sleep 1
	s=$(stopped "$work/ig-stop")
	kill -CONT $ctpid
	wait $ctpid
	rc=$?
	if [ -z "$s" ] && [ $rc = 0 ] && grep -q '"status":"OK"' stop.out &&
		grep '"type":"exec"' stop.jsonl | grep ig-stop | grep -q "resumed before its probes were attached"; then
		ok "stopped while holding: resumed at --max-hold, and the trace says so"
	else
		bad "stopped while holding: resumed at --max-hold, and the trace says so" "still stopped: '$s' rc=$rc" \
			"$(grep ig-stop stop.jsonl | head -2)" "$(cat stop.err)"
	fi
else
	bad "stopped while holding: the program was never held"
	kill -9 $ctpid
fi
none_stopped "$work" "stopped while holding"

# 3. A held process never waits behind another binary's attach: while a Go
#    binary's attach takes 1.5 s, an unknown non-Go binary exec'd at the
#    same time is held only as long as its own inspection takes.
fresh ig-slow
cp /bin/true "$work/true-quick"
COLDTRACE_FAULT_ATTACH_DELAY_MS=1500 "$ct" run -q --no-cache --max-hold 10000 -f jsonl -o par.jsonl -- \
	sh -c "'$work/ig-slow' >/dev/null & sleep 0.3; '$work/true-quick'; wait" 2>par.err
rc=$?
held() { grep '"type":"exec"' par.jsonl | grep "$1" | sed -n 's/.*"held_ns":\([0-9]*\).*/\1/p' | head -1; }
slow=$(held ig-slow) quick=$(held true-quick)
if [ $rc = 0 ] && [ "${slow:-0}" -ge 1400000000 ] && [ -n "$quick" ] && [ "$quick" -lt 1000000000 ]; then
	ok "parallel attach: the Go binary held $((slow / 1000000)) ms, the other $((quick / 1000000)) ms"
else
	bad "parallel attach" "rc=$rc held: ig-slow=$slow true-quick=$quick" "$(cat par.err)"
fi

# 4. An exec whose record does not fit in the ring is never held: a 4 KiB
#    ring, coldtrace stopped so that nothing drains it, and a burst of execs
#    of binaries nobody has seen; the ones that fit are held until the
#    guardian's --max-hold, the others not at all.
for i in $(seq 1 40); do cp /bin/true "$work/t$i"; done
"$ct" run -q --no-cache --max-hold 300 --ringbuf-size 4096 -f jsonl -o ring.jsonl -- \
	sh -c "sleep 1; for i in \$(seq 1 40); do '$work/t'\$i & done; wait" 2>ring.err &
ctpid=$!
sleep 0.5
kill -STOP $ctpid
sleep 2.5
ring_stopped=$(stopped "$work/t" | grep -v "^$ctpid\$")
kill -CONT $ctpid
wait $ctpid
rc=$?
lost=$(sed -n 's/.*"lost_total":\([0-9]*\).*/\1/p' ring.jsonl)
if [ $rc = 0 ] && [ "${lost:-0}" -gt 0 ] && [ -z "$ring_stopped" ]; then
	ok "full ring: nothing held while coldtrace was stopped; it exits (rc 0), $lost events lost and counted"
else
	bad "full ring: coldtrace exits" "rc=$rc lost=$lost stopped: $ring_stopped" "$(tail -3 ring.err)"
fi
none_stopped "$work" "full ring"

# 5. watch SIGKILLed, and watch stopped, while it holds a name-matched exec
#    (also one that is not the watched file, only the same name).
mkdir -p other
fresh ig-watch
cp "$progs/initgraph" other/ig-watch
COLDTRACE_FAULT_ATTACH_DELAY_MS=60000 "$ct" watch -q --no-cache --comm ig-watch 2>/dev/null &
wpid=$!
sleep 1
"$work/other/ig-watch" > watch-kill.out &
if wait_stopped "other/ig-watch" || grep -q OK watch-kill.out; then
	kill -9 $wpid
	wait $wpid 2>/dev/null
	wait
	grep -q '"status":"OK"' watch-kill.out && ok "watch SIGKILLed: a name-matched process runs on" ||
		bad "watch SIGKILLed: a name-matched process runs on" "$(cat watch-kill.out)"
else
	bad "watch SIGKILLed: nothing was held" "$(ps -eo stat=,args= | grep ig-watch)"
	kill -9 $wpid
fi
none_stopped "$work" "watch SIGKILLed"
"$ct" watch -q --no-cache --max-hold 300 --binary "$work/nonexistent/ig-watch" 2>/dev/null &
wpid=$!
sleep 1
kill -STOP $wpid
"$work/ig-watch" > watch-stop.out & # same name, not the watched path
sleep 1.5
grep -q '"status":"OK"' watch-stop.out && [ -z "$(stopped ig-watch)" ] &&
	ok "watch stopped: a matched process is resumed at --max-hold" ||
	bad "watch stopped: a matched process is resumed at --max-hold" "$(stopped ig-watch)"
kill -CONT $wpid
kill -INT $wpid
wait
none_stopped "$work" "watch stopped"

# 6. Two instances at once on the same new binaries, and watch + run on the
#    same process: every trace complete (runtime start, every package,
#    main.main), nothing resumed early by the other instance.
complete() { # JSONL: the Go program's trace is whole
	local f=$1 pid
	pid=$(grep '"type":"go_runtime"' "$f" | head -1 | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	[ -n "$pid" ] && grep -q '"type":"go_main"' "$f" && "$cmp" --order-only --self "$f" "$pid" >/dev/null
}
n=0 good=0
for i in $(seq 1 10); do
	fresh "ig-pair$i"
	"$ct" run -q --no-cache -f jsonl -o "pa$i.jsonl" -- env GODEBUG=inittrace=1 "$work/ig-pair$i" >/dev/null 2>&1 &
	a=$!
	"$ct" run -q --no-cache -f jsonl -o "pb$i.jsonl" -- env GODEBUG=inittrace=1 "$work/ig-pair$i" >/dev/null 2>&1 &
	b=$!
	wait $a $b
	for f in "pa$i.jsonl" "pb$i.jsonl"; do n=$((n + 1)); complete "$f" && good=$((good + 1)); done
done
[ $good = $n ] && ok "run + run at once: $good of $n traces complete" || bad "run + run at once: $good of $n traces complete"
n=0 good=0
fresh ig-both
"$ct" watch -q --no-cache --binary "$work/ig-both" -f jsonl -o wboth 2>/dev/null &
wpid=$!
sleep 1
for i in $(seq 1 10); do
	"$ct" run -q --no-cache -f jsonl -o "rb$i.jsonl" -- env GODEBUG=inittrace=1 "$work/ig-both" >/dev/null 2>&1
	n=$((n + 1))
	complete "rb$i.jsonl" && good=$((good + 1))
done
sleep 0.5
kill -INT $wpid
wait $wpid
for f in wboth/*; do n=$((n + 1)); complete "$f" && good=$((good + 1)); done
[ $good = 20 ] && [ $n = 20 ] && ok "watch + run on the same process: $good of $n traces complete" ||
	bad "watch + run on the same process: $good of $n traces complete"
none_stopped "$work" "several instances"

# 7. A binary rewritten in place (same inode) while armed: the new program
#    must run with none of the old probes and be traced as what it is now.
#    a) between --repeat runs (cp, then cat >, which also truncates);
#    b) inside one run, exec'd right after the rewrite (the kernel sees the
#       change at exec before coldtrace can);
#    c) under watch.
cp "$progs/initgraph" victim
ino=$(stat -c %i victim)
GODEBUG=inittrace=1 "$ct" run -q --repeat 3 -f jsonl -o rep -- sh -c \
	"if [ -e '$work/step2' ]; then a=--version; else a=; fi; '$work/victim' \$a >/dev/null 2>>'$work/rep.godebug'; r=\$?; if [ -e '$work/step2' ]; then cat '$esbuild' > '$work/victim'; else touch '$work/step2'; cp '$esbuild' '$work/victim'; fi; exit \$r" \
	>rep.out 2>rep.err
rc=$?
okrep=1
for f in rep/run-001.jsonl rep/run-002.jsonl rep/run-003.jsonl; do
	pid=$(grep '"type":"exec"' "$f" | grep '"comm":"victim"' | head -1 | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	[ -n "$pid" ] && "$cmp" --order-only --self "$f" "$pid" >/dev/null || okrep=0
	grep '"type":"process"' "$f" | grep "\"pid\":$pid," | grep -q '"exit_code":0' || okrep=0
done
if [ $rc = 0 ] && [ $okrep = 1 ] && [ "$(stat -c %i victim)" = "$ino" ] &&
	grep -q '"pkg":"github.com/evanw/esbuild' rep/run-003.jsonl; then
	ok "rewritten between --repeat runs (cp, cat >): exit 0, each run's own packages"
else
	bad "rewritten between --repeat runs" "rc=$rc okrep=$okrep" "$(tail -5 rep.err)"
fi
cp "$progs/initgraph" victim2
GODEBUG=inittrace=1 "$ct" run -q -f jsonl -o inrun.jsonl -- sh -c \
	"'$work/victim2' >/dev/null 2>&1 || exit 1; cp '$esbuild' '$work/victim2'; exec '$work/victim2' --version" >inrun.out 2>inrun.err
rc=$?
pids=$(grep '"type":"go_runtime"' inrun.jsonl | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
okin=1
for pid in $pids; do "$cmp" --order-only --self inrun.jsonl "$pid" >/dev/null || okin=0; done
if [ $rc = 0 ] && [ $okin = 1 ] && [ "$(echo $pids | wc -w)" = 2 ] && grep -q '"pkg":"github.com/evanw/esbuild' inrun.jsonl; then
	ok "rewritten and exec'd at once inside a run: exit 0, its own packages"
else
	bad "rewritten and exec'd at once inside a run" "rc=$rc pids=$pids okin=$okin" "$(cat inrun.out inrun.err | tail -5)"
fi
cp "$progs/initgraph" victim3
"$ct" watch -q --binary "$work/victim3" -f jsonl -o wrw 2>wrw.err &
wpid=$!
sleep 1
GODEBUG=inittrace=1 "$work/victim3" >/dev/null 2>&1; r1=$?
cp "$esbuild" victim3
GODEBUG=inittrace=1 "$work/victim3" --version >/dev/null 2>&1; r2=$?
sleep 0.5
kill -INT $wpid
wait $wpid
okw=$(for f in wrw/*; do pid=$(grep '"type":"go_runtime"' "$f" | head -1 | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'); [ -n "$pid" ] && "$cmp" --order-only --self "$f" "$pid" >/dev/null && echo y; done | wc -l)
if [ $r1 = 0 ] && [ $r2 = 0 ] && [ "$okw" = 2 ] && grep -lq '"pkg":"github.com/evanw/esbuild' wrw/*; then
	ok "rewritten under watch: exit 0, each sandbox its own packages"
else
	bad "rewritten under watch" "exit $r1 $r2, complete sandboxes $okw" "$(tail -3 wrw.err)"
fi
none_stopped "$work" "rewritten binaries"

# 8. The end of a hold is the kernel's: no Go runtime start before it.
fresh ig-held
okh=1
for i in $(seq 1 10); do
	"$ct" run -q --no-cache -f jsonl -o held$i.jsonl -- "$work/ig-held" >/dev/null 2>&1
	ex=$(grep '"type":"exec"' held$i.jsonl | grep ig-held | head -1)
	ts=$(sed -n 's/.*"ts_ns":\([0-9]*\).*/\1/p' <<<"$ex")
	h=$(sed -n 's/.*"held_ns":\([0-9]*\).*/\1/p' <<<"$ex")
	rt=$(grep '"type":"go_runtime"' held$i.jsonl | sed -n 's/.*"ts_ns":\([0-9]*\).*/\1/p')
	[ -n "$rt" ] && [ -n "$ts" ] && [ "$rt" -ge $((ts + ${h:-0})) ] || { okh=0; echo "     run $i: exec $ts held ${h:-0} runtime $rt"; }
done
[ $okh = 1 ] && ok "hold ends before the Go runtime starts, in 10 of 10 runs" || bad "hold end after the Go runtime start"

# 9. Privileges: without uprobe_multi links, CAP_BPF + CAP_PERFMON cannot
#    attach uprobes: exit 77 naming the capability, nothing traced.
if id nobody >/dev/null 2>&1; then
	# nobody must reach the binaries, wherever the checkout is (a clone in a
	# mode-0700 mktemp folder is not searchable by nobody): a folder of their own
	privdir=$(mktemp -d /tmp/coldtrace-holds-priv.XXXXXX)
	cp "$progs/initgraph" "$privdir/ig-priv" && cp "$ct" "$privdir/coldtrace" &&
		chown -R nobody "$privdir" && chmod 755 "$privdir"
	ctsrc=$ct ct=$privdir/coldtrace
	cd "$privdir"
	COLDTRACE_NO_UPROBE_MULTI=1 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$ct" run -q --no-cache -- "$privdir/ig-priv" >priv.out 2>priv.err
	rc=$?
	[ $rc = 77 ] && grep -q "CAP_SYS_ADMIN" priv.err && ! grep -q OK priv.out &&
		ok "perf uprobes without CAP_SYS_ADMIN: exit 77, says why" ||
		bad "perf uprobes without CAP_SYS_ADMIN: exit 77" "rc=$rc $(cat priv.err)"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon \
		"$ct" run -q --no-cache -f jsonl -o priv.jsonl -- "$privdir/ig-priv" >/dev/null 2>priv2.err
	rc=$?
	[ $rc = 0 ] && grep -q '"type":"go_init"' priv.jsonl &&
		ok "uprobe_multi with CAP_BPF + CAP_PERFMON: traced" || bad "uprobe_multi with CAP_BPF + CAP_PERFMON" "rc=$rc $(cat priv2.err)"
	# a root process matched by name cannot be signalled by that watch:
	# it is never held
	cp /bin/sleep "$privdir/ct-rootsleep"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon \
		"$ct" watch -q --no-cache --comm ct-rootsleep --duration 5 >/dev/null 2>&1 &
	wpid=$!
	sleep 1
	start=$(date +%s%N)
	"$privdir/ct-rootsleep" 0.2
	el=$((($(date +%s%N) - start) / 1000000))
	kill -INT $wpid 2>/dev/null
	wait $wpid
	[ $el -lt 1500 ] && ok "a process coldtrace may not signal is never held (${el} ms)" ||
		bad "a process coldtrace may not signal was held" "$el ms"
	cd "$work"
	none_stopped "$privdir" "privileges"
	rm -rf "$privdir"
	ct=$ctsrc
fi

left=$(leftover_bpf "$bpf_before") && ok "nothing stays attached" || bad "nothing stays attached" "$left"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
