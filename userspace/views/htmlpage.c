// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The HTML pages' skeleton: head, CSS, the one script, tables (htmlpage.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "htmlpage.h"

/* Nothing is loaded from anywhere: the page's own style and script only. */
#define CSP "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

/* CSS and JavaScript: one of their lines a line here */
/* clang-format off */
static const char css[] =
	"body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 13px; color: #222;"
	" margin: 16px 24px; background: #fff; }\n"
	"h1 { font-size: 20px; margin: 0 0 4px; }\n"
	"h2 { font-size: 15px; margin: 22px 0 6px; }\n"
	"p { margin: 3px 0; }\n"
	"p.cmd { font-family: 'DejaVu Sans Mono', monospace; color: #444; overflow-wrap: anywhere; }\n"
	"p.warn { color: #c0392b; font-weight: bold; }\n"
	"p.note { color: #666; font-style: italic; }\n"
	"nav a { margin-right: 12px; color: #36c; }\n"
	"figure { margin: 8px 0; }\n"
	"figure .zoom { margin: 4px 0; color: #444; }\n"
	"figure .zoom input { vertical-align: middle; width: 260px; }\n"
	"figure .box { overflow-x: auto; border: 1px solid #ddd; max-width: 100%; }\n"
	"figure .box svg { display: block; }\n"
	"figure:not(.zoomable) .box svg { max-width: 100%; height: auto; }\n"
	"figure.zoomable .box svg * { vector-effect: non-scaling-stroke; }\n"
	"table.sortable { border-collapse: collapse; font-size: 12px; }\n"
	"table.sortable th { background: #eef1f5; cursor: pointer; user-select: none; text-align: left;"
	" padding: 3px 8px; border-bottom: 2px solid #bbb; white-space: nowrap; position: sticky; top: 0; }\n"
	"table.sortable th.num { text-align: right; }\n"
	"table.sortable th[aria-sort=ascending]::after { content: ' \\25B2'; }\n"
	"table.sortable th[aria-sort=descending]::after { content: ' \\25BC'; }\n"
	"table.sortable td { padding: 2px 8px; border-bottom: 1px solid #eee; vertical-align: top;"
	" max-width: 60em; overflow-wrap: break-word; }\n"
	"table.sortable td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
	"table.sortable tr:hover td { background: #fdf6d8; }\n"
	"#tip { position: fixed; z-index: 10; max-width: 640px; padding: 4px 7px; background: #333; color: #fff;"
	" font-size: 12px; border-radius: 3px; white-space: pre-wrap; pointer-events: none; }\n";

/*
 * The one script: constant, no data in it. Sorting, hover details, zoom.
 * Only textContent and attributes are written: nothing from the page is
 * ever parsed as markup.
 */
