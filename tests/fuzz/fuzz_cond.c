/* fuzz_cond.c - the decision tree's condition parser (src/aia_cond.h), against a
 * reference parser.
 *
 * The reference below is written from the grammar in aia_cond.h, not from
 * aia_cond.c. Properties:
 *  - aia_cond_parse accepts exactly what the reference accepts (length limit,
 *    nesting limit, NUL bytes and empty labels included);
 *  - on success aia_cond_format equals the reference's canonical form, the text is
 *    the source, the labels are the reference's in source order, and aia_cond_eval
 *    agrees with the reference evaluator on several label sets;
 *  - on failure the position is within 1..len+1 and the message is "byte N: ...". */
#include "aia_cond.h"
#include "fuzz.h"

enum { R_LABEL, R_NOT, R_AND, R_OR };

struct rnode {
	int kind;
	char *label;
	int first, last, next;  /* children as a list of indices; -1 = none */
};

struct ref {
	const char *s;
	size_t len, pos;
	int depth;
	struct rnode *nodes;
	int n;
	char *labels[AIA_COND_MAX_LEN];
	size_t nlabels;
};

static int rnew(struct ref *r, int kind)
{
	struct rnode *x = &r->nodes[r->n];
	x->kind = kind;
	x->label = NULL;
	x->first = x->last = x->next = -1;
	return r->n++;
}

static void radd(struct ref *r, int parent, int kid)
{
	struct rnode *p = &r->nodes[parent];
	if (p->last < 0)
		p->first = kid;
	else
		r->nodes[p->last].next = kid;
	p->last = kid;
}

static void ws(struct ref *r)
{
	while (r->pos < r->len && strchr(" \t\r\n", r->s[r->pos]) && r->s[r->pos])
		r->pos++;
}

static bool word_is(struct ref *r, const char *w)
{
	size_t start = r->pos;
	while (r->pos < r->len && (r->s[r->pos] == '_' || (r->s[r->pos] >= '0' && r->s[r->pos] <= '9') ||
				   ((r->s[r->pos] | 0x20) >= 'a' && (r->s[r->pos] | 0x20) <= 'z')))
		r->pos++;
	return r->pos - start == strlen(w) && !memcmp(r->s + start, w, strlen(w));
}

static int r_or(struct ref *r);

static int r_unary(struct ref *r)
{
	ws(r);
	if (r->pos >= r->len)
		return -1;
	char c = r->s[r->pos];
	if (c == '!' || c == '(') {
		r->pos++;
		if (++r->depth > AIA_COND_MAX_DEPTH)
			return -1;
		int x;
		if (c == '!') {
			int k = r_unary(r);
			if (k < 0)
				return -1;
			x = rnew(r, R_NOT);
			radd(r, x, k);
		} else {
			if ((x = r_or(r)) < 0)
				return -1;
			ws(r);
			if (r->pos >= r->len || r->s[r->pos] != ')')
				return -1;
			r->pos++;
		}
		r->depth--;
		return x;
	}
	if (c != '"' && c != '\'')
		return -1;
	r->pos++;
	char *label = malloc(r->len + 1);
	size_t n = 0;
	for (;;) {
		if (r->pos >= r->len)
			return free(label), -1;
		char ch = r->s[r->pos++];
		if (ch == c)
			break;
		if (ch == '\\') {
			if (r->pos >= r->len)
				return free(label), -1;
			ch = r->s[r->pos++];
		}
		if (!ch)
			return free(label), -1;
		label[n++] = ch;
	}
	label[n] = '\0';
	ws(r);
	bool in = n && word_is(r, "in");
	ws(r);
	if (!in || !word_is(r, "labels"))
		return free(label), -1;
	int x = rnew(r, R_LABEL);
	r->nodes[x].label = label;
	r->labels[r->nlabels++] = label;
	return x;
}

static int r_chain(struct ref *r, int kind)
{
	const char *tok = kind == R_AND ? "&&" : "||";
	int first = kind == R_AND ? r_unary(r) : r_chain(r, R_AND), node = -1;
	if (first < 0)
		return -1;
	for (;;) {
		ws(r);
		if (!(r->pos + 1 < r->len && r->s[r->pos] == tok[0] && r->s[r->pos + 1] == tok[1]))
			return node < 0 ? first : node;
		r->pos += 2;
		int next = kind == R_AND ? r_unary(r) : r_chain(r, R_AND);
		if (next < 0)
			return -1;
		if (node < 0) {
			node = rnew(r, kind);
			radd(r, node, first);
		}
		radd(r, node, next);
	}
}

static int r_or(struct ref *r)
{
	return r_chain(r, R_OR);
}

