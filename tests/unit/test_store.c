/* Unit tests for store_sqlite.c: schema and migrations, organisations,
 * algorithms with immutable versions, listing, search and export.
 *
 * Every test works on a database file in its own temporary directory and checks
 * what the store wrote with a second, plain sqlite3 connection. */
#include "testutil.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "embedded.h"
#include "store.h"

#define NOW "2024-05-01T12:00:00Z"
/* The schema version of the migrations compiled in: the highest NNN of
 * migrations/NNN_*.sql. */
#define SCHEMA_VERSION schema_version()

static int schema_version(void)
{
	int v = 0;
	for (size_t i = 0; i < embedded_count; i++) {
		const char *p = embedded_files[i].path;
		if (!strncmp(p, "migrations/", 11) && strlen(p) > 15 && p[14] == '_') {
			int n = (p[11] - '0') * 100 + (p[12] - '0') * 10 + (p[13] - '0');
			v = n > v ? n : v;
		}
	}
	return v;
}

/* A pointer value no function returns: checks that an out parameter was set. */
static char not_set_mark;
#define NOT_SET ((void *)&not_set_mark)

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
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

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[256];
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/aireg.db", f->dir);
	if (store_open(f->path, true, &f->st, err, sizeof err)) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

/* A fixture with a directory but no database. */
static int setup_empty(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aireg-test-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/aireg.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	remove_db(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int noop_cb(void *ctx, const struct algo_summary *a)
{
	(void)ctx;
	(void)a;
	return 0;
}

/* ---- a second connection ---- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "raw open %s", path);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

/* The first column of the first row as an integer (-1 when no row or an error). */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		fprintf(stderr, "raw_int %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The first column of every row, joined by '|' (caller frees). */
static char *raw_text(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	struct buf b;
	buf_init(&b, 0);
	CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "raw_text %s: %s", sql, sqlite3_errmsg(db));
	for (int n = 0; sqlite3_step(s) == SQLITE_ROW; n++) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		buf_printf(&b, "%s%s", n ? "|" : "", t ? t : "NULL");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return buf_release(&b, NULL);
}

/* Runs sql; returns the SQLite result code and copies the message. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t msglen)
{
	sqlite3 *db = raw_open(path);
	char *m = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	snprintf(msg, msglen, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	CHECK(fp, "cannot read %s", path);
	struct buf b;
	char chunk[4096];
	size_t n;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	return buf_release(&b, len);
}

static bool file_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* ---- fixtures of data ---- */

struct org_row {
	const char *code, *name, *key, *type;
};

static const struct org_row orgs[] = {
	{"GM0820", "Gemeente Nuenen c.a.", "gemeentenuenenca", "gemeente"},
	{"GM0363", "Gemeente Amsterdam", "gemeenteamsterdam", "gemeente"},
	{"PV20", "Provincie Groningen", "provinciegroningen", "provincie"},
	{"WS16", "Hoogheemraadschap van Delfland", "hoogheemraadschapvandelfland", "waterschap"},
	{"GM1970", "Gemeente Noardeast-Fryslân", "gemeentenoardeastfryslan", "gemeente"},
};

static long long insert_orgs(struct store *st, long long ids[])
{
	for (size_t i = 0; i < sizeof orgs / sizeof *orgs; i++) {
		int rc = store_org_insert(st, orgs[i].code, orgs[i].name, orgs[i].key, orgs[i].type, NOW, &ids[i]);
		CHECK(rc == STORE_OK, "org %s: %d %s", orgs[i].code, rc, store_errmsg(st));
		CHECK(ids[i] > 0, "org %s: id %lld", orgs[i].code, ids[i]);
	}
	return (long long)(sizeof orgs / sizeof *orgs);
}

/* An algorithm as a service would write it. */
struct algo_row {
	const char *lars;
	size_t org;                  /* index in orgs[] */
	const char *name, *status, *pubcat, *category, *goal, *tags, *source_id, *state;
};

static const struct algo_row algos[] = {
	{"11136893", 0, "Parkeervergunning toewijzen", "In gebruik", "Overige algoritmes",
	 "[\"Verkeer\"]", "Vergunningen voor parkeren", "parkeren", "src-1", "gepubliceerd"},
	{"11234933", 0, "beoordeling bijstand", "In ontwikkeling", "Impactvolle algoritmes",
	 "[\"Sociale zekerheid\",\"Werk\"]", "Aanvragen beoordelen", NULL, NULL, "concept"},
	{"11243612", 1, "Afvalroutes plannen", "In gebruik", "Overige algoritmes",
	 "[\"Natuur en milieu\",\"Verkeer\"]", "Routes voor vuilniswagens", "afval", NULL, "gepubliceerd"},
	{"11243654", 1, "Chatbot burgerzaken", "Buiten gebruik", "Hoog-risico AI-systeem",
	 "[\"Organisatie en bedrijfsvoering\"]", "Vragen beantwoorden", NULL, "src-1", "concept"},
	{"11248112", 4, "Fryske kaart", "In gebruik", "Overige algoritmes", "[]",
	 "Kaarten van Fryslân", NULL, NULL, "gepubliceerd"},
	{"11136806", 2, "afvalroutes plannen", "In gebruik", "Overige algoritmes", "[\"Verkeer\"]",
	 "Routes", NULL, NULL, "gearchiveerd"},
};

#define NALGOS (sizeof algos / sizeof *algos)

/* Fills a write for algos[i] at a version; record and missing are owned by the caller's buffers. */
static void make_write(const struct algo_row *a, const long long org_ids[], int version, struct algo_write *w,
		       char *record, size_t reclen)
{
	/* The record holds what the columns copy (the public view reads the record). */
	snprintf(record, reclen, "{\"name\":\"%s\",\"organization\":\"%s\",\"goal\":\"%s\",\"status\":\"%s\","
		 "\"publication_category\":\"%s\",\"category\":%s,\"description_short\":\"Korte beschrijving\","
		 "\"tags\":\"%s\",\"lars\":\"%s\",\"v\":%d}",
		 a->name, orgs[a->org].name, a->goal, a->status, a->pubcat, a->category, a->tags ? a->tags : "",
		 a->lars, version);
	CHECK(strlen(record) + 1 < reclen, "record of %s cut", a->lars);
	*w = (struct algo_write){
		.lars = a->lars,
		.org_id = org_ids[a->org],
		.source_id = a->source_id,
		.state = a->state,
		.record = record,
		.missing = "[\"contact_email\"]",
		.completeness = 40 + version,
		.publishable = false,
		.name = a->name,
		.description_short = "Korte beschrijving",
		.status = a->status,
		.publication_category = a->pubcat,
		.category = a->category,
		.goal = a->goal,
		.tags = a->tags,
		.org_name = orgs[a->org].name,
		.import_meta = version == 1 ? "{\"source\":\"test\"}" : NULL,
		.now = NOW,
	};
}

static void insert_algos(struct store *st, const long long org_ids[])
{
	for (size_t i = 0; i < NALGOS; i++) {
		struct algo_write w;
		char record[512];
		make_write(&algos[i], org_ids, 1, &w, record, sizeof record);
		int rc = store_algo_insert(st, &w);
		CHECK(rc == STORE_OK, "algo %s: %d %s", algos[i].lars, rc, store_errmsg(st));
	}
}

/* Publishes version 1 of the algorithms inserted as "gepubliceerd", as the
 * workflow does: the public tables then hold them. */
static void publish_algos(struct store *st)
{
	for (size_t i = 0; i < NALGOS; i++) {
		if (strcmp(algos[i].state, "gepubliceerd"))
			continue;
		int rc = store_algo_set_workflow(st, algos[i].lars, "gepubliceerd", 1, NOW);
		CHECK(rc == STORE_OK, "publish %s: %d %s", algos[i].lars, rc, store_errmsg(st));
	}
}

/* ---- schema ---- */

static void test_open_creates_schema(void **state)
{
	struct fx *f = *state;
	assert_true(SCHEMA_VERSION >= 2);
	assert_int_equal(store_schema_version(f->st), SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), SCHEMA_VERSION);
	/* The tables of migrations 001 and 002 (later migrations add more). */
	static const char *const tables[] = {"orgs", "org_aliases", "algorithms", "algorithm_versions", "algorithms_fts",
					     "users", "memberships", "sessions", "api_tokens", "onetime_links",
					     "login_throttle", "publications", "audit_log", "public_algorithms",
					     "public_fts"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
			 tables[i]);
		CHECK(raw_int(f->path, sql) == 1, "no table %s", tables[i]);
	}
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
				 "('algorithm_versions_no_update', 'algorithm_versions_no_delete', "
				 "'algorithm_versions_no_replace', 'audit_log_no_update', 'audit_log_no_delete', "
				 "'audit_log_no_replace')"), 6);
	char *mode = raw_text(f->path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	long long n = -1;
	assert_int_equal(store_org_count(f->st, &n), STORE_OK);
	assert_int_equal(n, 0);
}

