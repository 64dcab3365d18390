/* svc_algo.c - algorithms: create, update, read, list, archive, and the
 * publication workflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_internal.h"
#include "util.h"

void svc_prepared_cleanup(struct prepared *p)
{
	free(p->record);
	free(p->missing);
	free(p->category);
	json_decref(p->rec);
}

void svc_prepare(struct prepared *p, json_t *rec, long long org_id, const char *org_name,
		    const char *now)
{
	json_t *missing = json_array();
	memset(p, 0, sizeof *p);
	p->rec = rec;
	reg_missing(rec, missing);
	p->record = reg_canonical(rec);
	p->missing = json_dumps(missing, JSON_COMPACT);
	json_t *cat = json_object_get(rec, "category");
	p->category = cat ? json_dumps(cat, JSON_COMPACT) : NULL;
	p->w = (struct algo_write){
		.lars = reg_str(rec, "lars"),
		.org_id = org_id,
		.source_id = reg_str(rec, "source_id"),
		.state = "concept",
		.record = p->record,
		.missing = p->missing,
		.completeness = reg_completeness(rec),
		.publishable = json_array_size(missing) == 0,
		.name = reg_str(rec, "name") ? reg_str(rec, "name") : "",
		.description_short = reg_str(rec, "description_short"),
		.status = reg_str(rec, "status"),
		.publication_category = reg_str(rec, "publication_category"),
		.category = p->category,
		.goal = reg_str(rec, "goal"),
		.tags = reg_str(rec, "tags"),
		.org_name = org_name,
		.now = now,
	};
	json_decref(missing);
}

/* 409 when another algorithm of the organisation has the record's source ID. */
static int check_source_id(struct store *st, const struct prepared *p, const char *self,
			   struct svc_err *e)
{
	char other[9];
	if (!p->w.source_id)
		return 0;
	int rc = store_algo_find_source(st, p->w.org_id, p->w.source_id, other);
	if (rc == STORE_NOTFOUND || (!rc && self && !strcmp(other, self)))
		return 0;
	if (rc)
		return svc_store_err(e, st, rc);
	memset(&e->errs, 0, sizeof e->errs);
	reg_error_add(&e->errs, "source_id", "already_exists", "source_id %.60s is used by algorithm %s",
		      p->w.source_id, other);
	return svc_fail(e, 409, "already_exists", "source_id %.60s is used by algorithm %s", p->w.source_id, other);
}

int svc_insert_algo(struct store *st, struct prepared *p, struct svc_err *e)
{
	bool given = p->w.lars != NULL;
	char id[9];
	int rc = check_source_id(st, p, NULL, e);
	if (rc)
		return rc;
	for (int tries = 0; tries < 20; tries++) {
		if (!given) {
			reg_id_generate(id);
			json_object_set_new(p->rec, "lars", json_string(id));
			free(p->record);
			p->record = reg_canonical(p->rec);
			p->w.record = p->record;
			p->w.lars = reg_str(p->rec, "lars");
		}
		rc = store_algo_insert(st, &p->w);
		if (rc != STORE_EXISTS || given)
			break;
	}
	if (rc == STORE_EXISTS)
		return svc_fail(e, 409, "already_exists", "algorithm %s already exists", p->w.lars);
	return rc ? svc_store_err(e, st, rc) : 0;
}

static int normalize_body(json_t *body, bool ignore_unknown, json_t **rec, struct svc_err *e)
{
	memset(&e->errs, 0, sizeof e->errs);
	*rec = reg_normalize(body, ignore_unknown, &e->errs);
	if (!*rec)
		return svc_fail(e, 422, "validation_failed", "the record is not valid (%zu errors)", e->errs.n);
	return 0;
}

