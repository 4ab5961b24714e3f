// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chreport: report --clickhouse's SQL and answers (see chreport.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chreport.h"
#include "chrows.h"

/* The report's table an entry of kind lives in (report.c's arrays); within
 * one run, lower first: a package's program exists before it. */
static int entry_table(int kind)
{
	switch (kind) {
	case CT_RS_PHASE:
	case CT_RS_PHASE_HELD:
	case CT_RS_PHASE_INCOMPLETE:
	case CT_RS_PHASE_FIG: return 0;
	case CT_RS_PROG_START:
	case CT_RS_STARTUP: return 1;
	case CT_RS_EXT_START:
	case CT_RS_EXT_FAILED:
	case CT_RS_EXT_GATED_INIT:
	case CT_RS_EXT_GATED_REGISTER:
	case CT_RS_EXT: return 2;
	case CT_RS_PKG:
	case CT_RS_PKG_FIG: return 3;
	case CT_RS_PY_CUM:
	case CT_RS_PY_SELF: return 4;
	}
	return 5;
}

/* Sort key of a series: its entry's first sighting, then the entry, then
 * the kind and figure (any fixed order: the entry exists by then). */
struct chr_key {
	uint64_t ns;
	const char *cs;
	int table;
	uint64_t ord;
	struct ct_chr_series *s;
};

static int same_entry(const struct ct_chr_series *a, const struct ct_chr_series *b)
{
	return entry_table(a->kind) == entry_table(b->kind) && !strcmp(a->prog, b->prog) &&
	       !strcmp(a->name, b->name);
}

static int cmp_series_entry(const void *x, const void *y)
{
	const struct ct_chr_series *a = x, *b = y;
	int c;

	if (entry_table(a->kind) != entry_table(b->kind))
		return entry_table(a->kind) < entry_table(b->kind) ? -1 : 1;
	c = strcmp(a->prog, b->prog);
	return c ? c : strcmp(a->name, b->name);
}

static int cmp_key(const void *x, const void *y)
{
	const struct chr_key *a = x, *b = y;
	int c;

	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	c = strcmp(a->cs, b->cs);
	if (c)
		return c;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->ord != b->ord)
		return a->ord < b->ord ? -1 : 1;
	if (a->s->kind != b->s->kind)
		return a->s->kind < b->s->kind ? -1 : 1;
	return a->s->fig < b->s->fig ? -1 : a->s->fig > b->s->fig;
}

int ct_chr_put(struct ct_report *r, struct ct_chr_series *v, size_t n)
{
	struct chr_key *k;
	int ret = 0;

	if (!n)
		return 0;
	k = calloc(n, sizeof(*k));
	if (!k)
		return -1;
	/* group the series of each entry; the entry's first sighting is the
	 * earliest of its series' */
	qsort(v, n, sizeof(*v), cmp_series_entry);
	for (size_t i = 0; i < n;) {
		size_t j = i, best = i;

		for (; j < n && same_entry(&v[i], &v[j]); j++)
			if (v[j].first_ns < v[best].first_ns ||
			    (v[j].first_ns == v[best].first_ns &&
			     strcmp(v[j].first_cs, v[best].first_cs) < 0))
				best = j;
		for (size_t m = i; m < j; m++)
			k[m] = (struct chr_key){v[best].first_ns, v[best].first_cs,
						entry_table(v[m].kind), v[best].ord, &v[m]};
		i = j;
	}
	qsort(k, n, sizeof(*k), cmp_key);
	for (size_t i = 0; i < n && !ret; i++)
		ret = ct_report_put_stats(r, k[i].s->kind, k[i].s->fig, k[i].s->prog, k[i].s->name,
					  &k[i].s->st);
	free(k);
	return ret;
}

void ct_chr_series_free(struct ct_chr_series *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].prog);
		free(v[i].name);
		free(v[i].first_cs);
	}
	free(v);
}

/* ---- the SQL ---- */

bool ct_chr_db_ok(const char *db)
{
	size_t n = strlen(db);

	if (!n || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)db[i]) && db[i] != '_')
			return false;
	return true;
}

void ct_chr_quote(struct strbuf *out, const char *s)
{
	sb_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sb_putc(out, '\\');
		sb_putc(out, *s);
	}
	sb_putc(out, '\'');
}

static const char *dbname(const struct ct_chr_query *q)
{
	return q->db ? q->db : CT_CH_DEFAULT_DB;
}

