/* Unit tests for the audit trail (audit.c and the services that write it):
 * every change writes its row in the same transaction (who, what, the changed
 * fields old -> new), a change that is undone leaves no row and a row that
 * cannot be written undoes the change, the triggers keep the table
 * append-only, and audit_verify finds every kind of tampering done with plain
 * SQL on the database file, naming the first broken row.
 *
 * The key comes from AIREG_AUDIT_KEY (set in main); test_key covers the key
 * file. Few passwords are hashed: argon2id takes ~0.1 s. */
#include "testutil.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "reg.h"
#include "store.h"
#include "svc.h"

#define KEY_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define OTHER_KEY_HEX "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

#define COMPLETE(name) "{\"name\": \"" name "\", \"description_short\": \"Korte beschrijving\", " \
	"\"status\": \"In gebruik\", \"contact_email\": \"algoritmes@example.nl\", " \
	"\"publication_category\": \"Overige algoritmes\", \"lang\": \"nld\"}"

struct fx {
	char dir[64], path[128], copy[128];
	struct store *st;
	long long org_a, org_b;
	size_t seen;            /* audit rows already checked */
};

static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".audit-key"};
	char p[192];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
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

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	CHECK(v, "test JSON does not parse: %s: %s", text, je.text);
	return v;
}

static int setup(void **state)
{
	char err[256];
	struct svc_err e = {0};
	struct fx *f = calloc(1, sizeof *f);
	if (!f || reg_init(err, sizeof err))
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-audit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.db", f->dir);
	snprintf(f->copy, sizeof f->copy, "%s/tampered.db", f->dir);
	setenv("AIREG_AUDIT_KEY", KEY_HEX, 1);
	if (audit_key_load(f->path, err, sizeof err) || store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (svc_org_create(f->st, &auth_system, "org-a", "Gemeente Aadorp", "gemeente", &e) ||
	    svc_org_create(f->st, &auth_system, "org-b", "Gemeente Beestad", "gemeente", &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	store_org_get(f->st, "org-a", org_id_cb, &f->org_a);
	store_org_get(f->st, "org-b", org_id_cb, &f->org_b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	remove_db(f->path);
	remove_db(f->copy);
	rmdir(f->dir);
	free(f);
	reg_cleanup();
	return 0;
}

static void grant(struct fx *f, const struct actor *a, const char *email, const char *org, const char *role,
		  const char *password)
{
	struct svc_err e = {0};
	int rc = svc_user_add(f->st, a, email, org, role, password, NULL, 0, &e);
	CHECK(rc == 0, "user add %s %s %s: %d %s", email, org ? org : "-", role ? role : "-", rc, e.message);
}

static void load_actor(struct fx *f, const char *email, struct actor *a)
{
	long long id = 0;
	CHECK(store_user_by_email(f->st, email, user_id_cb, &id) == STORE_OK, "no user %s", email);
	CHECK(auth_actor_load(f->st, id, 0, 0, a) == STORE_OK, "load %s", email);
}

static void create(struct fx *f, const struct actor *a, const char *org, const char *body, char lars[9])
{
	struct svc_err e = {0};
	json_t *b = parse(body);
	int rc = svc_algo_create(f->st, a, org, b, lars, &e);
	json_decref(b);
	CHECK(rc == 0, "create: %d %s", rc, e.message);
}

static int update(struct fx *f, const struct actor *a, const char *lars, int expected, const char *body,
		  struct svc_err *e)
{
	int version;
	json_t *b = parse(body);
	memset(e, 0, sizeof *e);
	int rc = svc_algo_update(f->st, a, lars, expected, b, &version, e);
	json_decref(b);
	return rc;
}

/* ---- reading the log ---- */

static int row_cb(void *ctx, const struct audit_row *r)
{
	json_t *changes = json_loads(r->changes, 0, NULL);
	json_array_append_new(ctx, json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)r->id,
					     "chain", (json_int_t)r->chain, "seq", (json_int_t)r->seq, "at", r->at,
					     "actor", r->actor, "action", r->action, "entity", r->entity, "entity_id",
					     r->entity_id, "changes", changes ? changes : json_string(r->changes),
					     "prev_hash", r->prev_hash, "hash", r->hash));
	return 0;
}

static int by_id(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
	return (x > y) - (x < y);
}

/* Every row, in the order written (caller frees). */
static json_t *rows(struct fx *f)
{
	json_t *arr = json_array(), *sorted = json_array();
	CHECK(store_audit_rows(f->st, -1, row_cb, arr) == STORE_OK, "rows: %s", store_errmsg(f->st));
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof *v, by_id);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(arr);
	return sorted;
}

static size_t row_count(struct fx *f)
{
	json_t *r = rows(f);
	size_t n = json_array_size(r);
	json_decref(r);
	return n;
}

/* What a new row must say. changes: the exact object as JSON, or NULL (not
 * checked), or "~{...}": these keys with these values, others allowed. */
struct want {
	const char *action, *actor, *entity, *entity_id;
	long long chain;
	const char *changes;
};

static void expect_rows(struct fx *f, const char *what, const struct want *w, size_t n)
{
	json_t *all = rows(f);
	size_t total = json_array_size(all);
	CHECK(total == f->seen + n, "%s: %zu new audit rows, want %zu", what, total - f->seen, n);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(all, f->seen + i);
		char *dump = json_dumps(r, JSON_COMPACT);
		CHECK(!strcmp(reg_str(r, "action"), w[i].action), "%s: row %zu action: %s", what, i, dump);
		CHECK(!strcmp(reg_str(r, "actor"), w[i].actor), "%s: row %zu actor: %s", what, i, dump);
		CHECK(!strcmp(reg_str(r, "entity"), w[i].entity), "%s: row %zu entity: %s", what, i, dump);
		CHECK(!strcmp(reg_str(r, "entity_id"), w[i].entity_id), "%s: row %zu entity_id: %s", what, i, dump);
		CHECK(json_integer_value(json_object_get(r, "chain")) == w[i].chain, "%s: row %zu chain (want %lld): %s",
		      what, i, w[i].chain, dump);
		CHECK(strlen(reg_str(r, "at")) == 20, "%s: row %zu at: %s", what, i, dump);
		if (w[i].changes) {
			bool subset = w[i].changes[0] == '~';
			json_t *want = parse(w[i].changes + subset), *got = json_object_get(r, "changes");
			bool ok = json_is_object(got);
			if (ok && subset) {
				const char *k;
				json_t *v;
				json_object_foreach(want, k, v)
					ok &= json_equal(json_object_get(got, k), v);
			} else if (ok) {
				ok = json_equal(got, want);
			}
			json_decref(want);
			CHECK(ok, "%s: row %zu changes %s, want %s", what, i, dump, w[i].changes);
		}
		free(dump);
	}
	f->seen = total;
	json_decref(all);
}

static void expect_none(struct fx *f, const char *what)
{
	expect_rows(f, what, NULL, 0);
}

static int record_cb(void *ctx, const struct algo *a)
{
	auth_hash_secret(a->record, ctx);
	return 0;
}

/* The BLAKE2b-256 of a version's record, hex (a static buffer). */
static const char *record_hash(struct fx *f, const char *lars, int version)
{
	static char hash[65];
	CHECK(store_algo_get(f->st, lars, version, record_cb, hash) == STORE_OK, "no version %d of %s", version, lars);
	return hash;
}

