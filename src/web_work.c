/* web_work.c - the workspace of a logged-in civil servant: the dashboard of
 * their organisations, the list of their algorithms, creating one, the
 * algorithm page (registration, AI Act, versions, publication workflow) and
 * the edit form generated from the register's field configuration.
 *
 * Handlers only parse, call services (svc.h, svc_dashboard.h) and build the
 * data for the templates web/templates/work_*.html; the messages are in
 * web/i18n/work.tsv. Everything works without JavaScript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "form.h"
#include "reg.h"
#include "svc.h"
#include "svc_dashboard.h"
#include "svc_internal.h"  /* svc_record_diff: the version diff is the audit trail's own */
#include "tmpl.h"
#include "util.h"
#include "web.h"
#include "web_pages.h"

#define LIST_PAGE_SIZE 25
#define MAX_LINK_ROWS 100     /* rows of one link list accepted from a form */
#define EMPTY_LINK_ROWS 2     /* empty rows offered below the filled ones */
#define MAX_DIFF_VERSIONS 50  /* versions whose diff the algorithm page shows */
#define MAX_OVERDUE_ROWS 50   /* obligations in force listed on the dashboard */
#define DASH_LIST_ROWS 25     /* drafts and released algorithms listed on the dashboard */
#define DASH_DATE_ROWS 10     /* algorithms listed per deadline on the dashboard */

/* ---- small helpers ---- */

static const char *msg(const char *key, const char *lang)
{
	return tmpl_message(key, lang);
}

/* Appends s percent-encoded for a query string or path segment. */
static void url_encode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~')
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* The workspace is for people who logged in; everyone else goes to the log-in
 * page, which comes back here afterwards. Returns false after redirecting. */
static bool require_user(struct http_req *r)
{
	if (r->actor && r->actor->kind == ACTOR_USER)
		return true;
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "/inloggen?next=");
	/* A workflow step is a POST only: come back to the algorithm's page. */
	const char *last = strrchr(r->path, '/');
	size_t n = strlen(r->path);
	if (!strcmp(r->method, "POST") && last && strcmp(last, "/bewerken") && strcmp(last, "/nieuw"))
		n = (size_t)(last - r->path);
	char *back = xstrndup(r->path, n);
	url_encode(&b, back);
	free(back);
	web_redirect(r, buf_str(&b));
	buf_cleanup(&b);
	return false;
}

/* The actor's roles in an organisation (0: none). */
static unsigned roles_in(const struct actor *a, const char *org_code)
{
	for (size_t i = 0; a && org_code && i < a->norgs; i++)
		if (!strcmp(a->orgs[i].code, org_code))
			return a->orgs[i].roles;
	return 0;
}

static void today_iso(char out[11])
{
	char now[21];
	util_now_iso(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

static json_t *date_json(const char *iso, const char *lang)
{
	return web_date(iso, lang);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm), for laying
 * out the timeline. */
static long days_of(const char *iso)
{
	int y, m, d, hh, mm;
	if (!web_parse_date(iso, &y, &m, &d, &hh, &mm) || d < 0)
		return 0;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* ---- the register's values and their labels ---- */

struct label {
	const char *value, *key;
};

/* The first LISTED_STATES are the states a listed algorithm can be in (the
 * store leaves archived ones out); the rest name versions in the history. */
#define LISTED_STATES 4

static const struct label state_labels[] = {
	{"concept", "work.state.concept"},
	{"ter beoordeling", "work.state.review"},
	{"gepubliceerd", "work.state.published"},
	{"teruggetrokken", "work.state.retracted"},
	{"gearchiveerd", "work.state.archived"},
	{"afgewezen", "work.state.rejected"},
	{"vervangen", "work.state.superseded"},
};

/* The risk groups of the assessment (rules/obligations.yaml), in the order the
 * dashboard counts them; "geen" stands for not classified. */
static const struct label risk_labels[] = {
	{"verboden AI", "work.risk.prohibited"},
	{"hoog-risico AI", "work.risk.high"},
	{"geen hoog-risico AI", "work.risk.not_high"},
	{"uitzondering van toepassing", "work.risk.exception"},
	{"niet van toepassing", "work.risk.not_applicable"},
	{"geen", "work.risk.none"},
};

static const struct label pubcat_labels[] = {
	{"Hoog-risico AI-systeem", "work.pubcat.high_risk"},
	{"Impactvolle algoritmes", "work.pubcat.impactful"},
	{"Overige algoritmes", "work.pubcat.other"},
	{"geen", "work.pubcat.none"},
};

static const struct label registration_labels[] = {
	{"none", "work.eureg.none"},
	{"national", "work.eureg.national"},
	{"eu-secure", "work.eureg.eu_secure"},
	{"eu-public", "work.eureg.eu_public"},
};

static const struct label role_labels[] = {
	{"aanbieder", "work.airole.provider"},
	{"gebruiksverantwoordelijke", "work.airole.deployer"},
	{"importeur", "work.airole.importer"},
	{"distributeur", "work.airole.distributor"},
};

static const struct label trace_labels[] = {
	{"risk_group", "work.trace.risk_group"},
	{"roles", "work.trace.roles"},
	{"high_risk_applies_from", "work.trace.high_risk_applies_from"},
	{"prohibition_applies_from", "work.trace.prohibition_applies_from"},
	{"marking_applies_from", "work.trace.marking_applies_from"},
	{"gpai_applies_from", "work.trace.gpai_applies_from"},
	{"fria_required", "work.trace.fria_required"},
	{"eu_registration", "work.trace.eu_registration"},
	{"publication_category", "work.trace.publication_category"},
	{"obligation", "work.trace.obligation"},
};

/* The label of value from a table, or value itself when the table lacks it. */
static const char *label_of(const struct label *t, size_t n, const char *value, const char *lang)
{
	for (size_t i = 0; value && i < n; i++)
		if (!strcmp(t[i].value, value))
			return msg(t[i].key, lang);
	return value ? value : "";
}

#define LABEL(table, value, lang) label_of(table, ARRAY_LEN(table), value, lang)

static int index_of(const struct label *t, size_t n, const char *value)
{
	for (size_t i = 0; value && i < n; i++)
		if (!strcmp(t[i].value, value))
			return (int)i;
	return -1;
}

/* A field's label in the page's language: the catalogue's "field.KEY" when it
 * has one, else the register's own (Dutch) title. */
static const char *field_label(const struct reg_field *f, const char *lang)
{
	char key[80];
	snprintf(key, sizeof key, "field.%s", f->key);
	const char *m = msg(key, lang);
	return strcmp(m, key) ? m : f->title ? f->title : f->key;
}

/* ---- the workspace's organisations ---- */

static int org_json_cb(void *ctx, const struct ws_org *o)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s,s:b,s:b,s:b,s:I}", "code", o->code, "name", o->name, "one_step",
					     !strcmp(o->publication_mode, "one-step"), "can_edit",
					     (o->roles & ROLE_REDACTEUR) != 0, "can_decide",
					     (o->roles & ROLE_GOEDKEURDER) != 0, "roles", (json_int_t)o->roles));
	return 0;
}

/* The actor's organisations as [{code, name, one_step, can_edit, can_decide}]. */
static json_t *my_orgs(struct http_req *r)
{
	struct svc_err e = {0};
	json_t *orgs = json_array();
	svc_ws_orgs(r->st, r->actor, org_json_cb, orgs, &e);
	return orgs;
}

/* The organisation code from a query if it is one of the actor's, else NULL. */
static const char *my_org_param(struct http_req *r, const char *name)
{
	const char *v = http_query(r, name);
	return v && *v && roles_in(r->actor, v) ? v : NULL;
}

static void mark_selected(json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
		json_object_set_new(o, "selected",
				    json_boolean(value && !strcmp(json_string_value(json_object_get(o, key)), value)));
}

/* [{value, label, selected}] from a label table. */
static json_t *options_of(const struct label *t, size_t n, size_t first, size_t count, const char *selected,
			  const char *lang)
{
	json_t *a = json_array();
	for (size_t i = first; i < n && i < first + count; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", t[i].value, "label", msg(t[i].key, lang),
						   "selected", selected && !strcmp(selected, t[i].value)));
	return a;
}

/* pattern with "{n}" replaced by n (the catalogue's way of placing a number). */
static void fill(const char *pattern, long long n, char *out, size_t outlen)
{
	const char *p = strstr(pattern, "{n}");
	if (!p)
		snprintf(out, outlen, "%s", pattern);
	else
		snprintf(out, outlen, "%.*s%lld%s", (int)(p - pattern), pattern, n, p + 3);
}

/* "1 verplichting" or "3 verplichtingen": base.one or base.many with {n}. */
static void plural(const char *base, long long n, const char *lang, char *out, size_t outlen)
{
	char key[80];
	snprintf(key, sizeof key, "%s.%s", base, n == 1 ? "one" : "many");
	fill(msg(key, lang), n, out, outlen);
}

/* ---- dashboard ---- */

struct dash {
	const char *lang;
	char today[11];
	long long n, publishable, completeness, drafts, overdue_total;
	json_t *by_state, *by_risk, *by_pubcat;  /* value -> count */
	json_t *concepts, *review, *overdue;
	json_t *deadlines;                       /* date -> {obligations, algorithms, algos [{id, name}], timelines {title: true}} */
};

static void add(json_t *counts, const char *key, long long n)
{
	json_int_t have = json_integer_value(json_object_get(counts, key));
	json_object_set_new(counts, key, json_integer(have + n));
}

/* Rows {label, count} for every value of the table (zeros too: an empty row
 * says as much as a full one), then any value the table does not know. */
static json_t *count_rows(json_t *counts, const struct label *t, size_t n, const char *lang)
{
	json_t *rows = json_array(), *v;
	const char *k;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:s,s:I}", "label", msg(t[i].key, lang), "count",
						      json_integer_value(json_object_get(counts, t[i].value))));
	json_object_foreach(counts, k, v)
		if (index_of(t, n, k) < 0)
			json_array_append_new(rows, json_pack("{s:s,s:O}", "label", k, "count", v));
	return rows;
}

static const char *timeline_title(json_t *assessment, const char *lang)
{
	json_t *rules = json_object_get(assessment, "rules");
	const char *t = json_string_value(json_object_get(rules, strcmp(lang, "en") ? "timeline_title_nl" : "timeline_title_en"));
	return t ? t : json_string_value(json_object_get(rules, "timeline"));
}

static const char *obligation_title(json_t *o, const char *lang)
{
	const char *t = json_string_value(json_object_get(o, strcmp(lang, "en") ? "title_nl" : "title_en"));
	return t ? t : json_string_value(json_object_get(o, "id"));
}

static int dash_count_cb(void *ctx, const struct dash_count *c)
{
	struct dash *d = ctx;
	d->n += c->algorithms;
	d->completeness += c->completeness;
	d->publishable += c->publishable;
	if (!strcmp(c->state, "concept"))
		d->drafts += c->algorithms - c->publishable;
	add(d->by_state, c->state, c->algorithms);
	add(d->by_risk, c->risk_group ? c->risk_group : "geen", c->algorithms);
	add(d->by_pubcat, c->publication_category ? c->publication_category : "geen", c->algorithms);
	return 0;
}

static json_t *deadline_slot(struct dash *d, const char *date)
{
	json_t *slot = json_object_get(d->deadlines, date);
	if (!slot) {
		slot = json_pack("{s:i,s:i,s:[],s:{}}", "obligations", 0, "algorithms", 0, "algos", "timelines");
		json_object_set_new(d->deadlines, date, slot);
	}
	return slot;
}

static int dash_date_cb(void *ctx, const struct dash_date *x)
{
	struct dash *d = ctx;
	if (strcmp(x->date, d->today) < 0) {
		d->overdue_total += x->obligations;
		return 0;
	}
	json_t *slot = deadline_slot(d, x->date);
	const char *tl = strcmp(d->lang, "en") ? x->timeline_nl : x->timeline_en;
	add(slot, "obligations", x->obligations);
	add(slot, "algorithms", x->algorithms);
	if (tl)
		json_object_set_new(json_object_get(slot, "timelines"), tl, json_true());
	return 0;
}

