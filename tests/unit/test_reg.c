/* Unit tests for reg.c: IDs, the field configuration, validation, missing
 * fields, completeness and the canonical form.
 *
 * Expectations about fields are read from the register's own configuration
 * (data/register/backend-config-v1_0.json) with jansson, so that the tests check
 * the mapping from configuration to struct reg_field, not a copy of constants. */
#include "testutil.h"

#include <jansson.h>
#include <strings.h>
#include <unistd.h>

#include "reg.h"
#include "text.h"

#define CONFIG_FILE "data/register/backend-config-v1_0.json"
#define SEED_FILE "data/seed/algoritmes.json"

/* ---- helpers ---- */

static int setup(void **state)
{
	char err[256];
	(void)state;
	if (reg_init(err, sizeof err)) {
		fprintf(stderr, "reg_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	reg_cleanup();
	return 0;
}

/* Finds a file of the repository from the current directory or one of its parents. */
static const char *repo_file(const char *rel, char *out, size_t n)
{
	static const char *const prefixes[] = {"", "../", "../../", "../../../"};
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		snprintf(out, n, "%s%s", prefixes[i], rel);
		if (access(out, R_OK) == 0)
			return out;
	}
	fail_msg("cannot find %s from the current directory", rel);
	return NULL;
}

static json_t *load_json_file(const char *rel)
{
	char path[512];
	json_error_t je;
	json_t *doc = json_load_file(repo_file(rel, path, sizeof path), 0, &je);
	CHECK(doc, "%s: %s (line %d)", path, je.text, je.line);
	return doc;
}

/* The "properties" of the configuration (borrowed from *doc, which the caller frees). */
static json_t *config_properties(json_t **doc)
{
	*doc = load_json_file(CONFIG_FILE);
	json_t *props = json_object_get(*doc, "properties");
	CHECK(json_is_object(props), "%s has no properties object", CONFIG_FILE);
	return props;
}

/* The configuration's "required": JSON true, or the string "true" (the file
 * spells one flag as the string "false"). */
static bool config_required(const json_t *p)
{
	json_t *r = json_object_get(p, "required");
	return json_is_true(r) || (json_is_string(r) && !strcasecmp(json_string_value(r), "true"));
}

static size_t config_max(const json_t *p)
{
	json_t *m = json_object_get(p, "max_length");
	return json_is_integer(m) && json_integer_value(m) > 0 ? (size_t)json_integer_value(m) : 0;
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	CHECK(v, "test JSON does not parse: %s: %s", text, je.text);
	return v;
}

/* A string of n copies of the UTF-8 character ch, after prefix. */
static char *repeat(const char *prefix, const char *ch, size_t n)
{
	size_t pl = strlen(prefix), cl = strlen(ch);
	char *s = malloc(pl + n * cl + 1);
	assert_non_null(s);
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + pl + i * cl, ch, cl);
	s[pl + n * cl] = '\0';
	return s;
}

static bool has_error(const struct reg_errors *errs, const char *field, const char *code)
{
	for (size_t i = 0; i < errs->n; i++)
		if (!strcmp(errs->e[i].field, field) && !strcmp(errs->e[i].code, code))
			return true;
	return false;
}

static void dump_errors(const char *label, const struct reg_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "  %s: error %zu: field \"%s\" code %s: %s\n", label, i, errs->e[i].field,
			errs->e[i].code, errs->e[i].message);
}

/* A valid, non-empty value for every field of the configuration. */
static json_t *full_record(void)
{
	size_t n;
	const struct reg_field *f = reg_fields(&n);
	json_t *rec = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *v = NULL;
		switch (f[i].type) {
		case REG_STRING:
			switch (f[i].format) {
			case REG_FMT_MONTH: v = json_string("2023-01"); break;
			case REG_FMT_DAY: v = json_string("2024-02-29"); break;
			case REG_FMT_URL: v = json_string("https://www.example.nl/a"); break;
			case REG_FMT_CONTACT: v = json_string("algoritmes@example.nl"); break;
			case REG_FMT_ID: v = json_string("11136893"); break;
			case REG_FMT_NONE: v = json_string(f[i].html ? "<p>tekst</p>" : "tekst"); break;
			}
			break;
		case REG_ENUM:
			v = json_incref(json_array_get(f[i].permitted, 0));
			break;
		case REG_LIST:
			v = json_pack("[O]", json_array_get(f[i].permitted, 0));
			break;
		case REG_LINKS:
			v = json_pack("[{s:s,s:s}]", "title", "Titel", "link", "https://wetten.overheid.nl/x");
			break;
		}
		assert_non_null(v);
		json_object_set_new(rec, f[i].key, v);
	}
	return rec;
}

/* ---- IDs ---- */

/* Real IDs of the national register (data/seed/algoritmes.json). */
static const char *const real_ids[] = {
	"11136893", "11234933", "11243612", "11243654", "11248112",
};

static void test_id_real(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof real_ids / sizeof *real_ids; i++) {
		const char *id = real_ids[i];
		char seven[8];
		memcpy(seven, id, 7);
		seven[7] = '\0';
		CHECK(reg_id_check_digit(id) == id[7] - '0', "%s: check digit %d", id, reg_id_check_digit(id));
		CHECK(reg_id_check_digit(seven) == id[7] - '0', "%s: check digit of first 7", id);
		CHECK(reg_id_valid(id), "%s must be valid", id);
		/* Every other last digit is invalid. */
		for (char d = '0'; d <= '9'; d++) {
			char other[9];
			memcpy(other, id, 9);
			other[7] = d;
			if (d != id[7])
				CHECK(!reg_id_valid(other), "%s must be invalid", other);
		}
	}
}

