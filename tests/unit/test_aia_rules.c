/* Unit tests for aia_rules.c: the shipped pack, its dates and holidays, and broken packs that
 * must be refused with "file:line: cause". */
#include "testutil.h"

#include <jansson.h>

#include "aia_rules.h"
#include "aia_yaml.h"
#include "date.h"
#include "embedded.h"
#include "util.h"

static const char *const timelines[] = {"original", "omnibus"};

static struct aia_rules *load_embedded(void)
{
	struct aia_rules *r = NULL;
	char err[512] = "";
	int rc = aia_rules_load_embedded(&r, err, sizeof err);
	CHECK(rc == 0 && r, "embedded pack refused: %s", err);
	return r;
}

static json_t *parse_embedded(const char *path)
{
	char err[512] = "";
	const struct embedded_file *f = embedded_find(path);
	CHECK(f != NULL, "%s not embedded", path);
	json_t *doc = aia_yaml_parse(path, f->data, f->len, err, sizeof err);
	CHECK(doc != NULL, "%s", err);
	return doc;
}

/* ---- the shipped pack ---- */

static void test_pack_identity(void **state)
{
	(void)state;
	struct aia_rules *r = load_embedded();
	assert_string_equal(aia_rules_id(r), "aireg-ai-act-nl");
	assert_true(strlen(aia_rules_version(r)) > 0);
	assert_string_equal(aia_rules_default_timeline(r), "omnibus");
	assert_int_equal(aia_rules_timeline_count(r), 2);
	assert_string_equal(aia_rules_timeline_name(r, 0), "original");
	assert_string_equal(aia_rules_timeline_name(r, 1), "omnibus");
	assert_null(aia_rules_timeline_name(r, 2));
	assert_non_null(aia_rules_timeline(r, "original"));
	assert_null(aia_rules_timeline(r, "nope"));
	assert_null(aia_rules_timeline(r, "__line"));
	for (size_t i = 0; i < ARRAY_LEN(timelines); i++) {
		const json_t *t = aia_rules_timeline(r, timelines[i]);
		assert_true(json_string_length(json_object_get(t, "source")) > 0);
	}
	/* the omnibus timeline names the amending act as ../shared/AI-ACT.md gives it */
	assert_non_null(strstr(json_string_value(json_object_get(aia_rules_timeline(r, "omnibus"), "source")),
			       "COM(2025) 836"));
	aia_rules_free(r);
}

struct date_case {
	const char *key;
	const char *original;   /* NULL: the timeline has no such date */
	const char *omnibus;
	const char *source_has; /* a part of the omnibus source */
};

/* ../shared/AI-ACT.md, "Timeline". */
static const struct date_case date_cases[] = {
	{"entry_into_force", "2024-08-01", "2024-08-01", "Art. 113"},
	{"prohibitions", "2025-02-02", "2025-02-02", "Art. 113"},
	{"ai_literacy", "2025-02-02", "2025-02-02", "Digital Omnibus"},
	{"prohibition_ncii", NULL, "2026-12-02", "Digital Omnibus"},
	{"gpai", "2025-08-02", "2025-08-02", "Art. 113"},
	{"governance_penalties", "2025-08-02", "2025-08-02", "Art. 113"},
	{"gpai_legacy", "2027-08-02", "2027-08-02", "Art. 111(3)"},
	{"annex3", "2026-08-02", "2027-12-02", "Digital Omnibus"},
	{"transparency", "2026-08-02", "2026-08-02", "Art. 50"},
	{"transparency_marking_legacy", "2026-08-02", "2026-12-02", "Art. 50(2)"},
	{"annex1", "2027-08-02", "2028-08-02", "Digital Omnibus"},
	{"high_risk_legacy_cutoff", "2026-08-02", "2027-12-02", "Art. 111(2)"},
	{"high_risk_legacy_public", "2030-08-02", "2030-08-02", "Art. 111(2)"},
};

