// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/rss_flood.c: the model's memory under adversarial input, no BPF, no
 * root. Feeds synthetic struct ct_io records (as the ring buffer delivers
 * them) straight into ct_model_add_event:
 *
 *   rss_flood log  N [BUDGET_MIB]   N writes of a 3 KB "START RequestId:" line
 *   rss_flood http N [BUDGET_MIB]   N 300-byte requests, a new loopback
 *                                   connection every 4 (N/4 parsers)
 *   rss_flood mixed N [BUDGET_MIB]  both, interleaved
 *
 * then ct_model_finish and the jsonl view (into memory, as `coldtrace run`
 * renders, then dropped). Prints one line: the peak RSS (VmHWM) after
 * ingestion, after finish and after rendering, the model's own accounting
 * and what it kept and dropped. Built and run by bench/rss_flood.sh.
 */
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "render.h"

static long vm_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static struct ct_io *rec;

static size_t make(uint32_t pid, uint64_t ts, bool sock, uint64_t sock_id, const char *d, size_t n)
{
	memset(rec, 0, offsetof(struct ct_io, data));
	rec->h.type = CT_EV_IO;
	rec->h.pid = rec->h.tid = rec->h.nspid = pid;
	rec->h.ts = ts;
	rec->dir = CT_IO_WRITE;
	rec->len = (uint32_t)n;
	if (n > 512) /* --capture-bytes' default */
		n = 512;
	rec->cap_len = (uint32_t)n;
	if (rec->cap_len < rec->len)
		rec->flags |= CT_IO_TRUNC;
	if (sock) {
		rec->flags |= CT_IO_SOCK;
		rec->family = 2;
		rec->laddr[0] = rec->raddr[0] = 127;
		rec->laddr[3] = rec->raddr[3] = 1;
		rec->lport = (uint16_t)(1024 + sock_id % 60000);
		rec->rport = 9001;
		rec->sock_id = sock_id;
		rec->fd = 5;
	} else {
		rec->flags |= CT_IO_PIPE;
		rec->fd = 1;
	}
	memcpy(rec->data, d, n);
	return offsetof(struct ct_io, data) + n;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "log";
	long n = argc > 2 ? atol(argv[2]) : 100000;
	uint64_t budget = argc > 3 ? strtoull(argv[3], NULL, 10) << 20 : 0;
	bool logs = !strcmp(mode, "log") || !strcmp(mode, "mixed");
	bool http = !strcmp(mode, "http") || !strcmp(mode, "mixed");
	long rss_ingest, rss_finish, rss_render;
	char line[3072], req[400];
	struct ct_model m;
	struct strbuf out;
	uint64_t ts = 1000000000ull;
	size_t out_len;

	if (!logs && !http) {
		fprintf(stderr, "usage: rss_flood log|http|mixed N [BUDGET_MIB]\n");
		return 2;
	}
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return 1;
	memset(line, 'x', sizeof(line));
	memcpy(line, "START RequestId: ", 17);
	line[sizeof(line) - 1] = '\n';
	ct_model_init(&m, NULL);
	m.mem_budget = budget;
	ct_model_add_root(&m, 100, ts);
	for (long i = 0; i < n; i++) {
		if (logs) {
			/* the line's RequestId differs in its first bytes */
			memcpy(line + 17, &i, sizeof(i));
			ct_model_add_event(&m, rec, make(100, ts++, false, 0, line, sizeof(line)));
		}
		if (http) {
			int k = snprintf(req, sizeof(req),
					 "POST /2018-06-01/runtime/invocation/%08ld/response?attempt=%ld HTTP/1.1\r\n"
					 "Host: 127.0.0.1:9001\r\nUser-Agent: flood/1.0 (%0120ld)\r\n"
					 "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n",
					 i, i, i);

			ct_model_add_event(&m, rec, make(200, ts++, true, 0x100000 + (uint64_t)(i / 4), req, (size_t)k));
		}
	}
	rss_ingest = vm_kb("VmHWM:");
	ct_model_finish(&m);
	rss_finish = vm_kb("VmHWM:");
	sb_init(&out);
	ct_render_jsonl(&m, &out, NULL);
	out_len = out.len;
	sb_free(&out);
	rss_render = vm_kb("VmHWM:");
	printf("%-5s N=%-8ld budget %3llu MiB  peak RSS: ingest %6.1f MiB, finish %6.1f MiB, +jsonl %6.1f MiB "
	       "(jsonl %.1f MiB)  model peak %5.1f MiB  kept %zu logs %zu http  dropped %llu (budget %llu)\n",
	       mode, n, (unsigned long long)(ct_model_budget(&m) >> 20), rss_ingest / 1024.0, rss_finish / 1024.0,
	       rss_render / 1024.0, (double)out_len / (1 << 20), (double)m.mem_peak / (1 << 20), m.nlogs, m.nhttp,
	       (unsigned long long)m.dropped_records, (unsigned long long)m.dropped_budget);
	budget = ct_model_budget(&m);
	ct_model_free(&m);
	free(rec);
	/* within the budget, plus 8 MiB for the program itself and libc */
	return rss_finish / 1024.0 > (double)(budget >> 20) + 8 ? 1 : 0;
}
