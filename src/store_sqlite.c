/* store_sqlite.c - the store on SQLite.
 *
 * Durability: WAL journal with synchronous=FULL. A register entry is a legal
 * record and writes are rare (people editing, or one transaction per import
 * file), so every acknowledged commit is worth an fsync of the WAL: it survives
 * power loss, not just a process crash. Readers never block the writer in WAL.
 * busy_timeout makes concurrent writers (one connection per worker thread)
 * queue instead of failing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "store.h"
#include "util.h"

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_ORG_INSERT, S_ORG_ALIAS, S_ORG_GET, S_ORG_FIND, S_ORG_LIST, S_ORG_COUNT,
	S_ALGO_GET, S_ALGO_GET_VERSION, S_ALGO_FIND_SOURCE, S_ALGO_FIND_NAME, S_ALGO_INSERT, S_ALGO_VERSION_INSERT,
	S_ALGO_UPDATE, S_ALGO_STATE, S_ALGO_VERSIONS, S_FTS_DELETE, S_FTS_INSERT, S_ALGO_EXPORT,
	S_COUNT
};

#define ORG_COLS "o.id, o.code, o.name, o.type, " \
	"(SELECT count(*) FROM algorithms a WHERE a.org_id = o.id AND a.state <> 'gearchiveerd')"
#define ALGO_COLS "a.id, a.lars, a.state, a.source_id, o.code, o.name, o.type, v.version, " \
	"a.version, v.record, v.missing, v.completeness, a.created_at, v.created_at, a.import_meta " \
	"FROM algorithms a JOIN orgs o ON o.id = a.org_id JOIN algorithm_versions v ON v.algorithm_id = a.id "

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_ORG_INSERT] = "INSERT INTO orgs (code, name, name_key, type, created_at) VALUES (?, ?, ?, ?, ?)",
	[S_ORG_ALIAS] = "INSERT OR IGNORE INTO org_aliases (name_key, org_id) VALUES (?, ?)",
	[S_ORG_GET] = "SELECT " ORG_COLS " FROM orgs o WHERE o.code = ?",
	[S_ORG_FIND] = "SELECT " ORG_COLS " FROM orgs o WHERE o.name_key = ?1 OR o.id = "
		       "(SELECT org_id FROM org_aliases WHERE name_key = ?1) LIMIT 1",
	[S_ORG_LIST] = "SELECT " ORG_COLS " FROM orgs o ORDER BY o.type, o.name",
	[S_ORG_COUNT] = "SELECT count(*) FROM orgs",
	[S_ALGO_GET] = "SELECT " ALGO_COLS "AND v.version = a.version WHERE a.lars = ?",
	[S_ALGO_GET_VERSION] = "SELECT " ALGO_COLS "AND v.version = ?2 WHERE a.lars = ?1",
	[S_ALGO_FIND_SOURCE] = "SELECT lars FROM algorithms WHERE org_id = ? AND source_id = ?",
	[S_ALGO_FIND_NAME] = "SELECT lars FROM algorithms WHERE org_id = ? AND name = ? "
			     "AND state <> 'gearchiveerd' ORDER BY lars",
	[S_ALGO_INSERT] = "INSERT INTO algorithms (lars, org_id, source_id, state, version, name, "
			  "description_short, status, publication_category, category, completeness, "
			  "publishable, import_meta, created_at, updated_at) "
			  "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
	[S_ALGO_VERSION_INSERT] = "INSERT INTO algorithm_versions (algorithm_id, version, record, "
				  "missing, completeness, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	[S_ALGO_UPDATE] = "UPDATE algorithms SET version = version + 1, source_id = ?3, name = ?4, "
			  "description_short = ?5, status = ?6, publication_category = ?7, category = ?8, "
			  "completeness = ?9, publishable = ?10, import_meta = coalesce(?11, import_meta), "
			  "updated_at = ?12 WHERE lars = ?1 AND version = ?2 RETURNING id, version",
	[S_ALGO_STATE] = "UPDATE algorithms SET state = ?2, updated_at = ?3 WHERE lars = ?1",
	[S_ALGO_VERSIONS] = "SELECT v.version, v.created_at FROM algorithm_versions v "
			    "JOIN algorithms a ON a.id = v.algorithm_id WHERE a.lars = ? ORDER BY v.version",
	[S_FTS_DELETE] = "DELETE FROM algorithms_fts WHERE rowid = ?",
	[S_FTS_INSERT] = "INSERT INTO algorithms_fts (rowid, name, description_short, goal, organisation, "
			 "tags) VALUES (?, ?, ?, ?, ?, ?)",
	[S_ALGO_EXPORT] = "SELECT a.lars, v.record FROM algorithms a JOIN orgs o ON o.id = a.org_id "
			  "JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = a.version "
			  "WHERE a.state <> 'gearchiveerd' AND (?1 IS NULL OR o.code = ?1) "
			  "ORDER BY a.name COLLATE NOCASE, a.lars",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	char errmsg[256];
};

static int fail(struct store *st, int code)
{
	snprintf(st->errmsg, sizeof st->errmsg, "%s", sqlite3_errmsg(st->db));
	return code;
}

/* Maps an SQLite result code to a store code, keeping the message. */
static int result(struct store *st, int rc)
{
	switch (rc & 0xff) { /* extended result codes are on */
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return fail(st, STORE_BUSY);
	case SQLITE_CONSTRAINT:
		return fail(st, rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
				? STORE_EXISTS : STORE_ERROR);
	default:
		return fail(st, STORE_ERROR);
	}
}

