// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * goelf: Go ELF reader (see goelf.h).
 *
 * Everything is read from one byte buffer (the caller's, or an mmap of the
 * file). libelf parses the ELF, program and section headers; the Go
 * structures (.gopclntab, build info, moduledata) are parsed here with an
 * explicit bounds check before every read. All work is bounded by the input
 * size: allocations are at most a small multiple of it, and every scan that
 * could revisit bytes (function names, pclntab candidates) has a budget.
 *
 * Where the function addresses come from (pclntab 1.18+ stores offsets from
 * textStart, which the header leaves at 0 from Go 1.26 on):
 *   1. the header's textStart, if not 0;
 *   2. the sh_addr of the `.text` section;
 *   3. runtime.firstmoduledata: a word equal to the pclntab's address
 *      followed by the funcnametab slice (pclntab + funcnameOffset); its
 *      `text` field (offset 176, the same layout from Go 1.16 to 1.26) must
 *      lie in an executable PT_LOAD;
 *   4. the first executable PT_LOAD's p_vaddr, plus 4096 if the segment
 *      starts at file offset 0 (Go's internal linker reserves ELFRESERVE =
 *      4096 bytes of headers in front of .text there).
 */
#include "goelf.h"
#include "hashmap.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCLN_MAGIC_12 0xfffffffbu
#define PCLN_MAGIC_116 0xfffffffau
#define PCLN_MAGIC_118 0xfffffff0u
#define PCLN_MAGIC_120 0xfffffff1u

#define GO_ELFRESERVE 4096
#define MODULEDATA_TEXT_OFF 176 /* pcHeader + 6 slices + findfunctab, minpc, maxpc */
#define MAX_PCLN_CANDIDATES 32
#define MAX_VERSION_CANDIDATES 16
#define MAX_MAIN_PATH 4096
#define MAX_PHDRS 4096
#define MAX_FUNCS 0x7fffffffu /* far above any real binary; bounds the allocations */

static const char buildinfo_magic[14] = "\xff Go buildinf:";

struct seg {
	uint64_t vaddr, memsz; /* memory range */
	uint64_t off, filesz;  /* file bytes; filesz clamped to the buffer */
	uint32_t flags;
};

/* The name maps' probe limit: a longer probe means crafted collisions, stop
 * rather than go quadratic. */
#define MAX_PROBE 1024

struct sym {
	uint64_t addr, size;
	const char *name;
	uint32_t rank; /* lower is preferred by goelf_sym_at */
	uint32_t idx;  /* symtab order, for a stable sort */
};

struct goelf {
	const uint8_t *data;
	size_t size;
	void *map;
	size_t maplen;

	enum goelf_arch arch;
	enum goelf_pcln pcln;
	bool pie, is_static, has_symtab;
	bool skip_symtab; /* GOELF_NO_SYMBOLS: has_symtab said, not indexed */

	char version[128];
	enum goelf_version_src vsrc;
	char *main_path;

	struct seg *segs;
	size_t nsegs;

	struct goelf_func *funcs;
	size_t nfuncs;
	struct ct_hmap fhash; /* unique names -> lowest index into funcs */

	struct sym *syms; /* sorted by addr, rank, idx */
	size_t nsyms;
	struct ct_hmap shash; /* unique names -> index of the preferred symbol */
};

