/* web_admin.c - the workspace: import, people and roles, API tokens, organisation settings, setting a password with a one-time link. */
#include "web_pages.h"
#include "util.h"

static const struct http_route routes[] = {
	{"GET", "/werkruimte/admin-placeholder", NULL, 0},
};

const struct http_route *web_admin_routes(size_t *n)
{
	*n = 0;
	return routes;
}
