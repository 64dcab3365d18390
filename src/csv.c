/* csv.c - RFC 4180 CSV reading and writing. */
#include "csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bound on the bytes of one record's fields together, so a hostile document
 * cannot make a single record take more memory than the input itself plus a
 * little, even when the caller passes a huge input. */
#define CSV_MAX_RECORD (16u * 1024 * 1024)

void csv_reader_init(struct csv_reader *r, const char *data, size_t len, char delim)
{
	memset(r, 0, sizeof *r);
	if (!data) /* arithmetic on NULL is undefined even with len 0 */
		data = "", len = 0;
	r->p = data;
	r->end = data + len;
	r->delim = delim;
	r->line = r->col = r->record_line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	buf_init(&r->store, CSV_MAX_RECORD);
}

void csv_reader_cleanup(struct csv_reader *r)
{
	buf_cleanup(&r->store);
	r->nfields = 0;
}

/* Moves past n bytes that contain no line break. Columns count code points, not
 * bytes, so UTF-8 continuation bytes do not advance them. */
static void skip(struct csv_reader *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)r->p[i] & 0xC0) != 0x80)
			r->col++;
	r->p += n;
}

static void newline(struct csv_reader *r, size_t n)
{
	r->p += n;
	r->line++;
	r->col = 1;
}

/* Length of the record separator at p (LF or CRLF), 0 when there is none. */
static size_t eol_len(const struct csv_reader *r)
{
	if (r->p < r->end && r->p[0] == '\n')
		return 1;
	if (r->end - r->p >= 2 && r->p[0] == '\r' && r->p[1] == '\n')
		return 2;
	return 0;
}

static int fail(struct csv_reader *r, size_t line, size_t col, const char *why)
{
	snprintf(r->errmsg, sizeof r->errmsg, "line %zu, column %zu: %s", line, col, why);
	r->nfields = 0;
	/* nothing sensible follows a syntax error; later calls report end of input */
	r->p = r->end;
	return -1;
}

static int store(struct csv_reader *r, const char *s, size_t n)
{
	return buf_append(&r->store, s, n);
}

/* Reads a quoted field; p is at the opening quote. */
static int quoted_field(struct csv_reader *r)
{
	size_t line = r->line, col = r->col;
	skip(r, 1);
	for (;;) {
		const char *q = r->p;
		while (q < r->end && *q != '"' && *q != '\n' && *q != '\0')
			q++;
		if (store(r, r->p, (size_t)(q - r->p)))
			return fail(r, r->line, r->col, "record too long");
		skip(r, (size_t)(q - r->p));
		if (q == r->end)
			return fail(r, line, col, "unterminated quoted field");
		if (*q == '\0')
			return fail(r, r->line, r->col, "NUL byte");
		if (*q == '\n') {
			if (store(r, "\n", 1))
				return fail(r, r->line, r->col, "record too long");
			newline(r, 1);
		} else if (q + 1 < r->end && q[1] == '"') {
			if (store(r, "\"", 1))
				return fail(r, r->line, r->col, "record too long");
			skip(r, 2);
		} else {
			skip(r, 1);
			break;
		}
	}
	if (r->p < r->end && *r->p != r->delim && !eol_len(r))
		return fail(r, r->line, r->col, "unexpected character after closing quote");
	return 0;
}

static int plain_field(struct csv_reader *r)
{
	const char *q = r->p;
	while (q < r->end && *q != r->delim && *q != '\n' && *q != '"' && *q != '\0' &&
	       !(*q == '\r' && q + 1 < r->end && q[1] == '\n'))
		q++;
	if (store(r, r->p, (size_t)(q - r->p)))
		return fail(r, r->line, r->col, "record too long");
	skip(r, (size_t)(q - r->p));
	if (q < r->end && *q == '"')
		return fail(r, r->line, r->col, "stray quote in unquoted field");
	/* fields are C strings; a NUL would silently cut one short */
	if (q < r->end && *q == '\0')
		return fail(r, r->line, r->col, "NUL byte");
	return 0;
}

int csv_reader_next(struct csv_reader *r)
{
	size_t offs[CSV_MAX_FIELDS];
	size_t n;

	buf_reset(&r->store);
	r->nfields = 0;
	while ((n = eol_len(r)) != 0)
		newline(r, n);
	if (r->p >= r->end)
		return 0;
	r->record_line = r->line;

	size_t nf = 0;
	for (;;) {
		if (nf == CSV_MAX_FIELDS)
			return fail(r, r->line, r->col, "too many fields");
		offs[nf] = r->store.len;
		int rc = r->p < r->end && *r->p == '"' ? quoted_field(r) : plain_field(r);
		if (rc)
			return rc;
		if (store(r, "", 1))
			return fail(r, r->line, r->col, "record too long");
		nf++;
		if (r->p < r->end && *r->p == r->delim) {
			skip(r, 1);
			continue;
		}
		if ((n = eol_len(r)) != 0)
			newline(r, n);
		break;
	}
	/* Fields are pointed at only now: the store may have moved while growing. */
	for (size_t i = 0; i < nf; i++)
		r->fields[i] = r->store.data + offs[i];
	r->nfields = nf;
	return 1;
}

int csv_write_field(struct buf *b, const char *s)
{
	size_t n = strlen(s), start = b->len;
	bool first = b->len == 0 || b->data[b->len - 1] == '\n';
	/* An empty first field is quoted so that a record holding only it is not
	 * an empty line, which readers skip. */
	bool quote = n == 0 ? first : s[0] == ' ' || s[n - 1] == ' ';
	/* a leading BOM would be taken for the document's own */
	quote = quote || strncmp(s, "\xEF\xBB\xBF", 3) == 0 || strpbrk(s, ",\"\r\n") != NULL;
	int rc = 0;

	if (!first)
		rc = buf_putc(b, ',');
	if (!quote) {
		rc = rc ? rc : buf_append(b, s, n);
	} else {
		rc = rc ? rc : buf_putc(b, '"');
		for (const char *q; !rc && (q = strchr(s, '"')) != NULL; s = q + 1)
			rc = buf_append(b, s, (size_t)(q - s + 1)) ? BUF_TOOBIG : buf_putc(b, '"');
		rc = rc ? rc : buf_puts(b, s);
		rc = rc ? rc : buf_putc(b, '"');
	}
	if (rc) {
		/* a half-written field would shift every later column */
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
	}
	return rc;
}

int csv_write_eol(struct buf *b)
{
	return buf_append(b, "\r\n", 2);
}
