/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hashmap: the one hash table of coldtrace, open addressing with linear
 * probing, kept at most half full.
 *
 * The table holds no keys: a slot is the key's 64-bit hash and a value (an
 * index into the caller's array, or a pointer), and the caller's eq function
 * tells whether the entry with that value has the key being looked for. So
 * the keys stay where they already are (function names in a mapped ELF file,
 * the fields of a stream, the names of a report) and any kind of key works:
 * bytes, strings, several fields. eq is called only when the hashes match.
 *
 *   static bool name_eq(const void *ctx, uintptr_t v, const void *key)
 *   { return !strcmp(((const struct thing *)ctx)[v].name, key); }
 *
 *   h = ct_hash_str(name);
 *   if (ct_hmap_get(&map, h, name, name_eq, things, &v)) ... things[v] ...
 *   ct_hmap_put(&map, h, name, name_eq, things, index_of_the_new_one);
 *
 * A zeroed struct ct_hmap is an empty map with no probe limit. max_probe
 * (when not 0) bounds a lookup's probe: input crafted to collide then fails
 * to be found or added instead of making every lookup slow.
 */
#ifndef COLDTRACE_HASHMAP_H
#define COLDTRACE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_hslot {
	uint64_t hash; /* 0: empty (a key's hash of 0 is stored as 1) */
	uintptr_t val;
};

struct ct_hmap {
	struct ct_hslot *slot;
	size_t cap; /* 0 or a power of two */
	size_t n;
	unsigned max_probe; /* 0: no limit */
};

/* Is the entry with value val the one with this key? */
typedef bool ct_hmap_eq_fn(const void *ctx, uintptr_t val, const void *key);

/* FNV-1a with a final mix, so every bit of the key reaches the slot index. */
uint64_t ct_hash_bytes(const void *p, size_t n);
uint64_t ct_hash_str(const char *s);
/* splitmix64: a 64-bit value mixed (also the ids of the OTLP view). */
uint64_t ct_hash_u64(uint64_t x);

void ct_hmap_init(struct ct_hmap *m, unsigned max_probe);
void ct_hmap_free(struct ct_hmap *m);

/* The capacity ct_hmap_reserve(m, n) makes: a power of two, at least 16 and
 * twice n (for a caller that accounts for the memory first). */
size_t ct_hmap_cap_for(size_t n);
/* Room for n entries: grow (rehash) if needed. 0, or -1 when out of memory
 * (the map is unchanged). */
int ct_hmap_reserve(struct ct_hmap *m, size_t n);

/*
 * The slot of key: the one holding it, or the empty one where it belongs
 * (ct_hslot_used says which). NULL if the map has no slots yet or the probe
 * passed max_probe. A slot pointer stays good until the map grows.
 */
struct ct_hslot *ct_hmap_find(const struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq,
			      const void *ctx);
static inline bool ct_hslot_used(const struct ct_hslot *s)
{
	return s->hash != 0;
}
/* Put an entry into the empty slot ct_hmap_find gave for this hash, after
 * ct_hmap_reserve(m, m->n + 1). */
void ct_hmap_fill(struct ct_hmap *m, struct ct_hslot *s, uint64_t hash, uintptr_t val);

bool ct_hmap_get(const struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq, const void *ctx,
		 uintptr_t *val);
/* Add the key with val, or set the value of the entry that has it. 0, or -1
 * when out of memory or past max_probe. */
int ct_hmap_put(struct ct_hmap *m, uint64_t hash, const void *key, ct_hmap_eq_fn *eq, const void *ctx,
		uintptr_t val);
/*
 * Remove the entry in slot s. The entries after it in its probe run move
 * back, so a caller that walks the slots and removes some looks at the same
 * slot again after a remove (an entry from the table's start may come to
 * its end and be seen twice: it was not removed the first time).
 */
void ct_hmap_remove(struct ct_hmap *m, struct ct_hslot *s);

#endif
