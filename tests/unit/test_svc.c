/* Unit tests for svc.c: organisation seeding, import (JSON shapes and CSV),
 * export, updates with optimistic concurrency, and the safe FTS query.
 *
 * Every test has its own temporary database; the real register entries come
 * from data/seed/algoritmes.json. */
#include "testutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "reg.h"
#include "store.h"
#include "svc.h"
#include "text.h"

#define SEED_FILE "data/seed/algoritmes.json"
#define SEED_COUNT 1530

struct fx {
	char dir[64];
	char path[128], path2[128];
	struct store *st, *st2;      /* st2: a second, fresh database when a test opens one */
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

static int setup_bare(void **state)
{
	char err[256];
	struct fx *f = calloc(1, sizeof *f);
	if (!f || reg_init(err, sizeof err)) {
		fprintf(stderr, "reg_init: %s\n", err);
		return -1;
	}
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-svc-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.db", f->dir);
	snprintf(f->path2, sizeof f->path2, "%s/b.db", f->dir);
	/* Every change writes an audit row; the key comes from AIREG_AUDIT_KEY (main). */
	if (audit_key_load(f->path, err, sizeof err)) {
		fprintf(stderr, "audit_key_load: %s\n", err);
		return -1;
	}
	if (store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

/* A database with the organisation lists seeded. */
static int setup(void **state)
{
	struct svc_err e = {0};
	if (setup_bare(state))
		return -1;
	struct fx *f = *state;
	if (svc_org_seed(f->st, &e)) {
		fprintf(stderr, "svc_org_seed: %s\n", e.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	store_close(f->st2);
	remove_db(f->path);
	remove_db(f->path2);
	rmdir(f->dir);
	free(f);
	reg_cleanup();
	return 0;
}

/* Opens the second database, seeded. */
static struct store *open_second(struct fx *f)
{
	char err[256];
	struct svc_err e = {0};
	CHECK(store_open(f->path2, true, &f->st2, err, sizeof err) == STORE_OK, "store_open: %s", err);
	CHECK(svc_org_seed(f->st2, &e) == 0, "svc_org_seed: %s", e.message);
	return f->st2;
}

static char *read_repo_file(const char *rel, size_t *len)
{
	static const char *const prefixes[] = {"", "../", "../../", "../../../"};
	char path[512];
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		snprintf(path, sizeof path, "%s%s", prefixes[i], rel);
		FILE *fp = fopen(path, "rb");
		if (!fp)
			continue;
		struct buf b;
		char chunk[65536];
		size_t n;
		buf_init(&b, 0);
		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
			buf_append(&b, chunk, n);
		fclose(fp);
		return buf_release(&b, len);
	}
	fail_msg("cannot find %s from the current directory", rel);
	return NULL;
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	CHECK(v, "test JSON does not parse: %s: %s", text, je.text);
	return v;
}

static long long report_count(const json_t *report, const char *action)
{
	json_t *v = json_object_get(report, action);
	CHECK(json_is_integer(v), "report has no %s", action);
	return json_integer_value(v);
}

static void check_counts(const json_t *report, long long created, long long changed, long long unchanged,
			 long long rejected)
{
	long long got[4] = {report_count(report, "created"), report_count(report, "changed"),
			    report_count(report, "unchanged"), report_count(report, "rejected")};
	CHECK(got[0] == created && got[1] == changed && got[2] == unchanged && got[3] == rejected,
	      "report created/changed/unchanged/rejected %lld/%lld/%lld/%lld, want %lld/%lld/%lld/%lld",
	      got[0], got[1], got[2], got[3], created, changed, unchanged, rejected);
	CHECK(json_array_size(json_object_get(report, "records")) == (size_t)(created + changed + unchanged + rejected),
	      "report lists %zu records", json_array_size(json_object_get(report, "records")));
}

/* Imports text; returns the status, the report in *report (caller frees). */
static int import_text(struct store *st, const char *text, bool csv, const char *org, int flags, json_t **report,
		       struct svc_err *e)
{
	memset(e, 0, sizeof *e);
	return svc_import(st, &auth_system, text, strlen(text), csv, org, flags, report, NULL, e);
}

static int noop_cb(void *ctx, const struct algo_summary *a)
{
	(void)ctx;
	(void)a;
	return 0;
}

/* Number of algorithms, archived ones included (listings never show those), as
 * a second, plain connection to the database file sees it. */
static long long algo_total(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long n = -1;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "open %s", path);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM algorithms", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	CHECK(n >= 0, "cannot count the algorithms of %s", path);
	return n;
}

static long long org_total(struct store *st)
{
	long long n = -1;
	CHECK(store_org_count(st, &n) == STORE_OK, "count: %s", store_errmsg(st));
	return n;
}

struct got_algo {
	int calls, version, latest, completeness;
	char lars[9], state[16], org_code[72];
	char *record, *missing, *meta;
};

static int got_cb(void *ctx, const struct algo *a)
{
	struct got_algo *g = ctx;
	g->calls++;
	g->version = a->version;
	g->latest = a->latest;
	g->completeness = a->completeness;
	snprintf(g->lars, sizeof g->lars, "%s", a->lars);
	snprintf(g->state, sizeof g->state, "%s", a->state);
	snprintf(g->org_code, sizeof g->org_code, "%s", a->org_code);
	g->record = strdup(a->record);
	g->missing = strdup(a->missing);
	g->meta = a->import_meta ? strdup(a->import_meta) : NULL;
	return 0;
}

static void got_free(struct got_algo *g)
{
	free(g->record);
	free(g->missing);
	free(g->meta);
	memset(g, 0, sizeof *g);
}

static int get_algo(struct store *st, const char *lars, int version, struct got_algo *g)
{
	memset(g, 0, sizeof *g);
	return store_algo_get(st, lars, version, got_cb, g);
}

static int count_versions_cb(void *ctx, int version, const char *created_at)
{
	(void)version;
	(void)created_at;
	++*(int *)ctx;
	return 0;
}

static int version_count(struct store *st, const char *lars)
{
	int n = 0;
	store_algo_versions(st, lars, count_versions_cb, &n);
	return n;
}

/* The JSON export of a store as an array: the latest versions of every
 * organisation, as the CLI exports with --drafts (the system sees everything). */
static json_t *export_json(struct store *st, const char *org)
{
	struct buf b;
	struct svc_err e = {0};
	buf_init(&b, 0);
	CHECK(svc_export(st, &auth_system, true, org, false, &b, &e) == 0, "export: %s", e.message);
	json_t *arr = parse(buf_str(&b));
	buf_cleanup(&b);
	return arr;
}

/* ---- organisations ---- */

struct type_counts {
	long long n;
	int gemeente, provincie, waterschap, veiligheidsregio, omgevingsdienst, other, empty_code;
};

static int type_cb(void *ctx, const struct org *o)
{
	struct type_counts *c = ctx;
	c->n++;
	if (!strcmp(o->type, "gemeente"))
		c->gemeente++;
	else if (!strcmp(o->type, "provincie"))
		c->provincie++;
	else if (!strcmp(o->type, "waterschap"))
		c->waterschap++;
	else if (!strcmp(o->type, "veiligheidsregio"))
		c->veiligheidsregio++;
	else if (!strcmp(o->type, "omgevingsdienst"))
		c->omgevingsdienst++;
	else
		c->other++;
	c->empty_code += !*o->code || !*o->name;
	return 0;
}

struct org_found {
	int calls;
	char code[72], name[256], type[32];
	long long algorithms;
};

static int org_found_cb(void *ctx, const struct org *o)
{
	struct org_found *r = ctx;
	r->calls++;
	snprintf(r->code, sizeof r->code, "%s", o->code);
	snprintf(r->name, sizeof r->name, "%s", o->name);
	snprintf(r->type, sizeof r->type, "%s", o->type);
	r->algorithms = o->algorithms;
	return 0;
}

static void find_org(struct store *st, const char *name, struct org_found *r)
{
	struct buf key;
	buf_init(&key, 0);
	text_name_key(&key, name);
	memset(r, 0, sizeof *r);
	store_org_find(st, buf_str(&key), org_found_cb, r);
	buf_cleanup(&key);
}

static void test_org_seed(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	struct type_counts c = {0};
	assert_int_equal(svc_org_seed(f->st, &e), 0);
	assert_int_equal(org_total(f->st), 428);
	assert_int_equal(store_org_list(f->st, type_cb, &c), STORE_OK);
	assert_int_equal(c.n, 428);
	assert_int_equal(c.gemeente, 342);
	assert_int_equal(c.provincie, 12);
	assert_int_equal(c.waterschap, 21);
	assert_int_equal(c.veiligheidsregio, 25);
	assert_int_equal(c.omgevingsdienst, 28);
	assert_int_equal(c.other, 0);
	assert_int_equal(c.empty_code, 0);

	/* Not twice. */
	assert_int_equal(svc_org_seed(f->st, &e), 0);
	assert_int_equal(org_total(f->st), 428);

	static const struct {
		const char *name, *code, *type;
	} cases[] = {
		{"Gemeente Nuenen c.a.", "GM0820", "gemeente"},
		{"Gemeente Nuenen, Gerwen en Nederwetten", "GM0820", "gemeente"},   /* alias */
		{"gemeente nuenen gerwen en nederwetten", "GM0820", "gemeente"},
		{"Gemeente Noardeast-Fryslân", "GM1970", "gemeente"},
		{"gemeente noardeast fryslan", "GM1970", "gemeente"},
		{"Veiligheidsregio Flevoland", "VR25", "veiligheidsregio"},
		{"Provincie Drenthe", "PV22", "provincie"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct org_found r;
		find_org(f->st, cases[i].name, &r);
		CHECK(r.calls == 1 && !strcmp(r.code, cases[i].code), "%s: found %s", cases[i].name, r.code);
		CHECK(!strcmp(r.type, cases[i].type), "%s: type %s", cases[i].name, r.type);
	}
}

/* A store that already has an organisation is not seeded. */
static void test_org_seed_not_over_existing(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	assert_int_equal(svc_org_create(f->st, &auth_system, "eigen", "Eigen organisatie", "overig", &e), 0);
	assert_int_equal(svc_org_seed(f->st, &e), 0);
	assert_int_equal(org_total(f->st), 1);
}

static void test_org_create(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *code, *name, *type;
		int status;
		const char *field;
	} cases[] = {
		{"rid-utrecht", "Regionale ICT-dienst Utrecht", "overig", 0, NULL},
		{"RID_2", "Regionale ICT-dienst Utrecht 2", "overig", 0, NULL},
		{"GM0820", "Een andere naam", "gemeente", 409, NULL},            /* code taken */
		{"nieuw", "Gemeente Nuenen c.a.", "gemeente", 409, NULL},        /* name taken */
		{"nieuw", "gemeente  NUENEN c.a", "gemeente", 409, NULL},        /* same name key */
		{"", "Naam", "overig", 422, "code"},
		{"met spatie", "Naam", "overig", 422, "code"},
		{"x/y", "Naam", "overig", 422, "code"},
		{"x", "", "overig", 422, "name"},
		{"x", "Naam", "ministerie", 422, "type"},
		{"x", "Naam", NULL, 422, "type"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct svc_err e = {0};
		int rc = svc_org_create(f->st, &auth_system, cases[i].code, cases[i].name, cases[i].type, &e);
		CHECK(rc == cases[i].status, "case %zu (%s): %d %s", i, cases[i].code, rc, e.message);
		if (cases[i].field)
			CHECK(e.errs.n >= 1 && !strcmp(e.errs.e[0].field, cases[i].field), "case %zu: field %s", i,
			      e.errs.n ? e.errs.e[0].field : "(none)");
	}
	assert_int_equal(org_total(f->st), 430);
	assert_true(svc_org_type_valid("omgevingsdienst"));
	assert_false(svc_org_type_valid("Gemeente"));
	assert_false(svc_org_type_valid(NULL));
}

/* ---- import ---- */

static void test_import_alias(void **state)
{
	struct fx *f = *state;
	struct svc_err e;
	json_t *report = NULL;
	/* Complete enough to be published, so that it is counted for its organisation. */
	const char *file = "[{\"name\": \"Slimme lantaarnpalen\", \"organization\": \"Gemeente Nuenen, Gerwen en "
			   "Nederwetten\", \"status\": \"In gebruik\", \"lang\": \"nld\", "
			   "\"description_short\": \"Lantaarnpalen dimmen\", \"contact_email\": \"algoritmes@nuenen.nl\", "
			   "\"publication_category\": \"Overige algoritmes\"}]";
	assert_int_equal(import_text(f->st, file, false, NULL, 0, &report, &e), 0);
	check_counts(report, 1, 0, 0, 0);
	assert_string_equal(json_string_value(json_object_get(report, "format")), "register");
	const char *lars = json_string_value(json_object_get(json_array_get(json_object_get(report, "records"), 0), "id"));
	assert_non_null(lars);
	assert_true(reg_id_valid(lars));
	struct got_algo g;
	assert_int_equal(get_algo(f->st, lars, 0, &g), STORE_OK);
	assert_string_equal(g.org_code, "GM0820");
	assert_string_equal(g.state, "concept");
	got_free(&g);
	assert_int_equal(org_total(f->st), 428);   /* no new organisation */
	/* Organisations count published entries only: the imported concept not yet;
	 * published, it counts for the organisation the alias names. */
	struct org_found r;
	find_org(f->st, "Gemeente Nuenen c.a.", &r);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.algorithms, 0);
	memset(&e, 0, sizeof e);
	CHECK(svc_algo_release(f->st, &auth_system, lars, &e) == 0, "release %s: %s", lars, e.message);
	CHECK(svc_algo_publish(f->st, &auth_system, lars, &e) == 0, "publish %s: %s", lars, e.message);
	find_org(f->st, "Gemeente Nuenen, Gerwen en Nederwetten", &r);
	assert_string_equal(r.code, "GM0820");
	assert_int_equal(r.algorithms, 1);
	json_decref(report);
}

static size_t progress_last_done, progress_last_total, progress_calls;

static void progress(size_t done, size_t total)
{
	CHECK(done <= total && done >= progress_last_done, "progress %zu/%zu after %zu", done, total,
	      progress_last_done);
	progress_last_done = done;
	progress_last_total = total;
	progress_calls++;
}

static const char *scrape_status(const char *s)
{
	return !strcmp(s, "in_gebruik") ? "In gebruik" : !strcmp(s, "ontwikkeling") ? "In ontwikkeling"
	       : !strcmp(s, "buiten_gebruik") ? "Buiten gebruik" : "?";
}

/* The 1,530 published entries: created, published, each field where it belongs;
 * imported again: all unchanged. */
static void test_import_seed(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	size_t len;
	char *data = read_repo_file(SEED_FILE, &len);
	json_t *report = NULL;
	progress_last_done = progress_last_total = progress_calls = 0;
	int rc = svc_import(f->st, &auth_system, data, len, false, NULL, 0, &report, progress, &e);
	CHECK(rc == 0, "import: %d %s", rc, e.message);
	check_counts(report, SEED_COUNT, 0, 0, 0);
	assert_string_equal(json_string_value(json_object_get(report, "format")), "scrape");
	assert_false(json_is_true(json_object_get(report, "dry_run")));
	/* Progress counts the bytes read, every 64 records and at the end. */
	assert_int_equal(progress_last_done, len);
	assert_int_equal(progress_last_total, len);
	assert_true(progress_calls >= SEED_COUNT / 64);
	assert_int_equal(algo_total(f->path), SEED_COUNT);
	json_decref(report);
	/* Entries of the national register are published: the public sees them all. */
	struct algo_query pq = {.limit = 1};
	long long ptotal = -1;
	assert_int_equal(svc_algo_list(f->st, &auth_anonymous, false, &pq, &ptotal, noop_cb, NULL, &e), 0);
	assert_int_equal(ptotal, SEED_COUNT);

	/* Field by field against the source. */
	json_t *doc = parse(data), *a;
	size_t i;
	json_array_foreach(json_object_get(doc, "algoritmes"), i, a) {
		const char *id = json_string_value(json_object_get(a, "id"));
		struct got_algo g;
		CHECK(get_algo(f->st, id, 0, &g) == STORE_OK, "entry %zu: %s not stored", i, id);
		CHECK(!strcmp(g.state, "gepubliceerd"), "%s: state %s", id, g.state);
		CHECK(!strcmp(g.missing, "[\"description_short\",\"contact_email\",\"publication_category\"]"),
		      "%s: missing %s", id, g.missing);
		CHECK(g.version == 1, "%s: version %d", id, g.version);
		json_t *rec = parse(g.record);
		static const struct {
			const char *from, *to;
		} same[] = {{"id", "lars"}, {"title", "name"}, {"organisatie", "organization"}, {"url", "url"},
			    {"geregistreerd", "publication_dt"}};
		for (size_t k = 0; k < sizeof same / sizeof *same; k++) {
			const char *want = json_string_value(json_object_get(a, same[k].from));
			const char *got = reg_str(rec, same[k].to);
			CHECK(got && !strcmp(want, got), "%s: %s = %s, source %s = %s", id, same[k].to, got ? got : "(none)",
			      same[k].from, want);
		}
		CHECK(!strcmp(reg_str(rec, "status"), scrape_status(json_string_value(json_object_get(a, "status")))),
		      "%s: status %s", id, reg_str(rec, "status"));
		CHECK(!strcmp(reg_str(rec, "lang"), "nld"), "%s: lang", id);
		/* Texts: present exactly when the source has them; verbatim unless HTML escaping applies. */
		static const struct {
			const char *from, *to;
		} texts[] = {{"doel", "goal"}, {"juridische_basis", "lawful_basis"}};
		for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
			const char *src = json_string_value(json_object_get(a, texts[k].from));
			const char *got = reg_str(rec, texts[k].to);
			CHECK(!*src == !got, "%s: %s present %d, source %d", id, texts[k].to, got != NULL, *src != 0);
			if (got && !strpbrk(src, "<>&"))
				CHECK(!strcmp(src, got), "%s: %s differs", id, texts[k].to);
		}
		json_t *meta = g.meta ? parse(g.meta) : NULL;
		CHECK(meta && !strcmp(reg_str(meta, "source"), "algoritmeregister"), "%s: import_meta %s", id, g.meta);
		CHECK(!strcmp(reg_str(meta, "impactassessment"), json_string_value(json_object_get(a, "impactassessment"))),
		      "%s: impactassessment", id);
		json_decref(meta);
		if (!strcmp(json_string_value(json_object_get(a, "organisatie")), "Gemeente Nuenen, Gerwen en Nederwetten"))
			CHECK(!strcmp(g.org_code, "GM0820"), "%s: Nuenen entry in %s", id, g.org_code);
		json_decref(rec);
		got_free(&g);
	}
	json_decref(doc);

	/* Again: nothing changes. */
	long long orgs = org_total(f->st);
	memset(&e, 0, sizeof e);
	rc = svc_import(f->st, &auth_system, data, len, false, NULL, 0, &report, NULL, &e);
	CHECK(rc == 0, "second import: %d %s", rc, e.message);
	check_counts(report, 0, 0, SEED_COUNT, 0);
	json_decref(report);
	assert_int_equal(algo_total(f->path), SEED_COUNT);
	assert_int_equal(org_total(f->st), orgs);
	assert_int_equal(version_count(f->st, "11136893"), 1);
	free(data);
}

/* Three records in the register's v1.0 shape; the invalid one is the second. */
static const char mixed_file[] =
	"[{\"name\": \"Parkeerscan\", \"organization\": \"Gemeente Testdorp\", \"status\": \"In gebruik\"},"
	" {\"name\": \"Kapot\", \"organization\": \"Gemeente Nuenen c.a.\", \"status\": \"Gepland\", "
	"  \"website\": \"www.x.nl\"},"
	" {\"name\": \"Afvalroute\", \"organization\": \"Gemeente Nuenen c.a.\", \"category\": \"verkeer\"}]";

static void test_import_invalid_record(void **state)
{
	struct fx *f = *state;
	struct svc_err e;
	json_t *report = NULL;
	assert_int_equal(import_text(f->st, mixed_file, false, NULL, 0, &report, &e), 422);
	assert_string_equal(e.code, "import_rejected");
	check_counts(report, 2, 0, 0, 1);
	json_t *bad = json_array_get(json_object_get(report, "records"), 1);
	assert_string_equal(json_string_value(json_object_get(bad, "action")), "rejected");
	assert_int_equal(json_integer_value(json_object_get(bad, "index")), 1);
	assert_string_equal(json_string_value(json_object_get(bad, "name")), "Kapot");
	json_t *errs = json_object_get(bad, "errors");
	assert_int_equal(json_array_size(errs), 2);
	bool status_err = false, website_err = false;
	size_t i;
	json_t *x;
	json_array_foreach(errs, i, x) {
		status_err |= !strcmp(reg_str(x, "field"), "status") && !strcmp(reg_str(x, "code"), "not_allowed_value");
		website_err |= !strcmp(reg_str(x, "field"), "website") && !strcmp(reg_str(x, "code"), "invalid_format");
	}
	assert_true(status_err && website_err);
	json_decref(report);
	/* Nothing stored: no algorithm, and no organisation made for "Gemeente Testdorp". */
	assert_int_equal(algo_total(f->path), 0);
	assert_int_equal(org_total(f->st), 428);

	/* Skipping the invalid one stores the two others, each in its organisation. */
	assert_int_equal(import_text(f->st, mixed_file, false, NULL, IMPORT_SKIP_INVALID, &report, &e), 0);
	check_counts(report, 2, 0, 0, 1);
	assert_int_equal(algo_total(f->path), 2);
	assert_int_equal(org_total(f->st), 429);
	struct org_found r;
	find_org(f->st, "Gemeente Testdorp", &r);
	assert_int_equal(r.calls, 1);
	assert_string_equal(r.type, "gemeente");
	char testdorp[72];
	snprintf(testdorp, sizeof testdorp, "%s", r.code);
	static const struct {
		size_t index;
		const char *org;   /* NULL: Gemeente Testdorp's new code */
	} stored[] = {{0, NULL}, {2, "GM0820"}};
	for (size_t k = 0; k < sizeof stored / sizeof *stored; k++) {
		json_t *rec = json_array_get(json_object_get(report, "records"), stored[k].index);
		const char *id = reg_str(rec, "id");
		CHECK(id && !strcmp(reg_str(rec, "action"), "created"), "record %zu: %s", stored[k].index,
		      reg_str(rec, "action"));
		struct got_algo g;
		assert_int_equal(get_algo(f->st, id, 0, &g), STORE_OK);
		const char *want = stored[k].org ? stored[k].org : testdorp;
		CHECK(!strcmp(g.org_code, want) && !strcmp(g.state, "concept"), "%s: in %s (%s), want %s concept", id,
		      g.org_code, g.state, want);
		got_free(&g);
	}
	json_decref(report);
	/* They are concepts: organisations count published entries only. */
	assert_int_equal(r.algorithms, 0);
	find_org(f->st, "Gemeente Nuenen c.a.", &r);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.algorithms, 0);
}

static void test_import_dry_run(void **state)
{
	struct fx *f = *state;
	struct svc_err e;
	json_t *report = NULL;
	const char *valid = "[{\"name\": \"A\", \"organization\": \"Gemeente Testdorp\"}, "
			    "{\"name\": \"B\", \"organization\": \"Gemeente Nuenen c.a.\"}]";
	assert_int_equal(import_text(f->st, valid, false, NULL, IMPORT_DRY_RUN, &report, &e), 0);
	check_counts(report, 2, 0, 0, 0);
	assert_true(json_is_true(json_object_get(report, "dry_run")));
	json_decref(report);
	assert_int_equal(algo_total(f->path), 0);
	assert_int_equal(org_total(f->st), 428);

	/* With an invalid record: 422, still nothing; with skip_invalid too: 0, nothing. */
	assert_int_equal(import_text(f->st, mixed_file, false, NULL, IMPORT_DRY_RUN, &report, &e), 422);
	json_decref(report);
	assert_int_equal(import_text(f->st, mixed_file, false, NULL, IMPORT_DRY_RUN | IMPORT_SKIP_INVALID, &report,
				     &e), 0);
	check_counts(report, 2, 0, 0, 1);
	json_decref(report);
	assert_int_equal(algo_total(f->path), 0);
	assert_int_equal(org_total(f->st), 428);

	/* A dry run of an update changes nothing either. */
	assert_int_equal(import_text(f->st, valid, false, NULL, 0, &report, &e), 0);
	json_decref(report);
	const char *changed = "[{\"name\": \"A\", \"organization\": \"Gemeente Testdorp\", \"status\": \"In gebruik\"}]";
	assert_int_equal(import_text(f->st, changed, false, NULL, IMPORT_DRY_RUN, &report, &e), 0);
	check_counts(report, 0, 1, 0, 0);
	const char *lars = reg_str(json_array_get(json_object_get(report, "records"), 0), "id");
	assert_non_null(lars);
	assert_int_equal(version_count(f->st, lars), 1);
	json_decref(report);
}

static char report_not_set;

static void test_import_malformed(void **state)
{
	struct fx *f = *state;
	/* The column lies within the offending token (jansson names its last
	 * character), counted in characters; 0 = not checked. */
	static const struct {
		const char *text;
		bool csv;
		int line, col_min, col_max;
	} cases[] = {
		{"[{\"name\": \"x\",\n  \"status\" \"In gebruik\"}]", false, 2, 12, 23},
		{"{\"name\": \"x\"", false, 1, 12, 13},
		{"[\n\n  {\"name\": tru}\n]", false, 3, 12, 14},
		{"[1,\n 2,,3]", false, 2, 4, 4},
		{"[\"caf\xc3\xa9\", x]", false, 1, 10, 10},
		{"", false, 1, 0, 0},
		{"{\"name\": \"a\", \"name\": \"b\"}", false, 1, 0, 0},   /* duplicate key */
		{"name,organization\n\"x,y\n", true, 0, 0, 0},            /* unterminated quote */
		{"name,organisatie\nx,y\n", true, 0, 0, 0},               /* unknown column */
		{"name,organization\nx,y,z\n", true, 0, 0, 0},            /* field count */
		{"", true, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct svc_err e;
		json_t *report = (json_t *)&report_not_set;
		int rc = import_text(f->st, cases[i].text, cases[i].csv, NULL, 0, &report, &e);
		CHECK(rc == 400, "case %zu: status %d", i, rc);
		CHECK(e.status == 400, "case %zu: e.status %d", i, e.status);
		CHECK(!strcmp(e.code, cases[i].csv ? "malformed_csv" : "malformed_json"), "case %zu: code %s", i, e.code);
		CHECK(e.message[0], "case %zu: no message", i);
		if (!cases[i].csv) {
			CHECK(e.line >= 1, "case %zu: line %d", i, e.line);
			if (cases[i].line)
				CHECK(e.line == cases[i].line, "case %zu: line %d, want %d (%s)", i, e.line, cases[i].line,
				      e.message);
			if (cases[i].col_min)
				CHECK(e.column >= cases[i].col_min && e.column <= cases[i].col_max,
				      "case %zu: column %d, want %d..%d (%s)", i, e.column, cases[i].col_min,
				      cases[i].col_max, e.message);
			char where[48];
			snprintf(where, sizeof where, "line %d", e.line);
			CHECK(strstr(e.message, where), "case %zu: message %s", i, e.message);
		}
		CHECK(report != (json_t *)&report_not_set, "case %zu: *report not set", i);
		json_decref(report);
	}
	assert_int_equal(algo_total(f->path), 0);
}

/* Records that exercise every field the CSV carries, and its quoting. */
static const char rich_file[] =
	"["
	"{\"name\": \"Parkeren, \\\"slim\\\" en snel\", \"organization\": \"Gemeente Nuenen c.a.\","
	" \"description_short\": \"Regel 1\\nRegel 2\\r\\nRegel 3\", \"category\": [\"Verkeer\", \"Economie\"],"
	" \"website\": \"https://www.nuenen.nl/parkeren?a=1&b=2\", \"status\": \"In gebruik\","
	" \"goal\": \"<p>Doel &amp; middel</p><ul><li>één</li><li>twee</li></ul>\","
	" \"proportionality\": \"<p>Afweging</p>\", \"lawful_basis\": \"Wegenverkeerswet 1994\","
	" \"standard_version\": \"1.0\", \"url\": \"https://algoritmes.overheid.nl/nl/algoritme/x\","
	" \"contact_email\": \"algoritmes@nuenen.nl\", \"lang\": \"nld\", \"publiccode\": \"https://github.com/x/y\","
	" \"source_data\": \"Kentekens\", \"methods_and_models\": \"Regels; tabellen, \\\"quotes\\\"\","
	" \"human_intervention\": \"Ja\", \"risks\": \"Weinig\", \"provider\": \"Leverancier B.V.\","
	" \"process_index_url\": \"https://www.nuenen.nl/verwerkingen\", \"tags\": \"parkeren, verkeer\","
	" \"source_id\": \"NUE-001\", \"begin_date\": \"2021-03\", \"end_date\": \"2030-12\","
	" \"impacttoetsen\": \"DPIA\", \"publication_category\": \"Impactvolle algoritmes\","
	" \"lawful_basis_grouping\": [{\"title\": \"Wegenverkeerswet 1994\", \"link\": \"https://wetten.overheid.nl/BWBR0006622\"},"
	"   {\"title\": \"Gemeentewet, art. 1\", \"link\": \"https://wetten.overheid.nl/BWBR0005416\"}],"
	" \"impacttoetsen_grouping\": [{\"title\": \"Data Protection Impact Assessment (DPIA)\", \"link\": \"https://x.nl/dpia\"}],"
	" \"source_data_grouping\": [{\"title\": \"BRP\", \"link\": \"https://www.rvig.nl/brp\"}]},"
	"{\"name\": \"[Pilot] Chatbot – Fryslân €\", \"organization\": \"Gemeente Noardeast-Fryslân\","
	" \"status\": \"In ontwikkeling\", \"category\": [\"Organisatie en bedrijfsvoering\"], \"lang\": \"nld\"},"
	"{\"name\": \"Zelfde naam\", \"organization\": \"Regionale Uitvoeringsdienst Test\", \"goal\": \"eerste\"},"
	"{\"name\": \"Zelfde naam\", \"organization\": \"Regionale Uitvoeringsdienst Test\", \"goal\": \"tweede\"},"
	"{\"name\": \"=1+1\", \"organization\": \"Gemeente Nuenen c.a.\", \"tags\": \" \"}"
	"]";

/* Key for matching records of two stores: organisation, name and goal. */
static char *record_key(const json_t *rec)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "%s\x1f%s\x1f%s", reg_str(rec, "organization") ? reg_str(rec, "organization") : "",
		   reg_str(rec, "name") ? reg_str(rec, "name") : "", reg_str(rec, "goal") ? reg_str(rec, "goal") : "");
	return buf_release(&b, NULL);
}

