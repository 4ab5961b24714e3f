// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report --clickhouse (issue 15) without a server: the samples a report
 * gives per run (ct_report_each_sample), their stats computed here per
 * series as ClickHouse would (ct_stats_of), put back into a report
 * (ct_chr_put, ct_report_put_stats) render the same text and JSON as the
 * report on the runs; the SQL built and the answers parsed.
 */
#include <stdlib.h>
#include <string.h>

#include "chreport.h"
#include "ct_test.h"
#include "report.h"
#include "strbuf.h"

/* ---- runs from the corpus ---- */

static char *slurp(const char *path, size_t *len)
{
	struct strbuf sb;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	sb_init(&sb);
	if (!f) {
		CT__FAIL("cannot read %s", path);
		sb_puts(&sb, "");
		*len = 0;
		return sb.buf;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_putn(&sb, buf, n);
	fclose(f);
	if (!sb.buf)
		sb_puts(&sb, "");
	*len = sb.len;
	return sb.buf;
}

#define MAXRUNS 64

/* The runs of the corpus files: each file split at its header lines. */
struct runs {
	char *text[MAXRUNS];
	size_t len[MAXRUNS];
	size_t n;
};

static void add_file(struct runs *rs, const char *name)
{
	char path[512];
	size_t len, start = 0;
	char *t;

	snprintf(path, sizeof(path), CT_SOURCE_DIR "/tests/fuzz/corpus/jsonl/%s", name);
	t = slurp(path, &len);
	/* a form feed at a line's start separates concatenated runs (the
	 * breakdown seed): dropped */
	for (size_t i = 0, o = 0;; i++) {
		if (i == len) {
			len = o;
			break;
		}
		if (t[i] != '\f' || (i && t[i - 1] != '\n'))
			t[o++] = t[i];
	}
	for (size_t i = 0; i <= len; i++) {
		bool hdr = i < len && (i == 0 || t[i - 1] == '\n') &&
			   !strncmp(t + i, "{\"type\":\"header\"", 16);

		if ((hdr || i == len) && i > start && rs->n < MAXRUNS) {
			rs->text[rs->n] = malloc(i - start + 1);
			memcpy(rs->text[rs->n], t + start, i - start);
			rs->len[rs->n] = i - start;
			rs->n++;
		}
		if (hdr)
			start = i;
	}
	free(t);
}

static void add_text(struct runs *rs, const char *text)
{
	rs->text[rs->n] = strdup(text);
	rs->len[rs->n] = strlen(text);
	rs->n++;
}

static void runs_free(struct runs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->text[i]);
	rs->n = 0;
}

/* ---- samples grouped by series, as the SQL groups them ---- */

struct ser {
	int kind, fig;
	char *prog, *name;
	size_t run, ord; /* the first run with it, its ord there */
	uint64_t *v;
	size_t n, cap;
};

struct coll {
	struct ser *s;
	size_t n, cap;
	size_t run;
	/* per (run, phase): the held_ns, for --minus-held */
	bool minus_held;
};

static struct ser *ser_of(struct coll *c, int kind, int fig, const char *prog, const char *name,
			  size_t ord)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->s[i].kind == kind && c->s[i].fig == fig && !strcmp(c->s[i].prog, prog) &&
		    !strcmp(c->s[i].name, name))
			return &c->s[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->s = realloc(c->s, c->cap * sizeof(*c->s));
	}
	c->s[c->n] = (struct ser){kind, fig, strdup(prog), strdup(name), c->run, ord, NULL, 0, 0};
	return &c->s[c->n++];
}

