/* Unit tests for aia_cond.c: the redirect conditions of the decision tree. */
#include "testutil.h"

#include "aia_cond.h"
#include "buf.h"

#define A "\"aanbieder\" in labels"
#define G "\"gebruiksverantwoordelijke\" in labels"
#define H "\"hoog-risico AI\" in labels"

/* Labels are given as one '|'-separated string ("" = none). */
struct eval_case {
	const char *cond;
	const char *labels;
	bool want;
};

static const struct eval_case eval_cases[] = {
	{A, "aanbieder", true},
	{A, "", false},
	{A, "gebruiksverantwoordelijke", false},
	{A, "aanbieder-x", false},          /* whole labels, not prefixes */
	{A, "aanbiede", false},
	{A, "Aanbieder", false},            /* byte-wise, case matters */
	{A, "x|y|aanbieder", true},
	{A, "aanbieder|aanbieder", true},   /* duplicates are harmless */
	{A " || " G, "gebruiksverantwoordelijke", true},
	{A " || " G, "importeur", false},
	{A " && " G, "aanbieder", false},
	{A " && " G, "aanbieder|gebruiksverantwoordelijke", true},
	/* || binds weaker than &&: a || (b && c) */
	{A " || " G " && " H, "aanbieder", true},
	{A " || " G " && " H, "gebruiksverantwoordelijke", false},
	{A " || " G " && " H, "gebruiksverantwoordelijke|hoog-risico AI", true},
	/* (a && b) || c */
	{A " && " G " || " H, "hoog-risico AI", true},
	{A " && " G " || " H, "aanbieder", false},
	/* parentheses override */
	{"(" A " || " G ") && " H, "aanbieder", false},
	{"(" A " || " G ") && " H, "aanbieder|hoog-risico AI", true},
	/* ! binds tightest */
	{"!" A, "", true},
	{"!" A, "aanbieder", false},
	{"!" A " && " G, "gebruiksverantwoordelijke", true},
	{"!" A " && " G, "aanbieder|gebruiksverantwoordelijke", false},
	{"!(" A " || " G ")", "", true},
	{"!(" A " || " G ")", "gebruiksverantwoordelijke", false},
	{"!!" A, "aanbieder", true},
	{"! ! !" A, "aanbieder", false},
	/* the shapes used in the Beslishulp */
	{"!(\"open-source\" in labels) && !(\"geen open-source\" in labels) && !(\"hoog-risico AI\" in labels)",
	 "aanbieder|AI-systeem", true},
	{"!(\"open-source\" in labels) && !(\"geen open-source\" in labels) && !(\"hoog-risico AI\" in labels)",
	 "aanbieder|geen open-source", false},
	{"(\"AI-systeem\" in labels || \"AI-systeem voor algemene doeleinden\" in labels) && \"open-source\" in labels && "
	 "\"geen hoog-risico AI\" in labels",
	 "AI-systeem voor algemene doeleinden|open-source|geen hoog-risico AI", true},
	{"(\"AI-systeem\" in labels || \"AI-systeem voor algemene doeleinden\" in labels) && \"open-source\" in labels && "
	 "\"geen hoog-risico AI\" in labels",
	 "AI-systeem|open-source|hoog-risico AI", false},
	/* quoting and whitespace */
	{"'aanbieder' in labels", "aanbieder", true},
	{"\"it's\" in labels", "it's", true},
	{"'say \"hi\"' in labels", "say \"hi\"", true},
	{"\"a\\\"b\" in labels", "a\"b", true},
	{"'a\\\\b' in labels", "a\\b", true},
	{"  \t\r\n\"aanbieder\"\n\tin\r\nlabels \n", "aanbieder", true},
	{"(((" A ")))", "aanbieder", true},
	{"(" A ")&&(" G ")", "aanbieder|gebruiksverantwoordelijke", true},
	{A "||" G, "gebruiksverantwoordelijke", true},
	{"\"hoog-risico AI\" in labels", "hoog-risico AI", true},
	{"\"l\xc3\xa9gal\" in labels", "l\xc3\xa9gal", true},
	{"\"x|y\" in labels", "x|y", false},  /* the helper splits labels at '|' */
};

