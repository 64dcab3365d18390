/* svc_classify.c - the AI Act classification of a record: Beslishulp answers,
 * profile, assessment, re-evaluation when the rule pack changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aia.h"
#include "svc_internal.h"
#include "util.h"

/* The risk groups the tree's labels and the assessment share (the tree's
 * "niet van toepassing" label also means "no third-party assessment", so it is
 * not compared). */
static const char *const risk_labels[] = {"verboden AI", "hoog-risico AI", "geen hoog-risico AI",
					  "uitzondering van toepassing"};
static const char *const type_labels[] = {"AI-systeem", "AI-systeem voor algemene doeleinden",
					  "AI-model voor algemene doeleinden", "geen algoritme"};
static const char *const role_labels[] = {"aanbieder", "gebruiksverantwoordelijke", "importeur", "distributeur"};

static const struct aia_pack *pack_or_fail(struct svc_err *e)
{
	const struct aia_pack *p = aia_pack();
	if (!p)
		svc_fail(e, 500, "rules_unavailable", "the rule pack is not loaded");
	return p;
}

int svc_assess(const json_t *profile, const char *timeline, struct buf *out, struct svc_err *e)
{
	const struct aia_pack *p = pack_or_fail(e);
	struct aia_error ae = {0};
	struct jsonw w;
	if (!p)
		return e->status;
	jsonw_init(&w, out);
	int rc = aia_assess_write(p->rules, timeline, profile, &w, &ae);
	if (rc == AIA_EPROFILE) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, ae.field, "invalid", "%s", ae.reason);
		return svc_fail(e, 422, "invalid_profile", "%s: %s", ae.field, ae.reason);
	}
	if (rc == AIA_ETIMELINE)
		return svc_fail(e, 400, "unknown_timeline", "%s", ae.reason[0] ? ae.reason : "unknown timeline");
	return rc ? svc_fail(e, 500, "assessment_failed", "the assessment could not be written") : 0;
}

/* What a classification row holds, owned. */
struct cls {
	char *answers, *conclusion, *labels, *profile, *timeline, *pack_version, *assessment, *previous, *changes,
		*updated_at, *updated_by, *public_assessment, *public_conclusion;
	bool found;
};

static char *dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int cls_cb(void *ctx, const struct classification *c)
{
	struct cls *x = ctx;
	x->found = true;
	x->answers = dup(c->answers);
	x->conclusion = dup(c->conclusion);
	x->labels = dup(c->labels);
	x->profile = dup(c->profile);
	x->timeline = dup(c->timeline);
	x->pack_version = dup(c->pack_version);
	x->assessment = dup(c->assessment);
	x->previous = dup(c->previous);
	x->changes = dup(c->changes);
	x->updated_at = dup(c->updated_at);
	x->updated_by = dup(c->updated_by);
	x->public_assessment = dup(c->public_assessment);
	x->public_conclusion = dup(c->public_conclusion);
	return 0;
}

static void cls_cleanup(struct cls *x)
{
	char *all[] = {x->answers, x->conclusion, x->labels, x->profile, x->timeline, x->pack_version,
		       x->assessment, x->previous, x->changes, x->updated_at, x->updated_by, x->public_assessment,
		       x->public_conclusion};
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		free(all[i]);
	memset(x, 0, sizeof *x);
}

static json_t *parse(const char *s)
{
	return s ? json_loads(s, 0, NULL) : json_null();
}

/* Who may read: members, and everyone once the algorithm is published. */
static int readable(struct store *st, const struct actor *a, const char *lars, struct current *c,
		    struct svc_err *e)
{
	int rc = svc_load_current(st, lars, c, e);
	if (!rc && !auth_member(a, c->org_id) && !c->published_version)
		rc = svc_fail(e, 404, "not_found", "no such algorithm");
	return rc;
}

