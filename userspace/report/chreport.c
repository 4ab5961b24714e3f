// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chreport: report --clickhouse's SQL and answers (see chreport.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chreport.h"

/* The report's table an entry of kind lives in (report.c's arrays); within
 * one run, lower first: a package's program exists before it. */
static int entry_table(int kind)
{
	switch (kind) {
	case CT_RS_PHASE:
	case CT_RS_PHASE_HELD:
	case CT_RS_PHASE_INCOMPLETE:
	case CT_RS_PHASE_FIG:
		return 0;
	case CT_RS_PROG_START:
	case CT_RS_STARTUP:
		return 1;
	case CT_RS_EXT_START:
	case CT_RS_EXT_FAILED:
	case CT_RS_EXT_GATED_INIT:
	case CT_RS_EXT_GATED_REGISTER:
	case CT_RS_EXT:
		return 2;
	case CT_RS_PKG:
	case CT_RS_PKG_FIG:
		return 3;
	case CT_RS_PY_CUM:
	case CT_RS_PY_SELF:
		return 4;
	}
	return 5;
}

/* Sort key of a series: its entry's first sighting, then the entry, then
 * the kind and figure (any fixed order: the entry exists by then). */
struct chr_key {
	uint64_t ns;
	const char *cs;
	int table;
	uint64_t ord;
	struct ct_chr_series *s;
};

static int same_entry(const struct ct_chr_series *a, const struct ct_chr_series *b)
{
	return entry_table(a->kind) == entry_table(b->kind) && !strcmp(a->prog, b->prog) &&
	       !strcmp(a->name, b->name);
}

static int cmp_series_entry(const void *x, const void *y)
{
	const struct ct_chr_series *a = x, *b = y;
	int c;

	if (entry_table(a->kind) != entry_table(b->kind))
		return entry_table(a->kind) < entry_table(b->kind) ? -1 : 1;
	c = strcmp(a->prog, b->prog);
	return c ? c : strcmp(a->name, b->name);
}

static int cmp_key(const void *x, const void *y)
{
	const struct chr_key *a = x, *b = y;
	int c;

	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	c = strcmp(a->cs, b->cs);
	if (c)
		return c;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->ord != b->ord)
		return a->ord < b->ord ? -1 : 1;
	if (a->s->kind != b->s->kind)
		return a->s->kind < b->s->kind ? -1 : 1;
	return a->s->fig < b->s->fig ? -1 : a->s->fig > b->s->fig;
}

int ct_chr_put(struct ct_report *r, struct ct_chr_series *v, size_t n)
{
	struct chr_key *k;
	int ret = 0;

	if (!n)
		return 0;
	k = calloc(n, sizeof(*k));
	if (!k)
		return -1;
	/* group the series of each entry; the entry's first sighting is the
	 * earliest of its series' */
	qsort(v, n, sizeof(*v), cmp_series_entry);
	for (size_t i = 0; i < n;) {
		size_t j = i, best = i;

		for (; j < n && same_entry(&v[i], &v[j]); j++)
			if (v[j].first_ns < v[best].first_ns ||
			    (v[j].first_ns == v[best].first_ns && strcmp(v[j].first_cs, v[best].first_cs) < 0))
				best = j;
		for (size_t m = i; m < j; m++)
			k[m] = (struct chr_key){v[best].first_ns, v[best].first_cs, entry_table(v[m].kind), v[best].ord,
						&v[m]};
		i = j;
	}
	qsort(k, n, sizeof(*k), cmp_key);
	for (size_t i = 0; i < n && !ret; i++)
		ret = ct_report_put_stats(r, k[i].s->kind, k[i].s->fig, k[i].s->prog, k[i].s->name, &k[i].s->st);
	free(k);
	return ret;
}

void ct_chr_series_free(struct ct_chr_series *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].prog);
		free(v[i].name);
		free(v[i].first_cs);
	}
	free(v);
}
