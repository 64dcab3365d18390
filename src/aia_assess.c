/* aia_assess.c - the generic evaluator of rules/obligations.yaml.
 *
 * One pass, in the order the pack defines: profile (defaults, vocabulary) -> values not law in
 * the active timeline dropped -> derived facts -> constraints -> obligations. Facts live in a
 * jansson object keyed by name, so conditions evaluate the same way for profile and derived
 * facts. Every fact carries a 64-bit mask of the profile fields it depends on; that mask is what
 * the trace reports as "fields". The shape of the rules was validated by aia_rules.c, so this file
 * does not re-check it. */
#include "aia_assess.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "util.h"

struct eval {
	const struct aia_rules *r;
	const char *timeline;
	json_t *facts;           /* fact name -> value */
	uint64_t *masks;         /* per fact index: the profile fields it depends on */
	const char **date_keys;  /* per fact index: the timeline key a derived date came from */
	const json_t **hits;     /* per fact index: the derive rule that decided it */
	json_t *profile;         /* the profile with defaults, echoed in the output */
	json_t *trace;
	struct aia_error *e;
};

/* A matched obligation, resolved for the active timeline and profile. */
struct duty {
	const json_t *ob;
	char *article;
	const char *date, *date_source;
	bool own;                /* the organisation holds the role */
	bool transparency;
};

