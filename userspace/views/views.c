// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The views, one line each: adding a view is its file plus its line here. */
#include <string.h>

#include "phases.h"
#include "render.h"

const struct ct_view ct_views[] = {
	/* the first is the default */
	{"text", "txt", ct_render_text, "processes and Go package inits, for a terminal"},
	{"inittrace", "inittrace.txt", ct_render_inittrace, "Go's own GODEBUG=inittrace=1 lines"},
	{"importtime", "importtime.txt", ct_render_importtime, "CPython's own -X importtime lines"},
	{"jsonl", "jsonl", ct_render_jsonl, "the model, one JSON object per line"},
	{"perfetto", "perfetto.json", ct_render_perfetto, "Chrome Trace Event JSON (Perfetto UI, chrome://tracing)"},
	{"svg", "svg", ct_render_svg, "the cold start as a picture"},
	{"otlp", "otlp.json", ct_render_otlp, "OpenTelemetry OTLP/JSON traces"},
	{"html", "html", ct_render_html, "one self-contained page: the picture, zoomable, and sortable tables"},
};

const size_t ct_nviews = sizeof(ct_views) / sizeof(ct_views[0]);

const struct ct_view *ct_view_find(const char *name)
{
	for (size_t i = 0; i < ct_nviews; i++)
		if (!strcmp(ct_views[i].name, name))
			return &ct_views[i];
	return NULL;
}

void ct_render_timelines(const struct ct_model *m, struct strbuf *out,
			 const struct ct_render_opts *o, ct_render_tls_fn *render)
{
	struct ct_timelines tls = {0};

	if (ct_timelines_build(m, &tls))
		tls.n = 0;
	render(m, &tls, out, o);
	ct_timelines_free(&tls);
}
