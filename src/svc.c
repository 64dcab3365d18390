/* svc.c - organisations, algorithms, import and export. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "embedded.h"
#include "jsonw.h"
#include "svc.h"
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

static int err(struct svc_err *e, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int err(struct svc_err *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return status;
}

static int store_err(struct svc_err *e, struct store *st, int rc)
{
	if (rc == STORE_BUSY)
		return err(e, 503, "busy", "the database is busy; try again");
	return err(e, 500, "database_error", "database error: %s", store_errmsg(st));
}

/* ---- organisations ---- */

/* The organisation lists compiled in, with the type of each file. */
static const struct {
	const char *path, *type;
} org_lists[] = {
	{"data/orgs/Gemeenten.csv", "gemeente"},
	{"data/orgs/Provincies.csv", "provincie"},
	{"data/orgs/Waterschappen.csv", "waterschap"},
	{"data/orgs/Veiligheidsregios.csv", "veiligheidsregio"},
	{"data/orgs/Omgevingsdiensten.csv", "omgevingsdienst"},
};

static const char *const org_types[] = {
	"gemeente", "provincie", "waterschap", "veiligheidsregio", "omgevingsdienst", "overig",
};

bool svc_org_type_valid(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(org_types); i++)
		if (type && !strcmp(type, org_types[i]))
			return true;
	return false;
}

static int org_id_cb(void *ctx, const struct org *o)
{
	*(long long *)ctx = o->id;
	return 0;
}

static int insert_org(struct store *st, const char *code, const char *name, const char *type,
		      const char *now, long long *id)
{
	struct buf key;
	buf_init(&key, 0);
	text_name_key(&key, name);
	int rc = store_org_insert(st, code, name, buf_str(&key), type, now, id);
	buf_cleanup(&key);
	return rc;
}

/* Reads "name;identifier[;...]" rows of an embedded list, calling fn per row. */
static int each_org_row(const char *path, int (*fn)(void *, char **, size_t), void *ctx)
{
	const struct embedded_file *f = embedded_find(path);
	struct csv_reader r;
	int rc = 0, n;
	if (!f)
		return -1;
	csv_reader_init(&r, f->data, f->len, ';');
	for (bool header = true; !rc && (n = csv_reader_next(&r)) == 1; header = false)
		if (!header && r.nfields >= 2)
			rc = fn(ctx, r.fields, r.nfields);
	csv_reader_cleanup(&r);
	return rc ? rc : n < 0 ? -1 : 0;
}

struct seed_ctx {
	struct store *st;
	const char *type, *now;
};

static int seed_row(void *ctx, char **f, size_t n)
{
	struct seed_ctx *s = ctx;
	return insert_org(s->st, f[1], f[0], s->type, s->now, NULL);
}

static int alias_row(void *ctx, char **f, size_t n)
{
	struct seed_ctx *s = ctx;
	long long id = 0;
	struct buf key;
	int rc = store_org_get(s->st, f[1], org_id_cb, &id);
	if (rc)
		return rc;
	buf_init(&key, 0);
	text_name_key(&key, f[0]);
	rc = store_org_alias(s->st, buf_str(&key), id);
	buf_cleanup(&key);
	return rc;
}

int svc_org_seed(struct store *st, struct svc_err *e)
{
	long long n;
	char now[21];
	int rc;
	if ((rc = store_org_count(st, &n)))
		return store_err(e, st, rc);
	if (n)
		return 0;
	util_now_iso(now);
	if ((rc = store_begin(st)))
		return store_err(e, st, rc);
	struct seed_ctx s = {.st = st, .now = now};
	for (size_t i = 0; i < ARRAY_LEN(org_lists); i++) {
		s.type = org_lists[i].type;
		if ((rc = each_org_row(org_lists[i].path, seed_row, &s)))
			goto fail;
	}
	if ((rc = each_org_row("data/orgs/aliases.csv", alias_row, &s)) || (rc = store_commit(st)))
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return rc == -1 ? err(e, 500, "seed_failed", "an embedded organisation list is malformed")
			: store_err(e, st, rc);
}

