/* fuzz_stream.c - reading an import file piece by piece (src/stream.c), with
 * jansson on the whole document as the oracle.
 *
 * The first byte picks the read size (0: the document in memory, else 1..255
 * bytes from a FILE, so that every token straddles a window boundary
 * somewhere); the rest is the document. Properties: the stream accepts exactly
 * what json_loadb accepts, with the same values (the array's, the "algoritmes"
 * array's, or the object itself) and has_member when the object has that key;
 * an error names a position within the document; read again from memory the
 * same error at the same place. As CSV: the batches put together are the
 * input, cut only after a line break outside double quotes (or at the end), on
 * the lines they say. */
#include <jansson.h>

#include "fuzz.h"
#include "stream.h"

struct result {
	json_t *values;
	bool has_member;
	int rc;
	size_t line, col;
	char error[200];
};

static FILE *open_input(const char *doc, size_t len)
{
	FILE *f = fmemopen((void *)doc, len ? len : 1, "r");
	FUZZ_CHECK(f, "fmemopen");
	if (!len) /* fmemopen cannot hold nothing: read its one byte away */
		fgetc(f);
	return f;
}

static void read_json(const char *doc, size_t len, size_t chunk, struct result *r)
{
	struct stream s;
	FILE *f = NULL;
	json_t *v;
	size_t line, col;
	int rc;
	if (chunk) {
		f = open_input(doc, len);
		stream_init_file(&s, f);
		s.chunk = chunk;
	} else {
		stream_init_mem(&s, doc, len);
	}
	r->values = json_array();
	while ((rc = stream_json_next(&s, "algoritmes", &v, &line, &col)) == 1) {
		FUZZ_CHECK(v && line >= 1 && col >= 1, "value without a position");
		json_array_append_new(r->values, v);
	}
	FUZZ_CHECK(rc == 0 || (rc == -1 && !v), "rc %d", rc);
	FUZZ_CHECK(stream_json_next(&s, "algoritmes", &v, &line, &col) == rc, "the end is not sticky");
	r->rc = rc;
	r->has_member = s.has_member;
	r->line = s.error_line;
	r->col = s.error_col;
	snprintf(r->error, sizeof r->error, "%s", rc ? s.error : "");
	stream_cleanup(&s);
	if (f)
		fclose(f);
}

static void check_csv(const char *doc, size_t len, size_t chunk)
{
	struct stream s;
	FILE *f = NULL;
	const char *p;
	size_t n, line, done = 0, want_line = 1;
	int rc;
	if (chunk) {
		f = open_input(doc, len);
		stream_init_file(&s, f);
		s.chunk = chunk;
	} else {
		stream_init_mem(&s, doc, len);
	}
	bool quoted = false;
	while ((rc = stream_csv_next(&s, &p, &n, &line)) == 1) {
		FUZZ_CHECK(n > 0 && done + n <= len && !memcmp(p, doc + done, n), "batch is not the input at %zu", done);
		FUZZ_CHECK(line == want_line, "batch at byte %zu says line %zu, is %zu", done, line, want_line);
		for (size_t i = 0; i < n; i++) {
			quoted ^= p[i] == '"';
			want_line += p[i] == '\n';
		}
		done += n;
		FUZZ_CHECK(done == len || (p[n - 1] == '\n' && !quoted), "batch ends at %zu inside a record", done);
		quoted = false;
	}
	FUZZ_CHECK(rc == 0 && done == len, "rc %d after %zu of %zu bytes", rc, done, len);
	stream_cleanup(&s);
	if (f)
		fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = data[0];
	const char *doc = (const char *)data + 1;
	size_t len = size - 1;
	json_error_t je;
	json_t *d = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je), *want = NULL;
	if (d) {
		json_t *arr = json_object_get(d, "algoritmes");
		want = json_is_array(arr) ? json_incref(arr) : json_is_array(d) ? json_incref(d) : json_pack("[O]", d);
	}
	struct result r, m;
	read_json(doc, len, chunk, &r);
	FUZZ_CHECK((r.rc == 0) == (d != NULL), "stream %s, jansson %s (%s)", r.rc ? "refuses" : "accepts",
		   d ? "accepts" : "refuses", r.rc ? r.error : je.text);
	if (d) {
		FUZZ_CHECK(json_equal(r.values, want), "other values than jansson's");
		FUZZ_CHECK(r.has_member == (json_object_get(d, "algoritmes") != NULL), "has_member %d", r.has_member);
	} else {
		size_t lines = 1;
		for (size_t i = 0; i < len; i++)
			lines += doc[i] == '\n';
		FUZZ_CHECK(r.line >= 1 && r.line <= lines && r.col >= 1 && r.error[0], "error at %zu:%zu (%zu lines): %s",
			   r.line, r.col, lines, r.error);
	}
	if (chunk) {
		read_json(doc, len, 0, &m);
		FUZZ_CHECK(m.rc == r.rc && m.line == r.line && m.col == r.col && !strcmp(m.error, r.error),
			   "read by %zu: %zu:%zu %s; from memory: %zu:%zu %s", chunk, r.line, r.col, r.error, m.line, m.col,
			   m.error);
		json_decref(m.values);
	}
	json_decref(r.values);
	json_decref(want);
	json_decref(d);
	check_csv(doc, len, chunk);
	return 0;
}