/* The --by value of a cold start: the host column for "host" (the sink puts
 * a "host" label there), else its label's value ("" without it). */
static void by_expr(struct strbuf *out, const char *key)
{
	if (!strcmp(key, "host")) {
		sb_puts(out, "host");
		return;
	}
	sb_puts(out, "labels.value[indexOf(labels.key, ");
	ct_chr_quote(out, key);
	sb_puts(out, ")]");
}

/* The condition on the coldstarts table that picks the cold starts. */
static void cs_cond(struct strbuf *out, const struct ct_chr_query *q, bool with_by)
{
	bool any = false;

	if (q->where) {
		sb_printf(out, "(%s)", q->where);
		any = true;
	}
	if (q->have_since) {
		sb_printf(out, "%sstarted_ns >= %llu", any ? " AND " : "",
			  (unsigned long long)q->since_ns);
		any = true;
	}
	if (with_by && q->by_key && q->by_value) {
		sb_puts(out, any ? " AND " : "");
		by_expr(out, q->by_key);
		sb_puts(out, " = ");
		ct_chr_quote(out, q->by_value);
		any = true;
	}
	if (!any)
		sb_puts(out, "1");
}

/* The samples of the picked cold starts: only those the coldstarts table
 * lists (the sink sends that row last: such a cold start has all its
 * rows). GLOBAL: over a Distributed table the list is made once. */
static void samples_cond(struct strbuf *out, const struct ct_chr_query *q)
{
	sb_printf(out, "cs_id GLOBAL IN (SELECT cs_id FROM `%s`.coldstarts FINAL WHERE ",
		  dbname(q));
	cs_cond(out, q, true);
	sb_putc(out, ')');
}

void ct_chr_tables_sql(struct strbuf *out, const struct ct_chr_query *q)
{
	sb_puts(out, "SELECT name FROM system.tables WHERE database = ");
	ct_chr_quote(out, dbname(q));
	sb_puts(out, " AND name IN ('coldstarts', 'samples', 'schema_version') ORDER BY name "
		     "FORMAT TabSeparated");
}

void ct_chr_version_sql(struct strbuf *out, const struct ct_chr_query *q)
{
	sb_printf(out,
		  "SELECT DISTINCT version FROM `%s`.schema_version ORDER BY version FORMAT "
		  "TabSeparated",
		  dbname(q));
}

void ct_chr_runs_sql(struct strbuf *out, const struct ct_chr_query *q)
{
	sb_printf(out,
		  "SELECT count(), countIf(trace_complete = 0) FROM `%s`.coldstarts FINAL WHERE ",
		  dbname(q));
	cs_cond(out, q, true);
	sb_puts(out, " FORMAT TabSeparated");
}

void ct_chr_by_values_sql(struct strbuf *out, const struct ct_chr_query *q)
{
	sb_puts(out, "SELECT DISTINCT ");
	by_expr(out, q->by_key ? q->by_key : "host");
	sb_printf(out, " AS v FROM `%s`.coldstarts FINAL WHERE ", dbname(q));
	cs_cond(out, q, false);
	sb_puts(out, " ORDER BY v FORMAT TabSeparated");
}

/*
 * Nearest rank, as ct_percentile: the ceil(p/100 * n)-th smallest, in
 * integers: intDiv(n * p + 99, 100) (1-based, at least 1 for n >= 1) in the
 * sorted samples. quantilesExact would be close but not equal: it takes the
 * element at floor(level * n) (0-based), one rank too high whenever p * n / 100 is
 * an integer (p50 of 4 samples: the 3rd, where nearest rank is the 2nd).
 */
static void pct_sql(struct strbuf *out, unsigned p)
{
	sb_printf(out, ", s[intDiv(n * %u + 99, 100)]", p);
}

