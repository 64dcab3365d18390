/* aia_cond.h - redirect conditions of the decision tree.
 *
 * The Beslishulp writes its redirect conditions in a small subset of JEXL:
 *
 *   "aanbieder" in labels && !("hoog-risico AI" in labels) || ('x' in labels)
 *
 * Grammar (whitespace - space, tab, CR, LF - allowed between tokens):
 *
 *   or      := and ( "||" and )*
 *   and     := unary ( "&&" unary )*
 *   unary   := "!" unary | primary
 *   primary := "(" or ")" | STRING "in" "labels"
 *   STRING  := '"' ... '"' | "'" ... "'"   (a backslash takes the next byte literally)
 *
 * so "||" binds weaker than "&&", and "!" binds tightest. A condition is parsed
 * once into an AST and then evaluated against label sets any number of times.
 * Parsing is bounded: at most AIA_COND_MAX_LEN bytes and AIA_COND_MAX_DEPTH
 * nested "(" and "!"; any input, including NUL bytes and invalid UTF-8, gives
 * either a condition or an error - never a crash. */
#ifndef AIREG_AIA_COND_H
#define AIREG_AIA_COND_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define AIA_COND_MAX_LEN 4096
#define AIA_COND_MAX_DEPTH 64

/* A parsed condition; opaque, immutable after parsing (so it may be shared by
 * threads), owned by whoever parsed it. */
struct aia_cond;

/* Parses src[0..len). On success returns 0 and stores a new condition in *out
 * (free it with aia_cond_free). On error returns -1, leaves *out NULL, writes
 * "byte N: cause" into err (N is the 1-based byte offset of the problem; len + 1
 * for an unexpected end) and, when errpos is not NULL, stores N there. */
int aia_cond_parse(const char *src, size_t len, struct aia_cond **out, size_t *errpos, char *err,
		   size_t errlen);

/* Frees a condition; NULL is allowed. */
void aia_cond_free(struct aia_cond *c);

/* True when the condition holds for the label set labels[0..n) (byte-wise
 * comparison; order and duplicates do not matter). */
bool aia_cond_eval(const struct aia_cond *c, const char *const *labels, size_t n);

/* The source text the condition was parsed from (owned by the condition). */
const char *aia_cond_text(const struct aia_cond *c);

/* The labels the condition tests, in source order (duplicates included):
 * aia_cond_nlabels() of them, each owned by the condition. */
size_t aia_cond_nlabels(const struct aia_cond *c);
const char *aia_cond_label(const struct aia_cond *c, size_t i);

/* Appends the AST in a canonical, fully bracketed form to out, for tests and
 * diagnostics: or("a", and("b", not("c"))). Labels are written with '"' and
 * '\' escaped by a backslash. Returns 0 or BUF_TOOBIG. */
int aia_cond_format(const struct aia_cond *c, struct buf *out);

#endif
