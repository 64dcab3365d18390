/* http.h - the HTTP server: libmicrohttpd with deliberate limits, a router,
 * per-request state and one log line per request. Reads (GET, HEAD) are handled in
 * the event loops, other methods in a pool of HTTP_WORKERS threads.
 *
 * Limits (each tested in tests/api or tests/limits):
 * - a request target over HTTP_HEADER_MAX -> 414; request line + headers (query
 *   string included) over HTTP_HEADER_MAX -> 431;
 * - a body over HTTP_BODY_MAX (import routes HTTP_IMPORT_MAX) -> 413: at once, without
 *   reading it, when Content-Length declares more than HTTP_DROP_MAX beyond the cap;
 *   else after reading it, and a body that goes on for HTTP_DROP_MAX more bytes
 *   closes the connection;
 * - deadlines (the connection is closed without an answer): the request head must be
 *   complete HTTP_HEAD_TIMEOUT s after the connection opened or the previous answer
 *   was sent; the body must be complete HTTP_HEAD_TIMEOUT s after the head plus 1 s
 *   for every HTTP_BODY_MIN_RATE bytes received;
 * - HTTP_CONN_MAX connections, http_config.per_ip_limit of them from one address;
 * - an answer the client stops reading: closed after HTTP_IDLE_TIMEOUT s. */
#ifndef AIREG_HTTP_H
#define AIREG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

#define HTTP_BODY_MAX (1u << 20)
#define HTTP_IMPORT_MAX (64u << 20)
#define HTTP_HEADER_MAX (16u << 10)
#define HTTP_DROP_MAX (8u << 20)     /* body bytes past the cap read before cutting off */
#define HTTP_CONN_MAX 1024
#define HTTP_PER_IP_DEFAULT 64
#define HTTP_HEAD_TIMEOUT 10          /* seconds */
#define HTTP_BODY_MIN_RATE (16u << 10) /* bytes per second */
#define HTTP_IDLE_TIMEOUT 30
#define HTTP_WORKERS 8
#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 6

struct MHD_Connection;
struct actor;

struct http_req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *params[HTTP_MAX_PARAMS];  /* {} segments of the matched route */
	struct buf body;                      /* request body (capped) */
	struct store *st;                     /* this worker thread's connection */
	char addr[64];                        /* the client's IP address */
	struct actor *actor;                  /* who is asking (set by the before hook) */
	bool https;                           /* reached over TLS (through a trusted proxy) */
	void *form;                           /* parsed form fields (json_t *), owned; freed at the end */
	/* response */
	int status;
	const char *content_type;
	struct buf out;
	const char *hname[HTTP_MAX_HEADERS];
	char *hvalue[HTTP_MAX_HEADERS];
	int nheaders;
	/* the response cache's note of a miss (rcache.c) */
	char *cache_key;
	size_t cache_keylen;
	uint64_t cache_hash;
	long long cache_generation;
};

typedef void (*http_handler)(struct http_req *r);

struct http_route {
	const char *method;       /* "GET", "POST", ... */
	const char *pattern;      /* "/api/v1/algorithms/{}"; {} matches one segment */
	http_handler fn;
	size_t body_max;          /* 0 = HTTP_BODY_MAX */
};

struct http_config {
	const char *db_path;
	const char *listen;       /* "ADDR:PORT" */
	unsigned per_ip_limit;    /* connections from one address; 0: no limit */
	const struct http_route *routes;
	size_t nroutes;
	void (*not_found)(struct http_req *r);
	/* Runs before every routed handler; returns false after rendering a refusal. */
	bool (*before)(struct http_req *r, const struct http_route *route);
	void (*error)(struct http_req *r, int status, const char *code, const char *message,
		      const char *allow);
};

/* Runs the server until SIGTERM or SIGINT; prints the URL once listening.
 * Returns 0 after a graceful stop, or 1 when the server cannot start. */
int http_serve(const struct http_config *cfg);

/* A query argument, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* A request cookie, or NULL. */
const char *http_cookie(struct http_req *r, const char *name);
/* A request header, or NULL. */
const char *http_header(struct http_req *r, const char *name);
/* Adds a response header (value copied). */
void http_set_header(struct http_req *r, const char *name, const char *value);

#endif
