/* Unit tests for the publication workflow (svc_algo.c) and the separation of
 * organisations: two-step publication with four eyes, rejection, publishable
 * records only, one-step organisations, what the public sees while a newer
 * version is drafted, retraction, and that nobody of organisation A sees or
 * changes a draft of organisation B through any service.
 *
 * Every test has its own temporary database with two organisations (A, B) and
 * people in them; the actors are loaded as the API loads them. */
#include "testutil.h"

#include <jansson.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "reg.h"
#include "store.h"
#include "svc.h"

#define ORG_A "org-a"
#define ORG_B "org-b"
#define NAME_A "Gemeente Aadorp"
#define NAME_B "Gemeente Beestad"

/* A record with every field publication requires. */
#define COMPLETE(name) "{\"name\": \"" name "\", \"description_short\": \"Korte beschrijving\", " \
	"\"status\": \"In gebruik\", \"contact_email\": \"algoritmes@example.nl\", " \
	"\"publication_category\": \"Overige algoritmes\", \"lang\": \"nld\"}"

struct fx {
	char dir[64], path[128];
	struct store *st;
	long long org_a, org_b;
	/* A: redacteur, goedkeurder, one person with both, lezer, beheerder; B: redacteur, goedkeurder. */
	struct actor red_a, keur_a, both_a, lezer_a, beh_a, red_b, keur_b;
};

static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	CHECK(v, "test JSON does not parse: %s: %s", text, je.text);
	return v;
}

static int org_id_cb(void *ctx, const struct org *o)
{
	*(long long *)ctx = o->id;
	return 0;
}

static int user_id_cb(void *ctx, const struct user *u)
{
	*(long long *)ctx = u->id;
	return 0;
}

/* Gives email the role in org (the CLI's `aireg user add`). */
static void grant(struct fx *f, const char *email, const char *org, const char *role)
{
	struct svc_err e = {0};
	int rc = svc_user_add(f->st, &auth_system, email, org, role, NULL, NULL, 0, &e);
	CHECK(rc == 0, "user add %s %s %s: %d %s", email, org, role, rc, e.message);
}

/* The actor of email with all its roles, as a session resolves it. */
static void load_actor(struct fx *f, const char *email, struct actor *a)
{
	long long id = 0;
	CHECK(store_user_by_email(f->st, email, user_id_cb, &id) == STORE_OK, "no user %s", email);
	CHECK(auth_actor_load(f->st, id, 0, 0, a) == STORE_OK, "load %s: %s", email, store_errmsg(f->st));
}