/* Opening without create does not make a file. */
static void test_open_missing(void **state)
{
	struct fx *f = *state;
	struct store *st = NOT_SET;   /* store_open must reset it to NULL */
	char err[256] = "";
	assert_int_not_equal(store_open(f->path, false, &st, err, sizeof err), STORE_OK);
	assert_null(st);
	assert_true(err[0] != '\0');
	assert_false(file_exists(f->path));
}

/* A file that is not a database is refused and left alone. */
static void test_open_not_a_database(void **state)
{
	struct fx *f = *state;
	static const char junk[] = "name,organization\nnot,a database\n";
	FILE *fp = fopen(f->path, "wb");
	assert_non_null(fp);
	fwrite(junk, 1, sizeof junk - 1, fp);
	fclose(fp);
	struct store *st = NOT_SET;
	char err[256] = "";
	int rc = store_open(f->path, true, &st, err, sizeof err);
	assert_int_not_equal(rc, STORE_OK);
	assert_int_not_equal(rc, STORE_NEWER);
	assert_null(st);
	assert_true(err[0] != '\0');
	size_t len;
	char *bytes = read_file(f->path, &len);
	assert_int_equal(len, sizeof junk - 1);
	assert_memory_equal(bytes, junk, len);
	free(bytes);
}

static void test_open_idempotent(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	char err[256];
	insert_orgs(f->st, ids);
	char *before = raw_text(f->path, "SELECT type || ':' || name || ':' || coalesce(sql, '') FROM sqlite_master "
					 "ORDER BY name");
	store_close(f->st);
	f->st = NULL;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_open(f->path, i == 1, &f->st, err, sizeof err), STORE_OK);
		assert_int_equal(store_schema_version(f->st), SCHEMA_VERSION);
		long long n = 0;
		assert_int_equal(store_org_count(f->st, &n), STORE_OK);
		assert_int_equal(n, sizeof orgs / sizeof *orgs);
		store_close(f->st);
		f->st = NULL;
	}
	char *after = raw_text(f->path, "SELECT type || ':' || name || ':' || coalesce(sql, '') FROM sqlite_master "
					"ORDER BY name");
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* A database written by a newer aireg (store created, then user_version raised). */
static void test_open_newer(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	char err[256] = "", msg[256];
	insert_orgs(f->st, ids);
	store_close(f->st);
	f->st = NULL;
	char newer[48];
	snprintf(newer, sizeof newer, "PRAGMA user_version = %d", SCHEMA_VERSION + 1);
	assert_int_equal(raw_exec(f->path, newer, msg, sizeof msg), SQLITE_OK);
	char *schema = raw_text(f->path, "SELECT coalesce(sql, name) FROM sqlite_master ORDER BY name");
	size_t len1, len2;
	char *bytes = read_file(f->path, &len1);

	struct store *st = NOT_SET;
	for (int create = 0; create <= 1; create++) {
		assert_int_equal(store_open(f->path, create, &st, err, sizeof err), STORE_NEWER);
		assert_null(st);
		CHECK(strstr(err, "newer"), "err: %s", err);
	}

	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), SCHEMA_VERSION + 1);
	char *schema2 = raw_text(f->path, "SELECT coalesce(sql, name) FROM sqlite_master ORDER BY name");
	assert_string_equal(schema, schema2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orgs"), sizeof orgs / sizeof *orgs);
	char *bytes2 = read_file(f->path, &len2);
	assert_int_equal(len1, len2);
	assert_memory_equal(bytes, bytes2, len1);
	free(schema);
	free(schema2);
	free(bytes);
	free(bytes2);
}

/* A newer database that a plain sqlite3 made (rollback journal, other schema):
 * refused and left byte for byte as it was. */
static void test_open_newer_foreign(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x); INSERT INTO future VALUES (1); "
				      "PRAGMA user_version = 99;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	size_t len1, len2;
	char *bytes = read_file(f->path, &len1);
	struct store *st = NOT_SET;
	assert_int_equal(store_open(f->path, false, &st, err, sizeof err), STORE_NEWER);
	assert_null(st);
	CHECK(strstr(err, "99"), "err names the version: %s", err);
	char *bytes2 = read_file(f->path, &len2);
	bool same = len1 == len2 && !memcmp(bytes, bytes2, len1);
	free(bytes);
	free(bytes2);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 99);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'orgs'"), 0);
	char *mode = raw_text(f->path, "PRAGMA journal_mode");
	char mode_copy[16];
	snprintf(mode_copy, sizeof mode_copy, "%s", mode);
	free(mode);
	CHECK(!strcmp(mode_copy, "delete"), "the refused database's journal mode was changed to %s", mode_copy);
	CHECK(same, "the refused database file was modified");
}

/* ---- organisations ---- */

