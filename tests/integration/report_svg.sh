#!/bin/bash
# report_svg.sh COLDTRACE SANDBOX_DIR PNG_CHECK CORPUS_DIR WORKDIR [API_PORT INVOKE_PORT]
# coldtrace report -f svg (issue 17), the real command on saved runs: the
# demo runs of the fuzz corpus (CORPUS_DIR: real-demo-1, real-demo-2,
# real-ext-two), then 4 fresh cold starts of the demo sandbox before and 4
# with --cold-cache after (run --repeat), each as `report -f svg` and
# `report --compare A... --vs B... -f svg`. Every picture: standalone SVG 1.1,
# well-formed (xmllint), a row per phase of the text report with its p50 as
# the text prints it, both sides in the compare; rendered by headless
# Chromium (png_check: a real picture), no text over another text, a dot or
# a p50/p90/p99 mark (getBBox, svg_overlaps.js).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/okfail.sh"
. "$here/demo_chromium.sh"
set -u
ct=$1 sbx=$2 pngcheck=$3 corpus=$4 work=$5 api=${6:-19561} inv=${7:-18561}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

chromium_find

# chrome NAME: NAME.svg rendered to NAME.png, and its overlaps in NAME-overlaps.txt
chrome() {
	local name=$1 rc
	chromium_headless --screenshot="$work/$name.png" --window-size=1400,1000 "file://$work/$name.svg" \
		>"$name.chromium.log" 2>&1
	rc=$?
	if [ $rc = 0 ] && [ -s "$name.png" ] && "$pngcheck" "$name.png" 8 10; then
		ok "$name: chromium renders a picture"
	else
		bad "$name: chromium renders a picture" "exit $rc" "$(tail -3 "$name.chromium.log")"
	fi
	svg_overlaps "$name" "$name.svg" "no text over another text, a dot or a mark" \
		"circle.run, line.p50, line.p90, line.p99"
}

# check NAME WANT_RUNS [B]: NAME.svg against the text report (NAME.txt):
# standalone, well-formed, every phase a row with its p50 (and B's)
check() {
	local name=$1 missing=""
	if head -c 300 "$name.svg" | grep -q '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"' &&
		tail -1 "$name.svg" | grep -q '^</svg>$' && ! grep -qE 'href|url\(|@import|<script' "$name.svg"; then
		ok "$name: standalone SVG 1.1"
	else
		bad "$name: standalone SVG 1.1" "$(head -c 300 "$name.svg")"
	fi
	if ! command -v xmllint >/dev/null; then
		bad "$name: xmllint: well-formed" "xmllint is not installed (apt-get install libxml2-utils; .ci/setup installs it)"
	elif xmllint --noout "$name.svg"; then
		ok "$name: xmllint: well-formed"
	else
		bad "$name: xmllint: well-formed"
	fi
	# the phase table of the text: "  NAME count p50 ..." / "  NAME A-p50 B-p50 ..."
	awk '/^phase/{p=1;next} p&&/^$/{exit} p' "$name.txt" >"$name.phases"
	[ -s "$name.phases" ] && ok "$name: the text has phases ($(wc -l <"$name.phases"))" || bad "$name: the text has phases" "$(head -5 "$name.txt")"
	while read -r ph c1 c2 _; do
		if [ "$2" = cmp ]; then # A p50, B p50 ("-": none)
			want="A p50 $c1 " want2="B p50 $c2 "
		else # count, p50
			want="p50 $c2 " want2="" c1=$c2 c2=-
		fi
		grep -q "<text class=\"n\" x=\"[0-9.]*\" y=\"[0-9.]*\">$ph</text>" "$name.svg" || missing="$missing row:$ph"
		[ "$c1" = - ] || grep -q ">${want}" "$name.svg" || missing="$missing $ph:$want"
		[ "$c2" = - ] || grep -q ">${want2}" "$name.svg" || missing="$missing $ph:$want2"
	done <"$name.phases"
	[ -z "$missing" ] && ok "$name: every phase a row, its p50 the text's" || bad "$name: every phase a row, its p50 the text's" "$missing"
	chrome "$name"
}

