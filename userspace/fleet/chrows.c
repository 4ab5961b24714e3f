// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A cold start as ClickHouse rows, and their schema: one table of column
 * specs drives the CREATE statements, the check of an existing table and
 * the rows (chrows.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrows.h"
#include "jsonread.h"
#include "jsonw.h"
#include "report.h"

enum col_type { C_STR, C_U64, C_U32, C_U8, C_I64, C_F64 };

static const char *const type_names[] = {
	[C_STR] = "String", [C_U64] = "UInt64", [C_U32] = "UInt32",
	[C_U8] = "UInt8",   [C_I64] = "Int64",  [C_F64] = "Float64",
};

/* A column: its name, its type, the jsonl key it comes from (NULL: the
 * same as its name; "@prog": the basename of the pid's latest exec) and,
 * for the coldstarts table, the record type it comes from. def: the value
 * when the key is absent (NULL: the type's zero). */
struct col {
	const char *name;
	enum col_type type;
	const char *key;
	const char *rec;
	const char *def;
};

struct table {
	const char *name;
	const char *rec; /* the jsonl record type, one row each; NULL: coldstarts */
	const struct col *cols;
};

#define END {NULL, 0, NULL, NULL, NULL}

static const struct col c_coldstarts[] = {
	{"command", C_STR, NULL, "header", NULL},
	{"trace_complete", C_U8, "complete", "summary", "0"},
	{"lost_total", C_U64, NULL, "summary", NULL},
	{"timeline_complete", C_U8, "complete", "timeline", "0"},
	{"agent_pid", C_U32, NULL, "timeline", NULL},
	{"runtime_pid", C_U32, NULL, "timeline", NULL},
	{"api_port", C_U32, NULL, "timeline", NULL},
	{"request_id", C_STR, NULL, "timeline", NULL},
	{"total_ns", C_U64, NULL, "timeline", NULL},
	{"function_init_ns", C_U64, NULL, "timeline", NULL},
	{"init_status", C_STR, NULL, "timeline", NULL},
	{"held_ns", C_U64, NULL, "timeline", NULL},
	{"extensions", C_U32, NULL, "timeline", NULL},
	{"extensions_failed", C_U32, NULL, "timeline", NULL},
	END,
};

static const struct col c_phases[] = {
	{"name", C_STR, NULL, NULL, NULL},      {"label", C_STR, NULL, NULL, NULL},
	{"from", C_STR, NULL, NULL, NULL},      {"to", C_STR, NULL, NULL, NULL},
	{"start_ns", C_U64, NULL, NULL, NULL},  {"end_ns", C_U64, NULL, NULL, NULL},
	{"dur_ns", C_U64, NULL, NULL, NULL},    {"held_ns", C_U64, NULL, NULL, NULL},
	{"pid", C_U32, NULL, NULL, NULL},       {"complete", C_U8, NULL, NULL, NULL},
	{"in_sum", C_U8, NULL, NULL, NULL},     {"applies", C_U8, NULL, NULL, "1"},
	END,
};

static const struct col c_milestones[] = {
	{"name", C_STR, NULL, NULL, NULL}, {"label", C_STR, NULL, NULL, NULL}, {"ts_ns", C_U64, NULL, NULL, NULL},
	{"pid", C_U32, NULL, NULL, NULL},  {"seen", C_U8, NULL, NULL, NULL},   END,
};

static const struct col c_processes[] = {
	{"pid", C_U32, NULL, NULL, NULL},      {"ppid", C_U32, NULL, NULL, NULL},
	{"nspid", C_U32, NULL, NULL, NULL},    {"root", C_U8, NULL, NULL, NULL},
	{"start_ns", C_U64, NULL, NULL, NULL}, {"exit_ns", C_U64, NULL, NULL, NULL},
	{"exit_code", C_I64, NULL, NULL, NULL}, {"exit_signal", C_U32, NULL, NULL, NULL},
	{"threads", C_U32, NULL, NULL, NULL},
	END,
};

static const struct col c_execs[] = {
	{"pid", C_U32, NULL, NULL, NULL},        {"ts_ns", C_U64, NULL, NULL, NULL},
	{"path", C_STR, NULL, NULL, NULL},       {"comm", C_STR, NULL, NULL, NULL},
	{"go_version", C_STR, NULL, NULL, NULL}, {"py_version", C_STR, NULL, NULL, NULL},
	{"held_ns", C_U64, NULL, NULL, NULL},    {"note", C_STR, NULL, NULL, NULL},
	END,
};

static const struct col c_pkg_inits[] = {
	{"pid", C_U32, NULL, NULL, NULL},      {"tid", C_U32, NULL, NULL, NULL},
	{"prog", C_STR, "@prog", NULL, NULL},  {"init_seq", C_U32, "seq", NULL, NULL},
	{"pkg", C_STR, NULL, NULL, NULL},      {"start_ns", C_U64, NULL, NULL, NULL},
	{"end_ns", C_U64, NULL, NULL, NULL},   {"clock_ns", C_U64, NULL, NULL, NULL},
	{"at_ns", C_U64, NULL, NULL, NULL},    {"nfns", C_U32, NULL, NULL, NULL},
	{"cpu_ns", C_U64, NULL, NULL, NULL},   {"min_flt", C_U64, NULL, NULL, NULL},
	{"maj_flt", C_U64, NULL, NULL, NULL},  {"nvcsw", C_U64, NULL, NULL, NULL},
	{"nivcsw", C_U64, NULL, NULL, NULL},   {"allocs", C_U64, NULL, NULL, NULL},
	{"bytes", C_U64, NULL, NULL, NULL},    END,
};

static const struct col c_http[] = {
	{"ts_ns", C_U64, NULL, NULL, NULL},    {"pid", C_U32, NULL, NULL, NULL},
	{"tid", C_U32, NULL, NULL, NULL},      {"dir", C_STR, NULL, NULL, NULL},
	{"kind", C_STR, NULL, NULL, NULL},     {"method", C_STR, NULL, NULL, NULL},
	{"path", C_STR, NULL, NULL, NULL},     {"api", C_STR, NULL, NULL, NULL},
	{"status", C_U32, NULL, NULL, NULL},   {"local", C_STR, NULL, NULL, NULL},
	{"remote", C_STR, NULL, NULL, NULL},   {"body_len", C_I64, NULL, NULL, NULL},
	{"peer_pid", C_U32, NULL, NULL, NULL}, {"peer_ts_ns", C_U64, NULL, NULL, NULL},
	END,
};

static const struct col c_logs[] = {
	{"ts_ns", C_U64, NULL, NULL, NULL},      {"pid", C_U32, NULL, NULL, NULL},
	{"tid", C_U32, NULL, NULL, NULL},        {"fd", C_U32, NULL, NULL, NULL},
	{"kind", C_STR, NULL, NULL, NULL},       {"request_id", C_STR, NULL, NULL, NULL},
	{"version", C_STR, NULL, NULL, NULL},    {"init_type", C_STR, NULL, NULL, NULL},
	{"phase", C_STR, NULL, NULL, NULL},      {"ext_name", C_STR, NULL, NULL, NULL},
	{"error_type", C_STR, NULL, NULL, NULL}, {"duration_ms", C_F64, NULL, NULL, NULL},
	{"init_duration_ms", C_F64, NULL, NULL, NULL}, {"line", C_STR, NULL, NULL, NULL},
	END,
};

static const struct col c_extensions[] = {
	{"ext_index", C_U32, "index", NULL, NULL}, {"name", C_STR, NULL, NULL, NULL},
	{"pid", C_U32, NULL, NULL, NULL},          {"state", C_STR, NULL, NULL, NULL},
	{"failed", C_U8, NULL, NULL, NULL},        {"gated_init", C_U8, NULL, NULL, NULL},
	{"gated_register", C_U8, NULL, NULL, NULL}, {"to_register_ns", C_U64, NULL, NULL, NULL},
	{"to_ready_ns", C_U64, NULL, NULL, NULL},  {"go_init_ns", C_U64, NULL, NULL, NULL},
	END,
};

static const struct col c_breakdown[] = {
	{"phase", C_STR, NULL, NULL, NULL},           {"scope", C_STR, NULL, NULL, NULL},
	{"start_ns", C_U64, NULL, NULL, NULL},        {"end_ns", C_U64, NULL, NULL, NULL},
	{"dur_ns", C_U64, NULL, NULL, NULL},          {"complete", C_U8, NULL, NULL, NULL},
	{"cpu_ns", C_U64, NULL, NULL, NULL},          {"wall_running_ns", C_U64, NULL, NULL, NULL},
	{"wall_runnable_ns", C_U64, NULL, NULL, NULL}, {"wall_iowait_ns", C_U64, NULL, NULL, NULL},
	{"wall_disk_ns", C_U64, NULL, NULL, NULL},    {"wall_sleep_ns", C_U64, NULL, NULL, NULL},
	{"wall_stopped_ns", C_U64, NULL, NULL, NULL}, {"min_flt", C_U64, NULL, NULL, NULL},
	{"maj_flt", C_U64, NULL, NULL, NULL},         {"nvcsw", C_U64, NULL, NULL, NULL},
	{"nivcsw", C_U64, NULL, NULL, NULL},          {"files_opened", C_U64, NULL, NULL, NULL},
	{"read_bytes", C_U64, NULL, NULL, NULL},      {"miss_bytes", C_U64, NULL, NULL, NULL},
	END,
};

static const struct col c_py_imports[] = {
	{"pid", C_U32, NULL, NULL, NULL},      {"tid", C_U32, NULL, NULL, NULL},
	{"prog", C_STR, "@prog", NULL, NULL},  {"import_seq", C_U32, "seq", NULL, NULL},
	{"module", C_STR, NULL, NULL, NULL},   {"level", C_U32, NULL, NULL, NULL},
	{"start_ns", C_U64, NULL, NULL, NULL}, {"end_ns", C_U64, NULL, NULL, NULL},
	{"cum_ns", C_U64, NULL, NULL, NULL},   {"self_ns", C_U64, NULL, NULL, NULL},
	END,
};

/* ct_report_each_sample's arguments (report.h) */
static const struct col c_samples[] = {
	{"kind", C_STR, NULL, NULL, NULL}, {"fig", C_U8, NULL, NULL, NULL},     {"prog", C_STR, NULL, NULL, NULL},
	{"name", C_STR, NULL, NULL, NULL}, {"ord", C_U32, NULL, NULL, NULL},    {"value", C_U64, NULL, NULL, NULL},
	END,
};


static const struct table tables[] = {
	{"phases", "phase", c_phases},
	{"milestones", "milestone", c_milestones},
	{"processes", "process", c_processes},
	{"execs", "exec", c_execs},
	{"pkg_inits", "go_init", c_pkg_inits},
	{"http", "http", c_http},
	{"logs", "log", c_logs},
	{"extensions", "extension", c_extensions},
	{"breakdown", "breakdown", c_breakdown},
	{"py_imports", "py_import", c_py_imports},
	{"samples", NULL, c_samples},
	{"coldstarts", NULL, c_coldstarts}, /* last: a cold start listed here has all its rows */
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define T_SAMPLES_I (NTABLES - 2)
#define T_COLDSTARTS_I (NTABLES - 1)

/* The columns every table starts with (chrows.h). */
static const char common_sql[] =
	"cs_id String, started DateTime, started_ns UInt64, host String, tool_version String, kernel String, "
	"sandbox UInt32, labels Nested(key String, value String), seq UInt32";
static const struct {
	const char *name, *type;
} common_cols[] = {
	{"cs_id", "String"},        {"started", "DateTime"},    {"started_ns", "UInt64"},
	{"host", "String"},         {"tool_version", "String"}, {"kernel", "String"},
	{"sandbox", "UInt32"},      {"labels.key", "Array(String)"}, {"labels.value", "Array(String)"},
	{"seq", "UInt32"},
};

size_t ct_ch_ntables(void)
{
	return NTABLES;
}

const char *ct_ch_table_name(size_t i)
{
	return i < NTABLES ? tables[i].name : NULL;
}

void ct_ch_put_literal(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sb_putc(out, '\\');
		sb_putc(out, *s);
	}
}

void ct_ch_create_sql(struct strbuf *out, const char *db, size_t i, const char *cluster, const char *local_db)
{
	const struct table *t = &tables[i];

	sb_puts(out, "CREATE TABLE IF NOT EXISTS ");
	sb_printf(out, "`%s`.`%s` ", db, t->name);
	if (cluster) {
		/* the same columns as the shards' table of the same name, in
		 * each shard's default database; a cold start's rows on one
		 * shard, so FINAL merges its duplicates there */
		sb_printf(out, "(%s", common_sql);
		for (const struct col *c = t->cols; c->name; c++)
			sb_printf(out, ", `%s` %s", c->name, type_names[c->type]);
		sb_printf(out, ") ENGINE = Distributed(`%s`, '", cluster);
		ct_ch_put_literal(out, local_db ? local_db : "");
		sb_printf(out, "', `%s`, cityHash64(cs_id))", t->name);
		return;
	}
	sb_printf(out, "(%s", common_sql);
	for (const struct col *c = t->cols; c->name; c++)
		sb_printf(out, ", `%s` %s", c->name, type_names[c->type]);
	sb_puts(out, ") ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(started) ORDER BY (cs_id, seq)");
}

void ct_ch_version_sql(struct strbuf *out, const char *db, bool insert)
{
	if (insert)
		sb_printf(out, "INSERT INTO `%s`.schema_version (version, tool_version) VALUES (%d, '%s')", db,
			  CT_CH_SCHEMA_VERSION, COLDTRACE_VERSION);
	else
		sb_printf(out,
			  "CREATE TABLE IF NOT EXISTS `%s`.schema_version (version UInt32, tool_version String) "
			  "ENGINE = TinyLog",
			  db);
}

/* One line of "name\ttype" in tsv: does it hold name with type? 1 same, 0
 * absent, -1 another type (*got its type). */
static int find_col(const char *tsv, size_t len, const char *name, const char *type, char *got, size_t gotlen)
{
	size_t nl = strlen(name);
	const char *p = tsv, *end = tsv + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *tab;

		if (!eol)
			eol = end;
		tab = memchr(p, '\t', (size_t)(eol - p));
		if (tab && (size_t)(tab - p) == nl && !memcmp(p, name, nl)) {
			size_t tl = (size_t)(eol - tab - 1);

			if (tl == strlen(type) && !memcmp(tab + 1, type, tl))
				return 1;
			snprintf(got, gotlen, "%.*s", (int)(tl < 64 ? tl : 64), tab + 1);
			return -1;
		}
		p = eol + 1;
	}
	return 0;
}

