/* Unit tests for aia_screen.c: the shipped indicator pack on Dutch and English
 * texts, the matching rules on small packs, and the errors of broken packs. */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <unistd.h>

#include "aia_screen.h"
#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "util.h"

static struct aia_screen *shipped;

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (aia_screen_load_embedded(&shipped, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	aia_screen_free(shipped);
	return 0;
}

static struct aia_screen *load(const char *yaml)
{
	char err[512];
	struct aia_screen *s = NULL;
	if (aia_screen_load("t.yaml", yaml, strlen(yaml), &s, err, sizeof err))
		fail_msg("pack rejected: %s", err);
	return s;
}

/* Screens a record with one text field (and a name) and returns its findings. */
static void screen(const struct aia_screen *s, const char *field, const char *text, struct aia_screen_result *res)
{
	/* nocheck: records from other sources than jansson may carry invalid UTF-8 */
	json_t *rec = json_pack("{s:s}", "name", "x");
	json_object_set_new(rec, field, json_string_nocheck(text));
	assert_int_equal(aia_screen_record(s, rec, res), 0);
	json_decref(rec);
}

static const struct aia_screen_finding *find(const struct aia_screen_result *res, const char *kind,
					      const char *point)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->findings[i].kind, kind) && !strcmp(res->findings[i].point, point))
			return &res->findings[i];
	return NULL;
}

/* ---- the shipped pack ---- */

static void test_shipped_pack(void **state)
{
	struct aia_screen_stats st;
	(void)state;
	aia_screen_stats(shipped, &st);
	CHECK(st.indicators >= 40, "indicators: %zu", st.indicators);
	CHECK(st.terms >= 500, "terms: %zu", st.terms);
	CHECK(st.fields == 10, "fields: %zu", st.fields);
	CHECK(aia_screen_version(shipped)[0], "a version");
	/* every point of Art. 5(1), Annex III and Art. 50 the profile knows, with titles */
	size_t n;
	const struct aia_screen_point *p = aia_screen_points(shipped, &n);
	CHECK(n == 8 + 25 + 5, "points: %zu", n);
	assert_string_equal(p[0].kind, "art5");
	assert_string_equal(p[0].point, "5(1)(a)");
	for (size_t i = 0; i < n; i++)
		CHECK(p[i].title_nl[0] && p[i].title_en[0], "point %s %s has no title", p[i].kind, p[i].point);
}

struct point_case {
	const char *field, *text, *kind, *point;
	bool found;
	int profiling;  /* -1: not checked */
};

