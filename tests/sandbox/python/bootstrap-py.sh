#!/bin/sh
# ct-runtime-py: the demo's Python runtime, as a Lambda Python runtime's
# bootstrap script: exec the interpreter on python/bootstrap.py (the Runtime
# API client, next to this script). CT_PYTHON chooses the interpreter
# (default Debian's /usr/bin/python3; a name without a slash is looked up
# in PATH). A missing interpreter is one line on stderr and exit 127.
# No dirname, no subshell: nothing but the interpreter in the runtime's start.
case $0 in
*/*) dir=${0%/*} ;;
*) dir=$(command -v -- "$0") && dir=${dir%/*} || exit 1 ;;
esac
py=${CT_PYTHON:-/usr/bin/python3}
case $py in
*/*) [ -f "$py" ] && [ -x "$py" ] ;;
*) command -v -- "$py" >/dev/null 2>&1 ;;
esac || {
	echo "ct-runtime-py: error: Python interpreter not found or not executable: $py (install Debian's python3, or set CT_PYTHON / ct-driver --python)" >&2
	exit 127
}
[ -r "$dir/python/bootstrap.py" ] || {
	echo "ct-runtime-py: error: $dir/python/bootstrap.py not found" >&2
	exit 1
}
exec "$py" "$dir/python/bootstrap.py"
