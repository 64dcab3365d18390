/* jsonw.c - streaming JSON writer into a struct buf. */
#include "jsonw.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSONW_MISUSE (-2)


/* Bytes that can be copied through unchanged. */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

int jsonw_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && plain(p[run]))
			run++;
		if (run > i && buf_append(b, p + i, run - i))
			return BUF_TOOBIG;
		i = run;
		if (i >= n)
			break;
		unsigned char c = p[i];
		const char *esc = NULL;
		char tmp[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			if (buf_puts(b, esc))
				return BUF_TOOBIG;
			i++;
			continue;
		}
		if (c < 0x80) {
			/* remaining control characters and the HTML-significant < > & */
			snprintf(tmp, sizeof tmp, "\\u%04x", c);
			if (buf_puts(b, tmp))
				return BUF_TOOBIG;
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = text_utf8_decode(p + i, n - i, &cp);
		int rc;
		if (len == 0) {
			rc = buf_append(b, "\xEF\xBF\xBD", 3);
			len = 1;
		} else if (cp == 0x2028 || cp == 0x2029) {
			rc = buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
		} else {
			rc = buf_append(b, p + i, len);
		}
		if (rc)
			return BUF_TOOBIG;
		i += len;
	}
	return 0;
}

void jsonw_init(struct jsonw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!w->err && buf_append(w->out, s, n))
		w->err = BUF_TOOBIG;
}

/* Emits the comma a value needs, if any; returns false once the writer has failed. */
static bool begin_value(struct jsonw *w)
{
	if (w->err)
		return false;
	if (w->after_key)
		w->after_key = false;
	else if (w->need_comma[w->depth])
		put(w, ",", 1);
	w->need_comma[w->depth] = true;
	return !w->err;
}

static void container_open(struct jsonw *w, char c)
{
	if (!begin_value(w))
		return;
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->err = JSONW_MISUSE;
		return;
	}
	put(w, &c, 1);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void container_close(struct jsonw *w, char c)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->after_key) {
		w->err = JSONW_MISUSE;
		return;
	}
	w->depth--;
	put(w, &c, 1);
}

void jsonw_obj_open(struct jsonw *w) { container_open(w, '{'); }
void jsonw_obj_close(struct jsonw *w) { container_close(w, '}'); }
void jsonw_arr_open(struct jsonw *w) { container_open(w, '['); }
void jsonw_arr_close(struct jsonw *w) { container_close(w, ']'); }

static void quoted(struct jsonw *w, const char *s, size_t n)
{
	put(w, "\"", 1);
	if (!w->err && jsonw_escape(w->out, s, n))
		w->err = BUF_TOOBIG;
	put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *k)
{
	if (w->err)
		return;
	if (w->after_key) {
		w->err = JSONW_MISUSE;
		return;
	}
	if (w->need_comma[w->depth])
		put(w, ",", 1);
	w->need_comma[w->depth] = true;
	quoted(w, k, strlen(k));
	put(w, ":", 1);
	w->after_key = true;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_strn(w, s, strlen(s));
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	if (begin_value(w))
		quoted(w, s, n);
}

void jsonw_int(struct jsonw *w, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", v);
	if (begin_value(w))
		put(w, tmp, (size_t)n);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	if (begin_value(w))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
	if (begin_value(w))
		put(w, "null", 4);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
	if (begin_value(w))
		put(w, json, n);
}

int jsonw_error(const struct jsonw *w)
{
	return w->err;
}
