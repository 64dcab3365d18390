/* aia_rules.c - loading and validating the AI Act rule pack.
 *
 * The YAML files become jansson values (aia_yaml_parse) that the pack keeps; validation walks
 * them once, strictly - unknown keys, unknown facts and values, dates that do not exist are all
 * errors - so that the evaluator in aia_assess.c can trust their shape without checking again. */
#include "aia_rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia_yaml.h"
#include "date.h"
#include "embedded.h"
#include "util.h"

/* Trace masks of profile fields are 64-bit (aia_assess.c). */
#define MAX_PROFILE_FIELDS 64
#define MAX_DERIVED 64
#define MAX_COND_DEPTH 16
#define MAX_NAME 64

const struct aia_output_fact aia_output_facts[] = {
	{"risk_group", AIA_KIND_ENUM},
	{"publication_category", AIA_KIND_ENUM},
	{"fria_required", AIA_KIND_BOOL},
	{"eu_registration", AIA_KIND_ENUM},
	{"high_risk_applies_from", AIA_KIND_DATE},
};
const size_t aia_output_nfacts = ARRAY_LEN(aia_output_facts);

struct aia_rules {
	json_t *pack_doc, *timelines_doc, *holidays_doc, *obl_doc;
	const char *id, *version, *default_timeline;
	const json_t *timelines;     /* name -> {title_nl, title_en, source, dates} */
	const json_t *key_dates;     /* the dates of the first timeline: the set of keys */
	const json_t *holidays;      /* ascending by date */
	int first_year, last_year;
	struct aia_fact *facts;
	size_t nfacts, nprofile;
	json_t *owned;               /* vocabularies built at load time */
};

struct vctx {
	const char *file;
	char *err;
	size_t errlen;
};

static int fail(struct vctx *v, const json_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every message names the file and the line of the nearest YAML mapping: scalars carry no line. */
static int fail(struct vctx *v, const json_t *at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line = at ? aia_yaml_line(at) : 0;
	snprintf(v->err, v->errlen, "%s:%d: %s", v->file, line > 0 ? line : 1, msg);
	return -1;
}

static bool is_meta(const char *key)
{
	return !strncmp(key, "__", 2);
}

static int check_keys(struct vctx *v, const json_t *obj, const char *const *allowed, const char *what)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val) {
		size_t i;
		if (is_meta(key))
			continue;
		for (i = 0; allowed[i] && strcmp(allowed[i], key); i++)
			;
		if (!allowed[i])
			return fail(v, obj, "unknown key \"%s\" in %s", key, what);
	}
	return 0;
}

static int get_str(struct vctx *v, const json_t *obj, const char *key, bool required, const char **out)
{
	const json_t *s = json_object_get(obj, key);
	*out = NULL;
	if (!s)
		return required ? fail(v, obj, "missing %s", key) : 0;
	if (!json_is_string(s) || !json_string_length(s))
		return fail(v, obj, "%s must be a non-empty text (quote numbers and dates)", key);
	*out = json_string_value(s);
	return 0;
}

static int get_obj(struct vctx *v, const json_t *obj, const char *key, const json_t **out)
{
	*out = json_object_get(obj, key);
	if (!*out)
		return fail(v, obj, "missing %s", key);
	if (!json_is_object(*out))
		return fail(v, obj, "%s must be a mapping", key);
	return 0;
}

static int get_arr(struct vctx *v, const json_t *obj, const char *key, bool nonempty, const json_t **out)
{
	*out = json_object_get(obj, key);
	if (!*out)
		return fail(v, obj, "missing %s", key);
	if (!json_is_array(*out))
		return fail(v, obj, "%s must be a list", key);
	if (nonempty && !json_array_size(*out))
		return fail(v, obj, "%s must not be empty", key);
	return 0;
}

/* Names of timelines, date keys, fields, facts and obligations: [a-z0-9_-], so they can be used
 * in URLs, JSON keys and file names without escaping. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > MAX_NAME)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool in_vocab(const json_t *vocab, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(vocab, i, e) {
		if (!strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

/* Object members in file order, skipping "__line". */
static size_t data_size(const json_t *obj)
{
	size_t n = 0;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val) {
		(void)val;
		if (!is_meta(key))
			n++;
	}
	return n;
}