/* Every ID in the seed file is a valid register ID. */
static void test_id_seed_file(void **state)
{
	(void)state;
	json_t *doc = load_json_file(SEED_FILE), *a;
	json_t *list = json_object_get(doc, "algoritmes");
	size_t i;
	assert_int_equal(json_array_size(list), 1530);
	json_array_foreach(list, i, a) {
		const char *id = json_string_value(json_object_get(a, "id"));
		CHECK(id && reg_id_valid(id), "seed entry %zu: id %s must be valid", i, id ? id : "(none)");
	}
	json_decref(doc);
}

static void test_id_invalid(void **state)
{
	static const char *const bad[] = {
		"1113689",      /* 7 digits */
		"111368930",    /* 9 digits */
		"11136894",     /* wrong check digit */
		"1113689a",     /* letter as check digit */
		"a1136893",
		"111x6893",
		"11136 93",
		" 1136893",
		"+1136893",
		"-1136893",
		"11136893 ",
		"",
		"ABCDEFGH",
		"1113689\xd9",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(!reg_id_valid(bad[i]), "\"%s\" must be invalid", bad[i]);
	assert_false(reg_id_valid(NULL));
	static const char *const bad_seven[] = {"111368a", "a113689", "1 13689", "", "123", "-113689"};
	for (size_t i = 0; i < sizeof bad_seven / sizeof *bad_seven; i++)
		CHECK(reg_id_check_digit(bad_seven[i]) == -1, "check digit of \"%s\" must be -1", bad_seven[i]);
	/* The formula: d8 = (3*(d1+d3+d5+d7) + (d2+d4+d6)) mod 10. */
	assert_int_equal(reg_id_check_digit("0000000"), 0);
	assert_int_equal(reg_id_check_digit("1000000"), 3);
	assert_int_equal(reg_id_check_digit("0100000"), 1);
	assert_int_equal(reg_id_check_digit("9999999"), (3 * 36 + 27) % 10);
}

static void test_id_generate(void **state)
{
	char ids[1000][9];
	size_t distinct = 0;
	(void)state;
	for (int i = 0; i < 1000; i++) {
		memset(ids[i], 'x', sizeof ids[i]);
		reg_id_generate(ids[i]);
		CHECK(ids[i][8] == '\0' && strlen(ids[i]) == 8, "draw %d: not 8 characters", i);
		CHECK(reg_id_valid(ids[i]), "draw %d: %s is not a valid ID", i, ids[i]);
		CHECK(ids[i][0] != '0', "draw %d: %s starts with 0", i, ids[i]);
	}
	for (int i = 0; i < 1000; i++) {
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(ids[i], ids[j]);
		distinct += !seen;
	}
	/* 9,000,000 possible IDs: 1000 draws collide rarely. */
	CHECK(distinct >= 990, "only %zu distinct IDs in 1000 draws", distinct);
}

/* ---- fields ---- */

/* The fields of publication standard 1.0 that aireg must know. */
static const char *const standard_fields[] = {
	"name", "description_short", "organization", "category", "status", "begin_date", "end_date",
	"contact_email", "website", "publication_category", "url", "goal", "proportionality",
	"human_intervention", "risks", "lawful_basis", "lawful_basis_grouping", "process_index_url",
	"impacttoetsen_grouping", "impacttoetsen", "source_data", "source_data_grouping",
	"methods_and_models", "provider", "publiccode", "lang", "standard_version", "source_id", "tags",
};

static void test_fields_present(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof standard_fields / sizeof *standard_fields; i++) {
		const struct reg_field *f = reg_field(standard_fields[i]);
		CHECK(f, "field %s is not loaded", standard_fields[i]);
		CHECK(!strcmp(f->key, standard_fields[i]), "reg_field(%s) returned %s", standard_fields[i], f->key);
	}
	assert_non_null(reg_field("lars"));
	assert_non_null(reg_field("publication_dt"));
	assert_null(reg_field("nope"));
	assert_null(reg_field(""));
	assert_null(reg_field("Name"));
}

