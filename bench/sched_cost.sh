#!/bin/bash
# bench/sched_cost.sh [BUILD_DIR] [ROUNDS]
#
# The cost of the kernel-level breakdown (issue 12): the scheduler hooks
# (tp_btf sched_switch, sched_wakeup, sched_wakeup_new: they run for every
# context switch and wakeup on the machine) and the file hooks. As ratios
# against a baseline measured in the same rounds (the machine is shared and
# noisy: compare only within a run); ROUNDS rounds (default 7), the order of
# the settings rotated every round, medians.
#
# 1. Outside the traced tree: bench/pingpong (two processes bouncing 1 byte
#    over a pair of pipes for PP_SECONDS (default 1.5) s; round trips/s; each
#    round trip is 2 context switches and 1-2 wakeups), NOT traced, while
#      (a) no coldtrace;
#      (b) `coldtrace run -- sleep 600`: every hook attached, breakdown on
#          (the default);
#      (c) `coldtrace run --no-sched -- sleep 600` (if the switch exists);
#      (d) `coldtrace run --no-breakdown -- sleep 600` (if it exists);
#    target: (b) >= 97% of (a), as the median over rounds of (b)/(a) in the
#    same round (the machine drifts; the medians of each are printed too).
# 2. The hooks' own cost per call, from the kernel's BPF statistics
#    (kernel.bpf_stats_enabled=1 only during these settings, the old value
#    restored after, also on error or Ctrl-C): run_time_ns / run_cnt of
#    coldtrace's own ct_sched_switch, ct_sched_wakeup, ct_sched_wakeup_new
#    and ct_sys_exit (programs found by id in coldtrace's /proc/PID/fdinfo):
#      (s) as (b), the ping-pong outside the tree: the cost paid by every
#          process that is not traced;
#      (t) the ping-pong itself traced (`coldtrace run -f jsonl -- sh -c
#          'pingpong ...'`): each switch and wakeup of the tree is a record.
#      (f) the floor: empty programs on the same two tracepoints
#          (bench/hookfloor.bpf.c, loaded by bench/hookfloor.c), no
#          coldtrace: what any program there costs before it does anything;
#      (g) the least a hook must do for a task outside the tree: programs
#          there that read the task's tgid and look it up in a hash map
#          shaped as coldtrace's `traced` (hookfloor.bpf.c -DFL_LOOKUP).
#    The statistics add two clock reads per program run: (s) and (t) are
#    slower than (b) for that, and are not used for the ratios of 1.
# 3. Traced cold start with vs without the breakdown: the demo sandbox
#    (ct-driver --runtime go --invokes 1), wall time fork -> exit measured by
#    bench/spawn_time inside the tracer, PER (default 3) runs per batch plus
#    one warm-up not counted (a binary's first exec is held while its probes
#    are attached), per round: (U) untraced, (B) `coldtrace run`, (N)
#    `coldtrace run --no-breakdown` (if it exists); target: B <= 1.10x N.
# 4. Losses: lost_total of every traced run's summary (jsonl), per type.
#
# Prints a markdown section with a targets table whose rows end in
# "| bench/sched_cost.sh |"; exits 1 if a measurement could not be made
# (a target not met is reported, not an error). About 4 minutes with the
# defaults on a 2-CPU VM. Needs root (BPF), cc, clang, libbpf, jq, bpftool. Run it under
# the shared lock:
#   flock /tmp/coldtrace-integ.lock bash bench/sched_cost.sh build
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "sched_cost.sh: no build dir ${1:-$here/../build}" >&2; exit 2; }
rounds=${2:-7}
ct=$build/coldtrace
driver=$build/sandbox/ct-driver
pp_secs=${PP_SECONDS:-1.5}
per=${PER:-3}
port_api=19761 port_inv=18761 # the sandbox's own ports

die() { echo "sched_cost.sh: $*" >&2; exit 1; }
log() { echo "sched_cost.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$ct" ] || die "$ct not found: build first"
for f in "$driver" "$build/sandbox/ct-agent" "$build/sandbox/ct-runtime-go"; do [ -x "$f" ] || die "$f not found: build first"; done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$rounds'"
[[ "$per" =~ ^[1-9][0-9]*$ ]] || die "PER must be a positive integer, not '$per'"
awk -v s="$pp_secs" 'BEGIN {exit !(s > 0)}' || die "PP_SECONDS must be a positive number, not '$pp_secs'"
for c in cc clang jq bpftool sysctl; do command -v $c >/dev/null || die "$c not found"; done
[ -e /proc/sys/kernel/bpf_stats_enabled ] || die "no kernel.bpf_stats_enabled on this kernel"