static json_t *parse(aia_rules_reader_fn read, void *ctx, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	const char *text = read(ctx, path, &len);
	if (!text) {
		snprintf(err, errlen, "%s:1: file not found", path);
		return NULL;
	}
	json_t *doc = aia_yaml_parse(path, text, len, err, errlen);
	if (doc && !json_is_object(doc)) {
		snprintf(err, errlen, "%s:1: the document must be a mapping", path);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* ---- pack.yaml ---- */

static int check_pack(struct aia_rules *r, struct vctx *v)
{
	static const char *const keys[] = {"id", "version", "title", "regulation", "default_timeline", "files", NULL};
	const json_t *p = r->pack_doc, *files;
	const char *s, *key;
	json_t *val;
	if (check_keys(v, p, keys, "the pack") || get_str(v, p, "id", true, &r->id) ||
	    get_str(v, p, "version", true, &r->version) || get_str(v, p, "title", false, &s) ||
	    get_str(v, p, "regulation", false, &s) || get_str(v, p, "default_timeline", true, &r->default_timeline) ||
	    get_obj(v, p, "files", &files))
		return -1;
	if (!valid_name(r->default_timeline))
		return fail(v, p, "default_timeline \"%s\" is not a valid timeline name", r->default_timeline);
	json_object_foreach((json_t *)files, key, val) {
		if (!is_meta(key) && (!json_is_string(val) || !json_string_length(val)))
			return fail(v, files, "files: %s must be a path", key);
	}
	static const char *const need[] = {"timelines", "obligations", "holidays"};
	for (size_t i = 0; i < ARRAY_LEN(need); i++)
		if (get_str(v, files, need[i], true, &s))
			return -1;
	return 0;
}

/* ---- timelines.yaml ---- */

static int check_timeline(struct vctx *v, const json_t *parent, const char *name, const json_t *t)
{
	static const char *const keys[] = {"title_nl", "title_en", "source", "dates", NULL};
	static const char *const dkeys[] = {"date", "source", NULL};
	const json_t *dates;
	const char *s, *key;
	json_t *d;
	if (!json_is_object(t))
		return fail(v, parent, "timeline \"%s\" must be a mapping", name);
	if (!valid_name(name))
		return fail(v, t, "\"%s\" is not a valid timeline name (a-z, 0-9, _ and -)", name);
	if (check_keys(v, t, keys, "a timeline") || get_str(v, t, "title_nl", true, &s) ||
	    get_str(v, t, "title_en", true, &s) || get_str(v, t, "source", true, &s) ||
	    get_obj(v, t, "dates", &dates))
		return -1;
	if (!data_size(dates))
		return fail(v, dates, "timeline \"%s\" has no dates", name);
	json_object_foreach((json_t *)dates, key, d) {
		if (is_meta(key))
			continue;
		if (!valid_name(key))
			return fail(v, dates, "\"%s\" is not a valid date key (a-z, 0-9, _ and -)", key);
		if (!json_is_object(d))
			return fail(v, dates, "date %s must be a mapping with date and source", key);
		if (check_keys(v, d, dkeys, "a date") || get_str(v, d, "source", true, &s))
			return -1;
		const json_t *dv = json_object_get(d, "date");
		if (!dv)
			return fail(v, d, "missing date (use null when the timeline has no such date)");
		if (!json_is_null(dv) && (!json_is_string(dv) || !date_valid_day(json_string_value(dv))))
			return fail(v, d, "date of %s is not a valid YYYY-MM-DD date", key);
	}
	return 0;
}

static int check_timelines(struct aia_rules *r, struct vctx *v)
{
	static const char *const keys[] = {"timelines", NULL};
	const json_t *doc = r->timelines_doc, *first = NULL;
	const char *name, *first_name = NULL, *key;
	json_t *t, *d;
	if (check_keys(v, doc, keys, "the timelines file") || get_obj(v, doc, "timelines", &r->timelines))
		return -1;
	if (!data_size(r->timelines))
		return fail(v, r->timelines, "no timelines");
	json_object_foreach((json_t *)r->timelines, name, t) {
		if (is_meta(name))
			continue;
		if (check_timeline(v, r->timelines, name, t))
			return -1;
		const json_t *dates = json_object_get(t, "dates");
		if (!first) {
			first = dates;
			first_name = name;
			continue;
		}
		/* Both directions, so that a date can never be silently missing from one timeline. */
		json_object_foreach((json_t *)first, key, d) {
			if (!is_meta(key) && !json_object_get(dates, key))
				return fail(v, dates, "timeline \"%s\" lacks date key \"%s\" (defined in \"%s\")", name,
					    key, first_name);
		}
		json_object_foreach((json_t *)dates, key, d) {
			if (!is_meta(key) && !json_object_get(first, key))
				return fail(v, d, "date key \"%s\" of timeline \"%s\" is missing in \"%s\"", key, name,
					    first_name);
		}
	}
	r->key_dates = first;
	return 0;
}

/* ---- holidays.yaml ---- */

static int get_year(struct vctx *v, const json_t *obj, const char *key, int *out)
{
	const json_t *y = json_object_get(obj, key);
	if (!y || !json_is_integer(y) || json_integer_value(y) < 1900 || json_integer_value(y) > 2999)
		return fail(v, obj, "%s must be a year (1900-2999)", key);
	*out = (int)json_integer_value(y);
	return 0;
}

static int check_holidays(struct aia_rules *r, struct vctx *v)
{
	static const char *const keys[] = {"jurisdiction", "first_year", "last_year", "source", "holidays", NULL};
	static const char *const hkeys[] = {"date", "name_nl", "name_en", "source", NULL};
	const json_t *doc = r->holidays_doc;
	const char *s, *prev = NULL;
	size_t i;
	json_t *h;
	if (check_keys(v, doc, keys, "the holidays file") || get_str(v, doc, "jurisdiction", true, &s) ||
	    get_str(v, doc, "source", true, &s) || get_year(v, doc, "first_year", &r->first_year) ||
	    get_year(v, doc, "last_year", &r->last_year) || get_arr(v, doc, "holidays", true, &r->holidays))
		return -1;
	if (r->first_year > r->last_year)
		return fail(v, doc, "first_year is after last_year");
	json_array_foreach(r->holidays, i, h) {
		const char *date;
		if (!json_is_object(h))
			return fail(v, doc, "holiday %zu must be a mapping", i + 1);
		if (check_keys(v, h, hkeys, "a holiday") || get_str(v, h, "date", true, &date) ||
		    get_str(v, h, "name_nl", true, &s) || get_str(v, h, "name_en", true, &s) ||
		    get_str(v, h, "source", true, &s))
			return -1;
		if (!date_valid_day(date))
			return fail(v, h, "\"%s\" is not a valid YYYY-MM-DD date", date);
		long long year;
		char ybuf[5] = {date[0], date[1], date[2], date[3], 0};
		if (util_parse_int(ybuf, 0, 9999, &year) || year < r->first_year || year > r->last_year)
			return fail(v, h, "%s lies outside %d-%d", date, r->first_year, r->last_year);
		/* Ascending order makes the lookup a binary search and duplicates visible. */
		if (prev && strcmp(prev, date) >= 0)
			return fail(v, h, "%s is not after the previous holiday %s (keep them ascending, once each)",
				    date, prev);
		prev = date;
	}
	return 0;
}

/* ---- obligations.yaml ---- */

static const struct aia_fact *find_fact(const struct aia_rules *r, const char *name, size_t nvisible)
{
	for (size_t i = 0; i < nvisible && i < r->nfacts; i++)
		if (!strcmp(r->facts[i].name, name))
			return &r->facts[i];
	return NULL;
}

static const char *kind_name(enum aia_kind k)
{
	switch (k) {
	case AIA_KIND_ENUM: return "enum";
	case AIA_KIND_LIST: return "list";
	case AIA_KIND_BOOL: return "bool";
	case AIA_KIND_DATE: return "date";
	}
	return "?";
}

static int parse_kind(const char *s, enum aia_kind *k)
{
	static const enum aia_kind all[] = {AIA_KIND_ENUM, AIA_KIND_LIST, AIA_KIND_BOOL, AIA_KIND_DATE};
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		if (!strcmp(s, kind_name(all[i]))) {
			*k = all[i];
			return 0;
		}
	return -1;
}

static int check_matcher(const struct aia_rules *r, struct vctx *v, const json_t *cond, const struct aia_fact *f,
			 const json_t *m)
{
	size_t i;
	json_t *e;
	switch (json_typeof(m)) {
	case JSON_NULL:
		if (f->kind == AIA_KIND_BOOL)
			return fail(v, cond, "%s is a yes/no fact: test true or false, not null", f->name);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		if (f->kind != AIA_KIND_BOOL)
			return fail(v, cond, "%s is a %s fact, not yes/no", f->name, kind_name(f->kind));
		return 0;
	case JSON_STRING:
		if (!f->vocab)
			return fail(v, cond, "%s is a %s fact: it cannot be compared with a text", f->name,
				    kind_name(f->kind));
		if (!in_vocab(f->vocab, json_string_value(m)))
			return fail(v, cond, "unknown value \"%s\" for %s", json_string_value(m), f->name);
		return 0;
	case JSON_ARRAY:
		if (!f->vocab)
			return fail(v, cond, "%s is a %s fact: it cannot be compared with a list", f->name,
				    kind_name(f->kind));
		if (!json_array_size(m))
			return fail(v, cond, "empty list of values for %s", f->name);
		json_array_foreach(m, i, e) {
			if (!json_is_string(e))
				return fail(v, cond, "values for %s must be texts (quote numbers)", f->name);
			if (!in_vocab(f->vocab, json_string_value(e)))
				return fail(v, cond, "unknown value \"%s\" for %s", json_string_value(e), f->name);
		}
		return 0;
	case JSON_OBJECT: {
		static const char *const keys[] = {"before", NULL};
		const char *key;
		if (f->kind != AIA_KIND_DATE)
			return fail(v, cond, "only date facts take {before: KEY}; %s is a %s fact", f->name,
				    kind_name(f->kind));
		if (check_keys(v, m, keys, "a date test") || get_str(v, m, "before", true, &key))
			return -1;
		if (!aia_rules_date_key(r, key))
			return fail(v, m, "unknown date key \"%s\" (not in the timelines)", key);
		return 0;
	}
	default:
		return fail(v, cond, "value for %s must be a text, list, yes/no, null or {before: KEY} (quote numbers)",
			    f->name);
	}
}

/* A fact that the derive section defines further down: a clearer error than "unknown". */
static const char *later(const struct aia_rules *r, const char *name)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r->obl_doc, "derive"), i, d) {
		const char *f = json_string_value(json_object_get(d, "fact"));
		if (f && !strcmp(f, name))
			return " (derived later: a condition can only test facts derived before it)";
	}
	return "";
}

