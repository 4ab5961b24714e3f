// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model's CPython import pairing (model.c on_py) on synthetic records:
 * nesting, level, parent, end order, self and cumulative times (exact),
 * threads interleaved, an END with nothing open, more importing threads
 * than the model keeps, loads deeper than its stack, and module names sent
 * as latin-1, UCS-2 and UCS-4 code units (converted to UTF-8), cut or not.
 * Also the importtime view's lines for one of them.
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "model.h"
#include "model_build.h"
#include "render.h"

#define US(x) ((uint64_t)(x) * 1000ull)

static const char *fake_version(void *ctx, uint32_t bin)
{
	(void)ctx;
	return bin == 1 ? "3.11.2" : NULL;
}

static const struct ct_model_ops ops = {.bin_version = fake_version};

static const struct ct_image *py_image(struct ct_model *m, uint32_t pid)
{
	struct ct_proc *p = ct_model_proc(m, pid);

	return p ? ct_proc_image(p) : NULL;
}

/* A = [B, C = [D]], then E, on one thread. */
CT_TEST(nesting)
{
	struct ct_model m;
	const struct ct_image *im;
	const struct ct_pyimport *pi;

	ct_model_init(&m, &ops);
	mb_exec(&m, 100, 1, US(10), "/usr/bin/python3");
	mb_py_start(&m, 100, 100, US(1000), "A");
	mb_py_start(&m, 100, 100, US(1100), "A.B");
	mb_py_end(&m, 100, 100, US(1300));
	mb_py_start(&m, 100, 100, US(1400), "C");
	mb_py_start(&m, 100, 100, US(1450), "D");
	mb_py_end(&m, 100, 100, US(1500));
	mb_py_end(&m, 100, 100, US(1600));
	mb_py_end(&m, 100, 100, US(2000));
	mb_py_start(&m, 100, 100, US(3000), "E");
	mb_py_end(&m, 100, 100, US(3500));
	im = py_image(&m, 100);
	CT_TRUE(im && im->is_python);
	if (!im || im->npyimports != 5) {
		CT_EQ_INT(im ? im->npyimports : 0, 5);
		ct_model_free(&m);
		return;
	}
	CT_EQ_STR(im->py_version, "3.11.2");
	pi = im->pyimports;
	CT_EQ_STR(pi[0].name, "A");
	CT_EQ_STR(pi[1].name, "A.B");
	CT_EQ_STR(pi[2].name, "C");
	CT_EQ_STR(pi[3].name, "D");
	CT_EQ_STR(pi[4].name, "E");
	CT_EQ_INT(pi[0].level, 0);
	CT_EQ_INT(pi[1].level, 1);
	CT_EQ_INT(pi[2].level, 1);
	CT_EQ_INT(pi[3].level, 2);
	CT_EQ_INT(pi[4].level, 0);
	CT_EQ_INT(pi[0].parent, -1);
	CT_EQ_INT(pi[1].parent, 0);
	CT_EQ_INT(pi[2].parent, 0);
	CT_EQ_INT(pi[3].parent, 2);
	CT_EQ_INT(pi[4].parent, -1);
	CT_EQ_INT(pi[1].end_seq, 1);
	CT_EQ_INT(pi[3].end_seq, 2);
	CT_EQ_INT(pi[2].end_seq, 3);
	CT_EQ_INT(pi[0].end_seq, 4);
	CT_EQ_INT(pi[4].end_seq, 5);
	CT_EQ_U64(ct_pyimport_cum(&pi[0]), US(1000));
	CT_EQ_U64(ct_pyimport_self(&pi[0]), US(600));
	CT_EQ_U64(ct_pyimport_cum(&pi[1]), US(200));
	CT_EQ_U64(ct_pyimport_self(&pi[1]), US(200));
	CT_EQ_U64(ct_pyimport_cum(&pi[2]), US(200));
	CT_EQ_U64(ct_pyimport_self(&pi[2]), US(150));
	CT_EQ_U64(ct_pyimport_cum(&pi[3]), US(50));
	CT_EQ_U64(ct_pyimport_self(&pi[3]), US(50));
	CT_EQ_U64(ct_pyimport_cum(&pi[4]), US(500));
	CT_EQ_U64(ct_pyimport_self(&pi[4]), US(500));
	for (int i = 0; i < 5; i++) {
		CT_EQ_INT(pi[i].tid, 100);
		CT_TRUE(!pi[i].name_cut);
	}
	CT_EQ_INT(m.unpaired, 0);
	CT_EQ_INT(ct_model_py_images(&m), 1);
	{
		struct strbuf sb;

		sb_init(&sb);
		ct_render_importtime(&m, &sb, NULL);
		CT_EQ_STR(sb.buf, "import time: self [us] | cumulative | imported package\n"
				  "import time:       200 |        200 |   A.B\n"
				  "import time:        50 |         50 |     D\n"
				  "import time:       150 |        200 |   C\n"
				  "import time:       600 |       1000 | A\n"
				  "import time:       500 |        500 | E\n");
		sb_free(&sb);
	}
	ct_model_free(&m);
}

