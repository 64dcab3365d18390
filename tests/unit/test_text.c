/* Unit tests for text.c. */
#include "testutil.h"

#include <jansson.h>

#include "buf.h"
#include "text.h"
#include "util.h"

#define BYTES(s) s, sizeof(s) - 1
#define FFFD "\xEF\xBF\xBD"

/* ---- UTF-8 ---- */

struct utf8_case {
	const char *s;
	size_t n;
	bool valid;
	size_t len;  /* code points, for valid input */
};

static const struct utf8_case utf8_cases[] = {
	{BYTES(""), true, 0},
	{BYTES("a"), true, 1},
	{BYTES("\0"), true, 1},
	{BYTES("\x7f"), true, 1},
	{BYTES("\xC2\x80"), true, 1},
	{BYTES("\xDF\xBF"), true, 1},
	{BYTES("\xE0\xA0\x80"), true, 1},
	{BYTES("\xED\x9F\xBF"), true, 1},          /* U+D7FF, just below the surrogates */
	{BYTES("\xEE\x80\x80"), true, 1},          /* U+E000, just above */
	{BYTES("\xEF\xBF\xBF"), true, 1},
	{BYTES("\xF0\x90\x80\x80"), true, 1},
	{BYTES("\xF4\x8F\xBF\xBF"), true, 1},      /* U+10FFFF */
	{BYTES("Gemeente Noardeast-Frysl\xC3\xA2n"), true, 26},
	{BYTES("\xE2\x82\xAC\xF0\x9D\x84\x9E!"), true, 3},
	{BYTES("\x80"), false, 0},
	{BYTES("\xBF"), false, 0},
	{BYTES("a\x80" "b"), false, 0},
	{BYTES("\xC0\x80"), false, 0},             /* overlong NUL */
	{BYTES("\xC0\xAF"), false, 0},
	{BYTES("\xC1\xBF"), false, 0},
	{BYTES("\xE0\x80\xAF"), false, 0},
	{BYTES("\xE0\x9F\xBF"), false, 0},         /* overlong U+07FF */
	{BYTES("\xF0\x80\x80\xAF"), false, 0},
	{BYTES("\xF0\x8F\xBF\xBF"), false, 0},     /* overlong U+FFFF */
	{BYTES("\xED\xA0\x80"), false, 0},         /* U+D800 */
	{BYTES("\xED\xAD\xBF"), false, 0},
	{BYTES("\xED\xBF\xBF"), false, 0},         /* U+DFFF */
	{BYTES("\xED\xA0\xBD\xED\xB2\xA9"), false, 0},  /* CESU-8 surrogate pair */
	{BYTES("\xF4\x90\x80\x80"), false, 0},     /* U+110000 */
	{BYTES("\xF5\x80\x80\x80"), false, 0},
	{BYTES("\xF7\xBF\xBF\xBF"), false, 0},
	{BYTES("\xF8\x88\x80\x80\x80"), false, 0},
	{BYTES("\xFC\x84\x80\x80\x80\x80"), false, 0},
	{BYTES("\xFE"), false, 0},
	{BYTES("\xFF"), false, 0},
	{BYTES("\xC3"), false, 0},                 /* truncated */
	{BYTES("a\xC3"), false, 0},
	{BYTES("\xE2\x82"), false, 0},
	{BYTES("\xF0\x9F\x98"), false, 0},
	{BYTES("\xC3\x28"), false, 0},
	{BYTES("\xE2\x28\xA1"), false, 0},
	{BYTES("\xE2\x82\x28"), false, 0},
	{BYTES("\xF0\x28\x8C\xBC"), false, 0},
	{BYTES("\xF0\x90\x28\xBC"), false, 0},
	{BYTES("\xF0\x9F\x98\x28"), false, 0},
};

static void test_utf8_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		CHECK(text_utf8_valid(c->s, c->n) == c->valid, "case %zu: want valid=%d", i, c->valid);
		if (c->valid)
			CHECK(text_utf8_len(c->s, c->n) == c->len, "case %zu: len %zu want %zu", i,
			      text_utf8_len(c->s, c->n), c->len);
	}
	/* a valid string cut inside a sequence is invalid */
	static const char four[] = "\xF0\x9D\x84\x9E";
	for (size_t n = 1; n < 4; n++)
		assert_false(text_utf8_valid(four, n));
	/* n, not a NUL, ends the input */
	assert_true(text_utf8_valid("ab\xFF", 2));
}

/* jansson checks UTF-8 strictly; it is the independent oracle for every short
 * byte sequence that JSON allows unescaped in a string. */