/* Conditions may test facts visible at this point: the profile, the timeline and the facts
 * derived before. That order is what makes evaluation a single pass. */
static int check_cond(const struct aia_rules *r, struct vctx *v, const json_t *parent, const json_t *cond,
		      size_t nvisible, int depth)
{
	const char *key;
	json_t *val;
	if (!json_is_object(cond))
		return fail(v, parent, "a condition must be a mapping ({} holds always)");
	if (depth > MAX_COND_DEPTH)
		return fail(v, cond, "condition nested too deeply");
	json_object_foreach((json_t *)cond, key, val) {
		size_t i;
		json_t *e;
		if (is_meta(key))
			continue;
		if (!strcmp(key, "any") || !strcmp(key, "all")) {
			if (!json_is_array(val) || !json_array_size(val))
				return fail(v, cond, "%s needs a non-empty list of conditions", key);
			json_array_foreach(val, i, e) {
				if (check_cond(r, v, cond, e, nvisible, depth + 1))
					return -1;
			}
		} else if (!strcmp(key, "not")) {
			if (check_cond(r, v, cond, val, nvisible, depth + 1))
				return -1;
		} else if (!strcmp(key, "set")) {
			if (!json_is_array(val) || !json_array_size(val))
				return fail(v, cond, "set needs a non-empty list of facts");
			json_array_foreach(val, i, e) {
				if (!json_is_string(e))
					return fail(v, cond, "set lists fact names");
				if (!find_fact(r, json_string_value(e), nvisible))
					return fail(v, cond, "unknown fact \"%s\"%s", json_string_value(e),
						    later(r, json_string_value(e)));
			}
		} else {
			const struct aia_fact *f = find_fact(r, key, nvisible);
			if (!f)
				return fail(v, cond, "unknown fact \"%s\"%s", key, later(r, key));
			if (check_matcher(r, v, cond, f, val))
				return -1;
		}
	}
	return 0;
}

