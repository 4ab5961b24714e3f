#!/bin/bash
# bench/gogen.sh [BUILD_DIR] [RUNS]
#
# Go probe hits per reported package and the start-up cost, for each Go
# generation coldtrace plans probes for: one pinned esbuild from npm each
# (fetched once into BUILD_DIR/npm-gogen by tests/integration/
# fetch_esbuilds.sh, the same binaries as the integ.inittrace.esbuild.go1*
# tests), plus the Go 1.19 test program. Prints a markdown table: the Go
# version, the probes planned (task-start/task-end are the branches on
# inittrace.active, emulated by the kernel; init-return is the single-stepped
# fallback), hits per package, wall time fork -> exit untraced and under
# `coldtrace run` (median of RUNS, default 21; ratios are only comparable
# within a run on a shared machine). Needs root (BPF) and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "bench/gogen.sh: no build dir ${1:-}" >&2; exit 2; }
runs=${2:-21}
ct=$build/coldtrace
[ -x "$ct" ] || { echo "bench/gogen.sh: $ct not found: build first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/gogen.sh: needs root (BPF)" >&2; exit 1; }
work=$(mktemp -d /tmp/ct-gogen.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/spawn_time" "$here/spawn_time.c"

# name=package@version=go version; keep in step with tests/integration/CMakeLists.txt
gens="go116=esbuild-linux-64@0.11.23=go1.16 go117=esbuild-linux-64@0.13.15=go1.17
go120=@esbuild/linux-x64@0.21.5=go1.20 go122=@esbuild/linux-x64@0.23.1=go1.22
go123=@esbuild/linux-x64@0.25.12=go1.23 go126=@esbuild/linux-x64@0.28.2=go1.26"
npmdir=$build/npm-gogen
# shellcheck disable=SC2086
"$here/../tests/integration/fetch_esbuilds.sh" "$ct" "$npmdir" $gens >"$work/fetch.txt" ||
	{ cat "$work/fetch.txt" >&2; exit 1; }

median_of() { sed -n 's/^median \([0-9]*\) us/\1/p' "$1"; }

row() { # label cmd...
	local label=$1 probes u t hits pk
	shift
	probes=$("$ct" inspect "$1" | awk '/^    [a-z]/ && $1 != "runtime-start" && $1 != "main.main" {printf "%s%s", s, $1; s = " + "}')
	"$work/spawn_time" 3 "$@" 2>/dev/null # warm the page cache
	"$work/spawn_time" "$runs" "$@" 2>"$work/u.txt"
	"$ct" run -q --stats -f jsonl -o "$work/t.jsonl" --force -- "$work/spawn_time" -w 1 "$runs" "$@" \
		2>"$work/t.txt"
	u=$(median_of "$work/u.txt")
	t=$(median_of "$work/t.txt")
	hits=$(sed -n 's/.*go_probe_hits=\([0-9]*\).*/\1/p' "$work/t.txt")
	pk=$(sed -n 's/.* packages=\([0-9]*\).*/\1/p' "$work/t.txt")
	awk -v l="$label" -v pr="$probes" -v u="$u" -v t="$t" -v h="$hits" -v p="$pk" -v r="$((runs + 1))" 'BEGIN {
		printf "| %s | %s | %d | %.2f | %.2f ms | %.2f ms | %.2fx |\n", l, pr, p / r, p ? h / p : 0,
			u / 1000, t / 1000, u ? t / u : 0 }'
}

echo "Go generations: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), $runs runs each"
echo
echo "| binary (Go) | init probes | packages | probe hits / package | untraced | traced | ratio |"
echo "|---|---|---|---|---|---|---|"
for spec in $gens; do
	name=${spec%%=*} rest=${spec#*=}
	bin=$npmdir/$name/esbuild
	gover=$("$ct" inspect "$bin" | sed -n '1s/.*: \(go[0-9.]*\),.*/\1/p')
	row "${rest%=*} ($gover)" "$bin" --version
done
row "tests/goprogs initgraph ($("$ct" inspect "$build/goprogs/initgraph" | sed -n '1s/.*: \(go[0-9.]*\),.*/\1/p'))" \
	"$build/goprogs/initgraph"
