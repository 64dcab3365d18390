/* Unit tests for aia_kader.c: the real Algoritmekader data (2026-06, embedded),
 * derived requirements for real cases, the uitzondering expressions, broken
 * indexes, facet input and the JSON output (read back with jansson). */
#include "testutil.h"

#include <jansson.h>

#include "aia_kader.h"
#include "buf.h"
#include "jsonw.h"
#include "util.h"

#define COMMIT "46917ceafa4a59870dd828103652dff8a0fd7c9d"
#define UR(x) "urn:nl:ak:ver:" x

static struct aia_kader *kader;  /* the embedded data, loaded once */

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (aia_kader_load_embedded(&kader, err, sizeof err)) {
		fprintf(stderr, "load: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	aia_kader_free(kader);
	return 0;
}

static bool hit(const struct aia_kader_result *r, const char *urn)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].req->urn, urn))
			return true;
	return false;
}

static bool excluded(const struct aia_kader_result *r, const char *urn)
{
	for (size_t i = 0; i < r->nexcluded; i++)
		if (!strcmp(r->excluded[i].req->urn, urn))
			return true;
	return false;
}

static const struct aia_kader_hit *hit_get(const struct aia_kader_result *r, const char *urn)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].req->urn, urn))
			return &r->hits[i];
	return NULL;
}

/* ---- the real data ---------------------------------------------------------- */

static void test_load_real(void **state)
{
	(void)state;
	assert_int_equal(kader->nreqs, 63);
	assert_int_equal(kader->nmeasures, 108);
	/* 589 listed links: 6 name no requirement, 1 is listed twice. */
	assert_int_equal(kader->nlinks, 582);
	assert_int_equal(kader->nwarnings, 7);
	assert_string_equal(kader->commit, COMMIT);
	assert_string_equal(kader->repository, "MinBZK/Algoritmekader");
	assert_string_equal(kader->aa_repository, "MinBZK/task-registry");

	size_t always = 0, links = 0;
	for (size_t i = 0; i < kader->nreqs; i++) {
		const struct aia_kader_req *r = &kader->reqs[i];
		assert_string_equal(r->version, COMMIT);
		assert_non_null(r->title);
		always += r->always;
		links += r->nmeasures;
		/* Always-applicable is exactly the non-AI-Act part of the Algoritmekader. */
		CHECK(r->always == (strncmp(r->urn, UR("aia-"), strlen(UR("aia-"))) != 0), "%s always=%d", r->urn,
		      r->always);
	}
	assert_int_equal(always, 23);
	assert_int_equal(links, kader->nlinks);
	for (size_t i = 0; i < kader->nmeasures; i++)
		assert_string_equal(kader->measures[i].version, COMMIT);

	const struct aia_kader_req *fria = aia_kader_req_find(kader, UR("aia-27"));
	assert_non_null(fria);
	assert_string_equal(fria->slug, "aia-27-beoordelen-gevolgen-grondrechten");
	assert_non_null(strstr(fria->title, "grondrechten"));
	assert_int_equal(fria->nmeasures, 11);
	bool owp07 = false;
	for (size_t i = 0; i < fria->nmeasures; i++)
		owp07 |= !strcmp(fria->measures[i]->urn, "urn:nl:ak:mtr:owp-07");
	assert_true(owp07);

	const struct aia_kader_req *lit = aia_kader_req_find(kader, UR("aia-01"));
	assert_non_null(lit);
	assert_int_equal(lit->nexcept, 2);
	assert_false(lit->always);

	/* A reviewed dangling link loads as a warning naming the measure, unlinked. */
	const struct aia_kader_measure *m = aia_kader_measure_find(kader, "urn:nl:ak:mtr:owp-05");
	assert_non_null(m);
	assert_int_equal(m->nreqs, 2);  /* aia-08 and avg-04; aia-06-documentatie-... dangles */
	bool warned = false;
	for (size_t i = 0; i < kader->nwarnings; i++)
		warned |= strstr(kader->warnings[i], "urn:nl:ak:mtr:owp-05") &&
			  strstr(kader->warnings[i], "aia-06-documentatie-beoordeling-niet-hoog-risico-ai");
	assert_true(warned);
	assert_null(aia_kader_req_find(kader, UR("aia-99")));
}

/* ---- derivation on real cases ------------------------------------------------- */

#define MAXU 24
struct derive_case {
	const char *name;
	struct aia_kader_facets f;
	const char *must[MAXU];      /* short ids: "aia-21" */
	const char *must_not[MAXU];
	const char *must_excluded[MAXU];
	int count;                   /* applicable requirements, -1: not checked */
};