static struct aia_fact *add_fact(struct aia_rules *r, const char *name, enum aia_kind kind, const json_t *spec,
				 const json_t *vocab, int profile_index)
{
	struct aia_fact *f = &r->facts[r->nfacts];
	f->name = name;
	f->kind = kind;
	f->index = (int)r->nfacts;
	f->profile_index = profile_index;
	f->spec = spec;
	f->vocab = vocab;
	r->nfacts++;
	return f;
}

/* A new array owned by the pack (freed with it). */
static json_t *owned_array(struct aia_rules *r)
{
	json_t *a = json_array();
	json_array_append_new(r->owned, a);
	return a;
}

static int check_default(struct vctx *v, const json_t *fld, const char *name, enum aia_kind kind,
			 const json_t *vocab, const json_t *def)
{
	size_t i;
	json_t *e;
	switch (kind) {
	case AIA_KIND_ENUM:
		if (json_is_null(def) || (json_is_string(def) && in_vocab(vocab, json_string_value(def))))
			return 0;
		break;
	case AIA_KIND_LIST:
		if (!json_is_array(def))
			break;
		json_array_foreach(def, i, e) {
			if (!json_is_string(e) || !in_vocab(vocab, json_string_value(e)))
				return fail(v, fld, "default of %s holds an unknown value", name);
		}
		return 0;
	case AIA_KIND_BOOL:
		if (json_is_boolean(def))
			return 0;
		break;
	case AIA_KIND_DATE:
		if (json_is_null(def) || (json_is_string(def) && date_valid_day(json_string_value(def))))
			return 0;
		break;
	}
	return fail(v, fld, "default of %s does not fit its kind %s", name, kind_name(kind));
}

