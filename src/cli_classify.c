/* cli_classify.c - aireg classify: the Beslishulp AI-verordening on the command line.
 *
 * Three ways in, one tree (the embedded rule pack):
 *   --answers "1.1=0,1.2=3,..."  one path -> "CONCLUSION<TAB>labels" (exit 0, or 3)
 *   --batch                      one path per stdin line -> one result line each
 *   no arguments                 interactive on a terminal, else as --batch
 * Labels are sorted by byte (strcmp) and joined with '|': the encoding of the
 * conformance oracle, tests/data/beslishulp-all-paths.tsv. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aia_tree.h"
#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "text.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_REJECTED = 3 };

/* A batch line holds one answers string; longer lines are refused whole. */
#define LINE_MAX_LEN AIA_TREE_ANSWERS_MAX_LEN
#define WRAP_WIDTH 78

static const char usage[] =
	"usage: aireg classify [--answers \"1.1=0,1.2=3,...\" | --batch] [--json]\n"
	"\n"
	"Walks the Beslishulp AI-verordening (the embedded decision tree).\n"
	"  --answers PATH   answers as QUESTION=INDEX (0-based), comma-separated;\n"
	"                   prints CONCLUSION<TAB>labels (sorted, |-separated)\n"
	"  --batch          one PATH per line on stdin, one result line each;\n"
	"                   a bad line gives ERROR<TAB>cause and exit code 3 at the end\n"
	"  --json           print each result as one line of JSON with its trace\n"
	"                   (in --batch a bad line gives {\"error\": cause})\n"
	"Without --answers or --batch: asks the questions when stdin is a terminal,\n"
	"else reads stdin as --batch.\n"
	"Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 answers rejected.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "aireg: classify: %s%s (see aireg classify --help)\n", msg, arg ? arg : "");
	return EXIT_USAGE;
}

static void put_labels(struct buf *b, const struct aia_tree_result *r)
{
	for (size_t i = 0; i < r->nlabels; i++) {
		if (i)
			buf_putc(b, '|');
		buf_puts(b, r->labels[i]);
	}
}

static void json_sources(struct jsonw *w, const struct aia_source *s, size_t n)
{
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key(w, "source");
		jsonw_str(w, s[i].title);
		jsonw_key(w, "url");
		jsonw_str(w, s[i].url);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

/* One result as a line of JSON: the conclusion with its texts and sources, the
 * labels, the answers string and the trace of every step. */
static void json_result(struct buf *b, const struct aia_tree *t, const struct aia_tree_result *r)
{
	struct jsonw w;
	struct buf path;
	buf_init(&path, 0);
	aia_tree_result_answers(r, &path);
	jsonw_init(&w, b);
	jsonw_obj_open(&w);
	jsonw_key(&w, "conclusion");
	jsonw_str(&w, r->conclusion->id);
	jsonw_key(&w, "labels");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < r->nlabels; i++)
		jsonw_str(&w, r->labels[i]);
	jsonw_arr_close(&w);
	jsonw_key(&w, "answers");
	jsonw_str(&w, buf_str(&path));
	jsonw_key(&w, "conclusion_text");
	jsonw_str(&w, r->conclusion->text);
	jsonw_key(&w, "obligation");
	jsonw_str(&w, r->conclusion->obligation);
	jsonw_key(&w, "sources");
	json_sources(&w, r->conclusion->sources, r->conclusion->nsources);
	jsonw_key(&w, "trace");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct aia_tree_step *s = &r->steps[i];
		jsonw_obj_open(&w);
		jsonw_key(&w, "question");
		jsonw_str(&w, s->question->id);
		jsonw_key(&w, "question_text");
		jsonw_str(&w, s->question->text);
		jsonw_key(&w, "answer");
		jsonw_int(&w, (long long)s->index);
		jsonw_key(&w, "answer_text");
		jsonw_str(&w, s->answer->text);
		jsonw_key(&w, "labels_added");
		jsonw_arr_open(&w);
		for (size_t k = 0; k < s->answer->nlabels; k++)
			jsonw_str(&w, s->answer->labels[k]);
		jsonw_arr_close(&w);
		jsonw_key(&w, "subresult");
		jsonw_str(&w, s->answer->subresult);
		jsonw_key(&w, "redirect");
		jsonw_str(&w, s->redirect ? aia_cond_text(s->redirect->cond) : NULL);
		jsonw_key(&w, "next");
		jsonw_str(&w, i + 1 < r->nsteps ? r->steps[i + 1].question->id : r->conclusion->id);
		jsonw_obj_close(&w);
	}
	jsonw_arr_close(&w);
	jsonw_key(&w, "tree");
	jsonw_obj_open(&w);
	jsonw_key(&w, "name");
	jsonw_str(&w, t->name);
	jsonw_key(&w, "version");
	jsonw_str(&w, t->version);
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	buf_putc(b, '\n');
	buf_cleanup(&path);
}

