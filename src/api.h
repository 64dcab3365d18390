/* api.h - the JSON API under /api/v1 and /healthz. */
#ifndef AIREG_API_H
#define AIREG_API_H

#include "http.h"

/* The routes of the API, for http_serve. */
const struct http_route *api_routes(size_t *n);
void api_not_found(struct http_req *r);
/* Renders an error as {"status","error","message"}; allow fills the Allow header (405). */
void api_error(struct http_req *r, int status, const char *code, const char *message, const char *allow);

#endif