work=$(mktemp -d /tmp/ct-bench-sched.XXXXXX)
export XDG_CACHE_HOME=$work/cache # coldtrace's binary cache: this run's own
stats_old=$(sysctl -n kernel.bpf_stats_enabled)
run_pid=

# stop_pid PID SIGNAL SECONDS: signal it, wait up to SECONDS, then SIGKILL
stop_pid() {
	local p=$1 i
	kill -"$2" "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	for i in $(seq 1 $(($3 * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		log "pid $p still running $3 s after SIG$2: SIGKILL"
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
}
stats() { # 1|0: the kernel's BPF run-time statistics on or off
	sysctl -qw kernel.bpf_stats_enabled="$1" || die "cannot set kernel.bpf_stats_enabled"
}
cleanup() {
	# only what this script started, by pid; the statistics as they were
	[ -n "$run_pid" ] && stop_pid "$run_pid" INT 10
	sysctl -qw kernel.bpf_stats_enabled="$stats_old"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $port_api $port_inv; do listening $p && die "port $p is in use"; done

cc -O2 -o "$work/pingpong" "$here/pingpong.c" || die "cannot build pingpong"
cc -O2 -o "$work/spawn_time" "$here/spawn_time.c" || die "cannot build spawn_time"
pp=$work/pingpong st=$work/spawn_time
case $(uname -m) in x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
[ -e "$here/../vmlinux/$arch/vmlinux.h" ] || die "no vmlinux/$arch/vmlinux.h in the source tree"
for v in f g; do
	def=; [ $v = g ] && def=-DFL_LOOKUP
	clang -O2 -g -target bpf $def -I"$here/../vmlinux/$arch" -I"/usr/include/$(cc -print-multiarch)" \
		-c "$here/hookfloor.bpf.c" -o "$work/hookfloor-$v.bpf.o" || die "cannot build hookfloor.bpf.c ($v)"
done
cc -O2 -o "$work/hookfloor" "$here/hookfloor.c" -lbpf || die "cannot build hookfloor (libbpf-dev)"
"$pp" 0.5 >/dev/null || die "pingpong failed"

has_opt() { "$ct" run --help 2>&1 | grep -q -- "$1\b"; }
has_nosched=0 has_nobd=0
has_opt --no-sched && has_nosched=1
has_opt --no-breakdown && has_nobd=1
settings=(a b)
[ $has_nosched = 1 ] && settings+=(c)
[ $has_nobd = 1 ] && settings+=(d)
settings+=(s t f g)
ns=${#settings[@]}

# --- coldtrace's own programs and their statistics ------------------------------
prog_ids() { # PID: the ids of the BPF programs PID holds (programs and links)
	cat /proc/"$1"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u | paste -sd, -
}
# prog_stats PID: "name run_cnt run_time_ns" for each of PID's ct_sched_*,
# ct_sys_exit and fl_* (hookfloor) programs
prog_stats() {
	local ids
	ids=$(prog_ids "$1")
	[ -n "$ids" ] || return 0
	bpftool prog show -j 2>/dev/null | jq -r --argjson ids "[$ids]" \
		'.[] | select(.id as $i | $ids | index($i)) | select(.name | test("^(ct_sched_|ct_sys_exit|fl_)"))
		 | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort
}
# stats_delta BEFORE AFTER OUT: "name calls ns" per program
stats_delta() {
	awk 'NR == FNR {c[$1] = $2; t[$1] = $3; next} {print $1, $2 - c[$1], $3 - t[$1]}' "$1" "$2" >"$3"
}
has_prog() { prog_stats "$1" | grep -q "^$2 "; } # PID name

# run_start [OPTION...]: coldtrace run -- sleep 600 in the background, ready
run_start() {
	(trap - INT; exec "$ct" run -q "$@" -- sleep 600) >/dev/null 2>"$work/run.err" &
	run_pid=$!
	# the command is exec'd once every hook is attached
	for _ in $(seq 1 200); do pgrep -P "$run_pid" >/dev/null && break; kill -0 $run_pid 2>/dev/null || break; sleep 0.05; done
	pgrep -P "$run_pid" >/dev/null || die "coldtrace run $* did not start: $(grep -v '^libbpf' "$work/run.err" | tail -3)"
	sleep 0.3
}
run_stop() { stop_pid "$run_pid" INT 10; run_pid=; }

# pp_parse FILE TAG: bench/pingpong's line and the shell's `times` after it
# (its children: the ping-pong's two processes) -> round trips/s to pp-TAG,
# round trips to rt-TAG, CPU (user+sys of both) per round trip in ns to cpu-TAG
pp_parse() {
	awk -v w="$work" -v tag="$2" '
	function sec(x) { split(x, a, "m"); return a[1] * 60 + substr(a[2], 1, length(a[2]) - 1) }
	/^roundtrips/ { rt = $2; s = $4 }
	/^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s$/ { cpu = sec($1) + sec($2) } # the last: children
	END {
		if (!rt) exit 1
		printf "%.1f\n", rt / s >(w "/pp-" tag); print rt >(w "/rt-" tag); printf "%.1f\n", 1e9 * cpu / rt >(w "/cpu-" tag)
	}' "$1"
}
pingpong() { # TAG: one ping-pong
	("$pp" "$pp_secs" && times) >"$work/pp.out" || die "pingpong failed ($1)"
	pp_parse "$work/pp.out" "$1" || die "pingpong: no result ($1)"
}

# traced: the ping-pong inside the tree. The traced shell waits for a
# go-file, so the statistics are read just before and just after it.
traced() { # TAG
	local tag=$1 j=$work/t-$1.jsonl
	rm -f "$work/go" "$work/done"
	(trap - INT; exec "$ct" run -q --stats -f jsonl -o "$j" --force -- sh -c \
		'while [ ! -e "$1/go" ]; do sleep 0.02; done; ("$1/pingpong" "$2" && times) >"$1/t.out"; touch "$1/done"; exec sleep 30' \
		sh "$work" "$pp_secs") >/dev/null 2>"$work/t-$tag.err" &
	run_pid=$!
	for _ in $(seq 1 200); do has_prog $run_pid ct_sched_switch && pgrep -P "$run_pid" >/dev/null && break; kill -0 $run_pid 2>/dev/null || break; sleep 0.05; done
	has_prog $run_pid ct_sched_switch || die "(t) coldtrace run has no ct_sched_switch: $(grep -v '^libbpf' "$work/t-$tag.err" | tail -3)"
	sleep 0.2
	prog_stats $run_pid >"$work/s0-$tag"
	touch "$work/go"
	for _ in $(seq 1 $((${pp_secs%.*} * 20 + 600))); do [ -e "$work/done" ] && break; kill -0 $run_pid 2>/dev/null || break; sleep 0.05; done
	[ -e "$work/done" ] || die "(t) the traced ping-pong did not finish: $(tail -3 "$work/t-$tag.err")"
	prog_stats $run_pid >"$work/s1-$tag"
	run_stop
	stats_delta "$work/s0-$tag" "$work/s1-$tag" "$work/sd-$tag"
	pp_parse "$work/t.out" "$tag" || die "(t) the traced ping-pong gave no result"
}

measure() { # SETTING ROUND
	local s=$1 tag=$1-$2
	case $s in
	a) pingpong "$tag" ;;
	b) run_start
	   has_prog $run_pid ct_sched_switch || die "(b) coldtrace run has no ct_sched_switch attached"
	   pingpong "$tag"; run_stop ;;
	c) run_start --no-sched
	   has_prog $run_pid ct_sched_switch && die "(c) coldtrace run --no-sched still has ct_sched_switch loaded"
	   pingpong "$tag"; run_stop ;;
	d) run_start --no-breakdown
	   has_prog $run_pid ct_sched_switch && die "(d) coldtrace run --no-breakdown still has ct_sched_switch loaded"
	   pingpong "$tag"; run_stop ;;
	s) run_start
	   stats 1
	   prog_stats $run_pid >"$work/s0-$tag"
	   pingpong "$tag"
	   prog_stats $run_pid >"$work/s1-$tag"
	   stats 0
	   run_stop
	   stats_delta "$work/s0-$tag" "$work/s1-$tag" "$work/sd-$tag" ;;
	t) stats 1; traced "$tag"; stats 0 ;;
	f | g)
	   ("$work/hookfloor" "$work/hookfloor-$s.bpf.o" 2>"$work/fl.err") >"$work/fl.out" &
	   run_pid=$!
	   for _ in $(seq 1 100); do grep -q ready "$work/fl.out" && break; kill -0 $run_pid 2>/dev/null || break; sleep 0.05; done
	   grep -q ready "$work/fl.out" || die "($s) hookfloor did not attach: $(cat "$work/fl.err")"
	   stats 1
	   prog_stats $run_pid >"$work/s0-$tag"
	   pingpong "$tag"
	   prog_stats $run_pid >"$work/s1-$tag"
	   stats 0
	   run_stop
	   stats_delta "$work/s0-$tag" "$work/s1-$tag" "$work/sd-$tag" ;;
	esac
}

