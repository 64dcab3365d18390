/* api.c - JSON API handlers: parse the request, call a service, render JSON. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aia.h"
#include "api.h"
#include "auth.h"
#include "form.h"
#include "web.h"
#include "jsonw.h"
#include "log.h"
#include "reg.h"
#include "svc.h"
#include "util.h"

/* Starts an error object {"status","error","message", ...}; the caller may add
 * keys and closes it. */
static void error_open(struct http_req *r, struct jsonw *w, int status, const char *code,
		       const char *message)
{
	buf_reset(&r->out);
	jsonw_init(w, &r->out);
	jsonw_obj_open(w);
	jsonw_key(w, "status");
	jsonw_int(w, status);
	jsonw_key(w, "error");
	jsonw_str(w, code);
	jsonw_key(w, "message");
	jsonw_str(w, message);
	r->status = status;
	r->content_type = "application/json";
}

void api_error(struct http_req *r, int status, const char *code, const char *message, const char *allow)
{
	struct jsonw w;
	api_transport(r); /* http.c answers some requests (405, 413, ...) before the hook runs */
	error_open(r, &w, status, code, message);
	jsonw_obj_close(&w);
	if (allow)
		http_set_header(r, "Allow", allow);
}

void api_not_found(struct http_req *r)
{
	api_error(r, 404, "not_found", "no such resource", NULL);
}

static void write_field_errors(struct jsonw *w, const struct reg_errors *errs)
{
	jsonw_key(w, "errors");
	jsonw_arr_open(w);
	for (size_t i = 0; i < errs->n; i++) {
		jsonw_obj_open(w);
		jsonw_key(w, "field");
		jsonw_str(w, errs->e[i].field);
		jsonw_key(w, "code");
		jsonw_str(w, errs->e[i].code);
		jsonw_key(w, "message");
		jsonw_str(w, errs->e[i].message);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

/* Renders a service error with what belongs to its kind. report may be NULL. */
static void svc_error(struct http_req *r, const struct svc_err *e, const json_t *report)
{
	struct jsonw w;
	error_open(r, &w, e->status, e->code, e->message);
	if (e->status == 422 && !report)
		write_field_errors(&w, &e->errs);
	if (e->line) {
		jsonw_key(&w, "line");
		jsonw_int(&w, e->line);
		jsonw_key(&w, "column");
		jsonw_int(&w, e->column);
	}
	if (e->status == 429) {
		char secs[16];
		snprintf(secs, sizeof secs, "%d", e->retry_after);
		http_set_header(r, "Retry-After", secs);
	}
	if (!strcmp(e->code, "version_conflict")) {
		jsonw_key(&w, "current_version");
		jsonw_int(&w, e->current_version);
	}
	if (report) {
		jsonw_key(&w, "report");
		reg_write_json(&w, report);
	}
	jsonw_obj_close(&w);
}

static void bad_param(struct http_req *r, const char *param, const char *why)
{
	char msg[160];
	struct jsonw w;
	snprintf(msg, sizeof msg, "query parameter %s: %s", param, why);
	error_open(r, &w, 400, "invalid_parameter", msg);
	jsonw_key(&w, "parameter");
	jsonw_str(&w, param);
	jsonw_obj_close(&w);
}

/* Parses the JSON body; on failure renders 415 or 400 (with line and column). */
static json_t *json_body(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		api_error(r, 415, "unsupported_media_type", "the body must be application/json", NULL);
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		struct jsonw w;
		char msg[256];
		int col = je.column > 0 ? je.column : 1; /* jansson says 0 at the start of a line */
		snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", je.line, col, je.text);
		error_open(r, &w, 400, "malformed_json", msg);
		jsonw_key(&w, "line");
		jsonw_int(&w, je.line);
		jsonw_key(&w, "column");
		jsonw_int(&w, col);
		jsonw_obj_close(&w);
	}
	return v;
}

static void healthz(struct http_req *r)
{
	buf_puts(&r->out, "{\"status\":\"ok\"}");
}

/* ---- organisations ---- */

static void write_org(struct jsonw *w, const struct org *o)
{
	jsonw_obj_open(w);
	jsonw_key(w, "code");
	jsonw_str(w, o->code);
	jsonw_key(w, "name");
	jsonw_str(w, o->name);
	jsonw_key(w, "type");
	jsonw_str(w, o->type);
	jsonw_key(w, "algorithms");
	jsonw_int(w, o->algorithms);
	jsonw_obj_close(w);
}

struct list_ctx {
	struct jsonw *w;
	long long n;
};

static int org_list_cb(void *ctx, const struct org *o)
{
	struct list_ctx *l = ctx;
	write_org(l->w, o);
	l->n++;
	return 0;
}

/* The organisation handlers read the store themselves: their failures are
 * logged as a service's are (svc_store_err). */
static void store_error(struct http_req *r)
{
	log_error("store", "answered 500: %s", store_errmsg(r->st));
	api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
}

static void org_list(struct http_req *r)
{
	struct buf items;
	struct jsonw w;
	struct list_ctx l = {.w = &w};
	buf_init(&items, 0);
	jsonw_init(&w, &items);
	jsonw_arr_open(&w);
	int rc = store_org_list(r->st, org_list_cb, &l);
	jsonw_arr_close(&w);
	if (rc) {
		store_error(r);
	} else {
		buf_printf(&r->out, "{\"total\":%lld,\"results\":", l.n);
		buf_append(&r->out, items.data, items.len);
		buf_putc(&r->out, '}');
	}
	buf_cleanup(&items);
}

static int org_one_cb(void *ctx, const struct org *o)
{
	struct jsonw w;
	jsonw_init(&w, ctx);
	write_org(&w, o);
	return 0;
}

static void org_get(struct http_req *r)
{
	int rc = store_org_get(r->st, r->params[0], org_one_cb, &r->out);
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "not_found", "no such organisation", NULL);
	else if (rc)
		store_error(r);
}

