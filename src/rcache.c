/* rcache.c - the response cache for anonymous readers (see rcache.h). */
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "rcache.h"
#include "util.h"

#define NBUCKETS 4096

struct entry {
	struct entry *next;                /* in its bucket */
	struct entry *newer, *older;       /* in the recency list */
	uint64_t hash;
	char *key;                         /* parts separated by NULs */
	size_t keylen;
	long long generation;
	uint64_t born_us;
	const char *ctype;                 /* from kept_types[] */
	int nheaders;
	const char *hname[HTTP_MAX_HEADERS];  /* from kept_headers[] */
	char *hvalue[HTTP_MAX_HEADERS];
	char *body;
	size_t len, size;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[NBUCKETS];
static struct entry *newest, *oldest;
static size_t used, max_bytes = RCACHE_DEFAULT_BYTES;
static unsigned char hash_key[crypto_shorthash_KEYBYTES];

/* What a copy may carry. A hit hands these pointers to the request, which may
 * outlive the copy; any other header (a cookie) makes an answer personal. */
static const char *const kept_headers[] = {"ETag", "Content-Disposition", "Cache-Control"};
static const char *const kept_types[] = {"application/json", "text/html; charset=utf-8",
					 "text/csv; charset=utf-8", "text/css; charset=utf-8"};

static const char *kept(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return list[i];
	return NULL;
}

void rcache_init(size_t bytes)
{
	max_bytes = bytes;
	crypto_shorthash_keygen(hash_key);  /* keys are chosen by visitors: no predictable buckets */
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct buf *b = cls;
	buf_printf(b, "%s=%s", k, v ? v : "");
	buf_putc(b, '\0');
	return MHD_YES;
}

/* The routes whose anonymous answers are the same for every visitor. */
static const char *const cached_routes[] = {
	"/", "/algoritmes/{}", "/organisaties", "/organisaties/{}",
	"/api/v1/organisations", "/api/v1/organisations/{}", "/api/v1/algorithms", "/api/v1/algorithms/{}",
	"/api/v1/algorithms/{}/versions", "/api/v1/algorithms/{}/publications",
	"/api/v1/algorithms/{}/classification",
};

static bool cacheable_request(struct http_req *r, const struct http_route *route)
{
	return max_bytes && kept(cached_routes, ARRAY_LEN(cached_routes), route->pattern) && r->actor && r->actor->kind == ACTOR_ANONYMOUS &&
	       (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) && !http_header(r, "If-None-Match");
}

/* The recency list and the buckets; called with the lock held. */
static void list_remove(struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		oldest = e->newer;
}

static void list_push(struct entry *e)
{
	e->older = newest;
	e->newer = NULL;
	if (newest)
		newest->newer = e;
	newest = e;
	if (!oldest)
		oldest = e;
}

static void drop(struct entry *e)
{
	struct entry **p = &buckets[e->hash % NBUCKETS];
	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	list_remove(e);
	used -= e->size;
	for (int i = 0; i < e->nheaders; i++)
		free(e->hvalue[i]);
	free(e->key);
	free(e->body);
	free(e);
}

static struct entry *find(uint64_t hash, const char *key, size_t keylen)
{
	for (struct entry *e = buckets[hash % NBUCKETS]; e; e = e->next)
		if (e->hash == hash && e->keylen == keylen && !memcmp(e->key, key, keylen))
			return e;
	return NULL;
}

bool rcache_serve(struct http_req *r, const struct http_route *route)
{
	long long generation;
	if (!cacheable_request(r, route) || store_public_generation(r->st, &generation))
		return false;
	struct buf key;
	buf_init(&key, 0);
	buf_append(&key, r->path, strlen(r->path) + 1);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &key);
	const char *lang = http_cookie(r, "aireg_lang");
	buf_puts(&key, lang ? lang : "");
	uint64_t hash;
	crypto_shorthash((unsigned char *)&hash, (const unsigned char *)key.data, key.len, hash_key);
	uint64_t now = util_mono_us();
	pthread_mutex_lock(&lock);
	struct entry *e = find(hash, key.data, key.len);
	if (e && (e->generation != generation || now - e->born_us > RCACHE_TTL_S * 1000000ull)) {
		drop(e);
		e = NULL;
	}
	if (e) {
		buf_append(&r->out, e->body, e->len);
		r->content_type = e->ctype;
		for (int i = 0; i < e->nheaders; i++)
			http_set_header(r, e->hname[i], e->hvalue[i]);
		char age[24];
		snprintf(age, sizeof age, "%llu", (unsigned long long)((now - e->born_us) / 1000000));
		http_set_header(r, "Age", age);  /* RFC 9111: this answer comes from a cache */
		list_remove(e);
		list_push(e);
	}
	pthread_mutex_unlock(&lock);
	if (e) {
		r->status = 200;
		buf_cleanup(&key);
		return true;
	}
	r->cache_keylen = key.len;
	r->cache_key = buf_release(&key, NULL);
	r->cache_hash = hash;
	r->cache_generation = generation;
	return false;
}

void rcache_store(struct http_req *r)
{
	const char *ctype = kept(kept_types, ARRAY_LEN(kept_types), r->content_type ? r->content_type : "application/json");
	if (!r->cache_key || r->status != 200 || r->out.len > RCACHE_ENTRY_MAX || r->out.len > max_bytes / 4 ||
	    !ctype)
		return;
	for (int i = 0; i < r->nheaders; i++)
		if (!kept(kept_headers, ARRAY_LEN(kept_headers), r->hname[i]))
			return;
	struct entry *e = xcalloc(1, sizeof *e);
	for (int i = 0; i < r->nheaders; i++) {
		e->hname[e->nheaders] = kept(kept_headers, ARRAY_LEN(kept_headers), r->hname[i]);
		e->hvalue[e->nheaders++] = xstrdup(r->hvalue[i]);
	}
	e->hash = r->cache_hash;
	e->key = r->cache_key;
	e->keylen = r->cache_keylen;
	r->cache_key = NULL;
	e->generation = r->cache_generation;
	e->born_us = util_mono_us();
	e->ctype = ctype;
	e->len = r->out.len;
	e->body = xmalloc(e->len ? e->len : 1);
	memcpy(e->body, r->out.data, e->len);
	e->size = sizeof *e + e->len + e->keylen;
	pthread_mutex_lock(&lock);
	struct entry *old = find(e->hash, e->key, e->keylen);
	if (old)  /* another thread made the same answer meanwhile */
		drop(old);
	while (oldest && used + e->size > max_bytes)
		drop(oldest);
	e->next = buckets[e->hash % NBUCKETS];
	buckets[e->hash % NBUCKETS] = e;
	list_push(e);
	used += e->size;
	pthread_mutex_unlock(&lock);
}

void rcache_release(struct http_req *r)
{
	free(r->cache_key);
	r->cache_key = NULL;
}
