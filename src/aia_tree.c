/* aia_tree.c - loading, validating and walking the decision tree.
 *
 * Loading reads the YAML (as jansson, via aia_yaml) in two passes: first every
 * question and conclusion id, so that answers can point forward, then the
 * answers with their targets resolved to indices. A last pass walks every
 * possible path (labels only ever accumulate, so following the redirects is
 * the whole semantics) to prove what a static graph check cannot: the tree
 * has edges that form a loop - a redirect of 2.9 leads to 2.11 and one of
 * 2.11 back to 2.9 - but their conditions exclude each other once either
 * question is answered, so no walk repeats a question. A plain cycle check
 * on the graph would refuse the official tree. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aia_tree.h"
#include "aia_yaml.h"
#include "embedded.h"
#include "util.h"

/* The verifying walk visits every path; a tree whose paths explode is refused
 * rather than checked for minutes. The Beslishulp takes about 40,000 steps. */
#define VERIFY_MAX_STEPS 5000000
#define ID_MAX_LEN 64
#define LABEL_MAX_LEN 256

struct ref {
	const char *id;
	size_t index;
	int line;
};

struct tree {
	struct aia_tree pub;  /* first member: a struct aia_tree * is a struct tree * */
	struct ref *qrefs;    /* questions sorted by id, for lookups */
	struct ref *crefs;    /* conclusions sorted by id */
};

struct loader {
	const char *file;
	char *err;
	size_t errlen;
	struct tree *t;
	const char **labels;  /* every label an answer adds: sorted, unique, not owned */
	size_t nlabels;
};

/* F_ID: an id (implies F_NUMBER); F_NUMBER: an unquoted number is read as text. */
enum { F_REQUIRED = 1, F_NONEMPTY = 2, F_ID = 4, F_NUMBER = 8 };

static int errf(struct loader *L, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int errf(struct loader *L, int line, const char *fmt, ...)
{
	char cause[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cause, sizeof cause, fmt, ap);
	va_end(ap);
	snprintf(L->err, L->errlen, "%s:%d: %s", L->file, line > 0 ? line : 1, cause);
	return -1;
}

static int check_keys(struct loader *L, const json_t *obj, const char *what, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool ok = !strncmp(key, "__", 2);  /* aia_yaml's own, never data */
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(key, *a);
		if (!ok)
			return errf(L, aia_yaml_line(obj), "%s: unknown key \"%.64s\"", what, key);
	}
	return 0;
}

/* An id goes into answers strings ("1.2=3,...") and into tab-separated output,
 * so it may hold none of the bytes that separate those. */
static bool id_ok(const char *s, size_t n)
{
	if (!n || n > ID_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == ',' || c == '=' || c == '|')
			return false;
	}
	return true;
}

/* Labels are joined with '|' in the classify output, one result per line. */
static bool label_ok(const char *s, size_t n)
{
	if (!n || n > LABEL_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '|')
			return false;
	}
	return true;
}

static int get_text(struct loader *L, const json_t *obj, const char *key, const char *what, int flags,
		    char **out)
{
	const json_t *v = json_object_get(obj, key);
	int line = aia_yaml_line(obj);
	char num[32];
	const char *s;
	size_t n;
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (flags & F_REQUIRED)
			return errf(L, line, "%s: \"%s\" is missing", what, key);
		return 0;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v) && (flags & (F_ID | F_NUMBER))) {
		/* An unquoted id such as 7 reads as a number; it is still an id. */
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		s = num;
		n = strlen(num);
	} else {
		return errf(L, line, "%s: \"%s\" must be text", what, key);
	}
	if (memchr(s, '\0', n))
		return errf(L, line, "%s: \"%s\" holds a NUL byte", what, key);
	if (!n && (flags & (F_NONEMPTY | F_ID)))
		return errf(L, line, "%s: \"%s\" is empty", what, key);
	if ((flags & F_ID) && !id_ok(s, n))
		return errf(L, line, "%s: \"%s\" must be at most %d bytes without spaces, control characters, ',', '=' or '|'",
			    what, key, ID_MAX_LEN);
	*out = xstrndup(s, n);
	return 0;
}