int svc_algo_create(struct store *st, const struct actor *a, const char *org_code, json_t *body,
		    char lars_out[9], struct svc_err *e)
{
	struct org_ref org;
	struct prepared p;
	json_t *rec;
	char now[21];
	int rc = svc_org_ref(st, org_code, &org, e);
	if (rc)
		return rc;
	if (!auth_can(a, org.id, PERM_EDIT))
		return svc_fail(e, a->kind == ACTOR_ANONYMOUS ? 401 : 403,
				a->kind == ACTOR_ANONYMOUS ? "unauthorized" : "forbidden",
				"adding algorithms needs the role redacteur in this organisation");
	if ((rc = normalize_body(body, false, &rec, e)))
		return rc;
	json_object_set_new(rec, "organization", json_string(org.name));
	util_now_iso(now);
	svc_prepare(&p, rec, org.id, org.name, now);
	if ((rc = svc_begin(st, e)))
		goto out;
	if (!(rc = svc_insert_algo(st, &p, e))) {
		json_t *changes = svc_record_diff("{}", p.record);
		rc = svc_audit(st, a, org.id, "algorithm.create", "algorithm", p.w.lars, changes, e);
		json_decref(changes);
	}
	rc = svc_finish(st, rc, e);
out:
	if (!rc)
		snprintf(lars_out, 9, "%s", p.w.lars);
	svc_prepared_cleanup(&p);
	return rc;
}

static int current_cb(void *ctx, const struct algo *a)
{
	struct current *c = ctx;
	c->version = a->version;
	c->published_version = a->published_version;
	c->org_id = a->org_id;
	snprintf(c->org_name, sizeof c->org_name, "%s", a->org_name);
	snprintf(c->org_code, sizeof c->org_code, "%s", a->org_code);
	snprintf(c->state, sizeof c->state, "%s", a->state);
	c->record = xstrdup(a->record);
	return 0;
}

int svc_load_current(struct store *st, const char *lars, struct current *c, struct svc_err *e)
{
	memset(c, 0, sizeof *c);
	int rc = reg_id_valid(lars) ? store_algo_get(st, lars, 0, current_cb, c) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 404, "not_found", "no such algorithm");
	return rc ? svc_store_err(e, st, rc) : 0;
}

int svc_add_version(struct store *st, struct prepared *p, const struct current *c, bool *changed,
		    struct svc_err *e)
{
	*changed = strcmp(p->record, c->record) != 0;
	if (!*changed)
		return 0;
	int rc = check_source_id(st, p, p->w.lars, e);
	if (rc)
		return rc;
	rc = store_algo_add_version(st, &p->w, c->version);
	if (rc == STORE_CONFLICT) {
		e->current_version = c->version + 1;
		return svc_fail(e, 409, "version_conflict", "algorithm %s was changed by someone else", p->w.lars);
	}
	return rc ? svc_store_err(e, st, rc) : 0;
}

json_t *svc_record_diff(const char *old_json, const char *new_json)
{
	json_t *o = json_loads(old_json, 0, NULL), *n = json_loads(new_json, 0, NULL), *diff = json_object();
	size_t nf;
	const struct reg_field *f = reg_fields(&nf);
	for (size_t i = 0; i < nf; i++) {
		json_t *ov = json_object_get(o, f[i].key), *nv = json_object_get(n, f[i].key);
		if (!json_equal(ov, nv) && (ov || nv))
			json_object_set_new(diff, f[i].key, json_pack("[OO]", ov ? ov : json_null(),
								     nv ? nv : json_null()));
	}
	json_decref(o);
	json_decref(n);
	return diff;
}

/* Why an actor may not act on an algorithm: anonymous callers of a published
 * one must log in (401); for everyone outside the organisation it is not there
 * to act on (404, the same answer as for an unknown ID, so drafts stay
 * unconfirmed); members lack the role (403). */
static int denied(const struct actor *a, const struct current *c, struct svc_err *e)
{
	if (a->kind == ACTOR_ANONYMOUS && c->published_version)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if (!auth_member(a, c->org_id))
		return svc_fail(e, 404, "not_found", "no such algorithm");
	return svc_fail(e, 403, "forbidden", "your role in this organisation does not allow this");
}

/* Loads the latest version inside a transaction and checks the actor's right. */
static int load_for(struct store *st, const struct actor *a, const char *lars, enum perm perm,
		    struct current *c, struct svc_err *e)
{
	int rc = svc_load_current(st, lars, c, e);
	if (!rc && !auth_can(a, c->org_id, perm))
		rc = denied(a, c, e);
	return rc;
}