static const struct derive_case derive_cases[] = {
	{"high-risk AI system, deployer (e.g. benefits eligibility, Annex III 5(a))",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_DEPLOYER, AIA_KADER_NO, 0, 0},
	 {"aia-01", "aia-20", "aia-21", "aia-22", "aia-23", "aia-24", "aia-25", "aia-26", "aia-27", "aia-33",
	  "aia-36", "avg-01", "avg-13", "bzk-01", "grw-02"},
	 /* provider duties (risk management, provider human oversight, conformity),
	  * prohibited, not-high-risk, Art. 50 only with an obligation, GPAI models */
	 {"aia-00", "aia-02", "aia-03", "aia-09", "aia-14", "aia-17", "aia-28", "aia-29", "aia-37"},
	 {NULL},
	 34},
	{"high-risk AI system, in-house provider with Art. 50 obligation",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_YES, 0, 0},
	 {"aia-03", "aia-09", "aia-11", "aia-14", "aia-16", "aia-17", "aia-28", "aia-34", "aia-35", "aia-38"},
	 {"aia-21", "aia-27", "aia-02", "aia-00"},
	 {NULL},
	 48},
	{"high-risk, provider and deployer: both sets",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_PROVIDER | AIA_KADER_ROLE_DEPLOYER,
	  AIA_KADER_NO, 0, 0},
	 {"aia-03", "aia-09", "aia-21", "aia-27"},
	 {"aia-28", "aia-02"},
	 {NULL},
	 -1},
	{"impactful algorithm that is not AI (rule-based fine calculation)",
	 {AIA_KADER_TYPE_ALGORITHM, 0, 0, 0, 0, 0},
	 {"avg-01", "avg-10", "avg-13", "awb-01", "awb-02", "bzk-01", "grw-01", "grw-02", "woo-01", "arc-01",
	  "bio-01"},
	 {"aia-00", "aia-01", "aia-21", "aia-27", "aia-28", "aia-29"},
	 {NULL},
	 23},
	{"prohibited AI system (workplace emotion recognition)",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_PROHIBITED, AIA_KADER_ROLE_PROVIDER | AIA_KADER_ROLE_DEPLOYER, 0,
	  0, 0},
	 {"aia-00", "aia-01", "avg-01", "grw-02"},
	 {"aia-02", "aia-03", "aia-21", "aia-27", "aia-28", "aia-33"},
	 {NULL},
	 25},
	{"GPAI model provider with systemic risk",
	 {AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER, 0, AIA_KADER_YES, 0},
	 {"aia-01", "aia-29", "aia-30", "aia-31", "aia-32", "aia-39", "aia-37", "avg-01"},
	 /* the model has no risk group: not the prohibition, not the high-risk duties */
	 {"aia-00", "aia-02", "aia-03", "aia-21", "aia-28"},
	 {NULL},
	 32},
	{"GPAI model provider without systemic risk",
	 {AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER, 0, AIA_KADER_NO, 0},
	 {"aia-29", "aia-39"},
	 {"aia-30", "aia-31", "aia-32"},
	 {NULL},
	 29},
	{"open-source AI system, not high-risk, no Art. 50 (Art. 2(12)): the uitzondering holds",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_NO, 0, AIA_KADER_YES},
	 {"avg-01"},
	 {"aia-01", "aia-02", "aia-33", "aia-36", "aia-37"},
	 {"aia-01", "aia-02", "aia-33", "aia-36", "aia-37"},
	 23},
	{"same as a general-purpose AI system",
	 {AIA_KADER_TYPE_GPAI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_NO, 0,
	  AIA_KADER_YES},
	 {"avg-01"},
	 {"aia-01", "aia-02"},
	 {"aia-01", "aia-02"},
	 23},
	{"same but not open source: the AI Act applies",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_NO, 0, AIA_KADER_NO},
	 {"aia-01", "aia-02", "aia-33", "aia-36", "aia-37"},
	 {"aia-03", "aia-28"},
	 {NULL},
	 28},
	{"same with open source not given: no exception is assumed",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_NO, 0, 0},
	 {"aia-01", "aia-02"},
	 {NULL},
	 {NULL},
	 28},
	{"open source with an Art. 50 obligation: not excluded (2(12) does not cover Art. 50)",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_YES, 0,
	  AIA_KADER_YES},
	 {"aia-01", "aia-02", "aia-28"},
	 {NULL},
	 {NULL},
	 -1},
	{"open-source GPAI model: the exception is about AI systems only",
	 {AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER, 0, AIA_KADER_NO, AIA_KADER_YES},
	 {"aia-01", "aia-29"},
	 {NULL},
	 {NULL},
	 29},
	{"AI Act does not apply (uitzondering van toepassing, e.g. national security)",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_EXCEPTION, AIA_KADER_ROLE_DEPLOYER, 0, 0, 0},
	 {"avg-01", "bzk-01"},
	 {"aia-00", "aia-01", "aia-21"},
	 {NULL},
	 23},
	{"importer of a high-risk system, transparency not given",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_IMPORTER, 0, 0, 0},
	 {"aia-01", "aia-36"},
	 {"aia-03", "aia-21", "aia-27"},
	 {NULL},
	 25},
	{"not an algorithm: nothing of the Algoritmekader",
	 {AIA_KADER_TYPE_NOT_ALGORITHM, 0, 0, 0, 0, 0},
	 {NULL},
	 {"avg-01", "aia-01"},
	 {NULL},
	 0},
};

static void test_derive_real(void **state)
{
	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(derive_cases); c++) {
		const struct derive_case *dc = &derive_cases[c];
		struct aia_kader_result r;
		char err[256], urn[64];
		CHECK(aia_kader_derive(kader, &dc->f, &r, err, sizeof err) == 0, "%s: %s", dc->name, err);
		for (size_t i = 0; i < MAXU && dc->must[i]; i++) {
			snprintf(urn, sizeof urn, UR("%s"), dc->must[i]);
			CHECK(aia_kader_req_find(kader, urn), "%s: %s is not in the data", dc->name, urn);
			CHECK(hit(&r, urn), "%s: %s should apply", dc->name, urn);
		}
		for (size_t i = 0; i < MAXU && dc->must_not[i]; i++) {
			snprintf(urn, sizeof urn, UR("%s"), dc->must_not[i]);
			CHECK(aia_kader_req_find(kader, urn), "%s: %s is not in the data", dc->name, urn);
			CHECK(!hit(&r, urn), "%s: %s should not apply", dc->name, urn);
		}
		for (size_t i = 0; i < MAXU && dc->must_excluded[i]; i++) {
			snprintf(urn, sizeof urn, UR("%s"), dc->must_excluded[i]);
			CHECK(excluded(&r, urn), "%s: %s should be excluded by its uitzondering", dc->name, urn);
		}
		if (!dc->must_excluded[0])
			CHECK(r.nexcluded == 0, "%s: %zu excluded, none expected", dc->name, r.nexcluded);
		if (dc->count >= 0)
			CHECK(r.n == (size_t)dc->count, "%s: %zu apply, want %d", dc->name, r.n, dc->count);
		/* Requirements come in index order, each once. */
		for (size_t i = 1; i < r.n; i++)
			CHECK(r.hits[i - 1].req < r.hits[i].req, "%s: order", dc->name);
		aia_kader_result_cleanup(&r);
	}
}