int ct_ch_check_columns(size_t i, const char *tsv, size_t len, char *err, size_t errlen)
{
	char got[80];

	for (size_t k = 0; k < sizeof(common_cols) / sizeof(common_cols[0]); k++) {
		int r = find_col(tsv, len, common_cols[k].name, common_cols[k].type, got, sizeof(got));

		if (r <= 0) {
			if (r)
				snprintf(err, errlen, "table %s: column %s is %s, coldtrace writes %s", tables[i].name,
					 common_cols[k].name, got, common_cols[k].type);
			else
				snprintf(err, errlen, "table %s: column %s is missing", tables[i].name,
					 common_cols[k].name);
			return -1;
		}
	}
	for (const struct col *c = tables[i].cols; c->name; c++) {
		int r = find_col(tsv, len, c->name, type_names[c->type], got, sizeof(got));

		if (r <= 0) {
			if (r)
				snprintf(err, errlen, "table %s: column %s is %s, coldtrace writes %s", tables[i].name,
					 c->name, got, type_names[c->type]);
			else
				snprintf(err, errlen, "table %s: column %s is missing", tables[i].name, c->name);
			return -1;
		}
	}
	return 0;
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

void ct_ch_id(const char *text, char out[33])
{
	uint64_t a = fnv1a(text, 0xcbf29ce484222325ull);
	uint64_t b = fnv1a(text, a ^ 0x9e3779b97f4a7c15ull);

	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

/* ---- rows ---- */

struct rows {
	const struct ct_ch_meta *meta;
	struct strbuf prefix;       /* the common columns, "{...," */
	struct strbuf sec[NTABLES]; /* rows per table */
	uint32_t seq[NTABLES];
	struct pidprog {
		uint64_t pid;
		char *prog;
	} *progs;
	size_t nprogs;
	struct jr_obj cs[8]; /* the coldstarts row's records, by type */
	const char *cs_types[8];
	size_t ncs;
};

static const char *prog_of(struct rows *r, uint64_t pid)
{
	for (size_t i = r->nprogs; i-- > 0;)
		if (r->progs[i].pid == pid)
			return r->progs[i].prog;
	return "";
}

static void put_value(struct strbuf *o, const struct col *c, const struct jr_field *f)
{
	if (!f || f->type == JR_NULL) {
		if (c->type == C_STR)
			sb_puts(o, "\"\"");
		else
			sb_puts(o, c->def ? c->def : "0");
		return;
	}
	switch (c->type) {
	case C_STR:
		if (f->type == JR_STRING)
			jw_escape(o, f->str, f->str_len);
		else if (f->type == JR_BOOL)
			sb_puts(o, f->b ? "\"true\"" : "\"false\"");
		else if (f->type == JR_NUMBER && f->is_int)
			sb_printf(o, "\"%lld\"", (long long)f->i);
		else if (f->type == JR_NUMBER && f->is_uint)
			sb_printf(o, "\"%llu\"", (unsigned long long)f->u);
		else
			sb_puts(o, "\"\"");
		break;
	case C_F64:
		if (f->type == JR_NUMBER)
			sb_printf(o, "%.17g", f->d);
		else
			sb_puts(o, "0");
		break;
	case C_I64:
		if (f->type == JR_NUMBER && f->is_int)
			sb_printf(o, "%lld", (long long)f->i);
		else if (f->type == JR_BOOL)
			sb_puts(o, f->b ? "1" : "0");
		else
			sb_puts(o, c->def ? c->def : "0");
		break;
	default: {
		uint64_t v = 0, max = c->type == C_U8 ? 0xff : c->type == C_U32 ? 0xffffffffull : UINT64_MAX;

		if (f->type == JR_BOOL)
			v = f->b;
		else if (f->type == JR_NUMBER && f->is_uint)
			v = f->u;
		else {
			sb_puts(o, c->def ? c->def : "0");
			break;
		}
		sb_printf(o, "%llu", (unsigned long long)(v > max ? max : v));
	}
	}
}

static void row_begin(struct rows *r, size_t t)
{
	sb_putn(&r->sec[t], r->prefix.buf, r->prefix.len);
	sb_printf(&r->sec[t], "\"seq\":%u", r->seq[t]++);
}

static void record_row(struct rows *r, size_t t, const struct jr_obj *o)
{
	struct strbuf *s = &r->sec[t];

	row_begin(r, t);
	for (const struct col *c = tables[t].cols; c->name; c++) {
		sb_printf(s, ",\"%s\":", c->name);
		if (c->key && !strcmp(c->key, "@prog")) {
			uint64_t pid = 0;

			jr_get_u64(o, "pid", &pid);
			jw_escape(s, prog_of(r, pid), strlen(prog_of(r, pid)));
			continue;
		}
		put_value(s, c, jr_get(o, c->key ? c->key : c->name));
	}
	sb_puts(s, "}\n");
}

static int sample_row(void *ctx, int kind, int fig, const char *prog, const char *name, size_t ord,
		      uint64_t value)
{
	struct rows *r = ctx;
	size_t t = T_SAMPLES_I;
	struct strbuf *s = &r->sec[t];

	row_begin(r, t);
	sb_puts(s, ",\"kind\":");
	jw_escape(s, ct_report_sample_kind_name(kind), strlen(ct_report_sample_kind_name(kind)));
	sb_printf(s, ",\"fig\":%d,\"prog\":", fig);
	jw_escape(s, prog ? prog : "", prog ? strlen(prog) : 0);
	sb_puts(s, ",\"name\":");
	jw_escape(s, name ? name : "", name ? strlen(name) : 0);
	sb_printf(s, ",\"ord\":%zu,\"value\":%llu}\n", ord, (unsigned long long)value);
	return 0;
}

/* The record type a coldstarts column comes from, if type is one. */
static const char *cs_source(const char *type)
{
	for (const struct col *c = c_coldstarts; c->name; c++)
		if (!strcmp(c->rec, type))
			return c->rec;
	return NULL;
}

static bool cs_have(const struct rows *r, const char *src)
{
	for (size_t k = 0; k < r->ncs; k++)
		if (!strcmp(r->cs_types[k], src))
			return true;
	return false;
}

static void coldstarts_row(struct rows *r, size_t t)
{
	struct strbuf *s = &r->sec[t];

	row_begin(r, t);
	for (const struct col *c = tables[t].cols; c->name; c++) {
		const struct jr_field *f = NULL;

		for (size_t k = 0; k < r->ncs; k++)
			if (!strcmp(r->cs_types[k], c->rec))
				f = jr_get(&r->cs[k], c->key ? c->key : c->name);
		sb_printf(s, ",\"%s\":", c->name);
		put_value(s, c, f);
	}
	sb_puts(s, "}\n");
}

static void put_prefix(struct rows *r, uint64_t first_ts, uint32_t root)
{
	const struct ct_ch_meta *m = r->meta;
	uint64_t started_ns = first_ts + m->realtime_offset_ns;
	char idtext[512], id[33];

	snprintf(idtext, sizeof(idtext), "%s|%s|%u|%llu", m->host ? m->host : "", m->boot_id ? m->boot_id : "",
		 root, (unsigned long long)first_ts);
	ct_ch_id(idtext, id);
	sb_printf(&r->prefix, "{\"cs_id\":\"%s\",\"started\":%llu,\"started_ns\":%llu,\"host\":", id,
		  (unsigned long long)(started_ns / 1000000000ull), (unsigned long long)started_ns);
	jw_escape(&r->prefix, m->host ? m->host : "", m->host ? strlen(m->host) : 0);
	sb_puts(&r->prefix, ",\"tool_version\":");
	jw_escape(&r->prefix, m->tool_version ? m->tool_version : "", m->tool_version ? strlen(m->tool_version) : 0);
	sb_puts(&r->prefix, ",\"kernel\":");
	jw_escape(&r->prefix, m->kernel ? m->kernel : "", m->kernel ? strlen(m->kernel) : 0);
	sb_printf(&r->prefix, ",\"sandbox\":%u,\"labels.key\":[", m->sandbox);
	for (size_t i = 0; i < m->nlabels; i++) {
		const char *eq = strchr(m->labels[i], '=');
		size_t kl = eq ? (size_t)(eq - m->labels[i]) : strlen(m->labels[i]);

		sb_puts(&r->prefix, i ? "," : "");
		jw_escape(&r->prefix, m->labels[i], kl);
	}
	sb_puts(&r->prefix, "],\"labels.value\":[");
	for (size_t i = 0; i < m->nlabels; i++) {
		const char *eq = strchr(m->labels[i], '=');

		sb_puts(&r->prefix, i ? "," : "");
		jw_escape(&r->prefix, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0);
	}
	sb_puts(&r->prefix, "],");
}

int ct_ch_rows(const char *jsonl, size_t len, const struct ct_ch_meta *meta, struct strbuf *out, char *err,
	       size_t errlen)
{
	struct rows r = {.meta = meta};
	struct jr_obj o;
	struct ct_report *rep = ct_report_new();
	size_t pos = 0, lineno = 0;
	int ret = -1;
	char rerr[256];

	jr_init(&o);
	sb_init(&r.prefix);
	for (size_t t = 0; t < NTABLES; t++)
		sb_init(&r.sec[t]);
	if (!rep) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	put_prefix(&r, meta->first_ts, meta->sandbox);
	while (pos < len) {
		const char *line = jsonl + pos, *eol = memchr(line, '\n', len - pos);
		size_t n = eol ? (size_t)(eol - line) : len - pos;
		const char *type;
		size_t tl;
		struct jr_error je = {0};

		pos += n + 1;
		lineno++;
		if (!n)
			continue;
		if (jr_parse(&o, line, n, &je) || jr_get_str(&o, "type", &type, &tl)) {
			snprintf(err, errlen, "jsonl line %zu: %s", lineno, je.msg ? je.msg : "no type");
			goto out;
		}
		if (!strcmp(type, "exec")) {
			const char *path, *base;
			size_t pl;
			uint64_t pid = 0;
			struct pidprog *np = realloc(r.progs, (r.nprogs + 1) * sizeof(*np));

			if (!np)
				goto oom;
			r.progs = np;
			jr_get_u64(&o, "pid", &pid);
			if (jr_get_str(&o, "path", &path, &pl))
				path = "";
			base = strrchr(path, '/');
			r.progs[r.nprogs].pid = pid;
			r.progs[r.nprogs].prog = strdup(base ? base + 1 : path);
			if (!r.progs[r.nprogs++].prog)
				goto oom;
		}
		for (size_t t = 0; t < NTABLES; t++)
			if (tables[t].rec && !strcmp(tables[t].rec, type))
				record_row(&r, t, &o);
		/* the coldstarts row's sources: the first record of each type
		 * (one sandbox: one of each) */
		const char *src = cs_source(type);

		if (src && !cs_have(&r, src) && r.ncs < sizeof(r.cs) / sizeof(r.cs[0])) {
			jr_init(&r.cs[r.ncs]);
			if (jr_parse(&r.cs[r.ncs], line, n, NULL))
				goto oom;
			r.cs_types[r.ncs++] = src;
		}
	}
	/* the report's samples of this one run */
	if (ct_report_add_buffer(rep, "sandbox", jsonl, len, rerr, sizeof(rerr))) {
		snprintf(err, errlen, "%s", rerr);
		goto out;
	}
	ct_report_each_sample(rep, sample_row, &r);
	coldstarts_row(&r, T_COLDSTARTS_I);
	for (size_t t = 0; t < NTABLES; t++) {
		if (!r.sec[t].len)
			continue;
		sb_printf(out, "%s %zu\n", tables[t].name, r.sec[t].len);
		sb_putn(out, r.sec[t].buf, r.sec[t].len);
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	ct_report_free(rep);
	jr_free(&o);
	for (size_t k = 0; k < r.ncs; k++)
		jr_free(&r.cs[k]);
	for (size_t i = 0; i < r.nprogs; i++)
		free(r.progs[i].prog);
	free(r.progs);
	sb_free(&r.prefix);
	for (size_t t = 0; t < NTABLES; t++)
		sb_free(&r.sec[t]);
	return ret;
}

int ct_ch_next_section(const char *batch, size_t len, size_t *pos, const char **table, size_t *tlen,
		       const char **rows, size_t *nrows)
{
	const char *p = batch + *pos, *end = batch + len, *sp, *nl;
	unsigned long long n = 0;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	sp = memchr(p, ' ', nl ? (size_t)(nl - p) : 0);
	if (!nl || !sp || sp == p || sp + 1 == nl)
		return -1;
	for (const char *d = sp + 1; d < nl; d++) {
		if (*d < '0' || *d > '9' || n > (1ull << 40))
			return -1;
		n = n * 10 + (unsigned)(*d - '0');
	}
	if (n > (size_t)(end - nl - 1))
		return -1;
	*table = p;
	*tlen = (size_t)(sp - p);
	*rows = nl + 1;
	*nrows = (size_t)n;
	*pos = (size_t)(nl + 1 - batch) + (size_t)n;
	return 1;
}