/* Compares the records of two JSON exports field by field (every field the CSV
 * carries); lars and publication_dt are not CSV columns. */
static void compare_exports(json_t *a, json_t *b)
{
	size_t i;
	json_t *ra;
	CHECK(json_array_size(a) == json_array_size(b), "%zu records, then %zu", json_array_size(a), json_array_size(b));
	json_t *index = json_object();
	json_t *rb;
	json_array_foreach(b, i, rb) {
		char *k = record_key(rb);
		json_t *list = json_object_get(index, k);
		if (!list)
			json_object_set_new(index, k, list = json_array());
		json_array_append(list, rb);
		free(k);
	}
	json_array_foreach(a, i, ra) {
		char *k = record_key(ra);
		json_t *list = json_object_get(index, k);
		CHECK(json_array_size(list) > 0, "record %zu (%s) not found after the round trip", i, reg_str(ra, "name"));
		json_t *other = json_array_get(list, 0);
		for (size_t c = 0; c < svc_csv_ncolumns; c++) {
			const char *key = svc_csv_columns[c];
			json_t *va = json_object_get(ra, key), *vb = json_object_get(other, key);
			if (!(va ? vb && json_equal(va, vb) : !vb)) {
				char *sa = va ? json_dumps(va, JSON_ENCODE_ANY) : NULL, *sb = vb ? json_dumps(vb, JSON_ENCODE_ANY) : NULL;
				fprintf(stderr, "  %s: %s\n    before: %.300s\n    after:  %.300s\n", reg_str(ra, "name"), key,
					sa ? sa : "(none)", sb ? sb : "(none)");
				free(sa);
				free(sb);
				free(k);
				json_decref(index);
				fail_msg("field %s of \"%s\" differs after the CSV round trip", key, reg_str(ra, "name"));
			}
		}
		/* No other keys appear or vanish. */
		const char *key;
		json_t *v;
		json_object_foreach(ra, key, v)
			CHECK(json_object_get(other, key) || !strcmp(key, "lars") || !strcmp(key, "publication_dt"),
			      "%s: %s lost", reg_str(ra, "name"), key);
		json_object_foreach(other, key, v)
			CHECK(json_object_get(ra, key), "%s: %s appeared", reg_str(ra, "name"), key);
		CHECK(reg_id_valid(reg_str(other, "lars")), "%s: no valid ID after the round trip", reg_str(ra, "name"));
		json_array_remove(list, 0);
		free(k);
	}
	json_decref(index);
}

