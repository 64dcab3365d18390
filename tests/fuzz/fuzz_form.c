/* fuzz_form.c - form_parse (application/x-www-form-urlencoded bodies, query strings).
 *
 * Properties: either an object or NULL with "byte N: cause", 1 <= N <= size; every
 * key at most FORM_MAX_KEY bytes, keys and values valid UTF-8 without NUL, values a
 * string or an array of at least two strings, at most FORM_MAX_FIELDS values in
 * all; and re-encoding the result (every byte percent-escaped) parses back to an
 * equal object. */
#include <jansson.h>

#include "form.h"
#include "fuzz.h"

static void check_string(const char *what, const char *s, size_t n)
{
	FUZZ_CHECK(s != NULL, "%s is not a string", what);
	FUZZ_CHECK(strlen(s) == n, "%s holds a NUL byte", what);
	FUZZ_CHECK(fuzz_utf8_valid(s, n), "%s is not valid UTF-8", what);
}

static void encode(char **p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		*(*p)++ = '%';
		*(*p)++ = hex[c >> 4];
		*(*p)++ = hex[c & 15];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128] = "";
	json_t *form = form_parse((const char *)data, size, err, sizeof err);
	if (!form) {
		unsigned long at = 0;
		FUZZ_CHECK(!strncmp(err, "byte ", 5), "error without position: %s", err);
		at = strtoul(err + 5, NULL, 10);
		FUZZ_CHECK(at >= 1 && at <= size, "error position %lu outside 1..%zu: %s", at, size, err);
		return 0;
	}
	FUZZ_CHECK(json_is_object(form), "form is not an object");

	/* Re-encoding: each decoded byte becomes 3 bytes, plus '=' and '&' per value. */
	size_t values = 0, cap = 1;
	const char *key;
	json_t *v;
	json_object_foreach(form, key, v) {
		check_string("key", key, strlen(key));
		FUZZ_CHECK(strlen(key) <= FORM_MAX_KEY, "key of %zu bytes", strlen(key));
		if (json_is_string(v)) {
			check_string("value", json_string_value(v), json_string_length(v));
			values++;
			cap += 3 * (strlen(key) + json_string_length(v)) + 2;
		} else {
			FUZZ_CHECK(json_is_array(v) && json_array_size(v) >= 2, "repeated key %s is not an array of 2+", key);
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) {
				check_string("repeated value", json_string_value(x), json_string_length(x));
				values++;
				cap += 3 * (strlen(key) + json_string_length(x)) + 2;
			}
		}
		FUZZ_CHECK(form_get(form, key) != NULL, "form_get(%s) is NULL", key);
	}
	FUZZ_CHECK(values <= FORM_MAX_FIELDS, "%zu values", values);

	char *enc = malloc(cap), *p = enc;
	json_object_foreach(form, key, v) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;
		for (size_t i = 0; i < n; i++) {
			if (p != enc)
				*p++ = '&';
			encode(&p, key);
			*p++ = '=';
			encode(&p, json_string_value(json_is_array(v) ? json_array_get(v, i) : v));
		}
	}
	*p = '\0';
	json_t *again = form_parse(enc, (size_t)(p - enc), err, sizeof err);
	if (!again || !json_equal(form, again)) {
		fuzz_dump("input", (const char *)data, size);
		fuzz_dump("re-encoded", enc, (size_t)(p - enc));
		FUZZ_CHECK(0, "re-encoded form parses %s", again ? "differently" : err);
	}
	json_decref(again);
	free(enc);
	json_decref(form);
	return 0;
}