/* A load that never ends: cum and self 0, end_seq 0, not in the view. */
CT_TEST(never_ended)
{
	struct ct_model m;
	const struct ct_image *im;

	ct_model_init(&m, &ops);
	mb_exec(&m, 110, 1, US(10), "/usr/bin/python3");
	mb_py_start(&m, 110, 110, US(100), "outer");
	mb_py_start(&m, 110, 110, US(200), "inner");
	mb_py_end(&m, 110, 110, US(250));
	im = py_image(&m, 110);
	CT_TRUE(im && im->npyimports == 2);
	if (im && im->npyimports == 2) {
		CT_EQ_U64(im->pyimports[0].end, 0);
		CT_EQ_INT(im->pyimports[0].end_seq, 0);
		CT_EQ_U64(ct_pyimport_cum(&im->pyimports[0]), 0);
		CT_EQ_U64(ct_pyimport_self(&im->pyimports[0]), 0);
		CT_EQ_INT(im->pyimports[1].end_seq, 1);
		CT_EQ_U64(ct_pyimport_cum(&im->pyimports[1]), US(50));
	}
	ct_model_free(&m);
}

/* Two threads of one process import at once: each END closes its own
 * thread's innermost load. */
CT_TEST(two_threads)
{
	struct ct_model m;
	const struct ct_image *im;
	const struct ct_pyimport *pi;

	ct_model_init(&m, &ops);
	mb_exec(&m, 200, 1, US(1), "/usr/bin/python3");
	mb_py_start(&m, 200, 201, US(100), "X");
	mb_py_start(&m, 200, 202, US(110), "Y");
	mb_py_start(&m, 200, 201, US(120), "X.sub");
	mb_py_start(&m, 200, 202, US(125), "Y.sub");
	mb_py_end(&m, 200, 202, US(128)); /* Y.sub */
	mb_py_end(&m, 200, 202, US(130)); /* Y */
	mb_py_end(&m, 200, 201, US(140)); /* X.sub */
	mb_py_end(&m, 200, 201, US(150)); /* X */
	im = py_image(&m, 200);
	if (!im || im->npyimports != 4) {
		CT_EQ_INT(im ? im->npyimports : 0, 4);
		ct_model_free(&m);
		return;
	}
	pi = im->pyimports;
	CT_EQ_STR(pi[0].name, "X");
	CT_EQ_STR(pi[1].name, "Y");
	CT_EQ_STR(pi[2].name, "X.sub");
	CT_EQ_STR(pi[3].name, "Y.sub");
	CT_EQ_INT(pi[0].tid, 201);
	CT_EQ_INT(pi[1].tid, 202);
	CT_EQ_INT(pi[2].tid, 201);
	CT_EQ_INT(pi[3].tid, 202);
	CT_EQ_INT(pi[1].level, 0);
	CT_EQ_INT(pi[1].parent, -1);
	CT_EQ_INT(pi[2].level, 1);
	CT_EQ_INT(pi[2].parent, 0);
	CT_EQ_INT(pi[3].level, 1);
	CT_EQ_INT(pi[3].parent, 1);
	CT_EQ_INT(pi[3].end_seq, 1);
	CT_EQ_INT(pi[1].end_seq, 2);
	CT_EQ_INT(pi[2].end_seq, 3);
	CT_EQ_INT(pi[0].end_seq, 4);
	CT_EQ_U64(ct_pyimport_cum(&pi[0]), US(50));
	CT_EQ_U64(ct_pyimport_self(&pi[0]), US(30));
	CT_EQ_U64(ct_pyimport_cum(&pi[1]), US(20));
	CT_EQ_U64(ct_pyimport_self(&pi[1]), US(17));
	CT_EQ_U64(ct_pyimport_cum(&pi[2]), US(20));
	CT_EQ_U64(ct_pyimport_cum(&pi[3]), US(3));
	CT_EQ_INT(m.unpaired, 0);
	ct_model_free(&m);
}

