/* Unit tests for jsonw.c; jansson is the independent parser that checks them. */
#include "testutil.h"

#include <jansson.h>

#include "buf.h"
#include "jsonw.h"
#include "util.h"

#define BYTES(s) s, sizeof(s) - 1
#define FFFD "\xEF\xBF\xBD"

/* Output must be plain enough to drop into <script> and onto a terminal. */
static void check_safe(const char *json, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)json[i];
		CHECK(c >= 0x20 && c != '<' && c != '>' && c != '&', "unsafe byte 0x%02x at %zu in %s", c, i, json);
		CHECK(!(c == 0xE2 && i + 2 < n && json[i + 1] == '\x80' &&
			(json[i + 2] == '\xA8' || json[i + 2] == '\xA9')),
		      "raw U+2028/2029 at %zu", i);
	}
}

/* Writes s as a one-element array, parses it back with jansson and returns the
 * decoded string (caller frees) and its length. */
static char *round_trip(const char *s, size_t n, size_t *out_len)
{
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_arr_open(&w);
	jsonw_strn(&w, s, n);
	jsonw_arr_close(&w);
	assert_int_equal(jsonw_error(&w), 0);
	check_safe(b.data, b.len);

	json_error_t err;
	json_t *root = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &err);
	CHECK(root != NULL, "jansson rejected %s: %s", b.data, err.text);
	assert_true(json_is_array(root));
	assert_int_equal(json_array_size(root), 1);
	json_t *v = json_array_get(root, 0);
	assert_true(json_is_string(v));
	*out_len = json_string_length(v);
	char *copy = xmalloc(*out_len + 1);
	memcpy(copy, json_string_value(v), *out_len + 1);
	json_decref(root);
	buf_cleanup(&b);
	return copy;
}

struct rt_case {
	const char *in;
	size_t in_len;
	const char *want;  /* NULL: same as in */
	size_t want_len;
};

static const struct rt_case rt_cases[] = {
	{BYTES(""), NULL, 0},
	{BYTES("hello"), NULL, 0},
	{BYTES("quote \" backslash \\ slash / done"), NULL, 0},
	{BYTES("\"\"\\\\\"\\"), NULL, 0},
	{BYTES("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
	       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"), NULL, 0},
	{BYTES("tab\tnl\ncr\rbs\bff\f"), NULL, 0},
	{BYTES("nul\0inside"), NULL, 0},
	{BYTES("\0"), NULL, 0},
	{BYTES("line\xE2\x80\xA8sep\xE2\x80\xA9para"), NULL, 0},
	{BYTES("</script><script>alert(1)</script>"), NULL, 0},
	{BYTES("a & b <c> d"), NULL, 0},
	{BYTES("Gemeente Noardeast-Frysl\xC3\xA2n"), NULL, 0},
	{BYTES("\xE2\x82\xAC 100, \xE6\x97\xA5\xE6\x9C\xAC, \xF0\x9D\x84\x9E, \xF4\x8F\xBF\xBF"), NULL, 0},
	{BYTES("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80"), NULL, 0}, /* boundaries */
	{BYTES("\xEF\xBF\xBD already"), NULL, 0},
	{BYTES("\xFF"), BYTES(FFFD)},
	{BYTES("a\xC3"), BYTES("a" FFFD)},                          /* truncated at the end */
	{BYTES("\xC3("), BYTES(FFFD "(")},                          /* bad continuation */
	{BYTES("\xC0\xAF"), BYTES(FFFD FFFD)},                      /* overlong '/' */
	{BYTES("\xE0\x80\xAF"), BYTES(FFFD FFFD FFFD)},             /* overlong, 3 bytes */
	{BYTES("\xF0\x80\x80\xAF"), BYTES(FFFD FFFD FFFD FFFD)},    /* overlong, 4 bytes */
	{BYTES("\xED\xA0\x80"), BYTES(FFFD FFFD FFFD)},             /* surrogate D800 */
	{BYTES("\xED\xBF\xBF"), BYTES(FFFD FFFD FFFD)},             /* surrogate DFFF */
	{BYTES("\xF4\x90\x80\x80"), BYTES(FFFD FFFD FFFD FFFD)},    /* U+110000 */
	{BYTES("\xF8\x88\x80\x80\x80"), BYTES(FFFD FFFD FFFD FFFD FFFD)},
	{BYTES("\xE2\x82x"), BYTES(FFFD FFFD "x")},
	{BYTES("\x80\xBF"), BYTES(FFFD FFFD)},                      /* lone continuations */
	{BYTES("ok\xC3\xA9\xFEok"), BYTES("ok\xC3\xA9" FFFD "ok")},
};

static void test_round_trip_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(rt_cases); i++) {
		const struct rt_case *c = &rt_cases[i];
		const char *want = c->want ? c->want : c->in;
		size_t want_len = c->want ? c->want_len : c->in_len;
		size_t len;
		char *got = round_trip(c->in, c->in_len, &len);
		CHECK(len == want_len && memcmp(got, want, len) == 0, "case %zu: got %zu bytes \"%s\"", i, len, got);
		free(got);
	}
}

