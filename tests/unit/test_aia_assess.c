/* Unit tests for aia_assess.c (and the assess command of cli_assess.c): real municipal cases
 * under both timelines, rejected profiles, the output contract. */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

#include "aia_assess.h"
#include "aia_rules.h"
#include "buf.h"
#include "cli.h"
#include "date.h"
#include "jsonw.h"
#include "util.h"

static struct aia_rules *rules;
static const char *const timelines[] = {"original", "omnibus"};

/* High-risk regime dates of ../shared/AI-ACT.md, as "original|omnibus". */
#define ANNEX3 "2026-08-02|2027-12-02"
#define ANNEX1 "2027-08-02|2028-08-02"
#define LEGACY "2030-08-02|2030-08-02"
#define ART50 "2026-08-02|2026-08-02"
#define ART5 "2025-02-02|2025-02-02"
#define ART4 "2025-02-02|2025-02-02"
#define DEPL "gebruiksverantwoordelijke"
#define PROV "aanbieder"

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (aia_rules_load_embedded(&rules, err, sizeof err)) {
		fprintf(stderr, "rule pack: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	aia_rules_free(rules);
	return 0;
}

/* Assesses profile (JSON text) and returns the parsed output, or NULL with *rc and e set. */
static json_t *run(const char *timeline, const char *profile, int *rc, struct aia_error *e)
{
	json_error_t je;
	json_t *p = json_loads(profile, JSON_REJECT_DUPLICATES, &je);
	CHECK(p != NULL, "test profile is not JSON: %s: %s", je.text, profile);
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	memset(e, 0, sizeof *e);
	*rc = aia_assess_write(rules, timeline, p, &w, e);
	json_t *out = NULL;
	if (!*rc) {
		out = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
		CHECK(out != NULL, "assessment is not valid JSON: %s", je.text);
	}
	json_decref(p);
	buf_cleanup(&b);
	return out;
}

/* Splits "a|b|c|d" into at most n parts in buf (no strtok: banned). */
static size_t split(const char *s, char *buf, size_t buflen, const char **parts, size_t n)
{
	size_t k = 0;
	snprintf(buf, buflen, "%s", s);
	for (char *p = buf; k < n;) {
		parts[k++] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			break;
		*bar = 0;
		p = bar + 1;
	}
	return k;
}

static const json_t *find_duty(const json_t *arr, const char *role, const char *article)
{
	size_t i;
	json_t *d;
	json_array_foreach(arr, i, d) {
		if (!strcmp(json_string_value(json_object_get(d, "role")), role) &&
		    !strcmp(json_string_value(json_object_get(d, "article")), article))
			return d;
	}
	return NULL;
}

static const json_t *find_trace(const json_t *out, const char *conclusion)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(out, "trace"), i, t) {
		if (!strcmp(json_string_value(json_object_get(t, "conclusion")), conclusion))
			return t;
	}
	return NULL;
}

static bool arr_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

/* What every assessment must satisfy, whatever the case. */
static void check_contract(const char *name, const char *timeline, const json_t *out)
{
	static const char *const keys[] = {"rules", "risk_group", "publication_category", "transparency",
					   "fria_required", "eu_registration", "high_risk_applies_from",
					   "obligations", "profile", "trace"};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		CHECK(json_object_get(out, keys[i]), "%s/%s: no %s", name, timeline, keys[i]);
	const json_t *r = json_object_get(out, "rules");
	CHECK(!strcmp(json_string_value(json_object_get(r, "timeline")), timeline), "%s: timeline not named", name);
	CHECK(!strcmp(json_string_value(json_object_get(r, "version")), aia_rules_version(rules)), "%s: version",
	      name);
	CHECK(!strcmp(json_string_value(json_object_get(r, "pack")), aia_rules_id(rules)), "%s: pack", name);
	const json_t *roles = json_object_get(json_object_get(out, "profile"), "roles");
	static const char *const lists[] = {"obligations", "transparency"};
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(out, lists[l]), i, d) {
			const char *art = json_string_value(json_object_get(d, "article"));
			const char *from = json_string_value(json_object_get(d, "applies_from"));
			CHECK(art && !strncmp(art, "Art. ", 5), "%s/%s: article %s", name, timeline, art);
			CHECK(date_valid_day(from), "%s/%s: %s applies_from %s", name, timeline, art, from);
			CHECK(json_string_length(json_object_get(d, "title_nl")) > 0, "%s: %s title_nl", name, art);
			CHECK(json_string_length(json_object_get(d, "title_en")) > 0, "%s: %s title_en", name, art);
			CHECK(json_string_length(json_object_get(d, "applies_from_source")) > 0, "%s: %s date source",
			      name, art);
			/* the role shift adds a role, so compare against the profile's roles or the trace */
			const char *role = json_string_value(json_object_get(d, "role"));
			if (l == 0)
				CHECK(arr_has(roles, role) || find_trace(out, "roles"), "%s: %s for role %s not held", name,
				      art, role);
		}
	}
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(out, "trace"), i, t) {
		CHECK(json_is_array(json_object_get(t, "fields")), "%s: trace %zu fields", name, i);
		CHECK(json_is_array(json_object_get(t, "articles")), "%s: trace %zu articles", name, i);
	}
	for (size_t k = 0; k < aia_output_nfacts; k++)
		CHECK(find_trace(out, aia_output_facts[k].name), "%s: no trace for %s", name, aia_output_facts[k].name);
}