/* The Algoritmekader requirements for a profile and its assessment. */
static json_t *requirements(const struct aia_pack *p, json_t *profile, json_t *assessment)
{
	struct aia_kader_facets f;
	struct aia_kader_result res;
	char err[256];
	json_t *transp = json_object_get(assessment, "transparency");
	json_t *facets = json_pack("{s:O?,s:O?,s:O?,s:s,s:O?,s:O?}", "type", json_object_get(profile, "type"),
				   "risk_group", json_object_get(assessment, "risk_group"), "roles",
				   json_object_get(profile, "roles"), "transparency",
				   json_array_size(transp) ? "transparantieverplichting" : "geen transparantieverplichting",
				   "systemic_risk", json_object_get(profile, "systemic_risk"), "open_source",
				   json_object_get(profile, "open_source"));
	json_t *out;
	if (aia_kader_facets_from_json(facets, &f, err, sizeof err) || aia_kader_derive(p->kader, &f, &res, err, sizeof err)) {
		out = json_pack("{s:s}", "error", err);
	} else {
		struct buf b;
		struct jsonw w;
		buf_init(&b, 0);
		jsonw_init(&w, &b);
		aia_kader_result_write(p->kader, &res, &w);
		out = json_loads(buf_str(&b), 0, NULL);
		buf_cleanup(&b);
		aia_kader_result_cleanup(&res);
	}
	json_decref(facets);
	return out;
}

static bool has_label(json_t *labels, const char *l)
{
	size_t i;
	json_t *v;
	json_array_foreach(labels, i, v)
		if (!strcmp(json_string_value(v), l))
			return true;
	return false;
}

/* What the tree's labels say about the profile: a suggestion before there is
 * one, and a warning where the assessment's risk group disagrees. */
static void label_hints(json_t *out, json_t *labels, json_t *profile, json_t *assessment)
{
	json_t *warnings = json_array();
	if (json_is_null(profile) && json_array_size(labels)) {
		json_t *s = json_object(), *roles = json_array();
		for (size_t i = 0; i < ARRAY_LEN(type_labels); i++)
			if (has_label(labels, type_labels[i]))
				json_object_set_new(s, "type", json_string(type_labels[i]));
		for (size_t i = 0; i < ARRAY_LEN(role_labels); i++)
			if (has_label(labels, role_labels[i]))
				json_array_append_new(roles, json_string(role_labels[i]));
		json_object_set_new(s, "roles", roles);
		json_object_set_new(out, "profile_suggestion", s);
	}
	const char *rg = json_string_value(json_object_get(assessment, "risk_group"));
	for (size_t i = 0; rg && i < ARRAY_LEN(risk_labels); i++)
		if (has_label(labels, risk_labels[i]) && strcmp(rg, risk_labels[i]))
			json_array_append_new(warnings, json_pack("{s:s,s:s,s:s}", "code", "risk_group_differs", "tree",
								  risk_labels[i], "assessment", rg));
	json_object_set_new(out, "warnings", warnings);
}

/* What the public sees: the assessment as it was when the algorithm was
 * published, and its requirements; no answers in progress, no names of staff. */
static int public_view(const struct aia_pack *p, const char *lars, struct cls *x, json_t **out, struct svc_err *e)
{
	if (!x->public_assessment)
		return svc_fail(e, 404, "not_classified", "algorithm %s has no published classification", lars);
	json_t *as = parse(x->public_assessment), *profile = json_object_get(as, "profile");
	const struct aia_conclusion *cc = x->public_conclusion ? aia_tree_conclusion(p->tree, x->public_conclusion) : NULL;
	*out = json_pack("{s:s,s:O,s:o}", "id", lars, "assessment", as, "conclusion",
			 cc ? json_pack("{s:s,s:s,s:s}", "id", cc->id, "text", cc->text, "obligation", cc->obligation)
			    : json_null());
	json_object_set_new(*out, "requirements", requirements(p, profile, as));
	json_decref(as);
	return 0;
}

