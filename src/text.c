/* text.c - UTF-8 and HTML text handling. */
#include "text.h"

#include <stdint.h>
#include <string.h>

size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

bool text_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	for (size_t i = 0, len; i < n; i += len)
		if ((len = text_utf8_decode(u + i, n - i, &cp)) == 0)
			return false;
	return true;
}

size_t text_utf8_len(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

static int is_ascii_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ascii_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int text_html_escape(struct buf *out, const char *s, size_t n)
{
	if (n == 0) /* s may be NULL */
		return 0;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_append(out, s + run, i - run) || buf_puts(out, rep))
			return BUF_TOOBIG;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run);
}

/* ---- name keys and slugs ---- */

enum cp_class {
	CP_ALNUM,   /* letter or digit with an ASCII form */
	CP_IGNORE,  /* vanishes without separating words (apostrophes, combining marks) */
	CP_SEP,     /* punctuation, symbols, spaces, invalid bytes */
	CP_OTHER,   /* anything else, e.g. letters of non-Latin scripts */
};

/* ASCII forms of U+00C0..U+017F, 16 per row. ' ' is not a letter (x and /);
 * digits stand for two-letter forms: 1 ae, 2 th, 3 ss, 4 ij, 5 oe. */
static const char latin_fold[] =
	"aaaaaa1ceeeeiiii" "dnooooo ouuuuy23" "aaaaaa1ceeeeiiii" "dnooooo ouuuuy2y"
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "ii44jjkkklllllll"
	"lllnnnnnnnnnoooo" "oo55rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

_Static_assert(sizeof latin_fold - 1 == 0x180 - 0xC0, "latin_fold covers U+00C0..U+017F");

/* A few ranges instead of Unicode tables: the register's names are Dutch and
 * Frisian, which Latin-1 and Latin Extended-A cover; other scripts are left as
 * they are rather than guessed at. */
