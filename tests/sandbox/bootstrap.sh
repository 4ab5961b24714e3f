#!/bin/sh
# A Lambda runtime in shell + curl: GET /next, answer with the event wrapped
# in a greeting, POST /response. Needs AWS_LAMBDA_RUNTIME_API and curl.
set -eu
: "${AWS_LAMBDA_RUNTIME_API:?AWS_LAMBDA_RUNTIME_API is not set}"
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ct-bootstrap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

failures=0
while :; do
	# /next blocks until an invoke arrives: no --max-time here.
	if ! curl -sS -D "$tmp/headers" -o "$tmp/event" "$api/invocation/next"; then
		failures=$((failures + 1))
		[ "$failures" -lt 5 ] || { echo "bootstrap.sh: GET /next keeps failing" >&2; exit 1; }
		sleep 0.1
		continue
	fi
	failures=0
	id=$(tr -d '\r' <"$tmp/headers" | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d:[[:space:]]*//p')
	if [ -z "$id" ]; then
		echo "bootstrap.sh: no Lambda-Runtime-Aws-Request-Id in /next response" >&2
		exit 1
	fi
	[ -s "$tmp/event" ] || printf 'null' >"$tmp/event"
	{ printf '{"hello":"from shell","requestId":"%s","event":' "$id"; cat "$tmp/event"; printf '}'; } >"$tmp/response"
	curl -sS --max-time 10 -o /dev/null -H 'Content-Type: application/json' \
		--data-binary "@$tmp/response" "$api/invocation/$id/response" ||
		echo "bootstrap.sh: POST response for $id failed" >&2
done