/* Exports st as CSV, imports that into a fresh store, compares, imports again. */
static void csv_round_trip(struct fx *f, size_t expect)
{
	struct buf csv;
	struct svc_err e = {0};
	json_t *report = NULL;
	buf_init(&csv, 0);
	assert_int_equal(svc_export(f->st, &auth_system, true, NULL, true, &csv, &e), 0);
	/* The official header first. */
	struct buf header;
	buf_init(&header, 0);
	for (size_t i = 0; i < svc_csv_ncolumns; i++)
		buf_printf(&header, "%s%s", i ? "," : "", svc_csv_columns[i]);
	buf_puts(&header, "\r\n");
	assert_true(!strncmp(buf_str(&csv), buf_str(&header), header.len));
	buf_cleanup(&header);

	struct store *b = open_second(f);
	int rc = svc_import(b, &auth_system, csv.data, csv.len, true, NULL, 0, &report, NULL, &e);
	if (rc || report_count(report, "rejected")) {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(report, "records"), i, r)
			if (json_object_get(r, "errors")) {
				char *s = json_dumps(r, JSON_COMPACT);
				fprintf(stderr, "  %.400s\n", s);
				free(s);
			}
	}
	CHECK(rc == 0, "CSV import: %d %s", rc, e.message);
	check_counts(report, (long long)expect, 0, 0, 0);
	assert_string_equal(json_string_value(json_object_get(report, "format")), "csv");
	json_decref(report);

	json_t *ea = export_json(f->st, NULL), *eb = export_json(b, NULL);
	assert_int_equal(json_array_size(ea), expect);
	compare_exports(ea, eb);
	json_decref(ea);
	json_decref(eb);

	/* The same CSV again: nothing changes. */
	memset(&e, 0, sizeof e);
	rc = svc_import(b, &auth_system, csv.data, csv.len, true, NULL, 0, &report, NULL, &e);
	CHECK(rc == 0, "second CSV import: %d %s", rc, e.message);
	check_counts(report, 0, 0, (long long)expect, 0);
	json_decref(report);
	assert_int_equal(algo_total(f->path2), expect);
	buf_cleanup(&csv);
}

