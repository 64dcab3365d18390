/* rcache.h - a response cache for what anonymous visitors read.
 *
 * The public register is read far more than it changes, and by visitors
 * without a session: a page or document the server made for one of them is
 * kept in memory (bounded, least recently used first out) and given to the next
 * who asks the same thing. Every copy carries the store's public generation
 * (public_state, migration 005), which changes in the transaction of every
 * change the public can see; a copy of an older generation is never served, so
 * a node sees another node's publication as soon as it is committed. A copy
 * also expires after RCACHE_TTL_S seconds, for what depends on the clock.
 *
 * Only GET and HEAD of the routes listed in rcache.c, by an anonymous actor, without
 * If-None-Match; only 200 answers without cookies. The key is the path, every
 * query argument in order and the language cookie: the inputs of those
 * handlers (keep it so when a public handler starts reading another). */
#ifndef AIREG_RCACHE_H
#define AIREG_RCACHE_H

#include <stdbool.h>

#include "http.h"

#define RCACHE_TTL_S 60
#define RCACHE_ENTRY_MAX (1u << 20)   /* bigger answers are not kept */

/* Sets the memory bound in bytes (0 = off; default RCACHE_DEFAULT_BYTES). */
#define RCACHE_DEFAULT_BYTES (32u << 20)
void rcache_init(size_t max_bytes);

/* For a cacheable request: fills r from a current copy and returns true, or
 * returns false and remembers the key so that rcache_store can keep the answer. */
bool rcache_serve(struct http_req *r, const struct http_route *route);
/* Keeps the answer of a request that rcache_serve let through, if cacheable. */
void rcache_store(struct http_req *r);
/* Frees the request's remembered key. */
void rcache_release(struct http_req *r);

#endif