static void json_error(struct buf *b, const char *cause)
{
	struct jsonw w;
	jsonw_init(&w, b);
	jsonw_obj_open(&w);
	jsonw_key(&w, "error");
	jsonw_str(&w, cause);
	jsonw_obj_close(&w);
	buf_putc(b, '\n');
}

/* Classifies one answers string into b (a result line, or an error line when
 * err_line; otherwise the error is left in err). Returns 0 or -1. */
static int classify_one(const struct aia_tree *t, const char *answers, bool json, bool err_line, struct buf *b,
			char *err, size_t errlen)
{
	struct aia_tree_result r;
	if (aia_tree_classify(t, answers, &r, err, errlen)) {
		if (err_line && json)
			json_error(b, err);
		else if (err_line)
			buf_printf(b, "ERROR\t%s\n", err);
		return -1;
	}
	if (json) {
		json_result(b, t, &r);
	} else {
		buf_printf(b, "%s\t", r.conclusion->id);
		put_labels(b, &r);
		buf_putc(b, '\n');
	}
	aia_tree_result_cleanup(&r);
	return 0;
}

static int flush_out(struct buf *b)
{
	size_t n = fwrite(b->data ? b->data : "", 1, b->len, stdout);
	int bad = n != b->len;
	buf_reset(b);
	return bad;
}

/* Reads one line of stdin (without its "\n" or "\r\n") into line, at most
 * LINE_MAX_LEN bytes; the rest of a longer line is consumed and *too_long set.
 * Returns false at end of input. NUL bytes are kept, so that they are seen. */
static bool read_line(char *line, size_t *len, bool *too_long)
{
	int c;
	*len = 0;
	*too_long = false;
	while ((c = getchar()) != EOF && c != '\n') {
		if (*len < LINE_MAX_LEN)
			line[(*len)++] = (char)c;
		else
			*too_long = true;
	}
	if (c == EOF && !*len && !*too_long)
		return false;
	if (*len && line[*len - 1] == '\r')
		(*len)--;
	line[*len] = '\0';
	return true;
}

static void batch_error(struct buf *out, bool json, const char *cause)
{
	if (json)
		json_error(out, cause);
	else
		buf_printf(out, "ERROR\t%s\n", cause);
}

static int run_batch(const struct aia_tree *t, bool json)
{
	char *line = xmalloc(LINE_MAX_LEN + 1);
	char err[512];
	struct buf out;
	bool failed = false, too_long;
	size_t len;
	int werr = 0;
	buf_init(&out, 0);
	while (read_line(line, &len, &too_long)) {
		if (too_long) {
			snprintf(err, sizeof err, "the line is longer than %d bytes", LINE_MAX_LEN);
			batch_error(&out, json, err);
			failed = true;
		} else if (memchr(line, '\0', len)) {
			batch_error(&out, json, "the line holds a NUL byte");
			failed = true;
		} else if (classify_one(t, line, json, true, &out, err, sizeof err)) {
			failed = true;
		}
		/* Flushed per line, so that a program feeding lines one at a time
		 * gets each answer before it writes the next. */
		werr |= flush_out(&out) || fflush(stdout);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "aireg: classify: reading stdin failed\n");
		werr = 1;
	} else if (werr) {
		fprintf(stderr, "aireg: classify: writing the results failed\n");
	}
	free(line);
	buf_cleanup(&out);
	if (werr)
		return EXIT_RUNTIME;
	return failed ? EXIT_REJECTED : EXIT_OK;
}

