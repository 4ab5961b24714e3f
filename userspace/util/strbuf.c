// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = 0;
}

static bool sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *nb;

	if (sb->oom)
		return false;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 256;
	while (cap < need)
		cap *= 2;
	nb = realloc(sb->buf, cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	if (!sb_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !sb_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* The escaped form of the character at s (n >= 1 bytes left, s[0] != 0)
 * into o (>= 8 bytes); *used: bytes of s it stands for. Returns its length. */
static size_t esc_char(const unsigned char *s, size_t n, char *o, size_t *used)
{
	unsigned char c = s[0];
	size_t l;
	uint32_t cp;

	*used = 1;
	switch (c) {
	case '\n': memcpy(o, "\\n", 2); return 2;
	case '\r': memcpy(o, "\\r", 2); return 2;
	case '\\': memcpy(o, "\\\\", 2); return 2;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return (size_t)snprintf(o, 8, "\\x%02x", c);
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	l = utf8_seq_len(s, n);
	if (!l)
		return (size_t)snprintf(o, 8, "\\x%02x", c);
	cp = l == 2 ? (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f)
	     : l == 3 ? (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f)
		      : 0x10000;
	*used = l;
	/* C1 controls (0x9b is a CSI), line/paragraph separators, bidi controls */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x200e && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return (size_t)snprintf(o, 8, "\\u%04x", (unsigned)cp);
	memcpy(o, s, l);
	return l;
}

void sb_put_esc(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	if (!s)
		return;
	while (i < n && s[i]) {
		char o[8];
		size_t used, ol = esc_char(s + i, n - i, o, &used);

		sb_putn(sb, o, ol);
		i += used;
	}
}

void sb_puts_esc(struct strbuf *sb, const char *s)
{
	if (s)
		sb_put_esc(sb, s, strlen(s));
}

const char *str_esc(char *buf, size_t sz, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t i = 0, o = 0, n = strlen((const char *)s);

	while (i < n) {
		char e[8];
		size_t used, el = esc_char(s + i, n - i, e, &used);

		if (o + el + 1 > sz) {
			while (o + 4 > sz && o > 0)
				o--;
			memcpy(buf + o, "...", sz >= 4 ? 3 : 0);
			o += sz >= 4 ? 3 : 0;
			break;
		}
		memcpy(buf + o, e, el);
		o += el;
		i += used;
	}
	buf[o] = 0;
	return buf;
}

int sb_write_fd(const struct strbuf *sb, int fd)
{
	size_t off = 0;

	while (off < sb->len) {
		ssize_t w = write(fd, sb->buf + off, sb->len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}
