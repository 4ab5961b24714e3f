/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The svg view's zoomed band of one Go image's package inits (issue 17):
 * its layout, apart from the drawing so that a unit test checks it
 * (defined in svg.c, which the ingest fuzzer builds on its own).
 *
 * The inits take a few ms of a cold start of tens of ms, so on the main
 * axis they are a sliver: under it, a second axis spans only the init
 * window (first init's start -> last init's end) over the plot's whole
 * width. On it each package is its own bar, in the order Go ran them. A
 * package narrower than CT_PKGB_MIN_W pixels there joins the narrow ones
 * run right before and after it (no wider gap between them) in one group
 * bar, "N packages, X ms". Labels "name 0.123 ms" are placed package by
 * package, the slowest first, then the groups: inside the bar when it
 * fits, else centred under it on the first of CT_PKGB_LANES label rows
 * where it overlaps no other label and crosses no leader line of a label
 * further down; a bar whose label fits nowhere has only its tooltip.
 */
#ifndef COLDTRACE_PKGBAND_H
#define COLDTRACE_PKGBAND_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define CT_PKGB_MIN_W 3.0 /* pixels: a narrower package is grouped */
#define CT_PKGB_LANES 3   /* label rows under the bars */
#define CT_PKGB_GAP 8.0   /* pixels between two labels of a row */
#define CT_PKGB_TEXT 96   /* bytes of a label */
#define CT_PKGB_MAX_LABELS 512 /* more never fit on the plot's width */

struct ct_pkgb_bar {
	size_t first, n;  /* pkgs[first, first + n): n > 1 is a group */
	double x1, x2;    /* x2 - x1 >= 1 */
	uint64_t ns;      /* their init times, added */
};

struct ct_pkgb_label {
	size_t bar;       /* bars index */
	int lane;         /* -1: inside its bar; else its label row, 0 the first */
	double x, w;      /* left end and width (ct_svg_text_w) */
	double cx;        /* its bar's middle (the leader line of lane > 0) */
	char text[CT_PKGB_TEXT];
};

struct ct_pkgband {
	uint64_t t0, span; /* the zoomed axis: [t0, t0 + span] over [x0, x0 + width] */
	struct ct_pkgb_bar *bars;
	size_t nbars;
	struct ct_pkgb_label *labels;
	size_t nlabels;
	int lanes; /* label rows used (0..CT_PKGB_LANES) */
};

/*
 * Lay out pkgs[0, n) (in the order Go ran them) on [x0, x0 + width]; a
 * package that never returned runs to open_end (never before its start).
 * Returns 0, or -1 (nothing to draw, out is empty) when n is 0 or memory
 * runs out. Free with ct_pkgband_free.
 */
int ct_pkgband_layout(const struct ct_pkginit *pkgs, size_t n, uint64_t open_end, double x0, double width,
		      struct ct_pkgband *out);
void ct_pkgband_free(struct ct_pkgband *b);

/* A package's end as the band draws it: its end, else open_end. */
uint64_t ct_pkgb_end(const struct ct_pkginit *pk, uint64_t open_end);

/* The width in pixels of s[0, n) at 11px (DejaVu Sans, near enough). */
double ct_svg_text_w(const char *s, size_t n);

#endif
