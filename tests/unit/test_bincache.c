// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bincache unit tests: the text form (round trip of every field, escaping,
 * command history), lookups by exact identity, the probe-byte check,
 * eviction, hostile inputs, the file (trust, O_NOFOLLOW, merge of two
 * writers), the history's still-the-same-file filter, and the init
 * function table of a real Go 1.19 binary (tests/goprogs).
 *
 * CT_WRITE_SEEDS=<dir> also writes the texts made here (the fuzz seed
 * corpus, tests/fuzz/corpus/bincache).
 */
#include "ct_test.h"
#include "bincache.h"
#include "goelf.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROG(name) CT_BINARY_DIR "/goprogs/" name

static char tmpdir[PATH_MAX];
static const char *seed_dir;
static void write_seed(const char *name, const char *text, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	if (!seed_dir)
		return;
	snprintf(p, sizeof(p), "%s/%s", seed_dir, name);
	f = fopen(p, "wb");
	if (!f)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

/* tmpdir/name with len bytes of data; its path in out. */
static int mkfile(const char *name, const uint8_t *data, size_t len, char *out)
{
	int fd;

	if (snprintf(out, PATH_MAX, "%s/%s", tmpdir, name) >= PATH_MAX)
		return -1;
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0700);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t kdev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static int fid_of(const char *path, struct ct_bin_id *id)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	id->dev = kdev(st.st_dev);
	id->ino = st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
	id->ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
	return 0;
}

static struct ct_bin_entry *entry_of(struct bincache *c, const struct ct_bin_id *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!memcmp(&c->e[i].fid, id, sizeof(*id)))
			return &c->e[i];
	return NULL;
}

static struct bincache_cmd *cmd_of(struct bincache *c, const char *key)
{
	for (size_t i = 0; i < c->ncmds; i++)
		if (!strcmp(c->cmds[i].key, key))
			return &c->cmds[i];
	return NULL;
}

/* Field-by-field: b is a's text form parsed back. */
static bool entry_same(const struct ct_bin_entry *a, const struct ct_bin_entry *b)
{
	bool ok = true;

#define SAME(cond)                                                             \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("    entry ino %llu: %s\n",                         \
			       (unsigned long long)a->fid.ino, #cond);         \
			ok = false;                                            \
		}                                                              \
	} while (0)
	SAME(!memcmp(&a->fid, &b->fid, sizeof(a->fid)));
	SAME(a->is_go == b->is_go);
	SAME(!strcmp(a->version, b->version));
	SAME(!strcmp(a->note, b->note));
	SAME(!strcmp(a->path, b->path));
	SAME(a->last_used == b->last_used);
	SAME(a->plan.n == b->plan.n);
	if (a->plan.n && a->plan.n == b->plan.n) {
		SAME(a->plan.init_func && b->plan.init_func &&
		     !strcmp(a->plan.init_func, b->plan.init_func));
		SAME(a->plan.has_rtstart == b->plan.has_rtstart);
		SAME(a->plan.task_start == b->plan.task_start);
		SAME(a->plan.task_end == b->plan.task_end);
		for (size_t k = 0; k < a->plan.n; k++) {
			const struct goprobe *p = &a->plan.probes[k], *q = &b->plan.probes[k];

			SAME(p->kind == q->kind);
			SAME(p->vaddr == q->vaddr);
			SAME(p->offset == q->offset);
			SAME(p->reg == q->reg);
			SAME(p->mem == q->mem);
			SAME(p->disp == q->disp);
			SAME(!memcmp(a->bytes[k], b->bytes[k], BINCACHE_PROBE_BYTES));
		}
	}
	SAME(a->nfns == b->nfns);
	for (size_t k = 0; k < a->nfns && a->nfns == b->nfns; k++) {
		SAME(a->fns[k].entry == b->fns[k].entry);
		SAME(!strcmp(a->fns[k].pkg, b->fns[k].pkg));
	}
#undef SAME
	return ok;
}

static bool cmds_same(struct bincache *a, struct bincache *b)
{
	if (a->ncmds != b->ncmds)
		return false;
	for (size_t i = 0; i < a->ncmds; i++) {
		struct bincache_cmd *k = cmd_of(b, a->cmds[i].key);

		if (!k || k->n != a->cmds[i].n ||
		    memcmp(k->bins, a->cmds[i].bins, k->n * sizeof(k->bins[0])))
			return false;
	}
	return true;
}

/* Texts that must survive: escapes, the lone "-", the empty string,
 * non-ASCII, control bytes, '%' and what looks like an escape. */
static const char *const versions[] = {
	"go1.19.8", "-", "", "go 1.21 %", "v-1", "\xc3\xa9t\xc3\xa9", "a\tb\nc\r\x01\x7f\xff", "%2D",
};
static const char *const notes[] = {
	"runtime start not found: @ times are relative to the first init",
	"100% done - ok",
	"-",
	"",
	"line1\nline2 %0A",
	"\x1b[31mred\x1b[0m -",
	"\xe6\x97\xa5\xe6\x9c\xac note",
	"--",
};
static const char *const paths[] = {
	"/usr/bin/go app", "/tmp/%41%zz", "-", "", "/opt/\xe2\x82\xac/bin", "/a\nb c", "/x/-", "/bin/true",
};
static const char *const pkgs[] = {
	"main", "example.com/initgraph/alpha", "-", "", "with space", "100%", "\xc3\xa9\x01\x7f", "a-b",
};
static const uint8_t regs[] = {0, 1, 15, 32, 62, 63, 255};
static const int32_t disps[] = {0, -8, CT_DISP_MIN, CT_DISP_MAX, 0x1234, -1};

#define NRT 9 /* entries of the round trip */

/* Fill c with NRT entries (probe bytes from the file at fd) and history;
 * the plans name their init function with doinit1 and doinit. */
