/* aia_screen.c - indicator packs: load, validate, compile; screen records. */
#include "aia_screen.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia_yaml.h"
#include "buf.h"
#include "embedded.h"
#include "text.h"
#include "util.h"

/* The record fields a pack may search: the register's free-text fields. Other
 * fields are enumerations, dates or links and say nothing about the use. */
static const char *const searchable[] = {
	"name", "description_short", "goal", "proportionality", "human_intervention", "risks",
	"lawful_basis", "source_data", "methods_and_models", "tags",
};

#define MAX_FIELDS 32           /* fields are a bit mask per indicator */
#define MAX_PHRASE 8            /* words in one term */
#define MAX_GAP 3               /* words allowed between a negation and its term */
#define MIN_OPEN_LEN 3          /* "ab*" would match too much to mean anything */
#define FIELD_CAP (16u << 20)   /* plain text screened per field */
#define EXCERPT_CP 70           /* code points of context on each side */

/* A word pattern: open at the start ("*x") and/or at the end ("x*"). */
enum { OPEN_END = 1, OPEN_START = 2 };

struct word {
	char *text;                 /* folded */
	size_t len;
	unsigned anchor;
	size_t *first_of;           /* terms whose first word this is */
	size_t nfirst;
};

struct term {
	char *src;                  /* as written in the pack */
	char *key;                  /* canonical form, to share identical terms */
	size_t nwords;
	size_t words[MAX_PHRASE];
};

struct trie_node {
	unsigned char byte;
	uint32_t child, sibling;    /* 0 = none (the root is never a child) */
	size_t *ends;               /* words ending at this node */
	size_t nends;
};

struct ind_term {
	size_t term;
	double weight;
};

struct group {
	size_t *terms;
	size_t n;
};

struct indicator {
	char *id;
	size_t slot;                /* kind and point */
	bool profiling;
	double min_conf;
	struct ind_term *terms;
	size_t nterms;
	struct group *groups;       /* each needs one of its terms in the record */
	size_t ngroups;
	size_t *exclude;
	size_t nexclude;
	uint32_t fields;            /* bit mask over the pack's fields */
};

struct aia_screen {
	char *version;
	double min_conf;
	size_t *neg_before, *neg_after;   /* negation phrases (term ids) */
	size_t nneg_before, nneg_after, neg_gap;
	char **fields;
	size_t nfields;
	struct aia_screen_point *slots;   /* kinds and points in the pack's order, the order of findings */
	size_t nslots;
	struct word *words;
	size_t nwords;
	struct term *terms;
	size_t nterms;
	struct indicator *inds;
	size_t ninds;
	struct trie_node *nodes;
	size_t nnodes;
	bool open_start;            /* some word is "*x": words must be tried at every offset */
};

/* ---- text: characters, plain text, words ---- */

enum cpc { C_WORD, C_SEP, C_BREAK };

/* Mirrors text_name_key's idea of a letter, except that apostrophes separate
 * words ("cv's" is the word "cv"); sentence ends bound phrases and negation. */
static enum cpc classify_cp(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
			return C_WORD;
		return cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == '\n' ? C_BREAK : C_SEP;
	}
	if (cp >= 0xC0 && cp < 0x180)
		return cp == 0xD7 || cp == 0xF7 ? C_SEP : C_WORD;
	if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0xAD || cp == 0x200D || cp == 0xFEFF ||
	    (cp >= 0xFE00 && cp <= 0xFE0F))
		return C_WORD;  /* combining marks and soft hyphens stay inside their word; folding drops them */
	if (cp == 0x2022 || cp == 0xB7 || cp == 0x2026)
		return C_BREAK; /* bullets and ellipses end list items */
	if (cp < 0xC0 || (cp >= 0x02B0 && cp <= 0x02FF) || (cp >= 0x2000 && cp <= 0x2BFF) ||
	    (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp >= 0x1F000)
		return C_SEP;
	return C_WORD;
}

/* Decodes the code point at s[i..n); invalid bytes are one separator byte. */
static size_t next_cp(const char *s, size_t i, size_t n, uint32_t *cp)
{
	size_t k = text_utf8_decode((const unsigned char *)s + i, n - i, cp);
	if (k == 0) {
		*cp = 0xFFFD;
		return 1;
	}
	return k;
}