static void r_format(const struct ref *r, int i, struct buf *b)
{
	static const char *const names[] = {"", "not(", "and(", "or("};
	const struct rnode *x = &r->nodes[i];
	if (x->kind == R_LABEL) {
		buf_putc(b, '"');
		for (const char *p = x->label; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(b, '\\');
			buf_putc(b, *p);
		}
		buf_putc(b, '"');
		return;
	}
	buf_puts(b, names[x->kind]);
	for (int k = x->first; k >= 0; k = r->nodes[k].next) {
		if (k != x->first)
			buf_puts(b, ", ");
		r_format(r, k, b);
	}
	buf_putc(b, ')');
}

static bool r_eval(const struct ref *r, int i, const char *const *set, size_t n)
{
	const struct rnode *x = &r->nodes[i];
	switch (x->kind) {
	case R_LABEL:
		for (size_t k = 0; k < n; k++)
			if (!strcmp(set[k], x->label))
				return true;
		return false;
	case R_NOT:
		return !r_eval(r, x->first, set, n);
	case R_AND:
		for (int k = x->first; k >= 0; k = r->nodes[k].next)
			if (!r_eval(r, k, set, n))
				return false;
		return true;
	default:
		for (int k = x->first; k >= 0; k = r->nodes[k].next)
			if (r_eval(r, k, set, n))
				return true;
		return false;
	}
}

/* The reference's root, or -1 when it refuses the input. */
static int r_parse(struct ref *r)
{
	if (r->len > AIA_COND_MAX_LEN)
		return -1;
	ws(r);
	if (r->pos == r->len)
		return -1;
	int root = r_or(r);
	if (root < 0)
		return -1;
	ws(r);
	return r->pos == r->len ? root : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rnode *pool;
	if (!pool)
		pool = malloc((AIA_COND_MAX_LEN + 8) * sizeof *pool);
	const char *src = (const char *)data;
	struct aia_cond *c = NULL;
	size_t errpos = 0;
	char err[160] = "";
	int rc = aia_cond_parse(src, size, &c, &errpos, err, sizeof err);

	struct ref r = {.s = src, .len = size, .nodes = pool};
	int root = r_parse(&r);
	if ((rc == 0) != (root >= 0)) {
		fuzz_dump("condition", src, size);
		FUZZ_CHECK(0, "aia_cond_parse %s, the reference %s", rc ? err : "accepts", root >= 0 ? "accepts" : "refuses");
	}
	if (rc) {
		FUZZ_CHECK(!c, "a condition despite an error");
		FUZZ_CHECK(errpos >= 1 && errpos <= size + 1, "error position %zu of %zu", errpos, size);
		FUZZ_CHECK(!strncmp(err, "byte ", 5) && strtoul(err + 5, NULL, 10) == errpos, "error \"%s\"", err);
		goto out;
	}
	FUZZ_CHECK(strlen(aia_cond_text(c)) == size && !memcmp(aia_cond_text(c), src, size), "text is not the source");
	FUZZ_CHECK(aia_cond_nlabels(c) == r.nlabels, "%zu labels, the reference has %zu", aia_cond_nlabels(c), r.nlabels);
	for (size_t i = 0; i < r.nlabels; i++)
		FUZZ_CHECK(!strcmp(aia_cond_label(c, i), r.labels[i]), "label %zu differs", i);
	FUZZ_CHECK(aia_cond_label(c, r.nlabels) == NULL, "a label past the end");

	struct buf got, want;
	buf_init(&got, 0);
	buf_init(&want, 0);
	FUZZ_CHECK(aia_cond_format(c, &got) == 0, "format failed");
	r_format(&r, root, &want);
	if (strcmp(buf_str(&got), buf_str(&want))) {
		fuzz_dump("condition", src, size);
		fuzz_dump("aia_cond_format", got.data, got.len);
		fuzz_dump("reference", want.data, want.len);
		FUZZ_CHECK(0, "the AST differs from the reference's");
	}
	buf_cleanup(&got);
	buf_cleanup(&want);

	/* label sets: subsets of the condition's labels chosen by a hash of the input, plus
	 * a label no condition here names */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	const char **set = malloc((r.nlabels + 1) * sizeof *set);
	for (int round = 0; round < 8; round++) {
		size_t n = 0;
		for (size_t i = 0; i < r.nlabels; i++) {
			h = h * 1103515245u + 12345u;
			if (round == 1 || (round > 1 && (h >> 16) & 1))
				set[n++] = r.labels[i];
		}
		set[n++] = "\x01never";
		bool a = aia_cond_eval(c, set, n), b = r_eval(&r, root, set, n);
		if (a != b) {
			fuzz_dump("condition", src, size);
			for (size_t i = 0; i < n; i++)
				fuzz_dump("label in the set", set[i], strlen(set[i]));
			FUZZ_CHECK(0, "aia_cond_eval says %d, the reference %d", a, b);
		}
	}
	free(set);
out:
	for (size_t i = 0; i < r.nlabels; i++)
		free(r.labels[i]);
	aia_cond_free(c);
	return 0;
}
