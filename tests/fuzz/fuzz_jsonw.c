/* fuzz_jsonw.c - the streaming JSON writer (src/jsonw.h), checked through jansson.
 *
 * The input is written as a string value (and, up to its first NUL and after a
 * "k", as an object key) inside a document of data[0] % 40 nested arrays. Properties:
 *  - up to JSONW_MAX_DEPTH levels the writer reports no error and the text is strict
 *    JSON; beyond, it reports misuse;
 *  - the string read back by jansson is the input where it is valid UTF-8, with every
 *    byte that starts no well-formed sequence replaced by U+FFFD (oracle: fuzz.h's own
 *    decoder, Unicode Table 3-7);
 *  - the text is safe inside <script>: no raw < > &, no control characters (U+0000..U+001F; DEL is plain JSON), no raw
 *    U+2028/U+2029, and any non-ASCII byte is part of valid UTF-8. */
#include <jansson.h>

#include "fuzz.h"
#include "jsonw.h"

static char *expected(const uint8_t *d, size_t n, size_t *len)
{
	char *e = malloc(3 * n + 1), *p = e;
	for (size_t i = 0, k; i < n; i += k) {
		if ((k = fuzz_utf8_seq(d + i, n - i))) {
			memcpy(p, d + i, k);
			p += k;
		} else {
			memcpy(p, "\xEF\xBF\xBD", 3);
			p += 3;
			k = 1;
		}
	}
	*len = (size_t)(p - e);
	return e;
}

static void check_string(const json_t *v, const char *want, size_t wantlen, const char *what, const struct buf *b)
{
	if (!json_is_string(v) || json_string_length(v) != wantlen || memcmp(json_string_value(v), want, wantlen)) {
		fuzz_dump("expected", want, wantlen);
		fuzz_dump("written", b->data, b->len);
		if (json_is_string(v))
			fuzz_dump("read back", json_string_value(v), json_string_length(v));
		FUZZ_CHECK(0, "%s does not round-trip", what);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int levels = size ? data[0] % 40 : 0;
	size_t keylen = strnlen((const char *)data, size);
	char *key = malloc(keylen + 2);
	key[0] = 'k';
	memcpy(key + 1, data, keylen);
	key[keylen + 1] = '\0';
	keylen++;
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	for (int i = 0; i < levels; i++)
		jsonw_arr_open(&w);
	jsonw_obj_open(&w);
	jsonw_key(&w, key);
	jsonw_strn(&w, (const char *)data, size);
	jsonw_key(&w, "n");
	jsonw_int(&w, (long long)size * (size & 1 ? -1 : 1));
	jsonw_obj_close(&w);
	jsonw_bool(&w, true);
	jsonw_null(&w);
	for (int i = 0; i < levels; i++)
		jsonw_arr_close(&w);
	if (levels + 1 > JSONW_MAX_DEPTH) {
		FUZZ_CHECK(jsonw_error(&w) != 0, "%d levels written without an error", levels + 1);
		goto out;
	}
	FUZZ_CHECK(jsonw_error(&w) == 0, "writer error %d at %d levels", jsonw_error(&w), levels + 1);
	if (!levels) {
		/* three values at the top level are not one document: wrap for jansson */
		struct buf t;
		buf_init(&t, 0);
		buf_putc(&t, '[');
		buf_append(&t, b.data, b.len);
		buf_putc(&t, ']');
		buf_cleanup(&b);
		b = t;
	}

	for (size_t i = 0; i < b.len;) {
		unsigned char c = (unsigned char)b.data[i];
		FUZZ_CHECK(c >= 0x20 && c != '<' && c != '>' && c != '&', "byte 0x%02x in the output", c);
		size_t k = fuzz_utf8_seq((const unsigned char *)b.data + i, b.len - i);
		FUZZ_CHECK(k, "invalid UTF-8 in the output at byte %zu", i);
		FUZZ_CHECK(!(k == 3 && c == 0xE2 && (unsigned char)b.data[i + 1] == 0x80 &&
			     ((unsigned char)b.data[i + 2] == 0xA8 || (unsigned char)b.data[i + 2] == 0xA9)),
			   "raw U+2028/U+2029 in the output");
		i += k;
	}

	json_error_t je;
	json_t *doc = json_loadb(b.data, b.len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		fuzz_dump("written", b.data, b.len);
		FUZZ_CHECK(0, "not JSON: %s (line %d column %d)", je.text, je.line, je.column);
	}
	json_t *v = json_array_get(doc, 0);
	for (int i = 1; i < levels; i++)
		v = json_array_get(v, 0);
	FUZZ_CHECK(json_is_object(v) && json_object_size(v) == 2, "object shape");
	size_t wantlen, keywantlen;
	char *want = expected(data, size, &wantlen), *keywant = expected((const uint8_t *)key, keylen, &keywantlen);
	const char *k;
	json_t *x;
	bool found = false;
	json_object_foreach(v, k, x) {
		if (strlen(k) != keywantlen || memcmp(k, keywant, keywantlen))
			continue;
		found = true;
		check_string(x, want, wantlen, "the value", &b);
	}
	FUZZ_CHECK(found, "the key does not round-trip");
	FUZZ_CHECK(json_integer_value(json_object_get(v, "n")) == (long long)size * (size & 1 ? -1 : 1), "integer");
	free(want);
	free(keywant);
	json_decref(doc);
out:
	buf_cleanup(&b);
	free(key);
	return 0;
}
