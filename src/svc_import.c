/* svc_import.c - import of register files (v1.0 API shape, the scraped
 * listing, supplier templates, CSV) and export. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "jsonw.h"
#include "svc_internal.h"
#include "text.h"
#include "util.h"

const char *const svc_csv_columns[] = {
	"name", "organization", "description_short", "category", "website", "status", "goal",
	"proportionality", "lawful_basis", "standard_version", "url", "contact_email", "lang",
	"publiccode", "source_data", "methods_and_models", "human_intervention", "risks", "provider",
	"process_index_url", "tags", "source_id", "begin_date", "end_date", "impacttoetsen",
	"publication_category", "lawful_basis_grouping", "impacttoetsen_grouping", "source_data_grouping",
};
const size_t svc_csv_ncolumns = ARRAY_LEN(svc_csv_columns);

static int org_id_only(void *ctx, const struct org *o)
{
	*(long long *)ctx = o->id;
	return 0;
}

/* ---- import ---- */

enum import_format { FMT_REGISTER, FMT_SCRAPE, FMT_TEMPLATE, FMT_CSV };
static const char *const format_names[] = {"register", "scrape", "template", "csv"};

/* One incoming record, mapped to v1.0 keys, with what the import needs besides. */
struct incoming {
	json_t *rec;            /* v1.0 keys (owned) */
	const char *state;      /* "concept" or "gepubliceerd" */
	json_t *meta;           /* import_meta or NULL (owned) */
};

static const struct {
	const char *from, *to;
} scrape_status[] = {
	{"in_gebruik", "In gebruik"}, {"ontwikkeling", "In ontwikkeling"}, {"buiten_gebruik", "Buiten gebruik"},
};

/* The scraped shape keeps 10 fields of a published entry (see data/NOTICE.md). */
static void map_scrape(json_t *in, struct incoming *out)
{
	static const struct {
		const char *from, *to;
	} keys[] = {
		{"id", "lars"}, {"title", "name"}, {"organisatie", "organization"}, {"doel", "goal"},
		{"juridische_basis", "lawful_basis"}, {"url", "url"}, {"geregistreerd", "publication_dt"},
	};
	json_t *rec = json_object();
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(in, keys[i].from);
		if (v)
			json_object_set(rec, keys[i].to, v);
	}
	const char *st = json_string_value(json_object_get(in, "status"));
	for (size_t i = 0; st && i < ARRAY_LEN(scrape_status); i++)
		if (!strcmp(st, scrape_status[i].from))
			st = scrape_status[i].to;
	if (st)
		json_object_set_new(rec, "status", json_string(st));
	/* Every entry of the scraped listing (/api/algoritme/NLD) is a Dutch-language registration. */
	json_object_set_new(rec, "lang", json_string("nld"));
	out->rec = rec;
	out->state = "gepubliceerd";
	out->meta = json_pack("{s:s}", "source", "algoritmeregister");
	const char *extra[] = {"impactassessment", "geregistreerd", "toegevoegd"};
	for (size_t i = 0; i < ARRAY_LEN(extra); i++) {
		json_t *v = json_object_get(in, extra[i]);
		if (json_is_string(v))
			json_object_set(out->meta, extra[i], v);
	}
}

/* Supplier templates carry their own slug as "id": it becomes the source ID so
 * that importing a template twice updates instead of duplicating. */
static void map_template(json_t *in, struct incoming *out)
{
	json_t *rec = json_deep_copy(in);
	json_t *id = json_object_get(rec, "id");
	if (json_is_string(id) && !json_is_string(json_object_get(rec, "source_id")))
		json_object_set(rec, "source_id", id);
	out->rec = rec;
	out->state = "concept";
	out->meta = NULL;
}

static bool is_scrape_record(json_t *o)
{
	return json_object_get(o, "title") && json_object_get(o, "organisatie");
}

static bool is_template_record(json_t *o)
{
	json_t *id = json_object_get(o, "id");
	return json_is_string(id) && !reg_id_valid(json_string_value(id)) && json_object_get(o, "name");
}