/* The reasons: which facet values matched, which facets were not given. */
static void test_derive_why(void **state)
{
	(void)state;
	struct aia_kader_facets f = {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_DEPLOYER,
				     AIA_KADER_NO, 0, 0};
	struct aia_kader_result r;
	char err[256];
	assert_int_equal(aia_kader_derive(kader, &f, &r, err, sizeof err), 0);
	const struct aia_kader_hit *h = hit_get(&r, UR("aia-21"));
	assert_non_null(h);
	assert_false(h->always);
	assert_int_equal(h->why[AIA_KADER_SOORT].matched, 1u << 0);   /* ai-systeem */
	assert_int_equal(h->why[AIA_KADER_RISICO].matched, 1u << 1);  /* hoog-risico-ai-systeem */
	assert_string_equal(aia_kader_value(AIA_KADER_RISICO, 1), "hoog-risico-ai-systeem");
	assert_int_equal(h->why[AIA_KADER_ROL].matched, AIA_KADER_ROLE_DEPLOYER);
	assert_int_equal(h->why[AIA_KADER_TRANSP].matched, 1u << 1);  /* geen-transparantieverplichting */
	assert_int_equal(h->why[AIA_KADER_SYSRISK].matched, 1u << 2); /* niet-van-toepassing, by default */
	assert_true(h->why[AIA_KADER_OPENSRC].unset);
	assert_false(h->why[AIA_KADER_RISICO].unset);
	/* The defaults the type decides are part of the result. */
	assert_int_equal(r.facets.systemic_risk, AIA_KADER_NA);
	assert_int_equal(r.facets.open_source, AIA_KADER_UNSET);

	h = hit_get(&r, UR("avg-13"));
	assert_non_null(h);
	assert_true(h->always);
	aia_kader_result_cleanup(&r);

	/* A GPAI model gets risk group and transparency niet-van-toepassing. */
	struct aia_kader_facets g = {AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER, 0, AIA_KADER_YES, 0};
	assert_int_equal(aia_kader_derive(kader, &g, &r, err, sizeof err), 0);
	assert_int_equal(r.facets.risk_group, AIA_KADER_RISK_NA);
	assert_int_equal(r.facets.transparency, AIA_KADER_NA);
	h = hit_get(&r, UR("aia-30"));
	assert_non_null(h);
	assert_int_equal(h->why[AIA_KADER_SYSRISK].matched, 1u << 0);
	aia_kader_result_cleanup(&r);
}

struct bad_profile {
	struct aia_kader_facets f;
	const char *err;
};

static const struct bad_profile bad_profiles[] = {
	{{0, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_DEPLOYER, 0, 0, 0}, "type: required"},
	{{AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, 0, 0, 0, 0}, "roles: at least one role"},
	{{AIA_KADER_TYPE_GPAI_MODEL, 0, 0, 0, AIA_KADER_YES, 0}, "roles: at least one role"},
	{{AIA_KADER_TYPE_AI_SYSTEM, 0, AIA_KADER_ROLE_DEPLOYER, 0, 0, 0}, "risk_group: required"},
	{{AIA_KADER_TYPE_ALGORITHM, AIA_KADER_RISK_HIGH, 0, 0, 0, 0}, "risk_group: 'hoog-risico-ai-systeem' is for AI"},
	{{AIA_KADER_TYPE_ALGORITHM, 0, 0, AIA_KADER_YES, 0, 0}, "transparency:"},
	{{AIA_KADER_TYPE_ALGORITHM, 0, 0, 0, AIA_KADER_YES, 0}, "systemic_risk:"},
	{{AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_PROVIDER, 0, AIA_KADER_YES, 0},
	 "systemic_risk: applies to general-purpose AI models"},
	{{AIA_KADER_TYPE_GPAI_MODEL, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_PROVIDER, 0, 0, 0}, "risk_group:"},
	{{AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER, AIA_KADER_YES, 0, 0}, "transparency:"},
	{{AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, 0x10, 0, 0, 0}, "roles: unknown role bits"},
	{{(enum aia_kader_type)42, 0, 0, 0, 0, 0}, "type: out of range"},
	{{AIA_KADER_TYPE_AI_SYSTEM, (enum aia_kader_risk)9, AIA_KADER_ROLE_PROVIDER, 0, 0, 0}, "risk_group: out of range"},
	{{AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, 1, (enum aia_kader_tri)7, 0, 0}, "transparency: out of range"},
};

static void test_derive_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_profiles); i++) {
		struct aia_kader_result r;
		char err[256] = "";
		CHECK(aia_kader_derive(kader, &bad_profiles[i].f, &r, err, sizeof err) == -1, "row %zu accepted", i);
		CHECK(strstr(err, bad_profiles[i].err), "row %zu: got '%s', want '%s'", i, err, bad_profiles[i].err);
		CHECK(r.n == 0 && r.hits == NULL, "row %zu: result not empty", i);
		aia_kader_result_cleanup(&r);
	}
}

/* ---- uitzondering expressions ---------------------------------------------------- */

#define REAL_EXPR                                                                                                  \
	"(\"soort-toepassing-ai-systeem-voor-algemene-doeleinden\" || \"soort-toepassing-ai-systeem\") && "        \
	"\"open-source-open-source\" && \"transparantieverplichting-geen-transparantieverplichting\" && "          \
	"\"risicogroep-geen-hoog-risico-ai-systeem\""

