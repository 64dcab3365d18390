/* fuzz_tree.c - the answers-string walk of the embedded decision tree
 * (aia_tree_step, aia_tree_classify).
 *
 * The input, up to its first NUL, is an answers string ("1.1=0, 1.2=3"). Properties:
 *  - an error leaves the result empty and names the cause;
 *  - on success exactly one of conclusion and next is set, the labels are sorted
 *    and unique, every step's answer belongs to its question, and consecutive steps
 *    follow the tree (the first is the first question);
 *  - the path written back (aia_tree_result_answers) walks to the same result;
 *  - aia_tree_classify succeeds exactly when the walk ends at a conclusion. */
#include "aia_tree.h"
#include "buf.h"
#include "fuzz.h"

static struct aia_tree *tree;

static void same(const struct aia_tree_result *a, const struct aia_tree_result *b, const char *what, const char *in)
{
	bool eq = a->conclusion == b->conclusion && a->next == b->next && a->nlabels == b->nlabels &&
		  a->nsteps == b->nsteps;
	for (size_t i = 0; eq && i < a->nlabels; i++)
		eq = !strcmp(a->labels[i], b->labels[i]);
	for (size_t i = 0; eq && i < a->nsteps; i++)
		eq = a->steps[i].question == b->steps[i].question && a->steps[i].index == b->steps[i].index;
	if (!eq) {
		fuzz_dump("answers", in, strlen(in));
		FUZZ_CHECK(0, "%s gives another result", what);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (!tree && aia_tree_load_embedded(&tree, err, sizeof err)) {
		fprintf(stderr, "aia_tree_load_embedded: %s\n", err);
		abort();
	}
	char *in = fuzz_strndup(data, size);
	struct aia_tree_result res, again;
	err[0] = '\0';
	int rc = aia_tree_step(tree, in, &res, err, sizeof err);
	if (rc) {
		FUZZ_CHECK(rc == -1, "aia_tree_step returned %d", rc);
		FUZZ_CHECK(*err, "an error without a cause");
		FUZZ_CHECK(!res.steps && !res.labels && !res.nsteps && !res.nlabels && !res.conclusion && !res.next,
			   "an error leaves a result");
		FUZZ_CHECK(aia_tree_classify(tree, in, &again, err, sizeof err) == -1, "classify accepts what step refuses");
		free(in);
		return 0;
	}
	FUZZ_CHECK(!res.conclusion != !res.next, "conclusion %p and next %p", (void *)res.conclusion, (void *)res.next);
	for (size_t i = 1; i < res.nlabels; i++)
		FUZZ_CHECK(strcmp(res.labels[i - 1], res.labels[i]) < 0, "labels not sorted and unique");
	for (size_t i = 0; i < res.nsteps; i++) {
		const struct aia_tree_step *s = &res.steps[i];
		FUZZ_CHECK(s->index < s->question->nanswers && s->answer == &s->question->answers[s->index],
			   "step %zu: answer not of its question", i);
		FUZZ_CHECK(i || s->question == aia_tree_first(tree), "the walk does not start at the first question");
		const struct aia_question *next = i + 1 < res.nsteps ? res.steps[i + 1].question : res.next;
		enum aia_next_kind kind = s->redirect ? s->redirect->kind : s->answer->kind;
		size_t target = s->redirect ? s->redirect->target : s->answer->target;
		FUZZ_CHECK(kind != AIA_NEXT_REDIRECTS, "step %zu: unresolved redirect", i);
		if (kind == AIA_NEXT_QUESTION)
			FUZZ_CHECK(next == &tree->questions[target], "step %zu does not lead to the next step", i);
		else
			FUZZ_CHECK(i + 1 == res.nsteps && res.conclusion == &tree->conclusions[target],
				   "step %zu: a conclusion before the end", i);
	}
	if (!res.nsteps)
		FUZZ_CHECK(res.next == aia_tree_first(tree), "no answers but next is not the first question");

	struct buf b;
	buf_init(&b, 0);
	FUZZ_CHECK(aia_tree_result_answers(&res, &b) == 0, "answers do not fit");
	FUZZ_CHECK(aia_tree_step(tree, buf_str(&b), &again, err, sizeof err) == 0, "written path refused: %s", err);
	same(&res, &again, "the written path", in);
	aia_tree_result_cleanup(&again);
	rc = aia_tree_classify(tree, in, &again, err, sizeof err);
	FUZZ_CHECK((rc == 0) == (res.conclusion != NULL), "classify %s", rc ? err : "accepts an unfinished walk");
	if (!rc)
		same(&res, &again, "aia_tree_classify", in);
	aia_tree_result_cleanup(&again);
	buf_cleanup(&b);
	aia_tree_result_cleanup(&res);
	free(in);
	return 0;
}
