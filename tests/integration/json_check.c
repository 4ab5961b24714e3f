// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ct_json_check MODE FILE: strict JSON and structure checks of coldtrace's
 * outputs (tests/unit/json_check.h), for the integration tests.
 *   perfetto FILE   Chrome Trace Event JSON with complete events
 *   otlp FILE       OTLP/JSON traces
 *   timeline FILE   a jsonl run: the first sandbox's timeline is complete
 *                   (details such as a Go milestone may be missing),
 *                   its consecutive phases are all there, in order, each
 *                   starting where the last ended, and add up to the total
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = (size_t)n;
	}
	return b;
}

static double num(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->t == JV_NUM ? v->num : -1;
}

static const char *str(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->t == JV_STR ? v->str : "";
}

static int timeline(char *text, size_t len)
{
	static const char *order[] = {"agent_init", "ready_to_init_start", "runtime_start",
				      "function_init", "delivery", "first_invoke"};
	double start[6], end[6], dur[6], tot_s = -1, tot_e = -1, tot_d = -1;
	int seen = 0, bad = 0, have_tl = 0;
	char err[256];

	for (char *p = text; p < text + len;) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		struct jv *v = jv_parse(p, n, err, sizeof(err));

		if (!v) {
			fprintf(stderr, "timeline: not JSON: %s: %.80s\n", err, p);
			return 1;
		}
		if (num(v, "sandbox") == 0 && !strcmp(str(v, "type"), "phase")) {
			const struct jv *c = jv_get(v, "complete");

			if (!strcmp(str(v, "name"), "total")) {
				tot_s = num(v, "start_ns");
				tot_e = num(v, "end_ns");
				tot_d = num(v, "dur_ns");
			}
			for (int i = 0; i < 6; i++)
				if (!strcmp(str(v, "name"), order[i])) {
					if (!c || !c->b) {
						fprintf(stderr, "timeline: phase %s is incomplete\n", order[i]);
						bad = 1;
					}
					start[i] = num(v, "start_ns");
					end[i] = num(v, "end_ns");
					dur[i] = num(v, "dur_ns");
					seen |= 1 << i;
				}
		}
		if (num(v, "sandbox") == 0 && !strcmp(str(v, "type"), "timeline")) {
			const struct jv *c = jv_get(v, "complete"), *mi = jv_get(v, "missing");

			have_tl = 1;
			if (!c || !c->b || !mi || mi->t != JV_ARR) {
				fprintf(stderr, "timeline: not complete (note: %s)\n", str(v, "note"));
				bad = 1;
			}
			for (size_t k = 0; mi && mi->t == JV_ARR && k < mi->n; k++) /* details only */
				printf("timeline: note: %s not seen\n", mi->items[k]->t == JV_STR ? mi->items[k]->str : "?");
			printf("timeline: request %s, total %.3f ms, INIT REPORT %.3f ms\n", str(v, "request_id"),
			       num(v, "total_ns") / 1e6, num(v, "init_report_ms"));
		}
		jv_free(v);
		p += n + 1;
	}
	if (!have_tl || seen != 0x3f || tot_d <= 0) {
		fprintf(stderr, "timeline: phases missing (seen mask %#x, timeline %d)\n", seen, have_tl);
		return 1;
	}
	{
		double at = tot_s, sum = 0;

		for (int i = 0; i < 6; i++) {
			printf("  %-20s %10.3f ms\n", order[i], dur[i] / 1e6);
			if (start[i] != at || end[i] < start[i] || dur[i] != end[i] - start[i]) {
				fprintf(stderr, "timeline: %s does not start where the last phase ended\n", order[i]);
				bad = 1;
			}
			at = end[i];
			sum += dur[i];
		}
		printf("  %-20s %10.3f ms (sum of phases %.3f ms)\n", "total", tot_d / 1e6, sum / 1e6);
		if (at != tot_e || sum != tot_d) {
			fprintf(stderr, "timeline: the phases do not add up to the total\n");
			bad = 1;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	char err[256];
	size_t len = 0, n = 0;
	char *text;
	struct jv *v;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: ct_json_check perfetto|otlp|timeline FILE\n");
		return 2;
	}
	text = slurp(argv[2], &len);
	if (!text) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "timeline")) {
		rc = timeline(text, len);
		free(text);
		return rc;
	}
	v = jv_parse(text, len, err, sizeof(err));
	if (!v) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		free(text);
		return 1;
	}
	if (!strcmp(argv[1], "perfetto"))
		rc = ct_check_perfetto(v, 10, err, sizeof(err));
	else if (!strcmp(argv[1], "otlp"))
		rc = ct_check_otlp(v, err, sizeof(err), &n) || !n;
	else
		rc = 2, snprintf(err, sizeof(err), "unknown mode %s", argv[1]);
	if (rc)
		fprintf(stderr, "%s: %s\n", argv[2], err[0] ? err : "no spans");
	else
		printf("%s: valid %s\n", argv[2], argv[1]);
	jv_free(v);
	free(text);
	return rc ? 1 : 0;
}
