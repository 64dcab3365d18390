/* fuzz_escape.c - the template escaper: text_html_escape and the template runtime's
 * {{name}} (tmpl_var), which must escape through it.
 *
 * Properties: the output holds no '<' '>' '"' ''' at all, every '&' starts one of
 * &amp; &lt; &gt; &quot; &#39;, and unescaping those five gives back the input byte
 * for byte (nothing else is changed or lost). tmpl_var of the input as a string
 * value writes exactly what text_html_escape writes. */
#include <jansson.h>

#include "fuzz.h"
#include "text.h"
#include "tmpl.h"

static const struct {
	const char *ent;
	char c;
} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	buf_init(&out, 0);
	FUZZ_CHECK(text_html_escape(&out, (const char *)data, size) == 0, "escaper failed without a cap");
	const char *o = out.data ? out.data : "";
	size_t j = 0; /* position in the input */
	for (size_t i = 0; i < out.len;) {
		char c = o[i];
		FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'', "raw '%c' at output byte %zu", c, i);
		if (c == '&') {
			size_t k = 0;
			while (k < 5 && strncmp(o + i, ents[k].ent, strlen(ents[k].ent)))
				k++;
			FUZZ_CHECK(k < 5, "'&' at output byte %zu starts no entity", i);
			FUZZ_CHECK(j < size && data[j] == (uint8_t)ents[k].c, "entity %s stands for no input byte", ents[k].ent);
			i += strlen(ents[k].ent);
		} else {
			FUZZ_CHECK(j < size && data[j] == (uint8_t)c, "output byte %zu is not input byte %zu", i, j);
			i++;
		}
		j++;
	}
	FUZZ_CHECK(j == size, "output unescapes to %zu of %zu input bytes", j, size);

	/* {{v}} in a template: jansson strings must be valid UTF-8; NUL allowed with json_stringn. */
	json_t *s = json_stringn((const char *)data, size);
	if (s) {
		json_t *scope = json_pack("{s:o}", "v", s);
		struct buf t;
		buf_init(&t, 0);
		struct tmpl c = {.out = &t, .lang = "nl", .scope = {scope}};
		tmpl_var(&c, "v");
		FUZZ_CHECK(t.len == out.len && (!t.len || !memcmp(t.data, out.data, t.len)),
			   "tmpl_var writes other bytes than text_html_escape");
		buf_cleanup(&t);
		json_decref(scope);
	}
	buf_cleanup(&out);
	return 0;
}
