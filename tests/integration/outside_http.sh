#!/bin/bash
# outside_http.sh COLDTRACE SANDBOX_DIR HTTPSERVER WORKDIR [PORT_BASE]
#
# HTTP on loopback by processes OUTSIDE the traced tree, at the same time as
# a traced cold start, must not appear in the trace; the traced traffic must.
#
#   outside: HTTPSERVER (bench/httpserver) on PORT_BASE+3, hit by a curl loop
#            on /outside-marker; a second demo sandbox (ct-driver + ct-agent
#            + ct-runtime-go) invoking continuously on PORT_BASE+1 (Runtime
#            API) and PORT_BASE+1-1000 (invokes);
#   traced:  sh -c 'ct-driver --runtime go (PORT_BASE+2 / PORT_BASE+2-1000)
#            && curl HTTPSERVER/inside-marker'.
#
# PORT_BASE defaults to 19420 (ports 19421, 19422, 18421, 18422, 18423 used).
# CT_CHECK_SANDBOX: the check_sandbox binary (default: COLDTRACE's
# dir/tests/integration/check_sandbox). Prints ok/FAIL lines and
# "N passed, N failed".
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=${1:?usage: outside_http.sh COLDTRACE SANDBOX_DIR HTTPSERVER WORKDIR [PORT_BASE]}
sbx=${2:?sandbox dir} srv=${3:?httpserver} work=${4:?work dir}
base=${5:-19420}
out_api=$((base + 1)) out_inv=$((base + 1 - 1000))
in_api=$((base + 2)) in_inv=$((base + 2 - 1000))
srv_port=$((base + 3 - 1000))
check=${CT_CHECK_SANDBOX:-$(dirname "$ct")/tests/integration/check_sandbox}
srv_pid= od_pid= loop_pid=


