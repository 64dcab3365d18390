/* fuzz.h - helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * A target checks properties, not only memory safety: FUZZ_CHECK aborts with a
 * message when one fails, so a logic bug is a finding like a crash. Oracles
 * here are written independently of the code under test (own UTF-8 check). */
#ifndef AIREG_FUZZ_H
#define AIREG_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                            \
	do {                                                                                 \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                                \
			fputc('\n', stderr);                                                         \
			abort();                                                                     \
		}                                                                                \
	} while (0)

/* Length of the well-formed UTF-8 sequence at s[0..n) (1..4), or 0 (Unicode
 * Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF). */
static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = fuzz_utf8_seq((const unsigned char *)s + i, n - i)))
			return false;
	return true;
}

/* A NUL-terminated copy of data[0..size) (caller frees). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Prints a byte string escaped, for failure messages. */
static inline void fuzz_dump(const char *label, const char *s, size_t n)
{
	fprintf(stderr, "%s (%zu bytes): \"", label, n);
	for (size_t i = 0; i < n && i < 400; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "%s\"\n", n > 400 ? "..." : "");
}

#endif
