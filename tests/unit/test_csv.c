/* Unit tests for csv.c. */
#include "testutil.h"

#include "buf.h"
#include "csv.h"
#include "util.h"

#define BYTES(s) s, sizeof(s) - 1

/* Ends a record in an expectation list; address identity, never dereferenced. */
static const char eor_mark[1];
#define EOR eor_mark

struct read_case {
	const char *in;
	size_t len;
	char delim;
	const char *want[24];   /* fields, EOR after each record, NULL at the end */
	const char *err;        /* errmsg of the final -1, or NULL if the input is valid */
	size_t lines[4];        /* record_line of the first records, 0 = unchecked */
};

static const struct read_case read_cases[] = {
	{BYTES("a,b,c\n1,2,3\n"), ',', {"a", "b", "c", EOR, "1", "2", "3", EOR}, NULL, {1, 2}},
	{BYTES("a,b\n1,2"), ',', {"a", "b", EOR, "1", "2", EOR}, NULL, {1, 2}},
	{BYTES("a,b\r\n1,2\r\n"), ',', {"a", "b", EOR, "1", "2", EOR}, NULL, {1, 2}},
	{BYTES("a,b\r\n1,2\n3,4\r\n"), ',', {"a", "b", EOR, "1", "2", EOR, "3", "4", EOR}, NULL, {1, 2, 3}},
	{BYTES("\xEF\xBB\xBFname,x\n"), ',', {"name", "x", EOR}, NULL, {1}},
	{BYTES("\xEF\xBB\xBF"), ',', {NULL}, NULL, {0}},
	{BYTES("x,\xEF\xBB\xBF"), ',', {"x", "\xEF\xBB\xBF", EOR}, NULL, {1}},  /* only a leading BOM goes */
	{BYTES(""), ',', {NULL}, NULL, {0}},
	{BYTES("\n\r\n\n"), ',', {NULL}, NULL, {0}},
	{BYTES(",,\n"), ',', {"", "", "", EOR}, NULL, {1}},
	{BYTES("a,,b"), ',', {"a", "", "b", EOR}, NULL, {1}},
	{BYTES("a,\n,b\n"), ',', {"a", "", EOR, "", "b", EOR}, NULL, {1, 2}},
	{BYTES("a,"), ',', {"a", "", EOR}, NULL, {1}},
	{BYTES("\"a,b\",\"c\"\"d\"\n"), ',', {"a,b", "c\"d", EOR}, NULL, {1}},
	{BYTES("\"\",x"), ',', {"", "x", EOR}, NULL, {1}},
	{BYTES("\"\"\"\""), ',', {"\"", EOR}, NULL, {1}},
	{BYTES("\"x\""), ',', {"x", EOR}, NULL, {1}},
	{BYTES("\"line1\nline2\",x\r\ny,z\n"), ',', {"line1\nline2", "x", EOR, "y", "z", EOR}, NULL, {1, 3}},
	{BYTES("\"crlf\r\ninside\"\r\n"), ',', {"crlf\r\ninside", EOR}, NULL, {1}},
	{BYTES("\"a\n\n\nb\",c\nd\n"), ',', {"a\n\n\nb", "c", EOR, "d", EOR}, NULL, {1, 5}},
	{BYTES("\n\na\n\r\n\nb\n"), ',', {"a", EOR, "b", EOR}, NULL, {3, 6}},
	{BYTES(" a , b "), ',', {" a ", " b ", EOR}, NULL, {1}},
	{BYTES("a\rb,c\r"), ',', {"a\rb", "c\r", EOR}, NULL, {1}},      /* a lone CR is data */
	{BYTES("name;identifier\nGemeente Noardeast-Frysl\xC3\xA2n;GM1970\n"), ';',
	 {"name", "identifier", EOR, "Gemeente Noardeast-Frysl\xC3\xA2n", "GM1970", EOR}, NULL, {1, 2}},
	{BYTES("a,b;c\n"), ';', {"a,b", "c", EOR}, NULL, {1}},
	{BYTES("\"a;b\";\"c\"\"\";"), ';', {"a;b", "c\"", "", EOR}, NULL, {1}},
	{BYTES("a\tb\tc"), '\t', {"a", "b", "c", EOR}, NULL, {1}},

	/* errors, with line and column of the cause */
	{BYTES("a,\"bc"), ',', {NULL}, "line 1, column 3: unterminated quoted field", {0}},
	{BYTES("a,b\n\"x\ny"), ',', {"a", "b", EOR}, "line 2, column 1: unterminated quoted field", {1}},
	{BYTES("ab\"c\n"), ',', {NULL}, "line 1, column 3: stray quote in unquoted field", {0}},
	{BYTES("a,b\r\nc,d\"\r\n"), ',', {"a", "b", EOR}, "line 2, column 4: stray quote in unquoted field", {1}},
	{BYTES("\"a\"b,c"), ',', {NULL}, "line 1, column 4: unexpected character after closing quote", {0}},
	{BYTES("\"a\" ,c"), ',', {NULL}, "line 1, column 4: unexpected character after closing quote", {0}},
	{BYTES("\"a\"\r"), ',', {NULL}, "line 1, column 4: unexpected character after closing quote", {0}},
	{BYTES("\"a\nb\"c"), ',', {NULL}, "line 2, column 3: unexpected character after closing quote", {0}},
	{BYTES("\xC3\xAB\xC3\xAB,\"x"), ',', {NULL}, "line 1, column 4: unterminated quoted field", {0}},
	{BYTES("\xEF\xBB\xBF\"x"), ',', {NULL}, "line 1, column 1: unterminated quoted field", {0}},
	{BYTES("a,nul\0byte,x"), ',', {NULL}, "line 1, column 6: NUL byte", {0}},
	{BYTES("a\n\"q\n\0\""), ',', {"a", EOR}, "line 3, column 1: NUL byte", {1}},
	{BYTES("a;\"b\",c\";d"), ';', {NULL}, "line 1, column 6: unexpected character after closing quote", {0}},
};