static void org_create(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	const char *code = json_string_value(json_object_get(body, "code"));
	int rc = svc_org_create(r->st, r->actor, code, json_string_value(json_object_get(body, "name")),
				json_string_value(json_object_get(body, "type")), &e);
	if (rc) {
		svc_error(r, &e, NULL);
	} else {
		char loc[128];
		snprintf(loc, sizeof loc, "/api/v1/organisations/%s", code);
		http_set_header(r, "Location", loc);
		store_org_get(r->st, code, org_one_cb, &r->out);
		r->status = 201;
	}
	json_decref(body);
}

/* ---- algorithms ---- */

static int algo_cb(void *ctx, const struct algo_view *v)
{
	struct http_req *r = ctx;
	const struct algo *a = v->algo;
	struct jsonw w;
	char etag[16];
	jsonw_init(&w, &r->out);
	jsonw_obj_open(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, a->lars);
	jsonw_key(&w, "version");
	jsonw_int(&w, a->version);
	jsonw_key(&w, "status");
	jsonw_str(&w, a->status);
	if (v->member) {  /* what only the organisation sees */
		jsonw_key(&w, "latest_version");
		jsonw_int(&w, a->latest);
		jsonw_key(&w, "state");
		jsonw_str(&w, a->state);
		jsonw_key(&w, "publication_mode");
		jsonw_str(&w, v->publication_mode);
	}
	jsonw_key(&w, "published_version");
	if (v->published_version)
		jsonw_int(&w, v->published_version);
	else
		jsonw_null(&w);
	jsonw_key(&w, "organisation");
	jsonw_obj_open(&w);
	jsonw_key(&w, "code");
	jsonw_str(&w, a->org_code);
	jsonw_key(&w, "name");
	jsonw_str(&w, a->org_name);
	jsonw_key(&w, "type");
	jsonw_str(&w, a->org_type);
	jsonw_obj_close(&w);
	jsonw_key(&w, "created_at");
	jsonw_str(&w, a->created_at);
	jsonw_key(&w, "updated_at");
	jsonw_str(&w, a->updated_at);
	jsonw_key(&w, "completeness");
	jsonw_int(&w, a->completeness);
	jsonw_key(&w, "publishable");
	jsonw_bool(&w, !strcmp(a->missing, "[]"));
	jsonw_key(&w, "missing");
	jsonw_raw(&w, a->missing, strlen(a->missing));
	if (a->import_meta) {
		jsonw_key(&w, "import_meta");
		jsonw_raw(&w, a->import_meta, strlen(a->import_meta));
	}
	jsonw_key(&w, "record");
	jsonw_raw(&w, a->record, strlen(a->record));
	jsonw_obj_close(&w);
	snprintf(etag, sizeof etag, "\"%d\"", a->version);
	http_set_header(r, "ETag", etag);
	return jsonw_error(&w);
}

/* Renders the version of an algorithm the actor may see (0 = default). */
static void render_algo(struct http_req *r, const char *lars, int version, int status)
{
	struct svc_err e = {0};
	if (svc_algo_get(r->st, r->actor, lars, version, algo_cb, r, &e))
		svc_error(r, &e, NULL);
	else
		r->status = status;
}

static void algo_get(struct http_req *r)
{
	const char *v = http_query(r, "version");
	long long version = 0;
	if (v && util_parse_int(v, 1, 1000000000, &version))
		return bad_param(r, "version", "must be a whole number from 1");
	render_algo(r, r->params[0], (int)version, 200);
}

static int version_cb(void *ctx, int version, const char *created_at, const char *status)
{
	struct jsonw *w = ctx;
	jsonw_obj_open(w);
	jsonw_key(w, "version");
	jsonw_int(w, version);
	jsonw_key(w, "created_at");
	jsonw_str(w, created_at);
	jsonw_key(w, "status");
	jsonw_str(w, status);
	jsonw_obj_close(w);
	return 0;
}

/* {"id": ..., key: [...]} with the items that fill writes. */
static void id_list(struct http_req *r, const char *key,
		    int (*fill)(struct http_req *, struct jsonw *, struct svc_err *))
{
	struct jsonw w;
	struct svc_err e = {0};
	jsonw_init(&w, &r->out);
	jsonw_obj_open(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, r->params[0]);
	jsonw_key(&w, key);
	jsonw_arr_open(&w);
	int rc = fill(r, &w, &e);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	if (rc)
		svc_error(r, &e, NULL);
}

