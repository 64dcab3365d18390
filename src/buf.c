/* buf.c - growable byte buffer with a hard cap. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BUF_LIMIT (SIZE_MAX / 2)

static size_t buf_limit(const struct buf *b)
{
	/* a zeroed struct buf (max 0) is a valid, unbounded buffer */
	return b->max == 0 || b->max > BUF_LIMIT ? BUF_LIMIT : b->max;
}

/* Makes room for n more bytes plus the NUL, or fails without touching b. */
static int buf_reserve(struct buf *b, size_t n)
{
	size_t limit = buf_limit(b);
	if (b->len > limit || n > limit - b->len)
		return BUF_TOOBIG;
	size_t need = b->len + n + 1;
	if (b->data && need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > limit + 1)
		cap = limit + 1;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_cleanup(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_release(struct buf *b, size_t *len)
{
	char *d = b->data ? b->data : xstrdup("");
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return d;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return BUF_TOOBIG;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	/* First try the spare room; most output is short and fits without a second pass. */
	size_t room = b->data ? b->cap - b->len : 0;
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (b->data)
			b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n < room) {
		if ((size_t)n > buf_limit(b) - b->len) {
			b->data[b->len] = '\0';
			return BUF_TOOBIG;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (b->data)
		b->data[b->len] = '\0';
	if (buf_reserve(b, (size_t)n))
		return BUF_TOOBIG;
	va_copy(ap2, ap);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}
