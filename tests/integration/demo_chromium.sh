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
#   svg_overlaps NAME SVG WHAT [MARKS]
#                               ok/bad: no text of SVG over another text or a
#                               marker (WHAT: how the check is worded), as
#                               Chromium lays it out: the svg inline in a page
#                               with svg_overlaps.js (MARKS: CSS selectors of
#                               the markers, window.ctOverlapMarks; default
#                               its own), which lists the overlaps in
#                               <pre id="overlaps">, printed by --dump-dom.
#                               Leaves NAME-overlaps.{html,txt}

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

svg_overlaps() {
	local name=$1 svg=$2 what=$3 marks=${4:-}
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
		sed 1d "$svg"
		[ -z "$marks" ] || echo "<script>window.ctOverlapMarks = \"$marks\";</script>"
		echo '<script>'
		cat "$here/svg_overlaps.js"
		echo '</script></body></html>'
	} >"$name-overlaps.html"
	chromium_headless --dump-dom "file://$PWD/$name-overlaps.html" 2>"$name-chromium-dom.log" |
		sed -n '/<pre id="overlaps">/,/^END/p' >"$name-overlaps.txt"
	if grep -q 'OVERLAPS 0 TEXTS [1-9]' "$name-overlaps.txt"; then
		ok "$name: $what ($(grep -o 'TEXTS [0-9]*' "$name-overlaps.txt") checked)"
	else
		bad "$name: $what" "$(head -20 "$name-overlaps.txt")" "$(tail -5 "$name-chromium-dom.log")"
	fi
}