# Stop what we started, by pid (the outside driver stops its own agent).
cleanup() {
	[ -n "$loop_pid" ] && { touch "$work/stop"; wait "$loop_pid" 2>/dev/null; loop_pid=; }
	[ -n "$od_pid" ] && { kill -TERM "$od_pid" 2>/dev/null; wait "$od_pid" 2>/dev/null; od_pid=; }
	[ -n "$srv_pid" ] && { kill -TERM "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=; }
}
trap cleanup EXIT
finish() { cleanup; echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_listen() { for _ in $(seq 1 100); do listening "$1" && return 0; sleep 0.05; done; return 1; }

rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
[ "$(id -u)" = 0 ] || { bad "needs root (real BPF)"; finish; }
command -v curl >/dev/null || { bad "needs curl"; finish; }
[ -x "$check" ] || { bad "checker $check not found (set CT_CHECK_SANDBOX)"; finish; }
for p in $out_api $out_inv $in_api $in_inv $srv_port; do
	listening "$p" && { bad "port $p is free" "something listens on 127.0.0.1:$p"; finish; }
done

# ---- outside the tree ----
"$srv" --addr "127.0.0.1:$srv_port" >srv.out 2>&1 &
srv_pid=$!
wait_listen "$srv_port" || { bad "outside server listens on $srv_port" "$(cat srv.out)"; finish; }
"$sbx/ct-driver" --runtime go --invokes 100000 --runtime-api-address "127.0.0.1:$out_api" \
	--invoke-address "127.0.0.1:$out_inv" --payload '{"who":"outside"}' >od.out 2>&1 &
od_pid=$!
wait_listen "$out_inv" || { bad "outside agent listens on $out_inv" "$(tail od.out)"; finish; }
(
	while [ ! -e stop ]; do
		curl -s -o /dev/null "http://127.0.0.1:$srv_port/outside-marker" && echo x >>outside.count
		sleep 0.01
	done
) &
loop_pid=$!
# Both outside loads are running before the trace starts.
for _ in $(seq 1 100); do
	[ -s outside.count ] && grep -q '"who":"outside"' od.out && break
	sleep 0.05
done
c0=$(wc -l <outside.count 2>/dev/null || echo 0)
i0=$(grep -c '"who":"outside"' od.out)

# ---- the traced tree (it lingers a second, so that the outside loop
# surely runs during the trace, however fast the cold start is) ----
timeout -s INT -k 10 120 "$ct" run -f jsonl -o trace.jsonl --force -- sh -c \
	"'$sbx/ct-driver' --runtime go --invokes 2 --runtime-api-address 127.0.0.1:$in_api --invoke-address 127.0.0.1:$in_inv && curl -s 'http://127.0.0.1:$srv_port/inside-marker' && sleep 1" \
	>in.out 2>in.err
rc=$?
c1=$(wc -l <outside.count 2>/dev/null || echo 0)
i1=$(grep -c '"who":"outside"' od.out)
out_agent=$(pgrep -P "$od_pid" 2>/dev/null | tr '\n' ' ')
outside_pids="$srv_pid $od_pid $loop_pid $out_agent"
cleanup

[ "$rc" = 0 ] && ok "traced run exits 0" || bad "traced run exits 0" "exit $rc" "$(tail -n 10 in.err)"
grep -q '^/inside-marker$' in.out && ok "traced curl got the server's answer" || bad "traced curl got the server's answer" "$(tail -n 5 in.out)"
[ $((c1 - c0)) -ge 5 ] && ok "outside curl loop ran during the trace ($((c1 - c0)) requests)" ||
	bad "outside curl loop ran during the trace" "$((c1 - c0)) requests"
[ $((i1 - i0)) -ge 2 ] && ok "outside sandbox invoked during the trace ($((i1 - i0)) invokes)" ||
	bad "outside sandbox invoked during the trace" "$((i1 - i0)) invokes"
[ -s trace.jsonl ] || { bad "trace.jsonl written"; finish; }

# ---- the traced traffic is there (the whole cold start, checked in order) ----
"$check" trace.jsonl go "$in_api" >check.txt 2>&1
p=$(grep -c '^ok ' check.txt) f=$(grep -c '^FAIL ' check.txt)
[ "$f" = 0 ] && [ "$p" -gt 20 ] && ok "traced cold start complete in the trace (check_sandbox: $p ok)" ||
	bad "traced cold start complete in the trace" "$(grep -v '^ok ' check.txt)"
http=$(grep '"type":"http"' trace.jsonl)
curl_pids=$(grep '"type":"exec"' trace.jsonl | grep '"path":"[^"]*/curl"' | sed 's/.*"pid":\([0-9]*\).*/\1/' | sort -u)
inside_send=$(echo "$http" | grep '"dir":"send"' | grep -F '"path":"/inside-marker"')
inside_pid=$(echo "$inside_send" | sed -n 's/.*"pid":\([0-9]*\),.*/\1/p' | head -n 1)
if [ "$(echo "$inside_send" | grep -c .)" = 1 ] && [ -n "$inside_pid" ] && echo "$curl_pids" | grep -qx "$inside_pid" &&
	echo "$inside_send" | grep -qF "\"remote\":\"127.0.0.1:$srv_port\""; then
	ok "traced curl's GET /inside-marker to the outside server is in the trace (pid $inside_pid)"
else
	bad "traced curl's GET /inside-marker is in the trace" "curl pids: $curl_pids" "$inside_send"
fi
echo "$http" | grep '"dir":"recv"' | grep '"kind":"response"' | grep -q "\"pid\":$inside_pid," &&
	ok "traced curl's reading of the answer is in the trace" || bad "traced curl's reading of the answer is in the trace"

# ---- nothing from outside ----
n=$(grep -c 'outside-marker' trace.jsonl)
[ "$n" = 0 ] && ok "no /outside-marker request (outside curl loop) in the trace" ||
	bad "no /outside-marker request in the trace" "$(grep outside-marker trace.jsonl | head -n 3 | cut -c1-300)"
n=$(grep -c '"who":"outside"\|127\.0\.0\.1:'"$out_api"'"\|127\.0\.0\.1:'"$out_inv"'"' trace.jsonl)
[ "$n" = 0 ] && ok "no record of the outside sandbox's ports $out_api/$out_inv" ||
	bad "no record of the outside sandbox's ports" "$(grep "127.0.0.1:$out_api\"\|127.0.0.1:$out_inv\"" trace.jsonl | head -n 3 | cut -c1-300)"
n=$(echo "$http" | grep -c "\"local\":\"127.0.0.1:$srv_port\"")
[ "$n" = 0 ] && ok "no record of the outside server's side of the traced request" ||
	bad "no record of the outside server's side" "$(echo "$http" | grep "\"local\":\"127.0.0.1:$srv_port\"" | head -n 2 | cut -c1-300)"
n=$(grep '"type":"listen"' trace.jsonl | grep -c "\"port\":\($out_api\|$out_inv\|$srv_port\)}")
[ "$n" = 0 ] && ok "no listen record of outside sockets" || bad "no listen record of outside sockets" "$n records"
leak=
for pid in $outside_pids; do
	grep -q "\"pid\":$pid," trace.jsonl && leak="$leak $pid"
done
[ -z "$leak" ] && ok "no record of the outside pids ($outside_pids)" ||
	bad "no record of outside pids" "$leak"
n=$(grep '"type":"exec"' trace.jsonl | grep -c '/ct-agent"')
[ "$n" = 1 ] && ok "exactly one ct-agent exec (the traced one)" || bad "exactly one ct-agent exec" "$n"
! grep -q 'ct-httpserver' trace.jsonl && ok "the outside server never appears" || bad "the outside server never appears"
finish
