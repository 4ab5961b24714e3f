/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * htmlpage: the skeleton of coldtrace's HTML pages (run's -f html, views/
 * html.c, and report -f html, report/reporthtml.c): one self-contained file
 * that loads nothing (a Content-Security-Policy of default-src 'none' says
 * so to the browser: no fonts, scripts, images or styles from anywhere but
 * the page itself), its CSS and one constant inline script for
 *   - sortable tables: a click on a column's heading sorts the rows by it
 *     (numbers by their data-v value, cells without one last; text by
 *     locale), a second click the other way;
 *   - hover details: an element's data-tip (table rows) or an SVG element's
 *     <title> shown at once beside the pointer (as text, never as markup);
 *   - zoom on the time axis of a figure made with hp_figure(.., true): the
 *     picture stretched horizontally (a range input, Ctrl/Alt + wheel about
 *     the pointer), its texts and marks kept at their size, scrolled in
 *     its box.
 *
 * Every string from the trace goes through hp_esc: first made terminal-safe
 * as the text view shows it (strbuf.h sb_put_esc: control bytes, invalid
 * UTF-8, bidi controls as visible escapes), then & < > " ' as entities, so
 * it is safe in text and in a quoted attribute, and "</script>" or a forged
 * element can never be more than text. The script carries no data.
 */
#ifndef COLDTRACE_HTMLPAGE_H
#define COLDTRACE_HTMLPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define HP_MAX_ROWS 20000 /* rows of one table, at most (then a note) */

/* <!DOCTYPE html> ... <body>: title is escaped. */
void hp_begin(struct strbuf *out, const char *title);
/* The tooltip, the script, </body></html>. */
void hp_end(struct strbuf *out);

/* Trace text for HTML text or a quoted attribute (at most n bytes; a NUL
 * ends it; NULL is ""). */
void hp_escn(struct strbuf *out, const char *s, size_t n);
void hp_esc(struct strbuf *out, const char *s);
/* <p class="cls">text</p>, text escaped. */
void hp_para(struct strbuf *out, const char *cls, const char *text);

/*
 * An SVG picture inline (its XML prolog left out, the rest as it is), in a
 * <figure id="id">: with zoom, the controls of its time axis above it.
 */
void hp_figure(struct strbuf *out, const char *id, const char *svg, size_t len, bool zoom);

/* ---- sortable tables ---- */

enum hp_kind {
	HP_TEXT, /* sorted as text */
	HP_NUM,	 /* sorted by the cells' data-v (right-aligned) */
};

struct hp_col {
	const char *name; /* the heading */
	enum hp_kind kind;
	const char *about; /* its tooltip, or NULL */
};

struct hp_table {
	struct strbuf *out; /* the page */
	struct strbuf body; /* the table, until its heading is known */
	size_t ncols;
	size_t rows; /* rows opened so far (also those past HP_MAX_ROWS) */
	size_t col;  /* cells written in the open row */
	bool in_row; /* a row is open */
	bool skip;   /* the open row is past HP_MAX_ROWS: not written */
};

/* A table of the columns cols, id its HTML id: written to out by
 * hp_table_end, under a heading with its row count. */
void hp_table_begin(struct hp_table *t, struct strbuf *out, const char *id,
		    const struct hp_col *cols, size_t ncols);
/* A new row (the open one is closed, its missing cells empty); tip: its
 * hover details (escaped), or NULL. */
void hp_tr(struct hp_table *t, const char *tip);
/* Cells of the open row, left to right. */
void hp_td(struct hp_table *t, const char *text);	     /* text, escaped */
void hp_tdn(struct hp_table *t, const char *text, size_t n); /* at most n bytes of it */
void hp_td_u64(struct hp_table *t, uint64_t v);
void hp_td_i64(struct hp_table *t, int64_t v);
/* A duration or time in ns, shown in ms with 3 decimals, sorted exactly. */
void hp_td_ms(struct hp_table *t, uint64_t ns);
/* A signed one (a difference). */
void hp_td_ms_signed(struct hp_table *t, int64_t ns);
/* A number shown with decimals. */
void hp_td_double(struct hp_table *t, double v, int decimals);
/* An unknown value: "-", sorted last. */
void hp_td_none(struct hp_table *t);
/* </table>, with heading "title (N)" above it (title escaped) and, when
 * rows were left out, a note saying how many and where all of them are
 * (more: e.g. "-f jsonl"); an empty table: the heading and "none". */
void hp_table_end(struct hp_table *t, const char *title, const char *more);

#endif
