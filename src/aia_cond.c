/* aia_cond.c - recursive-descent parser and evaluator for redirect conditions.
 *
 * The parser recurses only through "(" and "!", and counts both against
 * AIA_COND_MAX_DEPTH, so the C stack is bounded whatever the input. "&&" and "||"
 * chains are read in loops into n-ary nodes: a chain of a thousand operands is
 * one node with a thousand children, not a tree a thousand levels deep, which
 * keeps the evaluator's recursion within the same bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia_cond.h"
#include "util.h"

enum kind { K_LABEL, K_NOT, K_AND, K_OR };

struct node {
	enum kind kind;
	int first;         /* first child, -1 for a label */
	int next;          /* next sibling, -1 at the end */
	const char *label; /* K_LABEL: NUL-terminated, in the pool */
};

struct aia_cond {
	struct node *nodes;
	size_t nnodes;
	int root;
	char *pool;   /* unescaped labels, each NUL-terminated */
	char *text;   /* the source */
	const char **labels;  /* the K_LABEL labels in source order */
	size_t nlabels;
};

/* AST height: every "(" adds at most an OR and an AND level, every "!" one NOT
 * level; both are capped by AIA_COND_MAX_DEPTH. */
#define MAX_HEIGHT (2 * AIA_COND_MAX_DEPTH + 3)

struct parser {
	const char *s;
	size_t len, pos;
	int depth;
	struct aia_cond *c;
	size_t cap;       /* nodes allocated */
	size_t pool_used;
	size_t errpos;    /* 0-based */
	const char *cause;
	char what[96];    /* cause with the offending byte, when it names one */
};

static int fail(struct parser *p, size_t pos, const char *cause)
{
	p->errpos = pos;
	p->cause = cause;
	return -1;
}

/* "unexpected 'x'" for the byte at pos, or "unexpected end of condition". */
static int unexpected(struct parser *p, const char *expected)
{
	if (p->pos >= p->len) {
		snprintf(p->what, sizeof p->what, "unexpected end, expected %s", expected);
	} else {
		unsigned char ch = (unsigned char)p->s[p->pos];
		if (ch > 0x20 && ch < 0x7f)
			snprintf(p->what, sizeof p->what, "unexpected '%c', expected %s", ch, expected);
		else
			snprintf(p->what, sizeof p->what, "unexpected byte 0x%02x, expected %s", ch, expected);
	}
	return fail(p, p->pos, p->what);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r' ||
				   p->s[p->pos] == '\n'))
		p->pos++;
}

static bool peek2(const struct parser *p, const char *tok)
{
	return p->pos + 1 < p->len && p->s[p->pos] == tok[0] && p->s[p->pos + 1] == tok[1];
}

static int new_node(struct parser *p, enum kind k)
{
	if (p->c->nnodes == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->c->nodes = xrealloc(p->c->nodes, p->cap * sizeof *p->c->nodes);
	}
	p->c->nodes[p->c->nnodes] = (struct node){.kind = k, .first = -1, .next = -1};
	return (int)p->c->nnodes++;
}

