/* web_wizard.c - the workspace: the classification wizard.
 *
 * One Beslishulp question per page, saved after every answer (svc_class_put),
 * so a person can stop and come back; then a form for the profile fields the
 * tree does not ask; then the result with how it was reached. Every step is a
 * plain form that POSTs and answers 303 to a GET, so it works without
 * JavaScript and the browser's back button never re-posts an answer.
 *
 *   GET  /werkruimte/algoritmes/{id}/beslishulp            the next question (or on to the profile/result)
 *   POST /werkruimte/algoritmes/{id}/beslishulp            action=next|back|goto|restart
 *   GET  /werkruimte/algoritmes/{id}/beslishulp/profiel    the profile form (once the tree concluded)
 *   POST /werkruimte/algoritmes/{id}/beslishulp/profiel    save the profile (and timeline)
 *   GET  /werkruimte/algoritmes/{id}/beslishulp/resultaat  conclusion, assessment, trace */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia.h"
#include "aia_yaml.h"
#include "auth.h"
#include "date.h"
#include "embedded.h"
#include "form.h"
#include "reg.h"
#include "svc.h"
#include "text.h"
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

#define DEFINITIONS_PATH "rules/beslishulp/definitions.yaml"

/* ---- shared helpers ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~' || c == '/';
}

/* Workspace pages send anonymous visitors to the log-in page, which brings
 * them back here afterwards. */
static bool require_user(struct http_req *r)
{
	if (r->actor && r->actor->kind == ACTOR_USER)
		return true;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "/inloggen?next=");
	for (const unsigned char *p = (const unsigned char *)r->path; *p; p++)
		buf_printf(&b, unreserved(*p) ? "%c" : "%%%02X", *p);
	web_redirect(r, buf_str(&b));
	buf_cleanup(&b);
	return false;
}

/* Text that may hold the tree's HTML (<br>, <strong>, ...), reduced to the
 * register's allow-list so that it can be rendered raw. */
static json_t *safe_html(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	if (s)
		text_sanitize_html(s, strlen(s), &b);
	json_t *v = json_string(buf_str(&b));
	buf_cleanup(&b);
	return v;
}

static json_t *nice_date(const char *iso, const char *lang)
{
	char out[96];
	if (!iso)
		return json_null();
	web_date_text(iso, lang, out, sizeof out);
	return json_string(out);
}

static const char *msg(struct http_req *r, const char *key)
{
	return tmpl_message(key, web_lang(r));
}

/* ---- the algorithm and its classification ---- */

struct algo_info {
	char id[9];
	char *name;
	long long org_id;
	bool member, can_edit;
};

static int algo_cb(void *ctx, const struct algo_view *v)
{
	struct algo_info *ai = ctx;
	json_t *rec = json_loads(v->algo->record, 0, NULL);
	const char *name = json_string_value(json_object_get(rec, "name"));
	ai->name = xstrdup(name && *name ? name : v->algo->lars);
	ai->org_id = v->algo->org_id;
	ai->member = v->member;
	json_decref(rec);
	return 0;
}

/* Loads the algorithm of the route; renders 404 unless the actor is a member
 * of its organisation (the wizard is workspace, not register). */
static bool load_algo(struct http_req *r, struct algo_info *ai)
{
	struct svc_err e = {0};
	memset(ai, 0, sizeof *ai);
	if (!reg_id_valid(r->params[0]) || svc_algo_get(r->st, r->actor, r->params[0], 0, algo_cb, ai, &e) ||
	    !ai->member) {
		free(ai->name);
		ai->name = NULL;
		web_error(r, 404, "error.not_found");
		return false;
	}
	snprintf(ai->id, sizeof ai->id, "%s", r->params[0]);
	ai->can_edit = auth_can(r->actor, ai->org_id, PERM_EDIT);
	return true;
}

/* The stored classification (new reference), or an empty object when there
 * is none yet. */
static json_t *load_class(struct http_req *r, const char *id)
{
	struct svc_err e = {0};
	json_t *cls = NULL;
	if (svc_class_get(r->st, r->actor, id, &cls, &e) || !cls)
		return json_object();
	return cls;
}

static const char *answers_of(const json_t *cls)
{
	const char *s = json_string_value(json_object_get(cls, "answers"));
	return s ? s : "";
}

static void base_path(const char *id, const char *suffix, char *out, size_t n)
{
	snprintf(out, n, "/werkruimte/algoritmes/%s/beslishulp%s", id, suffix);
}

/* Writes the first n steps of a walk as an answers string. */
static void steps_answers(const struct aia_tree_result *tr, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n && i < tr->nsteps; i++)
		buf_printf(out, "%s%s=%zu", i ? "," : "", tr->steps[i].question->id, tr->steps[i].index);
}

static json_t *sources_json(const struct aia_source *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "title", s[i].title, "url", s[i].url ? s[i].url : ""));
	return a;
}

/* The path walked so far: each question with the answer given, and the step
 * index a "change" button goes back to. */