struct org_seen {
	int calls;
	int stop_after;              /* 0 = never stop */
	long long id, algorithms;
	char code[32], name[128], type[32];
	char all[1024];              /* codes in callback order */
};

static int org_cb(void *ctx, const struct org *o)
{
	struct org_seen *s = ctx;
	s->calls++;
	s->id = o->id;
	s->algorithms = o->algorithms;
	snprintf(s->code, sizeof s->code, "%s", o->code);
	snprintf(s->name, sizeof s->name, "%s", o->name);
	snprintf(s->type, sizeof s->type, "%s", o->type);
	size_t l = strlen(s->all);
	snprintf(s->all + l, sizeof s->all - l, "%s%s", l ? "," : "", o->code);
	return s->stop_after && s->calls >= s->stop_after ? 7 : 0;
}

static void test_org_insert_get(void **state)
{
	struct fx *f = *state;
	long long ids[8], id = 0;
	insert_orgs(f->st, ids);
	for (size_t i = 0; i < sizeof orgs / sizeof *orgs; i++) {
		struct org_seen s = {0};
		assert_int_equal(store_org_get(f->st, orgs[i].code, org_cb, &s), STORE_OK);
		assert_int_equal(s.calls, 1);
		assert_int_equal(s.id, ids[i]);
		assert_string_equal(s.code, orgs[i].code);
		assert_string_equal(s.name, orgs[i].name);
		assert_string_equal(s.type, orgs[i].type);
		assert_int_equal(s.algorithms, 0);
	}
	struct org_seen s = {0};
	assert_int_equal(store_org_get(f->st, "GM9999", org_cb, &s), STORE_NOTFOUND);
	assert_int_equal(store_org_get(f->st, "gm0820", org_cb, &s), STORE_NOTFOUND);   /* codes are exact */
	assert_int_equal(s.calls, 0);

	/* Code and name key are unique. */
	assert_int_equal(store_org_insert(f->st, "GM0820", "Ander", "ander", "gemeente", NOW, &id), STORE_EXISTS);
	assert_int_equal(store_org_insert(f->st, "XX01", "Gemeente Nuenen CA", "gemeentenuenenca", "gemeente", NOW,
					  &id), STORE_EXISTS);
	long long n = 0;
	assert_int_equal(store_org_count(f->st, &n), STORE_OK);
	assert_int_equal(n, sizeof orgs / sizeof *orgs);
	CHECK(store_errmsg(f->st)[0], "no error message after a refused insert");
}

static void test_org_find_alias(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	insert_orgs(f->st, ids);
	assert_int_equal(store_org_alias(f->st, "gemeentenuenengerwenennederwetten", ids[0]), STORE_OK);
	/* An alias given again is ignored and keeps its organisation. */
	assert_int_equal(store_org_alias(f->st, "gemeentenuenengerwenennederwetten", ids[1]), STORE_OK);
	/* An alias needs an existing organisation. */
	assert_int_not_equal(store_org_alias(f->st, "nergens", 424242), STORE_OK);

	static const struct {
		const char *key, *code;
		int rc;
	} cases[] = {
		{"gemeentenuenenca", "GM0820", STORE_OK},
		{"gemeentenuenengerwenennederwetten", "GM0820", STORE_OK},
		{"gemeenteamsterdam", "GM0363", STORE_OK},
		{"gemeentenoardeastfryslan", "GM1970", STORE_OK},
		{"nergens", NULL, STORE_NOTFOUND},
		{"GemeenteAmsterdam", NULL, STORE_NOTFOUND},
		{"", NULL, STORE_NOTFOUND},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct org_seen s = {0};
		int rc = store_org_find(f->st, cases[i].key, org_cb, &s);
		CHECK(rc == cases[i].rc, "find %s: %d", cases[i].key, rc);
		if (cases[i].code) {
			CHECK(s.calls == 1, "find %s: %d calls", cases[i].key, s.calls);
			CHECK(!strcmp(s.code, cases[i].code), "find %s: %s", cases[i].key, s.code);
		} else {
			CHECK(s.calls == 0, "find %s: %d calls", cases[i].key, s.calls);
		}
	}
}

struct org_counts {
	const char *const *codes;
	long long *got;
	size_t n;
};

static int org_count_cb(void *ctx, const struct org *o)
{
	struct org_counts *c = ctx;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(o->code, c->codes[i]))
			c->got[i] = o->algorithms;
	return 0;
}

/* Checks each organisation's algorithms count, by store_org_get and by store_org_list. */
static void check_org_counts(struct store *st, const char *const codes[], const long long want[], size_t n,
			     const char *when)
{
	long long listed[8];
	struct org_counts c = {codes, listed, n};
	CHECK(n <= 8, "too many organisations");
	for (size_t i = 0; i < n; i++)
		listed[i] = -1;
	assert_int_equal(store_org_list(st, org_count_cb, &c), STORE_OK);
	for (size_t i = 0; i < n; i++) {
		struct org_seen o = {0};
		assert_int_equal(store_org_get(st, codes[i], org_cb, &o), STORE_OK);
		CHECK(o.algorithms == want[i], "%s: %s: %lld algorithms, want %lld", when, codes[i], o.algorithms, want[i]);
		CHECK(listed[i] == want[i], "%s: %s listed with %lld algorithms, want %lld", when, codes[i], listed[i],
		      want[i]);
	}
}

static void test_org_list_count(void **state)
{
	struct fx *f = *state;
	long long ids[8], n = -1;
	struct org_seen s = {0};
	assert_int_equal(store_org_list(f->st, org_cb, &s), STORE_OK);   /* empty is not an error */
	assert_int_equal(s.calls, 0);
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	assert_int_equal(store_org_count(f->st, &n), STORE_OK);
	assert_int_equal(n, 5);
	/* By type, then name. */
	assert_int_equal(store_org_list(f->st, org_cb, &s), STORE_OK);
	assert_int_equal(s.calls, 5);
	assert_string_equal(s.all, "GM0363,GM1970,GM0820,PV20,WS16");
	/* A callback's non-zero result stops the iteration and is returned. */
	struct org_seen stop = {.stop_after = 2};
	assert_int_equal(store_org_list(f->st, org_cb, &stop), 7);
	assert_int_equal(stop.calls, 2);
	/* The number of published algorithms (drafts are nobody else's business),
	 * the same by get and by list: none while nothing is published, not even
	 * those whose state says gepubliceerd but are not in the public tables. */
	static const char *const codes[] = {"GM0820", "GM0363", "PV20", "WS16", "GM1970"};
	static const long long none[] = {0, 0, 0, 0, 0};
	check_org_counts(f->st, codes, none, 5, "drafts only");
	/* Published (one each in GM0820, GM0363, GM1970); the concepts beside them are not counted. */
	publish_algos(f->st);
	static const long long one_each[] = {1, 1, 0, 0, 1};
	check_org_counts(f->st, codes, one_each, 5, "published");
	/* The concepts published too: two each; the archived one of PV20 never. */
	assert_int_equal(store_algo_set_workflow(f->st, "11234933", "gepubliceerd", 1, NOW), STORE_OK);
	assert_int_equal(store_algo_set_workflow(f->st, "11243654", "gepubliceerd", 1, NOW), STORE_OK);
	static const long long all[] = {2, 2, 0, 0, 1};
	check_org_counts(f->st, codes, all, 5, "all published");
	/* A withdrawn publication no longer counts; a new concept beside a publication does not change it. */
	assert_int_equal(store_algo_set_workflow(f->st, "11136893", "teruggetrokken", 0, NOW), STORE_OK);
	assert_int_equal(store_algo_set_workflow(f->st, "11243612", "concept", 1, NOW), STORE_OK);
	static const long long later[] = {1, 2, 0, 0, 1};
	check_org_counts(f->st, codes, later, 5, "one retracted");
}

