// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report: aggregation of saved jsonl runs (see report.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "jsonread.h"
#include "jsonw.h"
#include "model.h"
#include "report.h"

#define NFIG 3
static const char *const fig_text[NFIG] = {
	"exec -> Go runtime start",
	"exec -> last package init",
	"exec -> main.main",
};
static const char *const fig_json[NFIG] = {"exec_to_runtime", "exec_to_last_init", "exec_to_main"};

/* An extension's figures (report.h CT_REPORT_EXT_*): the "extension"
 * record's key, the words, the report's JSON key. */
static const struct {
	const char *key, *text, *json;
} xfig[CT_REPORT_EXT_NFIG] = {
	[CT_REPORT_EXT_TO_REGISTER] = {"to_register_ns", "exec -> registered", "to_register"},
	[CT_REPORT_EXT_TO_READY] = {"to_ready_ns", "exec -> ready (event/next)", "to_ready"},
	[CT_REPORT_EXT_GO_INIT] = {"go_init_ns", "Go runtime start -> main.main", "go_init"},
};

/* The breakdown's figures (report.h enum ct_report_fig): jsonl key, words
 * with the unit shown, unit. */
enum { U_NS, U_COUNT, U_BYTES };
static const struct {
	const char *key, *text;
	int unit;
} rfig[CT_RF_COUNT] = {
	[CT_RF_CPU] = {"cpu_ns", "on CPU ms", U_NS},
	[CT_RF_RUNNING] = {"wall_running_ns", "running ms (wall)", U_NS},
	[CT_RF_RUNNABLE] = {"wall_runnable_ns", "runnable ms", U_NS},
	[CT_RF_IOWAIT] = {"wall_iowait_ns", "I/O wait ms", U_NS},
	[CT_RF_DISK] = {"wall_disk_ns", "uninterruptible ms", U_NS},
	[CT_RF_SLEEP] = {"wall_sleep_ns", "sleeping ms", U_NS},
	[CT_RF_STOPPED] = {"wall_stopped_ns", "stopped ms", U_NS},
	[CT_RF_MINFLT] = {"min_flt", "minor faults", U_COUNT},
	[CT_RF_MAJFLT] = {"maj_flt", "major faults", U_COUNT},
	[CT_RF_NVCSW] = {"nvcsw", "voluntary switches", U_COUNT},
	[CT_RF_NIVCSW] = {"nivcsw", "involuntary switches", U_COUNT},
	[CT_RF_FILES] = {"files_opened", "files opened", U_COUNT},
	[CT_RF_READ] = {"read_bytes", "MB read", U_BYTES},
	[CT_RF_MISS] = {"miss_bytes", "MB into page cache", U_BYTES},
};
/* The figures a go_init record may have. */
static const int pkg_figs[] = {CT_RF_CPU, CT_RF_MINFLT, CT_RF_MAJFLT, CT_RF_NVCSW, CT_RF_NIVCSW};
#define NPKG_FIGS (sizeof(pkg_figs) / sizeof(pkg_figs[0]))

const char *ct_report_fig_key(int fig)
{
	return fig >= 0 && fig < CT_RF_COUNT ? rfig[fig].key : NULL;
}

/* Terminal tables: name column widths (at least / at most), in characters */
#define NAME_W_MIN 28     /* phases and programs */
#define PROG_W_MIN 8      /* packages table: program */
#define PROG_W_MAX 24
#define PKG_W_MIN 8       /* packages table: package */
#define PKG_W_MAX 56
#define CMP_NAME_W_MIN 30 /* --compare */
#define CMP_NAME_W_MAX 80

/* ---- small containers ---- */

static int grow(void **p, size_t *cap, size_t n, size_t elsz)
{
	size_t nc;
	void *np;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if (nc > SIZE_MAX / elsz)
		return -1;
	np = realloc(*p, nc * elsz);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

#define GROW(arr, n, cap) grow((void **)&(arr), &(cap), (n), sizeof(*(arr)))

/* A series' samples, or (pre) its stats computed elsewhere and put
 * (ct_report_put_stats: then v is empty). */
struct u64vec {
	uint64_t *v;
	size_t n, cap;
	bool sorted, pre;
	struct ct_stats st;
};

static int vec_push(struct u64vec *v, uint64_t x)
{
	if (GROW(v->v, v->n, v->cap))
		return -1;
	v->v[v->n++] = x;
	v->sorted = false;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t ct_percentile(const uint64_t *sorted, size_t n, unsigned pct)
{
	size_t rank;

	if (!n)
		return 0;
	if (pct > 100)
		pct = 100;
	/* ceil(pct * n / 100), at least 1 */
	rank = (n / 100) * pct + ((n % 100) * pct + 99) / 100;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static void stats_of_sorted(const uint64_t *v, size_t n, struct ct_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	st->count = n;
	st->p50 = ct_percentile(v, n, 50);
	st->p90 = ct_percentile(v, n, 90);
	st->p99 = ct_percentile(v, n, 99);
	st->max = v[n - 1];
}

void ct_stats_of(uint64_t *v, size_t n, struct ct_stats *st)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	stats_of_sorted(v, n, st);
}

/* The samples are sorted once, when first asked for. */
static void vec_stats(struct u64vec *v, struct ct_stats *st)
{
	if (v->pre) {
		*st = v->st;
		return;
	}
	if (!v->sorted && v->n) {
		qsort(v->v, v->n, sizeof(*v->v), cmp_u64);
		v->sorted = true;
	}
	stats_of_sorted(v->v, v->n, st);
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* Its count of samples, put or not. */
static size_t vec_count(const struct u64vec *v)
{
	return v->pre ? v->st.count : v->n;
}

/* ---- the aggregate and the run being read ---- */

struct agg_phase {
	char *name;
	struct u64vec dur;
	/* the durations without --minus-held and the held_ns of those that had
	 * one, in the order of the runs (never sorted): ct_report_each_sample */
	struct u64vec raw, held;
	size_t incomplete;
	struct u64vec bd[CT_RF_COUNT]; /* the breakdown's figures */
};

struct agg_prog {
	char *name;
	size_t starts;
	struct u64vec fig[NFIG];
};

struct agg_ext {
	char *name;
	size_t starts, failed, gated_init, gated_register;
	struct u64vec fig[CT_REPORT_EXT_NFIG];
};

/* named_of() writes a new entry's name at its start */
_Static_assert(offsetof(struct agg_phase, name) == 0 && offsetof(struct agg_prog, name) == 0 &&
		       offsetof(struct agg_ext, name) == 0,
	       "name is the first member");

struct agg_pkg {
	size_t prog;
	char *name;
	struct u64vec clock;
	struct u64vec bd[CT_RF_COUNT]; /* pkg_figs only */
};

/* A CPython module of a program (the basename of its exec path): the
 * cumulative and self times of its loads (the py_import records that
 * ended). */
struct agg_mod {
	char *prog, *name;
	struct u64vec cum, self;
};

struct run_rec {
	char *name;
	bool complete;
	char reason[96];
};

struct st_image {
	uint64_t pid;
	char *prog;
	bool have_exec, go;
	uint64_t exec;
	uint64_t base; /* exec + held */
	uint64_t rt, last_end, main;
};

/* A record's breakdown figures: v[f] where have bit f is set. */
struct st_figs {
	uint64_t v[CT_RF_COUNT];
	uint32_t have;
};

struct st_pkg {
	size_t image;
	char *name;
	uint64_t clock;
	struct st_figs f;
};

struct st_mod {
	size_t image;
	char *name;
	uint64_t cum, self;
};

struct st_bd {
	char *phase;
	struct st_figs f;
};

struct st_phase {
	char *name;
	bool done, have_held;
	uint64_t dur, raw, held; /* raw: dur without --minus-held */
};

/* An "extension" record: v[f] where have bit f is set. */
struct st_ext {
	char *name;
	uint64_t pid, exec;
	uint64_t v[CT_REPORT_EXT_NFIG];
	uint32_t have;
	bool failed, gated_init, gated_register;
};

struct cur_run {
	bool active, header, summary, complete;
	char *name;
	size_t lineno;
	uint64_t lost;
	struct st_image *imgs;
	size_t nimgs, cap_imgs;
	struct ct_hmap pid_img; /* pid -> its latest image */
	struct st_pkg *pkgs;
	size_t npkgs, cap_pkgs;
	struct st_phase *phases;
	size_t nphases, cap_phases;
	struct st_bd *bds;
	size_t nbds, cap_bds;
	struct st_ext *exts;
	size_t nexts, cap_exts;
	struct st_mod *mods;
	size_t nmods, cap_mods;
};

struct ct_report {
	bool minus_held;
	bool put; /* made by ct_report_put_*: stats, no samples */
	struct agg_phase *phases;
	size_t nphases, cap_phases;
	struct agg_prog *progs;
	size_t nprogs, cap_progs;
	struct agg_pkg *pkgs;
	size_t npkgs, cap_pkgs;
	struct agg_ext *exts;
	size_t nexts, cap_exts;
	struct agg_mod *mods;
	size_t nmods, cap_mods;
	struct ct_hmap phase_map, prog_map, pkg_map, ext_map, mod_map; /* name (and program) -> index */
	struct run_rec *runs;
	size_t nrecs, cap_runs; /* runs[]: the runs read (none in a put report) */
	size_t nruns, nincomplete;
	struct cur_run cur;
	struct jr_obj jo;
};

/* ---- the maps' keys ---- */

static bool pid_img_eq(const void *ctx, uintptr_t v, const void *key)
{
	return ((const struct cur_run *)ctx)->imgs[v].pid == *(const uint64_t *)key;
}

static bool phase_eq(const void *ctx, uintptr_t v, const void *key)
{
	return !strcmp(((const struct ct_report *)ctx)->phases[v].name, key);
}

static bool prog_eq(const void *ctx, uintptr_t v, const void *key)
{
	return !strcmp(((const struct ct_report *)ctx)->progs[v].name, key);
}

static bool ext_eq(const void *ctx, uintptr_t v, const void *key)
{
	return !strcmp(((const struct ct_report *)ctx)->exts[v].name, key);
}

struct pkg_key {
	size_t prog;
	const char *name;
};

static bool pkg_eq(const void *ctx, uintptr_t v, const void *key)
{
	const struct agg_pkg *p = &((const struct ct_report *)ctx)->pkgs[v];
	const struct pkg_key *k = key;

	return p->prog == k->prog && !strcmp(p->name, k->name);
}

static uint64_t pkg_hash(const struct pkg_key *k)
{
	return ct_hash_str(k->name) ^ ct_hash_u64(k->prog);
}

struct mod_key {
	const char *prog, *name;
};

static bool mod_eq(const void *ctx, uintptr_t v, const void *key)
{
	const struct agg_mod *p = &((const struct ct_report *)ctx)->mods[v];
	const struct mod_key *k = key;

	return !strcmp(p->prog, k->prog) && !strcmp(p->name, k->name);
}

static uint64_t mod_hash(const struct mod_key *k)
{
	return ct_hash_str(k->name) ^ (ct_hash_str(k->prog) * 31);
}

struct ct_report *ct_report_new(void)
{
	struct ct_report *r = calloc(1, sizeof(*r));

	if (r)
		jr_init(&r->jo);
	return r;
}

static void cur_clear(struct cur_run *c)
{
	for (size_t i = 0; i < c->nimgs; i++)
		free(c->imgs[i].prog);
	for (size_t i = 0; i < c->npkgs; i++)
		free(c->pkgs[i].name);
	for (size_t i = 0; i < c->nphases; i++)
		free(c->phases[i].name);
	for (size_t i = 0; i < c->nbds; i++)
		free(c->bds[i].phase);
	for (size_t i = 0; i < c->nexts; i++)
		free(c->exts[i].name);
	for (size_t i = 0; i < c->nmods; i++)
		free(c->mods[i].name);
	free(c->mods);
	free(c->exts);
	free(c->bds);
	free(c->imgs);
	free(c->pkgs);
	free(c->phases);
	free(c->name);
	ct_hmap_free(&c->pid_img);
	memset(c, 0, sizeof(*c));
}

void ct_report_free(struct ct_report *r)
{
	if (!r)
		return;
	cur_clear(&r->cur);
	for (size_t i = 0; i < r->nphases; i++) {
		free(r->phases[i].name);
		free(r->phases[i].dur.v);
		free(r->phases[i].raw.v);
		free(r->phases[i].held.v);
		for (int f = 0; f < CT_RF_COUNT; f++)
			free(r->phases[i].bd[f].v);
	}
	for (size_t i = 0; i < r->nprogs; i++) {
		free(r->progs[i].name);
		for (int f = 0; f < NFIG; f++)
			free(r->progs[i].fig[f].v);
	}
	for (size_t i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].name);
		free(r->pkgs[i].clock.v);
		for (int f = 0; f < CT_RF_COUNT; f++)
			free(r->pkgs[i].bd[f].v);
	}
	for (size_t i = 0; i < r->nexts; i++) {
		free(r->exts[i].name);
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++)
			free(r->exts[i].fig[f].v);
	}
	for (size_t i = 0; i < r->nmods; i++) {
		free(r->mods[i].prog);
		free(r->mods[i].name);
		free(r->mods[i].cum.v);
		free(r->mods[i].self.v);
	}
	for (size_t i = 0; i < r->nrecs; i++)
		free(r->runs[i].name);
	free(r->mods);
	free(r->exts);
	free(r->phases);
	free(r->progs);
	free(r->pkgs);
	free(r->runs);
	ct_hmap_free(&r->phase_map);
	ct_hmap_free(&r->prog_map);
	ct_hmap_free(&r->pkg_map);
	ct_hmap_free(&r->ext_map);
	ct_hmap_free(&r->mod_map);
	jr_free(&r->jo);
	free(r);
}