void ct_chr_series_sql(struct strbuf *out, const struct ct_chr_query *q)
{
	const char *db = dbname(q);

	sb_puts(out, "SELECT kind, fig, prog, name, n");
	pct_sql(out, 50);
	pct_sql(out, 90);
	pct_sql(out, 99);
	sb_puts(out, ", mx, tupleElement(first, 1), tupleElement(first, 2), tupleElement(first, 3) "
		     "FROM ("
		     "SELECT kind, fig, prog, name, count() AS n, arraySort(groupArray(value)) AS "
		     "s, max(value) AS mx, "
		     "min((started_ns, cs_id, ord)) AS first FROM ");
	if (!q->minus_held) {
		sb_printf(out, "`%s`.samples FINAL WHERE kind != 'phase_held' AND ", db);
		samples_cond(out, q);
	} else {
		/* a phase's duration less the held_ns of that phase in that cold
		 * start, floored at 0 (report.c's --minus-held) */
		sb_puts(out,
			"(SELECT kind, fig, prog, name, started_ns, cs_id, ord, "
			"if(kind = 'phase', toUInt64(greatest(v0, held) - held), v0) AS value FROM "
			"(SELECT kind, fig, prog, name, value AS v0, started_ns, cs_id, ord FROM ");
		sb_printf(out, "`%s`.samples FINAL WHERE kind != 'phase_held' AND ", db);
		samples_cond(out, q);
		sb_printf(out,
			  ") ANY LEFT JOIN (SELECT cs_id, name, sum(value) AS held FROM "
			  "`%s`.samples FINAL "
			  "WHERE kind = 'phase_held' AND ",
			  db);
		samples_cond(out, q);
		sb_puts(out, " GROUP BY cs_id, name) USING (cs_id, name))");
	}
	sb_puts(out, " GROUP BY kind, fig, prog, name) FORMAT TabSeparated");
}

/* ---- the answers ---- */

void ct_chr_fields_free(char **f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		free(f[i]);
	free(f);
}

/* One TabSeparated field, its escapes undone. */
static char *tsv_field(const char *p, size_t n)
{
	char *d = malloc(n + 1), *o = d;

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\\' && i + 1 < n) {
			switch (p[++i]) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '0': c = '\0'; break;
			default: c = p[i]; break; /* \\ \' and any other: the byte itself */
			}
		}
		*o++ = c;
	}
	*o = 0;
	return d;
}

int ct_chr_tsv_line(const char *body, size_t len, size_t *pos, char ***fields, size_t *nf)
{
	const char *p = body + *pos, *end = body + len, *nl;
	size_t cap = 0;

	*fields = NULL;
	*nf = 0;
	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(nl - p));
		const char *fe = tab ? tab : nl;

		if (*nf == cap) {
			char **nv = realloc(*fields, (cap = cap ? cap * 2 : 16) * sizeof(*nv));

			if (!nv)
				goto oom;
			*fields = nv;
		}
		if (!((*fields)[*nf] = tsv_field(p, (size_t)(fe - p))))
			goto oom;
		(*nf)++;
		if (!tab)
			break;
		p = tab + 1;
	}
	*pos = (size_t)(nl - body) + (nl < end);
	return 1;
oom:
	ct_chr_fields_free(*fields, *nf);
	*fields = NULL;
	*nf = 0;
	return -1;
}

static int to_u64(const char *s, uint64_t *v)
{
	char *e;
	unsigned long long x;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	x = strtoull(s, &e, 10);
	if (errno || *e)
		return -1;
	*v = x;
	return 0;
}

static int shape_err(char *err, size_t errlen, const char *what, size_t line)
{
	snprintf(err, errlen, "ClickHouse's answer to the %s query is not as expected (line %zu)",
		 what, line);
	return -1;
}

int ct_chr_parse_runs(const char *body, size_t len, size_t *nruns, size_t *nincomplete, char *err,
		      size_t errlen)
{
	size_t pos = 0, nf;
	char **f;
	uint64_t a, b;
	int rc = ct_chr_tsv_line(body, len, &pos, &f, &nf);

	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!rc || nf != 2 || to_u64(f[0], &a) || to_u64(f[1], &b) || b > a) {
		ct_chr_fields_free(f, nf);
		return shape_err(err, errlen, "runs", 1);
	}
	ct_chr_fields_free(f, nf);
	*nruns = (size_t)a;
	*nincomplete = (size_t)b;
	return 0;
}