/* Parses a CSV cell of an array field: a JSON array, or (category) a comma list. */
static json_t *csv_array_cell(const char *key, const char *s)
{
	if (*s == '[') {
		json_t *v = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
		if (v)
			return v;
		return json_string(s); /* normalisation reports the wrong type */
	}
	json_t *arr = json_array();
	if (strcmp(key, "category"))
		return json_decref(arr), json_string(s);
	char *copy = xstrdup(s);
	for (char *p = copy, *next; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (*text_trim(p))
			json_array_append_new(arr, json_string(p));
	}
	free(copy);
	return arr;
}

/* Turns CSV rows into records. Structural errors (header, syntax) fail the file. */
static int parse_csv(const char *data, size_t len, json_t **items, struct svc_err *e)
{
	struct csv_reader r;
	int n, col_field[CSV_MAX_FIELDS];
	size_t ncols = 0;
	*items = json_array();
	if (!text_utf8_valid(data, len)) {
		size_t line = 1, col = 1, i = 0;
		uint32_t cp;
		for (size_t k; i < len && (k = text_utf8_decode((const unsigned char *)data + i, len - i, &cp));
		     i += k, col++)
			if (data[i] == '\n')
				line++, col = 0;
		return svc_fail(e, 400, "malformed_csv", "line %zu, column %zu: the file is not UTF-8 (save it as "
			   "UTF-8 and import again)", line, col);
	}
	csv_reader_init(&r, data, len, ',');
	if ((n = csv_reader_next(&r)) != 1) {
		csv_reader_cleanup(&r);
		return svc_fail(e, 400, "malformed_csv", "%s", n < 0 ? r.errmsg : "the file is empty");
	}
	ncols = r.nfields;
	for (size_t i = 0; i < ncols; i++) {
		col_field[i] = -1;
		for (size_t j = 0; j < svc_csv_ncolumns; j++)
			if (!strcmp(text_trim(r.fields[i]), svc_csv_columns[j]))
				col_field[i] = (int)j;
		if (col_field[i] < 0 && strcmp(r.fields[i], "lars")) {
			svc_fail(e, 400, "malformed_csv", "line 1, column %zu: unknown column \"%.60s\"", i + 1,
			    r.fields[i]);
			csv_reader_cleanup(&r);
			return 400;
		}
	}
	while ((n = csv_reader_next(&r)) == 1) {
		if (r.nfields != ncols) {
			svc_fail(e, 400, "malformed_csv", "line %zu: %zu fields where the header has %zu",
			    r.record_line, r.nfields, ncols);
			csv_reader_cleanup(&r);
			return 400;
		}
		json_t *o = json_object();
		for (size_t i = 0; i < ncols; i++) {
			const char *key = col_field[i] < 0 ? "lars" : svc_csv_columns[col_field[i]];
			const struct reg_field *f = reg_field(key);
			if (!*r.fields[i])
				continue;
			json_object_set_new(o, key, f && (f->type == REG_LIST || f->type == REG_LINKS)
						    ? csv_array_cell(key, r.fields[i]) : json_string(r.fields[i]));
		}
		json_array_append_new(*items, o);
	}
	csv_reader_cleanup(&r);
	if (n < 0)
		return svc_fail(e, 400, "malformed_csv", "%s", r.errmsg);
	return 0;
}

/* Decides the shape of a file and returns its records as an array (owned). */
static int parse_import(const char *data, size_t len, bool csv, json_t **items,
			enum import_format *fmt, struct svc_err *e)
{
	if (csv) {
		*fmt = FMT_CSV;
		int rc = parse_csv(data, len, items, e);
		if (rc) {  /* a malformed file yields no records at all */
			json_decref(*items);
			*items = NULL;
		}
		return rc;
	}
	json_error_t je;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		e->line = je.line;
		e->column = je.column > 0 ? je.column : 1; /* jansson says 0 at the start of a line */
		return svc_fail(e, 400, "malformed_json", "malformed JSON at line %d, column %d: %s", je.line,
			   e->column, je.text);
	}
	json_t *arr = json_is_array(json_object_get(doc, "algoritmes")) ? json_object_get(doc, "algoritmes")
		      : json_is_array(doc) ? doc : NULL;
	*items = json_array();
	if (arr)
		json_array_extend(*items, arr);
	else
		json_array_append(*items, doc);
	json_t *first = json_array_get(*items, 0);
	*fmt = json_object_get(doc, "algoritmes") || (first && is_scrape_record(first)) ? FMT_SCRAPE
	       : first && is_template_record(first) ? FMT_TEMPLATE : FMT_REGISTER;
	json_decref(doc);
	return 0;
}

