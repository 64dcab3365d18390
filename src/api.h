/* api.h - the JSON API under /api/v1 and /healthz. */
#ifndef AIREG_API_H
#define AIREG_API_H

#include "http.h"

/* The routes of the API, for http_serve. */
const struct http_route *api_routes(size_t *n);
void api_not_found(struct http_req *r);
/* Resolves the actor (bearer token, session cookie, or a trusted proxy's header)
 * and enforces CSRF on state-changing cookie requests. */
bool api_before_hook(struct http_req *r, const struct http_route *route);
/* Sets r->https: whether a trusted proxy says the request reached it over TLS
 * (X-Forwarded-Proto: https). Decides HSTS and the session cookie's name. */
void api_transport(struct http_req *r);
/* The session cookie of the request, under its TLS or plain-HTTP name, or NULL. */
const char *api_session_cookie(struct http_req *r);
/* Sets (max_age 0: clears) the session cookie under the name the connection needs. */
void api_set_session_cookie(struct http_req *r, const char *value, int max_age);
/* Single sign-on behind a reverse proxy: requests from the listed addresses
 * (comma-separated) may name the user in header; unknown users are provisioned
 * with default_role in default_org when both are set. */
void api_configure(const char *proxies, const char *header, const char *default_org, const char *default_role);
/* Renders an error as {"status","error","message"}; allow fills the Allow header (405). */
void api_error(struct http_req *r, int status, const char *code, const char *message, const char *allow);

#endif