static void run_read_case(size_t i, const struct read_case *c)
{
	struct csv_reader r;
	csv_reader_init(&r, c->in, c->len, c->delim);
	size_t w = 0, nrec = 0;
	int rc;
	while ((rc = csv_reader_next(&r)) == 1) {
		for (size_t f = 0; f < r.nfields; f++, w++) {
			CHECK(c->want[w] && c->want[w] != EOR, "case %zu record %zu: extra field \"%s\"", i, nrec,
			      r.fields[f]);
			CHECK(strcmp(r.fields[f], c->want[w]) == 0, "case %zu record %zu field %zu: got \"%s\" want \"%s\"",
			      i, nrec, f, r.fields[f], c->want[w]);
		}
		CHECK(c->want[w] == EOR, "case %zu record %zu: too few fields (%zu)", i, nrec, r.nfields);
		w++;
		if (nrec < ARRAY_LEN(c->lines) && c->lines[nrec])
			CHECK(r.record_line == c->lines[nrec], "case %zu record %zu: record_line %zu want %zu", i, nrec,
			      r.record_line, c->lines[nrec]);
		nrec++;
	}
	CHECK(c->want[w] == NULL, "case %zu: records missing after %zu", i, nrec);
	if (c->err) {
		CHECK(rc == -1, "case %zu: rc %d, want an error", i, rc);
		CHECK(strcmp(r.errmsg, c->err) == 0, "case %zu: errmsg \"%s\" want \"%s\"", i, r.errmsg, c->err);
	} else {
		CHECK(rc == 0, "case %zu: rc %d (%s)", i, rc, r.errmsg);
	}
	/* end of input, and after an error, stays that way */
	CHECK(csv_reader_next(&r) == 0, "case %zu: next after the end", i);
	CHECK(csv_reader_next(&r) == 0, "case %zu: next after the end", i);
	csv_reader_cleanup(&r);
}

static void test_read_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(read_cases); i++)
		run_read_case(i, &read_cases[i]);
}

/* The reader must never read past len: the input is copied into an exactly
 * sized heap block so ASan catches any overrun, cut at every length. */