static int fill_versions(struct http_req *r, struct jsonw *w, struct svc_err *e)
{
	return svc_algo_versions(r->st, r->actor, r->params[0], version_cb, w, e);
}

static void algo_versions(struct http_req *r)
{
	id_list(r, "versions", fill_versions);
}

static int publication_cb(void *ctx, const struct publication *p)
{
	struct jsonw *w = ctx;
	const char *keys[] = {"status", "released_by", "released_at", "decided_by", "decided_at", "reason"};
	const char *vals[] = {p->status, p->released_by, p->released_at, p->decided_by, p->decided_at, p->reason};
	jsonw_obj_open(w);
	jsonw_key(w, "version");
	jsonw_int(w, p->version);
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		jsonw_key(w, keys[i]);
		jsonw_str(w, vals[i]);
	}
	jsonw_obj_close(w);
	return 0;
}

static int fill_publications(struct http_req *r, struct jsonw *w, struct svc_err *e)
{
	return svc_algo_publications(r->st, r->actor, r->params[0], publication_cb, w, e);
}

static void algo_publications(struct http_req *r)
{
	id_list(r, "publications", fill_publications);
}

/* "view=workspace" asks for the latest versions of one's own organisations. */
static bool workspace_param(struct http_req *r, bool *workspace)
{
	const char *v = http_query(r, "view");
	*workspace = v && !strcmp(v, "workspace");
	if (v && !*workspace && strcmp(v, "public")) {
		bad_param(r, "view", "must be public or workspace");
		return false;
	}
	return true;
}

static int summary_cb(void *ctx, const struct algo_summary *a)
{
	struct jsonw *w = ctx;
	jsonw_obj_open(w);
	jsonw_key(w, "id");
	jsonw_str(w, a->lars);
	jsonw_key(w, "version");
	jsonw_int(w, a->version);
	jsonw_key(w, "state");
	jsonw_str(w, a->state);
	jsonw_key(w, "organisation");
	jsonw_obj_open(w);
	jsonw_key(w, "code");
	jsonw_str(w, a->org_code);
	jsonw_key(w, "name");
	jsonw_str(w, a->org_name);
	jsonw_obj_close(w);
	jsonw_key(w, "name");
	jsonw_str(w, a->name);
	jsonw_key(w, "description_short");
	jsonw_str(w, a->description_short);
	jsonw_key(w, "status");
	jsonw_str(w, a->status);
	jsonw_key(w, "publication_category");
	jsonw_str(w, a->publication_category);
	jsonw_key(w, "category");
	jsonw_raw(w, a->category, strlen(a->category));
	jsonw_key(w, "completeness");
	jsonw_int(w, a->completeness);
	jsonw_key(w, "publishable");
	jsonw_bool(w, a->publishable);
	jsonw_key(w, "updated_at");
	jsonw_str(w, a->updated_at);
	jsonw_obj_close(w);
	return 0;
}

/* A filter that must be one of a field's permitted values; false after a 400. */
static bool enum_param(struct http_req *r, const char *param, const char *field, const char **out)
{
	const char *v = http_query(r, param);
	const struct reg_field *f = reg_field(field);
	size_t i;
	json_t *p;
	*out = NULL;
	if (!v)
		return true;
	json_array_foreach(f->permitted, i, p)
		if (!strcmp(json_string_value(p), v))
			*out = json_string_value(p);
	if (!*out)
		bad_param(r, param, "not one of the permitted values");
	return *out != NULL;
}

static void algo_list(struct http_req *r)
{
	struct algo_query q = {.limit = 20};
	long long page = 1, total = 0;
	const char *v;
	struct buf fts, items;
	struct svc_err e = {0};
	bool workspace;
	if (!workspace_param(r, &workspace))
		return;
	if ((v = http_query(r, "page")) && util_parse_int(v, 1, 1000000, &page))
		return bad_param(r, "page", "must be a whole number from 1");
	if ((v = http_query(r, "limit")) && util_parse_int(v, 1, 100, &q.limit))
		return bad_param(r, "limit", "must be a whole number from 1 to 100");
	if (!enum_param(r, "status", "status", &q.status) ||
	    !enum_param(r, "publication_category", "publication_category", &q.publication_category) ||
	    !enum_param(r, "category", "category", &q.category))
		return;
	q.org_code = http_query(r, "organisation");
	q.offset = (page - 1) * q.limit;
	buf_init(&fts, 4096);
	if ((v = http_query(r, "q")) && svc_fts_query(v, &fts))
		q.fts = buf_str(&fts);
	struct jsonw w;
	buf_init(&items, 0);
	jsonw_init(&w, &items);
	jsonw_arr_open(&w);
	int rc = svc_algo_list(r->st, r->actor, workspace, &q, &total, summary_cb, &w, &e);
	jsonw_arr_close(&w);
	if (rc) {
		svc_error(r, &e, NULL);
	} else {
		buf_printf(&r->out, "{\"total\":%lld,\"page\":%lld,\"limit\":%lld,\"results\":", total, page,
			   q.limit);
		buf_append(&r->out, items.data, items.len);
		buf_putc(&r->out, '}');
	}
	buf_cleanup(&items);
	buf_cleanup(&fts);
}

