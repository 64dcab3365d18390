/* Unit tests for buf.c. */
#include "testutil.h"

#include <wchar.h>

#include "buf.h"
#include "util.h"

/* The invariants every operation must keep, success or not. */
static void check_buf(const struct buf *b, const char *want, size_t want_len)
{
	assert_int_equal(b->len, want_len);
	assert_non_null(buf_str(b));
	assert_memory_equal(buf_str(b), want, want_len);
	assert_int_equal(buf_str(b)[want_len], '\0');
	if (b->data)
		assert_true(b->cap > b->len);
	if (b->max) {
		assert_true(b->len <= b->max);
		/* the cap bounds memory too, not just len */
		if (b->data)
			assert_true(b->cap <= b->max + 1);
	}
}

struct op_case {
	size_t max;
	const char *pieces[6];
	int want_rc[6];
	const char *want;
};

static const struct op_case op_cases[] = {
	{0, {"abc", "def"}, {0, 0}, "abcdef"},
	{0, {"", "", "x"}, {0, 0, 0}, "x"},
	{5, {"abc", "def", "de", "f"}, {0, BUF_TOOBIG, 0, BUF_TOOBIG}, "abcde"},
	{5, {"abcdef", "abcde"}, {BUF_TOOBIG, 0}, "abcde"},
	{5, {"abcde", ""}, {0, 0}, "abcde"},
	{1, {"ab", "a", "b"}, {BUF_TOOBIG, 0, BUF_TOOBIG}, "a"},
	{3, {"", "xyzw", "xy", "zw", "z"}, {0, BUF_TOOBIG, 0, BUF_TOOBIG, 0}, "xyz"},
};

static void test_append_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(op_cases); i++) {
		const struct op_case *c = &op_cases[i];
		struct buf b;
		buf_init(&b, c->max);
		for (size_t j = 0; j < ARRAY_LEN(c->pieces) && c->pieces[j]; j++) {
			size_t before = b.len;
			int rc = buf_puts(&b, c->pieces[j]);
			CHECK(rc == c->want_rc[j], "case %zu piece %zu: rc %d", i, j, rc);
			if (rc)
				CHECK(b.len == before, "case %zu piece %zu: failed append changed len", i, j);
			if (b.data)
				CHECK(b.data[b.len] == '\0', "case %zu piece %zu: not terminated", i, j);
		}
		CHECK(strcmp(buf_str(&b), c->want) == 0, "case %zu: got \"%s\"", i, buf_str(&b));
		check_buf(&b, c->want, strlen(c->want));
		buf_cleanup(&b);
	}
}

static void test_empty(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	assert_null(b.data);
	assert_string_equal(buf_str(&b), "");
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	buf_cleanup(&b);
	buf_cleanup(&b); /* twice is harmless */

	/* a zeroed struct is an unbounded empty buffer */
	struct buf z = {0};
	assert_int_equal(buf_puts(&z, "zero"), 0);
	check_buf(&z, "zero", 4);
	buf_cleanup(&z);
}

static void test_binary_and_putc(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(buf_putc(&b, '\0'), 0);
	assert_int_equal(buf_putc(&b, 'z'), 0);
	check_buf(&b, "a\0b\0z", 5);
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	check_buf(&b, "a\0b\0z", 5);
	buf_cleanup(&b);
}

static void test_growth(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	char expect[10000];
	for (size_t i = 0; i < sizeof expect; i++) {
		expect[i] = (char)('a' + i % 26);
		assert_int_equal(buf_putc(&b, expect[i]), 0);
	}
	check_buf(&b, expect, sizeof expect);
	buf_cleanup(&b);

	/* one append far larger than the initial capacity */
	char *big = xmalloc(1 << 20);
	memset(big, 'q', 1 << 20);
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_append(&b, big, 1 << 20), 0);
	check_buf(&b, big, 1 << 20);
	assert_int_equal(buf_putc(&b, 'x'), BUF_TOOBIG);
	check_buf(&b, big, 1 << 20);
	buf_cleanup(&b);
	free(big);
}