static json_t *path_json(const struct aia_tree_result *tr)
{
	json_t *a = json_array();
	for (size_t i = 0; i < tr->nsteps; i++) {
		const struct aia_tree_step *s = &tr->steps[i];
		json_array_append_new(a, json_pack("{s:i,s:i,s:s,s:s,s:s,s:s?}", "number", (int)i + 1, "step", (int)i,
						   "question_id", s->question->id, "question", s->question->text,
						   "answer", s->answer->text, "subresult", s->answer->subresult));
	}
	return a;
}

/* ---- definitions of terms ---- */

static pthread_once_t definitions_once = PTHREAD_ONCE_INIT;
static json_t *definitions;  /* the parsed file's "definitions" array; kept for the process's life */

static void definitions_load(void)
{
	const struct embedded_file *f = embedded_find(DEFINITIONS_PATH);
	char err[256];
	json_t *doc = f ? aia_yaml_parse(DEFINITIONS_PATH, f->data, f->len, err, sizeof err) : NULL;
	json_t *list = json_object_get(doc, "definitions");
	/* Without the file the pages still work; they only lack the glossary. */
	definitions = json_is_array(list) ? json_incref(list) : json_array();
	json_decref(doc);
}

static bool word_char(unsigned char c)
{
	/* Bytes of multi-byte UTF-8 count as letters, so "aanbieder" does not
	 * match inside "aanbiederë". '-' joins words: "AI-systeem". */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c >= 0x80;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when term occurs in text as a whole word, ASCII letters compared
 * without case. */
static bool has_word(const char *text, const char *term)
{
	size_t n = strlen(term);
	if (!n)
		return false;
	for (const char *p = text; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && lower(p[i]) == lower(term[i]))
			i++;
		if (i == n && (p == text || !word_char((unsigned char)p[-1])) && !word_char((unsigned char)p[n]))
			return true;
	}
	return false;
}

/* The glossary entries whose term occurs in the question or its answers. */
static json_t *terms_for(const struct aia_question *q)
{
	json_t *out = json_array(), *d;
	size_t i;
	struct buf all;
	pthread_once(&definitions_once, definitions_load);
	buf_init(&all, 0);
	buf_puts(&all, q->text);
	for (size_t k = 0; k < q->nanswers; k++)
		buf_printf(&all, "\n%s", q->answers[k].text);
	json_array_foreach(definitions, i, d) {
		const char *term = json_string_value(json_object_get(d, "term"));
		const char *def = json_string_value(json_object_get(d, "definition"));
		if (term && def && has_word(buf_str(&all), term))
			json_array_append_new(out, json_pack("{s:s,s:s}", "term", term, "definition", def));
	}
	buf_cleanup(&all);
	return out;
}

/* ---- the question page ---- */

static void question_page(struct http_req *r, const struct algo_info *ai, const struct aia_tree_result *tr,
			  const char *broken, long long chosen, bool missing_answer)
{
	char base[96], stage_key[64];
	const struct aia_question *q = tr->next;
	json_t *d = json_object(), *errors = json_array();
	base_path(ai->id, "", base, sizeof base);
	json_object_set_new(d, "algo", json_pack("{s:s,s:s}", "id", ai->id, "name", ai->name));
	json_object_set_new(d, "base", json_string(base));
	if (broken) {
		json_object_set_new(d, "title", json_string(msg(r, "wiz.broken.title")));
		json_object_set_new(d, "broken", json_string(broken));
	} else if (q) {
		json_t *answers = json_array();
		for (size_t i = 0; i < q->nanswers; i++)
			json_array_append_new(answers, json_pack("{s:i,s:s,s:s?,s:b}", "index", (int)i, "text",
								 q->answers[i].text, "subresult", q->answers[i].subresult,
								 "checked", chosen == (long long)i));
		json_t *qo = json_pack("{s:s,s:s,s:o,s:o,s:i}", "id", q->id, "text", q->text, "explanation_html",
				       safe_html(q->explanation), "answers", answers, "step", (int)tr->nsteps + 1);
		snprintf(stage_key, sizeof stage_key, "wiz.stage.%s", q->category ? q->category : "");
		if (q->category && strcmp(msg(r, stage_key), stage_key))
			json_object_set_new(qo, "stage", json_string(msg(r, stage_key)));
		if (q->subcategory)
			json_object_set_new(qo, "subcategory", json_string(q->subcategory));
		if (q->description)
			json_object_set_new(qo, "description", json_string(q->description));
		json_t *terms = terms_for(q);
		json_object_set_new(qo, "has_terms", json_boolean(json_array_size(terms) > 0));
		json_object_set_new(qo, "nterms", json_integer((json_int_t)json_array_size(terms)));
		json_object_set_new(qo, "terms", terms);
		json_object_set_new(qo, "has_sources", json_boolean(q->nsources > 0));
		json_object_set_new(qo, "sources", sources_json(q->sources, q->nsources));
		if (missing_answer) {
			json_object_set_new(qo, "answer_error", json_string(msg(r, "wiz.error.choose")));
			json_array_append_new(errors, json_pack("{s:s,s:s}", "target", "antwoord-0", "text",
								msg(r, "wiz.error.choose")));
		}
		json_object_set_new(d, "question", qo);
		char title[512];
		snprintf(title, sizeof title, "%s %zu: %s - %s", msg(r, "wiz.question_n"), tr->nsteps + 1, q->text,
			 ai->name);
		json_object_set_new(d, "title", json_string(title));
	}
	json_object_set_new(d, "has_back", json_boolean(tr->nsteps > 0));
	json_object_set_new(d, "trail", path_json(tr));
	json_object_set_new(d, "has_path", json_boolean(tr->nsteps > 0));
	json_object_set_new(d, "can_change", json_true());
	json_object_set_new(d, "has_errors", json_boolean(json_array_size(errors) > 0));
	json_object_set_new(d, "errors", errors);
	web_page(r, "wiz_question", d);
	if (missing_answer)
		r->status = 422;
	json_decref(d);
}