static int dash_date_algo_cb(void *ctx, const char *date, const char *lars, const char *name)
{
	json_array_append_new(json_object_get(deadline_slot(ctx, date), "algos"),
			      json_pack("{s:s,s:s}", "id", lars, "name", name ? name : lars));
	return 0;
}

static int dash_draft_cb(void *ctx, const struct algo_summary *s)
{
	struct dash *d = ctx;
	json_array_append_new(d->concepts, json_pack("{s:s,s:s,s:s,s:i}", "id", s->lars, "name", s->name ? s->name : s->lars,
						     "org_name", s->org_name, "completeness", s->completeness));
	return 0;
}

static int dash_released_cb(void *ctx, const struct algo_summary *s)
{
	struct dash *d = ctx;
	json_array_append_new(d->review, json_pack("{s:s,s:s,s:s,s:o}", "id", s->lars, "name", s->name ? s->name : s->lars,
						   "org_name", s->org_name, "date", date_json(s->updated_at, d->lang)));
	return 0;
}

static int dash_overdue_cb(void *ctx, const struct dash_obligation *o)
{
	struct dash *d = ctx;
	json_array_append_new(d->overdue, json_pack("{s:s,s:s,s:s?,s:s?,s:o}", "id", o->lars, "name", o->name ? o->name : o->lars,
						    "article", o->article, "obligation",
						    strcmp(d->lang, "en") ? o->title_nl : o->title_en, "date",
						    date_json(o->date, d->lang)));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The deadlines in date order: [{date, obligations, summary, algorithms [{id, name}], algos_more, timeline}]. */
static json_t *deadline_rows(struct dash *d)
{
	size_t n = json_object_size(d->deadlines), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof *keys), *k;
	json_t *v, *rows = json_array();
	json_object_foreach(d->deadlines, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_str);
	for (i = 0; i < n; i++) {
		json_t *slot = json_object_get(d->deadlines, keys[i]), *algos = json_object_get(slot, "algos");
		struct buf tl;
		char obl[64], alg[64], summary[160], more[96];
		json_int_t nobl = json_integer_value(json_object_get(slot, "obligations"));
		json_int_t nalg = json_integer_value(json_object_get(slot, "algorithms"));
		buf_init(&tl, 0);
		json_object_foreach(json_object_get(slot, "timelines"), k, v)
			buf_printf(&tl, "%s%s", tl.len ? "; " : "", k);
		plural("work.dash.n_obligations", nobl, d->lang, obl, sizeof obl);
		plural("work.dash.n_algorithms", nalg, d->lang, alg, sizeof alg);
		snprintf(summary, sizeof summary, "%s, %s", obl, alg);
		json_t *row = json_pack("{s:o,s:s,s:s,s:O,s:s}", "date", date_json(keys[i], d->lang), "obligations", obl,
					"summary", summary, "algorithms", algos, "timeline", buf_str(&tl));
		if (nalg > (json_int_t)json_array_size(algos)) {
			fill(msg("work.dash.more", d->lang), nalg - (json_int_t)json_array_size(algos), more, sizeof more);
			json_object_set_new(row, "algos_more", json_string(more));
		}
		json_array_append_new(rows, row);
		buf_cleanup(&tl);
	}
	free(keys);
	return rows;
}

/* "And 12 more." with a link to the list of algorithms in one state, when the
 * dashboard lists fewer than there are. */
static void more_link(struct http_req *r, json_t *data, const char *key, long long total, size_t shown,
		      const char *state, const char *sort)
{
	if (total <= (long long)shown)
		return;
	char text[96], name[48];
	struct buf href;
	buf_init(&href, 0);
	buf_puts(&href, "/werkruimte/algoritmes?fase=");
	url_encode(&href, state);
	if (sort)
		buf_printf(&href, "&sortering=%s", sort);
	const char *org = my_org_param(r, "organisatie");
	if (org) {
		buf_puts(&href, "&organisatie=");
		url_encode(&href, org);
	}
	fill(msg("work.dash.more", web_lang(r)), total - (long long)shown, text, sizeof text);
	json_object_set_new(data, key, json_string(text));
	snprintf(name, sizeof name, "%s_href", key);
	json_object_set_new(data, name, json_string(buf_str(&href)));
	buf_cleanup(&href);
}

/* The inline SVG of the deadlines: a vertical time axis (it stays legible at
 * 320 px, where a horizontal one would shrink its text), today at the top, each
 * date a square at a height roughly proportional to its distance in time, kept
 * far enough apart for two lines of text. Only numbers go to the template. */
static json_t *timeline_svg(json_t *rows, const char *today, const char *lang)
{
	enum { TOP = 28, STEP = 56, MIN_GAP = 52 };
	size_t n = json_array_size(rows), i;
	json_t *row, *marks = json_array();
	long t0 = days_of(today), span = 1;
	if (n)
		span = days_of(json_string_value(json_object_get(json_object_get(json_array_get(rows, n - 1), "date"), "iso"))) - t0;
	if (span < 1)
		span = 1;
	long avail = (long)n * STEP > 240 ? (long)n * STEP : 240, prev = TOP;
	json_array_foreach(rows, i, row) {
		json_t *date = json_object_get(row, "date");
		long y = TOP + STEP + (days_of(json_string_value(json_object_get(date, "iso"))) - t0) * (avail - STEP) / span;
		if (y < prev + MIN_GAP)
			y = prev + MIN_GAP;
		json_array_append_new(marks, json_pack("{s:I,s:I,s:I,s:O,s:O}", "ry", (json_int_t)(y - 7), "ty1",
						       (json_int_t)(y + 5), "ty2", (json_int_t)(y + 24), "date_text",
						       json_object_get(date, "text"), "summary", json_object_get(row, "summary")));
		prev = y;
	}
	char text[96], label[160], box[32];
	web_date_text(today, lang, text, sizeof text);
	snprintf(label, sizeof label, "%s: %s", msg("work.dash.today", lang), text);
	snprintf(box, sizeof box, "0 0 320 %ld", prev + 40);
	return json_pack("{s:s,s:I,s:i,s:I,s:i,s:i,s:s,s:o}", "viewbox", box, "height", (json_int_t)(prev + 40), "axis_y1",
			 TOP, "axis_y2", (json_int_t)(prev + 24), "today_y", TOP, "today_ty", TOP + 5, "today_label",
			 label, "marks", marks);
}

static void dashboard(struct http_req *r)
{
	if (!require_user(r))
		return;
	const char *lang = web_lang(r);
	struct dash d = {.lang = lang};
	struct svc_err e = {0};
	struct ws_dashboard q = {
		.org_code = my_org_param(r, "organisatie"), .today = d.today, .list_limit = DASH_LIST_ROWS,
		.per_date = DASH_DATE_ROWS, .overdue_limit = MAX_OVERDUE_ROWS, .ctx = &d,
		.count = dash_count_cb, .date = dash_date_cb, .date_algo = dash_date_algo_cb, .draft = dash_draft_cb,
		.released = dash_released_cb, .overdue = dash_overdue_cb,
	};
	today_iso(d.today);
	d.by_state = json_object();
	d.by_risk = json_object();
	d.by_pubcat = json_object();
	d.concepts = json_array();
	d.review = json_array();
	d.overdue = json_array();
	d.deadlines = json_object();
	json_t *orgs = my_orgs(r), *data = json_pack("{s:o}", "orgs", orgs);
	mark_selected(orgs, "code", q.org_code);
	if (svc_ws_dashboard(r->st, r->actor, &q, &e)) {
		web_error(r, e.status, "error.title");
		goto out;
	}
	json_t *rows = deadline_rows(&d);
	struct buf names;
	buf_init(&names, 0);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *t = json_string_value(json_object_get(row, "timeline"));
		if (*t && !strstr(buf_str(&names), t))
			buf_printf(&names, "%s%s", names.len ? "; " : "", t);
	}
	char avg[16], tl_title[512];
	snprintf(avg, sizeof avg, "%lld%%", d.n ? (d.completeness + d.n / 2) / d.n : 0);
	snprintf(tl_title, sizeof tl_title, "%s: %s", msg("work.dash.timeline_name", lang), buf_str(&names));
	json_object_set_new(data, "title", json_string(msg("work.dash.title", lang)));
	json_object_set_new(data, "many_orgs", json_boolean(json_array_size(orgs) > 1));
	json_object_set_new(data, "no_orgs", json_boolean(json_array_size(orgs) == 0));
	json_object_set_new(data, "total", json_integer(d.n));
	json_object_set_new(data, "average", json_string(avg));
	json_object_set_new(data, "publishable", json_integer(d.publishable));
	json_object_set_new(data, "by_state", count_rows(d.by_state, state_labels, LISTED_STATES, lang));
	json_object_set_new(data, "by_risk", count_rows(d.by_risk, risk_labels, ARRAY_LEN(risk_labels), lang));
	json_object_set_new(data, "by_pubcat", count_rows(d.by_pubcat, pubcat_labels, ARRAY_LEN(pubcat_labels), lang));
	json_object_set_new(data, "timeline_title", json_string(tl_title));
	if (json_array_size(rows))
		json_object_set_new(data, "svg", timeline_svg(rows, d.today, lang));
	json_object_set_new(data, "deadlines", rows);
	json_object_set_new(data, "has_concepts", json_boolean(json_array_size(d.concepts) > 0));
	json_object_set_new(data, "has_review", json_boolean(json_array_size(d.review) > 0));
	json_object_set_new(data, "has_overdue", json_boolean(json_array_size(d.overdue) > 0));
	more_link(r, data, "concepts_more", d.drafts, json_array_size(d.concepts), "concept", "volledigheid");
	more_link(r, data, "review_more", json_integer_value(json_object_get(d.by_state, "ter beoordeling")),
		  json_array_size(d.review), "ter beoordeling", NULL);
	json_object_set_new(data, "nav_dashboard", json_true());
	json_object_set_new(data, "concepts", d.concepts);
	json_object_set_new(data, "review", d.review);
	json_object_set_new(data, "overdue", d.overdue);
	json_object_set_new(data, "overdue_total", json_integer(d.overdue_total));
	if (d.overdue_total > (long long)json_array_size(d.overdue)) {
		char more[160];
		fill(msg("work.dash.overdue_more", lang), d.overdue_total - (long long)json_array_size(d.overdue), more,
		     sizeof more);
		json_object_set_new(data, "overdue_more", json_string(more));
	}
	json_object_set_new(data, "today", date_json(d.today, lang));
	d.concepts = d.review = d.overdue = NULL;
	buf_cleanup(&names);
	web_page(r, "work_dashboard", data);
out:
	json_decref(data);
	json_decref(d.by_state);
	json_decref(d.by_risk);
	json_decref(d.by_pubcat);
	json_decref(d.concepts);
	json_decref(d.review);
	json_decref(d.overdue);
	json_decref(d.deadlines);
}

/* ---- the list of algorithms ---- */

struct list_ctx {
	const char *lang;
	const char *state, *risk, *pubcat;  /* filters the store does not apply; NULL = any */
	long long min, max;                 /* completeness range */
	json_t *rows;
};

static int list_cb(void *ctx, const struct ws_algo *w)
{
	struct list_ctx *l = ctx;
	const struct algo_summary *s = w->summary;
	const char *risk = w->risk_group ? w->risk_group : "geen";
	const char *pubcat = s->publication_category ? s->publication_category : "geen";
	if ((l->state && strcmp(l->state, s->state)) || (l->risk && strcmp(l->risk, risk)) ||
	    (l->pubcat && strcmp(l->pubcat, pubcat)) || s->completeness < l->min || s->completeness > l->max)
		return 0;
	json_array_append_new(l->rows, json_pack("{s:s,s:s?,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:o}", "id", s->lars, "name",
						 s->name ? s->name : s->lars, "org_name", s->org_name, "state", LABEL(state_labels, s->state, l->lang),
						 "pubcat", LABEL(pubcat_labels, pubcat, l->lang), "risk",
						 LABEL(risk_labels, risk, l->lang), "publishable_text",
						 msg(s->publishable ? "work.list.publishable" : "work.list.not_publishable", l->lang),
						 "completeness", s->completeness, "publishable", s->publishable, "updated",
						 date_json(s->updated_at, l->lang)));
	return 0;
}

