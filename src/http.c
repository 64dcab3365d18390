/* http.c - libmicrohttpd glue: limits, deadlines, routing, per-request state,
 * the worker pool, logging, graceful shutdown. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "http.h"
#include "log.h"
#include "rcache.h"
#include "util.h"

/* One SQLite connection per worker thread, closed when the thread ends. */
static pthread_key_t store_key;
static const struct http_config *config;
static atomic_int in_flight;

#define SECOND_US 1000000u

struct req_ctx {
	struct http_req r;
	uint64_t start_us;        /* the request line arrived */
	uint64_t head_us;         /* the head was complete */
	size_t uri_len;           /* the request target as sent, query string included */
	size_t body_max;
	size_t header_bytes;
	size_t received;          /* body bytes read, kept or not */
	const struct http_route *route;
	bool too_large, dispatched, handled;
	struct req_ctx *next;     /* in the workers' queue */
	char method_copy[16];
	char *path_copy;
};

/* Deadlines. libmicrohttpd 0.9.75 has only an idle timeout, which a client resets
 * with every byte, and it calls nothing of ours while a request head arrives (the
 * access handler runs once the head is complete; returning MHD_NO from it closes
 * the connection, but only then). So every connection is listed, from
 * MHD_OPTION_NOTIFY_CONNECTION, with the time by which it must have sent what it
 * owes next; the main thread looks once a second and shuts down the socket of a
 * connection past its deadline, and the connection's event loop, reading the end of
 * the stream, closes it. libmicrohttpd calls the CLOSED notification (which unlists
 * the connection under watch_lock) before it closes the socket, so the number
 * shut down is never one already reused by another connection. */
struct watch {
	struct watch *prev, *next;
	MHD_socket fd;
	_Atomic uint64_t deadline_us;  /* 0: none, a handler is running */
};
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watches;

/* Requests that may change state run in a pool of workers instead of the event
 * loops: they hash passwords (argon2id, 0.1-0.4 s) and commit with an fsync, and in
 * an event loop that would stall every other connection of that loop. The
 * connection is suspended meanwhile. Reads stay in the loops (no hand-over cost). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct req_ctx *head, *tail;
	bool stop;
} work = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, false};

static void store_destroy(void *p)
{
	store_close(p);
}

static struct store *thread_store(void)
{
	struct store *st = pthread_getspecific(store_key);
	char err[256];
	if (!st && store_open(config->db_path, false, &st, err, sizeof err) == STORE_OK)
		pthread_setspecific(store_key, st);
	else if (!st)
		log_error("store", "%s", err);
	return st;
}

const char *http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_set_header(struct http_req *r, const char *name, const char *value)
{
	if (r->nheaders < HTTP_MAX_HEADERS) {
		r->hname[r->nheaders] = name;
		r->hvalue[r->nheaders++] = xstrdup(value);
	}
}

/* Matches path against a pattern, capturing {} segments. */
static bool route_match(const char *pattern, const char *path, const char **params, char *scratch)
{
	int np = 0;
	const char *p = pattern, *s = path;
	char *out = scratch;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (!n || np == HTTP_MAX_PARAMS)
				return false;
			memcpy(out, s, n);
			out[n] = '\0';
			params[np++] = out;
			out += n + 1;
			s += n;
			p += 2;
		} else if (*p++ != *s++) {
			return false;
		}
	}
	return !*p && !*s;
}

/* Finds the route; *allow lists the methods of a path that matched with another method. */
static const struct http_route *route_find(struct req_ctx *c, char *allow, size_t allowlen)
{
	const struct http_route *found = NULL;
	const char *params[HTTP_MAX_PARAMS];
	size_t used = 0;
	allow[0] = '\0';
	for (size_t i = 0; i < config->nroutes; i++) {
		const struct http_route *rt = &config->routes[i];
		if (!route_match(rt->pattern, c->r.path, params, c->path_copy))
			continue;
		/* HEAD is GET without the body (libmicrohttpd drops it). */
		if (!strcmp(rt->method, c->r.method) || (!strcmp(c->r.method, "HEAD") && !strcmp(rt->method, "GET"))) {
			found = rt;
			break;
		}
		int n = snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", rt->method);
		if (n > 0 && used + (size_t)n < allowlen)
			used += (size_t)n;
	}
	if (found)
		route_match(found->pattern, c->r.path, c->r.params, c->path_copy);
	return found;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct watch *w = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = xcalloc(1, sizeof *w);
		w->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		atomic_store(&w->deadline_us, util_mono_us() + HTTP_HEAD_TIMEOUT * SECOND_US);
		pthread_mutex_lock(&watch_lock);
		w->next = watches;
		if (watches)
			watches->prev = w;
		watches = w;
		pthread_mutex_unlock(&watch_lock);
		*socket_context = w;
	} else if (w) {
		pthread_mutex_lock(&watch_lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			watches = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&watch_lock);
		free(w);
		*socket_context = NULL;
	}
}

