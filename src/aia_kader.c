/* aia_kader.c - Algoritmekader requirements and measures: loading, validation,
 * and the requirements that apply to a profile. The semantics follow the
 * Algoritmekader's own site (docs/algoritmekader.md gives the reading). */
#include "aia_kader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "embedded.h"
#include "util.h"

#define INDEX_PATH "rules/algoritmekader/index.json"
#define PACK_PATH "rules/algoritmekader/pack.json"

/* Bounds on the data: far above the 63 requirements and 108 measures of
 * 2026, low enough that a runaway file is refused rather than loaded. */
#define MAX_ITEMS 5000
#define MAX_LIST 200
/* Bounds on one uitzondering expression; the real ones are ~200 bytes, depth 1. */
#define EXPR_MAX_LEN 1024
#define EXPR_MAX_DEPTH 16
#define LABEL_MAX 96

#define MAX_VALUES 5

/* The vocabulary of the front matter (the values the Algoritmekader's own
 * validation script accepts), with the AI Act engine's spelling of each value
 * (the Beslishulp's labels) as an alias. A value's index is its bit in a filter. */
struct value {
	const char *slug;
	const char *alias;
};

static const struct facet_def {
	const char *key;    /* front-matter key, also the label prefix in expressions */
	const char *input;  /* key in the facets JSON */
	unsigned n;
	struct value v[MAX_VALUES];
} facets[AIA_KADER_NFACETS] = {
	[AIA_KADER_SOORT] = {"soort-toepassing", "type", 3,
			     {{"ai-systeem", "AI-systeem"},
			      {"ai-systeem-voor-algemene-doeleinden", "AI-systeem voor algemene doeleinden"},
			      {"ai-model-voor-algemene-doeleinden", "AI-model voor algemene doeleinden"}}},
	[AIA_KADER_RISICO] = {"risicogroep", "risk_group", 5,
			      {{"verboden-ai", "verboden AI"},
			       {"hoog-risico-ai-systeem", "hoog-risico AI"},
			       {"geen-hoog-risico-ai-systeem", "geen hoog-risico AI"},
			       {"uitzondering-van-toepassing", "uitzondering van toepassing"},
			       {"niet-van-toepassing", "niet van toepassing"}}},
	[AIA_KADER_ROL] = {"rol-ai-act", "roles", 4,
			   {{"aanbieder", NULL},
			    {"gebruiksverantwoordelijke", NULL},
			    {"importeur", NULL},
			    {"distributeur", NULL}}},
	[AIA_KADER_TRANSP] = {"transparantieverplichting", "transparency", 3,
			      {{"transparantieverplichting", NULL},
			       {"geen-transparantieverplichting", "geen transparantieverplichting"},
			       {"niet-van-toepassing", "niet van toepassing"}}},
	[AIA_KADER_SYSRISK] = {"systeemrisico", "systemic_risk", 3,
			       {{"systeemrisico", NULL},
				{"geen-systeemrisico", "geen systeemrisico"},
				{"niet-van-toepassing", "niet van toepassing"}}},
	[AIA_KADER_OPENSRC] = {"open-source", "open_source", 3,
			       {{"open-source", NULL},
				{"geen-open-source", "geen open-source"},
				{"niet-van-toepassing", "niet van toepassing"}}},
};

const char *aia_kader_facet_key(enum aia_kader_facet f)
{
	return (unsigned)f < AIA_KADER_NFACETS ? facets[f].key : NULL;
}

const char *aia_kader_value(enum aia_kader_facet f, unsigned i)
{
	return (unsigned)f < AIA_KADER_NFACETS && i < facets[f].n ? facets[f].v[i].slug : NULL;
}