static const char script[] =
	"(function () {\n"
	"'use strict';\n"
	"var SVGNS = 'http://www.w3.org/2000/svg';\n"
	"function key(td) {\n"
	"  var v = td ? td.getAttribute('data-v') : null;\n"
	"  return v === null ? null : parseFloat(v);\n"
	"}\n"
	"function sortBy(th) {\n"
	"  var table = th.closest('table'), body = table.tBodies[0];\n"
	"  var col = th.cellIndex, asc = th.getAttribute('aria-sort') !== 'ascending';\n"
	"  var num = th.classList.contains('num');\n"
	"  var rows = Array.prototype.slice.call(body.rows), at = new Map();\n"
	"  rows.forEach(function (r, i) { at.set(r, i); });\n"
	"  rows.sort(function (a, b) {\n"
	"    var x = a.cells[col], y = b.cells[col], c;\n"
	"    if (num) {\n"
	"      var p = key(x), q = key(y);\n"
	"      if (p === null || q === null) /* unknown values last, either way */\n"
	"        return (p === null) - (q === null) || at.get(a) - at.get(b);\n"
	"      c = p < q ? -1 : p > q ? 1 : 0;\n"
	"    } else {\n"
	"      c = (x ? x.textContent : '').localeCompare(y ? y.textContent : '');\n"
	"    }\n"
	"    return (asc ? c : -c) || at.get(a) - at.get(b);\n"
	"  });\n"
	"  Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });\n"
	"  th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
	"  var f = document.createDocumentFragment();\n"
	"  rows.forEach(function (r) { f.appendChild(r); });\n"
	"  body.appendChild(f);\n"
	"}\n"
	"document.querySelectorAll('table.sortable th').forEach(function (th) {\n"
	"  th.tabIndex = 0;\n"
	"  th.addEventListener('click', function () { sortBy(th); });\n"
	"  th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(th); });\n"
	"});\n"
	"/* hover details: an SVG element's <title> becomes its data-tip (one tooltip, at once) */\n"
	"document.querySelectorAll('svg title').forEach(function (t) {\n"
	"  var p = t.parentNode;\n"
	"  if (p && !p.hasAttribute('data-tip')) p.setAttribute('data-tip', t.textContent);\n"
	"  t.remove();\n"
	"});\n"
	"var tip = document.getElementById('tip');\n"
	"function place(e) {\n"
	"  var w = tip.offsetWidth, h = tip.offsetHeight, x = e.clientX + 14, y = e.clientY + 16;\n"
	"  if (x + w > window.innerWidth - 4) x = Math.max(4, e.clientX - w - 10);\n"
	"  if (y + h > window.innerHeight - 4) y = Math.max(4, e.clientY - h - 10);\n"
	"  tip.style.left = x + 'px';\n"
	"  tip.style.top = y + 'px';\n"
	"}\n"
	"document.addEventListener('mouseover', function (e) {\n"
	"  var n = e.target.closest ? e.target.closest('[data-tip]') : null;\n"
	"  if (!n) { tip.hidden = true; return; }\n"
	"  tip.textContent = n.getAttribute('data-tip');\n"
	"  tip.hidden = false;\n"
	"  place(e);\n"
	"});\n"
	"document.addEventListener('mousemove', function (e) { if (!tip.hidden) place(e); });\n"
	"/* zoom: the time axis stretched (viewBox kept, aspect ratio not), texts and\n"
	"   marks scaled back to their size about their own x */\n"
	"document.querySelectorAll('figure.zoomable').forEach(function (fig) {\n"
	"  var svg = fig.querySelector('svg'), box = fig.querySelector('.box');\n"
	"  var range = fig.querySelector('input'), shown = fig.querySelector('output');\n"
	"  if (!svg || !box || !range || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return;\n"
	"  var W = svg.viewBox.baseVal.width, H = svg.viewBox.baseVal.height, z = 1, keep = [];\n"
	"  svg.setAttribute('preserveAspectRatio', 'none');\n"
	"  svg.setAttribute('width', W);\n"
	"  svg.setAttribute('height', H);\n"
	"  svg.querySelectorAll('text, circle, path.ms, path.sub').forEach(function (el) {\n"
	"    var x;\n"
	"    if (el.localName === 'text') x = parseFloat(el.getAttribute('x'));\n"
	"    else if (el.localName === 'circle') x = parseFloat(el.getAttribute('cx'));\n"
	"    else { var b = el.getBBox(); x = b.x + b.width / 2; }\n"
	"    if (isFinite(x)) keep.push([el, x, el.getAttribute('transform') || '']);\n"
	"  });\n"
	"  function zoom(nz, at) {\n"
	"    nz = Math.min(parseFloat(range.max), Math.max(1, nz));\n"
	"    if (!isFinite(nz)) return;\n"
	"    var frac = (box.scrollLeft + at) / (W * z);\n"
	"    z = nz;\n"
	"    svg.setAttribute('width', W * z);\n"
	"    keep.forEach(function (k) {\n"
	"      var m = z === 1 ? '' : ' matrix(' + 1 / z + ' 0 0 1 ' + k[1] * (1 - 1 / z) + ' 0)';\n"
	"      if (k[2] + m) k[0].setAttribute('transform', k[2] + m); else k[0].removeAttribute('transform');\n"
	"    });\n"
	"    box.scrollLeft = frac * W * z - at;\n"
	"    range.value = z;\n"
	"    if (shown) shown.textContent = z.toFixed(1) + 'x';\n"
	"  }\n"
	"  range.addEventListener('input', function () { zoom(parseFloat(range.value), box.clientWidth / 2); });\n"
	"  box.addEventListener('wheel', function (e) {\n"
	"    if (!e.ctrlKey && !e.altKey) return;\n"
	"    e.preventDefault();\n"
	"    zoom(z * (e.deltaY < 0 ? 1.25 : 0.8), e.clientX - box.getBoundingClientRect().left);\n"
	"  }, {passive: false});\n"
	"});\n"
	"})();\n";
