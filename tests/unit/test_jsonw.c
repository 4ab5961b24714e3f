// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * jsonw: commas, nesting, top-level lines, layout (jw_nl, jw_raw), numbers,
 * and the string escaping every JSON output of coldtrace relies on: control
 * bytes, DEL, quotes and backslashes escaped, invalid UTF-8 (stray
 * continuation bytes, truncated sequences, overlong forms, surrogates, past
 * U+10FFFF) written as \u00XX per byte, valid UTF-8 kept as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "jsonread.h"
#include "jsonw.h"

static struct strbuf sb;
static struct jsonw w;

static void start(void)
{
	sb_free(&sb);
	jw_init(&w, &sb);
}

/* s as one JSON string value at the top level, without the newline */
static const char *esc(const char *s, size_t n)
{
	start();
	jw_strn(&w, s, n);
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = 0;
	return sb.buf;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

CT_TEST(escapes_json_specials)
{
	CT_EQ_STR(ESC("plain"), "\"plain\"");
	CT_EQ_STR(ESC("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CT_EQ_STR(ESC("\n\r\t"), "\"\\n\\r\\t\"");
	CT_EQ_STR(ESC(""), "\"\"");
}

CT_TEST(escapes_control_bytes_and_del)
{
	CT_EQ_STR(ESC("\x01\x1b[2J\x1f\x7f"), "\"\\u0001\\u001b[2J\\u001f\\u007f\"");
	CT_EQ_STR(ESC("\b\f"), "\"\\u0008\\u000c\"");
	/* a NUL inside a counted string is written, not an end */
	CT_EQ_STR(esc("a\0b", 3), "\"a\\u0000b\"");
}

CT_TEST(keeps_valid_utf8)
{
	CT_EQ_STR(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* C1 and bidi controls are valid UTF-8: JSON keeps them (the terminal
	 * views escape them, not this writer) */
	CT_EQ_STR(ESC("\xc2\x9b\xe2\x80\xae"), "\"\xc2\x9b\xe2\x80\xae\"");
}

CT_TEST(invalid_utf8_byte_by_byte)
{
	CT_EQ_STR(ESC("\xff"), "\"\\u00ff\"");
	CT_EQ_STR(ESC("\x80x"), "\"\\u0080x\"");                 /* stray continuation */
	CT_EQ_STR(ESC("\xe2\x82"), "\"\\u00e2\\u0082\"");         /* truncated at the end */
	CT_EQ_STR(ESC("\xe2\x82x"), "\"\\u00e2\\u0082x\"");       /* cut by an ASCII byte */
	CT_EQ_STR(ESC("\xc0\xaf"), "\"\\u00c0\\u00af\"");         /* overlong '/' */
	CT_EQ_STR(ESC("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\""); /* a surrogate */
	CT_EQ_STR(ESC("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
}

CT_TEST(null_string_is_null)
{
	start();
	jw_obj_open(&w);
	jw_kstr(&w, "a", NULL);
	jw_obj_close(&w);
	CT_EQ_STR(sb.buf, "{\"a\":null}\n");
}

CT_TEST(commas_and_nesting)
{
	start();
	jw_obj_open(&w);
	jw_kstr(&w, "type", "x");
	jw_key(&w, "list");
	jw_arr_open(&w);
	jw_uint(&w, 1);
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_str(&w, "s");
	jw_arr_close(&w);
	jw_key(&w, "o");
	jw_obj_open(&w);
	jw_kbool(&w, "t", true);
	jw_kbool(&w, "f", false);
	jw_key(&w, "n");
	jw_null(&w);
	jw_obj_close(&w);
	jw_kint(&w, "neg", -5);
	jw_obj_close(&w);
	CT_EQ_STR(sb.buf, "{\"type\":\"x\",\"list\":[1,{},[],\"s\"],\"o\":{\"t\":true,\"f\":false,\"n\":null},\"neg\":-5}\n");
}

CT_TEST(top_level_values_are_lines)
{
	start();
	jw_obj_open(&w);
	jw_kuint(&w, "a", 1);
	jw_obj_close(&w);
	jw_obj_open(&w);
	jw_kuint(&w, "a", 2);
	jw_obj_close(&w);
	jw_uint(&w, 3);
	CT_EQ_STR(sb.buf, "{\"a\":1}\n{\"a\":2}\n3\n");
}

CT_TEST(numbers)
{
	start();
	jw_arr_open(&w);
	jw_uint(&w, UINT64_MAX);
	jw_int(&w, INT64_MIN);
	jw_decimal(&w, 1234567, 3);
	jw_decimal(&w, 5, 3);
	jw_decimal(&w, 0, 3);
	jw_decimal(&w, 42, 0);
	jw_fixed(&w, 2.5, 0);
	jw_fixed(&w, 1.23456, 3);
	jw_double_g(&w, 0.5);
	jw_double_g(&w, 1e21);
	jw_arr_close(&w);
	CT_EQ_STR(sb.buf, "[18446744073709551615,-9223372036854775808,1234.567,0.005,0.000,42,2,1.235,0.5,1e+21]\n");
}

CT_TEST(strf_short_and_long)
{
	char big[300];

	start();
	jw_arr_open(&w);
	jw_strf(&w, "%016llx", 0xabcull);
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	jw_strf(&w, "%s\"", big);
	jw_arr_close(&w);
	CT_TRUE(!strncmp(sb.buf, "[\"0000000000000abc\",\"zzz", 24));
	CT_TRUE(sb.len == 24 - 3 + 299 + 2 + 3); /* 299 z, \" and "]\n */
	CT_TRUE(!strcmp(sb.buf + sb.len - 5, "\\\"\"]\n"));
}

CT_TEST(one_element_per_line)
{
	start();
	jw_obj_open(&w);
	jw_key(&w, "ev");
	jw_arr_open(&w);
	for (int i = 0; i < 3; i++) {
		jw_nl(&w);
		jw_obj_open(&w);
		jw_kint(&w, "i", i);
		jw_obj_close(&w);
	}
	jw_raw(&w, "\n");
	jw_arr_close(&w);
	jw_obj_close(&w);
	CT_EQ_STR(sb.buf, "{\"ev\":[\n{\"i\":0},\n{\"i\":1},\n{\"i\":2}\n]}\n");

	/* a separator line between elements only */
	start();
	jw_arr_open(&w);
	for (int i = 0; i < 3; i++) {
		if (i)
			jw_nl(&w);
		jw_int(&w, i);
	}
	jw_arr_close(&w);
	CT_EQ_STR(sb.buf, "[0,\n1,\n2]\n");
}

CT_TEST(deep_nesting_stays_balanced)
{
	struct jr_obj o;

	start();
	jw_obj_open(&w);
	jw_key(&w, "d");
	for (int i = 0; i < JW_MAX_DEPTH + 4; i++)
		jw_arr_open(&w);
	for (int i = 0; i < JW_MAX_DEPTH + 4; i++)
		jw_arr_close(&w);
	jw_kint(&w, "after", 1);
	jw_obj_close(&w);
	CT_EQ_INT(w.depth, 0);
	CT_TRUE(sb.len > 0 && sb.buf[sb.len - 1] == '\n');
	jr_init(&o);
	CT_EQ_INT(jr_parse(&o, sb.buf, sb.len - 1, NULL), 0);
	jr_free(&o);
}

/* Every byte value, alone and after each other, parses back to itself with
 * jsonread where it is valid, and the output is always parseable. */
CT_TEST(every_byte_pair_parses)
{
	struct jr_obj o;
	const char *v;
	size_t len;

	jr_init(&o);
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b += 17) {
			char in[3] = {(char)a, (char)b, 0};

			start();
			jw_obj_open(&w);
			jw_kstr(&w, "s", in);
			jw_obj_close(&w);
			if (jr_parse(&o, sb.buf, sb.len - 1, NULL) || jr_get_str(&o, "s", &v, &len)) {
				CT__FAIL("bytes %02x %02x: %s", a, b, sb.buf);
				continue;
			}
			if (strchr(sb.buf, '\\') == NULL && strcmp(v, in))
				CT__FAIL("bytes %02x %02x read back as \"%s\"", a, b, v);
		}
	}
	jr_free(&o);
}

int main(void)
{
	CT_RUN(escapes_json_specials);
	CT_RUN(escapes_control_bytes_and_del);
	CT_RUN(keeps_valid_utf8);
	CT_RUN(invalid_utf8_byte_by_byte);
	CT_RUN(null_string_is_null);
	CT_RUN(commas_and_nesting);
	CT_RUN(top_level_values_are_lines);
	CT_RUN(numbers);
	CT_RUN(strf_short_and_long);
	CT_RUN(one_element_per_line);
	CT_RUN(deep_nesting_stays_balanced);
	CT_RUN(every_byte_pair_parses);
	sb_free(&sb);
	return ct_summary();
}
