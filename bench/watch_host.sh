#!/bin/bash
# bench/watch_host.sh [BUILD_DIR] [ROUNDS]
#
# Watch on a busy host: what `coldtrace watch` left running on a host costs
# the processes it does NOT trace. Two workloads outside any traced tree,
# each as throughput:
#
#   ping-pong  bench/pingpong: two processes bouncing 1 byte over a pair of
#              pipes for PP_SECONDS (default 3) s; round trips/s (each is 2
#              write(2) + 2 read(2) and two wake-ups);
#   HTTP       wrk -t1 -c4 -d WRK_SECONDS (default 5) s against
#              bench/httpserver (Go net/http, 127.0.0.1, untraced); req/s;
#
# in five settings, ROUNDS rounds (default 7), the order rotated every round
# (a,b,c,d,e / b,c,d,e,a / ...), median of each:
#
#   (a) no coldtrace;
#   (b) `coldtrace watch --binary BUILD/sandbox/ct-agent` running, idle (no
#       sandbox): only the fork/exec/exit tracepoints are attached;
#   (c) the same watch while the demo sandbox (ct-driver --runtime go
#       --invokes 1, whose agent is ct-agent, so watch traces it) runs over
#       and over in a background loop: the syscall hook (raw_syscalls
#       sys_exit, run for every syscall on the machine) is attached while a
#       sandbox is live;
#   (d) the same sandbox loop without coldtrace: a control, so that what
#       (c) costs beyond the loop's own CPU is visible ((c)/(d));
#   (e) `coldtrace run -- sleep 600`: the syscall hook attached the whole
#       time and nothing else going on: the cost of the hook alone.
#
# Targets: (b)/(a) >= 99.5% (idle) and (c)/(a) >= 97% (busy), per workload.
# During every setting the sys_exit links are counted every 50 ms
# (bench/hookcount: the count `bpftool link show | grep -c "tp 'sys_exit'"`
# gives, without an exec of bpftool per sample; and those held by the
# coldtrace of the setting): the share of (c) with the hook attached (0%
# expected in (b)), and samples with other users' sys_exit hooks (they
# slow every setting). The cost of one hooked syscall is derived from the
# ping-pong (4 syscalls per round trip): (e) vs (a).
# Prints a markdown section. Needs root (BPF), Go, cc, wrk (installed with
# apt-get if missing). Run it under the shared lock:
#   flock /tmp/coldtrace-integ.lock bash bench/watch_host.sh build
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "watch_host.sh: no build dir ${1:-$here/../build}" >&2; exit 2; }
rounds=${2:-7}
ct=$build/coldtrace
agent=$build/sandbox/ct-agent
driver=$build/sandbox/ct-driver
pp_secs=${PP_SECONDS:-3}
wrk_secs=${WRK_SECONDS:-5}
port_srv=18750                   # the untraced HTTP server
port_api=19751 port_inv=18751    # the sandbox loop's agent
sample_ms=50

die() { echo "watch_host.sh: $*" >&2; exit 1; }
log() { echo "watch_host.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$ct" ] || die "$ct not found: build first"
for f in "$agent" "$driver" "$build/sandbox/ct-runtime-go"; do [ -x "$f" ] || die "$f not found: build first"; done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$rounds'"
if ! command -v wrk >/dev/null; then
	log "installing wrk"
	apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } ||
		die "cannot install wrk"
fi
go=$(command -v go || echo /usr/lib/go/bin/go)
[ -x "$go" ] || die "go not found"

work=$(mktemp -d /tmp/ct-bench-watchhost.XXXXXX)
export XDG_CACHE_HOME=$work/cache # coldtrace's binary cache: this run's own
srv_pid= watch_pid= loop_pid= samp_pid= run_pid=

