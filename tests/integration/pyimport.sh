#!/bin/bash
# pyimport.sh COLDTRACE CMP_IMPORTTIME SANDBOX_DIR WORKDIR (root, real BPF)
# coldtrace's `-f importtime` against CPython's own -X importtime
# (PYTHONPROFILEIMPORTTIME=1) in the same run of Debian's /usr/bin/python3:
# the demo handler (sandbox/python/app.py, run once as main) and a script
# importing json, email.parser, http.client, xml.etree.ElementTree,
# decimal, sqlite3; cmp_importtime must also reject copies of our output
# with what bugs do (a line swapped, a level changed, times doubled, every
# time 300 us longer, self times with the children's left in).
# --no-python: no import lines, the program's output and exit status
# unchanged. Two Python processes in one run: one "# pid"
# section per image, each compared with its own importtime lines.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 cmp=$2 sbx=$3 work=$4
py=/usr/bin/python3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache

cat >imps.py <<'EOF'
import json, email.parser, http.client, xml.etree.ElementTree, decimal, sqlite3
print("imported", json.dumps(sorted(m for m in ("json", "decimal", "sqlite3"))))
EOF
cat >rc7.py <<'EOF'
import sys, json, decimal
print("answer", json.dumps({"d": str(decimal.Decimal("1.10") * 3)}))
sys.exit(7)
EOF

# compare NAME OURS THEIRS [--section K]: cmp_importtime passes
compare() {
	local name=$1 ours=$2 theirs=$3
	shift 3
	if "$cmp" "$@" "$ours" "$theirs" >"$name.cmp" 2>&1; then
		ok "$name: same modules, order and nesting as -X importtime; times agree ($(grep -o '^[0-9]* modules' "$name.cmp"))"
	else
		bad "$name: coldtrace's importtime differs from Python's" "$(head -c 3000 "$name.cmp")"
	fi
}

# traced NAME SCRIPT: run SCRIPT with PYTHONPROFILEIMPORTTIME=1 under
# coldtrace; NAME.ours (ours), NAME.theirs (Python's stderr and ours)
traced() {
	local name=$1
	shift
	timeout -k 5 120 "$ct" run --force -f importtime -o "$name.ours" -- \
		env PYTHONPROFILEIMPORTTIME=1 "$py" "$@" >"$name.out" 2>"$name.theirs"
	echo $?
}

# 1. the demo handler and the stdlib script
rc=$(traced app "$sbx/python/app.py")
[ "$rc" = 0 ] && [ -s app.out ] && ok "app.py under coldtrace: exit 0, output" ||
	bad "app.py under coldtrace: exit 0, output" "exit $rc" "$(tail -5 app.theirs)"
compare app app.ours app.theirs
rc=$(traced imps imps.py)
[ "$rc" = 0 ] && grep -q '^imported' imps.out && ok "imports script under coldtrace: exit 0, output" ||
	bad "imports script under coldtrace: exit 0, output" "exit $rc" "$(tail -5 imps.theirs)"
compare imps imps.ours imps.theirs

# 2. cmp_importtime fails on what bugs do to our output
hdr='import time: self'
awk -v h="$hdr" 'index($0, h) != 1 && /^import time:/ && ++n == 10 {held = $0; next}
	{print} held != "" && n == 11 {print held; held = ""}' imps.ours >bug-swap.txt
awk -F'|' -v OFS='|' -v h="$hdr" 'index($0, h) != 1 && /^import time:/ && ++n == 10 {
	$3 = "   " substr($3, 2)} {print}' imps.ours >bug-level.txt
awk -F'|' -v h="$hdr" 'index($0, h) != 1 && /^import time:/ {sub(/import time: */, "", $1);
	printf "import time: %9d | %10d |%s\n", $1 * 2, $2 * 2, $3; next} {print}' imps.ours >bug-double.txt
awk -F'|' -v h="$hdr" 'index($0, h) != 1 && /^import time:/ {sub(/import time: */, "", $1);
	printf "import time: %9d | %10d |%s\n", $1 + 300, $2 + 300, $3; next} {print}' imps.ours >bug-offset.txt
