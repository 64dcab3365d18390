/* svc_internal.h - what the svc_*.c files share; not for handlers. */
#ifndef AIREG_SVC_INTERNAL_H
#define AIREG_SVC_INTERNAL_H

#include "auth.h"
#include "svc.h"

/* Fills e and returns status. */
int svc_fail(struct svc_err *e, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Maps a store failure to 503 (busy) or 500, logging the store's message. */
int svc_store_err(struct svc_err *e, struct store *st, int rc);
/* A write transaction: svc_begin starts it (503/500 when the store refuses),
 * svc_finish commits when rc is 0, else rolls back; both return the status. */
int svc_begin(struct store *st, struct svc_err *e);
int svc_finish(struct store *st, int rc, struct svc_err *e);
/* 401 for anonymous, 404 for who may not know the thing exists, 403 for a
 * member without the right. */
int svc_denied(struct svc_err *e, const struct actor *a, long long org_id, const char *what);
/* For things that are public (an organisation): 401 for anonymous, else 403. */
int svc_denied_public(struct svc_err *e, const struct actor *a, const char *why);

struct org_ref {
	long long id;
	char code[65], name[256], mode[16];
};
/* Looks an organisation up by code: 404 when unknown. */
int svc_org_ref(struct store *st, const char *code, struct org_ref *o, struct svc_err *e);
/* Finds the organisation named name, creating it (slug code, guessed type) when unknown. */
int svc_org_resolve(struct store *st, const char *name, const char *now, long long *id);

/* Columns the store copies from a record, plus the serialised forms. */
struct prepared {
	struct algo_write w;
	char *record, *missing, *category;
	json_t *rec;
};

/* Takes ownership of rec (normalised). */
void svc_prepare(struct prepared *p, json_t *rec, long long org_id, const char *org_name, const char *now);
void svc_prepared_cleanup(struct prepared *p);
/* Inserts a new algorithm (ID generated when rec has none) with its first version. */
int svc_insert_algo(struct store *st, struct prepared *p, struct svc_err *e);

/* What an existing algorithm's latest version needs for an update. */
struct current {
	int version, published_version;
	long long org_id;
	char org_name[256], org_code[65], state[24];
	char *record;
};
int svc_load_current(struct store *st, const char *lars, struct current *c, struct svc_err *e);
/* Adds a version when the record differs from the latest; *changed tells. */
int svc_add_version(struct store *st, struct prepared *p, const struct current *c, bool *changed,
		    struct svc_err *e);
/* The field-by-field difference of two records as {"field": [old, new]} (new reference). */
json_t *svc_record_diff(const char *old_json, const char *new_json);

/* Sets q to the public view, or (workspace) to the actor's organisations: 401 for
 * anonymous, 404 when q->org_code is not one of them. ids holds ACTOR_MAX_ORGS. */
int svc_scope(const struct actor *a, bool workspace, struct algo_query *q, long long *ids,
	      struct svc_err *e);

/* Appends an audit row to the organisation's chain (0: platform) in the current
 * transaction. changes is borrowed and may be NULL. */
int svc_audit(struct store *st, const struct actor *a, long long chain, const char *action,
	      const char *entity, const char *entity_id, json_t *changes, struct svc_err *e);

#endif