static sqlite3_stmt *prep(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL)
		    != SQLITE_OK) {
			fail(st, STORE_ERROR);
			return NULL;
		}
		st->stmt[id] = s;
	}
	return s;
}

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Runs a statement that returns no rows. */
static int exec_stmt(struct store *st, sqlite3_stmt *s)
{
	int rc = result(st, sqlite3_step(s));
	done(s);
	return rc;
}

static int migration_number(const char *path)
{
	const char *base = strrchr(path, '/');
	long long n;
	char digits[4];
	base = base ? base + 1 : path;
	if (strlen(base) < 4 || base[3] != '_')
		return -1;
	memcpy(digits, base, 3);
	digits[3] = '\0';
	return util_parse_int(digits, 1, 999, &n) ? -1 : (int)n;
}

/* The highest schema version this binary knows. */
static int known_version(void)
{
	int want = 0;
	for (size_t i = 0; i < embedded_count; i++) {
		int n = migration_number(embedded_files[i].path);
		if (!strncmp(embedded_files[i].path, "migrations/", 11) && n > want)
			want = n;
	}
	return want;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	int have = store_schema_version(st), want = known_version();
	if (have == want)
		return STORE_OK;
	char *msg = NULL;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	/* The embed tool receives the files sorted, so they apply in order. */
	for (size_t i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		int n = migration_number(f->path);
		if (strncmp(f->path, "migrations/", 11) || n <= have)
			continue;
		char pragma[48];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
		if (sqlite3_exec(st->db, f->data, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %s: %s", f->path, msg ? msg : "failed");
			sqlite3_free(msg);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return STORE_ERROR;
		}
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) == SQLITE_OK)
		return STORE_OK;
fail:
	snprintf(err, errlen, "migration: %s", msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return STORE_ERROR;
}

int store_open(const char *path, bool create, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc = STORE_ERROR;
	*out = NULL;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	/* Checked before anything is set, so that a refused database stays untouched. */
	int have = store_schema_version(st);
	if (have > known_version()) {
		snprintf(err, errlen, "database schema version %d is newer than this aireg knows (%d)",
			 have, known_version());
		rc = STORE_NEWER;
		goto out;
	}
	char *msg = NULL;
	if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
			 "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto out;
	}
	if ((rc = migrate(st, err, errlen)))
		goto out;
	*out = st;
	return STORE_OK;
out:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

const char *store_errmsg(struct store *st)
{
	return st->errmsg;
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int run_simple(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = prep(st, id);
	return s ? exec_stmt(st, s) : STORE_ERROR;
}

int store_begin(struct store *st)
{
	return run_simple(st, S_BEGIN);
}

int store_commit(struct store *st)
{
	return run_simple(st, S_COMMIT);
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		run_simple(st, S_ROLLBACK);
}

/* ---- organisations ---- */

int store_org_insert(struct store *st, const char *code, const char *name, const char *name_key,
		     const char *type, const char *now, long long *id)
{
	sqlite3_stmt *s = prep(st, S_ORG_INSERT);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, code);
	bind_text(s, 2, name);
	bind_text(s, 3, name_key);
	bind_text(s, 4, type);
	bind_text(s, 5, now);
	int rc = exec_stmt(st, s);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_org_alias(struct store *st, const char *name_key, long long org_id)
{
	sqlite3_stmt *s = prep(st, S_ORG_ALIAS);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, name_key);
	sqlite3_bind_int64(s, 2, org_id);
	return exec_stmt(st, s);
}

/* Steps an organisation query, calling cb per row; STORE_NOTFOUND when none. */
static int org_rows(struct store *st, sqlite3_stmt *s, int (*cb)(void *, const struct org *), void *ctx)
{
	int rc, n = 0, ret = STORE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct org o = {
			.id = sqlite3_column_int64(s, 0),
			.code = col_text(s, 1),
			.name = col_text(s, 2),
			.type = col_text(s, 3),
			.algorithms = sqlite3_column_int64(s, 4),
		};
		n++;
		if ((ret = cb(ctx, &o)))
			break;
	}
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	done(s);
	return ret ? ret : n ? STORE_OK : STORE_NOTFOUND;
}

