#!/bin/bash
# compare_inittrace.sh COLDTRACE CMP WORKDIR PROG [ARGS...]
# Run PROG under coldtrace with GODEBUG=inittrace=1 set at the same time, so
# one run gives both sides, and compare them. Also checks that the
# inittrace-format output lists the same packages.
set -u
coldtrace=$1 cmp=$2 work=$3
shift 3
rm -rf "$work" && mkdir -p "$work"
"$coldtrace" run -q --stats -f jsonl -o "$work/ours.jsonl" -- env GODEBUG=inittrace=1 "$@" \
	>"$work/stdout" 2>"$work/stderr"
rc=$?
grep -v '^coldtrace' "$work/stderr" >"$work/godebug.txt"
grep '^coldtrace' "$work/stderr"
if [ $rc -ne 0 ]; then
	echo "FAIL: coldtrace run exited $rc"; cat "$work/stderr"; echo "0 passed, 1 failed"; exit 1
fi
"$cmp" "$work/ours.jsonl" "$work/godebug.txt"