static int by_completeness(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	json_int_t cx = json_integer_value(json_object_get(x, "completeness"));
	json_int_t cy = json_integer_value(json_object_get(y, "completeness"));
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

static void sort_rows(json_t *rows)
{
	size_t n = json_array_size(rows);
	json_t **v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(rows, i));
	qsort(v, n, sizeof *v, by_completeness);
	json_array_clear(rows);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
}

/* The list's query parameters, in the order of the filter form. */
static const char *const list_params[] = {"q", "organisatie", "fase", "publicatiecategorie", "risicogroep",
					  "min", "max", "sortering"};

/* The list's URL with the current filters and another page. */
static void list_link(struct http_req *r, long long page, struct buf *out)
{
	buf_puts(out, "/werkruimte/algoritmes?");
	for (size_t i = 0; i < ARRAY_LEN(list_params); i++) {
		const char *v = http_query(r, list_params[i]);
		if (!v || !*v)
			continue;
		buf_printf(out, "%s=", list_params[i]);
		url_encode(out, v);
		buf_putc(out, '&');
	}
	buf_printf(out, "pagina=%lld", page);
}

/* A percentage bound from the query: 0 with def when absent, -1 when not 0..100. */
static int bound(struct http_req *r, const char *name, long long def, long long *out)
{
	const char *v = http_query(r, name);
	*out = def;
	if (!v || !*v)
		return 0;
	return util_parse_int(v, 0, 100, out) ? (*out = def, -1) : 0;
}

static void algo_list(struct http_req *r)
{
	if (!require_user(r))
		return;
	const char *lang = web_lang(r), *v;
	struct list_ctx l = {.lang = lang, .rows = json_array()};
	struct algo_query q = {.sort = SORT_NAME};
	struct svc_err e = {0};
	struct buf fts, link;
	long long page = 1;
	buf_init(&fts, 4096);
	buf_init(&link, 0);
	json_t *data = json_object();
	if ((v = http_query(r, "pagina")) && util_parse_int(v, 1, 1000000, &page))
		page = 1;
	if ((v = http_query(r, "q")) && svc_fts_query(v, &fts))
		q.fts = buf_str(&fts);
	q.org_code = my_org_param(r, "organisatie");
	l.state = http_query(r, "fase");
	if (index_of(state_labels, LISTED_STATES, l.state) < 0)
		l.state = NULL;
	l.risk = http_query(r, "risicogroep");
	if (index_of(risk_labels, ARRAY_LEN(risk_labels), l.risk) < 0)
		l.risk = NULL;
	l.pubcat = http_query(r, "publicatiecategorie");
	if (index_of(pubcat_labels, ARRAY_LEN(pubcat_labels), l.pubcat) < 0)
		l.pubcat = NULL;
	if (bound(r, "min", 0, &l.min))
		json_object_set_new(data, "min_error", json_string(msg("work.list.range_error", lang)));
	if (bound(r, "max", 100, &l.max))
		json_object_set_new(data, "max_error", json_string(msg("work.list.range_error", lang)));
	const char *sort = http_query(r, "sortering");
	if (sort && !strcmp(sort, "bijgewerkt"))
		q.sort = SORT_UPDATED;
	if (svc_ws_algos(r->st, r->actor, &q, list_cb, &l, &e)) {
		web_error(r, e.status, "error.title");
		goto out;
	}
	if (sort && !strcmp(sort, "volledigheid"))
		sort_rows(l.rows);
	long long total = (long long)json_array_size(l.rows);
	long long pages = total ? (total + LIST_PAGE_SIZE - 1) / LIST_PAGE_SIZE : 1;
	if (page > pages)
		page = pages;
	json_t *shown = json_array();
	for (long long i = (page - 1) * LIST_PAGE_SIZE; i < total && i < page * LIST_PAGE_SIZE; i++)
		json_array_append(shown, json_array_get(l.rows, (size_t)i));
	json_t *orgs = my_orgs(r);
	mark_selected(orgs, "code", q.org_code);
	json_t *sorts = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "value", "naam", "label",
				  msg("work.list.sort_name", lang), "value", "bijgewerkt", "label",
				  msg("work.list.sort_updated", lang), "value", "volledigheid", "label",
				  msg("work.list.sort_completeness", lang));
	mark_selected(sorts, "value", sort);
	char count_text[96];
	plural("work.list.n_found", total, lang, count_text, sizeof count_text);
	json_object_set_new(data, "title", json_string(msg("work.list.title", lang)));
	json_object_set_new(data, "q", json_string(http_query(r, "q") ? http_query(r, "q") : ""));
	json_object_set_new(data, "orgs", orgs);
	json_object_set_new(data, "states", options_of(state_labels, ARRAY_LEN(state_labels), 0, LISTED_STATES, l.state, lang));
	json_object_set_new(data, "risks", options_of(risk_labels, ARRAY_LEN(risk_labels), 0, ARRAY_LEN(risk_labels),
						      l.risk, lang));
	json_object_set_new(data, "pubcats", options_of(pubcat_labels, ARRAY_LEN(pubcat_labels), 0,
							ARRAY_LEN(pubcat_labels), l.pubcat, lang));
	json_object_set_new(data, "sorts", sorts);
	json_object_set_new(data, "min", json_string(http_query(r, "min") ? http_query(r, "min") : ""));
	json_object_set_new(data, "max", json_string(http_query(r, "max") ? http_query(r, "max") : ""));
	json_object_set_new(data, "rows", shown);
	json_object_set_new(data, "total", json_integer(total));
	json_object_set_new(data, "count_text", json_string(count_text));
	json_object_set_new(data, "page", json_integer(page));
	json_object_set_new(data, "pages", json_integer(pages));
	bool filtered = false;
	for (size_t i = 0; i < ARRAY_LEN(list_params) - 1; i++)
		filtered |= http_query(r, list_params[i]) && *http_query(r, list_params[i]);
	json_object_set_new(data, "filtered", json_boolean(filtered));
	if (page > 1) {
		list_link(r, page - 1, &link);
		json_object_set_new(data, "prev", json_string(buf_str(&link)));
	}
	if (page < pages) {
		buf_reset(&link);
		list_link(r, page + 1, &link);
		json_object_set_new(data, "next", json_string(buf_str(&link)));
	}
	for (int csv = 0; csv < 2; csv++) {
		buf_reset(&link);
		buf_printf(&link, "/api/v1/export?view=workspace&format=%s", csv ? "csv" : "json");
		if (q.org_code) {
			buf_puts(&link, "&organisation=");
			url_encode(&link, q.org_code);
		}
		json_object_set_new(data, csv ? "export_csv" : "export_json", json_string(buf_str(&link)));
	}
	json_object_set_new(data, "nav_list", json_true());
	json_object_set_new(data, "can_create", json_false());
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
		if (json_is_true(json_object_get(o, "can_edit")))
			json_object_set_new(data, "can_create", json_true());
	web_page(r, "work_list", data);
out:
	json_decref(data);
	json_decref(l.rows);
	buf_cleanup(&fts);
	buf_cleanup(&link);
}

/* ---- one algorithm ---- */

/* What the pages show of one version, copied out of the service's callback. */
struct algo_meta {
	json_t *record;       /* owned */
	json_t *missing;      /* owned: keys of required fields the version lacks */
	char lars[9], org_code[65], org_name[256], state[24], status[24], mode[16], created_at[32], updated_at[32];
	int version, latest, published_version, completeness;
	bool member;
};

static int meta_cb(void *ctx, const struct algo_view *v)
{
	struct algo_meta *m = ctx;
	const struct algo *a = v->algo;
	m->record = json_loads(a->record, 0, NULL);
	m->missing = a->missing ? json_loads(a->missing, 0, NULL) : NULL;
	if (!m->record)
		m->record = json_object();
	if (!json_is_array(m->missing)) {
		json_decref(m->missing);
		m->missing = json_array();
	}
	snprintf(m->lars, sizeof m->lars, "%s", a->lars);
	snprintf(m->org_code, sizeof m->org_code, "%s", a->org_code);
	snprintf(m->org_name, sizeof m->org_name, "%s", a->org_name);
	snprintf(m->state, sizeof m->state, "%s", a->state);
	snprintf(m->status, sizeof m->status, "%s", a->status ? a->status : "concept");
	snprintf(m->mode, sizeof m->mode, "%s", v->publication_mode ? v->publication_mode : "two-step");
	snprintf(m->created_at, sizeof m->created_at, "%s", a->created_at ? a->created_at : "");
	snprintf(m->updated_at, sizeof m->updated_at, "%s", a->updated_at ? a->updated_at : "");
	m->version = a->version;
	m->latest = a->latest;
	m->published_version = v->published_version;
	m->completeness = a->completeness;
	m->member = v->member;
	return 0;
}

static void meta_cleanup(struct algo_meta *m)
{
	json_decref(m->record);
	json_decref(m->missing);
	m->record = m->missing = NULL;
}

/* Loads a version for the workspace: only members work on an algorithm here;
 * for anyone else it does not exist (the public page is elsewhere). */
static int load_algo(struct http_req *r, const char *lars, int version, struct algo_meta *m)
{
	struct svc_err e = {0};
	memset(m, 0, sizeof *m);
	if (svc_algo_get(r->st, r->actor, lars, version, meta_cb, m, &e))
		return e.status ? e.status : 404;
	if (!m->member) {
		meta_cleanup(m);
		return 404;
	}
	return 0;
}

/* [{key, label, href}] of the required fields a record lacks, each linking to
 * its place in the edit form. */
static json_t *missing_json(const struct algo_meta *m, const char *lang)
{
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(m->missing, i, v) {
		const struct reg_field *f = reg_field(json_string_value(v));
		char href[128];
		if (!f)
			continue;
		snprintf(href, sizeof href, "/werkruimte/algoritmes/%s/bewerken#f-%s", m->lars, f->key);
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "key", f->key, "label", field_label(f, lang), "href", href));
	}
	return out;
}

/* ---- form errors ---- */

struct form_errs {
	json_t *summary;  /* [{href, text}] for the summary at the top */
	json_t *by_id;    /* control id -> message shown with the control */
};

static void errs_init(struct form_errs *fe)
{
	fe->summary = json_array();
	fe->by_id = json_object();
}

static void errs_cleanup(struct form_errs *fe)
{
	json_decref(fe->summary);
	json_decref(fe->by_id);
}

/* Adds an error shown with the control id (inline) and listed in the summary
 * with a link to target (the control to focus; NULL: id itself). */
static void errs_add(struct form_errs *fe, const char *id, const char *target, const char *label, const char *text)
{
	char href[160], line[512];
	json_t *have = json_object_get(fe->by_id, id);
	snprintf(href, sizeof href, "#%s", target ? target : id);
	snprintf(line, sizeof line, "%s: %s", label, text);
	json_array_append_new(fe->summary, json_pack("{s:s,s:s}", "href", href, "text", line));
	if (have) {
		char both[1024];
		snprintf(both, sizeof both, "%s %s", json_string_value(have), text);
		json_object_set_new(fe->by_id, id, json_string(both));
	} else {
		json_object_set_new(fe->by_id, id, json_string(text));
	}
}

static const char *format_message(enum reg_format f)
{
	switch (f) {
	case REG_FMT_MONTH: return "work.err.format_month";
	case REG_FMT_DAY: return "work.err.format_day";
	case REG_FMT_URL: return "work.err.format_url";
	case REG_FMT_CONTACT: return "work.err.format_contact";
	case REG_FMT_ID: return "work.err.invalid";
	case REG_FMT_NONE: break;
	}
	return "work.err.invalid";
}

/* Turns one validation error of the service ("name", "category[2]",
 * "lawful_basis_grouping[1].link") into a message at its control. rows maps,
 * per link list, an item's index in the body to its row in the form (NULL: the
 * same). */
