/* aia_screen.h - screening of register entries for AI Act indications.
 *
 * The indicators are data (rules/screening.yaml): per finding kind ("annex3",
 * "art5", "art50" - the pack declares kinds and their points) a set of terms
 * with weights, optional co-occurrence requirements, excluding terms and the
 * record fields to look in. This module loads and validates such a pack,
 * compiles its terms once into a trie, and screens records with v1.0 API keys.
 *
 * Matching works on words: a record's text fields lose their HTML (tags end a
 * sentence, entities are decoded), are split into words at anything that is not
 * a letter or digit (so hyphens and apostrophes separate words: "WW-uitkering"
 * is "ww" "uitkering"), and every word is folded with text_name_key (lower case,
 * accents folded: "Gezichtsherkénning" = "gezichtsherkenning"). A term is one
 * or more words; "x" matches the whole word, "x*" a word starting with x, "*x"
 * one ending with x, "*x*" one containing x; the words of a phrase must follow
 * each other within a sentence (sentences end at . ! ? ; bullets, tags and
 * blank lines). An occurrence does not count when a negation phrase of the pack
 * ends just before it ("geen", "geen sprake van", "no") or starts just after it
 * ("wordt niet gebruikt"), with at most the pack's "gap" of words in between, in
 * the same sentence. Work per record is linear in its text length: words longer
 * than AIA_SCREEN_WORD_MAX bytes are tried as whole words and prefixes only.
 *
 * Confidence: an indicator fires when every "require" group has a term in the
 * record, no "exclude" term occurs, and 1 - prod(1 - w) over the weights w of its
 * distinct matched terms reaches its min_confidence. A term counts once, at its
 * first occurrence (fields in the pack's order); when that occurrence overlaps
 * the occurrence of a heavier term ("chat*" inside "chatbot"), only the heavier
 * counts. Findings are per kind and point; when several indicators of one point
 * fire, their terms are pooled (each with its highest weight) into the same
 * formula, and "require" terms join the evidence with weight 0.
 */
#ifndef AIREG_AIA_SCREEN_H
#define AIREG_AIA_SCREEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jsonw.h"

#define AIA_SCREEN_PACK "rules/screening.yaml"
#define AIA_SCREEN_WORD_MAX 64

/* A compiled indicator pack: immutable after loading, so one pack may serve
 * many threads at once. */
struct aia_screen;

struct aia_screen_evidence {
	const char *field;       /* record key, e.g. "goal" (owned by the pack) */
	const char *term;        /* the term as written in the pack (owned by the pack) */
	char *match;             /* the words of the text that matched (owned) */
	char *excerpt;           /* ~70 characters each side, plain text, "…" where cut (owned) */
	double weight;           /* the term's weight; 0 for context (a "require" term) */
};

struct aia_screen_finding {
	const char *kind, *point;    /* owned by the pack */
	double confidence;           /* 0..1, see the formula above */
	bool profiling;              /* a firing indicator marks profiling of persons */
	size_t nindicators;
	const char **indicators;     /* ids of the indicators that fired (array owned, strings the pack's) */
	size_t nevidence;
	struct aia_screen_evidence *evidence;  /* by field order of the pack, then position */
};

/* Findings of one record in the pack's order of kinds and points. */
struct aia_screen_result {
	size_t n;
	struct aia_screen_finding *findings;
};

/* Parses, validates and compiles a pack from YAML text. name is used in error
 * messages, which read "name:line: cause". Returns 0, or -1 with *out NULL. */
int aia_screen_load(const char *name, const char *text, size_t len, struct aia_screen **out,
		    char *err, size_t errlen);
/* Loads the pack compiled into the binary (AIA_SCREEN_PACK). */
int aia_screen_load_embedded(struct aia_screen **out, char *err, size_t errlen);
void aia_screen_free(struct aia_screen *s);

/* Sizes of a loaded pack, for reports and tests. */
struct aia_screen_stats {
	size_t indicators, terms, words, fields;
};
void aia_screen_stats(const struct aia_screen *s, struct aia_screen_stats *st);
/* The pack's version string. */
const char *aia_screen_version(const struct aia_screen *s);

/* A point a pack can report, with the law's wording in Dutch and English. */
struct aia_screen_point {
	const char *kind, *point, *title_nl, *title_en;
};
/* The pack's points in its order (the order of findings); owned by the pack. */
const struct aia_screen_point *aia_screen_points(const struct aia_screen *s, size_t *n);

/* Screens one record (an object with v1.0 API keys; string values of the pack's
 * fields are read, other values ignored). Fills res, which the caller releases
 * with aia_screen_result_cleanup, also when there are no findings. Returns 0. */
int aia_screen_record(const struct aia_screen *s, const json_t *record, struct aia_screen_result *res);
void aia_screen_result_cleanup(struct aia_screen_result *res);

/* Writes the findings as a JSON array: [{"kind", "point", "confidence",
 * "profiling", "indicators": [...], "evidence": [{"field", "term", "match",
 * "weight", "excerpt"}]}], numbers rounded to two decimals. */
void aia_screen_result_write(const struct aia_screen_result *res, struct jsonw *w);

#endif