struct expr_case {
	const char *expr;
	struct aia_kader_facets f;
	int want;           /* 1, 0 or -1 (error) */
	const char *err;    /* substring of the error */
};

#define OS_SYS {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, 1, AIA_KADER_NO, 0, AIA_KADER_YES}
#define PROV_ONLY {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_PROVIDER, 0, 0, 0}

static const struct expr_case expr_cases[] = {
	{REAL_EXPR, OS_SYS, 1, NULL},
	{REAL_EXPR, {AIA_KADER_TYPE_GPAI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, 1, AIA_KADER_NO, 0, AIA_KADER_YES}, 1, NULL},
	{REAL_EXPR, {AIA_KADER_TYPE_GPAI_MODEL, AIA_KADER_RISK_NOT_HIGH, 1, AIA_KADER_NO, 0, AIA_KADER_YES}, 0, NULL},
	{REAL_EXPR, {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, 1, AIA_KADER_NO, 0, AIA_KADER_YES}, 0, NULL},
	{REAL_EXPR, {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, 1, AIA_KADER_YES, 0, AIA_KADER_YES}, 0, NULL},
	{REAL_EXPR, {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, 1, AIA_KADER_NO, 0, 0}, 0, NULL},
	/* the plain label form */
	{"risicogroep-uitzondering-van-toepassing", {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_EXCEPTION, 1, 0, 0, 0},
	 1, NULL},
	{"risicogroep-uitzondering-van-toepassing", PROV_ONLY, 0, NULL},
	{"  \"risicogroep-hoog-risico-ai-systeem\"\t", PROV_ONLY, 1, NULL},
	/* a facet not given makes no label true, its negation true */
	{"!\"open-source-open-source\"", PROV_ONLY, 1, NULL},
	{"\"open-source-geen-open-source\"", PROV_ONLY, 0, NULL},
	/* && binds tighter than ||; ! tighter than && */
	{"rol-ai-act-aanbieder || rol-ai-act-importeur && rol-ai-act-distributeur", PROV_ONLY, 1, NULL},
	{"(rol-ai-act-aanbieder || rol-ai-act-importeur) && rol-ai-act-distributeur", PROV_ONLY, 0, NULL},
	{"!rol-ai-act-importeur && rol-ai-act-aanbieder", PROV_ONLY, 1, NULL},
	{"!(rol-ai-act-importeur || rol-ai-act-aanbieder)", PROV_ONLY, 0, NULL},
	{"!!rol-ai-act-aanbieder", PROV_ONLY, 1, NULL},
	{"soort-toepassing-ai-systeem && systeemrisico-niet-van-toepassing", PROV_ONLY, 0, NULL},
	/* errors */
	{"", PROV_ONLY, -1, "byte 1: unexpected end"},
	{"   ", PROV_ONLY, -1, "unexpected end"},
	{"(rol-ai-act-aanbieder", PROV_ONLY, -1, "expected ')'"},
	{"rol-ai-act-aanbieder)", PROV_ONLY, -1, "unexpected text"},
	{"rol-ai-act-aanbieder &&", PROV_ONLY, -1, "unexpected end"},
	{"rol-ai-act-aanbieder & rol-ai-act-importeur", PROV_ONLY, -1, "unexpected text"},
	{"rol-ai-act-aanbieder rol-ai-act-importeur", PROV_ONLY, -1, "byte 22: unexpected text"},
	{"\"rol-ai-act-aanbieder", PROV_ONLY, -1, "unterminated string"},
	{"\"\"", PROV_ONLY, -1, "empty label"},
	{"\"Rol-ai-act-aanbieder\"", PROV_ONLY, -1, "only a-z"},
	{"open-source-gratis", PROV_ONLY, -1, "byte 1: unknown label 'open-source-gratis'"},
	{"x || risicogroep-baas", PROV_ONLY, -1, "unknown label 'x'"},
	{"rol-ai-act-", PROV_ONLY, -1, "unknown label"},
	{"\"aanbieder\" in labels", PROV_ONLY, -1, "unknown label 'aanbieder'"},
	{"((((((((((((((((((rol-ai-act-aanbieder))))))))))))))))))", PROV_ONLY, -1, "nested too deeply"},
	{"!!!!!!!!!!!!!!!!!!!!rol-ai-act-aanbieder", PROV_ONLY, -1, "nested too deeply"},
	{"$", PROV_ONLY, -1, "expected a label"},
};

static void test_expr(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(expr_cases); i++) {
		const struct expr_case *c = &expr_cases[i];
		char err[256] = "";
		int got = aia_kader_expr_eval(c->expr, &c->f, err, sizeof err);
		CHECK(got == c->want, "row %zu (%s): got %d, want %d (%s)", i, c->expr, got, c->want, err);
		if (c->err)
			CHECK(strstr(err, c->err), "row %zu (%s): error '%s', want '%s'", i, c->expr, err, c->err);
	}
	/* Too long, and long input made of valid labels (bounded, no crash). */
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 60; i++)
		buf_puts(&b, i ? " || rol-ai-act-aanbieder" : "rol-ai-act-aanbieder");
	struct aia_kader_facets f = PROV_ONLY;
	char err[256] = "";
	assert_int_equal(aia_kader_expr_eval(buf_str(&b), &f, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than"));
	buf_cleanup(&b);
}

/* ---- loading broken and small indexes -------------------------------------------------- */

#define PACK_OK                                                                                                    \
	"{\"source\": {\"repository\": \"test/kader\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"},"  \
	" \"always_applicable\": {\"source\": {\"repository\": \"test/registry\", "                                    \
	"\"commit\": \"89abcdef0123456789abcdef0123456789abcdef\"}, \"requirements\": [\"urn:nl:ak:ver:avg-01\"]}}"