static int set_err(struct aia_error *e, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_err(struct aia_error *e, int status, const char *field, const char *fmt, ...)
{
	va_list ap;
	snprintf(e->field, sizeof e->field, "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
	return status;
}

static bool is_meta(const char *key)
{
	return !strncmp(key, "__", 2);
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static bool has_value(const json_t *v, const char *s)
{
	size_t i;
	json_t *e;
	if (json_is_string(v))
		return !strcmp(json_string_value(v), s);
	json_array_foreach(v, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

static bool is_set(const json_t *v)
{
	return v && !json_is_null(v) && !json_is_false(v) && !(json_is_array(v) && !json_array_size(v)) &&
	       !(json_is_string(v) && !json_string_length(v));
}

static uint64_t fact_mask(const struct eval *ev, const char *name)
{
	const struct aia_fact *f = aia_rules_fact(ev->r, name);
	return f ? ev->masks[f->index] : 0;
}

static bool match(const struct eval *ev, const json_t *v, const json_t *m)
{
	size_t i;
	json_t *e;
	switch (json_typeof(m)) {
	case JSON_NULL:
		return !v || json_is_null(v) || (json_is_array(v) && !json_array_size(v));
	case JSON_TRUE:
		return json_is_true(v);
	case JSON_FALSE:
		return json_is_false(v);
	case JSON_STRING:
		return has_value(v, json_string_value(m));
	case JSON_ARRAY:
		json_array_foreach(m, i, e) {
			if (has_value(v, json_string_value(e)))
				return true;
		}
		return false;
	case JSON_OBJECT: {
		const char *d = NULL;
		if (!json_is_string(v) || aia_rules_date(ev->r, ev->timeline, str(m, "before"), &d, NULL) || !d)
			return false;
		return strcmp(json_string_value(v), d) < 0;
	}
	default:
		return false;
	}
}

/* Evaluates every entry, not only up to the first that fails, so that mask collects every fact
 * the condition looks at: the trace shows all fields a conclusion depended on. */
static bool cond_eval(const struct eval *ev, const json_t *cond, uint64_t *mask)
{
	bool ok = true;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)cond, key, val) {
		size_t i;
		json_t *sub;
		if (is_meta(key))
			continue;
		if (!strcmp(key, "any")) {
			bool any = false;
			json_array_foreach(val, i, sub) {
				if (cond_eval(ev, sub, mask))
					any = true;
			}
			ok = ok && any;
		} else if (!strcmp(key, "all")) {
			json_array_foreach(val, i, sub) {
				if (!cond_eval(ev, sub, mask))
					ok = false;
			}
		} else if (!strcmp(key, "not")) {
			if (cond_eval(ev, val, mask))
				ok = false;
		} else if (!strcmp(key, "set")) {
			json_array_foreach(val, i, sub) {
				*mask |= fact_mask(ev, json_string_value(sub));
				if (!is_set(json_object_get(ev->facts, json_string_value(sub))))
					ok = false;
			}
		} else {
			*mask |= fact_mask(ev, key);
			if (!match(ev, json_object_get(ev->facts, key), val))
				ok = false;
		}
	}
	return ok;
}

static json_t *fields_json(const struct eval *ev, uint64_t mask)
{
	json_t *a = json_array();
	size_t n = aia_rules_profile_count(ev->r);
	for (size_t i = 0; i < n; i++)
		if (mask & (UINT64_C(1) << i))
			json_array_append_new(a, json_string(aia_rules_fact_at(ev->r, i)->name));
	return a;
}

static json_t *copy_or_null(const json_t *v)
{
	/* Deep copies: the pack is shared between threads and its values must never be referenced
	 * from per-call objects. */
	return v ? json_deep_copy(v) : json_null();
}

static json_t *trace_add(struct eval *ev, const char *conclusion, const json_t *value, uint64_t mask,
			 const json_t *rule)
{
	json_t *t = json_object();
	json_object_set_new(t, "conclusion", json_string(conclusion));
	json_object_set_new(t, "value", copy_or_null(value));
	json_object_set_new(t, "fields", fields_json(ev, mask));
	json_object_set_new(t, "articles", rule ? copy_or_null(json_object_get(rule, "articles")) : json_array());
	if (rule) {
		json_object_set_new(t, "because_en", copy_or_null(json_object_get(rule, "because_en")));
		json_object_set_new(t, "because_nl", copy_or_null(json_object_get(rule, "because_nl")));
	}
	json_array_append_new(ev->trace, t);
	return t;
}

/* "a", "b", "c" of a vocabulary, for error messages; cut with ", ..." when it does not fit. */
static void vocab_list(const json_t *vocab, char *out, size_t outlen)
{
	static const char more[] = ", ...";
	size_t i, used = 0;
	json_t *e;
	out[0] = 0;
	json_array_foreach(vocab, i, e) {
		size_t room = outlen - used - sizeof more;
		int n = snprintf(out + used, room + 1, "%s\"%s\"", i ? ", " : "", json_string_value(e));
		if (n < 0 || (size_t)n > room) {
			memcpy(out + used, more, sizeof more);
			return;
		}
		used += (size_t)n;
	}
}

static int check_value(struct eval *ev, const struct aia_fact *f, const json_t *v, bool null_ok)
{
	char allowed[160];
	size_t i, j;
	json_t *e;
	switch (f->kind) {
	case AIA_KIND_ENUM:
		if (json_is_null(v) && null_ok)
			return 0;
		vocab_list(f->vocab, allowed, sizeof allowed);
		if (!json_is_string(v))
			return set_err(ev->e, AIA_EPROFILE, f->name, "must be %sone of %s", null_ok ? "null or " : "",
				       allowed);
		if (!has_value(f->vocab, json_string_value(v)))
			return set_err(ev->e, AIA_EPROFILE, f->name, "unknown value \"%s\" (allowed: %s)",
				       json_string_value(v), allowed);
		return 0;
	case AIA_KIND_LIST:
		vocab_list(f->vocab, allowed, sizeof allowed);
		if (!json_is_array(v))
			return set_err(ev->e, AIA_EPROFILE, f->name, "must be a list of %s", allowed);
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return set_err(ev->e, AIA_EPROFILE, f->name, "item %zu is not a text (allowed: %s)", i + 1,
					       allowed);
			if (!has_value(f->vocab, json_string_value(e)))
				return set_err(ev->e, AIA_EPROFILE, f->name, "unknown value \"%s\" (allowed: %s)",
					       json_string_value(e), allowed);
			for (j = 0; j < i; j++)
				if (!strcmp(json_string_value(json_array_get(v, j)), json_string_value(e)))
					return set_err(ev->e, AIA_EPROFILE, f->name, "\"%s\" appears twice",
						       json_string_value(e));
		}
		return 0;
	case AIA_KIND_BOOL:
		if (!json_is_boolean(v))
			return set_err(ev->e, AIA_EPROFILE, f->name, "must be true or false");
		return 0;
	case AIA_KIND_DATE:
		if (json_is_null(v) && null_ok)
			return 0;
		if (!json_is_string(v) || !date_valid_day(json_string_value(v)))
			return set_err(ev->e, AIA_EPROFILE, f->name, "must be %sa date YYYY-MM-DD",
				       null_ok ? "null or " : "");
		return 0;
	}
	return 0;
}

static int load_profile(struct eval *ev, const json_t *in)
{
	size_t n = aia_rules_profile_count(ev->r);
	const char *key;
	json_t *val;
	int rc;
	if (!json_is_object(in))
		return set_err(ev->e, AIA_EPROFILE, "", "the profile must be a JSON object");
	json_object_foreach((json_t *)in, key, val) {
		const struct aia_fact *f = aia_rules_fact(ev->r, key);
		(void)val;
		if (!f || f->profile_index < 0)
			return set_err(ev->e, AIA_EPROFILE, key, "unknown field");
	}
	for (size_t i = 0; i < n; i++) {
		const struct aia_fact *f = aia_rules_fact_at(ev->r, i);
		const json_t *def = json_object_get(f->spec, "default");
		const json_t *v = json_object_get(in, f->name);
		if (!v && !def)
			return set_err(ev->e, AIA_EPROFILE, f->name, "required");
		if (!v)
			v = def;
		/* null is a value only where the documented default is null */
		if ((rc = check_value(ev, f, v, def && json_is_null(def))))
			return rc;
		json_object_set_new(ev->profile, f->name, json_deep_copy(v));
		json_object_set_new(ev->facts, f->name, json_deep_copy(v));
		ev->masks[i] = UINT64_C(1) << i;
	}
	return 0;
}

/* A value whose applies_from has no date in the active timeline is not law there (e.g. a
 * prohibition that only an amendment introduces): it is dropped, and the trace says why. */
static void drop_inactive(struct eval *ev)
{
	size_t n = aia_rules_profile_count(ev->r);
	for (size_t i = 0; i < n; i++) {
		const struct aia_fact *f = aia_rules_fact_at(ev->r, i);
		json_t *v = json_object_get(ev->facts, f->name);
		if (f->kind != AIA_KIND_ENUM && f->kind != AIA_KIND_LIST)
			continue;
		for (size_t j = json_is_array(v) ? json_array_size(v) : 1; j-- > 0;) {
			const json_t *s = json_is_array(v) ? json_array_get(v, j) : v;
			const json_t *entry = json_is_string(s) ? aia_rules_value_entry(f, json_string_value(s)) : NULL;
			const char *from = str(entry, "applies_from"), *date = NULL, *source = NULL;
			if (!from || aia_rules_date(ev->r, ev->timeline, from, &date, &source) || date)
				continue;
			json_t *t = trace_add(ev, f->name, NULL, ev->masks[i], NULL);
			json_array_append_new(json_object_get(t, "articles"), json_string(str(entry, "article")));
			json_object_set_new(t, "because_en",
					    json_sprintf("\"%s\" is not law under timeline \"%s\" (%s); disregarded.",
							 json_string_value(s), ev->timeline, source ? source : ""));
			json_object_set_new(t, "because_nl",
					    json_sprintf("\"%s\" is geen recht onder tijdlijn \"%s\" (%s); buiten beschouwing gelaten.",
							 json_string_value(s), ev->timeline, source ? source : ""));
			if (json_is_array(v))
				json_array_remove(v, j);
			else
				json_object_set_new(ev->facts, f->name, json_null());
		}
	}
}

static bool is_output(const char *name)
{
	for (size_t i = 0; i < aia_output_nfacts; i++)
		if (!strcmp(aia_output_facts[i].name, name))
			return true;
	return false;
}

static void derive(struct eval *ev)
{
	const json_t *derive = aia_rules_section(ev->r, "derive");
	size_t i, j;
	json_t *d, *rule;
	json_array_foreach(derive, i, d) {
		const char *name = str(d, "fact");
		const struct aia_fact *f = aia_rules_fact(ev->r, name);
		const json_t *rules = json_object_get(d, "rules");
		if (!strcmp(str(d, "mode"), "add")) {
			json_t *list = json_object_get(ev->facts, name);
			json_array_foreach(rules, j, rule) {
				uint64_t m = 0;
				const char *val = str(rule, "value");
				if (!cond_eval(ev, json_object_get(rule, "when"), &m))
					continue;
				ev->masks[f->index] |= m;
				if (!has_value(list, val))
					json_array_append_new(list, json_string(val));
				trace_add(ev, name, json_object_get(rule, "value"), m, rule);
			}
			continue;
		}
		uint64_t m = 0;
		const json_t *hit = NULL;
		json_array_foreach(rules, j, rule) {
			/* The rules tried before the one that holds shaped the outcome too. */
			if (cond_eval(ev, json_object_get(rule, "when"), &m)) {
				hit = rule;
				break;
			}
		}
		const json_t *val = hit ? json_object_get(hit, "value") : NULL;
		ev->masks[f->index] = m;
		if (f->kind == AIA_KIND_DATE) {
			const char *key = json_string_value(val), *date = NULL;
			if (key)
				aia_rules_date(ev->r, ev->timeline, key, &date, NULL);
			ev->date_keys[f->index] = key;
			json_object_set_new(ev->facts, name, date ? json_string(date) : json_null());
		} else {
			json_object_set_new(ev->facts, name, copy_or_null(val));
		}
		ev->hits[f->index] = hit;
		/* Helper facts (dates of single obligations) are traced with the obligations that use
		 * them, so the trace lists each conclusion of the output once. */
		if (is_output(name))
			trace_add(ev, name, json_object_get(ev->facts, name), m, hit);
	}
}

static int constraints(struct eval *ev)
{
	size_t i;
	json_t *c;
	json_array_foreach(aia_rules_section(ev->r, "constraints"), i, c) {
		uint64_t m = 0;
		if (cond_eval(ev, json_object_get(c, "when"), &m))
			return set_err(ev->e, AIA_EPROFILE, str(c, "field"), "%s", str(c, "reason"));
	}
	return 0;
}

/* "{field}" becomes the article of that field's value (or the value itself). */
static char *article_text(const struct eval *ev, const char *tmpl)
{
	struct buf b;
	buf_init(&b, 1024);
	for (const char *p = tmpl; *p;) {
		const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(open - p));
		char name[80];
		snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
		const struct aia_fact *f = aia_rules_fact(ev->r, name);
		const char *val = json_string_value(json_object_get(ev->facts, name));
		const json_t *entry = f && val ? aia_rules_value_entry(f, val) : NULL;
		buf_puts(&b, str(entry, "article") ? str(entry, "article") : val ? val : name);
		p = close + 1;
	}
	return buf_release(&b, NULL);
}

static void resolve_date(const struct eval *ev, const char *from, const char **date, const char **source)
{
	const char *key = from;
	*date = *source = NULL;
	if (!aia_rules_date_key(ev->r, from)) {
		const struct aia_fact *f = aia_rules_fact(ev->r, from);
		key = f ? ev->date_keys[f->index] : NULL;
	}
	if (key)
		aia_rules_date(ev->r, ev->timeline, key, date, source);
}

static size_t collect_duties(struct eval *ev, struct duty **out)
{
	const json_t *obligations = aia_rules_section(ev->r, "obligations");
	const json_t *roles = json_object_get(ev->facts, AIA_ROLES_FACT);
	struct duty *d = xcalloc(json_array_size(obligations) + 1, sizeof *d);
	size_t i, n = 0;
	json_t *ob;
	json_array_foreach(obligations, i, ob) {
		uint64_t m = 0;
		if (!cond_eval(ev, json_object_get(ob, "when"), &m))
			continue;
		struct duty *x = &d[n];
		/* No date in this timeline for this system (e.g. a high-risk system already in service
		 * before the transitional cut-off): the duty is not law for it; the date's trace says why. */
		resolve_date(ev, str(ob, "applies_from"), &x->date, &x->date_source);
		if (!x->date)
			continue;
		n++;
		x->ob = ob;
		x->own = has_value(roles, str(ob, "role"));
		x->transparency = json_is_true(json_object_get(ob, "transparency"));
		x->article = article_text(ev, str(ob, "article"));
		if (!x->own)
			continue;
		/* The role and, for a derived date, the facts that set the date belong to the reasons. */
		const struct aia_fact *df = aia_rules_fact(ev->r, str(ob, "applies_from"));
		const json_t *dhit = df ? ev->hits[df->index] : NULL;
		m |= fact_mask(ev, AIA_ROLES_FACT) | (df ? ev->masks[df->index] : 0);
		json_t *t = trace_add(ev, "obligation", NULL, m, NULL);
		json_t *arts = json_object_get(t, "articles");
		json_object_set_new(t, "value", json_string(str(ob, "id")));
		json_array_append_new(arts, json_string(x->article));
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(dhit, "articles"), k, a) {
			if (!has_value(arts, json_string_value(a)))
				json_array_append_new(arts, json_string(json_string_value(a)));
		}
		if (dhit) {
			json_object_set_new(t, "because_en", copy_or_null(json_object_get(dhit, "because_en")));
			json_object_set_new(t, "because_nl", copy_or_null(json_object_get(dhit, "because_nl")));
		}
	}
	*out = d;
	return n;
}