static void errs_add_reg(struct form_errs *fe, const struct reg_error *er, json_t *rows, const char *lang)
{
	char key[64], id[128], label[256], text[256];
	size_t n = strcspn(er->field, "[.");
	long long idx = -1;
	snprintf(key, sizeof key, "%.*s", (int)n, er->field);
	const char *p = er->field + n, *part = "title";
	if (*p == '[') {
		char num[24];
		size_t k = strcspn(p + 1, "]");
		snprintf(num, sizeof num, "%.*s", (int)(k < sizeof num - 1 ? k : 0), p + 1);
		if (util_parse_int(num, 0, 1000000, &idx))
			idx = -1;
		p = strchr(p, ']') ? strchr(p, ']') + 1 : "";
	}
	if (*p == '.' && !strcmp(p + 1, "link"))
		part = "link";
	const struct reg_field *f = reg_field(key);
	if (!f) {
		errs_add(fe, "formulier", NULL, msg("work.edit.form", lang), msg("work.err.invalid", lang));
		return;
	}
	const char *code = er->code;
	bool is_link = f->type == REG_LINKS && idx >= 0;
	size_t max = is_link ? (!strcmp(part, "link") ? f->link_max : f->title_max) : f->max_length;
	enum reg_format fmt = is_link && !strcmp(part, "link") ? REG_FMT_URL : f->format;
	if (!strcmp(code, "too_long"))
		fill(msg("work.err.too_long", lang), (long long)max, text, sizeof text);
	else if (!strcmp(code, "invalid_format") || !strcmp(code, "invalid_id"))
		snprintf(text, sizeof text, "%s", msg(format_message(fmt), lang));
	else if (!strcmp(code, "not_allowed_value"))
		snprintf(text, sizeof text, "%s", msg("work.err.not_allowed", lang));
	else if (!strcmp(code, "required"))
		snprintf(text, sizeof text, "%s", msg("work.err.required", lang));
	else
		snprintf(text, sizeof text, "%s", msg("work.err.invalid", lang));
	if (is_link) {
		json_t *row = rows ? json_array_get(json_object_get(rows, f->key), (size_t)idx) : NULL;
		long long form_row = row ? json_integer_value(row) : idx;
		char rowtext[64];
		fill(msg("work.edit.row_in_text", lang), form_row + 1, rowtext, sizeof rowtext);
		snprintf(id, sizeof id, "f-%s-%lld-%s", f->key, form_row, part);
		snprintf(label, sizeof label, "%s, %s, %s", field_label(f, lang), rowtext,
			 msg(!strcmp(part, "link") ? "work.edit.link_url" : "work.edit.link_title", lang));
		/* A malformed part is dropped by the service and then also reported
		 * as missing: one message for it is enough. */
		if (!strcmp(code, "required") && json_object_get(fe->by_id, id))
			return;
		errs_add(fe, id, NULL, label, text);
		return;
	}
	/* A group of checkboxes or rows shows its error at the group and
	 * links to its first control, which can take the focus. */
	char target[160];
	snprintf(id, sizeof id, "f-%s", f->key);
	snprintf(target, sizeof target, "f-%s-0%s", f->key, f->type == REG_LINKS ? "-title" : "");
	errs_add(fe, id, f->type == REG_LIST || f->type == REG_LINKS ? target : NULL, field_label(f, lang), text);
}

/* ---- rich-text fields as plain text ----
 *
 * The register's text fields hold a small HTML subset. Without a script there is
 * no rich-text editor, and civil servants should not have to type tags: a field
 * whose stored HTML is only paragraphs and line breaks is edited as plain text
 * (a blank line between paragraphs) and turned back into the same HTML on save,
 * so saving unchanged text changes nothing. Lists and other markup are edited
 * as HTML source. A hidden "<key>-vorm" field carries which of the three forms
 * the text was shown in: "p" (paragraphs), "kaal" (text without tags), "html". */

/* The five references the sanitiser may leave for plain characters. */
static const struct {
	const char *ref;
	char c;
} basic_refs[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};

/* Decodes a basic reference at p into out; returns its length, 0 for any other. */
static size_t basic_ref(const char *p, struct buf *out)
{
	for (size_t i = 0; i < ARRAY_LEN(basic_refs); i++) {
		size_t n = strlen(basic_refs[i].ref);
		if (!strncmp(p, basic_refs[i].ref, n)) {
			buf_putc(out, basic_refs[i].c);
			return n;
		}
	}
	return 0;
}

/* The stored HTML as plain text when it has only <p>, </p> and <br> and the
 * basic references: 1 (it had paragraphs), 0 (no tags at all), or -1 (edit as
 * HTML). */
static int html_to_plain(const char *html, struct buf *out)
{
	bool tags = false, para_open = false;
	int paras = 0;
	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			if (!end)
				return -1;
			size_t n = (size_t)(end - p - 1);
			if (n == 1 && p[1] == 'p') {
				if (para_open)
					return -1;
				if (paras++)
					buf_puts(out, "\n\n");
				para_open = true;
			} else if (n == 2 && !strncmp(p + 1, "/p", 2)) {
				if (!para_open)
					return -1;
				para_open = false;
			} else if (n == 2 && !strncmp(p + 1, "br", 2) && para_open) {
				buf_putc(out, '\n');
			} else {
				return -1;
			}
			tags = true;
			p = end + 1;
		} else if (*p == '&') {
			size_t n = basic_ref(p, out);
			if (!n)
				return -1;  /* a reference typed as text would not come back */
			p += n;
		} else if (tags && !para_open) {
			return -1;      /* text between paragraphs */
		} else if (*p == '\n' || *p == '\r') {
			return -1;      /* a raw line break would become a <br> on save */
		} else {
			buf_putc(out, *p++);
		}
	}
	return para_open ? -1 : tags ? 1 : 0;
}

/* True when the text holds one of the tags the register allows. */
static bool has_tags(const char *s)
{
	static const char *const tags[] = {"p", "br", "ul", "ol", "li", "div"};
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		const char *t = p + 1 + (p[1] == '/');
		for (size_t i = 0; i < ARRAY_LEN(tags); i++) {
			size_t n = strlen(tags[i]);
			if (!strncasecmp(t, tags[i], n) && (t[n] == '>' || t[n] == ' ' || t[n] == '/'))
				return true;
		}
	}
	return false;
}

static void escape_text(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < 3 && basic_refs[k].c != s[i]; k++)
			;
		if (k < 3)
			buf_puts(b, basic_refs[k].ref);
		else if (s[i] != '\r')
			buf_putc(b, s[i]);
	}
}

/* Plain text back to the register's HTML: paragraphs at blank lines, <br> at
 * single line breaks ("p"), or escaped text alone for a short text that had no
 * tags and still has no line break ("kaal"). */
static char *plain_to_html(const char *s, bool paragraphs_wanted)
{
	struct buf b;
	buf_init(&b, 0);
	if (!paragraphs_wanted && !strchr(s, '\n')) {
		escape_text(&b, s, strlen(s));
		return buf_release(&b, NULL);
	}
	const char *p = s;
	while (*p) {
		/* A paragraph runs to the next blank line (or the end). */
		const char *end = p, *next;
		for (;;) {
			const char *nl = strchr(end, '\n');
			if (!nl) {
				end += strlen(end);
				next = end;
				break;
			}
			const char *q = nl + 1;
			while (*q == ' ' || *q == '\t' || *q == '\r')
				q++;
			if (*q == '\n' || !*q) {
				end = nl;
				next = q;
				break;
			}
			end = q;
		}
		bool open = false;
		for (const char *line = p; line < end;) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			const char *stop = nl ? nl : end;
			const char *a = line, *z = stop;
			while (a < z && (*a == ' ' || *a == '\t' || *a == '\r'))
				a++;
			while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r'))
				z--;
			if (z > a) {
				buf_puts(&b, open ? "<br>" : "<p>");
				open = true;
				escape_text(&b, a, (size_t)(z - a));
			}
			line = nl ? nl + 1 : end;
		}
		if (open)
			buf_puts(&b, "</p>");
		p = next;
	}
	return buf_release(&b, NULL);
}

/* Readable text of a register HTML value, for the version diff: tags become
 * spaces, the basic references their characters. */
static void html_text(const char *html, struct buf *out)
{
	bool space = false;
	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			p = end ? end + 1 : p + strlen(p);
			space = out->len > 0;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = false;
		size_t n = *p == '&' ? basic_ref(p, out) : 0;
		if (!n)
			buf_putc(out, *p), n = 1;
		p += n;
	}
}

/* ---- the edit form, generated from the field configuration ---- */

/* The form's sections: the register's own order of a detail page, after the
 * general fields. Fields of the configuration not named here (and not set by
 * the service: organization, lars) land in the last section, so a new field of
 * the standard appears without a change here. */
static const struct {
	const char *title;
	const char *fields[8];
} edit_sections[] = {
	{"work.edit.s_general", {"name", "description_short", "category", "status", "publication_category", "begin_date",
				 "end_date"}},
	{"section.goal", {"goal"}},
	{"section.considerations", {"proportionality"}},
	{"section.human", {"human_intervention"}},
	{"section.risks", {"risks"}},
	{"section.legal", {"lawful_basis", "lawful_basis_grouping"}},
	{"section.impact", {"impacttoetsen", "impacttoetsen_grouping"}},
	{"section.data", {"source_data", "source_data_grouping", "process_index_url"}},
	{"section.technical", {"methods_and_models", "publiccode"}},
	{"section.provider", {"provider"}},
	{"section.contact", {"contact_email", "website", "url"}},
	{"work.edit.s_other", {NULL}},
};

/* Set by the service from the organisation and the ID, never typed in. */
static bool editable(const struct reg_field *f)
{
	return strcmp(f->key, "organization") && f->format != REG_FMT_ID;
}

static bool in_named_section(const char *key)
{
	for (size_t s = 0; s < ARRAY_LEN(edit_sections); s++)
		for (size_t i = 0; i < ARRAY_LEN(edit_sections[s].fields) && edit_sections[s].fields[i]; i++)
			if (!strcmp(edit_sections[s].fields[i], key))
				return true;
	return false;
}

