/* reg.c - fields, validation and identity of the register record. */
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "embedded.h"
#include "reg.h"
#include "text.h"
#include "util.h"

#define CONFIG_PATH "data/register/backend-config-v1_0.json"

static json_t *config;
static struct reg_field *fields;
static size_t nfields;

/* Formats are not in the register's configuration; they follow from its
 * instructions ("Schrijf de datum ... 2023-01", "Begin een URL met https://"). */
static const struct {
	const char *key;
	enum reg_format format;
} formats[] = {
	{"begin_date", REG_FMT_MONTH}, {"end_date", REG_FMT_MONTH},
	{"website", REG_FMT_URL}, {"url", REG_FMT_URL}, {"process_index_url", REG_FMT_URL},
	{"publiccode", REG_FMT_URL}, {"contact_email", REG_FMT_CONTACT}, {"lars", REG_FMT_ID},
	{"publication_dt", REG_FMT_DAY},
};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static size_t jsize(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));
	return v > 0 ? (size_t)v : 0;
}

int reg_init(char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find(CONFIG_PATH);
	json_error_t je;
	if (!f || !(config = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je))) {
		snprintf(err, errlen, "%s: %s", CONFIG_PATH, f ? je.text : "not embedded");
		return -1;
	}
	json_t *props = json_object_get(config, "properties");
	if (!json_is_object(props)) {
		snprintf(err, errlen, "%s: no \"properties\" object", CONFIG_PATH);
		return -1;
	}
	fields = xcalloc(json_object_size(props), sizeof *fields);
	const char *key;
	json_t *p;
	json_object_foreach(props, key, p) {
		struct reg_field *fl = &fields[nfields++];
		const char *type = jstr(p, "type");
		fl->key = key;
		fl->title = jstr(p, "title");
		fl->help = jstr(p, "help_text");
		fl->instructions = jstr(p, "instructions");
		fl->example = jstr(p, "example");
		fl->max_length = jsize(p, "max_length");
		/* The configuration spells one flag "false" as a string: only JSON true counts. */
		fl->required = json_is_true(json_object_get(p, "required"));
		fl->show_always = json_is_true(json_object_get(p, "show_always"));
		fl->html = json_array_size(json_object_get(p, "allowed_html_tags")) > 0;
		fl->permitted = json_object_get(p, "permitted_values");
		json_t *items = json_object_get(p, "items");
		if (type && !strcmp(type, "enum")) {
			fl->type = REG_ENUM;
		} else if (type && !strcmp(type, "array") && items) {
			fl->type = REG_LINKS;
			json_t *title = json_object_get(items, "title"), *link = json_object_get(items, "link");
			fl->title_max = jsize(title, "max_length");
			fl->link_max = jsize(link, "max_length");
			fl->title_required = json_is_true(json_object_get(title, "required"));
			fl->link_required = json_is_true(json_object_get(link, "required"));
		} else if (type && !strcmp(type, "array")) {
			fl->type = REG_LIST;
		} else if (type && !strcmp(type, "string")) {
			fl->type = REG_STRING;
		} else {
			snprintf(err, errlen, "%s: field %s has unknown type %s", CONFIG_PATH, key,
				 type ? type : "(none)");
			return -1;
		}
		if ((fl->type == REG_ENUM || fl->type == REG_LIST) && !json_array_size(fl->permitted)) {
			snprintf(err, errlen, "%s: field %s lists no permitted values", CONFIG_PATH, key);
			return -1;
		}
		for (size_t i = 0; i < ARRAY_LEN(formats); i++)
			if (!strcmp(formats[i].key, key))
				fl->format = formats[i].format;
	}
	return 0;
}

void reg_cleanup(void)
{
	free(fields);
	fields = NULL;
	nfields = 0;
	json_decref(config);
	config = NULL;
}

const struct reg_field *reg_fields(size_t *n)
{
	*n = nfields;
	return fields;
}