static void algo_create(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	char lars[9], loc[64];
	if (!body)
		return;
	if (svc_algo_create(r->st, r->actor, r->params[0], body, lars, &e)) {
		svc_error(r, &e, NULL);
	} else {
		snprintf(loc, sizeof loc, "/api/v1/algorithms/%s", lars);
		http_set_header(r, "Location", loc);
		render_algo(r, lars, 0, 201);
	}
	json_decref(body);
}

static void algo_update(struct http_req *r)
{
	const char *im = http_header(r, "If-Match");
	long long expected;
	char tag[24];
	if (!im)
		return api_error(r, 428, "precondition_required",
				 "If-Match with the version being edited is required", NULL);
	size_t n = strlen(im);
	if (n >= 2 && im[0] == '"' && im[n - 1] == '"' && n - 2 < sizeof tag) {
		memcpy(tag, im + 1, n - 2);
		tag[n - 2] = '\0';
		im = tag;
	}
	if (util_parse_int(im, 1, 1000000000, &expected))
		return api_error(r, 400, "invalid_header", "If-Match must hold a version number, e.g. \"3\"", NULL);
	json_t *body = json_body(r);
	struct svc_err e = {0};
	int version;
	if (!body)
		return;
	if (svc_algo_update(r->st, r->actor, r->params[0], (int)expected, body, &version, &e))
		svc_error(r, &e, NULL);
	else
		render_algo(r, r->params[0], 0, 200);
	json_decref(body);
}

/* An optional {"reason": "..."} body for workflow steps. */
static bool reason_body(struct http_req *r, char **reason)
{
	*reason = NULL;
	if (!r->body.len)
		return true;
	json_t *body = json_body(r);
	if (!body)
		return false;
	const char *v = json_string_value(json_object_get(body, "reason"));
	*reason = v ? xstrdup(v) : NULL;
	json_decref(body);
	return true;
}

/* The workflow steps share one shape: act, then show the algorithm. */
static void workflow(struct http_req *r, int step)
{
	struct svc_err e = {0};
	char *reason;
	int rc;
	if (!reason_body(r, &reason))
		return;
	switch (step) {
	case 0: rc = svc_algo_release(r->st, r->actor, r->params[0], &e); break;
	case 1: rc = svc_algo_publish(r->st, r->actor, r->params[0], &e); break;
	case 2: rc = svc_algo_reject(r->st, r->actor, r->params[0], reason, &e); break;
	case 3: rc = svc_algo_retract(r->st, r->actor, r->params[0], reason, &e); break;
	default: rc = svc_algo_archive(r->st, r->actor, r->params[0], &e); break;
	}
	free(reason);
	if (rc)
		svc_error(r, &e, NULL);
	else
		render_algo(r, r->params[0], 0, 200);
}

static void algo_release(struct http_req *r) { workflow(r, 0); }
static void algo_publish(struct http_req *r) { workflow(r, 1); }
static void algo_reject(struct http_req *r) { workflow(r, 2); }
static void algo_retract(struct http_req *r) { workflow(r, 3); }
static void algo_archive(struct http_req *r) { workflow(r, 4); }

