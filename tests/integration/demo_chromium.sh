# demo_chromium.sh: sourced, after okfail.sh and in the work directory, by
# the tests that open the demo sandbox's cold start in headless Chromium
# (svg_chromium.sh, html_chromium.sh). Uses $ct (coldtrace) and $sbx (the
# demo sandbox's directory).
#   chromium_find               $chromium, or FAIL and exit 1
#   demo_run FMT OUT API INV [ARG...]
#                               coldtrace run -q -f FMT -o OUT on the demo's Go
#                               runtime (Runtime API and invoke ports; ARGs to
#                               ct-driver), ok/bad; the driver's output in
#                               driver.log
#   chromium_headless ARGS...   headless Chromium with a profile of its own,
#                               fetching nothing of its own; at most 120 s

chromium_find() {
	chromium=$(command -v chromium || command -v chromium-browser || true)
	[ -n "$chromium" ] || { echo "FAIL chromium is not installed (apt-get install chromium; .ci/setup installs it)"; exit 1; }
}

demo_run() {
	local fmt=$1 out=$2 api=$3 inv=$4 rc
	shift 4
	"$ct" run -q -f "$fmt" -o "$out" -- "$sbx/ct-driver" --runtime go "$@" \
		--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" >driver.log 2>&1
	rc=$?
	[ $rc = 0 ] && ok "coldtrace run -f $fmt: exit 0" || bad "coldtrace run -f $fmt: exit 0" "exit $rc" "$(tail -5 driver.log)"
}

chromium_headless() {
	local profile rc
	profile=$(mktemp -d)
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@"
	rc=$?
	rm -rf "$profile"
	return $rc
}
