/* util.c - allocation that never returns NULL, and small helpers. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "aireg: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	/* malloc(0) may return NULL on success; asking for one byte keeps "NULL means
	 * failure" true everywhere. */
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	void *p = calloc(nmemb, size);
	if (!p)
		oom(size && nmemb > SIZE_MAX / size ? SIZE_MAX : nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	/* realloc(p, 0) may free p and return NULL, which would read as failure. */
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

int util_parse_int(const char *s, long long min, long long max, long long *out)
{
	if (!s || min > max)
		return -1;
	/* strtoll alone accepts leading space, '+' and an empty digit run; the
	 * format is checked by hand so only plain decimal gets through. */
	const char *d = s;
	if (*d == '-' && min < 0)
		d++;
	if (*d == '\0')
		return -1;
	for (const char *q = d; *q; q++)
		if (*q < '0' || *q > '9')
			return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void util_now_iso(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		/* only reachable with a broken clock; a fixed value keeps the format valid */
		memcpy(out, "1970-01-01T00:00:00Z", 21);
}

uint64_t util_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
