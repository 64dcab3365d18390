/* Unit tests for aia_tree.c: the Beslishulp decision tree.
 *
 * The conformance test walks every one of the 3,140 answer paths of the oracle
 * (tests/data/beslishulp-all-paths.tsv, derived from the tree with the
 * upstream frontend's semantics) and asserts exactly its conclusion and label
 * set. The runner starts the tests from the repository root. */
#include "testutil.h"

#include "aia_tree.h"
#include "buf.h"
#include "embedded.h"

#define ORACLE "tests/data/beslishulp-all-paths.tsv"
#define ORACLE_PATHS 3140

static struct aia_tree *tree;

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (aia_tree_load_embedded(&tree, err, sizeof err)) {
		fprintf(stderr, "loading the embedded tree: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	aia_tree_free(tree);
	return 0;
}

static void join_labels(const struct aia_tree_result *r, struct buf *b)
{
	for (size_t i = 0; i < r->nlabels; i++)
		buf_printf(b, "%s%s", i ? "|" : "", r->labels[i]);
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_conformance(void **state)
{
	(void)state;
	FILE *f = fopen(ORACLE, "r");
	char line[4096], err[512];
	size_t n = 0, ok = 0, lineno = 0;
	char **paths = calloc(ORACLE_PATHS + 1, sizeof *paths);
	CHECK(f, "cannot open %s (run from the repository root)", ORACLE);
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		char *concl = line, *labels = strchr(line, '\t');
		char *path = labels ? strchr(labels + 1, '\t') : NULL;
		CHECK(path, "%s:%zu: not three columns", ORACLE, lineno);
		*labels++ = '\0';
		*path++ = '\0';
		CHECK(n < ORACLE_PATHS, "%s: more than %d paths", ORACLE, ORACLE_PATHS);
		paths[n++] = strdup(path);

		struct aia_tree_result r;
		struct buf got, again;
		buf_init(&got, 0);
		buf_init(&again, 0);
		CHECK(!aia_tree_classify(tree, path, &r, err, sizeof err), "%s:%zu: %s: %s", ORACLE, lineno, path, err);
		join_labels(&r, &got);
		CHECK(!strcmp(r.conclusion->id, concl), "%s:%zu: %s: conclusion %s, oracle %s", ORACLE, lineno, path,
		      r.conclusion->id, concl);
		CHECK(!strcmp(buf_str(&got), labels), "%s:%zu: %s: labels %s, oracle %s", ORACLE, lineno, path,
		      buf_str(&got), labels);
		/* byte order, no duplicates: the oracle's encoding */
		for (size_t i = 1; i < r.nlabels; i++)
			CHECK(strcmp(r.labels[i - 1], r.labels[i]) < 0, "%s: labels not sorted", path);
		assert_non_null(r.conclusion->text);
		assert_null(r.next);
		assert_int_equal(aia_tree_result_answers(&r, &again), 0);
		CHECK(!strcmp(buf_str(&again), path), "%s: path written back as %s", path, buf_str(&again));

		/* The wizard's view: every prefix stops at the question the path answers next. */
		for (size_t k = 0; k < r.nsteps; k++) {
			struct aia_tree_result p;
			struct buf prefix;
			buf_init(&prefix, 0);
			for (size_t j = 0; j < k; j++)
				buf_printf(&prefix, "%s%s=%zu", j ? "," : "", r.steps[j].question->id, r.steps[j].index);
			CHECK(!aia_tree_step(tree, buf_str(&prefix), &p, err, sizeof err), "%s: prefix %s: %s", path,
			      buf_str(&prefix), err);
			CHECK(p.next == r.steps[k].question && !p.conclusion, "%s: after %s the next question is %s", path,
			      buf_str(&prefix), p.next ? p.next->id : "(none)");
			aia_tree_result_cleanup(&p);
			buf_cleanup(&prefix);
		}
		aia_tree_result_cleanup(&r);
		buf_cleanup(&got);
		buf_cleanup(&again);
		ok++;
	}
	fclose(f);
	/* Each oracle path is distinct, and there are exactly as many as the tree
	 * has complete paths: so the oracle lists every path, each once. */
	qsort(paths, n, sizeof *paths, path_cmp);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(paths[i - 1], paths[i]), "%s: path %s listed twice", ORACLE, paths[i]);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	assert_int_equal(n, ORACLE_PATHS);
	assert_int_equal(ok, ORACLE_PATHS);
	assert_int_equal(tree->npaths, ORACLE_PATHS);
	print_message("conformance: %zu of %zu oracle paths give exactly the oracle's conclusion and labels\n", ok,
		      n);
}

