/* aia_rules.h - the AI Act rule pack (rules/pack.yaml and the files it names): loading,
 * validation and read access.
 *
 * Legal content - articles, dates, vocabularies, conditions - is data in rules/; this module only
 * knows the shape of that data. Loading validates every file completely, so that a broken pack
 * stops start-up with "file:line: cause" instead of misleading an assessment later. A loaded pack
 * is immutable and may be shared by any number of threads.
 *
 * Files (see the comments at the top of each):
 *   rules/pack.yaml         id, version, default timeline, the files below
 *   rules/timelines.yaml    timelines; per timeline every date key with its date and source
 *   rules/holidays.yaml     Dutch public holidays (explicit dates) for incident deadlines
 *   rules/obligations.yaml  profile fields, derived facts, constraints, obligations */
#ifndef AIREG_AIA_RULES_H
#define AIREG_AIA_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct aia_rules;

/* The path of the pack manifest; every other file is named in it. */
#define AIA_RULES_PACK_PATH "rules/pack.yaml"
/* The built-in fact holding the name of the active timeline. */
#define AIA_TIMELINE_FACT "timeline"
/* The profile list field whose values the obligations' "role" refers to. */
#define AIA_ROLES_FACT "roles"

enum aia_kind {
	AIA_KIND_ENUM,  /* one value of a vocabulary, or null */
	AIA_KIND_LIST,  /* a set of vocabulary values (JSON array) */
	AIA_KIND_BOOL,
	AIA_KIND_DATE,  /* "YYYY-MM-DD" or null */
};

/* A fact conditions can test: a profile field, the active timeline, or a derived fact. */
struct aia_fact {
	const char *name;           /* owned by the rules */
	enum aia_kind kind;
	int index;                  /* position in aia_rules_fact_at() */
	int profile_index;          /* position in the profile section, or -1 */
	const json_t *spec;         /* the profile field or derive entry; NULL for the timeline */
	const json_t *vocab;        /* array of the allowed strings (enum, list, timeline); else NULL */
};

/* The derived facts every pack defines; an assessment writes them first, in this order. */
struct aia_output_fact {
	const char *name;
	enum aia_kind kind;
};
extern const struct aia_output_fact aia_output_facts[];
extern const size_t aia_output_nfacts;

/* Returns the text of a pack file ("rules/timelines.yaml") and its length, or NULL when there is
 * no such file. The text must stay valid until aia_rules_load returns. */
typedef const char *(*aia_rules_reader_fn)(void *ctx, const char *path, size_t *len);

/* Loads and validates a pack read through read(). Returns 0 and a pack the caller frees with
 * aia_rules_free, or -1 with "file:line: cause" in err. */
int aia_rules_load(struct aia_rules **out, aia_rules_reader_fn read, void *ctx, char *err, size_t errlen);
/* The same for the pack compiled into the binary (build/embedded.h). */
int aia_rules_load_embedded(struct aia_rules **out, char *err, size_t errlen);
void aia_rules_free(struct aia_rules *r);

const char *aia_rules_id(const struct aia_rules *r);
const char *aia_rules_version(const struct aia_rules *r);
const char *aia_rules_default_timeline(const struct aia_rules *r);

size_t aia_rules_timeline_count(const struct aia_rules *r);
/* The name of timeline i (file order), or NULL past the end. */
const char *aia_rules_timeline_name(const struct aia_rules *r, size_t i);
/* The timeline object ({title_nl, title_en, source, dates}), or NULL for an unknown name. */
const json_t *aia_rules_timeline(const struct aia_rules *r, const char *name);
/* Looks up a date key in a timeline. Returns 0 with *date ("YYYY-MM-DD", or NULL when the
 * timeline has no such date) and *source (may be NULL), or -1 for an unknown timeline or key. */
int aia_rules_date(const struct aia_rules *r, const char *timeline, const char *key, const char **date,
		   const char **source);
/* True when key is a date key of the timelines (all timelines define the same keys). */
bool aia_rules_date_key(const struct aia_rules *r, const char *key);

/* True when date ("YYYY-MM-DD") is a public holiday; *name_nl (optional) gets its name. Dates
 * outside aia_rules_holiday_years() are never holidays: callers check the range. */
bool aia_rules_holiday(const struct aia_rules *r, const char *date, const char **name_nl);
void aia_rules_holiday_years(const struct aia_rules *r, int *first, int *last);

/* Facts: the profile fields in file order, then the timeline, then the derived facts. */
size_t aia_rules_fact_count(const struct aia_rules *r);
const struct aia_fact *aia_rules_fact_at(const struct aia_rules *r, size_t i);
const struct aia_fact *aia_rules_fact(const struct aia_rules *r, const char *name);
/* Number of profile fields (the first facts). */
size_t aia_rules_profile_count(const struct aia_rules *r);
/* The vocabulary entry of value for an enum or list profile field: an object with "value" and
 * optional "article", "title_nl", "title_en", "applies_from"; NULL when value is unknown or the
 * entry is a bare string. */
const json_t *aia_rules_value_entry(const struct aia_fact *f, const char *value);

/* A section of rules/obligations.yaml: "profile", "derive", "constraints" or "obligations"
 * (arrays, validated; objects carry "__line"). */
const json_t *aia_rules_section(const struct aia_rules *r, const char *name);

#endif
