/* web_pages.h - the page groups, each in its own file. */
#ifndef AIREG_WEB_PAGES_H
#define AIREG_WEB_PAGES_H

#include "http.h"

/* The public register: search, detail, organisations, open-data downloads (web_public.c). */
const struct http_route *web_public_routes(size_t *n);
/* The workspace: dashboard, algorithms, edit form, wizard, import, people, tokens,
 * settings (web_work.c). */
const struct http_route *web_work_routes(size_t *n);
/* The workspace: import, people and roles, API tokens, settings, one-time links (web_admin.c). */
const struct http_route *web_admin_routes(size_t *n);
/* The workspace: the classification wizard (web_wizard.c). */
const struct http_route *web_wizard_routes(size_t *n);

#endif