static int check_values(struct aia_rules *r, struct vctx *v, const json_t *fld, const char *name, json_t *vocab)
{
	static const char *const keys[] = {"value", "article", "title_nl", "title_en", "applies_from", NULL};
	const json_t *values;
	size_t i;
	json_t *e;
	if (get_arr(v, fld, "values", true, &values))
		return -1;
	json_array_foreach(values, i, e) {
		const char *val, *s;
		if (json_is_string(e)) {
			val = json_string_value(e);
		} else if (json_is_object(e)) {
			if (check_keys(v, e, keys, "a value") || get_str(v, e, "value", true, &val) ||
			    get_str(v, e, "article", false, &s) || get_str(v, e, "title_nl", false, &s) ||
			    get_str(v, e, "title_en", false, &s) || get_str(v, e, "applies_from", false, &s))
				return -1;
			if (s && !aia_rules_date_key(r, s))
				return fail(v, e, "unknown date key \"%s\" (not in the timelines)", s);
		} else {
			return fail(v, fld, "values of %s must be texts or mappings (quote numbers)", name);
		}
		if (!*val)
			return fail(v, fld, "empty value in %s", name);
		if (in_vocab(vocab, val))
			return fail(v, json_is_object(e) ? e : fld, "value \"%s\" of %s appears twice", val, name);
		json_array_append_new(vocab, json_string(val));
	}
	return 0;
}

static int check_profile(struct aia_rules *r, struct vctx *v, const json_t *profile)
{
	static const char *const keys[] = {"field", "kind", "default", "values", "description", NULL};
	size_t i;
	json_t *fld;
	if (json_array_size(profile) > MAX_PROFILE_FIELDS)
		return fail(v, r->obl_doc, "more than %d profile fields", MAX_PROFILE_FIELDS);
	json_array_foreach(profile, i, fld) {
		const char *name, *kind_s, *s;
		enum aia_kind kind;
		json_t *vocab = NULL;
		if (!json_is_object(fld))
			return fail(v, r->obl_doc, "profile entry %zu must be a mapping", i + 1);
		if (check_keys(v, fld, keys, "a profile field") || get_str(v, fld, "field", true, &name) ||
		    get_str(v, fld, "kind", true, &kind_s) || get_str(v, fld, "description", false, &s))
			return -1;
		if (!valid_name(name) || !strcmp(name, AIA_TIMELINE_FACT))
			return fail(v, fld, "\"%s\" cannot be a field name", name);
		if (find_fact(r, name, r->nfacts))
			return fail(v, fld, "field %s is defined twice", name);
		if (parse_kind(kind_s, &kind))
			return fail(v, fld, "unknown kind \"%s\" (enum, list, bool, date)", kind_s);
		if (kind == AIA_KIND_ENUM || kind == AIA_KIND_LIST) {
			vocab = owned_array(r);
			if (check_values(r, v, fld, name, vocab))
				return -1;
		} else if (json_object_get(fld, "values")) {
			return fail(v, fld, "a %s field has no values", kind_name(kind));
		}
		const json_t *def = json_object_get(fld, "default");
		if (def && check_default(v, fld, name, kind, vocab, def))
			return -1;
		add_fact(r, name, kind, fld, vocab, (int)i);
	}
	r->nprofile = r->nfacts;
	const struct aia_fact *roles = find_fact(r, AIA_ROLES_FACT, r->nfacts);
	if (!roles || roles->kind != AIA_KIND_LIST)
		return fail(v, r->obl_doc, "the profile needs a list field \"%s\"", AIA_ROLES_FACT);
	return 0;
}

static bool cond_empty(const json_t *cond)
{
	return json_is_object(cond) && !data_size(cond);
}

static int check_rule(struct aia_rules *r, struct vctx *v, const json_t *rule, const char *fact, bool add,
		      enum aia_kind kind, const struct aia_fact *target, size_t nvisible)
{
	static const char *const keys[] = {"when", "value", "articles", "because_en", "because_nl", NULL};
	const json_t *when, *articles, *val;
	const char *s;
	size_t i;
	json_t *e;
	if (!json_is_object(rule))
		return fail(v, r->obl_doc, "a rule of %s must be a mapping", fact);
	if (check_keys(v, rule, keys, "a rule") || get_str(v, rule, "because_en", true, &s) ||
	    get_str(v, rule, "because_nl", true, &s) || get_arr(v, rule, "articles", false, &articles))
		return -1;
	json_array_foreach(articles, i, e) {
		if (!json_is_string(e) || !json_string_length(e))
			return fail(v, rule, "articles must be texts");
	}
	if (!(when = json_object_get(rule, "when")))
		return fail(v, rule, "missing when ({} holds always)");
	if (check_cond(r, v, rule, when, nvisible, 0))
		return -1;
	if (!(val = json_object_get(rule, "value")))
		return fail(v, rule, "missing value");
	if (add) {
		if (!json_is_string(val) || !in_vocab(target->vocab, json_string_value(val)))
			return fail(v, rule, "value must be one of the values of %s", fact);
		return 0;
	}
	switch (kind) {
	case AIA_KIND_ENUM:
		if (!json_is_string(val) || !json_string_length(val))
			return fail(v, rule, "value of %s must be a non-empty text", fact);
		break;
	case AIA_KIND_BOOL:
		if (!json_is_boolean(val))
			return fail(v, rule, "value of %s must be true or false", fact);
		break;
	case AIA_KIND_DATE:
		if (json_is_null(val))
			break;
		if (!json_is_string(val) || !aia_rules_date_key(r, json_string_value(val)))
			return fail(v, rule, "value of %s must be a date key of the timelines or null", fact);
		break;
	case AIA_KIND_LIST:
		return fail(v, rule, "a derived fact cannot be a list; use mode add");
	}
	return 0;
}

