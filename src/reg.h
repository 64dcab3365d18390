/* reg.h - the register record of Algoritmeregister publication standard 1.0.
 *
 * The fields, their API keys, limits, enumerations and required flags come from
 * the register's own field configuration (data/register/backend-config-v1_0.json,
 * compiled into the binary), not from C. A record is a jansson object with the
 * v1.0 API keys; its canonical form is compact JSON with the keys in the
 * configuration's order, empty values left out. */
#ifndef AIREG_REG_H
#define AIREG_REG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "jsonw.h"

enum reg_type { REG_STRING, REG_ENUM, REG_LIST, REG_LINKS };

/* What a field needs beyond its type. */
enum reg_format { REG_FMT_NONE, REG_FMT_MONTH, REG_FMT_URL, REG_FMT_CONTACT, REG_FMT_ID, REG_FMT_DAY };

struct reg_field {
	const char *key;              /* API key, e.g. "goal" */
	const char *title;            /* Dutch label */
	const char *help, *instructions, *example;
	enum reg_type type;
	enum reg_format format;
	size_t max_length;            /* in characters; 0 = none */
	bool required, show_always, html;
	json_t *permitted;            /* array of strings, or NULL */
	size_t title_max, link_max;   /* REG_LINKS: limits of the items' title and link */
	bool title_required, link_required;
};

#define REG_MAX_ERRORS 64

struct reg_error {
	char field[64];
	char code[24];       /* too_long, not_allowed_value, wrong_type, invalid_format, ... */
	char message[200];
};

struct reg_errors {
	size_t n;
	struct reg_error e[REG_MAX_ERRORS];
};

/* Loads the field configuration. Returns 0, or -1 with the cause in err. Call once
 * at start, before threads. */
int reg_init(char *err, size_t errlen);
void reg_cleanup(void);

/* The fields in the configuration's order (includes "lars", the ID). */
const struct reg_field *reg_fields(size_t *n);
const struct reg_field *reg_field(const char *key);

/* Adds an error (silently dropped beyond REG_MAX_ERRORS). */
void reg_error_add(struct reg_errors *errs, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Validates and cleans a record given with v1.0 API keys. Returns a new object
 * (caller owns) holding only non-empty, normalised values (trimmed strings,
 * sanitised HTML, enumeration values in their canonical spelling), or NULL when
 * errs received errors. Unknown keys are errors unless ignore_unknown. Required
 * fields are not checked here (a draft may lack them): see reg_missing. */
json_t *reg_normalize(json_t *in, bool ignore_unknown, struct reg_errors *errs);

/* Appends the keys of required fields that rec lacks to the JSON array missing. */
void reg_missing(const json_t *rec, json_t *missing);
/* Completeness 0..100: filled fields weighted 8 (always shown) or 2 (optional). */
int reg_completeness(const json_t *rec);

/* The check digit of the first seven digits, or -1 when they are not digits. */
int reg_id_check_digit(const char *seven);
/* True for eight digits whose last is the check digit. */
bool reg_id_valid(const char *id);
/* Writes a new random valid ID (9 bytes with NUL). */
void reg_id_generate(char out[9]);

/* Writes any jansson value through the streaming writer, keys in the object's
 * order (use reg_canonical for a record's canonical form). */
void reg_write_json(struct jsonw *w, const json_t *v);
/* The canonical JSON text of a record (caller frees). */
char *reg_canonical(const json_t *rec);

/* A string value of rec, or NULL. */
const char *reg_str(const json_t *rec, const char *key);

#endif
