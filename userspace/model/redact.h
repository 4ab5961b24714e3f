/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * redact: remove secrets from the strings coldtrace keeps (exec paths and
 * argv, command lines, HTTP request targets and header values, log lines).
 * The model runs every such string through it when it ingests an event, so
 * no view can show what was removed; the views bound and redact the command
 * line they are given with ct_redact_cmdline().
 *
 * What is a secret (ASCII case-insensitive):
 *   - a key whose name ENDS with one of: token, secret, password, passwd,
 *     signature, credential, secret_access_key, api_key, apikey,
 *     private_key (so X-Amz-Security-Token, X-Amz-Signature,
 *     X-Amz-Credential, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *     access_token, client_secret, db_password ...), followed by '=' or ':'
 *     (optionally after a closing quote and blanks, as in JSON): the value,
 *     up to a blank, control byte, NUL, '&', ',', ';' or quote;
 *   - the same key spelt as an option, "--password X" / "-token X" (argv, or
 *     a command line): the next word;
 *   - Authorization, Proxy-Authorization, Cookie and Set-Cookie followed by
 *     ':' or '=': everything up to the end of the argument, line or quoted
 *     string, except a leading scheme word ("Authorization: Bearer
 *     <redacted>");
 *   - "Bearer X" and "Basic X" anywhere (the word X);
 *   - the password of a URL's user info ("https://user:<redacted>@host/").
 * A redacted value is replaced by CT_REDACTED; an empty value stays empty.
 * With CT_REDACT_QUERY (for HTTP request targets) every query value is
 * replaced as well, the parameter names are kept:
 * "/obj?X-Amz-Date=<redacted>&a=" (and a fragment: "#<redacted>").
 *
 * Pure C, no allocation, no global state. NUL bytes inside the input (argv
 * is NUL-separated) are copied and end a value.
 */
#ifndef COLDTRACE_REDACT_H
#define COLDTRACE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define CT_REDACTED "<redacted>"
/* Longest command line a view shows (bytes, then "..."), like exec argv. */
#define CT_CMDLINE_MAX 256

enum ct_redact_flags {
	CT_REDACT_QUERY = 1 << 0, /* an HTTP request target: drop every query value */
};

/*
 * Copy src[0 .. n) to dst (dstsz >= 1 bytes, always NUL-terminated) with the
 * secrets replaced. Returns the bytes written (the final NUL not counted).
 * When the result does not fit it is cut (never inside CT_REDACTED) and
 * *cut, when not NULL, is set to true; it is left alone otherwise.
 */
size_t ct_redact(char *dst, size_t dstsz, const char *src, size_t n, unsigned flags, bool *cut);

/* In place, for a NUL-terminated string in a buffer of sz bytes. */
void ct_redact_str(char *s, size_t sz, unsigned flags);

/*
 * A command line as a view may show it: redacted, at most CT_CMDLINE_MAX
 * bytes of it (then "..."). cmd may be NULL (then "" is returned). buf
 * should hold CT_CMDLINE_MAX + 64 bytes. Returns buf.
 */
const char *ct_redact_cmdline(const char *cmd, char *buf, size_t sz);

#endif /* COLDTRACE_REDACT_H */
