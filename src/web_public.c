/* web_public.c - the public register: search with filters and counts, across all
 * organisations or for one; the list of organisations; the detail page of a
 * published entry; open-data downloads (JSON, CSV, XLSX) of what a search shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "csv.h"
#include "reg.h"
#include "svc.h"
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

#define PAGE_SIZE 20
/* Excel keeps at most this many characters in a cell. */
#define XLSX_CELL_MAX 32767
/* The raw export a filtered download is cut from. */
#define EXPORT_MAX (256u << 20)

/* ---- dates ---- */

/* Sets key in o to the date view of s ({"iso", "text"}); a time stamp shows
 * as its day, which is what the public needs. */
static void set_date(json_t *o, const char *key, const char *s, const char *lang)
{
	char day[11];
	if (s && strlen(s) > 10) {
		snprintf(day, sizeof day, "%s", s);
		s = day;
	}
	json_object_set_new(o, key, s ? web_date(s, lang) : json_pack("{s:s,s:s}", "iso", "", "text", ""));
}

/* ---- query strings ---- */

/* Appends s percent-encoded: only RFC 3986's unreserved characters stay as they are. */
static void put_enc(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~')
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
}

void web_theme_url(const char *org_code, const char *hash, struct buf *out)
{
	buf_puts(out, "/organisaties/");
	put_enc(out, org_code);
	buf_printf(out, "/huisstijl.css?v=%.16s", hash);
}

/* Links the organisation's house style, if it has one, from a page of it
 * ("theme_css" in the layout: after the default theme, which it overrides). */
static void set_house_style(struct http_req *r, json_t *d, const char *org_code)
{
	struct svc_theme t;
	struct svc_err e = {0};
	struct buf url;
	if (svc_theme_get(r->st, org_code, &t, NULL, &e))
		return;
	buf_init(&url, 0);
	web_theme_url(org_code, t.hash, &url);
	json_object_set_new(d, "theme_css", json_string(buf_str(&url)));
	buf_cleanup(&url);
}

/* GET /organisaties/{code}/huisstijl.css: the URL carries the version, so the
 * versioned address may be kept for a year; without it (or with an old one)
 * the browser asks again, and the ETag spares sending it unchanged. */
static void house_style(struct http_req *r)
{
	struct svc_theme t;
	struct svc_err e = {0};
	char etag[70];
	if (svc_theme_get(r->st, r->params[0], &t, &r->out, &e)) {
		buf_reset(&r->out);
		return web_error(r, e.status == 404 ? 404 : 500, e.status == 404 ? "error.not_found" : "error.title");
	}
	const char *v = http_query(r, "v"), *inm = http_header(r, "If-None-Match");
	snprintf(etag, sizeof etag, "\"%s\"", t.hash);
	http_set_header(r, "ETag", etag);
	http_set_header(r, "Cache-Control", v && strlen(v) == 16 && !strncmp(v, t.hash, 16)
						    ? "public, max-age=31536000, immutable" : "public, no-cache");
	r->content_type = "text/css; charset=utf-8";
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		buf_reset(&r->out);
		r->status = 304;
	}
}

/* The filters of the search form, as (query parameter, facet, message key).
 * The first two are left out of one organisation's page. */
static const struct {
	const char *param, *facet, *label;
} filters[] = {
	{"organisatie", "organisation", "filter.organisation"},
	{"soort", "org_type", "filter.org_type"},
	{"publicatiecategorie", "publication_category", "filter.publication_category"},
	{"status", "status", "filter.status"},
	{"thema", "category", "filter.category"},
};
#define ORG_FILTERS 2

/* Appends the request's search as query parameters, each followed by '&': the
 * text, the filters (without the organisation's own ones when scoped), and the
 * sort when with_sort. */
static void put_params(struct http_req *r, bool scoped, bool with_sort, struct buf *out)
{
	const char *q = http_query(r, "q"), *sort = http_query(r, "sort");
	if (q && *q) {
		buf_puts(out, "q=");
		put_enc(out, q);
		buf_putc(out, '&');
	}
	for (size_t i = scoped ? ORG_FILTERS : 0; i < ARRAY_LEN(filters); i++) {
		const char *v = http_query(r, filters[i].param);
		if (!v || !*v)
			continue;
		buf_printf(out, "%s=", filters[i].param);
		put_enc(out, v);
		buf_putc(out, '&');
	}
	if (with_sort && sort && (!strcmp(sort, "updated") || !strcmp(sort, "name")))
		buf_printf(out, "sort=%s&", sort);
}

