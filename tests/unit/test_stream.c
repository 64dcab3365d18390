/* test_stream.c - reading an import file piece by piece (src/stream.c).
 *
 * The oracle is jansson itself: a document streams without error exactly when
 * json_loadb accepts it whole, into the values of its array (or of the
 * "algoritmes" array of its object, or the object itself), and an error names
 * the line and column jansson names for the whole document. Every document is
 * read from memory and from a FILE in chunks of 1, 2, 3, 7 and 64 bytes, so
 * that values, strings and escapes straddle every window boundary. */
#include "testutil.h"

#include <jansson.h>

#include "buf.h"
#include "stream.h"

static const size_t chunks[] = {0 /* memory */, 1, 2, 3, 7, 64};

struct outcome {
	json_t *values;       /* array */
	bool has_member;
	int rc;               /* 0 or -1 */
	size_t line, col;
	char error[200];
};

static void read_all(const char *doc, size_t len, size_t chunk, struct outcome *o)
{
	struct stream s;
	FILE *f = NULL;
	json_t *v;
	size_t line, col;
	int rc;
	memset(o, 0, sizeof *o);
	if (chunk) {
		f = fmemopen((void *)doc, len ? len : 1, "r");
		assert_non_null(f);
		if (!len) /* fmemopen cannot open an empty buffer: read it to its end */
			fgetc(f);
		stream_init_file(&s, f);
		s.chunk = chunk;
	} else {
		stream_init_mem(&s, doc, len);
	}
	o->values = json_array();
	while ((rc = stream_json_next(&s, "algoritmes", &v, &line, &col)) == 1)
		json_array_append_new(o->values, v);
	o->rc = rc;
	o->has_member = s.has_member;
	if (rc < 0) {
		o->line = s.error_line;
		o->col = s.error_col;
		snprintf(o->error, sizeof o->error, "%s", s.error);
	}
	stream_cleanup(&s);
	if (f)
		fclose(f);
}

/* What the old whole-document import made of doc: its records, or NULL. */
static json_t *whole(const char *doc, size_t len, json_error_t *je, bool *has_member)
{
	json_t *d = json_loadb(doc, len, JSON_REJECT_DUPLICATES, je), *items;
	*has_member = false;
	if (!d)
		return NULL;
	json_t *arr = json_object_get(d, "algoritmes");
	*has_member = arr != NULL;
	if (json_is_array(arr))
		items = json_deep_copy(arr);
	else if (json_is_array(d))
		items = json_deep_copy(d);
	else
		items = json_pack("[O]", d);
	json_decref(d);
	return items;
}

/* Streams doc every way and compares with jansson; positions too when exact. */
static void agree(const char *doc, size_t len, bool exact)
{
	json_error_t je;
	bool member;
	json_t *want = whole(doc, len, &je, &member);
	struct outcome first;
	for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
		struct outcome o;
		read_all(doc, len, chunks[k], &o);
		CHECK((o.rc == 0) == (want != NULL), "chunk %zu: stream %s, jansson %s (%.*s): %s", chunks[k],
		      o.rc ? "fails" : "accepts", want ? "accepts" : "rejects", (int)(len < 80 ? len : 80), doc,
		      o.rc ? o.error : je.text);
		if (want) {
			CHECK(json_equal(o.values, want), "chunk %zu: other values (%.*s)", chunks[k], (int)(len < 80 ? len : 80),
			      doc);
			CHECK(o.has_member == member, "chunk %zu: has_member %d (%.*s)", chunks[k], o.has_member,
			      (int)(len < 80 ? len : 80), doc);
		} else if (exact) {
			size_t col = je.column > 0 ? (size_t)je.column : 1;
			CHECK(o.line == (size_t)je.line && o.col == col, "chunk %zu: error at %zu:%zu (%s), jansson %d:%zu (%s) in %s",
			      chunks[k], o.line, o.col, o.error, je.line, col, je.text, doc);
		}
		if (!k) {
			first = o;
			first.values = NULL;
		} else if (o.rc) {
			/* wherever the window ends, the same error at the same place */
			CHECK(o.line == first.line && o.col == first.col && !strcmp(o.error, first.error),
			      "chunk %zu: %zu:%zu %s, from memory %zu:%zu %s", chunks[k], o.line, o.col, o.error, first.line,
			      first.col, first.error);
		}
		json_decref(o.values);
	}
	json_decref(want);
}

