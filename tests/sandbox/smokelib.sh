# smokelib.sh: sourced by smoke.sh and smoke_ext.sh (POSIX sh). Counts and
# prints results: `ok WHAT`, `ko WHAT`, `check NAME COMMAND...` (ok when
# COMMAND succeeds); the caller prints the totals from $passed and $failed.
passed=0
failed=0
tab=$(printf '\t')

ok() { passed=$((passed + 1)); echo "PASS: $1"; }
ko() { failed=$((failed + 1)); echo "FAIL: $1"; }
check() { # check NAME COMMAND...
	name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; fi
}
