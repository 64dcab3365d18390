/* svc_theme.c - an organisation's house style: its own design tokens for its
 * public pages (see svc.h).
 *
 * The stylesheet is served to the public from this site's origin, so nothing in
 * it may load anything, run anything or break out of its rule. The check is an
 * allow-list rather than a search for known tricks: one rule, custom properties
 * only, values made of printable ASCII without backslashes (no escapes that
 * could spell "url" another way), without '<', '>', '@', '{', '!' or ';' in the
 * wrong place, and only the functions on a short list (no url(), image-set(),
 * expression() and the like). What is stored and served is not the upload but a
 * stylesheet rebuilt from the parsed declarations: comments and the file's own
 * selector are dropped, whitespace is normalised. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "svc_internal.h"
#include "util.h"

/* The class the pages' body carries (web/templates/layout_head.html) and the
 * default theme declares its tokens on: a rule for the same class loaded after
 * it overrides what it declares and leaves the rest. */
#define THEME_SELECTOR ".voorbeeld-theme"
#define NAME_MAX_LEN 200
#define VALUE_MAX_LEN 1024
#define DEPTH_MAX 16

/* The functions a token value may call: computations and colours, nothing
 * that fetches (url, image, image-set, cross-fade, element, src, paint) or
 * that older browsers would run (expression). */
static const char *const functions[] = {
	"var", "calc", "min", "max", "clamp", "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch",
	"color", "color-mix", "light-dark", "cubic-bezier", "steps",
};

struct scan {
	const char *start, *p, *end;
	struct svc_err *e;
};