/* ---- algorithms ---- */

struct algo_seen {
	int calls;
	long long id;
	char lars[9], state[16], source_id[32], org_code[16], org_name[64], org_type[16];
	int version, latest, completeness, published_version;
	char record[512], missing[128], created_at[32], updated_at[32], import_meta[64], status[24];
	bool source_null, meta_null;
};

static int algo_cb(void *ctx, const struct algo *a)
{
	struct algo_seen *s = ctx;
	s->calls++;
	s->id = a->id;
	snprintf(s->lars, sizeof s->lars, "%s", a->lars);
	snprintf(s->state, sizeof s->state, "%s", a->state);
	s->source_null = !a->source_id;
	snprintf(s->source_id, sizeof s->source_id, "%s", a->source_id ? a->source_id : "");
	snprintf(s->org_code, sizeof s->org_code, "%s", a->org_code);
	snprintf(s->org_name, sizeof s->org_name, "%s", a->org_name);
	snprintf(s->org_type, sizeof s->org_type, "%s", a->org_type);
	s->version = a->version;
	s->latest = a->latest;
	s->published_version = a->published_version;
	snprintf(s->status, sizeof s->status, "%s", a->status);
	s->completeness = a->completeness;
	snprintf(s->record, sizeof s->record, "%s", a->record);
	snprintf(s->missing, sizeof s->missing, "%s", a->missing);
	snprintf(s->created_at, sizeof s->created_at, "%s", a->created_at);
	snprintf(s->updated_at, sizeof s->updated_at, "%s", a->updated_at);
	s->meta_null = !a->import_meta;
	snprintf(s->import_meta, sizeof s->import_meta, "%s", a->import_meta ? a->import_meta : "");
	return 0;
}

struct versions_seen {
	int n;
	int v[16];
	char at[16][32];
};

static int versions_cb(void *ctx, int version, const char *created_at)
{
	struct versions_seen *s = ctx;
	if (s->n < 16) {
		s->v[s->n] = version;
		snprintf(s->at[s->n], sizeof s->at[s->n], "%s", created_at);
	}
	s->n++;
	return 0;
}

static void test_algo_insert_get(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	for (size_t i = 0; i < NALGOS; i++) {
		struct algo_seen s = {0};
		struct algo_write w;
		char record[512];
		make_write(&algos[i], ids, 1, &w, record, sizeof record);
		assert_int_equal(store_algo_get(f->st, algos[i].lars, 0, algo_cb, &s), STORE_OK);
		assert_int_equal(s.calls, 1);
		assert_string_equal(s.lars, algos[i].lars);
		assert_string_equal(s.state, algos[i].state);
		assert_int_equal(s.source_null, algos[i].source_id == NULL);
		if (algos[i].source_id)
			assert_string_equal(s.source_id, algos[i].source_id);
		assert_string_equal(s.org_code, orgs[algos[i].org].code);
		assert_string_equal(s.org_name, orgs[algos[i].org].name);
		assert_string_equal(s.org_type, orgs[algos[i].org].type);
		assert_int_equal(s.version, 1);
		assert_int_equal(s.latest, 1);
		assert_int_equal(s.published_version, 0);   /* set by the workflow, not by an insert */
		assert_string_equal(s.status, "concept");    /* no publication row yet */
		assert_string_equal(s.record, record);
		assert_string_equal(s.missing, "[\"contact_email\"]");
		assert_int_equal(s.completeness, 41);
		assert_string_equal(s.created_at, NOW);
		assert_string_equal(s.updated_at, NOW);
		assert_string_equal(s.import_meta, "{\"source\":\"test\"}");
		/* Version 1 explicitly is the same row. */
		struct algo_seen v1 = {0};
		assert_int_equal(store_algo_get(f->st, algos[i].lars, 1, algo_cb, &v1), STORE_OK);
		assert_string_equal(v1.record, record);
		assert_int_equal(v1.version, 1);
	}
	struct algo_seen s = {0};
	assert_int_equal(store_algo_get(f->st, "99999999", 0, algo_cb, &s), STORE_NOTFOUND);
	assert_int_equal(store_algo_get(f->st, algos[0].lars, 2, algo_cb, &s), STORE_NOTFOUND);
	assert_int_equal(s.calls, 0);

	/* The ID is unique, and so is (organisation, source ID). */
	struct algo_write w;
	char record[512];
	make_write(&algos[0], ids, 1, &w, record, sizeof record);
	w.source_id = "other";
	assert_int_equal(store_algo_insert(f->st, &w), STORE_EXISTS);
	w.lars = "12345670";
	w.source_id = "src-1";         /* taken in GM0820 by algos[0] */
	assert_int_equal(store_algo_insert(f->st, &w), STORE_EXISTS);
	w.org_id = ids[2];             /* free in PV20 */
	assert_int_equal(store_algo_insert(f->st, &w), STORE_OK);
	/* An unknown organisation is refused (foreign key). */
	w.lars = "12345683";
	w.source_id = NULL;
	w.org_id = 424242;
	assert_int_not_equal(store_algo_insert(f->st, &w), STORE_OK);
	assert_int_equal(store_algo_get(f->st, "12345683", 0, algo_cb, &s), STORE_NOTFOUND);
	/* A state outside the three is refused. */
	w.org_id = ids[0];
	w.state = "verwijderd";
	assert_int_not_equal(store_algo_insert(f->st, &w), STORE_OK);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM algorithms"), NALGOS + 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM algorithm_versions"), NALGOS + 1);
}

