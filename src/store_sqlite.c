/* store_sqlite.c - the store on SQLite.
 *
 * Durability: WAL journal with synchronous=FULL. A register entry is a legal
 * record and writes are rare (people editing, or one transaction per import
 * file), so every acknowledged commit is worth an fsync of the WAL: it survives
 * power loss, not just a process crash. Readers never block the writer in WAL.
 * busy_timeout makes concurrent writers (one connection per worker thread)
 * queue instead of failing. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "embedded.h"
#include "store.h"
#include "util.h"

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_ORG_INSERT, S_ORG_ALIAS, S_ORG_GET, S_ORG_FIND, S_ORG_LIST, S_ORG_COUNT,
	S_ALGO_GET, S_ALGO_GET_VERSION, S_ALGO_GET_PUBLISHED, S_PUBLIC_GENERATION, S_ALGO_FIND_SOURCE, S_ALGO_FIND_NAME, S_ALGO_INSERT, S_ALGO_VERSION_INSERT,
	S_ALGO_UPDATE, S_ALGO_STATE, S_ALGO_VERSIONS, S_FTS_DELETE, S_FTS_INSERT,
	S_ORG_MODE, S_USER_INSERT, S_USER_GET, S_USER_BY_EMAIL, S_USER_LIST_ALL, S_USER_LIST_ORG, S_USER_PASSWORD, S_USER_DISABLED, S_USER_OPERATOR, S_MEMBER_ADD, S_MEMBER_REMOVE, S_MEMBERSHIPS, S_SESSION_INSERT, S_SESSION_GET, S_SESSION_TOUCH, S_SESSION_DELETE, S_SESSION_DELETE_USER, S_TOKEN_INSERT, S_TOKEN_BY_HASH, S_TOKEN_LIST, S_TOKEN_REVOKE, S_TOKEN_USED, S_ONETIME_INSERT, S_ONETIME_TAKE, S_THROTTLE_GET, S_THROTTLE_FAIL, S_THROTTLE_CLEAR, S_PUB_SET, S_PUB_LIST, S_ALGO_WORKFLOW, S_PUBLIC_DELETE, S_PUBLIC_INSERT, S_PUBLIC_FTS_DELETE, S_PUBLIC_FTS_INSERT, S_CLASS_GET, S_CLASS_PUT, S_CLASS_STALE, S_CLASS_PUBLISH, S_AUDIT_TAIL, S_AUDIT_INSERT, S_AUDIT_ROWS,
	S_THEME_GET, S_THEME_PUT, S_THEME_DELETE, S_THEME_HASH,
	S_DASH_COUNTS, S_DASH_ALGOS, S_DASH_DATES, S_DASH_DATE_ALGOS, S_DASH_OVERDUE,
	S_BULK_FTS_DELETE, S_BULK_FTS_INSERT, S_BULK_PUBLIC_FTS_DELETE, S_BULK_PUBLIC_FTS_INSERT,
	S_PUBLISH_SUPERSEDE, S_PUBLISH_ROW, S_PUBLISH_CLASS, S_PUBLISH_VERSION, S_PUBLISH_STATE, S_PUBLISH_PUBLIC_DELETE,
	S_PUBLISH_PUBLIC_INSERT,
	S_COUNT
};

#define ORG_COLS "o.id, o.code, o.name, o.type, o.publication_mode, " \
	"coalesce((SELECT n FROM public_counts c WHERE c.facet = 'org' AND c.value = CAST(o.id AS TEXT)), 0)"
#define ALGO_COLS "a.id, a.lars, a.state, a.source_id, o.code, o.name, o.type, v.version, " \
	"a.version, v.record, v.missing, v.completeness, a.created_at, v.created_at, a.import_meta, " \
	"a.org_id, coalesce(a.published_version, 0), o.publication_mode, " \
	"coalesce((SELECT p.status FROM publications p WHERE p.algorithm_id = a.id AND p.version = v.version), " \
	"'concept') " \
	"FROM algorithms a JOIN orgs o ON o.id = a.org_id JOIN algorithm_versions v ON v.algorithm_id = a.id "

/* A listing row (struct algo_summary, summary_row) from algorithms a JOIN orgs o. */
#define SUMMARY_COLS "a.lars, a.state, o.code, o.name, a.name, a.description_short, a.status, " \
	"a.publication_category, a.category, a.updated_at, a.version, a.completeness, a.publishable"
#define USER_COLS "u.id, u.email, u.name, u.password_hash, u.created_at, u.operator, u.disabled"
#define TOKEN_COLS "t.id, t.user_id, coalesce(t.org_id, 0), t.expires_at, t.name, t.role, o.code, " \
	"t.created_at, t.revoked_at, t.last_used_at FROM api_tokens t LEFT JOIN orgs o ON o.id = t.org_id "
#define PUBLISH_SRC "(SELECT value ->> 0 AS lars, value ->> 1 AS version FROM json_each(?1)) p " \
	"JOIN algorithms a ON a.lars = p.lars "
