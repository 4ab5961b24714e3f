// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bincache.h"
#include "strbuf.h"

#define HEADER BINCACHE_HEADER
#define MAX_FILE (64u << 20)

static const char *const init_funcs[] = {"runtime.doInit", "runtime.doInit1"};

/* ---- init functions ---- */

/* A package's init function: what follows the package path (cut where
 * goelf_pkgpath cuts it) is "init" or "init.N"; methods named init, such
 * as runtime.(*p).init, are not. */
static bool is_init_name(const char *name)
{
	const char *slash = strrchr(name, '/'), *p = strchr(slash ? slash : name, '.');

	if (!p || strncmp(p, ".init", 5))
		return false;
	p += 5;
	if (!*p)
		return true;
	if (*p != '.' || !p[1])
		return false;
	for (p++; *p >= '0' && *p <= '9'; p++)
		;
	return !*p;
}

static int fn_cmp(const void *a, const void *b)
{
	const struct ct_initfn *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Build one block: n entries, then their strings. */
static struct ct_initfn *initfn_block(const uint64_t *entries, char *const *pkgs, size_t n)
{
	size_t strs = 0;
	struct ct_initfn *f;
	char *p;

	for (size_t i = 0; i < n; i++)
		strs += strlen(pkgs[i]) + 1;
	f = malloc(n * sizeof(*f) + strs + 1);
	if (!f)
		return NULL;
	p = (char *)(f + n);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(pkgs[i]) + 1;

		memcpy(p, pkgs[i], l);
		f[i].entry = entries[i];
		f[i].pkg = p;
		p += l;
	}
	qsort(f, n, sizeof(*f), fn_cmp);
	return f;
}

struct ct_initfn *ct_initfn_dup(const struct ct_initfn *fns, size_t n)
{
	uint64_t *e = malloc((n + 1) * sizeof(*e));
	char **p = malloc((n + 1) * sizeof(*p));
	struct ct_initfn *out = NULL;

	if (e && p) {
		for (size_t i = 0; i < n; i++) {
			e[i] = fns[i].entry;
			p[i] = (char *)fns[i].pkg;
		}
		out = initfn_block(e, p, n);
	}
	free(e);
	free(p);
	return out;
}

int ct_initfn_collect(const struct goelf *g, struct ct_initfn **out, size_t *n)
{
	size_t nf = goelf_func_count(g), k = 0;
	uint64_t *e = NULL;
	char **p = NULL;
	int rc = -1;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < nf; i++) {
		const struct goelf_func *f = goelf_func_by_index(g, i);
		char pkg[256];

		if (!f || !f->name || !is_init_name(f->name) ||
		    goelf_pkgpath(f->name, pkg, sizeof(pkg)) < 0)
			continue;
		if (!(k & (k + 1))) { /* grow at powers of two */
			uint64_t *ne = realloc(e, (2 * k + 2) * sizeof(*ne));
			char **np = realloc(p, (2 * k + 2) * sizeof(*np));

			if (ne)
				e = ne;
			if (np)
				p = np;
			if (!ne || !np)
				goto out;
		}
		e[k] = f->entry;
		if (!(p[k] = strdup(pkg)))
			goto out;
		k++;
	}
	*out = k ? initfn_block(e, p, k) : NULL;
	*n = *out ? k : 0;
	rc = (k && !*out) ? -1 : 0;
out:
	for (size_t i = 0; i < k; i++)
		free(p[i]);
	free(p);
	free(e);
	return rc;
}

const struct ct_initfn *ct_initfn_find(const struct ct_initfn *fns, size_t n, uint64_t entry)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fns[mid].entry == entry)
			return &fns[mid];
		if (fns[mid].entry < entry)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- entries ---- */

static void lock(struct bincache *c)
{
	if (!c->lock_init) {
		pthread_mutex_init(&c->lock, NULL);
		c->lock_init = true;
	}
	pthread_mutex_lock(&c->lock);
}

static void unlock(struct bincache *c)
{
	pthread_mutex_unlock(&c->lock);
}