static void test_csv_round_trip(void **state)
{
	struct fx *f = *state;
	struct svc_err e;
	json_t *report = NULL;
	int rc = import_text(f->st, rich_file, false, NULL, 0, &report, &e);
	if (rc) {
		char *s = json_dumps(report, JSON_COMPACT);
		fprintf(stderr, "  %s\n", s);
		free(s);
	}
	CHECK(rc == 0, "import: %d %s", rc, e.message);
	check_counts(report, 5, 0, 0, 0);
	json_decref(report);
	csv_round_trip(f, 5);
	/* Every column of the CSV is exercised by the first record. */
	json_t *ea = export_json(f->st, "GM0820");
	size_t i;
	json_t *r;
	bool full = false;
	json_array_foreach(ea, i, r) {
		size_t have = 0;
		for (size_t c = 0; c < svc_csv_ncolumns; c++)
			have += json_object_get(r, svc_csv_columns[c]) != NULL;
		full |= have == svc_csv_ncolumns;
	}
	assert_true(full);
	json_decref(ea);
}

/* The 1,530 real entries survive the CSV round trip. */
static void test_csv_round_trip_seed(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	size_t len;
	char *data = read_repo_file(SEED_FILE, &len);
	json_t *report = NULL;
	assert_int_equal(svc_import(f->st, &auth_system, data, len, false, NULL, 0, &report, NULL, &e), 0);
	json_decref(report);
	free(data);
	csv_round_trip(f, SEED_COUNT);
}