int svc_org_create(struct store *st, const char *code, const char *name, const char *type,
		   struct svc_err *e)
{
	memset(&e->errs, 0, sizeof e->errs);
	if (!code || !*code || strlen(code) > 64)
		reg_error_add(&e->errs, "code", code && *code ? "too_long" : "required",
			      "code is required and at most 64 characters");
	else
		for (const char *p = code; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
				reg_error_add(&e->errs, "code", "invalid_format",
					      "code may hold only letters, digits, '-' and '_'");
				break;
			}
	/* The name becomes the records' "organization", so it has that field's limit. */
	size_t max = reg_field("organization")->max_length;
	if (!name || !*name || text_utf8_len(name, strlen(name)) > max)
		reg_error_add(&e->errs, "name", name && *name ? "too_long" : "required",
			      "name is required and at most %zu characters", max);
	if (!svc_org_type_valid(type))
		reg_error_add(&e->errs, "type", "not_allowed_value",
			      "type must be one of gemeente, provincie, waterschap, veiligheidsregio, "
			      "omgevingsdienst, overig");
	if (e->errs.n)
		return err(e, 422, "validation_failed", "the organisation is not valid");
	char now[21];
	util_now_iso(now);
	int rc = insert_org(st, code, name, type, now, NULL);
	if (rc == STORE_EXISTS)
		return err(e, 409, "already_exists", "an organisation with this code or name exists");
	return rc ? store_err(e, st, rc) : 0;
}

/* The type of an organisation not on the lists, from how Dutch bodies are named. */
static const char *guess_org_type(const char *name)
{
	static const struct {
		const char *prefix, *type;
	} guesses[] = {
		{"Gemeente ", "gemeente"}, {"Provincie ", "provincie"}, {"Waterschap ", "waterschap"},
		{"Hoogheemraadschap ", "waterschap"}, {"Wetterskip ", "waterschap"},
		{"Veiligheidsregio ", "veiligheidsregio"}, {"Omgevingsdienst ", "omgevingsdienst"},
	};
	for (size_t i = 0; i < ARRAY_LEN(guesses); i++)
		if (!strncasecmp(name, guesses[i].prefix, strlen(guesses[i].prefix)))
			return guesses[i].type;
	return "overig";
}

/* Finds the organisation named name, creating it (with a slug code) when unknown. */
static int resolve_org(struct store *st, const char *name, const char *now, long long *id)
{
	struct buf key, code;
	int rc;
	buf_init(&key, 0);
	buf_init(&code, 0);
	text_name_key(&key, name);
	rc = store_org_find(st, buf_str(&key), org_id_cb, id);
	if (rc == STORE_NOTFOUND) {
		text_slug(&code, name, 56);
		/* A slug can collide with another body's; number it until free. */
		size_t base = code.len;
		for (int i = 2; (rc = store_org_insert(st, buf_str(&code), name, buf_str(&key),
						       guess_org_type(name), now, id)) == STORE_EXISTS && i < 100; i++) {
			code.len = base;
			buf_printf(&code, "-%d", i);
		}
	}
	buf_cleanup(&key);
	buf_cleanup(&code);
	return rc;
}

struct org_ref {
	long long id;
	char name[256];
};

static int org_ref_cb(void *ctx, const struct org *o)
{
	struct org_ref *r = ctx;
	r->id = o->id;
	snprintf(r->name, sizeof r->name, "%s", o->name);
	return 0;
}

/* ---- algorithms ---- */

/* Columns the store copies from a record, plus the serialised forms. */
struct prepared {
	struct algo_write w;
	char *record, *missing, *category;
	json_t *rec;
};

static void prepared_cleanup(struct prepared *p)
{
	free(p->record);
	free(p->missing);
	free(p->category);
	json_decref(p->rec);
}

/* Takes ownership of rec (normalised, with lars set). */
static void prepare(struct prepared *p, json_t *rec, long long org_id, const char *org_name,
		    const char *now)
{
	json_t *missing = json_array();
	memset(p, 0, sizeof *p);
	p->rec = rec;
	reg_missing(rec, missing);
	p->record = reg_canonical(rec);
	p->missing = json_dumps(missing, JSON_COMPACT);
	json_t *cat = json_object_get(rec, "category");
	p->category = cat ? json_dumps(cat, JSON_COMPACT) : NULL;
	p->w = (struct algo_write){
		.lars = reg_str(rec, "lars"),
		.org_id = org_id,
		.source_id = reg_str(rec, "source_id"),
		.state = "concept",
		.record = p->record,
		.missing = p->missing,
		.completeness = reg_completeness(rec),
		.publishable = json_array_size(missing) == 0,
		.name = reg_str(rec, "name") ? reg_str(rec, "name") : "",
		.description_short = reg_str(rec, "description_short"),
		.status = reg_str(rec, "status"),
		.publication_category = reg_str(rec, "publication_category"),
		.category = p->category,
		.goal = reg_str(rec, "goal"),
		.tags = reg_str(rec, "tags"),
		.org_name = org_name,
		.now = now,
	};
	json_decref(missing);
}