/* True when the request narrows the register beyond one organisation. */
static bool narrowed(struct http_req *r)
{
	const char *q = http_query(r, "q");
	if (q && *q)
		return true;
	for (size_t i = 1; i < ARRAY_LEN(filters); i++) {
		const char *v = http_query(r, filters[i].param);
		if (v && *v)
			return true;
	}
	return false;
}

/* The search a request asks for. */
struct search {
	struct algo_query q;
	struct buf fts;
	long long page;
};

/* Reads the search from the request; org_code, when set, is the page's own
 * organisation and overrides the filter. */
static void search_init(struct http_req *r, const char *org_code, struct search *s)
{
	const char *v, *sort = http_query(r, "sort");
	memset(s, 0, sizeof *s);
	s->q.limit = PAGE_SIZE;
	s->page = 1;
	if ((v = http_query(r, "page")) && util_parse_int(v, 1, 100000, &s->page))
		s->page = 1;
	s->q.offset = (s->page - 1) * s->q.limit;
	for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
		const char **dst[] = {&s->q.org_code, &s->q.org_type, &s->q.publication_category, &s->q.status,
				      &s->q.category};
		v = http_query(r, filters[i].param);
		*dst[i] = v && *v ? v : NULL;
	}
	if (org_code) {
		s->q.org_code = org_code;
		s->q.org_type = NULL;
	}
	s->q.sort = sort && !strcmp(sort, "updated") ? SORT_UPDATED
		    : sort && !strcmp(sort, "name")  ? SORT_NAME
						      : SORT_DEFAULT;
	buf_init(&s->fts, 4096);
	if ((v = http_query(r, "q")) && svc_fts_query(v, &s->fts))
		s->q.fts = buf_str(&s->fts);
}

static void search_cleanup(struct search *s)
{
	buf_cleanup(&s->fts);
}

/* ---- search ---- */

static int result_cb(void *ctx, const struct algo_summary *a)
{
	struct buf href;
	json_t *cats = json_loads(a->category, 0, NULL);
	buf_init(&href, 0);
	buf_puts(&href, "/organisaties/");
	put_enc(&href, a->org_code);
	json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:o}", "id", a->lars, "name",
					     a->name, "org_code", a->org_code, "org_name", a->org_name, "org_href",
					     buf_str(&href), "description", a->description_short, "status",
					     a->status, "publication_category", a->publication_category,
					     "category", cats ? cats : json_array()));
	buf_cleanup(&href);
	return 0;
}

struct facet_ctx {
	json_t *values;
	const char *selected;
	const char *lang;
	bool org_type;
};

static int facet_cb(void *ctx, const char *value, const char *label, long long count)
{
	struct facet_ctx *f = ctx;
	char key[80];
	if (f->org_type) {
		/* Organisation types are words of the code; their names are messages. */
		snprintf(key, sizeof key, "pub.org_type.%s", value);
		label = tmpl_message(key, f->lang);
		if (!strcmp(label, key))
			label = value;
	}
	json_array_append_new(f->values, json_pack("{s:s,s:s,s:I,s:b}", "value", value, "label", label ? label : value,
						   "count", (json_int_t)count, "selected",
						   f->selected && !strcmp(f->selected, value)));
	return 0;
}

/* The organisation of an organisation's page. */
struct org_info {
	char code[65], name[256], type[32];
};

static int org_cb(void *ctx, const struct org *o)
{
	struct org_info *oi = ctx;
	snprintf(oi->code, sizeof oi->code, "%s", o->code);
	snprintf(oi->name, sizeof oi->name, "%s", o->name);
	snprintf(oi->type, sizeof oi->type, "%s", o->type ? o->type : "");
	return 0;
}

