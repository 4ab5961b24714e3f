// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hashmap: get/put/replace, growth, keys that collide (one hash for all),
 * a hash of 0, the probe limit, removal with wrap-around and while walking
 * the slots, checked against a plain array.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "hashmap.h"

#define NKEYS 5000

static char names[NKEYS][16];

static bool name_eq(const void *ctx, uintptr_t v, const void *key)
{
	return !strcmp(((const char(*)[16])ctx)[v], key);
}

static bool u64_eq(const void *ctx, uintptr_t v, const void *key)
{
	return ((const uint64_t *)ctx)[v] == *(const uint64_t *)key;
}

static void make_names(void)
{
	for (int i = 0; i < NKEYS; i++)
		snprintf(names[i], sizeof(names[i]), "name-%d", i);
}

CT_TEST(hashes)
{
	CT_EQ_U64(ct_hash_u64(0), 0xe220a8397b1dcdafull); /* splitmix64's first output */
	CT_EQ_U64(ct_hash_str("abc"), ct_hash_bytes("abc", 3));
	CT_TRUE(ct_hash_str("abc") != ct_hash_str("abd"));
	CT_TRUE(ct_hash_bytes("a\0b", 3) != ct_hash_bytes("a\0c", 3));
}

CT_TEST(empty_map)
{
	struct ct_hmap m = {0};
	uintptr_t v = 7;

	CT_TRUE(!ct_hmap_get(&m, ct_hash_str("x"), "x", name_eq, names, &v));
	CT_EQ_INT(v, 7);
	CT_TRUE(ct_hmap_find(&m, 1, "x", name_eq, names) == NULL);
	ct_hmap_free(&m);
}

CT_TEST(put_get_replace_grow)
{
	struct ct_hmap m;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	for (int i = 0; i < NKEYS; i++)
		CT_EQ_INT(ct_hmap_put(&m, ct_hash_str(names[i]), names[i], name_eq, names, (uintptr_t)i), 0);
	CT_EQ_INT(m.n, NKEYS);
	CT_TRUE(m.cap >= 2 * NKEYS && (m.cap & (m.cap - 1)) == 0);
	for (int i = 0; i < NKEYS; i++) {
		if (!ct_hmap_get(&m, ct_hash_str(names[i]), names[i], name_eq, names, &v) || v != (uintptr_t)i) {
			CT__FAIL("%s not found or wrong", names[i]);
			break;
		}
	}
	CT_TRUE(!ct_hmap_get(&m, ct_hash_str("name-x"), "name-x", name_eq, names, &v));
	/* put of a present key replaces the value: the key is "name-3",
	 * compared through the entry's own value */
	CT_EQ_INT(ct_hmap_put(&m, ct_hash_str("name-3"), "name-3", name_eq, names, 3), 0);
	CT_EQ_INT(m.n, NKEYS);
	ct_hmap_free(&m);
	CT_EQ_INT(m.cap, 0);
}

CT_TEST(all_keys_collide)
{
	struct ct_hmap m;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	for (int i = 0; i < 200; i++)
		CT_EQ_INT(ct_hmap_put(&m, 42, names[i], name_eq, names, (uintptr_t)i), 0);
	for (int i = 0; i < 200; i++)
		CT_TRUE(ct_hmap_get(&m, 42, names[i], name_eq, names, &v) && v == (uintptr_t)i);
	CT_TRUE(!ct_hmap_get(&m, 42, "other", name_eq, names, &v));
	ct_hmap_free(&m);
}

CT_TEST(hash_zero)
{
	struct ct_hmap m;
	struct ct_hslot *s;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	CT_EQ_INT(ct_hmap_put(&m, 0, names[0], name_eq, names, 0), 0);
	CT_EQ_INT(ct_hmap_put(&m, 1, names[1], name_eq, names, 1), 0);
	CT_TRUE(ct_hmap_get(&m, 0, names[0], name_eq, names, &v) && v == 0);
	CT_TRUE(ct_hmap_get(&m, 1, names[1], name_eq, names, &v) && v == 1);
	s = ct_hmap_find(&m, 0, names[0], name_eq, names);
	CT_TRUE(s && ct_hslot_used(s));
	ct_hmap_free(&m);
}