t0=$(date +%s)
log "1-2. ping-pong outside/inside the tree: $rounds rounds of ${settings[*]}, ${pp_secs} s each"
for r in $(seq 0 $((rounds - 1))); do
	for i in $(seq 0 $((ns - 1))); do
		measure "${settings[$(((i + r) % ns))]}" "$r"
	done
	log "round $((r + 1))/$rounds: $(for s in "${settings[@]}"; do printf '%s %s ' "$s" "$(cat "$work/pp-$s-$r")"; done)rt/s"
done
t1=$(date +%s)

# --- 3. traced cold start with and without the breakdown ------------------------
sandbox=("$driver" --runtime go --invokes 1 --runtime-api-address 127.0.0.1:$port_api --invoke-address 127.0.0.1:$port_inv)
cmodes=(U B)
[ $has_nobd = 1 ] && cmodes+=(N)
ncm=${#cmodes[@]}
one_batch() { # MODE ROUND
	local m=$1 r=$2
	case $m in
	U) "$st" -w 1 "$per" "${sandbox[@]}" 2>"$work/cs-U-$r.txt" ;;
	B) "$ct" run -q --stats -f jsonl -o "$work/cs-B-$r.jsonl" --force -- "$st" -w 1 "$per" "${sandbox[@]}" 2>"$work/cs-B-$r.txt" ;;
	N) "$ct" run -q --stats --no-breakdown -f jsonl -o "$work/cs-N-$r.jsonl" --force -- "$st" -w 1 "$per" "${sandbox[@]}" 2>"$work/cs-N-$r.txt" ;;
	esac || log "cold start: mode $m round $r failed: $(tail -2 "$work/cs-$m-$r.txt")"
}
log "3. cold start of the demo sandbox: $rounds rounds of ${cmodes[*]}, $per runs (+1 warm-up) each"
for r in $(seq 0 $((rounds - 1))); do
	for i in $(seq 0 $((ncm - 1))); do
		one_batch "${cmodes[$(((i + r) % ncm))]}" "$r"
	done