/* The download links of what the page shows: the same text and filters. */
static void set_downloads(struct http_req *r, json_t *d, const struct org_info *org)
{
	static const char *const fmts[] = {"json", "csv", "xlsx"};
	for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
		struct buf b;
		char key[16];
		buf_init(&b, 0);
		buf_printf(&b, "/register.%s?", fmts[i]);
		if (org) {
			buf_puts(&b, "organisatie=");
			put_enc(&b, org->code);
			buf_putc(&b, '&');
		}
		put_params(r, org != NULL, false, &b);
		b.data[--b.len] = '\0'; /* the last '&' or '?' */
		snprintf(key, sizeof key, "dl_%s", fmts[i]);
		json_object_set_new(d, key, json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
}

/* The search page: of the whole register, or of one organisation (org). */
static void search_page(struct http_req *r, const struct org_info *org)
{
	struct search s;
	struct svc_err e = {0};
	struct buf base, link;
	long long total = 0;
	const char *lang = web_lang(r);
	json_t *d = json_object(), *items = json_array(), *facets = json_array();
	search_init(r, org ? org->code : NULL, &s);
	buf_init(&base, 0);
	buf_init(&link, 0);
	if (svc_algo_list(r->st, r->actor, false, &s.q, &total, result_cb, items, &e)) {
		web_error(r, e.status, "error.title");
		json_decref(items);
		json_decref(facets);
		goto out;
	}
	for (size_t i = org ? ORG_FILTERS : 0; i < ARRAY_LEN(filters); i++) {
		struct facet_ctx f = {json_array(), http_query(r, filters[i].param), lang,
				      !strcmp(filters[i].facet, "org_type")};
		svc_algo_facet(r->st, r->actor, false, &s.q, filters[i].facet, facet_cb, &f, &e);
		json_array_append_new(facets, json_pack("{s:s,s:s,s:s,s:o}", "param", filters[i].param, "facet",
							filters[i].facet, "label", tmpl_message(filters[i].label, lang),
							"values", f.values));
	}
	long long pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	if (org) {
		buf_puts(&base, "/organisaties/");
		put_enc(&base, org->code);
		char tkey[80];
		snprintf(tkey, sizeof tkey, "pub.org_type.%s", org->type);
		json_object_set_new(d, "title", json_string(org->name));
		json_object_set_new(d, "org", json_pack("{s:s,s:s,s:s}", "code", org->code, "name", org->name,
							"type", strcmp(tmpl_message(tkey, lang), tkey)
								? tmpl_message(tkey, lang) : org->type));
	} else {
		buf_puts(&base, "/");
		json_object_set_new(d, "title", json_string(tmpl_message("search.title", lang)));
	}
	json_object_set_new(d, "action", json_string(buf_str(&base)));
	json_object_set_new(d, "q", json_string(http_query(r, "q") ? http_query(r, "q") : ""));
	json_object_set_new(d, "has_results", json_boolean(json_array_size(items) > 0));
	json_object_set_new(d, "results", items);
	json_object_set_new(d, "facets", facets);
	json_object_set_new(d, "total", json_integer(total));
	json_object_set_new(d, "page", json_integer(s.page));
	json_object_set_new(d, "pages", json_integer(pages ? pages : 1));
	json_object_set_new(d, "sort_name", json_boolean(s.q.sort == SORT_NAME));
	json_object_set_new(d, "sort_updated", json_boolean(s.q.sort == SORT_UPDATED));
	for (int dir = -1; dir <= 1; dir += 2) {
		/* Past the last page, "previous" leads back to the last one. */
		long long p = dir < 0 && s.page > pages ? pages : s.page + dir;
		if (p < 1 || p > pages)
			continue;
		buf_reset(&link);
		buf_printf(&link, "%s?", buf_str(&base));
		put_params(r, org != NULL, true, &link);
		buf_printf(&link, "page=%lld", p);
		json_object_set_new(d, dir < 0 ? "prev" : "next", json_string(buf_str(&link)));
	}
	set_downloads(r, d, org);
	if (org)
		set_house_style(r, d, org->code);
	web_page(r, org ? "pub_org" : "search", d);
out:
	json_decref(d);
	buf_cleanup(&base);
	buf_cleanup(&link);
	search_cleanup(&s);
}

static void search(struct http_req *r)
{
	search_page(r, NULL);
}

static void org_page(struct http_req *r)
{
	struct org_info oi = {0};
	/* Organisations are public; their names come straight from the store, as the
	 * API's GET /api/v1/organisations/{code} does (svc has no reader for one). */
	if (store_org_get(r->st, r->params[0], org_cb, &oi) || !oi.code[0])
		return web_error(r, 404, "error.not_found");
	search_page(r, &oi);
}

/* ---- organisations ---- */

static int orgs_cb(void *ctx, const char *value, const char *label, long long count)
{
	struct buf href;
	buf_init(&href, 0);
	buf_puts(&href, "/organisaties/");
	put_enc(&href, value);
	json_array_append_new(ctx, json_pack("{s:s,s:s,s:I}", "href", buf_str(&href), "name", label ? label : value,
					     "count", (json_int_t)count));
	buf_cleanup(&href);
	return 0;
}

/* The organisations with published algorithms, with their numbers. */
static void orgs_page(struct http_req *r)
{
	struct algo_query q = {.limit = 1};
	struct svc_err e = {0};
	const char *lang = web_lang(r);
	json_t *list = json_array();
	if (svc_algo_facet(r->st, r->actor, false, &q, "organisation", orgs_cb, list, &e)) {
		json_decref(list);
		return web_error(r, e.status, "error.title");
	}
	json_t *d = json_pack("{s:s,s:o,s:I}", "title", tmpl_message("pub.orgs.title", lang), "orgs", list, "count",
			      (json_int_t)json_array_size(list));
	web_page(r, "pub_orgs", d);
	json_decref(d);
}

/* ---- detail ---- */

/* The register's order of sections on a detail page, each with its fields. */
static const struct {
	const char *key;         /* message key of the section heading */
	const char *fields[4];
} sections[] = {
	{"section.goal", {"goal"}},
	{"section.considerations", {"proportionality"}},
	{"section.human", {"human_intervention"}},
	{"section.risks", {"risks"}},
	{"section.legal", {"lawful_basis", "lawful_basis_grouping"}},
	{"section.impact", {"impacttoetsen", "impacttoetsen_grouping"}},
	{"section.data", {"source_data", "source_data_grouping", "process_index_url"}},
	{"section.technical", {"methods_and_models", "publiccode"}},
	{"section.provider", {"provider"}},
	{"section.dates", {"begin_date", "end_date", "publication_dt"}},
	{"section.contact", {"contact_email", "website", "url"}},
};

struct detail_ctx {
	json_t *record;
	json_t *meta;
	const char *lang;
};

static int detail_cb(void *ctx, const struct algo_view *v)
{
	struct detail_ctx *d = ctx;
	struct buf href;
	buf_init(&href, 0);
	buf_puts(&href, "/organisaties/");
	put_enc(&href, v->algo->org_code);
	d->record = json_loads(v->algo->record, 0, NULL);
	d->meta = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "id", v->algo->lars, "version", v->algo->version, "status",
			    v->algo->status, "org_code", v->algo->org_code, "org_name", v->algo->org_name, "org_href",
			    buf_str(&href));
	set_date(d->meta, "updated", v->algo->updated_at, d->lang);
	buf_cleanup(&href);
	return 0;
}

