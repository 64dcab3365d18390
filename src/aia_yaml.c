/* aia_yaml.c - YAML to jansson through libyaml's document API. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "aia_yaml.h"
#include "util.h"

struct conv {
	yaml_document_t *doc;
	const char *name;
	char *err;
	size_t errlen;
	int depth;
	size_t budget;  /* nodes left to convert */
};

static bool is_int(const char *s)
{
	long long v;
	return *s && strlen(s) < 19 && !util_parse_int(*s == '-' ? s + 1 : s, 0, 999999999999999999LL, &v) &&
	       (s[*s == '-'] != '0' || !s[1 + (*s == '-')]);
}

static json_t *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, n->data.scalar.length);
	if (!strcmp(s, "true"))
		return json_true();
	if (!strcmp(s, "false"))
		return json_false();
	if (!strcmp(s, "null") || !strcmp(s, "~") || !*s)
		return json_null();
	if (is_int(s)) {
		long long v;
		util_parse_int(*s == '-' ? s + 1 : s, 0, 999999999999999999LL, &v);
		return json_integer(*s == '-' ? -v : v);
	}
	return json_stringn(s, n->data.scalar.length);
}

static json_t *convert(struct conv *c, yaml_node_t *n)
{
	json_t *out = NULL;
	int line = (int)n->start_mark.line + 1;
	if (++c->depth > 64) {
		snprintf(c->err, c->errlen, "%s:%d: nested too deeply", c->name, line);
		return NULL;
	}
	/* Without aliases every node is converted once. An alias makes libyaml share
	 * a node, which would be converted again - and alias bombs grow exponentially -
	 * so running out of budget means aliases, which rule packs do not use. */
	if (!c->budget--) {
		snprintf(c->err, c->errlen, "%s:%d: anchors and aliases are not supported", c->name, line);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		out = scalar(n);
		break;
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			json_t *v = convert(c, yaml_document_get_node(c->doc, *i));
			if (!v) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, v);
		}
		break;
	case YAML_MAPPING_NODE:
		out = json_object();
		json_object_set_new(out, "__line", json_integer(line));
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			json_t *v;
			if (k->type != YAML_SCALAR_NODE) {
				snprintf(c->err, c->errlen, "%s:%d: a key must be a plain value", c->name,
					 (int)k->start_mark.line + 1);
				goto fail;
			}
			const char *key = (const char *)k->data.scalar.value;
			/* "__" keys are the loader's own (__line); validators skip them, so
			 * one in the text would be ignored without a word. */
			if (!strncmp(key, "__", 2)) {
				snprintf(c->err, c->errlen, "%s:%d: key \"%s\" is reserved: keys starting with \"__\" are not allowed",
					 c->name, (int)k->start_mark.line + 1, key);
				goto fail;
			}
			if (json_object_get(out, key)) {
				snprintf(c->err, c->errlen, "%s:%d: duplicate key \"%s\"", c->name,
					 (int)k->start_mark.line + 1, key);
				goto fail;
			}
			if (!(v = convert(c, yaml_document_get_node(c->doc, p->value))))
				goto fail;
			json_object_set_new(out, key, v);
		}
		break;
	default:
		snprintf(c->err, c->errlen, "%s:%d: empty node", c->name, line);
		return NULL;
	}
	c->depth--;
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *aia_yaml_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%d: %s%s%s", name, (int)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, errlen, "%s:1: the document is empty", name);
	} else {
		struct conv c = {.doc = &doc, .name = name, .err = err, .errlen = errlen,
				 .budget = (size_t)(doc.nodes.top - doc.nodes.start)};
		out = convert(&c, root);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

int aia_yaml_line(const json_t *obj)
{
	return (int)json_integer_value(json_object_get(obj, "__line"));
}
