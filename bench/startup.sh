#!/bin/bash
# bench/startup.sh [BUILD_DIR] [RUNS]
#
# Start-up cost of tracing Go package init, as ratios measured in one run
# (the machine is shared and noisy: compare only within a run):
#  - wall time from fork to exit of a Go 1.19 program (tests/goprogs
#    initgraph) and of esbuild (a recent, stripped Go), median of RUNS runs,
#    untraced and under `coldtrace run`;
#  - Go probe hits per reported package;
#  - time from `coldtrace run` starting to the command's exec (median).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
runs=${2:-21}
ct=$build/coldtrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$ct" ] || { echo "bench: build first (bash .ci/build)" >&2; exit 1; }
cc -O2 -o "$work/spawn_time" bench/spawn_time.c
esb=$build/npm/node_modules/@esbuild/linux-x64/bin/esbuild
if [ ! -x "$esb" ]; then
	mkdir -p "$build/npm" && (cd "$build/npm" && npm install --no-audit --no-fund --silent @esbuild/linux-x64)
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

row() { # name cmd...
	local name=$1
	shift
	"$work/spawn_time" 5 "$@" 2>/dev/null # warm the page cache
	"$work/spawn_time" "$runs" "$@" 2>"$work/u.txt"
	local u t hits
	u=$(sed -n 's/^median \([0-9]*\) us/\1/p' "$work/u.txt")
	"$ct" run -q --stats -f jsonl -o "$work/t.jsonl" --force -- "$work/spawn_time" "$runs" "$@" 2>"$work/t.txt"
	t=$(sed -n 's/^median \([0-9]*\) us/\1/p' "$work/t.txt")
	hits=$(sed -n 's/.*hits_per_package=\([0-9.]*\).*/\1/p' "$work/t.txt")
	pk=$(sed -n 's/.* packages=\([0-9]*\).*/\1/p' "$work/t.txt")
	awk -v n="$name" -v u="$u" -v t="$t" -v h="$hits" -v p="$pk" -v r="$runs" 'BEGIN {
		printf "| %s | %.2f ms | %.2f ms | %.2fx | +%.2f ms | %.2f | %d |\n", n, u/1000, t/1000, t/u, (t-u)/1000, h, p/r }'
}

echo "coldtrace start-up benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), $runs runs each"
echo
echo "| program | untraced (median) | traced (median) | ratio | added | probe hits / package | packages |"
echo "|---|---|---|---|---|---|---|"
row "initgraph (Go 1.19)" "$build/goprogs/initgraph"
row "initgraph stripped PIE (Go 1.19)" "$build/goprogs/initgraph-pie-stripped"
row "esbuild --version ($("$esb" --version), stripped)" "$esb" --version

for i in $(seq 1 "$runs"); do
	"$ct" run -q --stats -- /bin/true 2>&1 >/dev/null | sed -n 's/.*tracer_setup_ms=\([0-9.]*\).*/\1/p'
done >"$work/setup.txt"
echo
echo "time from \`coldtrace run\` to the command's exec (BPF load + attach), median of $runs: $(median <"$work/setup.txt") ms"
