/* svc_import.c - import of register files (v1.0 API shape, the scraped
 * listing, supplier templates, CSV) and export. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csv.h"
#include "jsonw.h"
#include "stream.h"
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

/* ---- the shapes of a file ---- */

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

/* ---- reading a file, one record at a time ---- */

struct reader {
	struct stream in;
	bool csv;
	enum import_format fmt;
	json_t *ahead;              /* the first record, read to decide the format */
	/* CSV */
	struct csv_reader r;
	bool batch;                 /* r holds a batch of lines */
	size_t ncols;               /* 0 until the header is read */
	int col_field[CSV_MAX_FIELDS];
};

static int malformed_json(struct reader *rd, struct svc_err *e)
{
	struct stream *s = &rd->in;
	char record[32] = "";
	if (s->array)
		snprintf(record, sizeof record, " (record %zu)", s->index + 1);
	e->line = (int)s->error_line;
	e->column = (int)s->error_col;
	svc_fail(e, 400, "malformed_json", "malformed JSON at line %zu, column %zu%s: %s", s->error_line,
		 s->error_col, record, s->error);
	return -1;
}

static int csv_fail(struct svc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int csv_fail(struct svc_err *e, const char *fmt, ...)
{
	char msg[sizeof e->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	svc_fail(e, 400, "malformed_csv", "%s", msg);
	return -1;
}

/* A batch of CSV lines that starts on line: UTF-8, or the position of the first
 * byte that is not. */
static int csv_utf8(const char *data, size_t len, size_t line, struct svc_err *e)
{
	size_t col = 1, i = 0;
	uint32_t cp;
	if (text_utf8_valid(data, len))
		return 0;
	for (size_t k; i < len && (k = text_utf8_decode((const unsigned char *)data + i, len - i, &cp)); i += k, col++)
		if (data[i] == '\n')
			line++, col = 0;
	return csv_fail(e, "line %zu, column %zu: the file is not UTF-8 (save it as UTF-8 and import again)", line,
			col);
}

static int csv_header(struct reader *rd, struct svc_err *e)
{
	struct csv_reader *r = &rd->r;
	for (size_t i = 0; i < r->nfields; i++) {
		rd->col_field[i] = -1;
		for (size_t j = 0; j < svc_csv_ncolumns; j++)
			if (!strcmp(text_trim(r->fields[i]), svc_csv_columns[j]))
				rd->col_field[i] = (int)j;
		if (rd->col_field[i] < 0 && strcmp(r->fields[i], "lars"))
			return csv_fail(e, "line %zu, column %zu: unknown column \"%.60s\"", r->record_line, i + 1,
					r->fields[i]);
	}
	rd->ncols = r->nfields;
	return 0;
}

/* The next CSV row as a record with v1.0 keys: 1, 0 at the end, -1 when the
 * file is malformed (header, syntax, encoding). */
static int csv_next(struct reader *rd, json_t **item, struct svc_err *e)
{
	struct csv_reader *r = &rd->r;
	for (;;) {
		int n = rd->batch ? csv_reader_next(r) : 0;
		if (n < 0)
			return csv_fail(e, "%s", r->errmsg);
		if (n && !rd->ncols) {
			if (csv_header(rd, e))
				return -1;
			continue;
		}
		if (n) {
			if (r->nfields != rd->ncols)
				return csv_fail(e, "line %zu: %zu fields where the header has %zu", r->record_line, r->nfields,
						rd->ncols);
			json_t *o = json_object();
			for (size_t i = 0; i < rd->ncols; i++) {
				const char *key = rd->col_field[i] < 0 ? "lars" : svc_csv_columns[rd->col_field[i]];
				const struct reg_field *f = reg_field(key);
				if (*r->fields[i])
					json_object_set_new(o, key, f && (f->type == REG_LIST || f->type == REG_LINKS)
								    ? csv_array_cell(key, r->fields[i])
								    : json_string(r->fields[i]));
			}
			*item = o;
			return 1;
		}
		if (rd->batch)
			csv_reader_cleanup(r);
		rd->batch = false;
		const char *data;
		size_t len, line;
		if ((n = stream_csv_next(&rd->in, &data, &len, &line)) < 0)
			return csv_fail(e, "line %zu: %s", rd->in.error_line, rd->in.error);
		if (!n)
			return rd->ncols ? 0 : csv_fail(e, "the file is empty");
		if (csv_utf8(data, len, line, e))
			return -1;
		csv_reader_init(r, data, len, ',');
		r->line = line;
		rd->batch = true;
	}
}

/* The next record of the file: 1 (*item owned), 0 at the end, -1 when the file
 * is malformed (e: 400). */
static int reader_next(struct reader *rd, json_t **item, struct svc_err *e)
{
	if (rd->ahead) {
		*item = rd->ahead;
		rd->ahead = NULL;
		return 1;
	}
	if (rd->csv)
		return csv_next(rd, item, e);
	size_t line, col;
	int rc = stream_json_next(&rd->in, "algoritmes", item, &line, &col);
	return rc < 0 ? malformed_json(rd, e) : rc;
}

/* Reads the first record and decides the shape of the file from it. */
static int reader_start(struct reader *rd, struct svc_err *e)
{
	if (reader_next(rd, &rd->ahead, e) < 0)
		return -1;
	json_t *first = rd->ahead;
	rd->fmt = rd->csv ? FMT_CSV
		  : rd->in.has_member || (first && is_scrape_record(first)) ? FMT_SCRAPE
		  : first && is_template_record(first) ? FMT_TEMPLATE : FMT_REGISTER;
	return 0;
}

static void reader_cleanup(struct reader *rd)
{
	if (rd->batch)
		csv_reader_cleanup(&rd->r);
	json_decref(rd->ahead);
	stream_cleanup(&rd->in);
}

int svc_read_records(const char *data, size_t len, bool csv, json_t **records, struct svc_err *e)
{
	struct reader rd = {.csv = csv};
	json_t *item;
	int rc;
	*records = json_array();
	stream_init_mem(&rd.in, data, len);
	if (!(rc = reader_start(&rd, e))) {
		while ((rc = reader_next(&rd, &item, e)) == 1) {
			struct incoming in = {0};
			if (json_is_object(item)) {
				map_item(rd.fmt, item, &in);
				json_array_append_new(*records, in.rec);
				json_decref(in.meta);
			}
			json_decref(item);
		}
	}
	reader_cleanup(&rd);
	if (rc < 0) { /* a malformed file yields no records at all */
		json_array_clear(*records);
		return e->status;
	}
	return 0;
}

/* ---- import ---- */

/* The IDs an import created or matched, as numbers (IDs are 8 digits), in an
 * open-addressing set: 8 bytes per record where a JSON object took ~100. */
struct idset {
	uint32_t *slot;  /* the ID + 1; 0 is free */
	size_t cap, n;
};

static uint32_t id_key(const char *lars)
{
	uint32_t v = 0;
	for (; *lars; lars++)
		v = v * 10 + (uint32_t)(*lars - '0');
	return v + 1;
}

static size_t id_slot(const struct idset *s, uint32_t key)
{
	size_t i = (size_t)(key * 2654435761u) & (s->cap - 1);
	while (s->slot[i] && s->slot[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool idset_has(const struct idset *s, const char *lars)
{
	return s->cap && s->slot[id_slot(s, id_key(lars))];
}

static void idset_add(struct idset *s, const char *lars)
{
	if (2 * (s->n + 1) > s->cap) {
		struct idset bigger = {xcalloc(s->cap ? 2 * s->cap : 1024, sizeof *s->slot), s->cap ? 2 * s->cap : 1024,
				       s->n};
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				bigger.slot[id_slot(&bigger, s->slot[i])] = s->slot[i];
		free(s->slot);
		*s = bigger;
	}
	size_t i = id_slot(s, id_key(lars));
	s->n += !s->slot[i];
	s->slot[i] = id_key(lars);
}

/* An organisation as an import needs it. */
struct org_hit {
	long long id;
	bool one_step;
	char name[256];
};

struct import_ctx {
	struct store *st;
	const struct actor *a;
	const char *now;
	enum import_format fmt;
	bool publish;           /* IMPORT_PUBLISH */
	bool fixed;             /* every record's organisation is: */
	struct org_hit org;
	json_t *orgs;           /* organisations looked up: name as written -> [id, one-step] */
	struct idset touched;   /* IDs created or matched by this import */
	size_t forbidden;       /* records refused for the actor's lack of a role */
	char why_forbidden[256];   /* the first such refusal */
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
	const struct idset *touched;
	json_t *candidates;
};

static int name_match_cb(void *ctx, const char *lars)
{
	struct name_match *m = ctx;
	if (!idset_has(m->touched, lars))
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
		struct name_match m = {&c->touched, json_array()};
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

static int org_hit_cb(void *ctx, const struct org *o)
{
	struct org_hit *h = ctx;
	h->id = o->id;
	h->one_step = !strcmp(o->publication_mode, "one-step");
	return 0;
}

/* The organisation a record names, looked up once per import: operators (and
 * the CLI) add one not yet known. */
static int find_org(struct import_ctx *c, const char *name, struct org_hit *o, struct svc_err *e)
{
	json_t *hit = json_object_get(c->orgs, name);
	int rc;
	memset(o, 0, sizeof *o);
	snprintf(o->name, sizeof o->name, "%s", name);
	if (hit) {
		o->id = json_integer_value(json_array_get(hit, 0));
		o->one_step = json_is_true(json_array_get(hit, 1));
		return 0;
	}
	if (c->a->operator) {
		rc = svc_org_resolve(c->st, name, c->now, &o->id);
	} else {
		struct buf key;
		buf_init(&key, 0);
		text_name_key(&key, name);
		rc = store_org_find(c->st, buf_str(&key), org_hit_cb, o);
		buf_cleanup(&key);
		if (rc == STORE_NOTFOUND)
			return svc_fail(e, 403, "forbidden", "organisation %.100s is not known here; an operator adds it",
					name);
	}
	if (rc)
		return svc_store_err(e, c->st, rc);
	json_object_set_new(c->orgs, name, json_pack("[Ib]", (json_int_t)o->id, o->one_step));
	return 0;
}

/* Who may publish in an organisation (as svc_algo_publish decides). */
static bool may_publish(const struct actor *a, const struct org_hit *o)
{
	return a->operator || auth_can(a, o->id, PERM_DECIDE) || (o->one_step && auth_can(a, o->id, PERM_EDIT));
}

/* The organisation of an incoming record, and whether the actor may import
 * into it: PERM_EDIT there (importing as published: the right to publish);
 * entries already published in the national register and organisations not yet
 * known need an operator (or the CLI). */
static int import_org(struct import_ctx *c, json_t *rec, const char *state, struct org_hit *org,
		      struct svc_err *e)
{
	int rc;
	if (c->fixed) {
		*org = c->org;
		json_object_set_new(rec, "organization", json_string(org->name));
	} else if (!reg_str(rec, "organization")) {
		return svc_fail(e, 422, "required", "the record names no organisation (give one for the whole file)");
	} else if ((rc = find_org(c, reg_str(rec, "organization"), org, e))) {
		return rc;
	}
	/* What the national register already published is the operator's to load;
	 * everything else is the organisation's own work. */
	if (!strcmp(state, "gepubliceerd"))
		return c->a->operator ? 0 : svc_fail(e, 403, "forbidden",
						     "entries published in the national register are imported by an operator");
	if (c->publish)
		return may_publish(c->a, org) ? 0 : svc_fail(e, 403, "forbidden",
							     "importing as published needs the role goedkeurder in %.100s",
							     org->name);
	if (!auth_can(c->a, org->id, PERM_EDIT))
		return svc_fail(e, 403, "forbidden", "importing needs the role redacteur in the organisation");
	return 0;
}

/* After a record was created or changed, or when an unchanged one is to be
 * published: its publication (live) and its audit row. A new version's row
 * holds its number and the BLAKE2b-256 of its record (audit verify compares it
 * with the version, which cannot change), and for an update also what changed. */
static int record_import(struct import_ctx *c, struct prepared *p, const struct current *cur, bool changed,
			 bool live, struct svc_err *e)
{
	const char *lars = p->w.lars;
	int version = cur->version + changed, rc = 0;
	json_t *changes = changed && cur->version ? svc_record_diff(cur->record, p->record) : json_object();
	if (changed) {
		char hash[65];
		auth_hash_secret(p->record, hash);
		json_object_set_new(changes, "version", json_integer(version));
		json_object_set_new(changes, "record_hash", json_string(hash));
	}
	if (live) {
		if ((rc = store_algo_publish(c->st, lars, version, c->a->label, c->now, c->fmt == FMT_SCRAPE
					     ? "published in the national register" : "published on import")))
			goto out;
		json_object_set_new(changes, "state", json_pack("[s?s]", cur->version ? cur->state : NULL, "gepubliceerd"));
		json_object_set_new(changes, "published_version",
				    json_pack("[oi]", cur->published_version ? json_integer(cur->published_version) : json_null(),
					      version));
	} else if (cur->version && (rc = store_algo_set_workflow(c->st, lars, "concept", cur->published_version, c->now))) {
		goto out;
	}
	rc = svc_audit(c->st, c->a, p->w.org_id, !changed ? "algorithm.publish" : cur->version ? "algorithm.import_update"
			: "algorithm.import", "algorithm", lars, changes, e);
	json_decref(changes);
	return rc;
out:
	json_decref(changes);
	return svc_store_err(e, c->st, rc);
}

/* Importing as published: why a stored record stays unpublished, or NULL. */
static const char *not_live(const struct prepared *p, const struct current *cur, bool changed, bool live)
{
	if (live || (!changed && cur->version && cur->published_version == cur->version))
		return NULL;
	if (!p->w.publishable)
		return "required fields for publication are missing";
	return "the algorithm is retracted or archived: publish it in the workspace";
}

/* Imports one record inside the file's transaction; returns the action. A
 * database failure sets *fatal. */
static const char *import_one(struct import_ctx *c, json_t *item, json_t *entry, int *fatal,
			      struct svc_err *e)
{
	struct incoming in = {0};
	struct current cur = {0};
	struct prepared p;
	struct org_hit org;
	const char *action = "rejected";
	char lars[9];
	int rc = 0;
	e->errs.n = 0;
	*fatal = 0;
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
	if ((rc = import_org(c, rec, in.state, &org, e))) {
		if (rc == 403 && !c->forbidden++)
			snprintf(c->why_forbidden, sizeof c->why_forbidden, "%s", e->message);
		if (rc < 500) { /* the record's fault: reject it, go on */
			action = reject(entry, e, "organization", e->code, "%s", e->message);
			rc = 0;
		}
		json_decref(rec);
		goto out;
	}
	/* An algorithm written earlier in this file is read as it is now. */
	if ((rc = match_existing(c, rec, org.id, lars)) || (*lars && idset_has(&c->touched, lars) &&
							      (rc = store_bulk_flush(c->st)))) {
		json_decref(rec);
		goto out;
	}
	const char *org_name = reg_str(rec, "organization");
	if (*lars)
		json_object_set_new(rec, "lars", json_string(lars));
	svc_prepare(&p, rec, org.id, org_name, c->now);
	/* The national register's entries are live already; imported as published,
	 * whatever is publishable goes live. */
	bool live = !strcmp(in.state, "gepubliceerd") || (c->publish && p.w.publishable);
	p.w.state = live ? "gepubliceerd" : "concept";
	char *meta = in.meta ? json_dumps(in.meta, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	p.w.import_meta = meta;
	bool changed = true;
	rc = *lars ? svc_load_current(c->st, lars, &cur, e) : 404;
	if (rc == 404) {
		rc = svc_insert_algo(c->st, &p, e);
		action = "created";
	} else if (!rc && cur.org_id != org.id) {
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
		/* An unchanged record goes live when its latest version is waiting for it. */
		if (!changed)
			live = live && c->publish && cur.published_version != cur.version &&
			       (!strcmp(cur.state, "concept") || !strcmp(cur.state, "ter beoordeling"));
	}
	if (rc == 409) { /* an ID given twice in one file, or taken */
		action = reject(entry, e, "lars", "already_exists", "%s", e->message);
		changed = false;
		rc = 0;
	}
	if (!rc && strcmp(action, "rejected")) {
		if (changed || live)
			rc = record_import(c, &p, &cur, changed, live, e);
		json_object_set_new(entry, "id", json_string(p.w.lars));
		idset_add(&c->touched, p.w.lars);
		if (c->publish) {
			const char *why = not_live(&p, &cur, changed, live);
			json_object_set_new(entry, "published", json_boolean(!why));
			if (why)
				json_object_set_new(entry, "not_published",
						    json_pack("{s:s,s:o}", "reason", why, "missing", json_loads(p.missing, 0, NULL)));
		}
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

/* Imports the records of rd in one transaction. */
static int import_run(struct store *st, const struct actor *a, struct reader *rd, size_t total,
		      const struct import_opts *o, json_t **report, struct svc_err *e)
{
	static const char *const actions[] = {"created", "changed", "unchanged", "rejected"};
	struct import_ctx c = {.st = st, .a = a, .publish = (o->flags & IMPORT_PUBLISH) != 0};
	size_t counts[4] = {0}, published[2] = {0}, i = 0;
	char now[21];
	json_t *item, *records = NULL;
	int rc, n;
	*report = NULL;
	if (a->kind == ACTOR_ANONYMOUS)
		return svc_fail(e, 401, "unauthorized", "log in first");
	/* Who may not import at all hears so at once, not per record. */
	bool may = a->kind == ACTOR_SYSTEM || a->operator;
	for (size_t k = 0; k < a->norgs; k++)
		may |= auth_can(a, a->orgs[k].org_id, c.publish ? PERM_DECIDE | PERM_EDIT : PERM_EDIT);
	if (!may)
		return svc_fail(e, 403, "forbidden", c.publish ? "importing as published needs the role goedkeurder in an "
							       "organisation" : "importing needs the role redacteur in an organisation");
	if (o->org_code) {
		struct org_ref org;
		if ((rc = svc_org_ref(st, o->org_code, &org, e)))
			return rc;
		c.fixed = true;
		c.org = (struct org_hit){.id = org.id, .one_step = !strcmp(org.mode, "one-step")};
		snprintf(c.org.name, sizeof c.org.name, "%s", org.name);
		if (c.publish ? !may_publish(a, &c.org) : !auth_can(a, org.id, PERM_EDIT) && !a->operator)
			return svc_fail(e, 403, "forbidden", "importing %sneeds the role %s in %s",
					c.publish ? "as published " : "", c.publish ? "goedkeurder" : "redacteur", o->org_code);
	}
	if (reader_start(rd, e))
		return e->status;
	util_now_iso(now);
	c.now = now;
	c.fmt = rd->fmt;
	c.orgs = json_object();
	records = json_array();
	*report = json_pack("{s:s,s:b}", "format", format_names[c.fmt], "dry_run", (o->flags & IMPORT_DRY_RUN) != 0);
	if ((rc = store_begin(st))) {
		rc = svc_store_err(e, st, rc);
		goto done;
	}
	store_bulk_begin(st);
	while ((n = reader_next(rd, &item, e)) == 1) {
		json_t *entry = json_pack("{s:I}", "index", (json_int_t)i++);
		int fatal;
		const char *action = import_one(&c, item, entry, &fatal, e);
		json_decref(item);
		if (fatal) {
			json_decref(entry);
			rc = fatal >= 400 ? fatal : svc_store_err(e, st, fatal);
			store_rollback(st);
			goto done;
		}
		json_object_set_new(entry, "action", json_string(action));
		for (size_t k = 0; k < ARRAY_LEN(actions); k++)
			counts[k] += !strcmp(action, actions[k]);
		if (json_object_get(entry, "published"))
			published[!json_is_true(json_object_get(entry, "published"))]++;
		if (o->record) {
			o->record(o->ctx, entry);
			json_decref(entry);
		} else {
			json_array_append_new(records, entry);
		}
		if (o->progress && i % 64 == 0)
			o->progress((size_t)stream_done(&rd->in), total);
	}
	if (n < 0) { /* malformed: nothing is stored, and there is no report */
		store_rollback(st);
		json_decref(*report);
		*report = NULL;
		rc = e->status;
		goto done;
	}
	if (o->progress)
		o->progress((size_t)stream_done(&rd->in), total);
	for (size_t k = 0; k < ARRAY_LEN(actions); k++)
		json_object_set_new(*report, actions[k], json_integer((json_int_t)counts[k]));
	if (c.publish) {
		json_object_set_new(*report, "published", json_integer((json_int_t)published[0]));
		json_object_set_new(*report, "not_published", json_integer((json_int_t)published[1]));
	}
	if ((counts[3] && !(o->flags & IMPORT_SKIP_INVALID)) || (o->flags & IMPORT_DRY_RUN)) {
		store_rollback(st);
		if (counts[3] && counts[3] == c.forbidden && counts[3] == i)
			rc = svc_fail(e, 403, "forbidden", "none of the %zu records may be imported by you: %s", i,
				      c.why_forbidden);
		else if (counts[3] && !(o->flags & IMPORT_SKIP_INVALID))
			rc = svc_fail(e, 422, "import_rejected", "%zu of %zu records were rejected; nothing was stored",
				      counts[3], i);
	} else if ((rc = store_bulk_end(st, true)) || (rc = store_commit(st))) {
		store_rollback(st);
		rc = svc_store_err(e, st, rc);
	}
done:
	if (*report)
		json_object_set_new(*report, "records", records);
	else
		json_decref(records);
	json_decref(c.orgs);
	free(c.touched.slot);
	return rc;
}

int svc_import(struct store *st, const struct actor *a, const char *data, size_t len, bool csv,
	       const char *org_code, int flags, json_t **report, void (*progress)(size_t, size_t),
	       struct svc_err *e)
{
	struct import_opts o = {.org_code = org_code, .flags = flags, .progress = progress};
	struct reader rd = {.csv = csv};
	stream_init_mem(&rd.in, data, len);
	int rc = import_run(st, a, &rd, len, &o, report, e);
	reader_cleanup(&rd);
	return rc;
}

int svc_import_file(struct store *st, const struct actor *a, FILE *f, bool csv, const struct import_opts *o,
		    json_t **report, struct svc_err *e)
{
	struct stat sb;
	struct reader rd = {.csv = csv};
	stream_init_file(&rd.in, f);
	int rc = import_run(st, a, &rd, fstat(fileno(f), &sb) ? 0 : (size_t)sb.st_size, o, report, e);
	reader_cleanup(&rd);
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