done
t2=$(date +%s)

# --- the numbers -----------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
vals() { local r; for r in $(seq 0 $((rounds - 1))); do cat "$work/${2:-pp}-$1-$r"; done; } # SETTING [pp|cpu]
med() { vals "$1" "${2:-pp}" | median; }
# the median over rounds of X/Y in the same round (SETTING SETTING [pp|cpu])
paired() { local r; for r in $(seq 0 $((rounds - 1))); do awk -v x="$(cat "$work/${3:-pp}-$1-$r")" -v y="$(cat "$work/${3:-pp}-$2-$r")" 'BEGIN {print x / y}'; done | median; }
pct() { awk -v x="$1" -v a="$2" 'BEGIN {printf "%.1f%%", 100 * x / a}'; }
has() { local s; for s in "${settings[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
# per-program sums over rounds of setting S: "calls ns"
sums() { cat "$work"/sd-"$1"-* | awk -v p="$2" '$1 == p {c += $2; t += $3} END {printf "%d %d\n", c, t}'; }
rts() { cat "$work"/rt-"$1"-* | awk '{s += $1} END {print s}'; }
ns_call() { awk -v ct="$1" 'BEGIN {split(ct, a, " "); if (a[1] > 0) printf "%.0f", a[2] / a[1]; else print "n/a"}'; }
per_rt() { awk -v ct="$1" -v rt="$2" 'BEGIN {split(ct, a, " "); printf "%.2f", rt ? a[1] / rt : 0}'; }
# per-round ns per call of setting S, program P: the median over rounds
ns_rounds() { local r; for r in $(seq 0 $((rounds - 1))); do awk -v p="$2" '$1 == p && $2 > 0 {printf "%.1f\n", $3 / $2}' "$work/sd-$1-$r"; done; }
verdict_ge() { awk -v x="$1" -v t="$2" 'BEGIN {print (x >= t) ? "**met**" : "**NOT met**"}'; }
verdict_le() { awk -v x="$1" -v t="$2" 'BEGIN {print (x <= t) ? "**met**" : "**NOT met**"}'; }

for s in "${settings[@]}"; do eval "m_$s=\$(med $s) c_$s=\$(med $s cpu)"; done
pb=$(paired b a) cb_a=$(paired a b cpu) # CPU: a / b, so that < 100% is slower as for speed

echo "## Cost of the kernel-level breakdown (bench/sched_cost.sh, $rounds rounds)"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), coldtrace commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown); shared machine: only ratios within this run mean anything."
echo
echo "### Outside the traced tree"
echo
echo "bench/pingpong (1 byte bounced between two processes over two pipes, ${pp_secs} s; each round trip is"
echo "4 syscalls, ~2 context switches and ~1 wakeup), NOT traced, while: (a) no coldtrace; (b) \`coldtrace run -- sleep 600\`"
echo "(every hook attached: scheduler, syscall exit, page cache); (c) the same with \`--no-sched\`; (d) with \`--no-breakdown\`;"
echo "(s) as (b) with kernel.bpf_stats_enabled=1 (for the cost per call below); (t) the ping-pong itself traced"
echo "(\`coldtrace run -f jsonl\`, statistics on); (f) empty programs on the same two tracepoints (bench/hookfloor), statistics on;"
echo "(g) programs there doing one hash lookup of the task's tgid and out (hookfloor -DFL_LOOKUP), statistics on."
echo "Order rotated every round; medians of the rounds. Speed is round trips/s (wall clock: what other users of the"
echo "machine do slows it too); CPU per round trip is user+sys of the two processes (the shell's \`times\`) / round"
echo "trips: less sensitive to the machine's other load, and where a hook's time lands in the process it runs in."
echo
echo "| setting | round trips/s (median) | vs (a) | per-round paired vs (a) | CPU per round trip (median) | per-round paired (a) / X | round trips/s per round |"
echo "|---|---|---|---|---|---|---|"
for s in "${settings[@]}"; do
	case $s in
	a) name="(a) no coldtrace" ;;
	b) name="(b) coldtrace run, breakdown on (default)" ;;
	c) name="(c) coldtrace run --no-sched" ;;
	d) name="(d) coldtrace run --no-breakdown" ;;
	s) name="(s) as (b), BPF statistics on" ;;
	t) name="(t) the ping-pong traced, statistics on" ;;
	f) name="(f) empty programs on the same tracepoints, no coldtrace, statistics on" ;;
	g) name="(g) one hash lookup per call on the same tracepoints, no coldtrace, statistics on" ;;
	esac
	eval "m=\$m_$s"
	eval "c=\$c_$s"
	echo "| $name | $(printf %.0f "$m") | $(pct "$m" "$m_a") | $(awk -v x="$(paired "$s" a)" 'BEGIN {printf "%.1f%%", 100 * x}') | $(printf %.0f "$c") ns | $(awk -v x="$(paired a "$s" cpu)" 'BEGIN {printf "%.1f%%", 100 * x}') | $(vals "$s" | awk '{printf "%.0f ", $1}')|"
