#!/bin/bash
# faults.sh COLDTRACE GOPROGS SANDBOX_DIR WORKDIR
# Faults: a traced process killed in the middle of its init, a tree forking
# thousands of short processes, coldtrace itself killed (SIGKILL), outputs
# that cannot be written (refused up front), and 200 cold starts under one
# `coldtrace watch` with no growth in its memory or open files.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 progs=$2 sb=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/leftover.sh"
bpf_before=$(ct_bpf_count)

# 1. SIGKILL in the middle of a package init: the timeline says the package
#    never returned and the process was killed; coldtrace exits 128+9.
"$ct" run -q -f jsonl -o kill.jsonl -- sh -c \
	"INITGRAPH_SLEEP_IN_INIT=5s '$progs/initgraph' & p=\$!; sleep 0.5; kill -9 \$p; wait \$p" 2>err.txt
rc=$?
if [ $rc = 137 ] && grep '"pkg":"example.com/initgraph/gamma"' kill.jsonl | grep -qv '"end_ns"' &&
	grep -q '"exit_signal":9' kill.jsonl && ! grep -q '"type":"go_main"' kill.jsonl; then
	ok "killed in init: open package, signal 9, no main.main"
else
	bad "killed in init: open package, signal 9, no main.main" "rc=$rc" "$(grep -E 'gamma|exit_signal' kill.jsonl | head -3)" "$(cat err.txt)"
fi
"$ct" run -q -- sh -c "INITGRAPH_SLEEP_IN_INIT=5s '$progs/initgraph' & p=\$!; sleep 0.5; kill -9 \$p; wait \$p" >kill.txt 2>&1
grep -q "package init that never returned: example.com/initgraph/gamma" kill.txt && grep -q "main.main *not reached" kill.txt &&
	ok "killed in init: the text view says what is missing" || bad "killed in init: the text view says what is missing" "$(head -20 kill.txt)"

# 2. Thousands of short processes: every exec and exit of the 3001 (sh and
#    3000 /bin/true) is either in the trace or counted as lost, and each
#    process is there unless all of its records were lost.
"$ct" run -q -f jsonl -o many.jsonl -- sh -c 'i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done' 2>err.txt
rc=$?
n=$(grep -c '"type":"process"' many.jsonl)
execs=$(grep -c '"type":"exec"' many.jsonl)
exits=$(grep '"type":"process"' many.jsonl | grep -c '"exit_ns"')
lost_of() { sed -n "s/.*\"lost\":{[^}]*\"$1\":\([0-9]*\).*/\1/p" many.jsonl; }
lexec=$(lost_of exec) lexit=$(lost_of exit) lfork=$(lost_of fork)
if [ $rc = 0 ] && [ -n "$lexec" ] && [ -n "$lexit" ] && [ -n "$lfork" ] &&
	[ $((execs + lexec)) = 3001 ] && [ $((exits + lexit)) = 3001 ] &&
	[ "$n" -le 3001 ] && [ "$n" -ge $((3001 - lexec - lexit - lfork)) ]; then
	ok "3000 short processes: $n processes, $execs execs + $lexec lost, $exits exits + $lexit lost, $lfork forks lost"
else
	bad "3000 short processes" "rc=$rc processes=$n execs=$execs+$lexec exits=$exits+$lexit lost forks=$lfork" "$(cat err.txt)"
fi

# 3. coldtrace killed with SIGKILL: the kernel drops its programs with its
#    file descriptors; the command goes on; the next start works.
"$ct" run -q -- "$progs/initgraph" -sleep 3s >/dev/null 2>&1 &
ctpid=$!
sleep 1
kill -9 $ctpid
wait $ctpid 2>/dev/null
left=$(leftover_bpf "$bpf_before") && ok "after SIGKILL nothing stays attached" || bad "after SIGKILL nothing stays attached" "$left"
pkill -f "initgraph -sleep 3s"
"$ct" run -q -f inittrace -- "$progs/initgraph" >again.txt 2>&1 && grep -q '^init main @' again.txt &&
	ok "after SIGKILL the next start works" || bad "after SIGKILL the next start works" "$(head -3 again.txt)"

# 4. Outputs that cannot be written are refused before anything runs (no
#    trace is lost): a device, a path in no directory. (A full disk, where
#    the output goes to stdout instead, is in hardening.sh.)
"$ct" run -q -f inittrace -o /dev/full -- touch ran-full >full.out 2>full.err
rc=$?
if [ $rc = 2 ] && grep -q "^coldtrace: /dev/full is a character device; -o writes only regular files" full.err &&
	[ ! -e ran-full ] && [ ! -s full.out ]; then
	ok "device output: refused before tracing"
else
	bad "device output: refused before tracing" "rc=$rc $(cat full.err)"
fi
"$ct" run -q -f inittrace -o /proc/version/x -- touch ran-ro >ro.out 2>ro.err
rc=$?
if [ $rc = 1 ] && grep -q "^coldtrace: cannot write into /proc/version: Not a directory" ro.err && [ ! -e ran-ro ]; then
	ok "unwritable path: refused before tracing"
else
	bad "unwritable path: refused before tracing" "rc=$rc $(cat ro.err)"
fi

# 5. 200 cold starts under one watch: memory and open files do not grow.
# (under AddressSanitizer, freed memory waits in a quarantine of up to 256
# MiB before reuse: shrink it so RSS measures coldtrace, not the sanitizer;
# the variable means nothing to a normal build)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1:thread_local_quarantine_size_kb=64" \
	"$ct" watch -q --binary "$sb/ct-agent" -f jsonl -o wout --duration 600 2>watch.err &
wpid=$!
sleep 1
sample() { # RSS_KB FDS
	echo "$(awk '/VmRSS/ {print $2}' /proc/$wpid/status) $(ls /proc/$wpid/fd | wc -l)"
}
coldstart() {
	"$sb/ct-driver" --runtime go --runtime-api-address 127.0.0.1:19791 --invoke-address 127.0.0.1:18791 >/dev/null 2>&1
}
for i in $(seq 1 20); do coldstart || break; done
sleep 0.5
read rss1 fd1 <<<"$(sample)"
for i in $(seq 21 200); do coldstart || { bad "cold start $i"; break; }; done
sleep 0.5
read rss2 fd2 <<<"$(sample)"
kill -INT $wpid
wait $wpid
files=$(ls wout | wc -l)
growth=$((rss2 - rss1))
if [ "$files" = 200 ] && [ "$fd2" -le "$fd1" ] && [ $growth -lt 4096 ]; then
	ok "200 cold starts under one watch: 200 files, RSS $rss1 -> $rss2 KiB, fds $fd1 -> $fd2"
else
	bad "200 cold starts under one watch" "files=$files RSS $rss1 -> $rss2 KiB fds $fd1 -> $fd2" "$(tail -3 watch.err)"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