static int value_index(enum aia_kader_facet f, const char *s, bool aliases)
{
	for (unsigned i = 0; i < facets[f].n; i++)
		if (!strcmp(s, facets[f].v[i].slug) || (aliases && facets[f].v[i].alias && !strcmp(s, facets[f].v[i].alias)))
			return (int)i;
	return -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- profile as filter bits ------------------------------------------------ */

/* What the expressions and filters see: per facet the values the profile has,
 * and whether it gives the facet at all. */
struct prof {
	uint8_t mask[AIA_KADER_NFACETS];
	bool given[AIA_KADER_NFACETS];
};

static void prof_tri(struct prof *p, enum aia_kader_facet f, enum aia_kader_tri v)
{
	/* enum aia_kader_tri is YES, NO, NA in the order of the vocabulary. */
	if (v >= AIA_KADER_YES && v <= AIA_KADER_NA) {
		p->given[f] = true;
		p->mask[f] = (uint8_t)(1u << (v - AIA_KADER_YES));
	}
}

static void prof_init(struct prof *p, const struct aia_kader_facets *f)
{
	memset(p, 0, sizeof *p);
	switch (f->type) {
	case AIA_KADER_TYPE_AI_SYSTEM:
	case AIA_KADER_TYPE_GPAI_SYSTEM:
	case AIA_KADER_TYPE_GPAI_MODEL:
		p->given[AIA_KADER_SOORT] = true;
		p->mask[AIA_KADER_SOORT] = (uint8_t)(1u << (f->type - AIA_KADER_TYPE_AI_SYSTEM));
		break;
	case AIA_KADER_TYPE_ALGORITHM:
	case AIA_KADER_TYPE_NOT_ALGORITHM:
		/* Known, and none of the soort-toepassing values: every AI Act filter fails. */
		p->given[AIA_KADER_SOORT] = true;
		break;
	default:
		break;
	}
	if (f->risk_group >= AIA_KADER_RISK_PROHIBITED && f->risk_group <= AIA_KADER_RISK_NA) {
		p->given[AIA_KADER_RISICO] = true;
		p->mask[AIA_KADER_RISICO] = (uint8_t)(1u << (f->risk_group - AIA_KADER_RISK_PROHIBITED));
	}
	if (f->roles & 0xFu) {
		p->given[AIA_KADER_ROL] = true;
		p->mask[AIA_KADER_ROL] = (uint8_t)(f->roles & 0xFu);
	}
	prof_tri(p, AIA_KADER_TRANSP, f->transparency);
	prof_tri(p, AIA_KADER_SYSRISK, f->systemic_risk);
	prof_tri(p, AIA_KADER_OPENSRC, f->open_source);
}

/* ---- uitzondering expressions -----------------------------------------------
 *
 * The Algoritmekader writes them as labels "<facet key>-<value>", bare or in
 * double quotes, combined with !, &&, || and parentheses (JavaScript precedence:
 * ! over && over ||). A label is true when the profile gives that facet with
 * that value. A bounded recursive-descent parser evaluates while parsing, without
 * short-circuit, so one pass also validates the whole expression. */

struct ex {
	const char *s;
	size_t len, pos;
	int depth;
	const struct prof *p;
	char *err;
	size_t errlen;
	bool bad;
};

static bool ex_or(struct ex *x);

static bool ex_fail(struct ex *x, const char *cause)
{
	if (!x->bad)
		fail(x->err, x->errlen, "byte %zu: %s", x->pos + 1, cause);
	x->bad = true;
	return false;
}

static void ex_space(struct ex *x)
{
	while (x->pos < x->len && (x->s[x->pos] == ' ' || x->s[x->pos] == '\t' || x->s[x->pos] == '\n' ||
				   x->s[x->pos] == '\r'))
		x->pos++;
}

static bool bare_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Looks label s[start..end) up in the vocabulary - the facet key, a '-', a value
 * slug - and tells whether the profile has it. */
static bool ex_label(struct ex *x, size_t start, size_t end)
{
	const char *label = x->s + start;
	size_t n = end - start;
	for (unsigned f = 0; f < AIA_KADER_NFACETS; f++) {
		size_t kl = strlen(facets[f].key);
		if (n <= kl + 1 || memcmp(label, facets[f].key, kl) || label[kl] != '-')
			continue;
		for (unsigned i = 0; i < facets[f].n; i++) {
			const char *v = facets[f].v[i].slug;
			if (strlen(v) == n - kl - 1 && !memcmp(label + kl + 1, v, n - kl - 1))
				return x->p->given[f] && (x->p->mask[f] & (1u << i));
		}
	}
	char msg[LABEL_MAX + 32];
	snprintf(msg, sizeof msg, "unknown label '%.*s'", (int)n, label);
	x->pos = start;
	return ex_fail(x, msg);
}

static bool ex_primary(struct ex *x)
{
	ex_space(x);
	if (x->pos >= x->len)
		return ex_fail(x, "unexpected end");
	char c = x->s[x->pos];
	if (c == '(') {
		if (++x->depth > EXPR_MAX_DEPTH)
			return ex_fail(x, "nested too deeply");
		x->pos++;
		bool v = ex_or(x);
		ex_space(x);
		if (x->bad)
			return false;
		if (x->pos >= x->len || x->s[x->pos] != ')')
			return ex_fail(x, "expected ')'");
		x->pos++;
		x->depth--;
		return v;
	}
	size_t start, end;
	if (c == '"') {
		start = ++x->pos;
		while (x->pos < x->len && x->s[x->pos] != '"') {
			if (!bare_char(x->s[x->pos]))
				return ex_fail(x, "a label holds only a-z, 0-9 and '-'");
			x->pos++;
		}
		if (x->pos >= x->len)
			return ex_fail(x, "unterminated string");
		end = x->pos++;
	} else if (bare_char(c)) {
		start = x->pos;
		while (x->pos < x->len && bare_char(x->s[x->pos]))
			x->pos++;
		end = x->pos;
	} else {
		return ex_fail(x, "expected a label, '(' or '!'");
	}
	if (end == start)
		return ex_fail(x, "empty label");
	if (end - start > LABEL_MAX)
		return ex_fail(x, "label too long");
	return ex_label(x, start, end);
}

static bool ex_unary(struct ex *x)
{
	ex_space(x);
	if (x->pos < x->len && x->s[x->pos] == '!') {
		if (++x->depth > EXPR_MAX_DEPTH)
			return ex_fail(x, "nested too deeply");
		x->pos++;
		bool v = !ex_unary(x);
		x->depth--;
		return v;
	}
	return ex_primary(x);
}

static bool ex_op(struct ex *x, char c)
{
	ex_space(x);
	if (x->pos + 1 < x->len && x->s[x->pos] == c && x->s[x->pos + 1] == c) {
		x->pos += 2;
		return true;
	}
	return false;
}

static bool ex_and(struct ex *x)
{
	bool v = ex_unary(x);
	while (!x->bad && ex_op(x, '&'))
		v = ex_unary(x) && v;
	return v;
}

static bool ex_or(struct ex *x)
{
	bool v = ex_and(x);
	while (!x->bad && ex_op(x, '|'))
		v = ex_and(x) || v;
	return v;
}

static int expr_eval(const char *s, const struct prof *p, char *err, size_t errlen)
{
	struct ex x = {.s = s, .len = strlen(s), .p = p, .err = err, .errlen = errlen};
	if (x.len > EXPR_MAX_LEN)
		return fail(err, errlen, "longer than %d bytes", EXPR_MAX_LEN);
	bool v = ex_or(&x);
	ex_space(&x);
	if (!x.bad && x.pos < x.len)
		ex_fail(&x, "unexpected text after the expression");
	return x.bad ? -1 : v;
}

int aia_kader_expr_eval(const char *expr, const struct aia_kader_facets *f, char *err, size_t errlen)
{
	struct prof p;
	prof_init(&p, f);
	return expr_eval(expr, &p, err, errlen);
}

/* ---- loading ---------------------------------------------------------------- */

static void req_cleanup(struct aia_kader_req *r)
{
	free(r->urn);
	free(r->title);
	free(r->slug);
	for (size_t j = 0; j < r->nexcept; j++)
		free(r->except[j]);
	free(r->except);
	free(r->measures);
}

static void measure_cleanup(struct aia_kader_measure *m)
{
	free(m->urn);
	free(m->title);
	free(m->slug);
	free(m->reqs);
}

void aia_kader_free(struct aia_kader *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nreqs; i++)
		req_cleanup(&k->reqs[i]);
	for (size_t i = 0; i < k->nmeasures; i++)
		measure_cleanup(&k->measures[i]);
	for (size_t i = 0; i < k->nwarnings; i++)
		free(k->warnings[i]);
	free(k->warnings);
	free(k->reqs);
	free(k->measures);
	free(k->repository);
	free(k->commit);
	free(k->content_commit);
	free(k->aa_repository);
	free(k->aa_commit);
	free(k);
}