void ct_report_set_minus_held(struct ct_report *r, bool on)
{
	r->minus_held = on;
}

bool ct_report_minus_held(const struct ct_report *r)
{
	return r->minus_held;
}

size_t ct_report_nruns(const struct ct_report *r)
{
	return r->nruns;
}

size_t ct_report_nincomplete(const struct ct_report *r)
{
	return r->nincomplete;
}

/* ---- reading ---- */

/* A string for a one-line message: control bytes as '?', cut ("...") to fit
 * size. */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n + 4 < size; i++)
		buf[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i] && n + 4 <= size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

static int errf(struct ct_report *r, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(struct ct_report *r, char *err, size_t errlen, const char *fmt, ...)
{
	char name[400], msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && errlen) {
		clean(r->cur.name ? r->cur.name : "?", name, sizeof(name));
		if (r->cur.lineno)
			snprintf(err, errlen, "%s:%zu: %s", name, r->cur.lineno, msg);
		else
			snprintf(err, errlen, "%s: %s", name, msg);
	}
	return -1;
}

void ct_report_abort_run(struct ct_report *r)
{
	cur_clear(&r->cur);
}

void ct_report_begin_run(struct ct_report *r, const char *name)
{
	cur_clear(&r->cur);
	r->cur.active = true;
	r->cur.name = dupn(name ? name : "-", strlen(name ? name : "-"));
}

/* The image a Go record of pid belongs to: its latest exec, or a new one
 * without an exec (program "(unknown)"). -1 on OOM. */
static long image_of(struct cur_run *c, uint64_t pid)
{
	uintptr_t idx;
	struct st_image *im;

	if (ct_hmap_get(&c->pid_img, ct_hash_u64(pid), &pid, pid_img_eq, c, &idx))
		return (long)idx;
	if (GROW(c->imgs, c->nimgs, c->cap_imgs))
		return -1;
	im = &c->imgs[c->nimgs];
	memset(im, 0, sizeof(*im));
	im->pid = pid;
	im->prog = dupn("(unknown)", 9);
	if (!im->prog || ct_hmap_put(&c->pid_img, ct_hash_u64(pid), &pid, pid_img_eq, c, c->nimgs)) {
		free(im->prog);
		return -1;
	}
	return (long)c->nimgs++;
}

static int need_u64(struct ct_report *r, const char *type, const char *field, uint64_t *v,
		    char *err, size_t errlen)
{
	if (jr_get_u64(&r->jo, field, v))
		return errf(r, err, errlen, "%s record: \"%s\" missing or not a non-negative integer",
			    type, field);
	return 0;
}

#define OOM() errf(r, err, errlen, "out of memory")

static int rec_exec(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	uint64_t pid, ts, held = 0;
	const char *path, *base;
	size_t len;
	struct st_image *im;

	if (need_u64(r, "exec", "pid", &pid, err, errlen) || need_u64(r, "exec", "ts_ns", &ts, err, errlen))
		return -1;
	if (jr_get(&r->jo, "held_ns") && need_u64(r, "exec", "held_ns", &held, err, errlen))
		return -1;
	if (jr_get_str(&r->jo, "path", &path, &len) || !path[0]) {
		if (jr_get_str(&r->jo, "comm", &path, &len) || !path[0])
			path = "(unknown)";
	}
	base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;
	if (GROW(c->imgs, c->nimgs, c->cap_imgs))
		return OOM();
	im = &c->imgs[c->nimgs];
	memset(im, 0, sizeof(*im));
	im->pid = pid;
	im->have_exec = true;
	im->exec = ts;
	im->base = ts + held < ts ? UINT64_MAX : ts + held;
	im->prog = dupn(base, strlen(base));
	if (!im->prog)
		return OOM();
	if (ct_hmap_put(&c->pid_img, ct_hash_u64(pid), &pid, pid_img_eq, c, c->nimgs)) {
		free(im->prog);
		return OOM();
	}
	c->nimgs++;
	return 0;
}

/* Figure fig of the record into f, if the record has it. */
static int get_fig(struct ct_report *r, const char *type, int fig, struct st_figs *f, char *err, size_t errlen)
{
	if (!jr_get(&r->jo, rfig[fig].key))
		return 0;
	if (need_u64(r, type, rfig[fig].key, &f->v[fig], err, errlen))
		return -1;
	f->have |= 1u << fig;
	return 0;
}

static int rec_go(struct ct_report *r, const char *type, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	uint64_t pid, ts = 0, end = 0, clock;
	const char *pkg = NULL;
	size_t len;
	struct st_image *im;
	long idx;
	bool init = !strcmp(type, "go_init");

	if (need_u64(r, type, "pid", &pid, err, errlen))
		return -1;
	if (init) {
		if (jr_get_str(&r->jo, "pkg", &pkg, &len))
			return errf(r, err, errlen, "go_init record: \"pkg\" missing or not a string");
		if (jr_get(&r->jo, "end_ns") && need_u64(r, type, "end_ns", &end, err, errlen))
			return -1;
	} else if (need_u64(r, type, "ts_ns", &ts, err, errlen)) {
		return -1;
	}
	idx = image_of(c, pid);
	if (idx < 0)
		return OOM();
	im = &c->imgs[idx];
	im->go = true;
	if (!init) {
		if (!strcmp(type, "go_runtime"))
			im->rt = ts;
		else
			im->main = ts;
		return 0;
	}
	if (end > im->last_end)
		im->last_end = end;
	if (!jr_get(&r->jo, "clock_ns"))
		return 0;
	if (need_u64(r, type, "clock_ns", &clock, err, errlen))
		return -1;
	if (GROW(c->pkgs, c->npkgs, c->cap_pkgs))
		return OOM();
	memset(&c->pkgs[c->npkgs].f, 0, sizeof(c->pkgs[c->npkgs].f));
	for (size_t i = 0; i < NPKG_FIGS; i++)
		if (get_fig(r, type, pkg_figs[i], &c->pkgs[c->npkgs].f, err, errlen))
			return -1;
	c->pkgs[c->npkgs].image = (size_t)idx;
	c->pkgs[c->npkgs].clock = clock;
	c->pkgs[c->npkgs].name = dupn(pkg, strlen(pkg));
	if (!c->pkgs[c->npkgs].name)
		return OOM();
	c->npkgs++;
	return 0;
}

/* An optional field that, when present, is a non-negative integer. */
static int opt_u64(struct ct_report *r, const char *type, const char *field, uint64_t *v, char *err,
		   size_t errlen)
{
	if (jr_get(&r->jo, field) && need_u64(r, type, field, v, err, errlen))
		return -1;
	return 0;
}

/* {"type":"py_import"}: one module load of a CPython image (jsonl.c). A
 * load that ended (its "cum_ns") is a sample of its module. */
static int rec_py(struct ct_report *r, char *err, size_t errlen)
{
	static const char *const opt[] = {"tid", "parent", "start_ns", "end_ns", "end_seq"};
	struct cur_run *c = &r->cur;
	uint64_t pid, seq, level, cum = 0, self = 0, v;
	const char *mod;
	size_t len;
	struct st_mod *sm;
	long idx;

	if (need_u64(r, "py_import", "pid", &pid, err, errlen))
		return -1;
	if (jr_get_str(&r->jo, "module", &mod, &len))
		return errf(r, err, errlen, "py_import record: \"module\" missing or not a string");
	if (!mod[0] || strlen(mod) != len)
		return errf(r, err, errlen, "py_import record: \"module\" empty or with a NUL");
	if (need_u64(r, "py_import", "seq", &seq, err, errlen) ||
	    need_u64(r, "py_import", "level", &level, err, errlen))
		return -1;
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (opt_u64(r, "py_import", opt[i], &v, err, errlen))
			return -1;
	if (!jr_get(&r->jo, "cum_ns"))
		return 0; /* it never ended: no sample */
	if (need_u64(r, "py_import", "cum_ns", &cum, err, errlen) ||
	    need_u64(r, "py_import", "self_ns", &self, err, errlen))
		return -1;
	if (self > cum)
		return errf(r, err, errlen, "py_import record: \"self_ns\" larger than \"cum_ns\"");
	idx = image_of(c, pid);
	if (idx < 0)
		return OOM();
	if (GROW(c->mods, c->nmods, c->cap_mods))
		return OOM();
	sm = &c->mods[c->nmods];
	sm->image = (size_t)idx;
	sm->cum = cum;
	sm->self = self;
	sm->name = dupn(mod, len);
	if (!sm->name)
		return OOM();
	c->nmods++;
	return 0;
}

static int rec_phase(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	const char *name;
	size_t len;
	uint64_t start, end, dur = 0, raw, held = 0;
	bool done = false, flag, have_held;
	struct st_phase *ph;

	if (jr_get_str(&r->jo, "name", &name, &len))
		return errf(r, err, errlen, "phase record: \"name\" missing or not a string");
	/* a phase that cannot happen in this run (its end does not apply: no
	 * extension, a runtime that is not Go): neither a sample nor unfinished */
	if (!jr_get_bool(&r->jo, "applies", &flag) && !flag)
		return 0;
	/* an explicit marker of an unfinished phase wins over any numbers */
	if ((!jr_get_bool(&r->jo, "incomplete", &flag) && flag) ||
	    (!jr_get_bool(&r->jo, "complete", &flag) && !flag)) {
		done = false;
	} else if (!jr_get_u64(&r->jo, "dur_ns", &dur)) {
		done = true;
	} else if (!jr_get_u64(&r->jo, "start_ns", &start) && !jr_get_u64(&r->jo, "end_ns", &end) &&
		   end >= start) {
		dur = end - start;
		done = true;
	}
	raw = dur;
	have_held = done && !jr_get_u64(&r->jo, "held_ns", &held);
	if (have_held && r->minus_held)
		dur = held < dur ? dur - held : 0;
	if (GROW(c->phases, c->nphases, c->cap_phases))
		return OOM();
	ph = &c->phases[c->nphases];
	ph->done = done;
	ph->dur = done ? dur : 0;
	ph->raw = done ? raw : 0;
	ph->have_held = have_held;
	ph->held = have_held ? held : 0;
	ph->name = dupn(name, strlen(name));
	if (!ph->name)
		return OOM();
	c->nphases++;
	return 0;
}

/* {"type":"breakdown"}: the figures of one phase of one sandbox. */
static int rec_breakdown(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	const char *phase;
	size_t len;
	struct st_bd *b;

	if (jr_get_str(&r->jo, "phase", &phase, &len))
		return errf(r, err, errlen, "breakdown record: \"phase\" missing or not a string");
	if (GROW(c->bds, c->nbds, c->cap_bds))
		return OOM();
	b = &c->bds[c->nbds];
	memset(b, 0, sizeof(*b));
	for (int f = 0; f < CT_RF_COUNT; f++)
		if (get_fig(r, "breakdown", f, &b->f, err, errlen))
			return -1;
	b->phase = dupn(phase, strlen(phase));
	if (!b->phase)
		return OOM();
	c->nbds++;
	return 0;
}

/* An optional true/false field: absent is false, another type an error. */
static int opt_bool(struct ct_report *r, const char *type, const char *field, bool *v, char *err, size_t errlen)
{
	*v = false;
	if (jr_get(&r->jo, field) && jr_get_bool(&r->jo, field, v))
		return errf(r, err, errlen, "%s record: \"%s\" is not true or false", type, field);
	return 0;
}

/* {"type":"extension"}: one Lambda extension of one sandbox. */
static int rec_extension(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	const char *name;
	size_t len;
	struct st_ext *e;

	if (jr_get_str(&r->jo, "name", &name, &len) || !name[0])
		return errf(r, err, errlen, "extension record: \"name\" missing or not a non-empty string");
	if (GROW(c->exts, c->nexts, c->cap_exts))
		return OOM();
	e = &c->exts[c->nexts];
	memset(e, 0, sizeof(*e));
	if (jr_get(&r->jo, "pid") && need_u64(r, "extension", "pid", &e->pid, err, errlen))
		return -1;
	if (jr_get(&r->jo, "exec_ns") && need_u64(r, "extension", "exec_ns", &e->exec, err, errlen))
		return -1;
	for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
		if (!jr_get(&r->jo, xfig[f].key))
			continue;
		if (need_u64(r, "extension", xfig[f].key, &e->v[f], err, errlen))
			return -1;
		e->have |= 1u << f;
	}
	if (opt_bool(r, "extension", "failed", &e->failed, err, errlen) ||
	    opt_bool(r, "extension", "gated_init", &e->gated_init, err, errlen) ||
	    opt_bool(r, "extension", "gated_register", &e->gated_register, err, errlen))
		return -1;
	e->name = dupn(name, strlen(name));
	if (!e->name)
		return OOM();
	c->nexts++;
	return 0;
}

static int rec_summary(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	uint64_t lost = 0;
	bool complete;

	if (jr_get(&r->jo, "lost_total") && need_u64(r, "summary", "lost_total", &lost, err, errlen))
		return -1;
	if (jr_get(&r->jo, "complete") && jr_get_bool(&r->jo, "complete", &complete))
		return errf(r, err, errlen, "summary record: \"complete\" is not true or false");
	if (!jr_get(&r->jo, "complete"))
		complete = lost == 0;
	c->summary = true;
	c->complete = complete;
	c->lost = lost;
	return 0;
}

