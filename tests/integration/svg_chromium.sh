#!/bin/bash
# svg_chromium.sh COLDTRACE SANDBOX_DIR PNG_CHECK WORKDIR [API_PORT INVOKE_PORT]
# The demo sandbox's cold start with its two extensions as an SVG (coldtrace
# run -f svg), rendered by headless Chromium: the file must be standalone SVG
# with tooltips, and the screenshot a real picture (png_check: colours and
# non-white pixels); every Go program (driver, agent and the RIE it execs,
# ct-ext-go, the runtime) has its package inits zoomed; no text over another
# text or a marker (getBBox of each <text>, in Chromium, svg_overlaps.js).
# Then the same for a Go program of 400 packages generated here (built with
# the build's GOCACHE): its zoomed band has every package, grouped where
# narrow, labelled, and still no text over another.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/okfail.sh"
. "$here/demo_chromium.sh"
set -u
ct=$1 sbx=$2 pngcheck=$3 work=$4 api=${5:-19511} inv=${6:-18511}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

chromium_find

# overlaps NAME SVG: no text of SVG over another text or a marker
overlaps() {
	svg_overlaps "$1" "$2" "no text overlaps another text or a marker"
}

# zoomed NAME SVG: as many zoomed package bands as "N Go package inits"
# bands, each with a label of the class "l pk"
zoomed() {
	local name=$1 svg=$2 bands frames
	bands=$(grep -c 'Go package inits (' "$svg")
	frames=$(grep -c '<rect class="zoomf"' "$svg")
	if [ "$bands" -gt 0 ] && [ "$bands" = "$frames" ] && grep -q 'class="l pk"' "$svg"; then
		ok "$name: every Go image's package inits zoomed, labelled ($frames bands)"
	else
		bad "$name: every Go image's package inits zoomed, labelled" "$bands bands, $frames zoomed" \
			"$(grep -o '[0-9]* Go package inits ([^)]*)' "$svg")"
	fi
}

demo_run svg out.svg "$api" "$inv" --extensions 2
if head -c 300 out.svg | grep -q '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"' && tail -1 out.svg | grep -q '^</svg>$'; then
	ok "standalone SVG 1.1"
else
	bad "standalone SVG 1.1" "$(head -c 300 out.svg)"
fi
for want in 'function init</text>' 'agent init</text>' 'Go package inits' '<title>' 'INIT REPORT says' \
	'ct-agent inits, zoom' 'ct-ext-go inits, zoom' 'ct-runtime-go inits, zoom'; do
	grep -q "$want" out.svg && ok "svg has $want" || bad "svg has $want"
done
zoomed demo out.svg
if command -v xmllint >/dev/null; then
	xmllint --noout out.svg && ok "xmllint: well-formed" || bad "xmllint: well-formed"
fi

chromium_headless --screenshot="$work/out.png" --window-size=1400,900 "file://$work/out.svg" >chromium.log 2>&1
rc=$?
if [ $rc = 0 ] && [ -s out.png ]; then
	ok "chromium rendered out.png ($(stat -c %s out.png) bytes)"
else
	bad "chromium rendered out.png" "exit $rc" "$(tail -5 chromium.log)"
fi
# a rendered timeline has many colours (bars, text anti-aliasing) and a
# few per cent of non-white pixels; a blank or broken page has neither
if "$pngcheck" out.png 12 20; then ok "the picture is not empty"; else bad "the picture is not empty"; fi
overlaps demo out.svg

# A Go program of 400 packages in a chain (p399 imports p398 ... p000), each
# with an init doing some work: most a few us, every 50th far more.
go=$(command -v go || ls /usr/lib/go/bin/go 2>/dev/null || true)
if [ -z "$go" ]; then
	bad "go is installed (the 400-package program)"
else
	mkdir -p many && cd many || exit 1
	printf 'module example.com/many\n\ngo 1.19\n' >go.mod
	printf 'package main\n\nimport _ "example.com/many/p399"\n\nfunc main() {}\n' >main.go
	for i in $(seq 0 399); do
		n=$(printf %03d "$i")
		mkdir "p$n"
		{
			echo "package p$n"
			[ "$i" -gt 0 ] && printf '\nimport _ "example.com/many/p%03d"\n' $((i - 1))
			printf '\nvar Sink uint64\n\nfunc init() {\n\tx := uint64(%d)\n' "$i"
			printf '\tfor k := 0; k < %d; k++ {\n' $((i % 50 == 7 ? 400000 : 500 + (i % 13) * 300))
			printf '\t\tx = x*6364136223846793005 + 1442695040888963407\n\t}\n\tSink = x\n}\n'
		} >"p$n/p.go"
	done
	GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$(dirname "$ct")/gocache" GOTOOLCHAIN=local CGO_ENABLED=0 \
		"$go" build -trimpath -o ../many-bin . >../many-build.log 2>&1
	rc=$?
	cd "$work" || exit 1
	if [ $rc != 0 ]; then
		bad "go build of the 400-package program" "$(tail -5 many-build.log)"
	else
		"$ct" run -q -f svg -o many.svg -- ./many-bin >many.log 2>&1
		rc=$?
		[ $rc = 0 ] && ok "coldtrace run -f svg of 400 packages: exit 0" || bad "coldtrace run -f svg of 400 packages" "exit $rc" "$(tail -5 many.log)"
		n=$(grep -o '[0-9]* Go package inits (' many.svg | grep -o '^[0-9]*')
		[ "${n:-0}" -ge 400 ] && ok "svg: $n Go package inits" || bad "svg: at least 400 Go package inits" "${n:-none}"
		zoomed many many.svg
		grep -q '<rect class="pkgg"' many.svg && ok "many: narrow packages grouped" || bad "many: narrow packages grouped"
		grep -q 'example.com/many/p[0-9]* [0-9.]* ms</text>' many.svg && ok "many: a package labelled" ||
			bad "many: a package labelled"
		overlaps many many.svg
	fi
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
