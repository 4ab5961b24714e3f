#!/bin/bash
# bench/extensions.sh [BUILD_DIR] [PAIRS] [EXTENSIONS]
#
# What tracing costs a cold start with Lambda extensions, as ratios within
# one run (the machine is shared and noisy: compare only within a run):
# PAIRS interleaved pairs of the demo sandbox (`ct-driver --extensions
# EXTENSIONS`, default 2), untraced and under `coldtrace run`, after one
# traced warm-up run (its binaries armed and cached, as from the second run
# on). Per side, the median of
#  - INIT: the agent's own `INIT REPORT(durationMs: ...)`, which with
#    extensions covers INIT_START -> runtime and every extension ready;
#  - the driver's wall time (agent start -> invoke answered -> all stopped).
# Also: time coldtrace held the sandbox's binaries after exec, per run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
pairs=${2:-11}
exts=${3:-2}
ct=$build/coldtrace
drv=$build/sandbox/ct-driver
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$ct" ] && [ -x "$drv" ] || { echo "bench: build first (bash .ci/build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF)" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }
init_ms() { sed -n 's/.*INIT REPORT(durationMs: \([0-9.]*\)).*/\1/p' "$1" | head -n 1; }

args=(--runtime go --invokes 1 --extensions "$exts" --runtime-api-address 127.0.0.1:19441
	--invoke-address 127.0.0.1:18441)
"$ct" run -q -f jsonl -o "$work/warm.jsonl" --force -- "$drv" "${args[@]}" >/dev/null 2>&1
for i in $(seq 1 "$pairs"); do
	t0=$(now_us)
	"$drv" "${args[@]}" >"$work/u.out" 2>&1
	echo $(($(now_us) - t0)) >>"$work/u.wall"
	init_ms "$work/u.out" >>"$work/u.init"
	t0=$(now_us)
	"$ct" run -q -f jsonl -o "$work/t.jsonl" --force -- "$drv" "${args[@]}" >"$work/t.out" 2>&1
	echo $(($(now_us) - t0)) >>"$work/t.wall"
	init_ms "$work/t.out" >>"$work/t.init"
	grep '"type":"timeline"' "$work/t.jsonl" | sed -n 's/.*"held_ns":\([0-9]*\).*/\1/p' | head -n 1 >>"$work/held"
done
ui=$(median <"$work/u.init") ti=$(median <"$work/t.init")
uw=$(median <"$work/u.wall") tw=$(median <"$work/t.wall")
hmax=$(sort -n "$work/held" | tail -n 1)
echo "| demo with $exts extension(s), $pairs pairs | untraced | traced | ratio |"
echo "|---|---|---|---|"
awk -v u="$ui" -v t="$ti" 'BEGIN { printf "| INIT (agent'"'"'s INIT REPORT, median) | %.1f ms | %.1f ms | %.2fx |\n", u, t, t/u }'
awk -v u="$uw" -v t="$tw" 'BEGIN { printf "| driver wall time (median; traced includes coldtrace start-up and exit) | %.1f ms | %.1f ms | %.2fx |\n", u/1000, t/1000, t/u }'
awk -v h="$hmax" 'BEGIN { printf "| longest time held after exec, any run after the warm-up | | %.2f ms | |\n", h/1e6 }'