#define MAXD 24

struct acase {
	const char *name;
	const char *profile;
	const char *risk_group;
	const char *category;
	bool fria;
	const char *registration;
	const char *high_risk;            /* "original|omnibus", NULL: null under both */
	const char *must[MAXD];           /* "role|article[|original|omnibus]" in obligations */
	const char *must_not[MAXD];       /* "role|article" not in obligations */
	const char *transparency[4];      /* "role|article|original|omnibus": the complete list */
	int nobligations;                 /* exact, or -1 */
	const char *trace[4];             /* "conclusion|field|article" */
};

static const struct acase cases[] = {
	{"benefits eligibility (Annex III 5(a))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"public_authority\": true,"
	 " \"exclusion\": null, \"prohibited\": null, \"annex1\": false, \"annex3\": \"5(a)\", \"art6_3\": null,"
	 " \"profiling\": false, \"art50\": [], \"in_service_since\": null, \"significant_change\": false,"
	 " \"impactful\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 26(1)|" ANNEX3, DEPL "|Art. 26(2)", DEPL "|Art. 26(5)", DEPL "|Art. 26(6)",
	  DEPL "|Art. 26(8)|" ANNEX3, DEPL "|Art. 26(11)", DEPL "|Art. 27|" ANNEX3, DEPL "|Art. 49(3)|" ANNEX3,
	  DEPL "|Art. 86", DEPL "|Art. 4|" ART4},
	 {PROV "|Art. 9", PROV "|Art. 49(1)", DEPL "|Art. 26(7)", DEPL "|Art. 49(5)", DEPL "|Art. 49(4)"},
	 {NULL}, 13,
	 {"risk_group|annex3|Art. 6(2)", "fria_required|public_authority|Art. 27(1)",
	  "eu_registration|roles|Art. 49(3)", "publication_category|annex3|Art. 6"}},

	{"fraud risk scoring with profiling",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\","
	 " \"art6_3\": \"d\", \"profiling\": true, \"impactful\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 27|" ANNEX3, DEPL "|Art. 86", DEPL "|Art. 49(3)"},
	 {PROV "|Art. 6(4)", PROV "|Art. 49(2)"},
	 {NULL}, 13,
	 {"risk_group|profiling|Art. 6(3), third subparagraph", "risk_group|art6_3|Annex III"}},

	{"CV screening (Annex III 4(a))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"4(a)\","
	 " \"impactful\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 26(7)|" ANNEX3, DEPL "|Art. 27", DEPL "|Art. 49(3)", DEPL "|Art. 86"},
	 {PROV "|Art. 9"},
	 {NULL}, 14,
	 {"risk_group|annex3|Annex III"}},

	{"traffic management (Annex III 2)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"2\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", false, "national", ANNEX3,
	 {DEPL "|Art. 49(5)|" ANNEX3, DEPL "|Art. 26(1)", DEPL "|Art. 26(5)"},
	 {DEPL "|Art. 27", DEPL "|Art. 26(8)", DEPL "|Art. 49(3)", DEPL "|Art. 49(4)", DEPL "|Art. 86",
	  DEPL "|Art. 26(11)"},
	 {NULL}, 9,
	 {"fria_required|annex3|Art. 27(1)", "eu_registration|annex3|Art. 49(5)"}},

	{"emergency triage (Annex III 5(d))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"5(d)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 27|" ANNEX3, DEPL "|Art. 49(3)"},
	 {DEPL "|Art. 26(7)"},
	 {NULL}, 13, {NULL}},

	{"school assignment (Annex III 3(a))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"3(a)\","
	 " \"impactful\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 27|" ANNEX3, DEPL "|Art. 26(11)", DEPL "|Art. 86"},
	 {DEPL "|Art. 26(7)"},
	 {NULL}, 13, {NULL}},

	{"in-house chatbot (Art. 50(1))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", \"gebruiksverantwoordelijke\"],"
	 " \"art50\": [\"50(1)\"]}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {PROV "|Art. 50(1)|" ART50, PROV "|Art. 4|" ART4, DEPL "|Art. 4|" ART4},
	 {PROV "|Art. 9", DEPL "|Art. 26(1)"},
	 {PROV "|Art. 50(1)|" ART50}, 3,
	 {"risk_group|annex3|Art. 6"}},

	{"deep fake in a campaign (Art. 50(4))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"art50\": [\"50(4)-deepfake\"]}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {DEPL "|Art. 50(4)|" ART50, DEPL "|Art. 4|" ART4},
	 {PROV "|Art. 50(2)"},
	 {DEPL "|Art. 50(4)|" ART50}, 2, {NULL}},

	{"workplace emotion recognition (Art. 5(1)(f))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"prohibited\": \"5(1)(f)\","
	 " \"annex3\": \"1(c)\", \"art50\": [\"50(3)\"]}",
	 "verboden AI", "Impactvolle algoritmes", false, "none", NULL,
	 {DEPL "|Art. 5(1)(f)|" ART5},
	 {DEPL "|Art. 26(1)", DEPL "|Art. 4", DEPL "|Art. 50(3)", DEPL "|Art. 27"},
	 {NULL}, 1,
	 {"risk_group|prohibited|Art. 5(1)"}},

	{"Art. 6(3) derogation without profiling",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", \"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\","
	 " \"art6_3\": \"a\"}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "eu-public", NULL,
	 {PROV "|Art. 6(4)|" ANNEX3, PROV "|Art. 49(2)|" ANNEX3, PROV "|Art. 4", DEPL "|Art. 4"},
	 {PROV "|Art. 9", PROV "|Art. 49(1)", DEPL "|Art. 26(1)", DEPL "|Art. 27", DEPL "|Art. 49(3)"},
	 {NULL}, 4,
	 {"risk_group|art6_3|Art. 6(3)", "eu_registration|art6_3|Art. 49(2)"}},

	{"Art. 6(3) derogation with profiling",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", \"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\","
	 " \"art6_3\": \"a\", \"profiling\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {PROV "|Art. 9|" ANNEX3, PROV "|Art. 49(1)", PROV "|Art. 43", DEPL "|Art. 27", DEPL "|Art. 49(3)"},
	 {PROV "|Art. 6(4)", PROV "|Art. 49(2)"},
	 {NULL}, 33,
	 {"risk_group|profiling|Art. 6(3), third subparagraph"}},

	{"rule-based fine calculation (no AI Act, category B)",
	 "{\"type\": \"impactvol algoritme\", \"roles\": [], \"public_authority\": true, \"exclusion\": null,"
	 " \"prohibited\": null, \"annex1\": false, \"annex3\": null, \"art6_3\": null, \"profiling\": false,"
	 " \"art50\": [], \"in_service_since\": \"2019-01-01\", \"significant_change\": false, \"impactful\": true}",
	 "niet van toepassing", "Impactvolle algoritmes", false, "none", NULL,
	 {NULL}, {DEPL "|Art. 4"}, {NULL}, 0,
	 {"risk_group|type|Art. 3(1)", "publication_category|impactful|Handreiking Algoritmeregister, category B"}},

	{"rule-based, not impactful (category C)",
	 "{\"type\": \"niet-impactvol algoritme\"}",
	 "niet van toepassing", "Overige algoritmes", false, "none", NULL,
	 {NULL}, {NULL}, {NULL}, 0, {NULL}},

	{"national security exclusion (Art. 2(3))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"exclusion\": \"2(3)\","
	 " \"annex3\": \"6(a)\", \"art50\": [\"50(1)\"]}",
	 "uitzondering van toepassing", "Overige algoritmes", false, "none", NULL,
	 {NULL}, {DEPL "|Art. 26(1)", DEPL "|Art. 4"}, {NULL}, 0,
	 {"risk_group|exclusion|Art. 2"}},

	{"public-authority system in service since 2023 (Art. 111(2))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\","
	 " \"in_service_since\": \"2023-03-01\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", LEGACY,
	 {DEPL "|Art. 26(1)|" LEGACY, DEPL "|Art. 27|" LEGACY, DEPL "|Art. 49(3)|" LEGACY, DEPL "|Art. 4|" ART4},
	 {NULL}, {NULL}, 13,
	 {"high_risk_applies_from|in_service_since|Art. 111(2)",
	  "high_risk_applies_from|significant_change|Art. 111(2)"}},

	{"in service since 2023 with a significant change",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\","
	 " \"in_service_since\": \"2023-03-01\", \"significant_change\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 26(1)|" ANNEX3}, {NULL}, {NULL}, 13,
	 {"high_risk_applies_from|significant_change|Art. 113"}},

	{"private deployer, in service since 2023 (not covered until changed)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"public_authority\": false,"
	 " \"annex3\": \"4(a)\", \"in_service_since\": \"2023-03-01\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", false, "none", NULL,
	 {DEPL "|Art. 4|" ART4}, {DEPL "|Art. 26(1)", DEPL "|Art. 26(7)"}, {NULL}, 1,
	 {"high_risk_applies_from|public_authority|Art. 111(2)"}},

	{"in-house high-risk system (provider and deployer)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", \"gebruiksverantwoordelijke\"], \"annex3\": \"4(b)\","
	 " \"impactful\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {PROV "|Art. 9|" ANNEX3, PROV "|Art. 10", PROV "|Art. 11", PROV "|Art. 12", PROV "|Art. 13",
	  PROV "|Art. 14", PROV "|Art. 15", PROV "|Art. 17", PROV "|Art. 43", PROV "|Art. 47", PROV "|Art. 48",
	  PROV "|Art. 49(1)|" ANNEX3, PROV "|Art. 72", PROV "|Art. 73", PROV "|Art. 4|" ART4,
	  DEPL "|Art. 26(1)|" ANNEX3, DEPL "|Art. 26(2)", DEPL "|Art. 26(7)", DEPL "|Art. 27", DEPL "|Art. 49(3)",
	  DEPL "|Art. 86", DEPL "|Art. 4|" ART4},
	 {NULL}, {NULL}, 34, {NULL}},

	{"post-remote biometric identification for law enforcement (Art. 49(4))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"1(a)\","
	 " \"law_enforcement\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-secure", ANNEX3,
	 {DEPL "|Art. 49(4)|" ANNEX3, DEPL "|Art. 26(10)", DEPL "|Art. 26(8)"},
	 {DEPL "|Art. 49(3)", DEPL "|Art. 49(5)"},
	 {NULL}, 14,
	 {"eu_registration|law_enforcement|Art. 49(4)"}},

	{"biometric identification outside law enforcement",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"1(a)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {DEPL "|Art. 49(3)"}, {DEPL "|Art. 49(4)", DEPL "|Art. 26(10)"}, {NULL}, 13, {NULL}},

	{"deployer that modifies a high-risk system (Art. 25(1)(b))",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"4(a)\","
	 " \"art25\": \"b\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "eu-public", ANNEX3,
	 {PROV "|Art. 9|" ANNEX3, PROV "|Art. 49(1)", PROV "|Art. 43", DEPL "|Art. 26(1)", DEPL "|Art. 27"},
	 {NULL}, {NULL}, 34,
	 {"roles|art25|Art. 25(1)"}},

	{"Annex I safety component",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex1\": true}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", false, "none", ANNEX1,
	 {PROV "|Art. 43|" ANNEX1, PROV "|Art. 9|" ANNEX1},
	 {PROV "|Art. 49(1)", PROV "|Art. 49(5)"},
	 {NULL}, 19,
	 {"risk_group|annex1|Art. 6(1)", "high_risk_applies_from|annex1|Art. 6(1)"}},

	{"private credit scoring deployer (Annex III 5(b): FRIA, no registration)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"public_authority\": false,"
	 " \"annex3\": \"5(b)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "none", ANNEX3,
	 {DEPL "|Art. 27|" ANNEX3}, {DEPL "|Art. 26(8)", DEPL "|Art. 49(3)"}, {NULL}, 11,
	 {"fria_required|annex3|Art. 27(1)"}},

	{"private deployer of a recruitment system (no FRIA)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"public_authority\": false,"
	 " \"annex3\": \"4(a)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", false, "none", ANNEX3,
	 {DEPL "|Art. 26(7)"}, {DEPL "|Art. 27"}, {NULL}, 11, {NULL}},

	{"private entity providing a public service (FRIA)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"public_authority\": false,"
	 " \"public_service\": true, \"annex3\": \"5(d)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", true, "none", ANNEX3,
	 {DEPL "|Art. 27"}, {DEPL "|Art. 49(3)"}, {NULL}, 11, {"fria_required|public_service|Art. 27(1)"}},

	{"general-purpose AI model with systemic risk, on the market before 2 Aug 2025",
	 "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"aanbieder\"], \"systemic_risk\": true,"
	 " \"in_service_since\": \"2025-01-01\"}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {PROV "|Art. 53(1)(a)|2027-08-02|2027-08-02", PROV "|Art. 53(1)(c)", PROV "|Art. 52(1)",
	  PROV "|Art. 55(1)(a)|2027-08-02|2027-08-02", PROV "|Art. 55(1)(d)"},
	 {PROV "|Art. 4", PROV "|Art. 9"}, {NULL}, 9, {NULL}},

	{"open-source general-purpose AI model (Art. 53(2))",
	 "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"aanbieder\"], \"open_source\": true,"
	 " \"in_service_since\": \"2026-01-01\"}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {PROV "|Art. 53(1)(c)|2025-08-02|2025-08-02", PROV "|Art. 53(1)(d)"},
	 {PROV "|Art. 53(1)(a)", PROV "|Art. 53(1)(b)", PROV "|Art. 55(1)(a)"}, {NULL}, 2, {NULL}},

	{"deployer of a general-purpose AI model (no duties)",
	 "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"gebruiksverantwoordelijke\"]}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {NULL}, {NULL}, {NULL}, 0, {NULL}},

	{"generative system already on the market (Art. 50(2))",
	 "{\"type\": \"AI-systeem voor algemene doeleinden\", \"roles\": [\"aanbieder\"], \"art50\": [\"50(2)\"],"
	 " \"in_service_since\": \"2025-05-01\"}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {PROV "|Art. 50(2)|2026-08-02|2026-12-02"}, {NULL},
	 {PROV "|Art. 50(2)|2026-08-02|2026-12-02"}, 2, {NULL}},

	{"vendor chatbot used by a municipality (50(1) is the provider's duty)",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"art50\": [\"50(1)\", \"50(4)-text\"]}",
	 "geen hoog-risico AI", "Overige algoritmes", false, "none", NULL,
	 {DEPL "|Art. 50(4)|" ART50}, {PROV "|Art. 50(1)"},
	 {PROV "|Art. 50(1)|" ART50, DEPL "|Art. 50(4)|" ART50}, 2, {NULL}},

	{"importer and distributor of a high-risk system",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"importeur\", \"distributeur\"], \"public_authority\": false,"
	 " \"annex3\": \"8(a)\"}",
	 "hoog-risico AI", "Hoog-risico AI-systeem", false, "none", ANNEX3,
	 {"importeur|Art. 23|" ANNEX3, "distributeur|Art. 24|" ANNEX3}, {NULL}, {NULL}, 2, {NULL}},
};