static bool flag_param(struct http_req *r, const char *name)
{
	const char *v = http_query(r, name);
	return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

static void import(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type");
	bool csv = ct && !strncasecmp(ct, "text/csv", 8);
	struct svc_err e = {0};
	json_t *report = NULL;
	if (!csv && (!ct || strncasecmp(ct, "application/json", 16)))
		return api_error(r, 415, "unsupported_media_type", "the body must be application/json or text/csv",
				 NULL);
	int flags = (flag_param(r, "dry_run") ? IMPORT_DRY_RUN : 0) |
		    (flag_param(r, "skip_invalid") ? IMPORT_SKIP_INVALID : 0) | (flag_param(r, "publish") ? IMPORT_PUBLISH : 0);
	int rc = svc_import(r->st, r->actor, r->body.data ? r->body.data : "", r->body.len, csv,
			    http_query(r, "organisation"), flags, &report, NULL, &e);
	if (rc) {
		svc_error(r, &e, report);
	} else {
		struct jsonw w;
		jsonw_init(&w, &r->out);
		reg_write_json(&w, report);
	}
	json_decref(report);
}

static void export(struct http_req *r)
{
	const char *fmt = http_query(r, "format");
	struct svc_err e = {0};
	bool csv = fmt && !strcmp(fmt, "csv"), workspace;
	if (fmt && !csv && strcmp(fmt, "json"))
		return bad_param(r, "format", "must be json or csv");
	if (!workspace_param(r, &workspace))
		return;
	if (svc_export(r->st, r->actor, workspace, http_query(r, "organisation"), csv, &r->out, &e))
		return svc_error(r, &e, NULL);
	r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
	http_set_header(r, "Content-Disposition",
			csv ? "attachment; filename=\"algoritmes.csv\"" : "attachment; filename=\"algoritmes.json\"");
}

/* ---- who is asking ---- */

/* Plain-HTTP localhost cannot set a Secure cookie, and the __Host- prefix needs
 * Secure: over TLS the cookie is __Host-aireg_session, otherwise (development on
 * localhost) aireg_session. Both are HttpOnly and SameSite=Lax. */
#define COOKIE_TLS "__Host-aireg_session"
#define COOKIE_PLAIN "aireg_session"

static const char *trusted_proxies; /* comma-separated addresses, from AIREG_TRUSTED_PROXIES */
static const char *proxy_header;    /* e.g. "X-Remote-User" */
static const char *proxy_org, *proxy_role;
static unsigned char proxy_csrf_key[crypto_generichash_KEYBYTES]; /* made at start-up */

void api_configure(const char *proxies, const char *header, const char *default_org, const char *default_role)
{
	trusted_proxies = proxies && *proxies ? proxies : NULL;
	proxy_header = header && *header ? header : "X-Remote-User";
	proxy_org = default_org && *default_org ? default_org : NULL;
	proxy_role = default_role && *default_role ? default_role : NULL;
	randombytes_buf(proxy_csrf_key, sizeof proxy_csrf_key);
}

static bool from_trusted_proxy(const struct http_req *r)
{
	size_t n = strlen(r->addr);
	for (const char *p = trusted_proxies; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		if (n && len == n && !memcmp(p, r->addr, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

void api_transport(struct http_req *r)
{
	const char *proto = from_trusted_proxy(r) ? http_header(r, "X-Forwarded-Proto") : NULL;
	r->https = proto && !strcmp(proto, "https");
}

/* A person named by the proxy has no session of ours, yet the browser's request
 * rides on the proxy's own cookie, so it needs a CSRF token all the same: keyed
 * BLAKE2b of the user id, the same on every request (a restart makes a new key,
 * and a form left open across it is refused once). */
static void proxy_csrf(struct actor *a)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)&a->user_id, sizeof a->user_id, proxy_csrf_key,
			   sizeof proxy_csrf_key);
	sodium_bin2hex(a->csrf, sizeof a->csrf, h, sizeof h);
}

const char *api_session_cookie(struct http_req *r)
{
	const char *c = http_cookie(r, COOKIE_TLS);
	return c ? c : http_cookie(r, COOKIE_PLAIN);
}

static bool safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static bool api_before(struct http_req *r, const struct http_route *route)
{
	struct svc_err e = {0};
	const char *authz = http_header(r, "Authorization"), *cookie = api_session_cookie(r);
	/* an empty header: a visitor the proxy let through without logging in */
	const char *who = from_trusted_proxy(r) ? http_header(r, proxy_header) : NULL;
	r->actor = xmalloc(sizeof *r->actor);
	*r->actor = auth_anonymous;
	api_transport(r);
	if (authz && !strncasecmp(authz, "Bearer ", 7)) {
		if (svc_token_actor(r->st, authz + 7, r->actor, &e)) {
			svc_error(r, &e, NULL);
			http_set_header(r, "WWW-Authenticate", "Bearer");
			return false;
		}
		return true;  /* bearer tokens are not sent by browsers on their own: no CSRF */
	}
	if (who && *who) {
		if (svc_proxy_actor(r->st, who, proxy_org, proxy_role, r->actor, &e)) {
			svc_error(r, &e, NULL);
			return false;
		}
		proxy_csrf(r->actor);
	} else if (cookie && svc_session_actor(r->st, cookie, r->actor, &e)) {
		*r->actor = auth_anonymous;  /* an ended session reads as anonymous */
	}
	/* A cookie rides along with any request a browser makes, so every
	 * state-changing request made with one must carry the session's token.
	 * Logging in is the exception: it has no session yet. */
	if (r->actor->csrf[0] && !safe_method(r->method) &&
	    (strcmp(route->pattern, "/api/v1/session") || strcmp(r->method, "POST"))) {
		const char *token = http_header(r, "X-CSRF-Token");
		const char *ct = http_header(r, "Content-Type");
		if (!token && ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
			char err[128];
			if (!r->form)
				r->form = form_parse(r->body.data ? r->body.data : "", r->body.len, err, sizeof err);
			token = form_get(r->form, "csrf");
		}
		size_t n = strlen(r->actor->csrf);
		if (!token || strlen(token) != n || sodium_memcmp(token, r->actor->csrf, n)) {
			if (strncmp(r->path, "/api/", 5))
				web_error(r, 403, "error.csrf");  /* a page for a browser's form */
			else
				api_error(r, 403, "csrf_failed", "missing or wrong CSRF token (send X-CSRF-Token)", NULL);
			return false;
		}
	}
	return true;
}

/* ---- session ---- */

void api_set_session_cookie(struct http_req *r, const char *value, int max_age)
{
	char c[256];
	snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
		 r->https ? COOKIE_TLS : COOKIE_PLAIN, value, max_age, r->https ? "; Secure" : "");
	http_set_header(r, "Set-Cookie", c);
}

static int role_json_cb(void *ctx, const struct membership *m)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s}", "organisation", m->org_code, "role", m->role));
	return 0;
}

