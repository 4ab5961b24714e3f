// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Secrets out of the strings coldtrace keeps: see redact.h for the rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

enum kind {
	K_NONE = 0,
	K_TOKEN, /* the value is one word */
	K_REST,  /* the value runs to the end of the argument, line or quote */
};

static const struct marker {
	const char *name; /* lower case */
	enum kind kind;
} markers[] = {
	{"authorization", K_REST},
	{"cookie", K_REST},
	{"token", K_TOKEN},
	{"secret", K_TOKEN},
	{"password", K_TOKEN},
	{"passwd", K_TOKEN},
	{"signature", K_TOKEN},
	{"credential", K_TOKEN},
	{"secret_access_key", K_TOKEN},
	{"api_key", K_TOKEN},
	{"apikey", K_TOKEN},
	{"private_key", K_TOKEN},
};

struct out {
	char *d;
	size_t sz, o;
	bool full; /* something did not fit: nothing more is written */
};

static void put(struct out *w, const char *s, size_t n)
{
	if (w->full)
		return;
	if (w->o + n >= w->sz) {
		w->full = true;
		return;
	}
	memcpy(w->d + w->o, s, n);
	w->o += n;
}

static void put_redacted(struct out *w)
{
	put(w, CT_REDACTED, sizeof(CT_REDACTED) - 1);
}

