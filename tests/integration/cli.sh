#!/bin/bash
# cli.sh COLDTRACE GOPROGS WORKDIR: the command line as a user meets it.
# Each check: run a command, expect an exit status and output.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 progs=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/leftover.sh"
bpf_before=$(ct_bpf_count)


# expect NAME STATUS REGEX_ON_STDERR_OR_EMPTY -- CMD...
expect() {
	local name=$1 want=$2 re=$3
	shift 4
	"$@" >out.txt 2>err.txt
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$name" "exit $rc, expected $want" "stderr: $(head -c 400 err.txt)"
	elif [ -n "$re" ] && ! grep -qE "$re" err.txt; then
		bad "$name" "stderr does not match /$re/: $(head -c 400 err.txt)"
	elif [ -n "$re" ] && [ "$(wc -l <err.txt)" -ne 1 ]; then
		bad "$name" "expected a one-line error, got: $(cat err.txt)"
	else
		ok "$name"
	fi
}

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

expect "version works without root" 0 "" -- nobody "$ct" --version
grep -q '^coldtrace ' out.txt || bad "version output" "$(cat out.txt)"
expect "help works without root" 0 "" -- nobody "$ct" run --help

# Every command has its own --help: exit 0, its own usage on stdout, nothing
# on stderr; the overview lists every command.
printf 'garbage\n' >./--help # inspect --help must not read it as a file
for c in run watch report inspect; do
	expect "$c --help: exit 0" 0 "" -- "$ct" "$c" --help
	if head -1 out.txt | grep -q "^Usage: coldtrace $c " && [ ! -s err.txt ]; then
		ok "$c --help: its own usage"
	else
		bad "$c --help: its own usage" "$(head -2 out.txt)" "stderr: $(cat err.txt)"
	fi
	expect "help $c: the same" 0 "" -- "$ct" help "$c"
	head -1 out.txt | grep -q "^Usage: coldtrace $c " && ok "help $c: its usage" || bad "help $c: its usage" "$(head -2 out.txt)"
done
expect "--help: the overview" 0 "" -- "$ct" --help
n=0
for c in run watch report inspect; do grep -q "^  $c  " out.txt && n=$((n + 1)); done
[ $n = 4 ] && ok "--help lists the 4 commands" || bad "--help lists the 4 commands" "$(cat out.txt)"
expect "no command: the overview on stderr" 2 "" -- "$ct"
grep -q "^Commands:" err.txt && ok "no command: overview" || bad "no command: overview" "$(cat err.txt)"
expect "unknown command" 2 "" -- "$ct" frobnicate
grep -q "^coldtrace: unknown command 'frobnicate'" err.txt && ok "unknown command: said" || bad "unknown command: said" "$(cat err.txt)"
expect "inspect: unknown option" 2 "" -- "$ct" inspect --bogus
expect "inspect -- FILE reads FILE" 1 "^coldtrace: --help: not a Go binary" -- "$ct" inspect -- --help
# CPython: its version and import probes; a program that links libpython
# is not CPython itself (Debian's python3.11 has it built in).
expect "inspect a CPython interpreter" 0 "" -- "$ct" inspect /usr/bin/python3.11
grep -qE "^/usr/bin/python3.11: CPython 3\.11\.[0-9]+; import probes:" out.txt && grep -q "PyImport_ImportModuleLevelObject" out.txt &&
	ok "inspect: CPython version and probes" || bad "inspect: CPython version and probes" "$(cat out.txt)"
expect "inspect neither Go nor CPython" 1 "^coldtrace: /bin/true: not a Go binary \(no Go pclntab\), nor CPython\$" -- "$ct" inspect /bin/true

# --top: one range and one error, word for word, in run, watch and report.
top_err="^coldtrace: --top takes a number from 1 to 1000000, not '0'\$"
expect "run --top 0: one-line error" 2 "$top_err" -- "$ct" run --top 0 -- /bin/true
run_err=$(cat err.txt)
expect "watch --top 0: the same error" 2 "$top_err" -- "$ct" watch --top 0 --comm x
[ "$(cat err.txt)" = "$run_err" ] && ok "watch --top: same text as run" || bad "watch --top: same text as run" "$(cat err.txt)"
expect "report --top 0: the same error" 2 "$top_err" -- "$ct" report --top 0 x.jsonl
[ "$(cat err.txt)" = "$run_err" ] && ok "report --top: same text as run" || bad "report --top: same text as run" "$(cat err.txt)"
expect "report -n 1000001: the same range" 2 "from 1 to 1000000, not '1000001'" -- "$ct" report -n 1000001 x.jsonl
expect "run -n 1000001: the same range" 2 "from 1 to 1000000, not '1000001'" -- "$ct" run -n 1000001 -- /bin/true
expect "no BPF permission: one-line error" 77 "permission denied.*root" -- nobody "$ct" run -- /bin/true
expect "command not found" 127 "nosuchcommand-xyz: command not found" -- "$ct" run -- nosuchcommand-xyz
printf 'not a program\n' >plain.txt
expect "not executable" 126 "plain.txt: not an executable" -- "$ct" run -- ./plain.txt
expect "no command" 2 "no command given" -- "$ct" run
expect "bad format" 2 "unknown format" -- "$ct" run -f nope -- /bin/true
expect "bad capture size" 2 "capture-bytes" -- "$ct" run --capture-bytes 99999 -- /bin/true