static int put_cp(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(b, u, n);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decodes the entity at s[0..n) (s[0] == '&') into out; returns the bytes
 * consumed, or 0 when it is not a well-formed reference (the '&' is then text).
 * Accented letters written as entities ("&eacute;") become their base letter,
 * which is what folding would make of them anyway. */
static size_t put_entity(const char *s, size_t n, struct buf *out)
{
	static const struct {
		const char *name, *text;
	} named[] = {
		{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
		{"shy", ""}, {"szlig", "ss"}, {"aelig", "ae"}, {"AElig", "AE"}, {"oelig", "oe"}, {"OElig", "OE"},
	};
	static const char *const accents[] = {"acute", "grave", "uml", "circ", "tilde", "cedil", "ring", "slash"};
	size_t end = 1;
	while (end < n && end < 12 && s[end] != ';')
		end++;
	if (end >= n || s[end] != ';' || end == 1)
		return 0;
	const char *name = s + 1;
	size_t len = end - 1;
	if (name[0] == '#') {
		bool hex = len > 1 && (name[1] == 'x' || name[1] == 'X');
		size_t i = hex ? 2 : 1;
		uint32_t cp = 0;
		if (i >= len)
			return 0;
		for (; i < len; i++) {
			char c = name[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return 0;
			cp = cp * (hex ? 16 : 10) + d;
			if (cp > 0x10FFFF)
				return 0;
		}
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
			cp = ' ';
		put_cp(out, cp);
		return end + 1;
	}
	for (size_t i = 0; i < ARRAY_LEN(named); i++)
		if (strlen(named[i].name) == len && !memcmp(named[i].name, name, len)) {
			buf_puts(out, named[i].text);
			return end + 1;
		}
	for (size_t i = 0; i < ARRAY_LEN(accents); i++) {
		size_t al = strlen(accents[i]);
		if (len == al + 1 && is_alpha(name[0]) && !memcmp(name + 1, accents[i], al)) {
			buf_putc(out, name[0]);
			return end + 1;
		}
	}
	for (size_t i = 0; i < len; i++)
		if (!is_alpha(name[i]) && !(i && name[i] >= '0' && name[i] <= '9'))
			return 0;
	buf_putc(out, ' ');  /* a named symbol (&hellip; &euro;): not part of a word */
	return end + 1;
}

/* Plain text of a field: tags removed (each ends a sentence: the register keeps
 * only block elements), entities decoded, runs of white space one space - or
 * one newline, a sentence end, when they hold a blank line (a single newline
 * is only hard wrapping). Stops quietly at FIELD_CAP. */
static void plain_text(const char *s, size_t n, struct buf *out)
{
	bool space = false, brk = false, no_gt = false;
	int newlines = 0;
	size_t i = 0;
	while (i < n && out->len < FIELD_CAP) {
		char c = s[i];
		if (c == '<' && !no_gt && i + 1 < n && (is_alpha(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!')) {
			/* once no '>' follows, none will: looking again would make "<a<a<a..." quadratic */
			const char *gt = memchr(s + i, '>', n - i);
			no_gt = !gt;
			if (gt) {
				i = (size_t)(gt - s) + 1;
				space = brk = true;
				continue;
			}
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '\0') {
			space = true;
			brk |= c == '\n' && ++newlines >= 2;
			i++;
			continue;
		}
		if (space && out->len)
			buf_putc(out, brk ? '\n' : ' ');
		space = brk = false;
		newlines = 0;
		if (c == '&') {
			size_t k = put_entity(s + i, n - i, out);
			if (k) {
				i += k;
				continue;
			}
		}
		buf_putc(out, c);
		i++;
	}
}

struct tok {
	size_t start, end;          /* bytes in the plain text */
	size_t fold, flen;          /* folded form in the fold pool */
	size_t sentence;
	size_t m, nm;               /* matched words in the match pool */
};

/* Per-record working memory. */
struct scratch {
	struct buf plain[MAX_FIELDS];
	struct buf tmp, fold;
	struct tok *toks;
	size_t ntoks, captoks;
	size_t *mw;                 /* match pool: word ids */
	size_t nmw, capmw;
	size_t *stamp;              /* per word: 1 + last token it matched */
	struct occ {
		bool set;
		size_t start, end;
	} *occ;                     /* per term and field: first counted occurrence */
};

/* Splits plain text into words with their folded form and sentence number. */
static void tokenize(struct scratch *sc, const struct buf *plain)
{
	const char *s = buf_str(plain);
	size_t n = plain->len, i = 0, sentence = 0;
	sc->ntoks = 0;
	buf_reset(&sc->fold);
	while (i < n) {
		uint32_t cp;
		size_t k = next_cp(s, i, n, &cp);
		enum cpc c = classify_cp(cp);
		if (c != C_WORD) {
			sentence += c == C_BREAK;
			i += k;
			continue;
		}
		size_t start = i;
		while (i < n) {
			k = next_cp(s, i, n, &cp);
			if (classify_cp(cp) != C_WORD)
				break;
			i += k;
		}
		buf_reset(&sc->tmp);
		buf_append(&sc->tmp, s + start, i - start);
		size_t before = sc->fold.len;
		if (text_name_key(&sc->fold, buf_str(&sc->tmp)) || sc->fold.len == before)
			continue;
		if (sc->ntoks == sc->captoks) {
			sc->captoks = sc->captoks ? sc->captoks * 2 : 256;
			sc->toks = xrealloc(sc->toks, sc->captoks * sizeof *sc->toks);
		}
		sc->toks[sc->ntoks++] = (struct tok){.start = start, .end = i, .fold = before,
						     .flen = sc->fold.len - before, .sentence = sentence};
	}
}

/* ---- the trie of words ---- */

static uint32_t trie_child(const struct aia_screen *s, uint32_t node, unsigned char b)
{
	for (uint32_t c = s->nodes[node].child; c; c = s->nodes[c].sibling)
		if (s->nodes[c].byte == b)
			return c;
	return 0;
}

static void trie_add(struct aia_screen *s, size_t word)
{
	const struct word *w = &s->words[word];
	uint32_t node = 0;
	for (size_t i = 0; i < w->len; i++) {
		unsigned char b = (unsigned char)w->text[i];
		uint32_t c = trie_child(s, node, b);
		if (!c) {
			s->nodes = xrealloc(s->nodes, (s->nnodes + 1) * sizeof *s->nodes);
			c = (uint32_t)s->nnodes++;
			s->nodes[c] = (struct trie_node){.byte = b, .sibling = s->nodes[node].child};
			s->nodes[node].child = c;
		}
		node = c;
	}
	struct trie_node *t = &s->nodes[node];
	t->ends = xrealloc(t->ends, (t->nends + 1) * sizeof *t->ends);
	t->ends[t->nends++] = word;
}

static void add_match(struct scratch *sc, size_t tok, size_t word)
{
	if (sc->stamp[word] == tok + 1)
		return;
	sc->stamp[word] = tok + 1;
	if (sc->nmw == sc->capmw) {
		sc->capmw = sc->capmw ? sc->capmw * 2 : 256;
		sc->mw = xrealloc(sc->mw, sc->capmw * sizeof *sc->mw);
	}
	sc->mw[sc->nmw++] = word;
}

/* Every word pattern matching token t. Starting the walk at each offset finds
 * the open-start patterns; tokens are bounded (AIA_SCREEN_WORD_MAX), so this stays
 * linear in the text. */
static void match_token(const struct aia_screen *s, struct scratch *sc, size_t t)
{
	struct tok *tk = &sc->toks[t];
	const unsigned char *f = (const unsigned char *)sc->fold.data + tk->fold;
	size_t L = tk->flen;
	size_t starts = s->open_start && L <= AIA_SCREEN_WORD_MAX ? L : 1;
	tk->m = sc->nmw;
	for (size_t st = 0; st < starts; st++) {
		uint32_t node = 0;
		for (size_t i = st;; i++) {
			const struct trie_node *nd = &s->nodes[node];
			for (size_t e = 0; i > st && e < nd->nends; e++) {
				unsigned a = s->words[nd->ends[e]].anchor;
				if ((st == 0 || (a & OPEN_START)) && (i == L || (a & OPEN_END)))
					add_match(sc, t, nd->ends[e]);
			}
			if (i == L || !(node = trie_child(s, node, f[i])))
				break;
		}
	}
	tk->nm = sc->nmw - tk->m;
}

static bool tok_has(const struct scratch *sc, size_t t, size_t word)
{
	const struct tok *tk = &sc->toks[t];
	for (size_t i = 0; i < tk->nm; i++)
		if (sc->mw[tk->m + i] == word)
			return true;
	return false;
}

/* True when the words of term t stand at tokens [at, at + nwords), within one sentence. */
static bool phrase_at(const struct aia_screen *s, const struct scratch *sc, size_t t, size_t at)
{
	const struct term *term = &s->terms[t];
	if (at + term->nwords > sc->ntoks)
		return false;
	for (size_t j = 0; j < term->nwords; j++)
		if (sc->toks[at + j].sentence != sc->toks[at].sentence || !tok_has(sc, at + j, term->words[j]))
			return false;
	return true;
}

/* An occurrence over tokens [a, b) is negated when a negation phrase of the pack
 * ends just before it or starts just after it, at most neg_gap words away, in the
 * same sentence: "geen (automatische) gezichtsherkenning", "geen sprake van
 * profilering", "chatbot wordt niet gebruikt". Adjacency rather than a window
 * because Dutch puts "geen" before the noun it negates: "geen recht op bijstand"
 * is about bijstand all the same. */
static bool negated(const struct aia_screen *s, const struct scratch *sc, size_t a, size_t b)
{
	size_t sent = sc->toks[a].sentence;
	for (size_t i = 0; i < s->nneg_before; i++) {
		size_t k = s->terms[s->neg_before[i]].nwords;
		for (size_t g = 0; g <= s->neg_gap && k + g <= a; g++) {
			size_t at = a - g - k;
			if (sc->toks[at].sentence == sent && phrase_at(s, sc, s->neg_before[i], at))
				return true;
		}
	}
	sent = sc->toks[b - 1].sentence;
	for (size_t i = 0; i < s->nneg_after; i++)
		for (size_t g = 0; g <= s->neg_gap && b + g < sc->ntoks; g++)
			if (sc->toks[b + g].sentence == sent && phrase_at(s, sc, s->neg_after[i], b + g))
				return true;
	return false;
}

/* Finds the terms in one field: first the words of every token, then the
 * phrases starting at each token's words. */
static void scan_field(const struct aia_screen *s, struct scratch *sc, size_t field)
{
	tokenize(sc, &sc->plain[field]);
	sc->nmw = 0;
	memset(sc->stamp, 0, s->nwords * sizeof *sc->stamp);
	for (size_t t = 0; t < sc->ntoks; t++)
		match_token(s, sc, t);
	for (size_t t = 0; t < sc->ntoks; t++) {
		const struct tok *tk = &sc->toks[t];
		for (size_t i = 0; i < tk->nm; i++) {
			const struct word *w = &s->words[sc->mw[tk->m + i]];
			for (size_t f = 0; f < w->nfirst; f++) {
				size_t ti = w->first_of[f];
				const struct term *term = &s->terms[ti];
				struct occ *o = &sc->occ[ti * s->nfields + field];
				if (o->set || t + term->nwords > sc->ntoks)
					continue;
				size_t j = 1;
				while (j < term->nwords && sc->toks[t + j].sentence == tk->sentence &&
				       tok_has(sc, t + j, term->words[j]))
					j++;
				if (j < term->nwords || negated(s, sc, t, t + j))
					continue;
				*o = (struct occ){.set = true, .start = tk->start, .end = sc->toks[t + j - 1].end};
			}
		}
	}
}

/* ---- screening ---- */

struct hit {
	size_t term, field;
	size_t start, end;          /* the counted occurrence in the field's plain text */
	double weight;              /* 0 for context (a "require" term) */
};

/* The first field (in pack order) of mask where term occurs, or -1. */
static long first_field(const struct aia_screen *s, const struct scratch *sc, size_t term, uint32_t mask)
{
	for (size_t f = 0; f < s->nfields; f++)
		if ((mask >> f & 1) && sc->occ[term * s->nfields + f].set)
			return (long)f;
	return -1;
}

static void hit_at(const struct aia_screen *s, const struct scratch *sc, struct hit *h, size_t field)
{
	const struct occ *o = &sc->occ[h->term * s->nfields + field];
	h->field = field;
	h->start = o->start;
	h->end = o->end;
}

/* Adds the occurrence of term (in the first field of mask) to hits; a term
 * already present keeps its higher weight. False when the term does not occur. */
static bool hit_add(const struct aia_screen *s, const struct scratch *sc, struct hit **hits, size_t *n,
		    size_t term, uint32_t mask, double weight)
{
	long f = first_field(s, sc, term, mask);
	if (f < 0)
		return false;
	struct hit h = {.term = term, .weight = weight};
	hit_at(s, sc, &h, (size_t)f);
	for (size_t i = 0; i < *n; i++)
		if ((*hits)[i].term == term) {
			if (weight > (*hits)[i].weight || (weight == (*hits)[i].weight && h.field < (*hits)[i].field))
				(*hits)[i] = h;
			return true;
		}
	*hits = xrealloc(*hits, (*n + 1) * sizeof **hits);
	(*hits)[(*n)++] = h;
	return true;
}

static bool overlaps_kept(const struct hit *h, size_t kept, const struct hit *x)
{
	for (size_t k = 0; k < kept; k++)
		if (h[k].field == x->field && h[k].start < x->end && x->start < h[k].end)
			return true;
	return false;
}

/* One mention counts once: a term counts at its first occurrence (in field
 * order), and of hits whose text overlaps (same field, spans sharing a byte)
 * only the heaviest stays - "recidiverisico" matched by "recidive*" and
 * "recidiverisico*", or "chatbot" by "chatbot*" and "chat*", is one piece of
 * evidence. Returns 1 - prod(1 - weight) of the hits that stay. */
static double hits_settle(struct hit *h, size_t *n)
{
	for (size_t i = 1; i < *n; i++) {  /* heaviest first; ties keep the pack's order */
		struct hit x = h[i];
		size_t j = i;
		while (j > 0 && h[j - 1].weight < x.weight) {
			h[j] = h[j - 1];
			j--;
		}
		h[j] = x;
	}
	size_t kept = 0;
	double miss = 1.0;
	for (size_t i = 0; i < *n; i++) {
		struct hit x = h[i];
		if (overlaps_kept(h, kept, &x))
			continue;
		miss *= 1.0 - x.weight;
		h[kept++] = x;
	}
	*n = kept;
	return 1.0 - miss;
}

/* Evaluates one indicator; on firing adds its hits (terms and context) to the
 * slot's pool. */
static bool indicator_fires(const struct aia_screen *s, const struct scratch *sc, const struct indicator *ind,
			    struct hit **pool, size_t *npool)
{
	for (size_t i = 0; i < ind->nexclude; i++)
		if (first_field(s, sc, ind->exclude[i], ind->fields) >= 0)
			return false;
	for (size_t g = 0; g < ind->ngroups; g++) {
		bool any = false;
		for (size_t i = 0; i < ind->groups[g].n && !any; i++)
			any = first_field(s, sc, ind->groups[g].terms[i], ind->fields) >= 0;
		if (!any)
			return false;
	}
	struct hit *hits = NULL;
	size_t n = 0;
	for (size_t i = 0; i < ind->nterms; i++)
		hit_add(s, sc, &hits, &n, ind->terms[i].term, ind->fields, ind->terms[i].weight);
	/* a small tolerance: weights written as 0.3 + 0.3 must reach a threshold of 0.51 */
	bool fires = n && hits_settle(hits, &n) + 1e-9 >= ind->min_conf;
	free(hits);
	if (!fires)
		return false;
	for (size_t i = 0; i < ind->nterms; i++)
		hit_add(s, sc, pool, npool, ind->terms[i].term, ind->fields, ind->terms[i].weight);
	for (size_t g = 0; g < ind->ngroups; g++)
		for (size_t i = 0; i < ind->groups[g].n; i++)
			hit_add(s, sc, pool, npool, ind->groups[g].terms[i], ind->fields, 0.0);
	return true;
}

/* Cuts a window of EXCERPT_CP code points each side of [a, b) at word
 * boundaries, newlines as spaces, "…" where text was cut. */
static char *excerpt(const struct buf *plain, size_t a, size_t b)
{
	const char *s = buf_str(plain);
	size_t n = plain->len, lo = a, hi = b;
	for (int k = 0; k < EXCERPT_CP && lo > 0; k++) {
		lo--;
		while (lo > 0 && ((unsigned char)s[lo] & 0xC0) == 0x80)
			lo--;
	}
	for (int k = 0; k < EXCERPT_CP && hi < n; k++) {
		hi++;
		while (hi < n && ((unsigned char)s[hi] & 0xC0) == 0x80)
			hi++;
	}
	if (lo > 0) {  /* start after a space so that no word is cut */
		size_t sp = lo;
		while (sp < a && s[sp] != ' ' && s[sp] != '\n')
			sp++;
		if (sp < a)
			lo = sp + 1;
	}
	if (hi < n) {
		size_t sp = hi;
		while (sp > b && s[sp] != ' ' && s[sp] != '\n')
			sp--;
		if (sp > b)
			hi = sp;
	}
	struct buf out;
	buf_init(&out, 0);
	if (lo > 0)
		buf_puts(&out, "\xE2\x80\xA6");
	for (size_t i = lo; i < hi; i++)
		buf_putc(&out, s[i] == '\n' ? ' ' : s[i]);
	if (hi < n)
		buf_puts(&out, "\xE2\x80\xA6");
	return buf_release(&out, NULL);
}

/* Evidence reads in the order of the texts: by field, then position. */
static void hits_sort(struct hit *h, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct hit x = h[i];
		size_t j = i;
		while (j > 0 && (h[j - 1].field > x.field || (h[j - 1].field == x.field && h[j - 1].start > x.start))) {
			h[j] = h[j - 1];
			j--;
		}
		h[j] = x;
	}
}

static void field_text(const json_t *v, struct buf *plain)
{
	if (json_is_string(v)) {
		plain_text(json_string_value(v), json_string_length(v), plain);
	} else if (json_is_array(v)) {  /* a list of keywords in some shapes */
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it) {
			if (!json_is_string(it))
				continue;
			if (plain->len)
				buf_putc(plain, '\n');
			plain_text(json_string_value(it), json_string_length(it), plain);
		}
	}
}

int aia_screen_record(const struct aia_screen *s, const json_t *record, struct aia_screen_result *res)
{
	struct scratch sc = {0};
	*res = (struct aia_screen_result){0};
	buf_init(&sc.tmp, 0);
	buf_init(&sc.fold, 0);
	sc.stamp = xcalloc(s->nwords ? s->nwords : 1, sizeof *sc.stamp);
	sc.occ = xcalloc(s->nterms * s->nfields + 1, sizeof *sc.occ);
	for (size_t f = 0; f < s->nfields; f++) {
		buf_init(&sc.plain[f], FIELD_CAP + 16);
		field_text(json_object_get(record, s->fields[f]), &sc.plain[f]);
		if (sc.plain[f].len)
			scan_field(s, &sc, f);
	}
	struct hit *hits = NULL;
	size_t nhits = 0;
	for (size_t slot = 0; slot < s->nslots; slot++) {
		struct aia_screen_finding fd = {.kind = s->slots[slot].kind, .point = s->slots[slot].point};
		nhits = 0;
		for (size_t i = 0; i < s->ninds; i++) {
			const struct indicator *ind = &s->inds[i];
			if (ind->slot != slot || !indicator_fires(s, &sc, ind, &hits, &nhits))
				continue;
			fd.profiling |= ind->profiling;
			fd.indicators = xrealloc(fd.indicators, (fd.nindicators + 1) * sizeof *fd.indicators);
			fd.indicators[fd.nindicators++] = ind->id;
		}
		if (!fd.nindicators)
			continue;
		fd.confidence = hits_settle(hits, &nhits);
		hits_sort(hits, nhits);
		fd.evidence = xcalloc(nhits, sizeof *fd.evidence);
		for (size_t i = 0; i < nhits; i++) {
			const struct hit *o = &hits[i];
			const struct buf *p = &sc.plain[hits[i].field];
			struct aia_screen_evidence *ev = &fd.evidence[fd.nevidence++];
			ev->field = s->fields[hits[i].field];
			ev->term = s->terms[hits[i].term].src;
			ev->weight = hits[i].weight;
			ev->match = xstrndup(p->data + o->start, o->end - o->start);
			for (char *c = ev->match; *c; c++)
				if (*c == '\n')
					*c = ' ';
			ev->excerpt = excerpt(p, o->start, o->end);
		}
		res->findings = xrealloc(res->findings, (res->n + 1) * sizeof *res->findings);
		res->findings[res->n++] = fd;
	}
	free(hits);
	for (size_t f = 0; f < s->nfields; f++)
		buf_cleanup(&sc.plain[f]);
	buf_cleanup(&sc.tmp);
	buf_cleanup(&sc.fold);
	free(sc.toks);
	free(sc.mw);
	free(sc.stamp);
	free(sc.occ);
	return 0;
}

void aia_screen_result_cleanup(struct aia_screen_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		struct aia_screen_finding *f = &res->findings[i];
		for (size_t e = 0; e < f->nevidence; e++) {
			free(f->evidence[e].match);
			free(f->evidence[e].excerpt);
		}
		free(f->evidence);
		free(f->indicators);
	}
	free(res->findings);
	*res = (struct aia_screen_result){0};
}

/* Two decimals without trailing zeros: 0.5, 0.88, 1. */
static void write_number(struct jsonw *w, double v)
{
	char num[16];
	int n = snprintf(num, sizeof num, "%.2f", v < 0 ? 0.0 : v > 1 ? 1.0 : v);
	while (n > 1 && num[n - 1] == '0')
		n--;
	if (num[n - 1] == '.')
		n--;
	jsonw_raw(w, num, (size_t)n);
}

void aia_screen_result_write(const struct aia_screen_result *res, struct jsonw *w)
{
	jsonw_arr_open(w);
	for (size_t i = 0; i < res->n; i++) {
		const struct aia_screen_finding *f = &res->findings[i];
		jsonw_obj_open(w);
		jsonw_key(w, "kind");
		jsonw_str(w, f->kind);
		jsonw_key(w, "point");
		jsonw_str(w, f->point);
		jsonw_key(w, "confidence");
		write_number(w, f->confidence);
		jsonw_key(w, "profiling");
		jsonw_bool(w, f->profiling);
		jsonw_key(w, "indicators");
		jsonw_arr_open(w);
		for (size_t k = 0; k < f->nindicators; k++)
			jsonw_str(w, f->indicators[k]);
		jsonw_arr_close(w);
		jsonw_key(w, "evidence");
		jsonw_arr_open(w);
		for (size_t e = 0; e < f->nevidence; e++) {
			const struct aia_screen_evidence *ev = &f->evidence[e];
			jsonw_obj_open(w);
			jsonw_key(w, "field");
			jsonw_str(w, ev->field);
			jsonw_key(w, "term");
			jsonw_str(w, ev->term);
			jsonw_key(w, "match");
			jsonw_str(w, ev->match);
			jsonw_key(w, "weight");
			write_number(w, ev->weight);
			jsonw_key(w, "excerpt");
			jsonw_str(w, ev->excerpt);
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

/* ---- loading and validation ---- */

struct loader {
	struct aia_screen *s;
	const char *name;
	char *err;
	size_t errlen;
	struct buf tmp, fold;
};

static int fail(struct loader *L, const json_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every error names the file and the line of the nearest mapping. */
static int fail(struct loader *L, const json_t *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line = at ? aia_yaml_line(at) : 0;
	snprintf(L->err, L->errlen, "%s:%d: %s", L->name, line ? line : 1, msg);
	return -1;
}

/* Refuses keys a mapping does not know: a misspelt key must not silently
 * disable an indicator. */
static int check_keys(struct loader *L, const json_t *obj, const char *what, const char *const *known)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!strncmp(k, "__", 2))
			continue;
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = !strcmp(known[i], k);
		if (!ok)
			return fail(L, obj, "unknown key \"%s\" in %s", k, what);
	}
	return 0;
}

/* A number in (0, 1]: YAML gives "0.35" as a string, 1 as an integer. */
static int get_unit(struct loader *L, const json_t *at, const json_t *v, const char *what, double *out)
{
	double d = NAN;
	if (json_is_integer(v)) {
		d = (double)json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
	} else if (json_is_string(v)) {
		const char *str = json_string_value(v);
		char *end;
		d = strtod(str, &end);
		if (end == str || *end)
			d = NAN;
	}
	if (!(d > 0.0 && d <= 1.0))
		return fail(L, at, "%s must be a number above 0 and at most 1", what);
	*out = d;
	return 0;
}

static size_t word_intern(struct aia_screen *s, const char *text, size_t len, unsigned anchor)
{
	for (size_t i = 0; i < s->nwords; i++)
		if (s->words[i].anchor == anchor && s->words[i].len == len && !memcmp(s->words[i].text, text, len))
			return i;
	s->words = xrealloc(s->words, (s->nwords + 1) * sizeof *s->words);
	s->words[s->nwords] = (struct word){.text = xstrndup(text, len), .len = len, .anchor = anchor};
	trie_add(s, s->nwords);
	return s->nwords++;
}

/* Parses a term ("virtuele assistent*", "*fraude", "risico-inschatting") into
 * folded word patterns and interns it; identical terms share one id. */
static int term_intern(struct loader *L, const json_t *at, const char *src, size_t *out)
{
	struct aia_screen *s = L->s;
	size_t n = strlen(src), i = 0, nw = 0;
	size_t words[MAX_PHRASE];
	struct buf key;
	buf_init(&key, 0);
	while (i < n) {
		uint32_t cp;
		size_t k = next_cp(src, i, n, &cp);
		if (cp != '*' && classify_cp(cp) != C_WORD) {
			i += k;
			continue;
		}
		size_t start = i;
		while (i < n) {
			k = next_cp(src, i, n, &cp);
			if (cp != '*' && classify_cp(cp) != C_WORD)
				break;
			i += k;
		}
		const char *p = src + start;
		size_t len = i - start;
		unsigned anchor = 0;
		if (len && p[0] == '*') {
			anchor |= OPEN_START;
			p++;
			len--;
		}
		if (len && p[len - 1] == '*') {
			anchor |= OPEN_END;
			len--;
		}
		buf_reset(&L->tmp);
		buf_reset(&L->fold);
		buf_append(&L->tmp, p, len);
		if (memchr(p, '*', len) || !len) {
			buf_cleanup(&key);
			return fail(L, at, "term \"%s\": '*' may only open the start or end of a word", src);
		}
		text_name_key(&L->fold, buf_str(&L->tmp));
		if (!L->fold.len) {
			buf_cleanup(&key);
			return fail(L, at, "term \"%s\" has a word without letters or digits", src);
		}
		if (anchor && L->fold.len < MIN_OPEN_LEN) {
			buf_cleanup(&key);
			return fail(L, at, "term \"%s\": a word with '*' needs at least %d letters", src, MIN_OPEN_LEN);
		}
		if (nw == MAX_PHRASE) {
			buf_cleanup(&key);
			return fail(L, at, "term \"%s\" has more than %d words", src, MAX_PHRASE);
		}
		words[nw++] = word_intern(s, L->fold.data, L->fold.len, anchor);
		buf_printf(&key, "%s%s%s%s", key.len ? " " : "", anchor & OPEN_START ? "*" : "", L->fold.data,
			   anchor & OPEN_END ? "*" : "");
	}
	if (!nw) {
		buf_cleanup(&key);
		return fail(L, at, "term \"%s\" has no words", src);
	}
	for (size_t t = 0; t < s->nterms; t++)
		if (!strcmp(s->terms[t].key, buf_str(&key))) {
			buf_cleanup(&key);
			*out = t;
			return 0;
		}
	s->terms = xrealloc(s->terms, (s->nterms + 1) * sizeof *s->terms);
	struct term *t = &s->terms[s->nterms];
	*t = (struct term){.src = xstrdup(src), .key = buf_release(&key, NULL), .nwords = nw};
	memcpy(t->words, words, nw * sizeof *words);
	struct word *w = &s->words[words[0]];
	w->first_of = xrealloc(w->first_of, (w->nfirst + 1) * sizeof *w->first_of);
	w->first_of[w->nfirst++] = s->nterms;
	*out = s->nterms++;
	return 0;
}

static int field_index(const struct aia_screen *s, const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i], name))
			return (int)i;
	return -1;
}