#define REQ_AVG "{\"id\": \"urn:nl:ak:ver:avg-01\", \"title\": \"AVG\", \"file\": \"vereisten/avg-01-x.md\"}"
#define REQ_AIA                                                                                                    \
	"{\"id\": \"urn:nl:ak:ver:aia-01\", \"title\": \"AIA\", \"file\": \"vereisten/aia-01-y.md\","                \
	" \"soort-toepassing\": [\"ai-systeem\"], \"risicogroep\": [\"hoog-risico-ai-systeem\", "                     \
	"\"uitzondering-van-toepassing\"], \"uitzondering\": [\"risicogroep-uitzondering-van-toepassing\"]}"
#define MTR(links) "{\"id\": \"urn:nl:ak:mtr:org-01\", \"title\": \"M\", \"file\": \"maatregelen/0-org-01-m.md\", " \
		   "\"vereiste\": " links "}"
#define INDEX(reqs, mtrs) "{\"vereisten\": [" reqs "], \"maatregelen\": [" mtrs "]}"

struct load_case {
	const char *name;
	const char *index;
	const char *pack;
	const char *err;  /* NULL: loads */
};

static const struct load_case load_cases[] = {
	{"ok", INDEX(REQ_AVG "," REQ_AIA, MTR("[\"avg-01-x\", \"aia-01-y\"]")), PACK_OK, NULL},
	{"missing id", INDEX("{\"title\": \"t\", \"file\": \"vereisten/a.md\"}", ""), PACK_OK,
	 "index.json: vereisten[0]: missing id"},
	{"empty id", INDEX(REQ_AVG ", {\"id\": \"\", \"title\": \"t\", \"file\": \"vereisten/a.md\"}", ""), PACK_OK,
	 "vereisten[1]: missing id"},
	{"not a requirement URN", INDEX("{\"id\": \"urn:nl:ak:mtr:x\", \"title\": \"t\", \"file\": \"vereisten/a.md\"}", ""),
	 PACK_OK, "vereisten[0]: id 'urn:nl:ak:mtr:x' is not a urn:nl:ak:ver: URN"},
	{"missing title", INDEX("{\"id\": \"urn:nl:ak:ver:avg-01\", \"file\": \"vereisten/a.md\"}", ""), PACK_OK,
	 "vereisten[0] (urn:nl:ak:ver:avg-01): missing title"},
	{"bad file", INDEX("{\"id\": \"urn:nl:ak:ver:avg-01\", \"title\": \"t\", \"file\": \"maatregelen/a.md\"}", ""),
	 PACK_OK, "(urn:nl:ak:ver:avg-01): file:"},
	{"duplicate id", INDEX(REQ_AVG "," REQ_AVG, ""), PACK_OK, "vereisten[1] (urn:nl:ak:ver:avg-01): duplicate id"},
	{"duplicate file",
	 INDEX(REQ_AVG ", {\"id\": \"urn:nl:ak:ver:avg-02\", \"title\": \"t\", \"file\": \"vereisten/avg-01-x.md\"}", ""),
	 PACK_OK, "duplicate name 'avg-01-x'"},
	{"unknown facet value",
	 INDEX(REQ_AVG ", {\"id\": \"urn:nl:ak:ver:aia-02\", \"title\": \"t\", \"file\": \"vereisten/b.md\","
	       " \"risicogroep\": [\"laag-risico\"]}", ""),
	 PACK_OK, "vereisten[1] (urn:nl:ak:ver:aia-02): risicogroep: unknown value 'laag-risico'"},
	{"facet not a list",
	 INDEX(REQ_AVG ", {\"id\": \"urn:nl:ak:ver:aia-02\", \"title\": \"t\", \"file\": \"vereisten/b.md\","
	       " \"rol-ai-act\": \"aanbieder\"}", ""),
	 PACK_OK, "rol-ai-act: not a list"},
	{"broken uitzondering",
	 INDEX(REQ_AVG ", {\"id\": \"urn:nl:ak:ver:aia-02\", \"title\": \"t\", \"file\": \"vereisten/b.md\","
	       " \"uitzondering\": [\"(open-source-open-source\"]}", ""),
	 PACK_OK, "vereisten[1] (urn:nl:ak:ver:aia-02): uitzondering[0]: byte 25: expected ')'"},
	{"uitzondering with an unknown label",
	 INDEX(REQ_AVG ", {\"id\": \"urn:nl:ak:ver:aia-02\", \"title\": \"t\", \"file\": \"vereisten/b.md\","
	       " \"uitzondering\": [\"risicogroep-uitzondering\"]}", ""),
	 PACK_OK, "uitzondering[0]: byte 1: unknown label 'risicogroep-uitzondering'"},
	{"dangling link", INDEX(REQ_AVG, MTR("[\"avg-01-x\", \"aia-99-weg\"]")), PACK_OK,
	 "maatregelen[0] (urn:nl:ak:mtr:org-01): vereiste 'aia-99-weg' names no requirement"},
	{"measure without id", INDEX(REQ_AVG, "{\"title\": \"M\", \"file\": \"maatregelen/m.md\"}"), PACK_OK,
	 "maatregelen[0]: missing id"},
	{"measure without title", INDEX(REQ_AVG, "{\"id\": \"urn:nl:ak:mtr:org-01\", \"file\": \"maatregelen/m.md\"}"),
	 PACK_OK, "maatregelen[0] (urn:nl:ak:mtr:org-01): missing title"},
	{"vereiste not a list", INDEX(REQ_AVG, MTR("\"avg-01-x\"")), PACK_OK, "vereiste: not a list"},
	{"not JSON", "{\"vereisten\": [", PACK_OK, "index.json:1:"},
	{"duplicate key", "{\"vereisten\": [], \"vereisten\": [], \"maatregelen\": []}", PACK_OK, "index.json:1:"},
	{"no lists", "{\"vereisten\": {}}", PACK_OK, "vereisten and maatregelen must be lists"},
	{"stale always-applicable URN", INDEX(REQ_AIA, ""), PACK_OK,
	 "pack.json: always_applicable.requirements[0]: 'urn:nl:ak:ver:avg-01' is not a requirement"},
	{"pack without commit", INDEX(REQ_AVG, ""), "{\"source\": {\"repository\": \"x\"}}", "pack.json: source.commit"},
	{"pack with a short commit", INDEX(REQ_AVG, ""), "{\"source\": {\"repository\": \"x\", \"commit\": \"46917ce\"}}",
	 "source.commit"},
	{"known dangling link: a warning",
	 INDEX(REQ_AVG, MTR("[\"avg-01-x\", \"aia-99-weg\", \"avg-01-x\"]")),
	 "{\"source\": {\"repository\": \"x\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"},"
	 " \"known_dangling\": {\"links\": [{\"measure\": \"urn:nl:ak:mtr:org-01\", \"vereiste\": \"aia-99-weg\"}]}}",
	 NULL},
	{"stale known dangling link", INDEX(REQ_AVG, MTR("[\"avg-01-x\"]")),
	 "{\"source\": {\"repository\": \"x\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"},"
	 " \"known_dangling\": {\"links\": [{\"measure\": \"urn:nl:ak:mtr:org-01\", \"vereiste\": \"avg-01-x\"}]}}",
	 "known_dangling.links[0]: urn:nl:ak:mtr:org-01 -> 'avg-01-x' does not dangle"},
	{"malformed known dangling link", INDEX(REQ_AVG, ""),
	 "{\"source\": {\"repository\": \"x\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"},"
	 " \"known_dangling\": {\"links\": [{\"measure\": 3}]}}",
	 "known_dangling.links[0]: measure and vereiste required"},
};