/* An optional array under key: NULL when absent. */
static int get_array(struct loader *L, const json_t *obj, const char *key, const char *what, bool required,
		     const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return errf(L, aia_yaml_line(obj), "%s: \"%s\" is missing", what, key);
		return 0;
	}
	if (!json_is_array(v))
		return errf(L, aia_yaml_line(obj), "%s: \"%s\" must be a list", what, key);
	if (required && !json_array_size(v))
		return errf(L, aia_yaml_line(obj), "%s: \"%s\" is empty", what, key);
	*out = v;
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int ref_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ref *)elem)->id);
}

static const struct ref *ref_find(const struct ref *refs, size_t n, const char *id)
{
	return id && refs ? bsearch(id, refs, n, sizeof *refs, ref_key_cmp) : NULL;
}

/* Sorts the ids and refuses duplicates, naming the later definition. */
static int index_ids(struct loader *L, struct ref *refs, size_t n, const char *what)
{
	qsort(refs, n, sizeof *refs, ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(refs[i - 1].id, refs[i].id))
			return errf(L, refs[i].line, "%s id \"%s\" is defined twice (first at line %d)", what,
				    refs[i].id, refs[i - 1].line);
	return 0;
}

static int load_sources(struct loader *L, const json_t *obj, const char *what, struct aia_source **out,
			size_t *n)
{
	static const char *const keys[] = {"source", "url", NULL};
	const json_t *arr;
	int rc;
	if ((rc = get_array(L, obj, "sources", what, false, &arr)) || !arr)
		return rc;
	*out = xcalloc(json_array_size(arr), sizeof **out);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *js = json_array_get(arr, i);
		char w[160];
		snprintf(w, sizeof w, "%s, source #%zu", what, i + 1);
		if (!json_is_object(js))
			return errf(L, aia_yaml_line(obj), "%s must be a mapping", w);
		struct aia_source *s = &(*out)[(*n)++];
		if ((rc = check_keys(L, js, w, keys)) || (rc = get_text(L, js, "source", w, F_REQUIRED | F_NONEMPTY, &s->title)) ||
		    (rc = get_text(L, js, "url", w, 0, &s->url)))
			return rc;
		if (!s->url)
			s->url = xstrdup("");
	}
	return 0;
}

/* Resolves a next id of the given kind to an index. */
static int load_target(struct loader *L, const json_t *obj, const char *what, enum aia_next_kind kind,
		       size_t *target)
{
	const char *key = kind == AIA_NEXT_QUESTION ? "nextQuestionId" : "nextConclusionId";
	char *id;
	int rc;
	if ((rc = get_text(L, obj, key, what, F_REQUIRED | F_ID, &id)))
		return rc;
	const struct tree *t = L->t;
	const struct ref *r = kind == AIA_NEXT_QUESTION ? ref_find(t->qrefs, t->pub.nquestions, id)
							: ref_find(t->crefs, t->pub.nconclusions, id);
	if (!r)
		rc = errf(L, aia_yaml_line(obj), "%s: %s \"%s\" is not a %s of the tree", what, key, id,
			  kind == AIA_NEXT_QUESTION ? "question" : "conclusion");
	else
		*target = r->index;
	free(id);
	return rc;
}

/* Counts which of the three ways on an object has. */
static int ways_on(const json_t *obj, bool with_redirects)
{
	int n = 0;
	n += json_object_get(obj, "nextQuestionId") && !json_is_null(json_object_get(obj, "nextQuestionId"));
	n += json_object_get(obj, "nextConclusionId") && !json_is_null(json_object_get(obj, "nextConclusionId"));
	if (with_redirects)
		n += json_object_get(obj, "redirects") && !json_is_null(json_object_get(obj, "redirects"));
	return n;
}