const struct reg_field *reg_field(const char *key)
{
	for (size_t i = 0; i < nfields; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

void reg_error_add(struct reg_errors *errs, const char *field, const char *code, const char *fmt, ...)
{
	if (errs->n >= REG_MAX_ERRORS)
		return;
	struct reg_error *e = &errs->e[errs->n++];
	va_list ap;
	snprintf(e->field, sizeof e->field, "%s", field);
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

/* ---- identity ---- */

int reg_id_check_digit(const char *d)
{
	for (int i = 0; i < 7; i++)
		if (!isdigit((unsigned char)d[i]))
			return -1;
	int odd = (d[0] - '0') + (d[2] - '0') + (d[4] - '0') + (d[6] - '0');
	int even = (d[1] - '0') + (d[3] - '0') + (d[5] - '0');
	return (3 * odd + even) % 10;
}

bool reg_id_valid(const char *id)
{
	return id && strlen(id) == 8 && isdigit((unsigned char)id[7]) &&
	       reg_id_check_digit(id) == id[7] - '0';
}

void reg_id_generate(char out[9])
{
	/* Seven random digits, the first not zero so the ID never looks shorter. */
	snprintf(out, 9, "%07u", 1000000 + randombytes_uniform(9000000));
	out[7] = (char)('0' + reg_id_check_digit(out));
	out[8] = '\0';
}

/* ---- validation ---- */

static bool is_url(const char *s)
{
	if (!((!strncasecmp(s, "https://", 8) && s[8]) || (!strncasecmp(s, "http://", 7) && s[7])))
		return false;
	/* Characters a URL must percent-encode (RFC 3986) never pass as they are,
	 * nor invisible and direction-changing ones (U+200B..U+200F, U+202A..U+202E,
	 * U+2066..U+2069), which make a link read as another address. */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == '^' || *p == '`' ||
		    *p == '{' || *p == '|' || *p == '}' || *p == 0x7f)
			return false;
		if (p[0] == 0xE2 && ((p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) || (p[2] >= 0xAA && p[2] <= 0xAE))) ||
				     (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)))
			return false;
	}
	return true;
}

static bool is_email(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == '<' || *p == '>')
			return false;
	return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool format_ok(enum reg_format f, const char *s)
{
	switch (f) {
	case REG_FMT_MONTH:
		return date_valid_month(s);
	case REG_FMT_DAY:
		return date_valid_day(s);
	case REG_FMT_URL:
		return is_url(s);
	case REG_FMT_CONTACT:
		return is_email(s) || is_url(s);
	case REG_FMT_ID:
		return reg_id_valid(s);
	case REG_FMT_NONE:
		break;
	}
	return true;
}

static const char *format_hint(enum reg_format f)
{
	switch (f) {
	case REG_FMT_MONTH: return "expected year and month as YYYY-MM, e.g. 2023-01";
	case REG_FMT_DAY: return "expected a date as YYYY-MM-DD";
	case REG_FMT_URL: return "expected a web address starting with https://";
	case REG_FMT_CONTACT: return "expected an e-mail address or a web address starting with https://";
	case REG_FMT_ID: return "expected 8 digits whose last is the register's check digit";
	case REG_FMT_NONE: break;
	}
	return "";
}

/* A cleaned string value, or NULL for empty. HTML fields go through the sanitiser. */
static json_t *clean_string(const struct reg_field *f, const char *field, const char *s,
			    size_t max, struct reg_errors *errs)
{
	struct buf b;
	json_t *out = NULL;
	buf_init(&b, 0);
	if (f->html)
		text_sanitize_html(s, strlen(s), &b);
	else
		buf_puts(&b, s);
	if (!b.len)
		goto out;
	char *t = text_trim(b.data);
	/* The limit is on the text's characters: "&" typed is one, not the five of
	 * the "&amp;" it is stored as. */
	size_t len = f->html ? text_html_len(t, strlen(t)) : text_utf8_len(t, strlen(t));
	if (!*t)
		goto out;
	if (max && len > max) {
		reg_error_add(errs, field, "too_long", "%s is %zu characters long%s; at most %zu are allowed",
			      field, len, f->html ? " (formatting tags included)" : "", max);
		goto out;
	}
	if (f->format && !format_ok(f->format, t)) {
		reg_error_add(errs, field, f->format == REG_FMT_ID ? "invalid_id" : "invalid_format",
			      "%s: %s", field, format_hint(f->format));
		goto out;
	}
	out = json_string(t);
out:
	buf_cleanup(&b);
	return out;
}