/* Section facts collected while opening. */
struct secinfo {
	bool has_pcln, has_bi, has_text;
	bool has_sections; /* a readable section header table with named sections */
	uint64_t pcln_off, pcln_size, pcln_addr;
	uint64_t bi_off, bi_size, bi_addr;
	uint64_t text_addr;
	bool pcln_nobits;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Names are NUL-terminated where they are (checked when read). */
static bool func_name_eq(const void *ctx, uintptr_t v, const void *key)
{
	return strcmp(((const struct goelf *)ctx)->funcs[v].name, key) == 0;
}

static bool sym_name_eq(const void *ctx, uintptr_t v, const void *key)
{
	return strcmp(((const struct goelf *)ctx)->syms[v].name, key) == 0;
}

/* True if [off, off+len) lies within [0, size). */
static inline bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* ---- segments ---- */

static const struct seg *seg_of_vaddr(const struct goelf *g, uint64_t vaddr, uint64_t len)
{
	for (size_t i = 0; i < g->nsegs; i++) {
		const struct seg *s = &g->segs[i];

		if (vaddr < s->vaddr)
			continue;
		if (in_bounds(vaddr - s->vaddr, len, s->filesz))
			return s;
	}
	return NULL;
}

static bool vaddr_in_exec(const struct goelf *g, uint64_t vaddr)
{
	for (size_t i = 0; i < g->nsegs; i++) {
		const struct seg *s = &g->segs[i];

		if ((s->flags & PF_X) && vaddr >= s->vaddr && vaddr - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int goelf_vaddr_to_offset(const struct goelf *g, uint64_t vaddr, uint64_t *off)
{
	const struct seg *s;

	if (!g)
		return -1;
	for (size_t i = 0; i < g->nsegs; i++) {
		s = &g->segs[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			if (off)
				*off = s->off + (vaddr - s->vaddr);
			return 0;
		}
	}
	return -1;
}

const uint8_t *goelf_bytes_at(const struct goelf *g, uint64_t vaddr, size_t len)
{
	const struct seg *s;

	if (!g)
		return NULL;
	s = seg_of_vaddr(g, vaddr, len);
	if (!s)
		return NULL;
	return g->data + s->off + (vaddr - s->vaddr);
}

/* ---- pclntab ---- */

struct pcln_hdr {
	uint32_t magic;
	enum goelf_pcln fmt;
	uint64_t nfunc, text_start, funcname_off, pcln_off;
	uint64_t hdr_size;
};

/* Decode and check the header of a candidate pclntab of n bytes. */
static int pcln_header(const uint8_t *p, uint64_t n, struct pcln_hdr *h, const char **why)
{
	uint64_t w[8];
	int nw;

	if (n < 8) {
		*why = "pclntab too small";
		return GOELF_E_PCLN;
	}
	h->magic = rd32(p);
	switch (h->magic) {
	case PCLN_MAGIC_12:
		*why = "Go older than 1.16 is not supported (pclntab 1.2 format)";
		return GOELF_E_PCLN;
	case PCLN_MAGIC_116:
		h->fmt = GOELF_PCLN_116;
		nw = 7;
		break;
	case PCLN_MAGIC_118:
		h->fmt = GOELF_PCLN_118;
		nw = 8;
		break;
	case PCLN_MAGIC_120:
		h->fmt = GOELF_PCLN_120;
		nw = 8;
		break;
	default:
		*why = "unknown pclntab magic";
		return GOELF_E_PCLN;
	}
	if (p[4] != 0 || p[5] != 0) {
		*why = "pclntab header padding not zero";
		return GOELF_E_PCLN;
	}
	if (p[6] != 1 && p[6] != 2 && p[6] != 4) {
		*why = "pclntab minLC not 1, 2 or 4";
		return GOELF_E_PCLN;
	}
	if (p[7] != 8) {
		*why = "pclntab ptrSize is not 8";
		return GOELF_E_PCLN;
	}
	h->hdr_size = 8 + 8 * (uint64_t)nw;
	if (n < h->hdr_size) {
		*why = "pclntab header truncated";
		return GOELF_E_PCLN;
	}
	for (int i = 0; i < nw; i++)
		w[i] = rd64(p + 8 + 8 * i);
	h->nfunc = w[0];
	if (h->fmt == GOELF_PCLN_116) {
		h->text_start = 0;
		h->funcname_off = w[2];
		h->pcln_off = w[6];
		/* cu, filetab, pctab offsets must be in bounds too */
		for (int i = 2; i < 7; i++)
			if (w[i] < h->hdr_size || w[i] > n)
				goto bad_off;
	} else {
		h->text_start = w[2];
		h->funcname_off = w[3];
		h->pcln_off = w[7];
		for (int i = 3; i < 8; i++)
			if (w[i] < h->hdr_size || w[i] > n)
				goto bad_off;
	}
	if (h->nfunc == 0 || h->nfunc > MAX_FUNCS) {
		*why = "pclntab function count out of range";
		return GOELF_E_PCLN;
	}
	{
		uint64_t ent = h->fmt == GOELF_PCLN_116 ? 16 : 8;
		uint64_t room = n - h->pcln_off;

		if (room / ent == 0 || h->nfunc > room / ent - 1) {
			*why = "pclntab function table out of bounds";
			return GOELF_E_PCLN;
		}
	}
	return 0;
bad_off:
	*why = "pclntab header offset out of bounds";
	return GOELF_E_PCLN;
}

static bool text_from_moduledata(const struct goelf *g, uint64_t pcln_addr,
				 uint64_t funcname_off, uint64_t *text)
{
	/* Writable segments first: moduledata lives in .noptrdata/.go.module. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < g->nsegs; i++) {
			const struct seg *s = &g->segs[i];
			const uint8_t *b = g->data + s->off;
			uint64_t start;

			if (!!(s->flags & PF_W) != (pass == 0))
				continue;
			/* 8-aligned by virtual address */
			start = (8 - (s->vaddr & 7)) & 7;
			for (uint64_t o = start; o + MODULEDATA_TEXT_OFF + 8 <= s->filesz; o += 8) {
				uint64_t t;

				if (rd64(b + o) != pcln_addr)
					continue;
				if (rd64(b + o + 8) != pcln_addr + funcname_off)
					continue;
				t = rd64(b + o + MODULEDATA_TEXT_OFF);
				if (vaddr_in_exec(g, t)) {
					*text = t;
					return true;
				}
			}
		}
	}
	return false;
}

static bool text_from_segments(const struct goelf *g, uint64_t *text)
{
	for (size_t i = 0; i < g->nsegs; i++) {
		const struct seg *s = &g->segs[i];

		if (!(s->flags & PF_X))
			continue;
		*text = s->vaddr;
		if (s->off == 0 && s->memsz > GO_ELFRESERVE)
			*text += GO_ELFRESERVE;
		return true;
	}
	return false;
}

static void free_funcs(struct goelf *g)
{
	free(g->funcs);
	ct_hmap_free(&g->fhash);
	g->funcs = NULL;
	g->nfuncs = 0;
}

/*
 * Parse the pclntab at p (n bytes, link-time address pcln_addr) into
 * g->funcs and the name hash. On failure nothing is left allocated.
 */
static int parse_pcln(struct goelf *g, const uint8_t *p, uint64_t n, uint64_t pcln_addr,
		      bool have_addr, const struct secinfo *si, bool strict, const char **why)
{
	struct pcln_hdr h;
	const uint8_t *ftab;
	uint64_t base = 0, budget, nfunc, last;
	int ret;

	ret = pcln_header(p, n, &h, why);
	if (ret)
		return ret;
	nfunc = h.nfunc;

	if (h.fmt != GOELF_PCLN_116) {
		base = h.text_start;
		if (!base && si && si->has_text)
			base = si->text_addr;
		if (!base && have_addr)
			text_from_moduledata(g, pcln_addr, h.funcname_off, &base);
		if (!base)
			text_from_segments(g, &base);
	}

	g->funcs = calloc(nfunc, sizeof(*g->funcs));
	ct_hmap_init(&g->fhash, MAX_PROBE);
	if (!g->funcs || ct_hmap_reserve(&g->fhash, nfunc)) {
		free_funcs(g);
		*why = "out of memory";
		return GOELF_E_NOMEM;
	}

	/* Names are read with memchr: bound the total so crafted overlapping
	 * names cannot make this quadratic. Real tables read each name once. */
	budget = n + (1u << 20);
	ftab = p + h.pcln_off;
	last = 0;
	for (uint64_t i = 0; i <= nfunc; i++) {
		uint64_t entry, funcoff, fentry, nameoff_pos;
		int32_t nameoff;
		const uint8_t *f, *name, *nul;
		uint64_t room = n - h.pcln_off, maxlen;

		if (h.fmt == GOELF_PCLN_116) {
			entry = rd64(ftab + 16 * i);
			funcoff = rd64(ftab + 16 * i + 8);
		} else {
			entry = base + rd32(ftab + 8 * i);
			funcoff = rd32(ftab + 8 * i + 4);
		}
		if (i && entry < last) {
			*why = "pclntab function table not sorted";
			goto bad;
		}
		last = entry;
		if (i == nfunc) {
			g->funcs[nfunc - 1].end = entry;
			break;
		}
		if (i)
			g->funcs[i - 1].end = entry;
		g->funcs[i].entry = entry;

		/* _func: {entry, nameoff} */
		if (!in_bounds(funcoff, h.fmt == GOELF_PCLN_116 ? 12 : 8, room)) {
			*why = "pclntab _func out of bounds";
			goto bad;
		}
		f = ftab + funcoff;
		if (h.fmt == GOELF_PCLN_116) {
			fentry = rd64(f);
			nameoff = (int32_t)rd32(f + 8);
		} else {
			fentry = base + rd32(f);
			nameoff = (int32_t)rd32(f + 4);
		}
		if (fentry != entry) {
			*why = "pclntab _func entry does not match function table";
			goto bad;
		}
		if (nameoff < 0) {
			*why = "pclntab negative name offset";
			goto bad;
		}
		nameoff_pos = h.funcname_off + (uint64_t)nameoff;
		if (nameoff_pos >= n) {
			*why = "pclntab name out of bounds";
			goto bad;
		}
		name = p + nameoff_pos;
		maxlen = n - nameoff_pos;
		if (maxlen > budget)
			maxlen = budget;
		nul = memchr(name, 0, maxlen);
		if (!nul) {
			*why = maxlen == budget ? "pclntab names overlap too much"
						: "pclntab name not terminated";
			goto bad;
		}
		budget -= (uint64_t)(nul - name) + 1;
		g->funcs[i].name = (const char *)name;
		{
			uint64_t hv = ct_hash_bytes(name, (size_t)(nul - name));
			struct ct_hslot *sl = ct_hmap_find(&g->fhash, hv, name, func_name_eq, g);

			if (!sl) {
				*why = "pclntab names collide too much";
				goto bad;
			}
			if (!ct_hslot_used(sl)) /* duplicates keep the first (lowest) */
				ct_hmap_fill(&g->fhash, sl, hv, (uintptr_t)i);
		}
	}
	if (strict && !vaddr_in_exec(g, g->funcs[0].entry)) {
		*why = "pclntab candidate: first function not in an executable segment";
		goto bad;
	}
	g->nfuncs = nfunc;
	g->pcln = h.fmt;
	return 0;
bad:
	free_funcs(g);
	return GOELF_E_PCLN;
}

static int find_pcln(struct goelf *g, const struct secinfo *si, char *err, size_t errlen)
{
	const char *why = "no Go pclntab";
	int ret, tried = 0;

	if (si->has_pcln) {
		if (si->pcln_nobits || !in_bounds(si->pcln_off, si->pcln_size, g->size)) {
			set_err(err, errlen, ".gopclntab section out of file bounds");
			return GOELF_E_PCLN;
		}
		ret = parse_pcln(g, g->data + si->pcln_off, si->pcln_size, si->pcln_addr, true,
				 si, false, &why);
		if (ret)
			set_err(err, errlen, "%s", why);
		return ret;
	}

	/* Go's linker always names the section when it writes section headers:
	 * with headers but no .gopclntab (nor build info) this is not Go, and
	 * scanning a large binary (node is ~90 MB) would hold its exec for long. */
	if (si->has_sections && !si->has_bi)
		goto not_go;

	/* No section: look for the header's magic in the segments, read-only
	 * ones first (pclntab is in .rodata's segment; internally linked PIE
	 * puts it in the RELRO segment, which is writable in the file), then
	 * writable, then executable ones. */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < g->nsegs; i++) {
			const struct seg *s = &g->segs[i];
			const uint8_t *b = g->data + s->off;
			int cls = (s->flags & PF_W) ? 1 : (s->flags & PF_X) ? 2 : 0;

			if (cls != pass)
				continue;
			for (uint64_t o = (4 - (s->vaddr & 3)) & 3; o + 72 <= s->filesz; o += 4) {
				uint32_t m = rd32(b + o);
				struct pcln_hdr h;
				const char *w;

				if ((m & 0xfffffff0u) != 0xfffffff0u || b[o + 4] || b[o + 5])
					continue;
				if (m == PCLN_MAGIC_12 && b[o + 7] == 8 &&
				    (b[o + 6] == 1 || b[o + 6] == 4)) {
					why = "Go older than 1.16 is not supported (pclntab 1.2 format)";
					continue;
				}
				if (pcln_header(b + o, s->filesz - o, &h, &w))
					continue;
				if (++tried > MAX_PCLN_CANDIDATES) {
					set_err(err, errlen, "too many pclntab candidates");
					return GOELF_E_PCLN;
				}
				ret = parse_pcln(g, b + o, s->filesz - o, s->vaddr + o, true, si,
						 true, &w);
				if (ret == GOELF_E_NOMEM) {
					set_err(err, errlen, "%s", w);
					return ret;
				}
				if (!ret)
					return 0;
				why = w;
			}
		}
	}
not_go:
	set_err(err, errlen, "%s", why);
	if (strncmp(why, "Go older", 8) == 0 || tried)
		return GOELF_E_PCLN;
	return GOELF_E_NOT_GO;
}