/* Every property of the configuration, in its order, with its limits, flags and values. */
static void test_fields_match_config(void **state)
{
	json_t *doc, *props = config_properties(&doc), *p;
	size_t n, i = 0;
	const struct reg_field *f = reg_fields(&n);
	const char *key;
	(void)state;
	assert_int_equal(n, json_object_size(props));
	assert_int_equal(n, sizeof standard_fields / sizeof *standard_fields + 2);
	json_object_foreach(props, key, p) {
		const struct reg_field *fl = &f[i++];
		const char *type = json_string_value(json_object_get(p, "type"));
		json_t *items = json_object_get(p, "items");
		CHECK(!strcmp(fl->key, key), "field %zu: key %s, configuration has %s", i - 1, fl->key, key);
		CHECK(reg_field(key) == fl, "reg_field(%s) is not entry %zu", key, i - 1);
		CHECK(fl->max_length == config_max(p), "%s: max_length %zu, configuration %zu", key,
		      fl->max_length, config_max(p));
		CHECK(fl->required == config_required(p), "%s: required %d, configuration %d", key,
		      fl->required, config_required(p));
		CHECK(fl->show_always == json_is_true(json_object_get(p, "show_always")), "%s: show_always", key);
		CHECK(fl->html == (json_array_size(json_object_get(p, "allowed_html_tags")) > 0), "%s: html", key);
		const char *title = json_string_value(json_object_get(p, "title"));
		CHECK(fl->title && title && !strcmp(fl->title, title), "%s: title", key);
		json_t *permitted = json_object_get(p, "permitted_values");
		if (permitted)
			CHECK(fl->permitted && json_equal(fl->permitted, permitted), "%s: permitted values differ", key);
		else
			CHECK(!fl->permitted, "%s: permitted values where the configuration has none", key);
		enum reg_type want = !strcmp(type, "enum") ? REG_ENUM
				     : !strcmp(type, "array") ? (items ? REG_LINKS : REG_LIST) : REG_STRING;
		CHECK(fl->type == want, "%s: type %d, configuration %s -> %d", key, fl->type, type, want);
		if (items) {
			CHECK(fl->title_max == config_max(json_object_get(items, "title")), "%s: title_max %zu", key,
			      fl->title_max);
			CHECK(fl->link_max == config_max(json_object_get(items, "link")), "%s: link_max %zu", key,
			      fl->link_max);
		}
	}
	json_decref(doc);
}