/* ---- interactive ---- */

/* Appends the UTF-8 encoding of cp: U+FFFD for what is no character, a space
 * for a control character (an escaped ESC must not reach the terminal). */
static void put_utf8(struct buf *b, unsigned long cp)
{
	if (!cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		cp = ' ';
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xC0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xE0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* Decodes the entity at s (s[0] == '&') into b; returns the bytes consumed, or
 * 0 when it is no entity this knows (then the '&' is text). */
static size_t entity(const char *s, struct buf *b)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
		     {"&nbsp;", " "}, {"&euml;", "\xc3\xab"}, {"&eacute;", "\xc3\xa9"}};
	for (size_t i = 0; i < ARRAY_LEN(named); i++) {
		size_t n = strlen(named[i].name);
		if (!strncmp(s, named[i].name, n)) {
			buf_puts(b, named[i].text);
			return n;
		}
	}
	if (s[1] != '#')
		return 0;
	bool hex = s[2] == 'x' || s[2] == 'X';
	size_t i = hex ? 3 : 2, start = i;
	unsigned long cp = 0;
	for (; i - start < 7; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
						     : -1;
		if (d < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (unsigned long)d;
	}
	if (i == start || s[i] != ';')
		return 0;
	put_utf8(b, cp);
	return i + 1;
}

static bool tag_start(const char *p)
{
	const char *q = p + 1 + (p[1] == '/');
	return (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
}

/* The tree's texts carry a little HTML (<br>, <strong>, <i>, entities). For a
 * terminal: block tags become line breaks, other tags go, entities are decoded,
 * source whitespace collapses to one space, and control bytes (an ESC could
 * drive the terminal) are dropped. */
static void html_to_text(const char *s, struct buf *out)
{
	static const char *const breaks[] = {"br", "p", "/p", "div", "/div", "li", "ul", "/ul", "ol", "/ol"};
	struct buf raw;
	const char *end;
	buf_init(&raw, 0);
	for (const char *p = s; *p;) {
		unsigned char c = (unsigned char)*p;
		if (c == '<' && tag_start(p) && (end = strchr(p, '>'))) {
			char name[8];
			size_t k = 0;
			for (const char *q = p + 1; q < end && k < sizeof name - 1; q++) {
				char l = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
				if (l != '/' && (l < 'a' || l > 'z'))
					break;
				name[k++] = l;
			}
			name[k] = '\0';
			for (size_t i = 0; i < ARRAY_LEN(breaks); i++)
				if (!strcmp(name, breaks[i])) {
					buf_putc(&raw, '\n');
					break;
				}
			p = end + 1;
		} else if (c == '&') {
			size_t n = entity(p, &raw);
			if (!n)
				buf_putc(&raw, '&');
			p += n ? n : 1;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			buf_putc(&raw, ' ');
			p++;
		} else {
			if (c >= 0x20 && c != 0x7f)
				buf_putc(&raw, (char)c);
			p++;
		}
	}
	/* Collapse: no spaces around line breaks, one space between words, at most
	 * one empty line in a row, none at the ends. */
	size_t nl = 0;
	bool space = false, any = false;
	for (const char *r = buf_str(&raw); *r; r++) {
		if (*r == '\n') {
			nl++;
			space = false;
		} else if (*r == ' ') {
			space = space || !nl;
		} else {
			if (any && nl)
				buf_puts(out, nl > 1 ? "\n\n" : "\n");
			else if (any && space)
				buf_putc(out, ' ');
			buf_putc(out, *r);
			nl = 0;
			space = false;
			any = true;
		}
	}
	buf_cleanup(&raw);
}

/* Display width of UTF-8 text, counted as code points: good enough for the
 * Latin text of the tree. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Prints text (already plain) word-wrapped: the first line after first, every
 * other line after indent (both of the same width). */
static void print_wrapped(const char *text, const char *first, const char *indent)
{
	size_t max = WRAP_WIDTH - strlen(indent);
	const char *line = text;
	while (*line) {
		size_t len = strcspn(line, "\n");
		size_t col = 0;
		if (len || line == text)
			fputs(line == text ? first : indent, stdout);
		for (size_t i = 0; i < len;) {
			size_t wl = strcspn(line + i, " \n");
			if (wl > len - i)
				wl = len - i;
			size_t ww = width(line + i, wl);
			if (col && col + 1 + ww > max) {
				fputc('\n', stdout);
				fputs(indent, stdout);
				col = 0;
			} else if (col) {
				fputc(' ', stdout);
				col++;
			}
			fwrite(line + i, 1, wl, stdout);
			col += ww;
			i += wl;
			while (i < len && line[i] == ' ')
				i++;
		}
		fputc('\n', stdout);
		line += len;
		if (*line == '\n')
			line++;
	}
}

static void print_html(const char *html, const char *first, const char *indent)
{
	struct buf b;
	buf_init(&b, 0);
	html_to_text(html, &b);
	print_wrapped(buf_str(&b), first, indent);
	buf_cleanup(&b);
}

static void print_sources(const struct aia_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b, 0);
		buf_printf(&b, "%s%s%s", s[i].title, *s[i].url ? " - " : "", s[i].url);
		print_wrapped(buf_str(&b), i ? "          " : "  Source: ", "          ");
		buf_cleanup(&b);
	}
}

