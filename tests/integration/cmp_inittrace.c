// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmp_inittrace OURS.jsonl GODEBUG.txt
 * cmp_inittrace --self OURS.jsonl PID
 *
 * With --order-only as the first argument only the ordered package lists
 * are compared (for runs where several traced programs share 2 CPUs: the
 * timing then measures the scheduler, not the tracer).
 *
 * The second form takes Go's side from the same trace: the inittrace lines
 * process PID wrote to stderr, which coldtrace recorded as "log" records of
 * kind go_init (used where several Go processes share one stderr).
 *
 * Compare coldtrace's Go init records (jsonl, ns precision) with the lines
 * GODEBUG=inittrace=1 printed in the same run. Passes when both list the
 * same packages in the same order and, per package,
 *   |clock difference| <= 50 us + 10%  and  |@ difference| <= 100 us + 2%,
 * where Go's printed value v (truncated to its last digit, resolution r)
 * stands for any true value in [v, v + r).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXP 4096

struct rec {
	char pkg[256];
	double at_ms, clock_ms; /* ours: exact; Go's: as printed */
	double at_res, clock_res; /* Go's print resolution (ms) */
};

static struct rec ours[MAXP], gos[MAXP];

static const char *json_field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? p + strlen(pat) : NULL;
}

static long only_pid = -1; /* --self: this process's records only */
static int order_only;

static long json_pid(const char *line)
{
	const char *p = json_field(line, "pid");

	return p ? strtol(p, NULL, 10) : -1;
}

static int read_ours(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) && n < MAXP) {
		const char *p;
		char *q;

		if (!strstr(line, "\"type\":\"go_init\""))
			continue;
		if (only_pid >= 0 && json_pid(line) != only_pid)
			continue;
		p = json_field(line, "pkg");
		if (!p || *p != '"')
			continue;
		snprintf(ours[n].pkg, sizeof(ours[n].pkg), "%s", p + 1);
		q = strchr(ours[n].pkg, '"');
		if (q)
			*q = 0;
		p = json_field(line, "clock_ns");
		ours[n].clock_ms = p ? strtod(p, NULL) / 1e6 : -1;
		p = json_field(line, "at_ns");
		ours[n].at_ms = p ? strtod(p, NULL) / 1e6 : -1;
		n++;
	}
	fclose(f);
	return n;
}

/* Resolution of a number as Go printed it: 10^-(digits after the dot). */
static double resolution(const char *s)
{
	const char *dot = strchr(s, '.');
	double r = 1;

	if (!dot)
		return 1;
	for (dot++; *dot >= '0' && *dot <= '9'; dot++)
		r /= 10;
	return r;
}

static int read_go(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096], *line;
	int n = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(buf, sizeof(buf), f) && n < MAXP) {
		char pkg[256], at[32], clock[32];

		line = buf;
		if (only_pid >= 0) {
			/* {"type":"log",...,"pid":N,...,"kind":"go_init",...,"line":"init ..."} */
			char *l;

			if (!strstr(buf, "\"type\":\"log\"") || !strstr(buf, "\"kind\":\"go_init\"") ||
			    json_pid(buf) != only_pid || !(l = strstr(buf, "\"line\":\"")))
				continue;
			line = l + 8;
		}
		if (strncmp(line, "init ", 5))
			continue;
		if (sscanf(line, "init %255s @%31s ms, %31s ms clock", pkg, at, clock) != 3)
			continue;
		snprintf(gos[n].pkg, sizeof(gos[n].pkg), "%s", pkg);
		gos[n].at_ms = strtod(at, NULL);
		gos[n].at_res = resolution(at);
		gos[n].clock_ms = strtod(clock, NULL);
		gos[n].clock_res = resolution(clock);
		n++;
	}
	fclose(f);
	return n;
}

/* Distance of x from Go's interval [v, v + r). */
static double dist(double x, double v, double r)
{
	if (x < v)
		return v - x;
	if (x > v + r)
		return x - (v + r);
	return 0;
}

int main(int argc, char **argv)
{
	int no, ng, passed = 0, failed = 0;
	double worst_clock = 0, worst_at = 0;

	if (argc > 1 && !strcmp(argv[1], "--order-only")) {
		order_only = 1;
		argc--;
		argv++;
	}
	if (argc == 4 && !strcmp(argv[1], "--self")) {
		only_pid = strtol(argv[3], NULL, 10);
		no = read_ours(argv[2]);
		ng = read_go(argv[2]);
	} else if (argc == 3) {
		no = read_ours(argv[1]);
		ng = read_go(argv[2]);
	} else {
		fprintf(stderr, "usage: cmp_inittrace OURS.jsonl GODEBUG.txt | --self OURS.jsonl PID\n");
		return 2;
	}
	if (ng == 0) {
		printf("FAIL: no inittrace lines in %s\n", argv[2]);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (no != ng)
		printf("FAIL: coldtrace saw %d package inits, GODEBUG printed %d\n", no, ng);
	for (int i = 0; i < (no > ng ? no : ng); i++) {
		const struct rec *o = i < no ? &ours[i] : NULL, *g = i < ng ? &gos[i] : NULL;
		double dc, da, tc, ta;

		if (!o || !g || strcmp(o->pkg, g->pkg)) {
			printf("FAIL #%d: order: coldtrace %s, GODEBUG %s\n", i, o ? o->pkg : "-",
			       g ? g->pkg : "-");
			failed++;
			continue;
		}
		dc = dist(o->clock_ms, g->clock_ms, g->clock_res);
		da = dist(o->at_ms, g->at_ms, g->at_res);
		tc = 0.050 + 0.10 * g->clock_ms;
		ta = 0.100 + 0.02 * g->at_ms;
		if (dc > worst_clock)
			worst_clock = dc;
		if (da > worst_at)
			worst_at = da;
		if (!order_only && (o->clock_ms < 0 || o->at_ms < 0 || dc > tc || da > ta)) {
			printf("FAIL #%d %s: clock %.4f vs %.3f ms (off %.4f, allowed %.4f), @ %.4f vs %.3f ms (off %.4f, allowed %.4f)\n",
			       i, o->pkg, o->clock_ms, g->clock_ms, dc, tc, o->at_ms, g->at_ms, da, ta);
			failed++;
		} else {
			passed++;
		}
	}
	printf("packages: %d; worst clock difference %.1f us, worst @ difference %.1f us\n", ng,
	       worst_clock * 1000, worst_at * 1000);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || no != ng ? 1 : 0;
}
