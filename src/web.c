/* web.c - pages shared by the public register and the workspace: layout data,
 * language, forms, static files, log-in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <microhttpd.h>

#include "api.h"
#include "auth.h"
#include "embedded.h"
#include "form.h"
#include "svc.h"
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

const char *web_lang(struct http_req *r)
{
	const char *q = http_query(r, "lang");
	if (tmpl_lang_known(q)) {
		char c[96];
		snprintf(c, sizeof c, "aireg_lang=%s; Path=/; SameSite=Lax; Max-Age=31536000", q);
		http_set_header(r, "Set-Cookie", c);
		return q;
	}
	const char *c = http_cookie(r, "aireg_lang");
	return tmpl_lang_known(c) ? c : "nl";
}

struct query_ctx {
	struct buf *b;
};

static void url_encode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~')
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct buf *b = cls;
	if (!strcmp(key, "lang"))
		return MHD_YES;
	url_encode(b, key);
	buf_putc(b, '=');
	url_encode(b, value ? value : "");
	buf_putc(b, '&');
	return MHD_YES;
}

/* The same page in the other language: the query kept (a one-time link in it
 * must survive), lang replaced. Returned text lives in a static per-thread buffer. */
static const char *lang_link(struct http_req *r, const char *to)
{
	static _Thread_local char out[2048];
	struct buf b;
	buf_init(&b, sizeof out - 1);
	buf_putc(&b, '?');
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
	buf_printf(&b, "lang=%s", to);
	snprintf(out, sizeof out, "%s", b.len ? buf_str(&b) : "?");
	buf_cleanup(&b);
	return out;
}

void web_page(struct http_req *r, const char *name, json_t *data)
{
	const char *lang = web_lang(r);
	bool en = !strcmp(lang, "en");
	json_object_set_new(data, "lang", json_string(lang));
	json_object_set_new(data, "other_lang", json_string(en ? "nl" : "en"));
	json_object_set_new(data, "path", json_string(r->path));
	json_object_set_new(data, "lang_link", json_string(lang_link(r, en ? "nl" : "en")));
	if (r->actor && r->actor->kind == ACTOR_USER) {
		json_t *orgs = json_array();
		for (size_t i = 0; i < r->actor->norgs; i++)
			if (r->actor->orgs[i].roles & ROLE_BEHEERDER)
				json_array_append_new(orgs, json_pack("{s:s}", "code", r->actor->orgs[i].code));
		json_object_set_new(data, "nav_orgs", orgs);
		json_object_set_new(data, "user", json_pack("{s:s,s:b}", "email", r->actor->label, "operator",
							   r->actor->operator));
		if (r->actor->csrf[0])
			json_object_set_new(data, "csrf", json_string(r->actor->csrf));
	}
	buf_reset(&r->out);
	if (tmpl_render(name, data, lang, &r->out)) {
		buf_reset(&r->out);
		buf_puts(&r->out, "template missing");
		r->status = 500;
	}
	r->content_type = "text/html; charset=utf-8";
	http_set_header(r, "Cache-Control", "no-store");
}

void web_redirect(struct http_req *r, const char *location)
{
	/* Only paths on this site: an open redirect would help phishing. */
	if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	http_set_header(r, "Location", location);
	buf_reset(&r->out);
	r->status = 303;
	r->content_type = "text/plain; charset=utf-8";
}