static bool fid_eq(const struct ct_bin_id *a, const struct ct_bin_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static struct ct_bin_entry *find(struct bincache *c, const struct ct_bin_id *fid)
{
	for (size_t i = 0; i < c->n; i++)
		if (fid_eq(&c->e[i].fid, fid))
			return &c->e[i];
	return NULL;
}

/* A new slot; the least recently used one when full. */
static struct ct_bin_entry *slot(struct bincache *c)
{
	struct ct_bin_entry *e;

	if (c->n == BINCACHE_MAX_ENTRIES) {
		size_t old = 0;

		for (size_t i = 1; i < c->n; i++)
			if (c->e[i].last_used < c->e[old].last_used)
				old = i;
		free(c->e[old].fns);
		e = &c->e[old];
	} else {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 64;
			struct ct_bin_entry *ne = realloc(c->e, cap * sizeof(*ne));

			if (!ne)
				return NULL;
			c->e = ne;
			c->cap = cap;
		}
		e = &c->e[c->n++];
	}
	memset(e, 0, sizeof(*e));
	return e;
}

bool bincache_lookup(struct bincache *c, const struct ct_bin_id *fid, struct ct_bin_entry *out)
{
	struct ct_bin_entry *e;
	bool ok = false;

	lock(c);
	e = find(c, fid);
	if (e) {
		*out = *e;
		out->fns = e->nfns ? ct_initfn_dup(e->fns, e->nfns) : NULL;
		ok = !e->nfns || out->fns;
		if (!ok)
			out->nfns = 0;
		/* least-recently-used at an hour's grain: a run that only
		 * uses what it knew writes nothing */
		if ((uint64_t)time(NULL) >= e->last_used + 3600) {
			e->last_used = (uint64_t)time(NULL);
			c->dirty = true;
		}
	}
	unlock(c);
	return ok;
}

bool bincache_verify(const struct ct_bin_entry *e, int fd)
{
	for (size_t i = 0; i < e->plan.n; i++) {
		uint8_t b[BINCACHE_PROBE_BYTES];

		if (pread(fd, b, sizeof(b), (off_t)e->plan.probes[i].offset) != (ssize_t)sizeof(b) ||
		    memcmp(b, e->bytes[i], sizeof(b)))
			return false;
	}
	return true;
}

void bincache_set_py(struct bincache *c, const struct ct_bin_id *fid, bool is_py)
{
	struct ct_bin_entry *e;

	lock(c);
	e = find(c, fid);
	if (e && e->is_py != is_py) {
		e->is_py = is_py;
		c->dirty = true;
	}
	unlock(c);
}

void bincache_put(struct bincache *c, const struct ct_bin_id *fid, bool is_go, const char *version,
		  const char *note, const char *path, const struct goprobe_plan *plan,
		  const struct ct_initfn *fns, size_t nfns, int fd)
{
	struct ct_bin_entry *e;

	lock(c);
	e = find(c, fid);
	if (e)
		free(e->fns);
	else
		e = slot(c);
	if (!e) {
		unlock(c);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->fid = *fid;
	e->is_go = is_go;
	snprintf(e->version, sizeof(e->version), "%s", version ? version : "");
	snprintf(e->note, sizeof(e->note), "%s", note ? note : "");
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	if (plan) {
		e->plan = *plan;
		/* our own copy of the name: the entry outlives the caller's plan */
		if (plan->init_func)
			e->plan.init_func = init_funcs[!strcmp(plan->init_func, init_funcs[1])];
	}
	for (size_t i = 0; i < e->plan.n; i++)
		if (pread(fd, e->bytes[i], BINCACHE_PROBE_BYTES, (off_t)e->plan.probes[i].offset) !=
		    BINCACHE_PROBE_BYTES)
			e->plan.n = 0; /* cannot check it later: do not keep it */
	if (nfns && (e->fns = ct_initfn_dup(fns, nfns)))
		e->nfns = nfns;
	e->last_used = (uint64_t)time(NULL);
	c->dirty = true;
	unlock(c);
}

static struct bincache_cmd *cmd_find(struct bincache *c, const char *key, bool create)
{
	struct bincache_cmd *n;

	for (size_t i = 0; i < c->ncmds; i++)
		if (!strcmp(c->cmds[i].key, key))
			return &c->cmds[i];
	if (!create || c->ncmds >= BINCACHE_MAX_CMDS)
		return NULL;
	n = realloc(c->cmds, (c->ncmds + 1) * sizeof(*n));
	if (!n)
		return NULL;
	c->cmds = n;
	n = &c->cmds[c->ncmds];
	memset(n, 0, sizeof(*n));
	if (!(n->key = strdup(key)))
		return NULL;
	c->ncmds++;
	return n;
}

/* fid becomes the newest of k's binaries (a binary seen again moves up). */
static void cmd_add(struct bincache_cmd *k, const struct ct_bin_id *fid)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->bins[i].dev == fid->dev && k->bins[i].ino == fid->ino) {
			memmove(k->bins + i, k->bins + i + 1, (k->n - i - 1) * sizeof(k->bins[0]));
			k->n--;
			break;
		}
	if (k->n == BINCACHE_MAX_HISTORY)
		memmove(k->bins, k->bins + 1, --k->n * sizeof(k->bins[0]));
	k->bins[k->n++] = *fid;
}