static void test_read_prefixes(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		for (size_t n = 0; n <= c->len; n++) {
			char *copy = xmalloc(n ? n : 1);
			memcpy(copy, c->in, n);
			struct csv_reader r;
			csv_reader_init(&r, copy, n, c->delim);
			int rc;
			while ((rc = csv_reader_next(&r)) == 1)
				for (size_t f = 0; f < r.nfields; f++)
					assert_non_null(r.fields[f]);
			assert_true(rc == 0 || (rc == -1 && r.errmsg[0]));
			csv_reader_cleanup(&r);
			free(copy);
		}
	}
}

static void test_null_input(void **state)
{
	struct csv_reader r;
	csv_reader_init(&r, NULL, 0, ',');
	assert_int_equal(csv_reader_next(&r), 0);
	csv_reader_cleanup(&r);
}

static void test_field_limit(void **state)
{
	struct buf in;
	buf_init(&in, 0);
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		buf_puts(&in, i ? ",x" : "x");
	buf_puts(&in, "\n");
	buf_puts(&in, "y");
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		buf_puts(&in, ",y");

	struct csv_reader r;
	csv_reader_init(&r, in.data, in.len, ',');
	assert_int_equal(csv_reader_next(&r), 1);
	assert_int_equal(r.nfields, CSV_MAX_FIELDS);
	assert_string_equal(r.fields[CSV_MAX_FIELDS - 1], "x");
	assert_int_equal(csv_reader_next(&r), -1);
	char want[64];
	snprintf(want, sizeof want, "line 2, column %d: too many fields", 2 * CSV_MAX_FIELDS + 1);
	assert_string_equal(r.errmsg, want);
	assert_int_equal(csv_reader_next(&r), 0);
	csv_reader_cleanup(&r);
	buf_cleanup(&in);
}

/* Fields stay valid while the store grows under them within one record. */
static void test_large_fields(void **state)
{
	struct buf in;
	buf_init(&in, 0);
	for (int f = 0; f < 20; f++) {
		if (f)
			buf_putc(&in, ',');
		buf_putc(&in, '"');
		for (int k = 0; k < 5000; k++)
			buf_putc(&in, (char)('a' + f));
		buf_puts(&in, "\"\"\"");
	}
	struct csv_reader r;
	csv_reader_init(&r, in.data, in.len, ',');
	assert_int_equal(csv_reader_next(&r), 1);
	assert_int_equal(r.nfields, 20);
	for (int f = 0; f < 20; f++) {
		assert_int_equal(strlen(r.fields[f]), 5001);
		assert_int_equal(r.fields[f][0], 'a' + f);
		assert_int_equal(r.fields[f][4999], 'a' + f);
		assert_int_equal(r.fields[f][5000], '"');
	}
	assert_int_equal(csv_reader_next(&r), 0);
	csv_reader_cleanup(&r);
	buf_cleanup(&in);
}

static void test_record_too_long(void **state)
{
	size_t n = 17u * 1024 * 1024;
	char *in = xmalloc(n);
	memset(in, 'z', n);
	struct csv_reader r;
	csv_reader_init(&r, in, n, ',');
	assert_int_equal(csv_reader_next(&r), -1);
	assert_non_null(strstr(r.errmsg, "record too long"));
	csv_reader_cleanup(&r);
	free(in);
}

struct write_case {
	const char *field;
	const char *want;  /* as the first field of a record */
};

static const struct write_case write_cases[] = {
	{"abc", "abc"},
	{"mid space", "mid space"},
	{"semi;colon", "semi;colon"},
	{"a,b", "\"a,b\""},
	{"a\"b", "\"a\"\"b\""},
	{"\"", "\"\"\"\""},
	{"\"\"", "\"\"\"\"\"\""},
	{"a\nb", "\"a\nb\""},
	{"a\rb", "\"a\rb\""},
	{"a\r\nb", "\"a\r\nb\""},
	{" lead", "\" lead\""},
	{"trail ", "\"trail \""},
	{" ", "\" \""},
	{"", "\"\""},
	{"Frysl\xC3\xA2n", "Frysl\xC3\xA2n"},
	{"\xEF\xBB\xBF" "bom", "\"\xEF\xBB\xBF" "bom\""},
	{"x\xEF\xBB\xBF", "x\xEF\xBB\xBF"},
	{"[\"a\",\"b\"]", "\"[\"\"a\"\",\"\"b\"\"]\""},
};

