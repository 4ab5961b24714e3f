#!/bin/bash
# clickhouse_fleet.sh COLDTRACE SANDBOX_DIR WORKDIR
# --clickhouse against a private clickhouse-server (chserver.sh: a plain
# process on free loopback ports, its paths in WORKDIR, stopped at the end):
#  1. never lose a cold start: 50 demo cold starts under one watch; the
#     server is stopped after the 20th and started again after the 35th;
#     ClickHouse then holds exactly 50 cold starts, each table as many rows
#     as the 50 jsonl files hold records, and the spool ends empty;
#  2. shards: a Distributed table over two shards of the same server
#     (databases shard1 and shard2), written through by two watch instances
#     with --label host=web-1 and host=web-2 (each watching its own copy of
#     the sandbox: two "hosts"), read back fleet-wide and per host; every
#     cold start's rows on one shard;
#  3. bad input: a bad URL, refused credentials, a table of another shape, a
#     schema of another version, a spool another coldtrace holds: one line,
#     non-zero exit, nothing traced; a server down at the start: the run
#     succeeds, its batch waits in the spool and the next run sends it (also
#     when it accepts and never answers); a
#     full spool (--spool-max): the cold start that does not fit is said,
#     those kept are sent later.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 sb=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/chserver.sh"
. "$here/leftover.sh"

cleanup() {
	local p
	for p in ${wpid:-} ${wa:-} ${wb:-}; do
		kill -INT $p 2>/dev/null
		wait $p 2>/dev/null
	done
	ch_stop
}
trap cleanup EXIT

ch_start "$work/ch" || { bad "clickhouse-server starts"; finish; }
ok "clickhouse-server started on 127.0.0.1:$CH_HTTP"
trap cleanup EXIT # ch_start set its own

# records of TYPE in jsonl files
nrec() { # TYPE FILES...
	local t=$1
	shift
	cat "$@" | grep -c "^{\"type\":\"$t\""
}
q() { ch_query "$1" 2>&1 | tr -d '\n'; }