int svc_class_get(struct store *st, const struct actor *a, const char *lars, json_t **out, struct svc_err *e)
{
	const struct aia_pack *p = pack_or_fail(e);
	struct current c = {0};
	struct cls x = {0};
	int rc;
	*out = NULL;
	if (!p)
		return e->status;
	if ((rc = readable(st, a, lars, &c, e)))
		goto done;
	rc = store_class_get(st, lars, cls_cb, &x);
	if (rc == STORE_NOTFOUND) {
		rc = svc_fail(e, 404, "not_classified", "algorithm %s has no classification yet", lars);
		goto done;
	}
	if (rc) {
		rc = svc_store_err(e, st, rc);
		goto done;
	}
	if (!auth_member(a, c.org_id)) {
		rc = public_view(p, lars, &x, out, e);
		goto done;
	}
	struct aia_tree_result tr = {0};
	char err[256];
	json_t *labels = parse(x.labels), *profile = parse(x.profile), *assessment = parse(x.assessment);
	json_t *o = json_pack("{s:s,s:s,s:O,s:O,s:s?,s:s,s:s,s:O,s:s,s:s}", "id", lars, "answers", x.answers,
			      "labels", labels, "profile", profile, "timeline", x.timeline, "pack_version",
			      x.pack_version, "current_pack_version", p->version, "assessment", assessment,
			      "updated_at", x.updated_at, "updated_by", x.updated_by);
	if (!aia_tree_step(p->tree, x.answers, &tr, err, sizeof err)) {
		json_object_set_new(o, "conclusion", tr.conclusion
			? json_pack("{s:s,s:s,s:s}", "id", tr.conclusion->id, "text", tr.conclusion->text,
				    "obligation", tr.conclusion->obligation)
			: json_null());
		json_object_set_new(o, "next_question", tr.next
			? json_pack("{s:s,s:s}", "id", tr.next->id, "text", tr.next->text) : json_null());
	} else {
		/* Answers made under an older tree may no longer walk. */
		json_object_set_new(o, "answers_error", json_string(err));
	}
	aia_tree_result_cleanup(&tr);
	json_object_set_new(o, "reevaluation", x.previous
		? json_pack("{s:o,s:o}", "previous", parse(x.previous), "changes", parse(x.changes)) : json_null());
	json_object_set_new(o, "requirements", json_is_object(assessment) ? requirements(p, profile, assessment)
									   : json_null());
	label_hints(o, labels, profile, assessment);
	json_decref(labels);
	json_decref(profile);
	json_decref(assessment);
	*out = o;
done:
	cls_cleanup(&x);
	free(c.record);
	return rc;
}

/* The top-level keys in which two assessments differ, as {"key": [old, new]};
 * "rules" (the pack and timeline names) is left out. */
static json_t *assessment_diff(const char *old_text, const char *new_text)
{
	json_t *o = parse(old_text), *n = parse(new_text), *diff = json_object(), *v;
	const char *k;
	json_object_foreach(n, k, v) {
		json_t *ov = json_object_get(o, k);
		if (strcmp(k, "rules") && strcmp(k, "trace") && !json_equal(ov, v))
			json_object_set_new(diff, k, json_pack("[OO]", ov ? ov : json_null(), v));
	}
	json_decref(o);
	json_decref(n);
	return diff;
}

/* Assesses x's profile into a new text (or NULL without profile). */
static int assess_text(struct cls *x, char **text, struct svc_err *e)
{
	struct buf b;
	json_t *profile;
	*text = NULL;
	if (!x->profile)
		return 0;
	profile = json_loads(x->profile, 0, NULL);
	buf_init(&b, 0);
	int rc = svc_assess(profile, x->timeline, &b, e);
	json_decref(profile);
	if (!rc)
		*text = buf_release(&b, NULL);
	buf_cleanup(&b);
	return rc;
}

