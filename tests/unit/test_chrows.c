// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chrows: a sandbox's jsonl as ClickHouse rows. On real demo runs (the fuzz
 * corpus): one row per record in each table, every row one JSON object with
 * the common columns first, the same cs_id in all of them (and again for
 * the same sandbox, another for another one), seq 0.. per table, coldstarts
 * last with one row, labels as two arrays, the samples of report's own
 * single-run report. The schema: CREATE statements, the Distributed form,
 * the column check (missing, other type, extra allowed). Sections of a
 * batch: malformed ones refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrows.h"
#include "ct_test.h"
#include "jsonread.h"
#include "report.h"

static char *slurp(const char *rel, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", CT_SOURCE_DIR, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static size_t count_type(const char *j, const char *type)
{
	char pat[64];
	size_t n = 0;

	snprintf(pat, sizeof(pat), "{\"type\":\"%s\"", type);
	for (const char *p = j; (p = strstr(p, pat)); p++)
		n += p == j || p[-1] == '\n';
	return n;
}

static char *labels[] = {"host=web-1", "rack=r1"};

static struct ct_ch_meta meta(uint32_t root)
{
	return (struct ct_ch_meta){
		.host = "web-1", .tool_version = "0.1.0", .kernel = "6.18.0", .boot_id = "b00t",
		.command = "ct-driver", .labels = labels, .nlabels = 2, .sandbox = root,
		.first_ts = 22902891394740ull, .realtime_offset_ns = 1795729127931054382ull,
	};
}

/* Rows of table in batch (a copy, NUL-terminated), or NULL. */
static char *section(const char *batch, size_t len, const char *table, size_t *n_sections_before)
{
	size_t pos = 0, tlen, nrows, k = 0;
	const char *t, *rows;

	while (ct_ch_next_section(batch, len, &pos, &t, &tlen, &rows, &nrows) > 0) {
		if (tlen == strlen(table) && !memcmp(t, table, tlen)) {
			char *c = malloc(nrows + 1);

			memcpy(c, rows, nrows);
			c[nrows] = 0;
			if (n_sections_before)
				*n_sections_before = k;
			return c;
		}
		k++;
	}
	return NULL;
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Every row of rows: valid JSON, cs_id as given, seq 0.. in order. */
static void check_rows(const char *rows, const char *cs_id)
{
	struct jr_obj o;
	const char *p = rows;
	uint64_t want = 0, seq;

	jr_init(&o);
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *id;
		size_t idlen;
		const struct jr_field *lk;

		CT_TRUE(eol != NULL);
		if (!eol)
			break;
		CT_EQ_INT(jr_parse(&o, p, (size_t)(eol - p), NULL), 0);
		CT_EQ_INT(jr_get_str(&o, "cs_id", &id, &idlen), 0);
		CT_EQ_STR(id, cs_id);
		CT_EQ_INT(jr_get_u64(&o, "seq", &seq), 0);
		CT_EQ_U64(seq, want);
		want++;
		lk = jr_get(&o, "labels.key");
		CT_TRUE(lk && lk->type == JR_ARRAY && lk->str_len == strlen("[\"host\",\"rack\"]") &&
			!memcmp(lk->str, "[\"host\",\"rack\"]", lk->str_len));
		CT_TRUE(jr_get(&o, "started") && jr_get(&o, "kernel") && jr_get(&o, "tool_version"));
		p = eol + 1;
	}
	jr_free(&o);
}

static const struct {
	const char *table, *rec;
} per_record[] = {
	{"phases", "phase"},   {"milestones", "milestone"}, {"processes", "process"}, {"execs", "exec"},
	{"pkg_inits", "go_init"}, {"http", "http"},        {"logs", "log"},           {"extensions", "extension"},
	{"breakdown", "breakdown"}, {"py_imports", "py_import"},
};

static int count_sample(void *ctx, int kind, int fig, const char *prog, const char *name, size_t ord,
			uint64_t value)
{
	(void)kind, (void)fig, (void)prog, (void)name, (void)ord, (void)value;
	(*(size_t *)ctx)++;
	return 0;
}

static void one_run(const char *file)
{
	size_t len, blen, before;
	char *j = slurp(file, &len), err[256], *cs, *rows;
	struct ct_ch_meta m = meta(30426);
	struct strbuf b, b2;
	char cs_id[33];
	struct jr_obj o;
	const char *id;
	size_t idlen, nsamples = 0;
	struct ct_report *r = ct_report_new();

	CT_TRUE(j != NULL);
	if (!j)
		return;
	sb_init(&b);
	sb_init(&b2);
	CT_EQ_INT(ct_ch_rows(j, len, &m, &b, err, sizeof(err)), 0);
	blen = b.len;
	/* coldstarts: one row, the last section */
	cs = section(b.buf, blen, "coldstarts", &before);
	CT_TRUE(cs != NULL);
	CT_EQ_U64(lines(cs), 1);
	{
		size_t pos = 0, tl, nr, k = 0;
		const char *t, *rw;

		while (ct_ch_next_section(b.buf, blen, &pos, &t, &tl, &rw, &nr) > 0)
			k++;
		CT_EQ_U64(before + 1, k);
	}
	jr_init(&o);
	CT_EQ_INT(jr_parse(&o, cs, strlen(cs) - 1, NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "cs_id", &id, &idlen), 0);
	snprintf(cs_id, sizeof(cs_id), "%s", id);
	CT_EQ_U64(strlen(cs_id), 32);
	CT_EQ_STR(jr_get(&o, "host")->str, "web-1");
	check_rows(cs, cs_id);
	jr_free(&o);
	free(cs);
	for (size_t i = 0; i < sizeof(per_record) / sizeof(per_record[0]); i++) {
		size_t want = count_type(j, per_record[i].rec);

		rows = section(b.buf, blen, per_record[i].table, NULL);
		CT_EQ_U64(rows ? lines(rows) : 0, want);
		if (rows)
			check_rows(rows, cs_id);
		free(rows);
	}
	/* the samples: as many as report's own single-run report gives */
	CT_EQ_INT(ct_report_add_buffer(r, "x", j, len, err, sizeof(err)), 0);
	ct_report_each_sample(r, count_sample, &nsamples);
	rows = section(b.buf, blen, "samples", NULL);
	CT_EQ_U64(rows ? lines(rows) : 0, nsamples);
	CT_TRUE(nsamples > 0);
	if (rows)
		check_rows(rows, cs_id);
	free(rows);
	/* the same sandbox: the same batch; another root: another id */
	CT_EQ_INT(ct_ch_rows(j, len, &m, &b2, err, sizeof(err)), 0);
	CT_TRUE(b2.len == blen && !memcmp(b.buf, b2.buf, blen));
	sb_reset(&b2);
	m = meta(30427);
	CT_EQ_INT(ct_ch_rows(j, len, &m, &b2, err, sizeof(err)), 0);
	CT_TRUE(!strstr(b2.buf, cs_id));
	ct_report_free(r);
	sb_free(&b);
	sb_free(&b2);
	free(j);
}

CT_TEST(rows_of_real_runs)
{
	one_run("tests/fuzz/corpus/jsonl/real-demo-1.jsonl");
	one_run("tests/fuzz/corpus/jsonl/real-demo-2.jsonl");
	one_run("tests/fuzz/corpus/jsonl/real-ext-two.jsonl");
}

CT_TEST(not_jsonl)
{
	struct ct_ch_meta m = meta(1);
	struct strbuf b;
	char err[256] = "";
	static const char bad[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\nnot json\n";

	sb_init(&b);
	CT_EQ_INT(ct_ch_rows(bad, strlen(bad), &m, &b, err, sizeof(err)), -1);
	CT_TRUE(strstr(err, "line 2") != NULL);
	sb_free(&b);
}

CT_TEST(schema_sql)
{
	struct strbuf s;

	sb_init(&s);
	for (size_t i = 0; i < ct_ch_ntables(); i++) {
		sb_reset(&s);
		ct_ch_create_sql(&s, "coldtrace", i, NULL, NULL);
		CT_TRUE(strstr(s.buf, "CREATE TABLE IF NOT EXISTS `coldtrace`.`") == s.buf);
		CT_TRUE(strstr(s.buf, "ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(started) ORDER BY (cs_id, seq)"));
		CT_TRUE(strstr(s.buf, "labels Nested(key String, value String)"));
		sb_reset(&s);
		ct_ch_create_sql(&s, "fleet", i, "two_shards", "local'db");
		CT_TRUE(strstr(s.buf, "ENGINE = Distributed(`two_shards`, 'local\\'db', `"));
		CT_TRUE(strstr(s.buf, "cityHash64(cs_id))"));
	}
	CT_EQ_STR(ct_ch_table_name(ct_ch_ntables() - 1), "coldstarts");
	CT_TRUE(ct_ch_table_name(ct_ch_ntables()) == NULL);
	sb_free(&s);
}

/* The columns ClickHouse would list for table i (from its CREATE): the
 * Nested as its two arrays, names without their quotes. */
static void columns_of(size_t i, struct strbuf *tsv)
{
	static const char nested[] = "labels Nested(key String, value String)";
	struct strbuf s, flat;
	char *p, *end, *at;

	sb_init(&s);
	sb_init(&flat);
	ct_ch_create_sql(&s, "d", i, NULL, NULL);
	p = strchr(s.buf, '(') + 1;
	end = strstr(s.buf, ") ENGINE");
	*end = 0;
	at = strstr(p, nested);
	sb_putn(&flat, p, (size_t)(at - p));
	sb_puts(&flat, "labels.key Array(String), labels.value Array(String)");
	sb_puts(&flat, at + strlen(nested));
	for (p = flat.buf; p && *p;) {
		char *comma = strstr(p, ", "), *sp;

		if (comma)
			*comma = 0;
		sp = strchr(p, ' ');
		*sp = 0;
		for (char *q = p; *q; q++)
			if (*q == '`')
				memmove(q, q + 1, strlen(q));
		sb_printf(tsv, "%s\t%s\n", p, sp + 1);
		p = comma ? comma + 2 : NULL;
	}
	sb_free(&s);
	sb_free(&flat);
}

CT_TEST(column_check)
{
	char err[256];

	for (size_t i = 0; i < ct_ch_ntables(); i++) {
		struct strbuf tsv;
		char *at;

		sb_init(&tsv);
		columns_of(i, &tsv);
		CT_EQ_INT(ct_ch_check_columns(i, tsv.buf, tsv.len, err, sizeof(err)), 0);
		/* a column of its own: allowed */
		sb_puts(&tsv, "note_by_admin\tString\n");
		CT_EQ_INT(ct_ch_check_columns(i, tsv.buf, tsv.len, err, sizeof(err)), 0);
		/* seq of another type */
		at = strstr(tsv.buf, "seq\tUInt32");
		CT_TRUE(at != NULL);
		memcpy(at, "seq\tUInt64", 10);
		CT_EQ_INT(ct_ch_check_columns(i, tsv.buf, tsv.len, err, sizeof(err)), -1);
		CT_TRUE(strstr(err, "column seq is UInt64, coldtrace writes UInt32") != NULL);
		/* missing */
		memcpy(at, "qes", 3);
		CT_EQ_INT(ct_ch_check_columns(i, tsv.buf, tsv.len, err, sizeof(err)), -1);
		CT_TRUE(strstr(err, "column seq is missing") != NULL);
		sb_free(&tsv);
	}
}

CT_TEST(sections)
{
	static const char ok[] = "a 3\nxyzbb 0\nccc 1\nq";
	static const char *const bad[] = {"a3\nxyz", "a 4\nxyz", "a x\nxyz", " 3\nxyz", "a \nxyz", "a 3", "a 99999999999999999999\n"};
	size_t pos = 0, tl, nr;
	const char *t, *r;

	CT_EQ_INT(ct_ch_next_section(ok, strlen(ok), &pos, &t, &tl, &r, &nr), 1);
	CT_TRUE(tl == 1 && *t == 'a' && nr == 3 && !memcmp(r, "xyz", 3));
	CT_EQ_INT(ct_ch_next_section(ok, strlen(ok), &pos, &t, &tl, &r, &nr), 1);
	CT_TRUE(tl == 2 && nr == 0);
	CT_EQ_INT(ct_ch_next_section(ok, strlen(ok), &pos, &t, &tl, &r, &nr), 1);
	CT_TRUE(tl == 3 && nr == 1 && *r == 'q');
	CT_EQ_INT(ct_ch_next_section(ok, strlen(ok), &pos, &t, &tl, &r, &nr), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pos = 0;
		CT_EQ_INT(ct_ch_next_section(bad[i], strlen(bad[i]), &pos, &t, &tl, &r, &nr), -1);
	}
}

CT_TEST(ids)
{
	char a[33], b[33];

	ct_ch_id("web-1|boot|1|2", a);
	ct_ch_id("web-1|boot|1|2", b);
	CT_EQ_STR(a, b);
	ct_ch_id("web-1|boot|1|3", b);
	CT_TRUE(strcmp(a, b) != 0);
	CT_EQ_U64(strspn(a, "0123456789abcdef"), 32);
}

int main(void)
{
	CT_RUN(rows_of_real_runs);
	CT_RUN(not_jsonl);
	CT_RUN(schema_sql);
	CT_RUN(column_check);
	CT_RUN(sections);
	CT_RUN(ids);
	return ct_summary();
}