static void write_me(struct http_req *r, const char *csrf)
{
	json_t *roles = json_array(), *me;
	if (r->actor->kind == ACTOR_USER)
		store_memberships(r->st, r->actor->user_id, role_json_cb, roles);
	me = json_pack("{s:s,s:b,s:o,s:s?}", "email", r->actor->label, "operator", r->actor->operator, "roles",
		       roles, "csrf_token", csrf);
	struct jsonw w;
	buf_reset(&r->out);
	jsonw_init(&w, &r->out);
	reg_write_json(&w, me);
	json_decref(me);
}

static void session_create(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	char session[64], csrf[65];
	if (!body)
		return;
	const char *email = json_string_value(json_object_get(body, "email"));
	const char *password = json_string_value(json_object_get(body, "password"));
	if (svc_login(r->st, email, password, r->addr, session, csrf, &e)) {
		svc_error(r, &e, NULL);
	} else {
		struct svc_err e2 = {0};
		svc_session_actor(r->st, session, r->actor, &e2);
		api_set_session_cookie(r, session, SESSION_ABSOLUTE_SECONDS);
		write_me(r, csrf);
	}
	sodium_memzero(session, sizeof session);
	json_decref(body);
}

static void session_get(struct http_req *r)
{
	if (r->actor->kind != ACTOR_USER)
		return api_error(r, 401, "unauthorized", "not logged in", NULL);
	write_me(r, r->actor->csrf[0] ? r->actor->csrf : NULL);
}

static void session_delete(struct http_req *r)
{
	const char *cookie = api_session_cookie(r);
	if (cookie)
		svc_logout(r->st, cookie);
	api_set_session_cookie(r, "", 0);
	r->status = 204;
}

static void password_set(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	if (svc_user_set_password(r->st, json_string_value(json_object_get(body, "link")),
				  json_string_value(json_object_get(body, "password")), &e))
		svc_error(r, &e, NULL);
	else
		r->status = 204;
	json_decref(body);
}

/* ---- people ---- */

static int user_json_cb(void *ctx, const struct user *u, json_t *roles)
{
	json_t *o = json_pack("{s:s,s:b,s:b,s:b,s:O,s:s}", "email", u->email, "active", u->password_hash != NULL,
			      "disabled", u->disabled, "operator", u->operator, "roles", roles, "created_at",
			      u->created_at);
	json_array_append_new(ctx, o);
	return 0;
}

static void users_list(struct http_req *r)
{
	json_t *list = json_array();
	struct svc_err e = {0};
	if (svc_user_list(r->st, r->actor, r->params[0], user_json_cb, list, &e)) {
		svc_error(r, &e, NULL);
	} else {
		struct jsonw w;
		json_t *o = json_pack("{s:O}", "results", list);
		jsonw_init(&w, &r->out);
		reg_write_json(&w, o);
		json_decref(o);
	}
	json_decref(list);
}

/* The one-time link is shown once to the beheerder, who passes it on: no
 * e-mail server is assumed. */
static void write_link(struct http_req *r, const char *email, const char *secret)
{
	json_t *o = json_pack("{s:s,s:s?,s:s?}", "email", email, "link_secret", *secret ? secret : NULL,
			      "link", *secret ? "/account/wachtwoord?link=" : NULL);
	if (*secret) {
		char url[128];
		snprintf(url, sizeof url, "/account/wachtwoord?link=%s", secret);
		json_object_set_new(o, "link", json_string(url));
	}
	struct jsonw w;
	jsonw_init(&w, &r->out);
	reg_write_json(&w, o);
	json_decref(o);
}

static void users_add(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	char link[64];
	if (!body)
		return;
	const char *email = json_string_value(json_object_get(body, "email"));
	if (svc_user_add(r->st, r->actor, email, r->params[0], json_string_value(json_object_get(body, "role")),
			 NULL, link, sizeof link, &e)) {
		svc_error(r, &e, NULL);
	} else {
		write_link(r, email, link);
		r->status = 201;
	}
	sodium_memzero(link, sizeof link);
	json_decref(body);
}

static void user_disable(struct http_req *r)
{
	struct svc_err e = {0};
	if (svc_user_disable(r->st, r->actor, r->params[0], &e))
		svc_error(r, &e, NULL);
	else
		r->status = 204;
}

static void user_reset(struct http_req *r)
{
	struct svc_err e = {0};
	char link[64];
	if (svc_user_reset_link(r->st, r->actor, r->params[0], link, sizeof link, &e))
		svc_error(r, &e, NULL);
	else
		write_link(r, r->params[0], link);
	sodium_memzero(link, sizeof link);
}

static void org_settings(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	if (svc_org_set_mode(r->st, r->actor, r->params[0],
			     json_string_value(json_object_get(body, "publication_mode")), &e))
		svc_error(r, &e, NULL);
	else
		org_get(r);
	json_decref(body);
}

/* ---- house style ---- */

static void write_json(struct http_req *r, json_t *o);