static void test_load_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(load_cases); i++) {
		const struct load_case *c = &load_cases[i];
		struct aia_kader *k = (struct aia_kader *)1;
		char err[512] = "";
		int rc = aia_kader_load("index.json", c->index, strlen(c->index), "pack.json", c->pack, strlen(c->pack),
					&k, err, sizeof err);
		if (c->err) {
			CHECK(rc == -1 && k == NULL, "%s: loaded", c->name);
			CHECK(strstr(err, c->err), "%s: error '%s', want '%s'", c->name, err, c->err);
		} else {
			CHECK(rc == 0 && k, "%s: %s", c->name, err);
			aia_kader_free(k);
		}
	}
}

/* What a small valid index gives: links both ways, a known dangling link as a
 * warning, a duplicate counted once, and the plain uitzondering label. */
static void test_load_small(void **state)
{
	(void)state;
	const char *index = INDEX(REQ_AVG "," REQ_AIA
				  ", {\"id\": \"urn:nl:ak:ver:x-01\", \"title\": \"no filters\", \"file\": \"vereisten/x.md\"}",
				  MTR("[\"avg-01-x\", \"aia-01-y\", \"aia-01-y\", \"weg\"]") ","
				  "{\"id\": \"urn:nl:ak:mtr:org-02\", \"title\": \"N\", \"file\": \"maatregelen/n.md\","
				  " \"vereiste\": null}");
	const char *pack = "{\"source\": {\"repository\": \"x\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"},"
			   " \"always_applicable\": {\"source\": {\"repository\": \"y\", "
			   "\"commit\": \"89abcdef0123456789abcdef0123456789abcdef\"}, \"requirements\": [\"urn:nl:ak:ver:avg-01\"]},"
			   " \"known_dangling\": {\"links\": [{\"measure\": \"urn:nl:ak:mtr:org-01\", \"vereiste\": \"weg\"}]}}";
	struct aia_kader *k;
	char err[512];
	assert_int_equal(aia_kader_load("i", index, strlen(index), "p", pack, strlen(pack), &k, err, sizeof err), 0);
	assert_int_equal(k->nreqs, 3);
	assert_int_equal(k->nmeasures, 2);
	assert_int_equal(k->nlinks, 2);
	assert_int_equal(k->nwarnings, 2);
	assert_string_equal(k->reqs[1].version, "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(k->reqs[1].nmeasures, 1);
	assert_string_equal(k->reqs[1].measures[0]->urn, "urn:nl:ak:mtr:org-01");
	assert_int_equal(k->measures[1].nreqs, 0);
	assert_true(k->reqs[0].always);
	assert_null(k->content_commit);

	struct aia_kader_result r;
	/* risicogroep lists uitzondering-van-toepassing, the plain label excludes it */
	struct aia_kader_facets exc = {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_EXCEPTION, AIA_KADER_ROLE_DEPLOYER, 0, 0, 0};
	assert_int_equal(aia_kader_derive(k, &exc, &r, err, sizeof err), 0);
	assert_false(hit(&r, UR("aia-01")));
	assert_true(excluded(&r, UR("aia-01")));
	assert_string_equal(r.excluded[0].expr, "risicogroep-uitzondering-van-toepassing");
	assert_true(hit(&r, UR("avg-01")));
	assert_true(hit(&r, UR("x-01")));  /* no filter at all: applies */
	aia_kader_result_cleanup(&r);

	struct aia_kader_facets hr = {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_DEPLOYER, 0, 0, 0};
	assert_int_equal(aia_kader_derive(k, &hr, &r, err, sizeof err), 0);
	assert_true(hit(&r, UR("aia-01")));
	assert_int_equal(r.nexcluded, 0);
	aia_kader_result_cleanup(&r);

	/* A non-AI algorithm: the always-applicable one and the one without filters. */
	struct aia_kader_facets alg = {AIA_KADER_TYPE_ALGORITHM, 0, 0, 0, 0, 0};
	assert_int_equal(aia_kader_derive(k, &alg, &r, err, sizeof err), 0);
	assert_int_equal(r.n, 2);
	assert_true(hit(&r, UR("avg-01")) && hit(&r, UR("x-01")));
	aia_kader_result_cleanup(&r);
	aia_kader_free(k);
}

