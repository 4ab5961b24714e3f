// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Why a phase takes its time: the kernel-level breakdown (see breakdown.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "jsonw.h"

#define MAX_DEPTH 64 /* ppid links followed, at most */
#define DOMINANT_MIN_PERMILLE 50 /* a wait is named when >= 5% of the interval */
#define MENTION_MIN_BYTES 16384  /* files are named in the summary from this on */
#define UNNAMED_GROUP "(files not seen opened)"
#define MINORBITS 20             /* the kernel's dev_t: major << 20 | minor */

static const char *const state_keys[CT_BD_NSTATES] = {
	"running", "runnable", "iowait", "disk", "sleep", "stopped", "unknown",
};

static const char *const state_words[CT_BD_NSTATES] = {
	"on CPU",  "waiting for a CPU", "waiting for disk", "in uninterruptible sleep",
	"blocked", "stopped",           "not seen",
};

static const char *const tstate_keys[CT_TS_COUNT] = {
	[CT_TS_RUNNING] = "running", [CT_TS_RUNNABLE] = "runnable", [CT_TS_SLEEP] = "sleep",
	[CT_TS_DISK] = "disk",       [CT_TS_IOWAIT] = "iowait",     [CT_TS_STOPPED] = "stopped",
	[CT_TS_DEAD] = "dead",
};

const char *ct_bd_state_key(enum ct_bd_state s)
{
	return (unsigned)s < CT_BD_NSTATES ? state_keys[s] : "unknown";
}

const char *ct_bd_state_words(enum ct_bd_state s)
{
	return (unsigned)s < CT_BD_NSTATES ? state_words[s] : "not seen";
}

const char *ct_tstate_key(unsigned tstate)
{
	return tstate < CT_TS_COUNT ? tstate_keys[tstate] : "unknown";
}

enum ct_bd_state ct_bd_of_tstate(unsigned tstate)
{
	switch (tstate) {
	case CT_TS_RUNNING:
		return CT_BD_RUNNING;
	case CT_TS_RUNNABLE:
		return CT_BD_RUNNABLE;
	case CT_TS_IOWAIT:
		return CT_BD_IOWAIT;
	case CT_TS_DISK:
		return CT_BD_DISK;
	case CT_TS_SLEEP:
		return CT_BD_SLEEP;
	case CT_TS_STOPPED:
		return CT_BD_STOPPED;
	default:
		return CT_BD_UNKNOWN;
	}
}

enum ct_bd_state ct_bd_dominant_wait(const struct ct_bd *bd)
{
	enum ct_bd_state best = CT_BD_UNKNOWN;

	for (int s = CT_BD_RUNNABLE; s < CT_BD_UNKNOWN; s++)
		if (bd->wall[s] && (best == CT_BD_UNKNOWN || bd->wall[s] > bd->wall[best]))
			best = (enum ct_bd_state)s;
	return best;
}

/* ---- groups of files ---- */

/* Directories that hold a language's packages: a file under one belongs to
 * the group named after it, wherever it is. */
static const char *const pkg_dirs[] = {
	"node_modules", "site-packages", "dist-packages", "vendor", ".m2", "gems",
};

