/* fuzz-sources: userspace/report/jsonread.c userspace/report/report.c userspace/fleet/chrows.c userspace/util/strbuf.c userspace/util/jsonw.c userspace/util/hashmap.c */
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Arbitrary bytes as saved jsonl runs for `coldtrace report`: the input is
 * cut into runs at form feeds (0x0c), which go alternately to A and B; both
 * are aggregated, rendered (text and JSON) and compared. Every line is also
 * given to the JSON parser on its own, and every field read back through
 * each accessor. Each run is also turned into ClickHouse rows (chrows.c).
 * Oracles: the JSON renderings parse with jsonread; a batch of rows splits
 * into whole sections, each row one JSON object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chrows.h"
#include "jsonread.h"
#include "report.h"
#include "strbuf.h"

static void check_json(struct jr_obj *o, const struct strbuf *sb)
{
	size_t n = sb->len;

	if (sb->oom || !n)
		return;
	if (n > JR_MAX_LEN + 1)
		return; /* over the reader's bound: not an error of the writer */
	if (sb->buf[n - 1] != '\n' || memchr(sb->buf, '\n', n - 1))
		__builtin_trap(); /* one line */
	if (jr_parse(o, sb->buf, n - 1, NULL))
		__builtin_trap();
}

static void lines(struct jr_obj *o, const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : size - off;

		if (jr_parse(o, (const char *)data + off, n, NULL) == 0) {
			for (size_t i = 0; i < o->nfields; i++) {
				const char *name = o->fields[i].name, *s;
				size_t len;
				int64_t iv;
				uint64_t uv;
				double d;
				bool b;

				if (jr_get(o, name) == NULL && strlen(name) == o->fields[i].name_len)
					__builtin_trap(); /* a field not found by its own name */
				(void)jr_get_str(o, name, &s, &len);
				(void)jr_get_i64(o, name, &iv);
				(void)jr_get_u64(o, name, &uv);
				(void)jr_get_double(o, name, &d);
				(void)jr_get_bool(o, name, &b);
				(void)jr_is_null(o, name);
			}
		}
		off += n + 1;
	}
}

/* A run as ClickHouse rows: no crash, and if it is taken, whole sections
 * of one JSON object per line. */
static void ch_rows(struct jr_obj *o, const char *run, size_t n)
{
	static char *labels[] = {"host=h\"1", "k=\n"};
	struct ct_ch_meta m = {.host = "h", .tool_version = "0", .kernel = "k", .boot_id = "b", .command = "c",
			       .labels = labels, .nlabels = 2, .sandbox = 1, .first_ts = 1, .realtime_offset_ns = 2};
	struct strbuf b;
	char err[256];
	size_t pos = 0, tl, nr;
	const char *t, *rows;
	int s;

	sb_init(&b);
	if (ct_ch_rows(run, n, &m, &b, err, sizeof(err)) == 0 && !b.oom) {
		while ((s = ct_ch_next_section(b.buf, b.len, &pos, &t, &tl, &rows, &nr)) > 0) {
			for (size_t k = 0; k < nr;) {
				const char *nl = memchr(rows + k, '\n', nr - k);

				if (!nl || jr_parse(o, rows + k, (size_t)(nl - rows - k), NULL))
					__builtin_trap(); /* a row that is not one JSON object */
				k = (size_t)(nl - rows) + 1;
			}
		}
		if (s < 0)
			__builtin_trap(); /* a batch that does not split */
	} else if (!b.oom && !err[0]) {
		__builtin_trap(); /* refused without a word */
	}
	sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_report *r[2] = {ct_report_new(), ct_report_new()};
	struct ct_report_opts opts = {.top = size ? (data[0] & 7) : 0};
	struct strbuf out;
	struct jr_obj o;
	char err[256];
	size_t off = 0;
	int which = 0;

	if (!r[0] || !r[1])
		goto out;
	sb_init(&out);
	jr_init(&o);
	lines(&o, data, size);
	if (size && (data[0] & 8)) {
		ct_report_set_minus_held(r[0], true);
		ct_report_set_minus_held(r[1], true);
	}
	while (off <= size) {
		const uint8_t *ff = size > off ? memchr(data + off, '\f', size - off) : NULL;
		size_t n = ff ? (size_t)(ff - (data + off)) : size - off;

		err[0] = 0;
		if (ct_report_add_buffer(r[which], which ? "b.jsonl" : "a.jsonl", (const char *)data + off, n,
					 err, sizeof(err)) && !err[0])
			__builtin_trap(); /* an error without a message */
		if (memchr(err, '\n', strlen(err)))
			__builtin_trap(); /* messages are one line */
		if (!which)
			ch_rows(&o, (const char *)data + off, n);
		which ^= 1;
		off += n + 1;
	}
	for (int json = 0; json < 2; json++) {
		opts.json = json;
		sb_reset(&out);
		ct_report_render(r[0], &out, &opts);
		if (json)
			check_json(&o, &out);
		sb_reset(&out);
		ct_report_render_compare(r[0], r[1], &out, &opts);
		if (json)
			check_json(&o, &out);
	}
	sb_free(&out);
	jr_free(&o);
out:
	ct_report_free(r[0]);
	ct_report_free(r[1]);
	return 0;
}
