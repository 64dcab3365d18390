/* buf.h - growable byte buffer with a hard cap.
 *
 * Every growable buffer in aireg has a maximum size (curl's "toobig"): appends
 * that would pass it fail with BUF_TOOBIG and leave the buffer unchanged. The
 * data is always NUL-terminated (the NUL is not counted in len). */
#ifndef AIREG_BUF_H
#define AIREG_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_TOOBIG (-1)

struct buf {
	char *data;    /* NULL until the first append; owned by the buf */
	size_t len;    /* bytes used, excluding the terminating NUL */
	size_t cap;    /* bytes allocated */
	size_t max;    /* hard cap on len; 0 means SIZE_MAX/2 */
};

/* Initialises an empty buffer with the given cap (0 = practically unbounded). */
void buf_init(struct buf *b, size_t max);
/* Frees the storage; the buf may be reused after buf_init. */
void buf_cleanup(struct buf *b);
/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);
/* Hands the NUL-terminated data to the caller (never NULL) and empties the buf. */
char *buf_release(struct buf *b, size_t *len);

int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the data as a C string ("" when empty; never NULL). */
const char *buf_str(const struct buf *b);

#endif
