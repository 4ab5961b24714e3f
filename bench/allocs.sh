#!/bin/bash
# bench/allocs.sh [BUILD_DIR] [ROUNDS] [PER]
#
# What --allocs costs (issue 16), as ratios within one run (the machine is
# shared and noisy: compare only within a run). The work: initgraph (Go
# 1.19, tests/goprogs), whose package inits allocate a lot (about 9,800
# allocations, 490 KB: two packages build maps and slices of 8,000 and 1,000
# objects), the whole process's wall time fork -> exit (bench/spawn_time,
# run INSIDE the tracer: coldtrace's own start-up and exit are not in it).
#
# Modes, ROUNDS rounds, each once per round in a rotating order, a batch of
# PER runs each (+1 warm-up run not counted):
#  U  untraced;
#  C  `coldtrace run -- spawn_time ...` (the init probes);
#  A  `coldtrace run --allocs -- spawn_time ...` (and mallocgc's probe);
#  F  initgraph untraced while a `coldtrace run --allocs --binary
#     initgraph` elsewhere has the binary armed: mallocgc's probe is planted
#     per traced process (a pid-filtered link), so this process should not
#     trap at all (before, with one link for the binary, every allocation
#     of every process of it trapped and missed the BPF gate: 2.75x).
# Then the cost per counted allocation: (A - C) / the allocations counted in
# one run (the sum of its go_init records' allocs), and per mallocgc probe
# hit (--stats: every hit, also those before the first package init and
# after main.main until the probe is out).
#
# Prints markdown (table, ratios, the 1.5x target as met / not met). Exits
# non-zero only if something failed to run. Needs root (BPF); run it under
# `flock /tmp/coldtrace-integ.lock`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "bench/allocs.sh: no build dir ${1:-$here/../build}" >&2; exit 2; }
rounds=${2:-7}
per=${3:-7}
ct=$build/coldtrace
prog=$build/goprogs/initgraph
die() { echo "bench/allocs.sh: $*" >&2; exit 1; }
log() { echo "bench/allocs.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$ct" ] || die "$ct not found: build first"
[ -x "$prog" ] || die "$prog not found: build first"
case $rounds$per in *[!0-9]*) die "ROUNDS and PER must be numbers" ;; esac
[ "$rounds" -ge 1 ] && [ "$per" -ge 1 ] || die "ROUNDS and PER must be >= 1"

work=$(mktemp -d /tmp/ct-bench-allocs.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$work/spawn_time" "$here/spawn_time.c" || die "cannot build spawn_time"
st=$work/spawn_time

# one batch: the per-run times (us) go to $work/MODE.times
batch() { # mode
	local m=$1 out=$work/$1.batch
	case $m in
	U) "$st" -w 1 "$per" "$prog" 2>"$out" ;;
	C) "$ct" run -q --stats --force -o "$work/C.txt" -- "$st" -w 1 "$per" "$prog" 2>"$out" ;;
	A) "$ct" run -q --stats --allocs --force -o "$work/A.txt" -- "$st" -w 1 "$per" "$prog" 2>"$out" ;;
	F)
		"$ct" run -q --allocs --binary "$prog" --force -o "$work/F.txt" -- sleep 300 2>"$work/F.err" &
		local bg=$!
		sleep 3 # armed: the binary's probes are attached before `sleep` starts
		"$st" -w 1 "$per" "$prog" 2>"$out"
		local rc=$?
		kill -TERM "$bg" 2>/dev/null # (a background job of a script ignores SIGINT)
		wait "$bg"
		[ $rc = 0 ] ;;
	esac || { log "mode $m failed: $(tail -n 3 "$out")"; return 1; }
	grep -E '^run [0-9]+ [0-9]+ us' "$out" | awk '{print $3}' >>"$work/$m.times"
	grep -o 'mallocgc_hits=[0-9]*' "$out" | cut -d= -f2 >>"$work/$m.hits"
	return 0
}

modes=(U C A F)
fail=0
for ((r = 0; r < rounds; r++)); do
	for ((k = 0; k < 4; k++)); do
		batch "${modes[$(((r + k) % 4))]}" || fail=1
	done
done
[ $fail = 0 ] || die "a batch failed"

median() { sort -n "$1" | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print 0}'; }
mu=$(median "$work/U.times") mc=$(median "$work/C.times") ma=$(median "$work/A.times")
mf=$(median "$work/F.times")
n=$(wc -l <"$work/A.times")

# allocations counted in one traced run, and the probe's hits per run
"$ct" run -q --allocs -f jsonl -o "$work/one.jsonl" -- "$prog" >/dev/null 2>&1 || die "the counting run failed"
counted=$(grep '"type":"go_init"' "$work/one.jsonl" | grep -o '"allocs":[0-9]*' | cut -d: -f2 |
	awk '{s += $1} END {print s + 0}')
hits=$(awk -v runs=$((per + 1)) '{s += $1; n++} END {if (n) printf "%.0f", s / n / runs; else print 0}' "$work/A.hits")

awk -v u="$mu" -v c="$mc" -v a="$ma" -v f="$mf" -v n="$n" -v counted="$counted" -v hits="$hits" \
	-v rounds="$rounds" -v per="$per" 'BEGIN {
	printf "### bench/allocs.sh: %d rounds x %d runs per mode (initgraph, Go 1.19)\n\n", rounds, per
	printf "| mode | median fork -> exit (ms) | vs untraced |\n|---|---|---|\n"
	printf "| untraced | %.3f | 1.00x |\n", u / 1000
	printf "| coldtrace run | %.3f | %.2fx |\n", c / 1000, c / u
	printf "| coldtrace run --allocs | %.3f | %.2fx |\n", a / 1000, a / u
	printf "| untraced, while another coldtrace --allocs has the binary armed | %.3f | %.2fx |\n\n", f / 1000, f / u
	r = a / c
	printf "- --allocs vs without: **%.2fx** (target <= 1.5x: %s), +%.3f ms a run (%d runs per mode)\n",
		r, r <= 1.5 ? "met" : "NOT met", (a - c) / 1000, n
	printf "- allocations counted per run: %d (the go_init records); mallocgc probe hits per run: %d\n",
		counted, hits
	per_alloc = counted > 0 ? (a - c) / counted : 0
	per_hit = hits > 0 ? (a - c) / hits : 0
	printf "- cost per counted allocation: %.2f us; per mallocgc probe hit: %.2f us\n", per_alloc, per_hit
	printf "- an untraced process of the armed binary: %+.3f ms a run (%.3fx; the probe is planted in traced processes only)\n\n",
		(f - u) / 1000, f / u
	printf "| target | result | met? | where |\n|---|---|---|---|\n"
	printf "| --allocs: traced start-up with --allocs <= 1.5x without (initgraph, %d allocations in its inits) | %.2fx (%.3f -> %.3f ms); %.2f us per counted allocation | **%s** | bench/allocs.sh |\n",
		counted, r, c / 1000, a / 1000, per_alloc, r <= 1.5 ? "met" : "not met"
}'