static bool jansson_accepts(const unsigned char *s, size_t n)
{
	char doc[16];
	doc[0] = '"';
	memcpy(doc + 1, s, n);
	doc[n + 1] = '"';
	json_t *j = json_loadb(doc, n + 2, JSON_DECODE_ANY, NULL);
	json_decref(j);
	return j != NULL;
}

static void check_oracle(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return;
	bool want = jansson_accepts(s, n);
	if (text_utf8_valid((const char *)s, n) != want)
		fail_msg("%02x %02x %02x %02x (n=%zu): want %d", s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0,
			 n > 3 ? s[3] : 0, n, want);
}

static void test_utf8_against_jansson(void **state)
{
	unsigned char s[4];
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		check_oracle(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			check_oracle(s, 2);
		}
	}
	/* three bytes: every lead that could start one, continuation bytes around 80..BF */
	for (unsigned a = 0xE0; a <= 0xEF; a++)
		for (unsigned b = 0x78; b <= 0xC4; b++)
			for (unsigned c = 0x78; c <= 0xC4; c += 4) {
				s[0] = (unsigned char)a, s[1] = (unsigned char)b, s[2] = (unsigned char)c;
				check_oracle(s, 3);
			}
	for (unsigned a = 0xF0; a <= 0xFF; a++)
		for (unsigned b = 0x78; b <= 0xC4; b++)
			for (unsigned d = 0x7F; d <= 0xC0; d += 0x41 - 0x3F + 0x3E) {
				s[0] = (unsigned char)a, s[1] = (unsigned char)b, s[2] = 0x80, s[3] = (unsigned char)d;
				check_oracle(s, 4);
				s[2] = 0xBF;
				check_oracle(s, 4);
			}
}

/* ---- HTML escaping ---- */