static void wizard_get(struct http_req *r)
{
	struct algo_info ai;
	struct aia_tree_result tr = {0};
	char err[256], where[128];
	if (!require_user(r) || !load_algo(r, &ai))
		return;
	json_t *cls = load_class(r, ai.id);
	bool walks = !aia_tree_step(aia_pack()->tree, answers_of(cls), &tr, err, sizeof err);
	bool profiled = json_is_object(json_object_get(cls, "assessment"));
	if (!ai.can_edit) {
		/* Lezers and goedkeurders may read a result, not answer questions. */
		base_path(ai.id, "/resultaat", where, sizeof where);
		if (walks && tr.conclusion && profiled)
			web_redirect(r, where);
		else
			web_error(r, 403, "wiz.error.forbidden");
	} else if (!walks) {
		/* Answers given under an older tree may no longer walk: start again. */
		question_page(r, &ai, &tr, err, -1, false);
	} else if (tr.conclusion) {
		base_path(ai.id, profiled ? "/resultaat" : "/profiel", where, sizeof where);
		web_redirect(r, where);
	} else {
		question_page(r, &ai, &tr, NULL, -1, false);
	}
	json_decref(cls);
	aia_tree_result_cleanup(&tr);
	free(ai.name);
}

/* Saves a new answers string (a partial path is fine). */
static int save_answers(struct http_req *r, const char *id, const char *answers, struct svc_err *e)
{
	json_t *body = json_pack("{s:s}", "answers", answers);
	int rc = svc_class_put(r->st, r->actor, id, body, e);
	json_decref(body);
	return rc;
}

static void wizard_post(struct http_req *r)
{
	struct algo_info ai;
	struct aia_tree_result tr = {0};
	struct svc_err e = {0};
	struct buf nb;
	char err[256], base[96];
	const json_t *f;
	long long n;
	if (!require_user(r) || !(f = web_form(r)) || !load_algo(r, &ai))
		return;
	buf_init(&nb, 0);
	json_t *cls = NULL;
	if (!ai.can_edit) {
		web_error(r, 403, "wiz.error.forbidden");
		goto out;
	}
	cls = load_class(r, ai.id);
	base_path(ai.id, "", base, sizeof base);
	const char *action = form_get(f, "action");
	bool walks = !aia_tree_step(aia_pack()->tree, answers_of(cls), &tr, err, sizeof err);
	if (!action) {
		web_error(r, 400, "error.form");
		goto out;
	}
	if (!strcmp(action, "restart")) {
		/* nothing to keep */
	} else if (!walks) {
		/* Only starting again repairs answers the tree no longer walks. */
		web_redirect(r, base);
		goto out;
	} else if (!strcmp(action, "next")) {
		const char *qid = form_get(f, "question"), *ans = form_get(f, "answer");
		/* A form from another tab or an older page answers a question that
		 * is no longer next: show the current one instead of guessing. */
		if (!tr.next || !qid || strcmp(qid, tr.next->id)) {
			web_redirect(r, base);
			goto out;
		}
		if (!ans || util_parse_int(ans, 0, (long long)tr.next->nanswers - 1, &n)) {
			question_page(r, &ai, &tr, NULL, -1, true);
			goto out;
		}
		steps_answers(&tr, tr.nsteps, &nb);
		buf_printf(&nb, "%s%s=%lld", tr.nsteps ? "," : "", tr.next->id, n);
	} else if (!strcmp(action, "back")) {
		steps_answers(&tr, tr.nsteps ? tr.nsteps - 1 : 0, &nb);
	} else if (!strcmp(action, "goto")) {
		const char *s = form_get(f, "step");
		if (!s || !tr.nsteps || util_parse_int(s, 0, (long long)tr.nsteps - 1, &n)) {
			web_redirect(r, base);
			goto out;
		}
		steps_answers(&tr, (size_t)n, &nb);
	} else {
		web_error(r, 400, "error.form");
		goto out;
	}
	if (save_answers(r, ai.id, buf_str(&nb), &e)) {
		web_error(r, e.status >= 400 && e.status < 600 ? e.status : 500, "wiz.error.save");
		goto out;
	}
	web_redirect(r, base);
out:
	json_decref(cls);
	aia_tree_result_cleanup(&tr);
	buf_cleanup(&nb);
	free(ai.name);
}