static bool ident_byte(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Reads the word at pos into [*start, pos); the word may be empty. */
static size_t word(struct parser *p, size_t *start)
{
	*start = p->pos;
	while (p->pos < p->len && ident_byte(p->s[p->pos]))
		p->pos++;
	return p->pos - *start;
}

static int parse_or(struct parser *p, int *out);

/* STRING "in" "labels" */
static int parse_label(struct parser *p, int *out)
{
	size_t open = p->pos;
	char quote = p->s[p->pos++];
	/* The pool has one byte per source byte: a label's text is at most its
	 * quoted source minus the two quotes, so text plus NUL always fits. */
	char *dst = p->c->pool + p->pool_used;
	size_t n = 0;
	for (;;) {
		if (p->pos >= p->len)
			return fail(p, open, "label not closed");
		char ch = p->s[p->pos];
		if (ch == quote)
			break;
		if (ch == '\\') {
			if (++p->pos >= p->len)
				return fail(p, open, "label not closed");
			ch = p->s[p->pos];
		}
		if (ch == '\0')
			return fail(p, p->pos, "NUL byte in label");
		dst[n++] = ch;
		p->pos++;
	}
	p->pos++;
	if (!n)
		return fail(p, open, "empty label");
	dst[n] = '\0';
	p->pool_used += n + 1;

	size_t w, wlen;
	skip_ws(p);
	wlen = word(p, &w);
	if (wlen != 2 || memcmp(p->s + w, "in", 2)) {
		p->pos = w;
		return unexpected(p, "'in'");
	}
	skip_ws(p);
	wlen = word(p, &w);
	if (wlen != 6 || memcmp(p->s + w, "labels", 6)) {
		p->pos = w;
		return unexpected(p, "'labels'");
	}
	int i = new_node(p, K_LABEL);
	p->c->nodes[i].label = dst;
	*out = i;
	return 0;
}

static int parse_unary(struct parser *p, int *out)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return unexpected(p, "a label, '!' or '('");
	char ch = p->s[p->pos];
	if (ch == '!' || ch == '(') {
		size_t at = p->pos++;
		int child, rc;
		if (++p->depth > AIA_COND_MAX_DEPTH)
			return fail(p, at, "nested too deeply (more than 64 '(' and '!')");
		if (ch == '!') {
			if ((rc = parse_unary(p, &child)))
				return rc;
			*out = new_node(p, K_NOT);
			p->c->nodes[*out].first = child;
		} else {
			if ((rc = parse_or(p, out)))
				return rc;
			skip_ws(p);
			if (p->pos >= p->len)
				return fail(p, at, "'(' not closed");
			if (p->s[p->pos] != ')')
				return unexpected(p, "')', '&&' or '||'");
			p->pos++;
		}
		p->depth--;
		return 0;
	}
	if (ch == '"' || ch == '\'')
		return parse_label(p, out);
	return unexpected(p, "a label, '!' or '('");
}

/* Reads operands of one binary operator into an n-ary node; a single operand
 * is returned as is. Indices, not pointers: new_node may move the array. */
static int parse_chain(struct parser *p, enum kind k, int *out)
{
	const char *tok = k == K_AND ? "&&" : "||";
	int first, last, next, rc;
	if ((rc = k == K_AND ? parse_unary(p, &first) : parse_chain(p, K_AND, &first)))
		return rc;
	*out = last = first;
	for (;;) {
		skip_ws(p);
		if (!peek2(p, tok)) {
			if (p->pos < p->len && p->s[p->pos] == tok[0])
				return fail(p, p->pos, k == K_AND ? "'&' must be '&&'" : "'|' must be '||'");
			return 0;
		}
		p->pos += 2;
		if ((rc = k == K_AND ? parse_unary(p, &next) : parse_chain(p, K_AND, &next)))
			return rc;
		if (*out == first) {
			*out = new_node(p, k);
			p->c->nodes[*out].first = first;
		}
		p->c->nodes[last].next = next;
		last = next;
	}
}

static int parse_or(struct parser *p, int *out)
{
	return parse_chain(p, K_OR, out);
}

