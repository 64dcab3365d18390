/* web_admin.c - the workspace: import, people and roles, API tokens,
 * organisation settings, and setting a password with a one-time link.
 *
 *   GET  /werkruimte/import                          paste (or, with JS, load) a JSON or CSV file
 *   POST /werkruimte/import/voorbeeld                dry run: what would be created, changed, rejected
 *   POST /werkruimte/import                          the import itself, and its report
 *   GET  /werkruimte/organisaties/{code}/mensen      people and roles (beheerder); POST adds a person
 *   POST /werkruimte/organisaties/{code}/mensen/uitschakelen | /herstellink
 *   GET  /werkruimte/tokens                          own API tokens; POST creates one
 *   POST /werkruimte/tokens/{id}/intrekken
 *   GET  /werkruimte/organisaties/{code}/instellingen  publication mode and house style (beheerder);
 *                                                    POST saves the mode
 *   POST /werkruimte/organisaties/{code}/huisstijl   sets the house style (a token file); .../verwijderen removes it
 *   GET  /account/wachtwoord?link=...                set a password with a one-time link; POST sets it
 *   GET  /account/password?link=...                  the address the CLI and API print: on to the above
 *
 * The server parses no multipart bodies, so the import form posts the file's
 * text from a textarea; web/static/aireg-import.js only fills that textarea from
 * a chosen file. Secrets (one-time links, tokens) are shown on the page that
 * made them and never again: only their hashes are stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "form.h"
#include "reg.h"
#include "svc.h"
#include "svc_web2.h"
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

/* ---- shared helpers ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

static void url_encode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		buf_printf(b, unreserved(*p) || *p == '/' ? "%c" : "%%%02X", *p);
}

/* Workspace pages send anonymous visitors to the log-in page, which brings
 * them back here afterwards. */
static bool require_user(struct http_req *r)
{
	if (r->actor && r->actor->kind == ACTOR_USER)
		return true;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "/inloggen?next=");
	url_encode(&b, r->path);
	web_redirect(r, buf_str(&b));
	buf_cleanup(&b);
	return false;
}

static const char *msg(struct http_req *r, const char *key)
{
	return tmpl_message(key, web_lang(r));
}

/* The message key prefix + name, or fallback when the catalogue has none. */
static const char *msg_or(struct http_req *r, const char *prefix, const char *name, const char *fallback)
{
	char key[128];
	snprintf(key, sizeof key, "%s%s", prefix, name ? name : "");
	const char *m = msg(r, key);
	return strcmp(m, key) ? m : fallback;
}

/* Unix seconds as "1 december 2026, 14:05 UTC" (the server keeps UTC; saying
 * so beats guessing the reader's zone). */
static json_t *when_unix(long long t, const char *lang)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char iso[32], out[96];
	if (!gmtime_r(&tt, &tm) || !strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	web_date_text(iso, lang, out, sizeof out);
	return json_string(out);
}

/* "2026-11-28T23:30:21Z" the same way; NULL stays null. */
static json_t *when_iso(const char *iso, const char *lang)
{
	char out[96];
	if (!iso)
		return json_null();
	web_date_text(iso, lang, out, sizeof out);
	return json_string(out);
}

/* The site's own address for a link shown to copy, from the Host header when
 * it looks like a host name; else the link stays relative. */
static void absolute_url(struct http_req *r, const char *path, struct buf *out)
{
	const char *host = http_header(r, "Host");
	bool ok = host && *host && strlen(host) < 256;
	for (const char *p = host; ok && *p; p++)
		ok = unreserved((unsigned char)*p) || *p == ':' || *p == '[' || *p == ']';
	if (ok)
		buf_printf(out, "%s://%s", r->https ? "https" : "http", host);
	buf_puts(out, path);
}

/* A notice after a redirect (?gedaan=...), from a fixed list so the query
 * cannot put text on the page. */
static void notice(struct http_req *r, json_t *d)
{
	static const char *const known[] = {"uitgeschakeld", "ingetrokken", "opgeslagen", "toegevoegd",
					    "huisstijl_opgeslagen", "huisstijl_verwijderd"};
	const char *v = http_query(r, "gedaan");
	for (size_t i = 0; v && i < ARRAY_LEN(known); i++)
		if (!strcmp(v, known[i]))
			json_object_set_new(d, "notice", json_string(msg_or(r, "adm.done.", v, v)));
}

/* Adds the error list and its flag for the error summary partial. */
static void set_errors(json_t *d, json_t *errors)
{
	json_object_set_new(d, "has_errors", json_boolean(json_array_size(errors) > 0));
	json_object_set_new(d, "errors", errors);
}