/* Spot checks that the reading above is what the configuration means. */
static void test_fields_spot(void **state)
{
	static const struct {
		const char *key;
		size_t max;
		bool required;
		enum reg_type type;
		const char *first_permitted;
	} cases[] = {
		{"name", 100, true, REG_STRING, NULL},
		{"description_short", 400, true, REG_STRING, NULL},
		{"status", 0, true, REG_ENUM, "In ontwikkeling"},
		{"lang", 0, true, REG_ENUM, "nld"},
		{"category", 0, false, REG_LIST, "Organisatie en bedrijfsvoering"},
		{"begin_date", 7, false, REG_STRING, NULL},
		{"methods_and_models", 5000, false, REG_STRING, NULL},
		{"source_data_grouping", 0, false, REG_LINKS, NULL},   /* "required": "false" */
		{"publication_category", 0, true, REG_ENUM, "Hoog-risico AI-systeem"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct reg_field *f = reg_field(cases[i].key);
		CHECK(f, "%s missing", cases[i].key);
		CHECK(f->max_length == cases[i].max, "%s: max %zu", cases[i].key, f->max_length);
		CHECK(f->required == cases[i].required, "%s: required", cases[i].key);
		CHECK(f->type == cases[i].type, "%s: type", cases[i].key);
		if (cases[i].first_permitted)
			CHECK(!strcmp(json_string_value(json_array_get(f->permitted, 0)), cases[i].first_permitted),
			      "%s: first permitted value", cases[i].key);
	}
	const struct reg_field *lb = reg_field("lawful_basis_grouping");
	assert_int_equal(lb->title_max, 100);
	assert_int_equal(lb->link_max, 500);
	assert_int_equal(reg_field("impacttoetsen_grouping")->title_max, 0);
}

/* ---- normalisation ---- */

struct norm_case {
	const char *in;
	bool ignore_unknown;
	const char *out;           /* expected result; NULL when errors are expected */
	const char *errs[6];       /* "field code" pairs expected (all of them, any order) */
};

static const struct norm_case norm_cases[] = {
	/* trimming, empty values */
	{"{\"name\": \"  Parkeren \\n\"}", false, "{\"name\": \"Parkeren\"}", {NULL}},
	{"{\"name\": \"\"}", false, "{}", {NULL}},
	{"{\"name\": \"   \"}", false, "{}", {NULL}},
	{"{\"name\": null, \"category\": []}", false, "{}", {NULL}},
	{"{}", false, "{}", {NULL}},
	/* enumerations: canonical spelling, case-insensitive, trimmed */
	{"{\"status\": \"in gebruik\"}", false, "{\"status\": \"In gebruik\"}", {NULL}},
	{"{\"status\": \" IN ONTWIKKELING \"}", false, "{\"status\": \"In ontwikkeling\"}", {NULL}},
	{"{\"lang\": \"NLD\"}", false, "{\"lang\": \"nld\"}", {NULL}},
	{"{\"publication_category\": \"overige ALGORITMES\"}", false,
	 "{\"publication_category\": \"Overige algoritmes\"}", {NULL}},
	{"{\"standard_version\": \"1.0\"}", false, "{\"standard_version\": \"1.0\"}", {NULL}},
	{"{\"status\": \"\"}", false, "{}", {NULL}},
	{"{\"status\": \"Gepland\"}", false, NULL, {"status not_allowed_value"}},
	{"{\"lang\": \"eng\"}", false, NULL, {"lang not_allowed_value"}},
	{"{\"standard_version\": \"2.0\"}", false, NULL, {"standard_version not_allowed_value"}},
	{"{\"publication_category\": \"Impactvol\"}", false, NULL, {"publication_category not_allowed_value"}},
	/* wrong types */
	{"{\"name\": 5}", false, NULL, {"name wrong_type"}},
	{"{\"name\": [\"a\"]}", false, NULL, {"name wrong_type"}},
	{"{\"goal\": {\"a\": 1}}", false, NULL, {"goal wrong_type"}},
	{"{\"status\": true}", false, NULL, {"status wrong_type"}},
	{"{\"category\": 5}", false, NULL, {"category wrong_type"}},
	{"{\"category\": [\"Wonen\", 5]}", false, NULL, {"category[1] wrong_type"}},
	{"{\"lawful_basis_grouping\": \"x\"}", false, NULL, {"lawful_basis_grouping wrong_type"}},
	{"{\"lawful_basis_grouping\": {\"title\": \"x\"}}", false, NULL, {"lawful_basis_grouping wrong_type"}},
	{"[]", false, NULL, {" wrong_type"}},
	{"\"name\"", false, NULL, {" wrong_type"}},
	/* unknown fields */
	{"{\"foo\": \"x\"}", false, NULL, {"foo unknown_field"}},
	{"{\"foo\": \"x\", \"name\": \"N\", \"Name\": \"M\"}", false, NULL,
	 {"foo unknown_field", "Name unknown_field"}},
	{"{\"foo\": \"x\"}", true, "{}", {NULL}},
	{"{\"foo\": \"x\", \"uuid\": \"u\", \"name\": \"N\"}", true, "{\"name\": \"N\"}", {NULL}},
	/* HTML: sanitised in fields with allowed tags only */
	{"{\"goal\": \"<p class=\\\"x\\\">a</p><script>alert(1)</script><b>b</b>\"}", false,
	 "{\"goal\": \"<p>a</p>b\"}", {NULL}},
	{"{\"tags\": \"<UL><LI onclick=x>a<BR/></li></ul>\"}", false, "{\"tags\": \"<ul><li>a<br></li></ul>\"}",
	 {NULL}},
	{"{\"goal\": \"<script>x</script>\"}", false, "{}", {NULL}},
	{"{\"risks\": \"a < b & c\"}", false, "{\"risks\": \"a &lt; b &amp; c\"}", {NULL}},
	{"{\"name\": \"<b>A & B</b>\"}", false, "{\"name\": \"<b>A & B</b>\"}", {NULL}},
	{"{\"provider\": \"<script>x</script>\"}", false, "{\"provider\": \"<script>x</script>\"}", {NULL}},
	/* lists: a string becomes an array; canonical spelling; duplicates removed */
	{"{\"category\": \"wonen\"}", false, "{\"category\": [\"Wonen\"]}", {NULL}},
	{"{\"category\": [\"Wonen\", \"wonen\", \"Economie\", \"WONEN\", \"economie\"]}", false,
	 "{\"category\": [\"Wonen\", \"Economie\"]}", {NULL}},
	{"{\"category\": [\"overheidsfinanciën\"]}", false, "{\"category\": [\"Overheidsfinanciën\"]}", {NULL}},
	{"{\"category\": [\"Wonen\", \"Nope\"]}", false, NULL, {"category[1] not_allowed_value"}},
	{"{\"category\": \"Nope\"}", false, NULL, {"category[0] not_allowed_value"}},
	/* formats */
	{"{\"begin_date\": \"2023-01\", \"end_date\": \"2024-12\"}", false,
	 "{\"begin_date\": \"2023-01\", \"end_date\": \"2024-12\"}", {NULL}},
	{"{\"begin_date\": \"2023-13\"}", false, NULL, {"begin_date invalid_format"}},
	{"{\"begin_date\": \"2023-00\"}", false, NULL, {"begin_date invalid_format"}},
	{"{\"begin_date\": \"2023-1\"}", false, NULL, {"begin_date invalid_format"}},
	{"{\"end_date\": \"23-01-2023\"}", false, NULL, {"end_date too_long"}},
	{"{\"end_date\": \"jan-23\"}", false, NULL, {"end_date invalid_format"}},
	{"{\"website\": \"www.x.nl\"}", false, NULL, {"website invalid_format"}},
	{"{\"website\": \"https://\"}", false, NULL, {"website invalid_format"}},
	{"{\"url\": \"ftp://x.nl\"}", false, NULL, {"url invalid_format"}},
	{"{\"process_index_url\": \"javascript:alert(1)\"}", false, NULL, {"process_index_url invalid_format"}},
	{"{\"publiccode\": \"x.nl/publiccode.yml\"}", false, NULL, {"publiccode invalid_format"}},
	{"{\"website\": \"https://www.x.nl\", \"url\": \"http://x.nl/a\", \"publiccode\": \"HTTPS://X.NL\"}", false,
	 "{\"website\": \"https://www.x.nl\", \"url\": \"http://x.nl/a\", \"publiccode\": \"HTTPS://X.NL\"}", {NULL}},
	{"{\"contact_email\": \"algoritmes@gemeente.nl\"}", false,
	 "{\"contact_email\": \"algoritmes@gemeente.nl\"}", {NULL}},
	{"{\"contact_email\": \"https://www.gemeente.nl/contact\"}", false,
	 "{\"contact_email\": \"https://www.gemeente.nl/contact\"}", {NULL}},
	{"{\"contact_email\": \"algoritmes@gemeente\"}", false, NULL, {"contact_email invalid_format"}},
	{"{\"contact_email\": \"www.gemeente.nl\"}", false, NULL, {"contact_email invalid_format"}},
	{"{\"contact_email\": \"@gemeente.nl\"}", false, NULL, {"contact_email invalid_format"}},
	{"{\"contact_email\": \"a b@gemeente.nl\"}", false, NULL, {"contact_email invalid_format"}},
	{"{\"contact_email\": \"a@b@gemeente.nl\"}", false, NULL, {"contact_email invalid_format"}},
	{"{\"lars\": \"11136893\"}", false, "{\"lars\": \"11136893\"}", {NULL}},
	{"{\"lars\": \"11136894\"}", false, NULL, {"lars invalid_id"}},
	{"{\"publication_dt\": \"2024-02-29\"}", false, "{\"publication_dt\": \"2024-02-29\"}", {NULL}},
	{"{\"publication_dt\": \"2023-02-29\"}", false, NULL, {"publication_dt invalid_format"}},
	/* groupings */
	{"{\"lawful_basis_grouping\": [{\"title\": \" Wet \", \"link\": \"https://wetten.overheid.nl/x\"}]}",
	 false, "{\"lawful_basis_grouping\": [{\"title\": \"Wet\", \"link\": \"https://wetten.overheid.nl/x\"}]}",
	 {NULL}},
	{"{\"impacttoetsen_grouping\": [{\"title\": \"DPIA\"}]}", false,
	 "{\"impacttoetsen_grouping\": [{\"title\": \"DPIA\"}]}", {NULL}},
	{"{\"source_data_grouping\": [{\"title\": \"\", \"link\": \"\"}, {\"title\": null}]}", false, "{}", {NULL}},
	{"{\"lawful_basis_grouping\": [{\"link\": \"https://wetten.overheid.nl/x\"}]}", false, NULL,
	 {"lawful_basis_grouping[0].title required"}},
	{"{\"lawful_basis_grouping\": [{\"title\": \"\", \"link\": \"https://wetten.overheid.nl/x\"}]}", false,
	 NULL, {"lawful_basis_grouping[0].title required"}},
	{"{\"lawful_basis_grouping\": [{\"title\": \"Wet\", \"link\": \"www.x.nl\"}]}", false, NULL,
	 {"lawful_basis_grouping[0].link invalid_format"}},
	{"{\"source_data_grouping\": [{\"title\": \"A\", \"link\": \"https://a.nl\"}, "
	 "{\"title\": \"B\", \"link\": \"b.nl\"}]}", false, NULL, {"source_data_grouping[1].link invalid_format"}},
	{"{\"impacttoetsen_grouping\": [{\"title\": \"DPIA\", \"url\": \"https://a.nl\"}]}", false, NULL,
	 {"impacttoetsen_grouping[0].url unknown_field"}},
	{"{\"impacttoetsen_grouping\": [{\"title\": \"DPIA\", \"url\": \"https://a.nl\"}]}", true, NULL,
	 {"impacttoetsen_grouping[0].url unknown_field"}},
	{"{\"lawful_basis_grouping\": [{\"title\": 5, \"link\": \"https://a.nl\"}]}", false, NULL,
	 {"lawful_basis_grouping[0].title wrong_type", "lawful_basis_grouping[0].title required"}},
	{"{\"lawful_basis_grouping\": [\"Wet\"]}", false, NULL, {"lawful_basis_grouping[0] wrong_type"}},
	/* several errors at once */
	{"{\"name\": 5, \"status\": \"x\", \"foo\": 1, \"website\": \"x\"}", false, NULL,
	 {"name wrong_type", "status not_allowed_value", "foo unknown_field", "website invalid_format"}},
};

static void test_normalize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof norm_cases / sizeof *norm_cases; i++) {
		const struct norm_case *c = &norm_cases[i];
		struct reg_errors errs = {0};
		json_t *in = parse(c->in), *copy = json_deep_copy(in);
		json_t *out = reg_normalize(in, c->ignore_unknown, &errs);
		size_t nwant = 0;
		while (nwant < 6 && c->errs[nwant])
			nwant++;
		if (c->out) {
			json_t *want = parse(c->out);
			if (!out || errs.n)
				dump_errors(c->in, &errs);
			CHECK(out, "case %zu %s: rejected", i, c->in);
			CHECK(errs.n == 0, "case %zu %s: %zu errors", i, c->in, errs.n);
			char *got = json_dumps(out, JSON_COMPACT);
			CHECK(json_equal(out, want), "case %zu %s: got %s, want %s", i, c->in, got, c->out);
			free(got);
			/* Normalising is idempotent (a re-import finds the record unchanged). */
			struct reg_errors again_errs = {0};
			json_t *again = reg_normalize(out, c->ignore_unknown, &again_errs);
			CHECK(again && json_equal(again, out), "case %zu %s: not idempotent", i, c->in);
			json_decref(again);
			json_decref(want);
		} else {
			/* Beyond the expected errors only a "required" on a field already
			 * named may follow (an invalid value leaves the field absent). */
			size_t extra = 0;
			for (size_t k = 0; k < errs.n; k++) {
				bool expected = false, consequence = false;
				for (size_t w = 0; w < nwant; w++) {
					size_t fl = (size_t)(strchr(c->errs[w], ' ') - c->errs[w]);
					bool same_field = strlen(errs.e[k].field) == fl && !strncmp(errs.e[k].field, c->errs[w], fl);
					expected |= same_field && !strcmp(c->errs[w] + fl + 1, errs.e[k].code);
					consequence |= same_field && strstr(errs.e[k].field, "].") &&
						       !strcmp(errs.e[k].code, "required");
				}
				extra += !expected && !consequence;
			}
			if (extra || errs.n < nwant)
				dump_errors(c->in, &errs);
			CHECK(!out, "case %zu %s: accepted", i, c->in);
			CHECK(extra == 0 && errs.n >= nwant, "case %zu %s: %zu errors, want %zu", i, c->in, errs.n, nwant);
			for (size_t k = 0; k < nwant; k++) {
				char field[64], code[32];
				const char *sp = strchr(c->errs[k], ' ');
				snprintf(field, sizeof field, "%.*s", (int)(sp - c->errs[k]), c->errs[k]);
				snprintf(code, sizeof code, "%s", sp + 1);
				if (!has_error(&errs, field, code))
					dump_errors(c->in, &errs);
				CHECK(has_error(&errs, field, code), "case %zu %s: no error %s", i, c->in, c->errs[k]);
			}
			for (size_t k = 0; k < errs.n; k++)
				CHECK(errs.e[k].message[0], "case %zu: error %zu has no message", i, k);
		}
		CHECK(json_equal(in, copy), "case %zu %s: the input was modified", i, c->in);
		json_decref(out);
		json_decref(in);
		json_decref(copy);
	}
}