/* ---- the profile form ---- */

/* The profile fields in the order the form asks them, grouped in fieldsets.
 * Fields the rule pack adds later land in the last group, so none is lost. */
static const struct {
	const char *field;
	int group;
} profile_order[] = {
	{"type", 0}, {"roles", 0},
	{"public_authority", 1}, {"public_service", 1}, {"law_enforcement", 1}, {"exclusion", 1},
	{"prohibited", 2}, {"annex1", 2}, {"annex3", 2}, {"art6_3", 2}, {"profiling", 2}, {"art25", 2},
	{"art50", 3},
	{"in_service_since", 4}, {"significant_change", 4}, {"impactful", 4},
	{"systemic_risk", 5}, {"open_source", 5},
};
#define PROFILE_GROUPS 7  /* the last one: fields not in profile_order */

static int field_group(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(profile_order); i++)
		if (!strcmp(profile_order[i].field, name))
			return profile_order[i].group;
	return PROFILE_GROUPS - 1;
}

static size_t field_rank(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(profile_order); i++)
		if (!strcmp(profile_order[i].field, name))
			return i;
	return ARRAY_LEN(profile_order);
}

/* The label of a vocabulary value in the page's language. */
static const char *value_title(const struct aia_fact *f, const char *value, const char *lang)
{
	const json_t *e = aia_rules_value_entry(f, value);
	const char *t = json_string_value(json_object_get(e, strcmp(lang, "en") ? "title_nl" : "title_en"));
	return t ? t : value;
}

/* The id of the element an error about field links to. */
static void field_target(const struct aia_fact *f, char *out, size_t n)
{
	if (f && f->kind == AIA_KIND_LIST)
		snprintf(out, n, "f-%s-0", f->name);
	else
		snprintf(out, n, "f-%s", f ? f->name : "type");
}

static bool list_has(const json_t *list, const char *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
		if (json_is_string(x) && !strcmp(json_string_value(x), v))
			return true;
	return false;
}

/* One field of the form: its kind decides the control. */
static json_t *field_json(struct http_req *r, const struct aia_fact *f, const json_t *value, const char *error)
{
	const char *lang = web_lang(r);
	char key[96];
	json_t *o = json_pack("{s:s,s:b,s:b,s:b,s:b}", "name", f->name, "is_enum", f->kind == AIA_KIND_ENUM,
			      "is_list", f->kind == AIA_KIND_LIST, "is_bool", f->kind == AIA_KIND_BOOL, "is_date",
			      f->kind == AIA_KIND_DATE);
	snprintf(key, sizeof key, "wiz.f.%s", f->name);
	json_object_set_new(o, "label", json_string(strcmp(msg(r, key), key) ? msg(r, key) : f->name));
	snprintf(key, sizeof key, "wiz.h.%s", f->name);
	json_object_set_new(o, "help", json_string(strcmp(msg(r, key), key) ? msg(r, key) : ""));
	json_object_set_new(o, "ferror", error ? json_string(error) : json_null());
	json_t *options = json_array();
	size_t i;
	json_t *v;
	if (f->vocab) {
		json_array_foreach(f->vocab, i, v) {
			const char *val = json_string_value(v);
			const char *title = value_title(f, val, lang);
			char label[512];
			if (!strcmp(title, val))
				snprintf(label, sizeof label, "%s", val);
			else if (f->kind == AIA_KIND_ENUM)
				snprintf(label, sizeof label, "%s – %s", val, title);
			else
				snprintf(label, sizeof label, "%s", title);
			bool on = f->kind == AIA_KIND_LIST ? list_has(value, val)
							   : json_is_string(value) && !strcmp(json_string_value(value), val);
			json_array_append_new(options, json_pack("{s:s,s:s,s:i,s:b}", "value", val, "label", label, "index",
								 (int)i, "on", on));
		}
	}
	json_object_set_new(o, "options", options);
	const json_t *spec_default = json_object_get(f->spec, "default");
	/* A field without default (type) is required: its empty choice asks to choose. */
	json_object_set_new(o, "empty_label", json_string(msg(r, spec_default ? "wiz.none" : "wiz.choose")));
	json_object_set_new(o, "checked", json_boolean(json_is_true(value)));
	json_object_set_new(o, "value", json_string(json_is_string(value) ? json_string_value(value) : ""));
	return o;
}

static const char *const group_keys[PROFILE_GROUPS] = {
	"wiz.g.kind", "wiz.g.scope", "wiz.g.risk", "wiz.g.transparency", "wiz.g.service", "wiz.g.gpai", "wiz.g.other",
};

/* Renders the profile form with values (an object of field -> value), and
 * the error of a refused save (field may be NULL). */