int ct_report_line(struct ct_report *r, const char *line, size_t len, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	struct jr_error je;
	const char *type, *schema;
	size_t tlen, i;
	char tb[64];

	if (!c->active)
		return errf(r, err, errlen, "no run begun");
	c->lineno++;
	if (len > CT_REPORT_MAX_LINE)
		return errf(r, err, errlen, "line longer than 1 MiB (%u bytes)", CT_REPORT_MAX_LINE);
	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
			break;
	if (i == len)
		return 0; /* a blank line */
	if (jr_parse(&r->jo, line, len, &je)) {
		if (!c->header)
			return errf(r, err, errlen, "not a coldtrace jsonl file (not JSON: %s at byte %zu)",
				    je.msg, je.pos + 1);
		return errf(r, err, errlen, "invalid JSON: %s at byte %zu", je.msg, je.pos + 1);
	}
	if (jr_get_str(&r->jo, "type", &type, &tlen)) {
		if (!c->header)
			return errf(r, err, errlen, "not a coldtrace jsonl file (no \"type\" in the first record)");
		return errf(r, err, errlen, "record without a \"type\" string");
	}
	if (!c->header) {
		if (strcmp(type, "header"))
			return errf(r, err, errlen, "not a coldtrace jsonl file (first record is \"%s\", not a header)",
				    clean(type, tb, sizeof(tb)));
		if (jr_get_str(&r->jo, "schema", &schema, &tlen))
			return errf(r, err, errlen, "header without a \"schema\" string (expected \"" CT_JSONL_SCHEMA "\")");
		/* the length too: a NUL inside the string must not pass */
		if (tlen != strlen(CT_JSONL_SCHEMA) || memcmp(schema, CT_JSONL_SCHEMA, tlen))
			return errf(r, err, errlen, "schema \"%s\" is not supported (expected \"" CT_JSONL_SCHEMA "\")",
				    clean(schema, tb, sizeof(tb)));
		c->header = true;
		return 0;
	}
	if (!strcmp(type, "header"))
		return errf(r, err, errlen, "a second header (runs concatenated? give each run as its own file)");
	if (!strcmp(type, "exec"))
		return rec_exec(r, err, errlen);
	if (!strcmp(type, "go_runtime") || !strcmp(type, "go_init") || !strcmp(type, "go_main"))
		return rec_go(r, type, err, errlen);
	if (!strcmp(type, "phase"))
		return rec_phase(r, err, errlen);
	if (!strcmp(type, "summary"))
		return rec_summary(r, err, errlen);
	if (!strcmp(type, "breakdown"))
		return rec_breakdown(r, err, errlen);
	if (!strcmp(type, "extension"))
		return rec_extension(r, err, errlen);
	if (!strcmp(type, "py_import"))
		return rec_py(r, err, errlen);
	return 0; /* a type this version does not aggregate */
}

/*
 * The index of the entry called name in a table of *n entries of size sz
 * (phases, progs, exts: each starts with its char *name), looked up in map
 * (eq: that table's name_eq); a new one is added, zeroed but for its name.
 * -1: out of memory.
 */
static long named_of(struct ct_report *r, struct ct_hmap *map, ct_hmap_eq_fn *eq, void **arr,
		     size_t *n, size_t *cap, size_t sz, const char *name)
{
	uint64_t h = ct_hash_str(name);
	uintptr_t idx;
	char *e, *copy;

	if (ct_hmap_get(map, h, name, eq, r, &idx))
		return (long)idx;
	if (grow(arr, cap, *n, sz))
		return -1;
	e = (char *)*arr + *n * sz;
	memset(e, 0, sz);
	copy = dupn(name, strlen(name));
	memcpy(e, &copy, sizeof(copy)); /* its name, the first member */
	if (!copy || ct_hmap_put(map, h, name, eq, r, *n)) {
		free(copy);
		return -1;
	}
	return (long)(*n)++;
}

/* named_of() in r's table ARR (its count nARR, its capacity cap_ARR, its
 * map MAP_map, its name_eq EQ). */
#define NAMED_OF(r, arr, map, eq, name)                                                            \
	named_of((r), &(r)->map##_map, (eq), (void **)&(r)->arr, &(r)->n##arr, &(r)->cap_##arr,    \
		 sizeof(*(r)->arr), (name))

static long agg_prog_of(struct ct_report *r, const char *name)
{
	return NAMED_OF(r, progs, prog, prog_eq, name);
}

static struct agg_pkg *agg_pkg_of(struct ct_report *r, size_t prog, const char *name)
{
	struct pkg_key k = {prog, name};
	uint64_t h = pkg_hash(&k);
	uintptr_t idx;
	struct agg_pkg *p;

	if (ct_hmap_get(&r->pkg_map, h, &k, pkg_eq, r, &idx))
		return &r->pkgs[idx];
	if (GROW(r->pkgs, r->npkgs, r->cap_pkgs))
		return NULL;
	p = &r->pkgs[r->npkgs];
	memset(p, 0, sizeof(*p));
	p->prog = prog;
	p->name = dupn(name, strlen(name));
	if (!p->name || ct_hmap_put(&r->pkg_map, h, &k, pkg_eq, r, r->npkgs)) {
		free(p->name);
		return NULL;
	}
	r->npkgs++;
	return p;
}

static struct agg_mod *agg_mod_of(struct ct_report *r, const char *prog, const char *name)
{
	struct mod_key k = {prog, name};
	uint64_t h = mod_hash(&k);
	uintptr_t idx;
	struct agg_mod *p;

	if (ct_hmap_get(&r->mod_map, h, &k, mod_eq, r, &idx))
		return &r->mods[idx];
	if (GROW(r->mods, r->nmods, r->cap_mods))
		return NULL;
	p = &r->mods[r->nmods];
	memset(p, 0, sizeof(*p));
	p->prog = dupn(prog, strlen(prog));
	p->name = dupn(name, strlen(name));
	if (!p->prog || !p->name || ct_hmap_put(&r->mod_map, h, &k, mod_eq, r, r->nmods)) {
		free(p->prog);
		free(p->name);
		return NULL;
	}
	r->nmods++;
	return p;
}

static struct agg_ext *agg_ext_of(struct ct_report *r, const char *name)
{
	long i = NAMED_OF(r, exts, ext, ext_eq, name);

	return i < 0 ? NULL : &r->exts[i];
}

/* The time coldtrace held extension e's process after its exec (that exec's
 * "held_ns"), 0 if unknown. */
static uint64_t ext_held(struct cur_run *c, const struct st_ext *e)
{
	if (!e->pid || !e->exec)
		return 0;
	for (size_t i = 0; i < c->nimgs; i++) { /* the image of that exec */
		const struct st_image *im = &c->imgs[i];

		if (im->pid == e->pid && im->have_exec && im->exec == e->exec)
			return im->base > im->exec ? im->base - im->exec : 0;
	}
	return 0;
}

static int merge_exts(struct ct_report *r)
{
	struct cur_run *c = &r->cur;

	for (size_t i = 0; i < c->nexts; i++) {
		const struct st_ext *se = &c->exts[i];
		struct agg_ext *e = agg_ext_of(r, se->name);
		uint64_t held = ext_held(c, se);

		if (!e)
			return -1;
		e->starts++;
		e->failed += se->failed;
		e->gated_init += se->gated_init;
		e->gated_register += se->gated_register;
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
			uint64_t v = se->v[f];

			if (!(se->have & (1u << f)) || !v)
				continue;
			if (f != CT_REPORT_EXT_GO_INIT) /* from exec: without the hold */
				v = v > held ? v - held : 0;
			if (vec_push(&e->fig[f], v))
				return -1;
		}
	}
	return 0;
}

static struct agg_phase *agg_phase_of(struct ct_report *r, const char *name)
{
	long i = NAMED_OF(r, phases, phase, phase_eq, name);

	return i < 0 ? NULL : &r->phases[i];
}

static int push_figs(struct u64vec *bd, const struct st_figs *f)
{
	for (int k = 0; k < CT_RF_COUNT; k++)
		if ((f->have & (1u << k)) && vec_push(&bd[k], f->v[k]))
			return -1;
	return 0;
}

int ct_report_end_run(struct ct_report *r, char *err, size_t errlen)
{
	struct cur_run *c = &r->cur;
	struct run_rec *rr;
	long *prog_of = NULL;
	int ret = 0;

	if (!c->active)
		return errf(r, err, errlen, "no run begun");
	if (!c->header) {
		c->lineno = 0;
		errf(r, err, errlen, "empty: no coldtrace jsonl header");
		cur_clear(c);
		return -1;
	}
	if (!c->name || GROW(r->runs, r->nrecs, r->cap_runs))
		goto oom;
	rr = &r->runs[r->nrecs];
	memset(rr, 0, sizeof(*rr));
	rr->name = c->name;
	c->name = NULL;
	rr->complete = c->summary && c->complete;
	if (!c->summary)
		snprintf(rr->reason, sizeof(rr->reason), "no summary record (cut short?)");
	else if (!c->complete)
		snprintf(rr->reason, sizeof(rr->reason), "summary says incomplete, %llu events lost",
			 (unsigned long long)c->lost);
	r->nrecs++;
	r->nruns++;
	r->nincomplete += !rr->complete;

	prog_of = calloc(c->nimgs ? c->nimgs : 1, sizeof(*prog_of));
	if (!prog_of)
		goto oom;
	for (size_t i = 0; i < c->nimgs; i++) {
		struct st_image *im = &c->imgs[i];
		struct agg_prog *p;
		uint64_t t[NFIG] = {im->rt, im->last_end, im->main};

		prog_of[i] = -1;
		if (!im->go)
			continue;
		prog_of[i] = agg_prog_of(r, im->prog);
		if (prog_of[i] < 0)
			goto oom;
		p = &r->progs[prog_of[i]];
		p->starts++;
		for (int f = 0; f < NFIG && im->have_exec; f++)
			if (t[f] > im->base && vec_push(&p->fig[f], t[f] - im->base))
				goto oom;
	}
	for (size_t i = 0; i < c->npkgs; i++) {
		struct agg_pkg *p = agg_pkg_of(r, (size_t)prog_of[c->pkgs[i].image], c->pkgs[i].name);

		if (!p || vec_push(&p->clock, c->pkgs[i].clock) || push_figs(p->bd, &c->pkgs[i].f))
			goto oom;
	}
	for (size_t i = 0; i < c->nmods; i++) {
		struct agg_mod *p = agg_mod_of(r, c->imgs[c->mods[i].image].prog, c->mods[i].name);

		if (!p || vec_push(&p->cum, c->mods[i].cum) || vec_push(&p->self, c->mods[i].self))
			goto oom;
	}
	if (merge_exts(r))
		goto oom;
	for (size_t i = 0; i < c->nbds; i++) {
		struct agg_phase *p = agg_phase_of(r, c->bds[i].phase);

		if (!p || push_figs(p->bd, &c->bds[i].f))
			goto oom;
	}
	for (size_t i = 0; i < c->nphases; i++) {
		struct agg_phase *p = agg_phase_of(r, c->phases[i].name);

		if (!p)
			goto oom;
		if (!c->phases[i].done)
			p->incomplete++;
		else if (vec_push(&p->dur, c->phases[i].dur) || vec_push(&p->raw, c->phases[i].raw) ||
			 (c->phases[i].have_held && vec_push(&p->held, c->phases[i].held)))
			goto oom;
	}
out:
	free(prog_of);
	cur_clear(c);
	return ret;
oom:
	ret = errf(r, err, errlen, "out of memory");
	goto out;
}

int ct_report_add_buffer(struct ct_report *r, const char *name, const char *data, size_t len,
			 char *err, size_t errlen)
{
	size_t off = 0;

	ct_report_begin_run(r, name);
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : len - off;

		if (ct_report_line(r, data + off, n, err, errlen)) {
			ct_report_abort_run(r);
			return -1;
		}
		off += n + (nl != NULL);
	}
	return ct_report_end_run(r, err, errlen);
}

/* ---- queries ---- */

bool ct_report_phase_stats(struct ct_report *r, const char *name, struct ct_stats *st,
			   size_t *incomplete)
{
	uintptr_t idx;

	if (!ct_hmap_get(&r->phase_map, ct_hash_str(name), name, phase_eq, r, &idx))
		return false;
	vec_stats(&r->phases[idx].dur, st);
	if (incomplete)
		*incomplete = r->phases[idx].incomplete;
	return true;
}

bool ct_report_startup_stats(struct ct_report *r, const char *prog, int figure, struct ct_stats *st)
{
	uintptr_t idx;

	if (figure < 0 || figure >= NFIG || !ct_hmap_get(&r->prog_map, ct_hash_str(prog), prog, prog_eq, r, &idx))
		return false;
	vec_stats(&r->progs[idx].fig[figure], st);
	return true;
}

static struct agg_ext *find_ext(struct ct_report *r, const char *name)
{
	uintptr_t idx;

	if (!ct_hmap_get(&r->ext_map, ct_hash_str(name), name, ext_eq, r, &idx))
		return NULL;
	return &r->exts[idx];
}

bool ct_report_ext_stats(struct ct_report *r, const char *name, int figure, struct ct_stats *st)
{
	struct agg_ext *e = find_ext(r, name);

	if (!e || figure < 0 || figure >= CT_REPORT_EXT_NFIG)
		return false;
	vec_stats(&e->fig[figure], st);
	return true;
}

