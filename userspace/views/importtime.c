// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython's `-X importtime` lines (PYTHONPROFILEIMPORTTIME=1), so users can
 * diff the two, as inittrace.c does for Go: a header, then one line per
 * module loaded, in the order the loads ended (a module after the modules
 * it imported), indented two spaces per enclosing load, times in
 * microseconds rounded up as Python rounds them (_PyTime_ROUND_CEILING).
 * Loads that never ended (the process died in them, or the trace ended)
 * are left out, as Python never prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

size_t ct_model_py_images(const struct ct_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nprocs; i++)
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			if (m->procs[i].images[j].npyimports)
				n++;
	return n;
}

static uint64_t us_ceil(uint64_t ns)
{
	return (ns + 999) / 1000;
}

void ct_render_importtime(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	bool headers = ct_model_py_images(m) > 1;

	(void)o;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];
			int32_t *by_end;

			if (!im->npyimports)
				continue;
			if (headers) {
				/* escaped: a newline in a file name must not forge a line */
				sb_printf(out, "# pid %u ", p->pid);
				sb_puts_esc(out, im->path);
				sb_putc(out, '\n');
			}
			sb_puts(out, "import time: self [us] | cumulative | imported package\n");
			by_end = calloc(im->py_end_seq + 1, sizeof(*by_end));
			if (!by_end)
				continue;
			for (size_t k = 0; k < im->npyimports; k++)
				if (im->pyimports[k].end_seq && im->pyimports[k].end_seq <= im->py_end_seq)
					by_end[im->pyimports[k].end_seq] = (int32_t)k + 1;
			for (uint32_t s = 1; s <= im->py_end_seq; s++) {
				const struct ct_pyimport *pi;

				if (!by_end[s])
					continue;
				pi = &im->pyimports[by_end[s] - 1];
				sb_printf(out, "import time: %9llu | %10llu | %*s",
					  (unsigned long long)us_ceil(ct_pyimport_self(pi)),
					  (unsigned long long)us_ceil(ct_pyimport_cum(pi)),
					  (int)(pi->level * 2 > 200 ? 200 : pi->level * 2), "");
				sb_puts_esc(out, pi->name);
				sb_putc(out, '\n');
			}
			free(by_end);
		}
	}
}