static const struct point_case point_cases[] = {
	/* 5(a) public assistance benefits */
	{"goal", "Het algoritme controleert aanvragen voor bijzondere bijstand en minimaregelingen.", "annex3", "5(a)", true, false},
	{"goal", "The system checks eligibility for social assistance and housing benefit.", "annex3", "5(a)", true, false},
	{"goal", "Toekennen van een uitkering op grond van de Participatiewet.", "annex3", "5(a)", true, -1},
	{"lawful_basis", "Wet langdurige zorg (Wlz)", "annex3", "5(a)", true, -1},
	{"goal", "Iemand heeft geen recht op bijzondere bijstand als hij gedetineerd is.", "annex3", "5(a)", true, -1},
	{"goal", "De Belastingdienst verleent (interne) bijstand op het gebied van verrekenprijzen.", "annex3", "5(a)", false, -1},
	{"goal", "Wederzijdse bijstandsverlening tussen belastingdiensten in de EU.", "annex3", "5(a)", false, -1},
	{"goal", "The benefits of this algorithm are faster handling.", "annex3", "5(a)", false, -1},
	/* 5(a) with profiling */
	{"goal", "Het model berekent een risicoscore voor bijstandsgerechtigden.", "annex3", "5(a)", true, true},
	{"methods_and_models", "Een voorspellend model schat de kans op onrechtmatigheid van een WW-uitkering.", "annex3", "5(a)", true, true},
	{"goal", "A risk score predicts which welfare recipients to investigate.", "annex3", "5(a)", true, true},
	{"goal", "Risicoprofielen voor douaneaangiften van goederen.", "annex3", "5(a)", false, -1},
	/* 4(a) recruitment */
	{"goal", "Selectie van sollicitanten op basis van hun cv.", "annex3", "4(a)", true, false},
	{"goal", "Wij lezen cv's van kandidaten automatisch in.", "annex3", "4(a)", true, -1},
	{"goal", "The tool screens CVs and ranks job applications in recruitment.", "annex3", "4(a)", true, -1},
	{"goal", "Controle op de sollicitatieplicht van uitkeringsgerechtigden.", "annex3", "4(a)", false, -1},
	{"goal", "Selectie van kiesgerechtigden en kandidatenlijsten voor de verkiezing.", "annex3", "4(a)", false, -1},
	/* 3(a) education access */
	{"goal", "Toewijzing van leerlingen aan basisscholen via loting.", "annex3", "3(a)", true, -1},
	{"goal", "Admission of students to secondary schools.", "annex3", "3(a)", true, -1},
	{"goal", "Detecteren risico's in douaneaangiften voor toelating van levende dieren.", "annex3", "3(a)", false, -1},
	/* 2 road traffic */
	{"name", "Intelligente Verkeersregelinstallatie (iVRI)", "annex3", "2", true, -1},
	{"name", "Intelligente Verkeers Regel Installatie", "annex3", "2", true, -1},
	{"goal", "Adaptive traffic light control at junctions.", "annex3", "2", true, -1},
	{"lawful_basis", "Reglement verkeersregels en verkeerstekens 1990 (RVV 1990)", "annex3", "2", false, -1},
	{"goal", "Het stroomnet wordt automatisch gestuurd om storingen te voorkomen.", "annex3", "2", true, -1},
	{"goal", "Tariefbesluit voor het elektriciteitsnet en drinkwater.", "annex3", "2", false, -1},
	/* 5(d) emergency calls */
	{"goal", "De meldkamer beoordeelt 112-meldingen met een triage-protocol.", "annex3", "5(d)", true, -1},
	{"goal", "The model classifies emergency calls and dispatches ambulances.", "annex3", "5(d)", true, -1},
	{"lawful_basis", "Richtlijn 2006/112/EG betreffende de btw", "annex3", "5(d)", false, -1},
	{"goal", "iVRI's geven voorrang aan een ambulance met spoed.", "annex3", "5(d)", false, -1},
	/* 5(b) credit */
	{"goal", "Beoordelen van de kredietwaardigheid van aanvragers.", "annex3", "5(b)", true, -1},
	{"goal", "Credit scoring of consumers applying for a loan.", "annex3", "5(b)", true, -1},
	{"goal", "Kredietwaardigheid van tegenpartijen zoals banken.", "annex3", "5(b)", false, -1},
	/* 1(a), 1(c) and Art. 5 */
	{"goal", "Gezichtsherkenning op camerabeelden in de binnenstad.", "annex3", "1(a)", true, -1},
	{"goal", "Gezichtsherkénning op camerabeelden.", "annex3", "1(a)", true, -1},
	{"goal", "GEZICHTSHERKE\xCC\x81NNING op camerabeelden.", "annex3", "1(a)", true, -1},  /* combining acute */
	{"goal", "Gezichtsherk&eacute;nning op camerabeelden.", "annex3", "1(a)", true, -1},
	{"goal", "Gezichtsvergelijking van de aanvrager met de foto in het paspoort.", "annex3", "1(a)", false, -1},
	{"goal", "De politie vergelijkt foto's van een onbekende verdachte met gezichtsherkenning.", "annex3", "1(a)", true, -1},
	{"goal", "Er wordt geen gezichtsherkenning gebruikt.", "annex3", "1(a)", false, -1},
	{"goal", "Het systeem gebruikt geen automatische gezichtsherkenning.", "annex3", "1(a)", false, -1},
	{"goal", "Gezichtsherkenning wordt niet gebruikt.", "annex3", "1(a)", false, -1},
	{"goal", "The camera uses no facial recognition.", "annex3", "1(a)", false, -1},
	{"goal", "Emotieherkenning bij medewerkers van het klantcontactcentrum.", "annex3", "1(c)", true, -1},
	{"goal", "Emotieherkenning bij medewerkers van het klantcontactcentrum.", "art5", "5(1)(f)", true, -1},
	{"goal", "Emotion recognition of pupils in the classroom.", "art5", "5(1)(f)", true, -1},
	{"goal", "Emotieherkenning bij bezoekers van een evenement.", "art5", "5(1)(f)", false, -1},
	{"goal", "Emotieherkenning bij bezoekers van een evenement.", "art50", "50(3)", true, -1},
	{"goal", "Er is geen sprake van emotieherkenning.", "annex3", "1(c)", false, -1},
	{"goal", "Wij doen niet aan sociale scoring van inwoners.", "art5", "5(1)(c)", false, -1},
	{"goal", "Een sociale score per inwoner bepaalt de dienstverlening.", "art5", "5(1)(c)", true, -1},
	{"goal", "Predictive policing van woninginbraken door de politie.", "art5", "5(1)(d)", true, true},
	/* 6, 7, 8 */
	{"goal", "De reclassering schat het recidiverisico van daders in.", "annex3", "6(d)", true, true},
	{"goal", "Assessing the risk of reoffending of offenders on probation.", "annex3", "6(d)", true, -1},
	{"goal", "Het behandelen van asielaanvragen door de IND.", "annex3", "7(c)", true, -1},
	{"goal", "Microtargeting om het stemgedrag van kiezers voor de verkiezingen te beïnvloeden.", "annex3", "8(b)", true, -1},
	{"goal", "De stembureaumanager plant stembureauleden voor de verkiezingen.", "annex3", "8(b)", false, -1},
	/* Art. 50 */
	{"name", "Chatbot Gem", "art50", "50(1)", true, -1},
	{"name", "CHATBOT", "art50", "50(1)", true, -1},
	{"goal", "A virtual assistant answers questions from residents.", "art50", "50(1)", true, -1},
	{"description_short", "De virtuele assistent Gem is een digitale hulp; overdracht naar een (livechat-)medewerker.", "art50", "50(1)", true, -1},
	{"goal", "<p>chat</p><p>bot</p>", "art50", "50(1)", false, -1},
	{"goal", "Medewerkers gebruiken generatieve AI en een large language model.", "art50", "50(2)", true, -1},
	{"goal", "Panden met synthetische drugslabs.", "art50", "50(2)", false, -1},
	{"goal", "Een deepfake video van de burgemeester voor een campagne.", "art50", "50(4)-deepfake", true, -1},
	{"goal", "Een taalmodel (LLM) schrijft nieuwsberichten die op de website worden gepubliceerd.", "art50", "50(4)-text", true, -1},
	{"goal", "Een taalmodel (LLM) vat interne notities samen.", "art50", "50(4)-text", false, -1},
	/* no findings at all */
	{"goal", "Berekening van de hondenbelasting op basis van het aantal honden.", "annex3", "5(a)", false, -1},
};