static void check_case(const struct acase *c, size_t t)
{
	const char *tl = timelines[t];
	char buf[256];
	const char *p[4];
	struct aia_error e;
	int rc;
	json_t *out = run(tl, c->profile, &rc, &e);
	CHECK(rc == 0, "%s/%s: rejected: %s: %s", c->name, tl, e.field, e.reason);
	check_contract(c->name, tl, out);
	const char *rg = json_string_value(json_object_get(out, "risk_group"));
	const char *cat = json_string_value(json_object_get(out, "publication_category"));
	const char *reg = json_string_value(json_object_get(out, "eu_registration"));
	const json_t *hr = json_object_get(out, "high_risk_applies_from");
	CHECK(!strcmp(rg, c->risk_group), "%s/%s: risk_group %s, want %s", c->name, tl, rg, c->risk_group);
	CHECK(!strcmp(cat, c->category), "%s/%s: category %s, want %s", c->name, tl, cat, c->category);
	CHECK(json_is_true(json_object_get(out, "fria_required")) == c->fria, "%s/%s: fria_required", c->name, tl);
	CHECK(!strcmp(reg, c->registration), "%s/%s: registration %s, want %s", c->name, tl, reg, c->registration);
	const char *want_hr = NULL;
	char hrbuf[64];
	if (c->high_risk) {
		split(c->high_risk, hrbuf, sizeof hrbuf, p, 2);
		want_hr = p[t];
	}
	if (!want_hr)
		CHECK(json_is_null(hr), "%s/%s: high_risk_applies_from %s, want null", c->name, tl,
		      json_string_value(hr));
	else
		CHECK(json_is_string(hr) && !strcmp(json_string_value(hr), want_hr),
		      "%s/%s: high_risk_applies_from %s, want %s", c->name, tl, json_string_value(hr), want_hr);

	const json_t *obl = json_object_get(out, "obligations");
	for (size_t i = 0; i < MAXD && c->must[i]; i++) {
		size_t n = split(c->must[i], buf, sizeof buf, p, 4);
		const json_t *d = find_duty(obl, p[0], p[1]);
		CHECK(d != NULL, "%s/%s: no obligation %s for %s", c->name, tl, p[1], p[0]);
		if (n == 4) {
			const char *from = json_string_value(json_object_get(d, "applies_from"));
			CHECK(from && !strcmp(from, p[2 + t]), "%s/%s: %s applies from %s, want %s", c->name, tl, p[1],
			      from, p[2 + t]);
		}
	}
	for (size_t i = 0; i < MAXD && c->must_not[i]; i++) {
		split(c->must_not[i], buf, sizeof buf, p, 2);
		CHECK(!find_duty(obl, p[0], p[1]), "%s/%s: unexpected obligation %s for %s", c->name, tl, p[1], p[0]);
	}
	/* With one high-risk date, every high-risk obligation applies from it. */
	if (want_hr) {
		size_t i;
		json_t *d;
		json_array_foreach(obl, i, d) {
			const char *id = json_string_value(json_object_get(d, "id"));
			if (!strncmp(id, "hr-", 3))
				CHECK(!strcmp(json_string_value(json_object_get(d, "applies_from")), want_hr),
				      "%s/%s: %s applies from %s, want %s", c->name, tl, id,
				      json_string_value(json_object_get(d, "applies_from")), want_hr);
		}
	}
	if (c->nobligations >= 0)
		CHECK(json_array_size(obl) == (size_t)c->nobligations, "%s/%s: %zu obligations, want %d", c->name, tl,
		      json_array_size(obl), c->nobligations);

	const json_t *tr = json_object_get(out, "transparency");
	size_t ntr = 0;
	for (size_t i = 0; i < 4 && c->transparency[i]; i++, ntr++) {
		split(c->transparency[i], buf, sizeof buf, p, 4);
		const json_t *d = find_duty(tr, p[0], p[1]);
		CHECK(d != NULL, "%s/%s: no transparency duty %s for %s", c->name, tl, p[1], p[0]);
		CHECK(!strcmp(json_string_value(json_object_get(d, "applies_from")), p[2 + t]),
		      "%s/%s: transparency %s applies from %s, want %s", c->name, tl, p[1],
		      json_string_value(json_object_get(d, "applies_from")), p[2 + t]);
	}
	CHECK(json_array_size(tr) == ntr, "%s/%s: %zu transparency duties, want %zu", c->name, tl, json_array_size(tr),
	      ntr);

	for (size_t i = 0; i < 4 && c->trace[i]; i++) {
		split(c->trace[i], buf, sizeof buf, p, 3);
		const json_t *te = find_trace(out, p[0]);
		CHECK(te != NULL, "%s/%s: no trace for %s", c->name, tl, p[0]);
		CHECK(arr_has(json_object_get(te, "fields"), p[1]), "%s/%s: trace of %s lacks field %s", c->name, tl,
		      p[0], p[1]);
		CHECK(arr_has(json_object_get(te, "articles"), p[2]), "%s/%s: trace of %s lacks article %s", c->name,
		      tl, p[0], p[2]);
	}
	json_decref(out);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		for (size_t t = 0; t < ARRAY_LEN(timelines); t++)
			check_case(&cases[i], t);
}