static int load_redirects(struct loader *L, const json_t *arr, const char *what, struct aia_answer *a)
{
	static const char *const keys[] = {"if", "nextQuestionId", "nextConclusionId", NULL};
	int rc;
	a->redirects = xcalloc(json_array_size(arr), sizeof *a->redirects);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *jr = json_array_get(arr, i);
		struct aia_redirect *r = &a->redirects[i];
		char w[160], cerr[160];
		char *cond;
		snprintf(w, sizeof w, "%s, redirect #%zu", what, i + 1);
		if (!json_is_object(jr))
			return errf(L, a->line, "%s must be a mapping", w);
		a->nredirects++;
		r->line = aia_yaml_line(jr);
		if ((rc = check_keys(L, jr, w, keys)))
			return rc;
		if (ways_on(jr, false) != 1)
			return errf(L, r->line, "%s needs exactly one of nextQuestionId and nextConclusionId", w);
		r->kind = json_object_get(jr, "nextQuestionId") && !json_is_null(json_object_get(jr, "nextQuestionId"))
				  ? AIA_NEXT_QUESTION
				  : AIA_NEXT_CONCLUSION;
		if ((rc = load_target(L, jr, w, r->kind, &r->target)))
			return rc;
		if ((rc = get_text(L, jr, "if", w, F_REQUIRED, &cond)))
			return rc;
		rc = aia_cond_parse(cond, strlen(cond), &r->cond, NULL, cerr, sizeof cerr);
		free(cond);
		if (rc)
			return errf(L, r->line, "%s: condition: %s", w, cerr);
	}
	return 0;
}

static int load_answer(struct loader *L, const struct aia_question *q, size_t i, const json_t *ja,
		       struct aia_answer *a)
{
	static const char *const keys[] = {"answer", "labels", "subresult", "answerComment", "nextQuestionId",
					   "nextConclusionId", "redirects", NULL};
	const json_t *arr;
	char w[128];
	int rc;
	snprintf(w, sizeof w, "answer %s=%zu", q->id, i);
	if (!json_is_object(ja))
		return errf(L, q->line, "%s must be a mapping", w);
	a->line = aia_yaml_line(ja);
	if ((rc = check_keys(L, ja, w, keys)) || (rc = get_text(L, ja, "answer", w, F_REQUIRED | F_NONEMPTY, &a->text)) ||
	    (rc = get_text(L, ja, "subresult", w, 0, &a->subresult)) ||
	    (rc = get_text(L, ja, "answerComment", w, 0, &a->comment)) ||
	    (rc = get_array(L, ja, "labels", w, false, &arr)))
		return rc;
	if (arr) {
		a->labels = xcalloc(json_array_size(arr), sizeof *a->labels);
		for (size_t k = 0; k < json_array_size(arr); k++) {
			const json_t *jl = json_array_get(arr, k);
			if (!json_is_string(jl) || !label_ok(json_string_value(jl), json_string_length(jl)))
				return errf(L, a->line,
					    "%s: label #%zu must be text of 1 to %d bytes without '|' or control characters",
					    w, k + 1, LABEL_MAX_LEN);
			a->labels[a->nlabels++] = xstrndup(json_string_value(jl), json_string_length(jl));
		}
	}
	switch (ways_on(ja, true)) {
	case 0:
		return errf(L, a->line, "%s leads nowhere: it needs nextQuestionId, nextConclusionId or redirects", w);
	case 1:
		break;
	default:
		return errf(L, a->line, "%s has more than one way on (nextQuestionId, nextConclusionId, redirects)", w);
	}
	if (json_object_get(ja, "redirects") && !json_is_null(json_object_get(ja, "redirects"))) {
		a->kind = AIA_NEXT_REDIRECTS;
		if ((rc = get_array(L, ja, "redirects", w, true, &arr)))
			return rc;
		return load_redirects(L, arr, w, a);
	}
	a->kind = json_object_get(ja, "nextQuestionId") && !json_is_null(json_object_get(ja, "nextQuestionId"))
			  ? AIA_NEXT_QUESTION
			  : AIA_NEXT_CONCLUSION;
	return load_target(L, ja, w, a->kind, &a->target);
}