static void test_shape(void **state)
{
	(void)state;
	assert_int_equal(tree->nquestions, 22);
	assert_int_equal(tree->nconclusions, 50);
	assert_string_equal(tree->name, "Beslishulp AI-verordening");
	assert_string_equal(aia_tree_first(tree)->id, "1.1");
	assert_string_equal(tree->file, AIA_TREE_EMBEDDED_PATH);

	const struct aia_question *q = aia_tree_question(tree, "1.2");
	assert_non_null(q);
	assert_int_equal(q->nanswers, 9);
	assert_string_equal(q->answers[0].text, "We ontwikkelen enkel");
	assert_int_equal(q->answers[0].nlabels, 1);
	assert_string_equal(q->answers[0].labels[0], "aanbieder");
	assert_non_null(q->answers[3].subresult);
	assert_null(q->answers[0].subresult);
	assert_int_equal(q->answers[0].kind, AIA_NEXT_QUESTION);
	assert_string_equal(tree->questions[q->answers[0].target].id, "1.3");
	assert_int_equal(q->answers[8].kind, AIA_NEXT_CONCLUSION);
	assert_string_equal(tree->conclusions[q->answers[8].target].id, "11.3");
	assert_non_null(strstr(q->explanation, "substanti"));
	assert_int_equal(q->nsources, 2);
	assert_string_equal(q->sources[0].title, "Artikel 3 - Definities");
	assert_non_null(strstr(q->sources[0].url, "eur-lex.europa.eu"));
	assert_string_equal(q->subcategory, "Verantwoordelijkheid");

	q = aia_tree_question(tree, "2.9");
	assert_non_null(q);
	assert_int_equal(q->answers[1].kind, AIA_NEXT_REDIRECTS);
	assert_int_equal(q->answers[1].nredirects, 14);
	assert_string_equal(aia_cond_text(q->answers[1].redirects[0].cond),
			    "!(\"open-source\" in labels) && !(\"geen open-source\" in labels) && "
			    "!(\"hoog-risico AI\" in labels)");

	const struct aia_conclusion *c = aia_tree_conclusion(tree, "12.0.2");
	assert_non_null(c);
	assert_non_null(strstr(c->text, "hoog-risico AI-systeem"));
	assert_true(c->nsources > 0);
	assert_true(*c->obligation);
	assert_string_equal(aia_tree_conclusion(tree, "11.0")->id, "11.0");
	assert_int_equal(aia_tree_conclusion(tree, "11.0")->nsources, 0);

	assert_null(aia_tree_question(tree, "9.9"));
	assert_null(aia_tree_question(tree, ""));
	assert_null(aia_tree_question(tree, NULL));
	assert_null(aia_tree_question(tree, "11.0"));  /* a conclusion, not a question */
	assert_null(aia_tree_conclusion(tree, "1.1"));
}