static json_t *str_or_empty(json_t *v)
{
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

/* One link-list row for the template: ids, values and errors of title and URL. */
static json_t *link_row(const struct reg_field *f, size_t i, json_t *item, const struct form_errs *fe,
			const char *lang)
{
	static const char *const parts[] = {"title", "link"};
	char rowtext[64];
	fill(msg("work.edit.row", lang), (long long)i + 1, rowtext, sizeof rowtext);
	json_t *o = json_pack("{s:s,s:I}", "legend", rowtext, "n", (json_int_t)i);
	for (int p = 0; p < 2; p++) {
		char id[128], key[16], desc[300] = "", t[64];
		size_t max = p ? f->link_max : f->title_max;
		snprintf(id, sizeof id, "f-%s-%zu-%s", f->key, i, parts[p]);
		json_t *err = json_object_get(fe->by_id, id);
		if (max)
			snprintf(desc, sizeof desc, "%s-max", id);
		if (err) {
			size_t n = strlen(desc);
			snprintf(desc + n, sizeof desc - n, "%s%s-error", n ? " " : "", id);
		}
		t[0] = '\0';
		if (max)
			fill(msg("work.edit.max_chars", lang), (long long)max, t, sizeof t);
		snprintf(key, sizeof key, "%s_part", parts[p]);
		json_object_set_new(o, key, json_pack("{s:s,s:s,s:o,s:O?,s:s?,s:s?}", "id", id, "part", parts[p], "value",
						      str_or_empty(json_object_get(item, parts[p])), "error", err, "describedby",
						      *desc ? desc : NULL, "max_text", *t ? t : NULL));
	}
	return o;
}

/* One field of the form: its control, label, help, character limit and error. */
static json_t *field_json(const struct reg_field *f, json_t *value, const struct form_errs *fe, const char *lang)
{
	char id[96], desc[512] = "", t[128];
	snprintf(id, sizeof id, "f-%s", f->key);
	json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:s?,s:s?,s:s?,s:b}", "id", id, "key", f->key, "label",
			      field_label(f, lang), "required", f->required, "help", f->help && *f->help ? f->help : NULL,
			      "instructions", f->instructions && *f->instructions ? f->instructions : NULL, "example",
			      f->example && *f->example ? f->example : NULL, "html", f->html);
	/* Keys a field lacks would be looked up in the enclosing scopes: every
	 * optional one is present, null when unused. */
	static const char *const optional[] = {"error", "max", "max_text", "inputmode", "nospell", "text", "area",
					       "select", "checks", "links", "value", "describedby"};
	for (size_t i = 0; i < ARRAY_LEN(optional); i++)
		json_object_set_new(o, optional[i], json_null());
	json_t *err = json_object_get(fe->by_id, id);
	if (f->help && *f->help)
		snprintf(desc, sizeof desc, "%s-help", id);
	if (f->max_length && f->type == REG_STRING) {
		fill(msg(f->html ? "work.edit.max_chars_html" : "work.edit.max_chars", lang), (long long)f->max_length, t,
		     sizeof t);
		json_object_set_new(o, "max", json_integer((json_int_t)f->max_length));
		json_object_set_new(o, "max_text", json_string(t));
		size_t n = strlen(desc);
		snprintf(desc + n, sizeof desc - n, "%s%s-max", n ? " " : "", id);
	}
	if (err) {
		json_object_set(o, "error", err);
		size_t n = strlen(desc);
		snprintf(desc + n, sizeof desc - n, "%s%s-error", n ? " " : "", id);
	}
	if (*desc)
		json_object_set_new(o, "describedby", json_string(desc));
	switch (f->type) {
	case REG_STRING:
		json_object_set_new(o, f->html || f->max_length > 200 ? "area" : "text", json_true());
		json_object_set_new(o, "rows", json_integer(f->html ? 8 : 4));
		json_object_set_new(o, "value", str_or_empty(value));
		/* Web addresses and e-mail: no spelling check, a fitting keyboard. */
		if (f->format == REG_FMT_URL)
			json_object_set_new(o, "inputmode", json_string("url"));
		else if (f->format == REG_FMT_CONTACT)
			json_object_set_new(o, "inputmode", json_string("email"));
		if (f->format)
			json_object_set_new(o, "nospell", json_true());
		break;
	case REG_ENUM:
	case REG_LIST: {
		json_t *opts = json_array(), *pv;
		size_t i;
		json_array_foreach(f->permitted, i, pv) {
			const char *s = json_string_value(pv);
			bool sel = false;
			if (json_is_string(value))
				sel = !strcmp(json_string_value(value), s);
			for (size_t j = 0; json_is_array(value) && j < json_array_size(value); j++)
				sel |= !strcmp(json_string_value(json_array_get(value, j)) ? json_string_value(json_array_get(value, j)) : "", s);
			snprintf(t, sizeof t, "%s-%zu", id, i);
			json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", s, "oid", t, "selected", sel));
		}
		json_object_set_new(o, f->type == REG_ENUM ? "select" : "checks", json_true());
		json_object_set_new(o, "options", opts);
		break;
	}
	case REG_LINKS: {
		json_t *rows = json_array();
		size_t n = json_array_size(value);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(rows, link_row(f, i, json_array_get(value, i), fe, lang));
		json_object_set_new(o, "links", json_true());
		json_object_set_new(o, "link_rows", rows);
		json_object_set_new(o, "nrows", json_integer((json_int_t)n));
		break;
	}
	}
	return o;
}

/* field_json with the field's value from values, and for rich text the form
 * it is shown in (plain paragraphs, plain text, or HTML source). */
static json_t *field_json_v(const struct reg_field *f, json_t *values, const struct form_errs *fe, const char *lang)
{
	json_t *o = field_json(f, json_object_get(values, f->key), fe, lang);
	if (f->html) {
		char vk[96];
		snprintf(vk, sizeof vk, "%s-vorm", f->key);
		const char *vorm = json_string_value(json_object_get(values, vk));
		json_object_set_new(o, "vorm", json_string(vorm ? vorm : "p"));
		json_object_set_new(o, "source", json_boolean(vorm && !strcmp(vorm, "html")));
	}
	return o;
}

/* The form's sections with their fields, values from values (key -> string,
 * list of strings, or list of {title, link} rows). */
static json_t *edit_form(json_t *values, const struct form_errs *fe, const char *lang)
{
	json_t *sections = json_array();
	size_t nf;
	const struct reg_field *fields = reg_fields(&nf);
	for (size_t s = 0; s < ARRAY_LEN(edit_sections); s++) {
		json_t *list = json_array();
		bool rest = !edit_sections[s].fields[0];
		if (rest) {
			for (size_t i = 0; i < nf; i++)
				if (editable(&fields[i]) && !in_named_section(fields[i].key))
					json_array_append_new(list, field_json_v(&fields[i], values, fe, lang));
		} else {
			for (size_t i = 0; i < ARRAY_LEN(edit_sections[s].fields) && edit_sections[s].fields[i]; i++) {
				const struct reg_field *f = reg_field(edit_sections[s].fields[i]);
				if (f && editable(f))
					json_array_append_new(list, field_json_v(f, values, fe, lang));
			}
		}
		if (!json_array_size(list)) {
			json_decref(list);
			continue;
		}
		char id[16];
		snprintf(id, sizeof id, "deel-%zu", s + 1);
		json_array_append_new(sections, json_pack("{s:s,s:s,s:o}", "id", id, "title", msg(edit_sections[s].title, lang),
							  "fields", list));
	}
	return sections;
}

/* The form's values for a stored record: link lists get empty rows to add to,
 * since without JavaScript no row can be added on the page itself. */
static json_t *values_from_record(json_t *record)
{
	json_t *values = json_deep_copy(record);
	size_t nf;
	const struct reg_field *fields = reg_fields(&nf);
	for (size_t i = 0; i < nf; i++) {
		if (fields[i].html) {
			const char *html = json_string_value(json_object_get(values, fields[i].key));
			struct buf plain;
			char vk[96];
			buf_init(&plain, 0);
			int kind = html ? html_to_plain(html, &plain) : 1;
			snprintf(vk, sizeof vk, "%s-vorm", fields[i].key);
			json_object_set_new(values, vk, json_string(kind < 0 ? "html" : kind ? "p" : "kaal"));
			if (html && kind >= 0)
				json_object_set_new(values, fields[i].key, json_string(buf_str(&plain)));
			buf_cleanup(&plain);
			continue;
		}
		if (fields[i].type != REG_LINKS)
			continue;
		json_t *rows = json_object_get(values, fields[i].key);
		if (!json_is_array(rows)) {
			rows = json_array();
			json_object_set_new(values, fields[i].key, rows);
		}
		for (int k = 0; k < EMPTY_LINK_ROWS; k++)
			json_array_append_new(rows, json_pack("{s:s,s:s}", "title", "", "link", ""));
	}
	return values;
}

/* The values as posted, before any cleaning (shown again when saving fails). */
static json_t *values_from_form(const json_t *form)
{
	json_t *values = json_object();
	size_t nf;
	const struct reg_field *fields = reg_fields(&nf);
	for (size_t i = 0; i < nf; i++) {
		const struct reg_field *f = &fields[i];
		char k[FORM_MAX_KEY + 16];
		if (!editable(f))
			continue;
		if (f->type == REG_LIST) {
			json_t *v = json_object_get(form, f->key), *given = json_array(), *list = json_array(), *x, *pv;
			size_t pi, j;
			if (json_is_string(v))
				json_array_append(given, v);
			else if (json_is_array(v))
				json_array_extend(given, v);
			/* In the configuration's order, as the checkboxes stand: saving
			 * unchanged choices then gives the same record, not a new version.
			 * Values the configuration lacks stay, for the service to refuse. */
			json_array_foreach(f->permitted, pi, pv)
				json_array_foreach(given, j, x)
					if (json_equal(x, pv)) {
						json_array_append(list, pv);
						break;
					}
			json_array_foreach(given, j, x) {
				bool known = false;
				json_array_foreach(f->permitted, pi, pv)
					known |= json_equal(x, pv);
				if (!known)
					json_array_append(list, x);
			}
			json_decref(given);
			json_object_set_new(values, f->key, list);
		} else if (f->type == REG_LINKS) {
			json_t *rows = json_array();
			long long n = 0;
			snprintf(k, sizeof k, "%s-rows", f->key);
			if (!form_get(form, k) || util_parse_int(form_get(form, k), 0, MAX_LINK_ROWS, &n))
				n = 0;
			for (long long r = 0; r < n; r++) {
				char kt[FORM_MAX_KEY + 16], kl[FORM_MAX_KEY + 16];
				snprintf(kt, sizeof kt, "%s-%lld-title", f->key, r);
				snprintf(kl, sizeof kl, "%s-%lld-link", f->key, r);
				json_array_append_new(rows, json_pack("{s:s,s:s}", "title", form_get(form, kt) ? form_get(form, kt) : "",
								      "link", form_get(form, kl) ? form_get(form, kl) : ""));
			}
			json_object_set_new(values, f->key, rows);
		} else {
			const char *v = form_get(form, f->key);
			json_object_set_new(values, f->key, json_string(v ? v : ""));
			snprintf(k, sizeof k, "%s-vorm", f->key);
			v = form_get(form, k);
			if (f->html)
				json_object_set_new(values, k, json_string(v && (!strcmp(v, "p") || !strcmp(v, "kaal")) ? v : "html"));
		}
	}
	return values;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* The record to save from the posted values; rows_out gets, per link list, the
 * form row of each item kept (for errors that name an item by its index). */
static json_t *body_from_values(json_t *values, json_t *rows_out)
{
	json_t *body = json_object();
	size_t nf;
	const struct reg_field *fields = reg_fields(&nf);
	for (size_t i = 0; i < nf; i++) {
		const struct reg_field *f = &fields[i];
		json_t *v = json_object_get(values, f->key);
		if (!editable(f) || !v)
			continue;
		if (f->type == REG_LIST) {
			if (json_array_size(v))
				json_object_set(body, f->key, v);
		} else if (f->type == REG_LINKS) {
			json_t *items = json_array(), *map = json_array(), *row;
			size_t r;
			json_array_foreach(v, r, row) {
				const char *t = json_string_value(json_object_get(row, "title"));
				const char *l = json_string_value(json_object_get(row, "link"));
				if (blank(t) && blank(l))
					continue;  /* an empty row is no item */
				json_t *item = json_object();
				if (!blank(t))
					json_object_set_new(item, "title", json_string(t));
				if (!blank(l))
					json_object_set_new(item, "link", json_string(l));
				json_array_append_new(items, item);
				json_array_append_new(map, json_integer((json_int_t)r));
			}
			if (json_array_size(items))
				json_object_set(body, f->key, items);
			json_object_set_new(rows_out, f->key, map);
			json_decref(items);
		} else if (!blank(json_string_value(v))) {
			char vk[96];
			snprintf(vk, sizeof vk, "%s-vorm", f->key);
			const char *vorm = json_string_value(json_object_get(values, vk));
			if (f->html && !has_tags(json_string_value(v)) && vorm && strcmp(vorm, "html")) {
				char *html = plain_to_html(json_string_value(v), !strcmp(vorm, "p"));
				json_object_set_new(body, f->key, json_string(html));
				free(html);
			} else {
				json_object_set(body, f->key, v);
			}
		}
	}
	return body;
}

static json_t *algo_head(const struct algo_meta *m, const char *lang)
{
	const char *name = reg_str(m->record, "name");
	json_t *missing = missing_json(m, lang);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:b,s:s}", "id", m->lars, "name", name ? name : m->lars,
			      "org_name", m->org_name, "org_code", m->org_code, "version", m->version, "latest", m->latest,
			      "completeness", m->completeness, "publishable", json_array_size(m->missing) == 0, "state",
			      LABEL(state_labels, m->state, lang));
	if (json_array_size(missing))
		json_object_set_new(o, "missing_block", json_pack("{s:o}", "items", missing));
	else
		json_decref(missing);
	return o;
}

/* Renders the edit page; expected is the version the form was made from (sent
 * back as If-Match), conflict the newer version someone else saved (0: none). */