/* Reads n digits at s into *v; false when any is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

bool web_parse_date(const char *s, int *y, int *m, int *d, int *hh, int *mm)
{
	*d = *hh = *mm = -1;
	if (!s || strlen(s) < 7 || !digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || *m < 1 || *m > 12)
		return false;
	if (!s[7])
		return true;
	if (s[7] != '-' || strlen(s) < 10 || !digits(s + 8, 2, d) || *d < 1 || *d > 31)
		return false;
	if (s[10] && s[10] != 'T' && s[10] != ' ')
		return false;
	if (s[10] && strlen(s) >= 16 && (!digits(s + 11, 2, hh) || s[13] != ':' || !digits(s + 14, 2, mm)))
		*hh = *mm = -1;
	return true;
}

bool web_date_text(const char *s, const char *lang, char *out, size_t outlen)
{
	int y, m, d, hh, mm;
	char key[16];
	if (!web_parse_date(s, &y, &m, &d, &hh, &mm)) {
		snprintf(out, outlen, "%s", s ? s : "");
		return false;
	}
	snprintf(key, sizeof key, "month.%d", m);
	const char *month = tmpl_message(key, lang);
	if (d < 0)
		snprintf(out, outlen, "%s %d", month, y);
	else if (hh < 0)
		snprintf(out, outlen, "%d %s %d", d, month, y);
	else
		snprintf(out, outlen, "%d %s %d, %02d:%02d UTC", d, month, y, hh, mm);
	return true;
}

json_t *web_date(const char *s, const char *lang)
{
	char text[96], iso[11];
	if (!s)
		return json_null();
	if (!web_date_text(s, lang, text, sizeof text))
		return json_pack("{s:s,s:s}", "iso", "", "text", s);
	snprintf(iso, sizeof iso, "%.*s", s[7] == '-' ? 10 : 7, s);
	return json_pack("{s:s,s:s}", "iso", iso, "text", text);
}

void web_error(struct http_req *r, int status, const char *message_key)
{
	json_t *d = json_pack("{s:s,s:i}", "message_key", message_key, "status", status);
	json_object_set_new(d, "message", json_string(tmpl_message(message_key, web_lang(r))));
	web_page(r, "error", d);
	r->status = status;
	json_decref(d);
}

const json_t *web_form(struct http_req *r)
{
	char err[128];
	const char *ct = http_header(r, "Content-Type");
	if (r->form)
		return r->form;
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
		web_error(r, 415, "error.form_type");
		return NULL;
	}
	if (!(r->form = form_parse(r->body.data ? r->body.data : "", r->body.len, err, sizeof err)))
		web_error(r, 400, "error.form");
	return r->form;
}

void web_not_found(struct http_req *r)
{
	api_transport(r); /* no route: the before hook did not run */
	if (!strncmp(r->path, "/api/", 5) || !strcmp(r->path, "/healthz"))
		return api_not_found(r);
	web_error(r, 404, "error.not_found");
}

/* ---- static files ---- */

static const struct {
	const char *url, *path, *type;
} statics[] = {
	{"nlds.css", "node_modules/@utrecht/component-library-css/dist/index.css", "text/css; charset=utf-8"},
	{"theme.css", "node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css",
	 "text/css; charset=utf-8"},
	{"aireg.css", "web/static/aireg.css", "text/css; charset=utf-8"},
	{"print.css", "web/static/print.css", "text/css; charset=utf-8"},
	{"aireg.js", "web/static/aireg.js", "text/javascript; charset=utf-8"},
	{"aireg-import.js", "web/static/aireg-import.js", "text/javascript; charset=utf-8"},
};

static void static_file(struct http_req *r)
{
	for (size_t i = 0; i < ARRAY_LEN(statics); i++) {
		const struct embedded_file *f;
		if (strcmp(r->params[0], statics[i].url) || !(f = embedded_find(statics[i].path)))
			continue;
		buf_append(&r->out, f->data, f->len);
		r->content_type = statics[i].type;
		http_set_header(r, "Cache-Control", "public, max-age=3600");
		return;
	}
	web_not_found(r);
}

/* ---- log-in ---- */

static void login_form(struct http_req *r)
{
	json_t *d = json_pack("{s:s}", "next", http_query(r, "next") ? http_query(r, "next") : "/werkruimte");
	web_page(r, "login", d);
	json_decref(d);
}

static void login_post(struct http_req *r)
{
	const json_t *f = web_form(r);
	struct svc_err e = {0};
	char session[64], csrf[65];
	if (!f)
		return;
	const char *email = form_get(f, "email"), *next = form_get(f, "next");
	if (svc_login(r->st, email, form_get(f, "password"), r->addr, session, csrf, &e)) {
		json_t *d = json_pack("{s:s?,s:s?,s:s}", "email", email, "next", next, "error",
				      e.status == 429 ? "login.throttled" : "login.failed");
		json_object_set_new(d, "error_text",
				    json_string(tmpl_message(json_string_value(json_object_get(d, "error")), web_lang(r))));
		web_page(r, "login", d);
		r->status = e.status == 429 ? 429 : 401;
		json_decref(d);
		return;
	}
	api_set_session_cookie(r, session, SESSION_ABSOLUTE_SECONDS);
	web_redirect(r, next && *next ? next : "/werkruimte");
}

static void logout_post(struct http_req *r)
{
	const char *c = api_session_cookie(r);
	if (c)
		svc_logout(r->st, c);
	api_set_session_cookie(r, "", 0);
	web_redirect(r, "/");
}

/* ---- the route table ---- */

static const struct http_route routes[] = {
	{"GET", "/static/{}", static_file, 0},
	{"GET", "/inloggen", login_form, 0},
	{"POST", "/inloggen", login_post, 0},
	{"POST", "/uitloggen", logout_post, 0},
};

const struct http_route *web_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
