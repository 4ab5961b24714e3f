// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

#define HMAP_MIN_CAP 16

uint64_t ct_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a offset basis */

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull; /* FNV prime */
	}
	/* murmur3's fmix64 */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

uint64_t ct_hash_str(const char *s)
{
	return ct_hash_bytes(s, strlen(s));
}

uint64_t ct_hash_u64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* 0 marks an empty slot */
static uint64_t stored(uint64_t hash)
{
	return hash ? hash : 1;
}

void ct_hmap_init(struct ct_hmap *m, unsigned max_probe)
{
	memset(m, 0, sizeof(*m));
	m->max_probe = max_probe;
}

void ct_hmap_free(struct ct_hmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
}

size_t ct_hmap_cap_for(size_t n)
{
	size_t cap = HMAP_MIN_CAP;

	while (cap / 2 < n && cap <= SIZE_MAX / 4)
		cap *= 2;
	return cap;
}

int ct_hmap_reserve(struct ct_hmap *m, size_t n)
{
	size_t cap = ct_hmap_cap_for(n), mask = cap - 1;
	struct ct_hslot *ns;

	if (cap <= m->cap)
		return 0;
	if (cap / 2 < n || cap > SIZE_MAX / sizeof(*ns))
		return -1;
	ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return -1;
	/* hashes are stored: no key is looked at, and no probe limit applies */
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->slot[i].hash)
			continue;
		for (j = m->slot[i].hash & mask; ns[j].hash; j = (j + 1) & mask)
			;
		ns[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = ns;
	m->cap = cap;
	return 0;
}

struct ct_hslot *ct_hmap_find(const struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq,
			      const void *ctx)
{
	size_t mask = m->cap - 1, j;

	if (!m->cap)
		return NULL;
	hash = stored(hash);
	j = hash & mask;
	for (size_t probe = 0; !m->max_probe || probe < m->max_probe; probe++, j = (j + 1) & mask) {
		struct ct_hslot *s = &m->slot[j];

		if (!s->hash || (s->hash == hash && eq(ctx, s->val, key)))
			return s;
	}
	return NULL;
}

void ct_hmap_fill(struct ct_hmap *m, struct ct_hslot *s, uint64_t hash, uintptr_t val)
{
	s->hash = stored(hash);
	s->val = val;
	m->n++;
}

bool ct_hmap_get(const struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq, const void *ctx,
		 uintptr_t *val)
{
	const struct ct_hslot *s = ct_hmap_find(m, hash, key, eq, ctx);

	if (!s || !s->hash)
		return false;
	if (val)
		*val = s->val;
	return true;
}

int ct_hmap_put(struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq, const void *ctx,
		uintptr_t val)
{
	struct ct_hslot *s;

	if (ct_hmap_reserve(m, m->n + 1))
		return -1;
	s = ct_hmap_find(m, hash, key, eq, ctx);
	if (!s)
		return -1;
	if (s->hash)
		s->val = val;
	else
		ct_hmap_fill(m, s, hash, val);
	return 0;
}

void ct_hmap_remove(struct ct_hmap *m, struct ct_hslot *s)
{
	size_t mask = m->cap - 1, i = (size_t)(s - m->slot), j = i;

	if (!s->hash)
		return;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!m->slot[j].hash)
			break;
		home = m->slot[j].hash & mask;
		/* it stays if its home lies in (i, j], cyclically */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slot[i] = m->slot[j];
		i = j;
	}
	m->slot[i].hash = 0;
	m->slot[i].val = 0;
	m->n--;
}