static size_t split_labels(char *s, const char **out, size_t max)
{
	size_t n = 0;
	if (!*s)
		return 0;
	for (char *p = s; n < max;) {
		out[n++] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	return n;
}

static void test_eval_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof eval_cases / sizeof *eval_cases; i++) {
		const struct eval_case *c = &eval_cases[i];
		struct aia_cond *cond;
		char err[128], copy[256];
		const char *labels[16];
		CHECK(!aia_cond_parse(c->cond, strlen(c->cond), &cond, NULL, err, sizeof err), "row %zu (%s): %s", i,
		      c->cond, err);
		snprintf(copy, sizeof copy, "%s", c->labels);
		size_t n = split_labels(copy, labels, 16);
		CHECK(aia_cond_eval(cond, labels, n) == c->want, "row %zu: %s with [%s] should be %s", i, c->cond,
		      c->labels, c->want ? "true" : "false");
		CHECK(!strcmp(aia_cond_text(cond), c->cond), "row %zu: text kept", i);
		aia_cond_free(cond);
	}
}

struct shape_case {
	const char *cond;
	const char *ast;
};

static const struct shape_case shape_cases[] = {
	{"'a' in labels", "\"a\""},
	{"'a' in labels || 'b' in labels && 'c' in labels", "or(\"a\", and(\"b\", \"c\"))"},
	{"'a' in labels && 'b' in labels || 'c' in labels", "or(and(\"a\", \"b\"), \"c\")"},
	{"('a' in labels || 'b' in labels) && 'c' in labels", "and(or(\"a\", \"b\"), \"c\")"},
	{"!'a' in labels && 'b' in labels", "and(not(\"a\"), \"b\")"},
	{"!('a' in labels && 'b' in labels)", "not(and(\"a\", \"b\"))"},
	{"!!'a' in labels", "not(not(\"a\"))"},
	{"'a' in labels && 'b' in labels && 'c' in labels", "and(\"a\", \"b\", \"c\")"},
	{"'a' in labels || 'b' in labels || 'c' in labels || 'd' in labels", "or(\"a\", \"b\", \"c\", \"d\")"},
	{"('a' in labels && 'b' in labels) && 'c' in labels", "and(and(\"a\", \"b\"), \"c\")"},
	{"(('a' in labels))", "\"a\""},
	{"'a' in labels && 'b' in labels || 'c' in labels && 'd' in labels || !'e' in labels",
	 "or(and(\"a\", \"b\"), and(\"c\", \"d\"), not(\"e\"))"},
	{"'q\"x' in labels", "\"q\\\"x\""},
	{"'b\\\\s' in labels", "\"b\\\\s\""},
};

static void test_shapes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof shape_cases / sizeof *shape_cases; i++) {
		struct aia_cond *cond;
		struct buf b;
		char err[128];
		buf_init(&b, 0);
		CHECK(!aia_cond_parse(shape_cases[i].cond, strlen(shape_cases[i].cond), &cond, NULL, err, sizeof err),
		      "row %zu: %s", i, err);
		assert_int_equal(aia_cond_format(cond, &b), 0);
		CHECK(!strcmp(buf_str(&b), shape_cases[i].ast), "row %zu: %s parsed as %s, want %s", i,
		      shape_cases[i].cond, buf_str(&b), shape_cases[i].ast);
		buf_cleanup(&b);
		aia_cond_free(cond);
	}
}

static void test_labels_listed(void **state)
{
	(void)state;
	const char *s = "!('x' in labels) && (\"y\" in labels || 'x' in labels)";
	struct aia_cond *cond;
	char err[128];
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, NULL, err, sizeof err), 0);
	assert_int_equal(aia_cond_nlabels(cond), 3);
	assert_string_equal(aia_cond_label(cond, 0), "x");
	assert_string_equal(aia_cond_label(cond, 1), "y");
	assert_string_equal(aia_cond_label(cond, 2), "x");
	assert_null(aia_cond_label(cond, 3));
	aia_cond_free(cond);
	aia_cond_free(NULL);
	assert_false(aia_cond_eval(NULL, NULL, 0));
}

struct err_case {
	const char *cond;
	size_t pos;        /* 1-based byte */
	const char *cause; /* a substring of the message */
};