/* 409 when another algorithm of the organisation has the record's source ID. */
static int check_source_id(struct store *st, const struct prepared *p, const char *self,
			   struct svc_err *e)
{
	char other[9];
	if (!p->w.source_id)
		return 0;
	int rc = store_algo_find_source(st, p->w.org_id, p->w.source_id, other);
	if (rc == STORE_NOTFOUND || (!rc && self && !strcmp(other, self)))
		return 0;
	if (rc)
		return store_err(e, st, rc);
	memset(&e->errs, 0, sizeof e->errs);
	reg_error_add(&e->errs, "source_id", "already_exists", "source_id %.60s is used by algorithm %s",
		      p->w.source_id, other);
	return err(e, 409, "already_exists", "source_id %.60s is used by algorithm %s", p->w.source_id, other);
}

/* Inserts a new algorithm; generates the ID when rec has none. */
static int insert_algo(struct store *st, struct prepared *p, struct svc_err *e)
{
	bool given = p->w.lars != NULL;
	char id[9];
	int rc = check_source_id(st, p, NULL, e);
	if (rc)
		return rc;
	for (int tries = 0; tries < 20; tries++) {
		if (!given) {
			reg_id_generate(id);
			json_object_set_new(p->rec, "lars", json_string(id));
			free(p->record);
			p->record = reg_canonical(p->rec);
			p->w.record = p->record;
			p->w.lars = reg_str(p->rec, "lars");
		}
		rc = store_algo_insert(st, &p->w);
		if (rc != STORE_EXISTS || given)
			break;
	}
	if (rc == STORE_EXISTS)
		return err(e, 409, "already_exists", "algorithm %s already exists", p->w.lars);
	return rc ? store_err(e, st, rc) : 0;
}

static int normalize_body(json_t *body, bool ignore_unknown, json_t **rec, struct svc_err *e)
{
	memset(&e->errs, 0, sizeof e->errs);
	*rec = reg_normalize(body, ignore_unknown, &e->errs);
	if (!*rec)
		return err(e, 422, "validation_failed", "the record is not valid (%zu errors)", e->errs.n);
	return 0;
}

int svc_algo_create(struct store *st, const char *org_code, json_t *body, char lars_out[9],
		    struct svc_err *e)
{
	struct org_ref org = {0};
	struct prepared p;
	json_t *rec;
	char now[21];
	int rc = store_org_get(st, org_code, org_ref_cb, &org);
	if (rc == STORE_NOTFOUND)
		return err(e, 404, "not_found", "no organisation with code %s", org_code);
	if (rc)
		return store_err(e, st, rc);
	if ((rc = normalize_body(body, false, &rec, e)))
		return rc;
	json_object_set_new(rec, "organization", json_string(org.name));
	util_now_iso(now);
	prepare(&p, rec, org.id, org.name, now);
	if (!(rc = store_begin(st))) {
		rc = insert_algo(st, &p, e);
		if (!rc && (rc = store_commit(st)))
			rc = store_err(e, st, rc);
		if (rc)
			store_rollback(st);
	} else {
		rc = store_err(e, st, rc);
	}
	if (!rc)
		snprintf(lars_out, 9, "%s", p.w.lars);
	prepared_cleanup(&p);
	return rc;
}

/* What an existing algorithm's latest version needs for an update. */
struct current {
	int version;
	long long org_id;
	char org_name[256], org_code[65], state[16];
	char *record;
};

static int current_cb(void *ctx, const struct algo *a)
{
	struct current *c = ctx;
	c->version = a->version;
	snprintf(c->org_name, sizeof c->org_name, "%s", a->org_name);
	snprintf(c->org_code, sizeof c->org_code, "%s", a->org_code);
	snprintf(c->state, sizeof c->state, "%s", a->state);
	c->record = xstrdup(a->record);
	return 0;
}

static int load_current(struct store *st, const char *lars, struct current *c, struct svc_err *e)
{
	memset(c, 0, sizeof *c);
	int rc = store_algo_get(st, lars, 0, current_cb, c);
	if (rc == STORE_NOTFOUND)
		return err(e, 404, "not_found", "no algorithm with id %s", lars);
	if (rc)
		return store_err(e, st, rc);
	if ((rc = store_org_get(st, c->org_code, org_id_cb, &c->org_id)))
		return store_err(e, st, rc);
	return 0;
}

/* Adds a version when the record differs from the latest; *changed tells. */
static int add_version(struct store *st, struct prepared *p, const struct current *c, bool *changed,
		       struct svc_err *e)
{
	*changed = strcmp(p->record, c->record) != 0;
	if (!*changed)
		return 0;
	int rc = check_source_id(st, p, p->w.lars, e);
	if (rc)
		return rc;
	rc = store_algo_add_version(st, &p->w, c->version);
	if (rc == STORE_CONFLICT) {
		e->current_version = c->version + 1;
		return err(e, 409, "version_conflict", "algorithm %s was changed by someone else", p->w.lars);
	}
	return rc ? store_err(e, st, rc) : 0;
}

