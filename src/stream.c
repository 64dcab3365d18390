/* stream.c - reading an import file piece by piece (see stream.h). */
#include "stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* jansson refuses a document nested deeper than this. */
#define MAX_DEPTH 2048
#define PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

enum { ST_START, ST_ARRAY_FIRST, ST_ARRAY_NEXT, ST_OBJ_FIRST, ST_OBJ_NEXT, ST_END, ST_DONE, ST_ERROR };

void stream_init_mem(struct stream *s, const char *data, size_t len)
{
	memset(s, 0, sizeof *s);
	s->buf = (char *)(data ? data : ""); /* only read */
	s->len = data ? len : 0;
	s->line = s->col = 1;
	s->eof = true;
}

void stream_init_file(struct stream *s, FILE *f)
{
	memset(s, 0, sizeof *s);
	s->f = f;
	s->chunk = (size_t)1 << 20;
	s->max = STREAM_MAX_VALUE;
	s->line = s->col = 1;
}

void stream_cleanup(struct stream *s)
{
	if (s->f)
		free(s->buf);
	json_decref(s->keys);
	s->buf = NULL;
	s->keys = NULL;
}

unsigned long long stream_done(const struct stream *s)
{
	return s->offset + s->pos;
}

static int fail_at(struct stream *s, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct stream *s, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	s->error_line = line;
	s->error_col = col ? col : 1;
	s->state = ST_ERROR;
	return -1;
}

/* Nothing before the scan position needs keeping. */
static void mark_here(struct stream *s)
{
	s->mark = s->vstart = s->pos;
	s->mark_line = s->line;
	s->mark_col = s->col;
}

/* Reads more input into the window, dropping what lies before the mark: 1 when
 * bytes were added, 0 at the end of the input, -1 on an error. */
static int more(struct stream *s)
{
	if (s->eof)
		return 0;
	if (s->mark) {
		memmove(s->buf, s->buf + s->mark, s->len - s->mark);
		s->len -= s->mark;
		s->pos -= s->mark;
		s->vstart -= s->mark;
		s->offset += s->mark;
		s->mark = 0;
	}
	if (s->len >= s->max)
		return fail_at(s, s->mark_line, s->mark_col, "the record starting here is larger than %zu %s",
			       s->max >= (1 << 20) ? s->max >> 20 : s->max, s->max >= (1 << 20) ? "MiB" : "bytes");
	if (s->cap - s->len < s->chunk) {
		s->cap = s->len + s->chunk > 2 * s->cap ? s->len + s->chunk : 2 * s->cap;
		s->buf = xrealloc(s->buf, s->cap);
	}
	size_t n = fread(s->buf + s->len, 1, s->chunk, s->f);
	if (!n) {
		if (ferror(s->f))
			return fail_at(s, s->line, s->col, "cannot read the file: %s", strerror(errno));
		s->eof = true;
		return 0;
	}
	s->len += n;
	return 1;
}

/* The byte at the scan position; -1 at the end of the input, -2 after an error. */
static int peek(struct stream *s)
{
	while (s->pos == s->len) {
		int rc = more(s);
		if (rc <= 0)
			return rc < 0 ? -2 : -1;
	}
	return (unsigned char)s->buf[s->pos];
}

/* Moves past the byte at the scan position. Columns count characters: UTF-8
 * continuation bytes do not advance them. */
static void advance(struct stream *s)
{
	unsigned char c = (unsigned char)s->buf[s->pos++];
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		s->col++;
	}
}

/* Skips JSON whitespace; returns the next byte as peek does. Between values of
 * a streamed array nothing read needs keeping. */
static int skip_ws(struct stream *s)
{
	int c;
	for (;;) {
		if (!s->whole)
			mark_here(s);
		c = peek(s);
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return c;
		advance(s);
	}
}