static void test_points(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(point_cases); i++) {
		const struct point_case *c = &point_cases[i];
		struct aia_screen_result res;
		screen(shipped, c->field, c->text, &res);
		const struct aia_screen_finding *f = find(&res, c->kind, c->point);
		CHECK(!!f == c->found, "case %zu \"%s\": %s %s %s", i, c->text, c->kind, c->point,
		      c->found ? "not found" : "found");
		if (f) {
			CHECK(f->confidence >= 0.5 && f->confidence <= 1.0, "case %zu: confidence %f", i, f->confidence);
			CHECK(f->nevidence > 0 && f->nindicators > 0, "case %zu: no evidence", i);
			if (c->profiling >= 0)
				CHECK(f->profiling == (c->profiling == 1), "case %zu: profiling %d", i, f->profiling);
		}
		aia_screen_result_cleanup(&res);
	}
}

/* A record with no text fields, or texts of other types, has no findings. */
static void test_empty_records(void **state)
{
	struct aia_screen_result res;
	(void)state;
	json_t *recs[] = {json_object(), json_pack("{s:i,s:n,s:b}", "goal", 3, "name", "tags", 1),
			  json_pack("{s:[s,i]}", "tags", "chatbot", 7)};
	for (size_t i = 0; i < ARRAY_LEN(recs); i++) {
		assert_int_equal(aia_screen_record(shipped, recs[i], &res), 0);
		CHECK(res.n == (i == 2), "record %zu: %zu findings", i, res.n);  /* a list of tags is read */
		aia_screen_result_cleanup(&res);
		json_decref(recs[i]);
	}
}

/* ---- matching rules on small packs ---- */

#define PACK_HEAD                                                                                          \
	"version: \"t\"\n"                                                                                 \
	"fields: [name, goal, risks]\n"                                                                    \
	"negation: {gap: 1, before: [geen, \"geen sprake van\", no], after: [\"wordt niet gebruikt\"]}\n" \
	"kinds:\n"                                                                                         \
	"  k:\n"                                                                                           \
	"    points: {\"p1\": {nl: a, en: a}, \"p2\": {nl: b, en: b}}\n"

struct match_case {
	const char *term;   /* one term of weight 1 */
	const char *text;
	bool found;
	const char *match;  /* the matched text, when found */
};