static void test_dates(void **state)
{
	(void)state;
	struct aia_rules *r = load_embedded();
	for (size_t i = 0; i < ARRAY_LEN(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		const char *want[2] = {c->original, c->omnibus};
		for (size_t t = 0; t < 2; t++) {
			const char *date = "unset", *source = NULL;
			CHECK(aia_rules_date(r, timelines[t], c->key, &date, &source) == 0, "%s/%s missing", timelines[t],
			      c->key);
			CHECK(source && *source, "%s/%s has no source", timelines[t], c->key);
			if (!want[t])
				CHECK(date == NULL, "%s/%s: want null, got %s", timelines[t], c->key, date);
			else
				CHECK(date && !strcmp(date, want[t]), "%s/%s: want %s, got %s", timelines[t], c->key,
				      want[t], date ? date : "null");
			if (t == 1)
				CHECK(strstr(source, c->source_has), "omnibus/%s source \"%s\" lacks \"%s\"", c->key,
				      source, c->source_has);
		}
		assert_true(aia_rules_date_key(r, c->key));
	}
	const char *d, *s;
	assert_int_equal(aia_rules_date(r, "omnibus", "no_such_key", &d, &s), -1);
	assert_int_equal(aia_rules_date(r, "nope", "annex3", &d, &s), -1);
	assert_int_equal(aia_rules_date(r, "omnibus", "__line", &d, &s), -1);
	assert_false(aia_rules_date_key(r, "no_such_key"));
	assert_false(aia_rules_date_key(r, NULL));
	aia_rules_free(r);
}

/* Independently of the loader: both timelines hold the same keys, every date is real or null,
 * every date has a source. */
static void test_timelines_file(void **state)
{
	(void)state;
	json_t *doc = parse_embedded("rules/timelines.yaml");
	const json_t *tl = json_object_get(doc, "timelines");
	const json_t *a = json_object_get(json_object_get(tl, "original"), "dates");
	const json_t *b = json_object_get(json_object_get(tl, "omnibus"), "dates");
	const char *key;
	json_t *v;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(json_object_size(a), json_object_size(b));
	json_object_foreach((json_t *)a, key, v) {
		if (!strncmp(key, "__", 2))
			continue;
		CHECK(json_object_get(b, key), "omnibus lacks %s", key);
		for (int t = 0; t < 2; t++) {
			const json_t *e = json_object_get(t ? b : a, key);
			const json_t *d = json_object_get(e, "date");
			CHECK(json_is_null(d) || date_valid_day(json_string_value(d)), "%s: bad date", key);
			CHECK(json_string_length(json_object_get(e, "source")) > 0, "%s: no source", key);
		}
	}
	json_decref(doc);
}

/* The issue's test: every obligation's applies_from key exists in both timelines - directly, or
 * through every rule of the derived date it names. */
static void test_obligation_dates_in_both_timelines(void **state)
{
	(void)state;
	json_t *obl = parse_embedded("rules/obligations.yaml");
	json_t *tdoc = parse_embedded("rules/timelines.yaml");
	const json_t *tl = json_object_get(tdoc, "timelines");
	const json_t *derive = json_object_get(obl, "derive");
	size_t i, j, k, n = 0;
	json_t *ob, *d, *rule;
	json_array_foreach(json_object_get(obl, "obligations"), i, ob) {
		const char *id = json_string_value(json_object_get(ob, "id"));
		const char *from = json_string_value(json_object_get(ob, "applies_from"));
		json_t *keys = json_array();
		CHECK(from != NULL, "%s: no applies_from", id);
		CHECK(json_string_length(json_object_get(ob, "title_nl")) > 0, "%s: no title_nl", id);
		CHECK(json_string_length(json_object_get(ob, "title_en")) > 0, "%s: no title_en", id);
		CHECK(json_string_length(json_object_get(ob, "source")) > 0, "%s: no source", id);
		const char *art = json_string_value(json_object_get(ob, "article"));
		CHECK(art && (!strncmp(art, "Art. ", 5) || art[0] == '{'), "%s: article \"%s\"", id, art);
		json_array_foreach(derive, j, d) {
			if (strcmp(json_string_value(json_object_get(d, "fact")), from))
				continue;
			json_array_foreach(json_object_get(d, "rules"), k, rule) {
				if (json_is_string(json_object_get(rule, "value")))
					json_array_append(keys, json_object_get(rule, "value"));
			}
		}
		if (!json_array_size(keys))
			json_array_append_new(keys, json_string(from));
		json_array_foreach(keys, j, d) {
			for (size_t t = 0; t < ARRAY_LEN(timelines); t++)
				CHECK(json_object_get(json_object_get(json_object_get(tl, timelines[t]), "dates"),
						      json_string_value(d)),
				      "obligation %s: date key %s missing in timeline %s", id, json_string_value(d),
				      timelines[t]);
		}
		json_decref(keys);
		n++;
	}
	assert_true(n >= 40);
	json_decref(obl);
	json_decref(tdoc);
}

static void test_facts(void **state)
{
	(void)state;
	struct aia_rules *r = load_embedded();
	static const char *const issue_fields[] = {"type", "roles", "public_authority", "exclusion", "prohibited",
						   "annex1", "annex3", "art6_3", "profiling", "art50",
						   "in_service_since", "significant_change", "impactful"};
	for (size_t i = 0; i < ARRAY_LEN(issue_fields); i++) {
		const struct aia_fact *f = aia_rules_fact(r, issue_fields[i]);
		CHECK(f && f->profile_index >= 0, "profile lacks %s", issue_fields[i]);
	}
	for (size_t i = 0; i < aia_output_nfacts; i++) {
		const struct aia_fact *f = aia_rules_fact(r, aia_output_facts[i].name);
		CHECK(f && f->profile_index < 0 && f->kind == aia_output_facts[i].kind, "output %s",
		      aia_output_facts[i].name);
	}
	const struct aia_fact *tl = aia_rules_fact(r, AIA_TIMELINE_FACT);
	assert_non_null(tl);
	assert_int_equal(json_array_size(tl->vocab), 2);
	const struct aia_fact *annex3 = aia_rules_fact(r, "annex3");
	assert_int_equal(annex3->kind, AIA_KIND_ENUM);
	assert_int_equal(json_array_size(annex3->vocab), 25);
	const json_t *e = aia_rules_value_entry(annex3, "5(a)");
	assert_string_equal(json_string_value(json_object_get(e, "article")), "Annex III, point 5(a)");
	assert_null(aia_rules_value_entry(annex3, "9(z)"));
	assert_int_equal(aia_rules_fact(r, "roles")->kind, AIA_KIND_LIST);
	assert_null(aia_rules_fact(r, "nope"));
	assert_null(aia_rules_fact_at(r, aia_rules_fact_count(r)));
	assert_true(aia_rules_profile_count(r) < aia_rules_fact_count(r));
	assert_non_null(aia_rules_section(r, "obligations"));
	assert_null(aia_rules_section(r, "nope"));
	aia_rules_free(r);
}

/* ---- holidays ---- */

struct holiday_case {
	const char *date;
	const char *name;  /* NULL: not a holiday */
};

static const struct holiday_case holiday_cases[] = {
	{"2025-01-01", "Nieuwjaarsdag"},
	{"2025-04-18", "Goede Vrijdag"},
	{"2025-04-20", NULL},                /* Easter Sunday: a Sunday anyway */
	{"2025-04-21", "Tweede Paasdag"},
	{"2025-04-26", "Koningsdag"},        /* 27 April 2025 is a Sunday */
	{"2025-04-27", NULL},
	{"2025-05-05", "Bevrijdingsdag"},
	{"2025-05-29", "Hemelvaartsdag"},
	{"2025-05-30", NULL},                /* bridge day: only an Atw art. 3(3) decree equates it */
	{"2025-06-09", "Tweede Pinksterdag"},
	{"2025-12-25", "Eerste Kerstdag"},
	{"2025-12-26", "Tweede Kerstdag"},
	{"2026-04-03", "Goede Vrijdag"},
	{"2026-04-06", "Tweede Paasdag"},
	{"2026-04-27", "Koningsdag"},
	{"2026-05-05", "Bevrijdingsdag"},    /* not a lustrum year: still a holiday (Atw art. 3(1)) */
	{"2026-05-14", "Hemelvaartsdag"},
	{"2026-05-25", "Tweede Pinksterdag"},
	{"2027-03-26", "Goede Vrijdag"},
	{"2027-05-05", "Bevrijdingsdag"},
	{"2027-05-06", "Hemelvaartsdag"},
	{"2030-05-05", "Bevrijdingsdag"},
	{"2031-04-26", "Koningsdag"},        /* 27 April 2031 is a Sunday */
	{"2031-04-27", NULL},
	{"2035-03-23", "Goede Vrijdag"},     /* Easter 2035: 25 March */
	{"2035-12-26", "Tweede Kerstdag"},
	{"2026-01-02", NULL},
	{"2024-12-25", NULL},                /* outside the range */
	{"2036-01-01", NULL},
	{"not a date", NULL},
};

static void test_holidays(void **state)
{
	(void)state;
	struct aia_rules *r = load_embedded();
	int first, last;
	aia_rules_holiday_years(r, &first, &last);
	assert_int_equal(first, 2025);
	assert_int_equal(last, 2035);
	for (size_t i = 0; i < ARRAY_LEN(holiday_cases); i++) {
		const char *name = NULL;
		bool got = aia_rules_holiday(r, holiday_cases[i].date, &name);
		CHECK(got == (holiday_cases[i].name != NULL), "%s: holiday %d, want %d", holiday_cases[i].date, got,
		      holiday_cases[i].name != NULL);
		if (got)
			CHECK(!strcmp(name, holiday_cases[i].name), "%s: %s, want %s", holiday_cases[i].date, name,
			      holiday_cases[i].name);
	}
	assert_false(aia_rules_holiday(r, NULL, NULL));
	assert_true(aia_rules_holiday(r, "2025-01-01", NULL));

	/* Nine days a year, every one with a source, Koningsdag never on a Sunday. */
	json_t *doc = parse_embedded("rules/holidays.yaml");
	size_t i;
	json_t *h;
	int per_year[11] = {0};
	json_array_foreach(json_object_get(doc, "holidays"), i, h) {
		const char *date = json_string_value(json_object_get(h, "date"));
		long long y;
		char ybuf[5] = {date[0], date[1], date[2], date[3], 0};
		assert_int_equal(util_parse_int(ybuf, 2025, 2035, &y), 0);
		per_year[y - 2025]++;
		CHECK(json_string_length(json_object_get(h, "source")) > 0, "%s: no source", date);
		if (!strcmp(json_string_value(json_object_get(h, "name_nl")), "Koningsdag")) {
			/* Zeller-free check: 26 April only when 27 April is a Sunday, known for the range */
			bool sunday27 = y == 2025 || y == 2031;
			CHECK(!strcmp(date + 5, sunday27 ? "04-26" : "04-27"), "Koningsdag %s", date);
		}
	}
	for (int y = 0; y < 11; y++)
		CHECK(per_year[y] == 9, "%d has %d holidays", 2025 + y, per_year[y]);
	json_decref(doc);
	aia_rules_free(r);
}

/* ---- broken packs ---- */

struct override {
	const char *path;
	const char *text;
};

static const char *read_override(void *ctx, const char *path, size_t *len)
{
	const struct override *o = ctx;
	if (o && o->path && !strcmp(path, o->path)) {
		if (!o->text)
			return NULL;
		*len = strlen(o->text);
		return o->text;
	}
	const struct embedded_file *f = embedded_find(path);
	if (!f)
		return NULL;
	*len = f->len;
	return f->data;
}

/* The embedded text of path with the first occurrence of old replaced. */
static char *edit(const char *path, const char *old, const char *new_text)
{
	const struct embedded_file *f = embedded_find(path);
	const char *at = strstr(f->data, old);
	CHECK(at != NULL, "\"%s\" not found in %s", old, path);
	size_t pre = (size_t)(at - f->data), olen = strlen(old), nlen = strlen(new_text);
	char *out = xmalloc(f->len - olen + nlen + 1);
	memcpy(out, f->data, pre);
	memcpy(out + pre, new_text, nlen);
	memcpy(out + pre + nlen, at + olen, f->len - pre - olen + 1);
	return out;
}

/* 1-based line of the first occurrence of needle in text. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	int line = 1;
	CHECK(at != NULL, "\"%s\" not found", needle);
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

struct broken_case {
	const char *name;
	const char *path;       /* file to break */
	const char *old;        /* text to replace (NULL: the whole file is new_text; missing file if both NULL) */
	const char *new_text;
	const char *line_at;    /* the error's line is the line of this text in the broken file (NULL: 1) */
	const char *cause;      /* expected text after "file:line: " */
};