bool ct_report_ext_counts(struct ct_report *r, const char *name, struct ct_report_ext_counts *out)
{
	struct agg_ext *e = find_ext(r, name);

	if (!e)
		return false;
	out->starts = e->starts;
	out->failed = e->failed;
	out->gated_init = e->gated_init;
	out->gated_register = e->gated_register;
	return true;
}

static struct agg_pkg *find_pkg(struct ct_report *r, const char *prog, const char *pkg)
{
	struct pkg_key k = {0, pkg};
	uintptr_t pi, idx;

	if (!ct_hmap_get(&r->prog_map, ct_hash_str(prog), prog, prog_eq, r, &pi))
		return NULL;
	k.prog = pi;
	if (!ct_hmap_get(&r->pkg_map, pkg_hash(&k), &k, pkg_eq, r, &idx))
		return NULL;
	return &r->pkgs[idx];
}

bool ct_report_pkg_stats(struct ct_report *r, const char *prog, const char *pkg, struct ct_stats *st)
{
	struct agg_pkg *p = find_pkg(r, prog, pkg);

	if (!p)
		return false;
	vec_stats(&p->clock, st);
	return true;
}

static struct agg_mod *find_mod(struct ct_report *r, const char *prog, const char *mod)
{
	struct mod_key k = {prog, mod};
	uintptr_t idx;

	if (!ct_hmap_get(&r->mod_map, mod_hash(&k), &k, mod_eq, r, &idx))
		return NULL;
	return &r->mods[idx];
}

bool ct_report_py_stats(struct ct_report *r, const char *prog, const char *module, struct ct_stats *cum,
			struct ct_stats *self)
{
	struct agg_mod *p = find_mod(r, prog, module);

	if (!p)
		return false;
	if (cum)
		vec_stats(&p->cum, cum);
	if (self)
		vec_stats(&p->self, self);
	return true;
}

bool ct_report_phase_fig_stats(struct ct_report *r, const char *phase, int fig, struct ct_stats *st)
{
	uintptr_t idx;

	if (fig < 0 || fig >= CT_RF_COUNT || !ct_hmap_get(&r->phase_map, ct_hash_str(phase), phase, phase_eq, r, &idx))
		return false;
	vec_stats(&r->phases[idx].bd[fig], st);
	return st->count > 0;
}

bool ct_report_pkg_fig_stats(struct ct_report *r, const char *prog, const char *pkg, int fig,
			     struct ct_stats *st)
{
	struct agg_pkg *p = find_pkg(r, prog, pkg);

	if (!p || fig < 0 || fig >= CT_RF_COUNT)
		return false;
	vec_stats(&p->bd[fig], st);
	return st->count > 0;
}

/* ---- rendering ---- */

#define MS(ns) ((double)(ns) / 1e6)

/* Display width of a name as printed by put_name (code points; control
 * bytes become 4-character \xNN). */