static void ser_push(struct ser *s, uint64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

static int collect(void *ctx, int kind, int fig, const char *prog, const char *name, size_t ord,
		   uint64_t value)
{
	struct coll *c = ctx;

	CT_TRUE(ct_report_sample_kind_name(kind) != NULL);
	ser_push(ser_of(c, kind, fig, prog, name, ord), value);
	return 0;
}

/* One run's samples, phases less their held_ns when c->minus_held (the
 * SQL's way: a phase's duration less the sum of the held_ns of that phase
 * name in that run, floored at 0). */
static void collect_run(struct coll *c, struct ct_report *one)
{
	struct coll tmp = {0};

	tmp.run = c->run;
	CT_EQ_INT(ct_report_each_sample(one, collect, &tmp), 0);
	for (size_t i = 0; i < tmp.n; i++) {
		struct ser *s = &tmp.s[i];

		if (s->kind == CT_RS_PHASE && c->minus_held) {
			uint64_t held = 0;

			for (size_t j = 0; j < tmp.n; j++)
				if (tmp.s[j].kind == CT_RS_PHASE_HELD &&
				    !strcmp(tmp.s[j].name, s->name))
					for (size_t k = 0; k < tmp.s[j].n; k++)
						held += tmp.s[j].v[k];
			for (size_t k = 0; k < s->n; k++)
				s->v[k] = s->v[k] > held ? s->v[k] - held : 0;
		}
		for (size_t k = 0; k < s->n; k++)
			ser_push(ser_of(c, s->kind, s->fig, s->prog, s->name, s->ord), s->v[k]);
	}
	/* freed only now: a later phase looks its held_ns up among them all */
	for (size_t i = 0; i < tmp.n; i++) {
		free(tmp.s[i].prog);
		free(tmp.s[i].name);
		free(tmp.s[i].v);
	}
	free(tmp.s);
}

static void coll_free(struct coll *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->s[i].prog);
		free(c->s[i].name);
		free(c->s[i].v);
	}
	free(c->s);
	memset(c, 0, sizeof(*c));
}

/* The report put from c's series (stats computed here). */
static struct ct_report *put_report(struct coll *c, size_t nruns, size_t nincomplete,
				    bool minus_held)
{
	struct ct_report *r = ct_report_new();
	struct ct_chr_series *v = calloc(c->n + 1, sizeof(*v));
	size_t n = 0;
	char cs[32];

	ct_report_set_minus_held(r, minus_held);
	CT_EQ_INT(ct_report_put_runs(r, nruns, nincomplete), 0);
	for (size_t i = 0; i < c->n; i++) {
		struct ser *s = &c->s[i];

		if (s->kind == CT_RS_PHASE_HELD)
			continue;
		/* ties of started_ns are broken by cs_id: all runs at 7 here */
		snprintf(cs, sizeof(cs), "run%04zu", s->run);
		v[n] = (struct ct_chr_series){s->kind, s->fig,	   strdup(s->prog), strdup(s->name),
					      7,       strdup(cs), s->ord};
		ct_stats_of(s->v, s->n, &v[n].st);
		n++;
	}
	CT_EQ_INT(ct_chr_put(r, v, n), 0);
	ct_chr_series_free(v, n);
	return r;
}

static void render_both(struct ct_report *r, struct strbuf *text, struct strbuf *json)
{
	struct ct_report_opts o = {0};

	sb_init(text);
	sb_init(json);
	ct_report_render(r, text, &o);
	o.json = true;
	ct_report_render(r, json, &o);
}

/* The report of rs's runs and the one put from their samples: the same
 * tables. Returns the runs that loaded. */
static size_t check_roundtrip(struct runs *rs, bool minus_held, const char *what)
{
	struct ct_report *full = ct_report_new(), *put;
	struct coll c = {0};
	struct strbuf t1, j1, t2, j2;
	size_t nruns = 0;
	char err[256];

	ct_report_set_minus_held(full, minus_held);
	c.minus_held = minus_held;
	for (size_t i = 0; i < rs->n; i++) {
		struct ct_report *one = ct_report_new();

		/* the sink sends each run from a report of its own, without
		 * --minus-held (the query applies it) */
		if (ct_report_add_buffer(one, "x", rs->text[i], rs->len[i], err, sizeof(err))) {
			printf("  (%s: run %zu left out: %s)\n", what, i, err);
			ct_report_free(one);
			continue; /* a deliberately bad seed: no run either way */
		}
		CT_EQ_INT(
			ct_report_add_buffer(full, "x", rs->text[i], rs->len[i], err, sizeof(err)),
			0);
		c.run = nruns++;
		collect_run(&c, one);
		ct_report_free(one);
	}
	put = put_report(&c, ct_report_nruns(full), ct_report_nincomplete(full), minus_held);
	render_both(full, &t1, &j1);
	render_both(put, &t2, &j2);
	if (strcmp(t1.buf, t2.buf) || strcmp(j1.buf, j2.buf)) {
		CT__FAIL("%s: the put report differs", what);
		printf("--- runs' text:\n%s--- put:\n%s--- runs' json:\n%s\n--- put:\n%s\n", t1.buf,
		       t2.buf, j1.buf, j2.buf);
	}
	sb_free(&t1), sb_free(&j1), sb_free(&t2), sb_free(&j2);
	ct_report_free(full);
	ct_report_free(put);
	coll_free(&c);
	return nruns;
}

