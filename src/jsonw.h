/* jsonw.h - streaming JSON writer into a struct buf.
 *
 * The writer tracks nesting and inserts commas itself, so callers emit values
 * in order: jsonw_obj_open(w); jsonw_key(w, "a"); jsonw_int(w, 1); ...
 * Strings are escaped per RFC 8259: '"', '\\' and control characters
 * (U+0000..U+001F as \b \f \n \r \t or \u00XX), plus U+2028/U+2029 as \u2028/\u2029
 * so the output is also safe inside <script>; '<', '>' and '&' are written as
 * \u003c, \u003e and \u0026 for the same reason. Invalid UTF-8 bytes are replaced
 * by U+FFFD. Output is compact (no whitespace).
 * Any buffer overflow (BUF_TOOBIG) is sticky: jsonw_error() reports it. */
#ifndef AIREG_JSONW_H
#define AIREG_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct buf *out;              /* not owned */
	int depth;
	bool need_comma[JSONW_MAX_DEPTH + 1];
	bool after_key;
	int err;                      /* 0 or BUF_TOOBIG / -2 on misuse (depth) */
};

void jsonw_init(struct jsonw *w, struct buf *out);
void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);
/* Writes an object key (escaped) and the colon. */
void jsonw_key(struct jsonw *w, const char *k);
void jsonw_str(struct jsonw *w, const char *s);          /* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Inserts already-serialised JSON text as one value (caller guarantees validity). */
void jsonw_raw(struct jsonw *w, const char *json, size_t n);
/* Writes only the escaped body of a string (no quotes) into b. */
int jsonw_escape(struct buf *b, const char *s, size_t n);
int jsonw_error(const struct jsonw *w);

#endif
