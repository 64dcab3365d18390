/* form.c - bounded decoding of urlencoded forms. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "text.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Decodes s[from..to) into b; returns the byte offset of a bad escape, or -1. */
static long decode(const char *s, size_t from, size_t to, struct buf *b)
{
	buf_reset(b);
	for (size_t i = from; i < to; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h = i + 2 < to ? hex(s[i + 1]) : -1, l = h >= 0 ? hex(s[i + 2]) : -1;
			if (h < 0 || l < 0)
				return (long)i;
			c = (char)(h * 16 + l);
			i += 2;
		}
		if (buf_putc(b, c))
			return (long)i;
	}
	return -1;
}

static void add(json_t *form, const char *key, const char *value)
{
	json_t *have = json_object_get(form, key);
	if (!have) {
		json_object_set_new(form, key, json_string(value));
	} else if (json_is_array(have)) {
		json_array_append_new(have, json_string(value));
	} else {
		json_t *arr = json_pack("[O,s]", have, value);
		json_object_set_new(form, key, arr);
	}
}

json_t *form_parse(const char *s, size_t n, char *err, size_t errlen)
{
	json_t *form = json_object();
	struct buf k, v;
	size_t fields = 0;
	long bad;
	buf_init(&k, FORM_MAX_KEY);
	buf_init(&v, 0);
	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && s[end] != '&')
			end++;
		size_t eq = i;
		while (eq < end && s[eq] != '=')
			eq++;
		if (end > i) {
			if (++fields > FORM_MAX_FIELDS) {
				snprintf(err, errlen, "byte %zu: more than %d fields", i + 1, FORM_MAX_FIELDS);
				goto fail;
			}
			if ((bad = decode(s, i, eq, &k)) >= 0) {
				snprintf(err, errlen, "byte %ld: %s", bad + 1,
					 s[bad] == '%' ? "bad percent escape" : "field name longer than 64 bytes");
				goto fail;
			}
			if ((bad = decode(s, eq < end ? eq + 1 : end, end, &v)) >= 0) {
				snprintf(err, errlen, "byte %ld: bad percent escape", bad + 1);
				goto fail;
			}
			if (!text_utf8_valid(k.data ? k.data : "", k.len) || !text_utf8_valid(v.data ? v.data : "", v.len) ||
			    memchr(buf_str(&k), 0, k.len) || memchr(buf_str(&v), 0, v.len)) {
				snprintf(err, errlen, "byte %zu: field is not valid UTF-8 text", i + 1);
				goto fail;
			}
			add(form, buf_str(&k), buf_str(&v));
		}
		i = end + 1;
	}
	buf_cleanup(&k);
	buf_cleanup(&v);
	return form;
fail:
	buf_cleanup(&k);
	buf_cleanup(&v);
	json_decref(form);
	return NULL;
}

const char *form_get(const json_t *form, const char *key)
{
	const json_t *v = json_object_get(form, key);
	return json_is_array(v) ? json_string_value(json_array_get(v, 0)) : json_string_value(v);
}