static void test_html_escape(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{BYTES(""), ""},
		{BYTES("plain text"), "plain text"},
		{BYTES("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
		{BYTES("&amp;"), "&amp;amp;"},
		{BYTES("Frysl\xC3\xA2n"), "Frysl\xC3\xA2n"},
		{BYTES("<<>>"), "&lt;&lt;&gt;&gt;"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(buf_puts(&b, "pre:"), 0);
		assert_int_equal(text_html_escape(&b, cases[i].in, cases[i].n), 0);
		CHECK(strncmp(buf_str(&b), "pre:", 4) == 0 && strcmp(buf_str(&b) + 4, cases[i].want) == 0,
		      "case %zu: got [%s]", i, buf_str(&b));
		buf_cleanup(&b);
	}
	struct buf b;
	buf_init(&b, 5);
	assert_int_equal(text_html_escape(&b, "a<b", 3), BUF_TOOBIG);
	buf_cleanup(&b);
	buf_init(&b, 6);
	assert_int_equal(text_html_escape(&b, "a<b", 3), 0);
	assert_string_equal(buf_str(&b), "a&lt;b");
	buf_cleanup(&b);
}

/* ---- sanitiser ---- */

static const char *const allowed_markup[] = {
	"<div>", "<p>", "<ul>", "<ol>", "<li>", "<br>", "</div>", "</p>", "</ul>", "</ol>", "</li>",
};

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Length of a character reference at s, 0 when there is none. */
static size_t ref_len(const char *s)
{
	size_t i = 1;
	if (s[i] == '#') {
		i++;
		bool hex = s[i] == 'x' || s[i] == 'X';
		i += hex;
		size_t start = i;
		while (hex ? (strchr("0123456789abcdefABCDEF", s[i]) && s[i]) : (s[i] >= '0' && s[i] <= '9'))
			i++;
		return i > start && s[i] == ';' ? i + 1 : 0;
	}
	if (!is_alnum(s[i]) || (s[i] >= '0' && s[i] <= '9'))
		return 0;
	while (is_alnum(s[i]))
		i++;
	return s[i] == ';' ? i + 1 : 0;
}

/* What any sanitiser output must be: valid UTF-8 without NUL; markup only the
 * allowed tags with no attributes, properly nested; '>' never bare; '&' only as
 * the start of a character reference; and stable when sanitised again. */
static void check_clean(size_t idx, const char *out, size_t n)
{
	CHECK(strlen(out) == n, "case %zu: NUL in output", idx);
	CHECK(text_utf8_valid(out, n), "case %zu: invalid UTF-8 in output", idx);
	const char *stack[128];
	size_t depth = 0;
	for (size_t i = 0; i < n;) {
		if (out[i] == '<') {
			size_t k;
			for (k = 0; k < ARRAY_LEN(allowed_markup); k++)
				if (strncmp(out + i, allowed_markup[k], strlen(allowed_markup[k])) == 0)
					break;
			CHECK(k < ARRAY_LEN(allowed_markup), "case %zu: bad markup at %zu: %s", idx, i, out + i);
			const char *m = allowed_markup[k];
			if (m[1] == '/') {
				CHECK(depth > 0 && strcmp(stack[depth - 1] + 1, m + 2) == 0, "case %zu: unbalanced %s in %s",
				      idx, m, out);
				depth--;
			} else if (strcmp(m, "<br>") != 0) {
				CHECK(depth < ARRAY_LEN(stack), "case %zu: too deep", idx);
				stack[depth++] = m;
			}
			i += strlen(m);
		} else if (out[i] == '&') {
			size_t r = ref_len(out + i);
			CHECK(r > 0, "case %zu: bare & at %zu: %s", idx, i, out);
			i += r;
		} else {
			CHECK(out[i] != '>', "case %zu: bare > at %zu: %s", idx, i, out);
			i++;
		}
	}
	CHECK(depth == 0, "case %zu: %zu elements left open in %s", idx, depth, out);

	struct buf again;
	buf_init(&again, 0);
	assert_int_equal(text_sanitize_html(out, n, &again), 0);
	CHECK(again.len == n && memcmp(buf_str(&again), out, n) == 0, "case %zu: not stable: [%s] -> [%s]", idx,
	      out, buf_str(&again));
	buf_cleanup(&again);
}

static char *sanitize(const char *in, size_t n, size_t *out_len)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(text_sanitize_html(in, n, &b), 0);
	return buf_release(&b, out_len);
}

struct san_case {
	const char *in;
	size_t n;
	const char *want;
};

static const struct san_case san_cases[] = {
	/* kept markup */
	{BYTES(""), ""},
	{BYTES("plain text"), "plain text"},
	{BYTES("<p>Hallo</p>"), "<p>Hallo</p>"},
	{BYTES("<div><p>a</p><p>b</p></div>"), "<div><p>a</p><p>b</p></div>"},
	{BYTES("<P CLASS=\"x\">a</P>"), "<p>a</p>"},
	{BYTES("<DiV>x</dIv>"), "<div>x</div>"},
	{BYTES("a<br/>b<BR>c<br />d<br class=x>e"), "a<br>b<br>c<br>d<br>e"},
	{BYTES("<br></br>"), "<br>"},
	{BYTES("<ul><li>a<ul><li>b</li></ul></li></ul>"), "<ul><li>a<ul><li>b</li></ul></li></ul>"},
	{BYTES("<ol start=3 type=\"i\"><li value=2>x</li></ol>"), "<ol><li>x</li></ol>"},
	{BYTES("<p\nclass=x\n>a</p\n>"), "<p>a</p>"},
	{BYTES("<p/>x"), "<p>x</p>"},
	/* balancing */
	{BYTES("<p>unclosed"), "<p>unclosed</p>"},
	{BYTES("<li>orphan"), "<li>orphan</li>"},
	{BYTES("</p>stray</div></br></li>"), "stray"},
	{BYTES("<ul><li>a<li>b</ul>"), "<ul><li>a<li>b</li></li></ul>"},
	{BYTES("<div><p>a</div>b</p>"), "<div><p>a</p></div>b"},
	{BYTES("<div><ul><li><p>deep"), "<div><ul><li><p>deep</p></li></ul></div>"},
	/* dropped tags, text kept */
	{BYTES("<b>bold</b> <i>it</i> <span style=\"x\">s</span>"), "bold it s"},
	{BYTES("<a href=\"javascript:alert(1)\">link</a>"), "link"},
	{BYTES("<a href=\"x\" title='<p>'>t</a>"), "t"},
	{BYTES("<A HREF=JaVaScRiPt:alert(1)>x</A>"), "x"},
	{BYTES("<div onclick=\"alert(1)\">x</div>"), "<div>x</div>"},
	{BYTES("<p onmouseover='a>b' style=\"c>d\">q</p>"), "<p>q</p>"},
	{BYTES("<p title=a\"b>q</p>"), "<p>q</p>"},
	{BYTES("<p a\"b=c>q</p>"), "<p>q</p>"},
	{BYTES("<img src=x onerror=alert(1)>pic"), "pic"},
	{BYTES("<IMG SRC=JaVaScRiPt:alert('XSS')>"), ""},
	{BYTES("<img\tsrc=x\nonerror=alert(1)//>after"), "after"},
	{BYTES("<svg/onload=alert(1)>"), ""},
	{BYTES("<body onload=alert(1)>b</body>"), "b"},
	{BYTES("<scriptx>t</scriptx>"), "t"},
	{BYTES("<scr<script>ipt>alert(1)</script>"), "ipt&gt;alert(1)"},
	{BYTES("<scr\0ipt>alert(1)</scr\0ipt>"), "alert(1)"},
	/* dropped with their content */
	{BYTES("<script>alert(1)</script>ok"), "ok"},
	{BYTES("<SCRIPT type=text/javascript>x</ScRiPt >y"), "y"},
	{BYTES("<script>a</scriptx>b</script>c"), "c"},
	{BYTES("<script>if (a</b) {}</script>c"), "c"},
	{BYTES("<script>never closed"), ""},
	{BYTES("<script/src=x>alert(1)</script>z"), "z"},
	{BYTES("<<script>>x</script>"), "&lt;"},
	{BYTES("<style>p{}</style><p>t</p>"), "<p>t</p>"},
	{BYTES("<textarea><p>x</p></textarea>y"), "y"},
	{BYTES("<title>T</title><noscript><p>n</p></noscript><template>tt</template>"
	       "<iframe src=x>i</iframe><object data=x>o</object>ok"), "ok"},
	{BYTES("<iframe src=javascript:alert(1)></iframe>"), ""},
	{BYTES("<script>x</script"), ""},
	{BYTES("<script>x</script foo=\">\">y"), "y"},
	/* comments and other markup */
	{BYTES("a <!-- comment <script> --> b"), "a  b"},
	{BYTES("a <!-- never closed"), "a &lt;!-- never closed"},
	{BYTES("x<!---->y<!-->z<!--->w"), "xyzw"},
	{BYTES("x<!-- a --!>y"), "xy"},
	{BYTES("x<!--<p>-->y"), "xy"},
	{BYTES("<!DOCTYPE html><p>a</p>"), "<p>a</p>"},
	{BYTES("<?xml version=\"1.0\"?>t"), "t"},
	{BYTES("<![CDATA[x]]>y"), "y"},
	{BYTES("<![CDATA[<p>]]>y"), "]]&gt;y"},
	{BYTES("a</>b</ x>c"), "abc"},
	{BYTES("x</"), "x&lt;/"},
	/* '<' and '>' in text, and unclosed tags */
	{BYTES("1 < 2 && 3 > 2"), "1 &lt; 2 &amp;&amp; 3 &gt; 2"},
	{BYTES("a<"), "a&lt;"},
	{BYTES("<>"), "&lt;&gt;"},
	{BYTES("<3 <= 4"), "&lt;3 &lt;= 4"},
	{BYTES("text <b"), "text &lt;b"},
	{BYTES("<img src=x onerror=alert(1)"), "&lt;img src=x onerror=alert(1)"},
	{BYTES("<p title=\"unterminated>x</p>"), "&lt;p title=\"unterminated&gt;x&lt;/p&gt;"},
	{BYTES("<div><p>a<p"), "<div><p>a&lt;p</p></div>"},
	/* character references */
	{BYTES("caf&eacute; &amp; &#233; &#xE9; &#Xe9; &lt;script&gt;"), "caf&eacute; &amp; &#233; &#xE9; &#Xe9; &lt;script&gt;"},
	{BYTES("&copy &amp &"), "&amp;copy &amp;amp &amp;"},
	{BYTES("&#0; &#x110000; &#xD800; &#; &#x; &#xG; &#12a;"),
	 "&amp;#0; &amp;#x110000; &amp;#xD800; &amp;#; &amp;#x; &amp;#xG; &amp;#12a;"},
	{BYTES("&#1114111; &#x10FFFF; &#99999999;"), "&#1114111; &#x10FFFF; &amp;#99999999;"},
	{BYTES("&;&1;&a-b;"), "&amp;;&amp;1;&amp;a-b;"},
	{BYTES("Tom & Jerry"), "Tom &amp; Jerry"},
	{BYTES("&#x3C;script&#x3E;"), "&#x3C;script&#x3E;"},
	/* other characters */
	{BYTES("\"quoted\" 'single' `tick`"), "\"quoted\" 'single' `tick`"},
	{BYTES("bad\xFF" "byte\0nul"), "bad" FFFD "bytenul"},
	{BYTES("\xC3\xA9\xE2\x80\xA8\xF0\x9F\x98\x80"), "\xC3\xA9\xE2\x80\xA8\xF0\x9F\x98\x80"},
	{BYTES("<p>\xC0\xAF</p>"), "<p>" FFFD FFFD "</p>"},
	{BYTES("javascript:alert(1)"), "javascript:alert(1)"},
	{BYTES("<p>Gemeente Noardeast-Frysl\xC3\xA2n</p>"), "<p>Gemeente Noardeast-Frysl\xC3\xA2n</p>"},
};

static void test_sanitize_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(san_cases); i++) {
		const struct san_case *c = &san_cases[i];
		size_t n;
		char *out = sanitize(c->in, c->n, &n);
		CHECK(strcmp(out, c->want) == 0, "case %zu: [%.*s]\n  got  [%s]\n  want [%s]", i, (int)c->n, c->in, out,
		      c->want);
		check_clean(i, out, n);
		free(out);
	}
}

