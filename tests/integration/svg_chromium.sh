#!/bin/bash
# svg_chromium.sh COLDTRACE SANDBOX_DIR PNG_CHECK WORKDIR [API_PORT INVOKE_PORT]
# The demo sandbox's cold start as an SVG (coldtrace run -f svg), rendered by
# headless Chromium: the file must be standalone SVG with tooltips, and the
# screenshot a real picture (png_check: colours and non-white pixels); no
# text over another text or a marker (getBBox of each <text>, in Chromium,
# svg_overlaps.js).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/okfail.sh"
set -u
ct=$1 sbx=$2 pngcheck=$3 work=$4 api=${5:-19511} inv=${6:-18511}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL chromium is not installed (apt-get install chromium; .ci/setup installs it)"; exit 1; }

"$ct" run -q -f svg -o out.svg -- "$sbx/ct-driver" --runtime go \
	--runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv" >driver.log 2>&1
rc=$?
[ $rc = 0 ] && ok "coldtrace run -f svg: exit 0" || bad "coldtrace run -f svg: exit 0" "exit $rc" "$(tail -5 driver.log)"
if head -c 300 out.svg | grep -q '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"' && tail -1 out.svg | grep -q '^</svg>$'; then
	ok "standalone SVG 1.1"
else
	bad "standalone SVG 1.1" "$(head -c 300 out.svg)"
fi
for want in 'function init</text>' 'agent init</text>' 'Go package inits' '<title>' 'INIT REPORT says'; do
	grep -q "$want" out.svg && ok "svg has $want" || bad "svg has $want"
done
if command -v xmllint >/dev/null; then
	xmllint --noout out.svg && ok "xmllint: well-formed" || bad "xmllint: well-formed"
fi

profile=$(mktemp -d)
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
	--screenshot="$work/out.png" --window-size=1400,900 "file://$work/out.svg" >chromium.log 2>&1
rc=$?
rm -rf "$profile"
if [ $rc = 0 ] && [ -s out.png ]; then
	ok "chromium rendered out.png ($(stat -c %s out.png) bytes)"
else
	bad "chromium rendered out.png" "exit $rc" "$(tail -5 chromium.log)"
fi
# a rendered timeline has many colours (bars, text anti-aliasing) and a
# few per cent of non-white pixels; a blank or broken page has neither
if "$pngcheck" out.png 12 20; then ok "the picture is not empty"; else bad "the picture is not empty"; fi

# the svg inline in a page, and a script that lists the overlaps of its
# texts in <pre id="overlaps">: --dump-dom prints the page once it ran
{
	echo '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
	sed 1d out.svg
	echo '<script>'
	cat "$here/svg_overlaps.js"
	echo '</script></body></html>'
} >overlaps.html
profile=$(mktemp -d)
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
	--dump-dom "file://$work/overlaps.html" 2>chromium-dom.log | sed -n '/<pre id="overlaps">/,/^END/p' >overlaps.txt
rm -rf "$profile"
if grep -q 'OVERLAPS 0 TEXTS [1-9]' overlaps.txt; then
	ok "no text overlaps another text or a marker ($(grep -o 'TEXTS [0-9]*' overlaps.txt) checked)"
else
	bad "no text overlaps another text or a marker" "$(head -20 overlaps.txt)" "$(tail -5 chromium-dom.log)"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
