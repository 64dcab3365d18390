/* aia_tree.h - the decision tree of the Beslishulp AI-verordening, as data.
 *
 * A tree is a list of questions and a list of conclusions. Each answer of a
 * question may add labels and leads on in exactly one way: to a next question,
 * to a conclusion, or through redirects - conditions over the labels gathered so
 * far (see aia_cond.h), of which the first that holds decides. Walking starts at
 * the first question of the file.
 *
 * Loading validates everything and refuses a broken tree with "file:line: cause":
 * the shape and types of every field, unknown keys, unique question and
 * conclusion ids, every next id defined, every condition parsed and naming only
 * labels some answer adds, and - by walking every possible path - that no
 * question can be reached again from itself and that every reachable answer
 * leads on (some redirect holds). Loaded, the tree is immutable: any number of
 * threads may walk it at once.
 *
 * Ownership: the tree owns every string, array and condition reachable from
 * struct aia_tree. A result (struct aia_tree_result) owns its arrays but points
 * into the tree for texts, questions, answers and conclusions, so it must not
 * outlive the tree. */
#ifndef AIREG_AIA_TREE_H
#define AIREG_AIA_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include "aia_cond.h"

/* The tree shipped in the binary's rule pack (an embedded file). */
#define AIA_TREE_EMBEDDED_PATH "rules/beslishulp/decision-tree.yaml"

/* Limits of an answers string such as "1.1=0,1.2=3". */
#define AIA_TREE_ANSWERS_MAX_LEN 8192
#define AIA_TREE_ANSWERS_MAX 512

struct aia_source {
	char *title;  /* "source" in the YAML */
	char *url;    /* may be "" */
};

/* Where an answer or a redirect leads. */
enum aia_next_kind { AIA_NEXT_QUESTION, AIA_NEXT_CONCLUSION, AIA_NEXT_REDIRECTS };

struct aia_redirect {
	struct aia_cond *cond;  /* parsed "if"; its text is aia_cond_text(cond) */
	enum aia_next_kind kind;  /* AIA_NEXT_QUESTION or AIA_NEXT_CONCLUSION */
	size_t target;            /* index into tree->questions or tree->conclusions */
	int line;
};

struct aia_answer {
	char *text;
	char **labels;  /* added when the answer is chosen, in file order */
	size_t nlabels;
	char *subresult;  /* a remark shown with the answer, or NULL */
	char *comment;    /* "answerComment", or NULL */
	enum aia_next_kind kind;
	size_t target;    /* AIA_NEXT_QUESTION/CONCLUSION: index into the tree's array */
	struct aia_redirect *redirects;  /* AIA_NEXT_REDIRECTS: tried in order */
	size_t nredirects;
	int line;
};

struct aia_question {
	char *id;           /* "1.1" */
	char *text;
	char *explanation;  /* may hold HTML (<br>, <strong>, ...); "" when absent */
	char *category, *subcategory;  /* NULL when absent */
	char *description;  /* NULL when absent */
	struct aia_source *sources;
	size_t nsources;
	struct aia_answer *answers;  /* at least one */
	size_t nanswers;
	int line;
};

struct aia_conclusion {
	char *id;          /* "12.0.2" */
	char *text;
	char *obligation;  /* may hold HTML; "" when absent */
	char *comment;     /* "conclusionComment", or NULL */
	struct aia_source *sources;
	size_t nsources;
	int line;
};

struct aia_tree {
	char *file;     /* the name given to aia_tree_load, for messages */
	char *name;     /* "Beslishulp AI-verordening", or "" */
	char *version;  /* "1.0.0", or "" */
	struct aia_question *questions;  /* questions[0] is asked first */
	size_t nquestions;
	struct aia_conclusion *conclusions;
	size_t nconclusions;
	size_t npaths;  /* complete answer paths, counted while validating */
};

/* One answered question of a walk. */
struct aia_tree_step {
	const struct aia_question *question;
	size_t index;                        /* 0-based answer index */
	const struct aia_answer *answer;     /* question->answers[index]; its labels were added */
	const struct aia_redirect *redirect; /* the redirect that fired, or NULL */
};

/* The outcome of a walk. Embedded by the caller: zero it (or let the walk do
 * so), release it with aia_tree_result_cleanup. */
struct aia_tree_result {
	const struct aia_conclusion *conclusion;  /* NULL when the walk stopped at a question */
	const struct aia_question *next;          /* the question to ask next, or NULL */
	const char **labels;  /* the label set: sorted (strcmp), unique; array owned, strings not */
	size_t nlabels;
	struct aia_tree_step *steps;  /* in order; owned */
	size_t nsteps;
};

/* One answer given: the question's id and the 0-based answer index. */
struct aia_tree_choice {
	const char *question_id;
	size_t index;
};

/* Parses and validates YAML text[0..len); name (a path) is used in messages.
 * Returns 0 and a new tree in *out, or -1 with "name:line: cause" in err. */
int aia_tree_load(const char *name, const char *text, size_t len, struct aia_tree **out, char *err,
		  size_t errlen);

/* Loads the tree embedded in the binary (AIA_TREE_EMBEDDED_PATH). */
int aia_tree_load_embedded(struct aia_tree **out, char *err, size_t errlen);

/* Frees a tree and everything it owns; NULL is allowed. */
void aia_tree_free(struct aia_tree *t);

/* The first question, the question or conclusion with an id (NULL if none). */
const struct aia_question *aia_tree_first(const struct aia_tree *t);
const struct aia_question *aia_tree_question(const struct aia_tree *t, const char *id);
const struct aia_conclusion *aia_tree_conclusion(const struct aia_tree *t, const char *id);

/* Walks from the first question with choices[0..n), which must follow the path
 * the tree takes. On success returns 0 with res->conclusion set (the path ended)
 * or res->next set (more questions to ask - for a wizard that asks one question
 * at a time), the labels and the steps. On error returns -1 with res empty and
 * the cause in err, naming the position: "answer #3 (2.1=0): ..." (1-based) for
 * an unknown question, an index out of range, a question not on the path, or an
 * answer left over after the conclusion. */
int aia_tree_walk(const struct aia_tree *t, const struct aia_tree_choice *choices, size_t n,
		  struct aia_tree_result *res, char *err, size_t errlen);

/* aia_tree_walk with an answers string "1.1=0,1.2=3,..." (spaces around items
 * allowed; "" is no answers). */
int aia_tree_step(const struct aia_tree *t, const char *answers, struct aia_tree_result *res, char *err,
		  size_t errlen);

/* As aia_tree_step, but the answers must lead to a conclusion: ending at a
 * question is an error ("the answers end before a conclusion; question 2.3 is
 * next"). */
int aia_tree_classify(const struct aia_tree *t, const char *answers, struct aia_tree_result *res,
		      char *err, size_t errlen);

/* Writes the path of a result as an answers string ("1.1=0,1.2=3") into out.
 * Returns 0 or BUF_TOOBIG. */
int aia_tree_result_answers(const struct aia_tree_result *res, struct buf *out);

/* Frees what a result owns and zeroes it. */
void aia_tree_result_cleanup(struct aia_tree_result *res);

#endif
