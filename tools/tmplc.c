/* tmplc - compiles HTML templates to C at build time.
 *
 * Usage: tmplc OUT.c TEMPLATE.html...   Each web/templates/NAME.html becomes a
 * function that renders into a struct tmpl (src/tmpl.h). Syntax (mustache-like,
 * escaping by default):
 *   {{name}} {{a.b}} {{.}}  the value, HTML-escaped
 *   {{&name}}               the value unescaped - only for HTML sanitised on input
 *   {{#name}}..{{/name}}    a list: once per item (the item is the scope);
 *                           otherwise once when truthy (an object becomes the scope)
 *   {{^name}}..{{/name}}    once when falsy (missing, null, false, "", 0, [] or {})
 *   {{t key}}               the message key in the page's language, escaped
 *   {{>name}}               another template, same scope
 *   {{!comment}}
 * Errors name the file and line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

static const char *file;
static int line;

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "%s:%d: %s%s\n", file, line, msg, arg ? arg : "");
	exit(1);
}

static void c_string(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n\"\n\t\t\"", out);
		else if (ch < 0x20 || ch == '?')  /* '?' avoids trigraphs */
			fprintf(out, "\\%03o", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void name_of(const char *path, char *out, size_t outlen)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, ".");
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (base[i] == '-') ? '_' : base[i];
	out[n] = '\0';
}

static bool valid_ident(const char *s, size_t n, bool dots)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      (dots && (c == '.' || c == '@'))))
			return false;
	}
	return true;
}

static void compile(FILE *out, const char *path, const char *name)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	static char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	file = path;
	line = 1;
	char stack[MAX_DEPTH][128];
	int depth = 0, var = 0;
	fprintf(out, "static void t_%s(struct tmpl *c)\n{\n", name);
	const char *p = buf;
	while (*p) {
		const char *open = strstr(p, "{{");
		size_t n = open ? (size_t)(open - p) : strlen(p);
		if (n) {
			fputs("\ttmpl_text(c, ", out);
			c_string(out, p, n);
			fprintf(out, ", %zu);\n", n);
			for (size_t i = 0; i < n; i++)
				line += p[i] == '\n';
		}
		if (!open)
			break;
		const char *close = strstr(open + 2, "}}");
		if (!close)
			die("unclosed {{", NULL);
		const char *tag = open + 2;
		size_t tn = (size_t)(close - tag);
		while (tn && tag[0] == ' ')
			tag++, tn--;
		while (tn && tag[tn - 1] == ' ')
			tn--;
		char kind = tn ? tag[0] : 0;
		const char *arg = tag + 1;
		size_t an = tn ? tn - 1 : 0;
		while (an && *arg == ' ')
			arg++, an--;
		char a[128];
		if (an >= sizeof a)
			die("tag too long", NULL);
		memcpy(a, arg, an);
		a[an] = '\0';
		switch (kind) {
		case '!':
			break;
		case '#':
		case '^':
			if (!valid_ident(a, an, true))
				die("bad section name: ", a);
			if (depth == MAX_DEPTH)
				die("sections nested too deeply", NULL);
			snprintf(stack[depth++], sizeof stack[0], "%s", a);
			fprintf(out, "\t{ const json_t *v%d = tmpl_lookup(c, \"%s\");\n", var, a);
			if (kind == '#')
				fprintf(out, "\tfor (size_t i%d = 0, n%d = tmpl_count(v%d); i%d < n%d; i%d++) {\n"
					     "\ttmpl_push(c, tmpl_item(v%d, i%d));\n",
					var, var, var, var, var, var, var, var);
			else
				fprintf(out, "\tif (!tmpl_truthy(v%d)) {\n\ttmpl_push(c, NULL);\n", var);
			var++;
			break;
		case '/':
			if (!depth || strcmp(stack[depth - 1], a))
				die("closing a section that is not open: ", a);
			depth--;
			fputs("\ttmpl_pop(c);\n\t} }\n", out);
			break;
		case '>':
			if (!valid_ident(a, an, false))
				die("bad partial name: ", a);
			fprintf(out, "\tt_%s(c);\n", a);
			break;
		case '&':
			if (!valid_ident(a, an, true))
				die("bad name: ", a);
			fprintf(out, "\ttmpl_raw(c, \"%s\");\n", a);
			break;
		default:
			if (tn > 2 && tag[0] == 't' && tag[1] == ' ') {
				const char *k = tag + 2;
				size_t kn = tn - 2;
				while (kn && *k == ' ')
					k++, kn--;
				if (!valid_ident(k, kn, true))
					die("bad message key", NULL);
				fprintf(out, "\ttmpl_t(c, \"%.*s\");\n", (int)kn, k);
			} else if (tn == 1 && tag[0] == '.') {
				fputs("\ttmpl_var(c, \".\");\n", out);
			} else {
				memcpy(a, tag, tn < sizeof a ? tn : sizeof a - 1);
				a[tn < sizeof a ? tn : sizeof a - 1] = '\0';
				if (!valid_ident(a, strlen(a), true))
					die("bad name: ", a);
				fprintf(out, "\ttmpl_var(c, \"%s\");\n", a);
			}
		}
		for (const char *q = open; q < close; q++)
			line += *q == '\n';
		p = close + 2;
	}
	if (depth)
		die("section not closed: ", stack[depth - 1]);
	fputs("}\n\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tmplc OUT.c TEMPLATE...\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	char name[128];
	fputs("/* generated by tools/tmplc.c from web/templates - do not edit */\n#include <string.h>\n"
	      "#include \"tmpl.h\"\n\n", out);
	for (int i = 2; i < argc; i++) {
		name_of(argv[i], name, sizeof name);
		fprintf(out, "static void t_%s(struct tmpl *c);\n", name);
	}
	fputc('\n', out);
	for (int i = 2; i < argc; i++) {
		name_of(argv[i], name, sizeof name);
		compile(out, argv[i], name);
	}
	fputs("const struct tmpl_entry tmpl_table[] = {\n", out);
	for (int i = 2; i < argc; i++) {
		name_of(argv[i], name, sizeof name);
		fprintf(out, "\t{\"%s\", t_%s},\n", name, name);
	}
	fprintf(out, "};\nconst size_t tmpl_count_all = %d;\n", argc - 2);
	return fclose(out) ? 1 : 0;
}