/* Errors accumulate in errs; a valid record after an invalid one adds none. */
static void test_normalize_errors_accumulate(void **state)
{
	struct reg_errors errs = {0};
	json_t *bad = parse("{\"name\": 1}"), *good = parse("{\"name\": \"x\"}");
	(void)state;
	assert_null(reg_normalize(bad, false, &errs));
	assert_int_equal(errs.n, 1);
	json_t *out = reg_normalize(good, false, &errs);
	assert_non_null(out);   /* only errors of this call count */
	assert_int_equal(errs.n, 1);
	json_decref(out);
	json_decref(bad);
	json_decref(good);

	/* More errors than REG_MAX_ERRORS: capped, not overflowing. */
	json_t *many = json_object();
	for (int i = 0; i < 3 * REG_MAX_ERRORS; i++) {
		char k[16];
		snprintf(k, sizeof k, "unknown%d", i);
		json_object_set_new(many, k, json_true());
	}
	memset(&errs, 0, sizeof errs);
	assert_null(reg_normalize(many, false, &errs));
	assert_int_equal(errs.n, REG_MAX_ERRORS);
	json_decref(many);
}

/* Limits count code points: exactly max characters pass (also when every one
 * is multi-byte), max+1 are too long. For every limited string field. */
static void test_normalize_lengths(void **state)
{
	static const char *const chars[] = {"a", "\xc3\xa9" /* é */, "\xe2\x82\xac" /* € */,
					    "\xf0\x9f\x98\x80" /* U+1F600 */};
	size_t n;
	const struct reg_field *f = reg_fields(&n);
	size_t checked = 0;
	(void)state;
	for (size_t i = 0; i < n; i++) {
		if (f[i].type != REG_STRING || !f[i].max_length || f[i].format == REG_FMT_ID ||
		    f[i].format == REG_FMT_DAY)
			continue;
		for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
			const char *prefix = "";
			if (f[i].format == REG_FMT_URL || f[i].format == REG_FMT_CONTACT)
				prefix = "https://x.nl/";
			for (int extra = 0; extra <= 1; extra++) {
				char *v;
				if (f[i].format == REG_FMT_MONTH)   /* 7 = "2023-01" */
					v = extra ? repeat("2023-01", chars[c], 1) : repeat("2023-01", "", 0);
				else
					v = repeat(prefix, chars[c], f[i].max_length - strlen(prefix) + (size_t)extra);
				struct reg_errors errs = {0};
				json_t *in = json_pack("{s:s}", f[i].key, v);
				json_t *out = reg_normalize(in, false, &errs);
				if (!extra) {
					if (!out)
						dump_errors(f[i].key, &errs);
					CHECK(out, "%s: %zu characters of %s rejected", f[i].key, f[i].max_length, chars[c]);
					CHECK(!strcmp(reg_str(out, f[i].key), v), "%s: value changed", f[i].key);
				} else {
					CHECK(!out, "%s: %zu characters of %s accepted", f[i].key, f[i].max_length + 1,
					      chars[c]);
					CHECK(errs.n == 1 && has_error(&errs, f[i].key, "too_long"), "%s: no too_long",
					      f[i].key);
				}
				json_decref(out);
				json_decref(in);
				free(v);
				checked++;
			}
		}
	}
	CHECK(checked >= 20 * 4 * 2, "only %zu length checks", checked);

	/* The items of a grouping: title and link limits from the configuration. */
	const struct reg_field *g = reg_field("lawful_basis_grouping");
	for (int extra = 0; extra <= 1; extra++) {
		char *title = repeat("", "\xc3\xab", g->title_max + (size_t)extra);
		char *link = repeat("https://x.nl/", "\xc3\xab", g->link_max - 13 + (size_t)extra);
		struct reg_errors errs = {0};
		json_t *in = json_pack("{s:[{s:s,s:s}]}", "lawful_basis_grouping", "title", title, "link", link);
		json_t *out = reg_normalize(in, false, &errs);
		if (!extra) {
			CHECK(out, "grouping items at the limits rejected");
		} else {
			CHECK(!out, "grouping items over the limits accepted");
			assert_true(has_error(&errs, "lawful_basis_grouping[0].title", "too_long"));
			assert_true(has_error(&errs, "lawful_basis_grouping[0].link", "too_long"));
			assert_int_equal(errs.n, 2);
		}
		json_decref(out);
		json_decref(in);
		free(title);
		free(link);
	}
}

