/* fuzz_theme.c - svc_theme_check (an organisation's token file, served to the public).
 *
 * Properties: either 422 with exactly one error for the field "css" and a line and
 * column inside the input, or 0 with a stylesheet that is one rule for the theme
 * class holding only "  --name: value;" lines of printable ASCII without a
 * backslash, '<', '>', '@' or '!', whose count is *tokens, and that is a fixed
 * point: checking it again gives the same stylesheet. */
#include "fuzz.h"
#include "svc.h"

#define HEAD ".voorbeeld-theme {\n"

static void check_stylesheet(const char *s, size_t n, int tokens)
{
	size_t head = strlen(HEAD);
	FUZZ_CHECK(n > head + 2 && !memcmp(s, HEAD, head) && !strcmp(s + n - 2, "}\n"), "not one rule");
	int lines = 0;
	for (const char *p = s + head; p < s + n - 2; lines++) {
		const char *eol = memchr(p, '\n', (size_t)(s + n - 2 - p));
		FUZZ_CHECK(eol && eol - p > 6 && !memcmp(p, "  --", 4) && eol[-1] == ';', "not a declaration line");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		FUZZ_CHECK(colon && colon[1] == ' ', "declaration without ': '");
		for (const char *q = p + 4; q < colon; q++)
			FUZZ_CHECK((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
					   *q == '-' || *q == '_',
				   "name byte 0x%02x", (unsigned char)*q);
		for (const char *q = colon + 2; q < eol - 1; q++)
			FUZZ_CHECK(*q >= 0x20 && *q < 0x7f && !strchr("\\<>@!{};", *q), "value byte 0x%02x",
				   (unsigned char)*q);
		p = eol + 1;
	}
	FUZZ_CHECK(lines == tokens && tokens > 0, "%d lines, %d tokens", lines, tokens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_err e = {0};
	struct buf out;
	int tokens = -1;
	buf_init(&out, 0);
	int rc = svc_theme_check((const char *)data, size, &out, &tokens, &e);
	if (rc) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		FUZZ_CHECK(rc == 422 && e.status == 422 && out.len == 0, "rc %d, %zu bytes out", rc, out.len);
		FUZZ_CHECK(e.errs.n == 1 && !strcmp(e.errs.e[0].field, "css"), "%zu errors", e.errs.n);
		FUZZ_CHECK(size > THEME_MAX || (e.line >= 1 && (size_t)e.line <= lines && e.column >= 1 &&
						(size_t)e.column <= size + 1),
			   "line %d column %d of %zu lines, %zu bytes: %s", e.line, e.column, lines, size,
			   e.errs.e[0].message);
	} else {
		check_stylesheet(buf_str(&out), out.len, tokens);
		struct buf again;
		int tokens2 = -1;
		buf_init(&again, 0);
		int rc2 = svc_theme_check(out.data, out.len, &again, &tokens2, &e);
		if (rc2 || again.len != out.len || memcmp(again.data, out.data, out.len) || tokens2 != tokens) {
			fuzz_dump("input", (const char *)data, size);
			fuzz_dump("first", buf_str(&out), out.len);
			fuzz_dump("second", buf_str(&again), again.len);
			FUZZ_CHECK(0, "not a fixed point (rc %d: %s)", rc2, e.errs.n ? e.errs.e[0].message : "");
		}
		buf_cleanup(&again);
	}
	buf_cleanup(&out);
	return 0;
}
