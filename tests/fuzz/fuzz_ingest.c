/* fuzz-sources: userspace/model/model.c userspace/model/redact.c userspace/util/strbuf.c userspace/model/httpparse.c userspace/model/logline.c userspace/model/phases.c userspace/model/breakdown.c userspace/model/acct.c userspace/views/text.c userspace/views/inittrace.c userspace/views/importtime.c userspace/views/jsonl.c userspace/views/perfetto.c userspace/views/svg.c userspace/views/otlp.c userspace/views/html.c userspace/views/htmlpage.c userspace/views/views.c userspace/util/jsonw.c userspace/util/exitstatus.c userspace/util/hashmap.c */
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ingestion, fuzzed like the parsers: arbitrary bytes cut into records of
 * the ring buffer's types (bpf/coldtrace.h) fed to ct_model_add_event (and
 * the loader's calls into the model), then ct_model_finish and every view.
 *
 * Input: byte 0 = options (bit 0 keep_query; bits 1-3 budget class: 0 the
 * default, k: 4 KiB << k), then records, each sel(1) len(2, LE) body(len):
 *   kind = (sel & 15) % 14:
 *             0 exec    pid ppid plen path[plen] comm(8) args[...] (NULs
 *                       separate; bit 7 of sel: args_truncated)
 *             1 fork    pid child
 *             2 exit    pid code(2)
 *             3 go      pid kind bin value(8) state
 *             4 io      pid dir where extra(2) data[...] (where bit 7: a
 *                       loopback socket (id where & 7), else fd where & 3;
 *                       extra: bytes transferred but not captured)
 *             5 listen  pid port(2)
 *             6 raw     the body is a whole record, any type and size
 *             7 set_go  pid bin note[...] (bit 7: a version too)
 *             8 root / resumed  pid (bit 7: ct_model_set_resumed)
 *             9 sched   pid thr what state back run(2) min maj vol invol
 *                       (tid = pid + 100 * (thr % 4); what % 5 and state
 *                       % 8 reach the invalid ones; the record is back us
 *                       older than the others, so it may come late)
 *            10 open    pid fd dev ino path[...] (fd = byte - 4: some fail)
 *            11 fread   pid fd dev ino bytes(2)
 *            12 pcache  pid dev ino pages
 *            13 py      pid what depth thr kind name[...] (what % 4: 1 start,
 *                       2 end, 0 and 3 invalid; depth % 70; tid as sched's;
 *                       kind: the name's str kind, UTF-8, UCS-1/2/4 or none;
 *                       name_chars = its length + (kind byte >> 4))
 * pids are 100 + (byte % 8) so processes meet; fds 0..7, devs and inodes
 * % 4 so reads and misses meet opens; times increase by 1 + (sel >> 4) us
 * per record except in raw records.
 *
 * Oracles: the budget holds (mem_peak <= budget); the jsonl, Perfetto and
 * OTLP outputs are strict JSON (every jsonl line); the text, inittrace and
 * SVG outputs hold no control byte but newline and tab, no C1 or bidi
 * control, no invalid UTF-8 (importtime's too: one line per Python load
 * that ended, with a header, or a "# pid " header); every inittrace line is an "init " line or a
 * "# pid " header, as many init lines as package inits; no view shows the
 * secret planted in the command line; the breakdown of each process's
 * life has wall-clock states that add up to it, spans in time order with
 * start <= end, and a process's threads are threads of the model.
 */
#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/json_check.h"
#include "breakdown.h"
#include "model.h"
#include "render.h"

#include "fuzz_check.h"

#define SECRET "FUZZ-SECRET-42"

static const char *pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static const char *const names[] = {
		"main", "example.com/a", "evil\ninit forged @0 ms, 1 ms clock, 0 bytes, 0 allocs",
		"\x1b]0;t\x07\x1b[2J", "", "x\xc2\x9b\xe2\x80\xae\xff",
	};

	(void)ctx, (void)kind, (void)ip;
	if ((fn & 0xff) == 0xff)
		return NULL;
	return names[(fn ^ bin) % (sizeof(names) / sizeof(names[0]))];
}

static const char *bin_version(void *ctx, uint32_t bin)
{
	(void)ctx;
	return bin % 3 == 0 ? NULL : bin % 3 == 1 ? "go1.19.8" : "go1.2\n\x1b[1m";
}

