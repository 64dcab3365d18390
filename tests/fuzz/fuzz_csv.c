/* fuzz_csv.c - the RFC 4180 reader (src/csv.h) and a write -> read round trip.
 *
 * The first byte picks the delimiter (',' ';' or TAB); the rest is the document.
 * Properties: csv_reader_next returns 1, 0 or -1; a record has 1..CSV_MAX_FIELDS
 * fields, none holding NUL; an error names "line L, column C: cause" with L at or
 * after the record's line, and after an error the reader only reports the end; the
 * line count never passes the document's LFs + 1. Every record read (up to an
 * error) is then written with csv_write_field/csv_write_eol and read back with ','
 * as delimiter: the same records, field for field. */
#include "csv.h"
#include "fuzz.h"

#define MAX_RECORDS 4096

struct rec {
	char **f;
	size_t n;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = {',', ';', '\t'};
	if (size < 1)
		return 0;
	char delim = delims[data[0] % 3];
	const char *doc = (const char *)data + 1;
	size_t len = size - 1, lfs = 0;
	for (size_t i = 0; i < len; i++)
		lfs += doc[i] == '\n';

	struct csv_reader r;
	struct rec *recs = calloc(MAX_RECORDS, sizeof *recs);
	size_t nrecs = 0;
	int rc;
	csv_reader_init(&r, doc, len, delim);
	while ((rc = csv_reader_next(&r)) == 1) {
		FUZZ_CHECK(r.nfields >= 1 && r.nfields <= CSV_MAX_FIELDS, "%zu fields", r.nfields);
		FUZZ_CHECK(r.record_line >= 1 && r.record_line <= lfs + 1, "record line %zu of %zu", r.record_line,
			   lfs + 1);
		if (nrecs < MAX_RECORDS) {
			struct rec *x = &recs[nrecs++];
			x->n = r.nfields;
			x->f = calloc(r.nfields, sizeof *x->f);
			for (size_t i = 0; i < r.nfields; i++)
				x->f[i] = strdup(r.fields[i]);
		}
	}
	FUZZ_CHECK(rc == 0 || rc == -1, "csv_reader_next returned %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(!strncmp(r.errmsg, "line ", 5) && strstr(r.errmsg, ", column "), "error \"%s\"", r.errmsg);
		FUZZ_CHECK(r.nfields == 0, "fields after an error");
		FUZZ_CHECK(csv_reader_next(&r) == 0, "a call after an error does not report the end");
		unsigned long line = strtoul(r.errmsg + 5, NULL, 10);
		FUZZ_CHECK(line >= 1 && line <= lfs + 1, "error on line %lu of %zu", line, lfs + 1);
	}
	csv_reader_cleanup(&r);

	/* write -> read */
	struct buf b;
	buf_init(&b, 0);
	for (size_t k = 0; k < nrecs; k++) {
		for (size_t i = 0; i < recs[k].n; i++)
			FUZZ_CHECK(csv_write_field(&b, recs[k].f[i]) == 0, "csv_write_field failed");
		FUZZ_CHECK(csv_write_eol(&b) == 0, "csv_write_eol failed");
	}
	csv_reader_init(&r, b.data, b.len, ',');
	for (size_t k = 0; k < nrecs; k++) {
		rc = csv_reader_next(&r);
		if (rc != 1 || r.nfields != recs[k].n) {
			fuzz_dump("input", doc, len);
			fuzz_dump("written", b.data, b.len);
			FUZZ_CHECK(0, "record %zu reads back as %d with %zu fields, not %zu: %s", k + 1, rc, r.nfields,
				   recs[k].n, rc < 0 ? r.errmsg : "");
		}
		for (size_t i = 0; i < r.nfields; i++)
			if (strcmp(r.fields[i], recs[k].f[i])) {
				fuzz_dump("input", doc, len);
				fuzz_dump("written", b.data, b.len);
				fuzz_dump("field", recs[k].f[i], strlen(recs[k].f[i]));
				fuzz_dump("read back", r.fields[i], strlen(r.fields[i]));
				FUZZ_CHECK(0, "record %zu field %zu differs after write -> read", k + 1, i + 1);
			}
	}
	FUZZ_CHECK(csv_reader_next(&r) == 0, "more records read back than written");
	csv_reader_cleanup(&r);
	buf_cleanup(&b);

	for (size_t k = 0; k < nrecs; k++) {
		for (size_t i = 0; i < recs[k].n; i++)
			free(recs[k].f[i]);
		free(recs[k].f);
	}
	free(recs);
	return 0;
}