static size_t name_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			w += 4;
		else if ((c & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/* A name on the terminal: control bytes escaped, padded to width. */
static void put_name(struct strbuf *out, const char *s, size_t width)
{
	size_t w = name_width(s);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			sb_printf(out, "\\x%02x", c);
		else
			sb_putc(out, (char)c);
	}
	for (; w < width; w++)
		sb_putc(out, ' ');
}

static void put_stats_cells(struct strbuf *out, const struct ct_stats *st)
{
	if (!st->count) {
		sb_printf(out, " %6d %9s %9s %9s %9s", 0, "-", "-", "-", "-");
		return;
	}
	sb_printf(out, " %6zu %9.3f %9.3f %9.3f %9.3f", st->count, MS(st->p50), MS(st->p90),
		  MS(st->p99), MS(st->max));
}

static void put_stats_header(struct strbuf *out, const char *title, size_t width)
{
	put_name(out, title, width);
	sb_printf(out, " %6s %9s %9s %9s %9s\n", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
}

static void put_stats_json(struct jsonw *w, const struct ct_stats *st)
{
	jw_obj_open(w);
	jw_kuint(w, "count", st->count);
	if (st->count) {
		jw_kuint(w, "p50_ns", st->p50);
		jw_kuint(w, "p90_ns", st->p90);
		jw_kuint(w, "p99_ns", st->p99);
		jw_kuint(w, "max_ns", st->max);
	}
	jw_obj_close(w);
}

struct pkg_rank {
	struct agg_pkg *p;
	const char *prog;
	struct ct_stats st;
};

static int cmp_pkg_rank(const void *a, const void *b)
{
	const struct pkg_rank *x = a, *y = b;
	int c;

	if (x->st.p50 != y->st.p50)
		return x->st.p50 < y->st.p50 ? 1 : -1;
	if (x->st.max != y->st.max)
		return x->st.max < y->st.max ? 1 : -1;
	c = strcmp(x->prog, y->prog);
	return c ? c : strcmp(x->p->name, y->p->name);
}

static struct pkg_rank *rank_pkgs(struct ct_report *r)
{
	struct pkg_rank *v = calloc(r->npkgs ? r->npkgs : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < r->npkgs; i++) {
		v[i].p = &r->pkgs[i];
		v[i].prog = r->progs[r->pkgs[i].prog].name;
		vec_stats(&r->pkgs[i].clock, &v[i].st);
	}
	qsort(v, r->npkgs, sizeof(*v), cmp_pkg_rank);
	return v;
}

struct mod_rank {
	struct agg_mod *p;
	struct ct_stats cum, self;
};

/* By p50 of the cumulative time, then its max, program, module. */
static int cmp_mod_rank(const void *a, const void *b)
{
	const struct mod_rank *x = a, *y = b;
	int c;

	if (x->cum.p50 != y->cum.p50)
		return x->cum.p50 < y->cum.p50 ? 1 : -1;
	if (x->cum.max != y->cum.max)
		return x->cum.max < y->cum.max ? 1 : -1;
	c = strcmp(x->p->prog, y->p->prog);
	return c ? c : strcmp(x->p->name, y->p->name);
}

static struct mod_rank *rank_mods(struct ct_report *r)
{
	struct mod_rank *v = calloc(r->nmods ? r->nmods : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < r->nmods; i++) {
		v[i].p = &r->mods[i];
		vec_stats(&r->mods[i].cum, &v[i].cum);
		vec_stats(&r->mods[i].self, &v[i].self);
	}
	qsort(v, r->nmods, sizeof(*v), cmp_mod_rank);
	return v;
}

/* ---- the breakdown's figures ---- */

/* A figure's value in its unit: ms, a count, MB. */
static void put_fig_val(struct strbuf *out, int unit, uint64_t v, int width)
{
	if (unit == U_NS)
		sb_printf(out, " %*.3f", width, MS(v));
	else if (unit == U_BYTES)
		sb_printf(out, " %*.3f", width, (double)v / 1048576.0);
	else
		sb_printf(out, " %*llu", width, (unsigned long long)v);
}

static void put_fig_cells(struct strbuf *out, const struct ct_stats *st, int unit)
{
	sb_printf(out, " %6zu", st->count);
	put_fig_val(out, unit, st->p50, 9);
	put_fig_val(out, unit, st->p90, 9);
	put_fig_val(out, unit, st->p99, 9);
	put_fig_val(out, unit, st->max, 9);
}

/* {"count":n,"p50":...,"max":...} in the figure's own unit (its key says it). */
static void put_fig_json(struct jsonw *w, const struct ct_stats *st)
{
	jw_obj_open(w);
	jw_kuint(w, "count", st->count);
	jw_kuint(w, "p50", st->p50);
	jw_kuint(w, "p90", st->p90);
	jw_kuint(w, "p99", st->p99);
	jw_kuint(w, "max", st->max);
	jw_obj_close(w);
}

/* "breakdown":{"cpu_ns":{stats},...}: the figures with samples (none: no key). */
static void put_figs_json(struct jsonw *w, struct u64vec *bd)
{
	struct ct_stats st;
	bool open = false;

	for (int f = 0; f < CT_RF_COUNT; f++) {
		vec_stats(&bd[f], &st);
		if (!st.count)
			continue;
		if (!open) {
			jw_key(w, "breakdown");
			jw_obj_open(w);
			open = true;
		}
		jw_key(w, rfig[f].key);
		put_fig_json(w, &st);
	}
	if (open)
		jw_obj_close(w);
}

static bool has_figs(const struct u64vec *bd)
{
	for (int f = 0; f < CT_RF_COUNT; f++)
		if (vec_count(&bd[f]))
			return true;
	return false;
}

/* The phases' breakdown: per phase, each figure that is not 0 in every run. */
static void render_phase_figs(struct ct_report *r, struct strbuf *out, size_t w)
{
	struct ct_stats st;
	bool any = false, zero = false;

	for (size_t i = 0; i < r->nphases && !any; i++)
		any = has_figs(r->phases[i].bd);
	if (!any)
		return;
	if (w < 26)
		w = 26;
	put_name(out, "phase breakdown", w);
	sb_printf(out, " %6s %9s %9s %9s %9s\n", "count", "p50", "p90", "p99", "max");
	for (size_t i = 0; i < r->nphases; i++) {
		if (!has_figs(r->phases[i].bd))
			continue;
		sb_puts(out, "  ");
		put_name(out, r->phases[i].name, 0);
		sb_putc(out, '\n');
		for (int f = 0; f < CT_RF_COUNT; f++) {
			vec_stats(&r->phases[i].bd[f], &st);
			if (!st.count)
				continue;
			if (!st.max) {
				zero = true;
				continue;
			}
			sb_puts(out, "    ");
			put_name(out, rfig[f].text, w - 4);
			put_fig_cells(out, &st, rfig[f].unit);
			sb_putc(out, '\n');
		}
	}
	sb_puts(out, "  (wall-clock states: at each instant the best state of any thread of the phase's\n"
		     "  processes; on CPU: their CPU time, which two threads on two CPUs count twice");
	sb_puts(out, zero ? ";\n  figures that are 0 in every run are left out)\n\n" : ")\n\n");
}

/* The listed packages' figures, p50 each ("-": no sample). */
static void render_pkg_figs(struct strbuf *out, const struct pkg_rank *pk, size_t top, size_t wprog, size_t wpkg)
{
	static const char *const head[NPKG_FIGS] = {"CPU ms", "min flt", "maj flt", "vol sw", "invol sw"};
	bool any = false;

	for (size_t i = 0; i < top && !any; i++)
		any = has_figs(pk[i].p->bd);
	if (!any)
		return;
	sb_printf(out, "package init breakdown, p50 (the same %zu packages)\n", top);
	sb_puts(out, "  ");
	put_name(out, "program", wprog);
	sb_puts(out, "  ");
	put_name(out, "package", wpkg);
	for (size_t f = 0; f < NPKG_FIGS; f++)
		sb_printf(out, " %9s", head[f]);
	sb_putc(out, '\n');
	for (size_t i = 0; i < top; i++) {
		sb_puts(out, "  ");
		put_name(out, pk[i].prog, wprog);
		sb_puts(out, "  ");
		put_name(out, pk[i].p->name, wpkg);
		for (size_t f = 0; f < NPKG_FIGS; f++) {
			struct ct_stats st;

			vec_stats(&pk[i].p->bd[pkg_figs[f]], &st);
			if (st.count)
				put_fig_val(out, rfig[pkg_figs[f]].unit, st.p50, 9);
			else
				sb_printf(out, " %9s", "-");
		}
		sb_putc(out, '\n');
	}
	sb_putc(out, '\n');
}

/* "py_imports_total", "py_imports":[{"program","module","cum":{stats},
 * "self":{stats}}] (the top ones by p50 of cum). */
static void render_mods_json(struct ct_report *r, struct jsonw *w, const struct ct_report_opts *o)
{
	struct mod_rank *md = rank_mods(r);
	size_t n = r->nmods;

	if (o && o->top > 0 && (size_t)o->top < n)
		n = (size_t)o->top;
	jw_kuint(w, "py_imports_total", r->nmods);
	jw_key(w, "py_imports");
	jw_arr_open(w);
	for (size_t i = 0; md && i < n; i++) {
		jw_obj_open(w);
		jw_kstr(w, "program", md[i].p->prog);
		jw_kstr(w, "module", md[i].p->name);
		jw_key(w, "cum");
		put_stats_json(w, &md[i].cum);
		jw_key(w, "self");
		put_stats_json(w, &md[i].self);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	free(md);
}

/* The slowest Python imports by p50 of their cumulative time: per module
 * two rows, cumulative and self. None: nothing (runs without Python). */
static void render_mods(struct ct_report *r, struct strbuf *out, size_t top)
{
	struct mod_rank *md;
	size_t wprog = PROG_W_MIN, wmod = PKG_W_MIN;

	if (!r->nmods)
		return;
	md = rank_mods(r);
	if (!md) {
		sb_puts(out, "(out of memory)\n");
		return;
	}
	if (top > r->nmods)
		top = r->nmods;
	for (size_t i = 0; i < top; i++) {
		if (name_width(md[i].p->prog) > wprog)
			wprog = name_width(md[i].p->prog);
		if (name_width(md[i].p->name) > wmod)
			wmod = name_width(md[i].p->name);
	}
	if (wprog > PROG_W_MAX)
		wprog = PROG_W_MAX;
	if (wmod > PKG_W_MAX)
		wmod = PKG_W_MAX;
	sb_printf(out, "slowest Python imports by p50 cumulative (%zu of %zu modules)\n", top, r->nmods);
	sb_puts(out, "  ");
	put_name(out, "program", wprog);
	sb_puts(out, "  ");
	put_name(out, "module", wmod);
	sb_printf(out, " %-4s %6s %9s %9s %9s %9s\n", "", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
	for (size_t i = 0; i < top; i++) {
		sb_puts(out, "  ");
		put_name(out, md[i].p->prog, wprog);
		sb_puts(out, "  ");
		put_name(out, md[i].p->name, wmod);
		sb_printf(out, " %-4s", "cum");
		put_stats_cells(out, &md[i].cum);
		sb_printf(out, "\n  %*s  %*s %-4s", (int)wprog, "", (int)wmod, "", "self");
		put_stats_cells(out, &md[i].self);
		sb_putc(out, '\n');
	}
	sb_puts(out, "  (a module's samples: its loads that ended, in the runs that loaded it)\n\n");
	free(md);
}

static void render_json(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o)
{
	struct pkg_rank *pk = rank_pkgs(r);
	size_t npk = r->npkgs;
	struct ct_stats st;
	struct jsonw w;

	if (o && o->top > 0 && (size_t)o->top < npk)
		npk = (size_t)o->top;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "type", "report");
	jw_kuint(&w, "runs", r->nruns);
	jw_key(&w, "incomplete_runs");
	jw_arr_open(&w);
	for (size_t i = 0; i < r->nrecs; i++) {
		if (r->runs[i].complete)
			continue;
		jw_obj_open(&w);
		jw_kstr(&w, "file", r->runs[i].name);
		jw_kstr(&w, "reason", r->runs[i].reason);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_kstr(&w, "percentiles", "nearest-rank");
	jw_kbool(&w, "phases_minus_held", r->minus_held);
	jw_key(&w, "phases");
	jw_arr_open(&w);
	for (size_t i = 0; i < r->nphases; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "name", r->phases[i].name);
		jw_kuint(&w, "incomplete", r->phases[i].incomplete);
		jw_key(&w, "stats");
		vec_stats(&r->phases[i].dur, &st);
		put_stats_json(&w, &st);
		put_figs_json(&w, r->phases[i].bd);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "programs");
	jw_arr_open(&w);
	for (size_t i = 0; i < r->nprogs; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "name", r->progs[i].name);
		jw_kuint(&w, "starts", r->progs[i].starts);
		for (int f = 0; f < NFIG; f++) {
			jw_key(&w, fig_json[f]);
			vec_stats(&r->progs[i].fig[f], &st);
			put_stats_json(&w, &st);
		}
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "extensions");
	jw_arr_open(&w);
	for (size_t i = 0; i < r->nexts; i++) {
		const struct agg_ext *e = &r->exts[i];

		jw_obj_open(&w);
		jw_kstr(&w, "name", e->name);
		jw_kuint(&w, "starts", e->starts);
		jw_kuint(&w, "failed", e->failed);
		jw_kuint(&w, "gated_init", e->gated_init);
		jw_kuint(&w, "gated_register", e->gated_register);
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
			jw_key(&w, xfig[f].json);
			vec_stats(&r->exts[i].fig[f], &st);
			put_stats_json(&w, &st);
		}
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	render_mods_json(r, &w, o);
	jw_kuint(&w, "packages_total", r->npkgs);
	jw_key(&w, "packages");
	jw_arr_open(&w);
	for (size_t i = 0; pk && i < npk; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "program", pk[i].prog);
		jw_kstr(&w, "pkg", pk[i].p->name);
		jw_key(&w, "stats");
		put_stats_json(&w, &pk[i].st);
		put_figs_json(&w, pk[i].p->bd);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	free(pk);
}

/* Per extension name: its starts, how many failed or gated INIT (the
 * runtime's start), and its figures; none: nothing (runs without any). */
static void render_exts(struct ct_report *r, struct strbuf *out, size_t w)
{
	struct ct_stats st;

	if (!r->nexts)
		return;
	put_stats_header(out, "Lambda extensions", w);
	for (size_t i = 0; i < r->nexts; i++) {
		const struct agg_ext *e = &r->exts[i];

		put_name(out, e->name, 0);
		sb_printf(out, "  (%zu start%s", e->starts, e->starts == 1 ? "" : "s");
		if (e->failed)
			sb_printf(out, ", failed in %zu", e->failed);
		sb_printf(out, ", gated INIT in %zu", e->gated_init);
		if (e->gated_register)
			sb_printf(out, ", the runtime's start in %zu", e->gated_register);
		sb_puts(out, ")\n");
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
			vec_stats(&r->exts[i].fig[f], &st);
			if (!st.count && f == CT_REPORT_EXT_GO_INIT)
				continue; /* not a Go program */
			sb_puts(out, "  ");
			put_name(out, xfig[f].text, w - 2);
			put_stats_cells(out, &st);
			sb_putc(out, '\n');
		}
	}
	sb_putc(out, '\n');
}

static void footnote(struct ct_report *r, struct strbuf *out)
{
	sb_puts(out, "percentiles are nearest-rank (the ceil(p/100*n)-th smallest of n samples); times from exec\n"
		     "leave out the time coldtrace held a process after exec to attach its probes; phase\n");
	sb_puts(out, r->minus_held ? "durations leave it out too (--minus-held)\n"
				   : "durations include it (their held_ns; --minus-held leaves it out)\n");
}

void ct_report_render(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o)
{
	struct pkg_rank *pk;
	size_t top = o && o->top > 0 ? (size_t)o->top : CT_REPORT_TOP_DEFAULT;
	size_t w = NAME_W_MIN, wprog = PROG_W_MIN, wpkg = PKG_W_MIN;
	struct ct_stats st;

	if (o && o->json) {
		render_json(r, out, o);
		return;
	}
	sb_printf(out, "coldtrace report: %zu run%s", r->nruns, r->nruns == 1 ? "" : "s");
	if (r->nincomplete)
		sb_printf(out, ", %zu incomplete (flagged; their samples are included)\n", r->nincomplete);
	else
		sb_puts(out, ", all complete\n");
	for (size_t i = 0; i < r->nrecs; i++) {
		if (r->runs[i].complete)
			continue;
		sb_puts(out, "  incomplete: ");
		put_name(out, r->runs[i].name, 0);
		sb_printf(out, ": %s\n", r->runs[i].reason);
	}
	sb_putc(out, '\n');

	for (size_t i = 0; i < r->nphases; i++)
		if (name_width(r->phases[i].name) + 2 > w)
			w = name_width(r->phases[i].name) + 2;
	for (size_t i = 0; i < r->nprogs; i++)
		if (name_width(r->progs[i].name) > w)
			w = name_width(r->progs[i].name);
	for (size_t i = 0; i < r->nexts; i++)
		if (name_width(r->exts[i].name) > w)
			w = name_width(r->exts[i].name);
	if (r->nexts && w < 31)
		w = 31; /* "  Go runtime start -> main.main": every table aligned */
	if (!r->nphases) {
		sb_puts(out, "phases: none in these runs (no \"phase\" records)\n\n");
	} else {
		put_stats_header(out, "phases", w);
		for (size_t i = 0; i < r->nphases; i++) {
			sb_puts(out, "  ");
			put_name(out, r->phases[i].name, w - 2);
			vec_stats(&r->phases[i].dur, &st);
			put_stats_cells(out, &st);
			if (r->phases[i].incomplete)
				sb_printf(out, "   (+%zu without an end, not counted)", r->phases[i].incomplete);
			sb_putc(out, '\n');
		}
		sb_putc(out, '\n');
	}
	render_phase_figs(r, out, w);

	if (!r->nprogs) {
		sb_puts(out, "Go programs: none in these runs\n\n");
	} else {
		put_stats_header(out, "Go program startup", w);
		for (size_t i = 0; i < r->nprogs; i++) {
			put_name(out, r->progs[i].name, 0);
			sb_printf(out, "  (%zu start%s)\n", r->progs[i].starts, r->progs[i].starts == 1 ? "" : "s");
			for (int f = 0; f < NFIG; f++) {
				sb_puts(out, "  ");
				put_name(out, fig_text[f], w - 2);
				vec_stats(&r->progs[i].fig[f], &st);
				put_stats_cells(out, &st);
				sb_putc(out, '\n');
			}
		}
		sb_putc(out, '\n');
	}
	render_exts(r, out, w);

	pk = rank_pkgs(r);
	if (!pk) {
		sb_puts(out, "(out of memory)\n");
		return;
	}
	if (top > r->npkgs)
		top = r->npkgs;
	for (size_t i = 0; i < top; i++) {
		if (name_width(pk[i].prog) > wprog)
			wprog = name_width(pk[i].prog);
		if (name_width(pk[i].p->name) > wpkg)
			wpkg = name_width(pk[i].p->name);
	}
	if (wprog > PROG_W_MAX)
		wprog = PROG_W_MAX;
	if (wpkg > PKG_W_MAX)
		wpkg = PKG_W_MAX;
	if (r->npkgs) {
		char title[96];

		snprintf(title, sizeof(title), "slowest package inits by p50 (%zu of %zu)", top, r->npkgs);
		sb_printf(out, "%s\n", title);
		sb_puts(out, "  ");
		put_name(out, "program", wprog);
		sb_puts(out, "  ");
		put_name(out, "package", wpkg);
		sb_printf(out, " %6s %9s %9s %9s %9s\n", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
		for (size_t i = 0; i < top; i++) {
			sb_puts(out, "  ");
			put_name(out, pk[i].prog, wprog);
			sb_puts(out, "  ");
			put_name(out, pk[i].p->name, wpkg);
			put_stats_cells(out, &pk[i].st);
			sb_putc(out, '\n');
		}
		sb_putc(out, '\n');
		render_pkg_figs(out, pk, top, wprog, wpkg);
	} else {
		sb_puts(out, "package inits: none with a clock in these runs\n\n");
	}
	free(pk);
	render_mods(r, out, o && o->top > 0 ? (size_t)o->top : CT_REPORT_TOP_DEFAULT);
	footnote(r, out);
}

/* ---- compare ---- */

/* report.h's series kinds */
enum {
	ROW_PHASE = CT_RK_PHASE,
	ROW_STARTUP = CT_RK_STARTUP,
	ROW_EXT = CT_RK_EXT,
	ROW_PKG = CT_RK_PKG,
	ROW_PY = CT_RK_PY,
	NROWKINDS = CT_RK_COUNT
};

/* ROW_PY's figures (cmp_row.fig): the label's last word, the JSON's "figure". */
static const char *const py_fig[2] = {"cum", "self"};

struct cmp_row {
	int kind, fig;
	const char *prog, *name;
	size_t na, nb;
	uint64_t a, b; /* p50s */
};

static int cmp_rows(const void *x, const void *y)
{
	const struct cmp_row *a = x, *b = y;
	bool both_a = a->na && a->nb, both_b = b->na && b->nb;
	int c;

	if (both_a != both_b)
		return both_a ? -1 : 1;
	if (both_a) {
		uint64_t da = a->a > a->b ? a->a - a->b : a->b - a->a;
		uint64_t db = b->a > b->b ? b->a - b->b : b->b - b->a;

		if (da != db)
			return da < db ? 1 : -1;
	}
	c = strcmp(a->prog ? a->prog : "", b->prog ? b->prog : "");
	if (c)
		return c;
	c = strcmp(a->name, b->name);
	return c ? c : a->fig - b->fig;
}

struct rows {
	struct cmp_row *v;
	size_t n, cap;
	bool oom;
};

static void add_row(struct rows *rs, const struct cmp_row *row)
{
	if (rs->oom || GROW(rs->v, rs->n, rs->cap)) {
		rs->oom = true;
		return;
	}
	rs->v[rs->n++] = *row;
}

/* Phases of a, then those only in b. */
static void phase_rows(struct ct_report *a, struct ct_report *b, struct rows *rs)
{
	struct ct_stats sa, sb;

	for (size_t i = 0; i < a->nphases; i++) {
		struct cmp_row row = {.kind = ROW_PHASE, .name = a->phases[i].name};

		vec_stats(&a->phases[i].dur, &sa);
		memset(&sb, 0, sizeof(sb));
		ct_report_phase_stats(b, row.name, &sb, NULL);
		row.na = sa.count, row.a = sa.p50, row.nb = sb.count, row.b = sb.p50;
		if (row.na || row.nb)
			add_row(rs, &row);
	}
	for (size_t i = 0; i < b->nphases; i++) {
		struct cmp_row row = {.kind = ROW_PHASE, .name = b->phases[i].name};

		if (ct_report_phase_stats(a, row.name, &sa, NULL))
			continue;
		vec_stats(&b->phases[i].dur, &sb);
		row.nb = sb.count, row.b = sb.p50;
		if (row.nb)
			add_row(rs, &row);
	}
}

static void startup_rows(struct ct_report *a, struct ct_report *b, struct rows *rs)
{
	struct ct_stats sa, sb;

	for (size_t i = 0; i < a->nprogs; i++) {
		for (int f = 0; f < NFIG; f++) {
			struct cmp_row row = {.kind = ROW_STARTUP, .fig = f, .prog = a->progs[i].name,
					      .name = fig_text[f]};

			vec_stats(&a->progs[i].fig[f], &sa);
			memset(&sb, 0, sizeof(sb));
			ct_report_startup_stats(b, row.prog, f, &sb);
			row.na = sa.count, row.a = sa.p50, row.nb = sb.count, row.b = sb.p50;
			if (row.na || row.nb)
				add_row(rs, &row);
		}
	}
	for (size_t i = 0; i < b->nprogs; i++) {
		if (ct_hmap_get(&a->prog_map, ct_hash_str(b->progs[i].name), b->progs[i].name, prog_eq, a, NULL))
			continue;
		for (int f = 0; f < NFIG; f++) {
			struct cmp_row row = {.kind = ROW_STARTUP, .fig = f, .prog = b->progs[i].name,
					      .name = fig_text[f]};

			vec_stats(&b->progs[i].fig[f], &sb);
			row.nb = sb.count, row.b = sb.p50;
			if (row.nb)
				add_row(rs, &row);
		}
	}
}

/* The extension names of a, then those only in b, from the k-th on: the
 * first, *k its place; NULL past the last. for (k = 0; (name =
 * next_ext_name(a, b, &k)); k++) sees each name of either once. */
static const char *next_ext_name(struct ct_report *a, struct ct_report *b, size_t *k)
{
	for (; *k < a->nexts + b->nexts; (*k)++) {
		const char *name;

		if (*k < a->nexts)
			return a->exts[*k].name;
		name = b->exts[*k - a->nexts].name;
		if (!find_ext(a, name))
			return name;
	}
	return NULL;
}

/* Per extension name of a, then those only in b: each figure either side
 * has (a non-Go extension has no Go init). */
static void ext_rows(struct ct_report *a, struct ct_report *b, struct rows *rs)
{
	struct ct_stats sa, sb;
	const char *name;

	for (size_t k = 0; (name = next_ext_name(a, b, &k)); k++) {
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
			struct cmp_row row = {.kind = ROW_EXT, .fig = f, .prog = name, .name = xfig[f].text};

			if (!ct_report_ext_stats(a, name, f, &sa))
				memset(&sa, 0, sizeof(sa));
			if (!ct_report_ext_stats(b, name, f, &sb))
				memset(&sb, 0, sizeof(sb));
			row.na = sa.count, row.a = sa.p50, row.nb = sb.count, row.b = sb.p50;
			if (row.na || row.nb)
				add_row(rs, &row);
		}
	}
}

static void pkg_rows(struct ct_report *a, struct ct_report *b, struct rows *rs)
{
	struct ct_stats sa, sb;

	for (size_t i = 0; i < a->npkgs; i++) {
		struct cmp_row row = {.kind = ROW_PKG, .prog = a->progs[a->pkgs[i].prog].name,
				      .name = a->pkgs[i].name};

		vec_stats(&a->pkgs[i].clock, &sa);
		memset(&sb, 0, sizeof(sb));
		ct_report_pkg_stats(b, row.prog, row.name, &sb);
		row.na = sa.count, row.a = sa.p50, row.nb = sb.count, row.b = sb.p50;
		add_row(rs, &row);
	}
	for (size_t i = 0; i < b->npkgs; i++) {
		struct cmp_row row = {.kind = ROW_PKG, .prog = b->progs[b->pkgs[i].prog].name,
				      .name = b->pkgs[i].name};

		if (find_pkg(a, row.prog, row.name))
			continue;
		vec_stats(&b->pkgs[i].clock, &sb);
		row.nb = sb.count, row.b = sb.p50;
		add_row(rs, &row);
	}
}

/* Per module of a, then those only in b: its cumulative and self times. */
static void py_rows(struct ct_report *a, struct ct_report *b, struct rows *rs)
{
	struct ct_stats sa[2], sb[2];

	for (int side = 0; side < 2; side++) {
		struct ct_report *r = side ? b : a;

		for (size_t i = 0; i < r->nmods; i++) {
			struct agg_mod *m = &r->mods[i];

			if (side && find_mod(a, m->prog, m->name))
				continue;
			memset(sa, 0, sizeof(sa));
			memset(sb, 0, sizeof(sb));
			ct_report_py_stats(a, m->prog, m->name, &sa[0], &sa[1]);
			ct_report_py_stats(b, m->prog, m->name, &sb[0], &sb[1]);
			for (int f = 0; f < 2; f++) {
				struct cmp_row row = {.kind = ROW_PY, .fig = f, .prog = m->prog, .name = m->name};

				row.na = sa[f].count, row.a = sa[f].p50, row.nb = sb[f].count, row.b = sb[f].p50;
				if (row.na || row.nb)
					add_row(rs, &row);
			}
		}
	}
}

/* ms with about 3 significant digits: 123, 12.3, 1.23, 0.123 */
static void fmt_ms(char *buf, size_t size, uint64_t ns)
{
	double ms = MS(ns);

	snprintf(buf, size, ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : ms >= 1 ? "%.2f" : "%.3f", ms);
}

static void row_label(struct strbuf *out, const struct cmp_row *row)
{
	if (row->prog) {
		put_name(out, row->prog, 0);
		sb_putc(out, ' ');
	}
	put_name(out, row->name, 0);
	if (row->kind == ROW_PY)
		sb_printf(out, " %s", py_fig[row->fig]);
}

/* row_label's width, with the table's indent of 2. */
static size_t row_width(const struct cmp_row *row)
{
	return 2 + name_width(row->name) + (row->prog ? name_width(row->prog) + 1 : 0) +
	       (row->kind == ROW_PY ? 1 + strlen(py_fig[row->fig]) : 0);
}

static double row_pct(const struct cmp_row *row)
{
	return ((double)row->b - (double)row->a) * 100.0 / (double)row->a;
}

/* The headline: the "total" phase if both sides have it, else the row with
 * the largest difference among phases, else startup figures, else packages. */
static const struct cmp_row *headline(struct rows *sets[NROWKINDS])
{
	for (int k = 0; k < NROWKINDS; k++) {
		const struct cmp_row *best = NULL;

		for (size_t i = 0; i < sets[k]->n; i++) {
			const struct cmp_row *row = &sets[k]->v[i];

			if (!row->na || !row->nb)
				continue;
			if (k == ROW_PHASE && !strcmp(row->name, "total"))
				return row;
			if (!best)
				best = row; /* sorted: the first is the largest */
		}
		if (best)
			return best;
	}
	return NULL;
}

static void summary_line(struct strbuf *out, const struct cmp_row *row)
{
	char a[32], b[32];

	if (!row) {
		sb_puts(out, "nothing measured in both A and B");
		return;
	}
	fmt_ms(a, sizeof(a), row->a);
	fmt_ms(b, sizeof(b), row->b);
	row_label(out, row);
	sb_printf(out, " p50 %s -> %s ms", a, b);
	if (row->a) {
		double pct = row_pct(row);

		if (pct > -0.5 && pct < 0.5)
			sb_puts(out, " (0%)");
		else
			sb_printf(out, " (%+.0f%%)", pct);
	} else {
		sb_puts(out, " (n/a %)");
	}
}

static void put_cmp_cells(struct strbuf *out, const struct cmp_row *row)
{
	if (row->na)
		sb_printf(out, " %10.3f", MS(row->a));
	else
		sb_printf(out, " %10s", "-");
	if (row->nb)
		sb_printf(out, " %10.3f", MS(row->b));
	else
		sb_printf(out, " %10s", "-");
	if (row->na && row->nb) {
		sb_printf(out, " %+10.3f", (MS(row->b) - MS(row->a)));
		if (row->a)
			sb_printf(out, " %+7.1f%%", row_pct(row));
		else
			sb_printf(out, " %8s", "n/a");
	} else {
		sb_printf(out, " %10s %8s", "-", row->na ? "only A" : "only B");
	}
	sb_printf(out, "  %zu/%zu\n", row->na, row->nb);
}

/* A compared figure's counts, p50s and difference: "a_count", "b_count",
 * "a_p50<unit>", "b_p50<unit>", "diff<unit>" (null where a side has no
 * run), "diff_pct". */
static void put_cmp_values_json(struct jsonw *w, const char *unit, size_t na, size_t nb, uint64_t a,
				uint64_t b)
{
	char k[32];

	jw_kuint(w, "a_count", na);
	jw_kuint(w, "b_count", nb);
	snprintf(k, sizeof(k), "a_p50%s", unit);
	jw_key(w, k);
	if (na)
		jw_uint(w, a);
	else
		jw_null(w);
	snprintf(k, sizeof(k), "b_p50%s", unit);
	jw_key(w, k);
	if (nb)
		jw_uint(w, b);
	else
		jw_null(w);
	snprintf(k, sizeof(k), "diff%s", unit);
	jw_key(w, k);
	if (na && nb)
		jw_int(w, b >= a ? (long long)(b - a) : -(long long)(a - b));
	else
		jw_null(w);
	jw_key(w, "diff_pct");
	if (na && nb && a)
		jw_fixed(w, ((double)b - (double)a) * 100.0 / (double)a, 1);
	else
		jw_null(w);
}

static void put_cmp_json(struct jsonw *w, const struct cmp_row *row)
{
	jw_obj_open(w);
	if (row->prog)
		jw_kstr(w, row->kind == ROW_EXT ? "extension" : "program", row->prog);
	if (row->kind == ROW_PY) {
		jw_kstr(w, "module", row->name);
		jw_kstr(w, "figure", py_fig[row->fig]);
		put_cmp_values_json(w, "_ns", row->na, row->nb, row->a, row->b);
		jw_obj_close(w);
		return;
	}
	jw_kstr(w, row->kind == ROW_PKG ? "pkg" : "name",
		row->kind == ROW_STARTUP ? fig_json[row->fig] : row->kind == ROW_EXT ? xfig[row->fig].json : row->name);
	put_cmp_values_json(w, "_ns", row->na, row->nb, row->a, row->b);
	jw_obj_close(w);
}

/* ---- compare: the breakdown's figures ---- */

struct fig_row {
	const char *prog, *name; /* prog NULL: a phase */
	int fig;
	size_t na, nb;
	uint64_t a, b; /* p50s */
};

struct fig_rows {
	struct fig_row *v;
	size_t n, cap;
	bool oom;
};

static void add_fig_rows(struct fig_rows *rs, const char *prog, const char *name, struct u64vec *va,
			 struct u64vec *vb, const int *figs, size_t nfigs)
{
	for (size_t i = 0; i < nfigs; i++) {
		struct fig_row row = {.prog = prog, .name = name, .fig = figs[i]};
		struct ct_stats sa = {0}, sb = {0};

		if (va)
			vec_stats(&va[figs[i]], &sa);
		if (vb)
			vec_stats(&vb[figs[i]], &sb);
		row.na = sa.count, row.a = sa.p50, row.nb = sb.count, row.b = sb.p50;
		if (!row.na && !row.nb)
			continue;
		if (!row.a && !row.b)
			continue; /* 0 on both sides */
		if (rs->oom || GROW(rs->v, rs->n, rs->cap)) {
			rs->oom = true;
			return;
		}
		rs->v[rs->n++] = row;
	}
}

static const int all_figs[CT_RF_COUNT] = {
	CT_RF_CPU,    CT_RF_RUNNING, CT_RF_RUNNABLE, CT_RF_IOWAIT, CT_RF_DISK,  CT_RF_SLEEP, CT_RF_STOPPED,
	CT_RF_MINFLT, CT_RF_MAJFLT,  CT_RF_NVCSW,    CT_RF_NIVCSW, CT_RF_FILES, CT_RF_READ,  CT_RF_MISS,
};

/* Per phase of a, then those only in b: each figure, in the table's order. */
static void phase_fig_rows(struct ct_report *a, struct ct_report *b, struct fig_rows *rs)
{
	uintptr_t idx;

	for (size_t i = 0; i < a->nphases; i++) {
		const char *name = a->phases[i].name;
		struct u64vec *vb = NULL;

		if (ct_hmap_get(&b->phase_map, ct_hash_str(name), name, phase_eq, b, &idx))
			vb = b->phases[idx].bd;
		add_fig_rows(rs, NULL, name, a->phases[i].bd, vb, all_figs, CT_RF_COUNT);
	}
	for (size_t i = 0; i < b->nphases; i++) {
		const char *name = b->phases[i].name;

		if (!ct_hmap_get(&a->phase_map, ct_hash_str(name), name, phase_eq, a, &idx))
			add_fig_rows(rs, NULL, name, NULL, b->phases[i].bd, all_figs, CT_RF_COUNT);
	}
}

struct pkg_pair {
	const char *prog, *name;
	struct agg_pkg *a, *b;
	uint64_t diff; /* |CPU p50 of b - of a|, 0 unless both */
	bool both;
};

static int cmp_pairs(const void *x, const void *y)
{
	const struct pkg_pair *a = x, *b = y;
	int c;

	if (a->both != b->both)
		return a->both ? -1 : 1;
	if (a->diff != b->diff)
		return a->diff < b->diff ? 1 : -1;
	c = strcmp(a->prog, b->prog);
	return c ? c : strcmp(a->name, b->name);
}

static uint64_t cpu_p50(struct agg_pkg *p, bool *have)
{
	struct ct_stats st;

	vec_stats(&p->bd[CT_RF_CPU], &st);
	*have = st.count > 0;
	return st.p50;
}

/* The packages with figures on either side, by the difference of their
 * CPU time (both sides first); their figures for the top ones. */
static void pkg_fig_rows(struct ct_report *a, struct ct_report *b, size_t top, struct fig_rows *rs,
			 size_t *npkgs)
{
	struct pkg_pair *v = calloc(a->npkgs + b->npkgs + 1, sizeof(*v));
	size_t n = 0;

	*npkgs = 0;
	if (!v) {
		rs->oom = true;
		return;
	}
	for (size_t i = 0; i < a->npkgs; i++) {
		struct agg_pkg *pa = &a->pkgs[i];
		const char *prog = a->progs[pa->prog].name;
		struct agg_pkg *pb = find_pkg(b, prog, pa->name);
		bool ha, hb;
		uint64_t ca, cb;

		if (!has_figs(pa->bd) && !(pb && has_figs(pb->bd)))
			continue;
		ca = cpu_p50(pa, &ha);
		cb = pb ? cpu_p50(pb, &hb) : (hb = false, 0);
		v[n++] = (struct pkg_pair){prog, pa->name, pa, pb, ha && hb ? (ca > cb ? ca - cb : cb - ca) : 0,
					   ha && hb};
	}
	for (size_t i = 0; i < b->npkgs; i++) {
		struct agg_pkg *pb = &b->pkgs[i];
		const char *prog = b->progs[pb->prog].name;

		if (!has_figs(pb->bd) || find_pkg(a, prog, pb->name))
			continue;
		v[n++] = (struct pkg_pair){prog, pb->name, NULL, pb, 0, false};
	}
	qsort(v, n, sizeof(*v), cmp_pairs);
	*npkgs = n;
	for (size_t i = 0; i < n && i < top; i++)
		add_fig_rows(rs, v[i].prog, v[i].name, v[i].a ? v[i].a->bd : NULL, v[i].b ? v[i].b->bd : NULL,
			     pkg_figs, NPKG_FIGS);
	free(v);
}

static void fig_row_label(struct strbuf *out, const struct fig_row *row)
{
	if (row->prog) {
		put_name(out, row->prog, 0);
		sb_putc(out, ' ');
	}
	put_name(out, row->name, 0);
	sb_putc(out, ' ');
	put_name(out, rfig[row->fig].text, 0);
}

static size_t fig_row_width(const struct fig_row *row)
{
	return 2 + name_width(row->name) + 1 + name_width(rfig[row->fig].text) +
	       (row->prog ? name_width(row->prog) + 1 : 0);
}

static void put_fig_diff(struct strbuf *out, const struct fig_row *row)
{
	int unit = rfig[row->fig].unit;
	double d;

	if (!row->na || !row->nb) {
		sb_printf(out, " %10s %8s", "-", row->na ? "only A" : "only B");
		return;
	}
	if (unit == U_COUNT)
		sb_printf(out, " %+10lld", row->b >= row->a ? (long long)(row->b - row->a) : -(long long)(row->a - row->b));
	else {
		d = ((double)row->b - (double)row->a) / (unit == U_NS ? 1e6 : 1048576.0);
		sb_printf(out, " %+10.3f", d);
	}
	if (row->a)
		sb_printf(out, " %+7.1f%%", ((double)row->b - (double)row->a) * 100.0 / (double)row->a);
	else
		sb_printf(out, " %8s", "n/a");
}

static void render_fig_rows(struct strbuf *out, const char *title, const struct fig_rows *rs)
{
	size_t w = CMP_NAME_W_MIN;

	for (size_t i = 0; i < rs->n; i++)
		if (fig_row_width(&rs->v[i]) > w)
			w = fig_row_width(&rs->v[i]);
	if (w > CMP_NAME_W_MAX)
		w = CMP_NAME_W_MAX;
	if (name_width(title) > w)
		w = name_width(title);
	put_name(out, title, w);
	sb_printf(out, " %10s %10s %10s %8s  %s\n", "A p50", "B p50", "diff", "diff", "n A/B");
	for (size_t i = 0; i < rs->n; i++) {
		const struct fig_row *row = &rs->v[i];
		int unit = rfig[row->fig].unit;

		sb_puts(out, "  ");
		fig_row_label(out, row);
		for (size_t rw = fig_row_width(row); rw < w; rw++)
			sb_putc(out, ' ');
		if (row->na)
			put_fig_val(out, unit, row->a, 10);
		else
			sb_printf(out, " %10s", "-");
		if (row->nb)
			put_fig_val(out, unit, row->b, 10);
		else
			sb_printf(out, " %10s", "-");
		put_fig_diff(out, row);
		sb_printf(out, "  %zu/%zu\n", row->na, row->nb);
	}
	sb_putc(out, '\n');
}

static void put_fig_row_json(struct jsonw *w, const struct fig_row *row)
{
	jw_obj_open(w);
	if (row->prog) {
		jw_kstr(w, "program", row->prog);
		jw_kstr(w, "pkg", row->name);
	} else {
		jw_kstr(w, "name", row->name);
	}
	jw_kstr(w, "figure", rfig[row->fig].key);
	put_cmp_values_json(w, "", row->na, row->nb, row->a, row->b);
	jw_obj_close(w);
}

static void render_compare_json(struct ct_report *a, struct ct_report *b, struct rows *sets[NROWKINDS],
				const struct fig_rows *phf, const struct fig_rows *pkf, struct strbuf *out,
				const struct ct_report_opts *o)
{
	static const char *const jnames[NROWKINDS] = {"phases", "startup", "extensions", "packages", "py_imports"};
	const char *name;
	struct strbuf line;
	struct jsonw w;

	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "type", "compare");
	jw_key(&w, "a");
	jw_obj_open(&w);
	jw_kuint(&w, "runs", a->nruns);
	jw_kuint(&w, "incomplete", a->nincomplete);
	jw_obj_close(&w);
	jw_key(&w, "b");
	jw_obj_open(&w);
	jw_kuint(&w, "runs", b->nruns);
	jw_kuint(&w, "incomplete", b->nincomplete);
	jw_obj_close(&w);
	sb_init(&line);
	summary_line(&line, headline(sets));
	jw_key(&w, "summary");
	jw_strn(&w, line.buf ? line.buf : "", line.len);
	sb_free(&line);
	jw_kstr(&w, "percentiles", "nearest-rank");
	for (int k = 0; k < NROWKINDS; k++) {
		size_t n = sets[k]->n;

		if (k == ROW_PKG || k == ROW_PY) {
			jw_kuint(&w, k == ROW_PKG ? "packages_total" : "py_imports_total", n);
			if (o && o->top > 0 && (size_t)o->top < n)
				n = (size_t)o->top;
		}
		jw_key(&w, jnames[k]);
		jw_arr_open(&w);
		for (size_t i = 0; i < n; i++)
			put_cmp_json(&w, &sets[k]->v[i]);
		jw_arr_close(&w);
	}
	jw_key(&w, "extension_counts");
	jw_arr_open(&w);
	for (size_t k = 0; (name = next_ext_name(a, b, &k)); k++) {
		struct ct_report_ext_counts ca = {0}, cb = {0};

		ct_report_ext_counts(a, name, &ca);
		ct_report_ext_counts(b, name, &cb);
		jw_obj_open(&w);
		jw_kstr(&w, "name", name);
		jw_kuint(&w, "a_starts", ca.starts);
		jw_kuint(&w, "b_starts", cb.starts);
		jw_kuint(&w, "a_failed", ca.failed);
		jw_kuint(&w, "b_failed", cb.failed);
		jw_kuint(&w, "a_gated_init", ca.gated_init);
		jw_kuint(&w, "b_gated_init", cb.gated_init);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	if (phf->n) {
		jw_key(&w, "phase_breakdown");
		jw_arr_open(&w);
		for (size_t i = 0; i < phf->n; i++)
			put_fig_row_json(&w, &phf->v[i]);
		jw_arr_close(&w);
	}
	if (pkf->n) {
		jw_key(&w, "package_breakdown");
		jw_arr_open(&w);
		for (size_t i = 0; i < pkf->n; i++)
			put_fig_row_json(&w, &pkf->v[i]);
		jw_arr_close(&w);
	}
	jw_obj_close(&w);
}

/* "  NAME: failed in x of n starts -> y of m, gated INIT in ..." for each
 * extension name that failed or gated INIT on either side. */
static void ext_counts_lines(struct ct_report *a, struct ct_report *b, struct strbuf *out)
{
	const char *name;

	for (size_t k = 0; (name = next_ext_name(a, b, &k)); k++) {
		struct ct_report_ext_counts ca = {0}, cb = {0};

		ct_report_ext_counts(a, name, &ca);
		ct_report_ext_counts(b, name, &cb);
		if (!ca.failed && !cb.failed && !ca.gated_init && !cb.gated_init)
			continue;
		sb_puts(out, "  ");
		put_name(out, name, 0);
		sb_printf(out, ": failed in %zu of %zu starts -> %zu of %zu, gated INIT in %zu of %zu -> %zu of %zu\n",
			  ca.failed, ca.starts, cb.failed, cb.starts, ca.gated_init, ca.starts, cb.gated_init,
			  cb.starts);
	}
}

void ct_report_render_compare(struct ct_report *a, struct ct_report *b, struct strbuf *out,
			      const struct ct_report_opts *o)
{
	struct rows ph = {0}, su = {0}, ex = {0}, pk = {0}, py = {0};
	struct rows *sets[NROWKINDS] = {&ph, &su, &ex, &pk, &py};
	struct fig_rows phf = {0}, pkf = {0};
	size_t npkf = 0;
	static const char *const titles[NROWKINDS] = {"phase", "Go program startup", "Lambda extension",
						      "package init", "Python import"};
	size_t top = o && o->top > 0 ? (size_t)o->top : CT_REPORT_TOP_DEFAULT;
	bool json = o && o->json;

	if (a->put || b->put) { /* cmd_report refuses it first: a caller's mistake */
		sb_puts(out, "coldtrace report: --compare needs the runs' samples; a report of stats put from "
			     "elsewhere (--clickhouse) has none\n");
		return;
	}
	phase_rows(a, b, &ph);
	startup_rows(a, b, &su);
	ext_rows(a, b, &ex);
	pkg_rows(a, b, &pk);
	py_rows(a, b, &py);
	phase_fig_rows(a, b, &phf);
	pkg_fig_rows(a, b, json && !(o && o->top > 0) ? SIZE_MAX : top, &pkf, &npkf);
	for (int k = 0; k < NROWKINDS; k++)
		if (sets[k]->n)
			qsort(sets[k]->v, sets[k]->n, sizeof(struct cmp_row), cmp_rows);
	if (ph.oom || su.oom || ex.oom || pk.oom || py.oom || phf.oom || pkf.oom) {
		sb_puts(out, json ? "{\"error\":\"out of memory\"}\n" : "coldtrace report: out of memory\n");
		goto out;
	}
	if (json) {
		render_compare_json(a, b, sets, &phf, &pkf, out, o);
		goto out;
	}
	sb_printf(out, "coldtrace report --compare: A %zu run%s (%zu incomplete), B %zu run%s (%zu incomplete)\n",
		  a->nruns, a->nruns == 1 ? "" : "s", a->nincomplete, b->nruns, b->nruns == 1 ? "" : "s",
		  b->nincomplete);
	summary_line(out, headline(sets));
	sb_puts(out, "\n\n");
	for (int k = 0; k < NROWKINDS; k++) {
		size_t n = sets[k]->n, w = CMP_NAME_W_MIN;
		char title[96];

		if (!n && (k == ROW_EXT || k == ROW_PY))
			continue; /* runs without extensions or Python: as before they were seen */
		if (!n) {
			sb_printf(out, "%s: none in A or B\n\n", titles[k]);
			continue;
		}
		if ((k == ROW_PKG || k == ROW_PY) && top < n)
			n = top;
		for (size_t i = 0; i < n; i++)
			if (row_width(&sets[k]->v[i]) > w)
				w = row_width(&sets[k]->v[i]);
		if (w > CMP_NAME_W_MAX)
			w = CMP_NAME_W_MAX;
		if (k == ROW_PKG || k == ROW_PY)
			snprintf(title, sizeof(title), "%s (%zu of %zu, by |diff|)", titles[k], n, sets[k]->n);
		else
			snprintf(title, sizeof(title), "%s", titles[k]);
		put_name(out, title, w);
		sb_printf(out, " %10s %10s %10s %8s  %s\n", "A p50 ms", "B p50 ms", "diff ms", "diff", "n A/B");
		for (size_t i = 0; i < n; i++) {
			const struct cmp_row *row = &sets[k]->v[i];
			size_t rw = row_width(row);

			sb_puts(out, "  ");
			row_label(out, row);
			for (; rw < w; rw++)
				sb_putc(out, ' ');
			put_cmp_cells(out, row);
		}
		if (k == ROW_EXT)
			ext_counts_lines(a, b, out);
		sb_putc(out, '\n');
	}
	if (phf.n)
		render_fig_rows(out, "phase breakdown", &phf);
	if (pkf.n) {
		char title[96];

		snprintf(title, sizeof(title), "package init breakdown (%zu of %zu, by |CPU diff|)",
			 npkf < top ? npkf : top, npkf);
		render_fig_rows(out, title, &pkf);
	}
	footnote(a, out);
out:
	free(ph.v);
	free(su.v);
	free(ex.v);
	free(pk.v);
	free(py.v);
	free(phf.v);
	free(pkf.v);
}

/* ---- the rows as data (report.h ct_report_list) ---- */

/* rs's rows as series, in *v (*n of them). */
static int rows_to_series(struct rows *rs, struct ct_report_series **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (rs->oom)
		return -1;
	if (!rs->n)
		return 0;
	*v = calloc(rs->n, sizeof(**v));
	if (!*v)
		return -1;
	for (size_t i = 0; i < rs->n; i++)
		(*v)[i] = (struct ct_report_series){rs->v[i].kind, rs->v[i].fig, rs->v[i].prog, rs->v[i].name};
	*n = rs->n;
	return 0;
}

int ct_report_list(struct ct_report *r, int kind, struct ct_report_series **v, size_t *n)
{
	struct rows rs = {0};
	struct ct_stats st;
	int ret;

	if (kind == CT_RK_PKG || kind == CT_RK_PY) {
		struct pkg_rank *pk = kind == CT_RK_PKG ? rank_pkgs(r) : NULL;
		struct mod_rank *md = kind == CT_RK_PY ? rank_mods(r) : NULL;

		if (!pk && !md) {
			*v = NULL;
			*n = 0;
			return -1;
		}
		for (size_t i = 0; pk && i < r->npkgs; i++)
			add_row(&rs, &(struct cmp_row){.kind = ROW_PKG, .prog = pk[i].prog, .name = pk[i].p->name});
		for (size_t i = 0; md && i < r->nmods; i++)
			for (int f = 0; f < 2; f++)
				add_row(&rs, &(struct cmp_row){.kind = ROW_PY, .fig = f, .prog = md[i].p->prog,
							       .name = md[i].p->name});
		free(pk);
		free(md);
	}
	for (size_t i = 0; kind == CT_RK_PHASE && i < r->nphases; i++)
		add_row(&rs, &(struct cmp_row){.kind = ROW_PHASE, .name = r->phases[i].name});
	for (size_t i = 0; kind == CT_RK_STARTUP && i < r->nprogs; i++)
		for (int f = 0; f < NFIG; f++)
			add_row(&rs, &(struct cmp_row){.kind = ROW_STARTUP, .fig = f, .prog = r->progs[i].name,
						       .name = fig_text[f]});
	for (size_t i = 0; kind == CT_RK_EXT && i < r->nexts; i++)
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++) {
			vec_stats(&r->exts[i].fig[f], &st);
			if (!st.count && f == CT_REPORT_EXT_GO_INIT)
				continue; /* not a Go program (as the text) */
			add_row(&rs, &(struct cmp_row){.kind = ROW_EXT, .fig = f, .prog = r->exts[i].name,
						       .name = xfig[f].text});
		}
	ret = rows_to_series(&rs, v, n);
	free(rs.v);
	return ret;
}

