#!/bin/bash
# bench/pyimport.sh [BUILD_DIR] [ROUNDS] [PER]
#
# What tracing CPython imports costs, as ratios within one run (the machine is
# shared and noisy: compare only within a run). The work: Debian's
# /usr/bin/python3 importing the demo handler (<build>/sandbox/python/app.py,
# whose import does only imports: 148 stdlib module loads on top of the
# interpreter's own 32 start-up loads).
#
# Two figures per python process:
#  - import: `import app` itself, timed inside the process (perf_counter_ns
#    around the statement, written to a file after it); interpreter start-up
#    and coldtrace's start-up are out of it;
#  - process: the python process's wall time fork -> exit (bench/spawn_time,
#    which runs INSIDE the tracer and forks python once per run): the
#    interpreter's start-up imports (site, encodings, ...) are traced too, and
#    this figure includes them; coldtrace's own start-up and exit are not in
#    it (spawn_time starts after coldtrace has attached and returns before
#    coldtrace renders).
#
# Modes, ROUNDS rounds, each mode once per round in a rotating order, a batch
# of PER python runs each (+1 warm-up run not counted: page cache, .pyc files,
# a tracer's first exec of the binary):
#  U  untraced;
#  C  `coldtrace run --stats -- spawn_time ...` (the three CPython probes);
#  N  `coldtrace run --no-python --stats ...` (the rest of coldtrace);
#  B3 bpftrace on the same three probe points, each hit only counted
#     (`@[probe] = count()`): the floor of any uprobe tracer on them;
#  BE bpftrace counting on the two ENTRY probes only (no uretprobe).
# B3 and BE run only if bpftrace is installed (bench/run installs it).
#
# Also: coldtrace's probe hits per module load (--stats: py_probe_hits /
# py_imports), checked against the loads Python itself reports
# (PYTHONPROFILEIMPORTTIME=1, untraced), and the hits per probe kind
# (bpftrace's counts: every process's hits on the binary, as coldtrace's).
#
# Prints markdown (tables, ratio lines, the 1.3x target as met / not met).
# Exits non-zero only if something failed to run. Needs root (BPF); run it
# under `flock /tmp/coldtrace-integ.lock`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "bench/pyimport.sh: no build dir ${1:-$here/../build}" >&2; exit 2; }
rounds=${2:-5}
per=${3:-3}
ct=$build/coldtrace
py=/usr/bin/python3
app=$build/sandbox/python
die() { echo "bench/pyimport.sh: $*" >&2; exit 1; }
log() { echo "bench/pyimport.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$ct" ] || die "$ct not found: build first"
[ -f "$app/app.py" ] || die "$app/app.py not found: build first"
[ -x "$py" ] || die "$py not found (apt-get install python3)"
case $rounds$per in *[!0-9]*) die "ROUNDS and PER must be numbers" ;; esac
[ "$rounds" -ge 1 ] && [ "$per" -ge 1 ] || die "ROUNDS and PER must be >= 1"