/* Maps one item of a file of the given format to v1.0 keys (new references). */
static void map_item(enum import_format fmt, json_t *item, struct incoming *in)
{
	if (fmt == FMT_SCRAPE)
		map_scrape(item, in);
	else if (fmt == FMT_TEMPLATE)
		map_template(item, in);
	else
		*in = (struct incoming){.rec = json_incref(item), .state = "concept"};
}

int svc_read_records(const char *data, size_t len, bool csv, json_t **records, struct svc_err *e)
{
	json_t *items, *item;
	enum import_format fmt;
	size_t i;
	int rc = parse_import(data, len, csv, &items, &fmt, e);
	*records = json_array();
	if (rc)
		return rc;
	json_array_foreach(items, i, item) {
		struct incoming in = {0};
		if (!json_is_object(item))
			continue;
		map_item(fmt, item, &in);
		json_array_append_new(*records, in.rec);
		json_decref(in.meta);
	}
	json_decref(items);
	return 0;
}

struct import_ctx {
	struct store *st;
	const struct actor *a;
	const char *org_code, *now;
	enum import_format fmt;
	json_t *touched;        /* IDs created or matched by this import (object as a set) */
	size_t forbidden;       /* records refused for the actor's lack of a role */
};

static void report_errors(json_t *entry, const struct reg_errors *errs)
{
	json_t *list = json_array();
	for (size_t i = 0; i < errs->n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "field", errs->e[i].field, "code",
						      errs->e[i].code, "message", errs->e[i].message));
	json_object_set_new(entry, "errors", list);
}

