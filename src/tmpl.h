/* tmpl.h - rendering of the HTML templates compiled by tools/tmplc.c.
 *
 * Data comes as a jansson object; names are looked up from the innermost scope
 * (a list item, a section's object) outwards, with dotted paths ("org.name").
 * Every value is HTML-escaped unless the template asks for it raw ({{&name}}),
 * which only text the register's sanitiser produced may use. Messages ({{t key}})
 * come from the compiled catalogue web/i18n/messages.tsv in the page's language. */
#ifndef AIREG_TMPL_H
#define AIREG_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define TMPL_MAX_DEPTH 32

struct tmpl {
	struct buf *out;
	const char *lang;                 /* "nl" or "en" */
	const json_t *scope[TMPL_MAX_DEPTH + 1];
	int depth;
	int overflow;                     /* pushes beyond the stack, still to pop */
};

struct tmpl_entry {
	const char *name;
	void (*fn)(struct tmpl *c);
};

/* Loads the message catalogue; 0, or -1 with "file:line: cause". */
int tmpl_init(char *err, size_t errlen);
void tmpl_cleanup(void);

/* Renders template name with data (borrowed) in lang into out. -1 when unknown. */
int tmpl_render(const char *name, const json_t *data, const char *lang, struct buf *out);
/* The message key in lang (falls back to Dutch, then to the key itself). */
const char *tmpl_message(const char *key, const char *lang);
/* True for a language the catalogue has. */
bool tmpl_lang_known(const char *lang);

/* Used by the generated code. */
void tmpl_text(struct tmpl *c, const char *s, size_t n);
void tmpl_var(struct tmpl *c, const char *name);
void tmpl_raw(struct tmpl *c, const char *name);
void tmpl_t(struct tmpl *c, const char *key);
const json_t *tmpl_lookup(struct tmpl *c, const char *name);
bool tmpl_truthy(const json_t *v);
/* How often a section renders: an array's length, 1 when truthy, else 0. */
size_t tmpl_count(const json_t *v);
/* The scope of a section's i-th round. */
const json_t *tmpl_item(const json_t *v, size_t i);
void tmpl_push(struct tmpl *c, const json_t *scope);
void tmpl_pop(struct tmpl *c);

extern const struct tmpl_entry tmpl_table[];
extern const size_t tmpl_count_all;

#endif