/* ---- output ---- */

static void write_json(struct jsonw *w, const json_t *v)
{
	size_t i;
	const char *key;
	json_t *e;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jsonw_obj_open(w);
		json_object_foreach((json_t *)v, key, e) {
			if (is_meta(key))
				continue;
			jsonw_key(w, key);
			write_json(w, e);
		}
		jsonw_obj_close(w);
		break;
	case JSON_ARRAY:
		jsonw_arr_open(w);
		json_array_foreach(v, i, e) write_json(w, e);
		jsonw_arr_close(w);
		break;
	case JSON_STRING:
		jsonw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jsonw_int(w, json_integer_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		jsonw_bool(w, json_is_true(v));
		break;
	default:
		/* reals never occur in profiles or packs; null and anything else is written as null */
		jsonw_null(w);
		break;
	}
}

static void kv(struct jsonw *w, const char *key, const char *val)
{
	jsonw_key(w, key);
	jsonw_str(w, val);
}

static void write_duty(struct jsonw *w, const struct duty *d)
{
	jsonw_obj_open(w);
	kv(w, "id", str(d->ob, "id"));
	kv(w, "article", d->article);
	kv(w, "role", str(d->ob, "role"));
	kv(w, "applies_from", d->date);
	kv(w, "applies_from_source", d->date_source);
	kv(w, "title_nl", str(d->ob, "title_nl"));
	kv(w, "title_en", str(d->ob, "title_en"));
	kv(w, "source", str(d->ob, "source"));
	jsonw_obj_close(w);
}