/* Sets the connection's deadline (0: none); called from its event loop. */
static void watch_set(struct MHD_Connection *conn, uint64_t deadline_us)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context)
		atomic_store(&((struct watch *)ci->socket_context)->deadline_us, deadline_us);
}

/* Shuts down the sockets of the connections past their deadline; returns how many. */
static int reap(void)
{
	uint64_t now = util_mono_us();
	int n = 0;
	pthread_mutex_lock(&watch_lock);
	for (struct watch *w = watches; w; w = w->next) {
		uint64_t d = atomic_load(&w->deadline_us);
		if (d && d < now && w->fd != MHD_INVALID_SOCKET &&
		    atomic_compare_exchange_strong(&w->deadline_us, &d, 0)) {
			shutdown(w->fd, SHUT_RDWR);
			n++;
		}
	}
	pthread_mutex_unlock(&watch_lock);
	return n;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static enum MHD_Result queue(struct req_ctx *c)
{
	struct http_req *r = &c->r;
	size_t len = r->out.len;
	char *data = buf_release(&r->out, NULL);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type : "application/json");
	/* Security headers on every response: no inline script, no framing, no
	 * sniffing, no referrer leaving the site; HSTS only over TLS. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (r->https)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->hname[i], r->hvalue[i]);
	r->out.len = len; /* kept for the log line */
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_error(struct req_ctx *c, int status, const char *code, const char *msg,
				     const char *allow)
{
	config->error(&c->r, status, code, msg, allow);
	return queue(c);
}

static enum MHD_Result respond_too_large(struct req_ctx *c)
{
	char msg[96];
	snprintf(msg, sizeof msg, "the request body exceeds %zu bytes", c->body_max);
	return respond_error(c, 413, "body_too_large", msg, NULL);
}

/* Runs the route's handler (in an event loop or a worker). */
static void handle(struct req_ctx *c)
{
	if (!(c->r.st = thread_store())) {
		config->error(&c->r, 503, "unavailable", "the database cannot be opened", NULL);
	} else {
		c->r.status = 200;
		if ((!config->before || config->before(&c->r, c->route)) && !rcache_serve(&c->r, c->route)) {
			c->route->fn(&c->r);
			rcache_store(&c->r);
		}
	}
	c->handled = true;
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&work.lock);
	for (;;) {
		while (!work.head && !work.stop)
			pthread_cond_wait(&work.ready, &work.lock);
		struct req_ctx *c = work.head;
		if (!c)
			break;  /* stopping, and the queue is empty */
		if (!(work.head = c->next))
			work.tail = NULL;
		pthread_mutex_unlock(&work.lock);
		handle(c);
		MHD_resume_connection(c->r.conn);  /* its loop calls on_request again, which queues */
		pthread_mutex_lock(&work.lock);
	}
	pthread_mutex_unlock(&work.lock);
	return NULL;
}