#define PUB_SRC "FROM algorithm_versions v JOIN algorithms a ON a.id = v.algorithm_id " \
	"JOIN orgs o ON o.id = a.org_id WHERE a.lars = ?1 AND v.version = ?2"

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
	[S_PUBLIC_GENERATION] = "SELECT generation FROM public_state",
	[S_ALGO_GET_PUBLISHED] = "SELECT " ALGO_COLS "AND v.version = a.published_version WHERE a.lars = ?",
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
	/* Bulk writing: the rows of S_FTS_INSERT for a JSON array of algorithms.id,
	 * and of S_PUBLIC_FTS_INSERT for one of lars. */
	[S_BULK_FTS_DELETE] = "DELETE FROM algorithms_fts WHERE rowid IN (SELECT value FROM json_each(?))",
	[S_BULK_FTS_INSERT] = "INSERT INTO algorithms_fts (rowid, name, description_short, goal, organisation, tags) "
			      "SELECT a.id, coalesce(json_extract(v.record, '$.name'), ''), "
			      "json_extract(v.record, '$.description_short'), json_extract(v.record, '$.goal'), "
			      "json_extract(v.record, '$.organization'), json_extract(v.record, '$.tags') "
			      "FROM (SELECT DISTINCT value AS id FROM json_each(?)) j JOIN algorithms a ON a.id = j.id "
			      "JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = a.version",
	/* store_algo_publish, for a JSON array of [lars, version]: what a publication
	 * writes step by step (S_PUB_SET, S_CLASS_PUBLISH, S_ALGO_WORKFLOW in two,
	 * S_PUBLIC_DELETE, S_PUBLIC_INSERT), ?2 by, ?3 at, ?4 reason. */
	[S_PUBLISH_SUPERSEDE] = "INSERT INTO publications (algorithm_id, version, status, decided_by, decided_at) "
				"SELECT a.id, a.published_version, 'vervangen', ?2, ?3 FROM " PUBLISH_SRC
				"WHERE a.published_version <> p.version ON CONFLICT (algorithm_id, version) DO UPDATE SET "
				"status = excluded.status, decided_by = excluded.decided_by, decided_at = excluded.decided_at, "
				"reason = NULL",
	[S_PUBLISH_ROW] = "INSERT INTO publications (algorithm_id, version, status, decided_by, decided_at, reason) "
			  "SELECT a.id, p.version, 'gepubliceerd', ?2, ?3, ?4 FROM " PUBLISH_SRC "WHERE true "
			  "ON CONFLICT (algorithm_id, version) DO UPDATE SET status = excluded.status, "
			  "decided_by = excluded.decided_by, decided_at = excluded.decided_at, reason = excluded.reason",
	[S_PUBLISH_CLASS] = "UPDATE classifications SET public_assessment = assessment, public_conclusion = conclusion "
			    "WHERE algorithm_id IN (SELECT a.id FROM " PUBLISH_SRC ")",
	[S_PUBLISH_VERSION] = "UPDATE algorithms SET published_version = p.version, updated_at = ?3 "
			      "FROM (SELECT value ->> 0 AS lars, value ->> 1 AS version FROM json_each(?1)) p "
			      "WHERE algorithms.lars = p.lars",
	/* apart, so that an algorithm written as published already keeps its index rows */
	[S_PUBLISH_STATE] = "UPDATE algorithms SET state = 'gepubliceerd' WHERE state <> 'gepubliceerd' "
			    "AND lars IN (SELECT value ->> 0 FROM json_each(?1))",
	[S_PUBLISH_PUBLIC_DELETE] = "DELETE FROM public_algorithms WHERE lars IN (SELECT value ->> 0 FROM json_each(?1))",
	[S_PUBLISH_PUBLIC_INSERT] = "INSERT INTO public_algorithms (id, lars, org_id, version, name, description_short, "
				    "status, publication_category, category, completeness, publishable, updated_at) "
				    "SELECT a.id, a.lars, a.org_id, v.version, json_extract(v.record, '$.name'), "
				    "json_extract(v.record, '$.description_short'), json_extract(v.record, '$.status'), "
				    "json_extract(v.record, '$.publication_category'), "
				    "coalesce(json_extract(v.record, '$.category'), '[]'), v.completeness, "
				    "v.missing = '[]', ?3 FROM " PUBLISH_SRC
				    "JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = p.version",
	[S_BULK_PUBLIC_FTS_DELETE] = "DELETE FROM public_fts WHERE rowid IN "
				     "(SELECT id FROM algorithms WHERE lars IN (SELECT value FROM json_each(?)))",
	[S_BULK_PUBLIC_FTS_INSERT] = "INSERT INTO public_fts (rowid, name, description_short, goal, organisation, tags) "
				     "SELECT p.id, json_extract(v.record, '$.name'), "
				     "json_extract(v.record, '$.description_short'), json_extract(v.record, '$.goal'), "
				     "o.name, json_extract(v.record, '$.tags') "
				     "FROM (SELECT DISTINCT value AS lars FROM json_each(?)) j "
				     "JOIN public_algorithms p ON p.lars = j.lars "
				     "JOIN algorithm_versions v ON v.algorithm_id = p.id AND v.version = p.version "
				     "JOIN orgs o ON o.id = p.org_id",

	[S_ORG_MODE] = "UPDATE orgs SET publication_mode = ? WHERE id = ?",
	[S_USER_INSERT] = "INSERT INTO users (email, name, operator, created_at) VALUES (?, ?, ?, ?)",
	[S_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?",
	[S_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u WHERE u.email = ?",
	[S_USER_LIST_ALL] = "SELECT " USER_COLS " FROM users u ORDER BY u.email",
	[S_USER_LIST_ORG] = "SELECT " USER_COLS " FROM users u WHERE u.id IN "
			    "(SELECT user_id FROM memberships WHERE org_id = ?) ORDER BY u.email",
	[S_USER_PASSWORD] = "UPDATE users SET password_hash = ? WHERE id = ?",
	[S_USER_DISABLED] = "UPDATE users SET disabled = ? WHERE id = ?",
	[S_USER_OPERATOR] = "UPDATE users SET operator = ? WHERE id = ?",
	[S_MEMBER_ADD] = "INSERT OR IGNORE INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)",
	[S_MEMBER_REMOVE] = "DELETE FROM memberships WHERE user_id = ? AND org_id = ? AND role = ?",
	[S_MEMBERSHIPS] = "SELECT m.org_id, o.code, o.name, m.role FROM memberships m "
			  "JOIN orgs o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.code, m.role",
	[S_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, csrf, created_at, seen_at) "
			     "VALUES (?1, ?2, ?3, ?4, ?4)",
	[S_SESSION_GET] = "SELECT user_id, csrf, created_at, seen_at FROM sessions WHERE token_hash = ?",
	[S_SESSION_TOUCH] = "UPDATE sessions SET seen_at = ?2 WHERE token_hash = ?1",
	[S_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
	[S_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?",
	[S_TOKEN_INSERT] = "INSERT INTO api_tokens (token_hash, user_id, name, org_id, role, created_at, "
			   "expires_at) VALUES (?, ?, ?, nullif(?, 0), ?, ?, ?)",
	[S_TOKEN_BY_HASH] = "SELECT " TOKEN_COLS "WHERE t.token_hash = ?",
	[S_TOKEN_LIST] = "SELECT " TOKEN_COLS "WHERE t.user_id = ? ORDER BY t.id",
	[S_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 AND (?2 = 0 OR user_id = ?2) "
			   "AND revoked_at IS NULL",
	[S_TOKEN_USED] = "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
	[S_ONETIME_INSERT] = "INSERT INTO onetime_links (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)",
	[S_ONETIME_TAKE] = "UPDATE onetime_links SET used_at = ?3 WHERE token_hash = ?1 AND used_at IS NULL "
			   "AND expires_at > ?2 RETURNING user_id, purpose",
	[S_THROTTLE_GET] = "SELECT failures, last_at FROM login_throttle WHERE key = ?",
	[S_THROTTLE_FAIL] = "INSERT INTO login_throttle (key, failures, last_at) VALUES (?1, 1, ?2) "
			    "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_at = ?2",
	[S_THROTTLE_CLEAR] = "DELETE FROM login_throttle WHERE key = ?",
	[S_PUB_SET] = "INSERT INTO publications (algorithm_id, version, status, released_by, released_at, "
		      "decided_by, decided_at, reason) SELECT id, ?2, ?3, "
		      "CASE WHEN ?6 THEN ?4 END, CASE WHEN ?6 THEN ?5 END, CASE WHEN ?6 THEN NULL ELSE ?4 END, "
		      "CASE WHEN ?6 THEN NULL ELSE ?5 END, ?7 FROM algorithms WHERE lars = ?1 "
		      "ON CONFLICT (algorithm_id, version) DO UPDATE SET status = excluded.status, "
		      "released_by = coalesce(excluded.released_by, released_by), "
		      "released_at = coalesce(excluded.released_at, released_at), "
		      "decided_by = excluded.decided_by, decided_at = excluded.decided_at, reason = excluded.reason",
	[S_PUB_LIST] = "SELECT p.version, p.status, p.released_by, p.released_at, p.decided_by, p.decided_at, "
		       "p.reason FROM publications p JOIN algorithms a ON a.id = p.algorithm_id "
		       "WHERE a.lars = ? ORDER BY p.version",
	[S_ALGO_WORKFLOW] = "UPDATE algorithms SET state = ?2, published_version = nullif(?3, 0), updated_at = ?4 "
			    "WHERE lars = ?1",
	[S_PUBLIC_DELETE] = "DELETE FROM public_algorithms WHERE lars = ?",
	[S_PUBLIC_INSERT] = "INSERT INTO public_algorithms (id, lars, org_id, version, name, description_short, "
			    "status, publication_category, category, completeness, publishable, updated_at) "
			    "SELECT a.id, a.lars, a.org_id, v.version, json_extract(v.record, '$.name'), "
			    "json_extract(v.record, '$.description_short'), json_extract(v.record, '$.status'), "
			    "json_extract(v.record, '$.publication_category'), "
			    "coalesce(json_extract(v.record, '$.category'), '[]'), v.completeness, "
			    "v.missing = '[]', ?3 " PUB_SRC,
	[S_PUBLIC_FTS_DELETE] = "DELETE FROM public_fts WHERE rowid = (SELECT id FROM algorithms WHERE lars = ?)",
	[S_PUBLIC_FTS_INSERT] = "INSERT INTO public_fts (rowid, name, description_short, goal, organisation, tags) "
				"SELECT a.id, json_extract(v.record, '$.name'), "
				"json_extract(v.record, '$.description_short'), json_extract(v.record, '$.goal'), "
				"o.name, json_extract(v.record, '$.tags') " PUB_SRC,
	[S_CLASS_GET] = "SELECT c.answers, c.conclusion, c.labels, c.profile, c.timeline, c.pack_version, "
			"c.assessment, c.previous, c.changes, c.risk_group, c.updated_at, c.updated_by, "
			"c.public_assessment, c.public_conclusion FROM classifications c JOIN algorithms a ON a.id = c.algorithm_id WHERE a.lars = ?",
	[S_CLASS_PUT] = "INSERT INTO classifications (algorithm_id, answers, conclusion, labels, profile, "
			"timeline, pack_version, assessment, previous, changes, risk_group, updated_at, updated_by) "
			"SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 FROM algorithms WHERE lars = ?1 "
			"ON CONFLICT (algorithm_id) DO UPDATE SET answers = excluded.answers, conclusion = excluded.conclusion, "
			"labels = excluded.labels, profile = excluded.profile, timeline = excluded.timeline, "
			"pack_version = excluded.pack_version, assessment = excluded.assessment, previous = excluded.previous, "
			"changes = excluded.changes, risk_group = excluded.risk_group, updated_at = excluded.updated_at, "
			"updated_by = excluded.updated_by",
	[S_CLASS_PUBLISH] = "UPDATE classifications SET public_assessment = assessment, public_conclusion = conclusion "
			    "WHERE algorithm_id = (SELECT id FROM algorithms WHERE lars = ?)",
	/* Two ranges of classifications_pack instead of <>, and classifications
	 * first: otherwise the planner walks every algorithm in lars order. */
	[S_CLASS_STALE] = "SELECT a.lars FROM classifications c CROSS JOIN algorithms a ON a.id = c.algorithm_id "
			  "WHERE c.pack_version < ?1 OR c.pack_version > ?1 ORDER BY a.lars",
	[S_AUDIT_TAIL] = "SELECT seq, hash FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1",
	[S_AUDIT_INSERT] = "INSERT INTO audit_log (chain, seq, at, actor, action, entity, entity_id, changes, "
			   "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_AUDIT_ROWS] = "SELECT id, chain, seq, at, actor, action, entity, entity_id, changes, prev_hash, hash "
			 "FROM audit_log WHERE ?1 < 0 OR chain = ?1 ORDER BY chain, seq",
	/* The dashboard (migration 006): ?1 is the organisations' IDs as a JSON array. */
	[S_DASH_COUNTS] = "SELECT state, nullif(publication_category, ''), nullif(risk_group, ''), sum(algorithms), "
			  "sum(completeness), sum(publishable) FROM dash_counts "
			  "WHERE org_id IN (SELECT value FROM json_each(?1)) AND state <> 'gearchiveerd' GROUP BY 1, 2, 3",
	/* ?3: 0 for the unpublishable only, 1 for all (a range of algorithms_dash). */
	[S_DASH_ALGOS] = "SELECT " SUMMARY_COLS " FROM algorithms a JOIN orgs o ON o.id = a.org_id "
			 "WHERE a.org_id IN (SELECT value FROM json_each(?1)) AND a.state = ?2 AND a.publishable <= ?3 "
			 "ORDER BY a.name COLLATE NOCASE, a.lars LIMIT ?4",
	[S_DASH_DATES] = "SELECT b.applies_from, b.timeline_nl, b.timeline_en, count(*), count(DISTINCT b.algorithm_id) "
			 "FROM classification_obligations b JOIN algorithms a ON a.id = b.algorithm_id "
			 "WHERE b.org_id IN (SELECT value FROM json_each(?1)) AND a.state <> 'gearchiveerd' "
			 "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
	[S_DASH_DATE_ALGOS] = "SELECT applies_from, lars, name FROM (SELECT b.applies_from, a.lars, a.name, "
			      "row_number() OVER (PARTITION BY b.applies_from ORDER BY a.name COLLATE NOCASE, a.lars) AS n "
			      "FROM classification_obligations b JOIN algorithms a ON a.id = b.algorithm_id "
			      "WHERE b.org_id IN (SELECT value FROM json_each(?1)) AND b.applies_from >= ?2 "
			      "AND a.state <> 'gearchiveerd' GROUP BY b.applies_from, a.id) WHERE n <= ?3 ORDER BY applies_from, n",
	[S_DASH_OVERDUE] = "SELECT a.lars, a.name, b.applies_from, b.article, b.title_nl, b.title_en "
			   "FROM classification_obligations b JOIN algorithms a ON a.id = b.algorithm_id "
			   "WHERE b.org_id IN (SELECT value FROM json_each(?1)) AND b.applies_from < ?2 "
			   "AND a.state <> 'gearchiveerd' ORDER BY a.name COLLATE NOCASE, a.lars, b.seq LIMIT ?3",
	[S_THEME_GET] = "SELECT o.theme_hash, CASE WHEN ?2 THEN t.css END, t.tokens, t.updated_at FROM orgs o "
			"JOIN org_themes t ON t.org_id = o.id WHERE o.code = ?1 AND o.theme_hash IS NOT NULL",
	[S_THEME_PUT] = "INSERT INTO org_themes (org_id, css, tokens, updated_at, updated_by) "
			"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (org_id) DO UPDATE SET css = ?2, "
			"tokens = ?3, updated_at = ?4, updated_by = ?5",
	[S_THEME_DELETE] = "DELETE FROM org_themes WHERE org_id = ?",
	[S_THEME_HASH] = "UPDATE orgs SET theme_hash = ?2 WHERE id = ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	char errmsg[256];
	/* bulk writing: the algorithms whose search rows are due, as JSON arrays
	 * without the closing bracket: algorithms.id for the drafts' index, lars for
	 * the public one */
	bool bulk;
	struct buf bulk_fts, bulk_public;
	size_t bulk_rows;
	/* publications due: [lars, version] pairs, and who, when and why */
	struct buf bulk_publish;
	char *publish_by, *publish_at, *publish_reason;
	int cache_size;   /* the page cache to return to */
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

/* Opens the connection and refuses a schema newer than this binary knows,
 * setting nothing in the file. */
static int open_conn(const char *path, int flags, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	*out = NULL;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return STORE_ERROR;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	int have = store_schema_version(st);
	if (have > known_version()) {
		snprintf(err, errlen, "database schema version %d is newer than this aireg knows (%d)",
			 have, known_version());
		store_close(st);
		return STORE_NEWER;
	}
	*out = st;
	return STORE_OK;
}

int store_open_readonly(const char *path, struct store **out, char *err, size_t errlen)
{
	return open_conn(path, SQLITE_OPEN_READONLY, out, err, errlen);
}

int store_open(const char *path, bool create, struct store **out, char *err, size_t errlen)
{
	struct store *st;
	/* The schema is checked before anything is set, so that a refused database stays untouched. */
	int rc = open_conn(path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), &st, err, errlen);
	*out = NULL;
	if (rc)
		return rc;
	rc = STORE_ERROR;
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
	buf_cleanup(&st->bulk_fts);
	buf_cleanup(&st->bulk_public);
	buf_cleanup(&st->bulk_publish);
	free(st->publish_by);
	free(st->publish_at);
	free(st->publish_reason);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

const char *store_errmsg(struct store *st)
{
	return st->errmsg;
}

int store_check(struct store *st, enum store_check what, int (*cb)(void *, const char *problem), void *ctx)
{
	sqlite3_stmt *s;
	char problem[512];
	int rc, stop = 0;
	static const char *const sql[] = {
		[STORE_CHECK_INTEGRITY] = "PRAGMA integrity_check",
		[STORE_CHECK_FOREIGN_KEYS] = "PRAGMA foreign_key_check",
		/* the kept counts (migration 005) against a recount */
		[STORE_CHECK_COUNTS] = "SELECT facet, value, coalesce(c.n, 0), coalesce(r.n, 0) FROM "
				       "(SELECT facet, value, count(*) AS n FROM public_facet_values GROUP BY 1, 2) r "
				       "FULL OUTER JOIN public_counts c USING (facet, value) WHERE r.n IS NOT c.n",
	};
	if (what == STORE_CHECK_COUNTS && store_schema_version(st) < 5)
		return STORE_OK;  /* an older schema keeps no counts */
	if (sqlite3_prepare_v2(st->db, sql[what], -1, &s, NULL) != SQLITE_OK)
		return fail(st, STORE_ERROR);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (what == STORE_CHECK_INTEGRITY) {
			const char *line = col_text(s, 0);
			if (line && !strcmp(line, "ok"))
				continue;
			snprintf(problem, sizeof problem, "%s", line ? line : "?");
		} else if (what == STORE_CHECK_COUNTS) {
			snprintf(problem, sizeof problem, "public_counts %s \"%s\" holds %lld, the register has %lld",
				 col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
		} else if (sqlite3_column_type(s, 1) == SQLITE_NULL) { /* a WITHOUT ROWID table */
			snprintf(problem, sizeof problem, "a row of %s refers to a missing row of %s", col_text(s, 0),
				 col_text(s, 2));
		} else {
			snprintf(problem, sizeof problem, "row %lld of %s refers to a missing row of %s",
				 sqlite3_column_int64(s, 1), col_text(s, 0), col_text(s, 2));
		}
		for (char *nl = problem; (nl = strchr(nl, '\n'));)
			*nl = ' '; /* a report may span lines; a problem is one */
		stop = cb(ctx, problem);
	}
	rc = stop ? stop : result(st, rc);
	sqlite3_finalize(s);
	return rc;
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
	if (st->bulk)
		store_bulk_end(st, false);
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
			.publication_mode = col_text(s, 4),
			.algorithms = sqlite3_column_int64(s, 5),
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

int store_public_generation(struct store *st, long long *generation)
{
	sqlite3_stmt *s = prep(st, S_PUBLIC_GENERATION);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	*generation = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	rc = rc == SQLITE_ROW ? STORE_OK : result(st, rc);
	done(s);
	return rc;
}

int store_algo_get(struct store *st, const char *lars, int version,
		   int (*cb)(void *, const struct algo *), void *ctx)
{
	sqlite3_stmt *s = prep(st, version == STORE_PUBLISHED ? S_ALGO_GET_PUBLISHED
				   : version                 ? S_ALGO_GET_VERSION
							     : S_ALGO_GET);
	if (!s)
		return STORE_ERROR;
	bind_text(s, 1, lars);
	if (version > 0)
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
			.org_id = sqlite3_column_int64(s, 15),
			.published_version = sqlite3_column_int(s, 16),
			.publication_mode = col_text(s, 17),
			.status = col_text(s, 18),
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

/* Bulk writing: after this many algorithms their search rows are written. */
#define BULK_ROWS 10000

static sqlite3_stmt *bindf(struct store *st, enum stmt_id id, const char *fmt, ...);

/* Appends an ID (a number, or 8 digits) to a pending JSON array. */
static void bulk_add(struct buf *ids, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bulk_add(struct buf *ids, const char *fmt, ...)
{
	va_list ap;
	buf_putc(ids, ids->len ? ',' : '[');
	va_start(ap, fmt);
	buf_vprintf(ids, fmt, ap);
	va_end(ap);
}

/* Runs a delete and an insert for the pending JSON array of IDs, and empties it. */
static int bulk_run(struct store *st, struct buf *ids, enum stmt_id del, enum stmt_id ins)
{
	if (!ids->len)
		return STORE_OK;
	buf_putc(ids, ']');
	int rc = exec_stmt(st, bindf(st, del, "t", buf_str(ids)));
	if (!rc)
		rc = exec_stmt(st, bindf(st, ins, "t", buf_str(ids)));
	buf_reset(ids);
	return rc;
}

/* The publications due (store_algo_publish), set-wise. */
static int publish_run(struct store *st)
{
	static const struct {
		enum stmt_id id;
		const char *fmt;
	} steps[] = {
		{S_PUBLISH_SUPERSEDE, "ttt"}, {S_PUBLISH_ROW, "tttt"}, {S_PUBLISH_CLASS, "t"}, {S_PUBLISH_VERSION, "ttt"},
		{S_PUBLISH_STATE, "t"}, {S_PUBLISH_PUBLIC_DELETE, "t"}, {S_PUBLISH_PUBLIC_INSERT, "ttt"},
	};
	int rc = STORE_OK;
	if (!st->bulk_publish.len)
		return STORE_OK;
	buf_putc(&st->bulk_publish, ']');
	for (size_t i = 0; !rc && i < ARRAY_LEN(steps); i++)
		rc = exec_stmt(st, bindf(st, steps[i].id, steps[i].fmt, buf_str(&st->bulk_publish), st->publish_by,
					 st->publish_at, st->publish_reason));
	buf_reset(&st->bulk_publish);
	return rc;
}

int store_bulk_flush(struct store *st)
{
	int rc = bulk_run(st, &st->bulk_fts, S_BULK_FTS_DELETE, S_BULK_FTS_INSERT);
	if (!rc)
		rc = publish_run(st);
	if (!rc)
		rc = bulk_run(st, &st->bulk_public, S_BULK_PUBLIC_FTS_DELETE, S_BULK_PUBLIC_FTS_INSERT);
	st->bulk_rows = 0;
	return rc;
}

static bool same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

int store_algo_publish(struct store *st, const char *lars, int version, const char *by, const char *at,
		       const char *reason)
{
	int rc;
	if (!*lars || strspn(lars, "0123456789") != strlen(lars))
		return STORE_NOTFOUND;  /* no algorithm has such an ID (and it goes into JSON as it is) */
	/* The publications of one batch have one decider, moment and reason. */
	if (st->bulk_publish.len && !(same(by, st->publish_by) && same(at, st->publish_at) &&
				      same(reason, st->publish_reason)) && (rc = store_bulk_flush(st)))
		return rc;
	if (!st->bulk_publish.len) {
		free(st->publish_by);
		free(st->publish_at);
		free(st->publish_reason);
		st->publish_by = xstrdup(by);
		st->publish_at = xstrdup(at);
		st->publish_reason = reason ? xstrdup(reason) : NULL;
	}
	bulk_add(&st->bulk_publish, "[\"%s\",%d]", lars, version);
	bulk_add(&st->bulk_public, "\"%s\"", lars);
	if (st->bulk && ++st->bulk_rows < BULK_ROWS)
		return STORE_OK;
	return store_bulk_flush(st);
}

/* The page cache while bulk writing (PRAGMA cache_size: negative is KiB). One
 * import is one transaction, and an index page that falls out of SQLite's
 * default 2 MB is read back from the WAL: at a million records a fifth of the
 * CPU, most of it in the kernel (BENCHMARKS.md). */
#define BULK_CACHE_SIZE (-65536)

static void set_cache(struct store *st, int size)
{
	char sql[48];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", size);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

void store_bulk_begin(struct store *st)
{
	sqlite3_stmt *s;
	st->bulk = true;
	st->bulk_rows = 0;
	st->cache_size = -2000;
	if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		st->cache_size = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	set_cache(st, BULK_CACHE_SIZE);
}

int store_bulk_end(struct store *st, bool flush)
{
	if (!st->bulk)
		return STORE_OK;
	int rc = flush ? store_bulk_flush(st) : STORE_OK;
	st->bulk = false;
	st->bulk_rows = 0;
	buf_reset(&st->bulk_fts);
	buf_reset(&st->bulk_public);
	buf_reset(&st->bulk_publish);
	set_cache(st, st->cache_size);
	return rc;
}

static int index_fts(struct store *st, long long algo_id, const struct algo_write *w)
{
	sqlite3_stmt *s;
	int rc;
	if (st->bulk) {
		bulk_add(&st->bulk_fts, "%lld", algo_id);
		return ++st->bulk_rows < BULK_ROWS ? STORE_OK : store_bulk_flush(st);
	}
	if (!(s = prep(st, S_FTS_DELETE)))
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

/* The listing query is assembled from fixed fragments; every value is bound.
 * The public view reads the published versions' tables, which have the same
 * columns. */
static int list_where(const struct algo_query *q, const char *join, char *out, size_t outlen)
{
	char ids[96] = "";
	if (q->org_ids)
		snprintf(ids, sizeof ids, " AND a.org_id IN (SELECT value FROM json_each(:orgids))");
	int n = snprintf(out, outlen, "FROM %s a JOIN orgs o ON o.id = a.org_id%s%s WHERE 1%s%s%s%s%s%s%s%s",
			 q->public_view ? "public_algorithms" : "algorithms", join,
			 !q->fts ? "" : q->public_view ? " JOIN public_fts f ON f.rowid = a.id"
						       : " JOIN algorithms_fts f ON f.rowid = a.id",
			 q->public_view ? "" : " AND a.state <> 'gearchiveerd'",
			 ids,
			 q->org_code ? " AND o.code = :org" : "",
			 q->org_type ? " AND o.type = :orgtype" : "",
			 q->status ? " AND a.status = :status" : "",
			 q->publication_category ? " AND a.publication_category = :pubcat" : "",
			 q->category ? " AND EXISTS (SELECT 1 FROM json_each(a.category) WHERE value = :cat)" : "",
			 !q->fts ? "" : q->public_view ? " AND public_fts MATCH :fts" : " AND algorithms_fts MATCH :fts");
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static void list_bind(sqlite3_stmt *s, const struct algo_query *q, struct buf *ids)
{
	struct { const char *name, *value; } binds[] = {
		{":org", q->org_code}, {":status", q->status}, {":pubcat", q->publication_category},
		{":cat", q->category}, {":fts", q->fts}, {":orgtype", q->org_type}, {":orgids", NULL},
	};
	if (q->org_ids) {
		buf_putc(ids, '[');
		for (size_t i = 0; i < q->norg_ids; i++)
			buf_printf(ids, "%s%lld", i ? "," : "", q->org_ids[i]);
		buf_putc(ids, ']');
		binds[6].value = buf_str(ids);
	}
	for (size_t i = 0; i < ARRAY_LEN(binds); i++) {
		int idx = sqlite3_bind_parameter_index(s, binds[i].name);
		if (idx)
			bind_text(s, idx, binds[i].value);
	}
}

/* True when the query narrows by anything but the search text. */
static bool filtered(const struct algo_query *q)
{
	return q->org_code || q->org_type || q->status || q->publication_category || q->category || q->org_ids;
}

/* One number from a query bound like a listing. */
static int count_query(struct store *st, const char *sql, const struct algo_query *q, long long *n)
{
	sqlite3_stmt *s;
	struct buf ids;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(st, STORE_ERROR);
	buf_init(&ids, 0);
	list_bind(s, q, &ids);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	buf_cleanup(&ids);
	return result(st, rc);
}

static int summary_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct algo_summary a = {
		.lars = col_text(s, 0), .state = col_text(s, 1), .org_code = col_text(s, 2),
		.org_name = col_text(s, 3), .name = col_text(s, 4), .description_short = col_text(s, 5),
		.status = col_text(s, 6), .publication_category = col_text(s, 7), .category = col_text(s, 8),
		.updated_at = col_text(s, 9), .version = sqlite3_column_int(s, 10),
		.completeness = sqlite3_column_int(s, 11), .publishable = sqlite3_column_int(s, 12),
	};
	return ((int (*)(void *, const struct algo_summary *))cb)(ctx, &a);
}

int store_algo_list(struct store *st, const struct algo_query *q, long long *total,
		    int (*cb)(void *, const struct algo_summary *), void *ctx)
{
	char where[1024], sql[2048];
	sqlite3_stmt *s = NULL;
	struct buf ids;
	int rc, ret;
	/* The public register's common questions do not scan it: its size is kept
	 * in public_counts, and a search alone is counted and ranked by the index
	 * before the page's rows are read. */
	bool public_search = q->public_view && !filtered(q);
	if (list_where(q, "", where, sizeof where))
		return STORE_ERROR;
	if (public_search && !q->fts)
		snprintf(sql, sizeof sql, "SELECT coalesce((SELECT n FROM public_counts WHERE facet = 'total'), 0)");
	else if (public_search)
		snprintf(sql, sizeof sql, "SELECT count(*) FROM public_fts WHERE public_fts MATCH :fts");
	else
		snprintf(sql, sizeof sql, "SELECT count(*) %s", where);
	if ((ret = count_query(st, sql, q, total)) || *total <= q->offset)
		return ret;
	if (public_search && q->fts && q->sort == SORT_DEFAULT)
		snprintf(sql, sizeof sql,
			 "SELECT " SUMMARY_COLS " FROM (SELECT rowid AS id, rank FROM public_fts WHERE public_fts "
			 "MATCH :fts ORDER BY rank, rowid LIMIT :limit OFFSET :offset) f "
			 "JOIN public_algorithms a ON a.id = f.id JOIN orgs o ON o.id = a.org_id ORDER BY f.rank, a.id");
	else
		snprintf(sql, sizeof sql,
			 "SELECT " SUMMARY_COLS " %s ORDER BY %s LIMIT :limit OFFSET :offset", where,
			 q->sort == SORT_UPDATED			 ? "a.updated_at DESC, a.name COLLATE NOCASE, a.lars"
			 : q->fts && q->sort == SORT_DEFAULT ? "f.rank, a.id"
							     : "a.name COLLATE NOCASE, a.lars");
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(st, STORE_ERROR);
	buf_init(&ids, 0);
	list_bind(s, q, &ids);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"), q->limit);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":offset"), q->offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = summary_row(s, (void *)cb, ctx)))
			break;
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	sqlite3_finalize(s);
	buf_cleanup(&ids);
	return ret;
}

int store_algo_facet(struct store *st, const struct algo_query *q, const char *facet,
		     int (*cb)(void *, const char *value, const char *label, long long count), void *ctx)
{
	static const struct {
		const char *name, *join, *value, *label;
	} facets[] = {
		{"publication_category", "", "a.publication_category", "NULL"},
		{"status", "", "a.status", "NULL"},
		{"category", " JOIN json_each(a.category) j", "j.value", "NULL"},
		{"org_type", "", "o.type", "NULL"},
		{"organisation", "", "o.code", "o.name"},
	};
	char where[1024], sql[1536];
	struct algo_query fq = *q;
	sqlite3_stmt *s;
	struct buf ids;
	int rc, ret = STORE_OK;
	size_t i;
	for (i = 0; i < ARRAY_LEN(facets) && strcmp(facets[i].name, facet); i++)
		;
	if (i == ARRAY_LEN(facets))
		return STORE_ERROR;
	/* A facet counts over the other filters, so its own choice does not hide the rest. */
	if (!strcmp(facet, "publication_category"))
		fq.publication_category = NULL;
	else if (!strcmp(facet, "status"))
		fq.status = NULL;
	else if (!strcmp(facet, "category"))
		fq.category = NULL;
	else if (!strcmp(facet, "org_type"))
		fq.org_type = NULL;
	else
		fq.org_code = NULL;
	if (list_where(&fq, facets[i].join, where, sizeof where))
		return STORE_ERROR;
	bool counted = fq.public_view && !fq.fts && !filtered(&fq);  /* kept in public_counts */
	if (counted && !strcmp(facet, "organisation"))
		snprintf(sql, sizeof sql, "SELECT o.code, o.name, c.n FROM public_counts c JOIN orgs o "
					  "ON o.id = CAST(c.value AS INTEGER) WHERE c.facet = 'org' ORDER BY 3 DESC, 1");
	else if (counted)
		snprintf(sql, sizeof sql, "SELECT value, NULL, n FROM public_counts WHERE facet = '%s' "
					  "ORDER BY 3 DESC, 1", facet);
	else
		snprintf(sql, sizeof sql, "SELECT %s, %s, count(*) %s AND %s IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1",
			 facets[i].value, facets[i].label, where, facets[i].value);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(st, STORE_ERROR);
	buf_init(&ids, 0);
	list_bind(s, &fq, &ids);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb(ctx, col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2))))
			break;
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	sqlite3_finalize(s);
	buf_cleanup(&ids);
	return ret;
}

int store_algo_export(struct store *st, const struct algo_query *q,
		      int (*cb)(void *, const char *lars, const char *record), void *ctx)
{
	char where[1024], sql[1536];
	sqlite3_stmt *s;
	struct buf ids;
	int rc, ret = STORE_OK;
	/* Both tables' version column holds the version to show. */
	if (list_where(q, " JOIN algorithm_versions v ON v.algorithm_id = a.id AND v.version = a.version",
		       where, sizeof where))
		return STORE_ERROR;
	snprintf(sql, sizeof sql, "SELECT a.lars, v.record %s ORDER BY a.name COLLATE NOCASE, a.lars", where);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(st, STORE_ERROR);
	buf_init(&ids, 0);
	list_bind(s, q, &ids);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb(ctx, col_text(s, 0), col_text(s, 1))))
			break;
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	sqlite3_finalize(s);
	buf_cleanup(&ids);
	return ret;
}

/* ---- people, sessions, tokens, workflow, audit ----
 *
 * These statements are simple enough to share one binder: fmt has one letter
 * per parameter, 't' text (NULL binds NULL), 'i' int, 'I' long long. */

static sqlite3_stmt *bindf(struct store *st, enum stmt_id id, const char *fmt, ...)
{
	sqlite3_stmt *s = prep(st, id);
	va_list ap;
	if (!s)
		return NULL;
	va_start(ap, fmt);
	for (int i = 1; fmt[i - 1]; i++) {
		switch (fmt[i - 1]) {
		case 't':
			bind_text(s, i, va_arg(ap, const char *));
			break;
		case 'i':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		default:
			sqlite3_bind_int64(s, i, va_arg(ap, long long));
			break;
		}
	}
	va_end(ap);
	return s;
}

/* Runs a bound statement that returns no rows; STORE_NOTFOUND when it changed none. */
static int exec_changes(struct store *st, sqlite3_stmt *s)
{
	if (!s)
		return STORE_ERROR;
	int rc = exec_stmt(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? STORE_OK : STORE_NOTFOUND;
}

/* Steps a bound query, calling row(st, s, cb, ctx) per row; STORE_NOTFOUND when none. */
static int each_row(struct store *st, sqlite3_stmt *s, int (*row)(sqlite3_stmt *, void *, void *),
		    void *cb, void *ctx)
{
	int rc, n = 0, ret = STORE_OK;
	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if ((ret = row(s, cb, ctx)))
			break;
	}
	if (rc != SQLITE_ROW)
		ret = result(st, rc);
	done(s);
	return ret ? ret : n ? STORE_OK : STORE_NOTFOUND;
}

int store_org_set_mode(struct store *st, long long org_id, const char *mode)
{
	return exec_changes(st, bindf(st, S_ORG_MODE, "tI", mode, org_id));
}

static int user_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct user u = {
		.id = sqlite3_column_int64(s, 0),
		.email = col_text(s, 1),
		.name = col_text(s, 2),
		.password_hash = col_text(s, 3),
		.created_at = col_text(s, 4),
		.operator = sqlite3_column_int(s, 5),
		.disabled = sqlite3_column_int(s, 6),
	};
	return ((int (*)(void *, const struct user *))cb)(ctx, &u);
}

int store_user_insert(struct store *st, const char *email, const char *name, bool op, const char *now,
		      long long *id)
{
	int rc = exec_changes(st, bindf(st, S_USER_INSERT, "ttit", email, name ? name : "", (int)op, now));
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_user_get(struct store *st, long long id, int (*cb)(void *, const struct user *), void *ctx)
{
	return each_row(st, bindf(st, S_USER_GET, "I", id), user_row, (void *)cb, ctx);
}

int store_user_by_email(struct store *st, const char *email, int (*cb)(void *, const struct user *),
			void *ctx)
{
	return each_row(st, bindf(st, S_USER_BY_EMAIL, "t", email), user_row, (void *)cb, ctx);
}

int store_user_list(struct store *st, long long org_id, int (*cb)(void *, const struct user *), void *ctx)
{
	sqlite3_stmt *s = org_id ? bindf(st, S_USER_LIST_ORG, "I", org_id) : bindf(st, S_USER_LIST_ALL, "");
	int rc = each_row(st, s, user_row, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_user_set_password(struct store *st, long long id, const char *hash)
{
	return exec_changes(st, bindf(st, S_USER_PASSWORD, "tI", hash, id));
}

int store_user_set_disabled(struct store *st, long long id, bool disabled)
{
	return exec_changes(st, bindf(st, S_USER_DISABLED, "iI", (int)disabled, id));
}

int store_user_set_operator(struct store *st, long long id, bool op)
{
	return exec_changes(st, bindf(st, S_USER_OPERATOR, "iI", (int)op, id));
}

int store_membership_add(struct store *st, long long user_id, long long org_id, const char *role,
			 const char *now)
{
	sqlite3_stmt *s = bindf(st, S_MEMBER_ADD, "IItt", user_id, org_id, role, now);
	return s ? exec_stmt(st, s) : STORE_ERROR;
}

int store_membership_remove(struct store *st, long long user_id, long long org_id, const char *role)
{
	return exec_changes(st, bindf(st, S_MEMBER_REMOVE, "IIt", user_id, org_id, role));
}

static int membership_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct membership m = {
		.org_id = sqlite3_column_int64(s, 0),
		.org_code = col_text(s, 1),
		.org_name = col_text(s, 2),
		.role = col_text(s, 3),
	};
	return ((int (*)(void *, const struct membership *))cb)(ctx, &m);
}

int store_memberships(struct store *st, long long user_id, int (*cb)(void *, const struct membership *),
		      void *ctx)
{
	int rc = each_row(st, bindf(st, S_MEMBERSHIPS, "I", user_id), membership_row, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_session_insert(struct store *st, const char *hash, long long user_id, const char *csrf,
			 long long now)
{
	return exec_changes(st, bindf(st, S_SESSION_INSERT, "tItI", hash, user_id, csrf, now));
}

static int session_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct session x = {
		.user_id = sqlite3_column_int64(s, 0),
		.csrf = col_text(s, 1),
		.created_at = sqlite3_column_int64(s, 2),
		.seen_at = sqlite3_column_int64(s, 3),
	};
	return ((int (*)(void *, const struct session *))cb)(ctx, &x);
}

int store_session_get(struct store *st, const char *hash, int (*cb)(void *, const struct session *),
		      void *ctx)
{
	return each_row(st, bindf(st, S_SESSION_GET, "t", hash), session_row, (void *)cb, ctx);
}

int store_session_touch(struct store *st, const char *hash, long long now)
{
	return exec_changes(st, bindf(st, S_SESSION_TOUCH, "tI", hash, now));
}

int store_session_delete(struct store *st, const char *hash)
{
	return exec_changes(st, bindf(st, S_SESSION_DELETE, "t", hash));
}

int store_session_delete_user(struct store *st, long long user_id)
{
	int rc = exec_changes(st, bindf(st, S_SESSION_DELETE_USER, "I", user_id));
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_token_insert(struct store *st, const char *hash, long long user_id, const char *name,
		       long long org_id, const char *role, const char *now, long long expires_at,
		       long long *id)
{
	int rc = exec_changes(st, bindf(st, S_TOKEN_INSERT, "tItIttI", hash, user_id, name, org_id, role, now,
					expires_at));
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static int token_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct token t = {
		.id = sqlite3_column_int64(s, 0),
		.user_id = sqlite3_column_int64(s, 1),
		.org_id = sqlite3_column_int64(s, 2),
		.expires_at = sqlite3_column_int64(s, 3),
		.name = col_text(s, 4),
		.role = col_text(s, 5),
		.org_code = col_text(s, 6),
		.created_at = col_text(s, 7),
		.revoked_at = col_text(s, 8),
		.last_used_at = col_text(s, 9),
	};
	return ((int (*)(void *, const struct token *))cb)(ctx, &t);
}

int store_token_by_hash(struct store *st, const char *hash, int (*cb)(void *, const struct token *),
			void *ctx)
{
	return each_row(st, bindf(st, S_TOKEN_BY_HASH, "t", hash), token_row, (void *)cb, ctx);
}

int store_token_list(struct store *st, long long user_id, int (*cb)(void *, const struct token *),
		     void *ctx)
{
	int rc = each_row(st, bindf(st, S_TOKEN_LIST, "I", user_id), token_row, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_token_revoke(struct store *st, long long id, long long user_id, const char *now)
{
	return exec_changes(st, bindf(st, S_TOKEN_REVOKE, "IIt", id, user_id, now));
}

int store_token_used(struct store *st, long long id, const char *now)
{
	return exec_changes(st, bindf(st, S_TOKEN_USED, "It", id, now));
}

int store_onetime_insert(struct store *st, const char *hash, long long user_id, const char *purpose,
			 long long expires_at)
{
	return exec_changes(st, bindf(st, S_ONETIME_INSERT, "tItI", hash, user_id, purpose, expires_at));
}

int store_onetime_take(struct store *st, const char *hash, long long now, const char *now_iso,
		       long long *user_id, char purpose[16])
{
	sqlite3_stmt *s = bindf(st, S_ONETIME_TAKE, "tIt", hash, now, now_iso);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		snprintf(purpose, 16, "%s", col_text(s, 1));
		rc = sqlite3_step(s);
	} else if (rc == SQLITE_DONE) {
		done(s);
		return STORE_NOTFOUND;
	}
	rc = result(st, rc);
	done(s);
	return rc;
}

int store_throttle_get(struct store *st, const char *key, long long *failures, long long *last_at)
{
	sqlite3_stmt *s = bindf(st, S_THROTTLE_GET, "t", key);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	*failures = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*last_at = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	rc = result(st, rc);
	done(s);
	return rc;
}

int store_throttle_fail(struct store *st, const char *key, long long now)
{
	return exec_changes(st, bindf(st, S_THROTTLE_FAIL, "tI", key, now));
}

int store_throttle_clear(struct store *st, const char *key)
{
	int rc = exec_changes(st, bindf(st, S_THROTTLE_CLEAR, "t", key));
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_pub_set(struct store *st, const char *lars, int version, const char *status, const char *by,
		  const char *at, bool release, const char *reason)
{
	return exec_changes(st, bindf(st, S_PUB_SET, "titttit", lars, version, status, by, at, (int)release,
				      reason));
}

static int pub_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct publication p = {
		.version = sqlite3_column_int(s, 0),
		.status = col_text(s, 1),
		.released_by = col_text(s, 2),
		.released_at = col_text(s, 3),
		.decided_by = col_text(s, 4),
		.decided_at = col_text(s, 5),
		.reason = col_text(s, 6),
	};
	return ((int (*)(void *, const struct publication *))cb)(ctx, &p);
}

int store_pub_list(struct store *st, const char *lars, int (*cb)(void *, const struct publication *),
		   void *ctx)
{
	int rc = each_row(st, bindf(st, S_PUB_LIST, "t", lars), pub_row, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_algo_set_workflow(struct store *st, const char *lars, const char *state, int published_version,
			    const char *now)
{
	int rc = exec_changes(st, bindf(st, S_ALGO_WORKFLOW, "ttit", lars, state, published_version, now));
	if (rc)
		return rc;
	if ((rc = exec_stmt(st, bindf(st, S_PUBLIC_DELETE, "t", lars))))
		return rc;
	if (st->bulk)
		bulk_add(&st->bulk_public, "\"%s\"", lars);  /* lars is 8 digits (S_ALGO_WORKFLOW found it) */
	else if ((rc = exec_stmt(st, bindf(st, S_PUBLIC_FTS_DELETE, "t", lars))))
		return rc;
	if (!published_version)
		return STORE_OK;
	if ((rc = exec_changes(st, bindf(st, S_PUBLIC_INSERT, "tit", lars, published_version, now))))
		return rc;
	return st->bulk ? STORE_OK : exec_changes(st, bindf(st, S_PUBLIC_FTS_INSERT, "ti", lars, published_version));
}

static int class_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct classification c = {
		.answers = col_text(s, 0), .conclusion = col_text(s, 1), .labels = col_text(s, 2),
		.profile = col_text(s, 3), .timeline = col_text(s, 4), .pack_version = col_text(s, 5),
		.assessment = col_text(s, 6), .previous = col_text(s, 7), .changes = col_text(s, 8),
		.risk_group = col_text(s, 9), .updated_at = col_text(s, 10), .updated_by = col_text(s, 11),
		.public_assessment = col_text(s, 12), .public_conclusion = col_text(s, 13),
	};
	return ((int (*)(void *, const struct classification *))cb)(ctx, &c);
}

int store_class_get(struct store *st, const char *lars, int (*cb)(void *, const struct classification *),
		    void *ctx)
{
	return each_row(st, bindf(st, S_CLASS_GET, "t", lars), class_row, (void *)cb, ctx);
}

int store_class_put(struct store *st, const char *lars, const struct classification *c)
{
	return exec_changes(st, bindf(st, S_CLASS_PUT, "ttttttttttttt", lars, c->answers, c->conclusion, c->labels,
				      c->profile, c->timeline, c->pack_version, c->assessment, c->previous,
				      c->changes, c->risk_group, c->updated_at, c->updated_by));
}

int store_class_publish(struct store *st, const char *lars)
{
	sqlite3_stmt *s = bindf(st, S_CLASS_PUBLISH, "t", lars);
	return s ? exec_stmt(st, s) : STORE_ERROR;
}

static int lars_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	return ((int (*)(void *, const char *))cb)(ctx, col_text(s, 0));
}

int store_class_stale(struct store *st, const char *pack_version, int (*cb)(void *, const char *lars),
		      void *ctx)
{
	int rc = each_row(st, bindf(st, S_CLASS_STALE, "t", pack_version), lars_row, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ---- the workspace dashboard ---- */

/* The organisations' IDs as the JSON array the dashboard's statements take as ?1. */
static const char *dash_ids(struct buf *b, const long long *ids, size_t n)
{
	buf_init(b, 0);
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i ? "," : "", ids[i]);
	buf_putc(b, ']');
	return buf_str(b);
}

/* Ends a dashboard query: frees the IDs; no rows is an empty answer. */
static int dash_end(struct buf *ids, int rc)
{
	buf_cleanup(ids);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

static int dash_count_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct dash_count c = {
		.state = col_text(s, 0), .publication_category = col_text(s, 1), .risk_group = col_text(s, 2),
		.algorithms = sqlite3_column_int64(s, 3), .completeness = sqlite3_column_int64(s, 4),
		.publishable = sqlite3_column_int64(s, 5),
	};
	return ((int (*)(void *, const struct dash_count *))cb)(ctx, &c);
}

int store_dash_counts(struct store *st, const long long *org_ids, size_t norg_ids,
		      int (*cb)(void *, const struct dash_count *), void *ctx)
{
	struct buf ids;
	sqlite3_stmt *s = bindf(st, S_DASH_COUNTS, "t", dash_ids(&ids, org_ids, norg_ids));
	return dash_end(&ids, each_row(st, s, dash_count_row, (void *)cb, ctx));
}

int store_dash_algos(struct store *st, const long long *org_ids, size_t norg_ids, const char *state,
		     bool unpublishable, long long limit, int (*cb)(void *, const struct algo_summary *),
		     void *ctx)
{
	struct buf ids;
	sqlite3_stmt *s = bindf(st, S_DASH_ALGOS, "ttiI", dash_ids(&ids, org_ids, norg_ids), state,
				unpublishable ? 0 : 1, limit);
	return dash_end(&ids, each_row(st, s, summary_row, (void *)cb, ctx));
}

static int dash_date_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct dash_date d = {
		.date = col_text(s, 0), .timeline_nl = col_text(s, 1), .timeline_en = col_text(s, 2),
		.obligations = sqlite3_column_int64(s, 3), .algorithms = sqlite3_column_int64(s, 4),
	};
	return ((int (*)(void *, const struct dash_date *))cb)(ctx, &d);
}

int store_dash_dates(struct store *st, const long long *org_ids, size_t norg_ids,
		     int (*cb)(void *, const struct dash_date *), void *ctx)
{
	struct buf ids;
	sqlite3_stmt *s = bindf(st, S_DASH_DATES, "t", dash_ids(&ids, org_ids, norg_ids));
	return dash_end(&ids, each_row(st, s, dash_date_row, (void *)cb, ctx));
}

static int dash_date_algo_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	return ((int (*)(void *, const char *, const char *, const char *))cb)(ctx, col_text(s, 0), col_text(s, 1),
									      col_text(s, 2));
}

int store_dash_date_algos(struct store *st, const long long *org_ids, size_t norg_ids, const char *from,
			  long long per_date, int (*cb)(void *, const char *date, const char *lars, const char *name),
			  void *ctx)
{
	struct buf ids;
	sqlite3_stmt *s = bindf(st, S_DASH_DATE_ALGOS, "ttI", dash_ids(&ids, org_ids, norg_ids), from, per_date);
	return dash_end(&ids, each_row(st, s, dash_date_algo_row, (void *)cb, ctx));
}

static int dash_overdue_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct dash_obligation o = {
		.lars = col_text(s, 0), .name = col_text(s, 1), .date = col_text(s, 2), .article = col_text(s, 3),
		.title_nl = col_text(s, 4), .title_en = col_text(s, 5),
	};
	return ((int (*)(void *, const struct dash_obligation *))cb)(ctx, &o);
}

int store_dash_overdue(struct store *st, const long long *org_ids, size_t norg_ids, const char *before,
		       long long limit, int (*cb)(void *, const struct dash_obligation *), void *ctx)
{
	struct buf ids;
	sqlite3_stmt *s = bindf(st, S_DASH_OVERDUE, "ttI", dash_ids(&ids, org_ids, norg_ids), before, limit);
	return dash_end(&ids, each_row(st, s, dash_overdue_row, (void *)cb, ctx));
}

int store_audit_tail(struct store *st, long long chain, long long *seq, char hash[65])
{
	sqlite3_stmt *s = bindf(st, S_AUDIT_TAIL, "I", chain);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	snprintf(hash, 65, "%s", rc == SQLITE_ROW ? col_text(s, 1) : "");
	rc = result(st, rc);
	done(s);
	return rc;
}

int store_audit_insert(struct store *st, const struct audit_row *r)
{
	return exec_changes(st, bindf(st, S_AUDIT_INSERT, "IItttttttt", r->chain, r->seq, r->at, r->actor,
				      r->action, r->entity, r->entity_id, r->changes, r->prev_hash, r->hash));
}

static int audit_row_cb(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct audit_row r = {
		.id = sqlite3_column_int64(s, 0),
		.chain = sqlite3_column_int64(s, 1),
		.seq = sqlite3_column_int64(s, 2),
		.at = col_text(s, 3),
		.actor = col_text(s, 4),
		.action = col_text(s, 5),
		.entity = col_text(s, 6),
		.entity_id = col_text(s, 7),
		.changes = col_text(s, 8),
		.prev_hash = col_text(s, 9),
		.hash = col_text(s, 10),
	};
	return ((int (*)(void *, const struct audit_row *))cb)(ctx, &r);
}

int store_audit_rows(struct store *st, long long chain, int (*cb)(void *, const struct audit_row *),
		     void *ctx)
{
	int rc = each_row(st, bindf(st, S_AUDIT_ROWS, "I", chain), audit_row_cb, (void *)cb, ctx);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ---- house style ---- */

static int theme_row(sqlite3_stmt *s, void *cb, void *ctx)
{
	struct theme t = {
		.hash = col_text(s, 0),
		.css = col_text(s, 1),
		.tokens = sqlite3_column_int(s, 2),
		.updated_at = col_text(s, 3),
	};
	return ((int (*)(void *, const struct theme *))cb)(ctx, &t);
}

int store_theme_get(struct store *st, const char *org_code, bool with_css, int (*cb)(void *, const struct theme *),
		    void *ctx)
{
	return each_row(st, bindf(st, S_THEME_GET, "ti", org_code, (int)with_css), theme_row, (void *)cb, ctx);
}

int store_theme_put(struct store *st, long long org_id, const struct theme *t, const char *by)
{
	int rc = exec_changes(st, bindf(st, S_THEME_PUT, "Ititt", org_id, t->css, t->tokens, t->updated_at, by));
	return rc ? rc : exec_changes(st, bindf(st, S_THEME_HASH, "It", org_id, t->hash));
}

int store_theme_delete(struct store *st, long long org_id)
{
	int rc = exec_changes(st, bindf(st, S_THEME_DELETE, "I", org_id));
	return rc ? rc : exec_changes(st, bindf(st, S_THEME_HASH, "It", org_id, NULL));
}