/* A workflow state ("ter beoordeling") in lang. */
static const char *state_label(const char *state, const char *lang)
{
	char key[64];
	size_t n = (size_t)snprintf(key, sizeof key, "pub.state.%s", state ? state : "");
	for (size_t i = 10; i < n && i < sizeof key; i++)
		if (key[i] == ' ')
			key[i] = '_';
	const char *m = tmpl_message(key, lang);
	return strcmp(m, key) ? m : state ? state : "";
}

static int version_cb(void *ctx, int version, const char *created_at, const char *status)
{
	struct detail_ctx *d = ctx;
	json_t *o = json_pack("{s:i,s:s}", "version", version, "status", state_label(status, d->lang));
	set_date(o, "date", created_at, d->lang);
	json_array_append_new(d->meta, o);
	return 0;
}

/* True for a link the page may follow: http(s) only. The register validates URL
 * fields on input; this keeps anything else that got in (older data) a text. */
static bool safe_href(const char *s)
{
	return s && (!strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7));
}

/* A URL as the text of its link: invisible and direction-changing characters
 * (zero-width, bidi embeddings, overrides and isolates, BOM) percent-encoded, so
 * that the text shows where the link goes ("http://x.nl/\u202Eexe.js" would read
 * "http://x.nl/sj.exe"). */
static json_t *url_text(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned cp = 0;
		if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) || (p[2] >= 0xAA && p[2] <= 0xAE)))
			cp = 1;
		else if (p[0] == 0xE2 && p[1] == 0x81 && ((p[2] >= 0xA0 && p[2] <= 0xA4) || (p[2] >= 0xA6 && p[2] <= 0xA9)))
			cp = 1;
		else if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			cp = 1;
		if (cp) {
			buf_printf(&b, "%%%02X%%%02X%%%02X", p[0], p[1], p[2]);
			p += 2;
		} else {
			buf_putc(&b, (char)*p);
		}
	}
	json_t *v = json_string(buf_str(&b));
	buf_cleanup(&b);
	return v ? v : json_string("");
}

