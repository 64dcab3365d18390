/* fuzz_html.c - the allow-list HTML sanitiser (text_sanitize_html).
 *
 * The output is checked by an independent reader of the allowed subset:
 *  - valid UTF-8, no NUL byte;
 *  - every '<' starts one of <div> <p> <ul> <ol> <li> <br> or their end tags (no
 *    attributes, lower case), every '>' ends one, and the tags are balanced and
 *    properly nested, at most 64 deep;
 *  - every '&' starts a character reference (&name; or &#digits; or &#xhex;);
 *  - sanitising the output again gives the same bytes (idempotent);
 *  - text without markup characters (< > & NUL) and valid UTF-8 comes out unchanged.
 * A failed property is reported as a crash, so logic bugs are findings too. */
#include "fuzz.h"
#include "text.h"

static const char *const allowed[] = {"div", "p", "ul", "ol", "li"};

/* Length of the allowed tag at s ('<'), storing its index (5 for br) and whether
 * it closes, or 0. */
static size_t tag_at(const char *s, size_t n, int *which, bool *closing)
{
	size_t i = 1;
	*closing = i < n && s[i] == '/';
	i += *closing;
	if (!*closing && n - i >= 3 && !memcmp(s + i, "br>", 3)) {
		*which = 5;
		return i + 3;
	}
	for (int k = 0; k < 5; k++) {
		size_t l = strlen(allowed[k]);
		if (n - i >= l + 1 && !memcmp(s + i, allowed[k], l) && s[i + l] == '>') {
			*which = k;
			return i + l + 1;
		}
	}
	return 0;
}

static size_t ref_at(const char *s, size_t n)
{
	size_t i = 1;
	if (i < n && s[i] == '#') {
		i++;
		bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
		i += hex;
		size_t start = i;
		while (i < n && (hex ? strchr("0123456789abcdefABCDEF", s[i]) != NULL : (s[i] >= '0' && s[i] <= '9')) && s[i])
			i++;
		return i > start && i < n && s[i] == ';' ? i + 1 : 0;
	}
	size_t start = i;
	while (i < n && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (i > start && s[i] >= '0' && s[i] <= '9')))
		i++;
	return i > start && i < n && s[i] == ';' ? i + 1 : 0;
}

static void fail(const uint8_t *in, size_t n, const char *out, size_t outlen, size_t at, const char *why)
{
	fuzz_dump("input", (const char *)in, n);
	fuzz_dump("output", out, outlen);
	FUZZ_CHECK(0, "%s at output byte %zu", why, at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	buf_init(&out, 0);
	FUZZ_CHECK(text_sanitize_html((const char *)data, size, &out) == 0, "sanitiser failed without a cap");
	const char *o = out.data ? out.data : "";
	size_t n = out.len;

	if (!fuzz_utf8_valid(o, n))
		fail(data, size, o, n, 0, "output is not valid UTF-8");
	int stack[64], depth = 0;
	for (size_t i = 0; i < n;) {
		char c = o[i];
		if (c == '\0')
			fail(data, size, o, n, i, "NUL byte in output");
		if (c == '>')
			fail(data, size, o, n, i, "'>' outside a tag");
		if (c == '&') {
			size_t r = ref_at(o + i, n - i);
			if (!r)
				fail(data, size, o, n, i, "'&' that starts no character reference");
			i += r;
			continue;
		}
		if (c == '<') {
			int which;
			bool closing;
			size_t t = tag_at(o + i, n - i, &which, &closing);
			if (!t || (closing && which == 5))
				fail(data, size, o, n, i, "'<' that starts no allowed tag");
			if (which != 5 && !closing) {
				if (depth == 64)
					fail(data, size, o, n, i, "tags nested deeper than 64");
				stack[depth++] = which;
			} else if (which != 5) {
				if (!depth || stack[depth - 1] != which)
					fail(data, size, o, n, i, "end tag that closes no open tag");
				depth--;
			}
			i += t;
			continue;
		}
		i++;
	}
	if (depth)
		fail(data, size, o, n, n, "tags left open at the end");

	struct buf again;
	buf_init(&again, 0);
	text_sanitize_html(o, n, &again);
	if (again.len != n || (n && memcmp(again.data, o, n))) {
		fuzz_dump("input", (const char *)data, size);
		fuzz_dump("output", o, n);
		fuzz_dump("sanitised again", again.data ? again.data : "", again.len);
		FUZZ_CHECK(0, "the sanitiser is not idempotent");
	}
	buf_cleanup(&again);

	bool plain = fuzz_utf8_valid((const char *)data, size);
	for (size_t i = 0; i < size && plain; i++)
		plain = data[i] != '<' && data[i] != '>' && data[i] != '&' && data[i] != 0;
	if (plain && (n != size || (n && memcmp(o, data, n))))
		fail(data, size, o, n, 0, "plain text was changed");
	buf_cleanup(&out);
	return 0;
}