struct esc_case {
	const char *in;
	size_t in_len;
	const char *want;
};

/* The exact escapes, so that the output is stable and canonical. */
static const struct esc_case esc_cases[] = {
	{BYTES("plain"), "plain"},
	{BYTES("\""), "\\\""},
	{BYTES("\\"), "\\\\"},
	{BYTES("/"), "/"},
	{BYTES("\b\f\n\r\t"), "\\b\\f\\n\\r\\t"},
	{BYTES("\x01\x1f"), "\\u0001\\u001f"},
	{BYTES("\0"), "\\u0000"},
	{BYTES("\x7f"), "\x7f"},
	{BYTES("<>&"), "\\u003c\\u003e\\u0026"},
	{BYTES("\xE2\x80\xA8\xE2\x80\xA9"), "\\u2028\\u2029"},
	{BYTES("\xE2\x80\xA7\xE2\x80\xAA"), "\xE2\x80\xA7\xE2\x80\xAA"},  /* neighbours stay */
	{BYTES("\xC3\xA2"), "\xC3\xA2"},
	{BYTES("\xFF"), FFFD},
};

static void test_escape_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(esc_cases); i++) {
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(jsonw_escape(&b, esc_cases[i].in, esc_cases[i].in_len), 0);
		CHECK(strcmp(buf_str(&b), esc_cases[i].want) == 0, "case %zu: got \"%s\"", i, buf_str(&b));
		buf_cleanup(&b);
	}
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static size_t put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Random well-formed text survives unchanged; random bytes always give JSON
 * that a strict parser accepts. */
static void test_round_trip_random(void **state)
{
	char *s = xmalloc(4 * 2000);
	for (int iter = 0; iter < 300; iter++) {
		size_t n = 0, count = rng() % 2000;
		for (size_t k = 0; k < count; k++) {
			uint32_t cp;
			switch (rng() % 4) {
			case 0: cp = rng() % 0x80; break;
			case 1: cp = rng() % 0x800; break;
			case 2: cp = rng() % 0x10000; break;
			default: cp = rng() % 0x110000; break;
			}
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0x2028 + (cp & 1);
			n += put_utf8(s + n, cp);
		}
		size_t len;
		char *got = round_trip(s, n, &len);
		CHECK(len == n && memcmp(got, s, n) == 0, "iteration %d differs", iter);
		free(got);

		for (size_t k = 0; k < n; k++)
			s[k] = (char)rng();
		free(round_trip(s, n, &len));
	}
	free(s);
}

static void test_document(void **state)
{
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_obj_open(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_key(&w, "b");
	jsonw_arr_open(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_str(&w, "x");
	jsonw_str(&w, NULL);
	jsonw_obj_open(&w);
	jsonw_obj_close(&w);
	jsonw_arr_open(&w);
	jsonw_arr_close(&w);
	jsonw_arr_close(&w);
	jsonw_key(&w, "c\"<key>");
	jsonw_obj_open(&w);
	jsonw_key(&w, "min");
	jsonw_int(&w, INT64_MIN);
	jsonw_key(&w, "max");
	jsonw_int(&w, INT64_MAX);
	jsonw_obj_close(&w);
	jsonw_key(&w, "raw");
	jsonw_raw(&w, "{\"k\":[1,2]}", 11);
	jsonw_key(&w, "n");
	jsonw_strn(&w, "abcdef", 3);
	jsonw_obj_close(&w);
	assert_int_equal(jsonw_error(&w), 0);
	assert_string_equal(b.data,
			    "{\"a\":1,\"b\":[true,false,null,\"x\",null,{},[]],"
			    "\"c\\\"\\u003ckey\\u003e\":{\"min\":-9223372036854775808,\"max\":9223372036854775807},"
			    "\"raw\":{\"k\":[1,2]},\"n\":\"abc\"}");

	json_error_t err;
	json_t *root = json_loads(b.data, 0, &err);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "a")), 1);
	assert_int_equal(json_array_size(json_object_get(root, "b")), 7);
	json_t *c = json_object_get(root, "c\"<key>");
	assert_non_null(c);
	assert_true(json_integer_value(json_object_get(c, "min")) == INT64_MIN);
	assert_string_equal(json_string_value(json_object_get(root, "n")), "abc");
	json_decref(root);
	buf_cleanup(&b);
}

