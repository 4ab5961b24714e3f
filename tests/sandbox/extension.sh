#!/bin/sh
# A Lambda extension in shell + curl, installed under several names; its
# behaviour is chosen by its own file name (as Lambda names an extension
# after its file in /opt/extensions):
#   ct-ext-sh       register for INVOKE and SHUTDOWN, print "registered as
#                   <id>", then loop on event/next: "INVOKE <requestId>",
#                   "SHUTDOWN" (exit 0).
#   ct-ext-sleep    the same, but sleeps ${CT_EXT_SLEEP_MS:-300} ms between
#                   registering and its first event/next (a slow extension).
#   ct-ext-crash    registers, then exits with status 3 before its first next.
#   ct-ext-initerr  registers, then POSTs init/error with
#                   Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid
#                   and exits 1.
#   ct-ext-hang     never registers (sleeps an hour): INIT times out.
# Needs AWS_LAMBDA_RUNTIME_API and curl.
set -eu
: "${AWS_LAMBDA_RUNTIME_API:?AWS_LAMBDA_RUNTIME_API is not set}"
name=$(basename "$0")
api="http://${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
trap 'exit 143' TERM
trap 'exit 130' INT

case $name in
*hang*)
	echo "$name: never registering" >&2
	exec sleep 3600 ;;
esac

# No temporary files: curl -D - puts the reply's headers before its body.
reply=$(curl -sS --fail-with-body --max-time 10 -D - \
	-H "Lambda-Extension-Name: $name" -H 'Content-Type: application/json' \
	--data '{"events":["INVOKE","SHUTDOWN"]}' "$api/register") ||
	{ echo "$name: register failed: $reply" >&2; exit 1; }
id=$(printf '%s\n' "$reply" | tr -d '\r' | sed -n 's/^[Ll]ambda-[Ee]xtension-[Ii]dentifier:[[:space:]]*//p' | head -n 1)
[ -n "$id" ] || { echo "$name: no Lambda-Extension-Identifier in the register reply" >&2; exit 1; }
echo "registered as $id"

case $name in
*crash*)
	echo "$name: exiting with status 3 before my first next" >&2
	exit 3 ;;
*initerr*)
	curl -sS --max-time 10 -o /dev/null -H "Lambda-Extension-Identifier: $id" \
		-H 'Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid' \
		--data '{"errorType":"Extension.ConfigInvalid","errorMessage":"bad configuration (test)"}' \
		"$api/init/error"
	echo "$name: reported Extension.ConfigInvalid" >&2
	exit 1 ;;
*sleep*)
	ms=${CT_EXT_SLEEP_MS:-300}
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" ;;
esac

while :; do
	# event/next blocks until an event: no --max-time here.
	event=$(curl -sS --fail-with-body -H "Lambda-Extension-Identifier: $id" "$api/event/next") ||
		{ echo "$name: event/next failed: $event" >&2; exit 1; }
	case $(printf '%s' "$event" | tr -d ' \n') in
	*'"eventType":"INVOKE"'*)
		rid=$(printf '%s\n' "$event" | sed -n 's/.*"requestId":"\([^"]*\)".*/\1/p')
		echo "INVOKE $rid" ;;
	*'"eventType":"SHUTDOWN"'*)
		echo "SHUTDOWN"
		exit 0 ;;
	*)
		echo "$name: unexpected event: $event" >&2
		exit 1 ;;
	esac
done