static int load_fields(struct loader *L, const json_t *root)
{
	struct aia_screen *s = L->s;
	const json_t *v = json_object_get(root, "fields");
	size_t i;
	json_t *it;
	if (!json_is_array(v) || !json_array_size(v))
		return fail(L, root, "\"fields\" must list the record fields to search");
	if (json_array_size(v) > MAX_FIELDS)
		return fail(L, root, "\"fields\" lists more than %d fields", MAX_FIELDS);
	s->fields = xcalloc(json_array_size(v), sizeof *s->fields);
	json_array_foreach(v, i, it) {
		const char *name = json_string_value(it);
		bool known = false;
		for (size_t k = 0; name && k < ARRAY_LEN(searchable) && !known; k++)
			known = !strcmp(searchable[k], name);
		if (!known)
			return fail(L, root, "\"fields\": \"%s\" is not a searchable text field of the record",
				    name ? name : "(not a string)");
		if (field_index(s, name) >= 0)
			return fail(L, root, "\"fields\": \"%s\" is listed twice", name);
		s->fields[s->nfields++] = xstrdup(name);
	}
	return 0;
}

static int term_list(struct loader *L, const json_t *at, const json_t *v, const char *what, size_t **out,
		     size_t *n);

/* negation: {before: [phrases], after: [phrases], gap: N} */
static int load_negation(struct loader *L, const json_t *root)
{
	static const char *const keys[] = {"before", "after", "gap", NULL};
	struct aia_screen *s = L->s;
	const json_t *neg = json_object_get(root, "negation");
	if (!neg)
		return 0;
	if (!json_is_object(neg))
		return fail(L, root, "\"negation\" must be a mapping");
	if (check_keys(L, neg, "negation", keys))
		return -1;
	const json_t *gap = json_object_get(neg, "gap");
	if (gap && (!json_is_integer(gap) || json_integer_value(gap) < 0 || json_integer_value(gap) > MAX_GAP))
		return fail(L, neg, "negation \"gap\" must be a whole number of words from 0 to %d", MAX_GAP);
	s->neg_gap = gap ? (size_t)json_integer_value(gap) : 0;
	const json_t *before = json_object_get(neg, "before"), *after = json_object_get(neg, "after");
	if (before && term_list(L, neg, before, "negation \"before\"", &s->neg_before, &s->nneg_before))
		return -1;
	if (after && term_list(L, neg, after, "negation \"after\"", &s->neg_after, &s->nneg_after))
		return -1;
	return 0;
}

