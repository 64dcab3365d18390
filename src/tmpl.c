/* tmpl.c - the template runtime and the message catalogue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "embedded.h"
#include "text.h"
#include "tmpl.h"
#include "util.h"

/* Every .tsv file under web/i18n/ is part of the catalogue (one file per page group). */
#define CATALOGUE_DIR "web/i18n/"

/* Languages, in the catalogue's column order after the key. */
static const char *const langs[] = {"nl", "en"};

struct message {
	const char *key;
	const char *text[2];
};

static struct message *messages;
static size_t nmessages;
static char **texts;
static size_t ntexts;

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct message *)a)->key, ((const struct message *)b)->key);
}

/* Adds the lines "key<TAB>nl<TAB>en" of one catalogue file; '#' starts a
 * comment line. The text is copied and kept: messages point into it. */
static int load_file(const struct embedded_file *f, size_t *cap, char *err, size_t errlen)
{
	char *text = xstrndup(f->data, f->len);
	int line = 0;
	texts = xrealloc(texts, (ntexts + 1) * sizeof *texts);
	texts[ntexts++] = text;
	for (char *p = text, *next; p && *p; p = next) {
		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (!*p || *p == '#')
			continue;
		char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t1 || !t2 || strchr(t2 + 1, '\t')) {
			snprintf(err, errlen, "%s:%d: expected key, Dutch and English separated by tabs", f->path, line);
			return -1;
		}
		*t1 = *t2 = '\0';
		if (nmessages == *cap)
			messages = xrealloc(messages, (*cap *= 2) * sizeof *messages);
		messages[nmessages++] = (struct message){p, {t1 + 1, t2 + 1}};
	}
	return 0;
}

int tmpl_init(char *err, size_t errlen)
{
	size_t cap = 256;
	messages = xcalloc(cap, sizeof *messages);
	for (size_t i = 0; i < embedded_count; i++)
		if (!strncmp(embedded_files[i].path, CATALOGUE_DIR, strlen(CATALOGUE_DIR)) &&
		    load_file(&embedded_files[i], &cap, err, errlen))
			return -1;
	qsort(messages, nmessages, sizeof *messages, by_key);
	for (size_t i = 1; i < nmessages; i++)
		if (!strcmp(messages[i - 1].key, messages[i].key)) {
			snprintf(err, errlen, "web/i18n: message key %s appears twice", messages[i].key);
			return -1;
		}
	return 0;
}

void tmpl_cleanup(void)
{
	for (size_t i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	free(messages);
	texts = NULL;
	messages = NULL;
	ntexts = nmessages = 0;
}

bool tmpl_lang_known(const char *lang)
{
	for (size_t i = 0; lang && i < ARRAY_LEN(langs); i++)
		if (!strcmp(lang, langs[i]))
			return true;
	return false;
}

const char *tmpl_message(const char *key, const char *lang)
{
	struct message k = {.key = key}, *m = bsearch(&k, messages, nmessages, sizeof *messages, by_key);
	if (!m)
		return key;
	int l = lang && !strcmp(lang, "en") ? 1 : 0;
	return *m->text[l] ? m->text[l] : m->text[0];
}

int tmpl_render(const char *name, const json_t *data, const char *lang, struct buf *out)
{
	for (size_t i = 0; i < tmpl_count_all; i++) {
		if (strcmp(tmpl_table[i].name, name))
			continue;
		struct tmpl c = {.out = out, .lang = lang, .scope = {data}, .depth = 0};
		tmpl_table[i].fn(&c);
		return 0;
	}
	return -1;
}

void tmpl_text(struct tmpl *c, const char *s, size_t n)
{
	buf_append(c->out, s, n);
}

static const json_t *lookup_in(const json_t *scope, const char *name)
{
	const json_t *v = scope;
	char part[64];
	for (const char *p = name; v && *p;) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		p += n + (p[n] == '.');
	}
	return v;
}

const json_t *tmpl_lookup(struct tmpl *c, const char *name)
{
	if (!strcmp(name, "."))
		return c->scope[c->depth];
	/* The first segment decides the scope; the rest is a path inside it. */
	char first[64];
	size_t n = strcspn(name, ".");
	if (n >= sizeof first)
		return NULL;
	memcpy(first, name, n);
	first[n] = '\0';
	for (int d = c->depth; d >= 0; d--)
		if (json_is_object(c->scope[d]) && json_object_get(c->scope[d], first))
			return lookup_in(c->scope[d], name);
	return NULL;
}

static void put_value(struct tmpl *c, const json_t *v, bool escape)
{
	char num[32];
	const char *s = NULL;
	size_t n = 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		n = (size_t)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		n = (size_t)snprintf(num, sizeof num, "%g", json_real_value(v));
		s = num;
	}
	if (!s)
		return;
	if (escape)
		text_html_escape(c->out, s, n);
	else
		buf_append(c->out, s, n);
}

void tmpl_var(struct tmpl *c, const char *name)
{
	put_value(c, tmpl_lookup(c, name), true);
}

void tmpl_raw(struct tmpl *c, const char *name)
{
	put_value(c, tmpl_lookup(c, name), false);
}

void tmpl_t(struct tmpl *c, const char *key)
{
	const char *m = tmpl_message(key, c->lang);
	text_html_escape(c->out, m, strlen(m));
}

bool tmpl_truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT: return json_object_size(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	default: return false;
	}
}

size_t tmpl_count(const json_t *v)
{
	return json_is_array(v) ? json_array_size(v) : tmpl_truthy(v) ? 1 : 0;
}

const json_t *tmpl_item(const json_t *v, size_t i)
{
	if (json_is_array(v))
		return json_array_get(v, i);
	return json_is_object(v) ? v : NULL;
}

void tmpl_push(struct tmpl *c, const json_t *scope)
{
	/* Partials can nest sections beyond one template's limit; past the stack
	 * the outermost scope stays visible, and pops stay paired with pushes. */
	if (c->depth < TMPL_MAX_DEPTH)
		c->scope[++c->depth] = scope;
	else
		c->overflow++;
}

void tmpl_pop(struct tmpl *c)
{
	if (c->overflow)
		c->overflow--;
	else if (c->depth > 0)
		c->depth--;
}