static enum cp_class classify(uint32_t cp, char asc[3])
{
	static const char *const multi[] = {"ae", "th", "ss", "ij", "oe"};
	if (cp < 0x80) {
		if (is_ascii_alpha((unsigned char)cp) || is_ascii_digit((unsigned char)cp)) {
			asc[0] = (char)ascii_lower((unsigned char)cp);
			asc[1] = '\0';
			return CP_ALNUM;
		}
		return cp == '\'' ? CP_IGNORE : CP_SEP;
	}
	if (cp >= 0xC0 && cp < 0x180) {
		char f = latin_fold[cp - 0xC0];
		if (f == ' ')
			return CP_SEP;
		if (f >= '1' && f <= '5') {
			memcpy(asc, multi[f - '1'], 3);
		} else {
			asc[0] = f;
			asc[1] = '\0';
		}
		return CP_ALNUM;
	}
	if (cp == 0x2019 || (cp >= 0x0300 && cp <= 0x036F) || cp == 0x200D || cp == 0xFEFF ||
	    (cp >= 0xFE00 && cp <= 0xFE0F))
		return CP_IGNORE;
	if (cp < 0xC0 || (cp >= 0x02B0 && cp <= 0x02FF) || (cp >= 0x2000 && cp <= 0x2BFF) ||
	    (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp >= 0x1F000)
		return CP_SEP;
	return CP_OTHER;
}

/* Walks s code point by code point; invalid bytes count as separators. */
static enum cp_class next_cp(const char **s, char asc[3], size_t *len)
{
	const unsigned char *u = (const unsigned char *)*s;
	uint32_t cp;
	size_t n = text_utf8_decode(u, strnlen(*s, 4), &cp);
	if (n == 0) {
		*len = 1;
		*s += 1;
		return CP_SEP;
	}
	*len = n;
	*s += n;
	return classify(cp, asc);
}

int text_name_key(struct buf *out, const char *s)
{
	while (*s) {
		char asc[3];
		size_t len;
		const char *start = s;
		switch (next_cp(&s, asc, &len)) {
		case CP_ALNUM:
			if (buf_puts(out, asc))
				return BUF_TOOBIG;
			break;
		case CP_OTHER:
			if (buf_append(out, start, len))
				return BUF_TOOBIG;
			break;
		default:
			break;
		}
	}
	return 0;
}

int text_slug(struct buf *out, const char *s, size_t maxlen)
{
	struct buf t;
	buf_init(&t, 0);
	int rc = 0;
	int pending_sep = 0;
	while (*s && !rc) {
		char asc[3];
		size_t len;
		switch (next_cp(&s, asc, &len)) {
		case CP_ALNUM:
			if (pending_sep && t.len > 0)
				rc = buf_putc(&t, '-');
			pending_sep = 0;
			rc = rc ? rc : buf_puts(&t, asc);
			break;
		case CP_IGNORE:
			break;
		default:
			pending_sep = 1;
			break;
		}
		/* where to cut is known once the byte at maxlen exists */
		if (maxlen && t.len > maxlen)
			break;
	}
	size_t cut = t.len;
	if (maxlen && cut > maxlen) {
		cut = maxlen;
		if (t.data[maxlen] != '-') {
			const char *dash = NULL;
			for (size_t i = maxlen; i-- > 1;)
				if (t.data[i] == '-') {
					dash = t.data + i;
					break;
				}
			if (dash)
				cut = (size_t)(dash - t.data);
		}
	}
	if (!rc) {
		if (cut == 0)
			rc = buf_append(out, "org", maxlen && maxlen < 3 ? maxlen : 3);
		else
			rc = buf_append(out, t.data, cut);
	}
	buf_cleanup(&t);
	return rc ? BUF_TOOBIG : 0;
}

char *text_trim(char *s)
{
	static const char ws[] = " \t\n\v\f\r";
	size_t n = strlen(s);
	size_t start = strspn(s, ws);
	while (n > start && strchr(ws, s[n - 1]))
		n--;
	memmove(s, s + start, n - start);
	s[n - start] = '\0';
	return s;
}

/* ---- HTML sanitiser ---- */

#define SAN_MAX_DEPTH 64

/* Allowed elements other than br; pointer identity is used for matching. */
static const char *const kept_tags[] = {"div", "p", "ul", "ol", "li"};
static const char *const dropped_content_tags[] = {
	"script", "style", "iframe", "object", "template", "textarea", "title", "noscript",
};

struct san {
	struct buf *out;
	int err;
	int depth;
	const char *open[SAN_MAX_DEPTH];
};

static void emit(struct san *s, const char *p, size_t n)
{
	if (!s->err && n && buf_append(s->out, p, n))
		s->err = BUF_TOOBIG;
}

static void emit_str(struct san *s, const char *p)
{
	emit(s, p, strlen(p));
}

static int is_html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int ends_tag_name(char c)
{
	return is_html_space(c) || c == '/' || c == '>';
}

/* Length of a character reference at p ('&'), or 0 when it is not a valid one.
 * Named references are checked for form only: an unknown name renders as the
 * literal text either way, and no reference can produce markup in text. */
static size_t char_ref_len(const char *p, size_t n)
{
	size_t i = 1;
	if (i < n && p[i] == '#') {
		i++;
		int hex = i < n && (p[i] == 'x' || p[i] == 'X');
		i += (size_t)hex;
		size_t start = i;
		uint32_t v = 0;
		for (; i < n && i - start < 8; i++) {
			unsigned char c = (unsigned char)p[i];
			uint32_t d;
			if (is_ascii_digit(c))
				d = c - '0';
			else if (hex && ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f')
				d = ascii_lower(c) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + d;
		}
		if (i == start || i >= n || p[i] != ';')
			return 0;
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		return i + 1;
	}
	if (i >= n || !is_ascii_alpha((unsigned char)p[i]))
		return 0;
	while (i < n && i < 40 && (is_ascii_alpha((unsigned char)p[i]) || is_ascii_digit((unsigned char)p[i])))
		i++;
	return i < n && p[i] == ';' ? i + 1 : 0;
}

/* Writes text (no '<' in it is markup any more) escaped for HTML. */
static void emit_text(struct san *s, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char c = u[i];
		size_t len = 1;
		const char *rep;
		uint32_t cp;
		if (c == '&') {
			size_t r = char_ref_len(p + i, n - i);
			if (r) {
				i += r;
				continue;
			}
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '\0') {
			rep = "";
		} else if (c >= 0x80) {
			len = text_utf8_decode(u + i, n - i, &cp);
			if (len) {
				i += len;
				continue;
			}
			len = 1;
			rep = "\xEF\xBF\xBD";
		} else {
			i++;
			continue;
		}
		emit(s, p + run, i - run);
		emit_str(s, rep);
		i += len;
		run = i;
	}
	emit(s, p + run, n - run);
}

static const char *find_name(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return list[i];
	return NULL;
}

static void close_top(struct san *s)
{
	const char *name = s->open[--s->depth];
	emit_str(s, "</");
	emit_str(s, name);
	emit_str(s, ">");
}

static void open_tag(struct san *s, const char *name)
{
	if (strcmp(name, "br") == 0) {
		emit_str(s, "<br>");
		return;
	}
	const char *k = find_name(name, kept_tags, sizeof kept_tags / sizeof kept_tags[0]);
	/* past the depth limit tags are dropped; the output stays balanced */
	if (!k || s->depth == SAN_MAX_DEPTH)
		return;
	s->open[s->depth++] = k;
	emit_str(s, "<");
	emit_str(s, k);
	emit_str(s, ">");
}

static void close_tag(struct san *s, const char *name)
{
	const char *k = find_name(name, kept_tags, sizeof kept_tags / sizeof kept_tags[0]);
	int i = s->depth - 1;
	while (k && i >= 0 && s->open[i] != k)
		i--;
	if (!k || i < 0)
		return;
	/* elements opened inside it and left open end with it */
	while (s->depth > i)
		close_top(s);
}

/* Skips a tag's attributes up to and past its '>', following the HTML tokenizer
 * closely enough that a quoted '>' does not end the tag. NULL when the input ends
 * inside the tag. */
static const char *skip_attributes(const char *q, const char *end)
{
	for (;;) {
		while (q < end && (is_html_space(*q) || *q == '/'))
			q++;
		if (q >= end)
			return NULL;
		if (*q == '>')
			return q + 1;
		q++; /* a name's first character may be anything, even '=' */
		while (q < end && !ends_tag_name(*q) && *q != '=')
			q++;
		while (q < end && is_html_space(*q))
			q++;
		if (q >= end || *q != '=')
			continue;
		q++;
		while (q < end && is_html_space(*q))
			q++;
		if (q < end && (*q == '"' || *q == '\'')) {
			const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
			if (!close)
				return NULL;
			q = close + 1;
		} else {
			while (q < end && !is_html_space(*q) && *q != '>')
				q++;
		}
	}
}

static int ci_prefix(const char *p, const char *end, const char *lower)
{
	size_t n = strlen(lower);
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)p[i]) != (unsigned char)lower[i])
			return 0;
	return 1;
}