static int setup(void **state)
{
	char err[256];
	struct svc_err e = {0};
	struct fx *f = calloc(1, sizeof *f);
	if (!f || reg_init(err, sizeof err))
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-workflow-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.db", f->dir);
	if (audit_key_load(f->path, err, sizeof err) || store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (svc_org_create(f->st, &auth_system, ORG_A, NAME_A, "gemeente", &e) ||
	    svc_org_create(f->st, &auth_system, ORG_B, NAME_B, "gemeente", &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	store_org_get(f->st, ORG_A, org_id_cb, &f->org_a);
	store_org_get(f->st, ORG_B, org_id_cb, &f->org_b);
	*state = f;
	grant(f, "red@a.nl", ORG_A, "redacteur");
	grant(f, "keur@a.nl", ORG_A, "goedkeurder");
	grant(f, "both@a.nl", ORG_A, "redacteur");
	grant(f, "both@a.nl", ORG_A, "goedkeurder");
	grant(f, "lezer@a.nl", ORG_A, "lezer");
	grant(f, "beh@a.nl", ORG_A, "beheerder");
	grant(f, "red@b.nl", ORG_B, "redacteur");
	grant(f, "keur@b.nl", ORG_B, "goedkeurder");
	load_actor(f, "red@a.nl", &f->red_a);
	load_actor(f, "keur@a.nl", &f->keur_a);
	load_actor(f, "both@a.nl", &f->both_a);
	load_actor(f, "lezer@a.nl", &f->lezer_a);
	load_actor(f, "beh@a.nl", &f->beh_a);
	load_actor(f, "red@b.nl", &f->red_b);
	load_actor(f, "keur@b.nl", &f->keur_b);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char key[160];
	store_close(f->st);
	remove_db(f->path);
	snprintf(key, sizeof key, "%s.audit-key", f->path);
	unlink(key);
	rmdir(f->dir);
	free(f);
	reg_cleanup();
	return 0;
}

/* ---- helpers ---- */

static void create(struct fx *f, const struct actor *a, const char *org, const char *body, char lars[9])
{
	struct svc_err e = {0};
	json_t *b = parse(body);
	int rc = svc_algo_create(f->st, a, org, b, lars, &e);
	json_decref(b);
	CHECK(rc == 0, "create in %s: %d %s", org, rc, e.message);
}

static void update(struct fx *f, const struct actor *a, const char *lars, int expected, const char *body,
		   int want_version)
{
	struct svc_err e = {0};
	int version = -1;
	json_t *b = parse(body);
	int rc = svc_algo_update(f->st, a, lars, expected, b, &version, &e);
	json_decref(b);
	CHECK(rc == 0 && version == want_version, "update %s: %d %s, version %d", lars, rc, e.message, version);
}

/* Runs one workflow step and checks the answer (0 or a status with its code). */
enum step { RELEASE, PUBLISH, REJECT, RETRACT, ARCHIVE };
static const char *const step_names[] = {"release", "publish", "reject", "retract", "archive"};

static int do_step(struct fx *f, const struct actor *a, enum step s, const char *lars, const char *reason,
		   struct svc_err *e)
{
	memset(e, 0, sizeof *e);
	switch (s) {
	case RELEASE:
		return svc_algo_release(f->st, a, lars, e);
	case PUBLISH:
		return svc_algo_publish(f->st, a, lars, e);
	case REJECT:
		return svc_algo_reject(f->st, a, lars, reason, e);
	case RETRACT:
		return svc_algo_retract(f->st, a, lars, reason, e);
	default:
		return svc_algo_archive(f->st, a, lars, e);
	}
}

static void step_ok(struct fx *f, const struct actor *a, enum step s, const char *lars, const char *reason)
{
	struct svc_err e;
	int rc = do_step(f, a, s, lars, reason, &e);
	CHECK(rc == 0, "%s %s by %s: %d %s %s", step_names[s], lars, a->label, rc, e.code, e.message);
}

static void step_fails(struct fx *f, const struct actor *a, enum step s, const char *lars, const char *reason,
		       int status, const char *code)
{
	struct svc_err e;
	int rc = do_step(f, a, s, lars, reason, &e);
	CHECK(rc == status && !strcmp(e.code, code), "%s %s by %s: %d %s (%s), want %d %s", step_names[s], lars,
	      a->label, rc, e.code, e.message, status, code);
}

/* What svc_algo_get shows. */
struct seen {
	int calls, version, latest, published_version;
	bool member;
	char status[24], state[24], name[128], mode[16];
};

static int seen_cb(void *ctx, const struct algo_view *v)
{
	struct seen *s = ctx;
	json_t *rec = json_loads(v->algo->record, 0, NULL);
	s->calls++;
	s->version = v->algo->version;
	s->latest = v->algo->latest;
	s->published_version = v->published_version;
	s->member = v->member;
	snprintf(s->status, sizeof s->status, "%s", v->algo->status);
	snprintf(s->state, sizeof s->state, "%s", v->algo->state);
	snprintf(s->name, sizeof s->name, "%s", reg_str(rec, "name") ? reg_str(rec, "name") : "");
	snprintf(s->mode, sizeof s->mode, "%s", v->publication_mode ? v->publication_mode : "");
	json_decref(rec);
	return 0;
}

static int get(struct fx *f, const struct actor *a, const char *lars, int version, struct seen *s,
	       struct svc_err *e)
{
	memset(s, 0, sizeof *s);
	memset(e, 0, sizeof *e);
	return svc_algo_get(f->st, a, lars, version, seen_cb, s, e);
}

/* Checks that a sees version want_version with status want_status (or 404 when want_version is 0). */
static void sees(struct fx *f, const struct actor *a, const char *lars, int version, int want_version,
		 const char *want_status)
{
	struct seen s;
	struct svc_err e;
	int rc = get(f, a, lars, version, &s, &e);
	if (!want_version) {
		CHECK(rc == 404 && s.calls == 0, "%s reads %s?version=%d: %d, version %d (%s), want 404", a->label, lars,
		      version, rc, s.version, s.status);
		return;
	}
	CHECK(rc == 0 && s.calls == 1, "%s reads %s?version=%d: %d %s", a->label, lars, version, rc, e.message);
	CHECK(s.version == want_version && !strcmp(s.status, want_status), "%s reads %s?version=%d: version %d %s, "
	      "want %d %s", a->label, lars, version, s.version, s.status, want_version, want_status);
}

static int names_cb(void *ctx, const struct algo_summary *a)
{
	buf_printf(ctx, "%s%s", ((struct buf *)ctx)->len ? "|" : "", a->name);
	return 0;
}

/* The names a listing shows, joined by '|' (caller frees); status in *rc. */
static char *list_names(struct fx *f, const struct actor *a, bool workspace, const char *org, const char *q,
			int *rc)
{
	struct buf b, fts;
	struct svc_err e = {0};
	long long total = -1;
	buf_init(&b, 0);
	buf_init(&fts, 0);
	struct algo_query query = {.limit = 100, .org_code = org};
	if (q && svc_fts_query(q, &fts))
		query.fts = buf_str(&fts);
	*rc = svc_algo_list(f->st, a, workspace, &query, &total, names_cb, &b, &e);
	buf_cleanup(&fts);
	return buf_release(&b, NULL);
}

static void list_is(struct fx *f, const struct actor *a, bool workspace, const char *org, const char *q,
		    const char *want)
{
	int rc;
	char *got = list_names(f, a, workspace, org, q, &rc);
	CHECK(rc == 0 && !strcmp(got, want), "%s lists %s%s%s: %d \"%s\", want \"%s\"", a->label,
	      workspace ? "the workspace" : "the public register", org ? " of " : "", org ? org : "", rc, got, want);
	free(got);
}

/* The names in an export (JSON), joined by '|' (caller frees). */
static char *export_names(struct fx *f, const struct actor *a, bool workspace, const char *org, int *rc)
{
	struct buf b, names;
	struct svc_err e = {0};
	buf_init(&b, 0);
	buf_init(&names, 0);
	*rc = svc_export(f->st, a, workspace, org, false, &b, &e);
	if (!*rc) {
		json_t *arr = parse(buf_str(&b)), *r;
		size_t i;
		json_array_foreach(arr, i, r)
			buf_printf(&names, "%s%s", i ? "|" : "", reg_str(r, "name"));
		json_decref(arr);
	}
	buf_cleanup(&b);
	return buf_release(&names, NULL);
}

struct pubs {
	int n;
	struct {
		int version;
		char status[24], released_by[64], decided_by[64], reason[128];
	} p[8];
};

static int pubs_cb(void *ctx, const struct publication *p)
{
	struct pubs *s = ctx;
	if (s->n < 8) {
		s->p[s->n].version = p->version;
		snprintf(s->p[s->n].status, sizeof s->p[0].status, "%s", p->status);
		snprintf(s->p[s->n].released_by, sizeof s->p[0].released_by, "%s", p->released_by ? p->released_by : "");
		snprintf(s->p[s->n].decided_by, sizeof s->p[0].decided_by, "%s", p->decided_by ? p->decided_by : "");
		snprintf(s->p[s->n].reason, sizeof s->p[0].reason, "%s", p->reason ? p->reason : "");
	}
	s->n++;
	return 0;
}

static void publications(struct fx *f, const struct actor *a, const char *lars, struct pubs *p)
{
	struct svc_err e = {0};
	memset(p, 0, sizeof *p);
	int rc = svc_algo_publications(f->st, a, lars, pubs_cb, p, &e);
	CHECK(rc == 0, "publications of %s for %s: %d %s", lars, a->label, rc, e.message);
}

static void set_mode(struct fx *f, const char *org, const char *mode)
{
	struct svc_err e = {0};
	int rc = svc_org_set_mode(f->st, &auth_system, org, mode, &e);
	CHECK(rc == 0, "set %s %s: %d %s", org, mode, rc, e.message);
}

/* ---- two-step ---- */

static void test_two_step(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	sees(f, &f->red_a, lars, 0, 1, "concept");
	sees(f, &auth_anonymous, lars, 0, 0, NULL);

	/* A goedkeurder publishes only what was released; a redacteur does not publish. */
	step_fails(f, &f->keur_a, PUBLISH, lars, NULL, 409, "wrong_state");
	step_fails(f, &f->red_a, PUBLISH, lars, NULL, 403, "forbidden");
	/* Releasing is the redacteur's: not the lezer's, the goedkeurder's or the beheerder's. */
	step_fails(f, &f->lezer_a, RELEASE, lars, NULL, 403, "forbidden");
	step_fails(f, &f->keur_a, RELEASE, lars, NULL, 403, "forbidden");
	step_fails(f, &f->beh_a, RELEASE, lars, NULL, 403, "forbidden");
	step_fails(f, &auth_anonymous, RELEASE, lars, NULL, 404, "not_found");
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	sees(f, &f->lezer_a, lars, 0, 1, "ter beoordeling");
	sees(f, &auth_anonymous, lars, 0, 0, NULL);
	step_fails(f, &f->red_a, RELEASE, lars, NULL, 409, "wrong_state");   /* not twice */

	/* Publishing is the goedkeurder's. */
	step_fails(f, &f->red_a, PUBLISH, lars, NULL, 403, "forbidden");
	step_fails(f, &f->lezer_a, PUBLISH, lars, NULL, 403, "forbidden");
	step_fails(f, &f->beh_a, PUBLISH, lars, NULL, 403, "forbidden");
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	step_fails(f, &f->keur_a, PUBLISH, lars, NULL, 409, "wrong_state");

	struct seen s;
	struct svc_err e;
	assert_int_equal(get(f, &auth_anonymous, lars, 0, &s, &e), 0);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.status, "gepubliceerd");
	assert_int_equal(s.published_version, 1);
	assert_false(s.member);
	assert_int_equal(get(f, &f->red_a, lars, 0, &s, &e), 0);
	assert_true(s.member);
	assert_string_equal(s.state, "gepubliceerd");
	assert_string_equal(s.mode, "two-step");
	list_is(f, &auth_anonymous, false, NULL, NULL, "Parkeerscan");

	struct pubs p;
	publications(f, &f->lezer_a, lars, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.p[0].version, 1);
	assert_string_equal(p.p[0].status, "gepubliceerd");
	assert_string_equal(p.p[0].released_by, "red@a.nl");
	assert_string_equal(p.p[0].decided_by, "keur@a.nl");
}

/* Who released a version cannot publish it, whatever roles they hold and
 * through whichever door they come. */
static void test_four_eyes(void **state)
{
	struct fx *f = *state;
	char lars[9], token[64];
	struct svc_err e = {0};
	long long token_id;
	create(f, &f->both_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_ok(f, &f->both_a, RELEASE, lars, NULL);
	step_fails(f, &f->both_a, PUBLISH, lars, NULL, 403, "four_eyes");

	/* A token of the same person, capped to goedkeurder, is still that person. */
	assert_int_equal(svc_token_create(f->st, &auth_system, "both@a.nl", "keuren", ORG_A, "goedkeurder", 30, token,
					  &token_id, &e), 0);
	struct actor via_token;
	assert_int_equal(svc_token_actor(f->st, token, &via_token, &e), 0);
	assert_true(auth_can(&via_token, f->org_a, PERM_DECIDE));
	assert_false(auth_can(&via_token, f->org_a, PERM_EDIT));
	step_fails(f, &via_token, PUBLISH, lars, NULL, 403, "four_eyes");

	/* Nothing was published by the refusals. */
	sees(f, &auth_anonymous, lars, 0, 0, NULL);
	sees(f, &f->both_a, lars, 0, 1, "ter beoordeling");
	list_is(f, &auth_anonymous, false, NULL, NULL, "");

	/* Another goedkeurder may; and the first may publish what someone else released. */
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 1, "gepubliceerd");
	update(f, &f->red_a, lars, 1, COMPLETE("Parkeerscan 2"), 2);
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	step_ok(f, &f->both_a, PUBLISH, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 2, "gepubliceerd");
}

static void test_reject(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_fails(f, &f->keur_a, REJECT, lars, "te vroeg", 409, "wrong_state");   /* a concept */
	step_ok(f, &f->red_a, RELEASE, lars, NULL);

	/* A reason is required. */
	static const char *const no_reason[] = {NULL, ""};
	for (size_t i = 0; i < sizeof no_reason / sizeof *no_reason; i++) {
		struct svc_err e;
		int rc = do_step(f, &f->keur_a, REJECT, lars, no_reason[i], &e);
		CHECK(rc == 422 && e.errs.n == 1 && !strcmp(e.errs.e[0].field, "reason"), "reason %zu: %d %s", i, rc,
		      e.message);
		sees(f, &f->red_a, lars, 0, 1, "ter beoordeling");
	}
	step_fails(f, &f->red_a, REJECT, lars, "zelf", 403, "forbidden");
	step_fails(f, &f->lezer_a, REJECT, lars, "lezer", 403, "forbidden");

	step_ok(f, &f->keur_a, REJECT, lars, "De doelomschrijving ontbreekt");
	struct seen s;
	struct svc_err e;
	assert_int_equal(get(f, &f->red_a, lars, 0, &s, &e), 0);
	assert_string_equal(s.state, "concept");
	assert_string_equal(s.status, "afgewezen");
	assert_int_equal(s.version, 1);   /* a step is not a version */
	step_fails(f, &f->keur_a, PUBLISH, lars, NULL, 409, "wrong_state");
	struct pubs p;
	publications(f, &f->red_a, lars, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.p[0].status, "afgewezen");
	assert_string_equal(p.p[0].reason, "De doelomschrijving ontbreekt");
	assert_string_equal(p.p[0].decided_by, "keur@a.nl");
	assert_string_equal(p.p[0].released_by, "red@a.nl");
	sees(f, &auth_anonymous, lars, 0, 0, NULL);

	/* Back in concept it can be released again, and published. */
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 1, "gepubliceerd");
}

/* Only a record with every required field is released or published; the
 * answer lists what is missing. */
static void test_not_publishable(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f, &f->red_a, ORG_A, "{\"name\": \"Half af\", \"status\": \"In gebruik\", \"lang\": \"nld\"}", lars);
	static const char *const want[] = {"description_short", "contact_email", "publication_category"};
	for (int one_step = 0; one_step <= 1; one_step++) {
		if (one_step)
			set_mode(f, ORG_A, "one-step");
		struct svc_err e;
		int rc = do_step(f, &f->red_a, one_step ? PUBLISH : RELEASE, lars, NULL, &e);
		CHECK(rc == 422 && !strcmp(e.code, "not_publishable"), "%s: %d %s", one_step ? "publish" : "release", rc,
		      e.code);
		CHECK(e.errs.n == sizeof want / sizeof *want, "%zu field errors", e.errs.n);
		for (size_t i = 0; i < e.errs.n && i < sizeof want / sizeof *want; i++)
			CHECK(!strcmp(e.errs.e[i].field, want[i]) && !strcmp(e.errs.e[i].code, "required"),
			      "error %zu: %s %s, want %s required", i, e.errs.e[i].field, e.errs.e[i].code, want[i]);
		sees(f, &f->red_a, lars, 0, 1, "concept");
		sees(f, &auth_anonymous, lars, 0, 0, NULL);
	}
	/* Completed, it goes. */
	update(f, &f->red_a, lars, 1, COMPLETE("Half af"), 2);
	step_ok(f, &f->red_a, PUBLISH, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 2, "gepubliceerd");
}

