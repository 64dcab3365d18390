/* svc.h - use cases shared by the CLI, the JSON API and (later) the web pages.
 *
 * Services decide; the store persists; handlers only parse and render. Every
 * function returns 0 or an HTTP-like status (400, 404, 409, 422, 428, 500) with
 * the details in struct svc_err. */
#ifndef AIREG_SVC_H
#define AIREG_SVC_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"
#include "reg.h"
#include "store.h"

struct svc_err {
	int status;
	char code[32];          /* machine-readable, e.g. "version_conflict" */
	char message[256];
	struct reg_errors errs; /* field errors for 422 */
	int current_version;    /* for 409 version_conflict */
	int line, column;       /* for 400 malformed input, 1-based; 0 when unknown */
};

/* Fills the organisation lists compiled into the binary when the store has none. */
int svc_org_seed(struct store *st, struct svc_err *e);
int svc_org_create(struct store *st, const char *code, const char *name, const char *type,
		   struct svc_err *e);
/* True for one of the organisation types aireg knows. */
bool svc_org_type_valid(const char *type);

/* Creates an algorithm (state concept) in the organisation with code org_code from
 * a record with v1.0 API keys; its ID goes to lars_out. */
int svc_algo_create(struct store *st, const char *org_code, json_t *body, char lars_out[9],
		    struct svc_err *e);
/* Replaces the record with body as version expected+1. 409 when expected is not
 * the latest version; an identical record adds no version (*version unchanged). */
int svc_algo_update(struct store *st, const char *lars, int expected, json_t *body, int *version,
		    struct svc_err *e);
int svc_algo_archive(struct store *st, const char *lars, struct svc_err *e);

/* Builds a safe FTS5 expression (every word a quoted prefix term) from free text
 * into out; returns false when q holds no words. */
bool svc_fts_query(const char *q, struct buf *out);

enum import_flags { IMPORT_DRY_RUN = 1, IMPORT_SKIP_INVALID = 2 };

/* Imports one file's content, in one transaction: JSON in the register's v1.0
 * shape (one record or an array), the scraped algoritmes.json shape, supplier
 * templates, or CSV with the official header (csv = true). org_code, when set,
 * is the organisation of records that name none (templates). Returns 0 when
 * stored (or, with IMPORT_DRY_RUN, when it would be), 422 when records were
 * rejected and nothing was stored. *report (caller owns) always describes every
 * record. progress, when set, is called every few records. */
int svc_import(struct store *st, const char *data, size_t len, bool csv, const char *org_code,
	       int flags, json_t **report, void (*progress)(size_t done, size_t total),
	       struct svc_err *e);

/* Reads a file in any import shape as an array (caller owns) of records with
 * v1.0 API keys, mapped but not validated (for screening). 400 when the file
 * is malformed. */
int svc_read_records(const char *data, size_t len, bool csv, json_t **records, struct svc_err *e);

/* Writes the latest records of non-archived algorithms (of one organisation when
 * org_code is set) as a JSON array with v1.0 keys, or as CSV with the official
 * header. */
int svc_export(struct store *st, const char *org_code, bool csv, struct buf *out, struct svc_err *e);

/* The official CSV header of the register's export, in order. */
extern const char *const svc_csv_columns[];
extern const size_t svc_csv_ncolumns;

#endif
