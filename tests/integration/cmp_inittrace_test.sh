#!/bin/bash
# cmp_inittrace_test.sh CMP DATA_DIR
# cmp_inittrace's acceptance rule against a real run (tests/goprogs
# initgraph, Go 1.19, 79 packages: coldtrace's go_init records and the
# GODEBUG=inittrace=1 lines of the same run, recorded idle: they match
# within Go's print resolution) and against copies with what noise does
# (must pass) and what bugs do (must fail). No root, no BPF.
set -u
cmp=$1 data=$2
work=$(mktemp -d /tmp/ct-cmptest.XXXXXX)
trap 'rm -rf "$work"' EXIT
ours=$data/initgraph.ours.jsonl go=$data/initgraph.godebug.txt
pass=0 fail=0

# mutate OUT AWK-PROGRAM: a copy of ours; the program sees the record index
# i (0-based) and may change c (clock_ns), a (at_ns), or set drop=1.
mutate() {
	awk -v out="$1" "
	function field(k,   m) { if (match(\$0, \"\\\"\" k \"\\\":[0-9-]+\")) return substr(\$0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0; return -1 }
	function set(k, v) { sub(\"\\\"\" k \"\\\":[0-9-]+\", \"\\\"\" k \"\\\":\" sprintf(\"%d\", v)) }
	{ c = field(\"clock_ns\"); a = field(\"at_ns\"); drop = 0; $2
	  if (!drop) { set(\"clock_ns\", c); set(\"at_ns\", a); print > out } i++ }" "$ours"
}
swap() { # OUT I J: records I and J swapped
	awk -v i="$2" -v j="$3" '{ l[NR - 1] = $0 } END { t = l[i]; l[i] = l[j]; l[j] = t; for (k = 0; k < NR; k++) print l[k] }' "$ours" >"$1"
}
expect() { # pass|fail what OURS
	local want=$1 what=$2 f=$3 got=pass
	"$cmp" "$f" "$go" >"$work/out" 2>&1 || got=fail
	if [ "$got" = "$want" ]; then
		echo "ok   $what: $([ "$got" = pass ] && echo passes || echo fails)"; pass=$((pass + 1))
	else
		echo "FAIL $what: expected to $want, did $got"; sed 's/^/     /' "$work/out" | grep -v '^     ok' | head -8
		fail=$((fail + 1))
	fi
}

expect pass "the recorded run" "$ours"
# noise: delays in a probe-to-clock window, as measured
mutate "$work/n1" 'if (i == 5 || i == 30 || i == 60) { c += 2000000; a -= 2000000 }'
expect pass "3 start delays of 2 ms (clock longer, @ earlier)" "$work/n1"
mutate "$work/n2" 'if (i == 10 || i == 49) c = 1000; if (i == 78) { c += 25000000; a -= 25000000 }'
expect pass "2 end delays (clock shorter) and a 25 ms start delay" "$work/n2"
# (packages 0-73 are small: 500 us is outside their tolerance)
mutate "$work/n3" 'if (i % 8 == 4 && i < 74) { c += 500000; a -= 500000 }'
expect pass "9 start delays (n / 8 of 79)" "$work/n3"
mutate "$work/n4" 'if (i == 47) { c += 2530000; a -= 2770000 }'
expect pass "a 2.77 ms start and a 0.24 ms end delay in one package (seen loaded)" "$work/n4"
# bugs
mutate "$work/b1" 'if (i % 7 == 3 && i < 74) { c += 500000; a -= 500000 }'
expect fail "11 start delays (more than n / 8)" "$work/b1"
mutate "$work/b2" 'c += 20000'
expect fail "every clock 20 us long (a systematic offset)" "$work/b2"
mutate "$work/b3" 'a += 300000'
expect fail "every @ 300 us late" "$work/b3"
mutate "$work/b4" 'if (i == 33) c += 1000000'
expect fail "one clock 1 ms long, @ right (not a delay's shape)" "$work/b4"
mutate "$work/b4" 'if (i == 33) { c += 1000000; a -= 500000 }'
expect fail "one clock 1 ms long, @ 0.5 ms early (not a delay's shape)" "$work/b4"
mutate "$work/b5" 'if (i == 33) a += 1000000'
expect fail "one @ 1 ms late (ours after Go: no delay does that)" "$work/b5"
mutate "$work/b6" 'if (i == 33) { c += 300000000; a -= 300000000 }'
expect fail "one start delay of 300 ms (over 250)" "$work/b6"
mutate "$work/b7" 'if (i == 33) drop = 1'
expect fail "a package missing" "$work/b7"
swap "$work/b8" 20 21
expect fail "two packages swapped" "$work/b8"
mutate "$work/b9" 'if (i == 33) c = c * 3 + 200000'
expect fail "one clock 3x + 200 us" "$work/b9"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