/* The items of a grouping need what the configuration marks required: an item
 * lacking a required title or link is refused, naming the item's field. */
static void test_normalize_grouping_required(void **state)
{
	json_t *doc, *props = config_properties(&doc), *p;
	const char *key;
	size_t checked = 0;
	(void)state;
	json_object_foreach(props, key, p) {
		json_t *items = json_object_get(p, "items");
		if (!items)
			continue;
		static const char *const subs[] = {"title", "link"};
		for (size_t s = 0; s < 2; s++) {
			const char *sub = subs[s], *other = subs[1 - s];
			json_t *in = json_pack("{s:[{s:s}]}", key, other, s ? "Titel" : "https://www.example.nl/a");
			struct reg_errors errs = {0};
			json_t *out = reg_normalize(in, false, &errs);
			char field[64];
			snprintf(field, sizeof field, "%s[0].%s", key, sub);
			bool required = config_required(json_object_get(items, sub));
			bool ok = required ? !out && errs.n == 1 && has_error(&errs, field, "required")
					   : out && errs.n == 0;
			json_decref(out);
			json_decref(in);
			if (!ok) {
				char msg[200];
				snprintf(msg, sizeof msg, "%s: an item without its %s %s is %s", key,
					 required ? "required" : "optional", sub,
					 required ? "accepted (the configuration marks it required)" : "refused");
				json_decref(doc);
				fail_msg("%s", msg);
			}
			checked++;
		}
	}
	json_decref(doc);
	assert_int_equal(checked, 6);
}