/* The request line has arrived, the headers not yet: the request's context starts
 * here, the one place that sees the target as sent, with its query string. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req_ctx *c = xcalloc(1, sizeof *c);
	c->start_us = util_mono_us();
	c->uri_len = strlen(uri);
	return c;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct req_ctx *c = *con_cls;
	if (!c->r.conn) {
		/* First call: the head is complete. From here the body has HTTP_HEAD_TIMEOUT
		 * seconds, and one more for every HTTP_BODY_MIN_RATE bytes it brings. */
		c->head_us = util_mono_us();
		watch_set(conn, c->head_us + HTTP_HEAD_TIMEOUT * SECOND_US);
		atomic_fetch_add(&in_flight, 1);
		snprintf(c->method_copy, sizeof c->method_copy, "%s", method);
		c->r.conn = conn;
		c->r.method = c->method_copy;
		c->r.path = url;
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, c->r.addr,
				  sizeof c->r.addr);
		c->path_copy = xmalloc(strlen(url) + 1 + HTTP_MAX_PARAMS);
		buf_init(&c->r.out, 0);
		MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &c->header_bytes);
		c->header_bytes += c->uri_len + strlen(method) + strlen(version);
		if (c->uri_len > HTTP_HEADER_MAX)
			return respond_error(c, 414, "uri_too_long", "the request target exceeds 16 KiB", NULL);
		if (c->header_bytes > HTTP_HEADER_MAX)
			return respond_error(c, 431, "header_too_large",
					     "the request line and headers exceed 16 KiB", NULL);
		char allow[128];
		c->route = route_find(c, allow, sizeof allow);
		if (!c->route && *allow)
			return respond_error(c, 405, "method_not_allowed", "method not allowed on this path",
					     allow);
		c->body_max = c->route && c->route->body_max ? c->route->body_max : HTTP_BODY_MAX;
		buf_init(&c->r.body, c->body_max);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		long long n;
		if (cl && !util_parse_int(cl, 0, (long long)1 << 62, &n) && (size_t)n > c->body_max) {
			c->too_large = true;
			/* More than would be read and dropped (below): answer before reading
			 * any of it; libmicrohttpd then closes the connection. */
			if ((size_t)n - c->body_max > HTTP_DROP_MAX)
				return respond_too_large(c);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Past the cap the rest is read and dropped, so that a client that sends a
		 * little too much still reads its 413 instead of a reset connection. One
		 * that keeps sending is cut off: libmicrohttpd cannot answer before the
		 * body has ended, so the connection is closed without an answer. */
		if (!c->too_large && buf_append(&c->r.body, upload_data, *upload_data_size))
			c->too_large = true;
		c->received += *upload_data_size;
		*upload_data_size = 0;
		watch_set(conn, c->head_us + HTTP_HEAD_TIMEOUT * SECOND_US +
					c->received * SECOND_US / HTTP_BODY_MIN_RATE);
		return c->received > c->body_max + HTTP_DROP_MAX ? MHD_NO : MHD_YES;
	}
	if (c->dispatched)
		return c->handled ? queue(c) : MHD_YES;  /* back from a worker, or not yet */
	c->dispatched = true;
	watch_set(conn, 0);
	if (c->too_large)
		return respond_too_large(c);
	if (!c->route) {
		config->not_found(&c->r);
		return queue(c);
	}
	if (!strcmp(c->r.method, "GET") || !strcmp(c->r.method, "HEAD")) {
		handle(c);
		return queue(c);
	}
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&work.lock);
	if (work.tail)
		work.tail->next = c;
	else
		work.head = c;
	work.tail = c;
	pthread_cond_signal(&work.ready);
	pthread_mutex_unlock(&work.lock);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *c = *con_cls;
	if (!c)
		return;
	/* The next request's head is due HTTP_HEAD_TIMEOUT seconds after this one. */
	watch_set(conn, util_mono_us() + HTTP_HEAD_TIMEOUT * SECOND_US);
	if (c->r.conn) {  /* it reached on_request */
		log_request(c->r.method, c->r.path, c->r.status, c->r.out.len,
			    util_mono_us() - c->start_us, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
		atomic_fetch_sub(&in_flight, 1);
	}
	buf_cleanup(&c->r.body);
	buf_cleanup(&c->r.out);
	rcache_release(&c->r);
	for (int i = 0; i < c->r.nheaders; i++)
		free(c->r.hvalue[i]);
	free(c->path_copy);
	free(c->r.actor);
	json_decref(c->r.form);
	free(c);
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	long long port;
	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    util_parse_int(colon + 1, 0, 65535, &port))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

int http_serve(const struct http_config *cfg)
{
	struct sockaddr_in sa;
	sigset_t sigs;
	int sig;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t workers[HTTP_WORKERS];
	config = cfg;
	if (parse_listen(cfg->listen, &sa)) {
		log_error("http", "bad listen address %s (expected ADDR:PORT, e.g. 127.0.0.1:8080)", cfg->listen);
		return 1;
	}
	pthread_key_create(&store_key, store_destroy);
	/* Worker threads inherit this mask, so only the main thread sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
		on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(ncpu > 0 ? (ncpu > 16 ? 16 : ncpu) : 2),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT,
		/* The pool holds the request line, the headers and the read buffer: sized so
		 * that headers up to HTTP_HEADER_MAX fit and our own check answers 431. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(2 * HTTP_HEADER_MAX + 8192),
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_END);
	if (!d) {
		log_error("http", "cannot listen on %s", cfg->listen);
		return 1;
	}
	for (int i = 0; i < HTTP_WORKERS; i++)
		pthread_create(&workers[i], NULL, worker, NULL);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char addr[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
	printf("aireg: listening on http://%s:%u/\n", addr, info ? info->port : ntohs(sa.sin_port));
	fflush(stdout);
	const struct timespec tick = {1, 0};
	while ((sig = sigtimedwait(&sigs, NULL, &tick)) < 0) {
		int n = reap();
		if (n)
			log_info("http", "closed %d connection(s) that did not send their request in time", n);
	}
	log_info("http", "signal %d: finishing requests in flight", sig);
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	for (int i = 0; i < 1000 && atomic_load(&in_flight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* The workers finish what is queued and resume those connections, so that none
	 * is left suspended when the daemon stops. */
	pthread_mutex_lock(&work.lock);
	work.stop = true;
	pthread_cond_broadcast(&work.ready);
	pthread_mutex_unlock(&work.lock);
	for (int i = 0; i < HTTP_WORKERS; i++)
		pthread_join(workers[i], NULL);
	MHD_stop_daemon(d);
	log_info("http", "stopped");
	return 0;
}
