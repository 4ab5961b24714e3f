#!/bin/bash
# bench/http.sh [BUILD_DIR] [ROUNDS]
#
# Loopback HTTP throughput (wrk -t1 -c4 -d5s against bench/httpserver, a tiny
# Go net/http server, 127.0.0.1 only) in three settings, interleaved
# a,b,c,a,b,c,... (ROUNDS rounds, default 3), median requests/sec each:
#
#   (a) no tracer;
#   (b) coldtrace tracing ANOTHER process (`coldtrace run -- sleep`) while
#       wrk hits the untraced server: the cost every untraced process pays;
#   (c) coldtrace tracing the server (`coldtrace run -- ct-httpserver`): it
#       captures and parses every request and response.
#
# For (c) it also reports coldtrace's memory (VmHWM just before stopping it,
# and its max RSS over the whole run, rendering included, from
# /usr/bin/time -v when available), events lost, and the records kept.
# Needs root (BPF), Go (to build the server) and wrk (installed with apt-get
# if missing). Prints a markdown table.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" 2>/dev/null && pwd) || { echo "http.sh: no build dir ${1:-$here/../build}" >&2; exit 2; }
rounds=${2:-3}
ct=$build/coldtrace
port_a=18600 # untraced server, for (a) and (b)
port_c=18601 # traced server, (c)
dur=5s

die() { echo "http.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$ct" ] || die "$ct not found: build first"
if ! command -v wrk >/dev/null; then
	echo "http.sh: installing wrk" >&2
	apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } ||
		die "cannot install wrk"
fi
go=$(command -v go || echo /usr/lib/go/bin/go)
[ -x "$go" ] || die "go not found"

work=$(mktemp -d /tmp/ct-bench-http.XXXXXX)
srv=$build/bench/ct-httpserver
mkdir -p "$build/bench"
(cd "$here/httpserver" && GOPROXY=off GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 GOCACHE="$build/gocache" \
	"$go" build -buildvcs=false -o "$srv" .) || die "go build of bench/httpserver failed"