static json_t *error_item(const char *target, const char *text, const char *detail)
{
	return json_pack("{s:s,s:s,s:s?}", "target", target, "text", text, "detail", detail);
}

/* Renders a service failure as an error page; 401 cannot happen here (the
 * pages ask to log in first), 404 hides what the actor may not know. */
static void svc_failed(struct http_req *r, const struct svc_err *e)
{
	int st = e->status >= 400 && e->status < 600 ? e->status : 500;
	web_error(r, st, st == 403 ? "adm.error.forbidden" : st == 404 ? "error.not_found" : "adm.error.failed");
}

static const char *const role_names[] = {"lezer", "redacteur", "goedkeurder", "beheerder"};

/* The roles as select options with their descriptions. */
static json_t *role_options(struct http_req *r, const char *selected)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ARRAY_LEN(role_names); i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", role_names[i], "label",
						   msg_or(r, "adm.role.", role_names[i], role_names[i]), "on",
						   selected && !strcmp(selected, role_names[i])));
	return a;
}

/* The actor's organisations (those where it holds any of the roles in mask)
 * as select options: code, name, selected. */
static json_t *org_options(struct http_req *r, unsigned mask, const char *selected)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->actor->norgs; i++) {
		struct svc_org_info o;
		struct svc_err e = {0};
		if (!(r->actor->orgs[i].roles & mask))
			continue;
		const char *code = r->actor->orgs[i].code;
		bool ok = !svc_org_info(r->st, r->actor, code, &o, &e);
		char label[340];
		snprintf(label, sizeof label, "%s (%s)", ok ? o.name : code, code);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", code, "label", label, "on",
						   selected && !strcmp(selected, code)));
	}
	return a;
}

/* ---- import ---- */

static void import_form_page(struct http_req *r, const char *data, bool csv, const char *org, json_t *errors)
{
	json_t *d = json_object();
	json_object_set_new(d, "title", json_string(msg(r, "adm.import.title")));
	json_object_set_new(d, "data", json_string(data ? data : ""));
	json_object_set_new(d, "csv", json_boolean(csv));
	json_object_set_new(d, "orgs", org_options(r, PERM_EDIT, org));
	json_object_set_new(d, "operator", json_boolean(r->actor->operator));
	/* Who holds no redacteur role anywhere gets the reason, not a form that fails. */
	bool can = r->actor->operator;
	for (size_t i = 0; i < r->actor->norgs; i++)
		can |= auth_can(r->actor, r->actor->orgs[i].org_id, PERM_EDIT);
	json_object_set_new(d, "can_import", json_boolean(can));
	json_object_set_new(d, "data_error", json_null());
	if (json_array_size(errors))
		json_object_set(d, "data_error", json_object_get(json_array_get(errors, 0), "text"));
	set_errors(d, errors);
	web_page(r, "adm_import", d);
	if (json_array_size(errors))
		r->status = 422;
	json_decref(d);
}

static void import_form(struct http_req *r)
{
	if (!require_user(r))
		return;
	import_form_page(r, NULL, false, NULL, json_array());
}

/* One record of an import report, in words. */
static json_t *report_record(struct http_req *r, const json_t *rec)
{
	const char *action = json_string_value(json_object_get(rec, "action"));
	json_t *errs = json_array(), *e;
	size_t i;
	json_array_foreach(json_object_get(rec, "errors"), i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *message = json_string_value(json_object_get(e, "message"));
		const char *label = field && *field ? msg_or(r, "field.", field, field) : msg(r, "adm.import.record");
		const char *said = msg_or(r, "adm.code.", code, NULL);
		json_array_append_new(errs, json_pack("{s:s,s:s?,s:s?}", "field", label, "text", said, "detail", message));
	}
	json_int_t index = json_integer_value(json_object_get(rec, "index"));
	return json_pack("{s:I,s:O?,s:O?,s:s,s:b,s:b,s:o}", "number", index + 1, "name", json_object_get(rec, "name"), "id",
			 json_object_get(rec, "id"), "action", msg_or(r, "adm.action.", action, action ? action : ""),
			 "rejected", action && !strcmp(action, "rejected"), "has_problems", json_array_size(errs) > 0,
			 "problems", errs);
}

