/* aia_yaml.h - YAML documents (rule packs, the decision tree) as jansson values.
 *
 * Mappings become objects, sequences arrays, scalars strings - except plain
 * (unquoted) true/false, null/~ and decimal integers, which become JSON booleans,
 * null and integers. Every object carries its 1-based source line under the key
 * "__line", so that validators can name file and line; keys starting with "__"
 * are never data (the parser refuses them in the text). */
#ifndef AIREG_AIA_YAML_H
#define AIREG_AIA_YAML_H

#include <jansson.h>
#include <stddef.h>

/* Parses one YAML document. On error returns NULL with "name:line: cause" in err
 * (syntax errors, duplicate keys, keys starting with "__", anchors/aliases,
 * non-scalar keys). */
json_t *aia_yaml_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);

/* The source line of an object made by aia_yaml_parse, or 0. */
int aia_yaml_line(const json_t *obj);

#endif