static void test_scalars(void **state)
{
	static const struct {
		int kind;
		const char *want;
	} cases[] = {
		{0, "0"}, {1, "true"}, {2, "null"}, {3, "\"\""}, {4, "[]"}, {5, "{}"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;
		struct jsonw w;
		buf_init(&b, 0);
		jsonw_init(&w, &b);
		switch (cases[i].kind) {
		case 0: jsonw_int(&w, 0); break;
		case 1: jsonw_bool(&w, true); break;
		case 2: jsonw_null(&w); break;
		case 3: jsonw_str(&w, ""); break;
		case 4: jsonw_arr_open(&w); jsonw_arr_close(&w); break;
		default: jsonw_obj_open(&w); jsonw_obj_close(&w); break;
		}
		assert_int_equal(jsonw_error(&w), 0);
		CHECK(strcmp(buf_str(&b), cases[i].want) == 0, "case %zu: got %s", i, buf_str(&b));
		buf_cleanup(&b);
	}
}

static void test_depth(void **state)
{
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		jsonw_arr_open(&w);
	assert_int_equal(jsonw_error(&w), 0);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		jsonw_arr_close(&w);
	assert_int_equal(jsonw_error(&w), 0);
	json_t *root = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(root);
	json_decref(root);

	/* one level too deep */
	buf_reset(&b);
	jsonw_init(&w, &b);
	for (int i = 0; i <= JSONW_MAX_DEPTH; i++)
		jsonw_obj_open(&w), jsonw_key(&w, "k");
	assert_int_equal(jsonw_error(&w), -2);

	/* closing what was never opened */
	buf_reset(&b);
	jsonw_init(&w, &b);
	jsonw_arr_open(&w);
	jsonw_arr_close(&w);
	jsonw_arr_close(&w);
	assert_int_equal(jsonw_error(&w), -2);
	size_t len = b.len;
	jsonw_int(&w, 5); /* sticky: nothing more is written */
	assert_int_equal(b.len, len);

	/* a key left without its value */
	buf_reset(&b);
	jsonw_init(&w, &b);
	jsonw_obj_open(&w);
	jsonw_key(&w, "k");
	jsonw_obj_close(&w);
	assert_int_equal(jsonw_error(&w), -2);
	buf_cleanup(&b);
}

static int write_doc(struct buf *b)
{
	struct jsonw w;
	jsonw_init(&w, b);
	jsonw_obj_open(&w);
	jsonw_key(&w, "key");
	jsonw_str(&w, "a value with <escapes> \xC3\xA2");
	jsonw_arr_open(&w);
	jsonw_int(&w, -12345);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	int err = jsonw_error(&w);
	if (err) {
		/* once failed, nothing more reaches the buffer */
		size_t len = b->len;
		jsonw_int(&w, 1);
		jsonw_raw(&w, "1", 1);
		jsonw_key(&w, "k");
		assert_int_equal(b->len, len);
	}
	return err;
}

static void test_toobig(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(write_doc(&b), 0);
	size_t full = b.len;
	buf_cleanup(&b);

	for (size_t max = 1; max <= full; max++) {
		buf_init(&b, max);
		int err = write_doc(&b);
		buf_cleanup(&b);
		CHECK(err == (max < full ? BUF_TOOBIG : 0), "max %zu of %zu: error %d", max, full, err);
	}

	buf_init(&b, 4);
	assert_int_equal(jsonw_escape(&b, "\n\n\n", 3), BUF_TOOBIG);
	buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_table),
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_toobig),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