/* The report as page data: counts and one row per record. */
static void report_data(struct http_req *r, const json_t *report, json_t *d)
{
	json_t *rows = json_array(), *rec;
	size_t i;
	json_array_foreach(json_object_get(report, "records"), i, rec)
		json_array_append_new(rows, report_record(r, rec));
	static const char *const counts[] = {"created", "changed", "unchanged", "rejected"};
	for (size_t k = 0; k < ARRAY_LEN(counts); k++)
		json_object_set_new(d, counts[k], json_integer(json_integer_value(json_object_get(report, counts[k]))));
	json_object_set_new(d, "format", json_string(msg_or(r, "adm.format.",
							     json_string_value(json_object_get(report, "format")), "")));
	json_object_set_new(d, "has_rows", json_boolean(json_array_size(rows) > 0));
	json_object_set_new(d, "rows", rows);
}

struct import_input {
	const char *data, *org;
	bool csv, skip;
};

static bool import_input(struct http_req *r, struct import_input *in)
{
	const json_t *f = web_form(r);
	if (!f)
		return false;
	const char *format = form_get(f, "format"), *org = form_get(f, "organisatie");
	in->data = form_get(f, "data");
	in->csv = format && !strcmp(format, "csv");
	in->org = org && *org ? org : NULL;
	in->skip = form_get(f, "skip_invalid") != NULL;
	return true;
}

/* A file that cannot be read at all (not JSON, not CSV) goes back to the form. */
static void import_unreadable(struct http_req *r, const struct import_input *in, const struct svc_err *e)
{
	char text[512];
	if (e->line)
		snprintf(text, sizeof text, "%s (%s %d, %s %d)", msg(r, "adm.import.unreadable"), msg(r, "adm.import.line"),
			 e->line, msg(r, "adm.import.column"), e->column);
	else
		snprintf(text, sizeof text, "%s", msg(r, "adm.import.unreadable"));
	json_t *errors = json_array();
	json_array_append_new(errors, error_item("data", text, e->message));
	import_form_page(r, in->data, in->csv, in->org, errors);
}

/* A dry run numbers new records with IDs that the real import will not use
 * (they are drawn again); only IDs the file itself gives are kept. */
static void provisional_ids(const struct import_input *in, json_t *report)
{
	struct svc_err e = {0};
	json_t *records = NULL, *rec;
	size_t i;
	if (svc_read_records(in->data, strlen(in->data), in->csv, &records, &e))
		return;
	json_array_foreach(json_object_get(report, "records"), i, rec) {
		const char *action = json_string_value(json_object_get(rec, "action"));
		json_t *given = json_object_get(json_array_get(records, i), "lars");
		if (action && !strcmp(action, "created") && !json_is_string(given))
			json_object_set_new(rec, "id", json_null());
	}
	json_decref(records);
}

static void import_run(struct http_req *r, bool dry_run)
{
	struct import_input in = {0};
	struct svc_err e = {0};
	json_t *report = NULL;
	if (!require_user(r) || !import_input(r, &in))
		return;
	if (!in.data || !*in.data) {
		json_t *errors = json_array();
		json_array_append_new(errors, error_item("data", msg(r, "adm.import.empty"), NULL));
		import_form_page(r, in.data, in.csv, in.org, errors);
		return;
	}
	int flags = (dry_run ? IMPORT_DRY_RUN : 0) | (in.skip ? IMPORT_SKIP_INVALID : 0);
	int rc = svc_import(r->st, r->actor, in.data, strlen(in.data), in.csv, in.org, flags, &report, NULL, &e);
	if (rc && !report) {
		if (rc == 400 || rc == 422)
			import_unreadable(r, &in, &e);
		else
			svc_failed(r, &e);
		return;
	}
	json_t *d = json_object();
	if (dry_run || rc)  /* nothing was stored: no ID was given out */
		provisional_ids(&in, report);
	report_data(r, report, d);
	long long rejected = json_integer_value(json_object_get(report, "rejected"));
	long long storable = json_integer_value(json_object_get(report, "created")) +
			     json_integer_value(json_object_get(report, "changed"));
	json_object_set_new(d, "title", json_string(msg(r, dry_run ? "adm.preview.title"
									: rc ? "adm.result.rejected_title" : "adm.result.title")));
	json_object_set_new(d, "dry_run", json_boolean(dry_run));
	json_object_set_new(d, "stored", json_boolean(!dry_run && !rc));
	json_object_set_new(d, "nothing_stored", json_boolean(!dry_run && rc));
	json_object_set_new(d, "has_rejected", json_boolean(rejected > 0));
	/* A confirmation only makes sense when something would be stored. */
	json_object_set_new(d, "can_confirm", json_boolean((dry_run || rc) && storable > 0));
	json_object_set_new(d, "would", json_boolean(dry_run || rc));
	json_object_set_new(d, "nothing_to_do", json_boolean(dry_run && storable == 0));
	json_object_set_new(d, "data", json_string(in.data));
	json_object_set_new(d, "csv", json_boolean(in.csv));
	json_object_set_new(d, "organisatie", in.org ? json_string(in.org) : json_null());
	json_object_set_new(d, "skip", json_boolean(in.skip));
	web_page(r, "adm_import_report", d);
	if (rc && !dry_run)
		r->status = rc == 403 ? 403 : 422;
	json_decref(d);
	json_decref(report);
}