static const struct broken_case broken_cases[] = {
	{"bad yaml", "rules/obligations.yaml", "profile:\n", "profile: [\n", NULL, NULL},
	{"unknown timeline key", "rules/obligations.yaml", "    applies_from: ai_literacy\n",
	 "    applies_from: no_such_key\n", "id: literacy-provider\n",
	 "applies_from \"no_such_key\" is neither a date key of the timelines nor a derived date"},
	{"missing title", "rules/obligations.yaml",
	 "    title_nl: \"Technische documentatie opstellen en actueel houden (bijlage IV)\"\n", "",
	 "id: hr-technical-documentation\n", "missing title_nl"},
	{"bad date", "rules/timelines.yaml", "        date: 2027-12-02\n", "        date: 2027-02-30\n",
	 "date: 2027-02-30", "date of annex3 is not a valid YYYY-MM-DD date"},
	{"date not a date", "rules/timelines.yaml", "        date: 2028-08-02\n", "        date: 2 Aug 2028\n",
	 "date: 2 Aug 2028", "date of annex1 is not a valid YYYY-MM-DD date"},
	{"timeline lacks a key", "rules/timelines.yaml",
	 "      gpai_legacy:\n        date: 2027-08-02\n        source: \"Art. 111(3) (not amended)\"\n", "",
	 "      entry_into_force:\n        date: 2024-08-01\n        source: \"Art. 113, first paragraph (not",
	 "timeline \"omnibus\" lacks date key \"gpai_legacy\" (defined in \"original\")"},
	{"date without source", "rules/timelines.yaml",
	 "        source: \"Art. 111(3): general-purpose AI models placed on the market before 2 August 2025\"\n", "",
	 "date: 2027-08-02", "missing source"},
	{"unknown fact", "rules/obligations.yaml", "when: {risk_group: hoog-risico AI, annex3: [\"4(a)\", \"4(b)\"]}",
	 "when: {risk_group: hoog-risico AI, annex_3: [\"4(a)\", \"4(b)\"]}", "annex_3:",
	 "unknown fact \"annex_3\""},
	{"unknown value", "rules/obligations.yaml", "annex3: \"1(a)\", law_enforcement: true}",
	 "annex3: \"9(z)\", law_enforcement: true}", "annex3: \"9(z)\"",
	 "unknown value \"9(z)\" for annex3"},
	{"unquoted number", "rules/obligations.yaml", "when: {annex3: \"2\"}", "when: {annex3: 2}",
	 "when: {annex3: 2}", "value for annex3 must be a text, list, yes/no, null or {before: KEY} (quote numbers)"},
	{"unknown role", "rules/obligations.yaml", "    role: importeur\n    when: {risk_group: hoog-risico AI}",
	 "    role: importer\n    when: {risk_group: hoog-risico AI}", "id: hr-importer\n", "unknown role \"importer\""},
	{"unknown key", "rules/obligations.yaml", "    title_en: \"Affix the CE marking\"\n",
	 "    titel_en: \"Affix the CE marking\"\n", "id: hr-ce-marking\n",
	 "unknown key \"titel_en\" in an obligation"},
	{"derived later", "rules/obligations.yaml",
	 "when: {type: [impactvol algoritme, niet-impactvol algoritme, geen algoritme]}\n        articles: [\"Art. 2(1)\"",
	 "when: {fria_required: false}\n        articles: [\"Art. 2(1)\"", "when: {fria_required: false}",
	 "unknown fact \"fria_required\" (derived later: a condition can only test facts derived before it)"},
	{"missing output", "rules/obligations.yaml", "  - fact: fria_required\n", "  - fact: fria_needed\n",
	 "profile:\n  - field: type",
	 "derive must define fria_required (kind bool)"},
	{"no catch-all", "rules/obligations.yaml",
	 "      - value: Overige algoritmes\n        when: {}", "      - value: Overige algoritmes\n        when: {impactful: false}",
	 "value: Overige algoritmes", "the last rule of publication_category must hold always (when: {})"},
	{"bad before", "rules/obligations.yaml", "{before: high_risk_legacy_cutoff}, significant_change: false, public",
	 "{before: cutoff}, significant_change: false, public", "{before: cutoff}",
	 "unknown date key \"cutoff\" (not in the timelines)"},
	{"duplicate id", "rules/obligations.yaml", "  - id: hr-accuracy\n", "  - id: hr-record-keeping\n",
	 "id: hr-record-keeping\n    article: \"Art. 15\"", "obligation id hr-record-keeping is used twice"},
	{"bad placeholder", "rules/obligations.yaml", "article: \"{prohibited}\"\n    role: aanbieder",
	 "article: \"{profiling}\"\n    role: aanbieder", "id: prohibited-provider\n",
	 "article \"{profiling}\": {profiling} is not an enum field of the profile"},
	{"unknown default timeline", "rules/pack.yaml", "default_timeline: omnibus", "default_timeline: latest", "id:",
	 "default_timeline \"latest\" is not a timeline of rules/timelines.yaml"},
	{"pack without version", "rules/pack.yaml", "version: \"2026.08.1\"\n", "", "id:", "missing version"},
	{"version not a text", "rules/pack.yaml", "version: \"2026.08.1\"\n", "version: 3\n", "id:",
	 "version must be a non-empty text (quote numbers and dates)"},
	{"missing file", "rules/holidays.yaml", NULL, NULL, NULL, "file not found"},
	{"holidays out of order", "rules/holidays.yaml", "{date: 2025-04-18,", "{date: 2025-04-22,",
	 "{date: 2025-04-21,", "2025-04-21 is not after the previous holiday 2025-04-22 (keep them ascending, once each)"},
	{"holiday outside range", "rules/holidays.yaml", "{date: 2035-12-26,", "{date: 2036-01-02,",
	 "{date: 2036-01-02,", "2036-01-02 lies outside 2025-2035"},
	{"holiday bad date", "rules/holidays.yaml", "{date: 2026-01-01,", "{date: 2026-02-29,", "{date: 2026-02-29,",
	 "\"2026-02-29\" is not a valid YYYY-MM-DD date"},
	{"duplicate key", "rules/timelines.yaml", "      annex1:\n        date: 2027-08-02\n",
	 "      annex1:\n        date: 2027-08-02\n        date: 2027-08-03\n", "        date: 2027-08-03",
	 "duplicate key \"date\""},
	{"empty document", "rules/obligations.yaml", NULL, "", NULL, "the document is empty"},
};