/* A CPython run (hand-written: no such seed), with a held phase and an
 * unfinished one, an extension that failed and gated INIT. */
static const char py_run[] =
	"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
	"{\"type\":\"exec\",\"pid\":20,\"ts_ns\":1000,\"path\":\"/usr/bin/"
	"python3.11\",\"held_ns\":50}\n"
	"{\"type\":\"py_import\",\"pid\":20,\"seq\":1,\"module\":\"json\",\"level\":0,\"cum_ns\":"
	"900,\"self_ns\":300}\n"
	"{\"type\":\"py_import\",\"pid\":20,\"seq\":2,\"module\":\"re\",\"level\":1,\"cum_ns\":400,"
	"\"self_ns\":400}\n"
	"{\"type\":\"py_import\",\"pid\":20,\"seq\":3,\"module\":\"stuck\",\"level\":0,\"start_"
	"ns\":5}\n"
	"{\"type\":\"extension\",\"name\":\"logs-ext\",\"pid\":20,\"exec_ns\":1000,\"to_register_"
	"ns\":700,"
	"\"to_ready_ns\":900,\"failed\":true,\"gated_init\":true}\n"
	"{\"type\":\"phase\",\"name\":\"total\",\"dur_ns\":5000,\"held_ns\":1200}\n"
	"{\"type\":\"phase\",\"name\":\"late\",\"incomplete\":true}\n"
	"{\"type\":\"phase\",\"name\":\"never\",\"applies\":false}\n"
	"{\"type\":\"summary\",\"complete\":true}\n";

static int stop_at_once(void *ctx, int kind, int fig, const char *prog, const char *name,
			size_t ord, uint64_t value)
{
	(void)ctx, (void)kind, (void)fig, (void)prog, (void)name, (void)ord, (void)value;
	return 7;
}

CT_TEST(kind_names)
{
	for (int k = 0; k < CT_RS_COUNT; k++) {
		CT_TRUE(ct_report_sample_kind_name(k) != NULL);
		CT_EQ_INT(ct_report_sample_kind_of(ct_report_sample_kind_name(k)), k);
	}
	CT_TRUE(ct_report_sample_kind_name(CT_RS_COUNT) == NULL);
	CT_TRUE(ct_report_sample_kind_name(-1) == NULL);
	CT_EQ_INT(ct_report_sample_kind_of("nope"), -1);
	CT_EQ_INT(ct_report_sample_kind_of(NULL), -1);
	CT_EQ_STR(ct_report_sample_kind_name(CT_RS_PHASE_HELD), "phase_held");
}

/* c has exactly one sample of the series, value, with that ord. */
static void want_one(struct coll *c, int kind, int fig, const char *prog, const char *name,
		     uint64_t value, size_t ord)
{
	struct ser *s = ser_of(c, kind, fig, prog, name, 99);

	CT_EQ_INT(s->n, 1);
	if (s->n)
		CT_EQ_U64(s->v[0], value);
	CT_EQ_INT(s->ord, ord);
}