static const struct err_case err_cases[] = {
	{"", 1, "empty condition"},
	{" \t\n", 4, "empty condition"},
	{"x", 1, "unexpected 'x', expected a label"},
	{"aanbieder in labels", 1, "unexpected 'a'"},
	{"\"a\"", 4, "unexpected end, expected 'in'"},
	{"\"a\" in", 7, "unexpected end, expected 'labels'"},
	{"\"a\" in label", 8, "expected 'labels'"},
	{"\"a\" in labelsx", 8, "expected 'labels'"},
	{"\"a\" inlabels", 5, "expected 'in'"},
	{"\"a\" IN labels", 5, "expected 'in'"},
	{"\"a\" in Labels", 8, "expected 'labels'"},
	{"\"a\" in labels &&", 17, "unexpected end"},
	{"\"a\" in labels ||  ", 19, "unexpected end"},
	{"\"a\" in labels & \"b\" in labels", 15, "'&' must be '&&'"},
	{"\"a\" in labels | \"b\" in labels", 15, "'|' must be '||'"},
	{"\"a\" in labels \"b\" in labels", 15, "unexpected '\"', expected '&&', '||' or the end"},
	{"\"a\" in labels and \"b\" in labels", 15, "unexpected 'a'"},
	{"\"a in labels", 1, "label not closed"},
	{"'a\" in labels", 1, "label not closed"},
	{"'a\\' in labels", 1, "label not closed"},
	{"\"a\\", 1, "label not closed"},
	{"'' in labels", 1, "empty label"},
	{"(\"a\" in labels", 1, "'(' not closed"},
	{"((\"a\" in labels)", 1, "'(' not closed"},
	{"(\"a\" in labels))", 16, "')' without '('"},
	{")", 1, "unexpected ')'"},
	{"()", 2, "unexpected ')'"},
	{"!", 2, "unexpected end"},
	{"\"a\" in labels && !", 19, "unexpected end"},
	{"(\"a\" in labels && )", 19, "unexpected ')'"},
	{"\"a\" in labels == true", 15, "unexpected '='"},
	{"\"a\" in labels != \"b\"", 15, "unexpected '!'"},
	{"\"a\" in labels\x01", 14, "unexpected byte 0x01"},
	{"\x80", 1, "unexpected byte 0x80"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof err_cases / sizeof *err_cases; i++) {
		const struct err_case *c = &err_cases[i];
		struct aia_cond *cond = (struct aia_cond *)1;
		char err[160], want[32];
		size_t pos = 0;
		CHECK(aia_cond_parse(c->cond, strlen(c->cond), &cond, &pos, err, sizeof err) == -1, "row %zu (%s) parsed",
		      i, c->cond);
		CHECK(cond == NULL, "row %zu: *out left NULL", i);
		CHECK(pos == c->pos, "row %zu (%s): position %zu, want %zu (%s)", i, c->cond, pos, c->pos, err);
		snprintf(want, sizeof want, "byte %zu: ", c->pos);
		CHECK(!strncmp(err, want, strlen(want)), "row %zu: message \"%s\" should start \"%s\"", i, err, want);
		CHECK(strstr(err, c->cause), "row %zu (%s): message \"%s\" lacks \"%s\"", i, c->cond, err, c->cause);
	}
}

static void test_nul_bytes(void **state)
{
	(void)state;
	struct aia_cond *cond;
	char err[160];
	size_t pos;
	static const char in_label[] = "\"a\0b\" in labels";
	static const char outside[] = "\"a\" in labels\0";
	assert_int_equal(aia_cond_parse(in_label, sizeof in_label - 1, &cond, &pos, err, sizeof err), -1);
	assert_int_equal(pos, 3);
	assert_non_null(strstr(err, "NUL byte in label"));
	assert_int_equal(aia_cond_parse(outside, sizeof outside - 1, &cond, &pos, err, sizeof err), -1);
	assert_int_equal(pos, 14);
	assert_non_null(strstr(err, "unexpected byte 0x00"));
	assert_int_equal(aia_cond_parse(NULL, 0, &cond, &pos, err, sizeof err), -1);
}

/* Builds n times open, then the label, then n times close. */
static char *nested(int n, const char *open, const char *close)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < n; i++)
		buf_puts(&b, open);
	buf_puts(&b, "'a' in labels");
	for (int i = 0; i < n; i++)
		buf_puts(&b, close);
	return buf_release(&b, NULL);
}

