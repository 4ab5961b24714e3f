#!/bin/bash
# pyimport_unsupported.sh COLDTRACE WORKDIR (root, real BPF)
# A CPython coldtrace does not know: a copy of Debian's python3.11 whose
# Py_Version (PY_VERSION_HEX in .rodata, what coldtrace reads) says 3.14.0
# (0x030e00f0), found with nm -D and placed in the file through readelf's
# program headers. coldtrace prints one warning line "... not supported:
# CPython 3.14 ...", traces no import, and the program's output and exit
# status are what they are without coldtrace.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache
py=$work/python3.11
cp /usr/bin/python3.11 "$py" || exit 1

# Py_Version's link address, then its file offset in the PT_LOAD holding it
va=$(nm -D --defined-only "$py" | awk '$3 == "Py_Version" {print $1}')
off=
while read -r _ o v _ fsz _; do
	if (( 0x$va >= v && 0x$va < v + fsz )); then
		off=$(( 0x$va - v + o ))
		break
	fi
done < <(readelf -lW "$py" | awk '$1 == "LOAD" {print $1, $2, $3, $4, $5, $6}')
if [ -z "$va" ] || [ -z "$off" ]; then
	bad "Py_Version found in the copy" "nm: '$va', offset '$off'"
	finish
fi
before=$(od -An -tx4 -j "$off" -N4 "$py" | tr -d ' ')
printf '\xf0\x00\x0e\x03' | dd of="$py" bs=1 seek="$off" conv=notrunc status=none
after=$(od -An -tx4 -j "$off" -N4 "$py" | tr -d ' ')
[ "${before:0:4}" = 030b ] && [ "$after" = 030e00f0 ] &&
	ok "Py_Version at file offset $off: $before -> $after" ||
	bad "Py_Version at file offset $off: $before -> $after (expected 030b.... -> 030e00f0)"

cat >rc5.py <<'EOF'
import sys, json, decimal, email.parser
print("answer", json.dumps({"d": str(decimal.Decimal("2.50") * 2)}))
sys.exit(5)
EOF
"$py" rc5.py >plain.out 2>plain.err
prc=$?
timeout -k 5 60 "$ct" run --force -f importtime -o ours.txt -- "$py" rc5.py >traced.out 2>traced.err
rc=$?
[ "$prc" = 5 ] && [ "$rc" = 5 ] && ok "exit status 5 kept" || bad "exit status 5 kept" "plain $prc, traced $rc"
cmp -s plain.out traced.out && [ -s plain.out ] && ok "the program's output unchanged" ||
	bad "the program's output unchanged" "$(diff plain.out traced.out | head -5)"
w=$(grep -c 'not supported: CPython 3\.14' traced.err)
extra=$(diff plain.err traced.err | grep -c '^>')
[ "$w" = 1 ] && [ "$extra" = 1 ] && ok "one warning line: $(grep 'CPython 3.14' traced.err)" ||
	bad "one warning line 'not supported: CPython 3.14'" "$(head -5 traced.err)"
n=$(grep -c '^import time: *[0-9]' ours.txt)
[ "$n" = 0 ] && ok "no import lines" || bad "no import lines" "$n: $(head -3 ours.txt)"

# the control: the same copy with 3.11 back is traced
printf '%b' "\\x${before:6:2}\\x${before:4:2}\\x${before:2:2}\\x${before:0:2}" |
	dd of="$py" bs=1 seek="$off" conv=notrunc status=none
timeout -k 5 60 "$ct" run --force -f importtime -o back.txt -- "$py" rc5.py >back.out 2>back.err
rc=$?
n=$(grep -c '^import time: *[0-9].*| *decimal$' back.txt)
[ "$rc" = 5 ] && [ "$n" = 1 ] && ! grep -q 'not supported' back.err &&
	ok "the copy with its own Py_Version back: traced (decimal's load listed)" ||
	bad "the copy with its own Py_Version back: traced" "exit $rc, $n decimal lines" "$(head -3 back.err)"
finish