/* PUT /api/v1/organisations/{code}/theme with a text/css token file. */
static void org_theme_put(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type");
	struct svc_err e = {0};
	struct svc_theme t;
	struct buf url;
	if (!ct || strncasecmp(ct, "text/css", 8) || (ct[8] && ct[8] != ';' && ct[8] != ' '))
		return api_error(r, 415, "unsupported_media_type", "the body must be text/css", NULL);
	if (svc_theme_set(r->st, r->actor, r->params[0], r->body.data ? r->body.data : "", r->body.len, &t, &e))
		return svc_error(r, &e, NULL);
	buf_init(&url, 0);
	web_theme_url(r->params[0], t.hash, &url);
	json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:s}", "organisation", r->params[0], "tokens", t.tokens, "hash", t.hash,
			      "updated_at", t.updated_at, "url", buf_str(&url));
	write_json(r, o);
	json_decref(o);
	buf_cleanup(&url);
}

static void org_theme_delete(struct http_req *r)
{
	struct svc_err e = {0};
	if (svc_theme_clear(r->st, r->actor, r->params[0], &e))
		svc_error(r, &e, NULL);
	else
		r->status = 204;
}

/* ---- tokens ---- */

static int token_json_cb(void *ctx, const struct token *t)
{
	json_array_append_new(ctx, json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:I,s:s?,s:s?}", "id", (json_int_t)t->id,
					     "name", t->name, "organisation", t->org_code, "role", t->role,
					     "created_at", t->created_at, "expires_at", (json_int_t)t->expires_at,
					     "revoked_at", t->revoked_at, "last_used_at", t->last_used_at));
	return 0;
}

static void tokens_list(struct http_req *r)
{
	json_t *list = json_array();
	struct svc_err e = {0};
	if (r->actor->kind != ACTOR_USER)
		api_error(r, 401, "unauthorized", "log in first", NULL);
	else if (svc_token_list(r->st, r->actor, r->actor->label, token_json_cb, list, &e))
		svc_error(r, &e, NULL);
	else {
		struct jsonw w;
		json_t *o = json_pack("{s:O}", "results", list);
		jsonw_init(&w, &r->out);
		reg_write_json(&w, o);
		json_decref(o);
	}
	json_decref(list);
}

static void tokens_create(struct http_req *r)
{
	json_t *body;
	struct svc_err e = {0};
	char secret[64];
	long long id;
	if (r->actor->kind != ACTOR_USER)
		return api_error(r, 401, "unauthorized", "log in first", NULL);
	if (!(body = json_body(r)))
		return;
	json_int_t days = json_integer_value(json_object_get(body, "expires_days"));
	if (svc_token_create(r->st, r->actor, r->actor->label, json_string_value(json_object_get(body, "name")),
			     json_string_value(json_object_get(body, "organisation")),
			     json_string_value(json_object_get(body, "role")), days ? (int)days : 90, secret, &id,
			     &e)) {
		svc_error(r, &e, NULL);
	} else {
		json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)id, "token", secret);
		struct jsonw w;
		jsonw_init(&w, &r->out);
		reg_write_json(&w, o);
		json_decref(o);
		r->status = 201;
	}
	sodium_memzero(secret, sizeof secret);
	json_decref(body);
}

static void tokens_revoke(struct http_req *r)
{
	struct svc_err e = {0};
	long long id;
	if (util_parse_int(r->params[0], 1, (long long)1 << 62, &id))
		return api_not_found(r);
	if (svc_token_revoke(r->st, r->actor, id, &e))
		svc_error(r, &e, NULL);
	else
		r->status = 204;
}

/* ---- audit ---- */

static void audit_check(struct http_req *r)
{
	char msg[256];
	if (!r->actor->operator)
		return api_error(r, r->actor->kind == ACTOR_ANONYMOUS ? 401 : 403,
				 r->actor->kind == ACTOR_ANONYMOUS ? "unauthorized" : "forbidden",
				 "the audit trail is for operators", NULL);
	int broken = audit_verify(r->st, msg, sizeof msg);
	json_t *o = json_pack("{s:b,s:s}", "intact", !broken, "message", msg);
	struct jsonw w;
	jsonw_init(&w, &r->out);
	reg_write_json(&w, o);
	json_decref(o);
}

/* ---- AI Act ---- */

static void write_json(struct http_req *r, json_t *o)
{
	struct jsonw w;
	buf_reset(&r->out);
	jsonw_init(&w, &r->out);
	reg_write_json(&w, o);
}

/* POST /api/v1/assess: a profile in, an assessment out; nothing stored. */
static void assess(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	if (svc_assess(body, http_query(r, "rules"), &r->out, &e))
		svc_error(r, &e, NULL);
	json_decref(body);
}

static void classification_get(struct http_req *r)
{
	struct svc_err e = {0};
	json_t *o;
	if (svc_class_get(r->st, r->actor, r->params[0], &o, &e))
		return svc_error(r, &e, NULL);
	write_json(r, o);
	json_decref(o);
}

static void classification_put(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	if (svc_class_put(r->st, r->actor, r->params[0], body, &e))
		svc_error(r, &e, NULL);
	else
		classification_get(r);
	json_decref(body);
}

/* POST /api/v1/classify {"answers": "1.1=0,..."}: where the Beslishulp answers
 * lead, with the next question while they stop short of a conclusion. */