/* One run's samples: exactly what the report aggregates from it. */
CT_TEST(one_run_samples)
{
	struct ct_report *r = ct_report_new();
	struct coll c = {0};
	char err[256];

	CT_EQ_INT(ct_report_add_buffer(r, "py", py_run, strlen(py_run), err, sizeof(err)), 0);
	CT_EQ_INT(ct_report_each_sample(r, collect, &c), 0);
	want_one(&c, CT_RS_PHASE, 0, "", "total", 5000, 0);
	want_one(&c, CT_RS_PHASE_HELD, 0, "", "total", 1200, 0);
	want_one(&c, CT_RS_PHASE_INCOMPLETE, 0, "", "late", 1, 1);
	CT_EQ_INT(ser_of(&c, CT_RS_PHASE, 0, "", "never", 99)->n, 0); /* not applying: no sample */
	want_one(&c, CT_RS_PY_CUM, 0, "python3.11", "json", 900, 0);
	want_one(&c, CT_RS_PY_SELF, 0, "python3.11", "re", 400, 1);
	want_one(&c, CT_RS_EXT, CT_REPORT_EXT_TO_REGISTER, "logs-ext", "", 650,
		 0); /* less the hold */
	want_one(&c, CT_RS_EXT_FAILED, 0, "logs-ext", "", 1, 0);
	want_one(&c, CT_RS_EXT_GATED_INIT, 0, "logs-ext", "", 1, 0);
	CT_EQ_INT(ser_of(&c, CT_RS_EXT_GATED_REGISTER, 0, "logs-ext", "", 99)->n, 0);
	/* a callback's non-zero stops the walk and is returned */
	CT_EQ_INT(ct_report_each_sample(r, stop_at_once, NULL), 7);
	coll_free(&c);
	ct_report_free(r);
}

/* The report on the runs and the one put from their samples' stats: the
 * same text and JSON, one run and several, with and without --minus-held. */
CT_TEST(put_reproduces_report)
{
	static const char *const files[] = {"real-demo-1.jsonl", "real-ext-two.jsonl",
					    "breakdown-two-runs.jsonl", "real-demo-2.jsonl",
					    "real-initgraph.jsonl"};
	struct runs rs = {0};
	size_t n;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct runs one = {0};
		char what[128];

		add_file(&one, files[i]);
		snprintf(what, sizeof(what), "%s", files[i]);
		CT_TRUE(check_roundtrip(&one, false, what) >= 1);
		snprintf(what, sizeof(what), "%s --minus-held", files[i]);
		check_roundtrip(&one, true, what);
		runs_free(&one);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		add_file(&rs, files[i]);
	add_text(&rs, py_run);
	add_file(&rs, "real-demo-1.jsonl"); /* the same again: counts 2 */
	n = check_roundtrip(&rs, false, "all");
	CT_TRUE(n >= 7);
	check_roundtrip(&rs, true, "all --minus-held");
	runs_free(&rs);
}

/* Over a report of several runs each_sample gives them all: the same
 * series' samples as the runs one by one. */
CT_TEST(multi_run_samples)
{
	struct runs rs = {0};
	struct ct_report *all = ct_report_new();
	struct coll a = {0}, b = {0};
	char err[256];

	add_file(&rs, "breakdown-two-runs.jsonl");
	add_file(&rs, "real-demo-1.jsonl");
	add_text(&rs, py_run);
	for (size_t i = 0; i < rs.n; i++) {
		struct ct_report *one = ct_report_new();

		if (!ct_report_add_buffer(one, "x", rs.text[i], rs.len[i], err, sizeof(err))) {
			CT_EQ_INT(ct_report_add_buffer(all, "x", rs.text[i], rs.len[i], err,
						       sizeof(err)),
				  0);
			collect_run(&b, one);
		}
		ct_report_free(one);
	}
	CT_EQ_INT(ct_report_each_sample(all, collect, &a), 0);
	CT_EQ_INT(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		struct ser *x = &a.s[i], *y = ser_of(&b, x->kind, x->fig, x->prog, x->name, 0);
		struct ct_stats sx, sy;

		CT_EQ_INT(x->n, y->n);
		ct_stats_of(x->v, x->n, &sx);
		ct_stats_of(y->v, y->n, &sy);
		CT_TRUE(!memcmp(&sx, &sy, sizeof(sx)));
	}
	coll_free(&a);
	coll_free(&b);
	ct_report_free(all);
	runs_free(&rs);
}

