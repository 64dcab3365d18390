/* web_work.c - the workspace pages. */
#include "auth.h"
#include "web.h"
#include "web_pages.h"
#include "util.h"

static void dashboard(struct http_req *r)
{
	if (!r->actor || r->actor->kind != ACTOR_USER)
		return web_redirect(r, "/inloggen?next=/werkruimte");
	json_t *d = json_pack("{s:s}", "title", "Werkruimte");
	web_page(r, "error", d);
	json_decref(d);
}

static const struct http_route routes[] = {
	{"GET", "/werkruimte", dashboard, 0},
};

const struct http_route *web_work_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