static void import_preview(struct http_req *r)
{
	import_run(r, true);
}

static void import_confirm(struct http_req *r)
{
	import_run(r, false);
}

/* ---- people and roles ---- */

struct people_ctx {
	struct http_req *r;
	const char *code;
	json_t *rows;
};

static int person_cb(void *ctx, const struct user *u, json_t *roles)
{
	struct people_ctx *p = ctx;
	json_t *mine = json_array(), *ro;
	size_t i;
	/* Only the roles in this organisation: the others are not this beheerder's business. */
	json_array_foreach(roles, i, ro)
		if (!strcmp(json_string_value(json_object_get(ro, "organisation")), p->code))
			json_array_append_new(mine, json_string(msg_or(p->r, "adm.role.",
								       json_string_value(json_object_get(ro, "role")),
								       json_string_value(json_object_get(ro, "role")))));
	const char *status = u->disabled ? "disabled" : u->password_hash ? "active" : "pending";
	json_array_append_new(p->rows, json_pack("{s:s,s:o,s:s,s:b,s:b,s:b,s:o}", "email", u->email, "roles", mine,
						 "status", msg_or(p->r, "adm.people.status.", status, status), "disabled",
						 u->disabled, "self", u->id == p->r->actor->user_id, "can_disable",
						 !u->disabled && u->id != p->r->actor->user_id, "created",
						 when_iso(u->created_at, web_lang(p->r))));
	return 0;
}

/* The organisation of the route for a beheerder: renders an error otherwise. */
static bool managed_org(struct http_req *r, struct svc_org_info *o)
{
	struct svc_err e = {0};
	if (svc_org_info(r->st, r->actor, r->params[0], o, &e)) {
		svc_failed(r, &e);
		return false;
	}
	if (!auth_can(r->actor, o->id, PERM_MANAGE)) {
		web_error(r, 403, "adm.error.not_manager");
		return false;
	}
	return true;
}

static void people_page(struct http_req *r, const struct svc_org_info *o, const char *email, const char *role,
			json_t *errors)
{
	struct svc_err e = {0};
	struct people_ctx p = {r, o->code, json_array()};
	if (svc_user_list(r->st, r->actor, o->code, person_cb, &p, &e)) {
		json_decref(p.rows);
		json_decref(errors);
		svc_failed(r, &e);
		return;
	}
	json_t *d = json_object();
	char title[400], base[128];
	snprintf(title, sizeof title, "%s - %s", msg(r, "adm.people.title"), o->name);
	snprintf(base, sizeof base, "/werkruimte/organisaties/%s/mensen", o->code);
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "org", json_pack("{s:s,s:s}", "code", o->code, "name", o->name));
	json_object_set_new(d, "base", json_string(base));
	json_object_set_new(d, "people", p.rows);
	json_object_set_new(d, "roles", role_options(r, role ? role : "redacteur"));
	json_object_set_new(d, "email", json_string(email ? email : ""));
	json_object_set_new(d, "email_error", json_null());
	json_object_set_new(d, "role_error", json_null());
	size_t i;
	json_t *x;
	json_array_foreach(errors, i, x) {
		const char *t = json_string_value(json_object_get(x, "target"));
		json_object_set(d, t && !strcmp(t, "f-role") ? "role_error" : "email_error", json_object_get(x, "text"));
	}
	set_errors(d, errors);
	notice(r, d);
	web_page(r, "adm_people", d);
	if (json_array_size(errors))
		r->status = 422;
	json_decref(d);
}

static void people(struct http_req *r)
{
	struct svc_org_info o;
	if (!require_user(r) || !managed_org(r, &o))
		return;
	people_page(r, &o, NULL, NULL, json_array());
}

