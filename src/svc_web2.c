/* svc_web2.c - services for the workspace pages (see svc_web2.h). */
#include <stdio.h>
#include <string.h>

#include "svc_internal.h"
#include "svc_web2.h"

int svc_org_info(struct store *st, const struct actor *a, const char *code, struct svc_org_info *out,
		 struct svc_err *e)
{
	struct org_ref o;
	int rc;
	memset(out, 0, sizeof *out);
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if ((rc = svc_org_ref(st, code, &o, e)))
		return rc;
	/* The platform's own actors see every organisation; others only their own. */
	if (a->kind != ACTOR_SYSTEM && !a->operator && !auth_member(a, o.id))
		return svc_fail(e, 404, "not_found", "no organisation with code %.64s", code);
	out->id = o.id;
	snprintf(out->code, sizeof out->code, "%s", o.code);
	snprintf(out->name, sizeof out->name, "%s", o.name);
	snprintf(out->mode, sizeof out->mode, "%s", o.mode);
	return 0;
}
