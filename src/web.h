/* web.h - the HTML pages: the public register and the workspace. */
#ifndef AIREG_WEB_H
#define AIREG_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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
/* Parses "YYYY-MM", "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM..." (d, hh, mm are -1
 * when absent); false when s is no such date. */
bool web_parse_date(const char *s, int *y, int *m, int *d, int *hh, int *mm);
/* A date as people write it in lang: "2 december 2027" / "2 December 2027", a
 * month alone as "maart 2021", a time stamp with its time ("..., 14:05 UTC": the
 * server keeps UTC). Returns false (and copies s) when s is no date. */
bool web_date_text(const char *s, const char *lang, char *out, size_t outlen);
/* {"iso", "text"} for a <time> element; null for NULL; {"iso": "", "text": s}
 * for a value that is no date. */
json_t *web_date(const char *s, const char *lang);
/* Renders an error page with status and a message key. */
void web_error(struct http_req *r, int status, const char *message_key);
/* The address of an organisation's house-style stylesheet, versioned by its hash
 * (web_public.c serves it). */
void web_theme_url(const char *org_code, const char *hash, struct buf *out);

#endif