static void test_write_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(write_cases); i++) {
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(csv_write_field(&b, write_cases[i].field), 0);
		CHECK(strcmp(buf_str(&b), write_cases[i].want) == 0, "case %zu: got [%s] want [%s]", i, buf_str(&b),
		      write_cases[i].want);

		/* written after another field: a comma, and an empty field needs no quotes */
		buf_reset(&b);
		assert_int_equal(csv_write_field(&b, "x"), 0);
		assert_int_equal(csv_write_field(&b, write_cases[i].field), 0);
		const char *want = write_cases[i].field[0] ? write_cases[i].want : "";
		CHECK(strncmp(buf_str(&b), "x,", 2) == 0 && strcmp(buf_str(&b) + 2, want) == 0,
		      "case %zu second: got [%s]", i, buf_str(&b));
		buf_cleanup(&b);
	}
}

static void test_write_records(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	const char *rec1[] = {"a", "", "b c", "x,y"};
	const char *rec2[] = {"", "q\"q"};
	for (size_t i = 0; i < ARRAY_LEN(rec1); i++)
		assert_int_equal(csv_write_field(&b, rec1[i]), 0);
	assert_int_equal(csv_write_eol(&b), 0);
	for (size_t i = 0; i < ARRAY_LEN(rec2); i++)
		assert_int_equal(csv_write_field(&b, rec2[i]), 0);
	assert_int_equal(csv_write_eol(&b), 0);
	assert_string_equal(buf_str(&b), "a,,b c,\"x,y\"\r\n\"\",\"q\"\"q\"\r\n");
	buf_cleanup(&b);
}

/* Whatever the writer produces, the reader gives back. */
static void test_write_read_back(void **state)
{
	static const char *const records[][5] = {
		{"name", "description", "tags", NULL},
		{"Gemeente Noardeast-Frysl\xC3\xA2n", "multi\nline\r\ntext, with \"quotes\"", "[\"a\",\"b\"]", NULL},
		{"", NULL},
		{"", "", "", NULL},
		{" padded ", "trailing,", ",leading", "\"", NULL},
		{"last", NULL},
		{"\xEF\xBB\xBF", "x", NULL},
	};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < ARRAY_LEN(records); i++) {
		for (size_t f = 0; records[i][f]; f++)
			assert_int_equal(csv_write_field(&b, records[i][f]), 0);
		assert_int_equal(csv_write_eol(&b), 0);
	}
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len, ',');
	for (size_t i = 0; i < ARRAY_LEN(records); i++) {
		CHECK(csv_reader_next(&r) == 1, "record %zu: %s", i, r.errmsg);
		size_t n = 0;
		while (records[i][n])
			n++;
		CHECK(r.nfields == n, "record %zu: %zu fields, want %zu", i, r.nfields, n);
		for (size_t f = 0; f < n; f++)
			CHECK(strcmp(r.fields[f], records[i][f]) == 0, "record %zu field %zu: got [%s]", i, f,
			      r.fields[f]);
	}
	assert_int_equal(csv_reader_next(&r), 0);
	csv_reader_cleanup(&r);
	buf_cleanup(&b);
}

static void test_write_toobig(void **state)
{
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(csv_write_field(&b, "abc"), 0);
	assert_int_equal(csv_write_field(&b, "a\"b"), BUF_TOOBIG);  /* ,"a""b" needs 7 more */
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(csv_write_field(&b, "d\""), BUF_TOOBIG);
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(csv_write_field(&b, "defg"), 0);
	assert_string_equal(buf_str(&b), "abc,defg");
	assert_int_equal(csv_write_eol(&b), BUF_TOOBIG);
	assert_string_equal(buf_str(&b), "abc,defg");
	buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_read_prefixes),
		cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_large_fields),
		cmocka_unit_test(test_record_too_long),
		cmocka_unit_test(test_write_table),
		cmocka_unit_test(test_write_records),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_write_toobig),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