/* The error for byte c where what was expected (c as from peek). */
static int unexpected(struct stream *s, int c, const char *what)
{
	if (c == -2)
		return -1;
	if (c == -1)
		return fail_at(s, s->line, s->col > 1 ? s->col - 1 : 1, "%s near end of file", what);
	if (c >= 0x20 && c < 0x7f)
		return fail_at(s, s->line, s->col, "%s near '%c'", what, c);
	return fail_at(s, s->line, s->col, "%s near byte 0x%02x", what, (unsigned)c);
}

static int scan_string(struct stream *s)
{
	advance(s); /* the opening quote */
	for (;;) {
		/* most of a file: the bytes up to a quote, backslash or line break */
		const unsigned char *p = (const unsigned char *)s->buf + s->pos, *end = (const unsigned char *)s->buf + s->len;
		size_t chars = 0;
		for (; p < end && *p != '"' && *p != '\\' && *p != '\n'; p++)
			chars += (*p & 0xC0) != 0x80;
		s->col += chars;
		s->pos = (size_t)((const char *)p - s->buf);
		int c = peek(s);
		if (c < 0)
			return unexpected(s, c, "unterminated string");
		advance(s);
		if (c == '"')
			return 0;
		if (c == '\\') {
			if ((c = peek(s)) < 0)
				return unexpected(s, c, "unterminated string");
			advance(s);
		}
	}
}

/* Finds the end of the value at the scan position, in a container at depth;
 * jansson judges what lies between. */
static int scan_value(struct stream *s, int depth, size_t *line, size_t *col)
{
	int c = peek(s);
	s->vstart = s->pos;
	*line = s->line;
	*col = s->col;
	if (c == '"')
		return scan_string(s);
	if (c == '[' || c == '{') {
		for (int d = depth;;) {
			if ((c = peek(s)) == '"') {
				if (scan_string(s))
					return -1;
				continue;
			}
			if (c < 0)
				return unexpected(s, c, "unterminated array or object");
			if ((c == '[' || c == '{') && d == MAX_DEPTH)
				return fail_at(s, s->line, s->col, "maximum parsing depth reached");
			advance(s);
			if (c == '[' || c == '{')
				d++;
			else if ((c == ']' || c == '}') && --d == depth)
				return 0;
		}
	}
	if (c < 0 || c == ',' || c == ']' || c == '}' || c == ':')
		return unexpected(s, c, "value expected");
	/* a number or a literal: up to the next delimiter */
	while ((c = peek(s)) >= 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != ']' &&
	       c != '}')
		advance(s);
	return c == -2 ? -1 : 0;
}

/* Parses the scanned value, which starts at line, col of the document. */
static int parse(struct stream *s, size_t line, size_t col, json_t **v)
{
	json_error_t je;
	*v = json_loadb(s->buf + s->vstart, s->pos - s->vstart, PARSE_FLAGS, &je);
	if (*v)
		return 0;
	if (je.line < 1)
		return fail_at(s, line, col, "%s", je.text);
	/* jansson's column is 0 at the start of a line */
	size_t c = je.column > 0 ? (size_t)je.column : 1;
	return fail_at(s, line + (size_t)je.line - 1, je.line == 1 ? col - 1 + c : c, "%s", je.text);
}

/* A member of the top-level object: the streamed array starts, or the value is
 * checked (and kept, when the object is one value). */
static int object_member(struct stream *s, const char *member, int c)
{
	size_t line, col;
	json_t *key, *v;
	if (c != '"')
		return unexpected(s, c, "string expected");
	if (scan_value(s, 1, &line, &col) || parse(s, line, col, &key))
		return -1;
	const char *name = json_string_value(key);
	if (json_object_get(s->keys, name)) {
		fail_at(s, s->line, s->col - 1, "duplicate object key near '\"%.60s\"'", name);
		json_decref(key);
		return -1;
	}
	json_object_set_new(s->keys, name, json_true());
	bool is_member = member && !strcmp(name, member);
	json_decref(key);
	if ((c = skip_ws(s)) != ':')
		return unexpected(s, c, "':' expected");
	advance(s);
	c = skip_ws(s);
	s->has_member |= is_member;
	if (is_member && c == '[') {
		advance(s);
		s->whole = false;
		s->member = s->array = true;
		mark_here(s);
		s->state = ST_ARRAY_FIRST;
		return 0;
	}
	if (scan_value(s, 1, &line, &col) || parse(s, line, col, &v))
		return -1;
	json_decref(v);
	s->state = ST_OBJ_NEXT;
	return 0;
}

