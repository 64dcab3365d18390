/* svc_web2.h - services the workspace pages need beyond svc.h (admin pages). */
#ifndef AIREG_SVC_WEB2_H
#define AIREG_SVC_WEB2_H

#include "svc.h"

struct svc_org_info {
	long long id;
	char code[65], name[256], mode[16];  /* mode: "two-step" or "one-step" */
};

/* An organisation's name and publication mode, for its members (404 for
 * anyone else: a page about an organisation's settings is workspace, not
 * register). */
int svc_org_info(struct store *st, const struct actor *a, const char *code, struct svc_org_info *out,
		 struct svc_err *e);

#endif