static int load_question(struct loader *L, const json_t *jq, struct aia_question *q)
{
	static const char *const keys[] = {"questionId", "question", "explanation", "category", "subcategory",
					   "description", "sources", "answers", NULL};
	const json_t *arr;
	char w[96];
	int rc;
	snprintf(w, sizeof w, "question %s", q->id);
	if ((rc = check_keys(L, jq, w, keys)) || (rc = get_text(L, jq, "question", w, F_REQUIRED | F_NONEMPTY, &q->text)) ||
	    (rc = get_text(L, jq, "explanation", w, 0, &q->explanation)) ||
	    (rc = get_text(L, jq, "category", w, 0, &q->category)) ||
	    (rc = get_text(L, jq, "subcategory", w, 0, &q->subcategory)) ||
	    (rc = get_text(L, jq, "description", w, 0, &q->description)) ||
	    (rc = load_sources(L, jq, w, &q->sources, &q->nsources)) ||
	    (rc = get_array(L, jq, "answers", w, true, &arr)))
		return rc;
	if (!q->explanation)
		q->explanation = xstrdup("");
	q->answers = xcalloc(json_array_size(arr), sizeof *q->answers);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		q->nanswers++;
		if ((rc = load_answer(L, q, i, json_array_get(arr, i), &q->answers[i])))
			return rc;
	}
	return 0;
}

static int load_conclusion(struct loader *L, const json_t *jc, struct aia_conclusion *c)
{
	static const char *const keys[] = {"conclusionId", "conclusion", "obligation", "conclusionComment", "sources",
					   NULL};
	char w[96];
	int rc;
	snprintf(w, sizeof w, "conclusion %s", c->id);
	if ((rc = check_keys(L, jc, w, keys)) || (rc = get_text(L, jc, "conclusion", w, F_REQUIRED | F_NONEMPTY, &c->text)) ||
	    (rc = get_text(L, jc, "obligation", w, 0, &c->obligation)) ||
	    (rc = get_text(L, jc, "conclusionComment", w, 0, &c->comment)) ||
	    (rc = load_sources(L, jc, w, &c->sources, &c->nsources)))
		return rc;
	if (!c->obligation)
		c->obligation = xstrdup("");
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool label_known(const struct loader *L, const char *label)
{
	return bsearch(&label, L->labels, L->nlabels, sizeof *L->labels, str_cmp) != NULL;
}

/* A condition that names a label no answer adds can never be true (or, under
 * "!", never false): almost certainly a typo, so it is refused. */
static int check_condition_labels(struct loader *L)
{
	const struct aia_tree *t = &L->t->pub;
	size_t total = 0;
	for (size_t i = 0; i < t->nquestions; i++)
		for (size_t j = 0; j < t->questions[i].nanswers; j++)
			total += t->questions[i].answers[j].nlabels;
	L->labels = xcalloc(total, sizeof *L->labels);
	for (size_t i = 0; i < t->nquestions; i++)
		for (size_t j = 0; j < t->questions[i].nanswers; j++)
			for (size_t k = 0; k < t->questions[i].answers[j].nlabels; k++)
				L->labels[L->nlabels++] = t->questions[i].answers[j].labels[k];
	if (L->nlabels)
		qsort(L->labels, L->nlabels, sizeof *L->labels, str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < L->nlabels; i++)
		if (!u || strcmp(L->labels[u - 1], L->labels[i]))
			L->labels[u++] = L->labels[i];
	L->nlabels = u;
	for (size_t i = 0; i < t->nquestions; i++) {
		const struct aia_question *q = &t->questions[i];
		for (size_t j = 0; j < q->nanswers; j++)
			for (size_t k = 0; k < q->answers[j].nredirects; k++) {
				const struct aia_redirect *r = &q->answers[j].redirects[k];
				for (size_t m = 0; m < aia_cond_nlabels(r->cond); m++)
					if (!label_known(L, aia_cond_label(r->cond, m)))
						return errf(L, r->line,
							    "answer %s=%zu, redirect #%zu: condition names label \"%.100s\", which no answer adds",
							    q->id, j, k + 1, aia_cond_label(r->cond, m));
			}
	}
	return 0;
}

/* Adds an answer's labels to the set lab[0..*n) (unordered, unique). */
static void add_labels(const struct aia_answer *a, const char **lab, size_t *n)
{
	for (size_t i = 0; i < a->nlabels; i++) {
		size_t k = 0;
		while (k < *n && strcmp(lab[k], a->labels[i]))
			k++;
		if (k == *n)
			lab[(*n)++] = a->labels[i];
	}
}

/* Where an answer leads with the labels gathered: 0, or -1 when it has
 * redirects and none holds. */
static int resolve(const struct aia_answer *a, const char *const *lab, size_t nlab, enum aia_next_kind *kind,
		   size_t *target, const struct aia_redirect **fired)
{
	*fired = NULL;
	if (a->kind != AIA_NEXT_REDIRECTS) {
		*kind = a->kind;
		*target = a->target;
		return 0;
	}
	for (size_t i = 0; i < a->nredirects; i++)
		if (aia_cond_eval(a->redirects[i].cond, lab, nlab)) {
			*fired = &a->redirects[i];
			*kind = a->redirects[i].kind;
			*target = a->redirects[i].target;
			return 0;
		}
	return -1;
}

struct frame {
	size_t q;     /* question index */
	size_t next;  /* the next answer to try; the one being followed is next - 1 */
	size_t nlab;  /* labels gathered before this question */
};

/* "1.1=0,1.2=3" for frames [from, to), capped; for messages. */
static void frames_path(const struct aia_tree *t, const struct frame *st, size_t from, size_t to, struct buf *b)
{
	for (size_t i = from; i < to; i++)
		buf_printf(b, "%s%s=%zu", i > from ? "," : "", t->questions[st[i].q].id, st[i].next - 1);
}

static void labels_list(const char *const *lab, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? "|" : "", lab[i]);
	if (!n)
		buf_puts(b, "none");
}

