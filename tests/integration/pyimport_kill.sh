#!/bin/bash
# pyimport_kill.sh COLDTRACE WORKDIR (root, real BPF)
# coldtrace must never harm the Python program it traces, even SIGKILLed
# in the middle of its imports: a python3 program imports N fresh modules
# one by one (each sleeps 10 ms in its body, so nearly all the time is
# spent inside PyImport_ImportModuleLevelObject, its uretprobe pending),
# and coldtrace is SIGKILLed a while after the first quarter of them (0,
# 150 and 400 ms after). The program must finish with its normal output
# and exit 0, nothing of this test may be left stopped, and the import
# probes must go away.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=$1 work=$2
py=/usr/bin/python3
N=200
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache

stopped() { ps -eo stat=,pid=,comm=,args= | awk -v pat="$work" '$1 ~ /^T/ && $3 != "coldtrace" && index($0, pat) {print $2}'; }
py_probes() { bpftool prog show 2>/dev/null | grep -c 'name ct_py_probe'; }
ctpid=
cleanup() { [ -n "$ctpid" ] && kill -9 "$ctpid" 2>/dev/null; for p in $(stopped); do kill -CONT "$p"; done; }
trap cleanup EXIT

cat >loader.py <<'EOF'
import sys
d, n, mark = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, d)
s = 0
for i in range(n):
    if i == n // 4:
        open(mark, "w").close()
    s += __import__("m%d" % i).X
print("sum", s, "of", n)
EOF
want="sum $((N * (N - 1) / 2)) of $N"
probes_before=$(py_probes)

for delay in 0 0.15 0.4; do
	name=kill-$delay
	mkdir -p "$name.mods"
	for i in $(seq 0 $((N - 1))); do
		printf 'import time\ntime.sleep(0.01)\nX = %d\n' "$i" >"$name.mods/m$i.py"
	done
	"$ct" run --force -f importtime -o "$name.txt" -- \
		sh -c "'$py' -B loader.py '$work/$name.mods' $N '$work/$name.mark' >'$work/$name.out'; echo \$? >'$work/$name.rc'" \
		>"$name.ct.out" 2>"$name.ct.err" &
	ctpid=$!
	for i in $(seq 1 600); do
		[ -e "$name.mark" ] && break
		sleep 0.1
	done
	if [ ! -e "$name.mark" ]; then
		bad "$name: the program started importing" "$(cat "$name.ct.err" | head -5)"
		kill -9 "$ctpid"
		continue
	fi
	sleep "$delay"
	kill -9 "$ctpid"
	wait "$ctpid" 2>/dev/null
	ctpid=
	for i in $(seq 1 600); do
		[ -s "$name.rc" ] && break
		sleep 0.1
	done
	[ "$(cat "$name.rc" 2>/dev/null)" = 0 ] && [ "$(cat "$name.out")" = "$want" ] &&
		ok "$name: coldtrace SIGKILLed mid-imports, the program finished: '$want', exit 0" ||
		bad "$name: coldtrace SIGKILLed mid-imports, the program finished" \
			"exit '$(cat "$name.rc" 2>/dev/null)', output '$(cat "$name.out" 2>/dev/null)', expected '$want'"
	s=
	for i in $(seq 1 30); do
		s=$(stopped)
		[ -z "$s" ] && break
		sleep 0.1
	done
	[ -z "$s" ] && ok "$name: nothing left stopped" || bad "$name: processes left stopped" "$s"
done

# the import probes are gone with coldtrace (its guardian detaches them)
n=
for i in $(seq 1 100); do
	n=$(py_probes)
	[ "$n" -le "$probes_before" ] && break
	sleep 0.1
done
[ "$n" -le "$probes_before" ] && ok "no import probe program left ($n, $probes_before before)" ||
	bad "import probe programs left" "$n loaded, $probes_before before"

# the control: the same program traced to its end has its imports listed
mkdir -p ctl.mods
for i in $(seq 0 $((N - 1))); do
	printf 'import time\ntime.sleep(0.01)\nX = %d\n' "$i" >"ctl.mods/m$i.py"
done
timeout -k 5 120 "$ct" run --force -f importtime -o ctl.txt -- "$py" -B loader.py "$work/ctl.mods" $N "$work/ctl.mark" \
	>ctl.out 2>ctl.err
rc=$?
n=$(grep -c '^import time: *[0-9].*| m[0-9]*$' ctl.txt)
[ "$rc" = 0 ] && [ "$(cat ctl.out)" = "$want" ] && [ "$n" = "$N" ] &&
	ok "traced to its end: exit 0, the $N modules listed" ||
	bad "traced to its end: exit 0, the $N modules listed" "exit $rc, $n modules" "$(head -3 ctl.err)"
finish