/* A '<' that starts no complete tag is text someone typed: it becomes &lt; and
 * nothing after it is lost (it used to be read as a tag cut off by the end). */
static void test_sanitize_typed_lt(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"a <b c", "a &lt;b c"},
		{"x < y and y <b", "x &lt; y and y &lt;b"},
		{"a<b wordt getoetst", "a&lt;b wordt getoetst"},
		{"if a<b and b<c then a<c", "if a&lt;b and b&lt;c then a&lt;c"},
		{"<p>kosten <b & baten</p", "<p>kosten &lt;b &amp; baten&lt;/p</p>"},
		{"<ul><li>a <li b", "<ul><li>a &lt;li b</li></ul>"},
		{"x </b", "x &lt;/b"},
		{"x </ y", "x &lt;/ y"},
		{"<!DOCTYPE", "&lt;!DOCTYPE"},
		{"zie <? hier", "zie &lt;? hier"},
		{"<p title=\"x>y", "&lt;p title=\"x&gt;y"},
		{"<p>a</p>b <p c", "<p>a</p>b &lt;p c"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n;
		char *out = sanitize(cases[i].in, strlen(cases[i].in), &n);
		CHECK(strcmp(out, cases[i].want) == 0, "typed %zu: [%s]\n  got  [%s]\n  want [%s]", i, cases[i].in, out,
		      cases[i].want);
		check_clean(2000 + i, out, n);
		free(out);
	}
	/* Many cut-off tags in a row: all kept, and read once (not once per '<'). */
	size_t reps = 100000, n;
	char *in = malloc(reps * 3 + 1), *want = malloc(reps * 6 + 1);
	for (size_t i = 0; i < reps; i++) {
		memcpy(in + 3 * i, "<b ", 3);
		memcpy(want + 6 * i, "&lt;b ", 6);
	}
	in[reps * 3] = want[reps * 6] = '\0';
	char *out = sanitize(in, reps * 3, &n);
	assert_int_equal(n, reps * 6);
	assert_string_equal(out, want);
	free(out);
	free(in);
	free(want);
}

