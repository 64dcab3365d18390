/* util.h - allocation that never returns NULL, and small helpers.
 *
 * Out-of-memory is not a recoverable condition for aireg: every allocation goes
 * through this family, which aborts with a message, so call sites stay clean. */
#ifndef AIREG_UTIL_H
#define AIREG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parses a decimal integer in [min, max] from the whole of s (no sign for min >= 0,
 * no trailing bytes, no overflow). Returns 0 and stores in *out, or -1. */
int util_parse_int(const char *s, long long min, long long max, long long *out);

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void util_now_iso(char out[21]);

/* Monotonic clock in microseconds. */
uint64_t util_mono_us(void);

#endif