static void profile_page(struct http_req *r, const struct algo_info *ai, const json_t *cls,
			 const struct aia_tree_result *tr, const json_t *values, const char *timeline,
			 const char *err_field, const char *err_reason)
{
	const struct aia_rules *rules = aia_pack()->rules;
	const char *lang = web_lang(r);
	char base[96], action[112], target[80];
	json_t *d = json_object(), *groups = json_array(), *errors = json_array();
	json_t *gfields[PROFILE_GROUPS];
	size_t nprofile = aia_rules_profile_count(rules);
	const struct aia_fact **facts = xcalloc(nprofile ? nprofile : 1, sizeof *facts);
	base_path(ai->id, "", base, sizeof base);
	base_path(ai->id, "/profiel", action, sizeof action);
	for (size_t g = 0; g < PROFILE_GROUPS; g++)
		gfields[g] = json_array();
	/* Sorted by the form's order; insertion sort, as there are about twenty. */
	for (size_t i = 0; i < nprofile; i++) {
		const struct aia_fact *f = aia_rules_fact_at(rules, i);
		size_t j = i;
		while (j > 0 && field_rank(facts[j - 1]->name) > field_rank(f->name)) {
			facts[j] = facts[j - 1];
			j--;
		}
		facts[j] = f;
	}
	bool field_known = false;
	for (size_t i = 0; i < nprofile; i++) {
		const struct aia_fact *f = facts[i];
		bool bad = err_field && !strcmp(err_field, f->name);
		field_known |= bad;
		json_array_append_new(gfields[field_group(f->name)],
				      field_json(r, f, json_object_get(values, f->name), bad ? msg(r, "wiz.error.field") : NULL));
		if (bad) {
			char text[512], key[96];
			snprintf(key, sizeof key, "wiz.f.%s", f->name);
			snprintf(text, sizeof text, "%s: %s", msg(r, key), msg(r, "wiz.error.field"));
			field_target(f, target, sizeof target);
			json_array_append_new(errors, json_pack("{s:s,s:s,s:s?}", "target", target, "text", text, "detail",
								err_reason));
		}
	}
	free(facts);
	for (size_t g = 0; g < PROFILE_GROUPS; g++) {
		if (json_array_size(gfields[g]))
			json_array_append_new(groups, json_pack("{s:s,s:i,s:o}", "legend", msg(r, group_keys[g]), "n",
								(int)g, "fields", gfields[g]));
		else
			json_decref(gfields[g]);
	}
	/* The timeline the assessment uses: the law as published, or as amended. */
	json_t *timelines = json_array();
	const char *chosen = timeline ? timeline : aia_rules_default_timeline(rules);
	for (size_t i = 0; i < aia_rules_timeline_count(rules); i++) {
		const char *name = aia_rules_timeline_name(rules, i);
		const json_t *t = aia_rules_timeline(rules, name);
		const char *title = json_string_value(json_object_get(t, strcmp(lang, "en") ? "title_nl" : "title_en"));
		json_array_append_new(timelines, json_pack("{s:s,s:s,s:b}", "value", name, "label", title ? title : name,
							   "on", chosen && !strcmp(chosen, name)));
	}
	bool timeline_bad = err_field && !strcmp(err_field, "timeline");
	if (timeline_bad)
		json_array_append_new(errors, json_pack("{s:s,s:s,s:s?}", "target", "f-timeline", "text",
							msg(r, "wiz.error.timeline"), "detail", err_reason));
	else if (err_field && !field_known)
		json_array_append_new(errors, json_pack("{s:s,s:s,s:s?}", "target", "f-type", "text",
							msg(r, "wiz.error.profile"), "detail", err_reason));
	char title[600];
	snprintf(title, sizeof title, "%s - %s", msg(r, "wiz.profile.title"), ai->name);
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "algo", json_pack("{s:s,s:s}", "id", ai->id, "name", ai->name));
	json_object_set_new(d, "base", json_string(base));
	json_object_set_new(d, "action", json_string(action));
	json_object_set_new(d, "groups", groups);
	json_object_set_new(d, "timelines", timelines);
	json_object_set_new(d, "timeline_error", timeline_bad ? json_string(msg(r, "wiz.error.timeline")) : json_null());
	json_object_set_new(d, "has_errors", json_boolean(json_array_size(errors) > 0));
	json_object_set_new(d, "errors", errors);
	if (tr->conclusion)
		json_object_set_new(d, "conclusion", json_pack("{s:s,s:o}", "text", tr->conclusion->text, "obligation_html",
							       safe_html(tr->conclusion->obligation)));
	json_object_set_new(d, "suggested", json_boolean(json_is_object(json_object_get(cls, "profile_suggestion"))));
	json_object_set_new(d, "trail", path_json(tr));
	json_object_set_new(d, "has_path", json_boolean(tr->nsteps > 0));
	json_object_set_new(d, "can_change", json_true());
	web_page(r, "wiz_profile", d);
	if (err_field)
		r->status = 422;
	json_decref(d);
}

/* The values the form starts with: the stored profile, or the pack's
 * defaults with the type and roles the tree's labels suggest. */