/* kinds: {annex3: {title_nl, title_en, points: {"5(a)": {nl, en}, ...}}, ...} */
static int load_kinds(struct loader *L, const json_t *root)
{
	static const char *const kind_keys[] = {"title_nl", "title_en", "points", NULL};
	static const char *const point_keys[] = {"nl", "en", NULL};
	struct aia_screen *s = L->s;
	const json_t *kinds = json_object_get(root, "kinds");
	const char *kname, *pname;
	json_t *kind, *point;
	if (!json_is_object(kinds))
		return fail(L, root, "\"kinds\" must map each finding kind to its points");
	json_object_foreach((json_t *)kinds, kname, kind) {
		if (!strncmp(kname, "__", 2))
			continue;
		if (!json_is_object(kind))
			return fail(L, kinds, "kind \"%s\" must be a mapping", kname);
		if (check_keys(L, kind, "a kind", kind_keys))
			return -1;
		const json_t *points = json_object_get(kind, "points");
		if (!json_is_object(points) || json_object_size(points) < 2)
			return fail(L, kind, "kind \"%s\" needs \"points\"", kname);
		json_object_foreach((json_t *)points, pname, point) {
			if (!strncmp(pname, "__", 2))
				continue;
			if (!json_is_object(point) || !json_is_string(json_object_get(point, "nl")) ||
			    !json_is_string(json_object_get(point, "en")))
				return fail(L, json_is_object(point) ? point : points,
					    "point \"%s\" of \"%s\" needs a Dutch (nl) and an English (en) title", pname,
					    kname);
			if (check_keys(L, point, "a point", point_keys))
				return -1;
			s->slots = xrealloc(s->slots, (s->nslots + 1) * sizeof *s->slots);
			s->slots[s->nslots++] = (struct aia_screen_point){
				xstrdup(kname), xstrdup(pname), xstrdup(json_string_value(json_object_get(point, "nl"))),
				xstrdup(json_string_value(json_object_get(point, "en")))};
		}
	}
	if (!s->nslots)
		return fail(L, kinds, "\"kinds\" declares no kind");
	return 0;
}

