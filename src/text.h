/* text.h - UTF-8 and HTML text handling. */
#ifndef AIREG_TEXT_H
#define AIREG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Length of the well-formed UTF-8 sequence at s[0..n) (1..4), storing the code
 * point in *cp, or 0 when s does not start one (overlong, surrogate, > U+10FFFF,
 * truncated). n must be at least 1. */
size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);
/* Number of code points in well-formed UTF-8 s[0..n). */
size_t text_utf8_len(const char *s, size_t n);

/* Allow-list HTML sanitiser for the register's text fields.
 * Keeps only the tags div, br, p, ul, ol, li (case-insensitive on input, written
 * lower case, every attribute dropped: "<p class=x>" -> "<p>", "<br/>" -> "<br>").
 * Any other tag is removed but its text kept, except the content of script,
 * style, iframe, object, template, textarea, title and noscript, which is dropped
 * entirely, and HTML comments, which are dropped. Text is re-escaped: '<' and '>'
 * not part of an allowed tag become &lt; &gt;, a bare '&' becomes &amp; (valid
 * named/numeric references such as &amp; &eacute; &#233; &#xE9; are kept; names
 * are checked for form, not against the entity list, as an unknown one renders
 * as its literal text anyway), '"' stays as is. Closing tags are balanced: unmatched close tags are dropped and open
 * allowed elements are closed at the end (at most 64 nested; deeper ones are
 * dropped). Markup cut off by the end of the input (a tag, end tag or comment
 * without its '>') is text typed by someone, not a tag: it is kept from its '<'
 * to the end, escaped ("a <b c" -> "a &lt;b c").
 * Invalid UTF-8 becomes U+FFFD and NUL bytes are removed, so the output is
 * valid UTF-8 and sanitising it again changes nothing. Output is appended to out.
 * Returns 0, or BUF_TOOBIG. */
int text_sanitize_html(const char *in, size_t n, struct buf *out);

/* Number of characters of sanitised HTML s[0..n) (text_sanitize_html's output):
 * code points, each character reference (&lt; &amp; &#233;) counted as the one
 * character it stands for, tags as written. So "x < y" typed counts 5, not the
 * 8 bytes of "x &lt; y". */
size_t text_html_len(const char *s, size_t n);

/* Appends s[0..n) HTML-escaped (& < > " ') to out. */
int text_html_escape(struct buf *out, const char *s, size_t n);

/* A key for matching organisation names written differently: lower case,
 * Latin accents folded to ASCII (â -> a, ë -> e, ß -> ss, ĳ -> ij, also when
 * written with combining marks), every run of characters that are not letters
 * or digits dropped. "Gemeente Noardeast-Fryslân" and "gemeente noardeast
 * fryslan" give the same key. Letters beyond U+017F are kept unchanged.
 * Appends to out. */
int text_name_key(struct buf *out, const char *s);

/* A URL-safe identifier from a name: lower case ASCII letters and digits with
 * single '-' between words, accents folded, apostrophes dropped ("Children's"
 * -> "childrens"), at most maxlen bytes (0: no limit; cut at a '-' boundary
 * where possible), never empty ("org" if nothing remains). */
int text_slug(struct buf *out, const char *s, size_t maxlen);

/* Removes leading and trailing ASCII whitespace in place; returns s. */
char *text_trim(char *s);

#endif