/* A field's value for the page: text (sanitised HTML is shown as HTML), a date,
 * a list, or links. */
static json_t *field_view(const char *key, json_t *v, const char *lang)
{
	const struct reg_field *f = reg_field(key);
	const char *s = json_string_value(v);
	char mk[64];
	snprintf(mk, sizeof mk, "field.%s", key);
	json_t *o = json_pack("{s:s,s:s}", "key", key, "label", tmpl_message(mk, lang));
	if (f && f->type == REG_LINKS && json_is_array(v)) {
		json_t *links = json_array(), *item;
		size_t i;
		json_array_foreach(v, i, item) {
			const char *link = json_string_value(json_object_get(item, "link"));
			const char *title = json_string_value(json_object_get(item, "title"));
			/* Every key set: a missing one would be looked up in the outer scopes. */
			json_array_append_new(links, json_pack("{s:s,s:s}", "link", safe_href(link) ? link : "",
							       "title", title ? title : link ? link : ""));
		}
		json_object_set_new(o, "links", links);
	} else if (json_is_array(v)) {
		json_object_set(o, "list", v);
	} else if (!s) {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_object_set_new(o, "text", json_string(t ? t : ""));
		free(t);
	} else if (f && f->html) {
		json_object_set(o, "html", v);
	} else if (f && (f->format == REG_FMT_MONTH || f->format == REG_FMT_DAY)) {
		set_date(o, "date", s, lang);
	} else if (f && (f->format == REG_FMT_URL || f->format == REG_FMT_CONTACT) && safe_href(s)) {
		json_object_set(o, "url", v);
		json_object_set_new(o, "url_text", url_text(s));
	} else if (f && f->format == REG_FMT_CONTACT && strchr(s, '@')) {
		json_object_set(o, "email", v);
	} else {
		json_object_set(o, "text", v);
	}
	return o;
}

/* The AI Act part of the page from a stored classification, in lang. */
static json_t *classification_view(json_t *cls, const char *lang)
{
	bool en = !strcmp(lang, "en");
	json_t *as = json_object_get(cls, "assessment"), *rules = json_object_get(as, "rules");
	json_t *obl = json_array(), *o;
	size_t i;
	json_array_foreach(json_object_get(as, "obligations"), i, o) {
		json_t *t = json_object_get(o, en ? "title_en" : "title_nl");
		const char *title = json_string_value(t ? t : json_object_get(o, "title_nl"));
		const char *article = json_string_value(json_object_get(o, "article"));
		const char *role = json_string_value(json_object_get(o, "role"));
		json_t *item = json_pack("{s:s,s:s,s:s}", "title", title ? title : "", "article", article ? article : "",
					 "role", role ? role : "");
		set_date(item, "applies_from", json_string_value(json_object_get(o, "applies_from")), lang);
		json_array_append_new(obl, item);
	}
	json_t *tl = json_object_get(rules, en ? "timeline_title_en" : "timeline_title_nl");
	const char *hrs = json_string_value(json_object_get(as, "high_risk_applies_from"));
	json_t *hr = hrs ? web_date(hrs, lang) : NULL;
	json_t *v = json_pack("{s:O?,s:O?,s:O?,s:o,s:b,s:o?}", "risk_group", json_object_get(as, "risk_group"),
			      "publication_category", json_object_get(as, "publication_category"), "timeline", tl,
			      "obligations", obl, "has_obligations", json_array_size(obl) > 0, "high_risk_from", hr);
	return v;
}