work=$(mktemp -d /tmp/ct-bench-py.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$work/spawn_time" "$here/spawn_time.c" || die "cannot build spawn_time"
st=$work/spawn_time
fail=0

# The measured python (a file, the same command in every mode): argv[1] the
# handler's folder, argv[2] the file the import time (ns) is appended to,
# after the timed statement.
cat >"$work/measure.py" <<'EOF'
import sys, time
sys.path.insert(0, sys.argv[1])
t = time.perf_counter_ns()
import app
d = time.perf_counter_ns() - t
with open(sys.argv[2], "a") as f:
    f.write("%d\n" % d)
EOF
m_py=$work/measure.py

# The binary behind /usr/bin/python3 (bpftrace wants the real file).
pybin=$(readlink -f "$py")
modes=(U C N)
if command -v bpftrace >/dev/null; then
	printf 'uprobe:%s:PyImport_ImportModuleLevelObject,\nuretprobe:%s:PyImport_ImportModuleLevelObject,\nuprobe:%s:PyObject_CallMethodObjArgs\n{ @[probe] = count(); }\n' \
		"$pybin" "$pybin" "$pybin" >"$work/b3.bt"
	printf 'uprobe:%s:PyImport_ImportModuleLevelObject,\nuprobe:%s:PyObject_CallMethodObjArgs\n{ @[probe] = count(); }\n' \
		"$pybin" "$pybin" >"$work/be.bt"
	if bpftrace -o "$work/trial.out" -c /bin/true "$work/b3.bt" >/dev/null 2>"$work/trial.err"; then
		modes=(U C N B3 BE)
	else
		log "bpftrace cannot attach, no bpftrace columns: $(grep -v RLIMIT "$work/trial.err" | head -n 2 | tr '\n' ' ')"
	fi
else
	log "bpftrace not installed: no bpftrace columns"
fi
nm=${#modes[@]}

one_batch() { # mode round
	local m=$1 r=$2 b=$work/$1-$2
	: >"$b.imp"
	case $m in
	U) "$st" -w 1 "$per" "$py" "$m_py" "$app" "$b.imp" 2>"$b.txt" ;;
	C) "$ct" run -q --stats -f jsonl -o "$b.jsonl" --force -- "$st" -w 1 "$per" "$py" "$m_py" "$app" "$b.imp" 2>"$b.txt" ;;
	N) "$ct" run -q --no-python --stats -f jsonl -o "$b.jsonl" --force -- "$st" -w 1 "$per" "$py" "$m_py" "$app" "$b.imp" 2>"$b.txt" ;;
	# bpftrace -c splits its string on spaces: no path here has one
	B3) bpftrace -o "$b.bt" -c "$st -w 1 $per $py $m_py $app $b.imp" "$work/b3.bt" >/dev/null 2>"$b.txt" ;;
	BE) bpftrace -o "$b.bt" -c "$st -w 1 $per $py $m_py $app $b.imp" "$work/be.bt" >/dev/null 2>"$b.txt" ;;
	esac
	local rc=$?
	if [ $rc != 0 ] || ! grep -q '^median ' "$b.txt"; then
		log "mode $m round $r failed (exit $rc): $(grep -v RLIMIT "$b.txt" | tail -n 2 | tr '\n' ' ')"
		fail=1
		return
	fi
	# the first line is the warm-up run's
	if [ "$(wc -l <"$b.imp")" != $((per + 1)) ]; then
		log "mode $m round $r: $(wc -l <"$b.imp") import times for $((per + 1)) runs"
		fail=1
		return
	fi
	tail -n +2 "$b.imp" >>"$work/$m.imp"
	sed -n 's/^run [0-9]* \([0-9]*\) us$/\1/p' "$b.txt" >>"$work/$m.wall"
	case $m in
	C | N) sed -n 's/.*py_probe_hits=\([0-9]*\) py_imports=\([0-9]*\).*/\1 \2/p' "$b.txt" >>"$work/$m.hits"
	       grep '"type":"summary"' "$b.jsonl" | sed -n 's/.*"lost_total":\([0-9]*\).*/\1/p' >>"$work/$m.lost" ;;
	B3 | BE) sed -n 's/^@\[\(u[a-z]*probe\):[^:]*:\([A-Za-z_]*\)\]: \([0-9]*\)$/\1:\2 \3/p' "$b.bt" >>"$work/$m.kinds"
		echo "$b" >>"$work/$m.batches" ;;
	esac
}

log "$rounds rounds x $per runs (+1 warm-up per batch) of: ${modes[*]}"
for r in $(seq 0 $((rounds - 1))); do
	for i in $(seq 0 $((nm - 1))); do
		one_batch "${modes[$(((i + r) % nm))]}" "$r"
	done
done

# Python's own count of the loads of one process (untraced), 3 times.
for _ in 1 2 3; do
	PYTHONPROFILEIMPORTTIME=1 "$py" "$m_py" "$app" /dev/null 2>&1 >/dev/null | grep -c '^import time: *[0-9]'