/* The SQL: every table read with FINAL, the samples only of the cold
 * starts the coldstarts table lists (GLOBAL IN), the filter, nearest rank. */
CT_TEST(sql)
{
	struct ct_chr_query q = {.db = "fleet",
				 .where = "host = 'a'",
				 .have_since = true,
				 .since_ns = 1234,
				 .by_key = "zone",
				 .by_value = "eu'1"};
	struct strbuf sb;
	const char *p;
	size_t nfinal = 0;

	sb_init(&sb);
	ct_chr_runs_sql(&sb, &q);
	CT_EQ_STR(sb.buf,
		  "SELECT count(), countIf(trace_complete = 0) FROM `fleet`.coldstarts FINAL WHERE "
		  "(host = 'a') AND started_ns >= 1234 AND labels.value[indexOf(labels.key, "
		  "'zone')] = "
		  "'eu\\'1' FORMAT TabSeparated");
	sb_reset(&sb);
	q.minus_held = false;
	ct_chr_series_sql(&sb, &q);
	CT_TRUE(strstr(sb.buf, "s[intDiv(n * 50 + 99, 100)], s[intDiv(n * 90 + 99, 100)], "
			       "s[intDiv(n * 99 + 99, 100)]") != NULL);
	CT_TRUE(strstr(sb.buf,
		       "FROM `fleet`.samples FINAL WHERE kind != 'phase_held' AND cs_id GLOBAL IN "
		       "(SELECT cs_id FROM `fleet`.coldstarts FINAL WHERE (host = 'a') AND "
		       "started_ns >= "
		       "1234 AND labels.value[indexOf(labels.key, 'zone')] = 'eu\\'1')") != NULL);
	CT_TRUE(strstr(sb.buf, "min((started_ns, cs_id, ord))") != NULL);
	CT_TRUE(strstr(sb.buf, "JOIN") == NULL);
	sb_reset(&sb);
	q.minus_held = true;
	ct_chr_series_sql(&sb, &q);
	CT_TRUE(strstr(sb.buf,
		       "if(kind = 'phase', toUInt64(greatest(v0, held) - held), v0) AS value") !=
		NULL);
	CT_TRUE(strstr(sb.buf, "ANY LEFT JOIN (SELECT cs_id, name, sum(value) AS held FROM "
			       "`fleet`.samples FINAL "
			       "WHERE kind = 'phase_held' AND cs_id GLOBAL IN") != NULL);
	for (p = sb.buf; (p = strstr(p, "FROM `fleet`.")); p++)
		nfinal += !strncmp(strchr(p + 13, ' '), " FINAL", 6);
	CT_EQ_INT(nfinal, 4); /* samples twice, coldstarts twice: all FINAL */
	sb_reset(&sb);
	q.by_key = "host";
	ct_chr_by_values_sql(&sb, &q);
	CT_EQ_STR(sb.buf,
		  "SELECT DISTINCT host AS v FROM `fleet`.coldstarts FINAL WHERE (host = 'a') AND "
		  "started_ns >= 1234 ORDER BY v FORMAT TabSeparated");
	sb_reset(&sb);
	q = (struct ct_chr_query){0};
	ct_chr_runs_sql(&sb, &q);
	CT_EQ_STR(sb.buf, "SELECT count(), countIf(trace_complete = 0) FROM `coldtrace`.coldstarts "
			  "FINAL WHERE 1 "
			  "FORMAT TabSeparated");
	sb_reset(&sb);
	ct_chr_tables_sql(&sb, &q);
	CT_TRUE(strstr(sb.buf, "FROM system.tables WHERE database = 'coldtrace'") != NULL);
	CT_TRUE(ct_chr_db_ok("coldtrace") && ct_chr_db_ok("shard_2"));
	CT_TRUE(!ct_chr_db_ok("") && !ct_chr_db_ok("a`b") && !ct_chr_db_ok("a.b") &&
		!ct_chr_db_ok("a b"));
	sb_free(&sb);
}