static void render_edit(struct http_req *r, const struct algo_meta *m, int expected, json_t *values,
			const struct form_errs *fe, int conflict, int status)
{
	const char *lang = web_lang(r);
	char title[512], action[96], back[96], nerr[96];
	json_t *head = algo_head(m, lang);
	snprintf(title, sizeof title, "%s%s: %s", json_array_size(fe->summary) || conflict ? msg("work.edit.error_prefix", lang) : "",
		 msg("work.edit.title", lang), json_string_value(json_object_get(head, "name")));
	snprintf(action, sizeof action, "/werkruimte/algoritmes/%s/bewerken", m->lars);
	snprintf(back, sizeof back, "/werkruimte/algoritmes/%s", m->lars);
	plural("work.edit.n_errors", (long long)json_array_size(fe->summary), lang, nerr, sizeof nerr);
	json_t *data = json_pack("{s:s,s:o,s:o,s:O,s:s,s:i,s:s,s:s,s:b}", "title", title, "algo", head, "sections",
				 edit_form(values, fe, lang), "errors", fe->summary, "errors_title", nerr, "expected", expected,
				 "action", action, "back", back, "src_nl", !strcmp(lang, "en"));
	json_object_set_new(data, "has_errors", json_boolean(json_array_size(fe->summary) > 0));
	if (conflict) {
		char text[256];
		fill(msg("work.edit.conflict", lang), conflict, text, sizeof text);
		json_object_set_new(data, "conflict", json_string(text));
	}
	web_page(r, "work_edit", data);
	r->status = status;
	json_decref(data);
}

static void edit_get(struct http_req *r)
{
	if (!require_user(r))
		return;
	struct algo_meta m;
	struct form_errs fe;
	int rc = load_algo(r, r->params[0], 0, &m);
	if (rc)
		return web_error(r, rc, rc == 404 ? "error.not_found" : "error.title");
	if (!(roles_in(r->actor, m.org_code) & ROLE_REDACTEUR))
		web_error(r, 403, "work.err.no_edit_role");
	else if (!strcmp(m.state, "gearchiveerd"))
		web_error(r, 409, "work.err.archived");
	else {
		json_t *values = values_from_record(m.record);
		errs_init(&fe);
		render_edit(r, &m, m.version, values, &fe, 0, 200);
		errs_cleanup(&fe);
		json_decref(values);
	}
	meta_cleanup(&m);
}

static void edit_post(struct http_req *r)
{
	if (!require_user(r))
		return;
	const json_t *form = web_form(r);
	struct svc_err e = {0};
	struct algo_meta m;
	struct form_errs fe;
	long long expected;
	int version = 0;
	if (!form)
		return;
	if (!form_get(form, "versie") || util_parse_int(form_get(form, "versie"), 1, 1000000000, &expected))
		return web_error(r, 400, "error.form");
	json_t *values = values_from_form(form), *rows = json_object(), *body = body_from_values(values, rows);
	int rc = svc_algo_update(r->st, r->actor, r->params[0], (int)expected, body, &version, &e);
	json_decref(body);
	if (!rc) {
		char to[128];
		snprintf(to, sizeof to, "/werkruimte/algoritmes/%s?gedaan=%s", r->params[0],
			 version == expected ? "ongewijzigd" : "opgeslagen");
		web_redirect(r, to);
		goto out;
	}
	if (e.status == 404 || e.status == 401)
		web_error(r, 404, "error.not_found");
	else if (e.status == 403)
		web_error(r, 403, "work.err.no_edit_role");
	else if (e.status == 409 && !strcmp(e.code, "archived"))
		web_error(r, 409, "work.err.archived");
	else if ((e.status == 422 || !strcmp(e.code, "version_conflict")) && !load_algo(r, r->params[0], 0, &m)) {
		errs_init(&fe);
		for (size_t i = 0; e.status == 422 && i < e.errs.n; i++)
			errs_add_reg(&fe, &e.errs.e[i], rows, web_lang(r));
		render_edit(r, &m, (int)expected, values, &fe, e.status == 409 ? e.current_version : 0, e.status);
		errs_cleanup(&fe);
		meta_cleanup(&m);
	} else {
		web_error(r, e.status ? e.status : 500, "error.title");
	}
out:
	json_decref(values);
	json_decref(rows);
}

/* ---- the algorithm page ---- */

/* A field's value for reading: text, sanitised HTML, a list, links, a web or
 * e-mail address, or a date in the page's language. */
static json_t *value_view(const struct reg_field *f, json_t *v, const char *lang)
{
	json_t *o = json_pack("{s:s,s:s}", "key", f->key, "label", field_label(f, lang));
	const char *s = json_string_value(v);
	if (!v || (json_is_array(v) && !json_array_size(v)) || (s && !*s)) {
		json_object_set_new(o, "empty", json_true());
	} else if (f->type == REG_LINKS) {
		json_t *items = json_array(), *x;
		size_t i;
		json_array_foreach(v, i, x)
			json_array_append_new(items, json_pack("{s:s,s:O?}", "title",
							       json_string_value(json_object_get(x, "title")) ? json_string_value(json_object_get(x, "title")) : "",
							       "link", json_object_get(x, "link")));
		json_object_set_new(o, "links", json_pack("{s:o}", "items", items));
	} else if (json_is_array(v)) {
		json_object_set_new(o, "list", json_pack("{s:O}", "items", v));
	} else if (f->html) {
		json_object_set(o, "html", v);  /* stored through the register's sanitiser */
	} else if (f->format == REG_FMT_URL || (f->format == REG_FMT_CONTACT && s && !strchr(s, '@'))) {
		json_object_set(o, "url", v);
	} else if (f->format == REG_FMT_CONTACT) {
		json_object_set(o, "email", v);
	} else if (f->format == REG_FMT_MONTH || f->format == REG_FMT_DAY) {
		json_object_set_new(o, "date", date_json(s, lang));
	} else {
		json_object_set(o, "text", v);
	}
	return o;
}

/* The registration in the edit form's sections: every filled field, and the
 * empty ones the register always shows (so what is missing is visible). */
static json_t *registration_view(json_t *record, const char *lang)
{
	json_t *out = json_array();
	size_t nf;
	const struct reg_field *fields = reg_fields(&nf);
	for (size_t s = 0; s < ARRAY_LEN(edit_sections); s++) {
		json_t *list = json_array();
		for (size_t i = 0; i < nf; i++) {
			const struct reg_field *f = &fields[i];
			bool here = false;
			if (!editable(f))
				continue;
			if (!edit_sections[s].fields[0])
				here = !in_named_section(f->key);
			for (size_t k = 0; k < ARRAY_LEN(edit_sections[s].fields) && edit_sections[s].fields[k]; k++)
				here |= !strcmp(edit_sections[s].fields[k], f->key);
			json_t *v = json_object_get(record, f->key);
			if (here && (v || f->show_always || f->required))
				json_array_append_new(list, value_view(f, v, lang));
		}
		if (!json_array_size(list)) {
			json_decref(list);
			continue;
		}
		char id[16];
		snprintf(id, sizeof id, "reg-%zu", s + 1);
		json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "id", id, "title", msg(edit_sections[s].title, lang),
						     "fields", list));
	}
	return out;
}

/* An assessment value as text: labels for the known vocabularies, dates in the
 * page's language, yes/no for booleans. */
static void value_text(json_t *v, const char *what, json_t *obligations, const char *lang, struct buf *out)
{
	size_t i;
	json_t *x;
	if (json_is_true(v) || json_is_false(v)) {
		buf_puts(out, msg(json_is_true(v) ? "work.yes" : "work.no", lang));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (i)
				buf_puts(out, ", ");
			value_text(x, what, obligations, lang, out);
		}
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		int y, m, d, hh, mm;
		char date[96];
		if (!strcmp(what, "obligation")) {
			json_array_foreach(obligations, i, x)
				if (!strcmp(json_string_value(json_object_get(x, "id")) ? json_string_value(json_object_get(x, "id")) : "", s))
					s = obligation_title(x, lang);
			buf_puts(out, s);
		} else if (strlen(s) == 10 && web_parse_date(s, &y, &m, &d, &hh, &mm)) {
			web_date_text(s, lang, date, sizeof date);
			buf_puts(out, date);
		} else if (!strcmp(what, "risk_group")) {
			buf_puts(out, LABEL(risk_labels, s, lang));
		} else if (!strcmp(what, "publication_category")) {
			buf_puts(out, LABEL(pubcat_labels, s, lang));
		} else if (!strcmp(what, "eu_registration")) {
			buf_puts(out, LABEL(registration_labels, s, lang));
		} else if (!strcmp(what, "roles")) {
			buf_puts(out, LABEL(role_labels, s, lang));
		} else {
			buf_puts(out, s);
		}
	} else if (json_is_integer(v)) {
		buf_printf(out, "%lld", (long long)json_integer_value(v));
	} else {
		buf_puts(out, msg("work.none", lang));
	}
}

/* {"items": [...]} of obligations (null when there are none, so the template
 * shows its table only when there is something in it). */
static json_t *obligation_rows(json_t *list, const char *today, const char *lang)
{
	json_t *rows = json_array(), *o;
	if (!json_array_size(list)) {
		json_decref(rows);
		return json_null();
	}
	size_t i;
	json_array_foreach(list, i, o) {
		const char *from = json_string_value(json_object_get(o, "applies_from"));
		bool in_force = from && strcmp(from, today) <= 0;
		json_array_append_new(rows, json_pack("{s:s?,s:s?,s:s,s:o,s:s,s:b,s:s?}", "article",
						      json_string_value(json_object_get(o, "article")), "title",
						      obligation_title(o, lang), "role",
						      LABEL(role_labels, json_string_value(json_object_get(o, "role")), lang),
						      "date", date_json(from, lang), "when",
						      msg(!from ? "work.ai.no_date" : in_force ? "work.ai.in_force" : "work.ai.upcoming", lang),
						      "in_force", in_force, "source", json_string_value(json_object_get(o, "source"))));
	}
	return json_pack("{s:o}", "items", rows);
}

/* The classification for the page, all texts in the page's language where the
 * rule pack has them (the Beslishulp and the Algoritmekader are Dutch only). */