static void classify(struct http_req *r)
{
	json_t *body = json_body(r);
	const struct aia_pack *p = aia_pack();
	struct aia_tree_result tr = {0};
	char err[256];
	if (!body)
		return;
	json_t *av = json_object_get(body, "answers");
	const char *answers = json_string_value(av);
	if (av && !json_is_string(av) && !json_is_null(av)) {
		api_error(r, 422, "invalid_answers", "answers must be a string like \"1.1=0,1.2=3\"", NULL);
	} else if (!p) {
		api_error(r, 500, "rules_unavailable", "the rule pack is not loaded", NULL);
	} else if (aia_tree_step(p->tree, answers ? answers : "", &tr, err, sizeof err)) {
		api_error(r, 422, "invalid_answers", err, NULL);
	} else {
		json_t *labels = json_array(), *steps = json_array();
		for (size_t i = 0; i < tr.nlabels; i++)
			json_array_append_new(labels, json_string(tr.labels[i]));
		for (size_t i = 0; i < tr.nsteps; i++)
			json_array_append_new(steps, json_pack("{s:s,s:s,s:i,s:s,s:s?}", "question_id",
							       tr.steps[i].question->id, "question", tr.steps[i].question->text,
							       "answer_index", (int)tr.steps[i].index, "answer",
							       tr.steps[i].answer->text, "condition",
							       tr.steps[i].redirect ? aia_cond_text(tr.steps[i].redirect->cond) : NULL));
		json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "labels", labels, "trace", steps, "conclusion",
				      tr.conclusion ? json_pack("{s:s,s:s,s:s}", "id", tr.conclusion->id, "text",
								tr.conclusion->text, "obligation", tr.conclusion->obligation)
						    : json_null(),
				      "next_question", json_null());
		if (tr.next) {
			json_t *answers_arr = json_array();
			for (size_t i = 0; i < tr.next->nanswers; i++)
				json_array_append_new(answers_arr, json_string(tr.next->answers[i].text));
			json_object_set_new(o, "next_question", json_pack("{s:s,s:s,s:s,s:o}", "id", tr.next->id, "text",
									  tr.next->text, "explanation", tr.next->explanation,
									  "answers", answers_arr));
		}
		write_json(r, o);
		json_decref(o);
	}
	aia_tree_result_cleanup(&tr);
	json_decref(body);
}

static const struct http_route routes[] = {
	{"GET", "/healthz", healthz, 0},
	{"GET", "/api/v1/organisations", org_list, 0},
	{"POST", "/api/v1/organisations", org_create, 0},
	{"GET", "/api/v1/organisations/{}", org_get, 0},
	{"POST", "/api/v1/organisations/{}/algorithms", algo_create, 0},
	{"GET", "/api/v1/algorithms", algo_list, 0},
	{"GET", "/api/v1/algorithms/{}", algo_get, 0},
	{"PUT", "/api/v1/algorithms/{}", algo_update, 0},
	{"GET", "/api/v1/algorithms/{}/versions", algo_versions, 0},
	{"POST", "/api/v1/algorithms/{}/archive", algo_archive, 0},
	{"POST", "/api/v1/algorithms/{}/release", algo_release, 0},
	{"POST", "/api/v1/algorithms/{}/publish", algo_publish, 0},
	{"POST", "/api/v1/algorithms/{}/reject", algo_reject, 0},
	{"POST", "/api/v1/algorithms/{}/retract", algo_retract, 0},
	{"GET", "/api/v1/algorithms/{}/publications", algo_publications, 0},
	{"POST", "/api/v1/session", session_create, 0},
	{"GET", "/api/v1/session", session_get, 0},
	{"DELETE", "/api/v1/session", session_delete, 0},
	{"POST", "/api/v1/password", password_set, 0},
	{"GET", "/api/v1/organisations/{}/users", users_list, 0},
	{"POST", "/api/v1/organisations/{}/users", users_add, 0},
	{"PUT", "/api/v1/organisations/{}/settings", org_settings, 0},
	{"PUT", "/api/v1/organisations/{}/theme", org_theme_put, 0},
	{"DELETE", "/api/v1/organisations/{}/theme", org_theme_delete, 0},
	{"POST", "/api/v1/users/{}/disable", user_disable, 0},
	{"POST", "/api/v1/users/{}/reset-link", user_reset, 0},
	{"GET", "/api/v1/tokens", tokens_list, 0},
	{"POST", "/api/v1/tokens", tokens_create, 0},
	{"DELETE", "/api/v1/tokens/{}", tokens_revoke, 0},
	{"GET", "/api/v1/audit/verify", audit_check, 0},
	{"POST", "/api/v1/assess", assess, 0},
	{"POST", "/api/v1/classify", classify, 0},
	{"GET", "/api/v1/algorithms/{}/classification", classification_get, 0},
	{"PUT", "/api/v1/algorithms/{}/classification", classification_put, 0},
	{"POST", "/api/v1/import", import, HTTP_IMPORT_MAX},
	{"GET", "/api/v1/export", export, 0},
};

bool api_before_hook(struct http_req *r, const struct http_route *route)
{
	return api_before(r, route);
}

const struct http_route *api_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