# stop_pid PID SIGNAL SECONDS: signal it, wait up to SECONDS, then SIGKILL
stop_pid() {
	local p=$1 i
	kill -"$2" "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	for i in $(seq 1 $(($3 * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		log "pid $p still running $3 s after SIG$2: SIGKILL"
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
}
# the sandbox loop: ask it to stop after its current sandbox; if it does not
# within 20 s, kill it and the sandbox processes under it, by pid
loop_stop() {
	[ -n "$loop_pid" ] || return 0
	touch "$work/loop.stop"
	local i
	for i in $(seq 1 200); do kill -0 "$loop_pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$loop_pid" 2>/dev/null; then
		log "sandbox loop $loop_pid still running 20 s after its stop: killing it and its children"
		kids() { local c; for c in $(pgrep -P "$1"); do kids "$c"; echo "$c"; done; }
		local tree
		tree=$(kids "$loop_pid")
		kill -KILL "$loop_pid" $tree 2>/dev/null
	fi
	wait "$loop_pid" 2>/dev/null
	loop_pid=
}
cleanup() {
	# only what this script started, by pid
	loop_stop
	[ -n "$samp_pid" ] && stop_pid "$samp_pid" TERM 2
	[ -n "$watch_pid" ] && stop_pid "$watch_pid" INT 10
	[ -n "$run_pid" ] && stop_pid "$run_pid" INT 10
	[ -n "$srv_pid" ] && stop_pid "$srv_pid" TERM 5
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_listen() { for _ in $(seq 1 200); do listening "$1" && return 0; sleep 0.05; done; return 1; }
for p in $port_srv $port_api $port_inv; do listening $p && die "port $p is in use"; done

# --- the programs ------------------------------------------------------------
cc -O2 -o "$work/pingpong" "$here/pingpong.c" || die "cannot build pingpong"
cc -O2 -o "$work/hookcount" "$here/hookcount.c" || die "cannot build hookcount"
"$work/hookcount" >/dev/null || die "hookcount cannot list BPF links"
srv=$work/ct-httpserver
(cd "$here/httpserver" && GOPROXY=off GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 GOCACHE="$build/gocache" \
	"$go" build -buildvcs=false -o "$srv" .) || die "go build of bench/httpserver failed"

"$srv" --addr 127.0.0.1:$port_srv >"$work/srv.out" 2>&1 &
srv_pid=$!
wait_listen $port_srv || die "server did not listen on $port_srv"
wrk -t1 -c4 -d1s "http://127.0.0.1:$port_srv/" >/dev/null 2>&1 # warm-up
"$work/pingpong" 0.5 >/dev/null || die "pingpong failed"

# --- the settings --------------------------------------------------------------
watch_start() { # tag
	mkdir -p "$work/out-$1"
	# a background job of a script starts with SIGINT ignored: reset it
	(trap - INT; exec "$ct" watch -v --binary "$agent" -f jsonl -o "$work/out-$1") >/dev/null 2>"$work/watch-$1.err" &
	watch_pid=$!
	for _ in $(seq 1 200); do grep -q "watching" "$work/watch-$1.err" && break; kill -0 $watch_pid 2>/dev/null || break; sleep 0.05; done
	grep -q "watching" "$work/watch-$1.err" || die "coldtrace watch did not start: $(grep -v '^libbpf' "$work/watch-$1.err" | tail -3)"
	sleep 0.3
}
watch_stop() { # tag
	stop_pid "$watch_pid" INT 10
	watch_pid=
	sed -n 's/^coldtrace: syscall hook attached \([0-9]*\) times.*/\1/p' "$work/watch-$1.err" >"$work/attaches-$1"
	ls "$work/out-$1" | grep -c '\.jsonl$' >"$work/written-$1"
	rm -rf "$work/out-$1"
}
loop_start() {
	rm -f "$work/loop.stop"
	: >"$work/loop.iters"
	(
		trap - INT
		while [ ! -e "$work/loop.stop" ]; do
			"$driver" --runtime go --invokes 1 --runtime-api-address 127.0.0.1:$port_api \
				--invoke-address 127.0.0.1:$port_inv >"$work/loop.last" 2>&1
			echo $? >>"$work/loop.iters"
		done
	) &
	loop_pid=$!
	# measure once the loop is going: its first sandbox done
	for _ in $(seq 1 300); do [ -s "$work/loop.iters" ] && break; sleep 0.05; done
	[ -s "$work/loop.iters" ] || die "the sandbox loop did not finish a sandbox in 15 s: $(tail -3 "$work/loop.last")"
	[ "$(head -n 1 "$work/loop.iters")" = 0 ] || log "a sandbox failed: $(tail -3 "$work/loop.last")"
}
run_start() { # coldtrace run -- sleep: the hook attached all along
	(trap - INT; exec "$ct" run -q -- sleep 600) >/dev/null 2>"$work/run.err" &
	run_pid=$!
	for _ in $(seq 1 200); do [ "$("$work/hookcount" -p $run_pid | cut -d' ' -f1)" -gt 0 ] 2>/dev/null && break; sleep 0.05; done
	[ "$("$work/hookcount" -p $run_pid | cut -d' ' -f1)" -gt 0 ] 2>/dev/null ||
		die "(e) coldtrace run attached no syscall hook: $(tail -3 "$work/run.err")"
	sleep 0.3
}
iters() { wc -l <"$work/loop.iters"; }
fails() { grep -vc '^0$' "$work/loop.iters"; }

# measure SETTING ROUND: both workloads, the sys_exit links sampled meanwhile
measure() {
	local s=$1 r=$2 tag=$1-$2 i0 f0 out
	case $s in
	b) watch_start "$tag" ;;
	c) watch_start "$tag"; loop_start ;;
	d) loop_start ;;
	e) run_start ;;
	esac
	# "OURS ALL" per sample: OURS held by this setting's coldtrace
	"$work/hookcount" -p "${watch_pid:-${run_pid:-$$}}" $sample_ms >"$work/samples-$tag" &
	samp_pid=$!
	[ -n "$loop_pid" ] && { i0=$(iters); f0=$(fails); }
	out=$("$work/pingpong" "$pp_secs") || die "pingpong failed in ($s)"
	echo "$out" | awk '{printf "%.1f\n", $2 / $4}' >"$work/pp-$tag"
	out=$(wrk -t1 -c4 -d${wrk_secs}s "http://127.0.0.1:$port_srv/" 2>&1)
	echo "$out" >>"$work/wrk.log"
	echo "$out" | grep -E 'Non-2xx|Socket errors' | sed "s/^/($s) round $r: /" >>"$work/wrk.err"
	echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' >"$work/http-$tag"
	[ -s "$work/http-$tag" ] || die "wrk gave no result in ($s): $(echo "$out" | tail -3)"
	[ -n "$loop_pid" ] && echo "$(($(iters) - i0)) $(($(fails) - f0))" >"$work/loop-$tag"
	stop_pid "$samp_pid" TERM 2
	samp_pid=
	awk '$2 != "" {n++; if ($1 > 0) on++; if ($2 > $1) other++} END {printf "%d %d %d\n", on, n, other}' "$work/samples-$tag" >"$work/on-$tag"
	case $s in
	b) watch_stop "$tag" ;;
	c) loop_stop; watch_stop "$tag" ;;
	d) loop_stop ;;
	e) stop_pid "$run_pid" INT 10; run_pid= ;;
	esac
}