static void fill(struct bincache *c, int fd, size_t flen, struct ct_bin_id *ids, char *doinit1,
		 char *doinit)
{

	for (int i = 0; i < NRT; i++) {
		struct goprobe_plan plan = {0};
		struct ct_initfn fns[3 * NRT];
		size_t nf = (size_t)i * 3;

		ids[i] = (struct ct_bin_id){.dev = i == 0 ? UINT64_MAX : (uint64_t)i << 20 | 3,
					    .ino = 1000 + (uint64_t)i,
					    .size = i == 1 ? UINT64_MAX : 4096 * (uint64_t)i,
					    .mtime_ns = 1700000000123456789ull + (uint64_t)i,
					    .ctime_ns = i == 2 ? 0 : 1700000001987654321ull - (uint64_t)i};
		plan.n = i == 0 ? GOPROBE_MAX : (size_t)i % GOPROBE_MAX;
		if (i == NRT - 1)
			plan.n = 0;
		/* copies: the name counts, not the pointer */
		plan.init_func = i & 1 ? doinit1 : doinit;
		plan.has_rtstart = i & 1;
		plan.task_start = i >> 1 & 1;
		plan.task_end = i >> 2 & 1;
		for (size_t k = 0; k < plan.n; k++) {
			struct goprobe *p = &plan.probes[k];

			p->kind = (enum ct_go_probe)(CT_GO_RTSTART + (k + (size_t)i) % 6);
			p->vaddr = k == 7 ? UINT64_MAX : 0x401000 + 0x10 * k + (uint64_t)i;
			p->offset = (k * 997 + (size_t)i * 31) % (flen - BINCACHE_PROBE_BYTES);
			if (k == 1)
				p->offset = flen - BINCACHE_PROBE_BYTES; /* the last bytes */
			p->reg = regs[(k + (size_t)i) % sizeof(regs)];
			p->mem = (k + (size_t)i) & 1;
			p->disp = disps[(k + (size_t)i) % (sizeof(disps) / sizeof(disps[0]))];
		}
		for (size_t k = 0; k < nf; k++) {
			/* unsorted, one address far up */
			fns[k].entry = k == 2 ? UINT64_MAX - 1 : 0x500000 - 0x40 * k;
			fns[k].pkg = pkgs[(k + (size_t)i) % 8];
		}
		bincache_put(c, &ids[i], i != NRT - 1, versions[i % 8], notes[i % 8], paths[i % 8], &plan,
			     fns, nf, fd);
	}
}

CT_TEST(test_roundtrip)
{
	static uint8_t data[8192];
	struct bincache c = {0}, d = {0};
	struct ct_bin_id ids[NRT];
	char path[PATH_MAX], *t1, *t2, doinit1[] = "runtime.doInit1", doinit[] = "runtime.doInit";
	size_t l1, l2;
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i % 7 ? (uint8_t)ct_rand() : (i % 14 ? 0 : 0xff);
	fd = mkfile("rt", data, sizeof(data), path);
	CT_TRUE(fd >= 0);
	if (fd < 0)
		return;
	fill(&c, fd, sizeof(data), ids, doinit1, doinit);
	close(fd);
	/* the entries do not point into the caller's plan */
	memset(doinit1, 'x', sizeof(doinit1) - 1);
	memset(doinit, 'x', sizeof(doinit) - 1);
	CT_EQ_INT(c.n, NRT);
	/* the bytes kept are the file's */
	for (int i = 0; i < NRT; i++) {
		struct ct_bin_entry *e = entry_of(&c, &ids[i]);

		CT_TRUE(e != NULL);
		if (!e)
			continue;
		CT_EQ_INT(e->plan.n, i == 0 ? GOPROBE_MAX : i == NRT - 1 ? 0 : i % GOPROBE_MAX);
		for (size_t k = 0; k < e->plan.n; k++)
			CT_TRUE(!memcmp(e->bytes[k], data + e->plan.probes[k].offset, BINCACHE_PROBE_BYTES));
		e->last_used = 1000 + (uint64_t)i * 77; /* distinct, kept as is */
	}
	/* history: several commands, keys that need escaping, one with more
	 * binaries than it keeps */
	{
		static const char *const keys[] = {"node server.js", "-", "", "100%\x01\xff", "python3 -m x"};

		for (size_t k = 0; k < 5; k++)
			for (uint64_t j = 0; j < (k == 0 ? BINCACHE_MAX_HISTORY + 6 : k + 1); j++) {
				struct ct_bin_id id = {k + 1, 5000 + j, 100 + j, 200 + j, 300 + j};

				bincache_note_exec(&c, keys[k], &id);
			}
		CT_EQ_INT(c.ncmds, 5);
		struct bincache_cmd *k = cmd_of(&c, "node server.js");

		CT_TRUE(k && k->n == BINCACHE_MAX_HISTORY);
		if (k && k->n == BINCACHE_MAX_HISTORY) {
			CT_EQ_U64(k->bins[0].ino, 5006); /* the 6 oldest dropped */
			CT_EQ_U64(k->bins[BINCACHE_MAX_HISTORY - 1].ino, 5000 + BINCACHE_MAX_HISTORY + 5);
		}
	}
	t1 = bincache_format(&c, &l1);
	CT_TRUE(t1 != NULL);
	if (!t1)
		goto out;
	CT_EQ_INT(strlen(t1), l1);
	CT_EQ_INT(bincache_parse(&d, t1, l1), NRT);
	CT_EQ_INT(d.n, NRT);
	for (int i = 0; i < NRT; i++) {
		struct ct_bin_entry *a = entry_of(&c, &ids[i]), *b = entry_of(&d, &ids[i]);

		CT_TRUE(a && b);
		if (a && b)
			CT_TRUE(entry_same(a, b));
	}
	/* the init function and the flags of both kinds came back */
	{
		struct ct_bin_entry *e0 = entry_of(&d, &ids[0]), *e1 = entry_of(&d, &ids[1]);

		CT_TRUE(e0 && e0->plan.init_func && !strcmp(e0->plan.init_func, "runtime.doInit"));
		CT_TRUE(e1 && e1->plan.init_func && !strcmp(e1->plan.init_func, "runtime.doInit1"));
		CT_TRUE(e1 && e1->plan.has_rtstart && !e1->plan.task_start);
	}
	CT_TRUE(cmds_same(&c, &d));
	{
		struct bincache_cmd *k = cmd_of(&d, "node server.js");

		CT_TRUE(k && k->n == BINCACHE_MAX_HISTORY && k->bins[0].ino == 5006);
		CT_TRUE(cmd_of(&d, "") && cmd_of(&d, "-") && cmd_of(&d, "100%\x01\xff"));
	}
	/* and formats to the same text */
	t2 = bincache_format(&d, &l2);
	CT_TRUE(t2 && l1 == l2 && !memcmp(t1, t2, l1));
	write_seed("roundtrip", t1, l1);
	free(t2);
	free(t1);
out:
	bincache_free(&c);
	bincache_free(&d);
}