/* ---- create and update ---- */

static const char body_v1[] = "{\"name\": \"Parkeerscan\", \"status\": \"In gebruik\", \"lang\": \"nld\"}";
static const char body_v2[] = "{\"name\": \"Parkeerscan\", \"status\": \"In gebruik\", \"lang\": \"nld\", "
			      "\"goal\": \"<p>Handhaving</p>\"}";

static void create(struct store *st, const char *org, const char *body, char lars[9])
{
	struct svc_err e = {0};
	json_t *b = parse(body);
	int rc = svc_algo_create(st, &auth_system, org, b, lars, &e);
	CHECK(rc == 0, "create: %d %s", rc, e.message);
	json_decref(b);
}

static void test_algo_create(void **state)
{
	struct fx *f = *state;
	char lars[9] = "";
	struct svc_err e = {0};
	create(f->st, "GM0820", body_v1, lars);
	assert_true(reg_id_valid(lars));
	struct got_algo g;
	assert_int_equal(get_algo(f->st, lars, 0, &g), STORE_OK);
	assert_string_equal(g.state, "concept");
	assert_int_equal(g.version, 1);
	assert_string_equal(g.missing, "[\"description_short\",\"contact_email\",\"publication_category\"]");
	json_t *rec = parse(g.record);
	assert_string_equal(reg_str(rec, "organization"), "Gemeente Nuenen c.a.");
	assert_string_equal(reg_str(rec, "lars"), lars);
	assert_int_equal(g.completeness, reg_completeness(rec));
	json_decref(rec);
	got_free(&g);

	json_t *b = parse(body_v1);
	char other[9] = "";
	assert_int_equal(svc_algo_create(f->st, &auth_system, "XX9999", b, other, &e), 404);
	json_decref(b);
	b = parse("{\"name\": \"x\", \"status\": \"Gepland\", \"colour\": \"red\"}");
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_algo_create(f->st, &auth_system, "GM0820", b, other, &e), 422);
	assert_int_equal(e.errs.n, 2);
	json_decref(b);
	assert_int_equal(algo_total(f->path), 1);
}

