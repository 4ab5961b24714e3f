/* fuzz-sources: userspace/capture/bincache.c userspace/util/strbuf.c userspace/capture/goelf.c userspace/util/hashmap.c */
/*
 * libFuzzer target for userspace/capture/bincache.c's text form.
 *
 * Input: the cache file's bytes (a valid header is put in front when the
 * input lacks one, byte 0 odd, so most runs get past it). Parses them,
 * checks every entry is sane (strings terminated, plan within bounds,
 * init functions sorted), formats, parses the text into a second cache
 * and checks it formats to the same text (round-trip stability), then
 * looks up each entry's identity in both (found, same fields) and
 * identities made from the input (found only if such an entry exists).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bincache.h"

#include "fuzz_check.h"

#define HEADER BINCACHE_HEADER

static void check_entry(const struct ct_bin_entry *e)
{
	CHECK(memchr(e->version, 0, sizeof(e->version)));
	CHECK(memchr(e->note, 0, sizeof(e->note)));
	CHECK(memchr(e->path, 0, sizeof(e->path)));
	CHECK(e->plan.n <= GOPROBE_MAX);
	if (e->plan.n)
		CHECK(e->plan.init_func && (!strcmp(e->plan.init_func, "runtime.doInit") ||
					    !strcmp(e->plan.init_func, "runtime.doInit1")));
	for (size_t k = 0; k < e->plan.n; k++) {
		const struct goprobe *p = &e->plan.probes[k];

		CHECK(p->kind >= CT_GO_RTSTART && p->kind <= CT_GO_TASKEND);
		CHECK(p->disp >= CT_DISP_MIN && p->disp <= CT_DISP_MAX);
	}
	CHECK(!e->nfns == !e->fns);
	for (size_t k = 0; k < e->nfns; k++) {
		CHECK(e->fns[k].pkg);
		if (k)
			CHECK(e->fns[k - 1].entry <= e->fns[k].entry);
		CHECK(ct_initfn_find(e->fns, e->nfns, e->fns[k].entry)->entry == e->fns[k].entry);
	}
}

static void same_entry(const struct ct_bin_entry *a, const struct ct_bin_entry *b)
{
	CHECK(!memcmp(&a->fid, &b->fid, sizeof(a->fid)));
	CHECK(a->is_go == b->is_go);
	CHECK(!strcmp(a->version, b->version));
	CHECK(!strcmp(a->note, b->note));
	CHECK(!strcmp(a->path, b->path));
	CHECK(a->plan.n == b->plan.n);
	for (size_t k = 0; k < a->plan.n; k++) {
		CHECK(!memcmp(a->bytes[k], b->bytes[k], BINCACHE_PROBE_BYTES));
		CHECK(a->plan.probes[k].kind == b->plan.probes[k].kind);
		CHECK(a->plan.probes[k].offset == b->plan.probes[k].offset);
		CHECK(a->plan.probes[k].reg == b->plan.probes[k].reg);
		CHECK(a->plan.probes[k].disp == b->plan.probes[k].disp);
	}
	CHECK(a->nfns == b->nfns);
	for (size_t k = 0; k < a->nfns; k++) {
		CHECK(a->fns[k].entry == b->fns[k].entry);
		CHECK(!strcmp(a->fns[k].pkg, b->fns[k].pkg));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hl = strlen(HEADER), len = size, l1, l2;
	struct bincache c, d;
	char *text, *t1, *t2;
	int n;

	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	text = malloc(size + hl + 1);
	if (!text)
		return 0;
	if (size && (data[0] & 1) && (size < hl || memcmp(data, HEADER, hl))) {
		memcpy(text, HEADER, hl);
		memcpy(text + hl, data + 1, size - 1);
		len = hl + size - 1;
	} else if (size) {
		memcpy(text, data, size);
	}
	n = bincache_parse(&c, text, len);
	/* -1 leaves it empty; else all entries read, but for evictions */
	CHECK(n < 0 ? n == -1 && c.n == 0
		    : c.n == ((size_t)n < BINCACHE_MAX_ENTRIES ? (size_t)n : BINCACHE_MAX_ENTRIES));
	CHECK(c.n <= BINCACHE_MAX_ENTRIES && c.ncmds <= BINCACHE_MAX_CMDS);
	for (size_t i = 0; i < c.n; i++)
		check_entry(&c.e[i]);
	for (size_t i = 0; i < c.ncmds; i++)
		CHECK(c.cmds[i].key && c.cmds[i].n <= BINCACHE_MAX_HISTORY);

	t1 = bincache_format(&c, &l1);
	CHECK(t1 && strlen(t1) == l1);
	CHECK(bincache_parse(&d, t1, l1) == (int)c.n);
	CHECK(d.n == c.n && d.ncmds == c.ncmds);
	t2 = bincache_format(&d, &l2);
	CHECK(t2);
	if (l1 != l2 || memcmp(t1, t2, l1)) {
		fprintf(stderr, "not stable:\n--- first\n%s--- second\n%s", t1, t2);
		abort();
	}

	/* every entry found by its identity, the same in both */
	for (size_t i = 0; i < c.n; i++) {
		struct ct_bin_entry a, b;

		CHECK(bincache_lookup(&c, &c.e[i].fid, &a));
		CHECK(bincache_lookup(&d, &c.e[i].fid, &b));
		same_entry(&a, &b);
		CHECK(!a.fns || a.fns != c.e[i].fns);
		free(a.fns);
		free(b.fns);
	}
	/* identities from the input: found exactly when an entry has them */
	for (size_t off = 0; off + sizeof(struct ct_bin_id) <= size && off < 4096; off += 7) {
		struct ct_bin_id id;
		struct ct_bin_entry a;
		bool have = false;

		memcpy(&id, data + off, sizeof(id));
		if (off & 8 && c.n)
			id = c.e[off % c.n].fid, id.ctime_ns ^= data[off];
		for (size_t i = 0; i < c.n; i++)
			have |= !memcmp(&c.e[i].fid, &id, sizeof(id));
		CHECK(bincache_lookup(&c, &id, &a) == have);
		if (have)
			free(a.fns);
	}
	free(t1);
	free(t2);
	free(text);
	bincache_free(&c);
	bincache_free(&d);
	return 0;
}