static void test_limits(void **state)
{
	(void)state;
	struct aia_cond *cond;
	char err[160];
	size_t pos;
	const char *has_a[] = {"a"};

	char *s = nested(AIA_COND_MAX_DEPTH, "(", ")");
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, &pos, err, sizeof err), 0);
	assert_true(aia_cond_eval(cond, has_a, 1));
	aia_cond_free(cond);
	free(s);

	s = nested(AIA_COND_MAX_DEPTH + 1, "(", ")");
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, &pos, err, sizeof err), -1);
	assert_int_equal(pos, AIA_COND_MAX_DEPTH + 1);
	assert_non_null(strstr(err, "nested too deeply"));
	free(s);

	s = nested(AIA_COND_MAX_DEPTH, "!", "");
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, &pos, err, sizeof err), 0);
	assert_true(aia_cond_eval(cond, has_a, 1));  /* an even number of "!" */
	aia_cond_free(cond);
	free(s);

	s = nested(AIA_COND_MAX_DEPTH + 1, "!", "");
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, &pos, err, sizeof err), -1);
	free(s);

	/* "(" and "!" count together */
	s = nested(AIA_COND_MAX_DEPTH / 2 + 1, "!(", ")");
	assert_int_equal(aia_cond_parse(s, strlen(s), &cond, &pos, err, sizeof err), -1);
	assert_non_null(strstr(err, "nested too deeply"));
	free(s);

	/* A long flat chain is one node, parsed and evaluated without depth. */
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "'a' in labels");
	while (b.len + 17 <= AIA_COND_MAX_LEN)
		buf_puts(&b, " && 'a' in labels");
	assert_int_equal(aia_cond_parse(b.data, b.len, &cond, &pos, err, sizeof err), 0);
	assert_true(aia_cond_eval(cond, has_a, 1));
	assert_false(aia_cond_eval(cond, NULL, 0));
	assert_true(aia_cond_nlabels(cond) > 200);
	aia_cond_free(cond);
	buf_cleanup(&b);

	/* Length: 4096 bytes is the most. */
	char *big = malloc(AIA_COND_MAX_LEN + 2);
	memset(big, ' ', AIA_COND_MAX_LEN + 1);
	memcpy(big, "'a' in labels", 13);
	assert_int_equal(aia_cond_parse(big, AIA_COND_MAX_LEN, &cond, &pos, err, sizeof err), 0);
	aia_cond_free(cond);
	assert_int_equal(aia_cond_parse(big, AIA_COND_MAX_LEN + 1, &cond, &pos, err, sizeof err), -1);
	assert_int_equal(pos, AIA_COND_MAX_LEN + 1);
	assert_non_null(strstr(err, "longer than 4096"));
	free(big);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Parses input; when it parses, evaluating and formatting must work too. */
static void exercise(const char *s, size_t n, size_t *parsed)
{
	struct aia_cond *cond;
	char err[160];
	size_t pos = 0;
	static const char *labels[] = {"a", "b", "aanbieder", "x"};
	if (aia_cond_parse(s, n, &cond, &pos, err, sizeof err)) {
		CHECK(pos >= 1 && pos <= n + 1, "error position %zu outside 1..%zu", pos, n + 1);
		CHECK(!strncmp(err, "byte ", 5), "message %s", err);
		return;
	}
	struct buf b;
	buf_init(&b, 0);
	(void)aia_cond_eval(cond, labels, 4);
	(void)aia_cond_eval(cond, NULL, 0);
	assert_int_equal(aia_cond_format(cond, &b), 0);
	/* The canonical form is itself no condition, but every label named is in it. */
	for (size_t i = 0; i < aia_cond_nlabels(cond); i++)
		assert_non_null(aia_cond_label(cond, i));
	buf_cleanup(&b);
	aia_cond_free(cond);
	(*parsed)++;
}