/* The prohibition the Digital Omnibus adds exists only in the omnibus timeline. */
static void test_prohibition_only_in_omnibus(void **state)
{
	(void)state;
	static const char profile[] =
		"{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"prohibited\": \"5-ncii\"}";
	struct aia_error e;
	int rc;
	json_t *out = run("omnibus", profile, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(json_string_value(json_object_get(out, "risk_group")), "verboden AI");
	const json_t *d = find_duty(json_object_get(out, "obligations"), PROV, "Art. 5 (Digital Omnibus on AI)");
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "applies_from")), "2026-12-02");
	json_decref(out);

	out = run("original", profile, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(json_string_value(json_object_get(out, "risk_group")), "geen hoog-risico AI");
	const json_t *t = find_trace(out, "prohibited");
	assert_non_null(t);
	assert_true(json_is_null(json_object_get(t, "value")));
	assert_non_null(strstr(json_string_value(json_object_get(t, "because_en")), "original"));
	/* the profile is echoed as given */
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "profile"), "prohibited")), "5-ncii");
	json_decref(out);
}

/* Literacy: a duty in the original text, an effort duty after the Omnibus (same date). */
static void test_literacy_differs(void **state)
{
	(void)state;
	static const char profile[] = "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"]}";
	struct aia_error e;
	int rc;
	const char *titles[2];
	json_t *outs[2];
	for (size_t t = 0; t < 2; t++) {
		outs[t] = run(timelines[t], profile, &rc, &e);
		assert_int_equal(rc, 0);
		const json_t *d = find_duty(json_object_get(outs[t], "obligations"), DEPL, "Art. 4");
		assert_non_null(d);
		assert_string_equal(json_string_value(json_object_get(d, "applies_from")), "2025-02-02");
		titles[t] = json_string_value(json_object_get(d, "title_en"));
	}
	assert_string_not_equal(titles[0], titles[1]);
	assert_non_null(strstr(titles[1], "support"));
	json_decref(outs[0]);
	json_decref(outs[1]);
}