static void test_broken_packs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(broken_cases); i++) {
		const struct broken_case *c = &broken_cases[i];
		char *text = NULL;
		if (c->old)
			text = edit(c->path, c->old, c->new_text);
		else if (c->new_text)
			text = xstrdup(c->new_text);
		struct override o = {c->path, text};
		struct aia_rules *r = (struct aia_rules *)1;
		char err[512] = "", want[600];
		int rc = aia_rules_load(&r, read_override, &o, err, sizeof err);
		CHECK(rc == -1 && r == NULL, "%s: broken pack accepted", c->name);
		int line = c->line_at ? line_of(text, c->line_at) : 1;
		snprintf(want, sizeof want, "%s:%d: ", c->path, line);
		if (c->cause) {
			size_t n = strlen(want);
			snprintf(want + n, sizeof want - n, "%s", c->cause);
			CHECK(!strcmp(err, want), "%s:\n got  %s\n want %s", c->name, err, want);
		} else {
			/* a syntax error: the parser's line, whatever its words */
			CHECK(!strncmp(err, c->path, strlen(c->path)) && err[strlen(c->path)] == ':', "%s: %s", c->name,
			      err);
		}
		free(text);
	}
}

/* A reader that knows nothing: the manifest itself is missing. */
static void test_no_pack(void **state)
{
	(void)state;
	struct override o = {AIA_RULES_PACK_PATH, NULL};
	struct aia_rules *r = NULL;
	char err[256];
	assert_int_equal(aia_rules_load(&r, read_override, &o, err, sizeof err), -1);
	assert_string_equal(err, "rules/pack.yaml:1: file not found");
	aia_rules_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_identity),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_timelines_file),
		cmocka_unit_test(test_obligation_dates_in_both_timelines),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_broken_packs),
		cmocka_unit_test(test_no_pack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
