/* web.h - the HTML pages: the public register and the workspace. */
#ifndef AIREG_WEB_H
#define AIREG_WEB_H

#include <jansson.h>

#include "http.h"

/* The page routes, for http_serve. */
const struct http_route *web_routes(size_t *n);
/* 404 as a page for browsers, as JSON under /api/. */
void web_not_found(struct http_req *r);

/* The page's language: ?lang= (remembered in a cookie), the cookie, else "nl". */
const char *web_lang(struct http_req *r);
/* Renders template name with data (borrowed; the common keys - lang, user,
 * csrf, path - are added) as the response. */
void web_page(struct http_req *r, const char *name, json_t *data);
/* 303 See Other to location. */
void web_redirect(struct http_req *r, const char *location);
/* The request's form fields (parsed once, cached on the request), or NULL with a
 * 400 page rendered. */
const json_t *web_form(struct http_req *r);
/* Renders an error page with status and a message key. */
void web_error(struct http_req *r, int status, const char *message_key);

#endif