/* Shows a one-time link on the page that made it: the only time it is seen. */
static void link_page(struct http_req *r, const struct svc_org_info *o, const char *email, const char *secret,
		      bool reset)
{
	struct buf path, url;
	char back[128];
	buf_init(&path, 0);
	buf_init(&url, 0);
	buf_puts(&path, "/account/wachtwoord?link=");
	url_encode(&path, secret);
	absolute_url(r, buf_str(&path), &url);
	snprintf(back, sizeof back, "/werkruimte/organisaties/%s/mensen", o->code);
	json_t *d = json_pack("{s:s,s:s,s:s,s:o,s:b,s:s}", "title", msg(r, reset ? "adm.link.reset_title" : "adm.link.title"),
			      "email", email, "link", buf_str(&url), "expires",
			      when_unix((long long)time(NULL) + ONETIME_SECONDS, web_lang(r)), "reset", reset, "back", back);
	json_object_set_new(d, "hours", json_integer(ONETIME_SECONDS / 3600));
	web_page(r, "adm_link", d);
	json_decref(d);
	buf_cleanup(&path);
	buf_cleanup(&url);
}

static void people_add(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_err e = {0};
	char secret[128];
	const json_t *f;
	if (!require_user(r) || !(f = web_form(r)) || !managed_org(r, &o))
		return;
	const char *email = form_get(f, "email"), *role = form_get(f, "role");
	int rc = svc_user_add(r->st, r->actor, email ? email : "", o.code, role ? role : "", NULL, secret, sizeof secret, &e);
	if (rc == 422) {
		json_t *errors = json_array();
		const char *field = e.errs.n ? e.errs.e[0].field : "email";
		bool is_role = !strcmp(field, "role");
		json_array_append_new(errors, error_item(is_role ? "f-role" : "f-email",
							 msg(r, is_role ? "adm.people.role_invalid" : "adm.people.email_invalid"),
							 NULL));
		people_page(r, &o, email, role, errors);
	} else if (rc) {
		svc_failed(r, &e);
	} else if (*secret) {
		link_page(r, &o, email, secret, false);
	} else {
		/* An existing account got a role: it has its password already. */
		char where[160];
		snprintf(where, sizeof where, "/werkruimte/organisaties/%s/mensen?gedaan=toegevoegd", o.code);
		web_redirect(r, where);
	}
}

static void people_disable(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_err e = {0};
	const json_t *f;
	char where[160];
	if (!require_user(r) || !(f = web_form(r)) || !managed_org(r, &o))
		return;
	const char *email = form_get(f, "email");
	if (svc_user_disable(r->st, r->actor, email, &e))
		return svc_failed(r, &e);
	snprintf(where, sizeof where, "/werkruimte/organisaties/%s/mensen?gedaan=uitgeschakeld", o.code);
	web_redirect(r, where);
}

static void people_reset(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_err e = {0};
	char secret[128];
	const json_t *f;
	if (!require_user(r) || !(f = web_form(r)) || !managed_org(r, &o))
		return;
	const char *email = form_get(f, "email");
	if (svc_user_reset_link(r->st, r->actor, email, secret, sizeof secret, &e))
		return svc_failed(r, &e);
	link_page(r, &o, email, secret, true);
}

/* ---- API tokens ---- */

struct token_ctx {
	struct http_req *r;
	json_t *rows;
};

static int token_cb(void *ctx, const struct token *t)
{
	struct token_ctx *c = ctx;
	const char *lang = web_lang(c->r);
	bool expired = t->expires_at <= (long long)time(NULL);
	const char *status = t->revoked_at ? "revoked" : expired ? "expired" : "active";
	json_array_append_new(c->rows, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:b}", "id", (json_int_t)t->id, "name",
						  *t->name ? t->name : msg(c->r, "adm.tokens.unnamed"), "organisation",
						  t->org_code ? t->org_code : msg(c->r, "adm.tokens.all_orgs"), "role",
						  t->role ? msg_or(c->r, "adm.role.", t->role, t->role) : msg(c->r, "adm.tokens.own_roles"),
						  "created", when_iso(t->created_at, lang), "expires", when_unix(t->expires_at, lang),
						  "last_used", t->last_used_at ? when_iso(t->last_used_at, lang)
									 : json_string(msg(c->r, "adm.tokens.never")),
						  "status", msg_or(c->r, "adm.tokens.status.", status, status), "active",
						  !t->revoked_at && !expired));
	return 0;
}

