#!/bin/bash
# pyimport_libpython.sh COLDTRACE CMP_IMPORTTIME PYEMBED WORKDIR (root, real BPF)
# CPython in a shared library: pyembed (pyembed.c, Py_BytesMain linked
# against Debian's libpython3.11.so) has none of the interpreter in
# itself, so coldtrace must find the library through the program's
# DT_NEEDED and probe it: its importtime against Python's own, as in
# pyimport.sh. Then with LD_LIBRARY_PATH naming a directory holding a copy
# of libpython3.11.so.1.0: the loader maps the copy (checked in
# /proc/self/maps), and coldtrace must probe the copy, not the system's:
# as `env LD_LIBRARY_PATH=... pyembed` (pyembed named in env's argv, so
# armed ahead), and as `sh -c "LD_LIBRARY_PATH=... exec pyembed"` with an
# empty binary cache (armed at its exec, from its environment then).
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 cmp=$2 embed=$3 work=$4
lib=$(readelf -dW "$embed" | sed -n 's/.*(NEEDED).*\[\(libpython3[^]]*\)\].*/\1/p')
rm -rf "$work" && mkdir -p "$work/lib" && cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache

cat >imps.py <<'EOF'
import json, email.parser, http.client, xml.etree.ElementTree, decimal, sqlite3
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "libpython3" in l})
print("imported", json.dumps(libs))
EOF

# the program is what this test needs: libpython in DT_NEEDED, not inside
if [ -n "$lib" ] &&
	! nm -D --defined-only "$embed" | grep -q ' PyImport_ImportModuleLevelObject$'; then
	ok "pyembed needs $lib and has no interpreter of its own"
else
	bad "pyembed needs a libpython and has no interpreter of its own" "$(readelf -dW "$embed" | grep NEEDED)"
fi

# run NAME [ENV...]: pyembed imps.py under coldtrace with PYTHONPROFILEIMPORTTIME=1
# (NAME copy-exec: through sh -c "... exec pyembed", so that nothing names
# pyembed before it execs, with a binary cache of its own)
run() {
	local name=$1 rc
	shift
	if [ "$name" = copy-exec ]; then
		XDG_CACHE_HOME=$work/cache-exec timeout -k 5 120 "$ct" run --force -f importtime -o "$name.ours" -- \
			sh -c "$* PYTHONPROFILEIMPORTTIME=1 exec '$embed' imps.py" >"$name.out" 2>"$name.theirs"
	else
		timeout -k 5 120 "$ct" run --force -f importtime -o "$name.ours" -- \
			env "$@" PYTHONPROFILEIMPORTTIME=1 "$embed" imps.py >"$name.out" 2>"$name.theirs"
	fi
	rc=$?
	[ "$rc" = 0 ] && grep -q '^imported' "$name.out" && ok "$name: exit 0, output" ||
		bad "$name: exit 0, output" "exit $rc" "$(grep -v '^import time' "$name.theirs" | head -5)"
	if "$cmp" "$name.ours" "$name.theirs" >"$name.cmp" 2>&1; then
		ok "$name: importtime as Python's ($(grep -o '^[0-9]* modules' "$name.cmp"))"
	else
		bad "$name: importtime as Python's" "$(head -c 3000 "$name.cmp")"
	fi
}

run system
grep -q "\"/usr/lib/[a-z0-9_-]*/$lib\"" system.out && ok "system: the system's $lib mapped" ||
	bad "system: the system's $lib mapped" "$(cat system.out)"

cp "$(readlink -f /usr/lib/*-linux-gnu/$lib)" "lib/$lib"
run copy LD_LIBRARY_PATH="$work/nothing-here:$work/lib"
grep -q "\[\"$work/lib/$lib\"\]" copy.out && ok "copy: only the copy in LD_LIBRARY_PATH mapped" ||
	bad "copy: only the copy in LD_LIBRARY_PATH mapped" "$(cat copy.out)"
run copy-exec LD_LIBRARY_PATH="$work/nothing-here:$work/lib"
grep -q "\[\"$work/lib/$lib\"\]" copy-exec.out && ok "copy-exec: only the copy in LD_LIBRARY_PATH mapped" ||
	bad "copy-exec: only the copy in LD_LIBRARY_PATH mapped" "$(cat copy-exec.out)"
finish
