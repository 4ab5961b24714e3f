#!/bin/bash
# clickhouse_report.sh COLDTRACE SANDBOX_DIR WORKDIR
# report --clickhouse (issue 15) against report on the same files: 20 real
# demo cold starts under two `watch -f jsonl --clickhouse` (10 with
# --label host=hA, 10 with host=hB) into a private clickhouse-server; then
# `report out*/*.jsonl` and `report --clickhouse` must be byte-identical, in
# text and json, with --minus-held, with --where "host = 'hA'" (= the hA
# files) and --by host (= each host's files, headed "host=hX: "). Then the
# percentiles alone: series of n = 1..200 samples inserted by hand, each
# p50/p90/p99 equal to nearest rank computed here (quantilesExact is not:
# its p50 of 4 samples is the 3rd); and the errors: server down, bad
# credentials, an empty database, another schema version.
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
here=$(cd "$(dirname "$0")" && pwd)
ct=$1 sb=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/chserver.sh"
ch_start "$work/ch" || { bad "clickhouse-server starts"; finish; }
ok "clickhouse-server starts ($CH_URL)"

# 10 cold starts of the demo sandbox under one watch, labelled host=$1
watch_ten() { # HOST PORTBASE
	local h=$1 p=$2 w
	"$ct" watch --binary "$sb/ct-agent" -f jsonl -o "out$h" --duration 300 --clickhouse "$CH_URL" \
		--label "host=$h" --label "batch=b$p" 2>"watch$h.err" &
	w=$!
	for _ in $(seq 1 100); do grep -q "watching" "watch$h.err" 2>/dev/null && break; sleep 0.1; done
	for i in $(seq 10 19); do
		"$sb/ct-driver" --runtime go --runtime-api-address 127.0.0.1:$p$i --invoke-address 127.0.0.1:$((p + 1))$i \
			>"drv$h$i.out" 2>"drv$h$i.err" || echo "driver $h $i failed" >>drivers.err
	done
	sleep 0.5
	kill -TERM $w # a script's background job ignores SIGINT
	wait $w
}
watch_ten hA 196
watch_ten hB 194
nA=$(ls outhA/*.jsonl 2>/dev/null | wc -l) nB=$(ls outhB/*.jsonl 2>/dev/null | wc -l)
[ "$nA" = 10 ] && [ "$nB" = 10 ] && [ ! -s drivers.err ] && ok "20 cold starts, 20 files" ||
	bad "20 cold starts, 20 files" "hA $nA hB $nB" "$(cat drivers.err watchhA.err watchhB.err 2>/dev/null | tail -5)"
n=$(ch_query "SELECT count() FROM coldtrace.coldstarts FINAL")
[ "$n" = 20 ] && ok "20 cold starts in ClickHouse" || bad "20 cold starts in ClickHouse" "$n" "$(tail -3 watch*.err)"

same() { # WHAT FILE_A FILE_B
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff "$2" "$3" | head -8)"; fi
}
files="$(ls outhA/*.jsonl) $(ls outhB/*.jsonl)" # by start (names sort by it), as ClickHouse orders them
for fmt in text json; do
	for mh in "" --minus-held; do
		"$ct" report -f $fmt $mh --top 1000 $files >f.$fmt$mh 2>f.err || bad "report files $fmt $mh" "$(cat f.err)"
		"$ct" report -f $fmt $mh --top 1000 --clickhouse "$CH_URL" >c.$fmt$mh 2>c.err ||
			bad "report --clickhouse $fmt $mh" "$(cat c.err)"
		same "report --clickhouse -f $fmt $mh equals report on the 20 files" f.$fmt$mh c.$fmt$mh
	done
	"$ct" report -f $fmt outhA/*.jsonl >fa.$fmt
	"$ct" report -f $fmt --clickhouse "$CH_URL" --where "host = 'hA'" >ca.$fmt 2>c.err
	same "--where \"host = 'hA'\" -f $fmt equals report on hA's 10 files" fa.$fmt ca.$fmt
done
grep -q "^coldtrace report: 20 runs" c.text && ok "text: 20 runs" || bad "text: 20 runs" "$(head -1 c.text)"
grep -q "slowest package inits" c.text && grep -q "ct-runtime-go" c.text && ok "text: packages and programs" ||
	bad "text: packages and programs"
{
	printf 'host=hA: '
	"$ct" report outhA/*.jsonl
	echo
	printf 'host=hB: '
	"$ct" report outhB/*.jsonl
	echo
} >fby.text
"$ct" report --clickhouse "$CH_URL" --by host >cby.text 2>c.err
same "--by host equals each host's files, headed host=hX:" fby.text cby.text
"$ct" report --clickhouse "$CH_URL" --by batch -f json >cby.json 2>c.err
[ "$(grep -c '^{"by":"batch","value":"b19[46]","report":{"type":"report","runs":10,' cby.json)" = 2 ] &&
	ok "--by batch -f json: two reports of 10 runs" || bad "--by batch -f json: two reports of 10 runs" "$(cut -c1-100 cby.json)"
"$ct" report --clickhouse "$CH_URL" --since 1h | head -1 >since.text
"$ct" report --clickhouse "$CH_URL" --since "2000-01-01 00:00:00" --where "host = 'nope'" | head -1 >none.text
grep -q "^coldtrace report: 20 runs" since.text && grep -q "^coldtrace report: 0 runs" none.text &&
	ok "--since 1h: all 20; an old --since and a --where no one matches: 0" || bad "--since" "$(cat since.text none.text)"

# the percentiles alone: series of 1..200 samples with ties, nearest rank
ch_query "CREATE DATABASE pct" && ch_query "CREATE TABLE pct.samples AS coldtrace.samples" &&
	ch_query "CREATE TABLE pct.coldstarts AS coldtrace.coldstarts" || bad "pct tables"
/usr/bin/python3 - >pct.rows <<'PY'
import json, random
random.seed(15)
print(json.dumps({"cs_id": "c1", "started": 1764504000, "started_ns": 1, "seq": 0, "kind": "prog_start", "prog": "p", "value": 1}))
seq = 1
for n in range(1, 201):
	for v in [random.randrange(1, 3 * n + 1) for _ in range(n)]:
		print(json.dumps({"cs_id": "c1", "started": 1764504000, "started_ns": 1, "seq": seq, "kind": "pkg",
				  "prog": "p", "name": "n%03d" % n, "ord": n, "value": v}))
		seq += 1
PY
curl -sS --fail "${CH_URL}?query=INSERT%20INTO%20pct.samples%20FORMAT%20JSONEachRow" --data-binary @pct.rows &&
	ch_query "INSERT INTO pct.coldstarts (cs_id, started, started_ns, trace_complete) VALUES ('c1', 1764504000, 1, 1)" ||
	bad "pct rows inserted"
"$ct" report --clickhouse "$CH_URL" --clickhouse-db pct -f json --top 1000 >pct.json 2>pct.err || bad "pct report" "$(cat pct.err)"
ch_query "SELECT name, quantilesExact(0.5, 0.9, 0.99)(value) FROM pct.samples WHERE kind = 'pkg' GROUP BY name ORDER BY name FORMAT JSONEachRow" >qe.json
if /usr/bin/python3 - pct.rows pct.json qe.json <<'PY'
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rep = json.load(open(sys.argv[2]))
qe = {j["name"]: [int(x) for x in j["quantilesExact(0.5, 0.9, 0.99)(value)"]] for j in map(json.loads, open(sys.argv[3]))}
got = {p["pkg"]: p["stats"] for p in rep["packages"]}
bad = differ = 0
for n in range(1, 201):
	name = "n%03d" % n
	v = sorted(r["value"] for r in rows if r.get("name") == name)
	want = [v[max(1, math.ceil(p * n / 100)) - 1] for p in (50, 90, 99)]
	g = got.get(name, {})
	if [g.get("p50_ns"), g.get("p90_ns"), g.get("p99_ns")] != want or g.get("count") != n or g.get("max_ns") != v[-1]:
		bad += 1
		print("n=%d want %s got %s" % (n, want, g))
	differ += qe[name] != want
print("%d of 200 series exact; quantilesExact differs from nearest rank in %d" % (200 - bad, differ))
sys.exit(1 if bad or not differ else 0)
PY
then ok "nearest rank exact for n = 1..200 (p50, p90, p99, count, max)"; else bad "nearest rank exact for n = 1..200"; fi

# the errors: one line each, exit 1; usage exit 2
expect() { # WHAT RC PATTERN ARGS...
	local what=$1 rc=$2 pat=$3
	shift 3
	"$ct" report "$@" >e.out 2>e.err
	local got=$?
	if [ $got = "$rc" ] && [ "$(wc -l <e.err)" -le 2 ] && { [ -z "$pat" ] || grep -q -- "$pat" e.err; }; then
		ok "$what"
	else
		bad "$what" "rc=$got" "$(cat e.err)"
	fi
}
expect "bad credentials" 1 "refused the credentials" --clickhouse "${CH_URL/127.0.0.1/ct:wrong@127.0.0.1}"
expect "good credentials" 0 "" --top 3 --clickhouse "${CH_URL/127.0.0.1/ct:secret@127.0.0.1}"
expect "an empty database" 1 "no coldtrace tables in database nothing at" --clickhouse "$CH_URL" --clickhouse-db nothing
ch_query "CREATE DATABASE v2" && ch_query "CREATE TABLE v2.schema_version AS coldtrace.schema_version" &&
	ch_query "INSERT INTO v2.schema_version (version) VALUES (2)"
expect "another schema version" 1 "schema version 2; this coldtrace reads version 1" --clickhouse "$CH_URL" --clickhouse-db v2
expect "a bad --where" 1 "ClickHouse: " --clickhouse "$CH_URL" --where "no_such_column = 1"
expect "svg refused" 2 "report --clickhouse gives text or json" --clickhouse "$CH_URL" -f svg
expect "a bad --since" 2 "--since takes" --clickhouse "$CH_URL" --since yesterday
expect "a bad URL" 2 "bad URL 'ftp://x/'" --clickhouse "ftp://x/"
ch_stop
expect "server down" 1 "cannot reach ClickHouse at" --clickhouse "$CH_URL"
finish