static void test_defaults_and_default_timeline(void **state)
{
	(void)state;
	struct aia_error e;
	int rc;
	json_t *out = run(NULL, "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"]}", &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "rules"), "timeline")), "omnibus");
	const json_t *p = json_object_get(out, "profile");
	assert_true(json_is_true(json_object_get(p, "public_authority")));
	assert_true(json_is_false(json_object_get(p, "public_service")));
	assert_true(json_is_false(json_object_get(p, "law_enforcement")));
	assert_true(json_is_null(json_object_get(p, "art25")));
	assert_true(json_is_null(json_object_get(p, "annex3")));
	assert_int_equal(json_array_size(json_object_get(p, "art50")), 0);
	assert_true(json_is_false(json_object_get(p, "systemic_risk")));
	assert_true(json_is_false(json_object_get(p, "open_source")));
	json_decref(out);
}

struct bad_case {
	const char *name;
	const char *profile;
	const char *field;
	const char *reason;   /* a part of the reason */
};

static const struct bad_case bad_cases[] = {
	{"Art. 5 with an Art. 2 exclusion",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"exclusion\": \"2(3)\", \"prohibited\": \"5(1)(c)\"}",
	 "exclusion", "cannot be combined with an Art. 5"},
	{"roles missing", "{\"type\": \"AI-systeem\"}", "roles", "at least one role"},
	{"roles empty", "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": []}", "roles", "at least one role"},
	{"art6_3 without annex3", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"art6_3\": \"a\"}", "art6_3",
	 "only for Annex III"},
	{"unknown field", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex_3\": \"4(a)\"}", "annex_3",
	 "unknown field"},
	{"meta key", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"__line\": 3}", "__line", "unknown field"},
	{"derived fact as input", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"risk_group\": \"x\"}",
	 "risk_group", "unknown field"},
	{"unknown type", "{\"type\": \"AI\", \"roles\": [\"aanbieder\"]}", "type", "unknown value \"AI\""},
	{"type missing", "{\"roles\": [\"aanbieder\"]}", "type", "required"},
	{"type null", "{\"type\": null, \"roles\": [\"aanbieder\"]}", "type", "must be one of"},
	{"unknown annex point", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex3\": \"9(a)\"}", "annex3",
	 "unknown value \"9(a)\""},
	{"annex point as number", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex3\": 2}", "annex3",
	 "must be null or one of"},
	{"unknown role", "{\"type\": \"AI-systeem\", \"roles\": [\"provider\"]}", "roles", "unknown value \"provider\""},
	{"role twice", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", \"aanbieder\"]}", "roles", "appears twice"},
	{"roles not a list", "{\"type\": \"AI-systeem\", \"roles\": \"aanbieder\"}", "roles", "must be a list"},
	{"role not a text", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\", 1]}", "roles", "item 2 is not a text"},
	{"unknown art50", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"art50\": [\"50(4)\"]}", "art50",
	 "unknown value \"50(4)\""},
	{"flag not boolean", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"profiling\": \"yes\"}",
	 "profiling", "true or false"},
	{"flag null", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"impactful\": null}", "impactful",
	 "true or false"},
	{"impossible date", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"in_service_since\": \"2023-02-29\"}",
	 "in_service_since", "YYYY-MM-DD"},
	{"date with time", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"in_service_since\": \"2023-02-01T00:00\"}",
	 "in_service_since", "YYYY-MM-DD"},
	{"significant change without a date",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"significant_change\": true}", "significant_change",
	 "in_service_since"},
	{"annex3 on a rule-based algorithm", "{\"type\": \"impactvol algoritme\", \"annex3\": \"5(a)\"}", "annex3",
	 "not an AI type"},
	{"prohibited on no algorithm", "{\"type\": \"geen algoritme\", \"prohibited\": \"5(1)(c)\"}", "prohibited",
	 "not an AI type"},
	{"exclusion on an algorithm", "{\"type\": \"niet-impactvol algoritme\", \"exclusion\": \"2(3)\"}", "exclusion",
	 "not an AI type"},
	{"non-impactful but impactful", "{\"type\": \"niet-impactvol algoritme\", \"impactful\": true}", "impactful",
	 "contradicts"},
	{"GPAI model in Annex III",
	 "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"aanbieder\"], \"annex3\": \"4(a)\"}", "annex3",
	 "not an AI system"},
	{"GPAI model with Art. 50",
	 "{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"aanbieder\"], \"art50\": [\"50(2)\"]}", "art50",
	 "not general-purpose AI models"},
	{"systemic risk on a system", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"systemic_risk\": true}",
	 "systemic_risk", "general-purpose AI models"},
	{"open source on a system", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"open_source\": true}",
	 "open_source", "2(12)"},
	{"open-source exclusion for a high-risk system",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"exclusion\": \"2(12)\", \"annex3\": \"4(a)\"}",
	 "exclusion", "does not cover high-risk"},
	{"open-source exclusion with Art. 50",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"exclusion\": \"2(12)\", \"art50\": [\"50(1)\"]}",
	 "exclusion", "Art. 50"},
	{"Art. 25 shift of a system that is not high-risk",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"art25\": \"a\"}", "art25",
	 "not high-risk"},
	{"Art. 25 shift of a provider",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex3\": \"4(a)\", \"art25\": \"b\"}", "art25",
	 "deployer, importer or distributor"},
	{"public service by a public authority",
	 "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"public_service\": true}", "public_service",
	 "private entity"},
	{"not an object", "[{\"type\": \"AI-systeem\"}]", "", "JSON object"},
};

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		for (size_t t = 0; t < ARRAY_LEN(timelines); t++) {
			struct aia_error e;
			int rc;
			json_t *out = run(timelines[t], c->profile, &rc, &e);
			CHECK(rc == AIA_EPROFILE && !out, "%s/%s: accepted (rc %d)", c->name, timelines[t], rc);
			CHECK(!strcmp(e.field, c->field), "%s: field \"%s\", want \"%s\" (%s)", c->name, e.field, c->field,
			      e.reason);
			CHECK(strstr(e.reason, c->reason), "%s: reason \"%s\" lacks \"%s\"", c->name, e.reason, c->reason);

			/* the check alone gives the same answer */
			json_t *p = json_loads(c->profile, 0, NULL);
			struct aia_error e2;
			CHECK(aia_profile_check(rules, timelines[t], p, &e2) == AIA_EPROFILE &&
				      !strcmp(e2.field, e.field) && !strcmp(e2.reason, e.reason),
			      "%s: aia_profile_check differs", c->name);
			json_decref(p);
		}
	}
}