static inline unsigned char lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static inline bool is_key(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

static inline bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline bool is_quote(unsigned char c)
{
	return c == '"' || c == '\'';
}

/* Does s[0 .. n) end with the lower-case word w (any case)? */
static bool ends_with(const char *s, size_t n, const char *w)
{
	size_t wn = strlen(w);

	if (wn > n)
		return false;
	s += n - wn;
	for (size_t i = 0; i < wn; i++)
		if (lc((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	return true;
}

static bool starts_word(const char *s, size_t n, const char *w)
{
	size_t wn = strlen(w);

	if (wn > n)
		return false;
	for (size_t i = 0; i < wn; i++)
		if (lc((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	return true;
}

static enum kind key_kind(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		if (ends_with(s, n, markers[i].name))
			return markers[i].kind;
	return K_NONE;
}

/* End of a one-word value starting at p. */
static size_t token_end(const char *s, size_t p, size_t end)
{
	while (p < end) {
		unsigned char c = (unsigned char)s[p];

		if (c <= 0x20 || c == 0x7f || c == '&' || c == ',' || c == ';' || c == '\\' || is_quote(c))
			break;
		p++;
	}
	return p;
}

/* End of a value that runs to the end of its argument, line or quote. */
static size_t rest_end(const char *s, size_t p, size_t end)
{
	while (p < end) {
		unsigned char c = (unsigned char)s[p];

		if (c == 0 || c == '\n' || c == '\r' || c == '\\' || c == '&' || is_quote(c))
			break;
		p++;
	}
	return p;
}

/* End of a quoted value (the opening quote is before p). */
static size_t quoted_end(const char *s, size_t p, size_t end)
{
	while (p < end) {
		unsigned char c = (unsigned char)s[p];

		if (c == 0 || c == '\n' || c == '\r' || c == '\\' || is_quote(c))
			break;
		p++;
	}
	return p;
}

/*
 * A secret-bearing key at i (a word boundary)? Writes the key and its
 * separator, CT_REDACTED for the value, and returns where to go on; 0 if
 * there is no such key at i.
 */
static size_t try_key(struct out *w, const char *s, size_t i, size_t end)
{
	size_t j = i, k0, p, vb, ve;
	enum kind kind;
	bool quoted = false;

	while (j < end && is_key((unsigned char)s[j]))
		j++;
	k0 = i;
	while (k0 < j && s[k0] == '-')
		k0++;
	if (k0 == j || (kind = key_kind(s + k0, j - k0)) == K_NONE)
		return 0;
	p = j;
	/* a closing quote of the key, maybe escaped: "token": / \"token\": */
	if (p < end && s[p] == '\\')
		p++;
	if (p < end && is_quote((unsigned char)s[p]))
		p++;
	else
		p = j;
	while (p < end && is_blank((unsigned char)s[p]))
		p++;
	if (p < end && (s[p] == '=' || s[p] == ':')) {
		/* blanks after ':' (headers, JSON), none after '=' ("token= x" is empty) */
		if (s[p++] == ':')
			while (p < end && is_blank((unsigned char)s[p]))
				p++;
		vb = p;
		if (p < end && s[p] == '\\')
			p++;
		if (p < end && is_quote((unsigned char)s[p])) {
			vb = ++p;
			quoted = true;
		} else {
			p = vb;
		}
		if (kind == K_REST) {
			/* keep a scheme word: "Bearer <redacted>" */
			size_t q = vb;

			while (q < end && (is_key((unsigned char)s[q]) && s[q] != '.' && s[q] != '_'))
				q++;
			if (q > vb && q < end && s[q] == ' ') {
				while (q < end && s[q] == ' ')
					q++;
				vb = q;
			}
			ve = quoted ? quoted_end(s, vb, end) : rest_end(s, vb, end);
		} else {
			ve = quoted ? quoted_end(s, vb, end) : token_end(s, vb, end);
		}
	} else if (k0 > i && j < end && (is_blank((unsigned char)s[j]) || s[j] == 0)) {
		/* --password X (argv: --password\0X) */
		p = j;
		while (p < end && (is_blank((unsigned char)s[p]) || s[p] == 0))
			p++;
		vb = p;
		ve = token_end(s, vb, end);
	} else {
		return 0;
	}
	if (ve == vb) {
		put(w, s + i, vb - i);
		return vb;
	}
	put(w, s + i, vb - i);
	put_redacted(w);
	return ve;
}

/* "Bearer X" / "Basic X" at i (a word boundary). */
static size_t try_scheme(struct out *w, const char *s, size_t i, size_t end)
{
	static const char *const schemes[] = {"bearer", "basic"};

	for (size_t k = 0; k < 2; k++) {
		size_t p = i + strlen(schemes[k]), vb, ve;

		if (!starts_word(s + i, end - i, schemes[k]) || p >= end || !is_blank((unsigned char)s[p]))
			continue;
		while (p < end && is_blank((unsigned char)s[p]))
			p++;
		vb = p;
		ve = token_end(s, vb, end);
		if (ve == vb)
			return 0;
		put(w, s + i, vb - i);
		put_redacted(w);
		return ve;
	}
	return 0;
}

/* "://user:password@" at i (s[i] == ':'). */
static size_t try_userinfo(struct out *w, const char *s, size_t i, size_t end)
{
	size_t a = i + 3, p, colon = 0;

	if (end - i < 3 || s[i + 1] != '/' || s[i + 2] != '/')
		return 0;
	for (p = a; p < end; p++) {
		unsigned char c = (unsigned char)s[p];

		if (c == '@')
			break;
		if (c <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || is_quote(c) || c == '\\')
			return 0;
		if (c == ':' && !colon)
			colon = p;
	}
	if (p >= end || !colon || colon + 1 == p)
		return 0;
	/*
	 * Redacting again must change nothing. Where a key's rule redacted a
	 * value inside this span the first time, a blank or '/' in that value
	 * kept the span from being userinfo then ("://+xCookie:a; b&c:@" ->
	 * "://+xCookie:<redacted>&c:@"): it is not userinfo now either, and the
	 * key's rule applies again. (A password that is the marker alone is
	 * redacted as it is: no change.)
	 */
	if (memmem(s + a, p - a, CT_REDACTED, sizeof(CT_REDACTED) - 1) &&
	    (p - (colon + 1) != sizeof(CT_REDACTED) - 1 ||
	     memcmp(s + colon + 1, CT_REDACTED, sizeof(CT_REDACTED) - 1)))
		return 0;
	put(w, s + i, colon + 1 - i);
	put_redacted(w);
	return p;
}

/* Every query value (and a fragment) of a request target from q on. */
static void query(struct out *w, const char *s, size_t q, size_t n)
{
	size_t i = q;

	while (i < n && !w->full) {
		size_t b;

		if (s[i] == '#') {
			put(w, "#", 1);
			if (i + 1 < n)
				put_redacted(w);
			return;
		}
		put(w, s + i, 1); /* '?' or '&' */
		b = ++i;
		while (i < n && s[i] != '=' && s[i] != '&' && s[i] != '#')
			i++;
		put(w, s + b, i - b);
		if (i >= n || s[i] != '=')
			continue;
		put(w, "=", 1);
		b = ++i;
		while (i < n && s[i] != '&' && s[i] != '#')
			i++;
		if (i > b)
			put_redacted(w);
	}
}

size_t ct_redact(char *dst, size_t dstsz, const char *src, size_t n, unsigned flags, bool *cut)
{
	struct out w = {.d = dst, .sz = dstsz};
	size_t i = 0, end = n;

	if (!dstsz)
		return 0;
	if (flags & CT_REDACT_QUERY) {
		for (end = 0; end < n && src[end] != '?' && src[end] != '#'; end++)
			;
	}
	while (i < end && !w.full) {
		unsigned char c = (unsigned char)src[i];
		size_t next = 0;

		if (i == 0 || !is_key((unsigned char)src[i - 1])) {
			if (is_key(c))
				next = try_key(&w, src, i, end);
			if (!next && (c == 'b' || c == 'B'))
				next = try_scheme(&w, src, i, end);
		}
		if (!next && c == ':')
			next = try_userinfo(&w, src, i, end);
		if (next) {
			i = next;
			continue;
		}
		put(&w, src + i, 1);
		i++;
	}
	if (end < n && !w.full)
		query(&w, src, end, n);
	dst[w.o] = 0;
	if (w.full && cut)
		*cut = true;
	return w.o;
}

void ct_redact_str(char *s, size_t sz, unsigned flags)
{
	char stack[4096], *tmp = stack;
	size_t n;

	if (!s || !sz)
		return;
	n = strnlen(s, sz);
	if (n >= sizeof(stack) && !(tmp = malloc(n + 1))) {
		/* no memory for a copy: keep nothing rather than a secret */
		s[0] = 0;
		return;
	}
	memcpy(tmp, s, n);
	ct_redact(s, sz, tmp, n, flags, NULL);
	if (tmp != stack)
		free(tmp);
}

const char *ct_redact_cmdline(const char *cmd, char *buf, size_t sz)
{
	size_t lim = sz < CT_CMDLINE_MAX + 1 ? sz : CT_CMDLINE_MAX + 1;
	bool cut = false;
	size_t n;

	if (!sz)
		return "";
	if (!cmd) {
		buf[0] = 0;
		return buf;
	}
	n = ct_redact(buf, lim, cmd, strlen(cmd), 0, &cut);
	if (cut && n + 4 <= sz)
		memcpy(buf + n, "...", 4);
	return buf;
}
