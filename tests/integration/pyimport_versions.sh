#!/bin/bash
# pyimport_versions.sh COLDTRACE CMP_IMPORTTIME WORKDIR (root, real BPF)
# Every CPython interpreter on the machine: Debian's /usr/bin/python3.11
# always, and each pyenv build ($PYENV_ROOT or ~/.pyenv:
# versions/*/bin/pythonX.Y; pyenv's link libpython3.N.so through their
# RUNPATH, so their probes go on the library). 3.7-3.13: coldtrace's
# importtime against the interpreter's own (cmp_importtime); 3.6: one
# warning line "not supported: CPython 3.6" and the program runs as
# without coldtrace; 2.x: nothing traced, the program runs as without it.
# Prints which interpreters were checked.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 cmp=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}

# Modules every 3.x from 3.6 has (pyenv builds may lack sqlite3 or ssl),
# syntax 2.7 reads too.
cat >imps.py <<'EOF'
import json, email.parser, http.client, xml.etree.ElementTree, decimal, argparse, logging
print("imported %s" % json.dumps(sorted(["json", "decimal", "argparse"])))
EOF
cat >py2.py <<'EOF'
import json, decimal
print("imported %s" % json.dumps(["json", "decimal"]))
EOF

pys=(/usr/bin/python3.11)
if [ -d "$pyenv_root/versions" ]; then
	for d in "$pyenv_root"/versions/*/; do
		d=${d%/}
		v=$(basename "$d")
		mm=${v%.*} # 3.11.7 -> 3.11
		[ -x "$d/bin/python$mm" ] && pys+=("$d/bin/python$mm")
	done
fi
checked=()
for py in "${pys[@]}"; do
	ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
	name="py$ver-$(echo "$py" | md5sum | cut -c1-6)"
	case $ver in
	3.[7-9] | 3.1[0-3])
		timeout -k 5 120 "$ct" run --force -f importtime -o "$name.ours" -- \
			env PYTHONPROFILEIMPORTTIME=1 "$py" imps.py >"$name.out" 2>"$name.theirs"
		rc=$?
		[ "$rc" = 0 ] && grep -q '^imported' "$name.out" && ok "$py ($ver): exit 0, output" ||
			bad "$py ($ver): exit 0, output" "exit $rc" "$(grep -v '^import time' "$name.theirs" | head -5)"
		if grep -q 'not supported\|not traced' "$name.theirs"; then
			bad "$py ($ver): traced" "$(grep 'not supported\|not traced' "$name.theirs")"
		fi
		if "$cmp" "$name.ours" "$name.theirs" >"$name.cmp" 2>&1; then
			ok "$py ($ver): importtime as Python's ($(grep -o '^[0-9]* modules' "$name.cmp"))"
		else
			bad "$py ($ver): importtime as Python's" "$(head -c 3000 "$name.cmp")"
		fi
		;;
	3.6 | 2.*)
		script=imps.py
		[ "${ver%%.*}" = 2 ] && script=py2.py
		"$py" "$script" >"$name.plain" 2>&1
		prc=$?
		timeout -k 5 120 "$ct" run --force -f importtime -o "$name.ours" -- "$py" "$script" \
			>"$name.out" 2>"$name.err"
		rc=$?
		[ "$rc" = "$prc" ] && [ "$rc" = 0 ] && cmp -s "$name.plain" "$name.out" &&
			ok "$py ($ver): runs as without coldtrace" ||
			bad "$py ($ver): runs as without coldtrace" "exit $rc (plain $prc)" "$(head -5 "$name.err")" \
				"$(diff "$name.plain" "$name.out" | head -5)"
		n=$(grep -c '^import time: *[0-9]' "$name.ours")
		[ "$n" = 0 ] && ok "$py ($ver): no import lines" || bad "$py ($ver): no import lines" "$n lines"
		if [ "$ver" = 3.6 ]; then
			w=$(grep -c 'not supported: CPython 3\.6' "$name.err")
			[ "$w" = 1 ] && [ "$(wc -l <"$name.err")" = 1 ] &&
				ok "$py ($ver): one warning: $(cat "$name.err")" ||
				bad "$py ($ver): one warning line 'not supported: CPython 3.6'" "$(head -5 "$name.err")"
		else
			grep -q 'CPython' "$name.err" &&
				bad "$py ($ver): Python 2 is not CPython 3: no note" "$(head -3 "$name.err")" ||
				ok "$py ($ver): nothing said about CPython"
		fi
		;;
	*)
		bad "$py: version '$ver' this test does not know"
		continue
		;;
	esac
	checked+=("$ver:$py")
done
echo "interpreters checked (${#checked[@]}):"
printf '  %s\n' "${checked[@]}"
finish
