/* fuzz_yaml.c - the YAML loader of the rule packs (aia_yaml_parse).
 *
 * Properties: a document or NULL with "fuzz.yaml:LINE: cause" (LINE >= 1); in a
 * document every object carries "__line" (an integer >= 1), and the conversion is
 * bounded (no alias expansion, nesting <= 64), and no other key starts with "__"
 * (aia_yaml.h: such keys are never data; docs/fuzzing.md, F2). */
#include <jansson.h>

#include "aia_yaml.h"
#include "fuzz.h"

static int walk(const json_t *v, int depth)
{
	FUZZ_CHECK(depth <= 65, "nesting %d", depth);
	size_t i;
	const char *k;
	json_t *x;
	int nodes = 1;
	if (json_is_object(v)) {
		FUZZ_CHECK(json_is_integer(json_object_get(v, "__line")) && aia_yaml_line(v) >= 1, "object without __line");
		json_object_foreach((json_t *)v, k, x) {
			if (strcmp(k, "__line")) {
				FUZZ_CHECK(strncmp(k, "__", 2), "reserved key \"%s\" passed through", k);
				nodes += walk(x, depth + 1);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			nodes += walk(x, depth + 1);
	}
	return nodes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	json_t *doc = aia_yaml_parse("fuzz.yaml", (const char *)data, size, err, sizeof err);
	if (!doc) {
		FUZZ_CHECK(!strncmp(err, "fuzz.yaml:", 10) && strtol(err + 10, NULL, 10) >= 1, "error \"%s\"", err);
		return 0;
	}
	/* without aliases every value is one node of the input: at most one per byte or so */
	int nodes = walk(doc, 0);
	FUZZ_CHECK((size_t)nodes <= 2 * size + 2, "%d values from %zu bytes", nodes, size);
	json_decref(doc);
	return 0;
}