static void test_algo_versions(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	struct algo_write w;
	char rec2[512], rec3[512], rec_stale[512];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	const struct algo_row *a = &algos[1];

	make_write(a, ids, 2, &w, rec2, sizeof rec2);
	w.name = "Beoordeling bijstand v2";
	w.now = "2024-05-02T00:00:00Z";
	assert_int_equal(store_algo_add_version(f->st, &w, 1), STORE_OK);
	make_write(a, ids, 3, &w, rec3, sizeof rec3);
	w.now = "2024-05-03T00:00:00Z";
	w.status = "In gebruik";
	assert_int_equal(store_algo_add_version(f->st, &w, 2), STORE_OK);

	struct algo_seen s = {0};
	assert_int_equal(store_algo_get(f->st, a->lars, 0, algo_cb, &s), STORE_OK);
	assert_int_equal(s.version, 3);
	assert_int_equal(s.latest, 3);
	assert_string_equal(s.record, rec3);
	assert_int_equal(s.completeness, 43);
	assert_string_equal(s.created_at, NOW);                     /* the algorithm's */
	assert_string_equal(s.updated_at, "2024-05-03T00:00:00Z");  /* this version's */
	assert_string_equal(s.import_meta, "{\"source\":\"test\"}");  /* kept when not given */
	struct algo_seen v2 = {0};
	assert_int_equal(store_algo_get(f->st, a->lars, 2, algo_cb, &v2), STORE_OK);
	assert_int_equal(v2.version, 2);
	assert_int_equal(v2.latest, 3);
	assert_string_equal(v2.record, rec2);
	assert_string_equal(v2.updated_at, "2024-05-02T00:00:00Z");

	struct versions_seen vs = {0};
	assert_int_equal(store_algo_versions(f->st, a->lars, versions_cb, &vs), STORE_OK);
	assert_int_equal(vs.n, 3);
	assert_int_equal(vs.v[0], 1);
	assert_int_equal(vs.v[1], 2);
	assert_int_equal(vs.v[2], 3);
	assert_string_equal(vs.at[0], NOW);
	assert_string_equal(vs.at[2], "2024-05-03T00:00:00Z");
	struct versions_seen none = {0};
	assert_int_equal(store_algo_versions(f->st, "99999999", versions_cb, &none), STORE_NOTFOUND);
	assert_int_equal(none.n, 0);

	/* A stale expected version: STORE_CONFLICT, and nothing changes. */
	char *before = raw_text(f->path, "SELECT a.version || a.name || a.status || a.completeness || a.updated_at "
					 "|| coalesce(a.source_id, '') FROM algorithms a ORDER BY a.lars");
	char *before_v = raw_text(f->path, "SELECT algorithm_id || ':' || version || ':' || record "
					   "FROM algorithm_versions ORDER BY 1");
	for (int expected = 0; expected <= 4; expected++) {
		if (expected == 3)
			continue;
		make_write(a, ids, 9, &w, rec_stale, sizeof rec_stale);
		w.name = "stale";
		w.now = "2024-06-01T00:00:00Z";
		CHECK(store_algo_add_version(f->st, &w, expected) == STORE_CONFLICT, "expected %d", expected);
	}
	char *after = raw_text(f->path, "SELECT a.version || a.name || a.status || a.completeness || a.updated_at "
					"|| coalesce(a.source_id, '') FROM algorithms a ORDER BY a.lars");
	char *after_v = raw_text(f->path, "SELECT algorithm_id || ':' || version || ':' || record "
					  "FROM algorithm_versions ORDER BY 1");
	assert_string_equal(before, after);
	assert_string_equal(before_v, after_v);
	free(before);
	free(after);
	free(before_v);
	free(after_v);

	/* The search index follows the latest version. */
	struct algo_query q = {.fts = "\"stale\"*", .limit = 10};
	long long total = -1;
	assert_int_equal(store_algo_list(f->st, &q, &total, noop_cb, NULL), STORE_OK);
	assert_int_equal(total, 0);
}

/* algorithm_versions is append-only: a plain connection cannot change it. */
static void test_versions_immutable(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	char msg[256];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	char *before = raw_text(f->path, "SELECT algorithm_id || ':' || version || ':' || record || missing "
					 "|| completeness || created_at FROM algorithm_versions ORDER BY 1");
	static const char *const attacks[] = {
		"UPDATE algorithm_versions SET record = '{}'",
		"UPDATE algorithm_versions SET version = version + 10 WHERE version = 1",
		"UPDATE algorithm_versions SET completeness = 100 WHERE algorithm_id = 1",
		"DELETE FROM algorithm_versions",
		"DELETE FROM algorithm_versions WHERE algorithm_id = 1",
		"INSERT OR REPLACE INTO algorithm_versions (algorithm_id, version, record, missing, completeness, "
		"created_at) VALUES (1, 1, '{}', '[]', 0, 'x')",
		"REPLACE INTO algorithm_versions SELECT algorithm_id, version, '{}', missing, completeness, created_at "
		"FROM algorithm_versions",
		"UPDATE OR REPLACE algorithm_versions SET record = '{}'",
		"INSERT INTO algorithm_versions (algorithm_id, version, record, missing, completeness, created_at) "
		"VALUES (1, 1, '{}', '[]', 0, 'x') ON CONFLICT DO UPDATE SET record = excluded.record",
	};
	size_t succeeded = 0;
	for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
		int rc = raw_exec(f->path, attacks[i], msg, sizeof msg);
		if (rc == SQLITE_OK) {
			fprintf(stderr, "  changing a version succeeded: %s\n", attacks[i]);
			succeeded++;
		}
	}
	char *after = raw_text(f->path, "SELECT algorithm_id || ':' || version || ':' || record || missing "
					"|| completeness || created_at FROM algorithm_versions ORDER BY 1");
	bool same = !strcmp(before, after);
	if (!same)
		fprintf(stderr, "  versions before: %.200s\n  versions after:  %.200s\n", before, after);
	free(before);
	free(after);
	CHECK(succeeded == 0, "%zu of %zu statements changed algorithm_versions", succeeded,
	      sizeof attacks / sizeof *attacks);
	CHECK(same, "algorithm_versions changed");
	/* The triggers name the cause. */
	raw_exec(f->path, "DELETE FROM algorithm_versions", msg, sizeof msg);
	CHECK(strstr(msg, "immutable"), "message: %s", msg);
}

static int lars_cb(void *ctx, const char *lars)
{
	struct buf *b = ctx;
	buf_printf(b, "%s%s", b->len ? "," : "", lars);
	return 0;
}