static void detail(struct http_req *r)
{
	struct detail_ctx dc = {.lang = web_lang(r)};
	struct svc_err e = {0};
	const char *lang = dc.lang;
	long long version = 0;
	const char *vq = http_query(r, "versie");
	if (vq && util_parse_int(vq, 1, 1000000000, &version))
		version = 0;
	/* The public page shows what the public may see, also to members. */
	if (svc_algo_get(r->st, &auth_anonymous, r->params[0], (int)version, detail_cb, &dc, &e) || !dc.record)
		return web_error(r, 404, "error.not_found");
	json_t *secs = json_array(), *versions = json_array();
	for (size_t i = 0; i < ARRAY_LEN(sections); i++) {
		json_t *fields = json_array();
		for (size_t j = 0; j < ARRAY_LEN(sections[i].fields) && sections[i].fields[j]; j++) {
			json_t *v = json_object_get(dc.record, sections[i].fields[j]), *fv;
			if (!v)
				continue;
			fv = field_view(sections[i].fields[j], v, lang);
			/* No subheading that only repeats the section's heading. */
			if (!strcmp(json_string_value(json_object_get(fv, "label")), tmpl_message(sections[i].key, lang)))
				json_object_set_new(fv, "label", json_string(""));
			json_array_append_new(fields, fv);
		}
		if (json_array_size(fields))
			json_array_append_new(secs, json_pack("{s:s,s:s,s:o}", "id", sections[i].key + 8, "title",
							      tmpl_message(sections[i].key, lang), "fields", fields));
		else
			json_decref(fields);
	}
	json_t *meta = dc.meta;
	dc.meta = versions;
	svc_algo_versions(r->st, &auth_anonymous, r->params[0], version_cb, &dc, &e);
	dc.meta = meta;
	json_t *cls = NULL;
	struct svc_err ce = {0};
	svc_class_get(r->st, &auth_anonymous, r->params[0], &cls, &ce);
	json_t *d = json_pack("{s:O?,s:O,s:o,s:o}", "title", json_object_get(dc.record, "name"), "algo", dc.meta,
			      "sections", secs, "versions", versions);
	json_object_set(d, "record", dc.record);
	if (cls) {
		json_object_set_new(d, "classification", classification_view(cls, lang));
		json_decref(cls);
	}
	set_house_style(r, d, json_string_value(json_object_get(dc.meta, "org_code")));
	web_page(r, "detail", d);
	json_decref(d);
	json_decref(dc.record);
	json_decref(dc.meta);
}

/* ---- open data ---- */

enum dl_format { DL_JSON, DL_CSV, DL_XLSX };

static int id_cb(void *ctx, const struct algo_summary *a)
{
	json_object_set_new(ctx, a->lars, json_true());
	return 0;
}

/* A record's value in a CSV or XLSX column, as svc_export writes it: strings as
 * they are, other values as compact JSON, absent ones empty. *tofree is for free(). */
static const char *cell(const json_t *rec, const char *col, char **tofree)
{
	json_t *v = json_object_get(rec, col);
	*tofree = NULL;
	if (!v)
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	*tofree = json_dumps(v, JSON_COMPACT);
	return *tofree ? *tofree : "";
}

static int write_csv(const json_t *recs, struct buf *out)
{
	const json_t *rec;
	size_t i;
	int rc = 0;
	for (size_t c = 0; !rc && c < svc_csv_ncolumns; c++)
		rc = csv_write_field(out, svc_csv_columns[c]);
	if (!rc)
		rc = csv_write_eol(out);
	json_array_foreach(recs, i, rec) {
		for (size_t c = 0; !rc && c < svc_csv_ncolumns; c++) {
			char *f;
			rc = csv_write_field(out, cell(rec, svc_csv_columns[c], &f));
			free(f);
		}
		if (!rc)
			rc = csv_write_eol(out);
		if (rc)
			break;
	}
	return rc;
}

