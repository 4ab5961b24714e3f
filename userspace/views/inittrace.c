// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Go's GODEBUG=inittrace=1 line format, so users can diff the two. */
#include <stdio.h>
#include <string.h>

#include "render.h"

/* val with dec decimals, as Go's runtime.itoaDiv does (dec may be 0). */
static void itoa_div(uint64_t val, int dec, char *buf, size_t len)
{
	char tmp[32];
	int i = (int)sizeof(tmp) - 1;
	int idec = i - dec;

	tmp[i--] = 0;
	idec = i - dec;
	while (val >= 10 || i >= idec) {
		tmp[i--] = (char)('0' + val % 10);
		if (dec > 0 && i == idec)
			tmp[i--] = '.';
		val /= 10;
	}
	tmp[i] = (char)('0' + val);
	snprintf(buf, len, "%s", &tmp[i]);
}

void ct_fmt_ns_as_ms(uint64_t ns, char *buf, size_t len)
{
	uint64_t x;
	int dec = 3;

	if (ns >= 10000000) { /* whole milliseconds */
		itoa_div(ns / 1000000, 0, buf, len);
		return;
	}
	x = ns / 1000; /* microseconds, two significant digits, <= 3 decimals */
	if (x == 0) {
		snprintf(buf, len, "0");
		return;
	}
	while (x >= 100) {
		x /= 10;
		dec--;
	}
	itoa_div(x, dec, buf, len);
}

size_t ct_model_go_images(const struct ct_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nprocs; i++)
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			if (m->procs[i].images[j].is_go && m->procs[i].images[j].npkgs)
				n++;
	return n;
}

void ct_render_inittrace(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	bool headers = ct_model_go_images(m) > 1;

	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (!im->is_go || !im->npkgs)
				continue;
			if (headers) {
				/* escaped: a newline in a file name must not forge a line */
				sb_printf(out, "# pid %u ", p->pid);
				sb_puts_esc(out, im->path);
				sb_putc(out, '\n');
			}
			for (size_t k = 0; k < im->npkgs; k++) {
				const struct ct_pkginit *pk = &im->pkgs[k];
				char at[32], clock[32];
				uint64_t end = pk->end ? pk->end : pk->start;

				ct_fmt_ns_as_ms(im->rt_start && pk->start > im->rt_start
							? pk->start - im->rt_start : 0,
						at, sizeof(at));
				ct_fmt_ns_as_ms(end - pk->start, clock, sizeof(clock));
				sb_puts(out, "init ");
				sb_puts_esc(out, pk->pkg);
				/* not counted (no --allocs): 0, as the format needs a number */
				sb_printf(out, " @%s ms, %s ms clock, %llu bytes, %llu allocs\n", at, clock,
					  (unsigned long long)(pk->allocs_counted ? pk->bytes : 0),
					  (unsigned long long)(pk->allocs_counted ? pk->allocs : 0));
			}
		}
	}
}