static const struct match_case match_cases[] = {
	{"fraude", "fraude", true, "fraude"},
	{"fraude", "Fraude.", true, "Fraude"},
	{"fraude", "fraudes", false, NULL},
	{"fraude", "uitkeringsfraude", false, NULL},
	{"fraude*", "fraudesignalen", true, "fraudesignalen"},
	{"fraude*", "uitkeringsfraude", false, NULL},
	{"\"*fraude\"", "uitkeringsfraude", true, "uitkeringsfraude"},
	{"\"*fraude\"", "fraudesignalen", false, NULL},
	{"\"*fraude*\"", "uitkeringsfraudeonderzoek", true, "uitkeringsfraudeonderzoek"},
	{"\"*fraude*\"", "frau de", false, NULL},
	{"virtuele assistent", "de virtuele \n assistent helpt", true, "virtuele assistent"},
	{"virtuele assistent", "virtuele. Assistent", false, NULL},
	{"virtuele assistent", "virtuele\n\nassistent", false, NULL},
	{"virtuele assistent", "virtuele</p><p>assistent", false, NULL},
	{"virtuele assistent", "assistent virtuele", false, NULL},
	{"ww uitkering", "een WW-uitkering", true, "WW-uitkering"},
	{"risico inschatting*", "de risico-inschattingen", true, "risico-inschattingen"},
	{"cv", "cv's van sollicitanten", true, "cv"},
	{"cv", "cvb", false, NULL},
	{"emotieherkenning", "ÉMOTIEHERKENNING", true, "ÉMOTIEHERKENNING"},
	{"émotieherkenning", "emotieherkenning", true, "emotieherkenning"},
	{"vri", "iVRI", false, NULL},
	{"vri", "VRI-ready", true, "VRI"},
	{"gezichtsherkenning", "<p>gezichts</p>herkenning", false, NULL},
	{"gezichtsherkenning", "gezichts&shy;herkenning", true, "gezichtsherkenning"},
	{"gezichtsherkenning", "gezichts\xC2\xADherkenning", true, "gezichts\xC2\xADherkenning"},
	{"gezichtsherkenning", "gezicht&#115;herkenning", true, "gezichtsherkenning"},
	{"gezichtsherkenning", "gezicht&#x73;herkenning", true, "gezichtsherkenning"},
	{"cafe", "caf&eacute;", true, "cafe"},
	{"a b", "a &amp; b", true, "a & b"},
	{"stoep", "\xFF" "stoep\xC3", true, "stoep"},
	{"\"112\"", "bel 112!", true, "112"},
	/* negation */
	{"profilering", "Er is geen sprake van profilering.", false, NULL},
	{"profilering", "Er is geen profilering. Wel profilering elders.", true, "profilering"},
	{"profilering", "geen automatische profilering", false, NULL},
	{"profilering", "geen recht op profilering", true, "profilering"},
	{"profilering", "geen. Profilering", true, "Profilering"},
	{"chatbot", "De chatbot wordt niet gebruikt", false, NULL},
	{"chatbot", "De chatbot neemt geen besluiten", true, "chatbot"},
	{"facial recognition", "no facial recognition", false, NULL},
};

static void test_matching(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(match_cases); i++) {
		const struct match_case *c = &match_cases[i];
		char yaml[1024];
		snprintf(yaml, sizeof yaml,
			 PACK_HEAD "indicators:\n  - {id: t, kind: k, point: \"p1\", terms: [%s: 1]}\n", c->term);
		struct aia_screen *s = load(yaml);
		struct aia_screen_result res;
		screen(s, "goal", c->text, &res);
		CHECK((res.n == 1) == c->found, "case %zu: %s in \"%s\": %zu findings", i, c->term, c->text, res.n);
		if (res.n == 1 && c->match)
			CHECK(!strcmp(res.findings[0].evidence[0].match, c->match), "case %zu: matched \"%s\"", i,
			      res.findings[0].evidence[0].match);
		aia_screen_result_cleanup(&res);
		aia_screen_free(s);
	}
}

struct score_case {
	const char *indicators;  /* YAML list items */
	const char *name, *goal, *risks;
	double confidence;       /* < 0: no finding */
	size_t nevidence;
};

static const struct score_case score_cases[] = {
	/* noisy-or of distinct terms: 1 - 0.5 * 0.7 */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.5, b: 0.3]}\n", "a", "b", "", 0.65, 2},
	/* a term counts once however often it occurs */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.5, b: 0.3]}\n", "a a", "a", "", 0.5, 1},
	/* below the pack's default of 0.5 */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.3, b: 0.3]}\n", "a", "", "", -1, 0},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.3, b: 0.3]}\n", "a", "b", "", 0.51, 2},
	/* an indicator's own threshold */
	{"  - {id: t, kind: k, point: \"p1\", min_confidence: 0.2, terms: [a: 0.3]}\n", "a", "", "", 0.3, 1},
	/* overlapping terms on one word count once, the heavier stays */
	{"  - {id: t, kind: k, point: \"p1\", terms: [uitkering: 0.45, \"*uitkering\": 0.45]}\n", "uitkering", "", "", -1, 0},
	/* a term counts at its first occurrence: inside a heavier term's, it adds nothing */
	{"  - {id: t, kind: k, point: \"p1\", terms: [uitkering: 0.45, \"*uitkering\": 0.45]}\n", "uitkering",
	 "bijstandsuitkering", "", -1, 0},
	{"  - {id: t, kind: k, point: \"p1\", terms: [uitkering: 0.45, \"*uitkering\": 0.45]}\n", "bijstandsuitkering",
	 "uitkering", "", 0.6975, 2},
	{"  - {id: t, kind: k, point: \"p1\", terms: [chatbot*: 0.8, chat*: 0.4]}\n", "chatbot", "chatbot en chat", "", 0.8, 1},
	{"  - {id: t, kind: k, point: \"p1\", terms: [recidive*: 0.6, recidiverisico: 0.7]}\n", "recidiverisico", "", "", 0.7, 1},
	/* require: context without weight; missing context silences */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], require: [[c, d]]}\n", "a", "", "", -1, 0},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], require: [[c, d]]}\n", "a", "d", "", 0.6, 2},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], require: [[c], [d]]}\n", "a", "d", "", -1, 0},
	/* exclude */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], exclude: [x]}\n", "a", "x", "", -1, 0},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], exclude: [x]}\n", "a", "geen x", "", 0.6, 1},
	/* fields: only where the indicator looks */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], fields: [risks]}\n", "a", "a", "", -1, 0},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.6], fields: [risks]}\n", "", "", "a", 0.6, 1},
	/* two indicators of one point pool their terms; other points stay apart */
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.5]}\n  - {id: u, kind: k, point: \"p1\", terms: [b: 0.5, a: 0.4]}\n",
	 "a", "b", "", 0.75, 2},
	{"  - {id: t, kind: k, point: \"p1\", terms: [a: 0.5]}\n  - {id: u, kind: k, point: \"p2\", terms: [b: 0.5]}\n",
	 "a", "b", "", 0.5, 1},
};