void bincache_note_exec(struct bincache *c, const char *cmdkey, const struct ct_bin_id *fid)
{
	struct bincache_cmd *k;

	lock(c);
	k = cmd_find(c, cmdkey, true);
	if (k) {
		bool known = false;

		for (size_t i = 0; i < k->n && !known; i++)
			known = !memcmp(&k->bins[i], fid, sizeof(*fid));
		cmd_add(k, fid);
		c->dirty |= !known; /* order alone is not worth a write */
	}
	unlock(c);
}

static uint64_t kdev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

char **bincache_history(struct bincache *c, const char *cmdkey, size_t *n)
{
	struct bincache_cmd *k;
	char **out = NULL;

	*n = 0;
	lock(c);
	k = cmd_find(c, cmdkey, false);
	if (k && (out = calloc(k->n + 1, sizeof(*out)))) {
		for (size_t i = 0; i < k->n; i++) {
			/* the entry of the very file exec'd, not an older one
			 * of the same inode */
			struct ct_bin_entry *e = find(c, &k->bins[i]);
			struct stat st;

			/* still the same file at the same place */
			if (!e || !e->path[0] || stat(e->path, &st) || kdev(st.st_dev) != e->fid.dev ||
			    st.st_ino != e->fid.ino || (uint64_t)st.st_size != e->fid.size)
				continue;
			if ((out[*n] = strdup(e->path)))
				(*n)++;
		}
		if (!*n) {
			free(out);
			out = NULL;
		}
	}
	unlock(c);
	return out;
}

/* ---- text form ---- */

