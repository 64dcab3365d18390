/* svc.h - use cases shared by the CLI, the JSON API and the web pages.
 *
 * Services decide; the store persists; handlers only parse and render. Every
 * function gets the actor and checks organisation and action itself. It returns
 * 0 or an HTTP-like status (400, 403, 404, 409, 422, 428, 429, 500) with the
 * details in struct svc_err. A draft of an organisation the actor has no role
 * in answers 404: its existence is not confirmed. */
#ifndef AIREG_SVC_H
#define AIREG_SVC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "auth.h"
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
	int retry_after;        /* seconds, for 429 */
};

/* ---- organisations ---- */

/* Fills the organisation lists compiled into the binary when the store has none. */
int svc_org_seed(struct store *st, struct svc_err *e);
/* Adds an organisation (operators and the CLI). */
int svc_org_create(struct store *st, const struct actor *a, const char *code, const char *name,
		   const char *type, struct svc_err *e);
/* Sets "two-step" or "one-step" publication (beheerder of the organisation). */
int svc_org_set_mode(struct store *st, const struct actor *a, const char *code, const char *mode,
		     struct svc_err *e);
bool svc_org_type_valid(const char *type);

/* ---- algorithms ---- */

/* Creates an algorithm (a concept) in the organisation from a record with v1.0
 * API keys; its ID goes to lars_out. Needs PERM_EDIT there. */
int svc_algo_create(struct store *st, const struct actor *a, const char *org_code, json_t *body,
		    char lars_out[9], struct svc_err *e);
/* Replaces the record with body as version expected+1 (a new concept). 409 when
 * expected is not the latest version; an identical record adds no version. */
int svc_algo_update(struct store *st, const struct actor *a, const char *lars, int expected, json_t *body,
		    int *version, struct svc_err *e);
int svc_algo_archive(struct store *st, const struct actor *a, const char *lars, struct svc_err *e);

/* What a reader may see of an algorithm. */
struct algo_view {
	const struct algo *algo;      /* the version shown */
	bool member;                  /* the actor has a role in its organisation */
	int published_version;        /* 0 when nothing is published */
	const char *publication_mode; /* of the organisation */
};

/* Calls cb with the version the actor may see: members any version (0 = latest),
 * others only published versions (0 = the live publication). */
int svc_algo_get(struct store *st, const struct actor *a, const char *lars, int version,
		 int (*cb)(void *, const struct algo_view *), void *ctx, struct svc_err *e);
/* Versions the actor may see, with their workflow status. */
int svc_algo_versions(struct store *st, const struct actor *a, const char *lars,
		      int (*cb)(void *, int version, const char *created_at, const char *status), void *ctx,
		      struct svc_err *e);
/* The public register (workspace = false) or the latest versions of the actor's
 * organisations (workspace = true; q->org_code must be one of them, if set). */
int svc_algo_list(struct store *st, const struct actor *a, bool workspace, struct algo_query *q,
		  long long *total, int (*cb)(void *, const struct algo_summary *), void *ctx,
		  struct svc_err *e);

/* Counts per value of a facet for the same view and filters as svc_algo_list. */
int svc_algo_facet(struct store *st, const struct actor *a, bool workspace, struct algo_query *q,
		   const char *facet, int (*cb)(void *, const char *value, const char *label, long long count),
		   void *ctx, struct svc_err *e);

/* The publication workflow of the latest version:
 *   concept -release-> ter beoordeling -publish-> gepubliceerd -retract-> teruggetrokken
 *                      ter beoordeling -reject (reason)-> concept
 * Two-step organisations need a goedkeurder other than who released; one-step
 * organisations let a redacteur publish a concept directly. Only publishable
 * records (all required fields) are released or published. A newer publication
 * supersedes the older ("vervangen"), which stays in the public history. */
int svc_algo_release(struct store *st, const struct actor *a, const char *lars, struct svc_err *e);
int svc_algo_publish(struct store *st, const struct actor *a, const char *lars, struct svc_err *e);
int svc_algo_reject(struct store *st, const struct actor *a, const char *lars, const char *reason,
		    struct svc_err *e);
int svc_algo_retract(struct store *st, const struct actor *a, const char *lars, const char *reason,
		     struct svc_err *e);
int svc_algo_publications(struct store *st, const struct actor *a, const char *lars,
			  int (*cb)(void *, const struct publication *), void *ctx, struct svc_err *e);

/* Builds a safe FTS5 expression (every word a quoted prefix term) from free text
 * into out; returns false when q holds no words. */
bool svc_fts_query(const char *q, struct buf *out);

/* ---- import and export ---- */

enum import_flags { IMPORT_DRY_RUN = 1, IMPORT_SKIP_INVALID = 2, IMPORT_PUBLISH = 4 };