/* Drops everything up to and including the end tag </name>. */
static const char *skip_content(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p > 2 && p[1] == '/' && ci_prefix(p + 2, end, name) &&
		    (p + 2 + n == end || ends_tag_name(p[2 + n]))) {
			const char *q = skip_attributes(p + 2 + n, end);
			return q ? q : end;
		}
		p++;
	}
	return end;
}

/* Past the end of a comment whose "<!--" is before p; NULL when it never ends. */
static const char *skip_comment(const char *p, const char *end)
{
	/* "<!-->" and "<!--->" are complete (empty) comments in HTML */
	if (p < end && *p == '>')
		return p + 1;
	if (end - p >= 2 && p[0] == '-' && p[1] == '>')
		return p + 2;
	for (; p < end; p++) {
		if (end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '>')
			return p + 3;
		if (end - p >= 4 && memcmp(p, "--!>", 4) == 0)
			return p + 4;
	}
	return NULL;
}

/* Past the next '>', or NULL when there is none. */
static const char *past_gt(const char *p, const char *end)
{
	const char *q = memchr(p, '>', (size_t)(end - p));
	return q ? q + 1 : NULL;
}

/* Handles the markup starting at p ('<'); returns where text resumes, or NULL
 * when the markup is cut off by the end of the input. */
static const char *markup(struct san *s, const char *p, const char *end)
{
	const char *q = p + 1;
	if (q < end && *q == '!') {
		if (end - q >= 3 && q[1] == '-' && q[2] == '-')
			return skip_comment(q + 3, end);
		return past_gt(q, end);
	}
	if (q < end && *q == '?')
		return past_gt(q, end);
	int closing = q < end && *q == '/';
	q += closing;
	if (q >= end || !is_ascii_alpha((unsigned char)*q)) {
		if (closing) /* "</>" and "</ ..." are ignored by browsers up to the next '>' */
			return past_gt(q, end);
		emit_str(s, "&lt;");
		return p + 1;
	}

	char name[16];
	size_t len = 0;
	for (; q < end && !ends_tag_name(*q); q++, len++)
		if (len < sizeof name - 1)
			name[len] = (char)ascii_lower((unsigned char)*q);
	/* a name too long for the buffer matches no known tag */
	name[len < sizeof name ? len : 0] = '\0';

	if (!(q = skip_attributes(q, end)))
		return NULL;
	if (closing) {
		close_tag(s, name);
		return q;
	}
	const char *drop = find_name(name, dropped_content_tags,
				     sizeof dropped_content_tags / sizeof dropped_content_tags[0]);
	if (drop)
		return skip_content(q, end, drop);
	open_tag(s, name);
	return q;
}

int text_sanitize_html(const char *in, size_t n, struct buf *out)
{
	struct san s = {.out = out};
	if (n == 0) /* in may be NULL, and NULL + 0 is undefined in C */
		return 0;
	const char *p = in, *end = in + n;
	while (p < end && !s.err) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *stop = lt ? lt : end;
		emit_text(&s, p, (size_t)(stop - p));
		if (!lt)
			break;
		/* Markup cut off by the end is typed text ("a <b c"): kept, '<' escaped.
		 * Nothing after it is read as markup again, so the scan stays linear. */
		if (!(p = markup(&s, lt, end))) {
			emit_text(&s, lt, (size_t)(end - lt));
			break;
		}
	}
	while (s.depth > 0)
		close_top(&s);
	return s.err;
}

size_t text_html_len(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		size_t r = s[i] == '&' ? char_ref_len(s + i, n - i) : 0;
		if (r) {
			count++;
			i += r;
			continue;
		}
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
		i++;
	}
	return count;
}