/* Reads one line of the user's input, trimmed; false at end of input. */
static bool read_reply(char *line, size_t size)
{
	if (!fgets(line, (int)size, stdin))
		return false;
	if (!strchr(line, '\n')) {
		int c;
		while ((c = getchar()) != EOF && c != '\n')
			;
	}
	text_trim(line);
	return true;
}

static void print_conclusion(const struct aia_tree_result *r)
{
	const struct aia_conclusion *c = r->conclusion;
	struct buf b;
	buf_init(&b, 0);
	printf("\n== Conclusion %s\n\n", c->id);
	print_html(c->text, "  ", "  ");
	if (*c->obligation) {
		printf("\n  Obligations:\n");
		print_html(c->obligation, "    ", "    ");
	}
	if (c->nsources) {
		fputc('\n', stdout);
		print_sources(c->sources, c->nsources);
	}
	put_labels(&b, r);
	printf("\n  Labels:  %s\n", r->nlabels ? buf_str(&b) : "(none)");
	buf_reset(&b);
	aia_tree_result_answers(r, &b);
	printf("  Answers: %s\n", buf_str(&b));
	printf("\n%s\t", c->id);
	buf_reset(&b);
	put_labels(&b, r);
	printf("%s\n", buf_str(&b));
	buf_cleanup(&b);
}

/* Asks one question at a time, walking the tree again after every reply, so
 * that "b" (back) simply drops the last answer. */
