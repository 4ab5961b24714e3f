#!/bin/bash
# html_chromium.sh COLDTRACE SANDBOX_DIR PNG_CHECK WORKDIR [API_PORT INVOKE_PORT]
# The demo sandbox's cold start as one HTML page (coldtrace run -f html),
# opened in headless Chromium driven over the DevTools protocol by
# html_check.js (Node's built-ins only): it loads with no console error and
# no request but the file itself, its timeline's screenshot is a real
# picture (png_check: colours and non-white pixels), hovering a bar shows its
# details, a click on a table's heading sorts it (a second the other way),
# and the zoom stretches the time axis, not the texts. The file itself:
# self-contained (nothing to fetch), every table's rows there.
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
	'<table id="processes"' '<table id="pkginits"' '<table id="http"' '<table id="logs"' '<h2>Go package inits ('; do
	grep -qF "$want" out.html && ok "html has $want" || bad "html has $want"
done

"$node" "$here/html_check.js" "$chromium" out.html out.png pkginits 'clock ms' >check.log 2>&1
rc=$?
while IFS= read -r l; do
	case "$l" in
	"ok   "*) ok "${l#ok   }" ;;
	"FAIL "*) bad "${l#FAIL }" ;;
	*) echo "$l" ;;
	esac
done <check.log
[ $rc = 0 ] || [ $fail != 0 ] || bad "html_check.js: exit 0" "exit $rc" "$(tail -5 check.log)"
# a rendered timeline has many colours and a few per cent of non-white
# pixels; a blank or broken one has neither
if [ -s out.png ] && "$pngcheck" out.png 12 20; then
	ok "the timeline's screenshot is a picture"
else
	bad "the timeline's screenshot is a picture"
fi

finish