/* The permitted value equal to s ignoring case, or NULL. */
static const char *permitted(const struct reg_field *f, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(f->permitted, i, v)
		if (!strcasecmp(json_string_value(v), s))
			return json_string_value(v);
	return NULL;
}

static void not_permitted(const struct reg_field *f, const char *field, const char *s,
			  struct reg_errors *errs)
{
	reg_error_add(errs, field, "not_allowed_value", "%s: \"%.60s\" is not one of the permitted values",
		      field, s);
	(void)f;
}

static json_t *clean_list(const struct reg_field *f, json_t *v, struct reg_errors *errs)
{
	json_t *out = json_array(), *item;
	size_t i;
	if (json_is_string(v)) {
		json_t *one = json_array();
		json_array_append(one, v);
		json_decref(out);
		out = clean_list(f, one, errs);
		json_decref(one);
		return out;
	}
	if (!json_is_array(v)) {
		reg_error_add(errs, f->key, "wrong_type", "%s must be a list of strings", f->key);
		return out;
	}
	json_array_foreach(v, i, item) {
		char field[64];
		snprintf(field, sizeof field, "%s[%zu]", f->key, i);
		const char *s = json_string_value(item), *p;
		if (!s) {
			reg_error_add(errs, field, "wrong_type", "%s must be a string", field);
			continue;
		}
		if (!(p = permitted(f, s))) {
			not_permitted(f, field, s, errs);
			continue;
		}
		bool dup = false;
		size_t j;
		json_t *have;
		json_array_foreach(out, j, have)
			dup |= !strcmp(json_string_value(have), p);
		if (!dup)
			json_array_append_new(out, json_string(p));
	}
	return out;
}

static json_t *clean_links(const struct reg_field *f, json_t *v, struct reg_errors *errs)
{
	json_t *out = json_array(), *item;
	size_t i;
	static const struct reg_field title_f = {.key = "title"}, link_f = {.key = "link", .format = REG_FMT_URL};
	if (!json_is_array(v)) {
		reg_error_add(errs, f->key, "wrong_type", "%s must be a list of {\"title\", \"link\"} objects",
			      f->key);
		return out;
	}
	json_array_foreach(v, i, item) {
		char field[64];
		snprintf(field, sizeof field, "%s[%zu]", f->key, i);
		if (!json_is_object(item)) {
			reg_error_add(errs, field, "wrong_type", "%s must be an object with title and link", field);
			continue;
		}
		const char *k;
		json_t *x, *o = json_object();
		json_object_foreach(item, k, x) {
			char sub[64];
			snprintf(sub, sizeof sub, "%s.%s", field, k);
			bool is_title = !strcmp(k, "title");
			if (!is_title && strcmp(k, "link")) {
				reg_error_add(errs, sub, "unknown_field", "%s is not a field of a link", sub);
				continue;
			}
			if (json_is_null(x))
				continue;
			if (!json_is_string(x)) {
				reg_error_add(errs, sub, "wrong_type", "%s must be a string", sub);
				continue;
			}
			json_t *c = clean_string(is_title ? &title_f : &link_f, sub, json_string_value(x),
						 is_title ? f->title_max : f->link_max, errs);
			if (c)
				json_object_set_new(o, k, c);
		}
		static const char *const parts[] = {"title", "link"};
		for (int p = 0; p < 2 && json_object_size(o); p++) {
			char sub[64];
			if (!(p ? f->link_required : f->title_required) || json_object_get(o, parts[p]))
				continue;
			snprintf(sub, sizeof sub, "%s.%s", field, parts[p]);
			reg_error_add(errs, sub, "required", "%s is required for each item of %s", sub, f->key);
		}
		if (json_object_size(o))
			json_array_append(out, o);
		json_decref(o);
	}
	return out;
}