/* ---- facets from JSON ------------------------------------------------------------------- */

struct facets_case {
	const char *json;
	struct aia_kader_facets want;
	const char *err;  /* NULL: parses to want */
};

static const struct facets_case facets_cases[] = {
	/* the AI Act engine's spelling */
	{"{\"type\": \"AI-systeem\", \"risk_group\": \"hoog-risico AI\", \"roles\": [\"gebruiksverantwoordelijke\"],"
	 " \"transparency\": \"geen transparantieverplichting\"}",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_HIGH, AIA_KADER_ROLE_DEPLOYER, AIA_KADER_NO, 0, 0}, NULL},
	{"{\"type\": \"AI-model voor algemene doeleinden\", \"roles\": [\"aanbieder\", \"distributeur\"],"
	 " \"systemic_risk\": \"systeemrisico\", \"open_source\": \"geen open-source\"}",
	 {AIA_KADER_TYPE_GPAI_MODEL, 0, AIA_KADER_ROLE_PROVIDER | AIA_KADER_ROLE_DISTRIBUTOR, 0, AIA_KADER_YES,
	  AIA_KADER_NO}, NULL},
	{"{\"type\": \"AI-systeem voor algemene doeleinden\", \"risk_group\": \"verboden AI\", \"roles\": [\"importeur\"]}",
	 {AIA_KADER_TYPE_GPAI_SYSTEM, AIA_KADER_RISK_PROHIBITED, AIA_KADER_ROLE_IMPORTER, 0, 0, 0}, NULL},
	{"{\"type\": \"AI-systeem\", \"risk_group\": \"uitzondering van toepassing\", \"roles\": [\"aanbieder\"]}",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_EXCEPTION, AIA_KADER_ROLE_PROVIDER, 0, 0, 0}, NULL},
	{"{\"type\": \"impactvol algoritme\", \"risk_group\": \"niet van toepassing\"}",
	 {AIA_KADER_TYPE_ALGORITHM, AIA_KADER_RISK_NA, 0, 0, 0, 0}, NULL},
	{"{\"type\": \"niet-impactvol algoritme\"}", {AIA_KADER_TYPE_ALGORITHM, 0, 0, 0, 0, 0}, NULL},
	{"{\"type\": \"geen algoritme\"}", {AIA_KADER_TYPE_NOT_ALGORITHM, 0, 0, 0, 0, 0}, NULL},
	/* the Algoritmekader's slugs */
	{"{\"type\": \"ai-systeem\", \"risk_group\": \"geen-hoog-risico-ai-systeem\", \"roles\": [\"aanbieder\"],"
	 " \"transparency\": \"transparantieverplichting\", \"systemic_risk\": \"niet-van-toepassing\","
	 " \"open_source\": \"open-source\"}",
	 {AIA_KADER_TYPE_AI_SYSTEM, AIA_KADER_RISK_NOT_HIGH, AIA_KADER_ROLE_PROVIDER, AIA_KADER_YES, AIA_KADER_NA,
	  AIA_KADER_YES}, NULL},
	{"{\"type\": null, \"roles\": null, \"risk_group\": null}", {AIA_KADER_TYPE_ALGORITHM, 0, 0, 0, 0, 0}, NULL},
	{"{\"type\": \"none\", \"open_source\": true, \"transparency\": false}",
	 {AIA_KADER_TYPE_ALGORITHM, 0, 0, AIA_KADER_NO, 0, AIA_KADER_YES}, NULL},
	/* errors name the field */
	{"{}", {0}, "type: required"},
	{"[]", {0}, "not a JSON object"},
	{"{\"type\": 1}", {0}, "type: not a string"},
	{"{\"type\": \"AI-system\"}", {0}, "type: unknown value 'AI-system'"},
	{"{\"type\": \"none\", \"annex3\": \"5(a)\"}", {0}, "annex3: unknown field"},
	{"{\"type\": \"none\", \"risk_group\": \"laag risico\"}", {0}, "risk_group: unknown value 'laag risico'"},
	{"{\"type\": \"none\", \"risk_group\": true}", {0}, "risk_group: not a string"},
	{"{\"type\": \"none\", \"roles\": \"aanbieder\"}", {0}, "roles: not a list"},
	{"{\"type\": \"none\", \"roles\": [\"aanbieder\", \"baas\"]}", {0}, "roles[1]: unknown role 'baas'"},
	{"{\"type\": \"none\", \"transparency\": 3}", {0}, "transparency: not a string or boolean"},
	{"{\"type\": \"none\", \"systemic_risk\": \"hoog\"}", {0}, "systemic_risk: unknown value 'hoog'"},
	{"{\"type\": \"none\", \"open_source\": \"ja\"}", {0}, "open_source: unknown value 'ja'"},
};

static void test_facets_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(facets_cases); i++) {
		const struct facets_case *c = &facets_cases[i];
		json_error_t je;
		json_t *j = json_loads(c->json, 0, &je);
		CHECK(j, "row %zu: test JSON broken: %s", i, je.text);
		struct aia_kader_facets f;
		char err[256] = "";
		int rc = aia_kader_facets_from_json(j, &f, err, sizeof err);
		json_decref(j);
		if (c->err) {
			CHECK(rc == -1, "row %zu (%s): accepted", i, c->json);
			CHECK(strstr(err, c->err), "row %zu: error '%s', want '%s'", i, err, c->err);
			continue;
		}
		CHECK(rc == 0, "row %zu (%s): %s", i, c->json, err);
		CHECK(f.type == c->want.type && f.risk_group == c->want.risk_group && f.roles == c->want.roles &&
			      f.transparency == c->want.transparency && f.systemic_risk == c->want.systemic_risk &&
			      f.open_source == c->want.open_source,
		      "row %zu (%s): got %d %d %u %d %d %d", i, c->json, f.type, f.risk_group, f.roles, f.transparency,
		      f.systemic_risk, f.open_source);
	}
}