/* Cuts s at the last whole UTF-8 character within max bytes (into tmp). */
static const char *xlsx_fit(const char *s, char *tmp, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return s;
	for (n = max; n && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
		;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return tmp;
}

/* Writes recs as a workbook with the CSV's columns, a bold header row, into out.
 * libxlsxwriter writes only to a named file: a private temporary one, removed
 * before returning. */
static int write_xlsx(const json_t *recs, struct buf *out)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/aireg-xlsx-XXXXXX", dir && *dir && strlen(dir) < 400 ? dir : "/tmp");
	char *tmp = xmalloc(XLSX_CELL_MAX + 1);
	int fd = mkstemp(path), rc = -1;
	FILE *f = NULL;
	if (fd < 0)
		goto out;
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		goto out;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Algoritmeregister");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (size_t c = 0; c < svc_csv_ncolumns; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, svc_csv_columns[c], bold);
	worksheet_freeze_panes(ws, 1, 0);
	const json_t *rec;
	size_t i;
	json_array_foreach(recs, i, rec) {
		for (size_t c = 0; c < svc_csv_ncolumns; c++) {
			char *fr;
			const char *v = cell(rec, svc_csv_columns[c], &fr);
			if (*v)
				worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c,
						       xlsx_fit(v, tmp, XLSX_CELL_MAX), NULL);
			free(fr);
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		goto out;
	if (!(f = fopen(path, "rb")))
		goto out;
	char chunk[65536];
	size_t n;
	rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_append(out, chunk, n);
	if (ferror(f))
		rc = -1;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		unlink(path);
	free(tmp);
	return rc;
}

/* The published register (of one organisation with ?organisatie=), narrowed
 * by the search page's text and filters when given, as JSON, CSV or XLSX. */
static void download(struct http_req *r, enum dl_format fmt)
{
	static const char *const types[] = {
		"application/json",
		"text/csv; charset=utf-8",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	};
	static const char *const exts[] = {"json", "csv", "xlsx"};
	struct svc_err e = {0};
	struct search s;
	struct buf raw;
	json_t *all = NULL, *ids = NULL, *recs = NULL;
	const char *org = http_query(r, "organisatie");
	bool narrow = narrowed(r);
	int rc = 0;
	if (org && !*org)
		org = NULL;
	search_init(r, NULL, &s);
	buf_init(&raw, EXPORT_MAX);
	if (!narrow && fmt != DL_XLSX) {
		/* The whole register or one organisation: the export as it is. */
		if (svc_export(r->st, &auth_anonymous, false, org, fmt == DL_CSV, &r->out, &e)) {
			buf_reset(&r->out);
			web_error(r, e.status, e.status == 404 ? "error.not_found" : "error.title");
			goto out;
		}
	} else {
		if (svc_export(r->st, &auth_anonymous, false, org, false, &raw, &e)) {
			web_error(r, e.status, e.status == 404 ? "error.not_found" : "error.title");
			goto out;
		}
		all = raw.data ? json_loadb(raw.data, raw.len, 0, NULL) : json_array();
		if (narrow) {
			long long total = 0;
			ids = json_object();
			s.q.offset = 0;
			s.q.limit = 1LL << 40;
			if (svc_algo_list(r->st, &auth_anonymous, false, &s.q, &total, id_cb, ids, &e)) {
				web_error(r, e.status, "error.title");
				goto out;
			}
			recs = json_array();
			json_t *rec;
			size_t i;
			json_array_foreach(all, i, rec) {
				if (json_object_get(ids, json_string_value(json_object_get(rec, "lars"))))
					json_array_append(recs, rec);
			}
		} else {
			recs = json_incref(all);
		}
		if (!recs) {
			web_error(r, 500, "error.title");
			goto out;
		}
		if (fmt == DL_JSON) {
			char *js = json_dumps(recs, JSON_COMPACT);
			rc = js ? buf_puts(&r->out, js) : -1;
			free(js);
		} else if (fmt == DL_CSV) {
			rc = write_csv(recs, &r->out);
		} else {
			rc = write_xlsx(recs, &r->out);
		}
		if (rc) {
			buf_reset(&r->out);
			web_error(r, 500, "error.title");
			goto out;
		}
	}
	r->content_type = types[fmt];
	/* The organisation's code names the file only when it is a plain word (it
	 * is known by now: svc_export refused an unknown one). */
	bool plain = org != NULL && strlen(org) <= 64;
	for (const char *p = org; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			*p == '_';
	char cd[160];
	snprintf(cd, sizeof cd, "attachment; filename=\"algoritmeregister%s%s.%s\"", plain ? "-" : "",
		 plain ? org : "", exts[fmt]);
	http_set_header(r, "Content-Disposition", cd);
out:
	json_decref(all);
	json_decref(ids);
	json_decref(recs);
	buf_cleanup(&raw);
	search_cleanup(&s);
}

static void download_json(struct http_req *r)
{
	download(r, DL_JSON);
}

static void download_csv(struct http_req *r)
{
	download(r, DL_CSV);
}

static void download_xlsx(struct http_req *r)
{
	download(r, DL_XLSX);
}

static const struct http_route routes[] = {
	{"GET", "/", search, 0},
	{"GET", "/algoritmes/{}", detail, 0},
	{"GET", "/organisaties", orgs_page, 0},
	{"GET", "/organisaties/{}", org_page, 0},
	{"GET", "/organisaties/{}/huisstijl.css", house_style, 0},
	{"GET", "/register.json", download_json, 0},
	{"GET", "/register.csv", download_csv, 0},
	{"GET", "/register.xlsx", download_xlsx, 0},
};

const struct http_route *web_public_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