/* Surrounding whitespace does not count toward the limit. */
static void test_normalize_trim_before_limit(void **state)
{
	const struct reg_field *f = reg_field("name");
	char *core = repeat("", "x", f->max_length);
	char *padded = malloc(strlen(core) + 5);
	struct reg_errors errs = {0};
	(void)state;
	snprintf(padded, strlen(core) + 5, "  %s  ", core);
	json_t *in = json_pack("{s:s}", "name", padded);
	json_t *out = reg_normalize(in, false, &errs);
	assert_non_null(out);
	assert_string_equal(reg_str(out, "name"), core);
	json_decref(out);
	json_decref(in);
	free(core);
	free(padded);
}

/* A full record is valid and comes back unchanged. */
static void test_normalize_full_record(void **state)
{
	json_t *rec = full_record();
	struct reg_errors errs = {0};
	(void)state;
	json_t *out = reg_normalize(rec, false, &errs);
	if (!out)
		dump_errors("full", &errs);
	assert_non_null(out);
	assert_true(json_equal(out, rec));
	json_decref(out);
	json_decref(rec);
}

/* ---- missing ---- */

static void test_missing(void **state)
{
	json_t *doc, *props = config_properties(&doc), *p;
	json_t *required = json_array();
	const char *key;
	(void)state;
	json_object_foreach(props, key, p)
		if (config_required(p))
			json_array_append_new(required, json_string(key));
	/* What the configuration requires, as the register documents it. */
	json_t *documented = parse("[\"name\", \"description_short\", \"organization\", \"status\", "
				   "\"contact_email\", \"publication_category\", \"lang\"]");
	assert_true(json_equal(required, documented));
	json_decref(documented);

	static const char *const records[] = {
		"{}",
		"{\"name\": \"N\"}",
		"{\"name\": \"\", \"status\": \"In gebruik\", \"category\": [\"Wonen\"]}",
		"{\"name\": \"N\", \"description_short\": \"D\", \"organization\": \"O\", \"status\": \"In gebruik\", "
		"\"contact_email\": \"a@b.nl\", \"publication_category\": \"Overige algoritmes\", \"lang\": \"nld\"}",
		"{\"name\": \"N\", \"description_short\": null, \"organization\": [], \"lang\": \"nld\", "
		"\"goal\": \"g\"}",
	};
	for (size_t r = 0; r < sizeof records / sizeof *records; r++) {
		json_t *rec = parse(records[r]), *want = json_array(), *got = json_array();
		size_t i;
		json_t *k;
		json_array_foreach(required, i, k) {
			json_t *v = json_object_get(rec, json_string_value(k));
			bool empty = !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
				     (json_is_array(v) && !json_array_size(v));
			if (empty)
				json_array_append(want, k);
		}
		reg_missing(rec, got);
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
		CHECK(json_equal(got, want), "record %zu: missing %s, want %s", r, g, w);
		free(g);
		free(w);
		json_decref(rec);
		json_decref(want);
		json_decref(got);
	}

	/* reg_missing appends. */
	json_t *arr = parse("[\"x\"]"), *rec = parse("{\"name\": \"N\", \"description_short\": \"D\", "
						    "\"organization\": \"O\", \"status\": \"In gebruik\", "
						    "\"contact_email\": \"a@b.nl\", \"lang\": \"nld\"}");
	reg_missing(rec, arr);
	json_t *want = parse("[\"x\", \"publication_category\"]");
	assert_true(json_equal(arr, want));
	json_decref(arr);
	json_decref(rec);
	json_decref(want);
	json_decref(required);
	json_decref(doc);
}

/* ---- completeness ---- */