static json_t *aiact_view(json_t *cls, const struct algo_meta *m, const char *lang)
{
	json_t *o = json_object(), *as = json_object_get(cls, "assessment"), *x;
	bool en = !strcmp(lang, "en");
	char today[11];
	size_t i;
	today_iso(today);
	if ((x = json_object_get(cls, "conclusion")) && json_is_object(x))
		json_object_set_new(o, "conclusion", json_pack("{s:O?,s:O?}", "text", json_object_get(x, "text"), "obligation",
							       json_object_get(x, "obligation")));
	if ((x = json_object_get(cls, "next_question")) && json_is_object(x))
		json_object_set(o, "next_question", json_object_get(x, "text"));
	if (json_object_get(cls, "answers_error"))
		json_object_set_new(o, "answers_error", json_true());
	const char *pv = json_string_value(json_object_get(cls, "pack_version"));
	const char *cv = json_string_value(json_object_get(cls, "current_pack_version"));
	if (pv && cv && strcmp(pv, cv))
		json_object_set_new(o, "stale", json_true());
	if (json_is_object(json_object_get(cls, "reevaluation")))
		json_object_set_new(o, "reevaluated", json_true());
	json_object_set_new(o, "updated", date_json(json_string_value(json_object_get(cls, "updated_at")), lang));
	json_object_set(o, "updated_by", json_object_get(cls, "updated_by"));
	if (!json_is_object(as)) {
		json_object_set_new(o, "no_assessment", json_true());
	} else {
		json_t *rules = json_object_get(as, "rules"), *obl = json_object_get(as, "obligations"), *trace = json_array();
		const char *rg = json_string_value(json_object_get(as, "risk_group"));
		const char *pc = json_string_value(json_object_get(as, "publication_category"));
		const char *reg = json_string_value(json_object_get(as, "eu_registration"));
		const char *rec_pc = reg_str(m->record, "publication_category");
		json_t *fria = json_object_get(as, "fria_required");
		json_object_set_new(o, "assessment", json_pack("{s:s,s:s,s:s,s:s,s:o,s:s?,s:s?,s:s?,s:o,s:o}", "risk_group",
								LABEL(risk_labels, rg, lang), "pubcat", LABEL(pubcat_labels, pc, lang),
								"fria", msg(json_is_true(fria) ? "work.yes" : "work.no", lang),
								"registration", LABEL(registration_labels, reg, lang), "high_risk_from",
								date_json(json_string_value(json_object_get(as, "high_risk_applies_from")), lang),
								"timeline", timeline_title(as, lang), "timeline_source",
								json_string_value(json_object_get(rules, "timeline_source")), "pack",
								json_string_value(json_object_get(rules, "version")), "obligations",
								obligation_rows(obl, today, lang), "transparency",
								obligation_rows(json_object_get(as, "transparency"), today, lang)));
		if (pc && rec_pc && strcmp(pc, rec_pc)) {
			char text[512];
			snprintf(text, sizeof text, "%s %s: %s; %s: %s.", msg("work.ai.pubcat_differs", lang),
				 msg("work.ai.pubcat_record", lang), LABEL(pubcat_labels, rec_pc, lang),
				 msg("work.ai.pubcat_assessment", lang), LABEL(pubcat_labels, pc, lang));
			json_object_set_new(o, "pubcat_differs", json_string(text));
		}
		json_array_foreach(json_object_get(as, "trace"), i, x) {
			const char *what = json_string_value(json_object_get(x, "conclusion"));
			struct buf val, arts;
			size_t k;
			json_t *a;
			buf_init(&val, 0);
			buf_init(&arts, 0);
			value_text(json_object_get(x, "value"), what ? what : "", obl, lang, &val);
			json_array_foreach(json_object_get(x, "articles"), k, a)
				buf_printf(&arts, "%s%s", k ? ", " : "", json_string_value(a) ? json_string_value(a) : "");
			json_array_append_new(trace, json_pack("{s:s,s:s,s:s?,s:s}", "what",
							       LABEL(trace_labels, what, lang), "value", buf_str(&val), "because",
							       json_string_value(json_object_get(x, en ? "because_en" : "because_nl")),
							       "articles", buf_str(&arts)));
			buf_cleanup(&val);
			buf_cleanup(&arts);
		}
		char tt[96];
		plural("work.ai.n_steps", (long long)json_array_size(trace), lang, tt, sizeof tt);
		json_object_set_new(o, "trace", json_pack("{s:s,s:o}", "summary", tt, "items", trace));
	}
	json_t *req = json_object_get(json_object_get(cls, "requirements"), "requirements"), *reqs = json_array();
	json_array_foreach(req, i, x) {
		json_t *measures = json_array(), *mm;
		size_t k;
		json_array_foreach(json_object_get(x, "measures"), k, mm)
			json_array_append_new(measures, json_pack("{s:O?,s:O?}", "urn", json_object_get(mm, "urn"), "title",
								  json_object_get(mm, "title")));
		json_array_append_new(reqs, json_pack("{s:O?,s:O?,s:o}", "urn", json_object_get(x, "urn"), "title",
						      json_object_get(x, "title"), "measures",
						      json_array_size(measures) ? json_pack("{s:o}", "items", measures)
										: (json_decref(measures), json_null())));
	}
	if (json_array_size(reqs)) {
		char t[96];
		plural("work.ai.n_requirements", (long long)json_array_size(reqs), lang, t, sizeof t);
		json_object_set_new(o, "requirements", json_pack("{s:s,s:o}", "summary", t, "items", reqs));
	} else {
		json_decref(reqs);
	}
	json_t *warnings = json_array();
	json_array_foreach(json_object_get(cls, "warnings"), i, x) {
		char text[512];
		snprintf(text, sizeof text, "%s (%s: %s; %s: %s)", msg("work.ai.warning_risk", lang), msg("work.ai.tree", lang),
			 LABEL(risk_labels, json_string_value(json_object_get(x, "tree")), lang), msg("work.ai.assessment", lang),
			 LABEL(risk_labels, json_string_value(json_object_get(x, "assessment")), lang));
		json_array_append_new(warnings, json_string(text));
	}
	if (json_array_size(warnings))
		json_object_set_new(o, "warnings", json_pack("{s:o}", "items", warnings));
	else
		json_decref(warnings);
	return o;
}

/* ---- versions ---- */

struct version_row {
	int version;
	char created_at[32], status[24];
};

struct versions_ctx {
	struct version_row *rows;
	size_t n, cap;
};

static int versions_cb(void *ctx, int version, const char *created_at, const char *status)
{
	struct versions_ctx *v = ctx;
	if (v->n == v->cap)
		v->rows = xrealloc(v->rows, (v->cap = v->cap ? v->cap * 2 : 16) * sizeof *v->rows);
	struct version_row *row = &v->rows[v->n++];
	row->version = version;
	snprintf(row->created_at, sizeof row->created_at, "%s", created_at ? created_at : "");
	snprintf(row->status, sizeof row->status, "%s", status ? status : "");
	return 0;
}

static int record_text_cb(void *ctx, const struct algo_view *v)
{
	*(char **)ctx = xstrdup(v->algo->record);
	return 0;
}

static char *version_record(struct http_req *r, const char *lars, int version)
{
	char *text = NULL;
	struct svc_err e = {0};
	if (svc_algo_get(r->st, r->actor, lars, version, record_text_cb, &text, &e))
		return NULL;
	return text;
}

/* A value of a diff as one line of text (lists joined, links as "title (URL)",
 * rich text without its tags). */