int store_org_get(struct store *st, const char *code, int (*cb)(void *, const struct org *), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ORG_GET);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, code);
	return org_rows(st, s, cb, ctx);
}

int store_org_find(struct store *st, const char *name_key, int (*cb)(void *, const struct org *), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ORG_FIND);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, name_key);
	return org_rows(st, s, cb, ctx);
}

int store_org_list(struct store *st, int (*cb)(void *, const struct org *), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ORG_LIST);
	if (!s)
		return STORE_ERROR;
	int rc = org_rows(st, s, cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_org_count(struct store *st, long long *n)
{
	sqlite3_stmt *s = prep(st, S_ORG_COUNT);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	rc = result(st, rc);
	done(s);
	return rc;
}

/* ---- algorithms ---- */

int store_algo_get(struct store *st, const char *lars, int version,
		   int (*cb)(void *, const struct algo *), void *ctx)
{
	sqlite3_stmt *s = prep(st, version ? S_ALGO_GET_VERSION : S_ALGO_GET);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, lars);
	if (version)
		sqlite3_bind_int(s, 2, version);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct algo a = {
			.id = sqlite3_column_int64(s, 0),
			.lars = col_text(s, 1),
			.state = col_text(s, 2),
			.source_id = col_text(s, 3),
			.org_code = col_text(s, 4),
			.org_name = col_text(s, 5),
			.org_type = col_text(s, 6),
			.version = sqlite3_column_int(s, 7),
			.latest = sqlite3_column_int(s, 8),
			.record = col_text(s, 9),
			.missing = col_text(s, 10),
			.completeness = sqlite3_column_int(s, 11),
			.created_at = col_text(s, 12),
			.updated_at = col_text(s, 13),
			.import_meta = col_text(s, 14),
		};
		rc = cb(ctx, &a);
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : result(st, rc);
	}
	done(s);
	return rc;
}

int store_algo_find_source(struct store *st, long long org_id, const char *source_id,
			   char lars_out[9])
{
	sqlite3_stmt *s = prep(st, S_ALGO_FIND_SOURCE);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, org_id);
	bind_text(s, 2, source_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(lars_out, 9, "%s", col_text(s, 0));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : result(st, rc);
	}
	done(s);
	return rc;
}