/* Imports one file's content, in one transaction: JSON in the register's v1.0
 * shape (one record or an array), the scraped algoritmes.json shape, supplier
 * templates, or CSV with the official header (csv = true), read record by
 * record. org_code, when set, is the organisation of records that name none
 * (templates). The actor needs PERM_EDIT in every record's organisation;
 * scraped entries (published in the national register) and unknown
 * organisations need an operator or the CLI. With IMPORT_PUBLISH every
 * publishable record (all required fields) is published in the same
 * transaction and the others stay concepts (the report says which and why);
 * that needs the right to publish in the record's organisation (goedkeurder,
 * redacteur of a one-step organisation, or operator).
 * Returns 0 when stored (or, with IMPORT_DRY_RUN, when it would be), 422 when
 * records were rejected and nothing was stored, 400 for a malformed file
 * (e->line, e->column). *report (caller owns) describes every record.
 * progress, when set, is called every few records with the bytes read. */
int svc_import(struct store *st, const struct actor *a, const char *data, size_t len, bool csv,
	       const char *org_code, int flags, json_t **report,
	       void (*progress)(size_t done, size_t total), struct svc_err *e);

struct import_opts {
	const char *org_code;
	int flags;
	void (*progress)(size_t done, size_t total);
	/* When set, called with each record's report entry (borrowed) instead of
	 * collecting the entries in the report, so that memory does not grow with
	 * the file. */
	void (*record)(void *ctx, const json_t *entry);
	void *ctx;
};

/* svc_import for a file read piece by piece: memory stays bounded whatever its
 * size (one record at a time; the report's entries go to o->record). */
int svc_import_file(struct store *st, const struct actor *a, FILE *f, bool csv, const struct import_opts *o,
		    json_t **report, struct svc_err *e);

/* Reads a file in any import shape as an array (caller owns) of records with
 * v1.0 API keys, mapped but not validated (for screening). 400 when malformed. */
int svc_read_records(const char *data, size_t len, bool csv, json_t **records, struct svc_err *e);

/* Writes records as a JSON array with v1.0 keys, or as CSV with the official
 * header: the published versions (workspace = false), or the latest versions of
 * the actor's organisations (workspace = true). org_code narrows to one. */
int svc_export(struct store *st, const struct actor *a, bool workspace, const char *org_code, bool csv,
	       struct buf *out, struct svc_err *e);

/* The official CSV header of the register's export, in order. */
extern const char *const svc_csv_columns[];
extern const size_t svc_csv_ncolumns;

/* ---- people, sessions, tokens (svc_account.c) ---- */

#define SESSION_IDLE_SECONDS (30 * 60)
#define SESSION_ABSOLUTE_SECONDS (12 * 60 * 60)
#define ONETIME_SECONDS (72 * 60 * 60)

/* Adds a user (or a role to an existing one) and, when the user has no password
 * yet, a one-time activation link secret (link_out, may be NULL). Beheerders add
 * people to their organisation; the CLI anywhere. */
int svc_user_add(struct store *st, const struct actor *a, const char *email, const char *org_code,
		 const char *role, const char *password, char *link_out, size_t linklen, struct svc_err *e);
int svc_user_disable(struct store *st, const struct actor *a, const char *email, struct svc_err *e);
/* Makes the user a platform operator (the CLI only). */
int svc_user_set_operator(struct store *st, const struct actor *a, const char *email, struct svc_err *e);
/* A one-time reset link for the user (beheerder of one of the user's organisations, or CLI). */
int svc_user_reset_link(struct store *st, const struct actor *a, const char *email, char *link_out,
			size_t linklen, struct svc_err *e);
/* Sets the password with a one-time link secret (single use, expiring). */
int svc_user_set_password(struct store *st, const char *link_secret, const char *password, struct svc_err *e);
/* Users with their roles: of one organisation (beheerder) or all (CLI, operator). */
int svc_user_list(struct store *st, const struct actor *a, const char *org_code,
		  int (*cb)(void *, const struct user *, json_t *roles), void *ctx, struct svc_err *e);

/* Logs in: 0 with a new session secret and its CSRF token, or 401 (same answer
 * whether the account exists) or 429 with e->retry_after after repeated failures
 * for the account or the address. */
int svc_login(struct store *st, const char *email, const char *password, const char *addr,
	      char session_out[64], char csrf_out[65], struct svc_err *e);
int svc_logout(struct store *st, const char *session_secret);
/* Resolves a session secret (touching it) or a bearer token into an actor.
 * 401 when unknown, expired, revoked or the user is disabled. */