static void test_scoring(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(score_cases); i++) {
		const struct score_case *c = &score_cases[i];
		char yaml[2048];
		snprintf(yaml, sizeof yaml, PACK_HEAD "indicators:\n%s", c->indicators);
		struct aia_screen *s = load(yaml);
		struct aia_screen_result res;
		json_t *rec = json_pack("{s:s,s:s,s:s}", "name", c->name, "goal", c->goal, "risks", c->risks);
		aia_screen_record(s, rec, &res);
		if (c->confidence < 0) {
			CHECK(res.n == 0, "case %zu: %zu findings", i, res.n);
		} else {
			CHECK(res.n >= 1, "case %zu: no finding", i);
			const struct aia_screen_finding *f = &res.findings[0];
			CHECK(fabs(f->confidence - c->confidence) < 1e-9, "case %zu: confidence %f", i, f->confidence);
			CHECK(f->nevidence == c->nevidence, "case %zu: %zu evidence", i, f->nevidence);
		}
		aia_screen_result_cleanup(&res);
		json_decref(rec);
		aia_screen_free(s);
	}
}

/* Evidence: field, term as written, the matched words, an excerpt cut at word
 * boundaries, ordered by field and position; the JSON form. */
static void test_evidence_and_json(void **state)
{
	(void)state;
	struct aia_screen *s = load(PACK_HEAD "indicators:\n"
					      "  - {id: t, kind: k, point: \"p2\", profiling: true,\n"
					      "     terms: [Risicoprofiel*: 0.5, bijstand: 0.4], require: [[inwoners]]}\n");
	char goal[2048];
	snprintf(goal, sizeof goal, "<p>%s de gemeente maakt risicoprofielen van inwoners die bijstand krijgen. %s</p>",
		 "Dit is een lange inleiding die niets zegt over het doel van het algoritme, maar wel veel woorden heeft,",
		 "Daarna volgt nog een lange zin die ook niets toevoegt aan de zaak, behalve lengte en nog meer woorden.");
	json_t *rec = json_pack("{s:s,s:s,s:s}", "name", "Bijstand", "goal", goal, "lars", "12345678");
	struct aia_screen_result res;
	aia_screen_record(s, rec, &res);
	assert_int_equal(res.n, 1);
	const struct aia_screen_finding *f = &res.findings[0];
	assert_string_equal(f->kind, "k");
	assert_string_equal(f->point, "p2");
	assert_true(f->profiling);
	assert_int_equal(f->nindicators, 1);
	assert_string_equal(f->indicators[0], "t");
	assert_int_equal(f->nevidence, 3);
	assert_string_equal(f->evidence[0].field, "name");
	assert_string_equal(f->evidence[0].term, "bijstand");
	assert_string_equal(f->evidence[0].match, "Bijstand");
	assert_string_equal(f->evidence[1].field, "goal");
	assert_string_equal(f->evidence[1].term, "Risicoprofiel*");
	assert_string_equal(f->evidence[1].match, "risicoprofielen");
	assert_true(f->evidence[1].weight == 0.5);
	assert_string_equal(f->evidence[2].match, "inwoners");
	assert_true(f->evidence[2].weight == 0.0);
	const char *ex = f->evidence[1].excerpt;
	CHECK(!strncmp(ex, "\xE2\x80\xA6", 3) && strstr(ex, "maakt risicoprofielen van inwoners") &&
		      !strcmp(ex + strlen(ex) - 3, "\xE2\x80\xA6") && !strchr(ex, '<'),
	      "excerpt \"%s\"", ex);
	CHECK(strlen(ex) < 2 * 70 + 40, "excerpt of %zu bytes", strlen(ex));

	struct buf out;
	struct jsonw w;
	buf_init(&out, 0);
	jsonw_init(&w, &out);
	aia_screen_result_write(&res, &w);
	assert_int_equal(jsonw_error(&w), 0);
	json_error_t je;
	json_t *arr = json_loads(buf_str(&out), 0, &je);
	CHECK(arr, "not JSON: %s", buf_str(&out));
	json_t *jf = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(jf, "kind")), "k");
	assert_string_equal(json_string_value(json_object_get(jf, "point")), "p2");
	assert_true(json_is_true(json_object_get(jf, "profiling")));
	assert_true(fabs(json_number_value(json_object_get(jf, "confidence")) - 0.7) < 1e-9);
	CHECK(strstr(buf_str(&out), "\"confidence\":0.7,"), "two decimals at most: %s", buf_str(&out));
	json_t *ev = json_array_get(json_object_get(jf, "evidence"), 1);
	assert_string_equal(json_string_value(json_object_get(ev, "field")), "goal");
	assert_string_equal(json_string_value(json_object_get(ev, "term")), "Risicoprofiel*");
	assert_string_equal(json_string_value(json_object_get(ev, "match")), "risicoprofielen");
	assert_true(json_number_value(json_object_get(ev, "weight")) == 0.5);
	assert_non_null(json_object_get(ev, "excerpt"));
	json_decref(arr);
	buf_cleanup(&out);
	aia_screen_result_cleanup(&res);
	json_decref(rec);
	aia_screen_free(s);
}