int store_algo_find_name(struct store *st, long long org_id, const char *name,
			 int (*cb)(void *, const char *lars), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ALGO_FIND_NAME);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, org_id);
	bind_text(s, 2, name);
	int rc, ret = STORE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb(ctx, col_text(s, 0))))
			break;
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	done(s);
	return ret;
}

static int insert_version(struct store *st, long long algo_id, int version, const struct algo_write *w)
{
	sqlite3_stmt *s = prep(st, S_ALGO_VERSION_INSERT);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, algo_id);
	sqlite3_bind_int(s, 2, version);
	bind_text(s, 3, w->record);
	bind_text(s, 4, w->missing);
	sqlite3_bind_int(s, 5, w->completeness);
	bind_text(s, 6, w->now);
	return exec_stmt(st, s);
}

static int index_fts(struct store *st, long long algo_id, const struct algo_write *w)
{
	sqlite3_stmt *s = prep(st, S_FTS_DELETE);
	int rc;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, algo_id);
	if ((rc = exec_stmt(st, s)))
		return rc;
	if (!(s = prep(st, S_FTS_INSERT)))
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, algo_id);
	bind_text(s, 2, w->name);
	bind_text(s, 3, w->description_short);
	bind_text(s, 4, w->goal);
	bind_text(s, 5, w->org_name);
	bind_text(s, 6, w->tags);
	return exec_stmt(st, s);
}

int store_algo_insert(struct store *st, const struct algo_write *w)
{
	sqlite3_stmt *s = prep(st, S_ALGO_INSERT);
	int rc;
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, w->lars);
	sqlite3_bind_int64(s, 2, w->org_id);
	bind_text(s, 3, w->source_id);
	bind_text(s, 4, w->state);
	bind_text(s, 5, w->name);
	bind_text(s, 6, w->description_short);
	bind_text(s, 7, w->status);
	bind_text(s, 8, w->publication_category);
	bind_text(s, 9, w->category ? w->category : "[]");
	sqlite3_bind_int(s, 10, w->completeness);
	sqlite3_bind_int(s, 11, w->publishable);
	bind_text(s, 12, w->import_meta);
	bind_text(s, 13, w->now);
	if ((rc = exec_stmt(st, s)))
		return rc;
	long long id = sqlite3_last_insert_rowid(st->db);
	if ((rc = insert_version(st, id, 1, w)))
		return rc;
	return index_fts(st, id, w);
}

int store_algo_add_version(struct store *st, const struct algo_write *w, int expected)
{
	sqlite3_stmt *s = prep(st, S_ALGO_UPDATE);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, w->lars);
	sqlite3_bind_int(s, 2, expected);
	bind_text(s, 3, w->source_id);
	bind_text(s, 4, w->name);
	bind_text(s, 5, w->description_short);
	bind_text(s, 6, w->status);
	bind_text(s, 7, w->publication_category);
	bind_text(s, 8, w->category ? w->category : "[]");
	sqlite3_bind_int(s, 9, w->completeness);
	sqlite3_bind_int(s, 10, w->publishable);
	bind_text(s, 11, w->import_meta);
	bind_text(s, 12, w->now);
	int rc = sqlite3_step(s);
	long long id = 0;
	int version = 0;
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		version = sqlite3_column_int(s, 1);
		rc = sqlite3_step(s);
	} else if (rc == SQLITE_DONE) {
		done(s);
		return STORE_CONFLICT; /* no row at the expected version: a newer one exists */
	}
	rc = result(st, rc);
	done(s);
	if (rc)
		return rc;
	if ((rc = insert_version(st, id, version, w)))
		return rc;
	return index_fts(st, id, w);
}

