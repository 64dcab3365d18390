/* store.h - the persistence interface. All SQL lives behind it.
 *
 * A struct store is one database connection; it is not thread-safe, so every
 * worker thread opens its own. Strings handed to callbacks are valid only during
 * the callback. Functions return STORE_OK (0) or a negative STORE_E* code; the
 * message of the last error is in store_errmsg(). */
#ifndef AIREG_STORE_H
#define AIREG_STORE_H

#include <stdbool.h>
#include <stddef.h>

enum {
	STORE_OK = 0,
	STORE_ERROR = -1,      /* database error (I/O, corruption, constraint) */
	STORE_NOTFOUND = -2,
	STORE_EXISTS = -3,     /* unique key taken */
	STORE_NEWER = -4,      /* database schema newer than this binary */
	STORE_BUSY = -5,       /* lock timeout */
	STORE_CONFLICT = -6,   /* optimistic concurrency: not the expected version */
};

struct store;

struct org {
	long long id;
	const char *code, *name, *type, *publication_mode;
	long long algorithms;  /* published algorithms (drafts are nobody else's business) */
};

/* The latest or a given version of an algorithm, joined with its organisation. */
struct algo {
	long long id, org_id;
	const char *lars, *state, *source_id;
	const char *org_code, *org_name, *org_type, *publication_mode;
	int version;           /* this row's version */
	int latest;            /* the algorithm's latest version */
	int published_version; /* 0 when nothing is published */
	const char *status;    /* this version's workflow status ("concept" when none) */
	const char *record;    /* canonical JSON of this version */
	const char *missing;   /* JSON array */
	int completeness;
	const char *created_at;     /* algorithm created */
	const char *updated_at;     /* this version created */
	const char *import_meta;    /* JSON object or NULL */
};

/* A listing row (latest version). */
struct algo_summary {
	const char *lars, *state, *org_code, *org_name, *name, *description_short, *status,
		*publication_category, *category /* JSON array */, *updated_at;
	int version, completeness;
	bool publishable;
};

enum algo_sort { SORT_DEFAULT, SORT_NAME, SORT_UPDATED };

struct algo_query {
	const char *org_code, *org_type, *status, *publication_category, *category;
	enum algo_sort sort;        /* default: relevance with fts, else name */
	const char *fts;            /* an FTS5 MATCH expression, already built safely, or NULL */
	bool public_view;           /* the published versions instead of the latest */
	const long long *org_ids;   /* when set: only these organisations (norg_ids of them) */
	size_t norg_ids;
	long long offset, limit;
};

/* What a service writes: the columns copied from the latest version. */
struct algo_write {
	const char *lars;           /* insert: the new ID; update: the algorithm */
	long long org_id;
	const char *source_id;      /* may be NULL */
	const char *state;          /* insert only */
	const char *record, *missing;
	int completeness;
	bool publishable;
	const char *name, *description_short, *status, *publication_category, *category, *goal, *tags;
	const char *org_name;       /* for the search index */
	const char *import_meta;    /* may be NULL */
	const char *now;
};

/* Opens (and with create, creates) the database at path and applies pending
 * migrations in one transaction. STORE_NEWER when the schema is newer than this
 * binary knows. On failure *out is NULL and err holds the cause. */
int store_open(const char *path, bool create, struct store **out, char *err, size_t errlen);
/* Opens an existing database read-only, as it is: no migration, nothing set or
 * written (for checks). STORE_NEWER as store_open. */
