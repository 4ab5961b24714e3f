#!/bin/bash
# bench/rss_flood.sh [N]
#
# The model's peak RSS under adversarial floods (bench/rss_flood.c: synthetic
# ct_io records straight into the model, no BPF, no root): 3 KB
# "START RequestId:" log lines, HTTP requests on N/4 connections, both; with
# the default budget (64 MiB) and with --max-memory-like budgets of 16 and
# 256 MiB. Each row fails (and so the script) if the RSS after ct_model_finish
# exceeds its budget + 8 MiB (the program and libc).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# every pure module (what the unit tests link): all of userspace/ but the CLI
# and the files that talk to the kernel
srcs=$(find userspace -name '*.c' ! -path 'userspace/cli/*' ! -name tracer.c ! -name hold.c ! -name guardian.c | sort)
incs=$(find userspace -mindepth 1 -type d | sed 's/^/-I/')
# shellcheck disable=SC2086
cc -O2 -D_GNU_SOURCE -DCOLDTRACE_VERSION='"bench"' $incs -Ibpf -o "$work/rss_flood" bench/rss_flood.c \
	$srcs -lelf -lz -lZydis -lpthread
rc=0
for mode in log http mixed; do
	for budget in 0 16; do
		"$work/rss_flood" $mode "$n" $budget || rc=1
	done
done
"$work/rss_flood" log 50000 0 || rc=1
"$work/rss_flood" log "$n" 256 || rc=1
exit $rc