/* %XX for bytes that would end a field or a line. */
static void put_esc(struct strbuf *sb, const char *s)
{
	if (!*s) {
		sb_puts(sb, "-"); /* the empty string */
		return;
	}
	if (!strcmp(s, "-")) {
		sb_puts(sb, "%2D");
		return;
	}
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch == '%' || ch >= 0x7f)
			sb_printf(sb, "%%%02X", ch);
		else
			sb_putc(sb, (char)ch);
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode a field in place; "-" is the empty string. */
static bool unesc(char *s)
{
	char *o = s;

	if (!strcmp(s, "-")) {
		*s = 0;
		return true;
	}
	for (; *s; s++) {
		if (*s == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (l < 0)
				return false;
			*o++ = (char)(h * 16 + l);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return true;
}

char *bincache_format(struct bincache *c, size_t *len)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_puts(&sb, HEADER);
	lock(c);
	for (size_t i = 0; i < c->n; i++) {
		const struct ct_bin_entry *e = &c->e[i];
		int fi = e->plan.init_func && !strcmp(e->plan.init_func, init_funcs[1]) ? 1 : 0;

		sb_printf(&sb, "B %llu %llu %llu %llu %llu %llu %s ", (unsigned long long)e->fid.dev,
			  (unsigned long long)e->fid.ino, (unsigned long long)e->fid.size,
			  (unsigned long long)e->fid.mtime_ns, (unsigned long long)e->fid.ctime_ns,
			  (unsigned long long)e->last_used, e->is_go ? "go" : e->is_py ? "py" : "other");
		put_esc(&sb, e->version);
		sb_putc(&sb, ' ');
		put_esc(&sb, e->note);
		sb_putc(&sb, ' ');
		put_esc(&sb, e->path);
		sb_putc(&sb, '\n');
		if (e->plan.n)
			sb_printf(&sb, "Q %d %d %d %d\n", fi, e->plan.has_rtstart, e->plan.task_start,
				  e->plan.task_end);
		for (size_t k = 0; k < e->plan.n; k++) {
			const struct goprobe *p = &e->plan.probes[k];

			sb_printf(&sb, "P %d %llx %llx %u %d %d ", (int)p->kind, (unsigned long long)p->vaddr,
				  (unsigned long long)p->offset, p->reg, p->mem, p->disp);
			for (size_t j = 0; j < BINCACHE_PROBE_BYTES; j++)
				sb_printf(&sb, "%02x", e->bytes[k][j]);
			sb_putc(&sb, '\n');
		}
		for (size_t k = 0; k < e->nfns; k++) {
			sb_printf(&sb, "F %llx ", (unsigned long long)e->fns[k].entry);
			put_esc(&sb, e->fns[k].pkg);
			sb_putc(&sb, '\n');
		}
	}
	for (size_t i = 0; i < c->ncmds; i++) {
		sb_puts(&sb, "C ");
		put_esc(&sb, c->cmds[i].key);
		for (size_t k = 0; k < c->cmds[i].n; k++)
			sb_printf(&sb, " %llu:%llu:%llu:%llu:%llu", (unsigned long long)c->cmds[i].bins[k].dev,
				  (unsigned long long)c->cmds[i].bins[k].ino,
				  (unsigned long long)c->cmds[i].bins[k].size,
				  (unsigned long long)c->cmds[i].bins[k].mtime_ns,
				  (unsigned long long)c->cmds[i].bins[k].ctime_ns);
		sb_putc(&sb, '\n');
	}
	unlock(c);
	*len = sb.len;
	return sb.buf;
}

/* Split a line into at most max fields (in place); -1 if it has more
 * (f[0] is still set then). */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	return tok ? -1 : n;
}

static bool num(const char *s, int base, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, base);
	return *s && !*end && !errno && *s != '-';
}

/* Finish the entry being read: its init functions go into one block. */
static void close_entry(struct ct_bin_entry *e, uint64_t *fe, char **fp, size_t nf, bool bad_plan)
{
	if (!e)
		return;
	if (bad_plan)
		e->plan.n = 0; /* never half a plan */
	if (nf && (e->fns = initfn_block(fe, fp, nf)))
		e->nfns = nf;
}

