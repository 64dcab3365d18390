/* web_public.c - the public register: search with filters and counts, the
 * detail page of a published entry, open-data downloads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reg.h"
#include "svc.h"
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

#define PAGE_SIZE 20

struct list_ctx {
	json_t *items;
};

static int result_cb(void *ctx, const struct algo_summary *a)
{
	json_t *cats = json_loads(a->category, 0, NULL);
	json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:o}", "id", a->lars, "name", a->name,
					     "org_code", a->org_code, "org_name", a->org_name, "description",
					     a->description_short, "status", a->status, "publication_category",
					     a->publication_category, "category", cats ? cats : json_array()));
	return 0;
}

struct facet_ctx {
	json_t *values;
	const char *selected;
};

static int facet_cb(void *ctx, const char *value, const char *label, long long count)
{
	struct facet_ctx *f = ctx;
	json_array_append_new(f->values, json_pack("{s:s,s:s,s:I,s:b}", "value", value, "label", label ? label : value,
						   "count", (json_int_t)count, "selected",
						   f->selected && !strcmp(f->selected, value)));
	return 0;
}

/* The filters of the search form, as (query parameter, facet, message key). */
static const struct {
	const char *param, *facet, *label;
} filters[] = {
	{"organisatie", "organisation", "filter.organisation"},
	{"soort", "org_type", "filter.org_type"},
	{"publicatiecategorie", "publication_category", "filter.publication_category"},
	{"status", "status", "filter.status"},
	{"thema", "category", "filter.category"},
};

/* Builds a query string from the current parameters with one changed. */
static void page_link(struct http_req *r, long long page, struct buf *out)
{
	const char *q = http_query(r, "q"), *sort = http_query(r, "sort");
	buf_puts(out, "/?");
	if (q) {
		buf_puts(out, "q=");
		for (const unsigned char *p = (const unsigned char *)q; *p; p++)
			buf_printf(out, ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
					? "%c" : "%%%02X", *p);
		buf_putc(out, '&');
	}
	for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
		const char *v = http_query(r, filters[i].param);
		if (!v)
			continue;
		buf_printf(out, "%s=", filters[i].param);
		for (const unsigned char *p = (const unsigned char *)v; *p; p++)
			buf_printf(out, ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
					? "%c" : "%%%02X", *p);
		buf_putc(out, '&');
	}
	if (sort)
		buf_printf(out, "sort=%s&", !strcmp(sort, "updated") ? "updated" : !strcmp(sort, "name") ? "name" : "relevance");
	buf_printf(out, "page=%lld", page);
}

static void search(struct http_req *r)
{
	struct algo_query q = {.limit = PAGE_SIZE};
	struct svc_err e = {0};
	struct buf fts, link;
	long long page = 1, total = 0;
	const char *v, *sort = http_query(r, "sort");
	const char *lang = web_lang(r);
	json_t *d = json_object(), *items = json_array(), *facets = json_array();
	if ((v = http_query(r, "page")) && util_parse_int(v, 1, 100000, &page))
		page = 1;
	q.offset = (page - 1) * q.limit;
	q.org_code = http_query(r, "organisatie");
	q.org_type = http_query(r, "soort");
	q.publication_category = http_query(r, "publicatiecategorie");
	q.status = http_query(r, "status");
	q.category = http_query(r, "thema");
	q.sort = sort && !strcmp(sort, "updated") ? SORT_UPDATED : sort && !strcmp(sort, "name") ? SORT_NAME : SORT_DEFAULT;
	buf_init(&fts, 4096);
	buf_init(&link, 0);
	if ((v = http_query(r, "q")) && svc_fts_query(v, &fts))
		q.fts = buf_str(&fts);
	if (svc_algo_list(r->st, r->actor, false, &q, &total, result_cb, items, &e)) {
		web_error(r, e.status, "error.title");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
		struct facet_ctx f = {json_array(), http_query(r, filters[i].param)};
		svc_algo_facet(r->st, r->actor, false, &q, filters[i].facet, facet_cb, &f, &e);
		json_array_append_new(facets, json_pack("{s:s,s:s,s:s,s:o}", "param", filters[i].param, "facet",
							filters[i].facet, "label", tmpl_message(filters[i].label, lang),
							"values", f.values));
	}
	long long pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	json_object_set_new(d, "title", json_string(tmpl_message("search.title", lang)));
	json_object_set_new(d, "q", json_string(http_query(r, "q") ? http_query(r, "q") : ""));
	json_object_set_new(d, "results", items);
	json_object_set_new(d, "facets", facets);
	json_object_set_new(d, "total", json_integer(total));
	json_object_set_new(d, "page", json_integer(page));
	json_object_set_new(d, "pages", json_integer(pages));
	json_object_set_new(d, "sort_name", json_boolean(q.sort == SORT_NAME));
	json_object_set_new(d, "sort_updated", json_boolean(q.sort == SORT_UPDATED));
	if (page > 1) {
		page_link(r, page - 1, &link);
		json_object_set_new(d, "prev", json_string(buf_str(&link)));
	}
	if (page < pages) {
		buf_reset(&link);
		page_link(r, page + 1, &link);
		json_object_set_new(d, "next", json_string(buf_str(&link)));
	}
	web_page(r, "search", d);
	items = facets = NULL;
out:
	json_decref(d);
	buf_cleanup(&fts);
	buf_cleanup(&link);
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
};

