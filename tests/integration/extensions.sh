#!/bin/bash
# extensions.sh COLDTRACE SANDBOX_DIR WORKDIR [API_PORT [INVOKE_PORT]]
#
# Cold starts of the demo sandbox with Lambda extensions, each under
# `coldtrace run -f jsonl`, checked by check_extensions against the raw
# records of the same trace and what the extensions printed:
#   none       no extension record, nothing else changed
#   go         ct-ext-go (GODEBUG=inittrace=1): ready, its id the one it
#              printed and sent on event/next, exec'd from /opt/extensions
#              (the driver's private mount namespace), its package inits
#              equal to its own inittrace lines (cmp_inittrace --self)
#   go,sh      both ready; INIT done = the later of the runtime's first /next
#              and the last ready; INIT REPORT after it
#   sleep      ct-ext-sleep waits 400 ms before its first next: INIT waited
#              for it last, by at least 300 ms
#   crash      ct-ext-crash exits after registering: INIT failed, the note
#              names it and Extension.Crash; no invocation was delivered
#   initerr    ct-ext-initerr posts init/error: Extension.ConfigInvalid
# Each run: no process of the sandbox left, the host's /opt unchanged.
# Environment: CT_CHECK_EXTENSIONS, CT_CMP_INITTRACE (default: next to this
# test's build dir). Prints ok/FAIL lines and "N passed, N failed".
. "$(cd "$(dirname "$0")" && pwd)/okfail.sh"
set -u
ct=${1:?usage: extensions.sh COLDTRACE SANDBOX_DIR WORKDIR [API_PORT [INVOKE_PORT]]}
sbx=${2:?sandbox dir} work=${3:?work dir}
api=${4:-19431} inv=${5:-18431}
bindir=$(dirname "$ct")/tests/integration
check=${CT_CHECK_EXTENSIONS:-$bindir/check_extensions}
cmp=${CT_CMP_INITTRACE:-$bindir/cmp_inittrace}


rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
[ "$(id -u)" = 0 ] || { bad "needs root (real BPF)"; finish; }
for x in "$check" "$cmp"; do
	[ -x "$x" ] || { bad "$x not found"; finish; }
done
command -v curl >/dev/null || { bad "the shell extensions need curl"; finish; }
opt_before=$(ls -la --time-style=full-iso /opt 2>&1)

# run NAME WANT_RC [ENV=V...] -- DRIVER ARGS...: one traced cold start.
run() {
	local name=$1 want=$2 rc left
	shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	for p in "$api" "$inv"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			bad "$name: port $p is free before the run"
			return 1
		fi
	done
	timeout -s INT -k 10 120 env "${envs[@]}" "$ct" run -f jsonl -o "$name.jsonl" --force -- \
		"$sbx/ct-driver" --runtime go --runtime-api-address "127.0.0.1:$api" \
		--invoke-address "127.0.0.1:$inv" "$@" >"$name.out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && ok "$name: coldtrace run -- ct-driver $*: exit $want" ||
		bad "$name: coldtrace run -- ct-driver $*: exit $want" "exit $rc" "$(tail -n 15 "$name.out")"
	grep -q 'events lost' "$name.out" && bad "$name: no events lost" "$(grep 'events lost' "$name.out")"
	sleep 0.2
	left=$(pgrep -f -a 'ct-ext-|ct-agent|ct-runtime-go' || true)
	[ -z "$left" ] && ok "$name: no process of the sandbox left" || bad "$name: no process of the sandbox left" "$left"
	[ "$(ls -la --time-style=full-iso /opt 2>&1)" = "$opt_before" ] && ok "$name: the host's /opt unchanged" ||
		bad "$name: the host's /opt unchanged" "$(ls -la /opt 2>&1)"
	[ -s "$name.jsonl" ]
}

# checked NAME CHECK-ARGS...: check_extensions on NAME.jsonl, counted here.
checked() {
	local name=$1 crc p f
	shift
	"$check" "$name.jsonl" "$@" >"$name.check" 2>&1
	crc=$?
	sed "s/^\(ok  \|FAIL\) /\1 $name: /" "$name.check"
	p=$(grep -c '^ok ' "$name.check") f=$(grep -c '^FAIL ' "$name.check")
	pass=$((pass + p)) fail=$((fail + f))
	[ "$crc" = 0 ] || [ "$f" != 0 ] || bad "$name: check_extensions ran" "exit $crc"
}

ext_pid() { # NAME.jsonl EXT: the pid of extension EXT
	grep '"type":"extension"' "$1" | grep "\"name\":\"$2\"" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -n 1
}

if run none 0 -- --extensions 0; then
	checked none
	grep -q '"type":"timeline".*"extensions":0' none.jsonl && ok "none: the timeline counts 0 extensions" ||
		bad "none: the timeline counts 0 extensions"
fi

if run go 0 GODEBUG=inittrace=1 -- --extensions 1; then
	checked go --want ct-ext-go:ready --printed go.out --path-prefix /opt/extensions/
	pid=$(ext_pid go.jsonl ct-ext-go)
	if [ -n "$pid" ]; then
		n=$(grep '"type":"go_init"' go.jsonl | grep -c "\"pid\":$pid,")
		[ "$n" -ge 5 ] && ok "go: ct-ext-go's package inits traced ($n)" || bad "go: ct-ext-go's package inits traced" "$n"
		"$cmp" --self go.jsonl "$pid" >go.cmp 2>&1 && ok "go: ct-ext-go's inits match its GODEBUG=inittrace=1 lines" ||
			bad "go: ct-ext-go's inits match its GODEBUG=inittrace=1 lines" "$(tail -n 20 go.cmp)"
	else
		bad "go: ct-ext-go has a pid"
	fi
fi

if run two 0 -- --extensions 2; then
	checked two --want ct-ext-go:ready --want ct-ext-sh:ready --printed two.out --path-prefix /opt/extensions/
fi

if run sleep 0 CT_EXT_SLEEP_MS=400 -- --extensions ct-ext-go,ct-ext-sleep; then
	checked sleep --want ct-ext-go:ready --want ct-ext-sleep:ready --gate ct-ext-sleep --gate-min-ms 300
fi

if run crash 1 -- --extensions ct-ext-crash; then
	checked crash --want ct-ext-crash:exited:Extension.Crash
	# it registered, so the agent usually started the runtime before the crash
	# (a race the agent may also lose): either way no invoke was delivered
	grep '"type":"timeline"' crash.jsonl | grep -Eq 'so (no invocation was delivered|the runtime was never started)' &&
		ok "crash: the note says no invocation was delivered" ||
		bad "crash: the note says no invocation was delivered" "$(grep '"type":"timeline"' crash.jsonl | head -c 600)"
fi

if run initerr 1 -- --extensions ct-ext-initerr; then
	checked initerr --want ct-ext-initerr:init_error:Extension.ConfigInvalid
fi
finish