int ct_chr_parse_series(const char *body, size_t len, struct ct_chr_series **v, size_t *n,
			char *err, size_t errlen)
{
	size_t pos = 0, nf, cap = 0, line = 0;
	char **f;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = ct_chr_tsv_line(body, len, &pos, &f, &nf)) > 0) {
		struct ct_chr_series s = {0};
		uint64_t fig, cnt;
		int kind;

		line++;
		if (nf != 12 || to_u64(f[1], &fig) || fig > 255 || to_u64(f[4], &cnt) || !cnt ||
		    to_u64(f[5], &s.st.p50) || to_u64(f[6], &s.st.p90) || to_u64(f[7], &s.st.p99) ||
		    to_u64(f[8], &s.st.max) || to_u64(f[9], &s.first_ns) || to_u64(f[11], &s.ord)) {
			ct_chr_fields_free(f, nf);
			ct_chr_series_free(*v, *n);
			*v = NULL;
			*n = 0;
			return shape_err(err, errlen, "series", line);
		}
		kind = ct_report_sample_kind_of(f[0]);
		if (kind < 0) { /* a newer coldtrace's kind: not shown by this one */
			ct_chr_fields_free(f, nf);
			continue;
		}
		s.kind = kind;
		s.fig = (int)fig;
		s.st.count = (size_t)cnt;
		s.prog = f[2];
		s.name = f[3];
		s.first_cs = f[10];
		f[2] = f[3] = f[10] = NULL;
		ct_chr_fields_free(f, nf);
		if (*n == cap) {
			struct ct_chr_series *nv =
				realloc(*v, (cap = cap ? cap * 2 : 64) * sizeof(*nv));

			if (!nv) {
				free(s.prog), free(s.name), free(s.first_cs);
				rc = -1;
				break;
			}
			*v = nv;
		}
		(*v)[(*n)++] = s;
	}
	if (rc < 0) {
		ct_chr_series_free(*v, *n);
		*v = NULL;
		*n = 0;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- options ---- */

int ct_chr_parse_since(const char *s, int64_t now_s, uint64_t *ns, char *err, size_t errlen)
{
	struct tm tm = {0};
	char *e;
	int64_t t;

	if (isdigit((unsigned char)s[0])) {
		unsigned long long k;

		errno = 0;
		k = strtoull(s, &e, 10);
		if (!errno && e != s && e[0] && !e[1] && strchr("smhd", e[0]) &&
		    k <= 100ull * 365 * 86400) {
			int64_t mul = e[0] == 's'   ? 1
				      : e[0] == 'm' ? 60
				      : e[0] == 'h' ? 3600
						    : 86400;

			t = now_s - (int64_t)k * mul;
			*ns = t > 0 ? (uint64_t)t * 1000000000ull : 0;
			return 0;
		}
	}
	e = strptime(s, "%Y-%m-%d", &tm);
	if (e && (*e == ' ' || *e == 'T')) {
		char *e2 = strptime(e + 1, "%H:%M:%S", &tm);

		e = e2 ? e2 : strptime(e + 1, "%H:%M", &tm);
	}
	if (!e || *e) {
		snprintf(err, errlen,
			 "--since takes \"YYYY-MM-DD HH:MM:SS\" (UTC) or a span before now: 90s, "
			 "30m, 6h, 2d");
		return -1;
	}
	t = (int64_t)timegm(&tm);
	*ns = t > 0 ? (uint64_t)t * 1000000000ull : 0;
	return 0;
}

bool ct_chr_auth_refused(int status, const char *first_line)
{
	return status == 401 || status == 403 || strstr(first_line, "Code: 192,") ||
	       strstr(first_line, "Code: 193,") || strstr(first_line, "Code: 194,") ||
	       strstr(first_line, "Code: 516,") || strstr(first_line, "Authentication failed");
}

void ct_chr_error_line(int status, const char *body, size_t len, char *buf, size_t size)
{
	char first[300];
	size_t n = 0;
	const char *msg;

	/* ClickHouse: "Code: N, e.displayText() = DB::Exception: WHAT, e.what() = ..." */
	for (size_t i = 0; i < len && n + 1 < sizeof(first) && body[i] != '\n'; i++)
		first[n++] = (unsigned char)body[i] < 0x20 ? '?' : body[i];
	first[n] = 0;
	msg = strstr(first, "DB::Exception: ");
	msg = msg ? msg + 15 : first;
	if (ct_chr_auth_refused(status, first)) {
		snprintf(buf, size, "ClickHouse refused the credentials (HTTP %d: %.*s)", status,
			 (int)(strcspn(msg, ",")), msg);
		return;
	}
	if (!n) {
		snprintf(buf, size, "ClickHouse answered HTTP %d with no message", status);
		return;
	}
	{
		const char *tail = strstr(msg, ", e.what()");

		snprintf(buf, size, "ClickHouse: %.*s (HTTP %d)",
			 tail ? (int)(tail - msg) : (int)strlen(msg), msg, status);
	}
}