static int check_derive(struct aia_rules *r, struct vctx *v, const json_t *derive)
{
	static const char *const keys[] = {"fact", "mode", "kind", "rules", NULL};
	size_t i, j;
	json_t *d, *rule;
	if (json_array_size(derive) > MAX_DERIVED)
		return fail(v, r->obl_doc, "more than %d derived facts", MAX_DERIVED);
	json_array_foreach(derive, i, d) {
		const char *name, *mode, *kind_s;
		const json_t *rules;
		enum aia_kind kind = AIA_KIND_ENUM;
		const struct aia_fact *target = NULL;
		if (!json_is_object(d))
			return fail(v, r->obl_doc, "derive entry %zu must be a mapping", i + 1);
		if (check_keys(v, d, keys, "a derived fact") || get_str(v, d, "fact", true, &name) ||
		    get_str(v, d, "mode", true, &mode) || get_str(v, d, "kind", false, &kind_s) ||
		    get_arr(v, d, "rules", true, &rules))
			return -1;
		bool add = !strcmp(mode, "add");
		if (!add && strcmp(mode, "first"))
			return fail(v, d, "unknown mode \"%s\" (first, add)", mode);
		if (add) {
			target = find_fact(r, name, r->nprofile);
			if (!target || target->kind != AIA_KIND_LIST)
				return fail(v, d, "mode add needs a list field of the profile; %s is not one", name);
			if (kind_s)
				return fail(v, d, "mode add takes the kind of its field");
		} else {
			if (!kind_s)
				return fail(v, d, "missing kind");
			if (parse_kind(kind_s, &kind) || kind == AIA_KIND_LIST)
				return fail(v, d, "unknown kind \"%s\" for a derived fact (enum, bool, date)", kind_s);
			if (!valid_name(name))
				return fail(v, d, "\"%s\" cannot be a fact name", name);
			if (aia_rules_fact(r, name))
				return fail(v, d, "fact %s is defined twice", name);
		}
		size_t nvisible = r->nfacts;
		json_array_foreach(rules, j, rule) {
			if (check_rule(r, v, rule, name, add, kind, target, nvisible))
				return -1;
		}
		if (add)
			continue;
		/* Without a final rule that always holds an enum or yes/no fact could stay undecided. */
		const json_t *last = json_array_get(rules, json_array_size(rules) - 1);
		if (kind != AIA_KIND_DATE && !cond_empty(json_object_get(last, "when")))
			return fail(v, last, "the last rule of %s must hold always (when: {})", name);
		json_t *vocab = NULL;
		if (kind == AIA_KIND_ENUM) {
			vocab = owned_array(r);
			json_array_foreach(rules, j, rule) {
				const char *val = json_string_value(json_object_get(rule, "value"));
				if (!in_vocab(vocab, val))
					json_array_append_new(vocab, json_string(val));
			}
		}
		add_fact(r, name, kind, d, vocab, -1);
	}
	for (i = 0; i < aia_output_nfacts; i++) {
		const struct aia_fact *f = aia_rules_fact(r, aia_output_facts[i].name);
		if (!f || f->profile_index >= 0 || !f->spec || f->kind != aia_output_facts[i].kind)
			return fail(v, r->obl_doc, "derive must define %s (kind %s)", aia_output_facts[i].name,
				    kind_name(aia_output_facts[i].kind));
	}
	return 0;
}

static int check_constraints(struct aia_rules *r, struct vctx *v, const json_t *constraints)
{
	static const char *const keys[] = {"field", "when", "reason", NULL};
	size_t i;
	json_t *c;
	json_array_foreach(constraints, i, c) {
		const char *field, *s;
		const json_t *when;
		if (!json_is_object(c))
			return fail(v, r->obl_doc, "constraint %zu must be a mapping", i + 1);
		if (check_keys(v, c, keys, "a constraint") || get_str(v, c, "field", true, &field) ||
		    get_str(v, c, "reason", true, &s))
			return -1;
		if (!find_fact(r, field, r->nprofile))
			return fail(v, c, "field %s is not a profile field", field);
		if (!(when = json_object_get(c, "when")))
			return fail(v, c, "missing when");
		if (check_cond(r, v, c, when, r->nfacts, 0))
			return -1;
	}
	return 0;
}