int store_open_readonly(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
const char *store_errmsg(struct store *st);

/* SQLite's own checks: the file's structure (PRAGMA integrity_check) or rows
 * that refer to missing rows (PRAGMA foreign_key_check); and the public
 * register's kept counts against a recount. cb gets each problem found, none
 * when all is well; STORE_ERROR when the check cannot run (a file too damaged
 * to read), with the cause in store_errmsg. */
enum store_check { STORE_CHECK_INTEGRITY, STORE_CHECK_FOREIGN_KEYS, STORE_CHECK_COUNTS };
int store_check(struct store *st, enum store_check what, int (*cb)(void *, const char *problem), void *ctx);
/* The schema version of the open database. */
int store_schema_version(struct store *st);

/* A write transaction (BEGIN IMMEDIATE) and its end. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Bulk writing (an import) inside the transaction, until store_bulk_end: the
 * search indexes of the algorithms written, and their publications
 * (store_algo_publish), are brought up to date every few thousand algorithms
 * and at the end, set-wise, instead of row by row (FTS5 flushes its pending
 * terms at every statement savepoint, which row by row makes an index segment
 * per record: half of an import's time), and the page cache is 64 MB.
 * Nothing may read the search indexes in between. store_bulk_end flushes
 * (before the commit) or drops the pending work (flush false; store_rollback
 * does that too). */
void store_bulk_begin(struct store *st);
int store_bulk_end(struct store *st, bool flush);
/* Does the pending work now: before reading an algorithm written earlier in
 * the bulk (store_algo_publish leaves it as it was until then). */
int store_bulk_flush(struct store *st);

/* Organisations. */
int store_org_insert(struct store *st, const char *code, const char *name, const char *name_key,
		     const char *type, const char *now, long long *id);
int store_org_alias(struct store *st, const char *name_key, long long org_id);
int store_org_get(struct store *st, const char *code, int (*cb)(void *, const struct org *), void *ctx);
/* Finds an organisation by name key, also through aliases. */
int store_org_find(struct store *st, const char *name_key, int (*cb)(void *, const struct org *), void *ctx);
int store_org_list(struct store *st, int (*cb)(void *, const struct org *), void *ctx);
int store_org_count(struct store *st, long long *n);
int store_org_set_mode(struct store *st, long long org_id, const char *mode);

/* Algorithms. version 0 = latest, STORE_PUBLISHED = the live publication
 * (STORE_NOTFOUND without one). Callbacks returning non-zero stop the
 * iteration; that value is returned. */
#define STORE_PUBLISHED (-1)
/* A number that changes with every change the public register shows. */
int store_public_generation(struct store *st, long long *generation);
int store_algo_get(struct store *st, const char *lars, int version,
		   int (*cb)(void *, const struct algo *), void *ctx);
int store_algo_find_source(struct store *st, long long org_id, const char *source_id,
			   char lars_out[9]);
/* The IDs of non-archived algorithms of an organisation with exactly this name, by ID. */
int store_algo_find_name(struct store *st, long long org_id, const char *name,
			 int (*cb)(void *, const char *lars), void *ctx);
/* STORE_EXISTS when lars is taken. */
int store_algo_insert(struct store *st, const struct algo_write *w);
/* Adds version expected+1; STORE_CONFLICT when the latest is not expected,
 * STORE_EXISTS when a unique key (source_id) is taken. */
int store_algo_add_version(struct store *st, const struct algo_write *w, int expected);
int store_algo_set_state(struct store *st, const char *lars, const char *state, const char *now);
int store_algo_versions(struct store *st, const char *lars,
			int (*cb)(void *, int version, const char *created_at), void *ctx);
int store_algo_list(struct store *st, const struct algo_query *q, long long *total,
		    int (*cb)(void *, const struct algo_summary *), void *ctx);
/* Counts per value of one facet ("publication_category", "status", "category",
 * "org_type", "organisation") over the query's other filters. For organisation
 * the value is the code and label the name; otherwise label is NULL. */
int store_algo_facet(struct store *st, const struct algo_query *q, const char *facet,
		     int (*cb)(void *, const char *value, const char *label, long long count), void *ctx);
/* Records (canonical JSON, with lars), by name: the published versions
 * (public_view) or the latest of non-archived algorithms, of one organisation
 * (org_code) and/or of the listed ones (org_ids), like store_algo_list. */
int store_algo_export(struct store *st, const struct algo_query *q,
		      int (*cb)(void *, const char *lars, const char *record), void *ctx);

/* ---- people, sessions, tokens (migration 002) ---- */

struct user {
	long long id;
	const char *email, *name, *password_hash /* NULL until set */, *created_at;
	bool operator, disabled;
};

/* A role a user holds in an organisation. */
struct membership {
	long long org_id;
	const char *org_code, *org_name, *role;
};

struct session {
	long long user_id;
	const char *csrf;
	long long created_at, seen_at;   /* unix seconds */
};

struct token {
	long long id, user_id, org_id /* 0 = all */, expires_at;
	const char *name, *role /* NULL = the user's */, *org_code, *created_at, *revoked_at, *last_used_at;
};

int store_user_insert(struct store *st, const char *email, const char *name, bool op, const char *now,
		      long long *id);
int store_user_get(struct store *st, long long id, int (*cb)(void *, const struct user *), void *ctx);
int store_user_by_email(struct store *st, const char *email, int (*cb)(void *, const struct user *),
			void *ctx);
/* Users with a role in org_id, or every user when org_id is 0. */
int store_user_list(struct store *st, long long org_id, int (*cb)(void *, const struct user *), void *ctx);
int store_user_set_password(struct store *st, long long id, const char *hash);
int store_user_set_disabled(struct store *st, long long id, bool disabled);
int store_user_set_operator(struct store *st, long long id, bool op);
int store_membership_add(struct store *st, long long user_id, long long org_id, const char *role,
			 const char *now);
int store_membership_remove(struct store *st, long long user_id, long long org_id, const char *role);
int store_memberships(struct store *st, long long user_id, int (*cb)(void *, const struct membership *),
		      void *ctx);

int store_session_insert(struct store *st, const char *hash, long long user_id, const char *csrf,
			 long long now);
int store_session_get(struct store *st, const char *hash, int (*cb)(void *, const struct session *),
		      void *ctx);
int store_session_touch(struct store *st, const char *hash, long long now);
int store_session_delete(struct store *st, const char *hash);
int store_session_delete_user(struct store *st, long long user_id);

int store_token_insert(struct store *st, const char *hash, long long user_id, const char *name,
		       long long org_id, const char *role, const char *now, long long expires_at,
		       long long *id);
int store_token_by_hash(struct store *st, const char *hash, int (*cb)(void *, const struct token *),
			void *ctx);
int store_token_list(struct store *st, long long user_id, int (*cb)(void *, const struct token *),
		     void *ctx);
/* STORE_NOTFOUND unless token id belongs to user_id (0: any user) and is not revoked. */
int store_token_revoke(struct store *st, long long id, long long user_id, const char *now);
int store_token_used(struct store *st, long long id, const char *now);

int store_onetime_insert(struct store *st, const char *hash, long long user_id, const char *purpose,
			 long long expires_at);
/* Marks an unused, unexpired link used and returns its user; STORE_NOTFOUND otherwise. */
int store_onetime_take(struct store *st, const char *hash, long long now, const char *now_iso,
		       long long *user_id, char purpose[16]);

int store_throttle_get(struct store *st, const char *key, long long *failures, long long *last_at);
int store_throttle_fail(struct store *st, const char *key, long long now);
int store_throttle_clear(struct store *st, const char *key);

/* ---- publication workflow ---- */

struct publication {
	int version;
	const char *status, *released_by, *released_at, *decided_by, *decided_at, *reason;
};

/* Sets (inserts or replaces) the workflow row of one version. */
int store_pub_set(struct store *st, const char *lars, int version, const char *status, const char *by,
		  const char *at, bool release, const char *reason);
int store_pub_list(struct store *st, const char *lars, int (*cb)(void *, const struct publication *),
		   void *ctx);
/* Publishes a version of an algorithm in one go, as an import does: its
 * publication row ("gepubliceerd", decided by, at, with reason), the version it
 * supersedes "vervangen", the algorithm's state and published version, the
 * public listing and search, and the public classification. While bulk writing
 * this is done set-wise with the others at the next flush. */
int store_algo_publish(struct store *st, const char *lars, int version, const char *by, const char *at,
		       const char *reason);
/* Sets the algorithm's state and its published version (0 = none), and makes the
 * public listing and search show that version (or nothing). */
int store_algo_set_workflow(struct store *st, const char *lars, const char *state, int published_version,
			    const char *now);

/* ---- AI Act classification (migration 003) ---- */

struct classification {
	const char *answers, *conclusion, *labels, *profile, *timeline, *pack_version, *assessment, *previous,
		*changes, *risk_group, *updated_at, *updated_by, *public_assessment, *public_conclusion;
};

int store_class_get(struct store *st, const char *lars, int (*cb)(void *, const struct classification *),
		    void *ctx);
/* Inserts or replaces the algorithm's classification. */
int store_class_put(struct store *st, const char *lars, const struct classification *c);
/* Copies the current assessment and conclusion to what the public sees (at publication). */
int store_class_publish(struct store *st, const char *lars);
/* The IDs of algorithms classified with another pack version than pack_version,
 * by ID; an index lookup when there are none. */
int store_class_stale(struct store *st, const char *pack_version, int (*cb)(void *, const char *lars),
		      void *ctx);

/* ---- the workspace dashboard (migration 006) ----
 *
 * Over the non-archived algorithms of the organisations org_ids[0..norg_ids)
 * (none when norg_ids is 0). An empty answer is STORE_OK. */

struct dash_count {
	const char *state;
	const char *publication_category;  /* NULL when not filled in */
	const char *risk_group;            /* NULL when not classified */
	long long algorithms, completeness /* summed */, publishable /* how many */;
};

/* One row per combination of state, publication category and risk group. */
int store_dash_counts(struct store *st, const long long *org_ids, size_t norg_ids,
		      int (*cb)(void *, const struct dash_count *), void *ctx);
/* The first limit algorithms in state, by name; with unpublishable only those
 * that lack a required field. */
int store_dash_algos(struct store *st, const long long *org_ids, size_t norg_ids, const char *state,
		     bool unpublishable, long long limit, int (*cb)(void *, const struct algo_summary *),
		     void *ctx);

struct dash_date {
	const char *date;                       /* YYYY-MM-DD the obligations apply from */
	const char *timeline_nl, *timeline_en;  /* of the assessments; NULL when they name none */
	long long obligations, algorithms;
};

/* The obligations of the stored assessments counted per date (ascending) and timeline. */
int store_dash_dates(struct store *st, const long long *org_ids, size_t norg_ids,
		     int (*cb)(void *, const struct dash_date *), void *ctx);
/* For every date from `from` on, the first per_date algorithms (by name) with
 * an obligation that applies from that date; by date. */
int store_dash_date_algos(struct store *st, const long long *org_ids, size_t norg_ids, const char *from,
			  long long per_date, int (*cb)(void *, const char *date, const char *lars, const char *name),
			  void *ctx);

struct dash_obligation {
	const char *lars, *name, *date, *article, *title_nl, *title_en;
};

/* The first limit obligations that apply from before `before`, by algorithm
 * name and the obligation's place in the assessment. */
int store_dash_overdue(struct store *st, const long long *org_ids, size_t norg_ids, const char *before,
		       long long limit, int (*cb)(void *, const struct dash_obligation *), void *ctx);

/* ---- house style (migration 004) ---- */

/* An organisation's own design tokens for its public pages. */
struct theme {
	const char *hash;        /* BLAKE2b-256 of css, hex */
	const char *css;         /* the stylesheet served; NULL when not asked for */
	int tokens;              /* how many */
	const char *updated_at;
};

/* The house style of the organisation with this code (with its css only when
 * with_css); STORE_NOTFOUND when it has none. */
int store_theme_get(struct store *st, const char *org_code, bool with_css, int (*cb)(void *, const struct theme *),
		    void *ctx);
/* Sets (inserts or replaces) an organisation's house style; with the next, it
 * changes the organisation's row, so call both inside a transaction. */
int store_theme_put(struct store *st, long long org_id, const struct theme *t, const char *by);
/* STORE_NOTFOUND when the organisation has none. */
int store_theme_delete(struct store *st, long long org_id);

/* ---- audit trail ---- */

struct audit_row {
	long long id, chain, seq;
	const char *at, *actor, *action, *entity, *entity_id, *changes, *prev_hash, *hash;
};

/* The last sequence number and hash of a chain (0 and "" when empty). */
int store_audit_tail(struct store *st, long long chain, long long *seq, char hash[65]);
int store_audit_insert(struct store *st, const struct audit_row *r);
/* Every row of one chain (chain >= 0) or of all chains (-1), by chain and seq. */
int store_audit_rows(struct store *st, long long chain, int (*cb)(void *, const struct audit_row *),
		     void *ctx);

#endif