/* An END on a thread with nothing open is counted, and changes nothing. */
CT_TEST(end_without_start)
{
	struct ct_model m;
	const struct ct_image *im;

	ct_model_init(&m, &ops);
	mb_exec(&m, 300, 1, US(1), "/usr/bin/python3");
	mb_py_end(&m, 300, 300, US(5));
	CT_EQ_INT(m.unpaired, 1);
	mb_py_start(&m, 300, 300, US(10), "a");
	mb_py_end(&m, 300, 300, US(20));
	mb_py_end(&m, 300, 300, US(30)); /* one too many */
	mb_py_end(&m, 300, 301, US(31)); /* another thread: nothing open */
	CT_EQ_INT(m.unpaired, 3);
	im = py_image(&m, 300);
	CT_TRUE(im && im->npyimports == 1);
	if (im && im->npyimports == 1) {
		CT_EQ_U64(im->pyimports[0].end, US(20));
		CT_EQ_INT(im->pyimports[0].end_seq, 1);
		CT_EQ_INT(im->py_end_seq, 1);
	}
	ct_model_free(&m);
}

/* More importing threads than CT_PY_THREADS: the first ones are paired, the
 * others' records are counted as unpaired (never paired with another
 * thread's load). */
CT_TEST(too_many_threads)
{
	struct ct_model m;
	const struct ct_image *im;
	int extra = 3;

	ct_model_init(&m, &ops);
	mb_exec(&m, 400, 1, US(1), "/usr/bin/python3");
	for (int i = 0; i < CT_PY_THREADS + extra; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		mb_py_start(&m, 400, 1000 + (uint32_t)i, US(100 + i), name);
	}
	for (int i = CT_PY_THREADS + extra - 1; i >= 0; i--)
		mb_py_end(&m, 400, 1000 + (uint32_t)i, US(500 + i));
	im = py_image(&m, 400);
	CT_TRUE(im != NULL);
	if (!im) {
		ct_model_free(&m);
		return;
	}
	CT_EQ_INT(im->npyimports, CT_PY_THREADS);
	CT_EQ_INT(m.unpaired, 2 * extra);
	for (size_t i = 0; i < im->npyimports; i++) {
		char name[32];

		snprintf(name, sizeof(name), "t%zu", i);
		CT_EQ_STR(im->pyimports[i].name, name);
		CT_EQ_INT(im->pyimports[i].tid, 1000 + i);
		CT_EQ_INT(im->pyimports[i].level, 0);
		CT_EQ_U64(ct_pyimport_cum(&im->pyimports[i]), US(400));
	}
	ct_model_free(&m);
}

/* Loads nested deeper than the model's stack: the outer CT_PY_STACK ones
 * still pair with their own ends. */
CT_TEST(deep_nesting)
{
	struct ct_model m;
	const struct ct_image *im;
	int n = CT_PY_STACK + 6;

	ct_model_init(&m, &ops);
	mb_exec(&m, 500, 1, US(1), "/usr/bin/python3");
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%d", i);
		mb_py_start(&m, 500, 500, US(100 + i), name);
	}
	for (int i = n - 1; i >= 0; i--)
		mb_py_end(&m, 500, 500, US(1000 - i));
	im = py_image(&m, 500);
	CT_TRUE(im && im->npyimports == (size_t)n);
	if (im && im->npyimports == (size_t)n) {
		for (int i = 0; i < CT_PY_STACK; i++) {
			CT_EQ_INT(im->pyimports[i].level, i);
			CT_EQ_INT(im->pyimports[i].parent, i - 1);
			CT_EQ_U64(im->pyimports[i].end, US(1000 - i));
			CT_EQ_U64(ct_pyimport_cum(&im->pyimports[i]), US(900 - 2 * i));
		}
		CT_EQ_U64(ct_pyimport_self(&im->pyimports[0]), US(2));
	}
	ct_model_free(&m);
}

/* A START record with name bytes of @kind, by hand. */
static void py_start_raw(struct ct_model *m, uint32_t pid, uint64_t ts, uint8_t kind, const void *name,
			 uint32_t len, uint32_t chars)
{
	struct ct_py e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PY, pid, pid, ts);
	e.what = CT_PYIMP_START;
	e.bin = 1;
	e.name_kind = kind;
	e.name_len = len;
	e.name_chars = chars;
	memcpy(e.name, name, len < CT_PYMOD_LEN ? len : CT_PYMOD_LEN);
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