/* Field limits count what was typed: a sanitised text's characters, each
 * character reference as one, whatever the bytes. */
static void test_html_len(void **state)
{
	static const struct {
		const char *typed;
		size_t want;
	} cases[] = {
		{"", 0},
		{"plain", 5},
		{"x < y & z > w", 13},
		{"a <b c", 6},
		{"caf\xC3\xA9 \xE2\x82\xAC", 6},
		{"<p>a</p><br>", 12},       /* tags count as written */
		{"&amp; &eacute; &#233; &#xE9;", 7},
		{"&copy x", 7},              /* no ';': a bare '&' typed, and counted once */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n;
		char *out = sanitize(cases[i].typed, strlen(cases[i].typed), &n);
		CHECK(text_html_len(out, n) == cases[i].want, "html_len %zu: [%s] -> [%s] counts %zu, want %zu", i,
		      cases[i].typed, out, text_html_len(out, n), cases[i].want);
		free(out);
	}
	/* 2,400 typed characters of "x < y & " are 2,400, not the 4,500 bytes stored */
	char typed[2401];
	for (size_t i = 0; i < 300; i++)
		memcpy(typed + 8 * i, "x < y & ", 8);
	typed[2400] = '\0';
	size_t n;
	char *out = sanitize(typed, 2400, &n);
	assert_int_equal(n, 4500);
	assert_int_equal(text_html_len(out, n), 2400);
	free(out);
}

/* Inputs where only the safety properties are checked, plus the words that
 * must never reach the output at all. */
struct hostile_case {
	const char *in;
	bool script_dropped;  /* "alert" must not survive even as text */
};