static void write_assessment(struct eval *ev, struct jsonw *w, const struct duty *duties, size_t n)
{
	const json_t *tl = aia_rules_timeline(ev->r, ev->timeline);
	jsonw_obj_open(w);
	jsonw_key(w, "rules");
	jsonw_obj_open(w);
	kv(w, "pack", aia_rules_id(ev->r));
	kv(w, "version", aia_rules_version(ev->r));
	kv(w, "timeline", ev->timeline);
	kv(w, "timeline_title_nl", str(tl, "title_nl"));
	kv(w, "timeline_title_en", str(tl, "title_en"));
	kv(w, "timeline_source", str(tl, "source"));
	jsonw_obj_close(w);
	for (size_t i = 0; i < aia_output_nfacts; i++) {
		jsonw_key(w, aia_output_facts[i].name);
		write_json(w, json_object_get(ev->facts, aia_output_facts[i].name));
	}
	jsonw_key(w, "transparency");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		if (duties[i].transparency)
			write_duty(w, &duties[i]);
	jsonw_arr_close(w);
	jsonw_key(w, "obligations");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		if (duties[i].own)
			write_duty(w, &duties[i]);
	jsonw_arr_close(w);
	jsonw_key(w, "profile");
	write_json(w, ev->profile);
	jsonw_key(w, "trace");
	write_json(w, ev->trace);
	jsonw_obj_close(w);
}