/* Long and odd input: one enormous word, many words, stray bytes - no crash, and
 * the work stays linear (a quadratic matcher would take minutes here). */
static void test_long_input(void **state)
{
	(void)state;
	size_t n = 4u << 20;
	char *text = xmalloc(n + 1);
	memset(text, 'a', n);
	text[n] = '\0';
	struct aia_screen_result res;
	screen(shipped, "goal", text, &res);
	assert_int_equal(res.n, 0);
	aia_screen_result_cleanup(&res);
	for (size_t i = 0; i < n; i++)
		text[i] = "chatbot bijzondere bijstand \xC3\xA9&<>;\n"[i % 35];
	text[n - 1] = '<';
	screen(shipped, "goal", text, &res);
	CHECK(find(&res, "art50", "50(1)") && find(&res, "annex3", "5(a)"), "findings in a long text");
	aia_screen_result_cleanup(&res);
	/* tag openings that never close, and entity openings that never end */
	for (size_t i = 0; i < n; i++)
		text[i] = "<a&b"[i % 4];
	screen(shipped, "goal", text, &res);
	assert_int_equal(res.n, 0);
	aia_screen_result_cleanup(&res);
	free(text);
}

/* ---- broken packs ---- */

struct bad_case {
	const char *yaml;
	const char *err;  /* expected message, file and line included */
};

#define KINDS "kinds:\n  k:\n    points: {\"p1\": {nl: a, en: a}, \"p2\": {nl: b, en: b}}\n"

static const struct bad_case bad_cases[] = {
	{"", "t.yaml:1: the document is empty"},
	{"version: \"t\"\nfields: [goal\n", "t.yaml:3:"},
	{"- a\n", "t.yaml:1: the pack must be a mapping"},
	{"version: \"t\"\nfieldz: [goal]\n", "t.yaml:1: unknown key \"fieldz\" in the pack"},
	{"version: 3\nfields: [goal]\n", "t.yaml:1: \"version\" must be a quoted string"},
	{"version: \"t\"\nfields: [goal, stakeholders]\n" KINDS,
	 "t.yaml:1: \"fields\": \"stakeholders\" is not a searchable text field of the record"},
	{"version: \"t\"\nfields: [goal, goal]\n" KINDS, "t.yaml:1: \"fields\": \"goal\" is listed twice"},
	{"version: \"t\"\nfields: [goal]\nkinds:\n  k:\n    points: {\"p1\": {nl: a}, \"p2\": {nl: b, en: b}}\n",
	 "t.yaml:5: point \"p1\" of \"k\" needs a Dutch (nl) and an English (en) title"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators: []\n", "t.yaml:1: \"indicators\" must be a non-empty list"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: x\n    point: \"p1\"\n    terms: [b: 1]\n",
	 "t.yaml:7: indicator \"a\": kind \"x\" is not declared under \"kinds\""},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p9\"\n    terms: [b: 1]\n",
	 "t.yaml:7: indicator \"a\": point \"p9\" is not a point of k"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - b: 0.5\n      - c: 1.5\n",
	 "t.yaml:12: the weight of \"c\" must be a number above 0 and at most 1"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - b: 0.5\n      - c: heavy\n",
	 "t.yaml:12: the weight of \"c\" must be a number above 0 and at most 1"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - b: 0.5\n      - \"fr*ude\": 0.5\n",
	 "t.yaml:12: term \"fr*ude\": '*' may only open the start or end of a word"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - \"ab*\": 0.5\n",
	 "t.yaml:11: term \"ab*\": a word with '*' needs at least 3 letters"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - \"--\": 0.5\n",
	 "t.yaml:11: term \"--\" has no words"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - Fraude: 0.5\n      - fraude: 0.5\n",
	 "t.yaml:12: indicator \"a\" lists \"fraude\" twice"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms:\n"
	 "      - b: 0.2\n",
	 "t.yaml:7: indicator \"a\" can never fire: all its terms together stay below min_confidence"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms: [b: 1]\n"
	 "    require: [c]\n",
	 "t.yaml:7: each \"require\" group must be a non-empty list of terms"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms: [b: 1]\n"
	 "    fields: [risks]\n",
	 "t.yaml:7: indicator \"a\": field \"risks\" is not in the pack's \"fields\""},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - id: a\n    kind: k\n    point: \"p1\"\n    terms: [b: 1]\n"
	 "    wieght: 1\n",
	 "t.yaml:7: unknown key \"wieght\" in an indicator"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - {id: a, kind: k, point: \"p1\", terms: [b: 1]}\n"
	 "  - {id: a, kind: k, point: \"p2\", terms: [b: 1]}\n",
	 "t.yaml:8: indicator id \"a\" is used twice"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - {id: A b, kind: k, point: \"p1\", terms: [b: 1]}\n",
	 "t.yaml:7: an indicator needs an \"id\" of lower-case letters, digits and '-'"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "indicators:\n  - {id: a, kind: k, point: \"p1\", terms: [*b: 1]}\n",
	 "t.yaml:7:"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "negation: {gap: 9}\n"
	 "indicators:\n  - {id: a, kind: k, point: \"p1\", terms: [b: 1]}\n",
	 "t.yaml:6: negation \"gap\" must be a whole number of words from 0 to 3"},
	{"version: \"t\"\nfields: [goal]\n" KINDS "min_confidence: 0\n"
	 "indicators:\n  - {id: a, kind: k, point: \"p1\", terms: [b: 1]}\n",
	 "t.yaml:1: min_confidence must be a number above 0 and at most 1"},
};