wait_ready() { # ERRFILE
	for _ in $(seq 1 100); do grep -q "watching" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

driver() { # DIR N
	"$1/ct-driver" --runtime go --extensions 0 --runtime-api-address 127.0.0.1:$((19300 + $2 % 50)) \
		--invoke-address 127.0.0.1:$((18300 + $2 % 50)) >drv.out 2>drv.err
}

# ---- 1. 50 cold starts, the server down for 15 of them
bpf_before=$(ct_bpf_count)
"$ct" watch --binary "$sb/ct-agent" -f jsonl -o out --clickhouse "$CH_URL" --spool spool1 \
	--label host=one --duration 600 2>watch.err &
wpid=$!
wait_ready watch.err && ok "watch is ready" || bad "watch is ready" "$(cat watch.err)"
ran=0
for i in $(seq 1 50); do
	[ $i = 21 ] && { ch_stop; echo "     (server stopped after 20)"; }
	[ $i = 36 ] && { ch_launch || bad "server starts again"; echo "     (server started after 35)"; }
	driver "$sb" $i && ran=$((ran + 1)) || echo "     driver $i: $(tail -2 drv.err)"
done
[ $ran = 50 ] && ok "50 cold starts ran" || bad "50 cold starts ran" "$ran"
sleep 1
kill -INT $wpid
wait $wpid
rc=$?
wpid=
[ $rc = 0 ] && ok "watch exits 0" || bad "watch exits 0" "rc=$rc" "$(tail -5 watch.err)"
grep -q "retrying" watch.err && ok "the failures were said" || bad "the failures were said" "$(cat watch.err)"
grep -q "delivering again" watch.err && ok "the recovery was said" || bad "the recovery was said" "$(cat watch.err)"
nfiles=$(ls out/*.jsonl 2>/dev/null | wc -l)
[ "$nfiles" = 50 ] && ok "50 jsonl files" || bad "50 jsonl files" "$nfiles"
n=$(q "SELECT count() FROM coldtrace.coldstarts FINAL")
[ "$n" = 50 ] && ok "exactly 50 cold starts in ClickHouse" || bad "exactly 50 cold starts in ClickHouse" "$n"
n=$(q "SELECT uniqExact(cs_id) FROM coldtrace.coldstarts")
[ "$n" = 50 ] && ok "50 distinct cold-start ids" || bad "50 distinct cold-start ids" "$n"
for pair in phases:phase milestones:milestone processes:process execs:exec pkg_inits:go_init http:http \
	logs:log breakdown:breakdown; do
	t=${pair%%:*} r=${pair#*:}
	want=$(nrec "$r" out/*.jsonl)
	got=$(q "SELECT count() FROM coldtrace.$t FINAL")
	[ "$got" = "$want" ] && ok "$t: $got rows, as many as the files' $r records" ||
		bad "$t: as many rows as the files' $r records" "ClickHouse $got, files $want"
done
# every cold start has all its rows: per cold start, its phases against its file
miss=$(q "SELECT count() FROM (SELECT cs_id FROM coldtrace.coldstarts FINAL) GLOBAL ANY LEFT JOIN (SELECT cs_id, count() AS n FROM coldtrace.phases FINAL GROUP BY cs_id) USING cs_id WHERE n = 0")
[ "$miss" = 0 ] && ok "every cold start has its phases" || bad "every cold start has its phases" "$miss without"
n=$(ls spool1 | wc -l)
[ "$n" = 0 ] && ok "the spool ended empty" || bad "the spool ended empty" "$(ls spool1)"
leftover_bpf "$bpf_before" >/dev/null && ok "no BPF program left" || bad "no BPF program left"

# ---- 2. two "hosts" writing through a Distributed table over two shards
for d in shard1 shard2; do
	"$ct" clickhouse-schema --clickhouse "$CH_URL" --clickhouse-db $d 2>schema.err &&
		ok "clickhouse-schema made the local tables in $d" || bad "local tables in $d" "$(cat schema.err)"
done
"$ct" clickhouse-schema --clickhouse "$CH_URL" --clickhouse-db fleet --distributed two_shards 2>schema.err &&
	ok "clickhouse-schema made the Distributed tables in fleet" || bad "Distributed tables" "$(cat schema.err)"
e=$(q "SELECT engine FROM system.tables WHERE database = 'fleet' AND name = 'phases'")
[ "$e" = Distributed ] && ok "fleet.phases is Distributed" || bad "fleet.phases is Distributed" "$e"
for h in a b; do
	mkdir -p host-$h && cp -a "$sb/." host-$h/
done
"$ct" watch --binary "$work/host-a/ct-agent" -f jsonl -o out-a --clickhouse "$CH_URL" --clickhouse-db fleet \
	--spool spool-a --label host=web-1 --label rack=r1 --duration 600 2>watch-a.err &
wa=$!
"$ct" watch --binary "$work/host-b/ct-agent" -f jsonl -o out-b --clickhouse "$CH_URL" --clickhouse-db fleet \
	--spool spool-b --label host=web-2 --label rack=r1 --duration 600 2>watch-b.err &
wb=$!
wait_ready watch-a.err && wait_ready watch-b.err && ok "two watch instances are ready" ||
	bad "two watch instances are ready" "$(cat watch-a.err watch-b.err)"
for i in $(seq 1 7); do
	driver host-a $i || echo "     host-a driver $i: $(tail -2 drv.err)"
	driver host-b $((i + 20)) || echo "     host-b driver $i: $(tail -2 drv.err)"
done
sleep 1
kill -INT $wa $wb
wait $wa && wait $wb && ok "both watch instances exit 0" || bad "both watch instances exit 0" "$(tail -n 3 watch-a.err watch-b.err)"
wa= wb=
na=$(ls out-a/*.jsonl | wc -l) nb=$(ls out-b/*.jsonl | wc -l)
[ "$na" = 7 ] && [ "$nb" = 7 ] && ok "7 cold starts per host" || bad "7 cold starts per host" "$na $nb"
n=$(q "SELECT count() FROM fleet.coldstarts FINAL")
[ "$n" = 14 ] && ok "14 cold starts fleet-wide" || bad "14 cold starts fleet-wide" "$n"
n=$(q "SELECT groupArray(h) FROM (SELECT concat(host, ':', toString(count())) AS h FROM fleet.coldstarts FINAL GROUP BY host ORDER BY host)")
[ "$n" = "['web-1:7','web-2:7']" ] && ok "7 per host label" || bad "7 per host label" "$n"
s1=$(q "SELECT count() FROM shard1.coldstarts FINAL") s2=$(q "SELECT count() FROM shard2.coldstarts FINAL")
[ $((s1 + s2)) = 14 ] && [ "$s1" -gt 0 ] && [ "$s2" -gt 0 ] && ok "spread over both shards ($s1 + $s2)" ||
	bad "spread over both shards" "$s1 + $s2"
split=$(q "SELECT count() FROM (SELECT cs_id FROM shard1.phases GROUP BY cs_id) ANY INNER JOIN (SELECT cs_id FROM shard2.phases GROUP BY cs_id) USING cs_id")
[ "$split" = 0 ] && ok "each cold start's rows on one shard" || bad "each cold start's rows on one shard" "$split split"
want=$(nrec go_init out-a/*.jsonl out-b/*.jsonl)
got=$(q "SELECT count() FROM fleet.pkg_inits FINAL")
[ "$got" = "$want" ] && ok "fleet-wide package inits: $got, as in the files" || bad "fleet-wide package inits" "$got vs $want"
# a fleet-wide percentile, as the README shows it, against the files
got=$(q "SELECT quantileExact(0.99)(dur_ns) FROM fleet.phases FINAL WHERE name = 'total' AND complete")
want=$(cat out-a/*.jsonl out-b/*.jsonl | grep '^{"type":"phase","sandbox":[0-9]*,"name":"total"' |
	grep '"complete":true' | sed 's/.*"dur_ns":\([0-9]*\).*/\1/' | sort -n | awk '{v[NR]=$1} END {i=int(NR*0.99); print v[i+1]}')
[ -n "$want" ] && [ "$got" = "$want" ] && ok "fleet-wide p99 of the cold start: $got ns, as in the files" ||
	bad "fleet-wide p99 of the cold start" "ClickHouse $got, files $want"

# ---- 3. bad input: one line, non-zero, nothing traced
run_bad() { # WANT_RC WHAT PATTERN ARGS...
	local want=$1 what=$2 pat=$3
	shift 3
	"$ct" run "$@" -- true >bad.out 2>bad.err
	local rc=$?
	if [ $rc = "$want" ] && [ "$(wc -l <bad.err)" = 1 ] && grep -q "$pat" bad.err; then
		ok "$what: exit $rc, $(cat bad.err)"
	else
		bad "$what" "rc=$rc (want $want)" "$(cat bad.err)"
	fi
}
run_bad 2 "https URL" "http://" --clickhouse https://127.0.0.1:$CH_HTTP/ --spool spool3
run_bad 2 "URL without a host" "host" --clickhouse http:///x --spool spool3
run_bad 1 "wrong password" "credentials refused" --clickhouse "http://ct:wrong@127.0.0.1:$CH_HTTP/" --spool spool3
run_bad 1 "unknown user" "credentials" --clickhouse "http://nobody@127.0.0.1:$CH_HTTP/" --spool spool3
ch_query "CREATE DATABASE odd" >/dev/null
ch_query "CREATE TABLE odd.phases (cs_id String, dur_ns String) ENGINE = Log" >/dev/null
run_bad 1 "a table of another shape" "column" --clickhouse "$CH_URL" --clickhouse-db odd --spool spool3
ch_query "CREATE DATABASE newer" >/dev/null
ch_query "CREATE TABLE newer.schema_version (version UInt32, tool_version String) ENGINE = TinyLog" >/dev/null
ch_query "INSERT INTO newer.schema_version VALUES (2, '9.9')" >/dev/null
run_bad 1 "a schema of another version" "version 2" --clickhouse "$CH_URL" --clickhouse-db newer --spool spool3
n=$(q "SELECT count() FROM system.tables WHERE database IN ('odd', 'newer')")
[ "$n" = 2 ] && ok "nothing created beside them" || bad "nothing created beside them" "$n tables"
# credentials that are right
"$ct" run --clickhouse "http://ct:secret@127.0.0.1:$CH_HTTP/" --clickhouse-db creds --spool spool3 -q -- \
	"$sb/ct-driver" --runtime go --runtime-api-address 127.0.0.1:19391 --invoke-address 127.0.0.1:18391 >/dev/null 2>bad.err
n=$(q "SELECT count() FROM creds.coldstarts FINAL")
[ "$n" = 1 ] && ok "user and password in the URL: 1 cold start" || bad "user and password in the URL" "$n" "$(cat bad.err)"
# one coldtrace per spool
exec 9>spool3/.lock && flock -n 9 && {
	run_bad 1 "a spool held by another coldtrace" "spool3" --clickhouse "$CH_URL" --spool spool3
	exec 9>&-
}
# a server that accepts and never answers: 5 s for the check at the start, up to
# 5 s of trying at the end; the run succeeds and its batch waits in the spool
/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open("slow.port", "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' &
slowpid=$!
for _ in $(seq 1 50); do [ -s slow.port ] && break; sleep 0.1; done
t0=$(date +%s)
"$ct" run --clickhouse "http://127.0.0.1:$(cat slow.port)/" --spool spool6 -- true >/dev/null 2>slow.err
rc=$? t=$(($(date +%s) - t0))
kill $slowpid 2>/dev/null; wait $slowpid 2>/dev/null
[ $rc = 0 ] && [ "$t" -lt 25 ] && grep -q "timed out" slow.err && [ "$(ls spool6 | wc -l)" = 1 ] &&
	ok "a server that never answers: exit 0 after ${t} s, batch kept" || bad "a server that never answers" "rc=$rc ${t} s" "$(cat slow.err)" "$(ls spool6)"
# a server down at the start: the run succeeds, the batch waits; the next run sends both
ch_stop
"$ct" run --clickhouse "$CH_URL" --clickhouse-db late --spool spool4 -- "$sb/ct-driver" --runtime go \
	--runtime-api-address 127.0.0.1:19392 --invoke-address 127.0.0.1:18392 >/dev/null 2>late.err
rc=$?
[ $rc = 0 ] && grep -q "does not answer" late.err && grep -q "kept in" late.err &&
	ok "server down: the run exits 0 and says its batch is kept" || bad "server down at the start" "rc=$rc" "$(cat late.err)"
[ "$(ls spool4 | wc -l)" = 1 ] && ok "one batch in the spool" || bad "one batch in the spool" "$(ls spool4)"
# a full spool: --spool-max 1M holds one or two of these batches (400-650 KB each), not three
for k in 1 2 3; do
	"$ct" run --clickhouse "$CH_URL" --clickhouse-db full --spool spool5 --spool-max 1M -- "$sb/ct-driver" \
		--runtime go --runtime-api-address 127.0.0.1:1939$((k + 3)) --invoke-address 127.0.0.1:1839$((k + 3)) \
		>/dev/null 2>full$k.err || bad "run $k with a full spool exits 0" "$(cat full$k.err)"
done
kept=$(ls spool5 | wc -l)
refused=$(cat full1.err full2.err full3.err | grep -c "not kept for ClickHouse: the spool is full")
[ "$kept" -ge 1 ] && [ $((kept + refused)) = 3 ] && [ "$(cat full*.err | grep -c "1 cold start could not be kept")" = "$refused" ] &&
	ok "a full spool: $kept kept, $refused refused and said" || bad "a full spool" "$(ls -l spool5)" "$(cat full*.err)"
ch_launch || bad "server starts again"
"$ct" run --clickhouse "$CH_URL" --clickhouse-db full --spool spool5 -q -- true 2>full4.err
n=$(q "SELECT count() FROM full.coldstarts FINAL WHERE command LIKE '%ct-driver%'")
[ "$n" = "$kept" ] && [ "$(ls spool5 | wc -l)" = 0 ] && ok "the $kept kept are sent by the next run" || bad "the kept are sent" "$n of $kept" "$(cat full4.err)"
"$ct" run --clickhouse "$CH_URL" --clickhouse-db late --spool spool4 -q -- "$sb/ct-driver" --runtime go \
	--runtime-api-address 127.0.0.1:19393 --invoke-address 127.0.0.1:18393 >/dev/null 2>late2.err
n=$(q "SELECT count() FROM late.coldstarts FINAL")
[ "$n" = 2 ] && [ "$(ls spool4 | wc -l)" = 0 ] && ok "the next run sent both" || bad "the next run sent both" "$n" "$(cat late2.err)"
finish