json_t *reg_normalize(json_t *in, bool ignore_unknown, struct reg_errors *errs)
{
	size_t before = errs->n;
	if (!json_is_object(in)) {
		reg_error_add(errs, "", "wrong_type", "a record must be a JSON object");
		return NULL;
	}
	if (!ignore_unknown) {
		const char *k;
		json_t *v;
		json_object_foreach(in, k, v)
			if (!reg_field(k))
				reg_error_add(errs, k, "unknown_field",
					      "%.60s is not a field of publication standard 1.0", k);
	}
	json_t *out = json_object();
	for (size_t i = 0; i < nfields; i++) {
		const struct reg_field *f = &fields[i];
		json_t *v = json_object_get(in, f->key), *c = NULL;
		if (!v || json_is_null(v))
			continue;
		switch (f->type) {
		case REG_STRING:
		case REG_ENUM:
			if (!json_is_string(v)) {
				reg_error_add(errs, f->key, "wrong_type", "%s must be a string", f->key);
				break;
			}
			if (f->type == REG_STRING) {
				c = clean_string(f, f->key, json_string_value(v), f->max_length, errs);
			} else {
				char *s = xstrdup(json_string_value(v));
				const char *p = permitted(f, text_trim(s));
				if (p)
					c = json_string(p);
				else if (*s)
					not_permitted(f, f->key, s, errs);
				free(s);
			}
			break;
		case REG_LIST:
			c = clean_list(f, v, errs);
			break;
		case REG_LINKS:
			c = clean_links(f, v, errs);
			break;
		}
		if (c && (!json_is_array(c) || json_array_size(c)))
			json_object_set(out, f->key, c);
		json_decref(c);
	}
	if (errs->n > before) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static bool filled(const json_t *v)
{
	return v && !json_is_null(v) && (!json_is_array(v) || json_array_size(v)) &&
	       (!json_is_string(v) || *json_string_value(v));
}

void reg_missing(const json_t *rec, json_t *missing)
{
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].required && !filled(json_object_get(rec, fields[i].key)))
			json_array_append_new(missing, json_string(fields[i].key));
}

/* The ID and the publication date are set by the register, not filled in. */
static bool scored(const struct reg_field *f)
{
	return f->format != REG_FMT_ID && f->format != REG_FMT_DAY;
}

int reg_completeness(const json_t *rec)
{
	int total = 0, have = 0;
	for (size_t i = 0; i < nfields; i++) {
		if (!scored(&fields[i]))
			continue;
		int w = fields[i].show_always ? 8 : 2;
		total += w;
		if (filled(json_object_get(rec, fields[i].key)))
			have += w;
	}
	return total ? have * 100 / total : 0;
}

/* ---- output ---- */

void reg_write_json(struct jsonw *w, const json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jsonw_obj_open(w);
		json_object_foreach((json_t *)v, k, x) {
			jsonw_key(w, k);
			reg_write_json(w, x);
		}
		jsonw_obj_close(w);
		break;
	case JSON_ARRAY:
		jsonw_arr_open(w);
		json_array_foreach(v, i, x)
			reg_write_json(w, x);
		jsonw_arr_close(w);
		break;
	case JSON_STRING:
		jsonw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jsonw_int(w, json_integer_value(v));
		break;
	case JSON_REAL: {
		char num[64];
		int n = snprintf(num, sizeof num, "%.17g", json_real_value(v));
		jsonw_raw(w, num, (size_t)n);
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		jsonw_bool(w, json_is_true(v));
		break;
	case JSON_NULL:
		jsonw_null(w);
		break;
	}
}

char *reg_canonical(const json_t *rec)
{
	struct buf b;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_obj_open(&w);
	for (size_t i = 0; i < nfields; i++) {
		json_t *v = json_object_get(rec, fields[i].key);
		if (!filled(v))
			continue;
		jsonw_key(&w, fields[i].key);
		reg_write_json(&w, v);
	}
	jsonw_obj_close(&w);
	return buf_release(&b, NULL);
}

const char *reg_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}