CT_TEST(names)
{
	static const uint8_t ucs1[] = {'c', 'a', 'f', 0xe9, '.', 'x'};               /* café.x */
	static const uint16_t ucs2[] = {0x43c, 0x43e, 0x434, '_', 0x20ac};         /* мод_€ */
	static const uint32_t ucs4[] = {'p', 0x1d52d, '.', 0x1f40d};               /* p𝔭.🐍 */
	static const char utf8[] = "pkg.\xc3\xa9t\xc3\xa9";                          /* pkg.été */
	char longname[CT_PYMOD_LEN];
	struct ct_model m;
	const struct ct_image *im;
	const struct ct_pyimport *pi;

	memset(longname, 'a', sizeof(longname));
	ct_model_init(&m, &ops);
	mb_exec(&m, 600, 1, US(1), "/usr/bin/python3");
	py_start_raw(&m, 600, US(10), CT_PYNAME_UCS1, ucs1, sizeof(ucs1), 6);
	py_start_raw(&m, 600, US(11), CT_PYNAME_UCS2, ucs2, sizeof(ucs2), 5);
	py_start_raw(&m, 600, US(12), CT_PYNAME_UCS4, ucs4, sizeof(ucs4), 4);
	py_start_raw(&m, 600, US(13), CT_PYNAME_UTF8, utf8, sizeof(utf8) - 1, 7);
	/* the probe read 3 of 9 characters (UCS-2) */
	py_start_raw(&m, 600, US(14), CT_PYNAME_UCS2, ucs2, 6, 9);
	/* the probe read 127 of 300 ASCII characters */
	py_start_raw(&m, 600, US(15), CT_PYNAME_UTF8, longname, CT_PYMOD_LEN - 1, 300);
	/* a str the probe could not read */
	py_start_raw(&m, 600, US(16), CT_PYNAME_NONE, "", 0, 12);
	/* UCS-4 over the whole buffer: 32 characters of 4 bytes each in UTF-8 */
	{
		uint32_t many[CT_PYMOD_LEN / 4];

		for (size_t i = 0; i < sizeof(many) / 4; i++)
			many[i] = 0x1f40d;
		py_start_raw(&m, 600, US(17), CT_PYNAME_UCS4, many, sizeof(many), 32);
	}
	for (int i = 0; i < 8; i++)
		mb_py_end(&m, 600, 600, US(20 + i));
	im = py_image(&m, 600);
	if (!im || im->npyimports != 8) {
		CT_EQ_INT(im ? im->npyimports : 0, 8);
		ct_model_free(&m);
		return;
	}
	pi = im->pyimports;
	CT_EQ_STR(pi[0].name, "caf\xc3\xa9.x");
	CT_TRUE(!pi[0].name_cut);
	CT_EQ_STR(pi[1].name, "\xd0\xbc\xd0\xbe\xd0\xb4_\xe2\x82\xac");
	CT_TRUE(!pi[1].name_cut);
	CT_EQ_STR(pi[2].name, "p\xf0\x9d\x94\xad.\xf0\x9f\x90\x8d");
	CT_TRUE(!pi[2].name_cut);
	CT_EQ_STR(pi[3].name, utf8);
	CT_TRUE(!pi[3].name_cut);
	CT_EQ_STR(pi[4].name, "\xd0\xbc\xd0\xbe\xd0\xb4");
	CT_TRUE(pi[4].name_cut);
	CT_EQ_INT(strlen(pi[5].name), CT_PYMOD_LEN - 1);
	CT_TRUE(pi[5].name_cut);
	CT_EQ_STR(pi[6].name, "?");
	CT_TRUE(!pi[6].name_cut);
	CT_EQ_INT(strlen(pi[7].name), 4 * 32);
	CT_TRUE(!strncmp(pi[7].name, "\xf0\x9f\x90\x8d", 4));
	CT_TRUE(!pi[7].name_cut);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(nesting);
	CT_RUN(never_ended);
	CT_RUN(two_threads);
	CT_RUN(end_without_start);
	CT_RUN(too_many_threads);
	CT_RUN(deep_nesting);
	CT_RUN(names);
	return ct_summary();
}