# ---- the saved runs of the corpus ----
d1=$corpus/real-demo-1.jsonl d2=$corpus/real-demo-2.jsonl de=$corpus/real-ext-two.jsonl
"$ct" report -f svg "$d1" "$d2" "$de" >saved.svg 2>err.txt && ok "report -f svg: exit 0" || bad "report -f svg: exit 0" "$(cat err.txt)"
"$ct" report "$d1" "$d2" "$de" >saved.txt
grep -q 'coldtrace report: 3 runs' saved.svg && ok "saved: 3 runs" || bad "saved: 3 runs"
check saved one
"$ct" report --compare "$d1" --vs "$d2" "$de" -f svg >saved-cmp.svg 2>err.txt && ok "report --compare -f svg: exit 0" ||
	bad "report --compare -f svg: exit 0" "$(cat err.txt)"
"$ct" report --compare "$d1" --vs "$d2" "$de" >saved-cmp.txt
grep -q 'A, before: 1 run<' saved-cmp.svg && grep -q 'B, after: 2 runs<' saved-cmp.svg && ok "saved-cmp: both sides in the legend" ||
	bad "saved-cmp: both sides in the legend"
check saved-cmp cmp

# bad usage: the format's one-line error, exit 2
"$ct" report -f png "$d1" >/dev/null 2>err.txt
rc=$?
[ $rc = 2 ] && grep -q "^coldtrace: report: --format is text, json, svg or html, not 'png'$" err.txt &&
	ok "report -f png: exit 2, one-line error" || bad "report -f png: exit 2, one-line error" "exit $rc" "$(cat err.txt)"

# ---- fresh runs of the demo: before, and after --cold-cache ----
drv=("$sbx/ct-driver" --runtime go --invokes 1 --extensions 2 --runtime-api-address "127.0.0.1:$api" --invoke-address "127.0.0.1:$inv")
"$ct" run -q --repeat 4 -f jsonl -o before -- "${drv[@]}" >before.log 2>&1 &&
	"$ct" run -q --repeat 4 --cold-cache -f jsonl -o after -- "${drv[@]}" >after.log 2>&1
rc=$?
[ $rc = 0 ] && ok "4 runs before, 4 after --cold-cache: exit 0" || bad "4 runs before, 4 after --cold-cache: exit 0" "exit $rc" "$(tail -3 before.log after.log)"
"$ct" report -f svg before/*.jsonl >before.svg 2>err.txt || bad "report -f svg before/" "$(cat err.txt)"
"$ct" report before/*.jsonl >before.txt
check before one
"$ct" report --compare before/*.jsonl --vs after/*.jsonl -f svg >cmp.svg 2>err.txt || bad "report --compare -f svg" "$(cat err.txt)"
"$ct" report --compare before/*.jsonl --vs after/*.jsonl >cmp.txt
grep -q 'A, before: 4 runs<' cmp.svg && grep -q 'B, after: 4 runs<' cmp.svg && ok "cmp: 4 runs each side" || bad "cmp: 4 runs each side"
# the packages that moved most: the text's, in its order
awk '/^package init \(/{p=1;next} p&&/^$/{exit} p{print $2}' cmp.txt >cmp.pkgs
# (a row's name: its <text class="n">, or the tooltip of one cut short)
awk '/class="h".*package inits that moved most/{p=1;next} p&&/class="h"/{exit}
	p&&/<g><title>.*<text class="n"/{sub(/^<g><title>/,""); sub(/<\/title>.*/,""); print; next}
	p&&/^<text class="n"/{sub(/^[^>]*>/,""); sub(/<\/text>.*/,""); print}' cmp.svg >cmp.svgpkgs
if [ -s cmp.pkgs ] && cmp -s cmp.pkgs cmp.svgpkgs; then
	ok "cmp: the packages that moved most, as the text lists them ($(wc -l <cmp.pkgs))"
else
	bad "cmp: the packages that moved most, as the text lists them" "text: $(head -5 cmp.pkgs | tr '\n' ' ')" "svg: $(head -5 cmp.svgpkgs | tr '\n' ' ')"
fi
check cmp cmp

finish