static json_t *initial_values(const json_t *cls)
{
	const struct aia_rules *rules = aia_pack()->rules;
	const json_t *stored = json_object_get(cls, "profile");
	json_t *v = json_object();
	for (size_t i = 0; i < aia_rules_profile_count(rules); i++) {
		const struct aia_fact *f = aia_rules_fact_at(rules, i);
		const json_t *def = json_object_get(f->spec, "default");
		if (def)
			json_object_set(v, f->name, (json_t *)def);
	}
	if (json_is_object(stored)) {
		json_object_update(v, (json_t *)stored);
	} else {
		const json_t *s = json_object_get(cls, "profile_suggestion");
		const json_t *type = json_object_get(s, "type"), *roles = json_object_get(s, "roles");
		if (json_is_string(type))
			json_object_set(v, "type", (json_t *)type);
		if (json_array_size(roles))
			json_object_set(v, "roles", (json_t *)roles);
	}
	return v;
}

/* Gets the algorithm, its classification and the walk for the profile and
 * result pages; redirects to the question page while the tree has not
 * concluded. Returns the classification (caller owns) or NULL when a
 * response was made. */
static json_t *concluded(struct http_req *r, struct algo_info *ai, struct aia_tree_result *tr)
{
	char err[256], base[96];
	if (!require_user(r) || !load_algo(r, ai))
		return NULL;
	json_t *cls = load_class(r, ai->id);
	if (aia_tree_step(aia_pack()->tree, answers_of(cls), tr, err, sizeof err) || !tr->conclusion) {
		base_path(ai->id, "", base, sizeof base);
		/* Editors go on answering; readers have nothing to see yet. */
		if (ai->can_edit)
			web_redirect(r, base);
		else
			web_error(r, 404, "wiz.error.not_classified");
		json_decref(cls);
		free(ai->name);
		ai->name = NULL;
		return NULL;
	}
	return cls;
}

static void profile_get(struct http_req *r)
{
	struct algo_info ai;
	struct aia_tree_result tr = {0};
	json_t *cls = concluded(r, &ai, &tr);
	if (!cls)
		return;
	if (!ai.can_edit) {
		web_error(r, 403, "wiz.error.forbidden");
	} else {
		json_t *values = initial_values(cls);
		profile_page(r, &ai, cls, &tr, values, json_string_value(json_object_get(cls, "timeline")), NULL, NULL);
		json_decref(values);
	}
	json_decref(cls);
	aia_tree_result_cleanup(&tr);
	free(ai.name);
}

/* "YYYY-MM-DD" as date inputs send it, or "D-M-YYYY" as people type it where
 * the browser shows a plain text box; anything else is passed on for the
 * assessment to refuse. */
static json_t *parse_date(const char *s)
{
	char tmp[32];
	if (!s)
		return json_null();
	snprintf(tmp, sizeof tmp, "%s", s);
	text_trim(tmp);
	if (!*tmp)
		return json_null();
	const char *p = tmp;
	long long part[3];
	int np = 0;
	while (np < 3) {
		char num[8];
		size_t n = strspn(p, "0123456789");
		if (!n || n >= sizeof num)
			break;
		memcpy(num, p, n);
		num[n] = '\0';
		util_parse_int(num, 0, 9999, &part[np++]);
		p += n;
		if (*p != '-' && *p != '/' && *p != '.')
			break;
		p++;
	}
	if (np == 3 && !*p && part[2] >= 1000 && part[0] <= 31) {
		char iso[16];
		snprintf(iso, sizeof iso, "%04lld-%02lld-%02lld", part[2], part[1], part[0]);
		return json_string(iso);
	}
	return json_string(tmp);
}

/* The profile as the form sent it: every field explicit, so what the page
 * shows is what is stored. */
static json_t *profile_from_form(const json_t *f)
{
	const struct aia_rules *rules = aia_pack()->rules;
	json_t *p = json_object();
	for (size_t i = 0; i < aia_rules_profile_count(rules); i++) {
		const struct aia_fact *fa = aia_rules_fact_at(rules, i);
		const json_t *v = json_object_get(f, fa->name);
		const char *s = form_get(f, fa->name);
		switch (fa->kind) {
		case AIA_KIND_ENUM:
			json_object_set_new(p, fa->name, s && *s ? json_string(s) : json_null());
			break;
		case AIA_KIND_LIST: {
			json_t *list = json_array();
			if (json_is_string(v))
				json_array_append(list, (json_t *)v);
			else if (json_is_array(v))
				json_array_extend(list, (json_t *)v);
			json_object_set_new(p, fa->name, list);
			break;
		}
		case AIA_KIND_BOOL:
			json_object_set_new(p, fa->name, json_boolean(s != NULL));
			break;
		case AIA_KIND_DATE:
			json_object_set_new(p, fa->name, parse_date(s));
			break;
		}
	}
	/* type has no default: an unchosen type is left out so the assessment names it. */
	if (json_is_null(json_object_get(p, "type")))
		json_object_del(p, "type");
	return p;
}