/* clang-format on */

void hp_escn(struct strbuf *out, const char *s, size_t n)
{
	struct strbuf safe;

	if (!s)
		return;
	sb_init(&safe);
	sb_put_esc(&safe, s, n); /* terminal-safe first: what the text view shows */
	for (size_t i = 0; i < safe.len; i++) {
		switch (safe.buf[i]) {
		case '&': sb_puts(out, "&amp;"); break;
		case '<': sb_puts(out, "&lt;"); break;
		case '>': sb_puts(out, "&gt;"); break;
		case '"': sb_puts(out, "&quot;"); break;
		case '\'': sb_puts(out, "&#39;"); break;
		default: sb_putc(out, safe.buf[i]);
		}
	}
	if (safe.oom)
		out->oom = true;
	sb_free(&safe);
}

void hp_esc(struct strbuf *out, const char *s)
{
	if (s)
		hp_escn(out, s, strlen(s));
}

void hp_para(struct strbuf *out, const char *cls, const char *text)
{
	sb_printf(out, "<p class=\"%s\">", cls);
	hp_esc(out, text);
	sb_puts(out, "</p>\n");
}

void hp_begin(struct strbuf *out, const char *title)
{
	sb_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP "\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, "
		     "initial-scale=1\">\n<title>");
	hp_esc(out, title);
	sb_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

void hp_end(struct strbuf *out)
{
	sb_printf(out,
		  "<div id=\"tip\" role=\"tooltip\" "
		  "hidden></div>\n<script>\n%s</script>\n</body>\n</html>\n",
		  script);
}

void hp_figure(struct strbuf *out, const char *id, const char *svg, size_t len, bool zoom)
{
	const char *at = svg ? memmem(svg, len, "<svg", 4) : NULL;

	sb_printf(out, "<figure id=\"%s\"%s>\n", id, zoom ? " class=\"zoomable\"" : "");
	if (zoom)
		sb_puts(out, "<div class=\"zoom\"><label>zoom on the time axis "
			     "<input type=\"range\" min=\"1\" max=\"40\" step=\"0.5\" "
			     "value=\"1\"></label> "
			     "<output>1.0x</output> (or Ctrl/Alt + mouse wheel over the picture; "
			     "scroll sideways in the box)</div>\n");
	sb_puts(out, "<div class=\"box\">\n");
	if (at)
		sb_putn(out, at, len - (size_t)(at - svg));
	sb_puts(out, "</div>\n</figure>\n");
}

/* ---- tables ---- */

void hp_table_begin(struct hp_table *t, struct strbuf *out, const char *id,
		    const struct hp_col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->ncols = ncols;
	sb_init(&t->body);
	sb_printf(&t->body, "<table id=\"%s\" class=\"sortable\">\n<thead><tr>", id);
	for (size_t i = 0; i < ncols; i++) {
		sb_printf(&t->body, "<th%s", cols[i].kind == HP_NUM ? " class=\"num\"" : "");
		if (cols[i].about) {
			sb_puts(&t->body, " title=\"");
			hp_esc(&t->body, cols[i].about);
			sb_putc(&t->body, '"');
		}
		sb_putc(&t->body, '>');
		hp_esc(&t->body, cols[i].name);
		sb_puts(&t->body, "</th>");
	}
	sb_puts(&t->body, "</tr></thead>\n<tbody>\n");
}