/* A one-step organisation lets a redacteur publish a concept, and says so. */
static void test_one_step(void **state)
{
	struct fx *f = *state;
	char lars[9], other[9];
	struct svc_err e = {0};
	/* The setting is the beheerder's, and only two values exist. */
	assert_int_equal(svc_org_set_mode(f->st, &f->red_a, ORG_A, "one-step", &e), 403);
	assert_int_equal(svc_org_set_mode(f->st, &f->keur_a, ORG_A, "one-step", &e), 403);
	assert_int_equal(svc_org_set_mode(f->st, &f->beh_a, ORG_B, "one-step", &e), 403);
	assert_int_equal(svc_org_set_mode(f->st, &f->beh_a, ORG_A, "zero-step", &e), 422);
	assert_int_equal(svc_org_set_mode(f->st, &f->beh_a, ORG_A, NULL, &e), 422);
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_fails(f, &f->red_a, PUBLISH, lars, NULL, 403, "forbidden");   /* still two-step */
	assert_int_equal(svc_org_set_mode(f->st, &f->beh_a, ORG_A, "one-step", &e), 0);

	step_fails(f, &f->lezer_a, PUBLISH, lars, NULL, 403, "forbidden");
	step_ok(f, &f->red_a, PUBLISH, lars, NULL);
	struct seen s;
	assert_int_equal(get(f, &auth_anonymous, lars, 0, &s, &e), 0);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.status, "gepubliceerd");
	assert_string_equal(s.mode, "one-step");
	struct pubs p;
	publications(f, &f->red_a, lars, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.p[0].decided_by, "red@a.nl");
	assert_string_equal(p.p[0].reason, "one-step");   /* shown as such */

	/* Releasing first and publishing oneself is allowed too; a goedkeurder still may. */
	create(f, &f->both_a, ORG_A, COMPLETE("Afvalroute"), other);
	step_ok(f, &f->both_a, RELEASE, other, NULL);
	step_ok(f, &f->both_a, PUBLISH, other, NULL);
	list_is(f, &auth_anonymous, false, NULL, NULL, "Afvalroute|Parkeerscan");

	/* Organisation B stays two-step. */
	char b[9];
	create(f, &f->red_b, ORG_B, COMPLETE("Beestad"), b);
	step_fails(f, &f->red_b, PUBLISH, b, NULL, 403, "forbidden");
}