int svc_session_actor(struct store *st, const char *session_secret, struct actor *a, struct svc_err *e);
int svc_token_actor(struct store *st, const char *token, struct actor *a, struct svc_err *e);
/* Resolves a user by e-mail for the trusted-proxy single sign-on, provisioning it
 * with default_role in default_org when unknown (both may be NULL: no provisioning). */
int svc_proxy_actor(struct store *st, const char *email, const char *default_org, const char *default_role,
		    struct actor *a, struct svc_err *e);

/* Creates a personal API token for the user with email (the actor itself, or
 * anyone for the CLI), scoped to org_code and role when given; the secret goes
 * to secret_out once and only its hash is stored. */
int svc_token_create(struct store *st, const struct actor *a, const char *email, const char *name,
		     const char *org_code, const char *role, int days, char secret_out[64], long long *id,
		     struct svc_err *e);
int svc_token_list(struct store *st, const struct actor *a, const char *email,
		   int (*cb)(void *, const struct token *), void *ctx, struct svc_err *e);
int svc_token_revoke(struct store *st, const struct actor *a, long long id, struct svc_err *e);

/* ---- AI Act classification (svc_classify.c) ---- */

/* The classification of an algorithm as JSON (new reference, caller owns): the
 * Beslishulp answers and where they lead, the profile, the stored assessment
 * with its pack version (and what the last re-evaluation changed), and the
 * Algoritmekader requirements that follow. Members see it; others only when
 * the algorithm is published. 404 when there is none. */
int svc_class_get(struct store *st, const struct actor *a, const char *lars, json_t **out, struct svc_err *e);
/* Sets {"answers", "profile", "timeline"} (each optional; absent keeps, null
 * clears) and assesses again. Needs PERM_EDIT. Bad answers or profile: 422
 * naming the field. */
int svc_class_put(struct store *st, const struct actor *a, const char *lars, json_t *body, struct svc_err *e);
/* Re-evaluates every classification made with another rule-pack version,
 * keeping the previous assessment and what changed; *n counts them. */
int svc_class_reassess(struct store *st, const struct actor *a, int *n, struct svc_err *e);
/* Assesses a profile without storing anything: JSON into out. 422 for a bad
 * profile, 400 for an unknown timeline. */
int svc_assess(const json_t *profile, const char *timeline, struct buf *out, struct svc_err *e);

/* ---- house style (svc_theme.c) ---- */

#define THEME_MAX (64u << 10)  /* bytes of an uploaded token file */

struct svc_theme {
	char hash[65];          /* BLAKE2b-256 of the stylesheet, hex */
	int tokens;             /* custom properties declared */
	char updated_at[21];
};

/* Checks a token file (at most THEME_MAX bytes): one rule for :root or a class,
 * holding only custom properties whose values load nothing and cannot leave
 * their declaration. On success out holds the stylesheet that is served instead:
 * the declarations, rebuilt, in a rule for the pages' theme class, and *tokens
 * their number. Otherwise 422 with the line, column and cause (e->line,
 * e->column, and e->errs for the field "css"). */
int svc_theme_check(const char *css, size_t len, struct buf *out, int *tokens, struct svc_err *e);
/* Sets an organisation's house style from a token file (a beheerder of the
 * organisation, an operator or the CLI); audited. out describes what is stored. */
int svc_theme_set(struct store *st, const struct actor *a, const char *code, const char *css, size_t len,
		  struct svc_theme *out, struct svc_err *e);
/* Removes it (same actors); 404 when none is set. */
int svc_theme_clear(struct store *st, const struct actor *a, const char *code, struct svc_err *e);
/* An organisation's house style, public: what t describes and, when css is not
 * NULL, the stylesheet appended to it. 404 when it has none. */
int svc_theme_get(struct store *st, const char *code, struct svc_theme *t, struct buf *css, struct svc_err *e);

/* ---- audit (audit.c) ---- */

/* Loads the key of the audit chain's keyed BLAKE2b: $AIREG_AUDIT_KEY (64 hex), else
 * the file db_path + ".audit-key", created (mode 0600) when absent. */
int audit_key_load(const char *db_path, char *err, size_t errlen);
/* The same without creating a missing key file (for checks, which write nothing). */
int audit_key_read(const char *db_path, char *err, size_t errlen);
/* Checks every chain; 0 when intact, else 1 with the first broken row in msg. */
int audit_verify(struct store *st, char *msg, size_t msglen);
/* Checks that every row of an earlier audit_export (JSON lines) is still present
 * and unchanged: the chain alone cannot show rows cut off its end, an archived
 * export can. 0 when all are there, else 1 naming the first missing row. */
int audit_verify_against(struct store *st, const char *jsonl, size_t len, char *msg, size_t msglen);
/* Writes every row as a JSON line to out. */
int audit_export(struct store *st, struct buf *out);

#endif