void ct_bd_group_of(const char *path, char *buf, size_t len)
{
	const char *slash;

	if (!len)
		return;
	buf[0] = 0;
	if (!path || !path[0])
		return;
	for (const char *c = path; *c;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (!e)
			break; /* the file's own name is no directory */
		for (size_t k = 0; k < sizeof(pkg_dirs) / sizeof(pkg_dirs[0]); k++)
			if (strlen(pkg_dirs[k]) == n && !memcmp(c, pkg_dirs[k], n)) {
				snprintf(buf, len, "%s", pkg_dirs[k]);
				return;
			}
		c = e + 1;
	}
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* ---- the breakdown of an interval ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static bool in_set(const uint32_t *set, size_t n, uint32_t pid)
{
	return n && bsearch(&pid, set, n, sizeof(*set), cmp_u32);
}

/* v * num / den, rounded to the nearest, without overflow (den > 0). */
static uint64_t share(uint64_t v, uint64_t num, uint64_t den)
{
	return (uint64_t)(((unsigned __int128)v * num + den / 2) / den);
}

struct edge {
	uint64_t t;
	int8_t state; /* enum ct_bd_state */
	int8_t delta; /* +1: a span starts, -1: it ends */
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta; /* ends before starts: no matter, no segment between */
}

/* Wall-clock states: the best state of any thread at each instant. */
static void sweep(struct ct_bd *bd, struct edge *ev, size_t n)
{
	uint64_t cnt[CT_BD_NSTATES] = {0};
	uint64_t prev = bd->start;

	if (n)
		qsort(ev, n, sizeof(*ev), cmp_edge);
	for (size_t i = 0; i < n;) {
		uint64_t t = ev[i].t;
		int best = CT_BD_UNKNOWN;

		for (int s = 0; s < CT_BD_UNKNOWN; s++)
			if (cnt[s]) {
				best = s;
				break;
			}
		bd->wall[best] += t - prev;
		for (; i < n && ev[i].t == t; i++)
			cnt[ev[i].state] += (uint64_t)(int64_t)ev[i].delta;
		prev = t;
	}
	bd->wall[CT_BD_UNKNOWN] += bd->end - prev;
}

/* The first index of a time-sorted array whose ts is >= t. */
#define LOWER_BOUND(arr, n, field, t, out)                                                                   \
	do {                                                                                                 \
		size_t lo_ = 0, hi_ = (n);                                                                   \
		while (lo_ < hi_) {                                                                          \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                 \
			if ((arr)[mid_].field < (t))                                                         \
				lo_ = mid_ + 1;                                                              \
			else                                                                                 \
				hi_ = mid_;                                                                  \
		}                                                                                            \
		(out) = lo_;                                                                                 \
	} while (0)

static int sched_part(const struct ct_model *m, const uint32_t *set, size_t nset, struct ct_bd *bd)
{
	struct edge *ev = NULL;
	uint64_t *tids = NULL;
	size_t nev = 0, ntids = 0, cap = 0;

	for (size_t i = 0; i < m->ntspans && m->tspans[i].start < bd->end; i++) {
		const struct ct_tspan *sp = &m->tspans[i];
		uint64_t s = sp->start > bd->start ? sp->start : bd->start;
		uint64_t e = sp->end < bd->end ? sp->end : bd->end;
		enum ct_bd_state st = ct_bd_of_tstate(sp->state);

		if (e <= s || st == CT_BD_UNKNOWN || !in_set(set, nset, sp->pid))
			continue;
		if (nev + 2 > cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct edge *ne = realloc(ev, nc * sizeof(*ne));
			uint64_t *nt = ne ? realloc(tids, nc / 2 * sizeof(*nt)) : NULL;

			if (!ne || !nt) {
				free(ne ? ne : ev);
				free(tids);
				return -1;
			}
			ev = ne;
			tids = nt;
			cap = nc;
		}
		ev[nev++] = (struct edge){s, (int8_t)st, 1};
		ev[nev++] = (struct edge){e, (int8_t)st, -1};
		tids[ntids++] = (uint64_t)sp->pid << 32 | sp->tid;
		bd->thread_ns[st] += e - s;
		if (st != CT_BD_RUNNING)
			continue;
		if (sp->flags & CT_TSPAN_COUNTED) {
			uint64_t dur = sp->end - sp->start, in = e - s;

			if (!dur)
				dur = in = 1;
			bd->cpu_ns += share(sp->run_ns, in, dur);
			bd->min_flt += share(sp->min_flt, in, dur);
			bd->maj_flt += share(sp->maj_flt, in, dur);
			bd->nvcsw += share(sp->nvcsw, in, dur);
			bd->nivcsw += share(sp->nivcsw, in, dur);
		} else {
			bd->cpu_ns += e - s;
		}
	}
	sweep(bd, ev, nev);
	if (ntids)
		qsort(tids, ntids, sizeof(*tids), cmp_u64);
	for (size_t i = 0; i < ntids; i++)
		if (!i || tids[i] != tids[i - 1])
			bd->threads++;
	free(ev);
	free(tids);
	return 0;
}

/* Bytes per file (dev, ino) inside the interval. */
struct facc {
	uint64_t dev, ino;
	uint64_t read, miss;
	long file; /* m->files index naming it, -1 */
	char group[CT_BD_NAME_LEN];
};

struct faccs {
	struct facc *v;
	size_t n, cap;
	struct ct_hmap map; /* (dev, ino) -> v index */
};

struct ino_key {
	uint64_t dev, ino;
};

static bool facc_eq(const void *ctx, uintptr_t val, const void *key)
{
	const struct facc *f = &((const struct faccs *)ctx)->v[val];
	const struct ino_key *k = key;

	return f->dev == k->dev && f->ino == k->ino;
}

static struct facc *facc_get(struct faccs *a, uint64_t dev, uint64_t ino, long file)
{
	struct ino_key k = {dev, ino};
	uint64_t h = ct_hash_u64(dev * 0x9e3779b97f4a7c15ull ^ ino);
	uintptr_t v;
	struct facc *f;

	if (ct_hmap_get(&a->map, h, &k, facc_eq, a, &v)) {
		f = &a->v[v];
		if (f->file < 0)
			f->file = file;
		return f;
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;
		struct facc *nv = realloc(a->v, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = nc;
	}
	if (ct_hmap_put(&a->map, h, &k, facc_eq, a, a->n))
		return NULL;
	f = &a->v[a->n++];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->ino = ino;
	f->file = file;
	return f;
}

/* The name of a file: its open's path, else the image exec'd from it;
 * false if neither names it (buf then says its device and inode). */
static bool facc_name(const struct ct_model *m, const struct facc *f, char *buf, size_t len)
{
	if (f->file >= 0 && (size_t)f->file < m->nfiles && m->files[f->file].path) {
		snprintf(buf, len, "%s", m->files[f->file].path);
		return true;
	}
	for (size_t i = 0; i < m->nprocs; i++)
		for (size_t j = 0; j < m->procs[i].nimages; j++) {
			const struct ct_image *im = &m->procs[i].images[j];

			if (im->exec_ts && (im->dev || im->ino) && im->dev == f->dev && im->ino == f->ino) {
				snprintf(buf, len, "%s", im->path);
				return true;
			}
		}
	snprintf(buf, len, "(dev %llu:%llu, inode %llu)", (unsigned long long)(f->dev >> MINORBITS),
		 (unsigned long long)(f->dev & ((1u << MINORBITS) - 1)), (unsigned long long)f->ino);
	return false;
}

static uint64_t facc_bytes(const struct facc *f)
{
	return f->read > f->miss ? f->read : f->miss;
}

static int cmp_facc(const void *a, const void *b)
{
	const struct facc *x = a, *y = b;
	uint64_t bx = facc_bytes(x), by = facc_bytes(y);

	if (bx != by)
		return bx > by ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static bool group_eq(const void *ctx, uintptr_t val, const void *key)
{
	return !strcmp(((const struct faccs *)ctx)->v[val].group, key);
}

static int files_part(const struct ct_model *m, const uint32_t *set, size_t nset, struct ct_bd *bd)
{
	struct faccs a = {0};
	struct ct_hmap groups;
	uint64_t *gbytes = NULL, *gmiss = NULL, *gread = NULL;
	size_t i;
	int rc = -1;

	ct_hmap_init(&groups, 0);
	for (i = 0; i < m->nfiles; i++) {
		const struct ct_file *f = &m->files[i];

		if (f->ts >= bd->start && f->ts < bd->end && in_set(set, nset, f->pid))
			bd->files_opened++;
	}
	LOWER_BOUND(m->freads, m->nfreads, ts, bd->start, i);
	for (; i < m->nfreads && m->freads[i].ts < bd->end; i++) {
		const struct ct_fread_rec *r = &m->freads[i];
		struct facc *f;

		if (!in_set(set, nset, r->pid))
			continue;
		bd->read_bytes += r->bytes;
		bd->reads++;
		if (!(f = facc_get(&a, r->dev, r->ino, r->file)))
			goto out;
		f->read += r->bytes;
	}
	LOWER_BOUND(m->misses, m->nmisses, ts, bd->start, i);
	for (; i < m->nmisses && m->misses[i].ts < bd->end; i++) {
		const struct ct_miss_rec *r = &m->misses[i];
		uint64_t bytes = r->pages * m->page_size;
		struct facc *f;

		if (!in_set(set, nset, r->pid))
			continue;
		bd->miss_bytes += bytes;
		if (!(f = facc_get(&a, r->dev, r->ino, r->file)))
			goto out;
		f->miss += bytes;
	}
	if (a.n)
		qsort(a.v, a.n, sizeof(*a.v), cmp_facc);
	ct_hmap_free(&a.map); /* indices changed: the map is for the groups now */
	gbytes = calloc(a.n + 1, sizeof(*gbytes));
	gmiss = calloc(a.n + 1, sizeof(*gmiss));
	gread = calloc(a.n + 1, sizeof(*gread));
	if (!gbytes || !gmiss || !gread)
		goto out;
	for (i = 0; i < a.n; i++) {
		struct facc *f = &a.v[i];
		char name[CT_BD_NAME_LEN];
		uint64_t bytes = facc_bytes(f);
		uintptr_t g;

		bd->file_bytes += bytes;
		bool named = facc_name(m, f, name, sizeof(name));

		if (bd->ntop < CT_BD_TOP && bytes) {
			struct ct_bd_file *t = &bd->top[bd->ntop++];

			snprintf(t->path, sizeof(t->path), "%s", name);
			t->dev = f->dev;
			t->ino = f->ino;
			t->read_bytes = f->read;
			t->miss_bytes = f->miss;
			t->bytes = bytes;
		}
		if (named)
			ct_bd_group_of(name, f->group, sizeof(f->group));
		else
			snprintf(f->group, sizeof(f->group), "%s", UNNAMED_GROUP);
		if (!ct_hmap_get(&groups, ct_hash_str(f->group), f->group, group_eq, &a, &g)) {
			if (ct_hmap_put(&groups, ct_hash_str(f->group), f->group, group_eq, &a, i))
				goto out;
			g = i;
		}
		gbytes[g] += bytes;
		gmiss[g] += f->miss;
		gread[g] += f->read;
	}
	/* the biggest group; on a tie, the one of the bigger file (first) */
	for (i = 0; i < a.n; i++)
		if (gbytes[i] > bd->group_bytes) {
			bd->group_bytes = gbytes[i];
			bd->group_from_disk = gmiss[i] > gread[i];
			snprintf(bd->group, sizeof(bd->group), "%s", a.v[i].group);
		}
	rc = 0;
out:
	free(gbytes);
	free(gmiss);
	free(gread);
	ct_hmap_free(&groups);
	ct_hmap_free(&a.map);
	free(a.v);
	return rc;
}

int ct_bd_compute(const struct ct_model *m, const uint32_t *pids, size_t npids, uint64_t start,
		  uint64_t end, struct ct_bd *bd)
{
	uint32_t *set = NULL;
	size_t nset = 0;

	memset(bd, 0, sizeof(*bd));
	bd->sched_off = !m->have_sched;
	bd->files_off = !m->have_files;
	bd->pcache_off = !m->have_pcache;
	bd->incomplete = m->lost[CT_EV_SCHED] || m->lost[CT_EV_OPEN] || m->lost[CT_EV_FREAD] ||
			 m->lost[CT_EV_PCACHE] || m->dropped_sched || m->dropped_files || m->sched_gaps;
	if (end < start)
		return 0;
	bd->start = start;
	bd->end = end;
	if (npids) {
		set = malloc(npids * sizeof(*set));
		if (!set)
			goto oom;
		memcpy(set, pids, npids * sizeof(*set));
		qsort(set, npids, sizeof(*set), cmp_u32);
		for (size_t i = 0; i < npids; i++)
			if (!i || set[i] != set[i - 1])
				set[nset++] = set[i];
	}
	bd->procs = (uint32_t)nset;
	if (sched_part(m, set, nset, bd) || files_part(m, set, nset, bd))
		goto oom;
	free(set);
	bd->valid = true;
	return 0;
oom:
	free(set);
	memset(bd, 0, sizeof(*bd));
	return -1;
}

/* ---- phases, packages, processes ---- */

enum ct_bd_scope ct_bd_phase_scope(const struct ct_phase *ph)
{
	switch (ph->kind) {
	case CT_PK_AGENT:
		return CT_BDS_AGENT;
	case CT_PK_RUNTIME:
		return CT_BDS_RUNTIME;
	default:
		return CT_BDS_SANDBOX;
	}
}

const char *ct_bd_scope_key(enum ct_bd_scope s)
{
	switch (s) {
	case CT_BDS_AGENT:
		return "agent";
	case CT_BDS_RUNTIME:
		return "runtime";
	default:
		return "sandbox";
	}
}

/* Is p the process root, or one of its descendants? */
static bool descends(const struct ct_model *m, const struct ct_proc *p, const struct ct_proc *root)
{
	for (int d = 0; p && d < MAX_DEPTH; d++) {
		if (p == root)
			return true;
		if (!p->ppid || p->ppid == p->pid)
			return false;
		p = ct_model_proc_const(m, p->ppid);
	}
	return false;
}

int ct_bd_phase(const struct ct_model *m, const struct ct_timeline *tl, const struct ct_phase *ph,
		struct ct_bd *bd)
{
	enum ct_bd_scope scope = ct_bd_phase_scope(ph);
	const struct ct_proc **procs = NULL;
	uint32_t *pids = NULL;
	size_t np = 0, n = 0;
	int rc;

	if (!ph->complete || ph->end < ph->start) {
		rc = ct_bd_compute(m, NULL, 0, 1, 0, bd); /* the flags only */
		return rc;
	}
	if (scope == CT_BDS_AGENT && tl->agent_pid) {
		uint32_t pid = tl->agent_pid;

		return ct_bd_compute(m, &pid, 1, ph->start, ph->end, bd);
	}
	np = ct_timeline_procs(m, tl, &procs);
	pids = malloc((np + 1) * sizeof(*pids));
	if (!pids) {
		free(procs);
		memset(bd, 0, sizeof(*bd));
		return -1;
	}
	for (size_t i = 0; i < np; i++)
		if (scope != CT_BDS_RUNTIME || !tl->runtime || descends(m, procs[i], tl->runtime))
			pids[n++] = procs[i]->pid;
	rc = ct_bd_compute(m, pids, n, ph->start, ph->end, bd);
	free(pids);
	free(procs);
	return rc;
}

/* b - a, when both are a thread's counters (a thread at a probe hit has
 * run: all zero means the record had none) and none went backwards. */
static bool counters_between(const struct ct_tcounters *a, const struct ct_tcounters *b, struct ct_counts *c)
{
	if (!a->run_ns && !b->run_ns)
		return false;
	if (b->run_ns < a->run_ns || b->min_flt < a->min_flt || b->maj_flt < a->maj_flt ||
	    b->nvcsw < a->nvcsw || b->nivcsw < a->nivcsw)
		return false;
	c->run_ns = b->run_ns - a->run_ns;
	c->min_flt = b->min_flt - a->min_flt;
	c->maj_flt = b->maj_flt - a->maj_flt;
	c->nvcsw = b->nvcsw - a->nvcsw;
	c->nivcsw = b->nivcsw - a->nivcsw;
	return true;
}

bool ct_bd_pkginit(const struct ct_pkginit *pk, struct ct_bd_pkg *out)
{
	struct ct_counts c;

	memset(out, 0, sizeof(*out));
	if (!pk->tid_start || pk->tid_start != pk->tid_end || !pk->end || pk->end < pk->start)
		return false;
	if (!counters_between(&pk->c_start, &pk->c_end, &c))
		return false;
	out->known = true;
	out->tid = pk->tid_start;
	out->cpu_from_sched = pk->cpu_sched;
	out->cpu_ns = pk->cpu_sched ? pk->cpu_sched_ns : c.run_ns;
	out->min_flt = c.min_flt;
	out->maj_flt = c.maj_flt;
	out->nvcsw = c.nvcsw;
	out->nivcsw = c.nivcsw;
	return true;
}

bool ct_bd_pyimport(const struct ct_pyimport *pi, struct ct_counts *c)
{
	return pi->end && counters_between(&pi->c_start, &pi->c_end, c);
}

int ct_bd_process(const struct ct_model *m, const struct ct_proc *p, struct ct_bd *bd)
{
	uint64_t end = p->exited ? p->exit_ts : m->last_ts;

	return ct_bd_compute(m, &p->pid, 1, p->start_ts, end >= p->start_ts ? end : p->start_ts, bd);
}

/* ---- the one-line summary ---- */

static void ms_str(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 10000000)
		snprintf(buf, len, "%llu ms", (unsigned long long)((ns + 500000) / 1000000));
	else
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
}

void ct_bd_bytes_str(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= 100000)
		snprintf(buf, len, "%.1f MB", (double)bytes / 1e6);
	else if (bytes >= 1000)
		snprintf(buf, len, "%.1f kB", (double)bytes / 1e3);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
}

/* Append to buf (size len, *pos used), cut where it does not fit. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

int ct_bd_summary(const struct ct_bd *bd, const char *label, char *buf, size_t len)
{
	uint64_t dur = bd->end - bd->start;
	char d[32], a[32], b[32], paren[CT_BD_NAME_LEN + 96] = "";
	const char *inc = bd->incomplete ? " [incomplete]" : "";
	enum ct_bd_state w;
	size_t pl = 0;

	if (!bd->valid)
		return snprintf(buf, len, "%s: not complete, no breakdown", label);
	ms_str(dur, d, sizeof(d));
	if (bd->sched_off && bd->files_off && bd->pcache_off)
		return snprintf(buf, len, "%s %s: breakdown off", label, d);
	if (!bd->sched_off && bd->maj_flt)
		append(paren, sizeof(paren), &pl, "%llu major fault%s", (unsigned long long)bd->maj_flt,
		       bd->maj_flt == 1 ? "" : "s");
	else if (!bd->sched_off && bd->min_flt)
		append(paren, sizeof(paren), &pl, "%llu minor fault%s", (unsigned long long)bd->min_flt,
		       bd->min_flt == 1 ? "" : "s");
	if (bd->file_bytes >= MENTION_MIN_BYTES && bd->group[0]) {
		bool most = bd->group_bytes * 2 >= bd->file_bytes;

		ct_bd_bytes_str(most ? bd->group_bytes : bd->file_bytes, a, sizeof(a));
		if (most)
			append(paren, sizeof(paren), &pl, "%s%s of %s %s", pl ? ", " : "", a, bd->group,
			       bd->group_from_disk ? "from disk" : "read");
		else
			append(paren, sizeof(paren), &pl, "%s%s read, most from %s", pl ? ", " : "", a, bd->group);
	}
	if (bd->sched_off)
		return snprintf(buf, len, "%s %s: scheduler states off%s%s%s%s", label, d, pl ? " (" : "", paren,
				pl ? ")" : "", inc);
	ms_str(bd->wall[CT_BD_RUNNING], a, sizeof(a));
	w = ct_bd_dominant_wait(bd);
	if (w != CT_BD_UNKNOWN && dur && bd->wall[w] * 1000 >= dur * DOMINANT_MIN_PERMILLE) {
		ms_str(bd->wall[w], b, sizeof(b));
		return snprintf(buf, len, "%s %s: %s on CPU, %s %s%s%s%s%s", label, d, a, b, ct_bd_state_words(w),
				pl ? " (" : "", paren, pl ? ")" : "", inc);
	}
	return snprintf(buf, len, "%s %s: %s on CPU%s%s%s%s", label, d, a, pl ? " (" : "", paren, pl ? ")" : "",
			inc);
}

void ct_bd_json_figures(struct jsonw *w, const struct ct_bd *bd)
{
	char key[40];

	if (!bd->sched_off) {
		for (int s = 0; s < CT_BD_NSTATES; s++) {
			snprintf(key, sizeof(key), "wall_%s_ns", ct_bd_state_key((enum ct_bd_state)s));
			jw_kuint(w, key, bd->wall[s]);
		}
		for (int s = 0; s < CT_BD_UNKNOWN; s++) {
			snprintf(key, sizeof(key), "thread_%s_ns", ct_bd_state_key((enum ct_bd_state)s));
			jw_kuint(w, key, bd->thread_ns[s]);
		}
		jw_kuint(w, "cpu_ns", bd->cpu_ns);
		jw_kuint(w, "min_flt", bd->min_flt);
		jw_kuint(w, "maj_flt", bd->maj_flt);
		jw_kuint(w, "nvcsw", bd->nvcsw);
		jw_kuint(w, "nivcsw", bd->nivcsw);
		jw_kuint(w, "threads", bd->threads);
		jw_kuint(w, "procs", bd->procs);
	}
	if (!bd->files_off) {
		jw_kuint(w, "files_opened", bd->files_opened);
		jw_kuint(w, "read_bytes", bd->read_bytes);
		jw_kuint(w, "reads", bd->reads);
	}
	if (!bd->pcache_off)
		jw_kuint(w, "miss_bytes", bd->miss_bytes);
	if (!bd->files_off || !bd->pcache_off) {
		jw_kuint(w, "file_bytes", bd->file_bytes);
		jw_kstr(w, "group", bd->group);
		jw_kuint(w, "group_bytes", bd->group_bytes);
	}
}

void ct_counts_json(struct jsonw *w, const char *cpu_key, uint64_t cpu_ns, uint64_t min_flt,
		    uint64_t maj_flt, uint64_t nvcsw, uint64_t nivcsw)
{
	jw_kuint(w, cpu_key, cpu_ns);
	jw_kuint(w, "min_flt", min_flt);
	jw_kuint(w, "maj_flt", maj_flt);
	jw_kuint(w, "nvcsw", nvcsw);
	jw_kuint(w, "nivcsw", nivcsw);
}