static void tokens_page(struct http_req *r, const char *name, const char *org, const char *role, const char *days,
			json_t *errors)
{
	struct svc_err e = {0};
	struct token_ctx c = {r, json_array()};
	if (svc_token_list(r->st, r->actor, r->actor->label, token_cb, &c, &e)) {
		json_decref(c.rows);
		json_decref(errors);
		return svc_failed(r, &e);
	}
	json_t *d = json_object();
	json_object_set_new(d, "title", json_string(msg(r, "adm.tokens.title")));
	json_object_set_new(d, "has_tokens", json_boolean(json_array_size(c.rows) > 0));
	json_object_set_new(d, "tokens", c.rows);
	json_object_set_new(d, "name", json_string(name ? name : ""));
	json_object_set_new(d, "days", json_string(days ? days : "90"));
	json_object_set_new(d, "orgs", org_options(r, PERM_READ, org));
	json_object_set_new(d, "roles", role_options(r, role));
	static const char *const targets[] = {"f-name", "f-org", "f-role", "f-days"};
	static const char *const keys[] = {"name_error", "org_error", "role_error", "days_error"};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		json_object_set_new(d, keys[i], json_null());
	size_t i;
	json_t *x;
	json_array_foreach(errors, i, x)
		for (size_t k = 0; k < ARRAY_LEN(targets); k++)
			if (!strcmp(json_string_value(json_object_get(x, "target")), targets[k]))
				json_object_set(d, keys[k], json_object_get(x, "text"));
	set_errors(d, errors);
	notice(r, d);
	web_page(r, "adm_tokens", d);
	if (json_array_size(errors))
		r->status = 422;
	json_decref(d);
}

static void tokens(struct http_req *r)
{
	if (!require_user(r))
		return;
	tokens_page(r, NULL, NULL, NULL, NULL, json_array());
}

static void token_create(struct http_req *r)
{
	struct svc_err e = {0};
	char secret[64];
	long long id = 0, days = 0;
	const json_t *f;
	if (!require_user(r) || !(f = web_form(r)))
		return;
	const char *name = form_get(f, "name"), *org = form_get(f, "organisatie"), *role = form_get(f, "role");
	const char *ds = form_get(f, "days");
	org = org && *org ? org : NULL;
	role = role && *role ? role : NULL;
	json_t *errors = json_array();
	if (!name || !*name)
		json_array_append_new(errors, error_item("f-name", msg(r, "adm.tokens.name_required"), NULL));
	if (!ds || util_parse_int(ds, 1, 366, &days))
		json_array_append_new(errors, error_item("f-days", msg(r, "adm.tokens.days_invalid"), NULL));
	if (json_array_size(errors))
		return tokens_page(r, name, org, role, ds, errors);
	int rc = svc_token_create(r->st, r->actor, r->actor->label, name, org, role, (int)days, secret, &id, &e);
	if (rc == 422) {
		const char *field = e.errs.n ? e.errs.e[0].field : "";
		const char *target = !strcmp(field, "role") ? "f-role" : !strcmp(field, "organisation") ? "f-org" : "f-days";
		json_array_append_new(errors, error_item(target, msg_or(r, "adm.tokens.error.", field, msg(r, "adm.error.failed")),
							 NULL));
		return tokens_page(r, name, org, role, ds, errors);
	}
	json_decref(errors);
	if (rc == 404 && org)  /* an unknown organisation code in the form */
		return tokens_page(r, name, NULL, role, ds,
				   json_pack("[o]", error_item("f-org", msg(r, "adm.tokens.error.organisation"), NULL)));
	if (rc)
		return svc_failed(r, &e);
	json_t *d = json_pack("{s:s,s:s,s:s,s:o}", "title", msg(r, "adm.token.title"), "token", secret, "name", name,
			      "expires", when_unix((long long)time(NULL) + days * 86400, web_lang(r)));
	web_page(r, "adm_token", d);
	json_decref(d);
}

static void token_revoke(struct http_req *r)
{
	struct svc_err e = {0};
	long long id;
	if (!require_user(r) || !web_form(r))
		return;
	if (util_parse_int(r->params[0], 1, 0x7fffffffffffffffLL, &id))
		return web_error(r, 404, "error.not_found");
	if (svc_token_revoke(r->st, r->actor, id, &e))
		return svc_failed(r, &e);
	web_redirect(r, "/werkruimte/tokens?gedaan=ingetrokken");
}

/* ---- organisation settings ---- */

/* The house-style part of the settings page: what is set, and the form's text
 * (css_input when the form comes back with an error, else what is served). */