settings=(a b c d e)
t0=$(date +%s)
for r in $(seq 0 $((rounds - 1))); do
	for i in 0 1 2 3 4; do
		measure "${settings[$(((i + r) % 5))]}" "$r"
	done
	log "round $((r + 1))/$rounds: ping-pong a $(cat "$work/pp-a-$r") b $(cat "$work/pp-b-$r") c $(cat "$work/pp-c-$r") d $(cat "$work/pp-d-$r") e $(cat "$work/pp-e-$r") rt/s;" \
		"HTTP a $(cat "$work/http-a-$r") b $(cat "$work/http-b-$r") c $(cat "$work/http-c-$r") d $(cat "$work/http-d-$r") e $(cat "$work/http-e-$r") req/s"
done
secs=$(($(date +%s) - t0))

# --- the numbers -----------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
vals() { local r; for r in $(seq 0 $((rounds - 1))); do cat "$work/$1-$2-$r"; done; } # workload setting
med() { vals "$1" "$2" | median; }
# the median over rounds of X/a in the same round
paired() { local r; for r in $(seq 0 $((rounds - 1))); do awk -v x="$(cat "$work/$1-$2-$r")" -v a="$(cat "$work/$1-a-$r")" 'BEGIN {print x / a}'; done | median; }
pct() { awk -v x="$1" -v a="$2" 'BEGIN {printf "%.1f%%", 100 * x / a}'; }
verdict() { awk -v x="$1" -v a="$2" -v t="$3" 'BEGIN {print (x >= t / 100 * a) ? "**met**" : "**NOT met**"}'; }
sum_on() { cat "$work"/on-"$1"-* | awk '{on += $1; n += $2; o += $3} END {printf "%d %d %d", on, n, o}'; }
for w in pp http; do for s in a b c d e; do eval "m_${w}_$s=\$(med $w $s)"; done; done
read -r c_on c_n c_o <<<"$(sum_on c)"
read -r b_on b_n b_o <<<"$(sum_on b)"
read -r a_on a_n a_o <<<"$(sum_on a)"
read -r d_on d_n d_o <<<"$(sum_on d)"
read -r e_on e_n e_o <<<"$(sum_on e)"
frac=$(awk -v o="$c_on" -v n="$c_n" 'BEGIN {printf "%.3f", n ? o / n : 0}')
loop_c=$(cat "$work"/loop-c-* | awk '{i += $1; f += $2} END {printf "%d %d", i, f}')
loop_d=$(cat "$work"/loop-d-* | awk '{i += $1; f += $2} END {printf "%d %d", i, f}')
written=$(cat "$work"/written-c-* | awk '{s += $1} END {print s + 0}')
attaches=$(cat "$work"/attaches-c-* 2>/dev/null | awk '{s += $1} END {print s + 0}')
attaches_b=$(cat "$work"/attaches-b-* 2>/dev/null | awk '{s += $1} END {print s + 0}')
written_b=$(cat "$work"/written-b-* | awk '{s += $1} END {print s + 0}')
iters_c=${loop_c% *} fails_c=${loop_c#* } iters_d=${loop_d% *} fails_d=${loop_d#* }
busy_s=$(awk -v r="$rounds" -v p="$pp_secs" -v w="$wrk_secs" 'BEGIN {print r * (p + w)}')
# ns added per syscall: 4 per round trip
ns_per() { awk -v x="$1" -v y="$2" -v f="${3:-1}" 'BEGIN {printf "%+.0f", (f > 0) ? 1e9 * (1 / x - 1 / y) / 4 / f : 0}'; }
us_per() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%+.2f", 1e6 * (1 / x - 1 / y)}'; }

row() { # label workload unit
	local w=$2 a b c d e
	eval "a=\$m_${w}_a b=\$m_${w}_b c=\$m_${w}_c d=\$m_${w}_d e=\$m_${w}_e"
	printf '| %s | %.0f | %.0f (%s) | %.0f (%s) | %.0f (%s) | %s | %.0f (%s) |\n' "$1" "$a" "$b" "$(pct "$b" "$a")" "$c" "$(pct "$c" "$a")" \
		"$d" "$(pct "$d" "$a")" "$(pct "$c" "$d")" "$e" "$(pct "$e" "$a")"
}
echo "## Watch on a busy host (bench/watch_host.sh, $rounds rounds)"
echo
echo "\`coldtrace watch --binary BUILD/sandbox/ct-agent\` left running, and what it costs processes it does"
echo "not trace: a pipe ping-pong (bench/pingpong: 1 byte bounced between two processes over two pipes,"
echo "${pp_secs} s; each round trip is 2 write(2) + 2 read(2)) and the untraced Go HTTP server"
echo "(bench/httpserver) under \`wrk -t1 -c4 -d${wrk_secs}s\`. Settings: (a) no coldtrace; (b) the watch, idle;"
echo "(c) the watch while the demo sandbox (\`ct-driver --runtime go --invokes 1\`, traced by the watch)"
echo "runs over and over in a loop; (d) the same loop without coldtrace (control: the loop's own CPU);"
echo "(e) \`coldtrace run -- sleep\`: the syscall hook attached all along, nothing else (the hook alone)."
echo "$rounds rounds, the order rotated every round (a,b,c,d,e / b,c,d,e,a / ...); medians of the rounds."
echo "$(nproc) CPUs, $(uname -r), shared: only ratios within this run mean anything."
echo
echo "| workload (median) | (a) no coldtrace | (b) watch, idle | (c) watch, sandbox loop | (d) sandbox loop, no coldtrace | (c) / (d) | (e) hook alone |"
echo "|---|---|---|---|---|---|---|"
row "pipe ping-pong, round trips/s" pp
row "HTTP, requests/s" http
echo
echo "| target | result | met? | where |"
echo "|---|---|---|---|"
for w in pp http; do
	[ $w = pp ] && name="pipe ping-pong" || name="untraced HTTP server"
	eval "a=\$m_${w}_a b=\$m_${w}_b c=\$m_${w}_c"
	echo "| watch idle: $name >= 99.5% of no coldtrace | $(pct "$b" "$a") (per-round paired median $(awk -v x="$(paired $w b)" 'BEGIN {printf "%.1f%%", 100 * x}')) | $(verdict "$b" "$a" 99.5) | bench/watch_host.sh |"
	echo "| watch busy (sandbox loop): $name >= 97% of no coldtrace | $(pct "$c" "$a") (per-round paired median $(awk -v x="$(paired $w c)" 'BEGIN {printf "%.1f%%", 100 * x}')) | $(verdict "$c" "$a" 97) | bench/watch_host.sh |"
	eval "d=\$m_${w}_d"
	echo "| (control, not the target) watch busy: $name, (c) >= 97% of the same sandbox loop without coldtrace (d) | $(pct "$c" "$d") | $(verdict "$c" "$d" 97) | bench/watch_host.sh |"
done
echo
echo "The syscall hook (\`raw_syscalls:sys_exit\` links, sampled every ${sample_ms} ms during each workload):"
echo "the watch's own hook attached in $(pct "$c_on" "$c_n") of $c_n samples in (c), in $b_on of $b_n in (b); coldtrace run's in $e_on of $e_n in (e)."
echo "Other users' sys_exit hooks (slowing every setting alike, unpaired): seen in $a_o / $b_o / $c_o / $d_o / $e_o samples of (a) / (b) / (c) / (d) / (e)."
echo "The sandbox loop in (c): $iters_c sandboxes in the ${busy_s} s measured ($fails_c failed), $written written by the watch"
echo "in all (warm-up and wind-down included), hook attached $attaches times; in (d): $iters_d sandboxes ($fails_d failed)."
echo "The idle watch in (b): $written_b sandboxes written, hook attached $attaches_b times."
echo
echo "Cost of one hooked event, from the ping-pong (4 syscalls per round trip), time added per syscall:"
echo
echo "| derivation | ns per syscall |"
echo "|---|---|"
echo "| (e) vs (a): the syscall hook alone, per hooked syscall, (1/e - 1/a) / 4 | $(ns_per "$m_pp_e" "$m_pp_a") |"
echo "| (b) vs (a): idle watch (no syscall hook; fork/exec/exit tracepoints only) | $(ns_per "$m_pp_b" "$m_pp_a") |"
echo "| (c) vs (a): everything the busy watch and the sandbox loop add, (1/c - 1/a) / 4 | $(ns_per "$m_pp_c" "$m_pp_a") |"
echo "| (c) vs (d): what the watch adds to the loop, (1/c - 1/d) / 4 | $(ns_per "$m_pp_c" "$m_pp_d") |"
echo "| the same per HOOKED syscall: / $frac (share of (c) with the hook attached); an upper bound: it includes the traced loop's extra CPU (uprobes, watch's own work) | $(ns_per "$m_pp_c" "$m_pp_d" "$frac") |"
echo
echo "HTTP: time added per request, (e) vs (a) (hook alone) $(us_per "$m_http_e" "$m_http_a") us, (c) vs (a) $(us_per "$m_http_c" "$m_http_a") us, (c) vs (d) $(us_per "$m_http_c" "$m_http_d") us, (b) vs (a) $(us_per "$m_http_b" "$m_http_a") us"
echo "(at $(printf %.1f "$(awk -v a="$m_http_a" 'BEGIN {print 1e6 / a}')") us per request in (a))."
echo
echo "Per round (a / b / c / d / e), in the order run:"
echo
for r in $(seq 0 $((rounds - 1))); do
	order=$(for i in 0 1 2 3 4; do printf '%s' "${settings[$(((i + r) % 5))]}"; done)
	echo "- round $((r + 1)) ($order): ping-pong $(cat "$work/pp-a-$r") / $(cat "$work/pp-b-$r") / $(cat "$work/pp-c-$r") / $(cat "$work/pp-d-$r") / $(cat "$work/pp-e-$r");" \
		"HTTP $(cat "$work/http-a-$r") / $(cat "$work/http-b-$r") / $(cat "$work/http-c-$r") / $(cat "$work/http-d-$r") / $(cat "$work/http-e-$r");" \
		"hook on in (c) $(awk '{printf "%d/%d", $1, $2}' "$work/on-c-$r"); sandboxes in (c) $(cut -d' ' -f1 "$work/loop-c-$r")"
done
if [ -s "$work/wrk.err" ]; then
	echo
	echo "wrk errors:"
	sed 's/^/    /' "$work/wrk.err"
fi
echo
echo "(${secs} s in all.)"
bad=0
[ "$iters_c" -gt 0 ] || { log "the sandbox loop ran no sandbox during (c)"; bad=1; }
[ "$c_on" -gt 0 ] || { log "the syscall hook was never seen attached during (c)"; bad=1; }
[ "$b_on" = 0 ] || { log "the syscall hook was seen attached while the watch was idle"; bad=1; }
exit $bad