static void test_printf(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%d-%s-%05.1f", 42, "x", 3.14159), 0);
	check_buf(&b, "42-x-003.1", 10);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	check_buf(&b, "42-x-003.1", 10);

	/* output longer than the spare room takes the second pass */
	assert_int_equal(buf_printf(&b, "[%*s]", 500, "r"), 0);
	assert_int_equal(b.len, 10 + 502);
	assert_int_equal(b.data[10], '[');
	assert_int_equal(b.data[510], 'r');
	assert_int_equal(b.data[511], ']');
	assert_int_equal(b.data[512], '\0');
	buf_cleanup(&b);

	struct {
		size_t max;
		const char *prefix, *arg;
		int want_rc;
		const char *want;
	} cases[] = {
		{10, "abc", "1234567", 0, "abc1234567"},
		{10, "abc", "12345678", BUF_TOOBIG, "abc"},        /* one byte over the cap */
		{10, "", "12345678901", BUF_TOOBIG, ""},
		{200, "abc", "", 0, "abc"},
		{70, "abc", "0123456789012345678901234567890123456789012345678901234567890123456789", BUF_TOOBIG, "abc"},
		{0, "abc", "0123456789012345678901234567890123456789012345678901234567890123456789",
		 0, "abc0123456789012345678901234567890123456789012345678901234567890123456789"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		buf_init(&b, cases[i].max);
		assert_int_equal(buf_puts(&b, cases[i].prefix), 0);
		int rc = buf_printf(&b, "%s", cases[i].arg);
		CHECK(rc == cases[i].want_rc, "printf case %zu: rc %d", i, rc);
		CHECK(strcmp(buf_str(&b), cases[i].want) == 0, "printf case %zu: got \"%s\"", i, buf_str(&b));
		check_buf(&b, cases[i].want, strlen(cases[i].want));
		buf_cleanup(&b);
	}
}

/* An encoding error (a wide character the C locale cannot represent) fails the
 * call and leaves the buffer as it was. */
static void test_printf_error(void **state)
{
	static const wchar_t euro[] = {0x20AC, 0};
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "keep"), 0);
	assert_int_equal(buf_printf(&b, "partial %ls", euro), -1);
	check_buf(&b, "keep", 4);
	buf_cleanup(&b);
	assert_int_equal(buf_printf(&b, "%ls", euro), -1);
	check_buf(&b, "", 0);
	buf_cleanup(&b);
}

static void test_reset_release(void **state)
{
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	char *storage = b.data;
	buf_reset(&b);
	check_buf(&b, "", 0);
	assert_ptr_equal(b.data, storage);
	assert_int_equal(buf_puts(&b, "again"), 0);

	size_t len = 99;
	char *s = buf_release(&b, &len);
	assert_string_equal(s, "again");
	assert_int_equal(len, 5);
	free(s);
	assert_null(b.data);
	check_buf(&b, "", 0);
	assert_int_equal(b.max, 8); /* the cap survives a release */
	assert_int_equal(buf_puts(&b, "123456789"), BUF_TOOBIG);

	s = buf_release(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	s = buf_release(&b, NULL);
	free(s);

	assert_int_equal(buf_puts(&b, "x"), 0);
	buf_cleanup(&b);
	assert_null(b.data);
	assert_int_equal(buf_puts(&b, "reuse"), 0);
	check_buf(&b, "reuse", 5);
	buf_cleanup(&b);
}

static int vwrap(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vwrap(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static void test_vprintf(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(vwrap(&b, "%d,", i), 0);
	/* compare against snprintf piece by piece */
	size_t off = 0;
	for (int i = 0; i < 1000; i++) {
		char tmp[16];
		int n = snprintf(tmp, sizeof tmp, "%d,", i);
		assert_memory_equal(b.data + off, tmp, (size_t)n);
		off += (size_t)n;
	}
	assert_int_equal(off, b.len);
	buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_table),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_binary_and_putc),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_error),
		cmocka_unit_test(test_reset_release),
		cmocka_unit_test(test_vprintf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
