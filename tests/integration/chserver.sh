#!/bin/bash
# chserver.sh: a private ClickHouse server for one test, sourced.
#   ch_start DIR   start clickhouse-server (Debian's, 18.16) as a plain process
#                  with every path in DIR, on free loopback ports; sets
#                  CH_HTTP, CH_TCP, CH_URL (http://127.0.0.1:PORT/), CH_PID.
#                  Users: "default" (no password) and "ct" (password "secret").
#                  A cluster "two_shards": two shards on this same server, in
#                  databases shard1 and shard2 (a Distributed table's layout).
#   ch_stop        SIGTERM, wait; SIGKILL after 20 s. Called by the EXIT trap.
#   ch_restart     stop and start again on the same ports and data.
#   ch_query SQL   POST the query; prints the answer; non-zero on error.
# Never touches a system service, /etc/clickhouse-server or /var/lib/clickhouse.

ch_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ch_write_config() {
	cat >"$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/err.log</errorlog></logger>
  <http_port>$CH_HTTP</http_port>
  <tcp_port>$CH_TCP</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/tmp/</tmp_path>
  <user_files_path>$CH_DIR/user_files/</user_files_path>
  <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
  <users_config>$CH_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>64</max_concurrent_queries>
  <remote_servers>
    <two_shards>
      <shard><replica><host>127.0.0.1</host><port>$CH_TCP</port><default_database>shard1</default_database></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$CH_TCP</port><default_database>shard2</default_database></replica></shard>
    </two_shards>
  </remote_servers>
</yandex>
XML
	cat >"$CH_DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <ct><password>secret</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></ct>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

ch_launch() {
	clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout" 2>&1 &
	CH_PID=$!
	for _ in $(seq 1 300); do
		[ "$(curl -s --max-time 2 "http://127.0.0.1:$CH_HTTP/ping" 2>/dev/null)" = "Ok." ] && return 0
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "chserver: clickhouse-server did not start: $(tail -5 "$CH_DIR/log/err.log" "$CH_DIR/log/stdout" 2>/dev/null)" >&2
	return 1
}

ch_start() {
	command -v clickhouse-server >/dev/null || { echo "chserver: clickhouse-server is not installed (.ci/setup installs it)" >&2; return 1; }
	CH_DIR=$1
	mkdir -p "$CH_DIR/log" "$CH_DIR/data" "$CH_DIR/tmp" "$CH_DIR/user_files" "$CH_DIR/format_schemas"
	CH_HTTP=$(ch_free_port)
	CH_TCP=$(ch_free_port)
	while [ "$CH_TCP" = "$CH_HTTP" ]; do CH_TCP=$(ch_free_port); done
	CH_URL="http://127.0.0.1:$CH_HTTP/"
	ch_write_config
	trap ch_stop EXIT
	ch_launch
}

ch_stop() {
	[ -n "${CH_PID:-}" ] || return 0
	kill -TERM "$CH_PID" 2>/dev/null
	for _ in $(seq 1 200); do kill -0 "$CH_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=
}

ch_restart() {
	ch_stop
	ch_launch
}

ch_query() {
	curl -sS --fail-with-body --max-time 60 "http://127.0.0.1:$CH_HTTP/" --data-binary "$1"
}
