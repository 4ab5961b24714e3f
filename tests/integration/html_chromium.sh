#!/bin/bash
# html_chromium.sh COLDTRACE SANDBOX_DIR PNG_CHECK WORKDIR [API_PORT INVOKE_PORT]
# The demo sandbox's cold start as one HTML page (coldtrace run -f html),
# opened in headless Chromium driven over the DevTools protocol by
# html_check.js (Node's built-ins only): it loads with no console error and
# no request but the file itself, its timeline's screenshot is a real
# picture (png_check: colours and non-white pixels), hovering a bar shows its
# details, a click on a table's heading sorts it (a second the other way),
# and the zoom stretches the time axis, not the texts. The file itself:
# self-contained (nothing to fetch), every table's rows there. Then report
# -f html over 3 runs of the demo (--repeat 3 -f jsonl), and --compare of
# the first two with the third, checked the same way (their pictures, a
# table sorted by a click).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/okfail.sh"
. "$here/demo_chromium.sh"
set -u
ct=$1 sbx=$2 pngcheck=$3 work=$4 api=${5:-19551} inv=${6:-18551}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

chromium_find
node=$(command -v node || command -v nodejs || true)
[ -n "$node" ] || { echo "FAIL node is not installed (apt-get install nodejs; .ci/setup installs it)"; exit 1; }

demo_run html out.html "$api" "$inv"
if head -1 out.html | grep -qx '<!DOCTYPE html>' && tail -1 out.html | grep -qx '</html>' &&
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" out.html; then
	ok "an HTML page that may load nothing (CSP default-src 'none')"
else
	bad "an HTML page that may load nothing" "$(head -c 300 out.html)"
fi
# nothing to fetch: no src= at all, links only inside the page
if grep -Eq ' src=["'\'']|href="[^#]|url\(|@import' out.html; then
	bad "nothing to fetch" "$(grep -Eo '.{30}( src=["'\'']|href="[^#]|url\(|@import).{30}' out.html | head -5)"
else
	ok "nothing to fetch (no src=, no url(), links inside the page only)"
fi
for want in '<svg xmlns="http://www.w3.org/2000/svg"' 'agent init</text>' '<table id="phases"' \
	'<figure id="timeline" class="zoomable">' \
	'<table id="processes"' '<table id="pkginits"' '<table id="http"' '<table id="logs"' '<h2>Go package inits ('; do
	grep -qF "$want" out.html && ok "html has $want" || bad "html has $want"
done

# check NAME PAGE TABLE COLUMN FIGURE: html_check.js's checks of PAGE, its
# lines counted here; the screenshot of FIGURE (NAME.png) a picture: many
# colours and a few per cent of non-white pixels (a blank or broken one has
# neither)
check() {
	local name=$1 page=$2 fails=$fail rc l
	"$node" "$here/html_check.js" "$chromium" "$page" "$name.png" "$3" "$4" "$5" >"$name-check.log" 2>&1
	rc=$?
	while IFS= read -r l; do
		case "$l" in
		"ok   "*) ok "$name: ${l#ok   }" ;;
		"FAIL "*) bad "$name: ${l#FAIL }" ;;
		*) echo "$l" ;;
		esac
	done <"$name-check.log"
	[ $rc = 0 ] || [ $fail != $fails ] || bad "$name: html_check.js: exit 0" "exit $rc" "$(tail -5 "$name-check.log")"
	if [ -s "$name.png" ] && "$pngcheck" "$name.png" 12 20; then
		ok "$name: the screenshot of #$5 is a picture"
	else
		bad "$name: the screenshot of #$5 is a picture"
	fi
}

check run out.html pkginits 'clock ms' timeline

"$ct" run -q --repeat 3 -f jsonl -o runs -- "$sbx/ct-driver" --runtime go \
	--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" >repeat.log 2>&1
rc=$?
[ $rc = 0 ] && ok "coldtrace run --repeat 3 -f jsonl: exit 0" || bad "coldtrace run --repeat 3 -f jsonl: exit 0" "exit $rc" "$(tail -5 repeat.log)"
# report_page NAME WANT ARGS...: coldtrace report -f html ARGS > NAME.html,
# with its plots and the fixed string WANT
report_page() {
	local name=$1 want=$2 rc
	shift 2
	"$ct" report -f html "$@" >"$name.html" 2>"$name.err"
	rc=$?
	if [ $rc = 0 ] && grep -q '<figure id="plots">' "$name.html" && grep -qF "$want" "$name.html"; then
		ok "coldtrace report -f html $1: its plots and tables"
	else
		bad "coldtrace report -f html $1: its plots and tables" "exit $rc" "$(tail -3 "$name.err")"
	fi
}
report_page report '<table id="phases"' runs/run-00[123].jsonl
check report report.html phases 'p50 ms' plots
report_page compare '>diff ms</th>' --compare runs/run-00[12].jsonl --vs runs/run-003.jsonl
check compare compare.html phases 'A p50 ms' plots

finish