/* A path through redirects: the trace names each step and the condition that fired. */
static void test_trace(void **state)
{
	(void)state;
	struct aia_tree_result r;
	char err[512];
	const char *path = "1.1=0,1.2=2,1.3=0,1.4.1=0,1.5=1,2.0=0,2.1=1,2.3=2,2.4=1,2.11=1,2.9=1";
	assert_int_equal(aia_tree_classify(tree, path, &r, err, sizeof err), 0);
	assert_string_equal(r.conclusion->id, "14.0.4");
	assert_int_equal(r.nsteps, 11);
	assert_string_equal(r.steps[0].question->id, "1.1");
	assert_string_equal(r.steps[0].answer->text, "Ja");
	assert_null(r.steps[0].redirect);
	assert_string_equal(r.steps[1].question->id, "1.2");
	assert_int_equal(r.steps[1].index, 2);
	assert_int_equal(r.steps[1].answer->nlabels, 2);
	/* 1.5 "Nee" goes on by its first redirect */
	assert_string_equal(r.steps[4].question->id, "1.5");
	assert_non_null(r.steps[4].redirect);
	assert_ptr_equal(r.steps[4].redirect, &r.steps[4].answer->redirects[0]);
	/* 2.11 back to 2.9: the redirect of the guarded loop */
	assert_string_equal(r.steps[9].question->id, "2.11");
	assert_non_null(strstr(aia_cond_text(r.steps[9].redirect->cond), "!(\"transparantieverplichting\" in labels)"));
	/* 2.9 "Nee" then the 4th redirect: aanbieder && gebruiksverantwoordelijke && AI-systeem && geen hoog-risico */
	assert_ptr_equal(r.steps[10].redirect, &r.steps[10].answer->redirects[3]);
	const char *want[] = {"AI-systeem", "aanbieder", "gebruiksverantwoordelijke", "geen hoog-risico AI",
			      "geen open-source", "geen transparantieverplichting", "in gebruik"};
	assert_int_equal(r.nlabels, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(r.labels[i], want[i]);
	aia_tree_result_cleanup(&r);
	assert_null(r.labels);
	assert_null(r.steps);
}

static void test_step(void **state)
{
	(void)state;
	struct aia_tree_result r;
	char err[512];
	assert_int_equal(aia_tree_step(tree, "", &r, err, sizeof err), 0);
	assert_ptr_equal(r.next, aia_tree_first(tree));
	assert_null(r.conclusion);
	assert_int_equal(r.nsteps, 0);
	assert_int_equal(r.nlabels, 0);
	aia_tree_result_cleanup(&r);
	assert_int_equal(aia_tree_step(tree, NULL, &r, err, sizeof err), 0);
	aia_tree_result_cleanup(&r);

	assert_int_equal(aia_tree_step(tree, " 1.1 = 0 ,\t1.2=4 ", &r, err, sizeof err), 0);
	assert_string_equal(r.next->id, "1.3");
	assert_int_equal(r.nlabels, 1);
	assert_string_equal(r.labels[0], "gebruiksverantwoordelijke");
	aia_tree_result_cleanup(&r);

	/* a step may also end the path */
	assert_int_equal(aia_tree_step(tree, "1.1=1", &r, err, sizeof err), 0);
	assert_string_equal(r.conclusion->id, "11.0");
	assert_null(r.next);
	aia_tree_result_cleanup(&r);

	/* the structured form, as a wizard holds it */
	const struct aia_tree_choice choices[] = {{"1.1", 0}, {"1.2", 6}, {"1.3", 1}, {"1.4.1", 1}, {"1.4.2", 1}};
	assert_int_equal(aia_tree_walk(tree, choices, 5, &r, err, sizeof err), 0);
	assert_string_equal(r.conclusion->id, "15.2.1");  /* importer of a GPAI model: redirect #3 */
	assert_ptr_equal(r.steps[4].redirect, &r.steps[4].answer->redirects[2]);
	aia_tree_result_cleanup(&r);
}

struct walk_err {
	const char *answers;
	const char *cause;  /* the whole message */
};

static const struct walk_err walk_errs[] = {
	{"", "the answers end before a conclusion: question 1.1 is next"},
	{"1.1=0,1.2=0", "the answers end before a conclusion: question 1.3 is next"},
	{"1.1=0,1.2=0,1.3=0,1.4.1=0,1.5=1,2.0=0,2.1=0",
	 "the answers end before a conclusion: question 2.2 is next"},
	{"9.9=0", "answer #1 (9.9=0): the tree has no question 9.9"},
	{"1.1=0,11.0=0", "answer #2 (11.0=0): the tree has no question 11.0"},
	{"1.1=2", "answer #1 (1.1=2): question 1.1 has answers 0 to 1, not 2"},
	{"1.1=0,1.2=9", "answer #2 (1.2=9): question 1.2 has answers 0 to 8, not 9"},
	{"1.2=0", "answer #1 (1.2=0): question 1.2 is not on the path, question 1.1 is next"},
	{"1.1=0,1.3=0", "answer #2 (1.3=0): question 1.3 is not on the path, question 1.2 is next"},
	{"1.1=0,1.2=0,1.2=0", "answer #3 (1.2=0): question 1.2 is not on the path, question 1.3 is next"},
	{"1.1=0,1.2=4,1.3=0,1.4.1=1,1.4.1=0",
	 "answer #5 (1.4.1=0): question 1.4.1 is not on the path, question 1.4.2 is next"},
	{"1.1=1,1.2=0", "answer #2 (1.2=0): left over, the answers already reached conclusion 11.0"},
	{"1.1=1,9.9=0", "answer #2 (9.9=0): left over, the answers already reached conclusion 11.0"},
	{"1.1=0,1.2=8,1.3=0", "answer #3 (1.3=0): left over, the answers already reached conclusion 11.3"},
	{"1.1", "answer #1 (1.1): expected QUESTION=INDEX"},
	{"=0", "answer #1 (=0): expected QUESTION=INDEX"},
	{"1.1=", "answer #1 (1.1=): the answer index must be a number from 0"},
	{"1.1=-1", "answer #1 (1.1=-1): the answer index must be a number from 0"},
	{"1.1=x", "answer #1 (1.1=x): the answer index must be a number from 0"},
	{"1.1=0=1", "answer #1 (1.1=0=1): the answer index must be a number from 0"},
	{"1.1=1 0", "answer #1 (1.1=1 0): the answer index must be a number from 0"},
	{"1.1=99999999999999999999", "answer #1 (1.1=99999999999999999999): the answer index must be a number from 0"},
	{"1.1=0,", "answer #2 is empty"},
	{",1.1=0", "answer #1 is empty"},
	{"1.1=0,,1.2=0", "answer #2 is empty"},
	{"1.1=0, ,1.2=0", "answer #2 is empty"},
	{"1.1=0;1.2=0", "answer #1 (1.1=0;1.2=0): the answer index must be a number from 0"},
	{"1.1\t=\x1b[0", "answer #1 (1.1?=?[0): the answer index must be a number from 0"},
	{"1.1\x1b=0", "answer #1 (1.1?=0): the tree has no question 1.1?"},
	{"1.1=0,1.2=0,1.3=0,1.4.1=0,1.5=0,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=0",
	 "answer #6 (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...=0): left over, the answers already reached "
	 "conclusion 11.2"},
};

static void test_walk_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof walk_errs / sizeof *walk_errs; i++) {
		struct aia_tree_result r;
		char err[512];
		memset(&r, 0x5a, sizeof r);
		CHECK(aia_tree_classify(tree, walk_errs[i].answers, &r, err, sizeof err) == -1, "row %zu (%s) passed", i,
		      walk_errs[i].answers);
		CHECK(!strcmp(err, walk_errs[i].cause), "row %zu (%s):\n  got  %s\n  want %s", i, walk_errs[i].answers,
		      err, walk_errs[i].cause);
		CHECK(!r.labels && !r.steps && !r.nsteps && !r.conclusion && !r.next, "row %zu: result not empty", i);
		aia_tree_result_cleanup(&r);
	}
}

