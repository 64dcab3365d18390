/* svc_dashboard.h - what the workspace pages need beyond svc.h: the actor's
 * organisations with their names, the dashboard's figures, and the actor's
 * algorithms together with their stored AI Act classification (for the
 * filters the store's query does not offer). */
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

/* What the dashboard asks for: the actor's organisations (or org_code, one of
 * them) counted by the store, and bounded lists. */
struct ws_dashboard {
	const char *org_code;      /* NULL: all the actor's organisations */
	const char *today;         /* YYYY-MM-DD: deadlines are from today on, overdue before */
	long long list_limit;      /* drafts and released algorithms listed */
	long long per_date;        /* algorithms listed per deadline */
	long long overdue_limit;   /* overdue obligations listed */
	void *ctx;
	/* Every combination of state, publication category and risk group. */
	int (*count)(void *, const struct dash_count *);
	/* The assessments' obligations per date and timeline, past dates too. */
	int (*date)(void *, const struct dash_date *);
	/* Per deadline from today on, the first algorithms by name. */
	int (*date_algo)(void *, const char *date, const char *lars, const char *name);
	/* Drafts that lack a required field, by name. */
	int (*draft)(void *, const struct algo_summary *);
	/* Released versions awaiting approval, by name. */
	int (*released)(void *, const struct algo_summary *);
	/* Obligations that apply from before today, by algorithm name. */
	int (*overdue)(void *, const struct dash_obligation *);
};

/* Delivers the dashboard's figures to d's callbacks. 401 for anonymous, 404
 * when d->org_code is not one of the actor's organisations. */
int svc_ws_dashboard(struct store *st, const struct actor *a, const struct ws_dashboard *d, struct svc_err *e);

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
