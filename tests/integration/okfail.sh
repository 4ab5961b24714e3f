# okfail.sh: sourced by the integration scripts (`. .../okfail.sh` before
# any cd). One way to count and print results: `ok WHAT`, `bad WHAT
# [DETAIL...]`, and `finish` (prints "N passed, N failed", exits 0 only if
# nothing failed; a script with something to clean up defines its own).
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "     $l"; done; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