static int store_cls(struct store *st, const struct actor *a, const char *lars, struct cls *x, const char *assessment,
		     const char *pack_version)
{
	json_t *as = parse(assessment);
	char now[21];
	util_now_iso(now);
	struct classification c = {
		.answers = x->answers ? x->answers : "", .conclusion = x->conclusion,
		.labels = x->labels ? x->labels : "[]", .profile = x->profile, .timeline = x->timeline,
		.pack_version = pack_version, .assessment = assessment, .previous = x->previous, .changes = x->changes,
		.risk_group = json_string_value(json_object_get(as, "risk_group")), .updated_at = now,
		.updated_by = a->label,
	};
	int rc = store_class_put(st, lars, &c);
	json_decref(as);
	return rc;
}

/* Takes "answers" from body: walks them (a partial path is fine), keeping the
 * canonical string, the conclusion and the labels. */
static int take_answers(const struct aia_pack *p, json_t *v, struct cls *x, struct svc_err *e)
{
	struct aia_tree_result tr = {0};
	char err[256];
	if (!json_is_string(v) && !json_is_null(v)) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "answers", "wrong_type", "answers must be a string like \"1.1=0,1.2=3\"");
		return svc_fail(e, 422, "validation_failed", "answers must be a string");
	}
	free(x->answers);
	free(x->conclusion);
	free(x->labels);
	x->answers = x->conclusion = x->labels = NULL;
	if (json_is_null(v) || !*json_string_value(v))
		return 0;
	if (aia_tree_step(p->tree, json_string_value(v), &tr, err, sizeof err)) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "answers", "invalid", "%s", err);
		return svc_fail(e, 422, "validation_failed", "answers: %s", err);
	}
	struct buf b;
	buf_init(&b, 0);
	aia_tree_result_answers(&tr, &b);
	x->answers = buf_release(&b, NULL);
	x->conclusion = tr.conclusion ? xstrdup(tr.conclusion->id) : NULL;
	json_t *labels = json_array();
	for (size_t i = 0; i < tr.nlabels; i++)
		json_array_append_new(labels, json_string(tr.labels[i]));
	x->labels = json_dumps(labels, JSON_COMPACT);
	json_decref(labels);
	aia_tree_result_cleanup(&tr);
	return 0;
}

int svc_class_put(struct store *st, const struct actor *a, const char *lars, json_t *body, struct svc_err *e)
{
	const struct aia_pack *p = pack_or_fail(e);
	struct current c = {0};
	struct cls x = {0}, old = {0};
	char *assessment = NULL;
	json_t *v;
	int rc;
	if (!p)
		return e->status;
	if (!json_is_object(body))
		return svc_fail(e, 400, "malformed", "the body must be a JSON object");
	if ((rc = store_begin(st)))
		return svc_store_err(e, st, rc);
	if ((rc = svc_load_current(st, lars, &c, e)))
		goto out;
	if (!auth_can(a, c.org_id, PERM_EDIT)) {
		rc = a->kind == ACTOR_ANONYMOUS && c.published_version ? svc_fail(e, 401, "unauthorized", "log in first")
			: !auth_member(a, c.org_id) ? svc_fail(e, 404, "not_found", "no such algorithm")
			: svc_fail(e, 403, "forbidden", "your role in this organisation does not allow this");
		goto out;
	}
	if (!strcmp(c.state, "gearchiveerd")) {
		rc = svc_fail(e, 409, "archived", "algorithm %s is archived", lars);
		goto out;
	}
	if ((v = json_object_get(body, "timeline")) && !json_is_string(v) && !json_is_null(v)) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "timeline", "wrong_type", "timeline must be a string such as \"omnibus\"");
		rc = svc_fail(e, 422, "validation_failed", "timeline must be a string");
		goto out;
	}
	if ((rc = store_class_get(st, lars, cls_cb, &old)) && rc != STORE_NOTFOUND) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	store_class_get(st, lars, cls_cb, &x);
	free(x.previous);
	free(x.changes);
	x.previous = x.changes = NULL;  /* a person's change ends the re-evaluation notice */
	if ((v = json_object_get(body, "answers")) && (rc = take_answers(p, v, &x, e)))
		goto out;
	if ((v = json_object_get(body, "profile"))) {
		free(x.profile);
		x.profile = json_is_null(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	}
	if ((v = json_object_get(body, "timeline"))) {
		free(x.timeline);
		x.timeline = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
	}
	if ((rc = assess_text(&x, &assessment, e)))
		goto out;
	if ((rc = store_cls(st, a, lars, &x, assessment, p->version))) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	json_t *changes = json_object();
	struct { const char *key, *o, *n; } f[] = {
		{"answers", old.answers, x.answers}, {"profile", old.profile, x.profile},
		{"timeline", old.timeline, x.timeline}, {"conclusion", old.conclusion, x.conclusion},
	};
	for (size_t i = 0; i < ARRAY_LEN(f); i++)
		if ((f[i].o || f[i].n) && (!f[i].o || !f[i].n || strcmp(f[i].o, f[i].n)))
			json_object_set_new(changes, f[i].key, json_pack("[s?s?]", f[i].o, f[i].n));
	json_t *as_diff = assessment_diff(old.assessment, assessment);
	json_t *rg = json_object_get(as_diff, "risk_group");
	if (rg)
		json_object_set(changes, "risk_group", rg);
	json_decref(as_diff);
	/* A save that changed nothing leaves no trace to read through. */
	if (json_object_size(changes))
		rc = svc_audit(st, a, c.org_id, "classification.update", "algorithm", lars, changes, e);
	json_decref(changes);
out:
	if (!rc && (rc = store_commit(st)))
		rc = svc_store_err(e, st, rc);
	if (rc)
		store_rollback(st);
	free(assessment);
	cls_cleanup(&x);
	cls_cleanup(&old);
	free(c.record);
	return rc;
}