done >"$work/importtime.n"
# loads by `import app` alone (new entries in sys.modules)
napp=$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); n = len(sys.modules); import app; print(len(sys.modules) - n)' "$app")

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
med() { if [ -s "$work/$1.$2" ]; then median <"$work/$1.$2"; else echo nan; fi; }
cnt() { if [ -s "$work/$1.imp" ]; then wc -l <"$work/$1.imp"; else echo 0; fi; }
# per-round paired ratio: median over rounds of (median of MODE's runs / median of U's runs in that round)
paired() { # mode figure(imp|wall)
	local r
	for r in $(seq 0 $((rounds - 1))); do
		local a=$work/$1-$r b=$work/U-$r
		if [ "$2" = imp ]; then
			[ -s "$a.imp" ] && [ -s "$b.imp" ] || continue
			awk -v x="$(tail -n +2 "$a.imp" | median)" -v y="$(tail -n +2 "$b.imp" | median)" 'BEGIN {print x / y}'
		else
			[ -s "$a.txt" ] && [ -s "$b.txt" ] || continue
			awk -v x="$(sed -n 's/^run [0-9]* \([0-9]*\) us$/\1/p' "$a.txt" | median)" \
				-v y="$(sed -n 's/^run [0-9]* \([0-9]*\) us$/\1/p' "$b.txt" | median)" 'BEGIN {print x / y}'
		fi
	done | median
}

ui=$(med U imp) uw=$(med U wall)
ci=$(med C imp) cw=$(med C wall)
ni=$(med N imp) nw=$(med N wall)
runs=$((per + 1))
# hits and loads per python process (each coldtrace run: PER + 1 processes)
read -r hpp ipp < <(awk -v k=$runs '{h += $1; i += $2; n++} END {if (n) printf "%.1f %.1f\n", h / (n * k), i / (n * k); else print "nan nan"}' "$work/C.hits" 2>/dev/null || echo "nan nan")
itn=$(median <"$work/importtime.n")
lost=$(cat "$work/C.lost" "$work/N.lost" 2>/dev/null | awk '{s += $1} END {print s + 0}')

echo "### bench/pyimport.sh: $rounds rounds x $per runs per mode"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r), $("$py" -V 2>&1) ($pybin), coldtrace commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown); shared machine (load average $(cut -d' ' -f1-3 /proc/loadavg)): only ratios within this run mean anything."
echo
echo "The demo handler's import (\`import app\`, $napp modules loaded by it) timed inside the python process, and"
echo "that process's wall time fork -> exit (interpreter start-up and its own imports included; coldtrace's"
echo "start-up and exit not). Medians of the counted runs; order of the modes rotated every round;"
echo "each batch's first run (warm-up) not counted. Paired: median over rounds of (mode / untraced) in the round."
echo
echo "| mode | import app (median) | vs untraced | paired | process wall (median) | vs untraced | paired | runs |"
echo "|---|---|---|---|---|---|---|---|"
row() { # mode label
	local i w
	i=$(med "$1" imp) w=$(med "$1" wall)
	awk -v l="$2" -v i="$i" -v w="$w" -v ui="$ui" -v uw="$uw" -v pi="$(paired "$1" imp)" -v pw="$(paired "$1" wall)" -v n="$(cnt "$1")" 'BEGIN {
		printf "| %s | %.2f ms | %.2fx | %.2fx | %.2f ms | %.2fx | %.2fx | %d |\n", l, i / 1e6, i / ui, pi, w / 1e3, w / uw, pw, n }'
}
row U "untraced"
row C "coldtrace run (CPython probes)"
row N "coldtrace run --no-python"
for m in "${modes[@]}"; do
	case $m in
	B3) row B3 "bpftrace, count only, same 3 probes" ;;
	BE) row BE "bpftrace, count only, 2 entry probes (no uretprobe)" ;;
	esac
