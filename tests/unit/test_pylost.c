// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython import records lost to a full ring: the probes send the depth of
 * import calls open on the thread with each record, and the model uses it
 * so that a lost end does not make one load the parent of every later one,
 * and a lost start does not close the wrong load.
 */
#include <linux/types.h>
#include <string.h>

#include "ct_test.h"
#include "model.h"
#include "model_build.h"

#define US(x) ((uint64_t)(x) * 1000ull)

static void py(struct ct_model *m, uint64_t ts, uint32_t what, uint32_t depth, const char *name)
{
	struct ct_py e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PY, 100, 100, ts);
	e.what = what;
	e.depth = depth;
	e.bin = 1;
	if (name) {
		e.name_kind = CT_PYNAME_UTF8;
		e.name_len = e.name_chars = (uint32_t)strlen(name);
		memcpy(e.name, name, e.name_len);
	}
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static const struct ct_image *setup(struct ct_model *m)
{
	ct_model_init(m, NULL);
	mb_exec(m, 100, 1, US(10), "/usr/bin/python3");
	return NULL;
}

static const struct ct_image *image(struct ct_model *m)
{
	return ct_proc_image(ct_model_proc(m, 100));
}

/* A = [B (end lost), C]: C is A's child, not B's. */
CT_TEST(end_lost)
{
	struct ct_model m;
	const struct ct_image *im = setup(&m);

	py(&m, US(100), CT_PYIMP_START, 1, "A");
	py(&m, US(110), CT_PYIMP_START, 3, "B"); /* A's body imports through a cached import */
	/* B's end (depth 3) lost */
	py(&m, US(200), CT_PYIMP_START, 2, "C");
	py(&m, US(250), CT_PYIMP_END, 2, NULL);
	py(&m, US(300), CT_PYIMP_END, 1, NULL);
	im = image(&m);
	CT_TRUE(im && im->npyimports == 3);
	if (!im || im->npyimports != 3) {
		ct_model_free(&m);
		return;
	}
	CT_EQ_STR(im->pyimports[1].name, "B");
	CT_EQ_INT(im->pyimports[1].end, 0);
	CT_EQ_STR(im->pyimports[2].name, "C");
	CT_EQ_INT(im->pyimports[2].parent, 0);
	CT_EQ_INT(im->pyimports[2].level, 1);
	CT_EQ_INT(im->pyimports[2].end, US(250));
	CT_EQ_INT(im->pyimports[0].end, US(300));
	/* A's self time leaves out C only: B never ended */
	CT_EQ_INT(ct_pyimport_self(&im->pyimports[0]), US(200) - US(50));
	CT_EQ_INT(m.unpaired, 1);
	ct_model_free(&m);
}

/* A top-level load whose end was lost: the next top-level one is top-level. */
CT_TEST(top_end_lost)
{
	struct ct_model m;
	const struct ct_image *im = setup(&m);

	py(&m, US(100), CT_PYIMP_START, 1, "A");
	py(&m, US(300), CT_PYIMP_START, 1, "E");
	py(&m, US(400), CT_PYIMP_END, 1, NULL);
	im = image(&m);
	CT_TRUE(im && im->npyimports == 2);
	if (!im || im->npyimports != 2) {
		ct_model_free(&m);
		return;
	}
	CT_EQ_INT(im->pyimports[0].end, 0);
	CT_EQ_INT(im->pyimports[1].level, 0);
	CT_EQ_INT(im->pyimports[1].parent, -1);
	CT_EQ_INT(im->pyimports[1].end, US(400));
	ct_model_free(&m);
}

/* A = [B (start lost)]: B's end does not close A. */
CT_TEST(start_lost)
{
	struct ct_model m;
	const struct ct_image *im = setup(&m);

	py(&m, US(100), CT_PYIMP_START, 1, "A");
	/* B's start (depth 2) lost */
	py(&m, US(150), CT_PYIMP_END, 2, NULL);
	py(&m, US(300), CT_PYIMP_END, 1, NULL);
	im = image(&m);
	CT_TRUE(im && im->npyimports == 1);
	if (!im || im->npyimports != 1) {
		ct_model_free(&m);
		return;
	}
	CT_EQ_INT(im->pyimports[0].end, US(300));
	CT_EQ_INT(m.unpaired, 1);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(end_lost);
	CT_RUN(top_end_lost);
	CT_RUN(start_lost);
	return ct_summary();
}