static const char *reject(json_t *entry, struct svc_err *e, const char *field, const char *code,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static const char *reject(json_t *entry, struct svc_err *e, const char *field, const char *code,
			  const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reg_error_add(&e->errs, field, code, "%s", msg);
	report_errors(entry, &e->errs);
	return "rejected";
}

struct name_match {
	json_t *touched;
	json_t *candidates;
};

static int name_match_cb(void *ctx, const char *lars)
{
	struct name_match *m = ctx;
	if (!json_object_get(m->touched, lars))
		json_array_append_new(m->candidates, json_string(lars));
	return 0;
}

static int record_cb(void *ctx, const struct algo *a)
{
	*(char **)ctx = xstrdup(a->record);
	return 0;
}

/* Finds the algorithm an incoming record updates: by ID, else by organisation +
 * source ID, else (a file without either, such as the official CSV export) by
 * organisation + name. Each existing algorithm is taken at most once per import,
 * preferring one whose record is identical, so that two algorithms of one body
 * with the same name stay two. Sets lars_out to "" when it is new. */
static int match_existing(struct import_ctx *c, json_t *rec, long long org_id, char lars_out[9])
{
	const char *lars = reg_str(rec, "lars"), *source_id = reg_str(rec, "source_id");
	int rc = 0;
	lars_out[0] = '\0';
	if (lars) {
		snprintf(lars_out, 9, "%s", lars);
	} else if (source_id) {
		rc = store_algo_find_source(c->st, org_id, source_id, lars_out);
		rc = rc == STORE_NOTFOUND ? 0 : rc;
	} else if (reg_str(rec, "name")) {
		struct name_match m = {c->touched, json_array()};
		rc = store_algo_find_name(c->st, org_id, reg_str(rec, "name"), name_match_cb, &m);
		size_t i, n = json_array_size(m.candidates);
		json_t *cand;
		json_array_foreach(m.candidates, i, cand) {
			const char *id = json_string_value(cand);
			char *have = NULL, *want;
			if (!i)
				snprintf(lars_out, 9, "%s", id);
			if (n == 1 || rc || (rc = store_algo_get(c->st, id, 0, record_cb, &have)))
				break;
			json_object_set_new(rec, "lars", json_string(id));
			want = reg_canonical(rec);
			json_object_del(rec, "lars");
			bool same = !strcmp(want, have);
			free(want);
			free(have);
			if (same) {
				snprintf(lars_out, 9, "%s", id);
				break;
			}
		}
		json_decref(m.candidates);
	}
	return rc;
}

/* The organisation of an incoming record, and whether the actor may import
 * into it: PERM_EDIT there; entries already published in the national register
 * and organisations not yet known need an operator (or the CLI). */
static int import_org(struct import_ctx *c, json_t *rec, const char *state, long long *org_id,
		      struct svc_err *e)
{
	struct org_ref org;
	int rc;
	bool privileged = c->a->operator;
	if (c->org_code) {
		if ((rc = svc_org_ref(c->st, c->org_code, &org, e)))
			return rc;
		*org_id = org.id;
		json_object_set_new(rec, "organization", json_string(org.name));
	} else if (!reg_str(rec, "organization")) {
		return svc_fail(e, 422, "required", "the record names no organisation (give one for the whole file)");
	} else if (privileged) {
		if ((rc = svc_org_resolve(c->st, reg_str(rec, "organization"), c->now, org_id)))
			return svc_store_err(e, c->st, rc);
	} else {
		struct buf key;
		buf_init(&key, 0);
		text_name_key(&key, reg_str(rec, "organization"));
		rc = store_org_find(c->st, buf_str(&key), org_id_only, org_id);
		buf_cleanup(&key);
		if (rc == STORE_NOTFOUND)
			return svc_fail(e, 403, "forbidden", "organisation %.100s is not known here; an operator adds it",
					reg_str(rec, "organization"));
		if (rc)
			return svc_store_err(e, c->st, rc);
	}
	/* What the national register already published is the operator's to load;
	 * everything else is the organisation's own work. */
	if (!strcmp(state, "gepubliceerd"))
		return privileged ? 0 : svc_fail(e, 403, "forbidden",
						 "entries published in the national register are imported by an operator");
	if (!auth_can(c->a, *org_id, PERM_EDIT))
		return svc_fail(e, 403, "forbidden", "importing needs the role redacteur in the organisation");
	return 0;
}

/* After a created or changed record: its publication (for entries published
 * in the national register) and its audit row. */
static int record_import(struct import_ctx *c, struct prepared *p, const struct current *cur,
			 struct svc_err *e)
{
	int version = cur->version + 1, rc = 0;
	if (!strcmp(p->w.state, "gepubliceerd")) {
		if (cur->published_version &&
		    (rc = store_pub_set(c->st, p->w.lars, cur->published_version, "vervangen", c->a->label, c->now,
					false, NULL)))
			return svc_store_err(e, c->st, rc);
		if ((rc = store_pub_set(c->st, p->w.lars, version, "gepubliceerd", c->a->label, c->now, false,
					"published in the national register")) ||
		    (rc = store_algo_set_workflow(c->st, p->w.lars, "gepubliceerd", version, c->now)))
			return svc_store_err(e, c->st, rc);
	} else if (cur->version && (rc = store_algo_set_workflow(c->st, p->w.lars, "concept",
								    cur->published_version, c->now))) {
		return svc_store_err(e, c->st, rc);
	}
	json_t *changes = svc_record_diff(cur->record, p->record);
	rc = svc_audit(c->st, c->a, p->w.org_id, cur->version ? "algorithm.import_update" : "algorithm.import",
		       "algorithm", p->w.lars, changes, e);
	json_decref(changes);
	return rc;
}

/* Imports one record inside the file's transaction; returns the action. A
 * database failure sets *fatal. */
static const char *import_one(struct import_ctx *c, json_t *item, json_t *entry, int *fatal,
			      struct svc_err *e)
{
	struct incoming in = {0};
	struct current cur = {0};
	struct prepared p;
	const char *action = "rejected";
	long long org_id = 0;
	char lars[9];
	int rc = 0;
	memset(&e->errs, 0, sizeof e->errs);
	if (!json_is_object(item))
		return reject(entry, e, "", "wrong_type", "a record must be a JSON object");
	map_item(c->fmt, item, &in);
	json_object_set_new(entry, "errors", json_array());
	json_t *name = json_object_get(in.rec, "name"), *id = json_object_get(in.rec, "lars");
	json_object_set(entry, "name", json_is_string(name) ? name : json_null());
	json_object_set(entry, "id", json_is_string(id) ? id : json_null());
	/* Keys outside the standard (the register's own "uuid", a template's "type")
	 * are not data of the record; they are left out, not refused. */
	json_t *rec = reg_normalize(in.rec, true, &e->errs);
	if (!rec) {
		report_errors(entry, &e->errs);
		goto out;
	}
	if ((rc = import_org(c, rec, in.state, &org_id, e))) {
		c->forbidden += rc == 403;
		if (rc < 500) { /* the record's fault: reject it, go on */
			action = reject(entry, e, "organization", e->code, "%s", e->message);
			rc = 0;
		}
		json_decref(rec);
		goto out;
	}
	if (!rc)
		rc = match_existing(c, rec, org_id, lars);
	if (rc) {
		json_decref(rec);
		goto out;
	}
	const char *org_name = reg_str(rec, "organization");
	if (*lars)
		json_object_set_new(rec, "lars", json_string(lars));
	svc_prepare(&p, rec, org_id, org_name, c->now);
	p.w.state = in.state;
	char *meta = in.meta ? json_dumps(in.meta, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	p.w.import_meta = meta;
	bool changed = true;
	rc = *lars ? svc_load_current(c->st, lars, &cur, e) : 404;
	if (rc == 404) {
		cur.record = xstrdup("{}");
		rc = svc_insert_algo(c->st, &p, e);
		action = "created";
	} else if (!rc && cur.org_id != org_id) {
		/* Name the other organisation only to who may see it. */
		if (auth_member(c->a, cur.org_id) || cur.published_version)
			action = reject(entry, e, "organization", "org_mismatch",
					"algorithm %s belongs to %s, not to %s", lars, cur.org_name, org_name);
		else
			action = reject(entry, e, "lars", "unavailable",
					"algorithm ID %s cannot be used for %s", lars, org_name);
		changed = false;
	} else if (!rc) {
		rc = svc_add_version(c->st, &p, &cur, &changed, e);
		action = changed ? "changed" : "unchanged";
	}
	if (rc == 409) { /* an ID given twice in one file, or taken */
		action = reject(entry, e, "lars", "already_exists", "%s", e->message);
		changed = false;
		rc = 0;
	}
	if (!rc && changed)
		rc = record_import(c, &p, &cur, e);
	if (!rc && strcmp(action, "rejected")) {
		json_object_set_new(entry, "id", json_string(p.w.lars));
		json_object_set_new(c->touched, p.w.lars, json_true());
	}
	free(meta);
	free(cur.record);
	svc_prepared_cleanup(&p);
out:
	json_decref(in.rec);
	json_decref(in.meta);
	*fatal = rc;
	return action;
}

int svc_import(struct store *st, const struct actor *a, const char *data, size_t len, bool csv,
	       const char *org_code, int flags, json_t **report, void (*progress)(size_t, size_t),
	       struct svc_err *e)
{
	json_t *items = NULL;
	enum import_format fmt = FMT_REGISTER;
	char now[21];
	int rc;
	*report = NULL;
	/* Who may not import at all hears so at once, not per record. */
	bool edits_somewhere = a->kind == ACTOR_SYSTEM || a->operator;
	for (size_t i = 0; i < a->norgs; i++)
		edits_somewhere |= auth_can(a, a->orgs[i].org_id, PERM_EDIT);
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	if (!edits_somewhere)
		return svc_fail(e, 403, "forbidden", "importing needs the role redacteur in an organisation");
	if (org_code) {
		struct org_ref org;
		if ((rc = svc_org_ref(st, org_code, &org, e)))
			return rc;
		if (!auth_can(a, org.id, PERM_EDIT) && !a->operator)
			return svc_fail(e, 403, "forbidden", "importing needs the role redacteur in %s", org_code);
	}
	if ((rc = parse_import(data, len, csv, &items, &fmt, e)))
		goto out;
	util_now_iso(now);
	struct import_ctx c = {.st = st, .a = a, .org_code = org_code, .now = now, .fmt = fmt,
			       .touched = json_object()};
	size_t counts[4] = {0}, n = json_array_size(items);
	static const char *const actions[] = {"created", "changed", "unchanged", "rejected"};
	json_t *records = json_array();
	*report = json_pack("{s:s,s:b}", "format", format_names[fmt], "dry_run", (flags & IMPORT_DRY_RUN) != 0);
	if ((rc = store_begin(st))) {
		rc = svc_store_err(e, st, rc);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *entry = json_pack("{s:I}", "index", (json_int_t)i);
		int fatal = 0;
		const char *action = import_one(&c, json_array_get(items, i), entry, &fatal, e);
		if (fatal) {
			json_decref(entry);
			rc = fatal >= 400 ? fatal : svc_store_err(e, st, fatal);
			store_rollback(st);
			goto done;
		}
		json_object_set_new(entry, "action", json_string(action));
		json_array_append_new(records, entry);
		for (size_t k = 0; k < ARRAY_LEN(actions); k++)
			counts[k] += !strcmp(action, actions[k]);
		if (progress && (i % 64 == 63 || i + 1 == n))
			progress(i + 1, n);
	}
	for (size_t k = 0; k < ARRAY_LEN(actions); k++)
		json_object_set_new(*report, actions[k], json_integer((json_int_t)counts[k]));
	if ((counts[3] && !(flags & IMPORT_SKIP_INVALID)) || (flags & IMPORT_DRY_RUN)) {
		store_rollback(st);
		if (counts[3] && counts[3] == c.forbidden && counts[3] == n)
			rc = svc_fail(e, 403, "forbidden", "none of the %zu records may be imported by you", n);
		else if (counts[3] && !(flags & IMPORT_SKIP_INVALID))
			rc = svc_fail(e, 422, "import_rejected", "%zu of %zu records were rejected; nothing was stored",
				 counts[3], n);
	} else if ((rc = store_commit(st))) {
		store_rollback(st);
		rc = svc_store_err(e, st, rc);
	}
done:
	json_object_set_new(*report, "records", records);
	json_decref(c.touched);
out:
	json_decref(items);
	return rc;
}

/* ---- export ---- */

struct export_ctx {
	bool csv;
	size_t n;
	struct buf *out;
	struct jsonw *w;
};

static int export_cb(void *ctx, const char *lars, const char *record)
{
	struct export_ctx *x = ctx;
	if (!x->csv) {
		jsonw_raw(x->w, record, strlen(record));
		return jsonw_error(x->w);
	}
	json_t *rec = json_loads(record, 0, NULL);
	int rc = 0;
	for (size_t i = 0; !rc && i < svc_csv_ncolumns; i++) {
		json_t *v = json_object_get(rec, svc_csv_columns[i]);
		char *s = json_is_string(v) ? NULL : v ? json_dumps(v, JSON_COMPACT) : NULL;
		rc = csv_write_field(x->out, s ? s : json_is_string(v) ? json_string_value(v) : "");
		free(s);
	}
	json_decref(rec);
	return rc ? rc : csv_write_eol(x->out);
}

int svc_export(struct store *st, const struct actor *a, bool workspace, const char *org_code, bool csv,
	       struct buf *out, struct svc_err *e)
{
	struct jsonw w;
	struct export_ctx x = {.csv = csv, .out = out, .w = &w};
	struct algo_query q = {.org_code = org_code};
	long long ids[ACTOR_MAX_ORGS];
	struct org_ref org;
	int rc;
	if (org_code && (rc = svc_org_ref(st, org_code, &org, e)))
		return rc;
	if ((rc = svc_scope(a, workspace, &q, ids, e)))
		return rc;
	jsonw_init(&w, out);
	if (csv) {
		for (size_t i = 0; !rc && i < svc_csv_ncolumns; i++)
			rc = csv_write_field(out, svc_csv_columns[i]);
		if (!rc)
			rc = csv_write_eol(out);
	} else {
		jsonw_arr_open(&w);
	}
	if (!rc)
		rc = store_algo_export(st, &q, export_cb, &x);
	if (!csv)
		jsonw_arr_close(&w);
	if (rc == BUF_TOOBIG || jsonw_error(&w))
		return svc_fail(e, 500, "too_large", "the export exceeds the output limit");
	return rc ? svc_store_err(e, st, rc) : 0;
}