static void warn(struct aia_kader *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct aia_kader *k, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	k->warnings = xrealloc(k->warnings, (k->nwarnings + 1) * sizeof *k->warnings);
	k->warnings[k->nwarnings++] = xstrdup(msg);
}

static json_t *parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		fail(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	else if (!json_is_object(root)) {
		fail(err, errlen, "%s: not a JSON object", name);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* A non-empty string member, or NULL. */
static const char *str_member(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s && *s ? s : NULL;
}

static bool is_commit(const char *s)
{
	if (!s || strlen(s) != 40)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* "dir/<slug>.md" -> slug (malloc'd), or NULL. */
static char *slug_of(const char *file, const char *dir)
{
	size_t dl = strlen(dir), n = file ? strlen(file) : 0;
	if (n <= dl + 3 || strncmp(file, dir, dl) || strcmp(file + n - 3, ".md"))
		return NULL;
	const char *s = file + dl;
	for (const char *p = s; p < file + n - 3; p++)
		if (*p == '/' || (unsigned char)*p < 0x21)
			return NULL;
	return xstrndup(s, n - dl - 3);
}

static bool urn_ok(const char *urn, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (!urn || strncmp(urn, prefix, pl) || !urn[pl])
		return false;
	for (const char *p = urn + pl; *p; p++)
		if (!bare_char(*p))
			return false;
	return true;
}

static int load_pack(struct aia_kader *k, const char *name, const json_t *pack, char *err, size_t errlen)
{
	const json_t *src = json_object_get(pack, "source");
	const char *repo = str_member(src, "repository"), *commit = str_member(src, "commit"),
		   *content = str_member(src, "content_commit");
	if (!repo)
		return fail(err, errlen, "%s: source.repository: missing", name);
	if (!is_commit(commit))
		return fail(err, errlen, "%s: source.commit: missing or not a 40-digit commit", name);
	if (content && !is_commit(content))
		return fail(err, errlen, "%s: source.content_commit: not a 40-digit commit", name);
	k->repository = xstrdup(repo);
	k->commit = xstrdup(commit);
	k->content_commit = content ? xstrdup(content) : NULL;

	const json_t *aa = json_object_get(pack, "always_applicable");
	if (aa) {
		const json_t *asrc = json_object_get(aa, "source");
		repo = str_member(asrc, "repository");
		commit = str_member(asrc, "commit");
		if (!repo || !is_commit(commit))
			return fail(err, errlen, "%s: always_applicable.source: repository and commit required", name);
		k->aa_repository = xstrdup(repo);
		k->aa_commit = xstrdup(commit);
		if (!json_is_array(json_object_get(aa, "requirements")))
			return fail(err, errlen, "%s: always_applicable.requirements: not an array", name);
	}
	const json_t *kd = json_object_get(pack, "known_dangling");
	if (kd) {
		const json_t *links = json_object_get(kd, "links"), *l;
		size_t i;
		if (!json_is_array(links))
			return fail(err, errlen, "%s: known_dangling.links: not an array", name);
		json_array_foreach(links, i, l)
			if (!str_member(l, "measure") || !str_member(l, "vereiste"))
				return fail(err, errlen, "%s: known_dangling.links[%zu]: measure and vereiste required",
					    name, i);
	}
	return 0;
}

static struct aia_kader_req *req_by_slug(struct aia_kader *k, const char *slug)
{
	for (size_t i = 0; i < k->nreqs; i++)
		if (!strcmp(k->reqs[i].slug, slug))
			return &k->reqs[i];
	return NULL;
}

const struct aia_kader_req *aia_kader_req_find(const struct aia_kader *k, const char *urn)
{
	for (size_t i = 0; k && urn && i < k->nreqs; i++)
		if (!strcmp(k->reqs[i].urn, urn))
			return &k->reqs[i];
	return NULL;
}

const struct aia_kader_measure *aia_kader_measure_find(const struct aia_kader *k, const char *urn)
{
	for (size_t i = 0; k && urn && i < k->nmeasures; i++)
		if (!strcmp(k->measures[i].urn, urn))
			return &k->measures[i];
	return NULL;
}

static int load_req(struct aia_kader *k, const char *name, size_t i, const json_t *v, char *err, size_t errlen)
{
	struct aia_kader_req *r = &k->reqs[i];
	if (!json_is_object(v))
		return fail(err, errlen, "%s: vereisten[%zu]: not an object", name, i);
	const char *id = str_member(v, "id");
	if (!id)
		return fail(err, errlen, "%s: vereisten[%zu]: missing id", name, i);
	if (!urn_ok(id, "urn:nl:ak:ver:"))
		return fail(err, errlen, "%s: vereisten[%zu]: id '%s' is not a urn:nl:ak:ver: URN", name, i, id);
	if (aia_kader_req_find(k, id))
		return fail(err, errlen, "%s: vereisten[%zu] (%s): duplicate id", name, i, id);
	const char *title = str_member(v, "title");
	if (!title)
		return fail(err, errlen, "%s: vereisten[%zu] (%s): missing title", name, i, id);
	char *slug = slug_of(str_member(v, "file"), "vereisten/");
	if (!slug)
		return fail(err, errlen, "%s: vereisten[%zu] (%s): file: missing or not vereisten/NAME.md", name, i, id);
	if (req_by_slug(k, slug)) {
		fail(err, errlen, "%s: vereisten[%zu] (%s): file: duplicate name '%s'", name, i, id, slug);
		free(slug);
		return -1;
	}
	r->urn = xstrdup(id);
	r->title = xstrdup(title);
	r->slug = slug;
	r->version = k->commit;

	for (unsigned f = 0; f < AIA_KADER_NFACETS; f++) {
		const json_t *arr = json_object_get(v, facets[f].key);
		if (!arr || json_is_null(arr))
			continue;
		if (!json_is_array(arr) || json_array_size(arr) > MAX_LIST)
			return fail(err, errlen, "%s: vereisten[%zu] (%s): %s: not a list", name, i, id, facets[f].key);
		size_t j;
		const json_t *e;
		json_array_foreach(arr, j, e) {
			const char *s = json_string_value(e);
			int vi = s ? value_index(f, s, false) : -1;
			if (vi < 0)
				return fail(err, errlen, "%s: vereisten[%zu] (%s): %s: unknown value '%s'", name, i, id,
					    facets[f].key, s ? s : "(not a string)");
			r->filter[f] |= (uint8_t)(1u << vi);
		}
	}

	const json_t *ex = json_object_get(v, "uitzondering");
	if (ex && !json_is_null(ex)) {
		if (!json_is_array(ex) || json_array_size(ex) > MAX_LIST)
			return fail(err, errlen, "%s: vereisten[%zu] (%s): uitzondering: not a list", name, i, id);
		r->except = xcalloc(json_array_size(ex), sizeof *r->except);
		size_t j;
		const json_t *e;
		json_array_foreach(ex, j, e) {
			const char *s = json_string_value(e);
			if (!s)
				return fail(err, errlen, "%s: vereisten[%zu] (%s): uitzondering[%zu]: not a string", name, i,
					    id, j);
			/* Evaluating against an empty profile checks syntax and labels. */
			struct prof none;
			memset(&none, 0, sizeof none);
			char why[160];
			if (expr_eval(s, &none, why, sizeof why) < 0)
				return fail(err, errlen, "%s: vereisten[%zu] (%s): uitzondering[%zu]: %s", name, i, id, j,
					    why);
			r->except[r->nexcept++] = xstrdup(s);
		}
	}
	return 0;
}

/* Is measure urn -> slug listed in pack.json as a reviewed dangling link? Marks it used. */
static bool known_dangling(const json_t *links, bool *used, const char *urn, const char *slug)
{
	size_t i;
	const json_t *l;
	json_array_foreach(links, i, l) {
		const char *m = json_string_value(json_object_get(l, "measure"));
		const char *v = json_string_value(json_object_get(l, "vereiste"));
		if (m && v && !strcmp(m, urn) && !strcmp(v, slug)) {
			used[i] = true;
			return true;
		}
	}
	return false;
}

static int load_measure(struct aia_kader *k, const char *name, size_t i, const json_t *v, const json_t *dangling,
			bool *used, char *err, size_t errlen)
{
	struct aia_kader_measure *m = &k->measures[i];
	if (!json_is_object(v))
		return fail(err, errlen, "%s: maatregelen[%zu]: not an object", name, i);
	const char *id = str_member(v, "id");
	if (!id)
		return fail(err, errlen, "%s: maatregelen[%zu]: missing id", name, i);
	if (!urn_ok(id, "urn:nl:ak:mtr:"))
		return fail(err, errlen, "%s: maatregelen[%zu]: id '%s' is not a urn:nl:ak:mtr: URN", name, i, id);
	if (aia_kader_measure_find(k, id))
		return fail(err, errlen, "%s: maatregelen[%zu] (%s): duplicate id", name, i, id);
	const char *title = str_member(v, "title");
	if (!title)
		return fail(err, errlen, "%s: maatregelen[%zu] (%s): missing title", name, i, id);
	char *slug = slug_of(str_member(v, "file"), "maatregelen/");
	if (!slug)
		return fail(err, errlen, "%s: maatregelen[%zu] (%s): file: missing or not maatregelen/NAME.md", name, i,
			    id);
	m->urn = xstrdup(id);
	m->title = xstrdup(title);
	m->slug = slug;
	m->version = k->commit;

	/* 15 measures of 2026 have "vereiste: null": they serve no requirement. */
	const json_t *vs = json_object_get(v, "vereiste");
	if (!vs || json_is_null(vs))
		return 0;
	if (!json_is_array(vs) || json_array_size(vs) > MAX_LIST)
		return fail(err, errlen, "%s: maatregelen[%zu] (%s): vereiste: not a list", name, i, id);
	m->reqs = xcalloc(json_array_size(vs), sizeof *m->reqs);
	size_t j;
	const json_t *e;
	json_array_foreach(vs, j, e) {
		const char *s = json_string_value(e);
		if (!s || !*s)
			return fail(err, errlen, "%s: maatregelen[%zu] (%s): vereiste[%zu]: not a name", name, i, id, j);
		const struct aia_kader_req *r = req_by_slug(k, s);
		if (!r) {
			if (!dangling || !known_dangling(dangling, used, id, s))
				return fail(err, errlen, "%s: maatregelen[%zu] (%s): vereiste '%s' names no requirement",
					    name, i, id, s);
			warn(k, "%s: vereiste '%s' names no requirement (known, see pack.json; not linked)", id, s);
			continue;
		}
		bool dup = false;
		for (size_t d = 0; d < m->nreqs; d++)
			dup |= m->reqs[d] == r;
		if (dup) {
			warn(k, "%s: vereiste '%s' listed twice (counted once)", id, s);
			continue;
		}
		m->reqs[m->nreqs++] = r;
		k->nlinks++;
	}
	return 0;
}

/* Each requirement gets the measures that name it, in index order. */
static void link_back(struct aia_kader *k)
{
	for (size_t i = 0; i < k->nmeasures; i++)
		for (size_t j = 0; j < k->measures[i].nreqs; j++)
			((struct aia_kader_req *)k->measures[i].reqs[j])->nmeasures++;
	for (size_t i = 0; i < k->nreqs; i++) {
		k->reqs[i].measures = xcalloc(k->reqs[i].nmeasures, sizeof *k->reqs[i].measures);
		k->reqs[i].nmeasures = 0;
	}
	for (size_t i = 0; i < k->nmeasures; i++)
		for (size_t j = 0; j < k->measures[i].nreqs; j++) {
			struct aia_kader_req *r = (struct aia_kader_req *)k->measures[i].reqs[j];
			r->measures[r->nmeasures++] = &k->measures[i];
		}
}

int aia_kader_load(const char *name_index, const char *index_json, size_t index_len, const char *name_pack,
		   const char *pack_json, size_t pack_len, struct aia_kader **out, char *err, size_t errlen)
{
	int rc = -1;
	bool *used = NULL;
	json_t *pack = NULL, *index = NULL;
	struct aia_kader *k = xcalloc(1, sizeof *k);
	*out = NULL;

	if (!(pack = parse(name_pack, pack_json, pack_len, err, errlen)) ||
	    !(index = parse(name_index, index_json, index_len, err, errlen)))
		goto out;
	if (load_pack(k, name_pack, pack, err, errlen))
		goto out;

	const json_t *reqs = json_object_get(index, "vereisten"), *meas = json_object_get(index, "maatregelen");
	if (!json_is_array(reqs) || !json_is_array(meas)) {
		fail(err, errlen, "%s: vereisten and maatregelen must be lists", name_index);
		goto out;
	}
	if (json_array_size(reqs) > MAX_ITEMS || json_array_size(meas) > MAX_ITEMS) {
		fail(err, errlen, "%s: more than %d vereisten or maatregelen", name_index, MAX_ITEMS);
		goto out;
	}

	k->reqs = xcalloc(json_array_size(reqs), sizeof *k->reqs);
	size_t i;
	const json_t *v;
	json_array_foreach(reqs, i, v) {
		/* k->nreqs counts finished entries only, so lookups during loading never
		 * see a half-built one; a failed entry is freed here. */
		if (load_req(k, name_index, i, v, err, errlen)) {
			req_cleanup(&k->reqs[i]);
			goto out;
		}
		k->nreqs = i + 1;
	}

	const json_t *aa = json_object_get(json_object_get(pack, "always_applicable"), "requirements");
	json_array_foreach(aa, i, v) {
		const char *urn = json_string_value(v);
		struct aia_kader_req *r = (struct aia_kader_req *)aia_kader_req_find(k, urn);
		if (!r) {
			fail(err, errlen, "%s: always_applicable.requirements[%zu]: '%s' is not a requirement in %s",
			     name_pack, i, urn ? urn : "(not a string)", name_index);
			goto out;
		}
		r->always = true;
	}

	const json_t *dangling = json_object_get(json_object_get(pack, "known_dangling"), "links");
	used = xcalloc(json_array_size(dangling) + 1, sizeof *used);
	k->measures = xcalloc(json_array_size(meas), sizeof *k->measures);
	json_array_foreach(meas, i, v) {
		if (load_measure(k, name_index, i, v, dangling, used, err, errlen)) {
			measure_cleanup(&k->measures[i]);
			goto out;
		}
		k->nmeasures = i + 1;
	}
	/* A reviewed link that no longer dangles means the list is stale: whoever
	 * updates the data must look at it again. */
	json_array_foreach(dangling, i, v) {
		if (!used[i]) {
			fail(err, errlen, "%s: known_dangling.links[%zu]: %s -> '%s' does not dangle in %s (remove it)",
			     name_pack, i, json_string_value(json_object_get(v, "measure")),
			     json_string_value(json_object_get(v, "vereiste")), name_index);
			goto out;
		}
	}
	link_back(k);
	*out = k;
	k = NULL;
	rc = 0;
out:
	free(used);
	json_decref(pack);
	json_decref(index);
	aia_kader_free(k);
	return rc;
}

int aia_kader_load_embedded(struct aia_kader **out, char *err, size_t errlen)
{
	const struct embedded_file *ix = embedded_find(INDEX_PATH), *pk = embedded_find(PACK_PATH);
	*out = NULL;
	if (!ix || !pk)
		return fail(err, errlen, "%s: not embedded in this binary", ix ? PACK_PATH : INDEX_PATH);
	return aia_kader_load(INDEX_PATH, ix->data, ix->len, PACK_PATH, pk->data, pk->len, out, err, errlen);
}

/* ---- facets from JSON --------------------------------------------------------- */

static const struct {
	const char *name;
	enum aia_kader_type type;
} type_names[] = {
	{"none", AIA_KADER_TYPE_ALGORITHM},
	{"impactvol algoritme", AIA_KADER_TYPE_ALGORITHM},
	{"niet-impactvol algoritme", AIA_KADER_TYPE_ALGORITHM},
	{"geen algoritme", AIA_KADER_TYPE_NOT_ALGORITHM},
	{"geen-algoritme", AIA_KADER_TYPE_NOT_ALGORITHM},
};

static int tri_from_json(const json_t *v, enum aia_kader_facet f, enum aia_kader_tri *out, char *err, size_t errlen)
{
	if (!v || json_is_null(v)) {
		*out = AIA_KADER_UNSET;
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v) ? AIA_KADER_YES : AIA_KADER_NO;
		return 0;
	}
	const char *s = json_string_value(v);
	int i = s ? value_index(f, s, true) : -1;
	if (i < 0)
		return fail(err, errlen, "%s: %s '%s'", facets[f].input, s ? "unknown value" : "not a string or boolean",
			    s ? s : "");
	*out = (enum aia_kader_tri)(AIA_KADER_YES + i);
	return 0;
}

int aia_kader_facets_from_json(const json_t *obj, struct aia_kader_facets *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(obj))
		return fail(err, errlen, "facets: not a JSON object");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool known = false;
		for (unsigned f = 0; f < AIA_KADER_NFACETS; f++)
			known |= !strcmp(key, facets[f].input);
		if (!known)
			return fail(err, errlen, "%s: unknown field", key);
	}

	v = json_object_get(obj, "type");
	if (!v)
		return fail(err, errlen, "type: required (\"none\" for an algorithm that is not AI)");
	if (json_is_null(v)) {
		out->type = AIA_KADER_TYPE_ALGORITHM;
	} else {
		const char *s = json_string_value(v);
		if (!s)
			return fail(err, errlen, "type: not a string");
		int i = value_index(AIA_KADER_SOORT, s, true);
		if (i >= 0)
			out->type = (enum aia_kader_type)(AIA_KADER_TYPE_AI_SYSTEM + i);
		for (size_t t = 0; i < 0 && t < ARRAY_LEN(type_names); t++)
			if (!strcmp(s, type_names[t].name))
				out->type = type_names[t].type;
		if (out->type == AIA_KADER_TYPE_UNSET)
			return fail(err, errlen, "type: unknown value '%s'", s);
	}

	v = json_object_get(obj, "risk_group");
	if (v && !json_is_null(v)) {
		const char *s = json_string_value(v);
		int i = s ? value_index(AIA_KADER_RISICO, s, true) : -1;
		if (i < 0)
			return fail(err, errlen, "risk_group: %s '%s'", s ? "unknown value" : "not a string", s ? s : "");
		out->risk_group = (enum aia_kader_risk)(AIA_KADER_RISK_PROHIBITED + i);
	}

	v = json_object_get(obj, "roles");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return fail(err, errlen, "roles: not a list");
		size_t j;
		const json_t *e;
		json_array_foreach(v, j, e) {
			const char *s = json_string_value(e);
			int i = s ? value_index(AIA_KADER_ROL, s, true) : -1;
			if (i < 0)
				return fail(err, errlen, "roles[%zu]: %s '%s'", j, s ? "unknown role" : "not a string",
					    s ? s : "");
			out->roles |= 1u << i;
		}
	}

	if (tri_from_json(json_object_get(obj, "transparency"), AIA_KADER_TRANSP, &out->transparency, err, errlen) ||
	    tri_from_json(json_object_get(obj, "systemic_risk"), AIA_KADER_SYSRISK, &out->systemic_risk, err, errlen) ||
	    tri_from_json(json_object_get(obj, "open_source"), AIA_KADER_OPENSRC, &out->open_source, err, errlen))
		return -1;
	return 0;
}