static void test_completeness(void **state)
{
	size_t n;
	const struct reg_field *f = reg_fields(&n);
	int total = 0;
	(void)state;
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].key, "lars") && strcmp(f[i].key, "publication_dt"))
			total += f[i].show_always ? 8 : 2;
	assert_true(total > 0);

	json_t *empty = json_object();
	assert_int_equal(reg_completeness(empty), 0);
	json_decref(empty);

	json_t *full = full_record();
	assert_int_equal(reg_completeness(full), 100);

	/* Register-set fields do not count. */
	json_t *ids = parse("{\"lars\": \"11136893\", \"publication_dt\": \"2024-01-31\"}");
	assert_int_equal(reg_completeness(ids), 0);
	json_decref(ids);
	json_object_del(full, "lars");
	json_object_del(full, "publication_dt");
	assert_int_equal(reg_completeness(full), 100);

	/* Each field alone: 8 points when always shown, else 2, of the total. */
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].key, "lars") || !strcmp(f[i].key, "publication_dt"))
			continue;
		int w = f[i].show_always ? 8 : 2;
		json_t *one = json_object();
		json_object_set(one, f[i].key, json_object_get(full, f[i].key));
		CHECK(reg_completeness(one) == w * 100 / total, "%s alone: %d, want %d", f[i].key,
		      reg_completeness(one), w * 100 / total);
		json_decref(one);

		/* The full record without it. */
		json_t *all_but = json_deep_copy(full);
		json_object_del(all_but, f[i].key);
		CHECK(reg_completeness(all_but) == (total - w) * 100 / total, "all but %s: %d, want %d", f[i].key,
		      reg_completeness(all_but), (total - w) * 100 / total);
		json_decref(all_but);
	}

	/* Empty values are not filled. */
	json_t *blank = parse("{\"name\": \"\", \"category\": [], \"goal\": null}");
	assert_int_equal(reg_completeness(blank), 0);
	json_decref(blank);

	/* All always-shown fields, then all optional ones: the two weights' shares. */
	json_t *shown = json_object(), *optional = json_object();
	int shown_w = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].key, "lars") || !strcmp(f[i].key, "publication_dt"))
			continue;
		json_object_set(f[i].show_always ? shown : optional, f[i].key, json_object_get(full, f[i].key));
		shown_w += f[i].show_always ? 8 : 0;
	}
	assert_true(json_object_size(shown) > 0 && json_object_size(optional) > 0);
	assert_int_equal(reg_completeness(shown), shown_w * 100 / total);
	assert_int_equal(reg_completeness(optional), (total - shown_w) * 100 / total);
	assert_int_equal(total - shown_w, 2 * (int)json_object_size(optional));
	json_decref(shown);
	json_decref(optional);

	/* name (always shown, 8) + provider (optional, 2). */
	json_t *two = parse("{\"name\": \"N\", \"provider\": \"P\"}");
	assert_true(reg_field("name")->show_always && !reg_field("provider")->show_always);
	assert_int_equal(reg_completeness(two), 10 * 100 / total);
	json_decref(two);
	json_decref(full);
}

/* ---- canonical form ---- */

static void test_canonical(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"{}", "{}"},
		{"{\"tags\": \"t\", \"status\": \"In gebruik\", \"name\": \"N\", \"goal\": \"\", \"category\": [], "
		 "\"lars\": \"11136893\", \"organization\": null, \"lang\": \"nld\", \"unknown\": \"u\"}",
		 "{\"name\":\"N\",\"status\":\"In gebruik\",\"lang\":\"nld\",\"tags\":\"t\",\"lars\":\"11136893\"}"},
		{"{\"publication_dt\": \"2024-01-31\", \"category\": [\"Wonen\", \"Economie\"], \"name\": \"A\\\"<b>\"}",
		 "{\"name\":\"A\\\"\\u003cb\\u003e\",\"category\":[\"Wonen\",\"Economie\"],\"publication_dt\":\"2024-01-31\"}"},
		{"{\"source_data_grouping\": [{\"title\": \"T\", \"link\": \"https://a.nl\"}], \"goal\": \"é\"}",
		 "{\"goal\":\"é\",\"source_data_grouping\":[{\"title\":\"T\",\"link\":\"https://a.nl\"}]}"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *rec = parse(cases[i].in);
		char *got = reg_canonical(rec);
		CHECK(!strcmp(got, cases[i].want), "case %zu: got %s, want %s", i, got, cases[i].want);
		free(got);
		json_decref(rec);
	}

	/* The full record: every field, in the configuration's order, and it parses back equal. */
	json_t *doc, *props = config_properties(&doc), *p;
	json_t *full = full_record(), *shuffled = json_object();
	size_t n;
	const struct reg_field *f = reg_fields(&n);
	for (size_t i = n; i-- > 0;)
		json_object_set(shuffled, f[i].key, json_object_get(full, f[i].key));
	char *text = reg_canonical(shuffled);
	const char *pos = text, *key;
	json_object_foreach(props, key, p) {
		char quoted[80];
		snprintf(quoted, sizeof quoted, "\"%s\":", key);
		const char *at = strstr(text, quoted);
		CHECK(at, "%s missing from %s", key, text);
		CHECK(at >= pos, "%s out of order in %s", key, text);
		pos = at;
	}
	json_t *back = json_loads(text, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, full));
	json_decref(back);
	free(text);
	json_decref(shuffled);
	json_decref(full);
	json_decref(doc);
}

/* reg_cleanup and reg_init can run again (a second configuration load). */
static void test_reinit(void **state)
{
	char err[256];
	size_t n1, n2;
	(void)state;
	reg_fields(&n1);
	reg_cleanup();
	assert_int_equal(reg_init(err, sizeof err), 0);
	reg_fields(&n2);
	assert_int_equal(n1, n2);
	assert_non_null(reg_field("name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_id_real, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_seed_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_generate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_present, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_match_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_spot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_errors_accumulate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_grouping_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_trim_before_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_full_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_completeness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