/* Walks every path from the first question, depth first, without recursion.
 * A question on the current stack reached again is a loop; since no question
 * repeats on the stack, the stack never holds more than nquestions frames. */
static int verify(struct loader *L)
{
	struct aia_tree *t = &L->t->pub;
	size_t maxlab = L->nlabels, depth = 0, nlab = 0, steps = 0;
	const char **lab = xcalloc(maxlab + 1, sizeof *lab);
	struct frame *st = xcalloc(t->nquestions, sizeof *st);
	bool *on = xcalloc(t->nquestions, sizeof *on);
	struct buf b;
	int rc = 0;
	buf_init(&b, 600);
	st[depth++] = (struct frame){0, 0, 0};
	on[0] = true;
	while (depth && !rc) {
		struct frame *f = &st[depth - 1];
		const struct aia_question *q = &t->questions[f->q];
		if (f->next == q->nanswers) {
			on[f->q] = false;
			depth--;
			continue;
		}
		if (++steps > VERIFY_MAX_STEPS) {
			rc = errf(L, t->questions[0].line, "the tree has too many paths to verify (more than %d steps)",
				  VERIFY_MAX_STEPS);
			break;
		}
		const struct aia_answer *a = &q->answers[f->next++];
		enum aia_next_kind kind;
		size_t target;
		const struct aia_redirect *r;
		nlab = f->nlab;
		add_labels(a, lab, &nlab);
		if (resolve(a, lab, nlab, &kind, &target, &r)) {
			frames_path(t, st, 0, depth, &b);
			buf_puts(&b, " (labels ");
			labels_list(lab, nlab, &b);
			rc = errf(L, a->line, "answer %s=%zu leads nowhere: no redirect holds after %s)", q->id, f->next - 1,
				  buf_str(&b));
		} else if (kind == AIA_NEXT_CONCLUSION) {
			t->npaths++;
		} else if (on[target]) {
			size_t k = 0;
			while (st[k].q != target)
				k++;
			frames_path(t, st, k, depth, &b);
			rc = errf(L, r ? r->line : a->line, "question %s can be reached again from itself: %s then %s again",
				  t->questions[target].id, buf_str(&b), t->questions[target].id);
		} else {
			st[depth++] = (struct frame){target, 0, nlab};
			on[target] = true;
		}
	}
	buf_cleanup(&b);
	free(lab);
	free(st);
	free(on);
	return rc;
}