/* ---- what the public sees ---- */

static int versions_cb(void *ctx, int version, const char *created_at, const char *status)
{
	(void)created_at;
	buf_printf(ctx, "%s%d:%s", ((struct buf *)ctx)->len ? "," : "", version, status);
	return 0;
}

static char *versions(struct fx *f, const struct actor *a, const char *lars, int *rc)
{
	struct buf b;
	struct svc_err e = {0};
	buf_init(&b, 0);
	*rc = svc_algo_versions(f->st, a, lars, versions_cb, &b, &e);
	return buf_release(&b, NULL);
}

static void versions_are(struct fx *f, const struct actor *a, const char *lars, int want_rc, const char *want)
{
	int rc;
	char *got = versions(f, a, lars, &rc);
	CHECK(rc == want_rc && (rc || !strcmp(got, want)), "%s: versions of %s: %d \"%s\", want %d \"%s\"", a->label,
	      lars, rc, got, want_rc, want);
	free(got);
}

/* A new version after publication is a concept; the public keeps the published
 * version until the next publication, which supersedes it ("vervangen", still
 * readable by number). */
static void test_new_version_keeps_public(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	update(f, &f->red_a, lars, 1, COMPLETE("Parkeerscan nieuw"), 2);

	struct seen s;
	struct svc_err e;
	assert_int_equal(get(f, &auth_anonymous, lars, 0, &s, &e), 0);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.name, "Parkeerscan");
	assert_string_equal(s.status, "gepubliceerd");
	assert_int_equal(s.published_version, 1);
	assert_int_equal(get(f, &f->lezer_a, lars, 0, &s, &e), 0);
	assert_int_equal(s.version, 2);
	assert_string_equal(s.name, "Parkeerscan nieuw");
	assert_string_equal(s.status, "concept");
	assert_string_equal(s.state, "concept");
	assert_int_equal(s.published_version, 1);
	/* Someone of another organisation is the public too. */
	sees(f, &f->red_b, lars, 0, 1, "gepubliceerd");
	sees(f, &auth_anonymous, lars, 2, 0, NULL);   /* the draft, by number */
	sees(f, &f->keur_b, lars, 2, 0, NULL);
	sees(f, &f->lezer_a, lars, 1, 1, "gepubliceerd");

	list_is(f, &auth_anonymous, false, NULL, NULL, "Parkeerscan");
	list_is(f, &auth_anonymous, false, NULL, "nieuw", "");
	list_is(f, &auth_anonymous, false, NULL, "parkeerscan", "Parkeerscan");
	list_is(f, &f->red_a, true, NULL, NULL, "Parkeerscan nieuw");
	list_is(f, &f->red_a, true, NULL, "nieuw", "Parkeerscan nieuw");
	int rc;
	char *ex = export_names(f, &auth_anonymous, false, NULL, &rc);
	CHECK(rc == 0 && !strcmp(ex, "Parkeerscan"), "public export: %d %s", rc, ex);
	free(ex);
	ex = export_names(f, &f->red_a, true, NULL, &rc);
	CHECK(rc == 0 && !strcmp(ex, "Parkeerscan nieuw"), "workspace export: %d %s", rc, ex);
	free(ex);
	versions_are(f, &auth_anonymous, lars, 0, "1:gepubliceerd");
	versions_are(f, &f->lezer_a, lars, 0, "1:gepubliceerd,2:concept");

	/* Released, still the old one. */
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 1, "gepubliceerd");
	list_is(f, &auth_anonymous, false, NULL, NULL, "Parkeerscan");

	/* Published: the new one; the old one is "vervangen" and still public by number. */
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 2, "gepubliceerd");
	sees(f, &auth_anonymous, lars, 1, 1, "vervangen");
	sees(f, &auth_anonymous, lars, 2, 2, "gepubliceerd");
	list_is(f, &auth_anonymous, false, NULL, NULL, "Parkeerscan nieuw");
	list_is(f, &auth_anonymous, false, NULL, "nieuw", "Parkeerscan nieuw");
	versions_are(f, &auth_anonymous, lars, 0, "1:vervangen,2:gepubliceerd");
	ex = export_names(f, &auth_anonymous, false, NULL, &rc);
	CHECK(rc == 0 && !strcmp(ex, "Parkeerscan nieuw"), "public export: %d %s", rc, ex);
	free(ex);
	struct pubs p;
	publications(f, &f->keur_a, lars, &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.p[0].status, "vervangen");
	assert_string_equal(p.p[1].status, "gepubliceerd");

	/* A third version that is never published stays invisible. */
	update(f, &f->red_a, lars, 2, COMPLETE("Parkeerscan derde"), 3);
	sees(f, &auth_anonymous, lars, 0, 2, "gepubliceerd");
	sees(f, &auth_anonymous, lars, 3, 0, NULL);
	versions_are(f, &auth_anonymous, lars, 0, "1:vervangen,2:gepubliceerd");
}

