#!/bin/bash
# fetch_esbuilds.sh COLDTRACE DIR NAME=PACKAGE@VERSION=GOVERSION...
# Fetch pinned esbuild binaries from npm (npm pack checks the registry's
# integrity hash) into DIR/NAME/esbuild, once, and check that each was built
# by the Go version expected (coldtrace inspect): one real stripped Go
# binary per Go generation for the inittrace comparisons.
set -u
coldtrace=$1 dir=$2
shift 2
mkdir -p "$dir" || exit 1
fail=0
for spec in "$@"; do
	name=${spec%%=*} rest=${spec#*=}
	pkg=${rest%=*} gover=${rest##*=}
	bin=$dir/$name/esbuild
	if [ ! -x "$bin" ]; then
		tmp=$(mktemp -d "$dir/.fetch.XXXXXX") || exit 1
		if ! (cd "$tmp" && npm pack --silent "$pkg" >pack.out 2>pack.err); then
			echo "FAIL $name: npm pack $pkg:"; cat "$tmp/pack.err"; rm -rf "$tmp"; fail=1; continue
		fi
		tar -xzf "$tmp"/*.tgz -C "$tmp" package/bin/esbuild &&
			mkdir -p "$dir/$name" && mv "$tmp/package/bin/esbuild" "$bin.part" &&
			chmod 755 "$bin.part" && mv "$bin.part" "$bin"
		rm -rf "$tmp"
	fi
	info=$("$coldtrace" inspect "$bin" 2>&1 | head -1)
	case "$info" in
	*": $gover."*|*": $gover,"*) echo "ok   $name: $pkg, $info" ;;
	*) echo "FAIL $name: $pkg: $gover expected: $info"; fail=1 ;;
	esac
done
exit $fail
