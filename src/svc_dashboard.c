/* svc_dashboard.c - the workspace overview: the actor's organisations, the
 * dashboard's figures (the store's kept counts and bounded lists), and the
 * actor's algorithms joined with their classification. */
#include <stdio.h>
#include <string.h>

#include "svc_dashboard.h"
#include "svc_internal.h"

/* A workspace of a platform is bounded by its organisations' registers; this
 * caps one page's work far above any real register (the national one holds
 * about 1,500 entries in all). */
#define WS_MAX_ALGOS 20000

struct org_name_ctx {
	char name[256], mode[16];
};

static int org_name_cb(void *ctx, const struct org *o)
{
	struct org_name_ctx *c = ctx;
	snprintf(c->name, sizeof c->name, "%s", o->name);
	snprintf(c->mode, sizeof c->mode, "%s", o->publication_mode ? o->publication_mode : "two-step");
	return 0;
}

int svc_ws_orgs(struct store *st, const struct actor *a, int (*cb)(void *, const struct ws_org *), void *ctx,
		struct svc_err *e)
{
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "the workspace needs a log-in");
	for (size_t i = 0; i < a->norgs; i++) {
		struct org_name_ctx o = {"", "two-step"};
		int rc = store_org_get(st, a->orgs[i].code, org_name_cb, &o);
		if (rc == STORE_NOTFOUND)  /* removed since the log-in: not listed */
			continue;
		if (rc)
			return svc_store_err(e, st, rc);
		struct ws_org w = {a->orgs[i].code, o.name, o.mode, a->orgs[i].roles};
		if ((rc = cb(ctx, &w)))
			return rc;
	}
	return 0;
}

int svc_ws_dashboard(struct store *st, const struct actor *a, const struct ws_dashboard *d, struct svc_err *e)
{
	long long ids[ACTOR_MAX_ORGS];
	struct algo_query q = {.org_code = d->org_code};
	int rc = svc_scope(a, true, &q, ids, e);
	if (rc)
		return rc;
	if ((rc = store_dash_counts(st, q.org_ids, q.norg_ids, d->count, d->ctx)) ||
	    (rc = store_dash_dates(st, q.org_ids, q.norg_ids, d->date, d->ctx)) ||
	    (rc = store_dash_date_algos(st, q.org_ids, q.norg_ids, d->today, d->per_date, d->date_algo, d->ctx)) ||
	    (rc = store_dash_algos(st, q.org_ids, q.norg_ids, "concept", true, d->list_limit, d->draft, d->ctx)) ||
	    (rc = store_dash_algos(st, q.org_ids, q.norg_ids, "ter beoordeling", false, d->list_limit, d->released,
				   d->ctx)) ||
	    (rc = store_dash_overdue(st, q.org_ids, q.norg_ids, d->today, d->overdue_limit, d->overdue, d->ctx)))
		return rc < 0 ? svc_store_err(e, st, rc) : rc;
	return 0;
}

struct algos_ctx {
	struct store *st;
	int (*cb)(void *, const struct ws_algo *);
	void *ctx;
	int store_rc;
	const struct algo_summary *summary;
};

static int class_cb(void *ctx, const struct classification *c)
{
	struct algos_ctx *x = ctx;
	struct ws_algo w = {x->summary, c->risk_group, c->assessment};
	return x->cb(x->ctx, &w);
}

static int summary_cb(void *ctx, const struct algo_summary *s)
{
	struct algos_ctx *x = ctx;
	x->summary = s;
	/* A second statement on the same connection while the listing steps: SQLite
	 * allows it, and it spares copying every summary first. */
	int rc = store_class_get(x->st, s->lars, class_cb, x);
	if (rc == STORE_NOTFOUND) {
		struct ws_algo w = {s, NULL, NULL};
		return x->cb(x->ctx, &w);
	}
	if (rc < 0)
		x->store_rc = rc;
	return rc;
}

int svc_ws_algos(struct store *st, const struct actor *a, struct algo_query *q,
		 int (*cb)(void *, const struct ws_algo *), void *ctx, struct svc_err *e)
{
	long long ids[ACTOR_MAX_ORGS], total = 0;
	struct algos_ctx x = {st, cb, ctx, 0, NULL};
	int rc = svc_scope(a, true, q, ids, e);
	if (rc)
		return rc;
	q->offset = 0;
	q->limit = WS_MAX_ALGOS;
	rc = store_algo_list(st, q, &total, summary_cb, &x);
	if (x.store_rc || rc < 0)
		return svc_store_err(e, st, x.store_rc ? x.store_rc : rc);
	return rc;
}