# self as cumulative (children not taken out)
awk -F'|' -v h="$hdr" 'index($0, h) != 1 && /^import time:/ {
	printf "import time: %9d |%s|%s\n", $2, $2, $3; next} {print}' imps.ours >bug-selfcum.txt
for b in swap level double offset selfcum; do
	if cmp -s "bug-$b.txt" imps.ours; then
		bad "cmp_importtime rejects bug-$b: the copy was not changed"
	elif "$cmp" "bug-$b.txt" imps.theirs >"bug-$b.cmp" 2>&1; then
		bad "cmp_importtime rejects bug-$b" "$(head -5 "bug-$b.cmp")"
	else
		ok "cmp_importtime rejects bug-$b ($(grep -m1 FAIL "bug-$b.cmp" | cut -c1-100))"
	fi
done

# 3. --no-python: nothing traced, the program as without coldtrace
"$py" rc7.py >plain.out 2>plain.err
plain_rc=$?
timeout -k 5 60 "$ct" run --force --no-python -f importtime -o np.txt -- "$py" rc7.py >np.out 2>np.err
np_rc=$?
[ "$plain_rc" = 7 ] && [ "$np_rc" = 7 ] && ok "--no-python: exit status 7 kept" ||
	bad "--no-python: exit status 7 kept" "plain $plain_rc, traced $np_rc" "$(head -5 np.err)"
cmp -s plain.out np.out && ok "--no-python: the program's output unchanged" ||
	bad "--no-python: the program's output unchanged" "$(diff plain.out np.out | head)"
n=$(grep -c '^import time: *[0-9]' np.txt)
[ "$n" = 0 ] && ok "--no-python: no import lines" || bad "--no-python: no import lines" "$n lines: $(head -3 np.txt)"
# and traced, the same program keeps them too (a control for the above)
timeout -k 5 60 "$ct" run --force -f importtime -o yp.txt -- "$py" rc7.py >yp.out 2>yp.err
yp_rc=$?
n=$(grep -c '^import time: *[0-9].*| *decimal$' yp.txt)
[ "$yp_rc" = 7 ] && cmp -s plain.out yp.out && [ "$n" = 1 ] &&
	ok "traced: exit status 7 and output kept, decimal's load listed" ||
	bad "traced: exit status 7 and output kept, decimal's load listed" "exit $yp_rc, decimal lines $n" \
		"$(diff plain.out yp.out | head -3)" "$(head -3 yp.txt)"

# 4. two Python processes in one run: a "# pid" header per image; each
# section is its own process's importtime
cat >a.py <<'EOF'
import json
print("a")
EOF
cat >b.py <<'EOF'
import decimal, email.parser
print("b")
EOF
timeout -k 5 120 "$ct" run --force -f importtime -o two.ours -- \
	env PYTHONPROFILEIMPORTTIME=1 sh -c "$py a.py; $py b.py" >two.out 2>two.theirs
rc=$?
hdrs=$(grep -c '^# pid [0-9][0-9]* .*python3' two.ours)
[ "$rc" = 0 ] && [ "$(cat two.out)" = "$(printf 'a\nb')" ] && [ "$hdrs" = 2 ] &&
	ok "two python3 processes: exit 0, two '# pid' sections" ||
	bad "two python3 processes: exit 0, two '# pid' sections" "exit $rc, $hdrs headers" "$(grep '^#' two.ours)"
# Python's side: split at its header lines
awk -v h="$hdr" 'index($0, h) == 1 {n++} /^import time:/ {print > ("two.theirs" n - 1)}' two.theirs
compare two-a two.ours two.theirs0 --section 0
compare two-b two.ours two.theirs1 --section 1
grep -q '| *json$' two.theirs0 && grep -q '| *decimal$' two.theirs1 && ! grep -q '| *decimal$' two.theirs0 &&
	ok "two python3 processes: each section its own program's" ||
	bad "two python3 processes: each section its own program's"
"$cmp" two.ours two.theirs0 >two-nosec.cmp 2>&1
[ $? = 2 ] && grep -q 'section' two-nosec.cmp && ok "cmp_importtime: several sections need --section" ||
	bad "cmp_importtime: several sections need --section" "$(cat two-nosec.cmp)"
finish
