/* web_wizard.c - the workspace: the classification wizard: one Beslishulp question per page, then the profile and the result. */
#include "web_pages.h"
#include "util.h"

static const struct http_route routes[] = {
	{"GET", "/werkruimte/wizard-placeholder", NULL, 0},
};

const struct http_route *web_wizard_routes(size_t *n)
{
	*n = 0;
	return routes;
}