# The command's exit status is coldtrace's.
expect "exit status passes through" 3 "" -- "$ct" run -q -- "$progs/initgraph" -exit 3
expect "killed command: 128+signal" 137 "" -- "$ct" run -q -- sh -c 'kill -9 $$'

# A non-Go binary is just a process.
expect "non-Go binary" 0 "" -- "$ct" run -q -f jsonl -- /bin/true
if grep -q '"type":"exec".*"/bin/true"' out.txt && ! grep -q go_init out.txt; then
	ok "non-Go binary: exec seen, no Go init"
else
	bad "non-Go binary: exec seen, no Go init" "$(head -c 600 out.txt)"
fi

# A Go binary whose runtime coldtrace cannot read (here: runtime.doInit
# renamed in the function table) gets a warning naming it and its Go
# version, and still runs.
perl -pe 's/runtime\.doInit\0/runtime.doInix\0/g' "$progs/initgraph-stripped" >odd-go && chmod +x odd-go
expect "unknown Go layout: warning, command still runs" 0 "odd-go \(go1\.[0-9.]+\): unknown Go runtime layout" -- "$ct" run -f jsonl -- ./odd-go
grep -q '"go_version":"go1' out.txt && grep -q '"note":"unknown Go runtime layout' out.txt && ! grep -q go_init out.txt &&
	ok "unknown Go layout: noted in the trace" || bad "unknown Go layout: noted in the trace" "$(grep exec out.txt)"

# -o never overwrites silently.
echo "precious" >kept.txt
expect "-o refuses an existing file" 2 "kept.txt exists; use --force" -- "$ct" run -q -o kept.txt -- /bin/true
[ "$(cat kept.txt)" = precious ] && ok "existing file untouched" || bad "existing file untouched" "$(cat kept.txt)"
expect "-o --force overwrites" 0 "" -- "$ct" run -q --force -f inittrace -o kept.txt -- "$progs/initgraph"
grep -q '^init main @' kept.txt && ok "-o file holds the output" || bad "-o file holds the output" "$(head -3 kept.txt)"

# --repeat: one file per run in a directory, probes attached once (no hold
# after the first run; --no-cache, so that the first run does hold), existing
# runs never overwritten.
expect "--repeat 3 -o DIR" 0 "" -- "$ct" run -q --no-cache --repeat 3 -f jsonl -o runs -- sh -c "exec '$progs/initgraph'"
n=$(ls runs/run-00[1-3].jsonl 2>/dev/null | wc -l)
[ "$n" = 3 ] && ok "3 run files" || bad "3 run files" "$(ls runs)"
if grep -q '"held_ns"' runs/run-001.jsonl && ! grep -q '"held_ns"' runs/run-002.jsonl runs/run-003.jsonl &&
	[ "$(grep -c '"type":"go_init"' runs/run-003.jsonl)" = "$(grep -c '"type":"go_init"' runs/run-001.jsonl)" ]; then
	ok "--repeat: binaries inspected once, every run complete"
else
	bad "--repeat: binaries inspected once, every run complete" "$(grep -c go_init runs/*.jsonl)"
fi
expect "--repeat refuses existing runs" 2 "run-001.jsonl exists" -- "$ct" run -q --repeat 3 -f jsonl -o runs -- /bin/true

# The whole tree: two Go programs under a shell, each block headed by its pid.
expect "tree of processes" 0 "" -- "$ct" run -q -f inittrace -- sh -c "'$progs/initgraph' >/dev/null; '$progs/initgraph-stripped' >/dev/null"
n=$(grep -c '^# pid [0-9]* ' out.txt)
lines1=$(env GODEBUG=inittrace=1 "$progs/initgraph" 2>&1 >/dev/null | grep -c '^init ')
lines=$(grep -c '^init ' out.txt)
if [ "$n" = 2 ] && [ "$lines" = $((2 * lines1)) ]; then
	ok "tree: 2 Go processes, $lines init lines"
else
	bad "tree: 2 Go processes" "headers=$n init lines=$lines (expected 2 and $((2 * lines1)))" "$(grep '^#' out.txt)"
fi

