/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Renderers: every view is drawn from the same model. One module each. */
#ifndef COLDTRACE_RENDER_H
#define COLDTRACE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "redact.h"
#include "strbuf.h"

struct ct_render_opts {
	/* the traced command line, for headers: any length, any bytes; every
	 * view shows it through ct_redact_cmdline() (secrets out, at most
	 * CT_CMDLINE_MAX bytes) and escapes it for its format */
	const char *command;
	int top;             /* how many slowest package inits to list */
	bool color;          /* the output is a terminal: views with colours use them */
	uint64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	bool full;           /* --full: svg's axis spans the whole trace, not only the
			      * cold starts (what comes before and after folded) */
};

/*
 * A view: one output format, drawn from the model. Every view has the same
 * render signature, and the table of them (views.c) is all the CLI knows of
 * views: -f NAME, the extension of the files it writes, the list in --help.
 */
typedef void ct_render_fn(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);

struct ct_view {
	const char *name;      /* -f NAME */
	const char *extension; /* of its files: DIR/run-001.EXTENSION */
	ct_render_fn *render;
	const char *about;     /* what it is, a few words for --help */
};

extern const struct ct_view ct_views[];
extern const size_t ct_nviews;
/* The view called name, or NULL. */
const struct ct_view *ct_view_find(const char *name);

/* Go's own GODEBUG=inittrace=1 lines (inittrace.c). */
void ct_render_inittrace(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);
/* CPython's own -X importtime lines (importtime.c). */
void ct_render_importtime(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);
/* Images with at least one Python module load. */
size_t ct_model_py_images(const struct ct_model *m);
/* Go's fmtNSAsMS: "0.047", "2.5", "15" (two significant digits below 10 ms). */
void ct_fmt_ns_as_ms(uint64_t ns, char *buf, size_t len);

/* The default terminal view (text.c). */
void ct_render_text(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);

/* The model as JSON lines, schema "coldtrace/1" (jsonl.c). */
void ct_render_jsonl(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);

/* Count of Go images that ran at least one package init. */
size_t ct_model_go_images(const struct ct_model *m);

/* The cold-start timeline (phases.h) in other tools' formats, each drawn from
 * the model and its timelines. Chrome Trace Event JSON for Perfetto UI and
 * chrome://tracing (perfetto.c); a systemd-analyze-plot-like SVG picture
 * (svg.c); OTLP/JSON traces, one per cold start (otlp.c). */
void ct_render_perfetto(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);
void ct_render_svg(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);
void ct_render_otlp(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);

/* The same three, drawn from timelines already built for m (the above build
 * them with ct_timelines_build): unit tests give hand-made ones, with
 * extensions and gates the model alone would not yet have. */
struct ct_timelines;
void ct_render_perfetto_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
			    const struct ct_render_opts *o);
void ct_render_svg_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
		       const struct ct_render_opts *o);
void ct_render_otlp_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
			const struct ct_render_opts *o);
/* One self-contained HTML page (html.c): the svg view's picture with zoom
 * on its time axis, sortable tables of phases, processes, Go package
 * inits, Python imports, HTTP messages and log lines; loads nothing. */
void ct_render_html(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o);
void ct_render_html_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
			const struct ct_render_opts *o);
/* How ct_render_perfetto, _svg and _otlp draw m (views.c): its timelines
 * built (none when that fails), drawn by render (their _tls), freed. */
typedef void ct_render_tls_fn(const struct ct_model *m, const struct ct_timelines *tls,
			      struct strbuf *out, const struct ct_render_opts *o);
void ct_render_timelines(const struct ct_model *m, struct strbuf *out,
			 const struct ct_render_opts *o, ct_render_tls_fn *render);


#endif