static void test_broken_packs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		char err[512] = "";
		struct aia_screen *s = (struct aia_screen *)1;
		int rc = aia_screen_load("t.yaml", c->yaml, strlen(c->yaml), &s, err, sizeof err);
		CHECK(rc == -1 && s == NULL, "case %zu: accepted", i);
		CHECK(!strncmp(err, c->err, strlen(c->err)), "case %zu: \"%s\", expected \"%s\"", i, err, c->err);
	}
}

/* ---- the CLI ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;
	buf_init(&b, 0);
	while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	if (f)
		fclose(f);
	return buf_release(&b, NULL);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Runs cli_screen with stdout and stderr captured in *out and *err (caller frees). */
static int run_cli(char **out, char **err, int argc, const char **argv)
{
	char op[] = "/tmp/aireg-screen-outXXXXXX", ep[] = "/tmp/aireg-screen-errXXXXXX";
	int of = mkstemp(op), ef = mkstemp(ep);
	assert_true(of >= 0 && ef >= 0);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	dup2(of, 1);
	dup2(ef, 2);
	int rc = cli_screen(argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(of);
	close(ef);
	*out = slurp(op);
	*err = slurp(ep);
	unlink(op);
	unlink(ep);
	return rc;
}

static void test_cli(void **state)
{
	(void)state;
	char dir[] = "/tmp/aireg-screen-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char scrape[512], v1[512], bad[512], pack[512], badpack[512];
	snprintf(scrape, sizeof scrape, "%s/algoritmes.json", dir);
	snprintf(v1, sizeof v1, "%s/records.json", dir);
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	snprintf(pack, sizeof pack, "%s/pack.yaml", dir);
	snprintf(badpack, sizeof badpack, "%s/badpack.yaml", dir);
	/* the scraped shape, as data/seed/algoritmes.json */
	spit(scrape, "{\"algoritmes\": ["
		     "{\"id\": \"11111111\", \"title\": \"Chatbot Gem\", \"organisatie\": \"Gemeente A\", \"doel\": \"Vragen beantwoorden.\","
		     " \"juridische_basis\": \"\", \"status\": \"in_gebruik\"},"
		     "{\"id\": \"22222222\", \"title\": \"Hondenbelasting\", \"organisatie\": \"Gemeente A\", \"doel\": \"Berekenen.\","
		     " \"juridische_basis\": \"Gemeentewet\", \"status\": \"in_gebruik\"},"
		     "{\"id\": \"33333333\", \"title\": \"Beoordelen bijstandsaanvraag\", \"organisatie\": \"Gemeente B\","
		     " \"doel\": \"Een risicoscore per aanvrager.\", \"juridische_basis\": \"Participatiewet\", \"status\": \"in_gebruik\"}]}");
	spit(v1, "[{\"lars\": \"44444444\", \"name\": \"Werving\", \"goal\": \"Selectie van sollicitanten op hun cv\"}]");
	spit(bad, "{\"algoritmes\": [");
	spit(pack, PACK_HEAD "indicators:\n  - {id: t, kind: k, point: \"p2\", terms: [hondenbelasting: 1]}\n");
	spit(badpack, PACK_HEAD "indicators:\n  - {id: t, kind: k, point: \"p3\", terms: [a: 1]}\n");

	char *out, *err;
	const char *a1[] = {scrape};
	assert_int_equal(run_cli(&out, &err, 1, a1), 0);
	/* one line per flagged entry, in file order; the dog tax is not flagged */
	char *nl = strchr(out, '\n');
	assert_non_null(nl);
	json_error_t je;
	json_t *l1 = json_loadb(out, (size_t)(nl - out), 0, &je), *l2 = json_loads(nl + 1, 0, &je);
	CHECK(l1 && l2, "two JSON lines: %s", out);
	assert_string_equal(json_string_value(json_object_get(l1, "id")), "11111111");
	assert_string_equal(json_string_value(json_object_get(l1, "name")), "Chatbot Gem");
	json_t *f = json_array_get(json_object_get(l1, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "art50");
	assert_string_equal(json_string_value(json_object_get(f, "point")), "50(1)");
	assert_true(json_is_number(json_object_get(f, "confidence")));
	assert_true(json_is_array(json_object_get(f, "evidence")));
	assert_string_equal(json_string_value(json_object_get(l2, "id")), "33333333");
	f = json_array_get(json_object_get(l2, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "point")), "5(a)");
	assert_true(json_is_true(json_object_get(f, "profiling")));
	assert_string_equal(err, "");
	json_decref(l1);
	json_decref(l2);
	free(out);
	free(err);

	/* --all: every record; v1.0 keys; --indicators with another pack */
	const char *a2[] = {"--all", scrape};
	assert_int_equal(run_cli(&out, &err, 2, a2), 0);
	size_t lines = 0;
	for (char *c = out; *c; c++)
		lines += *c == '\n';
	CHECK(lines == 3 && strstr(out, "{\"id\":\"22222222\",\"name\":\"Hondenbelasting\",\"findings\":[]}"), "--all: %s", out);
	free(out);
	free(err);
	const char *a3[] = {v1};
	assert_int_equal(run_cli(&out, &err, 1, a3), 0);
	CHECK(strstr(out, "\"id\":\"44444444\"") && strstr(out, "\"point\":\"4(a)\""), "v1.0 records: %s", out);
	free(out);
	free(err);
	char opt[600];
	snprintf(opt, sizeof opt, "--indicators=%s", pack);
	const char *a4[] = {opt, scrape};
	assert_int_equal(run_cli(&out, &err, 2, a4), 0);
	CHECK(!strncmp(out, "{\"id\":\"22222222\",", 17) && strstr(out, "\"point\":\"p2\"") && !strchr(out, '\n')[1],
	      "--indicators: %s", out);
	free(out);
	free(err);
	const char *a5[] = {"--points"};
	assert_int_equal(run_cli(&out, &err, 1, a5), 0);
	const char *first = "{\"kind\":\"art5\",\"point\":\"5(1)(a)\",\"title_nl\":";
	CHECK(!strncmp(out, first, strlen(first)), "--points: %s", out);
	free(out);
	free(err);

	/* errors: usage 2, rejected input or pack 3, I/O and database 1 */
	struct {
		int argc;
		const char *argv[3];
		int rc;
		const char *err;
	} errs[] = {
		{1, {"--bogus"}, 2, "aireg: unknown option --bogus (see aireg screen --help)\n"},
		{2, {"a", "b"}, 2, "aireg: screen takes one FILE; also given: b"},
		{1, {"--db"}, 2, "aireg: this option needs a value: --db"},
		{1, {bad}, 3, "aireg: "},
		{2, {"--indicators", badpack}, 3, "aireg: "},
		{1, {"/nonexistent/x.json"}, 1, "aireg: /nonexistent/x.json: No such file or directory\n"},
		{2, {"--db", "/nonexistent/aireg.db"}, 1, "aireg: cannot open database /nonexistent/aireg.db"},
	};
	for (size_t i = 0; i < ARRAY_LEN(errs); i++) {
		int rc = run_cli(&out, &err, errs[i].argc, errs[i].argv);
		CHECK(rc == errs[i].rc, "error case %zu: exit %d", i, rc);
		CHECK(!strncmp(err, errs[i].err, strlen(errs[i].err)) && !strchr(err, '\n')[1], "error case %zu: \"%s\"", i, err);
		CHECK(!*out, "error case %zu printed \"%s\"", i, out);
		free(out);
		free(err);
	}
	/* a broken pack names file, line and cause */
	const char *a6[] = {"--indicators", badpack, scrape};
	run_cli(&out, &err, 3, a6);
	char want[700];
	snprintf(want, sizeof want, "aireg: %s:8: indicator \"t\": point \"p3\" is not a point of k\n", badpack);
	assert_string_equal(err, want);
	free(out);
	free(err);
	/* a malformed file names the file and where */
	const char *a7[] = {bad};
	run_cli(&out, &err, 1, a7);
	CHECK(strstr(err, bad) && strstr(err, "line"), "malformed: %s", err);
	free(out);
	free(err);
	unlink(scrape);
	unlink(v1);
	unlink(bad);
	unlink(pack);
	unlink(badpack);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_pack),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_empty_records),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_scoring),
		cmocka_unit_test(test_evidence_and_json),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_broken_packs),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