/* ---- derivation ----------------------------------------------------------------- */

static const char *risk_slug(enum aia_kader_risk r)
{
	return r >= AIA_KADER_RISK_PROHIBITED && r <= AIA_KADER_RISK_NA
		       ? facets[AIA_KADER_RISICO].v[r - AIA_KADER_RISK_PROHIBITED].slug
		       : NULL;
}

static const char *tri_slug(enum aia_kader_facet f, enum aia_kader_tri t)
{
	return t >= AIA_KADER_YES && t <= AIA_KADER_NA ? facets[f].v[t - AIA_KADER_YES].slug : NULL;
}

/* Checks the combination and fills in what the type decides. */
static int normalise(struct aia_kader_facets *g, char *err, size_t errlen)
{
	if ((unsigned)g->type > AIA_KADER_TYPE_NOT_ALGORITHM)
		return fail(err, errlen, "type: out of range");
	if ((unsigned)g->risk_group > AIA_KADER_RISK_NA)
		return fail(err, errlen, "risk_group: out of range");
	if (g->roles & ~0xFu)
		return fail(err, errlen, "roles: unknown role bits");
	const enum aia_kader_tri tris[] = {g->transparency, g->systemic_risk, g->open_source};
	for (size_t i = 0; i < ARRAY_LEN(tris); i++)
		if ((unsigned)tris[i] > AIA_KADER_NA)
			return fail(err, errlen, "%s: out of range", i == 0 ? "transparency" : i == 1 ? "systemic_risk"
												      : "open_source");

	switch (g->type) {
	case AIA_KADER_TYPE_UNSET:
		return fail(err, errlen, "type: required");
	case AIA_KADER_TYPE_ALGORITHM:
	case AIA_KADER_TYPE_NOT_ALGORITHM:
		/* Risk groups, Art. 50 obligations and systemic risk exist only for AI. */
		if (g->risk_group != AIA_KADER_RISK_UNSET && g->risk_group != AIA_KADER_RISK_NA)
			return fail(err, errlen, "risk_group: '%s' is for AI, but type is an algorithm that is not AI",
				    risk_slug(g->risk_group));
		if (g->transparency == AIA_KADER_YES)
			return fail(err, errlen, "transparency: an obligation of AI systems, but type is not AI");
		if (g->systemic_risk == AIA_KADER_YES)
			return fail(err, errlen, "systemic_risk: a property of AI models, but type is not AI");
		return 0;
	case AIA_KADER_TYPE_AI_SYSTEM:
	case AIA_KADER_TYPE_GPAI_SYSTEM:
		if (!g->roles)
			return fail(err, errlen, "roles: at least one role is required for an AI type");
		if (g->risk_group == AIA_KADER_RISK_UNSET)
			return fail(err, errlen, "risk_group: required for an AI system");
		if (g->systemic_risk == AIA_KADER_YES || g->systemic_risk == AIA_KADER_NO)
			return fail(err, errlen, "systemic_risk: applies to general-purpose AI models, not to AI systems");
		g->systemic_risk = AIA_KADER_NA;
		return 0;
	case AIA_KADER_TYPE_GPAI_MODEL:
		if (!g->roles)
			return fail(err, errlen, "roles: at least one role is required for an AI type");
		/* A model has no risk group; the Beslishulp gives it only "uitzondering van toepassing". */
		if (g->risk_group != AIA_KADER_RISK_UNSET && g->risk_group != AIA_KADER_RISK_NA &&
		    g->risk_group != AIA_KADER_RISK_EXCEPTION)
			return fail(err, errlen, "risk_group: '%s' is for AI systems, not for general-purpose AI models",
				    risk_slug(g->risk_group));
		if (g->transparency == AIA_KADER_YES || g->transparency == AIA_KADER_NO)
			return fail(err, errlen, "transparency: applies to AI systems, not to general-purpose AI models");
		if (g->risk_group == AIA_KADER_RISK_UNSET)
			g->risk_group = AIA_KADER_RISK_NA;
		g->transparency = AIA_KADER_NA;
		return 0;
	}
	return fail(err, errlen, "type: out of range");
}