static const struct hostile_case hostile[] = {
	{"<script>alert('xss')</script>", true},
	{"<ScRiPt>alert('xss')</sCrIpT>", true},
	{"<img src=x onerror=alert('xss')>", false},
	{"<img src=\"x\" onerror=\"alert('xss')\"/>", false},
	{"<IMG SRC=\"javascript:alert('xss');\">", false},
	{"<a href=\"jav&#x09;ascript:alert('xss')\">x</a>", false},
	{"<a href='javascript:alert(\"xss\")'>x</a>", false},
	{"<div style=\"background:url(javascript:alert('xss'))\">x</div>", false},
	{"<p onclick=alert('xss')>x</p>", false},
	{"<li onmouseover=\"alert('xss')\">x", false},
	{"<ul><li onfocus=alert('xss') autofocus>x</li></ul>", false},
	{"<iframe src=\"javascript:alert('xss')\"></iframe>", false},
	{"<object data=\"javascript:alert('xss')\"></object>", false},
	{"<embed src=javascript:alert('xss')>", false},
	{"<form action=javascript:alert('xss')><button>x</button></form>", false},
	{"<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')>", true},
	{"<svg><script>alert('xss')</script></svg>", true},
	{"<noscript><p title=\"</noscript><img src=x onerror=alert('xss')>\">", true},
	{"<textarea></textarea><script>alert('xss')</script>", true},
	{"<title><script>alert('xss')</script></title>", true},
	{"<template><script>alert('xss')</script></template>", true},
	{"<style>@import 'javascript:alert(\"xss\")';</style>", true},
	{"<!--<script>alert('xss')</script>-->", true},
	{"<!-- --><script>alert('xss')</script>", true},
	{"<<script>alert('xss');//<</script>", true},
	{"<p/onclick=alert('xss')>x</p>", false},
	{"<div\x0conclick=alert('xss')>x</div>", false},
	{"<br onload=alert('xss')>", false},
	{"<BR SIZE=\"&{alert('xss')}\">", false},
	{"<p style=\"x:expression(alert('xss'))\">x</p>", false},
	{"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss')\">", false},
	{"<base href=\"javascript:alert('xss')//\">", false},
	{"<div><p><ul><li><ol><li>", false},
	{"</div></p></ul>", false},
	{"<script", false},
	{"<script>", false},
	{"<img src=x onerror=alert('xss')//", false},
};

static void test_sanitize_hostile(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
		const char *in = hostile[i].in;
		size_t n;
		char *out = sanitize(in, strlen(in), &n);
		check_clean(1000 + i, out, n);
		/* no attribute survives, so no handler or javascript: URL can be in a tag */
		for (const char *p = out; (p = strchr(p, '<')) != NULL; p++) {
			const char *name = p + 1 + (p[1] == '/');
			const char *after = name + strspn(name, "abcdefghijklmnopqrstuvwxyz");
			CHECK(*after == '>', "hostile %zu: attribute in [%s]", i, out);
		}
		if (hostile[i].script_dropped)
			CHECK(strstr(out, "alert") == NULL, "hostile %zu: script text survived: [%s]", i, out);
		free(out);
	}
}

static uint32_t rng_state = 2463534242u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random soup of HTML fragments: the properties must hold for all of it. */
static void test_sanitize_random(void **state)
{
	static const char *const pieces[] = {
		"<", ">", "</", "/>", "<p", "<P", "<br", "<div", "<li", "<ul", "<ol", "<script", "</script",
		"<style>", "</style>", "<SCRIPT>", "<!--", "-->", "--!>", "<!", "<?", "\"", "'", "=", "&", "#",
		"x", ";", "amp", "#x41;", "#0;", " ", "\t", "\n", "/", "a", "\xC3\xA9", "\xFF", "\xE2\x80",
		"onerror=", "javascript:", "<img", "<a href=", "<textarea>", "</p>", "</div>", "</li>", "<b>",
	};
	char in[512];
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0, count = rng() % 40;
		for (size_t k = 0; k < count; k++) {
			const char *p = pieces[rng() % ARRAY_LEN(pieces)];
			size_t len = strlen(p);
			memcpy(in + n, p, len);
			n += len;
		}
		if (rng() % 8 == 0 && n)
			in[rng() % n] = '\0';
		size_t out_len;
		char *out = sanitize(in, n, &out_len);
		check_clean((size_t)iter, out, out_len);
		free(out);
	}
}