static void test_walk_limits(void **state)
{
	(void)state;
	struct aia_tree_result r;
	char err[512];
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i <= AIA_TREE_ANSWERS_MAX; i++)
		buf_printf(&b, "%s1.1=0", i ? "," : "");
	assert_int_equal(aia_tree_step(tree, buf_str(&b), &r, err, sizeof err), -1);
	assert_string_equal(err, "more than 512 answers");
	buf_reset(&b);
	for (int i = 0; i < AIA_TREE_ANSWERS_MAX_LEN; i++)
		buf_putc(&b, ' ');
	buf_puts(&b, "1.1=1");
	assert_int_equal(aia_tree_step(tree, buf_str(&b), &r, err, sizeof err), -1);
	assert_string_equal(err, "the answers are longer than 8192 bytes");
	buf_cleanup(&b);

	struct aia_tree_choice many[AIA_TREE_ANSWERS_MAX + 1];
	for (size_t i = 0; i < AIA_TREE_ANSWERS_MAX + 1; i++)
		many[i] = (struct aia_tree_choice){"1.1", 0};
	assert_int_equal(aia_tree_walk(tree, many, AIA_TREE_ANSWERS_MAX + 1, &r, err, sizeof err), -1);
	struct aia_tree_choice no_id = {NULL, 0};
	assert_int_equal(aia_tree_walk(tree, &no_id, 1, &r, err, sizeof err), -1);
	assert_string_equal(err, "answer #1 (=0): the tree has no question ");
}

