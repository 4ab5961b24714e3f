#!/bin/bash
# hardening.sh COLDTRACE GOPROGS WORKDIR (root): what coldtrace opens,
# writes, reads and signals, against odd files and trees: outputs that are
# symbolic links, devices or FIFOs, inputs that never end, files of other
# users, temporary files a SIGKILLed run left, a full disk under --repeat,
# Ctrl-C once the command's root process has exited, bad --duration values,
# files the kernel will not exec, watch --binary NAME.
# Every coldtrace runs under `timeout` (a blocking open or an endless read
# fails its check instead of hanging the suite); after each part, no
# process of this test is left stopped (state T) and nothing of ours is
# left mounted.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 progs=$2 work=$3
mountpoint -q "$work/full" 2>/dev/null && umount "$work/full"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/leftover.sh"
bpf_before=$(ct_bpf_count)
loopdev= bgpids=

cleanup() {
	local p
	mountpoint -q "$work/full" 2>/dev/null && umount "$work/full"
	[ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
	for p in $bgpids; do kill -9 "$p" 2>/dev/null; done
}
trap cleanup EXIT

check() { if eval "$2"; then ok "$1"; else shift 2; bad "$@"; fi; }

# expect NAME STATUS REGEX_ON_STDERR_OR_EMPTY -- CMD... (under timeout:
# 124/137 say it hung)
expect() {
	local name=$1 want=$2 re=$3
	shift 4
	timeout -k 5 30 "$@" >out.txt 2>err.txt
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$name" "exit $rc, expected $want" "stderr: $(head -c 600 err.txt)"
	elif [ -n "$re" ] && ! grep -qE -e "$re" err.txt; then
		bad "$name" "stderr does not match /$re/: $(head -c 600 err.txt)"
	elif [ -n "$re" ] && [ "$(wc -l <err.txt)" -ne 1 ]; then
		bad "$name" "expected a one-line error, got: $(cat err.txt)"
	else
		ok "$name"
	fi
}

# No process of this test stopped (coldtrace holds new binaries with
# SIGSTOP), nothing mounted under the work directory.
sid=$(ps -o sid= -p $$ | tr -d ' ')
after() {
	local t m
	t=$(ps -eo pid=,stat=,sid=,args= | awk -v s="$sid" '$3 == s && $2 ~ /^T/')
	m=$(findmnt -rn -o TARGET | grep -F "$work" || true)
	[ -z "$t" ] && [ -z "$m" ] && ok "$1: no process left stopped, nothing left mounted" ||
		bad "$1: no process left stopped, nothing left mounted" "stopped: $t" "mounted: $m"
}

# ---- 1. -o writes only regular files: never through a symbolic link,
# onto a device or into a FIFO; refused before anything runs.
mknod nulldev c 1 3
ln -s nulldev link.txt
expect "-o symlink to a device: refused" 2 "link.txt is a symbolic link; -o writes only regular files" -- "$ct" run -q -o link.txt -- touch ran1
check "-o symlink to a device: nothing ran, link and device untouched" '[ ! -e ran1 ] && [ -L link.txt ] && [ -c nulldev ]' \
	"-o symlink to a device: nothing ran, link and device untouched" "$(ls -l)"
expect "-o symlink with --force: refused too" 2 "link.txt is a symbolic link" -- "$ct" run -q --force -o link.txt -- touch ran2
expect "-o a device node: refused" 2 "nulldev is a character device" -- "$ct" run -q --force -o nulldev -- touch ran3
# the issue's case: a symlink to a (throwaway) loop device; its backing
# file must stay all zeros
head -c 1048576 /dev/zero >loop.img
if loopdev=$(losetup -f --show loop.img 2>/dev/null) && [ -b "$loopdev" ]; then
	ln -s "$loopdev" looplink.txt
	expect "-o symlink to a loop device: refused" 2 "looplink.txt is a symbolic link" -- "$ct" run -q --force -o looplink.txt -- touch ran4
	losetup -d "$loopdev" && loopdev=
	check "-o symlink to a loop device: device not written" 'cmp -s loop.img <(head -c 1048576 /dev/zero) && [ ! -e ran4 ]' \
		"-o symlink to a loop device: device not written" "$(od -c loop.img | head -3)"
else
	echo "skip -o symlink to a loop device (no loop device here; the mknod checks above stand)"
	loopdev=
fi
mkfifo out.fifo
expect "-o FIFO: refused at once, never blocks" 2 "out.fifo is a FIFO; -o writes only regular files" -- "$ct" run -q -o out.fifo -- touch ran5
check "-o FIFO: nothing ran" '[ ! -e ran5 ] && [ -p out.fifo ]' "-o FIFO: nothing ran"
mkdir adir
expect "-o a directory (without --repeat): refused" 2 "adir is a directory" -- "$ct" run -q -o adir -- touch ran6
expect "-o - is stdout" 0 "" -- "$ct" run -q -f inittrace -o - -- "$progs/initgraph"
check "-o -: the output on stdout, no file named -" "grep -q '^init main @' out.txt && [ ! -e ./- ]" "-o - is stdout" "$(head -3 out.txt)"
after "outputs"

# ---- 2. Reads that never end: only regular files are read.
mkfifo in.fifo
expect "report /dev/zero: refused, ends" 1 "report: /dev/zero: not a regular file" -- "$ct" report /dev/zero
expect "report FIFO: refused, never blocks" 1 "report: in.fifo: not a regular file" -- "$ct" report in.fifo
expect "inspect FIFO: refused, never blocks" 1 "in.fifo: not a regular file" -- "$ct" inspect in.fifo
expect "inspect /dev/zero: refused" 1 "/dev/zero: not a regular file" -- "$ct" inspect /dev/zero
{ printf '\177ELF\002\001\001'; head -c 120 /dev/zero; } >bad.elf
expect "inspect a malformed ELF: the error names the file" 1 "^coldtrace: bad\.elf: " -- "$ct" inspect bad.elf
: >empty.bin
expect "inspect an empty file: the error names it once" 1 "^coldtrace: empty\.bin: not a Go binary \(not an ELF" -- "$ct" inspect empty.bin
check "inspect: the file named once" '[ "$(grep -o empty.bin err.txt | wc -l)" = 1 ]' "inspect: the file named once" "$(cat err.txt)"
after "reads"

# ---- 3. --force keeps the replaced file's owner and mode; a new file
# gets 0666 & ~umask.
echo old >owned.txt
chown 65534:65534 owned.txt && chmod 0600 owned.txt
expect "--force over another user's 0600 file" 0 "" -- "$ct" run -q --force -f inittrace -o owned.txt -- "$progs/initgraph"
check "--force: owner and mode kept" '[ "$(stat -c "%u:%g %a" owned.txt)" = "65534:65534 600" ] && grep -q "^init main @" owned.txt' \
	"--force: owner and mode kept" "$(stat -c '%U:%G %a' owned.txt) $(head -1 owned.txt)"
(umask 027 && timeout 30 "$ct" run -q -o new.txt -- /bin/true >/dev/null 2>&1)
check "a new file: 0666 & ~umask" '[ "$(stat -c %a new.txt)" = 640 ]' "a new file: 0666 & ~umask" "$(stat -c %a new.txt)"
after "modes"

# ---- 4. A temporary file left by a coldtrace SIGKILLed while writing (strace
# kills it at its fsync, after the write, before the rename) is removed by
# the next run; one whose writer may live is kept: pid alive, or locked
# (a writer in another pid namespace).
( timeout -k 5 30 strace -o /dev/null -e trace=fsync -e inject=fsync:signal=KILL \
	"$ct" run -q -f jsonl -o killed.jsonl -- /bin/true >/dev/null 2>&1 ) 2>/dev/null
left=$(ls killed.jsonl.coldtrace-* 2>/dev/null)
check "SIGKILL while writing leaves FILE.coldtrace-PID-XXXXXX" \
	'[ "$(echo "$left" | grep -cE "^killed\.jsonl\.coldtrace-[0-9]+-[A-Za-z0-9]{6}$")" = 1 ] && [ ! -e killed.jsonl ]' \
	"SIGKILL while writing leaves FILE.coldtrace-PID-XXXXXX" "left: $left" "$(ls)"
sh -c 'exit 0' &
dead=$!
wait $dead
sleep 60 &
live=$!
bgpids="$bgpids $live"
: >"killed.jsonl.coldtrace-$live-L1ve00"
: >"killed.jsonl.coldtrace-$dead-Lk0ck1"
flock -x "killed.jsonl.coldtrace-$dead-Lk0ck1" sleep 60 &
bgpids="$bgpids $!"
for i in $(seq 1 50); do flock -n "killed.jsonl.coldtrace-$dead-Lk0ck1" true || break; sleep 0.1; done
expect "the next run removes it, and says so" 0 "removed \./killed\.jsonl\.coldtrace-[0-9]+-[A-Za-z0-9]{6}, left half-written by coldtrace pid [0-9]+ \(gone\)" \
	-- "$ct" run -f jsonl -o killed.jsonl -- /bin/true
check "stale file removed; live and locked writers' files kept; output written" \
	'[ -n "$left" ] && [ ! -e "$left" ] && [ -e "killed.jsonl.coldtrace-$live-L1ve00" ] && [ -e "killed.jsonl.coldtrace-$dead-Lk0ck1" ] && grep -q "\"type\":\"header\"" killed.jsonl' \
	"stale file removed; live and locked writers' files kept; output written" "$(ls)"
for p in $bgpids; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
bgpids=
after "temporary files"

# ---- 5. A full disk (a 64 KiB tmpfs): each run is made, each failure said,
# the output kept on stdout, a summary, a non-zero status. (--no-breakdown:
# the runs' size must not vary with the scheduler's mood, so that the disk
# can be sized for exactly one.)
mkdir full
if mount -t tmpfs -o size=64k ct-hardening full; then
	mkdir full/runs
	dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
	expect "--repeat 3 on a full disk: exit 1" 1 "" -- "$ct" run -q --no-breakdown --repeat 3 -f jsonl -o full/runs -- "$progs/initgraph"
	nerr=$(grep -cE '^coldtrace: cannot write full/runs/run-00[123]\.jsonl: No space left on device; the output follows on stdout instead$' err.txt)
	check "full disk: each of the 3 runs made, its failure said, its output on stdout" \
		'[ "$nerr" = 3 ] && [ "$(grep -c "\"type\":\"header\"" out.txt)" = 3 ]' \
		"full disk: each of the 3 runs made, its failure said, its output on stdout" "$(cat err.txt)"
	check "full disk: a summary line" 'grep -q "^coldtrace: --repeat: 3 of 3 runs done, 0 written to full/runs; not written: runs 1,2,3 (each went to stdout)$" err.txt' \
		"full disk: a summary line" "$(cat err.txt)"
	check "full disk: no temporary file left" '[ -z "$(ls full/runs)" ]' "full disk: no temporary file left" "$(ls full/runs)"
	# room for about one run: run 1 written, runs 2 and 3 not
	rm -f full/filler full/runs/*
	timeout 30 "$ct" run -q --no-breakdown -f jsonl -o one.jsonl -- "$progs/initgraph" >/dev/null 2>&1
	size=$(stat -c %s one.jsonl)
	pages=$(( (size + 1024 + 4095) / 4096 ))
	if [ $((pages * 4096)) -lt $((2 * size)) ] && [ $pages -lt 15 ]; then
		dd if=/dev/zero of=full/filler bs=4k count=$((16 - pages)) 2>/dev/null
		expect "--repeat 3 with room for one run: exit 1" 1 "" -- "$ct" run -q --no-breakdown --repeat 3 -f jsonl -o full/runs -- "$progs/initgraph"
		check "room for one run: run 1 written, runs 2 and 3 on stdout, said" \
			'[ -s full/runs/run-001.jsonl ] && [ ! -e full/runs/run-002.jsonl ] && [ "$(grep -c "\"type\":\"header\"" out.txt)" = 2 ] && grep -q "3 of 3 runs done, 1 written to full/runs; not written: runs 2,3" err.txt' \
			"room for one run: run 1 written, runs 2 and 3 on stdout, said" "$(ls -l full/runs)" "$(cat err.txt)"
	else
		bad "room for one run" "a run is $size bytes: cannot size the disk for exactly one"
	fi
	# one run, -o FILE on the full disk: the same
	rm -f full/runs/* && dd if=/dev/zero of=full/filler2 bs=4k 2>/dev/null
	expect "-o FILE on a full disk: exit 1, said" 1 "^coldtrace: cannot write full/one\.jsonl: No space left on device; the output follows on stdout instead$" \
		-- "$ct" run -q -f jsonl -o full/one.jsonl -- "$progs/initgraph"
	check "-o FILE on a full disk: output on stdout, nothing left" 'grep -q "\"type\":\"go_init\"" out.txt && [ ! -e full/one.jsonl ] && [ -z "$(ls full | grep coldtrace)" ]' \
		"-o FILE on a full disk: output on stdout, nothing left" "$(ls full)"
	umount full
else
	bad "mount a 64 KiB tmpfs"
fi
after "full disk"

# ---- 6. Ctrl-C once the command's root has exited reaches what is left of
# its tree (here an orphan that traps SIGINT), and coldtrace ends with it.
rm -f got-int ready orphan.pid
"$ct" run -q -f jsonl -o orphan.jsonl -- sh -c \
	"perl -e '\$SIG{INT} = sub { open my \$f, \">\", \"got-int\"; exit 3 }; open my \$r, \">\", \"ready\"; close \$r; sleep 60' & echo \$! >orphan.pid" \
	>/dev/null 2>orphan.err &
ctpid=$!
bgpids=$ctpid
orphan=
for i in $(seq 1 100); do
	[ -s orphan.pid ] && [ -e ready ] && orphan=$(cat orphan.pid) &&
		[ "$(ps -o ppid= -p "$orphan" | tr -d ' ')" = "$ctpid" ] && break # re-parented: the root is gone
	sleep 0.1
done
kill -INT $ctpid
for i in $(seq 1 100); do kill -0 $ctpid 2>/dev/null || break; sleep 0.1; done
if kill -0 $ctpid 2>/dev/null; then
	bad "Ctrl-C after the root exited reaches the rest of the tree" "coldtrace still waits after 10 s; orphan $orphan: $(ps -o stat=,args= -p "$orphan")"
	kill -INT $ctpid
	[ -n "$orphan" ] && kill -9 "$orphan"
	wait $ctpid
else
	wait $ctpid
	rc=$?
	check "Ctrl-C after the root exited reaches the rest of the tree" \
		'[ -e got-int ] && [ $rc = 0 ] && grep -q "\"exit_code\":3" orphan.jsonl' \
		"Ctrl-C after the root exited reaches the rest of the tree" "rc=$rc got-int: $(ls got-int 2>&1)" "$(cat orphan.err)"
fi
bgpids=
after "signals"

# ---- 7. watch --duration: finite, positive.
for d in nan inf -inf -1 0 1e400 ""; do
	expect "watch --duration '$d' refused" 2 "--duration takes a finite number of seconds" -- "$ct" watch --comm nothing-x --duration "$d"
done
after "duration"

# ---- 8. A file the kernel will not exec (empty, or no #!): run by /bin/sh,
# as execvp does, not 126.
: >empty-exec && chmod +x empty-exec
expect "0-byte executable: runs (as an empty script)" 0 "" -- "$ct" run -q -f jsonl -o empty.jsonl -- ./empty-exec
check "0-byte executable: /bin/sh exec'd with it" 'grep "\"type\":\"exec\"" empty.jsonl | grep -q "empty-exec"' \
	"0-byte executable: /bin/sh exec'd with it" "$(grep exec empty.jsonl)"
printf 'echo "script ran with $1"\nexit 7\n' >noshebang && chmod +x noshebang
expect "script without #!: runs, its status passes through" 7 "" -- "$ct" run -q -o ns.txt -- ./noshebang arg1
check "script without #!: its output" 'grep -q "^script ran with arg1$" out.txt' "script without #!: its output" "$(cat out.txt)"
expect "script without #! found in PATH" 7 "" -- env PATH="$work:$PATH" "$ct" run -q -o ns2.txt -- noshebang arg2
after "exec"

# ---- 9. watch --binary NAME: relative to the current directory, not $PATH;
# a directory is refused.
mkdir -p wdir && cp "$progs/initgraph" wdir/ctwrel
( cd wdir && exec timeout -k 5 60 "$ct" watch --binary ctwrel -f jsonl -o wout --duration 50 ) 2>watch.err &
wpid=$!
bgpids=$wpid
for i in $(seq 1 100); do grep -q "watching" watch.err && break; sleep 0.1; done
( cd wdir && ./ctwrel >/dev/null )
for i in $(seq 1 50); do [ -n "$(ls wdir/wout 2>/dev/null)" ] && break; sleep 0.1; done
kill -INT $wpid
wait $wpid
f=$(ls wdir/wout/*.jsonl 2>/dev/null | head -1)
check "watch --binary NAME (relative): its package inits traced" \
	'[ -n "$f" ] && grep -q "\"type\":\"go_init\"" "$f" && grep -q "\"type\":\"go_main\"" "$f"' \
	"watch --binary NAME (relative): its package inits traced" "file: $f" "$(cat watch.err)"
# one that appears only once watch runs, exec'd at once (before watch looks
# at its globs again): caught by its name, held, armed
( cd wdir && exec timeout -k 5 60 "$ct" watch --binary ctwlate -f jsonl -o wout2 --duration 50 ) 2>watch2.err &
wpid=$!
bgpids=$wpid
for i in $(seq 1 100); do grep -q "watching" watch2.err && break; sleep 0.1; done
( cd wdir && cp ctwrel ctwlate && ./ctwlate >/dev/null )
for i in $(seq 1 50); do [ -n "$(ls wdir/wout2 2>/dev/null)" ] && break; sleep 0.1; done
kill -INT $wpid
wait $wpid
f=$(ls wdir/wout2/*.jsonl 2>/dev/null | head -1)
check "watch --binary NAME that appears later: traced from its exec" \
	'[ -n "$f" ] && grep -q "\"type\":\"go_init\"" "$f" && grep -q "\"type\":\"go_main\"" "$f"' \
	"watch --binary NAME that appears later: traced from its exec" "file: $f" "$(cat watch2.err)"
bgpids=
expect "watch --binary DIR refused" 2 "watch: --binary wdir is a directory" -- "$ct" watch --binary wdir --duration 1
after "watch --binary"

left=$(leftover_bpf "$bpf_before") && ok "no BPF program left attached" || bad "no BPF program left attached" "$left"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