static void test_update_conflict(void **state)
{
	struct fx *f = *state;
	char lars[9];
	struct svc_err e = {0};
	int version = -1;
	create(f->st, "GM0820", body_v1, lars);
	json_t *b2 = parse(body_v2);
	assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 1, b2, &version, &e), 0);
	assert_int_equal(version, 2);
	struct got_algo before;
	assert_int_equal(get_algo(f->st, lars, 0, &before), STORE_OK);
	assert_int_equal(before.version, 2);

	/* Stale: 409 with the current version, and the stored record is unchanged. */
	static const int stale[] = {1, 0, 3, -1};
	for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
		json_t *b3 = parse("{\"name\": \"Iemand anders\", \"status\": \"Buiten gebruik\", \"lang\": \"nld\"}");
		memset(&e, 0, sizeof e);
		version = -1;
		int rc = svc_algo_update(f->st, &auth_system, lars, stale[i], b3, &version, &e);
		CHECK(rc == 409, "expected version %d: status %d", stale[i], rc);
		assert_string_equal(e.code, "version_conflict");
		assert_int_equal(e.current_version, 2);
		json_decref(b3);
		struct got_algo after;
		assert_int_equal(get_algo(f->st, lars, 0, &after), STORE_OK);
		assert_int_equal(after.version, 2);
		assert_string_equal(after.record, before.record);
		got_free(&after);
	}
	assert_int_equal(version_count(f->st, lars), 2);
	got_free(&before);

	/* Unknown algorithm, invalid body. */
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_algo_update(f->st, &auth_system, "99999997", 1, b2, &version, &e), 404);
	json_t *bad = parse("{\"name\": 1}");
	memset(&e, 0, sizeof e);
	assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 2, bad, &version, &e), 422);
	assert_int_equal(version_count(f->st, lars), 2);
	json_decref(bad);
	json_decref(b2);

	/* The store is usable afterwards (no transaction left open). */
	char lars2[9];
	create(f->st, "GM0820", body_v1, lars2);
	assert_int_equal(algo_total(f->path), 2);
}

static void test_update_identical(void **state)
{
	struct fx *f = *state;
	char lars[9];
	struct svc_err e = {0};
	int version = -1;
	create(f->st, "GM0820", body_v1, lars);
	/* The same content, spelled differently: no version. */
	static const char *const same[] = {
		body_v1,
		"{\"lang\": \"NLD\", \"status\": \"in gebruik\", \"name\": \"  Parkeerscan \", \"goal\": \"\", "
		"\"category\": []}",
		"{\"name\": \"Parkeerscan\", \"status\": \"In gebruik\", \"lang\": \"nld\", "
		"\"organization\": \"Iets anders\"}",   /* the organisation is the algorithm's */
	};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		json_t *b = parse(same[i]);
		version = -1;
		assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 1, b, &version, &e), 0);
		CHECK(version == 1, "body %zu: version %d", i, version);
		json_decref(b);
	}
	assert_int_equal(version_count(f->st, lars), 1);
	/* A real change is version 2; repeating it is still version 2. */
	json_t *b2 = parse(body_v2);
	assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 1, b2, &version, &e), 0);
	assert_int_equal(version, 2);
	assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 2, b2, &version, &e), 0);
	assert_int_equal(version, 2);
	assert_int_equal(version_count(f->st, lars), 2);
	json_decref(b2);
}

/* An update that takes another algorithm's source ID is not a version
 * conflict: the version the client holds is the latest. */
static void test_update_source_id_taken(void **state)
{
	struct fx *f = *state;
	char a[9], b[9];
	struct svc_err e = {0};
	int version = -1;
	create(f->st, "GM0820", "{\"name\": \"A\", \"source_id\": \"S-1\"}", a);
	create(f->st, "GM0820", "{\"name\": \"B\"}", b);
	json_t *body = parse("{\"name\": \"B\", \"source_id\": \"S-1\"}");
	int rc = svc_algo_update(f->st, &auth_system, b, 1, body, &version, &e);
	json_decref(body);
	CHECK(rc != 0, "two algorithms of one organisation share source_id S-1");
	assert_int_equal(version_count(f->st, b), 1);
	struct got_algo g;
	assert_int_equal(get_algo(f->st, b, 0, &g), STORE_OK);
	CHECK(!strstr(g.record, "S-1"), "record changed: %s", g.record);
	got_free(&g);
	CHECK(strcmp(e.code, "version_conflict"),
	      "a taken source_id is reported as %d %s (current_version %d, but version 1 is the latest): %s",
	      rc, e.code, e.current_version, e.message);
}

/* A CSV cell that is not UTF-8 (a Windows-1252 export) is refused, not dropped. */
static void test_import_csv_not_utf8(void **state)
{
	struct fx *f = *state;
	struct svc_err e;
	json_t *report = NULL;
	const char *csv = "name,organization,goal\r\nParkeren,Gemeente Nuenen c.a.,Caf\xe9 en terras\r\n";
	int rc = import_text(f->st, csv, true, NULL, 0, &report, &e);
	long long stored = algo_total(f->path);
	json_t *ex = export_json(f->st, NULL);
	char *dump = json_dumps(ex, JSON_COMPACT);
	json_decref(ex);
	json_decref(report);
	if (rc == 0)
		fprintf(stderr, "  stored: %s\n", dump);
	free(dump);
	CHECK(rc == 400 || rc == 422, "a CSV with a Windows-1252 byte was imported (status %d, %lld stored): "
	      "the goal is silently lost", rc, stored);
	assert_int_equal(stored, 0);
}

/* A record naming an existing algorithm of another organisation is refused. */
static void test_import_org_mismatch(void **state)
{
	struct fx *f = *state;
	char lars[9], file[256];
	struct svc_err e;
	json_t *report = NULL;
	create(f->st, "GM0820", body_v1, lars);
	snprintf(file, sizeof file, "{\"lars\": \"%s\", \"name\": \"Overgenomen\", "
		 "\"organization\": \"Gemeente Noardeast-Fryslân\"}", lars);
	assert_int_equal(import_text(f->st, file, false, NULL, 0, &report, &e), 422);
	json_t *errs = json_object_get(json_array_get(json_object_get(report, "records"), 0), "errors");
	assert_string_equal(reg_str(json_array_get(errs, 0), "code"), "org_mismatch");
	json_decref(report);
	assert_int_equal(version_count(f->st, lars), 1);
}