/* ---- Go version and main package path ---- */

static bool printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Unsigned LEB128 varint as Go's binary.Uvarint; false if malformed. */
static bool uvarint(const uint8_t *p, uint64_t n, uint64_t *pos, uint64_t *val)
{
	uint64_t v = 0;

	for (unsigned shift = 0, i = 0; i < 10; i++, shift += 7) {
		uint8_t b;

		if (*pos >= n)
			return false;
		b = p[(*pos)++];
		if (i == 9 && b > 1)
			return false;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*val = v;
			return true;
		}
	}
	return false;
}

/* Read a Go string header {ptr, len} at vaddr (pointer format). */
static const uint8_t *go_string(const struct goelf *g, uint64_t vaddr, uint64_t *len)
{
	const uint8_t *hdr = goelf_bytes_at(g, vaddr, 16);
	uint64_t ptr, l;

	if (!hdr)
		return NULL;
	ptr = rd64(hdr);
	l = rd64(hdr + 8);
	if (l > (1u << 20))
		return NULL;
	*len = l;
	return l ? goelf_bytes_at(g, ptr, l) : hdr;
}

static void set_main_path(struct goelf *g, const uint8_t *mod, uint64_t len)
{
	const uint8_t *line = mod, *end = mod + len;

	/* Strip the 16-byte sentinels around the module info. */
	if (len >= 33 && mod[len - 17] == '\n') {
		line = mod + 16;
		end = mod + len - 16;
	}
	while (line < end) {
		const uint8_t *nl = memchr(line, '\n', (size_t)(end - line));
		const uint8_t *le = nl ? nl : end;

		if (le - line > 5 && memcmp(line, "path\t", 5) == 0) {
			size_t n = (size_t)(le - line - 5);

			if (n > MAX_MAIN_PATH || !printable(line + 5, n))
				return;
			g->main_path = malloc(n + 1);
			if (!g->main_path)
				return;
			memcpy(g->main_path, line + 5, n);
			g->main_path[n] = 0;
			return;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* Parse build info at b (n bytes). Returns true if a version was found. */
static bool parse_buildinfo(struct goelf *g, const uint8_t *b, uint64_t n)
{
	const uint8_t *ver, *mod = NULL;
	uint64_t vlen, mlen = 0;
	uint8_t ptrsize, flags;

	if (n < 32 || memcmp(b, buildinfo_magic, sizeof(buildinfo_magic)) != 0)
		return false;
	ptrsize = b[14];
	flags = b[15];
	if (flags & 2) {
		uint64_t pos = 32;

		if (!uvarint(b, n, &pos, &vlen) || vlen > n - pos)
			return false;
		ver = b + pos;
		pos += vlen;
		if (uvarint(b, n, &pos, &mlen) && mlen <= n - pos)
			mod = b + pos;
	} else {
		/* Go 1.13 .. 1.17: pointers to two string headers. */
		if (ptrsize != 8 || (flags & 1))
			return false;
		ver = go_string(g, rd64(b + 16), &vlen);
		if (!ver)
			return false;
		mod = go_string(g, rd64(b + 24), &mlen);
	}
	if (vlen == 0 || vlen >= sizeof(g->version) || !printable(ver, vlen))
		return false;
	memcpy(g->version, ver, vlen);
	g->version[vlen] = 0;
	g->vsrc = GOELF_VER_BUILDINFO;
	if (mod)
		set_main_path(g, mod, mlen);
	return true;
}

static bool find_buildinfo(struct goelf *g, const struct secinfo *si)
{
	if (si->has_bi && in_bounds(si->bi_off, si->bi_size, g->size) &&
	    parse_buildinfo(g, g->data + si->bi_off, si->bi_size))
		return true;
	/* The magic, 16-byte aligned, in writable segments first. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < g->nsegs; i++) {
			const struct seg *s = &g->segs[i];
			const uint8_t *b = g->data + s->off, *q = b;
			uint64_t left = s->filesz;

			if (!!(s->flags & PF_W) != (pass == 0))
				continue;
			while (left >= sizeof(buildinfo_magic)) {
				const uint8_t *m = memmem(q, left, buildinfo_magic,
							  sizeof(buildinfo_magic));
				uint64_t o;

				if (!m)
					break;
				o = (uint64_t)(m - b);
				if (((s->vaddr + o) & 15) == 0 &&
				    parse_buildinfo(g, m, s->filesz - o))
					return true;
				q = m + 1;
				left = s->filesz - (o + 1);
			}
		}
	}
	return false;
}

/* Length of a strict Go version at s (^go1\.N(\.N)?((rc|beta)N)?), or 0. */
static size_t match_goversion(const uint8_t *s, size_t n)
{
	size_t i = 4, d;

	if (n < 5 || memcmp(s, "go1.", 4) != 0)
		return 0;
	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (!d)
		return 0;
	if (i < n && s[i] == '.') {
		size_t j = i + 1;

		for (d = 0; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			d++;
		if (!d)
			return 0;
		i = j;
	}
	if (i + 2 < n && (memcmp(s + i, "rc", 2) == 0 || (i + 4 < n && memcmp(s + i, "beta", 4) == 0))) {
		size_t j = i + (s[i] == 'r' ? 2 : 4);

		for (d = 0; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			d++;
		if (!d)
			return 0;
		i = j;
	}
	if (i < n && s[i] >= 0x20 && s[i] <= 0x7e)
		return 0;
	return i;
}

/* Minor version of "go1.N...". */
static unsigned go_minor(const char *v)
{
	unsigned m = 0;

	for (v += 4; *v >= '0' && *v <= '9' && m < 100000; v++)
		m = m * 10 + (unsigned)(*v - '0');
	return m;
}

static bool minor_fits_pcln(unsigned minor, enum goelf_pcln f)
{
	switch (f) {
	case GOELF_PCLN_116:
		return minor == 16 || minor == 17;
	case GOELF_PCLN_118:
		return minor == 18 || minor == 19;
	case GOELF_PCLN_120:
		return minor >= 20;
	default:
		return false;
	}
}

/*
 * No build info: look for runtime.buildVersion's bytes, a string like
 * "go1.26.5" bounded by non-printable bytes, in the read-only segments
 * (non-executable ones first).
 */
static void find_rodata_version(struct goelf *g)
{
	char cand[MAX_VERSION_CANDIDATES][32];
	int ncand = 0, pick = -1, nfit = 0;

	for (int pass = 0; pass < 2 && ncand == 0; pass++) {
		for (size_t i = 0; i < g->nsegs; i++) {
			const struct seg *s = &g->segs[i];
			const uint8_t *b = g->data + s->off, *q = b;
			uint64_t left = s->filesz;

			if ((s->flags & PF_W) || !!(s->flags & PF_X) != (pass == 1))
				continue;
			while (left >= 5) {
				const uint8_t *m = memmem(q, left, "go1.", 4);
				uint64_t o;
				size_t len;

				if (!m)
					break;
				o = (uint64_t)(m - b);
				q = m + 1;
				left = s->filesz - (o + 1);
				if (o && b[o - 1] >= 0x20 && b[o - 1] <= 0x7e)
					continue;
				len = match_goversion(m, s->filesz - o > 32 ? 32 : s->filesz - o);
				if (!len || len >= sizeof(cand[0]))
					continue;
				{
					int k;

					for (k = 0; k < ncand; k++)
						if (strlen(cand[k]) == len && !memcmp(cand[k], m, len))
							break;
					if (k < ncand)
						continue;
				}
				if (ncand == MAX_VERSION_CANDIDATES)
					return; /* too ambiguous */
				memcpy(cand[ncand], m, len);
				cand[ncand][len] = 0;
				ncand++;
			}
		}
	}
	if (ncand == 0)
		return;
	if (ncand == 1) {
		pick = 0;
	} else {
		for (int k = 0; k < ncand; k++) {
			if (minor_fits_pcln(go_minor(cand[k]), g->pcln)) {
				nfit++;
				pick = k;
			}
		}
		if (nfit != 1)
			return;
	}
	memcpy(g->version, cand[pick], strlen(cand[pick]) + 1); /* < 32 bytes */
	g->vsrc = GOELF_VER_RODATA;
}

/* ---- symbol table ---- */

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int load_symtab(struct goelf *g, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Scn *strscn;
	GElf_Shdr strsh;
	Elf_Data *d;
	const char *str;
	uint64_t strsize;
	const uint8_t *lastnul;
	size_t n;

	strscn = elf_getscn(elf, sh->sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return 0;
	if (!in_bounds(strsh.sh_offset, strsh.sh_size, g->size) || strsh.sh_size == 0)
		return 0;
	str = (const char *)g->data + strsh.sh_offset;
	/* Names must start before the table's last NUL to be terminated. */
	lastnul = memrchr(str, 0, strsh.sh_size);
	if (!lastnul)
		return 0;
	strsize = (uint64_t)((const char *)lastnul - str);

	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || sh->sh_entsize != sizeof(Elf64_Sym))
		return 0;
	n = d->d_size / sizeof(Elf64_Sym);
	if (n == 0)
		return 0;
	g->syms = calloc(n, sizeof(*g->syms));
	if (!g->syms)
		return GOELF_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		struct sym *o;
		int type;

		if (!gelf_getsym(d, (int)i, &s))
			break;
		if (s.st_name == 0 || s.st_name >= strsize || s.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		o = &g->syms[g->nsyms];
		o->addr = s.st_value;
		o->size = s.st_size;
		o->name = str + s.st_name;
		o->rank = type == STT_FUNC ? 0 : type == STT_OBJECT ? 1 : 2;
		o->idx = (uint32_t)i;
		g->nsyms++;
	}
	g->has_symtab = true;
	if (!g->nsyms)
		return 0;
	qsort(g->syms, g->nsyms, sizeof(*g->syms), sym_cmp);
	ct_hmap_init(&g->shash, MAX_PROBE);
	if (ct_hmap_reserve(&g->shash, g->nsyms))
		return GOELF_E_NOMEM;
	for (size_t i = 0; i < g->nsyms; i++) {
		const struct sym *y = &g->syms[i], *old;
		uint64_t hv = ct_hash_str(y->name);
		struct ct_hslot *sl = ct_hmap_find(&g->shash, hv, y->name, sym_name_eq, g);

		if (!sl)
			continue; /* crafted collisions: not findable by name */
		if (!ct_hslot_used(sl)) {
			ct_hmap_fill(&g->shash, sl, hv, (uintptr_t)i);
			continue;
		}
		/* same name: prefer FUNC, then OBJECT, then symtab order */
		old = &g->syms[sl->val];
		if (old->rank < y->rank || (old->rank == y->rank && old->idx < y->idx))
			continue;
		sl->val = (uintptr_t)i;
	}
	return 0;
}

/* ---- open / close ---- */

static int read_elf(struct goelf *g, Elf *elf, struct secinfo *si, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t phnum, shnum = 0, shstrndx = 0;
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr symsh = { 0 };
	int ret;

	if (elf_kind(elf) != ELF_K_ELF) {
		set_err(err, errlen, "not an ELF file");
		return GOELF_E_NOT_ELF;
	}
	if (!gelf_getehdr(elf, &eh)) {
		set_err(err, errlen, "bad ELF header: %s", elf_errmsg(-1));
		return GOELF_E_ELF;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		set_err(err, errlen, "only 64-bit little-endian ELF is supported");
		return GOELF_E_ARCH;
	}
	if (eh.e_machine == EM_X86_64) {
		g->arch = GOELF_ARCH_X86_64;
	} else if (eh.e_machine == EM_AARCH64) {
		g->arch = GOELF_ARCH_ARM64;
	} else {
		set_err(err, errlen, "unsupported machine %u (x86-64 and arm64 only)",
			(unsigned)eh.e_machine);
		return GOELF_E_ARCH;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		set_err(err, errlen, "not an executable (ELF type %u)", (unsigned)eh.e_type);
		return GOELF_E_ELF;
	}
	g->pie = eh.e_type == ET_DYN;

	if (elf_getphdrnum(elf, &phnum) != 0) {
		set_err(err, errlen, "bad program headers: %s", elf_errmsg(-1));
		return GOELF_E_ELF;
	}
	if (phnum > MAX_PHDRS) {
		set_err(err, errlen, "too many program headers");
		return GOELF_E_ELF;
	}
	g->segs = calloc(phnum ? phnum : 1, sizeof(*g->segs));
	if (!g->segs) {
		set_err(err, errlen, "out of memory");
		return GOELF_E_NOMEM;
	}
	g->is_static = true;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		struct seg *s;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			set_err(err, errlen, "bad program header %zu: %s", i, elf_errmsg(-1));
			return GOELF_E_ELF;
		}
		if (ph.p_type == PT_INTERP)
			g->is_static = false;
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr) {
			set_err(err, errlen, "PT_LOAD address range overflows");
			return GOELF_E_ELF;
		}
		s = &g->segs[g->nsegs++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->off = ph.p_offset;
		s->flags = ph.p_flags;
		/* Only file bytes that exist (truncated files keep a prefix). */
		if (ph.p_offset >= g->size) {
			s->filesz = 0;
			s->off = 0; /* so data + off stays a valid pointer */
		} else
			s->filesz = ph.p_filesz < g->size - ph.p_offset ? ph.p_filesz
									: g->size - ph.p_offset;
		if (s->filesz > s->memsz)
			s->filesz = s->memsz;
	}

	/* Sections are optional (stripped headers): errors here are ignored. */
	if (elf_getshdrnum(elf, &shnum) != 0 || elf_getshdrstrndx(elf, &shstrndx) != 0)
		shnum = 0;
	while (shnum && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && !symscn) {
			symscn = scn;
			symsh = sh;
			continue;
		}
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (*name)
			si->has_sections = true;
		if (!si->has_pcln &&
		    (!strcmp(name, ".gopclntab") || !strcmp(name, ".data.rel.ro.gopclntab"))) {
			si->has_pcln = true;
			si->pcln_off = sh.sh_offset;
			si->pcln_size = sh.sh_size;
			si->pcln_addr = sh.sh_addr;
			si->pcln_nobits = sh.sh_type == SHT_NOBITS;
		} else if (!si->has_bi && !strcmp(name, ".go.buildinfo") &&
			   sh.sh_type != SHT_NOBITS) {
			si->has_bi = true;
			si->bi_off = sh.sh_offset;
			si->bi_size = sh.sh_size;
			si->bi_addr = sh.sh_addr;
		} else if (!si->has_text && !strcmp(name, ".text") &&
			   (sh.sh_flags & SHF_EXECINSTR) && sh.sh_addr) {
			si->has_text = true;
			si->text_addr = sh.sh_addr;
		}
	}
	/* not Go (see find_pcln): its symbols are of no use, skip the sort */
	if (symscn && g->skip_symtab) {
		g->has_symtab = true; /* there, only not read */
	} else if (symscn && !(si->has_sections && !si->has_pcln && !si->has_bi)) {
		ret = load_symtab(g, elf, symscn, &symsh);
		if (ret) {
			set_err(err, errlen, "out of memory");
			return ret;
		}
	}
	return 0;
}

static int open_mem(const void *data, size_t size, unsigned flags, struct goelf **out, char *err,
		    size_t errlen)
{
	struct secinfo si = { 0 };
	struct goelf *g;
	Elf *elf;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!out)
		return GOELF_E_IO;
	*out = NULL;
	if (!data || size < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG) != 0) {
		set_err(err, errlen, "not an ELF file");
		return GOELF_E_NOT_ELF;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		set_err(err, errlen, "libelf: %s", elf_errmsg(-1));
		return GOELF_E_ELF;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		set_err(err, errlen, "out of memory");
		return GOELF_E_NOMEM;
	}
	g->data = data;
	g->size = size;
	g->skip_symtab = flags & GOELF_NO_SYMBOLS;

	/* libelf does not write to a read-only image it only reads. */
	elf = elf_memory((char *)data, size);
	if (!elf) {
		set_err(err, errlen, "malformed ELF: %s", elf_errmsg(-1));
		goelf_close(g);
		return GOELF_E_ELF;
	}
	ret = read_elf(g, elf, &si, err, errlen);
	elf_end(elf);
	if (ret)
		goto fail;

	ret = find_pcln(g, &si, err, errlen);
	if (ret)
		goto fail;
	if (!find_buildinfo(g, &si))
		find_rodata_version(g);
	*out = g;
	return 0;
fail:
	goelf_close(g);
	return ret;
}

int goelf_open_mem(const void *data, size_t size, struct goelf **out, char *err,
		   size_t errlen)
{
	return open_mem(data, size, 0, out, err, errlen);
}

int goelf_open_file(const char *path, struct goelf **out, char *err, size_t errlen)
{
	return goelf_open_file_flags(path, 0, out, err, errlen);
}

int goelf_open_file_flags(const char *path, unsigned flags, struct goelf **out, char *err,
			  size_t errlen)
{
	struct stat st;
	void *map;
	int fd, ret;

	if (err && errlen)
		err[0] = 0;
	if (!out)
		return GOELF_E_IO;
	*out = NULL;
	/* O_NONBLOCK: a FIFO must not block the open; only regular files
	 * are read (checked below) */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return GOELF_E_IO;
	}
	if (fstat(fd, &st) != 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return GOELF_E_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", path);
		close(fd);
		return GOELF_E_IO;
	}
	if (st.st_size < EI_NIDENT) {
		set_err(err, errlen, "%s: not an ELF file (too small)", path);
		close(fd);
		return GOELF_E_NOT_ELF;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		set_err(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return GOELF_E_IO;
	}
	ret = open_mem(map, (size_t)st.st_size, flags, out, err, errlen);
	if (ret) {
		munmap(map, (size_t)st.st_size);
		return ret;
	}
	(*out)->map = map;
	(*out)->maplen = (size_t)st.st_size;
	return 0;
}

void goelf_close(struct goelf *g)
{
	if (!g)
		return;
	free(g->segs);
	free(g->funcs);
	ct_hmap_free(&g->fhash);
	free(g->syms);
	ct_hmap_free(&g->shash);
	free(g->main_path);
	if (g->map)
		munmap(g->map, g->maplen);
	free(g);
}

/* ---- accessors ---- */

enum goelf_arch goelf_get_arch(const struct goelf *g)
{
	return g ? g->arch : GOELF_ARCH_UNKNOWN;
}

enum goelf_pcln goelf_pcln_format(const struct goelf *g)
{
	return g ? g->pcln : GOELF_PCLN_NONE;
}

const char *goelf_version(const struct goelf *g)
{
	return g && g->vsrc != GOELF_VER_NONE ? g->version : NULL;
}

enum goelf_version_src goelf_version_source(const struct goelf *g)
{
	return g ? g->vsrc : GOELF_VER_NONE;
}

const char *goelf_main_path(const struct goelf *g)
{
	return g ? g->main_path : NULL;
}

bool goelf_has_symtab(const struct goelf *g)
{
	return g && g->has_symtab;
}

bool goelf_is_pie(const struct goelf *g)
{
	return g && g->pie;
}

bool goelf_is_static(const struct goelf *g)
{
	return g && g->is_static;
}

size_t goelf_func_count(const struct goelf *g)
{
	return g ? g->nfuncs : 0;
}

const struct goelf_func *goelf_func_by_index(const struct goelf *g, size_t i)
{
	return g && i < g->nfuncs ? &g->funcs[i] : NULL;
}

const struct goelf_func *goelf_find_func(const struct goelf *g, const char *name)
{
	uintptr_t i;

	if (!g || !name || !g->nfuncs)
		return NULL;
	if (!ct_hmap_get(&g->fhash, ct_hash_str(name), name, func_name_eq, g, &i))
		return NULL;
	return &g->funcs[i];
}

const struct goelf_func *goelf_func_at(const struct goelf *g, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!g || !g->nfuncs)
		return NULL;
	/* Last function with entry <= addr. */
	hi = g->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->funcs[mid].entry <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (addr < g->funcs[lo - 1].end)
		return &g->funcs[lo - 1];
	return NULL;
}