static int stale_cb(void *ctx, const char *lars)
{
	json_array_append_new(ctx, json_string(lars));
	return 0;
}

int svc_class_reassess(struct store *st, const struct actor *a, int *n, struct svc_err *e)
{
	const struct aia_pack *p = pack_or_fail(e);
	json_t *stale = json_array(), *v;
	size_t i;
	int rc;
	*n = 0;
	if (!p)
		return e->status;
	if ((rc = store_begin(st)))
		return svc_store_err(e, st, rc);
	if ((rc = store_class_stale(st, p->version, stale_cb, stale))) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	json_array_foreach(stale, i, v) {
		const char *lars = json_string_value(v);
		struct cls x = {0};
		struct current c = {0};
		char *assessment = NULL;
		struct svc_err ae = {0};
		if ((rc = store_class_get(st, lars, cls_cb, &x)) || (rc = svc_load_current(st, lars, &c, e)))
			break;
		/* A profile the new pack refuses keeps its old assessment, flagged. */
		if (assess_text(&x, &assessment, &ae))
			assessment = x.assessment ? xstrdup(x.assessment) : NULL;
		json_t *changes = assessment_diff(x.assessment, assessment);
		if (ae.status)
			json_object_set_new(changes, "error", json_string(ae.message));
		free(x.previous);
		free(x.changes);
		x.previous = x.assessment ? xstrdup(x.assessment) : NULL;
		x.changes = json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS);
		json_object_set_new(changes, "pack_version", json_pack("[ss]", x.pack_version, p->version));
		rc = store_cls(st, a, lars, &x, assessment, p->version);
		rc = rc ? svc_store_err(e, st, rc)
			: svc_audit(st, a, c.org_id, "classification.reevaluate", "algorithm", lars, changes, e);
		json_decref(changes);
		free(assessment);
		free(c.record);
		cls_cleanup(&x);
		if (rc)
			break;
		(*n)++;
	}
out:
	json_decref(stale);
	if (!rc && (rc = store_commit(st)))
		rc = svc_store_err(e, st, rc);
	if (rc) {
		store_rollback(st);
		*n = 0;
	}
	return rc;
}