static void theme_data(struct http_req *r, const struct svc_org_info *o, const char *css_input, json_t *d)
{
	struct svc_theme t;
	struct svc_err e = {0};
	struct buf css, href;
	char action[128];
	buf_init(&css, 0);
	buf_init(&href, 0);
	buf_puts(&href, "/organisaties/");
	url_encode(&href, o->code);
	snprintf(action, sizeof action, "/werkruimte/organisaties/%s/huisstijl", o->code);
	if (!svc_theme_get(r->st, o->code, &t, &css, &e))
		json_object_set_new(d, "theme", json_pack("{s:i,s:o,s:s}", "tokens", t.tokens, "updated",
							  when_iso(t.updated_at, web_lang(r)), "org_href", buf_str(&href)));
	json_object_set_new(d, "theme_action", json_string(action));
	json_object_set_new(d, "css", json_string(css_input ? css_input : buf_str(&css)));
	buf_cleanup(&css);
	buf_cleanup(&href);
}

static void settings_page(struct http_req *r, const struct svc_org_info *o, json_t *errors, const char *css_input)
{
	char title[400], action[128];
	json_t *d = json_object();
	snprintf(title, sizeof title, "%s - %s", msg(r, "adm.settings.title"), o->name);
	snprintf(action, sizeof action, "/werkruimte/organisaties/%s/instellingen", o->code);
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "org", json_pack("{s:s,s:s}", "code", o->code, "name", o->name));
	json_object_set_new(d, "action", json_string(action));
	json_object_set_new(d, "two_step", json_boolean(strcmp(o->mode, "one-step") != 0));
	json_object_set_new(d, "one_step", json_boolean(!strcmp(o->mode, "one-step")));
	json_object_set_new(d, "mode_error", json_null());
	json_object_set_new(d, "css_error", json_null());
	size_t i;
	json_t *x;
	json_array_foreach(errors, i, x)
		json_object_set(d, strcmp(json_string_value(json_object_get(x, "target")), "f-css") ? "mode_error" : "css_error",
				json_object_get(x, "text"));
	theme_data(r, o, css_input, d);
	set_errors(d, errors);
	notice(r, d);
	web_page(r, "adm_settings", d);
	if (json_array_size(json_object_get(d, "errors")))
		r->status = 422;
	json_decref(d);
}

static void settings(struct http_req *r)
{
	struct svc_org_info o;
	if (!require_user(r) || !managed_org(r, &o))
		return;
	settings_page(r, &o, json_array(), NULL);
}

static void settings_post(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_err e = {0};
	const json_t *f;
	char where[160];
	if (!require_user(r) || !(f = web_form(r)) || !managed_org(r, &o))
		return;
	int rc = svc_org_set_mode(r->st, r->actor, o.code, form_get(f, "publication_mode"), &e);
	if (rc == 422) {
		json_t *errors = json_array();
		json_array_append_new(errors, error_item("mode-two-step", msg(r, "adm.settings.choose"), NULL));
		return settings_page(r, &o, errors, NULL);
	}
	if (rc)
		return svc_failed(r, &e);
	snprintf(where, sizeof where, "/werkruimte/organisaties/%s/instellingen?gedaan=opgeslagen", o.code);
	web_redirect(r, where);
}

/* The error of a token file the service refused, in the page's language: where
 * and why, with the service's own words (which name the property) as detail. */
static json_t *theme_error(struct http_req *r, const struct svc_err *e)
{
	char text[400];
	const char *code = e->errs.n ? e->errs.e[0].code : "";
	const char *cause = msg_or(r, "adm.theme.error.", code, msg(r, "adm.error.failed"));
	if (e->line)
		snprintf(text, sizeof text, "%s %d, %s %d: %s", msg(r, "adm.theme.line"), e->line, msg(r, "adm.import.column"),
			 e->column, cause);
	else
		snprintf(text, sizeof text, "%s", cause);
	return error_item("f-css", text, e->errs.n ? e->errs.e[0].message : NULL);
}

static void theme_post(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_theme t;
	struct svc_err e = {0};
	const json_t *f;
	char where[160];
	if (!require_user(r) || !(f = web_form(r)) || !managed_org(r, &o))
		return;
	const char *css = form_get(f, "css");
	int rc = svc_theme_set(r->st, r->actor, o.code, css ? css : "", css ? strlen(css) : 0, &t, &e);
	if (rc == 422)
		return settings_page(r, &o, json_pack("[o]", theme_error(r, &e)), css ? css : "");
	if (rc)
		return svc_failed(r, &e);
	snprintf(where, sizeof where, "/werkruimte/organisaties/%s/instellingen?gedaan=huisstijl_opgeslagen",
		 o.code);
	web_redirect(r, where);
}

