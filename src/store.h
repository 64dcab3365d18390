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
	const char *code, *name, *type;
	long long algorithms;  /* listed (non-archived) algorithms; filled by list/get */
};

/* The latest or a given version of an algorithm, joined with its organisation. */
struct algo {
	long long id;
	const char *lars, *state, *source_id;
	const char *org_code, *org_name, *org_type;
	int version;           /* this row's version */
	int latest;            /* the algorithm's latest version */
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

struct algo_query {
	const char *org_code, *status, *publication_category, *category;
	const char *fts;            /* an FTS5 MATCH expression, already built safely, or NULL */
	bool include_archived;
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
void store_close(struct store *st);
const char *store_errmsg(struct store *st);
/* The schema version of the open database. */
int store_schema_version(struct store *st);

/* A write transaction (BEGIN IMMEDIATE) and its end. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Organisations. */
int store_org_insert(struct store *st, const char *code, const char *name, const char *name_key,
		     const char *type, const char *now, long long *id);
int store_org_alias(struct store *st, const char *name_key, long long org_id);
int store_org_get(struct store *st, const char *code, int (*cb)(void *, const struct org *), void *ctx);
/* Finds an organisation by name key, also through aliases. */
int store_org_find(struct store *st, const char *name_key, int (*cb)(void *, const struct org *), void *ctx);
int store_org_list(struct store *st, int (*cb)(void *, const struct org *), void *ctx);
int store_org_count(struct store *st, long long *n);

/* Algorithms. version 0 = latest. Callbacks returning non-zero stop the
 * iteration; that value is returned. */
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
/* Latest records (canonical JSON, with lars) of non-archived algorithms, by name. */
int store_algo_export(struct store *st, const char *org_code,
		      int (*cb)(void *, const char *lars, const char *record), void *ctx);

#endif