# Processes outside the traced tree are never reported, even Go ones
# running at the same time.
( for i in $(seq 1 20); do "$progs/initgraph-pie" >/dev/null; done ) &
outside=$!
expect "outside processes" 0 "" -- "$ct" run -q -f jsonl -- sh -c 'for i in 1 2 3; do sleep 0.1; done'
wait $outside
if grep -q 'initgraph' out.txt; then
	bad "outside Go processes not reported" "$(grep initgraph out.txt | head -3)"
else
	ok "outside Go processes not reported"
fi
nproc=$(grep -c '"type":"process"' out.txt)
[ "$nproc" = 4 ] && ok "tree has exactly sh + 3 sleeps" || bad "tree has exactly sh + 3 sleeps" "$nproc processes"

# A full ring buffer: events are counted as lost and reported, never silent.
# (a 4 KiB ring holds a handful of 512-byte captures; yes and head write
# megabytes to stdout in a few milliseconds)
expect "lost events reported" 0 "events lost \(ring buffer full\)" -- "$ct" run -q --ringbuf-size 4096 -f jsonl -- sh -c 'yes "START RequestId: x Version: 1" | head -c 4000000 >/dev/null'
if grep -q '"complete":false' out.txt && grep -qE '"lost_total":[1-9]' out.txt; then
	ok "lost events: trace marked incomplete"
else
	bad "lost events: trace marked incomplete" "$(tail -1 out.txt)"
fi

# watch: a loss is charged to the sandbox whose records were lost, by type;
# a sandbox open at the same time gets none of it. (No breakdown: with it,
# the quiet sandbox's own scheduler records would be lost to the full ring.)
cp /bin/sh ./ct-lossy-sh
"$ct" watch --no-breakdown --binary "$PWD/ct-lossy-sh" --ringbuf-size 4096 -f jsonl -o wlost --duration 60 2>werr.txt &
wpid=$!
for i in $(seq 1 100); do sleep 0.1; grep -q "watching" werr.txt && break; done
./ct-lossy-sh -c 'sleep 1' &
quiet=$!
sleep 0.2
./ct-lossy-sh -c 'yes "START RequestId: x Version: 1" | head -c 4000000 >/dev/null' &
lossy=$!
wait $quiet $lossy
sleep 0.5
kill -INT $wpid
wait $wpid
qf=$(ls wlost/*-$quiet.jsonl 2>/dev/null) lf=$(ls wlost/*-$lossy.jsonl 2>/dev/null)
if [ -n "$qf" ] && [ -n "$lf" ] && grep -q '"lost_total":0,' "$qf" && grep -q '"complete":true' "$qf" &&
	grep -qE '"io":[1-9][0-9]*,"listen":0,"resume":0,.*"lost_total":[1-9]' "$lf" && grep -q '"complete":false' "$lf"; then
	ok "watch: losses charged to their own sandbox, by type"
else
	bad "watch: losses charged to their own sandbox, by type" "quiet: $(tail -1 "$qf" 2>&1 | cut -c1-200)" \
		"lossy: $(tail -1 "$lf" 2>&1 | cut -c1-200)" "$(cat werr.txt)"
fi

# SIGTERM (or Ctrl-C) is passed to the command; coldtrace writes what it
# saw and exits with the command's status.
"$ct" run -q -f jsonl -o term.jsonl -- "$progs/initgraph" -sleep 30s >/dev/null 2>err.txt &
ctpid=$!
for i in $(seq 1 50); do sleep 0.1; pgrep -f "initgraph -sleep 30s" >/dev/null && break; done
sleep 0.3
kill -TERM $ctpid
wait $ctpid
rc=$?
if [ $rc = 143 ] && grep -q '"type":"go_main"' term.jsonl && grep -q '"exit_signal":15' term.jsonl; then
	ok "SIGTERM: passed on, trace written, exit 143"
else
	bad "SIGTERM: passed on, trace written, exit 143" "rc=$rc $(cat err.txt)"
fi

# A command that ignores the signal (a script's background job starts with
# SIGINT ignored, and coldtrace hands that on): a second one stops coldtrace.
"$ct" run -q -f jsonl -o int.jsonl -- "$progs/initgraph" -sleep 30s >/dev/null 2>err.txt &
ctpid=$!
for i in $(seq 1 50); do sleep 0.1; pgrep -f "initgraph -sleep 30s" >/dev/null && break; done
sleep 0.3
kill -INT $ctpid
sleep 0.3
kill -INT $ctpid
wait $ctpid
rc=$?
if [ $rc = 130 ] && grep -q '"type":"go_main"' int.jsonl; then
	ok "second SIGINT: stops at once, trace written, exit 130"
else
	bad "second SIGINT: stops at once, trace written, exit 130" "rc=$rc $(cat err.txt)"
fi
pkill -f "initgraph -sleep 30s"

left=$(leftover_bpf $bpf_before) && ok "no BPF program left attached" || bad "no BPF program left attached" "$left"


echo "$pass passed, $fail failed"
[ $fail = 0 ]
