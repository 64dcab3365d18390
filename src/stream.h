/* stream.h - reading an import file piece by piece.
 *
 * The input is a document in memory or a FILE read in chunks. JSON is split
 * into the values of its top-level array, or of one array member of its
 * top-level object (the scraped register's {"algoritmes": [...]}); an object
 * without that member is one value. CSV is split into batches of complete
 * records. A small scanner finds where each value ends (strings, escapes,
 * nesting) and jansson parses the value alone, so only the value at hand is in
 * memory and a file of any size reads in bounded memory; the scanner checks the
 * document around the values (commas, brackets, the end), so a stream accepts
 * exactly what json_loadb accepts for the whole document.
 *
 * Positions are those jansson reports for the whole document: lines from 1,
 * columns in characters from 1. */
#ifndef AIREG_STREAM_H
#define AIREG_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The largest value (or CSV batch) a FILE stream holds: 64 MiB, the API's
 * import body limit. */
#define STREAM_MAX_VALUE ((size_t)64 << 20)

struct stream {
	FILE *f;                  /* NULL: the whole input is in buf */
	size_t chunk, max;        /* read size (1 MiB) and STREAM_MAX_VALUE, for files */
	char *buf;                /* the window (owned when f is set) */
	size_t cap, len, pos;     /* its size, the bytes in it, the scan position */
	size_t mark;              /* start of what the window must keep */
	size_t mark_line, mark_col;  /* its position in the document */
	size_t vstart;            /* start of the value being scanned */
	unsigned long long offset;  /* input offset of buf[0] */
	size_t line, col;         /* position of buf[pos] */
	bool eof;
	/* JSON */
	int state;
	bool whole;               /* keeping a top-level object as one value */
	bool member;              /* in (or past) the member array */
	bool has_member;          /* the top-level object has the member */
	bool array;               /* values come from an array */
	json_t *keys;             /* the top-level object's keys so far */
	size_t index;             /* values returned */
	/* CSV */
	bool quoted;
	/* the error of the last call that returned -1 */
	char error[200];
	size_t error_line, error_col;
};

void stream_init_mem(struct stream *s, const char *data, size_t len);
void stream_init_file(struct stream *s, FILE *f);
void stream_cleanup(struct stream *s);

/* The next value (owned by the caller) with the position of its first
 * character: 1, 0 at the end of the document, -1 on malformed JSON, a value
 * over STREAM_MAX_VALUE or a read error (s->error, s->error_line/col).
 * member names the array member of a top-level object to stream. */
int stream_json_next(struct stream *s, const char *member, json_t **v, size_t *line, size_t *col);

/* The next batch of complete CSV records (a record ends at a line break outside
 * double quotes; all of a memory input is one batch) and the line it starts on:
 * 1, 0 at the end, -1 on a record over STREAM_MAX_VALUE or a read error. The
 * batch is valid until the next call. */
int stream_csv_next(struct stream *s, const char **data, size_t *len, size_t *line);

/* Bytes of the input consumed so far. */
unsigned long long stream_done(const struct stream *s);

#endif