int store_algo_set_state(struct store *st, const char *lars, const char *state, const char *now)
{
	sqlite3_stmt *s = prep(st, S_ALGO_STATE);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, lars);
	bind_text(s, 2, state);
	bind_text(s, 3, now);
	int rc = exec_stmt(st, s);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_algo_versions(struct store *st, const char *lars,
			int (*cb)(void *, int version, const char *created_at), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ALGO_VERSIONS);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, lars);
	int rc, n = 0, ret = STORE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if ((ret = cb(ctx, sqlite3_column_int(s, 0), col_text(s, 1))))
			break;
	}
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	done(s);
	return ret ? ret : n ? STORE_OK : STORE_NOTFOUND;
}

/* The listing query is assembled from fixed fragments; every value is bound. */
int store_algo_list(struct store *st, const struct algo_query *q, long long *total,
		    int (*cb)(void *, const struct algo_summary *), void *ctx)
{
	char where[1024];
	int n = snprintf(where, sizeof where, "FROM algorithms a JOIN orgs o ON o.id = a.org_id%s WHERE 1%s%s%s%s%s%s",
			 q->fts ? " JOIN algorithms_fts f ON f.rowid = a.id" : "",
			 q->include_archived ? "" : " AND a.state <> 'gearchiveerd'",
			 q->org_code ? " AND o.code = :org" : "",
			 q->status ? " AND a.status = :status" : "",
			 q->publication_category ? " AND a.publication_category = :pubcat" : "",
			 q->category ? " AND EXISTS (SELECT 1 FROM json_each(a.category) WHERE value = :cat)" : "",
			 q->fts ? " AND algorithms_fts MATCH :fts" : "");
	if (n < 0 || (size_t)n >= sizeof where)
		return STORE_ERROR;
	char sql[2048];
	sqlite3_stmt *s = NULL;
	int rc, ret = STORE_OK;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			snprintf(sql, sizeof sql, "SELECT count(*) %s", where);
		else
			snprintf(sql, sizeof sql,
				 "SELECT a.lars, a.state, o.code, o.name, a.name, a.description_short, "
				 "a.status, a.publication_category, a.category, a.updated_at, a.version, "
				 "a.completeness, a.publishable %s ORDER BY %s a.name COLLATE NOCASE, a.lars "
				 "LIMIT :limit OFFSET :offset",
				 where, q->fts ? "f.rank," : "");
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
			return fail(st, STORE_ERROR);
		struct { const char *name, *value; } binds[] = {
			{":org", q->org_code}, {":status", q->status}, {":pubcat", q->publication_category},
			{":cat", q->category}, {":fts", q->fts},
		};
		for (size_t i = 0; i < ARRAY_LEN(binds); i++) {
			int idx = sqlite3_bind_parameter_index(s, binds[i].name);
			if (idx)
				bind_text(s, idx, binds[i].value);
		}
		if (pass == 0) {
			rc = sqlite3_step(s);
			*total = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
			ret = result(st, rc);
			sqlite3_finalize(s);
			if (ret || *total <= q->offset)
				return ret;
			continue;
		}
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"), q->limit);
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":offset"), q->offset);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct algo_summary a = {
				.lars = col_text(s, 0),
				.state = col_text(s, 1),
				.org_code = col_text(s, 2),
				.org_name = col_text(s, 3),
				.name = col_text(s, 4),
				.description_short = col_text(s, 5),
				.status = col_text(s, 6),
				.publication_category = col_text(s, 7),
				.category = col_text(s, 8),
				.updated_at = col_text(s, 9),
				.version = sqlite3_column_int(s, 10),
				.completeness = sqlite3_column_int(s, 11),
				.publishable = sqlite3_column_int(s, 12),
			};
			if ((ret = cb(ctx, &a)))
				break;
		}
		if (rc != SQLITE_ROW)
			ret = result(st, rc);
		sqlite3_finalize(s);
	}
	return ret;
}

int store_algo_export(struct store *st, const char *org_code,
		      int (*cb)(void *, const char *lars, const char *record), void *ctx)
{
	sqlite3_stmt *s = prep(st, S_ALGO_EXPORT);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, org_code);
	int rc, ret = STORE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb(ctx, col_text(s, 0), col_text(s, 1))))
			break;
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	done(s);
	return ret;
}