static int load_root(struct loader *L, const json_t *root)
{
	static const char *const keys[] = {"name", "version", "questions", "conclusions", NULL};
	struct tree *t = L->t;
	const json_t *jqs, *jcs;
	int rc;
	if (!json_is_object(root))
		return errf(L, 1, "the tree must be a mapping with questions and conclusions");
	if ((rc = check_keys(L, root, "the tree", keys)) ||
	    (rc = get_text(L, root, "name", "the tree", 0, &t->pub.name)) ||
	    (rc = get_text(L, root, "version", "the tree", F_NUMBER, &t->pub.version)) ||
	    (rc = get_array(L, root, "questions", "the tree", true, &jqs)) ||
	    (rc = get_array(L, root, "conclusions", "the tree", true, &jcs)))
		return rc;
	if (!t->pub.name)
		t->pub.name = xstrdup("");
	if (!t->pub.version)
		t->pub.version = xstrdup("");

	/* Pass 1: ids, so that answers may point to questions further down. */
	size_t nq = json_array_size(jqs), nc = json_array_size(jcs);
	t->pub.questions = xcalloc(nq, sizeof *t->pub.questions);
	t->pub.conclusions = xcalloc(nc, sizeof *t->pub.conclusions);
	t->qrefs = xcalloc(nq, sizeof *t->qrefs);
	t->crefs = xcalloc(nc, sizeof *t->crefs);
	for (size_t i = 0; i < nq; i++) {
		const json_t *jq = json_array_get(jqs, i);
		struct aia_question *q = &t->pub.questions[i];
		char w[48];
		snprintf(w, sizeof w, "question #%zu", i + 1);
		if (!json_is_object(jq))
			return errf(L, aia_yaml_line(root), "%s must be a mapping", w);
		t->pub.nquestions++;
		q->line = aia_yaml_line(jq);
		if ((rc = get_text(L, jq, "questionId", w, F_REQUIRED | F_ID, &q->id)))
			return rc;
		t->qrefs[i] = (struct ref){q->id, i, q->line};
	}
	for (size_t i = 0; i < nc; i++) {
		const json_t *jc = json_array_get(jcs, i);
		struct aia_conclusion *c = &t->pub.conclusions[i];
		char w[48];
		snprintf(w, sizeof w, "conclusion #%zu", i + 1);
		if (!json_is_object(jc))
			return errf(L, aia_yaml_line(root), "%s must be a mapping", w);
		t->pub.nconclusions++;
		c->line = aia_yaml_line(jc);
		if ((rc = get_text(L, jc, "conclusionId", w, F_REQUIRED | F_ID, &c->id)))
			return rc;
		t->crefs[i] = (struct ref){c->id, i, c->line};
	}
	if ((rc = index_ids(L, t->qrefs, nq, "question")) || (rc = index_ids(L, t->crefs, nc, "conclusion")))
		return rc;

	/* Pass 2: everything else. */
	for (size_t i = 0; i < nq; i++)
		if ((rc = load_question(L, json_array_get(jqs, i), &t->pub.questions[i])))
			return rc;
	for (size_t i = 0; i < nc; i++)
		if ((rc = load_conclusion(L, json_array_get(jcs, i), &t->pub.conclusions[i])))
			return rc;
	if ((rc = check_condition_labels(L)))
		return rc;
	return verify(L);
}

int aia_tree_load(const char *name, const char *text, size_t len, struct aia_tree **out, char *err,
		  size_t errlen)
{
	struct loader L = {.file = name, .err = err, .errlen = errlen};
	json_t *root;
	int rc;
	*out = NULL;
	if (!(root = aia_yaml_parse(name, text, len, err, errlen)))
		return -1;
	L.t = xcalloc(1, sizeof *L.t);
	L.t->pub.file = xstrdup(name);
	rc = load_root(&L, root);
	json_decref(root);
	free(L.labels);
	if (rc) {
		aia_tree_free(&L.t->pub);
		return -1;
	}
	*out = &L.t->pub;
	return 0;
}

int aia_tree_load_embedded(struct aia_tree **out, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find(AIA_TREE_EMBEDDED_PATH);
	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: not embedded in this binary", AIA_TREE_EMBEDDED_PATH);
		return -1;
	}
	return aia_tree_load(f->path, f->data, f->len, out, err, errlen);
}

static void free_sources(struct aia_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].title);
		free(s[i].url);
	}
	free(s);
}