/* The SQL's rank is ct_percentile's: intDiv(n * p + 99, 100), 1-based. */
CT_TEST(rank_formula)
{
	uint64_t v[200];

	for (size_t n = 1; n <= 200; n++) {
		for (size_t i = 0; i < n; i++)
			v[i] = i + 1; /* the k-th smallest is k */
		for (unsigned p = 1; p <= 100; p++)
			if (ct_percentile(v, n, p) != (n * p + 99) / 100)
				CT__FAIL("n %zu p %u: %llu != %zu", n, p,
					 (unsigned long long)ct_percentile(v, n, p),
					 (n * p + 99) / 100);
	}
}

CT_TEST(parse_answers)
{
	static const char series[] =
		"pkg\t0\tct-agent\tex\\tample\\\\x\\n\t3\t10\t20\t20\t20\t1700\tab\\'c\t4\n"
		"phase_incomplete\t0\t\ttotal\t2\t1\t1\t1\t1\t1600\tzz\t0\n"
		"from_the_future\t0\t\tx\t1\t1\t1\t1\t1\t1\tq\t0\n";
	struct ct_chr_series *v;
	size_t n, nr, ni, pos = 0, nf;
	char err[256], **f;

	CT_EQ_INT(ct_chr_parse_series(series, strlen(series), &v, &n, err, sizeof(err)), 0);
	CT_EQ_INT(n, 2);
	if (n == 2) {
		CT_EQ_INT(v[0].kind, CT_RS_PKG);
		CT_EQ_STR(v[0].prog, "ct-agent");
		CT_EQ_STR(v[0].name, "ex\tample\\x\n");
		CT_EQ_INT(v[0].st.count, 3);
		CT_EQ_U64(v[0].st.p50, 10);
		CT_EQ_U64(v[0].st.max, 20);
		CT_EQ_U64(v[0].first_ns, 1700);
		CT_EQ_STR(v[0].first_cs, "ab'c");
		CT_EQ_U64(v[0].ord, 4);
		CT_EQ_INT(v[1].kind, CT_RS_PHASE_INCOMPLETE);
		CT_EQ_STR(v[1].prog, "");
	}
	ct_chr_series_free(v, n);
	CT_EQ_INT(ct_chr_parse_series("", 0, &v, &n, err, sizeof(err)), 0);
	CT_EQ_INT(n, 0);
	CT_EQ_INT(ct_chr_parse_series("pkg\t0\tp\n", 8, &v, &n, err, sizeof(err)), -1);
	CT_TRUE(strstr(err, "series query") != NULL);
	CT_EQ_INT(ct_chr_parse_series("pkg\tx\tp\tn\t3\t10\t20\t20\t20\t1700\tc\t4\n", 36, &v, &n,
				      err, sizeof(err)),
		  -1);
	CT_EQ_INT(ct_chr_parse_runs("20\t3\n", 5, &nr, &ni, err, sizeof(err)), 0);
	CT_EQ_INT(nr, 20);
	CT_EQ_INT(ni, 3);
	CT_EQ_INT(ct_chr_parse_runs("20\n", 3, &nr, &ni, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_runs("2\t3\n", 4, &nr, &ni, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_runs("", 0, &nr, &ni, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_runs("-1\t0\n", 5, &nr, &ni, err, sizeof(err)), -1);
	/* a last line without its newline, an empty field */
	CT_EQ_INT(ct_chr_tsv_line("a\t\tb", 4, &pos, &f, &nf), 1);
	CT_EQ_INT(nf, 3);
	if (nf == 3) {
		CT_EQ_STR(f[1], "");
		CT_EQ_STR(f[2], "b");
	}
	ct_chr_fields_free(f, nf);
	CT_EQ_INT(ct_chr_tsv_line("a\t\tb", 4, &pos, &f, &nf), 0);
}

CT_TEST(since)
{
	uint64_t ns;
	char err[256];

	CT_EQ_INT(ct_chr_parse_since("2026-11-30 12:00:00", 0, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, 1796040000ull * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("2026-11-30T12:00", 0, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, 1796040000ull * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("90s", 1000000, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, 999910ull * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("30m", 1000000, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, (1000000ull - 1800) * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("6h", 1000000, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, (1000000ull - 6 * 3600) * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("2d", 1000000, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, (1000000ull - 2 * 86400) * 1000000000ull);
	CT_EQ_INT(ct_chr_parse_since("2d", 1000, &ns, err, sizeof(err)), 0);
	CT_EQ_U64(ns, 0);
	CT_EQ_INT(ct_chr_parse_since("yesterday", 0, &ns, err, sizeof(err)), -1);
	CT_TRUE(strstr(err, "--since takes") != NULL);
	CT_EQ_INT(ct_chr_parse_since("2w", 0, &ns, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_since("5", 0, &ns, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_since("2026-11-30 12:00:00x", 0, &ns, err, sizeof(err)), -1);
	CT_EQ_INT(ct_chr_parse_since("", 0, &ns, err, sizeof(err)), -1);
}

CT_TEST(error_lines)
{
	static const char pw[] = "Code: 193, e.displayText() = DB::Exception: Wrong password for "
				 "user ct, e.what() = "
				 "DB::Exception\n";
	static const char col[] =
		"Code: 47, e.displayText() = DB::Exception: Missing columns: 'x' while processing "
		"query, e.what() = DB::Exception\n";
	char buf[512];

	ct_chr_error_line(401, pw, strlen(pw), buf, sizeof(buf));
	CT_EQ_STR(buf, "ClickHouse refused the credentials (HTTP 401: Wrong password for user ct)");
	ct_chr_error_line(500, col, strlen(col), buf, sizeof(buf));
	CT_EQ_STR(buf, "ClickHouse: Missing columns: 'x' while processing query (HTTP 500)");
	ct_chr_error_line(502, "", 0, buf, sizeof(buf));
	CT_EQ_STR(buf, "ClickHouse answered HTTP 502 with no message");
	ct_chr_error_line(500, "Authentication failed: password is incorrect", 44, buf,
			  sizeof(buf));
	CT_TRUE(!strncmp(buf, "ClickHouse refused the credentials", 34));
}

/* A put report: no samples for the pictures, its runs without names. */
CT_TEST(put_report_has_no_samples)
{
	struct ct_report *r = ct_report_new();
	struct ct_stats st = {
		.count = 3, .p50 = 2000000, .p90 = 3000000, .p99 = 3000000, .max = 3000000};
	struct ct_report_series s = {CT_RK_PHASE, 0, "", "total"};
	const uint64_t *v;
	struct strbuf sb;

	CT_EQ_INT(ct_report_put_runs(r, 3, 1), 0);
	CT_EQ_INT(ct_report_put_stats(r, CT_RS_PHASE_HELD, 0, "", "total", &st), 0);
	CT_EQ_INT(ct_report_put_stats(r, CT_RS_PHASE, 0, "", "total", &st), 0);
	CT_EQ_INT(ct_report_put_stats(r, 99, 0, "", "x", &st), 0); /* unknown: ignored */
	CT_EQ_INT(ct_report_nruns(r), 3);
	CT_EQ_INT(ct_report_nincomplete(r), 1);
	CT_EQ_INT(ct_report_samples(r, &s, &v), 0);
	sb_init(&sb);
	ct_report_render(r, &sb, NULL);
	CT_TRUE(strstr(sb.buf, "coldtrace report: 3 runs, 1 incomplete (flagged; their samples are "
			       "included)\n\n"
			       "phases ") == sb.buf);
	CT_TRUE(strstr(sb.buf, "\n  total                           3     2.000     3.000     "
			       "3.000     3.000\n") != NULL);
	sb_reset(&sb);
	ct_report_render_compare(r, r, &sb, NULL);
	CT_TRUE(strstr(sb.buf, "coldtrace report: --compare needs the runs' samples") == sb.buf);
	sb_free(&sb);
	ct_report_free(r);
}

int main(void)
{
	CT_RUN(kind_names);
	CT_RUN(one_run_samples);
	CT_RUN(put_reproduces_report);
	CT_RUN(multi_run_samples);
	CT_RUN(sql);
	CT_RUN(rank_formula);
	CT_RUN(parse_answers);
	CT_RUN(since);
	CT_RUN(error_lines);
	CT_RUN(put_report_has_no_samples);
	return ct_summary();
}