int bincache_parse(struct bincache *c, const char *text, size_t len)
{
	struct ct_bin_entry *cur = NULL;
	uint64_t *fe = NULL;
	char **fp = NULL, *buf;
	size_t nf = 0, capf = 0, pos, hl = strlen(HEADER);
	bool bad_plan = false; /* cur had a P line rejected */
	int count = 0;

	if (len < hl || memcmp(text, HEADER, hl))
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	lock(c);
	for (pos = hl; pos < len;) {
		/* a C line: its key and up to BINCACHE_MAX_HISTORY binaries */
		char *line = buf + pos, *nl = memchr(line, '\n', len - pos), *f[2 + BINCACHE_MAX_HISTORY];
		unsigned long long v[8];
		int n;

		if (!nl)
			break; /* a cut last line is dropped */
		*nl = 0;
		pos = (size_t)(nl - buf) + 1;
		if (memchr(line, 0, (size_t)(nl - line)))
			continue;
		n = fields(line, f, 2 + BINCACHE_MAX_HISTORY);
		if (!n || strlen(f[0]) != 1)
			continue;
		switch (f[0][0]) {
		case 'B': {
			struct ct_bin_entry *e;

			close_entry(cur, fe, fp, nf, bad_plan);
			for (size_t i = 0; i < nf; i++)
				free(fp[i]);
			nf = 0;
			cur = NULL;
			bad_plan = false;
			if (n != 11)
				break;
			for (int i = 0; i < 6; i++)
				if (!num(f[1 + i], 10, &v[i]))
					goto skip;
			if (!unesc(f[8]) || !unesc(f[9]) || !unesc(f[10]))
				break;
			if (strlen(f[8]) >= 32 || strlen(f[9]) >= 320 || strlen(f[10]) >= PATH_MAX)
				break;
			{
				struct ct_bin_id id = {v[0], v[1], v[2], v[3], v[4]};

				if (find(c, &id))
					break; /* the first copy wins */
				if (!(e = slot(c)))
					break;
				e->fid = id;
			}
			e->last_used = v[5];
			e->is_go = !strcmp(f[7], "go");
			e->is_py = !strcmp(f[7], "py");
			snprintf(e->version, sizeof(e->version), "%s", f[8]);
			snprintf(e->note, sizeof(e->note), "%s", f[9]);
			snprintf(e->path, sizeof(e->path), "%s", f[10]);
			cur = e;
			count++;
skip:
			break;
		}
		case 'Q':
			if (!cur || n != 5 || !num(f[1], 10, &v[0]) || v[0] > 1)
				break;
			cur->plan.init_func = init_funcs[v[0]];
			cur->plan.has_rtstart = !strcmp(f[2], "1");
			cur->plan.task_start = !strcmp(f[3], "1");
			cur->plan.task_end = !strcmp(f[4], "1");
			break;
		case 'P': {
			struct goprobe *p;
			char *end;
			long reg, mem, disp;

			if (!cur)
				break;
			if (n != 8 || cur->plan.n >= GOPROBE_MAX || strlen(f[7]) != 2 * BINCACHE_PROBE_BYTES)
				goto bad_p;
			if (!num(f[1], 10, &v[0]) || !num(f[2], 16, &v[1]) || !num(f[3], 16, &v[2]))
				goto bad_p;
			reg = strtol(f[4], &end, 10);
			if (*end || reg < 0 || reg > 255)
				goto bad_p;
			mem = strtol(f[5], &end, 10);
			if (*end || mem < 0 || mem > 1)
				goto bad_p;
			disp = strtol(f[6], &end, 10);
			if (*end || disp < CT_DISP_MIN || disp > CT_DISP_MAX)
				goto bad_p;
			if (v[0] < CT_GO_RTSTART || v[0] > CT_GO_TASKEND)
				goto bad_p;
			p = &cur->plan.probes[cur->plan.n];
			for (size_t j = 0; j < BINCACHE_PROBE_BYTES; j++) {
				int h = hexval(f[7][2 * j]), l = hexval(f[7][2 * j + 1]);

				if (h < 0 || l < 0)
					goto bad_p;
				cur->bytes[cur->plan.n][j] = (uint8_t)(h * 16 + l);
			}
			p->kind = (enum ct_go_probe)v[0];
			p->vaddr = v[1];
			p->offset = v[2];
			p->reg = (uint8_t)reg;
			p->mem = mem;
			p->disp = (int32_t)disp;
			cur->plan.n++;
			break;
bad_p:
			bad_plan = true;
			break;
		}
		case 'F':
			if (!cur || n != 3 || !num(f[1], 16, &v[0]) || !unesc(f[2]) || nf >= 1u << 16)
				break;
			if (nf == capf) {
				size_t cap = capf ? 2 * capf : 64;
				uint64_t *ne = realloc(fe, cap * sizeof(*ne));
				char **np;

				if (!ne)
					break;
				fe = ne;
				np = realloc(fp, cap * sizeof(*np));
				if (!np)
					break;
				fp = np;
				capf = cap;
			}
			if (!(fp[nf] = strdup(f[2])))
				break;
			fe[nf++] = v[0];
			break;
		case 'C': {
			struct bincache_cmd *k;

			if (n < 2 || !unesc(f[1]) || !(k = cmd_find(c, f[1], true)))
				break;
			for (int i = 2; i < n; i++) {
				unsigned long long a[5];
				char *q = f[i];
				int j;

				for (j = 0; j < 5; j++) {
					char *colon = strchr(q, ':');

					if (colon)
						*colon = 0;
					if (!num(q, 10, &a[j]) || (j < 4 && !colon))
						break;
					q = colon ? colon + 1 : q;
				}
				if (j == 5) {
					struct ct_bin_id id = {a[0], a[1], a[2], a[3], a[4]};

					cmd_add(k, &id);
				}
			}
			break;
		}
		}
	}
	close_entry(cur, fe, fp, nf, bad_plan);
	for (size_t i = 0; i < nf; i++)
		free(fp[i]);
	free(fp);
	free(fe);
	/* a plan needs its init function named, or it is dropped */
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].plan.n && !c->e[i].plan.init_func)
			c->e[i].plan.n = 0;
	unlock(c);
	free(buf);
	return count;
}

