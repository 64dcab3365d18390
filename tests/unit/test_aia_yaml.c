/* Unit tests for aia_yaml.c: the YAML loader of the rule packs. */
#include "testutil.h"

#include "aia_yaml.h"

static json_t *parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return aia_yaml_parse("t.yaml", text, strlen(text), err, errlen);
}

/* Keys starting with "__" belong to the loader (__line): the text may not use
 * them, wherever they are, quoted or not (docs/fuzzing.md, F2). */
static void test_reserved_keys_refused(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"__x: 1\n", "t.yaml:1: key \"__x\" is reserved"},
		{"__line: 7\n", "t.yaml:1: key \"__line\" is reserved"},
		{"a: 1\nb:\n  c: 2\n  __indicatorz: [oops]\n", "t.yaml:4: key \"__indicatorz\" is reserved"},
		{"list:\n  - id: a\n  - id: b\n    \"__q\": 1\n", "t.yaml:4: key \"__q\" is reserved"},
		{"{a: 1, '__': 2}\n", "t.yaml:1: key \"__\" is reserved"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[256];
		json_t *doc = parse(cases[i].text, err, sizeof err);
		CHECK(doc == NULL, "case %zu: accepted", i);
		CHECK(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0, "case %zu: error \"%s\", want \"%s...\"", i,
		      err, cases[i].want);
		CHECK(strstr(err, "not allowed") != NULL, "case %zu: the cause is missing: \"%s\"", i, err);
	}
}

/* One underscore, or "__" inside a key or in a value, is ordinary data. */
static void test_underscores_elsewhere_kept(void **state)
{
	char err[256];
	json_t *doc = parse("_x: 1\nx__y: __z\nv: [__w]\n", err, sizeof err);
	CHECK(doc != NULL, "refused: %s", err);
	assert_int_equal(json_integer_value(json_object_get(doc, "_x")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "x__y")), "__z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "v"), 0)), "__w");
	assert_int_equal(aia_yaml_line(doc), 1);
	assert_int_equal(json_object_size(doc), 4); /* three keys and __line */
	json_decref(doc);
}

/* The loader's own __line is still there on every object. */
static void test_line_numbers(void **state)
{
	char err[256];
	json_t *doc = parse("a: 1\nb:\n  c: true\n  d: ~\n", err, sizeof err);
	CHECK(doc != NULL, "refused: %s", err);
	json_t *b = json_object_get(doc, "b");
	assert_int_equal(aia_yaml_line(doc), 1);
	assert_int_equal(aia_yaml_line(b), 3);
	assert_true(json_is_true(json_object_get(b, "c")));
	assert_true(json_is_null(json_object_get(b, "d")));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved_keys_refused),
		cmocka_unit_test(test_underscores_elsewhere_kept),
		cmocka_unit_test(test_line_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