/* A retraction takes the publication out of the public register. */
static void test_retract(void **state)
{
	struct fx *f = *state;
	char lars[9], newer[9];
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_fails(f, &f->keur_a, RETRACT, lars, NULL, 409, "wrong_state");   /* nothing published */
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	step_fails(f, &f->red_a, RETRACT, lars, NULL, 403, "forbidden");
	step_fails(f, &f->lezer_a, RETRACT, lars, NULL, 403, "forbidden");
	step_fails(f, &f->keur_b, RETRACT, lars, NULL, 404, "not_found");
	step_ok(f, &f->keur_a, RETRACT, lars, "Niet meer in gebruik");

	sees(f, &auth_anonymous, lars, 0, 0, NULL);
	sees(f, &auth_anonymous, lars, 1, 0, NULL);
	sees(f, &f->red_b, lars, 0, 0, NULL);
	sees(f, &f->lezer_a, lars, 0, 1, "teruggetrokken");
	list_is(f, &auth_anonymous, false, NULL, NULL, "");
	list_is(f, &auth_anonymous, false, NULL, "parkeerscan", "");
	list_is(f, &f->red_a, true, NULL, NULL, "Parkeerscan");
	versions_are(f, &auth_anonymous, lars, 404, "");
	int rc;
	char *ex = export_names(f, &auth_anonymous, false, NULL, &rc);
	CHECK(rc == 0 && !strcmp(ex, ""), "public export: %d %s", rc, ex);
	free(ex);
	step_fails(f, &f->keur_a, RETRACT, lars, NULL, 409, "wrong_state");   /* not twice */
	struct pubs p;
	publications(f, &f->keur_a, lars, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.p[0].status, "teruggetrokken");
	assert_string_equal(p.p[0].reason, "Niet meer in gebruik");

	/* With a newer concept: the publication goes, the concept stays a concept. */
	create(f, &f->red_a, ORG_A, COMPLETE("Afvalroute"), newer);
	step_ok(f, &f->red_a, RELEASE, newer, NULL);
	step_ok(f, &f->keur_a, PUBLISH, newer, NULL);
	update(f, &f->red_a, newer, 1, COMPLETE("Afvalroute 2"), 2);
	step_ok(f, &f->keur_a, RETRACT, newer, NULL);
	sees(f, &auth_anonymous, newer, 0, 0, NULL);
	sees(f, &f->red_a, newer, 0, 2, "concept");
	list_is(f, &auth_anonymous, false, NULL, NULL, "");
	/* and it can be published again. */
	step_ok(f, &f->red_a, RELEASE, newer, NULL);
	step_ok(f, &f->keur_a, PUBLISH, newer, NULL);
	sees(f, &auth_anonymous, newer, 0, 2, "gepubliceerd");
	list_is(f, &auth_anonymous, false, NULL, NULL, "Afvalroute 2");
}

/* Archiving is the goedkeurder's; archived algorithms are never listed. */
static void test_archive(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f, &f->red_a, ORG_A, COMPLETE("Parkeerscan"), lars);
	step_ok(f, &f->red_a, RELEASE, lars, NULL);
	step_ok(f, &f->keur_a, PUBLISH, lars, NULL);
	step_fails(f, &f->red_a, ARCHIVE, lars, NULL, 403, "forbidden");
	step_fails(f, &f->keur_b, ARCHIVE, lars, NULL, 404, "not_found");
	step_ok(f, &f->keur_a, ARCHIVE, lars, NULL);
	sees(f, &auth_anonymous, lars, 0, 0, NULL);
	list_is(f, &auth_anonymous, false, NULL, NULL, "");
	list_is(f, &f->red_a, true, NULL, NULL, "");
	struct svc_err e = {0};
	int version;
	json_t *b = parse(COMPLETE("Parkeerscan 2"));
	assert_int_equal(svc_algo_update(f->st, &f->red_a, lars, 1, b, &version, &e), 409);
	json_decref(b);
	step_fails(f, &f->red_a, RELEASE, lars, NULL, 409, "wrong_state");
}

/* ---- organisations apart ---- */

/* Every door to an algorithm, for the isolation matrix. */
enum door { D_GET, D_GET_V1, D_VERSIONS, D_PUBLICATIONS, D_UPDATE, D_RELEASE, D_PUBLISH, D_REJECT, D_RETRACT,
	    D_ARCHIVE, D_NDOORS };
static const char *const door_names[] = {"get", "get?version=1", "versions", "publications", "update", "release",
					 "publish", "reject", "retract", "archive"};