done
echo
echo "Probe hits (coldtrace \`--stats\`, per python process): $hpp hits, $ipp module loads traced"
echo "(PYTHONPROFILEIMPORTTIME=1 untraced reports $itn loads: $(awk -v a="$ipp" -v b="$itn" 'BEGIN {print (a == b) ? "agrees" : "DIFFERS"}')),"
echo "**$(awk -v h="$hpp" -v i="$ipp" 'BEGIN {if (i > 0) printf "%.2f", h / i; else print "n/a"}') hits per module load**; events lost: $lost."
echo "Per coldtrace run ($runs python processes each, warm-up included), hits / loads: $(awk '{printf "%s%d/%d", (NR > 1) ? ", " : "", $1, $2}' "$work/C.hits" 2>/dev/null);"
echo "with --no-python: $(awk '{printf "%s%d/%d", (NR > 1) ? ", " : "", $1, $2}' "$work/N.hits" 2>/dev/null)."
if [ -s "$work/B3.kinds" ]; then
	echo
	echo "Hits per probe kind (bpftrace's counts, per python process; every process's hits on $pybin while attached):"
	echo
	echo "| probe | hits per process | per module load |"
	echo "|---|---|---|"
	awk -v p="$(($(wc -l <"$work/B3.batches") * runs))" -v il="$ipp" '{s[$1] += $2; if (!($1 in s0)) {s0[$1] = 1; nm[++m] = $1}}
		END {for (j = 1; j <= m; j++) {h = s[nm[j]] / p; printf "| %s | %.1f | %.2f |\n", nm[j], h, (il > 0) ? h / il : 0}}' "$work/B3.kinds"
fi
echo
awk -v ui="$ui" -v ci="$ci" -v ni="$ni" -v uw="$uw" -v cw="$cw" -v nw="$nw" -v h="$hpp" -v pc="$(paired C imp)" 'BEGIN {
	printf "- traced / untraced, import app: **%.2fx** (%.2f -> %.2f ms; paired %.2fx): target <= 1.3x **%s**\n", ci / ui, ui / 1e6, ci / 1e6, pc, (ci / ui <= 1.3) ? "met" : "NOT met"
	printf "- traced / untraced, whole python process: %.2fx (%.2f -> %.2f ms)\n", cw / uw, uw / 1e3, cw / 1e3
	printf "- the CPython probes alone (coldtrace / --no-python): import %.2fx, process %.2fx; the rest of coldtrace (--no-python / untraced): import %.2fx, process %.2fx\n", ci / ni, cw / nw, ni / ui, nw / uw
	if (h > 0)
		printf "- the CPython probes per hit: (process traced - --no-python) / hits = %.2f us (meaningless when the difference is within the noise: compare the paired ratios)\n", (cw - nw) / h
}'
if [[ " ${modes[*]} " = *" B3 "* ]]; then
	awk -v ui="$ui" -v uw="$uw" -v ci="$ci" -v cw="$cw" -v b3i="$(med B3 imp)" -v b3w="$(med B3 wall)" -v bei="$(med BE imp)" -v bew="$(med BE wall)" -v h="$hpp" 'BEGIN {
		printf "- bare uprobes (bpftrace count, 3 probes) / untraced: import %.2fx, process %.2fx; coldtrace / bare uprobes: import %.2fx, process %.2fx\n", b3i / ui, b3w / uw, ci / b3i, cw / b3w
		printf "- the uretprobe (bpftrace 3 probes / 2 entry probes): import %.2fx, process %.2fx\n", b3i / bei, b3w / bew
	}'
fi
echo
echo "| target | result | met? | where |"
echo "|---|---|---|---|"
awk -v ui="$ui" -v ci="$ci" -v pc="$(paired C imp)" -v h="$hpp" -v il="$ipp" 'BEGIN {
	printf "| Python imports: traced import of the demo handler <= 1.3x untraced | %.2fx (%.2f -> %.2f ms; paired %.2fx); %.2f probe hits per module load | %s | bench/pyimport.sh |\n",
		ci / ui, ui / 1e6, ci / 1e6, pc, (il > 0) ? h / il : 0, (ci / ui <= 1.3) ? "**met**" : "**NOT met**" }'
[ $fail = 0 ] || { echo; echo "(some batches failed: see stderr)"; }
exit $fail