int aia_cond_parse(const char *src, size_t len, struct aia_cond **out, size_t *errpos, char *err,
		   size_t errlen)
{
	struct parser p = {.s = src, .len = len};
	int rc = -1;
	*out = NULL;
	if (!src) {
		p.errpos = 0;
		p.cause = "no condition";
		goto out;
	}
	if (len > AIA_COND_MAX_LEN) {
		fail(&p, AIA_COND_MAX_LEN, "condition longer than 4096 bytes");
		goto out;
	}
	p.c = xcalloc(1, sizeof *p.c);
	p.c->pool = xmalloc(len + 1);
	skip_ws(&p);
	if (p.pos == len) {
		fail(&p, p.pos, "empty condition");
		goto out;
	}
	if (parse_or(&p, &p.c->root))
		goto out;
	skip_ws(&p);
	if (p.pos < len) {
		if (p.s[p.pos] == ')')
			fail(&p, p.pos, "')' without '('");
		else
			unexpected(&p, "'&&', '||' or the end");
		goto out;
	}
	p.c->text = xstrndup(src, len);
	/* xstrndup stops at a NUL; the parser has already refused NUL bytes outside
	 * labels and inside them, so the copy is the whole source. */
	for (size_t i = 0; i < p.c->nnodes; i++)
		if (p.c->nodes[i].kind == K_LABEL)
			p.c->nlabels++;
	p.c->labels = xcalloc(p.c->nlabels, sizeof *p.c->labels);
	/* Nodes are created when their label is read, so node order is source order. */
	for (size_t i = 0, j = 0; i < p.c->nnodes; i++)
		if (p.c->nodes[i].kind == K_LABEL)
			p.c->labels[j++] = p.c->nodes[i].label;
	*out = p.c;
	p.c = NULL;
	rc = 0;
out:
	if (rc) {
		snprintf(err, errlen, "byte %zu: %s", p.errpos + 1, p.cause);
		if (errpos)
			*errpos = p.errpos + 1;
		aia_cond_free(p.c);
	}
	return rc;
}

void aia_cond_free(struct aia_cond *c)
{
	if (!c)
		return;
	free(c->nodes);
	free(c->pool);
	free(c->text);
	free(c->labels);
	free(c);
}

static bool has(const char *label, const char *const *labels, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (labels[i] && !strcmp(labels[i], label))
			return true;
	return false;
}

static bool eval(const struct aia_cond *c, int i, const char *const *labels, size_t n, int height)
{
	const struct node *nd = &c->nodes[i];
	if (height > MAX_HEIGHT)  /* the parser makes this impossible */
		return false;
	switch (nd->kind) {
	case K_LABEL:
		return has(nd->label, labels, n);
	case K_NOT:
		return !eval(c, nd->first, labels, n, height + 1);
	case K_AND:
		for (int ch = nd->first; ch != -1; ch = c->nodes[ch].next)
			if (!eval(c, ch, labels, n, height + 1))
				return false;
		return true;
	case K_OR:
		for (int ch = nd->first; ch != -1; ch = c->nodes[ch].next)
			if (eval(c, ch, labels, n, height + 1))
				return true;
		return false;
	}
	return false;
}

bool aia_cond_eval(const struct aia_cond *c, const char *const *labels, size_t n)
{
	return c && eval(c, c->root, labels, n, 0);
}

const char *aia_cond_text(const struct aia_cond *c)
{
	return c->text;
}

size_t aia_cond_nlabels(const struct aia_cond *c)
{
	return c->nlabels;
}

const char *aia_cond_label(const struct aia_cond *c, size_t i)
{
	return i < c->nlabels ? c->labels[i] : NULL;
}

static int format(const struct aia_cond *c, int i, struct buf *out, int height)
{
	static const char *const names[] = {[K_NOT] = "not(", [K_AND] = "and(", [K_OR] = "or("};
	const struct node *nd = &c->nodes[i];
	int rc = 0;
	if (height > MAX_HEIGHT)
		return BUF_TOOBIG;
	if (nd->kind == K_LABEL) {
		rc |= buf_putc(out, '"');
		for (const char *s = nd->label; *s; s++) {
			if (*s == '"' || *s == '\\')
				rc |= buf_putc(out, '\\');
			rc |= buf_putc(out, *s);
		}
		return rc | buf_putc(out, '"');
	}
	rc |= buf_puts(out, names[nd->kind]);
	for (int ch = nd->first; ch != -1 && !rc; ch = c->nodes[ch].next) {
		if (ch != nd->first)
			rc |= buf_puts(out, ", ");
		rc |= format(c, ch, out, height + 1);
	}
	return rc ? BUF_TOOBIG : buf_putc(out, ')');
}

int aia_cond_format(const struct aia_cond *c, struct buf *out)
{
	return format(c, c->root, out, 0) ? BUF_TOOBIG : 0;
}