done
[ $has_nosched = 1 ] || echo "| (c) --no-sched | not measured: this coldtrace has no --no-sched | | | | | |"
[ $has_nobd = 1 ] || echo "| (d) --no-breakdown | not measured: this coldtrace has no --no-breakdown | | | | | |"
echo
us_rt() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%+.0f", 1e9 * (1 / x - 1 / y)}'; }
echo "Time added per round trip: (b) vs (a) $(us_rt "$m_b" "$m_a") ns$(has c && echo ", (b) vs (c) (the scheduler hooks alone) $(us_rt "$m_b" "$m_c") ns, (c) vs (a) $(us_rt "$m_c" "$m_a") ns")$(has d && echo ", (d) vs (a) $(us_rt "$m_d" "$m_a") ns")"
echo "(at $(awk -v a="$m_a" 'BEGIN {printf "%.0f", 1e9 / a}') ns per round trip in (a)). CPU added per round trip: (b) vs (a) $(awk -v x="$c_b" -v y="$c_a" 'BEGIN {printf "%+.0f", x - y}') ns$(has c && awk -v x="$c_b" -v y="$c_c" 'BEGIN {printf ", (b) vs (c) %+.0f ns", x - y}')."
echo
echo "### The hooks' own cost per call (kernel.bpf_stats_enabled=1)"
echo
echo "run_time_ns / run_cnt of coldtrace's own programs over the ping-pong's ${pp_secs} s (every call on the machine in"
echo "that time, the ping-pong's and everyone else's), summed over the rounds; calls per round trip of the ping-pong."
echo
echo "| program | outside the tree (s): ns per call | calls / round trip | per-round median ns | inside the tree (t): ns per call | calls / round trip | floor (f): empty program, ns per call | (g): one hash lookup, ns per call |"
echo "|---|---|---|---|---|---|---|---|"
rt_s=$(rts s) rt_t=$(rts t)
for p in ct_sched_switch ct_sched_wakeup ct_sched_wakeup_new ct_sys_exit; do
	cs=$(sums s $p) ctt=$(sums t $p) cf=$(sums f "fl_${p#ct_}") cg=$(sums g "fl_${p#ct_}")
	echo "| $p | $(ns_call "$cs") ($(echo "$cs" | cut -d' ' -f1) calls) | $(per_rt "$cs" "$rt_s") | $(ns_rounds s $p | median) | $(ns_call "$ctt") | $(per_rt "$ctt" "$rt_t") | $(ns_call "$cf") | $(ns_call "$cg") |"