static void agree_str(const char *doc, bool exact)
{
	agree(doc, strlen(doc), exact);
}

static void test_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"[]", " [ ] ", "[1]", "[1, \"x\", null, true, false, -1.5e3, {}, []]",
		"[{\"a\": [1, {\"b\": \"]}\\\"[{\"}]}, \"\\\\\", \"\\u00e9\\ud83d\\ude00\"]",
		"[\"caf\xc3\xa9\", {\"naam\": \"\xe2\x82\xac 5\"}]",
		"{\"algoritmes\": [{\"id\": 1}, {\"id\": 2}], \"count\": 2}",
		"{\"count\": 2, \"x\": {\"y\": [1, {\"z\": null}]}, \"algoritmes\": [{\"id\": 1}], \"fetched\": \"2026\"}",
		"{\"algoritmes\": []}", "{\"algoritmes\": 5}", "{\"algoritmes\": {\"a\": 1}}",
		"{\"name\": \"Parkeren\", \"organization\": \"Gemeente Utrecht\"}", "{}",
		"\n\t[\r\n{\"a\":1}\r\n,\r\n{\"b\":2}\n]\n",
		"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		agree_str(docs[i], true);
}

static void test_malformed_positions(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"", "   ", "x", "1", "\"x\"", "[", "[1", "[1,", "[1,]", "[,1]", "[1 2]", "[1,,2]", "[1]]", "[1] x", "[1] [2]",
		"{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{1: 2}", "{\"a\":1} x",
		"{\"name\": \"a\", \"name\": \"b\"}", "{\"algoritmes\": [1], \"algoritmes\": [2]}",
		"[{\"name\": \"x\",\n  \"status\" \"In gebruik\"}]", "{\"name\": \"x\"", "[\n\n  {\"name\": tru}\n]",
		"[1,\n 2,,3]", "[\"caf\xc3\xa9\", x]", "[{\"a\": 1, \"a\": 2}]", "[01]", "[1.]", "[-]", "[nul]",
		"{\"x\": tru, \"algoritmes\": []}", "{\"algoritmes\": [1, }", "[\"\\x\"]", "[\"\\u12\"]", "[{]", "[}]",
		"[\"\xff\"]",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		agree_str(docs[i], true);
	/* Deeper than jansson allows (2048): refused, as the whole document is. */
	for (size_t depth = 2046; depth <= 2050; depth++) {
		char *doc = malloc(2 * depth + 1);
		memset(doc, '[', depth);
		memset(doc + depth, ']', depth);
		agree(doc, 2 * depth, false);
		free(doc);
	}
	/* A NUL byte and an unterminated string at the end. */
	agree("[1, \"a\0b\"]", 10, false);
	agree_str("[\"abc", true);
	agree_str("\xef\xbb\xbf[]", false); /* a byte order mark: refused, as by jansson */
}

/* Documents mutated at random (a fixed seed): a cheap fuzzer with jansson as
 * the judge; tests/fuzz/fuzz_stream.c does this at length. */
static void test_mutations(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"[{\"name\": \"a\\\"b\", \"n\": [1, 2, {\"x\": null}]}, \"s\", 3]",
		"{\"count\": 1, \"algoritmes\": [{\"id\": \"1\", \"t\": \"[{\\\\\"}], \"z\": {}}",
		"{\"name\": \"x\", \"tags\": \"a,b\", \"category\": [\"c\"]}",
	};
	static const char alphabet[] = "[]{},:\"\\ \n1ax";
	unsigned seed = 12345;
	char doc[128];
	for (int round = 0; round < 3000; round++) {
		const char *src = seeds[round % 3];
		size_t len = strlen(src);
		memcpy(doc, src, len);
		for (int m = 0; m < 1 + round % 3; m++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			doc[at] = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
		}
		agree(doc, len, false);
	}
}

