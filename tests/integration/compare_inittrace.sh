#!/bin/bash
# compare_inittrace.sh COLDTRACE CMP WORKDIR PROG [ARGS...]
# Run PROG under coldtrace with GODEBUG=inittrace=1 set at the same time, so
# one run gives both sides, and compare them (cmp_inittrace). With
# CT_MAX_HITS_PER_PKG set, also fail when the Go probes fired more often
# than that per reported package. With CT_ALLOCS=1, the run counts
# allocations (--allocs) and cmp_inittrace compares them (exactly for
# allocs; bytes equal or within the tiny block rule, cmp_inittrace.c) and
# the package order, not the times (the integ.inittrace tests check those;
# counts do not depend on the machine's load).
set -u
coldtrace=$1 cmp=$2 work=$3
shift 3
rm -rf "$work" && mkdir -p "$work"
allocs=()
cmpopts=()
[ "${CT_ALLOCS:-0}" = 1 ] && allocs=(--allocs) && cmpopts=(--order-only --allocs)
"$coldtrace" run -q --stats "${allocs[@]}" -f jsonl -o "$work/ours.jsonl" -- env GODEBUG=inittrace=1 "$@" \
	>"$work/stdout" 2>"$work/stderr"
rc=$?
grep -v '^coldtrace' "$work/stderr" >"$work/godebug.txt"
stats=$(grep '^coldtrace: stats' "$work/stderr")
echo "$stats"
if [ $rc -ne 0 ]; then
	echo "FAIL: coldtrace run exited $rc"; cat "$work/stderr"; echo "0 passed, 1 failed"; exit 1
fi
"$cmp" "${cmpopts[@]}" "$work/ours.jsonl" "$work/godebug.txt"
cmp_rc=$?
if [ -n "${CT_MAX_HITS_PER_PKG:-}" ]; then
	hpp=$(sed -n 's/.*hits_per_package=\([0-9.]*\).*/\1/p' <<<"$stats")
	if ! awk -v h="$hpp" -v m="$CT_MAX_HITS_PER_PKG" 'BEGIN { exit !(h != "" && h <= m) }'; then
		echo "FAIL: $hpp probe hits per package (at most $CT_MAX_HITS_PER_PKG expected)"
		exit 1
	fi
	echo "probe hits per package: $hpp (at most $CT_MAX_HITS_PER_PKG)"
fi
exit $cmp_rc
