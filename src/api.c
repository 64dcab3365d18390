/* api.c - JSON API handlers: parse the request, call a service, render JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "jsonw.h"
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
		api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
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
		api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
}

static void org_create(struct http_req *r)
{
	json_t *body = json_body(r);
	struct svc_err e = {0};
	if (!body)
		return;
	const char *code = json_string_value(json_object_get(body, "code"));
	int rc = svc_org_create(r->st, code, json_string_value(json_object_get(body, "name")),
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

static int algo_cb(void *ctx, const struct algo *a)
{
	struct http_req *r = ctx;
	struct jsonw w;
	char etag[16];
	jsonw_init(&w, &r->out);
	jsonw_obj_open(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, a->lars);
	jsonw_key(&w, "version");
	jsonw_int(&w, a->version);
	jsonw_key(&w, "latest_version");
	jsonw_int(&w, a->latest);
	jsonw_key(&w, "state");
	jsonw_str(&w, a->state);
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

/* Renders an algorithm (version 0 = latest) with the given status. */
static void render_algo(struct http_req *r, const char *lars, int version, int status)
{
	int rc = reg_id_valid(lars) ? store_algo_get(r->st, lars, version, algo_cb, r) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "not_found", version ? "no such algorithm version" : "no such algorithm", NULL);
	else if (rc)
		api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
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

static int version_cb(void *ctx, int version, const char *created_at)
{
	struct jsonw *w = ctx;
	jsonw_obj_open(w);
	jsonw_key(w, "version");
	jsonw_int(w, version);
	jsonw_key(w, "created_at");
	jsonw_str(w, created_at);
	jsonw_obj_close(w);
	return 0;
}

static void algo_versions(struct http_req *r)
{
	struct jsonw w;
	jsonw_init(&w, &r->out);
	jsonw_obj_open(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, r->params[0]);
	jsonw_key(&w, "versions");
	jsonw_arr_open(&w);
	int rc = reg_id_valid(r->params[0]) ? store_algo_versions(r->st, r->params[0], version_cb, &w)
					    : STORE_NOTFOUND;
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "not_found", "no such algorithm", NULL);
	else if (rc)
		api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
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
	int rc = store_algo_list(r->st, &q, &total, summary_cb, &w);
	jsonw_arr_close(&w);
	if (rc) {
		api_error(r, 500, "database_error", store_errmsg(r->st), NULL);
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
	if (svc_algo_create(r->st, r->params[0], body, lars, &e)) {
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
	if (!reg_id_valid(r->params[0]))
		return api_not_found(r);
	json_t *body = json_body(r);
	struct svc_err e = {0};
	int version;
	if (!body)
		return;
	if (svc_algo_update(r->st, r->params[0], (int)expected, body, &version, &e))
		svc_error(r, &e, NULL);
	else
		render_algo(r, r->params[0], 0, 200);
	json_decref(body);
}

static void algo_archive(struct http_req *r)
{
	struct svc_err e = {0};
	if (!reg_id_valid(r->params[0]))
		return api_not_found(r);
	if (svc_algo_archive(r->st, r->params[0], &e))
		svc_error(r, &e, NULL);
	else
		render_algo(r, r->params[0], 0, 200);
}

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
		    (flag_param(r, "skip_invalid") ? IMPORT_SKIP_INVALID : 0);
	int rc = svc_import(r->st, r->body.data ? r->body.data : "", r->body.len, csv,
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
	bool csv = fmt && !strcmp(fmt, "csv");
	if (fmt && !csv && strcmp(fmt, "json"))
		return bad_param(r, "format", "must be json or csv");
	if (svc_export(r->st, http_query(r, "organisation"), csv, &r->out, &e))
		return svc_error(r, &e, NULL);
	r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
	http_set_header(r, "Content-Disposition",
			csv ? "attachment; filename=\"algoritmes.csv\"" : "attachment; filename=\"algoritmes.json\"");
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
	{"POST", "/api/v1/import", import, HTTP_IMPORT_MAX},
	{"GET", "/api/v1/export", export, 0},
};

const struct http_route *api_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