/* "{field}" in an article is replaced by the article of that enum field's value. */
static int check_article(struct aia_rules *r, struct vctx *v, const json_t *ob, const char *article)
{
	const char *p = article;
	while ((p = strchr(p, '{'))) {
		const char *end = strchr(p, '}');
		char name[MAX_NAME + 1];
		if (!end || (size_t)(end - p - 1) > MAX_NAME)
			return fail(v, ob, "article \"%s\": unclosed or overlong {field}", article);
		memcpy(name, p + 1, (size_t)(end - p - 1));
		name[end - p - 1] = 0;
		const struct aia_fact *f = find_fact(r, name, r->nprofile);
		if (!f || f->kind != AIA_KIND_ENUM)
			return fail(v, ob, "article \"%s\": {%s} is not an enum field of the profile", article, name);
		p = end + 1;
	}
	return 0;
}

static int check_obligations(struct aia_rules *r, struct vctx *v, const json_t *obligations)
{
	static const char *const keys[] = {"id", "article", "role", "when", "applies_from", "title_nl",
					   "title_en", "source", "transparency", NULL};
	const struct aia_fact *roles = aia_rules_fact(r, AIA_ROLES_FACT);
	size_t i, j;
	json_t *ob;
	json_array_foreach(obligations, i, ob) {
		const char *id, *article, *role, *from, *s;
		const json_t *when, *tr;
		if (!json_is_object(ob))
			return fail(v, r->obl_doc, "obligation %zu must be a mapping", i + 1);
		if (check_keys(v, ob, keys, "an obligation") || get_str(v, ob, "id", true, &id) ||
		    get_str(v, ob, "article", true, &article) || get_str(v, ob, "role", true, &role) ||
		    get_str(v, ob, "applies_from", true, &from) || get_str(v, ob, "title_nl", true, &s) ||
		    get_str(v, ob, "title_en", true, &s) || get_str(v, ob, "source", true, &s))
			return -1;
		if (!valid_name(id))
			return fail(v, ob, "\"%s\" is not a valid obligation id (a-z, 0-9, _ and -)", id);
		for (j = 0; j < i; j++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(obligations, j), "id")), id))
				return fail(v, ob, "obligation id %s is used twice", id);
		if (check_article(r, v, ob, article))
			return -1;
		if (!in_vocab(roles->vocab, role))
			return fail(v, ob, "unknown role \"%s\"", role);
		if (!aia_rules_date_key(r, from)) {
			const struct aia_fact *f = aia_rules_fact(r, from);
			if (!f || f->profile_index >= 0 || f->kind != AIA_KIND_DATE)
				return fail(v, ob, "applies_from \"%s\" is neither a date key of the timelines nor a derived date",
					    from);
		}
		if ((tr = json_object_get(ob, "transparency")) && !json_is_boolean(tr))
			return fail(v, ob, "transparency must be true or false");
		if (!(when = json_object_get(ob, "when")))
			return fail(v, ob, "missing when ({} holds always)");
		if (check_cond(r, v, ob, when, r->nfacts, 0))
			return -1;
	}
	return 0;
}

static int check_obligations_file(struct aia_rules *r, struct vctx *v)
{
	static const char *const keys[] = {"profile", "derive", "constraints", "obligations", NULL};
	const json_t *doc = r->obl_doc, *profile, *derive, *constraints, *obligations;
	if (check_keys(v, doc, keys, "the obligations file") || get_arr(v, doc, "profile", true, &profile) ||
	    get_arr(v, doc, "derive", true, &derive) || get_arr(v, doc, "constraints", false, &constraints) ||
	    get_arr(v, doc, "obligations", true, &obligations))
		return -1;
	size_t cap = json_array_size(profile) + 1 + json_array_size(derive);
	r->facts = xcalloc(cap, sizeof *r->facts);
	if (check_profile(r, v, profile))
		return -1;
	json_t *names = owned_array(r);
	const char *name;
	json_t *t;
	json_object_foreach((json_t *)r->timelines, name, t) {
		(void)t;
		if (!is_meta(name))
			json_array_append_new(names, json_string(name));
	}
	add_fact(r, AIA_TIMELINE_FACT, AIA_KIND_ENUM, NULL, names, -1);
	if (check_derive(r, v, derive) || check_constraints(r, v, constraints) || check_obligations(r, v, obligations))
		return -1;
	return 0;
}

/* ---- loading ---- */