static int theme_fail(struct scan *sc, const char *at, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 422 naming the line and column of at (1-based; columns count bytes). */
static int theme_fail(struct scan *sc, const char *at, const char *code, const char *fmt, ...)
{
	int line = 1, column = 1;
	char cause[200];
	va_list ap;
	for (const char *q = sc->start; q < at && q < sc->end; q++, column++)
		if (*q == '\n') {
			line++;
			column = 0;
		}
	va_start(ap, fmt);
	vsnprintf(cause, sizeof cause, fmt, ap);
	va_end(ap);
	memset(&sc->e->errs, 0, sizeof sc->e->errs);
	reg_error_add(&sc->e->errs, "css", code, "line %d, column %d: %s", line, column, cause);
	sc->e->line = line;
	sc->e->column = column;
	return svc_fail(sc->e, 422, "validation_failed", "the token file is not valid");
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool starts(const struct scan *sc, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(sc->end - sc->p) >= n && !memcmp(sc->p, s, n);
}

/* Skips a comment at sc->p (which starts with slash-star). */
static int skip_comment(struct scan *sc)
{
	const char *open = sc->p;
	for (sc->p += 2; sc->p + 1 < sc->end; sc->p++)
		if (sc->p[0] == '*' && sc->p[1] == '/') {
			sc->p += 2;
			return 0;
		}
	return theme_fail(sc, open, "unclosed_comment", "the comment is not closed (*/ is missing)");
}

static int skip_blank(struct scan *sc)
{
	int rc;
	for (;;) {
		while (sc->p < sc->end && blank(*sc->p))
			sc->p++;
		if (!starts(sc, "/*"))
			return 0;
		if ((rc = skip_comment(sc)))
			return rc;
	}
}

/* The refusal of a byte that no allowed construct holds here. */
static int bad_char(struct scan *sc, const char *where)
{
	unsigned char c = (unsigned char)*sc->p;
	if (c < 0x20 || c >= 0x7f)
		return theme_fail(sc, sc->p, "forbidden_character",
				  "only printable ASCII is allowed outside comments, not byte 0x%02X", c);
	return theme_fail(sc, sc->p, "forbidden_character", "the character '%c' is not allowed %s", c, where);
}

/* A quoted string of a value (a font name), copied to v. */
static int scan_string(struct scan *sc, struct buf *v)
{
	const char *open = sc->p, *close = sc->p + 1;
	char quote = *sc->p++;
	while (close < sc->end && *close != quote && *close != '\n' && *close != '\r')
		close++;
	if (close >= sc->end || *close != quote)
		return theme_fail(sc, open, "unclosed_string", "the string is not closed on its line");
	buf_putc(v, quote);
	for (; sc->p < close; sc->p++) {
		char c = *sc->p;
		if (c < 0x20 || c > 0x7e || strchr("\\<>@!{};", c))
			return bad_char(sc, "in a string");
		buf_putc(v, c);
	}
	buf_putc(v, quote);
	sc->p++;
	return 0;
}

/* An opening parenthesis: the function name just before it (none for a
 * grouping inside calc()) must be on the list. */
static int check_function(struct scan *sc, const struct buf *v)
{
	size_t n = v->len, i = n;
	while (i > 0 && ident_char(v->data[i - 1]))
		i--;
	if (i == n)
		return 0;
	for (size_t k = 0; k < ARRAY_LEN(functions); k++)
		if (strlen(functions[k]) == n - i && !strncasecmp(v->data + i, functions[k], n - i))
			return 0;
	return theme_fail(sc, sc->p - (n - i), "forbidden_function",
			  "%.*s() is not allowed; a token may use var(), calc(), min(), max(), clamp() and the "
			  "colour functions (rgb(), hsl(), color-mix(), ...)",
			  (int)(n - i > 40 ? 40 : n - i), v->data + i);
}

/* A declaration's value up to its ';' or the rule's '}' (not consumed), with
 * comments dropped and runs of white space made one space. */
static int scan_value(struct scan *sc, struct buf *v)
{
	const char *start = sc->p, *open[DEPTH_MAX];
	int depth = 0, rc;
	bool space = false;
	for (;;) {
		if (sc->p >= sc->end)
			return theme_fail(sc, sc->p, "unclosed_rule", "the rule is not closed (} is missing)");
		char c = *sc->p;
		if (starts(sc, "/*")) {
			if ((rc = skip_comment(sc)))
				return rc;
			space = true;
			continue;
		}
		if (blank(c)) {
			space = true;
			sc->p++;
			continue;
		}
		if (c == ';' || c == '}') {
			if (!depth)
				break;
			return theme_fail(sc, open[depth - 1], "unbalanced_parentheses", "this ( is not closed");
		}
		if (space && v->len)
			buf_putc(v, ' ');
		space = false;
		if (c == '"' || c == '\'') {
			if ((rc = scan_string(sc, v)))
				return rc;
		} else if (c == '(') {
			if ((rc = check_function(sc, v)))
				return rc;
			if (depth == DEPTH_MAX)
				return theme_fail(sc, sc->p, "too_deep", "parentheses nest deeper than %d", DEPTH_MAX);
			open[depth++] = sc->p++;
			buf_putc(v, c);
		} else if (c == ')') {
			if (!depth)
				return theme_fail(sc, sc->p, "unbalanced_parentheses", "this ) closes no (");
			depth--;
			buf_putc(v, *sc->p++);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c && strchr("#%.,-+*/_", c))) {
			buf_putc(v, *sc->p++);
		} else {
			return bad_char(sc, "in a value");
		}
		if (v->len > VALUE_MAX_LEN)
			return theme_fail(sc, start, "value_too_long", "the value is longer than %d characters",
					  VALUE_MAX_LEN);
	}
	if (!v->len)
		return theme_fail(sc, start, "empty_value", "the property has no value");
	return 0;
}

/* One custom property: "--name: value" and its ';' if any. lines maps the
 * names seen to their line, for duplicates. */
static int scan_declaration(struct scan *sc, struct buf *out, json_t *seen)
{
	const char *name = sc->p;
	struct buf v;
	int rc;
	if (!starts(sc, "--"))
		return sc->p < sc->end && (ident_char(*sc->p) || *sc->p == '@')
			       ? theme_fail(sc, sc->p, "not_custom_property",
					    "only custom properties (--name: value) are allowed, no other properties "
					    "or at-rules")
			       : bad_char(sc, "here; expected a custom property (--name: value)");
	for (sc->p += 2; sc->p < sc->end && ident_char(*sc->p); sc->p++)
		;
	size_t n = (size_t)(sc->p - name);
	if (n == 2 || n > NAME_MAX_LEN)
		return theme_fail(sc, name, "bad_name", "a custom property's name is -- and 1 to %d letters, digits, "
				  "'-' or '_'", NAME_MAX_LEN - 2);
	char key[NAME_MAX_LEN + 1];
	memcpy(key, name, n);
	key[n] = '\0';
	if (json_object_get(seen, key))
		return theme_fail(sc, name, "duplicate", "%s is declared twice (first on line %d)", key,
				  (int)json_integer_value(json_object_get(seen, key)));
	if ((rc = skip_blank(sc)))
		return rc;
	if (sc->p >= sc->end || *sc->p != ':')
		return theme_fail(sc, sc->p, "missing_colon", "expected ':' after %s", key);
	sc->p++;
	buf_init(&v, 0);
	if (!(rc = scan_value(sc, &v))) {
		int line = 1;
		for (const char *q = sc->start; q < name; q++)
			line += *q == '\n';
		json_object_set_new(seen, key, json_integer(line));
		buf_printf(out, "  %s: %s;\n", key, buf_str(&v));
		if (*sc->p == ';')
			sc->p++;
	}
	buf_cleanup(&v);
	return rc;
}

int svc_theme_check(const char *css, size_t len, struct buf *out, int *tokens, struct svc_err *e)
{
	struct scan sc = {css, css, css + len, e};
	json_t *seen = json_object();
	int rc;
	*tokens = 0;
	if (len > THEME_MAX) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "css", "too_long", "the file has %zu bytes; at most %u are allowed", len,
			      THEME_MAX);
		rc = svc_fail(e, 422, "validation_failed", "the token file is not valid");
		goto out;
	}
	if (len >= 3 && !memcmp(css, "\xEF\xBB\xBF", 3))  /* a byte-order mark */
		sc.p += 3;
	if ((rc = skip_blank(&sc)))
		goto out;
	const char *sel = sc.p;
	if (starts(&sc, ":root")) {
		sc.p += 5;
	} else if (starts(&sc, ".") && sc.p + 1 < sc.end && ident_char(sc.p[1])) {
		for (sc.p++; sc.p < sc.end && ident_char(*sc.p); sc.p++)
			;
	}
	if (starts(&sc, "@")) {
		rc = theme_fail(&sc, sc.p, "not_custom_property", "at-rules (@import, @font-face, @media, ...) are not "
				"allowed: the file is one rule of custom properties");
		goto out;
	}
	if (sc.p == sel || (rc = skip_blank(&sc)) || sc.p >= sc.end || *sc.p != '{') {
		if (!rc)
			rc = theme_fail(&sc, sc.p, "bad_selector", "expected one selector, :root or the theme's class "
					"(such as .gemeente-theme), and then {");
		goto out;
	}
	sc.p++;
	buf_printf(out, "%s {\n", THEME_SELECTOR);
	for (;;) {
		if ((rc = skip_blank(&sc)))
			goto out;
		if (sc.p >= sc.end) {
			rc = theme_fail(&sc, sc.p, "unclosed_rule", "the rule is not closed (} is missing)");
			goto out;
		}
		if (*sc.p == '}')
			break;
		if (*sc.p == ';') {  /* an empty declaration */
			sc.p++;
			continue;
		}
		if ((rc = scan_declaration(&sc, out, seen)))
			goto out;
		++*tokens;
	}
	sc.p++;
	buf_puts(out, "}\n");
	if ((rc = skip_blank(&sc)))
		goto out;
	if (sc.p < sc.end)
		rc = theme_fail(&sc, sc.p, "extra_content", "nothing may follow the rule's closing }: the file is one "
				"rule of custom properties");
	else if (!*tokens)
		rc = theme_fail(&sc, sel, "no_tokens", "the rule declares no custom properties");
