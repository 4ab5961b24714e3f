/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* strbuf: a growable NUL-terminated byte buffer for the renderers (JSON
 * goes through jsonw.h on top of it). */
#ifndef COLDTRACE_STRBUF_H
#define COLDTRACE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool oom; /* an allocation failed: contents are incomplete */
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Length of the valid UTF-8 sequence at s (n >= 1 bytes left), 0 if the
 * bytes there are not valid UTF-8 (overlong forms and surrogates too). */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/*
 * Text from the trace for a terminal (text and inittrace views): every byte
 * that could move the cursor, start an escape sequence, forge a line or hide
 * text is written as a C-style escape: \n \r \\, \xNN for the other
 * control bytes (ESC is \x1b), DEL and bytes that are not valid UTF-8, \u0085
 * for C1 controls and \u202e for the Unicode bidi/line controls. A tab is
 * kept (the agent's REPORT lines have them; it cannot move to another line).
 * At most n bytes of s are read; a NUL ends s.
 */
void sb_put_esc(struct strbuf *sb, const char *s, size_t n);
void sb_puts_esc(struct strbuf *sb, const char *s);
/* The same into buf (sz >= 4), cut with "..." when it does not fit; s may be
 * NULL (""). Returns buf, for a "%s". */
const char *str_esc(char *buf, size_t sz, const char *s);
/* Write the buffer to fd; 0 or -errno. */
int sb_write_fd(const struct strbuf *sb, int fd);

#endif