static void test_garbage(void **state)
{
	(void)state;
	static const char *const tokens[] = {"'a' in labels", "\"b\" in labels", "&&", "||", "!", "(", ")", " ", "\"",
					     "'", "in", "labels", "&", "|", "\\", "\n", "\"aanbieder\"", "x"};
	char s[600];
	size_t parsed = 0;
	/* random bytes */
	for (int round = 0; round < 20000; round++) {
		size_t n = next_rand() % 64;
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(next_rand() & 0xff);
		exercise(s, n, &parsed);
	}
	/* random token soup: mostly near-valid input */
	for (int round = 0; round < 50000; round++) {
		size_t n = 0, k = 1 + next_rand() % 24;
		for (size_t i = 0; i < k; i++) {
			const char *t = tokens[next_rand() % (sizeof tokens / sizeof *tokens)];
			size_t l = strlen(t);
			if (n + l + 1 >= sizeof s)
				break;
			memcpy(s + n, t, l);
			n += l;
			if (next_rand() % 2)
				s[n++] = ' ';
		}
		exercise(s, n, &parsed);
	}
	/* a real condition cut at every length and with every byte flipped */
	static const char real[] = "!(\"open-source\" in labels) && (\"a\" in labels || 'b' in labels)";
	for (size_t cut = 0; cut <= sizeof real - 1; cut++)
		exercise(real, cut, &parsed);
	for (size_t i = 0; i < sizeof real - 1; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(s, real, sizeof real);
			s[i] = (char)(s[i] ^ (1 << bit));
			exercise(s, sizeof real - 1, &parsed);
		}
	print_message("garbage: %zu of the inputs parsed\n", parsed);
	assert_true(parsed > 100);  /* the soup must reach the evaluator too */
}

/* Random well-formed conditions over the labels a, b, c, written with the
 * fewest brackets precedence allows (plus some spare ones), checked against
 * their truth table computed here: bit k of a mask is the value for the label
 * set {a if k&1, b if k&2, c if k&4}. kind: 0 leaf or "!", 1 "&&", 2 "||". */
static unsigned gen(struct buf *b, int depth, int *kind)
{
	static const unsigned leaf_mask[] = {0xAA, 0xCC, 0xF0};
	unsigned r = (unsigned)(next_rand() % 10);
	if (depth == 0 || r < 3) {
		unsigned i = (unsigned)(next_rand() % 3);
		buf_printf(b, next_rand() % 2 ? "\"%c\" in labels" : "'%c' in labels", 'a' + i);
		*kind = 0;
		return leaf_mask[i];
	}
	struct buf x, y;
	int kx, ky;
	unsigned mx, my, m;
	buf_init(&x, 0);
	buf_init(&y, 0);
	mx = gen(&x, depth - 1, &kx);
	if (r < 5) {
		/* "!" takes a leaf or another "!" as is, anything else in brackets */
		bool br = kx != 0 || next_rand() % 4 == 0;
		buf_printf(b, "!%s%s%s", br ? "(" : "", buf_str(&x), br ? ")" : "");
		*kind = 0;
		m = ~mx & 0xFF;
	} else {
		int op = r < 8 ? 1 : 2;
		my = gen(&y, depth - 1, &ky);
		/* "&&" needs brackets around a "||" operand */
		bool bx = (op == 1 && kx == 2) || next_rand() % 5 == 0;
		bool by = (op == 1 && ky == 2) || next_rand() % 5 == 0;
		buf_printf(b, "%s%s%s%s%s%s%s", bx ? "(" : "", buf_str(&x), bx ? ")" : "", op == 1 ? " && " : "||",
			   by ? "(" : "", buf_str(&y), by ? ")" : "");
		*kind = op;
		m = op == 1 ? mx & my : mx | my;
	}
	buf_cleanup(&x);
	buf_cleanup(&y);
	return m;
}

static void test_random_against_truth_table(void **state)
{
	(void)state;
	static const char *const names[] = {"a", "b", "c"};
	for (int round = 0; round < 5000; round++) {
		struct buf b;
		struct aia_cond *cond;
		char err[160];
		int kind;
		buf_init(&b, 0);
		unsigned want = gen(&b, 1 + (int)(next_rand() % 6), &kind);
		if (b.len > AIA_COND_MAX_LEN) {
			buf_cleanup(&b);
			continue;
		}
		CHECK(!aia_cond_parse(b.data, b.len, &cond, NULL, err, sizeof err), "%s: %s", b.data, err);
		for (unsigned k = 0; k < 8; k++) {
			const char *set[3];
			size_t n = 0;
			for (unsigned i = 0; i < 3; i++)
				if (k & (1u << i))
					set[n++] = names[i];
			CHECK(aia_cond_eval(cond, set, n) == ((want >> k) & 1), "%s with set %u", b.data, k);
		}
		aia_cond_free(cond);
		buf_cleanup(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_labels_listed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_random_against_truth_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