/* ---- the file ---- */

static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022);
}

void bincache_load(struct bincache *c, const char *dir)
{
	char d[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct stat st;
	char *text;
	ssize_t r;
	size_t len = 0;
	int fd;

	memset(c, 0, sizeof(*c));
	if (dir)
		snprintf(d, sizeof(d), "%s", dir);
	else if (xdg && xdg[0] == '/')
		snprintf(d, sizeof(d), "%s/coldtrace", xdg);
	else if (home && home[0] == '/')
		snprintf(d, sizeof(d), "%s/.cache/coldtrace", home);
	else
		return;
	if (!dir) {
		/* the base directory itself may not exist yet */
		char parent[PATH_MAX];

		if (xdg && xdg[0] == '/')
			snprintf(parent, sizeof(parent), "%s", xdg);
		else
			snprintf(parent, sizeof(parent), "%s/.cache", home);
		if (mkdir(parent, 0700) && errno != EEXIST)
			return;
	}
	if (mkdir(d, 0700) && errno != EEXIST)
		return;
	if (lstat(d, &st) || !S_ISDIR(st.st_mode) || !trusted(&st))
		return; /* not ours: neither read nor written */
	if (snprintf(c->path, sizeof(c->path), "%s/bins", d) >= (int)sizeof(c->path)) {
		c->path[0] = 0;
		return;
	}
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !trusted(&st) || st.st_size > MAX_FILE) {
		close(fd);
		c->path[0] = 0;
		return;
	}
	text = malloc((size_t)st.st_size + 1);
	while (text && len < (size_t)st.st_size && (r = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	if (text)
		bincache_parse(c, text, len);
	free(text);
	c->dirty = false;
}

int bincache_save(struct bincache *c)
{
	char tmp[PATH_MAX + 32];
	struct bincache disk;
	size_t len, off = 0;
	char *text;
	int fd, rc = 0;

	if (!c->path[0])
		return -1;
	/* merge what other runs wrote meanwhile: theirs are kept where ours
	 * do not say otherwise */
	{
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", c->path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		bincache_load(&disk, dir);
		lock(c);
		for (size_t i = 0; i < disk.n; i++) {
			struct ct_bin_entry *e;

			if (find(c, &disk.e[i].fid) || !(e = slot(c)))
				continue;
			*e = disk.e[i];
			disk.e[i].fns = NULL;
		}
		for (size_t i = 0; i < disk.ncmds; i++) {
			struct bincache_cmd *k = cmd_find(c, disk.cmds[i].key, true);

			for (size_t j = 0; k && j < disk.cmds[i].n; j++) {
				bool have = false;

				for (size_t m = 0; m < k->n; m++)
					have |= k->bins[m].dev == disk.cmds[i].bins[j].dev &&
						k->bins[m].ino == disk.cmds[i].bins[j].ino;
				if (!have && k->n < BINCACHE_MAX_HISTORY)
					k->bins[k->n++] = disk.cmds[i].bins[j];
			}
		}
		unlock(c);
		bincache_free(&disk);
	}
	text = bincache_format(c, &len);
	if (!text)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", c->path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		free(text);
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd))
		rc = -1;
	if (!rc && rename(tmp, c->path))
		rc = -1;
	if (rc)
		unlink(tmp);
	free(text);
	c->dirty = rc != 0;
	return rc;
}

void bincache_free(struct bincache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].fns);
	free(c->e);
	for (size_t i = 0; i < c->ncmds; i++)
		free(c->cmds[i].key);
	free(c->cmds);
	if (c->lock_init)
		pthread_mutex_destroy(&c->lock);
	c->e = NULL;
	c->cmds = NULL;
	c->n = c->cap = c->ncmds = 0;
	c->lock_init = false;
}