/* ---- loading: small trees written here ---- */

#define HEAD "name: t\nversion: \"1\"\n"

static const char good_tree[] =
	HEAD
	"questions:\n"                                   /* 3 */
	"  - questionId: \"q1\"\n"                       /* 4 */
	"    question: Eerste?\n"
	"    explanation: \"<b>uitleg</b>\"\n"
	"    sources:\n"
	"      - source: Artikel 5\n"                    /* 8 */
	"        url: https://example.org/5\n"
	"    answers:\n"
	"      - answer: Ja\n"                           /* 11 */
	"        labels: [x]\n"
	"        nextQuestionId: q2\n"
	"      - answer: Nee\n"                          /* 14 */
	"        nextConclusionId: c1\n"
	"      - answer: Misschien\n"
	"        labels: [y]\n"
	"        nextQuestionId: q3\n"
	"  - questionId: q2\n"                           /* 19 */
	"    question: Tweede?\n"
	"    answers:\n"
	"      - answer: A\n"                            /* 22 */
	"        labels: [a]\n"
	"        redirects:\n"
	"          - nextQuestionId: q3\n"               /* 25 */
	"            if: '!(\"b\" in labels)'\n"
	"          - nextConclusionId: c2\n"             /* 27 */
	"            if: '\"b\" in labels'\n"
	"      - answer: B\n"                            /* 29 */
	"        labels: [b]\n"
	"        nextConclusionId: c1\n"
	"  - questionId: q3\n"                           /* 32 */
	"    question: Derde?\n"
	"    answers:\n"
	"      - answer: Ja\n"                           /* 35 */
	"        labels: [b]\n"
	"        redirects:\n"
	"          - nextQuestionId: q2\n"               /* 38: q2 <-> q3 as 2.9 <-> 2.11 */
	"            if: '!(\"a\" in labels)'\n"
	"          - nextConclusionId: c2\n"
	"            if: '\"a\" in labels'\n"
	"conclusions:\n"
	"  - conclusionId: c1\n"                         /* 43 */
	"    conclusion: Een\n"
	"    obligation: Niets\n"
	"  - conclusionId: c2\n"                         /* 46 */
	"    conclusion: Twee\n"
	"    sources:\n"
	"      - source: Bron\n";

static void test_load_small(void **state)
{
	(void)state;
	struct aia_tree *t;
	struct aia_tree_result r;
	char err[512];
	CHECK(!aia_tree_load("small.yaml", good_tree, sizeof good_tree - 1, &t, err, sizeof err), "%s", err);
	/* q1=0,q2=0,q3=0; q1=0,q2=1; q1=1; q1=2,q3=0,q2=0; q1=2,q3=0,q2=1 */
	assert_int_equal(t->npaths, 5);
	assert_string_equal(t->name, "t");
	assert_string_equal(t->version, "1");
	assert_string_equal(t->questions[0].explanation, "<b>uitleg</b>");
	assert_string_equal(t->questions[1].explanation, "");
	assert_null(t->questions[1].category);
	assert_string_equal(t->questions[0].sources[0].url, "https://example.org/5");
	assert_string_equal(t->conclusions[1].sources[0].url, "");
	assert_string_equal(t->conclusions[1].obligation, "");
	assert_int_equal(t->questions[0].line, 4);
	assert_int_equal(t->questions[2].line, 32);
	assert_int_equal(t->questions[1].answers[0].line, 22);
	assert_int_equal(t->questions[1].answers[0].redirects[1].line, 27);
	assert_int_equal(t->conclusions[1].line, 46);
	/* the two orders of the guarded pair q2 <-> q3 */
	assert_int_equal(aia_tree_classify(t, "q1=0,q2=0,q3=0", &r, err, sizeof err), 0);
	assert_string_equal(r.conclusion->id, "c2");
	assert_ptr_equal(r.steps[2].redirect, &t->questions[2].answers[0].redirects[1]);
	aia_tree_result_cleanup(&r);
	assert_int_equal(aia_tree_classify(t, "q1=2,q3=0,q2=0", &r, err, sizeof err), 0);
	assert_string_equal(r.conclusion->id, "c2");
	assert_int_equal(r.nlabels, 3);
	assert_string_equal(r.labels[0], "a");
	assert_string_equal(r.labels[1], "b");
	assert_string_equal(r.labels[2], "y");
	aia_tree_result_cleanup(&r);
	assert_int_equal(aia_tree_step(t, "q1=2,q3=0", &r, err, sizeof err), 0);
	assert_string_equal(r.next->id, "q2");
	aia_tree_result_cleanup(&r);
	assert_int_equal(aia_tree_classify(t, "q1=2,q3=0,q3=0", &r, err, sizeof err), -1);
	assert_string_equal(err, "answer #3 (q3=0): question q3 is not on the path, question q2 is next");
	aia_tree_free(t);
	aia_tree_free(NULL);
}