int aia_rules_load(struct aia_rules **out, aia_rules_reader_fn read, void *ctx, char *err, size_t errlen)
{
	struct aia_rules *r = xcalloc(1, sizeof *r);
	struct vctx v = {.file = AIA_RULES_PACK_PATH, .err = err, .errlen = errlen};
	const char *path;
	r->owned = json_array();
	*out = NULL;
	if (!(r->pack_doc = parse(read, ctx, AIA_RULES_PACK_PATH, err, errlen)) || check_pack(r, &v))
		goto fail;
	const json_t *files = json_object_get(r->pack_doc, "files");

	v.file = path = json_string_value(json_object_get(files, "timelines"));
	if (!(r->timelines_doc = parse(read, ctx, path, err, errlen)) || check_timelines(r, &v))
		goto fail;
	if (!aia_rules_timeline(r, r->default_timeline)) {
		v.file = AIA_RULES_PACK_PATH;
		fail(&v, r->pack_doc, "default_timeline \"%s\" is not a timeline of %s", r->default_timeline, path);
		goto fail;
	}
	v.file = path = json_string_value(json_object_get(files, "holidays"));
	if (!(r->holidays_doc = parse(read, ctx, path, err, errlen)) || check_holidays(r, &v))
		goto fail;
	v.file = path = json_string_value(json_object_get(files, "obligations"));
	if (!(r->obl_doc = parse(read, ctx, path, err, errlen)) || check_obligations_file(r, &v))
		goto fail;
	*out = r;
	return 0;
fail:
	aia_rules_free(r);
	return -1;
}

static const char *embedded_read(void *ctx, const char *path, size_t *len)
{
	(void)ctx;
	const struct embedded_file *f = embedded_find(path);
	if (!f)
		return NULL;
	*len = f->len;
	return f->data;
}

int aia_rules_load_embedded(struct aia_rules **out, char *err, size_t errlen)
{
	return aia_rules_load(out, embedded_read, NULL, err, errlen);
}

void aia_rules_free(struct aia_rules *r)
{
	if (!r)
		return;
	json_decref(r->pack_doc);
	json_decref(r->timelines_doc);
	json_decref(r->holidays_doc);
	json_decref(r->obl_doc);
	json_decref(r->owned);
	free(r->facts);
	free(r);
}

/* ---- access ---- */

const char *aia_rules_id(const struct aia_rules *r) { return r->id; }
const char *aia_rules_version(const struct aia_rules *r) { return r->version; }
const char *aia_rules_default_timeline(const struct aia_rules *r) { return r->default_timeline; }

size_t aia_rules_timeline_count(const struct aia_rules *r)
{
	return data_size(r->timelines);
}

const char *aia_rules_timeline_name(const struct aia_rules *r, size_t i)
{
	const char *name;
	json_t *t;
	json_object_foreach((json_t *)r->timelines, name, t) {
		(void)t;
		if (!is_meta(name) && !i--)
			return name;
	}
	return NULL;
}

const json_t *aia_rules_timeline(const struct aia_rules *r, const char *name)
{
	if (!name || is_meta(name))
		return NULL;
	return json_object_get(r->timelines, name);
}

int aia_rules_date(const struct aia_rules *r, const char *timeline, const char *key, const char **date,
		   const char **source)
{
	const json_t *t = aia_rules_timeline(r, timeline);
	const json_t *d = t && key && !is_meta(key) ? json_object_get(json_object_get(t, "dates"), key) : NULL;
	if (!d)
		return -1;
	*date = json_string_value(json_object_get(d, "date"));
	if (source)
		*source = json_string_value(json_object_get(d, "source"));
	return 0;
}

bool aia_rules_date_key(const struct aia_rules *r, const char *key)
{
	return key && !is_meta(key) && r->key_dates && json_object_get(r->key_dates, key);
}

bool aia_rules_holiday(const struct aia_rules *r, const char *date, const char **name_nl)
{
	size_t lo = 0, hi = json_array_size(r->holidays);
	if (!date)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const json_t *h = json_array_get(r->holidays, mid);
		int c = strcmp(json_string_value(json_object_get(h, "date")), date);
		if (!c) {
			if (name_nl)
				*name_nl = json_string_value(json_object_get(h, "name_nl"));
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void aia_rules_holiday_years(const struct aia_rules *r, int *first, int *last)
{
	*first = r->first_year;
	*last = r->last_year;
}

size_t aia_rules_fact_count(const struct aia_rules *r) { return r->nfacts; }
size_t aia_rules_profile_count(const struct aia_rules *r) { return r->nprofile; }

const struct aia_fact *aia_rules_fact_at(const struct aia_rules *r, size_t i)
{
	return i < r->nfacts ? &r->facts[i] : NULL;
}

const struct aia_fact *aia_rules_fact(const struct aia_rules *r, const char *name)
{
	return find_fact(r, name, r->nfacts);
}

const json_t *aia_rules_value_entry(const struct aia_fact *f, const char *value)
{
	const json_t *values = f->spec && f->profile_index >= 0 ? json_object_get(f->spec, "values") : NULL;
	size_t i;
	json_t *e;
	json_array_foreach(values, i, e) {
		if (json_is_object(e) && !strcmp(json_string_value(json_object_get(e, "value")), value))
			return e;
	}
	return NULL;
}

const json_t *aia_rules_section(const struct aia_rules *r, const char *name)
{
	return json_object_get(r->obl_doc, name);
}