static const struct ct_model_ops ops = {.pkg_of = pkg_of, .bin_version = bin_version};

static union {
	struct ct_hdr h;
	struct ct_exec exec;
	struct ct_fork fork;
	struct ct_exit exit;
	struct ct_go go;
	struct ct_io io;
	struct ct_listen listen;
	struct ct_sched sched;
	struct ct_open open;
	struct ct_fread fread;
	struct ct_pcache pcache;
	struct ct_py py;
	uint8_t raw[sizeof(struct ct_io) + 64];
} rec;

static uint32_t pid_of(uint8_t b)
{
	return 100 + (b % 8);
}

static uint64_t get(const uint8_t *p, size_t n, size_t off, size_t w)
{
	uint64_t v = 0;

	for (size_t i = 0; i < w; i++)
		v |= (uint64_t)(off + i < n ? p[off + i] : 0) << (8 * i);
	return v;
}

static void hdr(uint32_t type, uint32_t pid, uint64_t ts)
{
	rec.h.type = type;
	rec.h.pid = pid;
	rec.h.tid = pid;
	rec.h.nspid = pid;
	rec.h.ts = ts;
}

static void one(struct ct_model *m, uint8_t sel, const uint8_t *b, size_t n, uint64_t ts)
{
	size_t size = 0;

	memset(&rec, 0, sizeof(rec));
	switch ((sel & 15) % 14) {
	case 0: {
		size_t plen = (size_t)get(b, n, 2, 1), off = 3;

		hdr(CT_EV_EXEC, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.exec.ppid = pid_of((uint8_t)get(b, n, 1, 1));
		for (size_t i = 0; i < plen && off < n && i < CT_PATH_LEN; i++)
			rec.exec.path[i] = (char)b[off++];
		for (size_t i = 0; i < 8 && off < n; i++)
			rec.exec.comm[i] = (char)b[off++];
		for (size_t i = 0; off < n && i < CT_ARGS_LEN; i++, rec.exec.args_len++)
			rec.exec.args[i] = (char)b[off++];
		rec.exec.args_truncated = sel >> 7;
		size = sizeof(rec.exec);
		break;
	}
	case 1:
		hdr(CT_EV_FORK, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.fork.child = pid_of((uint8_t)get(b, n, 1, 1));
		size = sizeof(rec.fork);
		break;
	case 2:
		hdr(CT_EV_EXIT, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.exit.code = (int32_t)get(b, n, 1, 2);
		size = sizeof(rec.exit);
		break;
	case 3:
		hdr(CT_EV_GO, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.go.cookie = CT_COOKIE(get(b, n, 1, 1) % 8, get(b, n, 2, 1) % 4, CT_REG_AX, 0, 0);
		rec.go.value = get(b, n, 3, 8);
		rec.go.task = rec.go.value >> 4;
		rec.go.nfns = (uint32_t)(rec.go.value & 7);
		rec.go.state = (uint32_t)get(b, n, 11, 1) % 3;
		rec.go.ip = 0x1000;
		size = sizeof(rec.go);
		break;
	case 4: {
		uint8_t where = (uint8_t)get(b, n, 2, 1);
		size_t cap = n > 5 ? n - 5 : 0;

		if (cap > CT_MAX_CAPTURE)
			cap = CT_MAX_CAPTURE;
		hdr(CT_EV_IO, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.io.dir = (uint16_t)(get(b, n, 1, 1) & 1);
		if (where & 0x80) {
			rec.io.flags = CT_IO_SOCK;
			rec.io.family = 2; /* AF_INET */
			rec.io.laddr[0] = rec.io.raddr[0] = 127;
			rec.io.laddr[3] = rec.io.raddr[3] = 1;
			/* both ends of connection k: k's client port and 9001 */
			rec.io.sock_id = 0x1000 + (where & 7);
			rec.io.lport = (where & 1) ? 9001 : (uint16_t)(40000 + ((where >> 1) & 3));
			rec.io.rport = (where & 1) ? (uint16_t)(40000 + ((where >> 1) & 3)) : 9001;
			rec.io.fd = 5;
		} else {
			rec.io.flags = CT_IO_PIPE;
			rec.io.fd = 1 + (where & 3);
		}
		rec.io.cap_len = (uint32_t)cap;
		rec.io.len = (uint32_t)(cap + get(b, n, 3, 2) % 5000);
		if (rec.io.len > rec.io.cap_len)
			rec.io.flags |= CT_IO_TRUNC;
		if (cap)
			memcpy(rec.io.data, b + 5, cap);
		size = offsetof(struct ct_io, data) + cap;
		break;
	}
	case 5:
		hdr(CT_EV_LISTEN, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.listen.family = 2;
		rec.listen.port = (uint16_t)get(b, n, 1, 2);
		rec.listen.addr[0] = 127;
		size = sizeof(rec.listen);
		break;
	case 6:
		size = n < sizeof(rec.raw) ? n : sizeof(rec.raw);
		memcpy(rec.raw, b, size);
		break;
	case 7: {
		char note[64];
		size_t k = n > 2 ? n - 2 : 0;

		if (k >= sizeof(note))
			k = sizeof(note) - 1;
		memcpy(note, b + (n > 2 ? 2 : 0), k);
		note[k] = 0;
		ct_model_set_go(m, pid_of((uint8_t)get(b, n, 0, 1)), (uint32_t)get(b, n, 1, 1),
				sel & 0x80 ? "go1.21.0" : NULL, note);
		return;
	}
	case 8:
		if (sel & 0x80)
			ct_model_set_resumed(m, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		else
			ct_model_add_root(m, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		return;
	case 9: {
		uint64_t back = get(b, n, 4, 1) * 1000;

		hdr(CT_EV_SCHED, pid_of((uint8_t)get(b, n, 0, 1)), back < ts ? ts - back : 0);
		rec.h.tid = rec.h.pid + 100 * (uint32_t)(get(b, n, 1, 1) % 4);
		rec.sched.what = (uint8_t)(get(b, n, 2, 1) % 5);
		rec.sched.state = (uint8_t)(get(b, n, 3, 1) % 8);
		rec.sched.c.run_ns = get(b, n, 5, 2) * 1000;
		rec.sched.c.min_flt = (uint32_t)get(b, n, 7, 1);
		rec.sched.c.maj_flt = (uint32_t)get(b, n, 8, 1);
		rec.sched.c.nvcsw = (uint32_t)get(b, n, 9, 1);
		rec.sched.c.nivcsw = (uint32_t)get(b, n, 10, 1);
		size = sizeof(rec.sched);
		break;
	}
	case 10: {
		size_t k = n > 4 ? n - 4 : 0;

		if (k > CT_PATH_LEN)
			k = CT_PATH_LEN;
		hdr(CT_EV_OPEN, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.open.fd = (int32_t)(get(b, n, 1, 1) % 12) - 4;
		rec.open.dev = get(b, n, 2, 1) % 4;
		rec.open.ino = get(b, n, 3, 1) % 4;
		rec.open.size = 4096;
		if (k)
			memcpy(rec.open.path, b + 4, k);
		/* the length as sent may be wrong: the model takes the smaller */
		rec.open.path_len = (uint32_t)k + (uint32_t)(sel >> 7) * 1000;
		size = sizeof(rec.open);
		break;
	}
	case 11:
		hdr(CT_EV_FREAD, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.fread.fd = (int32_t)(get(b, n, 1, 1) % 8);
		rec.fread.dev = get(b, n, 2, 1) % 4;
		rec.fread.ino = get(b, n, 3, 1) % 4;
		rec.fread.bytes = get(b, n, 4, 2);
		size = sizeof(rec.fread);
		break;
	case 12:
		hdr(CT_EV_PCACHE, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.pcache.dev = get(b, n, 1, 1) % 4;
		rec.pcache.ino = get(b, n, 2, 1) % 4;
		rec.pcache.pages = (uint32_t)get(b, n, 3, 1);
		size = sizeof(rec.pcache);
		break;
	case 13: {
		static const uint8_t kinds[] = {CT_PYNAME_UTF8, CT_PYNAME_UCS1, CT_PYNAME_UCS2, CT_PYNAME_UCS4,
						CT_PYNAME_NONE};
		size_t len = n > 5 ? n - 5 : 0;

		hdr(CT_EV_PY, pid_of((uint8_t)get(b, n, 0, 1)), ts);
		rec.py.h.tid = rec.py.h.pid + 100 * (uint32_t)(get(b, n, 3, 1) % 4);
		rec.py.what = (uint32_t)(get(b, n, 1, 1) % 4);
		rec.py.depth = (uint32_t)(get(b, n, 2, 1) % 70);
		rec.py.bin = 1;
		rec.py.name_kind = kinds[get(b, n, 4, 1) % 5];
		if (len > CT_PYMOD_LEN)
			len = CT_PYMOD_LEN;
		if (len)
			memcpy(rec.py.name, b + 5, len);
		rec.py.name_len = (uint32_t)len;
		rec.py.name_chars = (uint32_t)len + (uint32_t)(get(b, n, 4, 1) >> 4);
		size = sizeof(rec.py);
		break;
	}
	}
	ct_model_add_event(m, &rec, size);
}

/* No byte a terminal acts on but newline and tab; valid UTF-8. */
static void check_terminal_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t l;

		CHECK(c >= 0x20 || c == '\n' || c == '\t');
		CHECK(c != 0x7f);
		if (c < 0x80)
			continue;
		l = utf8_seq_len((const unsigned char *)s + i, n - i);
		CHECK(l > 0);
		CHECK(!(c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f));
		CHECK(!(c == 0xe2 && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] >= 0xaa &&
			(unsigned char)s[i + 2] <= 0xae));
		i += l - 1;
	}
}

/* Strict JSON (json_check.h), except that \u0000 is fine: a log line may
 * hold a NUL byte, JSON has an escape for it (jsonread takes it), only
 * json_check's NUL-terminated strings do not. */
static void check_json(const char *str, size_t n)
{
	char err[256], *s = malloc(n + 1);
	struct jv *v;

	CHECK(s != NULL);
	memcpy(s, str, n);
	s[n] = 0;
	for (char *z = s; (z = strstr(z, "\\u0000")) != NULL; z += 6) {
		size_t bs = 0;

		while (z - bs > s && z[-(ptrdiff_t)bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0) /* the backslash is not itself escaped */
			z[5] = '1';
	}
	v = jv_parse(s, n, err, sizeof(err));
	if (!v) {
		fprintf(stderr, "not JSON: %s: %.*s\n", err, (int)(n < 300 ? n : 300), s);
		abort();
	}
	jv_free(v);
	free(s);
}

/* The breakdown of each process's life, and the spans it is made of. */
static void check_breakdown(const struct ct_model *m)
{
	for (size_t i = 0; i < m->ntspans; i++) {
		CHECK(m->tspans[i].start <= m->tspans[i].end);
		CHECK(m->tspans[i].state < CT_TS_DEAD);
		CHECK(!i || m->tspans[i - 1].start <= m->tspans[i].start);
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];
		struct ct_bd bd;
		uint64_t sum = 0;
		char line[512];

		CHECK(p->nthreads <= m->nthreads);
		CHECK(p->dead_nonleader <= p->nthreads);
		if (ct_bd_process(m, p, &bd))
			continue; /* out of memory */
		for (int s = 0; s < CT_BD_NSTATES; s++)
			sum += bd.wall[s];
		CHECK(sum == bd.end - bd.start);
		CHECK(bd.ntop <= CT_BD_TOP);
		CHECK(bd.group_bytes <= bd.file_bytes);
		ct_bd_summary(&bd, "life", line, sizeof(line));
		CHECK(strlen(line) < sizeof(line));
	}
}

static size_t count(const struct strbuf *sb, const char *w)
{
	size_t n = 0;

	for (const char *z = sb->buf; z && (z = strstr(z, w)) != NULL; z++)
		n++;
	return n;
}

enum view { V_TEXT, V_INITTRACE, V_IMPORTTIME, V_JSONL, V_PERFETTO, V_SVG, V_OTLP, V_HTML, V_COUNT };

static void render(const struct ct_model *m, int v, const struct ct_render_opts *o, struct strbuf *sb)
{
	sb_reset(sb);
	switch (v) {
	case V_TEXT: ct_render_text(m, sb, o); break;
	case V_INITTRACE: ct_render_inittrace(m, sb, o); break;
	case V_IMPORTTIME: ct_render_importtime(m, sb, o); break;
	case V_JSONL: ct_render_jsonl(m, sb, o); break;
	case V_PERFETTO: ct_render_perfetto(m, sb, o); break;
	case V_SVG: ct_render_svg(m, sb, o); break;
	case V_OTLP: ct_render_otlp(m, sb, o); break;
	case V_HTML: ct_render_html(m, sb, o); break;
	}
	CHECK(!sb->oom);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The secret in the command line: a view shows it exactly as often as
	 * with another command (the input itself may hold the same bytes). */
	struct ct_render_opts o = {
		.command = "prog --token " SECRET " \x1b]0;x\x07\n", .top = 3, .realtime_offset_ns = 1,
	};
	/* and the svg's whole-trace axis (--full) */
	struct ct_render_opts o2 = {
		.command = "prog --token OTHER \x1b]0;x\x07\n", .top = 3, .realtime_offset_ns = 1, .full = true,
	};
	struct ct_model m;
	struct strbuf sb;
	uint64_t ts = 1000000000ull, budget;
	size_t i = 1, pkgs = 0, inits = 0, loads = 0, lines = 0;
	unsigned cls;

	if (!size)
		return 0;
	ct_model_init(&m, &ops);
	m.keep_query = data[0] & 1;
	cls = (data[0] >> 1) & 7;
	m.mem_budget = cls ? 4096ull << cls : 0;
	budget = ct_model_budget(&m);
	while (i + 3 <= size) {
		uint8_t sel = data[i];
		size_t len = (size_t)(data[i + 1] | data[i + 2] << 8);

		i += 3;
		if (len > size - i)
			len = size - i;
		ts += 1000 + (uint64_t)(sel >> 4) * 1000;
		one(&m, sel, data + i, len, ts);
		i += len;
		CHECK(m.mem_used <= budget);
	}
	ct_model_finish(&m);
	CHECK(m.mem_peak <= budget);
	CHECK(m.dropped_budget <= m.dropped_records);
	check_breakdown(&m);

	sb_init(&sb);
	for (int v = 0; v < V_COUNT; v++) {
		size_t with;

		render(&m, v, &o, &sb);
		with = count(&sb, SECRET);
		if (v == V_TEXT || v == V_INITTRACE || v == V_IMPORTTIME || v == V_SVG || v == V_HTML)
			check_terminal_safe(sb.buf ? sb.buf : "", sb.len);
		if (v == V_HTML) /* the trace's strings are text: one script (ours), nothing of theirs */
			CHECK(count(&sb, "<script") == 1 && count(&sb, "</script") == 1 && !count(&sb, "<iframe") &&
			      !count(&sb, " src=\"") && !count(&sb, "<img"));
		if (v == V_INITTRACE) {
			for (const char *l = sb.buf; l && *l;) {
				const char *nl = strchr(l, '\n');

				CHECK(nl != NULL);
				if (!strncmp(l, "init ", 5))
					inits++;
				else
					CHECK(!strncmp(l, "# pid ", 6));
				l = nl + 1;
			}
			for (size_t p = 0; p < m.nprocs; p++)
				for (size_t j = 0; j < m.procs[p].nimages; j++)
					if (m.procs[p].images[j].is_go)
						pkgs += m.procs[p].images[j].npkgs;
			CHECK(inits == pkgs);
		}
		if (v == V_IMPORTTIME) {
			/* Python's header, one line per load that ended, or a "# pid " header */
			for (const char *l = sb.buf; l && *l;) {
				const char *nl = strchr(l, '\n');

				CHECK(nl != NULL);
				if (!strncmp(l, "import time: self [us]", 22))
					;
				else if (!strncmp(l, "import time: ", 13))
					lines++;
				else
					CHECK(!strncmp(l, "# pid ", 6));
				l = nl + 1;
			}
			for (size_t p = 0; p < m.nprocs; p++)
				for (size_t j = 0; j < m.procs[p].nimages; j++)
					for (size_t k = 0; k < m.procs[p].images[j].npyimports; k++)
						loads += m.procs[p].images[j].pyimports[k].end_seq != 0;
			CHECK(lines == loads);
		}
		if (v == V_JSONL) {
			for (const char *l = sb.buf; l && *l;) {
				const char *nl = strchr(l, '\n');

				CHECK(nl != NULL);
				check_json(l, (size_t)(nl - l));
				l = nl + 1;
			}
		}
		if (v == V_PERFETTO || (v == V_OTLP && sb.len))
			check_json(sb.buf ? sb.buf : "", sb.len);
		render(&m, v, &o2, &sb);
		CHECK(count(&sb, SECRET) == with);
	}
	sb_free(&sb);
	ct_model_free(&m);
	return 0;
}