static int detail_cb(void *ctx, const struct algo_view *v)
{
	struct detail_ctx *d = ctx;
	d->record = json_loads(v->algo->record, 0, NULL);
	d->meta = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s}", "id", v->algo->lars, "version", v->algo->version, "status",
			    v->algo->status, "org_code", v->algo->org_code, "org_name", v->algo->org_name, "updated_at",
			    v->algo->updated_at, "created_at", v->algo->created_at);
	return 0;
}

static int version_cb(void *ctx, int version, const char *created_at, const char *status)
{
	json_array_append_new(ctx, json_pack("{s:i,s:s,s:s}", "version", version, "date", created_at, "status", status));
	return 0;
}

/* A field's value for the page: text (sanitised HTML is shown as HTML), a list,
 * or links. */
static json_t *field_view(const char *key, json_t *v, const char *lang)
{
	const struct reg_field *f = reg_field(key);
	char mk[64];
	snprintf(mk, sizeof mk, "field.%s", key);
	json_t *o = json_pack("{s:s,s:s}", "key", key, "label", tmpl_message(mk, lang));
	if (f && f->type == REG_LINKS) {
		json_object_set(o, "links", v);
	} else if (json_is_array(v)) {
		json_object_set(o, "list", v);
	} else if (f && f->html) {
		json_object_set(o, "html", v);
	} else if (f && (f->format == REG_FMT_URL || (f->format == REG_FMT_CONTACT && !strchr(json_string_value(v), '@')))) {
		json_object_set(o, "url", v);
	} else if (f && f->format == REG_FMT_CONTACT) {
		json_object_set(o, "email", v);
	} else {
		json_object_set(o, "text", v);
	}
	return o;
}

static void detail(struct http_req *r)
{
	struct detail_ctx dc = {0};
	struct svc_err e = {0};
	const char *lang = web_lang(r);
	long long version = 0;
	const char *vq = http_query(r, "versie");
	if (vq && util_parse_int(vq, 1, 1000000000, &version))
		version = 0;
	/* The public page shows what the public may see, also to members. */
	if (svc_algo_get(r->st, &auth_anonymous, r->params[0], (int)version, detail_cb, &dc, &e))
		return web_error(r, 404, "error.not_found");
	json_t *secs = json_array(), *versions = json_array();
	for (size_t i = 0; i < ARRAY_LEN(sections); i++) {
		json_t *fields = json_array();
		for (size_t j = 0; j < ARRAY_LEN(sections[i].fields) && sections[i].fields[j]; j++) {
			json_t *v = json_object_get(dc.record, sections[i].fields[j]);
			if (v)
				json_array_append_new(fields, field_view(sections[i].fields[j], v, lang));
		}
		if (json_array_size(fields))
			json_array_append_new(secs, json_pack("{s:s,s:s,s:o}", "id", sections[i].key + 8, "title",
							      tmpl_message(sections[i].key, lang), "fields", fields));
		else
			json_decref(fields);
	}
	svc_algo_versions(r->st, &auth_anonymous, r->params[0], version_cb, versions, &e);
	json_t *cls = NULL;
	struct svc_err ce = {0};
	svc_class_get(r->st, &auth_anonymous, r->params[0], &cls, &ce);
	json_t *d = json_pack("{s:O?,s:O,s:o,s:o}", "title", json_object_get(dc.record, "name"), "algo", dc.meta,
			      "sections", secs, "versions", versions);
	json_object_set(d, "record", dc.record);
	if (cls) {
		json_object_set_new(d, "classification",
				    json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?}", "risk_group",
					      json_object_get(json_object_get(cls, "assessment"), "risk_group"),
					      "publication_category",
					      json_object_get(json_object_get(cls, "assessment"), "publication_category"),
					      "obligations", json_object_get(json_object_get(cls, "assessment"), "obligations"),
					      "rules", json_object_get(json_object_get(cls, "assessment"), "rules"),
					      "conclusion", json_object_get(cls, "conclusion")));
		json_decref(cls);
	}
	web_page(r, "detail", d);
	json_decref(d);
	json_decref(dc.record);
	json_decref(dc.meta);
}

/* ---- open data ---- */

static void download(struct http_req *r, bool csv)
{
	struct svc_err e = {0};
	if (svc_export(r->st, &auth_anonymous, false, http_query(r, "organisatie"), csv, &r->out, &e))
		return web_error(r, e.status, "error.title");
	r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
	http_set_header(r, "Content-Disposition", csv ? "attachment; filename=\"algoritmeregister.csv\""
						   : "attachment; filename=\"algoritmeregister.json\"");
}

static void download_json(struct http_req *r)
{
	download(r, false);
}

static void download_csv(struct http_req *r)
{
	download(r, true);
}

static const struct http_route routes[] = {
	{"GET", "/", search, 0},
	{"GET", "/algoritmes/{}", detail, 0},
	{"GET", "/register.json", download_json, 0},
	{"GET", "/register.csv", download_csv, 0},
};

const struct http_route *web_public_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