static void test_api_errors(void **state)
{
	(void)state;
	struct aia_error e;
	char err[300];
	int rc;
	json_t *out = run("latest", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"]}", &rc, &e);
	assert_null(out);
	assert_int_equal(rc, AIA_ETIMELINE);
	assert_string_equal(e.field, "timeline");
	assert_string_equal(e.reason, "unknown timeline \"latest\" (known: original, omnibus)");

	json_t *p = json_loads("{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"art6_3\": \"b\"}", 0, NULL);
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	assert_int_equal(aia_assess(rules, NULL, p, &w, err, sizeof err), AIA_EPROFILE);
	assert_string_equal(err, "art6_3: the Art. 6(3) derogation exists only for Annex III systems: set annex3");
	assert_int_equal(aia_profile_check(rules, "omnibus", p, &e), AIA_EPROFILE);
	json_decref(p);

	/* a valid profile passes the check; an output that does not fit the buffer is an error */
	p = json_loads("{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"annex3\": \"4(a)\"}", 0, NULL);
	assert_int_equal(aia_profile_check(rules, NULL, p, &e), 0);
	buf_cleanup(&b);
	buf_init(&b, 200);
	jsonw_init(&w, &b);
	assert_int_equal(aia_assess(rules, "original", p, &w, err, sizeof err), AIA_EOUTPUT);
	buf_cleanup(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	assert_int_equal(aia_assess(rules, "original", p, &w, err, sizeof err), 0);
	assert_non_null(strstr(b.data, "\"timeline\":\"original\""));
	buf_cleanup(&b);
	json_decref(p);
}

/* ---- the command ---- */

static char tmpdir[64];

static char *write_tmp(const char *name, const char *text)
{
	char *path = xmalloc(strlen(tmpdir) + strlen(name) + 2);
	snprintf(path, strlen(tmpdir) + strlen(name) + 2, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Runs cli_assess with stdout and stderr captured in files; returns the exit code. */
static int cli(int argc, char **argv, struct buf *out, struct buf *errout)
{
	char opath[96], epath[96];
	snprintf(opath, sizeof opath, "%s/stdout", tmpdir);
	snprintf(epath, sizeof epath, "%s/stderr", tmpdir);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	int fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	int rc = cli_assess(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(fo);
	close(fe);
	const char *paths[2] = {opath, epath};
	struct buf *bufs[2] = {out, errout};
	for (int i = 0; i < 2; i++) {
		char chunk[4096];
		size_t n;
		FILE *f = fopen(paths[i], "r");
		buf_reset(bufs[i]);
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_append(bufs[i], chunk, n);
		fclose(f);
	}
	return rc;
}

struct cli_case {
	const char *name;
	const char *args[6];
	int rc;
	const char *stdout_has;
	const char *stderr_has;
};

static void test_cli(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/aireg-test-assess-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char *good = write_tmp("good.json", "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"],"
					    " \"annex3\": \"2\"}");
	char *bad = write_tmp("bad.json", "{\"type\": \"AI-systeem\", \"roles\": [\"aanbieder\"], \"exclusion\": "
					  "\"2(3)\", \"prohibited\": \"5(1)(f)\"}");
	char *broken = write_tmp("broken.json", "{\"type\": \"AI-systeem\",\n \"roles\": [}");
	char *dup = write_tmp("dup.json", "{\"type\": \"AI-systeem\", \"type\": \"AI-systeem\"}");
	const struct cli_case cases_[] = {
		{"omnibus by default", {"--profile", good}, 0, "\"timeline\":\"omnibus\"", NULL},
		{"original", {"--profile", good, "--rules", "original"}, 0, "\"high_risk_applies_from\":\"2026-08-02\"",
		 NULL},
		{"equals form", {"--profile=x", "--rules=omnibus"}, 1, NULL, "x:"},
		{"national registration", {"--rules", "omnibus", "--profile", good}, 0, "\"eu_registration\":\"national\"",
		 NULL},
		{"help", {"--help"}, 0, "usage: aireg assess", NULL},
		{"no profile", {NULL}, 2, NULL, "needs --profile"},
		{"profile without file", {"--profile"}, 2, NULL, "--profile needs a file"},
		{"unknown option", {"--profile", good, "--verbose"}, 2, NULL, "unexpected argument \"--verbose\""},
		{"unknown timeline", {"--profile", good, "--rules", "latest"}, 2, NULL,
		 "unknown timeline \"latest\" (original, omnibus)"},
		{"missing file", {"--profile", "/nonexistent/p.json"}, 1, NULL, "/nonexistent/p.json: No such file"},
		{"invalid profile", {"--profile", bad}, 3, NULL, "exclusion: an Art. 2 exclusion cannot be combined"},
		{"malformed JSON", {"--profile", broken}, 3, NULL, "broken.json:2:"},
		{"duplicate key", {"--profile", dup}, 3, NULL, "duplicate object key"},
	};
	struct buf out, err;
	buf_init(&out, 0);
	buf_init(&err, 0);
	for (size_t i = 0; i < ARRAY_LEN(cases_); i++) {
		const struct cli_case *c = &cases_[i];
		char *argv[7] = {0};
		int argc = 0;
		while (argc < 6 && c->args[argc]) {
			argv[argc] = (char *)c->args[argc];
			argc++;
		}
		int rc = cli(argc, argv, &out, &err);
		CHECK(rc == c->rc, "%s: exit %d, want %d (stderr: %s)", c->name, rc, c->rc, buf_str(&err));
		if (c->stdout_has)
			CHECK(strstr(buf_str(&out), c->stdout_has), "%s: stdout lacks %s: %s", c->name, c->stdout_has,
			      buf_str(&out));
		if (c->stderr_has) {
			CHECK(strstr(buf_str(&err), c->stderr_has), "%s: stderr lacks %s: %s", c->name, c->stderr_has,
			      buf_str(&err));
			/* one line */
			const char *nl = strchr(buf_str(&err), '\n');
			CHECK(nl && (!nl[1] || rc == 2), "%s: stderr is not one line: %s", c->name, buf_str(&err));
		}
		if (rc == 0 && strcmp(c->name, "help")) {
			json_t *j = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
			CHECK(j != NULL, "%s: stdout is not JSON", c->name);
			json_decref(j);
		}
	}
	buf_cleanup(&out);
	buf_cleanup(&err);
	const char *names[] = {"good.json", "bad.json", "broken.json", "dup.json", "stdout", "stderr"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	free(good);
	free(bad);
	free(broken);
	free(dup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_prohibition_only_in_omnibus),
		cmocka_unit_test(test_literacy_differs),
		cmocka_unit_test(test_defaults_and_default_timeline),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_api_errors),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