static void test_archive(void **state)
{
	struct fx *f = *state;
	char lars[9];
	struct svc_err e = {0};
	create(f->st, "GM0820", body_v1, lars);
	assert_int_equal(svc_algo_archive(f->st, &auth_system, lars, &e), 0);
	struct got_algo g;
	assert_int_equal(get_algo(f->st, lars, 0, &g), STORE_OK);
	assert_string_equal(g.state, "gearchiveerd");
	got_free(&g);
	json_t *ex = export_json(f->st, NULL);
	assert_int_equal(json_array_size(ex), 0);
	json_decref(ex);
	assert_int_equal(svc_algo_archive(f->st, &auth_system, "99999997", &e), 404);
	/* Archived algorithms are never listed, not even in the workspace. */
	struct algo_query q = {.limit = 10};
	long long total = -1;
	assert_int_equal(svc_algo_list(f->st, &auth_system, true, &q, &total, noop_cb, NULL, &e), 0);
	assert_int_equal(total, 0);
	assert_int_equal(algo_total(f->path), 1);   /* but kept */
}

/* ---- export ---- */

static void test_export(void **state)
{
	struct fx *f = *state;
	char l1[9], l2[9], l3[9];
	struct svc_err e = {0};
	create(f->st, "GM0820", "{\"name\": \"beta\", \"lang\": \"nld\"}", l1);
	create(f->st, "GM0820", "{\"name\": \"Alpha\", \"category\": \"Wonen\"}", l2);
	create(f->st, "GM1970", "{\"name\": \"gamma\"}", l3);
	json_t *all = export_json(f->st, NULL);
	assert_int_equal(json_array_size(all), 3);
	assert_string_equal(reg_str(json_array_get(all, 0), "name"), "Alpha");
	assert_string_equal(reg_str(json_array_get(all, 1), "name"), "beta");
	assert_string_equal(reg_str(json_array_get(all, 2), "name"), "gamma");
	assert_string_equal(reg_str(json_array_get(all, 0), "lars"), l2);
	/* v1.0 keys only, in canonical form. */
	json_t *first = json_array_get(all, 0);
	const char *key;
	json_t *v;
	json_object_foreach(first, key, v)
		CHECK(reg_field(key), "export key %s is not a v1.0 field", key);
	json_decref(all);
	json_t *one = export_json(f->st, "GM1970");
	assert_int_equal(json_array_size(one), 1);
	assert_string_equal(reg_str(json_array_get(one, 0), "organization"), "Gemeente Noardeast-Fryslân");
	json_decref(one);
	json_t *none = export_json(f->st, "PV20");
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	struct buf b;
	/* The public export holds published versions only, so none of these
	 * concepts; for everyone, the CLI included. */
	static const struct actor *const publics[] = {&auth_anonymous, &auth_system};
	for (size_t i = 0; i < sizeof publics / sizeof *publics; i++) {
		buf_init(&b, 0);
		assert_int_equal(svc_export(f->st, publics[i], false, NULL, false, &b, &e), 0);
		json_t *pub = parse(buf_str(&b));
		CHECK(json_array_size(pub) == 0, "actor %zu: %zu concepts in the public export", i, json_array_size(pub));
		json_decref(pub);
		buf_cleanup(&b);
	}
	buf_init(&b, 0);
	assert_int_equal(svc_export(f->st, &auth_system, true, "XX9999", false, &b, &e), 404);
	buf_cleanup(&b);

	/* CSV: header and one line per record; category as a JSON array. */
	buf_init(&b, 0);
	assert_int_equal(svc_export(f->st, &auth_system, true, "GM0820", true, &b, &e), 0);
	const char *s = buf_str(&b);
	const char *line2 = strstr(s, "\r\n");
	assert_non_null(line2);
	assert_true(!strncmp(line2 + 2, "Alpha,Gemeente Nuenen c.a.,,\"[\"\"Wonen\"\"]\",", 41));
	size_t lines = 0;
	for (const char *p = s; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 3);
	buf_cleanup(&b);
}

/* ---- search query ---- */

/* True when s is one or more "..."* terms separated by single spaces, with no
 * quote inside a term. */
static bool only_prefix_terms(const char *s)
{
	if (!*s)
		return false;
	while (*s) {
		if (*s++ != '"')
			return false;
		const char *start = s;
		while (*s && *s != '"')
			s++;
		if (s == start || *s != '"' || s[1] != '*')
			return false;
		s += 2;
		if (*s == ' ')
			s++;
		else if (*s)
			return false;
	}
	return true;
}

static void test_fts_query(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *in, *want;   /* want NULL: no words */
	} cases[] = {
		{"a\" OR b*", "\"a\"* \"OR\"* \"b\"*"},
		{"parkeer", "\"parkeer\"*"},
		{"  parkeer   vergunning ", "\"parkeer\"* \"vergunning\"*"},
		{"Fryslân", "\"Fryslân\"*"},
		{"Noardeast-Fryslân", "\"Noardeast\"* \"Fryslân\"*"},
		{"NEAR(a b, 2)", "\"NEAR\"* \"a\"* \"b\"* \"2\"*"},
		{"name:x", "\"name\"* \"x\"*"},
		{"-x +y ^z", "\"x\"* \"y\"* \"z\"*"},
		{"a AND NOT b", "\"a\"* \"AND\"* \"NOT\"* \"b\"*"},
		{"\"\"\"", NULL},
		{"", NULL},
		{"  *() :\" ", NULL},
		{"{a} [b]", "\"a\"* \"b\"*"},
	};
	(void)f;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b;
		buf_init(&b, 0);
		bool ok = svc_fts_query(cases[i].in, &b);
		if (cases[i].want) {
			CHECK(ok, "case %zu (%s): no words", i, cases[i].in);
			CHECK(!strcmp(buf_str(&b), cases[i].want), "case %zu (%s): %s, want %s", i, cases[i].in, buf_str(&b),
			      cases[i].want);
			CHECK(only_prefix_terms(buf_str(&b)), "case %zu: %s", i, buf_str(&b));
		} else {
			CHECK(!ok, "case %zu (%s): words %s", i, cases[i].in, buf_str(&b));
		}
		buf_cleanup(&b);
	}
}

/* Whatever the input, the expression is valid FTS5 (the store accepts it),
 * valid UTF-8, and made only of quoted prefix terms. */
static void test_fts_query_safe(void **state)
{
	struct fx *f = *state;
	char lars[9];
	create(f->st, "GM0820", "{\"name\": \"Parkeervergunning Fryslân\"}", lars);
	char long_ascii[300], long_euro[300];
	memset(long_ascii, 'x', 200);
	long_ascii[200] = '\0';
	for (int i = 0; i < 30; i++)   /* 30 x U+20AC: 90 bytes in one word */
		memcpy(long_euro + 3 * i, "\xe2\x82\xac", 3);
	long_euro[90] = '\0';
	const char *inputs[] = {
		"a\" OR b*", "NEAR(a b)", "\"", "\"\"", "*", "a*b", "(", ")", "col:val", "^a", "a + b", "-", "AND",
		"OR NOT", "x\" NOT \"y", "\\", "'", "%", "\x01\x02", long_ascii, long_euro,
		"een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
		"zeventien achttien",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		struct buf b;
		buf_init(&b, 0);
		if (svc_fts_query(inputs[i], &b)) {
			struct algo_query q = {.fts = buf_str(&b), .limit = 10};
			long long total = -1;
			char expr[256];
			int rc = store_algo_list(f->st, &q, &total, noop_cb, NULL);
			bool terms = only_prefix_terms(buf_str(&b)), utf8 = text_utf8_valid(b.data, b.len);
			snprintf(expr, sizeof expr, "%s", buf_str(&b));
			buf_cleanup(&b);
			CHECK(rc == STORE_OK, "input %zu: %s refused by FTS5: %s", i, expr, store_errmsg(f->st));
			CHECK(terms, "input %zu: %s", i, expr);
			CHECK(utf8, "input %zu: the expression is not valid UTF-8 (a long word cut inside a character): %s",
			      i, expr);
		}
		buf_cleanup(&b);
	}
	/* At most 16 terms. */
	struct buf b;
	buf_init(&b, 0);
	assert_true(svc_fts_query(inputs[sizeof inputs / sizeof *inputs - 1], &b));
	size_t terms = 0;
	for (const char *p = buf_str(&b); (p = strchr(p, '*')); p++)
		terms++;
	assert_int_equal(terms, 16);
	buf_cleanup(&b);
}