/* A re-exec'd binary is the newest of its command's history. */
CT_TEST(test_history_recency)
{
	struct bincache c = {0};
	struct ct_bin_id a = {1, 1, 10, 20, 30};
	struct bincache_cmd *k;

	bincache_note_exec(&c, "cmd", &a);
	for (uint64_t j = 0; j < BINCACHE_MAX_HISTORY - 1; j++) {
		struct ct_bin_id id = {1, 100 + j, 1, 1, 1};

		bincache_note_exec(&c, "cmd", &id);
	}
	a.size = 11; /* the same file, rewritten */
	bincache_note_exec(&c, "cmd", &a);
	{
		struct ct_bin_id id = {1, 999, 1, 1, 1};

		bincache_note_exec(&c, "cmd", &id);
	}
	k = cmd_of(&c, "cmd");
	CT_TRUE(k != NULL);
	if (k) {
		bool have_a = false, have_first = false;

		CT_EQ_INT(k->n, BINCACHE_MAX_HISTORY);
		for (size_t i = 0; i < k->n; i++) {
			have_a |= k->bins[i].ino == 1 && k->bins[i].size == 11;
			have_first |= k->bins[i].ino == 100;
		}
		CT_TRUE(have_a);
		CT_TRUE(!have_first);
		CT_EQ_U64(k->bins[k->n - 1].ino, 999);
	}
	bincache_free(&c);
}

CT_TEST(test_lookup)
{
	static uint8_t data[1024];
	struct ct_initfn fns[] = {{0x30, "b/pkg"}, {0x10, "main"}, {0x20, "a pkg"}};
	struct goprobe_plan plan = {.n = 1, .init_func = "runtime.doInit1"};
	struct ct_bin_id id = {0x800001, 42, 1024, 111, 222};
	struct bincache c = {0};
	struct ct_bin_entry out, *e;
	char path[PATH_MAX];
	int fd;

	plan.probes[0] = (struct goprobe){.kind = CT_GO_INITCALL, .vaddr = 0x401000, .offset = 64};
	fd = mkfile("lookup", data, sizeof(data), path);
	CT_TRUE(fd >= 0);
	bincache_put(&c, &id, true, "go1.19", "n", "/bin/x", &plan, fns, 3, fd);
	close(fd);
	CT_TRUE(bincache_lookup(&c, &id, &out));
	CT_EQ_STR(out.version, "go1.19");
	CT_EQ_STR(out.path, "/bin/x");
	CT_EQ_INT(out.plan.n, 1);
	CT_EQ_INT(out.nfns, 3);
	e = entry_of(&c, &id);
	CT_TRUE(e != NULL);
	if (e && out.fns) {
		const char *lo = (const char *)e->fns, *hi = lo;

		for (size_t i = 0; i < e->nfns; i++)
			if (e->fns[i].pkg + strlen(e->fns[i].pkg) + 1 > hi)
				hi = e->fns[i].pkg + strlen(e->fns[i].pkg) + 1;

		/* an owned copy: neither the array nor its strings are the entry's */
		CT_TRUE(out.fns != e->fns);
		for (size_t i = 0; i < out.nfns; i++) {
			CT_TRUE(out.fns[i].pkg < lo || out.fns[i].pkg >= hi);
			CT_EQ_U64(out.fns[i].entry, 0x10 * (i + 1));
		}
		CT_EQ_STR(out.fns[0].pkg, "main");
		CT_EQ_STR(out.fns[1].pkg, "a pkg");
		CT_EQ_STR(out.fns[2].pkg, "b/pkg");
	}
	free(out.fns);
	/* still whole after the copy was freed */
	CT_TRUE(bincache_lookup(&c, &id, &out));
	CT_TRUE(out.nfns == 3 && out.fns && !strcmp(out.fns[2].pkg, "b/pkg"));
	/* and the copy outlives the cache (ASan would see a shared block) */
	bincache_free(&c);
	CT_TRUE(out.fns && !strcmp(out.fns[0].pkg, "main") && !strcmp(out.fns[1].pkg, "a pkg"));
	free(out.fns);

	/* only the exact identity matches */
	memset(&c, 0, sizeof(c));
	bincache_put(&c, &id, true, "go1.19", "", "", NULL, NULL, 0, -1);
	for (int f = 0; f < 5; f++) {
		for (int dlt = -1; dlt <= 1; dlt += 2) {
			struct ct_bin_id x = id;
			uint64_t *v = f == 0 ? &x.dev : f == 1 ? &x.ino : f == 2 ? &x.size
				      : f == 3 ? &x.mtime_ns : &x.ctime_ns;

			*v += (uint64_t)dlt;
			if (bincache_lookup(&c, &x, &out)) {
				printf("  field %d changed by %d still matches\n", f, dlt);
				CT_TRUE(0);
				free(out.fns);
			}
		}
	}
	CT_TRUE(bincache_lookup(&c, &id, &out));
	CT_TRUE(out.fns == NULL && out.nfns == 0);
	bincache_free(&c);
}