/* ---- JSON output ---------------------------------------------------------------------------- */

static json_t *derive_json(const char *facets_json)
{
	json_t *in = json_loads(facets_json, 0, NULL);
	assert_non_null(in);
	struct aia_kader_facets f;
	struct aia_kader_result r;
	char err[256];
	CHECK(aia_kader_facets_from_json(in, &f, err, sizeof err) == 0, "%s", err);
	CHECK(aia_kader_derive(kader, &f, &r, err, sizeof err) == 0, "%s", err);
	json_decref(in);

	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	aia_kader_result_write(kader, &r, &w);
	assert_int_equal(jsonw_error(&w), 0);
	json_error_t je;
	json_t *out = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	CHECK(out, "output is not JSON: %s", je.text);
	assert_int_equal(json_array_size(json_object_get(out, "requirements")), r.n);
	aia_kader_result_cleanup(&r);
	buf_cleanup(&b);
	return out;
}

static json_t *find_urn(json_t *arr, const char *urn)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "urn")), urn))
			return e;
	return NULL;
}

static void test_write(void **state)
{
	(void)state;
	json_t *out = derive_json("{\"type\": \"AI-systeem\", \"risk_group\": \"hoog-risico AI\","
				  " \"roles\": [\"gebruiksverantwoordelijke\"], \"transparency\": \"geen transparantieverplichting\"}");
	json_t *src = json_object_get(out, "source");
	assert_string_equal(json_string_value(json_object_get(src, "commit")), COMMIT);
	assert_string_equal(json_string_value(json_object_get(src, "repository")), "MinBZK/Algoritmekader");
	assert_string_equal(json_string_value(json_object_get(src, "content_commit")),
			    "9a2e8d177b5737fca47b0152c1c6f971ad757594");

	json_t *prof = json_object_get(out, "profile");
	assert_string_equal(json_string_value(json_object_get(prof, "type")), "ai-systeem");
	assert_string_equal(json_string_value(json_object_get(prof, "risk_group")), "hoog-risico-ai-systeem");
	assert_string_equal(json_string_value(json_array_get(json_object_get(prof, "roles"), 0)),
			    "gebruiksverantwoordelijke");
	assert_string_equal(json_string_value(json_object_get(prof, "systemic_risk")), "niet-van-toepassing");
	assert_true(json_is_null(json_object_get(prof, "open_source")));

	json_t *reqs = json_object_get(out, "requirements");
	json_t *fria = find_urn(reqs, UR("aia-27"));
	assert_non_null(fria);
	assert_string_equal(json_string_value(json_object_get(fria, "version")), COMMIT);
	assert_string_equal(json_string_value(json_object_get(fria, "basis")), "filters");
	json_t *m = json_object_get(fria, "matched");
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "risicogroep"), 0)),
			    "hoog-risico-ai-systeem");
	assert_int_equal(json_array_size(json_object_get(m, "risicogroep")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "rol-ai-act"), 0)),
			    "gebruiksverantwoordelijke");
	assert_true(json_is_null(json_object_get(m, "open-source")));
	json_t *ms = json_object_get(fria, "measures");
	assert_int_equal(json_array_size(ms), 11);
	json_t *owp07 = find_urn(ms, "urn:nl:ak:mtr:owp-07");
	assert_non_null(owp07);
	assert_string_equal(json_string_value(json_object_get(owp07, "version")), COMMIT);
	assert_non_null(json_string_value(json_object_get(owp07, "title")));

	json_t *avg = find_urn(reqs, UR("avg-01"));
	assert_non_null(avg);
	assert_string_equal(json_string_value(json_object_get(avg, "basis")), "always_applicable");
	assert_null(json_object_get(avg, "matched"));
	assert_int_equal(json_array_size(json_object_get(out, "excluded")), 0);
	json_decref(out);

	out = derive_json("{\"type\": \"ai-systeem\", \"risk_group\": \"geen-hoog-risico-ai-systeem\","
			  " \"roles\": [\"aanbieder\"], \"transparency\": false, \"open_source\": true}");
	json_t *ex = find_urn(json_object_get(out, "excluded"), UR("aia-01"));
	assert_non_null(ex);
	assert_non_null(strstr(json_string_value(json_object_get(ex, "uitzondering")), "open-source-open-source"));
	assert_null(find_urn(json_object_get(out, "requirements"), UR("aia-01")));
	json_decref(out);

	out = derive_json("{\"type\": \"geen algoritme\"}");
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "profile"), "type")),
			    "geen-algoritme");
	assert_int_equal(json_array_size(json_object_get(out, "requirements")), 0);
	json_decref(out);
}

static void test_vocabulary(void **state)
{
	(void)state;
	assert_string_equal(aia_kader_facet_key(AIA_KADER_OPENSRC), "open-source");
	assert_null(aia_kader_facet_key(AIA_KADER_NFACETS));
	assert_string_equal(aia_kader_value(AIA_KADER_SOORT, 2), "ai-model-voor-algemene-doeleinden");
	assert_null(aia_kader_value(AIA_KADER_SOORT, 3));
	assert_string_equal(aia_kader_value(AIA_KADER_ROL, 3), "distributeur");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_real),   cmocka_unit_test(test_derive_real), cmocka_unit_test(test_derive_why),
		cmocka_unit_test(test_derive_bad),  cmocka_unit_test(test_expr),        cmocka_unit_test(test_load_cases),
		cmocka_unit_test(test_load_small),  cmocka_unit_test(test_facets_json), cmocka_unit_test(test_write),
		cmocka_unit_test(test_vocabulary),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