static void expect_intact(struct fx *f)
{
	char msg[256] = "";
	int rc = audit_verify(f->st, msg, sizeof msg);
	CHECK(rc == 0, "audit_verify: %d %s", rc, msg);
	assert_string_equal(msg, "audit trail intact");
}

/* ---- every change ---- */

static void test_every_change(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	expect_rows(f, "organisations", (const struct want[]){
		{"organisation.create", "cli", "organisation", "org-a", 0,
		 "{\"code\": [null, \"org-a\"], \"name\": [null, \"Gemeente Aadorp\"], \"type\": [null, \"gemeente\"]}"},
		{"organisation.create", "cli", "organisation", "org-b", 0, NULL},
	}, 2);

	/* People and roles. */
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	expect_rows(f, "user add", (const struct want[]){
		{"user.create", "cli", "user", "anna@example.nl", 0, "{\"email\": [null, \"anna@example.nl\"]}"},
		{"role.grant", "cli", "user", "anna@example.nl", f->org_a, "{\"role\": [null, \"redacteur\"]}"},
	}, 2);
	grant(f, &auth_system, "anna@example.nl", "org-a", "goedkeurder", NULL);
	expect_rows(f, "role grant", (const struct want[]){
		{"role.grant", "cli", "user", "anna@example.nl", f->org_a, "{\"role\": [null, \"goedkeurder\"]}"},
	}, 1);
	grant(f, &auth_system, "beh@example.nl", "org-a", "beheerder", "wachtwoord van beh");   /* one hash */
	expect_rows(f, "user add with password", (const struct want[]){
		{"user.create", "cli", "user", "beh@example.nl", 0, NULL},
		{"role.grant", "cli", "user", "beh@example.nl", f->org_a, "{\"role\": [null, \"beheerder\"]}"},
		{"user.password", "cli", "user", "beh@example.nl", 0, NULL},
	}, 3);
	struct actor beh, anna, bert;
	load_actor(f, "beh@example.nl", &beh);
	grant(f, &beh, "bert@example.nl", "org-a", "redacteur", NULL);
	expect_rows(f, "user add by a beheerder", (const struct want[]){
		{"user.create", "beh@example.nl", "user", "bert@example.nl", 0, NULL},
		{"role.grant", "beh@example.nl", "user", "bert@example.nl", f->org_a, NULL},
	}, 2);
	load_actor(f, "anna@example.nl", &anna);
	load_actor(f, "bert@example.nl", &bert);

	/* Organisation settings. */
	assert_int_equal(svc_org_set_mode(f->st, &beh, "org-a", "one-step", &e), 0);
	assert_int_equal(svc_org_set_mode(f->st, &beh, "org-a", "two-step", &e), 0);
	expect_rows(f, "publication mode", (const struct want[]){
		{"organisation.mode", "beh@example.nl", "organisation", "org-a", f->org_a,
		 "{\"publication_mode\": [\"two-step\", \"one-step\"]}"},
		{"organisation.mode", "beh@example.nl", "organisation", "org-a", f->org_a,
		 "{\"publication_mode\": [\"one-step\", \"two-step\"]}"},
	}, 2);

	/* Records: creation lists the new fields, an update exactly the changed ones. */
	char lars[9], want_changes[512];
	create(f, &anna, "org-a", COMPLETE("Parkeerscan"), lars);
	snprintf(want_changes, sizeof want_changes,
		 "~{\"lars\": [null, \"%s\"], \"name\": [null, \"Parkeerscan\"], \"status\": [null, \"In gebruik\"], "
		 "\"organization\": [null, \"Gemeente Aadorp\"], \"lang\": [null, \"nld\"]}", lars);
	expect_rows(f, "create", (const struct want[]){
		{"algorithm.create", "anna@example.nl", "algorithm", lars, f->org_a, want_changes},
	}, 1);
	assert_int_equal(update(f, &anna, lars, 1, "{\"name\": \"Parkeerscan 2\", \"description_short\": \"Anders\", "
				"\"status\": \"In gebruik\", \"contact_email\": \"algoritmes@example.nl\", "
				"\"publication_category\": \"Overige algoritmes\", \"lang\": \"nld\", "
				"\"goal\": \"<p>Handhaving</p>\"}", &e), 0);
	expect_rows(f, "update", (const struct want[]){
		{"algorithm.update", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"name\": [\"Parkeerscan\", \"Parkeerscan 2\"], \"description_short\": [\"Korte beschrijving\", "
		 "\"Anders\"], \"goal\": [null, \"<p>Handhaving</p>\"]}"},
	}, 1);
	assert_int_equal(update(f, &anna, lars, 2, COMPLETE("Parkeerscan 3"), &e), 0);
	expect_rows(f, "update removing a field", (const struct want[]){
		{"algorithm.update", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"name\": [\"Parkeerscan 2\", \"Parkeerscan 3\"], \"description_short\": [\"Anders\", "
		 "\"Korte beschrijving\"], \"goal\": [\"<p>Handhaving</p>\", null]}"},
	}, 1);
	assert_int_equal(update(f, &anna, lars, 3, COMPLETE("Parkeerscan 3"), &e), 0);
	expect_none(f, "an identical update changes nothing");

	/* Workflow steps. */
	assert_int_equal(svc_algo_release(f->st, &anna, lars, &e), 0);
	assert_int_equal(svc_algo_reject(f->st, &anna, lars, "Onvolledig", &e), 0);
	assert_int_equal(svc_algo_release(f->st, &bert, lars, &e), 0);
	assert_int_equal(svc_algo_publish(f->st, &anna, lars, &e), 0);
	assert_int_equal(svc_algo_retract(f->st, &anna, lars, "Niet meer in gebruik", &e), 0);
	assert_int_equal(svc_algo_archive(f->st, &anna, lars, &e), 0);
	expect_rows(f, "workflow", (const struct want[]){
		{"algorithm.release", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"concept\", \"ter beoordeling\"]}"},
		{"algorithm.reject", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"ter beoordeling\", \"concept\"], \"reason\": [null, \"Onvolledig\"]}"},
		{"algorithm.release", "bert@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"concept\", \"ter beoordeling\"]}"},
		{"algorithm.publish", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"ter beoordeling\", \"gepubliceerd\"], \"published_version\": [null, 3]}"},
		{"algorithm.retract", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"gepubliceerd\", \"teruggetrokken\"], \"reason\": [null, \"Niet meer in gebruik\"], "
		 "\"published_version\": [3, null]}"},
		{"algorithm.archive", "anna@example.nl", "algorithm", lars, f->org_a,
		 "{\"state\": [\"teruggetrokken\", \"gearchiveerd\"]}"},
	}, 6);

	/* Import: a new record (its version and the hash of its record, which the
	 * immutable version holds, instead of a copy) and a changed one (what
	 * changed, too). */
	json_t *report = NULL;
	const char *file = "[{\"name\": \"Afvalroute\", \"source_id\": \"AFV-1\", \"status\": \"In gebruik\"}]";
	assert_int_equal(svc_import(f->st, &bert, file, strlen(file), false, "org-a", 0, &report, NULL, &e), 0);
	char imported[9], want_new[160], want_changed[256];
	snprintf(imported, sizeof imported, "%s", reg_str(json_array_get(json_object_get(report, "records"), 0), "id"));
	json_decref(report);
	file = "[{\"name\": \"Afvalroute\", \"source_id\": \"AFV-1\", \"status\": \"Buiten gebruik\"}]";
	assert_int_equal(svc_import(f->st, &bert, file, strlen(file), false, "org-a", 0, &report, NULL, &e), 0);
	json_decref(report);
	snprintf(want_new, sizeof want_new, "{\"version\": 1, \"record_hash\": \"%s\"}", record_hash(f, imported, 1));
	snprintf(want_changed, sizeof want_changed, "{\"status\": [\"In gebruik\", \"Buiten gebruik\"], \"version\": 2, "
		 "\"record_hash\": \"%s\"}", record_hash(f, imported, 2));
	expect_rows(f, "import", (const struct want[]){
		{"algorithm.import", "bert@example.nl", "algorithm", imported, f->org_a, want_new},
		{"algorithm.import_update", "bert@example.nl", "algorithm", imported, f->org_a, want_changed},
	}, 2);
	/* Imported as published (anna is goedkeurder): the same row says so. */
	file = "[{\"name\": \"Afvalroute\", \"source_id\": \"AFV-1\", \"status\": \"In gebruik\"}]";
	assert_int_equal(svc_import(f->st, &anna, file, strlen(file), false, "org-a", IMPORT_PUBLISH, &report, NULL, &e), 0);
	CHECK(json_integer_value(json_object_get(report, "not_published")) == 1, "the incomplete record was published");
	json_decref(report);
	file = "[" COMPLETE("Afvalroute") "]";
	assert_int_equal(svc_import(f->st, &anna, file, strlen(file), false, "org-a", IMPORT_PUBLISH, &report, NULL, &e), 0);
	CHECK(json_integer_value(json_object_get(report, "published")) == 1, "the complete record was not published");
	json_decref(report);
	expect_rows(f, "import as published", (const struct want[]){
		{"algorithm.import_update", "anna@example.nl", "algorithm", imported, f->org_a, "~{\"version\": 3}"},
		{"algorithm.import_update", "anna@example.nl", "algorithm", imported, f->org_a,
		 "~{\"version\": 4, \"state\": [\"concept\", \"gepubliceerd\"], \"published_version\": [null, 4]}"},
	}, 2);

	/* Tokens: created (never with its secret) and revoked. */
	char secret[64], token_id[24];
	long long tid;
	assert_int_equal(svc_token_create(f->st, &auth_system, "anna@example.nl", "koppeling", "org-a", "redacteur", 30,
					  secret, &tid, &e), 0);
	expect_rows(f, "token create", (const struct want[]){
		{"token.create", "cli", "user", "anna@example.nl", 0, "~{\"name\": \"koppeling\"}"},
	}, 1);
	json_t *all = rows(f);
	char *dump = json_dumps(json_array_get(all, json_array_size(all) - 1), JSON_COMPACT);
	json_decref(all);
	char hash[65];
	auth_hash_secret(secret, hash);
	bool leaks = strstr(dump, secret + 6) || strstr(dump, hash);
	free(dump);
	CHECK(!leaks, "the audit row of a new token holds its secret or its hash");
	snprintf(token_id, sizeof token_id, "%lld", tid);
	assert_int_equal(svc_token_revoke(f->st, &anna, tid, &e), 0);
	expect_rows(f, "token revoke", (const struct want[]){
		{"token.revoke", "anna@example.nl", "token", token_id, 0, NULL},
	}, 1);

	/* Log-ins: good, wrong password, unknown account (three verifications). */
	char session[64], csrf[65];
	assert_int_equal(svc_login(f->st, "beh@example.nl", "wachtwoord van beh", "192.0.2.1", session, csrf, &e), 0);
	assert_int_equal(svc_login(f->st, "beh@example.nl", "fout wachtwoord", "192.0.2.2", session, csrf, &e), 401);
	assert_int_equal(svc_login(f->st, "niemand@example.nl", "fout wachtwoord", "192.0.2.3", session, csrf, &e), 401);
	expect_rows(f, "log-ins", (const struct want[]){
		{"user.login", "beh@example.nl", "user", "beh@example.nl", 0, NULL},
		{"user.login_failed", "anonymous@192.0.2.2", "user", "beh@example.nl", 0,
		 "{\"email\": [null, \"beh@example.nl\"]}"},
		{"user.login_failed", "anonymous@192.0.2.3", "user", "niemand@example.nl", 0, NULL},
	}, 3);
	all = rows(f);
	dump = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	leaks = strstr(dump, "wachtwoord van beh") || strstr(dump, "fout wachtwoord");
	free(dump);
	CHECK(!leaks, "a password is in the audit trail");

	/* Accounts: disable, reset link, the reset itself (one hash), operator. */
	char link[64];
	assert_int_equal(svc_user_disable(f->st, &beh, "bert@example.nl", &e), 0);
	assert_int_equal(svc_user_reset_link(f->st, &auth_system, "anna@example.nl", link, sizeof link, &e), 0);
	assert_int_equal(svc_user_set_password(f->st, link, "nieuw wachtwoord anna", &e), 0);
	assert_int_equal(svc_user_set_operator(f->st, &auth_system, "anna@example.nl", &e), 0);
	expect_rows(f, "accounts", (const struct want[]){
		{"user.disable", "beh@example.nl", "user", "bert@example.nl", 0, "{\"disabled\": [false, true]}"},
		{"user.reset_link", "cli", "user", "anna@example.nl", 0, NULL},
		{"user.reset", "anna@example.nl", "user", "anna@example.nl", 0, NULL},
		{"user.operator", "cli", "user", "anna@example.nl", 0, "{\"operator\": [false, true]}"},
	}, 4);

	/* The chains: each organisation's and the platform's, numbered from 1, linked. */
	all = rows(f);
	size_t i;
	json_t *r;
	long long next[3] = {1, 1, 1};
	char prev[3][65] = {"", "", ""};
	json_array_foreach(all, i, r) {
		long long chain = json_integer_value(json_object_get(r, "chain"));
		int c = chain == 0 ? 0 : chain == f->org_a ? 1 : 2;
		CHECK(chain == 0 || chain == f->org_a, "row %zu in chain %lld", i, chain);
		CHECK(json_integer_value(json_object_get(r, "seq")) == next[c]++, "row %zu: seq", i);
		CHECK(!strcmp(reg_str(r, "prev_hash"), prev[c]), "row %zu: prev_hash", i);
		CHECK(strlen(reg_str(r, "hash")) == 64, "row %zu: hash", i);
		snprintf(prev[c], sizeof prev[c], "%s", reg_str(r, "hash"));
	}
	json_decref(all);
	expect_intact(f);

	/* The export: one JSON object a line, every row, in chain order. */
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(audit_export(f->st, &out), 0);
	size_t lines = 0;
	for (char *line = out.data, *nl; line && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		json_t *o = parse(line);
		static const char *const keys[] = {"id", "chain", "seq", "at", "actor", "action", "entity", "entity_id",
						   "changes", "prev_hash", "hash"};
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			CHECK(json_object_get(o, keys[k]), "export line %zu lacks %s", lines, keys[k]);
		CHECK(json_is_object(json_object_get(o, "changes")), "export line %zu: changes", lines);
		json_decref(o);
		lines++;
	}
	assert_int_equal(lines, f->seen);
	buf_cleanup(&out);
}