CT_TEST(test_verify)
{
	static uint8_t data[4096];
	static const uint64_t offs[] = {0, 1000, 4096 - BINCACHE_PROBE_BYTES};
	struct goprobe_plan plan = {.n = 3, .init_func = "runtime.doInit"};
	struct ct_bin_id id = {1, 2, 4096, 3, 4}, id2 = {1, 3, 4096, 3, 4};
	struct bincache c = {0};
	struct ct_bin_entry e;
	char path[PATH_MAX];
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)ct_rand();
	for (size_t k = 0; k < 3; k++)
		plan.probes[k] = (struct goprobe){.kind = (enum ct_go_probe)(k + 1), .offset = offs[k]};
	fd = mkfile("verify", data, sizeof(data), path);
	CT_TRUE(fd >= 0);
	if (fd < 0)
		return;
	bincache_put(&c, &id, true, "", "", path, &plan, NULL, 0, fd);
	CT_TRUE(bincache_lookup(&c, &id, &e));
	CT_EQ_INT(e.plan.n, 3);
	CT_TRUE(bincache_verify(&e, fd));
	/* one byte changed, at each probe's first and last byte */
	for (size_t k = 0; k < 3; k++)
		for (size_t j = 0; j < BINCACHE_PROBE_BYTES; j += BINCACHE_PROBE_BYTES - 1) {
			uint8_t b = data[offs[k] + j] ^ 0x01;

			CT_EQ_INT(pwrite(fd, &b, 1, (off_t)(offs[k] + j)), 1);
			if (bincache_verify(&e, fd)) {
				printf("  byte %zu of probe %zu changed, still verified\n", j, k);
				CT_TRUE(0);
			}
			CT_EQ_INT(pwrite(fd, &data[offs[k] + j], 1, (off_t)(offs[k] + j)), 1);
		}
	CT_TRUE(bincache_verify(&e, fd));
	/* a byte outside every probe does not matter */
	{
		uint8_t b = data[500] ^ 0xff;

		CT_EQ_INT(pwrite(fd, &b, 1, 500), 1);
		CT_TRUE(bincache_verify(&e, fd));
	}
	/* shorter than the last probe's end */
	CT_EQ_INT(ftruncate(fd, 4096 - 1), 0);
	CT_TRUE(!bincache_verify(&e, fd));
	CT_EQ_INT(ftruncate(fd, 900), 0);
	CT_TRUE(!bincache_verify(&e, fd));
	/* a plan whose bytes cannot be read is not kept */
	bincache_put(&c, &id2, true, "", "", path, &plan, NULL, 0, fd);
	CT_TRUE(bincache_lookup(&c, &id2, &e));
	CT_EQ_INT(e.plan.n, 0);
	close(fd);
	bincache_free(&c);
}