/* ---- entry points ---- */

static int eval_init(struct eval *ev, const struct aia_rules *r, const char *timeline, struct aia_error *e)
{
	size_t n = aia_rules_fact_count(r);
	memset(ev, 0, sizeof *ev);
	ev->r = r;
	ev->e = e;
	ev->timeline = timeline ? timeline : aia_rules_default_timeline(r);
	if (!aia_rules_timeline(r, ev->timeline)) {
		char names[160] = "";
		size_t used = 0;
		for (size_t i = 0; i < aia_rules_timeline_count(r) && used < sizeof names; i++) {
			int k = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
					 aia_rules_timeline_name(r, i));
			used += k > 0 ? (size_t)k : 0;
		}
		return set_err(e, AIA_ETIMELINE, "timeline", "unknown timeline \"%s\" (known: %s)", ev->timeline, names);
	}
	ev->facts = json_object();
	ev->profile = json_object();
	ev->trace = json_array();
	ev->masks = xcalloc(n, sizeof *ev->masks);
	ev->date_keys = xcalloc(n, sizeof *ev->date_keys);
	ev->hits = xcalloc(n, sizeof *ev->hits);
	return 0;
}

static void eval_cleanup(struct eval *ev)
{
	json_decref(ev->facts);
	json_decref(ev->profile);
	json_decref(ev->trace);
	free(ev->masks);
	free(ev->date_keys);
	free(ev->hits);
}