static void test_sanitize_depth_and_size(void **state)
{
	struct buf in;
	buf_init(&in, 0);
	for (int i = 0; i < 200; i++)
		buf_puts(&in, "<div><ul><li>");
	buf_puts(&in, "x");
	size_t n;
	char *out = sanitize(in.data, in.len, &n);
	check_clean(0, out, n);
	assert_non_null(strstr(out, "x"));
	free(out);
	buf_cleanup(&in);

	/* plain text is passed through untouched, whatever its size */
	buf_init(&in, 0);
	for (int i = 0; i < 10000; i++)
		buf_puts(&in, "Gemeente Frysl\xC3\xA2n \"quoted\" ");
	out = sanitize(in.data, in.len, &n);
	assert_int_equal(n, in.len);
	assert_memory_equal(out, in.data, n);
	free(out);
	buf_cleanup(&in);

	struct buf small;
	buf_init(&small, 10);
	assert_int_equal(text_sanitize_html(NULL, 0, &small), 0);
	assert_int_equal(text_html_escape(&small, NULL, 0), 0);
	assert_int_equal(small.len, 0);
	assert_int_equal(text_sanitize_html("<p>0123456789</p>", 17, &small), BUF_TOOBIG);
	buf_cleanup(&small);
	buf_init(&small, 10);
	assert_int_equal(text_sanitize_html("<p>01234</p>", 12, &small), BUF_TOOBIG);
	buf_cleanup(&small);
	buf_init(&small, 12);
	assert_int_equal(text_sanitize_html("<p>01234", 8, &small), 0);
	assert_string_equal(buf_str(&small), "<p>01234</p>");
	buf_cleanup(&small);
}

/* ---- name keys, slugs, trim ---- */

struct key_case {
	const char *in;
	const char *want;
};

static const struct key_case key_cases[] = {
	{"Gemeente Noardeast-Frysl\xC3\xA2n", "gemeentenoardeastfryslan"},
	{"gemeente noardeast fryslan", "gemeentenoardeastfryslan"},
	{"GEMEENTE  NOARDEAST--FRYSLAN ", "gemeentenoardeastfryslan"},
	{"Gemeente Noardeast-Frysla\xCC\x82n", "gemeentenoardeastfryslan"},  /* decomposed a + U+0302 */
	{"Gemeente Bergen (L.)", "gemeentebergenl"},
	{"Gemeente Bergen (L)", "gemeentebergenl"},
	{"Gemeente Bergen (NH.)", "gemeentebergennh"},
	{"Gemeente S\xC3\xBA" "dwest-Frysl\xC3\xA2n", "gemeentesudwestfryslan"},
	{"'s-Hertogenbosch", "shertogenbosch"},
	{"\xE2\x80\x99s-Hertogenbosch", "shertogenbosch"},
	{"IJsselland", "ijsselland"},
	{"\xC4\xB2sselland", "ijsselland"},                      /* U+0132 ligature */
	{"Stra\xC3\x9F" "e", "strasse"},
	{"\xC5\x92uvre", "oeuvre"},
	{"\xC3\x86r\xC3\xB8", "aero"},
	{"\xC5\x81\xC3\xB3" "d\xC5\xBA", "lodz"},
	{"Dvo\xC5\x99\xC3\xA1k", "dvorak"},
	{"na\xC3\xAFve caf\xC3\xA9", "naivecafe"},
	{"\xC3\x80\xC3\x81\xC3\x82\xC3\x83\xC3\x84\xC3\x85", "aaaaaa"},
	{"\xC3\xBF\xC5\xB8\xC5\xBF", "yys"},
	{"\xC3\x9E" "orn", "thorn"},
	{"A\xE2\x80\x93" "B\xE2\x80\x94" "C", "abc"},             /* en and em dash */
	{"a\xC2\xA0" "b", "ab"},                                   /* no-break space */
	{"2 \xC3\x97 3 \xC3\xB7 1", "231"},
	{"1e Kamer", "1ekamer"},
	{"a\xFF" "b\xC3", "ab"},                                   /* invalid bytes */
	{"\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1"},  /* kept */
	{"!@#$%^&*()", ""},
	{"", ""},
};

static void test_name_key(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(key_cases); i++) {
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(buf_puts(&b, "k:"), 0);
		assert_int_equal(text_name_key(&b, key_cases[i].in), 0);
		CHECK(strcmp(buf_str(&b) + 2, key_cases[i].want) == 0, "case %zu [%s]: got [%s] want [%s]", i,
		      key_cases[i].in, buf_str(&b) + 2, key_cases[i].want);
		buf_cleanup(&b);
	}
	struct buf b;
	buf_init(&b, 3);
	assert_int_equal(text_name_key(&b, "abcd"), BUF_TOOBIG);
	buf_cleanup(&b);
}