/* The compare's rows of one kind, in its order. */
static void compare_rows(struct ct_report *a, struct ct_report *b, int kind, struct rows *rs)
{
	static void (*const build[NROWKINDS])(struct ct_report *, struct ct_report *, struct rows *) = {
		[ROW_PHASE] = phase_rows, [ROW_STARTUP] = startup_rows, [ROW_EXT] = ext_rows,
		[ROW_PKG] = pkg_rows,	  [ROW_PY] = py_rows,
	};

	build[kind](a, b, rs);
	if (rs->n)
		qsort(rs->v, rs->n, sizeof(*rs->v), cmp_rows);
}

int ct_report_compare_list(struct ct_report *a, struct ct_report *b, int kind, struct ct_report_series **v,
			   size_t *n)
{
	struct rows rs = {0};
	int ret;

	*v = NULL;
	*n = 0;
	if (kind < 0 || kind >= NROWKINDS)
		return 0;
	compare_rows(a, b, kind, &rs);
	ret = rows_to_series(&rs, v, n);
	free(rs.v);
	return ret;
}

size_t ct_report_samples(struct ct_report *r, const struct ct_report_series *s, const uint64_t **sorted)
{
	struct u64vec *vec = NULL;
	struct agg_ext *e;
	struct agg_pkg *p;
	struct agg_mod *m;
	struct ct_stats st;
	uintptr_t idx;

	*sorted = NULL;
	switch (s->kind) {
	case CT_RK_PHASE:
		if (ct_hmap_get(&r->phase_map, ct_hash_str(s->name), s->name, phase_eq, r, &idx))
			vec = &r->phases[idx].dur;
		break;
	case CT_RK_STARTUP:
		if (s->fig >= 0 && s->fig < NFIG &&
		    ct_hmap_get(&r->prog_map, ct_hash_str(s->prog), s->prog, prog_eq, r, &idx))
			vec = &r->progs[idx].fig[s->fig];
		break;
	case CT_RK_EXT:
		if (s->fig >= 0 && s->fig < CT_REPORT_EXT_NFIG && (e = find_ext(r, s->prog)))
			vec = &e->fig[s->fig];
		break;
	case CT_RK_PKG:
		if ((p = find_pkg(r, s->prog, s->name)))
			vec = &p->clock;
		break;
	case CT_RK_PY:
		if ((m = find_mod(r, s->prog, s->name)))
			vec = s->fig ? &m->self : &m->cum;
		break;
	}
	if (!vec || !vec->n)
		return 0;
	vec_stats(vec, &st); /* sorts it */
	*sorted = vec->v;
	return vec->n;
}