out:
	json_decref(seen);
	if (rc)
		buf_reset(out);
	return rc;
}

static int theme_copy_cb(void *ctx, const struct theme *t)
{
	void **c = ctx;
	struct svc_theme *info = c[0];
	snprintf(info->hash, sizeof info->hash, "%s", t->hash);
	snprintf(info->updated_at, sizeof info->updated_at, "%s", t->updated_at);
	info->tokens = t->tokens;
	if (c[1] && t->css)
		buf_puts(c[1], t->css);
	return 0;
}

int svc_theme_get(struct store *st, const char *code, struct svc_theme *t, struct buf *css, struct svc_err *e)
{
	void *ctx[2] = {t, css};
	memset(t, 0, sizeof *t);
	int rc = code ? store_theme_get(st, code, css != NULL, theme_copy_cb, ctx) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 404, "not_found", "no house style for organisation %.64s", code ? code : "");
	return rc ? svc_store_err(e, st, rc) : 0;
}

/* The organisation, when the actor may change its house style. */
static int theme_org(struct store *st, const struct actor *a, const char *code, struct org_ref *o,
		     struct svc_err *e)
{
	int rc = svc_org_ref(st, code, o, e);
	if (!rc && !a->operator && !auth_can(a, o->id, PERM_MANAGE))
		rc = svc_denied_public(e, a, "only a beheerder of the organisation or an operator sets its house style");
	return rc;
}