static void theme_clear(struct http_req *r)
{
	struct svc_org_info o;
	struct svc_err e = {0};
	char where[160];
	if (!require_user(r) || !web_form(r) || !managed_org(r, &o))
		return;
	if (svc_theme_clear(r->st, r->actor, o.code, &e))
		return svc_failed(r, &e);
	snprintf(where, sizeof where, "/werkruimte/organisaties/%s/instellingen?gedaan=huisstijl_verwijderd",
		 o.code);
	web_redirect(r, where);
}

/* ---- setting a password with a one-time link ---- */

static void password_page(struct http_req *r, const char *link, json_t *errors, bool link_dead)
{
	json_t *d = json_object();
	json_object_set_new(d, "title", json_string(msg(r, "adm.password.title")));
	json_object_set_new(d, "link", json_string(link ? link : ""));
	json_object_set_new(d, "has_link", json_boolean(link && *link && !link_dead));
	json_object_set_new(d, "link_dead", json_boolean(link_dead));
	json_object_set_new(d, "no_link", json_boolean(!link || !*link));
	json_object_set_new(d, "password_error", json_null());
	json_object_set_new(d, "password2_error", json_null());
	size_t i;
	json_t *x;
	json_array_foreach(errors, i, x)
		json_object_set(d, strcmp(json_string_value(json_object_get(x, "target")), "f-password2") ? "password_error"
													   : "password2_error",
				json_object_get(x, "text"));
	set_errors(d, errors);
	web_page(r, "adm_password", d);
	if (json_array_size(errors) || link_dead)
		r->status = link_dead ? 404 : 422;
	json_decref(d);
}

static void password_form(struct http_req *r)
{
	password_page(r, http_query(r, "link"), json_array(), false);
}

/* The CLI and the API print /account/password?link=...; the pages are Dutch. */
static void password_alias(struct http_req *r)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "/account/wachtwoord");
	const char *link = http_query(r, "link");
	if (link) {
		buf_puts(&b, "?link=");
		url_encode(&b, link);
	}
	web_redirect(r, buf_str(&b));
	buf_cleanup(&b);
}

static void password_post(struct http_req *r)
{
	struct svc_err e = {0};
	const json_t *f = web_form(r);
	if (!f)
		return;
	const char *link = form_get(f, "link"), *pw = form_get(f, "password"), *pw2 = form_get(f, "password2");
	json_t *errors = json_array();
	if (!pw || !pw2 || strcmp(pw, pw2))
		json_array_append_new(errors, error_item("f-password2", msg(r, "adm.password.mismatch"), NULL));
	if (json_array_size(errors))
		return password_page(r, link, errors, false);
	int rc = svc_user_set_password(r->st, link ? link : "", pw, &e);
	if (rc == 422) {
		json_array_append_new(errors, error_item("f-password", msg(r, "adm.password.too_short"), NULL));
		return password_page(r, link, errors, false);
	}
	json_decref(errors);
	if (rc == 404)
		return password_page(r, link, json_array(), true);
	if (rc)
		return svc_failed(r, &e);
	json_t *d = json_pack("{s:s}", "title", msg(r, "adm.password.done_title"));
	web_page(r, "adm_password_done", d);
	json_decref(d);
}

static const struct http_route routes[] = {
	{"GET", "/werkruimte/import", import_form, 0},
	{"POST", "/werkruimte/import/voorbeeld", import_preview, HTTP_IMPORT_MAX},
	{"POST", "/werkruimte/import", import_confirm, HTTP_IMPORT_MAX},
	{"GET", "/werkruimte/organisaties/{}/mensen", people, 0},
	{"POST", "/werkruimte/organisaties/{}/mensen", people_add, 0},
	{"POST", "/werkruimte/organisaties/{}/mensen/uitschakelen", people_disable, 0},
	{"POST", "/werkruimte/organisaties/{}/mensen/herstellink", people_reset, 0},
	{"GET", "/werkruimte/tokens", tokens, 0},
	{"POST", "/werkruimte/tokens", token_create, 0},
	{"POST", "/werkruimte/tokens/{}/intrekken", token_revoke, 0},
	{"GET", "/werkruimte/organisaties/{}/instellingen", settings, 0},
	{"POST", "/werkruimte/organisaties/{}/instellingen", settings_post, 0},
	{"POST", "/werkruimte/organisaties/{}/huisstijl", theme_post, 0},
	{"POST", "/werkruimte/organisaties/{}/huisstijl/verwijderen", theme_clear, 0},
	{"GET", "/account/wachtwoord", password_form, 0},
	{"POST", "/account/wachtwoord", password_post, 0},
	{"GET", "/account/password", password_alias, 0},
};

const struct http_route *web_admin_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