static const struct sym *sym_by_name(const struct goelf *g, const char *name)
{
	uintptr_t i;

	if (!g->nsyms)
		return NULL;
	if (!ct_hmap_get(&g->shash, ct_hash_str(name), name, sym_name_eq, g, &i))
		return NULL;
	return &g->syms[i];
}

int goelf_sym_addr(const struct goelf *g, const char *name, uint64_t *addr, uint64_t *size)
{
	const struct sym *s;
	char buf[512];
	size_t len;

	if (!g || !name)
		return -1;
	len = strlen(name);
	s = sym_by_name(g, name);
	/* Assembly functions are "<name>.abi0" in the symbol table. */
	if (!s && len + 5 < sizeof(buf)) {
		memcpy(buf, name, len);
		memcpy(buf + len, ".abi0", 6);
		s = sym_by_name(g, buf);
	}
	if (!s)
		return -1;
	if (addr)
		*addr = s->addr;
	if (size)
		*size = s->size;
	return 0;
}

const char *goelf_sym_at(const struct goelf *g, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!g || !g->nsyms)
		return NULL;
	hi = g->nsyms;
	/* First symbol with addr >= addr (the sort puts FUNC/OBJECT first). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->nsyms && g->syms[lo].addr == addr)
		return g->syms[lo].name;
	return NULL;
}

/*
 * Go's runtime.funcpkgpath over funcNameForPrint(name): generic arguments
 * "[...]" replaced, then back from the end to the last '/' (not index 0),
 * then forward to the first '.'.
 */
int goelf_pkgpath(const char *funcname, char *out, size_t outlen)
{
	size_t n, a, b = 0, c_off = 0, c_len = 0, vlen, i;
	const char *open, *close;

	if (!funcname || !out || !outlen)
		return -1;
	n = strlen(funcname);
	/* The printed name is A + "[...]" + C when there are brackets. */
	a = n;
	open = memchr(funcname, '[', n);
	if (open) {
		close = memrchr(funcname, ']', n);
		if (close && close > open) {
			a = (size_t)(open - funcname);
			b = 5;
			c_off = (size_t)(close - funcname) + 1;
			c_len = n - c_off;
		}
	}
	vlen = a + b + c_len;
#define VCH(k) ((k) < a ? funcname[k] : (k) < a + b ? "[...]"[(k) - a] : funcname[c_off + (k) - a - b])
	i = vlen ? vlen - 1 : 0;
	for (; i > 0; i--)
		if (VCH(i) == '/')
			break;
	for (; i < vlen; i++)
		if (VCH(i) == '.')
			break;
	if (i + 1 > outlen)
		return -1;
	for (size_t k = 0; k < i; k++)
		out[k] = VCH(k);
#undef VCH
	out[i] = 0;
	return (int)i;
}