done
sw_s=$(sums s ct_sched_switch) wk_s=$(sums s ct_sched_wakeup) wn_s=$(sums s ct_sched_wakeup_new)
per_switch=$(awk -v a="$sw_s" -v b="$wk_s" -v c="$wn_s" 'BEGIN {split(a, x, " "); split(b, y, " "); split(c, z, " ");
	if (x[1] > 0) printf "%.0f", (x[2] + y[2] + z[2]) / x[1]; else print "n/a"}')
echo
fsw=$(ns_call "$(sums f fl_sched_switch)") fwk=$(ns_call "$(sums f fl_sched_wakeup)")
echo "All three scheduler hooks together, outside the tree, per context switch (their run time / switches): **$per_switch ns**."
echo "Over the floor (an empty program on the same tracepoint, same statistics): sched_switch $(awk -v a="$(ns_call "$sw_s")" -v f="$fsw" 'BEGIN {printf "%+.0f", a - f}') ns,"
echo "sched_wakeup $(awk -v a="$(ns_call "$wk_s")" -v f="$fwk" 'BEGIN {printf "%+.0f", a - f}') ns per call: what coldtrace's code adds to a program that does nothing."
gsw=$(ns_call "$(sums g fl_sched_switch)") gwk=$(ns_call "$(sums g fl_sched_wakeup)")
echo "Over one hash lookup and out (g): sched_switch $(awk -v a="$(ns_call "$sw_s")" -v f="$gsw" 'BEGIN {printf "%+.0f", a - f}') ns, sched_wakeup $(awk -v a="$(ns_call "$wk_s")" -v f="$gwk" 'BEGIN {printf "%+.0f", a - f}') ns"
echo "per call: what coldtrace's hooks cost a process outside the tree beyond the least the design asks of them."
# The ratio the per-call costs predict, steadier than the measured speeds:
# time added per round trip = sum over the hooks of calls per round trip x
# ns per call, between "minus the floor" (the floor includes the statistics'
# clock reads, which (b) does not pay, but also the tracepoint's own entry,
# which it does) and the whole; against the fastest (a) round (the quietest
# machine: the largest share) and the median one.
est() { # PROGRAMS... -> "lo hi" ns added per round trip
	local p c lo=0 hi=0 f
	for p in "$@"; do
		c=$(sums s "$p")
		case $p in ct_sched_switch) f=$fsw ;; ct_sched_wakeup | ct_sched_wakeup_new) f=$fwk ;; *) f=$fsw ;; esac
		read -r lo hi <<<"$(awk -v c="$c" -v rt="$rt_s" -v f="$f" -v lo="$lo" -v hi="$hi" 'BEGIN {split(c, a, " ");
			if (a[1] > 0 && rt > 0) { n = a[2] / a[1]; d = n - f; if (d < 0) d = 0; lo += a[1] / rt * d; hi += a[1] / rt * n }
			printf "%.1f %.1f\n", lo, hi}')"
	done
	echo "$lo $hi"
}
fast_a=$(vals a | sort -g | tail -n 1)
est_ratio() { # "lo hi" rt/s -> "hi% to lo%"
	awk -v e="$1" -v r="$2" 'BEGIN {split(e, a, " "); t = 1e9 / r; printf "%.1f%% to %.1f%%", 100 * t / (t + a[2]), 100 * t / (t + a[1])}'
}
e_sched=$(est ct_sched_switch ct_sched_wakeup ct_sched_wakeup_new)
e_all=$(est ct_sched_switch ct_sched_wakeup ct_sched_wakeup_new ct_sys_exit)
echo
echo "Predicted from the costs per call (calls per round trip x ns per call, with and without the floor; the calls"
echo "counted are every call on the machine in that time, the ping-pong's and others': an upper bound for its own):"
echo "the scheduler hooks add $(echo "$e_sched" | awk '{printf "%.0f-%.0f", $1, $2}') ns per round trip, every hook of (b) (the syscall hook too)"
echo "$(echo "$e_all" | awk '{printf "%.0f-%.0f", $1, $2}') ns: the ping-pong at $(est_ratio "$e_sched" "$fast_a") of its speed for the scheduler hooks alone, $(est_ratio "$e_all" "$fast_a") for (b)"
echo "at the fastest (a) round ($(printf %.0f "$fast_a") round trips/s); $(est_ratio "$e_sched" "$m_a") and $(est_ratio "$e_all" "$m_a") at the median (a)."
echo "The statistics themselves add two clock reads per run (hence (s) slower than (b))."
lost_t=$(cat "$work"/t-*.jsonl 2>/dev/null | grep '"type":"summary"' | sed -n 's/.*"lost_total":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
echo "The traced ping-pong (t): lost_total $lost_t over $rounds runs (its rate: ~$(awk -v r="$m_t" -v c="$(per_rt "$(sums t ct_sched_switch)" "$rt_t")" -v w="$(per_rt "$(sums t ct_sched_wakeup)" "$rt_t")" 'BEGIN {printf "%.0f", r * (c + w)}') scheduler records/s, far above a cold start's)."
echo
echo "### Traced cold start with vs without the breakdown"
echo
runs_of() { sed -n 's/^run [0-9]* \([0-9]*\) us$/\1/p' "$@"; }
cmed() { runs_of "$work"/cs-"$1"-*.txt | median; }
cn() { runs_of "$work"/cs-"$1"-*.txt | wc -l; }
cpaired() { local r; for r in $(seq 0 $((rounds - 1))); do awk -v x="$(runs_of "$work/cs-$1-$r.txt" | median)" -v y="$(runs_of "$work/cs-$2-$r.txt" | median)" 'BEGIN {if (y > 0) print x / y}'; done | median; }
cu=$(cmed U) cb=$(cmed B)
echo "The demo sandbox (\`ct-driver --runtime go --invokes 1\`: 3 Go programs, one invoke), wall time fork -> exit"
echo "(bench/spawn_time run inside the tracer, $per runs per batch + 1 warm-up not counted), $rounds rounds, order rotated."
echo
echo "| mode | median | vs untraced | runs |"
echo "|---|---|---|---|"
echo "| (U) untraced | $(awk -v x="$cu" 'BEGIN {printf "%.2f ms", x / 1e3}') | 1.00x | $(cn U) |"
echo "| (B) coldtrace run (breakdown on) | $(awk -v x="$cb" -v u="$cu" 'BEGIN {printf "%.2f ms | %.2fx", x / 1e3, x / u}') | $(cn B) |"
if [ $has_nobd = 1 ]; then
	cnb=$(cmed N)
	echo "| (N) coldtrace run --no-breakdown | $(awk -v x="$cnb" -v u="$cu" 'BEGIN {printf "%.2f ms | %.2fx", x / 1e3, x / u}') | $(cn N) |"
	bn=$(awk -v b="$cb" -v n="$cnb" 'BEGIN {printf "%.3f", b / n}')
	bnp=$(cpaired B N)
	echo
	echo "Breakdown on / off: **$(printf %.2f "$bn")x** (per-round paired median $(printf %.2f "$bnp")x), $(awk -v b="$cb" -v n="$cnb" 'BEGIN {printf "%+.2f ms", (b - n) / 1e3}') per cold start."
else
	echo "| (N) --no-breakdown | not measured: this coldtrace has no --no-breakdown | | |"
fi
echo
echo "### Losses"
echo
lost_b=$(cat "$work"/cs-B-*.jsonl 2>/dev/null | grep '"type":"summary"' | sed -n 's/.*"lost_total":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
nsum_b=$(cat "$work"/cs-B-*.jsonl 2>/dev/null | grep -c '"type":"summary"')
lost_line() { # MODE
	cat "$work"/cs-"$1"-*.jsonl 2>/dev/null | grep '"type":"summary"' |
		awk '{n++; if (match($0, /"lost_total":[0-9]+/)) s += substr($0, RSTART + 13, RLENGTH - 13)} END {printf "%d runs of coldtrace, lost_total %d", n, s}'
}
echo "- (B) breakdown on: $(lost_line B) (each run: $((per + 1)) cold starts of the demo)."
[ $has_nobd = 1 ] && echo "- (N) --no-breakdown: $(lost_line N)."
echo "- Lost per type, (B), summed: $(cat "$work"/cs-B-*.jsonl 2>/dev/null | grep '"type":"summary"' | sed -n 's/.*"lost":{\([^}]*\)}.*/\1/p' |
	tr ',' '\n' | awk -F: '{gsub(/"/, "", $1); s[$1] += $2} END {for (k in s) printf "%s %d; ", k, s[k]}')"
echo "- Records per traced run ($((per + 1)) cold starts), (B), by type: $(cat "$work"/cs-B-*.jsonl 2>/dev/null | sed -n 's/^{"type":"\([a-z_]*\)".*/\1/p' | sort | uniq -c |
	awk -v n="$nsum_b" '$2 != "header" && $2 != "summary" {printf "%s %.0f; ", $2, n ? $1 / n : 0}')"