/* Writes the change and its audit row; css NULL removes the house style. */
static int theme_write(struct store *st, const struct actor *a, const struct org_ref *o, const struct theme *t,
		       struct svc_err *e)
{
	struct svc_theme old;
	struct svc_err ignored = {0};
	int rc = svc_begin(st, e);
	if (rc)
		return rc;
	bool had = !svc_theme_get(st, o->code, &old, NULL, &ignored);
	if (t) {
		rc = store_theme_put(st, o->id, t, a->label);
	} else {
		rc = store_theme_delete(st, o->id);
		if (rc == STORE_NOTFOUND)
			rc = svc_fail(e, 404, "not_found", "organisation %s has no house style", o->code);
	}
	if (rc < 0)
		rc = svc_store_err(e, st, rc);
	if (!rc) {
		json_t *changes = json_pack("{s:[s?,s?]}", "house_style", had ? old.hash : NULL, t ? t->hash : NULL);
		rc = svc_audit(st, a, o->id, t ? "organisation.house_style" : "organisation.house_style_clear",
			       "organisation", o->code, changes, e);
		json_decref(changes);
	}
	return svc_finish(st, rc, e);
}

int svc_theme_set(struct store *st, const struct actor *a, const char *code, const char *css, size_t len,
		  struct svc_theme *out, struct svc_err *e)
{
	struct org_ref o;
	struct buf b;
	unsigned char h[32];
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = theme_org(st, a, code, &o, e)))
		return rc;
	buf_init(&b, 0);
	if ((rc = svc_theme_check(css ? css : "", css ? len : 0, &b, &out->tokens, e)))
		goto done;
	crypto_generichash(h, sizeof h, (const unsigned char *)b.data, b.len, NULL, 0);
	sodium_bin2hex(out->hash, sizeof out->hash, h, sizeof h);
	util_now_iso(out->updated_at);
	struct theme t = {.hash = out->hash, .css = buf_str(&b), .tokens = out->tokens, .updated_at = out->updated_at};
	rc = theme_write(st, a, &o, &t, e);
done:
	buf_cleanup(&b);
	return rc;
}

int svc_theme_clear(struct store *st, const struct actor *a, const char *code, struct svc_err *e)
{
	struct org_ref o;
	int rc = theme_org(st, a, code, &o, e);
	return rc ? rc : theme_write(st, a, &o, NULL, e);
}