void aia_tree_free(struct aia_tree *pub)
{
	struct tree *t = (struct tree *)pub;
	if (!t)
		return;
	for (size_t i = 0; i < pub->nquestions; i++) {
		struct aia_question *q = &pub->questions[i];
		for (size_t j = 0; j < q->nanswers; j++) {
			struct aia_answer *a = &q->answers[j];
			for (size_t k = 0; k < a->nlabels; k++)
				free(a->labels[k]);
			for (size_t k = 0; k < a->nredirects; k++)
				aia_cond_free(a->redirects[k].cond);
			free(a->labels);
			free(a->redirects);
			free(a->text);
			free(a->subresult);
			free(a->comment);
		}
		free(q->answers);
		free_sources(q->sources, q->nsources);
		free(q->id);
		free(q->text);
		free(q->explanation);
		free(q->category);
		free(q->subcategory);
		free(q->description);
	}
	for (size_t i = 0; i < pub->nconclusions; i++) {
		struct aia_conclusion *c = &pub->conclusions[i];
		free_sources(c->sources, c->nsources);
		free(c->id);
		free(c->text);
		free(c->obligation);
		free(c->comment);
	}
	free(pub->questions);
	free(pub->conclusions);
	free(pub->file);
	free(pub->name);
	free(pub->version);
	free(t->qrefs);
	free(t->crefs);
	free(t);
}

const struct aia_question *aia_tree_first(const struct aia_tree *t)
{
	return t->nquestions ? &t->questions[0] : NULL;
}

const struct aia_question *aia_tree_question(const struct aia_tree *t, const char *id)
{
	const struct ref *r = ref_find(((const struct tree *)t)->qrefs, t->nquestions, id);
	return r ? &t->questions[r->index] : NULL;
}

const struct aia_conclusion *aia_tree_conclusion(const struct aia_tree *t, const char *id)
{
	const struct ref *r = ref_find(((const struct tree *)t)->crefs, t->nconclusions, id);
	return r ? &t->conclusions[r->index] : NULL;
}

/* Copies s[0..n) for an error message: at most 40 bytes, control bytes as '?',
 * so that a message stays one line whatever the input. */