echo "- Events the summary could not decode (bad_events), (B), per run: $(cat "$work"/cs-B-*.jsonl 2>/dev/null | grep '"type":"summary"' |
	sed -n 's/.*"bad_events":\([0-9]*\).*/\1/p' | median)"
echo
echo "### Targets"
echo
echo "| target | result | met? | where |"
echo "|---|---|---|---|"
echo "| breakdown: an untraced context-switch-heavy workload (pipe ping-pong) >= 97% of no coldtrace | per-round paired median $(awk -v x="$pb" 'BEGIN {printf "%.2f%%", 100 * x}') (medians $(pct "$m_b" "$m_a"); by CPU per round trip $(awk -v x="$cb_a" 'BEGIN {printf "%.1f%%", 100 * x}'); predicted from the cost per call $(est_ratio "$e_all" "$fast_a"), scheduler hooks alone $(est_ratio "$e_sched" "$fast_a")); scheduler hooks $per_switch ns per switch | $(verdict_ge "$pb" 0.97) | bench/sched_cost.sh |"
if has c; then
	echo "| (not the target) the scheduler hooks alone: (b) >= 97% of (c) --no-sched | per-round paired median $(awk -v x="$(paired b c)" 'BEGIN {printf "%.2f%%", 100 * x}') (medians $(pct "$m_b" "$m_c"); by CPU $(awk -v x="$(paired c b cpu)" 'BEGIN {printf "%.1f%%", 100 * x}')) | $(verdict_ge "$(paired b c)" 0.97) | bench/sched_cost.sh |"
	echo "| (not the target) the same with --no-sched, >= 97% of no coldtrace | per-round paired median $(awk -v x="$(paired c a)" 'BEGIN {printf "%.2f%%", 100 * x}') (medians $(pct "$m_c" "$m_a"); by CPU $(awk -v x="$(paired a c cpu)" 'BEGIN {printf "%.1f%%", 100 * x}')) | $(verdict_ge "$(paired c a)" 0.97) | bench/sched_cost.sh |"