static void profile_post(struct http_req *r)
{
	struct algo_info ai;
	struct aia_tree_result tr = {0};
	struct svc_err e = {0};
	char where[128];
	const json_t *f;
	if (!require_user(r) || !(f = web_form(r)))
		return;
	json_t *cls = concluded(r, &ai, &tr);
	if (!cls)
		return;
	if (!ai.can_edit) {
		web_error(r, 403, "wiz.error.forbidden");
		goto out;
	}
	const char *timeline = form_get(f, "timeline");
	json_t *profile = profile_from_form(f);
	json_t *body = json_pack("{s:O}", "profile", profile);
	if (timeline && *timeline)
		json_object_set_new(body, "timeline", json_string(timeline));
	int rc = svc_class_put(r->st, r->actor, ai.id, body, &e);
	json_decref(body);
	if (rc == 422 || rc == 400) {
		const char *field = e.errs.n ? e.errs.e[0].field : rc == 400 ? "timeline" : "";
		const char *reason = e.errs.n ? e.errs.e[0].message : e.message;
		profile_page(r, &ai, cls, &tr, profile, timeline, field, reason);
	} else if (rc) {
		web_error(r, rc, "wiz.error.save");
	} else {
		base_path(ai.id, "/resultaat", where, sizeof where);
		web_redirect(r, where);
	}
	json_decref(profile);
out:
	json_decref(cls);
	aia_tree_result_cleanup(&tr);
	free(ai.name);
}

/* ---- the result ---- */

/* A value of the assessment in words: message key prefix + value, else the value. */
static json_t *word(struct http_req *r, const char *prefix, const char *value)
{
	char key[128];
	if (!value)
		return json_null();
	snprintf(key, sizeof key, "%s%s", prefix, value);
	const char *m = msg(r, key);
	return json_string(strcmp(m, key) ? m : value);
}

static json_t *duties_json(struct http_req *r, const json_t *list)
{
	const struct aia_fact *roles = aia_rules_fact(aia_pack()->rules, AIA_ROLES_FACT);
	const char *lang = web_lang(r);
	bool en = !strcmp(lang, "en");
	json_t *out = json_array(), *o;
	size_t i;
	json_array_foreach(list, i, o) {
		const char *role = json_string_value(json_object_get(o, "role"));
		json_array_append_new(out, json_pack("{s:O?,s:O?,s:s?,s:o,s:O?}", "title",
						     json_object_get(o, en ? "title_en" : "title_nl"), "article",
						     json_object_get(o, "article"), "role",
						     role && roles ? value_title(roles, role, lang) : role, "date",
						     nice_date(json_string_value(json_object_get(o, "applies_from")), lang),
						     "source", json_object_get(o, "applies_from_source")));
	}
	return out;
}

/* A trace value in words: yes/no, a date, or the text. */
static json_t *trace_value(struct http_req *r, const json_t *v)
{
	if (json_is_boolean(v))
		return json_string(msg(r, json_is_true(v) ? "wiz.yes" : "wiz.no"));
	if (json_is_null(v) || !v)
		return json_string(msg(r, "wiz.nothing"));
	if (json_is_string(v))
		return nice_date(json_string_value(v), web_lang(r));
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *o = json_string(s ? s : "");
	free(s);
	return o;
}

/* A trace value in words, with the vocabulary of the facts that have one. */
static json_t *trace_word(struct http_req *r, const char *conclusion, const json_t *v)
{
	static const struct { const char *fact, *prefix; } vocab[] = {
		{"risk_group", "wiz.rg."}, {"publication_category", "wiz.pc."}, {"eu_registration", "wiz.eu."},
	};
	for (size_t i = 0; json_is_string(v) && i < ARRAY_LEN(vocab); i++)
		if (!strcmp(conclusion, vocab[i].fact))
			return word(r, vocab[i].prefix, json_string_value(v));
	return trace_value(r, v);
}