static int term_list(struct loader *L, const json_t *at, const json_t *v, const char *what, size_t **out,
		     size_t *n)
{
	size_t i;
	json_t *it;
	if (!json_is_array(v) || !json_array_size(v))
		return fail(L, at, "%s must be a non-empty list of terms", what);
	*out = xcalloc(json_array_size(v), sizeof **out);
	json_array_foreach(v, i, it) {
		if (!json_is_string(it))
			return fail(L, at, "%s must list terms as strings", what);
		if (term_intern(L, at, json_string_value(it), &(*out)[*n]))
			return -1;
		for (size_t k = 0; k < *n; k++)
			if ((*out)[k] == (*out)[*n])
				return fail(L, at, "%s lists \"%s\" twice", what, json_string_value(it));
		(*n)++;
	}
	return 0;
}

static bool valid_id(const char *id)
{
	if (!*id || strlen(id) > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static int load_indicator(struct loader *L, const json_t *o)
{
	static const char *const keys[] = {"id", "kind", "point", "profiling", "terms", "require",
					   "exclude", "fields", "min_confidence", "note", NULL};
	struct aia_screen *s = L->s;
	if (!json_is_object(o))
		return fail(L, NULL, "every indicator must be a mapping");
	if (check_keys(L, o, "an indicator", keys))
		return -1;
	const char *id = json_string_value(json_object_get(o, "id"));
	if (!id || !valid_id(id))
		return fail(L, o, "an indicator needs an \"id\" of lower-case letters, digits and '-'");
	for (size_t i = 0; i < s->ninds; i++)
		if (!strcmp(s->inds[i].id, id))
			return fail(L, o, "indicator id \"%s\" is used twice", id);
	s->inds = xrealloc(s->inds, (s->ninds + 1) * sizeof *s->inds);
	struct indicator *ind = &s->inds[s->ninds++];
	*ind = (struct indicator){.id = xstrdup(id), .min_conf = s->min_conf};
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *point = json_string_value(json_object_get(o, "point"));
	if (!kind || !point)
		return fail(L, o, "indicator \"%s\" needs a \"kind\" and a \"point\" (quoted strings)", id);
	ind->slot = s->nslots;
	bool kind_known = false;
	for (size_t i = 0; i < s->nslots; i++) {
		kind_known |= !strcmp(s->slots[i].kind, kind);
		if (!strcmp(s->slots[i].kind, kind) && !strcmp(s->slots[i].point, point))
			ind->slot = i;
	}
	if (!kind_known)
		return fail(L, o, "indicator \"%s\": kind \"%s\" is not declared under \"kinds\"", id, kind);
	if (ind->slot == s->nslots)
		return fail(L, o, "indicator \"%s\": point \"%s\" is not a point of %s", id, point, kind);
	const json_t *prof = json_object_get(o, "profiling");
	if (prof && !json_is_boolean(prof))
		return fail(L, o, "indicator \"%s\": \"profiling\" must be true or false", id);
	ind->profiling = json_is_true(prof);
	const json_t *mc = json_object_get(o, "min_confidence");
	if (mc && get_unit(L, o, mc, "min_confidence", &ind->min_conf))
		return -1;
	const json_t *note = json_object_get(o, "note");
	if (note && !json_is_string(note))
		return fail(L, o, "indicator \"%s\": \"note\" must be text", id);

	const json_t *fields = json_object_get(o, "fields");
	if (!fields) {
		ind->fields = s->nfields == 32 ? UINT32_MAX : (1u << s->nfields) - 1;
	} else {
		size_t i;
		json_t *it;
		if (!json_is_array(fields) || !json_array_size(fields))
			return fail(L, o, "indicator \"%s\": \"fields\" must be a non-empty list", id);
		json_array_foreach(fields, i, it) {
			int f = json_is_string(it) ? field_index(s, json_string_value(it)) : -1;
			if (f < 0)
				return fail(L, o, "indicator \"%s\": field \"%s\" is not in the pack's \"fields\"", id,
					    json_is_string(it) ? json_string_value(it) : "(not a string)");
			ind->fields |= 1u << f;
		}
	}

	/* terms: a list of one-entry mappings "term: weight", so that each has a line */
	const json_t *terms = json_object_get(o, "terms");
	size_t i;
	json_t *it;
	if (!json_is_array(terms) || !json_array_size(terms))
		return fail(L, o, "indicator \"%s\" needs \"terms\": a list of \"term: weight\"", id);
	ind->terms = xcalloc(json_array_size(terms), sizeof *ind->terms);
	json_array_foreach(terms, i, it) {
		const char *k, *src = NULL;
		json_t *v, *w = NULL;
		size_t n = 0;
		if (!json_is_object(it))
			return fail(L, o, "indicator \"%s\": each term must be written \"term: weight\"", id);
		json_object_foreach(it, k, v) {
			if (strncmp(k, "__", 2)) {
				src = k;
				w = v;
				n++;
			}
		}
		if (n != 1)
			return fail(L, it, "indicator \"%s\": one \"term: weight\" per list item", id);
		struct ind_term *t = &ind->terms[ind->nterms];
		char what[128];
		snprintf(what, sizeof what, "the weight of \"%s\"", src);
		if (get_unit(L, it, w, what, &t->weight) || term_intern(L, it, src, &t->term))
			return -1;
		for (size_t k2 = 0; k2 < ind->nterms; k2++)
			if (ind->terms[k2].term == t->term)
				return fail(L, it, "indicator \"%s\" lists \"%s\" twice", id, src);
		ind->nterms++;
	}
	double best = 1.0;
	for (size_t k = 0; k < ind->nterms; k++)
		best *= 1.0 - ind->terms[k].weight;
	if (1.0 - best + 1e-9 < ind->min_conf)
		return fail(L, o, "indicator \"%s\" can never fire: all its terms together stay below min_confidence",
			    id);

	const json_t *req = json_object_get(o, "require");
	if (req) {
		if (!json_is_array(req) || !json_array_size(req))
			return fail(L, o, "indicator \"%s\": \"require\" must be a list of term lists", id);
		ind->groups = xcalloc(json_array_size(req), sizeof *ind->groups);
		json_array_foreach(req, i, it) {
			struct group *g = &ind->groups[ind->ngroups++];
			if (term_list(L, o, it, "each \"require\" group", &g->terms, &g->n))
				return -1;
		}
	}
	const json_t *ex = json_object_get(o, "exclude");
	if (ex && term_list(L, o, ex, "\"exclude\"", &ind->exclude, &ind->nexclude))
		return -1;
	return 0;
}

static int load_root(struct loader *L, const json_t *root)
{
	static const char *const keys[] = {"version", "description", "sources", "min_confidence",
					   "negation", "fields", "kinds", "indicators", NULL};
	struct aia_screen *s = L->s;
	if (!json_is_object(root))
		return fail(L, NULL, "the pack must be a mapping");
	if (check_keys(L, root, "the pack", keys))
		return -1;
	const json_t *ver = json_object_get(root, "version");
	if (!json_is_string(ver) || !json_string_length(ver))
		return fail(L, root, "\"version\" must be a quoted string");
	s->version = xstrdup(json_string_value(ver));
	s->min_conf = 0.5;
	const json_t *mc = json_object_get(root, "min_confidence");
	if (mc && get_unit(L, root, mc, "min_confidence", &s->min_conf))
		return -1;
	if (load_fields(L, root) || load_kinds(L, root) || load_negation(L, root))
		return -1;
	const json_t *inds = json_object_get(root, "indicators");
	size_t i;
	json_t *it;
	if (!json_is_array(inds) || !json_array_size(inds))
		return fail(L, root, "\"indicators\" must be a non-empty list");
	json_array_foreach(inds, i, it) {
		if (load_indicator(L, it))
			return -1;
	}
	for (size_t w = 0; w < s->nwords; w++)
		s->open_start |= (s->words[w].anchor & OPEN_START) != 0;
	return 0;
}

int aia_screen_load(const char *name, const char *text, size_t len, struct aia_screen **out, char *err,
		    size_t errlen)
{
	*out = NULL;
	json_t *root = aia_yaml_parse(name, text, len, err, errlen);
	if (!root)
		return -1;
	struct aia_screen *s = xcalloc(1, sizeof *s);
	s->nodes = xcalloc(1, sizeof *s->nodes);  /* the root */
	s->nnodes = 1;
	struct loader L = {.s = s, .name = name, .err = err, .errlen = errlen};
	buf_init(&L.tmp, 0);
	buf_init(&L.fold, 0);
	int rc = load_root(&L, root);
	buf_cleanup(&L.tmp);
	buf_cleanup(&L.fold);
	json_decref(root);
	if (rc) {
		aia_screen_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int aia_screen_load_embedded(struct aia_screen **out, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find(AIA_SCREEN_PACK);
	if (!f) {
		*out = NULL;
		snprintf(err, errlen, "%s: not compiled into this binary", AIA_SCREEN_PACK);
		return -1;
	}
	return aia_screen_load(AIA_SCREEN_PACK, f->data, f->len, out, err, errlen);
}

void aia_screen_free(struct aia_screen *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	for (size_t i = 0; i < s->nslots; i++) {
		free((char *)s->slots[i].kind);
		free((char *)s->slots[i].point);
		free((char *)s->slots[i].title_nl);
		free((char *)s->slots[i].title_en);
	}
	free(s->slots);
	free(s->neg_before);
	free(s->neg_after);
	for (size_t i = 0; i < s->nwords; i++) {
		free(s->words[i].text);
		free(s->words[i].first_of);
	}
	free(s->words);
	for (size_t i = 0; i < s->nterms; i++) {
		free(s->terms[i].src);
		free(s->terms[i].key);
	}
	free(s->terms);
	for (size_t i = 0; i < s->ninds; i++) {
		struct indicator *ind = &s->inds[i];
		free(ind->id);
		free(ind->terms);
		for (size_t g = 0; g < ind->ngroups; g++)
			free(ind->groups[g].terms);
		free(ind->groups);
		free(ind->exclude);
	}
	free(s->inds);
	for (size_t i = 0; i < s->nnodes; i++)
		free(s->nodes[i].ends);
	free(s->nodes);
	free(s->version);
	free(s);
}

void aia_screen_stats(const struct aia_screen *s, struct aia_screen_stats *st)
{
	*st = (struct aia_screen_stats){.indicators = s->ninds, .terms = s->nterms, .words = s->nwords,
					.fields = s->nfields};
}

const char *aia_screen_version(const struct aia_screen *s)
{
	return s->version;
}

const struct aia_screen_point *aia_screen_points(const struct aia_screen *s, size_t *n)
{
	*n = s->nslots;
	return s->slots;
}