/* A value larger than the window may hold is refused where it starts. */
static void test_too_large(void **state)
{
	(void)state;
	const char *doc = "[1,\n {\"name\": \"0123456789012345678901234567890123456789\"}]";
	struct stream s;
	json_t *v;
	size_t line, col;
	FILE *f = fmemopen((void *)doc, strlen(doc), "r");
	stream_init_file(&s, f);
	s.chunk = 8;
	s.max = 32;
	assert_int_equal(stream_json_next(&s, NULL, &v, &line, &col), 1);
	json_decref(v);
	assert_int_equal(stream_json_next(&s, NULL, &v, &line, &col), -1);
	assert_null(v);
	assert_int_equal(s.error_line, 2);
	assert_int_equal(s.error_col, 2);
	CHECK(strstr(s.error, "larger than 32 bytes"), "%s", s.error);
	stream_cleanup(&s);
	fclose(f);
	/* A value as large as the window may hold passes. */
	doc = "[\"0123456789012345678901234567\"]";
	f = fmemopen((void *)doc, strlen(doc), "r");
	stream_init_file(&s, f);
	s.chunk = 8;
	s.max = 32;
	assert_int_equal(stream_json_next(&s, NULL, &v, &line, &col), 1);
	json_decref(v);
	assert_int_equal(stream_json_next(&s, NULL, &v, &line, &col), 0);
	stream_cleanup(&s);
	fclose(f);
}

/* CSV batches: the input again, cut only at line breaks outside quotes, each
 * with the line it starts on. */
static void test_csv_batches(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"", "a,b\n", "a,b", "a,b\r\n1,2\r\n", "a,b\n\"x\ny\",2\n3,\"\"\"q\n\"\"\"\n4,5", "\n\n\na\n\n",
		"h\n\"open quote\nnever closed\n",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		size_t len = strlen(docs[i]);
		for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
			struct stream s;
			FILE *f = NULL;
			const char *p;
			size_t n, line, want_line = 1;
			struct buf all;
			int rc;
			if (chunks[k]) {
				f = fmemopen((void *)docs[i], len ? len : 1, "r");
				if (!len)
					fgetc(f);
				stream_init_file(&s, f);
				s.chunk = chunks[k];
			} else {
				stream_init_mem(&s, docs[i], len);
			}
			buf_init(&all, 0);
			while ((rc = stream_csv_next(&s, &p, &n, &line)) == 1) {
				CHECK(n > 0, "doc %zu chunk %zu: empty batch", i, chunks[k]);
				CHECK(line == want_line, "doc %zu chunk %zu: batch on line %zu, want %zu", i, chunks[k], line,
				      want_line);
				size_t quotes = 0;
				for (size_t j = 0; j < n; j++) {
					quotes += p[j] == '"';
					want_line += p[j] == '\n';
				}
				CHECK(quotes % 2 == 0 || all.len + n == len, "doc %zu chunk %zu: batch ends inside quotes", i,
				      chunks[k]);
				CHECK(p[n - 1] == '\n' || all.len + n == len, "doc %zu chunk %zu: batch ends mid-line", i,
				      chunks[k]);
				buf_append(&all, p, n);
			}
			assert_int_equal(rc, 0);
			CHECK(all.len == len && !memcmp(buf_str(&all), docs[i], len), "doc %zu chunk %zu: batches differ", i,
			      chunks[k]);
			if (!chunks[k])
				CHECK(len == 0 || strlen(buf_str(&all)) == len, "doc %zu: memory in one batch", i);
			buf_cleanup(&all);
			stream_cleanup(&s);
			if (f)
				fclose(f);
		}
	}
}

/* The bytes consumed grow to the input's size. */
static void test_done(void **state)
{
	(void)state;
	const char *doc = "[{\"a\": 1}, {\"b\": 2}]  \n";
	FILE *f = fmemopen((void *)doc, strlen(doc), "r");
	struct stream s;
	json_t *v;
	size_t line, col, last = 0;
	stream_init_file(&s, f);
	s.chunk = 3;
	while (stream_json_next(&s, NULL, &v, &line, &col) == 1) {
		CHECK(stream_done(&s) > last, "no progress");
		last = stream_done(&s);
		json_decref(v);
	}
	assert_int_equal(stream_done(&s), strlen(doc));
	stream_cleanup(&s);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_malformed_positions),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_csv_batches),
		cmocka_unit_test(test_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