/* A broken tree: good_tree with line `line` (1-based) - or `span` lines from
 * there - replaced by text ("" deletes) gives "bad.yaml:LINE: cause". */
struct broken {
	int line, span;
	const char *text;
	const char *want;  /* the message, or a prefix of it */
};

static const struct broken broken_trees[] = {
	/* dangling ids */
	{13, 1, "        nextQuestionId: q9\n",
	 "bad.yaml:11: answer q1=0: nextQuestionId \"q9\" is not a question of the tree"},
	{15, 1, "        nextConclusionId: c9\n",
	 "bad.yaml:14: answer q1=1: nextConclusionId \"c9\" is not a conclusion of the tree"},
	{27, 1, "          - nextConclusionId: q3\n",
	 "bad.yaml:27: answer q2=0, redirect #2: nextConclusionId \"q3\" is not a conclusion of the tree"},
	{25, 1, "          - nextQuestionId: c2\n",
	 "bad.yaml:25: answer q2=0, redirect #1: nextQuestionId \"c2\" is not a question of the tree"},
	/* loops the labels do not break */
	{31, 1, "        nextQuestionId: q1\n",
	 "bad.yaml:29: question q1 can be reached again from itself: q1=0,q2=1 then q1 again"},
	{13, 1, "        nextQuestionId: q1\n",
	 "bad.yaml:11: question q1 can be reached again from itself: q1=0 then q1 again"},
	{39, 1, "            if: '\"x\" in labels || !(\"a\" in labels)'\n",
	 "bad.yaml:38: question q2 can be reached again from itself: q2=0,q3=0 then q2 again"},
	/* conditions */
	{26, 1, "            if: '!(\"b\" in labels'\n",
	 "bad.yaml:25: answer q2=0, redirect #1: condition: byte 2: '(' not closed"},
	{28, 1, "            if: '\"b\" in labels &&'\n",
	 "bad.yaml:27: answer q2=0, redirect #2: condition: byte 17: unexpected end"},
	{28, 1, "            if: '\"b\" in labels & \"a\" in labels'\n",
	 "bad.yaml:27: answer q2=0, redirect #2: condition: byte 15: '&' must be '&&'"},
	{28, 1, "            if: ''\n", "bad.yaml:27: answer q2=0, redirect #2: condition: byte 1: empty condition"},
	{28, 1, "", "bad.yaml:27: answer q2=0, redirect #2: \"if\" is missing"},
	{28, 1, "            if: 3\n", "bad.yaml:27: answer q2=0, redirect #2: \"if\" must be text"},
	{28, 1, "            if: '\"hoog risico\" in labels'\n",
	 "bad.yaml:27: answer q2=0, redirect #2: condition names label \"hoog risico\", which no answer adds"},
	/* no redirect holds on a reachable path */
	{28, 1, "            if: '\"b\" in labels && \"x\" in labels'\n",
	 "bad.yaml:22: answer q2=0 leads nowhere: no redirect holds after q1=2,q3=0,q2=0 (labels y|b|a)"},
	/* ways on */
	{15, 1, "", "bad.yaml:14: answer q1=1 leads nowhere: it needs nextQuestionId, nextConclusionId or redirects"},
	{15, 1, "        nextConclusionId: c1\n        nextQuestionId: q2\n",
	 "bad.yaml:14: answer q1=1 has more than one way on"},
	{27, 1, "          - nextConclusionId: c2\n            nextQuestionId: q3\n",
	 "bad.yaml:27: answer q2=0, redirect #2 needs exactly one of nextQuestionId and nextConclusionId"},
	{24, 5, "        redirects: []\n", "bad.yaml:22: answer q2=0: \"redirects\" is empty"},
	{24, 5, "        redirects: x\n", "bad.yaml:22: answer q2=0: \"redirects\" must be a list"},
	/* ids */
	{19, 1, "  - questionId: q1\n", "bad.yaml:19: question id \"q1\" is defined twice (first at line 4)"},
	{46, 1, "  - conclusionId: c1\n", "bad.yaml:46: conclusion id \"c1\" is defined twice (first at line 43)"},
	{19, 1, "  - questionId: \"q 2\"\n", "bad.yaml:19: question #2: \"questionId\" must be at most 64 bytes"},
	{19, 1, "  - questionId: \"q,2\"\n", "bad.yaml:19: question #2: \"questionId\" must be at most 64 bytes"},
	{19, 1, "  - questionId: \"q=2\"\n", "bad.yaml:19: question #2: \"questionId\" must be at most 64 bytes"},
	{19, 1, "  - questionId: \"\"\n", "bad.yaml:19: question #2: \"questionId\" is empty"},
	{19, 1, "  - questionIdx: q2\n", "bad.yaml:19: question #2: \"questionId\" is missing"},
	{19, 1, "  - questionId: [q2]\n", "bad.yaml:19: question #2: \"questionId\" must be text"},
	{43, 1, "  - conclusionId: \"c\\t1\"\n", "bad.yaml:43: conclusion #1: \"conclusionId\" must be at most 64 bytes"},
	/* fields */
	{5, 1, "    question: \"\"\n", "bad.yaml:4: question q1: \"question\" is empty"},
	{5, 1, "    vraag: Eerste?\n", "bad.yaml:4: question q1: unknown key \"vraag\""},
	{5, 1, "    question: \"a\\0b\"\n", "bad.yaml:4: question q1: \"question\" holds a NUL byte"},
	{12, 1, "        labels: [\"x|y\"]\n",
	 "bad.yaml:11: answer q1=0: label #1 must be text of 1 to 256 bytes without '|' or control characters"},
	{12, 1, "        labels: [\"\"]\n", "bad.yaml:11: answer q1=0: label #1 must be text"},
	{12, 1, "        labels: [\"x\\ny\"]\n", "bad.yaml:11: answer q1=0: label #1 must be text"},
	{12, 1, "        labels: [[x]]\n", "bad.yaml:11: answer q1=0: label #1 must be text"},
	{12, 1, "        labels: x\n", "bad.yaml:11: answer q1=0: \"labels\" must be a list"},
	{12, 1, "        label: [x]\n", "bad.yaml:11: answer q1=0: unknown key \"label\""},
	{11, 1, "      - answer:\n", "bad.yaml:11: answer q1=0: \"answer\" is missing"},
	{8, 1, "      - source:\n", "bad.yaml:8: question q1, source #1: \"source\" is missing"},
	{8, 1, "      - title: x\n", "bad.yaml:8: question q1, source #1: unknown key \"title\""},
	{7, 3, "    sources: x\n", "bad.yaml:4: question q1: \"sources\" must be a list"},
	{44, 1, "    conclusion:\n", "bad.yaml:43: conclusion c1: \"conclusion\" is missing"},
	{45, 1, "    obligations: Niets\n", "bad.yaml:43: conclusion c1: unknown key \"obligations\""},
	{1, 1, "name: t\nextra: 1\n", "bad.yaml:1: the tree: unknown key \"extra\""},
	{1, 1, "name: [t]\n", "bad.yaml:1: the tree: \"name\" must be text"},
	{21, 11, "    answers: []\n", "bad.yaml:19: question q2: \"answers\" is empty"},
	{21, 1, "    answers:\n      - Ja\n", "bad.yaml:19: answer q2=0 must be a mapping"},
	{25, 2, "          - q3\n", "bad.yaml:22: answer q2=0, redirect #1 must be a mapping"},
	/* YAML itself */
	{5, 1, "    question: [Eerste?\n", "bad.yaml:"},
	{5, 1, "    question: &a Eerste?\n    explanation2: *a\n", "bad.yaml:"},
};