int stream_json_next(struct stream *s, const char *member, json_t **v, size_t *line, size_t *col)
{
	int c;
	*v = NULL;
	for (;;) {
		switch (s->state) {
		case ST_START:
			if ((c = skip_ws(s)) == '[') {
				advance(s);
				s->array = true;
				s->state = ST_ARRAY_FIRST;
			} else if (c == '{') {
				s->whole = true;
				s->keys = json_object();
				advance(s);
				s->state = ST_OBJ_FIRST;
			} else {
				/* jansson names the whole token */
				if (c < 0 || scan_value(s, 0, line, col))
					return unexpected(s, c, "'[' or '{' expected");
				return fail_at(s, s->line, s->col - 1, "'[' or '{' expected near '%.*s'",
					       (int)(s->pos - s->vstart < 40 ? s->pos - s->vstart : 40), s->buf + s->vstart);
			}
			break;
		case ST_ARRAY_FIRST:
		case ST_ARRAY_NEXT:
			if ((c = skip_ws(s)) == ']') {
				advance(s);
				s->state = s->member ? ST_OBJ_NEXT : ST_END;
				break;
			}
			if (s->state == ST_ARRAY_NEXT) {
				if (c != ',')
					return unexpected(s, c, "',' or ']' expected");
				advance(s);
				skip_ws(s);
			}
			if (scan_value(s, s->member ? 2 : 1, line, col) || parse(s, *line, *col, v))
				return -1;
			s->state = ST_ARRAY_NEXT;
			s->index++;
			return 1;
		case ST_OBJ_FIRST:
		case ST_OBJ_NEXT:
			if ((c = skip_ws(s)) == '}') {
				advance(s);
				s->state = ST_END;
				if (!s->whole)
					break;
				/* an object without the member array is the one value */
				s->vstart = s->mark;
				*line = s->mark_line;
				*col = s->mark_col;
				if (parse(s, *line, *col, v))
					return -1;
				s->whole = false;
				s->index++;
				return 1;
			}
			if (s->state == ST_OBJ_NEXT) {
				if (c != ',')
					return unexpected(s, c, "',' or '}' expected");
				advance(s);
				c = skip_ws(s);
			}
			if (object_member(s, member, c))
				return -1;
			break;
		case ST_END:
			if ((c = skip_ws(s)) != -1)
				return unexpected(s, c, "end of file expected");
			s->state = ST_DONE;
			return 0;
		case ST_DONE:
			return 0;
		default:
			return -1;
		}
	}
}

int stream_csv_next(struct stream *s, const char **data, size_t *len, size_t *line)
{
	if (s->state == ST_ERROR)
		return -1;
	mark_here(s);
	size_t cut = 0, lines = 0, cut_lines = 0; /* cut: the batch's length */
	bool quoted = false;
	for (;;) {
		if (s->pos == s->len) {
			if (cut && cut >= s->chunk && !s->eof)
				break;
			int rc = more(s);
			if (rc < 0)
				return -1;
			if (!rc) { /* the last record may lack its line break */
				cut = s->len - s->mark;
				cut_lines = lines;
				break;
			}
			continue;
		}
		char c = s->buf[s->pos++];
		if (c == '"') {
			quoted = !quoted;
		} else if (c == '\n') {
			lines++;
			if (!quoted) {
				cut = s->pos - s->mark;
				cut_lines = lines;
			}
		}
	}
	if (!cut)
		return 0;
	s->pos = s->mark + cut;
	*data = s->buf + s->mark;
	*len = cut;
	*line = s->line;
	s->line += cut_lines;
	s->col = 1;
	return 1;
}