int svc_algo_update(struct store *st, const char *lars, int expected, json_t *body, int *version,
		    struct svc_err *e)
{
	struct current c;
	struct prepared p;
	json_t *rec;
	char now[21];
	bool changed;
	int rc;
	if ((rc = store_begin(st)))
		return store_err(e, st, rc);
	if ((rc = load_current(st, lars, &c, e)))
		goto out;
	if (c.version != expected) {
		e->current_version = c.version;
		rc = err(e, 409, "version_conflict", "version %d is not the latest (%d)", expected, c.version);
		goto out;
	}
	if ((rc = normalize_body(body, false, &rec, e)))
		goto out;
	json_object_set_new(rec, "lars", json_string(lars));
	json_object_set_new(rec, "organization", json_string(c.org_name));
	util_now_iso(now);
	prepare(&p, rec, c.org_id, c.org_name, now);
	rc = add_version(st, &p, &c, &changed, e);
	*version = c.version + changed;
	prepared_cleanup(&p);
	if (!rc && (rc = store_commit(st)))
		rc = store_err(e, st, rc);
out:
	if (rc)
		store_rollback(st);
	free(c.record);
	return rc;
}

int svc_algo_archive(struct store *st, const char *lars, struct svc_err *e)
{
	char now[21];
	util_now_iso(now);
	int rc = store_algo_set_state(st, lars, "gearchiveerd", now);
	if (rc == STORE_NOTFOUND)
		return err(e, 404, "not_found", "no algorithm with id %s", lars);
	return rc ? store_err(e, st, rc) : 0;
}