static void close_row(struct hp_table *t)
{
	if (!t->in_row)
		return;
	if (!t->skip) {
		for (; t->col < t->ncols; t->col++)
			sb_puts(&t->body, "<td></td>");
		sb_puts(&t->body, "</tr>\n");
	}
	t->in_row = false;
}

void hp_tr(struct hp_table *t, const char *tip)
{
	close_row(t);
	t->in_row = true;
	t->col = 0;
	t->skip = t->rows++ >= HP_MAX_ROWS;
	if (t->skip)
		return;
	sb_puts(&t->body, "<tr");
	if (tip && tip[0]) {
		sb_puts(&t->body, " data-tip=\"");
		hp_esc(&t->body, tip);
		sb_putc(&t->body, '"');
	}
	sb_putc(&t->body, '>');
}

/* A cell, if the row has room for it: its opening tag written. */
static bool cell(struct hp_table *t, const char *cls, const char *key)
{
	if (!t->in_row || t->skip || t->col >= t->ncols)
		return false;
	t->col++;
	sb_puts(&t->body, "<td");
	if (cls)
		sb_printf(&t->body, " class=\"%s\"", cls);
	if (key)
		sb_printf(&t->body, " data-v=\"%s\"", key);
	sb_putc(&t->body, '>');
	return true;
}

void hp_tdn(struct hp_table *t, const char *text, size_t n)
{
	if (!cell(t, NULL, NULL))
		return;
	hp_escn(&t->body, text ? text : "", text ? n : 0);
	sb_puts(&t->body, "</td>");
}

void hp_td(struct hp_table *t, const char *text)
{
	hp_tdn(t, text, text ? strlen(text) : 0);
}

/* A number cell: key its sort value, shown its text (both ours, not the trace's). */
static void num_cell(struct hp_table *t, const char *key, const char *shown)
{
	if (cell(t, "num", key))
		sb_printf(&t->body, "%s</td>", shown);
}

void hp_td_u64(struct hp_table *t, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	num_cell(t, b, b);
}

void hp_td_i64(struct hp_table *t, int64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRId64, v);
	num_cell(t, b, b);
}

void hp_td_ms(struct hp_table *t, uint64_t ns)
{
	char k[24], s[32];

	snprintf(k, sizeof(k), "%" PRIu64, ns);
	snprintf(s, sizeof(s), "%.3f", (double)ns / 1e6);
	num_cell(t, k, s);
}

void hp_td_ms_signed(struct hp_table *t, int64_t ns)
{
	char k[24], s[32];

	snprintf(k, sizeof(k), "%" PRId64, ns);
	snprintf(s, sizeof(s), "%+.3f", (double)ns / 1e6);
	num_cell(t, k, s);
}

void hp_td_double(struct hp_table *t, double v, int decimals)
{
	char k[48], s[48];

	snprintf(k, sizeof(k), "%.17g", v);
	snprintf(s, sizeof(s), "%.*f", decimals, v);
	num_cell(t, k, s);
}

void hp_td_none(struct hp_table *t)
{
	if (cell(t, "num", NULL))
		sb_puts(&t->body, "-</td>");
}

void hp_table_end(struct hp_table *t, const char *title, const char *more)
{
	struct strbuf *out = t->out;

	close_row(t);
	sb_puts(out, "<section>\n<h2>");
	hp_esc(out, title);
	sb_printf(out, " (%zu)</h2>\n", t->rows);
	if (!t->rows) {
		sb_puts(out, "<p class=\"note\">none</p>\n</section>\n");
		sb_free(&t->body);
		return;
	}
	if (t->rows > HP_MAX_ROWS) {
		sb_printf(out, "<p class=\"note\">the first %d of %zu rows", HP_MAX_ROWS, t->rows);
		if (more) {
			sb_puts(out, " (all of them: ");
			hp_esc(out, more);
			sb_putc(out, ')');
		}
		sb_puts(out, "</p>\n");
	}
	sb_putn(out, t->body.buf, t->body.len);
	sb_puts(out, "</tbody>\n</table>\n</section>\n");
	if (t->body.oom)
		out->oom = true;
	sb_free(&t->body);
}