static void result_get(struct http_req *r)
{
	struct algo_info ai;
	struct aia_tree_result tr = {0};
	char base[96], profile[112], where[128];
	json_t *cls = concluded(r, &ai, &tr);
	if (!cls)
		return;
	const char *lang = web_lang(r);
	bool en = !strcmp(lang, "en");
	const json_t *as = json_object_get(cls, "assessment");
	if (!json_is_object(as)) {
		base_path(ai.id, ai.can_edit ? "/profiel" : "", where, sizeof where);
		if (ai.can_edit)
			web_redirect(r, where);
		else
			web_error(r, 404, "wiz.error.not_classified");
		goto out;
	}
	base_path(ai.id, "", base, sizeof base);
	base_path(ai.id, "/profiel", profile, sizeof profile);
	json_t *d = json_object();
	char title[600];
	snprintf(title, sizeof title, "%s: %s", msg(r, "wiz.result.title"), ai.name);
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "algo", json_pack("{s:s,s:s}", "id", ai.id, "name", ai.name));
	json_object_set_new(d, "base", json_string(base));
	json_object_set_new(d, "profile_url", json_string(profile));
	json_object_set_new(d, "can_edit", json_boolean(ai.can_edit));
	json_object_set_new(d, "conclusion",
			    json_pack("{s:s,s:s,s:o,s:s?,s:o,s:b}", "id", tr.conclusion->id, "text", tr.conclusion->text,
				      "obligation_html", safe_html(tr.conclusion->obligation), "comment",
				      tr.conclusion->comment, "sources",
				      sources_json(tr.conclusion->sources, tr.conclusion->nsources), "has_sources",
				      tr.conclusion->nsources > 0));
	const json_t *rules = json_object_get(as, "rules");
	const char *hr = json_string_value(json_object_get(as, "high_risk_applies_from"));
	json_t *obligations = duties_json(r, json_object_get(as, "obligations"));
	json_t *transparency = duties_json(r, json_object_get(as, "transparency"));
	json_t *a = json_pack("{s:o,s:o,s:s,s:o,s:o,s:O?,s:O?}", "risk_group",
			      word(r, "wiz.rg.", json_string_value(json_object_get(as, "risk_group"))),
			      "publication_category",
			      word(r, "wiz.pc.", json_string_value(json_object_get(as, "publication_category"))), "fria",
			      msg(r, json_is_true(json_object_get(as, "fria_required")) ? "wiz.yes" : "wiz.no"),
			      "eu_registration", word(r, "wiz.eu.", json_string_value(json_object_get(as, "eu_registration"))),
			      "high_risk_date", hr ? nice_date(hr, lang) : json_string(msg(r, "wiz.nothing")), "timeline",
			      json_object_get(rules, en ? "timeline_title_en" : "timeline_title_nl"), "timeline_source",
			      json_object_get(rules, "timeline_source"));
	json_object_set_new(a, "has_obligations", json_boolean(json_array_size(obligations) > 0));
	json_object_set_new(a, "obligations", obligations);
	json_object_set_new(a, "has_transparency", json_boolean(json_array_size(transparency) > 0));
	json_object_set_new(a, "transparency", transparency);
	json_object_set_new(a, "pack", json_pack("{s:O?,s:O?}", "name", json_object_get(rules, "pack"), "version",
						 json_object_get(rules, "version")));
	/* Why: the derived facts with their reasons and articles (obligations
	 * have their own table above). */
	json_t *why = json_array(), *t;
	size_t i;
	json_array_foreach(json_object_get(as, "trace"), i, t) {
		const char *c = json_string_value(json_object_get(t, "conclusion"));
		if (!c || !strcmp(c, "obligation"))
			continue;
		char key[96];
		snprintf(key, sizeof key, "wiz.c.%s", c);
		json_t *arts = json_object_get(t, "articles");
		struct buf ab;
		buf_init(&ab, 0);
		size_t k;
		json_t *x;
		json_array_foreach(arts, k, x)
			buf_printf(&ab, "%s%s", k ? ", " : "", json_string_value(x) ? json_string_value(x) : "");
		json_array_append_new(why, json_pack("{s:s,s:o,s:O?,s:s}", "what", strcmp(msg(r, key), key) ? msg(r, key) : c,
						     "value", trace_word(r, c, json_object_get(t, "value")), "because",
						     json_object_get(t, en ? "because_en" : "because_nl"), "articles",
						     buf_str(&ab)));
		buf_cleanup(&ab);
	}
	json_object_set_new(a, "why", why);
	json_object_set_new(d, "assessment", a);
	json_object_set_new(d, "trail", path_json(&tr));
	json_t *labels = json_object_get(cls, "labels");
	json_object_set_new(d, "labels", json_is_array(labels) ? json_incref(labels) : json_array());
	json_object_set_new(d, "has_labels", json_boolean(json_array_size(labels) > 0));
	/* The tree and the assessment disagree: say so, with both answers. */
	json_t *warnings = json_array(), *w;
	json_array_foreach(json_object_get(cls, "warnings"), i, w)
		json_array_append_new(warnings, json_pack("{s:o,s:o}", "tree",
							  word(r, "wiz.rg.", json_string_value(json_object_get(w, "tree"))),
							  "assessment",
							  word(r, "wiz.rg.", json_string_value(json_object_get(w, "assessment")))));
	json_object_set_new(d, "has_warnings", json_boolean(json_array_size(warnings) > 0));
	json_object_set_new(d, "warnings", warnings);
	json_object_set_new(d, "reevaluated", json_boolean(json_is_object(json_object_get(cls, "reevaluation"))));
	const char *upd = json_string_value(json_object_get(cls, "updated_at"));
	json_object_set_new(d, "updated", upd ? nice_date(upd, lang) : json_null());
	json_object_set(d, "updated_by", json_object_get(cls, "updated_by"));
	web_page(r, "wiz_result", d);
	json_decref(d);
out:
	json_decref(cls);
	aia_tree_result_cleanup(&tr);
	free(ai.name);
}

static const struct http_route routes[] = {
	{"GET", "/werkruimte/algoritmes/{}/beslishulp", wizard_get, 0},
	{"POST", "/werkruimte/algoritmes/{}/beslishulp", wizard_post, 0},
	{"GET", "/werkruimte/algoritmes/{}/beslishulp/profiel", profile_get, 0},
	{"POST", "/werkruimte/algoritmes/{}/beslishulp/profiel", profile_post, 0},
	{"GET", "/werkruimte/algoritmes/{}/beslishulp/resultaat", result_get, 0},
};

const struct http_route *web_wizard_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
