/* Unit tests for the re-evaluation of stored AI Act classifications
 * (svc_classify.c): a classification made under another rule-pack version is
 * assessed again by svc_class_reassess, keeping the previous assessment and
 * what changed, writing an audit row, and leaving the chain intact.
 *
 * There is no API to change a stored pack version, so each test writes the
 * classification through the service (svc_class_put), then alters the row with
 * plain SQL on the same database file (as an older aireg would have left it),
 * then re-evaluates. */
#include "testutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <unistd.h>

#include "aia.h"
#include "auth.h"
#include "buf.h"
#include "reg.h"
#include "store.h"
#include "svc.h"

#define ORG "org-k"
/* The classification row of the algorithm with LARS ID %s. */
#define WHERE_LARS "WHERE algorithm_id = (SELECT id FROM algorithms WHERE lars = '%s')"
#define OLD_PACK "aireg-ai-act-nl 2025.01.0; beslishulp 0.9.0; screening 2025-01-01"

/* Annex III point 5(a), a municipality deploying it: high-risk. */
#define PROFILE_5A "{\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], \"annex3\": \"5(a)\"}"

struct fx {
	char dir[64], path[128];
	struct store *st;
	struct actor red;
	char lars[9];
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

static int user_id_cb(void *ctx, const struct user *u)
{
	*(long long *)ctx = u->id;
	return 0;
}

/* Runs SQL on the database file through a second connection. */
static void raw_exec(struct fx *f, const char *sql)
{
	sqlite3 *db;
	char *m = NULL;
	CHECK(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "raw open %s", f->path);
	sqlite3_busy_timeout(db, 2000);
	int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	CHECK(rc == SQLITE_OK, "raw exec %s: %s", sql, m ? m : "?");
	CHECK(sqlite3_changes(db) == 1, "raw exec %s changed %d rows, want 1", sql, sqlite3_changes(db));
	sqlite3_free(m);
	sqlite3_close(db);
}

/* The first column of the first row as text (owned), or NULL for SQL NULL. */
static char *raw_text(struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	char *out = NULL;
	CHECK(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "raw open %s", f->path);
	sqlite3_busy_timeout(db, 2000);
	CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "raw_text %s: %s", sql, sqlite3_errmsg(db));
	CHECK(sqlite3_step(s) == SQLITE_ROW, "raw_text %s: no row", sql);
	const char *t = (const char *)sqlite3_column_text(s, 0);
	if (t)
		out = strdup(t);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static int setup(void **state)
{
	char err[256];
	struct svc_err e = {0};
	long long uid = 0;
	struct fx *f = calloc(1, sizeof *f);
	if (!f || reg_init(err, sizeof err))
		return -1;
	if (aia_pack_load(err, sizeof err)) {
		fprintf(stderr, "setup: rule pack: %s\n", err);
		return -1;
	}
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-classify-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/c.db", f->dir);
	if (audit_key_load(f->path, err, sizeof err) || store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (svc_org_create(f->st, &auth_system, ORG, "Gemeente Kadorp", "gemeente", &e) ||
	    svc_user_add(f->st, &auth_system, "red@k.nl", ORG, "redacteur", NULL, NULL, 0, &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	if (store_user_by_email(f->st, "red@k.nl", user_id_cb, &uid) != STORE_OK ||
	    auth_actor_load(f->st, uid, 0, 0, &f->red) != STORE_OK) {
		fprintf(stderr, "setup: cannot load the redacteur\n");
		return -1;
	}
	json_t *body = parse("{\"name\": \"Bijstand toekennen\", \"description_short\": \"Korte beschrijving\"}");
	int rc = svc_algo_create(f->st, &f->red, ORG, body, f->lars, &e);
	json_decref(body);
	if (rc) {
		fprintf(stderr, "setup: create: %s\n", e.message);
		return -1;
	}
	*state = f;
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
	aia_pack_free();
	reg_cleanup();
	return 0;
}

/* ---- helpers ---- */

static void put(struct fx *f, const char *body)
{
	struct svc_err e = {0};
	json_t *b = parse(body);
	int rc = svc_class_put(f->st, &f->red, f->lars, b, &e);
	json_decref(b);
	CHECK(rc == 0, "classification put %s: %d %s %s", body, rc, e.code, e.message);
}

static json_t *get(struct fx *f)
{
	struct svc_err e = {0};
	json_t *o = NULL;
	int rc = svc_class_get(f->st, &f->red, f->lars, &o, &e);
	CHECK(rc == 0 && o, "classification get: %d %s %s", rc, e.code, e.message);
	return o;
}

static int reassess(struct fx *f)
{
	struct svc_err e = {0};
	int n = -1;
	int rc = svc_class_reassess(f->st, &auth_system, &n, &e);
	CHECK(rc == 0, "reassess: %d %s %s", rc, e.code, e.message);
	return n;
}

static const char *str(json_t *o, const char *path)
{
	return json_string_value(json_object_get(o, path));
}

/* The last audit row of the organisation's chain (all chains: -1). */
struct last_row {
	char action[64], entity_id[16], actor[128];
	char *changes;
	int n;
};

static int last_row_cb(void *ctx, const struct audit_row *r)
{
	struct last_row *l = ctx;
	snprintf(l->action, sizeof l->action, "%s", r->action);
	snprintf(l->entity_id, sizeof l->entity_id, "%s", r->entity_id);
	snprintf(l->actor, sizeof l->actor, "%s", r->actor);
	free(l->changes);
	l->changes = strdup(r->changes);
	l->n++;
	return 0;
}

static void last_audit(struct fx *f, struct last_row *l)
{
	memset(l, 0, sizeof *l);
	CHECK(store_audit_rows(f->st, -1, last_row_cb, l) == STORE_OK, "audit rows: %s", store_errmsg(f->st));
	CHECK(l->n > 0, "no audit rows");
}

static void assert_chain_intact(struct fx *f)
{
	char msg[256];
	CHECK(audit_verify(f->st, msg, sizeof msg) == 0, "audit chain broken: %s", msg);
}

/* ---- tests ---- */

/* A new pack version and a changed timeline: the assessment is redone, the old
 * one kept as "previous", the changed keys listed, an audit row written. */
static void test_reassess_changed_timeline(void **state)
{
	struct fx *f = *state;
	const struct aia_pack *p = aia_pack();
	struct last_row l;
	char sql[512];

	put(f, "{\"answers\": \"1.1=0,1.2=1\", \"profile\": " PROFILE_5A "}");
	json_t *before = get(f);
	CHECK(!strcmp(str(before, "pack_version"), p->version), "pack_version %s, want %s",
	      str(before, "pack_version"), p->version);
	json_t *old_assessment = json_deep_copy(json_object_get(before, "assessment"));
	assert_string_equal(str(old_assessment, "high_risk_applies_from"), "2027-12-02"); /* omnibus default */
	assert_true(json_is_null(json_object_get(before, "reevaluation")));
	assert_int_equal(reassess(f), 0); /* nothing stale yet */

	snprintf(sql, sizeof sql,
		 "UPDATE classifications SET pack_version = '" OLD_PACK "', timeline = 'original' "
		 WHERE_LARS, f->lars);
	raw_exec(f, sql);
	assert_int_equal(reassess(f), 1);

	json_t *after = get(f);
	assert_string_equal(str(after, "pack_version"), p->version);
	assert_string_equal(str(after, "current_pack_version"), p->version);
	assert_string_equal(str(after, "timeline"), "original");
	json_t *as = json_object_get(after, "assessment");
	assert_string_equal(str(as, "high_risk_applies_from"), "2026-08-02");
	assert_string_equal(str(json_object_get(as, "rules"), "timeline"), "original");
	assert_string_equal(str(as, "risk_group"), "hoog-risico AI");

	json_t *re = json_object_get(after, "reevaluation");
	CHECK(json_is_object(re), "reevaluation missing after a pack change");
	CHECK(json_equal(json_object_get(re, "previous"), old_assessment), "previous is not the old assessment");
	json_t *changes = json_object_get(re, "changes");
	json_t *hra = json_object_get(changes, "high_risk_applies_from");
	CHECK(json_array_size(hra) == 2, "changes lack high_risk_applies_from: %s",
	      json_dumps(changes, JSON_COMPACT));
	assert_string_equal(json_string_value(json_array_get(hra, 0)), "2027-12-02");
	assert_string_equal(json_string_value(json_array_get(hra, 1)), "2026-08-02");
	assert_non_null(json_object_get(changes, "obligations")); /* every applies_from moved */
	assert_null(json_object_get(changes, "risk_group"));    /* unchanged: not listed */
	assert_null(json_object_get(changes, "rules"));         /* names only, left out */
	assert_null(json_object_get(changes, "trace"));
	/* Answers, labels and conclusion are untouched by a re-evaluation. */
	assert_string_equal(str(after, "answers"), "1.1=0,1.2=1");

	last_audit(f, &l);
	assert_string_equal(l.action, "classification.reevaluate");
	assert_string_equal(l.entity_id, f->lars);
	assert_string_equal(l.actor, auth_system.label);
	json_t *ach = parse(l.changes);
	json_t *pv = json_object_get(ach, "pack_version");
	CHECK(json_array_size(pv) == 2, "audit changes lack pack_version: %s", l.changes);
	assert_string_equal(json_string_value(json_array_get(pv, 0)), OLD_PACK);
	assert_string_equal(json_string_value(json_array_get(pv, 1)), p->version);
	assert_non_null(json_object_get(ach, "high_risk_applies_from"));
	json_decref(ach);
	free(l.changes);
	assert_chain_intact(f);

	/* Done once: a second run finds nothing stale. */
	assert_int_equal(reassess(f), 0);

	/* A person's change ends the re-evaluation notice. */
	put(f, "{\"timeline\": \"omnibus\"}");
	json_t *edited = get(f);
	assert_true(json_is_null(json_object_get(edited, "reevaluation")));
	assert_string_equal(str(json_object_get(edited, "assessment"), "high_risk_applies_from"), "2027-12-02");
	last_audit(f, &l);
	assert_string_equal(l.action, "classification.update");
	assert_string_equal(l.actor, "red@k.nl");
	free(l.changes);
	assert_chain_intact(f);

	json_decref(edited);
	json_decref(old_assessment);
	json_decref(before);
	json_decref(after);
}

/* The risk group changes with the timeline (the Omnibus ban does not exist in
 * "original"): the diff says so and the stored risk_group column follows. */
static void test_reassess_risk_group_column(void **state)
{
	struct fx *f = *state;
	char sql[512];
	put(f, "{\"profile\": {\"type\": \"AI-systeem\", \"roles\": [\"gebruiksverantwoordelijke\"], "
	       "\"prohibited\": \"5-ncii\"}}");
	snprintf(sql, sizeof sql, "SELECT risk_group FROM classifications " WHERE_LARS, f->lars);
	char *rg = raw_text(f, sql);
	assert_string_equal(rg, "verboden AI");
	free(rg);

	char upd[512];
	snprintf(upd, sizeof upd,
		 "UPDATE classifications SET pack_version = '" OLD_PACK "', timeline = 'original' "
		 WHERE_LARS, f->lars);
	raw_exec(f, upd);
	assert_int_equal(reassess(f), 1);

	rg = raw_text(f, sql);
	assert_string_equal(rg, "geen hoog-risico AI");
	free(rg);
	json_t *o = get(f);
	json_t *ch = json_object_get(json_object_get(o, "reevaluation"), "changes");
	json_t *r = json_object_get(ch, "risk_group");
	CHECK(json_array_size(r) == 2, "changes lack risk_group: %s", json_dumps(ch, JSON_COMPACT));
	assert_string_equal(json_string_value(json_array_get(r, 0)), "verboden AI");
	assert_string_equal(json_string_value(json_array_get(r, 1)), "geen hoog-risico AI");
	json_t *pc = json_object_get(ch, "publication_category");
	CHECK(json_array_size(pc) == 2, "changes lack publication_category: %s", json_dumps(ch, JSON_COMPACT));
	assert_string_equal(json_string_value(json_array_get(pc, 1)), "Overige algoritmes");
	json_decref(o);
	assert_chain_intact(f);
}

/* Only the pack version differs: re-evaluated, nothing changed, the previous
 * assessment equals the new one. */
static void test_reassess_nothing_changed(void **state)
{
	struct fx *f = *state;
	char sql[512];
	put(f, "{\"profile\": " PROFILE_5A "}");
	json_t *before = get(f);
	snprintf(sql, sizeof sql, "UPDATE classifications SET pack_version = '" OLD_PACK "' " WHERE_LARS, f->lars);
	raw_exec(f, sql);
	assert_int_equal(reassess(f), 1);
	json_t *after = get(f);
	json_t *re = json_object_get(after, "reevaluation");
	CHECK(json_is_object(re), "reevaluation missing");
	CHECK(json_object_size(json_object_get(re, "changes")) == 0, "changes not empty: %s",
	      json_dumps(json_object_get(re, "changes"), JSON_COMPACT));
	CHECK(json_equal(json_object_get(re, "previous"), json_object_get(before, "assessment")),
	      "previous differs from the assessment before");
	CHECK(json_equal(json_object_get(after, "assessment"), json_object_get(before, "assessment")),
	      "assessment changed although only the pack version did");
	json_decref(before);
	json_decref(after);
}

/* A stored profile the current pack refuses keeps its old assessment and the
 * changes carry the error naming the field. */
static void test_reassess_refused_profile(void **state)
{
	struct fx *f = *state;
	char sql[512];
	put(f, "{\"profile\": " PROFILE_5A "}");
	json_t *before = get(f);
	snprintf(sql, sizeof sql,
		 "UPDATE classifications SET pack_version = '" OLD_PACK "', "
		 "profile = '{\"type\":\"AI-systeem\",\"roles\":[],\"annex3\":\"5(a)\"}' " WHERE_LARS, f->lars);
	raw_exec(f, sql);
	assert_int_equal(reassess(f), 1);
	json_t *after = get(f);
	CHECK(json_equal(json_object_get(after, "assessment"), json_object_get(before, "assessment")),
	      "a refused profile replaced the assessment");
	assert_string_equal(str(after, "pack_version"), aia_pack()->version);
	json_t *ch = json_object_get(json_object_get(after, "reevaluation"), "changes");
	const char *err = str(ch, "error");
	CHECK(err && strstr(err, "roles"), "changes.error does not name the field: %s", json_dumps(ch, JSON_COMPACT));
	json_decref(before);
	json_decref(after);
	assert_chain_intact(f);
}

/* Answers without a profile: re-evaluated (pack version updated), no assessment. */
static void test_reassess_answers_only(void **state)
{
	struct fx *f = *state;
	char sql[512];
	put(f, "{\"answers\": \"1.1=0,1.2=0,1.3=0,1.4.1=0,1.5=0\"}");
	snprintf(sql, sizeof sql, "UPDATE classifications SET pack_version = '" OLD_PACK "' " WHERE_LARS, f->lars);
	raw_exec(f, sql);
	assert_int_equal(reassess(f), 1);
	json_t *o = get(f);
	assert_true(json_is_null(json_object_get(o, "assessment")));
	assert_string_equal(str(o, "pack_version"), aia_pack()->version);
	assert_string_equal(str(json_object_get(o, "conclusion"), "id"), "11.2");
	json_decref(o);
	assert_int_equal(reassess(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reassess_changed_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassess_risk_group_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassess_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassess_refused_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassess_answers_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