void ct_report_compare_headline(struct ct_report *a, struct ct_report *b, struct strbuf *out)
{
	struct rows rs[NROWKINDS] = {{0}};
	struct rows *sets[NROWKINDS];
	bool oom = false;

	for (int k = 0; k < NROWKINDS; k++) {
		sets[k] = &rs[k];
		compare_rows(a, b, k, &rs[k]);
		oom |= rs[k].oom;
	}
	if (oom)
		sb_puts(out, "out of memory");
	else
		summary_line(out, headline(sets));
	for (int k = 0; k < NROWKINDS; k++)
		free(rs[k].v);
}

/* ---- the samples as rows, stats put back (issue 15) ---- */

static const char *const sample_kind_name[CT_RS_COUNT] = {
	[CT_RS_PHASE] = "phase",
	[CT_RS_PHASE_HELD] = "phase_held",
	[CT_RS_PHASE_INCOMPLETE] = "phase_incomplete",
	[CT_RS_PHASE_FIG] = "phase_fig",
	[CT_RS_PROG_START] = "prog_start",
	[CT_RS_STARTUP] = "startup",
	[CT_RS_EXT_START] = "ext_start",
	[CT_RS_EXT_FAILED] = "ext_failed",
	[CT_RS_EXT_GATED_INIT] = "ext_gated_init",
	[CT_RS_EXT_GATED_REGISTER] = "ext_gated_register",
	[CT_RS_EXT] = "ext",
	[CT_RS_PKG] = "pkg",
	[CT_RS_PKG_FIG] = "pkg_fig",
	[CT_RS_PY_CUM] = "py_cum",
	[CT_RS_PY_SELF] = "py_self",
};