CT_TEST(probe_limit)
{
	struct ct_hmap m;
	uintptr_t v;

	ct_hmap_init(&m, 8);
	for (int i = 0; i < 8; i++)
		CT_EQ_INT(ct_hmap_put(&m, 7, names[i], name_eq, names, (uintptr_t)i), 0);
	CT_EQ_INT(ct_hmap_put(&m, 7, names[8], name_eq, names, 8), -1);
	CT_EQ_INT(m.n, 8);
	CT_TRUE(ct_hmap_get(&m, 7, names[7], name_eq, names, &v) && v == 7);
	CT_TRUE(!ct_hmap_get(&m, 7, names[8], name_eq, names, &v));
	/* other hashes still go in */
	CT_EQ_INT(ct_hmap_put(&m, 1234, names[9], name_eq, names, 9), 0);
	ct_hmap_free(&m);
}

CT_TEST(reserve_then_fill)
{
	struct ct_hmap m;
	struct ct_hslot *s;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	CT_EQ_INT(ct_hmap_reserve(&m, 100), 0);
	CT_EQ_INT(m.cap, ct_hmap_cap_for(100));
	CT_EQ_INT(ct_hmap_cap_for(0), 16);
	CT_EQ_INT(ct_hmap_cap_for(9), 32);
	s = ct_hmap_find(&m, ct_hash_str(names[5]), names[5], name_eq, names);
	CT_TRUE(s && !ct_hslot_used(s));
	ct_hmap_fill(&m, s, ct_hash_str(names[5]), 5);
	CT_TRUE(ct_hmap_get(&m, ct_hash_str(names[5]), names[5], name_eq, names, &v) && v == 5);
	CT_EQ_INT(m.n, 1);
	ct_hmap_free(&m);
}

/* Entries whose home is the last slot run over into slots 0, 1, 2: removing
 * the first keeps the others findable. */
CT_TEST(remove_wraps_around)
{
	static const uint64_t keys[4] = {10, 11, 12, 13};
	struct ct_hmap m;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	for (int i = 0; i < 4; i++)
		CT_EQ_INT(ct_hmap_put(&m, 15, &keys[i], u64_eq, keys, (uintptr_t)i), 0);
	CT_EQ_INT(m.cap, 16);
	CT_TRUE(m.slot[15].hash && m.slot[0].hash && m.slot[1].hash && m.slot[2].hash);
	ct_hmap_remove(&m, ct_hmap_find(&m, 15, &keys[0], u64_eq, keys));
	CT_EQ_INT(m.n, 3);
	CT_TRUE(!m.slot[2].hash);
	for (int i = 1; i < 4; i++)
		CT_TRUE(ct_hmap_get(&m, 15, &keys[i], u64_eq, keys, &v) && v == (uintptr_t)i);
	CT_TRUE(!ct_hmap_get(&m, 15, &keys[0], u64_eq, keys, &v));
	ct_hmap_free(&m);
}

/* Many keys in few home slots, removed while walking the slots as
 * hashmap.h says; what is left is what a plain array says. */
CT_TEST(remove_while_walking)
{
	static uint64_t keys[2000];
	static bool present[2000];
	struct ct_hmap m;
	uintptr_t v;

	ct_hmap_init(&m, 0);
	for (int i = 0; i < 2000; i++) {
		keys[i] = (uint64_t)i * 7919;
		present[i] = true;
		/* few distinct hashes: long runs, many wrap-arounds */
		CT_EQ_INT(ct_hmap_put(&m, ct_hash_u64(keys[i] % 97), &keys[i], u64_eq, keys, (uintptr_t)i), 0);
	}
	for (size_t i = 0; i < m.cap;) {
		struct ct_hslot *s = &m.slot[i];

		if (s->hash && s->val % 3 == 0) {
			present[s->val] = false;
			ct_hmap_remove(&m, s);
			continue;
		}
		i++;
	}
	for (int i = 0; i < 2000; i++) {
		bool got = ct_hmap_get(&m, ct_hash_u64(keys[i] % 97), &keys[i], u64_eq, keys, &v);

		if (got != present[i] || (got && v != (uintptr_t)i) || present[i] != (i % 3 != 0)) {
			CT__FAIL("key %d: found %d, expected %d", i, got, present[i]);
			break;
		}
	}
	CT_EQ_INT(m.n, 2000 - 667);
	ct_hmap_free(&m);
}

int main(void)
{
	make_names();
	CT_RUN(hashes);
	CT_RUN(empty_map);
	CT_RUN(put_get_replace_grow);
	CT_RUN(all_keys_collide);
	CT_RUN(hash_zero);
	CT_RUN(probe_limit);
	CT_RUN(reserve_then_fill);
	CT_RUN(remove_wraps_around);
	CT_RUN(remove_while_walking);
	return ct_summary();
}
