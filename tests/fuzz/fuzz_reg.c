/* fuzz_reg.c - the JSON-to-record mapping: json_loadb, reg_normalize, reg_canonical.
 *
 * Properties, for any JSON document:
 *  - reg_normalize either returns a record or reports at least one error, never both;
 *  - a record's canonical text is strict JSON that loads back to an equal record;
 *  - normalising a normalised record changes nothing and reports nothing (idempotent),
 *    and its canonical text is byte-identical;
 *  - completeness is 0..100, reg_missing lists only fields that exist;
 *  - reg_write_json of the whole input document, where the writer did not refuse it
 *    (nesting deeper than JSONW_MAX_DEPTH), is strict JSON equal to the input (numbers
 *    compared by value: JSON does not tell 1.0 from 1). */
#include <jansson.h>
#include <math.h>

#include "fuzz.h"
#include "reg.h"

static bool json_same(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b) &&
		       (!json_is_integer(a) || !json_is_integer(b) || json_integer_value(a) == json_integer_value(b));
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !json_same(v, w))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

static void check_record(const uint8_t *data, size_t size, json_t *rec)
{
	char *canon = reg_canonical(rec);
	json_error_t je;
	json_t *back = json_loads(canon, JSON_REJECT_DUPLICATES, &je);
	if (!back || !json_equal(back, rec)) {
		fuzz_dump("input", (const char *)data, size);
		fuzz_dump("canonical", canon, strlen(canon));
		FUZZ_CHECK(0, "canonical text %s", back ? "loads to another record" : je.text);
	}
	struct reg_errors errs = {0};
	json_t *again = reg_normalize(back, false, &errs);
	if (!again || errs.n) {
		fuzz_dump("input", (const char *)data, size);
		fuzz_dump("canonical", canon, strlen(canon));
		FUZZ_CHECK(0, "a normalised record is refused: %s: %s", errs.n ? errs.e[0].field : "?",
			   errs.n ? errs.e[0].message : "no error");
	}
	char *canon2 = reg_canonical(again);
	if (!json_equal(again, rec) || strcmp(canon, canon2)) {
		fuzz_dump("input", (const char *)data, size);
		fuzz_dump("canonical", canon, strlen(canon));
		fuzz_dump("canonical after normalising again", canon2, strlen(canon2));
		FUZZ_CHECK(0, "reg_normalize is not idempotent");
	}
	int c = reg_completeness(rec);
	FUZZ_CHECK(c >= 0 && c <= 100, "completeness %d", c);
	json_t *missing = json_array();
	reg_missing(rec, missing);
	size_t i;
	json_t *m;
	json_array_foreach(missing, i, m) {
		const struct reg_field *f = reg_field(json_string_value(m));
		FUZZ_CHECK(f && f->required, "missing lists %s", json_string_value(m));
		FUZZ_CHECK(!json_object_get(rec, f->key), "missing lists %s, which the record has", f->key);
	}
	json_decref(missing);
	free(canon2);
	json_decref(again);
	json_decref(back);
	free(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char err[256];
	if (!ready) {
		if (reg_init(err, sizeof err)) {
			fprintf(stderr, "reg_init: %s\n", err);
			abort();
		}
		ready = true;
	}
	json_error_t je;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!in)
		return 0;

	for (int ignore = 0; ignore < 2; ignore++) {
		struct reg_errors errs = {0};
		json_t *rec = reg_normalize(in, ignore, &errs);
		FUZZ_CHECK(!rec == (errs.n > 0), "record %p with %zu errors", (void *)rec, errs.n);
		for (size_t i = 0; i < errs.n; i++)
			FUZZ_CHECK(*errs.e[i].code && *errs.e[i].message, "error %zu without code or message", i);
		if (rec)
			check_record(data, size, rec);
		json_decref(rec);
	}

	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	reg_write_json(&w, in);
	if (!jsonw_error(&w)) {
		json_t *back = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
		if (!back || !json_same(in, back)) {
			fuzz_dump("input", (const char *)data, size);
			fuzz_dump("written", b.data, b.len);
			FUZZ_CHECK(0, "reg_write_json output %s", back ? "differs" : je.text);
		}
		json_decref(back);
	}
	buf_cleanup(&b);
	json_decref(in);
	return 0;
}