int svc_algo_update(struct store *st, const struct actor *a, const char *lars, int expected, json_t *body,
		    int *version, struct svc_err *e)
{
	struct current c = {0};
	struct prepared p;
	json_t *rec;
	char now[21];
	bool changed = false;
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if ((rc = load_for(st, a, lars, PERM_EDIT, &c, e)))
		goto out;
	if (!strcmp(c.state, "gearchiveerd")) {
		rc = svc_fail(e, 409, "archived", "algorithm %s is archived", lars);
		goto out;
	}
	if (c.version != expected) {
		e->current_version = c.version;
		rc = svc_fail(e, 409, "version_conflict", "version %d is not the latest (%d)", expected, c.version);
		goto out;
	}
	if ((rc = normalize_body(body, false, &rec, e)))
		goto out;
	json_object_set_new(rec, "lars", json_string(lars));
	json_object_set_new(rec, "organization", json_string(c.org_name));
	util_now_iso(now);
	svc_prepare(&p, rec, c.org_id, c.org_name, now);
	rc = svc_add_version(st, &p, &c, &changed, e);
	/* A saved change is a new concept; the public keeps seeing the publication. */
	if (!rc && changed)
		rc = store_algo_set_workflow(st, lars, "concept", c.published_version, now);
	if (!rc && changed) {
		json_t *changes = svc_record_diff(c.record, p.record);
		rc = svc_audit(st, a, c.org_id, "algorithm.update", "algorithm", lars, changes, e);
		json_decref(changes);
	}
	*version = c.version + changed;
	svc_prepared_cleanup(&p);
out:
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

/* Records one workflow step: the version's publication row, the algorithm's
 * state and published version, and the audit row. */
static int step(struct store *st, const struct actor *a, const struct current *c, const char *lars,
		const char *status, bool release, const char *reason, const char *state, int published,
		const char *action, struct svc_err *e)
{
	char now[21];
	int rc;
	util_now_iso(now);
	if (status && (rc = store_pub_set(st, lars, c->version, status, a->label, now, release, reason)))
		return svc_store_err(e, st, rc);
	if ((rc = store_algo_set_workflow(st, lars, state, published, now)))
		return svc_store_err(e, st, rc);
	json_t *changes = json_pack("{s:[s,s]}", "state", c->state, state);
	if (reason)
		json_object_set_new(changes, "reason", json_pack("[ns]", reason));
	if (published != c->published_version)
		json_object_set_new(changes, "published_version",
				    json_pack("[oo]", c->published_version ? json_integer(c->published_version) : json_null(),
					      published ? json_integer(published) : json_null()));
	rc = svc_audit(st, a, c->org_id, action, "algorithm", lars, changes, e);
	json_decref(changes);
	return rc;
}

int svc_algo_archive(struct store *st, const struct actor *a, const char *lars, struct svc_err *e)
{
	struct current c = {0};
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if (!(rc = load_for(st, a, lars, PERM_DECIDE, &c, e)) && strcmp(c.state, "gearchiveerd")) {
		/* Archiving withdraws a live publication too. */
		char now[21];
		util_now_iso(now);
		if (c.published_version &&
		    (rc = store_pub_set(st, lars, c.published_version, "teruggetrokken", a->label, now, false,
					"archived")))
			rc = svc_store_err(e, st, rc);
		if (!rc)
			rc = step(st, a, &c, lars, NULL, false, NULL, "gearchiveerd", 0, "algorithm.archive", e);
	}
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

static bool publishable(const struct current *c)
{
	json_t *rec = json_loads(c->record, 0, NULL), *missing = json_array();
	reg_missing(rec, missing);
	bool ok = json_array_size(missing) == 0;
	json_decref(missing);
	json_decref(rec);
	return ok;
}

static int not_publishable(struct store *st, const struct current *c, struct svc_err *e)
{
	json_t *rec = json_loads(c->record, 0, NULL), *missing = json_array(), *v;
	size_t i;
	reg_missing(rec, missing);
	memset(&e->errs, 0, sizeof e->errs);
	json_array_foreach(missing, i, v)
		reg_error_add(&e->errs, json_string_value(v), "required", "%s is required for publication",
			      json_string_value(v));
	json_decref(missing);
	json_decref(rec);
	(void)st;
	return svc_fail(e, 422, "not_publishable", "the record lacks required fields for publication");
}

/* Who released the latest version (for the four-eyes check), or "". */
struct released {
	int version;
	char by[128], status[24];
};

static int released_cb(void *ctx, const struct publication *p)
{
	struct released *r = ctx;
	if (p->version == r->version) {
		snprintf(r->by, sizeof r->by, "%s", p->released_by ? p->released_by : "");
		snprintf(r->status, sizeof r->status, "%s", p->status);
	}
	return 0;
}

int svc_algo_release(struct store *st, const struct actor *a, const char *lars, struct svc_err *e)
{
	struct current c = {0};
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if ((rc = load_for(st, a, lars, PERM_EDIT, &c, e)))
		goto out;
	/* A retracted version may be offered again as it is. */
	if (strcmp(c.state, "concept") && strcmp(c.state, "teruggetrokken"))
		rc = svc_fail(e, 409, "wrong_state", "only a concept can be released (this one is %s)", c.state);
	else if (!publishable(&c))
		rc = not_publishable(st, &c, e);
	else
		rc = step(st, a, &c, lars, "ter beoordeling", true, NULL, "ter beoordeling", c.published_version,
			  "algorithm.release", e);
out:
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

int svc_algo_publish(struct store *st, const struct actor *a, const char *lars, struct svc_err *e)
{
	struct current c = {0};
	struct released r = {0};
	struct org_ref o;
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if ((rc = svc_load_current(st, lars, &c, e)) || (rc = svc_org_ref(st, c.org_code, &o, e)))
		goto out;
	bool one_step = !strcmp(o.mode, "one-step");
	/* One-step organisations let the editor publish a concept directly; two-step
	 * ones need a goedkeurder, and not the person who released it. */
	if (!auth_can(a, c.org_id, PERM_DECIDE) && !(one_step && auth_can(a, c.org_id, PERM_EDIT))) {
		rc = denied(a, &c, e);
		goto out;
	}
	r.version = c.version;
	if ((rc = store_pub_list(st, lars, released_cb, &r))) {
		rc = svc_store_err(e, st, rc);
		goto out;
	}
	if (!strcmp(c.state, "gepubliceerd")) {
		rc = svc_fail(e, 409, "wrong_state", "this version is already published");
	} else if (!(one_step && !strcmp(c.state, "concept")) && strcmp(c.state, "ter beoordeling")) {
		rc = svc_fail(e, 409, "wrong_state", "only a released version can be published (this one is %s)",
			      c.state);
	} else if (!one_step && a->kind != ACTOR_SYSTEM && !strcmp(r.by, a->label)) {
		rc = svc_fail(e, 403, "four_eyes", "the person who released a version cannot also publish it");
	} else if (!publishable(&c)) {
		rc = not_publishable(st, &c, e);
	} else {
		char now[21];
		util_now_iso(now);
		if (c.published_version &&
		    (rc = store_pub_set(st, lars, c.published_version, "vervangen", a->label, now, false, NULL)))
			rc = svc_store_err(e, st, rc);
		/* The classification the public sees is the one of the moment of publication. */
		if (!rc && (rc = store_class_publish(st, lars)))
			rc = svc_store_err(e, st, rc);
		if (!rc)
			rc = step(st, a, &c, lars, "gepubliceerd", false, one_step ? "one-step" : NULL, "gepubliceerd",
				  c.version, "algorithm.publish", e);
	}
out:
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

int svc_algo_reject(struct store *st, const struct actor *a, const char *lars, const char *reason,
		    struct svc_err *e)
{
	struct current c = {0};
	int rc;
	if (!reason || !*reason) {
		memset(&e->errs, 0, sizeof e->errs);
		reg_error_add(&e->errs, "reason", "required", "a rejection needs a reason");
		return svc_fail(e, 422, "validation_failed", "a rejection needs a reason");
	}
	if ((rc = svc_begin(st, e)))
		return rc;
	if ((rc = load_for(st, a, lars, PERM_DECIDE, &c, e)))
		goto out;
	if (strcmp(c.state, "ter beoordeling"))
		rc = svc_fail(e, 409, "wrong_state", "only a released version can be rejected (this one is %s)",
			      c.state);
	else
		rc = step(st, a, &c, lars, "afgewezen", false, reason, "concept", c.published_version,
			  "algorithm.reject", e);
out:
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

int svc_algo_retract(struct store *st, const struct actor *a, const char *lars, const char *reason,
		     struct svc_err *e)
{
	struct current c = {0};
	int rc;
	if ((rc = svc_begin(st, e)))
		return rc;
	if ((rc = load_for(st, a, lars, PERM_DECIDE, &c, e)))
		goto out;
	if (!c.published_version) {
		rc = svc_fail(e, 409, "wrong_state", "nothing of this algorithm is published");
	} else {
		char now[21];
		util_now_iso(now);
		int v = c.version;
		c.version = c.published_version; /* the publication row to mark */
		rc = step(st, a, &c, lars, "teruggetrokken", false, reason,
			  v == c.published_version ? "teruggetrokken" : c.state, 0, "algorithm.retract", e);
		c.version = v;
	}
out:
	rc = svc_finish(st, rc, e);
	free(c.record);
	return rc;
}

/* ---- reading ---- */

struct view_ctx {
	const struct actor *a;
	int (*cb)(void *, const struct algo_view *);
	void *ctx;
	bool hidden;
	int version;
};

/* Versions the public may see: the live publication and the ones it superseded. */
static bool public_status(const char *status)
{
	return !strcmp(status, "gepubliceerd") || !strcmp(status, "vervangen");
}

static int view_cb(void *ctx, const struct algo *al)
{
	struct view_ctx *v = ctx;
	struct algo_view view = {
		.algo = al,
		.member = auth_member(v->a, al->org_id),
		.published_version = al->published_version,
		.publication_mode = al->publication_mode,
	};
	if (!view.member && !public_status(al->status)) {
		v->hidden = true;
		return 0;
	}
	return v->cb(v->ctx, &view);
}

struct org_of {
	long long org_id;
	int published;
};

static int org_of_cb(void *ctx, const struct algo *al)
{
	struct org_of *o = ctx;
	o->org_id = al->org_id;
	o->published = al->published_version;
	return 0;
}

int svc_algo_get(struct store *st, const struct actor *a, const char *lars, int version,
		 int (*cb)(void *, const struct algo_view *), void *ctx, struct svc_err *e)
{
	struct view_ctx v = {.a = a, .cb = cb, .ctx = ctx};
	struct org_of o = {0};
	int requested = version;  /* the answer must not depend on what exists */
	if (!reg_id_valid(lars))
		return svc_fail(e, 404, "not_found", "no such algorithm");
	/* Who belongs to no organisation reads the live publication: one read. */
	if (!version && !a->norgs && a->kind != ACTOR_SYSTEM) {
		int rc = store_algo_get(st, lars, STORE_PUBLISHED, view_cb, &v);
		if (rc == STORE_NOTFOUND || (!rc && v.hidden))
			return svc_fail(e, 404, "not_found", "no such algorithm");
		return rc ? svc_store_err(e, st, rc) : 0;
	}
	int rc = store_algo_get(st, lars, 0, org_of_cb, &o);
	/* Who is not a member reads the live publication by default, and nothing
	 * of an algorithm without one (its history went with it). */
	if (!rc && !auth_member(a, o.org_id) && !o.published)
		version = -1;
	else if (!rc && !version && !auth_member(a, o.org_id))
		version = o.published;
	if (!rc && version >= 0)
		rc = store_algo_get(st, lars, version, view_cb, &v);
	if (rc == STORE_NOTFOUND || version < 0 || v.hidden)
		return svc_fail(e, 404, "not_found", requested > 0 ? "no such algorithm version" : "no such algorithm");
	return rc ? svc_store_err(e, st, rc) : 0;
}

struct versions_ctx {
	bool member;
	json_t *status;   /* version -> status */
	int (*cb)(void *, int, const char *, const char *);
	void *ctx;
};

static int status_cb(void *ctx, const struct publication *p)
{
	char key[16];
	snprintf(key, sizeof key, "%d", p->version);
	json_object_set_new(ctx, key, json_string(p->status));
	return 0;
}

static int versions_cb(void *ctx, int version, const char *created_at)
{
	struct versions_ctx *v = ctx;
	char key[16];
	snprintf(key, sizeof key, "%d", version);
	const char *status = json_string_value(json_object_get(v->status, key));
	status = status ? status : "concept";
	if (!v->member && !public_status(status))
		return 0;
	return v->cb(v->ctx, version, created_at, status);
}

int svc_algo_versions(struct store *st, const struct actor *a, const char *lars,
		      int (*cb)(void *, int version, const char *created_at, const char *status), void *ctx,
		      struct svc_err *e)
{
	struct org_of o = {0};
	int rc = reg_id_valid(lars) ? store_algo_get(st, lars, 0, org_of_cb, &o) : STORE_NOTFOUND;
	struct versions_ctx v = {.member = !rc && auth_member(a, o.org_id), .status = json_object(), .cb = cb,
				 .ctx = ctx};
	if (!rc && !v.member && !o.published)
		rc = STORE_NOTFOUND;
	if (!rc)
		rc = store_pub_list(st, lars, status_cb, v.status);
	if (!rc)
		rc = store_algo_versions(st, lars, versions_cb, &v);
	json_decref(v.status);
	if (rc == STORE_NOTFOUND)
		return svc_fail(e, 404, "not_found", "no such algorithm");
	return rc ? svc_store_err(e, st, rc) : 0;
}

int svc_algo_publications(struct store *st, const struct actor *a, const char *lars,
			  int (*cb)(void *, const struct publication *), void *ctx, struct svc_err *e)
{
	struct current c = {0};
	int rc = load_for(st, a, lars, PERM_READ, &c, e);
	free(c.record);
	if (!rc && (rc = store_pub_list(st, lars, cb, ctx)))
		rc = svc_store_err(e, st, rc);
	return rc;
}

int svc_scope(const struct actor *a, bool workspace, struct algo_query *q, long long *ids,
	      struct svc_err *e)
{
	q->public_view = !workspace;
	if (!workspace)
		return 0;
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "the workspace needs a log-in");
	if (a->kind == ACTOR_SYSTEM)
		return 0;
	q->norg_ids = 0;
	for (size_t i = 0; i < a->norgs; i++)
		if (!q->org_code || !strcmp(q->org_code, a->orgs[i].code))
			ids[q->norg_ids++] = a->orgs[i].org_id;
	if (q->org_code && !q->norg_ids)
		return svc_fail(e, 404, "not_found", "no organisation of yours with code %.64s", q->org_code);
	q->org_ids = ids;
	if (!q->norg_ids)  /* no organisations: an empty list, not everything */
		ids[q->norg_ids++] = -1;
	return 0;
}

int svc_algo_list(struct store *st, const struct actor *a, bool workspace, struct algo_query *q,
		  long long *total, int (*cb)(void *, const struct algo_summary *), void *ctx,
		  struct svc_err *e)
{
	long long ids[ACTOR_MAX_ORGS];
	int rc = svc_scope(a, workspace, q, ids, e);
	if (rc)
		return rc;
	rc = store_algo_list(st, q, total, cb, ctx);
	return rc ? svc_store_err(e, st, rc) : 0;
}


bool svc_fts_query(const char *q, struct buf *out)
{
	int words = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p && words < 16;) {
		/* A word is a run of ASCII letters/digits and any non-ASCII bytes (UTF-8 letters). */
		const unsigned char *s = p;
		while (*p && (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			p++;
		if (p == s) {
			p++;
			continue;
		}
		size_t n = (size_t)(p - s);
		if (n > 64)  /* cut long words at a character boundary */
			for (n = 64; n && (s[n] & 0xC0) == 0x80; n--)
				;
		buf_printf(out, "%s\"%.*s\"*", words++ ? " " : "", (int)n, s);
	}
	return words > 0;
}

int svc_algo_facet(struct store *st, const struct actor *a, bool workspace, struct algo_query *q,
		   const char *facet, int (*cb)(void *, const char *value, const char *label, long long count),
		   void *ctx, struct svc_err *e)
{
	long long ids[ACTOR_MAX_ORGS];
	int rc = svc_scope(a, workspace, q, ids, e);
	if (rc)
		return rc;
	rc = store_algo_facet(st, q, facet, cb, ctx);
	return rc ? svc_store_err(e, st, rc) : 0;
}