fi
if [ $has_nobd = 1 ]; then
	echo "| breakdown: traced cold start (demo sandbox) with the breakdown <= 1.10x without | $(printf %.3f "$bn")x (medians $(awk -v b="$cb" -v n="$cnb" 'BEGIN {printf "%.2f -> %.2f ms", n / 1e3, b / 1e3}'); per-round paired median $(printf %.2f "$bnp")x) | $(verdict_le "$bn" 1.10) | bench/sched_cost.sh |"
else
	echo "| breakdown: traced cold start (demo sandbox) with the breakdown <= 1.10x without | not measured (no --no-breakdown in this coldtrace); with the breakdown vs untraced: $(awk -v b="$cb" -v u="$cu" 'BEGIN {printf "%.2fx", b / u}') | **not measured** | bench/sched_cost.sh |"
fi
echo "| breakdown: no events lost at the demo's rates | lost_total $lost_b in $nsum_b traced runs | $( [ "$nsum_b" -gt 0 ] && [ "$lost_b" = 0 ] && echo "**met**" || echo "**NOT met**") | bench/sched_cost.sh |"
echo
echo "(ping-pong settings $((t1 - t0)) s, cold starts $((t2 - t1)) s.)"
bad=0
[ "$nsum_b" -gt 0 ] || { log "no traced cold start finished"; bad=1; }
[ "$(sums s ct_sched_switch | cut -d' ' -f1)" -gt 0 ] || { log "no ct_sched_switch call counted in (s)"; bad=1; }
exit $bad