static int nop_pub(void *ctx, const struct publication *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

static int nop_version(void *ctx, int version, const char *created_at, const char *status)
{
	(void)ctx;
	(void)version;
	(void)created_at;
	(void)status;
	return 0;
}

static int knock(struct fx *f, const struct actor *a, enum door d, const char *lars, struct svc_err *e)
{
	struct seen s;
	memset(e, 0, sizeof *e);
	switch (d) {
	case D_GET:
		return get(f, a, lars, 0, &s, e);
	case D_GET_V1:
		return get(f, a, lars, 1, &s, e);
	case D_VERSIONS:
		return svc_algo_versions(f->st, a, lars, nop_version, NULL, e);
	case D_PUBLICATIONS:
		return svc_algo_publications(f->st, a, lars, nop_pub, NULL, e);
	case D_UPDATE: {
		int version;
		json_t *b = parse(COMPLETE("Overgenomen"));
		int rc = svc_algo_update(f->st, a, lars, 1, b, &version, e);
		json_decref(b);
		return rc;
	}
	case D_RELEASE:
		return svc_algo_release(f->st, a, lars, e);
	case D_PUBLISH:
		return svc_algo_publish(f->st, a, lars, e);
	case D_REJECT:
		return svc_algo_reject(f->st, a, lars, "nee", e);
	case D_RETRACT:
		return svc_algo_retract(f->st, a, lars, "weg", e);
	default:
		return svc_algo_archive(f->st, a, lars, e);
	}
}

/* Nobody of A learns anything about B's drafts: every door answers exactly as
 * for an algorithm that does not exist, and changes nothing. B's publication is
 * public, but still not A's to change. */
static void test_tenant_isolation_algorithms(void **state)
{
	struct fx *f = *state;
	char draft[9], released[9], published[9], own[9];
	create(f, &f->red_b, ORG_B, COMPLETE("Geheim concept"), draft);
	create(f, &f->red_b, ORG_B, COMPLETE("Geheim ter beoordeling"), released);
	step_ok(f, &f->red_b, RELEASE, released, NULL);
	create(f, &f->red_b, ORG_B, COMPLETE("Beestad gepubliceerd"), published);
	step_ok(f, &f->red_b, RELEASE, published, NULL);
	step_ok(f, &f->keur_b, PUBLISH, published, NULL);
	create(f, &f->red_a, ORG_A, COMPLETE("Aadorp concept"), own);
	/* A valid ID that no algorithm has. */
	const char *nowhere = "99999995";
	assert_true(reg_id_valid(nowhere));

	const struct actor *const outsiders[] = {&f->red_a, &f->keur_a, &f->both_a, &f->lezer_a, &f->beh_a,
						 &auth_anonymous};
	const char *const drafts[] = {draft, released};
	for (size_t o = 0; o < sizeof outsiders / sizeof *outsiders; o++)
		for (size_t k = 0; k < sizeof drafts / sizeof *drafts; k++)
			for (int d = 0; d < D_NDOORS; d++) {
				struct svc_err e, none;
				int rc = knock(f, outsiders[o], (enum door)d, drafts[k], &e);
				int rc_none = knock(f, outsiders[o], (enum door)d, nowhere, &none);
				CHECK(rc == 404 && !strcmp(e.code, "not_found"), "%s: %s of B's draft %s: %d %s (%s)",
				      outsiders[o]->label, door_names[d], drafts[k], rc, e.code, e.message);
				CHECK(rc == rc_none && !strcmp(e.code, none.code) && !strcmp(e.message, none.message),
				      "%s: %s of B's draft answers \"%d %s %s\", of no algorithm \"%d %s %s\"",
				      outsiders[o]->label, door_names[d], rc, e.code, e.message, rc_none, none.code,
				      none.message);
			}
	/* Nothing changed. */
	sees(f, &f->red_b, draft, 0, 1, "concept");
	sees(f, &f->red_b, released, 0, 1, "ter beoordeling");
	struct pubs p;
	publications(f, &f->keur_b, released, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.p[0].released_by, "red@b.nl");

	/* B's publication: readable by A, not changeable. */
	sees(f, &f->red_a, published, 0, 1, "gepubliceerd");
	sees(f, &f->red_a, published, 1, 1, "gepubliceerd");
	versions_are(f, &f->red_a, published, 0, "1:gepubliceerd");
	for (size_t o = 0; o < sizeof outsiders / sizeof *outsiders; o++)
		for (int d = D_PUBLICATIONS; d < D_NDOORS; d++) {
			struct svc_err e;
			int rc = knock(f, outsiders[o], (enum door)d, published, &e);
			CHECK(rc == 404 || rc == 403 || rc == 401, "%s: %s of B's publication: %d %s", outsiders[o]->label,
			      door_names[d], rc, e.message);
		}
	sees(f, &f->red_b, published, 0, 1, "gepubliceerd");
	sees(f, &auth_anonymous, published, 0, 1, "gepubliceerd");

	/* Creating in B: refused (B exists), nothing made. */
	struct svc_err e = {0};
	char made[9] = "";
	json_t *b = parse(COMPLETE("Ingeschoven"));
	int rc = svc_algo_create(f->st, &f->red_a, ORG_B, b, made, &e);
	CHECK(rc == 403 && !strcmp(e.code, "forbidden"), "create in B by A: %d %s", rc, e.message);
	assert_int_equal(svc_algo_create(f->st, &auth_anonymous, ORG_B, b, made, &e), 401);
	json_decref(b);
	list_is(f, &f->red_b, true, NULL, NULL, "Beestad gepubliceerd|Geheim concept|Geheim ter beoordeling");
}

/* Listings and exports: A's workspace holds only A's algorithms, whatever the
 * filter; the public register holds B's publication but none of B's drafts. */
static void test_tenant_isolation_lists(void **state)
{
	struct fx *f = *state;
	char l[9];
	create(f, &f->red_b, ORG_B, COMPLETE("Geheim concept"), l);
	create(f, &f->red_b, ORG_B, COMPLETE("Beestad gepubliceerd"), l);
	step_ok(f, &f->red_b, RELEASE, l, NULL);
	step_ok(f, &f->keur_b, PUBLISH, l, NULL);
	update(f, &f->red_b, l, 1, COMPLETE("Beestad geheime wijziging"), 2);
	create(f, &f->red_a, ORG_A, COMPLETE("Aadorp concept"), l);

	const struct actor *const of_a[] = {&f->red_a, &f->keur_a, &f->lezer_a, &f->beh_a, &f->both_a};
	for (size_t i = 0; i < sizeof of_a / sizeof *of_a; i++) {
		const struct actor *a = of_a[i];
		list_is(f, a, true, NULL, NULL, "Aadorp concept");
		list_is(f, a, true, ORG_A, NULL, "Aadorp concept");
		list_is(f, a, true, NULL, "geheim", "");
		list_is(f, a, true, NULL, "beestad", "");
		int rc;
		char *got = list_names(f, a, true, ORG_B, NULL, &rc);
		CHECK(rc == 404 && !*got, "%s: workspace of B: %d %s", a->label, rc, got);
		free(got);
		got = list_names(f, a, true, "org-c", NULL, &rc);
		CHECK(rc == 404 && !*got, "%s: workspace of an unknown organisation: %d %s", a->label, rc, got);
		free(got);
		list_is(f, a, false, NULL, NULL, "Beestad gepubliceerd");
		list_is(f, a, false, ORG_B, NULL, "Beestad gepubliceerd");
		list_is(f, a, false, NULL, "geheim", "");
		list_is(f, a, false, NULL, "wijziging", "");

		got = export_names(f, a, true, NULL, &rc);
		CHECK(rc == 0 && !strcmp(got, "Aadorp concept"), "%s: workspace export: %d %s", a->label, rc, got);
		free(got);
		got = export_names(f, a, true, ORG_B, &rc);
		CHECK(rc == 404 && !*got, "%s: workspace export of B: %d %s", a->label, rc, got);
		free(got);
		got = export_names(f, a, false, NULL, &rc);
		CHECK(rc == 0 && !strcmp(got, "Beestad gepubliceerd"), "%s: public export: %d %s", a->label, rc, got);
		free(got);
	}
	/* B sees its own; the CLI sees everything; the anonymous have no workspace. */
	list_is(f, &f->keur_b, true, NULL, NULL, "Beestad geheime wijziging|Geheim concept");
	list_is(f, &auth_system, true, NULL, NULL, "Aadorp concept|Beestad geheime wijziging|Geheim concept");
	int rc;
	char *got = list_names(f, &auth_anonymous, true, NULL, NULL, &rc);
	CHECK(rc == 401 && !*got, "anonymous workspace: %d %s", rc, got);
	free(got);
	got = export_names(f, &auth_anonymous, true, NULL, &rc);
	CHECK(rc == 401 && !*got, "anonymous workspace export: %d %s", rc, got);
	free(got);
	/* A person without any role has an empty workspace, not everyone's. */
	grant(f, "nobody@c.nl", NULL, NULL);
	struct actor nobody;
	load_actor(f, "nobody@c.nl", &nobody);
	list_is(f, &nobody, true, NULL, NULL, "");
	got = export_names(f, &nobody, true, NULL, &rc);
	CHECK(rc == 0 && !*got, "role-less workspace export: %d %s", rc, got);
	free(got);
	/* An operator manages organisations but sees no drafts. */
	struct svc_err e = {0};
	assert_int_equal(svc_user_set_operator(f->st, &auth_system, "nobody@c.nl", &e), 0);
	struct actor op;
	load_actor(f, "nobody@c.nl", &op);
	assert_true(op.operator);
	list_is(f, &op, true, NULL, NULL, "");
	sees(f, &op, l, 0, 0, NULL);
}

/* The import door: records of B imported by A's redacteur are refused; a record
 * naming B's draft by its ID changes nothing and tells nothing about it. */
static void test_tenant_isolation_import(void **state)
{
	struct fx *f = *state;
	char draft[9], text[512];
	struct svc_err e = {0};
	json_t *report = NULL;
	create(f, &f->red_b, ORG_B, COMPLETE("Geheim concept"), draft);

	/* Records of B imported by A: refused, nothing stored. Naming B in the
	 * record is a per-record refusal: skipped with --skip-invalid (reported as
	 * rejected), else the whole import is refused with 403, since every record
	 * was refused for lack of a role. */
	snprintf(text, sizeof text, "[{\"name\": \"Ingeschoven\", \"organization\": \"%s\"}]", NAME_B);
	int rc = svc_import(f->st, &f->red_a, text, strlen(text), false, NULL, IMPORT_SKIP_INVALID, &report, NULL, &e);
	CHECK(rc == 0 && json_integer_value(json_object_get(report, "rejected")) == 1 &&
	      json_integer_value(json_object_get(report, "created")) == 0, "import into B by A (named, skip): %d", rc);
	json_t *rej = json_array_get(json_object_get(report, "records"), 0);
	CHECK(!strcmp(reg_str(rej, "action"), "rejected") &&
	      !strcmp(reg_str(json_array_get(json_object_get(rej, "errors"), 0), "code"), "forbidden"),
	      "import into B by A (named, skip): record not refused as forbidden");
	json_decref(report);
	report = NULL;
	memset(&e, 0, sizeof e);
	rc = svc_import(f->st, &f->red_a, text, strlen(text), false, NULL, 0, &report, NULL, &e);
	CHECK(rc == 403 && !strcmp(e.code, "forbidden"), "import into B by A (named): %d %s", rc, e.code);
	json_decref(report);
	/* With one record of A's own beside it, the refusal stays in the 422 report. */
	snprintf(text, sizeof text, "[{\"name\": \"Eigen\", \"organization\": \"%s\"}, "
		 "{\"name\": \"Ingeschoven\", \"organization\": \"%s\"}]", NAME_A, NAME_B);
	report = NULL;
	memset(&e, 0, sizeof e);
	rc = svc_import(f->st, &f->red_a, text, strlen(text), false, NULL, 0, &report, NULL, &e);
	CHECK(rc == 422 && !strcmp(e.code, "import_rejected") &&
	      json_integer_value(json_object_get(report, "rejected")) == 1 &&
	      !strcmp(reg_str(json_array_get(json_object_get(report, "records"), 1), "action"), "rejected"),
	      "import of A's and B's record by A: %d %s", rc, e.code);
	json_decref(report);
	/* --org B names an organisation A cannot edit: refused as a whole, before
	 * any record is read (no report), with or without --skip-invalid. */
	snprintf(text, sizeof text, "[{\"name\": \"Ingeschoven\", \"organization\": \"%s\"}]", NAME_B);
	for (int skip = 0; skip <= 1; skip++) {
		report = NULL;
		memset(&e, 0, sizeof e);
		rc = svc_import(f->st, &f->red_a, text, strlen(text), false, ORG_B, skip ? IMPORT_SKIP_INVALID : 0,
				&report, NULL, &e);
		CHECK(rc == 403 && !strcmp(e.code, "forbidden") && !report, "import into B by A (--org%s): %d %s",
		      skip ? ", skip" : "", rc, e.code);
		json_decref(report);
	}
	list_is(f, &f->red_b, true, NULL, NULL, "Geheim concept");
	list_is(f, &f->red_a, true, NULL, NULL, "");

	/* B's draft by its ID. */
	snprintf(text, sizeof text, "[{\"lars\": \"%s\", \"name\": \"Overgenomen\", \"organization\": \"%s\"}]",
		 draft, NAME_A);
	report = NULL;
	rc = svc_import(f->st, &f->red_a, text, strlen(text), false, NULL, 0, &report, NULL, &e);
	char *dump = report ? json_dumps(report, JSON_COMPACT) : strdup("");
	json_decref(report);
	sees(f, &f->red_b, draft, 0, 1, "concept");
	list_is(f, &f->red_a, true, NULL, NULL, "");
	CHECK(rc != 0, "importing over B's draft: %d", rc);
	bool quiet = !strstr(dump, NAME_B) && !strstr(dump, ORG_B) && !strstr(e.message, NAME_B);
	if (!quiet)
		fprintf(stderr, "  report: %s\n", dump);
	free(dump);
	CHECK(quiet, "the import report names the organisation of B's draft %s to a redacteur of A", draft);
}

static int password_hash_cb(void *ctx, const struct user *u)
{
	snprintf(ctx, 160, "%s", u->password_hash ? u->password_hash : "");
	return 0;
}

static int count_user(void *ctx, const struct user *u, json_t *roles)
{
	(void)u;
	(void)roles;
	++*(int *)ctx;
	return 0;
}

/* The people door: a beheerder of A manages A's people, not B's. Adding B's
 * goedkeurder to A (allowed: people work for several bodies) must not hand A's
 * beheerder the account itself: no reset link, no disabling it for B. */
static void test_tenant_isolation_people(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	char link[64] = "";
	/* B's goedkeurder has a password (one argon2id hash). */
	assert_int_equal(svc_user_add(f->st, &auth_system, "keur@b.nl", ORG_B, "goedkeurder",
				      "een lang genoeg wachtwoord", NULL, 0, &e), 0);
	/* Before: A's beheerder knows nothing of B's people: B's accounts are not
	 * there for A (404); B's people list and adding people to B are refused
	 * (403: the organisation is public, its people are not A's business), and
	 * nothing is listed or added. The anonymous must log in (401). */
	assert_int_equal(svc_user_reset_link(f->st, &f->beh_a, "keur@b.nl", link, sizeof link, &e), 404);
	assert_string_equal(link, "");
	assert_int_equal(svc_user_disable(f->st, &f->beh_a, "keur@b.nl", &e), 404);
	int listed = 0;
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_user_list(f->st, &f->beh_a, ORG_B, count_user, &listed, &e), 403);
	assert_string_equal(e.code, "forbidden");
	assert_int_equal(listed, 0);
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_user_add(f->st, &f->beh_a, "nieuw@b.nl", ORG_B, "lezer", NULL, link, sizeof link, &e), 403);
	assert_string_equal(e.code, "forbidden");
	assert_string_equal(link, "");
	long long nobody = 0;
	assert_int_equal(store_user_by_email(f->st, "nieuw@b.nl", user_id_cb, &nobody), STORE_NOTFOUND);
	assert_int_equal(svc_user_reset_link(f->st, &auth_anonymous, "keur@b.nl", link, sizeof link, &e), 401);
	assert_int_equal(svc_user_disable(f->st, &auth_anonymous, "keur@b.nl", &e), 401);
	assert_int_equal(svc_user_list(f->st, &auth_anonymous, ORG_B, count_user, &listed, &e), 401);
	assert_int_equal(svc_user_add(f->st, &auth_anonymous, "nieuw@b.nl", ORG_B, "lezer", NULL, link, sizeof link, &e),
			 401);
	assert_int_equal(listed, 0);
	assert_string_equal(link, "");
	assert_int_equal(store_user_by_email(f->st, "nieuw@b.nl", user_id_cb, &nobody), STORE_NOTFOUND);
	struct actor keur;
	long long keur_id = 0;
	store_user_by_email(f->st, "keur@b.nl", user_id_cb, &keur_id);
	CHECK(auth_actor_load(f->st, keur_id, 0, 0, &keur) == STORE_OK && auth_can(&keur, f->org_b, PERM_DECIDE),
	      "B's goedkeurder disabled by a refused request");

	/* A's beheerder adds B's goedkeurder to A as lezer: no link (the account is active). */
	memset(&e, 0, sizeof e);
	int rc = svc_user_add(f->st, &f->beh_a, "keur@b.nl", ORG_A, "lezer", NULL, link, sizeof link, &e);
	CHECK(rc == 0, "adding B's goedkeurder to A: %d %s", rc, e.message);
	assert_string_equal(link, "");

	/* Now the account is shared. A's beheerder must still not get at the account
	 * itself: a reset link would make A's beheerder B's goedkeurder, and
	 * disabling it would lock B's goedkeurder out of B. */
	struct buf problems;
	buf_init(&problems, 0);
	memset(&e, 0, sizeof e);
	link[0] = '\0';
	rc = svc_user_reset_link(f->st, &f->beh_a, "keur@b.nl", link, sizeof link, &e);
	if (rc == 0) {
		struct svc_err e2 = {0};
		char session[64], csrf[65];
		struct actor them;
		bool took_over = *link && !svc_user_set_password(f->st, link, "overgenomen wachtwoord", &e2) &&
				 !svc_login(f->st, "keur@b.nl", "overgenomen wachtwoord", "192.0.2.1", session, csrf, &e2) &&
				 !svc_session_actor(f->st, session, &them, &e2) && auth_can(&them, f->org_b, PERM_DECIDE);
		buf_printf(&problems, "\n  A's beheerder got a password reset link for B's goedkeurder%s",
			   took_over ? ", set the password with it and logged in as B's goedkeurder" : "");
	}
	memset(&e, 0, sizeof e);
	rc = svc_user_disable(f->st, &f->beh_a, "keur@b.nl", &e);
	if (rc == 0)
		buf_printf(&problems, "\n  A's beheerder disabled B's goedkeurder");
	struct actor still;
	long long id = 0;
	store_user_by_email(f->st, "keur@b.nl", user_id_cb, &id);
	if (auth_actor_load(f->st, id, 0, 0, &still) || !auth_can(&still, f->org_b, PERM_DECIDE))
		buf_printf(&problems, "\n  B's goedkeurder can no longer act in B");
	/* A person B invited who has not yet chosen a password: A's beheerder adds
	 * them to A and receives the activation link of the whole account. */
	grant(f, "nieuw@b.nl", ORG_B, "redacteur");
	memset(&e, 0, sizeof e);
	link[0] = '\0';
	rc = svc_user_add(f->st, &f->beh_a, "nieuw@b.nl", ORG_A, "lezer", NULL, link, sizeof link, &e);
	if (rc == 0 && *link) {
		struct svc_err e2 = {0};
		char session[64], csrf[65];
		struct actor them;
		bool took_over = !svc_user_set_password(f->st, link, "overgenomen wachtwoord", &e2) &&
				 !svc_login(f->st, "nieuw@b.nl", "overgenomen wachtwoord", "192.0.2.1", session, csrf, &e2) &&
				 !svc_session_actor(f->st, session, &them, &e2) && auth_can(&them, f->org_b, PERM_EDIT);
		buf_printf(&problems, "\n  A's beheerder got the activation link of B's invited redacteur%s",
			   took_over ? ", activated it and logged in as B's redacteur" : "");
	}
	/* Adding an existing person of B with a password (the service allows a
	 * password for a new account) must not set the password of B's account. */
	char hash_before[160] = "", hash_after[160] = "";
	long long nid = 0;
	grant(f, "derde@b.nl", ORG_B, "goedkeurder");
	store_user_by_email(f->st, "derde@b.nl", user_id_cb, &nid);
	store_user_get(f->st, nid, password_hash_cb, hash_before);
	memset(&e, 0, sizeof e);
	rc = svc_user_add(f->st, &f->beh_a, "derde@b.nl", ORG_A, "lezer", "gekozen door A's beheerder", NULL, 0, &e);
	store_user_get(f->st, nid, password_hash_cb, hash_after);
	if (strcmp(hash_before, hash_after))
		buf_printf(&problems, "\n  A's beheerder set the password of B's goedkeurder by adding them to A (%d)", rc);
	char *msg = buf_release(&problems, NULL);
	bool ok = !*msg;
	if (!ok)
		fprintf(stderr, "%s\n", msg);
	free(msg);
	CHECK(ok, "a beheerder of A took control of an account of B by adding it to A");
}

/* ---- main ---- */

int main(void)
{
	setenv("AIREG_AUDIT_KEY", "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_eyes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_publishable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_version_keeps_public, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_isolation_algorithms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_isolation_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_isolation_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_isolation_people, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
