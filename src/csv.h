/* csv.h - RFC 4180 CSV reading and writing.
 *
 * The reader works over a complete in-memory document: fields separated by the
 * given delimiter, records by CRLF or LF, fields optionally enclosed in double
 * quotes with "" as an escaped quote; quoted fields may span lines. A UTF-8 BOM
 * at the start is skipped. Errors carry the 1-based line and column. */
#ifndef AIREG_CSV_H
#define AIREG_CSV_H

#include <stddef.h>
#include "buf.h"

#define CSV_MAX_FIELDS 256

struct csv_reader {
	const char *p, *end;
	char delim;
	size_t line, col;          /* position of p, 1-based */
	size_t record_line;        /* line on which the last record started */
	char *fields[CSV_MAX_FIELDS];   /* NUL-terminated copies, valid until the next call */
	size_t nfields;
	struct buf store;          /* backing storage for fields */
	char errmsg[128];
};

/* Starts reading data[0..len). One record's fields may hold at most 16 MiB in
 * total ("record too long" otherwise). */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len, char delim);
void csv_reader_cleanup(struct csv_reader *r);
/* Reads the next record into r->fields/r->nfields.
 * Returns 1 when a record was read, 0 at end of input, -1 on a syntax error
 * (r->errmsg names line, column and cause: unterminated quote, stray quote,
 * too many fields, record too long, NUL byte; columns count code points).
 * Empty lines are skipped. A CR not followed by LF is ordinary data. */
int csv_reader_next(struct csv_reader *r);

/* Appends one field, quoted when it contains the delimiter ',', '"', CR or LF,
 * starts/ends with a space, or starts with a UTF-8 BOM. The ',' before it is
 * written too, unless the field starts a record (b is empty or ends with '\n'),
 * so a record is just csv_write_field()... csv_write_eol(). An empty field
 * starting a record is written as "" so that the record is not an empty line.
 * On failure b is left unchanged. */
int csv_write_field(struct buf *b, const char *s);
/* Appends the record separator CRLF. */
int csv_write_eol(struct buf *b);

#endif