/* ---- the same transaction ---- */

static long long raw_count(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long n = -1;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "open %s", path);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	CHECK(n >= 0, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static int raw_exec(const char *path, const char *sql, char *msg, size_t msglen)
{
	sqlite3 *db = NULL;
	char *m = NULL;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "open %s", path);
	sqlite3_busy_timeout(db, 2000);
	int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	if (msg)
		snprintf(msg, msglen, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

/* A change that is refused or undone leaves no audit row, even when its audit
 * row was already written (an import that fails at its last record). */
static void test_rollback_leaves_no_row(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	json_t *report = NULL;
	char lars[9], other[9];
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	grant(f, &auth_system, "anna@example.nl", "org-a", "goedkeurder", NULL);
	struct actor anna;
	load_actor(f, "anna@example.nl", &anna);
	create(f, &anna, "org-a", COMPLETE("Parkeerscan"), lars);
	create(f, &anna, "org-a", "{\"name\": \"Half af\"}", other);
	f->seen = row_count(f);
	long long algorithms = raw_count(f->path, "SELECT count(*) FROM algorithms");

	const char *file = "[{\"name\": \"Een\", \"organization\": \"Gemeente Aadorp\"},"
			   " {\"name\": \"Twee\", \"organization\": \"Gemeente Aadorp\"},"
			   " {\"name\": \"Kapot\", \"organization\": \"Gemeente Aadorp\", \"status\": \"Gepland\"}]";
	assert_int_equal(svc_import(f->st, &anna, file, strlen(file), false, NULL, 0, &report, NULL, &e), 422);
	json_decref(report);
	expect_none(f, "a rejected import");
	assert_int_equal(svc_import(f->st, &anna, file, strlen(file), false, NULL, IMPORT_DRY_RUN | IMPORT_SKIP_INVALID,
				    &report, NULL, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(report, "created")), 2);
	json_decref(report);
	expect_none(f, "a dry run");
	assert_int_equal(raw_count(f->path, "SELECT count(*) FROM algorithms"), algorithms);

	assert_int_equal(update(f, &anna, lars, 7, COMPLETE("Oud"), &e), 409);
	expect_none(f, "a stale update");
	assert_int_equal(update(f, &anna, lars, 1, "{\"name\": 5}", &e), 422);
	expect_none(f, "an invalid update");
	json_t *b = parse("{\"name\": \"x\", \"kleur\": \"rood\"}");
	assert_int_equal(svc_algo_create(f->st, &anna, "org-a", b, other, &e), 422);
	json_decref(b);
	expect_none(f, "an invalid create");
	assert_int_equal(svc_org_create(f->st, &auth_system, "org-a", "Nog een", "overig", &e), 409);
	expect_none(f, "a taken organisation code");
	assert_int_equal(svc_algo_release(f->st, &anna, other, &e), 422);
	expect_none(f, "releasing an unpublishable record");
	assert_int_equal(svc_algo_release(f->st, &anna, lars, &e), 0);
	f->seen++;
	assert_int_equal(svc_algo_publish(f->st, &anna, lars, &e), 403);
	expect_none(f, "four eyes");
	assert_int_equal(svc_algo_reject(f->st, &anna, lars, "", &e), 422);
	expect_none(f, "a rejection without a reason");
	char secret[64];
	long long tid;
	assert_int_equal(svc_token_create(f->st, &anna, "anna@example.nl", "x", "org-b", NULL, 30, secret, &tid, &e), 422);
	expect_none(f, "a token for a role not held");
	expect_intact(f);
}

/* The other way round: when the audit row cannot be written, the change is
 * undone with it. A trigger (made with plain SQL) refuses one action at a time. */
static void test_no_change_without_row(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	char msg[256], lars[9];
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	grant(f, &auth_system, "bert@example.nl", "org-a", "goedkeurder", NULL);
	struct actor anna, bert;
	load_actor(f, "anna@example.nl", &anna);
	load_actor(f, "bert@example.nl", &bert);
	create(f, &anna, "org-a", COMPLETE("Parkeerscan"), lars);
	assert_int_equal(svc_algo_release(f->st, &anna, lars, &e), 0);

	static const char *const refused[] = {"algorithm.create", "algorithm.update", "algorithm.publish", "user.create",
					      "role.grant", "token.create", "token.revoke", "organisation.create"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		char sql[256];
		snprintf(sql, sizeof sql, "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_log WHEN NEW.action = '%s' "
			 "BEGIN SELECT RAISE(ABORT, 'audit row refused'); END", refused[i]);
		assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_OK);
		f->seen = row_count(f);
		long long before_algos = raw_count(f->path, "SELECT count(*) FROM algorithms");
		long long before_versions = raw_count(f->path, "SELECT count(*) FROM algorithm_versions");
		long long before_pubs = raw_count(f->path, "SELECT count(*) FROM publications");
		long long before_users = raw_count(f->path, "SELECT count(*) FROM users");
		long long before_members = raw_count(f->path, "SELECT count(*) FROM memberships");
		long long before_tokens = raw_count(f->path, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL");
		long long before_orgs = raw_count(f->path, "SELECT count(*) FROM orgs");
		int rc = 0;
		char secret[64] = "", made[9];
		long long tid = 0;
		memset(&e, 0, sizeof e);
		switch (i) {
		case 0: {
			json_t *b = parse(COMPLETE("Nieuw"));
			rc = svc_algo_create(f->st, &anna, "org-a", b, made, &e);
			json_decref(b);
			break;
		}
		case 1:
			rc = update(f, &anna, lars, 1, COMPLETE("Gewijzigd"), &e);
			break;
		case 2:
			rc = svc_algo_publish(f->st, &bert, lars, &e);
			break;
		case 3:
			rc = svc_user_add(f->st, &auth_system, "nieuw@example.nl", "org-a", "lezer", NULL, NULL, 0, &e);
			break;
		case 4:
			rc = svc_user_add(f->st, &auth_system, "anna@example.nl", "org-b", "lezer", NULL, NULL, 0, &e);
			break;
		case 5:
			rc = svc_token_create(f->st, &anna, "anna@example.nl", "x", NULL, NULL, 30, secret, &tid, &e);
			break;
		case 6: {
			/* a token made before the trigger... */
			assert_int_equal(raw_exec(f->path, "DROP TRIGGER test_refuse", msg, sizeof msg), SQLITE_OK);
			assert_int_equal(svc_token_create(f->st, &anna, "anna@example.nl", "x", NULL, NULL, 30, secret, &tid,
							  &e), 0);
			assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_OK);
			f->seen = row_count(f);
			before_tokens = raw_count(f->path, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL");
			rc = svc_token_revoke(f->st, &anna, tid, &e);
			break;
		}
		default:
			rc = svc_org_create(f->st, &auth_system, "org-c", "Gemeente Cedorp", "gemeente", &e);
			break;
		}
		CHECK(rc >= 500, "%s: the change succeeded without its audit row (%d %s)", refused[i], rc, e.message);
		CHECK(raw_count(f->path, "SELECT count(*) FROM algorithms") == before_algos &&
		      raw_count(f->path, "SELECT count(*) FROM algorithm_versions") == before_versions &&
		      raw_count(f->path, "SELECT count(*) FROM publications") == before_pubs &&
		      raw_count(f->path, "SELECT count(*) FROM users") == before_users &&
		      raw_count(f->path, "SELECT count(*) FROM memberships") == before_members &&
		      raw_count(f->path, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL") == before_tokens &&
		      raw_count(f->path, "SELECT count(*) FROM orgs") == before_orgs,
		      "%s: the change stayed although its audit row was refused", refused[i]);
		if (i == 5)
			CHECK(!*secret, "a token secret was handed out for a token that was not stored");
		expect_none(f, refused[i]);
		assert_int_equal(raw_exec(f->path, "DROP TRIGGER test_refuse", msg, sizeof msg), SQLITE_OK);
	}
	/* The publication did not happen, the log is intact, and the store works on. */
	char session[64], csrf[65];
	assert_int_equal(raw_exec(f->path, "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_log WHEN NEW.action "
				  "LIKE 'user.login%' BEGIN SELECT RAISE(ABORT, 'audit row refused'); END", msg,
				  sizeof msg), SQLITE_OK);
	/* A failed log-in whose row cannot be written does not count toward throttling either. */
	int rc = svc_login(f->st, "anna@example.nl", "geen wachtwoord", "192.0.2.5", session, csrf, &e);
	CHECK(rc >= 500 || rc == 401, "log-in: %d", rc);
	assert_int_equal(raw_count(f->path, "SELECT count(*) FROM login_throttle"), 0);
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER test_refuse", msg, sizeof msg), SQLITE_OK);
	assert_int_equal(svc_algo_publish(f->st, &bert, lars, &e), 0);
	expect_intact(f);
}

/* ---- append-only ---- */

static void test_triggers(void **state)
{
	struct fx *f = *state;
	char msg[256];
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	grant(f, &auth_system, "bert@example.nl", "org-a", "redacteur", NULL);
	long long rows_before = raw_count(f->path, "SELECT count(*) FROM audit_log");
	static const char *const attacks[] = {
		"UPDATE audit_log SET actor = 'mallory'",
		"UPDATE audit_log SET actor = 'mallory' WHERE id = 2",
		"UPDATE OR REPLACE audit_log SET seq = 1 WHERE id = 2",
		"DELETE FROM audit_log",
		"DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
		/* replacing a row through its (chain, seq) */
		"INSERT OR REPLACE INTO audit_log (chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, "
		"hash) SELECT chain, seq, at, 'mallory', action, entity, entity_id, changes, prev_hash, hash "
		"FROM audit_log WHERE id = 1",
		"REPLACE INTO audit_log SELECT id, chain, seq, at, 'mallory', action, entity, entity_id, changes, "
		"prev_hash, hash FROM audit_log",
		"INSERT INTO audit_log (chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, hash) "
		"VALUES (0, 1, 'x', 'mallory', 'x', 'x', 'x', '{}', '', '') ON CONFLICT DO UPDATE SET actor = "
		"excluded.actor",
		/* replacing a row through its id alone (given a new chain and seq) */
		"INSERT OR REPLACE INTO audit_log (id, chain, seq, at, actor, action, entity, entity_id, changes, "
		"prev_hash, hash) SELECT id, chain, seq + 1000, at, 'mallory', action, entity, entity_id, changes, "
		"prev_hash, hash FROM audit_log WHERE id = 1",
		"REPLACE INTO audit_log (id, chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, hash) "
		"VALUES (2, 4242, 1, 'x', 'mallory', 'x', 'x', 'x', '{}', '', '')",
		"INSERT INTO audit_log (id, chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, hash) "
		"VALUES (1, 0, 1000, 'x', 'mallory', 'x', 'x', 'x', '{}', '', '') ON CONFLICT DO UPDATE SET actor = "
		"excluded.actor",
	};
	/* Each attack on its own, undone afterwards, so that one getting through
	 * does not open the way for the next. */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	struct buf passed;
	buf_init(&passed, 0);
	for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
		char *m = NULL;
		assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		int before = sqlite3_total_changes(db);
		int rc = sqlite3_exec(db, attacks[i], NULL, NULL, &m);
		int changed = sqlite3_total_changes(db) - before;
		snprintf(msg, sizeof msg, "%s", m ? m : "");
		sqlite3_free(m);
		assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
		if (rc == SQLITE_OK && changed)
			buf_printf(&passed, "\n    %s", attacks[i]);
		else if (rc != SQLITE_OK)
			CHECK(strstr(msg, "append-only"), "attack %zu refused with another cause: %s", i, msg);
	}
	sqlite3_close(db);
	assert_int_equal(raw_count(f->path, "SELECT count(*) FROM audit_log"), rows_before);
	char *list = buf_release(&passed, NULL);
	bool none = !*list;
	if (!none)
		fprintf(stderr, "  the triggers let these change audit_log:%s\n", list);
	free(list);
	CHECK(none, "audit_log rows were replaced while its triggers were in place");
	/* Appending stays possible, for the services. */
	grant(f, &auth_system, "carla@example.nl", "org-a", "lezer", NULL);
	assert_int_equal(raw_count(f->path, "SELECT count(*) FROM audit_log"), rows_before + 2);
	expect_intact(f);
}

/* ---- tampering ---- */

/* The attacker's hash: the same encoding as audit.c, without the key (which
 * the database does not hold). */
static void put_field(crypto_generichash_state *h, const char *s)
{
	unsigned char len[8];
	size_t n = s ? strlen(s) : 0;
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	crypto_generichash_update(h, len, sizeof len);
	crypto_generichash_update(h, (const unsigned char *)(s ? s : ""), n);
}

static void forge_hash(const char *const fields[9], char out[65])
{
	crypto_generichash_state h;
	unsigned char bin[32];
	crypto_generichash_init(&h, NULL, 0, sizeof bin);
	for (int i = 0; i < 9; i++)
		put_field(&h, fields[i]);
	crypto_generichash_final(&h, bin, sizeof bin);
	sodium_bin2hex(out, 65, bin, sizeof bin);
}

/* One row, read with a plain connection. */
struct raw_row {
	long long id, chain, seq;
	char at[32], actor[128], action[64], entity[32], entity_id[128], changes[2048], prev[65], hash[65];
};

static bool raw_row(sqlite3 *db, const char *where, struct raw_row *r)
{
	char sql[512];
	sqlite3_stmt *s;
	memset(r, 0, sizeof *r);
	snprintf(sql, sizeof sql, "SELECT id, chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, hash "
		 "FROM audit_log WHERE %s", where);
	CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	bool found = sqlite3_step(s) == SQLITE_ROW;
	if (found) {
		r->id = sqlite3_column_int64(s, 0);
		r->chain = sqlite3_column_int64(s, 1);
		r->seq = sqlite3_column_int64(s, 2);
		char *dst[] = {r->at, r->actor, r->action, r->entity, r->entity_id, r->changes, r->prev, r->hash};
		size_t len[] = {sizeof r->at, sizeof r->actor, sizeof r->action, sizeof r->entity, sizeof r->entity_id,
				sizeof r->changes, sizeof r->prev, sizeof r->hash};
		for (int i = 0; i < 8; i++)
			snprintf(dst[i], len[i], "%s", (const char *)sqlite3_column_text(s, 3 + i));
	}
	sqlite3_finalize(s);
	return found;
}

static void raw_do(sqlite3 *db, const char *sql)
{
	char *m = NULL;
	CHECK(sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK, "%s: %s", sql, m ? m : "?");
	sqlite3_free(m);
}

/* Inserts a row with the given fields and an attacker's hash; returns its id. */
static long long forge_insert(sqlite3 *db, long long chain, const char *seq_sql, long long seq_for_hash,
			      const char *prev, const char *hash_or_null)
{
	char chain_s[24], seq_s[24], hash[65];
	snprintf(chain_s, sizeof chain_s, "%lld", chain);
	snprintf(seq_s, sizeof seq_s, "%lld", seq_for_hash);
	const char *fields[9] = {prev, chain_s, seq_s, "2024-05-01T12:00:00Z", "mallory@example.nl", "user.operator",
				 "user", "mallory@example.nl", "{\"operator\":[false,true]}"};
	if (hash_or_null)
		snprintf(hash, sizeof hash, "%s", hash_or_null);
	else
		forge_hash(fields, hash);
	char *sql = sqlite3_mprintf("INSERT INTO audit_log (chain, seq, at, actor, action, entity, entity_id, changes, "
				    "prev_hash, hash) VALUES (%lld, %s, %Q, %Q, %Q, %Q, %Q, %Q, %Q, %Q)", chain, seq_sql,
				    fields[3], fields[4], fields[5], fields[6], fields[7], fields[8], prev, hash);
	raw_do(db, sql);
	sqlite3_free(sql);
	return sqlite3_last_insert_rowid(db);
}

/* Builds a log with three chains (the platform's, A's and B's) of at least
 * four rows, and saves the database file as it is on disk. */
static void build_log(struct fx *f, char **pristine, size_t *len)
{
	struct svc_err e = {0};
	char a1[9], a2[9], b1[9];
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	grant(f, &auth_system, "bob@example.nl", "org-b", "redacteur", NULL);
	struct actor anna, bob;
	load_actor(f, "anna@example.nl", &anna);
	load_actor(f, "bob@example.nl", &bob);
	create(f, &anna, "org-a", COMPLETE("Parkeerscan"), a1);
	create(f, &anna, "org-a", COMPLETE("Afvalroute"), a2);
	assert_int_equal(update(f, &anna, a1, 1, COMPLETE("Parkeerscan 2"), &e), 0);
	assert_int_equal(svc_algo_release(f->st, &anna, a2, &e), 0);
	create(f, &bob, "org-b", COMPLETE("Beestad"), b1);
	assert_int_equal(update(f, &bob, b1, 1, COMPLETE("Beestad 2"), &e), 0);
	assert_int_equal(update(f, &bob, b1, 2, COMPLETE("Beestad 3"), &e), 0);
	expect_intact(f);
	/* Closing checkpoints the WAL into the file. */
	store_close(f->st);
	f->st = NULL;
	FILE *fp = fopen(f->path, "rb");
	assert_non_null(fp);
	struct buf b;
	char chunk[65536];
	size_t n;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	*pristine = buf_release(&b, len);
	char err[256];
	assert_int_equal(store_open(f->path, false, &f->st, err, sizeof err), STORE_OK);
}

/* A copy of the pristine database, opened with a plain connection. */
static sqlite3 *fresh_copy(struct fx *f, const char *pristine, size_t len)
{
	remove_db(f->copy);
	FILE *fp = fopen(f->copy, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(pristine, 1, len, fp), len);
	fclose(fp);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->copy, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

/* Verifies the tampered copy: 1 with the message in msg. */
static int verify_copy(struct fx *f, char *msg, size_t msglen)
{
	struct store *st;
	char err[256];
	CHECK(store_open(f->copy, false, &st, err, sizeof err) == STORE_OK, "open the copy: %s", err);
	int rc = audit_verify(st, msg, msglen);
	store_close(st);
	return rc;
}

static const char *const drop_triggers = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; "
					 "DROP TRIGGER audit_log_no_replace;";

enum attack {
	UPDATE_ACTOR,         /* change who did it */
	UPDATE_CHANGES,       /* change what was changed */
	UPDATE_REHASH,        /* change the action and store an (unkeyed) hash of the new row */
	UPDATE_PREV,          /* point prev_hash elsewhere */
	DELETE_ROW,
	INSERT_MIDDLE,        /* renumber the rows after it, insert with a computed hash */
	INSERT_BETWEEN,       /* seq halfway between two rows, no trigger dropped */
	APPEND,               /* after the last row, prev_hash = the real tail, a computed hash */
	APPEND_REPLAY,        /* after the last row, the last row's hash copied */
	SWAP_PAYLOAD,         /* two rows exchange what they say, hashes stay */
	SWAP_ROWS,            /* two rows exchange everything but their place (chain, seq) */
	SWAP_SEQ,             /* two rows exchange their places */
	NATTACKS
};
static const char *const attack_names[] = {"update actor", "update changes", "update and rehash", "update prev_hash",
					   "delete", "insert in the middle", "insert between (fractional seq)",
					   "append", "append a replayed hash", "swap contents", "swap rows",
					   "swap places"};

/* Runs one attack on the row at position pos (0-based) of chain; returns the
 * id of the row verification must name, or 0 when any broken row will do. */
static long long run_attack(sqlite3 *db, enum attack a, long long chain, int pos, int n)
{
	struct raw_row r, other, before;
	char where[128];
	snprintf(where, sizeof where, "chain = %lld AND seq = %d", chain, pos + 1);
	CHECK(raw_row(db, where, &r), "no row %s", where);
	char *sql = NULL;
	long long want = r.id;
	switch (a) {
	case UPDATE_ACTOR:
		raw_do(db, drop_triggers);
		sql = sqlite3_mprintf("UPDATE audit_log SET actor = 'mallory@example.nl' WHERE id = %lld", r.id);
		break;
	case UPDATE_CHANGES:
		raw_do(db, drop_triggers);
		sql = sqlite3_mprintf("UPDATE audit_log SET changes = '{\"name\":[null,\"iets anders\"]}' WHERE id = %lld",
				      r.id);
		break;
	case UPDATE_REHASH: {
		raw_do(db, drop_triggers);
		char chain_s[24], seq_s[24], hash[65];
		snprintf(chain_s, sizeof chain_s, "%lld", r.chain);
		snprintf(seq_s, sizeof seq_s, "%lld", r.seq);
		const char *fields[9] = {r.prev, chain_s, seq_s, r.at, r.actor, "user.delete", r.entity, r.entity_id,
					 r.changes};
		forge_hash(fields, hash);
		sql = sqlite3_mprintf("UPDATE audit_log SET action = 'user.delete', hash = %Q WHERE id = %lld", hash, r.id);
		break;
	}
	case UPDATE_PREV:
		raw_do(db, drop_triggers);
		sql = sqlite3_mprintf("UPDATE audit_log SET prev_hash = hash WHERE id = %lld", r.id);
		break;
	case DELETE_ROW:
		raw_do(db, drop_triggers);
		sql = sqlite3_mprintf("DELETE FROM audit_log WHERE id = %lld", r.id);
		snprintf(where, sizeof where, "chain = %lld AND seq = %d", chain, pos + 2);
		want = pos + 1 < n && raw_row(db, where, &other) ? other.id : 0;   /* the next row, if any */
		break;
	case INSERT_MIDDLE: {
		/* the forged row takes seq pos+1; rows from there move one up */
		raw_do(db, drop_triggers);
		char *shift = sqlite3_mprintf("UPDATE audit_log SET seq = -seq WHERE chain = %lld AND seq >= %d; "
					      "UPDATE audit_log SET seq = 1 - seq WHERE chain = %lld AND seq < 0;",
					      chain, pos + 1, chain);
		raw_do(db, shift);
		sqlite3_free(shift);
		const char *prev = "";
		if (pos > 0) {
			snprintf(where, sizeof where, "chain = %lld AND seq = %d", chain, pos);
			CHECK(raw_row(db, where, &before), "no row before");
			prev = before.hash;
		}
		char seq_s[24];
		snprintf(seq_s, sizeof seq_s, "%d", pos + 1);
		return forge_insert(db, chain, seq_s, pos + 1, prev, NULL);
	}
	case INSERT_BETWEEN: {
		char seq_s[24];
		snprintf(seq_s, sizeof seq_s, "%d.5", pos + 1);
		return forge_insert(db, chain, seq_s, pos + 1, r.hash, NULL);
	}
	case APPEND:
	case APPEND_REPLAY: {
		snprintf(where, sizeof where, "chain = %lld ORDER BY seq DESC LIMIT 1", chain);
		CHECK(raw_row(db, where, &before), "no tail");
		char seq_s[24];
		snprintf(seq_s, sizeof seq_s, "%lld", before.seq + 1);
		return forge_insert(db, chain, seq_s, before.seq + 1, before.hash, a == APPEND_REPLAY ? before.hash : NULL);
	}
	case SWAP_PAYLOAD:
	case SWAP_ROWS:
	case SWAP_SEQ: {
		/* with the next row of the chain, or the first when pos is the last */
		int other_pos = pos + 1 < n ? pos + 1 : 0;
		snprintf(where, sizeof where, "chain = %lld AND seq = %d", chain, other_pos + 1);
		CHECK(raw_row(db, where, &other), "no row %s", where);
		raw_do(db, drop_triggers);
		const struct raw_row *first = pos < other_pos ? &r : &other, *second = pos < other_pos ? &other : &r;
		if (a == SWAP_SEQ) {
			sql = sqlite3_mprintf("UPDATE audit_log SET seq = -1 WHERE id = %lld; "
					      "UPDATE audit_log SET seq = %lld WHERE id = %lld; "
					      "UPDATE audit_log SET seq = %lld WHERE id = %lld;",
					      first->id, first->seq, second->id, second->seq, first->id);
			want = second->id;   /* it now comes first, and is out of place */
			break;
		}
		/* SWAP_PAYLOAD keeps each row's hashes: the prev_hash and hash set are its own. */
		const struct raw_row *h1 = a == SWAP_PAYLOAD ? first : second, *h2 = a == SWAP_PAYLOAD ? second : first;
		const char *fmt = "UPDATE audit_log SET at = %Q, actor = %Q, action = %Q, entity = %Q, entity_id = %Q, "
				  "changes = %Q, prev_hash = %Q, hash = %Q WHERE id = %lld";
		char *s1 = sqlite3_mprintf(fmt, second->at, second->actor, second->action, second->entity,
					   second->entity_id, second->changes, h1->prev, h1->hash, first->id);
		char *s2 = sqlite3_mprintf(fmt, first->at, first->actor, first->action, first->entity, first->entity_id,
					   first->changes, h2->prev, h2->hash, second->id);
		raw_do(db, s1);
		raw_do(db, s2);
		sqlite3_free(s1);
		sqlite3_free(s2);
		want = first->id;
		break;
	}
	default:
		fail_msg("attack %d", a);
	}
	raw_do(db, sql);
	sqlite3_free(sql);
	return want;
}

/* Every kind of tampering, on every row of every chain, each on a fresh copy
 * of the same database: audit_verify reports it and names the first broken row. */
static void test_tampering_detected(void **state)
{
	struct fx *f = *state;
	char *pristine;
	size_t len;
	build_log(f, &pristine, &len);
	long long chains[3] = {0, f->org_a, f->org_b};
	struct buf missed;
	buf_init(&missed, 0);
	int runs = 0;
	for (int a = 0; a < NATTACKS; a++)
		for (size_t c = 0; c < 3; c++) {
			sqlite3 *db = fresh_copy(f, pristine, len);
			char cnt_sql[96];
			snprintf(cnt_sql, sizeof cnt_sql, "SELECT count(*) FROM audit_log WHERE chain = %lld", chains[c]);
			sqlite3_close(db);
			int n = (int)raw_count(f->copy, cnt_sql);
			CHECK(n >= 4, "chain %lld has %d rows", chains[c], n);
			for (int pos = 0; pos < n; pos++) {
				if (a == DELETE_ROW && pos == n - 1)
					continue;   /* cutting the tail: test_truncation_detected */
				db = fresh_copy(f, pristine, len);
				long long want = run_attack(db, (enum attack)a, chains[c], pos, n);
				sqlite3_close(db);
				char msg[256] = "", name[48];
				int rc = verify_copy(f, msg, sizeof msg);
				runs++;
				snprintf(name, sizeof name, "audit row id %lld ", want);
				if (rc != 1)
					buf_printf(&missed, "\n    %s, row %d of %d of chain %lld: not detected (%s)", attack_names[a],
						   pos + 1, n, chains[c], msg);
				else if (want && !strstr(msg, name))
					buf_printf(&missed, "\n    %s, row %d of %d of chain %lld: names the wrong row: %s "
						   "(want id %lld)", attack_names[a], pos + 1, n, chains[c], msg, want);
			}
		}
	sqlite3 *db;
	char msg[256];
	/* A new chain of one forged row. */
	db = fresh_copy(f, pristine, len);
	long long forged = forge_insert(db, 999, "1", 1, "", NULL);
	sqlite3_close(db);
	char name[48];
	snprintf(name, sizeof name, "audit row id %lld ", forged);
	if (verify_copy(f, msg, sizeof msg) != 1 || !strstr(msg, name))
		buf_printf(&missed, "\n    a forged chain: %s", msg);
	runs++;
	free(pristine);
	char *list = buf_release(&missed, NULL);
	bool all = !*list;
	if (!all)
		fprintf(stderr, "  tampering missed in %d attacks:%s\n", runs, list);
	free(list);
	/* The original is untouched and intact. */
	expect_intact(f);
	CHECK(all, "audit_verify missed tampering (see above)");
}

/* Reads the copy's log as audit_export writes it: an archive taken earlier. */
static char *export_copy(struct fx *f, size_t *len)
{
	struct store *st;
	struct buf out;
	char err[256];
	CHECK(store_open(f->copy, false, &st, err, sizeof err) == STORE_OK, "open the copy: %s", err);
	buf_init(&out, 0);
	CHECK(audit_export(st, &out) == 0, "export");
	store_close(st);
	return buf_release(&out, len);
}

static int verify_copy_against(struct fx *f, const char *jsonl, size_t len, char *msg, size_t msglen)
{
	struct store *st;
	char err[256];
	CHECK(store_open(f->copy, false, &st, err, sizeof err) == STORE_OK, "open the copy: %s", err);
	int rc = audit_verify_against(st, jsonl, len, msg, msglen);
	store_close(st);
	return rc;
}


/* An import's audit row holds the hash of the new version's record, not the
 * record: a version changed behind the store's back (its triggers dropped)
 * breaks the trail at that row, and only that change. */
static void test_import_version_changed(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	json_t *report = NULL;
	char msg[256], lars[9];
	const char *file = "[" COMPLETE("Parkeerscan") "]";
	assert_int_equal(svc_import(f->st, &auth_system, file, strlen(file), false, "org-a", IMPORT_PUBLISH, &report,
				    NULL, &e), 0);
	snprintf(lars, sizeof lars, "%s", reg_str(json_array_get(json_object_get(report, "records"), 0), "id"));
	json_decref(report);
	expect_intact(f);
	char *sql = sqlite3_mprintf("DROP TRIGGER algorithm_versions_no_update; UPDATE algorithm_versions SET record = "
				    "replace(record, 'Parkeerscan', 'Parkeerscam') WHERE algorithm_id = "
				    "(SELECT id FROM algorithms WHERE lars = %Q)", lars);
	assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_OK);
	sqlite3_free(sql);
	assert_int_equal(audit_verify(f->st, msg, sizeof msg), 1);
	CHECK(strstr(msg, "version was changed"), "message: %s", msg);
	sql = sqlite3_mprintf("UPDATE algorithm_versions SET record = replace(record, 'Parkeerscam', 'Parkeerscan') "
			      "WHERE algorithm_id = (SELECT id FROM algorithms WHERE lars = %Q)", lars);
	assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_OK);
	sqlite3_free(sql);
	expect_intact(f);
}
/* Cutting rows off the end of a chain, or a whole organisation's chain, with
 * plain SQL: the remaining rows still link up, so the chain alone cannot tell
 * (asserted, so that this limit stays known); an earlier export checked with
 * audit_verify_against must. */
static void test_truncation_detected(void **state)
{
	struct fx *f = *state;
	char *pristine;
	size_t len, xlen;
	build_log(f, &pristine, &len);
	sqlite3_close(fresh_copy(f, pristine, len));
	char *archive = export_copy(f, &xlen);
	CHECK(xlen > 0, "the export is empty");
	long long chains[3] = {0, f->org_a, f->org_b};
	static const char *const what[] = {"the platform's", "organisation A's", "organisation B's"};
	struct buf missed;
	buf_init(&missed, 0);
	for (size_t c = 0; c < 3; c++)
		for (int cut = 0; cut < 3; cut++) {   /* the last row, the last two, the whole chain */
			sqlite3 *db = fresh_copy(f, pristine, len);
			raw_do(db, drop_triggers);
			char *sql = cut < 2
				? sqlite3_mprintf("DELETE FROM audit_log WHERE chain = %lld AND seq > "
						  "(SELECT max(seq) FROM audit_log WHERE chain = %lld) - %d", chains[c], chains[c],
						  cut + 1)
				: sqlite3_mprintf("DELETE FROM audit_log WHERE chain = %lld", chains[c]);
			raw_do(db, sql);
			int deleted = sqlite3_changes(db);
			sqlite3_free(sql);
			sqlite3_close(db);
			char msg[256] = "";
			CHECK(deleted >= 1, "nothing deleted");
			CHECK(verify_copy(f, msg, sizeof msg) == 0, "the chain alone now notices truncation (%s): "
			      "update this test and the docs", msg);
			if (verify_copy_against(f, archive, xlen, msg, sizeof msg) != 1 || !strstr(msg, "missing"))
				buf_printf(&missed, "\n    %s chain, %s: not detected (%s)", what[c],
					   cut == 0 ? "its last row deleted" : cut == 1 ? "its last two rows deleted"
					   : "all its rows deleted", msg);
		}
	/* The untouched copy passes against its own export. */
	sqlite3_close(fresh_copy(f, pristine, len));
	char msg[256];
	CHECK(verify_copy_against(f, archive, xlen, msg, sizeof msg) == 0, "intact copy refused: %s", msg);
	free(archive);
	free(pristine);
	char *list = buf_release(&missed, NULL);
	bool all = !*list;
	if (!all)
		fprintf(stderr, "  truncation missed:%s\n", list);
	free(list);
	expect_intact(f);
	CHECK(all, "an earlier export does not reveal rows cut off the end of a chain");
}

/* ---- the key ---- */

static void test_key(void **state)
{
	struct fx *f = *state;
	char err[256] = "", msg[256], keyfile[192];
	struct stat sb;
	/* With the log written under one key, another key finds every chain broken
	 * at its first row: the key is what makes the hashes unforgeable. */
	grant(f, &auth_system, "anna@example.nl", "org-a", "redacteur", NULL);
	expect_intact(f);
	setenv("AIREG_AUDIT_KEY", OTHER_KEY_HEX, 1);
	assert_int_equal(audit_key_load(f->path, err, sizeof err), 0);
	assert_int_equal(audit_verify(f->st, msg, sizeof msg), 1);
	CHECK(strstr(msg, "audit row id 1 "), "verify under another key: %s", msg);

	/* Bad keys in the environment are refused, naming the variable. */
	static const char *const bad[] = {"abc", "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
					  KEY_HEX "00", "00112233445566778899aabbccddeeff"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("AIREG_AUDIT_KEY", bad[i], 1);
		err[0] = '\0';
		CHECK(audit_key_load(f->path, err, sizeof err) == -1, "bad key %zu accepted", i);
		CHECK(strstr(err, "AIREG_AUDIT_KEY"), "bad key %zu: %s", i, err);
	}

	/* Without the variable: a key file next to the database, made once, 0600. */
	unsetenv("AIREG_AUDIT_KEY");
	snprintf(keyfile, sizeof keyfile, "%s.audit-key", f->path);
	unlink(keyfile);
	assert_int_equal(audit_key_load(f->path, err, sizeof err), 0);
	assert_int_equal(stat(keyfile, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);
	/* A short key file is refused. */
	FILE *fp = fopen(keyfile, "wb");
	assert_non_null(fp);
	fputs("kort", fp);
	fclose(fp);
	CHECK(audit_key_load(f->path, err, sizeof err) == -1 && strstr(err, keyfile), "short key file: %s", err);
	unlink(keyfile);
	setenv("AIREG_AUDIT_KEY", KEY_HEX, 1);
	assert_int_equal(audit_key_load(f->path, err, sizeof err), 0);
}

/* The rows written under a file key verify under that key. */
static void test_key_file_round_trip(void **state)
{
	struct fx *f = *state;
	char err[256], msg[256], keyfile[192], dbpath[160];
	struct store *st;
	struct svc_err e = {0};
	snprintf(dbpath, sizeof dbpath, "%s/k.db", f->dir);
	snprintf(keyfile, sizeof keyfile, "%s.audit-key", dbpath);
	unsetenv("AIREG_AUDIT_KEY");
	assert_int_equal(audit_key_load(dbpath, err, sizeof err), 0);
	assert_int_equal(store_open(dbpath, true, &st, err, sizeof err), STORE_OK);
	assert_int_equal(svc_org_create(st, &auth_system, "org-k", "Gemeente Kadorp", "gemeente", &e), 0);
	assert_int_equal(svc_user_add(st, &auth_system, "k@example.nl", "org-k", "lezer", NULL, NULL, 0, &e), 0);
	/* Another process would read the key from the file. */
	setenv("AIREG_AUDIT_KEY", OTHER_KEY_HEX, 1);
	assert_int_equal(audit_key_load(dbpath, err, sizeof err), 0);
	assert_int_equal(audit_verify(st, msg, sizeof msg), 1);
	unsetenv("AIREG_AUDIT_KEY");
	assert_int_equal(audit_key_load(dbpath, err, sizeof err), 0);
	int rc = audit_verify(st, msg, sizeof msg);
	CHECK(rc == 0, "verify under the key file: %s", msg);
	store_close(st);
	remove_db(dbpath);
	setenv("AIREG_AUDIT_KEY", KEY_HEX, 1);
	assert_int_equal(audit_key_load(f->path, err, sizeof err), 0);
}

int main(void)
{
	setenv("AIREG_AUDIT_KEY", KEY_HEX, 1);
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_no_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_change_without_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampering_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_version_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