/* Every letter of U+00C0..U+017F folds to ASCII letters. */
static void test_fold_range(void **state)
{
	for (unsigned cp = 0xC0; cp < 0x180; cp++) {
		char s[3] = {(char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F)), 0};
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(text_name_key(&b, s), 0);
		if (cp == 0xD7 || cp == 0xF7) {
			CHECK(b.len == 0, "U+%04X: got [%s]", cp, buf_str(&b));
		} else {
			CHECK(b.len >= 1 && b.len <= 2, "U+%04X: got [%s]", cp, buf_str(&b));
			for (size_t k = 0; k < b.len; k++)
				CHECK(b.data[k] >= 'a' && b.data[k] <= 'z', "U+%04X: got [%s]", cp, buf_str(&b));
		}
		buf_cleanup(&b);
	}
}

struct slug_case {
	const char *in;
	size_t maxlen;
	const char *want;
};

static const struct slug_case slug_cases[] = {
	{"Gemeente Noardeast-Frysl\xC3\xA2n", 0, "gemeente-noardeast-fryslan"},
	{"  Hello,   World!  ", 0, "hello-world"},
	{"Gemeente Bergen (L.)", 0, "gemeente-bergen-l"},
	{"'s-Hertogenbosch", 0, "s-hertogenbosch"},
	{"Children's Zoo", 0, "childrens-zoo"},
	{"Children\xE2\x80\x99s Zoo", 0, "childrens-zoo"},
	{"Frysla\xCC\x82n", 0, "fryslan"},
	{"Actonomy\xE2\x80\x91platform", 0, "actonomy-platform"},
	{"Stra\xC3\x9F" "e 12", 0, "strasse-12"},
	{"\xC3\x86r\xC3\xB8 2024", 0, "aero-2024"},
	{"A\xE2\x80\x93" "B", 0, "a-b"},
	{"x\xFFy", 0, "x-y"},
	{"\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1 x", 0, "x"},
	{"!!!", 0, "org"},
	{"", 0, "org"},
	{"\xE6\x97\xA5\xE6\x9C\xAC", 0, "org"},
	{"abc def ghi", 11, "abc-def-ghi"},
	{"abc def ghi", 7, "abc-def"},       /* cut exactly at a boundary */
	{"abc def ghi", 8, "abc-def"},
	{"abc def ghi", 10, "abc-def"},
	{"abc def ghi", 6, "abc"},
	{"abc def ghi", 3, "abc"},
	{"abc def ghi", 4, "abc"},
	{"abcdefghij", 4, "abcd"},           /* no boundary: hard cut */
	{"abcdefghij klm", 12, "abcdefghij"},
	{"a", 1, "a"},
	{"ab cd", 1, "a"},
	{"!!", 2, "or"},
	{"\xC3\x86r", 1, "a"},
};

static void test_slug(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(slug_cases); i++) {
		const struct slug_case *c = &slug_cases[i];
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(text_slug(&b, c->in, c->maxlen), 0);
		const char *got = buf_str(&b);
		CHECK(strcmp(got, c->want) == 0, "case %zu [%s] max %zu: got [%s] want [%s]", i, c->in, c->maxlen, got,
		      c->want);
		CHECK(b.len > 0 && (c->maxlen == 0 || b.len <= c->maxlen), "case %zu: length %zu", i, b.len);
		CHECK(got[0] != '-' && got[b.len - 1] != '-' && !strstr(got, "--"), "case %zu: dashes [%s]", i, got);
		CHECK(strspn(got, "abcdefghijklmnopqrstuvwxyz0123456789-") == b.len, "case %zu: chars [%s]", i, got);
		buf_cleanup(&b);
	}
}

static void test_trim(void **state)
{
	static const struct key_case cases[] = {
		{"  a b  ", "a b"},
		{"\t\n x\r\n", "x"},
		{"\va\f", "a"},
		{"abc", "abc"},
		{"", ""},
		{"   ", ""},
		{"\xC2\xA0" "a", "\xC2\xA0" "a"},   /* only ASCII whitespace */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = xstrdup(cases[i].in);
		char *r = text_trim(s);
		assert_ptr_equal(r, s);
		CHECK(strcmp(s, cases[i].want) == 0, "case %zu: got [%s]", i, s);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_table),
		cmocka_unit_test(test_utf8_against_jansson),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_typed_lt),
		cmocka_unit_test(test_html_len),
		cmocka_unit_test(test_sanitize_hostile),
		cmocka_unit_test(test_sanitize_random),
		cmocka_unit_test(test_sanitize_depth_and_size),
		cmocka_unit_test(test_name_key),
		cmocka_unit_test(test_fold_range),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