void aia_kader_result_cleanup(struct aia_kader_result *r)
{
	if (!r)
		return;
	free(r->hits);
	free(r->excluded);
	memset(r, 0, sizeof *r);
}

int aia_kader_derive(const struct aia_kader *k, const struct aia_kader_facets *f, struct aia_kader_result *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->facets = *f;
	if (normalise(&out->facets, err, errlen))
		return -1;
	if (out->facets.type == AIA_KADER_TYPE_NOT_ALGORITHM)
		return 0;  /* the Algoritmekader is about algorithms: nothing applies */

	struct prof p;
	prof_init(&p, &out->facets);
	out->hits = xcalloc(k->nreqs, sizeof *out->hits);
	out->excluded = xcalloc(k->nreqs, sizeof *out->excluded);
	for (size_t i = 0; i < k->nreqs; i++) {
		const struct aia_kader_req *r = &k->reqs[i];
		struct aia_kader_hit h = {.req = r, .always = r->always};
		bool pass = true;
		for (unsigned fa = 0; !h.always && fa < AIA_KADER_NFACETS; fa++) {
			if (!r->filter[fa])
				continue;
			if (!p.given[fa]) {
				h.why[fa].unset = true;
				continue;
			}
			h.why[fa].matched = r->filter[fa] & p.mask[fa];
			pass &= h.why[fa].matched != 0;
		}
		if (!pass)
			continue;
		const char *holds = NULL;
		for (size_t e = 0; !holds && e < r->nexcept; e++)
			if (expr_eval(r->except[e], &p, NULL, 0) == 1)
				holds = r->except[e];
		if (holds)
			out->excluded[out->nexcluded++] = (struct aia_kader_excluded){r, holds};
		else
			out->hits[out->n++] = h;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------------------ */

static void write_bits(struct jsonw *w, enum aia_kader_facet f, unsigned bits)
{
	jsonw_arr_open(w);
	for (unsigned i = 0; i < facets[f].n; i++)
		if (bits & (1u << i))
			jsonw_str(w, facets[f].v[i].slug);
	jsonw_arr_close(w);
}

static void write_profile(struct jsonw *w, const struct aia_kader_facets *f)
{
	jsonw_obj_open(w);
	jsonw_key(w, "type");
	switch (f->type) {
	case AIA_KADER_TYPE_AI_SYSTEM:
	case AIA_KADER_TYPE_GPAI_SYSTEM:
	case AIA_KADER_TYPE_GPAI_MODEL:
		jsonw_str(w, facets[AIA_KADER_SOORT].v[f->type - AIA_KADER_TYPE_AI_SYSTEM].slug);
		break;
	case AIA_KADER_TYPE_ALGORITHM:
		jsonw_str(w, "none");
		break;
	case AIA_KADER_TYPE_NOT_ALGORITHM:
		jsonw_str(w, "geen-algoritme");
		break;
	default:
		jsonw_null(w);
	}
	jsonw_key(w, "risk_group");
	jsonw_str(w, risk_slug(f->risk_group));
	jsonw_key(w, "roles");
	write_bits(w, AIA_KADER_ROL, f->roles);
	jsonw_key(w, "transparency");
	jsonw_str(w, tri_slug(AIA_KADER_TRANSP, f->transparency));
	jsonw_key(w, "systemic_risk");
	jsonw_str(w, tri_slug(AIA_KADER_SYSRISK, f->systemic_risk));
	jsonw_key(w, "open_source");
	jsonw_str(w, tri_slug(AIA_KADER_OPENSRC, f->open_source));
	jsonw_obj_close(w);
}

static void write_item(struct jsonw *w, const char *urn, const char *title, const char *version)
{
	jsonw_key(w, "urn");
	jsonw_str(w, urn);
	jsonw_key(w, "title");
	jsonw_str(w, title);
	jsonw_key(w, "version");
	jsonw_str(w, version);
}

void aia_kader_result_write(const struct aia_kader *k, const struct aia_kader_result *r, struct jsonw *w)
{
	jsonw_obj_open(w);
	jsonw_key(w, "source");
	jsonw_obj_open(w);
	jsonw_key(w, "repository");
	jsonw_str(w, k->repository);
	jsonw_key(w, "commit");
	jsonw_str(w, k->commit);
	jsonw_key(w, "content_commit");
	jsonw_str(w, k->content_commit);
	jsonw_obj_close(w);

	jsonw_key(w, "profile");
	write_profile(w, &r->facets);

	jsonw_key(w, "requirements");
	jsonw_arr_open(w);
	for (size_t i = 0; i < r->n; i++) {
		const struct aia_kader_hit *h = &r->hits[i];
		jsonw_obj_open(w);
		write_item(w, h->req->urn, h->req->title, h->req->version);
		jsonw_key(w, "basis");
		jsonw_str(w, h->always ? "always_applicable" : "filters");
		if (!h->always) {
			jsonw_key(w, "matched");
			jsonw_obj_open(w);
			for (unsigned f = 0; f < AIA_KADER_NFACETS; f++) {
				if (!h->req->filter[f])
					continue;
				jsonw_key(w, facets[f].key);
				if (h->why[f].unset)
					jsonw_null(w);
				else
					write_bits(w, f, h->why[f].matched);
			}
			jsonw_obj_close(w);
		}
		jsonw_key(w, "measures");
		jsonw_arr_open(w);
		for (size_t j = 0; j < h->req->nmeasures; j++) {
			jsonw_obj_open(w);
			write_item(w, h->req->measures[j]->urn, h->req->measures[j]->title, h->req->measures[j]->version);
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);

	jsonw_key(w, "excluded");
	jsonw_arr_open(w);
	for (size_t i = 0; i < r->nexcluded; i++) {
		jsonw_obj_open(w);
		write_item(w, r->excluded[i].req->urn, r->excluded[i].req->title, r->excluded[i].req->version);
		jsonw_key(w, "uitzondering");
		jsonw_str(w, r->excluded[i].expr);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	jsonw_obj_close(w);
}