/* Search finds: prefix, case and accents folded; also a word longer than the
 * 64 bytes a term keeps. */
static void test_fts_query_finds(void **state)
{
	struct fx *f = *state;
	struct buf b;
	char lars[9];
	create(f->st, "GM0820", "{\"name\": \"Parkeervergunning Fryslân\"}", lars);
	/* And it finds: prefix, case and accents folded; also a word longer than the
	 * 64 bytes a term keeps, when the cut falls inside a two-byte character. */
	char long_word[128] = "a", long_name[300];
	for (int i = 0; i < 40; i++)   /* "a" + 40 x é: 81 bytes; byte 64 is the first of an é */
		memcpy(long_word + 1 + 2 * i, "\xc3\xa9", 2);
	long_word[81] = '\0';
	char long_word3[128];
	for (int i = 0; i < 30; i++)   /* 30 x U+1EA1 (a letter, 3 bytes): byte 64 cuts the 22nd */
		memcpy(long_word3 + 3 * i, "\xe1\xba\xa1", 3);
	long_word3[90] = '\0';
	snprintf(long_name, sizeof long_name, "{\"name\": \"Parkeervergunning Fryslân %s %s\"}", long_word,
		 long_word3);
	json_t *upd = parse(long_name);
	int version;
	struct svc_err e = {0};
	assert_int_equal(svc_algo_update(f->st, &auth_system, lars, 1, upd, &version, &e), 0);
	json_decref(upd);
	const char *finds[] = {"parkeer", "PARKEERVERGUNNING", "fryslan", "Frysl", "parkeer fry", long_word, long_word3};
	for (size_t i = 0; i < sizeof finds / sizeof *finds; i++) {
		buf_init(&b, 0);
		assert_true(svc_fts_query(finds[i], &b));
		struct algo_query q = {.fts = buf_str(&b), .limit = 10};
		long long total = -1;
		assert_int_equal(store_algo_list(f->st, &q, &total, noop_cb, NULL), STORE_OK);
		CHECK(total == 1, "%s: %lld found", finds[i], total);
		buf_cleanup(&b);
	}
}

/* ---- files read piece by piece (svc_import_file) ---- */

struct seen {
	size_t n;
	bool in_order;
};

static void count_entry(void *ctx, const json_t *entry)
{
	struct seen *s = ctx;
	s->in_order &= json_integer_value(json_object_get(entry, "index")) == (json_int_t)s->n;
	s->n++;
}

static long long found(struct store *st, const char *words, bool public_view)
{
	struct buf b;
	long long total = -1;
	buf_init(&b, 0);
	assert_true(svc_fts_query(words, &b));
	struct algo_query q = {.fts = buf_str(&b), .public_view = public_view, .limit = 1};
	CHECK(store_algo_list(st, &q, &total, noop_cb, NULL) == STORE_OK, "search %s: %s", words, store_errmsg(st));
	buf_cleanup(&b);
	return total;
}

/* The seed (1.9 MB: more than the 1 MiB a read takes, so records straddle the
 * window) from a FILE, its entries handed over one by one and not kept; the
 * search indexes written set-wise at the end find what they should; the same
 * register as CSV (two windows) imports the same; a syntax error near the end
 * stores nothing and names its line. */
static void test_import_file(void **state)
{
	struct fx *f = *state;
	struct svc_err e = {0};
	json_t *report = NULL;
	size_t len;
	char *data = read_repo_file(SEED_FILE, &len);
	FILE *fp = fmemopen(data, len, "r");
	struct seen seen = {0, true};
	struct import_opts o = {.record = count_entry, .ctx = &seen};
	int rc = svc_import_file(f->st, &auth_system, fp, false, &o, &report, &e);
	fclose(fp);
	CHECK(rc == 0, "import: %d %s", rc, e.message);
	assert_int_equal(report_count(report, "created"), SEED_COUNT);
	assert_int_equal(json_array_size(json_object_get(report, "records")), 0);
	assert_int_equal(seen.n, SEED_COUNT);
	assert_true(seen.in_order);
	json_decref(report);
	assert_int_equal(algo_total(f->path), SEED_COUNT);
	/* "parkeren" is in 23 of the real entries (BENCHMARKS.md); every 50th entry's
	 * title finds it, in the drafts' index and in the public one. */
	assert_int_equal(found(f->st, "parkeren", true), 23);
	assert_int_equal(found(f->st, "parkeren", false), 23);
	json_t *seed = parse(data), *item;
	size_t i;
	json_array_foreach(json_object_get(seed, "algoritmes"), i, item) {
		const char *title = reg_str(item, "title");
		if (i % 50 || !title || !*title)
			continue;
		CHECK(found(f->st, title, true) >= 1 && found(f->st, title, false) >= 1, "entry %zu (%s) not found", i,
		      title);
	}
	json_decref(seed);

	/* The same register as CSV, from a FILE, into a fresh store. */
	struct buf csv;
	buf_init(&csv, 0);
	assert_int_equal(svc_export(f->st, &auth_system, true, NULL, true, &csv, &e), 0);
	CHECK(csv.len > ((size_t)1 << 20), "the CSV is %zu bytes: one window", csv.len);
	struct store *b = open_second(f);
	fp = fmemopen(csv.data, csv.len, "r");
	rc = svc_import_file(b, &auth_system, fp, true, &(struct import_opts){0}, &report, &e);
	fclose(fp);
	CHECK(rc == 0, "CSV import: %d %s", rc, e.message);
	check_counts(report, SEED_COUNT, 0, 0, 0);
	json_decref(report);
	json_t *ea = export_json(f->st, NULL), *eb = export_json(b, NULL);
	compare_exports(ea, eb);
	json_decref(ea);
	json_decref(eb);
	buf_cleanup(&csv);

	/* A syntax error near the end of the file: nothing stored, its line named. */
	char *bad = strstr(data, "\"count\": ");
	assert_non_null(bad);
	bad[7] = ' '; /* "count"  1530 */
	size_t line = 1;
	for (char *p = data; p < bad; p++)
		line += *p == '\n';
	store_close(f->st2);
	remove_db(f->path2);
	b = open_second(f);
	fp = fmemopen(data, len, "r");
	rc = svc_import_file(b, &auth_system, fp, false, &(struct import_opts){0}, &report, &e);
	fclose(fp);
	assert_int_equal(rc, 400);
	assert_null(report);
	CHECK(e.line == (int)line && !strcmp(e.code, "malformed_json"), "%s at line %d, want %zu", e.message, e.line,
	      line);
	assert_int_equal(algo_total(f->path2), 0);
	free(data);
}

int main(void)
{
	setenv("AIREG_AUDIT_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_org_seed, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_org_seed_not_over_existing, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_org_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_invalid_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_round_trip_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_source_id_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_csv_not_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_org_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fts_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fts_query_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fts_query_finds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