bool svc_fts_query(const char *q, struct buf *out)
{
	int words = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p && words < 16;) {
		/* A word is a run of ASCII letters/digits and any non-ASCII bytes (UTF-8 letters). */
		const unsigned char *s = p;
		while (*p && (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			p++;
		if (p == s) {
			p++;
			continue;
		}
		size_t n = (size_t)(p - s);
		if (n > 64)  /* cut long words at a character boundary */
			for (n = 64; n && (s[n] & 0xC0) == 0x80; n--)
				;
		buf_printf(out, "%s\"%.*s\"*", words++ ? " " : "", (int)n, s);
	}
	return words > 0;
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
		return err(e, 400, "malformed_csv", "line %zu, column %zu: the file is not UTF-8 (save it as "
			   "UTF-8 and import again)", line, col);
	}
	csv_reader_init(&r, data, len, ',');
	if ((n = csv_reader_next(&r)) != 1) {
		csv_reader_cleanup(&r);
		return err(e, 400, "malformed_csv", "%s", n < 0 ? r.errmsg : "the file is empty");
	}
	ncols = r.nfields;
	for (size_t i = 0; i < ncols; i++) {
		col_field[i] = -1;
		for (size_t j = 0; j < svc_csv_ncolumns; j++)
			if (!strcmp(text_trim(r.fields[i]), svc_csv_columns[j]))
				col_field[i] = (int)j;
		if (col_field[i] < 0 && strcmp(r.fields[i], "lars")) {
			err(e, 400, "malformed_csv", "line 1, column %zu: unknown column \"%.60s\"", i + 1,
			    r.fields[i]);
			csv_reader_cleanup(&r);
			return 400;
		}
	}
	while ((n = csv_reader_next(&r)) == 1) {
		if (r.nfields != ncols) {
			err(e, 400, "malformed_csv", "line %zu: %zu fields where the header has %zu",
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
		return err(e, 400, "malformed_csv", "%s", r.errmsg);
	return 0;
}

/* Decides the shape of a file and returns its records as an array (owned). */
static int parse_import(const char *data, size_t len, bool csv, json_t **items,
			enum import_format *fmt, struct svc_err *e)
{
	if (csv) {
		*fmt = FMT_CSV;
		return parse_csv(data, len, items, e);
	}
	json_error_t je;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		e->line = je.line;
		e->column = je.column > 0 ? je.column : 1; /* jansson says 0 at the start of a line */
		return err(e, 400, "malformed_json", "malformed JSON at line %d, column %d: %s", je.line,
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
	const char *org_code, *now;
	enum import_format fmt;
	json_t *touched;        /* IDs created or matched by this import (object as a set) */
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
	struct org_ref org = {0};
	if (c->org_code) {
		rc = store_org_get(c->st, c->org_code, org_ref_cb, &org);
		if (rc == STORE_NOTFOUND) {
			action = reject(entry, e, "organization", "not_found", "no organisation with code %s",
					c->org_code);
			rc = 0;
			json_decref(rec);
			goto out;
		}
		org_id = org.id;
		json_object_set_new(rec, "organization", json_string(org.name));
	} else if (reg_str(rec, "organization")) {
		rc = resolve_org(c->st, reg_str(rec, "organization"), c->now, &org_id);
	} else {
		action = reject(entry, e, "organization", "required",
				"the record names no organisation (give one for the whole file)");
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
	prepare(&p, rec, org_id, org_name, c->now);
	p.w.state = in.state;
	char *meta = in.meta ? json_dumps(in.meta, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	p.w.import_meta = meta;
	rc = *lars ? load_current(c->st, lars, &cur, e) : 404;
	if (rc == 404) {
		rc = insert_algo(c->st, &p, e);
		action = "created";
	} else if (!rc && cur.org_id != org_id) {
		action = reject(entry, e, "organization", "org_mismatch",
				"algorithm %s belongs to %s, not to %s", lars, cur.org_name, org_name);
	} else if (!rc) {
		bool changed;
		rc = add_version(c->st, &p, &cur, &changed, e);
		action = changed ? "changed" : "unchanged";
	}
	if (rc == 409) { /* an ID given twice in one file, or taken */
		action = reject(entry, e, "lars", "already_exists", "%s", e->message);
		rc = 0;
	}
	if (!rc && strcmp(action, "rejected")) {
		json_object_set_new(entry, "id", json_string(p.w.lars));
		json_object_set_new(c->touched, p.w.lars, json_true());
	}
	free(meta);
	free(cur.record);
	prepared_cleanup(&p);
out:
	json_decref(in.rec);
	json_decref(in.meta);
	*fatal = rc;
	return action;
}

int svc_import(struct store *st, const char *data, size_t len, bool csv, const char *org_code,
	       int flags, json_t **report, void (*progress)(size_t, size_t), struct svc_err *e)
{
	json_t *items = NULL;
	enum import_format fmt = FMT_REGISTER;
	char now[21];
	int rc;
	*report = NULL;
	if ((rc = parse_import(data, len, csv, &items, &fmt, e)))
		goto out;
	util_now_iso(now);
	struct import_ctx c = {.st = st, .org_code = org_code, .now = now, .fmt = fmt,
			       .touched = json_object()};
	size_t counts[4] = {0}, n = json_array_size(items);
	static const char *const actions[] = {"created", "changed", "unchanged", "rejected"};
	json_t *records = json_array();
	*report = json_pack("{s:s,s:b}", "format", format_names[fmt], "dry_run", (flags & IMPORT_DRY_RUN) != 0);
	if ((rc = store_begin(st))) {
		rc = store_err(e, st, rc);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *entry = json_pack("{s:I}", "index", (json_int_t)i);
		int fatal = 0;
		const char *action = import_one(&c, json_array_get(items, i), entry, &fatal, e);
		if (fatal) {
			json_decref(entry);
			rc = fatal >= 400 ? fatal : store_err(e, st, fatal);
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
		if (counts[3] && !(flags & IMPORT_SKIP_INVALID))
			rc = err(e, 422, "import_rejected", "%zu of %zu records were rejected; nothing was stored",
				 counts[3], n);
	} else if ((rc = store_commit(st))) {
		store_rollback(st);
		rc = store_err(e, st, rc);
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

int svc_export(struct store *st, const char *org_code, bool csv, struct buf *out, struct svc_err *e)
{
	struct jsonw w;
	struct export_ctx x = {.csv = csv, .out = out, .w = &w};
	int rc = 0;
	jsonw_init(&w, out);
	if (csv) {
		for (size_t i = 0; !rc && i < svc_csv_ncolumns; i++)
			rc = csv_write_field(out, svc_csv_columns[i]);
		if (!rc)
			rc = csv_write_eol(out);
	} else {
		jsonw_arr_open(&w);
	}
	if (org_code) {
		long long id;
		rc = store_org_get(st, org_code, org_id_cb, &id);
		if (rc == STORE_NOTFOUND)
			return err(e, 404, "not_found", "no organisation with code %s", org_code);
	}
	if (!rc)
		rc = store_algo_export(st, org_code, export_cb, &x);
	if (!csv)
		jsonw_arr_close(&w);
	if (rc == BUF_TOOBIG || jsonw_error(&w))
		return err(e, 500, "too_large", "the export exceeds the output limit");
	return rc ? store_err(e, st, rc) : 0;
}