srv_pid= ct_pid= tm_pid=
cleanup() {
	# everything by pid: what this script started
	if [ -n "$ct_pid" ] && kill -INT "$ct_pid" 2>/dev/null; then
		for _ in $(seq 1 100); do kill -0 "$ct_pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$ct_pid" 2>/dev/null && kill -KILL "$ct_pid"
	fi
	[ -n "$tm_pid" ] && wait "$tm_pid" 2>/dev/null
	[ -n "$srv_pid" ] && kill -TERM "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_listen() { for _ in $(seq 1 200); do listening "$1" && return 0; sleep 0.05; done; return 1; }
wait_free() { for _ in $(seq 1 100); do listening "$1" || return 0; sleep 0.05; done; return 1; }
# child PID: the first child of PID (poll up to 10 s)
child() { local c; for _ in $(seq 1 200); do c=$(pgrep -P "$1" | head -n 1); [ -n "$c" ] && { echo "$c"; return 0; }; sleep 0.05; done; return 1; }

# stop PID: SIGINT (passed on to the command); a second one after 10 s
# stops coldtrace at once.
stop() {
	kill -INT "$1"
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	echo "http.sh: coldtrace $1 still running 10 s after SIGINT: second SIGINT" >&2
	kill -INT "$1"
}

for p in $port_a $port_c; do listening $p && die "port $p is in use"; done

# wrk PORT -> requests/sec (errors noted in $work/wrk.err)
run_wrk() {
	local out
	out=$(wrk -t1 -c4 -d$dur "http://127.0.0.1:$1/" 2>&1)
	echo "$out" >>"$work/wrk.log"
	echo "$out" | grep -E 'Non-2xx|Socket errors' >>"$work/wrk.err"
	echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p'
}

"$srv" --addr 127.0.0.1:$port_a >"$work/srv-a.out" 2>&1 &
srv_pid=$!
wait_listen $port_a || die "server did not listen on $port_a"
wrk -t1 -c4 -d1s "http://127.0.0.1:$port_a/" >/dev/null 2>&1 # warm-up

declare -a A B C HWM RSS LOST KEPT DROP RCB RCC
have_time=; [ -x /usr/bin/time ] && have_time=1
for r in $(seq 1 "$rounds"); do
	# (a) no tracer
	A+=("$(run_wrk $port_a)")

	# (b) coldtrace tracing sleep; wrk against the untraced server
	# (a background job of a script starts with SIGINT ignored, and coldtrace
	# hands its command the dispositions it got: reset it so Ctrl-C works)
	(trap - INT; exec "$ct" run -q -- sleep 600) >/dev/null 2>"$work/b.err" &
	ct_pid=$!
	child $ct_pid >/dev/null || die "(b) coldtrace did not start sleep: $(cat "$work/b.err")"
	sleep 0.3
	B+=("$(run_wrk $port_a)")
	stop $ct_pid
	wait $ct_pid
	RCB+=($?)
	ct_pid=

	# (c) coldtrace tracing the server
	wait_free $port_c || die "port $port_c still in use"
	if [ -n "$have_time" ]; then
		(trap - INT; exec /usr/bin/time -v -o "$work/time.txt" "$ct" run -f jsonl -o "$work/c.jsonl" --force -- \
			"$srv" --addr 127.0.0.1:$port_c) >/dev/null 2>"$work/c.err" &
		tm_pid=$!
		ct_pid=$(child $tm_pid) || die "(c) coldtrace did not start"
	else
		(trap - INT; exec "$ct" run -f jsonl -o "$work/c.jsonl" --force -- "$srv" --addr 127.0.0.1:$port_c) \
			>/dev/null 2>"$work/c.err" &
		ct_pid=$!
		tm_pid=$ct_pid
	fi
	wait_listen $port_c || die "(c) traced server did not listen: $(cat "$work/c.err")"
	C+=("$(run_wrk $port_c)")
	HWM+=("$(awk '/^VmHWM:/ {print $2}' "/proc/$ct_pid/status" 2>/dev/null)")
	stop $ct_pid
	wait $tm_pid
	RCC+=($?)
	ct_pid= tm_pid=
	if [ -n "$have_time" ]; then
		RSS+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")")
	else
		RSS+=("-")
	fi
	l=$(sed -n 's/^coldtrace: \([0-9]*\) events lost.*/\1/p' "$work/c.err" | head -n 1)
	LOST+=("${l:-0}")
	sum=$(grep '"type":"summary"' "$work/c.jsonl" 2>/dev/null)
	KEPT+=("$(grep -c '"type":"http"' "$work/c.jsonl" 2>/dev/null)")
	DROP+=("$(echo "$sum" | sed -n 's/.*"dropped_records":\([0-9]*\).*/\1/p')/$(echo "$sum" | sed -n 's/.*"lost_total":\([0-9]*\).*/\1/p')")
	rm -f "$work/c.jsonl"
	echo "round $r: a ${A[-1]}  b ${B[-1]}  c ${C[-1]} req/s" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ma=$(median "${A[@]}") mb=$(median "${B[@]}") mc=$(median "${C[@]}")
ratio() { awk -v x="$1" -v a="$ma" 'BEGIN {printf "%.2fx", x / a}'; }

echo
echo "Loopback HTTP, wrk -t1 -c4 -d$dur, $rounds rounds interleaved, median requests/sec ($(nproc) CPUs, $(uname -r))"
echo
echo "| setting | req/s (median) | rounds | vs (a) |"
echo "|---|---|---|---|"
echo "| (a) no tracer | $ma | ${A[*]} | 1.00x |"
echo "| (b) coldtrace tracing another process | $mb | ${B[*]} | $(ratio "$mb") |"
echo "| (c) coldtrace tracing the server | $mc | ${C[*]} | $(ratio "$mc") |"
echo
echo "(c) per round: coldtrace VmHWM before stopping (kB): ${HWM[*]}; max RSS whole run incl. rendering (kB): ${RSS[*]}"
echo "(c) per round: events lost (stderr): ${LOST[*]}; http records kept: ${KEPT[*]}; dropped_records/lost_total (summary): ${DROP[*]}"
echo "exit status after SIGINT: (b) ${RCB[*]} (sleep killed by SIGINT: 130 expected), (c) ${RCC[*]} (server exits 0 on SIGINT: 0 expected)"
if [ -s "$work/wrk.err" ]; then
	echo "wrk errors:"
	sed 's/^/    /' "$work/wrk.err"
fi
bad=0
for rc in "${RCB[@]}"; do [ "$rc" = 130 ] || bad=1; done
for rc in "${RCC[@]}"; do [ "$rc" = 0 ] || bad=1; done
[ $bad = 0 ] || echo "warning: unexpected coldtrace exit status" >&2
exit $bad