/* good_tree with lines [line, line + span) replaced by text. */
static char *patch(int line, int span, const char *text)
{
	struct buf b;
	const char *p = good_tree;
	buf_init(&b, 0);
	for (int n = 1; *p; n++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p + 1) : strlen(p);
		if (n == line)
			buf_puts(&b, text);
		else if (n < line || n >= line + span)
			buf_append(&b, p, len);
		p += len;
	}
	return buf_release(&b, NULL);
}

static void test_load_broken(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof broken_trees / sizeof *broken_trees; i++) {
		const struct broken *c = &broken_trees[i];
		char *text = patch(c->line, c->span, c->text);
		struct aia_tree *t = (struct aia_tree *)1;
		char err[512];
		int rc = aia_tree_load("bad.yaml", text, strlen(text), &t, err, sizeof err);
		CHECK(rc == -1, "row %zu (line %d) loaded", i, c->line);
		CHECK(t == NULL, "row %zu: *out not NULL", i);
		CHECK(!strncmp(err, c->want, strlen(c->want)), "row %zu:\n  got  %s\n  want %s", i, err, c->want);
		free(text);
	}
}

static void test_load_whole_file_errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{"- a\n- b\n", "w.yaml:1: the tree must be a mapping with questions and conclusions"},
		{"name: x\n", "w.yaml:1: the tree: \"questions\" is missing"},
		{"questions: []\nconclusions: []\n", "w.yaml:1: the tree: \"questions\" is empty"},
		{"questions: x\nconclusions: []\n", "w.yaml:1: the tree: \"questions\" must be a list"},
		{"questions:\n  - 7\nconclusions:\n  - conclusionId: c\n    conclusion: C\n",
		 "w.yaml:1: question #1 must be a mapping"},
		{"questions:\n  - questionId: q\n    question: Q\n    answers:\n      - answer: A\n        nextConclusionId: c\n"
		 "conclusions: []\n",
		 "w.yaml:1: the tree: \"conclusions\" is empty"},
		{"", "w.yaml:1: the document is empty"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct aia_tree *t;
		char err[512];
		CHECK(aia_tree_load("w.yaml", cases[i].yaml, strlen(cases[i].yaml), &t, err, sizeof err) == -1,
		      "row %zu loaded", i);
		CHECK(!strcmp(err, cases[i].want), "row %zu:\n  got  %s\n  want %s", i, err, cases[i].want);
	}
}

/* Every truncation of the real tree either loads or fails with file:line -
 * never crashes, never leaks (under ASan). */
static void test_load_truncated(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find(AIA_TREE_EMBEDDED_PATH);
	assert_non_null(f);
	size_t loaded = 0;
	for (size_t cut = 0; cut < f->len; cut += 997) {
		struct aia_tree *t;
		char err[512];
		if (!aia_tree_load("cut.yaml", f->data, cut, &t, err, sizeof err)) {
			loaded++;
			aia_tree_free(t);
		} else {
			CHECK(!strncmp(err, "cut.yaml:", 9), "cut at %zu: %s", cut, err);
		}
	}
	assert_int_equal(loaded, 0);  /* conclusions come last: a cut tree always lacks some */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_walk_errors),
		cmocka_unit_test(test_walk_limits),
		cmocka_unit_test(test_load_small),
		cmocka_unit_test(test_load_broken),
		cmocka_unit_test(test_load_whole_file_errors),
		cmocka_unit_test(test_load_truncated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