static int run_interactive(const struct aia_tree *t, bool json)
{
	struct aia_tree_choice *choices = xcalloc(t->nquestions + 1, sizeof *choices);
	struct aia_tree_result r;
	char err[512], reply[64];
	size_t n = 0;
	int rc = EXIT_RUNTIME;
	printf("%s %s - type the number of an answer, b to go back, q to stop.\n", *t->name ? t->name : "Decision tree",
	       t->version);
	for (;;) {
		if (aia_tree_walk(t, choices, n, &r, err, sizeof err)) {
			/* Cannot happen: every choice was offered by the tree itself. */
			fprintf(stderr, "aireg: classify: %s\n", err);
			break;
		}
		if (r.conclusion) {
			if (json) {
				struct buf b;
				buf_init(&b, 0);
				json_result(&b, t, &r);
				fputc('\n', stdout);
				flush_out(&b);
				buf_cleanup(&b);
			} else {
				print_conclusion(&r);
			}
			aia_tree_result_cleanup(&r);
			rc = EXIT_OK;
			break;
		}
		const struct aia_question *q = r.next;
		aia_tree_result_cleanup(&r);
		printf("\n== Question %s (%zu answered)\n\n", q->id, n);
		print_html(q->text, "  ", "  ");
		if (*q->explanation) {
			fputc('\n', stdout);
			print_html(q->explanation, "  ", "  ");
		}
		if (q->nsources) {
			fputc('\n', stdout);
			print_sources(q->sources, q->nsources);
		}
		fputc('\n', stdout);
		for (size_t i = 0; i < q->nanswers; i++) {
			char num[16];
			snprintf(num, sizeof num, "  %2zu) ", i + 1);
			print_html(q->answers[i].text, num, "      ");
			if (q->answers[i].subresult)
				print_html(q->answers[i].subresult, "      - ", "        ");
		}
		for (;;) {
			long long v;
			if (q->nanswers == 1)
				printf("\nAnswer 1%s, q: ", n ? ", b" : "");
			else
				printf("\nAnswer 1-%zu%s, q: ", q->nanswers, n ? ", b" : "");
			fflush(stdout);
			if (!read_reply(reply, sizeof reply)) {
				fputc('\n', stdout);
				fprintf(stderr, "aireg: classify: stopped before a conclusion\n");
				goto out;
			}
			if (!strcmp(reply, "q")) {
				fprintf(stderr, "aireg: classify: stopped before a conclusion\n");
				goto out;
			}
			if (!strcmp(reply, "b") && n) {
				n--;
				break;
			}
			if (!util_parse_int(reply, 1, (long long)q->nanswers, &v)) {
				choices[n++] = (struct aia_tree_choice){q->id, (size_t)v - 1};
				break;
			}
			printf("Type a number from 1 to %zu%s, or q to stop.", q->nanswers, n ? ", b to go back" : "");
		}
	}
out:
	free(choices);
	fflush(stdout);
	return rc;
}

int cli_classify(int argc, char **argv)
{
	const char *answers = NULL;
	bool batch = false, json = false;
	struct aia_tree *t;
	char err[1024];
	int rc;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--answers")) {
			if (i + 1 >= argc)
				return usage_error("--answers needs a value", NULL);
			if (answers)
				return usage_error("--answers given twice", NULL);
			answers = argv[++i];
		} else if (!strncmp(a, "--answers=", 10)) {
			if (answers)
				return usage_error("--answers given twice", NULL);
			answers = a + 10;
		} else if (!strcmp(a, "--batch")) {
			batch = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else {
			return usage_error(a[0] == '-' ? "unknown option " : "unexpected argument ", a);
		}
	}
	if (answers && batch)
		return usage_error("--answers and --batch exclude each other", NULL);
	if (aia_tree_load_embedded(&t, err, sizeof err)) {
		fprintf(stderr, "aireg: classify: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (answers) {
		struct buf out;
		buf_init(&out, 0);
		if (classify_one(t, answers, json, false, &out, err, sizeof err)) {
			fprintf(stderr, "aireg: classify: %s\n", err);
			rc = EXIT_REJECTED;
		} else {
			rc = flush_out(&out) || fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
			if (rc)
				fprintf(stderr, "aireg: classify: writing the result failed\n");
		}
		buf_cleanup(&out);
	} else if (batch || !isatty(STDIN_FILENO)) {
		rc = run_batch(t, json);
	} else {
		rc = run_interactive(t, json);
	}
	aia_tree_free(t);
	return rc;
}