/* Everything up to the obligations; shared by the check and the assessment. */
static int eval_run(struct eval *ev, const json_t *profile)
{
	int rc;
	if ((rc = load_profile(ev, profile)))
		return rc;
	drop_inactive(ev);
	json_object_set_new(ev->facts, AIA_TIMELINE_FACT, json_string(ev->timeline));
	derive(ev);
	return constraints(ev);
}

int aia_profile_check(const struct aia_rules *r, const char *timeline, const json_t *profile, struct aia_error *e)
{
	struct eval ev;
	int rc;
	if ((rc = eval_init(&ev, r, timeline, e)))
		return rc;
	rc = eval_run(&ev, profile);
	eval_cleanup(&ev);
	return rc;
}

int aia_assess_write(const struct aia_rules *r, const char *timeline, const json_t *profile, struct jsonw *out,
		     struct aia_error *e)
{
	struct eval ev;
	struct duty *duties = NULL;
	size_t n = 0;
	int rc;
	if ((rc = eval_init(&ev, r, timeline, e)))
		return rc;
	if ((rc = eval_run(&ev, profile)))
		goto out;
	n = collect_duties(&ev, &duties);
	write_assessment(&ev, out, duties, n);
	if (jsonw_error(out))
		rc = set_err(e, AIA_EOUTPUT, "", "the assessment does not fit the output buffer");
out:
	for (size_t i = 0; i < n; i++)
		free(duties[i].article);
	free(duties);
	eval_cleanup(&ev);
	return rc;
}

int aia_assess(const struct aia_rules *r, const char *timeline, const json_t *profile, struct jsonw *out,
	       char *err, size_t errlen)
{
	struct aia_error e = {{0}, {0}};
	int rc = aia_assess_write(r, timeline, profile, out, &e);
	if (rc)
		snprintf(err, errlen, "%s%s%s", e.field, *e.field ? ": " : "", e.reason);
	return rc;
}