const char *ct_report_sample_kind_name(int kind)
{
	return kind >= 0 && kind < CT_RS_COUNT ? sample_kind_name[kind] : NULL;
}

int ct_report_sample_kind_of(const char *name)
{
	for (int k = 0; name && k < CT_RS_COUNT; k++)
		if (!strcmp(sample_kind_name[k], name))
			return k;
	return -1;
}

/* Every value of v as a sample of (kind, fig, prog, name, ord). */
#define EACH(vec, kind, fig, prog, name, ord)                                                      \
	do {                                                                                       \
		for (size_t j_ = 0; j_ < (vec)->n; j_++)                                           \
			if ((ret = cb(ctx, (kind), (fig), (prog), (name), (ord), (vec)->v[j_])))   \
				return ret;                                                        \
	} while (0)
/* A count as that many samples of value 1. */
#define EACH_ONE(count, kind, prog, name, ord)                                                     \
	do {                                                                                       \
		for (size_t j_ = 0; j_ < (count); j_++)                                            \
			if ((ret = cb(ctx, (kind), 0, (prog), (name), (ord), 1)))                  \
				return ret;                                                        \
	} while (0)

int ct_report_each_sample(struct ct_report *r, ct_report_sample_fn *cb, void *ctx)
{
	int ret;

	for (size_t i = 0; i < r->nphases; i++) {
		struct agg_phase *p = &r->phases[i];

		EACH(&p->raw, CT_RS_PHASE, 0, "", p->name, i);
		EACH(&p->held, CT_RS_PHASE_HELD, 0, "", p->name, i);
		EACH_ONE(p->incomplete, CT_RS_PHASE_INCOMPLETE, "", p->name, i);
		for (int f = 0; f < CT_RF_COUNT; f++)
			EACH(&p->bd[f], CT_RS_PHASE_FIG, f, "", p->name, i);
	}
	for (size_t i = 0; i < r->nprogs; i++) {
		struct agg_prog *p = &r->progs[i];

		EACH_ONE(p->starts, CT_RS_PROG_START, p->name, "", i);
		for (int f = 0; f < NFIG; f++)
			EACH(&p->fig[f], CT_RS_STARTUP, f, p->name, "", i);
	}
	for (size_t i = 0; i < r->nexts; i++) {
		struct agg_ext *e = &r->exts[i];

		EACH_ONE(e->starts, CT_RS_EXT_START, e->name, "", i);
		EACH_ONE(e->failed, CT_RS_EXT_FAILED, e->name, "", i);
		EACH_ONE(e->gated_init, CT_RS_EXT_GATED_INIT, e->name, "", i);
		EACH_ONE(e->gated_register, CT_RS_EXT_GATED_REGISTER, e->name, "", i);
		for (int f = 0; f < CT_REPORT_EXT_NFIG; f++)
			EACH(&e->fig[f], CT_RS_EXT, f, e->name, "", i);
	}
	for (size_t i = 0; i < r->npkgs; i++) {
		struct agg_pkg *p = &r->pkgs[i];
		const char *prog = r->progs[p->prog].name;

		EACH(&p->clock, CT_RS_PKG, 0, prog, p->name, i);
		for (int f = 0; f < CT_RF_COUNT; f++)
			EACH(&p->bd[f], CT_RS_PKG_FIG, f, prog, p->name, i);
	}
	for (size_t i = 0; i < r->nmods; i++) {
		struct agg_mod *m = &r->mods[i];

		EACH(&m->cum, CT_RS_PY_CUM, 0, m->prog, m->name, i);
		EACH(&m->self, CT_RS_PY_SELF, 0, m->prog, m->name, i);
	}
	return 0;
}

#undef EACH
#undef EACH_ONE

/* v's stats are st from now on (its samples, if any, dropped). */
static void vec_put(struct u64vec *v, const struct ct_stats *st)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
	v->pre = true;
	v->st = *st;
}

int ct_report_put_runs(struct ct_report *r, size_t nruns, size_t nincomplete)
{
	r->put = true;
	r->nruns = nruns;
	r->nincomplete = nincomplete;
	return 0;
}

int ct_report_put_stats(struct ct_report *r, int kind, int fig, const char *prog, const char *name,
			const struct ct_stats *st)
{
	struct agg_phase *ph = NULL;
	struct agg_prog *pg = NULL;
	struct agg_ext *e = NULL;
	struct agg_pkg *pk = NULL;
	struct agg_mod *m = NULL;
	long i;

	r->put = true;
	prog = prog ? prog : "";
	name = name ? name : "";
	switch (kind) {
	case CT_RS_PHASE_HELD:
		return 0; /* --minus-held is computed where the stats are */
	case CT_RS_PHASE:
	case CT_RS_PHASE_INCOMPLETE:
	case CT_RS_PHASE_FIG:
		ph = agg_phase_of(r, name);
		if (!ph)
			return -1;
		break;
	case CT_RS_PROG_START:
	case CT_RS_STARTUP:
	case CT_RS_PKG:
	case CT_RS_PKG_FIG:
		i = agg_prog_of(r, prog);
		if (i < 0)
			return -1;
		pg = &r->progs[i];
		if (kind == CT_RS_PKG || kind == CT_RS_PKG_FIG) {
			pk = agg_pkg_of(r, (size_t)i, name);
			if (!pk)
				return -1;
		}
		break;
	case CT_RS_EXT_START:
	case CT_RS_EXT_FAILED:
	case CT_RS_EXT_GATED_INIT:
	case CT_RS_EXT_GATED_REGISTER:
	case CT_RS_EXT:
		e = agg_ext_of(r, prog);
		if (!e)
			return -1;
		break;
	case CT_RS_PY_CUM:
	case CT_RS_PY_SELF:
		m = agg_mod_of(r, prog, name);
		if (!m)
			return -1;
		break;
	default:
		return 0; /* a kind this version does not know: nothing to show */
	}
	switch (kind) {
	case CT_RS_PHASE:
		vec_put(&ph->dur, st);
		break;
	case CT_RS_PHASE_INCOMPLETE:
		ph->incomplete = st->count;
		break;
	case CT_RS_PHASE_FIG:
		if (fig >= 0 && fig < CT_RF_COUNT)
			vec_put(&ph->bd[fig], st);
		break;
	case CT_RS_PROG_START:
		pg->starts = st->count;
		break;
	case CT_RS_STARTUP:
		if (fig >= 0 && fig < NFIG)
			vec_put(&pg->fig[fig], st);
		break;
	case CT_RS_PKG:
		vec_put(&pk->clock, st);
		break;
	case CT_RS_PKG_FIG:
		if (fig >= 0 && fig < CT_RF_COUNT)
			vec_put(&pk->bd[fig], st);
		break;
	case CT_RS_EXT_START:
		e->starts = st->count;
		break;
	case CT_RS_EXT_FAILED:
		e->failed = st->count;
		break;
	case CT_RS_EXT_GATED_INIT:
		e->gated_init = st->count;
		break;
	case CT_RS_EXT_GATED_REGISTER:
		e->gated_register = st->count;
		break;
	case CT_RS_EXT:
		if (fig >= 0 && fig < CT_REPORT_EXT_NFIG)
			vec_put(&e->fig[fig], st);
		break;
	case CT_RS_PY_CUM:
		vec_put(&m->cum, st);
		break;
	case CT_RS_PY_SELF:
		vec_put(&m->self, st);
		break;
	}
	return 0;
}