static void show(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 < dstlen; i++) {
		if (k >= 40) {
			memcpy(dst + k, "...", 3);
			k += 3;
			break;
		}
		unsigned char c = (unsigned char)s[i];
		dst[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[k] = '\0';
}

static int walk_fail(struct aia_tree_result *res, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int walk_fail(struct aia_tree_result *res, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	aia_tree_result_cleanup(res);
	return -1;
}

int aia_tree_walk(const struct aia_tree *t, const struct aia_tree_choice *choices, size_t n,
		  struct aia_tree_result *res, char *err, size_t errlen)
{
	const struct aia_conclusion *end = NULL;
	size_t cur = 0, labcap = 0;
	memset(res, 0, sizeof *res);
	if (n > AIA_TREE_ANSWERS_MAX)
		return walk_fail(res, err, errlen, "more than %d answers", AIA_TREE_ANSWERS_MAX);
	res->steps = xcalloc(n, sizeof *res->steps);
	for (size_t i = 0; i < n; i++) {
		const struct aia_tree_choice *c = &choices[i];
		const char *id = c->question_id ? c->question_id : "";
		char item[64];
		show(item, sizeof item, id, strlen(id));
		const struct aia_question *q = aia_tree_question(t, id);
		if (end)
			return walk_fail(res, err, errlen,
					 "answer #%zu (%s=%zu): left over, the answers already reached conclusion %s", i + 1,
					 item, c->index, end->id);
		if (!q)
			return walk_fail(res, err, errlen, "answer #%zu (%s=%zu): the tree has no question %s", i + 1,
					 item, c->index, item);
		if (q != &t->questions[cur])
			return walk_fail(res, err, errlen,
					 "answer #%zu (%s=%zu): question %s is not on the path, question %s is next", i + 1,
					 item, c->index, q->id, t->questions[cur].id);
		if (c->index >= q->nanswers)
			return walk_fail(res, err, errlen,
					 "answer #%zu (%s=%zu): question %s has answers 0 to %zu, not %zu", i + 1, item,
					 c->index, q->id, q->nanswers - 1, c->index);
		const struct aia_answer *a = &q->answers[c->index];
		if (res->nlabels + a->nlabels > labcap) {
			labcap = 2 * (res->nlabels + a->nlabels);
			res->labels = xrealloc(res->labels, labcap * sizeof *res->labels);
		}
		add_labels(a, res->labels, &res->nlabels);
		enum aia_next_kind kind;
		size_t target;
		const struct aia_redirect *r;
		/* Impossible in a tree that passed verify(); kept so that a walk never
		 * reads past what the tree says. */
		if (resolve(a, res->labels, res->nlabels, &kind, &target, &r))
			return walk_fail(res, err, errlen, "answer #%zu (%s=%zu): no redirect of this answer holds",
					 i + 1, item, c->index);
		res->steps[res->nsteps++] = (struct aia_tree_step){q, c->index, a, r};
		if (kind == AIA_NEXT_CONCLUSION)
			end = &t->conclusions[target];
		else
			cur = target;
	}
	res->conclusion = end;
	res->next = end ? NULL : &t->questions[cur];
	if (res->nlabels)
		qsort(res->labels, res->nlabels, sizeof *res->labels, str_cmp);
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits "1.1=0, 1.2=3" in place (s is a private copy) into choices. */
static int parse_answers(char *s, struct aia_tree_choice *choices, size_t *n, char *err, size_t errlen)
{
	char *p = s;
	*n = 0;
	while (is_blank(*p))
		p++;
	if (!*p)
		return 0;
	for (size_t k = 1;; k++) {
		char *end = strchr(p, ','), *eq, *id, *ix, *e;
		char item[64];
		long long v;
		if (end)
			*end = '\0';
		if (k > AIA_TREE_ANSWERS_MAX) {
			snprintf(err, errlen, "more than %d answers", AIA_TREE_ANSWERS_MAX);
			return -1;
		}
		show(item, sizeof item, p, strlen(p));
		eq = strchr(p, '=');
		id = p;
		while (is_blank(*id))
			id++;
		if (!eq || eq == id) {
			if (!*id)
				snprintf(err, errlen, "answer #%zu is empty", k);
			else
				snprintf(err, errlen, "answer #%zu (%s): expected QUESTION=INDEX", k, item);
			return -1;
		}
		*eq = '\0';
		for (e = eq; e > id && is_blank(e[-1]); e--)
			e[-1] = '\0';
		for (ix = eq + 1; is_blank(*ix); ix++)
			;
		for (e = ix + strlen(ix); e > ix && is_blank(e[-1]); e--)
			e[-1] = '\0';
		if (util_parse_int(ix, 0, 999999, &v)) {
			snprintf(err, errlen, "answer #%zu (%s): the answer index must be a number from 0", k, item);
			return -1;
		}
		choices[(*n)++] = (struct aia_tree_choice){id, (size_t)v};
		if (!end)
			return 0;
		p = end + 1;
	}
}

int aia_tree_step(const struct aia_tree *t, const char *answers, struct aia_tree_result *res, char *err,
		  size_t errlen)
{
	struct aia_tree_choice *choices;
	size_t n, len;
	char *copy;
	int rc;
	memset(res, 0, sizeof *res);
	if (!answers)
		answers = "";
	len = strnlen(answers, AIA_TREE_ANSWERS_MAX_LEN + 1);
	if (len > AIA_TREE_ANSWERS_MAX_LEN) {
		snprintf(err, errlen, "the answers are longer than %d bytes", AIA_TREE_ANSWERS_MAX_LEN);
		return -1;
	}
	copy = xstrndup(answers, len);
	choices = xcalloc(AIA_TREE_ANSWERS_MAX, sizeof *choices);
	rc = parse_answers(copy, choices, &n, err, errlen);
	if (!rc)
		rc = aia_tree_walk(t, choices, n, res, err, errlen);
	free(choices);
	free(copy);
	return rc;
}

int aia_tree_classify(const struct aia_tree *t, const char *answers, struct aia_tree_result *res, char *err,
		      size_t errlen)
{
	int rc = aia_tree_step(t, answers, res, err, errlen);
	if (!rc && !res->conclusion) {
		snprintf(err, errlen, "the answers end before a conclusion: question %s is next", res->next->id);
		aia_tree_result_cleanup(res);
		return -1;
	}
	return rc;
}

int aia_tree_result_answers(const struct aia_tree_result *res, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; i < res->nsteps && !rc; i++)
		rc = buf_printf(out, "%s%s=%zu", i ? "," : "", res->steps[i].question->id, res->steps[i].index);
	return rc;
}

void aia_tree_result_cleanup(struct aia_tree_result *res)
{
	free(res->labels);
	free(res->steps);
	memset(res, 0, sizeof *res);
}