static void test_algo_find(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	char lars[9] = "";
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	assert_int_equal(store_algo_find_source(f->st, ids[0], "src-1", lars), STORE_OK);
	assert_string_equal(lars, "11136893");
	assert_int_equal(store_algo_find_source(f->st, ids[1], "src-1", lars), STORE_OK);
	assert_string_equal(lars, "11243654");
	assert_int_equal(store_algo_find_source(f->st, ids[2], "src-1", lars), STORE_NOTFOUND);
	assert_int_equal(store_algo_find_source(f->st, ids[0], "src-2", lars), STORE_NOTFOUND);

	/* Same name twice in one organisation: both, by ID; archived ones not. */
	struct algo_write w;
	char record[512];
	struct algo_row twin = algos[0];
	twin.lars = "10000016";
	twin.source_id = NULL;
	make_write(&twin, ids, 1, &w, record, sizeof record);
	assert_int_equal(store_algo_insert(f->st, &w), STORE_OK);
	static const struct {
		size_t org;
		const char *name, *want;
	} cases[] = {
		{0, "Parkeervergunning toewijzen", "10000016,11136893"},
		{0, "parkeervergunning toewijzen", ""},       /* exact name */
		{1, "Parkeervergunning toewijzen", ""},       /* other organisation */
		{2, "afvalroutes plannen", ""},               /* archived */
		{1, "Afvalroutes plannen", "11243612"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b;
		buf_init(&b, 0);
		assert_int_equal(store_algo_find_name(f->st, ids[cases[i].org], cases[i].name, lars_cb, &b), STORE_OK);
		CHECK(!strcmp(buf_str(&b), cases[i].want), "find_name %s: %s, want %s", cases[i].name, buf_str(&b),
		      cases[i].want);
		buf_cleanup(&b);
	}
	assert_int_equal(store_algo_set_state(f->st, "10000016", "gearchiveerd", NOW), STORE_OK);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(store_algo_find_name(f->st, ids[0], "Parkeervergunning toewijzen", lars_cb, &b), STORE_OK);
	assert_string_equal(buf_str(&b), "11136893");
	buf_cleanup(&b);
}

/* ---- listing ---- */

struct list_seen {
	struct buf lars;
	int calls;
	struct algo_summary first;
	char first_category[128], first_org[64], first_name[128];
};

static int list_cb(void *ctx, const struct algo_summary *a)
{
	struct list_seen *s = ctx;
	if (!s->calls++) {
		s->first = *a;
		snprintf(s->first_category, sizeof s->first_category, "%s", a->category);
		snprintf(s->first_org, sizeof s->first_org, "%s", a->org_code);
		snprintf(s->first_name, sizeof s->first_name, "%s", a->name);
	}
	buf_printf(&s->lars, "%s%s", s->lars.len ? "," : "", a->lars);
	return 0;
}

static char *list(struct store *st, const struct algo_query *q, long long *total)
{
	struct list_seen s = {0};
	buf_init(&s.lars, 0);
	int rc = store_algo_list(st, q, total, list_cb, &s);
	CHECK(rc == STORE_OK, "list: %d %s", rc, store_errmsg(st));
	return buf_release(&s.lars, NULL);
}

static void test_algo_list(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	publish_algos(f->st);
	/* By name (case-insensitive), then ID; archived ones never; the public view
	 * only the published ones. */
	static const struct {
		struct algo_query q;
		long long total;
		const char *lars;
	} cases[] = {
		{{.limit = 100}, 5, "11243612,11234933,11243654,11248112,11136893"},
		{{.limit = 100, .public_view = true}, 3, "11243612,11248112,11136893"},
		{{.limit = 100, .org_code = "GM0820"}, 2, "11234933,11136893"},
		{{.limit = 100, .org_code = "PV20"}, 0, ""},
		{{.limit = 100, .org_code = "PV20", .public_view = true}, 0, ""},
		{{.limit = 100, .org_code = "GM0820", .public_view = true}, 1, "11136893"},
		{{.limit = 100, .org_code = "XX"}, 0, ""},
		{{.limit = 100, .status = "In gebruik"}, 3, "11243612,11248112,11136893"},
		{{.limit = 100, .status = "in gebruik"}, 0, ""},
		{{.limit = 100, .publication_category = "Impactvolle algoritmes"}, 1, "11234933"},
		{{.limit = 100, .category = "Verkeer"}, 2, "11243612,11136893"},
		{{.limit = 100, .category = "Verkeer", .public_view = true}, 2, "11243612,11136893"},
		{{.limit = 100, .category = "Werk", .public_view = true}, 0, ""},
		{{.limit = 100, .category = "Werk"}, 1, "11234933"},
		{{.limit = 100, .category = "Wonen"}, 0, ""},
		{{.limit = 100, .category = "Verkeer", .org_code = "GM0363", .status = "In gebruik"}, 1, "11243612"},
		{{.limit = 100, .status = "In gebruik", .publication_category = "Hoog-risico AI-systeem"}, 0, ""},
		/* paging */
		{{.limit = 2}, 5, "11243612,11234933"},
		{{.limit = 2, .offset = 2}, 5, "11243654,11248112"},
		{{.limit = 2, .offset = 4}, 5, "11136893"},
		{{.limit = 2, .offset = 5}, 5, ""},
		{{.limit = 2, .offset = 500}, 5, ""},
		/* full-text search: prefix terms, any column, accent folding */
		{{.limit = 100, .fts = "\"parkeer\"*"}, 1, "11136893"},
		{{.limit = 100, .fts = "\"afval\"*"}, 1, "11243612"},
		{{.limit = 100, .fts = "\"afval\"*", .public_view = true}, 1, "11243612"},   /* not the archived one */
		{{.limit = 100, .fts = "\"beoordel\"*", .public_view = true}, 0, ""},          /* a concept */
		{{.limit = 100, .fts = "\"nuenen\"*", .public_view = true}, 1, "11136893"},
		{{.limit = 100, .fts = "\"fryslan\"*", .public_view = true}, 1, "11248112"},
		{{.limit = 2, .offset = 1, .public_view = true}, 3, "11248112,11136893"},
		{{.limit = 100, .status = "Buiten gebruik", .public_view = true}, 0, ""},
		{{.limit = 100, .fts = "\"vuilnis\"*"}, 1, "11243612"},       /* goal */
		{{.limit = 100, .fts = "\"nuenen\"*"}, 2, NULL},               /* organisation */
		{{.limit = 100, .fts = "\"fryslan\"*"}, 1, "11248112"},        /* â folded */
		{{.limit = 100, .fts = "\"FRYSLÂN\"*"}, 1, "11248112"},
		{{.limit = 100, .fts = "\"routes\"* \"vuilniswagens\"*"}, 1, "11243612"},
		{{.limit = 100, .fts = "\"beoordel\"*", .org_code = "GM0820"}, 1, "11234933"},
		{{.limit = 100, .fts = "\"xyzzy\"*"}, 0, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		long long total = -1;
		char *got = list(f->st, &cases[i].q, &total);
		CHECK(total == cases[i].total, "case %zu: total %lld, want %lld", i, total, cases[i].total);
		if (cases[i].lars)
			CHECK(!strcmp(got, cases[i].lars), "case %zu: %s, want %s", i, got, cases[i].lars);
		free(got);
	}

	/* The summary columns. */
	struct list_seen s = {0};
	struct algo_query q = {.limit = 1, .org_code = "GM0363", .status = "Buiten gebruik"};
	long long total;
	buf_init(&s.lars, 0);
	assert_int_equal(store_algo_list(f->st, &q, &total, list_cb, &s), STORE_OK);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.first_name, "Chatbot burgerzaken");
	assert_string_equal(s.first_org, "GM0363");
	assert_string_equal(s.first_category, "[\"Organisatie en bedrijfsvoering\"]");
	assert_int_equal(s.first.version, 1);
	assert_int_equal(s.first.completeness, 41);
	assert_false(s.first.publishable);
	buf_cleanup(&s.lars);

	/* A malformed FTS expression is an error, not a crash. */
	q = (struct algo_query){.limit = 10, .fts = "\"unterminated"};
	assert_int_equal(store_algo_list(f->st, &q, &total, list_cb, &s), STORE_ERROR);
	q.public_view = true;
	assert_int_equal(store_algo_list(f->st, &q, &total, list_cb, &s), STORE_ERROR);

	/* Only the listed organisations (a workspace); -1 alone matches none. */
	static const struct {
		long long orgs[3];        /* indexes in orgs[], or -1 for an ID no organisation has */
		size_t n;
		bool public_view;
		const char *org_code, *fts;
		long long total;
		const char *lars;
	} scoped[] = {
		{{0}, 1, false, NULL, NULL, 2, "11234933,11136893"},
		{{0, 4}, 2, false, NULL, NULL, 3, "11234933,11248112,11136893"},
		{{1, 2}, 2, false, NULL, NULL, 2, "11243612,11243654"},          /* PV20's only one is archived */
		{{2}, 1, false, NULL, NULL, 0, ""},
		{{-1}, 1, false, NULL, NULL, 0, ""},
		{{-1}, 1, true, NULL, NULL, 0, ""},
		{{0, 1}, 2, true, NULL, NULL, 2, "11243612,11136893"},
		{{0}, 1, false, "GM0820", NULL, 2, "11234933,11136893"},
		{{0}, 1, false, "GM0363", NULL, 0, ""},                         /* both must hold */
		{{0, 1}, 2, false, NULL, "\"chatbot\"*", 1, "11243654"},
		{{0, 4}, 2, false, NULL, "\"chatbot\"*", 0, ""},
	};
	for (size_t i = 0; i < sizeof scoped / sizeof *scoped; i++) {
		long long org_ids[3];
		for (size_t k = 0; k < scoped[i].n; k++)
			org_ids[k] = scoped[i].orgs[k] < 0 ? -1 : ids[scoped[i].orgs[k]];
		q = (struct algo_query){.limit = 100, .org_ids = org_ids, .norg_ids = scoped[i].n,
					.public_view = scoped[i].public_view, .org_code = scoped[i].org_code,
					.fts = scoped[i].fts};
		char *got = list(f->st, &q, &total);
		CHECK(total == scoped[i].total, "scoped case %zu: total %lld, want %lld", i, total, scoped[i].total);
		CHECK(!strcmp(got, scoped[i].lars), "scoped case %zu: %s, want %s", i, got, scoped[i].lars);
		free(got);
	}
}

/* The public view shows the published version, not a later draft: its name,
 * columns and search words; a retraction removes it; the next publication
 * replaces it. */
static void test_algo_list_public(void **state)
{
	struct fx *f = *state;
	long long ids[8], total;
	struct algo_write w;
	char rec2[512];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	publish_algos(f->st);
	struct algo_row v2 = algos[0];
	v2.name = "Straatvergunning nieuw";
	v2.goal = "Nieuwe regels";
	v2.status = "Buiten gebruik";
	make_write(&v2, ids, 2, &w, rec2, sizeof rec2);
	assert_int_equal(store_algo_add_version(f->st, &w, 1), STORE_OK);
	assert_int_equal(store_algo_set_workflow(f->st, "11136893", "concept", 1, NOW), STORE_OK);

	static const struct {
		bool public_view;
		const char *fts, *status, *want;
	} cases[] = {
		{true, NULL, NULL, "11243612,11248112,11136893"},
		{false, NULL, NULL, "11243612,11234933,11243654,11248112,11136893"},
		{true, "\"straat\"*", NULL, ""},
		{false, "\"straat\"*", NULL, "11136893"},
		{true, "\"parkeervergunning\"*", NULL, "11136893"},
		{false, "\"parkeervergunning\"*", NULL, ""},
		{true, NULL, "In gebruik", "11243612,11248112,11136893"},
		{false, NULL, "In gebruik", "11243612,11248112"},
		{true, NULL, "Buiten gebruik", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct algo_query q = {.limit = 100, .public_view = cases[i].public_view, .fts = cases[i].fts,
				       .status = cases[i].status};
		char *got = list(f->st, &q, &total);
		CHECK(!strcmp(got, cases[i].want), "case %zu: %s, want %s", i, got, cases[i].want);
		free(got);
	}
	/* The summary is the published version's. */
	struct list_seen s = {0};
	buf_init(&s.lars, 0);
	struct algo_query q = {.limit = 100, .public_view = true, .org_code = "GM0820"};
	assert_int_equal(store_algo_list(f->st, &q, &total, list_cb, &s), STORE_OK);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.first_name, "Parkeervergunning toewijzen");
	assert_int_equal(s.first.version, 1);
	buf_cleanup(&s.lars);
	/* The algorithm itself knows its latest and its published version. */
	struct algo_seen a = {0};
	assert_int_equal(store_algo_get(f->st, "11136893", 0, algo_cb, &a), STORE_OK);
	assert_int_equal(a.version, 2);
	assert_int_equal(a.published_version, 1);
	assert_string_equal(a.state, "concept");

	/* Publishing version 2 replaces the public row and its search words. */
	assert_int_equal(store_algo_set_workflow(f->st, "11136893", "gepubliceerd", 2, NOW), STORE_OK);
	q = (struct algo_query){.limit = 100, .public_view = true, .fts = "\"straat\"*"};
	char *got = list(f->st, &q, &total);
	assert_string_equal(got, "11136893");
	free(got);
	q.fts = "\"parkeervergunning\"*";
	got = list(f->st, &q, &total);
	assert_string_equal(got, "");
	free(got);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM public_algorithms WHERE lars = '11136893'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT version FROM public_algorithms WHERE lars = '11136893'"), 2);

	/* Retracting (published version 0) removes it from the public view and index. */
	assert_int_equal(store_algo_set_workflow(f->st, "11136893", "teruggetrokken", 0, NOW), STORE_OK);
	q = (struct algo_query){.limit = 100, .public_view = true};
	got = list(f->st, &q, &total);
	assert_string_equal(got, "11243612,11248112");
	free(got);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM public_fts WHERE rowid = "
				 "(SELECT id FROM algorithms WHERE lars = '11136893')"), 0);
	assert_int_equal(store_algo_get(f->st, "11136893", 0, algo_cb, &a), STORE_OK);
	assert_int_equal(a.published_version, 0);
	assert_string_equal(a.state, "teruggetrokken");
	assert_int_equal(store_algo_set_workflow(f->st, "99999999", "concept", 0, NOW), STORE_NOTFOUND);
	/* A version that does not exist cannot be published. */
	assert_int_not_equal(store_algo_set_workflow(f->st, "11234933", "gepubliceerd", 7, NOW), STORE_OK);
}