CT_TEST(test_eviction)
{
	static uint32_t perm[BINCACHE_MAX_ENTRIES];
	struct bincache c = {0};
	struct ct_bin_id fresh = {9, 9, 9, 9, 9}, lru0 = {0}, lru1 = {0};
	struct ct_bin_entry out;
	size_t len = 0, cap = 64 * BINCACHE_MAX_ENTRIES + 64, present = 0;
	char *text = malloc(cap);

	CT_TRUE(text != NULL);
	if (!text)
		return;
	for (uint32_t i = 0; i < BINCACHE_MAX_ENTRIES; i++)
		perm[i] = i;
	for (uint32_t i = BINCACHE_MAX_ENTRIES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(ct_rand() % (i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	len = (size_t)snprintf(text, cap, "%s", BINCACHE_HEADER);
	for (uint32_t i = 0; i < BINCACHE_MAX_ENTRIES; i++) {
		len += (size_t)snprintf(text + len, cap - len, "B 1 %u 2 3 4 %u other - - -\n", i + 1,
					perm[i] + 100);
		if (perm[i] == 0)
			lru0 = (struct ct_bin_id){1, i + 1, 2, 3, 4};
		if (perm[i] == 1)
			lru1 = (struct ct_bin_id){1, i + 1, 2, 3, 4};
	}
	CT_EQ_INT(bincache_parse(&c, text, len), BINCACHE_MAX_ENTRIES);
	CT_EQ_INT(c.n, BINCACHE_MAX_ENTRIES);
	/* the least recently used, used now: no longer the one to go */
	CT_TRUE(bincache_lookup(&c, &lru0, &out));
	bincache_put(&c, &fresh, false, "", "", "", NULL, NULL, 0, -1);
	CT_EQ_INT(c.n, BINCACHE_MAX_ENTRIES);
	CT_TRUE(bincache_lookup(&c, &fresh, &out));
	CT_TRUE(bincache_lookup(&c, &lru0, &out));
	CT_TRUE(!bincache_lookup(&c, &lru1, &out));
	for (uint32_t i = 0; i < BINCACHE_MAX_ENTRIES; i++) {
		struct ct_bin_id id = {1, i + 1, 2, 3, 4};

		present += bincache_lookup(&c, &id, &out);
	}
	CT_EQ_INT(present, BINCACHE_MAX_ENTRIES - 1);
	free(text);
	bincache_free(&c);
}

#define HDR BINCACHE_HEADER
#define QOK "Q 1 1 1 1\n"
#define POK "P 2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n"

static struct ct_bin_entry *only(struct bincache *c, const char *text, int want)
{
	int n;

	bincache_free(c);
	memset(c, 0, sizeof(*c));
	n = bincache_parse(c, text, strlen(text));
	if (n != want) {
		printf("  parse gave %d, not %d, for:\n%s", n, want, text);
		ct__cur_failed = 1;
	}
	return c->n ? &c->e[0] : NULL;
}

CT_TEST(test_parse_hostile)
{
	static const char *const bad_hdr[] = {
		/* version 2 (before the kind "py") is not read either */
		"", "coldtrace-bincache 3", "coldtrace-bincache 2\n", "coldtrace-bincache 4\n", "Coldtrace-bincache 3\n",
		"B 1 2 3 4 5 6 go - - -\n", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	};
	static const char *const bad_p[] = {
		"P 0 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n", /* kind */
		"P 7 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P -2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 256 1 -8 000102030405060708090a0b0c0d0e0f\n", /* reg */
		"P 2 401000 1000 -1 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 x 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 1 2 -8 000102030405060708090a0b0c0d0e0f\n", /* mem */
		"P 2 401000 1000 1 -1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 1 1 4194304 000102030405060708090a0b0c0d0e0f\n", /* disp */
		"P 2 401000 1000 1 1 -4194305 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 1 1 99999999999999999999 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0g\n", /* hex */
		"P 2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0\n",
		"P 2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f00\n",
		"P 2 40100z 1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 -1000 1 1 -8 000102030405060708090a0b0c0d0e0f\n",
		"P 2 401000 1000 1 1 -8 000102030405060708090a0b0c0d0e0f x\n", /* fields */
		"P 2 401000 1000 1 1 000102030405060708090a0b0c0d0e0f\n",
	};
	struct bincache c = {0};
	struct ct_bin_entry *e;
	char text[4096];

	for (size_t i = 0; i < sizeof(bad_hdr) / sizeof(bad_hdr[0]); i++) {
		size_t l = i == 5 ? 22 : strlen(bad_hdr[i]);

		CT_EQ_INT(bincache_parse(&c, bad_hdr[i], l), -1);
		CT_EQ_INT(c.n, 0);
	}
	/* the kind "py": CPython, never Go, kept as it was written */
	e = only(&c, HDR "B 1 2 3 4 5 6 py 3.11.2 - /usr/bin/python3.11\n", 1);
	CT_TRUE(e && e->is_py && !e->is_go);
	{
		size_t len = 0;
		char *out = bincache_format(&c, &len);

		CT_TRUE(out && strstr(out, " py 3.11.2 ") != NULL);
		free(out);
	}
	e = only(&c, HDR "B 1 2 3 4 5 6 other v n p\n", 1);
	CT_TRUE(e && !e->is_py && !e->is_go);
	/* the control: a valid plan */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" QOK POK, 1);
	CT_TRUE(e && e->plan.n == 1 && e->plan.probes[0].disp == -8 && e->bytes[0][15] == 0x0f);
	/* the limits themselves are valid */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" QOK
		 "P 6 ffffffffffffffff ffffffffffffffff 255 0 4194303 ffFFffFFffFFffFFffFFffFFffFFffFF\n"
		 "P 1 0 0 0 1 -4194304 00000000000000000000000000000000\n", 1);
	CT_TRUE(e && e->plan.n == 2 && e->plan.probes[0].reg == 255 &&
		e->plan.probes[0].disp == CT_DISP_MAX && e->plan.probes[1].disp == CT_DISP_MIN &&
		e->plan.probes[0].offset == UINT64_MAX && e->bytes[0][3] == 0xff);
	/* one bad P line: no plan at all (never half of one) */
	for (size_t i = 0; i < sizeof(bad_p) / sizeof(bad_p[0]); i++) {
		snprintf(text, sizeof(text), HDR "B 1 2 3 4 5 6 go v n p\n" QOK POK "%s" POK, bad_p[i]);
		e = only(&c, text, 1);
		if (!e || e->plan.n) {
			printf("  kept a plan of %zu with: %s", e ? e->plan.n : 0, bad_p[i]);
			CT_TRUE(0);
		}
		CT_TRUE(e && !strcmp(e->version, "v")); /* the entry itself stays */
	}
	/* more probes than a plan has */
	{
		size_t l = (size_t)snprintf(text, sizeof(text), HDR "B 1 2 3 4 5 6 go v n p\n" QOK);

		for (int k = 0; k < GOPROBE_MAX; k++)
			l += (size_t)snprintf(text + l, sizeof(text) - l, POK);
		e = only(&c, text, 1);
		CT_TRUE(e && e->plan.n == GOPROBE_MAX);
		snprintf(text + l, sizeof(text) - l, POK);
		e = only(&c, text, 1);
		CT_TRUE(e && e->plan.n == 0);
	}
	/* no Q line, or a bad one: no init function, no plan */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" POK, 1);
	CT_TRUE(e && e->plan.n == 0);
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" "Q 2 1 1 1\n" POK, 1);
	CT_TRUE(e && e->plan.n == 0);
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" "Q 1 1 1\n" POK, 1);
	CT_TRUE(e && e->plan.n == 0);
	/* a Q line for the previous entry does not name this one's */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" QOK "B 1 3 3 4 5 6 go v n p\n" POK, 2);
	CT_TRUE(c.n == 2 && c.e[0].plan.n == 0 && c.e[1].plan.n == 0);
	/* a cut last line is dropped, whatever it is */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" QOK POK "B 9 9 9 9 9 9 go v n p", 1);
	CT_TRUE(c.n == 1 && e && e->plan.n == 1);
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" QOK POK "F 10 cut", 1);
	CT_TRUE(e && e->nfns == 0 && e->plan.n == 1);
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" "F 10 main\n" "C k 1:2:3:4:5", 1);
	CT_TRUE(e && e->nfns == 1 && c.ncmds == 0);
	/* F lines before any B (or after a bad one) belong to nothing */
	e = only(&c, HDR "F 10 main\n" QOK POK "B 1 2 3 4 5 6 go v n p\n", 1);
	CT_TRUE(e && e->nfns == 0 && e->plan.n == 0);
	e = only(&c, HDR "B 1 x 3 4 5 6 go v n p\n" "F 10 main\n" "B 1 2 3 4 5 6 go v n p\n", 1);
	CT_TRUE(c.n == 1 && e && e->nfns == 0);
	/* F lines: bad address or escape skipped, the rest kept */
	e = only(&c, HDR "B 1 2 3 4 5 6 go v n p\n" "F zz a\nF 10 %zz\nF -1 b\nF 20 c d\nF 30 %41b\n", 1);
	CT_TRUE(e && e->nfns == 1 && e->fns && e->fns[0].entry == 0x30 && !strcmp(e->fns[0].pkg, "Ab"));
	/* duplicate B: the first wins, with its own lines only */
	e = only(&c, HDR "B 1 2 3 4 5 6 go first n p\n" "F 10 a\n" QOK POK
		 "B 1 2 3 4 5 7 go second n p\n" "F 20 b\n" "Q 0 0 0 0\n" POK POK, 1);
	CT_TRUE(c.n == 1 && e && !strcmp(e->version, "first") && e->nfns == 1 &&
		!strcmp(e->fns[0].pkg, "a") && e->plan.n == 1 && e->last_used == 6 &&
		e->plan.init_func && !strcmp(e->plan.init_func, "runtime.doInit1"));
	/* bad B lines: none kept */
	e = only(&c, HDR "B 1 2 3 4 5 go v n p\n"               /* a field short */
		 "B 1 2 3 4 5 6 go v n p x\n"                    /* one too many */
		 "B -1 2 3 4 5 6 go v n p\n"                     /* negative */
		 "B 1 2 3 4 5 99999999999999999999 go v n p\n"   /* overflow */
		 "B 1 2 3 4 5 6 go %zz n p\n"                    /* bad escape */
		 "B 1 2 3 4 5 6 go v n %4\n"
		 "B 1 2 3 4 5 6 go 0123456789012345678901234567890123 n p\n" /* too long */
		 "X 1 2 3 4 5 6 go v n p\n"
		 "BB 1 2 3 4 5 6 go v n p\n", 0);
	CT_TRUE(c.n == 0);
	/* a NUL inside a line: the line is skipped, the next one read */
	{
		static const char nul[] = HDR "B 1 2 3 4\0 5 6 go v n p\nB 1 3 3 4 5 6 go v n p\n";

		bincache_free(&c);
		memset(&c, 0, sizeof(c));
		CT_EQ_INT(bincache_parse(&c, nul, sizeof(nul) - 1), 1);
		CT_TRUE(c.n == 1 && c.e[0].fid.ino == 3);
	}
	/* C lines: malformed binaries skipped, the others kept */
	only(&c, HDR "C k 1:2:3:4:5 1:2:3:4 a:b:c:d:e 1:2:3:4:-5 2:2:3:4:5 :1:2:3:4\nC %zz 1:2:3:4:5\nC\n", 0);
	CT_TRUE(c.ncmds == 1 && c.cmds[0].n == 2 && c.cmds[0].bins[1].dev == 2);
	/* garbage after the header: whatever it gives formats and reparses the same */
	for (int round = 0; round < 200; round++) {
		static const char alpha[] = "BQPFC 0123456789abcdef-%:\n\t";
		struct bincache d = {0};
		char *t1, *t2;
		size_t l1, l2, l = strlen(HDR);

		memcpy(text, HDR, l);
		while (l < sizeof(text) - 1)
			text[l++] = round & 1 ? (char)ct_rand() : alpha[ct_rand() % (sizeof(alpha) - 1)];
		bincache_free(&c);
		memset(&c, 0, sizeof(c));
		CT_TRUE(bincache_parse(&c, text, l) >= 0);
		t1 = bincache_format(&c, &l1);
		CT_TRUE(bincache_parse(&d, t1, l1) == (int)c.n);
		t2 = bincache_format(&d, &l2);
		CT_TRUE(l1 == l2 && !memcmp(t1, t2, l1));
		free(t1);
		free(t2);
		bincache_free(&d);
	}
	bincache_free(&c);
	{
		static const char seed[] = HDR "B 1 2 3 4 5 6 go go1.19.8 - /tmp/x%20y\n" QOK POK
			"P 6 401050 1050 0 0 0 ffeeddccbbaa99887766554433221100\n"
			"F 10 main\nF 20 example.com/a\nB 1 3 3 4 5 6 other - - -\n"
			"C node%20x 1:2:3:4:5 1:3:3:4:5\n";

		write_seed("hand", seed, sizeof(seed) - 1);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	*len = 0;
	if (f && buf)
		*len = fread(buf, 1, 1 << 20, f);
	if (f)
		fclose(f);
	return buf;
}

static void put_simple(struct bincache *c, uint64_t ino, const char *path)
{
	struct ct_bin_id id = {7, ino, 100, 200, 300};
	struct ct_initfn fn = {0x10, "main"};

	bincache_put(c, &id, true, "go1.19", "note with spaces", path, NULL, &fn, 1, -1);
}

static bool has_ino(struct bincache *c, uint64_t ino)
{
	struct ct_bin_id id = {7, ino, 100, 200, 300};

	return entry_of(c, &id) != NULL;
}

CT_TEST(test_load_save)
{
	char dir[PATH_MAX + 8], file[PATH_MAX + 16], real[PATH_MAX + 8], *t1, *t2, *before, *after;
	struct bincache a, b, c;
	struct ct_bin_id x = {7, 1, 100, 200, 300};
	struct stat st;
	size_t l1, l2, lb, la;

	snprintf(dir, sizeof(dir), "%s/cache", tmpdir);
	snprintf(file, sizeof(file), "%s/bins", dir);
	bincache_load(&a, dir);
	CT_TRUE(a.n == 0 && a.path[0]);
	CT_TRUE(!stat(dir, &st) && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	put_simple(&a, 1, "/bin/one");
	put_simple(&a, 2, "-");
	put_simple(&a, 3, "");
	bincache_note_exec(&a, "cmd x", &x);
	CT_EQ_INT(bincache_save(&a), 0);
	CT_TRUE(!lstat(file, &st) && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0);
	bincache_load(&b, dir);
	CT_EQ_INT(b.n, 3);
	t1 = bincache_format(&a, &l1);
	t2 = bincache_format(&b, &l2);
	CT_TRUE(t1 && t2 && l1 == l2 && !memcmp(t1, t2, l1));
	write_seed("saved", t2, l2);
	free(t1);
	free(t2);
	bincache_free(&b);

	/* writable by others: ignored, and not written either */
	CT_EQ_INT(chmod(file, 0666), 0);
	bincache_load(&b, dir);
	CT_TRUE(b.n == 0 && !b.path[0]);
	CT_EQ_INT(bincache_save(&b), -1);
	bincache_free(&b);
	CT_EQ_INT(chmod(file, 0620), 0);
	bincache_load(&b, dir);
	CT_EQ_INT(b.n, 0);
	bincache_free(&b);
	CT_EQ_INT(chmod(file, 0600), 0);
	bincache_load(&b, dir);
	CT_EQ_INT(b.n, 3);
	bincache_free(&b);
	/* owned by someone else */
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		uid_t nobody = pw ? pw->pw_uid : 65534;

		CT_EQ_INT(chown(file, nobody, (gid_t)-1), 0);
		bincache_load(&b, dir);
		CT_TRUE(b.n == 0 && !b.path[0]);
		bincache_free(&b);
		CT_EQ_INT(chown(file, 0, (gid_t)-1), 0);
		bincache_load(&b, dir);
		CT_EQ_INT(b.n, 3);
		bincache_free(&b);
	} else {
		printf("  note: not root, the other-owner check is skipped\n");
	}

	/* a symlink at the file's path is not followed, neither read nor
	 * written through */
	snprintf(real, sizeof(real), "%s/real", tmpdir);
	CT_EQ_INT(rename(file, real), 0);
	CT_EQ_INT(symlink(real, file), 0);
	before = slurp(real, &lb);
	bincache_load(&b, dir);
	CT_EQ_INT(b.n, 0);
	put_simple(&b, 9, "/bin/nine");
	bincache_save(&b);
	bincache_free(&b);
	after = slurp(real, &la);
	CT_TRUE(before && after && la == lb && !memcmp(before, after, la));
	CT_TRUE(!lstat(file, &st) && !S_ISLNK(st.st_mode));
	free(before);
	free(after);
	bincache_free(&a);

	/* two runs saving to one directory: both kept */
	snprintf(dir, sizeof(dir), "%s/merge", tmpdir);
	bincache_load(&a, dir);
	bincache_load(&b, dir);
	put_simple(&a, 11, "/bin/a");
	put_simple(&b, 12, "/bin/b");
	{
		struct ct_bin_id i11 = {7, 11, 100, 200, 300}, i12 = {7, 12, 100, 200, 300};

		bincache_note_exec(&a, "shared", &i11);
		bincache_note_exec(&a, "only-a", &i11);
		bincache_note_exec(&b, "shared", &i12);
		bincache_note_exec(&b, "only-b", &i12);
	}
	CT_EQ_INT(bincache_save(&a), 0);
	CT_EQ_INT(bincache_save(&b), 0);
	bincache_load(&c, dir);
	CT_TRUE(has_ino(&c, 11));
	CT_TRUE(has_ino(&c, 12));
	CT_TRUE(cmd_of(&c, "only-a") && cmd_of(&c, "only-b"));
	{
		struct bincache_cmd *k = cmd_of(&c, "shared");

		CT_TRUE(k && k->n == 2);
	}
	bincache_free(&a);
	bincache_free(&b);
	bincache_free(&c);
}

CT_TEST(test_history)
{
	static uint8_t data[256];
	struct ct_bin_id ids[4], moved;
	char p[4][PATH_MAX], tmp[PATH_MAX];
	struct bincache c = {0};
	char **h;
	size_t n;
	int fd;

	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "hist%d", i);
		fd = mkfile(name, data, sizeof(data), p[i]);
		CT_TRUE(fd >= 0);
		close(fd);
		CT_EQ_INT(fid_of(p[i], &ids[i]), 0);
		bincache_put(&c, &ids[i], false, "", "", p[i], NULL, NULL, 0, -1);
		bincache_note_exec(&c, "run", &ids[i]);
	}
	h = bincache_history(&c, "run", &n);
	CT_EQ_INT(n, 4);
	for (size_t i = 0; h && i < n; i++) {
		CT_EQ_STR(h[i], p[i]);
		free(h[i]);
	}
	free(h);
	h = bincache_history(&c, "unknown", &n);
	CT_TRUE(!h && n == 0);

	/* 0: replaced by another, longer file (a new inode); 1: gone;
	 * 2: rewritten in place to another size, then seen again */
	fd = mkfile("hist-new", data, sizeof(data) - 1, tmp);
	close(fd);
	CT_EQ_INT(rename(tmp, p[0]), 0);
	CT_EQ_INT(unlink(p[1]), 0);
	fd = open(p[2], O_WRONLY | O_APPEND);
	CT_EQ_INT(write(fd, "x", 1), 1);
	close(fd);
	CT_EQ_INT(fid_of(p[2], &moved), 0);
	bincache_put(&c, &moved, false, "", "", p[2], NULL, NULL, 0, -1);
	bincache_note_exec(&c, "run", &moved);
	h = bincache_history(&c, "run", &n);
	CT_EQ_INT(n, 2);
	if (h && n == 2) {
		CT_EQ_STR(h[0], p[3]);
		CT_EQ_STR(h[1], p[2]);
	}
	for (size_t i = 0; h && i < n; i++)
		free(h[i]);
	free(h);
	/* 3: the same size again, but another file */
	fd = mkfile("hist-new", data, sizeof(data), tmp);
	close(fd);
	CT_EQ_INT(rename(tmp, p[3]), 0);
	h = bincache_history(&c, "run", &n);
	CT_TRUE(n == 1 && h && !strcmp(h[0], p[2]));
	for (size_t i = 0; h && i < n; i++)
		free(h[i]);
	free(h);
	/* 2 again: grown in place, the same inode, not seen since */
	fd = open(p[2], O_WRONLY | O_APPEND);
	CT_EQ_INT(write(fd, "y", 1), 1);
	close(fd);
	h = bincache_history(&c, "run", &n);
	CT_TRUE(!h && n == 0);
	/* a binary with no entry is never listed */
	{
		struct bincache d = {0};

		bincache_note_exec(&d, "run", &moved);
		h = bincache_history(&d, "run", &n);
		CT_TRUE(!h && n == 0);
		bincache_free(&d);
	}
	bincache_free(&c);
}

/* The package init functions a binary has, counted another way: the
 * function's name is its package (goelf_pkgpath's cut), then ".init" or
 * ".init.<digits>". */
static bool pkg_init(const char *name, char *pkg, size_t len)
{
	const char *slash = strrchr(name, '/'), *dot = strchr(slash ? slash : name, '.');
	size_t k;

	if (!dot || goelf_pkgpath(name, pkg, len) < 0)
		return false;
	if (!strcmp(dot, ".init"))
		return true;
	if (strncmp(dot, ".init.", 6))
		return false;
	k = strspn(dot + 6, "0123456789");
	return k && !dot[6 + k];
}

static void check_initfns(const char *prog)
{
	static const char *const want[] = {
		"example.com/initgraph/alpha", "example.com/initgraph/beta", "main", "runtime",
		"internal/bytealg", "example.com/initgraph/gamma",
	};
	struct ct_initfn *fns = NULL, *dup;
	struct goelf *g = NULL;
	size_t n = 0, count = 0;
	char err[256];

	if (goelf_open_file(prog, &g, err, sizeof(err))) {
		printf("  %s: %s\n", prog, err);
		CT_TRUE(0);
		return;
	}
	CT_EQ_INT(ct_initfn_collect(g, &fns, &n), 0);
	for (size_t i = 0; i < goelf_func_count(g); i++) {
		const struct goelf_func *f = goelf_func_by_index(g, i);
		char pkg[256];

		count += pkg_init(f->name, pkg, sizeof(pkg));
	}
	CT_TRUE(n > 50);
	CT_EQ_INT(n, count);
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(fns[i].pkg, want[w]);
		if (!found) {
			printf("  %s: no init of %s\n", prog, want[w]);
			CT_TRUE(0);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct goelf_func *f = goelf_func_at(g, fns[i].entry);
		char pkg[256];

		/* sorted, each found by its own address, each a package's init */
		if (i)
			CT_TRUE(fns[i - 1].entry < fns[i].entry);
		CT_TRUE(ct_initfn_find(fns, n, fns[i].entry) == &fns[i]);
		CT_TRUE(!ct_initfn_find(fns, n, fns[i].entry + 1) ||
			(i + 1 < n && fns[i + 1].entry == fns[i].entry + 1));
		CT_TRUE(f && f->entry == fns[i].entry);
		if (f && !(pkg_init(f->name, pkg, sizeof(pkg)) && !strcmp(pkg, fns[i].pkg))) {
			printf("  %s: %#llx %s -> %s\n", prog, (unsigned long long)fns[i].entry, f->name,
			       fns[i].pkg);
			CT_TRUE(0);
		}
	}
	CT_TRUE(n && !ct_initfn_find(fns, n, fns[0].entry - 1));
	dup = ct_initfn_dup(fns, n);
	CT_TRUE(dup && dup != fns);
	for (size_t i = 0; dup && i < n; i++) {
		CT_EQ_U64(dup[i].entry, fns[i].entry);
		CT_EQ_STR(dup[i].pkg, fns[i].pkg);
		CT_TRUE(dup[i].pkg != fns[i].pkg);
	}
	free(dup);
	free(fns);
	goelf_close(g);
}

CT_TEST(test_initfns)
{
	struct ct_initfn *d;

	check_initfns(PROG("initgraph"));
	check_initfns(PROG("initgraph-stripped"));
	check_initfns(PROG("initgraph-arm64-stripped"));
	/* dup sorts and copies the strings */
	{
		struct ct_initfn in[] = {{3, "c"}, {1, "a"}, {2, "b"}};

		d = ct_initfn_dup(in, 3);
		CT_TRUE(d && d[0].entry == 1 && d[2].entry == 3);
		CT_TRUE(d && !strcmp(d[0].pkg, "a") && !strcmp(d[1].pkg, "b") && !strcmp(d[2].pkg, "c"));
		CT_TRUE(d && ct_initfn_find(d, 3, 2) == &d[1] && !ct_initfn_find(d, 3, 4));
		free(d);
	}
}

static int rm_tree(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ct-bincache.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	seed_dir = getenv("CT_WRITE_SEEDS");
	CT_RUN(test_roundtrip);
	CT_RUN(test_history_recency);
	CT_RUN(test_lookup);
	CT_RUN(test_verify);
	CT_RUN(test_eviction);
	CT_RUN(test_parse_hostile);
	CT_RUN(test_load_save);
	CT_RUN(test_history);
	CT_RUN(test_initfns);
	if (rm_tree(tmpdir))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return ct_summary();
}
