/* svc_dashboard.h - what the workspace pages need beyond svc.h: the actor's
 * organisations with their names, and the actor's algorithms together with
 * their stored AI Act classification (for counts per risk group, deadlines
 * and filters the store's query does not offer). */
#ifndef AIREG_SVC_DASHBOARD_H
#define AIREG_SVC_DASHBOARD_H

#include "svc.h"

/* One organisation the actor holds a role in. */
struct ws_org {
	const char *code, *name;
	const char *publication_mode;  /* "two-step" or "one-step" */
	unsigned roles;                /* ROLE_* bits of the actor there */
};

/* Calls cb for every organisation of the actor, in the actor's order.
 * 401 for anonymous visitors. */
int svc_ws_orgs(struct store *st, const struct actor *a, int (*cb)(void *, const struct ws_org *), void *ctx,
		struct svc_err *e);

/* One algorithm of the workspace with its classification. */
struct ws_algo {
	const struct algo_summary *summary;
	const char *risk_group;   /* of the stored assessment; NULL when not classified */
	const char *assessment;   /* the stored assessment as JSON text, or NULL */
};

/* Calls cb for every non-archived algorithm (latest version) of the actor's
 * organisations that matches q's filters, ignoring q's paging: the workspace
 * pages filter further on fields the store does not index (workflow state,
 * risk group, completeness). 401 for anonymous, 404 when q->org_code is not
 * one of the actor's organisations. */
int svc_ws_algos(struct store *st, const struct actor *a, struct algo_query *q,
		 int (*cb)(void *, const struct ws_algo *), void *ctx, struct svc_err *e);

#endif