static void diff_text(json_t *v, bool html, struct buf *out)
{
	size_t i;
	json_t *x;
	if (json_is_string(v)) {
		if (html)
			html_text(json_string_value(v), out);
		else
			buf_puts(out, json_string_value(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (i)
				buf_puts(out, "; ");
			if (json_is_object(x)) {
				const char *t = json_string_value(json_object_get(x, "title"));
				const char *l = json_string_value(json_object_get(x, "link"));
				buf_printf(out, "%s%s%s%s", t ? t : "", t && l ? " (" : "", l ? l : "", t && l ? ")" : "");
			} else {
				diff_text(x, false, out);
			}
		}
	}
}

/* The history, newest first; each version with what changed since the one
 * before, field by field (the same comparison the audit trail records). */
static json_t *versions_view(struct http_req *r, const char *lars, const char *lang)
{
	struct versions_ctx v = {0};
	struct svc_err e = {0};
	json_t *out = json_array();
	svc_algo_versions(r->st, r->actor, lars, versions_cb, &v, &e);
	char *newer = NULL;
	for (size_t k = v.n; k-- > 0;) {
		struct version_row *row = &v.rows[k];
		json_t *o = json_pack("{s:i,s:o,s:s}", "version", row->version, "date", date_json(row->created_at, lang),
				      "status", LABEL(state_labels, row->status, lang));
		if (v.n - k <= MAX_DIFF_VERSIONS) {
			char *cur = newer ? newer : version_record(r, lars, row->version);
			char *old = k ? version_record(r, lars, v.rows[k - 1].version) : NULL;
			json_t *diff = svc_record_diff(old ? old : "{}", cur ? cur : "{}"), *changes = json_array(), *pair;
			const char *key;
			json_object_foreach(diff, key, pair) {
				const struct reg_field *f = reg_field(key);
				struct buf ov, nv;
				buf_init(&ov, 0);
				buf_init(&nv, 0);
				diff_text(json_array_get(pair, 0), f && f->html, &ov);
				diff_text(json_array_get(pair, 1), f && f->html, &nv);
				json_array_append_new(changes, json_pack("{s:s,s:s,s:s}", "field", f ? field_label(f, lang) : key,
									 "old", buf_str(&ov), "new", buf_str(&nv)));
				buf_cleanup(&ov);
				buf_cleanup(&nv);
			}
			char t[96], caption[96];
			plural(k ? "work.versions.n_changes" : "work.versions.n_fields", (long long)json_array_size(changes),
			       lang, t, sizeof t);
			fill(msg("work.versions.caption", lang), row->version, caption, sizeof caption);
			json_object_set_new(o, "changes", json_pack("{s:s,s:s,s:o}", "summary", t, "caption", caption, "items",
								    changes));
			json_decref(diff);
			free(cur);
			newer = old;  /* the older record is the next round's newer one */
		}
		json_array_append_new(out, o);
	}
	free(newer);
	free(v.rows);
	return out;
}

/* ---- publication ---- */

struct pubs_ctx {
	json_t *rows;
	const char *lang;
	int latest;
	char released_by[128];  /* who released the latest version */
	json_t *rejected;       /* {by, at, reason} when the latest version was sent back */
};

static int pubs_cb(void *ctx, const struct publication *p)
{
	struct pubs_ctx *c = ctx;
	if (p->version == c->latest && p->released_by)
		snprintf(c->released_by, sizeof c->released_by, "%s", p->released_by);
	/* The editor needs the approver's reason where the next step is decided. */
	if (p->version == c->latest && !strcmp(p->status, "afgewezen") && !c->rejected)
		c->rejected = json_pack("{s:s?,s:o,s:s?}", "by", p->decided_by, "at", date_json(p->decided_at, c->lang),
					"reason", p->reason);
	json_array_append_new(c->rows, json_pack("{s:i,s:s,s:s?,s:o,s:s?,s:o,s:s?}", "version", p->version, "status",
						 LABEL(state_labels, p->status, c->lang), "released_by", p->released_by,
						 "released_at", date_json(p->released_at, c->lang), "decided_by", p->decided_by,
						 "decided_at", date_json(p->decided_at, c->lang), "reason",
						 p->reason && strcmp(p->reason, "one-step") ? p->reason : NULL));
	return 0;
}

/* What the page says after a step: the outcome of a POST, shown with the page. */
struct outcome {
	const char *error_key;    /* message key of what went wrong, or NULL */
	json_t *missing;          /* fields that block publication (borrowed) */
	const char *reason;       /* the rejection reason as typed, shown again */
	bool reason_error;        /* the rejection lacked its reason */
};

/* The steps of the workflow: the path segment, the message key of the notice
 * after success (the ?gedaan= value). */
static const struct label done_labels[] = {
	{"aangemaakt", "work.done.created"},
	{"opgeslagen", "work.done.saved"},
	{"ongewijzigd", "work.done.unchanged"},
	{"vrijgegeven", "work.done.released"},
	{"gepubliceerd", "work.done.published"},
	{"afgewezen", "work.done.rejected"},
	{"teruggetrokken", "work.done.retracted"},
	{"gearchiveerd", "work.done.archived"},
};

static json_t *publication_view(struct http_req *r, const struct algo_meta *m, const struct outcome *oc,
				const char *lang)
{
	struct pubs_ctx pc = {json_array(), lang, m->latest, "", NULL};
	struct svc_err e = {0};
	unsigned roles = roles_in(r->actor, m->org_code);
	bool edit = roles & ROLE_REDACTEUR, decide = roles & ROLE_GOEDKEURDER;
	bool one_step = !strcmp(m->mode, "one-step"), publishable = json_array_size(m->missing) == 0;
	bool concept = !strcmp(m->state, "concept"), review = !strcmp(m->state, "ter beoordeling");
	bool archived = !strcmp(m->state, "gearchiveerd");
	svc_algo_publications(r->st, r->actor, m->lars, pubs_cb, &pc, &e);
	bool own_release = review && !one_step && !strcmp(pc.released_by, r->actor->label);
	bool can_publish = (decide && review && !own_release) || (one_step && (edit || decide) && (concept || review));
	json_t *o = json_pack("{s:s,s:s,s:b,s:i}", "state", LABEL(state_labels, m->state, lang), "mode",
			      msg(one_step ? "work.pub.one_step" : "work.pub.two_step", lang), "one_step", one_step,
			      "published_version", m->published_version);
	if (pc.rejected && concept)
		json_object_set_new(o, "rejected", pc.rejected);
	else
		json_decref(pc.rejected);
	if (json_array_size(pc.rows))
		json_object_set_new(o, "history", json_pack("{s:o}", "items", pc.rows));
	else
		json_decref(pc.rows);
	char url[64];
	snprintf(url, sizeof url, "/werkruimte/algoritmes/%s/", m->lars);
	json_object_set_new(o, "base", json_string(url));
	if (m->published_version) {
		snprintf(url, sizeof url, "/algoritmes/%s", m->lars);
		json_object_set_new(o, "public_url", json_string(url));
	}
	json_object_set_new(o, "release", json_boolean(edit && concept && !one_step && publishable));
	json_object_set_new(o, "publish", json_boolean(can_publish && publishable));
	json_object_set_new(o, "blocked", json_boolean(!publishable && ((edit && concept) || can_publish)));
	json_object_set_new(o, "own_release", json_boolean(own_release && decide));
	json_object_set_new(o, "waiting", json_boolean(review && !decide && !one_step));
	json_object_set_new(o, "reject", json_boolean(decide && review));
	json_object_set_new(o, "retract", json_boolean(decide && m->published_version > 0));
	json_object_set_new(o, "archive", json_boolean(decide && !archived));
	json_object_set_new(o, "reason", json_string(oc && oc->reason ? oc->reason : ""));
	if (oc && oc->reason_error)
		json_object_set_new(o, "reason_error", json_string(msg("work.pub.reason_required", lang)));
	json_object_set_new(o, "no_actions", json_boolean(!roles || !(edit || decide)));
	/* Say so when no step fits now, rather than leave the heading empty. */
	bool any = (edit && concept && !one_step && publishable) || (can_publish && publishable) ||
		   (!publishable && ((edit && concept) || can_publish)) || (own_release && decide) ||
		   (review && !decide && !one_step) || (decide && review) || (decide && m->published_version > 0) ||
		   (decide && !archived) || !roles || !(edit || decide);
	if (!any)
		json_object_set_new(o, "hint", json_string(msg(edit && !archived ? "work.pub.hint_edit" : "work.pub.nothing", lang)));
	return o;
}

/* Renders the algorithm page with the outcome of a step (NULL: a plain GET). */
static void render_algo(struct http_req *r, int status, const struct outcome *oc)
{
	const char *lang = web_lang(r), *done = http_query(r, "gedaan");
	struct algo_meta m;
	int rc = load_algo(r, r->params[0], 0, &m);
	if (rc)
		return web_error(r, rc, rc == 404 ? "error.not_found" : "error.title");
	unsigned roles = roles_in(r->actor, m.org_code);
	int di;
	json_t *head = algo_head(&m, lang), *cls = NULL;
	struct svc_err ce = {0};
	char wizard[96], edit[96];
	snprintf(wizard, sizeof wizard, "/werkruimte/algoritmes/%s/beslishulp", m.lars);
	snprintf(edit, sizeof edit, "/werkruimte/algoritmes/%s/bewerken", m.lars);
	json_object_set_new(head, "created", date_json(m.created_at, lang));
	json_object_set_new(head, "updated", date_json(m.updated_at, lang));
	json_t *data = json_pack("{s:O,s:o,s:o,s:o,s:o,s:s,s:s,s:b,s:b}", "title", json_object_get(head, "name"), "algo",
				 head, "registration", registration_view(m.record, lang), "versions",
				 versions_view(r, m.lars, lang), "publication", publication_view(r, &m, oc, lang),
				 "wizard", wizard, "edit", edit, "can_edit",
				 (roles & ROLE_REDACTEUR) && strcmp(m.state, "gearchiveerd"), "src_nl", !strcmp(lang, "en"));
	if (!svc_class_get(r->st, r->actor, m.lars, &cls, &ce) && cls) {
		json_object_set_new(data, "ai", aiact_view(cls, &m, lang));
		json_decref(cls);
	} else if (ce.status >= 500) {  /* not classified is a state; a failure is not */
		json_decref(data);
		meta_cleanup(&m);
		return web_error(r, ce.status, "error.title");
	}
	if (oc && oc->error_key) {
		json_object_set_new(data, "error", json_string(msg(oc->error_key, lang)));
		if (json_array_size(oc->missing))
			json_object_set_new(data, "error_missing", json_pack("{s:O}", "items", oc->missing));
	} else if (done && (di = index_of(done_labels, ARRAY_LEN(done_labels), done)) >= 0) {
		char text[256];
		/* The notice names the version it produced: the latest one now. */
		fill(msg(done_labels[di].key, lang), m.version, text, sizeof text);
		json_object_set_new(data, "notice", json_string(text));
	}
	web_page(r, "work_algo", data);
	r->status = status;
	json_decref(data);
	meta_cleanup(&m);
}

static void algo_page(struct http_req *r)
{
	if (!require_user(r))
		return;
	render_algo(r, 200, NULL);
}

/* One workflow step posted from the page: success goes back to the page with a
 * notice (so a reload does not post again), failure shows the page with why. */
static void step(struct http_req *r, const char *name)
{
	if (!require_user(r))
		return;
	const json_t *form = web_form(r);
	struct svc_err e = {0};
	const char *lars = r->params[0], *reason = NULL;
	int rc;
	if (!form)
		return;
	if (!strcmp(name, "vrijgegeven")) {
		rc = svc_algo_release(r->st, r->actor, lars, &e);
	} else if (!strcmp(name, "gepubliceerd")) {
		rc = svc_algo_publish(r->st, r->actor, lars, &e);
	} else if (!strcmp(name, "afgewezen")) {
		reason = form_get(form, "reden");
		rc = svc_algo_reject(r->st, r->actor, lars, blank(reason) ? NULL : reason, &e);
	} else if (!strcmp(name, "teruggetrokken")) {
		reason = form_get(form, "reden");
		rc = svc_algo_retract(r->st, r->actor, lars, blank(reason) ? NULL : reason, &e);
	} else {
		rc = svc_algo_archive(r->st, r->actor, lars, &e);
	}
	if (!rc) {
		char to[128];
		snprintf(to, sizeof to, "/werkruimte/algoritmes/%s?gedaan=%s", lars, name);
		return web_redirect(r, to);
	}
	if (e.status == 404 || e.status == 401)
		return web_error(r, 404, "error.not_found");
	struct outcome oc = {.reason = reason};
	json_t *missing = NULL;
	if (!strcmp(e.code, "not_publishable")) {
		struct algo_meta m;
		oc.error_key = "work.pub.err_not_publishable";
		if (!load_algo(r, lars, 0, &m)) {
			missing = missing_json(&m, web_lang(r));
			meta_cleanup(&m);
		}
		oc.missing = missing;
	} else if (!strcmp(e.code, "four_eyes")) {
		oc.error_key = "work.pub.err_four_eyes";
	} else if (!strcmp(e.code, "wrong_state")) {
		oc.error_key = "work.pub.err_wrong_state";
	} else if (e.status == 403) {
		oc.error_key = "work.pub.err_forbidden";
	} else if (e.status == 422 && !strcmp(name, "afgewezen")) {
		oc.error_key = "work.pub.reason_required";
		oc.reason_error = true;
	} else {
		oc.error_key = "work.pub.err_other";
	}
	render_algo(r, e.status, &oc);
	json_decref(missing);
}

static void release_post(struct http_req *r)
{
	step(r, "vrijgegeven");
}

static void publish_post(struct http_req *r)
{
	step(r, "gepubliceerd");
}

static void reject_post(struct http_req *r)
{
	step(r, "afgewezen");
}

static void retract_post(struct http_req *r)
{
	step(r, "teruggetrokken");
}

static void archive_post(struct http_req *r)
{
	step(r, "gearchiveerd");
}

/* ---- a new algorithm ---- */

static void render_new(struct http_req *r, const char *org, const char *name, const char *desc,
		       const struct form_errs *fe, int status)
{
	const char *lang = web_lang(r);
	json_t *orgs = my_orgs(r), *editable_orgs = json_array(), *o;
	size_t i;
	json_array_foreach(orgs, i, o)
		if (json_is_true(json_object_get(o, "can_edit")))
			json_array_append(editable_orgs, o);
	json_decref(orgs);
	mark_selected(editable_orgs, "code", org);
	char title[256], nerr[96];
	snprintf(title, sizeof title, "%s%s", json_array_size(fe->summary) ? msg("work.edit.error_prefix", lang) : "",
		 msg("work.new.title", lang));
	plural("work.edit.n_errors", (long long)json_array_size(fe->summary), lang, nerr, sizeof nerr);
	json_t *name_v = json_string(name ? name : ""), *desc_v = json_string(desc ? desc : "");
	json_t *data = json_pack("{s:s,s:o,s:b,s:O,s:s,s:o,s:o,s:b}", "title", title, "orgs", editable_orgs, "one_org",
				 json_array_size(editable_orgs) == 1, "errors", fe->summary, "errors_title", nerr, "name",
				 field_json(reg_field("name"), name_v, fe, lang), "description",
				 field_json(reg_field("description_short"), desc_v, fe, lang), "src_nl", !strcmp(lang, "en"));
	json_decref(name_v);
	json_decref(desc_v);
	json_object_set_new(data, "has_errors", json_boolean(json_array_size(fe->summary) > 0));
	json_object_set_new(data, "nav_new", json_true());
	json_object_set_new(data, "has_orgs", json_boolean(json_array_size(editable_orgs) > 0));
	json_object_set(data, "org_error", json_object_get(fe->by_id, "f-organisatie"));
	web_page(r, "work_new", data);
	r->status = status;
	json_decref(data);
}

static void new_get(struct http_req *r)
{
	if (!require_user(r))
		return;
	struct form_errs fe;
	errs_init(&fe);
	render_new(r, http_query(r, "organisatie"), NULL, NULL, &fe, 200);
	errs_cleanup(&fe);
}

static void new_post(struct http_req *r)
{
	if (!require_user(r))
		return;
	const json_t *form = web_form(r);
	struct svc_err e = {0};
	struct form_errs fe;
	char lars[9];
	if (!form)
		return;
	const char *lang = web_lang(r), *org = form_get(form, "organisatie");
	const char *name = form_get(form, "name"), *desc = form_get(form, "description_short");
	errs_init(&fe);
	if (!org || !(roles_in(r->actor, org) & ROLE_REDACTEUR))
		errs_add(&fe, "f-organisatie", NULL, msg("work.new.organisation", lang), msg("work.new.err_org", lang));
	/* The service accepts a draft without a name, but a list of nameless
	 * drafts helps nobody: the first step asks for one. */
	if (blank(name))
		errs_add(&fe, "f-name", NULL, field_label(reg_field("name"), lang), msg("work.err.required", lang));
	if (!json_array_size(fe.summary)) {
		json_t *body = json_pack("{s:s}", "name", name);
		if (!blank(desc))
			json_object_set_new(body, "description_short", json_string(desc));
		int rc = svc_algo_create(r->st, r->actor, org, body, lars, &e);
		json_decref(body);
		if (!rc) {
			char to[96];
			snprintf(to, sizeof to, "/werkruimte/algoritmes/%s?gedaan=aangemaakt", lars);
			web_redirect(r, to);
			goto out;
		}
		if (e.status != 422) {
			web_error(r, e.status == 403 ? 403 : e.status, e.status == 403 ? "work.err.no_edit_role" : "error.title");
			goto out;
		}
		for (size_t i = 0; i < e.errs.n; i++)
			errs_add_reg(&fe, &e.errs.e[i], NULL, lang);
	}
	render_new(r, org, name, desc, &fe, 422);
out:
	errs_cleanup(&fe);
}

/* ---- the route table ---- */

/* Specific paths before the ones with a {} in the same place: the router takes
 * the first match. Every workflow step has its own path, so the wizard's
 * /werkruimte/algoritmes/{id}/beslishulp (web_wizard.c) stays free. */
static const struct http_route routes[] = {
	{"GET", "/werkruimte", dashboard, 0},
	{"GET", "/werkruimte/algoritmes", algo_list, 0},
	{"GET", "/werkruimte/algoritmes/nieuw", new_get, 0},
	{"POST", "/werkruimte/algoritmes/nieuw", new_post, 0},
	{"GET", "/werkruimte/algoritmes/{}", algo_page, 0},
	{"GET", "/werkruimte/algoritmes/{}/bewerken", edit_get, 0},
	{"POST", "/werkruimte/algoritmes/{}/bewerken", edit_post, 0},
	{"POST", "/werkruimte/algoritmes/{}/vrijgeven", release_post, 0},
	{"POST", "/werkruimte/algoritmes/{}/publiceren", publish_post, 0},
	{"POST", "/werkruimte/algoritmes/{}/afwijzen", reject_post, 0},
	{"POST", "/werkruimte/algoritmes/{}/terugtrekken", retract_post, 0},
	{"POST", "/werkruimte/algoritmes/{}/archiveren", archive_post, 0},
};

const struct http_route *web_work_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
