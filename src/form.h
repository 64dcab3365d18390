/* form.h - application/x-www-form-urlencoded bodies and query strings. */
#ifndef AIREG_FORM_H
#define AIREG_FORM_H

#include <jansson.h>
#include <stddef.h>

#define FORM_MAX_FIELDS 512
#define FORM_MAX_KEY 64

/* Parses s[0..n) ("a=1&b=x+y&b=%C3%A9") into an object (caller owns): a key seen
 * once maps to a string, a repeated key to an array of strings in order.
 * Returns NULL with "byte N: cause" in err for a bad percent escape, invalid
 * UTF-8, an over-long key or too many fields. */
json_t *form_parse(const char *s, size_t n, char *err, size_t errlen);

/* The string value of a field (the first one when repeated), or NULL. */
const char *form_get(const json_t *form, const char *key);

#endif
