/* fuzz_route.c - request routing: the path matching of src/http.c over the real route
 * tables of the server (API, pages, public register, workspace, admin, wizard).
 *
 * route_match and route_find are static in http.c, so this target includes http.c
 * and is linked without http.o (see the Makefile). Decoding of the path's %XX
 * escapes, the query string and cookies is done by libmicrohttpd before aireg sees
 * them, so it is not aireg's code to fuzz; what aireg does with the decoded path is.
 *
 * The first byte picks the method; the rest, up to a NUL, is the path as
 * libmicrohttpd hands it over. The route context is set up exactly as on_request
 * does (path_copy sized strlen(url) + 1 + HTTP_MAX_PARAMS). Properties, against a
 * reference matcher: the same route is found (the first whose pattern matches with
 * this method, GET routes serving HEAD too); its {} parameters are non-empty, hold
 * no '/', and put back into the pattern give the path; the Allow list of a 405
 * names exactly the methods of the other routes that match. */
#include "../../src/http.c"

#include "api.h"
#include "fuzz.h"
#include "web.h"
#include "web_pages.h"

static struct http_config cfg;

/* Weak: a table that another change renames or removes makes this target skip it
 * rather than fail to link (main.c names them all; this target should not break first). */
#pragma weak api_routes
#pragma weak web_routes
#pragma weak web_public_routes
#pragma weak web_work_routes
#pragma weak web_admin_routes
#pragma weak web_wizard_routes

/* Reference: does pattern match path, "{}" standing for one or more bytes other than '/'? */
static bool ref_match(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (p[0] == '{' && p[1] == '}') {
		size_t n = strcspn(s, "/");
		/* a segment is all the bytes up to the next '/' (or the end) */
		return n > 0 && ref_match(p + 2, s + n);
	}
	return *p == *s && ref_match(p + 1, s + 1);
}

static void routes_init(void)
{
	const struct http_route *(*tables[])(size_t *) = {api_routes, web_routes, web_public_routes, web_work_routes,
								 web_admin_routes, web_wizard_routes};
	struct http_route *all = NULL;
	for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
		size_t n;
		if (!tables[t])
			continue;
		const struct http_route *part = tables[t](&n);
		all = xrealloc(all, (cfg.nroutes + n) * sizeof *all);
		memcpy(all + cfg.nroutes, part, n * sizeof *part);
		cfg.nroutes += n;
	}
	cfg.routes = all;
	config = &cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
	if (!cfg.routes)
		routes_init();
	if (size < 1)
		return 0;
	const char *method = methods[data[0] % ARRAY_LEN(methods)];
	char *url = fuzz_strndup(data + 1, size - 1);

	struct req_ctx *c = xcalloc(1, sizeof *c);
	snprintf(c->method_copy, sizeof c->method_copy, "%s", method);
	c->r.method = c->method_copy;
	c->r.path = url;
	c->path_copy = xmalloc(strlen(url) + 1 + HTTP_MAX_PARAMS);
	char allow[128];
	const struct http_route *found = route_find(c, allow, sizeof allow);

	const struct http_route *want = NULL;
	struct buf others;
	buf_init(&others, 0);
	for (size_t i = 0; i < cfg.nroutes && !want; i++) {
		if (!ref_match(cfg.routes[i].pattern, url))
			continue;
		/* HEAD is served by GET routes */
		if (!strcmp(cfg.routes[i].method, method) ||
		    (!strcmp(method, "HEAD") && !strcmp(cfg.routes[i].method, "GET")))
			want = &cfg.routes[i];
		else
			buf_printf(&others, "%s%s", others.len ? ", " : "", cfg.routes[i].method);
	}
	if (found != want) {
		fuzz_dump("path", url, strlen(url));
		FUZZ_CHECK(0, "%s: route %s, the reference %s", method, found ? found->pattern : "none",
			   want ? want->pattern : "none");
	}
	FUZZ_CHECK(memchr(allow, 0, sizeof allow), "Allow is not terminated");
	if (!found && others.len < sizeof allow)
		FUZZ_CHECK(!strcmp(allow, buf_str(&others)), "Allow \"%s\", the reference \"%s\"", allow, buf_str(&others));
	if (found) {
		/* put the parameters back into the pattern */
		struct buf b;
		size_t np = 0;
		buf_init(&b, 0);
		for (const char *p = found->pattern; *p; p++) {
			if (p[0] == '{' && p[1] == '}') {
				FUZZ_CHECK(np < HTTP_MAX_PARAMS, "more than %d parameters", HTTP_MAX_PARAMS);
				const char *v = c->r.params[np++];
				FUZZ_CHECK(v && *v && !strchr(v, '/'), "parameter %zu is empty or holds '/'", np);
				buf_puts(&b, v);
				p++;
			} else {
				buf_putc(&b, *p);
			}
		}
		if (strcmp(buf_str(&b), url)) {
			fuzz_dump("path", url, strlen(url));
			fuzz_dump("pattern with the parameters", b.data, b.len);
			FUZZ_CHECK(0, "the parameters do not give back the path");
		}
		buf_cleanup(&b);
	}
	buf_cleanup(&others);
	free(c->path_copy);
	free(c);
	free(url);
	return 0;
}
