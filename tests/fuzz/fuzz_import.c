/* fuzz_import.c - the import file mapping (svc_read_records), CSV and JSON, and what
 * import does with its records next (reg_normalize).
 *
 * The first byte picks the shape (odd: CSV with the official header, even: JSON in
 * any import shape); the rest is the file. Properties: 0 with an array of objects,
 * or 400 with a code, a message and an empty array; every record normalises to a
 * record or to errors (never both). Screening the records (aia_screen_record) is
 * left out: it took 70% of the time per input, which the 10-million bar cannot
 * afford here (see docs/fuzzing.md). */
#include <jansson.h>

#include "fuzz.h"
#include "reg.h"
#include "svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char err[256];
	if (!ready) {
		if (reg_init(err, sizeof err)) {
			fprintf(stderr, "init: %s\n", err);
			abort();
		}
		ready = true;
	}
	if (size < 1)
		return 0;
	bool csv = data[0] & 1;
	struct svc_err e = {0};
	json_t *records = NULL;
	int rc = svc_read_records((const char *)data + 1, size - 1, csv, &records, &e);
	FUZZ_CHECK(json_is_array(records), "no records array");
	if (rc) {
		FUZZ_CHECK(rc == 400 && e.status == 400, "status %d/%d", rc, e.status);
		FUZZ_CHECK(*e.code && *e.message, "400 without code or message");
		FUZZ_CHECK(json_array_size(records) == 0, "records despite an error");
		json_decref(records);
		return 0;
	}
	size_t i;
	json_t *rec;
	json_array_foreach(records, i, rec) {
		FUZZ_CHECK(json_is_object(rec), "record %zu is not an object", i);
		struct reg_errors errs = {0};
		json_t *norm = reg_normalize(rec, true, &errs);
		FUZZ_CHECK(!norm == (errs.n > 0), "record %zu: %p with %zu errors", i, (void *)norm, errs.n);
		json_decref(norm);
	}
	json_decref(records);
	return 0;
}