struct export_seen {
	struct buf lars;
	int n;
};

static int export_cb(void *ctx, const char *lars, const char *record)
{
	struct export_seen *s = ctx;
	char want[16];
	snprintf(want, sizeof want, "\"lars\":\"%s\"", lars);
	CHECK(strstr(record, want), "export %s: record %s", lars, record);
	buf_printf(&s->lars, "%s%s", s->lars.len ? "," : "", lars);
	s->n++;
	return 0;
}

/* Writes "lars:v" with the version number held in the test records. */
static int export_record_cb(void *ctx, const char *lars, const char *record)
{
	const char *v = strstr(record, "\"v\":");
	buf_printf(ctx, "%s%s:%s", ((struct buf *)ctx)->len ? "," : "", lars, v ? v + 4 : "?");
	struct buf *b = ctx;
	if (b->len && b->data[b->len - 1] == '}')
		b->data[--b->len] = '\0';
	return 0;
}

static int export_stop_cb(void *ctx, const char *lars, const char *record)
{
	(void)lars;
	(void)record;
	++*(int *)ctx;
	return 5;
}

static void test_algo_export(void **state)
{
	struct fx *f = *state;
	long long ids[8];
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	/* Two algorithms whose names differ only in case: by ID. */
	struct algo_row twin = algos[2];
	struct algo_write w;
	char record[512];
	twin.lars = "10000016";
	twin.name = "AFVALROUTES PLANNEN";
	twin.state = "concept";
	make_write(&twin, ids, 1, &w, record, sizeof record);
	assert_int_equal(store_algo_insert(f->st, &w), STORE_OK);
	publish_algos(f->st);

	/* orgs: indexes in orgs[] for org_ids (n of them; 0 = not set). */
	static const struct {
		const char *org;
		bool public_view;
		long long orgs[2];
		size_t n;
		const char *want;
	} cases[] = {
		{NULL, false, {0}, 0, "10000016,11243612,11234933,11243654,11248112,11136893"},
		{"GM0363", false, {0}, 0, "10000016,11243612,11243654"},
		{"GM0820", false, {0}, 0, "11234933,11136893"},
		{"PV20", false, {0}, 0, ""},   /* archived only */
		{"nope", false, {0}, 0, ""},
		{NULL, true, {0}, 0, "11243612,11248112,11136893"},
		{"GM0363", true, {0}, 0, "11243612"},
		{"PV20", true, {0}, 0, ""},
		{NULL, false, {1, 4}, 2, "10000016,11243612,11243654,11248112"},
		{NULL, true, {1, 4}, 2, "11243612,11248112"},
		{"GM0820", false, {1, 4}, 2, ""},
		{NULL, false, {2}, 1, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct export_seen s = {0};
		long long org_ids[2];
		for (size_t k = 0; k < cases[i].n; k++)
			org_ids[k] = ids[cases[i].orgs[k]];
		struct algo_query q = {.org_code = cases[i].org, .public_view = cases[i].public_view,
				       .org_ids = cases[i].n ? org_ids : NULL, .norg_ids = cases[i].n};
		buf_init(&s.lars, 0);
		assert_int_equal(store_algo_export(f->st, &q, export_cb, &s), STORE_OK);
		CHECK(!strcmp(buf_str(&s.lars), cases[i].want), "export case %zu (%s): %s, want %s", i,
		      cases[i].org ? cases[i].org : "(all)", buf_str(&s.lars), cases[i].want);
		buf_cleanup(&s.lars);
	}

	/* The latest version is exported; the public one keeps the published version. */
	char rec2[512];
	make_write(&algos[0], ids, 2, &w, rec2, sizeof rec2);
	assert_int_equal(store_algo_add_version(f->st, &w, 1), STORE_OK);
	struct buf b;
	buf_init(&b, 0);
	struct algo_query q = {.org_code = "GM0820"};
	assert_int_equal(store_algo_export(f->st, &q, export_record_cb, &b), STORE_OK);
	assert_string_equal(buf_str(&b), "11234933:1,11136893:2");
	buf_reset(&b);
	q.public_view = true;
	assert_int_equal(store_algo_export(f->st, &q, export_record_cb, &b), STORE_OK);
	assert_string_equal(buf_str(&b), "11136893:1");
	buf_cleanup(&b);
	/* A callback's non-zero result stops the export and is returned. */
	int calls = 0;
	q = (struct algo_query){0};
	assert_int_equal(store_algo_export(f->st, &q, export_stop_cb, &calls), 5);
	assert_int_equal(calls, 1);
}

/* ---- state and transactions ---- */

static void test_set_state(void **state)
{
	struct fx *f = *state;
	long long ids[8], total;
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	assert_int_equal(store_algo_set_state(f->st, "11136893", "gearchiveerd", "2024-07-01T00:00:00Z"), STORE_OK);
	struct algo_seen s = {0};
	assert_int_equal(store_algo_get(f->st, "11136893", 0, algo_cb, &s), STORE_OK);
	assert_string_equal(s.state, "gearchiveerd");
	assert_int_equal(s.version, 1);   /* a state change is not a version */
	struct algo_query q = {.limit = 100, .org_code = "GM0820"};
	char *got = list(f->st, &q, &total);
	assert_string_equal(got, "11234933");
	free(got);
	assert_int_equal(store_algo_set_state(f->st, "99999999", "gearchiveerd", NOW), STORE_NOTFOUND);
	assert_int_not_equal(store_algo_set_state(f->st, "11234933", "weg", NOW), STORE_OK);
	assert_int_equal(store_algo_get(f->st, "11234933", 0, algo_cb, &s), STORE_OK);
	assert_string_equal(s.state, "concept");
}

static void test_transactions(void **state)
{
	struct fx *f = *state;
	long long ids[8], n = -1;
	assert_int_equal(store_begin(f->st), STORE_OK);
	insert_orgs(f->st, ids);
	insert_algos(f->st, ids);
	store_rollback(f->st);
	assert_int_equal(store_org_count(f->st, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM algorithms"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM algorithms_fts"), 0);
	store_rollback(f->st);   /* outside a transaction: harmless */

	assert_int_equal(store_begin(f->st), STORE_OK);
	insert_orgs(f->st, ids);
	/* Another connection sees nothing before the commit. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orgs"), 0);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orgs"), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_open_not_a_database, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_open_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_foreign, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_org_insert_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_org_find_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_org_list_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_insert_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_list_public, setup, teardown),
		cmocka_unit_test_setup_teardown(test_algo_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
